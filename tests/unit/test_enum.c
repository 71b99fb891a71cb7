// SPDX-License-Identifier: Apache-2.0
/* Generated enums and their string functions. */
#include "test_util.h"

static void test_op_types(void **state)
{
	(void)state;
	assert_int_equal(VACCEL_OP_NOOP, 0);
	assert_int_equal(VACCEL_OP_EXEC, 1);
	assert_int_equal(VACCEL_OP_IMAGE_CLASSIFY, 3);
	assert_int_equal(VACCEL_OP_TF_MODEL_LOAD, 8);
	assert_int_equal(VACCEL_OP_TORCH_SGEMM, 16);
	assert_int_equal(VACCEL_OP_BLAS_SGEMM, 17);
	assert_int_equal(VACCEL_OP_OPENCV, 23);
	assert_int_equal(VACCEL_OP_MAX, 24);
	assert_string_equal(vaccel_op_type_to_str(VACCEL_OP_BLAS_SGEMM),
			    "VACCEL_OP_BLAS_SGEMM");
	assert_string_equal(vaccel_op_type_to_base_str(VACCEL_OP_EXEC), "EXEC");
	assert_string_equal(vaccel_op_type_to_str((vaccel_op_type_t)99),
			    "VACCEL_OP_MAX");
	assert_string_equal(vaccel_op_type_to_base_str((vaccel_op_type_t)-1),
			    "MAX");
	char lower[VACCEL_ENUM_STR_MAX];
	assert_string_equal(vaccel_op_type_name(VACCEL_OP_IMAGE_CLASSIFY, lower,
						sizeof(lower)),
			    "image_classify");
	assert_string_equal(vaccel_op_type_to_lower(VACCEL_OP_NOOP, lower,
						    sizeof(lower)),
			    "noop");
	assert_null(vaccel_op_type_name(VACCEL_OP_NOOP, NULL, 10));
	char small[4];
	assert_string_equal(vaccel_op_type_name(VACCEL_OP_BLAS_SGEMM, small,
						sizeof(small)),
			    "bla");
}

static void test_other_enums(void **state)
{
	(void)state;
	assert_int_equal(VACCEL_LOG_ERROR, 1);
	assert_int_equal(VACCEL_LOG_DEBUG, 4);
	assert_int_equal(VACCEL_LOG_MAX, 5);
	assert_string_equal(vaccel_log_level_to_base_str(VACCEL_LOG_WARN),
			    "WARN");
	assert_int_equal(VACCEL_PLUGIN_CPU, 0x1);
	assert_int_equal(VACCEL_PLUGIN_DEBUG, 0x100);
	assert_int_equal(VACCEL_PLUGIN_REMOTE, 0x4000);
	assert_int_equal(VACCEL_PLUGIN_ALL, 0xffff);
	assert_int_equal(VACCEL_PLUGIN_MAX, 0x10000);
	assert_string_equal(vaccel_plugin_type_to_str(VACCEL_PLUGIN_GPU),
			    "VACCEL_PLUGIN_GPU");
	assert_int_equal(VACCEL_RESOURCE_LIB, 0);
	assert_int_equal(VACCEL_RESOURCE_MODEL, 2);
	assert_int_equal(VACCEL_RESOURCE_MAX, 3);
	assert_string_equal(vaccel_resource_type_to_base_str(VACCEL_RESOURCE_DATA),
			    "DATA");
	assert_int_equal(VACCEL_BLOB_MAPPED, 2);
	assert_string_equal(vaccel_blob_type_to_str(VACCEL_BLOB_BUFFER),
			    "VACCEL_BLOB_BUFFER");
	assert_int_equal(VACCEL_PATH_REMOTE_FILE, 2);
	assert_int_equal(VACCEL_PATH_MAX, 3);
	assert_string_equal(vaccel_path_type_to_base_str(VACCEL_PATH_LOCAL_DIR),
			    "LOCAL_DIR");
	assert_int_equal(VACCEL_ARG_RAW, 0);
	assert_int_equal(VACCEL_ARG_STRING, 27);
	assert_int_equal(VACCEL_ARG_CUSTOM, 29);
	assert_int_equal(VACCEL_ARG_MAX, 30);
	assert_string_equal(vaccel_arg_type_to_base_str(VACCEL_ARG_FLOAT32_ARRAY),
			    "FLOAT32_ARRAY");
}

/*
 * A third-party enum declared the way upstream vAccel's headers declare
 * theirs: the list takes the item macro, items are ITEM(NAME[, value],
 * prefix), the prefix given through a macro that is undefined afterwards.
 */
#define _ENUM_PREFIX MY_COLOR
#define MY_COLOR_ENUM_LIST(VACCEL_ENUM_ITEM)                                   \
	VACCEL_ENUM_ITEM(RED, 3, _ENUM_PREFIX)                                 \
	VACCEL_ENUM_ITEM(GREEN, _ENUM_PREFIX)                                  \
	VACCEL_ENUM_ITEM(DARK_BLUE, 10, _ENUM_PREFIX)

VACCEL_ENUM_DEF_WITH_STR_FUNCS(my_color, _ENUM_PREFIX, MY_COLOR_ENUM_LIST)
#undef _ENUM_PREFIX

/* ... and one with the prefix written out, items and functions defined
 * separately. */
#define MY_SHAPE_ENUM_LIST(VACCEL_ENUM_ITEM)                                   \
	VACCEL_ENUM_ITEM(CIRCLE, MY_SHAPE) VACCEL_ENUM_ITEM(SQUARE, MY_SHAPE)

typedef enum { VACCEL_ENUM_DEF_ITEMS(MY_SHAPE, MY_SHAPE_ENUM_LIST) } my_shape_t;
VACCEL_ENUM_DEF_STR_FUNCS(my_shape, MY_SHAPE, MY_SHAPE_ENUM_LIST)

static void test_upstream_shape(void **state)
{
	char lower[VACCEL_ENUM_STR_MAX];

	(void)state;
	assert_int_equal(MY_COLOR_RED, 3);
	assert_int_equal(MY_COLOR_GREEN, 4);
	assert_int_equal(MY_COLOR_DARK_BLUE, 10);
	assert_int_equal(MY_COLOR_MAX, 11);
	assert_string_equal(my_color_to_str(MY_COLOR_GREEN), "MY_COLOR_GREEN");
	assert_string_equal(my_color_to_base_str(MY_COLOR_DARK_BLUE),
			    "DARK_BLUE");
	assert_string_equal(my_color_to_str((my_color_t)5), "MY_COLOR_MAX");
	assert_string_equal(my_color_to_base_str((my_color_t)5), "MAX");
	assert_string_equal(my_color_name(MY_COLOR_DARK_BLUE, lower,
					  sizeof(lower)),
			    "dark_blue");
	assert_null(my_color_name(MY_COLOR_RED, lower, 0));
	assert_int_equal(MY_SHAPE_CIRCLE, 0);
	assert_int_equal(MY_SHAPE_MAX, 2);
	assert_string_equal(my_shape_to_str(MY_SHAPE_SQUARE), "MY_SHAPE_SQUARE");
	assert_string_equal(my_shape_name(MY_SHAPE_CIRCLE, lower, 4), "cir");
	/* our own lists have the same shape */
	assert_string_equal(VACCEL_ENUM_STR(NOOP, VACCEL_OP), "VACCEL_OP_NOOP");
}

static void test_error_values(void **state)
{
	(void)state;
	assert_int_equal(VACCEL_OK, 0);
	assert_int_equal(VACCEL_EINVAL, 22);
	assert_int_equal(VACCEL_ENOTSUP, 95);
	assert_int_equal(VACCEL_ESESS, 104);
	assert_int_equal(VACCEL_EBACKEND, 71);
	assert_int_equal(VACCEL_ELIBBAD, 80);
	assert_int_equal(VACCEL_EUSERS, 87);
	assert_int_equal(VACCEL_EREMOTEIO, 121);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_op_types),
		cmocka_unit_test(test_other_enums),
		cmocka_unit_test(test_upstream_shape),
		cmocka_unit_test(test_error_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
