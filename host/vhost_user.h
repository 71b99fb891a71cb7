// SPDX-License-Identifier: Apache-2.0
/*
 * vhost-user back-end protocol: message framing, feature negotiation,
 * memory table and vring setup. Device semantics are supplied through
 * struct vu_iface. No global state: every connection is a struct vu_dev,
 * and vu_handle_msg() can be driven directly by a fuzzer.
 */
#ifndef VHOST_ACCEL_VHOST_USER_H
#define VHOST_ACCEL_VHOST_USER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "virtq.h"

#define VU_MAX_QUEUES  64
#define VU_MAX_FDS     8
#define VU_MAX_PAYLOAD 4096 /* our largest message payload we accept */

enum vu_request {
	VU_GET_FEATURES = 1,
	VU_SET_FEATURES = 2,
	VU_SET_OWNER = 3,
	VU_RESET_OWNER = 4,
	VU_SET_MEM_TABLE = 5,
	VU_SET_LOG_BASE = 6,
	VU_SET_LOG_FD = 7,
	VU_SET_VRING_NUM = 8,
	VU_SET_VRING_ADDR = 9,
	VU_SET_VRING_BASE = 10,
	VU_GET_VRING_BASE = 11,
	VU_SET_VRING_KICK = 12,
	VU_SET_VRING_CALL = 13,
	VU_SET_VRING_ERR = 14,
	VU_GET_PROTOCOL_FEATURES = 15,
	VU_SET_PROTOCOL_FEATURES = 16,
	VU_GET_QUEUE_NUM = 17,
	VU_SET_VRING_ENABLE = 18,
	VU_SET_BACKEND_REQ_FD = 21,
	VU_GET_CONFIG = 24,
	VU_SET_CONFIG = 25,
	VU_GET_INFLIGHT_FD = 31,
	VU_SET_INFLIGHT_FD = 32,
	VU_RESET_DEVICE = 34,
	VU_GET_MAX_MEM_SLOTS = 36,
	VU_ADD_MEM_REG = 37,
	VU_REM_MEM_REG = 38,
	VU_SET_STATUS = 39,
	VU_GET_STATUS = 40,
};

#define VU_FLAG_VERSION	   0x1u
#define VU_FLAG_REPLY	   (1u << 2)
#define VU_FLAG_NEED_REPLY (1u << 3)

/* Protocol feature bits we implement. */
#define VU_PF_MQ		  0
#define VU_PF_REPLY_ACK		  3
#define VU_PF_BACKEND_REQ	  5
#define VU_PF_CONFIG		  9
#define VU_PF_INFLIGHT_SHMFD	  12
#define VU_PF_RESET_DEVICE	  13
#define VU_PF_CONFIGURE_MEM_SLOTS 15
#define VU_PF_STATUS		  16

#define VU_F_PROTOCOL_FEATURES	    30 /* virtio feature bit */
#define VIRTIO_F_VERSION_1	    32
#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_RING_F_EVENT_IDX	    29

struct vu_msg_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
};

struct vu_msg {
	struct vu_msg_hdr hdr;
	union {
		uint64_t u64;
		struct {
			uint32_t index;
			uint32_t num;
		} state;
		struct {
			uint32_t index;
			uint32_t flags;
			uint64_t desc;
			uint64_t used;
			uint64_t avail;
			uint64_t log;
		} addr;
		struct {
			uint64_t mmap_size;
			uint64_t mmap_offset;
			uint16_t num_queues;
			uint16_t queue_size;
		} inflight;
		uint8_t raw[VU_MAX_PAYLOAD];
	} p;
};

struct vu_dev;

/* Device hooks; all optional except get_config. */
struct vu_iface {
	uint64_t (*get_features)(struct vu_dev *dev); /* device bits */
	int (*get_config)(struct vu_dev *dev, uint8_t *buf, uint32_t off,
			  uint32_t len);
	/* A ring got (re)started or is about to stop. */
	void (*queue_start)(struct vu_dev *dev, unsigned int idx);
	void (*queue_stop)(struct vu_dev *dev, unsigned int idx);
	/* Features negotiated. */
	void (*features_set)(struct vu_dev *dev, uint64_t features);
};

struct vu_dev {
	int sock;
	unsigned int nr_queues;
	uint64_t features; /* acked */
	uint64_t protocol_features;
	bool features_set;
	uint8_t status;
	const struct vu_iface *iface;
	void *opaque;
	pthread_mutex_t mem_lock;
	struct vq_mem *mem;
	struct vq vq[VU_MAX_QUEUES];
	/* Back-end request channel (BACKEND_REQ): accepted and held, never
	 * written — we send no back-end-initiated messages. Offering the
	 * feature matters to front-ends such as UML's virtio_uml, which only
	 * allocate per-device interrupts when it is present. */
	int backend_req_fd;
	/* In-flight tracking file (INFLIGHT_SHMFD): created by us
	 * (GET_INFLIGHT_FD) or handed back by the front-end after a back-end
	 * restart (SET_INFLIGHT_FD); queue i's region is at i * infl_qbytes,
	 * attached to the ring while it runs. */
	int infl_fd;
	void *infl_map;
	size_t infl_len;
	uint16_t infl_nq, infl_qsize;
	uint64_t infl_qbytes;
	/* refuse guest-memory files that cannot be sealed against shrinking
	 * (vq_region_map) */
	bool require_sealed;
	/* an fd to send with the reply (not owned), -1: none */
	int reply_fd;
	char errbuf[128];
};

int vu_dev_init(struct vu_dev *dev, int sock, unsigned int nr_queues,
		const struct vu_iface *iface, void *opaque);
void vu_dev_destroy(struct vu_dev *dev);

/* Current memory table with a reference (vq_mem_put when done). */
struct vq_mem *vu_mem_get(struct vu_dev *dev);

/*
 * Receive, handle and answer one message from dev->sock. Returns 0 on
 * success, -1 on disconnect or a fatal protocol error (the caller closes
 * the connection).
 */
int vu_dispatch(struct vu_dev *dev);

/*
 * Handle one already-received message. fds are consumed (closed or kept).
 * Returns 1 if *reply is to be sent, 0 if not, -1 on a fatal error.
 */
int vu_handle_msg(struct vu_dev *dev, struct vu_msg *msg, int *fds,
		  unsigned int nfds, struct vu_msg *reply);

const char *vu_request_str(uint32_t req);

#endif
