// SPDX-License-Identifier: Apache-2.0
/*
 * The RPC transport of the virtio plugin core: libvaccel-rpc.so is
 * plugins/virtio/virtio.c + models.c linked with this file, which turns
 * every ioctl of the virtio-accel ABI (docs/protocol.md §9) into calls of
 * vAccel's RPC agent service (ttrpc + protobuf, RPC_SERVICE_SYNC), over
 * one connection per process to the address of $VACCEL_RPC_ADDRESS.
 *
 *   GET_INFO          answered here: protocol version 1, resources and
 *                     model ops, limits within one RPC message
 *   SESSION_CREATE    CreateSession{flags} -> session id
 *   SESSION_DESTROY   DestroySession{session id}
 *   RESOURCE_*        rpc_resources.c
 *   OP                rpc_genop.c (a Genop)
 *   TIMERS_GET        not carried (-EOPNOTSUPP; the core does not use it)
 *
 * Calls are serialised by one lock (one call in flight per process).
 */
#include "transport.h"

#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "rpc_ioc.h"
#include "rpc_link.h"
#include "rpc_restrack.h"
#include "rpc_wire.h"
#include "session.pb-c.h"
#include "virtio_internal.h"

/* The handle the core holds; the connection itself is rpc_link's. */
#define RPC_HANDLE 0

/* Limits reported by GET_INFO: the agent's defaults (max_args, blobs,
 * sessions, resources), and bytes that fit in one RPC message with the
 * envelope's overhead (args' headers, names) to spare. */
#define INFO_MAX_ARGS	   256
#define INFO_MAX_BLOBS	   64
#define INFO_MAX_SESSIONS  256
#define INFO_MAX_RESOURCES 1024
#define INFO_BYTES	   (RPC_MAX_MESSAGE_COMPAT - (1u << 20))

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void get_info(struct virtio_accel_ioc_info *i)
{
	struct virtio_accel_config *c = &i->config;
	memset(i, 0, sizeof(*i));
	i->version = VIRTIO_ACCEL_VERSION;
	i->num_queues = 1;
	i->features = (1ull << VIRTIO_ACCEL_F_RESOURCES) |
		      (1ull << VIRTIO_ACCEL_F_MODELS);
	c->version_min = htole16(VIRTIO_ACCEL_VERSION);
	c->version_max = htole16(VIRTIO_ACCEL_VERSION);
	c->num_queues = htole16(1);
	c->status = htole32(VIRTIO_ACCEL_S_HW_READY);
	c->max_args = htole32(INFO_MAX_ARGS);
	c->max_inline_bytes = htole32(INFO_BYTES);
	c->max_blobs = htole32(INFO_MAX_BLOBS);
	c->max_arg_size = htole64(INFO_BYTES);
	c->max_request_bytes = htole64(INFO_BYTES);
	c->max_sessions = htole32(INFO_MAX_SESSIONS);
	c->max_resources = htole32(INFO_MAX_RESOURCES);
}

static int session_create(struct virtio_accel_ioc_session *s)
{
	Vaccel__Session__CreateRequest q =
		VACCEL__SESSION__CREATE_REQUEST__INIT;
	ProtobufCMessage *resp = NULL;
	s->session_id = 0;
	if (s->reserved)
		return -EINVAL;
	q.flags = s->flags;
	int rc = link_call(RPC_M_CREATE_SESSION, &q.base,
			   &vaccel__session__create_response__descriptor, &resp,
			   &s->status, &s->vaccel_ret);
	if (resp) {
		int64_t id =
			((Vaccel__Session__CreateResponse *)resp)->session_id;
		s->session_id = id > 0 ? (uint64_t)id : 0;
		protobuf_c_message_free_unpacked(resp, NULL);
	}
	return rc;
}

static int session_destroy(struct virtio_accel_ioc_session *s)
{
	Vaccel__Session__DestroyRequest q =
		VACCEL__SESSION__DESTROY_REQUEST__INIT;
	if (s->reserved || !s->session_id || s->session_id > INT64_MAX)
		return -EINVAL;
	q.session_id = (int64_t)s->session_id;
	int rc = link_call(RPC_M_DESTROY_SESSION, &q.base, NULL, NULL,
			   &s->status, &s->vaccel_ret);
	if ((!rc && !s->vaccel_ret) || rc == -ENOENT)
		restrack_drop_session(q.session_id);
	return rc;
}

static int dispatch(unsigned long request, void *arg)
{
	switch (request) {
	case VIRTIO_ACCEL_IOC_GET_INFO:
		get_info(arg);
		return 0;
	case VIRTIO_ACCEL_IOC_SESSION_CREATE:
		return session_create(arg);
	case VIRTIO_ACCEL_IOC_SESSION_DESTROY:
		return session_destroy(arg);
	case VIRTIO_ACCEL_IOC_RESOURCE_CREATE:
		return rpc_ioc_resource_create(arg);
	case VIRTIO_ACCEL_IOC_RESOURCE_REGISTER:
		return rpc_ioc_resource_register(arg);
	case VIRTIO_ACCEL_IOC_RESOURCE_UNREGISTER:
		return rpc_ioc_resource_unregister(arg);
	case VIRTIO_ACCEL_IOC_RESOURCE_DESTROY:
		return rpc_ioc_resource_destroy(arg);
	case VIRTIO_ACCEL_IOC_OP:
		return rpc_ioc_op(arg);
	case VIRTIO_ACCEL_IOC_TIMERS_GET:
		((struct virtio_accel_ioc_timers *)arg)->status =
			VIRTIO_ACCEL_UNSUPP;
		return -EOPNOTSUPP;
	default:
		return -ENOTTY;
	}
}

static int rpc_open(const char *address)
{
	pthread_mutex_lock(&lock);
	int rc = link_open(address);
	pthread_mutex_unlock(&lock);
	return rc < 0 ? rc : RPC_HANDLE;
}

static int rpc_ioctl(int handle, unsigned long request, void *arg)
{
	if (handle != RPC_HANDLE)
		return -EBADF;
	if (!arg)
		return -EFAULT;
	pthread_mutex_lock(&lock);
	int rc = dispatch(request, arg);
	pthread_mutex_unlock(&lock);
	return rc;
}

static void rpc_close(int handle)
{
	(void)handle;
	pthread_mutex_lock(&lock);
	link_close();
	restrack_clear();
	pthread_mutex_unlock(&lock);
}

const struct virtio_transport virtio_transport = {
	.name = "rpc",
	.choose_path = link_choose_address,
	.open_hint = "is a vAccel RPC agent listening there? the address is "
		     "set with " RPC_ADDRESS_ENV,
	.open = rpc_open,
	.ioctl = rpc_ioctl,
	.close = rpc_close,
};
