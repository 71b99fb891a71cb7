// SPDX-License-Identifier: Apache-2.0
/*
 * Usage: classify [iterations] [image]
 * Classify `image` (default: the sample image in examples/data/) and print
 * the classification tag and the output image name.
 */
#include <vaccel.h>

#include "example_utils.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char *argv[])
{
	struct vaccel_prof_region region =
		VACCEL_PROF_REGION_INIT("image_classify");
	const char *path = argc > 2 ? argv[2] : EXAMPLE_IMAGE_DEFAULT;
	unsigned char out_text[512] = {0};
	unsigned char out_imgname[512] = {0};
	struct vaccel_session sess;
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

	for (long i = 0; i < iterations; i++) {
		uint64_t t0 = example_now_ns();

		vaccel_prof_region_start(&region);
		ret = vaccel_image_classification(
			&sess, image, out_text, out_imgname, image_size,
			sizeof(out_text), sizeof(out_imgname));
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
	example_print_timing("classify", iterations, total, &region);

out:
	vaccel_prof_region_release(&region);
	if (vaccel_session_release(&sess))
		fprintf(stderr, "Could not release session\n");
	free(image);
	return ret ? 1 : 0;
}
