// SPDX-License-Identifier: Apache-2.0
/*
 * vaccel_genop(): the generic operation. read[0] is a typed UINT8 arg of size
 * 1 holding the vaccel_op_type_t; the remaining read args and all write args
 * are decoded by the op's unpacker, which checks exact counts, types and sizes
 * and then makes the typed vaccel_*() call (so plugin selection and profiling
 * are those of the typed op).
 *
 * The legacy "untyped" layouts (minmax, fpga) take RAW args (or typed args of
 * the matching element kind); their sizes are checked before any dereference.
 * OPENCV args are passed through unchecked.
 */
#include "genop_internal.h"
#include "op_layout.h"
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

/* minmax, fpga and torch sgemm are deprecated but still reachable here. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

/*
 * Decoding. The fixed layouts are those of the UAPI header
 * (OP_LAYOUT_*, tabled by op_layout.c): the guest plugin encodes
 * from the same lists. Arg indexes in messages are those of the caller's
 * arrays (read index 0 is the op type).
 */

/* The args of a fixed layout, by layout index (read args, then writes). */
struct layout_args {
	void *buf[OP_LAYOUT_MAX_ARGS];
	size_t count[OP_LAYOUT_MAX_ARGS]; /* elements */
};

static int expect_counts(const struct genop_ctx *ctx, const struct op_layout *l)
{
	size_t got_read = vaccel_arg_array_remaining_count(&ctx->read);
	size_t got_write = vaccel_arg_array_count(&ctx->write);

	if (l->open && got_read < l->nr_read) {
		vaccel_error("session %" PRId64 ": genop %s: expected at least "
			     "%u read args after the op type, got %zu",
			     ctx->sess->id, ctx->op, l->nr_read, got_read);
		return VACCEL_EINVAL;
	}
	if (!l->open && (got_read != l->nr_read || got_write != l->nr_write)) {
		vaccel_error("session %" PRId64
			     ": genop %s: expected %u read args after the op "
			     "type and %u write args, got %zu and %zu",
			     ctx->sess->id, ctx->op, l->nr_read, l->nr_write,
			     got_read, got_write);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

/* Check arg `i` of the layout against its entry, logging one error line
 * with the genop context. */
static int check_arg(const struct genop_ctx *ctx, const struct op_layout *l,
		     unsigned int i, const struct vaccel_arg *arg, size_t idx)
{
	const struct op_arg_spec *spec = &l->arg[i];
	char want[96];

	if (op_arg_fits(spec, (uint32_t)arg->type, arg->size, arg->buf, want,
			sizeof(want)))
		return VACCEL_OK;
	vaccel_error("session %" PRId64 ": genop %s: %s arg %zu (%s) must be "
		     "%s, got %s of %zu bytes%s",
		     ctx->sess->id, ctx->op, spec->write ? "write" : "read",
		     idx, spec->name, want, vaccel_arg_type_to_str(arg->type),
		     arg->size, arg->buf ? "" : " with no buffer");
	return VACCEL_EINVAL;
}

/*
 * Check the op's fixed args (counts, types, sizes; nothing is dereferenced
 * but a STRING's last byte) and return their buffers and element counts.
 * The read cursor is left after them: an open layout's caller args follow.
 */
static int decode_layout(struct genop_ctx *ctx, struct layout_args *out)
{
	const struct op_layout *l = op_layout_of((uint32_t)ctx->type);
	struct vaccel_arg *rd = vaccel_arg_array_raw(&ctx->read);
	struct vaccel_arg *wr = vaccel_arg_array_raw(&ctx->write);
	size_t first = vaccel_arg_array_position(&ctx->read);

	if (!l)
		return VACCEL_EINVAL; /* not reachable through the table */
	int ret = expect_counts(ctx, l);
	if (ret)
		return ret;
	for (unsigned int i = 0; i < l->nr_read + l->nr_write; i++) {
		bool w = i >= l->nr_read;
		size_t idx = w ? i - l->nr_read : first + i;
		struct vaccel_arg *arg = w ? &wr[idx] : &rd[idx];
		ret = check_arg(ctx, l, i, arg, idx);
		if (ret)
			return ret;
		out->buf[i] = arg->buf;
		out->count[i] = op_arg_count(&l->arg[i], arg->size);
	}
	vaccel_arg_array_set_position(&ctx->read, first + l->nr_read);
	return VACCEL_OK;
}

/* A scalar of the layout (its size checked by decode_layout). */
static int64_t arg_i64(const struct layout_args *a, unsigned int i)
{
	int64_t v;
	memcpy(&v, a->buf[i], sizeof(v));
	return v;
}

static int arg_int(const struct layout_args *a, unsigned int i)
{
	int v;
	memcpy(&v, a->buf[i], sizeof(v));
	return v;
}

static float arg_float(const struct layout_args *a, unsigned int i)
{
	float v;
	memcpy(&v, a->buf[i], sizeof(v));
	return v;
}

/* Array arg `name` must hold at least `need` elements. */
static int expect_len(const struct genop_ctx *ctx, const char *name,
		      size_t have, size_t need)
{
	if (have < need) {
		vaccel_error("session %" PRId64 ": genop %s: %s holds %zu "
			     "elements but %zu are needed",
			     ctx->sess->id, ctx->op, name, have, need);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

/*
 * Unpackers
 */

static int unpack_noop(struct genop_ctx *ctx)
{
	size_t got_read = vaccel_arg_array_remaining_count(&ctx->read);
	size_t got_write = vaccel_arg_array_count(&ctx->write);

	if (got_read || got_write) {
		vaccel_error("session %" PRId64 ": genop %s: takes no args "
			     "after the op type, got %zu read and %zu write",
			     ctx->sess->id, ctx->op, got_read, got_write);
		return VACCEL_EINVAL;
	}
	return vaccel_noop(ctx->sess);
}

/* The caller's args after an open layout's fixed ones. */
static void caller_args(struct genop_ctx *ctx, struct vaccel_arg **read,
			size_t *nr_read, struct vaccel_arg **write,
			size_t *nr_write)
{
	*read = NULL;
	*nr_read = 0;
	if (vaccel_arg_array_get_remaining(&ctx->read, read, nr_read) ||
	    !*nr_read)
		*read = NULL;
	*nr_write = vaccel_arg_array_count(&ctx->write);
	*write = *nr_write ? vaccel_arg_array_raw(&ctx->write) : NULL;
}

static int unpack_exec(struct genop_ctx *ctx)
{
	enum { OP_LAYOUT_EXEC(OP_ARG_INDEX) };
	struct layout_args a;
	struct vaccel_arg *read, *write;
	size_t nr_read, nr_write;

	int ret = decode_layout(ctx, &a);
	if (ret)
		return ret;
	caller_args(ctx, &read, &nr_read, &write, &nr_write);
	return vaccel_exec(ctx->sess, a.buf[ARG_library], a.buf[ARG_symbol],
			   read, nr_read, write, nr_write);
}

static int unpack_exec_with_resource(struct genop_ctx *ctx)
{
	enum { OP_LAYOUT_EXEC_WITH_RESOURCE(OP_ARG_INDEX) };
	struct layout_args a;
	struct vaccel_resource *res;
	struct vaccel_arg *read, *write;
	size_t nr_read, nr_write;

	int ret = decode_layout(ctx, &a);
	if (ret)
		return ret;
	int64_t res_id = arg_i64(&a, ARG_resource);
	/* The lookup logs its own failure. */
	ret = vaccel_resource_get_by_id(&res, res_id);
	if (ret) {
		vaccel_debug("session %" PRId64 ": genop %s: resource %" PRId64
			     " lookup failed (%d)",
			     ctx->sess->id, ctx->op, res_id, ret);
		return ret;
	}
	caller_args(ctx, &read, &nr_read, &write, &nr_write);
	return vaccel_exec_with_resource(ctx->sess, res, a.buf[ARG_symbol],
					 read, nr_read, write, nr_write);
}

static int unpack_image_classify(struct genop_ctx *ctx)
{
	enum { OP_LAYOUT_IMAGE_CLASSIFY(OP_ARG_INDEX) };
	struct layout_args a;

	int ret = decode_layout(ctx, &a);
	if (ret)
		return ret;
	return vaccel_image_classification(
		ctx->sess, a.buf[ARG_image], a.buf[ARG_out_text],
		a.buf[ARG_out_imgname], a.count[ARG_image],
		a.count[ARG_out_text], a.count[ARG_out_imgname]);
}

typedef int (*image_op_fn)(struct vaccel_session *sess, const void *img,
			   unsigned char *out_imgname, size_t len_img,
			   size_t len_out_imgname);

static int unpack_image_op(struct genop_ctx *ctx)
{
	enum { OP_LAYOUT_IMAGE_OP(OP_ARG_INDEX) };
	struct layout_args a;
	image_op_fn fn;

	switch (ctx->type) {
	case VACCEL_OP_IMAGE_DETECT:
		fn = vaccel_image_detection;
		break;
	case VACCEL_OP_IMAGE_SEGMENT:
		fn = vaccel_image_segmentation;
		break;
	case VACCEL_OP_IMAGE_POSE:
		fn = vaccel_image_pose;
		break;
	case VACCEL_OP_IMAGE_DEPTH:
		fn = vaccel_image_depth;
		break;
	default:
		return VACCEL_EINVAL; /* not reachable through the table */
	}
	int ret = decode_layout(ctx, &a);
	if (ret)
		return ret;
	return fn(ctx->sess, a.buf[ARG_image], a.buf[ARG_out_imgname],
		  a.count[ARG_image], a.count[ARG_out_imgname]);
}

/*
 * Elements a row-major matrix of `rows` x `cols` with leading dimension `ld`
 * spans: (rows - 1) * ld + cols. EINVAL unless ld >= cols and the result
 * fits in size_t (rows, cols >= 1 are checked first).
 */
static int sgemm_span(const struct genop_ctx *ctx, const char *name,
		      int64_t rows, int64_t cols, int64_t ld,
		      const char *ld_name, size_t *span)
{
	uint64_t prod;

	if (ld < cols) {
		vaccel_error("session %" PRId64 ": genop %s: %s = %" PRId64
			     " is smaller than the row length %" PRId64
			     " of %s",
			     ctx->sess->id, ctx->op, ld_name, ld, cols, name);
		return VACCEL_EINVAL;
	}
	if (__builtin_mul_overflow((uint64_t)(rows - 1), (uint64_t)ld, &prod) ||
	    __builtin_add_overflow(prod, (uint64_t)cols, &prod) ||
	    prod > SIZE_MAX) {
		vaccel_error("session %" PRId64 ": genop %s: the size of %s "
			     "overflows",
			     ctx->sess->id, ctx->op, name);
		return VACCEL_EINVAL;
	}
	*span = (size_t)prod;
	return VACCEL_OK;
}

static int unpack_blas_sgemm(struct genop_ctx *ctx)
{
	enum { OP_LAYOUT_BLAS_SGEMM(OP_ARG_INDEX) };
	struct layout_args x;
	size_t need_a, need_b, need_c;

	int ret = decode_layout(ctx, &x);
	if (ret)
		return ret;
	int64_t m = arg_i64(&x, ARG_m), n = arg_i64(&x, ARG_n),
		k = arg_i64(&x, ARG_k);
	int64_t lda = arg_i64(&x, ARG_lda), ldb = arg_i64(&x, ARG_ldb),
		ldc = arg_i64(&x, ARG_ldc);

	if (m < 1 || n < 1 || k < 1) {
		vaccel_error("session %" PRId64 ": genop %s: m, n, k must be "
			     ">= 1 (got %" PRId64 ", %" PRId64 ", %" PRId64 ")",
			     ctx->sess->id, ctx->op, m, n, k);
		return VACCEL_EINVAL;
	}

	/* Row-major: A is m x k, B is k x n, C is m x n. */
	if ((ret = sgemm_span(ctx, "a", m, k, lda, "lda", &need_a)) ||
	    (ret = sgemm_span(ctx, "b", k, n, ldb, "ldb", &need_b)) ||
	    (ret = sgemm_span(ctx, "c", m, n, ldc, "ldc", &need_c)) ||
	    (ret = expect_len(ctx, "a", x.count[ARG_a], need_a)) ||
	    (ret = expect_len(ctx, "b", x.count[ARG_b], need_b)) ||
	    (ret = expect_len(ctx, "c", x.count[ARG_c], need_c)))
		return ret;

	return vaccel_sgemm(ctx->sess, m, n, k, arg_float(&x, ARG_alpha),
			    x.buf[ARG_a], lda, x.buf[ARG_b], ldb,
			    arg_float(&x, ARG_beta), x.buf[ARG_c], ldc);
}

static int unpack_fpga_arraycopy(struct genop_ctx *ctx)
{
	enum { OP_LAYOUT_FPGA_ARRAYCOPY(OP_ARG_INDEX) };
	struct layout_args x;

	int ret = decode_layout(ctx, &x);
	if (!ret)
		ret = expect_len(ctx, "out_a", x.count[ARG_out_a],
				 x.count[ARG_a]);
	if (ret)
		return ret;
	return vaccel_fpga_arraycopy(ctx->sess, x.buf[ARG_a], x.buf[ARG_out_a],
				     x.count[ARG_a]);
}

static int unpack_fpga_mmult(struct genop_ctx *ctx)
{
	enum { OP_LAYOUT_FPGA_MMULT(OP_ARG_INDEX) };
	struct layout_args x;

	int ret = decode_layout(ctx, &x);
	if (ret ||
	    (ret = expect_len(ctx, "b", x.count[ARG_b], x.count[ARG_a])) ||
	    (ret = expect_len(ctx, "c", x.count[ARG_c], x.count[ARG_a])))
		return ret;
	return vaccel_fpga_mmult(ctx->sess, x.buf[ARG_a], x.buf[ARG_b],
				 x.buf[ARG_c], x.count[ARG_a]);
}

static int unpack_fpga_parallel(struct genop_ctx *ctx)
{
	enum { OP_LAYOUT_FPGA_PARALLEL(OP_ARG_INDEX) };
	struct layout_args x;

	int ret = decode_layout(ctx, &x);
	if (ret ||
	    (ret = expect_len(ctx, "b", x.count[ARG_b], x.count[ARG_a])) ||
	    (ret = expect_len(ctx, "add_output", x.count[ARG_add_output],
			      x.count[ARG_a])) ||
	    (ret = expect_len(ctx, "mult_output", x.count[ARG_mult_output],
			      x.count[ARG_a])))
		return ret;
	return vaccel_fpga_parallel(ctx->sess, x.buf[ARG_a], x.buf[ARG_b],
				    x.buf[ARG_add_output],
				    x.buf[ARG_mult_output], x.count[ARG_a]);
}

static int unpack_fpga_vadd(struct genop_ctx *ctx)
{
	enum { OP_LAYOUT_FPGA_VECTORADD(OP_ARG_INDEX) };
	struct layout_args x;

	int ret = decode_layout(ctx, &x);
	if (ret)
		return ret;
	size_t la = x.count[ARG_a], lb = x.count[ARG_b];
	ret = expect_len(ctx, "c", x.count[ARG_c], la > lb ? la : lb);
	if (ret)
		return ret;
	return vaccel_fpga_vadd(ctx->sess, x.buf[ARG_a], x.buf[ARG_b],
				x.buf[ARG_c], la, lb);
}

static int unpack_minmax(struct genop_ctx *ctx)
{
	enum { OP_LAYOUT_MINMAX(OP_ARG_INDEX) };
	struct layout_args x;

	int ret = decode_layout(ctx, &x);
	if (ret)
		return ret;
	int ndata = arg_int(&x, ARG_ndata);
	if (ndata < 1 || (size_t)ndata > x.count[ARG_indata]) {
		vaccel_error("session %" PRId64 ": genop %s: ndata = %d does "
			     "not fit indata (%zu doubles)",
			     ctx->sess->id, ctx->op, ndata,
			     x.count[ARG_indata]);
		return VACCEL_EINVAL;
	}
	ret = expect_len(ctx, "outdata", x.count[ARG_outdata], (size_t)ndata);
	if (ret)
		return ret;
	return vaccel_minmax(
		ctx->sess, x.buf[ARG_indata], ndata,
		arg_int(&x, ARG_low_threshold), arg_int(&x, ARG_high_threshold),
		x.buf[ARG_outdata], x.buf[ARG_min], x.buf[ARG_max]);
}

static int unpack_opencv(struct genop_ctx *ctx)
{
	struct vaccel_arg *read;
	size_t nr_read;
	size_t nr_write = vaccel_arg_array_count(&ctx->write);

	int ret = vaccel_arg_array_get_remaining(&ctx->read, &read, &nr_read);
	if (ret)
		return ret;

	/* Counts came in as ints, so they fit. */
	return vaccel_opencv_unpack(
		ctx->sess, nr_read ? read : NULL, (int)nr_read,
		nr_write ? vaccel_arg_array_raw(&ctx->write) : NULL,
		(int)nr_write);
}

/* TORCH_SGEMM (deprecated) is not genop-able (left NULL: ENOTSUP). */
static const genop_unpack_fn genop_unpackers[VACCEL_OP_MAX] = {
	[VACCEL_OP_NOOP] = unpack_noop,
	[VACCEL_OP_EXEC] = unpack_exec,
	[VACCEL_OP_EXEC_WITH_RESOURCE] = unpack_exec_with_resource,
	[VACCEL_OP_IMAGE_CLASSIFY] = unpack_image_classify,
	[VACCEL_OP_IMAGE_DETECT] = unpack_image_op,
	[VACCEL_OP_IMAGE_SEGMENT] = unpack_image_op,
	[VACCEL_OP_IMAGE_POSE] = unpack_image_op,
	[VACCEL_OP_IMAGE_DEPTH] = unpack_image_op,
	[VACCEL_OP_TF_MODEL_LOAD] = genop_unpack_model,
	[VACCEL_OP_TF_MODEL_UNLOAD] = genop_unpack_model,
	[VACCEL_OP_TF_MODEL_RUN] = genop_unpack_model,
	[VACCEL_OP_TFLITE_MODEL_LOAD] = genop_unpack_model,
	[VACCEL_OP_TFLITE_MODEL_UNLOAD] = genop_unpack_model,
	[VACCEL_OP_TFLITE_MODEL_RUN] = genop_unpack_model,
	[VACCEL_OP_TORCH_MODEL_LOAD] = genop_unpack_model,
	[VACCEL_OP_TORCH_MODEL_RUN] = genop_unpack_model,
	[VACCEL_OP_BLAS_SGEMM] = unpack_blas_sgemm,
	[VACCEL_OP_FPGA_ARRAYCOPY] = unpack_fpga_arraycopy,
	[VACCEL_OP_FPGA_MMULT] = unpack_fpga_mmult,
	[VACCEL_OP_FPGA_PARALLEL] = unpack_fpga_parallel,
	[VACCEL_OP_FPGA_VECTORADD] = unpack_fpga_vadd,
	[VACCEL_OP_MINMAX] = unpack_minmax,
	[VACCEL_OP_OPENCV] = unpack_opencv,
};

VACCEL_API int vaccel_genop(struct vaccel_session *sess,
			    struct vaccel_arg *read, int nr_read,
			    struct vaccel_arg *write, int nr_write)
{
	struct genop_ctx ctx;
	uint8_t op;

	if (!sess) {
		vaccel_error("vaccel_genop: session is NULL");
		return VACCEL_EINVAL;
	}
	if (nr_read < 1 || !read) {
		vaccel_error("session %" PRId64 ": genop: read must hold at "
			     "least the op type arg (read %s, nr_read %d)",
			     sess->id, read ? "set" : "NULL", nr_read);
		return VACCEL_EINVAL;
	}
	if (nr_write < 0 || (nr_write > 0 && !write)) {
		vaccel_error("session %" PRId64 ": genop: invalid write args "
			     "(write %s, nr_write %d)",
			     sess->id, write ? "set" : "NULL", nr_write);
		return VACCEL_EINVAL;
	}

	ctx.sess = sess;
	int ret = vaccel_arg_array_wrap(&ctx.read, read, (size_t)nr_read);
	if (ret)
		return ret;
	ret = vaccel_arg_array_wrap(&ctx.write, nr_write ? write : NULL,
				    (size_t)nr_write);
	if (ret)
		return ret;

	/* Checked here so that the getter cannot fail (and log) too. */
	if (read[0].type != VACCEL_ARG_UINT8 || read[0].size != 1 ||
	    !read[0].buf) {
		vaccel_error("session %" PRId64 ": genop: read arg 0 must be a "
			     "UINT8 of size 1 holding the op type (got %s, %zu "
			     "bytes%s)",
			     sess->id, vaccel_arg_type_to_str(read[0].type),
			     read[0].size, read[0].buf ? "" : ", no buffer");
		return VACCEL_EINVAL;
	}
	ret = vaccel_arg_array_get_uint8(&ctx.read, &op);
	if (ret)
		return ret;
	if (op >= VACCEL_OP_MAX) {
		vaccel_error("session %" PRId64 ": genop: invalid op type %u",
			     sess->id, (unsigned int)op);
		return VACCEL_EINVAL;
	}

	ctx.type = (vaccel_op_type_t)op;
	vaccel_op_type_name(ctx.type, ctx.op, sizeof(ctx.op));

	vaccel_debug("session %" PRId64 ": genop %s (%d read, %d write)",
		     sess->id, ctx.op, nr_read, nr_write);

	genop_unpack_fn unpack = genop_unpackers[op];
	if (!unpack) {
		vaccel_error("session %" PRId64 ": genop: op %s cannot be "
			     "called through genop",
			     sess->id, ctx.op);
		return VACCEL_ENOTSUP;
	}

	return unpack(&ctx);
}
