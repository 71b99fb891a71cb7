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

static void ent_destroy(struct view_cache *vc, struct view_ent *e)
{
	munmap(e->win, e->total);
	pthread_mutex_lock(&vc->lock);
	vc->maps -= view_maps(e->nr);
	pthread_mutex_unlock(&vc->lock);
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
	return e;
}

static bool same_runs(const struct view_ent *e, const void *key,
		      const struct view_run *runs, uint32_t nr, size_t total)
{
	return e->key == key && e->nr == nr && e->total == total &&
	       !memcmp(e->runs, runs, sizeof(*runs) * nr);
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
			e->tick = ++vc->tick;
			vc->hits++;
			return e;
		}
	}
	return NULL;
}

/* Build a view and cache it if it fits; called with the lock held, which
 * it releases. */
static uint8_t *build_unlock(struct view_cache *vc, const void *key,
			     const struct view_run *runs, uint32_t nr,
			     size_t total, struct view_ent **handle)
{
	struct view_ent *e, *victims[8];
	unsigned int nv = 0;

	vc->misses++;
	/* within the mapping budget: unused views go first (LRU) */
	while (vc->max_maps && vc->maps + view_maps(nr) > vc->max_maps) {
		int victim = -1;
		for (unsigned int i = 0; i < vc->nr; i++)
			if (!vc->ents[i]->refs &&
			    (victim < 0 ||
			     vc->ents[i]->tick < vc->ents[victim]->tick))
				victim = (int)i;
		if (victim < 0 || nv == sizeof(victims) / sizeof(victims[0]))
			break;
		victims[nv++] = ent_remove(vc, (unsigned int)victim);
		vc->evictions++;
	}
	size_t after = vc->maps + view_maps(nr);
	for (unsigned int i = 0; i < nv; i++)
		after -= view_maps(victims[i]->nr);
	bool refuse = vc->max_maps && after > vc->max_maps;
	if (refuse)
		vc->refused++;
	else
		vc->maps += view_maps(nr); /* reserved; released by destroy */
	pthread_mutex_unlock(&vc->lock);
	for (unsigned int i = 0; i < nv; i++)
		ent_destroy(vc, victims[i]);
	nv = 0;
	if (refuse)
		return NULL;

	e = calloc(1, sizeof(*e));
	e->runs = e ? malloc(sizeof(*runs) * (nr ? nr : 1)) : NULL;
	e->win = e && e->runs ? map_view(runs, nr, total) : NULL;
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
	/* make room: unused entries of other tables first, then LRU */
	for (;;) {
		bool full = vc->nr >= vc->max_entries ||
			    vc->bytes + total > vc->max_bytes;
		int victim = -1;
		for (unsigned int i = 0; i < vc->nr; i++) {
			struct view_ent *o = vc->ents[i];
			if (o->refs)
				continue;
			if (o->key != key) {
				victim = (int)i;
				break;
			}
			if (full &&
			    (victim < 0 || o->tick < vc->ents[victim]->tick))
				victim = (int)i;
		}
		if (victim < 0 || nv == sizeof(victims) / sizeof(victims[0]))
			break;
		victims[nv++] = ent_remove(vc, (unsigned int)victim);
		vc->evictions++;
	}
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
	struct view_ent *e = find_locked(vc, key, runs, nr, total);
	if (!e)
		return build_unlock(vc, key, runs, nr, total, handle);
	pthread_mutex_unlock(&vc->lock);
	*handle = e;
	if (hit)
		*hit = 1;
	return e->win;
}

/* FNV-1a of the key and the runs; 0 is kept for "empty slot". */
static uint64_t runs_fingerprint(const void *key, const struct view_run *runs,
				 uint32_t nr)
{
	uint64_t h = 0xcbf29ce484222325ull;
	uintptr_t k = (uintptr_t)key;
	const unsigned char *p = (const unsigned char *)&k;
	for (size_t i = 0; i < sizeof(k); i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	for (uint32_t r = 0; r < nr; r++) {
		uint64_t v[3] = {(uint64_t)runs[r].fd, runs[r].off,
				 runs[r].len};
		p = (const unsigned char *)v;
		for (size_t i = 0; i < sizeof(v); i++)
			h = (h ^ p[i]) * 0x100000001b3ull;
	}
	return h ? h : 1;
}

/* Was fp offered before (then forget it)? Else remember it. Lock held. */
static bool seen_before_locked(struct view_cache *vc, uint64_t fp)
{
	for (unsigned int i = 0; i < VIEW_SEEN_SLOTS; i++)
		if (vc->seen[i] == fp) {
			vc->seen[i] = 0;
			return true;
		}
	vc->seen[vc->seen_next] = fp;
	vc->seen_next = (vc->seen_next + 1) % VIEW_SEEN_SLOTS;
	return false;
}

uint8_t *view_cache_get_repeat(struct view_cache *vc, const void *key,
			       const struct view_run *runs, uint32_t nr,
			       size_t total, struct view_ent **handle)
{
	uint64_t fp = runs_fingerprint(key, runs, nr);
	pthread_mutex_lock(&vc->lock);
	struct view_ent *e = find_locked(vc, key, runs, nr, total);
	if (e) {
		pthread_mutex_unlock(&vc->lock);
		*handle = e;
		return e->win;
	}
	if (seen_before_locked(vc, fp))
		return build_unlock(vc, key, runs, nr, total, handle);
	vc->deferred++;
	pthread_mutex_unlock(&vc->lock);
	return NULL;
}

void view_cache_put(struct view_cache *vc, struct view_ent *e)
{
	bool destroy;

	if (!e)
		return;
	pthread_mutex_lock(&vc->lock);
	destroy = --e->refs == 0 && !e->cached;
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
