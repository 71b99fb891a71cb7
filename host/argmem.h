// SPDX-License-Identifier: Apache-2.0
/*
 * Argument memory: where each argument of a request lives on the host
 * while the plugin runs (the host twin of driver/zc.c).
 *
 *   inline read args    the request's own copy of the inline data
 *   inline write args   a zeroed host buffer, copied to the guest after
 *   segment args        a direct pointer into guest RAM when the pages are
 *                       contiguous in the daemon, a mapped view of the
 *                       guest-memory files (cached, host/viewcache.h) when
 *                       they form few large runs, otherwise a bounce
 *                       buffer
 *
 * Only types without content checks (*_ARRAY but BOOL_ARRAY, BUFFER) are
 * ever handed over in place; scalars and strings are always copied, so a
 * guest cannot change a value after the host validated it. Host buffers
 * are charged to the front-end's in-flight byte budget, views to its
 * mapping budget.
 */
#ifndef VHOST_ACCEL_ARGMEM_H
#define VHOST_ACCEL_ARGMEM_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "bouncepool.h"
#include "request.h"
#include "segcopy.h"
#include "viewcache.h"

struct argmem {
	struct view_cache *views; /* NULL: views built per request */
	atomic_uint_fast64_t inflight_bytes;
	uint64_t max_inflight_bytes;
	struct bounce_pool bounces; /* large bounce buffers, reused */
	struct segcopy copier;	    /* bounce copies, split when large */
};

enum hb_kind {
	HB_NONE,
	HB_INLINE_RD,
	HB_INLINE_WR,
	HB_DIRECT,
	HB_VIEW,
	HB_BOUNCE
};

struct hbuf {
	enum hb_kind kind;
	uint8_t *p;
	size_t len;
	struct view_ent *view; /* HB_VIEW: reference on a cached view */
	uint64_t charged;
	size_t cap; /* HB_BOUNCE: the buffer's capacity */
};

int argmem_init(struct argmem *m, uint64_t max_inflight_bytes,
		uint32_t max_view_maps);
/* Views must no longer be in use. */
void argmem_destroy(struct argmem *m);
/* Drop cached views and kept bounce buffers (no request runs) and report
 * the views' statistics. */
void argmem_flush(struct argmem *m, struct view_cache_stats *st);

/* The host buffer of argument idx; a VIRTIO_ACCEL_* status (*err set on
 * failure; hb must still be released). */
uint32_t hbuf_get(struct argmem *m, const struct request *req, uint32_t idx,
		  struct hbuf *hb, const char **err);
/* Deliver n produced bytes of write argument idx to the guest (W). */
void hbuf_deliver(struct argmem *m, const struct request *req,
		  const struct iovec *out, unsigned int nr_out, uint32_t idx,
		  struct hbuf *hb, size_t n);
void hbuf_release(struct argmem *m, struct hbuf *hb);

#endif
