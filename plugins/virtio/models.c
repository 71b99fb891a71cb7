// SPDX-License-Identifier: Apache-2.0
/*
 * The model operations (TF, TFLite, Torch) of the virtio plugin: each call
 * is one OP in the layouts of docs/protocol.md §7.5.2 (F_MODELS). The model
 * is a resource already shipped to the host by content (its remote id);
 * tensors go as a descriptor [data type, nr_dims, dims...] and their data,
 * both checked with the host's own rules (src/ops/model_wire.c) before
 * anything is sent.
 *
 * Outputs: the caller gets tensors the plugin allocates (as a local plugin
 * would). Their sizes are not known before the run, so each output gets a
 * buffer of the size the model's last run needed (OUT_DEFAULT the first
 * time; exactly that size, so that small outputs travel inline); if one
 * does not fit, the device answers OVERFLOW with the sizes needed and the
 * run is sent once more with exactly those. What the host
 * returns is checked again here: the plugin does not trust the host.
 */
#include "virtio_internal.h"

#include "model_wire.h"

#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define OUT_DEFAULT ((size_t)64 * 1024)
#define HINTS	    32 /* models whose last output size is remembered */

static struct {
	pthread_mutex_t lock;
	int64_t model[HINTS];
	size_t bytes[HINTS];
	unsigned int next;
} hints = {.lock = PTHREAD_MUTEX_INITIALIZER};

static size_t hint_get(int64_t model)
{
	size_t v = OUT_DEFAULT;
	pthread_mutex_lock(&hints.lock);
	for (unsigned int i = 0; i < HINTS; i++)
		if (hints.model[i] == model && hints.bytes[i])
			v = hints.bytes[i];
	pthread_mutex_unlock(&hints.lock);
	return v;
}

static void hint_put(int64_t model, size_t bytes)
{
	pthread_mutex_lock(&hints.lock);
	unsigned int i;
	for (i = 0; i < HINTS && hints.model[i] != model; i++)
		;
	if (i == HINTS)
		i = hints.next++ % HINTS;
	hints.model[i] = model;
	hints.bytes[i] = bytes;
	pthread_mutex_unlock(&hints.lock);
}

/* One model call being built. */
struct mcall {
	const char *op;
	enum model_fw fw;
	vaccel_op_type_t type;
	struct vaccel_session *sess;
	int64_t model;
	struct virtio_accel_ioc_arg *rd;
	uint32_t nr_rd, max_rd;
	int64_t (*desc)[VIRTIO_ACCEL_TENSOR_DESC_MAX / 8]; /* per input */
	uint32_t nr_desc;
	/* outputs: desc + data buffers, then the status args */
	uint32_t nr_out, nr_status;
	struct virtio_accel_ioc_arg *wr;
	void **obuf; /* 2 per output */
};

static int mcall_init(struct mcall *c, vaccel_op_type_t type, enum model_fw fw,
		      struct vaccel_session *sess,
		      const struct vaccel_resource *model, size_t nr_rd,
		      size_t nr_in, size_t nr_out, size_t nr_status)
{
	char name[VACCEL_ENUM_STR_MAX];
	bool has = false;

	memset(c, 0, sizeof(*c));
	c->op = vaccel_op_type_to_str(type);
	c->fw = fw;
	c->type = type;
	c->sess = sess;
	vaccel_op_type_name(type, name, sizeof(name));
	if (!model) {
		vaccel_error(PFX "%s: model is NULL", name);
		return VACCEL_EINVAL;
	}
	if (model->remote_id <= 0) {
		vaccel_error(PFX "%s: resource %" PRId64 " is not registered "
				 "with a remote session",
			     name, model->id);
		return VACCEL_EINVAL;
	}
	if (nr_in > VIRTIO_ACCEL_MODEL_MAX_TENSORS ||
	    nr_out > VIRTIO_ACCEL_MODEL_MAX_TENSORS) {
		vaccel_error(PFX "%s: %zu inputs and %zu outputs; the protocol "
				 "carries at most %d each",
			     name, nr_in, nr_out,
			     VIRTIO_ACCEL_MODEL_MAX_TENSORS);
		return VACCEL_EINVAL;
	}
	int ret = device_has_models(&has);
	if (ret)
		return ret;
	if (!has) {
		vaccel_error(PFX "%s: the host does not carry model operations "
				 "(no F_MODELS: an older vhost-user-accel?)",
			     name);
		return VACCEL_ENOTSUP;
	}
	c->model = model->remote_id;
	c->max_rd = (uint32_t)nr_rd;
	c->nr_out = (uint32_t)nr_out;
	c->nr_status = (uint32_t)nr_status;
	c->rd = calloc(nr_rd + 1, sizeof(*c->rd));
	c->desc = calloc(nr_in + 1, sizeof(*c->desc));
	c->wr = calloc(2 * nr_out + nr_status + 1, sizeof(*c->wr));
	c->obuf = calloc(2 * nr_out + 1, sizeof(*c->obuf));
	if (!c->rd || !c->desc || !c->wr || !c->obuf) {
		vaccel_error(PFX "%s: out of memory", name);
		return VACCEL_ENOMEM;
	}
	arg_set(&c->rd[c->nr_rd++], &c->model, sizeof(c->model),
		VACCEL_ARG_INT64);
	return VACCEL_OK;
}

static void mcall_free(struct mcall *c)
{
	for (uint32_t i = 0; c->obuf && i < 2 * c->nr_out; i++)
		free(c->obuf[i]);
	free(c->rd);
	free(c->desc);
	free(c->wr);
	free(c->obuf);
}

static void add_rd(struct mcall *c, const void *buf, uint64_t len,
		   vaccel_arg_type_t type)
{
	arg_set(&c->rd[c->nr_rd++], buf, len, type);
}

/* Input tensor k: checked as the host will check it, then two args. */
static int add_tensor(struct mcall *c, size_t k, int64_t type, int64_t nr_dims,
		      const int64_t *dims, const void *data, size_t size)
{
	uint64_t need;
	const char *err =
		model_wire_tensor_bytes(c->fw, type, nr_dims, dims, &need);
	if (!err && need != UINT64_MAX && need != size)
		err = "data size is not dims product x element size";
	if (!err && size && !data)
		err = "data is NULL";
	if (err) {
		vaccel_error(PFX "%s: input %zu: %s", c->op, k, err);
		return VACCEL_EINVAL;
	}
	int64_t *d = c->desc[c->nr_desc++];
	model_wire_desc_fill(d, type, nr_dims, dims);
	add_rd(c, d, model_wire_desc_len(nr_dims), VACCEL_ARG_INT64_ARRAY);
	add_rd(c, data, size, VACCEL_ARG_BUFFER);
	return VACCEL_OK;
}

/* Size the output buffers (desc at the maximum, data at `bytes` each). */
static int size_outputs(struct mcall *c, size_t bytes, bool only_grown)
{
	for (uint32_t k = 0; k < c->nr_out; k++) {
		struct virtio_accel_ioc_arg *d = &c->wr[2 * k], *b = d + 1;
		size_t want = only_grown ? (size_t)b->len : bytes;
		if (!c->obuf[2 * k] &&
		    !(c->obuf[2 * k] = malloc(VIRTIO_ACCEL_TENSOR_DESC_MAX)))
			return VACCEL_ENOMEM;
		arg_set(d, c->obuf[2 * k], VIRTIO_ACCEL_TENSOR_DESC_MAX,
			VACCEL_ARG_INT64_ARRAY);
		void *p = realloc(c->obuf[2 * k + 1], want ? want : 1);
		if (!p)
			return VACCEL_ENOMEM;
		c->obuf[2 * k + 1] = p;
		arg_set(b, p, want, VACCEL_ARG_BUFFER);
	}
	return VACCEL_OK;
}

/* Send; once more with the sizes needed if an output did not fit. */
static int mcall_run(struct mcall *c)
{
	bool overflow = false;
	uint32_t nr_wr = 2 * c->nr_out + c->nr_status;
	int ret = size_outputs(c, hint_get(c->model), false);
	if (ret)
		return ret;
	ret = run_op_ex(c->sess, c->type, c->rd, c->nr_rd, c->wr, nr_wr,
			&overflow);
	if (overflow) {
		vaccel_debug(PFX "%s: outputs larger than guessed; sending "
				 "again with the sizes the host needs",
			     c->op);
		ret = size_outputs(c, 0, true);
		if (!ret)
			ret = run_op(c->sess, c->type, c->rd, c->nr_rd, c->wr,
				     nr_wr);
	}
	if (ret)
		return ret;
	size_t most = 0;
	for (uint32_t k = 0; k < c->nr_out; k++)
		if (c->wr[2 * k + 1].len > most)
			most = (size_t)c->wr[2 * k + 1].len;
	/* exactly what was needed: small outputs then travel inline */
	if (most)
		hint_put(c->model, most);
	return VACCEL_OK;
}

/* An empty descriptor: the host's plugin left output k NULL. */
static bool no_output(const struct mcall *c, uint32_t k)
{
	return c->wr[2 * k].len == 0 && c->wr[2 * k + 1].len == 0;
}

/* Output k as the host described it, checked; takes its data buffer. */
static int take_output(struct mcall *c, uint32_t k, struct model_desc *d,
		       void **data, size_t *size)
{
	const struct virtio_accel_ioc_arg *a = &c->wr[2 * k], *b = a + 1;
	const char *err = model_wire_desc_check(c->fw, c->obuf[2 * k],
						(size_t)a->len, b->len, d);
	if (err) {
		vaccel_error(PFX "%s: the host's output %u is not a valid "
				 "tensor: %s",
			     c->op, k, err);
		return VACCEL_EIO;
	}
	*size = (size_t)b->len;
	*data = c->obuf[2 * k + 1];
	c->obuf[2 * k + 1] = NULL;
	if (*size) {
		void *p = realloc(*data, *size); /* give back the slack */
		if (p)
			*data = p;
	} else {
		free(*data);
		*data = NULL;
	}
	return VACCEL_OK;
}

/* Output k, checked, with its data buffer and a copy of its dims. */
struct out_tensor {
	struct model_desc d;
	void *data;
	size_t size;
	int64_t *dims;
};

static int take_output64(struct mcall *c, uint32_t k, struct out_tensor *o)
{
	int ret = take_output(c, k, &o->d, &o->data, &o->size);
	if (ret)
		return ret;
	o->dims = calloc((size_t)o->d.nr_dims + 1, sizeof(*o->dims));
	if (!o->dims) {
		free(o->data);
		return VACCEL_ENOMEM;
	}
	if (o->d.nr_dims)
		memcpy(o->dims, o->d.dims, (size_t)o->d.nr_dims * sizeof(int64_t));
	return VACCEL_OK;
}

static void *out_struct(struct out_tensor *o, size_t size)
{
	void *t = calloc(1, size);
	if (!t) {
		free(o->data);
		free(o->dims);
	}
	return t;
}

/*
 * Torch
 */

int virtio_torch_model_load(struct vaccel_session *sess,
			    struct vaccel_resource *model)
{
	struct mcall c;
	int ret = mcall_init(&c, VACCEL_OP_TORCH_MODEL_LOAD, MODEL_FW_TORCH,
			     sess, model, 1, 0, 0, 0);
	if (!ret)
		ret = run_op(sess, c.type, c.rd, c.nr_rd, NULL, 0);
	mcall_free(&c);
	return ret;
}

static int torch_out(struct mcall *c, uint32_t k,
		     struct vaccel_torch_tensor **out)
{
	struct out_tensor o;
	struct vaccel_torch_tensor *t;

	*out = NULL;
	if (no_output(c, k))
		return VACCEL_OK;
	int ret = take_output64(c, k, &o);
	if (ret)
		return ret;
	if (!(t = out_struct(&o, sizeof(*t))))
		return VACCEL_ENOMEM;
	*t = (struct vaccel_torch_tensor){
		.data = o.data,
		.size = o.size,
		.owned = o.data != NULL,
		.nr_dims = o.d.nr_dims,
		.dims = o.dims,
		.data_type = (enum vaccel_torch_data_type)o.d.data_type,
	};
	*out = t;
	return VACCEL_OK;
}

int virtio_torch_model_run(struct vaccel_session *sess,
			   struct vaccel_resource *model,
			   const struct vaccel_torch_buffer *run_options,
			   struct vaccel_torch_tensor *const *in,
			   int nr_inputs, struct vaccel_torch_tensor **out,
			   int nr_outputs)
{
	struct mcall c;
	size_t nin = (size_t)nr_inputs, nout = (size_t)nr_outputs;
	int ret = mcall_init(&c, VACCEL_OP_TORCH_MODEL_RUN, MODEL_FW_TORCH,
			     sess, model, 2 + 2 * nin, nin, nout, 0);
	if (!ret && ((nin && !in) || (nout && !out))) {
		vaccel_error(PFX "%s: %s tensors are NULL", c.op,
			     nin && !in ? "input" : "output");
		ret = VACCEL_EINVAL;
	}
	if (!ret)
		add_rd(&c, run_options ? run_options->data : NULL,
		       run_options && run_options->data ? run_options->size : 0,
		       VACCEL_ARG_BUFFER);
	for (size_t k = 0; !ret && k < nin; k++) {
		const struct vaccel_torch_tensor *t = in[k];
		ret = t ? add_tensor(&c, k, t->data_type, t->nr_dims, t->dims,
				     t->data, t->size)
			: VACCEL_EINVAL;
	}
	if (!ret)
		ret = mcall_run(&c);
	for (uint32_t k = 0; !ret && k < nout; k++) {
		ret = torch_out(&c, k, &out[k]);
		if (ret)
			while (k--) {
				if (out[k])
					vaccel_torch_tensor_delete(out[k]);
				out[k] = NULL;
			}
	}
	mcall_free(&c);
	return ret;
}

/*
 * TFLite (int32 dims)
 */

static int tflite_load_unload(vaccel_op_type_t type,
			      struct vaccel_session *sess,
			      struct vaccel_resource *model)
{
	struct mcall c;
	int ret = mcall_init(&c, type, MODEL_FW_TFLITE, sess, model, 1, 0, 0,
			     0);
	if (!ret)
		ret = run_op(sess, type, c.rd, c.nr_rd, NULL, 0);
	mcall_free(&c);
	return ret;
}

int virtio_tflite_model_load(struct vaccel_session *sess,
			     struct vaccel_resource *model)
{
	return tflite_load_unload(VACCEL_OP_TFLITE_MODEL_LOAD, sess, model);
}

int virtio_tflite_model_unload(struct vaccel_session *sess,
			       struct vaccel_resource *model)
{
	return tflite_load_unload(VACCEL_OP_TFLITE_MODEL_UNLOAD, sess, model);
}

static int tflite_out(struct mcall *c, uint32_t k,
		      struct vaccel_tflite_tensor **out)
{
	if (no_output(c, k)) {
		*out = NULL;
		return VACCEL_OK;
	}
	struct model_desc d;
	struct vaccel_tflite_tensor *t = calloc(1, sizeof(*t));
	int ret = t ? take_output(c, k, &d, &t->data, &t->size)
		    : VACCEL_ENOMEM;
	for (int64_t i = 0; !ret && i < d.nr_dims; i++)
		if (d.dims[i] > INT32_MAX) {
			vaccel_error(PFX "%s: the host's output %u has a dim "
					 "above INT32_MAX",
				     c->op, k);
			ret = VACCEL_EIO;
		}
	if (!ret && !(t->dims = calloc((size_t)d.nr_dims + 1, sizeof(int32_t))))
		ret = VACCEL_ENOMEM;
	if (ret) {
		if (t)
			free(t->data);
		free(t);
		return ret;
	}
	for (int64_t i = 0; i < d.nr_dims; i++)
		t->dims[i] = (int32_t)d.dims[i];
	t->owned = t->data != NULL;
	t->nr_dims = (int)d.nr_dims;
	t->data_type = (enum vaccel_tflite_data_type)d.data_type;
	*out = t;
	return VACCEL_OK;
}

int virtio_tflite_model_run(struct vaccel_session *sess,
			    struct vaccel_resource *model,
			    struct vaccel_tflite_tensor *const *in,
			    int nr_inputs, struct vaccel_tflite_tensor **out,
			    int nr_outputs, uint8_t *status)
{
	struct mcall c;
	size_t nin = (size_t)nr_inputs, nout = (size_t)nr_outputs;
	uint8_t st = 0;
	int ret = mcall_init(&c, VACCEL_OP_TFLITE_MODEL_RUN, MODEL_FW_TFLITE,
			     sess, model, 1 + 2 * nin, nin, nout, 1);
	if (!ret && ((nin && !in) || (nout && !out))) {
		vaccel_error(PFX "%s: %s tensors are NULL", c.op,
			     nin && !in ? "input" : "output");
		ret = VACCEL_EINVAL;
	}
	for (size_t k = 0; !ret && k < nin; k++) {
		const struct vaccel_tflite_tensor *t = in[k];
		int64_t dims[VIRTIO_ACCEL_TENSOR_MAX_DIMS];
		if (!t || t->nr_dims < 0 ||
		    t->nr_dims > VIRTIO_ACCEL_TENSOR_MAX_DIMS ||
		    (t->nr_dims && !t->dims)) {
			vaccel_error(PFX "%s: input %zu is NULL or has bad "
					 "dims",
				     c.op, k);
			ret = VACCEL_EINVAL;
			break;
		}
		for (int i = 0; i < t->nr_dims; i++)
			dims[i] = t->dims[i];
		ret = add_tensor(&c, k, t->data_type, t->nr_dims, dims,
				 t->data, t->size);
	}
	if (!ret) {
		arg_set(&c.wr[2 * nout], &st, 1, VACCEL_ARG_UINT8);
		ret = mcall_run(&c);
		if (status && (ret == VACCEL_OK || c.wr[2 * nout].len == 1))
			*status = st;
	}
	for (uint32_t k = 0; !ret && k < nout; k++) {
		ret = tflite_out(&c, k, &out[k]);
		if (ret)
			while (k--) {
				if (out[k])
					vaccel_tflite_tensor_delete(out[k]);
				out[k] = NULL;
			}
	}
	mcall_free(&c);
	return ret;
}

/*
 * TF (nodes; status code and message)
 */

static void tf_status_args(struct mcall *c, uint32_t at, uint8_t *code,
			   char *msg)
{
	arg_set(&c->wr[at], code, 1, VACCEL_ARG_UINT8);
	arg_set(&c->wr[at + 1], msg, VIRTIO_ACCEL_TF_STATUS_MSG_MAX,
		VACCEL_ARG_STRING);
}

static void tf_status_set(struct vaccel_tf_status *st, uint8_t code,
			  char *msg, uint64_t len)
{
	if (!st)
		return;
	if (!len || len > VIRTIO_ACCEL_TF_STATUS_MSG_MAX)
		len = 1;
	msg[len - 1] = '\0';
	vaccel_tf_status_init(st, code, msg);
}

static int tf_load_unload(vaccel_op_type_t type, struct vaccel_session *sess,
			  struct vaccel_resource *model,
			  struct vaccel_tf_status *status)
{
	struct mcall c;
	uint8_t code = 0;
	char msg[VIRTIO_ACCEL_TF_STATUS_MSG_MAX] = "";
	int ret = mcall_init(&c, type, MODEL_FW_TF, sess, model, 1, 0, 0, 2);
	if (!ret) {
		tf_status_args(&c, 0, &code, msg);
		ret = run_op(sess, type, c.rd, c.nr_rd, c.wr, 2);
		tf_status_set(status, code, msg, ret ? 0 : c.wr[1].len);
	}
	mcall_free(&c);
	return ret;
}

int virtio_tf_model_load(struct vaccel_session *sess,
			 struct vaccel_resource *model,
			 struct vaccel_tf_status *status)
{
	return tf_load_unload(VACCEL_OP_TF_MODEL_LOAD, sess, model, status);
}

int virtio_tf_model_unload(struct vaccel_session *sess,
			   struct vaccel_resource *model,
			   struct vaccel_tf_status *status)
{
	return tf_load_unload(VACCEL_OP_TF_MODEL_UNLOAD, sess, model, status);
}

static int tf_node(struct mcall *c, const struct vaccel_tf_node *n,
		   int64_t *id, const char *dir, size_t k)
{
	if (!n->name) {
		vaccel_error(PFX "%s: %s node %zu has no name", c->op, dir, k);
		return VACCEL_EINVAL;
	}
	*id = n->id;
	add_rd(c, n->name, strlen(n->name) + 1, VACCEL_ARG_STRING);
	add_rd(c, id, sizeof(*id), VACCEL_ARG_INT64);
	return VACCEL_OK;
}

static int tf_out(struct mcall *c, uint32_t k, struct vaccel_tf_tensor **out)
{
	struct out_tensor o;
	struct vaccel_tf_tensor *t;

	*out = NULL;
	if (no_output(c, k))
		return VACCEL_OK;
	int ret = take_output64(c, k, &o);
	if (ret)
		return ret;
	if (!(t = out_struct(&o, sizeof(*t))))
		return VACCEL_ENOMEM;
	*t = (struct vaccel_tf_tensor){
		.data = o.data,
		.size = o.size,
		.owned = o.data != NULL,
		.nr_dims = (int)o.d.nr_dims,
		.dims = o.dims,
		.data_type = (enum vaccel_tf_data_type)o.d.data_type,
	};
	*out = t;
	return VACCEL_OK;
}

static int tf_run_inputs(struct mcall *c, const struct vaccel_tf_node *nodes,
			 struct vaccel_tf_tensor *const *in, size_t nin,
			 int64_t *ids)
{
	for (size_t k = 0; k < nin; k++) {
		const struct vaccel_tf_tensor *t = in[k];
		int ret = tf_node(c, &nodes[k], &ids[k], "input", k);
		if (ret)
			return ret;
		if (!t) {
			vaccel_error(PFX "%s: input %zu is NULL", c->op, k);
			return VACCEL_EINVAL;
		}
		ret = add_tensor(c, k, t->data_type, t->nr_dims, t->dims,
				 t->data, t->size);
		if (ret)
			return ret;
	}
	return VACCEL_OK;
}

int virtio_tf_model_run(struct vaccel_session *sess,
			struct vaccel_resource *model,
			const struct vaccel_tf_buffer *run_options,
			const struct vaccel_tf_node *in_nodes,
			struct vaccel_tf_tensor *const *in, int nr_inputs,
			const struct vaccel_tf_node *out_nodes,
			struct vaccel_tf_tensor **out, int nr_outputs,
			struct vaccel_tf_status *status)
{
	struct mcall c;
	size_t nin = (size_t)nr_inputs, nout = (size_t)nr_outputs;
	uint8_t code = 0;
	char msg[VIRTIO_ACCEL_TF_STATUS_MSG_MAX] = "";
	int64_t *ids = calloc(nin + nout + 1, sizeof(*ids));
	int ret = mcall_init(&c, VACCEL_OP_TF_MODEL_RUN, MODEL_FW_TF, sess,
			     model, 2 + 4 * nin + 2 * nout, nin, nout, 2);
	if (!ret && !ids)
		ret = VACCEL_ENOMEM;
	if (!ret && ((nin && (!in || !in_nodes)) ||
		     (nout && (!out || !out_nodes)))) {
		vaccel_error(PFX "%s: input or output tensors or nodes are "
				 "NULL",
			     c.op);
		ret = VACCEL_EINVAL;
	}
	if (!ret) {
		add_rd(&c, run_options ? run_options->data : NULL,
		       run_options && run_options->data ? run_options->size : 0,
		       VACCEL_ARG_BUFFER);
		ret = tf_run_inputs(&c, in_nodes, in, nin, ids);
	}
	for (size_t k = 0; !ret && k < nout; k++)
		ret = tf_node(&c, &out_nodes[k], &ids[nin + k], "output", k);
	if (!ret) {
		tf_status_args(&c, 2 * (uint32_t)nout, &code, msg);
		ret = mcall_run(&c);
		tf_status_set(status, code, msg,
			      ret ? 0 : c.wr[2 * nout + 1].len);
	}
	for (uint32_t k = 0; !ret && k < nout; k++) {
		ret = tf_out(&c, k, &out[k]);
		if (ret)
			while (k--) {
				if (out[k])
					vaccel_tf_tensor_delete(out[k]);
				out[k] = NULL;
			}
	}
	mcall_free(&c);
	free(ids);
	return ret;
}
