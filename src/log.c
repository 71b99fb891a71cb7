// SPDX-License-Identifier: Apache-2.0
/*
 * Logging: one line per message, "YYYY.MM.DD-HH:MM:SS.cc - <level> message",
 * to stdout or to the configured log file. The level check is a single load
 * so disabled messages cost almost nothing on hot paths.
 */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static vaccel_log_level_t log_level = VACCEL_LOG_ERROR;
static FILE *log_fp; /* NULL: stdout */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *level_tag(vaccel_log_level_t level)
{
	switch (level) {
	case VACCEL_LOG_ERROR:
		return "<error>";
	case VACCEL_LOG_WARN:
		return "<warn>";
	case VACCEL_LOG_INFO:
		return "<info>";
	case VACCEL_LOG_DEBUG:
		return "<debug>";
	default:
		return "<log>";
	}
}

bool vaccel_log_enabled(vaccel_log_level_t level)
{
	return level <= log_level;
}

void vaccel_log_message(vaccel_log_level_t level, const char *fmt, ...)
{
	if (level > log_level)
		return;

	struct timespec ts;
	struct tm tm;
	char stamp[32];
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(stamp, sizeof(stamp), "%Y.%m.%d-%H:%M:%S", &tm);
	snprintf(stamp + n, sizeof(stamp) - n, ".%02ld",
		 ts.tv_nsec / 10000000L);

	pthread_mutex_lock(&log_lock);
	FILE *fp = log_fp ? log_fp : stdout;
	va_list ap;
	va_start(ap, fmt);
	fprintf(fp, "%s - %s ", stamp, level_tag(level));
	vfprintf(fp, fmt, ap);
	fputc('\n', fp);
	fflush(fp);
	va_end(ap);
	pthread_mutex_unlock(&log_lock);
}

static void log_close_file(void)
{
	if (log_fp && log_fp != stdout && log_fp != stderr)
		fclose(log_fp);
	log_fp = NULL;
}

void log_apply_config(const struct vaccel_config *config)
{
	pthread_mutex_lock(&log_lock);
	log_close_file();
	if (config) {
		if (config->log_level >= VACCEL_LOG_ERROR &&
		    config->log_level < VACCEL_LOG_MAX)
			log_level = config->log_level;
		if (config->log_file && config->log_file[0] != '\0') {
			if (strcmp(config->log_file, "/dev/stdout") == 0) {
				log_fp = NULL;
			} else if (strcmp(config->log_file, "/dev/stderr") ==
				   0) {
				log_fp = stderr;
			} else {
				log_fp = fopen(config->log_file, "ae");
				if (!log_fp)
					fprintf(stderr,
						"vaccel: cannot open log file "
						"%s: %s; logging to stdout\n",
						config->log_file,
						strerror(errno));
			}
		}
	}
	pthread_mutex_unlock(&log_lock);
}

int vaccel_log_init(void)
{
	log_apply_config(config_active());
	return VACCEL_OK;
}

int vaccel_log_shutdown(void)
{
	pthread_mutex_lock(&log_lock);
	log_close_file();
	pthread_mutex_unlock(&log_lock);
	return VACCEL_OK;
}
