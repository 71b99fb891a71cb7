// SPDX-License-Identifier: Apache-2.0
#ifndef VACCEL_UTILS_PATH_H
#define VACCEL_UTILS_PATH_H

#include "enum.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VACCEL_PATH_TYPE_ENUM_LIST(X, p)                                       \
	X(p, LOCAL_FILE, 0) X(p, LOCAL_DIR) X(p, REMOTE_FILE)

VACCEL_ENUM_DEF_WITH_STR_FUNCS(vaccel_path_type, VACCEL_PATH,
			       VACCEL_PATH_TYPE_ENUM_LIST)

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_UTILS_PATH_H */
