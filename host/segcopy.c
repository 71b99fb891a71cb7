// SPDX-License-Identifier: Apache-2.0
#include "segcopy.h"

#include <string.h>

static void copy_part(const struct segcopy_part *p)
{
	size_t off = 0;
	for (uint32_t i = 0; i < p->n && off < p->len; i++) {
		size_t c = p->segs[i].len < p->len - off ? p->segs[i].len
							 : p->len - off;
		if (p->to_guest)
			memcpy(p->segs[i].hva, p->buf + off, c);
		else
			memcpy(p->buf + off, p->segs[i].hva, c);
		off += c;
	}
}

static void *helper_main(void *arg)
{
	struct segcopy *c = arg;
	pthread_mutex_lock(&c->lock);
	for (;;) {
		while (c->state != SEGCOPY_POSTED && !c->stopping)
			pthread_cond_wait(&c->cond, &c->lock);
		if (c->state != SEGCOPY_POSTED)
			break;
		struct segcopy_part p = c->part;
		pthread_mutex_unlock(&c->lock);
		copy_part(&p);
		pthread_mutex_lock(&c->lock);
		c->state = SEGCOPY_DONE;
		pthread_cond_broadcast(&c->cond);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

void segcopy_init(struct segcopy *c)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
}

void segcopy_stop(struct segcopy *c)
{
	pthread_mutex_lock(&c->lock);
	c->stopping = true;
	pthread_cond_broadcast(&c->cond);
	bool started = c->started;
	c->started = false;
	pthread_mutex_unlock(&c->lock);
	if (started)
		pthread_join(c->thread, NULL);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
}

/* Hand `part` to the helper (started on first use); false: it is busy,
 * stopping or cannot be started. Called with c->lock held. */
static bool post_locked(struct segcopy *c, const struct segcopy_part *part)
{
	if (c->state != SEGCOPY_IDLE || c->stopping || c->failed)
		return false;
	if (!c->started) {
		if (pthread_create(&c->thread, NULL, helper_main, c)) {
			c->failed = true;
			return false;
		}
		c->started = true;
	}
	c->part = *part;
	c->state = SEGCOPY_POSTED;
	pthread_cond_broadcast(&c->cond);
	return true;
}

/* Split `whole` at the segment boundary nearest half its bytes into
 * *first and *second; false when there is no such boundary. */
static bool split(const struct segcopy_part *whole, struct segcopy_part *first,
		  struct segcopy_part *second)
{
	size_t half = whole->len / 2, off = 0;
	uint32_t k = 0;
	while (k < whole->n && off + whole->segs[k].len <= half)
		off += whole->segs[k++].len;
	if (k == 0 || k >= whole->n || off >= whole->len)
		return false;
	*first = *whole;
	first->n = k;
	first->len = off;
	*second = *whole;
	second->segs = whole->segs + k;
	second->n = whole->n - k;
	second->buf = whole->buf + off;
	second->len = whole->len - off;
	return true;
}

static void run(struct segcopy *c, const struct segcopy_part *whole)
{
	struct segcopy_part first, second;
	if (whole->len < SEGCOPY_SPLIT_MIN || !split(whole, &first, &second)) {
		copy_part(whole);
		return;
	}
	pthread_mutex_lock(&c->lock);
	bool posted = post_locked(c, &second);
	pthread_mutex_unlock(&c->lock);
	if (!posted) {
		copy_part(whole);
		return;
	}
	copy_part(&first);
	pthread_mutex_lock(&c->lock);
	while (c->state != SEGCOPY_DONE)
		pthread_cond_wait(&c->cond, &c->lock);
	c->state = SEGCOPY_IDLE;
	pthread_mutex_unlock(&c->lock);
}

void segcopy_gather(struct segcopy *c, const struct req_seg *s, uint32_t n,
		    uint8_t *buf)
{
	size_t len = 0;
	for (uint32_t i = 0; i < n; i++)
		len += s[i].len;
	struct segcopy_part whole = {
		.segs = s, .n = n, .buf = buf, .len = len, .to_guest = false};
	run(c, &whole);
}

void segcopy_scatter(struct segcopy *c, const struct req_seg *s, uint32_t n,
		     const uint8_t *buf, size_t len)
{
	struct segcopy_part whole = {.segs = s,
				     .n = n,
				     .buf = (uint8_t *)buf,
				     .len = len,
				     .to_guest = true};
	run(c, &whole);
}
