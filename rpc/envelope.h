/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ttrpc envelopes (rpc/proto/ttrpc.proto) around a method's message.
 *
 * Building: a whole frame (header + envelope + the method's message packed
 * in place) in one buffer, one copy of the payload. Parsing: the envelope
 * is read in place (its payload is a slice of the frame, not a copy); the
 * method's message is then unpacked from that slice with protobuf-c.
 */
#ifndef VACCEL_RPC_ENVELOPE_H
#define VACCEL_RPC_ENVELOPE_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

#include "rpc_wire.h"

struct rpc_slice {
	const uint8_t *p;
	size_t len;
};

struct rpc_request_view {
	struct rpc_slice service, method, payload;
	int64_t timeout_nano;
};

struct rpc_response_view {
	struct rpc_slice status; /* a ttrpc.Status message, maybe empty */
	struct rpc_slice payload;
	int32_t code;		  /* status.code */
	struct rpc_slice message; /* status.message */
	uint32_t vaccel_error;	  /* ffi_error of a vaccel.Error detail, 0 */
	int has_vaccel_error;
};

/* 0, or -EBADMSG for a malformed envelope. */
int rpc_parse_request(const uint8_t *buf, size_t len,
		      struct rpc_request_view *v);
int rpc_parse_response(const uint8_t *buf, size_t len,
		       struct rpc_response_view *v);

/* Whether a slice equals a C string. */
int rpc_slice_is(struct rpc_slice s, const char *str);

/*
 * A whole frame: the header (type Request, flags 0, `stream`), then the
 * envelope with `payload` packed in place (NULL: empty). malloc'd; *len
 * its size. NULL with errno EMSGSIZE when over `max` data bytes.
 */
uint8_t *rpc_build_request(uint32_t stream, const char *service,
			   const char *method,
			   const ProtobufCMessage *payload, uint32_t max,
			   size_t *len);

/*
 * A whole Response frame. code RPC_OK: status {0, ""} and the payload;
 * otherwise status {code, message} (no payload), with a vaccel.Error
 * detail of type FFI carrying `vaccel_error` when that is non-zero.
 */
uint8_t *rpc_build_response(uint32_t stream, int32_t code,
			    const char *message, uint32_t vaccel_error,
			    const ProtobufCMessage *payload, uint32_t max,
			    size_t *len);

#endif /* VACCEL_RPC_ENVELOPE_H */
