// SPDX-License-Identifier: Apache-2.0
#ifndef VACCEL_OP_H
#define VACCEL_OP_H

#include "api.h"
#include "utils/enum.h"
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VACCEL_OP_TYPE_ENUM_LIST(VACCEL_ENUM_ITEM)                             \
	VACCEL_ENUM_ITEM(NOOP, 0, VACCEL_OP)                                   \
	VACCEL_ENUM_ITEM(EXEC, VACCEL_OP)                                      \
	VACCEL_ENUM_ITEM(EXEC_WITH_RESOURCE, VACCEL_OP)                        \
	VACCEL_ENUM_ITEM(IMAGE_CLASSIFY, VACCEL_OP)                            \
	VACCEL_ENUM_ITEM(IMAGE_DETECT, VACCEL_OP)                              \
	VACCEL_ENUM_ITEM(IMAGE_SEGMENT, VACCEL_OP)                             \
	VACCEL_ENUM_ITEM(IMAGE_POSE, VACCEL_OP)                                \
	VACCEL_ENUM_ITEM(IMAGE_DEPTH, VACCEL_OP)                               \
	VACCEL_ENUM_ITEM(TF_MODEL_LOAD, VACCEL_OP)                             \
	VACCEL_ENUM_ITEM(TF_MODEL_UNLOAD, VACCEL_OP)                           \
	VACCEL_ENUM_ITEM(TF_MODEL_RUN, VACCEL_OP)                              \
	VACCEL_ENUM_ITEM(TFLITE_MODEL_LOAD, VACCEL_OP)                         \
	VACCEL_ENUM_ITEM(TFLITE_MODEL_UNLOAD, VACCEL_OP)                       \
	VACCEL_ENUM_ITEM(TFLITE_MODEL_RUN, VACCEL_OP)                          \
	VACCEL_ENUM_ITEM(TORCH_MODEL_LOAD, VACCEL_OP)                          \
	VACCEL_ENUM_ITEM(TORCH_MODEL_RUN, VACCEL_OP)                           \
	VACCEL_ENUM_ITEM(TORCH_SGEMM, VACCEL_OP)                               \
	VACCEL_ENUM_ITEM(BLAS_SGEMM, VACCEL_OP)                                \
	VACCEL_ENUM_ITEM(FPGA_ARRAYCOPY, VACCEL_OP)                            \
	VACCEL_ENUM_ITEM(FPGA_MMULT, VACCEL_OP)                                \
	VACCEL_ENUM_ITEM(FPGA_PARALLEL, VACCEL_OP)                             \
	VACCEL_ENUM_ITEM(FPGA_VECTORADD, VACCEL_OP)                            \
	VACCEL_ENUM_ITEM(MINMAX, VACCEL_OP)                                    \
	VACCEL_ENUM_ITEM(OPENCV, VACCEL_OP)

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

/*
 * A function pointer stored as void * is not ISO C: __extension__ keeps
 * plugins built with -Wpedantic quiet (POSIX dlsym() relies on the same).
 */
#define VACCEL_OP_INIT(name, op_type, op_func)                                 \
	{.type = (op_type),                                                    \
	 .func = __extension__(void *)(op_func),                               \
	 .owner = &vaccel_this_plugin}

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_OP_H */
