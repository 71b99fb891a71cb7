// SPDX-License-Identifier: Apache-2.0
/*
 * Runtime configuration, from arguments or the environment:
 *   VACCEL_PLUGINS (VACCEL_BACKENDS)          colon-separated plugins
 *   VACCEL_LOG_LEVEL (VACCEL_DEBUG_LEVEL)     1 error .. 4 debug
 *   VACCEL_LOG_FILE                           log file (default stdout)
 *   VACCEL_PROFILING_ENABLED (VACCEL_PROF_ENABLED)
 *   VACCEL_VERSION_IGNORE (VACCEL_IGNORE_VERSION)
 * A deprecated name is honoured only when the new one is unset, with a
 * warning on stderr. Invalid values are reported and the default is kept.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int dup_or_null(char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return VACCEL_OK;
	*dst = strdup(src);
	return *dst ? VACCEL_OK : VACCEL_ENOMEM;
}

int vaccel_config_init(struct vaccel_config *config, const char *plugins,
		       vaccel_log_level_t log_level, const char *log_file,
		       bool profiling_enabled, bool version_ignore)
{
	if (!config) {
		vaccel_error("vaccel_config_init: config is NULL");
		return VACCEL_EINVAL;
	}
	if (log_level < VACCEL_LOG_ERROR || log_level >= VACCEL_LOG_MAX) {
		vaccel_error("vaccel_config_init: invalid log level %d "
			     "(expected 1..4)",
			     (int)log_level);
		return VACCEL_EINVAL;
	}
	char *p, *f;
	if (dup_or_null(&p, plugins) != VACCEL_OK)
		return VACCEL_ENOMEM;
	if (dup_or_null(&f, log_file) != VACCEL_OK) {
		free(p);
		return VACCEL_ENOMEM;
	}
	config->plugins = p;
	config->log_level = log_level;
	config->log_file = f;
	config->profiling_enabled = profiling_enabled;
	config->version_ignore = version_ignore;
	return VACCEL_OK;
}

/* The value of `name`, or of its deprecated alias (with a warning). */
static const char *env_get(const char *name, const char *alias)
{
	const char *v = getenv(name);
	if (v || !alias)
		return v;
	v = getenv(alias);
	if (v)
		fprintf(stderr, "Warning: %s is deprecated. Use %s instead.\n",
			alias, name);
	return v;
}

/* Booleans: 0/1 (any decimal number: non-zero = true), true/false,
 * yes/no, on/off. Returns false for anything else. */
static bool parse_bool(const char *name, const char *v, bool *out)
{
	if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") ||
	    !strcasecmp(v, "on")) {
		*out = true;
		return true;
	}
	if (!strcasecmp(v, "false") || !strcasecmp(v, "no") ||
	    !strcasecmp(v, "off")) {
		*out = false;
		return true;
	}
	char *end;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (errno == 0 && end != v && *end == '\0') {
		*out = n != 0;
		return true;
	}
	fprintf(stderr,
		"Warning: ignoring %s=\"%s\": expected 0/1/true/false\n",
		name, v);
	return false;
}

int vaccel_config_init_from_env(struct vaccel_config *config)
{
	if (!config) {
		vaccel_error("vaccel_config_init_from_env: config is NULL");
		return VACCEL_EINVAL;
	}
	const char *plugins = env_get("VACCEL_PLUGINS", "VACCEL_BACKENDS");
	const char *log_file = env_get("VACCEL_LOG_FILE", NULL);
	vaccel_log_level_t level = VACCEL_LOG_ERROR;
	bool prof = false, vign = false;

	const char *v = env_get("VACCEL_LOG_LEVEL", "VACCEL_DEBUG_LEVEL");
	if (v) {
		char *end;
		errno = 0;
		unsigned long n = strtoul(v, &end, 10);
		if (errno || end == v || *end != '\0' || n < VACCEL_LOG_ERROR ||
		    n >= VACCEL_LOG_MAX)
			fprintf(stderr,
				"Warning: ignoring VACCEL_LOG_LEVEL=\"%s\": "
				"expected 1 (error) to 4 (debug)\n",
				v);
		else
			level = (vaccel_log_level_t)n;
	}
	v = env_get("VACCEL_PROFILING_ENABLED", "VACCEL_PROF_ENABLED");
	if (v)
		parse_bool("VACCEL_PROFILING_ENABLED", v, &prof);
	v = env_get("VACCEL_VERSION_IGNORE", "VACCEL_IGNORE_VERSION");
	if (v)
		parse_bool("VACCEL_VERSION_IGNORE", v, &vign);

	return vaccel_config_init(config, plugins, level, log_file, prof,
				  vign);
}

int vaccel_config_init_from(struct vaccel_config *config,
			    struct vaccel_config *config_src)
{
	if (!config || !config_src) {
		vaccel_error("vaccel_config_init_from: NULL config");
		return VACCEL_EINVAL;
	}
	return vaccel_config_init(config, config_src->plugins,
				  config_src->log_level, config_src->log_file,
				  config_src->profiling_enabled,
				  config_src->version_ignore);
}

int vaccel_config_new(struct vaccel_config **config, const char *plugins,
		      vaccel_log_level_t log_level, const char *log_file,
		      bool profiling_enabled, bool version_ignore)
{
	if (!config) {
		vaccel_error("vaccel_config_new: config is NULL");
		return VACCEL_EINVAL;
	}
	struct vaccel_config *c = calloc(1, sizeof(*c));
	if (!c)
		return VACCEL_ENOMEM;
	int ret = vaccel_config_init(c, plugins, log_level, log_file,
				     profiling_enabled, version_ignore);
	if (ret) {
		free(c);
		return ret;
	}
	*config = c;
	return VACCEL_OK;
}

int vaccel_config_from_env(struct vaccel_config **config)
{
	if (!config) {
		vaccel_error("vaccel_config_from_env: config is NULL");
		return VACCEL_EINVAL;
	}
	struct vaccel_config *c = calloc(1, sizeof(*c));
	if (!c)
		return VACCEL_ENOMEM;
	int ret = vaccel_config_init_from_env(c);
	if (ret) {
		free(c);
		return ret;
	}
	*config = c;
	return VACCEL_OK;
}

int vaccel_config_from(struct vaccel_config **config,
		       struct vaccel_config *config_src)
{
	if (!config || !config_src) {
		vaccel_error("vaccel_config_from: NULL config");
		return VACCEL_EINVAL;
	}
	return vaccel_config_new(config, config_src->plugins,
				 config_src->log_level, config_src->log_file,
				 config_src->profiling_enabled,
				 config_src->version_ignore);
}

int vaccel_config_release(struct vaccel_config *config)
{
	if (!config) {
		vaccel_error("vaccel_config_release: config is NULL");
		return VACCEL_EINVAL;
	}
	free(config->plugins);
	free(config->log_file);
	config->plugins = NULL;
	config->log_file = NULL;
	config->log_level = VACCEL_LOG_ERROR;
	config->profiling_enabled = false;
	config->version_ignore = false;
	return VACCEL_OK;
}

int vaccel_config_delete(struct vaccel_config *config)
{
	int ret = vaccel_config_release(config);
	if (ret)
		return ret;
	free(config);
	return VACCEL_OK;
}

void vaccel_config_print_debug(struct vaccel_config *config)
{
	if (!config || !vaccel_log_enabled(VACCEL_LOG_DEBUG))
		return;
	vaccel_debug("Config:");
	vaccel_debug("  plugins = %s", config->plugins ? config->plugins : "");
	vaccel_debug("  log_level = %s",
		     vaccel_log_level_to_base_str(config->log_level));
	vaccel_debug("  log_file = %s",
		     config->log_file ? config->log_file : "");
	vaccel_debug("  profiling_enabled = %s",
		     config->profiling_enabled ? "true" : "false");
	vaccel_debug("  version_ignore = %s",
		     config->version_ignore ? "true" : "false");
}
