// SPDX-License-Identifier: Apache-2.0
/* Configuration objects and environment parsing. */
#include "test_util.h"

static void clear_env(void)
{
	const char *vars[] = {
		"VACCEL_PLUGINS",	  "VACCEL_BACKENDS",
		"VACCEL_LOG_LEVEL",	  "VACCEL_DEBUG_LEVEL",
		"VACCEL_LOG_FILE",	  "VACCEL_PROFILING_ENABLED",
		"VACCEL_PROF_ENABLED",	  "VACCEL_VERSION_IGNORE",
		"VACCEL_IGNORE_VERSION",
	};
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
}

static void test_init_release(void **state)
{
	(void)state;
	struct vaccel_config c;
	assert_int_equal(vaccel_config_init(&c, "a.so:b.so", VACCEL_LOG_INFO,
					    "/dev/stderr", true, true),
			 VACCEL_OK);
	assert_string_equal(c.plugins, "a.so:b.so");
	assert_int_equal(c.log_level, VACCEL_LOG_INFO);
	assert_string_equal(c.log_file, "/dev/stderr");
	assert_true(c.profiling_enabled);
	assert_true(c.version_ignore);
	vaccel_config_print_debug(&c);

	struct vaccel_config d;
	assert_int_equal(vaccel_config_init_from(&d, &c), VACCEL_OK);
	assert_ptr_not_equal(d.plugins, c.plugins);
	assert_string_equal(d.plugins, c.plugins);
	assert_int_equal(vaccel_config_release(&d), VACCEL_OK);

	assert_int_equal(vaccel_config_release(&c), VACCEL_OK);
	assert_null(c.plugins);
	assert_null(c.log_file);
	assert_int_equal(c.log_level, VACCEL_LOG_ERROR);
	assert_false(c.profiling_enabled);
	assert_false(c.version_ignore);
}

static void test_invalid(void **state)
{
	(void)state;
	struct vaccel_config c;
	struct vaccel_config *p;
	assert_int_equal(vaccel_config_init(NULL, NULL, VACCEL_LOG_ERROR, NULL,
					    false, false),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_config_init(&c, NULL, 0, NULL, false, false),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_config_init(&c, NULL, VACCEL_LOG_MAX, NULL,
					    false, false),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_config_new(NULL, NULL, VACCEL_LOG_ERROR, NULL,
					   false, false),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_config_new(&p, NULL, 9, NULL, false, false),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_config_init_from(&c, NULL), VACCEL_EINVAL);
	assert_int_equal(vaccel_config_from(NULL, &c), VACCEL_EINVAL);
	assert_int_equal(vaccel_config_from_env(NULL), VACCEL_EINVAL);
	assert_int_equal(vaccel_config_init_from_env(NULL), VACCEL_EINVAL);
	assert_int_equal(vaccel_config_release(NULL), VACCEL_EINVAL);
	assert_int_equal(vaccel_config_delete(NULL), VACCEL_EINVAL);
	vaccel_config_print_debug(NULL);
}

static void test_heap_twins(void **state)
{
	(void)state;
	struct vaccel_config *a, *b;
	assert_int_equal(vaccel_config_new(&a, "x.so", VACCEL_LOG_WARN, NULL,
					   false, true),
			 VACCEL_OK);
	assert_int_equal(vaccel_config_from(&b, a), VACCEL_OK);
	assert_string_equal(b->plugins, "x.so");
	assert_int_equal(b->log_level, VACCEL_LOG_WARN);
	assert_true(b->version_ignore);
	assert_int_equal(vaccel_config_delete(a), VACCEL_OK);
	assert_int_equal(vaccel_config_delete(b), VACCEL_OK);
}

static void test_env(void **state)
{
	(void)state;
	clear_env();
	struct vaccel_config *c;
	assert_int_equal(vaccel_config_from_env(&c), VACCEL_OK);
	assert_null(c->plugins);
	assert_int_equal(c->log_level, VACCEL_LOG_ERROR);
	assert_false(c->profiling_enabled);
	vaccel_config_delete(c);

	setenv("VACCEL_PLUGINS", "p.so", 1);
	setenv("VACCEL_LOG_LEVEL", "4", 1);
	setenv("VACCEL_LOG_FILE", "/dev/stdout", 1);
	setenv("VACCEL_PROFILING_ENABLED", "true", 1); /* upstream: 0 */
	setenv("VACCEL_VERSION_IGNORE", "1", 1);
	assert_int_equal(vaccel_config_from_env(&c), VACCEL_OK);
	assert_string_equal(c->plugins, "p.so");
	assert_int_equal(c->log_level, VACCEL_LOG_DEBUG);
	assert_string_equal(c->log_file, "/dev/stdout");
	assert_true(c->profiling_enabled);
	assert_true(c->version_ignore);
	vaccel_config_delete(c);
	clear_env();
}

static void test_env_aliases_and_bad_values(void **state)
{
	(void)state;
	clear_env();
	struct vaccel_config c;
	setenv("VACCEL_BACKENDS", "old.so", 1);
	setenv("VACCEL_DEBUG_LEVEL", "3", 1);
	setenv("VACCEL_PROF_ENABLED", "yes", 1);
	setenv("VACCEL_IGNORE_VERSION", "on", 1);
	assert_int_equal(vaccel_config_init_from_env(&c), VACCEL_OK);
	assert_string_equal(c.plugins, "old.so");
	assert_int_equal(c.log_level, VACCEL_LOG_INFO);
	assert_true(c.profiling_enabled);
	assert_true(c.version_ignore);
	vaccel_config_release(&c);

	/* the new name wins over the alias */
	setenv("VACCEL_PLUGINS", "new.so", 1);
	assert_int_equal(vaccel_config_init_from_env(&c), VACCEL_OK);
	assert_string_equal(c.plugins, "new.so");
	vaccel_config_release(&c);

	/* invalid values keep the defaults instead of silencing errors */
	clear_env();
	setenv("VACCEL_LOG_LEVEL", "0", 1);
	setenv("VACCEL_PROFILING_ENABLED", "maybe", 1);
	assert_int_equal(vaccel_config_init_from_env(&c), VACCEL_OK);
	assert_int_equal(c.log_level, VACCEL_LOG_ERROR);
	assert_false(c.profiling_enabled);
	vaccel_config_release(&c);
	setenv("VACCEL_LOG_LEVEL", "7", 1);
	assert_int_equal(vaccel_config_init_from_env(&c), VACCEL_OK);
	assert_int_equal(c.log_level, VACCEL_LOG_ERROR);
	vaccel_config_release(&c);
	setenv("VACCEL_LOG_LEVEL", "2x", 1);
	assert_int_equal(vaccel_config_init_from_env(&c), VACCEL_OK);
	assert_int_equal(c.log_level, VACCEL_LOG_ERROR);
	vaccel_config_release(&c);
	clear_env();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_release),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_heap_twins),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_env_aliases_and_bad_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
