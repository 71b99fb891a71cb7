// SPDX-License-Identifier: Apache-2.0
#include "vhost_user.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

struct vu_region_msg {
	uint64_t gpa;
	uint64_t size;
	uint64_t uva;
	uint64_t mmap_offset;
};

#define VU_SUPPORTED_PF                                                        \
	((1ull << VU_PF_MQ) | (1ull << VU_PF_REPLY_ACK) |                      \
	 (1ull << VU_PF_CONFIG) | (1ull << VU_PF_RESET_DEVICE) |               \
	 (1ull << VU_PF_CONFIGURE_MEM_SLOTS) | (1ull << VU_PF_STATUS) |        \
	 (1ull << VU_PF_BACKEND_REQ) | (1ull << VU_PF_INFLIGHT_SHMFD))

const char *vu_request_str(uint32_t req)
{
	switch (req) {
#define C(x)                                                                   \
	case VU_##x:                                                           \
		return #x
		C(GET_FEATURES);
		C(SET_FEATURES);
		C(SET_OWNER);
		C(RESET_OWNER);
		C(SET_MEM_TABLE);
		C(SET_LOG_BASE);
		C(SET_LOG_FD);
		C(SET_VRING_NUM);
		C(SET_VRING_ADDR);
		C(SET_VRING_BASE);
		C(GET_VRING_BASE);
		C(SET_VRING_KICK);
		C(SET_VRING_CALL);
		C(SET_VRING_ERR);
		C(GET_PROTOCOL_FEATURES);
		C(SET_PROTOCOL_FEATURES);
		C(GET_QUEUE_NUM);
		C(SET_VRING_ENABLE);
		C(SET_BACKEND_REQ_FD);
		C(GET_CONFIG);
		C(SET_CONFIG);
		C(GET_INFLIGHT_FD);
		C(SET_INFLIGHT_FD);
		C(RESET_DEVICE);
		C(GET_MAX_MEM_SLOTS);
		C(ADD_MEM_REG);
		C(REM_MEM_REG);
		C(SET_STATUS);
		C(GET_STATUS);
#undef C
	default:
		return "UNKNOWN";
	}
}

int vu_dev_init(struct vu_dev *dev, int sock, unsigned int nr_queues,
		const struct vu_iface *iface, void *opaque)
{
	if (nr_queues == 0 || nr_queues > VU_MAX_QUEUES)
		return -1;
	memset(dev, 0, sizeof(*dev));
	dev->sock = sock;
	dev->nr_queues = nr_queues;
	dev->iface = iface;
	dev->opaque = opaque;
	dev->backend_req_fd = -1;
	dev->infl_fd = -1;
	dev->reply_fd = -1;
	dev->mem = vq_mem_new();
	if (!dev->mem)
		return -1;
	pthread_mutex_init(&dev->mem_lock, NULL);
	for (unsigned int i = 0; i < nr_queues; i++)
		vq_init(&dev->vq[i], i);
	return 0;
}

static void infl_drop(struct vu_dev *dev)
{
	if (dev->infl_map)
		munmap(dev->infl_map, dev->infl_len);
	if (dev->infl_fd >= 0)
		close(dev->infl_fd);
	dev->infl_map = NULL;
	dev->infl_len = 0;
	dev->infl_fd = -1;
	dev->infl_nq = dev->infl_qsize = 0;
	dev->infl_qbytes = 0;
}

void vu_dev_destroy(struct vu_dev *dev)
{
	for (unsigned int i = 0; i < dev->nr_queues; i++)
		vq_destroy(&dev->vq[i]);
	infl_drop(dev);
	vq_mem_put(dev->mem);
	dev->mem = NULL;
	if (dev->backend_req_fd >= 0)
		close(dev->backend_req_fd);
	dev->backend_req_fd = -1;
	pthread_mutex_destroy(&dev->mem_lock);
}

struct vq_mem *vu_mem_get(struct vu_dev *dev)
{
	pthread_mutex_lock(&dev->mem_lock);
	struct vq_mem *m = vq_mem_get(dev->mem);
	pthread_mutex_unlock(&dev->mem_lock);
	return m;
}

static uint64_t all_features(struct vu_dev *dev)
{
	uint64_t f = (1ull << VIRTIO_F_VERSION_1) |
		     (1ull << VIRTIO_RING_F_INDIRECT_DESC) |
		     (1ull << VIRTIO_RING_F_EVENT_IDX) |
		     (1ull << VU_F_PROTOCOL_FEATURES);
	if (dev->iface->get_features)
		f |= dev->iface->get_features(dev) & 0xffffffull;
	return f;
}

static void close_fds(int *fds, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}

/* Install a new table and retranslate every ring against it. */
static void install_mem(struct vu_dev *dev, struct vq_mem *n)
{
	pthread_mutex_lock(&dev->mem_lock);
	struct vq_mem *old = dev->mem;
	dev->mem = n;
	pthread_mutex_unlock(&dev->mem_lock);
	for (unsigned int i = 0; i < dev->nr_queues; i++) {
		struct vq *q = &dev->vq[i];
		pthread_mutex_lock(&q->lock);
		if (q->desc_uva)
			vq_map_rings(q, n);
		pthread_mutex_unlock(&q->lock);
	}
	vq_mem_put(old);
}

static void stop_queue(struct vu_dev *dev, struct vq *q)
{
	if (dev->iface->queue_stop)
		dev->iface->queue_stop(dev, q->index);
	pthread_mutex_lock(&q->lock);
	q->started = false;
	/* In-flight requests finish first: their completions must land in
	 * the ring before we report its base. */
	while (q->inflight > 0)
		pthread_cond_wait(&q->idle, &q->lock);
	if (q->kick_fd >= 0)
		close(q->kick_fd);
	q->kick_fd = -1;
	vq_infl_detach(q);
	pthread_mutex_unlock(&q->lock);
}

static void maybe_start(struct vu_dev *dev, struct vq *q)
{
	pthread_mutex_lock(&q->lock);
	bool go = q->started && q->enabled && q->desc;
	/* track the ring's chains in the in-flight file, if there is one;
	 * chains a previous back-end left in flight are completed first */
	if (go && !q->infl && dev->infl_map && q->index < dev->infl_nq)
		vq_infl_attach(q,
			       (struct vq_infl *)((uint8_t *)dev->infl_map +
						  q->index * dev->infl_qbytes),
			       dev->infl_qsize);
	pthread_mutex_unlock(&q->lock);
	if (go && dev->iface->queue_start)
		dev->iface->queue_start(dev, q->index);
}

static void reset_device(struct vu_dev *dev)
{
	for (unsigned int i = 0; i < dev->nr_queues; i++) {
		struct vq *q = &dev->vq[i];
		stop_queue(dev, q);
		pthread_mutex_lock(&q->lock);
		q->enabled = false;
		q->broken = false;
		q->last_avail = q->used_idx = 0;
		q->signalled_valid = false;
		q->desc_uva = q->avail_uva = q->used_uva = 0;
		q->desc = NULL;
		q->avail = NULL;
		q->used = NULL;
		pthread_mutex_unlock(&q->lock);
	}
	dev->features_set = false;
	dev->status = 0;
}

/* A ring runs with the in-flight file attached: it must not change. */
static bool infl_busy(struct vu_dev *dev)
{
	bool busy = false;
	for (unsigned int i = 0; i < dev->nr_queues && !busy; i++) {
		pthread_mutex_lock(&dev->vq[i].lock);
		busy = dev->vq[i].infl != NULL;
		pthread_mutex_unlock(&dev->vq[i].lock);
	}
	return busy;
}

/* Checks the sizes of GET/SET_INFLIGHT_FD; false with errbuf set. */
static bool infl_geometry(struct vu_dev *dev, const struct vu_msg *msg,
			  uint64_t *qbytes)
{
	uint32_t nq = msg->p.inflight.num_queues;
	uint32_t qs = msg->p.inflight.queue_size;
	if (nq == 0 || nq > VU_MAX_QUEUES || qs == 0 || qs > VQ_MAX_SIZE ||
	    (qs & (qs - 1))) {
		snprintf(dev->errbuf, sizeof(dev->errbuf),
			 "bad in-flight file geometry (%u queues of %u)", nq,
			 qs);
		return false;
	}
	if (infl_busy(dev)) {
		snprintf(dev->errbuf, sizeof(dev->errbuf),
			 "in-flight file changed while a ring runs");
		return false;
	}
	*qbytes = vq_infl_size(qs);
	return true;
}

/* GET_INFLIGHT_FD: a fresh (zeroed) in-flight file, kept in dev. */
static int infl_create(struct vu_dev *dev, const struct vu_msg *msg)
{
	uint64_t qb;
	if (!infl_geometry(dev, msg, &qb))
		return -1;
	size_t len = (size_t)(qb * msg->p.inflight.num_queues);
	int fd = memfd_create("vhost-user-accel-inflight",
			      MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0 || ftruncate(fd, (off_t)len) < 0) {
		snprintf(dev->errbuf, sizeof(dev->errbuf),
			 "cannot create the in-flight file: %s",
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	(void)fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW);
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		snprintf(dev->errbuf, sizeof(dev->errbuf),
			 "cannot map the in-flight file: %s", strerror(errno));
		close(fd);
		return -1;
	}
	infl_drop(dev);
	dev->infl_fd = fd;
	dev->infl_map = p;
	dev->infl_len = len;
	dev->infl_nq = msg->p.inflight.num_queues;
	dev->infl_qsize = msg->p.inflight.queue_size;
	dev->infl_qbytes = qb;
	return 0;
}

/* SET_INFLIGHT_FD: map the front-end's file; takes fd on success. */
static int infl_adopt(struct vu_dev *dev, const struct vu_msg *msg, int fd)
{
	uint64_t qb, size = msg->p.inflight.mmap_size;
	uint64_t off = msg->p.inflight.mmap_offset;
	if (!infl_geometry(dev, msg, &qb))
		return -1;
	struct stat st;
	if (size < qb * msg->p.inflight.num_queues || size > SIZE_MAX / 2 ||
	    off % (uint64_t)sysconf(_SC_PAGESIZE) || fstat(fd, &st) < 0 ||
	    !S_ISREG(st.st_mode) || st.st_size < 0 ||
	    off > (uint64_t)st.st_size || size > (uint64_t)st.st_size - off) {
		/* past the end of the file, a mapping would fault (SIGBUS) */
		snprintf(dev->errbuf, sizeof(dev->errbuf),
			 "in-flight file too small or misplaced");
		return -1;
	}
	(void)fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK);
	void *p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fd, (off_t)off);
	if (p == MAP_FAILED) {
		snprintf(dev->errbuf, sizeof(dev->errbuf),
			 "cannot map the in-flight file: %s", strerror(errno));
		return -1;
	}
	infl_drop(dev);
	dev->infl_fd = fd;
	dev->infl_map = p;
	dev->infl_len = (size_t)size;
	dev->infl_nq = msg->p.inflight.num_queues;
	dev->infl_qsize = msg->p.inflight.queue_size;
	dev->infl_qbytes = qb;
	return 0;
}

static struct vq *msg_vq(struct vu_dev *dev, uint32_t index)
{
	return index < dev->nr_queues ? &dev->vq[index] : NULL;
}

static int map_region(struct vu_dev *dev, const struct vu_region_msg *rm,
		      int fd, struct vq_region **out)
{
	struct vq_region *r =
		vq_region_map(fd, rm->gpa, rm->size, rm->uva, rm->mmap_offset);
	if (!r) {
		snprintf(dev->errbuf, sizeof(dev->errbuf),
			 "cannot map region gpa 0x%llx size 0x%llx: %s",
			 (unsigned long long)rm->gpa,
			 (unsigned long long)rm->size, strerror(errno));
		return -1;
	}
	*out = r;
	return 0;
}

/* Returns 0 ok, -1 failure (reported as a negative ack / fatal). */
static int handle(struct vu_dev *dev, struct vu_msg *msg, int *fds,
		  unsigned int nfds, struct vu_msg *reply, bool *has_reply)
{
	uint32_t sz = msg->hdr.size;
	struct vq *q;
	*has_reply = false;
	reply->hdr.request = msg->hdr.request;
	reply->hdr.flags = VU_FLAG_VERSION | VU_FLAG_REPLY;
	reply->hdr.size = 0;

	switch (msg->hdr.request) {
	case VU_GET_FEATURES:
		reply->p.u64 = all_features(dev);
		reply->hdr.size = 8;
		*has_reply = true;
		return 0;
	case VU_SET_FEATURES: {
		if (sz < 8)
			return -1;
		uint64_t f = msg->p.u64;
		if (f & ~all_features(dev)) {
			snprintf(dev->errbuf, sizeof(dev->errbuf),
				 "front-end acked unknown features 0x%llx",
				 (unsigned long long)(f & ~all_features(dev)));
			return -1;
		}
		dev->features = f;
		dev->features_set = true;
		bool ei = f & (1ull << VIRTIO_RING_F_EVENT_IDX);
		for (unsigned int i = 0; i < dev->nr_queues; i++) {
			pthread_mutex_lock(&dev->vq[i].lock);
			dev->vq[i].event_idx = ei;
			pthread_mutex_unlock(&dev->vq[i].lock);
		}
		if (dev->iface->features_set)
			dev->iface->features_set(dev, f);
		return 0;
	}
	case VU_GET_PROTOCOL_FEATURES:
		reply->p.u64 = VU_SUPPORTED_PF;
		reply->hdr.size = 8;
		*has_reply = true;
		return 0;
	case VU_SET_PROTOCOL_FEATURES:
		if (sz < 8)
			return -1;
		dev->protocol_features = msg->p.u64 & VU_SUPPORTED_PF;
		return 0;
	case VU_SET_OWNER:
		return 0;
	case VU_RESET_OWNER:
	case VU_RESET_DEVICE:
		reset_device(dev);
		return 0;
	case VU_GET_QUEUE_NUM:
		reply->p.u64 = dev->nr_queues;
		reply->hdr.size = 8;
		*has_reply = true;
		return 0;
	case VU_GET_MAX_MEM_SLOTS:
		reply->p.u64 = VQ_MEM_MAX_REGIONS;
		reply->hdr.size = 8;
		*has_reply = true;
		return 0;
	case VU_SET_MEM_TABLE: {
		if (sz < 8)
			return -1;
		uint32_t n;
		memcpy(&n, msg->p.raw, 4);
		if (n == 0 || n > 8 || n > VQ_MEM_MAX_REGIONS || nfds != n ||
		    sz < 8 + n * sizeof(struct vu_region_msg)) {
			snprintf(dev->errbuf, sizeof(dev->errbuf),
				 "bad SET_MEM_TABLE (%u regions, %u fds)", n,
				 nfds);
			return -1;
		}
		struct vq_mem *m = vq_mem_new();
		if (!m)
			return -1;
		for (uint32_t i = 0; i < n; i++) {
			struct vu_region_msg rm;
			memcpy(&rm, msg->p.raw + 8 + i * sizeof(rm),
			       sizeof(rm));
			struct vq_region *r;
			if (map_region(dev, &rm, fds[i], &r) < 0) {
				vq_mem_put(m);
				return -1;
			}
			fds[i] = -1; /* owned by r */
			struct vq_mem *m2 = vq_mem_with(m, r);
			vq_region_put(r);
			vq_mem_put(m);
			if (!m2) {
				snprintf(dev->errbuf, sizeof(dev->errbuf),
					 "overlapping memory regions");
				return -1;
			}
			m = m2;
		}
		install_mem(dev, m);
		return 0;
	}
	case VU_ADD_MEM_REG: {
		if (sz < 8 + sizeof(struct vu_region_msg) || nfds != 1)
			return -1;
		struct vu_region_msg rm;
		memcpy(&rm, msg->p.raw + 8, sizeof(rm));
		struct vq_region *r;
		if (map_region(dev, &rm, fds[0], &r) < 0)
			return -1;
		fds[0] = -1;
		struct vq_mem *cur = vu_mem_get(dev);
		struct vq_mem *m = vq_mem_with(cur, r);
		vq_mem_put(cur);
		vq_region_put(r);
		if (!m) {
			snprintf(dev->errbuf, sizeof(dev->errbuf),
				 "cannot add region (overlap or table full)");
			return -1;
		}
		install_mem(dev, m);
		return 0;
	}
	case VU_REM_MEM_REG: {
		if (sz < 8 + sizeof(struct vu_region_msg))
			return -1;
		struct vu_region_msg rm;
		memcpy(&rm, msg->p.raw + 8, sizeof(rm));
		struct vq_mem *cur = vu_mem_get(dev);
		struct vq_mem *m = vq_mem_without(cur, rm.gpa, rm.size);
		vq_mem_put(cur);
		if (!m) {
			snprintf(dev->errbuf, sizeof(dev->errbuf),
				 "REM_MEM_REG of an unknown region");
			return -1;
		}
		install_mem(dev, m);
		return 0;
	}
	case VU_SET_VRING_NUM:
		if (sz < 8 || !(q = msg_vq(dev, msg->p.state.index)))
			return -1;
		if (msg->p.state.num == 0 || msg->p.state.num > VQ_MAX_SIZE ||
		    (msg->p.state.num & (msg->p.state.num - 1)))
			return -1;
		pthread_mutex_lock(&q->lock);
		q->num = (uint16_t)msg->p.state.num;
		/* the ring sizes changed: translate (and bound) them again */
		if (q->desc_uva) {
			struct vq_mem *m = vu_mem_get(dev);
			vq_map_rings(q, m);
			vq_mem_put(m);
		}
		pthread_mutex_unlock(&q->lock);
		return 0;
	case VU_SET_VRING_ADDR: {
		if (sz < sizeof(msg->p.addr) ||
		    !(q = msg_vq(dev, msg->p.addr.index)))
			return -1;
		struct vq_mem *m = vu_mem_get(dev);
		pthread_mutex_lock(&q->lock);
		q->desc_uva = msg->p.addr.desc;
		q->avail_uva = msg->p.addr.avail;
		q->used_uva = msg->p.addr.used;
		int rc = vq_map_rings(q, m);
		pthread_mutex_unlock(&q->lock);
		vq_mem_put(m);
		if (rc < 0)
			snprintf(dev->errbuf, sizeof(dev->errbuf),
				 "vring %u addresses outside guest memory",
				 q->index);
		return rc;
	}
	case VU_SET_VRING_BASE:
		if (sz < 8 || !(q = msg_vq(dev, msg->p.state.index)))
			return -1;
		pthread_mutex_lock(&q->lock);
		q->last_avail = (uint16_t)msg->p.state.num;
		q->used_idx = (uint16_t)msg->p.state.num;
		q->signalled_valid = false;
		q->broken = false;
		pthread_mutex_unlock(&q->lock);
		return 0;
	case VU_GET_VRING_BASE:
		if (sz < 8 || !(q = msg_vq(dev, msg->p.state.index)))
			return -1;
		stop_queue(dev, q);
		pthread_mutex_lock(&q->lock);
		reply->p.state.index = q->index;
		reply->p.state.num = q->last_avail;
		pthread_mutex_unlock(&q->lock);
		reply->hdr.size = sizeof(reply->p.state);
		*has_reply = true;
		return 0;
	case VU_SET_VRING_KICK:
	case VU_SET_VRING_CALL:
	case VU_SET_VRING_ERR: {
		if (sz < 8 || !(q = msg_vq(dev, msg->p.u64 & 0xff)))
			return -1;
		bool nofd = msg->p.u64 & 0x100;
		int fd = -1;
		if (!nofd) {
			if (nfds != 1)
				return -1;
			fd = fds[0];
			fds[0] = -1;
		}
		if (msg->hdr.request == VU_SET_VRING_KICK) {
			if (dev->iface->queue_stop)
				dev->iface->queue_stop(dev, q->index);
			pthread_mutex_lock(&q->lock);
			if (q->kick_fd >= 0)
				close(q->kick_fd);
			q->kick_fd = fd;
			/* Polling mode (no fd) is not supported. */
			q->started = fd >= 0;
			if (!(dev->features & (1ull << VU_F_PROTOCOL_FEATURES)))
				q->enabled = true;
			pthread_mutex_unlock(&q->lock);
			maybe_start(dev, q);
		} else {
			pthread_mutex_lock(&q->lock);
			int *slot = msg->hdr.request == VU_SET_VRING_CALL
					    ? &q->call_fd
					    : &q->err_fd;
			if (*slot >= 0)
				close(*slot);
			*slot = fd;
			pthread_mutex_unlock(&q->lock);
		}
		return 0;
	}
	case VU_SET_VRING_ENABLE:
		if (sz < 8 || !(q = msg_vq(dev, msg->p.state.index)))
			return -1;
		pthread_mutex_lock(&q->lock);
		q->enabled = msg->p.state.num != 0;
		/* Disabling: requests already taken from the ring finish
		 * before we answer, so nothing writes guest memory that the
		 * front-end may reuse afterwards (UML disables rings on device
		 * reset without stopping them). */
		while (!q->enabled && q->inflight > 0)
			pthread_cond_wait(&q->idle, &q->lock);
		pthread_mutex_unlock(&q->lock);
		if (msg->p.state.num)
			maybe_start(dev, q);
		return 0;
	case VU_GET_CONFIG: {
		uint32_t off, len;
		if (sz < 12)
			return -1;
		memcpy(&off, msg->p.raw, 4);
		memcpy(&len, msg->p.raw + 4, 4);
		if (len > VU_MAX_PAYLOAD - 12 || sz < 12 + len)
			return -1;
		memcpy(reply->p.raw, msg->p.raw, 12);
		memset(reply->p.raw + 12, 0, len);
		if (dev->iface->get_config(dev, reply->p.raw + 12, off, len) <
		    0) {
			/* QEMU treats a short reply as failure. */
			reply->hdr.size = 0;
		} else {
			reply->hdr.size = 12 + len;
		}
		*has_reply = true;
		return 0;
	}
	case VU_SET_CONFIG:
		snprintf(dev->errbuf, sizeof(dev->errbuf),
			 "config space is read-only");
		return -1;
	case VU_GET_INFLIGHT_FD:
		if (sz < sizeof(msg->p.inflight))
			return -1;
		reply->hdr.size = sizeof(reply->p.inflight);
		memset(&reply->p.inflight, 0, sizeof(reply->p.inflight));
		*has_reply = true;
		/* on failure: size 0, which front-ends take as "no tracking" */
		if (infl_create(dev, msg) == 0) {
			reply->p.inflight.mmap_size = dev->infl_len;
			reply->p.inflight.num_queues = dev->infl_nq;
			reply->p.inflight.queue_size = dev->infl_qsize;
			dev->reply_fd = dev->infl_fd;
		}
		return 0;
	case VU_SET_INFLIGHT_FD:
		if (sz < sizeof(msg->p.inflight) || nfds != 1 || fds[0] < 0)
			return -1;
		if (infl_adopt(dev, msg, fds[0]) < 0)
			return -1;
		fds[0] = -1; /* kept */
		return 0;
	case VU_SET_STATUS:
		if (sz < 8)
			return -1;
		dev->status = (uint8_t)msg->p.u64;
		return 0;
	case VU_GET_STATUS:
		reply->p.u64 = dev->status;
		reply->hdr.size = 8;
		*has_reply = true;
		return 0;
	case VU_SET_BACKEND_REQ_FD:
		if (nfds != 1 || fds[0] < 0) {
			snprintf(dev->errbuf, sizeof(dev->errbuf),
				 "SET_BACKEND_REQ_FD needs exactly one fd");
			return -1;
		}
		if (dev->backend_req_fd >= 0)
			close(dev->backend_req_fd);
		dev->backend_req_fd = fds[0];
		fds[0] = -1; /* kept */
		return 0;
	default:
		snprintf(dev->errbuf, sizeof(dev->errbuf),
			 "unsupported request %u", msg->hdr.request);
		return -1;
	}
}

static bool is_fatal_failure(uint32_t req)
{
	/* Failures of these leave the back-end unusable. */
	switch (req) {
	case VU_SET_FEATURES:
	case VU_SET_MEM_TABLE:
	case VU_SET_VRING_NUM:
	case VU_SET_VRING_ADDR:
	case VU_SET_VRING_KICK:
		return true;
	default:
		return false;
	}
}

int vu_handle_msg(struct vu_dev *dev, struct vu_msg *msg, int *fds,
		  unsigned int nfds, struct vu_msg *reply)
{
	bool has_reply = false;
	dev->errbuf[0] = 0;
	dev->reply_fd = -1;
	if ((msg->hdr.flags & 0x3) != VU_FLAG_VERSION ||
	    msg->hdr.size > VU_MAX_PAYLOAD) {
		close_fds(fds, nfds);
		snprintf(dev->errbuf, sizeof(dev->errbuf),
			 "bad message header");
		return -1;
	}
	int rc = handle(dev, msg, fds, nfds, reply, &has_reply);
	close_fds(fds, nfds); /* anything not taken over */
	if (rc < 0 && !dev->errbuf[0])
		snprintf(dev->errbuf, sizeof(dev->errbuf), "bad %s message",
			 vu_request_str(msg->hdr.request));
	if (rc < 0 && is_fatal_failure(msg->hdr.request))
		return -1;
	if (has_reply)
		return 1;
	if ((msg->hdr.flags & VU_FLAG_NEED_REPLY) &&
	    (dev->protocol_features & (1ull << VU_PF_REPLY_ACK))) {
		reply->hdr.request = msg->hdr.request;
		reply->hdr.flags = VU_FLAG_VERSION | VU_FLAG_REPLY;
		reply->hdr.size = 8;
		reply->p.u64 = rc < 0 ? 1 : 0;
		return 1;
	}
	return 0;
}

static int recv_msg(int sock, struct vu_msg *msg, int *fds, unsigned int *nfds)
{
	struct iovec iov = {.iov_base = &msg->hdr, .iov_len = sizeof(msg->hdr)};
	union {
		char buf[CMSG_SPACE(VU_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf.buf,
		.msg_controllen = sizeof(cbuf.buf),
	};
	*nfds = 0;
	ssize_t n;
	do {
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c;
	     c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			if (*nfds < VU_MAX_FDS)
				fds[(*nfds)++] = fd;
			else
				close(fd);
		}
	}
	if ((size_t)n != sizeof(msg->hdr) || (mh.msg_flags & MSG_CTRUNC) ||
	    msg->hdr.size > VU_MAX_PAYLOAD) {
		close_fds(fds, *nfds);
		*nfds = 0;
		return -1;
	}
	size_t got = 0;
	while (got < msg->hdr.size) {
		n = read(sock, msg->p.raw + got, msg->hdr.size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close_fds(fds, *nfds);
			*nfds = 0;
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

static int send_msg(int sock, const struct vu_msg *msg, int fd)
{
	/* header and payload are separate: the union is 8-byte aligned */
	struct iovec iov[2] = {
		{.iov_base = (void *)&msg->hdr, .iov_len = sizeof(msg->hdr)},
		{.iov_base = (void *)msg->p.raw, .iov_len = msg->hdr.size},
	};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
	if (fd >= 0) {
		/* with the first bytes; cleared below once they are sent */
		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = sizeof(cbuf.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	size_t left = sizeof(msg->hdr) + msg->hdr.size;
	while (left > 0) {
		ssize_t n = sendmsg(sock, &mh, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		mh.msg_control = NULL;
		mh.msg_controllen = 0;
		left -= (size_t)n;
		/* advance the iovecs */
		while (n > 0 && mh.msg_iovlen > 0) {
			if ((size_t)n >= mh.msg_iov[0].iov_len) {
				n -= (ssize_t)mh.msg_iov[0].iov_len;
				mh.msg_iov++;
				mh.msg_iovlen--;
			} else {
				mh.msg_iov[0].iov_base =
					(uint8_t *)mh.msg_iov[0].iov_base + n;
				mh.msg_iov[0].iov_len -= (size_t)n;
				n = 0;
			}
		}
	}
	return 0;
}

int vu_dispatch(struct vu_dev *dev)
{
	struct vu_msg *msg = malloc(sizeof(*msg));
	struct vu_msg *reply = malloc(sizeof(*reply));
	int fds[VU_MAX_FDS];
	unsigned int nfds = 0;
	int rc = -1;
	if (!msg || !reply)
		goto out;
	memset(&msg->p, 0, sizeof(msg->p));
	if (recv_msg(dev->sock, msg, fds, &nfds) < 0)
		goto out;
	int h = vu_handle_msg(dev, msg, fds, nfds, reply);
	if (h < 0)
		goto out;
	if (h == 1 && send_msg(dev->sock, reply, dev->reply_fd) < 0)
		goto out;
	rc = 0;
out:
	free(msg);
	free(reply);
	return rc;
}
