// SPDX-License-Identifier: Apache-2.0
/*
 * The RPC method table (upstream's AgentService, docs/rpc.md §3), and the
 * methods on sessions, resources and the profiler.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vaccel.h>

#include "empty.pb-c.h"
#include "genop.pb-c.h"
#include "image.pb-c.h"
#include "decode_bound.h"
#include "log.h"
#include "profiling.pb-c.h"
#include "resbuild.h"
#include "resource.pb-c.h"
#include "rpc_server.h"
#include "session.pb-c.h"
#include "tf.pb-c.h"
#include "tflite.pb-c.h"
#include "torch.pb-c.h"

/* the session flag of vAccel's remote plugins (vaccel_plugin_type_t) */
enum { PLUGIN_REMOTE = 0x4000 };

void rpc_fail(struct rpc_reply *r, int32_t code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	r->code = code;
}

int rpc_vaccel(struct rpc_reply *r, int vret, const char *what)
{
	if (vret != VACCEL_OK) {
		rpc_fail(r, RPC_INTERNAL, "%s: vAccel error %d (%s)", what,
			 vret, strerror(vret));
		r->vaccel_error = (uint32_t)vret;
	}
	return vret;
}

struct fe_sess *rpc_sess(struct rpc_ctx *c, int64_t id, struct rpc_reply *r)
{
	struct fe_sess *fs = id > 0 ? sess_get(&c->objs, (uint64_t)id) : NULL;
	if (!fs)
		rpc_fail(r, RPC_NOT_FOUND, "Unknown session %" PRId64, id);
	return fs;
}

struct fe_res *rpc_res(struct rpc_ctx *c, int64_t id, struct rpc_reply *r)
{
	struct fe_res *fr = id > 0 ? res_get(&c->objs, (uint64_t)id) : NULL;
	if (!fr)
		rpc_fail(r, RPC_NOT_FOUND, "Unknown resource %" PRId64, id);
	return fr;
}

/* ---- sessions ---------------------------------------------------------- */

static void create_session(struct rpc_ctx *c, const ProtobufCMessage *m,
			   struct rpc_reply *r)
{
	const Vaccel__Session__CreateRequest *q = (const void *)m;
	static Vaccel__Session__CreateResponse resp;
	uint32_t slot;
	if (objects_reserve(&c->objs, &c->objs.sess, &slot) != 0) {
		rpc_fail(r, RPC_RESOURCE_EXHAUSTED,
			 "session limit reached (--max-sessions)");
		return;
	}
	struct fe_sess *fs = calloc(1, sizeof(*fs));
	if (!fs) {
		objects_unreserve(&c->objs, &c->objs.sess, slot);
		rpc_fail(r, RPC_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	atomic_init(&fs->refs, 1);
	pthread_mutex_init(&fs->tlock, NULL);
	int vret = vaccel_session_new(&fs->s, q->flags & ~PLUGIN_REMOTE);
	if (rpc_vaccel(r, vret, "session create") != VACCEL_OK) {
		objects_unreserve(&c->objs, &c->objs.sess, slot);
		fs->s = NULL;
		sess_put(fs);
		return;
	}
	objects_publish(&c->objs, &c->objs.sess, slot, fs);
	vaccel__session__create_response__init(&resp);
	resp.session_id = (int64_t)objects_id(&c->objs, slot);
	r->payload = &resp.base;
}

static void update_session(struct rpc_ctx *c, const ProtobufCMessage *m,
			   struct rpc_reply *r)
{
	const Vaccel__Session__UpdateRequest *q = (const void *)m;
	struct fe_sess *fs = rpc_sess(c, q->session_id, r);
	if (!fs)
		return;
	/* as upstream's agent: only the hint changes (vAccel deprecated
	 * updating a session's plugin) */
	fs->s->hint = q->flags & ~PLUGIN_REMOTE;
	sess_put(fs);
}

static void destroy_session(struct rpc_ctx *c, const ProtobufCMessage *m,
			    struct rpc_reply *r)
{
	const Vaccel__Session__DestroyRequest *q = (const void *)m;
	struct fe_sess *fs =
		q->session_id > 0 ? sess_take(&c->objs, (uint64_t)q->session_id)
				  : NULL;
	if (!fs)
		rpc_fail(r, RPC_NOT_FOUND, "Unknown session %" PRId64,
			 q->session_id);
	sess_put(fs);
}

/* ---- resources --------------------------------------------------------- */

/* Blobs by value: count, names, sizes; their total bytes. */
static bool blobs_ok(struct rpc_ctx *c, const Vaccel__Resource__RegisterRequest *q,
		     struct rpc_reply *r, uint64_t *bytes)
{
	*bytes = 0;
	if (q->n_blobs > c->o->lim.max_blobs) {
		rpc_fail(r, RPC_RESOURCE_EXHAUSTED, "too many blobs (%zu > %u)",
			 q->n_blobs, c->o->lim.max_blobs);
		return false;
	}
	if (q->resource_type > VACCEL_RESOURCE_MODEL) {
		rpc_fail(r, RPC_INVALID_ARGUMENT, "bad resource type %u",
			 q->resource_type);
		return false;
	}
	for (size_t i = 0; i < q->n_blobs; i++) {
		const Vaccel__Resource__Blob *b = q->blobs[i];
		if (!b->name || !blob_name_ok((const uint8_t *)b->name,
					      strlen(b->name) + 1) ||
		    b->size != b->data.len || !b->data.len ||
		    b->type_ > RPC_BLOB_MAPPED) {
			rpc_fail(r, RPC_INVALID_ARGUMENT,
				 "blob %zu: bad name, type or size", i);
			return false;
		}
		*bytes += b->data.len;
	}
	return true;
}

static int build_resource(struct fe_res *fr,
			  const Vaccel__Resource__RegisterRequest *q,
			  struct rpc_reply *r)
{
	struct named_buf *nb = calloc(q->n_blobs, sizeof(*nb));
	if (!nb)
		return rpc_vaccel(r, VACCEL_ENOMEM, "resource create");
	for (size_t i = 0; i < q->n_blobs; i++)
		nb[i] = (struct named_buf){q->blobs[i]->name,
					   q->blobs[i]->data.data,
					   q->blobs[i]->data.len};
	const char *err = NULL;
	int vret = resource_from_named(&fr->r, nb, (uint32_t)q->n_blobs,
				       (vaccel_resource_type_t)q->resource_type,
				       &err);
	free(nb);
	return rpc_vaccel(r, vret, err ? err : "resource create");
}

static void create_resource(struct rpc_ctx *c,
			    const Vaccel__Resource__RegisterRequest *q,
			    struct fe_sess *fs, struct rpc_reply *r)
{
	static Vaccel__Resource__RegisterResponse resp;
	uint64_t bytes;
	uint32_t slot;
	if (!blobs_ok(c, q, r, &bytes))
		return;
	if (objects_reserve(&c->objs, &c->objs.res, &slot) != 0) {
		rpc_fail(r, RPC_RESOURCE_EXHAUSTED,
			 "resource limit reached (--max-resources)");
		return;
	}
	struct fe_res *fr = calloc(1, sizeof(*fr));
	if (!fr) {
		rpc_fail(r, RPC_RESOURCE_EXHAUSTED, "out of memory");
		goto undo;
	}
	atomic_init(&fr->refs, 1);
	if (!objects_charge_bytes(&c->objs, bytes)) {
		rpc_fail(r, RPC_RESOURCE_EXHAUSTED,
			 "resource byte budget exhausted "
			 "(--max-resource-bytes)");
		goto undo;
	}
	fr->bytes = bytes;
	if (build_resource(fr, q, r) != VACCEL_OK ||
	    rpc_vaccel(r, vaccel_resource_register(fr->r, fs->s),
		       "resource register") != VACCEL_OK)
		goto undo;
	objects_publish(&c->objs, &c->objs.res, slot, fr);
	vaccel__resource__register_response__init(&resp);
	resp.resource_id = (int64_t)objects_id(&c->objs, slot);
	r->payload = &resp.base;
	return;
undo:
	objects_unreserve(&c->objs, &c->objs.res, slot);
	res_put(&c->objs, fr);
}

/* resource_id > 0: register an existing resource with another session */
static void register_existing(struct rpc_ctx *c, int64_t id,
			      struct fe_sess *fs, struct rpc_reply *r)
{
	static Vaccel__Resource__RegisterResponse resp;
	struct fe_res *fr = rpc_res(c, id, r);
	if (!fr)
		return;
	if (rpc_vaccel(r, vaccel_resource_register(fr->r, fs->s),
		       "resource register") == VACCEL_OK) {
		vaccel__resource__register_response__init(&resp);
		resp.resource_id = id;
		r->payload = &resp.base;
	}
	res_put(&c->objs, fr);
}

static void register_resource(struct rpc_ctx *c, const ProtobufCMessage *m,
			      struct rpc_reply *r)
{
	const Vaccel__Resource__RegisterRequest *q = (const void *)m;
	if (q->resource_id <= 0 && !q->n_blobs) {
		if (q->n_paths)
			rpc_fail(r, RPC_PERMISSION_DENIED,
				 "resources come by value only: host paths "
				 "are refused");
		else
			rpc_fail(r, RPC_INVALID_ARGUMENT,
				 "No paths or blobs provided");
		return;
	}
	struct fe_sess *fs = rpc_sess(c, q->session_id, r);
	if (!fs)
		return;
	if (q->resource_id > 0)
		register_existing(c, q->resource_id, fs, r);
	else
		create_resource(c, q, fs, r);
	sess_put(fs);
}

/* Unregister; a resource registered with no session any more is
 * destroyed (upstream's agent does the same). */
static void unregister_resource(struct rpc_ctx *c, const ProtobufCMessage *m,
				struct rpc_reply *r)
{
	const Vaccel__Resource__UnregisterRequest *q = (const void *)m;
	struct fe_res *fr = rpc_res(c, q->resource_id, r);
	struct fe_sess *fs = fr ? rpc_sess(c, q->session_id, r) : NULL;
	if (fs && rpc_vaccel(r, vaccel_resource_unregister(fr->r, fs->s),
			     "resource unregister") == VACCEL_OK &&
	    vaccel_resource_refcount(fr->r) == 0)
		res_put(&c->objs, res_take(&c->objs, (uint64_t)q->resource_id));
	sess_put(fs);
	res_put(&c->objs, fr);
}

struct sync_priv {
	Vaccel__Resource__SyncResponse resp;
	Vaccel__Resource__Blob *blobs;
	Vaccel__Resource__Blob **ptrs;
};

static void sync_release(void *p)
{
	struct sync_priv *s = p;
	free(s->blobs);
	free(s->ptrs);
	free(s);
}

/* Each blob's current bytes (only `data` and `size`, as upstream). */
static void sync_resource(struct rpc_ctx *c, const ProtobufCMessage *m,
			  struct rpc_reply *r)
{
	const Vaccel__Resource__SyncRequest *q = (const void *)m;
	struct fe_res *fr = rpc_res(c, q->resource_id, r);
	if (!fr)
		return;
	size_t n = fr->r->nr_blobs;
	struct sync_priv *s = calloc(1, sizeof(*s));
	if (s) {
		s->blobs = calloc(n ? n : 1, sizeof(*s->blobs));
		s->ptrs = calloc(n ? n : 1, sizeof(*s->ptrs));
	}
	if (!s || !s->blobs || !s->ptrs) {
		if (s)
			sync_release(s);
		rpc_fail(r, RPC_RESOURCE_EXHAUSTED, "out of memory");
		res_put(&c->objs, fr);
		return;
	}
	vaccel__resource__sync_response__init(&s->resp);
	for (size_t i = 0; i < n; i++) {
		const struct vaccel_blob *b = fr->r->blobs[i];
		vaccel__resource__blob__init(&s->blobs[i]);
		s->blobs[i].data.data = b->data;
		s->blobs[i].data.len = b->data ? b->size : 0;
		s->blobs[i].size = (uint32_t)s->blobs[i].data.len;
		s->ptrs[i] = &s->blobs[i];
	}
	s->resp.blobs = s->ptrs;
	s->resp.n_blobs = n;
	r->payload = &s->resp.base;
	r->release = sync_release;
	r->priv = s;
	/* the blobs stay alive: the resource is released at disconnect or
	 * by an unregister, both after this response is sent */
	res_put(&c->objs, fr);
}

/* ---- profiler ---------------------------------------------------------- */

/* Host timers are kept for the virtio transport only; the profiler is
 * absent here, which upstream's client accepts (profiling off). */
static void get_profiler(struct rpc_ctx *c, const ProtobufCMessage *m,
			 struct rpc_reply *r)
{
	static Vaccel__Profiling__Response resp;
	const Vaccel__Profiling__Request *q = (const void *)m;
	struct fe_sess *fs = rpc_sess(c, q->session_id, r);
	if (!fs)
		return;
	sess_put(fs);
	vaccel__profiling__response__init(&resp);
	r->payload = &resp.base;
}

/* ---- the table --------------------------------------------------------- */

struct rpc_method {
	const char *name;
	const ProtobufCMessageDescriptor *req;
	rpc_handler *fn;
};

static const struct rpc_method methods[] = {
	{RPC_M_CREATE_SESSION, &vaccel__session__create_request__descriptor,
	 create_session},
	{RPC_M_UPDATE_SESSION, &vaccel__session__update_request__descriptor,
	 update_session},
	{RPC_M_DESTROY_SESSION, &vaccel__session__destroy_request__descriptor,
	 destroy_session},
	{RPC_M_REGISTER_RESOURCE,
	 &vaccel__resource__register_request__descriptor, register_resource},
	{RPC_M_UNREGISTER_RESOURCE,
	 &vaccel__resource__unregister_request__descriptor,
	 unregister_resource},
	{RPC_M_SYNC_RESOURCE, &vaccel__resource__sync_request__descriptor,
	 sync_resource},
	{RPC_M_IMAGE_CLASSIFICATION, &vaccel__image__request__descriptor,
	 rpc_image_classification},
	{RPC_M_TF_MODEL_LOAD, &vaccel__tf__model_load_request__descriptor,
	 rpc_tf_load},
	{RPC_M_TF_MODEL_UNLOAD, &vaccel__tf__model_unload_request__descriptor,
	 rpc_tf_unload},
	{RPC_M_TF_MODEL_RUN, &vaccel__tf__model_run_request__descriptor,
	 rpc_tf_run},
	{RPC_M_TFLITE_MODEL_LOAD,
	 &vaccel__tflite__model_load_request__descriptor, rpc_tflite_load},
	{RPC_M_TFLITE_MODEL_UNLOAD,
	 &vaccel__tflite__model_unload_request__descriptor,
	 rpc_tflite_unload},
	{RPC_M_TFLITE_MODEL_RUN,
	 &vaccel__tflite__model_run_request__descriptor, rpc_tflite_run},
	{RPC_M_TORCH_MODEL_LOAD,
	 &vaccel__torch__model_load_request__descriptor, rpc_torch_load},
	{RPC_M_TORCH_MODEL_RUN, &vaccel__torch__model_run_request__descriptor,
	 rpc_torch_run},
	{RPC_M_GENOP, &vaccel__genop__request__descriptor, rpc_genop},
	{RPC_M_GET_PROFILER, &vaccel__profiling__request__descriptor,
	 get_profiler},
};

static const struct rpc_method *find_method(struct rpc_slice name)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (rpc_slice_is(name, methods[i].name))
			return &methods[i];
	return NULL;
}

/* A client's name for a message: at most 64 bytes, never NULL. */
static const char *name_of(struct rpc_slice s, int *len)
{
	*len = s.len > 64 ? 64 : (int)s.len;
	return s.p ? (const char *)s.p : "";
}

void rpc_dispatch(struct rpc_ctx *c, const struct rpc_request_view *v,
		  struct rpc_reply *r)
{
	int svc_len, m_len;
	const char *svc = name_of(v->service, &svc_len);
	const char *meth = name_of(v->method, &m_len);
	if (!rpc_slice_is(v->service, RPC_SERVICE_SYNC) &&
	    !rpc_slice_is(v->service, RPC_SERVICE_ASYNC)) {
		rpc_fail(r, RPC_INVALID_ARGUMENT,
			 "%.*s service does not exist", svc_len, svc);
		return;
	}
	const struct rpc_method *m = find_method(v->method);
	if (!m) {
		rpc_fail(r, RPC_UNIMPLEMENTED, "/%.*s/%.*s does not exist",
			 svc_len, svc, m_len, meth);
		return;
	}
	int rc = rpc_decode_bound(m->req, v->payload.p, v->payload.len,
				  RPC_MAX_DECODED_ITEMS);
	if (rc == -E2BIG) {
		rpc_fail(r, RPC_RESOURCE_EXHAUSTED,
			 "%s: more than %u fields and elements in the request",
			 m->name, RPC_MAX_DECODED_ITEMS);
		return;
	}
	ProtobufCMessage *req =
		rc < 0 ? NULL
		       : protobuf_c_message_unpack(m->req, NULL,
						   v->payload.len,
						   v->payload.p);
	if (!req) {
		rpc_fail(r, RPC_INVALID_ARGUMENT, "%s: malformed request",
			 m->name);
		return;
	}
	/* the reply may point into the request: freed after packing */
	r->req = req;
	m->fn(c, req, r);
}
