// SPDX-License-Identifier: Apache-2.0
/*
 * noop_ops_check NOOP_PLUGIN FILE
 *
 * Calls every operation through the noop plugin and checks the documented
 * deterministic outputs (plugins/noop/README.md). FILE is any existing file,
 * used as the MODEL and LIB resource. Exit status 0 on success.
 */
#include <vaccel.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* minmax, fpga and torch sgemm are deprecated but still part of the API. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

#define TAG	"This is a dummy classification tag!"
#define IMGNAME "This is a dummy imgname!"
#define STATUS	"Operation handled by noop plugin"

static int failures;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);   \
			fprintf(stderr, __VA_ARGS__);                          \
			fprintf(stderr, "\n");                                 \
			failures++;                                            \
		}                                                              \
	} while (0)

#define CHECK_OK(expr)                                                         \
	do {                                                                   \
		int ret_ = (expr);                                             \
		CHECK(ret_ == VACCEL_OK, "%s returned %d", #expr, ret_);       \
	} while (0)

static void check_exec(struct vaccel_session *sess, struct vaccel_resource *lib)
{
	int32_t in = 5;
	int32_t out = 0;
	char raw_in[3] = {'a', 'b', 'c'};
	char raw_out[2] = {0};
	char extra[4] = "xyz";
	struct vaccel_arg read[3];
	struct vaccel_arg write[2];

	vaccel_arg_init_from_buf(&read[0], &in, sizeof(in), VACCEL_ARG_INT32,
				 0);
	vaccel_arg_init_from_buf(&read[1], raw_in, sizeof(raw_in),
				 VACCEL_ARG_RAW, 0);
	vaccel_arg_init_from_buf(&read[2], extra, sizeof(extra), VACCEL_ARG_RAW,
				 0);
	vaccel_arg_init_from_buf(&write[0], &out, sizeof(out), VACCEL_ARG_INT32,
				 0);
	vaccel_arg_init_from_buf(&write[1], raw_out, sizeof(raw_out),
				 VACCEL_ARG_RAW, 0);

	CHECK_OK(vaccel_exec(sess, "libwhatever.so", "f", read, 3, write, 2));
	CHECK(out == 5 && !memcmp(raw_out, "ab", 2), "exec copies: %d %.2s",
	      out, raw_out);

	out = 0;
	memset(raw_out, 0, sizeof(raw_out));
	CHECK_OK(vaccel_exec_with_resource(sess, lib, "f", read, 3, write, 2));
	CHECK(out == 5 && !memcmp(raw_out, "ab", 2),
	      "exec_with_resource copies: %d %.2s", out, raw_out);

	out = 0;
	CHECK_OK(vaccel_opencv_unpack(sess, read, 1, write, 1));
	CHECK(out == 5, "opencv copies: %d", out);
}

static void check_image(struct vaccel_session *sess)
{
	unsigned char img[4] = {1, 2, 3, 4};
	unsigned char text[128];
	unsigned char name[128];
	unsigned char small[8];

	memset(text, 'X', sizeof(text));
	memset(name, 'X', sizeof(name));
	CHECK_OK(vaccel_image_classification(sess, img, text, name, sizeof(img),
					     sizeof(text), sizeof(name)));
	CHECK(!strcmp((char *)text, TAG), "classify text: %s", text);
	CHECK(!strcmp((char *)name, IMGNAME), "classify imgname: %s", name);

	/* Truncated to len - 1 bytes and NUL-terminated. */
	memset(small, 'X', sizeof(small));
	CHECK_OK(vaccel_image_classification(sess, img, small, name,
					     sizeof(img), sizeof(small),
					     sizeof(name)));
	CHECK(!strcmp((char *)small, "This is"), "truncated: %.8s", small);

	int (*ops[])(struct vaccel_session *, const void *, unsigned char *,
		     size_t, size_t) = {vaccel_image_detection,
					vaccel_image_segmentation,
					vaccel_image_pose, vaccel_image_depth};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		memset(name, 'X', sizeof(name));
		CHECK_OK(ops[i](sess, img, name, sizeof(img), sizeof(name)));
		CHECK(!strcmp((char *)name, IMGNAME), "image op %zu: %s", i,
		      name);
	}
}

static void check_tf(struct vaccel_session *sess, struct vaccel_resource *model)
{
	struct vaccel_tf_status status = {0};
	struct vaccel_tf_tensor *in;
	struct vaccel_tf_tensor *out[2] = {NULL, NULL};
	struct vaccel_tf_node in_node = {.name = "in", .id = 0};
	struct vaccel_tf_node out_nodes[2] = {{.name = "out", .id = 0},
					      {.name = "out2", .id = 1}};
	int64_t dims[2] = {2, 3};
	float data[6] = {1, 2, 3, 4, 5, 6};

	CHECK_OK(vaccel_tf_model_load(sess, model, &status));
	CHECK(status.code == 0 && status.message &&
		      !strcmp(status.message, STATUS),
	      "tf load status: %u %s", status.code,
	      status.message ? status.message : "(null)");
	vaccel_tf_status_release(&status);

	CHECK_OK(vaccel_tf_tensor_new(&in, 2, dims, VACCEL_TF_FLOAT));
	CHECK_OK(vaccel_tf_tensor_set_data(in, data, sizeof(data)));
	CHECK_OK(vaccel_tf_model_run(sess, model, NULL, &in_node, &in, 1,
				     out_nodes, out, 2, &status));
	CHECK(out[0] && out[0]->owned && out[0]->nr_dims == 2 &&
		      out[0]->dims[0] == 2 && out[0]->dims[1] == 3 &&
		      out[0]->data_type == VACCEL_TF_FLOAT &&
		      out[0]->size == sizeof(data) &&
		      !memcmp(out[0]->data, data, sizeof(data)),
	      "tf run echoes its input");
	CHECK(out[1] == NULL, "tf run: extra output not NULL");
	CHECK(status.code == 0, "tf run status %u", status.code);
	vaccel_tf_status_release(&status);
	if (out[0])
		vaccel_tf_tensor_delete(out[0]);
	vaccel_tf_tensor_delete(in);

	CHECK_OK(vaccel_tf_model_unload(sess, model, &status));
	CHECK(status.code == 0 && status.message, "tf unload status");
	vaccel_tf_status_release(&status);
}

static void check_tflite(struct vaccel_session *sess,
			 struct vaccel_resource *model)
{
	struct vaccel_tflite_tensor *in;
	struct vaccel_tflite_tensor *out = NULL;
	int32_t dims[1] = {4};
	int32_t data[4] = {7, 8, 9, 10};
	uint8_t status = 42;

	CHECK_OK(vaccel_tflite_model_load(sess, model));
	CHECK_OK(vaccel_tflite_tensor_new(&in, 1, dims, VACCEL_TFLITE_INT32));
	CHECK_OK(vaccel_tflite_tensor_set_data(in, data, sizeof(data)));
	CHECK_OK(
		vaccel_tflite_model_run(sess, model, &in, 1, &out, 1, &status));
	CHECK(out && out->owned && out->nr_dims == 1 && out->dims[0] == 4 &&
		      out->data_type == VACCEL_TFLITE_INT32 &&
		      out->size == sizeof(data) &&
		      !memcmp(out->data, data, sizeof(data)),
	      "tflite run echoes its input");
	CHECK(status == 0, "tflite status %u", status);
	if (out)
		vaccel_tflite_tensor_delete(out);
	vaccel_tflite_tensor_delete(in);
	CHECK_OK(vaccel_tflite_model_unload(sess, model));
}

static void check_torch(struct vaccel_session *sess,
			struct vaccel_resource *model)
{
	struct vaccel_torch_tensor *in;
	struct vaccel_torch_tensor *out = NULL;
	struct vaccel_torch_tensor *ta;
	struct vaccel_torch_tensor *tb;
	struct vaccel_torch_tensor *tc;
	int64_t dims[1] = {3};
	int64_t da[2] = {2, 3};
	int64_t db[2] = {3, 2};
	int64_t dc[2] = {2, 2};
	float data[3] = {0.5f, -1.0f, 2.0f};
	float a[6] = {1, 2, 3, 4, 5, 6};
	float b[6] = {1, 0, 0, 1, 1, 1};
	float c[4] = {10, 20, 30, 40};
	/* A * B + C */
	float expect[4] = {1 + 3 + 10, 2 + 3 + 20, 4 + 6 + 30, 5 + 6 + 40};

	CHECK_OK(vaccel_torch_model_load(sess, model));
	CHECK_OK(vaccel_torch_tensor_new(&in, 1, dims, VACCEL_TORCH_FLOAT));
	CHECK_OK(vaccel_torch_tensor_set_data(in, data, sizeof(data)));
	CHECK_OK(vaccel_torch_model_run(sess, model, NULL, &in, 1, &out, 1));
	CHECK(out && out->owned && out->nr_dims == 1 && out->dims[0] == 3 &&
		      out->size == sizeof(data) &&
		      !memcmp(out->data, data, sizeof(data)),
	      "torch run echoes its input");
	if (out)
		vaccel_torch_tensor_delete(out);
	vaccel_torch_tensor_delete(in);

	out = NULL;
	CHECK_OK(vaccel_torch_tensor_new(&ta, 2, da, VACCEL_TORCH_FLOAT));
	CHECK_OK(vaccel_torch_tensor_new(&tb, 2, db, VACCEL_TORCH_FLOAT));
	CHECK_OK(vaccel_torch_tensor_new(&tc, 2, dc, VACCEL_TORCH_FLOAT));
	vaccel_torch_tensor_set_data(ta, a, sizeof(a));
	vaccel_torch_tensor_set_data(tb, b, sizeof(b));
	vaccel_torch_tensor_set_data(tc, c, sizeof(c));
	CHECK_OK(vaccel_torch_sgemm(sess, &ta, &tb, &tc, 2, 2, 3, &out));
	CHECK(out && out->nr_dims == 2 && out->dims[0] == 2 &&
		      out->dims[1] == 2 && out->size == sizeof(expect) &&
		      !memcmp(out->data, expect, sizeof(expect)),
	      "torch sgemm = A * B + C");
	if (out)
		vaccel_torch_tensor_delete(out);
	vaccel_torch_tensor_delete(ta);
	vaccel_torch_tensor_delete(tb);
	vaccel_torch_tensor_delete(tc);
}

static void check_sgemm(struct vaccel_session *sess)
{
	enum { M = 3, N = 4, K = 2, LDC = 6 };
	float a[M * K] = {0};
	float b[K * N] = {0};
	float c[M * LDC];

	for (int i = 0; i < M * LDC; i++)
		c[i] = -1.0f;
	CHECK_OK(vaccel_sgemm(sess, M, N, K, 1.0f, a, K, b, N, 0.0f, c, LDC));
	for (int i = 0; i < M; i++)
		for (int j = 0; j < LDC; j++) {
			float want = j < N ? (float)(i + j) : -1.0f;
			CHECK(c[i * LDC + j] == want, "sgemm c[%d][%d] = %f", i,
			      j, (double)c[i * LDC + j]);
		}
}

static void check_fpga_minmax(struct vaccel_session *sess)
{
	int ia[4] = {4, 3, 2, 1};
	int ib[4] = {0};
	float a[4] = {1, 2, 3, 4};
	float b[4] = {5, 6, 7, 8};
	float c[4] = {0};
	float d[4] = {0};
	double in[4] = {3.0, -1.0, 7.5, 2.0};
	double out[4] = {0};
	double min = 0;
	double max = 0;

	CHECK_OK(vaccel_fpga_arraycopy(sess, ia, ib, 4));
	CHECK(!memcmp(ia, ib, sizeof(ia)), "arraycopy");

	/* 4 = 2 x 2: matrix product */
	CHECK_OK(vaccel_fpga_mmult(sess, a, b, c, 4));
	CHECK(c[0] == 19 && c[1] == 22 && c[2] == 43 && c[3] == 50,
	      "mmult 2x2: %f %f %f %f", (double)c[0], (double)c[1],
	      (double)c[2], (double)c[3]);
	/* 3: not square, element-wise */
	memset(c, 0, sizeof(c));
	CHECK_OK(vaccel_fpga_mmult(sess, a, b, c, 3));
	CHECK(c[0] == 5 && c[1] == 12 && c[2] == 21 && c[3] == 0,
	      "mmult element-wise");

	CHECK_OK(vaccel_fpga_parallel(sess, a, b, c, d, 4));
	CHECK(c[0] == 6 && c[3] == 12 && d[0] == 5 && d[3] == 32, "parallel");

	memset(c, 0, sizeof(c));
	CHECK_OK(vaccel_fpga_vadd(sess, a, b, c, 4, 2));
	CHECK(c[0] == 6 && c[1] == 8 && c[2] == 3 && c[3] == 4, "vadd");

	CHECK_OK(vaccel_minmax(sess, in, 4, 0, 10, out, &min, &max));
	CHECK(min == -1.0 && max == 7.5 && !memcmp(in, out, sizeof(in)),
	      "minmax: %f %f", min, max);
}

int main(int argc, char *argv[])
{
	struct vaccel_config cfg;
	struct vaccel_session sess;
	struct vaccel_resource model;
	struct vaccel_resource lib;
	int ret;

	if (argc != 3) {
		fprintf(stderr, "Usage: %s NOOP_PLUGIN FILE\n", argv[0]);
		return 2;
	}
	ret = vaccel_config_init(&cfg, argv[1], VACCEL_LOG_ERROR, NULL, false,
				 false);
	if (!ret)
		ret = vaccel_bootstrap_with_config(&cfg);
	vaccel_config_release(&cfg);
	if (ret || vaccel_session_init(&sess, 0)) {
		fprintf(stderr, "setup failed\n");
		return 1;
	}
	CHECK_OK(vaccel_resource_init(&model, argv[2], VACCEL_RESOURCE_MODEL));
	CHECK_OK(vaccel_resource_register(&model, &sess));
	CHECK_OK(vaccel_resource_init(&lib, argv[2], VACCEL_RESOURCE_LIB));
	CHECK_OK(vaccel_resource_register(&lib, &sess));

	CHECK_OK(vaccel_noop(&sess));
	check_exec(&sess, &lib);
	check_image(&sess);
	check_tf(&sess, &model);
	check_tflite(&sess, &model);
	check_torch(&sess, &model);
	check_sgemm(&sess);
	check_fpga_minmax(&sess);

	vaccel_resource_unregister(&lib, &sess);
	vaccel_resource_unregister(&model, &sess);
	vaccel_resource_release(&lib);
	vaccel_resource_release(&model);
	vaccel_session_release(&sess);
	vaccel_cleanup();
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("noop_ops_check: OK\n");
	return 0;
}
