// SPDX-License-Identifier: Apache-2.0
/*
 * vaccel_exec() / vaccel_exec_with_resource(): run a function from a shared
 * object through the session's plugin.
 */
#include "../internal.h"
#include <inttypes.h>

typedef int (*exec_fn)(struct vaccel_session *sess, const char *library,
		       const char *fn_symbol, struct vaccel_arg *read,
		       size_t nr_read, struct vaccel_arg *write,
		       size_t nr_write);
typedef int (*exec_with_resource_fn)(struct vaccel_session *sess,
				     struct vaccel_resource *resource,
				     const char *fn_symbol,
				     struct vaccel_arg *read, size_t nr_read,
				     struct vaccel_arg *write, size_t nr_write);

static struct vaccel_prof_region exec_op_stats =
	VACCEL_PROF_REGION_INIT("vaccel_exec_op");
static struct vaccel_prof_region exec_with_resource_op_stats =
	VACCEL_PROF_REGION_INIT("vaccel_exec_with_resource_op");

__attribute__((destructor)) static void exec_prof_fini(void)
{
	vaccel_prof_region_print(&exec_op_stats);
	vaccel_prof_region_print(&exec_with_resource_op_stats);
	vaccel_prof_region_release(&exec_op_stats);
	vaccel_prof_region_release(&exec_with_resource_op_stats);
}

static int check_args(const char *op, struct vaccel_arg *read, size_t nr_read,
		      struct vaccel_arg *write, size_t nr_write)
{
	if (nr_read && !read) {
		vaccel_error("%s: read is NULL but nr_read is %zu", op,
			     nr_read);
		return VACCEL_EINVAL;
	}
	if (nr_write && !write) {
		vaccel_error("%s: write is NULL but nr_write is %zu", op,
			     nr_write);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

VACCEL_API int vaccel_exec(struct vaccel_session *sess, const char *library,
			   const char *fn_symbol, struct vaccel_arg *read,
			   size_t nr_read, struct vaccel_arg *write,
			   size_t nr_write)
{
	if (!sess) {
		vaccel_error("vaccel_exec: session is NULL");
		return VACCEL_EINVAL;
	}
	if (!library || !fn_symbol) {
		vaccel_error("session %" PRId64 ": exec: %s is NULL", sess->id,
			     !library ? "library" : "fn_symbol");
		return VACCEL_EINVAL;
	}
	int ret = check_args("vaccel_exec", read, nr_read, write, nr_write);
	if (ret)
		return ret;

	vaccel_debug("session %" PRId64 ": exec %s:%s (%zu read, %zu write)",
		     sess->id, library, fn_symbol, nr_read, nr_write);

	const bool prof = vaccel_prof_enabled_flag;
	if (prof)
		vaccel_prof_region_start(&exec_op_stats);

	exec_fn fn = (exec_fn)session_op_func(sess, VACCEL_OP_EXEC);
	if (!fn) {
		if (prof)
			vaccel_prof_region_stop(&exec_op_stats);
		return op_unsupported(sess, VACCEL_OP_EXEC);
	}

	ret = fn(sess, library, fn_symbol, read, nr_read, write, nr_write);

	if (prof)
		vaccel_prof_region_stop(&exec_op_stats);
	return ret;
}

VACCEL_API int vaccel_exec_with_resource(
	struct vaccel_session *sess, struct vaccel_resource *resource,
	const char *fn_symbol, struct vaccel_arg *read, size_t nr_read,
	struct vaccel_arg *write, size_t nr_write)
{
	if (!sess) {
		vaccel_error("vaccel_exec_with_resource: session is NULL");
		return VACCEL_EINVAL;
	}
	if (!resource || !fn_symbol) {
		vaccel_error("session %" PRId64
			     ": exec_with_resource: %s is NULL",
			     sess->id, !resource ? "resource" : "fn_symbol");
		return VACCEL_EINVAL;
	}
	int ret = check_args("vaccel_exec_with_resource", read, nr_read, write,
			     nr_write);
	if (ret)
		return ret;

	vaccel_debug("session %" PRId64 ": exec_with_resource resource %" PRId64
		     " symbol %s (%zu read, %zu write)",
		     sess->id, resource->id, fn_symbol, nr_read, nr_write);

	if (resource->type != VACCEL_RESOURCE_LIB) {
		vaccel_error("session %" PRId64
			     ": exec_with_resource: resource %" PRId64
			     " is %s, not VACCEL_RESOURCE_LIB",
			     sess->id, resource->id,
			     vaccel_resource_type_to_str(resource->type));
		return VACCEL_EINVAL;
	}
	if (!vaccel_session_has_resource(sess, resource)) {
		vaccel_error("session %" PRId64
			     ": exec_with_resource: resource %" PRId64
			     " is not registered with the session",
			     sess->id, resource->id);
		return VACCEL_EPERM;
	}

	const bool prof = vaccel_prof_enabled_flag;
	if (prof)
		vaccel_prof_region_start(&exec_with_resource_op_stats);

	exec_with_resource_fn fn = (exec_with_resource_fn)session_op_func(
		sess, VACCEL_OP_EXEC_WITH_RESOURCE);
	if (!fn) {
		if (prof)
			vaccel_prof_region_stop(&exec_with_resource_op_stats);
		return op_unsupported(sess, VACCEL_OP_EXEC_WITH_RESOURCE);
	}

	ret = fn(sess, resource, fn_symbol, read, nr_read, write, nr_write);

	if (prof)
		vaccel_prof_region_stop(&exec_with_resource_op_stats);
	return ret;
}
