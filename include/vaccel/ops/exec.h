// SPDX-License-Identifier: Apache-2.0
#ifndef VACCEL_OPS_EXEC_H
#define VACCEL_OPS_EXEC_H

#include "../api.h"
#include "../arg.h"
#include "../resource.h"
#include "../session.h"
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Load `library` and call `fn_symbol`, which must have the shape
 *   int fn(struct vaccel_arg *read, size_t nr_read,
 *          struct vaccel_arg *write, size_t nr_write);
 * and return 0 on success.
 */
VACCEL_API int vaccel_exec(struct vaccel_session *sess, const char *library,
			   const char *fn_symbol, struct vaccel_arg *read,
			   size_t nr_read, struct vaccel_arg *write,
			   size_t nr_write);
/* Like vaccel_exec() with a LIB resource registered with `sess`: its last
 * blob is the main library, earlier blobs are dependencies. */
VACCEL_API int vaccel_exec_with_resource(struct vaccel_session *sess,
					 struct vaccel_resource *resource,
					 const char *fn_symbol,
					 struct vaccel_arg *read, size_t nr_read,
					 struct vaccel_arg *write,
					 size_t nr_write);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_OPS_EXEC_H */
