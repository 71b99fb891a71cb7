// SPDX-License-Identifier: Apache-2.0
/* Bootstrap, cleanup, rundir, config access. */
#include "test_util.h"

#include <sys/stat.h>

static bool is_dir(const char *p)
{
	struct stat st;
	return p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void test_bootstrap_cleanup(void **state)
{
	(void)state;
	assert_int_equal(boot(fixture("fix-cpu")), VACCEL_OK);
	assert_true(vaccel_is_initialized());
	const char *rd = vaccel_rundir();
	assert_non_null(rd);
	char saved[4096];
	snprintf(saved, sizeof(saved), "%s", rd);
	assert_true(is_dir(saved));
	const struct vaccel_config *cfg = vaccel_config();
	assert_non_null(cfg);
	assert_string_equal(cfg->plugins, fixture("fix-cpu"));
	assert_int_equal(vaccel_plugin_count(), 1);

	assert_int_equal(vaccel_cleanup(), VACCEL_OK);
	assert_false(vaccel_is_initialized());
	assert_null(vaccel_rundir());
	assert_null(vaccel_config());
	assert_false(is_dir(saved));
	/* cleanup when not initialised is a no-op */
	assert_int_equal(vaccel_cleanup(), VACCEL_OK);
}

static void test_bootstrap_twice_reinitialises(void **state)
{
	(void)state;
	assert_int_equal(boot(fixture("fix-cpu")), VACCEL_OK);
	struct vaccel_session s;
	assert_int_equal(vaccel_session_init(&s, 0), VACCEL_OK);
	/* a second bootstrap cleans everything up first */
	assert_int_equal(boot(fixture("fix-gpu")), VACCEL_OK);
	assert_int_equal(s.id, 0); /* released by the cleanup */
	assert_int_equal(vaccel_plugin_count(), 1);
	assert_string_equal(vaccel_plugin_get(0)->info->name, "fix-gpu");
	vaccel_cleanup();
}

static void test_bootstrap_from_env(void **state)
{
	(void)state;
	char list[8192];
	snprintf(list, sizeof(list), "%s:%s", fixture("fix-cpu"),
		 fixture("fix-gpu"));
	setenv("VACCEL_PLUGINS", list, 1);
	assert_int_equal(vaccel_bootstrap(), VACCEL_OK);
	assert_int_equal(vaccel_plugin_count(), 2);
	assert_string_equal(vaccel_plugin_get(0)->info->name, "fix-cpu");
	assert_string_equal(vaccel_plugin_get(1)->info->name, "fix-gpu");
	assert_null(vaccel_plugin_get(2));
	vaccel_cleanup();
	unsetenv("VACCEL_PLUGINS");
}

static void test_failed_bootstrap_rolls_back(void **state)
{
	(void)state;
	char log[256];
	temp_log(log, sizeof(log));
	int ret = boot_opts("/nonexistent/libvaccel-nope.so", log, false,
			    false);
	assert_int_equal(ret, VACCEL_ENOENT);
	assert_false(vaccel_is_initialized());
	assert_null(vaccel_rundir());
	/* exactly one clear error line */
	assert_int_equal(count_lines(log, "<error>"), 1);
	assert_int_equal(count_lines(log, "libvaccel-nope.so"), 1);
	unlink(log);

	struct vaccel_session s;
	assert_int_equal(vaccel_session_init(&s, 0), VACCEL_ESESS);
	struct vaccel_resource r;
	int x = 1;
	assert_int_equal(vaccel_resource_init_from_buf(&r, &x, sizeof(x),
						       VACCEL_RESOURCE_DATA,
						       NULL, true),
			 VACCEL_EPERM);
	assert_int_equal(vaccel_plugin_load(fixture("fix-cpu")),
			 VACCEL_EBACKEND);
}

static void test_partial_list_rolls_back(void **state)
{
	(void)state;
	char list[8192];
	snprintf(list, sizeof(list), "%s:%s", fixture("fix-cpu"),
		 fixture("fix-badver"));
	assert_int_equal(boot(list), VACCEL_EINVAL);
	assert_false(vaccel_is_initialized());
	assert_int_equal(vaccel_plugin_count(), 0);
}

static void test_bootstrap_null_config(void **state)
{
	(void)state;
	assert_int_equal(vaccel_bootstrap_with_config(NULL), VACCEL_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bootstrap_cleanup),
		cmocka_unit_test(test_bootstrap_twice_reinitialises),
		cmocka_unit_test(test_bootstrap_from_env),
		cmocka_unit_test(test_failed_bootstrap_rolls_back),
		cmocka_unit_test(test_partial_list_rolls_back),
		cmocka_unit_test(test_bootstrap_null_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
