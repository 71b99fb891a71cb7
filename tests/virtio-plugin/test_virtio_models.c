// SPDX-License-Identifier: Apache-2.0
/*
 * test_virtio_models PLUGIN
 *
 * The model operations (TF, TFLite, Torch) through the virtio plugin:
 * PLUGIN = libvaccel-virtio-loopback.so (a private daemon) or
 * libvaccel-virtio.so in a guest. The host's first plugin must be noop
 * (session hint DEBUG), which echoes input i into output i: every tensor
 * must come back with the same data type, dims and bytes, also tensors too
 * large for the plugin's first output guess (the OVERFLOW retry), every
 * data type of each framework, and the status outputs. Bad input fails in
 * the guest with one "[virtio]" line and sends nothing.
 */
#include "../test_util.h"

#include <stdlib.h>

#define HINT_NOOP VACCEL_PLUGIN_DEBUG

static const char *plugin;
static char log_path[4096];
static struct vaccel_session sess;
static struct vaccel_resource model;

static int setup(void **state)
{
	(void)state;
	temp_log(log_path, sizeof(log_path));
	assert_int_equal(boot_opts(plugin, log_path, false, false), VACCEL_OK);
	assert_int_equal(vaccel_session_init(&sess, HINT_NOOP), VACCEL_OK);
	assert_true(sess.is_virtio);
	assert_int_equal(vaccel_resource_init_from_buf(&model, "model", 5,
						       VACCEL_RESOURCE_MODEL,
						       "model.pt", true),
			 VACCEL_OK);
	assert_int_equal(vaccel_resource_register(&model, &sess), VACCEL_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(vaccel_resource_unregister(&model, &sess), VACCEL_OK);
	assert_int_equal(vaccel_resource_release(&model), VACCEL_OK);
	assert_int_equal(vaccel_session_release(&sess), VACCEL_OK);
	assert_int_equal(vaccel_cleanup(), VACCEL_OK);
	unlink(log_path);
	return 0;
}

static int virtio_lines(void)
{
	/* the same core built as libvaccel-rpc.so logs "[rpc]" */
	const char *tag = getenv("VIRTIO_TEST_LOG_TAG");
	return count_lines(log_path, tag && *tag ? tag : "[virtio]");
}

/* bytes with a pattern that depends on the seed */
static void *pattern(size_t size, unsigned int seed)
{
	unsigned char *p = malloc(size ? size : 1);
	assert_non_null(p);
	for (size_t i = 0; i < size; i++)
		p[i] = (unsigned char)(i * 31u + seed * 7u + (i >> 9));
	return p;
}

/* ---- torch -------------------------------------------------------------- */

static const size_t torch_elem[] = {0, 1, 1, 2, 4, 8, 2, 4};

static struct vaccel_torch_tensor *torch_in(int64_t nr_dims,
					    const int64_t *dims, int type,
					    unsigned int seed)
{
	struct vaccel_torch_tensor *t;
	size_t n = torch_elem[type];
	for (int64_t i = 0; i < nr_dims; i++)
		n *= (size_t)dims[i];
	assert_int_equal(vaccel_torch_tensor_new(&t, nr_dims, dims,
						 (enum vaccel_torch_data_type)
							 type),
			 VACCEL_OK);
	void *data = pattern(n, seed);
	assert_int_equal(vaccel_torch_tensor_set_data(t, data, n), VACCEL_OK);
	t->owned = true;
	return t;
}

static void torch_same(const struct vaccel_torch_tensor *a,
		       const struct vaccel_torch_tensor *b)
{
	assert_non_null(b);
	assert_int_equal(a->data_type, b->data_type);
	assert_int_equal(a->nr_dims, b->nr_dims);
	assert_memory_equal(a->dims, b->dims,
			    (size_t)a->nr_dims * sizeof(int64_t));
	assert_int_equal(a->size, b->size);
	assert_memory_equal(a->data, b->data, a->size);
}

static void run_torch_echo(struct vaccel_torch_tensor **in, int n)
{
	struct vaccel_torch_tensor *out[8] = {0};
	char opts[] = "run-options";
	struct vaccel_torch_buffer ob = {.data = opts, .size = sizeof(opts)};
	assert_int_equal(vaccel_torch_model_run(&sess, &model, &ob, in, n, out,
						n),
			 VACCEL_OK);
	for (int i = 0; i < n; i++) {
		torch_same(in[i], out[i]);
		vaccel_torch_tensor_delete(out[i]);
	}
}

static void test_torch(void **state)
{
	(void)state;
	assert_int_equal(vaccel_torch_model_load(&sess, &model), VACCEL_OK);
	/* every data type, various shapes, in one run */
	struct vaccel_torch_tensor *in[7];
	for (int type = 1; type <= 7; type++) {
		int64_t dims[3] = {type, 3, 5};
		in[type - 1] = torch_in(1 + type % 3, dims, type, type);
	}
	run_torch_echo(in, 7);
	for (int i = 0; i < 7; i++)
		vaccel_torch_tensor_delete(in[i]);

	/* 6 MiB: larger than the first output guess (sent twice), then
	 * remembered for the next run of the model */
	int64_t big[2] = {1024, 1536};
	struct vaccel_torch_tensor *b = torch_in(2, big, VACCEL_TORCH_FLOAT, 9);
	run_torch_echo(&b, 1);
	run_torch_echo(&b, 1);
	vaccel_torch_tensor_delete(b);
	assert_int_equal(virtio_lines(), 0);
}

static void test_torch_bad_input(void **state)
{
	(void)state;
	int64_t dims[2] = {2, 3};
	struct vaccel_torch_tensor *t = torch_in(2, dims, VACCEL_TORCH_INT, 1);
	struct vaccel_torch_tensor *out = NULL;

	/* data size not dims product x element size */
	t->size -= 4;
	int before = virtio_lines();
	assert_int_equal(vaccel_torch_model_run(&sess, &model, NULL, &t, 1,
						&out, 1),
			 VACCEL_EINVAL);
	assert_int_equal(virtio_lines() - before, 1);
	t->size += 4;
	/* a data type outside the enum */
	t->data_type = (enum vaccel_torch_data_type)42;
	assert_int_equal(vaccel_torch_model_run(&sess, &model, NULL, &t, 1,
						&out, 1),
			 VACCEL_EINVAL);
	t->data_type = VACCEL_TORCH_INT;
	/* more dims than the protocol carries */
	int64_t many[20];
	for (int i = 0; i < 20; i++)
		many[i] = 1;
	int64_t *keep = t->dims;
	t->dims = many;
	t->nr_dims = 20;
	assert_int_equal(vaccel_torch_model_run(&sess, &model, NULL, &t, 1,
						&out, 1),
			 VACCEL_EINVAL);
	t->dims = keep;
	t->nr_dims = 2;
	assert_int_equal(virtio_lines() - before, 3);
	assert_null(out);

	/* a model resource that is not registered remotely */
	struct vaccel_resource other;
	assert_int_equal(vaccel_resource_init_from_buf(&other, "m", 1,
						       VACCEL_RESOURCE_MODEL,
						       "m.pt", true),
			 VACCEL_OK);
	assert_int_equal(vaccel_torch_model_load(&sess, &other),
			 VACCEL_EPERM); /* the runtime: not in the session */
	assert_int_equal(vaccel_resource_release(&other), VACCEL_OK);

	/* the host noop echoes one input into output 0 and leaves output 1
	 * NULL: the caller gets the same, as with a local plugin */
	struct vaccel_torch_tensor *outs[2] = {0};
	assert_int_equal(vaccel_torch_model_run(&sess, &model, NULL, &t, 1,
						outs, 2),
			 VACCEL_OK);
	torch_same(t, outs[0]);
	assert_null(outs[1]);
	vaccel_torch_tensor_delete(outs[0]);
	vaccel_torch_tensor_delete(t);
}

/* ---- tflite ------------------------------------------------------------- */

static void test_tflite(void **state)
{
	(void)state;
	/* fixed-size types of the enum (not NOTYPE, STRING, RESOURCE,
	 * VARIANT, INT4) */
	static const struct {
		int type;
		size_t elem;
	} types[] = {{1, 4}, {2, 4},  {3, 1},  {4, 8},	{6, 1},	 {7, 2},
		     {8, 8}, {9, 1},  {10, 2}, {11, 8}, {12, 16}, {13, 8},
		     {16, 4}, {17, 2}};
	enum { N = sizeof(types) / sizeof(types[0]) };
	struct vaccel_tflite_tensor *in[N], *out[N] = {0};
	uint8_t status = 0xff;

	assert_int_equal(vaccel_tflite_model_load(&sess, &model), VACCEL_OK);
	for (int i = 0; i < N; i++) {
		int32_t dims[2] = {i + 1, 4};
		assert_int_equal(vaccel_tflite_tensor_new(
					 &in[i], 2, dims,
					 (enum vaccel_tflite_data_type)types[i]
						 .type),
				 VACCEL_OK);
		size_t n = types[i].elem * (size_t)(i + 1) * 4;
		assert_int_equal(
			vaccel_tflite_tensor_set_data(in[i], pattern(n, i), n),
			VACCEL_OK);
		in[i]->owned = true;
	}
	assert_int_equal(vaccel_tflite_model_run(&sess, &model, in, N, out, N,
						 &status),
			 VACCEL_OK);
	assert_int_equal(status, 0);
	for (int i = 0; i < N; i++) {
		assert_non_null(out[i]);
		assert_int_equal(out[i]->data_type, in[i]->data_type);
		assert_int_equal(out[i]->nr_dims, 2);
		assert_memory_equal(out[i]->dims, in[i]->dims, 8);
		assert_int_equal(out[i]->size, in[i]->size);
		assert_memory_equal(out[i]->data, in[i]->data, in[i]->size);
		vaccel_tflite_tensor_delete(out[i]);
		vaccel_tflite_tensor_delete(in[i]);
	}
	assert_int_equal(vaccel_tflite_model_unload(&sess, &model), VACCEL_OK);
	assert_int_equal(virtio_lines(), 0);
}

/* ---- tf ----------------------------------------------------------------- */

static void test_tf(void **state)
{
	(void)state;
	struct vaccel_tf_status st = {0};
	struct vaccel_tf_tensor *in[2], *out[2] = {0};
	struct vaccel_tf_node nodes[2] = {{"serving_default_input", 0},
					  {"StatefulPartitionedCall", 1}};
	int64_t dims[3] = {1, 28, 28};

	assert_int_equal(vaccel_tf_model_load(&sess, &model, &st), VACCEL_OK);
	assert_int_equal(st.code, 0);
	vaccel_tf_status_release(&st);
	for (int i = 0; i < 2; i++) {
		int type = i ? VACCEL_TF_INT64 : VACCEL_TF_FLOAT;
		size_t n = (i ? 8 : 4) * 28 * 28;
		assert_int_equal(vaccel_tf_tensor_new(
					 &in[i], 3, dims,
					 (enum vaccel_tf_data_type)type),
				 VACCEL_OK);
		assert_int_equal(
			vaccel_tf_tensor_set_data(in[i], pattern(n, 3 + i), n),
			VACCEL_OK);
		in[i]->owned = true;
	}
	assert_int_equal(vaccel_tf_model_run(&sess, &model, NULL, nodes, in, 2,
					     nodes, out, 2, &st),
			 VACCEL_OK);
	assert_int_equal(st.code, 0);
	vaccel_tf_status_release(&st);
	for (int i = 0; i < 2; i++) {
		assert_non_null(out[i]);
		assert_int_equal(out[i]->data_type, in[i]->data_type);
		assert_int_equal(out[i]->nr_dims, 3);
		assert_memory_equal(out[i]->dims, dims, sizeof(dims));
		assert_int_equal(out[i]->size, in[i]->size);
		assert_memory_equal(out[i]->data, in[i]->data, in[i]->size);
		vaccel_tf_tensor_delete(out[i]);
		vaccel_tf_tensor_delete(in[i]);
	}
	assert_int_equal(vaccel_tf_model_unload(&sess, &model, &st), VACCEL_OK);
	vaccel_tf_status_release(&st);
	/* a node without a name: the guest refuses, one line */
	struct vaccel_tf_node bad = {NULL, 0};
	int before = virtio_lines();
	assert_int_equal(vaccel_tf_model_run(&sess, &model, NULL, &bad, in, 0,
					     &bad, out, 0, &st),
			 VACCEL_OK); /* no tensors: the node is not read */
	vaccel_tf_status_release(&st);
	assert_int_equal(virtio_lines() - before, 0);
}

int main(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s PLUGIN\n", argv[0]);
		return 2;
	}
	plugin = argv[1];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_torch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torch_bad_input, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tflite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tf, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
