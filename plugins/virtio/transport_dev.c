// SPDX-License-Identifier: Apache-2.0
/*
 * The real transport: the guest driver's misc device (virtio_accel.ko).
 */
#include "transport.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int dev_open(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	return fd >= 0 ? fd : -errno;
}

static int dev_ioctl(int fd, unsigned long request, void *arg)
{
	return ioctl(fd, request, arg) == 0 ? 0 : -errno;
}

static void dev_close(int fd)
{
	close(fd);
}

const struct virtio_transport virtio_transport = {
	.name = "device",
	.open = dev_open,
	.ioctl = dev_ioctl,
	.close = dev_close,
};
