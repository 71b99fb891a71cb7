// SPDX-License-Identifier: Apache-2.0
/*
 * vaccel_genop() for the model operations (TF_*, TFLITE_*, TORCH_MODEL_*):
 * the argument layouts of docs/protocol.md §7.5.2 (and the comment in
 * include/uapi/linux/virtio_accel.h), decoded and checked here, once, before
 * the typed vaccel_*() call. This is the host daemon's boundary for model
 * ops: every count, type, descriptor and length is checked (model_wire.c),
 * input tensors borrow the args' buffers, and output tensors are copied into
 * the write args. An output that does not fit its write arg is not copied;
 * the arg's size is set to the bytes needed and the call returns
 * VACCEL_ENOSPC (the device then answers OVERFLOW with those sizes). An
 * output the plugin leaves NULL (a model with fewer results) goes back as an
 * empty descriptor and an empty data arg.
 */
#include "genop_internal.h"
#include "model_wire.h"

#include <inttypes.h>
#include <limits.h>
#include <linux/virtio_accel.h>
#include <stdlib.h>
#include <string.h>

struct margs {
	struct genop_ctx *g;
	enum model_fw fw;
	struct vaccel_arg *rd; /* read args after the op selector */
	size_t nr_rd;
	struct vaccel_arg *wr;
	size_t nr_wr;
	struct vaccel_resource *model;
	bool overflow;
};

static int bad_arg(const struct margs *m, bool read, size_t idx,
		   const char *why)
{
	vaccel_error("session %" PRId64 ": genop %s: %s arg %zu: %s",
		     m->g->sess->id, m->g->op, read ? "read" : "write",
		     read ? idx + 1 : idx, why);
	return VACCEL_EINVAL;
}

static int bad_counts(const struct margs *m, const char *layout)
{
	vaccel_error("session %" PRId64 ": genop %s: %zu read args after the "
		     "op type and %zu write args do not form %s",
		     m->g->sess->id, m->g->op, m->nr_rd, m->nr_wr, layout);
	return VACCEL_EINVAL;
}

static int too_many(const struct margs *m, size_t nin, size_t nout)
{
	vaccel_error("session %" PRId64 ": genop %s: %zu inputs and %zu "
		     "outputs, at most %d each",
		     m->g->sess->id, m->g->op, nin, nout,
		     VIRTIO_ACCEL_MODEL_MAX_TENSORS);
	return VACCEL_EINVAL;
}

/* Read arg 0: the model resource. */
static int get_model(struct margs *m)
{
	const struct vaccel_arg *a = &m->rd[VIRTIO_ACCEL_MODEL_ARG_ID];
	int64_t id;

	if (a->type != VACCEL_ARG_INT64 || a->size != sizeof(id) || !a->buf)
		return bad_arg(m, true, 0, "must be the model's INT64 id");
	memcpy(&id, a->buf, sizeof(id));
	return vaccel_resource_get_by_id(&m->model, id);
}

static int check_buffer(const struct margs *m, bool read, size_t idx)
{
	const struct vaccel_arg *a = read ? &m->rd[idx] : &m->wr[idx];
	if (a->type != VACCEL_ARG_BUFFER || (a->size && !a->buf))
		return bad_arg(m, read, idx, "must be a BUFFER");
	return VACCEL_OK;
}

/* Input tensor at read args idx (descriptor), idx + 1 (data). */
static int tensor_in(const struct margs *m, size_t idx, struct model_desc *d)
{
	const struct vaccel_arg *a = &m->rd[idx];
	if (a->type != VACCEL_ARG_INT64_ARRAY || !a->buf)
		return bad_arg(m, true, idx,
			       "must be a tensor descriptor (INT64_ARRAY)");
	int ret = check_buffer(m, true, idx + 1);
	if (ret)
		return ret;
	const char *err = model_wire_desc_check(m->fw, a->buf, a->size,
						m->rd[idx + 1].size, d);
	return err ? bad_arg(m, true, idx, err) : VACCEL_OK;
}

/* Write args idx, idx + 1 must be able to take an output tensor. */
static int check_tensor_out(const struct margs *m, size_t idx)
{
	const struct vaccel_arg *a = &m->wr[idx];
	if (a->type != VACCEL_ARG_INT64_ARRAY || (a->size && !a->buf))
		return bad_arg(m, false, idx,
			       "must be a tensor descriptor (INT64_ARRAY)");
	return check_buffer(m, false, idx + 1);
}

/* Copy what fits into write args idx, idx + 1; sizes become produced. */
static int tensor_out(struct margs *m, size_t idx, int64_t type,
		      int64_t nr_dims, const int64_t *dims, const void *data,
		      size_t size)
{
	struct vaccel_arg *a = &m->wr[idx], *b = &m->wr[idx + 1];
	uint64_t need;
	const char *err =
		model_wire_tensor_bytes(m->fw, type, nr_dims, dims, &need);
	if (!err && need != UINT64_MAX && need != size)
		err = "data length is not dims product x element size";
	if (!err && size && !data)
		err = "data missing";
	if (err) {
		vaccel_error("session %" PRId64 ": genop %s: the plugin's "
			     "output %zu is not a valid tensor: %s",
			     m->g->sess->id, m->g->op,
			     idx / VIRTIO_ACCEL_TENSOR_ARGS, err);
		return VACCEL_EINVAL;
	}
	size_t dl = model_wire_desc_len(nr_dims);
	if (dl <= a->size)
		model_wire_desc_fill(a->buf, type, nr_dims, dims);
	else
		m->overflow = true;
	a->size = dl;
	if (size <= b->size) {
		if (size)
			memcpy(b->buf, data, size);
	} else {
		m->overflow = true;
	}
	b->size = size;
	return VACCEL_OK;
}

/* An output the plugin left NULL (fewer results than outputs): both args
 * empty, which the guest turns back into NULL. */
static int no_tensor_out(struct margs *m, size_t idx)
{
	m->wr[idx].size = 0;
	m->wr[idx + 1].size = 0;
	return VACCEL_OK;
}

/* Check the status write args of TF (code, message) or TFLite (code). */
static int check_status_out(const struct margs *m, size_t idx, bool message)
{
	const struct vaccel_arg *c = &m->wr[idx];
	if (c->type != VACCEL_ARG_UINT8 || c->size != 1 || !c->buf)
		return bad_arg(m, false, idx, "must be the UINT8 status code");
	if (message) {
		const struct vaccel_arg *s = &m->wr[idx + 1];
		if (s->type != VACCEL_ARG_STRING || !s->size || !s->buf)
			return bad_arg(m, false, idx + 1,
				       "must be a STRING for the status");
	}
	return VACCEL_OK;
}

static void tf_status_out(struct margs *m, size_t idx,
			  struct vaccel_tf_status *st)
{
	struct vaccel_arg *s = &m->wr[idx + 1];
	const char *msg = st->message ? st->message : "";
	size_t n = strlen(msg);

	*(uint8_t *)m->wr[idx].buf = st->code;
	if (n >= s->size)
		n = s->size - 1; /* truncated: the message is informative */
	memcpy(s->buf, msg, n);
	((char *)s->buf)[n] = '\0';
	s->size = n + 1;
	vaccel_tf_status_release(st);
}

static int finish(const struct margs *m, int ret)
{
	if (ret == VACCEL_OK && m->overflow)
		return VACCEL_ENOSPC;
	return ret;
}

/*
 * Torch
 */

static int torch_run(struct margs *m)
{
	const size_t fixed = 2; /* model, run options */
	if (m->nr_rd < fixed || (m->nr_rd - fixed) % 2 || m->nr_wr % 2)
		return bad_counts(m, "model, options, (desc, data) x inputs; "
				     "(desc, data) x outputs");
	size_t nin = (m->nr_rd - fixed) / 2, nout = m->nr_wr / 2;
	if (nin > VIRTIO_ACCEL_MODEL_MAX_TENSORS ||
	    nout > VIRTIO_ACCEL_MODEL_MAX_TENSORS)
		return too_many(m, nin, nout);
	int ret = check_buffer(m, true, VIRTIO_ACCEL_MODEL_RUN_OPTIONS);
	if (ret)
		return ret;

	struct model_desc *d = calloc(nin + 1, sizeof(*d));
	struct vaccel_torch_tensor *t = calloc(nin + 1, sizeof(*t));
	struct vaccel_torch_tensor **in = calloc(nin + 1, sizeof(*in));
	struct vaccel_torch_tensor **out = calloc(nout + 1, sizeof(*out));
	if (!d || !t || !in || !out) {
		ret = VACCEL_ENOMEM;
		goto free;
	}
	for (size_t k = 0; k < nin && !ret; k++) {
		size_t idx = fixed + 2 * k;
		ret = tensor_in(m, idx, &d[k]);
		t[k] = (struct vaccel_torch_tensor){
			.data = m->rd[idx + 1].buf,
			.size = m->rd[idx + 1].size,
			.nr_dims = d[k].nr_dims,
			.dims = d[k].dims,
			.data_type = (enum vaccel_torch_data_type)d[k].data_type,
		};
		in[k] = &t[k];
	}
	for (size_t k = 0; k < nout && !ret; k++)
		ret = check_tensor_out(m, 2 * k);
	if (ret)
		goto free;

	const struct vaccel_arg *o = &m->rd[VIRTIO_ACCEL_MODEL_RUN_OPTIONS];
	struct vaccel_torch_buffer opts = {.data = o->buf, .size = o->size};
	ret = vaccel_torch_model_run(m->g->sess, m->model,
				     o->size ? &opts : NULL, in, (int)nin, out,
				     (int)nout);
	for (size_t k = 0; k < nout && !ret; k++)
		ret = out[k] ? tensor_out(m, 2 * k, out[k]->data_type,
					  out[k]->nr_dims, out[k]->dims,
					  out[k]->data, out[k]->size)
			     : no_tensor_out(m, 2 * k);
	for (size_t k = 0; k < nout; k++)
		if (out[k])
			vaccel_torch_tensor_delete(out[k]);
free:
	free(d);
	free(t);
	free(in);
	free(out);
	return finish(m, ret);
}

/*
 * TFLite (int32 dims)
 */

static int tflite_run(struct margs *m)
{
	const size_t fixed = 1; /* model */
	if (m->nr_rd < fixed || (m->nr_rd - fixed) % 2 || m->nr_wr < 1 ||
	    (m->nr_wr - 1) % 2)
		return bad_counts(m, "model, (desc, data) x inputs; "
				     "(desc, data) x outputs, status");
	size_t nin = (m->nr_rd - fixed) / 2, nout = (m->nr_wr - 1) / 2;
	if (nin > VIRTIO_ACCEL_MODEL_MAX_TENSORS ||
	    nout > VIRTIO_ACCEL_MODEL_MAX_TENSORS)
		return too_many(m, nin, nout);
	int ret = check_status_out(m, m->nr_wr - 1, false);
	if (ret)
		return ret;

	struct model_desc d = {0};
	int32_t(*dims)[MODEL_WIRE_MAX_DIMS] = calloc(nin + 1, sizeof(*dims));
	struct vaccel_tflite_tensor *t = calloc(nin + 1, sizeof(*t));
	struct vaccel_tflite_tensor **in = calloc(nin + 1, sizeof(*in));
	struct vaccel_tflite_tensor **out = calloc(nout + 1, sizeof(*out));
	if (!dims || !t || !in || !out) {
		ret = VACCEL_ENOMEM;
		goto free;
	}
	for (size_t k = 0; k < nin && !ret; k++) {
		size_t idx = fixed + 2 * k;
		ret = tensor_in(m, idx, &d);
		for (int64_t i = 0; !ret && i < d.nr_dims; i++) {
			if (d.dims[i] > INT32_MAX)
				ret = bad_arg(m, true, idx,
					      "dim above INT32_MAX");
			dims[k][i] = (int32_t)d.dims[i];
		}
		t[k] = (struct vaccel_tflite_tensor){
			.data = m->rd[idx + 1].buf,
			.size = m->rd[idx + 1].size,
			.nr_dims = (int)d.nr_dims,
			.dims = dims[k],
			.data_type = (enum vaccel_tflite_data_type)d.data_type,
		};
		in[k] = &t[k];
	}
	for (size_t k = 0; k < nout && !ret; k++)
		ret = check_tensor_out(m, 2 * k);
	if (ret)
		goto free;

	uint8_t status = 0;
	ret = vaccel_tflite_model_run(m->g->sess, m->model, in, (int)nin, out,
				      (int)nout, &status);
	*(uint8_t *)m->wr[m->nr_wr - 1].buf = status;
	for (size_t k = 0; k < nout && !ret; k++) {
		int64_t d64[MODEL_WIRE_MAX_DIMS];
		struct vaccel_tflite_tensor *x = out[k];
		if (!x) {
			ret = no_tensor_out(m, 2 * k);
			continue;
		}
		if (x->nr_dims < 0 || x->nr_dims > MODEL_WIRE_MAX_DIMS ||
		    (x->nr_dims && !x->dims)) {
			vaccel_error("session %" PRId64 ": genop %s: the "
				     "plugin's output %zu has bad dims",
				     m->g->sess->id, m->g->op, k);
			ret = VACCEL_EINVAL;
			break;
		}
		for (int i = 0; i < x->nr_dims; i++)
			d64[i] = x->dims[i];
		ret = tensor_out(m, 2 * k, x->data_type, x->nr_dims, d64,
				 x->data, x->size);
	}
	for (size_t k = 0; k < nout; k++)
		if (out[k])
			vaccel_tflite_tensor_delete(out[k]);
free:
	free(dims);
	free(t);
	free(in);
	free(out);
	return finish(m, ret);
}

/*
 * TF (int dims count, int64 dims, nodes, status)
 */

static int tf_node(const struct margs *m, size_t idx,
		   struct vaccel_tf_node *n)
{
	const struct vaccel_arg *s = &m->rd[idx], *i = &m->rd[idx + 1];
	int64_t id;

	if (s->type != VACCEL_ARG_STRING || !s->size || !s->buf ||
	    ((const char *)s->buf)[s->size - 1] != '\0')
		return bad_arg(m, true, idx,
			       "must be a NUL-terminated STRING node name");
	if (i->type != VACCEL_ARG_INT64 || i->size != sizeof(id) || !i->buf)
		return bad_arg(m, true, idx + 1, "must be an INT64 node id");
	memcpy(&id, i->buf, sizeof(id));
	if (id < INT_MIN || id > INT_MAX)
		return bad_arg(m, true, idx + 1, "node id out of int range");
	n->name = s->buf;
	n->id = (int)id;
	return VACCEL_OK;
}

static int tf_run(struct margs *m)
{
	const size_t fixed = 2, per_in = 4, per_out = 2; /* see the UAPI */
	if (m->nr_wr < 2 || (m->nr_wr - 2) % 2)
		return bad_counts(m, "(desc, data) x outputs, status code, "
				     "message");
	size_t nout = (m->nr_wr - 2) / 2;
	if (m->nr_rd < fixed + per_out * nout ||
	    (m->nr_rd - fixed - per_out * nout) % per_in)
		return bad_counts(m, "model, options, (name, id, desc, data) "
				     "x inputs, (name, id) x outputs");
	size_t nin = (m->nr_rd - fixed - per_out * nout) / per_in;
	if (nin > VIRTIO_ACCEL_MODEL_MAX_TENSORS ||
	    nout > VIRTIO_ACCEL_MODEL_MAX_TENSORS)
		return too_many(m, nin, nout);
	int ret = check_buffer(m, true, VIRTIO_ACCEL_MODEL_RUN_OPTIONS);
	if (!ret)
		ret = check_status_out(m, m->nr_wr - 2, true);
	if (ret)
		return ret;

	struct model_desc *d = calloc(nin + 1, sizeof(*d));
	struct vaccel_tf_tensor *t = calloc(nin + 1, sizeof(*t));
	struct vaccel_tf_tensor **in = calloc(nin + 1, sizeof(*in));
	struct vaccel_tf_tensor **out = calloc(nout + 1, sizeof(*out));
	struct vaccel_tf_node *nodes = calloc(nin + nout + 1, sizeof(*nodes));
	if (!d || !t || !in || !out || !nodes) {
		ret = VACCEL_ENOMEM;
		goto free;
	}
	for (size_t k = 0; k < nin && !ret; k++) {
		size_t idx = fixed + per_in * k;
		ret = tf_node(m, idx, &nodes[k]);
		if (!ret)
			ret = tensor_in(m, idx + 2, &d[k]);
		t[k] = (struct vaccel_tf_tensor){
			.data = m->rd[idx + 3].buf,
			.size = m->rd[idx + 3].size,
			.nr_dims = (int)d[k].nr_dims,
			.dims = d[k].dims,
			.data_type = (enum vaccel_tf_data_type)d[k].data_type,
		};
		in[k] = &t[k];
	}
	for (size_t k = 0; k < nout && !ret; k++)
		ret = tf_node(m, fixed + per_in * nin + per_out * k,
			      &nodes[nin + k]);
	for (size_t k = 0; k < nout && !ret; k++)
		ret = check_tensor_out(m, 2 * k);
	if (ret)
		goto free;

	const struct vaccel_arg *o = &m->rd[VIRTIO_ACCEL_MODEL_RUN_OPTIONS];
	struct vaccel_tf_buffer opts = {.data = o->buf, .size = o->size};
	struct vaccel_tf_status st = {0};
	ret = vaccel_tf_model_run(m->g->sess, m->model, o->size ? &opts : NULL,
				  nodes, in, (int)nin, nodes + nin, out,
				  (int)nout, &st);
	tf_status_out(m, m->nr_wr - 2, &st);
	for (size_t k = 0; k < nout && !ret; k++) {
		struct vaccel_tf_tensor *x = out[k];
		if (!x) {
			ret = no_tensor_out(m, 2 * k);
			continue;
		}
		ret = tensor_out(m, 2 * k, x->data_type, x->nr_dims, x->dims,
				 x->data, x->size);
	}
	for (size_t k = 0; k < nout; k++)
		if (out[k])
			vaccel_tf_tensor_delete(out[k]);
free:
	free(d);
	free(t);
	free(in);
	free(out);
	free(nodes);
	return finish(m, ret);
}

/*
 * Load and unload: the model id, and for TF the status.
 */

static int load_unload(struct margs *m)
{
	bool tf = m->fw == MODEL_FW_TF;
	if (m->nr_rd != 1 || m->nr_wr != (tf ? 2u : 0u))
		return bad_counts(m, tf ? "model; status code, message"
					: "model");
	if (tf) {
		int ret = check_status_out(m, 0, true);
		if (ret)
			return ret;
		struct vaccel_tf_status st = {0};
		ret = m->g->type == VACCEL_OP_TF_MODEL_LOAD
			      ? vaccel_tf_model_load(m->g->sess, m->model, &st)
			      : vaccel_tf_model_unload(m->g->sess, m->model,
						       &st);
		tf_status_out(m, 0, &st);
		return ret;
	}
	switch (m->g->type) {
	case VACCEL_OP_TFLITE_MODEL_LOAD:
		return vaccel_tflite_model_load(m->g->sess, m->model);
	case VACCEL_OP_TFLITE_MODEL_UNLOAD:
		return vaccel_tflite_model_unload(m->g->sess, m->model);
	default:
		return vaccel_torch_model_load(m->g->sess, m->model);
	}
}

int genop_unpack_model(struct genop_ctx *ctx)
{
	struct margs m = {.g = ctx};
	size_t pos = vaccel_arg_array_position(&ctx->read);

	m.rd = vaccel_arg_array_raw(&ctx->read) + pos;
	m.nr_rd = vaccel_arg_array_remaining_count(&ctx->read);
	m.nr_wr = vaccel_arg_array_count(&ctx->write);
	m.wr = m.nr_wr ? vaccel_arg_array_raw(&ctx->write) : NULL;
	switch (ctx->type) {
	case VACCEL_OP_TF_MODEL_LOAD:
	case VACCEL_OP_TF_MODEL_UNLOAD:
	case VACCEL_OP_TF_MODEL_RUN:
		m.fw = MODEL_FW_TF;
		break;
	case VACCEL_OP_TFLITE_MODEL_LOAD:
	case VACCEL_OP_TFLITE_MODEL_UNLOAD:
	case VACCEL_OP_TFLITE_MODEL_RUN:
		m.fw = MODEL_FW_TFLITE;
		break;
	default:
		m.fw = MODEL_FW_TORCH;
		break;
	}
	if (m.nr_rd < 1)
		return bad_counts(&m, "a layout starting with the model id");
	int ret = get_model(&m);
	if (ret)
		return ret;
	switch (ctx->type) {
	case VACCEL_OP_TF_MODEL_RUN:
		return tf_run(&m);
	case VACCEL_OP_TFLITE_MODEL_RUN:
		return tflite_run(&m);
	case VACCEL_OP_TORCH_MODEL_RUN:
		return torch_run(&m);
	default:
		return load_unload(&m);
	}
}
