// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target: the daemon's RPC front door as one connection sees it
 * - the ttrpc frame header (rpc/frame.c), the envelope reader
 * rpc_parse_request (rpc/envelope.c), and rpc_dispatch with every method
 * handler (host/rpc_methods.c, rpc_ops.c, rpc_models.c, rpc_tf.c) running
 * on the project's libvaccel with the noop plugin; each reply is packed
 * into a Response frame (rpc_build_response) and read back
 * (rpc_parse_response).
 *
 * Input: the bytes a client sends, i.e. frames back to back (10-byte
 * header, then its data). Request frames get exactly the checks of
 * host/rpc_conn.c (odd stream, no streaming flags, a well-formed
 * envelope) before dispatch; other types are skipped; a frame whose data
 * the input cuts short or that is longer than MAX_MESSAGE ends the input
 * (the server would close the connection there).
 *
 * Deterministic and leak-free per input: every input starts from a fresh
 * object table whose generation is fixed to 1 (so ids are predictable:
 * session 1 is (1 << 32) | 1, the first resource the same) holding one
 * session created by a CreateSession at its start; everything the input
 * created is released at its end. Limits are small (an arg of 1 MiB,
 * 4 MiB per request), so a sized output cannot ask for gigabytes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vaccel.h>

#include "envelope.h"
#include "frame.h"
#include "log.h"
#include "rpc_server.h"

#ifndef FUZZ_NOOP_PLUGIN
#error "FUZZ_NOOP_PLUGIN: the path of libvaccel-noop.so"
#endif

#define MAX_MESSAGE  (1u << 20) /* request frames */
#define MAX_RESPONSE (64u << 20)
#define MAX_FRAMES   32

static struct device_opts opts;
static bool verbose; /* FUZZ_RPC_VERBOSE: each reply on stderr */

static void check(bool ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	dev_log_level = -1; /* the daemon's own log lines: none */
	verbose = getenv("FUZZ_RPC_VERBOSE") != NULL;
	/* the library constructor bootstrapped from the environment:
	 * again, with the noop plugin and no log output */
	vaccel_cleanup();
	struct vaccel_config cfg;
	if (vaccel_config_init(&cfg, FUZZ_NOOP_PLUGIN, VACCEL_LOG_ERROR,
			       "/dev/null", false, false) != VACCEL_OK ||
	    vaccel_bootstrap_with_config(&cfg) != VACCEL_OK)
		abort();
	vaccel_config_release(&cfg);
	opts = (struct device_opts){
		.rpc_max_message = MAX_RESPONSE,
		.lim = {.max_args = 32,
			.max_blobs = 8,
			.max_arg_size = 1u << 20,
			.max_request_bytes = 4u << 20},
		.max_sessions = 8,
		.max_resources = 8,
		.max_inflight_bytes = 4u << 20,
		.max_resource_bytes = 4u << 20,
		.stats_fd = -1,
		.serve_fd = -1,
	};
	return 0;
}

static void reply_done(struct rpc_reply *r)
{
	if (r->release)
		r->release(r->priv);
	if (r->req)
		protobuf_c_message_free_unpacked(r->req, NULL);
}

/* Pack the reply as host/rpc_conn.c does, and read it back. */
static void respond(uint32_t stream, struct rpc_reply *r)
{
	size_t len = 0;
	uint8_t *f = rpc_build_response(stream, r->code, r->msg,
					r->vaccel_error, r->payload,
					opts.rpc_max_message, &len);
	if (!f && errno == EMSGSIZE) {
		rpc_fail(r, RPC_RESOURCE_EXHAUSTED, "response too large");
		r->vaccel_error = 0;
		f = rpc_build_response(stream, r->code, r->msg, 0, NULL,
				       opts.rpc_max_message, &len);
	}
	check(f != NULL && len >= RPC_HDR_SIZE);
	if (verbose)
		fprintf(stderr, "stream %u: %d %s (%zu bytes)\n", stream,
			r->code, r->msg, len);
	struct rpc_hdr h;
	rpc_hdr_decode(f, &h);
	check(h.len == len - RPC_HDR_SIZE && h.stream == stream &&
	      h.type == RPC_MSG_RESPONSE && h.flags == 0);
	struct rpc_response_view v;
	check(rpc_parse_response(f + RPC_HDR_SIZE, h.len, &v) == 0);
	check(v.code == r->code);
	check(v.has_vaccel_error == (r->code != RPC_OK && r->vaccel_error));
	if (v.has_vaccel_error)
		check(v.vaccel_error == r->vaccel_error);
	if (r->code != RPC_OK)
		check(v.payload.len == 0);
	free(f);
}

/* One Request frame, as host/rpc_conn.c's handle_request. */
static void request(struct rpc_ctx *c, const struct rpc_hdr *h,
		    const uint8_t *data)
{
	struct rpc_reply r = {0};
	struct rpc_request_view v;
	if (!(h->stream & 1))
		rpc_fail(&r, RPC_INVALID_ARGUMENT, "even stream id");
	else if (h->flags & (RPC_FLAG_REMOTE_OPEN | RPC_FLAG_NO_DATA))
		rpc_fail(&r, RPC_UNIMPLEMENTED, "client streaming");
	else if (rpc_parse_request(data, h->len, &v) < 0)
		rpc_fail(&r, RPC_INVALID_ARGUMENT, "malformed ttrpc request");
	else {
		/* the view's slices lie inside the frame */
		check(v.service.len <= h->len && v.method.len <= h->len &&
		      v.payload.len <= h->len);
		rpc_dispatch(c, &v, &r);
	}
	respond(h->stream, &r);
	reply_done(&r);
}

/* Session 1 of every input. */
static void first_session(struct rpc_ctx *c)
{
	struct rpc_request_view v = {
		.service = {(const uint8_t *)RPC_SERVICE_SYNC,
			    strlen(RPC_SERVICE_SYNC)},
		.method = {(const uint8_t *)RPC_M_CREATE_SESSION,
			   strlen(RPC_M_CREATE_SESSION)},
	};
	struct rpc_reply r = {0};
	rpc_dispatch(c, &v, &r);
	check(r.code == RPC_OK);
	reply_done(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpc_ctx c = {.o = &opts, .id = 1};
	if (objects_init(&c.objs, opts.max_sessions, opts.max_resources,
			 opts.max_resource_bytes) < 0)
		abort();
	c.objs.gen = 1;
	first_session(&c);
	for (int n = 0; n < MAX_FRAMES && size >= RPC_HDR_SIZE; n++) {
		struct rpc_hdr h;
		rpc_hdr_decode(data, &h);
		uint8_t again[RPC_HDR_SIZE];
		rpc_hdr_encode(again, &h);
		check(!memcmp(again, data, RPC_HDR_SIZE));
		data += RPC_HDR_SIZE;
		size -= RPC_HDR_SIZE;
		if (h.len > MAX_MESSAGE) {
			/* refused unread; the connection ends */
			struct rpc_reply r = {0};
			rpc_fail(&r, RPC_RESOURCE_EXHAUSTED, "too large");
			respond(h.stream, &r);
			break;
		}
		if (h.len > size)
			break; /* cut short: the server waits, then closes */
		if (h.type == RPC_MSG_REQUEST) {
			/* the data in an allocation of its own, as received,
			 * so that overreads are caught */
			uint8_t *d = h.len ? malloc(h.len) : NULL;
			check(!h.len || d);
			if (h.len)
				memcpy(d, data, h.len);
			request(&c, &h, d);
			free(d);
		}
		data += h.len;
		size -= h.len;
	}
	uint32_t ns, nr;
	objects_release_all(&c.objs, &ns, &nr);
	objects_destroy(&c.objs);
	return 0;
}
