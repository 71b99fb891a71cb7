// SPDX-License-Identifier: Apache-2.0
/*
 * TensorFlow Lite: tensors and the model operations.
 *
 * Ownership: tensor init copies the dims and holds no data; allocate also
 * callocs owned data; set_data borrows; take_data hands the data (and the duty
 * to free it if it was owned) to the caller. Release frees the dims and owned
 * data.
 *
 * The checks and logic shared with TF and Torch live in model_common.c.
 */
#include "model_common.h"
#include <stdlib.h>

typedef int (*tflite_model_load_fn)(struct vaccel_session *sess,
				    struct vaccel_resource *model);
typedef int (*tflite_model_unload_fn)(struct vaccel_session *sess,
				      struct vaccel_resource *model);
typedef int (*tflite_model_run_fn)(struct vaccel_session *sess,
				   struct vaccel_resource *model,
				   struct vaccel_tflite_tensor *const *inputs,
				   int nr_inputs,
				   struct vaccel_tflite_tensor **outputs,
				   int nr_outputs, uint8_t *status);

static struct vaccel_prof_region tflite_model_load_stats =
	VACCEL_PROF_REGION_INIT("vaccel_tflite_model_load");
static struct vaccel_prof_region tflite_model_unload_stats =
	VACCEL_PROF_REGION_INIT("vaccel_tflite_model_unload");
static struct vaccel_prof_region tflite_model_run_stats =
	VACCEL_PROF_REGION_INIT("vaccel_tflite_model_run");

static const struct model_op tflite_model_load_op = {
	"tflite_model_load", VACCEL_OP_TFLITE_MODEL_LOAD,
	&tflite_model_load_stats, false};
static const struct model_op tflite_model_unload_op = {
	"tflite_model_unload", VACCEL_OP_TFLITE_MODEL_UNLOAD,
	&tflite_model_unload_stats, false};
static const struct model_op tflite_model_run_op = {
	"tflite_model_run", VACCEL_OP_TFLITE_MODEL_RUN, &tflite_model_run_stats,
	true};

__attribute__((destructor)) static void tflite_prof_fini(void)
{
	struct vaccel_prof_region *regions[] = {
		&tflite_model_load_stats,
		&tflite_model_unload_stats,
		&tflite_model_run_stats,
	};

	model_prof_fini(regions, ARRAY_SIZE(regions));
}

/*
 * Tensor
 */

VACCEL_API int vaccel_tflite_tensor_init(struct vaccel_tflite_tensor *tensor,
					 int nr_dims, const int32_t *dims,
					 enum vaccel_tflite_data_type type)
{
	void *d;
	int ret = model_tensor_dims_new(__func__, tensor, nr_dims, dims,
					sizeof(*dims), MODEL_DIMS_NO_LIMIT, &d);
	if (ret)
		return ret;

	model_tensor_clear_data(&tensor->data, &tensor->size, &tensor->owned);
	tensor->nr_dims = nr_dims;
	tensor->dims = d;
	tensor->data_type = type;
	return VACCEL_OK;
}

VACCEL_API int vaccel_tflite_tensor_new(struct vaccel_tflite_tensor **tensor,
					int nr_dims, const int32_t *dims,
					enum vaccel_tflite_data_type type)
{
	if (!tensor)
		return model_arg_null(__func__, "tensor");

	struct vaccel_tflite_tensor *t = model_zalloc(__func__, sizeof(*t));
	if (!t)
		return VACCEL_ENOMEM;

	int ret = vaccel_tflite_tensor_init(t, nr_dims, dims, type);
	if (ret) {
		free(t);
		return ret;
	}

	*tensor = t;
	return VACCEL_OK;
}

VACCEL_API int vaccel_tflite_tensor_allocate(
	struct vaccel_tflite_tensor **tensor, int nr_dims, const int32_t *dims,
	enum vaccel_tflite_data_type type, size_t total_size)
{
	struct vaccel_tflite_tensor *t;

	if (!tensor)
		return model_arg_null(__func__, "tensor");

	int ret = vaccel_tflite_tensor_new(&t, nr_dims, dims, type);
	if (ret)
		return ret;

	ret = model_tensor_alloc_data(__func__, &t->data, &t->size, &t->owned,
				      total_size);
	if (ret) {
		vaccel_tflite_tensor_delete(t);
		return ret;
	}

	*tensor = t;
	return VACCEL_OK;
}

VACCEL_API int vaccel_tflite_tensor_release(struct vaccel_tflite_tensor *tensor)
{
	if (!tensor)
		return model_arg_null(__func__, "tensor");

	model_tensor_free(&tensor->data, &tensor->size, &tensor->owned,
			  tensor->dims);
	tensor->nr_dims = 0;
	tensor->dims = NULL;
	return VACCEL_OK;
}

VACCEL_API int vaccel_tflite_tensor_delete(struct vaccel_tflite_tensor *tensor)
{
	if (!tensor)
		return model_arg_null(__func__, "tensor");

	vaccel_tflite_tensor_release(tensor);
	free(tensor);
	return VACCEL_OK;
}

VACCEL_API int
vaccel_tflite_tensor_set_data(struct vaccel_tflite_tensor *tensor, void *data,
			      size_t size)
{
	if (!tensor)
		return model_arg_null(__func__, "tensor");

	return model_tensor_set_data(__func__, &tensor->data, &tensor->size,
				     &tensor->owned, data, size);
}

VACCEL_API int
vaccel_tflite_tensor_take_data(struct vaccel_tflite_tensor *tensor, void **data,
			       size_t *size)
{
	int ret = model_take_data_check(__func__, "tensor", tensor, data, size);
	if (ret)
		return ret;

	*data = tensor->data;
	*size = tensor->size;
	model_tensor_clear_data(&tensor->data, &tensor->size, &tensor->owned);
	return VACCEL_OK;
}

/*
 * Model operations
 */

VACCEL_API int vaccel_tflite_model_load(struct vaccel_session *sess,
					struct vaccel_resource *model)
{
	struct model_op_call call;
	int ret = model_op_begin(&call, &tflite_model_load_op, sess, model,
				 NULL, 0, NULL, 0);
	if (ret)
		return ret;

	tflite_model_load_fn fn = (tflite_model_load_fn)call.fn;
	return model_op_end(&call, fn(sess, model));
}

VACCEL_API int vaccel_tflite_model_unload(struct vaccel_session *sess,
					  struct vaccel_resource *model)
{
	struct model_op_call call;
	int ret = model_op_begin(&call, &tflite_model_unload_op, sess, model,
				 NULL, 0, NULL, 0);
	if (ret)
		return ret;

	tflite_model_unload_fn fn = (tflite_model_unload_fn)call.fn;
	return model_op_end(&call, fn(sess, model));
}

VACCEL_API int vaccel_tflite_model_run(
	struct vaccel_session *sess, struct vaccel_resource *model,
	struct vaccel_tflite_tensor *const *inputs, int nr_inputs,
	struct vaccel_tflite_tensor **outputs, int nr_outputs, uint8_t *status)
{
	struct model_op_call call;
	int ret = model_op_begin(&call, &tflite_model_run_op, sess, model,
				 inputs, nr_inputs, outputs, nr_outputs);
	if (ret)
		return ret;

	tflite_model_run_fn fn = (tflite_model_run_fn)call.fn;
	return model_op_end(&call, fn(sess, model, inputs, nr_inputs, outputs,
				      nr_outputs, status));
}
