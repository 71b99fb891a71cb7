// SPDX-License-Identifier: Apache-2.0
/*
 * Helpers shared by the TF, TFLite and Torch helper structs and model
 * operations (src/ops/tf.c, tflite.c, torch.c). Not installed.
 *
 * The public structs differ in field types (torch buffers hold `char *`,
 * tensors hold `int` or `int64_t` dims counts and `int32_t` or `int64_t`
 * dims), so these helpers take the struct only as an opaque pointer for NULL
 * checks and otherwise work on pointers to the fields that have the same type
 * in every struct (tensor data, size, owned) or on plain values; each public
 * function stays a thin wrapper that stores its own typed fields.
 *
 * `fn` is the public function's name (pass __func__): every error is logged
 * as one line "<fn>: ...".
 */
#ifndef VACCEL_OPS_MODEL_COMMON_H
#define VACCEL_OPS_MODEL_COMMON_H

#include "../internal.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Argument checks
 */

/* Log "<fn>: <what> is NULL"; returns VACCEL_EINVAL. */
int model_arg_null(const char *fn, const char *what);

/* calloc(1, size), logging "<fn>: out of memory" on failure. */
void *model_zalloc(const char *fn, size_t size);

/*
 * For *_take_data(): obj (named `what` in the log), data and size must all be
 * non-NULL; logs the first NULL one and returns VACCEL_EINVAL.
 */
int model_take_data_check(const char *fn, const char *what, const void *obj,
			  void *const *data, const size_t *size);

/*
 * Buffers ({data, size}; the buffer owns data)
 */

/* For *_buffer_init(): buffer non-NULL, data non-NULL unless size is 0. */
int model_buffer_init_check(const char *fn, const void *buffer,
			    const void *data, size_t size);

/*
 * Tensors ({data, size, owned, nr_dims, dims, data_type})
 */

/* No explicit dims count limit: calloc's overflow check fails (ENOMEM). */
#define MODEL_DIMS_NO_LIMIT UINT64_MAX

/*
 * For *_tensor_init(): tensor must be non-NULL and 1 <= nr_dims <= max_dims
 * (EINVAL). On VACCEL_OK *out is a new zeroed array of nr_dims dims of
 * dim_size bytes each, filled from dims when that is non-NULL; VACCEL_ENOMEM
 * when it cannot be allocated.
 */
int model_tensor_dims_new(const char *fn, const void *tensor, int64_t nr_dims,
			  const void *dims, size_t dim_size, uint64_t max_dims,
			  void **out);

/* Clear a tensor's data fields (NULL, 0, not owned); frees nothing. */
void model_tensor_clear_data(void **data, size_t *size, bool *owned);

/* Free a tensor's owned data and its dims, then clear its data fields. */
void model_tensor_free(void **data, size_t *size, bool *owned, void *dims);

/*
 * For *_tensor_allocate(): give the tensor total_size bytes of zeroed, owned
 * data (nothing when total_size is 0); VACCEL_ENOMEM when calloc fails.
 */
int model_tensor_alloc_data(const char *fn, void **data, size_t *size,
			    bool *owned, size_t total_size);

/*
 * For *_tensor_set_data() (the tensor already checked non-NULL): borrow
 * new_data (non-NULL unless new_size is 0, else EINVAL). Owned data is freed,
 * unless it is new_data itself, which stays owned.
 */
int model_tensor_set_data(const char *fn, void **data, size_t *size,
			  bool *owned, void *new_data, size_t new_size);

/*
 * Model operations
 */

/* One model operation of a plugin. */
struct model_op {
	const char *name; /* "tf_model_load"; the public function is
			     vaccel_<name> */
	vaccel_op_type_t type;
	struct vaccel_prof_region *stats;
	bool run; /* takes nr_inputs / nr_outputs */
};

/* A started operation: the plugin's function and whether it is profiled. */
struct model_op_call {
	const struct model_op *op;
	void *fn;
	bool prof;
};

/*
 * Argument checks every model op makes first: sess and model non-NULL, and
 * for run ops non-negative counts (EINVAL).
 */
int model_op_check(const struct model_op *op, const struct vaccel_session *sess,
		   const struct vaccel_resource *model, int nr_inputs,
		   int nr_outputs);

/*
 * After the argument checks: log the op, check that model is a MODEL
 * resource (EINVAL) registered with sess (EPERM), start the op's profiling
 * region and look up the plugin's function (VACCEL_ENOTSUP, region stopped,
 * when it has none). On VACCEL_OK call call->fn through the op's exact type,
 * then finish with model_op_end(). nr_inputs / nr_outputs are logged for run
 * ops only.
 */
int model_op_start(struct model_op_call *call, const struct model_op *op,
		   struct vaccel_session *sess, struct vaccel_resource *model,
		   int nr_inputs, int nr_outputs);

/*
 * model_op_check(), then for run ops inputs / outputs non-NULL when their
 * count is non-zero (EINVAL), then model_op_start(). Load and unload ops pass
 * NULL, 0, NULL, 0.
 */
int model_op_begin(struct model_op_call *call, const struct model_op *op,
		   struct vaccel_session *sess, struct vaccel_resource *model,
		   const void *inputs, int nr_inputs, const void *outputs,
		   int nr_outputs);

/* Stop the op's profiling region; returns ret (the plugin's result). */
int model_op_end(const struct model_op_call *call, int ret);

/* For a destructor: print and release each profiling region. */
void model_prof_fini(struct vaccel_prof_region *const *regions, size_t n);

#endif /* VACCEL_OPS_MODEL_COMMON_H */
