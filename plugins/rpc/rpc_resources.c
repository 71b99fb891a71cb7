// SPDX-License-Identifier: Apache-2.0
/*
 * The resource ioctls as RegisterResource / UnregisterResource calls:
 *
 *   RESOURCE_CREATE      RegisterRequest{blobs (type MAPPED, name, data,
 *                        size), resource_type, resource_id 0, session_id}
 *   RESOURCE_REGISTER    RegisterRequest{resource_id, session_id}
 *   RESOURCE_UNREGISTER  UnregisterRequest{resource_id, session_id}
 *   RESOURCE_DESTROY     an UnregisterRequest per session the resource is
 *                        still registered with (rpc_restrack.h): the agent
 *                        destroys it with its last registration
 */
#include <errno.h>
#include <stdlib.h>

#include "resource.pb-c.h"
#include "rpc_ioc.h"
#include "rpc_link.h"
#include "rpc_restrack.h"
#include "rpc_wire.h"
#include "virtio_internal.h"

static int blob_fill(Vaccel__Resource__Blob *b,
		     const struct virtio_accel_ioc_blob *in)
{
	if (in->flags || in->reserved || !in->name_uaddr ||
	    (in->data_len && !in->data_uaddr))
		return -EINVAL;
	if (in->data_len > UINT32_MAX)
		return -E2BIG;
	vaccel__resource__blob__init(b);
	b->type_ = RPC_BLOB_MAPPED;
	b->name = (char *)(uintptr_t)in->name_uaddr;
	b->data.data = (uint8_t *)(uintptr_t)in->data_uaddr;
	b->data.len = (size_t)in->data_len;
	b->size = (uint32_t)in->data_len;
	return 0;
}

static int create_check(const struct virtio_accel_ioc_resource_create *c)
{
	/* the agent creates a resource only to register it with a session */
	if (c->flags || c->reserved || !c->nr_blobs || !c->blobs ||
	    !c->session_id || c->session_id > INT64_MAX)
		return -EINVAL;
	return c->nr_blobs > VIRTIO_ACCEL_MAX_ARGS_LIMIT ? -E2BIG : 0;
}

static int unregister(int64_t res, int64_t sess, uint32_t *status,
		      int32_t *vret)
{
	Vaccel__Resource__UnregisterRequest q =
		VACCEL__RESOURCE__UNREGISTER_REQUEST__INIT;
	q.resource_id = res;
	q.session_id = sess;
	return link_call(RPC_M_UNREGISTER_RESOURCE, &q.base, NULL, NULL, status,
			 vret);
}

/* The new resource, tracked; undone if it cannot be. */
static int created(struct virtio_accel_ioc_resource_create *c, int64_t id)
{
	uint32_t st;
	int32_t vret;
	if (id <= 0)
		return 0; /* the core reports a missing id */
	if (restrack_add(id, (int64_t)c->session_id) < 0) {
		unregister(id, (int64_t)c->session_id, &st, &vret);
		return -ENOMEM;
	}
	c->resource_id = (uint64_t)id;
	return 0;
}

static int register_call(Vaccel__Resource__RegisterRequest *q, uint32_t *status,
			 int32_t *vret, int64_t *id)
{
	ProtobufCMessage *resp = NULL;
	int rc = link_call(RPC_M_REGISTER_RESOURCE, &q->base,
			   &vaccel__resource__register_response__descriptor,
			   &resp, status, vret);
	*id = 0;
	if (resp) {
		*id = ((Vaccel__Resource__RegisterResponse *)resp)->resource_id;
		protobuf_c_message_free_unpacked(resp, NULL);
	}
	return rc;
}

int rpc_ioc_resource_create(struct virtio_accel_ioc_resource_create *c)
{
	const struct virtio_accel_ioc_blob *in =
		(const void *)(uintptr_t)c->blobs;
	Vaccel__Resource__RegisterRequest q =
		VACCEL__RESOURCE__REGISTER_REQUEST__INIT;
	c->status = VIRTIO_ACCEL_OK;
	c->vaccel_ret = 0;
	c->resource_id = 0;
	int rc = create_check(c);
	if (rc)
		return rc;
	Vaccel__Resource__Blob *blobs = calloc(c->nr_blobs, sizeof(*blobs));
	Vaccel__Resource__Blob **ptrs = calloc(c->nr_blobs, sizeof(*ptrs));
	rc = blobs && ptrs ? 0 : -ENOMEM;
	for (uint32_t i = 0; !rc && i < c->nr_blobs; i++) {
		rc = blob_fill(&blobs[i], &in[i]);
		ptrs[i] = &blobs[i];
	}
	int64_t id = 0;
	if (!rc) {
		q.blobs = ptrs;
		q.n_blobs = c->nr_blobs;
		q.resource_type = c->type;
		q.session_id = (int64_t)c->session_id;
		rc = register_call(&q, &c->status, &c->vaccel_ret, &id);
	}
	if (!rc && !c->vaccel_ret)
		rc = created(c, id);
	free(blobs);
	free(ptrs);
	return rc;
}

int rpc_ioc_resource_register(struct virtio_accel_ioc_resource *r)
{
	Vaccel__Resource__RegisterRequest q =
		VACCEL__RESOURCE__REGISTER_REQUEST__INIT;
	int64_t id;
	r->vaccel_ret = 0;
	r->status = VIRTIO_ACCEL_OK;
	if (!r->resource_id || r->resource_id > INT64_MAX)
		return -EINVAL;
	q.resource_id = (int64_t)r->resource_id;
	q.session_id = (int64_t)r->session_id;
	int rc = register_call(&q, &r->status, &r->vaccel_ret, &id);
	if (!rc && !r->vaccel_ret &&
	    restrack_add(q.resource_id, q.session_id) < 0) {
		unregister(q.resource_id, q.session_id, &r->status,
			   &r->vaccel_ret);
		r->status = VIRTIO_ACCEL_OK;
		r->vaccel_ret = 0;
		return -ENOMEM;
	}
	return rc;
}

int rpc_ioc_resource_unregister(struct virtio_accel_ioc_resource *r)
{
	int rc = unregister((int64_t)r->resource_id, (int64_t)r->session_id,
			    &r->status, &r->vaccel_ret);
	if ((!rc && !r->vaccel_ret) || rc == -ENOENT)
		restrack_del((int64_t)r->resource_id, (int64_t)r->session_id);
	return rc;
}

/* Unregistered from every session left: the agent destroys it with the
 * last. A session the agent no longer knows is no failure. */
int rpc_ioc_resource_destroy(struct virtio_accel_ioc_resource *r)
{
	size_t n;
	int rc = 0;
	r->status = VIRTIO_ACCEL_OK;
	r->vaccel_ret = 0;
	int64_t *sess = restrack_take((int64_t)r->resource_id, &n);
	if (!n) {
		r->status = VIRTIO_ACCEL_NORES;
		return -ENOENT;
	}
	for (size_t i = 0; i < n && !rc && !r->vaccel_ret; i++) {
		rc = unregister((int64_t)r->resource_id, sess[i], &r->status,
				&r->vaccel_ret);
		if (rc == -ENOENT) {
			rc = 0;
			r->status = VIRTIO_ACCEL_OK;
		}
	}
	free(sess);
	return rc;
}
