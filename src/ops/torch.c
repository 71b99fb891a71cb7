// SPDX-License-Identifier: Apache-2.0
/*
 * PyTorch: helper structs (buffer, tensor) and the model operations, plus the
 * deprecated torch sgemm.
 *
 * Ownership: buffer init/new take ownership of `data` (freed on release);
 * take_data hands it back and clears the buffer. Tensor init copies the dims
 * and holds no data; allocate also callocs owned data; set_data borrows;
 * take_data hands the data (and the duty to free it if it was owned) to the
 * caller. Release frees the dims and owned data.
 */
#include "../internal.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

typedef int (*torch_model_load_fn)(struct vaccel_session *sess,
				   struct vaccel_resource *model);
typedef int (*torch_model_run_fn)(struct vaccel_session *sess,
				  struct vaccel_resource *model,
				  const struct vaccel_torch_buffer *run_options,
				  struct vaccel_torch_tensor *const *inputs,
				  int nr_inputs,
				  struct vaccel_torch_tensor **outputs,
				  int nr_outputs);
typedef int (*torch_sgemm_fn)(struct vaccel_session *sess,
			      struct vaccel_torch_tensor **in_A,
			      struct vaccel_torch_tensor **in_B,
			      struct vaccel_torch_tensor **in_C, int M, int N,
			      int K, struct vaccel_torch_tensor **out);

static struct vaccel_prof_region torch_model_load_op_stats =
	VACCEL_PROF_REGION_INIT("vaccel_torch_model_load_op");
static struct vaccel_prof_region torch_model_run_op_stats =
	VACCEL_PROF_REGION_INIT("vaccel_torch_model_run_op");
static struct vaccel_prof_region torch_sgemm_op_stats =
	VACCEL_PROF_REGION_INIT("vaccel_sgemm_op");

__attribute__((destructor)) static void torch_prof_fini(void)
{
	struct vaccel_prof_region *regions[] = {
		&torch_model_load_op_stats,
		&torch_model_run_op_stats,
		&torch_sgemm_op_stats,
	};

	for (size_t i = 0; i < ARRAY_SIZE(regions); i++) {
		vaccel_prof_region_print(regions[i]);
		vaccel_prof_region_release(regions[i]);
	}
}

/*
 * Buffer
 */

VACCEL_API int vaccel_torch_buffer_init(struct vaccel_torch_buffer *buffer,
					char *data, size_t size)
{
	if (!buffer) {
		vaccel_error("vaccel_torch_buffer_init: buffer is NULL");
		return VACCEL_EINVAL;
	}
	if (!data && size) {
		vaccel_error(
			"vaccel_torch_buffer_init: data is NULL but size is "
			"%zu",
			size);
		return VACCEL_EINVAL;
	}

	buffer->data = data;
	buffer->size = size;
	return VACCEL_OK;
}

VACCEL_API int vaccel_torch_buffer_new(struct vaccel_torch_buffer **buffer,
				       char *data, size_t size)
{
	if (!buffer) {
		vaccel_error("vaccel_torch_buffer_new: buffer is NULL");
		return VACCEL_EINVAL;
	}

	struct vaccel_torch_buffer *b = calloc(1, sizeof(*b));
	if (!b) {
		vaccel_error("vaccel_torch_buffer_new: out of memory");
		return VACCEL_ENOMEM;
	}

	int ret = vaccel_torch_buffer_init(b, data, size);
	if (ret) {
		free(b);
		return ret;
	}

	*buffer = b;
	return VACCEL_OK;
}

VACCEL_API int vaccel_torch_buffer_release(struct vaccel_torch_buffer *buffer)
{
	if (!buffer) {
		vaccel_error("vaccel_torch_buffer_release: buffer is NULL");
		return VACCEL_EINVAL;
	}

	free(buffer->data);
	buffer->data = NULL;
	buffer->size = 0;
	return VACCEL_OK;
}

VACCEL_API int vaccel_torch_buffer_delete(struct vaccel_torch_buffer *buffer)
{
	if (!buffer) {
		vaccel_error("vaccel_torch_buffer_delete: buffer is NULL");
		return VACCEL_EINVAL;
	}

	vaccel_torch_buffer_release(buffer);
	free(buffer);
	return VACCEL_OK;
}

VACCEL_API int vaccel_torch_buffer_take_data(struct vaccel_torch_buffer *buffer,
					     void **data, size_t *size)
{
	if (!buffer || !data || !size) {
		vaccel_error("vaccel_torch_buffer_take_data: %s is NULL",
			     !buffer ? "buffer"
			     : !data ? "data"
				     : "size");
		return VACCEL_EINVAL;
	}

	*data = buffer->data;
	*size = buffer->size;
	buffer->data = NULL;
	buffer->size = 0;
	return VACCEL_OK;
}

/*
 * Tensor
 */

VACCEL_API int vaccel_torch_tensor_init(struct vaccel_torch_tensor *tensor,
					int64_t nr_dims, const int64_t *dims,
					enum vaccel_torch_data_type type)
{
	if (!tensor) {
		vaccel_error("vaccel_torch_tensor_init: tensor is NULL");
		return VACCEL_EINVAL;
	}
	if (nr_dims < 1) {
		vaccel_error("vaccel_torch_tensor_init: nr_dims must be >= 1 "
			     "(got %" PRId64 ")",
			     nr_dims);
		return VACCEL_EINVAL;
	}
	if ((uint64_t)nr_dims > SIZE_MAX / sizeof(int64_t)) {
		vaccel_error("vaccel_torch_tensor_init: nr_dims %" PRId64
			     " is too large",
			     nr_dims);
		return VACCEL_EINVAL;
	}

	int64_t *d = calloc((size_t)nr_dims, sizeof(*d));
	if (!d) {
		vaccel_error("vaccel_torch_tensor_init: out of memory for "
			     "%" PRId64 " dims",
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

VACCEL_API int vaccel_torch_tensor_new(struct vaccel_torch_tensor **tensor,
				       int64_t nr_dims, const int64_t *dims,
				       enum vaccel_torch_data_type type)
{
	if (!tensor) {
		vaccel_error("vaccel_torch_tensor_new: tensor is NULL");
		return VACCEL_EINVAL;
	}

	struct vaccel_torch_tensor *t = calloc(1, sizeof(*t));
	if (!t) {
		vaccel_error("vaccel_torch_tensor_new: out of memory");
		return VACCEL_ENOMEM;
	}

	int ret = vaccel_torch_tensor_init(t, nr_dims, dims, type);
	if (ret) {
		free(t);
		return ret;
	}

	*tensor = t;
	return VACCEL_OK;
}

VACCEL_API int vaccel_torch_tensor_allocate(struct vaccel_torch_tensor **tensor,
					    int64_t nr_dims,
					    const int64_t *dims,
					    enum vaccel_torch_data_type type,
					    size_t total_size)
{
	struct vaccel_torch_tensor *t;

	if (!tensor) {
		vaccel_error("vaccel_torch_tensor_allocate: tensor is NULL");
		return VACCEL_EINVAL;
	}

	int ret = vaccel_torch_tensor_new(&t, nr_dims, dims, type);
	if (ret)
		return ret;

	if (total_size) {
		t->data = calloc(1, total_size);
		if (!t->data) {
			vaccel_error(
				"vaccel_torch_tensor_allocate: out of memory "
				"for %zu bytes",
				total_size);
			vaccel_torch_tensor_delete(t);
			return VACCEL_ENOMEM;
		}
		t->size = total_size;
		t->owned = true;
	}

	*tensor = t;
	return VACCEL_OK;
}

VACCEL_API int vaccel_torch_tensor_release(struct vaccel_torch_tensor *tensor)
{
	if (!tensor) {
		vaccel_error("vaccel_torch_tensor_release: tensor is NULL");
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

VACCEL_API int vaccel_torch_tensor_delete(struct vaccel_torch_tensor *tensor)
{
	if (!tensor) {
		vaccel_error("vaccel_torch_tensor_delete: tensor is NULL");
		return VACCEL_EINVAL;
	}

	vaccel_torch_tensor_release(tensor);
	free(tensor);
	return VACCEL_OK;
}

VACCEL_API int vaccel_torch_tensor_set_data(struct vaccel_torch_tensor *tensor,
					    void *data, size_t size)
{
	if (!tensor) {
		vaccel_error("vaccel_torch_tensor_set_data: tensor is NULL");
		return VACCEL_EINVAL;
	}
	if (!data && size) {
		vaccel_error(
			"vaccel_torch_tensor_set_data: data is NULL but size "
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

VACCEL_API int vaccel_torch_tensor_take_data(struct vaccel_torch_tensor *tensor,
					     void **data, size_t *size)
{
	if (!tensor || !data || !size) {
		vaccel_error("vaccel_torch_tensor_take_data: %s is NULL",
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

VACCEL_API int vaccel_torch_model_load(struct vaccel_session *sess,
				       struct vaccel_resource *model)
{
	if (!sess || !model) {
		vaccel_error("vaccel_torch_model_load: %s is NULL",
			     !sess ? "session" : "model");
		return VACCEL_EINVAL;
	}

	vaccel_debug("session %" PRId64 ": torch_model_load model %" PRId64,
		     sess->id, model->id);

	int ret = check_model(sess, model, "torch_model_load");
	if (ret)
		return ret;

	const bool prof = vaccel_prof_enabled_flag;
	if (prof)
		vaccel_prof_region_start(&torch_model_load_op_stats);

	torch_model_load_fn fn = (torch_model_load_fn)session_op_func(
		sess, VACCEL_OP_TORCH_MODEL_LOAD);
	if (!fn) {
		if (prof)
			vaccel_prof_region_stop(&torch_model_load_op_stats);
		return op_unsupported(sess, VACCEL_OP_TORCH_MODEL_LOAD);
	}

	ret = fn(sess, model);

	if (prof)
		vaccel_prof_region_stop(&torch_model_load_op_stats);
	return ret;
}

VACCEL_API int
vaccel_torch_model_run(struct vaccel_session *sess,
		       struct vaccel_resource *model,
		       const struct vaccel_torch_buffer *run_options,
		       struct vaccel_torch_tensor *const *inputs, int nr_inputs,
		       struct vaccel_torch_tensor **outputs, int nr_outputs)
{
	if (!sess || !model) {
		vaccel_error("vaccel_torch_model_run: %s is NULL",
			     !sess ? "session" : "model");
		return VACCEL_EINVAL;
	}
	if (nr_inputs < 0 || nr_outputs < 0) {
		vaccel_error("session %" PRId64
			     ": torch_model_run: negative count "
			     "(nr_inputs=%d, nr_outputs=%d)",
			     sess->id, nr_inputs, nr_outputs);
		return VACCEL_EINVAL;
	}
	if ((nr_inputs > 0 && !inputs) || (nr_outputs > 0 && !outputs)) {
		vaccel_error("session %" PRId64
			     ": torch_model_run: %s is NULL with "
			     "a non-zero count",
			     sess->id,
			     nr_inputs > 0 && !inputs ? "inputs" : "outputs");
		return VACCEL_EINVAL;
	}

	vaccel_debug("session %" PRId64 ": torch_model_run model %" PRId64
		     " (%d inputs, %d outputs)",
		     sess->id, model->id, nr_inputs, nr_outputs);

	int ret = check_model(sess, model, "torch_model_run");
	if (ret)
		return ret;

	const bool prof = vaccel_prof_enabled_flag;
	if (prof)
		vaccel_prof_region_start(&torch_model_run_op_stats);

	torch_model_run_fn fn = (torch_model_run_fn)session_op_func(
		sess, VACCEL_OP_TORCH_MODEL_RUN);
	if (!fn) {
		if (prof)
			vaccel_prof_region_stop(&torch_model_run_op_stats);
		return op_unsupported(sess, VACCEL_OP_TORCH_MODEL_RUN);
	}

	ret = fn(sess, model, run_options, inputs, nr_inputs, outputs,
		 nr_outputs);

	if (prof)
		vaccel_prof_region_stop(&torch_model_run_op_stats);
	return ret;
}

VACCEL_API int vaccel_torch_sgemm(struct vaccel_session *sess,
				  struct vaccel_torch_tensor **in_A,
				  struct vaccel_torch_tensor **in_B,
				  struct vaccel_torch_tensor **in_C, int M,
				  int N, int K,
				  struct vaccel_torch_tensor **out)
{
	if (!sess) {
		vaccel_error("vaccel_torch_sgemm: session is NULL");
		return VACCEL_EINVAL;
	}

	vaccel_debug("session %" PRId64 ": torch_sgemm M=%d N=%d K=%d",
		     sess->id, M, N, K);

	const bool prof = vaccel_prof_enabled_flag;
	if (prof)
		vaccel_prof_region_start(&torch_sgemm_op_stats);

	torch_sgemm_fn fn =
		(torch_sgemm_fn)session_op_func(sess, VACCEL_OP_TORCH_SGEMM);
	if (!fn) {
		if (prof)
			vaccel_prof_region_stop(&torch_sgemm_op_stats);
		return op_unsupported(sess, VACCEL_OP_TORCH_SGEMM);
	}

	int ret = fn(sess, in_A, in_B, in_C, M, N, K, out);

	if (prof)
		vaccel_prof_region_stop(&torch_sgemm_op_stats);
	return ret;
}
