// SPDX-License-Identifier: Apache-2.0
/*
 * The virtio plugin's transport: how an ioctl of the virtio-accel ABI
 * (include/uapi/linux/virtio_accel.h) reaches a device.
 *
 * The plugin never calls open()/ioctl()/close() itself; it goes through the
 * `virtio_transport` ops below. The installed plugin links transport_dev.c
 * (the real /dev/virtio-accel<N> misc device); the test-only loopback
 * variant links tests/virtio-plugin/loopback.c instead, which turns each
 * ioctl into a real protocol request served by the vhost-user-accel daemon.
 * Both implement exactly the ioctl semantics of docs/protocol.md §9.
 * libvaccel-rpc.so links the same core with plugins/rpc/transport_rpc.c,
 * which carries each ioctl over vAccel's RPC protocol instead.
 */
#ifndef VACCEL_VIRTIO_TRANSPORT_H
#define VACCEL_VIRTIO_TRANSPORT_H

#include <stddef.h>

struct virtio_transport {
	const char *name;
	/* Optional: what to open, written into path[n] (a device node, an
	 * address). NULL: the core's device node ($VACCEL_VIRTIO_DEVICE, else
	 * the lowest /dev/virtio-accel<N>). */
	void (*choose_path)(char *path, size_t n);
	/* Optional: the advice that ends the error line of a failed open.
	 * NULL: the device node's. */
	const char *open_hint;
	/* Open the device at `path`: a handle >= 0, or -errno. */
	int (*open)(const char *path);
	/* One ioctl of the ABI: 0, or -errno (the device status, if any, is
	 * in the struct's `status` field). Thread-safe. */
	int (*ioctl)(int handle, unsigned long request, void *arg);
	void (*close)(int handle);
};

/* Provided by the transport linked into the plugin. */
extern const struct virtio_transport virtio_transport
	__attribute__((visibility("hidden")));

#endif /* VACCEL_VIRTIO_TRANSPORT_H */
