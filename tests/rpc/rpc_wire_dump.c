// SPDX-License-Identifier: Apache-2.0
/*
 * The C side of the RPC wire check (tests/rpc/wire_check.py): builds a set
 * of vAccel RPC messages with rpc/proto's protobuf-c code, and whole ttrpc
 * frames with rpc/envelope.c's builders, every field set to a value that
 * is not its default, and
 *
 *   rpc_wire_dump            prints "NAME HEX" for each (the encoding)
 *   rpc_wire_dump --decode   reads "NAME HEX" lines (another encoder's
 *                            bytes for the same values), decodes each with
 *                            the C side and compares every field with the
 *                            values built here; prints "NAME ok" or
 *                            "NAME FAIL: why", exits 1 if any failed
 *
 * The values here and in wire_check.py are the same by construction of
 * the two files; a difference in either shows up as a mismatch.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "empty.pb-c.h"
#include "envelope.h"
#include "frame.h"
#include "genop.pb-c.h"
#include "image.pb-c.h"
#include "profiling.pb-c.h"
#include "resource.pb-c.h"
#include "rpc_wire.h"
#include "session.pb-c.h"
#include "tf.pb-c.h"
#include "tflite.pb-c.h"
#include "torch.pb-c.h"
#include "ttrpc.pb-c.h"
#include "vaccel.pb-c.h"

#define BIN(s) ((ProtobufCBinaryData){sizeof(s) - 1, (uint8_t *)(s)})
#define N(a)   (sizeof(a) / sizeof((a)[0]))

static const float floats6[6] = {1.5f, -2.0f, 3.25f, 0.0f, 1e30f, -0.5f};
#define FLOATS ((ProtobufCBinaryData){sizeof(floats6), (uint8_t *)floats6})

/* ---- messages ------------------------------------------------------------ */

static ProtobufCMessage *session_create_request(void)
{
	static Vaccel__Session__CreateRequest m;
	vaccel__session__create_request__init(&m);
	m.flags = 0x21;
	return &m.base;
}

static ProtobufCMessage *session_create_response(void)
{
	static Vaccel__Session__CreateResponse m;
	vaccel__session__create_response__init(&m);
	m.session_id = 0x123456789ll;
	return &m.base;
}

static ProtobufCMessage *session_update_request(void)
{
	static Vaccel__Session__UpdateRequest m;
	vaccel__session__update_request__init(&m);
	m.session_id = 7;
	m.flags = 0x4001;
	return &m.base;
}

static ProtobufCMessage *session_destroy_request(void)
{
	static Vaccel__Session__DestroyRequest m;
	vaccel__session__destroy_request__init(&m);
	m.session_id = -3; /* ten bytes on the wire */
	return &m.base;
}

static ProtobufCMessage *resource_register_request(void)
{
	static Vaccel__Resource__RegisterRequest m;
	static Vaccel__Resource__Blob b[2];
	static Vaccel__Resource__Blob *bp[2] = {&b[0], &b[1]};
	static char *paths[2] = {"/a/b", "https://example.org/m.pt"};
	vaccel__resource__blob__init(&b[0]);
	b[0].type_ = RPC_BLOB_MAPPED;
	b[0].name = "m.bin";
	b[0].data = BIN("\x00\x01\xff");
	b[0].size = 3;
	vaccel__resource__blob__init(&b[1]);
	b[1].type_ = RPC_BLOB_BUFFER;
	b[1].name = "b";
	b[1].data = BIN("zz");
	b[1].size = 2;
	vaccel__resource__register_request__init(&m);
	m.paths = paths;
	m.n_paths = 2;
	m.blobs = bp;
	m.n_blobs = 2;
	m.resource_type = 2; /* MODEL */
	m.resource_id = 5;
	m.session_id = 0x100000001ll;
	return &m.base;
}

static ProtobufCMessage *resource_register_response(void)
{
	static Vaccel__Resource__RegisterResponse m;
	vaccel__resource__register_response__init(&m);
	m.resource_id = INT64_MAX;
	return &m.base;
}

static ProtobufCMessage *resource_unregister_request(void)
{
	static Vaccel__Resource__UnregisterRequest m;
	vaccel__resource__unregister_request__init(&m);
	m.resource_id = 9;
	m.session_id = 10;
	return &m.base;
}

static ProtobufCMessage *resource_sync_request(void)
{
	static Vaccel__Resource__SyncRequest m;
	vaccel__resource__sync_request__init(&m);
	m.resource_id = 11;
	return &m.base;
}

static ProtobufCMessage *resource_sync_response(void)
{
	static Vaccel__Resource__SyncResponse m;
	static Vaccel__Resource__Blob b;
	static Vaccel__Resource__Blob *bp[1] = {&b};
	vaccel__resource__blob__init(&b);
	b.type_ = RPC_BLOB_MAPPED;
	b.name = "s";
	b.data = BIN("abc");
	b.size = 3;
	vaccel__resource__sync_response__init(&m);
	m.blobs = bp;
	m.n_blobs = 1;
	return &m.base;
}

static uint8_t image_bytes[200];
static uint8_t tags[1024] = "cat";

static ProtobufCMessage *image_request(void)
{
	static Vaccel__Image__Request m;
	for (size_t i = 0; i < sizeof(image_bytes); i++)
		image_bytes[i] = (uint8_t)i;
	vaccel__image__request__init(&m);
	m.session_id = 12;
	m.image = (ProtobufCBinaryData){sizeof(image_bytes), image_bytes};
	return &m.base;
}

static ProtobufCMessage *image_response(void)
{
	static Vaccel__Image__Response m;
	vaccel__image__response__init(&m);
	m.tags = (ProtobufCBinaryData){sizeof(tags), tags};
	return &m.base;
}

static void arg(Vaccel__Genop__Arg *a, ProtobufCBinaryData buf, uint32_t size,
		uint32_t type, uint32_t custom, uint32_t parts, uint32_t part_no)
{
	vaccel__genop__arg__init(a);
	a->buf = buf;
	a->size = size;
	a->arg_type = type;
	a->custom_type_id = custom;
	a->parts = parts;
	a->part_no = part_no;
}

static ProtobufCMessage *genop_request(void)
{
	static Vaccel__Genop__Request m;
	static Vaccel__Genop__Arg a[3];
	static Vaccel__Genop__Arg *rd[2] = {&a[0], &a[1]}, *wr[1] = {&a[2]};
	arg(&a[0], BIN("\x11"), 1, 9, 77, 2, 1);
	arg(&a[1], BIN("hello\0"), 6, 27, 1, 1, 1);
	arg(&a[2], BIN("\0\0\0\0"), 4, 29, 0xffffffffu, 3, 3);
	vaccel__genop__request__init(&m);
	m.session_id = 13;
	m.read_args = rd;
	m.n_read_args = 2;
	m.write_args = wr;
	m.n_write_args = 1;
	return &m.base;
}

static ProtobufCMessage *genop_response(void)
{
	static Vaccel__Genop__Response m;
	static Vaccel__Genop__Arg a;
	static Vaccel__Genop__Arg *wr[1] = {&a};
	arg(&a, BIN("\x01\x02"), 2, 3, 5, 1, 1);
	vaccel__genop__response__init(&m);
	m.write_args = wr;
	m.n_write_args = 1;
	return &m.base;
}

static ProtobufCMessage *profiling_request(void)
{
	static Vaccel__Profiling__Request m;
	vaccel__profiling__request__init(&m);
	m.session_id = 14;
	return &m.base;
}

static ProtobufCMessage *profiling_response(void)
{
	static Vaccel__Profiling__Response m;
	static Vaccel__Profiling__Profiler p;
	static Vaccel__Profiling__Profiler__RegionsEntry e[2];
	static Vaccel__Profiling__Profiler__RegionsEntry *ep[2] = {&e[0],
								   &e[1]};
	static Vaccel__Profiling__Region r[2];
	static Vaccel__Profiling__Sample s[3];
	static Vaccel__Profiling__Sample *s0[2] = {&s[0], &s[1]},
					  *s1[1] = {&s[2]};
	for (int i = 0; i < 3; i++)
		vaccel__profiling__sample__init(&s[i]);
	s[0].start = 1000000000000ull;
	s[0].time = 1234;
	s[1].start = 2;
	s[1].time = 3;
	s[2].start = 5;
	s[2].time = 6;
	vaccel__profiling__region__init(&r[0]);
	r[0].samples = s0;
	r[0].n_samples = 2;
	vaccel__profiling__region__init(&r[1]);
	r[1].samples = s1;
	r[1].n_samples = 1;
	/* map entries in key order (a deterministic encoder's order) */
	vaccel__profiling__profiler__regions_entry__init(&e[0]);
	e[0].key = "[vaccel-rpc-agent] genop";
	e[0].value = &r[0];
	vaccel__profiling__profiler__regions_entry__init(&e[1]);
	e[1].key = "[vaccel-rpc-agent] genop > read_args";
	e[1].value = &r[1];
	vaccel__profiling__profiler__init(&p);
	p.component_name = "vaccel-rpc-agent";
	p.regions = ep;
	p.n_regions = 2;
	vaccel__profiling__response__init(&m);
	m.profiler = &p;
	return &m.base;
}

static Vaccel__Status *status(Vaccel__Status *s, uint32_t code,
			      const char *msg)
{
	vaccel__status__init(s);
	s->code = code;
	s->message = (char *)msg;
	return s;
}

static ProtobufCMessage *tf_model_load_request(void)
{
	static Vaccel__Tf__ModelLoadRequest m;
	vaccel__tf__model_load_request__init(&m);
	m.session_id = 15;
	m.model_id = 16;
	return &m.base;
}

static ProtobufCMessage *tf_model_load_response(void)
{
	static Vaccel__Tf__ModelLoadResponse m;
	static Vaccel__Status st;
	vaccel__tf__model_load_response__init(&m);
	m.graph_def = BIN("graph");
	m.status = status(&st, 3, "bad");
	return &m.base;
}

static ProtobufCMessage *tf_model_unload_request(void)
{
	static Vaccel__Tf__ModelUnloadRequest m;
	vaccel__tf__model_unload_request__init(&m);
	m.session_id = 17;
	m.model_id = 18;
	return &m.base;
}

static ProtobufCMessage *tf_model_unload_response(void)
{
	static Vaccel__Tf__ModelUnloadResponse m;
	static Vaccel__Status st;
	vaccel__tf__model_unload_response__init(&m);
	m.status = status(&st, 1, "ok");
	return &m.base;
}

static int64_t tf_dims0[2] = {2, 3}, tf_dims1[2] = {-1, 1ll << 40};

static ProtobufCMessage *tf_model_run_request(void)
{
	static Vaccel__Tf__ModelRunRequest m;
	static Vaccel__Tf__Node n[3];
	static Vaccel__Tf__Node *in[2] = {&n[0], &n[1]}, *out[1] = {&n[2]};
	static Vaccel__Tf__Tensor t[2];
	static Vaccel__Tf__Tensor *tp[2] = {&t[0], &t[1]};
	for (int i = 0; i < 3; i++)
		vaccel__tf__node__init(&n[i]);
	n[0].name = "in";
	n[0].id = 1;
	n[1].name = "in2";
	n[1].id = -7;
	n[2].name = "out";
	n[2].id = 2;
	vaccel__tf__tensor__init(&t[0]);
	t[0].data = FLOATS;
	t[0].dims = tf_dims0;
	t[0].n_dims = 2;
	t[0].type = 1; /* FLOAT */
	vaccel__tf__tensor__init(&t[1]);
	t[1].data = BIN("xxxxxxxx");
	t[1].dims = tf_dims1;
	t[1].n_dims = 2;
	t[1].type = 9; /* INT64 */
	vaccel__tf__model_run_request__init(&m);
	m.session_id = 19;
	m.model_id = 20;
	m.opt_run_options_case =
		VACCEL__TF__MODEL_RUN_REQUEST__OPT_RUN_OPTIONS_RUN_OPTIONS;
	m.run_options = BIN("\x08\x01");
	m.in_nodes = in;
	m.n_in_nodes = 2;
	m.out_nodes = out;
	m.n_out_nodes = 1;
	m.in_tensors = tp;
	m.n_in_tensors = 2;
	return &m.base;
}

static ProtobufCMessage *tf_model_run_response(void)
{
	static Vaccel__Tf__ModelRunResponse m;
	static Vaccel__Tf__Tensor t;
	static Vaccel__Tf__Tensor *tp[1] = {&t};
	static int64_t dims[1] = {1};
	static Vaccel__Status st;
	vaccel__tf__tensor__init(&t);
	t.data = BIN("\x01\x00\x00\x00");
	t.dims = dims;
	t.n_dims = 1;
	t.type = 3; /* INT32 */
	vaccel__tf__model_run_response__init(&m);
	m.out_tensors = tp;
	m.n_out_tensors = 1;
	m.status = status(&st, 2, "partial");
	return &m.base;
}

/* a status present with default values: upstream's success */
static ProtobufCMessage *tf_model_run_response_status_empty(void)
{
	static Vaccel__Tf__ModelRunResponse m;
	static Vaccel__Status st;
	vaccel__tf__model_run_response__init(&m);
	m.status = status(&st, 0, "");
	return &m.base;
}

static ProtobufCMessage *tflite_model_load_request(void)
{
	static Vaccel__Tflite__ModelLoadRequest m;
	vaccel__tflite__model_load_request__init(&m);
	m.session_id = 21;
	m.model_id = 22;
	return &m.base;
}

static ProtobufCMessage *tflite_model_unload_request(void)
{
	static Vaccel__Tflite__ModelUnloadRequest m;
	vaccel__tflite__model_unload_request__init(&m);
	m.session_id = 23;
	m.model_id = 24;
	return &m.base;
}

static ProtobufCMessage *tflite_model_run_request(void)
{
	static Vaccel__Tflite__ModelRunRequest m;
	static Vaccel__Tflite__Tensor t;
	static Vaccel__Tflite__Tensor *tp[1] = {&t};
	static int32_t dims[3] = {1, -1, INT32_MAX};
	vaccel__tflite__tensor__init(&t);
	t.data = BIN("\x01\x02\x03\x04");
	t.dims = dims;
	t.n_dims = 3;
	t.type = 4; /* C's VACCEL_TFLITE_INT64 */
	vaccel__tflite__model_run_request__init(&m);
	m.session_id = 25;
	m.model_id = 26;
	m.in_tensors = tp;
	m.n_in_tensors = 1;
	m.nr_out_tensors = UINT64_MAX;
	return &m.base;
}

static ProtobufCMessage *tflite_model_run_response(void)
{
	static Vaccel__Tflite__ModelRunResponse m;
	static Vaccel__Tflite__Tensor t;
	static Vaccel__Tflite__Tensor *tp[1] = {&t};
	static int32_t dims[1] = {4};
	static Vaccel__Status st;
	vaccel__tflite__tensor__init(&t);
	t.data = BIN("abcd");
	t.dims = dims;
	t.n_dims = 1;
	t.type = 3; /* UINT8 */
	vaccel__tflite__model_run_response__init(&m);
	m.out_tensors = tp;
	m.n_out_tensors = 1;
	m.status = status(&st, 1, "tflite");
	return &m.base;
}

static ProtobufCMessage *torch_model_load_request(void)
{
	static Vaccel__Torch__ModelLoadRequest m;
	vaccel__torch__model_load_request__init(&m);
	m.session_id = 27;
	m.model_id = 28;
	return &m.base;
}

static int64_t torch_dims[2] = {2, 3};

static Vaccel__Torch__Tensor *torch_tensor(Vaccel__Torch__Tensor *t)
{
	vaccel__torch__tensor__init(t);
	t->data = FLOATS;
	t->dims = torch_dims;
	t->n_dims = 2;
	t->type = 7; /* FLOAT */
	return t;
}

static ProtobufCMessage *torch_model_run_request(void)
{
	static Vaccel__Torch__ModelRunRequest m;
	static Vaccel__Torch__Tensor t;
	static Vaccel__Torch__Tensor *tp[1] = {&t};
	torch_tensor(&t);
	vaccel__torch__model_run_request__init(&m);
	m.session_id = 29;
	m.model_id = 30;
	m.opt_run_options_case =
		VACCEL__TORCH__MODEL_RUN_REQUEST__OPT_RUN_OPTIONS_RUN_OPTIONS;
	m.run_options = BIN("opts");
	m.in_tensors = tp;
	m.n_in_tensors = 1;
	m.nr_out_tensors = 2;
	return &m.base;
}

/* run_options present but empty: not the same as absent (optional) */
static ProtobufCMessage *torch_model_run_request_empty_options(void)
{
	static Vaccel__Torch__ModelRunRequest m;
	vaccel__torch__model_run_request__init(&m);
	m.session_id = 31;
	m.model_id = 32;
	m.opt_run_options_case =
		VACCEL__TORCH__MODEL_RUN_REQUEST__OPT_RUN_OPTIONS_RUN_OPTIONS;
	m.run_options = (ProtobufCBinaryData){0, NULL};
	m.nr_out_tensors = 1;
	return &m.base;
}

static ProtobufCMessage *torch_model_run_response(void)
{
	static Vaccel__Torch__ModelRunResponse m;
	static Vaccel__Torch__Tensor t[2];
	static Vaccel__Torch__Tensor *tp[2] = {&t[0], &t[1]};
	static int64_t dims1[1] = {1};
	torch_tensor(&t[0]);
	vaccel__torch__tensor__init(&t[1]);
	t[1].data = BIN("\x05");
	t[1].dims = dims1;
	t[1].n_dims = 1;
	t[1].type = 1; /* BYTE */
	vaccel__torch__model_run_response__init(&m);
	m.out_tensors = tp;
	m.n_out_tensors = 2;
	return &m.base;
}

/* the torch tensor alone: the decode-only case "torch_tensor_unpacked"
 * (dims sent unpacked) must decode to it */
static ProtobufCMessage *torch_tensor_msg(void)
{
	static Vaccel__Torch__Tensor t;
	return &torch_tensor(&t)->base;
}

static ProtobufCMessage *vaccel_error_ffi(void)
{
	static Vaccel__Error m;
	vaccel__error__init(&m);
	m.type = RPC_ERR_FFI;
	m.opt_ffi_error_case = VACCEL__ERROR__OPT_FFI_ERROR_FFI_ERROR;
	m.ffi_error = 22;
	return &m.base;
}

/* ffi_error present and 0 (optional: encoded), with a status */
static ProtobufCMessage *vaccel_error_with_status(void)
{
	static Vaccel__Error m;
	static Vaccel__Status st;
	vaccel__error__init(&m);
	m.type = RPC_ERR_FFI_WITH_STATUS;
	m.opt_ffi_error_case = VACCEL__ERROR__OPT_FFI_ERROR_FFI_ERROR;
	m.ffi_error = 0;
	m.status = status(&st, 3, "tf status");
	return &m.base;
}

static ProtobufCMessage *vaccel_error_invalid(void)
{
	static Vaccel__Error m;
	static Vaccel__Status st;
	vaccel__error__init(&m);
	m.type = RPC_ERR_INVALID_ARGUMENT;
	m.status = status(&st, 0, "Invalid ID: 0");
	return &m.base;
}

static ProtobufCMessage *empty(void)
{
	static Vaccel__Empty__Empty m;
	vaccel__empty__empty__init(&m);
	return &m.base;
}

/* the ttrpc envelope with every field (rpc_build_request writes only
 * service, method and payload: this is protobuf-c's encoding of it) */
static ProtobufCMessage *ttrpc_request_full(void)
{
	static Ttrpc__Request m;
	static Ttrpc__KeyValue kv[2];
	static Ttrpc__KeyValue *kvp[2] = {&kv[0], &kv[1]};
	static uint8_t payload[256];
	ProtobufCMessage *g = genop_request();
	size_t n = protobuf_c_message_pack(g, payload);
	ttrpc__key_value__init(&kv[0]);
	kv[0].key = "k";
	kv[0].value = "v";
	ttrpc__key_value__init(&kv[1]);
	kv[1].key = "trace";
	kv[1].value = "1";
	ttrpc__request__init(&m);
	m.service = RPC_SERVICE_SYNC;
	m.method = RPC_M_GENOP;
	m.payload = (ProtobufCBinaryData){n, payload};
	m.timeout_nano = 1000000000;
	m.metadata = kvp;
	m.n_metadata = 2;
	return &m.base;
}

/* ---- the table ------------------------------------------------------------ */

struct wcase {
	const char *name;
	ProtobufCMessage *(*build)(void);
};

static const struct wcase cases[] = {
	{"session_create_request", session_create_request},
	{"session_create_response", session_create_response},
	{"session_update_request", session_update_request},
	{"session_destroy_request", session_destroy_request},
	{"resource_register_request", resource_register_request},
	{"resource_register_response", resource_register_response},
	{"resource_unregister_request", resource_unregister_request},
	{"resource_sync_request", resource_sync_request},
	{"resource_sync_response", resource_sync_response},
	{"image_request", image_request},
	{"image_response", image_response},
	{"genop_request", genop_request},
	{"genop_response", genop_response},
	{"profiling_request", profiling_request},
	{"profiling_response", profiling_response},
	{"tf_model_load_request", tf_model_load_request},
	{"tf_model_load_response", tf_model_load_response},
	{"tf_model_unload_request", tf_model_unload_request},
	{"tf_model_unload_response", tf_model_unload_response},
	{"tf_model_run_request", tf_model_run_request},
	{"tf_model_run_response", tf_model_run_response},
	{"tf_model_run_response_status_empty",
	 tf_model_run_response_status_empty},
	{"tflite_model_load_request", tflite_model_load_request},
	{"tflite_model_unload_request", tflite_model_unload_request},
	{"tflite_model_run_request", tflite_model_run_request},
	{"tflite_model_run_response", tflite_model_run_response},
	{"torch_model_load_request", torch_model_load_request},
	{"torch_model_run_request", torch_model_run_request},
	{"torch_model_run_request_empty_options",
	 torch_model_run_request_empty_options},
	{"torch_model_run_response", torch_model_run_response},
	{"torch_tensor", torch_tensor_msg},
	{"vaccel_error_ffi", vaccel_error_ffi},
	{"vaccel_error_with_status", vaccel_error_with_status},
	{"vaccel_error_invalid", vaccel_error_invalid},
	{"empty", empty},
	{"ttrpc_request_full", ttrpc_request_full},
};

/* decode-only: another encoder's bytes of the same values, in a form the
 * C side never writes */
static const struct wcase decode_only[] = {
	{"torch_tensor_unpacked", torch_tensor_msg},
};

/* ---- whole frames, by rpc/envelope.c ---------------------------------------- */

#define ERROR_MESSAGE "genop: vAccel error 22 (Invalid argument)"

struct fcase {
	const char *name;
	bool request;
	uint32_t stream;
	const char *method;		    /* request */
	int32_t code;			    /* response */
	const char *message;		    /* response */
	uint32_t vaccel_error;		    /* response */
	ProtobufCMessage *(*payload)(void); /* NULL: none */
};

/* the worked example's: flags 0, so no bytes at all */
static ProtobufCMessage *session_create_request_default(void)
{
	static Vaccel__Session__CreateRequest m;
	vaccel__session__create_request__init(&m);
	return &m.base;
}

static ProtobufCMessage *session_id_1(void)
{
	static Vaccel__Session__CreateResponse m;
	vaccel__session__create_response__init(&m);
	m.session_id = 1;
	return &m.base;
}

static const struct fcase frames[] = {
	/* reference §1.5's worked example, both frames */
	{"frame_create_session_request", true, 1, RPC_M_CREATE_SESSION, 0, 0,
	 0, session_create_request_default},
	{"frame_create_session_response", false, 1, NULL, RPC_OK, "", 0,
	 session_id_1},
	{"frame_genop_request", true, 5, RPC_M_GENOP, 0, 0, 0, genop_request},
	{"frame_error_response", false, 3, NULL, RPC_INTERNAL, ERROR_MESSAGE,
	 22, NULL},
	{"frame_not_found_response", false, 0xfffffffdu, NULL, RPC_NOT_FOUND,
	 "Unknown session 9", 0, NULL},
	{"frame_empty_response", false, 7, NULL, RPC_OK, "", 0, empty},
};

static uint8_t *frame_build(const struct fcase *f, size_t *len)
{
	ProtobufCMessage *pl = f->payload ? f->payload() : NULL;
	if (f->request)
		return rpc_build_request(f->stream, RPC_SERVICE_SYNC, f->method,
					 pl, RPC_MAX_MESSAGE_COMPAT, len);
	return rpc_build_response(f->stream, f->code, f->message,
				  f->vaccel_error, pl, RPC_MAX_MESSAGE_COMPAT,
				  len);
}

/* ---- comparing decoded messages with the built ones --------------------- */

static char why[512];

static bool fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static bool fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return false;
}

static size_t elem_size(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return 8;
	case PROTOBUF_C_TYPE_STRING:
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(void *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	default: /* 32-bit scalars, enums, protobuf_c_boolean */
		return 4;
	}
}

static bool msg_equal(const ProtobufCMessage *a, const ProtobufCMessage *b,
		      const char *path);

static bool value_equal(const ProtobufCFieldDescriptor *f, const void *a,
			const void *b, const char *path)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_STRING: {
		const char *x = *(char *const *)a, *y = *(char *const *)b;
		if (strcmp(x ? x : "", y ? y : ""))
			return fail("%s: \"%s\" != \"%s\"", path,
				    x ? x : "", y ? y : "");
		return true;
	}
	case PROTOBUF_C_TYPE_BYTES: {
		const ProtobufCBinaryData *x = a, *y = b;
		if (x->len != y->len ||
		    (x->len && memcmp(x->data, y->data, x->len)))
			return fail("%s: %zu bytes != %zu bytes (or content)",
				    path, x->len, y->len);
		return true;
	}
	case PROTOBUF_C_TYPE_MESSAGE: {
		const ProtobufCMessage *x = *(ProtobufCMessage *const *)a,
				       *y = *(ProtobufCMessage *const *)b;
		if (!x || !y) {
			if (x != y)
				return fail("%s: present on one side only",
					    path);
			return true;
		}
		return msg_equal(x, y, path);
	}
	default:
		if (memcmp(a, b, elem_size(f->type))) {
			uint64_t x = 0, y = 0;
			memcpy(&x, a, elem_size(f->type));
			memcpy(&y, b, elem_size(f->type));
			return fail("%s: %#" PRIx64 " != %#" PRIx64, path, x,
				    y);
		}
		return true;
	}
}

/* Every field of two messages of one type, recursively (presence of
 * oneof members and message fields included). */
static bool msg_equal(const ProtobufCMessage *a, const ProtobufCMessage *b,
		      const char *path)
{
	const ProtobufCMessageDescriptor *d = a->descriptor;
	if (d != b->descriptor)
		return fail("%s: another message type", path);
	if (a->n_unknown_fields || b->n_unknown_fields)
		return fail("%s: unknown fields", path);
	for (unsigned int i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const char *pa = (const char *)a + f->offset;
		const char *pb = (const char *)b + f->offset;
		char sub[256];
		snprintf(sub, sizeof(sub), "%s.%s", path, f->name);
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t na = *(const size_t *)((const char *)a +
						      f->quantifier_offset);
			size_t nb = *(const size_t *)((const char *)b +
						      f->quantifier_offset);
			if (na != nb)
				return fail("%s: %zu elements != %zu", sub, na,
					    nb);
			const char *ea = *(char *const *)pa,
				   *eb = *(char *const *)pb;
			size_t es = elem_size(f->type);
			for (size_t k = 0; k < na; k++) {
				char el[300];
				snprintf(el, sizeof(el), "%s[%zu]", sub, k);
				if (!value_equal(f, ea + k * es, eb + k * es,
						 el))
					return false;
			}
			continue;
		}
		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
			uint32_t ca = *(const uint32_t *)((const char *)a +
							  f->quantifier_offset);
			uint32_t cb = *(const uint32_t *)((const char *)b +
							  f->quantifier_offset);
			if ((ca == f->id) != (cb == f->id))
				return fail("%s: present on one side only",
					    sub);
			if (ca != f->id)
				continue;
		}
		if (!value_equal(f, pa, pb, sub))
			return false;
	}
	return true;
}

/* ---- frames decoded by the C side ------------------------------------------ */

static bool slice_is(struct rpc_slice s, const char *str)
{
	return rpc_slice_is(s, str);
}

/* The payload slice against the message it should hold. */
static bool payload_equal(struct rpc_slice pl, const ProtobufCMessage *want,
			  const char *path)
{
	if (!want)
		return pl.len ? fail("%s: a payload where none belongs", path)
			      : true;
	ProtobufCMessage *got = protobuf_c_message_unpack(
		want->descriptor, NULL, pl.len, pl.p);
	if (!got)
		return fail("%s: the payload does not decode", path);
	bool ok = msg_equal(want, got, path);
	protobuf_c_message_free_unpacked(got, NULL);
	return ok;
}

static bool frame_check(const struct fcase *f, const uint8_t *b, size_t n)
{
	struct rpc_hdr h;
	if (n < RPC_HDR_SIZE)
		return fail("shorter than a header");
	rpc_hdr_decode(b, &h);
	if (h.len != n - RPC_HDR_SIZE || h.stream != f->stream ||
	    h.type != (f->request ? RPC_MSG_REQUEST : RPC_MSG_RESPONSE) ||
	    h.flags)
		return fail("header: len %u stream %u type %u flags %u", h.len,
			    h.stream, h.type, h.flags);
	ProtobufCMessage *want = f->payload ? f->payload() : NULL;
	if (f->request) {
		struct rpc_request_view v;
		if (rpc_parse_request(b + RPC_HDR_SIZE, h.len, &v) < 0)
			return fail("rpc_parse_request refused it");
		if (!slice_is(v.service, RPC_SERVICE_SYNC) ||
		    !slice_is(v.method, f->method) || v.timeout_nano)
			return fail("service, method or timeout");
		/* an all-default payload may come as no field at all */
		if (want && !protobuf_c_message_get_packed_size(want) &&
		    !v.payload.len)
			return true;
		return payload_equal(v.payload, want, "payload");
	}
	struct rpc_response_view v;
	if (rpc_parse_response(b + RPC_HDR_SIZE, h.len, &v) < 0)
		return fail("rpc_parse_response refused it");
	if (v.code != f->code)
		return fail("code %d", v.code);
	if (!slice_is(v.message, f->message))
		return fail("message \"%.*s\"", (int)v.message.len,
			    (const char *)v.message.p);
	if (v.has_vaccel_error != (f->vaccel_error != 0) ||
	    v.vaccel_error != f->vaccel_error)
		return fail("vaccel.Error detail: %d %u", v.has_vaccel_error,
			    v.vaccel_error);
	if (want && !protobuf_c_message_get_packed_size(want) &&
	    !v.payload.len)
		return true;
	return payload_equal(v.payload, want, "payload");
}

/* ttrpc_request_full through the in-place reader as well */
static bool envelope_check(const uint8_t *b, size_t n)
{
	struct rpc_request_view v;
	const Ttrpc__Request *want = (const void *)ttrpc_request_full();
	if (rpc_parse_request(b, n, &v) < 0)
		return fail("rpc_parse_request refused it");
	if (!slice_is(v.service, want->service) ||
	    !slice_is(v.method, want->method) ||
	    v.payload.len != want->payload.len ||
	    memcmp(v.payload.p, want->payload.data, v.payload.len) ||
	    v.timeout_nano != want->timeout_nano)
		return fail("rpc_parse_request: service, method, payload or "
			    "timeout differ");
	return true;
}

/* ---- main ------------------------------------------------------------------ */

static void print_hex(const char *name, const uint8_t *b, size_t n)
{
	printf("%s ", name);
	for (size_t i = 0; i < n; i++)
		printf("%02x", b[i]);
	printf("\n");
}

static int dump(void)
{
	for (size_t i = 0; i < N(cases); i++) {
		ProtobufCMessage *m = cases[i].build();
		size_t n = protobuf_c_message_get_packed_size(m);
		uint8_t *b = malloc(n + 1);
		if (!b || protobuf_c_message_pack(m, b) != n)
			return 1;
		print_hex(cases[i].name, b, n);
		free(b);
	}
	for (size_t i = 0; i < N(frames); i++) {
		size_t n = 0;
		uint8_t *b = frame_build(&frames[i], &n);
		if (!b)
			return 1;
		print_hex(frames[i].name, b, n);
		free(b);
	}
	return 0;
}

static const struct wcase *find_case(const char *name, const struct wcase *t,
				     size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].name, name))
			return &t[i];
	return NULL;
}

static bool decode_one(const char *name, const uint8_t *b, size_t n)
{
	const struct wcase *c = find_case(name, cases, N(cases));
	if (!c)
		c = find_case(name, decode_only, N(decode_only));
	if (c) {
		ProtobufCMessage *want = c->build();
		ProtobufCMessage *got = protobuf_c_message_unpack(
			want->descriptor, NULL, n, b);
		if (!got)
			return fail("protobuf-c refused it");
		bool ok = msg_equal(want, got, name);
		protobuf_c_message_free_unpacked(got, NULL);
		if (ok && !strcmp(name, "ttrpc_request_full"))
			ok = envelope_check(b, n);
		return ok;
	}
	for (size_t i = 0; i < N(frames); i++)
		if (!strcmp(frames[i].name, name))
			return frame_check(&frames[i], b, n);
	return fail("no such case");
}

static int unhex(const char *s, uint8_t **out, size_t *n)
{
	size_t l = strlen(s);
	if (l % 2)
		return -1;
	*n = l / 2;
	*out = malloc(*n + 1);
	for (size_t i = 0; *out && i < *n; i++) {
		unsigned int v;
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		(*out)[i] = (uint8_t)v;
	}
	return *out ? 0 : -1;
}

static int decode(void)
{
	static char line[1 << 20];
	int failed = 0, seen = 0;
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\r\n")] = 0;
		char *sp = strchr(line, ' ');
		if (!sp)
			continue;
		*sp = 0;
		uint8_t *b = NULL;
		size_t n = 0;
		bool ok = unhex(sp + 1, &b, &n) == 0;
		if (!ok)
			fail("bad hex");
		else
			ok = decode_one(line, b, n);
		free(b);
		printf("%s %s%s\n", line, ok ? "ok" : "FAIL: ", ok ? "" : why);
		failed += !ok;
		seen++;
	}
	return failed || !seen ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--decode"))
		return decode();
	if (argc == 1)
		return dump();
	fprintf(stderr, "usage: %s [--decode]\n", argv[0]);
	return 2;
}
