// SPDX-License-Identifier: Apache-2.0
/*
 * Unit tests for single args and arg arrays (vaccel/arg.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "vaccel/arg.h"
#include "vaccel/error.h"
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------ */

enum { TEST_CUSTOM_ID = 42 };

struct point {
	int32_t x;
	int32_t y;
};

static int validator_calls;

/* Accepts whole `struct point`s with id TEST_CUSTOM_ID. */
static bool point_validator(const void *buf, size_t size, uint32_t custom_id)
{
	validator_calls++;
	return buf && custom_id == TEST_CUSTOM_ID &&
	       size == sizeof(struct point);
}

/* Serializes a struct point as two int32 values (an INT32_ARRAY or CUSTOM). */
static int point_serializer(const void *data, size_t data_size,
			    uint32_t custom_id, void **buf, size_t *size)
{
	(void)custom_id;
	if (!data || data_size != sizeof(struct point))
		return VACCEL_EINVAL;

	const struct point *p = data;
	int32_t *out = malloc(2 * sizeof(*out));
	if (!out)
		return VACCEL_ENOMEM;
	out[0] = p->x;
	out[1] = p->y;
	*buf = out;
	*size = 2 * sizeof(*out);
	return VACCEL_OK;
}

static int deserializer_calls;

static int point_deserializer(const void *buf, size_t size, uint32_t custom_id,
			      size_t data_size, void *data)
{
	(void)custom_id;
	deserializer_calls++;
	if (size != 2 * sizeof(int32_t) || data_size != sizeof(struct point))
		return VACCEL_EINVAL;

	const int32_t *in = buf;
	struct point *p = data;
	p->x = in[0];
	p->y = in[1];
	return VACCEL_OK;
}

/* Produces `bad_serializer_len` bytes of 0x02 (malloc-ed). */
static size_t bad_serializer_len = 3;
static int bad_serializer(const void *data, size_t data_size,
			  uint32_t custom_id, void **buf, size_t *size)
{
	(void)data;
	(void)data_size;
	(void)custom_id;
	unsigned char *out = malloc(bad_serializer_len);
	if (!out)
		return VACCEL_ENOMEM;
	memset(out, 2, bad_serializer_len);
	*buf = out;
	*size = bad_serializer_len;
	return VACCEL_OK;
}

static int failing_serializer(const void *data, size_t data_size,
			      uint32_t custom_id, void **buf, size_t *size)
{
	(void)data;
	(void)data_size;
	(void)custom_id;
	(void)buf;
	(void)size;
	return VACCEL_EIO;
}

static int negative_serializer(const void *data, size_t data_size,
			       uint32_t custom_id, void **buf, size_t *size)
{
	(void)data;
	(void)data_size;
	(void)custom_id;
	(void)buf;
	(void)size;
	return -1;
}

static int failing_deserializer(const void *buf, size_t size,
				uint32_t custom_id, size_t data_size,
				void *data)
{
	(void)buf;
	(void)size;
	(void)custom_id;
	(void)data_size;
	(void)data;
	deserializer_calls++;
	return VACCEL_EBACKEND;
}

static int negative_deserializer(const void *buf, size_t size,
				 uint32_t custom_id, size_t data_size,
				 void *data)
{
	(void)buf;
	(void)size;
	(void)custom_id;
	(void)data_size;
	(void)data;
	return -5;
}

static bool all_zero(const void *buf, size_t size)
{
	const unsigned char *b = buf;
	for (size_t i = 0; i < size; i++)
		if (b[i])
			return false;
	return true;
}

/* ---- enum and X-macro ---------------------------------------------------- */

static void test_arg_type_enum(void **state)
{
	(void)state;

	assert_int_equal(VACCEL_ARG_RAW, 0);
	assert_int_equal(VACCEL_ARG_INT8, 1);
	assert_int_equal(VACCEL_ARG_INT8_ARRAY, 2);
	assert_int_equal(VACCEL_ARG_INT16, 3);
	assert_int_equal(VACCEL_ARG_INT16_ARRAY, 4);
	assert_int_equal(VACCEL_ARG_INT32, 5);
	assert_int_equal(VACCEL_ARG_INT32_ARRAY, 6);
	assert_int_equal(VACCEL_ARG_INT64, 7);
	assert_int_equal(VACCEL_ARG_INT64_ARRAY, 8);
	assert_int_equal(VACCEL_ARG_UINT8, 9);
	assert_int_equal(VACCEL_ARG_UINT8_ARRAY, 10);
	assert_int_equal(VACCEL_ARG_UINT16, 11);
	assert_int_equal(VACCEL_ARG_UINT16_ARRAY, 12);
	assert_int_equal(VACCEL_ARG_UINT32, 13);
	assert_int_equal(VACCEL_ARG_UINT32_ARRAY, 14);
	assert_int_equal(VACCEL_ARG_UINT64, 15);
	assert_int_equal(VACCEL_ARG_UINT64_ARRAY, 16);
	assert_int_equal(VACCEL_ARG_FLOAT32, 17);
	assert_int_equal(VACCEL_ARG_FLOAT32_ARRAY, 18);
	assert_int_equal(VACCEL_ARG_FLOAT64, 19);
	assert_int_equal(VACCEL_ARG_FLOAT64_ARRAY, 20);
	assert_int_equal(VACCEL_ARG_BOOL, 21);
	assert_int_equal(VACCEL_ARG_BOOL_ARRAY, 22);
	assert_int_equal(VACCEL_ARG_CHAR, 23);
	assert_int_equal(VACCEL_ARG_CHAR_ARRAY, 24);
	assert_int_equal(VACCEL_ARG_UCHAR, 25);
	assert_int_equal(VACCEL_ARG_UCHAR_ARRAY, 26);
	assert_int_equal(VACCEL_ARG_STRING, 27);
	assert_int_equal(VACCEL_ARG_BUFFER, 28);
	assert_int_equal(VACCEL_ARG_CUSTOM, 29);
	assert_int_equal(VACCEL_ARG_MAX, 30);

	assert_string_equal(vaccel_arg_type_to_str(VACCEL_ARG_FLOAT32_ARRAY),
			    "VACCEL_ARG_FLOAT32_ARRAY");
	assert_string_equal(vaccel_arg_type_to_str(VACCEL_ARG_MAX),
			    "VACCEL_ARG_MAX");
	assert_string_equal(vaccel_arg_type_to_base_str(VACCEL_ARG_STRING),
			    "STRING");
	char lower[VACCEL_ENUM_STR_MAX];
	assert_string_equal(vaccel_arg_type_name(VACCEL_ARG_UCHAR_ARRAY, lower,
						 sizeof(lower)),
			    "uchar_array");
}

static void test_arg_numeric_types_macro(void **state)
{
	(void)state;
	size_t rows = 0;
	size_t total_size = 0;

#define CHECK_ROW(TYPE_NAME, C_TYPE, ARG_TYPE, ARRAY_TYPE)                     \
	rows++;                                                                \
	total_size += sizeof(C_TYPE);                                          \
	assert_int_equal((ARRAY_TYPE), (ARG_TYPE) + 1);                        \
	assert_true(strstr(vaccel_arg_type_to_str(ARRAY_TYPE), "_ARRAY") !=    \
		    NULL);
	VACCEL_ARG_NUMERIC_TYPES(CHECK_ROW)
#undef CHECK_ROW

	assert_int_equal(rows, 13);
	/* 1+2+4+8 (signed) + 1+2+4+8 (unsigned) + 4+8 + 1 + 1 + 1 */
	assert_int_equal(total_size, 45);
}

/* ---- single args ----------------------------------------------------------
 */

static void test_arg_init(void **state)
{
	(void)state;
	struct vaccel_arg arg;
	int32_t src[4] = {1, 2, 3, 4};

	/* copies into owned memory */
	assert_int_equal(vaccel_arg_init(&arg, src, sizeof(src),
					 VACCEL_ARG_INT32_ARRAY, 7),
			 VACCEL_OK);
	assert_non_null(arg.buf);
	assert_ptr_not_equal(arg.buf, src);
	assert_int_equal(arg.size, sizeof(src));
	assert_int_equal(arg.type, VACCEL_ARG_INT32_ARRAY);
	assert_int_equal(arg.custom_type_id, 7);
	assert_true(arg.owned);
	src[0] = 100;
	assert_int_equal(((int32_t *)arg.buf)[0], 1);
	assert_memory_equal((int32_t *)arg.buf + 1, src + 1,
			    3 * sizeof(int32_t));

	assert_int_equal(vaccel_arg_release(&arg), VACCEL_OK);
	assert_null(arg.buf);
	assert_int_equal(arg.size, 0);
	assert_int_equal(arg.type, VACCEL_ARG_MAX);
	assert_false(arg.owned);
	/* releasing again is harmless */
	assert_int_equal(vaccel_arg_release(&arg), VACCEL_OK);

	/* zero-filled when no buffer is given */
	assert_int_equal(vaccel_arg_init(&arg, NULL, 64, VACCEL_ARG_BUFFER, 0),
			 VACCEL_OK);
	assert_non_null(arg.buf);
	assert_int_equal(arg.size, 64);
	assert_true(arg.owned);
	assert_true(all_zero(arg.buf, 64));
	assert_int_equal(vaccel_arg_release(&arg), VACCEL_OK);

	/* empty arg */
	assert_int_equal(vaccel_arg_init(&arg, NULL, 0, VACCEL_ARG_RAW, 0),
			 VACCEL_OK);
	assert_null(arg.buf);
	assert_int_equal(arg.size, 0);
	assert_false(arg.owned);
	assert_int_equal(vaccel_arg_release(&arg), VACCEL_OK);

	/* invalid */
	assert_int_equal(vaccel_arg_init(&arg, src, 0, VACCEL_ARG_RAW, 0),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_init(NULL, src, 4, VACCEL_ARG_RAW, 0),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_init(&arg, src, 4, VACCEL_ARG_MAX, 0),
			 VACCEL_EINVAL);
	assert_int_equal(
		vaccel_arg_init(&arg, src, 4, (vaccel_arg_type_t)1000, 0),
		VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_release(NULL), VACCEL_EINVAL);
}

static void test_arg_init_from_buf(void **state)
{
	(void)state;
	struct vaccel_arg arg;
	char str[] = "hello";

	assert_int_equal(vaccel_arg_init_from_buf(&arg, str, sizeof(str),
						  VACCEL_ARG_STRING, 3),
			 VACCEL_OK);
	assert_ptr_equal(arg.buf, str);
	assert_int_equal(arg.size, sizeof(str));
	assert_int_equal(arg.type, VACCEL_ARG_STRING);
	assert_int_equal(arg.custom_type_id, 3);
	assert_false(arg.owned);

	/* release does not free borrowed memory (ASan would flag it) */
	assert_int_equal(vaccel_arg_release(&arg), VACCEL_OK);
	assert_null(arg.buf);
	assert_int_equal(arg.type, VACCEL_ARG_MAX);
	assert_string_equal(str, "hello");

	assert_int_equal(
		vaccel_arg_init_from_buf(&arg, NULL, 0, VACCEL_ARG_CUSTOM, 0),
		VACCEL_OK);
	assert_null(arg.buf);
	assert_int_equal(arg.size, 0);

	assert_int_equal(
		vaccel_arg_init_from_buf(&arg, str, 0, VACCEL_ARG_RAW, 0),
		VACCEL_EINVAL);
	assert_int_equal(
		vaccel_arg_init_from_buf(&arg, NULL, 4, VACCEL_ARG_RAW, 0),
		VACCEL_EINVAL);
	assert_int_equal(
		vaccel_arg_init_from_buf(NULL, str, 4, VACCEL_ARG_RAW, 0),
		VACCEL_EINVAL);
	assert_int_equal(
		vaccel_arg_init_from_buf(&arg, str, 4, VACCEL_ARG_MAX, 0),
		VACCEL_EINVAL);
}

static void test_arg_new_delete(void **state)
{
	(void)state;
	struct vaccel_arg *arg = NULL;
	uint64_t v = 0x1122334455667788ULL;

	assert_int_equal(
		vaccel_arg_new(&arg, &v, sizeof(v), VACCEL_ARG_UINT64, 0),
		VACCEL_OK);
	assert_non_null(arg);
	assert_ptr_not_equal(arg->buf, &v);
	assert_true(arg->owned);
	assert_memory_equal(arg->buf, &v, sizeof(v));
	assert_int_equal(vaccel_arg_delete(arg), VACCEL_OK);

	arg = NULL;
	assert_int_equal(
		vaccel_arg_from_buf(&arg, &v, sizeof(v), VACCEL_ARG_UINT64, 0),
		VACCEL_OK);
	assert_non_null(arg);
	assert_ptr_equal(arg->buf, &v);
	assert_false(arg->owned);
	assert_int_equal(vaccel_arg_delete(arg), VACCEL_OK);

	/* failures leave the output alone and leak nothing */
	arg = NULL;
	assert_int_equal(vaccel_arg_new(&arg, &v, 0, VACCEL_ARG_RAW, 0),
			 VACCEL_EINVAL);
	assert_null(arg);
	assert_int_equal(vaccel_arg_from_buf(&arg, NULL, 8, VACCEL_ARG_RAW, 0),
			 VACCEL_EINVAL);
	assert_null(arg);
	assert_int_equal(vaccel_arg_new(NULL, &v, 8, VACCEL_ARG_RAW, 0),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_from_buf(NULL, &v, 8, VACCEL_ARG_RAW, 0),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_delete(NULL), VACCEL_EINVAL);
}

/* ---- array lifecycle --------------------------------------------------- */

static void test_array_init_release(void **state)
{
	(void)state;
	struct vaccel_arg_array array;

	assert_int_equal(vaccel_arg_array_init(&array, 0), VACCEL_OK);
	assert_non_null(array.args);
	assert_int_equal(array.capacity, 8);
	assert_int_equal(array.count, 0);
	assert_int_equal(array.position, 0);
	assert_true(array.owned);
	assert_int_equal(vaccel_arg_array_release(&array), VACCEL_OK);
	assert_null(array.args);
	assert_int_equal(array.capacity, 0);
	assert_int_equal(array.count, 0);
	assert_false(array.owned);
	/* double release is detected */
	assert_int_equal(vaccel_arg_array_release(&array), VACCEL_EINVAL);

	assert_int_equal(vaccel_arg_array_init(&array, 3), VACCEL_OK);
	assert_int_equal(array.capacity, 3);
	assert_int_equal(vaccel_arg_array_release(&array), VACCEL_OK);

	assert_int_equal(vaccel_arg_array_init(NULL, 0), VACCEL_EINVAL);
	/* capacity * sizeof(struct vaccel_arg) would overflow */
	assert_int_equal(vaccel_arg_array_init(&array, SIZE_MAX),
			 VACCEL_ENOMEM);
	assert_int_equal(vaccel_arg_array_release(NULL), VACCEL_EINVAL);
}

static void test_array_new_delete(void **state)
{
	(void)state;
	struct vaccel_arg_array *array = NULL;
	int32_t v = 5;

	assert_int_equal(vaccel_arg_array_new(&array, 2), VACCEL_OK);
	assert_non_null(array);
	assert_int_equal(array->capacity, 2);
	assert_true(array->owned);
	assert_int_equal(vaccel_arg_array_add_int32(array, &v), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_delete(array), VACCEL_OK);

	array = NULL;
	assert_int_equal(vaccel_arg_array_new(&array, SIZE_MAX), VACCEL_ENOMEM);
	assert_null(array);
	assert_int_equal(vaccel_arg_array_new(NULL, 0), VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_delete(NULL), VACCEL_EINVAL);
}

static void test_array_growth(void **state)
{
	(void)state;
	struct vaccel_arg_array array;
	int32_t values[100];

	assert_int_equal(vaccel_arg_array_init(&array, 1), VACCEL_OK);
	size_t expected_capacity = 1;
	for (int32_t i = 0; i < 100; i++) {
		values[i] = i * 3;
		assert_int_equal(vaccel_arg_array_add_int32(&array, &values[i]),
				 VACCEL_OK);
		if ((size_t)i + 1 > expected_capacity)
			expected_capacity *= 2;
		assert_int_equal(array.capacity, expected_capacity);
		assert_int_equal(array.count, (size_t)i + 1);
	}
	assert_int_equal(array.capacity, 128);

	for (int32_t i = 0; i < 100; i++) {
		int32_t out = -1;
		assert_int_equal(vaccel_arg_array_get_int32(&array, &out),
				 VACCEL_OK);
		assert_int_equal(out, i * 3);
		assert_ptr_equal(array.args[i].buf, &values[i]);
	}
	assert_int_equal(vaccel_arg_array_release(&array), VACCEL_OK);

	/* default capacity 8, then 16 */
	assert_int_equal(vaccel_arg_array_init(&array, 0), VACCEL_OK);
	for (int i = 0; i < 9; i++)
		assert_int_equal(vaccel_arg_array_add_int32(&array, &values[i]),
				 VACCEL_OK);
	assert_int_equal(array.capacity, 16);
	assert_int_equal(vaccel_arg_array_release(&array), VACCEL_OK);
}

static void test_array_growth_overflow(void **state)
{
	(void)state;
	struct vaccel_arg dummy;
	const size_t max_args = SIZE_MAX / sizeof(struct vaccel_arg);
	int32_t v = 1;

	/* A (fake) full array at the largest representable size cannot grow;
	 * the overflow is detected before any allocation or access. */
	struct vaccel_arg_array huge = {
		.args = &dummy,
		.count = max_args,
		.capacity = max_args,
		.position = 0,
		.owned = true,
	};
	assert_int_equal(vaccel_arg_array_add_int32(&huge, &v), VACCEL_ENOMEM);
	assert_int_equal(huge.count, max_args);
	assert_ptr_equal(huge.args, &dummy);

	/* Same for a range that cannot fit. */
	struct vaccel_arg_array dest;
	assert_int_equal(vaccel_arg_array_init(&dest, 1), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_int32(&dest, &v), VACCEL_OK);
	struct vaccel_arg_array src = {
		.args = &dummy,
		.count = SIZE_MAX,
		.capacity = SIZE_MAX,
		.position = 0,
		.owned = false,
	};
	assert_int_equal(
		vaccel_arg_array_add_range(&dest, &src, 0, SIZE_MAX, false),
		VACCEL_ENOMEM);
	assert_int_equal(
		vaccel_arg_array_add_range(&dest, &src, 1, max_args, false),
		VACCEL_ENOMEM);
	assert_int_equal(dest.count, 1);
	assert_int_equal(vaccel_arg_array_release(&dest), VACCEL_OK);
}

static void test_array_wrap(void **state)
{
	(void)state;
	struct vaccel_arg raw[2];
	struct vaccel_arg_array array;
	int32_t a = 11;
	int32_t b = 22;
	int32_t out = 0;

	/* owned args created by the caller */
	assert_int_equal(
		vaccel_arg_init(&raw[0], &a, sizeof(a), VACCEL_ARG_INT32, 0),
		VACCEL_OK);
	assert_int_equal(
		vaccel_arg_init(&raw[1], &b, sizeof(b), VACCEL_ARG_INT32, 0),
		VACCEL_OK);

	assert_int_equal(vaccel_arg_array_wrap(&array, raw, 2), VACCEL_OK);
	assert_ptr_equal(array.args, raw);
	assert_int_equal(array.count, 2);
	assert_int_equal(array.capacity, 2);
	assert_int_equal(array.position, 0);
	assert_false(array.owned);

	assert_int_equal(vaccel_arg_array_get_int32(&array, &out), VACCEL_OK);
	assert_int_equal(out, 11);
	assert_int_equal(vaccel_arg_array_get_int32(&array, &out), VACCEL_OK);
	assert_int_equal(out, 22);
	assert_int_equal(vaccel_arg_array_get_int32(&array, &out),
			 VACCEL_ERANGE);

	/* fixed size: adding to a full wrapped array fails */
	assert_int_equal(vaccel_arg_array_add_int32(&array, &a), VACCEL_ERANGE);
	assert_int_equal(vaccel_arg_array_add_string(&array, "x"),
			 VACCEL_ERANGE);
	assert_int_equal(array.count, 2);

	/* releasing the view leaves the caller's args alone */
	assert_int_equal(vaccel_arg_array_release(&array), VACCEL_OK);
	assert_null(array.args);
	assert_true(raw[0].owned);
	assert_int_equal(*(int32_t *)raw[0].buf, 11);
	assert_int_equal(*(int32_t *)raw[1].buf, 22);

	/* clearing a view releases its args and makes room in the storage */
	assert_int_equal(vaccel_arg_array_wrap(&array, raw, 2), VACCEL_OK);
	vaccel_arg_array_clear(&array);
	assert_int_equal(array.count, 0);
	assert_int_equal(array.capacity, 2);
	assert_null(raw[0].buf);
	assert_int_equal(raw[0].type, VACCEL_ARG_MAX);
	assert_int_equal(vaccel_arg_array_add_int32(&array, &b), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_int32(&array, &a), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_int32(&array, &a), VACCEL_ERANGE);
	assert_ptr_equal(raw[0].buf, &b);
	assert_ptr_equal(raw[1].buf, &a);
	assert_false(raw[0].owned);

	/* an empty view */
	assert_int_equal(vaccel_arg_array_wrap(&array, NULL, 0), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_count(&array), 0);
	assert_int_equal(vaccel_arg_array_get_int32(&array, &out),
			 VACCEL_ERANGE);
	assert_int_equal(vaccel_arg_array_add_int32(&array, &a), VACCEL_ERANGE);

	assert_int_equal(vaccel_arg_array_wrap(NULL, raw, 2), VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_wrap(&array, NULL, 2), VACCEL_EINVAL);
}

static void test_array_clear(void **state)
{
	(void)state;
	struct vaccel_arg_array src;
	struct vaccel_arg_array array;
	int32_t v = 3;
	char str[] = "copied";

	assert_int_equal(vaccel_arg_array_init(&src, 0), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_int32(&src, &v), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_string(&src, str), VACCEL_OK);

	assert_int_equal(vaccel_arg_array_init(&array, 2), VACCEL_OK);
	/* owned copies: clear must free them (checked by ASan/valgrind) */
	assert_int_equal(vaccel_arg_array_add_all(&array, &src, true),
			 VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_int32(&array, &v), VACCEL_OK);
	assert_int_equal(array.count, 3);
	assert_int_equal(array.capacity, 4);
	int32_t out;
	assert_int_equal(vaccel_arg_array_get_int32(&array, &out), VACCEL_OK);

	vaccel_arg_array_clear(&array);
	assert_int_equal(array.count, 0);
	assert_int_equal(array.position, 0);
	assert_int_equal(array.capacity, 4);
	assert_non_null(array.args);
	assert_true(array.owned);
	assert_null(array.args[0].buf);
	assert_false(array.args[0].owned);

	/* reusable after clear */
	assert_int_equal(vaccel_arg_array_add_int32(&array, &v), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_get_int32(&array, &out), VACCEL_OK);
	assert_int_equal(out, 3);

	vaccel_arg_array_clear(NULL); /* no crash */

	assert_int_equal(vaccel_arg_array_release(&array), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_release(&src), VACCEL_OK);
	assert_string_equal(str, "copied");
}

/* ---- adding -----------------------------------------------------------------
 */

static void test_add_raw(void **state)
{
	(void)state;
	struct vaccel_arg_array array;
	unsigned char buf[5] = {1, 2, 3, 4, 5};

	assert_int_equal(vaccel_arg_array_init(&array, 0), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_raw(&array, buf, sizeof(buf)),
			 VACCEL_OK);
	assert_ptr_equal(array.args[0].buf, buf);
	assert_int_equal(array.args[0].size, sizeof(buf));
	assert_int_equal(array.args[0].type, VACCEL_ARG_RAW);
	assert_false(array.args[0].owned);
	/* an empty raw arg is allowed */
	assert_int_equal(vaccel_arg_array_add_raw(&array, NULL, 0), VACCEL_OK);
	assert_int_equal(array.count, 2);

	assert_int_equal(vaccel_arg_array_add_raw(&array, buf, 0),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_add_raw(&array, NULL, 5),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_add_raw(NULL, buf, 5), VACCEL_EINVAL);
	assert_int_equal(array.count, 2);
	assert_int_equal(vaccel_arg_array_release(&array), VACCEL_OK);
}

static void test_add_string(void **state)
{
	(void)state;
	struct vaccel_arg_array array;
	char str[] = "vaccel";
	char empty[] = "";

	assert_int_equal(vaccel_arg_array_init(&array, 0), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_string(&array, str), VACCEL_OK);
	assert_ptr_equal(array.args[0].buf, str);
	assert_int_equal(array.args[0].size, strlen(str) + 1);
	assert_int_equal(array.args[0].type, VACCEL_ARG_STRING);
	assert_false(array.args[0].owned);
	assert_int_equal(vaccel_arg_array_add_string(&array, empty), VACCEL_OK);
	assert_int_equal(array.args[1].size, 1);

	assert_int_equal(vaccel_arg_array_add_string(&array, NULL),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_add_string(NULL, str), VACCEL_EINVAL);
	assert_int_equal(array.count, 2);
	assert_int_equal(vaccel_arg_array_release(&array), VACCEL_OK);
}

static void test_add_buffer(void **state)
{
	(void)state;
	struct vaccel_arg_array array;
	float buf[3] = {1.0f, 2.0f, 3.0f};

	assert_int_equal(vaccel_arg_array_init(&array, 0), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_buffer(&array, buf, sizeof(buf)),
			 VACCEL_OK);
	assert_ptr_equal(array.args[0].buf, buf);
	assert_int_equal(array.args[0].size, sizeof(buf));
	assert_int_equal(array.args[0].type, VACCEL_ARG_BUFFER);
	assert_false(array.args[0].owned);

	/* BUFFER must be non-empty */
	assert_int_equal(vaccel_arg_array_add_buffer(&array, buf, 0),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_add_buffer(&array, NULL, 4),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_add_buffer(&array, NULL, 0),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_add_buffer(NULL, buf, 4),
			 VACCEL_EINVAL);
	assert_int_equal(array.count, 1);
	assert_int_equal(vaccel_arg_array_release(&array), VACCEL_OK);
}

static void test_add_custom(void **state)
{
	(void)state;
	struct vaccel_arg_array array;
	struct point p = {1, 2};
	int32_t small = 0;

	assert_int_equal(vaccel_arg_array_init(&array, 0), VACCEL_OK);

	validator_calls = 0;
	assert_int_equal(vaccel_arg_array_add_custom(&array, TEST_CUSTOM_ID, &p,
						     sizeof(p),
						     point_validator),
			 VACCEL_OK);
	assert_int_equal(validator_calls, 1);
	assert_ptr_equal(array.args[0].buf, &p);
	assert_int_equal(array.args[0].size, sizeof(p));
	assert_int_equal(array.args[0].type, VACCEL_ARG_CUSTOM);
	assert_int_equal(array.args[0].custom_type_id, TEST_CUSTOM_ID);
	assert_false(array.args[0].owned);

	/* rejected by the validator: wrong size, wrong id */
	assert_int_equal(vaccel_arg_array_add_custom(&array, TEST_CUSTOM_ID,
						     &small, sizeof(small),
						     point_validator),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_add_custom(&array, 7, &p, sizeof(p),
						     point_validator),
			 VACCEL_EINVAL);
	assert_int_equal(validator_calls, 3);

	/* no validator: accepted as is */
	assert_int_equal(vaccel_arg_array_add_custom(&array, 7, &small,
						     sizeof(small), NULL),
			 VACCEL_OK);
	assert_int_equal(array.args[1].custom_type_id, 7);

	assert_int_equal(vaccel_arg_array_add_custom(&array, 7, &p, 0, NULL),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_add_custom(&array, 7, NULL, 4, NULL),
			 VACCEL_EINVAL);
	assert_int_equal(
		vaccel_arg_array_add_custom(NULL, 7, &p, sizeof(p), NULL),
		VACCEL_EINVAL);
	assert_int_equal(array.count, 2);
	assert_int_equal(vaccel_arg_array_release(&array), VACCEL_OK);
}

static void test_add_serialized(void **state)
{
	(void)state;
	struct vaccel_arg_array array;
	struct point p = {-3, 9};

	assert_int_equal(vaccel_arg_array_init(&array, 0), VACCEL_OK);

	/* builtin type: output validated and owned by the array */
	assert_int_equal(vaccel_arg_array_add_serialized(
				 &array, VACCEL_ARG_INT32_ARRAY, 0, &p,
				 sizeof(p), point_serializer),
			 VACCEL_OK);
	assert_int_equal(array.args[0].type, VACCEL_ARG_INT32_ARRAY);
	assert_int_equal(array.args[0].size, 2 * sizeof(int32_t));
	assert_true(array.args[0].owned);
	assert_ptr_not_equal(array.args[0].buf, &p);
	p.x = 100; /* the arg holds its own copy */

	/* custom type */
	assert_int_equal(vaccel_arg_array_add_serialized(
				 &array, VACCEL_ARG_CUSTOM, TEST_CUSTOM_ID, &p,
				 sizeof(p), point_serializer),
			 VACCEL_OK);
	assert_int_equal(array.args[1].type, VACCEL_ARG_CUSTOM);
	assert_int_equal(array.args[1].custom_type_id, TEST_CUSTOM_ID);
	assert_true(array.args[1].owned);

	int32_t *vals = NULL;
	size_t n = 0;
	assert_int_equal(vaccel_arg_array_get_int32_array(&array, &vals, &n),
			 VACCEL_OK);
	assert_int_equal(n, 2);
	assert_int_equal(vals[0], -3);
	assert_int_equal(vals[1], 9);

	/* serializer errors are propagated, nothing is added */
	assert_int_equal(vaccel_arg_array_add_serialized(&array, VACCEL_ARG_RAW,
							 0, &p, sizeof(p),
							 failing_serializer),
			 VACCEL_EIO);
	assert_int_equal(vaccel_arg_array_add_serialized(&array, VACCEL_ARG_RAW,
							 0, &p, sizeof(p),
							 negative_serializer),
			 VACCEL_EINVAL);
	assert_int_equal(
		vaccel_arg_array_add_serialized(&array, VACCEL_ARG_INT32_ARRAY,
						0, &p, 1, point_serializer),
		VACCEL_EINVAL);

	/* output that breaks the type rules is rejected (and freed) */
	bad_serializer_len = 3;
	assert_int_equal(
		vaccel_arg_array_add_serialized(&array, VACCEL_ARG_INT32, 0,
						NULL, 0, bad_serializer),
		VACCEL_EINVAL);
	bad_serializer_len = 1;
	assert_int_equal(
		vaccel_arg_array_add_serialized(&array, VACCEL_ARG_BOOL, 0,
						NULL, 0, bad_serializer),
		VACCEL_EINVAL);
	assert_int_equal(
		vaccel_arg_array_add_serialized(&array, VACCEL_ARG_STRING, 0,
						NULL, 0, bad_serializer),
		VACCEL_EINVAL);
	/* ... but fine for an unchecked type */
	assert_int_equal(
		vaccel_arg_array_add_serialized(&array, VACCEL_ARG_UINT8, 0,
						NULL, 0, bad_serializer),
		VACCEL_OK);
	assert_true(array.args[2].owned);
	assert_int_equal(*(uint8_t *)array.args[2].buf, 2);

	assert_int_equal(vaccel_arg_array_add_serialized(&array, VACCEL_ARG_RAW,
							 0, &p, sizeof(p),
							 NULL),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_add_serialized(&array, VACCEL_ARG_MAX,
							 0, &p, sizeof(p),
							 point_serializer),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_add_serialized(NULL, VACCEL_ARG_RAW,
							 0, &p, sizeof(p),
							 point_serializer),
			 VACCEL_EINVAL);
	assert_int_equal(array.count, 3);

	/* release frees the serialized buffers (leak-checked) */
	assert_int_equal(vaccel_arg_array_release(&array), VACCEL_OK);
}

static void test_add_range(void **state)
{
	(void)state;
	struct vaccel_arg_array src;
	struct vaccel_arg_array dest;
	int32_t v[4] = {10, 20, 30, 40};
	char str[] = "text";

	assert_int_equal(vaccel_arg_array_init(&src, 0), VACCEL_OK);
	for (int i = 0; i < 4; i++)
		assert_int_equal(vaccel_arg_array_add_int32(&src, &v[i]),
				 VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_string(&src, str), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_raw(&src, NULL, 0), VACCEL_OK);

	/* borrowed */
	assert_int_equal(vaccel_arg_array_init(&dest, 1), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_range(&dest, &src, 1, 2, false),
			 VACCEL_OK);
	assert_int_equal(dest.count, 2);
	assert_ptr_equal(dest.args[0].buf, &v[1]);
	assert_ptr_equal(dest.args[1].buf, &v[2]);
	assert_false(dest.args[0].owned);
	assert_int_equal(dest.args[0].type, VACCEL_ARG_INT32);

	/* copied: owned, independent of the source */
	assert_int_equal(vaccel_arg_array_add_range(&dest, &src, 3, 3, true),
			 VACCEL_OK);
	assert_int_equal(dest.count, 5);
	assert_ptr_not_equal(dest.args[2].buf, &v[3]);
	assert_true(dest.args[2].owned);
	assert_true(dest.args[3].owned);
	assert_int_equal(dest.args[3].type, VACCEL_ARG_STRING);
	assert_int_equal(dest.args[3].size, sizeof(str));
	/* an empty arg stays empty */
	assert_null(dest.args[4].buf);
	assert_false(dest.args[4].owned);
	v[3] = -1;
	str[0] = 'T';
	int32_t out;
	char *s;
	vaccel_arg_array_set_position(&dest, 2);
	assert_int_equal(vaccel_arg_array_get_int32(&dest, &out), VACCEL_OK);
	assert_int_equal(out, 40);
	assert_int_equal(vaccel_arg_array_get_string(&dest, &s), VACCEL_OK);
	assert_string_equal(s, "text");

	/* count 0 is a no-op, even at the end */
	assert_int_equal(vaccel_arg_array_add_range(&dest, &src, 6, 0, true),
			 VACCEL_OK);
	assert_int_equal(dest.count, 5);

	/* out of range: nothing added */
	assert_int_equal(vaccel_arg_array_add_range(&dest, &src, 7, 0, false),
			 VACCEL_ERANGE);
	assert_int_equal(vaccel_arg_array_add_range(&dest, &src, 5, 2, false),
			 VACCEL_ERANGE);
	assert_int_equal(
		vaccel_arg_array_add_range(&dest, &src, 1, SIZE_MAX, true),
		VACCEL_ERANGE);
	assert_int_equal(
		vaccel_arg_array_add_range(&dest, &src, SIZE_MAX, 2, true),
		VACCEL_ERANGE);
	assert_int_equal(dest.count, 5);

	assert_int_equal(vaccel_arg_array_add_range(&dest, &dest, 0, 1, false),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_add_range(NULL, &src, 0, 1, false),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_add_range(&dest, NULL, 0, 1, false),
			 VACCEL_EINVAL);

	/* into a fixed array: all or nothing */
	struct vaccel_arg storage[2];
	struct vaccel_arg_array fixed;
	memset(storage, 0, sizeof(storage));
	assert_int_equal(vaccel_arg_array_wrap(&fixed, storage, 2), VACCEL_OK);
	vaccel_arg_array_clear(&fixed);
	assert_int_equal(vaccel_arg_array_add_range(&fixed, &src, 0, 3, true),
			 VACCEL_ERANGE);
	assert_int_equal(fixed.count, 0);
	assert_int_equal(vaccel_arg_array_add_range(&fixed, &src, 0, 2, false),
			 VACCEL_OK);
	assert_int_equal(fixed.count, 2);
	assert_ptr_equal(storage[1].buf, &v[1]);

	assert_int_equal(vaccel_arg_array_release(&dest), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_release(&src), VACCEL_OK);
}

static void test_add_remaining_all(void **state)
{
	(void)state;
	struct vaccel_arg_array src;
	struct vaccel_arg_array dest;
	uint16_t v[3] = {1, 2, 3};

	assert_int_equal(vaccel_arg_array_init(&src, 0), VACCEL_OK);
	for (int i = 0; i < 3; i++)
		assert_int_equal(vaccel_arg_array_add_uint16(&src, &v[i]),
				 VACCEL_OK);
	assert_int_equal(vaccel_arg_array_init(&dest, 0), VACCEL_OK);

	uint16_t out;
	assert_int_equal(vaccel_arg_array_get_uint16(&src, &out), VACCEL_OK);

	/* remaining: from position 1 */
	assert_int_equal(vaccel_arg_array_add_remaining(&dest, &src, false),
			 VACCEL_OK);
	assert_int_equal(dest.count, 2);
	assert_ptr_equal(dest.args[0].buf, &v[1]);
	assert_ptr_equal(dest.args[1].buf, &v[2]);
	/* the source position is not changed */
	assert_int_equal(src.position, 1);

	/* all: copied */
	assert_int_equal(vaccel_arg_array_add_all(&dest, &src, true),
			 VACCEL_OK);
	assert_int_equal(dest.count, 5);
	for (size_t i = 2; i < 5; i++) {
		assert_true(dest.args[i].owned);
		assert_memory_equal(dest.args[i].buf, &v[i - 2],
				    sizeof(uint16_t));
	}

	/* at the end, nothing remains */
	vaccel_arg_array_set_position(&src, 3);
	assert_int_equal(vaccel_arg_array_add_remaining(&dest, &src, true),
			 VACCEL_OK);
	assert_int_equal(dest.count, 5);

	assert_int_equal(vaccel_arg_array_add_remaining(NULL, &src, true),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_add_remaining(&dest, NULL, true),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_add_all(NULL, &src, false),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_add_all(&dest, NULL, false),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_add_all(&dest, &dest, false),
			 VACCEL_EINVAL);

	/* heap array with owned copies: delete frees everything */
	struct vaccel_arg_array *heap = NULL;
	assert_int_equal(vaccel_arg_array_new(&heap, 1), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_all(heap, &src, true), VACCEL_OK);
	assert_int_equal(heap->count, 3);
	assert_int_equal(vaccel_arg_array_delete(heap), VACCEL_OK);

	assert_int_equal(vaccel_arg_array_release(&dest), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_release(&src), VACCEL_OK);
}

/* ---- typed families (one test per VACCEL_ARG_NUMERIC_TYPES row) ---------- */

/* A value of type C for index k; 0 for k == 0 (false for bool). */
#define TV(C, k) ((C)((k)*5 % 7))

#define DEFINE_TYPED_TEST(TYPE_NAME, C_TYPE, ARG_TYPE, ARRAY_TYPE)             \
	static void test_typed_##TYPE_NAME(void **state)                       \
	{                                                                      \
		(void)state;                                                   \
		struct vaccel_arg_array array;                                 \
		C_TYPE value = TV(C_TYPE, 1);                                  \
		C_TYPE values[3] = {TV(C_TYPE, 0), TV(C_TYPE, 1),              \
				    TV(C_TYPE, 2)};                            \
		C_TYPE out = TV(C_TYPE, 0);                                    \
		C_TYPE *out_values = NULL;                                     \
		size_t n = 0;                                                  \
                                                                               \
		/* add: borrowed, typed */                                     \
		assert_int_equal(vaccel_arg_array_init(&array, 0), VACCEL_OK); \
		assert_int_equal(                                              \
			vaccel_arg_array_add_##TYPE_NAME(&array, &value),      \
			VACCEL_OK);                                            \
		assert_ptr_equal(array.args[0].buf, &value);                   \
		assert_int_equal(array.args[0].size, sizeof(C_TYPE));          \
		assert_int_equal(array.args[0].type, ARG_TYPE);                \
		assert_false(array.args[0].owned);                             \
		assert_int_equal(vaccel_arg_array_add_##TYPE_NAME##_array(     \
					 &array, values, 3),                   \
				 VACCEL_OK);                                   \
		assert_ptr_equal(array.args[1].buf, values);                   \
		assert_int_equal(array.args[1].size, 3 * sizeof(C_TYPE));      \
		assert_int_equal(array.args[1].type, ARRAY_TYPE);              \
		assert_false(array.args[1].owned);                             \
                                                                               \
		/* invalid adds change nothing */                              \
		assert_int_equal(                                              \
			vaccel_arg_array_add_##TYPE_NAME(NULL, &value),        \
			VACCEL_EINVAL);                                        \
		assert_int_equal(                                              \
			vaccel_arg_array_add_##TYPE_NAME(&array, NULL),        \
			VACCEL_EINVAL);                                        \
		assert_int_equal(vaccel_arg_array_add_##TYPE_NAME##_array(     \
					 &array, NULL, 3),                     \
				 VACCEL_EINVAL);                               \
		assert_int_equal(vaccel_arg_array_add_##TYPE_NAME##_array(     \
					 &array, values, 0),                   \
				 VACCEL_EINVAL);                               \
		assert_int_equal(vaccel_arg_array_add_##TYPE_NAME##_array(     \
					 NULL, values, 3),                     \
				 VACCEL_EINVAL);                               \
		if (sizeof(C_TYPE) > 1)                                        \
			assert_int_equal(                                      \
				vaccel_arg_array_add_##TYPE_NAME##_array(      \
					&array, values, SIZE_MAX),             \
				VACCEL_EINVAL);                                \
		assert_int_equal(array.count, 2);                              \
                                                                               \
		/* get: scalar copied out, array by pointer, then ERANGE */    \
		assert_int_equal(                                              \
			vaccel_arg_array_get_##TYPE_NAME(&array, &out),        \
			VACCEL_OK);                                            \
		assert_memory_equal(&out, &value, sizeof(C_TYPE));             \
		assert_int_equal(array.position, 1);                           \
		assert_int_equal(                                              \
			vaccel_arg_array_get_##TYPE_NAME(&array, &out),        \
			VACCEL_EINVAL);                                        \
		assert_int_equal(array.position, 1);                           \
		assert_int_equal(vaccel_arg_array_get_##TYPE_NAME##_array(     \
					 &array, &out_values, &n),             \
				 VACCEL_OK);                                   \
		assert_ptr_equal(out_values, values);                          \
		assert_int_equal(n, 3);                                        \
		assert_int_equal(array.position, 2);                           \
		assert_int_equal(                                              \
			vaccel_arg_array_get_##TYPE_NAME(&array, &out),        \
			VACCEL_ERANGE);                                        \
		assert_int_equal(vaccel_arg_array_get_##TYPE_NAME##_array(     \
					 &array, &out_values, &n),             \
				 VACCEL_ERANGE);                               \
		assert_int_equal(array.position, 2);                           \
                                                                               \
		vaccel_arg_array_reset_position(&array);                       \
		assert_int_equal(vaccel_arg_array_get_##TYPE_NAME##_array(     \
					 &array, &out_values, &n),             \
				 VACCEL_EINVAL);                               \
		assert_int_equal(                                              \
			vaccel_arg_array_get_##TYPE_NAME(&array, NULL),        \
			VACCEL_EINVAL);                                        \
		assert_int_equal(vaccel_arg_array_get_##TYPE_NAME(NULL, &out), \
				 VACCEL_EINVAL);                               \
		assert_int_equal(array.position, 0);                           \
		assert_int_equal(                                              \
			vaccel_arg_array_get_##TYPE_NAME(&array, &out),        \
			VACCEL_OK);                                            \
		assert_int_equal(vaccel_arg_array_get_##TYPE_NAME##_array(     \
					 &array, NULL, &n),                    \
				 VACCEL_EINVAL);                               \
		assert_int_equal(vaccel_arg_array_get_##TYPE_NAME##_array(     \
					 NULL, &out_values, &n),               \
				 VACCEL_EINVAL);                               \
		out_values = NULL;                                             \
		assert_int_equal(vaccel_arg_array_get_##TYPE_NAME##_array(     \
					 &array, &out_values, NULL),           \
				 VACCEL_OK);                                   \
		assert_ptr_equal(out_values, values);                          \
		assert_int_equal(vaccel_arg_array_release(&array), VACCEL_OK); \
                                                                               \
		/* get: malformed args (wrong sizes, empty) */                 \
		unsigned char raw[3 * sizeof(C_TYPE) + 1];                     \
		memset(raw, 0, sizeof(raw));                                   \
		struct vaccel_arg bad[4];                                      \
		assert_int_equal(vaccel_arg_init_from_buf(&bad[0], raw,        \
							  sizeof(C_TYPE) + 1,  \
							  ARG_TYPE, 0),        \
				 VACCEL_OK);                                   \
		/* a buffer but no size (cannot be made by init_from_buf) */   \
		bad[1].buf = raw;                                              \
		bad[1].size = 0;                                               \
		bad[1].type = ARRAY_TYPE;                                      \
		bad[1].custom_type_id = 0;                                     \
		bad[1].owned = false;                                          \
		assert_int_equal(                                              \
			vaccel_arg_init_from_buf(                              \
				&bad[2], raw,                                  \
				sizeof(C_TYPE) > 1 ? 2 * sizeof(C_TYPE) + 1    \
						   : sizeof(raw),              \
				sizeof(C_TYPE) > 1 ? ARRAY_TYPE : ARG_TYPE,    \
				0),                                            \
			VACCEL_OK);                                            \
		assert_int_equal(vaccel_arg_init_from_buf(&bad[3], NULL, 0,    \
							  ARG_TYPE, 0),        \
				 VACCEL_OK);                                   \
		struct vaccel_arg_array bad_array;                             \
		assert_int_equal(vaccel_arg_array_wrap(&bad_array, bad, 4),    \
				 VACCEL_OK);                                   \
		assert_int_equal(                                              \
			vaccel_arg_array_get_##TYPE_NAME(&bad_array, &out),    \
			VACCEL_EINVAL);                                        \
		vaccel_arg_array_set_position(&bad_array, 1);                  \
		assert_int_equal(vaccel_arg_array_get_##TYPE_NAME##_array(     \
					 &bad_array, &out_values, &n),         \
				 VACCEL_EINVAL);                               \
		vaccel_arg_array_set_position(&bad_array, 2);                  \
		if (sizeof(C_TYPE) > 1)                                        \
			assert_int_equal(                                      \
				vaccel_arg_array_get_##TYPE_NAME##_array(      \
					&bad_array, &out_values, &n),          \
				VACCEL_EINVAL);                                \
		else                                                           \
			assert_int_equal(vaccel_arg_array_get_##TYPE_NAME(     \
						 &bad_array, &out),            \
					 VACCEL_EINVAL);                       \
		vaccel_arg_array_set_position(&bad_array, 3);                  \
		assert_int_equal(                                              \
			vaccel_arg_array_get_##TYPE_NAME(&bad_array, &out),    \
			VACCEL_EINVAL);                                        \
		assert_int_equal(bad_array.position, 3);                       \
		/* ... and the same write args are rejected by setters */      \
		vaccel_arg_array_reset_position(&bad_array);                   \
		assert_int_equal(                                              \
			vaccel_arg_array_set_##TYPE_NAME(&bad_array, &value),  \
			VACCEL_EINVAL);                                        \
		vaccel_arg_array_set_position(&bad_array, 1);                  \
		assert_int_equal(vaccel_arg_array_set_##TYPE_NAME##_array(     \
					 &bad_array, values, 1),               \
				 VACCEL_EINVAL);                               \
		assert_int_equal(bad_array.position, 1);                       \
                                                                               \
		/* set: into zero-filled write args */                         \
		struct vaccel_arg w[2];                                        \
		struct vaccel_arg_array wa;                                    \
		assert_int_equal(vaccel_arg_init(&w[0], NULL, sizeof(C_TYPE),  \
						 ARG_TYPE, 0),                 \
				 VACCEL_OK);                                   \
		assert_int_equal(vaccel_arg_init(&w[1], NULL,                  \
						 4 * sizeof(C_TYPE),           \
						 ARRAY_TYPE, 0),               \
				 VACCEL_OK);                                   \
		assert_int_equal(vaccel_arg_array_wrap(&wa, w, 2), VACCEL_OK); \
		assert_int_equal(vaccel_arg_array_set_##TYPE_NAME##_array(     \
					 &wa, values, 3),                      \
				 VACCEL_EINVAL);                               \
		assert_int_equal(vaccel_arg_array_set_##TYPE_NAME(&wa, NULL),  \
				 VACCEL_EINVAL);                               \
		assert_int_equal(                                              \
			vaccel_arg_array_set_##TYPE_NAME(NULL, &value),        \
			VACCEL_EINVAL);                                        \
		assert_int_equal(wa.position, 0);                              \
		assert_int_equal(                                              \
			vaccel_arg_array_set_##TYPE_NAME(&wa, &value),         \
			VACCEL_OK);                                            \
		assert_memory_equal(w[0].buf, &value, sizeof(C_TYPE));         \
		assert_int_equal(wa.position, 1);                              \
		assert_int_equal(                                              \
			vaccel_arg_array_set_##TYPE_NAME(&wa, &value),         \
			VACCEL_EINVAL);                                        \
		C_TYPE five[5];                                                \
		memset(five, 0, sizeof(five));                                 \
		assert_int_equal(vaccel_arg_array_set_##TYPE_NAME##_array(     \
					 &wa, five, 5),                        \
				 VACCEL_EINVAL);                               \
		assert_int_equal(vaccel_arg_array_set_##TYPE_NAME##_array(     \
					 &wa, values, 0),                      \
				 VACCEL_EINVAL);                               \
		assert_int_equal(vaccel_arg_array_set_##TYPE_NAME##_array(     \
					 &wa, NULL, 3),                        \
				 VACCEL_EINVAL);                               \
		assert_int_equal(vaccel_arg_array_set_##TYPE_NAME##_array(     \
					 NULL, values, 3),                     \
				 VACCEL_EINVAL);                               \
		if (sizeof(C_TYPE) > 1)                                        \
			assert_int_equal(                                      \
				vaccel_arg_array_set_##TYPE_NAME##_array(      \
					&wa, values, SIZE_MAX),                \
				VACCEL_EINVAL);                                \
		assert_int_equal(wa.position, 1);                              \
		assert_int_equal(vaccel_arg_array_set_##TYPE_NAME##_array(     \
					 &wa, values, 3),                      \
				 VACCEL_OK);                                   \
		assert_memory_equal(w[1].buf, values, 3 * sizeof(C_TYPE));     \
		assert_true(all_zero((char *)w[1].buf + 3 * sizeof(C_TYPE),    \
				     sizeof(C_TYPE)));                         \
		assert_int_equal(w[1].size, 4 * sizeof(C_TYPE));               \
		assert_int_equal(wa.position, 2);                              \
		assert_int_equal(                                              \
			vaccel_arg_array_set_##TYPE_NAME(&wa, &value),         \
			VACCEL_ERANGE);                                        \
		assert_int_equal(vaccel_arg_array_set_##TYPE_NAME##_array(     \
					 &wa, values, 1),                      \
				 VACCEL_ERANGE);                               \
                                                                               \
		/* what was set reads back through the getters */              \
		vaccel_arg_array_reset_position(&wa);                          \
		out = TV(C_TYPE, 0);                                           \
		assert_int_equal(vaccel_arg_array_get_##TYPE_NAME(&wa, &out),  \
				 VACCEL_OK);                                   \
		assert_memory_equal(&out, &value, sizeof(C_TYPE));             \
		assert_int_equal(vaccel_arg_array_get_##TYPE_NAME##_array(     \
					 &wa, &out_values, &n),                \
				 VACCEL_OK);                                   \
		assert_int_equal(n, 4);                                        \
		assert_int_equal(vaccel_arg_release(&w[0]), VACCEL_OK);        \
		assert_int_equal(vaccel_arg_release(&w[1]), VACCEL_OK);        \
	}

VACCEL_ARG_NUMERIC_TYPES(DEFINE_TYPED_TEST)

/* ---- BOOL values ------------------------------------------------------------
 */

static void test_bool_values(void **state)
{
	(void)state;
	struct vaccel_arg_array array;
	bool t = true;
	bool f = false;
	bool vals[3] = {true, false, true};
	/* bool objects whose representation is neither 0 nor 1; they are
	 * only ever passed by pointer, never read as bool */
	unsigned char two = 2;
	unsigned char mixed[3] = {1, 0, 7};

	assert_int_equal(vaccel_arg_array_init(&array, 0), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_bool(&array, &t), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_bool(&array, &f), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_bool_array(&array, vals, 3),
			 VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_bool(&array, (bool *)&two),
			 VACCEL_EINVAL);
	assert_int_equal(
		vaccel_arg_array_add_bool_array(&array, (bool *)mixed, 3),
		VACCEL_EINVAL);
	assert_int_equal(array.count, 3);

	bool out = false;
	bool *outv = NULL;
	size_t n = 0;
	assert_int_equal(vaccel_arg_array_get_bool(&array, &out), VACCEL_OK);
	assert_true(out);
	assert_int_equal(vaccel_arg_array_get_bool(&array, &out), VACCEL_OK);
	assert_false(out);
	assert_int_equal(vaccel_arg_array_get_bool_array(&array, &outv, &n),
			 VACCEL_OK);
	assert_int_equal(n, 3);
	assert_true(outv[0]);
	assert_false(outv[1]);
	assert_true(outv[2]);
	assert_int_equal(vaccel_arg_array_release(&array), VACCEL_OK);

	/* getters reject invalid BOOL data coming from elsewhere (the wire) */
	struct vaccel_arg in[2];
	assert_int_equal(
		vaccel_arg_init_from_buf(&in[0], &two, 1, VACCEL_ARG_BOOL, 0),
		VACCEL_OK);
	assert_int_equal(vaccel_arg_init_from_buf(&in[1], mixed, 3,
						  VACCEL_ARG_BOOL_ARRAY, 0),
			 VACCEL_OK);
	assert_int_equal(vaccel_arg_array_wrap(&array, in, 2), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_get_bool(&array, &out),
			 VACCEL_EINVAL);
	vaccel_arg_array_set_position(&array, 1);
	assert_int_equal(vaccel_arg_array_get_bool_array(&array, &outv, &n),
			 VACCEL_EINVAL);
	assert_int_equal(array.position, 1);

	/* setters reject invalid values; destination content is irrelevant */
	unsigned char dst_scalar = 9;
	unsigned char dst_array[3] = {9, 9, 9};
	struct vaccel_arg w[2];
	assert_int_equal(vaccel_arg_init_from_buf(&w[0], &dst_scalar, 1,
						  VACCEL_ARG_BOOL, 0),
			 VACCEL_OK);
	assert_int_equal(vaccel_arg_init_from_buf(&w[1], dst_array, 3,
						  VACCEL_ARG_BOOL_ARRAY, 0),
			 VACCEL_OK);
	assert_int_equal(vaccel_arg_array_wrap(&array, w, 2), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_set_bool(&array, (bool *)&two),
			 VACCEL_EINVAL);
	assert_int_equal(dst_scalar, 9);
	assert_int_equal(vaccel_arg_array_set_bool(&array, &t), VACCEL_OK);
	assert_int_equal(dst_scalar, 1);
	assert_int_equal(
		vaccel_arg_array_set_bool_array(&array, (bool *)mixed, 3),
		VACCEL_EINVAL);
	assert_int_equal(dst_array[0], 9);
	assert_int_equal(vaccel_arg_array_set_bool_array(&array, vals, 2),
			 VACCEL_OK);
	assert_int_equal(dst_array[0], 1);
	assert_int_equal(dst_array[1], 0);
	assert_int_equal(dst_array[2], 9);
}

/* ---- untyped getters --------------------------------------------------------
 */

static void test_get_raw(void **state)
{
	(void)state;
	struct vaccel_arg_array array;
	unsigned char buf[4] = {1, 2, 3, 4};
	int8_t i8 = 1;
	void *out = NULL;
	size_t size = 0;

	assert_int_equal(vaccel_arg_array_init(&array, 0), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_raw(&array, buf, sizeof(buf)),
			 VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_raw(&array, NULL, 0), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_int8(&array, &i8), VACCEL_OK);

	assert_int_equal(vaccel_arg_array_get_raw(&array, NULL, &size),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_get_raw(NULL, &out, &size),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_get_raw(&array, &out, &size),
			 VACCEL_OK);
	assert_ptr_equal(out, buf);
	assert_int_equal(size, sizeof(buf));
	/* size may be NULL */
	out = buf;
	assert_int_equal(vaccel_arg_array_get_raw(&array, &out, NULL),
			 VACCEL_OK);
	assert_null(out);
	/* type mismatch */
	assert_int_equal(vaccel_arg_array_get_raw(&array, &out, &size),
			 VACCEL_EINVAL);
	assert_int_equal(array.position, 2);
	vaccel_arg_array_set_position(&array, 3);
	assert_int_equal(vaccel_arg_array_get_raw(&array, &out, &size),
			 VACCEL_ERANGE);
	assert_int_equal(vaccel_arg_array_release(&array), VACCEL_OK);
}

static void test_get_string(void **state)
{
	(void)state;
	struct vaccel_arg_array array;
	char str[] = "model.pt";
	char unterminated[3] = {'a', 'b', 'c'};
	char *out = NULL;

	assert_int_equal(vaccel_arg_array_init(&array, 0), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_string(&array, str), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_buffer(&array, str, sizeof(str)),
			 VACCEL_OK);

	assert_int_equal(vaccel_arg_array_get_string(&array, NULL),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_get_string(NULL, &out),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_get_string(&array, &out), VACCEL_OK);
	assert_ptr_equal(out, str);
	/* BUFFER is not STRING */
	assert_int_equal(vaccel_arg_array_get_string(&array, &out),
			 VACCEL_EINVAL);
	vaccel_arg_array_set_position(&array, 2);
	assert_int_equal(vaccel_arg_array_get_string(&array, &out),
			 VACCEL_ERANGE);
	assert_int_equal(vaccel_arg_array_release(&array), VACCEL_OK);

	/* a STRING without its NUL, or empty, is rejected */
	struct vaccel_arg in[2];
	assert_int_equal(vaccel_arg_init_from_buf(&in[0], unterminated,
						  sizeof(unterminated),
						  VACCEL_ARG_STRING, 0),
			 VACCEL_OK);
	assert_int_equal(
		vaccel_arg_init_from_buf(&in[1], NULL, 0, VACCEL_ARG_STRING, 0),
		VACCEL_OK);
	assert_int_equal(vaccel_arg_array_wrap(&array, in, 2), VACCEL_OK);
	out = NULL;
	assert_int_equal(vaccel_arg_array_get_string(&array, &out),
			 VACCEL_EINVAL);
	assert_null(out);
	vaccel_arg_array_set_position(&array, 1);
	assert_int_equal(vaccel_arg_array_get_string(&array, &out),
			 VACCEL_EINVAL);
	assert_null(out);
}

static void test_get_buffer(void **state)
{
	(void)state;
	struct vaccel_arg_array array;
	double buf[2] = {1.5, 2.5};
	void *out = NULL;
	size_t size = 0;

	assert_int_equal(vaccel_arg_array_init(&array, 0), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_buffer(&array, buf, sizeof(buf)),
			 VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_buffer(&array, buf, sizeof(buf)),
			 VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_raw(&array, buf, sizeof(buf)),
			 VACCEL_OK);

	assert_int_equal(vaccel_arg_array_get_buffer(&array, NULL, &size),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_get_buffer(NULL, &out, &size),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_get_buffer(&array, &out, &size),
			 VACCEL_OK);
	assert_ptr_equal(out, buf);
	assert_int_equal(size, sizeof(buf));
	out = NULL;
	assert_int_equal(vaccel_arg_array_get_buffer(&array, &out, NULL),
			 VACCEL_OK);
	assert_ptr_equal(out, buf);
	assert_int_equal(vaccel_arg_array_get_buffer(&array, &out, &size),
			 VACCEL_EINVAL);
	vaccel_arg_array_set_position(&array, 3);
	assert_int_equal(vaccel_arg_array_get_buffer(&array, &out, &size),
			 VACCEL_ERANGE);
	assert_int_equal(vaccel_arg_array_release(&array), VACCEL_OK);

	/* an empty BUFFER from elsewhere is rejected */
	struct vaccel_arg in;
	assert_int_equal(
		vaccel_arg_init_from_buf(&in, NULL, 0, VACCEL_ARG_BUFFER, 0),
		VACCEL_OK);
	assert_int_equal(vaccel_arg_array_wrap(&array, &in, 1), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_get_buffer(&array, &out, &size),
			 VACCEL_EINVAL);
	assert_int_equal(array.position, 0);
}

static void test_get_custom(void **state)
{
	(void)state;
	struct vaccel_arg_array array;
	struct point p = {4, 5};
	int32_t small = 0;
	void *out = NULL;
	size_t size = 0;

	assert_int_equal(vaccel_arg_array_init(&array, 0), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_custom(&array, TEST_CUSTOM_ID, &p,
						     sizeof(p), NULL),
			 VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_custom(&array, TEST_CUSTOM_ID,
						     &small, sizeof(small),
						     NULL),
			 VACCEL_OK);

	/* wrong id */
	assert_int_equal(
		vaccel_arg_array_get_custom(&array, 1, &out, &size, NULL),
		VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_get_custom(&array, TEST_CUSTOM_ID,
						     NULL, &size, NULL),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_get_custom(NULL, TEST_CUSTOM_ID, &out,
						     &size, NULL),
			 VACCEL_EINVAL);
	validator_calls = 0;
	assert_int_equal(vaccel_arg_array_get_custom(&array, TEST_CUSTOM_ID,
						     &out, &size,
						     point_validator),
			 VACCEL_OK);
	assert_int_equal(validator_calls, 1);
	assert_ptr_equal(out, &p);
	assert_int_equal(size, sizeof(p));
	/* rejected by the validator: position stays */
	assert_int_equal(vaccel_arg_array_get_custom(&array, TEST_CUSTOM_ID,
						     &out, &size,
						     point_validator),
			 VACCEL_EINVAL);
	assert_int_equal(array.position, 1);
	/* without a validator it is accepted; size may be NULL */
	assert_int_equal(vaccel_arg_array_get_custom(&array, TEST_CUSTOM_ID,
						     &out, NULL, NULL),
			 VACCEL_OK);
	assert_ptr_equal(out, &small);
	assert_int_equal(vaccel_arg_array_get_custom(&array, TEST_CUSTOM_ID,
						     &out, &size, NULL),
			 VACCEL_ERANGE);

	/* a non-CUSTOM arg */
	vaccel_arg_array_clear(&array);
	assert_int_equal(vaccel_arg_array_add_raw(&array, &p, sizeof(p)),
			 VACCEL_OK);
	assert_int_equal(
		vaccel_arg_array_get_custom(&array, 0, &out, &size, NULL),
		VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_release(&array), VACCEL_OK);
}

static void test_get_serialized(void **state)
{
	(void)state;
	struct vaccel_arg_array array;
	int32_t pair[2] = {6, -7};
	int32_t three[3] = {1, 2, 3};
	struct point out = {0, 0};

	assert_int_equal(vaccel_arg_array_init(&array, 0), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_int32_array(&array, pair, 2),
			 VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_custom(&array, TEST_CUSTOM_ID,
						     pair, sizeof(pair), NULL),
			 VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_int32_array(&array, three, 3),
			 VACCEL_OK);

	deserializer_calls = 0;
	/* invalid parameters */
	assert_int_equal(
		vaccel_arg_array_get_serialized(&array, VACCEL_ARG_INT32_ARRAY,
						0, &out, sizeof(out), NULL),
		VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_get_serialized(
				 &array, VACCEL_ARG_INT32_ARRAY, 0, NULL,
				 sizeof(out), point_deserializer),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_get_serialized(
				 NULL, VACCEL_ARG_INT32_ARRAY, 0, &out,
				 sizeof(out), point_deserializer),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_get_serialized(&array, VACCEL_ARG_MAX,
							 0, &out, sizeof(out),
							 point_deserializer),
			 VACCEL_EINVAL);
	/* type mismatch: the deserializer is not called */
	assert_int_equal(vaccel_arg_array_get_serialized(
				 &array, VACCEL_ARG_INT64_ARRAY, 0, &out,
				 sizeof(out), point_deserializer),
			 VACCEL_EINVAL);
	assert_int_equal(deserializer_calls, 0);

	assert_int_equal(vaccel_arg_array_get_serialized(
				 &array, VACCEL_ARG_INT32_ARRAY, 0, &out,
				 sizeof(out), point_deserializer),
			 VACCEL_OK);
	assert_int_equal(deserializer_calls, 1);
	assert_int_equal(out.x, 6);
	assert_int_equal(out.y, -7);
	assert_int_equal(array.position, 1);

	/* custom: id checked */
	assert_int_equal(vaccel_arg_array_get_serialized(
				 &array, VACCEL_ARG_CUSTOM, 1, &out,
				 sizeof(out), point_deserializer),
			 VACCEL_EINVAL);
	assert_int_equal(deserializer_calls, 1);
	out.x = 0;
	assert_int_equal(vaccel_arg_array_get_serialized(
				 &array, VACCEL_ARG_CUSTOM, TEST_CUSTOM_ID,
				 &out, sizeof(out), point_deserializer),
			 VACCEL_OK);
	assert_int_equal(out.x, 6);

	/* deserializer failures propagate, position stays */
	assert_int_equal(vaccel_arg_array_get_serialized(
				 &array, VACCEL_ARG_INT32_ARRAY, 0, &out,
				 sizeof(out), point_deserializer),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_get_serialized(
				 &array, VACCEL_ARG_INT32_ARRAY, 0, &out,
				 sizeof(out), failing_deserializer),
			 VACCEL_EBACKEND);
	assert_int_equal(vaccel_arg_array_get_serialized(
				 &array, VACCEL_ARG_INT32_ARRAY, 0, &out,
				 sizeof(out), negative_deserializer),
			 VACCEL_EINVAL);
	assert_int_equal(array.position, 2);
	vaccel_arg_array_set_position(&array, 3);
	assert_int_equal(vaccel_arg_array_get_serialized(
				 &array, VACCEL_ARG_INT32_ARRAY, 0, &out,
				 sizeof(out), point_deserializer),
			 VACCEL_ERANGE);
	assert_int_equal(vaccel_arg_array_release(&array), VACCEL_OK);

	/* builtin rules apply before deserializing (INT32 of 3 bytes) */
	unsigned char raw[3] = {0};
	struct vaccel_arg in;
	assert_int_equal(
		vaccel_arg_init_from_buf(&in, raw, 3, VACCEL_ARG_INT32, 0),
		VACCEL_OK);
	assert_int_equal(vaccel_arg_array_wrap(&array, &in, 1), VACCEL_OK);
	deserializer_calls = 0;
	assert_int_equal(vaccel_arg_array_get_serialized(
				 &array, VACCEL_ARG_INT32, 0, &out, sizeof(out),
				 failing_deserializer),
			 VACCEL_EINVAL);
	assert_int_equal(deserializer_calls, 0);
}

static void test_get_remaining(void **state)
{
	(void)state;
	struct vaccel_arg_array array;
	int64_t v[3] = {1, 2, 3};
	struct vaccel_arg *args = NULL;
	size_t count = 99;

	assert_int_equal(vaccel_arg_array_init(&array, 0), VACCEL_OK);
	for (int i = 0; i < 3; i++)
		assert_int_equal(vaccel_arg_array_add_int64(&array, &v[i]),
				 VACCEL_OK);

	assert_int_equal(vaccel_arg_array_get_remaining(&array, &args, &count),
			 VACCEL_OK);
	assert_ptr_equal(args, array.args);
	assert_int_equal(count, 3);
	assert_int_equal(array.position, 0);

	int64_t out;
	assert_int_equal(vaccel_arg_array_get_int64(&array, &out), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_get_remaining(&array, &args, &count),
			 VACCEL_OK);
	assert_ptr_equal(args, &array.args[1]);
	assert_int_equal(count, 2);
	assert_ptr_equal(args[0].buf, &v[1]);
	/* not advanced */
	assert_int_equal(array.position, 1);
	assert_int_equal(vaccel_arg_array_get_remaining(&array, &args, &count),
			 VACCEL_OK);
	assert_int_equal(count, 2);

	/* nothing left: empty result, not an error */
	vaccel_arg_array_set_position(&array, 3);
	assert_int_equal(vaccel_arg_array_get_remaining(&array, &args, &count),
			 VACCEL_OK);
	assert_null(args);
	assert_int_equal(count, 0);

	assert_int_equal(vaccel_arg_array_get_remaining(NULL, &args, &count),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_get_remaining(&array, NULL, &count),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_get_remaining(&array, &args, NULL),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_release(&array), VACCEL_OK);
}

/* ---- untyped setters --------------------------------------------------------
 */

static void test_set_raw(void **state)
{
	(void)state;
	struct vaccel_arg w[3];
	struct vaccel_arg_array array;
	unsigned char data[4] = {1, 2, 3, 4};
	unsigned char big[9] = {0};

	assert_int_equal(vaccel_arg_init(&w[0], NULL, 8, VACCEL_ARG_RAW, 0),
			 VACCEL_OK);
	assert_int_equal(vaccel_arg_init(&w[1], NULL, 8, VACCEL_ARG_RAW, 0),
			 VACCEL_OK);
	assert_int_equal(vaccel_arg_init(&w[2], NULL, 8, VACCEL_ARG_BUFFER, 0),
			 VACCEL_OK);
	assert_int_equal(vaccel_arg_array_wrap(&array, w, 3), VACCEL_OK);

	assert_int_equal(vaccel_arg_array_set_raw(&array, big, sizeof(big)),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_set_raw(&array, data, 0),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_set_raw(&array, NULL, 4),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_set_raw(NULL, data, 4),
			 VACCEL_EINVAL);
	assert_int_equal(array.position, 0);
	/* fits: copied, the rest untouched */
	assert_int_equal(vaccel_arg_array_set_raw(&array, data, sizeof(data)),
			 VACCEL_OK);
	assert_memory_equal(w[0].buf, data, sizeof(data));
	assert_true(all_zero((char *)w[0].buf + 4, 4));
	assert_int_equal(w[0].size, 8);
	/* nothing to write */
	assert_int_equal(vaccel_arg_array_set_raw(&array, NULL, 0), VACCEL_OK);
	assert_true(all_zero(w[1].buf, 8));
	/* type mismatch */
	assert_int_equal(vaccel_arg_array_set_raw(&array, data, sizeof(data)),
			 VACCEL_EINVAL);
	assert_int_equal(array.position, 2);
	vaccel_arg_array_set_position(&array, 3);
	assert_int_equal(vaccel_arg_array_set_raw(&array, data, sizeof(data)),
			 VACCEL_ERANGE);

	for (int i = 0; i < 3; i++)
		assert_int_equal(vaccel_arg_release(&w[i]), VACCEL_OK);
}

static void test_set_string(void **state)
{
	(void)state;
	struct vaccel_arg w[3];
	struct vaccel_arg_array array;
	char out[6];

	memset(out, 'x', sizeof(out));
	assert_int_equal(vaccel_arg_init_from_buf(&w[0], out, sizeof(out),
						  VACCEL_ARG_STRING, 0),
			 VACCEL_OK);
	assert_int_equal(vaccel_arg_init(&w[1], NULL, 0, VACCEL_ARG_STRING, 0),
			 VACCEL_OK);
	assert_int_equal(vaccel_arg_init(&w[2], NULL, 4, VACCEL_ARG_RAW, 0),
			 VACCEL_OK);
	assert_int_equal(vaccel_arg_array_wrap(&array, w, 3), VACCEL_OK);

	/* "abcdef" needs 7 bytes */
	assert_int_equal(vaccel_arg_array_set_string(&array, "abcdef"),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_set_string(&array, NULL),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_set_string(NULL, "a"), VACCEL_EINVAL);
	assert_int_equal(array.position, 0);
	assert_int_equal(vaccel_arg_array_set_string(&array, "abcde"),
			 VACCEL_OK);
	assert_string_equal(out, "abcde");
	/* an empty STRING arg cannot receive anything */
	assert_int_equal(vaccel_arg_array_set_string(&array, ""),
			 VACCEL_EINVAL);
	vaccel_arg_array_set_position(&array, 2);
	assert_int_equal(vaccel_arg_array_set_string(&array, "a"),
			 VACCEL_EINVAL);
	vaccel_arg_array_set_position(&array, 3);
	assert_int_equal(vaccel_arg_array_set_string(&array, "a"),
			 VACCEL_ERANGE);

	for (int i = 0; i < 3; i++)
		assert_int_equal(vaccel_arg_release(&w[i]), VACCEL_OK);
}

static void test_set_buffer(void **state)
{
	(void)state;
	struct vaccel_arg w[2];
	struct vaccel_arg_array array;
	float data[3] = {1.0f, 2.0f, 3.0f};
	float big[5] = {0};

	assert_int_equal(vaccel_arg_init(&w[0], NULL, 4 * sizeof(float),
					 VACCEL_ARG_BUFFER, 0),
			 VACCEL_OK);
	assert_int_equal(
		vaccel_arg_init(&w[1], NULL, sizeof(float), VACCEL_ARG_RAW, 0),
		VACCEL_OK);
	assert_int_equal(vaccel_arg_array_wrap(&array, w, 2), VACCEL_OK);

	assert_int_equal(vaccel_arg_array_set_buffer(&array, big, sizeof(big)),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_set_buffer(&array, data, 0),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_set_buffer(&array, NULL, 4),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_set_buffer(NULL, data, 4),
			 VACCEL_EINVAL);
	assert_int_equal(
		vaccel_arg_array_set_buffer(&array, data, sizeof(data)),
		VACCEL_OK);
	assert_memory_equal(w[0].buf, data, sizeof(data));
	assert_int_equal(
		vaccel_arg_array_set_buffer(&array, data, sizeof(float)),
		VACCEL_EINVAL);
	vaccel_arg_array_set_position(&array, 2);
	assert_int_equal(
		vaccel_arg_array_set_buffer(&array, data, sizeof(data)),
		VACCEL_ERANGE);

	/* an empty BUFFER write arg is malformed */
	struct vaccel_arg empty;
	assert_int_equal(vaccel_arg_init(&empty, NULL, 0, VACCEL_ARG_BUFFER, 0),
			 VACCEL_OK);
	struct vaccel_arg_array ea;
	assert_int_equal(vaccel_arg_array_wrap(&ea, &empty, 1), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_set_buffer(&ea, data, sizeof(data)),
			 VACCEL_EINVAL);

	for (int i = 0; i < 2; i++)
		assert_int_equal(vaccel_arg_release(&w[i]), VACCEL_OK);
}

static void test_set_custom(void **state)
{
	(void)state;
	struct vaccel_arg w[2];
	struct vaccel_arg_array array;
	struct point p = {8, 9};
	int32_t small = 1;

	assert_int_equal(vaccel_arg_init(&w[0], NULL, sizeof(struct point),
					 VACCEL_ARG_CUSTOM, TEST_CUSTOM_ID),
			 VACCEL_OK);
	assert_int_equal(vaccel_arg_init(&w[1], NULL, 2 * sizeof(struct point),
					 VACCEL_ARG_CUSTOM, TEST_CUSTOM_ID),
			 VACCEL_OK);
	assert_int_equal(vaccel_arg_array_wrap(&array, w, 2), VACCEL_OK);

	/* id mismatch */
	assert_int_equal(
		vaccel_arg_array_set_custom(&array, 1, &p, sizeof(p), NULL),
		VACCEL_EINVAL);
	/* validator rejects */
	validator_calls = 0;
	assert_int_equal(vaccel_arg_array_set_custom(&array, TEST_CUSTOM_ID,
						     &small, sizeof(small),
						     point_validator),
			 VACCEL_EINVAL);
	assert_int_equal(validator_calls, 1);
	/* size must match exactly */
	assert_int_equal(vaccel_arg_array_set_custom(&array, TEST_CUSTOM_ID,
						     &small, sizeof(small),
						     NULL),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_set_custom(&array, TEST_CUSTOM_ID,
						     NULL, 4, NULL),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_set_custom(NULL, TEST_CUSTOM_ID, &p,
						     sizeof(p), NULL),
			 VACCEL_EINVAL);
	assert_int_equal(array.position, 0);
	assert_int_equal(vaccel_arg_array_set_custom(&array, TEST_CUSTOM_ID, &p,
						     sizeof(p),
						     point_validator),
			 VACCEL_OK);
	assert_memory_equal(w[0].buf, &p, sizeof(p));
	/* smaller than the arg is not an exact match */
	assert_int_equal(vaccel_arg_array_set_custom(&array, TEST_CUSTOM_ID, &p,
						     sizeof(p), NULL),
			 VACCEL_EINVAL);
	assert_int_equal(array.position, 1);
	vaccel_arg_array_set_position(&array, 2);
	assert_int_equal(vaccel_arg_array_set_custom(&array, TEST_CUSTOM_ID, &p,
						     sizeof(p), NULL),
			 VACCEL_ERANGE);

	for (int i = 0; i < 2; i++)
		assert_int_equal(vaccel_arg_release(&w[i]), VACCEL_OK);
}

static void test_set_serialized(void **state)
{
	(void)state;
	struct vaccel_arg w[4];
	struct vaccel_arg_array array;
	struct point p = {-1, 2};

	assert_int_equal(vaccel_arg_init(&w[0], NULL, 2 * sizeof(int32_t),
					 VACCEL_ARG_INT32_ARRAY, 0),
			 VACCEL_OK);
	assert_int_equal(vaccel_arg_init(&w[1], NULL, 2 * sizeof(int32_t),
					 VACCEL_ARG_CUSTOM, TEST_CUSTOM_ID),
			 VACCEL_OK);
	assert_int_equal(vaccel_arg_init(&w[2], NULL, 3 * sizeof(int32_t),
					 VACCEL_ARG_INT32_ARRAY, 0),
			 VACCEL_OK);
	assert_int_equal(
		vaccel_arg_init(&w[3], NULL, 1, VACCEL_ARG_BOOL_ARRAY, 0),
		VACCEL_OK);
	assert_int_equal(vaccel_arg_array_wrap(&array, w, 4), VACCEL_OK);

	assert_int_equal(
		vaccel_arg_array_set_serialized(&array, VACCEL_ARG_INT32_ARRAY,
						0, &p, sizeof(p), NULL),
		VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_set_serialized(
				 NULL, VACCEL_ARG_INT32_ARRAY, 0, &p, sizeof(p),
				 point_serializer),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_set_serialized(&array, VACCEL_ARG_MAX,
							 0, &p, sizeof(p),
							 point_serializer),
			 VACCEL_EINVAL);
	/* type mismatch */
	assert_int_equal(vaccel_arg_array_set_serialized(
				 &array, VACCEL_ARG_CUSTOM, TEST_CUSTOM_ID, &p,
				 sizeof(p), point_serializer),
			 VACCEL_EINVAL);
	/* serializer failures */
	assert_int_equal(vaccel_arg_array_set_serialized(
				 &array, VACCEL_ARG_INT32_ARRAY, 0, &p,
				 sizeof(p), failing_serializer),
			 VACCEL_EIO);
	assert_int_equal(vaccel_arg_array_set_serialized(
				 &array, VACCEL_ARG_INT32_ARRAY, 0, &p,
				 sizeof(p), negative_serializer),
			 VACCEL_EINVAL);
	assert_int_equal(array.position, 0);

	assert_int_equal(vaccel_arg_array_set_serialized(
				 &array, VACCEL_ARG_INT32_ARRAY, 0, &p,
				 sizeof(p), point_serializer),
			 VACCEL_OK);
	assert_int_equal(((int32_t *)w[0].buf)[0], -1);
	assert_int_equal(((int32_t *)w[0].buf)[1], 2);

	/* custom: id checked, then written */
	assert_int_equal(vaccel_arg_array_set_serialized(
				 &array, VACCEL_ARG_CUSTOM, 5, &p, sizeof(p),
				 point_serializer),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_arg_array_set_serialized(
				 &array, VACCEL_ARG_CUSTOM, TEST_CUSTOM_ID, &p,
				 sizeof(p), point_serializer),
			 VACCEL_OK);
	assert_int_equal(((int32_t *)w[1].buf)[1], 2);

	/* serialized size must match the arg exactly (12 != 8) */
	assert_int_equal(vaccel_arg_array_set_serialized(
				 &array, VACCEL_ARG_INT32_ARRAY, 0, &p,
				 sizeof(p), point_serializer),
			 VACCEL_EINVAL);
	assert_true(all_zero(w[2].buf, w[2].size));
	assert_int_equal(array.position, 2);

	/* builtin rules are applied to the serialized data (BOOL 2) */
	vaccel_arg_array_set_position(&array, 3);
	bad_serializer_len = 1;
	assert_int_equal(
		vaccel_arg_array_set_serialized(&array, VACCEL_ARG_BOOL_ARRAY,
						0, NULL, 0, bad_serializer),
		VACCEL_EINVAL);
	assert_true(all_zero(w[3].buf, 1));
	vaccel_arg_array_set_position(&array, 4);
	assert_int_equal(vaccel_arg_array_set_serialized(
				 &array, VACCEL_ARG_INT32_ARRAY, 0, &p,
				 sizeof(p), point_serializer),
			 VACCEL_ERANGE);

	for (int i = 0; i < 4; i++)
		assert_int_equal(vaccel_arg_release(&w[i]), VACCEL_OK);
}

/* ---- cursor and accessors ---------------------------------------------------
 */

static void test_position_accessors(void **state)
{
	(void)state;
	struct vaccel_arg_array array;
	char c[3] = {'a', 'b', 'c'};

	assert_int_equal(vaccel_arg_array_init(&array, 0), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_count(&array), 0);
	assert_int_equal(vaccel_arg_array_remaining_count(&array), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(vaccel_arg_array_add_char(&array, &c[i]),
				 VACCEL_OK);
	assert_int_equal(vaccel_arg_array_count(&array), 3);
	assert_int_equal(vaccel_arg_array_position(&array), 0);
	assert_int_equal(vaccel_arg_array_remaining_count(&array), 3);
	assert_ptr_equal(vaccel_arg_array_raw(&array), array.args);

	char out;
	assert_int_equal(vaccel_arg_array_get_char(&array, &out), VACCEL_OK);
	assert_int_equal(out, 'a');
	assert_int_equal(vaccel_arg_array_position(&array), 1);
	assert_int_equal(vaccel_arg_array_remaining_count(&array), 2);

	vaccel_arg_array_set_position(&array, 2);
	assert_int_equal(vaccel_arg_array_position(&array), 2);
	assert_int_equal(vaccel_arg_array_get_char(&array, &out), VACCEL_OK);
	assert_int_equal(out, 'c');

	/* clamped to count */
	vaccel_arg_array_set_position(&array, 100);
	assert_int_equal(vaccel_arg_array_position(&array), 3);
	assert_int_equal(vaccel_arg_array_remaining_count(&array), 0);
	vaccel_arg_array_set_position(&array, SIZE_MAX);
	assert_int_equal(vaccel_arg_array_position(&array), 3);
	assert_int_equal(vaccel_arg_array_get_char(&array, &out),
			 VACCEL_ERANGE);

	vaccel_arg_array_reset_position(&array);
	assert_int_equal(vaccel_arg_array_position(&array), 0);
	assert_int_equal(vaccel_arg_array_get_char(&array, &out), VACCEL_OK);
	assert_int_equal(out, 'a');

	/* NULL arrays */
	assert_int_equal(vaccel_arg_array_count(NULL), 0);
	assert_int_equal(vaccel_arg_array_position(NULL), 0);
	assert_int_equal(vaccel_arg_array_remaining_count(NULL), 0);
	assert_null(vaccel_arg_array_raw(NULL));
	vaccel_arg_array_set_position(NULL, 1);
	vaccel_arg_array_reset_position(NULL);

	assert_int_equal(vaccel_arg_array_release(&array), VACCEL_OK);
	assert_null(vaccel_arg_array_raw(&array));
}

/* An op-style round trip: pack read/write args, unpack them as a plugin. */
static void test_pack_unpack_roundtrip(void **state)
{
	(void)state;
	struct vaccel_arg_array read;
	struct vaccel_arg_array write;
	uint8_t op = 7;
	char model[] = "resnet";
	float input[4] = {0.5f, 1.5f, 2.5f, 3.5f};
	int64_t result = 0;
	char label[16] = {0};

	assert_int_equal(vaccel_arg_array_init(&read, 0), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_uint8(&read, &op), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_string(&read, model), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_float_array(&read, input, 4),
			 VACCEL_OK);
	assert_int_equal(vaccel_arg_array_init(&write, 0), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_add_int64(&write, &result),
			 VACCEL_OK);
	assert_int_equal(
		vaccel_arg_array_add_buffer(&write, label, sizeof(label)),
		VACCEL_OK);

	/* the plugin side sees plain struct vaccel_arg[] */
	struct vaccel_arg_array r;
	struct vaccel_arg_array w;
	assert_int_equal(vaccel_arg_array_wrap(&r, vaccel_arg_array_raw(&read),
					       vaccel_arg_array_count(&read)),
			 VACCEL_OK);
	assert_int_equal(vaccel_arg_array_wrap(&w, vaccel_arg_array_raw(&write),
					       vaccel_arg_array_count(&write)),
			 VACCEL_OK);
	uint8_t op_out;
	char *model_out;
	float *in;
	size_t n;
	assert_int_equal(vaccel_arg_array_get_uint8(&r, &op_out), VACCEL_OK);
	assert_int_equal(op_out, 7);
	assert_int_equal(vaccel_arg_array_get_string(&r, &model_out),
			 VACCEL_OK);
	assert_string_equal(model_out, "resnet");
	assert_int_equal(vaccel_arg_array_get_float_array(&r, &in, &n),
			 VACCEL_OK);
	assert_int_equal(n, 4);
	float sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += in[i];
	int64_t s = (int64_t)sum;
	assert_int_equal(vaccel_arg_array_set_int64(&w, &s), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_set_buffer(&w, "eight", 6),
			 VACCEL_OK);

	assert_int_equal(result, 8);
	assert_string_equal(label, "eight");

	assert_int_equal(vaccel_arg_array_release(&read), VACCEL_OK);
	assert_int_equal(vaccel_arg_array_release(&write), VACCEL_OK);
}

#define TYPED_TEST_ENTRY(TYPE_NAME, C_TYPE, ARG_TYPE, ARRAY_TYPE)              \
	cmocka_unit_test(test_typed_##TYPE_NAME),

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arg_type_enum),
		cmocka_unit_test(test_arg_numeric_types_macro),
		cmocka_unit_test(test_arg_init),
		cmocka_unit_test(test_arg_init_from_buf),
		cmocka_unit_test(test_arg_new_delete),
		cmocka_unit_test(test_array_init_release),
		cmocka_unit_test(test_array_new_delete),
		cmocka_unit_test(test_array_growth),
		cmocka_unit_test(test_array_growth_overflow),
		cmocka_unit_test(test_array_wrap),
		cmocka_unit_test(test_array_clear),
		cmocka_unit_test(test_add_raw),
		cmocka_unit_test(test_add_string),
		cmocka_unit_test(test_add_buffer),
		cmocka_unit_test(test_add_custom),
		cmocka_unit_test(test_add_serialized),
		cmocka_unit_test(test_add_range),
		cmocka_unit_test(test_add_remaining_all),
		VACCEL_ARG_NUMERIC_TYPES(TYPED_TEST_ENTRY)
			cmocka_unit_test(test_bool_values),
		cmocka_unit_test(test_get_raw),
		cmocka_unit_test(test_get_string),
		cmocka_unit_test(test_get_buffer),
		cmocka_unit_test(test_get_custom),
		cmocka_unit_test(test_get_serialized),
		cmocka_unit_test(test_get_remaining),
		cmocka_unit_test(test_set_raw),
		cmocka_unit_test(test_set_string),
		cmocka_unit_test(test_set_buffer),
		cmocka_unit_test(test_set_custom),
		cmocka_unit_test(test_set_serialized),
		cmocka_unit_test(test_position_accessors),
		cmocka_unit_test(test_pack_unpack_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
