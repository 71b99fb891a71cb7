// SPDX-License-Identifier: Apache-2.0
/*
 * Usage: detect <image_file> [iterations] [model_path]
 * Run vaccel_image_detection() on the image and print
 * "detection imagename: ...".
 */
#include "image_example.h"

int main(int argc, char *argv[])
{
	static const struct image_example ex = {
		.name = "detect",
		.label = "detection",
		.op = VACCEL_OP_IMAGE_DETECT,
		.call = vaccel_image_detection,
	};

	return image_example_main(&ex, argc, argv);
}
