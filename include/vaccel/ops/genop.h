// SPDX-License-Identifier: Apache-2.0
#ifndef VACCEL_OPS_GENOP_H
#define VACCEL_OPS_GENOP_H

#include "../api.h"
#include "../arg.h"
#include "../session.h"

#ifdef __cplusplus
extern "C" {
#endif

/* read[0] is a UINT8 arg holding the vaccel_op_type_t; the rest are decoded
 * per op and the typed call is made. */
VACCEL_API int vaccel_genop(struct vaccel_session *sess, struct vaccel_arg *read,
			    int nr_read, struct vaccel_arg *write, int nr_write);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_OPS_GENOP_H */
