// SPDX-License-Identifier: Apache-2.0
/*
 * Usage: pose_genop <image_file> [iterations] [model_path]
 * Like pose, through genop:
 * read = {UINT8 VACCEL_OP_IMAGE_POSE, BUFFER image},
 * write = {UCHAR_ARRAY out_imgname}.
 */
#include "image_example.h"

int main(int argc, char *argv[])
{
	static const struct image_example ex = {
		.name = "pose_genop",
		.label = "pose estimation",
		.op = VACCEL_OP_IMAGE_POSE,
		.call = NULL,
	};

	return image_example_main(&ex, argc, argv);
}
