// SPDX-License-Identifier: Apache-2.0
/*
 * The mbench plugin: its bounded time-argument parser, and EXEC through the
 * runtime (busy-waits the asked time, refuses bad or too long requests).
 */
#include "test_util.h"

#include "mbench_arg.h"

#include <time.h>

static unsigned long parse(const char *bytes, size_t size, int *ret)
{
	unsigned long ms = 0;

	*ret = mbench_parse_ms(bytes, size, &ms);
	return ms;
}

static void test_parse_ok(void **state)
{
	int ret;

	(void)state;
	assert_int_equal(parse("25", 3, &ret), 25);
	assert_int_equal(ret, VACCEL_OK);
	/* upstream's example: sizeof(int) bytes, no NUL for 4+ digits */
	assert_int_equal(parse("1000", 4, &ret), 1000);
	assert_int_equal(parse("12345", 4, &ret), 1234);
	assert_int_equal(parse("7", 4, &ret), 7); /* "7\0" and what follows */
	assert_int_equal(parse("  +42x", 6, &ret), 42);
	assert_int_equal(parse("10000", 5, &ret), MBENCH_MAX_MS);
	assert_int_equal(ret, VACCEL_OK);
}

static void test_parse_refused(void **state)
{
	const char *bad[] = {"", "abc", "-5", "0", "000", "+", " ", "10001",
			     "99999999999999999999999"};
	unsigned long ms = 77;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(mbench_parse_ms(bad[i], strlen(bad[i]), &ms),
				 VACCEL_EINVAL);
	assert_int_equal(ms, 77);
	assert_int_equal(mbench_parse_ms("5", 0, &ms), VACCEL_EINVAL);
	assert_int_equal(mbench_parse_ms(NULL, 4, &ms), VACCEL_EINVAL);
	assert_int_equal(mbench_parse_ms("5", 1, NULL), VACCEL_EINVAL);
}

/* The digits fill the whole buffer: a read past its end would be caught by
 * ASan/valgrind (the byte after it is not addressable). */
static void test_parse_reads_only_size(void **state)
{
	char *b = malloc(4);

	(void)state;
	assert_non_null(b);
	memcpy(b, "2048", 4);
	assert_int_equal(mbench_parse_ms(b, 4, &(unsigned long){0}), VACCEL_OK);
	free(b);
}

static int group_setup(void **state)
{
	(void)state;
	return boot(plugin_path("mbench"));
}

static int group_teardown(void **state)
{
	(void)state;
	return vaccel_cleanup();
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int run(const char *lib, const char *sym, const char *bytes,
	       size_t size, size_t nr_read, double *elapsed)
{
	struct vaccel_session sess;
	char payload[8] = "ignored";
	struct vaccel_arg read[2] = {
		{.size = size, .buf = (void *)bytes},
		{.size = sizeof(payload), .buf = payload},
	};
	struct timespec t0;

	assert_int_equal(vaccel_session_init(&sess, 0), VACCEL_OK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int ret = vaccel_exec(&sess, lib, sym, read, nr_read, NULL, 0);
	*elapsed = ms_since(&t0);
	assert_int_equal(vaccel_session_release(&sess), VACCEL_OK);
	return ret;
}

static void test_exec_spins(void **state)
{
	double t;

	(void)state;
	assert_int_equal(run("mbench", "mbench", "30", 3, 2, &t), VACCEL_OK);
	assert_true(t >= 30.0);
	/* four digits and no NUL, as upstream's example sends them */
	assert_int_equal(run("mbench", "x", "0050", 4, 1, &t), VACCEL_OK);
	assert_true(t >= 50.0);
	assert_int_equal(run("x", "mbench", "20", 2, 2, &t), VACCEL_OK);
	assert_true(t >= 20.0);
}

static void test_exec_refused(void **state)
{
	double t;

	(void)state;
	assert_int_equal(run("mbench", "mbench", "10001", 5, 2, &t),
			 VACCEL_EINVAL);
	assert_true(t < 1000.0); /* refused, not waited */
	assert_int_equal(run("mbench", "mbench", "abc", 3, 2, &t),
			 VACCEL_EINVAL);
	assert_int_equal(run("mbench", "mbench", "0", 1, 2, &t), VACCEL_EINVAL);
	assert_int_equal(run("mbench", "mbench", "5", 1, 0, &t), VACCEL_EINVAL);
	assert_int_equal(run("libfoo.so", "foo", "5", 1, 2, &t), VACCEL_EINVAL);
}

static void test_plugin_info(void **state)
{
	(void)state;
	assert_int_equal(vaccel_plugin_count(), 1);
	const struct vaccel_plugin *p = vaccel_plugin_get(0);
	assert_string_equal(p->info->name, "mbench");
	assert_int_equal(p->info->type, VACCEL_PLUGIN_SOFTWARE |
						VACCEL_PLUGIN_GENERIC |
						VACCEL_PLUGIN_CPU);
	assert_non_null(p->ops[VACCEL_OP_EXEC]);
	assert_null(p->ops[VACCEL_OP_NOOP]);
}

int main(void)
{
	const struct CMUnitTest parser[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_refused),
		cmocka_unit_test(test_parse_reads_only_size),
	};
	const struct CMUnitTest plugin[] = {
		cmocka_unit_test(test_plugin_info),
		cmocka_unit_test(test_exec_spins),
		cmocka_unit_test(test_exec_refused),
	};
	int failed = cmocka_run_group_tests(parser, NULL, NULL);

	return failed + cmocka_run_group_tests(plugin, group_setup,
					       group_teardown);
}
