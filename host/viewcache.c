// SPDX-License-Identifier: Apache-2.0
/* Cache of mapped views of guest memory: see viewcache.h. */
#include "viewcache.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct view_ent {
	uint8_t *win;
	size_t total;
	const void *key;
	struct view_run *runs;
	uint32_t nr;
	unsigned int refs;
	uint64_t tick;
	bool cached; /* in the table (else freed by the last put) */
};

struct view_cache {
	pthread_mutex_t lock;
	unsigned int max_entries;
	size_t max_bytes;
	void (*key_get)(const void *key);
	void (*key_put)(const void *key);
	struct view_ent **ents;
	unsigned int nr;
	size_t bytes;
	uint64_t tick;
	uint64_t hits, misses, evictions;
	/* mappings (VMAs) of every live view, cached or in use, and their
	 * budget (0: none) */
	size_t maps, max_maps;
	uint64_t refused, deferred;
	/* fingerprints of runs offered to view_cache_get_repeat and not
	 * built yet, oldest overwritten first */
	uint64_t seen[VIEW_SEEN_SLOTS];
	unsigned int seen_next;
};

/* A view of nr runs is nr mappings plus its reserved window. */
static size_t view_maps(uint32_t nr)
{
	return (size_t)nr + 1;
}

struct view_cache *view_cache_new(unsigned int max_entries, size_t max_bytes,
				  void (*key_get)(const void *key),
				  void (*key_put)(const void *key))
{
	struct view_cache *vc = calloc(1, sizeof(*vc));
	if (!vc)
		return NULL;
	vc->ents = calloc(max_entries ? max_entries : 1, sizeof(*vc->ents));
	if (!vc->ents) {
		free(vc);
		return NULL;
	}
	pthread_mutex_init(&vc->lock, NULL);
	vc->max_entries = max_entries;
	vc->max_bytes = max_bytes;
	vc->key_get = key_get;
	vc->key_put = key_put;
	return vc;
}

/* Unmap and free an entry that is out of the table and unused; its
 * mappings were already taken off vc->maps (ent_remove, put). */
static void ent_destroy(struct view_cache *vc, struct view_ent *e)
{
	munmap(e->win, e->total);
	if (e->cached && vc->key_put)
		vc->key_put(e->key);
	free(e->runs);
	free(e);
}

/* Take entry i out of the table (lock held); the caller destroys it. */
static struct view_ent *ent_remove(struct view_cache *vc, unsigned int i)
{
	struct view_ent *e = vc->ents[i];
	vc->ents[i] = vc->ents[--vc->nr];
	vc->bytes -= e->total;
	vc->maps -= view_maps(e->nr);
	return e;
}

static bool same_runs(const struct view_ent *e, const void *key,
		      const struct view_run *runs, uint32_t nr, size_t total)
{
	if (e->key != key || e->nr != nr || e->total != total)
		return false;
	for (uint32_t i = 0; i < nr; i++)
		if (e->runs[i].fd != runs[i].fd ||
		    e->runs[i].off != runs[i].off ||
		    e->runs[i].len != runs[i].len)
			return false;
	return true;
}

static uint8_t *map_view(const struct view_run *runs, uint32_t nr, size_t total)
{
	uint8_t *win = mmap(NULL, total, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (win == MAP_FAILED)
		return NULL;
	size_t cur = 0;
	for (uint32_t i = 0; i < nr; i++) {
		if (runs[i].len > total - cur ||
		    mmap(win + cur, (size_t)runs[i].len, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, runs[i].fd,
			 (off_t)runs[i].off) == MAP_FAILED) {
			munmap(win, total);
			return NULL;
		}
		cur += (size_t)runs[i].len;
	}
	return win;
}

/* The cached view of these runs, referenced (lock held); NULL if none. */
static struct view_ent *find_locked(struct view_cache *vc, const void *key,
				    const struct view_run *runs, uint32_t nr,
				    size_t total)
{
	for (unsigned int i = 0; i < vc->nr; i++) {
		struct view_ent *e = vc->ents[i];
		if (same_runs(e, key, runs, nr, total)) {
			e->refs++;
			e->tick = vc->tick;
			vc->hits++;
			return e;
		}
	}
	return NULL;
}

/* Index of the least recently used unused entry, -1 if none. */
static int lru_unused_locked(const struct view_cache *vc)
{
	int victim = -1;
	for (unsigned int i = 0; i < vc->nr; i++)
		if (!vc->ents[i]->refs &&
		    (victim < 0 || vc->ents[i]->tick < vc->ents[victim]->tick))
			victim = (int)i;
	return victim;
}

/*
 * Within the mapping budget, evicting unused views (LRU, at most nmax of
 * them, into victims[*nv]): true if the view of nr runs may be built (its
 * mappings are then reserved). Nothing is evicted when even every unused
 * view would not make room. Lock held.
 */
static bool reserve_maps_locked(struct view_cache *vc, uint32_t nr,
				struct view_ent **victims, unsigned int *nv,
				unsigned int nmax)
{
	size_t need = view_maps(nr), freeable = 0;
	if (vc->max_maps) {
		for (unsigned int i = 0; i < vc->nr; i++)
			if (!vc->ents[i]->refs)
				freeable += view_maps(vc->ents[i]->nr);
		if (need > vc->max_maps ||
		    vc->maps > vc->max_maps - need + freeable) {
			vc->refused++;
			return false;
		}
	}
	while (vc->max_maps && vc->maps + need > vc->max_maps) {
		int victim = lru_unused_locked(vc);
		if (victim < 0 || *nv == nmax) {
			vc->refused++;
			return false;
		}
		victims[(*nv)++] = ent_remove(vc, (unsigned int)victim);
		vc->evictions++;
	}
	vc->maps += need; /* released by ent_remove or the last put */
	return true;
}

/* Make room for an entry of total bytes (lock held): unused entries of
 * other keys (older memory tables) go first, then the least recently used
 * while the cache is full. */
static void make_room_locked(struct view_cache *vc, const void *key,
			     size_t total, struct view_ent **victims,
			     unsigned int *nv, unsigned int nmax)
{
	while (*nv < nmax) {
		bool full = vc->nr >= vc->max_entries ||
			    vc->bytes + total > vc->max_bytes;
		int victim = -1;
		for (unsigned int i = 0; i < vc->nr && victim < 0; i++)
			if (!vc->ents[i]->refs && vc->ents[i]->key != key)
				victim = (int)i;
		if (victim < 0 && full)
			victim = lru_unused_locked(vc);
		if (victim < 0)
			return;
		victims[(*nv)++] = ent_remove(vc, (unsigned int)victim);
		vc->evictions++;
	}
}

#define MAX_VICTIMS 8

/* Build a view and cache it if it fits; called with the lock held, which
 * it releases. stale: an entry already taken out of the table, or NULL. */
static uint8_t *build_unlock(struct view_cache *vc, const void *key,
			     const struct view_run *runs, uint32_t nr,
			     size_t total, struct view_ent **handle,
			     struct view_ent *stale)
{
	struct view_ent *e, *victims[MAX_VICTIMS + 1];
	unsigned int nv = 0;

	if (stale)
		victims[nv++] = stale;
	vc->misses++;
	bool ok = reserve_maps_locked(vc, nr, victims, &nv, MAX_VICTIMS);
	pthread_mutex_unlock(&vc->lock);
	for (unsigned int i = 0; i < nv; i++)
		ent_destroy(vc, victims[i]);
	nv = 0;
	if (!ok)
		return NULL;

	e = calloc(1, sizeof(*e));
	if (e)
		e->runs = malloc(sizeof(*runs) * (nr ? nr : 1));
	if (e && e->runs)
		e->win = map_view(runs, nr, total);
	if (!e || !e->win) {
		if (e)
			free(e->runs);
		free(e);
		pthread_mutex_lock(&vc->lock);
		vc->maps -= view_maps(nr);
		pthread_mutex_unlock(&vc->lock);
		return NULL;
	}
	memcpy(e->runs, runs, sizeof(*runs) * nr);
	e->nr = nr;
	e->total = total;
	e->key = key;
	e->refs = 1;

	pthread_mutex_lock(&vc->lock);
	make_room_locked(vc, key, total, victims, &nv, MAX_VICTIMS);
	if (vc->nr < vc->max_entries && vc->bytes + total <= vc->max_bytes) {
		e->cached = true;
		e->tick = ++vc->tick;
		vc->ents[vc->nr++] = e;
		vc->bytes += total;
		if (vc->key_get)
			vc->key_get(key);
	}
	pthread_mutex_unlock(&vc->lock);
	for (unsigned int i = 0; i < nv; i++)
		ent_destroy(vc, victims[i]);
	*handle = e;
	return e->win;
}

uint8_t *view_cache_get(struct view_cache *vc, const void *key,
			const struct view_run *runs, uint32_t nr, size_t total,
			struct view_ent **handle, int *hit)
{
	if (hit)
		*hit = 0;
	pthread_mutex_lock(&vc->lock);
	vc->tick++;
	struct view_ent *e = find_locked(vc, key, runs, nr, total);
	if (!e)
		return build_unlock(vc, key, runs, nr, total, handle, NULL);
	pthread_mutex_unlock(&vc->lock);
	*handle = e;
	if (hit)
		*hit = 1;
	return e->win;
}

/* A hash of the key and the runs, a word at a time; never 0 (an empty
 * slot of the seen ring). */
static uint64_t runs_fingerprint(const void *key, const struct view_run *runs,
				 uint32_t nr)
{
	uint64_t h = (uint64_t)(uintptr_t)key * 0x9e3779b97f4a7c15ull;
	for (uint32_t r = 0; r < nr; r++) {
		uint64_t w[3] = {(uint64_t)(uint32_t)runs[r].fd, runs[r].off,
				 runs[r].len};
		for (unsigned int i = 0; i < 3; i++) {
			h = (h ^ w[i]) * 0x100000001b3ull;
			h ^= h >> 29;
		}
	}
	return h ? h : 1;
}

static void remember_locked(struct view_cache *vc, uint64_t fp)
{
	vc->seen[vc->seen_next] = fp;
	vc->seen_next = (vc->seen_next + 1) % VIEW_SEEN_SLOTS;
}

/* Was fp offered before (then forget it)? Lock held. */
static bool seen_before_locked(struct view_cache *vc, uint64_t fp)
{
	for (unsigned int i = 0; i < VIEW_SEEN_SLOTS; i++)
		if (vc->seen[i] == fp) {
			vc->seen[i] = 0;
			return true;
		}
	return false;
}

/* Room for an entry of nr runs and total bytes without evicting? */
static bool room_locked(const struct view_cache *vc, uint32_t nr, size_t total)
{
	return vc->nr < vc->max_entries && vc->bytes + total <= vc->max_bytes &&
	       (!vc->max_maps || vc->maps + view_maps(nr) <= vc->max_maps);
}

/* Take out the least recently used unused entry if nothing has used it
 * for VIEW_STALE_TICKS lookups; NULL if there is none. Lock held. */
static struct view_ent *take_stale_locked(struct view_cache *vc)
{
	int victim = lru_unused_locked(vc);
	if (victim < 0 || vc->ents[victim]->tick + VIEW_STALE_TICKS >= vc->tick)
		return NULL;
	vc->evictions++;
	return ent_remove(vc, (unsigned int)victim);
}

uint8_t *view_cache_get_repeat(struct view_cache *vc, const void *key,
			       const struct view_run *runs, uint32_t nr,
			       size_t total, struct view_ent **handle)
{
	pthread_mutex_lock(&vc->lock);
	vc->tick++;
	struct view_ent *e = find_locked(vc, key, runs, nr, total);
	if (e) {
		pthread_mutex_unlock(&vc->lock);
		*handle = e;
		return e->win;
	}
	uint64_t fp = runs_fingerprint(key, runs, nr);
	struct view_ent *stale = NULL;
	if (seen_before_locked(vc, fp)) {
		if (!room_locked(vc, nr, total))
			stale = take_stale_locked(vc);
		if (room_locked(vc, nr, total))
			return build_unlock(vc, key, runs, nr, total, handle,
					    stale);
	}
	/* first offer, or no room yet: copied this time, still eligible */
	remember_locked(vc, fp);
	vc->deferred++;
	pthread_mutex_unlock(&vc->lock);
	if (stale)
		ent_destroy(vc, stale);
	return NULL;
}

void view_cache_put(struct view_cache *vc, struct view_ent *e)
{
	bool destroy;

	if (!e)
		return;
	pthread_mutex_lock(&vc->lock);
	destroy = --e->refs == 0 && !e->cached;
	if (destroy)
		vc->maps -= view_maps(e->nr);
	pthread_mutex_unlock(&vc->lock);
	if (destroy)
		ent_destroy(vc, e);
}

void view_cache_flush(struct view_cache *vc)
{
	for (;;) {
		struct view_ent *e = NULL;
		pthread_mutex_lock(&vc->lock);
		for (unsigned int i = 0; i < vc->nr; i++)
			if (!vc->ents[i]->refs) {
				e = ent_remove(vc, i);
				break;
			}
		pthread_mutex_unlock(&vc->lock);
		if (!e)
			return;
		ent_destroy(vc, e);
	}
}

void view_cache_free(struct view_cache *vc)
{
	if (!vc)
		return;
	view_cache_flush(vc);
	/* entries still in use would be a caller bug: leave them mapped */
	free(vc->ents);
	pthread_mutex_destroy(&vc->lock);
	free(vc);
}

void view_cache_stats(struct view_cache *vc, struct view_cache_stats *st)
{
	pthread_mutex_lock(&vc->lock);
	st->hits = vc->hits;
	st->misses = vc->misses;
	st->evictions = vc->evictions;
	st->entries = vc->nr;
	st->bytes = vc->bytes;
	st->maps = vc->maps;
	st->refused = vc->refused;
	st->deferred = vc->deferred;
	pthread_mutex_unlock(&vc->lock);
}

void view_cache_set_map_budget(struct view_cache *vc, size_t max_maps)
{
	pthread_mutex_lock(&vc->lock);
	vc->max_maps = max_maps;
	pthread_mutex_unlock(&vc->lock);
}
