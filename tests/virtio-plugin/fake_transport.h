// SPDX-License-Identifier: Apache-2.0
/* Control block of the scripted transport (fake_transport.c). */
#ifndef VIRTIO_FAKE_TRANSPORT_H
#define VIRTIO_FAKE_TRANSPORT_H

#include <linux/virtio_accel.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* ioctl numbers 0x10..0x18, indexed by nr - 0x10 */
#define FAKE_NR_IOCTLS 9
#define FAKE_IDX(req)  (_IOC_NR(req) - 0x10)
#define FAKE_MAX_ARGS  32

struct virtio_fake {
	pthread_mutex_t lock;
	/* script */
	int open_errno;
	struct {
		int err;	 /* errno to fail with, 0: succeed */
		uint32_t status; /* device status to report */
		bool once;
	} fail[FAKE_NR_IOCTLS];
	int32_t vaccel_ret; /* answered by every successful command */
	uint32_t version;   /* GET_INFO version (0: 1) */
	uint32_t max_args, max_blobs;
	uint64_t max_arg_size;
	bool produced_set;
	uint64_t produced; /* OP: len reported for every write arg */
	/* record */
	char path[4096];
	unsigned int opens, closes;
	unsigned int calls[FAKE_NR_IOCTLS];
	uint64_t next_id;
	uint32_t last_flags, last_op, last_nr_read, last_nr_write;
	uint32_t last_nr_blobs;
	uint64_t last_blob0_len, last_session, last_object;
	struct virtio_accel_ioc_arg last_read[FAKE_MAX_ARGS];
	struct virtio_accel_ioc_arg last_write[FAKE_MAX_ARGS];
};

#endif
