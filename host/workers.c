// SPDX-License-Identifier: Apache-2.0
#include "workers.h"

#include <stdlib.h>

/* Job buffers kept for reuse. */
#define JOB_CACHE_MAX 64

static void *worker_main(void *arg)
{
	struct pool *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->lock);
		while (!p->head && !p->stopping)
			pthread_cond_wait(&p->cond, &p->lock);
		if (!p->head) {
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		struct job *j = p->head;
		p->head = j->next;
		if (!p->head)
			p->tail = NULL;
		pthread_mutex_unlock(&p->lock);
		p->run(j);
	}
}

int pool_start(struct pool *p, unsigned int threads, unsigned int max_jobs,
	       void (*run)(struct job *j))
{
	*p = (struct pool){.run = run, .max_out = max_jobs};
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->threads = calloc(threads, sizeof(*p->threads));
	if (!p->threads)
		return -1;
	for (unsigned int i = 0; i < threads; i++) {
		if (pthread_create(&p->threads[i], NULL, worker_main, p))
			return -1;
		p->nr_threads++;
	}
	return 0;
}

void pool_stop(struct pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	for (unsigned int i = 0; i < p->nr_threads; i++)
		pthread_join(p->threads[i], NULL);
	free(p->threads);
	p->threads = NULL;
	p->nr_threads = 0;
	while (p->cache) {
		struct job *j = p->cache;
		p->cache = j->next;
		free(j);
	}
	p->nr_cache = 0;
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
}

void pool_submit(struct pool *p, struct job *j)
{
	pthread_mutex_lock(&p->lock);
	j->next = NULL;
	if (p->tail)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

struct job *job_alloc(struct pool *p)
{
	pthread_mutex_lock(&p->lock);
	if (p->out >= p->max_out) {
		pthread_mutex_unlock(&p->lock);
		return NULL;
	}
	struct job *j = p->cache;
	if (j) {
		p->cache = j->next;
		p->nr_cache--;
	}
	p->out++;
	pthread_mutex_unlock(&p->lock);
	if (!j && !(j = malloc(sizeof(*j)))) {
		pthread_mutex_lock(&p->lock);
		p->out--;
		pthread_mutex_unlock(&p->lock);
	}
	return j;
}

void job_free(struct pool *p, struct job *j)
{
	pthread_mutex_lock(&p->lock);
	p->out--;
	if (p->nr_cache < JOB_CACHE_MAX) {
		j->next = p->cache;
		p->cache = j;
		p->nr_cache++;
		j = NULL;
	}
	pthread_mutex_unlock(&p->lock);
	free(j);
}
