// SPDX-License-Identifier: Apache-2.0
#include "commands.h"

#include <endian.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vaccel.h>

#include "argmem.h"
#include "frontend.h"
#include "log.h"
#include "resbuild.h"
#include "timers.h"

/* the session flag of vAccel's remote plugins (vaccel_plugin_type_t) */
enum { PLUGIN_REMOTE = 0x4000 };

struct result {
	uint32_t status;
	int32_t vret;
	uint64_t object_id;
	struct virtio_accel_resp_arg *resp;
	const char *err;
};

static void timer(struct frontend *fe, struct fe_sess *fs, unsigned int t,
		  uint64_t start)
{
	if (fe->o->profiling)
		timer_add(fs, t, start, now_ns());
}

static void cmd_session_create(struct frontend *fe, const struct request *req,
			       struct result *res)
{
	if (req->nr_read || req->nr_write || req->session_id ||
	    req->object_id) {
		res->status = VIRTIO_ACCEL_BADMSG;
		res->err = "SESSION_CREATE takes no args or ids";
		return;
	}
	/* reserve a slot first so the limit error is clear and cheap; the
	 * session is reachable by its id only once it exists */
	uint32_t slot = 0;
	res->status = objects_reserve(&fe->objs, &fe->objs.sess, &slot);
	if (res->status != VIRTIO_ACCEL_OK) {
		res->err = "session limit reached (--max-sessions)";
		return;
	}
	struct fe_sess *fs = calloc(1, sizeof(*fs));
	if (!fs) {
		objects_unreserve(&fe->objs, &fe->objs.sess, slot);
		res->status = VIRTIO_ACCEL_ERR;
		return;
	}
	atomic_init(&fs->refs, 1);
	pthread_mutex_init(&fs->tlock, NULL);
	uint64_t t0 = now_ns();
	res->vret = vaccel_session_new(&fs->s, req->param & ~PLUGIN_REMOTE);
	if (res->vret != VACCEL_OK) {
		objects_unreserve(&fe->objs, &fe->objs.sess, slot);
		fs->s = NULL;
		sess_put(fs);
		return;
	}
	timer(fe, fs, TIMER_VACCEL, t0);
	res->object_id = objects_id(&fe->objs, slot);
	LOG_DBG("frontend %u: session 0x%" PRIx64 " -> host %" PRId64, fe->id,
		res->object_id, (int64_t)fs->s->id);
	objects_publish(&fe->objs, &fe->objs.sess, slot, fs);
}

static void cmd_session_destroy(struct frontend *fe, const struct request *req,
				struct result *res)
{
	if (req->nr_read || req->nr_write || req->param || req->object_id) {
		res->status = VIRTIO_ACCEL_BADMSG;
		return;
	}
	struct fe_sess *fs = sess_take(&fe->objs, req->session_id);
	if (!fs)
		res->status = VIRTIO_ACCEL_NOSESS;
	sess_put(fs);
}

/* Validates RESOURCE_CREATE's name/data pairs; their total bytes. */
static bool resource_shape_ok(struct frontend *fe, const struct request *req,
			      struct result *res, uint64_t *bytes)
{
	uint32_t nb = req->nr_read / 2;
	*bytes = 0;
	if (req->nr_write || req->object_id || req->nr_read % 2 || nb == 0 ||
	    req->param > 2) {
		res->status = VIRTIO_ACCEL_BADMSG;
		res->err = "RESOURCE_CREATE needs name/data pairs and a type";
		return false;
	}
	if (nb > fe->lim.max_blobs) {
		res->status = VIRTIO_ACCEL_LIMIT;
		res->err = "too many blobs (max_blobs)";
		return false;
	}
	for (uint32_t i = 0; i < nb; i++) {
		const struct req_arg *n = &req->args[2 * i];
		const struct req_arg *d = &req->args[2 * i + 1];
		if (n->type != VIRTIO_ACCEL_ARG_STRING || n->segmented ||
		    !blob_name_ok(req->rd_inline + n->inline_off, n->len) ||
		    d->type != VIRTIO_ACCEL_ARG_BUFFER || d->len == 0) {
			res->status = VIRTIO_ACCEL_BADMSG;
			res->err = "bad blob name or data";
			return false;
		}
		*bytes += d->len; /* each <= max_arg_size: no overflow */
	}
	return true;
}

/* Build fr->r from the request's blobs; a vAccel code (res->status set
 * on a transport failure). */
static int resource_build(struct frontend *fe, struct fe_res *fr,
			  const struct request *req, struct result *res)
{
	uint32_t nb = req->nr_read / 2;
	vaccel_resource_type_t type = (vaccel_resource_type_t)req->param;
	struct hbuf *hb = calloc(nb, sizeof(*hb));
	struct named_buf *nbufs = calloc(nb, sizeof(*nbufs));
	int vret = VACCEL_EINVAL;
	if (!hb || !nbufs) {
		res->status = VIRTIO_ACCEL_ERR;
		goto out;
	}
	for (uint32_t i = 0; i < nb; i++) {
		res->status =
			hbuf_get(&fe->mem, req, 2 * i + 1, &hb[i], &res->err);
		if (res->status != VIRTIO_ACCEL_OK)
			goto out;
		nbufs[i].name = (const char *)req->rd_inline +
				req->args[2 * i].inline_off;
		nbufs[i].p = hb[i].p;
		nbufs[i].len = hb[i].len;
	}
	const char *err = NULL;
	vret = resource_from_named(&fr->r, nbufs, nb, type, &err);
	if (err) {
		res->status = VIRTIO_ACCEL_ERR;
		res->err = err;
	}
out:
	for (uint32_t i = 0; hb && i < nb; i++)
		hbuf_release(&fe->mem, &hb[i]);
	free(hb);
	free(nbufs);
	return vret;
}

static void cmd_resource_create(struct frontend *fe, const struct request *req,
				struct result *res)
{
	uint64_t bytes;
	if (!resource_shape_ok(fe, req, res, &bytes))
		return;
	struct fe_sess *fs = NULL;
	if (req->session_id && !(fs = sess_get(&fe->objs, req->session_id))) {
		res->status = VIRTIO_ACCEL_NOSESS;
		return;
	}
	uint32_t slot = 0;
	res->status = objects_reserve(&fe->objs, &fe->objs.res, &slot);
	if (res->status != VIRTIO_ACCEL_OK) {
		res->err = "resource limit reached (--max-resources)";
		sess_put(fs);
		return;
	}
	struct fe_res *fr = calloc(1, sizeof(*fr));
	if (!fr) {
		res->status = VIRTIO_ACCEL_ERR;
		goto undo;
	}
	atomic_init(&fr->refs, 1);
	if (!objects_charge_bytes(&fe->objs, bytes)) {
		res->status = VIRTIO_ACCEL_LIMIT;
		res->err = "resource byte budget exhausted "
			   "(--max-resource-bytes)";
		goto undo;
	}
	fr->bytes = bytes;
	res->vret = resource_build(fe, fr, req, res);
	if (res->status != VIRTIO_ACCEL_OK || res->vret != VACCEL_OK)
		goto undo;
	if (fs) {
		res->vret = vaccel_resource_register(fr->r, fs->s);
		if (res->vret != VACCEL_OK)
			goto undo;
	}
	res->object_id = objects_id(&fe->objs, slot);
	LOG_DBG("frontend %u: resource 0x%" PRIx64 " -> host %" PRId64, fe->id,
		res->object_id, (int64_t)fr->r->id);
	objects_publish(&fe->objs, &fe->objs.res, slot, fr);
	sess_put(fs);
	return;
undo:
	/* never published: nobody else can hold a reference */
	objects_unreserve(&fe->objs, &fe->objs.res, slot);
	res_put(&fe->objs, fr);
	sess_put(fs);
}

static void cmd_resource_ref(struct frontend *fe, const struct request *req,
			     struct result *res)
{
	if (req->nr_read || req->nr_write || req->param) {
		res->status = VIRTIO_ACCEL_BADMSG;
		return;
	}
	if (req->cmd == VIRTIO_ACCEL_CMD_RESOURCE_DESTROY) {
		struct fe_res *fr = res_take(&fe->objs, req->object_id);
		if (!fr)
			res->status = VIRTIO_ACCEL_NORES;
		res_put(&fe->objs, fr);
		return;
	}
	struct fe_res *fr = res_get(&fe->objs, req->object_id);
	if (!fr) {
		res->status = VIRTIO_ACCEL_NORES;
		return;
	}
	struct fe_sess *fs = sess_get(&fe->objs, req->session_id);
	if (!fs) {
		res->status = VIRTIO_ACCEL_NOSESS;
		res_put(&fe->objs, fr);
		return;
	}
	if (req->cmd == VIRTIO_ACCEL_CMD_RESOURCE_REGISTER)
		res->vret = vaccel_resource_register(fr->r, fs->s);
	else
		res->vret = vaccel_resource_unregister(fr->r, fs->s);
	sess_put(fs);
	res_put(&fe->objs, fr);
}

/* OP's checks that need no object (the UAPI's table of ops); false with
 * res set. */
static bool op_shape_ok(const struct frontend *fe, const struct request *req,
			struct result *res)
{
	uint32_t op = req->param;
	uint32_t flags = virtio_accel_op_flags(op);
	if (op >= VIRTIO_ACCEL_OP_MAX) {
		res->status = VIRTIO_ACCEL_BADMSG;
		res->err = "unknown op type";
		return false;
	}
	if (!(flags & VIRTIO_ACCEL_OPF_CARRIED)) {
		res->status = VIRTIO_ACCEL_UNSUPP;
		res->err = "op not carried by the protocol";
		return false;
	}
	if ((flags & VIRTIO_ACCEL_OPF_MODELS) &&
	    !(fe->lim.features & (1ull << VIRTIO_ACCEL_F_MODELS))) {
		res->status = VIRTIO_ACCEL_UNSUPP;
		res->err = "F_MODELS not negotiated";
		return false;
	}
	if ((flags & VIRTIO_ACCEL_OPF_NOARGS) &&
	    (req->nr_read || req->nr_write)) {
		res->status = VIRTIO_ACCEL_BADMSG;
		res->err = "op takes no args";
		return false;
	}
	return true;
}

/* Ops with OPF_RESOURCE: the resource their first (INT64) arg names. */
static struct fe_res *op_resource(struct frontend *fe,
				  const struct request *req,
				  struct result *res)
{
	const struct req_arg *a = &req->args[0];
	int64_t gid;
	struct fe_res *fr;
	if (req->nr_read < 1 || a->type != VIRTIO_ACCEL_ARG_INT64 || a->len != 8 ||
	    a->segmented) {
		res->status = VIRTIO_ACCEL_BADMSG;
		res->err = "op needs an INT64 resource id first";
		return NULL;
	}
	memcpy(&gid, req->rd_inline + a->inline_off, 8);
	gid = (int64_t)le64toh((uint64_t)gid);
	if (gid <= 0 || !(fr = res_get(&fe->objs, (uint64_t)gid))) {
		res->status = VIRTIO_ACCEL_NORES;
		return NULL;
	}
	return fr;
}

/* The op's write args back to the guest, with their response records. */
static void op_outputs(struct frontend *fe, const struct request *req,
		       const struct vq_elem *e, struct hbuf *hb,
		       struct vaccel_arg *wr, struct result *res)
{
	for (uint32_t i = 0; i < req->nr_write; i++) {
		uint32_t k = req->nr_read + i;
		struct vaccel_arg *v = &wr[i];
		const struct req_arg *a = &req->args[k];
		size_t produced = v->size;
		if (v->buf != hb[k].p && v->buf && hb[k].p)
			memcpy(hb[k].p, v->buf,
			       produced < a->len ? produced : (size_t)a->len);
		if (produced > a->len)
			res->status = VIRTIO_ACCEL_OVERFLOW;
		res->resp[i].len = htole64(produced);
		res->resp[i].type = htole32((uint32_t)v->type);
		res->resp[i].custom_type_id = htole32(v->custom_type_id);
		hbuf_deliver(&fe->mem, req, e->out, e->nr_out, k, &hb[k],
			     produced);
		if (v->owned)
			vaccel_arg_release(v);
	}
}

static void cmd_op(struct frontend *fe, const struct request *req,
		   const struct vq_elem *e, struct result *res)
{
	uint32_t op = req->param;
	if (!op_shape_ok(fe, req, res))
		return;
	struct fe_sess *fs = sess_get(&fe->objs, req->session_id);
	if (!fs) {
		res->status = VIRTIO_ACCEL_NOSESS;
		return;
	}
	uint32_t nargs = req->nr_read + req->nr_write;
	struct hbuf *hb = calloc(nargs ? nargs : 1, sizeof(*hb));
	struct vaccel_arg *va = calloc(nargs + 1, sizeof(*va));
	struct fe_res *fr = NULL;
	int64_t host_res_id = 0;
	uint8_t opb = (uint8_t)op;
	uint32_t got = 0;
	if (!hb || !va) {
		res->status = VIRTIO_ACCEL_ERR;
		goto out;
	}
	if (virtio_accel_op_flags(op) & VIRTIO_ACCEL_OPF_RESOURCE) {
		if (!(fr = op_resource(fe, req, res)))
			goto out;
		host_res_id = fr->r->id;
	}
	for (got = 0; got < nargs; got++) {
		res->status = hbuf_get(&fe->mem, req, got, &hb[got], &res->err);
		if (res->status != VIRTIO_ACCEL_OK)
			goto out;
	}
	/* read = [UINT8 op] + read args; write = write args */
	struct vaccel_arg *rd = va, *wr = va + 1 + req->nr_read;
	rd[0].buf = &opb;
	rd[0].size = 1;
	rd[0].type = (vaccel_arg_type_t)VIRTIO_ACCEL_ARG_UINT8;
	for (uint32_t i = 0; i < nargs; i++) {
		struct vaccel_arg *v = &va[1 + i];
		v->buf = hb[i].p;
		v->size = (size_t)req->args[i].len;
		v->type = (vaccel_arg_type_t)req->args[i].type;
		v->custom_type_id = req->args[i].custom_type_id;
		v->owned = false;
	}
	if (fr)
		rd[1].buf = &host_res_id;

	uint64_t t0 = now_ns();
	if (op == VIRTIO_ACCEL_OP_NOOP)
		res->vret = vaccel_noop(fs->s);
	else
		res->vret = vaccel_genop(fs->s, rd, (int)(1 + req->nr_read), wr,
					 (int)req->nr_write);
	timer(fe, fs, TIMER_VACCEL, t0);
	op_outputs(fe, req, e, hb, wr, res);
out:
	/* hb[got] may hold a charge of a failed hbuf_get */
	if (hb)
		for (uint32_t i = 0; i <= got && i < nargs; i++)
			hbuf_release(&fe->mem, &hb[i]);
	free(hb);
	free(va);
	res_put(&fe->objs, fr);
	sess_put(fs);
}

static void cmd_timers(struct frontend *fe, const struct request *req,
		       const struct vq_elem *e, struct result *res)
{
	if (req->nr_read || req->nr_write != 1 ||
	    (req->param & ~VIRTIO_ACCEL_TIMERS_F_CLEAR) ||
	    req->args[0].type != VIRTIO_ACCEL_ARG_BUFFER) {
		res->status = VIRTIO_ACCEL_BADMSG;
		return;
	}
	if (req->args[0].len > fe->lim.max_timer_bytes) {
		res->status = VIRTIO_ACCEL_LIMIT;
		res->err = "TIMERS_GET buffer above max_timer_bytes";
		return;
	}
	struct fe_sess *fs = sess_get(&fe->objs, req->session_id);
	if (!fs) {
		res->status = VIRTIO_ACCEL_NOSESS;
		return;
	}
	pthread_mutex_lock(&fs->tlock);
	size_t need = timers_size(fs);
	res->resp[0].len = htole64(need);
	res->resp[0].type = htole32(VIRTIO_ACCEL_ARG_BUFFER);
	if (need > req->args[0].len) {
		res->status = VIRTIO_ACCEL_OVERFLOW;
	} else {
		struct hbuf hb;
		res->status = hbuf_get(&fe->mem, req, 0, &hb, &res->err);
		if (res->status == VIRTIO_ACCEL_OK) {
			timers_write(fs, hb.p,
				     req->param & VIRTIO_ACCEL_TIMERS_F_CLEAR);
			hbuf_deliver(&fe->mem, req, e->out, e->nr_out, 0, &hb,
				     need);
		}
		hbuf_release(&fe->mem, &hb);
	}
	pthread_mutex_unlock(&fs->tlock);
	sess_put(fs);
}

static bool mem_xlate(void *ctx, uint64_t gpa, uint64_t len,
		      struct vq_xlate *out)
{
	return vq_mem_gpa_xlate(ctx, gpa, len, out);
}

static void execute(struct frontend *fe, const struct request *req,
		    const struct vq_elem *e, struct result *res)
{
	switch (req->cmd) {
	case VIRTIO_ACCEL_CMD_SESSION_CREATE:
		cmd_session_create(fe, req, res);
		break;
	case VIRTIO_ACCEL_CMD_SESSION_DESTROY:
		cmd_session_destroy(fe, req, res);
		break;
	case VIRTIO_ACCEL_CMD_RESOURCE_CREATE:
		cmd_resource_create(fe, req, res);
		break;
	case VIRTIO_ACCEL_CMD_RESOURCE_DESTROY:
	case VIRTIO_ACCEL_CMD_RESOURCE_REGISTER:
	case VIRTIO_ACCEL_CMD_RESOURCE_UNREGISTER:
		cmd_resource_ref(fe, req, res);
		break;
	case VIRTIO_ACCEL_CMD_OP:
		cmd_op(fe, req, e, res);
		break;
	case VIRTIO_ACCEL_CMD_TIMERS_GET:
		cmd_timers(fe, req, e, res);
		break;
	}
}

/* The response header (and records), and the used length. */
static uint32_t respond(struct frontend *fe, const struct request *req,
			const struct vq_elem *e, const struct result *res)
{
	if (res->status != VIRTIO_ACCEL_OK) {
		atomic_fetch_add(&fe->nr_errors, 1);
		LOG_INFO("frontend %u: %s (tag %" PRIu64 "): %s%s%s", fe->id,
			 request_cmd_str(req->cmd), req->tag,
			 request_status_str(res->status), res->err ? ": " : "",
			 res->err ? res->err : "");
	}
	bool with_args = res->status == VIRTIO_ACCEL_OK ||
			 res->status == VIRTIO_ACCEL_OVERFLOW;
	uint32_t used = (uint32_t)request_write_resp(
		e->out, e->nr_out, e->out_len, req, res->status, res->vret,
		res->object_id, with_args ? res->resp : NULL,
		with_args ? req->nr_write : 0);
	if (res->status == VIRTIO_ACCEL_OK && req->w_needed <= e->out_len)
		used = (uint32_t)req->w_needed;
	return used;
}

void request_run(struct job *j)
{
	struct frontend *fe = j->fe;
	struct vq_elem *e = &j->e;
	struct request req;
	struct result res = {.status = VIRTIO_ACCEL_OK};
	uint64_t t0 = now_ns();
	uint32_t used = 0;
	atomic_fetch_add(&fe->nr_requests, 1);

	if (j->bad) {
		LOG_ERR("frontend %u: queue %u: invalid descriptor chain "
			"(head %u), completed with used length 0",
			fe->id, j->q->index, e->head);
		atomic_fetch_add(&fe->nr_errors, 1);
		frontend_complete(j, 0);
		return;
	}
	struct req_mem acc = {.xlate = mem_xlate, .ctx = j->mem};
	/* the header the kick thread read (and decided on) is the one that
	 * counts: it is never read from guest memory again */
	if (j->have_hdr)
		res.status = request_parse_hdr(&j->hdr, e->in, e->nr_in,
					       e->in_len, e->out_len, &fe->lim,
					       &acc, &req);
	else
		res.status = request_parse(e->in, e->nr_in, e->in_len,
					   e->out_len, &fe->lim, &acc, &req);
	res.err = req.error;
	if (res.status == VIRTIO_ACCEL_OK && req.nr_write) {
		res.resp = calloc(req.nr_write, sizeof(*res.resp));
		if (!res.resp)
			res.status = VIRTIO_ACCEL_ERR;
	}
	if (res.status == VIRTIO_ACCEL_OK)
		execute(fe, &req, e, &res);
	used = respond(fe, &req, e, &res);
	if (fe->o->profiling && res.status != VIRTIO_ACCEL_NOSESS &&
	    (req.cmd == VIRTIO_ACCEL_CMD_OP ||
	     req.cmd == VIRTIO_ACCEL_CMD_TIMERS_GET)) {
		struct fe_sess *fs = sess_get(&fe->objs, req.session_id);
		timer(fe, fs, TIMER_REQUEST, t0);
		sess_put(fs);
	}
	free(res.resp);
	request_free(&req);
	frontend_complete(j, used);
}
