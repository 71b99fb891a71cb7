// SPDX-License-Identifier: Apache-2.0
#include "segcopy.h"

#include <string.h>

#include "log.h"

/* copy_part() needs little: a small stack keeps the helper cheap under an
 * address-space limit (--max-address-space) */
#define HELPER_STACK ((size_t)256 << 10)

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

static bool start_helper(struct segcopy *c)
{
	pthread_attr_t attr;
	int err = pthread_attr_init(&attr);
	if (!err) {
		(void)pthread_attr_setstacksize(&attr, HELPER_STACK);
		err = pthread_create(&c->thread, &attr, helper_main, c);
		pthread_attr_destroy(&attr);
	}
	if (err) {
		LOG_ERR("cannot start the copy helper (%s): large copies run "
			"on one thread",
			strerror(err));
		return false;
	}
	return true;
}

/* Hand `part` to the helper (started on first use); false: it is busy,
 * stopping or cannot be started. Called with c->lock held. */
static bool post_locked(struct segcopy *c, const struct segcopy_part *part)
{
	if (c->state != SEGCOPY_IDLE || c->stopping || c->failed)
		return false;
	if (!c->started) {
		c->failed = !start_helper(c);
		if (c->failed)
			return false;
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
	/* the boundary after the segment across the middle, if nearer */
	if (k < whole->n && off + whole->segs[k].len - half < half - off)
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
		    uint8_t *buf, size_t len)
{
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
