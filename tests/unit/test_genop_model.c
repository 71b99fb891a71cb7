// SPDX-License-Identifier: Apache-2.0
/*
 * vaccel_genop() for the model operations (src/ops/genop_model.c, the
 * layouts of docs/protocol.md §7.5.2) with the noop plugin, which echoes
 * input i into output i: outputs copied into the write args, outputs that do
 * not fit (VACCEL_ENOSPC and the sizes needed), NULL outputs, bad
 * descriptors and counts, the status args of TF and TFLite. In the unit
 * suite, so it also runs under valgrind.
 */
#include "test_util.h"

#include <linux/virtio_accel.h>

#define ARG(t, p, sz)                                                          \
	((struct vaccel_arg){.buf = (void *)(p), .size = (sz), .type = (t)})

static struct vaccel_session sess;
static struct vaccel_resource model;
static int64_t model_id;
static char log_path[256];

static int group_setup(void **state)
{
	(void)state;
	temp_log(log_path, sizeof(log_path));
	if (boot_opts(plugin_path("noop"), log_path, false, false) ||
	    vaccel_session_init(&sess, 0) ||
	    vaccel_resource_init_from_buf(&model, "m", 1, VACCEL_RESOURCE_MODEL,
					  "m.pt", true) ||
	    vaccel_resource_register(&model, &sess))
		return -1;
	model_id = model.id;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	vaccel_resource_unregister(&model, &sess);
	vaccel_resource_release(&model);
	vaccel_session_release(&sess);
	vaccel_cleanup();
	unlink(log_path);
	return 0;
}

/* genop with read = [op, model, rest...] */
static int call(uint8_t op, struct vaccel_arg *rest, int nr_rest,
		struct vaccel_arg *wr, int nr_wr)
{
	struct vaccel_arg rd[16];
	assert_true(nr_rest <= 14);
	rd[0] = ARG(VACCEL_ARG_UINT8, &op, 1);
	rd[1] = ARG(VACCEL_ARG_INT64, &model_id, 8);
	for (int i = 0; i < nr_rest; i++)
		rd[2 + i] = rest[i];
	return vaccel_genop(&sess, rd, 2 + nr_rest, wr, nr_wr);
}

static void test_torch_echo(void **state)
{
	(void)state;
	float x[6] = {1, 2, 3, 4, 5, 6}, y[6] = {0};
	int64_t desc[4] = {VACCEL_TORCH_FLOAT, 2, 3, 2}, odesc[18] = {0};
	struct vaccel_arg rest[3] = {
		ARG(VACCEL_ARG_BUFFER, NULL, 0),
		ARG(VACCEL_ARG_INT64_ARRAY, desc, sizeof(desc)),
		ARG(VACCEL_ARG_BUFFER, x, sizeof(x)),
	};
	struct vaccel_arg wr[2] = {
		ARG(VACCEL_ARG_INT64_ARRAY, odesc, sizeof(odesc)),
		ARG(VACCEL_ARG_BUFFER, y, sizeof(y)),
	};

	assert_int_equal(call(VACCEL_OP_TORCH_MODEL_LOAD, NULL, 0, NULL, 0),
			 VACCEL_OK);
	assert_int_equal(call(VACCEL_OP_TORCH_MODEL_RUN, rest, 3, wr, 2),
			 VACCEL_OK);
	assert_int_equal(wr[0].size, sizeof(desc));
	assert_memory_equal(odesc, desc, sizeof(desc));
	assert_int_equal(wr[1].size, sizeof(x));
	assert_memory_equal(y, x, sizeof(x));

	/* too small: nothing copied, the sizes needed, ENOSPC */
	memset(y, 0, sizeof(y));
	wr[0].size = sizeof(odesc);
	wr[1].size = 8;
	assert_int_equal(call(VACCEL_OP_TORCH_MODEL_RUN, rest, 3, wr, 2),
			 VACCEL_ENOSPC);
	assert_int_equal(wr[1].size, sizeof(x));
	assert_float_equal(y[0], 0, 0);

	/* two outputs for one input: the second comes back empty */
	float y2[6];
	int64_t odesc2[18];
	struct vaccel_arg wr4[4] = {
		ARG(VACCEL_ARG_INT64_ARRAY, odesc, sizeof(odesc)),
		ARG(VACCEL_ARG_BUFFER, y, sizeof(y)),
		ARG(VACCEL_ARG_INT64_ARRAY, odesc2, sizeof(odesc2)),
		ARG(VACCEL_ARG_BUFFER, y2, sizeof(y2)),
	};
	assert_int_equal(call(VACCEL_OP_TORCH_MODEL_RUN, rest, 3, wr4, 4),
			 VACCEL_OK);
	assert_memory_equal(y, x, sizeof(x));
	assert_int_equal(wr4[2].size, 0);
	assert_int_equal(wr4[3].size, 0);
}

static void test_bad_input(void **state)
{
	(void)state;
	float x[6] = {0};
	int64_t desc[4] = {VACCEL_TORCH_FLOAT, 2, 3, 2}, odesc[18];
	float y[6];
	struct vaccel_arg rest[3] = {
		ARG(VACCEL_ARG_BUFFER, NULL, 0),
		ARG(VACCEL_ARG_INT64_ARRAY, desc, sizeof(desc)),
		ARG(VACCEL_ARG_BUFFER, x, sizeof(x)),
	};
	struct vaccel_arg wr[2] = {
		ARG(VACCEL_ARG_INT64_ARRAY, odesc, sizeof(odesc)),
		ARG(VACCEL_ARG_BUFFER, y, sizeof(y)),
	};
	int before = count_lines(log_path, "<error>");

	desc[2] = 4; /* 4 x 2 floats claimed, 6 given */
	assert_int_equal(call(VACCEL_OP_TORCH_MODEL_RUN, rest, 3, wr, 2),
			 VACCEL_EINVAL);
	desc[2] = 3;
	desc[0] = 99; /* not a torch data type */
	assert_int_equal(call(VACCEL_OP_TORCH_MODEL_RUN, rest, 3, wr, 2),
			 VACCEL_EINVAL);
	desc[0] = VACCEL_TORCH_FLOAT;
	desc[1] = 40; /* nr_dims past the bound and the length */
	assert_int_equal(call(VACCEL_OP_TORCH_MODEL_RUN, rest, 3, wr, 2),
			 VACCEL_EINVAL);
	desc[1] = 2;
	/* an odd count of args: no layout */
	assert_int_equal(call(VACCEL_OP_TORCH_MODEL_RUN, rest, 2, wr, 2),
			 VACCEL_EINVAL);
	/* a model id that names nothing */
	int64_t keep = model_id;
	model_id = 424242;
	assert_int_not_equal(call(VACCEL_OP_TORCH_MODEL_RUN, rest, 3, wr, 2),
			     VACCEL_OK);
	model_id = keep;
	assert_true(count_lines(log_path, "<error>") >= before + 5);
}

static void test_tflite_status(void **state)
{
	(void)state;
	int32_t x[4] = {1, -2, 3, -4}, y[4] = {0};
	int64_t desc[3] = {VACCEL_TFLITE_INT32, 1, 4}, odesc[18];
	uint8_t status = 0xff;
	struct vaccel_arg rest[2] = {
		ARG(VACCEL_ARG_INT64_ARRAY, desc, sizeof(desc)),
		ARG(VACCEL_ARG_BUFFER, x, sizeof(x)),
	};
	struct vaccel_arg wr[3] = {
		ARG(VACCEL_ARG_INT64_ARRAY, odesc, sizeof(odesc)),
		ARG(VACCEL_ARG_BUFFER, y, sizeof(y)),
		ARG(VACCEL_ARG_UINT8, &status, 1),
	};
	assert_int_equal(call(VACCEL_OP_TFLITE_MODEL_LOAD, NULL, 0, NULL, 0),
			 VACCEL_OK);
	assert_int_equal(call(VACCEL_OP_TFLITE_MODEL_RUN, rest, 2, wr, 3),
			 VACCEL_OK);
	assert_int_equal(status, 0);
	assert_memory_equal(y, x, sizeof(x));
	assert_int_equal(call(VACCEL_OP_TFLITE_MODEL_UNLOAD, NULL, 0, NULL, 0),
			 VACCEL_OK);
}

static void test_tf_nodes_and_status(void **state)
{
	(void)state;
	double x[2] = {0.5, -0.25}, y[2] = {0};
	int64_t desc[3] = {VACCEL_TF_DOUBLE, 1, 2}, odesc[18], in_id = 3,
		out_id = 4;
	uint8_t code = 0xff;
	char msg[VIRTIO_ACCEL_TF_STATUS_MSG_MAX];
	struct vaccel_arg rest[7] = {
		ARG(VACCEL_ARG_BUFFER, NULL, 0),
		ARG(VACCEL_ARG_STRING, "in", 3),
		ARG(VACCEL_ARG_INT64, &in_id, 8),
		ARG(VACCEL_ARG_INT64_ARRAY, desc, sizeof(desc)),
		ARG(VACCEL_ARG_BUFFER, x, sizeof(x)),
		ARG(VACCEL_ARG_STRING, "out", 4),
		ARG(VACCEL_ARG_INT64, &out_id, 8),
	};
	struct vaccel_arg wr[4] = {
		ARG(VACCEL_ARG_INT64_ARRAY, odesc, sizeof(odesc)),
		ARG(VACCEL_ARG_BUFFER, y, sizeof(y)),
		ARG(VACCEL_ARG_UINT8, &code, 1),
		ARG(VACCEL_ARG_STRING, msg, sizeof(msg)),
	};
	struct vaccel_arg st[2] = {
		ARG(VACCEL_ARG_UINT8, &code, 1),
		ARG(VACCEL_ARG_STRING, msg, sizeof(msg)),
	};
	assert_int_equal(call(VACCEL_OP_TF_MODEL_LOAD, NULL, 0, st, 2),
			 VACCEL_OK);
	assert_int_equal(code, 0);
	assert_int_equal(msg[st[1].size - 1], '\0');
	assert_int_equal(call(VACCEL_OP_TF_MODEL_RUN, rest, 7, wr, 4),
			 VACCEL_OK);
	assert_memory_equal(y, x, sizeof(x));
	/* a node name without its NUL */
	rest[1] = ARG(VACCEL_ARG_STRING, "in", 2);
	assert_int_equal(call(VACCEL_OP_TF_MODEL_RUN, rest, 7, wr, 4),
			 VACCEL_EINVAL);
	st[1].size = sizeof(msg);
	assert_int_equal(call(VACCEL_OP_TF_MODEL_UNLOAD, NULL, 0, st, 2),
			 VACCEL_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_torch_echo),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_tflite_status),
		cmocka_unit_test(test_tf_nodes_and_status),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
