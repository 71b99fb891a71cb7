// SPDX-License-Identifier: Apache-2.0
/*
 * Usage: mbench <time_ms> <lib_file> [iterations]
 * Micro-benchmark (for libvaccel-mbench.so): each iteration is one
 * vaccel_exec("mbench", "mbench") with read = {time_ms as text, the bytes of
 * lib_file}; the plugin busy-waits time_ms milliseconds and ignores the file.
 * The time goes as its digits without a NUL (the plugin reads no byte past
 * an argument's size); it is checked by the plugin, not here.
 */
#include <vaccel.h>

#include "example_utils.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int run(struct vaccel_session *sess, struct vaccel_arg *read,
	       size_t nr_read, long iterations)
{
	struct vaccel_prof_region region = VACCEL_PROF_REGION_INIT("mbench");
	uint64_t total = 0;
	int ret = 0;

	for (long i = 0; i < iterations && !ret; i++) {
		uint64_t t0 = example_now_ns();

		vaccel_prof_region_start(&region);
		ret = vaccel_exec(sess, "mbench", "mbench", read, nr_read, NULL,
				  0);
		vaccel_prof_region_stop(&region);
		total += example_now_ns() - t0;
	}
	if (ret)
		fprintf(stderr, "Could not run op: %d\n", ret);
	else
		example_print_timing("mbench", iterations, total, &region);
	vaccel_prof_region_release(&region);
	return ret;
}

int main(int argc, char *argv[])
{
	struct vaccel_session sess;
	unsigned char *file = NULL;
	size_t file_size = 0;
	long iterations;
	int ret;

	if (argc < 3 || argc > 4 || argv[1][0] == '\0' ||
	    example_arg_long(argc, argv, 3, "iterations", 1, 1, 100000000,
			     &iterations)) {
		fprintf(stderr, "Usage: %s <time_ms> <lib_file> [iterations]\n",
			argv[0]);
		return 1;
	}
	ret = example_read_file(argv[2], &file, &file_size);
	if (ret) {
		fprintf(stderr, "Could not read %s: %s\n", argv[2],
			strerror(ret));
		return 1;
	}
	ret = vaccel_session_init(&sess, 0);
	if (ret) {
		fprintf(stderr, "Could not initialize session: %d\n", ret);
		free(file);
		return 1;
	}
	printf("Initialized session with id: %" PRId64 "\n", sess.id);

	struct vaccel_arg read[] = {
		{.size = strlen(argv[1]), .buf = argv[1], .type = VACCEL_ARG_RAW},
		{.size = file_size, .buf = file, .type = VACCEL_ARG_RAW},
	};
	ret = run(&sess, read, sizeof(read) / sizeof(read[0]), iterations);
	if (!ret)
		printf("mbench: %ld call(s) with time_ms %s\n", iterations,
		       argv[1]);
	if (vaccel_session_release(&sess))
		fprintf(stderr, "Could not release session\n");
	free(file);
	return ret ? 1 : 0;
}
