// SPDX-License-Identifier: Apache-2.0
/*
 * Usage: sgemm [iterations] [m n k]   (default 512 512 512)
 * C = 2 * A * B + 0.5 * C on deterministic inputs (see sgemm_common.h);
 * prints a few entries of C and the sum of all of them.
 */
#include <vaccel.h>

#include "example_utils.h"
#include "sgemm_common.h"

#include <inttypes.h>
#include <stdio.h>

int main(int argc, char *argv[])
{
	struct vaccel_prof_region region = VACCEL_PROF_REGION_INIT("sgemm");
	struct vaccel_session sess;
	struct sgemm_data d;
	uint64_t total = 0;
	long iterations;
	long m;
	long n;
	long k;
	int ret;

	if (example_arg_long(argc, argv, 1, "iterations", 1, 1, 100000000,
			     &iterations) ||
	    example_arg_long(argc, argv, 2, "m", 512, 1, 16384, &m) ||
	    example_arg_long(argc, argv, 3, "n", 512, 1, 16384, &n) ||
	    example_arg_long(argc, argv, 4, "k", 512, 1, 16384, &k)) {
		fprintf(stderr, "Usage: %s [iterations] [m n k]\n", argv[0]);
		return 1;
	}
	if (sgemm_data_alloc(&d, m, n, k)) {
		fprintf(stderr, "Out of memory\n");
		return 1;
	}

	ret = vaccel_session_init(&sess, 0);
	if (ret) {
		fprintf(stderr, "Could not initialize session: %d\n", ret);
		sgemm_data_free(&d);
		return 1;
	}
	printf("Initialized session with id: %" PRId64 "\n", sess.id);

	for (long i = 0; i < iterations; i++) {
		uint64_t t0;

		sgemm_data_reset_c(&d);
		t0 = example_now_ns();
		vaccel_prof_region_start(&region);
		ret = vaccel_sgemm(&sess, d.m, d.n, d.k, SGEMM_ALPHA, d.a, d.k,
				   d.b, d.n, SGEMM_BETA, d.c, d.n);
		vaccel_prof_region_stop(&region);
		total += example_now_ns() - t0;
		if (ret) {
			fprintf(stderr, "Could not run op: %d\n", ret);
			goto out;
		}
	}
	sgemm_data_print(&d);
	example_print_timing("sgemm", iterations, total, &region);

out:
	vaccel_prof_region_release(&region);
	if (vaccel_session_release(&sess))
		fprintf(stderr, "Could not release session\n");
	sgemm_data_free(&d);
	return ret ? 1 : 0;
}
