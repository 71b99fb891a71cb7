// SPDX-License-Identifier: Apache-2.0
/*
 * Helpers shared by the TF, TFLite and Torch helper structs and model
 * operations; see model_common.h.
 */
#include "model_common.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/*
 * Argument checks
 */

int model_arg_null(const char *fn, const char *what)
{
	vaccel_error("%s: %s is NULL", fn, what);
	return VACCEL_EINVAL;
}

void *model_zalloc(const char *fn, size_t size)
{
	void *p = calloc(1, size);
	if (!p)
		vaccel_error("%s: out of memory", fn);
	return p;
}

int model_take_data_check(const char *fn, const char *what, const void *obj,
			  void *const *data, const size_t *size)
{
	if (!obj || !data || !size)
		return model_arg_null(fn, !obj	  ? what
					  : !data ? "data"
						  : "size");
	return VACCEL_OK;
}

/* data may be NULL only when size is 0. */
static int check_data(const char *fn, const void *data, size_t size)
{
	if (!data && size) {
		vaccel_error("%s: data is NULL but size is %zu", fn, size);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

/*
 * Buffers
 */

int model_buffer_init_check(const char *fn, const void *buffer,
			    const void *data, size_t size)
{
	if (!buffer)
		return model_arg_null(fn, "buffer");
	return check_data(fn, data, size);
}

/*
 * Tensors
 */

int model_tensor_dims_new(const char *fn, const void *tensor, int64_t nr_dims,
			  const void *dims, size_t dim_size, uint64_t max_dims,
			  void **out)
{
	if (!tensor)
		return model_arg_null(fn, "tensor");
	if (nr_dims < 1) {
		vaccel_error("%s: nr_dims must be >= 1 (got %" PRId64 ")", fn,
			     nr_dims);
		return VACCEL_EINVAL;
	}
	if ((uint64_t)nr_dims > max_dims) {
		vaccel_error("%s: nr_dims %" PRId64 " is too large", fn,
			     nr_dims);
		return VACCEL_EINVAL;
	}

	/* calloc checks nr_dims * dim_size for overflow */
	void *d = calloc((size_t)nr_dims, dim_size);
	if (!d) {
		vaccel_error("%s: out of memory for %" PRId64 " dims", fn,
			     nr_dims);
		return VACCEL_ENOMEM;
	}
	if (dims)
		memcpy(d, dims, (size_t)nr_dims * dim_size);

	*out = d;
	return VACCEL_OK;
}

void model_tensor_clear_data(void **data, size_t *size, bool *owned)
{
	*data = NULL;
	*size = 0;
	*owned = false;
}

void model_tensor_free(void **data, size_t *size, bool *owned, void *dims)
{
	if (*owned)
		free(*data);
	free(dims);
	model_tensor_clear_data(data, size, owned);
}

int model_tensor_alloc_data(const char *fn, void **data, size_t *size,
			    bool *owned, size_t total_size)
{
	if (!total_size)
		return VACCEL_OK;

	void *p = calloc(1, total_size);
	if (!p) {
		vaccel_error("%s: out of memory for %zu bytes", fn, total_size);
		return VACCEL_ENOMEM;
	}

	*data = p;
	*size = total_size;
	*owned = true;
	return VACCEL_OK;
}

int model_tensor_set_data(const char *fn, void **data, size_t *size,
			  bool *owned, void *new_data, size_t new_size)
{
	int ret = check_data(fn, new_data, new_size);
	if (ret)
		return ret;

	/*
	 * Data the tensor owns is freed (it would leak otherwise); setting the
	 * very pointer it owns keeps it owned.
	 */
	if (*owned && *data == new_data) {
		*size = new_size;
		return VACCEL_OK;
	}
	if (*owned)
		free(*data);

	*data = new_data;
	*size = new_size;
	*owned = false;
	return VACCEL_OK;
}

/*
 * Model operations
 */

int model_op_check(const struct model_op *op, const struct vaccel_session *sess,
		   const struct vaccel_resource *model, int nr_inputs,
		   int nr_outputs)
{
	if (!sess || !model) {
		vaccel_error("vaccel_%s: %s is NULL", op->name,
			     !sess ? "session" : "model");
		return VACCEL_EINVAL;
	}
	if (op->run && (nr_inputs < 0 || nr_outputs < 0)) {
		vaccel_error("session %" PRId64 ": %s: negative count "
			     "(nr_inputs=%d, nr_outputs=%d)",
			     sess->id, op->name, nr_inputs, nr_outputs);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

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

int model_op_start(struct model_op_call *call, const struct model_op *op,
		   struct vaccel_session *sess, struct vaccel_resource *model,
		   int nr_inputs, int nr_outputs)
{
	if (op->run)
		vaccel_debug("session %" PRId64 ": %s model %" PRId64
			     " (%d inputs, %d outputs)",
			     sess->id, op->name, model->id, nr_inputs,
			     nr_outputs);
	else
		vaccel_debug("session %" PRId64 ": %s model %" PRId64, sess->id,
			     op->name, model->id);

	int ret = check_model(sess, model, op->name);
	if (ret)
		return ret;

	call->op = op;
	call->prof = vaccel_prof_enabled_flag;
	if (call->prof)
		vaccel_prof_region_start(op->stats);

	call->fn = session_op_func(sess, op->type);
	if (!call->fn) {
		if (call->prof)
			vaccel_prof_region_stop(op->stats);
		return op_unsupported(sess, op->type);
	}
	return VACCEL_OK;
}

int model_op_begin(struct model_op_call *call, const struct model_op *op,
		   struct vaccel_session *sess, struct vaccel_resource *model,
		   const void *inputs, int nr_inputs, const void *outputs,
		   int nr_outputs)
{
	int ret = model_op_check(op, sess, model, nr_inputs, nr_outputs);
	if (ret)
		return ret;
	if (op->run &&
	    ((nr_inputs > 0 && !inputs) || (nr_outputs > 0 && !outputs))) {
		vaccel_error("session %" PRId64
			     ": %s: %s is NULL with a non-zero count",
			     sess->id, op->name,
			     nr_inputs > 0 && !inputs ? "inputs" : "outputs");
		return VACCEL_EINVAL;
	}
	return model_op_start(call, op, sess, model, nr_inputs, nr_outputs);
}

int model_op_end(const struct model_op_call *call, int ret)
{
	if (call->prof)
		vaccel_prof_region_stop(call->op->stats);
	return ret;
}

void model_prof_fini(struct vaccel_prof_region *const *regions, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		vaccel_prof_region_print(regions[i]);
		vaccel_prof_region_release(regions[i]);
	}
}
