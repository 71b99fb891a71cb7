// SPDX-License-Identifier: Apache-2.0
/*
 * blas: single-precision GEMM on the host CPU through OpenBLAS (CBLAS).
 *
 * Ops: NOOP, BLAS_SGEMM. sgemm computes C = alpha * A * B + beta * C with
 * row-major, non-transposed matrices: A is m x k (leading dimension lda),
 * B is k x n (ldb), C is m x n (ldc).
 *
 * Validation (VACCEL_EINVAL and one error line otherwise):
 *   m, n, k >= 0; lda >= max(1, k); ldb >= max(1, n); ldc >= max(1, n);
 *   every one of them representable as a CBLAS integer (blasint);
 *   a, b, c non-NULL whenever the matrix they hold is non-empty.
 * m == 0 or n == 0 is a successful no-op; k == 0 gives C = beta * C.
 */
#include <vaccel.h>

#include <cblas.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>

#ifndef VACCEL_PLUGIN_VERSION
#define VACCEL_PLUGIN_VERSION "0.0.0"
#endif

/* Largest value a CBLAS integer argument can hold (LP64 or ILP64 build). */
#define BLAS_INT_MAX                                                           \
	(sizeof(blasint) >= sizeof(int64_t) ? INT64_MAX : (int64_t)INT_MAX)

static int64_t max1(int64_t v)
{
	return v > 1 ? v : 1;
}

static int blas_sgemm(struct vaccel_session *sess, int64_t m, int64_t n,
		      int64_t k, float alpha, float *a, int64_t lda, float *b,
		      int64_t ldb, float beta, float *c, int64_t ldc)
{
	vaccel_debug("[blas] session %" PRId64 ": sgemm m %" PRId64
		     " n %" PRId64 " k %" PRId64 " lda %" PRId64 " ldb %" PRId64
		     " ldc %" PRId64,
		     sess ? sess->id : 0, m, n, k, lda, ldb, ldc);

	if (m < 0 || n < 0 || k < 0) {
		vaccel_error("[blas] sgemm: negative dimension (m %" PRId64
			     ", n %" PRId64 ", k %" PRId64 ")",
			     m, n, k);
		return VACCEL_EINVAL;
	}
	if (lda < max1(k) || ldb < max1(n) || ldc < max1(n)) {
		vaccel_error("[blas] sgemm: leading dimension too small "
			     "(lda %" PRId64 " < max(1, k %" PRId64
			     "), ldb %" PRId64 " or ldc %" PRId64
			     " < max(1, n %" PRId64 "))",
			     lda, k, ldb, ldc, n);
		return VACCEL_EINVAL;
	}
	if (m > BLAS_INT_MAX || n > BLAS_INT_MAX || k > BLAS_INT_MAX ||
	    lda > BLAS_INT_MAX || ldb > BLAS_INT_MAX || ldc > BLAS_INT_MAX) {
		vaccel_error("[blas] sgemm: dimension exceeds the BLAS integer "
			     "range (%" PRId64 ")",
			     (int64_t)BLAS_INT_MAX);
		return VACCEL_EINVAL;
	}
	if ((m && k && !a) || (k && n && !b) || (m && n && !c)) {
		vaccel_error("[blas] sgemm: NULL matrix pointer");
		return VACCEL_EINVAL;
	}
	if (!m || !n)
		return VACCEL_OK;

	if (!k) {
		/* C = beta * C (BLAS semantics: beta == 0 clears C). */
		for (int64_t i = 0; i < m; i++)
			for (int64_t j = 0; j < n; j++)
				c[i * ldc + j] =
					beta == 0.0f ? 0.0f
						     : beta * c[i * ldc + j];
		return VACCEL_OK;
	}

	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)m,
		    (blasint)n, (blasint)k, alpha, a, (blasint)lda, b,
		    (blasint)ldb, beta, c, (blasint)ldc);
	return VACCEL_OK;
}

static int blas_noop(struct vaccel_session *sess)
{
	(void)sess;
	return VACCEL_OK;
}

static struct vaccel_op ops[] = {
	VACCEL_OP_INIT(ops[0], VACCEL_OP_NOOP, blas_noop),
	VACCEL_OP_INIT(ops[1], VACCEL_OP_BLAS_SGEMM, blas_sgemm),
};

static int blas_init(void)
{
	return vaccel_plugin_register_ops(ops, sizeof(ops) / sizeof(ops[0]));
}

static int blas_fini(void)
{
	return VACCEL_OK;
}

VACCEL_PLUGIN(.name = "blas", .version = VACCEL_PLUGIN_VERSION,
	      .vaccel_version = VACCEL_VERSION, .type = VACCEL_PLUGIN_CPU,
	      .init = blas_init, .fini = blas_fini);
