// SPDX-License-Identifier: Apache-2.0
#include "vmm.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PF_MQ		    (1ull << 0)
#define PF_REPLY_ACK	    (1ull << 3)
#define PF_CONFIG	    (1ull << 9)
#define PF_INFLIGHT_SHMFD   (1ull << 12)
#define F_PROTOCOL_FEATURES (1ull << 30)
#define F_VERSION_1	    (1ull << 32)
#define F_INDIRECT	    (1ull << 28)
#define F_EVENT_IDX	    (1ull << 29)

/* Generous bounds: a loaded machine (sanitizers, parallel builds) must make
 * the tests slower, never make them fail. */
#define START_TIMEOUT_MS 30000
#define STOP_TIMEOUT_MS	 30000

struct msg {
	uint32_t request, flags, size;
	uint8_t payload[512];
};

int64_t vmm_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* ---------------------------------------------------------------------- */
/* daemon process                                                          */
/* ---------------------------------------------------------------------- */

static bool stats_fill(struct daemon *d, int wait_ms);

/* Start the daemon on d->sock; wait until it listens. */
static int daemon_spawn(struct daemon *d, const char *plugin,
			const char *const *extra)
{
	const char *bin = getenv("VHOST_USER_ACCEL");
	if (!bin)
		bin = "vhost-user-accel";
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	d->pid = fork();
	if (d->pid < 0)
		return -1;
	if (d->pid == 0) {
		/* a test that fails half-way leaves no daemon behind (its
		 * front-end processes die with it) */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		char fdbuf[16];
		int sfd = dup(pfd[1]); /* without CLOEXEC */
		snprintf(fdbuf, sizeof(fdbuf), "%d", sfd);
		const char *argv[40];
		int n = 0;
		argv[n++] = bin;
		argv[n++] = "--socket";
		argv[n++] = d->sock;
		argv[n++] = "--stats-fd";
		argv[n++] = fdbuf;
		if (plugin) {
			argv[n++] = "--plugins";
			argv[n++] = plugin;
		}
		const char *x = getenv("VHOST_USER_ACCEL_EXTRA");
		if (x && *x)
			argv[n++] = x; /* e.g. --confined */
		for (int i = 0; extra && extra[i] && n < 38; i++)
			argv[n++] = extra[i];
		argv[n] = NULL;
		execv(bin, (char *const *)argv);
		execvp(bin, (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	d->stats_rd = pfd[0];
	/* wait for the socket (vmm_connect retries until it accepts) */
	int64_t deadline = vmm_now_ms() + START_TIMEOUT_MS;
	while (vmm_now_ms() < deadline) {
		struct stat st;
		if (stat(d->sock, &st) == 0 && S_ISSOCK(st.st_mode))
			return 0;
		int status;
		if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
			d->pid = -1;
			return -1;
		}
		sleep_ms(5);
	}
	return -1;
}

int daemon_start(struct daemon *d, const char *plugin, const char *const *extra)
{
	const char *tmp = getenv("TMPDIR");
	memset(d, 0, sizeof(*d));
	d->stats_rd = -1;
	snprintf(d->dir, sizeof(d->dir), "%s/vua-test.XXXXXX",
		 tmp ? tmp : P_tmpdir);
	if (!mkdtemp(d->dir))
		return -1;
	snprintf(d->sock, sizeof(d->sock), "%s/accel.sock", d->dir);
	return daemon_spawn(d, plugin, extra);
}

int daemon_kill_restart(struct daemon *d, const char *plugin,
			const char *const *extra)
{
	if (d->pid > 0) {
		int status;
		kill(d->pid, SIGKILL);
		waitpid(d->pid, &status, 0);
		d->pid = -1;
	}
	if (d->stats_rd >= 0)
		close(d->stats_rd);
	d->stats_rd = -1;
	d->shave = 0;
	unlink(d->sock); /* stale: wait for the new one */
	return daemon_spawn(d, plugin, extra);
}

bool daemon_alive(struct daemon *d)
{
	int status;
	return d->pid > 0 && waitpid(d->pid, &status, WNOHANG) == 0;
}

int daemon_stop(struct daemon *d)
{
	int status = -1;
	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		int64_t deadline = vmm_now_ms() + STOP_TIMEOUT_MS;
		for (;;) {
			if (waitpid(d->pid, &status, WNOHANG) == d->pid)
				break;
			if (vmm_now_ms() > deadline) {
				fprintf(stderr,
					"harness: daemon %d ignored "
					"SIGTERM; killing it\n",
					(int)d->pid);
				kill(d->pid, SIGKILL);
				waitpid(d->pid, &status, 0);
				status = -1;
				break;
			}
			sleep_ms(5);
		}
		d->pid = -1;
	}
	/* records up to EOF: a front-end process that crashed (a sanitizer
	 * report included) fails the run, unless the test expected it */
	int64_t end = vmm_now_ms() + 5000;
	while (d->stats_rd >= 0 && vmm_now_ms() < end && stats_fill(d, 100))
		(void)daemon_crashes(d);
	(void)daemon_crashes(d);
	if (d->crashes > d->expected_crashes) {
		fprintf(stderr,
			"harness: %u front-end process(es) of the daemon "
			"ended abnormally\n",
			d->crashes - d->expected_crashes);
		status = status == 0 ? 0x100 : status;
	}
	if (d->stats_rd >= 0)
		close(d->stats_rd);
	d->stats_rd = -1;
	unlink(d->sock);
	rmdir(d->dir);
	return status;
}

/* One complete stats line was read (and is consumed). */
static void stats_seen(struct daemon *d, const char *line)
{
	if (strstr(line, "event=exit") && !strstr(line, "result=ok"))
		d->crashes++;
}

/* Read what the stats pipe has within wait_ms; false at EOF/error. */
static bool stats_fill(struct daemon *d, int wait_ms)
{
	if (d->shave == sizeof(d->sbuf) - 1)
		d->shave = 0; /* an absurd line: drop it */
	struct pollfd p = {.fd = d->stats_rd, .events = POLLIN};
	if (poll(&p, 1, wait_ms) > 0) {
		ssize_t n = read(d->stats_rd, d->sbuf + d->shave,
				 sizeof(d->sbuf) - 1 - d->shave);
		if (n <= 0)
			return false;
		d->shave += (size_t)n;
	}
	return true;
}

bool daemon_stats_wait(struct daemon *d, const char *needle, int timeout_ms,
		       char *line, size_t line_size)
{
	int64_t deadline = vmm_now_ms() + timeout_ms;
	for (;;) {
		char *nl;
		while ((nl = memchr(d->sbuf, '\n', d->shave))) {
			*nl = 0;
			stats_seen(d, d->sbuf);
			bool hit = strstr(d->sbuf, needle) != NULL;
			if (hit && line)
				snprintf(line, line_size, "%s", d->sbuf);
			size_t used = (size_t)(nl - d->sbuf) + 1;
			memmove(d->sbuf, d->sbuf + used, d->shave - used);
			d->shave -= used;
			if (hit)
				return true;
		}
		int64_t left = deadline - vmm_now_ms();
		if (left < 0 || d->stats_rd < 0)
			return false;
		if (!stats_fill(d, (int)(left > 100 ? 100 : left)))
			return false;
	}
}

unsigned int daemon_crashes(struct daemon *d)
{
	/* consume every complete line available now */
	(void)daemon_stats_wait(d, "\x01never\x01", 0, NULL, 0);
	return d->crashes;
}

int daemon_children(struct daemon *d, int *pids, int max)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)d->pid,
		 (int)d->pid);
	FILE *f = fopen(path, "r");
	int n = 0;
	if (!f)
		return 0;
	while (n < max && fscanf(f, "%d", &pids[n]) == 1)
		n++;
	fclose(f);
	return n;
}

/* ---------------------------------------------------------------------- */
/* vhost-user front-end                                                    */
/* ---------------------------------------------------------------------- */

int vmm_sock_send(struct vmm *v, const void *buf, size_t len, const int *fds,
		  int nfds)
{
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	union {
		char buf[CMSG_SPACE(16 * sizeof(int))];
		struct cmsghdr a;
	} c;
	memset(&c, 0,
	       sizeof(c)); /* no uninitialised cmsg padding on the wire */
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	if (nfds > 16)
		return -1;
	if (nfds) {
		mh.msg_control = c.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	return sendmsg(v->sock, &mh, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

int vmm_msg_send(struct vmm *v, uint32_t req, uint32_t flags, const void *p,
		 uint32_t size, const int *fds, int nfds)
{
	struct msg m = {.request = req, .flags = 1 | flags, .size = size};
	if (size > sizeof(m.payload))
		return -1;
	if (size)
		memcpy(m.payload, p, size);
	return vmm_sock_send(v, &m, 12 + size, fds, nfds);
}

static int recv_all(int sock, void *buf, size_t len, int64_t deadline)
{
	size_t got = 0;
	while (got < len) {
		int64_t left = deadline - vmm_now_ms();
		if (left < 0)
			return -1;
		struct pollfd p = {.fd = sock, .events = POLLIN};
		int pr = poll(&p, 1, (int)(left > 100 ? 100 : left));
		if (pr < 0 && errno != EINTR)
			return -2;
		if (pr <= 0)
			continue;
		ssize_t n = recv(sock, (uint8_t *)buf + got, len - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -2;
		got += (size_t)n;
	}
	return 0;
}

int vmm_msg_recv(struct vmm *v, uint32_t *req, void *p, uint32_t cap,
		 int timeout_ms)
{
	int64_t deadline = vmm_now_ms() + timeout_ms;
	uint32_t h[3];
	int rc = recv_all(v->sock, h, sizeof(h), deadline);
	if (rc < 0)
		return rc;
	if (h[2] > 4096)
		return -2;
	uint8_t buf[4096];
	if (h[2] && (rc = recv_all(v->sock, buf, h[2], deadline)) < 0)
		return rc;
	if (req)
		*req = h[0];
	if (p)
		memcpy(p, buf, h[2] < cap ? h[2] : cap);
	return (int)h[2];
}

bool vmm_peer_closed(struct vmm *v, int timeout_ms)
{
	int64_t deadline = vmm_now_ms() + timeout_ms;
	for (;;) {
		int64_t left = deadline - vmm_now_ms();
		if (left < 0)
			return false;
		struct pollfd p = {.fd = v->sock, .events = POLLIN};
		int pr = poll(&p, 1, (int)(left > 100 ? 100 : left));
		if (pr <= 0)
			continue;
		uint8_t b[256];
		ssize_t n = recv(v->sock, b, sizeof(b), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return true;
		/* stray reply bytes: keep reading until EOF */
	}
}

static int recv_reply(struct vmm *v, uint32_t req, void *p, uint32_t size)
{
	uint32_t got;
	uint8_t buf[4096];
	int n = vmm_msg_recv(v, &got, buf, sizeof(buf), START_TIMEOUT_MS);
	if (n < 0 || got != req || (uint32_t)n < size)
		return -1;
	memcpy(p, buf, size);
	return 0;
}

/* A reply that carries one fd (GET_INFLIGHT_FD); *fd = -1 if none. */
static int recv_reply_fd(struct vmm *v, uint32_t req, void *p, uint32_t size,
			 int *fd)
{
	int64_t deadline = vmm_now_ms() + START_TIMEOUT_MS;
	uint32_t h[3];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr a;
	} c;
	struct iovec iov = {.iov_base = h, .iov_len = sizeof(h)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = c.buf,
			    .msg_controllen = sizeof(c.buf)};
	*fd = -1;
	struct pollfd pf = {.fd = v->sock, .events = POLLIN};
	if (poll(&pf, 1, START_TIMEOUT_MS) <= 0 ||
	    recvmsg(v->sock, &mh, MSG_CMSG_CLOEXEC) != (ssize_t)sizeof(h))
		return -1;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm;
	     cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(fd, CMSG_DATA(cm), sizeof(int));
	uint8_t buf[512];
	if (h[0] != req || h[2] < size || h[2] > sizeof(buf) ||
	    recv_all(v->sock, buf, h[2], deadline) < 0) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return -1;
	}
	memcpy(p, buf, size);
	return 0;
}

static int get_u64(struct vmm *v, uint32_t req, uint64_t *out)
{
	if (vmm_msg_send(v, req, 0, NULL, 0, NULL, 0) < 0)
		return -1;
	return recv_reply(v, req, out, 8);
}

/* Send with NEED_REPLY and check the ack. */
static int send_ack(struct vmm *v, uint32_t req, const void *p, uint32_t sz,
		    const int *fds, int nfds)
{
	uint64_t ack = 1;
	if (vmm_msg_send(v, req, VMM_MSG_NEED_REPLY, p, sz, fds, nfds) < 0 ||
	    recv_reply(v, req, &ack, 8) < 0)
		return -1;
	return ack == 0 ? 0 : -1;
}

uint64_t vmm_arena_alloc(struct vmm *v, struct vmm_arena *a, size_t len,
			 size_t align)
{
	(void)v;
	uint64_t p = (a->brk + align - 1) / align * align;
	if (p < a->base || p + len > a->base + a->size || p + len < p)
		return 0;
	a->brk = p + len;
	return p;
}

uint64_t vmm_alloc(struct vmm *v, size_t len, size_t align)
{
	return vmm_arena_alloc(v, &v->heap, len, align);
}

int vmm_arena_carve(struct vmm *v, struct vmm_arena *a, size_t size)
{
	size = (size + 4095) / 4096 * 4096;
	if (size + 65536 > v->heap.size)
		return -1;
	v->heap.size -= size;
	a->base = a->brk = v->heap.base + v->heap.size;
	a->size = size;
	return 0;
}

void *vmm_ptr(struct vmm *v, uint64_t gpa)
{
	return v->mem + gpa;
}

void vmm_reset_heap(struct vmm *v)
{
	v->heap.brk = v->heap.base;
}

uint64_t vmm_heap_start(struct vmm *v)
{
	return v->heap.base;
}

static int sock_connect(const char *path)
{
	int64_t deadline = vmm_now_ms() + START_TIMEOUT_MS;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	for (;;) {
		int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0)
			return -1;
		if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return s;
		int e = errno;
		close(s);
		/* not there yet, or bound but not yet listening */
		if ((e != ENOENT && e != ECONNREFUSED && e != EAGAIN) ||
		    vmm_now_ms() > deadline)
			return -1;
		sleep_ms(5);
	}
}

struct vmm_inflight_msg {
	uint64_t mmap_size, mmap_offset;
	uint16_t num_queues, queue_size;
	uint32_t pad;
};

/* Features, protocol features, config and memory table of a connection. */
static int negotiate(struct vmm *v, unsigned int flags)
{
	uint64_t f, pf;
	if (get_u64(v, VMM_GET_FEATURES, &f) < 0 || !(f & F_VERSION_1) ||
	    !(f & F_PROTOCOL_FEATURES))
		return -1;
	v->features = f & (F_VERSION_1 | F_INDIRECT | F_EVENT_IDX |
			   F_PROTOCOL_FEATURES | 0xffffffull);
	if (flags & VMM_F_NO_MODELS)
		v->features &= ~(1ull << VIRTIO_ACCEL_F_MODELS);
	v->event_idx = v->features & F_EVENT_IDX;
	if (vmm_msg_send(v, VMM_SET_FEATURES, 0, &v->features, 8, NULL, 0) <
		    0 ||
	    get_u64(v, VMM_GET_PROTOCOL_FEATURES, &pf) < 0)
		return -1;
	pf &= PF_MQ | PF_REPLY_ACK | PF_CONFIG |
	      ((flags & VMM_F_INFLIGHT) ? PF_INFLIGHT_SHMFD : 0);
	if ((flags & VMM_F_INFLIGHT) && !(pf & PF_INFLIGHT_SHMFD))
		return -1;
	if (!(pf & PF_REPLY_ACK) || !(pf & PF_CONFIG) ||
	    vmm_msg_send(v, VMM_SET_PROTOCOL_FEATURES, 0, &pf, 8, NULL, 0) <
		    0 ||
	    send_ack(v, VMM_SET_OWNER, NULL, 0, NULL, 0) < 0)
		return -1;

	uint8_t cfgmsg[12 + sizeof(v->cfg)];
	uint32_t hdr[3] = {0, sizeof(v->cfg), 0};
	memcpy(cfgmsg, hdr, 12);
	memset(cfgmsg + 12, 0, sizeof(v->cfg));
	if (vmm_msg_send(v, VMM_GET_CONFIG, 0, cfgmsg, sizeof(cfgmsg), NULL,
			 0) < 0 ||
	    recv_reply(v, VMM_GET_CONFIG, cfgmsg, sizeof(cfgmsg)) < 0)
		return -1;
	memcpy(&v->cfg, cfgmsg + 12, sizeof(v->cfg));

	/* one region at gpa 0; the "front-end VA" is our own mapping */
	struct {
		uint32_t n, pad;
		uint64_t gpa, size, uva, off;
	} mt = {1, 0, 0, v->mem_size, (uint64_t)(uintptr_t)v->mem, 0};
	if (send_ack(v, VMM_SET_MEM_TABLE, &mt, sizeof(mt), &v->memfd, 1) < 0)
		return -1;

	if (flags & VMM_F_INFLIGHT) {
		/* once per device, then handed back on every connection */
		struct vmm_inflight_msg im = {.num_queues = (uint16_t)v->nq,
					      .queue_size = VMM_QSIZE};
		if (v->infl_fd < 0) {
			if (vmm_msg_send(v, VMM_GET_INFLIGHT_FD, 0, &im,
					 sizeof(im), NULL, 0) < 0 ||
			    recv_reply_fd(v, VMM_GET_INFLIGHT_FD, &im,
					  sizeof(im), &v->infl_fd) < 0 ||
			    v->infl_fd < 0 || !im.mmap_size)
				return -1;
			v->infl_size = im.mmap_size;
			v->infl_off = im.mmap_offset;
		}
		im.mmap_size = v->infl_size;
		im.mmap_offset = v->infl_off;
		im.num_queues = (uint16_t)v->nq;
		im.queue_size = VMM_QSIZE;
		if (send_ack(v, VMM_SET_INFLIGHT_FD, &im, sizeof(im),
			     &v->infl_fd, 1) < 0)
			return -1;
	}
	return 0;
}

/* Hand queue q (laid out already) to the back-end, from ring index base. */
static int ring_setup(struct vmm *v, unsigned int q, uint16_t base_idx)
{
	uint32_t st[2] = {q, VMM_QSIZE};
	struct {
		uint32_t index, flags;
		uint64_t desc, used, avail, log;
	} ad = {q,
		0,
		(uint64_t)(uintptr_t)(v->mem + v->desc_gpa[q]),
		(uint64_t)(uintptr_t)(v->mem + v->used_gpa[q]),
		(uint64_t)(uintptr_t)(v->mem + v->avail_gpa[q]),
		0};
	uint32_t base[2] = {q, base_idx};
	uint64_t qi = q;
	uint32_t en[2] = {q, 1};
	if (send_ack(v, VMM_SET_VRING_NUM, st, 8, NULL, 0) < 0 ||
	    send_ack(v, VMM_SET_VRING_BASE, base, 8, NULL, 0) < 0 ||
	    send_ack(v, VMM_SET_VRING_ADDR, &ad, sizeof(ad), NULL, 0) < 0 ||
	    send_ack(v, VMM_SET_VRING_CALL, &qi, 8, &v->call[q], 1) < 0 ||
	    send_ack(v, VMM_SET_VRING_ERR, &qi, 8, &v->err[q], 1) < 0 ||
	    send_ack(v, VMM_SET_VRING_KICK, &qi, 8, &v->kick[q], 1) < 0 ||
	    send_ack(v, VMM_SET_VRING_ENABLE, en, 8, NULL, 0) < 0)
		return -1;
	return 0;
}

int vmm_connect_ex(struct vmm *v, const char *sock, size_t mem_size,
		   unsigned int nq, unsigned int flags)
{
	memset(v, 0, sizeof(*v));
	v->memfd = -1;
	v->infl_fd = -1;
	for (unsigned int q = 0; q < VMM_MAX_QUEUES; q++)
		v->kick[q] = v->call[q] = v->err[q] = -1;
	if (nq > VMM_MAX_QUEUES)
		return -1;
	v->next_tag = 0x1000;
	v->sock = sock_connect(sock);
	if (v->sock < 0)
		return -1;
	if (flags & VMM_F_FILE_MEM)
		v->memfd = open("/dev/shm", O_TMPFILE | O_RDWR | O_CLOEXEC,
				0600);
	else
		v->memfd = memfd_create("guest-ram",
					MFD_CLOEXEC | MFD_ALLOW_SEALING);
	v->mem_size = mem_size;
	if (v->memfd < 0 || ftruncate(v->memfd, (off_t)mem_size) < 0)
		return -1;
	v->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->memfd, 0);
	if (v->mem == MAP_FAILED) {
		v->mem = NULL;
		return -1;
	}
	v->nq = nq;
	if (negotiate(v, flags) < 0)
		return -1;

	/* rings at the start of guest memory, three pages per queue */
	uint64_t brk = 4096;
	for (unsigned int q = 0; q < nq; q++) {
		v->desc_gpa[q] = brk;
		v->avail_gpa[q] = brk + 4096;
		v->used_gpa[q] = brk + 8192;
		brk += 3 * 4096;
		for (unsigned int i = 0; i < VMM_QSIZE; i++)
			v->done[q][i] = -1;
		v->kick[q] = eventfd(0, EFD_CLOEXEC);
		v->call[q] = eventfd(0, EFD_CLOEXEC);
		v->err[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (ring_setup(v, q, 0) < 0)
			return -1;
	}
	v->heap.base = v->heap.brk = (brk + 65535) / 65536 * 65536;
	v->heap.size = mem_size > v->heap.base ? mem_size - v->heap.base : 0;
	return 0;
}

int vmm_connect_q(struct vmm *v, const char *sock, size_t mem_size,
		  unsigned int nq)
{
	return vmm_connect_ex(v, sock, mem_size, nq, 0);
}

int vmm_reconnect(struct vmm *v, const char *sock, unsigned int flags)
{
	if (v->sock >= 0)
		close(v->sock);
	v->sock = sock_connect(sock);
	if (v->sock < 0 || negotiate(v, flags) < 0)
		return -1;
	for (unsigned int q = 0; q < v->nq; q++) {
		uint16_t used = __atomic_load_n(
			(uint16_t *)(v->mem + v->used_gpa[q] + 2),
			__ATOMIC_ACQUIRE);
		if (ring_setup(v, q, used) < 0)
			return -1;
	}
	return 0;
}

int vmm_connect(struct vmm *v, const char *sock, size_t mem_size)
{
	return vmm_connect_q(v, sock, mem_size, 1);
}

void vmm_disconnect(struct vmm *v)
{
	if (v->sock >= 0)
		close(v->sock);
	for (unsigned int q = 0; q < VMM_MAX_QUEUES; q++) {
		if (v->kick[q] >= 0)
			close(v->kick[q]);
		if (v->call[q] >= 0)
			close(v->call[q]);
		if (v->err[q] >= 0)
			close(v->err[q]);
	}
	if (v->mem)
		munmap(v->mem, v->mem_size);
	if (v->memfd >= 0)
		close(v->memfd);
	if (v->infl_fd >= 0)
		close(v->infl_fd);
	memset(v, 0, sizeof(*v));
	v->sock = v->memfd = v->infl_fd = -1;
	for (unsigned int q = 0; q < VMM_MAX_QUEUES; q++)
		v->kick[q] = v->call[q] = v->err[q] = -1;
}

/* ---------------------------------------------------------------------- */
/* rings                                                                   */
/* ---------------------------------------------------------------------- */

static volatile uint16_t *used_idx_p(struct vmm *v, unsigned int q)
{
	return (volatile uint16_t *)(v->mem + v->used_gpa[q] + 2);
}

/* used_event: after the avail ring */
static volatile uint16_t *used_event_p(struct vmm *v, unsigned int q)
{
	return (volatile uint16_t *)(v->mem + v->avail_gpa[q] + 4 +
				     2 * VMM_QSIZE);
}

/* avail_event: after the used ring */
static volatile uint16_t *avail_event_p(struct vmm *v, unsigned int q)
{
	return (volatile uint16_t *)(v->mem + v->used_gpa[q] + 4 +
				     8 * VMM_QSIZE);
}

static void harvest(struct vmm *v, unsigned int q)
{
	struct {
		uint32_t id, len;
	} *ring = (void *)(v->mem + v->used_gpa[q] + 4);
	uint16_t idx = __atomic_load_n(used_idx_p(v, q), __ATOMIC_ACQUIRE);
	while (v->used_seen[q] != idx) {
		uint16_t i = v->used_seen[q]++ % VMM_QSIZE;
		uint32_t id = ring[i].id;
		if (id < VMM_QSIZE) {
			v->done[q][id] = ring[i].len;
			v->completions[q][id]++;
		}
	}
}

unsigned int vmm_completions(struct vmm *v, unsigned int q, uint16_t head)
{
	harvest(v, q);
	return head < VMM_QSIZE ? v->completions[q][head] : 0;
}

long vmm_wait_head(struct vmm *v, unsigned int q, uint16_t head, int timeout_ms)
{
	int64_t deadline = vmm_now_ms() + timeout_ms;
	for (;;) {
		harvest(v, q);
		if (v->done[q][head] >= 0) {
			long len = (long)v->done[q][head];
			v->done[q][head] = -1;
			return len;
		}
		if (v->event_idx) {
			/* ask for a notification at the next used entry, then
			 * look again (the device may have been faster) */
			__atomic_store_n(used_event_p(v, q), v->used_seen[q],
					 __ATOMIC_RELEASE);
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			if (__atomic_load_n(used_idx_p(v, q),
					    __ATOMIC_ACQUIRE) !=
			    v->used_seen[q])
				continue;
		}
		int64_t left = deadline - vmm_now_ms();
		if (left < 0)
			return -1;
		struct pollfd p = {.fd = v->call[q], .events = POLLIN};
		if (poll(&p, 1, (int)(left > 100 ? 100 : left)) > 0) {
			uint64_t x;
			ssize_t r = read(v->call[q], &x, 8);
			(void)r;
		}
	}
}

void vmm_set_avail_idx(struct vmm *v, unsigned int q, uint16_t idx)
{
	uint16_t *avail = (uint16_t *)(v->mem + v->avail_gpa[q]);
	uint16_t old = v->avail_idx[q];
	v->avail_idx[q] = idx;
	__atomic_store_n(&avail[1], idx, __ATOMIC_RELEASE);
	if (v->event_idx && v->honor_avail_event) {
		/* virtio 1.x 2.7.10: kick iff avail_event is in [old, idx) */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		uint16_t ev = __atomic_load_n(avail_event_p(v, q),
					      __ATOMIC_ACQUIRE);
		if ((uint16_t)(idx - ev - 1) >= (uint16_t)(idx - old))
			return;
	}
	uint64_t one = 1;
	ssize_t r = write(v->kick[q], &one, 8);
	(void)r;
}

void vmm_post(struct vmm *v, unsigned int q, uint16_t head)
{
	uint16_t *avail = (uint16_t *)(v->mem + v->avail_gpa[q]);
	if (head < VMM_QSIZE) {
		v->done[q][head] = -1;
		v->completions[q][head] = 0;
	}
	avail[2 + v->avail_idx[q] % VMM_QSIZE] = head;
	vmm_set_avail_idx(v, q, (uint16_t)(v->avail_idx[q] + 1));
}

bool vmm_queue_error(struct vmm *v, unsigned int q, int timeout_ms)
{
	struct pollfd p = {.fd = v->err[q], .events = POLLIN};
	if (poll(&p, 1, timeout_ms) <= 0)
		return false;
	uint64_t x;
	return read(v->err[q], &x, 8) == 8 && x > 0;
}

long vmm_run_descs(struct vmm *v, unsigned int q, const void *descs,
		   unsigned int n, uint16_t head, int timeout_ms)
{
	memcpy(v->mem + v->desc_gpa[q], descs, n * sizeof(struct vmm_desc));
	vmm_post(v, q, head);
	return vmm_wait_head(v, q, head, timeout_ms);
}

static void write_chain(struct vmm *v, unsigned int q, uint16_t base,
			const struct vmm_buf *b, unsigned int n)
{
	struct vmm_desc *d = (struct vmm_desc *)(v->mem + v->desc_gpa[q]);
	for (unsigned int i = 0; i < n; i++) {
		struct vmm_desc x = {
			.addr = b[i].gpa,
			.len = b[i].len,
			.flags =
				(uint16_t)((b[i].write ? VMM_DESC_F_WRITE : 0) |
					   (i + 1 < n ? VMM_DESC_F_NEXT : 0)),
			.next = (uint16_t)(base + i + 1),
		};
		d[base + i] = x;
	}
}

long vmm_run_chain(struct vmm *v, unsigned int q, const struct vmm_buf *b,
		   unsigned int n, int timeout_ms)
{
	if (n == 0 || n > VMM_QSIZE)
		return -1;
	write_chain(v, q, 0, b, n);
	vmm_post(v, q, 0);
	return vmm_wait_head(v, q, 0, timeout_ms);
}

/* ---------------------------------------------------------------------- */
/* requests                                                                */
/* ---------------------------------------------------------------------- */

#define PG	     4096u
#define TBL_ENTRIES  256u /* entries per indirect table (one page) */
#define DIRECT_PAGES 4u	  /* up to this many pages: direct entries */

struct segs {
	struct virtio_accel_seg *e;
	uint32_t n, cap;
};

static int segs_add(struct segs *s, uint64_t addr, uint32_t len, uint32_t flags)
{
	if (s->n == s->cap) {
		uint32_t nc = s->cap ? s->cap * 2 : 64;
		void *p = realloc(s->e, nc * sizeof(*s->e));
		if (!p)
			return -1;
		s->e = p;
		s->cap = nc;
	}
	s->e[s->n].addr = htole64(addr);
	s->e[s->n].len = htole32(len);
	s->e[s->n].flags = htole32(flags);
	s->n++;
	return 0;
}

static uint64_t frag_gpa(uint64_t base, uint64_t npages, uint64_t i)
{
	return base + (npages - 1 - i) * 2 * PG;
}

#define RUN_PAGES ((1u << 20) / PG)

/* Page i of a VMM_SEG_RUNS argument of npages pages at base. */
static uint64_t runs_gpa(uint64_t base, uint64_t npages, uint64_t i)
{
	uint64_t nruns = (npages + RUN_PAGES - 1) / RUN_PAGES;
	uint64_t r = i / RUN_PAGES;
	return base + ((nruns - 1 - r) * RUN_PAGES + i % RUN_PAGES) * PG;
}

static uint64_t layout_gpa(uint8_t layout, uint64_t base, uint64_t npages,
			   uint64_t i)
{
	if (layout == VMM_SEG_FRAGMENTED)
		return frag_gpa(base, npages, i);
	if (layout == VMM_SEG_RUNS)
		return runs_gpa(base, npages, i);
	return base + i * PG;
}

/*
 * Place an argument's bytes in guest memory (per its layout) and append its
 * top-level segment entries to *top; indirect tables come from the arena.
 * Returns the number of top-level entries, or -1.
 */
static int place_segments(struct vmm *v, struct vmm_arena *ar,
			  struct vmm_arg *a, bool write, struct segs *top,
			  uint64_t *base_out)
{
	uint64_t len = a->len, npages = (len + PG - 1) / PG;
	uint64_t base;
	uint32_t before = top->n;
	if (a->in_place) {
		base = a->gpa;
	} else if (a->layout == VMM_SEG_FRAGMENTED) {
		base = vmm_arena_alloc(v, ar, npages * 2 * PG, PG);
	} else if (a->layout == VMM_SEG_RUNS) {
		base = vmm_arena_alloc(v, ar,
				       (npages + RUN_PAGES - 1) / RUN_PAGES *
					       RUN_PAGES * PG,
				       PG);
	} else {
		base = vmm_arena_alloc(v, ar, npages * PG, PG);
	}
	if (!base)
		return -1;
	*base_out = base;
	if (a->layout == VMM_SEG_SINGLE) {
		if (!a->in_place && write)
			memset(v->mem + base, 0xEE, len);
		else if (!a->in_place)
			memcpy(v->mem + base, a->data, len);
		return segs_add(top, base, (uint32_t)len, 0) < 0 ? -1 : 1;
	}
	struct segs all = {0};
	for (uint64_t i = 0; i < npages; i++) {
		uint32_t l = (uint32_t)(len - i * PG < PG ? len - i * PG : PG);
		uint64_t gpa = layout_gpa(a->layout, base, npages, i);
		if (!a->in_place) {
			if (write)
				memset(v->mem + gpa, 0xEE, l);
			else
				memcpy(v->mem + gpa,
				       (const uint8_t *)a->data + i * PG, l);
		}
		if (segs_add(&all, gpa, l, 0) < 0) {
			free(all.e);
			return -1;
		}
	}
	int rc = 0;
	if (npages <= DIRECT_PAGES) {
		for (uint32_t i = 0; i < all.n && rc == 0; i++)
			rc = segs_add(top, le64toh(all.e[i].addr),
				      le32toh(all.e[i].len), 0);
	} else {
		for (uint32_t i = 0; i < all.n && rc == 0; i += TBL_ENTRIES) {
			uint32_t k = all.n - i < TBL_ENTRIES ? all.n - i
							     : TBL_ENTRIES;
			uint64_t t = vmm_arena_alloc(v, ar, k * 16, 16);
			if (!t) {
				rc = -1;
				break;
			}
			memcpy(v->mem + t, &all.e[i], k * 16);
			rc = segs_add(top, t, k * 16,
				      VIRTIO_ACCEL_SEG_F_INDIRECT);
		}
	}
	free(all.e);
	return rc < 0 ? -1 : (int)(top->n - before);
}

static void gather(struct vmm *v, const struct vmm_arg *a, uint64_t base,
		   uint64_t n, void *out)
{
	if (a->layout != VMM_SEG_FRAGMENTED && a->layout != VMM_SEG_RUNS) {
		memcpy(out, v->mem + base, n);
		return;
	}
	uint64_t npages = (a->len + PG - 1) / PG;
	for (uint64_t i = 0; i < npages && i * PG < n; i++) {
		uint64_t l = n - i * PG < PG ? n - i * PG : PG;
		memcpy((uint8_t *)out + i * PG,
		       v->mem + layout_gpa(a->layout, base, npages, i), l);
	}
}

int vmm_submit(struct vmm *v, unsigned int q, struct vmm_arena *ar,
	       uint16_t desc_base, struct vmm_req *r)
{
	ar->brk = ar->base;
	unsigned int na = r->nr_read + r->nr_write;
	if (r->nr_read > VMM_MAX_ARGS || r->nr_write > VMM_MAX_ARGS ||
	    q >= v->nq || desc_base + VMM_REQ_DESCS > VMM_QSIZE)
		return -1;
	struct vmm_arg *args[2 * VMM_MAX_ARGS];
	for (unsigned int i = 0; i < r->nr_read; i++)
		args[i] = &r->rd[i];
	for (unsigned int i = 0; i < r->nr_write; i++)
		args[r->nr_read + i] = &r->wr[i];

	/* segment entries first (they also place the data) */
	struct segs top = {0};
	uint32_t ntop[2 * VMM_MAX_ARGS] = {0};
	uint64_t rd_inline = 0, wr_inline = 0;
	for (unsigned int i = 0; i < na; i++) {
		bool w = i >= r->nr_read;
		if (args[i]->segments) {
			int n = place_segments(v, ar, args[i], w, &top,
					       &r->pages[i]);
			if (n < 0) {
				free(top.e);
				return -1;
			}
			ntop[i] = (uint32_t)n;
		} else if (w) {
			wr_inline += args[i]->len;
		} else {
			rd_inline += args[i]->len;
		}
	}
	size_t meta = sizeof(struct virtio_accel_req_hdr) +
		      na * sizeof(struct virtio_accel_arg_desc) +
		      top.n * sizeof(struct virtio_accel_seg);
	uint64_t R = vmm_arena_alloc(v, ar, meta + rd_inline, 64);
	size_t wlen = sizeof(struct virtio_accel_resp_hdr) +
		      r->nr_write * sizeof(struct virtio_accel_resp_arg) +
		      wr_inline;
	uint64_t W = vmm_arena_alloc(v, ar, wlen, 64);
	if (!R || !W) {
		free(top.e);
		return -1;
	}
	memset(v->mem + W, 0xCC, wlen);

	uint8_t *p = v->mem + R;
	struct virtio_accel_req_hdr h = {
		.version = htole16(VIRTIO_ACCEL_VERSION),
		.cmd = htole16(r->cmd),
		.tag = htole64(r->tag = __atomic_fetch_add(&v->next_tag, 1,
							   __ATOMIC_RELAXED)),
		.session_id = htole64(r->session_id),
		.object_id = htole64(r->object_id),
		.param = htole32(r->param),
		.nr_read = htole32(r->nr_read),
		.nr_write = htole32(r->nr_write),
	};
	memcpy(p, &h, sizeof(h));
	p += sizeof(h);
	for (unsigned int i = 0; i < na; i++) {
		struct virtio_accel_arg_desc d = {
			.len = htole64(args[i]->len),
			.type = htole32(args[i]->type),
			.custom_type_id = htole32(args[i]->custom_type_id),
			.flags = htole32(args[i]->segments
						 ? VIRTIO_ACCEL_ARG_F_SEGMENTS
						 : 0),
			.nr_segs = htole32(ntop[i]),
		};
		memcpy(p, &d, sizeof(d));
		p += sizeof(d);
	}
	if (top.n)
		memcpy(p, top.e, top.n * sizeof(top.e[0]));
	p += top.n * sizeof(struct virtio_accel_seg);
	free(top.e);
	for (unsigned int i = 0; i < r->nr_read; i++)
		if (!args[i]->segments && args[i]->len) {
			memcpy(p, args[i]->data, args[i]->len);
			p += args[i]->len;
		}

	/* split both streams at odd places: boundaries carry no meaning */
	struct vmm_buf b[VMM_REQ_DESCS];
	size_t rtot = meta + rd_inline;
	uint32_t r1 = (uint32_t)(rtot > 20 ? 20 : rtot);
	unsigned int n = 0;
	b[n++] = (struct vmm_buf){R, r1, false};
	if (rtot > r1)
		b[n++] = (struct vmm_buf){R + r1, (uint32_t)(rtot - r1), false};
	uint32_t w1 = (uint32_t)(wlen > 12 ? 12 : wlen);
	b[n++] = (struct vmm_buf){W, w1, true};
	if (wlen > w1)
		b[n++] = (struct vmm_buf){W + w1, (uint32_t)(wlen - w1), true};
	r->q = q;
	r->head = desc_base;
	r->w_gpa = W;
	write_chain(v, q, desc_base, b, n);
	vmm_post(v, q, desc_base);
	return 0;
}

int vmm_complete(struct vmm *v, struct vmm_req *r, int timeout_ms)
{
	r->used = vmm_wait_head(v, r->q, r->head, timeout_ms);
	if (r->used < (long)sizeof(r->resp))
		return -1;
	uint64_t W = r->w_gpa;
	memcpy(&r->resp, v->mem + W, sizeof(r->resp));
	r->resp.tag = le64toh(r->resp.tag);
	r->resp.status = le32toh(r->resp.status);
	r->resp.vaccel_ret = le32toh(r->resp.vaccel_ret);
	r->resp.object_id = le64toh(r->resp.object_id);
	r->resp.nr_write = le32toh(r->resp.nr_write);

	uint64_t woff = sizeof(r->resp) +
			r->nr_write * sizeof(struct virtio_accel_resp_arg);
	for (unsigned int i = 0; i < r->nr_write; i++) {
		struct vmm_arg *a = &r->wr[i];
		if (i < r->resp.nr_write) {
			struct virtio_accel_resp_arg ra;
			memcpy(&ra,
			       v->mem + W + sizeof(r->resp) + i * sizeof(ra),
			       sizeof(ra));
			a->produced = le64toh(ra.len);
			a->out_type = le32toh(ra.type);
		}
		uint64_t n2 = a->produced < a->len ? a->produced : a->len;
		if (a->segments) {
			if (a->out && r->resp.status == VIRTIO_ACCEL_OK)
				gather(v, a, r->pages[r->nr_read + i], n2,
				       a->out);
		} else {
			if (a->out && r->resp.status == VIRTIO_ACCEL_OK)
				memcpy(a->out, v->mem + W + woff, n2);
			woff += a->len;
		}
	}
	return 0;
}

void vmm_lib_resource_req(struct vmm_req *r, uint64_t sess, const char *name,
			  const uint8_t *so, uint64_t len)
{
	memset(r, 0, sizeof(*r));
	r->cmd = VIRTIO_ACCEL_CMD_RESOURCE_CREATE;
	r->session_id = sess;
	r->param = 0; /* VACCEL_RESOURCE_LIB */
	r->nr_read = 2;
	/* string type 27, buffer type 28 (docs/protocol.md §7.5) */
	r->rd[0] = (struct vmm_arg){
		.type = 27, .data = name, .len = strlen(name) + 1};
	r->rd[1] = (struct vmm_arg){
		.type = 28, .data = so, .len = len, .segments = true};
}

void vmm_exec_req(struct vmm_req *r, uint64_t sess, const int64_t *gid,
		  const char *fn, unsigned int nr_read, unsigned int nr_write)
{
	memset(r, 0, sizeof(*r));
	r->cmd = VIRTIO_ACCEL_CMD_OP;
	r->session_id = sess;
	r->param = VIRTIO_ACCEL_OP_EXEC_WITH_RESOURCE;
	r->nr_read = nr_read;
	r->nr_write = nr_write;
	r->rd[0] = (struct vmm_arg){
		.type = VIRTIO_ACCEL_ARG_INT64, .data = gid, .len = 8};
	r->rd[1] = (struct vmm_arg){.type = VIRTIO_ACCEL_ARG_STRING,
				    .data = fn,
				    .len = strlen(fn) + 1};
}

int vmm_request(struct vmm *v, struct vmm_req *r)
{
	if (vmm_submit(v, 0, &v->heap, 0, r) < 0)
		return -1;
	return vmm_complete(v, r, 60000);
}

uint64_t vmm_read_file(const char *path, uint8_t **out)
{
	*out = NULL;
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return 0;
	long n = -1;
	if (fseek(fp, 0, SEEK_END) == 0)
		n = ftell(fp);
	if (n > 0 && fseek(fp, 0, SEEK_SET) == 0)
		*out = malloc((size_t)n);
	if (*out && fread(*out, 1, (size_t)n, fp) != (size_t)n) {
		free(*out);
		*out = NULL;
	}
	fclose(fp);
	return *out ? (uint64_t)n : 0;
}
