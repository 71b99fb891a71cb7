// SPDX-License-Identifier: Apache-2.0
/*
 * One RPC front-end process: a connection speaking vAccel's RPC protocol
 * (ttrpc + protobuf, docs/rpc.md), served exactly like a vhost-user
 * front-end: its own process, its own ids (host/objects.h), the same
 * limits. Requests are handled one at a time, in order.
 *
 *   rpc_conn.c     the connection: frames in, responses out, limits
 *   rpc_methods.c  the method table; sessions, resources, profiler
 *   rpc_ops.c      Genop and ImageClassification
 *   rpc_models.c   TensorFlow, TFLite and Torch model methods
 */
#ifndef VHOST_ACCEL_RPC_SERVER_H
#define VHOST_ACCEL_RPC_SERVER_H

#include <protobuf-c/protobuf-c.h>
#include <stdint.h>

#include "envelope.h"
#include "objects.h"
#include "opts.h"

struct rpc_ctx {
	const struct device_opts *o;
	unsigned int id;
	struct objects objs;
	uint64_t nr_requests, nr_errors;
};

/* What a handler answers. On success `payload` (may be NULL: an empty
 * message) is packed into the response, then `release(priv)` runs. */
struct rpc_reply {
	int32_t code;
	char msg[256];
	uint32_t vaccel_error; /* with code INTERNAL: a vaccel.Error detail */
	const ProtobufCMessage *payload;
	void (*release)(void *priv);
	void *priv;
	ProtobufCMessage *req; /* freed after the response is packed */
};

/* Serve connection `sock` until it ends; 0, or -1 on a setup failure. */
int rpc_serve(int sock, unsigned int id, const struct device_opts *o);

/* Run one request (the envelope's service, method and payload). */
void rpc_dispatch(struct rpc_ctx *c, const struct rpc_request_view *v,
		  struct rpc_reply *r);

/* Fail a reply: a status code and a message. */
void rpc_fail(struct rpc_reply *r, int32_t code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Fail with a vAccel error code (INTERNAL + vaccel.Error, as upstream's
 * agent does), unless vret is VACCEL_OK. Returns vret. */
int rpc_vaccel(struct rpc_reply *r, int vret, const char *what);

/* Lookups by wire id that fail the reply (NOT_FOUND) when unknown. */
struct fe_sess *rpc_sess(struct rpc_ctx *c, int64_t id, struct rpc_reply *r);
struct fe_res *rpc_res(struct rpc_ctx *c, int64_t id, struct rpc_reply *r);

/* Handlers: the request message (unpacked, checked non-NULL). */
typedef void rpc_handler(struct rpc_ctx *c, const ProtobufCMessage *req,
			 struct rpc_reply *r);

rpc_handler rpc_genop, rpc_image_classification;
rpc_handler rpc_tf_load, rpc_tf_unload, rpc_tf_run;
rpc_handler rpc_tflite_load, rpc_tflite_unload, rpc_tflite_run;
rpc_handler rpc_torch_load, rpc_torch_run;

#endif
