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
	vq_fd_set(q, &q->kick_fd, -1);
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
	struct vq_region *r = vq_region_map(fd, rm->gpa, rm->size, rm->uva,
					    rm->mmap_offset,
					    dev->require_sealed);
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

/*
 * Message handlers. Each gets a message whose payload is at least the
 * table's min_size bytes and whose fds satisfy the table's fd rule; it
 * returns VU_FAIL, VU_DONE (no reply unless REPLY_ACK asks for one) or
 * VU_REPLY (*reply filled). fds it keeps are set to -1; the rest are
 * closed by the caller.
 */
enum { VU_FAIL = -1, VU_DONE = 0, VU_REPLY = 1 };

static int reply_u64(struct vu_msg *reply, uint64_t v)
{
	reply->p.u64 = v;
	reply->hdr.size = 8;
	return VU_REPLY;
}

static int h_get_features(struct vu_dev *dev, struct vu_msg *msg, int *fds,
			  unsigned int nfds, struct vu_msg *reply)
{
	(void)msg, (void)fds, (void)nfds;
	return reply_u64(reply, all_features(dev));
}

static int h_set_features(struct vu_dev *dev, struct vu_msg *msg, int *fds,
			  unsigned int nfds, struct vu_msg *reply)
{
	(void)fds, (void)nfds, (void)reply;
	uint64_t f = msg->p.u64;
	if (f & ~all_features(dev)) {
		snprintf(dev->errbuf, sizeof(dev->errbuf),
			 "front-end acked unknown features 0x%llx",
			 (unsigned long long)(f & ~all_features(dev)));
		return VU_FAIL;
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
	return VU_DONE;
}

static int h_get_protocol_features(struct vu_dev *dev, struct vu_msg *msg,
				   int *fds, unsigned int nfds,
				   struct vu_msg *reply)
{
	(void)dev, (void)msg, (void)fds, (void)nfds;
	return reply_u64(reply, VU_SUPPORTED_PF);
}

static int h_set_protocol_features(struct vu_dev *dev, struct vu_msg *msg,
				   int *fds, unsigned int nfds,
				   struct vu_msg *reply)
{
	(void)fds, (void)nfds, (void)reply;
	dev->protocol_features = msg->p.u64 & VU_SUPPORTED_PF;
	return VU_DONE;
}

static int h_set_owner(struct vu_dev *dev, struct vu_msg *msg, int *fds,
		       unsigned int nfds, struct vu_msg *reply)
{
	(void)dev, (void)msg, (void)fds, (void)nfds, (void)reply;
	return VU_DONE;
}

static int h_reset(struct vu_dev *dev, struct vu_msg *msg, int *fds,
		   unsigned int nfds, struct vu_msg *reply)
{
	(void)msg, (void)fds, (void)nfds, (void)reply;
	reset_device(dev);
	return VU_DONE;
}

static int h_get_queue_num(struct vu_dev *dev, struct vu_msg *msg, int *fds,
			   unsigned int nfds, struct vu_msg *reply)
{
	(void)msg, (void)fds, (void)nfds;
	return reply_u64(reply, dev->nr_queues);
}

static int h_get_max_mem_slots(struct vu_dev *dev, struct vu_msg *msg,
			       int *fds, unsigned int nfds,
			       struct vu_msg *reply)
{
	(void)dev, (void)msg, (void)fds, (void)nfds;
	return reply_u64(reply, VQ_MEM_MAX_REGIONS);
}

static int h_set_mem_table(struct vu_dev *dev, struct vu_msg *msg, int *fds,
			   unsigned int nfds, struct vu_msg *reply)
{
	(void)reply;
	uint32_t n;
	memcpy(&n, msg->p.raw, 4);
	if (n == 0 || n > VU_MAX_FDS || n > VQ_MEM_MAX_REGIONS || nfds != n ||
	    msg->hdr.size < 8 + n * sizeof(struct vu_region_msg)) {
		snprintf(dev->errbuf, sizeof(dev->errbuf),
			 "bad SET_MEM_TABLE (%u regions, %u fds)", n, nfds);
		return VU_FAIL;
	}
	struct vq_mem *m = vq_mem_new();
	if (!m)
		return VU_FAIL;
	for (uint32_t i = 0; i < n; i++) {
		struct vu_region_msg rm;
		memcpy(&rm, msg->p.raw + 8 + i * sizeof(rm), sizeof(rm));
		struct vq_region *r;
		if (map_region(dev, &rm, fds[i], &r) < 0) {
			vq_mem_put(m);
			return VU_FAIL;
		}
		fds[i] = -1; /* owned by r */
		struct vq_mem *m2 = vq_mem_with(m, r);
		vq_region_put(r);
		vq_mem_put(m);
		if (!m2) {
			snprintf(dev->errbuf, sizeof(dev->errbuf),
				 "overlapping memory regions");
			return VU_FAIL;
		}
		m = m2;
	}
	install_mem(dev, m);
	return VU_DONE;
}

/* Install the table derived from the current one, or fail with err. */
static int install_or_fail(struct vu_dev *dev, struct vq_mem *m,
			   const char *err)
{
	if (!m) {
		snprintf(dev->errbuf, sizeof(dev->errbuf), "%s", err);
		return VU_FAIL;
	}
	install_mem(dev, m);
	return VU_DONE;
}

static int h_add_mem_reg(struct vu_dev *dev, struct vu_msg *msg, int *fds,
			 unsigned int nfds, struct vu_msg *reply)
{
	(void)nfds, (void)reply;
	struct vu_region_msg rm;
	memcpy(&rm, msg->p.raw + 8, sizeof(rm));
	struct vq_region *r;
	if (map_region(dev, &rm, fds[0], &r) < 0)
		return VU_FAIL;
	fds[0] = -1;
	struct vq_mem *cur = vu_mem_get(dev);
	struct vq_mem *m = vq_mem_with(cur, r);
	vq_mem_put(cur);
	vq_region_put(r);
	return install_or_fail(dev, m,
			       "cannot add region (overlap or table full)");
}

static int h_rem_mem_reg(struct vu_dev *dev, struct vu_msg *msg, int *fds,
			 unsigned int nfds, struct vu_msg *reply)
{
	(void)fds, (void)nfds, (void)reply;
	struct vu_region_msg rm;
	memcpy(&rm, msg->p.raw + 8, sizeof(rm));
	struct vq_mem *cur = vu_mem_get(dev);
	struct vq_mem *m = vq_mem_without(cur, rm.gpa, rm.size);
	vq_mem_put(cur);
	return install_or_fail(dev, m, "REM_MEM_REG of an unknown region");
}

static int h_set_vring_num(struct vu_dev *dev, struct vu_msg *msg, int *fds,
			   unsigned int nfds, struct vu_msg *reply)
{
	(void)fds, (void)nfds, (void)reply;
	struct vq *q = msg_vq(dev, msg->p.state.index);
	uint32_t num = msg->p.state.num;
	if (!q || num == 0 || num > VQ_MAX_SIZE || (num & (num - 1)))
		return VU_FAIL;
	pthread_mutex_lock(&q->lock);
	bool running = q->started && q->enabled;
	if (!running) {
		q->num = (uint16_t)num;
		/* the ring sizes changed: translate (and bound) them again */
		if (q->desc_uva) {
			struct vq_mem *m = vu_mem_get(dev);
			vq_map_rings(q, m);
			vq_mem_put(m);
		}
	}
	pthread_mutex_unlock(&q->lock);
	if (running) {
		/* chains in flight and the in-flight file were laid out for
		 * the old size */
		snprintf(dev->errbuf, sizeof(dev->errbuf),
			 "SET_VRING_NUM on running ring %u", q->index);
		return VU_FAIL;
	}
	return VU_DONE;
}

static int h_set_vring_addr(struct vu_dev *dev, struct vu_msg *msg, int *fds,
			    unsigned int nfds, struct vu_msg *reply)
{
	(void)fds, (void)nfds, (void)reply;
	struct vq *q = msg_vq(dev, msg->p.addr.index);
	if (!q)
		return VU_FAIL;
	struct vq_mem *m = vu_mem_get(dev);
	pthread_mutex_lock(&q->lock);
	q->desc_uva = msg->p.addr.desc;
	q->avail_uva = msg->p.addr.avail;
	q->used_uva = msg->p.addr.used;
	int rc = vq_map_rings(q, m);
	pthread_mutex_unlock(&q->lock);
	vq_mem_put(m);
	if (rc < 0) {
		snprintf(dev->errbuf, sizeof(dev->errbuf),
			 "vring %u addresses outside guest memory", q->index);
		return VU_FAIL;
	}
	return VU_DONE;
}

static int h_set_vring_base(struct vu_dev *dev, struct vu_msg *msg, int *fds,
			    unsigned int nfds, struct vu_msg *reply)
{
	(void)fds, (void)nfds, (void)reply;
	struct vq *q = msg_vq(dev, msg->p.state.index);
	if (!q)
		return VU_FAIL;
	pthread_mutex_lock(&q->lock);
	q->last_avail = (uint16_t)msg->p.state.num;
	q->used_idx = (uint16_t)msg->p.state.num;
	q->signalled_valid = false;
	q->broken = false;
	pthread_mutex_unlock(&q->lock);
	return VU_DONE;
}

static int h_get_vring_base(struct vu_dev *dev, struct vu_msg *msg, int *fds,
			    unsigned int nfds, struct vu_msg *reply)
{
	(void)fds, (void)nfds;
	struct vq *q = msg_vq(dev, msg->p.state.index);
	if (!q)
		return VU_FAIL;
	stop_queue(dev, q);
	pthread_mutex_lock(&q->lock);
	reply->p.state.index = q->index;
	reply->p.state.num = q->last_avail;
	pthread_mutex_unlock(&q->lock);
	reply->hdr.size = sizeof(reply->p.state);
	return VU_REPLY;
}

/* SET_VRING_KICK/CALL/ERR: the queue and its fd (-1 with the no-fd bit). */
static struct vq *vring_fd(struct vu_dev *dev, const struct vu_msg *msg,
			   int *fds, unsigned int nfds, int *fd)
{
	struct vq *q = msg_vq(dev, msg->p.u64 & 0xff);
	*fd = -1;
	if (!q)
		return NULL;
	if (!(msg->p.u64 & 0x100)) {
		if (nfds != 1)
			return NULL;
		*fd = fds[0];
		fds[0] = -1;
	}
	return q;
}

static int h_set_vring_kick(struct vu_dev *dev, struct vu_msg *msg, int *fds,
			    unsigned int nfds, struct vu_msg *reply)
{
	(void)reply;
	int fd;
	struct vq *q = vring_fd(dev, msg, fds, nfds, &fd);
	if (!q)
		return VU_FAIL;
	if (dev->iface->queue_stop)
		dev->iface->queue_stop(dev, q->index);
	pthread_mutex_lock(&q->lock);
	vq_fd_set(q, &q->kick_fd, fd);
	/* Polling mode (no fd) is not supported. */
	q->started = fd >= 0;
	if (!(dev->features & (1ull << VU_F_PROTOCOL_FEATURES)))
		q->enabled = true;
	pthread_mutex_unlock(&q->lock);
	maybe_start(dev, q);
	return VU_DONE;
}

static int h_set_vring_call_err(struct vu_dev *dev, struct vu_msg *msg,
				int *fds, unsigned int nfds,
				struct vu_msg *reply)
{
	(void)reply;
	int fd;
	struct vq *q = vring_fd(dev, msg, fds, nfds, &fd);
	if (!q)
		return VU_FAIL;
	vq_fd_set(q, msg->hdr.request == VU_SET_VRING_CALL ? &q->call_fd
							    : &q->err_fd,
		  fd);
	return VU_DONE;
}

static int h_set_vring_enable(struct vu_dev *dev, struct vu_msg *msg, int *fds,
			      unsigned int nfds, struct vu_msg *reply)
{
	(void)fds, (void)nfds, (void)reply;
	struct vq *q = msg_vq(dev, msg->p.state.index);
	if (!q)
		return VU_FAIL;
	pthread_mutex_lock(&q->lock);
	q->enabled = msg->p.state.num != 0;
	/* Disabling: requests already taken from the ring finish before we
	 * answer, so nothing writes guest memory that the front-end may reuse
	 * afterwards (UML disables rings on device reset without stopping
	 * them). */
	while (!q->enabled && q->inflight > 0)
		pthread_cond_wait(&q->idle, &q->lock);
	pthread_mutex_unlock(&q->lock);
	if (msg->p.state.num)
		maybe_start(dev, q);
	return VU_DONE;
}

static int h_get_config(struct vu_dev *dev, struct vu_msg *msg, int *fds,
			unsigned int nfds, struct vu_msg *reply)
{
	(void)fds, (void)nfds;
	uint32_t off, len;
	memcpy(&off, msg->p.raw, 4);
	memcpy(&len, msg->p.raw + 4, 4);
	if (len > VU_MAX_PAYLOAD - 12 || msg->hdr.size < 12 + len)
		return VU_FAIL;
	memcpy(reply->p.raw, msg->p.raw, 12);
	memset(reply->p.raw + 12, 0, len);
	/* QEMU treats a short reply as failure. */
	if (dev->iface->get_config(dev, reply->p.raw + 12, off, len) < 0)
		reply->hdr.size = 0;
	else
		reply->hdr.size = 12 + len;
	return VU_REPLY;
}

static int h_set_config(struct vu_dev *dev, struct vu_msg *msg, int *fds,
			unsigned int nfds, struct vu_msg *reply)
{
	(void)msg, (void)fds, (void)nfds, (void)reply;
	snprintf(dev->errbuf, sizeof(dev->errbuf), "config space is read-only");
	return VU_FAIL;
}

static int h_get_inflight_fd(struct vu_dev *dev, struct vu_msg *msg, int *fds,
			     unsigned int nfds, struct vu_msg *reply)
{
	(void)fds, (void)nfds;
	reply->hdr.size = sizeof(reply->p.inflight);
	memset(&reply->p.inflight, 0, sizeof(reply->p.inflight));
	/* on failure: size 0, which front-ends take as "no tracking" */
	if (infl_create(dev, msg) == 0) {
		reply->p.inflight.mmap_size = dev->infl_len;
		reply->p.inflight.num_queues = dev->infl_nq;
		reply->p.inflight.queue_size = dev->infl_qsize;
		dev->reply_fd = dev->infl_fd;
	}
	return VU_REPLY;
}

static int h_set_inflight_fd(struct vu_dev *dev, struct vu_msg *msg, int *fds,
			     unsigned int nfds, struct vu_msg *reply)
{
	(void)nfds, (void)reply;
	if (infl_adopt(dev, msg, fds[0]) < 0)
		return VU_FAIL;
	fds[0] = -1; /* kept */
	return VU_DONE;
}

static int h_set_status(struct vu_dev *dev, struct vu_msg *msg, int *fds,
			unsigned int nfds, struct vu_msg *reply)
{
	(void)fds, (void)nfds, (void)reply;
	dev->status = (uint8_t)msg->p.u64;
	return VU_DONE;
}

static int h_get_status(struct vu_dev *dev, struct vu_msg *msg, int *fds,
			unsigned int nfds, struct vu_msg *reply)
{
	(void)msg, (void)fds, (void)nfds;
	return reply_u64(reply, dev->status);
}

static int h_set_backend_req_fd(struct vu_dev *dev, struct vu_msg *msg,
				int *fds, unsigned int nfds,
				struct vu_msg *reply)
{
	(void)msg, (void)nfds, (void)reply;
	if (dev->backend_req_fd >= 0)
		close(dev->backend_req_fd);
	dev->backend_req_fd = fds[0];
	fds[0] = -1; /* kept */
	return VU_DONE;
}

/* How many fds a message must carry. */
enum vu_fds {
	FDS_IGNORED, /* any sent are closed */
	FDS_ONE,     /* exactly one, valid */
	FDS_CHECKED, /* the handler checks (counts that depend on the payload) */
};

typedef int (*vu_handler)(struct vu_dev *dev, struct vu_msg *msg, int *fds,
			  unsigned int nfds, struct vu_msg *reply);

struct vu_msg_type {
	uint32_t request;
	const char *name;
	uint32_t min_size;  /* payload bytes */
	enum vu_fds fds;
	bool fatal;	    /* a failure leaves the back-end unusable */
	vu_handler handler;
};

#define SZ_U64	    8u
#define SZ_STATE    ((uint32_t)sizeof(((struct vu_msg *)0)->p.state))
#define SZ_ADDR	    ((uint32_t)sizeof(((struct vu_msg *)0)->p.addr))
#define SZ_INFL	    ((uint32_t)sizeof(((struct vu_msg *)0)->p.inflight))
#define SZ_REGION   (8u + (uint32_t)sizeof(struct vu_region_msg))
#define SZ_CFG_HDR  12u
#define M(req, sz, f, fat, h) {VU_##req, #req, (sz), (f), (fat), (h)}

static const struct vu_msg_type msg_types[] = {
	M(GET_FEATURES, 0, FDS_IGNORED, false, h_get_features),
	M(SET_FEATURES, SZ_U64, FDS_IGNORED, true, h_set_features),
	M(SET_OWNER, 0, FDS_IGNORED, false, h_set_owner),
	M(RESET_OWNER, 0, FDS_IGNORED, false, h_reset),
	M(SET_MEM_TABLE, SZ_U64, FDS_CHECKED, true, h_set_mem_table),
	M(SET_LOG_BASE, 0, FDS_IGNORED, false, NULL),
	M(SET_LOG_FD, 0, FDS_IGNORED, false, NULL),
	M(SET_VRING_NUM, SZ_STATE, FDS_IGNORED, true, h_set_vring_num),
	M(SET_VRING_ADDR, SZ_ADDR, FDS_IGNORED, true, h_set_vring_addr),
	M(SET_VRING_BASE, SZ_STATE, FDS_IGNORED, false, h_set_vring_base),
	M(GET_VRING_BASE, SZ_STATE, FDS_IGNORED, false, h_get_vring_base),
	M(SET_VRING_KICK, SZ_U64, FDS_CHECKED, true, h_set_vring_kick),
	M(SET_VRING_CALL, SZ_U64, FDS_CHECKED, false, h_set_vring_call_err),
	M(SET_VRING_ERR, SZ_U64, FDS_CHECKED, false, h_set_vring_call_err),
	M(GET_PROTOCOL_FEATURES, 0, FDS_IGNORED, false,
	  h_get_protocol_features),
	M(SET_PROTOCOL_FEATURES, SZ_U64, FDS_IGNORED, false,
	  h_set_protocol_features),
	M(GET_QUEUE_NUM, 0, FDS_IGNORED, false, h_get_queue_num),
	M(SET_VRING_ENABLE, SZ_STATE, FDS_IGNORED, false, h_set_vring_enable),
	M(SET_BACKEND_REQ_FD, 0, FDS_ONE, false, h_set_backend_req_fd),
	M(GET_CONFIG, SZ_CFG_HDR, FDS_IGNORED, false, h_get_config),
	M(SET_CONFIG, 0, FDS_IGNORED, false, h_set_config),
	M(GET_INFLIGHT_FD, SZ_INFL, FDS_IGNORED, false, h_get_inflight_fd),
	M(SET_INFLIGHT_FD, SZ_INFL, FDS_ONE, false, h_set_inflight_fd),
	M(RESET_DEVICE, 0, FDS_IGNORED, false, h_reset),
	M(GET_MAX_MEM_SLOTS, 0, FDS_IGNORED, false, h_get_max_mem_slots),
	M(ADD_MEM_REG, SZ_REGION, FDS_ONE, false, h_add_mem_reg),
	M(REM_MEM_REG, SZ_REGION, FDS_IGNORED, false, h_rem_mem_reg),
	M(SET_STATUS, SZ_U64, FDS_IGNORED, false, h_set_status),
	M(GET_STATUS, 0, FDS_IGNORED, false, h_get_status),
};
#undef M

static const struct vu_msg_type *msg_type(uint32_t req)
{
	for (size_t i = 0; i < sizeof(msg_types) / sizeof(msg_types[0]); i++)
		if (msg_types[i].request == req)
			return &msg_types[i];
	return NULL;
}

const char *vu_request_str(uint32_t req)
{
	const struct vu_msg_type *t = msg_type(req);
	return t ? t->name : "UNKNOWN";
}

/* Checks the table's rules, then runs the handler. */
static int handle(struct vu_dev *dev, const struct vu_msg_type *t,
		  struct vu_msg *msg, int *fds, unsigned int nfds,
		  struct vu_msg *reply)
{
	reply->hdr.request = msg->hdr.request;
	reply->hdr.flags = VU_FLAG_VERSION | VU_FLAG_REPLY;
	reply->hdr.size = 0;
	if (!t || !t->handler) {
		snprintf(dev->errbuf, sizeof(dev->errbuf),
			 "unsupported request %u", msg->hdr.request);
		return VU_FAIL;
	}
	if (msg->hdr.size < t->min_size)
		return VU_FAIL;
	if (t->fds == FDS_ONE && (nfds != 1 || fds[0] < 0)) {
		snprintf(dev->errbuf, sizeof(dev->errbuf),
			 "%s needs exactly one fd", t->name);
		return VU_FAIL;
	}
	return t->handler(dev, msg, fds, nfds, reply);
}

int vu_handle_msg(struct vu_dev *dev, struct vu_msg *msg, int *fds,
		  unsigned int nfds, struct vu_msg *reply)
{
	dev->errbuf[0] = 0;
	dev->reply_fd = -1;
	if ((msg->hdr.flags & 0x3) != VU_FLAG_VERSION ||
	    msg->hdr.size > VU_MAX_PAYLOAD) {
		close_fds(fds, nfds);
		snprintf(dev->errbuf, sizeof(dev->errbuf),
			 "bad message header");
		return -1;
	}
	const struct vu_msg_type *t = msg_type(msg->hdr.request);
	int rc = handle(dev, t, msg, fds, nfds, reply);
	close_fds(fds, nfds); /* anything not taken over */
	if (rc < 0 && !dev->errbuf[0])
		snprintf(dev->errbuf, sizeof(dev->errbuf), "bad %s message",
			 vu_request_str(msg->hdr.request));
	if (rc < 0 && t && t->fatal)
		return -1;
	if (rc == VU_REPLY)
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
