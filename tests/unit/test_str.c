// SPDX-License-Identifier: Apache-2.0
#include "test_util.h"

static void test_to_lower(void **state)
{
	(void)state;
	char buf[16];
	assert_int_equal(vaccel_str_to_lower("AbC_9", buf, sizeof(buf), NULL),
			 VACCEL_OK);
	assert_string_equal(buf, "abc_9");
	char *alloc = NULL;
	assert_int_equal(vaccel_str_to_lower("HELLO", NULL, 0, &alloc),
			 VACCEL_OK);
	assert_string_equal(alloc, "hello");
	free(alloc);
	char small[3];
	assert_int_equal(vaccel_str_to_lower("ABC", small, sizeof(small), NULL),
			 VACCEL_ENAMETOOLONG);
	assert_int_equal(vaccel_str_to_lower(NULL, buf, sizeof(buf), NULL),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_str_to_lower("x", NULL, 0, NULL),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_str_to_lower("x", buf, 0, NULL),
			 VACCEL_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_to_lower),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
