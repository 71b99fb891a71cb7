// SPDX-License-Identifier: Apache-2.0
/*
 * Usage: depth <image_file> [iterations] [model_path]
 * Run vaccel_image_depth() on the image and print
 * "depth estimation imagename: ...".
 */
#include "image_example.h"

int main(int argc, char *argv[])
{
	static const struct image_example ex = {
		.name = "depth",
		.label = "depth estimation",
		.op = VACCEL_OP_IMAGE_DEPTH,
		.call = vaccel_image_depth,
	};

	return image_example_main(&ex, argc, argv);
}
