// SPDX-License-Identifier: Apache-2.0
/*
 * OpenCV pass-through: both arg arrays are forwarded unchanged to the plugin's
 * OPENCV function (read[0] is a sub-function id by convention).
 */
#include "../internal.h"
#include <inttypes.h>

/* Exported for upstream compatibility, but not declared in a public header. */
VACCEL_API int vaccel_opencv(struct vaccel_session *sess,
			     struct vaccel_arg *read, int nr_read,
			     struct vaccel_arg *write, int nr_write);

typedef int (*opencv_fn)(struct vaccel_session *sess, struct vaccel_arg *read,
			 int nr_read, struct vaccel_arg *write, int nr_write);

static struct vaccel_prof_region opencv_op_stats =
	VACCEL_PROF_REGION_INIT("vaccel_opencv_op");

__attribute__((destructor)) static void opencv_prof_fini(void)
{
	vaccel_prof_region_print(&opencv_op_stats);
	vaccel_prof_region_release(&opencv_op_stats);
}

static int opencv_call(const char *caller, struct vaccel_session *sess,
		       struct vaccel_arg *read, int nr_read,
		       struct vaccel_arg *write, int nr_write)
{
	if (!sess) {
		vaccel_error("%s: session is NULL", caller);
		return VACCEL_EINVAL;
	}
	if (nr_read < 0 || nr_write < 0) {
		vaccel_error("session %" PRId64
			     ": opencv: negative arg count (nr_read=%d, "
			     "nr_write=%d)",
			     sess->id, nr_read, nr_write);
		return VACCEL_EINVAL;
	}
	if ((nr_read > 0 && !read) || (nr_write > 0 && !write)) {
		vaccel_error("session %" PRId64 ": opencv: %s is NULL but its "
			     "count is %d",
			     sess->id, nr_read > 0 && !read ? "read" : "write",
			     nr_read > 0 && !read ? nr_read : nr_write);
		return VACCEL_EINVAL;
	}

	vaccel_debug("session %" PRId64 ": opencv (%d read, %d write)",
		     sess->id, nr_read, nr_write);

	const bool prof = vaccel_prof_enabled_flag;
	if (prof)
		vaccel_prof_region_start(&opencv_op_stats);

	opencv_fn fn = (opencv_fn)session_op_func(sess, VACCEL_OP_OPENCV);
	if (!fn) {
		if (prof)
			vaccel_prof_region_stop(&opencv_op_stats);
		return op_unsupported(sess, VACCEL_OP_OPENCV);
	}

	int ret = fn(sess, read, nr_read, write, nr_write);

	if (prof)
		vaccel_prof_region_stop(&opencv_op_stats);
	return ret;
}

VACCEL_API int vaccel_opencv_unpack(struct vaccel_session *sess,
				    struct vaccel_arg *read, int nr_read,
				    struct vaccel_arg *write, int nr_write)
{
	return opencv_call(__func__, sess, read, nr_read, write, nr_write);
}

VACCEL_API int vaccel_opencv(struct vaccel_session *sess,
			     struct vaccel_arg *read, int nr_read,
			     struct vaccel_arg *write, int nr_write)
{
	return opencv_call(__func__, sess, read, nr_read, write, nr_write);
}
