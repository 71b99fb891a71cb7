// SPDX-License-Identifier: Apache-2.0
/*
 * OP as a Genop call (vAccel's generic operation): read args = [UINT8 the
 * op number] + the op's read args, each with its bytes; write args with
 * no bytes and size = their capacity, except those the op also reads
 * (VIRTIO_ACCEL_IOC_ARG_F_INOUT, sgemm's c), which go with their bytes as
 * upstream's client sends every write arg.
 *
 * The agent answers the write args in order: buf = the bytes produced (at
 * most the capacity), size = the bytes produced; size > capacity means the
 * output did not fit, which is the device's OVERFLOW: nothing is copied,
 * each arg's len is the size the agent reported (the bytes needed for
 * those that did not fit), and the core sends again with those sizes.
 * Model ops travel the same way: the agent translates the resource id in
 * their first arg (VIRTIO_ACCEL_OPF_RESOURCE), as the virtio daemon does.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "genop.pb-c.h"
#include "rpc_ioc.h"
#include "rpc_link.h"
#include "rpc_wire.h"
#include "virtio_internal.h"

#define ARG_FLAGS (VIRTIO_ACCEL_IOC_ARG_F_COPY | VIRTIO_ACCEL_IOC_ARG_F_INOUT)

struct genop_call {
	Vaccel__Genop__Request req;
	Vaccel__Genop__Arg *args;  /* op, read args, write args */
	Vaccel__Genop__Arg **ptrs; /* the same, as protobuf-c wants them */
	uint8_t opb;
};

static int arg_check(const struct virtio_accel_ioc_arg *a)
{
	if (a->reserved || (a->flags & ~ARG_FLAGS) ||
	    a->type >= VIRTIO_ACCEL_ARG_TYPE_MAX)
		return -EINVAL;
	if (a->len && !a->uaddr)
		return -EFAULT;
	return a->len > UINT32_MAX ? -E2BIG : 0;
}

static void arg_fill(Vaccel__Genop__Arg *g,
		     const struct virtio_accel_ioc_arg *a, bool with_bytes)
{
	vaccel__genop__arg__init(g);
	if (with_bytes && a->len) {
		g->buf.data = (uint8_t *)(uintptr_t)a->uaddr;
		g->buf.len = (size_t)a->len;
	}
	g->size = (uint32_t)a->len;
	g->arg_type = a->type;
	g->custom_type_id = a->custom_type_id;
}

static int op_check(const struct virtio_accel_ioc_op *op)
{
	if (op->flags || (op->nr_read && !op->read_args) ||
	    (op->nr_write && !op->write_args))
		return -EINVAL;
	if (op->nr_read > VIRTIO_ACCEL_MAX_ARGS_LIMIT ||
	    op->nr_write > VIRTIO_ACCEL_MAX_ARGS_LIMIT)
		return -E2BIG;
	return op->op_type > UINT8_MAX ? -EBADMSG : 0;
}

/* The Genop request of `op`; its args point at the caller's bytes. */
static int call_build(struct genop_call *g,
		      const struct virtio_accel_ioc_op *op)
{
	const struct virtio_accel_ioc_arg *rd =
		(const void *)(uintptr_t)op->read_args;
	const struct virtio_accel_ioc_arg *wr =
		(const void *)(uintptr_t)op->write_args;
	size_t n = 1 + (size_t)op->nr_read + op->nr_write;
	g->args = calloc(n, sizeof(*g->args));
	g->ptrs = calloc(n, sizeof(*g->ptrs));
	if (!g->args || !g->ptrs)
		return -ENOMEM;
	g->opb = (uint8_t)op->op_type;
	struct virtio_accel_ioc_arg opa = {.uaddr = (uintptr_t)&g->opb,
					   .len = 1,
					   .type = VIRTIO_ACCEL_ARG_UINT8};
	arg_fill(&g->args[0], &opa, true);
	for (size_t i = 1; i < n; i++) {
		bool w = i > op->nr_read;
		const struct virtio_accel_ioc_arg *a =
			w ? &wr[i - 1 - op->nr_read] : &rd[i - 1];
		int rc = arg_check(a);
		if (rc)
			return rc;
		arg_fill(&g->args[i], a,
			 !w || (a->flags & VIRTIO_ACCEL_IOC_ARG_F_INOUT));
	}
	for (size_t i = 0; i < n; i++)
		g->ptrs[i] = &g->args[i];
	vaccel__genop__request__init(&g->req);
	g->req.session_id = (int64_t)op->session_id;
	g->req.read_args = g->ptrs;
	g->req.n_read_args = 1 + (size_t)op->nr_read;
	g->req.write_args = g->ptrs + 1 + op->nr_read;
	g->req.n_write_args = op->nr_write;
	return 0;
}

/* The answers are consistent with what was sent: one per write arg, no
 * more bytes than its capacity, and all of them unless it overflowed. */
static bool answers_ok(const Vaccel__Genop__Response *resp,
		       const struct virtio_accel_ioc_op *op, bool *overflow)
{
	const struct virtio_accel_ioc_arg *wr =
		(const void *)(uintptr_t)op->write_args;
	*overflow = false;
	if (resp->n_write_args != op->nr_write) {
		vaccel_error(PFX "%s: Genop: the agent answered %zu write "
				 "args for %u",
			     link_address(), resp->n_write_args, op->nr_write);
		return false;
	}
	for (uint32_t i = 0; i < op->nr_write; i++) {
		const Vaccel__Genop__Arg *o = resp->write_args[i];
		if (o->buf.len > wr[i].len ||
		    (o->size <= wr[i].len && o->buf.len != o->size)) {
			vaccel_error(PFX "%s: Genop: the agent's write arg %u "
					 "has %zu bytes, size %u, capacity "
					 "%" PRIu64,
				     link_address(), i, o->buf.len, o->size,
				     (uint64_t)wr[i].len);
			return false;
		}
		if (o->size > wr[i].len)
			*overflow = true;
	}
	return true;
}

/* Produced (or needed) sizes and types into the ioctl's write args, and
 * the bytes into the caller's buffers unless an output overflowed. */
static int answers_apply(const Vaccel__Genop__Response *resp,
			 struct virtio_accel_ioc_op *op)
{
	struct virtio_accel_ioc_arg *wr = (void *)(uintptr_t)op->write_args;
	bool overflow;
	if (!answers_ok(resp, op, &overflow))
		return -EPROTO;
	for (uint32_t i = 0; i < op->nr_write; i++) {
		const Vaccel__Genop__Arg *o = resp->write_args[i];
		if (!overflow && o->buf.len)
			memcpy((void *)(uintptr_t)wr[i].uaddr, o->buf.data,
			       o->buf.len);
		wr[i].len = o->size;
		wr[i].type = o->arg_type;
		wr[i].custom_type_id = o->custom_type_id;
	}
	if (overflow) {
		op->status = VIRTIO_ACCEL_OVERFLOW;
		return -EOVERFLOW;
	}
	return 0;
}

int rpc_ioc_op(struct virtio_accel_ioc_op *op)
{
	struct genop_call g = {0};
	ProtobufCMessage *resp = NULL;
	op->status = VIRTIO_ACCEL_OK;
	op->vaccel_ret = 0;
	int rc = op_check(op);
	if (!rc)
		rc = call_build(&g, op);
	if (!rc)
		rc = link_call(RPC_M_GENOP, &g.req.base,
			       &vaccel__genop__response__descriptor, &resp,
			       &op->status, &op->vaccel_ret);
	if (!rc && resp)
		rc = answers_apply((const Vaccel__Genop__Response *)resp, op);
	if (rc == -EBADMSG)
		op->status = VIRTIO_ACCEL_BADMSG;
	if (resp)
		protobuf_c_message_free_unpacked(resp, NULL);
	free(g.args);
	free(g.ptrs);
	return rc;
}
