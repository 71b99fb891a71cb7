// SPDX-License-Identifier: Apache-2.0
/*
 * Logging. Messages below the configured level (VACCEL_LOG_LEVEL) are dropped
 * cheaply. Output goes to stdout, or to VACCEL_LOG_FILE when set.
 * Line shape: "YYYY.MM.DD-HH:MM:SS.cc - <level> <message>".
 */
#ifndef VACCEL_LOG_H
#define VACCEL_LOG_H

#include "api.h"
#include "utils/enum.h"
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VACCEL_LOG_LEVEL_ENUM_LIST(VACCEL_ENUM_ITEM)                           \
	VACCEL_ENUM_ITEM(ERROR, 1, VACCEL_LOG)                                 \
	VACCEL_ENUM_ITEM(WARN, VACCEL_LOG)                                     \
	VACCEL_ENUM_ITEM(INFO, VACCEL_LOG)                                     \
	VACCEL_ENUM_ITEM(DEBUG, VACCEL_LOG)

VACCEL_ENUM_DEF_WITH_STR_FUNCS(vaccel_log_level, VACCEL_LOG,
			       VACCEL_LOG_LEVEL_ENUM_LIST)

VACCEL_API int vaccel_log_init(void);
VACCEL_API int vaccel_log_shutdown(void);

/* True when messages of this level are printed. */
VACCEL_API bool vaccel_log_enabled(vaccel_log_level_t level);

/*
 * The format is checked like printf's (-Wformat), which upstream vAccel does
 * not do: code whose arguments do not match its format strings fails to build
 * with -Werror. Define VACCEL_LOG_NO_FORMAT_CHECK before including <vaccel.h>
 * (or pass -DVACCEL_LOG_NO_FORMAT_CHECK) to build such code unchanged.
 */
#ifdef VACCEL_LOG_NO_FORMAT_CHECK
#define VACCEL_LOG_FORMAT_CHECK_
#else
#define VACCEL_LOG_FORMAT_CHECK_ __attribute__((format(printf, 2, 3)))
#endif

/* printf-style; the library appends the newline. */
VACCEL_API void vaccel_log_message(vaccel_log_level_t level, const char *fmt, ...)
	VACCEL_LOG_FORMAT_CHECK_;

#define vaccel_fatal(...) vaccel_log_message(VACCEL_LOG_ERROR, __VA_ARGS__)
#define vaccel_error(...) vaccel_log_message(VACCEL_LOG_ERROR, __VA_ARGS__)
#define vaccel_warn(...) vaccel_log_message(VACCEL_LOG_WARN, __VA_ARGS__)
#define vaccel_info(...) vaccel_log_message(VACCEL_LOG_INFO, __VA_ARGS__)
#define vaccel_debug(...) vaccel_log_message(VACCEL_LOG_DEBUG, __VA_ARGS__)
#define vaccel_trace(...) vaccel_log_message(VACCEL_LOG_DEBUG, __VA_ARGS__)

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_LOG_H */
