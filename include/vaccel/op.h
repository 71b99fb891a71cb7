// SPDX-License-Identifier: Apache-2.0
#ifndef VACCEL_OP_H
#define VACCEL_OP_H

#include "api.h"
#include "utils/enum.h"
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VACCEL_OP_TYPE_ENUM_LIST(X, p)                                         \
	X(p, NOOP, 0)                                                          \
	X(p, EXEC)                                                             \
	X(p, EXEC_WITH_RESOURCE)                                               \
	X(p, IMAGE_CLASSIFY)                                                   \
	X(p, IMAGE_DETECT)                                                     \
	X(p, IMAGE_SEGMENT)                                                    \
	X(p, IMAGE_POSE)                                                       \
	X(p, IMAGE_DEPTH)                                                      \
	X(p, TF_MODEL_LOAD)                                                    \
	X(p, TF_MODEL_UNLOAD)                                                  \
	X(p, TF_MODEL_RUN)                                                     \
	X(p, TFLITE_MODEL_LOAD)                                                \
	X(p, TFLITE_MODEL_UNLOAD)                                              \
	X(p, TFLITE_MODEL_RUN)                                                 \
	X(p, TORCH_MODEL_LOAD)                                                 \
	X(p, TORCH_MODEL_RUN)                                                  \
	X(p, TORCH_SGEMM)                                                      \
	X(p, BLAS_SGEMM)                                                       \
	X(p, FPGA_ARRAYCOPY)                                                   \
	X(p, FPGA_MMULT)                                                       \
	X(p, FPGA_PARALLEL)                                                    \
	X(p, FPGA_VECTORADD)                                                   \
	X(p, MINMAX)                                                           \
	X(p, OPENCV)

VACCEL_ENUM_DEF_WITH_STR_FUNCS(vaccel_op_type, VACCEL_OP,
			       VACCEL_OP_TYPE_ENUM_LIST)

static inline char *vaccel_op_type_to_lower(vaccel_op_type_t op_type,
					    char *lower, size_t size)
{
	return vaccel_op_type_name(op_type, lower, size);
}

struct vaccel_plugin;

/*
 * One operation implemented by a plugin. `func` points to a function with
 * exactly the parameter list of the matching vaccel_<op>() call.
 */
struct vaccel_op {
	vaccel_op_type_t type;
	void *func;
	struct vaccel_plugin *owner;
};

/* Defined (hidden) in each plugin by VACCEL_PLUGIN(). */
extern struct vaccel_plugin vaccel_this_plugin
	__attribute__((visibility("hidden")));

#define VACCEL_OP_INIT(name, op_type, op_func)                                 \
	{.type = (op_type),                                                    \
	 .func = (void *)(op_func),                                            \
	 .owner = &vaccel_this_plugin}

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_OP_H */
