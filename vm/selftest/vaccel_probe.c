// SPDX-License-Identifier: GPL-2.0
/*
 * vaccel_probe: the VM harness's self-test driver for the virtio-accel
 * device (virtio id 63). It binds, reads the configuration space through
 * the transport (vhost-user GET_CONFIG on the host side), sets up one
 * virtqueue, sets DRIVER_OK and logs what it found; removal resets the
 * device. It sends no requests: that is the real driver's job (driver/).
 *
 * provoke=kasan|lockdep|sleep|leak makes it commit one deliberate bug when
 * loaded, so that the self-test can prove that the debug kernel reports it
 * and the harness fails the run.
 */

#include <linux/module.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_accel.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>

#define VIRTIO_ID_ACCEL_PROBE 63

static char *provoke = "";
module_param(provoke, charp, 0444);
MODULE_PARM_DESC(provoke, "commit a deliberate bug at load: kasan, lockdep, sleep, leak");

static DEFINE_MUTEX(provoke_a);
static DEFINE_MUTEX(provoke_b);
static DEFINE_SPINLOCK(provoke_lock);
static void *provoke_leak;

static void vaccel_probe_provoke(void)
{
	if (!strcmp(provoke, "kasan")) {
		volatile size_t idx = 16;
		char *p = kmalloc(16, GFP_KERNEL);

		if (p) {
			pr_info("vaccel-probe: provoking an out-of-bounds read\n");
			pr_info("vaccel-probe: read %d\n", READ_ONCE(p[idx]));
			kfree(p);
		}
	} else if (!strcmp(provoke, "lockdep")) {
		pr_info("vaccel-probe: provoking an AB-BA lock order\n");
		mutex_lock(&provoke_a);
		mutex_lock(&provoke_b);
		mutex_unlock(&provoke_b);
		mutex_unlock(&provoke_a);
		mutex_lock(&provoke_b);
		mutex_lock(&provoke_a);
		mutex_unlock(&provoke_a);
		mutex_unlock(&provoke_b);
	} else if (!strcmp(provoke, "sleep")) {
		pr_info("vaccel-probe: provoking a sleep in atomic context\n");
		spin_lock(&provoke_lock);
		might_sleep();
		spin_unlock(&provoke_lock);
	} else if (!strcmp(provoke, "leak")) {
		pr_info("vaccel-probe: provoking a leak\n");
		provoke_leak = kmalloc(128, GFP_KERNEL);
		provoke_leak = NULL;
	}
}

static int vaccel_probe_probe(struct virtio_device *vdev)
{
	struct virtqueue *vq;
	u16 vmin, vmax, nq;
	u32 max_args;

	virtio_cread_le(vdev, struct virtio_accel_config, version_min, &vmin);
	virtio_cread_le(vdev, struct virtio_accel_config, version_max, &vmax);
	virtio_cread_le(vdev, struct virtio_accel_config, num_queues, &nq);
	virtio_cread_le(vdev, struct virtio_accel_config, max_args, &max_args);

	vq = virtio_find_single_vq(vdev, NULL, "requestq0");
	if (IS_ERR(vq))
		return PTR_ERR(vq);
	vdev->priv = vq;
	virtio_device_ready(vdev);

	dev_info(&vdev->dev,
		 "vaccel-probe: bound: protocol %u..%u, num_queues %u, max_args %u, vq size %u\n",
		 vmin, vmax, nq, max_args, virtqueue_get_vring_size(vq));
	return 0;
}

static void vaccel_probe_remove(struct virtio_device *vdev)
{
	virtio_reset_device(vdev);
	vdev->config->del_vqs(vdev);
	dev_info(&vdev->dev, "vaccel-probe: removed\n");
}

static const struct virtio_device_id vaccel_probe_ids[] = {
	{ VIRTIO_ID_ACCEL_PROBE, VIRTIO_DEV_ANY_ID },
	{ 0 },
};

static struct virtio_driver vaccel_probe_driver = {
	.driver.name = "vaccel_probe",
	.driver.owner = THIS_MODULE,
	.id_table = vaccel_probe_ids,
	.probe = vaccel_probe_probe,
	.remove = vaccel_probe_remove,
};
static int __init vaccel_probe_init(void)
{
	vaccel_probe_provoke();
	return register_virtio_driver(&vaccel_probe_driver);
}
module_init(vaccel_probe_init);

static void __exit vaccel_probe_exit(void)
{
	unregister_virtio_driver(&vaccel_probe_driver);
}
module_exit(vaccel_probe_exit);

MODULE_DEVICE_TABLE(virtio, vaccel_probe_ids);
MODULE_DESCRIPTION("virtio-accel VM harness self-test driver");
MODULE_LICENSE("GPL");
