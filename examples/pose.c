// SPDX-License-Identifier: Apache-2.0
/*
 * Usage: pose <image_file> [iterations] [model_path]
 * Run vaccel_image_pose() on the image and print
 * "pose estimation imagename: ...".
 */
#include "image_example.h"

int main(int argc, char *argv[])
{
	static const struct image_example ex = {
		.name = "pose",
		.label = "pose estimation",
		.op = VACCEL_OP_IMAGE_POSE,
		.call = vaccel_image_pose,
	};

	return image_example_main(&ex, argc, argv);
}
