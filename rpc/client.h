/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A unary ttrpc client of vAccel's agent service: one connection, one
 * call at a time (the caller serialises), every call within a deadline.
 * Used by the guest plugin libvaccel-rpc.so, the benchmarks and tests.
 */
#ifndef VACCEL_RPC_CLIENT_H
#define VACCEL_RPC_CLIENT_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stdint.h>

#include "address.h"

struct rpc_client {
	int fd; /* -1: not connected */
	struct rpc_addr addr;
	uint32_t next_stream;
	uint32_t max_message;
};

/* What a call's response status said (code RPC_OK: success). */
struct rpc_status {
	int32_t code;
	char message[256];
	uint32_t vaccel_error; /* a vaccel.Error detail's ffi_error */
	bool has_vaccel_error;
};

/* Parse `address` and connect within timeout_ms: 0, or -errno with
 * *why set for a bad address (-EINVAL). */
int rpc_client_open(struct rpc_client *c, const char *address,
		    int timeout_ms, const char **why);
void rpc_client_close(struct rpc_client *c);

/*
 * One call of RPC_SERVICE_SYNC's `method`. Returns 0 when a response came
 * (then *st says its status; on RPC_OK *resp holds the unpacked message,
 * or NULL when resp_desc is NULL; free it with
 * protobuf_c_message_free_unpacked), or -errno when the transport failed:
 * -ETIMEDOUT (no response before the deadline), -ECONNRESET/-EPIPE (the
 * connection ended: it is closed, the next call must reopen it), -EPROTO
 * (the peer sent something that is not a valid response to this call),
 * -EMSGSIZE (the request is larger than max_message).
 */
int rpc_client_call(struct rpc_client *c, const char *method,
		    const ProtobufCMessage *req,
		    const ProtobufCMessageDescriptor *resp_desc,
		    ProtobufCMessage **resp, struct rpc_status *st,
		    int timeout_ms);

#endif /* VACCEL_RPC_CLIENT_H */
