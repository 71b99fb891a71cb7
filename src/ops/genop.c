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
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

/* minmax, fpga and torch sgemm are deprecated but still reachable here. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"


/*
 * Decoding helpers. Arg indexes in messages are those of the caller's arrays
 * (read index 0 is the op type).
 */

static int expect_counts(const struct genop_ctx *ctx, size_t nr_read,
			 size_t nr_write)
{
	size_t got_read = vaccel_arg_array_remaining_count(&ctx->read);
	size_t got_write = vaccel_arg_array_count(&ctx->write);

	if (got_read != nr_read || got_write != nr_write) {
		vaccel_error("session %" PRId64
			     ": genop %s: expected %zu read args after the op "
			     "type and %zu write args, got %zu and %zu",
			     ctx->sess->id, ctx->op, nr_read, nr_write,
			     got_read, got_write);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

enum typed_kind { KIND_SCALAR, KIND_ARRAY, KIND_STRING, KIND_BUFFER };

/*
 * Check the typed arg at the cursor of `arr` the way the arg-array getters do
 * (exact type; scalar of exactly `elem` bytes; array a non-empty multiple of
 * `elem`; NUL-terminated STRING; non-empty BUFFER), logging one error line
 * with the genop context. The getter called next then cannot fail, so a bad
 * arg is reported once.
 */
static int check_typed(const struct genop_ctx *ctx,
		       const struct vaccel_arg_array *arr,
		       vaccel_arg_type_t type, enum typed_kind kind,
		       size_t elem, const char *name)
{
	size_t idx = vaccel_arg_array_position(arr);
	const struct vaccel_arg *arg =
		&vaccel_arg_array_raw((struct vaccel_arg_array *)arr)[idx];
	bool ok = arg->type == type && arg->buf;

	if (ok) {
		switch (kind) {
		case KIND_SCALAR:
			ok = arg->size == elem;
			break;
		case KIND_ARRAY:
			ok = arg->size && arg->size % elem == 0;
			break;
		case KIND_STRING:
			ok = arg->size &&
			     ((const char *)arg->buf)[arg->size - 1] == '\0';
			break;
		case KIND_BUFFER:
			ok = arg->size != 0;
			break;
		}
	}
	if (ok)
		return VACCEL_OK;

	char want[96];
	switch (kind) {
	case KIND_SCALAR:
		snprintf(want, sizeof(want), "%s of %zu bytes",
			 vaccel_arg_type_to_str(type), elem);
		break;
	case KIND_ARRAY:
		snprintf(want, sizeof(want),
			 "a non-empty %s (multiple of %zu "
			 "bytes)",
			 vaccel_arg_type_to_str(type), elem);
		break;
	case KIND_STRING:
		snprintf(want, sizeof(want), "a NUL-terminated %s",
			 vaccel_arg_type_to_str(type));
		break;
	case KIND_BUFFER:
		snprintf(want, sizeof(want), "a non-empty %s",
			 vaccel_arg_type_to_str(type));
		break;
	}
	vaccel_error("session %" PRId64 ": genop %s: %s arg %zu (%s) must be "
		     "%s, got %s of %zu bytes%s",
		     ctx->sess->id, ctx->op,
		     arr == &ctx->read ? "read" : "write", idx, name, want,
		     vaccel_arg_type_to_str(arg->type), arg->size,
		     arg->type == type && !arg->buf ? " with no buffer" : "");
	return VACCEL_EINVAL;
}

static int get_int64(struct genop_ctx *ctx, int64_t *value, const char *name)
{
	int ret = check_typed(ctx, &ctx->read, VACCEL_ARG_INT64, KIND_SCALAR,
			      sizeof(int64_t), name);
	if (ret)
		return ret;
	return vaccel_arg_array_get_int64(&ctx->read, value);
}

static int get_float(struct genop_ctx *ctx, float *value, const char *name)
{
	int ret = check_typed(ctx, &ctx->read, VACCEL_ARG_FLOAT32, KIND_SCALAR,
			      sizeof(float), name);
	if (ret)
		return ret;
	return vaccel_arg_array_get_float(&ctx->read, value);
}

static int get_float_array(struct genop_ctx *ctx, struct vaccel_arg_array *arr,
			   float **values, size_t *count, const char *name)
{
	int ret = check_typed(ctx, arr, VACCEL_ARG_FLOAT32_ARRAY, KIND_ARRAY,
			      sizeof(float), name);
	if (ret)
		return ret;
	return vaccel_arg_array_get_float_array(arr, values, count);
}

static int get_uchar_array(struct genop_ctx *ctx, unsigned char **values,
			   size_t *count, const char *name)
{
	int ret = check_typed(ctx, &ctx->write, VACCEL_ARG_UCHAR_ARRAY,
			      KIND_ARRAY, sizeof(unsigned char), name);
	if (ret)
		return ret;
	return vaccel_arg_array_get_uchar_array(&ctx->write, values, count);
}

static int get_string(struct genop_ctx *ctx, char **str, const char *name)
{
	int ret = check_typed(ctx, &ctx->read, VACCEL_ARG_STRING, KIND_STRING,
			      1, name);
	if (ret)
		return ret;
	return vaccel_arg_array_get_string(&ctx->read, str);
}

static int get_buffer(struct genop_ctx *ctx, void **buf, size_t *size,
		      const char *name)
{
	int ret = check_typed(ctx, &ctx->read, VACCEL_ARG_BUFFER, KIND_BUFFER,
			      1, name);
	if (ret)
		return ret;
	return vaccel_arg_array_get_buffer(&ctx->read, buf, size);
}

/*
 * A legacy untyped arg: RAW, or the typed kind `typed`, with a non-NULL buffer.
 * A scalar must be exactly `elem` bytes; an array a non-zero multiple of
 * `elem` bytes. Returns the element count. Nothing is dereferenced.
 */
static int get_untyped_arg(struct genop_ctx *ctx, struct vaccel_arg_array *arr,
			   vaccel_arg_type_t typed, size_t elem, bool scalar,
			   void **buf, size_t *count, const char *name)
{
	const char *dir = arr == &ctx->read ? "read" : "write";
	size_t idx = vaccel_arg_array_position(arr);
	const struct vaccel_arg *arg = &vaccel_arg_array_raw(arr)[idx];

	if (arg->type != VACCEL_ARG_RAW && arg->type != typed) {
		vaccel_error("session %" PRId64 ": genop %s: %s arg %zu (%s) "
			     "must be RAW or %s, got %s",
			     ctx->sess->id, ctx->op, dir, idx, name,
			     vaccel_arg_type_to_str(typed),
			     vaccel_arg_type_to_str(arg->type));
		return VACCEL_EINVAL;
	}
	if (!arg->buf) {
		vaccel_error("session %" PRId64 ": genop %s: %s arg %zu (%s) "
			     "has no buffer",
			     ctx->sess->id, ctx->op, dir, idx, name);
		return VACCEL_EINVAL;
	}
	if (scalar && arg->size != elem) {
		vaccel_error("session %" PRId64 ": genop %s: %s arg %zu (%s) "
			     "must be exactly %zu bytes, got %zu",
			     ctx->sess->id, ctx->op, dir, idx, name, elem,
			     arg->size);
		return VACCEL_EINVAL;
	}
	if (arg->size == 0 || arg->size % elem != 0) {
		vaccel_error("session %" PRId64 ": genop %s: %s arg %zu (%s) "
			     "must hold a non-zero multiple of %zu bytes, got "
			     "%zu",
			     ctx->sess->id, ctx->op, dir, idx, name, elem,
			     arg->size);
		return VACCEL_EINVAL;
	}

	*buf = arg->buf;
	*count = arg->size / elem;
	vaccel_arg_array_set_position(arr, idx + 1);
	return VACCEL_OK;
}

static int get_untyped(struct genop_ctx *ctx, struct vaccel_arg_array *arr,
		       vaccel_arg_type_t typed, size_t elem, void **buf,
		       size_t *count, const char *name)
{
	return get_untyped_arg(ctx, arr, typed, elem, false, buf, count, name);
}

static int get_untyped_scalar(struct genop_ctx *ctx,
			      struct vaccel_arg_array *arr,
			      vaccel_arg_type_t typed, size_t elem, void **buf,
			      const char *name)
{
	size_t count;

	return get_untyped_arg(ctx, arr, typed, elem, true, buf, &count, name);
}

/* Untyped array arg `name` must hold at least `need` elements. */
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
	int ret = expect_counts(ctx, 0, 0);
	if (ret)
		return ret;

	return vaccel_noop(ctx->sess);
}

static int unpack_exec(struct genop_ctx *ctx)
{
	size_t nr = vaccel_arg_array_remaining_count(&ctx->read);
	char *library;
	char *symbol;
	struct vaccel_arg *rest;
	size_t nr_rest;

	if (nr < 2) {
		vaccel_error("session %" PRId64 ": genop %s: expected at least "
			     "2 read args after the op type (library, symbol), "
			     "got %zu",
			     ctx->sess->id, ctx->op, nr);
		return VACCEL_EINVAL;
	}

	int ret = get_string(ctx, &library, "library");
	if (ret)
		return ret;
	ret = get_string(ctx, &symbol, "symbol");
	if (ret)
		return ret;

	ret = vaccel_arg_array_get_remaining(&ctx->read, &rest, &nr_rest);
	if (ret)
		return ret;

	size_t nr_write = vaccel_arg_array_count(&ctx->write);
	struct vaccel_arg *write =
		nr_write ? vaccel_arg_array_raw(&ctx->write) : NULL;

	return vaccel_exec(ctx->sess, library, symbol, nr_rest ? rest : NULL,
			   nr_rest, write, nr_write);
}

static int unpack_exec_with_resource(struct genop_ctx *ctx)
{
	size_t nr = vaccel_arg_array_remaining_count(&ctx->read);
	int64_t res_id;
	char *symbol;
	struct vaccel_resource *res;
	struct vaccel_arg *rest;
	size_t nr_rest;

	if (nr < 2) {
		vaccel_error("session %" PRId64 ": genop %s: expected at least "
			     "2 read args after the op type (resource id, "
			     "symbol), got %zu",
			     ctx->sess->id, ctx->op, nr);
		return VACCEL_EINVAL;
	}

	int ret = get_int64(ctx, &res_id, "resource id");
	if (ret)
		return ret;
	ret = get_string(ctx, &symbol, "symbol");
	if (ret)
		return ret;

	/* The lookup logs its own failure. */
	ret = vaccel_resource_get_by_id(&res, res_id);
	if (ret) {
		vaccel_debug("session %" PRId64 ": genop %s: resource %" PRId64
			     " lookup failed (%d)",
			     ctx->sess->id, ctx->op, res_id, ret);
		return ret;
	}

	ret = vaccel_arg_array_get_remaining(&ctx->read, &rest, &nr_rest);
	if (ret)
		return ret;

	size_t nr_write = vaccel_arg_array_count(&ctx->write);
	struct vaccel_arg *write =
		nr_write ? vaccel_arg_array_raw(&ctx->write) : NULL;

	return vaccel_exec_with_resource(ctx->sess, res, symbol,
					 nr_rest ? rest : NULL, nr_rest, write,
					 nr_write);
}

static int unpack_image_classify(struct genop_ctx *ctx)
{
	void *img;
	size_t len_img;
	unsigned char *out_imgname;
	unsigned char *out_text;
	size_t len_out_imgname;
	size_t len_out_text;

	int ret = expect_counts(ctx, 1, 2);
	if (ret)
		return ret;

	ret = get_buffer(ctx, &img, &len_img, "image");
	if (ret)
		return ret;
	/* Write order: out_imgname, then out_text. */
	ret = get_uchar_array(ctx, &out_imgname, &len_out_imgname,
			      "out_imgname");
	if (ret)
		return ret;
	ret = get_uchar_array(ctx, &out_text, &len_out_text, "out_text");
	if (ret)
		return ret;

	return vaccel_image_classification(ctx->sess, img, out_text,
					   out_imgname, len_img, len_out_text,
					   len_out_imgname);
}

typedef int (*image_op_fn)(struct vaccel_session *sess, const void *img,
			   unsigned char *out_imgname, size_t len_img,
			   size_t len_out_imgname);

static int unpack_image_op(struct genop_ctx *ctx)
{
	void *img;
	size_t len_img;
	unsigned char *out_imgname;
	size_t len_out_imgname;
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

	int ret = expect_counts(ctx, 1, 1);
	if (ret)
		return ret;

	ret = get_buffer(ctx, &img, &len_img, "image");
	if (ret)
		return ret;
	ret = get_uchar_array(ctx, &out_imgname, &len_out_imgname,
			      "out_imgname");
	if (ret)
		return ret;

	return fn(ctx->sess, img, out_imgname, len_img, len_out_imgname);
}

/*
 * Elements a row-major matrix of `rows` x `cols` with leading dimension `ld`
 * spans: (rows - 1) * ld + cols. EINVAL unless rows, cols >= 1, ld >= cols and
 * the result fits in size_t.
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
	int64_t m, n, k, lda, ldb, ldc;
	float alpha, beta;
	float *a, *b, *c;
	size_t nr_a, nr_b, nr_c;
	size_t need_a, need_b, need_c;

	int ret = expect_counts(ctx, 10, 1);
	if (ret)
		return ret;

	if ((ret = get_int64(ctx, &m, "m")) ||
	    (ret = get_int64(ctx, &n, "n")) ||
	    (ret = get_int64(ctx, &k, "k")) ||
	    (ret = get_float(ctx, &alpha, "alpha")) ||
	    (ret = get_float_array(ctx, &ctx->read, &a, &nr_a, "a")) ||
	    (ret = get_int64(ctx, &lda, "lda")) ||
	    (ret = get_float_array(ctx, &ctx->read, &b, &nr_b, "b")) ||
	    (ret = get_int64(ctx, &ldb, "ldb")) ||
	    (ret = get_float(ctx, &beta, "beta")) ||
	    (ret = get_int64(ctx, &ldc, "ldc")) ||
	    (ret = get_float_array(ctx, &ctx->write, &c, &nr_c, "c")))
		return ret;

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
	    (ret = expect_len(ctx, "a", nr_a, need_a)) ||
	    (ret = expect_len(ctx, "b", nr_b, need_b)) ||
	    (ret = expect_len(ctx, "c", nr_c, need_c)))
		return ret;

	return vaccel_sgemm(ctx->sess, m, n, k, alpha, a, lda, b, ldb, beta, c,
			    ldc);
}

static int unpack_fpga_arraycopy(struct genop_ctx *ctx)
{
	void *a, *out_a;
	size_t len_a, len_out;

	int ret = expect_counts(ctx, 1, 1);
	if (ret)
		return ret;

	if ((ret = get_untyped(ctx, &ctx->read, VACCEL_ARG_INT32_ARRAY,
			       sizeof(int), &a, &len_a, "a")) ||
	    (ret = get_untyped(ctx, &ctx->write, VACCEL_ARG_INT32_ARRAY,
			       sizeof(int), &out_a, &len_out, "out_a")) ||
	    (ret = expect_len(ctx, "out_a", len_out, len_a)))
		return ret;

	return vaccel_fpga_arraycopy(ctx->sess, a, out_a, len_a);
}

static int unpack_fpga_mmult(struct genop_ctx *ctx)
{
	void *a, *b, *c;
	size_t len_a, len_b, len_c;

	int ret = expect_counts(ctx, 2, 1);
	if (ret)
		return ret;

	if ((ret = get_untyped(ctx, &ctx->read, VACCEL_ARG_FLOAT32_ARRAY,
			       sizeof(float), &a, &len_a, "a")) ||
	    (ret = get_untyped(ctx, &ctx->read, VACCEL_ARG_FLOAT32_ARRAY,
			       sizeof(float), &b, &len_b, "b")) ||
	    (ret = get_untyped(ctx, &ctx->write, VACCEL_ARG_FLOAT32_ARRAY,
			       sizeof(float), &c, &len_c, "c")) ||
	    (ret = expect_len(ctx, "b", len_b, len_a)) ||
	    (ret = expect_len(ctx, "c", len_c, len_a)))
		return ret;

	return vaccel_fpga_mmult(ctx->sess, a, b, c, len_a);
}

static int unpack_fpga_parallel(struct genop_ctx *ctx)
{
	void *a, *b, *add, *mult;
	size_t len_a, len_b, len_add, len_mult;

	int ret = expect_counts(ctx, 2, 2);
	if (ret)
		return ret;

	if ((ret = get_untyped(ctx, &ctx->read, VACCEL_ARG_FLOAT32_ARRAY,
			       sizeof(float), &a, &len_a, "a")) ||
	    (ret = get_untyped(ctx, &ctx->read, VACCEL_ARG_FLOAT32_ARRAY,
			       sizeof(float), &b, &len_b, "b")) ||
	    (ret = get_untyped(ctx, &ctx->write, VACCEL_ARG_FLOAT32_ARRAY,
			       sizeof(float), &add, &len_add, "add_output")) ||
	    (ret = get_untyped(ctx, &ctx->write, VACCEL_ARG_FLOAT32_ARRAY,
			       sizeof(float), &mult, &len_mult,
			       "mult_output")) ||
	    (ret = expect_len(ctx, "b", len_b, len_a)) ||
	    (ret = expect_len(ctx, "add_output", len_add, len_a)) ||
	    (ret = expect_len(ctx, "mult_output", len_mult, len_a)))
		return ret;

	return vaccel_fpga_parallel(ctx->sess, a, b, add, mult, len_a);
}

static int unpack_fpga_vadd(struct genop_ctx *ctx)
{
	void *a, *b, *c;
	size_t len_a, len_b, len_c;

	int ret = expect_counts(ctx, 2, 1);
	if (ret)
		return ret;

	if ((ret = get_untyped(ctx, &ctx->read, VACCEL_ARG_FLOAT32_ARRAY,
			       sizeof(float), &a, &len_a, "a")) ||
	    (ret = get_untyped(ctx, &ctx->read, VACCEL_ARG_FLOAT32_ARRAY,
			       sizeof(float), &b, &len_b, "b")) ||
	    (ret = get_untyped(ctx, &ctx->write, VACCEL_ARG_FLOAT32_ARRAY,
			       sizeof(float), &c, &len_c, "c")) ||
	    (ret = expect_len(ctx, "c", len_c, len_a > len_b ? len_a : len_b)))
		return ret;

	return vaccel_fpga_vadd(ctx->sess, a, b, c, len_a, len_b);
}

static int unpack_minmax(struct genop_ctx *ctx)
{
	void *indata, *p_ndata, *p_low, *p_high, *outdata, *min, *max;
	size_t len_in, len_out;
	int ndata, low, high;

	int ret = expect_counts(ctx, 4, 3);
	if (ret)
		return ret;

	if ((ret = get_untyped(ctx, &ctx->read, VACCEL_ARG_FLOAT64_ARRAY,
			       sizeof(double), &indata, &len_in, "indata")) ||
	    (ret = get_untyped_scalar(ctx, &ctx->read, VACCEL_ARG_INT32,
				      sizeof(int), &p_ndata, "ndata")) ||
	    (ret = get_untyped_scalar(ctx, &ctx->read, VACCEL_ARG_INT32,
				      sizeof(int), &p_low, "low_threshold")) ||
	    (ret = get_untyped_scalar(ctx, &ctx->read, VACCEL_ARG_INT32,
				      sizeof(int), &p_high,
				      "high_threshold")) ||
	    (ret = get_untyped(ctx, &ctx->write, VACCEL_ARG_FLOAT64_ARRAY,
			       sizeof(double), &outdata, &len_out,
			       "outdata")) ||
	    (ret = get_untyped_scalar(ctx, &ctx->write, VACCEL_ARG_FLOAT64,
				      sizeof(double), &min, "min")) ||
	    (ret = get_untyped_scalar(ctx, &ctx->write, VACCEL_ARG_FLOAT64,
				      sizeof(double), &max, "max")))
		return ret;

	/* Sizes are checked: the scalars may be read now. */
	memcpy(&ndata, p_ndata, sizeof(ndata));
	memcpy(&low, p_low, sizeof(low));
	memcpy(&high, p_high, sizeof(high));

	if (ndata < 1 || (size_t)ndata > len_in) {
		vaccel_error("session %" PRId64 ": genop %s: ndata = %d does "
			     "not fit indata (%zu doubles)",
			     ctx->sess->id, ctx->op, ndata, len_in);
		return VACCEL_EINVAL;
	}
	ret = expect_len(ctx, "outdata", len_out, (size_t)ndata);
	if (ret)
		return ret;

	return vaccel_minmax(ctx->sess, indata, ndata, low, high, outdata, min,
			     max);
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
