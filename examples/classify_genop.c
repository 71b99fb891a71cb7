// SPDX-License-Identifier: Apache-2.0
/*
 * Usage: classify_genop [iterations] [image]
 * Like classify, through genop: read = {UINT8 op, BUFFER image},
 * write = {UCHAR_ARRAY out_imgname, UCHAR_ARRAY out_text}.
 */
#include <vaccel.h>

#include "example_utils.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char *argv[])
{
	struct vaccel_prof_region region =
		VACCEL_PROF_REGION_INIT("classify_genop");
	const char *path = argc > 2 ? argv[2] : EXAMPLE_IMAGE_DEFAULT;
	struct vaccel_arg_array read_args = {0};
	struct vaccel_arg_array write_args = {0};
	unsigned char out_text[512] = {0};
	unsigned char out_imgname[512] = {0};
	struct vaccel_session sess;
	uint8_t op = VACCEL_OP_IMAGE_CLASSIFY;
	unsigned char *image = NULL;
	size_t image_size = 0;
	uint64_t total = 0;
	long iterations;
	int ret;

	if (example_arg_long(argc, argv, 1, "iterations", 1, 1, 100000000,
			     &iterations)) {
		fprintf(stderr, "Usage: %s [iterations] [image]\n", argv[0]);
		return 1;
	}
	ret = example_read_file(path, &image, &image_size);
	if (ret) {
		fprintf(stderr, "Could not read image %s: %s\n", path,
			strerror(ret));
		return 1;
	}

	ret = vaccel_session_init(&sess, 0);
	if (ret) {
		fprintf(stderr, "Could not initialize session: %d\n", ret);
		free(image);
		return 1;
	}
	printf("Initialized session with id: %" PRId64 "\n", sess.id);

	ret = vaccel_arg_array_init(&read_args, 2);
	if (!ret)
		ret = vaccel_arg_array_init(&write_args, 2);
	if (!ret)
		ret = vaccel_arg_array_add_uint8(&read_args, &op);
	if (!ret)
		ret = vaccel_arg_array_add_buffer(&read_args, image,
						  image_size);
	if (!ret)
		ret = vaccel_arg_array_add_uchar_array(&write_args, out_imgname,
						       sizeof(out_imgname));
	if (!ret)
		ret = vaccel_arg_array_add_uchar_array(&write_args, out_text,
						       sizeof(out_text));
	if (ret) {
		fprintf(stderr, "Could not set up args: %d\n", ret);
		goto out;
	}

	for (long i = 0; i < iterations; i++) {
		uint64_t t0 = example_now_ns();

		vaccel_prof_region_start(&region);
		ret = vaccel_genop(&sess, vaccel_arg_array_raw(&read_args),
				   (int)vaccel_arg_array_count(&read_args),
				   vaccel_arg_array_raw(&write_args),
				   (int)vaccel_arg_array_count(&write_args));
		vaccel_prof_region_stop(&region);
		total += example_now_ns() - t0;
		if (ret) {
			fprintf(stderr, "Could not run op: %d\n", ret);
			goto out;
		}
	}
	out_text[sizeof(out_text) - 1] = '\0';
	out_imgname[sizeof(out_imgname) - 1] = '\0';
	printf("classification tags: %s\n", (char *)out_text);
	printf("classification imagename: %s\n", (char *)out_imgname);
	example_print_timing("classify_genop", iterations, total, &region);

out:
	vaccel_arg_array_release(&write_args);
	vaccel_arg_array_release(&read_args);
	vaccel_prof_region_release(&region);
	if (vaccel_session_release(&sess))
		fprintf(stderr, "Could not release session\n");
	free(image);
	return ret ? 1 : 0;
}
