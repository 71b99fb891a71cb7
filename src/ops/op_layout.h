// SPDX-License-Identifier: Apache-2.0
/*
 * The argument layouts of the fixed-args ops (OP_LAYOUT_* below), as tables,
 * and the one check of an argument against its entry. Used by the guest
 * plugin's encoder and by libvaccel's genop decoder, so that both agree by
 * construction. Not installed.
 *
 * An encoder or decoder names the args of a layout with
 *   enum { OP_LAYOUT_BLAS_SGEMM(OP_ARG_INDEX) };
 * which declares ARG_m, ARG_n, ... as indexes into the layout (read args,
 * then write args).
 */
#ifndef VACCEL_OPS_OP_LAYOUT_H
#define VACCEL_OPS_OP_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_accel.h>

/*
 * The argument layouts of the ops with fixed arguments (docs/protocol.md
 * §7.5), described here once: the guest plugin encodes and libvaccel's genop
 * decodes from these lists (the numbers are the UAPI header's).
 * OP_LAYOUT_<op>(X) expands X(dir, type, form, name) for each argument, read
 * args first (on the genop path they follow the op selector), then write
 * args:
 *   dir   R (read) or W (write)
 *   type  VIRTIO_ACCEL_ARG_<type>
 *   form  SCALAR  exactly one element of the type
 *         ARRAY   a non-empty whole number of elements
 *         STRING  non-empty, its last byte NUL
 *         BUFFER  non-empty bytes
 *         LEGACY_SCALAR, LEGACY_ARRAY: as SCALAR, ARRAY, but RAW is
 *                 accepted too (upstream's untyped minmax and fpga ops)
 * EXEC and EXEC_WITH_RESOURCE are followed by the caller's own read and
 * write args; NOOP has none; OPENCV's are the caller's; the model ops'
 * are in §7.5.2. An op listed here has exactly these args.
 */
#define OP_LAYOUT_EXEC(X)                                                      \
	X(R, STRING, STRING, library)                                          \
	X(R, STRING, STRING, symbol)
#define OP_LAYOUT_EXEC_WITH_RESOURCE(X)                                        \
	X(R, INT64, SCALAR, resource)                                          \
	X(R, STRING, STRING, symbol)
/* write order of the generic op: out_imgname, then out_text */
#define OP_LAYOUT_IMAGE_CLASSIFY(X)                                            \
	X(R, BUFFER, BUFFER, image)                                            \
	X(W, UCHAR_ARRAY, ARRAY, out_imgname)                                  \
	X(W, UCHAR_ARRAY, ARRAY, out_text)
/* IMAGE_DETECT, IMAGE_SEGMENT, IMAGE_POSE, IMAGE_DEPTH */
#define OP_LAYOUT_IMAGE_OP(X)                                                  \
	X(R, BUFFER, BUFFER, image)                                            \
	X(W, UCHAR_ARRAY, ARRAY, out_imgname)
/* row-major; c is read too (beta * c) */
#define OP_LAYOUT_BLAS_SGEMM(X)                                                \
	X(R, INT64, SCALAR, m)                                                 \
	X(R, INT64, SCALAR, n)                                                 \
	X(R, INT64, SCALAR, k)                                                 \
	X(R, FLOAT32, SCALAR, alpha)                                           \
	X(R, FLOAT32_ARRAY, ARRAY, a)                                          \
	X(R, INT64, SCALAR, lda)                                               \
	X(R, FLOAT32_ARRAY, ARRAY, b)                                          \
	X(R, INT64, SCALAR, ldb)                                               \
	X(R, FLOAT32, SCALAR, beta)                                            \
	X(R, INT64, SCALAR, ldc)                                               \
	X(W, FLOAT32_ARRAY, ARRAY, c)
#define OP_LAYOUT_FPGA_ARRAYCOPY(X)                                            \
	X(R, INT32_ARRAY, LEGACY_ARRAY, a)                                     \
	X(W, INT32_ARRAY, LEGACY_ARRAY, out_a)
#define OP_LAYOUT_FPGA_MMULT(X)                                                \
	X(R, FLOAT32_ARRAY, LEGACY_ARRAY, a)                                   \
	X(R, FLOAT32_ARRAY, LEGACY_ARRAY, b)                                   \
	X(W, FLOAT32_ARRAY, LEGACY_ARRAY, c)
#define OP_LAYOUT_FPGA_PARALLEL(X)                                             \
	X(R, FLOAT32_ARRAY, LEGACY_ARRAY, a)                                   \
	X(R, FLOAT32_ARRAY, LEGACY_ARRAY, b)                                   \
	X(W, FLOAT32_ARRAY, LEGACY_ARRAY, add_output)                          \
	X(W, FLOAT32_ARRAY, LEGACY_ARRAY, mult_output)
/* c holds max(len(a), len(b)) elements */
#define OP_LAYOUT_FPGA_VECTORADD(X)                                            \
	X(R, FLOAT32_ARRAY, LEGACY_ARRAY, a)                                   \
	X(R, FLOAT32_ARRAY, LEGACY_ARRAY, b)                                   \
	X(W, FLOAT32_ARRAY, LEGACY_ARRAY, c)
#define OP_LAYOUT_MINMAX(X)                                                    \
	X(R, FLOAT64_ARRAY, LEGACY_ARRAY, indata)                              \
	X(R, INT32, LEGACY_SCALAR, ndata)                                      \
	X(R, INT32, LEGACY_SCALAR, low_threshold)                              \
	X(R, INT32, LEGACY_SCALAR, high_threshold)                             \
	X(W, FLOAT64_ARRAY, LEGACY_ARRAY, outdata)                             \
	X(W, FLOAT64, LEGACY_SCALAR, min)                                      \
	X(W, FLOAT64, LEGACY_SCALAR, max)

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
