// SPDX-License-Identifier: Apache-2.0
/*
 * TensorFlow and TFLite model methods (docs/rpc.md §3.6), checked and
 * answered like Torch's (host/rpc_models.c). TF's status and TFLite's
 * status byte come back in the response's `status`, as upstream's agent
 * returns them.
 */
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_accel.h>

#include "rpc_models.h"
#include "tf.pb-c.h"
#include "tflite.pb-c.h"

static void tf_status_out(struct run_out *o, Vaccel__Status **dst)
{
	vaccel__status__init(&o->status);
	o->status.code = o->tf_status.code;
	o->status.message = o->tf_status.message ? o->tf_status.message : "";
	*dst = &o->status;
}

/* load and unload answer only a status */
static void tf_load_unload(struct rpc_ctx *c, int64_t sid, int64_t mid,
			   bool load, struct rpc_reply *r)
{
	struct fe_sess *fs;
	struct fe_res *fr;
	if (!model_refs(c, sid, mid, &fs, &fr, r))
		return;
	struct run_out *o = run_out_new(0, load ? sizeof(Vaccel__Tf__ModelLoadResponse)
						: sizeof(Vaccel__Tf__ModelUnloadResponse),
					1, NULL);
	if (!o) {
		rpc_fail(r, RPC_RESOURCE_EXHAUSTED, "out of memory");
		model_put(c, fs, fr);
		return;
	}
	int vret = load ? vaccel_tf_model_load(fs->s, fr->r, &o->tf_status)
			: vaccel_tf_model_unload(fs->s, fr->r, &o->tf_status);
	if (rpc_vaccel(r, vret, load ? "tf model load" : "tf model unload") ==
	    VACCEL_OK) {
		if (load) {
			Vaccel__Tf__ModelLoadResponse *l = o->resp;
			vaccel__tf__model_load_response__init(l);
			tf_status_out(o, &l->status);
		} else {
			Vaccel__Tf__ModelUnloadResponse *u = o->resp;
			vaccel__tf__model_unload_response__init(u);
			tf_status_out(o, &u->status);
		}
		r->payload = o->resp;
	}
	r->release = run_release;
	r->priv = o;
	model_put(c, fs, fr);
}

void rpc_tf_load(struct rpc_ctx *c, const ProtobufCMessage *m,
		 struct rpc_reply *r)
{
	const Vaccel__Tf__ModelLoadRequest *q = (const void *)m;
	tf_load_unload(c, q->session_id, q->model_id, true, r);
}

void rpc_tf_unload(struct rpc_ctx *c, const ProtobufCMessage *m,
		   struct rpc_reply *r)
{
	const Vaccel__Tf__ModelUnloadRequest *q = (const void *)m;
	tf_load_unload(c, q->session_id, q->model_id, false, r);
}

static int tf_del(void *t)
{
	return vaccel_tf_tensor_delete(t);
}

/* Inputs and nodes of a TF run; false with r failed. */
struct tf_in {
	struct vaccel_tf_tensor *t;
	struct vaccel_tf_tensor **tp;
	struct vaccel_tf_node *in_nodes, *out_nodes;
};

static void tf_in_free(struct tf_in *in)
{
	free(in->t);
	free(in->tp);
	free(in->in_nodes);
	free(in->out_nodes);
}

static bool tf_inputs(const Vaccel__Tf__ModelRunRequest *q, struct tf_in *in,
		      struct rpc_reply *r)
{
	size_t n = q->n_in_tensors;
	if (q->n_in_nodes != n) {
		rpc_fail(r, RPC_INVALID_ARGUMENT,
			 "tf: %zu input nodes for %zu tensors", q->n_in_nodes,
			 n);
		return false;
	}
	in->t = calloc(n + 1, sizeof(*in->t));
	in->tp = calloc(n + 1, sizeof(*in->tp));
	in->in_nodes = calloc(n + 1, sizeof(*in->in_nodes));
	in->out_nodes = calloc(q->n_out_nodes + 1, sizeof(*in->out_nodes));
	if (!in->t || !in->tp || !in->in_nodes || !in->out_nodes) {
		rpc_fail(r, RPC_RESOURCE_EXHAUSTED, "out of memory");
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		const Vaccel__Tf__Tensor *t = q->in_tensors[i];
		if (!tensor_ok(MODEL_FW_TF, i, t->type, t->n_dims, t->dims,
			       t->data.len, r))
			return false;
		in->t[i] = (struct vaccel_tf_tensor){
			.data = t->data.data,
			.size = t->data.len,
			.nr_dims = (int)t->n_dims,
			.dims = t->dims,
			.data_type = (enum vaccel_tf_data_type)t->type};
		in->tp[i] = &in->t[i];
		in->in_nodes[i] = (struct vaccel_tf_node){
			q->in_nodes[i]->name, q->in_nodes[i]->id};
	}
	for (size_t i = 0; i < q->n_out_nodes; i++)
		in->out_nodes[i] = (struct vaccel_tf_node){
			q->out_nodes[i]->name, q->out_nodes[i]->id};
	return true;
}

static void tf_outputs(struct run_out *o)
{
	Vaccel__Tf__ModelRunResponse *resp = o->resp;
	Vaccel__Tf__Tensor *out = o->out;
	vaccel__tf__model_run_response__init(resp);
	for (size_t i = 0; i < o->n; i++) {
		const struct vaccel_tf_tensor *t = o->vt[i];
		vaccel__tf__tensor__init(&out[i]);
		if (t) {
			out[i].data.data = t->data;
			out[i].data.len = t->data ? t->size : 0;
			out[i].n_dims = dims_out(t->dims, t->nr_dims);
			out[i].dims = t->dims;
			out[i].type = (uint32_t)t->data_type;
		}
		o->outp[i] = &out[i];
	}
	resp->out_tensors = (Vaccel__Tf__Tensor **)o->outp;
	resp->n_out_tensors = o->n;
	tf_status_out(o, &resp->status);
}

void rpc_tf_run(struct rpc_ctx *c, const ProtobufCMessage *m,
		struct rpc_reply *r)
{
	const Vaccel__Tf__ModelRunRequest *q = (const void *)m;
	struct fe_sess *fs;
	struct fe_res *fr;
	struct tf_in in = {0};
	if (!counts_ok("tf", q->n_in_tensors, q->n_out_nodes, r) ||
	    !model_refs(c, q->session_id, q->model_id, &fs, &fr, r))
		return;
	struct run_out *o = run_out_new(q->n_out_nodes,
					sizeof(Vaccel__Tf__ModelRunResponse),
					sizeof(Vaccel__Tf__Tensor), tf_del);
	if (!o)
		rpc_fail(r, RPC_RESOURCE_EXHAUSTED, "out of memory");
	if (o && tf_inputs(q, &in, r)) {
		bool has_opts = q->opt_run_options_case ==
				VACCEL__TF__MODEL_RUN_REQUEST__OPT_RUN_OPTIONS_RUN_OPTIONS;
		struct vaccel_tf_buffer opts = {q->run_options.data,
						q->run_options.len};
		int vret = vaccel_tf_model_run(
			fs->s, fr->r, has_opts ? &opts : NULL, in.in_nodes,
			in.tp, (int)q->n_in_tensors, in.out_nodes,
			(struct vaccel_tf_tensor **)o->vt, (int)o->n,
			&o->tf_status);
		if (rpc_vaccel(r, vret, "tf model run") == VACCEL_OK) {
			tf_outputs(o);
			r->payload = o->resp;
		}
	}
	if (o) {
		r->release = run_release;
		r->priv = o;
	}
	tf_in_free(&in);
	model_put(c, fs, fr);
}

/* ---- TFLite ------------------------------------------------------------ */

static void tflite_load_unload(struct rpc_ctx *c, int64_t sid, int64_t mid,
			       bool load, struct rpc_reply *r)
{
	struct fe_sess *fs;
	struct fe_res *fr;
	if (!model_refs(c, sid, mid, &fs, &fr, r))
		return;
	int vret = load ? vaccel_tflite_model_load(fs->s, fr->r)
			: vaccel_tflite_model_unload(fs->s, fr->r);
	rpc_vaccel(r, vret, load ? "tflite model load" : "tflite model unload");
	model_put(c, fs, fr);
}

void rpc_tflite_load(struct rpc_ctx *c, const ProtobufCMessage *m,
		     struct rpc_reply *r)
{
	const Vaccel__Tflite__ModelLoadRequest *q = (const void *)m;
	tflite_load_unload(c, q->session_id, q->model_id, true, r);
}

void rpc_tflite_unload(struct rpc_ctx *c, const ProtobufCMessage *m,
		       struct rpc_reply *r)
{
	const Vaccel__Tflite__ModelUnloadRequest *q = (const void *)m;
	tflite_load_unload(c, q->session_id, q->model_id, false, r);
}

static int tflite_del(void *t)
{
	return vaccel_tflite_tensor_delete(t);
}

static bool tflite_tensor_ok(size_t i, const Vaccel__Tflite__Tensor *t,
			     struct rpc_reply *r)
{
	int64_t dims[VIRTIO_ACCEL_TENSOR_MAX_DIMS];
	size_t n = t->n_dims;
	for (size_t k = 0; k < n && k < VIRTIO_ACCEL_TENSOR_MAX_DIMS; k++)
		dims[k] = t->dims[k];
	return tensor_ok(MODEL_FW_TFLITE, i, t->type, n, dims, t->data.len,
			 r);
}

static struct vaccel_tflite_tensor *
tflite_inputs(const Vaccel__Tflite__ModelRunRequest *q, struct rpc_reply *r)
{
	struct vaccel_tflite_tensor *in =
		calloc(q->n_in_tensors + 1, sizeof(*in));
	if (!in) {
		rpc_fail(r, RPC_RESOURCE_EXHAUSTED, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < q->n_in_tensors; i++) {
		const Vaccel__Tflite__Tensor *t = q->in_tensors[i];
		if (!tflite_tensor_ok(i, t, r)) {
			free(in);
			return NULL;
		}
		in[i] = (struct vaccel_tflite_tensor){
			.data = t->data.data,
			.size = t->data.len,
			.nr_dims = (int)t->n_dims,
			.dims = t->dims,
			.data_type = (enum vaccel_tflite_data_type)t->type};
	}
	return in;
}

static void tflite_outputs(struct run_out *o, uint8_t status)
{
	Vaccel__Tflite__ModelRunResponse *resp = o->resp;
	Vaccel__Tflite__Tensor *out = o->out;
	vaccel__tflite__model_run_response__init(resp);
	for (size_t i = 0; i < o->n; i++) {
		const struct vaccel_tflite_tensor *t = o->vt[i];
		vaccel__tflite__tensor__init(&out[i]);
		if (t) {
			out[i].data.data = t->data;
			out[i].data.len = t->data ? t->size : 0;
			out[i].n_dims = dims_out(t->dims, t->nr_dims);
			out[i].dims = t->dims;
			out[i].type = (uint32_t)t->data_type;
		}
		o->outp[i] = &out[i];
	}
	resp->out_tensors = (Vaccel__Tflite__Tensor **)o->outp;
	resp->n_out_tensors = o->n;
	vaccel__status__init(&o->status);
	o->status.code = status;
	resp->status = &o->status;
}

void rpc_tflite_run(struct rpc_ctx *c, const ProtobufCMessage *m,
		    struct rpc_reply *r)
{
	const Vaccel__Tflite__ModelRunRequest *q = (const void *)m;
	struct fe_sess *fs;
	struct fe_res *fr;
	if (!counts_ok("tflite", q->n_in_tensors, q->nr_out_tensors, r) ||
	    !model_refs(c, q->session_id, q->model_id, &fs, &fr, r))
		return;
	struct vaccel_tflite_tensor *in = tflite_inputs(q, r);
	struct vaccel_tflite_tensor **inp =
		calloc(q->n_in_tensors + 1, sizeof(*inp));
	struct run_out *o = run_out_new(q->nr_out_tensors,
					sizeof(Vaccel__Tflite__ModelRunResponse),
					sizeof(Vaccel__Tflite__Tensor),
					tflite_del);
	if (in && (!inp || !o))
		rpc_fail(r, RPC_RESOURCE_EXHAUSTED, "out of memory");
	if (in && inp && o) {
		uint8_t status = 0;
		for (size_t i = 0; i < q->n_in_tensors; i++)
			inp[i] = &in[i];
		int vret = vaccel_tflite_model_run(
			fs->s, fr->r, inp, (int)q->n_in_tensors,
			(struct vaccel_tflite_tensor **)o->vt, (int)o->n,
			&status);
		if (rpc_vaccel(r, vret, "tflite model run") == VACCEL_OK) {
			tflite_outputs(o, status);
			r->payload = o->resp;
		}
	}
	if (o) {
		r->release = run_release;
		r->priv = o;
	}
	free(in);
	free(inp);
	model_put(c, fs, fr);
}
