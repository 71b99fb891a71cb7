// SPDX-License-Identifier: Apache-2.0
/*
 * The RPC transport's connection (rpc_link.h), on rpc/client.h.
 */
#include "rpc_link.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "frame.h"
#include "rpc_wire.h"
#include "virtio_internal.h"

/* Larger vAccel codes in a vaccel.Error are not errno values. */
#define VACCEL_CODE_MAX 4095

static struct {
	struct rpc_client c;
	bool parsed; /* c.addr is valid */
	pid_t pid;   /* the process that opened c.fd */
	int timeout_ms;
} lk = {.c = {.fd = -1}};

void link_choose_address(char *buf, size_t n)
{
	const char *a = getenv(RPC_ADDRESS_ENV);
	if (!a || !*a)
		a = getenv(RPC_ADDRESS_ENV_LEGACY);
	if (!a || !*a)
		a = RPC_ADDRESS_DEFAULT;
	snprintf(buf, n, "%s", a);
}

static int timeout_from_env(void)
{
	const char *s = getenv(RPC_TIMEOUT_ENV);
	char *end;
	if (!s || !*s)
		return RPC_TIMEOUT_DEFAULT_MS;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > RPC_TIMEOUT_MAX_MS) {
		vaccel_warn(PFX "ignoring " RPC_TIMEOUT_ENV "=%s (1 to %d "
				"milliseconds); using %d",
			    s, RPC_TIMEOUT_MAX_MS, RPC_TIMEOUT_DEFAULT_MS);
		return RPC_TIMEOUT_DEFAULT_MS;
	}
	return (int)v;
}

int link_open(const char *address)
{
	const char *why = NULL;
	link_close();
	lk.timeout_ms = timeout_from_env();
	int rc = rpc_client_open(&lk.c, address, lk.timeout_ms, &why);
	lk.parsed = lk.c.addr.len > 0; /* set by a successful parse */
	if (!lk.parsed)
		vaccel_error(PFX "%s: %s", address, why ? why : "bad address");
	lk.pid = getpid();
	return rc;
}

void link_close(void)
{
	rpc_client_close(&lk.c);
	lk.parsed = false;
}

const char *link_address(void)
{
	return lk.c.addr.text;
}

/* Milliseconds left before `deadline` (at least 1). */
static int left_ms(int64_t deadline)
{
	int64_t left = deadline - rpc_now_ms();
	return left < 1 ? 1 : (left > INT_MAX ? INT_MAX : (int)left);
}

/* A connection of this process: a forked child opens its own (sharing
 * the parent's would interleave two processes' frames). */
static int link_ensure(int64_t deadline)
{
	if (!lk.parsed)
		return -ENOTCONN;
	if (lk.c.fd >= 0 && lk.pid == getpid())
		return 0;
	if (lk.c.fd >= 0)
		close(lk.c.fd); /* the parent's copy stays open */
	lk.c.fd = -1;
	lk.c.next_stream = 1;
	lk.pid = getpid();
	int fd = rpc_addr_connect(&lk.c.addr, left_ms(deadline));
	if (fd < 0) {
		vaccel_error(PFX "%s: cannot reconnect: %s (is the agent "
				 "still listening there?)",
			     lk.c.addr.text, strerror(-fd));
		return fd == -ETIMEDOUT ? -ETIMEDOUT : -ECONNREFUSED;
	}
	lk.c.fd = fd;
	vaccel_debug(PFX "%s: reconnected", lk.c.addr.text);
	return 0;
}

/* A transport failure of rpc_client_call, logged once. */
static int transport_failed(const char *method, int rc)
{
	const char *a = lk.c.addr.text;
	switch (rc) {
	case -ETIMEDOUT:
		vaccel_error(PFX
			     "%s: %s: no answer within %d ms (" RPC_TIMEOUT_ENV
			     "); the connection is closed",
			     a, method, lk.timeout_ms);
		return -ETIMEDOUT;
	case -EPROTO:
		vaccel_error(PFX "%s: %s: the agent's answer is not a valid "
				 "response (frame, envelope or message); the "
				 "connection is closed",
			     a, method);
		return -EPROTO;
	case -EMSGSIZE:
		vaccel_error(PFX "%s: %s: the request exceeds the protocol's "
				 "message limit (%u bytes)",
			     a, method, RPC_MAX_MESSAGE_COMPAT);
		return -E2BIG;
	case -ENOMEM:
		vaccel_error(PFX "%s: %s: out of memory", a, method);
		return -ENOMEM;
	default:
		vaccel_error(PFX "%s: %s: the connection ended (%s); the next "
				 "call reconnects",
			     a, method, strerror(-rc));
		return -EIO;
	}
}

/* NOT_FOUND for an id the agent does not know (upstream's messages). */
static bool unknown_object(const struct rpc_status *st, uint32_t *status)
{
	if (!strncmp(st->message, "Unknown session", 15))
		*status = VIRTIO_ACCEL_NOSESS;
	else if (!strncmp(st->message, "Unknown resource", 16))
		*status = VIRTIO_ACCEL_NORES;
	else
		return false;
	return true;
}

/* A response whose status is not OK. */
static int status_failed(const char *method, const struct rpc_status *st,
			 uint32_t *status, int32_t *vret)
{
	const char *a = lk.c.addr.text;
	if (st->code == RPC_INTERNAL && st->has_vaccel_error &&
	    st->vaccel_error && st->vaccel_error <= VACCEL_CODE_MAX) {
		*vret = (int32_t)st->vaccel_error;
		return 0;
	}
	if (st->code == RPC_NOT_FOUND && unknown_object(st, status)) {
		vaccel_debug(PFX "%s: %s: %s", a, method, st->message);
		return -ENOENT;
	}
	vaccel_error(PFX "%s: %s: the agent answered status %d: %s", a, method,
		     st->code, st->message);
	switch (st->code) {
	case RPC_RESOURCE_EXHAUSTED:
		*status = VIRTIO_ACCEL_LIMIT;
		return -ENOSPC;
	case RPC_UNIMPLEMENTED:
		*status = VIRTIO_ACCEL_UNSUPP;
		return -EOPNOTSUPP;
	default:
		*status = VIRTIO_ACCEL_ERR;
		return -EIO;
	}
}

int link_call(const char *method, const ProtobufCMessage *req,
	      const ProtobufCMessageDescriptor *resp_desc,
	      ProtobufCMessage **resp, uint32_t *status, int32_t *vret)
{
	struct rpc_status st;
	int64_t deadline = rpc_deadline(lk.timeout_ms);
	*status = VIRTIO_ACCEL_OK;
	*vret = 0;
	if (resp)
		*resp = NULL;
	int rc = link_ensure(deadline);
	if (rc)
		return rc;
	rc = rpc_client_call(&lk.c, method, req, resp_desc, resp, &st,
			     left_ms(deadline));
	if (rc < 0)
		return transport_failed(method, rc);
	return st.code == RPC_OK ? 0 : status_failed(method, &st, status, vret);
}
