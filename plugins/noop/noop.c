// SPDX-License-Identifier: Apache-2.0
/*
 * noop: a debug plugin implementing every vAccel operation.
 *
 * Each op logs its arguments ("[noop] ..." at info/debug level) and produces
 * the deterministic results below, so that applications and tests can check
 * the whole call path without real accelerators. Keep this table in sync with
 * plugins/noop/README.md.
 *
 *   NOOP                  nothing (the function is empty; it is benchmarked).
 *   EXEC,
 *   EXEC_WITH_RESOURCE,
 *   OPENCV                no library is loaded: for i < min(nr_read,
 *                         nr_write), min(read[i].size, write[i].size) bytes
 *                         of read[i].buf are copied into write[i].buf.
 *   IMAGE_CLASSIFY        out_text    <- "This is a dummy classification tag!"
 *                         out_imgname <- "This is a dummy imgname!"
 *   IMAGE_DETECT/SEGMENT/
 *   POSE/DEPTH            out_imgname <- "This is a dummy imgname!"
 *                         (strings are truncated to len - 1 bytes and always
 *                         NUL-terminated when the buffer length is > 0)
 *   TF_MODEL_LOAD/UNLOAD  status <- {0, "Operation handled by noop plugin"}
 *   TFLITE_MODEL_LOAD/
 *   UNLOAD, TORCH_MODEL_LOAD
 *                         OK, nothing else.
 *   TF/TFLITE/TORCH_MODEL_RUN
 *                         outputs[i] <- a new owned tensor, copy of inputs[i]
 *                         (dims, data type, data) for i < min(nr_inputs,
 *                         nr_outputs); remaining outputs[i] <- NULL. The
 *                         caller frees them with vaccel_*_tensor_delete().
 *                         TF: status as for load; TFLite: *status <- 0.
 *   TORCH_SGEMM           *out <- a new owned FLOAT tensor, dims {M, N},
 *                         out = A * B + C (row-major; A is MxK, B KxN,
 *                         C MxN; a NULL in_C counts as zeros).
 *   BLAS_SGEMM            c[i * ldc + j] <- (float)(i + j) for i < m, j < n;
 *                         a and b are not read; the rest of c is untouched.
 *   FPGA_ARRAYCOPY        out_a[i] <- a[i]
 *   FPGA_MMULT            len_a == n * n: c <- a * b as n x n row-major
 *                         matrices; otherwise element-wise c[i] <- a[i] * b[i]
 *   FPGA_PARALLEL         add_output[i] <- a[i] + b[i],
 *                         mult_output[i] <- a[i] * b[i]
 *   FPGA_VECTORADD        c[i] <- a[i] + (i < len_b ? b[i] : 0), i < len_a
 *   MINMAX                outdata <- indata; *min / *max <- the real minimum /
 *                         maximum of indata (0.0 when ndata == 0); the
 *                         thresholds are only logged.
 *
 * Bad arguments (NULL buffers with non-zero lengths, negative sizes, missing
 * output pointers) return VACCEL_EINVAL; allocation failures VACCEL_ENOMEM.
 */
#include <vaccel.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#ifndef VACCEL_PLUGIN_VERSION
#define VACCEL_PLUGIN_VERSION "0.0.0"
#endif

#define NOOP_CLASSIFY_TEXT "This is a dummy classification tag!"
#define NOOP_IMGNAME	   "This is a dummy imgname!"
#define NOOP_STATUS_MSG	   "Operation handled by noop plugin"

static vaccel_id_t sess_id(const struct vaccel_session *sess)
{
	return sess ? sess->id : 0;
}

/* Copy a NUL-terminated string into (buf, len), truncating; no-op if len 0 */
static void put_string(unsigned char *buf, size_t len, const char *str)
{
	size_t n;

	if (!buf || !len)
		return;
	n = strlen(str);
	if (n > len - 1)
		n = len - 1;
	memcpy(buf, str, n);
	buf[n] = '\0';
}

static void log_args(const char *what, const struct vaccel_arg *args, size_t nr)
{
	if (!vaccel_log_enabled(VACCEL_LOG_DEBUG))
		return;
	for (size_t i = 0; i < nr; i++)
		vaccel_debug("[noop] %s[%zu]: type %s size %zu buf %p", what, i,
			     vaccel_arg_type_to_str(args[i].type), args[i].size,
			     args[i].buf);
}

/* write[i] <- read[i] (bytes, up to the smaller size) */
static int copy_args(const char *op, const struct vaccel_arg *read,
		     size_t nr_read, struct vaccel_arg *write, size_t nr_write)
{
	size_t n = nr_read < nr_write ? nr_read : nr_write;

	if ((nr_read && !read) || (nr_write && !write)) {
		vaccel_error("[noop] %s: NULL arg array with non-zero count",
			     op);
		return VACCEL_EINVAL;
	}
	log_args("read", read, nr_read);
	log_args("write", write, nr_write);
	for (size_t i = 0; i < n; i++) {
		size_t sz = read[i].size < write[i].size ? read[i].size
							 : write[i].size;
		if (!sz)
			continue;
		if (!read[i].buf || !write[i].buf) {
			vaccel_error("[noop] %s: arg %zu has a NULL buffer", op,
				     i);
			return VACCEL_EINVAL;
		}
		memmove(write[i].buf, read[i].buf, sz);
	}
	return VACCEL_OK;
}

/* Kept empty on purpose: it measures the bare dispatch cost. */
static int noop_noop(struct vaccel_session *sess)
{
	(void)sess;
	return VACCEL_OK;
}

static int noop_exec(struct vaccel_session *sess, const char *library,
		     const char *fn_symbol, struct vaccel_arg *read,
		     size_t nr_read, struct vaccel_arg *write, size_t nr_write)
{
	vaccel_info("[noop] Calling exec for session %" PRId64, sess_id(sess));
	vaccel_debug("[noop] library: %s symbol: %s nr_read: %zu nr_write: %zu",
		     library ? library : "(null)",
		     fn_symbol ? fn_symbol : "(null)", nr_read, nr_write);
	return copy_args("exec", read, nr_read, write, nr_write);
}

static int noop_exec_with_resource(struct vaccel_session *sess,
				   struct vaccel_resource *resource,
				   const char *fn_symbol,
				   struct vaccel_arg *read, size_t nr_read,
				   struct vaccel_arg *write, size_t nr_write)
{
	vaccel_info("[noop] Calling exec_with_resource for session %" PRId64,
		    sess_id(sess));
	vaccel_debug("[noop] resource: %" PRId64
		     " (%zu blobs) symbol: %s nr_read: %zu nr_write: %zu",
		     resource ? resource->id : 0,
		     resource ? resource->nr_blobs : 0,
		     fn_symbol ? fn_symbol : "(null)", nr_read, nr_write);
	return copy_args("exec_with_resource", read, nr_read, write, nr_write);
}

static int noop_image_classify(struct vaccel_session *sess, const void *img,
			       unsigned char *out_text,
			       unsigned char *out_imgname, size_t len_img,
			       size_t len_out_text, size_t len_out_imgname)
{
	vaccel_info("[noop] Calling image_classify for session %" PRId64,
		    sess_id(sess));
	vaccel_debug("[noop] img: %p len_img: %zu len_out_text: %zu "
		     "len_out_imgname: %zu",
		     img, len_img, len_out_text, len_out_imgname);
	if ((len_out_text && !out_text) || (len_out_imgname && !out_imgname)) {
		vaccel_error("[noop] image_classify: NULL output buffer");
		return VACCEL_EINVAL;
	}
	put_string(out_text, len_out_text, NOOP_CLASSIFY_TEXT);
	put_string(out_imgname, len_out_imgname, NOOP_IMGNAME);
	return VACCEL_OK;
}

static int image_imgname_op(const char *op, struct vaccel_session *sess,
			    const void *img, unsigned char *out_imgname,
			    size_t len_img, size_t len_out_imgname)
{
	vaccel_info("[noop] Calling %s for session %" PRId64, op,
		    sess_id(sess));
	vaccel_debug("[noop] img: %p len_img: %zu len_out_imgname: %zu", img,
		     len_img, len_out_imgname);
	if (len_out_imgname && !out_imgname) {
		vaccel_error("[noop] %s: NULL output buffer", op);
		return VACCEL_EINVAL;
	}
	put_string(out_imgname, len_out_imgname, NOOP_IMGNAME);
	return VACCEL_OK;
}

static int noop_image_detect(struct vaccel_session *sess, const void *img,
			     unsigned char *out_imgname, size_t len_img,
			     size_t len_out_imgname)
{
	return image_imgname_op("image_detect", sess, img, out_imgname, len_img,
				len_out_imgname);
}

static int noop_image_segment(struct vaccel_session *sess, const void *img,
			      unsigned char *out_imgname, size_t len_img,
			      size_t len_out_imgname)
{
	return image_imgname_op("image_segment", sess, img, out_imgname,
				len_img, len_out_imgname);
}

static int noop_image_pose(struct vaccel_session *sess, const void *img,
			   unsigned char *out_imgname, size_t len_img,
			   size_t len_out_imgname)
{
	return image_imgname_op("image_pose", sess, img, out_imgname, len_img,
				len_out_imgname);
}

static int noop_image_depth(struct vaccel_session *sess, const void *img,
			    unsigned char *out_imgname, size_t len_img,
			    size_t len_out_imgname)
{
	return image_imgname_op("image_depth", sess, img, out_imgname, len_img,
				len_out_imgname);
}

static void log_model(const char *op, const struct vaccel_session *sess,
		      const struct vaccel_resource *model)
{
	vaccel_info("[noop] Calling %s for session %" PRId64, op,
		    sess_id(sess));
	vaccel_debug("[noop] model: %" PRId64 " (%zu blobs)",
		     model ? model->id : 0, model ? model->nr_blobs : 0);
}

static int set_tf_status(struct vaccel_tf_status *status)
{
	if (!status)
		return VACCEL_OK;
	/* (Re)initialised on every call; the caller releases it. */
	return vaccel_tf_status_init(status, 0, NOOP_STATUS_MSG);
}

static int noop_tf_model_load(struct vaccel_session *sess,
			      struct vaccel_resource *model,
			      struct vaccel_tf_status *status)
{
	log_model("tf_model_load", sess, model);
	return set_tf_status(status);
}

static int noop_tf_model_unload(struct vaccel_session *sess,
				struct vaccel_resource *model,
				struct vaccel_tf_status *status)
{
	log_model("tf_model_unload", sess, model);
	return set_tf_status(status);
}

static int noop_tf_model_run(struct vaccel_session *sess,
			     struct vaccel_resource *model,
			     const struct vaccel_tf_buffer *run_options,
			     const struct vaccel_tf_node *in_nodes,
			     struct vaccel_tf_tensor *const *in_tensors,
			     int nr_inputs,
			     const struct vaccel_tf_node *out_nodes,
			     struct vaccel_tf_tensor **out_tensors,
			     int nr_outputs, struct vaccel_tf_status *status)
{
	int i;
	int ret;

	log_model("tf_model_run", sess, model);
	vaccel_debug("[noop] run_options: %zu bytes nr_inputs: %d "
		     "nr_outputs: %d",
		     run_options ? run_options->size : 0, nr_inputs,
		     nr_outputs);
	if (nr_inputs < 0 || nr_outputs < 0 || (nr_inputs && !in_tensors) ||
	    (nr_outputs && !out_tensors)) {
		vaccel_error(
			"[noop] tf_model_run: invalid input/output arrays");
		return VACCEL_EINVAL;
	}
	for (i = 0; i < nr_inputs; i++)
		vaccel_debug("[noop] input %d: node %s:%d, %zu bytes", i,
			     (in_nodes && in_nodes[i].name) ? in_nodes[i].name
							    : "(none)",
			     in_nodes ? in_nodes[i].id : -1,
			     in_tensors[i] ? in_tensors[i]->size : 0);
	for (i = 0; i < nr_outputs; i++) {
		vaccel_debug("[noop] output %d: node %s:%d", i,
			     (out_nodes && out_nodes[i].name)
				     ? out_nodes[i].name
				     : "(none)",
			     out_nodes ? out_nodes[i].id : -1);
		out_tensors[i] = NULL;
	}

	for (i = 0; i < nr_outputs && i < nr_inputs; i++) {
		const struct vaccel_tf_tensor *in = in_tensors[i];
		struct vaccel_tf_tensor *out;

		if (!in)
			continue;
		ret = vaccel_tf_tensor_allocate(&out, in->nr_dims, in->dims,
						in->data_type, in->size);
		if (ret)
			goto fail;
		if (in->size && in->data)
			memcpy(out->data, in->data, in->size);
		out_tensors[i] = out;
	}
	return set_tf_status(status);
fail:
	vaccel_error("[noop] tf_model_run: could not allocate output %d: %d", i,
		     ret);
	while (i-- > 0) {
		if (out_tensors[i])
			vaccel_tf_tensor_delete(out_tensors[i]);
		out_tensors[i] = NULL;
	}
	return ret;
}

static int noop_tflite_model_load(struct vaccel_session *sess,
				  struct vaccel_resource *model)
{
	log_model("tflite_model_load", sess, model);
	return VACCEL_OK;
}

static int noop_tflite_model_unload(struct vaccel_session *sess,
				    struct vaccel_resource *model)
{
	log_model("tflite_model_unload", sess, model);
	return VACCEL_OK;
}

static int noop_tflite_model_run(struct vaccel_session *sess,
				 struct vaccel_resource *model,
				 struct vaccel_tflite_tensor *const *inputs,
				 int nr_inputs,
				 struct vaccel_tflite_tensor **outputs,
				 int nr_outputs, uint8_t *status)
{
	int i;
	int ret;

	log_model("tflite_model_run", sess, model);
	vaccel_debug("[noop] nr_inputs: %d nr_outputs: %d", nr_inputs,
		     nr_outputs);
	if (nr_inputs < 0 || nr_outputs < 0 || (nr_inputs && !inputs) ||
	    (nr_outputs && !outputs)) {
		vaccel_error(
			"[noop] tflite_model_run: invalid input/output arrays");
		return VACCEL_EINVAL;
	}
	for (i = 0; i < nr_outputs; i++)
		outputs[i] = NULL;
	for (i = 0; i < nr_outputs && i < nr_inputs; i++) {
		const struct vaccel_tflite_tensor *in = inputs[i];
		struct vaccel_tflite_tensor *out;

		if (!in)
			continue;
		vaccel_debug("[noop] input %d: %zu bytes", i, in->size);
		ret = vaccel_tflite_tensor_allocate(&out, in->nr_dims, in->dims,
						    in->data_type, in->size);
		if (ret)
			goto fail;
		if (in->size && in->data)
			memcpy(out->data, in->data, in->size);
		outputs[i] = out;
	}
	if (status)
		*status = 0;
	return VACCEL_OK;
fail:
	vaccel_error(
		"[noop] tflite_model_run: could not allocate output %d: %d", i,
		ret);
	while (i-- > 0) {
		if (outputs[i])
			vaccel_tflite_tensor_delete(outputs[i]);
		outputs[i] = NULL;
	}
	return ret;
}

static int noop_torch_model_load(struct vaccel_session *sess,
				 struct vaccel_resource *model)
{
	log_model("torch_model_load", sess, model);
	return VACCEL_OK;
}

static int
noop_torch_model_run(struct vaccel_session *sess, struct vaccel_resource *model,
		     const struct vaccel_torch_buffer *run_options,
		     struct vaccel_torch_tensor *const *inputs, int nr_inputs,
		     struct vaccel_torch_tensor **outputs, int nr_outputs)
{
	int i;
	int ret;

	log_model("torch_model_run", sess, model);
	vaccel_debug("[noop] run_options: %zu bytes nr_inputs: %d "
		     "nr_outputs: %d",
		     run_options ? run_options->size : 0, nr_inputs,
		     nr_outputs);
	if (nr_inputs < 0 || nr_outputs < 0 || (nr_inputs && !inputs) ||
	    (nr_outputs && !outputs)) {
		vaccel_error(
			"[noop] torch_model_run: invalid input/output arrays");
		return VACCEL_EINVAL;
	}
	for (i = 0; i < nr_outputs; i++)
		outputs[i] = NULL;
	for (i = 0; i < nr_outputs && i < nr_inputs; i++) {
		const struct vaccel_torch_tensor *in = inputs[i];
		struct vaccel_torch_tensor *out;

		if (!in)
			continue;
		vaccel_debug("[noop] input %d: %zu bytes", i, in->size);
		ret = vaccel_torch_tensor_allocate(&out, in->nr_dims, in->dims,
						   in->data_type, in->size);
		if (ret)
			goto fail;
		if (in->size && in->data)
			memcpy(out->data, in->data, in->size);
		outputs[i] = out;
	}
	return VACCEL_OK;
fail:
	vaccel_error("[noop] torch_model_run: could not allocate output %d: %d",
		     i, ret);
	while (i-- > 0) {
		if (outputs[i])
			vaccel_torch_tensor_delete(outputs[i]);
		outputs[i] = NULL;
	}
	return ret;
}

/* Does tensor `t` hold at least `count` floats? */
static bool torch_has_floats(const struct vaccel_torch_tensor *t, size_t count)
{
	return t && t->data && t->size / sizeof(float) >= count;
}

static int noop_torch_sgemm(struct vaccel_session *sess,
			    struct vaccel_torch_tensor **in_A,
			    struct vaccel_torch_tensor **in_B,
			    struct vaccel_torch_tensor **in_C, int M, int N,
			    int K, struct vaccel_torch_tensor **out)
{
	const struct vaccel_torch_tensor *ta = in_A ? *in_A : NULL;
	const struct vaccel_torch_tensor *tb = in_B ? *in_B : NULL;
	const struct vaccel_torch_tensor *tc = in_C ? *in_C : NULL;
	struct vaccel_torch_tensor *res;
	const float *a;
	const float *b;
	const float *c;
	float *o;
	int64_t dims[2];
	size_t m;
	size_t n;
	size_t k;
	int ret;

	vaccel_info("[noop] Calling torch_sgemm for session %" PRId64,
		    sess_id(sess));
	vaccel_debug("[noop] M: %d N: %d K: %d", M, N, K);
	if (!out || M <= 0 || N <= 0 || K <= 0) {
		vaccel_error(
			"[noop] torch_sgemm: invalid dimensions or output");
		return VACCEL_EINVAL;
	}
	m = (size_t)M;
	n = (size_t)N;
	k = (size_t)K;
	if (!torch_has_floats(ta, m * k) || !torch_has_floats(tb, k * n) ||
	    (tc && !torch_has_floats(tc, m * n))) {
		vaccel_error("[noop] torch_sgemm: input tensors too small");
		return VACCEL_EINVAL;
	}
	dims[0] = M;
	dims[1] = N;
	ret = vaccel_torch_tensor_allocate(&res, 2, dims, VACCEL_TORCH_FLOAT,
					   m * n * sizeof(float));
	if (ret) {
		vaccel_error("[noop] torch_sgemm: could not allocate output");
		return ret;
	}
	a = ta->data;
	b = tb->data;
	c = tc ? (const float *)tc->data : NULL;
	o = res->data;
	for (size_t i = 0; i < m; i++) {
		for (size_t j = 0; j < n; j++) {
			float sum = c ? c[i * n + j] : 0.0f;
			for (size_t p = 0; p < k; p++)
				sum += a[i * k + p] * b[p * n + j];
			o[i * n + j] = sum;
		}
	}
	*out = res;
	return VACCEL_OK;
}

static int noop_sgemm(struct vaccel_session *sess, int64_t m, int64_t n,
		      int64_t k, float alpha, float *a, int64_t lda, float *b,
		      int64_t ldb, float beta, float *c, int64_t ldc)
{
	vaccel_info("[noop] Calling sgemm for session %" PRId64, sess_id(sess));
	vaccel_debug("[noop] m: %" PRId64 " n: %" PRId64 " k: %" PRId64
		     " alpha: %f a: %p lda: %" PRId64 " b: %p ldb: %" PRId64
		     " beta: %f c: %p ldc: %" PRId64,
		     m, n, k, (double)alpha, (void *)a, lda, (void *)b, ldb,
		     (double)beta, (void *)c, ldc);
	if (m < 0 || n < 0 || k < 0 || ldc < (n > 1 ? n : 1) ||
	    (m && n && !c)) {
		vaccel_error("[noop] sgemm: invalid arguments");
		return VACCEL_EINVAL;
	}
	for (int64_t i = 0; i < m; i++)
		for (int64_t j = 0; j < n; j++)
			c[i * ldc + j] = (float)(i + j);
	return VACCEL_OK;
}

static int noop_fpga_arraycopy(struct vaccel_session *sess, int a[],
			       int out_a[], size_t len_a)
{
	vaccel_info("[noop] Calling fpga_arraycopy for session %" PRId64,
		    sess_id(sess));
	vaccel_debug("[noop] len_a: %zu", len_a);
	if (len_a && (!a || !out_a)) {
		vaccel_error("[noop] fpga_arraycopy: NULL array");
		return VACCEL_EINVAL;
	}
	if (len_a)
		memmove(out_a, a, len_a * sizeof(*a));
	return VACCEL_OK;
}

/* Integer square root of `v` if it is a perfect square, else 0. */
static size_t exact_sqrt(size_t v)
{
	size_t r = 0;

	while (r + 1 <= v / (r + 1))
		r++;
	return r * r == v ? r : 0;
}

static int noop_fpga_mmult(struct vaccel_session *sess, float a[], float b[],
			   float c[], size_t len_a)
{
	size_t n;

	vaccel_info("[noop] Calling fpga_mmult for session %" PRId64,
		    sess_id(sess));
	vaccel_debug("[noop] len_a: %zu", len_a);
	if (len_a && (!a || !b || !c)) {
		vaccel_error("[noop] fpga_mmult: NULL array");
		return VACCEL_EINVAL;
	}
	n = exact_sqrt(len_a);
	if (n) {
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++) {
				float sum = 0.0f;
				for (size_t p = 0; p < n; p++)
					sum += a[i * n + p] * b[p * n + j];
				c[i * n + j] = sum;
			}
	} else {
		for (size_t i = 0; i < len_a; i++)
			c[i] = a[i] * b[i];
	}
	return VACCEL_OK;
}

static int noop_fpga_parallel(struct vaccel_session *sess, float a[], float b[],
			      float add_output[], float mult_output[],
			      size_t len_a)
{
	vaccel_info("[noop] Calling fpga_parallel for session %" PRId64,
		    sess_id(sess));
	vaccel_debug("[noop] len_a: %zu", len_a);
	if (len_a && (!a || !b || !add_output || !mult_output)) {
		vaccel_error("[noop] fpga_parallel: NULL array");
		return VACCEL_EINVAL;
	}
	for (size_t i = 0; i < len_a; i++) {
		float x = a[i];
		float y = b[i];
		add_output[i] = x + y;
		mult_output[i] = x * y;
	}
	return VACCEL_OK;
}

static int noop_fpga_vadd(struct vaccel_session *sess, float a[], float b[],
			  float c[], size_t len_a, size_t len_b)
{
	vaccel_info("[noop] Calling fpga_vadd for session %" PRId64,
		    sess_id(sess));
	vaccel_debug("[noop] len_a: %zu len_b: %zu", len_a, len_b);
	if ((len_a && (!a || !c)) || (len_b && !b)) {
		vaccel_error("[noop] fpga_vadd: NULL array");
		return VACCEL_EINVAL;
	}
	for (size_t i = 0; i < len_a; i++)
		c[i] = a[i] + (i < len_b ? b[i] : 0.0f);
	return VACCEL_OK;
}

static int noop_minmax(struct vaccel_session *sess, const double *indata,
		       int ndata, int low_threshold, int high_threshold,
		       double *outdata, double *min, double *max)
{
	double lo = 0.0;
	double hi = 0.0;

	vaccel_info("[noop] Calling minmax for session %" PRId64,
		    sess_id(sess));
	vaccel_debug("[noop] ndata: %d low_threshold: %d high_threshold: %d",
		     ndata, low_threshold, high_threshold);
	if (ndata < 0 || (ndata && (!indata || !outdata)) || !min || !max) {
		vaccel_error("[noop] minmax: invalid arguments");
		return VACCEL_EINVAL;
	}
	if (ndata) {
		lo = hi = indata[0];
		for (int i = 1; i < ndata; i++) {
			if (indata[i] < lo)
				lo = indata[i];
			if (indata[i] > hi)
				hi = indata[i];
		}
		memmove(outdata, indata, (size_t)ndata * sizeof(*indata));
	}
	*min = lo;
	*max = hi;
	return VACCEL_OK;
}

static int noop_opencv(struct vaccel_session *sess, struct vaccel_arg *read,
		       int nr_read, struct vaccel_arg *write, int nr_write)
{
	vaccel_info("[noop] Calling opencv for session %" PRId64,
		    sess_id(sess));
	vaccel_debug("[noop] nr_read: %d nr_write: %d", nr_read, nr_write);
	if (nr_read < 0 || nr_write < 0) {
		vaccel_error("[noop] opencv: negative arg count");
		return VACCEL_EINVAL;
	}
	return copy_args("opencv", read, (size_t)nr_read, write,
			 (size_t)nr_write);
}

static struct vaccel_op ops[] = {
	VACCEL_OP_INIT(ops[0], VACCEL_OP_NOOP, noop_noop),
	VACCEL_OP_INIT(ops[1], VACCEL_OP_EXEC, noop_exec),
	VACCEL_OP_INIT(ops[2], VACCEL_OP_EXEC_WITH_RESOURCE,
		       noop_exec_with_resource),
	VACCEL_OP_INIT(ops[3], VACCEL_OP_IMAGE_CLASSIFY, noop_image_classify),
	VACCEL_OP_INIT(ops[4], VACCEL_OP_IMAGE_DETECT, noop_image_detect),
	VACCEL_OP_INIT(ops[5], VACCEL_OP_IMAGE_SEGMENT, noop_image_segment),
	VACCEL_OP_INIT(ops[6], VACCEL_OP_IMAGE_POSE, noop_image_pose),
	VACCEL_OP_INIT(ops[7], VACCEL_OP_IMAGE_DEPTH, noop_image_depth),
	VACCEL_OP_INIT(ops[8], VACCEL_OP_TF_MODEL_LOAD, noop_tf_model_load),
	VACCEL_OP_INIT(ops[9], VACCEL_OP_TF_MODEL_UNLOAD, noop_tf_model_unload),
	VACCEL_OP_INIT(ops[10], VACCEL_OP_TF_MODEL_RUN, noop_tf_model_run),
	VACCEL_OP_INIT(ops[11], VACCEL_OP_TFLITE_MODEL_LOAD,
		       noop_tflite_model_load),
	VACCEL_OP_INIT(ops[12], VACCEL_OP_TFLITE_MODEL_UNLOAD,
		       noop_tflite_model_unload),
	VACCEL_OP_INIT(ops[13], VACCEL_OP_TFLITE_MODEL_RUN,
		       noop_tflite_model_run),
	VACCEL_OP_INIT(ops[14], VACCEL_OP_TORCH_MODEL_LOAD,
		       noop_torch_model_load),
	VACCEL_OP_INIT(ops[15], VACCEL_OP_TORCH_MODEL_RUN,
		       noop_torch_model_run),
	VACCEL_OP_INIT(ops[16], VACCEL_OP_TORCH_SGEMM, noop_torch_sgemm),
	VACCEL_OP_INIT(ops[17], VACCEL_OP_BLAS_SGEMM, noop_sgemm),
	VACCEL_OP_INIT(ops[18], VACCEL_OP_FPGA_ARRAYCOPY, noop_fpga_arraycopy),
	VACCEL_OP_INIT(ops[19], VACCEL_OP_FPGA_MMULT, noop_fpga_mmult),
	VACCEL_OP_INIT(ops[20], VACCEL_OP_FPGA_PARALLEL, noop_fpga_parallel),
	VACCEL_OP_INIT(ops[21], VACCEL_OP_FPGA_VECTORADD, noop_fpga_vadd),
	VACCEL_OP_INIT(ops[22], VACCEL_OP_MINMAX, noop_minmax),
	VACCEL_OP_INIT(ops[23], VACCEL_OP_OPENCV, noop_opencv),
};

_Static_assert(sizeof(ops) / sizeof(ops[0]) == VACCEL_OP_MAX,
	       "the noop plugin implements every op");

static int noop_init(void)
{
	return vaccel_plugin_register_ops(ops, sizeof(ops) / sizeof(ops[0]));
}

static int noop_fini(void)
{
	return VACCEL_OK;
}

VACCEL_PLUGIN(.name = "noop", .version = VACCEL_PLUGIN_VERSION,
	      .vaccel_version = VACCEL_VERSION, .type = VACCEL_PLUGIN_DEBUG,
	      .init = noop_init, .fini = noop_fini);
