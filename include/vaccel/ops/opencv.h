// SPDX-License-Identifier: Apache-2.0
#ifndef VACCEL_OPS_OPENCV_H
#define VACCEL_OPS_OPENCV_H

#include "../api.h"
#include "../arg.h"
#include "../session.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Forwards both arrays unchanged to the plugin's OPENCV function. */
VACCEL_API int vaccel_opencv_unpack(struct vaccel_session *sess,
				    struct vaccel_arg *read, int nr_read,
				    struct vaccel_arg *write, int nr_write);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_OPS_OPENCV_H */
