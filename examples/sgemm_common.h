// SPDX-License-Identifier: Apache-2.0
/*
 * Deterministic sgemm inputs shared by sgemm and sgemm_genop.
 *
 * Row-major, lda = k, ldb = n, ldc = n, alpha = 2, beta = 0.5:
 *   a[i][p] = ((i + 2p) mod 5) - 2      b[p][j] = ((p + 3j) mod 5) - 2
 *   c[i][j] = 1 before every call
 * All values and partial sums are small integers (or halves), so every
 * correct implementation gives bit-identical results whatever its summation
 * order.
 */
#ifndef SGEMM_COMMON_H
#define SGEMM_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define SGEMM_ALPHA 2.0f
#define SGEMM_BETA  0.5f

struct sgemm_data {
	int64_t m, n, k;
	float *a, *b, *c;
};

static inline void sgemm_data_free(struct sgemm_data *d)
{
	free(d->a);
	free(d->b);
	free(d->c);
	d->a = d->b = d->c = NULL;
}

static inline int sgemm_data_alloc(struct sgemm_data *d, int64_t m, int64_t n,
				   int64_t k)
{
	d->m = m;
	d->n = n;
	d->k = k;
	d->a = malloc((size_t)(m * k) * sizeof(float));
	d->b = malloc((size_t)(k * n) * sizeof(float));
	d->c = malloc((size_t)(m * n) * sizeof(float));
	if (!d->a || !d->b || !d->c) {
		sgemm_data_free(d);
		return -1;
	}
	for (int64_t i = 0; i < m; i++)
		for (int64_t p = 0; p < k; p++)
			d->a[i * k + p] = (float)((i + 2 * p) % 5) - 2.0f;
	for (int64_t p = 0; p < k; p++)
		for (int64_t j = 0; j < n; j++)
			d->b[p * n + j] = (float)((p + 3 * j) % 5) - 2.0f;
	return 0;
}

static inline void sgemm_data_reset_c(struct sgemm_data *d)
{
	for (int64_t i = 0; i < d->m * d->n; i++)
		d->c[i] = 1.0f;
}

static inline void sgemm_data_print(const struct sgemm_data *d)
{
	double sum = 0.0;
	int64_t m = d->m;
	int64_t n = d->n;

	for (int64_t i = 0; i < m * n; i++)
		sum += d->c[i];
	printf("sgemm: m=%lld n=%lld k=%lld\n", (long long)m, (long long)n,
	       (long long)d->k);
	printf("C[0][0] = %.1f\n", (double)d->c[0]);
	if (m > 1 && n > 2)
		printf("C[1][2] = %.1f\n", (double)d->c[1 * n + 2]);
	printf("C[%lld][%lld] = %.1f\n", (long long)(m - 1), (long long)(n - 1),
	       (double)d->c[(m - 1) * n + (n - 1)]);
	printf("checksum: %.1f\n", sum);
}

#endif /* SGEMM_COMMON_H */
