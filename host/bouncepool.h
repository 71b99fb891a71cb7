// SPDX-License-Identifier: Apache-2.0
/*
 * Bounce buffers of one front-end, kept for reuse. A large argument whose
 * guest pages are too scattered for a mapped view is copied into a host
 * buffer; a fresh one costs a page fault and a zeroed page per 4 KiB,
 * several times the copy itself. Buffers of BOUNCE_POOL_MIN bytes or more
 * are therefore anonymous mappings (transparent huge pages asked for)
 * that go back to the pool after the request: at most BOUNCE_POOL_SLOTS
 * of them and BOUNCE_POOL_KEEP bytes in all are kept, and a device reset
 * drops them. Smaller ones are plain malloc/free.
 */
#ifndef VHOST_ACCEL_BOUNCEPOOL_H
#define VHOST_ACCEL_BOUNCEPOOL_H

#include <pthread.h>
#include <stddef.h>

#define BOUNCE_POOL_MIN	  ((size_t)2 << 20)
#define BOUNCE_POOL_SLOTS 2
#define BOUNCE_POOL_KEEP  ((size_t)256 << 20)

struct bounce_pool {
	pthread_mutex_t lock;
	void *p[BOUNCE_POOL_SLOTS];
	size_t cap[BOUNCE_POOL_SLOTS];
};

void bounce_pool_init(struct bounce_pool *bp);
/* A buffer of at least len bytes (its capacity in *cap), or NULL. */
void *bounce_pool_get(struct bounce_pool *bp, size_t len, size_t *cap);
/* Give back what bounce_pool_get() returned. */
void bounce_pool_put(struct bounce_pool *bp, void *p, size_t cap);
/* Free what is kept. */
void bounce_pool_drain(struct bounce_pool *bp);

#endif
