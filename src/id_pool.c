// SPDX-License-Identifier: Apache-2.0
/* Bounded id pools: ids 1..max, released ids are reused. */
#include "internal.h"

#include <stdlib.h>

int id_pool_init(struct id_pool *pool, vaccel_id_t max)
{
	if (!pool || max <= 0)
		return VACCEL_EINVAL;
	pool->used = calloc((size_t)max + 1, 1);
	if (!pool->used)
		return VACCEL_ENOMEM;
	pool->max = max;
	pool->next = 1;
	pthread_mutex_init(&pool->lock, NULL);
	return VACCEL_OK;
}

void id_pool_destroy(struct id_pool *pool)
{
	if (!pool || !pool->used)
		return;
	free(pool->used);
	pool->used = NULL;
	pool->max = 0;
	pthread_mutex_destroy(&pool->lock);
}

vaccel_id_t id_pool_get(struct id_pool *pool)
{
	vaccel_id_t id = 0;

	pthread_mutex_lock(&pool->lock);
	for (vaccel_id_t i = 0; i < pool->max; i++) {
		vaccel_id_t cand = (pool->next - 1 + i) % pool->max + 1;
		if (!pool->used[cand]) {
			pool->used[cand] = 1;
			pool->next = cand % pool->max + 1;
			id = cand;
			break;
		}
	}
	pthread_mutex_unlock(&pool->lock);
	return id;
}

void id_pool_put(struct id_pool *pool, vaccel_id_t id)
{
	if (!pool || id <= 0 || id > pool->max)
		return;
	pthread_mutex_lock(&pool->lock);
	pool->used[id] = 0;
	pthread_mutex_unlock(&pool->lock);
}
