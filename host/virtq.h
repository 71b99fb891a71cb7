// SPDX-License-Identifier: Apache-2.0
/*
 * Guest memory table and split virtqueues for a vhost-user back-end.
 *
 * Guest memory: a table of regions, each an fd from the front-end mapped
 * once. A table (struct vq_mem) is immutable once published and reference
 * counted, so a request keeps the mappings it uses alive even when the
 * front-end replaces the table meanwhile.
 *
 * Virtqueues: split layout, indirect descriptors, EVENT_IDX. Chain walking
 * is bounded (no loops), every address is translated through the memory
 * table with bounds checks, and a chain becomes two iovec lists (readable,
 * writable) of host pointers.
 */
#ifndef VHOST_ACCEL_VIRTQ_H
#define VHOST_ACCEL_VIRTQ_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define VQ_MEM_MAX_REGIONS 32
#define VQ_MAX_SIZE	   32768
/* Most iovec entries of one chain (per direction). */
#define VQ_MAX_IOV 1024

/* One mapped region, shared between table snapshots. */
struct vq_region {
	atomic_uint refs;
	int fd;
	uint64_t gpa;	 /* guest-physical start */
	uint64_t size;	 /* bytes */
	uint64_t uva;	 /* front-end virtual address */
	uint64_t fd_off; /* offset of gpa within fd */
	void *map;	 /* mmap base (covers fd_off rounded down) */
	size_t map_len;
	uint8_t *hva;	  /* host address of gpa */
	size_t page_size; /* of the backing file */
	bool sealed;	  /* cannot shrink under us */
};

struct vq_mem {
	atomic_uint refs;
	unsigned int nregions;
	struct vq_region *r[VQ_MEM_MAX_REGIONS];
};

/* Where a guest range lives on the host. */
struct vq_xlate {
	uint8_t *hva;
	int fd;		 /* backing fd (for building mapped views) */
	uint64_t fd_off; /* offset of the range in fd */
	size_t page_size;
};

/*
 * Map a region from fd; takes ownership of fd on success. The file is
 * sealed against shrinking (F_SEAL_SHRINK) where it can be; with
 * require_seal a file that cannot be sealed is refused (errno EPERM),
 * otherwise it is accepted and r->sealed says so (a front-end that then
 * truncates its own guest RAM makes its own device process fault).
 */
struct vq_region *vq_region_map(int fd, uint64_t gpa, uint64_t size,
				uint64_t uva, uint64_t mmap_offset,
				bool require_seal);
void vq_region_put(struct vq_region *r);

struct vq_mem *vq_mem_new(void);
/* Copy of m (taking region references) with r added / region at gpa gone */
struct vq_mem *vq_mem_with(const struct vq_mem *m, struct vq_region *r);
struct vq_mem *vq_mem_without(const struct vq_mem *m, uint64_t gpa,
			      uint64_t size);
struct vq_mem *vq_mem_get(struct vq_mem *m);
void vq_mem_put(struct vq_mem *m);

/* Translate [gpa, gpa+len) lying entirely in one region; NULL otherwise. */
void *vq_mem_gpa(const struct vq_mem *m, uint64_t gpa, uint64_t len);
bool vq_mem_gpa_xlate(const struct vq_mem *m, uint64_t gpa, uint64_t len,
		      struct vq_xlate *out);
/* Same for a front-end virtual address (vring addresses). */
void *vq_mem_uva(const struct vq_mem *m, uint64_t uva, uint64_t len);

/* Split ring layout (virtio 1.x, little-endian; host assumed LE). */
struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
#define VQ_DESC_F_NEXT		1
#define VQ_DESC_F_WRITE		2
#define VQ_DESC_F_INDIRECT	4
#define VQ_AVAIL_F_NO_INTERRUPT 1
#define VQ_USED_F_NO_NOTIFY	1

struct vq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};
struct vq_used_elem {
	uint32_t id;
	uint32_t len;
};
struct vq_used {
	uint16_t flags;
	uint16_t idx;
	struct vq_used_elem ring[];
};

/*
 * In-flight tracking (vhost-user INFLIGHT_SHMFD), split rings: one region
 * per queue in a file the front-end keeps across back-end restarts, in the
 * layout of QEMU's docs/interop/vhost-user.rst ("Inflight I/O tracking").
 * A chain is marked in flight when popped and unmarked when completed, so
 * the next back-end completes exactly the chains its predecessor took but
 * never returned, although it completed others out of order.
 */
struct vq_infl_desc {
	uint8_t inflight;
	uint8_t padding[5];
	uint16_t next;
	uint64_t counter; /* pop order */
};
struct vq_infl {
	uint64_t features;
	uint16_t version; /* 0: fresh region, 1: in use */
	uint16_t desc_num;
	uint16_t last_batch_head;
	uint16_t used_idx;
	struct vq_infl_desc desc[];
};
/* Bytes of one queue's region for queue_size descriptors. */
uint64_t vq_infl_size(uint32_t queue_size);

/* A popped chain. */
struct vq_elem {
	uint16_t head;
	unsigned int nr_in;  /* readable (driver -> device) */
	unsigned int nr_out; /* writable (device -> driver) */
	size_t in_len;
	size_t out_len;
	struct iovec in[VQ_MAX_IOV];
	struct iovec out[VQ_MAX_IOV];
};

struct vq {
	pthread_mutex_t lock;
	pthread_cond_t idle;
	unsigned int index;
	uint16_t num;
	bool enabled; /* SET_VRING_ENABLE */
	bool started; /* kick fd set, addresses valid */
	bool broken;  /* ring corrupted; stop touching it */
	bool event_idx;
	int kick_fd;
	/* call and err eventfds: written only under fd_lock, never under
	 * lock, and non-blocking (vq_fd_set), so a front-end that hands us a
	 * full eventfd or a pipe nobody reads cannot stall a thread that
	 * holds the queue */
	pthread_mutex_t fd_lock;
	int call_fd;
	int err_fd;
	bool err_pending; /* set_broken ran: vq_notify signals err_fd */
	uint64_t desc_uva, avail_uva, used_uva;
	struct vq_desc *desc;
	struct vq_avail *avail;
	struct vq_used *used;
	uint16_t last_avail;
	uint16_t used_idx;
	uint16_t signalled_used;
	bool signalled_valid;
	unsigned int inflight; /* chains popped, not yet pushed (<= num) */
	bool throttled; /* vq_pop held chains back: drain again on push */
	uint64_t nr_popped;
	uint64_t nr_completed;
	/* in-flight tracking, while the ring runs (vq_infl_attach) */
	struct vq_infl *infl;
	uint16_t infl_num;
	uint64_t infl_counter;
	uint16_t *resubmit; /* heads to complete first, in pop order */
	unsigned int nr_resubmit, resubmit_pos;
};

void vq_init(struct vq *q, unsigned int index);
void vq_destroy(struct vq *q);
/* (Re)translate ring addresses; caller holds q->lock. */
int vq_map_rings(struct vq *q, const struct vq_mem *m);

/*
 * Pop one chain (caller holds q->lock). Returns 1 and fills *e, 0 if the
 * ring is empty or already has q->num chains in flight (q->throttled is
 * then set: a driver cannot have more, so it re-posted heads; popping
 * resumes after a completion), -1 if the ring is broken (bad avail index;
 * call vq_notify_error after unlocking). A chain whose
 * descriptors are invalid yields 1 with e->nr_in = e->nr_out = 0 and
 * *bad = true: the caller must still complete it (used length 0).
 */
int vq_pop(struct vq *q, const struct vq_mem *m, struct vq_elem *e, bool *bad);
/*
 * Start tracking the ring's chains in the region `in` of desc_num entries
 * (caller holds q->lock; the ring is mapped and not yet running). A fresh
 * (or unusable) region is initialised. Otherwise the chains the previous
 * back-end left in flight are queued for vq_pop to return first, and the
 * ring indices follow the region: used index from the ring, avail index =
 * used index + chains in flight. Returns the number queued; q->infl stays
 * NULL when the ring is larger than the region.
 */
unsigned int vq_infl_attach(struct vq *q, struct vq_infl *in,
			    uint16_t desc_num);
/* Stop tracking (the ring stopped; caller holds q->lock). */
void vq_infl_detach(struct vq *q);
/*
 * Push a completion (caller holds q->lock). Returns true when the driver
 * must be notified: call vq_notify(q) after dropping the lock.
 */
bool vq_push(struct vq *q, uint16_t head, uint32_t len);
/* Signal the call eventfd (and the err eventfd if the ring broke); takes
 * fd_lock only, so never call it with q->lock held. */
void vq_notify(struct vq *q);
/* Signal the err eventfd if the ring broke since the last call (same
 * rule: fd_lock only). */
void vq_notify_error(struct vq *q);
/* Read (clear) the kick eventfd without blocking, under fd_lock. */
void vq_kick_clear(struct vq *q);
/* Install a kick/call/err fd (made non-blocking); closes the old one. */
void vq_fd_set(struct vq *q, int *slot, int fd);
/* With EVENT_IDX: publish avail_event; returns true if more work arrived. */
bool vq_enable_notify(struct vq *q);

/* Byte-stream helpers over iovec lists. */
size_t iov_copy_from(const struct iovec *iov, unsigned int n, size_t off,
		     void *dst, size_t len);
size_t iov_copy_to(const struct iovec *iov, unsigned int n, size_t off,
		   const void *src, size_t len);
size_t iov_fill(const struct iovec *iov, unsigned int n, size_t off, int c,
		size_t len);

#endif
