// SPDX-License-Identifier: Apache-2.0
/*
 * TensorFlow: helper structs (buffer, node, tensor, status) and the model
 * operations.
 *
 * Ownership: buffer init/new take ownership of `data` (freed on release);
 * take_data hands it back and clears the buffer. Tensor init copies the dims
 * and holds no data; allocate also callocs owned data; set_data borrows;
 * take_data hands the data (and the duty to free it if it was owned) to the
 * caller. Release frees the dims and owned data.
 *
 * The checks and logic shared with TFLite and Torch live in model_common.c.
 */
#include "model_common.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

typedef int (*tf_model_load_fn)(struct vaccel_session *sess,
				struct vaccel_resource *model,
				struct vaccel_tf_status *status);
typedef int (*tf_model_unload_fn)(struct vaccel_session *sess,
				  struct vaccel_resource *model,
				  struct vaccel_tf_status *status);
typedef int (*tf_model_run_fn)(struct vaccel_session *sess,
			       struct vaccel_resource *model,
			       const struct vaccel_tf_buffer *run_options,
			       const struct vaccel_tf_node *in_nodes,
			       struct vaccel_tf_tensor *const *in_tensors,
			       int nr_inputs,
			       const struct vaccel_tf_node *out_nodes,
			       struct vaccel_tf_tensor **out_tensors,
			       int nr_outputs, struct vaccel_tf_status *status);

static struct vaccel_prof_region tf_model_load_stats =
	VACCEL_PROF_REGION_INIT("vaccel_tf_model_load");
static struct vaccel_prof_region tf_model_unload_stats =
	VACCEL_PROF_REGION_INIT("vaccel_tf_model_unload");
static struct vaccel_prof_region tf_model_run_stats =
	VACCEL_PROF_REGION_INIT("vaccel_tf_model_run");

static const struct model_op tf_model_load_op = {
	"tf_model_load", VACCEL_OP_TF_MODEL_LOAD, &tf_model_load_stats, false};
static const struct model_op tf_model_unload_op = {
	"tf_model_unload", VACCEL_OP_TF_MODEL_UNLOAD, &tf_model_unload_stats,
	false};
static const struct model_op tf_model_run_op = {
	"tf_model_run", VACCEL_OP_TF_MODEL_RUN, &tf_model_run_stats, true};

__attribute__((destructor)) static void tf_prof_fini(void)
{
	struct vaccel_prof_region *regions[] = {
		&tf_model_load_stats,
		&tf_model_unload_stats,
		&tf_model_run_stats,
	};

	model_prof_fini(regions, ARRAY_SIZE(regions));
}

/*
 * Buffer
 */

VACCEL_API int vaccel_tf_buffer_init(struct vaccel_tf_buffer *buffer,
				     void *data, size_t size)
{
	int ret = model_buffer_init_check(__func__, buffer, data, size);
	if (ret)
		return ret;

	buffer->data = data;
	buffer->size = size;
	return VACCEL_OK;
}

VACCEL_API int vaccel_tf_buffer_new(struct vaccel_tf_buffer **buffer,
				    void *data, size_t size)
{
	if (!buffer)
		return model_arg_null(__func__, "buffer");

	struct vaccel_tf_buffer *b = model_zalloc(__func__, sizeof(*b));
	if (!b)
		return VACCEL_ENOMEM;

	int ret = vaccel_tf_buffer_init(b, data, size);
	if (ret) {
		free(b);
		return ret;
	}

	*buffer = b;
	return VACCEL_OK;
}

VACCEL_API int vaccel_tf_buffer_release(struct vaccel_tf_buffer *buffer)
{
	if (!buffer)
		return model_arg_null(__func__, "buffer");

	free(buffer->data);
	buffer->data = NULL;
	buffer->size = 0;
	return VACCEL_OK;
}

VACCEL_API int vaccel_tf_buffer_delete(struct vaccel_tf_buffer *buffer)
{
	if (!buffer)
		return model_arg_null(__func__, "buffer");

	vaccel_tf_buffer_release(buffer);
	free(buffer);
	return VACCEL_OK;
}

VACCEL_API int vaccel_tf_buffer_take_data(struct vaccel_tf_buffer *buffer,
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
 * Node
 */

VACCEL_API int vaccel_tf_node_init(struct vaccel_tf_node *node,
				   const char *name, int id)
{
	if (!node || !name)
		return model_arg_null(__func__, !node ? "node" : "name");

	char *n = strdup(name);
	if (!n) {
		vaccel_error("vaccel_tf_node_init: out of memory");
		return VACCEL_ENOMEM;
	}

	node->name = n;
	node->id = id;
	return VACCEL_OK;
}

VACCEL_API int vaccel_tf_node_new(struct vaccel_tf_node **node,
				  const char *name, int id)
{
	if (!node)
		return model_arg_null(__func__, "node");

	struct vaccel_tf_node *n = model_zalloc(__func__, sizeof(*n));
	if (!n)
		return VACCEL_ENOMEM;

	int ret = vaccel_tf_node_init(n, name, id);
	if (ret) {
		free(n);
		return ret;
	}

	*node = n;
	return VACCEL_OK;
}

VACCEL_API int vaccel_tf_node_release(struct vaccel_tf_node *node)
{
	if (!node)
		return model_arg_null(__func__, "node");

	free(node->name);
	node->name = NULL;
	node->id = -1;
	return VACCEL_OK;
}

VACCEL_API int vaccel_tf_node_delete(struct vaccel_tf_node *node)
{
	if (!node)
		return model_arg_null(__func__, "node");

	vaccel_tf_node_release(node);
	free(node);
	return VACCEL_OK;
}

/*
 * Tensor
 */

VACCEL_API int vaccel_tf_tensor_init(struct vaccel_tf_tensor *tensor,
				     int nr_dims, const int64_t *dims,
				     enum vaccel_tf_data_type type)
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

VACCEL_API int vaccel_tf_tensor_new(struct vaccel_tf_tensor **tensor,
				    int nr_dims, const int64_t *dims,
				    enum vaccel_tf_data_type type)
{
	if (!tensor)
		return model_arg_null(__func__, "tensor");

	struct vaccel_tf_tensor *t = model_zalloc(__func__, sizeof(*t));
	if (!t)
		return VACCEL_ENOMEM;

	int ret = vaccel_tf_tensor_init(t, nr_dims, dims, type);
	if (ret) {
		free(t);
		return ret;
	}

	*tensor = t;
	return VACCEL_OK;
}

VACCEL_API int vaccel_tf_tensor_allocate(struct vaccel_tf_tensor **tensor,
					 int nr_dims, const int64_t *dims,
					 enum vaccel_tf_data_type type,
					 size_t total_size)
{
	struct vaccel_tf_tensor *t;

	if (!tensor)
		return model_arg_null(__func__, "tensor");

	int ret = vaccel_tf_tensor_new(&t, nr_dims, dims, type);
	if (ret)
		return ret;

	ret = model_tensor_alloc_data(__func__, &t->data, &t->size, &t->owned,
				      total_size);
	if (ret) {
		vaccel_tf_tensor_delete(t);
		return ret;
	}

	*tensor = t;
	return VACCEL_OK;
}

VACCEL_API int vaccel_tf_tensor_release(struct vaccel_tf_tensor *tensor)
{
	if (!tensor)
		return model_arg_null(__func__, "tensor");

	model_tensor_free(&tensor->data, &tensor->size, &tensor->owned,
			  tensor->dims);
	tensor->nr_dims = 0;
	tensor->dims = NULL;
	return VACCEL_OK;
}

VACCEL_API int vaccel_tf_tensor_delete(struct vaccel_tf_tensor *tensor)
{
	if (!tensor)
		return model_arg_null(__func__, "tensor");

	vaccel_tf_tensor_release(tensor);
	free(tensor);
	return VACCEL_OK;
}

VACCEL_API int vaccel_tf_tensor_set_data(struct vaccel_tf_tensor *tensor,
					 void *data, size_t size)
{
	if (!tensor)
		return model_arg_null(__func__, "tensor");

	return model_tensor_set_data(__func__, &tensor->data, &tensor->size,
				     &tensor->owned, data, size);
}

VACCEL_API int vaccel_tf_tensor_take_data(struct vaccel_tf_tensor *tensor,
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
 * Status
 */

VACCEL_API int vaccel_tf_status_init(struct vaccel_tf_status *status,
				     uint8_t code, const char *message)
{
	if (!status || !message)
		return model_arg_null(__func__, !status ? "status" : "message");

	char *m = strdup(message);
	if (!m) {
		vaccel_error("vaccel_tf_status_init: out of memory");
		return VACCEL_ENOMEM;
	}

	status->code = code;
	status->message = m;
	return VACCEL_OK;
}

VACCEL_API int vaccel_tf_status_new(struct vaccel_tf_status **status,
				    uint8_t code, const char *message)
{
	if (!status)
		return model_arg_null(__func__, "status");

	struct vaccel_tf_status *s = model_zalloc(__func__, sizeof(*s));
	if (!s)
		return VACCEL_ENOMEM;

	int ret = vaccel_tf_status_init(s, code, message);
	if (ret) {
		free(s);
		return ret;
	}

	*status = s;
	return VACCEL_OK;
}

VACCEL_API int vaccel_tf_status_release(struct vaccel_tf_status *status)
{
	if (!status)
		return model_arg_null(__func__, "status");

	free(status->message);
	status->message = NULL;
	status->code = 0;
	return VACCEL_OK;
}

VACCEL_API int vaccel_tf_status_delete(struct vaccel_tf_status *status)
{
	if (!status)
		return model_arg_null(__func__, "status");

	vaccel_tf_status_release(status);
	free(status);
	return VACCEL_OK;
}

/*
 * Model operations
 */

VACCEL_API int vaccel_tf_model_load(struct vaccel_session *sess,
				    struct vaccel_resource *model,
				    struct vaccel_tf_status *status)
{
	struct model_op_call call;
	int ret = model_op_begin(&call, &tf_model_load_op, sess, model, NULL, 0,
				 NULL, 0);
	if (ret)
		return ret;

	tf_model_load_fn fn = (tf_model_load_fn)call.fn;
	return model_op_end(&call, fn(sess, model, status));
}

VACCEL_API int vaccel_tf_model_unload(struct vaccel_session *sess,
				      struct vaccel_resource *model,
				      struct vaccel_tf_status *status)
{
	struct model_op_call call;
	int ret = model_op_begin(&call, &tf_model_unload_op, sess, model, NULL,
				 0, NULL, 0);
	if (ret)
		return ret;

	tf_model_unload_fn fn = (tf_model_unload_fn)call.fn;
	return model_op_end(&call, fn(sess, model, status));
}

/* TF names every input and output: in_nodes / out_nodes come with them. */
static int tf_check_io(const struct vaccel_session *sess,
		       const struct vaccel_tf_node *in_nodes,
		       struct vaccel_tf_tensor *const *in_tensors,
		       int nr_inputs, const struct vaccel_tf_node *out_nodes,
		       struct vaccel_tf_tensor **out_tensors, int nr_outputs)
{
	if (nr_inputs > 0 && (!in_nodes || !in_tensors)) {
		vaccel_error("session %" PRId64 ": tf_model_run: %s is NULL "
			     "with %d inputs",
			     sess->id, !in_nodes ? "in_nodes" : "in_tensors",
			     nr_inputs);
		return VACCEL_EINVAL;
	}
	if (nr_outputs > 0 && (!out_nodes || !out_tensors)) {
		vaccel_error("session %" PRId64 ": tf_model_run: %s is NULL "
			     "with %d outputs",
			     sess->id, !out_nodes ? "out_nodes" : "out_tensors",
			     nr_outputs);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

VACCEL_API int
vaccel_tf_model_run(struct vaccel_session *sess, struct vaccel_resource *model,
		    const struct vaccel_tf_buffer *run_options,
		    const struct vaccel_tf_node *in_nodes,
		    struct vaccel_tf_tensor *const *in_tensors, int nr_inputs,
		    const struct vaccel_tf_node *out_nodes,
		    struct vaccel_tf_tensor **out_tensors, int nr_outputs,
		    struct vaccel_tf_status *status)
{
	struct model_op_call call;
	int ret = model_op_check(&tf_model_run_op, sess, model, nr_inputs,
				 nr_outputs);
	if (!ret)
		ret = tf_check_io(sess, in_nodes, in_tensors, nr_inputs,
				  out_nodes, out_tensors, nr_outputs);
	if (!ret)
		ret = model_op_start(&call, &tf_model_run_op, sess, model,
				     nr_inputs, nr_outputs);
	if (ret)
		return ret;

	tf_model_run_fn fn = (tf_model_run_fn)call.fn;
	return model_op_end(&call, fn(sess, model, run_options, in_nodes,
				      in_tensors, nr_inputs, out_nodes,
				      out_tensors, nr_outputs, status));
}
