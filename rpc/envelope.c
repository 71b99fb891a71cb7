// SPDX-License-Identifier: Apache-2.0
#include "envelope.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "decode_bound.h"
#include "frame.h"
#include "ttrpc.pb-c.h"
#include "vaccel.pb-c.h"

/* protobuf wire types */
enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };

/* ttrpc.Request / ttrpc.Response field numbers (rpc/proto/ttrpc.proto) */
enum { REQ_SERVICE = 1, REQ_METHOD = 2, REQ_PAYLOAD = 3, REQ_TIMEOUT = 4 };
enum { RESP_STATUS = 1, RESP_PAYLOAD = 2 };

struct reader {
	const uint8_t *p, *end;
};

/* An empty frame's data may be NULL (rpc_recv_frame): no NULL + 0. */
static struct reader reader_of(const uint8_t *buf, size_t len)
{
	return (struct reader){buf, len ? buf + len : buf};
}

static bool get_varint(struct reader *r, uint64_t *v)
{
	return rpc_pb_varint(&r->p, r->end, v);
}

/* One field: its number and wire type; LEN fields' bytes in *s, varints
 * in *v; other types skipped. */
static bool next_field(struct reader *r, uint32_t *num, uint32_t *wt,
		       uint64_t *v, struct rpc_slice *s)
{
	uint64_t key;
	if (!get_varint(r, &key) || (key >> 3) == 0 || (key >> 3) > UINT32_MAX)
		return false;
	*num = (uint32_t)(key >> 3);
	*wt = (uint32_t)(key & 7);
	switch (*wt) {
	case WT_VARINT:
		return get_varint(r, v);
	case WT_I64:
	case WT_I32: {
		size_t n = *wt == WT_I64 ? 8 : 4;
		if ((size_t)(r->end - r->p) < n)
			return false;
		r->p += n;
		return true;
	}
	case WT_LEN:
		if (!get_varint(r, v) || *v > (uint64_t)(r->end - r->p))
			return false;
		s->p = r->p;
		s->len = (size_t)*v;
		r->p += *v;
		return true;
	default:
		return false;
	}
}

int rpc_parse_request(const uint8_t *buf, size_t len,
		      struct rpc_request_view *v)
{
	struct reader r = reader_of(buf, len);
	memset(v, 0, sizeof(*v));
	while (r.p < r.end) {
		uint32_t num, wt;
		uint64_t val = 0;
		struct rpc_slice s = {0};
		if (!next_field(&r, &num, &wt, &val, &s))
			return -EBADMSG;
		bool len_field = num == REQ_SERVICE || num == REQ_METHOD ||
				 num == REQ_PAYLOAD;
		if ((len_field && wt != WT_LEN) ||
		    (num == REQ_TIMEOUT && wt != WT_VARINT))
			return -EBADMSG;
		if (num == REQ_SERVICE)
			v->service = s;
		else if (num == REQ_METHOD)
			v->method = s;
		else if (num == REQ_PAYLOAD)
			v->payload = s;
		else if (num == REQ_TIMEOUT)
			v->timeout_nano = (int64_t)val;
		/* metadata and unknown fields: ignored */
	}
	return 0;
}

static void parse_error_detail(const Ttrpc__Status *st,
			       struct rpc_response_view *v)
{
	for (size_t i = 0; i < st->n_details; i++) {
		const Ttrpc__Any *a = st->details[i];
		Vaccel__Error *e = vaccel__error__unpack(NULL, a->value.len,
							 a->value.data);
		if (!e)
			continue;
		if ((e->type == RPC_ERR_FFI || e->type == RPC_ERR_FFI_WITH_STATUS) &&
		    e->opt_ffi_error_case == VACCEL__ERROR__OPT_FFI_ERROR_FFI_ERROR) {
			v->vaccel_error = e->ffi_error;
			v->has_vaccel_error = 1;
		}
		vaccel__error__free_unpacked(e, NULL);
		return;
	}
}

int rpc_parse_response(const uint8_t *buf, size_t len,
		       struct rpc_response_view *v)
{
	struct reader r = reader_of(buf, len);
	memset(v, 0, sizeof(*v));
	while (r.p < r.end) {
		uint32_t num, wt;
		uint64_t val = 0;
		struct rpc_slice s = {0};
		if (!next_field(&r, &num, &wt, &val, &s))
			return -EBADMSG;
		if ((num == RESP_STATUS || num == RESP_PAYLOAD) && wt != WT_LEN)
			return -EBADMSG;
		if (num == RESP_STATUS)
			v->status = s;
		else if (num == RESP_PAYLOAD)
			v->payload = s;
	}
	if (!v->status.len)
		return 0;
	/* a peer's status is bounded like any message it sends */
	if (rpc_decode_bound(&ttrpc__status__descriptor, v->status.p,
			     v->status.len, RPC_MAX_DECODED_ITEMS) < 0)
		return -EBADMSG;
	Ttrpc__Status *st =
		ttrpc__status__unpack(NULL, v->status.len, v->status.p);
	if (!st)
		return -EBADMSG;
	v->code = st->code;
	/* the message points into the frame: find it there */
	if (st->message && *st->message) {
		size_t ml = strlen(st->message);
		const uint8_t *m = memmem(v->status.p, v->status.len,
					  st->message, ml);
		if (m) {
			v->message.p = m;
			v->message.len = ml;
		}
	}
	parse_error_detail(st, v);
	ttrpc__status__free_unpacked(st, NULL);
	return 0;
}

int rpc_slice_is(struct rpc_slice s, const char *str)
{
	size_t n = strlen(str);
	return s.len == n && (n == 0 || !memcmp(s.p, str, n));
}

static size_t varint_size(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static uint8_t *put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

/* A LEN field's key and length prefix (key < 16: one byte). */
static size_t len_prefix_size(size_t n)
{
	return 1 + varint_size(n);
}

static uint8_t *put_len_prefix(uint8_t *p, uint32_t num, size_t n)
{
	*p++ = (uint8_t)(num << 3 | WT_LEN);
	return put_varint(p, n);
}

static uint8_t *put_bytes(uint8_t *p, uint32_t num, const void *b, size_t n)
{
	p = put_len_prefix(p, num, n);
	memcpy(p, b, n);
	return p + n;
}

/* header + prefix + payload packed at the end; the caller writes the
 * prefix. Returns the frame, *pfx pointing after the header. */
static uint8_t *frame_alloc(uint32_t stream, uint8_t type, size_t pfx_len,
			    const ProtobufCMessage *payload, uint32_t max,
			    size_t *len, uint8_t **pfx)
{
	size_t pl = payload ? protobuf_c_message_get_packed_size(payload) : 0;
	size_t data = pfx_len + (pl ? len_prefix_size(pl) + pl : 0);
	if (data > max) {
		errno = EMSGSIZE;
		return NULL;
	}
	uint8_t *f = malloc(RPC_HDR_SIZE + data);
	if (!f)
		return NULL;
	struct rpc_hdr h = {.len = (uint32_t)data, .stream = stream,
			    .type = type};
	rpc_hdr_encode(f, &h);
	*pfx = f + RPC_HDR_SIZE;
	*len = RPC_HDR_SIZE + data;
	return f;
}

uint8_t *rpc_build_request(uint32_t stream, const char *service,
			   const char *method,
			   const ProtobufCMessage *payload, uint32_t max,
			   size_t *len)
{
	size_t sl = strlen(service), ml = strlen(method);
	size_t pfx_len = len_prefix_size(sl) + sl + len_prefix_size(ml) + ml;
	uint8_t *p;
	uint8_t *f = frame_alloc(stream, RPC_MSG_REQUEST, pfx_len, payload,
				 max, len, &p);
	if (!f)
		return NULL;
	p = put_bytes(p, REQ_SERVICE, service, sl);
	p = put_bytes(p, REQ_METHOD, method, ml);
	size_t pl = payload ? protobuf_c_message_get_packed_size(payload) : 0;
	if (pl) {
		p = put_len_prefix(p, REQ_PAYLOAD, pl);
		protobuf_c_message_pack(payload, p);
	}
	return f;
}

/* The packed ttrpc.Status of an error response (malloc'd). */
static uint8_t *status_pack(int32_t code, const char *message,
			    uint32_t vaccel_error, size_t *n)
{
	Vaccel__Error err = VACCEL__ERROR__INIT;
	err.type = RPC_ERR_FFI;
	err.opt_ffi_error_case = VACCEL__ERROR__OPT_FFI_ERROR_FFI_ERROR;
	err.ffi_error = vaccel_error;
	uint8_t ebuf[32];
	Ttrpc__Any any = TTRPC__ANY__INIT;
	Ttrpc__Any *anys[1] = {&any};
	Ttrpc__Status st = TTRPC__STATUS__INIT;
	st.code = code;
	st.message = (char *)(message ? message : "");
	if (vaccel_error) {
		any.type_url = (char *)RPC_ERROR_TYPE_URL;
		any.value.data = ebuf;
		any.value.len = vaccel__error__pack(&err, ebuf);
		st.details = anys;
		st.n_details = 1;
	}
	*n = ttrpc__status__get_packed_size(&st);
	uint8_t *b = malloc(*n ? *n : 1);
	if (b)
		ttrpc__status__pack(&st, b);
	return b;
}

uint8_t *rpc_build_response(uint32_t stream, int32_t code,
			    const char *message, uint32_t vaccel_error,
			    const ProtobufCMessage *payload, uint32_t max,
			    size_t *len)
{
	size_t sn = 0;
	uint8_t *sb = NULL;
	if (code != RPC_OK) {
		sb = status_pack(code, message, vaccel_error, &sn);
		if (!sb)
			return NULL;
		payload = NULL;
	}
	/* success: status {code 0} is the two bytes 0a 00, as upstream */
	size_t pfx_len = len_prefix_size(sn) + sn;
	uint8_t *p;
	uint8_t *f = frame_alloc(stream, RPC_MSG_RESPONSE, pfx_len, payload,
				 max, len, &p);
	if (f) {
		p = put_bytes(p, RESP_STATUS, sb ? sb : (const uint8_t *)"",
			      sn);
		size_t pl =
			payload ? protobuf_c_message_get_packed_size(payload) : 0;
		if (pl) {
			p = put_len_prefix(p, RESP_PAYLOAD, pl);
			protobuf_c_message_pack(payload, p);
		}
	}
	free(sb);
	return f;
}
