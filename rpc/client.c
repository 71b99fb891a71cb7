// SPDX-License-Identifier: Apache-2.0
#include "client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode_bound.h"
#include "envelope.h"
#include "frame.h"

int rpc_client_open(struct rpc_client *c, const char *address,
		    int timeout_ms, const char **why)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->next_stream = 1;
	c->max_message = RPC_MAX_MESSAGE_COMPAT;
	int rc = rpc_addr_parse(address, &c->addr, why);
	if (rc < 0)
		return rc;
	c->fd = rpc_addr_connect(&c->addr, timeout_ms);
	return c->fd < 0 ? c->fd : 0;
}

void rpc_client_close(struct rpc_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static void status_from(const struct rpc_response_view *v,
			struct rpc_status *st)
{
	memset(st, 0, sizeof(*st));
	st->code = v->code;
	size_t n = v->message.len < sizeof(st->message) - 1
			   ? v->message.len
			   : sizeof(st->message) - 1;
	if (n)
		memcpy(st->message, v->message.p, n);
	st->vaccel_error = v->vaccel_error;
	st->has_vaccel_error = v->has_vaccel_error;
}

/* Read frames until the response of `stream`; -EPROTO for anything else. */
static int await_response(struct rpc_client *c, uint32_t stream,
			  int64_t deadline, uint8_t **data, uint32_t *len)
{
	struct rpc_hdr h;
	int timeout = 0;
	if (deadline) {
		int64_t left = deadline - rpc_now_ms();
		timeout = left > 0 ? (int)left : 1;
	}
	int rc = rpc_recv_frame(c->fd, &h, data, c->max_message, deadline,
				timeout);
	if (rc == -ENODATA || rc == -EMSGSIZE)
		rc = rc == -ENODATA ? -ECONNRESET : -EPROTO;
	if (rc < 0)
		return rc;
	if (h.type != RPC_MSG_RESPONSE || h.stream != stream) {
		free(*data);
		*data = NULL;
		return -EPROTO;
	}
	*len = h.len;
	return 0;
}

static int unpack_payload(const struct rpc_response_view *v,
			  const ProtobufCMessageDescriptor *desc,
			  ProtobufCMessage **resp)
{
	if (!desc)
		return 0;
	/* an agent's reply is bounded like a client's request */
	if (rpc_decode_bound(desc, v->payload.p, v->payload.len,
			     RPC_MAX_DECODED_ITEMS) < 0)
		return -EPROTO;
	*resp = protobuf_c_message_unpack(desc, NULL, v->payload.len,
					  v->payload.p);
	return *resp ? 0 : -EPROTO;
}

int rpc_client_call(struct rpc_client *c, const char *method,
		    const ProtobufCMessage *req,
		    const ProtobufCMessageDescriptor *resp_desc,
		    ProtobufCMessage **resp, struct rpc_status *st,
		    int timeout_ms)
{
	if (resp)
		*resp = NULL;
	if (c->fd < 0)
		return -ENOTCONN;
	uint32_t stream = c->next_stream;
	c->next_stream += 2;
	size_t flen;
	uint8_t *f = rpc_build_request(stream, RPC_SERVICE_SYNC, method, req,
				       c->max_message, &flen);
	if (!f)
		return errno == EMSGSIZE ? -EMSGSIZE : -ENOMEM;
	int64_t deadline = rpc_deadline(timeout_ms);
	int rc = rpc_write_full(c->fd, f, flen, deadline);
	free(f);
	uint8_t *data = NULL;
	uint32_t len = 0;
	if (!rc)
		rc = await_response(c, stream, deadline, &data, &len);
	struct rpc_response_view v;
	if (!rc && rpc_parse_response(data, len, &v) < 0)
		rc = -EPROTO;
	if (!rc) {
		status_from(&v, st);
		if (v.code == 0)
			rc = unpack_payload(&v, resp_desc, resp);
	}
	free(data);
	/* a failed stream cannot be re-synchronised: start over */
	if (rc < 0)
		rpc_client_close(c);
	return rc;
}
