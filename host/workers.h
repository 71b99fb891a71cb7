// SPDX-License-Identifier: Apache-2.0
/*
 * A front-end process's worker pool and its jobs. A job is one chain taken
 * from a ring; the number of jobs out (taken, not yet completed) is
 * bounded by --max-inflight-requests, so a guest that posts faster than
 * the workers complete makes its rings wait, never the daemon allocate.
 */
#ifndef VHOST_ACCEL_WORKERS_H
#define VHOST_ACCEL_WORKERS_H

#include <pthread.h>
#include <stdbool.h>

#include <linux/virtio_accel.h>

#include "virtq.h"

struct frontend;

struct job {
	struct job *next;
	struct frontend *fe;
	struct vq *q;
	struct vq_mem *mem;
	bool bad;      /* the chain failed validation in vq_pop */
	bool have_hdr; /* hdr holds the request header, read once */
	struct virtio_accel_req_hdr hdr;
	struct vq_elem e;
};

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job *head, *tail;
	bool stopping;
	pthread_t *threads;
	unsigned int nr_threads;
	void (*run)(struct job *j);
	/* job buffers carry two iovec arrays (32 KiB): recycled */
	struct job *cache;
	unsigned int nr_cache;
	unsigned int out, max_out; /* jobs allocated and not freed */
};

int pool_start(struct pool *p, unsigned int threads, unsigned int max_jobs,
	       void (*run)(struct job *j));
/* Wait for queued jobs, stop the threads. */
void pool_stop(struct pool *p);
void pool_submit(struct pool *p, struct job *j);
/* NULL when max_jobs are out (or out of memory). */
struct job *job_alloc(struct pool *p);
void job_free(struct pool *p, struct job *j);

#endif
