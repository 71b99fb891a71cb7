// SPDX-License-Identifier: Apache-2.0
/*
 * Upstream-style program: the torch API as upstream's programs use it.
 * Loads MODEL (a TorchScript file of one float input, e.g. the torch
 * suite's affine.pt: x * w + b over 4 columns), runs it on a 2 x 4 float
 * tensor and prints the output tensor.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <vaccel.h>

int main(int argc, char **argv)
{
	struct vaccel_session sess;
	struct vaccel_resource model;
	struct vaccel_torch_tensor *in = NULL;
	struct vaccel_torch_tensor *out = NULL;
	float data[8] = {1, 2, 3, 4, -1, -2, -3, -4};
	int64_t dims[2] = {2, 4};
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: %s MODEL\n", argv[0]);
		return 1;
	}
	ret = vaccel_resource_init(&model, argv[1], VACCEL_RESOURCE_MODEL);
	if (ret != VACCEL_OK) {
		fprintf(stderr, "Could not create model resource: %d\n", ret);
		return 1;
	}
	ret = vaccel_session_init(&sess, 0);
	if (ret != VACCEL_OK) {
		fprintf(stderr, "Could not initialize session: %d\n", ret);
		return 1;
	}
	ret = vaccel_resource_register(&model, &sess);
	if (ret == VACCEL_OK)
		ret = vaccel_torch_model_load(&sess, &model);
	if (ret == VACCEL_OK)
		ret = vaccel_torch_tensor_new(&in, 2, dims, VACCEL_TORCH_FLOAT);
	if (ret == VACCEL_OK)
		ret = vaccel_torch_tensor_set_data(in, data, sizeof(data));
	if (ret == VACCEL_OK)
		ret = vaccel_torch_model_run(&sess, &model, NULL, &in, 1, &out,
					     1);
	if (ret != VACCEL_OK) {
		fprintf(stderr, "Could not run the model: %d\n", ret);
	} else {
		const float *y = out->data;
		printf("Output tensor => type:%d nr_dims:%" PRId64
		       " size:%zuB\n",
		       (int)out->data_type, out->nr_dims, out->size);
		for (size_t i = 0; i < out->size / sizeof(float); i++)
			printf("out[%zu] = %.4f\n", i, y[i]);
		vaccel_torch_tensor_delete(out);
	}
	if (in) {
		void *d;
		size_t n;
		vaccel_torch_tensor_take_data(in, &d, &n); /* ours, not owned */
		vaccel_torch_tensor_delete(in);
	}
	vaccel_resource_unregister(&model, &sess);
	vaccel_session_release(&sess);
	vaccel_resource_release(&model);
	return ret == VACCEL_OK ? 0 : 1;
}
