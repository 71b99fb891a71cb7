// SPDX-License-Identifier: Apache-2.0
/*
 * Usage: sgemm_genop [iterations] [m n k]   (default 512 512 512)
 * Like sgemm, through genop: read = {UINT8 op, INT64 m, INT64 n, INT64 k,
 * FLOAT32 alpha, FLOAT32_ARRAY a, INT64 lda, FLOAT32_ARRAY b, INT64 ldb,
 * FLOAT32 beta, INT64 ldc}, write = {FLOAT32_ARRAY c}.
 */
#include <vaccel.h>

#include "example_utils.h"
#include "sgemm_common.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char *argv[])
{
	struct vaccel_prof_region region =
		VACCEL_PROF_REGION_INIT("sgemm_genop");
	struct vaccel_arg_array read_args = {0};
	struct vaccel_arg_array write_args = {0};
	struct vaccel_session sess;
	struct sgemm_data d;
	uint8_t op = VACCEL_OP_BLAS_SGEMM;
	float alpha = SGEMM_ALPHA;
	float beta = SGEMM_BETA;
	int64_t lda;
	int64_t ldb;
	int64_t ldc;
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
	lda = d.k;
	ldb = d.n;
	ldc = d.n;

	ret = vaccel_session_init(&sess, 0);
	if (ret) {
		fprintf(stderr, "Could not initialize session: %d\n", ret);
		sgemm_data_free(&d);
		return 1;
	}
	printf("Initialized session with id: %" PRId64 "\n", sess.id);

	ret = vaccel_arg_array_init(&read_args, 11);
	if (!ret)
		ret = vaccel_arg_array_init(&write_args, 1);
	if (!ret)
		ret = vaccel_arg_array_add_uint8(&read_args, &op);
	if (!ret)
		ret = vaccel_arg_array_add_int64(&read_args, &d.m);
	if (!ret)
		ret = vaccel_arg_array_add_int64(&read_args, &d.n);
	if (!ret)
		ret = vaccel_arg_array_add_int64(&read_args, &d.k);
	if (!ret)
		ret = vaccel_arg_array_add_float(&read_args, &alpha);
	if (!ret)
		ret = vaccel_arg_array_add_float_array(&read_args, d.a,
						       (size_t)(d.m * d.k));
	if (!ret)
		ret = vaccel_arg_array_add_int64(&read_args, &lda);
	if (!ret)
		ret = vaccel_arg_array_add_float_array(&read_args, d.b,
						       (size_t)(d.k * d.n));
	if (!ret)
		ret = vaccel_arg_array_add_int64(&read_args, &ldb);
	if (!ret)
		ret = vaccel_arg_array_add_float(&read_args, &beta);
	if (!ret)
		ret = vaccel_arg_array_add_int64(&read_args, &ldc);
	if (!ret)
		ret = vaccel_arg_array_add_float_array(&write_args, d.c,
						       (size_t)(d.m * d.n));
	if (ret) {
		fprintf(stderr, "Could not set up args: %d\n", ret);
		goto out;
	}

	for (long i = 0; i < iterations; i++) {
		uint64_t t0;

		sgemm_data_reset_c(&d);
		t0 = example_now_ns();
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
	sgemm_data_print(&d);
	example_print_timing("sgemm_genop", iterations, total, &region);

out:
	vaccel_arg_array_release(&write_args);
	vaccel_arg_array_release(&read_args);
	vaccel_prof_region_release(&region);
	if (vaccel_session_release(&sess))
		fprintf(stderr, "Could not release session\n");
	sgemm_data_free(&d);
	return ret ? 1 : 0;
}
