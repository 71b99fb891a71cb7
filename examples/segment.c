// SPDX-License-Identifier: Apache-2.0
/*
 * Usage: segment <image_file> [iterations] [model_path]
 * Run vaccel_image_segmentation() on the image and print
 * "segmentation imagename: ...".
 */
#include "image_example.h"

int main(int argc, char *argv[])
{
	static const struct image_example ex = {
		.name = "segment",
		.label = "segmentation",
		.op = VACCEL_OP_IMAGE_SEGMENT,
		.call = vaccel_image_segmentation,
	};

	return image_example_main(&ex, argc, argv);
}
