// SPDX-License-Identifier: Apache-2.0
#ifndef VACCEL_UTILS_PATH_H
#define VACCEL_UTILS_PATH_H

#include "enum.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VACCEL_PATH_TYPE_ENUM_LIST(VACCEL_ENUM_ITEM)                           \
	VACCEL_ENUM_ITEM(LOCAL_FILE, 0, VACCEL_PATH)                           \
	VACCEL_ENUM_ITEM(LOCAL_DIR, VACCEL_PATH)                               \
	VACCEL_ENUM_ITEM(REMOTE_FILE, VACCEL_PATH)

VACCEL_ENUM_DEF_WITH_STR_FUNCS(vaccel_path_type, VACCEL_PATH,
			       VACCEL_PATH_TYPE_ENUM_LIST)

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_UTILS_PATH_H */
