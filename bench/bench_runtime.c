// SPDX-License-Identifier: Apache-2.0
/*
 * Runtime dispatch benchmarks (local plugins, no VM):
 *   vaccel_noop          vaccel_noop() through libvaccel + the noop plugin,
 *                        against a direct call of an empty function
 *   vaccel_sgemm_1024    vaccel_sgemm() 1024^3 through the blas plugin,
 *                        against cblas_sgemm() called directly
 * Baselines are measured in the same run, interleaved with the measured
 * variant, and medians are reported.
 *
 * usage: bench_runtime NOOP_PLUGIN BLAS_PLUGIN
 */
#include "bench_util.h"

#include <cblas.h>
#include <string.h>
#include <vaccel.h>

#define NOOP_BATCH 200000
#define NOOP_ROUNDS 31
#define SGEMM_N 1024
#define SGEMM_ROUNDS 9

__attribute__((noinline)) static int direct_noop(struct vaccel_session *s)
{
	__asm__ volatile("" ::"r"(s) : "memory");
	return 0;
}

static int (*volatile direct_fn)(struct vaccel_session *) = direct_noop;

static int boot(const char *plugins)
{
	struct vaccel_config cfg;
	int ret = vaccel_config_init(&cfg, plugins, VACCEL_LOG_ERROR, NULL,
				     false, false);
	if (ret)
		return ret;
	ret = vaccel_bootstrap_with_config(&cfg);
	vaccel_config_release(&cfg);
	return ret;
}

static int bench_noop(const char *plugin)
{
	struct vaccel_session sess;
	if (boot(plugin) || vaccel_session_init(&sess, 0)) {
		fprintf(stderr, "bench: cannot start the noop plugin %s\n",
			plugin);
		return 1;
	}
	double via[NOOP_ROUNDS], direct[NOOP_ROUNDS];
	for (int r = 0; r < NOOP_ROUNDS; r++) {
		uint64_t t0 = bench_now_ns();
		for (int i = 0; i < NOOP_BATCH; i++)
			if (vaccel_noop(&sess))
				return 1;
		uint64_t t1 = bench_now_ns();
		for (int i = 0; i < NOOP_BATCH; i++)
			if (direct_fn(&sess))
				return 1;
		uint64_t t2 = bench_now_ns();
		via[r] = (double)(t1 - t0) / NOOP_BATCH;
		direct[r] = (double)(t2 - t1) / NOOP_BATCH;
	}
	double m = bench_median(via, NOOP_ROUNDS);
	double b = bench_median(direct, NOOP_ROUNDS);
	bench_print("vaccel_noop", m, b, "ns");
	printf("#   dispatch overhead %.1f ns per call (target: within 100 ns)\n",
	       m - b);
	vaccel_session_release(&sess);
	vaccel_cleanup();
	return 0;
}

static int bench_sgemm(const char *plugin)
{
	struct vaccel_session sess;
	if (boot(plugin) || vaccel_session_init(&sess, 0)) {
		fprintf(stderr, "bench: cannot start the blas plugin %s\n",
			plugin);
		return 1;
	}
	const int n = SGEMM_N;
	size_t sz = (size_t)n * n;
	float *a = malloc(sz * sizeof(float)), *b = malloc(sz * sizeof(float));
	float *c = malloc(sz * sizeof(float));
	if (!a || !b || !c)
		return 1;
	srand(42);
	for (size_t i = 0; i < sz; i++) {
		a[i] = (float)rand() / (float)RAND_MAX;
		b[i] = (float)rand() / (float)RAND_MAX;
	}
	double via[SGEMM_ROUNDS], direct[SGEMM_ROUNDS];
	/* warm up both paths (thread pools, page faults) */
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f,
		    a, n, b, n, 0.0f, c, n);
	vaccel_sgemm(&sess, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
	for (int r = 0; r < SGEMM_ROUNDS; r++) {
		/* alternate the order so drift hits both sides alike */
		for (int k = 0; k < 2; k++) {
			uint64_t t0 = bench_now_ns();
			if ((r + k) % 2 == 0) {
				if (vaccel_sgemm(&sess, n, n, n, 1.0f, a, n, b,
						 n, 0.0f, c, n))
					return 1;
				via[r] = (double)(bench_now_ns() - t0) / 1e6;
			} else {
				cblas_sgemm(CblasRowMajor, CblasNoTrans,
					    CblasNoTrans, n, n, n, 1.0f, a, n,
					    b, n, 0.0f, c, n);
				direct[r] = (double)(bench_now_ns() - t0) / 1e6;
			}
		}
	}
	bench_print("vaccel_sgemm_1024", bench_median(via, SGEMM_ROUNDS),
		    bench_median(direct, SGEMM_ROUNDS), "ms");
	printf("#   target: ratio <= 1.01\n");
	free(a);
	free(b);
	free(c);
	vaccel_session_release(&sess);
	vaccel_cleanup();
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3 || !strcmp(argv[1], "--help")) {
		fprintf(stderr, "usage: %s NOOP_PLUGIN BLAS_PLUGIN\n", argv[0]);
		return 2;
	}
	int ret = bench_noop(argv[1]);
	if (!ret && strcmp(argv[2], "-") != 0)
		ret = bench_sgemm(argv[2]);
	return ret;
}
