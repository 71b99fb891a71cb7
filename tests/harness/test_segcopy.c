// SPDX-License-Identifier: Apache-2.0
/*
 * host/segcopy.c: a bounce copy between scattered guest segments and a
 * host buffer gives the same bytes whether it runs on the worker alone
 * (small copies, a busy helper) or split with the front-end's copy helper
 * (SEGCOPY_SPLIT_MIN bytes or more); a scatter writes exactly the bytes it
 * is given and nothing past them; copies from several workers at once
 * share the one helper.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "segcopy.h"

#define PG	   4096u
#define AREA_PAGES 16384u /* 64 MiB of "guest memory" */

static uint8_t *area;

static uint8_t pattern(size_t i)
{
	return (uint8_t)((i * 2654435761u) >> 13);
}

static int setup(void **state)
{
	(void)state;
	area = malloc((size_t)AREA_PAGES * PG);
	if (!area)
		return -1;
	for (size_t i = 0; i < (size_t)AREA_PAGES * PG; i++)
		area[i] = pattern(i);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(area);
	return 0;
}

/*
 * Segments over `pages` pages of the area starting at page `first`, in
 * reverse page order, with lengths that vary (a whole page, a short head,
 * one byte) so that split points fall inside odd layouts. Returns the
 * count; *total gets the bytes.
 */
static uint32_t make_segs(struct req_seg *s, uint32_t first, uint32_t pages,
			  size_t *total)
{
	static const uint32_t lens[] = {PG, PG, 100, PG, 1, PG, 3000};
	*total = 0;
	for (uint32_t i = 0; i < pages; i++) {
		uint32_t pg = first + pages - 1 - i;
		uint32_t len = lens[i % (sizeof(lens) / sizeof(lens[0]))];
		s[i] = (struct req_seg){.hva = area + (size_t)pg * PG,
					.len = len,
					.fd = -1,
					.page_size = PG};
		*total += len;
	}
	return pages;
}

/* The bytes a gather of s[0..n) must produce. */
static void expect_bytes(const struct req_seg *s, uint32_t n, uint8_t *out)
{
	size_t off = 0;
	for (uint32_t i = 0; i < n; i++) {
		memcpy(out + off, s[i].hva, s[i].len);
		off += s[i].len;
	}
}

static void gather_case(uint32_t pages, bool want_split)
{
	struct segcopy c;
	struct req_seg *s = calloc(pages, sizeof(*s));
	size_t total;
	assert_non_null(s);
	uint32_t n = make_segs(s, 0, pages, &total);
	uint8_t *got = malloc(total), *want = malloc(total);
	assert_non_null(got);
	assert_non_null(want);
	memset(got, 0xee, total);
	expect_bytes(s, n, want);
	segcopy_init(&c);
	segcopy_gather(&c, s, n, got, total);
	assert_memory_equal(got, want, total);
	/* the helper runs only for copies worth splitting */
	assert_int_equal(c.started, want_split);
	assert_int_equal(c.state, SEGCOPY_IDLE);
	segcopy_stop(&c);
	free(got);
	free(want);
	free(s);
}

static void test_gather_small(void **state)
{
	(void)state;
	gather_case(64, false);
}

static void test_gather_split(void **state)
{
	(void)state;
	/* ~45 MiB in 16384 segments: above SEGCOPY_SPLIT_MIN */
	gather_case(AREA_PAGES, true);
}

/* A scatter of fewer bytes than the segments hold stops at the last one
 * given, in the helper's half too. */
static void test_scatter_limit(void **state)
{
	(void)state;
	struct segcopy c;
	struct req_seg *s = calloc(AREA_PAGES, sizeof(*s));
	size_t total;
	assert_non_null(s);
	uint32_t n = make_segs(s, 0, AREA_PAGES, &total);
	size_t len = total - 12345;
	uint8_t *src = malloc(total), *before = malloc(total);
	assert_non_null(src);
	assert_non_null(before);
	expect_bytes(s, n, before);
	for (size_t i = 0; i < total; i++)
		src[i] = (uint8_t)~before[i];
	segcopy_init(&c);
	segcopy_scatter(&c, s, n, src, len);
	assert_true(c.started);
	segcopy_stop(&c);
	uint8_t *after = malloc(total);
	assert_non_null(after);
	expect_bytes(s, n, after);
	assert_memory_equal(after, src, len);
	assert_memory_equal(after + len, before + len, total - len);
	/* put the area back for the other tests */
	segcopy_init(&c);
	segcopy_scatter(&c, s, n, before, total);
	segcopy_stop(&c);
	free(after);
	free(before);
	free(src);
	free(s);
}

#define WORKERS 4
#define REPEATS 6
#define W_PAGES (AREA_PAGES / WORKERS)

struct worker {
	struct segcopy *c;
	uint32_t first;
	int bad;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct req_seg s[W_PAGES];
	size_t total;
	uint32_t n = make_segs(s, w->first, W_PAGES, &total);
	uint8_t *got = malloc(total), *want = malloc(total);
	if (!got || !want) {
		w->bad = 1;
	} else {
		expect_bytes(s, n, want);
		for (int r = 0; r < REPEATS; r++) {
			memset(got, 0, total);
			segcopy_gather(w->c, s, n, got, total);
			w->bad += memcmp(got, want, total) != 0;
		}
	}
	free(got);
	free(want);
	return NULL;
}

/* Workers copying at once: one of them gets the helper, the others copy
 * alone; every copy is right and the helper ends idle. */
static void test_concurrent(void **state)
{
	(void)state;
	struct segcopy c;
	pthread_t th[WORKERS];
	struct worker w[WORKERS];
	size_t total;
	struct req_seg probe[W_PAGES];
	make_segs(probe, 0, W_PAGES, &total);
	assert_true(total >= SEGCOPY_SPLIT_MIN); /* each copy may split */
	segcopy_init(&c);
	for (int i = 0; i < WORKERS; i++) {
		w[i] = (struct worker){.c = &c, .first = (uint32_t)i * W_PAGES};
		assert_int_equal(
			pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < WORKERS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].bad, 0);
	}
	assert_true(c.started);
	assert_int_equal(c.state, SEGCOPY_IDLE);
	segcopy_stop(&c);
}

static void test_stop_unused(void **state)
{
	(void)state;
	struct segcopy c;
	segcopy_init(&c);
	assert_false(c.started);
	segcopy_stop(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gather_small),
		cmocka_unit_test(test_gather_split),
		cmocka_unit_test(test_scatter_limit),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_stop_unused),
	};
	return cmocka_run_group_tests_name("segcopy", tests, setup, teardown);
}
