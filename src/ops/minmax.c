// SPDX-License-Identifier: Apache-2.0
/*
 * vaccel_minmax() [deprecated]: thresholded min/max of a double array.
 */
#include "../internal.h"
#include <inttypes.h>

typedef int (*minmax_fn)(struct vaccel_session *sess, const double *indata,
			 int ndata, int low_threshold, int high_threshold,
			 double *outdata, double *min, double *max);

static struct vaccel_prof_region minmax_op_stats =
	VACCEL_PROF_REGION_INIT("vaccel_minmax_op");

__attribute__((destructor)) static void minmax_prof_fini(void)
{
	vaccel_prof_region_print(&minmax_op_stats);
	vaccel_prof_region_release(&minmax_op_stats);
}

VACCEL_API int vaccel_minmax(struct vaccel_session *sess, const double *indata,
			     int ndata, int low_threshold, int high_threshold,
			     double *outdata, double *min, double *max)
{
	if (!sess) {
		vaccel_error("vaccel_minmax: session is NULL");
		return VACCEL_EINVAL;
	}

	vaccel_debug("session %" PRId64 ": minmax ndata=%d low=%d high=%d",
		     sess->id, ndata, low_threshold, high_threshold);

	const bool prof = vaccel_prof_enabled_flag;
	if (prof)
		vaccel_prof_region_start(&minmax_op_stats);

	minmax_fn fn = (minmax_fn)session_op_func(sess, VACCEL_OP_MINMAX);
	if (!fn) {
		if (prof)
			vaccel_prof_region_stop(&minmax_op_stats);
		return op_unsupported(sess, VACCEL_OP_MINMAX);
	}

	int ret = fn(sess, indata, ndata, low_threshold, high_threshold,
		     outdata, min, max);

	if (prof)
		vaccel_prof_region_stop(&minmax_op_stats);
	return ret;
}
