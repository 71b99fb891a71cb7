// SPDX-License-Identifier: Apache-2.0
/*
 * A minimal user-space "VMM" for testing vhost-user-accel: guest RAM in a
 * memfd, the vhost-user front-end protocol, split virtqueues laid out in
 * guest memory, and requests built exactly as the guest driver builds them
 * (docs/protocol.md).
 *
 * Threads: one thread per queue may submit and wait on that queue
 * concurrently with threads on other queues, provided each uses its own
 * arena (struct vmm_arena) for request buffers. Everything else (control
 * messages, vmm_request() on the default arena) is single-threaded.
 *
 * Every wait is bounded by a real-time deadline, never by a count of
 * polls, so a loaded machine makes a test slower, not flaky.
 */
#ifndef HARNESS_VMM_H
#define HARNESS_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/virtio_accel.h>

#define VMM_QSIZE      256
#define VMM_MAX_QUEUES 8
#define VMM_MAX_ARGS   32
/* descriptors one request built by vmm_submit() uses */
#define VMM_REQ_DESCS 4

/* vhost-user requests (front-end side) */
enum {
	VMM_GET_FEATURES = 1,
	VMM_SET_FEATURES = 2,
	VMM_SET_OWNER = 3,
	VMM_RESET_OWNER = 4,
	VMM_SET_MEM_TABLE = 5,
	VMM_SET_LOG_BASE = 6,
	VMM_SET_VRING_NUM = 8,
	VMM_SET_VRING_ADDR = 9,
	VMM_SET_VRING_BASE = 10,
	VMM_GET_VRING_BASE = 11,
	VMM_SET_VRING_KICK = 12,
	VMM_SET_VRING_CALL = 13,
	VMM_SET_VRING_ERR = 14,
	VMM_GET_PROTOCOL_FEATURES = 15,
	VMM_SET_PROTOCOL_FEATURES = 16,
	VMM_GET_QUEUE_NUM = 17,
	VMM_SET_VRING_ENABLE = 18,
	VMM_GET_CONFIG = 24,
	VMM_SET_CONFIG = 25,
	VMM_GET_INFLIGHT_FD = 31,
	VMM_SET_INFLIGHT_FD = 32,
	VMM_RESET_DEVICE = 34,
	VMM_GET_MAX_MEM_SLOTS = 36,
	VMM_ADD_MEM_REG = 37,
	VMM_REM_MEM_REG = 38,
	VMM_SET_STATUS = 39,
	VMM_GET_STATUS = 40,
};
#define VMM_MSG_NEED_REPLY (1u << 3)

/* Split-ring descriptor as laid out in guest memory. */
struct vmm_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
#define VMM_DESC_F_NEXT	    1
#define VMM_DESC_F_WRITE    2
#define VMM_DESC_F_INDIRECT 4

/* A bump allocator over a range of guest memory. */
struct vmm_arena {
	uint64_t base, size, brk;
};

struct vmm {
	int sock;
	int memfd;
	uint8_t *mem;
	size_t mem_size;
	struct vmm_arena heap; /* default arena (vmm_request, vmm_alloc) */
	unsigned int nq;
	bool event_idx;
	/* kick only when the device's avail_event asks for it, as a guest
	 * driver does (EVENT_IDX); off: every post kicks (tests that need
	 * each kick delivered) */
	bool honor_avail_event;
	int kick[VMM_MAX_QUEUES], call[VMM_MAX_QUEUES], err[VMM_MAX_QUEUES];
	uint64_t desc_gpa[VMM_MAX_QUEUES], avail_gpa[VMM_MAX_QUEUES],
		used_gpa[VMM_MAX_QUEUES];
	uint16_t avail_idx[VMM_MAX_QUEUES], used_seen[VMM_MAX_QUEUES];
	int64_t done[VMM_MAX_QUEUES][VMM_QSIZE]; /* used len per head, or -1 */
	/* used entries seen per head since vmm_post() */
	unsigned int completions[VMM_MAX_QUEUES][VMM_QSIZE];
	/* in-flight tracking file from the back-end (VMM_F_INFLIGHT), kept
	 * across vmm_reconnect() as QEMU keeps it; -1: none */
	int infl_fd;
	uint64_t infl_size, infl_off;
	uint64_t features;
	struct virtio_accel_config cfg;
	uint64_t next_tag;
};

struct daemon {
	pid_t pid;
	char dir[256];
	char sock[300];
	int stats_rd; /* read end of --stats-fd pipe */
	char sbuf[8192];
	size_t shave;
	/* front-end processes that ended abnormally (event=exit records
	 * with a result other than ok), counted as records are read */
	unsigned int crashes;
	unsigned int expected_crashes; /* set by tests that cause them */
};

/* Spawn the daemon (binary from $VHOST_USER_ACCEL) with one plugin path
 * (may be NULL) and extra args (NULL-terminated). */
int daemon_start(struct daemon *d, const char *plugin,
		 const char *const *extra);
/* SIGKILL the daemon, then start it again on the same socket (new stats
 * pipe). */
int daemon_kill_restart(struct daemon *d, const char *plugin,
			const char *const *extra);
/* SIGTERM + wait; returns the exit status or -1. */
int daemon_stop(struct daemon *d);
bool daemon_alive(struct daemon *d);
/* The daemon's front-end processes (children of the supervisor): up to
 * max pids, in no particular order; returns how many. */
int daemon_children(struct daemon *d, int *pids, int max);
/* Read every stats record available now (counting crashes); returns
 * d->crashes. */
unsigned int daemon_crashes(struct daemon *d);
/* Read stats lines until one contains `needle` (timeout ms). */
bool daemon_stats_wait(struct daemon *d, const char *needle, int timeout_ms,
		       char *line, size_t line_size);

/* Connect (retrying while the daemon comes up) and negotiate nq queues. */
int vmm_connect_q(struct vmm *v, const char *sock, size_t mem_size,
		  unsigned int nq);
/* The same; flags VMM_F_INFLIGHT: negotiate in-flight tracking
 * (GET_INFLIGHT_FD + SET_INFLIGHT_FD before the rings start), as QEMU. */
#define VMM_F_INFLIGHT 1u
/* guest RAM in an unlinked tmpfs file (cannot be sealed) instead of a
 * sealable memfd */
#define VMM_F_FILE_MEM 2u
/* acknowledge every device feature but F_MODELS (an older driver) */
#define VMM_F_NO_MODELS 4u
int vmm_connect_ex(struct vmm *v, const char *sock, size_t mem_size,
		   unsigned int nq, unsigned int flags);
/*
 * The back-end went away (killed): connect to `sock` again and set
 * everything up as QEMU does on a vhost-user reconnection - same guest
 * memory and rings, the in-flight file handed back (SET_INFLIGHT_FD), each
 * ring's base = its used index (GET_VRING_BASE failed with the old one).
 * Requests posted before keep their heads; wait for them as usual.
 */
int vmm_reconnect(struct vmm *v, const char *sock, unsigned int flags);
int vmm_connect(struct vmm *v, const char *sock, size_t mem_size);
void vmm_disconnect(struct vmm *v);

/* Guest memory helpers */
uint64_t vmm_alloc(struct vmm *v, size_t len, size_t align);
uint64_t vmm_arena_alloc(struct vmm *v, struct vmm_arena *a, size_t len,
			 size_t align);
/* Carve a sub-arena of `size` bytes out of the default heap. */
int vmm_arena_carve(struct vmm *v, struct vmm_arena *a, size_t size);
void *vmm_ptr(struct vmm *v, uint64_t gpa);

/* A whole file in malloc'd memory (e.g. a library to ship as a resource);
 * returns its length, 0 (and *out NULL) when it cannot be read. */
uint64_t vmm_read_file(const char *path, uint8_t **out);
void vmm_reset_heap(struct vmm *v);
/* First gpa past the rings (everything below is ring memory). */
uint64_t vmm_heap_start(struct vmm *v);

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
/* Same with raw descriptors written at the start of the descriptor table
 * (for malformed-ring tests). */
long vmm_run_descs(struct vmm *v, unsigned int q, const void *descs,
		   unsigned int n, uint16_t head, int timeout_ms);
/* Publish `head` in the avail ring and kick, without waiting. */
void vmm_post(struct vmm *v, unsigned int q, uint16_t head);
/* Publish an arbitrary avail index (for ring-corruption tests). */
void vmm_set_avail_idx(struct vmm *v, unsigned int q, uint16_t idx);
/* Used entries of `head` seen since it was posted (0, 1, or a bug). */
unsigned int vmm_completions(struct vmm *v, unsigned int q, uint16_t head);
/* Wait for the completion of `head`; -1 on timeout. */
long vmm_wait_head(struct vmm *v, unsigned int q, uint16_t head,
		   int timeout_ms);
/* True if the daemon signalled the queue's error eventfd (broken ring). */
bool vmm_queue_error(struct vmm *v, unsigned int q, int timeout_ms);

/* Segment layouts for segment args */
enum vmm_seg_layout {
	VMM_SEG_FRAGMENTED = 0, /* 4 KiB pages, reverse order, with gaps */
	VMM_SEG_CONTIGUOUS,	/* 4 KiB pages in order, contiguous */
	VMM_SEG_SINGLE,		/* one segment (len < 4 GiB) */
	VMM_SEG_RUNS,		/* 1 MiB runs of pages, runs in reverse order */
};

/* A request as the driver sees it. */
struct vmm_arg {
	uint32_t type;
	uint32_t custom_type_id;
	const void *data; /* read args */
	void *out;	  /* write args: receives produced bytes */
	uint64_t len;	  /* bytes / capacity */
	bool segments;	  /* large-arg path (guest pages + segment list) */
	uint8_t layout;	  /* enum vmm_seg_layout */
	bool in_place;	  /* data already in guest memory at gpa */
	uint64_t gpa;	  /* in_place: where */
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
	/* submission state */
	unsigned int q;
	uint16_t head;
	uint64_t w_gpa;
	uint64_t pages[2 * VMM_MAX_ARGS];
};

/* Fill *r as a RESOURCE_CREATE of one LIB blob `name` with the bytes of a
 * shared library (segment argument), registered with session sess. */
void vmm_lib_resource_req(struct vmm_req *r, uint64_t sess, const char *name,
			  const uint8_t *so, uint64_t len);

/* Fill *r as an OP/EXEC_WITH_RESOURCE of function fn in library resource
 * *gid: read args 0 and 1; the caller fills the others (nr_read >= 2 and
 * nr_write count them). gid and fn must outlive the request. */
void vmm_exec_req(struct vmm_req *r, uint64_t sess, const int64_t *gid,
		  const char *fn, unsigned int nr_read, unsigned int nr_write);

/* Build, submit, wait, decode. Returns 0 if a response header came back. */
int vmm_request(struct vmm *v, struct vmm_req *r);
/* The same on queue q with buffers from arena a (reset first) and the
 * descriptors [desc_base, desc_base + VMM_REQ_DESCS). */
int vmm_submit(struct vmm *v, unsigned int q, struct vmm_arena *a,
	       uint16_t desc_base, struct vmm_req *r);
int vmm_complete(struct vmm *v, struct vmm_req *r, int timeout_ms);

/* Raw vhost-user messages (control-plane tests). */
int vmm_msg_send(struct vmm *v, uint32_t req, uint32_t flags, const void *p,
		 uint32_t size, const int *fds, int nfds);
/* Send raw bytes (possibly a lie about the payload size). */
int vmm_sock_send(struct vmm *v, const void *buf, size_t len, const int *fds,
		  int nfds);
/* Receive one message: returns its payload size and fills *req; -1 on
 * timeout, -2 when the daemon closed the connection. */
int vmm_msg_recv(struct vmm *v, uint32_t *req, void *p, uint32_t cap,
		 int timeout_ms);
/* True once the daemon has closed the connection (EOF within timeout). */
bool vmm_peer_closed(struct vmm *v, int timeout_ms);

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t vmm_now_ms(void);

#endif
