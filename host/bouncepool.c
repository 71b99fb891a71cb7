// SPDX-License-Identifier: Apache-2.0
#include "bouncepool.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

void bounce_pool_init(struct bounce_pool *bp)
{
	pthread_mutex_init(&bp->lock, NULL);
	for (int i = 0; i < BOUNCE_POOL_SLOTS; i++) {
		bp->p[i] = NULL;
		bp->cap[i] = 0;
	}
}

static void *map_new(size_t len, size_t *cap)
{
	size_t c = (len + BOUNCE_POOL_MIN - 1) / BOUNCE_POOL_MIN *
		   BOUNCE_POOL_MIN;
	if (c < len)
		return NULL;
	void *p = mmap(NULL, c, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	(void)madvise(p, c, MADV_HUGEPAGE); /* a hint: THP may be off */
	*cap = c;
	return p;
}

void *bounce_pool_get(struct bounce_pool *bp, size_t len, size_t *cap)
{
	if (len < BOUNCE_POOL_MIN) {
		*cap = len;
		return malloc(len ? len : 1);
	}
	void *p = NULL;
	int best = -1;
	pthread_mutex_lock(&bp->lock);
	for (int i = 0; i < BOUNCE_POOL_SLOTS; i++)
		if (bp->p[i] && bp->cap[i] >= len &&
		    (best < 0 || bp->cap[i] < bp->cap[best]))
			best = i;
	if (best >= 0) {
		p = bp->p[best];
		*cap = bp->cap[best];
		bp->p[best] = NULL;
		bp->cap[best] = 0;
	}
	pthread_mutex_unlock(&bp->lock);
	return p ? p : map_new(len, cap);
}

static size_t kept(const struct bounce_pool *bp)
{
	size_t n = 0;
	for (int i = 0; i < BOUNCE_POOL_SLOTS; i++)
		n += bp->cap[i];
	return n;
}

void bounce_pool_put(struct bounce_pool *bp, void *p, size_t cap)
{
	if (!p)
		return;
	if (cap < BOUNCE_POOL_MIN) {
		free(p);
		return;
	}
	bool stored = false;
	pthread_mutex_lock(&bp->lock);
	if (cap <= BOUNCE_POOL_KEEP - kept(bp)) {
		for (int i = 0; i < BOUNCE_POOL_SLOTS && !stored; i++)
			if (!bp->p[i]) {
				bp->p[i] = p;
				bp->cap[i] = cap;
				stored = true;
			}
	}
	pthread_mutex_unlock(&bp->lock);
	if (!stored)
		munmap(p, cap);
}

void bounce_pool_drain(struct bounce_pool *bp)
{
	pthread_mutex_lock(&bp->lock);
	for (int i = 0; i < BOUNCE_POOL_SLOTS; i++) {
		if (bp->p[i])
			munmap(bp->p[i], bp->cap[i]);
		bp->p[i] = NULL;
		bp->cap[i] = 0;
	}
	pthread_mutex_unlock(&bp->lock);
}
