// SPDX-License-Identifier: Apache-2.0
/*
 * FPGA operations [deprecated]. Lengths are element counts.
 */
#include "../internal.h"
#include <inttypes.h>

typedef int (*fpga_arraycopy_fn)(struct vaccel_session *sess, int a[],
				 int out_a[], size_t len_a);
typedef int (*fpga_mmult_fn)(struct vaccel_session *sess, float a[], float b[],
			     float c[], size_t len_a);
typedef int (*fpga_parallel_fn)(struct vaccel_session *sess, float a[],
				float b[], float add_output[],
				float mult_output[], size_t len_a);
typedef int (*fpga_vadd_fn)(struct vaccel_session *sess, float a[], float b[],
			    float c[], size_t len_a, size_t len_b);

static struct vaccel_prof_region fpga_arraycopy_op_stats =
	VACCEL_PROF_REGION_INIT("vaccel_fpga_arraycopy_op");
static struct vaccel_prof_region fpga_mmult_op_stats =
	VACCEL_PROF_REGION_INIT("vaccel_fpga_mmult_op");
static struct vaccel_prof_region fpga_parallel_op_stats =
	VACCEL_PROF_REGION_INIT("vaccel_fpga_parallel_op");
static struct vaccel_prof_region fpga_vadd_op_stats =
	VACCEL_PROF_REGION_INIT("vaccel_fpga_vadd_op");

__attribute__((destructor)) static void fpga_prof_fini(void)
{
	struct vaccel_prof_region *regions[] = {
		&fpga_arraycopy_op_stats,
		&fpga_mmult_op_stats,
		&fpga_parallel_op_stats,
		&fpga_vadd_op_stats,
	};

	for (size_t i = 0; i < ARRAY_SIZE(regions); i++) {
		vaccel_prof_region_print(regions[i]);
		vaccel_prof_region_release(regions[i]);
	}
}

VACCEL_API int vaccel_fpga_arraycopy(struct vaccel_session *sess, int a[],
				     int out_a[], size_t len_a)
{
	if (!sess) {
		vaccel_error("vaccel_fpga_arraycopy: session is NULL");
		return VACCEL_EINVAL;
	}

	vaccel_debug("session %" PRId64 ": fpga_arraycopy len_a=%zu", sess->id,
		     len_a);

	const bool prof = vaccel_prof_enabled_flag;
	if (prof)
		vaccel_prof_region_start(&fpga_arraycopy_op_stats);

	fpga_arraycopy_fn fn = (fpga_arraycopy_fn)session_op_func(
		sess, VACCEL_OP_FPGA_ARRAYCOPY);
	if (!fn) {
		if (prof)
			vaccel_prof_region_stop(&fpga_arraycopy_op_stats);
		return op_unsupported(sess, VACCEL_OP_FPGA_ARRAYCOPY);
	}

	int ret = fn(sess, a, out_a, len_a);

	if (prof)
		vaccel_prof_region_stop(&fpga_arraycopy_op_stats);
	return ret;
}

VACCEL_API int vaccel_fpga_mmult(struct vaccel_session *sess, float a[],
				 float b[], float c[], size_t len_a)
{
	if (!sess) {
		vaccel_error("vaccel_fpga_mmult: session is NULL");
		return VACCEL_EINVAL;
	}

	vaccel_debug("session %" PRId64 ": fpga_mmult len_a=%zu", sess->id,
		     len_a);

	const bool prof = vaccel_prof_enabled_flag;
	if (prof)
		vaccel_prof_region_start(&fpga_mmult_op_stats);

	fpga_mmult_fn fn =
		(fpga_mmult_fn)session_op_func(sess, VACCEL_OP_FPGA_MMULT);
	if (!fn) {
		if (prof)
			vaccel_prof_region_stop(&fpga_mmult_op_stats);
		return op_unsupported(sess, VACCEL_OP_FPGA_MMULT);
	}

	int ret = fn(sess, a, b, c, len_a);

	if (prof)
		vaccel_prof_region_stop(&fpga_mmult_op_stats);
	return ret;
}

VACCEL_API int vaccel_fpga_parallel(struct vaccel_session *sess, float a[],
				    float b[], float add_output[],
				    float mult_output[], size_t len_a)
{
	if (!sess) {
		vaccel_error("vaccel_fpga_parallel: session is NULL");
		return VACCEL_EINVAL;
	}

	vaccel_debug("session %" PRId64 ": fpga_parallel len_a=%zu", sess->id,
		     len_a);

	const bool prof = vaccel_prof_enabled_flag;
	if (prof)
		vaccel_prof_region_start(&fpga_parallel_op_stats);

	fpga_parallel_fn fn = (fpga_parallel_fn)session_op_func(
		sess, VACCEL_OP_FPGA_PARALLEL);
	if (!fn) {
		if (prof)
			vaccel_prof_region_stop(&fpga_parallel_op_stats);
		return op_unsupported(sess, VACCEL_OP_FPGA_PARALLEL);
	}

	int ret = fn(sess, a, b, add_output, mult_output, len_a);

	if (prof)
		vaccel_prof_region_stop(&fpga_parallel_op_stats);
	return ret;
}

VACCEL_API int vaccel_fpga_vadd(struct vaccel_session *sess, float a[],
				float b[], float c[], size_t len_a,
				size_t len_b)
{
	if (!sess) {
		vaccel_error("vaccel_fpga_vadd: session is NULL");
		return VACCEL_EINVAL;
	}

	vaccel_debug("session %" PRId64 ": fpga_vectoradd len_a=%zu len_b=%zu",
		     sess->id, len_a, len_b);

	const bool prof = vaccel_prof_enabled_flag;
	if (prof)
		vaccel_prof_region_start(&fpga_vadd_op_stats);

	fpga_vadd_fn fn =
		(fpga_vadd_fn)session_op_func(sess, VACCEL_OP_FPGA_VECTORADD);
	if (!fn) {
		if (prof)
			vaccel_prof_region_stop(&fpga_vadd_op_stats);
		return op_unsupported(sess, VACCEL_OP_FPGA_VECTORADD);
	}

	int ret = fn(sess, a, b, c, len_a, len_b);

	if (prof)
		vaccel_prof_region_stop(&fpga_vadd_op_stats);
	return ret;
}
