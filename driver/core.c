// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-accel: vAccel over virtio, guest driver.
 *
 * Probe/remove, virtqueues and their callbacks, module parameters. The
 * protocol is docs/protocol.md; the ioctl ABI <linux/virtio_accel.h>.
 */
#include <linux/device.h>
#include <linux/idr.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/version.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>

#include "virtio_accel_drv.h"

unsigned int va_request_timeout_ms = 60000;
module_param_named(request_timeout_ms, va_request_timeout_ms, uint, 0644);
MODULE_PARM_DESC(request_timeout_ms,
		 "Time an ioctl waits for the device, in ms (0: forever; default 60000)");

unsigned int va_orphan_limit_mb = 1024;
module_param_named(orphan_limit_mb, va_orphan_limit_mb, uint, 0644);
MODULE_PARM_DESC(orphan_limit_mb,
		 "Memory abandoned requests may hold until the device returns them, in MiB, per device; past it new requests fail with EBUSY (0: no limit; default 1024)");

unsigned int va_inline_max = PAGE_SIZE;
module_param_named(inline_max, va_inline_max, uint, 0644);
MODULE_PARM_DESC(inline_max,
		 "Arguments up to this size are copied inline (default: one page)");

#if VIRTIO_ACCEL_ZC
bool va_zero_copy = true;
module_param_named(zero_copy, va_zero_copy, bool, 0444);
MODULE_PARM_DESC(zero_copy,
		 "Pin user pages for large arguments instead of bouncing (default: Y)");
#else
bool va_zero_copy;
#endif

static ushort va_dev_mode = 0666;
module_param_named(dev_mode, va_dev_mode, ushort, 0444);
MODULE_PARM_DESC(dev_mode,
		 "Permissions of /dev/virtio-accel<N> (default 0666)");

/*
 * The driver's own ceiling, whatever the device allows (bounds the
 * page-pointer and segment arrays of one argument).
 */
#define VA_MAX_ARG_BYTES (16ULL << 30)
/* How long removal lets requests already with the device finish. */
#define VA_REMOVE_DRAIN_MS 3000

static DEFINE_IDA(va_ida);

static void va_dev_release(struct kref *kref)
{
	struct va_dev *dev = container_of(kref, struct va_dev, kref);

	kfree(dev->vqs);
	kfree(dev);
}

void va_dev_get(struct va_dev *dev)
{
	kref_get(&dev->kref);
}

void va_dev_put(struct va_dev *dev)
{
	kref_put(&dev->kref, va_dev_release);
}

static void va_vq_done(struct virtqueue *vq)
{
	struct va_dev *dev = vq->vdev->priv;
	struct va_vq *q = &dev->vqs[vq->index];
	bool orphans = false;
	unsigned long flags;
	struct va_req *req;
	unsigned int len;

	spin_lock_irqsave(&q->lock, flags);
	do {
		virtqueue_disable_cb(vq);
		while ((req = virtqueue_get_buf(vq, &len)))
			orphans |= va_req_done_locked(req, len, 0);
		if (unlikely(virtqueue_is_broken(vq)))
			break;
	} while (!virtqueue_enable_cb(vq));
	q->space_gen++;
	spin_unlock_irqrestore(&q->lock, flags);

	if (wq_has_sleeper(&q->space_wq))
		wake_up_all(&q->space_wq);
	if (orphans)
		schedule_work(&dev->orphan_work);
	va_pend_kick(dev);
}

static void va_cfg_work(struct work_struct *work)
{
	struct va_dev *dev = container_of(work, struct va_dev, cfg_work);
	unsigned long flags;
	u32 status;

	virtio_cread_le(dev->vdev, struct virtio_accel_config, status,
			&status);
	spin_lock_irqsave(&dev->cfg_lock, flags);
	dev->cfg.status = cpu_to_le32(status);
	spin_unlock_irqrestore(&dev->cfg_lock, flags);
	dev_info(&dev->vdev->dev, "host runtime %sready\n",
		 le32_to_cpu(dev->cfg.status) & VIRTIO_ACCEL_S_HW_READY ?
		 "" : "not ");
}

static void va_config_changed(struct virtio_device *vdev)
{
	struct va_dev *dev = vdev->priv;

	schedule_work(&dev->cfg_work);
}

/*
 * Linux 6.11 changed virtio_find_vqs() to take a struct virtqueue_info[]
 * instead of parallel callback and name arrays.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
static int va_find_vqs_compat(struct va_dev *dev, struct virtqueue **vqs)
{
	struct virtqueue_info *info;
	unsigned int i;
	int err;

	info = kcalloc(dev->nvqs, sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	for (i = 0; i < dev->nvqs; i++) {
		info[i].name = dev->vqs[i].name;
		info[i].callback = va_vq_done;
	}
	err = virtio_find_vqs(dev->vdev, dev->nvqs, vqs, info, NULL);
	kfree(info);
	return err;
}
#else
static int va_find_vqs_compat(struct va_dev *dev, struct virtqueue **vqs)
{
	vq_callback_t **cbs;
	const char **names;
	unsigned int i;
	int err = -ENOMEM;

	cbs = kcalloc(dev->nvqs, sizeof(*cbs), GFP_KERNEL);
	names = kcalloc(dev->nvqs, sizeof(*names), GFP_KERNEL);
	if (cbs && names) {
		for (i = 0; i < dev->nvqs; i++) {
			names[i] = dev->vqs[i].name;
			cbs[i] = va_vq_done;
		}
		err = virtio_find_vqs(dev->vdev, dev->nvqs, vqs, cbs, names,
				      NULL);
	}
	kfree(cbs);
	kfree(names);
	return err;
}
#endif

static int va_find_vqs(struct va_dev *dev)
{
	struct virtqueue **vqs;
	unsigned int i;
	int err;

	vqs = kcalloc(dev->nvqs, sizeof(*vqs), GFP_KERNEL);
	if (!vqs)
		return -ENOMEM;
	err = va_find_vqs_compat(dev, vqs);
	if (!err)
		for (i = 0; i < dev->nvqs; i++)
			dev->vqs[i].vq = vqs[i];
	kfree(vqs);
	return err;
}

/* Cap a device-supplied limit at the driver's own bound. */
static u32 va_cap_u32(struct va_dev *dev, const char *what, u32 v, u32 max)
{
	if (v <= max)
		return v;
	dev_warn(&dev->vdev->dev, "%s %u capped at %u\n", what, v, max);
	return max;
}

static int va_read_config(struct va_dev *dev)
{
	struct virtio_device *vdev = dev->vdev;
	struct virtio_accel_config *c = &dev->cfg;
	struct va_limits *l = &dev->lim;
	u16 vmin, vmax;

	virtio_cread_bytes(vdev, 0, c, sizeof(*c));
	vmin = le16_to_cpu(c->version_min);
	vmax = le16_to_cpu(c->version_max);
	if (vmin > VIRTIO_ACCEL_VERSION || vmax < VIRTIO_ACCEL_VERSION) {
		dev_err(&vdev->dev, "protocol versions %u..%u, driver speaks %u\n",
			vmin, vmax, VIRTIO_ACCEL_VERSION);
		return -ENODEV;
	}
	dev->version = VIRTIO_ACCEL_VERSION;

	/*
	 * The device is not trusted with the driver's memory either: every
	 * limit that sizes an allocation is capped at a driver-side bound.
	 * max_inline_bytes sizes the request streams (all of a request's
	 * data without F_SEGMENTS), max_sessions/max_resources the objects
	 * one file may hold.
	 */
	l->max_args = min_t(u32, le32_to_cpu(c->max_args),
			    VIRTIO_ACCEL_MAX_ARGS_LIMIT);
	l->max_segments = va_cap_u32(dev, "max_segments",
				     le32_to_cpu(c->max_segments),
				     VA_MAX_SEGMENTS);
	l->max_table_entries = min_t(u32, le32_to_cpu(c->max_table_entries),
				     PAGE_SIZE / sizeof(struct virtio_accel_seg));
	l->max_inline_bytes = va_cap_u32(dev, "max_inline_bytes",
					 le32_to_cpu(c->max_inline_bytes),
					 VA_MAX_INLINE_BYTES);
	l->max_blobs = min_t(u32, le32_to_cpu(c->max_blobs), l->max_args / 2);
	l->max_arg_size = min_t(u64, le64_to_cpu(c->max_arg_size),
				VA_MAX_ARG_BYTES);
	l->max_request_bytes = min_t(u64, le64_to_cpu(c->max_request_bytes),
				     4 * VA_MAX_ARG_BYTES);
	l->max_sessions = va_cap_u32(dev, "max_sessions",
				     le32_to_cpu(c->max_sessions), VA_MAX_OBJS);
	l->max_resources = va_cap_u32(dev, "max_resources",
				      le32_to_cpu(c->max_resources),
				      VA_MAX_OBJS);
	l->max_timer_bytes = min_t(u32, le32_to_cpu(c->max_timer_bytes),
				   VA_MAX_TIMER_BYTES);
	if (l->max_inline_bytes < sizeof(struct virtio_accel_req_hdr)) {
		dev_err(&vdev->dev, "max_inline_bytes %u is unusable\n",
			l->max_inline_bytes);
		return -ENODEV;
	}
	return 0;
}

static struct va_dev *va_dev_from_misc(struct device *d)
{
	struct miscdevice *m = dev_get_drvdata(d);

	return container_of(m, struct va_dev, misc);
}

/* Requests given up by their submitters and not yet returned. */
static ssize_t orphans_show(struct device *d, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%d\n",
			  atomic_read(&va_dev_from_misc(d)->nr_orphans));
}
static DEVICE_ATTR_RO(orphans);

/* Bytes of guest memory those requests hold. */
static ssize_t orphan_bytes_show(struct device *d,
				 struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  atomic64_read(&va_dev_from_misc(d)->orphan_bytes));
}
static DEVICE_ATTR_RO(orphan_bytes);

/* Chains in the rings. */
static ssize_t inflight_show(struct device *d, struct device_attribute *attr,
			     char *buf)
{
	struct va_dev *dev = va_dev_from_misc(d);
	unsigned long flags;
	unsigned int i, n = 0;

	for (i = 0; i < dev->nvqs; i++) {
		spin_lock_irqsave(&dev->vqs[i].lock, flags);
		n += dev->vqs[i].inflight;
		spin_unlock_irqrestore(&dev->vqs[i].lock, flags);
	}
	return sysfs_emit(buf, "%u\n", n);
}
static DEVICE_ATTR_RO(inflight);

/* Destroy commands waiting for ring space. */
static ssize_t pending_destroys_show(struct device *d,
				     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  READ_ONCE(va_dev_from_misc(d)->nr_pend));
}
static DEVICE_ATTR_RO(pending_destroys);

static struct attribute *va_attrs[] = {
	&dev_attr_orphans.attr,
	&dev_attr_pending_destroys.attr,
	&dev_attr_orphan_bytes.attr,
	&dev_attr_inflight.attr,
	NULL,
};
ATTRIBUTE_GROUPS(va);

static int va_probe(struct virtio_device *vdev)
{
	static const unsigned int bits[] = {
		VIRTIO_ACCEL_F_SEGMENTS, VIRTIO_ACCEL_F_RESOURCES,
		VIRTIO_ACCEL_F_TIMERS, VIRTIO_ACCEL_F_MQ, VIRTIO_ACCEL_F_MODELS,
	};
	struct va_dev *dev;
	unsigned int i;
	int err;

	if (!vdev->config->get) {
		dev_err(&vdev->dev, "config space not accessible\n");
		return -EINVAL;
	}
	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	kref_init(&dev->kref);
	dev->vdev = vdev;
	dev->index = -1;
	spin_lock_init(&dev->cfg_lock);
	init_llist_head(&dev->orphans);
	INIT_WORK(&dev->orphan_work, va_orphan_work);
	INIT_WORK(&dev->cfg_work, va_cfg_work);
	init_waitqueue_head(&dev->obj_wq);
	spin_lock_init(&dev->pend_lock);
	INIT_LIST_HEAD(&dev->pend);
	INIT_WORK(&dev->pend_work, va_pend_work);
	atomic64_set(&dev->next_tag, 0);
	vdev->priv = dev;

	err = va_read_config(dev);
	if (err)
		goto err_free;
	for (i = 0; i < ARRAY_SIZE(bits); i++)
		if (virtio_has_feature(vdev, bits[i]))
			dev->features |= BIT_ULL(bits[i]);
	/* Segment addresses are guest-physical: unusable behind an IOMMU. */
	dev->segments = virtio_has_feature(vdev, VIRTIO_ACCEL_F_SEGMENTS) &&
			!virtio_has_feature(vdev, VIRTIO_F_ACCESS_PLATFORM) &&
			dev->lim.max_segments && dev->lim.max_table_entries;

	dev->nvqs = 1;
	if (virtio_has_feature(vdev, VIRTIO_ACCEL_F_MQ)) {
		u16 n = le16_to_cpu(dev->cfg.num_queues);

		if (!n) {
			dev_err(&vdev->dev, "F_MQ with zero queues\n");
			err = -EINVAL;
			goto err_free;
		}
		dev->nvqs = min_t(unsigned int, n, VA_MAX_QUEUES);
		dev->nvqs = min_t(unsigned int, dev->nvqs, nr_cpu_ids);
	}
	dev->vqs = kcalloc(dev->nvqs, sizeof(*dev->vqs), GFP_KERNEL);
	if (!dev->vqs) {
		err = -ENOMEM;
		goto err_free;
	}
	for (i = 0; i < dev->nvqs; i++) {
		struct va_vq *q = &dev->vqs[i];

		spin_lock_init(&q->lock);
		init_waitqueue_head(&q->space_wq);
		q->dev = dev;
		snprintf(q->name, sizeof(q->name), "requestq%u", i);
	}
	err = va_find_vqs(dev);
	if (err)
		goto err_free;

	err = ida_alloc(&va_ida, GFP_KERNEL);
	if (err < 0)
		goto err_vqs;
	dev->index = err;
	snprintf(dev->name, sizeof(dev->name), "%s%d",
		 VIRTIO_ACCEL_DEVICE_NAME, dev->index);

	virtio_device_ready(vdev);

	dev->misc.minor = MISC_DYNAMIC_MINOR;
	dev->misc.name = dev->name;
	dev->misc.fops = &va_fops;
	dev->misc.parent = &vdev->dev;
	dev->misc.mode = va_dev_mode;
	dev->misc.groups = va_groups;
	err = misc_register(&dev->misc);
	if (err)
		goto err_reset;

	dev_info(&vdev->dev,
		 "/dev/%s: protocol v%u, %u queue(s), features 0x%llx, %s%s\n",
		 dev->name, dev->version, dev->nvqs, dev->features,
		 !dev->segments ? "inline only" :
		 (VIRTIO_ACCEL_ZC && va_zero_copy) ? "zero-copy" : "bounce",
		 le32_to_cpu(dev->cfg.status) & VIRTIO_ACCEL_S_HW_READY ?
		 "" : ", host runtime not ready");
	return 0;

err_reset:
	virtio_reset_device(vdev);
	cancel_work_sync(&dev->cfg_work);
err_vqs:
	vdev->config->del_vqs(vdev);
err_free:
	if (dev->index >= 0)
		ida_free(&va_ida, dev->index);
	vdev->priv = NULL;
	va_dev_put(dev);
	return err;
}

/*
 * Give requests already with the device a moment to finish before the
 * reset: harmless on transports whose reset stops the device, and it
 * narrows the window on those whose reset does not (UML's virtio_uml only
 * tells the back-end when the queues are deleted).
 */
static void va_drain(struct va_dev *dev)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(VA_REMOVE_DRAIN_MS);
	unsigned int i;

	for (i = 0; i < dev->nvqs; i++) {
		struct va_vq *q = &dev->vqs[i];
		long left = (long)(deadline - jiffies);

		if (left <= 0)
			break;
		wait_event_timeout(q->space_wq, !READ_ONCE(q->inflight), left);
	}
}

/*
 * After the reset: complete what the device returned, detach the rest from
 * the rings (virtio frees its indirect tables then) and delete the queues;
 * only after that are the detached requests completed with -ENODEV, i.e.
 * their memory released.
 */
static void va_reclaim(struct va_dev *dev)
{
	struct va_req *req, *tmp;
	bool orphans = false;
	unsigned long flags;
	unsigned int i, len;
	LIST_HEAD(lost);

	for (i = 0; i < dev->nvqs; i++) {
		struct va_vq *q = &dev->vqs[i];

		spin_lock_irqsave(&q->lock, flags);
		while ((req = virtqueue_get_buf(q->vq, &len)))
			orphans |= va_req_done_locked(req, len, 0);
		while ((req = virtqueue_detach_unused_buf(q->vq)))
			list_add_tail(&req->lost, &lost);
		spin_unlock_irqrestore(&q->lock, flags);
	}
	dev->vdev->config->del_vqs(dev->vdev);
	list_for_each_entry_safe(req, tmp, &lost, lost) {
		struct va_vq *q = req->q;

		list_del(&req->lost);
		spin_lock_irqsave(&q->lock, flags);
		orphans |= va_req_done_locked(req, 0, -ENODEV);
		spin_unlock_irqrestore(&q->lock, flags);
	}
	for (i = 0; i < dev->nvqs; i++) {
		struct va_vq *q = &dev->vqs[i];

		spin_lock_irqsave(&q->lock, flags);
		q->vq = NULL;
		q->space_gen++;
		spin_unlock_irqrestore(&q->lock, flags);
		wake_up_all(&q->space_wq);
	}
	if (orphans)
		schedule_work(&dev->orphan_work);
}

static void va_remove(struct virtio_device *vdev)
{
	struct va_dev *dev = vdev->priv;
	unsigned long flags;
	unsigned int i;

	/* No new opens; open files see `dead' and get -ENODEV. */
	misc_deregister(&dev->misc);
	/* pending destroys that fit now go out (and are drained below) */
	flush_work(&dev->pend_work);
	WRITE_ONCE(dev->dead, true);
	for (i = 0; i < dev->nvqs; i++) {
		struct va_vq *q = &dev->vqs[i];

		spin_lock_irqsave(&q->lock, flags);
		q->dead = true;
		spin_unlock_irqrestore(&q->lock, flags);
		wake_up_all(&q->space_wq);
	}
	cancel_work_sync(&dev->cfg_work);
	va_drain(dev);

	/* Only after the reset may the requests' memory be released. */
	virtio_reset_device(vdev);
	va_reclaim(dev);
	va_pend_shutdown(dev);
	flush_work(&dev->orphan_work);
	wake_up_all(&dev->obj_wq);

	ida_free(&va_ida, dev->index);
	dev->vdev = NULL;
	vdev->priv = NULL;
	if (atomic_read(&dev->nr_orphans))
		pr_warn("%s: %d orphaned requests left\n", dev->name,
			atomic_read(&dev->nr_orphans));
	va_dev_put(dev);
}

static int va_validate(struct virtio_device *vdev)
{
	if (!virtio_has_feature(vdev, VIRTIO_F_VERSION_1)) {
		dev_err(&vdev->dev, "device does not offer VERSION_1\n");
		return -ENODEV;
	}
	return 0;
}

static unsigned int va_features[] = {
	VIRTIO_ACCEL_F_SEGMENTS,
	VIRTIO_ACCEL_F_RESOURCES,
	VIRTIO_ACCEL_F_TIMERS,
	VIRTIO_ACCEL_F_MQ,
	VIRTIO_ACCEL_F_MODELS,
};

static const struct virtio_device_id va_id_table[] = {
	{ VIRTIO_ID_ACCEL, VIRTIO_DEV_ANY_ID },
	{ 0 },
};
MODULE_DEVICE_TABLE(virtio, va_id_table);

static struct virtio_driver va_driver = {
	.driver.name = VA_DRV_NAME,
#ifndef register_virtio_driver
	/* since 6.9, register_virtio_driver() sets the owner */
	.driver.owner = THIS_MODULE,
#endif
	.id_table = va_id_table,
	.feature_table = va_features,
	.feature_table_size = ARRAY_SIZE(va_features),
	.validate = va_validate,
	.probe = va_probe,
	.remove = va_remove,
	.config_changed = va_config_changed,
};

module_virtio_driver(va_driver);

MODULE_DESCRIPTION("vAccel over virtio (virtio-accel) guest driver");
MODULE_LICENSE("GPL");
