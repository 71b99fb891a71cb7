// SPDX-License-Identifier: Apache-2.0
/*
 * vaccel_noop(): the cheapest possible round trip through the plugin of a
 * session. Benchmarked: no allocation, logging only through the level-checked
 * macros, profiling only when enabled.
 */
#include "../internal.h"
#include <inttypes.h>

typedef int (*noop_fn)(struct vaccel_session *sess);

static struct vaccel_prof_region noop_op_stats =
	VACCEL_PROF_REGION_INIT("vaccel_noop_op");

__attribute__((destructor)) static void noop_prof_fini(void)
{
	vaccel_prof_region_print(&noop_op_stats);
	vaccel_prof_region_release(&noop_op_stats);
}

VACCEL_API int vaccel_noop(struct vaccel_session *sess)
{
	if (!sess) {
		vaccel_error("vaccel_noop: session is NULL");
		return VACCEL_EINVAL;
	}

	vaccel_debug("session %" PRId64 ": noop", sess->id);

	const bool prof = vaccel_prof_enabled_flag;
	if (prof)
		vaccel_prof_region_start(&noop_op_stats);

	noop_fn fn = (noop_fn)session_op_func(sess, VACCEL_OP_NOOP);
	if (__builtin_expect(!fn, 0)) {
		if (prof)
			vaccel_prof_region_stop(&noop_op_stats);
		return op_unsupported(sess, VACCEL_OP_NOOP);
	}

	int ret = fn(sess);

	if (prof)
		vaccel_prof_region_stop(&noop_op_stats);
	return ret;
}
