// SPDX-License-Identifier: Apache-2.0
/* Profiling regions. */
#include "test_util.h"

#include <time.h>

static void spin_us(long us)
{
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC_RAW, &a);
	do
		clock_gettime(CLOCK_MONOTONIC_RAW, &b);
	while ((b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000 <
	       us);
}

static void test_disabled_is_noop(void **state)
{
	(void)state;
	assert_int_equal(boot_opts(NULL, NULL, false, false), VACCEL_OK);
	assert_false(vaccel_prof_enabled());
	struct vaccel_prof_region r = VACCEL_PROF_REGION_INIT("off");
	assert_int_equal(vaccel_prof_region_start(&r), VACCEL_OK);
	assert_int_equal(vaccel_prof_region_stop(&r), VACCEL_OK);
	assert_int_equal(r.nr_entries, 0);
	assert_null(r.samples);
	assert_int_equal(vaccel_prof_region_print(&r), VACCEL_OK);
	vaccel_cleanup();
}

static void test_enabled_samples(void **state)
{
	(void)state;
	char log[256];
	temp_log(log, sizeof(log));
	struct vaccel_config c;
	vaccel_config_init(&c, NULL, VACCEL_LOG_INFO, log, true, false);
	assert_int_equal(vaccel_bootstrap_with_config(&c), VACCEL_OK);
	vaccel_config_release(&c);
	assert_true(vaccel_prof_enabled());

	struct vaccel_prof_region r = VACCEL_PROF_REGION_INIT("timed");
	assert_int_equal(vaccel_prof_region_stop(&r), VACCEL_ENOENT);
	for (int i = 0; i < 1500; i++) { /* crosses the 1024 growth step */
		assert_int_equal(vaccel_prof_region_start(&r), VACCEL_OK);
		assert_int_equal(vaccel_prof_region_stop(&r), VACCEL_OK);
	}
	assert_int_equal(r.nr_entries, 1500);
	assert_true(r.size >= 1500);
	assert_int_equal(vaccel_prof_region_start(&r), VACCEL_OK);
	spin_us(2000);
	assert_int_equal(vaccel_prof_region_stop(&r), VACCEL_OK);
	assert_true(r.samples[1500].time >= 2000000ULL);
	assert_true(r.samples[1500].start > r.samples[0].start);
	assert_int_equal(vaccel_prof_region_print(&r), VACCEL_OK);

	struct vaccel_prof_region empty = VACCEL_PROF_REGION_INIT("empty");
	assert_int_equal(vaccel_prof_region_print(&empty), VACCEL_OK);
	vaccel_cleanup();
	assert_int_equal(count_lines(log, "[prof] timed: total_time: "), 1);
	assert_int_equal(count_lines(log, "nr_entries: 1501"), 1);
	assert_int_equal(count_lines(log, "[prof] empty"), 0);
	unlink(log);
	/* not owned name: release keeps it untouched */
	assert_int_equal(vaccel_prof_region_release(&r), VACCEL_OK);
	assert_null(r.samples);
	assert_int_equal(r.nr_entries, 0);
}

static void test_arrays_by_name(void **state)
{
	(void)state;
	assert_int_equal(boot_opts(NULL, NULL, true, false), VACCEL_OK);
	struct vaccel_prof_region regs[3];
	assert_int_equal(vaccel_prof_regions_init(regs, 3), VACCEL_OK);
	for (int i = 0; i < 3; i++) {
		assert_true(regs[i].name_owned);
		assert_string_equal(regs[i].name, "");
	}
	/* names of converted remote timers are written in place */
	snprintf((char *)regs[0].name, 256, "alpha");
	snprintf((char *)regs[1].name, 256, "beta");
	snprintf((char *)regs[2].name, 256, "beta");
	assert_int_equal(vaccel_prof_regions_start_by_name(regs, 3, "beta"),
			 VACCEL_OK);
	assert_int_equal(vaccel_prof_regions_stop_by_name(regs, 3, "beta"),
			 VACCEL_OK);
	assert_int_equal(regs[2].nr_entries, 1); /* the last match */
	assert_int_equal(regs[1].nr_entries, 0);
	assert_int_equal(vaccel_prof_regions_start_by_name(regs, 3, "nope"),
			 VACCEL_ENOENT);
	assert_int_equal(vaccel_prof_regions_stop_by_name(regs, 3, "nope"),
			 VACCEL_ENOENT);
	assert_int_equal(vaccel_prof_regions_start_by_name(regs, 3, "alpha"),
			 VACCEL_OK);
	assert_int_equal(vaccel_prof_regions_stop_by_name(regs, 3, "alpha"),
			 VACCEL_OK);
	assert_int_equal(vaccel_prof_regions_print_all(regs, 3), VACCEL_OK);

	int need = vaccel_prof_regions_print_all_to_buf(NULL, 0, regs, 3);
	assert_true(need > 0);
	char *buf = NULL;
	assert_int_equal(vaccel_prof_regions_print_all_to_buf(
				 &buf, (size_t)need - 1, regs, 3),
			 -VACCEL_ENOSPC);
	assert_null(buf);
	assert_int_equal(vaccel_prof_regions_print_all_to_buf(&buf,
							      (size_t)need,
							      regs, 3),
			 2);
	assert_non_null(buf);
	assert_non_null(strstr(buf, "[prof] alpha: total_time:"));
	const char *second = buf + strlen(buf) + 1;
	assert_non_null(strstr(second, "[prof] beta: total_time:"));
	free(buf);
	assert_int_equal(vaccel_prof_regions_print_all_to_buf(&buf, 10, NULL,
							      3),
			 -VACCEL_EINVAL);

	assert_int_equal(vaccel_prof_regions_release(regs, 3), VACCEL_OK);
	struct vaccel_prof_region named;
	assert_int_equal(vaccel_prof_region_init(&named, "n"), VACCEL_OK);
	assert_string_equal(named.name, "n");
	assert_int_equal(vaccel_prof_region_release(&named), VACCEL_OK);
	vaccel_cleanup();
}

static void test_invalid(void **state)
{
	(void)state;
	assert_int_equal(boot_opts(NULL, NULL, true, false), VACCEL_OK);
	assert_int_equal(vaccel_prof_region_start(NULL), VACCEL_EINVAL);
	assert_int_equal(vaccel_prof_region_stop(NULL), VACCEL_EINVAL);
	assert_int_equal(vaccel_prof_region_init(NULL, "x"), VACCEL_EINVAL);
	assert_int_equal(vaccel_prof_region_release(NULL), VACCEL_EINVAL);
	assert_int_equal(vaccel_prof_region_print(NULL), VACCEL_EINVAL);
	assert_int_equal(vaccel_prof_regions_init(NULL, 1), VACCEL_EINVAL);
	assert_int_equal(vaccel_prof_regions_release(NULL, 1), VACCEL_EINVAL);
	assert_int_equal(vaccel_prof_regions_print_all(NULL, 1),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_prof_regions_start_by_name(NULL, 1, "x"),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_prof_regions_stop_by_name(NULL, 1, "x"),
			 VACCEL_EINVAL);
	vaccel_cleanup();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disabled_is_noop),
		cmocka_unit_test(test_enabled_samples),
		cmocka_unit_test(test_arrays_by_name),
		cmocka_unit_test(test_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
