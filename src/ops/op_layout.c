// SPDX-License-Identifier: Apache-2.0
#include "op_layout.h"

#include <stdio.h>

#include <vaccel.h>

#define OP_ARG_SPEC(dir, type_, form_, name_)                                  \
	{.write = OP_DIR_##dir,                                                \
	 .type = VIRTIO_ACCEL_ARG_##type_,                                     \
	 .form = OP_FORM_##form_,                                              \
	 .name = #name_},
#define OP_DIR_R			       false
#define OP_DIR_W			       true
#define OP_ARG_IS_READ(dir, type, form, name)  +OP_ARG_READ_##dir
#define OP_ARG_IS_WRITE(dir, type, form, name) +OP_ARG_WRITE_##dir
#define OP_ARG_READ_R			       1
#define OP_ARG_READ_W			       0
#define OP_ARG_WRITE_R			       0
#define OP_ARG_WRITE_W			       1

#define LAYOUT(var, LIST, is_open)                                             \
	static const struct op_arg_spec var##_args[] = {LIST(OP_ARG_SPEC)};    \
	static const struct op_layout var = {                                  \
		.arg = var##_args,                                             \
		.nr_read = 0 LIST(OP_ARG_IS_READ),                             \
		.nr_write = 0 LIST(OP_ARG_IS_WRITE),                           \
		.open = is_open,                                               \
	};                                                                     \
	_Static_assert(sizeof(var##_args) / sizeof(var##_args[0]) <=           \
			       OP_LAYOUT_MAX_ARGS,                             \
		       #var " has more than OP_LAYOUT_MAX_ARGS args")

LAYOUT(exec, OP_LAYOUT_EXEC, true);
LAYOUT(exec_res, OP_LAYOUT_EXEC_WITH_RESOURCE, true);
LAYOUT(classify, OP_LAYOUT_IMAGE_CLASSIFY, false);
LAYOUT(image_op, OP_LAYOUT_IMAGE_OP, false);
LAYOUT(sgemm, OP_LAYOUT_BLAS_SGEMM, false);
LAYOUT(arraycopy, OP_LAYOUT_FPGA_ARRAYCOPY, false);
LAYOUT(mmult, OP_LAYOUT_FPGA_MMULT, false);
LAYOUT(parallel, OP_LAYOUT_FPGA_PARALLEL, false);
LAYOUT(vadd, OP_LAYOUT_FPGA_VECTORADD, false);
LAYOUT(minmax, OP_LAYOUT_MINMAX, false);

const struct op_layout *op_layout_of(uint32_t op)
{
	switch (op) {
	case VIRTIO_ACCEL_OP_EXEC:
		return &exec;
	case VIRTIO_ACCEL_OP_EXEC_WITH_RESOURCE:
		return &exec_res;
	case VIRTIO_ACCEL_OP_IMAGE_CLASSIFY:
		return &classify;
	case VIRTIO_ACCEL_OP_IMAGE_DETECT:
	case VIRTIO_ACCEL_OP_IMAGE_SEGMENT:
	case VIRTIO_ACCEL_OP_IMAGE_POSE:
	case VIRTIO_ACCEL_OP_IMAGE_DEPTH:
		return &image_op;
	case VIRTIO_ACCEL_OP_BLAS_SGEMM:
		return &sgemm;
	case VIRTIO_ACCEL_OP_FPGA_ARRAYCOPY:
		return &arraycopy;
	case VIRTIO_ACCEL_OP_FPGA_MMULT:
		return &mmult;
	case VIRTIO_ACCEL_OP_FPGA_PARALLEL:
		return &parallel;
	case VIRTIO_ACCEL_OP_FPGA_VECTORADD:
		return &vadd;
	case VIRTIO_ACCEL_OP_MINMAX:
		return &minmax;
	default:
		return NULL;
	}
}

size_t op_arg_elem_size(uint32_t type)
{
	switch (type) {
	case VIRTIO_ACCEL_ARG_INT16:
	case VIRTIO_ACCEL_ARG_INT16_ARRAY:
	case VIRTIO_ACCEL_ARG_UINT16:
	case VIRTIO_ACCEL_ARG_UINT16_ARRAY:
		return 2;
	case VIRTIO_ACCEL_ARG_INT32:
	case VIRTIO_ACCEL_ARG_INT32_ARRAY:
	case VIRTIO_ACCEL_ARG_UINT32:
	case VIRTIO_ACCEL_ARG_UINT32_ARRAY:
	case VIRTIO_ACCEL_ARG_FLOAT32:
	case VIRTIO_ACCEL_ARG_FLOAT32_ARRAY:
		return 4;
	case VIRTIO_ACCEL_ARG_INT64:
	case VIRTIO_ACCEL_ARG_INT64_ARRAY:
	case VIRTIO_ACCEL_ARG_UINT64:
	case VIRTIO_ACCEL_ARG_UINT64_ARRAY:
	case VIRTIO_ACCEL_ARG_FLOAT64:
	case VIRTIO_ACCEL_ARG_FLOAT64_ARRAY:
		return 8;
	case VIRTIO_ACCEL_ARG_BOOL:
	case VIRTIO_ACCEL_ARG_BOOL_ARRAY:
		return sizeof(bool);
	default:
		return type < VIRTIO_ACCEL_ARG_TYPE_MAX ? 1 : 0;
	}
}

static bool legacy(enum op_arg_form f)
{
	return f == OP_FORM_LEGACY_SCALAR || f == OP_FORM_LEGACY_ARRAY;
}

static bool scalar(enum op_arg_form f)
{
	return f == OP_FORM_SCALAR || f == OP_FORM_LEGACY_SCALAR;
}

static void describe(const struct op_arg_spec *spec, size_t elem, char *want,
		     size_t want_len)
{
	const char *tn = vaccel_arg_type_to_str((vaccel_arg_type_t)spec->type);
	const char *alt = legacy(spec->form) ? "RAW or " : "";

	if (!want || !want_len)
		return;
	switch (spec->form) {
	case OP_FORM_SCALAR:
	case OP_FORM_LEGACY_SCALAR:
		snprintf(want, want_len, "%s%s of %zu bytes", alt, tn, elem);
		break;
	case OP_FORM_ARRAY:
	case OP_FORM_LEGACY_ARRAY:
		snprintf(want, want_len,
			 "a non-empty %s%s (multiple of %zu bytes)", alt, tn,
			 elem);
		break;
	case OP_FORM_STRING:
		snprintf(want, want_len, "a NUL-terminated %s", tn);
		break;
	case OP_FORM_BUFFER:
		snprintf(want, want_len, "a non-empty %s", tn);
		break;
	}
}

bool op_arg_fits(const struct op_arg_spec *spec, uint32_t type, size_t size,
		 const void *buf, char *want, size_t want_len)
{
	size_t elem = op_arg_elem_size(spec->type);
	bool ok = buf && size &&
		  (type == spec->type ||
		   (legacy(spec->form) && type == VIRTIO_ACCEL_ARG_RAW));

	if (ok && scalar(spec->form))
		ok = size == elem;
	else if (ok && spec->form != OP_FORM_STRING)
		ok = size % elem == 0;
	else if (ok)
		ok = ((const char *)buf)[size - 1] == '\0';
	if (!ok)
		describe(spec, elem, want, want_len);
	return ok;
}

size_t op_arg_count(const struct op_arg_spec *spec, size_t size)
{
	return size / op_arg_elem_size(spec->type);
}
