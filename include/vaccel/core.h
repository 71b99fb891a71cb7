// SPDX-License-Identifier: Apache-2.0
#ifndef VACCEL_CORE_H
#define VACCEL_CORE_H

#include "api.h"
#include "config.h"
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Initialise the runtime from the environment (VACCEL_PLUGINS, …) or from a
 * config. When already initialised, the runtime is cleaned up first. On
 * failure everything done so far is rolled back and the error returned.
 */
VACCEL_API int vaccel_bootstrap(void);
VACCEL_API int vaccel_bootstrap_with_config(struct vaccel_config *config);
VACCEL_API int vaccel_cleanup(void);
VACCEL_API bool vaccel_is_initialized(void);
VACCEL_API const char *vaccel_rundir(void);
VACCEL_API const struct vaccel_config *vaccel_config(void);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_CORE_H */
