// SPDX-License-Identifier: Apache-2.0
#include "argmem.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "virtq.h"

/* vAccel argument types (docs/protocol.md §7.5) */
#define ARG_BOOL_ARRAY 22
#define ARG_BUFFER     28

/* Views: at most this many runs, averaging at least VIEW_MIN_RUN bytes */
#define VIEW_MAX_RUNS 1024
#define VIEW_MIN_RUN  (64u << 10)
/* Shorter runs (down to single pages): a view only for a buffer of at
 * least VIEW_REPEAT_MIN_LEN bytes in at most VIEW_REPEAT_MAX_RUNS runs,
 * and only once it comes back (view_cache_get_repeat) */
#define VIEW_REPEAT_MAX_RUNS 2048
#define VIEW_REPEAT_MIN_LEN  ((uint64_t)1 << 20)
/* Views kept per front-end: entries and address space. */
#define VIEW_CACHE_ENTRIES 16
#define VIEW_CACHE_BYTES   ((size_t)8 << 30)

static void view_key_get(const void *key)
{
	vq_mem_get((struct vq_mem *)key);
}

static void view_key_put(const void *key)
{
	vq_mem_put((struct vq_mem *)key);
}

int argmem_init(struct argmem *m, uint64_t max_inflight_bytes,
		uint32_t max_view_maps)
{
	memset(m, 0, sizeof(*m));
	m->max_inflight_bytes = max_inflight_bytes;
	atomic_init(&m->inflight_bytes, 0);
	bounce_pool_init(&m->bounces);
	segcopy_init(&m->copier);
	/* without a cache views are built per request, as before */
	m->views = view_cache_new(VIEW_CACHE_ENTRIES, VIEW_CACHE_BYTES,
				  view_key_get, view_key_put);
	if (m->views)
		view_cache_set_map_budget(m->views, max_view_maps);
	return 0;
}

void argmem_flush(struct argmem *m, struct view_cache_stats *st)
{
	memset(st, 0, sizeof(*st));
	bounce_pool_drain(&m->bounces);
	if (!m->views)
		return;
	view_cache_stats(m->views, st);
	view_cache_flush(m->views);
}

void argmem_destroy(struct argmem *m)
{
	view_cache_free(m->views);
	m->views = NULL;
	bounce_pool_drain(&m->bounces);
	segcopy_stop(&m->copier);
}

static bool zero_copy_type(uint32_t t)
{
	/* *_ARRAY types except BOOL_ARRAY, and BUFFER: no content checks */
	if (t == ARG_BUFFER)
		return true;
	return t >= 2 && t <= 26 && (t % 2) == 0 && t != ARG_BOOL_ARRAY;
}

static bool charge(struct argmem *m, struct hbuf *hb, uint64_t n)
{
	uint64_t cur = atomic_fetch_add(&m->inflight_bytes, n) + n;
	if (cur > m->max_inflight_bytes) {
		atomic_fetch_sub(&m->inflight_bytes, n);
		return false;
	}
	hb->charged += n;
	return true;
}

/* Runs of s[0..n): page-aligned inside, one file each; 0 if unusable. */
static uint32_t count_runs(const struct req_seg *s, uint32_t n, size_t pg)
{
	uint32_t runs = 1;
	for (uint32_t i = 0; i < n; i++) {
		if (s[i].fd < 0 || s[i].page_size != pg)
			return 0;
		if (i > 0 && (s[i].fd != s[i - 1].fd ||
			      s[i].fd_off != s[i - 1].fd_off + s[i - 1].len))
			runs++;
		if (i > 0 && s[i].fd_off % pg)
			return 0;
		if (i + 1 < n && (s[i].fd_off + s[i].len) % pg)
			return 0;
	}
	return runs;
}

/*
 * Contiguous mapped view of page-aligned segment runs (protocol §8),
 * from the front-end's view cache: a buffer the guest passes again (same
 * guest-physical runs, same memory table) reuses the mapping and its
 * populated page tables instead of paying mmap and page faults again.
 * A buffer of many short runs (a long-running guest's scattered pages)
 * is bounced the first time and gets a view when it comes back: programs
 * pass the same buffers call after call, and a reused view costs nothing
 * where every bounce copies the whole buffer in (and out) again.
 */
static bool build_view(struct argmem *m, const struct request *req,
		       const struct req_arg *a, struct hbuf *hb)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	const struct req_seg *s = &req->segs[a->seg_first];
	uint32_t n = a->seg_count;
	if (!m->views || !req->mem_key)
		return false;
	uint32_t runs = count_runs(s, n, pg);
	/* One mapping per run: beyond a few, mmap + page-table set-up cost
	 * more than a copy (and each run is a VMA, bounded by the mapping
	 * budget). Average runs below VIEW_MIN_RUN bytes: only for a buffer
	 * that comes back. */
	if (!runs)
		return false;
	bool long_runs = runs <= VIEW_MAX_RUNS && a->len / runs >= VIEW_MIN_RUN;
	if (!long_runs &&
	    (runs > VIEW_REPEAT_MAX_RUNS || a->len < VIEW_REPEAT_MIN_LEN))
		return false;
	size_t lead = s[0].fd_off % pg;
	size_t total = lead + a->len;
	if (total < a->len || total > SIZE_MAX - pg)
		return false;
	total = (total + pg - 1) / pg * pg;
	struct view_run *vr = calloc(runs, sizeof(*vr));
	if (!vr)
		return false;
	size_t cur = 0;
	uint32_t k = 0;
	for (uint32_t i = 0; i < n;) {
		/* coalesce runs contiguous in the same file */
		uint64_t off = s[i].fd_off - (i == 0 ? lead : 0);
		uint64_t end = s[i].fd_off + s[i].len;
		uint32_t j = i + 1;
		while (j < n && s[j].fd == s[i].fd && s[j].fd_off == end) {
			end += s[j].len;
			j++;
		}
		size_t len = (size_t)(end - off);
		len = (len + pg - 1) / pg * pg;
		if (k == runs || cur + len > total) {
			free(vr);
			return false;
		}
		vr[k++] = (struct view_run){
			.fd = s[i].fd, .off = off, .len = len};
		cur += len;
		i = j;
	}
	uint8_t *win;
	if (long_runs)
		win = view_cache_get(m->views, req->mem_key, vr, k, total,
				     &hb->view, NULL);
	else
		win = view_cache_get_repeat(m->views, req->mem_key, vr, k,
					    total, &hb->view);
	free(vr);
	if (!win)
		return false;
	hb->kind = HB_VIEW;
	hb->p = win + lead;
	hb->len = a->len;
	return true;
}

static uint32_t inline_write(struct argmem *m, const struct req_arg *a,
			     struct hbuf *hb, const char **err)
{
	hb->kind = HB_INLINE_WR;
	if (a->len == 0)
		return VIRTIO_ACCEL_OK;
	if (!charge(m, hb, a->len)) {
		*err = "in-flight byte budget exhausted";
		return VIRTIO_ACCEL_LIMIT;
	}
	hb->p = calloc(1, a->len);
	if (!hb->p) {
		*err = "out of memory";
		return VIRTIO_ACCEL_ERR;
	}
	return VIRTIO_ACCEL_OK;
}

static uint32_t bounce(struct argmem *m, const struct request *req,
		       const struct req_arg *a, struct hbuf *hb,
		       const char **err)
{
	const struct req_seg *s = &req->segs[a->seg_first];
	if (a->len > SIZE_MAX || !charge(m, hb, a->len)) {
		*err = "in-flight byte budget exhausted";
		return VIRTIO_ACCEL_LIMIT;
	}
	hb->kind = HB_BOUNCE;
	hb->p = bounce_pool_get(&m->bounces, a->len, &hb->cap);
	if (!hb->p) {
		*err = "out of memory";
		return VIRTIO_ACCEL_ERR;
	}
	segcopy_gather(&m->copier, s, a->seg_count, hb->p, (size_t)a->len);
	return VIRTIO_ACCEL_OK;
}

uint32_t hbuf_get(struct argmem *m, const struct request *req, uint32_t idx,
		  struct hbuf *hb, const char **err)
{
	const struct req_arg *a = &req->args[idx];
	bool wr = idx >= req->nr_read;
	memset(hb, 0, sizeof(*hb));
	hb->len = a->len;
	if (!a->segmented && !wr) {
		hb->kind = HB_INLINE_RD;
		hb->p = a->len ? req->rd_inline + a->inline_off : NULL;
		return VIRTIO_ACCEL_OK;
	}
	if (!a->segmented)
		return inline_write(m, a, hb, err);
	const struct req_seg *s = &req->segs[a->seg_first];
	if (zero_copy_type(a->type)) {
		bool contiguous = true;
		for (uint32_t i = 1; i < a->seg_count && contiguous; i++)
			contiguous = s[i].hva == s[i - 1].hva + s[i - 1].len;
		if (contiguous) {
			hb->kind = HB_DIRECT;
			hb->p = s[0].hva;
			return VIRTIO_ACCEL_OK;
		}
		if (build_view(m, req, a, hb))
			return VIRTIO_ACCEL_OK;
	}
	return bounce(m, req, a, hb, err);
}

void hbuf_deliver(struct argmem *m, const struct request *req,
		  const struct iovec *out, unsigned int nr_out, uint32_t idx,
		  struct hbuf *hb, size_t n)
{
	const struct req_arg *a = &req->args[idx];
	if (n > a->len)
		n = (size_t)a->len;
	if (hb->kind == HB_INLINE_WR && n)
		iov_copy_to(out, nr_out, a->inline_off, hb->p, n);
	if (hb->kind == HB_BOUNCE)
		segcopy_scatter(&m->copier, &req->segs[a->seg_first],
				a->seg_count, hb->p, n);
}

void hbuf_release(struct argmem *m, struct hbuf *hb)
{
	if (hb->kind == HB_INLINE_WR)
		free(hb->p);
	if (hb->kind == HB_BOUNCE)
		bounce_pool_put(&m->bounces, hb->p, hb->cap);
	if (hb->kind == HB_VIEW)
		view_cache_put(m->views, hb->view);
	if (hb->charged)
		atomic_fetch_sub(&m->inflight_bytes, hb->charged);
	memset(hb, 0, sizeof(*hb));
}
