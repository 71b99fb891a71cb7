// SPDX-License-Identifier: Apache-2.0
/*
 * Model methods (docs/rpc.md §3.6), what the three frameworks share, and
 * Torch (TensorFlow and TFLite: rpc_tf.c). They run with
 * the host's libvaccel model API. Every input tensor is checked here with
 * the same rules as the virtio transport (src/ops/model_wire.h: data type
 * in the framework's range, at most VIRTIO_ACCEL_TENSOR_MAX_DIMS dims,
 * product of dims x element size = data length); at most
 * VIRTIO_ACCEL_MODEL_MAX_TENSORS inputs and outputs. Exactly the requested
 * number of outputs comes back (upstream's client requires it); one the
 * plugin left NULL is an empty tensor.
 */
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_accel.h>
#include <vaccel.h>

#include "rpc_models.h"
#include "torch.pb-c.h"

/* One input tensor's shape against its data; false with r failed. */
bool tensor_ok(enum model_fw fw, size_t i, uint32_t type,
		      size_t n_dims, const int64_t *dims, size_t len,
		      struct rpc_reply *r)
{
	uint64_t bytes = 0;
	const char *why = n_dims > VIRTIO_ACCEL_TENSOR_MAX_DIMS
				  ? "too many dims"
				  : model_wire_tensor_bytes(fw, type,
							    (int64_t)n_dims,
							    dims, &bytes);
	/* UINT64_MAX: a type whose length the dims do not fix (strings,
	 * resources, variants), as model_wire_desc_check() accepts it */
	if (!why && bytes != UINT64_MAX && bytes != len)
		why = "data length is not dims x element size";
	if (why)
		rpc_fail(r, RPC_INVALID_ARGUMENT, "%s input tensor %zu: %s",
			 model_wire_fw_name(fw), i, why);
	return !why;
}

size_t dims_out(const void *dims, int64_t nr_dims)
{
	return dims && nr_dims > 0 && nr_dims <= VIRTIO_ACCEL_TENSOR_MAX_DIMS
		       ? (size_t)nr_dims
		       : 0;
}

bool counts_ok(const char *fw, size_t n_in, uint64_t n_out,
		      struct rpc_reply *r)
{
	if (n_in <= VIRTIO_ACCEL_MODEL_MAX_TENSORS &&
	    n_out <= VIRTIO_ACCEL_MODEL_MAX_TENSORS)
		return true;
	rpc_fail(r, RPC_INVALID_ARGUMENT, "%s: at most %d input and output "
		 "tensors", fw, VIRTIO_ACCEL_MODEL_MAX_TENSORS);
	return false;
}

/* Session and model of a model method; false with r failed. */
bool model_refs(struct rpc_ctx *c, int64_t sid, int64_t mid,
		       struct fe_sess **fs, struct fe_res **fr,
		       struct rpc_reply *r)
{
	*fr = NULL;
	*fs = rpc_sess(c, sid, r);
	if (*fs && !(*fr = rpc_res(c, mid, r))) {
		sess_put(*fs);
		*fs = NULL;
	}
	return *fs != NULL;
}

void model_put(struct rpc_ctx *c, struct fe_sess *fs, struct fe_res *fr)
{
	res_put(&c->objs, fr);
	sess_put(fs);
}

void run_release(void *p)
{
	struct run_out *o = p;
	for (size_t i = 0; o->vt && i < o->n; i++)
		if (o->vt[i])
			o->del(o->vt[i]);
	vaccel_tf_status_release(&o->tf_status);
	free(o->resp);
	free(o->outp);
	free(o->out);
	free(o->vt);
	free(o);
}

struct run_out *run_out_new(size_t n, size_t resp_sz, size_t t_sz,
				   int (*del)(void *))
{
	struct run_out *o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->n = n;
	o->del = del;
	o->resp = calloc(1, resp_sz);
	o->outp = calloc(n + 1, sizeof(void *));
	o->out = calloc(n + 1, t_sz);
	o->vt = calloc(n + 1, sizeof(void *));
	if (!o->resp || !o->outp || !o->out || !o->vt) {
		run_release(o);
		return NULL;
	}
	return o;
}

/* ---- Torch ------------------------------------------------------------- */

void rpc_torch_load(struct rpc_ctx *c, const ProtobufCMessage *m,
		    struct rpc_reply *r)
{
	const Vaccel__Torch__ModelLoadRequest *q = (const void *)m;
	struct fe_sess *fs;
	struct fe_res *fr;
	if (!model_refs(c, q->session_id, q->model_id, &fs, &fr, r))
		return;
	rpc_vaccel(r, vaccel_torch_model_load(fs->s, fr->r),
		   "torch model load");
	model_put(c, fs, fr);
}

static int torch_del(void *t)
{
	return vaccel_torch_tensor_delete(t);
}

static struct vaccel_torch_tensor *
torch_inputs(const Vaccel__Torch__ModelRunRequest *q, struct rpc_reply *r)
{
	struct vaccel_torch_tensor *in =
		calloc(q->n_in_tensors + 1, sizeof(*in));
	for (size_t i = 0; in && i < q->n_in_tensors; i++) {
		const Vaccel__Torch__Tensor *t = q->in_tensors[i];
		if (!tensor_ok(MODEL_FW_TORCH, i, t->type, t->n_dims, t->dims,
			       t->data.len, r)) {
			free(in);
			return NULL;
		}
		in[i] = (struct vaccel_torch_tensor){
			.data = t->data.data,
			.size = t->data.len,
			.nr_dims = (int64_t)t->n_dims,
			.dims = t->dims,
			.data_type = (enum vaccel_torch_data_type)t->type};
	}
	if (!in)
		rpc_fail(r, RPC_RESOURCE_EXHAUSTED, "out of memory");
	return in;
}

static void torch_outputs(struct run_out *o)
{
	Vaccel__Torch__ModelRunResponse *resp = o->resp;
	Vaccel__Torch__Tensor *out = o->out;
	vaccel__torch__model_run_response__init(resp);
	for (size_t i = 0; i < o->n; i++) {
		const struct vaccel_torch_tensor *t = o->vt[i];
		vaccel__torch__tensor__init(&out[i]);
		if (t) {
			out[i].data.data = t->data;
			out[i].data.len = t->data ? t->size : 0;
			out[i].n_dims = dims_out(t->dims, t->nr_dims);
			out[i].dims = t->dims;
			out[i].type = (uint32_t)t->data_type;
		}
		o->outp[i] = &out[i];
	}
	resp->out_tensors = (Vaccel__Torch__Tensor **)o->outp;
	resp->n_out_tensors = o->n;
}

void rpc_torch_run(struct rpc_ctx *c, const ProtobufCMessage *m,
		   struct rpc_reply *r)
{
	const Vaccel__Torch__ModelRunRequest *q = (const void *)m;
	struct fe_sess *fs;
	struct fe_res *fr;
	if (!counts_ok("torch", q->n_in_tensors, q->nr_out_tensors, r) ||
	    !model_refs(c, q->session_id, q->model_id, &fs, &fr, r))
		return;
	struct vaccel_torch_tensor *in = torch_inputs(q, r);
	struct vaccel_torch_tensor **inp =
		calloc(q->n_in_tensors + 1, sizeof(*inp));
	struct run_out *o = run_out_new(q->nr_out_tensors,
					sizeof(Vaccel__Torch__ModelRunResponse),
					sizeof(Vaccel__Torch__Tensor), torch_del);
	struct vaccel_torch_buffer opts = {0};
	bool has_opts = q->opt_run_options_case ==
			VACCEL__TORCH__MODEL_RUN_REQUEST__OPT_RUN_OPTIONS_RUN_OPTIONS;
	if (!in || !inp || !o) {
		if (in && (!inp || !o))
			rpc_fail(r, RPC_RESOURCE_EXHAUSTED, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < q->n_in_tensors; i++)
		inp[i] = &in[i];
	if (has_opts)
		opts = (struct vaccel_torch_buffer){
			(char *)q->run_options.data, q->run_options.len};
	int vret = vaccel_torch_model_run(
		fs->s, fr->r, has_opts ? &opts : NULL, inp,
		(int)q->n_in_tensors,
		(struct vaccel_torch_tensor **)o->vt, (int)o->n);
	if (rpc_vaccel(r, vret, "torch model run") == VACCEL_OK) {
		torch_outputs(o);
		r->payload = o->resp;
	}
	r->release = run_release;
	r->priv = o;
	o = NULL;
out:
	if (o)
		run_release(o);
	free(in);
	free(inp);
	model_put(c, fs, fr);
}
