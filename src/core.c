// SPDX-License-Identifier: Apache-2.0
/*
 * Bootstrap and cleanup of the runtime.
 *
 * Unlike upstream, a failed bootstrap never exits the process: the error is
 * logged once, everything done so far is rolled back, and the code returned
 * (from the constructor it is only logged; later calls then fail cleanly
 * with VACCEL_ESESS / VACCEL_EPERM, and the program decides).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static pthread_mutex_t core_lock = PTHREAD_MUTEX_INITIALIZER;
static bool initialized;
static struct vaccel_config active_config = {
	.log_level = VACCEL_LOG_ERROR,
};

const struct vaccel_config *config_active(void)
{
	return &active_config;
}

const struct vaccel_config *vaccel_config(void)
{
	return initialized ? &active_config : NULL;
}

bool vaccel_is_initialized(void)
{
	return initialized;
}

static void cleanup_locked(void)
{
	sessions_cleanup();
	resources_cleanup();
	plugins_cleanup();
	rundir_cleanup();
	vaccel_prof_enabled_flag = false;
	vaccel_log_shutdown();
	vaccel_config_release(&active_config);
	initialized = false;
}

static int bootstrap_locked(struct vaccel_config *config)
{
	int ret;

	if (initialized)
		cleanup_locked();

	ret = vaccel_config_init_from(&active_config, config);
	if (ret)
		return ret;
	log_apply_config(&active_config);
	vaccel_config_print_debug(&active_config);
	vaccel_prof_enabled_flag = active_config.profiling_enabled;

	ret = rundir_bootstrap();
	if (ret)
		goto fail;
	ret = sessions_bootstrap();
	if (ret)
		goto fail;
	ret = resources_bootstrap();
	if (ret)
		goto fail;
	ret = plugins_bootstrap();
	if (ret)
		goto fail;
	initialized = true;

	if (active_config.plugins && active_config.plugins[0] != '\0') {
		/* a failing plugin has logged its own clear error line */
		ret = vaccel_plugin_parse_and_load(active_config.plugins);
		if (ret)
			goto fail;
	}
	vaccel_debug("vAccel %s initialized (run directory %s)",
		     VACCEL_VERSION, vaccel_rundir());
	return VACCEL_OK;

fail:
	/* the failure itself was logged where it happened */
	cleanup_locked();
	return ret;
}

int vaccel_bootstrap_with_config(struct vaccel_config *config)
{
	if (!config) {
		vaccel_error("vaccel_bootstrap_with_config: config is NULL");
		return VACCEL_EINVAL;
	}
	pthread_mutex_lock(&core_lock);
	int ret = bootstrap_locked(config);
	pthread_mutex_unlock(&core_lock);
	return ret;
}

int vaccel_bootstrap(void)
{
	struct vaccel_config config;
	int ret = vaccel_config_init_from_env(&config);
	if (ret)
		return ret;
	ret = vaccel_bootstrap_with_config(&config);
	vaccel_config_release(&config);
	return ret;
}

int vaccel_cleanup(void)
{
	pthread_mutex_lock(&core_lock);
	if (initialized)
		cleanup_locked();
	pthread_mutex_unlock(&core_lock);
	return VACCEL_OK;
}

static bool env_is_zero(const char *name)
{
	const char *v = getenv(name);
	return v && strcmp(v, "0") == 0;
}

__attribute__((constructor)) static void vaccel_constructor(void)
{
	if (env_is_zero("VACCEL_BOOTSTRAP_ENABLED"))
		return;
	/* Errors are logged by bootstrap; never exit the host program. */
	(void)vaccel_bootstrap();
}

/* Priority 101: runs after every default-priority destructor, so the op
 * modules print their profiling regions while the runtime is still up. */
__attribute__((destructor(101))) static void vaccel_destructor(void)
{
	if (env_is_zero("VACCEL_CLEANUP_ENABLED"))
		return;
	vaccel_cleanup();
}
