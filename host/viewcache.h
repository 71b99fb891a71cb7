/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cache of mapped views (docs/protocol.md §8, docs/architecture.md).
 *
 * A guest buffer that is contiguous in the guest's virtual memory is often
 * a few runs of guest-physical pages. To hand a plugin one pointer, the
 * daemon maps those runs of the guest-memory files side by side into one
 * address range (a view). Building a view costs an mmap per run and a page
 * fault per page on first touch, which for large buffers dominates the
 * request. Programs pass the same buffers again and again, so views are
 * kept and reused while the runs are identical and the memory table that
 * produced them is the same.
 *
 * A view maps guest memory itself (MAP_SHARED of the guest's memory
 * files), so it always shows current contents; it can only go stale when
 * the memory table changes, which is why every entry holds a reference to
 * its table (the key) and matches only requests translated with that same
 * table. Entries in use are never unmapped; unused ones are evicted, least
 * recently used first, to stay within the entry and address-space caps.
 */
#ifndef VIEWCACHE_H
#define VIEWCACHE_H

#include <stddef.h>
#include <stdint.h>

/* One run of a view: bytes [off, off + len) of fd, page-aligned. */
struct view_run {
	int fd;
	uint64_t off;
	uint64_t len;
};

struct view_cache;
struct view_ent;

/* key_get/key_put: reference the key (a memory table) while cached. */
struct view_cache *view_cache_new(unsigned int max_entries, size_t max_bytes,
				  void (*key_get)(const void *key),
				  void (*key_put)(const void *key));

/* Unmaps every entry; none may be in use. NULL is fine. */
void view_cache_free(struct view_cache *vc);

/*
 * The view of runs[0..nr) (each len a multiple of the page size; total is
 * their sum) under key: a cached one or a new one. Returns its address
 * and a handle for view_cache_put, or NULL when mmap fails. hit, if not
 * NULL, tells whether it came from the cache.
 */
uint8_t *view_cache_get(struct view_cache *vc, const void *key,
			const struct view_run *runs, uint32_t nr, size_t total,
			struct view_ent **handle, int *hit);

/*
 * For runs that pay off as a view only when the buffer comes back (many
 * short runs: building the view costs several copies of it): the cached
 * view if there is one; else a new view (as view_cache_get) if the same
 * runs under the same key were offered here before, among the last
 * VIEW_SEEN_SLOTS offers that got no view, and it fits without evicting a
 * view that was used within the last VIEW_STALE_TICKS lookups (buffers
 * cycled through more views than the cache holds would otherwise rebuild
 * and evict each other on every call); else NULL, and the runs are
 * remembered (the caller copies this time).
 */
#define VIEW_SEEN_SLOTS	 64
#define VIEW_STALE_TICKS 64
uint8_t *view_cache_get_repeat(struct view_cache *vc, const void *key,
			       const struct view_run *runs, uint32_t nr,
			       size_t total, struct view_ent **handle);

/* Done with a view from view_cache_get or view_cache_get_repeat. */
void view_cache_put(struct view_cache *vc, struct view_ent *handle);

/*
 * Bound the mappings (VMAs) that live views hold, cached and in use
 * together: a view of n runs costs n + 1. A view that would exceed it
 * after evicting unused entries is not built (view_cache_get returns
 * NULL; the caller copies instead). 0: no bound (the default).
 */
void view_cache_set_map_budget(struct view_cache *vc, size_t max_maps);

/* Drop every unused entry (e.g. when the memory table changes). */
void view_cache_flush(struct view_cache *vc);

struct view_cache_stats {
	uint64_t hits, misses, evictions;
	unsigned int entries;
	size_t bytes;
	size_t maps;	   /* mappings held by live views */
	uint64_t refused;  /* views not built: mapping budget */
	uint64_t deferred; /* repeat offers that got no view (yet) */
};
void view_cache_stats(struct view_cache *vc, struct view_cache_stats *st);

#endif
