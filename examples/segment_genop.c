// SPDX-License-Identifier: Apache-2.0
/*
 * Usage: segment_genop <image_file> [iterations] [model_path]
 * Like segment, through genop:
 * read = {UINT8 VACCEL_OP_IMAGE_SEGMENT, BUFFER image},
 * write = {UCHAR_ARRAY out_imgname}.
 */
#include "image_example.h"

int main(int argc, char *argv[])
{
	static const struct image_example ex = {
		.name = "segment_genop",
		.label = "segmentation",
		.op = VACCEL_OP_IMAGE_SEGMENT,
		.call = NULL,
	};

	return image_example_main(&ex, argc, argv);
}
