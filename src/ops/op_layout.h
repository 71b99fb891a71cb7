// SPDX-License-Identifier: Apache-2.0
/*
 * The argument layouts of include/uapi/linux/virtio_accel.h
 * (VIRTIO_ACCEL_LAYOUT_*) as tables, and the one check of an argument
 * against its entry. Used by the guest plugin's encoder and by libvaccel's
 * genop decoder, so that both agree by construction. Not installed.
 *
 * An encoder or decoder names the args of a layout with
 *   enum { VIRTIO_ACCEL_LAYOUT_BLAS_SGEMM(OP_ARG_INDEX) };
 * which declares ARG_m, ARG_n, ... as indexes into the layout (read args,
 * then write args).
 */
#ifndef VACCEL_OPS_OP_LAYOUT_H
#define VACCEL_OPS_OP_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_accel.h>

enum op_arg_form {
	OP_FORM_SCALAR,
	OP_FORM_ARRAY,
	OP_FORM_STRING,
	OP_FORM_BUFFER,
	OP_FORM_LEGACY_SCALAR,
	OP_FORM_LEGACY_ARRAY,
};

struct op_arg_spec {
	bool write;
	uint32_t type; /* VIRTIO_ACCEL_ARG_* */
	enum op_arg_form form;
	const char *name;
};

struct op_layout {
	const struct op_arg_spec *arg; /* nr_read read args, then writes */
	unsigned int nr_read, nr_write;
	bool open; /* the caller's own args follow (EXEC*) */
};

#define OP_ARG_INDEX(dir, type, form, name) ARG_##name,

/* The most args of any layout (BLAS_SGEMM). */
#define OP_LAYOUT_MAX_ARGS 11

/* The layout of `op`, or NULL for ops without a fixed layout (NOOP, OPENCV,
 * the model ops, unknown numbers). */
const struct op_layout *op_layout_of(uint32_t op);

/* Bytes of one element of an arg type: 1 for RAW, STRING, BUFFER, CUSTOM
 * and the byte types; 0 for numbers out of range. */
size_t op_arg_elem_size(uint32_t type);

/*
 * Whether an arg of `type` with `size` bytes at `buf` (NULL: no buffer)
 * satisfies `spec`. A STRING's last byte is read, nothing else. On false,
 * `want` (if set) says in words what the arg must be.
 */
bool op_arg_fits(const struct op_arg_spec *spec, uint32_t type, size_t size,
		 const void *buf, char *want, size_t want_len);

/* The element count of an arg that fits `spec`. */
size_t op_arg_count(const struct op_arg_spec *spec, size_t size);

#endif /* VACCEL_OPS_OP_LAYOUT_H */
