// SPDX-License-Identifier: Apache-2.0
/*
 * One front-end (a VMM's vhost-user connection), served by the process
 * the supervisor started for it: the control loop (vhost-user messages,
 * on the calling thread), a kick thread that takes chains from the rings,
 * and a worker pool that executes them. Everything here belongs to that
 * one front-end: ids, objects, budgets, threads.
 */
#ifndef VHOST_ACCEL_FRONTEND_H
#define VHOST_ACCEL_FRONTEND_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "argmem.h"
#include "objects.h"
#include "opts.h"
#include "vhost_user.h"
#include "workers.h"

struct frontend {
	unsigned int id;
	const struct device_opts *o;
	struct vu_dev vu;
	int sock;
	int wake_fd;  /* stops the kick threads (written once, never read) */
	int retry_fd; /* a completion made room for chains held back */
	/* one kick thread per queue, each with its own epoll set (the
	 * queue's kick fd, wake_fd, retry_fd): queues never wait for each
	 * other */
	struct kick_thread {
		struct frontend *fe;
		unsigned int idx;
		int epfd;
		pthread_t th;
		bool running;
	} kick[VU_MAX_QUEUES];
	struct objects objs;
	struct argmem mem;
	struct pool pool;
	struct req_limits lim; /* with this front-end's acked features */
	atomic_bool held_back; /* the job budget held chains back */
	atomic_uint_fast64_t nr_requests, nr_errors;
};

/* Serve the connection until it closes; releases everything it made. */
int frontend_serve(int sock, unsigned int id, const struct device_opts *o);

/* Complete a job's chain with `used` bytes and recycle the job. */
void frontend_complete(struct job *j, uint32_t used);

#endif
