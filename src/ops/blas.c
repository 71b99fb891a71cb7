// SPDX-License-Identifier: Apache-2.0
/*
 * vaccel_sgemm(): C = alpha * A * B + beta * C through the session's plugin.
 */
#include "../internal.h"
#include <inttypes.h>

typedef int (*sgemm_fn)(struct vaccel_session *sess, int64_t m, int64_t n,
			int64_t k, float alpha, float *a, int64_t lda, float *b,
			int64_t ldb, float beta, float *c, int64_t ldc);

static struct vaccel_prof_region blas_op_stats =
	VACCEL_PROF_REGION_INIT("vaccel_blas_op");

__attribute__((destructor)) static void blas_prof_fini(void)
{
	vaccel_prof_region_print(&blas_op_stats);
	vaccel_prof_region_release(&blas_op_stats);
}

VACCEL_API int vaccel_sgemm(struct vaccel_session *sess, int64_t m, int64_t n,
			    int64_t k, float alpha, float *a, int64_t lda,
			    float *b, int64_t ldb, float beta, float *c,
			    int64_t ldc)
{
	if (!sess) {
		vaccel_error("vaccel_sgemm: session is NULL");
		return VACCEL_EINVAL;
	}

	vaccel_debug("session %" PRId64 ": sgemm m=%" PRId64 " n=%" PRId64
		     " k=%" PRId64 " lda=%" PRId64 " ldb=%" PRId64
		     " ldc=%" PRId64,
		     sess->id, m, n, k, lda, ldb, ldc);

	const bool prof = vaccel_prof_enabled_flag;
	if (prof)
		vaccel_prof_region_start(&blas_op_stats);

	sgemm_fn fn = (sgemm_fn)session_op_func(sess, VACCEL_OP_BLAS_SGEMM);
	if (!fn) {
		if (prof)
			vaccel_prof_region_stop(&blas_op_stats);
		return op_unsupported(sess, VACCEL_OP_BLAS_SGEMM);
	}

	int ret = fn(sess, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

	if (prof)
		vaccel_prof_region_stop(&blas_op_stats);
	return ret;
}
