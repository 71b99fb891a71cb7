// SPDX-License-Identifier: Apache-2.0
/*
 * e2e_model MODEL: load a TorchScript model of tests/e2e/make_big_model.cpp
 * (forward(x) = (x + w[0:4], w.sum())) as a model resource, run it once on
 * x = [1, 2, 3, 4] with vaccel_torch_model_run() and print both outputs.
 * The e2e suite runs it on the host (torch plugin) and in the guest (through
 * the device, the model shipped by content) and compares what they print.
 */
#include <vaccel.h>

#include <inttypes.h>
#include <stdio.h>

static int run(struct vaccel_session *s, struct vaccel_resource *model)
{
	float x[4] = {1, 2, 3, 4};
	int64_t dims[1] = {4};
	struct vaccel_torch_tensor *in = NULL, *out[2] = {0};
	int ret = vaccel_torch_model_load(s, model);
	if (!ret)
		ret = vaccel_torch_tensor_new(&in, 1, dims, VACCEL_TORCH_FLOAT);
	if (!ret)
		ret = vaccel_torch_tensor_set_data(in, x, sizeof(x));
	if (!ret)
		ret = vaccel_torch_model_run(s, model, NULL, &in, 1, out, 2);
	if (!ret) {
		const float *y = out[0]->data, *sum = out[1]->data;
		printf("outputs: %zu and %zu bytes\n", out[0]->size,
		       out[1]->size);
		printf("x + w[0:4] = %.3f %.3f %.3f %.3f\n", y[0], y[1], y[2],
		       y[3]);
		printf("sum(w) = %.1f\n", sum[0]);
	}
	if (in) {
		in->data = NULL;
		vaccel_torch_tensor_delete(in);
	}
	for (int i = 0; i < 2; i++)
		if (out[i])
			vaccel_torch_tensor_delete(out[i]);
	return ret;
}

int main(int argc, char *argv[])
{
	struct vaccel_resource model;
	struct vaccel_session sess;
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: %s MODEL\n", argv[0]);
		return 2;
	}
	if (vaccel_resource_init(&model, argv[1], VACCEL_RESOURCE_MODEL) ||
	    vaccel_session_init(&sess, 0)) {
		fprintf(stderr, "cannot set up the session or the model\n");
		return 1;
	}
	ret = vaccel_resource_register(&model, &sess);
	if (!ret) {
		ret = run(&sess, &model);
		vaccel_resource_unregister(&model, &sess);
	}
	if (ret)
		fprintf(stderr, "model run failed: %d\n", ret);
	vaccel_session_release(&sess);
	vaccel_resource_release(&model);
	return ret ? 1 : 0;
}
