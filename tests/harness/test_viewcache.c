// SPDX-License-Identifier: Apache-2.0
/*
 * The daemon's cache of mapped views (host/viewcache.c): a view shows the
 * runs of a memory file side by side and stays coherent with it; identical
 * runs under the same key reuse the view; other keys and other runs do
 * not; entries in use are never evicted; caps hold; key references
 * balance.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "viewcache.h"

#define PG	   4096u
#define FILE_PAGES 64

static int mfd = -1;
static uint8_t *file; /* the memory file, mapped once like guest RAM */
static int key_refs;

static void kget(const void *k)
{
	(void)k;
	key_refs++;
}

static void kput(const void *k)
{
	(void)k;
	key_refs--;
}

static int setup(void **state)
{
	(void)state;
	mfd = memfd_create("viewcache-test", 0);
	if (mfd < 0 || ftruncate(mfd, FILE_PAGES * PG))
		return -1;
	file = mmap(NULL, FILE_PAGES * PG, PROT_READ | PROT_WRITE, MAP_SHARED,
		    mfd, 0);
	if (file == MAP_FAILED)
		return -1;
	for (unsigned int p = 0; p < FILE_PAGES; p++)
		memset(file + p * PG, (int)p, PG);
	key_refs = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	munmap(file, FILE_PAGES * PG);
	close(mfd);
	return 0;
}

/* pages 10-11, then 3, then 40-42: one buffer of 6 pages */
static const struct view_run runs3[] = {
	{.off = 10 * PG, .len = 2 * PG},
	{.off = 3 * PG, .len = PG},
	{.off = 40 * PG, .len = 3 * PG},
};

static void fill_fd(struct view_run *r, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		r[i].fd = mfd;
}

static void test_view_content_and_reuse(void **state)
{
	(void)state;
	struct view_run r[3];
	memcpy(r, runs3, sizeof(r));
	fill_fd(r, 3);
	struct view_cache *vc = view_cache_new(4, 1 << 20, kget, kput);
	assert_non_null(vc);
	int key, hit = -1;
	struct view_ent *h1, *h2;

	uint8_t *v = view_cache_get(vc, &key, r, 3, 6 * PG, &h1, &hit);
	assert_non_null(v);
	assert_int_equal(hit, 0);
	assert_int_equal(key_refs, 1);
	const uint8_t want[6] = {10, 11, 3, 40, 41, 42};
	for (unsigned int p = 0; p < 6; p++) {
		assert_int_equal(v[p * PG], want[p]);
		assert_int_equal(v[p * PG + PG - 1], want[p]);
	}
	/* writes through the view reach the file, and back */
	v[2 * PG + 7] = 0xab;
	assert_int_equal(file[3 * PG + 7], 0xab);
	file[41 * PG + 9] = 0xcd;
	assert_int_equal(v[4 * PG + 9], 0xcd);
	view_cache_put(vc, h1);

	/* same key and runs: the same view */
	uint8_t *v2 = view_cache_get(vc, &key, r, 3, 6 * PG, &h2, &hit);
	assert_ptr_equal(v2, v);
	assert_int_equal(hit, 1);
	view_cache_put(vc, h2);

	/* other runs: another view */
	r[1].off = 4 * PG;
	v2 = view_cache_get(vc, &key, r, 3, 6 * PG, &h2, &hit);
	assert_non_null(v2);
	assert_int_equal(hit, 0);
	assert_ptr_not_equal(v2, v);
	assert_int_equal(v2[2 * PG], 4);
	view_cache_put(vc, h2);

	struct view_cache_stats st;
	view_cache_stats(vc, &st);
	assert_int_equal(st.hits, 1);
	assert_int_equal(st.misses, 2);
	assert_int_equal(st.entries, 2);
	view_cache_free(vc);
	assert_int_equal(key_refs, 0);
}

/* view_cache_get_repeat: runs get a view only when they are offered again
 * (within the last VIEW_SEEN_SLOTS offers); the view is then cached. */
static void test_repeat_builds_on_second_offer(void **state)
{
	(void)state;
	struct view_run r[3], other[1] = {{.off = 20 * PG, .len = PG}};
	memcpy(r, runs3, sizeof(r));
	fill_fd(r, 3);
	fill_fd(other, 1);
	struct view_cache *vc = view_cache_new(4, 1 << 20, kget, kput);
	assert_non_null(vc);
	int key, key2;
	struct view_ent *h = NULL, *h2 = NULL;

	/* first offer: nothing built, the caller copies */
	assert_null(view_cache_get_repeat(vc, &key, r, 3, 6 * PG, &h));
	/* the same runs under another key are another buffer */
	assert_null(view_cache_get_repeat(vc, &key2, r, 3, 6 * PG, &h));
	/* second offer: a view, with the current contents */
	uint8_t *v = view_cache_get_repeat(vc, &key, r, 3, 6 * PG, &h);
	assert_non_null(v);
	assert_int_equal(v[2 * PG], 3);
	file[40 * PG] = 0x5a;
	assert_int_equal(v[3 * PG], 0x5a);
	view_cache_put(vc, h);
	/* third: the cached view; view_cache_get finds it too */
	assert_ptr_equal(view_cache_get_repeat(vc, &key, r, 3, 6 * PG, &h), v);
	view_cache_put(vc, h);
	assert_ptr_equal(view_cache_get(vc, &key, r, 3, 6 * PG, &h2, NULL), v);
	view_cache_put(vc, h2);

	struct view_cache_stats st;
	view_cache_stats(vc, &st);
	assert_int_equal(st.deferred, 2);
	assert_int_equal(st.misses, 1);
	assert_int_equal(st.hits, 2);

	/* an offer older than the last VIEW_SEEN_SLOTS is forgotten */
	assert_null(view_cache_get_repeat(vc, &key, other, 1, PG, &h));
	for (unsigned int i = 0; i < VIEW_SEEN_SLOTS; i++) {
		struct view_run x = {.fd = mfd, .off = PG, .len = PG * (i + 1)};
		assert_null(view_cache_get_repeat(vc, &key, &x, 1, x.len, &h));
	}
	assert_null(view_cache_get_repeat(vc, &key, other, 1, PG, &h));
	uint8_t *o = view_cache_get_repeat(vc, &key, other, 1, PG, &h);
	assert_non_null(o);
	assert_int_equal(o[0], 20);
	view_cache_put(vc, h);
	view_cache_free(vc);
	assert_int_equal(key_refs, 0);
}

/* Buffer b of test_repeat_*: pages b and 20 + b, two runs. */
static void two_runs(struct view_run *r, unsigned int b)
{
	r[0] = (struct view_run){.fd = mfd, .off = b * PG, .len = PG};
	r[1] = (struct view_run){.fd = mfd, .off = (20 + b) * PG, .len = PG};
}

/* One round of offers of buffers [0, n): how many got a view. */
static unsigned int offer_round(struct view_cache *vc, const void *key,
				unsigned int n)
{
	unsigned int got = 0;
	for (unsigned int b = 0; b < n; b++) {
		struct view_run r[2];
		struct view_ent *h = NULL;
		two_runs(r, b);
		uint8_t *v = view_cache_get_repeat(vc, key, r, 2, 2 * PG, &h);
		if (v) {
			assert_int_equal(v[0], b);
			assert_int_equal(v[PG], 20 + b);
			view_cache_put(vc, h);
			got++;
		}
	}
	return got;
}

/* More buffers cycled than the cache holds: the ones that got a view keep
 * it, the others are copied; no view is evicted to make room for another
 * (which would rebuild and evict on every call). A view nobody used for
 * VIEW_STALE_TICKS lookups does make room. */
static void test_repeat_no_thrash(void **state)
{
	(void)state;
	struct view_cache *vc = view_cache_new(4, 1 << 20, kget, kput);
	assert_non_null(vc);
	int key;
	assert_int_equal(offer_round(vc, &key, 6), 0);
	for (int round = 0; round < 10; round++)
		assert_int_equal(offer_round(vc, &key, 6), 4);
	struct view_cache_stats st;
	view_cache_stats(vc, &st);
	assert_int_equal(st.misses, 4);
	assert_int_equal(st.evictions, 0);
	assert_int_equal(st.hits, 36);

	/* buffers 0-3 fall out of use; buffer 5 alone comes back */
	struct view_run r[2];
	struct view_ent *h = NULL;
	two_runs(r, 5);
	unsigned int offers = 0;
	uint8_t *v = NULL;
	while (!v && offers++ < 2 * VIEW_STALE_TICKS)
		v = view_cache_get_repeat(vc, &key, r, 2, 2 * PG, &h);
	assert_non_null(v);
	assert_true(offers > VIEW_STALE_TICKS / 2);
	view_cache_put(vc, h);
	view_cache_stats(vc, &st);
	assert_int_equal(st.evictions, 1);
	assert_int_equal(st.entries, 4);
	view_cache_free(vc);
	assert_int_equal(key_refs, 0);
}

/* A view that cannot fit in the mapping budget even with every unused
 * view gone is refused without evicting any. */
static void test_refuse_without_evicting(void **state)
{
	(void)state;
	struct view_cache *vc = view_cache_new(4, 1 << 20, kget, kput);
	assert_non_null(vc);
	view_cache_set_map_budget(vc, 10);
	struct view_run r[3], big[10];
	memcpy(r, runs3, sizeof(r));
	fill_fd(r, 3);
	for (unsigned int i = 0; i < 10; i++)
		big[i] = (struct view_run){
			.fd = mfd, .off = (50 + i) * PG, .len = PG};
	int key;
	struct view_ent *h;
	assert_non_null(view_cache_get(vc, &key, r, 3, 6 * PG, &h, NULL));
	view_cache_put(vc, h);
	assert_null(view_cache_get(vc, &key, big, 10, 10 * PG, &h, NULL));
	struct view_cache_stats st;
	view_cache_stats(vc, &st);
	assert_int_equal(st.refused, 1);
	assert_int_equal(st.evictions, 0);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.maps, 4);
	view_cache_free(vc);
	assert_int_equal(key_refs, 0);
}

static void test_other_key_evicts_unused(void **state)
{
	(void)state;
	struct view_run r[3];
	memcpy(r, runs3, sizeof(r));
	fill_fd(r, 3);
	struct view_cache *vc = view_cache_new(4, 1 << 20, kget, kput);
	int k1, k2, hit;
	struct view_ent *h1, *h2, *h3;

	uint8_t *v1 = view_cache_get(vc, &k1, r, 3, 6 * PG, &h1, &hit);
	assert_non_null(v1);
	view_cache_put(vc, h1);
	assert_int_equal(key_refs, 1);
	/* a new table: the same runs do not match; the old entry goes */
	uint8_t *v2 = view_cache_get(vc, &k2, r, 3, 6 * PG, &h2, &hit);
	assert_non_null(v2);
	assert_int_equal(hit, 0);
	struct view_cache_stats st;
	view_cache_stats(vc, &st);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.evictions, 1);
	assert_int_equal(key_refs, 1);
	/* an entry in use is kept even for another key */
	uint8_t *v3 = view_cache_get(vc, &k1, r, 3, 6 * PG, &h3, &hit);
	assert_non_null(v3);
	view_cache_stats(vc, &st);
	assert_int_equal(st.entries, 2);
	assert_int_equal(v2[0], 10);
	view_cache_put(vc, h2);
	view_cache_put(vc, h3);
	view_cache_free(vc);
	assert_int_equal(key_refs, 0);
}

static void test_caps(void **state)
{
	(void)state;
	/* two entries at most, 8 pages of address space at most */
	struct view_cache *vc = view_cache_new(2, 8 * PG, kget, kput);
	int key, hit;
	struct view_ent *h[4];
	struct view_run r = {.fd = mfd, .len = 4 * PG};
	struct view_cache_stats st;

	for (unsigned int i = 0; i < 3; i++) {
		r.off = (uint64_t)i * 4 * PG;
		assert_non_null(
			view_cache_get(vc, &key, &r, 1, 4 * PG, &h[i], &hit));
		view_cache_put(vc, h[i]);
	}
	view_cache_stats(vc, &st);
	assert_int_equal(st.entries, 2);
	assert_true(st.bytes <= 8 * PG);
	assert_int_equal(st.evictions, 1);
	/* the least recently used one (offset 0) went */
	r.off = 0;
	assert_non_null(view_cache_get(vc, &key, &r, 1, 4 * PG, &h[0], &hit));
	assert_int_equal(hit, 0);
	view_cache_put(vc, h[0]);

	/* all in use: a view is still built, just not cached */
	r.off = 4 * PG;
	assert_non_null(view_cache_get(vc, &key, &r, 1, 4 * PG, &h[0], &hit));
	r.off = 0;
	assert_non_null(view_cache_get(vc, &key, &r, 1, 4 * PG, &h[1], &hit));
	r.off = 16 * PG;
	uint8_t *v = view_cache_get(vc, &key, &r, 1, 4 * PG, &h[2], &hit);
	assert_non_null(v);
	assert_int_equal(v[0], 16);
	view_cache_stats(vc, &st);
	assert_int_equal(st.entries, 2);
	for (unsigned int i = 0; i < 3; i++)
		view_cache_put(vc, h[i]);
	view_cache_flush(vc);
	view_cache_stats(vc, &st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(key_refs, 0);
	view_cache_free(vc);
}

static void test_bad_fd(void **state)
{
	(void)state;
	struct view_cache *vc = view_cache_new(2, 1 << 20, kget, kput);
	struct view_run r = {.fd = -1, .off = 0, .len = PG};
	struct view_ent *h = NULL;
	int key, hit;

	assert_null(view_cache_get(vc, &key, &r, 1, PG, &h, &hit));
	/* a run longer than the view */
	r.fd = mfd;
	r.len = 2 * PG;
	assert_null(view_cache_get(vc, &key, &r, 1, PG, &h, &hit));
	assert_int_equal(key_refs, 0);
	view_cache_free(vc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_view_content_and_reuse,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_repeat_builds_on_second_offer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeat_no_thrash, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refuse_without_evicting,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_key_evicts_unused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_fd, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
