/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-accel guest driver: internal definitions shared by the files of
 * virtio_accel.ko. The wire protocol and the ioctl ABI live in the UAPI
 * header <linux/virtio_accel.h> (include/uapi/linux in this repository).
 *
 * Object lifetimes (see README.md for the long version):
 *
 *   struct va_dev   one per bound virtio device; kref'd. The probe holds one
 *                   reference, every open file one. After removal `dead' is
 *                   set and the virtqueues are gone; files still open get
 *                   -ENODEV from every ioctl.
 *   struct va_file  one per open file (file->private_data).
 *   struct va_obj   a session or resource created through a file; kref'd
 *                   by the file's list and by every request naming it, so
 *                   that its host-side destruction is sent only after the
 *                   last request using its id has left the device.
 *   struct va_req   one request. Owned by the submitter until it gives up
 *                   waiting; then `orphaned' is set (under the queue lock)
 *                   and the completion path owns it. Its memory (pinned
 *                   pages, bounce buffers, tables) is released only after
 *                   the device returned the chain or was reset.
 */
#ifndef VIRTIO_ACCEL_DRV_H
#define VIRTIO_ACCEL_DRV_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/completion.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/miscdevice.h>
#include <linux/mmzone.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/virtio.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <linux/virtio_accel.h>

#if !defined(VIRTIO_ACCEL_IOC_MAGIC) || VIRTIO_ACCEL_VERSION != 1
#error "wrong <linux/virtio_accel.h>: build with -I include/uapi"
#endif

#ifndef VIRTIO_ACCEL_ZC
#define VIRTIO_ACCEL_ZC 1
#endif

#define VA_DRV_NAME	"virtio_accel"
#define VA_MAX_QUEUES	64
/* Data segments of one argument listed directly in the request. */
#define VA_DIRECT_SEGS	8
/*
 * Data segments never cross a naturally aligned block of this size (nor a
 * NUMA node boundary): the device needs each segment inside one region of
 * its guest memory map, and every region boundary Linux can use falls on
 * a memory-section boundary or between nodes (zc.c). It also caps the
 * length of a segment.
 */
#if defined(CONFIG_SPARSEMEM) && defined(SECTION_SIZE_BITS) && \
	SECTION_SIZE_BITS < 27
#define VA_SEG_BLOCK_SHIFT	SECTION_SIZE_BITS
#else
#define VA_SEG_BLOCK_SHIFT	27	/* 128 MiB */
#endif
#define VA_SEG_BLOCK	BIT_ULL(VA_SEG_BLOCK_SHIFT)
/* Upper bound of each inline stream when segments are available. */
#define VA_INLINE_CAP	SZ_1M
/*
 * Driver-side bounds of device-supplied limits (config space), whatever
 * the device offers: what one request's streams and one file's tables
 * can make the driver allocate.
 */
#define VA_MAX_INLINE_BYTES	SZ_16M
#define VA_MAX_OBJS		65536
#define VA_MAX_SEGMENTS		BIT(24)
#define VA_MAX_TIMER_BYTES	SZ_64M
/* Largest chunk order of the request/response streams and bounce buffers */
#define VA_STREAM_ORDER	8
#define VA_BOUNCE_ORDER	9

/* Module parameters (core.c). */
extern unsigned int va_request_timeout_ms;
extern unsigned int va_inline_max;
extern unsigned int va_orphan_limit_mb;
extern bool va_zero_copy;

struct va_limits {
	u32 max_args;
	u32 max_segments;
	u32 max_table_entries;
	u32 max_inline_bytes;
	u32 max_blobs;
	u64 max_arg_size;
	u64 max_request_bytes;
	u32 max_sessions;
	u32 max_resources;
	u32 max_timer_bytes;
};

struct va_dev;

struct va_vq {
	spinlock_t lock;		/* serialises the virtqueue */
	struct virtqueue *vq;		/* NULL once dead */
	struct va_dev *dev;
	wait_queue_head_t space_wq;	/* waiters for ring space */
	unsigned long space_gen;	/* bumped when buffers come back */
	unsigned int inflight;		/* chains in the ring */
	bool dead;
	char name[20];
};

struct va_dev {
	struct kref kref;
	struct virtio_device *vdev;	/* not to be used once dead */
	struct miscdevice misc;
	char name[32];
	int index;
	struct va_vq *vqs;
	unsigned int nvqs;
	u64 features;			/* negotiated device feature bits */
	u16 version;
	bool segments;			/* segment arguments usable */
	struct va_limits lim;
	spinlock_t cfg_lock;		/* cfg */
	struct virtio_accel_config cfg;	/* raw (little-endian) copy */
	atomic64_t next_tag;
	bool dead;			/* READ_ONCE/WRITE_ONCE */
	atomic_t nr_orphans;
	atomic64_t orphan_bytes;	/* memory held by orphans */
	struct llist_head orphans;	/* completed orphaned requests */
	struct work_struct orphan_work;
	struct work_struct cfg_work;	/* config_changed */
	wait_queue_head_t obj_wq;	/* va_obj users drained */
	/*
	 * Destroy commands that found the ring full: sent by pend_work when
	 * buffers come back, so that nobody waits for ring space to destroy
	 * (file release, final puts, orphan work).
	 */
	spinlock_t pend_lock;		/* pend, pend_dead */
	struct list_head pend;		/* struct va_pend */
	unsigned int nr_pend;		/* READ_ONCE outside the lock */
	bool pend_dead;			/* removal: drop, do not queue */
	struct work_struct pend_work;
};

enum va_obj_kind {
	VA_OBJ_SESSION,
	VA_OBJ_RESOURCE,
	VA_OBJ_KINDS,
};

struct va_obj {
	struct list_head node;		/* in va_file.objs[kind] */
	struct kref ref;		/* list + one per request */
	struct va_dev *dev;
	u64 id;
	enum va_obj_kind kind;
	bool dying;			/* under va_file.lock */
	bool destroy_on_release;	/* host object still live */
};

struct va_file {
	struct va_dev *dev;
	struct mutex lock;		/* objs, nr */
	struct list_head objs[VA_OBJ_KINDS];
	unsigned int nr[VA_OBJ_KINDS];
};

/* A chunked, physically piecewise-contiguous kernel buffer. */
struct va_chunk {
	struct page *page;
	unsigned int order;
};

struct va_kbuf {
	struct va_chunk *chunks;
	unsigned int nr;
	unsigned int cap;
	u64 len;
};

/* A data segment: guest-physical address and length. */
struct va_dseg {
	u64 addr;
	u32 len;
};

enum va_arg_kind {
	VA_ARG_INLINE,
	VA_ARG_ZC,
	VA_ARG_BOUNCE,
};

struct va_arg {
	/* description */
	u64 uaddr;			/* user data, or 0 with kptr */
	const void *kptr;		/* kernel data (inline only) */
	u64 len;			/* bytes; write args: capacity */
	u32 type;
	u32 custom_type_id;
	bool write;
	bool force_inline;
	bool inout;			/* write arg read by the op: segments */
	/* placement */
	enum va_arg_kind kind;
	u64 inline_off;			/* offset in the R or W stream */
	struct page **pages;		/* VA_ARG_ZC */
	unsigned long npages;
	unsigned long npinned;
	struct mm_struct *pin_mm;	/* mmgrab'd; its pinned_vm is charged */
	unsigned long charged;		/* pages charged to pin_mm->pinned_vm */
	struct va_kbuf bounce;		/* VA_ARG_BOUNCE */
	struct va_dseg *dsegs;
	u32 nr_dsegs;
	u32 dsegs_cap;
	void **tables;			/* indirect segment tables */
	u32 nr_tables;
	u32 tbl_per;			/* entries per indirect table */
	u32 nr_top;			/* top-level entries */
	/* result */
	u64 produced;
};

#define VA_REQ_MAX_OBJS 2

struct va_req {
	struct va_dev *dev;
	struct va_vq *q;
	u64 tag;
	u16 cmd;
	u64 session_id;
	u64 object_id;
	u32 param;
	u32 nr_read;
	u32 nr_write;
	struct va_arg *args;
	struct va_obj *objs[VA_REQ_MAX_OBJS];	/* ids this request names */
	__le64 kscratch;		/* kernel copy of a checked arg */
	struct va_kbuf rbuf;		/* device-readable stream R */
	struct va_kbuf wbuf;		/* device-writable stream W */
	u64 w_inline_off;
	struct scatterlist *sg;		/* rbuf chunks, then wbuf chunks */
	struct completion done;
	/* under q->lock */
	bool queued;
	bool completed;
	bool orphaned;
	u64 orphan_bytes;		/* held memory counted as orphaned */
	u32 used_len;
	int xfer_err;			/* -ENODEV when reclaimed */
	struct llist_node orphan_node;
	struct list_head lost;		/* reclaimed on removal */
	/* decoded response */
	u32 status;
	s32 vaccel_ret;
	u64 new_id;
};

/* core.c */
void va_dev_put(struct va_dev *dev);
void va_dev_get(struct va_dev *dev);

/* zc.c: buffers, pinning, segments */
int va_kbuf_alloc(struct va_kbuf *kb, u64 len, unsigned int max_order,
		  gfp_t gfp);
void va_kbuf_free(struct va_kbuf *kb);
void va_kbuf_write(struct va_kbuf *kb, u64 off, const void *src, size_t n);
void va_kbuf_read(const struct va_kbuf *kb, u64 off, void *dst, size_t n);
int va_kbuf_from_user(struct va_kbuf *kb, u64 off, u64 uaddr, u64 n);
int va_kbuf_to_user(const struct va_kbuf *kb, u64 off, u64 uaddr, u64 n);
unsigned int va_kbuf_fill_sg(const struct va_kbuf *kb, struct scatterlist *sg);
int va_arg_map(struct va_dev *dev, struct va_arg *a);
void va_arg_unmap(struct va_arg *a);
int va_arg_build_tables(struct va_dev *dev, struct va_arg *a);
u64 va_arg_write_top(const struct va_arg *a, struct va_kbuf *kb, u64 off);

/* req.c */
struct va_req *va_req_alloc(struct va_dev *dev, u16 cmd, u32 nr_read,
			    u32 nr_write);
void va_req_free(struct va_req *req);
void va_req_add_obj(struct va_req *req, struct va_obj *obj);
int va_req_prepare(struct va_req *req);
int va_req_run(struct va_req **reqp);
int va_req_result(struct va_req *req);
int va_req_copy_out(struct va_req *req);
void va_send_destroy(struct va_dev *dev, enum va_obj_kind kind, u64 id);
void va_pend_work(struct work_struct *work);
void va_pend_kick(struct va_dev *dev);
void va_pend_shutdown(struct va_dev *dev);
bool va_req_done_locked(struct va_req *req, u32 used_len, int err);
void va_orphan_work(struct work_struct *work);
int va_status_errno(u32 status);

/* sess.c */
void va_file_init(struct va_file *f, struct va_dev *dev);
void va_file_release_objs(struct va_file *f);
struct va_obj *va_obj_new(struct va_file *f, enum va_obj_kind kind);
void va_obj_commit(struct va_file *f, struct va_obj *obj, u64 id);
void va_obj_discard(struct va_file *f, struct va_obj *obj);
struct va_obj *va_obj_lookup(struct va_file *f, enum va_obj_kind kind,
			     u64 id);
void va_obj_put(struct va_obj *obj);
struct va_obj *va_obj_begin_destroy(struct va_file *f, enum va_obj_kind kind,
				    u64 id);
int va_obj_wait_idle(struct va_obj *obj);
void va_obj_end_destroy(struct va_file *f, struct va_obj *obj, bool gone);
void va_obj_defer_destroy(struct va_file *f, struct va_obj *obj);

/* dev.c */
extern const struct file_operations va_fops;

#endif /* VIRTIO_ACCEL_DRV_H */
