// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-accel: building, submitting, waiting for and completing requests.
 *
 * Lifetime of a request:
 *
 *   va_req_alloc -> va_req_prepare (pin/bounce, build R and W streams)
 *   -> va_req_run: queue on a virtqueue (waiting, killable, for ring space
 *      when it is full), then wait (killable, with the module's timeout)
 *      for the completion.
 *
 * The virtqueue callback marks the request completed under the queue lock.
 * If the submitter stops waiting first (timeout or fatal signal), it marks
 * the request orphaned under the same lock and forgets it; whoever comes
 * second therefore knows who owns it. A completed orphan is handed to a
 * work item that frees it in process context (unpinning pages may sleep).
 * Nothing is freed or unpinned while the chain may still be in the ring:
 * on device removal the ring is reclaimed only after the device is reset.
 */
#include <linux/jiffies.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>

#include "virtio_accel_drv.h"

int va_status_errno(u32 status)
{
	switch (status) {
	case VIRTIO_ACCEL_OK:
		return 0;
	case VIRTIO_ACCEL_BADMSG:
		return -EBADMSG;
	case VIRTIO_ACCEL_UNSUPP:
		return -EOPNOTSUPP;
	case VIRTIO_ACCEL_VERSION_MISMATCH:
		return -EPROTO;
	case VIRTIO_ACCEL_NOSESS:
	case VIRTIO_ACCEL_NORES:
		return -ENOENT;
	case VIRTIO_ACCEL_LIMIT:
		return -ENOSPC;
	case VIRTIO_ACCEL_FAULT:
		return -EFAULT;
	case VIRTIO_ACCEL_OVERFLOW:
		return -EOVERFLOW;
	case VIRTIO_ACCEL_BUSY:
		return -EAGAIN;
	case VIRTIO_ACCEL_ERR:
	default:
		return -EIO;
	}
}

struct va_req *va_req_alloc(struct va_dev *dev, u16 cmd, u32 nr_read,
			    u32 nr_write)
{
	u32 nargs = nr_read + nr_write;
	struct va_req *req;
	u32 i;

	if (nargs < nr_read || nargs > VIRTIO_ACCEL_MAX_ARGS_LIMIT)
		return NULL;
	req = kzalloc(sizeof(*req), GFP_KERNEL_ACCOUNT);
	if (!req)
		return NULL;
	if (nargs) {
		req->args = kvcalloc(nargs, sizeof(*req->args),
				     GFP_KERNEL_ACCOUNT);
		if (!req->args) {
			kfree(req);
			return NULL;
		}
	}
	for (i = nr_read; i < nargs; i++)
		req->args[i].write = true;
	req->dev = dev;
	req->cmd = cmd;
	req->nr_read = nr_read;
	req->nr_write = nr_write;
	init_completion(&req->done);
	va_dev_get(dev);
	return req;
}

/* The request keeps @obj (a reference the caller passes on) until freed. */
void va_req_add_obj(struct va_req *req, struct va_obj *obj)
{
	int i;

	for (i = 0; i < VA_REQ_MAX_OBJS; i++) {
		if (!req->objs[i]) {
			req->objs[i] = obj;
			return;
		}
	}
	WARN_ON_ONCE(1);
	va_obj_put(obj);
}

/* Process context only. Never called while the chain is in the ring. */
void va_req_free(struct va_req *req)
{
	struct va_dev *dev;
	bool put = false;
	u32 i;

	if (!req)
		return;
	dev = req->dev;
	WARN_ON_ONCE(req->queued && !req->completed);
	for (i = 0; req->args && i < req->nr_read + req->nr_write; i++)
		va_arg_unmap(&req->args[i]);
	kvfree(req->args);
	va_kbuf_free(&req->rbuf);
	va_kbuf_free(&req->wbuf);
	kfree(req->sg);
	for (i = 0; i < VA_REQ_MAX_OBJS; i++) {
		if (req->objs[i]) {
			va_obj_put(req->objs[i]);
			put = true;
		}
	}
	kfree(req);
	if (put)
		wake_up_all(&dev->obj_wq);
	va_dev_put(dev);
}

/*
 * Place the arguments (inline or segments), pin or bounce the segment
 * arguments, and build the two byte streams of docs/protocol.md §6.1:
 *   R = req_hdr, arg_desc[], top-level segment entries, inline read data
 *   W = resp_hdr, resp_arg[], inline write areas
 */
int va_req_prepare(struct va_req *req)
{
	struct va_dev *dev = req->dev;
	const struct va_limits *lim = &dev->lim;
	u32 nargs = req->nr_read + req->nr_write;
	u64 cap, r_inline = 0, w_inline = 0, total = 0, segs = 0, top = 0;
	u64 meta, off, r_len, w_len, inline_max;
	struct virtio_accel_req_hdr hdr = {};
	unsigned int nsg;
	int err;
	u32 i;

	if (nargs > lim->max_args)
		return -E2BIG;
	cap = lim->max_inline_bytes;
	if (dev->segments)
		cap = min_t(u64, cap, VA_INLINE_CAP);
	inline_max = READ_ONCE(va_inline_max);

	for (i = 0; i < nargs; i++) {
		struct va_arg *a = &req->args[i];
		u64 *acc = a->write ? &w_inline : &r_inline;

		if (a->len > lim->max_arg_size)
			return -E2BIG;
		if (check_add_overflow(total, a->len, &total) ||
		    total > lim->max_request_bytes)
			return -E2BIG;
		if (a->kptr || !a->len || !dev->segments || a->force_inline ||
		    (!a->inout && a->len <= inline_max &&
		     *acc + a->len <= cap)) {
			if (a->len > cap - *acc)
				return -E2BIG;
			a->kind = VA_ARG_INLINE;
			a->inline_off = *acc;
			*acc += a->len;
		} else {
			a->kind = (VIRTIO_ACCEL_ZC && va_zero_copy) ?
				VA_ARG_ZC : VA_ARG_BOUNCE;
		}
	}

	for (i = 0; i < nargs; i++) {
		struct va_arg *a = &req->args[i];

		if (a->kind == VA_ARG_INLINE)
			continue;
		err = va_arg_map(dev, a);
		if (err)
			return err;
		segs += a->nr_dsegs;
		if (segs > lim->max_segments)
			return -E2BIG;
		err = va_arg_build_tables(dev, a);
		if (err)
			return err;
		top += a->nr_top;
	}

	meta = sizeof(struct virtio_accel_req_hdr) +
	       (u64)nargs * sizeof(struct virtio_accel_arg_desc) +
	       top * sizeof(struct virtio_accel_seg);
	if (meta > lim->max_inline_bytes)
		return -E2BIG;
	r_len = meta + r_inline;
	req->w_inline_off = sizeof(struct virtio_accel_resp_hdr) +
			    (u64)req->nr_write *
				    sizeof(struct virtio_accel_resp_arg);
	w_len = req->w_inline_off + w_inline;
	/* used lengths are 32 bit */
	if (r_len > U32_MAX || w_len > U32_MAX)
		return -E2BIG;

	/*
	 * Sizes chosen by the caller (and bounded by the device's limits,
	 * themselves capped at probe): charged to the caller's memcg.
	 */
	err = va_kbuf_alloc(&req->rbuf, r_len, VA_STREAM_ORDER,
			    GFP_KERNEL_ACCOUNT);
	if (err)
		return err;
	err = va_kbuf_alloc(&req->wbuf, w_len, VA_STREAM_ORDER,
			    GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (err)
		return err;

	req->tag = atomic64_inc_return(&dev->next_tag);
	hdr.version = cpu_to_le16(dev->version);
	hdr.cmd = cpu_to_le16(req->cmd);
	hdr.tag = cpu_to_le64(req->tag);
	hdr.session_id = cpu_to_le64(req->session_id);
	hdr.object_id = cpu_to_le64(req->object_id);
	hdr.param = cpu_to_le32(req->param);
	hdr.nr_read = cpu_to_le32(req->nr_read);
	hdr.nr_write = cpu_to_le32(req->nr_write);
	va_kbuf_write(&req->rbuf, 0, &hdr, sizeof(hdr));
	off = sizeof(hdr);

	for (i = 0; i < nargs; i++) {
		struct va_arg *a = &req->args[i];
		struct virtio_accel_arg_desc d = {};

		d.len = cpu_to_le64(a->len);
		d.type = cpu_to_le32(a->type);
		d.custom_type_id = cpu_to_le32(a->custom_type_id);
		if (a->kind != VA_ARG_INLINE) {
			d.flags = cpu_to_le32(VIRTIO_ACCEL_ARG_F_SEGMENTS);
			d.nr_segs = cpu_to_le32(a->nr_top);
		}
		va_kbuf_write(&req->rbuf, off, &d, sizeof(d));
		off += sizeof(d);
	}
	for (i = 0; i < nargs; i++) {
		if (req->args[i].kind != VA_ARG_INLINE)
			off = va_arg_write_top(&req->args[i], &req->rbuf, off);
	}
	if (WARN_ON_ONCE(off != meta))
		return -EINVAL;
	for (i = 0; i < req->nr_read; i++) {
		struct va_arg *a = &req->args[i];

		if (a->kind != VA_ARG_INLINE || !a->len)
			continue;
		if (a->kptr) {
			va_kbuf_write(&req->rbuf, meta + a->inline_off,
				      a->kptr, a->len);
			continue;
		}
		err = va_kbuf_from_user(&req->rbuf, meta + a->inline_off,
					a->uaddr, a->len);
		if (err)
			return err;
	}

	nsg = req->rbuf.nr + req->wbuf.nr;
	req->sg = kmalloc_array(nsg, sizeof(*req->sg), GFP_KERNEL_ACCOUNT);
	if (!req->sg)
		return -ENOMEM;
	sg_init_table(req->sg, req->rbuf.nr);
	sg_init_table(req->sg + req->rbuf.nr, req->wbuf.nr);
	va_kbuf_fill_sg(&req->rbuf, req->sg);
	va_kbuf_fill_sg(&req->wbuf, req->sg + req->rbuf.nr);
	return 0;
}

/* Guest memory a request holds while the device has it (pinned or bounced). */
static u64 va_req_held_bytes(const struct va_req *req)
{
	u64 n = req->rbuf.len + req->wbuf.len;
	u32 i;

	for (i = 0; req->args && i < req->nr_read + req->nr_write; i++)
		if (req->args[i].kind != VA_ARG_INLINE)
			n += req->args[i].len;
	return n;
}

/*
 * Requests given up by their submitters keep their memory until the device
 * returns them. A device that never does would let callers that time out
 * or get killed pin guest memory without bound: past orphan_limit_mb, new
 * requests fail with -EBUSY until the device gives some back.
 */
static int va_orphan_check(struct va_dev *dev)
{
	u64 limit = (u64)READ_ONCE(va_orphan_limit_mb) << 20;
	u64 held = atomic64_read(&dev->orphan_bytes);

	if (!limit || held < limit)
		return 0;
	pr_warn_ratelimited("%s: the device holds %llu MiB of abandoned requests (orphan_limit_mb %u); refusing new requests until it returns them\n",
			    dev->name, held >> 20, va_orphan_limit_mb);
	return -EBUSY;
}

static unsigned long va_timeout_jiffies(void)
{
	unsigned int ms = READ_ONCE(va_request_timeout_ms);

	return ms ? msecs_to_jiffies(ms) : MAX_SCHEDULE_TIMEOUT;
}

/* Remaining time until @deadline, at least one jiffy, or 0 if past. */
static long va_left(unsigned long deadline, bool finite)
{
	long left;

	if (!finite)
		return MAX_SCHEDULE_TIMEOUT;
	left = (long)(deadline - jiffies);
	return left > 0 ? left : 0;
}

static bool va_space(struct va_vq *q, unsigned long gen)
{
	return READ_ONCE(q->space_gen) != gen || READ_ONCE(q->dead);
}

/*
 * Add the request to a virtqueue. A full ring is waited out (killable)
 * until @deadline; with @deadline already past, -ETIMEDOUT at once. Nothing
 * is freed here: on failure the caller still owns the request.
 */
static int va_req_queue(struct va_req *req, unsigned long deadline,
			bool finite)
{
	struct va_dev *dev = req->dev;
	struct va_vq *q = &dev->vqs[raw_smp_processor_id() % dev->nvqs];
	struct scatterlist *sgs[2] = { req->sg, req->sg + req->rbuf.nr };
	unsigned long flags, gen;
	bool empty;
	long ret;
	int err;

	req->q = q;
	for (;;) {
		spin_lock_irqsave(&q->lock, flags);
		if (q->dead) {
			spin_unlock_irqrestore(&q->lock, flags);
			return -ENODEV;
		}
		/*
		 * GFP_ATOMIC: only the indirect descriptor table, under the
		 * queue lock shared with the interrupt handler.
		 */
		err = virtqueue_add_sgs(q->vq, sgs, 1, 1, req, GFP_ATOMIC);
		if (!err) {
			q->inflight++;
			req->queued = true;
			/* kick under the lock: the queue may go away after */
			virtqueue_kick(q->vq);
			spin_unlock_irqrestore(&q->lock, flags);
			return 0;
		}
		gen = q->space_gen;
		empty = !q->inflight;
		spin_unlock_irqrestore(&q->lock, flags);
		if (err != -ENOSPC)
			return err;
		if (empty)
			return -E2BIG;	/* would never fit */
		ret = va_left(deadline, finite);
		if (!ret)
			return -ETIMEDOUT;
		ret = wait_event_killable_timeout(q->space_wq,
						  va_space(q, gen), ret);
		if (ret < 0)
			return -EINTR;
		if (!ret)
			return -ETIMEDOUT;
	}
}

/*
 * Submit and wait. Returns 0 when the device answered (decode with
 * va_req_result), -ENODEV when the device went away, or another negative
 * errno. If the wait ended by timeout (-ETIMEDOUT) or fatal signal
 * (-EINTR) while the chain is still with the device, the request is
 * orphaned: *reqp is set to NULL and the caller must forget it.
 */
int va_req_run(struct va_req **reqp)
{
	struct va_req *req = *reqp;
	unsigned long to = va_timeout_jiffies();
	bool finite = to != MAX_SCHEDULE_TIMEOUT;
	unsigned long deadline = jiffies + (finite ? to : 0);
	unsigned long flags;
	long ret;
	int err;

	err = va_orphan_check(req->dev);
	if (err)
		return err;
	err = va_req_queue(req, deadline, finite);
	if (err)
		return err;

	if (finite) {
		long left = max(va_left(deadline, true), 1L);

		ret = wait_for_completion_killable_timeout(&req->done, left);
	} else {
		ret = wait_for_completion_killable(&req->done);
		if (!ret)
			ret = 1;
	}

	spin_lock_irqsave(&req->q->lock, flags);
	if (!req->completed) {
		/* The device still owns the buffers: hand them over. */
		req->orphaned = true;
		req->orphan_bytes = va_req_held_bytes(req);
		atomic_inc(&req->dev->nr_orphans);
		atomic64_add(req->orphan_bytes, &req->dev->orphan_bytes);
		spin_unlock_irqrestore(&req->q->lock, flags);
		*reqp = NULL;
		return ret < 0 ? -EINTR : -ETIMEDOUT;
	}
	spin_unlock_irqrestore(&req->q->lock, flags);
	return req->xfer_err;
}

/*
 * Completion, called with the queue lock held (interrupt callback or
 * removal). Returns true if the request is an orphan that was put on the
 * device's orphan list (the caller schedules the orphan work).
 */
bool va_req_done_locked(struct va_req *req, u32 used_len, int err)
{
	struct va_dev *dev = req->dev;

	req->q->inflight--;
	req->used_len = used_len;
	req->xfer_err = err;
	req->completed = true;
	if (req->orphaned) {
		llist_add(&req->orphan_node, &dev->orphans);
		return true;
	}
	complete(&req->done);
	return false;
}

static int va_bad_resp(struct va_req *req, const char *why)
{
	pr_warn_ratelimited("%s: bad response to tag %llu (cmd 0x%x): %s\n",
			    req->dev->name, req->tag, req->cmd, why);
	return -EIO;
}

/*
 * Decode and validate the response; the device is not trusted. Fills
 * status, vaccel_ret, new_id and the produced lengths of write args.
 */
int va_req_result(struct va_req *req)
{
	struct virtio_accel_resp_hdr h;
	u64 need;
	u32 st, i;

	if (req->xfer_err)
		return req->xfer_err;
	if (req->used_len < sizeof(h))
		return va_bad_resp(req, "used length below the header");
	if (req->used_len > req->wbuf.len)
		return va_bad_resp(req, "used length beyond the buffer");
	va_kbuf_read(&req->wbuf, 0, &h, sizeof(h));
	if (le64_to_cpu(h.tag) != req->tag)
		return va_bad_resp(req, "tag mismatch");
	st = le32_to_cpu(h.status);
	if (st > VIRTIO_ACCEL_BUSY)
		return va_bad_resp(req, "unknown status");
	req->status = st;
	if (st == VIRTIO_ACCEL_OK) {
		req->vaccel_ret = (s32)le32_to_cpu(h.vaccel_ret);
		req->new_id = le64_to_cpu(h.object_id);
	}
	if (st != VIRTIO_ACCEL_OK && st != VIRTIO_ACCEL_OVERFLOW)
		return va_status_errno(st);

	if (le32_to_cpu(h.nr_write) != req->nr_write)
		return va_bad_resp(req, "wrong number of write results");
	need = sizeof(h) + (u64)req->nr_write *
			   sizeof(struct virtio_accel_resp_arg);
	if (req->used_len < need)
		return va_bad_resp(req, "used length below the results");
	for (i = 0; i < req->nr_write; i++) {
		struct va_arg *a = &req->args[req->nr_read + i];
		struct virtio_accel_resp_arg ra;
		u64 len;

		va_kbuf_read(&req->wbuf,
			     sizeof(h) + (u64)i * sizeof(ra), &ra, sizeof(ra));
		len = le64_to_cpu(ra.len);
		if (st == VIRTIO_ACCEL_OK) {
			if (len > a->len)
				return va_bad_resp(req, "output too long");
			if (a->kind == VA_ARG_INLINE &&
			    req->w_inline_off + a->inline_off + len >
				    req->used_len)
				return va_bad_resp(req,
						   "output beyond used length");
		}
		a->produced = len;
	}
	return va_status_errno(st);
}

/* Copy the produced bytes of inline and bounced write args to the user. */
int va_req_copy_out(struct va_req *req)
{
	u32 i;
	int err;

	for (i = req->nr_read; i < req->nr_read + req->nr_write; i++) {
		struct va_arg *a = &req->args[i];
		u64 n = min(a->produced, a->len);

		if (!n || a->kptr)
			continue;
		if (a->kind == VA_ARG_INLINE)
			err = va_kbuf_to_user(&req->wbuf, req->w_inline_off +
					      a->inline_off, a->uaddr, n);
		else if (a->kind == VA_ARG_BOUNCE)
			err = va_kbuf_to_user(&a->bounce, 0, a->uaddr, n);
		else
			err = 0;	/* zero-copy: already in place */
		if (err)
			return err;
	}
	return 0;
}

/*
 * Destroy commands are fire and forget: the request is an orphan from the
 * start, freed by the orphan work when the device returns it. They are
 * sent from file release, final puts and the orphan work, none of which
 * may wait for ring space (a device that keeps the ring full would make
 * closing a file with many objects take hours, uninterruptibly). So a
 * destroy is added to the ring only if it fits now; otherwise it waits on
 * the device's pending list, which pend_work sends from whenever buffers
 * come back, in order. Removal drops what is still pending (the device is
 * reset: the host forgets the objects anyway).
 */
struct va_pend {
	struct list_head node;
	enum va_obj_kind kind;
	u64 id;
};

static struct va_req *va_destroy_req(struct va_dev *dev,
				     enum va_obj_kind kind, u64 id)
{
	struct va_req *req;

	if (kind == VA_OBJ_SESSION) {
		req = va_req_alloc(dev, VIRTIO_ACCEL_CMD_SESSION_DESTROY, 0, 0);
		if (req)
			req->session_id = id;
	} else {
		req = va_req_alloc(dev, VIRTIO_ACCEL_CMD_RESOURCE_DESTROY,
				   0, 0);
		if (req)
			req->object_id = id;
	}
	if (req && va_req_prepare(req)) {
		va_req_free(req);
		req = NULL;
	}
	return req;
}

/*
 * Queue a destroy without waiting: 0 (sent, or dropped because the device
 * is gone), -ENOSPC when the ring is full, -ENOMEM.
 */
static int va_destroy_now(struct va_dev *dev, enum va_obj_kind kind, u64 id)
{
	struct va_req *req = va_destroy_req(dev, kind, id);
	int err;

	if (!req)
		return -ENOMEM;
	req->orphaned = true;
	atomic_inc(&dev->nr_orphans);
	err = va_req_queue(req, jiffies, true);
	if (!err)
		return 0;
	atomic_dec(&dev->nr_orphans);
	req->orphaned = false;
	va_req_free(req);
	if (err == -ETIMEDOUT)
		return -ENOSPC;
	if (err != -ENODEV)
		pr_warn_ratelimited("%s: cannot send a destroy: %d\n",
				    dev->name, err);
	return 0;
}

static void va_pend_add(struct va_dev *dev, struct va_pend *p, bool head)
{
	spin_lock(&dev->pend_lock);
	if (dev->pend_dead) {
		spin_unlock(&dev->pend_lock);
		kfree(p);
		return;
	}
	if (head) {
		list_add(&p->node, &dev->pend);
	} else {
		list_add_tail(&p->node, &dev->pend);
		WRITE_ONCE(dev->nr_pend, dev->nr_pend + 1);
		/*
		 * The ring may have drained meanwhile: look once more. Under
		 * the lock, so never after va_pend_shutdown cancelled the work.
		 */
		schedule_work(&dev->pend_work);
	}
	spin_unlock(&dev->pend_lock);
}

/* Tell the host to destroy a session or resource, never waiting. */
void va_send_destroy(struct va_dev *dev, enum va_obj_kind kind, u64 id)
{
	struct va_pend *p;
	int err = -ENOSPC;

	if (READ_ONCE(dev->dead))
		return;
	/* behind destroys already pending: keep their order */
	if (!READ_ONCE(dev->nr_pend)) {
		err = va_destroy_now(dev, kind, id);
		if (!err)
			return;
	}
	/* on failure the host object stays until the device is reset */
	p = kmalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return;
	p->kind = kind;
	p->id = id;
	va_pend_add(dev, p, false);
}

/*
 * Buffers came back: send pending destroys (queue callback; the queues are
 * gone before va_pend_shutdown).
 */
void va_pend_kick(struct va_dev *dev)
{
	if (READ_ONCE(dev->nr_pend))
		schedule_work(&dev->pend_work);
}

void va_pend_work(struct work_struct *work)
{
	struct va_dev *dev = container_of(work, struct va_dev, pend_work);
	struct va_pend *p;
	int err;

	for (;;) {
		spin_lock(&dev->pend_lock);
		p = list_first_entry_or_null(&dev->pend, struct va_pend, node);
		if (p)
			list_del(&p->node);
		spin_unlock(&dev->pend_lock);
		if (!p)
			return;
		/*
		 * nr_pend still counts @p: a completion meanwhile schedules
		 * this work again, so a full ring is retried later.
		 */
		err = READ_ONCE(dev->dead) ? 0 :
					     va_destroy_now(dev, p->kind, p->id);
		if (err) {
			va_pend_add(dev, p, true);
			return;
		}
		kfree(p);
		spin_lock(&dev->pend_lock);
		WRITE_ONCE(dev->nr_pend, dev->nr_pend - 1);
		spin_unlock(&dev->pend_lock);
	}
}

/* Removal, after the queues are gone: drop what is still pending. */
void va_pend_shutdown(struct va_dev *dev)
{
	struct va_pend *p, *tmp;
	unsigned int n = 0;
	LIST_HEAD(list);

	spin_lock(&dev->pend_lock);
	dev->pend_dead = true;
	spin_unlock(&dev->pend_lock);
	cancel_work_sync(&dev->pend_work);
	spin_lock(&dev->pend_lock);
	list_splice_init(&dev->pend, &list);
	WRITE_ONCE(dev->nr_pend, 0);
	spin_unlock(&dev->pend_lock);
	list_for_each_entry_safe(p, tmp, &list, node) {
		list_del(&p->node);
		kfree(p);
		n++;
	}
	if (n)
		pr_warn("%s: %u destroy commands never fit in the ring\n",
			dev->name, n);
}

/*
 * Free completed orphans in process context. An orphaned create that
 * succeeded made a host object nobody knows about: destroy it.
 */
void va_orphan_work(struct work_struct *work)
{
	struct va_dev *dev = container_of(work, struct va_dev, orphan_work);
	struct llist_node *list = llist_del_all(&dev->orphans);
	struct va_req *req, *tmp;

	llist_for_each_entry_safe(req, tmp, list, orphan_node) {
		bool create = req->cmd == VIRTIO_ACCEL_CMD_SESSION_CREATE ||
			      req->cmd == VIRTIO_ACCEL_CMD_RESOURCE_CREATE;

		if (create && !va_req_result(req) && !req->vaccel_ret &&
		    req->new_id)
			va_send_destroy(dev,
					req->cmd ==
						VIRTIO_ACCEL_CMD_SESSION_CREATE ?
						VA_OBJ_SESSION :
						VA_OBJ_RESOURCE,
					req->new_id);
		atomic64_sub(req->orphan_bytes, &dev->orphan_bytes);
		atomic_dec(&dev->nr_orphans);
		va_req_free(req);
	}
}
