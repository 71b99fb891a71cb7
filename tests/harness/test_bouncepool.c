// SPDX-License-Identifier: Apache-2.0
/*
 * host/bouncepool.c: small buffers are plain heap memory; large ones are
 * kept and handed out again (the same mapping, so no fresh page faults),
 * the smallest that fits first; no more than BOUNCE_POOL_SLOTS buffers and
 * BOUNCE_POOL_KEEP bytes are kept; drain frees what is kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bouncepool.h"

#define MIB ((size_t)1 << 20)

static void test_small_is_heap(void **state)
{
	(void)state;
	struct bounce_pool bp;
	size_t cap = 0;
	bounce_pool_init(&bp);
	void *p = bounce_pool_get(&bp, 100, &cap);
	assert_non_null(p);
	assert_int_equal(cap, 100);
	bounce_pool_put(&bp, p, cap);
	assert_null(bp.p[0]);
	bounce_pool_drain(&bp);
}

static void test_reuse(void **state)
{
	(void)state;
	struct bounce_pool bp;
	size_t cap = 0, cap2 = 0;
	bounce_pool_init(&bp);
	uint8_t *p = bounce_pool_get(&bp, 3 * MIB + 1, &cap);
	assert_non_null(p);
	assert_int_equal(cap, 4 * MIB); /* rounded to 2 MiB */
	memset(p, 7, cap);
	bounce_pool_put(&bp, p, cap);
	/* a smaller request reuses it; a larger one gets a new one */
	uint8_t *q = bounce_pool_get(&bp, 2 * MIB, &cap2);
	assert_ptr_equal(q, p);
	assert_int_equal(cap2, cap);
	uint8_t *r = bounce_pool_get(&bp, 8 * MIB, &cap2);
	assert_non_null(r);
	assert_ptr_not_equal(r, p);
	bounce_pool_put(&bp, q, cap);
	bounce_pool_put(&bp, r, cap2);
	/* the smallest that fits */
	q = bounce_pool_get(&bp, 3 * MIB, &cap2);
	assert_ptr_equal(q, p);
	bounce_pool_put(&bp, q, cap2);
	bounce_pool_drain(&bp);
	assert_null(bp.p[0]);
	assert_null(bp.p[1]);
}

static void test_bounded(void **state)
{
	(void)state;
	struct bounce_pool bp;
	size_t c[3];
	void *p[3];
	bounce_pool_init(&bp);
	for (int i = 0; i < 3; i++)
		p[i] = bounce_pool_get(&bp, 4 * MIB, &c[i]);
	for (int i = 0; i < 3; i++)
		bounce_pool_put(&bp, p[i], c[i]);
	/* two slots: the third was unmapped */
	int kept = (bp.p[0] != NULL) + (bp.p[1] != NULL);
	assert_int_equal(kept, BOUNCE_POOL_SLOTS);
	bounce_pool_drain(&bp);
	/* larger than what may be kept: not kept */
	size_t cb;
	void *b = bounce_pool_get(&bp, BOUNCE_POOL_KEEP + MIB, &cb);
	assert_non_null(b);
	bounce_pool_put(&bp, b, cb);
	assert_null(bp.p[0]);
	assert_null(bp.p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_is_heap),
		cmocka_unit_test(test_reuse),
		cmocka_unit_test(test_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
