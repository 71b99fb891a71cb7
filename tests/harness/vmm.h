// SPDX-License-Identifier: Apache-2.0
/*
 * A minimal user-space "VMM" for testing vhost-user-accel: guest RAM in a
 * memfd, the vhost-user front-end protocol, split virtqueues laid out in
 * guest memory, and requests built exactly as the guest driver builds them
 * (docs/protocol.md).
 */
#ifndef HARNESS_VMM_H
#define HARNESS_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/virtio_accel.h>

#define VMM_QSIZE    256
#define VMM_MAX_ARGS 32

struct vmm {
	int sock;
	int memfd;
	uint8_t *mem;
	size_t mem_size;
	uint64_t brk;  /* bump allocator for request buffers (gpa) */
	uint64_t heap; /* start of the request area */
	unsigned int nq;
	int kick[4], call[4];
	uint64_t desc_gpa[4], avail_gpa[4], used_gpa[4];
	uint16_t avail_idx[4], used_seen[4];
	uint64_t features;
	struct virtio_accel_config cfg;
	uint64_t next_tag;
};

struct daemon {
	pid_t pid;
	char dir[256];
	char sock[300];
	int stats_rd; /* read end of --stats-fd pipe */
};

/* Spawn the daemon (binary from $VHOST_USER_ACCEL) with one plugin path
 * (may be NULL) and extra args (NULL-terminated). */
int daemon_start(struct daemon *d, const char *plugin,
		 const char *const *extra);
/* SIGTERM + wait; returns the exit status or -1. */
int daemon_stop(struct daemon *d);
bool daemon_alive(struct daemon *d);
/* Read stats lines until one contains `needle` (timeout ms). */
bool daemon_stats_wait(struct daemon *d, const char *needle, int timeout_ms,
		       char *line, size_t line_size);

int vmm_connect(struct vmm *v, const char *sock, size_t mem_size);
void vmm_disconnect(struct vmm *v);

/* Guest memory helpers */
uint64_t vmm_alloc(struct vmm *v, size_t len, size_t align);
void *vmm_ptr(struct vmm *v, uint64_t gpa);
void vmm_reset_heap(struct vmm *v);

/* A raw chain: buffers in guest memory, readable ones first. */
struct vmm_buf {
	uint64_t gpa;
	uint32_t len;
	bool write;
};
/* Submit a chain on queue q and wait (timeout ms) for its completion.
 * Returns the used length, or -1 on timeout. */
long vmm_run_chain(struct vmm *v, unsigned int q, const struct vmm_buf *b,
		   unsigned int n, int timeout_ms);
/* Same with raw descriptors (for malformed-ring tests). */
long vmm_run_descs(struct vmm *v, unsigned int q, const void *descs,
		   unsigned int n, uint16_t head, int timeout_ms);

/* A request as the driver sees it. */
struct vmm_arg {
	uint32_t type;
	uint32_t custom_type_id;
	const void *data; /* read args */
	void *out;	  /* write args: receives produced bytes */
	uint64_t len;	  /* bytes / capacity */
	bool segments;	  /* large-arg path (fragmented guest pages) */
	uint64_t produced;
	uint32_t out_type;
};

struct vmm_req {
	uint16_t cmd;
	uint64_t session_id;
	uint64_t object_id;
	uint32_t param;
	unsigned int nr_read, nr_write;
	struct vmm_arg rd[VMM_MAX_ARGS];
	struct vmm_arg wr[VMM_MAX_ARGS];
	/* results */
	long used;
	uint64_t tag;
	struct virtio_accel_resp_hdr resp;
};

/* Build, submit, wait, decode. Returns 0 if a response header came back. */
int vmm_request(struct vmm *v, struct vmm_req *r);

#endif
