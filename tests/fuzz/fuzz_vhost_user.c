// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target: the vhost-user message handling of host/vhost_user.c
 * (vu_handle_msg) and, once a ring is running, the split-virtqueue walker
 * of host/virtq.c (vq_pop / vq_push) over guest memory the input fills.
 *
 * Input: a sequence of messages, each
 *   u32 request, u32 flags, u16 size (the header's claim, may lie),
 *   u8  fds (low 3 bits: none, memfd, 2 memfds, eventfd, pipe, 9 fds),
 *   u8  len, then len payload bytes (payload beyond len stays zero).
 * A request of 0xffffffff ends the sequence. Every memfd is GUEST_SIZE
 * bytes holding the whole input at offset 0 (zeros after it), so rings,
 * descriptors and tables placed after the messages land in "guest memory"
 * at known offsets.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vhost_user.h"

#define GUEST_SIZE (64u << 10)
#define NR_QUEUES  2

static int get_config(struct vu_dev *dev, uint8_t *buf, uint32_t off,
		      uint32_t len)
{
	(void)dev;
	if (off > 64 || len > 64 - off)
		return -1;
	memset(buf, 0x5a, len);
	return 0;
}

static uint64_t get_features(struct vu_dev *dev)
{
	(void)dev;
	return 0xf;
}

static const struct vu_iface iface = {
	.get_features = get_features,
	.get_config = get_config,
};

static int guest_fd(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-guest", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	static uint8_t buf[GUEST_SIZE];
	memset(buf, 0, sizeof(buf));
	memcpy(buf, data, size < GUEST_SIZE ? size : GUEST_SIZE);
	if (write(fd, buf, GUEST_SIZE) != GUEST_SIZE) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Run every started queue dry, completing what was popped. */
static void run_queues(struct vu_dev *dev)
{
	static struct vq_elem e;
	for (unsigned int i = 0; i < NR_QUEUES; i++) {
		struct vq *q = &dev->vq[i];
		struct vq_mem *m = vu_mem_get(dev);
		pthread_mutex_lock(&q->lock);
		bool notify = false;
		for (int k = 0; k < 64; k++) {
			bool bad;
			int rc = vq_pop(q, m, &e, &bad);
			if (rc <= 0)
				break;
			/* touch every byte the chain gave us */
			uint8_t sink = 0;
			for (unsigned int j = 0; j < e.nr_in; j++)
				for (size_t b = 0; b < e.in[j].iov_len; b++)
					sink ^= ((uint8_t *)e.in[j]
							 .iov_base)[b];
			iov_fill(e.out, e.nr_out, 0, sink, e.out_len);
			notify |= vq_push(q, e.head, (uint32_t)e.out_len);
		}
		vq_enable_notify(q);
		pthread_mutex_unlock(&q->lock);
		if (notify)
			vq_notify(q);
		vq_notify_error(q);
		vq_mem_put(m);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vu_dev dev;
	static struct vu_msg msg, reply;
	if (vu_dev_init(&dev, -1, NR_QUEUES, &iface, NULL) < 0)
		return 0;
	const uint8_t *p = data, *end = data + size;
	for (int n = 0; n < 64 && end - p >= 12; n++) {
		memset(&msg, 0, sizeof(msg));
		memcpy(&msg.hdr.request, p, 4);
		if (msg.hdr.request == 0xffffffffu)
			break;
		memcpy(&msg.hdr.flags, p + 4, 4);
		uint16_t sz;
		memcpy(&sz, p + 8, 2);
		msg.hdr.size = sz;
		uint8_t fdkind = p[10] & 7, len = p[11];
		p += 12;
		if (len > end - p)
			len = (uint8_t)(end - p);
		memcpy(msg.p.raw, p, len);
		p += len;

		int fds[VU_MAX_FDS];
		unsigned int nfds = 0;
		switch (fdkind) {
		case 1:
			fds[nfds++] = guest_fd(data, size);
			break;
		case 2:
			fds[nfds++] = guest_fd(data, size);
			fds[nfds++] = guest_fd(data, size);
			break;
		case 3:
			fds[nfds++] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
			break;
		case 4: {
			int pp[2];
			if (pipe2(pp, O_CLOEXEC | O_NONBLOCK) == 0) {
				fds[nfds++] = pp[0];
				close(pp[1]);
			}
			break;
		}
		case 5:
			for (int i = 0; i < VU_MAX_FDS; i++)
				fds[nfds++] =
					eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
			break;
		default:
			break;
		}
		for (unsigned int i = 0; i < nfds; i++)
			if (fds[i] < 0) /* out of fds: drop the message */
				fds[i] = eventfd(0, EFD_CLOEXEC);
		int rc = vu_handle_msg(&dev, &msg, fds, nfds, &reply);
		if (rc == 1 && reply.hdr.size > VU_MAX_PAYLOAD)
			abort(); /* a reply we could not send */
		if (rc < 0)
			break; /* the daemon drops the connection here */
		run_queues(&dev);
	}
	vu_dev_destroy(&dev);
	return 0;
}
