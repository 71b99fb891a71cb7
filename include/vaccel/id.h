// SPDX-License-Identifier: Apache-2.0
#ifndef VACCEL_ID_H
#define VACCEL_ID_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Object ids are > 0; 0 means "no id". */
typedef int64_t vaccel_id_t;

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_ID_H */
