// SPDX-License-Identifier: Apache-2.0
/*
 * vaccel_genop()'s decoding context, shared by the unpackers of genop.c and
 * of the model operations (genop_model.c). Not installed.
 */
#ifndef VACCEL_OPS_GENOP_INTERNAL_H
#define VACCEL_OPS_GENOP_INTERNAL_H

#include "../internal.h"

struct genop_ctx {
	struct vaccel_session *sess;
	vaccel_op_type_t type;
	char op[VACCEL_ENUM_STR_MAX];
	struct vaccel_arg_array read; /* positioned after the op type arg */
	struct vaccel_arg_array write;
};

typedef int (*genop_unpack_fn)(struct genop_ctx *ctx);

/* TF_*, TFLITE_* and TORCH_MODEL_*: the layouts of docs/protocol.md §7.5.2. */
int genop_unpack_model(struct genop_ctx *ctx);

#endif /* VACCEL_OPS_GENOP_INTERNAL_H */
