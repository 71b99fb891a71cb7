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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* vhost-user constants (front-end side) */
enum {
	GET_FEATURES = 1,
	SET_FEATURES = 2,
	SET_OWNER = 3,
	SET_MEM_TABLE = 5,
	SET_VRING_NUM = 8,
	SET_VRING_ADDR = 9,
	SET_VRING_BASE = 10,
	GET_VRING_BASE = 11,
	SET_VRING_KICK = 12,
	SET_VRING_CALL = 13,
	GET_PROTOCOL_FEATURES = 15,
	SET_PROTOCOL_FEATURES = 16,
	GET_QUEUE_NUM = 17,
	SET_VRING_ENABLE = 18,
	GET_CONFIG = 24,
};
#define PF_MQ		    (1ull << 0)
#define PF_REPLY_ACK	    (1ull << 3)
#define PF_CONFIG	    (1ull << 9)
#define F_PROTOCOL_FEATURES (1ull << 30)
#define F_VERSION_1	    (1ull << 32)
#define F_INDIRECT	    (1ull << 28)
#define F_EVENT_IDX	    (1ull << 29)
#define NEED_REPLY	    (1u << 3)

struct msg {
	uint32_t request, flags, size;
	uint8_t payload[512];
};

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/* ---------------------------------------------------------------------- */
/* daemon process                                                          */
/* ---------------------------------------------------------------------- */

int daemon_start(struct daemon *d, const char *plugin, const char *const *extra)
{
	const char *bin = getenv("VHOST_USER_ACCEL");
	if (!bin)
		bin = "vhost-user-accel";
	const char *tmp = getenv("TMPDIR");
	snprintf(d->dir, sizeof(d->dir), "%s/vua-test.XXXXXX",
		 tmp ? tmp : P_tmpdir);
	if (!mkdtemp(d->dir))
		return -1;
	snprintf(d->sock, sizeof(d->sock), "%s/accel.sock", d->dir);
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	d->pid = fork();
	if (d->pid < 0)
		return -1;
	if (d->pid == 0) {
		char fdbuf[16];
		int sfd = dup(pfd[1]); /* without CLOEXEC */
		snprintf(fdbuf, sizeof(fdbuf), "%d", sfd);
		const char *argv[32];
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
		for (int i = 0; extra && extra[i] && n < 30; i++)
			argv[n++] = extra[i];
		argv[n] = NULL;
		execv(bin, (char *const *)argv);
		execvp(bin, (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	d->stats_rd = pfd[0];
	/* wait for the socket */
	for (int i = 0; i < 500; i++) {
		struct stat st;
		if (stat(d->sock, &st) == 0 && S_ISSOCK(st.st_mode))
			return 0;
		int status;
		if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
			d->pid = -1;
			return -1;
		}
		usleep(10000);
	}
	return -1;
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
		for (int i = 0; i < 500; i++) {
			if (waitpid(d->pid, &status, WNOHANG) == d->pid)
				break;
			usleep(10000);
			if (i == 499) {
				kill(d->pid, SIGKILL);
				waitpid(d->pid, &status, 0);
				status = -1;
			}
		}
		d->pid = -1;
	}
	if (d->stats_rd >= 0)
		close(d->stats_rd);
	d->stats_rd = -1;
	unlink(d->sock);
	rmdir(d->dir);
	return status;
}

bool daemon_stats_wait(struct daemon *d, const char *needle, int timeout_ms,
		       char *line, size_t line_size)
{
	static char buf[8192];
	static size_t have;
	for (int waited = 0; waited <= timeout_ms;) {
		char *nl;
		while ((nl = memchr(buf, '\n', have))) {
			*nl = 0;
			bool hit = strstr(buf, needle) != NULL;
			if (hit && line)
				snprintf(line, line_size, "%s", buf);
			size_t used = (size_t)(nl - buf) + 1;
			memmove(buf, buf + used, have - used);
			have -= used;
			if (hit)
				return true;
		}
		struct pollfd p = {.fd = d->stats_rd, .events = POLLIN};
		if (poll(&p, 1, 50) > 0) {
			ssize_t n = read(d->stats_rd, buf + have,
					 sizeof(buf) - 1 - have);
			if (n <= 0)
				return false;
			have += (size_t)n;
		} else {
			waited += 50;
		}
	}
	return false;
}

/* ---------------------------------------------------------------------- */
/* vhost-user front-end                                                    */
/* ---------------------------------------------------------------------- */

static int send_msg(struct vmm *v, uint32_t req, uint32_t flags, const void *p,
		    uint32_t size, const int *fds, int nfds)
{
	struct msg m = {.request = req, .flags = 1 | flags, .size = size};
	if (size)
		memcpy(m.payload, p, size);
	struct iovec iov = {.iov_base = &m, .iov_len = 12 + size};
	union {
		char buf[CMSG_SPACE(8 * sizeof(int))];
		struct cmsghdr a;
	} c;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	if (nfds) {
		mh.msg_control = c.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	return sendmsg(v->sock, &mh, MSG_NOSIGNAL) == (ssize_t)(12 + size) ? 0
									   : -1;
}

static int recv_reply(struct vmm *v, uint32_t req, void *p, uint32_t size)
{
	struct msg m;
	if (recv(v->sock, &m, 12, MSG_WAITALL) != 12 || m.request != req ||
	    m.size > sizeof(m.payload))
		return -1;
	if (m.size &&
	    recv(v->sock, m.payload, m.size, MSG_WAITALL) != (ssize_t)m.size)
		return -1;
	if (m.size < size)
		return -1;
	memcpy(p, m.payload, size);
	return 0;
}

static int get_u64(struct vmm *v, uint32_t req, uint64_t *out)
{
	if (send_msg(v, req, 0, NULL, 0, NULL, 0) < 0)
		return -1;
	return recv_reply(v, req, out, 8);
}

/* Send with NEED_REPLY and check the ack. */
static int send_ack(struct vmm *v, uint32_t req, const void *p, uint32_t sz,
		    const int *fds, int nfds)
{
	uint64_t ack = 1;
	if (send_msg(v, req, NEED_REPLY, p, sz, fds, nfds) < 0 ||
	    recv_reply(v, req, &ack, 8) < 0)
		return -1;
	return ack == 0 ? 0 : -1;
}

uint64_t vmm_alloc(struct vmm *v, size_t len, size_t align)
{
	uint64_t p = (v->brk + align - 1) / align * align;
	if (p + len > v->mem_size)
		return 0;
	v->brk = p + len;
	return p;
}

void *vmm_ptr(struct vmm *v, uint64_t gpa)
{
	return v->mem + gpa;
}

void vmm_reset_heap(struct vmm *v)
{
	v->brk = v->heap;
}

int vmm_connect(struct vmm *v, const char *sock, size_t mem_size)
{
	memset(v, 0, sizeof(*v));
	v->nq = 1;
	v->next_tag = 0x1000;
	v->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	if (v->sock < 0 ||
	    connect(v->sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	v->memfd = memfd_create("guest-ram", MFD_CLOEXEC);
	v->mem_size = mem_size;
	if (v->memfd < 0 || ftruncate(v->memfd, (off_t)mem_size) < 0)
		return -1;
	v->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->memfd, 0);
	if (v->mem == MAP_FAILED)
		return -1;

	uint64_t f, pf;
	if (get_u64(v, GET_FEATURES, &f) < 0 || !(f & F_VERSION_1) ||
	    !(f & F_PROTOCOL_FEATURES))
		return -1;
	v->features = f & (F_VERSION_1 | F_INDIRECT | F_EVENT_IDX |
			   F_PROTOCOL_FEATURES | 0xffffffull);
	if (send_msg(v, SET_FEATURES, 0, &v->features, 8, NULL, 0) < 0 ||
	    get_u64(v, GET_PROTOCOL_FEATURES, &pf) < 0)
		return -1;
	pf &= PF_MQ | PF_REPLY_ACK | PF_CONFIG;
	if (!(pf & PF_REPLY_ACK) || !(pf & PF_CONFIG) ||
	    send_msg(v, SET_PROTOCOL_FEATURES, 0, &pf, 8, NULL, 0) < 0 ||
	    send_ack(v, SET_OWNER, NULL, 0, NULL, 0) < 0)
		return -1;

	uint8_t cfgmsg[12 + sizeof(v->cfg)];
	uint32_t hdr[3] = {0, sizeof(v->cfg), 0};
	memcpy(cfgmsg, hdr, 12);
	memset(cfgmsg + 12, 0, sizeof(v->cfg));
	if (send_msg(v, GET_CONFIG, 0, cfgmsg, sizeof(cfgmsg), NULL, 0) < 0 ||
	    recv_reply(v, GET_CONFIG, cfgmsg, sizeof(cfgmsg)) < 0)
		return -1;
	memcpy(&v->cfg, cfgmsg + 12, sizeof(v->cfg));

	/* one region at gpa 0; the "front-end VA" is our own mapping */
	struct {
		uint32_t n, pad;
		uint64_t gpa, size, uva, off;
	} mt = {1, 0, 0, mem_size, (uint64_t)(uintptr_t)v->mem, 0};
	if (send_ack(v, SET_MEM_TABLE, &mt, sizeof(mt), &v->memfd, 1) < 0)
		return -1;

	/* rings at the start of guest memory */
	v->brk = 4096;
	for (unsigned int q = 0; q < v->nq; q++) {
		v->desc_gpa[q] = vmm_alloc(v, 16 * VMM_QSIZE, 4096);
		v->avail_gpa[q] = vmm_alloc(v, 6 + 2 * VMM_QSIZE, 4096);
		v->used_gpa[q] = vmm_alloc(v, 6 + 8 * VMM_QSIZE, 4096);
		v->kick[q] = eventfd(0, EFD_CLOEXEC);
		v->call[q] = eventfd(0, EFD_CLOEXEC);
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
		uint32_t base[2] = {q, 0};
		uint64_t qi = q;
		uint32_t en[2] = {q, 1};
		if (send_ack(v, SET_VRING_NUM, st, 8, NULL, 0) < 0 ||
		    send_ack(v, SET_VRING_BASE, base, 8, NULL, 0) < 0 ||
		    send_ack(v, SET_VRING_ADDR, &ad, sizeof(ad), NULL, 0) < 0 ||
		    send_ack(v, SET_VRING_CALL, &qi, 8, &v->call[q], 1) < 0 ||
		    send_ack(v, SET_VRING_KICK, &qi, 8, &v->kick[q], 1) < 0 ||
		    send_ack(v, SET_VRING_ENABLE, en, 8, NULL, 0) < 0)
			return -1;
	}
	v->heap = v->brk = (v->brk + 4095) / 4096 * 4096;
	return 0;
}

void vmm_disconnect(struct vmm *v)
{
	if (v->sock >= 0)
		close(v->sock);
	for (unsigned int q = 0; q < v->nq; q++) {
		close(v->kick[q]);
		close(v->call[q]);
	}
	if (v->mem && v->mem != MAP_FAILED)
		munmap(v->mem, v->mem_size);
	if (v->memfd >= 0)
		close(v->memfd);
	memset(v, 0, sizeof(*v));
	v->sock = v->memfd = -1;
}

/* ---------------------------------------------------------------------- */
/* rings                                                                   */
/* ---------------------------------------------------------------------- */

static long wait_used(struct vmm *v, unsigned int q, uint16_t head,
		      int timeout_ms)
{
	volatile uint16_t *uidx = (uint16_t *)(v->mem + v->used_gpa[q] + 2);
	struct {
		uint32_t id, len;
	} *ring = (void *)(v->mem + v->used_gpa[q] + 4);
	for (int waited = 0; waited <= timeout_ms;) {
		while (v->used_seen[q] !=
		       __atomic_load_n(uidx, __ATOMIC_ACQUIRE)) {
			uint16_t i = v->used_seen[q]++ % VMM_QSIZE;
			if (ring[i].id == head)
				return ring[i].len;
		}
		struct pollfd p = {.fd = v->call[q], .events = POLLIN};
		if (poll(&p, 1, 20) > 0) {
			uint64_t x;
			ssize_t r = read(v->call[q], &x, 8);
			(void)r;
		} else {
			waited += 20;
		}
	}
	return -1;
}

long vmm_run_descs(struct vmm *v, unsigned int q, const void *descs,
		   unsigned int n, uint16_t head, int timeout_ms)
{
	memcpy(v->mem + v->desc_gpa[q], descs, n * sizeof(struct desc));
	uint16_t *avail = (uint16_t *)(v->mem + v->avail_gpa[q]);
	avail[2 + v->avail_idx[q] % VMM_QSIZE] = head;
	v->avail_idx[q]++;
	__atomic_store_n(&avail[1], v->avail_idx[q], __ATOMIC_RELEASE);
	uint64_t one = 1;
	ssize_t r = write(v->kick[q], &one, 8);
	(void)r;
	return wait_used(v, q, head, timeout_ms);
}

long vmm_run_chain(struct vmm *v, unsigned int q, const struct vmm_buf *b,
		   unsigned int n, int timeout_ms)
{
	struct desc d[VMM_QSIZE];
	if (n == 0 || n > VMM_QSIZE)
		return -1;
	for (unsigned int i = 0; i < n; i++) {
		d[i].addr = b[i].gpa;
		d[i].len = b[i].len;
		d[i].flags =
			(uint16_t)((b[i].write ? 2 : 0) | (i + 1 < n ? 1 : 0));
		d[i].next = (uint16_t)(i + 1);
	}
	return vmm_run_descs(v, q, d, n, 0, timeout_ms);
}

/* ---------------------------------------------------------------------- */
/* requests                                                                */
/* ---------------------------------------------------------------------- */

/* Place len bytes in deliberately fragmented guest pages (reverse order,
 * one-page gaps) and write the segment entries, with one indirect table
 * when there are more than 4 pages. Returns the number of top-level
 * entries written to top[]. */
static uint32_t place_segments(struct vmm *v, uint64_t len, const void *data,
			       struct virtio_accel_seg *top,
			       uint64_t *pages_out)
{
	uint64_t npages = (len + 4095) / 4096;
	uint64_t base = vmm_alloc(v, npages * 2 * 4096, 4096);
	struct virtio_accel_seg *segs = calloc(npages, sizeof(*segs));
	for (uint64_t i = 0; i < npages; i++) {
		uint64_t gpa = base + (npages - 1 - i) * 2 * 4096;
		uint32_t l = (uint32_t)(len - i * 4096 < 4096 ? len - i * 4096
							      : 4096);
		if (data)
			memcpy(v->mem + gpa, (const uint8_t *)data + i * 4096,
			       l);
		else
			memset(v->mem + gpa, 0xEE, l);
		segs[i].addr = htole64(gpa);
		segs[i].len = htole32(l);
		segs[i].flags = 0;
	}
	*pages_out = base;
	uint32_t ntop;
	if (npages <= 4) {
		memcpy(top, segs, npages * sizeof(*segs));
		ntop = (uint32_t)npages;
	} else {
		uint64_t tbl = vmm_alloc(v, npages * sizeof(*segs), 16);
		memcpy(v->mem + tbl, segs, npages * sizeof(*segs));
		top[0].addr = htole64(tbl);
		top[0].len = htole32((uint32_t)(npages * sizeof(*segs)));
		top[0].flags = htole32(VIRTIO_ACCEL_SEG_F_INDIRECT);
		ntop = 1;
	}
	free(segs);
	return ntop;
}

static void gather(struct vmm *v, uint64_t base, uint64_t len, void *out)
{
	uint64_t npages = (len + 4095) / 4096;
	for (uint64_t i = 0; i < npages; i++) {
		uint64_t gpa = base + (npages - 1 - i) * 2 * 4096;
		uint64_t l = len - i * 4096 < 4096 ? len - i * 4096 : 4096;
		memcpy((uint8_t *)out + i * 4096, v->mem + gpa, l);
	}
}

int vmm_request(struct vmm *v, struct vmm_req *r)
{
	vmm_reset_heap(v);
	unsigned int na = r->nr_read + r->nr_write;
	struct vmm_arg *args[2 * VMM_MAX_ARGS];
	for (unsigned int i = 0; i < r->nr_read; i++)
		args[i] = &r->rd[i];
	for (unsigned int i = 0; i < r->nr_write; i++)
		args[r->nr_read + i] = &r->wr[i];

	/* segment entries first (they also place the data) */
	struct virtio_accel_seg top[2 * VMM_MAX_ARGS * 4];
	uint32_t ntop[2 * VMM_MAX_ARGS] = {0}, ttop = 0;
	uint64_t pages[2 * VMM_MAX_ARGS] = {0};
	uint64_t rd_inline = 0, wr_inline = 0;
	for (unsigned int i = 0; i < na; i++) {
		bool w = i >= r->nr_read;
		if (args[i]->segments) {
			ntop[i] = place_segments(v, args[i]->len,
						 w ? NULL : args[i]->data,
						 &top[ttop], &pages[i]);
			ttop += ntop[i];
		} else if (w) {
			wr_inline += args[i]->len;
		} else {
			rd_inline += args[i]->len;
		}
	}
	size_t meta = sizeof(struct virtio_accel_req_hdr) +
		      na * sizeof(struct virtio_accel_arg_desc) +
		      ttop * sizeof(struct virtio_accel_seg);
	uint64_t R = vmm_alloc(v, meta + rd_inline, 64);
	size_t wlen = sizeof(struct virtio_accel_resp_hdr) +
		      r->nr_write * sizeof(struct virtio_accel_resp_arg) +
		      wr_inline;
	uint64_t W = vmm_alloc(v, wlen, 64);
	if (!R || !W)
		return -1;
	memset(v->mem + W, 0xCC, wlen);

	uint8_t *p = v->mem + R;
	struct virtio_accel_req_hdr h = {
		.version = htole16(VIRTIO_ACCEL_VERSION),
		.cmd = htole16(r->cmd),
		.tag = htole64(r->tag = v->next_tag++),
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
	memcpy(p, top, ttop * sizeof(top[0]));
	p += ttop * sizeof(top[0]);
	for (unsigned int i = 0; i < r->nr_read; i++)
		if (!args[i]->segments && args[i]->len) {
			memcpy(p, args[i]->data, args[i]->len);
			p += args[i]->len;
		}

	/* split both streams at odd places: boundaries carry no meaning */
	struct vmm_buf b[4];
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
	r->used = vmm_run_chain(v, 0, b, n, 20000);
	if (r->used < (long)sizeof(r->resp))
		return -1;
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
			if (a->out && r->resp.status == VIRTIO_ACCEL_OK) {
				uint8_t *tmp = malloc(a->len);
				gather(v, pages[r->nr_read + i], a->len, tmp);
				memcpy(a->out, tmp, n2);
				free(tmp);
			}
		} else {
			if (a->out && r->resp.status == VIRTIO_ACCEL_OK)
				memcpy(a->out, v->mem + W + woff, n2);
			woff += a->len;
		}
	}
	return 0;
}
