// SPDX-License-Identifier: Apache-2.0
/*
 * Usage: depth_genop <image_file> [iterations] [model_path]
 * Like depth, through genop:
 * read = {UINT8 VACCEL_OP_IMAGE_DEPTH, BUFFER image},
 * write = {UCHAR_ARRAY out_imgname}.
 */
#include "image_example.h"

int main(int argc, char *argv[])
{
	static const struct image_example ex = {
		.name = "depth_genop",
		.label = "depth estimation",
		.op = VACCEL_OP_IMAGE_DEPTH,
		.call = NULL,
	};

	return image_example_main(&ex, argc, argv);
}
