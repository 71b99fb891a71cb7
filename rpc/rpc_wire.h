/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vAccel's RPC protocol: the named constants of its wire (docs/rpc.md).
 *
 * The transport is ttrpc: frames of a 10-byte header (big-endian data
 * length, big-endian stream id, message type, flags) and a protobuf
 * message. The messages are in the .proto files of rpc/proto, written here from
 * upstream's field numbers. Everything the host daemon's RPC front door
 * and the guest plugin libvaccel-rpc.so share lives here.
 */
#ifndef VACCEL_RPC_WIRE_H
#define VACCEL_RPC_WIRE_H

#include <stdint.h>

/* ttrpc frame header */
#define RPC_HDR_SIZE 10u

enum rpc_msg_type {
	RPC_MSG_REQUEST = 0x01,
	RPC_MSG_RESPONSE = 0x02,
	RPC_MSG_DATA = 0x03,
};

enum rpc_flags {
	RPC_FLAG_REMOTE_CLOSED = 0x01,
	RPC_FLAG_REMOTE_OPEN = 0x02,
	RPC_FLAG_NO_DATA = 0x04,
};

/* Upstream's ttrpc fork accepts frames up to 1 GiB (its clients send a
 * whole tensor in one frame); a compatible peer must too. */
#define RPC_MAX_MESSAGE_COMPAT (1u << 30)

/* gRPC status codes (ttrpc Response.status.code) */
enum rpc_code {
	RPC_OK = 0,
	RPC_CANCELLED = 1,
	RPC_UNKNOWN = 2,
	RPC_INVALID_ARGUMENT = 3,
	RPC_DEADLINE_EXCEEDED = 4,
	RPC_NOT_FOUND = 5,
	RPC_ALREADY_EXISTS = 6,
	RPC_PERMISSION_DENIED = 7,
	RPC_RESOURCE_EXHAUSTED = 8,
	RPC_FAILED_PRECONDITION = 9,
	RPC_ABORTED = 10,
	RPC_OUT_OF_RANGE = 11,
	RPC_UNIMPLEMENTED = 12,
	RPC_INTERNAL = 13,
	RPC_UNAVAILABLE = 14,
	RPC_DATA_LOSS = 15,
	RPC_UNAUTHENTICATED = 16,
};

/* Request.service: upstream's sync agent (the default) and async one */
#define RPC_SERVICE_SYNC  "vaccel.sync.agent.AgentService"
#define RPC_SERVICE_ASYNC "vaccel.asynchronous.agent.AgentService"

/* Request.method */
#define RPC_M_CREATE_SESSION	   "CreateSession"
#define RPC_M_UPDATE_SESSION	   "UpdateSession"
#define RPC_M_DESTROY_SESSION	   "DestroySession"
#define RPC_M_REGISTER_RESOURCE	   "RegisterResource"
#define RPC_M_UNREGISTER_RESOURCE  "UnregisterResource"
#define RPC_M_SYNC_RESOURCE	   "SyncResource"
#define RPC_M_IMAGE_CLASSIFICATION "ImageClassification"
#define RPC_M_TF_MODEL_LOAD	   "TensorflowModelLoad"
#define RPC_M_TF_MODEL_UNLOAD	   "TensorflowModelUnload"
#define RPC_M_TF_MODEL_RUN	   "TensorflowModelRun"
#define RPC_M_TFLITE_MODEL_LOAD	   "TensorflowLiteModelLoad"
#define RPC_M_TFLITE_MODEL_UNLOAD  "TensorflowLiteModelUnload"
#define RPC_M_TFLITE_MODEL_RUN	   "TensorflowLiteModelRun"
#define RPC_M_TORCH_MODEL_LOAD	   "TorchModelLoad"
#define RPC_M_TORCH_MODEL_RUN	   "TorchModelRun"
#define RPC_M_GENOP		   "Genop"
#define RPC_M_GENOP_STREAM	   "GenopStream"
#define RPC_M_GET_PROFILER	   "GetProfiler"

/* vAccel errors travel as INTERNAL with one Any detail holding a
 * vaccel.Error; upstream's type_url does not match the message name */
#define RPC_ERROR_TYPE_URL "type.googleapis.com/vaccel.ProtoError"

/* vaccel.Error.type (upstream's enum ErrorType) */
enum rpc_error_type {
	RPC_ERR_FFI = 0,
	RPC_ERR_FFI_WITH_STATUS = 1,
	RPC_ERR_INVALID_ARGUMENT = 2,
	RPC_ERR_UNINITIALIZED = 3,
	RPC_ERR_OUT_OF_BOUNDS = 4,
	RPC_ERR_EMPTY_VALUE = 5,
	RPC_ERR_CONVERSION_FAILED = 6,
};

/* vaccel.resource.Blob.type_ (= VACCEL_BLOB_*) */
enum rpc_blob_type {
	RPC_BLOB_FILE = 0,
	RPC_BLOB_BUFFER = 1,
	RPC_BLOB_MAPPED = 2,
};

/* ImageClassification: upstream's agent returns this many tag bytes
 * (zero padded) and its client copies the caller's length out of them */
#define RPC_IMAGE_TAGS_LEN 1024u

/* Address forms (upstream's): unix:///path, unix://@abstract,
 * vsock://CID:PORT, tcp://HOST:PORT; the client's variables */
#define RPC_ADDRESS_ENV	       "VACCEL_RPC_ADDRESS"
#define RPC_ADDRESS_ENV_LEGACY "VACCEL_RPC_ADDR"
#define RPC_ADDRESS_DEFAULT    "tcp://127.0.0.1:65500"

#endif /* VACCEL_RPC_WIRE_H */
