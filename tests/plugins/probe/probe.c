// SPDX-License-Identifier: Apache-2.0
/*
 * probe: a test plugin that implements every op with its exact parameter list
 * and records the arguments it received in the exported `probe_record`.
 * Built with PROBE_ONLY_NOOP it registers NOOP only ("probe-min").
 */
#include "probe.h"

#include <string.h>

__attribute__((visibility("default"))) struct probe_record probe_record = {
	.last_op = -1,
};

static int hit(struct vaccel_session *sess, vaccel_op_type_t type)
{
	probe_record.calls[type]++;
	probe_record.last_op = (int)type;
	probe_record.sess = sess;
	return probe_record.ret;
}

static int probe_noop(struct vaccel_session *sess)
{
	return hit(sess, VACCEL_OP_NOOP);
}

#ifndef PROBE_ONLY_NOOP
static void put(unsigned char *buf, size_t len, const char *str)
{
	if (buf && len > strlen(str))
		memcpy(buf, str, strlen(str) + 1);
}

static int probe_exec(struct vaccel_session *sess, const char *library,
		      const char *fn_symbol, struct vaccel_arg *read,
		      size_t nr_read, struct vaccel_arg *write, size_t nr_write)
{
	probe_record.lib_name = library;
	probe_record.fn_symbol = fn_symbol;
	probe_record.read = read;
	probe_record.nr_read = nr_read;
	probe_record.write = write;
	probe_record.nr_write = nr_write;
	return hit(sess, VACCEL_OP_EXEC);
}

static int probe_exec_with_resource(struct vaccel_session *sess,
				    struct vaccel_resource *resource,
				    const char *fn_symbol,
				    struct vaccel_arg *read, size_t nr_read,
				    struct vaccel_arg *write, size_t nr_write)
{
	probe_record.resource = resource;
	probe_record.fn_symbol = fn_symbol;
	probe_record.read = read;
	probe_record.nr_read = nr_read;
	probe_record.write = write;
	probe_record.nr_write = nr_write;
	return hit(sess, VACCEL_OP_EXEC_WITH_RESOURCE);
}

static int probe_image_classify(struct vaccel_session *sess, const void *img,
				unsigned char *out_text,
				unsigned char *out_imgname, size_t len_img,
				size_t len_out_text, size_t len_out_imgname)
{
	probe_record.img = img;
	probe_record.out_text = out_text;
	probe_record.out_imgname = out_imgname;
	probe_record.len_img = len_img;
	probe_record.len_out_text = len_out_text;
	probe_record.len_out_imgname = len_out_imgname;
	put(out_text, len_out_text, PROBE_TEXT);
	put(out_imgname, len_out_imgname, PROBE_IMGNAME);
	return hit(sess, VACCEL_OP_IMAGE_CLASSIFY);
}

static int image_op(vaccel_op_type_t type, struct vaccel_session *sess,
		    const void *img, unsigned char *out_imgname, size_t len_img,
		    size_t len_out_imgname)
{
	probe_record.img = img;
	probe_record.out_text = NULL;
	probe_record.out_imgname = out_imgname;
	probe_record.len_img = len_img;
	probe_record.len_out_text = 0;
	probe_record.len_out_imgname = len_out_imgname;
	put(out_imgname, len_out_imgname, PROBE_IMGNAME);
	return hit(sess, type);
}

static int probe_image_detect(struct vaccel_session *sess, const void *img,
			      unsigned char *out_imgname, size_t len_img,
			      size_t len_out_imgname)
{
	return image_op(VACCEL_OP_IMAGE_DETECT, sess, img, out_imgname, len_img,
			len_out_imgname);
}

static int probe_image_segment(struct vaccel_session *sess, const void *img,
			       unsigned char *out_imgname, size_t len_img,
			       size_t len_out_imgname)
{
	return image_op(VACCEL_OP_IMAGE_SEGMENT, sess, img, out_imgname,
			len_img, len_out_imgname);
}

static int probe_image_pose(struct vaccel_session *sess, const void *img,
			    unsigned char *out_imgname, size_t len_img,
			    size_t len_out_imgname)
{
	return image_op(VACCEL_OP_IMAGE_POSE, sess, img, out_imgname, len_img,
			len_out_imgname);
}

static int probe_image_depth(struct vaccel_session *sess, const void *img,
			     unsigned char *out_imgname, size_t len_img,
			     size_t len_out_imgname)
{
	return image_op(VACCEL_OP_IMAGE_DEPTH, sess, img, out_imgname, len_img,
			len_out_imgname);
}

static int probe_tf_model_load(struct vaccel_session *sess,
			       struct vaccel_resource *model,
			       struct vaccel_tf_status *status)
{
	probe_record.model = model;
	probe_record.status = status;
	return hit(sess, VACCEL_OP_TF_MODEL_LOAD);
}

static int probe_tf_model_unload(struct vaccel_session *sess,
				 struct vaccel_resource *model,
				 struct vaccel_tf_status *status)
{
	probe_record.model = model;
	probe_record.status = status;
	return hit(sess, VACCEL_OP_TF_MODEL_UNLOAD);
}

static int probe_tf_model_run(struct vaccel_session *sess,
			      struct vaccel_resource *model,
			      const struct vaccel_tf_buffer *run_options,
			      const struct vaccel_tf_node *in_nodes,
			      struct vaccel_tf_tensor *const *in_tensors,
			      int nr_inputs,
			      const struct vaccel_tf_node *out_nodes,
			      struct vaccel_tf_tensor **out_tensors,
			      int nr_outputs, struct vaccel_tf_status *status)
{
	probe_record.model = model;
	probe_record.run_options = run_options;
	probe_record.in_nodes = in_nodes;
	probe_record.inputs = in_tensors;
	probe_record.nr_inputs = nr_inputs;
	probe_record.out_nodes = out_nodes;
	probe_record.outputs = out_tensors;
	probe_record.nr_outputs = nr_outputs;
	probe_record.status = status;
	return hit(sess, VACCEL_OP_TF_MODEL_RUN);
}

static int probe_tflite_model_load(struct vaccel_session *sess,
				   struct vaccel_resource *model)
{
	probe_record.model = model;
	return hit(sess, VACCEL_OP_TFLITE_MODEL_LOAD);
}

static int probe_tflite_model_unload(struct vaccel_session *sess,
				     struct vaccel_resource *model)
{
	probe_record.model = model;
	return hit(sess, VACCEL_OP_TFLITE_MODEL_UNLOAD);
}

static int probe_tflite_model_run(struct vaccel_session *sess,
				  struct vaccel_resource *model,
				  struct vaccel_tflite_tensor *const *inputs,
				  int nr_inputs,
				  struct vaccel_tflite_tensor **outputs,
				  int nr_outputs, uint8_t *status)
{
	probe_record.model = model;
	probe_record.run_options = NULL;
	probe_record.inputs = inputs;
	probe_record.nr_inputs = nr_inputs;
	probe_record.outputs = outputs;
	probe_record.nr_outputs = nr_outputs;
	probe_record.status = status;
	return hit(sess, VACCEL_OP_TFLITE_MODEL_RUN);
}

static int probe_torch_model_load(struct vaccel_session *sess,
				  struct vaccel_resource *model)
{
	probe_record.model = model;
	return hit(sess, VACCEL_OP_TORCH_MODEL_LOAD);
}

static int probe_torch_model_run(struct vaccel_session *sess,
				 struct vaccel_resource *model,
				 const struct vaccel_torch_buffer *run_options,
				 struct vaccel_torch_tensor *const *inputs,
				 int nr_inputs,
				 struct vaccel_torch_tensor **outputs,
				 int nr_outputs)
{
	probe_record.model = model;
	probe_record.run_options = run_options;
	probe_record.inputs = inputs;
	probe_record.nr_inputs = nr_inputs;
	probe_record.outputs = outputs;
	probe_record.nr_outputs = nr_outputs;
	return hit(sess, VACCEL_OP_TORCH_MODEL_RUN);
}

static int probe_torch_sgemm(struct vaccel_session *sess,
			     struct vaccel_torch_tensor **in_A,
			     struct vaccel_torch_tensor **in_B,
			     struct vaccel_torch_tensor **in_C, int M, int N,
			     int K, struct vaccel_torch_tensor **out)
{
	probe_record.t_a = in_A;
	probe_record.t_b = in_B;
	probe_record.t_c = in_C;
	probe_record.t_out = out;
	probe_record.tm = M;
	probe_record.tn = N;
	probe_record.tk = K;
	return hit(sess, VACCEL_OP_TORCH_SGEMM);
}

static int probe_sgemm(struct vaccel_session *sess, int64_t m, int64_t n,
		       int64_t k, float alpha, float *a, int64_t lda, float *b,
		       int64_t ldb, float beta, float *c, int64_t ldc)
{
	probe_record.m = m;
	probe_record.n = n;
	probe_record.k = k;
	probe_record.alpha = alpha;
	probe_record.a = a;
	probe_record.lda = lda;
	probe_record.b = b;
	probe_record.ldb = ldb;
	probe_record.beta = beta;
	probe_record.c = c;
	probe_record.ldc = ldc;
	return hit(sess, VACCEL_OP_BLAS_SGEMM);
}

static int probe_fpga_arraycopy(struct vaccel_session *sess, int a[],
				int out_a[], size_t len_a)
{
	probe_record.fa = a;
	probe_record.fb = NULL;
	probe_record.fout0 = out_a;
	probe_record.fout1 = NULL;
	probe_record.len_a = len_a;
	probe_record.len_b = 0;
	return hit(sess, VACCEL_OP_FPGA_ARRAYCOPY);
}

static int probe_fpga_mmult(struct vaccel_session *sess, float a[], float b[],
			    float c[], size_t len_a)
{
	probe_record.fa = a;
	probe_record.fb = b;
	probe_record.fout0 = c;
	probe_record.fout1 = NULL;
	probe_record.len_a = len_a;
	probe_record.len_b = 0;
	return hit(sess, VACCEL_OP_FPGA_MMULT);
}

static int probe_fpga_parallel(struct vaccel_session *sess, float a[],
			       float b[], float add_output[],
			       float mult_output[], size_t len_a)
{
	probe_record.fa = a;
	probe_record.fb = b;
	probe_record.fout0 = add_output;
	probe_record.fout1 = mult_output;
	probe_record.len_a = len_a;
	probe_record.len_b = 0;
	return hit(sess, VACCEL_OP_FPGA_PARALLEL);
}

static int probe_fpga_vadd(struct vaccel_session *sess, float a[], float b[],
			   float c[], size_t len_a, size_t len_b)
{
	probe_record.fa = a;
	probe_record.fb = b;
	probe_record.fout0 = c;
	probe_record.fout1 = NULL;
	probe_record.len_a = len_a;
	probe_record.len_b = len_b;
	return hit(sess, VACCEL_OP_FPGA_VECTORADD);
}

static int probe_minmax(struct vaccel_session *sess, const double *indata,
			int ndata, int low_threshold, int high_threshold,
			double *outdata, double *min, double *max)
{
	probe_record.indata = indata;
	probe_record.ndata = ndata;
	probe_record.low = low_threshold;
	probe_record.high = high_threshold;
	probe_record.outdata = outdata;
	probe_record.min = min;
	probe_record.max = max;
	if (min)
		*min = PROBE_MINMAX_MIN;
	if (max)
		*max = PROBE_MINMAX_MAX;
	return hit(sess, VACCEL_OP_MINMAX);
}

static int probe_opencv(struct vaccel_session *sess, struct vaccel_arg *read,
			int nr_read, struct vaccel_arg *write, int nr_write)
{
	probe_record.read = read;
	probe_record.nr_read = (size_t)nr_read;
	probe_record.write = write;
	probe_record.nr_write = (size_t)nr_write;
	return hit(sess, VACCEL_OP_OPENCV);
}
#endif /* !PROBE_ONLY_NOOP */

static struct vaccel_op probe_ops[] = {
	VACCEL_OP_INIT(probe_ops[0], VACCEL_OP_NOOP, probe_noop),
#ifndef PROBE_ONLY_NOOP
	VACCEL_OP_INIT(probe_ops[1], VACCEL_OP_EXEC, probe_exec),
	VACCEL_OP_INIT(probe_ops[2], VACCEL_OP_EXEC_WITH_RESOURCE,
		       probe_exec_with_resource),
	VACCEL_OP_INIT(probe_ops[3], VACCEL_OP_IMAGE_CLASSIFY,
		       probe_image_classify),
	VACCEL_OP_INIT(probe_ops[4], VACCEL_OP_IMAGE_DETECT,
		       probe_image_detect),
	VACCEL_OP_INIT(probe_ops[5], VACCEL_OP_IMAGE_SEGMENT,
		       probe_image_segment),
	VACCEL_OP_INIT(probe_ops[6], VACCEL_OP_IMAGE_POSE, probe_image_pose),
	VACCEL_OP_INIT(probe_ops[7], VACCEL_OP_IMAGE_DEPTH, probe_image_depth),
	VACCEL_OP_INIT(probe_ops[8], VACCEL_OP_TF_MODEL_LOAD,
		       probe_tf_model_load),
	VACCEL_OP_INIT(probe_ops[9], VACCEL_OP_TF_MODEL_UNLOAD,
		       probe_tf_model_unload),
	VACCEL_OP_INIT(probe_ops[10], VACCEL_OP_TF_MODEL_RUN,
		       probe_tf_model_run),
	VACCEL_OP_INIT(probe_ops[11], VACCEL_OP_TFLITE_MODEL_LOAD,
		       probe_tflite_model_load),
	VACCEL_OP_INIT(probe_ops[12], VACCEL_OP_TFLITE_MODEL_UNLOAD,
		       probe_tflite_model_unload),
	VACCEL_OP_INIT(probe_ops[13], VACCEL_OP_TFLITE_MODEL_RUN,
		       probe_tflite_model_run),
	VACCEL_OP_INIT(probe_ops[14], VACCEL_OP_TORCH_MODEL_LOAD,
		       probe_torch_model_load),
	VACCEL_OP_INIT(probe_ops[15], VACCEL_OP_TORCH_MODEL_RUN,
		       probe_torch_model_run),
	VACCEL_OP_INIT(probe_ops[16], VACCEL_OP_TORCH_SGEMM, probe_torch_sgemm),
	VACCEL_OP_INIT(probe_ops[17], VACCEL_OP_BLAS_SGEMM, probe_sgemm),
	VACCEL_OP_INIT(probe_ops[18], VACCEL_OP_FPGA_ARRAYCOPY,
		       probe_fpga_arraycopy),
	VACCEL_OP_INIT(probe_ops[19], VACCEL_OP_FPGA_MMULT, probe_fpga_mmult),
	VACCEL_OP_INIT(probe_ops[20], VACCEL_OP_FPGA_PARALLEL,
		       probe_fpga_parallel),
	VACCEL_OP_INIT(probe_ops[21], VACCEL_OP_FPGA_VECTORADD,
		       probe_fpga_vadd),
	VACCEL_OP_INIT(probe_ops[22], VACCEL_OP_MINMAX, probe_minmax),
	VACCEL_OP_INIT(probe_ops[23], VACCEL_OP_OPENCV, probe_opencv),
#endif
};

static int probe_init(void)
{
	return vaccel_plugin_register_ops(
		probe_ops, sizeof(probe_ops) / sizeof(probe_ops[0]));
}

static int probe_fini(void)
{
	return VACCEL_OK;
}

#ifdef PROBE_ONLY_NOOP
VACCEL_PLUGIN(.name = "probe-min", .version = "0.0.1",
	      .vaccel_version = VACCEL_VERSION, .type = VACCEL_PLUGIN_GPU,
	      .init = probe_init, .fini = probe_fini);
#else
VACCEL_PLUGIN(.name = "probe", .version = "0.0.1",
	      .vaccel_version = VACCEL_VERSION, .type = VACCEL_PLUGIN_DEBUG,
	      .init = probe_init, .fini = probe_fini);
#endif
