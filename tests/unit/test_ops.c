// SPDX-License-Identifier: Apache-2.0
/*
 * Typed operations: argument checks, resource checks, exact forwarding of every
 * parameter to the session's plugin (the probe plugin records them), ENOTSUP
 * when the plugin lacks the op, and the profiled paths.
 */
#include "test_util.h"

#include "plugins/probe/probe_test.h"

/*
 * Assert that `call` returns `code` and logs exactly one error line into the
 * log file at `log` (lines are tagged "<error>").
 */
#define EXPECT_ONE_ERROR(log, call, code)                                      \
	do {                                                                   \
		int before_ = count_lines((log), "<error>");                   \
		assert_int_equal((call), (code));                              \
		assert_int_equal(count_lines((log), "<error>"), before_ + 1);  \
	} while (0)

/* minmax, fpga and torch sgemm are deprecated but still part of the API. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

/* Exported by the library without a public prototype. */
int vaccel_opencv(struct vaccel_session *sess, struct vaccel_arg *read,
		  int nr_read, struct vaccel_arg *write, int nr_write);

struct ops_state {
	struct probe_env env;
	char log[256];
};

static struct ops_state ops_state;

static int group_setup_common(void **state, bool profiling)
{
	struct ops_state *s = &ops_state;

	temp_log(s->log, sizeof(s->log));
	if (probe_env_init(&s->env, profiling, s->log))
		return -1;
	*state = s;
	return 0;
}

static int group_setup(void **state)
{
	return group_setup_common(state, false);
}

static int group_setup_prof(void **state)
{
	return group_setup_common(state, true);
}

static int group_teardown(void **state)
{
	struct ops_state *s = *state;

	probe_env_fini(&s->env);
	unlink(s->log);
	return 0;
}

static int setup(void **state)
{
	struct ops_state *s = *state;

	probe_reset(s->env.rec);
	return 0;
}

static uint8_t res_bytes[16] = {1, 2, 3};

static void make_resource(struct vaccel_resource *res,
			  vaccel_resource_type_t type)
{
	assert_int_equal(vaccel_resource_init_from_buf(res, res_bytes,
						       sizeof(res_bytes), type,
						       NULL, true),
			 VACCEL_OK);
}

/*
 * NULL session / model / resource
 */

static void test_null_session(void **state)
{
	struct ops_state *s = *state;
	/* static: registrations stay valid if an assertion bails out */
	static struct vaccel_resource res;
	float f[4] = {0};
	int i[4] = {0};
	double d[4] = {0};
	unsigned char out[8];

	make_resource(&res, VACCEL_RESOURCE_MODEL);

	EXPECT_ONE_ERROR(s->log, vaccel_noop(NULL), VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_exec(NULL, "lib", "fn", NULL, 0, NULL, 0),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(
		s->log,
		vaccel_exec_with_resource(NULL, &res, "fn", NULL, 0, NULL, 0),
		VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_sgemm(NULL, 1, 1, 1, 1, f, 1, f, 1, 0, f, 1),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(
		s->log,
		vaccel_image_classification(NULL, out, out, out, 1, 1, 1),
		VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_image_detection(NULL, out, out, 1, 1),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_image_segmentation(NULL, out, out, 1, 1),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_image_pose(NULL, out, out, 1, 1),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_image_depth(NULL, out, out, 1, 1),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_opencv_unpack(NULL, NULL, 0, NULL, 0),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_opencv(NULL, NULL, 0, NULL, 0),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_minmax(NULL, d, 1, 0, 1, d, d, d),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_fpga_arraycopy(NULL, i, i, 1),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_fpga_mmult(NULL, f, f, f, 1),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_fpga_parallel(NULL, f, f, f, f, 1),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_fpga_vadd(NULL, f, f, f, 1, 1),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_tf_model_load(NULL, &res, NULL),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_tf_model_unload(NULL, &res, NULL),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_tf_model_run(NULL, &res, NULL, NULL, NULL, 0,
					     NULL, NULL, 0, NULL),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_tflite_model_load(NULL, &res),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_tflite_model_unload(NULL, &res),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(
		s->log,
		vaccel_tflite_model_run(NULL, &res, NULL, 0, NULL, 0, NULL),
		VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_torch_model_load(NULL, &res),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(
		s->log,
		vaccel_torch_model_run(NULL, &res, NULL, NULL, 0, NULL, 0),
		VACCEL_EINVAL);
	EXPECT_ONE_ERROR(
		s->log,
		vaccel_torch_sgemm(NULL, NULL, NULL, NULL, 1, 1, 1, NULL),
		VACCEL_EINVAL);

	/* NULL model / resource / strings */
	EXPECT_ONE_ERROR(s->log,
			 vaccel_exec_with_resource(&s->env.sess, NULL, "fn",
						   NULL, 0, NULL, 0),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_exec_with_resource(&s->env.sess, &res, NULL,
						   NULL, 0, NULL, 0),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(
		s->log, vaccel_exec(&s->env.sess, NULL, "fn", NULL, 0, NULL, 0),
		VACCEL_EINVAL);
	EXPECT_ONE_ERROR(
		s->log,
		vaccel_exec(&s->env.sess, "lib", NULL, NULL, 0, NULL, 0),
		VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_tf_model_load(&s->env.sess, NULL, NULL),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_tf_model_unload(&s->env.sess, NULL, NULL),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_tf_model_run(&s->env.sess, NULL, NULL, NULL,
					     NULL, 0, NULL, NULL, 0, NULL),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_tflite_model_load(&s->env.sess, NULL),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_tflite_model_unload(&s->env.sess, NULL),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_tflite_model_run(&s->env.sess, NULL, NULL, 0,
						 NULL, 0, NULL),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_torch_model_load(&s->env.sess, NULL),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_torch_model_run(&s->env.sess, NULL, NULL, NULL,
						0, NULL, 0),
			 VACCEL_EINVAL);

	/* Arrays missing for non-zero counts */
	EXPECT_ONE_ERROR(
		s->log,
		vaccel_exec(&s->env.sess, "lib", "fn", NULL, 1, NULL, 0),
		VACCEL_EINVAL);
	EXPECT_ONE_ERROR(
		s->log,
		vaccel_exec(&s->env.sess, "lib", "fn", NULL, 0, NULL, 2),
		VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_opencv_unpack(&s->env.sess, NULL, 1, NULL, 0),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_opencv_unpack(&s->env.sess, NULL, 0, NULL, -1),
			 VACCEL_EINVAL);

	assert_int_equal(probe_total_calls(s->env.rec), 0);
	assert_int_equal(vaccel_resource_release(&res), VACCEL_OK);
}

/*
 * Forwarding
 */

static void test_noop(void **state)
{
	struct ops_state *s = *state;

	assert_int_equal(vaccel_noop(&s->env.sess), VACCEL_OK);
	assert_int_equal(s->env.rec->calls[VACCEL_OP_NOOP], 1);
	assert_ptr_equal(s->env.rec->sess, &s->env.sess);

	/* The plugin's result is returned as is */
	s->env.rec->ret = VACCEL_EBACKEND;
	assert_int_equal(vaccel_noop(&s->env.sess), VACCEL_EBACKEND);
	s->env.rec->ret = 42;
	assert_int_equal(vaccel_noop(&s->env.sess), 42);
	assert_int_equal(s->env.rec->calls[VACCEL_OP_NOOP], 3);
}

static void test_exec(void **state)
{
	struct ops_state *s = *state;
	struct vaccel_arg read[3] = {0};
	struct vaccel_arg write[2] = {0};

	assert_int_equal(vaccel_exec(&s->env.sess, "libfoo.so", "foo", read, 3,
				     write, 2),
			 VACCEL_OK);
	assert_int_equal(s->env.rec->last_op, VACCEL_OP_EXEC);
	assert_ptr_equal(s->env.rec->sess, &s->env.sess);
	assert_string_equal(s->env.rec->lib_name, "libfoo.so");
	assert_string_equal(s->env.rec->fn_symbol, "foo");
	assert_ptr_equal(s->env.rec->read, read);
	assert_int_equal(s->env.rec->nr_read, 3);
	assert_ptr_equal(s->env.rec->write, write);
	assert_int_equal(s->env.rec->nr_write, 2);

	assert_int_equal(vaccel_exec(&s->env.sess, "l", "f", NULL, 0, NULL, 0),
			 VACCEL_OK);
	assert_null(s->env.rec->read);
	assert_int_equal(s->env.rec->nr_read, 0);
	assert_null(s->env.rec->write);
	assert_int_equal(s->env.rec->nr_write, 0);
	assert_int_equal(s->env.rec->calls[VACCEL_OP_EXEC], 2);
}

static void test_exec_with_resource(void **state)
{
	struct ops_state *s = *state;
	static struct vaccel_resource lib, data, model, unreg;
	struct vaccel_arg read[2] = {0};
	struct vaccel_arg write[1] = {0};

	make_resource(&lib, VACCEL_RESOURCE_LIB);
	make_resource(&data, VACCEL_RESOURCE_DATA);
	make_resource(&model, VACCEL_RESOURCE_MODEL);
	make_resource(&unreg, VACCEL_RESOURCE_LIB);
	assert_int_equal(vaccel_resource_register(&lib, &s->env.sess),
			 VACCEL_OK);
	assert_int_equal(vaccel_resource_register(&data, &s->env.sess),
			 VACCEL_OK);
	assert_int_equal(vaccel_resource_register(&model, &s->env.sess),
			 VACCEL_OK);

	assert_int_equal(vaccel_exec_with_resource(&s->env.sess, &lib, "sym",
						   read, 2, write, 1),
			 VACCEL_OK);
	assert_int_equal(s->env.rec->last_op, VACCEL_OP_EXEC_WITH_RESOURCE);
	assert_ptr_equal(s->env.rec->sess, &s->env.sess);
	assert_ptr_equal(s->env.rec->resource, &lib);
	assert_string_equal(s->env.rec->fn_symbol, "sym");
	assert_ptr_equal(s->env.rec->read, read);
	assert_int_equal(s->env.rec->nr_read, 2);
	assert_ptr_equal(s->env.rec->write, write);
	assert_int_equal(s->env.rec->nr_write, 1);

	/* wrong type: EINVAL; not registered: EPERM */
	EXPECT_ONE_ERROR(s->log,
			 vaccel_exec_with_resource(&s->env.sess, &data, "sym",
						   NULL, 0, NULL, 0),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_exec_with_resource(&s->env.sess, &model, "sym",
						   NULL, 0, NULL, 0),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_exec_with_resource(&s->env.sess, &unreg, "sym",
						   NULL, 0, NULL, 0),
			 VACCEL_EPERM);
	/* registered with another session only */
	EXPECT_ONE_ERROR(s->log,
			 vaccel_exec_with_resource(&s->env.sess_min, &lib,
						   "sym", NULL, 0, NULL, 0),
			 VACCEL_EPERM);
	assert_int_equal(s->env.rec->calls[VACCEL_OP_EXEC_WITH_RESOURCE], 1);

	assert_int_equal(vaccel_resource_release(&lib), VACCEL_OK);
	assert_int_equal(vaccel_resource_release(&data), VACCEL_OK);
	assert_int_equal(vaccel_resource_release(&model), VACCEL_OK);
	assert_int_equal(vaccel_resource_release(&unreg), VACCEL_OK);
}

static void test_sgemm(void **state)
{
	struct ops_state *s = *state;
	float a[6], b[12], c[8];

	assert_int_equal(vaccel_sgemm(&s->env.sess, 2, 4, 3, 1.25F, a, 3, b, 4,
				      -0.5F, c, 4),
			 VACCEL_OK);
	assert_int_equal(s->env.rec->last_op, VACCEL_OP_BLAS_SGEMM);
	assert_ptr_equal(s->env.rec->sess, &s->env.sess);
	assert_int_equal(s->env.rec->m, 2);
	assert_int_equal(s->env.rec->n, 4);
	assert_int_equal(s->env.rec->k, 3);
	assert_true(s->env.rec->alpha == 1.25F);
	assert_ptr_equal(s->env.rec->a, a);
	assert_int_equal(s->env.rec->lda, 3);
	assert_ptr_equal(s->env.rec->b, b);
	assert_int_equal(s->env.rec->ldb, 4);
	assert_true(s->env.rec->beta == -0.5F);
	assert_ptr_equal(s->env.rec->c, c);
	assert_int_equal(s->env.rec->ldc, 4);

	/* 64-bit values survive */
	assert_int_equal(vaccel_sgemm(&s->env.sess, INT64_C(1) << 40, 7, 9, 0,
				      a, INT64_C(1) << 41, b, 11, 0, c, 13),
			 VACCEL_OK);
	assert_true(s->env.rec->m == (INT64_C(1) << 40));
	assert_true(s->env.rec->lda == (INT64_C(1) << 41));
	assert_int_equal(s->env.rec->ldc, 13);
}

static void test_image(void **state)
{
	struct ops_state *s = *state;
	const char img[] = "jpeg bytes";
	unsigned char text[32] = {0};
	unsigned char name[32] = {0};

	assert_int_equal(vaccel_image_classification(
				 &s->env.sess, img, text, name, sizeof(img),
				 sizeof(text), sizeof(name) - 1),
			 VACCEL_OK);
	assert_int_equal(s->env.rec->last_op, VACCEL_OP_IMAGE_CLASSIFY);
	assert_ptr_equal(s->env.rec->img, img);
	assert_ptr_equal(s->env.rec->out_text, text);
	assert_ptr_equal(s->env.rec->out_imgname, name);
	assert_int_equal(s->env.rec->len_img, sizeof(img));
	assert_int_equal(s->env.rec->len_out_text, sizeof(text));
	assert_int_equal(s->env.rec->len_out_imgname, sizeof(name) - 1);
	assert_string_equal((char *)text, PROBE_TEXT);
	assert_string_equal((char *)name, PROBE_IMGNAME);

	/* Classify keeps the 7-parameter call even without out_text */
	assert_int_equal(vaccel_image_classification(&s->env.sess, img, NULL,
						     name, sizeof(img), 0,
						     sizeof(name)),
			 VACCEL_OK);
	assert_int_equal(s->env.rec->calls[VACCEL_OP_IMAGE_CLASSIFY], 2);
	assert_null(s->env.rec->out_text);
	assert_int_equal(s->env.rec->len_out_text, 0);
	assert_ptr_equal(s->env.rec->out_imgname, name);

	struct {
		vaccel_op_type_t type;
		int (*fn)(struct vaccel_session *, const void *,
			  unsigned char *, size_t, size_t);
	} ops[] = {
		{VACCEL_OP_IMAGE_DETECT, vaccel_image_detection},
		{VACCEL_OP_IMAGE_SEGMENT, vaccel_image_segmentation},
		{VACCEL_OP_IMAGE_POSE, vaccel_image_pose},
		{VACCEL_OP_IMAGE_DEPTH, vaccel_image_depth},
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		memset(name, 0, sizeof(name));
		assert_int_equal(ops[i].fn(&s->env.sess, img, name,
					   sizeof(img) - i, sizeof(name) - i),
				 VACCEL_OK);
		assert_int_equal(s->env.rec->last_op, ops[i].type);
		assert_int_equal(s->env.rec->calls[ops[i].type], 1);
		assert_ptr_equal(s->env.rec->img, img);
		assert_ptr_equal(s->env.rec->out_imgname, name);
		assert_int_equal(s->env.rec->len_img, sizeof(img) - i);
		assert_int_equal(s->env.rec->len_out_imgname, sizeof(name) - i);
		assert_string_equal((char *)name, PROBE_IMGNAME);
	}
	assert_int_equal(probe_total_calls(s->env.rec), 6);
}

static void test_minmax(void **state)
{
	struct ops_state *s = *state;
	double in[5] = {3, 1, 4, 1, 5};
	double out[5];
	double min = 0, max = 0;

	assert_int_equal(
		vaccel_minmax(&s->env.sess, in, 5, -3, 7, out, &min, &max),
		VACCEL_OK);
	assert_int_equal(s->env.rec->last_op, VACCEL_OP_MINMAX);
	assert_ptr_equal(s->env.rec->indata, in);
	assert_int_equal(s->env.rec->ndata, 5);
	assert_int_equal(s->env.rec->low, -3);
	assert_int_equal(s->env.rec->high, 7);
	assert_ptr_equal(s->env.rec->outdata, out);
	assert_ptr_equal(s->env.rec->min, &min);
	assert_ptr_equal(s->env.rec->max, &max);
	assert_true(min == PROBE_MINMAX_MIN);
	assert_true(max == PROBE_MINMAX_MAX);
}

static void test_fpga(void **state)
{
	struct ops_state *s = *state;
	int ia[4], io[4];
	float a[4], b[4], c[4], d[4];

	assert_int_equal(vaccel_fpga_arraycopy(&s->env.sess, ia, io, 4),
			 VACCEL_OK);
	assert_int_equal(s->env.rec->last_op, VACCEL_OP_FPGA_ARRAYCOPY);
	assert_ptr_equal(s->env.rec->fa, ia);
	assert_ptr_equal(s->env.rec->fout0, io);
	assert_int_equal(s->env.rec->len_a, 4);

	assert_int_equal(vaccel_fpga_mmult(&s->env.sess, a, b, c, 3),
			 VACCEL_OK);
	assert_int_equal(s->env.rec->last_op, VACCEL_OP_FPGA_MMULT);
	assert_ptr_equal(s->env.rec->fa, a);
	assert_ptr_equal(s->env.rec->fb, b);
	assert_ptr_equal(s->env.rec->fout0, c);
	assert_int_equal(s->env.rec->len_a, 3);

	assert_int_equal(vaccel_fpga_parallel(&s->env.sess, a, b, c, d, 2),
			 VACCEL_OK);
	assert_int_equal(s->env.rec->last_op, VACCEL_OP_FPGA_PARALLEL);
	assert_ptr_equal(s->env.rec->fa, a);
	assert_ptr_equal(s->env.rec->fb, b);
	assert_ptr_equal(s->env.rec->fout0, c);
	assert_ptr_equal(s->env.rec->fout1, d);
	assert_int_equal(s->env.rec->len_a, 2);

	assert_int_equal(vaccel_fpga_vadd(&s->env.sess, a, b, c, 4, 3),
			 VACCEL_OK);
	assert_int_equal(s->env.rec->last_op, VACCEL_OP_FPGA_VECTORADD);
	assert_ptr_equal(s->env.rec->fa, a);
	assert_ptr_equal(s->env.rec->fb, b);
	assert_ptr_equal(s->env.rec->fout0, c);
	assert_int_equal(s->env.rec->len_a, 4);
	assert_int_equal(s->env.rec->len_b, 3);
	assert_int_equal(probe_total_calls(s->env.rec), 4);
}

static void test_opencv(void **state)
{
	struct ops_state *s = *state;
	struct vaccel_arg read[2] = {0};
	struct vaccel_arg write[3] = {0};

	assert_int_equal(vaccel_opencv_unpack(&s->env.sess, read, 2, write, 3),
			 VACCEL_OK);
	assert_int_equal(s->env.rec->last_op, VACCEL_OP_OPENCV);
	assert_ptr_equal(s->env.rec->read, read);
	assert_int_equal(s->env.rec->nr_read, 2);
	assert_ptr_equal(s->env.rec->write, write);
	assert_int_equal(s->env.rec->nr_write, 3);

	/* The undeclared alias does the same */
	assert_int_equal(vaccel_opencv(&s->env.sess, write, 3, read, 1),
			 VACCEL_OK);
	assert_ptr_equal(s->env.rec->read, write);
	assert_int_equal(s->env.rec->nr_read, 3);
	assert_ptr_equal(s->env.rec->write, read);
	assert_int_equal(s->env.rec->nr_write, 1);
	assert_int_equal(s->env.rec->calls[VACCEL_OP_OPENCV], 2);
}

static void test_model_ops(void **state)
{
	struct ops_state *s = *state;
	static struct vaccel_resource model, lib, unreg;
	struct vaccel_tf_status st = {0};
	struct vaccel_tf_buffer opts = {0};
	struct vaccel_tf_node in_nodes[2] = {0}, out_nodes[1] = {0};
	struct vaccel_tf_tensor *in_t[2] = {0}, *out_t[1] = {0};
	struct vaccel_tflite_tensor *lin[1] = {0}, *lout[2] = {0};
	struct vaccel_torch_buffer topts = {0};
	struct vaccel_torch_tensor *tin[3] = {0}, *tout[1] = {0};
	uint8_t lstatus = 0;

	make_resource(&model, VACCEL_RESOURCE_MODEL);
	make_resource(&lib, VACCEL_RESOURCE_LIB);
	make_resource(&unreg, VACCEL_RESOURCE_MODEL);
	assert_int_equal(vaccel_resource_register(&model, &s->env.sess),
			 VACCEL_OK);
	assert_int_equal(vaccel_resource_register(&lib, &s->env.sess),
			 VACCEL_OK);

	/* TF */
	assert_int_equal(vaccel_tf_model_load(&s->env.sess, &model, &st),
			 VACCEL_OK);
	assert_int_equal(s->env.rec->last_op, VACCEL_OP_TF_MODEL_LOAD);
	assert_ptr_equal(s->env.rec->model, &model);
	assert_ptr_equal(s->env.rec->status, &st);
	assert_int_equal(vaccel_tf_model_run(&s->env.sess, &model, &opts,
					     in_nodes, in_t, 2, out_nodes,
					     out_t, 1, &st),
			 VACCEL_OK);
	assert_int_equal(s->env.rec->last_op, VACCEL_OP_TF_MODEL_RUN);
	assert_ptr_equal(s->env.rec->model, &model);
	assert_ptr_equal(s->env.rec->run_options, &opts);
	assert_ptr_equal(s->env.rec->in_nodes, in_nodes);
	assert_ptr_equal(s->env.rec->inputs, in_t);
	assert_int_equal(s->env.rec->nr_inputs, 2);
	assert_ptr_equal(s->env.rec->out_nodes, out_nodes);
	assert_ptr_equal(s->env.rec->outputs, out_t);
	assert_int_equal(s->env.rec->nr_outputs, 1);
	assert_ptr_equal(s->env.rec->status, &st);
	assert_int_equal(vaccel_tf_model_unload(&s->env.sess, &model, &st),
			 VACCEL_OK);
	assert_int_equal(s->env.rec->last_op, VACCEL_OP_TF_MODEL_UNLOAD);

	/* TFLite */
	assert_int_equal(vaccel_tflite_model_load(&s->env.sess, &model),
			 VACCEL_OK);
	assert_int_equal(s->env.rec->last_op, VACCEL_OP_TFLITE_MODEL_LOAD);
	assert_int_equal(vaccel_tflite_model_run(&s->env.sess, &model, lin, 1,
						 lout, 2, &lstatus),
			 VACCEL_OK);
	assert_int_equal(s->env.rec->last_op, VACCEL_OP_TFLITE_MODEL_RUN);
	assert_ptr_equal(s->env.rec->model, &model);
	assert_ptr_equal(s->env.rec->inputs, lin);
	assert_int_equal(s->env.rec->nr_inputs, 1);
	assert_ptr_equal(s->env.rec->outputs, lout);
	assert_int_equal(s->env.rec->nr_outputs, 2);
	assert_ptr_equal(s->env.rec->status, &lstatus);
	assert_int_equal(vaccel_tflite_model_unload(&s->env.sess, &model),
			 VACCEL_OK);
	assert_int_equal(s->env.rec->last_op, VACCEL_OP_TFLITE_MODEL_UNLOAD);

	/* Torch */
	assert_int_equal(vaccel_torch_model_load(&s->env.sess, &model),
			 VACCEL_OK);
	assert_int_equal(s->env.rec->last_op, VACCEL_OP_TORCH_MODEL_LOAD);
	assert_int_equal(vaccel_torch_model_run(&s->env.sess, &model, &topts,
						tin, 3, tout, 1),
			 VACCEL_OK);
	assert_int_equal(s->env.rec->last_op, VACCEL_OP_TORCH_MODEL_RUN);
	assert_ptr_equal(s->env.rec->model, &model);
	assert_ptr_equal(s->env.rec->run_options, &topts);
	assert_ptr_equal(s->env.rec->inputs, tin);
	assert_int_equal(s->env.rec->nr_inputs, 3);
	assert_ptr_equal(s->env.rec->outputs, tout);
	assert_int_equal(s->env.rec->nr_outputs, 1);
	assert_int_equal(probe_total_calls(s->env.rec), 8);

	/* Wrong resource type: EINVAL */
	EXPECT_ONE_ERROR(s->log, vaccel_tf_model_load(&s->env.sess, &lib, &st),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_tf_model_unload(&s->env.sess, &lib, &st),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_tf_model_run(&s->env.sess, &lib, NULL, NULL,
					     NULL, 0, NULL, NULL, 0, &st),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_tflite_model_load(&s->env.sess, &lib),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_tflite_model_unload(&s->env.sess, &lib),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_tflite_model_run(&s->env.sess, &lib, NULL, 0,
						 NULL, 0, &lstatus),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_torch_model_load(&s->env.sess, &lib),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_torch_model_run(&s->env.sess, &lib, NULL, NULL,
						0, NULL, 0),
			 VACCEL_EINVAL);

	/* Not registered with the session: EPERM */
	EXPECT_ONE_ERROR(s->log,
			 vaccel_tf_model_load(&s->env.sess, &unreg, &st),
			 VACCEL_EPERM);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_tf_model_unload(&s->env.sess, &unreg, &st),
			 VACCEL_EPERM);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_tf_model_run(&s->env.sess, &unreg, NULL, NULL,
					     NULL, 0, NULL, NULL, 0, &st),
			 VACCEL_EPERM);
	EXPECT_ONE_ERROR(s->log, vaccel_tflite_model_load(&s->env.sess, &unreg),
			 VACCEL_EPERM);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_tflite_model_unload(&s->env.sess, &unreg),
			 VACCEL_EPERM);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_tflite_model_run(&s->env.sess, &unreg, NULL, 0,
						 NULL, 0, &lstatus),
			 VACCEL_EPERM);
	EXPECT_ONE_ERROR(s->log, vaccel_torch_model_load(&s->env.sess, &unreg),
			 VACCEL_EPERM);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_torch_model_run(&s->env.sess, &unreg, NULL,
						NULL, 0, NULL, 0),
			 VACCEL_EPERM);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_torch_model_load(&s->env.sess_min, &model),
			 VACCEL_EPERM);

	/* Bad counts / arrays: EINVAL */
	EXPECT_ONE_ERROR(s->log,
			 vaccel_tf_model_run(&s->env.sess, &model, NULL,
					     in_nodes, in_t, -1, out_nodes,
					     out_t, 1, &st),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_tf_model_run(&s->env.sess, &model, NULL, NULL,
					     in_t, 2, out_nodes, out_t, 1, &st),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_tf_model_run(&s->env.sess, &model, NULL,
					     in_nodes, in_t, 2, out_nodes, NULL,
					     1, &st),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_tflite_model_run(&s->env.sess, &model, lin, 1,
						 lout, -2, &lstatus),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_tflite_model_run(&s->env.sess, &model, NULL, 1,
						 lout, 2, &lstatus),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_torch_model_run(&s->env.sess, &model, NULL, tin,
						3, NULL, 1),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_torch_model_run(&s->env.sess, &model, NULL, tin,
						-3, tout, 1),
			 VACCEL_EINVAL);
	assert_int_equal(probe_total_calls(s->env.rec), 8);

	assert_int_equal(vaccel_resource_release(&model), VACCEL_OK);
	assert_int_equal(vaccel_resource_release(&lib), VACCEL_OK);
	assert_int_equal(vaccel_resource_release(&unreg), VACCEL_OK);
}

static void test_torch_sgemm(void **state)
{
	struct ops_state *s = *state;
	struct vaccel_torch_tensor *a = NULL, *b = NULL, *c = NULL, *out = NULL;

	assert_int_equal(
		vaccel_torch_sgemm(&s->env.sess, &a, &b, &c, 2, 3, 4, &out),
		VACCEL_OK);
	assert_int_equal(s->env.rec->last_op, VACCEL_OP_TORCH_SGEMM);
	assert_ptr_equal(s->env.rec->t_a, &a);
	assert_ptr_equal(s->env.rec->t_b, &b);
	assert_ptr_equal(s->env.rec->t_c, &c);
	assert_ptr_equal(s->env.rec->t_out, &out);
	assert_int_equal(s->env.rec->tm, 2);
	assert_int_equal(s->env.rec->tn, 3);
	assert_int_equal(s->env.rec->tk, 4);
}

/*
 * The session's plugin lacks the op: ENOTSUP, no fallback to another plugin,
 * one error line naming the plugin.
 */
static void test_enotsup(void **state)
{
	struct ops_state *s = *state;
	struct vaccel_session *m = &s->env.sess_min;
	static struct vaccel_resource model, lib;
	float f[4] = {0};
	int i[4] = {0};
	double d[4] = {0};
	unsigned char out[8];
	struct vaccel_tf_status st = {0};
	uint8_t lst;

	make_resource(&model, VACCEL_RESOURCE_MODEL);
	make_resource(&lib, VACCEL_RESOURCE_LIB);
	assert_int_equal(vaccel_resource_register(&model, m), VACCEL_OK);
	assert_int_equal(vaccel_resource_register(&lib, m), VACCEL_OK);
	int before = count_lines(s->log, "plugin 'probe-min' does not "
					 "implement op");

	/* NOOP is implemented by probe-min (not by the probe) */
	assert_int_equal(vaccel_noop(m), VACCEL_OK);
	assert_int_equal(s->env.rec->calls[VACCEL_OP_NOOP], 0);

	EXPECT_ONE_ERROR(s->log, vaccel_exec(m, "l", "f", NULL, 0, NULL, 0),
			 VACCEL_ENOTSUP);
	EXPECT_ONE_ERROR(
		s->log,
		vaccel_exec_with_resource(m, &lib, "f", NULL, 0, NULL, 0),
		VACCEL_ENOTSUP);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_sgemm(m, 1, 1, 1, 1, f, 1, f, 1, 0, f, 1),
			 VACCEL_ENOTSUP);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_image_classification(m, out, out, out, 1, 1, 1),
			 VACCEL_ENOTSUP);
	EXPECT_ONE_ERROR(s->log, vaccel_image_detection(m, out, out, 1, 1),
			 VACCEL_ENOTSUP);
	EXPECT_ONE_ERROR(s->log, vaccel_image_segmentation(m, out, out, 1, 1),
			 VACCEL_ENOTSUP);
	EXPECT_ONE_ERROR(s->log, vaccel_image_pose(m, out, out, 1, 1),
			 VACCEL_ENOTSUP);
	EXPECT_ONE_ERROR(s->log, vaccel_image_depth(m, out, out, 1, 1),
			 VACCEL_ENOTSUP);
	EXPECT_ONE_ERROR(s->log, vaccel_opencv_unpack(m, NULL, 0, NULL, 0),
			 VACCEL_ENOTSUP);
	EXPECT_ONE_ERROR(s->log, vaccel_opencv(m, NULL, 0, NULL, 0),
			 VACCEL_ENOTSUP);
	EXPECT_ONE_ERROR(s->log, vaccel_minmax(m, d, 1, 0, 1, d, d, d),
			 VACCEL_ENOTSUP);
	EXPECT_ONE_ERROR(s->log, vaccel_fpga_arraycopy(m, i, i, 1),
			 VACCEL_ENOTSUP);
	EXPECT_ONE_ERROR(s->log, vaccel_fpga_mmult(m, f, f, f, 1),
			 VACCEL_ENOTSUP);
	EXPECT_ONE_ERROR(s->log, vaccel_fpga_parallel(m, f, f, f, f, 1),
			 VACCEL_ENOTSUP);
	EXPECT_ONE_ERROR(s->log, vaccel_fpga_vadd(m, f, f, f, 1, 1),
			 VACCEL_ENOTSUP);
	EXPECT_ONE_ERROR(s->log, vaccel_tf_model_load(m, &model, &st),
			 VACCEL_ENOTSUP);
	EXPECT_ONE_ERROR(s->log, vaccel_tf_model_unload(m, &model, &st),
			 VACCEL_ENOTSUP);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_tf_model_run(m, &model, NULL, NULL, NULL, 0,
					     NULL, NULL, 0, &st),
			 VACCEL_ENOTSUP);
	EXPECT_ONE_ERROR(s->log, vaccel_tflite_model_load(m, &model),
			 VACCEL_ENOTSUP);
	EXPECT_ONE_ERROR(s->log, vaccel_tflite_model_unload(m, &model),
			 VACCEL_ENOTSUP);
	EXPECT_ONE_ERROR(
		s->log,
		vaccel_tflite_model_run(m, &model, NULL, 0, NULL, 0, &lst),
		VACCEL_ENOTSUP);
	EXPECT_ONE_ERROR(s->log, vaccel_torch_model_load(m, &model),
			 VACCEL_ENOTSUP);
	EXPECT_ONE_ERROR(
		s->log,
		vaccel_torch_model_run(m, &model, NULL, NULL, 0, NULL, 0),
		VACCEL_ENOTSUP);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_torch_sgemm(m, NULL, NULL, NULL, 1, 1, 1, NULL),
			 VACCEL_ENOTSUP);

	/* No fallback to the probe, which implements all of them */
	assert_int_equal(probe_total_calls(s->env.rec), 0);

	/* One error line per refused call (24), naming the plugin and op */
	assert_int_equal(count_lines(s->log, "plugin 'probe-min' does not "
					     "implement op") -
				 before,
			 24);
	assert_true(count_lines(s->log, "plugin 'probe-min' does not "
					"implement op image_classify") >= 1);
	assert_true(count_lines(s->log, "plugin 'probe-min' does not "
					"implement op torch_sgemm") >= 1);

	assert_int_equal(vaccel_resource_release(&model), VACCEL_OK);
	assert_int_equal(vaccel_resource_release(&lib), VACCEL_OK);
}

/* Profiling enabled: the region paths (incl. ENOTSUP) run and stay paired. */
static void test_profiled(void **state)
{
	struct ops_state *s = *state;
	float f[4] = {0};

	assert_true(vaccel_prof_enabled());
	for (int i = 0; i < 3000; i++) /* crosses sample-array growth */
		assert_int_equal(vaccel_noop(&s->env.sess), VACCEL_OK);
	assert_int_equal(s->env.rec->calls[VACCEL_OP_NOOP], 3000);
	assert_int_equal(
		vaccel_sgemm(&s->env.sess, 1, 1, 1, 1, f, 1, f, 1, 0, f, 1),
		VACCEL_OK);
	EXPECT_ONE_ERROR(
		s->log,
		vaccel_sgemm(&s->env.sess_min, 1, 1, 1, 1, f, 1, f, 1, 0, f, 1),
		VACCEL_ENOTSUP);
	EXPECT_ONE_ERROR(s->log,
			 vaccel_torch_sgemm(&s->env.sess_min, NULL, NULL, NULL,
					    1, 1, 1, NULL),
			 VACCEL_ENOTSUP);
	assert_int_equal(
		vaccel_sgemm(&s->env.sess, 1, 1, 1, 1, f, 1, f, 1, 0, f, 1),
		VACCEL_OK);
	assert_int_equal(s->env.rec->calls[VACCEL_OP_BLAS_SGEMM], 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_null_session, setup),
		cmocka_unit_test_setup(test_noop, setup),
		cmocka_unit_test_setup(test_exec, setup),
		cmocka_unit_test_setup(test_exec_with_resource, setup),
		cmocka_unit_test_setup(test_sgemm, setup),
		cmocka_unit_test_setup(test_image, setup),
		cmocka_unit_test_setup(test_minmax, setup),
		cmocka_unit_test_setup(test_fpga, setup),
		cmocka_unit_test_setup(test_opencv, setup),
		cmocka_unit_test_setup(test_model_ops, setup),
		cmocka_unit_test_setup(test_torch_sgemm, setup),
		cmocka_unit_test_setup(test_enotsup, setup),
	};
	const struct CMUnitTest prof_tests[] = {
		cmocka_unit_test_setup(test_profiled, setup),
	};

	int failed = cmocka_run_group_tests_name("ops", tests, group_setup,
						 group_teardown);
	failed += cmocka_run_group_tests_name("ops_profiled", prof_tests,
					      group_setup_prof, group_teardown);
	return failed;
}
