// SPDX-License-Identifier: GPL-2.0
/*
 * va_unbind: the virtio device goes away while files are open (and a
 * request is in flight), then comes back. Needs root.
 *
 *   va_unbind [path/to/libvatest.so]
 *
 * After the unbind every ioctl on the old file returns -ENODEV, the device
 * node is gone, release of the old file is harmless; after the rebind
 * /dev/virtio-accel<N> works again.
 */
#include <libgen.h>
#include <limits.h>
#include <pthread.h>

#include "va_test.h"

#define DRV "/sys/bus/virtio/drivers/virtio_accel"

static char lib[PATH_MAX];

struct bg {
	int fd;
	uint64_t sess;
	int rc;
	double t;
};

static void *bg_op(void *arg)
{
	static const char sym[] = "vatest_sleep";
	struct bg *b = arg;
	uint32_t ms = 1500, out[4];
	struct virtio_accel_ioc_arg rd[3] = {
		va_arg(lib, strlen(lib) + 1, T_ARG_STRING),
		va_arg(sym, sizeof(sym), T_ARG_STRING),
		va_arg(&ms, sizeof(ms), T_ARG_UINT32),
	};
	struct virtio_accel_ioc_arg wr[1] = {
		va_arg(out, sizeof(out), T_ARG_BUFFER)
	};
	double t0 = va_now();

	b->rc = va_op(b->fd, b->sess, T_OP_EXEC, rd, 3, wr, 1, NULL);
	b->t = va_now() - t0;
	return NULL;
}

int main(int argc, char **argv)
{
	struct virtio_accel_ioc_info info;
	char link[PATH_MAX], path[300], vdev[64];
	struct bg b = { 0 };
	pthread_t th;
	uint64_t sess;
	ssize_t n;
	int fd, fd2;

	va_prog = "va_unbind";
	if (argc > 1) {
		snprintf(lib, sizeof(lib), "%s", argv[1]);
	} else {
		n = readlink("/proc/self/exe", lib, sizeof(lib) - 32);
		if (n < 0)
			return 2;
		lib[n] = 0;
		strcpy(strrchr(lib, '/') + 1, "libvatest.so");
	}
	va_misc_attr(path, sizeof(path), "device");
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		VA_LOG("%s: %s", path, strerror(errno));
		return 2;
	}
	link[n] = 0;
	snprintf(vdev, sizeof(vdev), "%s", basename(link));
	VA_LOG("%s is %s", va_dev_path(), vdev);

	fd = va_open();
	fd2 = va_open();
	CHECK_RC(va_sess_create(fd, T_PLUGIN_DEBUG, &sess), 0);
	b.fd = fd2;
	CHECK_RC(va_sess_create(fd2, T_PLUGIN_GENERIC, &b.sess), 0);
	pthread_create(&th, NULL, bg_op, &b);
	usleep(300000);

	CHECK_RC(va_sysfs_write(DRV "/unbind", vdev), 0);
	pthread_join(th, NULL);
	VA_LOG("op in flight during unbind: rc %d after %.3f s", b.rc, b.t);
	CHECK(b.rc == -ENODEV || b.rc == 0, "in-flight op: %d", b.rc);
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_GET_INFO, &info), -ENODEV);
	CHECK_RC(va_op(fd, sess, T_OP_NOOP, NULL, 0, NULL, 0, NULL), -ENODEV);
	CHECK_RC(va_sess_destroy(fd, sess), -ENODEV);
	CHECK_RC(va_ioctl(fd, 0x5401, &info), -ENOTTY);
	CHECK(access(va_dev_path(), F_OK) != 0, "device node still there");
	close(fd);

	CHECK_RC(va_sysfs_write(DRV "/bind", vdev), 0);
	usleep(200000);
	fd = va_open();
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_GET_INFO, &info), 0);
	CHECK_RC(va_sess_create(fd, T_PLUGIN_DEBUG, &sess), 0);
	CHECK_RC(va_op(fd, sess, T_OP_NOOP, NULL, 0, NULL, 0, NULL), 0);
	/* the old file still answers -ENODEV, the new one works */
	CHECK_RC(va_ioctl(fd2, VIRTIO_ACCEL_IOC_GET_INFO, &info), -ENODEV);
	close(fd2);
	CHECK_RC(va_sess_destroy(fd, sess), 0);
	close(fd);
	return va_summary();
}
