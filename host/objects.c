// SPDX-License-Identifier: Apache-2.0
#include "objects.h"

#include <stddef.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

#include <linux/virtio_accel.h>
#include <vaccel.h>

#include "log.h"

/* lookup() takes a reference through the first member of either type */
_Static_assert(offsetof(struct fe_sess, refs) == 0, "refs first");
_Static_assert(offsetof(struct fe_res, refs) == 0, "refs first");

/* A slot reserved by a create that has not finished. */
static char reserved_mark;
#define RESERVED ((void *)&reserved_mark)

/* A non-zero 31-bit generation. */
static uint32_t new_generation(void)
{
	for (;;) {
		uint32_t g = 0;
		if (getrandom(&g, sizeof(g), 0) != (ssize_t)sizeof(g)) {
			/* no entropy source: a mix of time and address */
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			g = (uint32_t)ts.tv_nsec ^
			    (uint32_t)ts.tv_sec * 2654435761u ^
			    (uint32_t)(uintptr_t)&ts;
		}
		g &= 0x7fffffffu;
		if (g)
			return g;
	}
}

int objects_init(struct objects *o, uint32_t max_sessions,
		 uint32_t max_resources, uint64_t max_resource_bytes)
{
	*o = (struct objects){
		.gen = new_generation(),
		.sess = {.max = max_sessions},
		.res = {.max = max_resources},
		.max_res_bytes = max_resource_bytes,
	};
	o->sess.slot = calloc(max_sessions, sizeof(void *));
	o->res.slot = calloc(max_resources, sizeof(void *));
	if (!o->sess.slot || !o->res.slot) {
		free(o->sess.slot);
		free(o->res.slot);
		return -1;
	}
	pthread_mutex_init(&o->lock, NULL);
	return 0;
}

void objects_destroy(struct objects *o)
{
	free(o->sess.slot);
	free(o->res.slot);
	pthread_mutex_destroy(&o->lock);
}

uint64_t objects_id(const struct objects *o, uint32_t slot)
{
	return (uint64_t)o->gen << 32 | ((uint64_t)slot + 1);
}

/* The slot an id names, or false (wrong generation, out of range). */
static bool id_slot(const struct objects *o, const struct obj_slots *s,
		    uint64_t id, uint32_t *slot)
{
	uint32_t lo = (uint32_t)id;
	if ((uint32_t)(id >> 32) != o->gen || lo < 1 || lo > s->max)
		return false;
	*slot = lo - 1;
	return true;
}

uint32_t objects_reserve(struct objects *o, struct obj_slots *s,
			 uint32_t *slot)
{
	uint32_t rc = VIRTIO_ACCEL_LIMIT;
	pthread_mutex_lock(&o->lock);
	for (uint32_t i = 0; i < s->max; i++)
		if (!s->slot[i]) {
			s->slot[i] = RESERVED;
			*slot = i;
			rc = VIRTIO_ACCEL_OK;
			break;
		}
	pthread_mutex_unlock(&o->lock);
	return rc;
}

void objects_publish(struct objects *o, struct obj_slots *s, uint32_t slot,
		     void *obj)
{
	pthread_mutex_lock(&o->lock);
	s->slot[slot] = obj;
	s->nr++;
	pthread_mutex_unlock(&o->lock);
}

void objects_unreserve(struct objects *o, struct obj_slots *s, uint32_t slot)
{
	pthread_mutex_lock(&o->lock);
	s->slot[slot] = NULL;
	pthread_mutex_unlock(&o->lock);
}

bool objects_charge_bytes(struct objects *o, uint64_t n)
{
	pthread_mutex_lock(&o->lock);
	bool ok = n <= o->max_res_bytes - o->res_bytes;
	if (ok)
		o->res_bytes += n;
	pthread_mutex_unlock(&o->lock);
	return ok;
}

void objects_uncharge_bytes(struct objects *o, uint64_t n)
{
	pthread_mutex_lock(&o->lock);
	o->res_bytes -= n;
	pthread_mutex_unlock(&o->lock);
}

/* The published object of an id, with a reference (refs at offset 0 of
 * both object types), optionally unpublished. */
static void *lookup(struct objects *o, struct obj_slots *s, uint64_t id,
		    bool take)
{
	uint32_t k;
	void *obj = NULL;
	if (!id_slot(o, s, id, &k))
		return NULL;
	pthread_mutex_lock(&o->lock);
	if (s->slot[k] && s->slot[k] != RESERVED) {
		obj = s->slot[k];
		if (take) {
			s->slot[k] = NULL;
			s->nr--;
		} else {
			atomic_fetch_add((atomic_uint *)obj, 1);
		}
	}
	pthread_mutex_unlock(&o->lock);
	return obj;
}

struct fe_sess *sess_get(struct objects *o, uint64_t id)
{
	return lookup(o, &o->sess, id, false);
}

struct fe_res *res_get(struct objects *o, uint64_t id)
{
	return lookup(o, &o->res, id, false);
}

struct fe_sess *sess_take(struct objects *o, uint64_t id)
{
	return lookup(o, &o->sess, id, true);
}

struct fe_res *res_take(struct objects *o, uint64_t id)
{
	return lookup(o, &o->res, id, true);
}

void sess_put(struct fe_sess *fs)
{
	if (!fs || atomic_fetch_sub(&fs->refs, 1) != 1)
		return;
	if (fs->s) {
		int rc = vaccel_session_delete(fs->s);
		if (rc)
			LOG_ERR("releasing a session failed: %d", rc);
	}
	free(fs->timers);
	pthread_mutex_destroy(&fs->tlock);
	free(fs);
}

void res_put(struct objects *o, struct fe_res *fr)
{
	if (!fr || atomic_fetch_sub(&fr->refs, 1) != 1)
		return;
	if (fr->r) {
		int rc = vaccel_resource_delete(fr->r);
		if (rc)
			LOG_ERR("releasing a resource failed: %d", rc);
	}
	if (fr->bytes)
		objects_uncharge_bytes(o, fr->bytes);
	free(fr);
}

/* Unpublish slot k (lock held by the caller): the object or NULL. */
static void *take_slot(struct obj_slots *s, uint32_t k)
{
	void *obj = s->slot[k];
	if (!obj || obj == RESERVED)
		return NULL;
	s->slot[k] = NULL;
	s->nr--;
	return obj;
}

void objects_release_all(struct objects *o, uint32_t *nr_sessions,
			 uint32_t *nr_resources)
{
	*nr_sessions = *nr_resources = 0;
	for (uint32_t i = 0; i < o->sess.max; i++) {
		pthread_mutex_lock(&o->lock);
		struct fe_sess *fs = take_slot(&o->sess, i);
		pthread_mutex_unlock(&o->lock);
		if (fs) {
			(*nr_sessions)++;
			sess_put(fs);
		}
	}
	for (uint32_t i = 0; i < o->res.max; i++) {
		pthread_mutex_lock(&o->lock);
		struct fe_res *fr = take_slot(&o->res, i);
		pthread_mutex_unlock(&o->lock);
		if (fr) {
			(*nr_resources)++;
			res_put(o, fr);
		}
	}
}
