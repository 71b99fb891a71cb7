// SPDX-License-Identifier: Apache-2.0
/* Upstream-style program: 512x512x512 sgemm, C = A * B. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <vaccel.h>

#define M 512
#define N 512
#define K 512

static float A[M * K];
static float B[K * N];
static float C[M * N];

int main(void)
{
	struct vaccel_session sess;
	float alpha = 1.0;
	float beta = 0.0;
	double sum = 0.0;
	int ret;

	for (int i = 0; i < M * K; i++)
		A[i] = (float)(i % 3);
	for (int i = 0; i < K * N; i++)
		B[i] = (float)(i % 2);

	ret = vaccel_session_init(&sess, 0);
	if (ret != VACCEL_OK) {
		fprintf(stderr, "Could not initialize session\n");
		return 1;
	}
	printf("Initialized session with id: %" PRId64 "\n", sess.id);

	ret = vaccel_sgemm(&sess, M, N, K, alpha, (float *)A, K, (float *)B, N,
			   beta, (float *)C, N);
	if (ret) {
		fprintf(stderr, "Could not run op: %d\n", ret);
		goto close_session;
	}

	for (int i = 0; i < M * N; i++)
		sum += C[i];
	printf("C[0] = %.1f C[%d] = %.1f sum = %.1f\n", (double)C[0], M * N - 1,
	       (double)C[M * N - 1], sum);

close_session:
	if (vaccel_session_release(&sess) != VACCEL_OK) {
		fprintf(stderr, "Could not release session\n");
		return 1;
	}
	return ret;
}
