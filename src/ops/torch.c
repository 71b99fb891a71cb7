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
 *
 * The checks and logic shared with TF and TFLite live in model_common.c.
 */
#include "model_common.h"
#include <inttypes.h>
#include <stdlib.h>

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

static const struct model_op torch_model_load_op = {
	"torch_model_load", VACCEL_OP_TORCH_MODEL_LOAD,
	&torch_model_load_op_stats, false};
static const struct model_op torch_model_run_op = {
	"torch_model_run", VACCEL_OP_TORCH_MODEL_RUN, &torch_model_run_op_stats,
	true};

__attribute__((destructor)) static void torch_prof_fini(void)
{
	struct vaccel_prof_region *regions[] = {
		&torch_model_load_op_stats,
		&torch_model_run_op_stats,
		&torch_sgemm_op_stats,
	};

	model_prof_fini(regions, ARRAY_SIZE(regions));
}

/*
 * Buffer
 */

VACCEL_API int vaccel_torch_buffer_init(struct vaccel_torch_buffer *buffer,
					char *data, size_t size)
{
	int ret = model_buffer_init_check(__func__, buffer, data, size);
	if (ret)
		return ret;

	buffer->data = data;
	buffer->size = size;
	return VACCEL_OK;
}

VACCEL_API int vaccel_torch_buffer_new(struct vaccel_torch_buffer **buffer,
				       char *data, size_t size)
{
	if (!buffer)
		return model_arg_null(__func__, "buffer");

	struct vaccel_torch_buffer *b = model_zalloc(__func__, sizeof(*b));
	if (!b)
		return VACCEL_ENOMEM;

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
	if (!buffer)
		return model_arg_null(__func__, "buffer");

	free(buffer->data);
	buffer->data = NULL;
	buffer->size = 0;
	return VACCEL_OK;
}

VACCEL_API int vaccel_torch_buffer_delete(struct vaccel_torch_buffer *buffer)
{
	if (!buffer)
		return model_arg_null(__func__, "buffer");

	vaccel_torch_buffer_release(buffer);
	free(buffer);
	return VACCEL_OK;
}

VACCEL_API int vaccel_torch_buffer_take_data(struct vaccel_torch_buffer *buffer,
					     void **data, size_t *size)
{
	int ret = model_take_data_check(__func__, "buffer", buffer, data, size);
	if (ret)
		return ret;

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
	/* A 64-bit count may not fit a size_t allocation: reject it (EINVAL).
	 */
	void *d;
	int ret = model_tensor_dims_new(__func__, tensor, nr_dims, dims,
					sizeof(*dims), SIZE_MAX / sizeof(*dims),
					&d);
	if (ret)
		return ret;

	model_tensor_clear_data(&tensor->data, &tensor->size, &tensor->owned);
	tensor->nr_dims = nr_dims;
	tensor->dims = d;
	tensor->data_type = type;
	return VACCEL_OK;
}

VACCEL_API int vaccel_torch_tensor_new(struct vaccel_torch_tensor **tensor,
				       int64_t nr_dims, const int64_t *dims,
				       enum vaccel_torch_data_type type)
{
	if (!tensor)
		return model_arg_null(__func__, "tensor");

	struct vaccel_torch_tensor *t = model_zalloc(__func__, sizeof(*t));
	if (!t)
		return VACCEL_ENOMEM;

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

	if (!tensor)
		return model_arg_null(__func__, "tensor");

	int ret = vaccel_torch_tensor_new(&t, nr_dims, dims, type);
	if (ret)
		return ret;

	ret = model_tensor_alloc_data(__func__, &t->data, &t->size, &t->owned,
				      total_size);
	if (ret) {
		vaccel_torch_tensor_delete(t);
		return ret;
	}

	*tensor = t;
	return VACCEL_OK;
}

VACCEL_API int vaccel_torch_tensor_release(struct vaccel_torch_tensor *tensor)
{
	if (!tensor)
		return model_arg_null(__func__, "tensor");

	model_tensor_free(&tensor->data, &tensor->size, &tensor->owned,
			  tensor->dims);
	tensor->nr_dims = 0;
	tensor->dims = NULL;
	return VACCEL_OK;
}

VACCEL_API int vaccel_torch_tensor_delete(struct vaccel_torch_tensor *tensor)
{
	if (!tensor)
		return model_arg_null(__func__, "tensor");

	vaccel_torch_tensor_release(tensor);
	free(tensor);
	return VACCEL_OK;
}

VACCEL_API int vaccel_torch_tensor_set_data(struct vaccel_torch_tensor *tensor,
					    void *data, size_t size)
{
	if (!tensor)
		return model_arg_null(__func__, "tensor");

	return model_tensor_set_data(__func__, &tensor->data, &tensor->size,
				     &tensor->owned, data, size);
}

VACCEL_API int vaccel_torch_tensor_take_data(struct vaccel_torch_tensor *tensor,
					     void **data, size_t *size)
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

VACCEL_API int vaccel_torch_model_load(struct vaccel_session *sess,
				       struct vaccel_resource *model)
{
	struct model_op_call call;
	int ret = model_op_begin(&call, &torch_model_load_op, sess, model, NULL,
				 0, NULL, 0);
	if (ret)
		return ret;

	torch_model_load_fn fn = (torch_model_load_fn)call.fn;
	return model_op_end(&call, fn(sess, model));
}

VACCEL_API int
vaccel_torch_model_run(struct vaccel_session *sess,
		       struct vaccel_resource *model,
		       const struct vaccel_torch_buffer *run_options,
		       struct vaccel_torch_tensor *const *inputs, int nr_inputs,
		       struct vaccel_torch_tensor **outputs, int nr_outputs)
{
	struct model_op_call call;
	int ret = model_op_begin(&call, &torch_model_run_op, sess, model,
				 inputs, nr_inputs, outputs, nr_outputs);
	if (ret)
		return ret;

	torch_model_run_fn fn = (torch_model_run_fn)call.fn;
	return model_op_end(&call, fn(sess, model, run_options, inputs,
				      nr_inputs, outputs, nr_outputs));
}

VACCEL_API int vaccel_torch_sgemm(struct vaccel_session *sess,
				  struct vaccel_torch_tensor **in_A,
				  struct vaccel_torch_tensor **in_B,
				  struct vaccel_torch_tensor **in_C, int M,
				  int N, int K,
				  struct vaccel_torch_tensor **out)
{
	if (!sess)
		return model_arg_null(__func__, "session");

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
