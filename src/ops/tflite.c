// SPDX-License-Identifier: Apache-2.0
/*
 * TensorFlow Lite: tensors and the model operations.
 *
 * Ownership: tensor init copies the dims and holds no data; allocate also
 * callocs owned data; set_data borrows; take_data hands the data (and the duty
 * to free it if it was owned) to the caller. Release frees the dims and owned
 * data.
 */
#include "../internal.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

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

__attribute__((destructor)) static void tflite_prof_fini(void)
{
	struct vaccel_prof_region *regions[] = {
		&tflite_model_load_stats,
		&tflite_model_unload_stats,
		&tflite_model_run_stats,
	};

	for (size_t i = 0; i < ARRAY_SIZE(regions); i++) {
		vaccel_prof_region_print(regions[i]);
		vaccel_prof_region_release(regions[i]);
	}
}

/*
 * Tensor
 */

VACCEL_API int vaccel_tflite_tensor_init(struct vaccel_tflite_tensor *tensor,
					 int nr_dims, const int32_t *dims,
					 enum vaccel_tflite_data_type type)
{
	if (!tensor) {
		vaccel_error("vaccel_tflite_tensor_init: tensor is NULL");
		return VACCEL_EINVAL;
	}
	if (nr_dims < 1) {
		vaccel_error("vaccel_tflite_tensor_init: nr_dims must be >= 1 "
			     "(got %d)",
			     nr_dims);
		return VACCEL_EINVAL;
	}

	/* calloc checks nr_dims * sizeof(int64_t) for overflow */
	int32_t *d = calloc((size_t)nr_dims, sizeof(*d));
	if (!d) {
		vaccel_error(
			"vaccel_tflite_tensor_init: out of memory for %d dims",
			nr_dims);
		return VACCEL_ENOMEM;
	}
	if (dims)
		memcpy(d, dims, (size_t)nr_dims * sizeof(*d));

	tensor->data = NULL;
	tensor->size = 0;
	tensor->owned = false;
	tensor->nr_dims = nr_dims;
	tensor->dims = d;
	tensor->data_type = type;
	return VACCEL_OK;
}

VACCEL_API int vaccel_tflite_tensor_new(struct vaccel_tflite_tensor **tensor,
					int nr_dims, const int32_t *dims,
					enum vaccel_tflite_data_type type)
{
	if (!tensor) {
		vaccel_error("vaccel_tflite_tensor_new: tensor is NULL");
		return VACCEL_EINVAL;
	}

	struct vaccel_tflite_tensor *t = calloc(1, sizeof(*t));
	if (!t) {
		vaccel_error("vaccel_tflite_tensor_new: out of memory");
		return VACCEL_ENOMEM;
	}

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

	if (!tensor) {
		vaccel_error("vaccel_tflite_tensor_allocate: tensor is NULL");
		return VACCEL_EINVAL;
	}

	int ret = vaccel_tflite_tensor_new(&t, nr_dims, dims, type);
	if (ret)
		return ret;

	if (total_size) {
		t->data = calloc(1, total_size);
		if (!t->data) {
			vaccel_error(
				"vaccel_tflite_tensor_allocate: out of memory "
				"for %zu bytes",
				total_size);
			vaccel_tflite_tensor_delete(t);
			return VACCEL_ENOMEM;
		}
		t->size = total_size;
		t->owned = true;
	}

	*tensor = t;
	return VACCEL_OK;
}

VACCEL_API int vaccel_tflite_tensor_release(struct vaccel_tflite_tensor *tensor)
{
	if (!tensor) {
		vaccel_error("vaccel_tflite_tensor_release: tensor is NULL");
		return VACCEL_EINVAL;
	}

	if (tensor->owned)
		free(tensor->data);
	free(tensor->dims);
	tensor->data = NULL;
	tensor->size = 0;
	tensor->owned = false;
	tensor->nr_dims = 0;
	tensor->dims = NULL;
	return VACCEL_OK;
}

VACCEL_API int vaccel_tflite_tensor_delete(struct vaccel_tflite_tensor *tensor)
{
	if (!tensor) {
		vaccel_error("vaccel_tflite_tensor_delete: tensor is NULL");
		return VACCEL_EINVAL;
	}

	vaccel_tflite_tensor_release(tensor);
	free(tensor);
	return VACCEL_OK;
}

VACCEL_API int
vaccel_tflite_tensor_set_data(struct vaccel_tflite_tensor *tensor, void *data,
			      size_t size)
{
	if (!tensor) {
		vaccel_error("vaccel_tflite_tensor_set_data: tensor is NULL");
		return VACCEL_EINVAL;
	}
	if (!data && size) {
		vaccel_error(
			"vaccel_tflite_tensor_set_data: data is NULL but size "
			"is %zu",
			size);
		return VACCEL_EINVAL;
	}

	/*
	 * Data the tensor owns is freed (it would leak otherwise); setting the
	 * very pointer it owns keeps it owned.
	 */
	if (tensor->owned && tensor->data == data) {
		tensor->size = size;
		return VACCEL_OK;
	}
	if (tensor->owned)
		free(tensor->data);

	tensor->data = data;
	tensor->size = size;
	tensor->owned = false;
	return VACCEL_OK;
}

VACCEL_API int
vaccel_tflite_tensor_take_data(struct vaccel_tflite_tensor *tensor, void **data,
			       size_t *size)
{
	if (!tensor || !data || !size) {
		vaccel_error("vaccel_tflite_tensor_take_data: %s is NULL",
			     !tensor ? "tensor"
			     : !data ? "data"
				     : "size");
		return VACCEL_EINVAL;
	}

	*data = tensor->data;
	*size = tensor->size;
	tensor->data = NULL;
	tensor->size = 0;
	tensor->owned = false;
	return VACCEL_OK;
}

/*
 * Model operations
 */

/* The model must be a MODEL resource registered with the session. */
static int check_model(struct vaccel_session *sess,
		       struct vaccel_resource *model, const char *op)
{
	if (model->type != VACCEL_RESOURCE_MODEL) {
		vaccel_error("session %" PRId64 ": %s: resource %" PRId64
			     " is %s, not VACCEL_RESOURCE_MODEL",
			     sess->id, op, model->id,
			     vaccel_resource_type_to_str(model->type));
		return VACCEL_EINVAL;
	}
	if (!vaccel_session_has_resource(sess, model)) {
		vaccel_error("session %" PRId64 ": %s: resource %" PRId64
			     " is not registered with the session",
			     sess->id, op, model->id);
		return VACCEL_EPERM;
	}
	return VACCEL_OK;
}

VACCEL_API int vaccel_tflite_model_load(struct vaccel_session *sess,
					struct vaccel_resource *model)
{
	if (!sess || !model) {
		vaccel_error("vaccel_tflite_model_load: %s is NULL",
			     !sess ? "session" : "model");
		return VACCEL_EINVAL;
	}

	vaccel_debug("session %" PRId64 ": tflite_model_load model %" PRId64,
		     sess->id, model->id);

	int ret = check_model(sess, model, "tflite_model_load");
	if (ret)
		return ret;

	const bool prof = vaccel_prof_enabled_flag;
	if (prof)
		vaccel_prof_region_start(&tflite_model_load_stats);

	tflite_model_load_fn fn = (tflite_model_load_fn)session_op_func(
		sess, VACCEL_OP_TFLITE_MODEL_LOAD);
	if (!fn) {
		if (prof)
			vaccel_prof_region_stop(&tflite_model_load_stats);
		return op_unsupported(sess, VACCEL_OP_TFLITE_MODEL_LOAD);
	}

	ret = fn(sess, model);

	if (prof)
		vaccel_prof_region_stop(&tflite_model_load_stats);
	return ret;
}

VACCEL_API int vaccel_tflite_model_unload(struct vaccel_session *sess,
					  struct vaccel_resource *model)
{
	if (!sess || !model) {
		vaccel_error("vaccel_tflite_model_unload: %s is NULL",
			     !sess ? "session" : "model");
		return VACCEL_EINVAL;
	}

	vaccel_debug("session %" PRId64 ": tflite_model_unload model %" PRId64,
		     sess->id, model->id);

	int ret = check_model(sess, model, "tflite_model_unload");
	if (ret)
		return ret;

	const bool prof = vaccel_prof_enabled_flag;
	if (prof)
		vaccel_prof_region_start(&tflite_model_unload_stats);

	tflite_model_unload_fn fn = (tflite_model_unload_fn)session_op_func(
		sess, VACCEL_OP_TFLITE_MODEL_UNLOAD);
	if (!fn) {
		if (prof)
			vaccel_prof_region_stop(&tflite_model_unload_stats);
		return op_unsupported(sess, VACCEL_OP_TFLITE_MODEL_UNLOAD);
	}

	ret = fn(sess, model);

	if (prof)
		vaccel_prof_region_stop(&tflite_model_unload_stats);
	return ret;
}

VACCEL_API int vaccel_tflite_model_run(
	struct vaccel_session *sess, struct vaccel_resource *model,
	struct vaccel_tflite_tensor *const *inputs, int nr_inputs,
	struct vaccel_tflite_tensor **outputs, int nr_outputs, uint8_t *status)
{
	if (!sess || !model) {
		vaccel_error("vaccel_tflite_model_run: %s is NULL",
			     !sess ? "session" : "model");
		return VACCEL_EINVAL;
	}
	if (nr_inputs < 0 || nr_outputs < 0) {
		vaccel_error("session %" PRId64
			     ": tflite_model_run: negative count "
			     "(nr_inputs=%d, nr_outputs=%d)",
			     sess->id, nr_inputs, nr_outputs);
		return VACCEL_EINVAL;
	}
	if ((nr_inputs > 0 && !inputs) || (nr_outputs > 0 && !outputs)) {
		vaccel_error("session %" PRId64
			     ": tflite_model_run: %s is NULL with "
			     "a non-zero count",
			     sess->id,
			     nr_inputs > 0 && !inputs ? "inputs" : "outputs");
		return VACCEL_EINVAL;
	}

	vaccel_debug("session %" PRId64 ": tflite_model_run model %" PRId64
		     " (%d inputs, %d outputs)",
		     sess->id, model->id, nr_inputs, nr_outputs);

	int ret = check_model(sess, model, "tflite_model_run");
	if (ret)
		return ret;

	const bool prof = vaccel_prof_enabled_flag;
	if (prof)
		vaccel_prof_region_start(&tflite_model_run_stats);

	tflite_model_run_fn fn = (tflite_model_run_fn)session_op_func(
		sess, VACCEL_OP_TFLITE_MODEL_RUN);
	if (!fn) {
		if (prof)
			vaccel_prof_region_stop(&tflite_model_run_stats);
		return op_unsupported(sess, VACCEL_OP_TFLITE_MODEL_RUN);
	}

	ret = fn(sess, model, inputs, nr_inputs, outputs, nr_outputs, status);

	if (prof)
		vaccel_prof_region_stop(&tflite_model_run_stats);
	return ret;
}
