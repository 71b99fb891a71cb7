// SPDX-License-Identifier: Apache-2.0
/*
 * Unit tests for the deprecated argument list API (vaccel/arg.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

/* This file exercises the deprecated API on purpose. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

#include "vaccel/arg.h"
#include "vaccel/error.h"
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct pair {
	int32_t a;
	int32_t b;
};

static int serializer_calls;
static bool serializer_empty; /* return a buffer with size 0 */
static bool serializer_null;  /* return NULL */

/* Serializes a struct pair into a malloc-ed pair of int32 (swapped). */
static void *pair_serializer(void *data, uint32_t *size)
{
	serializer_calls++;
	if (serializer_null)
		return NULL;

	const struct pair *p = data;
	int32_t *out = malloc(2 * sizeof(*out));
	if (!out)
		return NULL;
	out[0] = p->b;
	out[1] = p->a;
	*size = serializer_empty ? 0 : 2 * sizeof(*out);
	return out;
}

static int deserializer_calls;
static uint32_t deserializer_last_size;
static struct pair deserialized;

static void *pair_deserializer(void *buf, uint32_t size)
{
	deserializer_calls++;
	deserializer_last_size = size;
	const int32_t *in = buf;
	deserialized.a = in[1];
	deserialized.b = in[0];
	return &deserialized;
}

static void reset_callbacks(void)
{
	serializer_calls = 0;
	serializer_empty = false;
	serializer_null = false;
	deserializer_calls = 0;
	deserializer_last_size = 0;
	memset(&deserialized, 0, sizeof(deserialized));
}

static void test_args_init_delete(void **state)
{
	(void)state;

	struct vaccel_arg_list *args = vaccel_args_init(4);
	assert_non_null(args);
	assert_int_equal(args->size, 4);
	assert_int_equal(args->curr_idx, 0);
	assert_non_null(args->list);
	assert_non_null(args->idcs_allocated_space);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(args->idcs_allocated_space[i], 0);
		assert_null(args->list[i].buf);
		assert_false(args->list[i].owned);
	}
	assert_int_equal(vaccel_delete_args(args), VACCEL_OK);

	assert_null(vaccel_args_init(0));
	assert_int_equal(vaccel_delete_args(NULL), VACCEL_EINVAL);

	/* a list that was not created by vaccel_args_init() */
	struct vaccel_arg_list bogus;
	memset(&bogus, 0, sizeof(bogus));
	assert_int_equal(vaccel_delete_args(&bogus), VACCEL_EINVAL);
}

static void test_add_serial_arg(void **state)
{
	(void)state;
	int32_t a = 1;
	int32_t b = 2;

	struct vaccel_arg_list *args = vaccel_args_init(2);
	assert_non_null(args);

	assert_int_equal(vaccel_add_serial_arg(args, &a, sizeof(a)), VACCEL_OK);
	assert_int_equal(args->curr_idx, 1);
	assert_ptr_equal(args->list[0].buf, &a);
	assert_int_equal(args->list[0].size, sizeof(a));
	assert_int_equal(args->list[0].type, VACCEL_ARG_RAW);
	assert_false(args->list[0].owned);
	assert_int_equal(args->idcs_allocated_space[0], 0);

	assert_int_equal(vaccel_add_serial_arg(NULL, &b, sizeof(b)),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_add_serial_arg(args, NULL, sizeof(b)),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_add_serial_arg(args, &b, 0), VACCEL_EINVAL);
	assert_int_equal(args->curr_idx, 1);

	assert_int_equal(vaccel_add_serial_arg(args, &b, sizeof(b)), VACCEL_OK);
	/* full */
	assert_int_equal(vaccel_add_serial_arg(args, &b, sizeof(b)),
			 VACCEL_ERANGE);
	assert_int_equal(args->curr_idx, 2);

	/* borrowed buffers are not freed (ASan would flag a stack free) */
	assert_int_equal(vaccel_delete_args(args), VACCEL_OK);
	assert_int_equal(a, 1);
}

static void test_add_nonserial_arg(void **state)
{
	(void)state;
	struct pair p = {10, 20};

	reset_callbacks();
	struct vaccel_arg_list *args = vaccel_args_init(2);
	assert_non_null(args);

	assert_int_equal(
		vaccel_add_nonserial_arg(args, &p, 77, pair_serializer),
		VACCEL_OK);
	assert_int_equal(serializer_calls, 1);
	assert_int_equal(args->curr_idx, 1);
	assert_int_equal(args->list[0].type, VACCEL_ARG_CUSTOM);
	assert_int_equal(args->list[0].custom_type_id, 77);
	assert_int_equal(args->list[0].size, 2 * sizeof(int32_t));
	assert_true(args->list[0].owned);
	assert_int_equal(args->idcs_allocated_space[0], 1);
	assert_int_equal(((int32_t *)args->list[0].buf)[0], 20);
	assert_int_equal(((int32_t *)args->list[0].buf)[1], 10);

	/* invalid input: the serializer is not even called */
	assert_int_equal(vaccel_add_nonserial_arg(NULL, &p, 1, pair_serializer),
			 VACCEL_EINVAL);
	assert_int_equal(
		vaccel_add_nonserial_arg(args, NULL, 1, pair_serializer),
		VACCEL_EINVAL);
	assert_int_equal(vaccel_add_nonserial_arg(args, &p, 1, NULL),
			 VACCEL_EINVAL);
	assert_int_equal(serializer_calls, 1);

	/* serializer producing nothing (an empty buffer is freed) */
	serializer_null = true;
	assert_int_equal(vaccel_add_nonserial_arg(args, &p, 1, pair_serializer),
			 VACCEL_EINVAL);
	serializer_null = false;
	serializer_empty = true;
	assert_int_equal(vaccel_add_nonserial_arg(args, &p, 1, pair_serializer),
			 VACCEL_EINVAL);
	serializer_empty = false;
	assert_int_equal(args->curr_idx, 1);

	assert_int_equal(
		vaccel_add_nonserial_arg(args, &p, 78, pair_serializer),
		VACCEL_OK);
	/* full: the serializer is not called, nothing leaks */
	int calls = serializer_calls;
	assert_int_equal(
		vaccel_add_nonserial_arg(args, &p, 79, pair_serializer),
		VACCEL_ERANGE);
	assert_int_equal(serializer_calls, calls);

	/* frees both serialized buffers (leak-checked) */
	assert_int_equal(vaccel_delete_args(args), VACCEL_OK);
}

static void test_expect_serial_arg(void **state)
{
	(void)state;
	char out[8] = {0};

	struct vaccel_arg_list *args = vaccel_args_init(1);
	assert_non_null(args);
	assert_int_equal(vaccel_expect_serial_arg(args, NULL, 8),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_expect_serial_arg(args, out, 0), VACCEL_EINVAL);
	assert_int_equal(vaccel_expect_serial_arg(NULL, out, 8), VACCEL_EINVAL);
	assert_int_equal(vaccel_expect_serial_arg(args, out, sizeof(out)),
			 VACCEL_OK);
	assert_ptr_equal(args->list[0].buf, out);
	assert_int_equal(args->list[0].size, sizeof(out));
	assert_int_equal(args->list[0].type, VACCEL_ARG_RAW);
	assert_false(args->list[0].owned);
	assert_int_equal(args->idcs_allocated_space[0], 0);
	assert_int_equal(vaccel_expect_serial_arg(args, out, sizeof(out)),
			 VACCEL_ERANGE);
	assert_int_equal(vaccel_delete_args(args), VACCEL_OK);
}

static void test_expect_nonserial_arg(void **state)
{
	(void)state;

	struct vaccel_arg_list *args = vaccel_args_init(2);
	assert_non_null(args);
	assert_int_equal(vaccel_expect_nonserial_arg(args, 0), VACCEL_EINVAL);
	assert_int_equal(vaccel_expect_nonserial_arg(NULL, 16), VACCEL_EINVAL);
	assert_int_equal(args->curr_idx, 0);

	assert_int_equal(vaccel_expect_nonserial_arg(args, 16), VACCEL_OK);
	assert_non_null(args->list[0].buf);
	assert_int_equal(args->list[0].size, 16);
	assert_true(args->list[0].owned);
	assert_int_equal(args->idcs_allocated_space[0], 1);
	/* zeroed memory */
	const unsigned char *b = args->list[0].buf;
	for (int i = 0; i < 16; i++)
		assert_int_equal(b[i], 0);

	assert_int_equal(vaccel_expect_nonserial_arg(args, 3), VACCEL_OK);
	assert_int_equal(vaccel_expect_nonserial_arg(args, 3), VACCEL_ERANGE);
	assert_int_equal(vaccel_delete_args(args), VACCEL_OK);
}

static void test_extract_args(void **state)
{
	(void)state;
	int32_t v = 5;
	struct pair p = {3, 4};

	reset_callbacks();
	struct vaccel_arg_list *args = vaccel_args_init(2);
	assert_non_null(args);
	assert_int_equal(vaccel_add_serial_arg(args, &v, sizeof(v)), VACCEL_OK);
	assert_int_equal(vaccel_add_nonserial_arg(args, &p, 9, pair_serializer),
			 VACCEL_OK);

	assert_ptr_equal(vaccel_extract_serial_arg(args->list, 0), &v);
	assert_ptr_equal(vaccel_extract_serial_arg(args->list, 1),
			 args->list[1].buf);
	assert_null(vaccel_extract_serial_arg(NULL, 0));
	assert_null(vaccel_extract_serial_arg(args->list, -1));

	struct pair *out =
		vaccel_extract_nonserial_arg(args->list, 1, pair_deserializer);
	assert_ptr_equal(out, &deserialized);
	assert_int_equal(deserializer_calls, 1);
	assert_int_equal(deserializer_last_size, 2 * sizeof(int32_t));
	assert_int_equal(out->a, 3);
	assert_int_equal(out->b, 4);

	assert_null(vaccel_extract_nonserial_arg(NULL, 1, pair_deserializer));
	assert_null(vaccel_extract_nonserial_arg(args->list, -1,
						 pair_deserializer));
	assert_null(vaccel_extract_nonserial_arg(args->list, 1, NULL));
	assert_int_equal(deserializer_calls, 1);

	assert_int_equal(vaccel_delete_args(args), VACCEL_OK);
}

static void test_write_serial_arg(void **state)
{
	(void)state;
	int64_t dest = 0;
	int64_t src = 0x0102030405060708LL;

	struct vaccel_arg_list *args = vaccel_args_init(2);
	assert_non_null(args);
	assert_int_equal(vaccel_expect_serial_arg(args, &dest, sizeof(dest)),
			 VACCEL_OK);
	assert_int_equal(vaccel_expect_nonserial_arg(args, sizeof(int64_t)),
			 VACCEL_OK);

	assert_int_equal(vaccel_write_serial_arg(args->list, 0, &src),
			 VACCEL_OK);
	assert_int_equal(dest, src);
	assert_int_equal(vaccel_write_serial_arg(args->list, 1, &src),
			 VACCEL_OK);
	assert_memory_equal(args->list[1].buf, &src, sizeof(src));

	assert_int_equal(vaccel_write_serial_arg(NULL, 0, &src), VACCEL_EINVAL);
	assert_int_equal(vaccel_write_serial_arg(args->list, -1, &src),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_write_serial_arg(args->list, 0, NULL),
			 VACCEL_EINVAL);

	assert_int_equal(vaccel_delete_args(args), VACCEL_OK);
}

static void test_write_nonserial_arg(void **state)
{
	(void)state;
	struct pair p = {7, 8};

	reset_callbacks();
	struct vaccel_arg_list *args = vaccel_args_init(2);
	assert_non_null(args);
	/* room for exactly the serialized pair, and one too small */
	assert_int_equal(vaccel_expect_nonserial_arg(args, 2 * sizeof(int32_t)),
			 VACCEL_OK);
	assert_int_equal(vaccel_expect_nonserial_arg(args, sizeof(int32_t)),
			 VACCEL_OK);

	assert_int_equal(
		vaccel_write_nonserial_arg(args->list, 0, &p, pair_serializer),
		VACCEL_OK);
	assert_int_equal(((int32_t *)args->list[0].buf)[0], 8);
	assert_int_equal(((int32_t *)args->list[0].buf)[1], 7);

	/* does not fit: rejected, nothing written, serialized data freed */
	assert_int_equal(
		vaccel_write_nonserial_arg(args->list, 1, &p, pair_serializer),
		VACCEL_EINVAL);
	assert_int_equal(((int32_t *)args->list[1].buf)[0], 0);

	serializer_null = true;
	assert_int_equal(
		vaccel_write_nonserial_arg(args->list, 0, &p, pair_serializer),
		VACCEL_EINVAL);
	serializer_null = false;
	serializer_empty = true;
	assert_int_equal(
		vaccel_write_nonserial_arg(args->list, 0, &p, pair_serializer),
		VACCEL_EINVAL);
	serializer_empty = false;

	assert_int_equal(
		vaccel_write_nonserial_arg(NULL, 0, &p, pair_serializer),
		VACCEL_EINVAL);
	assert_int_equal(
		vaccel_write_nonserial_arg(args->list, -1, &p, pair_serializer),
		VACCEL_EINVAL);
	assert_int_equal(vaccel_write_nonserial_arg(args->list, 0, NULL,
						    pair_serializer),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_write_nonserial_arg(args->list, 0, &p, NULL),
			 VACCEL_EINVAL);

	assert_int_equal(vaccel_delete_args(args), VACCEL_OK);
}

/* The list's slots are ordinary args: they can be unpacked as an array. */
static void test_list_interop_with_array(void **state)
{
	(void)state;
	uint32_t n = 12;
	char text[] = "hi";

	struct vaccel_arg_list *args = vaccel_args_init(3);
	assert_non_null(args);
	assert_int_equal(vaccel_add_serial_arg(args, &n, sizeof(n)), VACCEL_OK);
	assert_int_equal(vaccel_add_serial_arg(args, text, sizeof(text)),
			 VACCEL_OK);
	assert_int_equal(vaccel_expect_nonserial_arg(args, 4), VACCEL_OK);

	struct vaccel_arg_array array;
	assert_int_equal(vaccel_arg_array_wrap(&array, args->list,
					       (size_t)args->curr_idx),
			 VACCEL_OK);
	void *buf;
	size_t size;
	assert_int_equal(vaccel_arg_array_get_raw(&array, &buf, &size),
			 VACCEL_OK);
	assert_int_equal(*(uint32_t *)buf, 12);
	assert_int_equal(size, sizeof(n));
	assert_int_equal(vaccel_arg_array_get_raw(&array, &buf, &size),
			 VACCEL_OK);
	assert_string_equal(buf, "hi");
	uint32_t answer = 42;
	assert_int_equal(
		vaccel_arg_array_set_raw(&array, &answer, sizeof(answer)),
		VACCEL_OK);
	assert_int_equal(*(uint32_t *)args->list[2].buf, 42);

	assert_int_equal(vaccel_delete_args(args), VACCEL_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_args_init_delete),
		cmocka_unit_test(test_add_serial_arg),
		cmocka_unit_test(test_add_nonserial_arg),
		cmocka_unit_test(test_expect_serial_arg),
		cmocka_unit_test(test_expect_nonserial_arg),
		cmocka_unit_test(test_extract_args),
		cmocka_unit_test(test_write_serial_arg),
		cmocka_unit_test(test_write_nonserial_arg),
		cmocka_unit_test(test_list_interop_with_array),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
