// SPDX-License-Identifier: Apache-2.0
/*
 * One RPC connection (host/rpc_server.h): frames in, one response per
 * request out, in order. Bounds: a frame's data is at most
 * --rpc-max-message bytes (a larger one is answered RESOURCE_EXHAUSTED and
 * the connection ends: its bytes are not read); a frame, once its header
 * arrived, must be complete within FRAME_TIMEOUT_MS; a response must be
 * taken by the client within SEND_TIMEOUT_MS, or the connection ends (a
 * client that never reads its replies holds only its own process).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "frame.h"
#include "log.h"
#include "rpc_server.h"

#define FRAME_TIMEOUT_MS 60000
#define SEND_TIMEOUT_MS	 60000

static int send_reply(struct rpc_ctx *c, int sock, uint32_t stream,
		      struct rpc_reply *r)
{
	size_t len = 0;
	uint8_t *f = rpc_build_response(stream, r->code, r->msg,
					r->vaccel_error, r->payload,
					c->o->rpc_max_message, &len);
	if (!f && errno == EMSGSIZE) {
		rpc_fail(r, RPC_RESOURCE_EXHAUSTED,
			 "response larger than --rpc-max-message");
		r->vaccel_error = 0;
		f = rpc_build_response(stream, r->code, r->msg, 0, NULL,
				       c->o->rpc_max_message, &len);
	}
	if (!f)
		return -ENOMEM;
	int rc = rpc_write_full(sock, f, len, rpc_deadline(SEND_TIMEOUT_MS));
	free(f);
	return rc;
}

static void reply_done(struct rpc_reply *r)
{
	if (r->release)
		r->release(r->priv);
	if (r->req)
		protobuf_c_message_free_unpacked(r->req, NULL);
}

/* One Request frame: checks, dispatch, response. <0 ends the stream. */
static int handle_request(struct rpc_ctx *c, int sock, const struct rpc_hdr *h,
			  const uint8_t *data)
{
	struct rpc_reply r = {0};
	struct rpc_request_view v;
	c->nr_requests++;
	if (!(h->stream & 1))
		rpc_fail(&r, RPC_INVALID_ARGUMENT,
			 "stream id %u: clients use odd ids", h->stream);
	else if (h->flags & (RPC_FLAG_REMOTE_OPEN | RPC_FLAG_NO_DATA))
		rpc_fail(&r, RPC_UNIMPLEMENTED,
			 "client streaming is not supported");
	else if (rpc_parse_request(data, h->len, &v) < 0)
		rpc_fail(&r, RPC_INVALID_ARGUMENT, "malformed ttrpc request");
	else
		rpc_dispatch(c, &v, &r);
	if (r.code != RPC_OK) {
		c->nr_errors++;
		LOG_DBG("rpc %u: stream %u: %s", c->id, h->stream, r.msg);
	}
	int rc = send_reply(c, sock, h->stream, &r);
	reply_done(&r);
	return rc;
}

/* The too-large frame: answered, then the stream ends (its data is not
 * read, so nothing after it can be framed). */
static void refuse_large(struct rpc_ctx *c, int sock, const struct rpc_hdr *h)
{
	struct rpc_reply r = {0};
	rpc_fail(&r, RPC_RESOURCE_EXHAUSTED,
		 "message length %u exceeds the maximum of %u", h->len,
		 c->o->rpc_max_message);
	LOG_ERR("rpc %u: %s; closing the connection", c->id, r.msg);
	send_reply(c, sock, h->stream, &r);
}

static int serve_loop(struct rpc_ctx *c, int sock)
{
	for (;;) {
		struct rpc_hdr h;
		uint8_t *data = NULL;
		int rc = rpc_recv_frame(sock, &h, &data, c->o->rpc_max_message,
					0, FRAME_TIMEOUT_MS);
		if (rc == -ENODATA || rc == -ECONNRESET)
			return 0;
		if (rc == -EMSGSIZE) {
			refuse_large(c, sock, &h);
			return 0;
		}
		if (rc < 0) {
			LOG_ERR("rpc %u: receiving: %s; closing the connection",
				c->id, strerror(-rc));
			return 0;
		}
		/* Data frames belong to client streaming, which is refused
		 * at its Request; others are ignored as ttrpc servers do */
		if (h.type == RPC_MSG_REQUEST)
			rc = handle_request(c, sock, &h, data);
		free(data);
		if (rc < 0) {
			LOG_ERR("rpc %u: sending: %s; closing the connection",
				c->id, strerror(-rc));
			return 0;
		}
	}
}

int rpc_serve(int sock, unsigned int id, const struct device_opts *o)
{
	struct rpc_ctx c = {.o = o, .id = id};
	if (objects_init(&c.objs, o->max_sessions, o->max_resources,
			 o->max_resource_bytes) < 0)
		return -1;
	LOG_INFO("rpc %u: connected", id);
	serve_loop(&c, sock);
	uint32_t ns, nr;
	objects_release_all(&c.objs, &ns, &nr);
	objects_destroy(&c.objs);
	close(sock);
	LOG_INFO("rpc %u disconnected: released %u sessions, %u resources; "
		 "%" PRIu64 " requests, %" PRIu64 " errors",
		 id, ns, nr, c.nr_requests, c.nr_errors);
	stats_line("event=disconnect frontend=%u transport=rpc "
		   "sessions_released=%u resources_released=%u requests=%" PRIu64
		   " errors=%" PRIu64 "\n",
		   id, ns, nr, c.nr_requests, c.nr_errors);
	return 0;
}
