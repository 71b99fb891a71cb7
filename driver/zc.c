// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-accel: argument memory.
 *
 * - va_kbuf: a kernel buffer made of a few high-order page chunks (falling
 *   back to smaller orders under fragmentation). Each chunk is physically
 *   contiguous, so a buffer costs one descriptor or one data segment per
 *   chunk. Used for the request/response streams and for bounce buffers.
 * - Zero-copy: the user pages of an argument are pinned long-term
 *   (FOLL_LONGTERM: an orphaned request may hold them for long), charged
 *   to the caller's mm->pinned_vm against RLIMIT_MEMLOCK, and physically
 *   contiguous runs are merged into data segments (never across a region
 *   boundary the device may see, see va_segb_add).
 * - Segment tables: an argument with more than VA_DIRECT_SEGS data segments
 *   is described by indirect tables (one page each at most), so even a
 *   fully fragmented 1 GiB argument needs only 1024 top-level entries.
 *
 * Every allocation whose size user space or the device controls is
 * GFP_KERNEL_ACCOUNT (charged to the caller's memory cgroup).
 */
#include <linux/highmem.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <asm/cacheflush.h>

#include "virtio_accel_drv.h"

static u64 va_chunk_len(const struct va_chunk *c)
{
	return (u64)PAGE_SIZE << c->order;
}

static int va_kbuf_grow(struct va_kbuf *kb)
{
	unsigned int ncap = kb->cap ? kb->cap * 2 : 4;
	struct va_chunk *n;

	if (ncap <= kb->cap)
		return -ENOMEM;
	n = kvmalloc_array(ncap, sizeof(*n), GFP_KERNEL_ACCOUNT);
	if (!n)
		return -ENOMEM;
	if (kb->nr)
		memcpy(n, kb->chunks, kb->nr * sizeof(*n));
	kvfree(kb->chunks);
	kb->chunks = n;
	kb->cap = ncap;
	return 0;
}

/*
 * Allocate @len bytes as chunks of at most 2^@max_order pages. High orders
 * are tried without retries or warnings; once an order fails, the smaller
 * one is used for the rest of the buffer.
 */
int va_kbuf_alloc(struct va_kbuf *kb, u64 len, unsigned int max_order,
		  gfp_t gfp)
{
	unsigned int order = max_order;
	u64 left = len;

	memset(kb, 0, sizeof(*kb));
	while (left) {
		struct page *page;
		u64 clen;

		if (kb->nr == kb->cap && va_kbuf_grow(kb))
			goto nomem;
		while (order && ((u64)PAGE_SIZE << (order - 1)) >= left)
			order--;
		for (;;) {
			gfp_t g = gfp | __GFP_NOWARN;

			g |= order ? __GFP_NORETRY : __GFP_RETRY_MAYFAIL;
			page = alloc_pages(g, order);
			if (page || !order)
				break;
			order--;
		}
		if (!page)
			goto nomem;
		kb->chunks[kb->nr].page = page;
		kb->chunks[kb->nr].order = order;
		kb->nr++;
		clen = va_chunk_len(&kb->chunks[kb->nr - 1]);
		left -= min(left, clen);
		cond_resched();
	}
	kb->len = len;
	return 0;

nomem:
	va_kbuf_free(kb);
	return -ENOMEM;
}

void va_kbuf_free(struct va_kbuf *kb)
{
	unsigned int i;

	for (i = 0; i < kb->nr; i++)
		__free_pages(kb->chunks[i].page, kb->chunks[i].order);
	kvfree(kb->chunks);
	memset(kb, 0, sizeof(*kb));
}

struct va_kiter {
	const struct va_kbuf *kb;
	unsigned int i;
	u64 coff;
};

static void va_kiter_seek(struct va_kiter *it, const struct va_kbuf *kb,
			  u64 off)
{
	it->kb = kb;
	it->i = 0;
	while (it->i < kb->nr && off >= va_chunk_len(&kb->chunks[it->i])) {
		off -= va_chunk_len(&kb->chunks[it->i]);
		it->i++;
	}
	it->coff = off;
}

/* Current position and the contiguous bytes available there. */
static void *va_kiter_map(struct va_kiter *it, u64 *avail)
{
	const struct va_chunk *c = &it->kb->chunks[it->i];

	*avail = va_chunk_len(c) - it->coff;
	return page_address(c->page) + it->coff;
}

static void va_kiter_advance(struct va_kiter *it, u64 n)
{
	it->coff += n;
	if (it->coff == va_chunk_len(&it->kb->chunks[it->i])) {
		it->i++;
		it->coff = 0;
	}
}

void va_kbuf_write(struct va_kbuf *kb, u64 off, const void *src, size_t n)
{
	struct va_kiter it;

	if (WARN_ON_ONCE(off > kb->len || n > kb->len - off))
		return;
	va_kiter_seek(&it, kb, off);
	while (n) {
		u64 avail;
		void *p = va_kiter_map(&it, &avail);
		size_t c = min_t(u64, avail, n);

		memcpy(p, src, c);
		src += c;
		n -= c;
		va_kiter_advance(&it, c);
	}
}

void va_kbuf_read(const struct va_kbuf *kb, u64 off, void *dst, size_t n)
{
	struct va_kiter it;

	if (WARN_ON_ONCE(off > kb->len || n > kb->len - off)) {
		memset(dst, 0, n);
		return;
	}
	va_kiter_seek(&it, kb, off);
	while (n) {
		u64 avail;
		void *p = va_kiter_map(&it, &avail);
		size_t c = min_t(u64, avail, n);

		memcpy(dst, p, c);
		dst += c;
		n -= c;
		va_kiter_advance(&it, c);
	}
}

int va_kbuf_from_user(struct va_kbuf *kb, u64 off, u64 uaddr, u64 n)
{
	struct va_kiter it;

	if (WARN_ON_ONCE(off > kb->len || n > kb->len - off))
		return -EINVAL;
	va_kiter_seek(&it, kb, off);
	while (n) {
		u64 avail;
		void *p = va_kiter_map(&it, &avail);
		u64 c = min(avail, n);

		if (copy_from_user(p, u64_to_user_ptr(uaddr), c))
			return -EFAULT;
		uaddr += c;
		n -= c;
		va_kiter_advance(&it, c);
		if (n && fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

int va_kbuf_to_user(const struct va_kbuf *kb, u64 off, u64 uaddr, u64 n)
{
	struct va_kiter it;

	if (WARN_ON_ONCE(off > kb->len || n > kb->len - off))
		return -EINVAL;
	va_kiter_seek(&it, kb, off);
	while (n) {
		u64 avail;
		void *p = va_kiter_map(&it, &avail);
		u64 c = min(avail, n);

		if (copy_to_user(u64_to_user_ptr(uaddr), p, c))
			return -EFAULT;
		uaddr += c;
		n -= c;
		va_kiter_advance(&it, c);
		if (n && fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

/* One scatterlist entry per chunk; @sg must hold kb->nr initialised entries */
unsigned int va_kbuf_fill_sg(const struct va_kbuf *kb, struct scatterlist *sg)
{
	u64 left = kb->len;
	unsigned int i;

	for (i = 0; i < kb->nr; i++) {
		u64 c = min(left, va_chunk_len(&kb->chunks[i]));

		sg_set_page(&sg[i], kb->chunks[i].page, c, 0);
		left -= c;
	}
	return kb->nr;
}

/*
 * Data segment builder. With out == NULL it only counts.
 *
 * The device requires every segment to lie inside one region of the guest
 * memory map it was given (docs/protocol.md §6.1): the VMM's RAM blocks,
 * e.g. boot RAM, one memory backend per NUMA node, each DIMM. Physically
 * contiguous pages may belong to two adjacent regions, and the guest does
 * not see where one ends. It does know where such a boundary can be: RAM
 * that Linux adds later (DIMMs, virtio-mem) comes in whole memory blocks,
 * i.e. section-aligned, and boot RAM of different backends is on different
 * NUMA nodes. So a run is merged into the previous segment only when it
 * is physically contiguous with it, on the same node, and the merged
 * segment stays inside one naturally aligned VA_SEG_BLOCK (the memory
 * section size, at most 128 MiB) - which also caps a segment's length.
 * Costs nothing in practice: pages contiguous over more than 128 MiB are
 * rare, and bounce chunks are 2 MiB.
 */
struct va_segb {
	struct va_dseg *out;
	unsigned long n;
	struct va_dseg cur;
	int nid;
	bool have;
};

static bool va_segb_can_merge(const struct va_segb *sb, u64 addr, u32 len,
			      int nid)
{
	BUILD_BUG_ON(VA_SEG_BLOCK > U32_MAX);
	return sb->have && sb->cur.addr + sb->cur.len == addr &&
	       sb->nid == nid &&
	       !((sb->cur.addr ^ (addr + len - 1)) & ~(VA_SEG_BLOCK - 1));
}

static void va_segb_add(struct va_segb *sb, u64 addr, u32 len, int nid)
{
	if (va_segb_can_merge(sb, addr, len, nid)) {
		sb->cur.len += len;
		return;
	}
	if (sb->have) {
		if (sb->out)
			sb->out[sb->n] = sb->cur;
		sb->n++;
	}
	sb->cur.addr = addr;
	sb->cur.len = len;
	sb->nid = nid;
	sb->have = true;
}

static void va_segb_finish(struct va_segb *sb)
{
	if (sb->have) {
		if (sb->out)
			sb->out[sb->n] = sb->cur;
		sb->n++;
	}
}

static u64 va_page_phys(struct page *page)
{
	return (u64)page_to_pfn(page) << PAGE_SHIFT;
}

static void va_bounce_walk(const struct va_arg *a, struct va_segb *sb)
{
	const struct va_kbuf *kb = &a->bounce;
	u64 left = kb->len;
	unsigned int i;

	for (i = 0; i < kb->nr && left; i++) {
		u32 c = min(left, va_chunk_len(&kb->chunks[i]));

		va_segb_add(sb, va_page_phys(kb->chunks[i].page), c,
			    page_to_nid(kb->chunks[i].page));
		left -= c;
	}
	va_segb_finish(sb);
}

static int va_arg_segments(struct va_dev *dev, struct va_arg *a,
			   void (*walk)(const struct va_arg *,
					struct va_segb *))
{
	struct va_segb sb = {};

	walk(a, &sb);
	if (!sb.n || sb.n > dev->lim.max_segments)
		return -E2BIG;
	a->dsegs = kvmalloc_array(sb.n, sizeof(*a->dsegs), GFP_KERNEL_ACCOUNT);
	if (!a->dsegs)
		return -ENOMEM;
	memset(&sb, 0, sizeof(sb));
	sb.out = a->dsegs;
	walk(a, &sb);
	a->nr_dsegs = sb.n;
	return 0;
}

static int va_bounce_map(struct va_dev *dev, struct va_arg *a)
{
	int err;

	err = va_kbuf_alloc(&a->bounce, a->len, VA_BOUNCE_ORDER,
			    GFP_KERNEL_ACCOUNT);
	if (err)
		return err;
	/*
	 * Write args get the user's current contents too: a segment write
	 * argument shows the op the current buffer in zero-copy mode, and
	 * bounce mode must behave the same (and never expose stale kernel
	 * memory).
	 */
	err = va_kbuf_from_user(&a->bounce, 0, a->uaddr, a->len);
	if (err)
		return err;
	return va_arg_segments(dev, a, va_bounce_walk);
}

#if VIRTIO_ACCEL_ZC
static void va_zc_walk(const struct va_arg *a, struct va_segb *sb)
{
	u64 off = offset_in_page(a->uaddr);
	u64 left = a->len;
	unsigned long i;

	for (i = 0; i < a->npages && left; i++) {
		u32 c = min_t(u64, PAGE_SIZE - off, left);

		va_segb_add(sb, va_page_phys(a->pages[i]) + off, c,
			    page_to_nid(a->pages[i]));
		left -= c;
		off = 0;
	}
	va_segb_finish(sb);
}

/*
 * Charge @npages to the caller's mm->pinned_vm (VmPin in /proc/PID/status)
 * like RDMA does: without CAP_IPC_LOCK, pinned_vm may not exceed
 * RLIMIT_MEMLOCK. The mm is grabbed: an orphaned request keeps its pages
 * (and the charge) until the device returns it, maybe after the process
 * is gone.
 */
static int va_zc_charge(struct va_arg *a, unsigned long npages)
{
	struct mm_struct *mm = current->mm;
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	s64 pinned;

	if (!mm)
		return -EFAULT;
	pinned = atomic64_add_return(npages, &mm->pinned_vm);
	if (pinned > limit && !capable(CAP_IPC_LOCK)) {
		atomic64_sub(npages, &mm->pinned_vm);
		return -ENOMEM;
	}
	mmgrab(mm);
	a->pin_mm = mm;
	a->charged = npages;
	return 0;
}

/* Unpin, uncharge, forget the page array. Process context. */
static void va_zc_release(struct va_arg *a)
{
	if (a->pages) {
		if (a->write) {
			unsigned long j;

			for (j = 0; j < a->npinned; j++)
				flush_dcache_page(a->pages[j]);
		}
		/* outputs were written by the device: mark them dirty */
		unpin_user_pages_dirty_lock(a->pages, a->npinned, a->write);
		kvfree(a->pages);
		a->pages = NULL;
	}
	a->npages = 0;
	a->npinned = 0;
	if (a->pin_mm) {
		atomic64_sub(a->charged, &a->pin_mm->pinned_vm);
		mmdrop(a->pin_mm);
		a->pin_mm = NULL;
		a->charged = 0;
	}
}

static unsigned int va_zc_flags(const struct va_arg *a)
{
	return FOLL_LONGTERM | (a->write ? FOLL_WRITE : 0);
}

static int va_zc_pin_pages(struct va_arg *a, u64 npages)
{
	u64 start = a->uaddr & PAGE_MASK;
	unsigned int flags = va_zc_flags(a);

	a->pages = kvmalloc_array(npages, sizeof(*a->pages),
				  GFP_KERNEL_ACCOUNT);
	if (!a->pages)
		return -ENOMEM;
	a->npages = npages;
	while (a->npinned < npages) {
		int n = min_t(u64, npages - a->npinned, SZ_64K);
		int got;

		got = pin_user_pages_fast(start + (u64)a->npinned * PAGE_SIZE,
					  n, flags, a->pages + a->npinned);
		if (got <= 0)
			return got ? got : -EFAULT;
		a->npinned += got;
		if (a->npinned < npages && fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

/*
 * The long-term pin failed at the first unpinned page: would a short-term
 * pin work (a valid page that just may not be pinned long-term, e.g. a
 * writable shared file mapping that needs dirty tracking, on newer
 * kernels)? Then the argument can still be bounced.
 */
static bool va_zc_shortterm_ok(const struct va_arg *a)
{
	u64 addr = (a->uaddr & PAGE_MASK) + (u64)a->npinned * PAGE_SIZE;
	struct page *page;

	if (pin_user_pages_fast(addr, 1, va_zc_flags(a) & ~FOLL_LONGTERM,
				&page) != 1)
		return false;
	unpin_user_page(page);
	return true;
}

/*
 * Pin the argument's pages. Over RLIMIT_MEMLOCK, or when valid pages
 * cannot be pinned long-term, the argument is bounced instead (bounce
 * buffers are charged to the memory cgroup).
 */
static int va_zc_pin(struct va_dev *dev, struct va_arg *a)
{
	u64 npages = DIV_ROUND_UP(offset_in_page(a->uaddr) + a->len, PAGE_SIZE);
	int err;

	if (npages > INT_MAX)
		return -E2BIG;
	err = va_zc_charge(a, npages);
	if (!err) {
		err = va_zc_pin_pages(a, npages);
		if (!err)
			return va_arg_segments(dev, a, va_zc_walk);
		if (err == -EINTR || err == -ENOMEM || !a->pages ||
		    !va_zc_shortterm_ok(a))
			return err;
	}
	va_zc_release(a);
	a->kind = VA_ARG_BOUNCE;
	return va_bounce_map(dev, a);
}
#endif

/* Give a segment argument its data segments (pinned or bounced). */
int va_arg_map(struct va_dev *dev, struct va_arg *a)
{
	switch (a->kind) {
#if VIRTIO_ACCEL_ZC
	case VA_ARG_ZC:
		return va_zc_pin(dev, a);
#endif
	case VA_ARG_BOUNCE:
		return va_bounce_map(dev, a);
	default:
		return 0;
	}
}

/* Release what va_arg_map/va_arg_build_tables took. Process context. */
void va_arg_unmap(struct va_arg *a)
{
	u32 i;

	if (a->tables) {
		for (i = 0; i < a->nr_tables; i++)
			kfree(a->tables[i]);
		kvfree(a->tables);
		a->tables = NULL;
	}
	kvfree(a->dsegs);
	a->dsegs = NULL;
#if VIRTIO_ACCEL_ZC
	va_zc_release(a);
#endif
	if (a->bounce.nr)
		va_kbuf_free(&a->bounce);
}

/*
 * Decide how the segments are listed: up to VA_DIRECT_SEGS directly in the
 * request, more through indirect tables of up to one page (and at most
 * max_table_entries entries) each.
 */
int va_arg_build_tables(struct va_dev *dev, struct va_arg *a)
{
	u32 per, t, k = 0;

	if (a->nr_dsegs <= VA_DIRECT_SEGS) {
		a->nr_top = a->nr_dsegs;
		return 0;
	}
	per = min_t(u32, dev->lim.max_table_entries,
		    PAGE_SIZE / sizeof(struct virtio_accel_seg));
	a->tbl_per = per;
	a->nr_tables = DIV_ROUND_UP(a->nr_dsegs, per);
	a->tables = kvcalloc(a->nr_tables, sizeof(*a->tables),
			     GFP_KERNEL_ACCOUNT);
	if (!a->tables) {
		a->nr_tables = 0;
		return -ENOMEM;
	}
	for (t = 0; t < a->nr_tables; t++) {
		u32 cnt = min(per, a->nr_dsegs - k);
		struct virtio_accel_seg *tbl;
		u32 j;

		tbl = kmalloc_array(cnt, sizeof(*tbl), GFP_KERNEL_ACCOUNT);
		if (!tbl)
			return -ENOMEM;
		a->tables[t] = tbl;
		for (j = 0; j < cnt; j++, k++) {
			tbl[j].addr = cpu_to_le64(a->dsegs[k].addr);
			tbl[j].len = cpu_to_le32(a->dsegs[k].len);
			tbl[j].flags = 0;
		}
	}
	a->nr_top = a->nr_tables;
	return 0;
}

/*
 * Write the top-level segment entries of @a at @off of @kb; returns the
 * offset after them.
 */
u64 va_arg_write_top(const struct va_arg *a, struct va_kbuf *kb, u64 off)
{
	struct virtio_accel_seg e;
	u32 i;

	if (!a->nr_tables) {
		for (i = 0; i < a->nr_dsegs; i++) {
			e.addr = cpu_to_le64(a->dsegs[i].addr);
			e.len = cpu_to_le32(a->dsegs[i].len);
			e.flags = 0;
			va_kbuf_write(kb, off, &e, sizeof(e));
			off += sizeof(e);
		}
		return off;
	}
	for (i = 0; i < a->nr_tables; i++) {
		u32 cnt = min(a->tbl_per, a->nr_dsegs - i * a->tbl_per);

		e.addr = cpu_to_le64(virt_to_phys(a->tables[i]));
		e.len = cpu_to_le32(cnt * sizeof(struct virtio_accel_seg));
		e.flags = cpu_to_le32(VIRTIO_ACCEL_SEG_F_INDIRECT);
		va_kbuf_write(kb, off, &e, sizeof(e));
		off += sizeof(e);
	}
	return off;
}
