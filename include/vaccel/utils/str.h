// SPDX-License-Identifier: Apache-2.0
#ifndef VACCEL_UTILS_STR_H
#define VACCEL_UTILS_STR_H

#include "../api.h"
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Lower-case a string into `lower` (of `size` bytes; VACCEL_ENAMETOOLONG if it
 * does not fit) or, when `lower` is NULL, into a new allocation returned in
 * `*alloc_lower` (caller frees).
 */
VACCEL_API int vaccel_str_to_lower(const char *str, char *lower, size_t size,
				   char **alloc_lower);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_UTILS_STR_H */
