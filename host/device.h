// SPDX-License-Identifier: Apache-2.0
/*
 * The virtio-accel device: one struct frontend per connected vhost-user
 * front-end (VMM), with its own session and resource id spaces, limits and
 * counters; a shared pool of worker threads executes requests through
 * libvaccel's public API.
 */
#ifndef VHOST_ACCEL_DEVICE_H
#define VHOST_ACCEL_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "request.h"

struct device_opts {
	unsigned int queues;
	unsigned int workers;
	unsigned int max_frontends;
	struct req_limits lim;
	uint32_t max_sessions;
	uint32_t max_resources;
	uint64_t max_inflight_bytes; /* host buffers per front-end */
	bool profiling;
	bool ready;   /* HW_READY: runtime bootstrapped with plugins */
	int stats_fd; /* -1: none */
	int verbose;
};

/* Logging (stderr), level 0 = errors only. */
extern int dev_log_level;
void dev_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define LOG_ERR(...)  dev_log(0, __VA_ARGS__)
#define LOG_INFO(...) dev_log(1, __VA_ARGS__)
#define LOG_DBG(...)  dev_log(2, __VA_ARGS__)

int device_start(const struct device_opts *opts);
/* Serve one accepted connection on its own threads; takes the fd. */
int device_add_frontend(int sock);
/* Disconnect every front-end, wait for them, stop the workers. */
void device_stop(void);
unsigned int device_nr_frontends(void);

#endif
