// SPDX-License-Identifier: Apache-2.0
/*
 * The fake agent of the error tests (fake_agent.h), on the wire helpers
 * of rpc/ (frames, envelopes, addresses).
 */
#include "fake_agent.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "address.h"
#include "envelope.h"
#include "frame.h"
#include "genop.pb-c.h"
#include "rpc_wire.h"
#include "session.pb-c.h"

#define POLL_MS	  50
#define FRAME_MAX (64u << 20)
#define SEND_MS	  5000

static int send_raw(int fd, const void *p, size_t n)
{
	return rpc_write_full(fd, p, n, rpc_deadline(SEND_MS));
}

/* A Response frame built by rpc_build_response. */
static int reply(int fd, uint32_t stream, int32_t code, const char *msg,
		 uint32_t vaccel_error, const ProtobufCMessage *payload)
{
	size_t len;
	uint8_t *f = rpc_build_response(stream, code, msg, vaccel_error,
					payload, FRAME_MAX, &len);
	if (!f)
		return -ENOMEM;
	int rc = send_raw(fd, f, len);
	free(f);
	return rc;
}

/* A frame of `type` carrying `data` as it is. */
static int frame(int fd, uint32_t stream, uint8_t type, const void *data,
		 uint32_t len)
{
	struct rpc_hdr h = {.len = len, .stream = stream, .type = type};
	return rpc_send_frame(fd, &h, len ? data : NULL, rpc_deadline(SEND_MS));
}

static int reply_session(int fd, uint32_t stream)
{
	Vaccel__Session__CreateResponse r =
		VACCEL__SESSION__CREATE_RESPONSE__INIT;
	r.session_id = 1;
	return reply(fd, stream, RPC_OK, NULL, 0, &r.base);
}

/* Genop's write arg 0 with `bytes` bytes and `size`. */
static int reply_output(int fd, uint32_t stream, size_t bytes, uint32_t size)
{
	static uint8_t junk[64];
	Vaccel__Genop__Arg a = VACCEL__GENOP__ARG__INIT;
	Vaccel__Genop__Arg *ap = &a;
	Vaccel__Genop__Response r = VACCEL__GENOP__RESPONSE__INIT;
	memset(junk, 'j', sizeof(junk));
	a.buf.data = junk;
	a.buf.len = bytes;
	a.size = size;
	a.arg_type = 28; /* BUFFER */
	r.write_args = &ap;
	r.n_write_args = 1;
	return reply(fd, stream, RPC_OK, NULL, 0, &r.base);
}

/* The header of a 100-byte Response and 10 of its bytes. */
static int half_frame(int fd, uint32_t stream)
{
	uint8_t f[RPC_HDR_SIZE + 10] = {0};
	struct rpc_hdr h = {
		.len = 100, .stream = stream, .type = RPC_MSG_RESPONSE};
	rpc_hdr_encode(f, &h);
	return send_raw(fd, f, sizeof(f));
}

/* The answer of the current mode; 1: close the connection. */
static int misbehave(struct fake_agent *f, int fd, uint32_t stream)
{
	/* envelope: status {} (0a 00), payload 0a 05 01: a LEN field of 5
	 * bytes with one */
	static const uint8_t bad_payload[] = {0x0a, 0x00, 0x12, 0x03,
					      0x0a, 0x05, 0x01};
	static const uint8_t junk_env[] = {0xff, 0xff, 0xff};
	static const char junk[] = "this is not a ttrpc frame\n";
	switch (atomic_load(&f->mode)) {
	case FAKE_OK:
		return reply(fd, stream, RPC_OK, NULL, 0, NULL);
	case FAKE_JUNK:
		return send_raw(fd, junk, sizeof(junk) - 1);
	case FAKE_DATA_FRAME:
		return frame(fd, stream, RPC_MSG_DATA, NULL, 0);
	case FAKE_WRONG_STREAM:
		return reply(fd, stream + 2, RPC_OK, NULL, 0, NULL);
	case FAKE_BAD_ENVELOPE:
		return frame(fd, stream, RPC_MSG_RESPONSE, junk_env,
			     sizeof(junk_env));
	case FAKE_BAD_PAYLOAD:
		return frame(fd, stream, RPC_MSG_RESPONSE, bad_payload,
			     sizeof(bad_payload));
	case FAKE_SILENT:
		return 0;
	case FAKE_HALF:
		return half_frame(fd, stream);
	case FAKE_CLOSE:
		return 1;
	case FAKE_STATUS:
		return reply(fd, stream, RPC_UNKNOWN, "boom", 0, NULL);
	case FAKE_VACCEL_ERROR:
		return reply(fd, stream, RPC_INTERNAL, "FFI error: 22", 22,
			     NULL);
	case FAKE_NOT_FOUND:
		return reply(fd, stream, RPC_NOT_FOUND, "Unknown session 1", 0,
			     NULL);
	case FAKE_BIG_OUTPUT:
		return reply_output(fd, stream, 64, 64);
	case FAKE_OVERFLOW:
		return reply_output(fd, stream, 0, 100);
	default:
		return 1;
	}
}

/* One request; <0 or 1 ends the connection. */
static int answer(struct fake_agent *f, int fd, const struct rpc_hdr *h,
		  const uint8_t *data)
{
	struct rpc_request_view v;
	if (h->type != RPC_MSG_REQUEST)
		return 0;
	if (rpc_parse_request(data, h->len, &v) < 0)
		return 1;
	if (rpc_slice_is(v.method, RPC_M_CREATE_SESSION))
		return reply_session(fd, h->stream);
	if (rpc_slice_is(v.method, RPC_M_DESTROY_SESSION))
		return reply(fd, h->stream, RPC_OK, NULL, 0, NULL);
	atomic_fetch_add(&f->calls, 1);
	return misbehave(f, fd, h->stream);
}

static void serve(struct fake_agent *f, int fd)
{
	while (!atomic_load(&f->stop)) {
		struct rpc_hdr h;
		uint8_t *data = NULL;
		int rc = rpc_recv_frame(fd, &h, &data, FRAME_MAX,
					rpc_deadline(POLL_MS), SEND_MS);
		if (rc == -ETIMEDOUT)
			continue;
		if (!rc)
			rc = answer(f, fd, &h, data);
		free(data);
		if (rc)
			break;
	}
	close(fd);
}

static void *agent_main(void *p)
{
	struct fake_agent *f = p;
	while (!atomic_load(&f->stop)) {
		struct pollfd pfd = {.fd = f->lfd, .events = POLLIN};
		if (poll(&pfd, 1, POLL_MS) <= 0)
			continue;
		int fd = accept4(f->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		atomic_fetch_add(&f->accepted, 1);
		serve(f, fd);
	}
	return NULL;
}

int fake_agent_start(struct fake_agent *f)
{
	struct rpc_addr a;
	const char *why;
	const char *tmp = getenv("TMPDIR");
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "%s/vaccel-fake-agent.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/agent.sock", f->dir);
	snprintf(f->address, sizeof(f->address), "unix://%s", f->path);
	if (rpc_addr_parse(f->address, &a, &why) < 0 ||
	    (f->lfd = rpc_addr_listen(&a, 4)) < 0)
		return -1;
	if (pthread_create(&f->thread, NULL, agent_main, f)) {
		close(f->lfd);
		return -1;
	}
	return 0;
}

void fake_agent_stop(struct fake_agent *f)
{
	atomic_store(&f->stop, true);
	pthread_join(f->thread, NULL);
	close(f->lfd);
	unlink(f->path);
	rmdir(f->dir);
}
