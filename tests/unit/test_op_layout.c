// SPDX-License-Identifier: Apache-2.0
/*
 * The argument layouts of the UAPI header (OP_LAYOUT_*) as tabled
 * by src/ops/op_layout.c, which the guest plugin encodes from and genop
 * decodes with: every carried op with fixed args has one, each entry is
 * well-formed, and the one arg check accepts and refuses what it documents.
 */
#include "test_util.h"

#include <string.h>

#include "ops/op_layout.h"

static bool is_array_type(uint32_t t)
{
	return t == VIRTIO_ACCEL_ARG_RAW || t == VIRTIO_ACCEL_ARG_STRING ||
	       t == VIRTIO_ACCEL_ARG_BUFFER ||
	       (t >= VIRTIO_ACCEL_ARG_INT8 &&
		t <= VIRTIO_ACCEL_ARG_UCHAR_ARRAY && t % 2 == 0);
}

/* Which ops have a fixed layout: the carried ones, except NOOP (no args),
 * OPENCV (the caller's args) and the model ops (§7.5.2). */
static bool wants_layout(uint32_t op)
{
	uint32_t f = virtio_accel_op_flags(op);
	return (f & VIRTIO_ACCEL_OPF_CARRIED) &&
	       !(f & (VIRTIO_ACCEL_OPF_NOARGS | VIRTIO_ACCEL_OPF_MODELS)) &&
	       op != VIRTIO_ACCEL_OP_OPENCV;
}

static void test_every_op_has_its_layout(void **state)
{
	(void)state;
	for (uint32_t op = 0; op < VIRTIO_ACCEL_OP_MAX + 4; op++) {
		const struct op_layout *l = op_layout_of(op);
		assert_int_equal(l != NULL, wants_layout(op));
		if (!l)
			continue;
		unsigned int n = l->nr_read + l->nr_write;
		assert_true(n >= 1 && n <= OP_LAYOUT_MAX_ARGS);
		/* the exec ops carry the caller's args after theirs */
		assert_int_equal(
			l->open,
			op == VIRTIO_ACCEL_OP_EXEC ||
				op == VIRTIO_ACCEL_OP_EXEC_WITH_RESOURCE);
		for (unsigned int i = 0; i < n; i++) {
			const struct op_arg_spec *a = &l->arg[i];
			assert_int_equal(a->write, i >= l->nr_read);
			assert_true(a->type < VIRTIO_ACCEL_ARG_TYPE_MAX);
			assert_true(op_arg_elem_size(a->type) >= 1);
			bool arr = a->form != OP_FORM_SCALAR &&
				   a->form != OP_FORM_LEGACY_SCALAR;
			assert_int_equal(arr, is_array_type(a->type));
			for (unsigned int k = 0; k < i; k++)
				assert_string_not_equal(a->name,
							l->arg[k].name);
		}
	}
	/* a resource-id op's read arg 0 is the INT64 the device translates */
	const struct op_layout *l =
		op_layout_of(VIRTIO_ACCEL_OP_EXEC_WITH_RESOURCE);
	assert_int_equal(l->arg[0].type, VIRTIO_ACCEL_ARG_INT64);
	assert_int_equal(l->arg[0].form, OP_FORM_SCALAR);
}

static void test_indexes_follow_the_list(void **state)
{
	(void)state;
	enum { OP_LAYOUT_BLAS_SGEMM(OP_ARG_INDEX) NR };
	const struct op_layout *l = op_layout_of(VIRTIO_ACCEL_OP_BLAS_SGEMM);
	assert_int_equal(l->nr_read + l->nr_write, NR);
	assert_int_equal(l->nr_write, 1);
	assert_string_equal(l->arg[ARG_alpha].name, "alpha");
	assert_int_equal(l->arg[ARG_alpha].type, VIRTIO_ACCEL_ARG_FLOAT32);
	assert_string_equal(l->arg[ARG_c].name, "c");
	assert_true(l->arg[ARG_c].write);
}

static void test_arg_fits(void **state)
{
	(void)state;
	const struct op_arg_spec i64 = {false, VIRTIO_ACCEL_ARG_INT64,
					OP_FORM_SCALAR, "x"};
	const struct op_arg_spec f32s = {false, VIRTIO_ACCEL_ARG_FLOAT32_ARRAY,
					 OP_FORM_ARRAY, "a"};
	const struct op_arg_spec str = {false, VIRTIO_ACCEL_ARG_STRING,
					OP_FORM_STRING, "s"};
	const struct op_arg_spec buf = {false, VIRTIO_ACCEL_ARG_BUFFER,
					OP_FORM_BUFFER, "b"};
	const struct op_arg_spec lsc = {true, VIRTIO_ACCEL_ARG_FLOAT64,
					OP_FORM_LEGACY_SCALAR, "min"};
	const struct op_arg_spec lar = {false, VIRTIO_ACCEL_ARG_INT32_ARRAY,
					OP_FORM_LEGACY_ARRAY, "a"};
	char bytes[64] = "abc";
	char want[96];

	assert_true(
		op_arg_fits(&i64, VIRTIO_ACCEL_ARG_INT64, 8, bytes, NULL, 0));
	assert_false(op_arg_fits(&i64, VIRTIO_ACCEL_ARG_INT64, 4, bytes, want,
				 sizeof(want)));
	assert_string_equal(want, "VACCEL_ARG_INT64 of 8 bytes");
	assert_false(
		op_arg_fits(&i64, VIRTIO_ACCEL_ARG_UINT64, 8, bytes, NULL, 0));
	assert_false(
		op_arg_fits(&i64, VIRTIO_ACCEL_ARG_RAW, 8, bytes, NULL, 0));
	assert_false(
		op_arg_fits(&i64, VIRTIO_ACCEL_ARG_INT64, 8, NULL, NULL, 0));

	assert_true(op_arg_fits(&f32s, VIRTIO_ACCEL_ARG_FLOAT32_ARRAY, 12,
				bytes, NULL, 0));
	assert_false(op_arg_fits(&f32s, VIRTIO_ACCEL_ARG_FLOAT32_ARRAY, 10,
				 bytes, NULL, 0));
	assert_false(op_arg_fits(&f32s, VIRTIO_ACCEL_ARG_FLOAT32_ARRAY, 0,
				 bytes, NULL, 0));
	assert_int_equal(op_arg_count(&f32s, 12), 3);

	assert_true(
		op_arg_fits(&str, VIRTIO_ACCEL_ARG_STRING, 4, bytes, NULL, 0));
	assert_false(op_arg_fits(&str, VIRTIO_ACCEL_ARG_STRING, 3, bytes, want,
				 sizeof(want)));
	assert_string_equal(want, "a NUL-terminated VACCEL_ARG_STRING");

	assert_true(
		op_arg_fits(&buf, VIRTIO_ACCEL_ARG_BUFFER, 1, bytes, NULL, 0));
	assert_false(
		op_arg_fits(&buf, VIRTIO_ACCEL_ARG_BUFFER, 0, bytes, NULL, 0));

	/* legacy: RAW or the type, sized as the plain form */
	assert_true(op_arg_fits(&lsc, VIRTIO_ACCEL_ARG_RAW, 8, bytes, NULL, 0));
	assert_true(
		op_arg_fits(&lsc, VIRTIO_ACCEL_ARG_FLOAT64, 8, bytes, NULL, 0));
	assert_false(op_arg_fits(&lsc, VIRTIO_ACCEL_ARG_RAW, 4, bytes, want,
				 sizeof(want)));
	assert_string_equal(want, "RAW or VACCEL_ARG_FLOAT64 of 8 bytes");
	assert_false(
		op_arg_fits(&lsc, VIRTIO_ACCEL_ARG_FLOAT32, 8, bytes, NULL, 0));
	assert_true(
		op_arg_fits(&lar, VIRTIO_ACCEL_ARG_RAW, 16, bytes, NULL, 0));
	assert_false(
		op_arg_fits(&lar, VIRTIO_ACCEL_ARG_RAW, 6, bytes, NULL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_op_has_its_layout),
		cmocka_unit_test(test_indexes_follow_the_list),
		cmocka_unit_test(test_arg_fits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
