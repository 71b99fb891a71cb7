// SPDX-License-Identifier: Apache-2.0
/*
 * What the RPC model methods share (host/rpc_models.c, host/rpc_tf.c).
 */
#ifndef VHOST_ACCEL_RPC_MODELS_H
#define VHOST_ACCEL_RPC_MODELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vaccel.h>

#include "model_wire.h"
#include "rpc_server.h"
#include "vaccel.pb-c.h"

/* One input tensor's shape against its data; false with r failed. */
bool tensor_ok(enum model_fw fw, size_t i, uint32_t type, size_t n_dims,
	       const int64_t *dims, size_t len, struct rpc_reply *r);
/* Tensor counts within VIRTIO_ACCEL_MODEL_MAX_TENSORS. */
bool counts_ok(const char *fw, size_t n_in, uint64_t n_out,
	       struct rpc_reply *r);
/* Session and model of a model method; false with r failed. */
bool model_refs(struct rpc_ctx *c, int64_t sid, int64_t mid,
		struct fe_sess **fs, struct fe_res **fr, struct rpc_reply *r);
void model_put(struct rpc_ctx *c, struct fe_sess *fs, struct fe_res *fr);

/* How many of an output tensor's dims go back: a plugin's nr_dims is
 * trusted only within 1..VIRTIO_ACCEL_TENSOR_MAX_DIMS. */
size_t dims_out(const void *dims, int64_t nr_dims);

/* What a run answers: protobuf tensors pointing into the plugin's. */
struct run_out {
	void *resp; /* the framework's ModelRunResponse */
	void **outp;
	void *out; /* protobuf tensors */
	void **vt; /* the plugin's tensors */
	size_t n;
	int (*del)(void *t);
	Vaccel__Status status;
	struct vaccel_tf_status tf_status;
};

struct run_out *run_out_new(size_t n, size_t resp_sz, size_t t_sz,
			    int (*del)(void *));
/* reply release: deletes the plugin's tensors too */
void run_release(void *p);

#endif
