// SPDX-License-Identifier: Apache-2.0
#ifndef VACCEL_CONFIG_H
#define VACCEL_CONFIG_H

#include "api.h"
#include "log.h"
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vaccel_config {
	char *plugins; /* colon-separated plugin file names or paths */
	vaccel_log_level_t log_level;
	char *log_file;
	bool profiling_enabled;
	bool version_ignore;
};

VACCEL_API int vaccel_config_init(struct vaccel_config *config,
				  const char *plugins,
				  vaccel_log_level_t log_level,
				  const char *log_file, bool profiling_enabled,
				  bool version_ignore);
VACCEL_API int vaccel_config_init_from_env(struct vaccel_config *config);
VACCEL_API int vaccel_config_init_from(struct vaccel_config *config,
				       struct vaccel_config *config_src);
VACCEL_API int vaccel_config_new(struct vaccel_config **config,
				 const char *plugins,
				 vaccel_log_level_t log_level,
				 const char *log_file, bool profiling_enabled,
				 bool version_ignore);
VACCEL_API int vaccel_config_from_env(struct vaccel_config **config);
VACCEL_API int vaccel_config_from(struct vaccel_config **config,
				  struct vaccel_config *config_src);
VACCEL_API int vaccel_config_release(struct vaccel_config *config);
VACCEL_API int vaccel_config_delete(struct vaccel_config *config);
VACCEL_API void vaccel_config_print_debug(struct vaccel_config *config);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_CONFIG_H */
