// SPDX-License-Identifier: Apache-2.0
/*
 * The bad-input table: each case returns its documented error code and logs
 * exactly one clear error line; nothing crashes (leaks are checked by the
 * ASan and valgrind runs of this same test).
 */
#include "test_util.h"

static char log_path[256];
static struct vaccel_session sess; /* bound to fix-cpu: implements NOOP only */

static int setup(void **state)
{
	(void)state;
	temp_log(log_path, sizeof(log_path));
	return boot_opts(fixture("fix-cpu"), log_path, false, false) ||
	       vaccel_session_init(&sess, 0);
}

static int teardown(void **state)
{
	(void)state;
	vaccel_session_release(&sess);
	vaccel_cleanup();
	unlink(log_path);
	return 0;
}

#define EXPECT_ONE_ERROR(call, code, needle)                                   \
	do {                                                                   \
		int before_ = count_lines(log_path, "<error>");                \
		assert_int_equal((call), (code));                              \
		assert_int_equal(count_lines(log_path, "<error>"),             \
				 before_ + 1);                                 \
		if (needle)                                                    \
			assert_true(count_lines(log_path, (needle)) >= 1);     \
	} while (0)

static void test_plugin_errors(void **state)
{
	(void)state;
	char notplugin[4096];
	snprintf(notplugin, sizeof(notplugin),
		 "%s/tests/fixtures/libnot-a-plugin.so",
		 getenv("VACCEL_TEST_BUILDDIR"));
	EXPECT_ONE_ERROR(vaccel_plugin_load("/does/not/exist.so"),
			 VACCEL_ENOENT, "/does/not/exist.so");
	EXPECT_ONE_ERROR(vaccel_plugin_load(notplugin), VACCEL_ELIBBAD,
			 "no vaccel_plugin symbol");
}

static void test_op_not_implemented(void **state)
{
	(void)state;
	float a[4] = {1, 2, 3, 4}, b[4] = {1, 0, 0, 1}, c[4] = {0};
	EXPECT_ONE_ERROR(vaccel_sgemm(&sess, 2, 2, 2, 1.0f, a, 2, b, 2, 0.0f,
				      c, 2),
			 VACCEL_ENOTSUP, "fix-cpu");
	unsigned char out[32];
	EXPECT_ONE_ERROR(vaccel_image_classification(&sess, "img", out, out, 3,
						     sizeof(out), sizeof(out)),
			 VACCEL_ENOTSUP, NULL);
	EXPECT_ONE_ERROR(vaccel_exec(&sess, "lib.so", "fn", NULL, 0, NULL, 0),
			 VACCEL_ENOTSUP, NULL);
}

static void test_null_session_and_resource(void **state)
{
	(void)state;
	EXPECT_ONE_ERROR(vaccel_noop(NULL), VACCEL_EINVAL, NULL);
	EXPECT_ONE_ERROR(vaccel_sgemm(NULL, 1, 1, 1, 1.0f, NULL, 1, NULL, 1,
				      0.0f, NULL, 1),
			 VACCEL_EINVAL, NULL);
	EXPECT_ONE_ERROR(vaccel_exec_with_resource(&sess, NULL, "fn", NULL, 0,
						   NULL, 0),
			 VACCEL_EINVAL, NULL);
	EXPECT_ONE_ERROR(vaccel_session_release(NULL), VACCEL_EINVAL, NULL);
	EXPECT_ONE_ERROR(vaccel_resource_register(NULL, &sess), VACCEL_EINVAL,
			 NULL);
}

static void test_bad_args(void **state)
{
	(void)state;
	/* genop selector of the wrong type and of the wrong size */
	uint32_t op32 = VACCEL_OP_NOOP;
	uint8_t op8 = VACCEL_OP_NOOP;
	struct vaccel_arg wrong_type = {.buf = &op32,
					.size = sizeof(op32),
					.type = VACCEL_ARG_UINT32};
	struct vaccel_arg wrong_size = {.buf = &op32,
					.size = sizeof(op32),
					.type = VACCEL_ARG_UINT8};
	EXPECT_ONE_ERROR(vaccel_genop(&sess, &wrong_type, 1, NULL, 0),
			 VACCEL_EINVAL, NULL);
	EXPECT_ONE_ERROR(vaccel_genop(&sess, &wrong_size, 1, NULL, 0),
			 VACCEL_EINVAL, NULL);
	struct vaccel_arg good = {.buf = &op8,
				  .size = sizeof(op8),
				  .type = VACCEL_ARG_UINT8};
	assert_int_equal(vaccel_genop(&sess, &good, 1, NULL, 0), VACCEL_OK);

	/* typed getters: wrong type, wrong size */
	struct vaccel_arg_array arr;
	assert_int_equal(vaccel_arg_array_init(&arr, 0), VACCEL_OK);
	int32_t v = 5;
	assert_int_equal(vaccel_arg_array_add_int32(&arr, &v), VACCEL_OK);
	float f;
	EXPECT_ONE_ERROR(vaccel_arg_array_get_float(&arr, &f), VACCEL_EINVAL,
			 NULL);
	vaccel_arg_array_reset_position(&arr);
	arr.args[0].size = 2; /* corrupt the size */
	int32_t out;
	EXPECT_ONE_ERROR(vaccel_arg_array_get_int32(&arr, &out), VACCEL_EINVAL,
			 NULL);
	arr.args[0].size = sizeof(v);
	vaccel_arg_array_release(&arr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plugin_errors),
		cmocka_unit_test(test_op_not_implemented),
		cmocka_unit_test(test_null_session_and_resource),
		cmocka_unit_test(test_bad_args),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
