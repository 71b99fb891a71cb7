// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-accel: the character device /dev/virtio-accel<N> and its ioctls.
 *
 * Every ioctl copies a fixed-size, pointer-free structure in, validates
 * every field against the device limits before allocating anything, and
 * copies the structure back with status and vaccel_ret once the device
 * answered. Unknown ioctls get -ENOTTY. The structures have the same
 * layout for 32- and 64-bit callers, so compat_ioctl only converts the
 * argument pointer.
 */
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "virtio_accel_drv.h"

/* vAccel numbers the driver needs to know (docs/protocol.md §6.2, §7.5) */

static bool va_has(struct va_dev *dev, unsigned int bit)
{
	return dev->features & BIT_ULL(bit);
}

/* vmemdup_user(), charged to the caller's memory cgroup */
static void *va_memdup_user(u64 uaddr, size_t len)
{
	void *p = kvmalloc(len, GFP_KERNEL_ACCOUNT);

	if (!p)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(p, u64_to_user_ptr(uaddr), len)) {
		kvfree(p);
		return ERR_PTR(-EFAULT);
	}
	return p;
}

/* prepare + run + decode; *reqp becomes NULL if the request was orphaned */
static int va_do(struct va_req **reqp)
{
	int err;

	err = va_req_prepare(*reqp);
	if (!err)
		err = va_req_run(reqp);
	if (!err)
		err = va_req_result(*reqp);
	return err;
}

static void va_req_out(const struct va_req *req, u32 *status, s32 *vret)
{
	if (!req)
		return;
	*status = req->status;
	*vret = req->status == VIRTIO_ACCEL_OK ? req->vaccel_ret : 0;
}

static int va_ioc_info(struct va_file *f, void __user *uarg)
{
	struct va_dev *dev = f->dev;
	struct virtio_accel_ioc_info info = {};
	unsigned long flags;

	info.version = dev->version;
	info.num_queues = dev->nvqs;
	info.features = dev->features;
	spin_lock_irqsave(&dev->cfg_lock, flags);
	info.config = dev->cfg;
	spin_unlock_irqrestore(&dev->cfg_lock, flags);
	if (copy_to_user(uarg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static int va_ioc_session_create(struct va_file *f, void __user *uarg)
{
	struct virtio_accel_ioc_session s;
	struct va_req *req;
	struct va_obj *obj;
	int err;

	if (copy_from_user(&s, uarg, sizeof(s)))
		return -EFAULT;
	if (s.reserved)
		return -EINVAL;
	s.session_id = 0;
	s.vaccel_ret = 0;
	s.status = 0;
	obj = va_obj_new(f, VA_OBJ_SESSION);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	req = va_req_alloc(f->dev, VIRTIO_ACCEL_CMD_SESSION_CREATE, 0, 0);
	if (!req) {
		va_obj_discard(f, obj);
		return -ENOMEM;
	}
	req->param = s.flags;
	err = va_do(&req);
	va_req_out(req, &s.status, &s.vaccel_ret);
	if (!err && !s.vaccel_ret) {
		if (req->new_id) {
			va_obj_commit(f, obj, req->new_id);
			s.session_id = req->new_id;
			obj = NULL;
		} else {
			err = -EIO;
		}
	}
	if (obj)
		va_obj_discard(f, obj);
	va_req_free(req);
	if (copy_to_user(uarg, &s, sizeof(s)))
		return -EFAULT;
	return err;
}

/*
 * Destroy one of the file's sessions or resources. The id becomes unusable
 * at once; the command is sent when no request naming it is in flight.
 */
static int va_destroy(struct va_file *f, enum va_obj_kind kind, u64 id,
		      u32 *status, s32 *vret)
{
	u16 cmd = kind == VA_OBJ_SESSION ? VIRTIO_ACCEL_CMD_SESSION_DESTROY :
					   VIRTIO_ACCEL_CMD_RESOURCE_DESTROY;
	u32 gone_status = kind == VA_OBJ_SESSION ? VIRTIO_ACCEL_NOSESS :
						   VIRTIO_ACCEL_NORES;
	struct va_req *req;
	struct va_obj *obj;
	bool gone;
	int err;

	obj = va_obj_begin_destroy(f, kind, id);
	if (!obj) {
		*status = gone_status;
		return -ENOENT;
	}
	err = va_obj_wait_idle(obj);
	if (err) {
		/* destroyed when its last request comes back */
		va_obj_defer_destroy(f, obj);
		return err == -ETIMEDOUT ? -EBUSY : err;
	}
	req = va_req_alloc(f->dev, cmd, 0, 0);
	if (!req) {
		va_obj_end_destroy(f, obj, false);
		return -ENOMEM;
	}
	if (kind == VA_OBJ_SESSION)
		req->session_id = id;
	else
		req->object_id = id;
	err = va_do(&req);
	if (!req) {
		/* orphaned: the destroy is with the device, the id is gone */
		va_obj_end_destroy(f, obj, true);
		return err;
	}
	va_req_out(req, status, vret);
	gone = (!err && !*vret) || err == -ENODEV ||
	       (err == -ENOENT && req->status == gone_status);
	va_req_free(req);
	va_obj_end_destroy(f, obj, gone);
	return err;
}

static int va_ioc_session_destroy(struct va_file *f, void __user *uarg)
{
	struct virtio_accel_ioc_session s;
	int err;

	if (copy_from_user(&s, uarg, sizeof(s)))
		return -EFAULT;
	if (s.reserved)
		return -EINVAL;
	s.vaccel_ret = 0;
	s.status = 0;
	err = va_destroy(f, VA_OBJ_SESSION, s.session_id, &s.status,
			 &s.vaccel_ret);
	if (copy_to_user(uarg, &s, sizeof(s)))
		return -EFAULT;
	return err;
}

/* A blob name: 1..255 bytes, no '/', not "." or "..". Returns its length. */
static int va_get_name(char *buf, u64 uaddr)
{
	long n;

	n = strncpy_from_user(buf, u64_to_user_ptr(uaddr),
			      VIRTIO_ACCEL_BLOB_NAME_MAX + 1);
	if (n < 0)
		return -EFAULT;
	if (n > VIRTIO_ACCEL_BLOB_NAME_MAX)
		return -ENAMETOOLONG;
	if (!n || strchr(buf, '/') || !strcmp(buf, ".") || !strcmp(buf, ".."))
		return -EINVAL;
	return n;
}

static int va_ioc_resource_create(struct va_file *f, void __user *uarg)
{
	struct va_dev *dev = f->dev;
	struct virtio_accel_ioc_resource_create rc;
	struct virtio_accel_ioc_blob *blobs = NULL;
	struct va_obj *obj = NULL, *sess = NULL;
	struct va_req *req = NULL;
	char *names = NULL;
	size_t bytes;
	u32 i;
	int err;

	if (copy_from_user(&rc, uarg, sizeof(rc)))
		return -EFAULT;
	if (rc.flags || rc.reserved)
		return -EINVAL;
	if (!va_has(dev, VIRTIO_ACCEL_F_RESOURCES))
		return -EOPNOTSUPP;
	if (!rc.nr_blobs)
		return -EINVAL;
	if (rc.nr_blobs > dev->lim.max_blobs ||
	    (u64)rc.nr_blobs * 2 > dev->lim.max_args)
		return -E2BIG;
	rc.resource_id = 0;
	rc.vaccel_ret = 0;
	rc.status = 0;
	if (check_mul_overflow((size_t)rc.nr_blobs, sizeof(*blobs), &bytes))
		return -E2BIG;
	blobs = va_memdup_user(rc.blobs, bytes);
	if (IS_ERR(blobs))
		return PTR_ERR(blobs);
	names = kvmalloc_array(rc.nr_blobs, VIRTIO_ACCEL_BLOB_NAME_MAX + 1,
			       GFP_KERNEL_ACCOUNT);
	if (!names) {
		err = -ENOMEM;
		goto out;
	}
	if (rc.session_id) {
		sess = va_obj_lookup(f, VA_OBJ_SESSION, rc.session_id);
		if (!sess) {
			rc.status = VIRTIO_ACCEL_NOSESS;
			err = -ENOENT;
			goto out;
		}
	}
	req = va_req_alloc(dev, VIRTIO_ACCEL_CMD_RESOURCE_CREATE,
			   2 * rc.nr_blobs, 0);
	if (!req) {
		err = -ENOMEM;
		goto out;
	}
	req->param = rc.type;
	req->session_id = rc.session_id;
	if (sess) {
		va_req_add_obj(req, sess);
		sess = NULL;
	}
	for (i = 0; i < rc.nr_blobs; i++) {
		const struct virtio_accel_ioc_blob *b = &blobs[i];
		char *name = names + (size_t)i * (VIRTIO_ACCEL_BLOB_NAME_MAX + 1);
		struct va_arg *an = &req->args[2 * i];
		struct va_arg *ad = &req->args[2 * i + 1];
		int n;

		if (b->flags || b->reserved || !b->data_len) {
			err = -EINVAL;
			goto out;
		}
		if (!access_ok(u64_to_user_ptr(b->data_uaddr), b->data_len)) {
			err = -EFAULT;
			goto out;
		}
		n = va_get_name(name, b->name_uaddr);
		if (n < 0) {
			err = n;
			goto out;
		}
		an->kptr = name;
		an->len = n + 1;
		an->type = VIRTIO_ACCEL_ARG_STRING;
		ad->uaddr = b->data_uaddr;
		ad->len = b->data_len;
		ad->type = VIRTIO_ACCEL_ARG_BUFFER;
	}
	obj = va_obj_new(f, VA_OBJ_RESOURCE);
	if (IS_ERR(obj)) {
		err = PTR_ERR(obj);
		obj = NULL;
		goto out;
	}
	err = va_do(&req);
	va_req_out(req, &rc.status, &rc.vaccel_ret);
	if (!err && !rc.vaccel_ret) {
		if (req->new_id) {
			va_obj_commit(f, obj, req->new_id);
			rc.resource_id = req->new_id;
			obj = NULL;
		} else {
			err = -EIO;
		}
	}
out:
	if (obj)
		va_obj_discard(f, obj);
	if (sess)
		va_obj_put(sess);
	va_req_free(req);
	kvfree(names);
	kvfree(blobs);
	if (copy_to_user(uarg, &rc, sizeof(rc)))
		return -EFAULT;
	return err;
}

static int va_ioc_resource(struct va_file *f, unsigned int cmd,
			   void __user *uarg)
{
	struct va_dev *dev = f->dev;
	struct virtio_accel_ioc_resource r;
	struct va_obj *sess = NULL, *res = NULL;
	struct va_req *req;
	u16 wcmd;
	int err;

	if (copy_from_user(&r, uarg, sizeof(r)))
		return -EFAULT;
	if (!va_has(dev, VIRTIO_ACCEL_F_RESOURCES))
		return -EOPNOTSUPP;
	r.vaccel_ret = 0;
	r.status = 0;
	if (cmd == VIRTIO_ACCEL_IOC_RESOURCE_DESTROY) {
		err = va_destroy(f, VA_OBJ_RESOURCE, r.resource_id, &r.status,
				 &r.vaccel_ret);
		goto out;
	}
	wcmd = cmd == VIRTIO_ACCEL_IOC_RESOURCE_REGISTER ?
		VIRTIO_ACCEL_CMD_RESOURCE_REGISTER :
		VIRTIO_ACCEL_CMD_RESOURCE_UNREGISTER;
	sess = va_obj_lookup(f, VA_OBJ_SESSION, r.session_id);
	if (!sess) {
		r.status = VIRTIO_ACCEL_NOSESS;
		err = -ENOENT;
		goto out;
	}
	res = va_obj_lookup(f, VA_OBJ_RESOURCE, r.resource_id);
	if (!res) {
		va_obj_put(sess);
		r.status = VIRTIO_ACCEL_NORES;
		err = -ENOENT;
		goto out;
	}
	req = va_req_alloc(dev, wcmd, 0, 0);
	if (!req) {
		va_obj_put(sess);
		va_obj_put(res);
		err = -ENOMEM;
		goto out;
	}
	req->session_id = r.session_id;
	req->object_id = r.resource_id;
	va_req_add_obj(req, sess);
	va_req_add_obj(req, res);
	err = va_do(&req);
	va_req_out(req, &r.status, &r.vaccel_ret);
	va_req_free(req);
out:
	if (copy_to_user(uarg, &r, sizeof(r)))
		return -EFAULT;
	return err;
}

static int va_arg_from_user(struct va_dev *dev, struct va_arg *a,
			    const struct virtio_accel_ioc_arg *u)
{
	if (u->reserved || (u->flags & ~(VIRTIO_ACCEL_IOC_ARG_F_COPY |
					  VIRTIO_ACCEL_IOC_ARG_F_INOUT)))
		return -EINVAL;
	if (u->flags & VIRTIO_ACCEL_IOC_ARG_F_INOUT) {
		/* in/out data travels by segments only */
		if (u->flags & VIRTIO_ACCEL_IOC_ARG_F_COPY)
			return -EINVAL;
		if (!dev->segments)
			return -EOPNOTSUPP;
	}
	if (u->type >= VIRTIO_ACCEL_ARG_TYPE_MAX)
		return -EINVAL;
	if (u->custom_type_id && u->type != VIRTIO_ACCEL_ARG_CUSTOM)
		return -EINVAL;
	if (u->len > dev->lim.max_arg_size)
		return -E2BIG;
	a->uaddr = u->uaddr;
	a->len = u->len;
	a->type = u->type;
	a->custom_type_id = u->custom_type_id;
	a->force_inline = u->flags & VIRTIO_ACCEL_IOC_ARG_F_COPY;
	a->inout = u->flags & VIRTIO_ACCEL_IOC_ARG_F_INOUT;
	return 0;
}

static void *va_dup_args(u64 uaddr, u32 n)
{
	size_t bytes;

	if (!n)
		return NULL;
	if (check_mul_overflow((size_t)n, sizeof(struct virtio_accel_ioc_arg),
			       &bytes))
		return ERR_PTR(-E2BIG);
	return va_memdup_user(uaddr, bytes);
}

/*
 * Ops with VIRTIO_ACCEL_OPF_RESOURCE (EXEC_WITH_RESOURCE, the model ops)
 * name a resource in read arg 0 (INT64). The driver
 * checks that it is one of the file's and sends its own copy of the value,
 * so the user cannot change it after the check.
 */
static int va_op_check_resource(struct va_file *f, struct va_req *req,
				u32 *status)
{
	struct va_arg *a = &req->args[0];
	struct va_obj *res;
	__le64 raw;

	if (!req->nr_read || a->type != VIRTIO_ACCEL_ARG_INT64 || a->len != sizeof(raw))
		return -EINVAL;
	if (copy_from_user(&raw, u64_to_user_ptr(a->uaddr), sizeof(raw)))
		return -EFAULT;
	res = va_obj_lookup(f, VA_OBJ_RESOURCE, le64_to_cpu(raw));
	if (!res) {
		*status = VIRTIO_ACCEL_NORES;
		return -ENOENT;
	}
	va_req_add_obj(req, res);
	req->kscratch = raw;
	a->kptr = &req->kscratch;
	a->uaddr = 0;
	return 0;
}

static int va_ioc_op(struct va_file *f, void __user *uarg)
{
	struct va_dev *dev = f->dev;
	struct virtio_accel_ioc_op op;
	struct virtio_accel_ioc_arg *rargs = NULL, *wargs = NULL;
	struct virtio_accel_ioc_arg __user *uw;
	struct va_req *req = NULL;
	struct va_obj *sess;
	u64 nargs, total;
	u32 i;
	int err;

	if (copy_from_user(&op, uarg, sizeof(op)))
		return -EFAULT;
	if (op.flags)
		return -EINVAL;
	op.vaccel_ret = 0;
	op.status = 0;
	nargs = (u64)op.nr_read + op.nr_write;
	if (nargs > dev->lim.max_args)
		return -E2BIG;
	sess = va_obj_lookup(f, VA_OBJ_SESSION, op.session_id);
	if (!sess) {
		op.status = VIRTIO_ACCEL_NOSESS;
		err = -ENOENT;
		goto out;
	}
	req = va_req_alloc(dev, VIRTIO_ACCEL_CMD_OP, op.nr_read, op.nr_write);
	if (!req) {
		va_obj_put(sess);
		err = -ENOMEM;
		goto out;
	}
	req->session_id = op.session_id;
	req->param = op.op_type;
	va_req_add_obj(req, sess);

	rargs = va_dup_args(op.read_args, op.nr_read);
	wargs = va_dup_args(op.write_args, op.nr_write);
	if (IS_ERR(rargs) || IS_ERR(wargs)) {
		err = IS_ERR(rargs) ? PTR_ERR(rargs) : PTR_ERR(wargs);
		goto out;
	}
	for (i = 0; i < op.nr_read; i++) {
		/* in/out is a property of write args only */
		if (rargs[i].flags & VIRTIO_ACCEL_IOC_ARG_F_INOUT) {
			err = -EINVAL;
			goto out;
		}
		err = va_arg_from_user(dev, &req->args[i], &rargs[i]);
		if (err)
			goto out;
	}
	for (i = 0; i < op.nr_write; i++) {
		err = va_arg_from_user(dev, &req->args[op.nr_read + i],
				       &wargs[i]);
		if (err)
			goto out;
	}
	/* limits first, then addresses: errors do not depend on the layout */
	for (i = 0, total = 0; i < nargs; i++) {
		struct va_arg *a = &req->args[i];

		if (check_add_overflow(total, a->len, &total) ||
		    total > dev->lim.max_request_bytes) {
			err = -E2BIG;
			goto out;
		}
	}
	for (i = 0; i < nargs; i++) {
		struct va_arg *a = &req->args[i];

		if (a->len && !access_ok(u64_to_user_ptr(a->uaddr), a->len)) {
			err = -EFAULT;
			goto out;
		}
	}
	if (virtio_accel_op_flags(op.op_type) & VIRTIO_ACCEL_OPF_RESOURCE) {
		err = va_op_check_resource(f, req, &op.status);
		if (err)
			goto out;
	}

	err = va_do(&req);
	va_req_out(req, &op.status, &op.vaccel_ret);
	if (req && (!err || err == -EOVERFLOW)) {
		int cerr = err ? 0 : va_req_copy_out(req);

		uw = u64_to_user_ptr(op.write_args);
		for (i = 0; i < op.nr_write && !cerr; i++)
			if (put_user(req->args[op.nr_read + i].produced,
				     &uw[i].len))
				cerr = -EFAULT;
		if (cerr)
			err = cerr;
	}
out:
	va_req_free(req);
	if (!IS_ERR(rargs))
		kvfree(rargs);
	if (!IS_ERR(wargs))
		kvfree(wargs);
	if (copy_to_user(uarg, &op, sizeof(op)))
		return -EFAULT;
	return err;
}

static int va_ioc_timers(struct va_file *f, void __user *uarg)
{
	struct va_dev *dev = f->dev;
	struct virtio_accel_ioc_timers t;
	struct va_req *req;
	struct va_obj *sess;
	struct va_arg *a;
	int err;

	if (copy_from_user(&t, uarg, sizeof(t)))
		return -EFAULT;
	if (t.reserved || (t.flags & ~VIRTIO_ACCEL_TIMERS_F_CLEAR))
		return -EINVAL;
	if (!va_has(dev, VIRTIO_ACCEL_F_TIMERS))
		return -EOPNOTSUPP;
	t.vaccel_ret = 0;
	t.status = 0;
	sess = va_obj_lookup(f, VA_OBJ_SESSION, t.session_id);
	if (!sess) {
		t.status = VIRTIO_ACCEL_NOSESS;
		err = -ENOENT;
		goto out;
	}
	req = va_req_alloc(dev, VIRTIO_ACCEL_CMD_TIMERS_GET, 0, 1);
	if (!req) {
		va_obj_put(sess);
		err = -ENOMEM;
		goto out;
	}
	req->session_id = t.session_id;
	req->param = t.flags;
	va_req_add_obj(req, sess);
	a = &req->args[0];
	a->uaddr = t.buf;
	a->len = min_t(u64, t.len, dev->lim.max_timer_bytes);
	a->type = VIRTIO_ACCEL_ARG_BUFFER;
	if (a->len && !access_ok(u64_to_user_ptr(a->uaddr), a->len)) {
		va_req_free(req);
		err = -EFAULT;
		goto out;
	}
	err = va_do(&req);
	va_req_out(req, &t.status, &t.vaccel_ret);
	if (req && (!err || err == -EOVERFLOW)) {
		t.len = a->produced;
		if (!err)
			err = va_req_copy_out(req);
	}
	va_req_free(req);
out:
	if (copy_to_user(uarg, &t, sizeof(t)))
		return -EFAULT;
	return err;
}

static long va_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct va_file *f = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VIRTIO_ACCEL_IOC_GET_INFO:
	case VIRTIO_ACCEL_IOC_SESSION_CREATE:
	case VIRTIO_ACCEL_IOC_SESSION_DESTROY:
	case VIRTIO_ACCEL_IOC_RESOURCE_CREATE:
	case VIRTIO_ACCEL_IOC_RESOURCE_DESTROY:
	case VIRTIO_ACCEL_IOC_RESOURCE_REGISTER:
	case VIRTIO_ACCEL_IOC_RESOURCE_UNREGISTER:
	case VIRTIO_ACCEL_IOC_OP:
	case VIRTIO_ACCEL_IOC_TIMERS_GET:
		break;
	default:
		return -ENOTTY;
	}
	if (READ_ONCE(f->dev->dead))
		return -ENODEV;

	switch (cmd) {
	case VIRTIO_ACCEL_IOC_GET_INFO:
		return va_ioc_info(f, uarg);
	case VIRTIO_ACCEL_IOC_SESSION_CREATE:
		return va_ioc_session_create(f, uarg);
	case VIRTIO_ACCEL_IOC_SESSION_DESTROY:
		return va_ioc_session_destroy(f, uarg);
	case VIRTIO_ACCEL_IOC_RESOURCE_CREATE:
		return va_ioc_resource_create(f, uarg);
	case VIRTIO_ACCEL_IOC_OP:
		return va_ioc_op(f, uarg);
	case VIRTIO_ACCEL_IOC_TIMERS_GET:
		return va_ioc_timers(f, uarg);
	default:
		return va_ioc_resource(f, cmd, uarg);
	}
}

static int va_open(struct inode *inode, struct file *file)
{
	/*
	 * misc_open() set private_data and holds misc_mtx around us, so the
	 * device cannot be deregistered and released meanwhile.
	 */
	struct miscdevice *m = file->private_data;
	struct va_dev *dev = container_of(m, struct va_dev, misc);
	struct va_file *f;

	if (READ_ONCE(dev->dead))
		return -ENODEV;
	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return -ENOMEM;
	va_dev_get(dev);
	va_file_init(f, dev);
	file->private_data = f;
	return nonseekable_open(inode, file);
}

static int va_release(struct inode *inode, struct file *file)
{
	struct va_file *f = file->private_data;
	struct va_dev *dev = f->dev;

	va_file_release_objs(f);
	mutex_destroy(&f->lock);
	kfree(f);
	va_dev_put(dev);
	return 0;
}

const struct file_operations va_fops = {
	.owner = THIS_MODULE,
	.open = va_open,
	.release = va_release,
	.unlocked_ioctl = va_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};
