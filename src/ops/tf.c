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
 */
#include "../internal.h"
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

__attribute__((destructor)) static void tf_prof_fini(void)
{
	struct vaccel_prof_region *regions[] = {
		&tf_model_load_stats,
		&tf_model_unload_stats,
		&tf_model_run_stats,
	};

	for (size_t i = 0; i < ARRAY_SIZE(regions); i++) {
		vaccel_prof_region_print(regions[i]);
		vaccel_prof_region_release(regions[i]);
	}
}

/*
 * Buffer
 */

VACCEL_API int vaccel_tf_buffer_init(struct vaccel_tf_buffer *buffer,
				     void *data, size_t size)
{
	if (!buffer) {
		vaccel_error("vaccel_tf_buffer_init: buffer is NULL");
		return VACCEL_EINVAL;
	}
	if (!data && size) {
		vaccel_error("vaccel_tf_buffer_init: data is NULL but size is "
			     "%zu",
			     size);
		return VACCEL_EINVAL;
	}

	buffer->data = data;
	buffer->size = size;
	return VACCEL_OK;
}

VACCEL_API int vaccel_tf_buffer_new(struct vaccel_tf_buffer **buffer,
				    void *data, size_t size)
{
	if (!buffer) {
		vaccel_error("vaccel_tf_buffer_new: buffer is NULL");
		return VACCEL_EINVAL;
	}

	struct vaccel_tf_buffer *b = calloc(1, sizeof(*b));
	if (!b) {
		vaccel_error("vaccel_tf_buffer_new: out of memory");
		return VACCEL_ENOMEM;
	}

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
	if (!buffer) {
		vaccel_error("vaccel_tf_buffer_release: buffer is NULL");
		return VACCEL_EINVAL;
	}

	free(buffer->data);
	buffer->data = NULL;
	buffer->size = 0;
	return VACCEL_OK;
}

VACCEL_API int vaccel_tf_buffer_delete(struct vaccel_tf_buffer *buffer)
{
	if (!buffer) {
		vaccel_error("vaccel_tf_buffer_delete: buffer is NULL");
		return VACCEL_EINVAL;
	}

	vaccel_tf_buffer_release(buffer);
	free(buffer);
	return VACCEL_OK;
}

VACCEL_API int vaccel_tf_buffer_take_data(struct vaccel_tf_buffer *buffer,
					  void **data, size_t *size)
{
	if (!buffer || !data || !size) {
		vaccel_error("vaccel_tf_buffer_take_data: %s is NULL",
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
 * Node
 */

VACCEL_API int vaccel_tf_node_init(struct vaccel_tf_node *node,
				   const char *name, int id)
{
	if (!node || !name) {
		vaccel_error("vaccel_tf_node_init: %s is NULL",
			     !node ? "node" : "name");
		return VACCEL_EINVAL;
	}

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
	if (!node) {
		vaccel_error("vaccel_tf_node_new: node is NULL");
		return VACCEL_EINVAL;
	}

	struct vaccel_tf_node *n = calloc(1, sizeof(*n));
	if (!n) {
		vaccel_error("vaccel_tf_node_new: out of memory");
		return VACCEL_ENOMEM;
	}

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
	if (!node) {
		vaccel_error("vaccel_tf_node_release: node is NULL");
		return VACCEL_EINVAL;
	}

	free(node->name);
	node->name = NULL;
	node->id = -1;
	return VACCEL_OK;
}

VACCEL_API int vaccel_tf_node_delete(struct vaccel_tf_node *node)
{
	if (!node) {
		vaccel_error("vaccel_tf_node_delete: node is NULL");
		return VACCEL_EINVAL;
	}

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
	if (!tensor) {
		vaccel_error("vaccel_tf_tensor_init: tensor is NULL");
		return VACCEL_EINVAL;
	}
	if (nr_dims < 1) {
		vaccel_error("vaccel_tf_tensor_init: nr_dims must be >= 1 "
			     "(got %d)",
			     nr_dims);
		return VACCEL_EINVAL;
	}

	/* calloc checks nr_dims * sizeof(int64_t) for overflow */
	int64_t *d = calloc((size_t)nr_dims, sizeof(*d));
	if (!d) {
		vaccel_error("vaccel_tf_tensor_init: out of memory for %d dims",
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

VACCEL_API int vaccel_tf_tensor_new(struct vaccel_tf_tensor **tensor,
				    int nr_dims, const int64_t *dims,
				    enum vaccel_tf_data_type type)
{
	if (!tensor) {
		vaccel_error("vaccel_tf_tensor_new: tensor is NULL");
		return VACCEL_EINVAL;
	}

	struct vaccel_tf_tensor *t = calloc(1, sizeof(*t));
	if (!t) {
		vaccel_error("vaccel_tf_tensor_new: out of memory");
		return VACCEL_ENOMEM;
	}

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

	if (!tensor) {
		vaccel_error("vaccel_tf_tensor_allocate: tensor is NULL");
		return VACCEL_EINVAL;
	}

	int ret = vaccel_tf_tensor_new(&t, nr_dims, dims, type);
	if (ret)
		return ret;

	if (total_size) {
		t->data = calloc(1, total_size);
		if (!t->data) {
			vaccel_error("vaccel_tf_tensor_allocate: out of memory "
				     "for %zu bytes",
				     total_size);
			vaccel_tf_tensor_delete(t);
			return VACCEL_ENOMEM;
		}
		t->size = total_size;
		t->owned = true;
	}

	*tensor = t;
	return VACCEL_OK;
}

VACCEL_API int vaccel_tf_tensor_release(struct vaccel_tf_tensor *tensor)
{
	if (!tensor) {
		vaccel_error("vaccel_tf_tensor_release: tensor is NULL");
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

VACCEL_API int vaccel_tf_tensor_delete(struct vaccel_tf_tensor *tensor)
{
	if (!tensor) {
		vaccel_error("vaccel_tf_tensor_delete: tensor is NULL");
		return VACCEL_EINVAL;
	}

	vaccel_tf_tensor_release(tensor);
	free(tensor);
	return VACCEL_OK;
}

VACCEL_API int vaccel_tf_tensor_set_data(struct vaccel_tf_tensor *tensor,
					 void *data, size_t size)
{
	if (!tensor) {
		vaccel_error("vaccel_tf_tensor_set_data: tensor is NULL");
		return VACCEL_EINVAL;
	}
	if (!data && size) {
		vaccel_error("vaccel_tf_tensor_set_data: data is NULL but size "
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

VACCEL_API int vaccel_tf_tensor_take_data(struct vaccel_tf_tensor *tensor,
					  void **data, size_t *size)
{
	if (!tensor || !data || !size) {
		vaccel_error("vaccel_tf_tensor_take_data: %s is NULL",
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
 * Status
 */

VACCEL_API int vaccel_tf_status_init(struct vaccel_tf_status *status,
				     uint8_t code, const char *message)
{
	if (!status || !message) {
		vaccel_error("vaccel_tf_status_init: %s is NULL",
			     !status ? "status" : "message");
		return VACCEL_EINVAL;
	}

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
	if (!status) {
		vaccel_error("vaccel_tf_status_new: status is NULL");
		return VACCEL_EINVAL;
	}

	struct vaccel_tf_status *s = calloc(1, sizeof(*s));
	if (!s) {
		vaccel_error("vaccel_tf_status_new: out of memory");
		return VACCEL_ENOMEM;
	}

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
	if (!status) {
		vaccel_error("vaccel_tf_status_release: status is NULL");
		return VACCEL_EINVAL;
	}

	free(status->message);
	status->message = NULL;
	status->code = 0;
	return VACCEL_OK;
}

VACCEL_API int vaccel_tf_status_delete(struct vaccel_tf_status *status)
{
	if (!status) {
		vaccel_error("vaccel_tf_status_delete: status is NULL");
		return VACCEL_EINVAL;
	}

	vaccel_tf_status_release(status);
	free(status);
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

VACCEL_API int vaccel_tf_model_load(struct vaccel_session *sess,
				    struct vaccel_resource *model,
				    struct vaccel_tf_status *status)
{
	if (!sess || !model) {
		vaccel_error("vaccel_tf_model_load: %s is NULL",
			     !sess ? "session" : "model");
		return VACCEL_EINVAL;
	}

	vaccel_debug("session %" PRId64 ": tf_model_load model %" PRId64,
		     sess->id, model->id);

	int ret = check_model(sess, model, "tf_model_load");
	if (ret)
		return ret;

	const bool prof = vaccel_prof_enabled_flag;
	if (prof)
		vaccel_prof_region_start(&tf_model_load_stats);

	tf_model_load_fn fn = (tf_model_load_fn)session_op_func(
		sess, VACCEL_OP_TF_MODEL_LOAD);
	if (!fn) {
		if (prof)
			vaccel_prof_region_stop(&tf_model_load_stats);
		return op_unsupported(sess, VACCEL_OP_TF_MODEL_LOAD);
	}

	ret = fn(sess, model, status);

	if (prof)
		vaccel_prof_region_stop(&tf_model_load_stats);
	return ret;
}

VACCEL_API int vaccel_tf_model_unload(struct vaccel_session *sess,
				      struct vaccel_resource *model,
				      struct vaccel_tf_status *status)
{
	if (!sess || !model) {
		vaccel_error("vaccel_tf_model_unload: %s is NULL",
			     !sess ? "session" : "model");
		return VACCEL_EINVAL;
	}

	vaccel_debug("session %" PRId64 ": tf_model_unload model %" PRId64,
		     sess->id, model->id);

	int ret = check_model(sess, model, "tf_model_unload");
	if (ret)
		return ret;

	const bool prof = vaccel_prof_enabled_flag;
	if (prof)
		vaccel_prof_region_start(&tf_model_unload_stats);

	tf_model_unload_fn fn = (tf_model_unload_fn)session_op_func(
		sess, VACCEL_OP_TF_MODEL_UNLOAD);
	if (!fn) {
		if (prof)
			vaccel_prof_region_stop(&tf_model_unload_stats);
		return op_unsupported(sess, VACCEL_OP_TF_MODEL_UNLOAD);
	}

	ret = fn(sess, model, status);

	if (prof)
		vaccel_prof_region_stop(&tf_model_unload_stats);
	return ret;
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
	if (!sess || !model) {
		vaccel_error("vaccel_tf_model_run: %s is NULL",
			     !sess ? "session" : "model");
		return VACCEL_EINVAL;
	}
	if (nr_inputs < 0 || nr_outputs < 0) {
		vaccel_error("session %" PRId64 ": tf_model_run: negative "
			     "count (nr_inputs=%d, nr_outputs=%d)",
			     sess->id, nr_inputs, nr_outputs);
		return VACCEL_EINVAL;
	}
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

	vaccel_debug("session %" PRId64 ": tf_model_run model %" PRId64
		     " (%d inputs, %d outputs)",
		     sess->id, model->id, nr_inputs, nr_outputs);

	int ret = check_model(sess, model, "tf_model_run");
	if (ret)
		return ret;

	const bool prof = vaccel_prof_enabled_flag;
	if (prof)
		vaccel_prof_region_start(&tf_model_run_stats);

	tf_model_run_fn fn =
		(tf_model_run_fn)session_op_func(sess, VACCEL_OP_TF_MODEL_RUN);
	if (!fn) {
		if (prof)
			vaccel_prof_region_stop(&tf_model_run_stats);
		return op_unsupported(sess, VACCEL_OP_TF_MODEL_RUN);
	}

	ret = fn(sess, model, run_options, in_nodes, in_tensors, nr_inputs,
		 out_nodes, out_tensors, nr_outputs, status);

	if (prof)
		vaccel_prof_region_stop(&tf_model_run_stats);
	return ret;
}
