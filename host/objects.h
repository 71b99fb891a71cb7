// SPDX-License-Identifier: Apache-2.0
/*
 * A front-end's sessions and resources, and the ids the guest names them
 * by (docs/protocol.md §7.1).
 *
 * Ids: the high 32 bits are the front-end's generation, random per
 * connection (1 ... 2^31 - 1, so ids stay positive as int64); the low 32
 * bits are the table slot + 1. An id of another connection or of an
 * earlier daemon instance thus names nothing here, even when its slot is
 * in use.
 *
 * An object becomes reachable by its id only once it is fully built: a
 * create first reserves a slot (a placeholder that lookups and destroys
 * do not see), builds the object outside the lock, then publishes it or
 * gives the slot back. Lookups return a reference (refs), so a destroy
 * racing a request frees the object only after the request's put.
 */
#ifndef VHOST_ACCEL_OBJECTS_H
#define VHOST_ACCEL_OBJECTS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct vaccel_session;
struct vaccel_resource;
struct timer_ring;

struct fe_sess {
	atomic_uint refs;
	struct vaccel_session *s;
	pthread_mutex_t tlock;	   /* timers */
	struct timer_ring *timers; /* NR_TIMERS, lazily allocated */
};

struct fe_res {
	atomic_uint refs;
	struct vaccel_resource *r;
	uint64_t bytes; /* charged to the resource byte budget */
};

/* One id space: slots holding objects, placeholders or nothing. */
struct obj_slots {
	void **slot;
	uint32_t max;
	uint32_t nr; /* published objects */
};

struct objects {
	pthread_mutex_t lock;
	uint32_t gen;
	struct obj_slots sess, res;
	uint64_t res_bytes, max_res_bytes;
};

int objects_init(struct objects *o, uint32_t max_sessions,
		 uint32_t max_resources, uint64_t max_resource_bytes);
void objects_destroy(struct objects *o);

uint64_t objects_id(const struct objects *o, uint32_t slot);

/* Reserve a slot: VIRTIO_ACCEL_OK or VIRTIO_ACCEL_LIMIT. */
uint32_t objects_reserve(struct objects *o, struct obj_slots *s,
			 uint32_t *slot);
/* Make a reserved slot's object reachable, or give the slot back. */
void objects_publish(struct objects *o, struct obj_slots *s, uint32_t slot,
		     void *obj);
void objects_unreserve(struct objects *o, struct obj_slots *s, uint32_t slot);

/* Charge / uncharge resource contents (false: over the budget). */
bool objects_charge_bytes(struct objects *o, uint64_t n);
void objects_uncharge_bytes(struct objects *o, uint64_t n);

/* Lookups with a reference; NULL for unknown ids and placeholders. */
struct fe_sess *sess_get(struct objects *o, uint64_t id);
struct fe_res *res_get(struct objects *o, uint64_t id);
/* Unpublish (the guest's destroy); the caller puts the reference. */
struct fe_sess *sess_take(struct objects *o, uint64_t id);
struct fe_res *res_take(struct objects *o, uint64_t id);
void sess_put(struct fe_sess *fs);
void res_put(struct objects *o, struct fe_res *fr);

/* Destroy everything still published (disconnect); counts what it did. */
void objects_release_all(struct objects *o, uint32_t *nr_sessions,
			 uint32_t *nr_resources);

#endif
