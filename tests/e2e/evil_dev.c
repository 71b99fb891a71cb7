// SPDX-License-Identifier: Apache-2.0
/*
 * evil_dev: a malicious virtio-accel device (vhost-user back-end) for the
 * guest driver's robustness tests. It plays against the real driver in a
 * guest (vm/run-uml.sh --backend-cmd) and breaks the protocol on purpose;
 * the guest program driver/tests/va_evil.c checks that every misdeed ends
 * in a clean error and the debug kernel reports nothing.
 *
 *   evil_dev --socket PATH [--mode ops|huge-inline] [--split-every BYTES]
 *            [--hold-quiet SECS]
 *
 * Both modes answer SESSION_CREATE/DESTROY and RESOURCE_* correctly (ids
 * counted, so that leaks show at disconnect: "live sessions at disconnect:
 * N"). OP requests are answered according to their op type (req_hdr.param):
 *
 *   0          echo: write arg 0 gets the bytes of the last read arg
 *              (inline arguments only; segment arguments are checked, see
 *              below, and produce nothing)
 *   0xE7A0     tag mismatch in the response
 *   0xE7A1     status 11 (> VIRTIO_ACCEL_BUSY)
 *   0xE7A2     used length 4096 bytes beyond the writable size
 *   0xE7A3     write arg 0 produced = its capacity + 1
 *   0xE7A4     nr_write in the response = the request's + 1
 *   0xE7A5     hold: never completed, until no new chain arrived for
 *              --hold-quiet seconds (default 20); then all held chains
 *              complete with status ERR (keeps the ring full)
 *
 * --mode ops (default) offers F_SEGMENTS and F_RESOURCES and treats every
 * multiple of --split-every (default 128 MiB) as a boundary between two
 * guest memory regions: a data segment that straddles one gets status
 * FAULT, as the reference device does for a segment outside one region
 * (docs/protocol.md). --mode huge-inline offers no features and a config
 * space with max_inline_bytes = UINT32_MAX.
 *
 * SIGTERM/SIGINT end it with status 0.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <linux/virtio_accel.h>

#include "vhost_user.h"
#include "virtq.h"

enum evil_op {
	EVIL_TAG = 0xE7A0,
	EVIL_STATUS = 0xE7A1,
	EVIL_USED = 0xE7A2,
	EVIL_PRODUCED = 0xE7A3,
	EVIL_NRWRITE = 0xE7A4,
	EVIL_HOLD = 0xE7A5,
};

#define MAX_ARGS 64
#define MAX_IDS	 (1u << 16)

static struct {
	bool huge_inline;
	uint64_t split;
	double quiet;
} opt = {.split = 128ull << 20, .quiet = 20};

static volatile sig_atomic_t stop;
static struct vu_dev vu;
static struct vq_elem elem;
static uint8_t live[MAX_IDS];
static uint32_t next_id = 1, nr_live, nr_destroyed, nr_faults;

struct held {
	uint16_t head;
	uint32_t used;
};
static struct held held[VQ_MAX_SIZE];
static unsigned int nr_held;
static double last_pop;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t dev_features(struct vu_dev *dev)
{
	(void)dev;
	if (opt.huge_inline)
		return 0;
	return (1ull << VIRTIO_ACCEL_F_SEGMENTS) |
	       (1ull << VIRTIO_ACCEL_F_RESOURCES);
}

static int dev_get_config(struct vu_dev *dev, uint8_t *buf, uint32_t off,
			  uint32_t len)
{
	(void)dev;
	struct virtio_accel_config c;
	memset(&c, 0, sizeof(c));
	c.version_min = htole16(1);
	c.version_max = htole16(1);
	c.num_queues = htole16(1);
	c.status = htole32(VIRTIO_ACCEL_S_HW_READY);
	c.max_args = htole32(MAX_ARGS);
	c.max_segments = htole32(opt.huge_inline ? 0 : 4096);
	c.max_table_entries = htole32(opt.huge_inline ? 0 : 256);
	c.max_inline_bytes = htole32(opt.huge_inline ? UINT32_MAX : 1u << 20);
	c.max_blobs = htole32(8);
	c.max_arg_size = htole64(1ull << 30);
	c.max_request_bytes = htole64(2ull << 30);
	c.max_sessions = htole32(MAX_IDS - 1);
	c.max_resources = htole32(64);
	c.max_timer_bytes = htole32(4096);
	if (off > sizeof(c) || len > sizeof(c) - off)
		return -1;
	memcpy(buf, (uint8_t *)&c + off, len);
	return 0;
}

/* Complete every held chain of the queue (status ERR already written). */
static void release_held(struct vq *q)
{
	bool notify = false;
	pthread_mutex_lock(&q->lock);
	for (unsigned int i = 0; i < nr_held; i++)
		notify |= vq_push(q, held[i].head, held[i].used);
	if (nr_held)
		fprintf(stderr, "evil_dev: completed %u held chains\n",
			nr_held);
	nr_held = 0;
	pthread_mutex_unlock(&q->lock);
	if (notify)
		vq_notify(q);
}

static void q_stop(struct vu_dev *dev, unsigned int idx)
{
	release_held(&dev->vq[idx]);
}

static const struct vu_iface iface = {
	.get_features = dev_features,
	.get_config = dev_get_config,
	.queue_stop = q_stop,
};

static uint32_t new_id(void)
{
	for (unsigned int n = 0; n < MAX_IDS; n++) {
		uint32_t id = next_id;
		next_id = next_id + 1 < MAX_IDS ? next_id + 1 : 1;
		if (!live[id]) {
			live[id] = 1;
			nr_live++;
			return id;
		}
	}
	return 0;
}

static bool kill_id(uint64_t id)
{
	if (!id || id >= MAX_IDS || !live[id])
		return false;
	live[id] = 0;
	nr_live--;
	nr_destroyed++;
	return true;
}

/* Does any top-level segment of the request straddle a split boundary? */
static bool straddles(const struct vq_elem *e, uint64_t off,
		      const struct virtio_accel_arg_desc *d, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		if (!(le32toh(d[i].flags) & VIRTIO_ACCEL_ARG_F_SEGMENTS))
			continue;
		for (uint32_t k = 0; k < le32toh(d[i].nr_segs); k++) {
			struct virtio_accel_seg s;
			if (iov_copy_from(e->in, e->nr_in, off, &s,
					  sizeof(s)) != sizeof(s))
				return true;
			off += sizeof(s);
			uint64_t a = le64toh(s.addr), l = le32toh(s.len);
			if (le32toh(s.flags) & VIRTIO_ACCEL_SEG_F_INDIRECT)
				continue; /* tables: one page, never split */
			if (l && a / opt.split != (a + l - 1) / opt.split) {
				fprintf(stderr,
					"evil_dev: segment 0x%" PRIx64
					"+0x%" PRIx64 " straddles a region "
					"boundary: FAULT\n",
					a, l);
				return true;
			}
		}
	}
	return false;
}

/* Answer an OP; returns the used length. */
static uint32_t handle_op(const struct vq_elem *e,
			  const struct virtio_accel_req_hdr *h,
			  struct virtio_accel_resp_hdr *r, bool *hold)
{
	uint32_t nr_read = le32toh(h->nr_read), nr_write = le32toh(h->nr_write);
	uint32_t nargs = nr_read + nr_write, param = le32toh(h->param);
	struct virtio_accel_arg_desc d[MAX_ARGS];
	uint64_t off = sizeof(*h), nsegs = 0;

	if (nargs > MAX_ARGS || nargs < nr_read ||
	    iov_copy_from(e->in, e->nr_in, off, d, nargs * sizeof(d[0])) !=
		    nargs * sizeof(d[0])) {
		r->status = htole32(VIRTIO_ACCEL_BADMSG);
		return sizeof(*r);
	}
	off += nargs * sizeof(d[0]);
	for (uint32_t i = 0; i < nargs; i++)
		if (le32toh(d[i].flags) & VIRTIO_ACCEL_ARG_F_SEGMENTS)
			nsegs += le32toh(d[i].nr_segs);
	if (straddles(e, off, d, nargs)) {
		nr_faults++;
		r->status = htole32(VIRTIO_ACCEL_FAULT);
		return sizeof(*r);
	}
	off += nsegs * sizeof(struct virtio_accel_seg);

	/* inline read data, in arg order, then the W layout */
	uint64_t src_off = 0, src_len = 0, w_off, w_len;
	for (uint32_t i = 0; i < nr_read; i++) {
		if (le32toh(d[i].flags) & VIRTIO_ACCEL_ARG_F_SEGMENTS)
			continue;
		src_off = off;
		src_len = le64toh(d[i].len);
		off += src_len;
	}
	w_off = sizeof(*r) + (uint64_t)nr_write *
				     sizeof(struct virtio_accel_resp_arg);
	w_len = w_off;
	for (uint32_t i = nr_read; i < nargs; i++)
		if (!(le32toh(d[i].flags) & VIRTIO_ACCEL_ARG_F_SEGMENTS))
			w_len += le64toh(d[i].len);
	if (off > e->in_len || w_len > e->out_len) {
		r->status = htole32(VIRTIO_ACCEL_BADMSG);
		return sizeof(*r);
	}

	if (param == EVIL_HOLD) {
		*hold = true;
		r->status = htole32(VIRTIO_ACCEL_ERR);
		return sizeof(*r);
	}
	r->nr_write = htole32(nr_write);
	for (uint32_t i = 0; i < nr_write; i++) {
		const struct virtio_accel_arg_desc *wd = &d[nr_read + i];
		struct virtio_accel_resp_arg ra = {.type = wd->type};
		uint64_t cap = le64toh(wd->len), n = 0;
		bool seg = le32toh(wd->flags) & VIRTIO_ACCEL_ARG_F_SEGMENTS;
		if (i == 0 && !seg) {
			n = src_len < cap ? src_len : cap;
			uint8_t *tmp = n ? malloc(n) : NULL;
			if (n && tmp) {
				iov_copy_from(e->in, e->nr_in, src_off, tmp, n);
				iov_copy_to(e->out, e->nr_out, w_off, tmp, n);
			}
			free(tmp);
		}
		if (i == 0 && param == EVIL_PRODUCED)
			n = cap + 1;
		ra.len = htole64(n);
		iov_copy_to(e->out, e->nr_out,
			    sizeof(*r) + i * sizeof(ra), &ra, sizeof(ra));
		if (!seg)
			w_off += cap;
	}
	switch (param) {
	case EVIL_TAG:
		r->tag = htole64(le64toh(h->tag) + 1);
		break;
	case EVIL_STATUS:
		r->status = htole32(11);
		break;
	case EVIL_NRWRITE:
		r->nr_write = htole32(nr_write + 1);
		break;
	case EVIL_USED:
		return (uint32_t)e->out_len + 4096;
	default:
		break;
	}
	return (uint32_t)w_len;
}

static uint32_t handle(const struct vq_elem *e, bool bad, bool *hold)
{
	struct virtio_accel_req_hdr h;
	struct virtio_accel_resp_hdr r;

	*hold = false;
	if (bad || e->in_len < sizeof(h) || e->out_len < sizeof(r))
		return 0;
	iov_copy_from(e->in, e->nr_in, 0, &h, sizeof(h));
	memset(&r, 0, sizeof(r));
	r.tag = h.tag;
	r.status = htole32(VIRTIO_ACCEL_OK);
	uint32_t used = sizeof(r);
	switch (le16toh(h.cmd)) {
	case VIRTIO_ACCEL_CMD_SESSION_CREATE:
	case VIRTIO_ACCEL_CMD_RESOURCE_CREATE: {
		uint32_t id = new_id();
		if (id)
			r.object_id = htole64(id);
		else
			r.status = htole32(VIRTIO_ACCEL_LIMIT);
		break;
	}
	case VIRTIO_ACCEL_CMD_SESSION_DESTROY:
		if (!kill_id(le64toh(h.session_id)))
			r.status = htole32(VIRTIO_ACCEL_NOSESS);
		break;
	case VIRTIO_ACCEL_CMD_RESOURCE_DESTROY:
		if (!kill_id(le64toh(h.object_id)))
			r.status = htole32(VIRTIO_ACCEL_NORES);
		break;
	case VIRTIO_ACCEL_CMD_RESOURCE_REGISTER:
	case VIRTIO_ACCEL_CMD_RESOURCE_UNREGISTER:
		break;
	case VIRTIO_ACCEL_CMD_OP:
		used = handle_op(e, &h, &r, hold);
		break;
	default:
		r.status = htole32(VIRTIO_ACCEL_UNSUPP);
		break;
	}
	iov_copy_to(e->out, e->nr_out, 0, &r, sizeof(r));
	return used;
}

static void drain(struct vq *q)
{
	struct vq_mem *mem = vu_mem_get(&vu);
	bool notify = false, more = true;

	vq_kick_clear(q);
	while (more) {
		pthread_mutex_lock(&q->lock);
		for (;;) {
			bool bad, hold;
			int rc = vq_pop(q, mem, &elem, &bad);
			if (rc <= 0)
				break;
			last_pop = now();
			uint32_t used = handle(&elem, bad, &hold);
			if (hold && nr_held < VQ_MAX_SIZE) {
				held[nr_held].head = elem.head;
				held[nr_held].used = used;
				nr_held++;
				continue;
			}
			notify |= vq_push(q, elem.head, used);
		}
		more = q->started && q->enabled && vq_enable_notify(q);
		pthread_mutex_unlock(&q->lock);
	}
	if (notify)
		vq_notify(q);
	vq_mem_put(mem);
}

static void serve(int sock)
{
	if (vu_dev_init(&vu, sock, 1, &iface, NULL) < 0) {
		fprintf(stderr, "evil_dev: vu_dev_init failed\n");
		close(sock);
		return;
	}
	struct vq *q = &vu.vq[0];
	while (!stop) {
		struct pollfd p[2] = {{.fd = sock, .events = POLLIN}};
		int n = 1;
		pthread_mutex_lock(&q->lock);
		if (q->started && q->kick_fd >= 0) {
			p[1].fd = q->kick_fd;
			p[1].events = POLLIN;
			n = 2;
		}
		pthread_mutex_unlock(&q->lock);
		int rc = poll(p, (nfds_t)n, 200);
		if (rc < 0 && errno != EINTR)
			break;
		if (rc > 0 && p[0].revents) {
			if (vu_dispatch(&vu) < 0)
				break;
			if (vu.errbuf[0]) {
				fprintf(stderr, "evil_dev: %s\n", vu.errbuf);
				vu.errbuf[0] = 0;
			}
			continue;
		}
		if (rc > 0 && n == 2 && p[1].revents)
			drain(q);
		if (nr_held && now() - last_pop > opt.quiet)
			release_held(q);
	}
	release_held(q);
	fprintf(stderr,
		"evil_dev: disconnected: live sessions at disconnect: %u "
		"(destroyed %u, faults %u)\n",
		nr_live, nr_destroyed, nr_faults);
	for (unsigned int i = 0; i < vu.nr_queues; i++) {
		pthread_mutex_lock(&vu.vq[i].lock);
		vu.vq[i].started = false;
		pthread_mutex_unlock(&vu.vq[i].lock);
	}
	vu_dev_destroy(&vu);
	close(sock);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: evil_dev --socket PATH [--mode ops|huge-inline] "
		   "[--split-every BYTES] [--hold-quiet SECS]\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"socket", required_argument, NULL, 's'},
		{"mode", required_argument, NULL, 'm'},
		{"split-every", required_argument, NULL, 'S'},
		{"hold-quiet", required_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			path = optarg;
			break;
		case 'm':
			if (!strcmp(optarg, "huge-inline"))
				opt.huge_inline = true;
			else if (strcmp(optarg, "ops")) {
				usage(stderr);
				return 2;
			}
			break;
		case 'S':
			opt.split = strtoull(optarg, NULL, 0);
			break;
		case 'q':
			opt.quiet = strtod(optarg, NULL);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!path || !opt.split || strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		usage(stderr);
		return 2;
	}
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	strcpy(sun.sun_path, path);
	unlink(path);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    listen(ls, 1) < 0) {
		perror("evil_dev: socket");
		return 1;
	}
	fprintf(stderr, "evil_dev: listening on %s (mode %s)\n", path,
		opt.huge_inline ? "huge-inline" : "ops");
	while (!stop) {
		struct pollfd p = {.fd = ls, .events = POLLIN};
		if (poll(&p, 1, 200) <= 0)
			continue;
		int s = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
		if (s < 0)
			continue;
		fprintf(stderr, "evil_dev: front-end connected\n");
		serve(s);
	}
	close(ls);
	unlink(path);
	return 0;
}
