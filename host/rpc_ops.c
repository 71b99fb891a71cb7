// SPDX-License-Identifier: Apache-2.0
/*
 * Genop and ImageClassification (docs/rpc.md §3).
 *
 * Genop args follow vAccel's generic-operation convention: read arg 0 is
 * a UINT8 holding the op number. An op that names a resource by id (the
 * UAPI's VIRTIO_ACCEL_OPF_RESOURCE) carries this connection's id, which is
 * translated to the host resource here, exactly as the virtio transport
 * does. Write args come either with their current contents (upstream's
 * client: buf and size equal; answered with the whole buffer) or empty
 * with size = capacity (libvaccel-rpc.so: answered with the bytes
 * produced, size = produced, so size > capacity says the output did not
 * fit).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_accel.h>
#include <vaccel.h>

#include "genop.pb-c.h"
#include "image.pb-c.h"
#include "rpc_server.h"

struct genop_call {
	Vaccel__Genop__Response resp;
	Vaccel__Genop__Arg *out;
	Vaccel__Genop__Arg **outp;
	struct vaccel_arg *va; /* read (with the op) then write */
	uint32_t nr_read, nr_write;
	bool *sized; /* write arg i came empty, with its capacity */
	uint8_t **own; /* write arg i's buffer allocated here (sized), or NULL */
	int64_t host_res_id;
	uint8_t op;
};

static void genop_release(void *p)
{
	struct genop_call *g = p;
	struct vaccel_arg *wr = g->va ? g->va + g->nr_read : NULL;
	for (uint32_t i = 0; wr && i < g->nr_write; i++) {
		/* a plugin may have replaced buf: ours are freed by own[] */
		if (wr[i].owned && wr[i].buf != (g->own ? g->own[i] : NULL))
			vaccel_arg_release(&wr[i]);
		if (g->own)
			free(g->own[i]);
	}
	free(g->va);
	free(g->sized);
	free(g->own);
	free(g->out);
	free(g->outp);
	free(g);
}

static bool arg_ok(const Vaccel__Genop__Arg *a, bool write,
		   const struct device_opts *o, uint64_t *total, uint64_t *alloc)
{
	bool sized = write && a->buf.len == 0;
	if (a->arg_type > VIRTIO_ACCEL_ARG_CUSTOM || a->size > o->lim.max_arg_size)
		return false;
	if (!sized && a->buf.len != a->size)
		return false;
	*total += a->size;
	if (sized)
		*alloc += a->size;
	return *total <= o->lim.max_request_bytes;
}

/* Shape checks: counts, the op arg, types and sizes. */
static bool genop_shape_ok(struct rpc_ctx *c, const Vaccel__Genop__Request *q,
			   struct rpc_reply *r)
{
	uint64_t total = 0, alloc = 0;
	if (q->n_read_args < 1 ||
	    q->n_read_args + q->n_write_args > (size_t)c->o->lim.max_args + 1) {
		rpc_fail(r, RPC_INVALID_ARGUMENT,
			 "genop: 1 to %u args, the op first",
			 c->o->lim.max_args + 1);
		return false;
	}
	const Vaccel__Genop__Arg *a0 = q->read_args[0];
	if (a0->arg_type != VIRTIO_ACCEL_ARG_UINT8 || a0->buf.len != 1 ||
	    a0->size != 1) {
		rpc_fail(r, RPC_INVALID_ARGUMENT,
			 "genop: read arg 0 must be the UINT8 op");
		return false;
	}
	uint32_t op = a0->buf.data[0];
	if (!(virtio_accel_op_flags(op) & VIRTIO_ACCEL_OPF_CARRIED)) {
		rpc_fail(r, RPC_UNIMPLEMENTED, "genop: op %u is not carried",
			 op);
		return false;
	}
	for (size_t i = 0; i < q->n_read_args + q->n_write_args; i++) {
		bool w = i >= q->n_read_args;
		const Vaccel__Genop__Arg *a =
			w ? q->write_args[i - q->n_read_args] : q->read_args[i];
		if (!arg_ok(a, w, c->o, &total, &alloc)) {
			rpc_fail(r, RPC_INVALID_ARGUMENT,
				 "genop: %s arg %zu: bad type or size "
				 "(size must equal the bytes sent)",
				 w ? "write" : "read",
				 w ? i - q->n_read_args : i);
			return false;
		}
	}
	/* outputs sent by capacity are allocated here: the front-end's
	 * host-buffer budget, as for the virtio transport's bounces */
	if (alloc > c->o->max_inflight_bytes) {
		rpc_fail(r, RPC_RESOURCE_EXHAUSTED,
			 "genop: %llu output bytes over --max-inflight-bytes",
			 (unsigned long long)alloc);
		return false;
	}
	return true;
}

/* The host resource an OPF_RESOURCE op names in read arg 1. */
static struct fe_res *genop_resource(struct rpc_ctx *c,
				     const Vaccel__Genop__Request *q,
				     struct rpc_reply *r)
{
	int64_t id;
	if (q->n_read_args < 2 ||
	    q->read_args[1]->arg_type != VIRTIO_ACCEL_ARG_INT64 ||
	    q->read_args[1]->buf.len != sizeof(id)) {
		rpc_fail(r, RPC_INVALID_ARGUMENT,
			 "genop: the op needs an INT64 resource id first");
		return NULL;
	}
	memcpy(&id, q->read_args[1]->buf.data, sizeof(id));
	return rpc_res(c, id, r);
}

static int genop_args(struct genop_call *g, const Vaccel__Genop__Request *q)
{
	g->nr_read = (uint32_t)q->n_read_args;
	g->nr_write = (uint32_t)q->n_write_args;
	g->va = calloc(g->nr_read + g->nr_write, sizeof(*g->va));
	g->sized = calloc(g->nr_write + 1, sizeof(*g->sized));
	g->own = calloc(g->nr_write + 1, sizeof(*g->own));
	g->out = calloc(g->nr_write + 1, sizeof(*g->out));
	g->outp = calloc(g->nr_write + 1, sizeof(*g->outp));
	if (!g->va || !g->sized || !g->own || !g->out || !g->outp)
		return -1;
	for (uint32_t i = 0; i < g->nr_read + g->nr_write; i++) {
		bool w = i >= g->nr_read;
		Vaccel__Genop__Arg *a =
			w ? q->write_args[i - g->nr_read] : q->read_args[i];
		struct vaccel_arg *v = &g->va[i];
		v->buf = a->buf.data;
		v->size = a->size;
		v->type = (vaccel_arg_type_t)a->arg_type;
		v->custom_type_id = a->custom_type_id;
		if (w && !a->buf.len && a->size) {
			g->sized[i - g->nr_read] = true;
			v->buf = g->own[i - g->nr_read] = calloc(1, a->size);
			if (!v->buf)
				return -1;
		}
	}
	return 0;
}

/* The write args back, as their senders expect them. */
static void genop_outputs(struct genop_call *g, const Vaccel__Genop__Request *q)
{
	struct vaccel_arg *wr = g->va + g->nr_read;
	for (uint32_t i = 0; i < g->nr_write; i++) {
		const Vaccel__Genop__Arg *in = q->write_args[i];
		Vaccel__Genop__Arg *o = &g->out[i];
		size_t cap = in->size, produced = wr[i].size;
		size_t give = produced < cap ? produced : cap;
		vaccel__genop__arg__init(o);
		o->arg_type = (uint32_t)wr[i].type;
		o->custom_type_id = wr[i].custom_type_id;
		if (!g->sized[i]) {
			/* upstream's client: the whole buffer, its size */
			if (wr[i].buf != in->buf.data && wr[i].buf)
				memcpy(in->buf.data, wr[i].buf, give);
			o->buf = in->buf;
			o->size = in->size;
		} else {
			/* our buffer, whatever the plugin did with buf */
			if (wr[i].buf != g->own[i] && wr[i].buf && g->own[i])
				memcpy(g->own[i], wr[i].buf, give);
			o->buf.data = g->own[i];
			o->buf.len = g->own[i] ? give : 0;
			o->size = produced > UINT32_MAX ? UINT32_MAX
							: (uint32_t)produced;
		}
		g->outp[i] = o;
	}
	vaccel__genop__response__init(&g->resp);
	g->resp.write_args = g->outp;
	g->resp.n_write_args = g->nr_write;
}

/* An output sent by capacity did not fit: the model ops' genop layouts
 * (src/ops/genop_model.c) then return VACCEL_ENOSPC with the sizes needed,
 * which go back as size > capacity (the virtio device's OVERFLOW). */
static bool genop_overflowed(const struct genop_call *g,
			     const Vaccel__Genop__Request *q)
{
	const struct vaccel_arg *wr = g->va + g->nr_read;
	for (uint32_t i = 0; i < g->nr_write; i++)
		if (g->sized[i] && wr[i].size > q->write_args[i]->size)
			return true;
	return false;
}

void rpc_genop(struct rpc_ctx *c, const ProtobufCMessage *m,
	       struct rpc_reply *r)
{
	const Vaccel__Genop__Request *q = (const void *)m;
	if (!genop_shape_ok(c, q, r))
		return;
	struct fe_sess *fs = rpc_sess(c, q->session_id, r);
	if (!fs)
		return;
	struct fe_res *fr = NULL;
	struct genop_call *g = calloc(1, sizeof(*g));
	if (!g) {
		rpc_fail(r, RPC_RESOURCE_EXHAUSTED, "genop: out of memory");
		sess_put(fs);
		return;
	}
	g->op = q->read_args[0]->buf.data[0];
	if (virtio_accel_op_flags(g->op) & VIRTIO_ACCEL_OPF_RESOURCE) {
		if (!(fr = genop_resource(c, q, r)))
			goto out;
	}
	if (genop_args(g, q) < 0) {
		rpc_fail(r, RPC_RESOURCE_EXHAUSTED, "genop: out of memory");
		goto out;
	}
	if (fr) {
		g->host_res_id = fr->r->id;
		g->va[1].buf = &g->host_res_id;
	}
	int vret = g->op == VIRTIO_ACCEL_OP_NOOP && g->nr_read == 1 &&
				   !g->nr_write
			   ? vaccel_noop(fs->s)
			   : vaccel_genop(fs->s, g->va, (int)g->nr_read,
					  g->va + g->nr_read, (int)g->nr_write);
	if (vret == VACCEL_ENOSPC && genop_overflowed(g, q))
		vret = VACCEL_OK;
	if (rpc_vaccel(r, vret, "genop") == VACCEL_OK) {
		genop_outputs(g, q);
		r->payload = &g->resp.base;
	}
out:
	r->release = genop_release;
	r->priv = g;
	res_put(&c->objs, fr);
	sess_put(fs);
}

void rpc_image_classification(struct rpc_ctx *c, const ProtobufCMessage *m,
			      struct rpc_reply *r)
{
	static Vaccel__Image__Response resp;
	static unsigned char tags[RPC_IMAGE_TAGS_LEN];
	static unsigned char imgname[RPC_IMAGE_TAGS_LEN];
	const Vaccel__Image__Request *q = (const void *)m;
	if (!q->image.len) {
		rpc_fail(r, RPC_INVALID_ARGUMENT, "image: no image data");
		return;
	}
	struct fe_sess *fs = rpc_sess(c, q->session_id, r);
	if (!fs)
		return;
	memset(tags, 0, sizeof(tags));
	int vret = vaccel_image_classification(fs->s, q->image.data, tags,
					       imgname, q->image.len,
					       sizeof(tags), sizeof(imgname));
	if (rpc_vaccel(r, vret, "image classification") == VACCEL_OK) {
		vaccel__image__response__init(&resp);
		resp.tags.data = tags;
		resp.tags.len = sizeof(tags);
		r->payload = &resp.base;
	}
	sess_put(fs);
}
