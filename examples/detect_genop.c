// SPDX-License-Identifier: Apache-2.0
/*
 * Usage: detect_genop <image_file> [iterations] [model_path]
 * Like detect, through genop:
 * read = {UINT8 VACCEL_OP_IMAGE_DETECT, BUFFER image},
 * write = {UCHAR_ARRAY out_imgname}.
 */
#include "image_example.h"

int main(int argc, char *argv[])
{
	static const struct image_example ex = {
		.name = "detect_genop",
		.label = "detection",
		.op = VACCEL_OP_IMAGE_DETECT,
		.call = NULL,
	};

	return image_example_main(&ex, argc, argv);
}
