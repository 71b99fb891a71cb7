// SPDX-License-Identifier: Apache-2.0
/*
 * sgemm_check PLUGIN
 *
 * Checks vaccel_sgemm() through PLUGIN (the blas plugin) against a naive
 * triple loop: random 257 x 513 x 129 inputs with lda, ldb and ldc larger
 * than the minimum, alpha = 1.5, beta = -0.75. The error of every entry,
 * relative to the magnitude of the terms it sums (|alpha| sum |a b| +
 * |beta c|), must be within 1e-4, and the padding columns of C must be
 * untouched. Then the argument validation: bad dimensions and leading
 * dimensions give VACCEL_EINVAL, m == 0 is a no-op and k == 0 scales C.
 * Exit status 0 on success, 1 on failure.
 */
#include <vaccel.h>

#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define M     257
#define N     513
#define K     129
#define LDA   (K + 7)
#define LDB   (N + 5)
#define LDC   (N + 3)
#define ALPHA 1.5f
#define BETA  -0.75f
#define PAD   12345.0f
#define TOL   1e-4

static int failures;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);   \
			fprintf(stderr, __VA_ARGS__);                          \
			fprintf(stderr, "\n");                                 \
			failures++;                                            \
		}                                                              \
	} while (0)

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* xorshift64*: uniform in [-1, 1) */
static float rnd(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	x *= 0x2545f4914f6cdd1dull;
	return (float)((double)(x >> 40) / (double)(1ull << 24) * 2.0 - 1.0);
}

static void check_accuracy(struct vaccel_session *sess)
{
	float *a = malloc(sizeof(float) * M * LDA);
	float *b = malloc(sizeof(float) * K * LDB);
	float *c = malloc(sizeof(float) * M * LDC);
	float *c0 = malloc(sizeof(float) * M * LDC);
	double max_err = 0.0;
	int bad_pad = 0;
	int ret;

	if (!a || !b || !c || !c0) {
		CHECK(0, "out of memory");
		goto out;
	}
	for (int i = 0; i < M * LDA; i++)
		a[i] = (i % LDA) < K ? rnd() : PAD;
	for (int i = 0; i < K * LDB; i++)
		b[i] = (i % LDB) < N ? rnd() : PAD;
	for (int i = 0; i < M * LDC; i++)
		c0[i] = (i % LDC) < N ? rnd() : PAD;
	memcpy(c, c0, sizeof(float) * M * LDC);

	ret = vaccel_sgemm(sess, M, N, K, ALPHA, a, LDA, b, LDB, BETA, c, LDC);
	CHECK(ret == VACCEL_OK, "vaccel_sgemm returned %d", ret);
	if (ret)
		goto out;

	for (int i = 0; i < M; i++) {
		for (int j = 0; j < LDC; j++) {
			double ref = 0.0;
			double scale = 0.0;
			double err;

			if (j >= N) {
				if (c[i * LDC + j] != PAD)
					bad_pad++;
				continue;
			}
			for (int p = 0; p < K; p++) {
				double t = (double)a[i * LDA + p] *
					   (double)b[p * LDB + j];
				ref += t;
				scale += fabs(t);
			}
			ref = ALPHA * ref + BETA * (double)c0[i * LDC + j];
			scale = fabs(ALPHA) * scale +
				fabs(BETA * (double)c0[i * LDC + j]);
			err = fabs((double)c[i * LDC + j] - ref) /
			      (scale > DBL_MIN ? scale : 1.0);
			if (err > max_err)
				max_err = err;
		}
	}
	printf("sgemm %dx%dx%d (lda %d, ldb %d, ldc %d): max relative error "
	       "%.3g\n",
	       M, N, K, LDA, LDB, LDC, max_err);
	CHECK(max_err <= TOL, "max relative error %.3g > %g", max_err, TOL);
	CHECK(bad_pad == 0, "%d padding entries of C were modified", bad_pad);
out:
	free(a);
	free(b);
	free(c);
	free(c0);
}

static void check_validation(struct vaccel_session *sess)
{
	float a[16] = {0};
	float b[16] = {0};
	float c[16];
	int ret;

	/* name, m, n, k, lda, ldb, ldc, expected */
	static const struct {
		const char *what;
		int64_t m, n, k, lda, ldb, ldc;
		int expect;
	} cases[] = {
		{"negative m", -1, 2, 2, 2, 2, 2, VACCEL_EINVAL},
		{"negative n", 2, -1, 2, 2, 2, 2, VACCEL_EINVAL},
		{"negative k", 2, 2, -1, 2, 2, 2, VACCEL_EINVAL},
		{"lda < k", 2, 2, 3, 2, 2, 2, VACCEL_EINVAL},
		{"ldb < n", 2, 3, 2, 2, 2, 3, VACCEL_EINVAL},
		{"ldc < n", 2, 3, 2, 2, 3, 2, VACCEL_EINVAL},
		{"lda 0 with k 0", 2, 2, 0, 0, 2, 2, VACCEL_EINVAL},
		{"m beyond int", (int64_t)INT_MAX + 1, 1, 1, 1, 1, 1,
		 VACCEL_EINVAL},
		{"ldc beyond int", 1, 1, 1, 1, 1, (int64_t)INT_MAX + 1,
		 VACCEL_EINVAL},
		{"m == 0", 0, 2, 2, 2, 2, 2, VACCEL_OK},
		{"n == 0", 2, 0, 2, 2, 1, 1, VACCEL_OK},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int j = 0; j < 16; j++)
			c[j] = 7.0f;
		ret = vaccel_sgemm(sess, cases[i].m, cases[i].n, cases[i].k,
				   1.0f, a, cases[i].lda, b, cases[i].ldb, 0.0f,
				   c, cases[i].ldc);
		CHECK(ret == cases[i].expect, "%s: got %d, expected %d",
		      cases[i].what, ret, cases[i].expect);
		if (cases[i].expect == VACCEL_OK)
			CHECK(c[0] == 7.0f, "%s: C was modified",
			      cases[i].what);
	}

	ret = vaccel_sgemm(sess, 2, 2, 2, 1.0f, NULL, 2, b, 2, 0.0f, c, 2);
	CHECK(ret == VACCEL_EINVAL, "NULL a: got %d", ret);

	/* k == 0: C = beta * C */
	for (int j = 0; j < 4; j++)
		c[j] = 2.0f;
	ret = vaccel_sgemm(sess, 2, 2, 0, 1.0f, a, 1, b, 2, 0.5f, c, 2);
	CHECK(ret == VACCEL_OK && c[0] == 1.0f && c[3] == 1.0f,
	      "k == 0: got %d, c[0] = %f", ret, (double)c[0]);
}

int main(int argc, char *argv[])
{
	struct vaccel_config cfg;
	struct vaccel_session sess;
	int ret;

	if (argc != 2) {
		fprintf(stderr, "Usage: %s PLUGIN\n", argv[0]);
		return 2;
	}
	ret = vaccel_config_init(&cfg, argv[1], VACCEL_LOG_ERROR, NULL, false,
				 false);
	if (!ret)
		ret = vaccel_bootstrap_with_config(&cfg);
	vaccel_config_release(&cfg);
	if (ret) {
		fprintf(stderr, "Could not bootstrap with %s: %d\n", argv[1],
			ret);
		return 1;
	}
	ret = vaccel_session_init(&sess, 0);
	if (ret) {
		fprintf(stderr, "Could not initialize session: %d\n", ret);
		return 1;
	}

	check_accuracy(&sess);
	check_validation(&sess);

	vaccel_session_release(&sess);
	vaccel_cleanup();
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("sgemm_check: OK\n");
	return 0;
}
