// SPDX-License-Identifier: Apache-2.0
/* Logging levels, destinations and line shape. */
#include "test_util.h"

#include <regex.h>

static void boot_log(const char *file, vaccel_log_level_t level)
{
	struct vaccel_config c;
	assert_int_equal(vaccel_config_init(&c, NULL, level, file, false,
					    false),
			 VACCEL_OK);
	assert_int_equal(vaccel_bootstrap_with_config(&c), VACCEL_OK);
	vaccel_config_release(&c);
}

static void test_levels_and_file(void **state)
{
	(void)state;
	char log[256];
	temp_log(log, sizeof(log));
	boot_log(log, VACCEL_LOG_WARN);
	assert_true(vaccel_log_enabled(VACCEL_LOG_ERROR));
	assert_true(vaccel_log_enabled(VACCEL_LOG_WARN));
	assert_false(vaccel_log_enabled(VACCEL_LOG_INFO));
	vaccel_error("E-%d", 1);
	vaccel_fatal("F-%d", 2);
	vaccel_warn("W-%s", "x");
	vaccel_info("I-hidden");
	vaccel_debug("D-hidden");
	vaccel_trace("T-hidden");
	vaccel_cleanup();

	assert_int_equal(count_lines(log, "E-1"), 1);
	assert_int_equal(count_lines(log, "F-2"), 1);
	assert_int_equal(count_lines(log, "W-x"), 1);
	assert_int_equal(count_lines(log, "hidden"), 0);

	/* "YYYY.MM.DD-HH:MM:SS.cc - <level> message" */
	FILE *f = fopen(log, "r");
	char line[512];
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	regex_t re;
	assert_int_equal(regcomp(&re,
				 "^[0-9]{4}\\.[0-9]{2}\\.[0-9]{2}-[0-9]{2}:[0-9]{"
				 "2}:[0-9]{2}\\.[0-9]{2} - <error> E-1$",
				 REG_EXTENDED | REG_NOSUB),
			 0);
	line[strcspn(line, "\n")] = '\0';
	assert_int_equal(regexec(&re, line, 0, NULL, 0), 0);
	regfree(&re);
	unlink(log);
}

static void test_debug_level(void **state)
{
	(void)state;
	char log[256];
	temp_log(log, sizeof(log));
	boot_log(log, VACCEL_LOG_DEBUG);
	assert_true(vaccel_log_enabled(VACCEL_LOG_DEBUG));
	vaccel_debug("D-shown");
	vaccel_info("I-shown");
	vaccel_cleanup();
	assert_int_equal(count_lines(log, "<debug> D-shown"), 1);
	assert_int_equal(count_lines(log, "<info> I-shown"), 1);
	unlink(log);
}

static void test_stderr_and_init(void **state)
{
	(void)state;
	boot_log("/dev/stderr", VACCEL_LOG_ERROR);
	assert_int_equal(vaccel_log_init(), VACCEL_OK);
	vaccel_error("to stderr");
	assert_int_equal(vaccel_log_shutdown(), VACCEL_OK);
	vaccel_cleanup();
	/* an unwritable log file falls back to stdout */
	boot_log("/nonexistent-dir/x.log", VACCEL_LOG_ERROR);
	vaccel_error("fallback to stdout");
	vaccel_cleanup();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels_and_file),
		cmocka_unit_test(test_debug_level),
		cmocka_unit_test(test_stderr_and_init),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
