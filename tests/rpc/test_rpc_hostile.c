// SPDX-License-Identifier: Apache-2.0
/*
 * Hostile RPC clients against the real daemon (vhost-user-accel
 * --rpc-listen, host/rpc_*.c): broken framing, envelopes and payloads,
 * streams and flags the server does not serve, host paths, bad genop
 * shapes, unknown ids, bad tensors, a client that never reads its
 * replies, and more connections than --max-frontends.
 *
 * Requests are built by hand here (frames, envelopes: the helpers below),
 * and replies are read and decoded by hand too; only the method messages
 * themselves are packed with the protobuf-c code of rpc/proto. After every
 * case the daemon must serve a fresh client, and every connection the
 * case opened must have ended with an event=exit record of result=ok
 * (no crash, no sanitizer report, no leak).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <cmocka.h>

#include "genop.pb-c.h"
#include "image.pb-c.h"
#include "profiling.pb-c.h"
#include "resource.pb-c.h"
#include "rpc_wire.h"
#include "session.pb-c.h"
#include "tf.pb-c.h"
#include "tflite.pb-c.h"
#include "torch.pb-c.h"
#include "vmm.h"

#define WAIT_MS	      30000
#define MAX_ARGS      8 /* --max-args of the daemon */
#define MAX_FRONTENDS 4 /* --max-frontends */
#define MAX_MESSAGE   (8u << 20) /* --rpc-max-message */

enum {
	OP_NOOP = 0,
	OP_EXEC_WITH_RESOURCE = 2,
	ARG_INT32 = 5,
	ARG_INT64 = 7,
	ARG_UINT8 = 9,
	ARG_STRING = 27,
	ARG_BUFFER = 28,
	TORCH_FLOAT = 7,
	RES_MODEL = 2,
};

/* ---------------------------------------------------------------------- */
/* bytes by hand                                                           */
/* ---------------------------------------------------------------------- */

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void b_put(struct buf *b, const void *d, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	if (n)
		memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void b_free(struct buf *b)
{
	free(b->p);
	*b = (struct buf){0};
}

static void b_varint(struct buf *b, uint64_t v)
{
	uint8_t t[10];
	size_t n = 0;
	while (v >= 0x80) {
		t[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	t[n++] = (uint8_t)v;
	b_put(b, t, n);
}

/* protobuf: a LEN field (wire type 2) */
static void b_field(struct buf *b, uint32_t num, const void *d, size_t n)
{
	b_varint(b, (uint64_t)num << 3 | 2);
	b_varint(b, n);
	b_put(b, d, n);
}

static void b_be32(struct buf *b, uint32_t v)
{
	uint8_t t[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16),
			(uint8_t)(v >> 8), (uint8_t)v};
	b_put(b, t, 4);
}

/* A ttrpc frame header claiming `len` data bytes. */
static void b_hdr(struct buf *b, uint32_t len, uint32_t stream, uint8_t type,
		  uint8_t flags)
{
	b_be32(b, len);
	b_be32(b, stream);
	b_put(b, &type, 1);
	b_put(b, &flags, 1);
}

/* A whole frame around `data`. */
static void b_frame(struct buf *b, uint32_t stream, uint8_t type,
		    uint8_t flags, const void *data, size_t n)
{
	b_hdr(b, (uint32_t)n, stream, type, flags);
	b_put(b, data, n);
}

/* A ttrpc Request envelope: service 1, method 2, payload 3 (omitted when
 * empty, as ttrpc does). */
static void b_envelope(struct buf *b, const char *service, const char *method,
		       const void *payload, size_t n)
{
	b_field(b, 1, service, strlen(service));
	b_field(b, 2, method, strlen(method));
	if (n)
		b_field(b, 3, payload, n);
}

/* A method message packed by protobuf-c. */
static void b_msg(struct buf *b, const ProtobufCMessage *m)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	uint8_t *t = malloc(n ? n : 1);
	assert_non_null(t);
	assert_int_equal(protobuf_c_message_pack(m, t), n);
	b_put(b, t, n);
	free(t);
}

/* A Request frame of the sync service's `method` with message m. */
static void b_request(struct buf *b, uint32_t stream, const char *method,
		      const ProtobufCMessage *m)
{
	struct buf pl = {0}, env = {0};
	if (m)
		b_msg(&pl, m);
	b_envelope(&env, RPC_SERVICE_SYNC, method, pl.p, pl.len);
	b_frame(b, stream, RPC_MSG_REQUEST, 0, env.p, env.len);
	b_free(&pl);
	b_free(&env);
}

/* ---- reading replies by hand -------------------------------------------- */

struct rd {
	const uint8_t *p, *end;
};

static bool rd_varint(struct rd *r, uint64_t *v)
{
	*v = 0;
	for (unsigned int s = 0; s < 64 && r->p < r->end; s += 7) {
		uint8_t c = *r->p++;
		*v |= (uint64_t)(c & 0x7f) << s;
		if (!(c & 0x80))
			return true;
	}
	return false;
}

/* The next field: number, wire type, varint value or LEN bytes. Only the
 * wire types a Response uses (varint, LEN) are accepted. */
static bool rd_field(struct rd *r, uint32_t *num, uint64_t *v,
		     const uint8_t **d, size_t *n)
{
	uint64_t key;
	if (!rd_varint(r, &key))
		return false;
	*num = (uint32_t)(key >> 3);
	if ((key & 7) == 0)
		return rd_varint(r, v);
	if ((key & 7) != 2 || !rd_varint(r, v) ||
	    *v > (uint64_t)(r->end - r->p))
		return false;
	*d = r->p;
	*n = (size_t)*v;
	r->p += *n;
	return true;
}

struct reply {
	uint32_t stream;
	uint8_t type, flags;
	uint8_t *data; /* the frame's data */
	size_t len;
	bool has_status;
	int32_t code;
	char msg[256];
	const uint8_t *payload;
	size_t plen;
	bool has_detail;  /* a vaccel.Error detail */
	uint32_t ffi_error; /* its ffi_error */
};

static void reply_free(struct reply *r)
{
	free(r->data);
	memset(r, 0, sizeof(*r));
}

/* vaccel.Error { type 1, ffi_error 2, status 3 } inside an Any */
static void parse_any(struct reply *rp, const uint8_t *p, size_t n)
{
	struct rd r = {p, p + n};
	uint32_t num;
	uint64_t v;
	const uint8_t *d = NULL;
	size_t dn = 0;
	while (r.p < r.end) {
		assert_true(rd_field(&r, &num, &v, &d, &dn));
		if (num != 2)
			continue;
		struct rd e = {d, d + dn};
		rp->has_detail = true;
		while (e.p < e.end) {
			const uint8_t *ed;
			size_t en;
			assert_true(rd_field(&e, &num, &v, &ed, &en));
			if (num == 2)
				rp->ffi_error = (uint32_t)v;
		}
	}
}

/* Response { status 1 { code 1, message 2, details 3 }, payload 2 } */
static void parse_reply(struct reply *rp)
{
	struct rd r = {rp->data, rp->data + rp->len};
	uint32_t num;
	uint64_t v;
	const uint8_t *d = NULL;
	size_t n = 0;
	while (r.p < r.end) {
		assert_true(rd_field(&r, &num, &v, &d, &n));
		if (num == 2) {
			rp->payload = d;
			rp->plen = n;
			continue;
		}
		if (num != 1)
			continue;
		rp->has_status = true;
		struct rd s = {d, d + n};
		while (s.p < s.end) {
			const uint8_t *sd = NULL;
			size_t sn = 0;
			assert_true(rd_field(&s, &num, &v, &sd, &sn));
			if (num == 1)
				rp->code = (int32_t)v;
			else if (num == 2)
				snprintf(rp->msg, sizeof(rp->msg), "%.*s",
					 (int)sn, (const char *)sd);
			else if (num == 3)
				parse_any(rp, sd, sn);
		}
	}
}

/* Read exactly n bytes before the deadline: 0, -ECONNRESET (EOF or
 * reset), -ETIMEDOUT. */
static int read_full(int fd, void *p, size_t n, int64_t deadline)
{
	size_t got = 0;
	while (got < n) {
		int64_t left = deadline - vmm_now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		struct pollfd pf = {.fd = fd, .events = POLLIN};
		if (poll(&pf, 1, (int)left) <= 0)
			continue;
		ssize_t r = recv(fd, (uint8_t *)p + got, n - got, MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			return -ECONNRESET;
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r < 0)
			return -errno;
		got += (size_t)r;
	}
	return 0;
}

/* One frame from the server: 0, or what read_full said. */
static int recv_reply(int fd, struct reply *rp, int timeout_ms)
{
	uint8_t h[RPC_HDR_SIZE];
	int64_t dl = vmm_now_ms() + timeout_ms;
	memset(rp, 0, sizeof(*rp));
	int rc = read_full(fd, h, sizeof(h), dl);
	if (rc < 0)
		return rc;
	uint32_t len = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
		       (uint32_t)h[2] << 8 | h[3];
	rp->stream = (uint32_t)h[4] << 24 | (uint32_t)h[5] << 16 |
		     (uint32_t)h[6] << 8 | h[7];
	rp->type = h[8];
	rp->flags = h[9];
	assert_true(len <= MAX_MESSAGE);
	rp->data = malloc(len ? len : 1);
	assert_non_null(rp->data);
	rp->len = len;
	rc = read_full(fd, rp->data, len, dl);
	if (rc < 0) {
		reply_free(rp);
		return rc;
	}
	parse_reply(rp);
	return 0;
}

/* The connection was closed by the server: EOF (or reset), no frame. */
static void expect_eof(int fd)
{
	uint8_t c;
	assert_int_equal(read_full(fd, &c, 1, vmm_now_ms() + WAIT_MS),
			 -ECONNRESET);
}

static void send_all(int fd, const void *p, size_t n)
{
	assert_int_equal(send(fd, p, n, MSG_NOSIGNAL), (ssize_t)n);
}

static void send_buf(int fd, struct buf *b)
{
	send_all(fd, b->p, b->len);
	b_free(b);
}

/* ---------------------------------------------------------------------- */
/* the daemon, its records and connections                                 */
/* ---------------------------------------------------------------------- */

#define MAX_RECS 1024

struct fx {
	struct daemon d;
	char dir[256];
	char path[300]; /* the RPC socket */
	char recs[MAX_RECS][256];
	bool claimed[MAX_RECS];
	unsigned int nrecs;
	unsigned int open_conns;
};

struct conn {
	int fd;
	int pid;
	unsigned int id; /* the front-end id of its records */
	uint32_t next; /* next stream id */
};

/* Read every stats record available within timeout_ms into fx->recs. */
static void pump(struct fx *f, int timeout_ms)
{
	char line[256];
	while (daemon_stats_wait(&f->d, "event=", timeout_ms, line,
				 sizeof(line))) {
		if (f->nrecs < MAX_RECS)
			snprintf(f->recs[f->nrecs++], sizeof(f->recs[0]), "%s",
				 line);
		timeout_ms = 0;
	}
}

/* The index of a record containing needle (unclaimed ones only if
 * `claim`, which claims it), waiting up to WAIT_MS; -1 if none came. */
static int find_rec(struct fx *f, const char *needle, bool claim)
{
	int64_t end = vmm_now_ms() + WAIT_MS;
	for (;;) {
		for (unsigned int i = 0; i < f->nrecs; i++) {
			if (!strstr(f->recs[i], needle) ||
			    (claim && f->claimed[i]))
				continue;
			if (claim)
				f->claimed[i] = true;
			return (int)i;
		}
		if (vmm_now_ms() > end)
			return -1;
		pump(f, 100);
	}
}

static int fx_start(struct fx *f, const char *const *extra_in,
		    bool log_to_file, const char *log_path)
{
	char path[512];
	const char *b = getenv("VACCEL_TEST_BUILDDIR");
	snprintf(path, sizeof(path), "%s/plugins/noop/libvaccel-noop.so",
		 b ? b : ".");
	const char *tmp = getenv("TMPDIR");
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "%s/rpc-hostile.XXXXXX",
		 tmp ? tmp : P_tmpdir);
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/rpc.sock", f->dir);
	char listen[320];
	snprintf(listen, sizeof(listen), "unix:%s", f->path);
	const char *extra[32] = {"--rpc-listen", listen};
	int n = 2;
	for (int i = 0; extra_in && extra_in[i] && n < 31; i++)
		extra[n++] = extra_in[i];
	extra[n] = NULL;
	/* the daemon (and its front-end processes) inherit stdout/stderr:
	 * send them to the log file while it starts */
	int saved_out = -1, saved_err = -1;
	if (log_to_file) {
		int lf = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND |
						O_CLOEXEC,
			      0600);
		if (lf < 0)
			return -1;
		fflush(stdout);
		fflush(stderr);
		saved_out = dup(1);
		saved_err = dup(2);
		dup2(lf, 1);
		dup2(lf, 2);
		close(lf);
	}
	int rc = daemon_start(&f->d, path, extra);
	if (log_to_file) {
		dup2(saved_out, 1);
		dup2(saved_err, 2);
		close(saved_out);
		close(saved_err);
	}
	if (rc < 0)
		return -1;
	/* the RPC listener opens after the vhost-user one */
	int64_t end = vmm_now_ms() + WAIT_MS;
	struct stat st;
	while (stat(f->path, &st) != 0 || !S_ISSOCK(st.st_mode)) {
		if (vmm_now_ms() > end || !daemon_alive(&f->d))
			return -1;
		usleep(5000);
	}
	return 0;
}

static int raw_connect(struct fx *f)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	assert_true(strlen(f->path) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, f->path, strlen(f->path) + 1);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* A connection with its process and front-end id. */
static void conn_open(struct fx *f, struct conn *c)
{
	int before[64];
	int nb = daemon_children(&f->d, before, 64);
	memset(c, 0, sizeof(*c));
	c->fd = raw_connect(f);
	c->next = 1;
	int i = find_rec(f, "event=connect frontend=", true);
	assert_true(i >= 0);
	assert_non_null(strstr(f->recs[i], "transport=rpc"));
	assert_int_equal(sscanf(strstr(f->recs[i], "frontend="), "frontend=%u",
				&c->id),
			 1);
	/* its process: the supervisor's child that appeared meanwhile */
	int64_t end = vmm_now_ms() + WAIT_MS;
	while (!c->pid && vmm_now_ms() < end) {
		int now[64];
		int n = daemon_children(&f->d, now, 64);
		for (int k = 0; k < n && !c->pid; k++) {
			bool seen = false;
			for (int j = 0; j < nb; j++)
				seen |= now[k] == before[j];
			if (!seen)
				c->pid = now[k];
		}
		if (!c->pid)
			usleep(2000);
	}
	assert_true(c->pid > 0);
	f->open_conns++;
}

/* Close (if not already) and wait for the process's exit record, which
 * must say result=ok. */
static void conn_close(struct fx *f, struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	char needle[64];
	snprintf(needle, sizeof(needle), "event=exit frontend=%u ", c->id);
	int i = find_rec(f, needle, false);
	assert_true(i >= 0);
	if (!strstr(f->recs[i], "result=ok"))
		fail_msg("front-end %u: %s", c->id, f->recs[i]);
	char pid[32];
	snprintf(pid, sizeof(pid), "pid=%d ", c->pid);
	assert_non_null(strstr(f->recs[i], pid));
	f->open_conns--;
}

/* Send a request and wait for its reply (on its stream, a Response). */
static void call(struct conn *c, const char *method, const ProtobufCMessage *m,
		 struct reply *r)
{
	struct buf b = {0};
	uint32_t s = c->next;
	c->next += 2;
	b_request(&b, s, method, m);
	send_buf(c->fd, &b);
	assert_int_equal(recv_reply(c->fd, r, WAIT_MS), 0);
	assert_int_equal(r->stream, s);
	assert_int_equal(r->type, RPC_MSG_RESPONSE);
	assert_int_equal(r->flags, 0);
}

/* A call that must fail with `code` (and carry no payload). */
static void call_fails(struct conn *c, const char *method,
		       const ProtobufCMessage *m, int32_t code)
{
	struct reply r;
	call(c, method, m, &r);
	if (r.code != code)
		fail_msg("%s: code %d (%s), expected %d", method, r.code,
			 r.msg, code);
	assert_true(r.msg[0] != 0);
	assert_int_equal(r.plen, 0);
	reply_free(&r);
}

static int64_t create_session(struct conn *c)
{
	Vaccel__Session__CreateRequest q = VACCEL__SESSION__CREATE_REQUEST__INIT;
	struct reply r;
	call(c, RPC_M_CREATE_SESSION, &q.base, &r);
	if (r.code != RPC_OK)
		fail_msg("CreateSession: %d %s", r.code, r.msg);
	Vaccel__Session__CreateResponse *resp =
		vaccel__session__create_response__unpack(NULL, r.plen,
							 r.payload);
	assert_non_null(resp);
	int64_t id = resp->session_id;
	assert_true(id > 0);
	vaccel__session__create_response__free_unpacked(resp, NULL);
	reply_free(&r);
	return id;
}

/* A resource of one blob registered by value; its id. */
static int64_t register_blob(struct conn *c, int64_t sess, const char *name,
			     const void *data, size_t n, uint32_t res_type)
{
	Vaccel__Resource__Blob blob = VACCEL__RESOURCE__BLOB__INIT;
	Vaccel__Resource__Blob *blobs[1] = {&blob};
	blob.type_ = RPC_BLOB_BUFFER;
	blob.name = (char *)name;
	blob.data.data = (uint8_t *)data;
	blob.data.len = n;
	blob.size = (uint32_t)n;
	Vaccel__Resource__RegisterRequest q =
		VACCEL__RESOURCE__REGISTER_REQUEST__INIT;
	q.blobs = blobs;
	q.n_blobs = 1;
	q.resource_type = res_type;
	q.session_id = sess;
	struct reply r;
	call(c, RPC_M_REGISTER_RESOURCE, &q.base, &r);
	if (r.code != RPC_OK)
		fail_msg("RegisterResource: %d %s", r.code, r.msg);
	Vaccel__Resource__RegisterResponse *resp =
		vaccel__resource__register_response__unpack(NULL, r.plen,
							     r.payload);
	assert_non_null(resp);
	int64_t id = resp->resource_id;
	assert_true(id > 0);
	vaccel__resource__register_response__free_unpacked(resp, NULL);
	reply_free(&r);
	return id;
}

/* The connection still answers: a session created and destroyed. */
static void still_usable(struct conn *c)
{
	int64_t s = create_session(c);
	Vaccel__Session__DestroyRequest q =
		VACCEL__SESSION__DESTROY_REQUEST__INIT;
	q.session_id = s;
	struct reply r;
	call(c, RPC_M_DESTROY_SESSION, &q.base, &r);
	assert_int_equal(r.code, RPC_OK);
	reply_free(&r);
}

/* Whether process pid is an RPC front-end process (its command line has
 * the internal --rpc option). */
static bool is_rpc_frontend(int pid)
{
	char path[64], cmd[4096];
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return false;
	size_t n = fread(cmd, 1, sizeof(cmd) - 1, fp);
	fclose(fp);
	bool serve = false, rpc = false;
	for (size_t i = 0; i < n; i += strlen(cmd + i) + 1) {
		cmd[n] = 0;
		serve |= !strcmp(cmd + i, "--serve-fd");
		rpc |= !strcmp(cmd + i, "--rpc");
	}
	return serve && rpc;
}

static long vm_rss_kb(int pid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	FILE *fp = fopen(path, "r");
	long v = -1;
	while (fp && fgets(line, sizeof(line), fp))
		if (!strncmp(line, "VmRSS:", 6))
			v = strtol(line + 6, NULL, 10);
	if (fp)
		fclose(fp);
	return v;
}

/* ---------------------------------------------------------------------- */
/* fixture: one daemon for the group, a health check after every case      */
/* ---------------------------------------------------------------------- */

static struct fx F;

static int group_setup(void **state)
{
	(void)state;
	/* RPC_HOSTILE_CONFINED=1: every RPC path under the front-end's
	 * seccomp filter and Landlock, as the example unit runs it */
	static const char *extra[] = {
		"--max-args", "8", "--max-frontends", "4",
		"--rpc-max-message", "8M", NULL, NULL};
	const char *conf = getenv("RPC_HOSTILE_CONFINED");
	if (conf && !strcmp(conf, "1"))
		extra[6] = "--confined";
	if (fx_start(&F, extra, false, NULL) < 0) {
		fprintf(stderr, "cannot start the daemon\n");
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	int st = daemon_stop(&F.d);
	rmdir(F.dir);
	if (st != 0)
		fprintf(stderr, "daemon: exit status %d\n", st);
	return st == 0 ? 0 : -1;
}

/* After every case: nothing left open, no front-end crashed, and a fresh
 * client is served. */
static int healthy(void **state)
{
	(void)state;
	assert_int_equal(F.open_conns, 0);
	assert_true(daemon_alive(&F.d));
	struct conn c;
	conn_open(&F, &c);
	still_usable(&c);
	conn_close(&F, &c);
	assert_int_equal(daemon_crashes(&F.d), 0);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* framing                                                                 */
/* ---------------------------------------------------------------------- */

/* A frame cut short: the server ends the connection (no reply, no hang),
 * its process exits normally. */
static void truncated_case(size_t hdr_bytes, size_t data_bytes)
{
	struct conn c;
	conn_open(&F, &c);
	still_usable(&c);
	Vaccel__Session__CreateRequest q = VACCEL__SESSION__CREATE_REQUEST__INIT;
	struct buf b = {0};
	b_request(&b, c.next, RPC_M_CREATE_SESSION, &q.base);
	/* a CreateSession frame, its header claiming 100 bytes more */
	uint32_t len = (uint32_t)(b.len - RPC_HDR_SIZE) + 100;
	b.p[0] = (uint8_t)(len >> 24);
	b.p[1] = (uint8_t)(len >> 16);
	b.p[2] = (uint8_t)(len >> 8);
	b.p[3] = (uint8_t)len;
	size_t n = hdr_bytes < RPC_HDR_SIZE ? hdr_bytes
					     : RPC_HDR_SIZE + data_bytes;
	assert_true(n <= b.len);
	send_all(c.fd, b.p, n);
	b_free(&b);
	shutdown(c.fd, SHUT_WR);
	expect_eof(c.fd);
	conn_close(&F, &c);
}

static void test_truncated_header(void **state)
{
	(void)state;
	truncated_case(5, 0);
}

static void test_truncated_after_header(void **state)
{
	(void)state;
	truncated_case(RPC_HDR_SIZE, 0);
}

static void test_truncated_half_data(void **state)
{
	(void)state;
	/* half of the real envelope: the server waits for the rest */
	truncated_case(RPC_HDR_SIZE, 24);
}

/* A length over --rpc-max-message: RESOURCE_EXHAUSTED on that stream,
 * then the connection ends (its data cannot be skipped safely). */
static void oversize_case(uint32_t len)
{
	struct conn c;
	conn_open(&F, &c);
	still_usable(&c);
	struct buf b = {0};
	b_hdr(&b, len, 7, RPC_MSG_REQUEST, 0);
	b_put(&b, "\x0a\x03", 2); /* some data follows; never read */
	send_buf(c.fd, &b);
	struct reply r;
	assert_int_equal(recv_reply(c.fd, &r, WAIT_MS), 0);
	assert_int_equal(r.stream, 7);
	assert_int_equal(r.type, RPC_MSG_RESPONSE);
	assert_int_equal(r.code, RPC_RESOURCE_EXHAUSTED);
	assert_non_null(strstr(r.msg, "exceeds the maximum"));
	reply_free(&r);
	expect_eof(c.fd);
	conn_close(&F, &c);
}

static void test_length_ffffffff(void **state)
{
	(void)state;
	oversize_case(0xFFFFFFFFu);
}

static void test_length_over_max_message(void **state)
{
	(void)state;
	oversize_case(MAX_MESSAGE + 1);
}

/* A frame of exactly --rpc-max-message is read (and refused only for
 * what it holds: an envelope without a service). */
static void test_length_at_max_message(void **state)
{
	(void)state;
	struct conn c;
	conn_open(&F, &c);
	struct buf b = {0};
	struct buf env = {0};
	/* field 15 (unknown, skipped): fills the frame to the limit */
	size_t fill = MAX_MESSAGE - 1 - 4; /* key + 4-byte length */
	uint8_t *junk = calloc(1, fill);
	assert_non_null(junk);
	b_field(&env, 15, junk, fill);
	free(junk);
	assert_int_equal(env.len, MAX_MESSAGE);
	b_frame(&b, 1, RPC_MSG_REQUEST, 0, env.p, env.len);
	b_free(&env);
	send_buf(c.fd, &b);
	struct reply r;
	assert_int_equal(recv_reply(c.fd, &r, WAIT_MS), 0);
	assert_int_equal(r.stream, 1);
	assert_int_equal(r.code, RPC_INVALID_ARGUMENT);
	reply_free(&r);
	c.next = 3;
	still_usable(&c);
	conn_close(&F, &c);
}

/* ---------------------------------------------------------------------- */
/* envelopes and payloads                                                  */
/* ---------------------------------------------------------------------- */

static void send_env(struct conn *c, uint32_t stream, const char *service,
		     const char *method, const void *pl, size_t n)
{
	struct buf env = {0}, b = {0};
	b_envelope(&env, service, method, pl, n);
	b_frame(&b, stream, RPC_MSG_REQUEST, 0, env.p, env.len);
	b_free(&env);
	send_buf(c->fd, &b);
}

static void expect_code(struct conn *c, uint32_t stream, int32_t code,
			const char *in_msg)
{
	struct reply r;
	assert_int_equal(recv_reply(c->fd, &r, WAIT_MS), 0);
	assert_int_equal(r.stream, stream);
	assert_int_equal(r.type, RPC_MSG_RESPONSE);
	if (r.code != code)
		fail_msg("stream %u: code %d (%s), expected %d", stream, r.code,
			 r.msg, code);
	if (in_msg && !strstr(r.msg, in_msg))
		fail_msg("stream %u: message \"%s\" lacks \"%s\"", stream,
			 r.msg, in_msg);
	assert_int_equal(r.plen, 0);
	reply_free(&r);
}

/* Unknown services and methods are answered as upstream's agents do
 * (INVALID_ARGUMENT, UNIMPLEMENTED) and the connection goes on. The
 * requests are pipelined: the replies come back in order. */
static void test_unknown_service_method(void **state)
{
	(void)state;
	struct conn c;
	conn_open(&F, &c);
	send_env(&c, 1, "vaccel.AgentService", RPC_M_CREATE_SESSION, NULL, 0);
	send_env(&c, 3, "no.such.Service", RPC_M_CREATE_SESSION, NULL, 0);
	send_env(&c, 5, "", RPC_M_CREATE_SESSION, NULL, 0);
	send_env(&c, 7, RPC_SERVICE_SYNC, "NoSuchMethod", NULL, 0);
	send_env(&c, 9, RPC_SERVICE_SYNC, "", NULL, 0);
	send_env(&c, 11, RPC_SERVICE_SYNC, "createsession", NULL, 0);
	/* GenopStream is served by no service here (client streaming) */
	send_env(&c, 13, RPC_SERVICE_ASYNC, RPC_M_GENOP_STREAM, NULL, 0);
	/* the async service's name is known */
	send_env(&c, 15, RPC_SERVICE_ASYNC, RPC_M_GET_PROFILER, "\x08\x63", 2);
	expect_code(&c, 1, RPC_INVALID_ARGUMENT, "service does not exist");
	expect_code(&c, 3, RPC_INVALID_ARGUMENT, "service does not exist");
	expect_code(&c, 5, RPC_INVALID_ARGUMENT, "service does not exist");
	expect_code(&c, 7, RPC_UNIMPLEMENTED, "/NoSuchMethod does not exist");
	expect_code(&c, 9, RPC_UNIMPLEMENTED, "does not exist");
	expect_code(&c, 11, RPC_UNIMPLEMENTED, "does not exist");
	expect_code(&c, 13, RPC_UNIMPLEMENTED, "does not exist");
	expect_code(&c, 15, RPC_NOT_FOUND, "Unknown session 99");
	c.next = 17;
	still_usable(&c);
	conn_close(&F, &c);
}

/* Envelopes that are not protobuf, or whose fields have the wrong wire
 * types: INVALID_ARGUMENT, and the connection goes on. */
static void test_malformed_envelope(void **state)
{
	(void)state;
	static const struct {
		const char *bytes;
		size_t n;
	} bad[] = {
		{"\xff", 1},			/* a varint cut short */
		{"\x0a\x10vaccel", 8},		/* a LEN past the end */
		{"\x08\x01", 2},		/* service as a varint */
		{"\x22\x01\x00", 3},		/* timeout_nano as LEN */
		{"\x00\x00", 2},		/* field number 0 */
		{"\x0b\x0c", 2},		/* a group (wire type 3) */
		{"\x0f", 1},			/* wire type 7 */
		{"\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11},
	};
	struct conn c;
	conn_open(&F, &c);
	uint32_t s = 1;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++, s += 2) {
		struct buf b = {0};
		b_frame(&b, s, RPC_MSG_REQUEST, 0, bad[i].bytes, bad[i].n);
		send_buf(c.fd, &b);
		expect_code(&c, s, RPC_INVALID_ARGUMENT, NULL);
	}
	/* an empty frame: an envelope with no service */
	struct buf b = {0};
	b_frame(&b, s, RPC_MSG_REQUEST, 0, NULL, 0);
	send_buf(c.fd, &b);
	expect_code(&c, s, RPC_INVALID_ARGUMENT, "service does not exist");
	c.next = s + 2;
	still_usable(&c);
	conn_close(&F, &c);
}

/* A known method whose payload does not decode: INVALID_ARGUMENT (the
 * sync Rust agent closes the connection; we answer and go on). */
static void test_malformed_payload(void **state)
{
	(void)state;
	static const struct {
		const char *method;
		const char *bytes;
		size_t n;
	} bad[] = {
		{RPC_M_CREATE_SESSION, "\x08", 1},	  /* varint cut */
		{RPC_M_CREATE_SESSION, "\x08\xff\xff\xff\xff\xff\xff\xff\xff"
				       "\xff\xff\x01", 12}, /* 11-byte varint */
		{RPC_M_GENOP, "\x12\x05\x0a", 3},	  /* Arg past the end */
		{RPC_M_GENOP, "\x12\x03\x0a\x05\x00", 5}, /* buf past Arg */
		{RPC_M_REGISTER_RESOURCE, "\x12\x02\x12\x05", 4},
		{RPC_M_TORCH_MODEL_RUN, "\x22\x04\x12\x02\x01", 5},
		{RPC_M_TORCH_MODEL_RUN, "\x22\x03\x12\x05\x01", 5}, /* dims */
		{RPC_M_TF_MODEL_RUN, "\x0d\x00\x00", 3},  /* fixed32 cut */
		{RPC_M_SYNC_RESOURCE, "\x09\x00\x00\x00", 4}, /* fixed64 cut */
		{RPC_M_DESTROY_SESSION, "\x0b", 1},	  /* group start */
		{RPC_M_IMAGE_CLASSIFICATION, "\x12\x80\x80\x80\x80\x10", 6},
	};
	struct conn c;
	conn_open(&F, &c);
	uint32_t s = 1;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++, s += 2) {
		send_env(&c, s, RPC_SERVICE_SYNC, bad[i].method, bad[i].bytes,
			 bad[i].n);
		expect_code(&c, s, RPC_INVALID_ARGUMENT, "malformed request");
	}
	c.next = s;
	still_usable(&c);
	conn_close(&F, &c);
}

/* Even stream ids are the server's: INVALID_ARGUMENT on that stream. */
static void test_even_stream(void **state)
{
	(void)state;
	struct conn c;
	conn_open(&F, &c);
	Vaccel__Session__CreateRequest q = VACCEL__SESSION__CREATE_REQUEST__INIT;
	static const uint32_t ids[] = {2, 0, 0x80000000u, 0xFFFFFFFEu};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		struct buf b = {0};
		b_request(&b, ids[i], RPC_M_CREATE_SESSION, &q.base);
		send_buf(c.fd, &b);
		expect_code(&c, ids[i], RPC_INVALID_ARGUMENT, "odd ids");
	}
	/* the highest odd id is fine */
	c.next = 0xFFFFFFFFu;
	create_session(&c);
	c.next = 3;
	still_usable(&c);
	conn_close(&F, &c);
}

/* Client streaming (flags REMOTE_OPEN / NO_DATA, then Data frames) is
 * refused at its Request; the Data frames that follow are ignored
 * (no reply of their own) and the connection goes on. So are frames of
 * types a client does not send. */
static void test_streaming_flags(void **state)
{
	(void)state;
	struct conn c;
	conn_open(&F, &c);
	Vaccel__Genop__Arg op = VACCEL__GENOP__ARG__INIT;
	uint8_t opb = OP_NOOP;
	op.buf.data = &opb;
	op.buf.len = 1;
	op.size = 1;
	op.arg_type = ARG_UINT8;
	Vaccel__Genop__Arg *rd[1] = {&op};
	Vaccel__Genop__Request g = VACCEL__GENOP__REQUEST__INIT;
	g.session_id = 1;
	g.read_args = rd;
	g.n_read_args = 1;
	struct buf gm = {0};
	b_msg(&gm, &g.base);

	static const uint8_t flags[] = {
		RPC_FLAG_REMOTE_OPEN,
		RPC_FLAG_REMOTE_OPEN | RPC_FLAG_NO_DATA, /* ttrpc-rust */
		RPC_FLAG_NO_DATA,
		0xff,
	};
	uint32_t s = 1;
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++, s += 2) {
		struct buf env = {0}, b = {0};
		b_envelope(&env, RPC_SERVICE_ASYNC, RPC_M_GENOP_STREAM, NULL,
			   0);
		b_frame(&b, s, RPC_MSG_REQUEST, flags[i], env.p, env.len);
		/* two Data frames with genop requests, the closing one */
		b_frame(&b, s, RPC_MSG_DATA, 0, gm.p, gm.len);
		b_frame(&b, s, RPC_MSG_DATA, 0, gm.p, gm.len);
		b_frame(&b, s, RPC_MSG_DATA,
			RPC_FLAG_REMOTE_CLOSED | RPC_FLAG_NO_DATA, NULL, 0);
		b_free(&env);
		send_buf(c.fd, &b);
		expect_code(&c, s, RPC_UNIMPLEMENTED, "streaming");
	}
	/* a streaming request of the sync service's Genop too */
	struct buf env = {0}, b = {0};
	b_envelope(&env, RPC_SERVICE_SYNC, RPC_M_GENOP, gm.p, gm.len);
	b_frame(&b, s, RPC_MSG_REQUEST, RPC_FLAG_REMOTE_OPEN, env.p, env.len);
	b_free(&env);
	send_buf(c.fd, &b);
	expect_code(&c, s, RPC_UNIMPLEMENTED, "streaming");
	s += 2;
	/* Data frames of no request, a Response and unknown types: ignored */
	b_frame(&b, s, RPC_MSG_DATA, 0, gm.p, gm.len);
	b_frame(&b, 41, RPC_MSG_DATA, RPC_FLAG_REMOTE_CLOSED, NULL, 0);
	b_frame(&b, s, RPC_MSG_RESPONSE, 0, "\x0a\x00", 2);
	b_frame(&b, s, 0x00, 0, gm.p, gm.len);
	b_frame(&b, s, 0x7f, 0xff, gm.p, gm.len);
	b_free(&gm);
	send_buf(c.fd, &b);
	/* REMOTE_CLOSED alone on a Request is a unary call */
	Vaccel__Session__CreateRequest q = VACCEL__SESSION__CREATE_REQUEST__INIT;
	struct buf pl = {0};
	b_msg(&pl, &q.base);
	b_envelope(&env, RPC_SERVICE_SYNC, RPC_M_CREATE_SESSION, pl.p, pl.len);
	b_frame(&b, s, RPC_MSG_REQUEST, RPC_FLAG_REMOTE_CLOSED, env.p,
		env.len);
	b_free(&env);
	b_free(&pl);
	send_buf(c.fd, &b);
	/* the next frame is its reply: nothing answered the ignored ones */
	struct reply r;
	assert_int_equal(recv_reply(c.fd, &r, WAIT_MS), 0);
	assert_int_equal(r.stream, s);
	assert_int_equal(r.code, RPC_OK);
	reply_free(&r);
	c.next = s + 2;
	still_usable(&c);
	conn_close(&F, &c);
}

/* ---------------------------------------------------------------------- */
/* methods                                                                 */
/* ---------------------------------------------------------------------- */

/* Resources come by value only: host paths are refused; blob names must
 * be plain names (they become file names in the run directory). */
static void test_register_host_path(void **state)
{
	(void)state;
	struct conn c;
	conn_open(&F, &c);
	int64_t s = create_session(&c);
	char *paths[2] = {"/etc/passwd", "/proc/self/mem"};
	Vaccel__Resource__RegisterRequest q =
		VACCEL__RESOURCE__REGISTER_REQUEST__INIT;
	q.paths = paths;
	q.n_paths = 2;
	q.session_id = s;
	q.resource_type = 1;
	call_fails(&c, RPC_M_REGISTER_RESOURCE, &q.base,
		   RPC_PERMISSION_DENIED);
	q.n_paths = 1;
	call_fails(&c, RPC_M_REGISTER_RESOURCE, &q.base,
		   RPC_PERMISSION_DENIED);
	/* a URL too (host vAccel would download it) */
	char *url[1] = {"http://127.0.0.1:1/x"};
	q.paths = url;
	call_fails(&c, RPC_M_REGISTER_RESOURCE, &q.base,
		   RPC_PERMISSION_DENIED);
	/* neither paths nor blobs */
	q.n_paths = 0;
	call_fails(&c, RPC_M_REGISTER_RESOURCE, &q.base, RPC_INVALID_ARGUMENT);

	/* blobs: bad names, size != data, empty, bad type, bad resource
	 * type */
	static const char *const names[] = {"../../../tmp/x", "a/b", "..", ".",
					    ""};
	Vaccel__Resource__Blob blob = VACCEL__RESOURCE__BLOB__INIT;
	Vaccel__Resource__Blob *blobs[1] = {&blob};
	q.blobs = blobs;
	q.n_blobs = 1;
	blob.type_ = RPC_BLOB_MAPPED;
	blob.data.data = (uint8_t *)"data";
	blob.data.len = 4;
	blob.size = 4;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		blob.name = (char *)names[i];
		call_fails(&c, RPC_M_REGISTER_RESOURCE, &q.base,
			   RPC_INVALID_ARGUMENT);
	}
	blob.name = "ok.bin";
	blob.size = 5;
	call_fails(&c, RPC_M_REGISTER_RESOURCE, &q.base, RPC_INVALID_ARGUMENT);
	blob.size = 0;
	blob.data.len = 0;
	call_fails(&c, RPC_M_REGISTER_RESOURCE, &q.base, RPC_INVALID_ARGUMENT);
	blob.size = 4;
	blob.data.len = 4;
	blob.type_ = 3;
	call_fails(&c, RPC_M_REGISTER_RESOURCE, &q.base, RPC_INVALID_ARGUMENT);
	blob.type_ = RPC_BLOB_MAPPED;
	q.resource_type = 3;
	call_fails(&c, RPC_M_REGISTER_RESOURCE, &q.base, RPC_INVALID_ARGUMENT);
	/* the same blob, well formed, with a path beside it: accepted by
	 * value (the path is ignored, as upstream's agent ignores paths
	 * when blobs come) */
	q.resource_type = 1;
	q.paths = paths;
	q.n_paths = 1;
	struct reply r;
	call(&c, RPC_M_REGISTER_RESOURCE, &q.base, &r);
	assert_int_equal(r.code, RPC_OK);
	Vaccel__Resource__RegisterResponse *resp =
		vaccel__resource__register_response__unpack(NULL, r.plen,
							     r.payload);
	assert_non_null(resp);
	int64_t rid = resp->resource_id;
	vaccel__resource__register_response__free_unpacked(resp, NULL);
	reply_free(&r);
	/* and its bytes are those sent, not /etc/passwd's */
	Vaccel__Resource__SyncRequest sq = VACCEL__RESOURCE__SYNC_REQUEST__INIT;
	sq.resource_id = rid;
	call(&c, RPC_M_SYNC_RESOURCE, &sq.base, &r);
	assert_int_equal(r.code, RPC_OK);
	Vaccel__Resource__SyncResponse *sr =
		vaccel__resource__sync_response__unpack(NULL, r.plen,
							r.payload);
	assert_non_null(sr);
	assert_int_equal(sr->n_blobs, 1);
	assert_int_equal(sr->blobs[0]->data.len, 4);
	assert_memory_equal(sr->blobs[0]->data.data, "data", 4);
	vaccel__resource__sync_response__free_unpacked(sr, NULL);
	reply_free(&r);
	still_usable(&c);
	conn_close(&F, &c);
}

static Vaccel__Genop__Arg *arg(Vaccel__Genop__Arg *a, uint32_t type,
			       const void *p, size_t n, uint32_t size)
{
	vaccel__genop__arg__init(a);
	a->arg_type = type;
	a->buf.data = (uint8_t *)p;
	a->buf.len = n;
	a->size = size;
	return a;
}

/* Genop's shape: the op first (a 1-byte UINT8), sizes equal to the bytes
 * sent, at most --max-args args besides the op. */
static void test_genop_shapes(void **state)
{
	(void)state;
	struct conn c;
	conn_open(&F, &c);
	int64_t s = create_session(&c);
	uint8_t op = OP_NOOP;
	int32_t i32 = 5;
	Vaccel__Genop__Arg a[MAX_ARGS + 4];
	Vaccel__Genop__Arg *rd[MAX_ARGS + 4], *wr[MAX_ARGS + 4];
	Vaccel__Genop__Request g = VACCEL__GENOP__REQUEST__INIT;
	g.session_id = s;
	g.read_args = rd;
	g.write_args = wr;

	/* a NOOP: fine */
	rd[0] = arg(&a[0], ARG_UINT8, &op, 1, 1);
	g.n_read_args = 1;
	struct reply r;
	call(&c, RPC_M_GENOP, &g.base, &r);
	assert_int_equal(r.code, RPC_OK);
	reply_free(&r);

	/* no op arg: no args at all, or only write args */
	g.n_read_args = 0;
	call_fails(&c, RPC_M_GENOP, &g.base, RPC_INVALID_ARGUMENT);
	wr[0] = arg(&a[1], ARG_UINT8, &op, 1, 1);
	g.n_write_args = 1;
	call_fails(&c, RPC_M_GENOP, &g.base, RPC_INVALID_ARGUMENT);
	g.n_write_args = 0;
	g.n_read_args = 1;
	/* the op arg of another type, size or length */
	arg(&a[0], ARG_INT32, &i32, 4, 4);
	call_fails(&c, RPC_M_GENOP, &g.base, RPC_INVALID_ARGUMENT);
	arg(&a[0], ARG_UINT8, &op, 1, 4);
	call_fails(&c, RPC_M_GENOP, &g.base, RPC_INVALID_ARGUMENT);
	arg(&a[0], ARG_UINT8, &i32, 4, 1);
	call_fails(&c, RPC_M_GENOP, &g.base, RPC_INVALID_ARGUMENT);
	arg(&a[0], ARG_UINT8, NULL, 0, 1);
	call_fails(&c, RPC_M_GENOP, &g.base, RPC_INVALID_ARGUMENT);
	/* an op number no one carries */
	uint8_t bad_op = 0xff;
	arg(&a[0], ARG_UINT8, &bad_op, 1, 1);
	call_fails(&c, RPC_M_GENOP, &g.base, RPC_UNIMPLEMENTED);
	arg(&a[0], ARG_UINT8, &op, 1, 1);

	/* an arg whose size is not the bytes sent: smaller, larger; a read
	 * arg with no bytes but a size; an arg type out of range */
	rd[1] = arg(&a[1], ARG_INT32, &i32, 4, 2);
	g.n_read_args = 2;
	call_fails(&c, RPC_M_GENOP, &g.base, RPC_INVALID_ARGUMENT);
	arg(&a[1], ARG_INT32, &i32, 4, 8);
	call_fails(&c, RPC_M_GENOP, &g.base, RPC_INVALID_ARGUMENT);
	arg(&a[1], ARG_INT32, NULL, 0, 4);
	call_fails(&c, RPC_M_GENOP, &g.base, RPC_INVALID_ARGUMENT);
	arg(&a[1], 30, &i32, 4, 4);
	call_fails(&c, RPC_M_GENOP, &g.base, RPC_INVALID_ARGUMENT);
	arg(&a[1], 0xFFFFFFFFu, &i32, 4, 4);
	call_fails(&c, RPC_M_GENOP, &g.base, RPC_INVALID_ARGUMENT);
	/* a write arg with some bytes, but not its size */
	g.n_read_args = 1;
	wr[0] = arg(&a[1], ARG_INT32, &i32, 4, 2);
	g.n_write_args = 1;
	call_fails(&c, RPC_M_GENOP, &g.base, RPC_INVALID_ARGUMENT);
	g.n_write_args = 0;

	/* --max-args: the op and MAX_ARGS more pass the shape check (then
	 * vAccel's NOOP refuses extra args: INTERNAL with a vaccel.Error
	 * of EINVAL); one more is refused before that */
	for (int k = 1; k <= MAX_ARGS + 1; k++)
		rd[k] = arg(&a[k], ARG_INT32, &i32, 4, 4);
	g.n_read_args = MAX_ARGS + 1;
	call(&c, RPC_M_GENOP, &g.base, &r);
	assert_int_equal(r.code, RPC_INTERNAL);
	assert_true(r.has_detail);
	assert_int_equal(r.ffi_error, EINVAL);
	reply_free(&r);
	g.n_read_args = MAX_ARGS + 2;
	call_fails(&c, RPC_M_GENOP, &g.base, RPC_INVALID_ARGUMENT);
	/* split between read and write args: counted together */
	g.n_read_args = 1 + MAX_ARGS / 2;
	for (int k = 0; k <= MAX_ARGS / 2; k++)
		wr[k] = arg(&a[MAX_ARGS / 2 + 1 + k], ARG_INT32, &i32, 4, 4);
	g.n_write_args = MAX_ARGS / 2 + 1;
	call_fails(&c, RPC_M_GENOP, &g.base, RPC_INVALID_ARGUMENT);
	g.n_write_args = 0;

	/* an op on a resource without its INT64 resource id */
	uint8_t rop = OP_EXEC_WITH_RESOURCE;
	arg(&a[0], ARG_UINT8, &rop, 1, 1);
	g.n_read_args = 1;
	call_fails(&c, RPC_M_GENOP, &g.base, RPC_INVALID_ARGUMENT);
	arg(&a[1], ARG_INT32, &i32, 4, 4);
	g.n_read_args = 2;
	call_fails(&c, RPC_M_GENOP, &g.base, RPC_INVALID_ARGUMENT);
	still_usable(&c);
	conn_close(&F, &c);
}

/* Ids a connection does not own are NOT_FOUND, in every method. */
static void test_unknown_ids(void **state)
{
	(void)state;
	struct conn c, other;
	conn_open(&F, &c);
	int64_t s = create_session(&c);
	int64_t res = register_blob(&c, s, "m.pt", "junk", 4, RES_MODEL);
	/* unknown: a small number, the next slots of our own ids (right
	 * generation, nothing there), our session's id with another
	 * generation, the extremes, and ids <= 0 */
	const int64_t bad[] = {999,	 s + 100,  res + 1,   s ^ (1ll << 40),
			       INT64_MAX, 0,	    -1,	       INT64_MIN};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t b = bad[i];
		/* NOT_FOUND for every id we do not have (ours: also <= 0) */
		int32_t nf = RPC_NOT_FOUND;
		Vaccel__Session__UpdateRequest u =
			VACCEL__SESSION__UPDATE_REQUEST__INIT;
		u.session_id = b;
		call_fails(&c, RPC_M_UPDATE_SESSION, &u.base, nf);
		Vaccel__Session__DestroyRequest d =
			VACCEL__SESSION__DESTROY_REQUEST__INIT;
		d.session_id = b;
		call_fails(&c, RPC_M_DESTROY_SESSION, &d.base, nf);
		Vaccel__Profiling__Request p =
			VACCEL__PROFILING__REQUEST__INIT;
		p.session_id = b;
		call_fails(&c, RPC_M_GET_PROFILER, &p.base, nf);
		Vaccel__Image__Request im = VACCEL__IMAGE__REQUEST__INIT;
		im.session_id = b;
		im.image.data = (uint8_t *)"img";
		im.image.len = 3;
		call_fails(&c, RPC_M_IMAGE_CLASSIFICATION, &im.base, nf);

		uint8_t op = OP_NOOP;
		Vaccel__Genop__Arg a0, a1;
		Vaccel__Genop__Arg *rd[2] = {arg(&a0, ARG_UINT8, &op, 1, 1),
					     &a1};
		Vaccel__Genop__Request g = VACCEL__GENOP__REQUEST__INIT;
		g.session_id = b;
		g.read_args = rd;
		g.n_read_args = 1;
		call_fails(&c, RPC_M_GENOP, &g.base, nf);
		/* a resource op naming an unknown resource */
		uint8_t rop = OP_EXEC_WITH_RESOURCE;
		arg(&a0, ARG_UINT8, &rop, 1, 1);
		arg(&a1, ARG_INT64, &b, 8, 8);
		g.session_id = s;
		g.n_read_args = 2;
		call_fails(&c, RPC_M_GENOP, &g.base, nf);

		/* resources: unknown session or resource */
		Vaccel__Resource__RegisterRequest rr =
			VACCEL__RESOURCE__REGISTER_REQUEST__INIT;
		Vaccel__Resource__Blob blob = VACCEL__RESOURCE__BLOB__INIT;
		Vaccel__Resource__Blob *blobs[1] = {&blob};
		blob.name = "x";
		blob.data.data = (uint8_t *)"x";
		blob.data.len = 1;
		blob.size = 1;
		rr.blobs = blobs;
		rr.n_blobs = 1;
		rr.session_id = b;
		call_fails(&c, RPC_M_REGISTER_RESOURCE, &rr.base, nf);
		if (b > 0) {
			/* an existing resource id that is not ours */
			rr.n_blobs = 0;
			rr.session_id = s;
			rr.resource_id = b;
			call_fails(&c, RPC_M_REGISTER_RESOURCE, &rr.base, nf);
		}
		Vaccel__Resource__UnregisterRequest ur =
			VACCEL__RESOURCE__UNREGISTER_REQUEST__INIT;
		ur.resource_id = b;
		ur.session_id = s;
		call_fails(&c, RPC_M_UNREGISTER_RESOURCE, &ur.base, nf);
		ur.resource_id = res;
		ur.session_id = b;
		call_fails(&c, RPC_M_UNREGISTER_RESOURCE, &ur.base, nf);
		Vaccel__Resource__SyncRequest sr =
			VACCEL__RESOURCE__SYNC_REQUEST__INIT;
		sr.resource_id = b;
		call_fails(&c, RPC_M_SYNC_RESOURCE, &sr.base, nf);

		/* models: unknown session, unknown model */
		for (int which = 0; which < 2; which++) {
			int64_t sid = which ? s : b, mid = which ? b : res;
			Vaccel__Torch__ModelLoadRequest tl =
				VACCEL__TORCH__MODEL_LOAD_REQUEST__INIT;
			tl.session_id = sid;
			tl.model_id = mid;
			call_fails(&c, RPC_M_TORCH_MODEL_LOAD, &tl.base, nf);
			Vaccel__Torch__ModelRunRequest tr =
				VACCEL__TORCH__MODEL_RUN_REQUEST__INIT;
			tr.session_id = sid;
			tr.model_id = mid;
			tr.nr_out_tensors = 1;
			call_fails(&c, RPC_M_TORCH_MODEL_RUN, &tr.base, nf);
			Vaccel__Tf__ModelLoadRequest fl =
				VACCEL__TF__MODEL_LOAD_REQUEST__INIT;
			fl.session_id = sid;
			fl.model_id = mid;
			call_fails(&c, RPC_M_TF_MODEL_LOAD, &fl.base, nf);
			Vaccel__Tf__ModelUnloadRequest fu =
				VACCEL__TF__MODEL_UNLOAD_REQUEST__INIT;
			fu.session_id = sid;
			fu.model_id = mid;
			call_fails(&c, RPC_M_TF_MODEL_UNLOAD, &fu.base, nf);
			Vaccel__Tf__ModelRunRequest fr =
				VACCEL__TF__MODEL_RUN_REQUEST__INIT;
			fr.session_id = sid;
			fr.model_id = mid;
			call_fails(&c, RPC_M_TF_MODEL_RUN, &fr.base, nf);
			Vaccel__Tflite__ModelLoadRequest ll =
				VACCEL__TFLITE__MODEL_LOAD_REQUEST__INIT;
			ll.session_id = sid;
			ll.model_id = mid;
			call_fails(&c, RPC_M_TFLITE_MODEL_LOAD, &ll.base, nf);
			Vaccel__Tflite__ModelUnloadRequest lu =
				VACCEL__TFLITE__MODEL_UNLOAD_REQUEST__INIT;
			lu.session_id = sid;
			lu.model_id = mid;
			call_fails(&c, RPC_M_TFLITE_MODEL_UNLOAD, &lu.base,
				   nf);
			Vaccel__Tflite__ModelRunRequest lr =
				VACCEL__TFLITE__MODEL_RUN_REQUEST__INIT;
			lr.session_id = sid;
			lr.model_id = mid;
			call_fails(&c, RPC_M_TFLITE_MODEL_RUN, &lr.base, nf);
		}
	}

	/* another connection's ids are not this one's */
	conn_open(&F, &other);
	Vaccel__Session__UpdateRequest u = VACCEL__SESSION__UPDATE_REQUEST__INIT;
	u.session_id = s;
	call_fails(&other, RPC_M_UPDATE_SESSION, &u.base, RPC_NOT_FOUND);
	Vaccel__Resource__SyncRequest sr = VACCEL__RESOURCE__SYNC_REQUEST__INIT;
	sr.resource_id = res;
	call_fails(&other, RPC_M_SYNC_RESOURCE, &sr.base, RPC_NOT_FOUND);
	conn_close(&F, &other);

	/* a destroyed session is gone; a destroyed one twice too */
	Vaccel__Session__DestroyRequest d = VACCEL__SESSION__DESTROY_REQUEST__INIT;
	int64_t s2 = create_session(&c);
	d.session_id = s2;
	struct reply r;
	call(&c, RPC_M_DESTROY_SESSION, &d.base, &r);
	assert_int_equal(r.code, RPC_OK);
	reply_free(&r);
	call_fails(&c, RPC_M_DESTROY_SESSION, &d.base, RPC_NOT_FOUND);
	u.session_id = s2;
	call_fails(&c, RPC_M_UPDATE_SESSION, &u.base, RPC_NOT_FOUND);
	/* the first session and its resource are untouched */
	u.session_id = s;
	call(&c, RPC_M_UPDATE_SESSION, &u.base, &r);
	assert_int_equal(r.code, RPC_OK);
	reply_free(&r);
	call(&c, RPC_M_SYNC_RESOURCE, &sr.base, &r);
	assert_int_equal(r.code, RPC_OK);
	reply_free(&r);
	conn_close(&F, &c);
}

/* ---------------------------------------------------------------------- */
/* tensors                                                                 */
/* ---------------------------------------------------------------------- */

/* "[noop] Calling torch_model_run" lines the daemon has logged so far */
static int torch_runs_logged(const char *log)
{
	FILE *fp = fopen(log, "r");
	char line[1024];
	int n = 0;
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp))
		n += strstr(line, "Calling torch_model_run") != NULL;
	fclose(fp);
	return n;
}

/* TorchModelRun's input tensors are checked before the model is used
 * (with the noop plugin, before it is called: its log line counts the
 * calls), on a model that is any bytes registered by value. */
static void test_torch_bad_tensors(void **state)
{
	(void)state;
	static struct fx V; /* a daemon logging at debug level */
	char log[300];
	const char *tmp = getenv("TMPDIR");
	snprintf(log, sizeof(log), "%s/rpc-hostile-torch.%d.log",
		 tmp ? tmp : P_tmpdir, (int)getpid());
	static const char *const extra[] = {"-v", "-v", NULL};
	assert_int_equal(fx_start(&V, extra, true, log), 0);
	struct conn c;
	conn_open(&V, &c);
	int64_t s = create_session(&c);
	uint8_t junk[64];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 37 + 1);
	int64_t m = register_blob(&c, s, "model.pt", junk, sizeof(junk),
				  RES_MODEL);

	float data[6] = {1, 2, 3, 4, 5, 6};
	int64_t dims[VIRTIO_ACCEL_TENSOR_MAX_DIMS + 2];
	for (size_t i = 0; i < sizeof(dims) / sizeof(dims[0]); i++)
		dims[i] = 1;
	dims[0] = 2;
	dims[1] = 3;
	Vaccel__Torch__Tensor t = VACCEL__TORCH__TENSOR__INIT;
	Vaccel__Torch__Tensor *tp[1] = {&t};
	t.data.data = (uint8_t *)data;
	t.data.len = sizeof(data);
	t.dims = dims;
	t.n_dims = 2;
	t.type = TORCH_FLOAT;
	Vaccel__Torch__ModelRunRequest q =
		VACCEL__TORCH__MODEL_RUN_REQUEST__INIT;
	q.session_id = s;
	q.model_id = m;
	q.in_tensors = tp;
	q.n_in_tensors = 1;
	q.nr_out_tensors = 1;

	/* well formed: the plugin runs (noop echoes the input) */
	struct reply r;
	call(&c, RPC_M_TORCH_MODEL_RUN, &q.base, &r);
	assert_int_equal(r.code, RPC_OK);
	Vaccel__Torch__ModelRunResponse *resp =
		vaccel__torch__model_run_response__unpack(NULL, r.plen,
							  r.payload);
	assert_non_null(resp);
	assert_int_equal(resp->n_out_tensors, 1);
	assert_int_equal(resp->out_tensors[0]->data.len, sizeof(data));
	assert_memory_equal(resp->out_tensors[0]->data.data, data,
			    sizeof(data));
	assert_int_equal(resp->out_tensors[0]->n_dims, 2);
	vaccel__torch__model_run_response__free_unpacked(resp, NULL);
	reply_free(&r);
	int64_t end = vmm_now_ms() + WAIT_MS;
	while (torch_runs_logged(log) < 1 && vmm_now_ms() < end)
		usleep(10000);
	assert_int_equal(torch_runs_logged(log), 1);

	/* dims x element size != data length: one element short, one more,
	 * a dim of 0 with data, a negative dim, an overflowing product */
	t.data.len = sizeof(data) - 4;
	call_fails(&c, RPC_M_TORCH_MODEL_RUN, &q.base, RPC_INVALID_ARGUMENT);
	t.data.len = sizeof(data);
	dims[1] = 4;
	call_fails(&c, RPC_M_TORCH_MODEL_RUN, &q.base, RPC_INVALID_ARGUMENT);
	dims[1] = 0;
	call_fails(&c, RPC_M_TORCH_MODEL_RUN, &q.base, RPC_INVALID_ARGUMENT);
	dims[1] = -3;
	dims[0] = -2;
	call_fails(&c, RPC_M_TORCH_MODEL_RUN, &q.base, RPC_INVALID_ARGUMENT);
	dims[0] = INT64_MAX / 2;
	dims[1] = 6;
	call_fails(&c, RPC_M_TORCH_MODEL_RUN, &q.base, RPC_INVALID_ARGUMENT);
	/* 2^31 x 2^31 x 4 elements of 4 bytes: 2^66 bytes, 0 modulo 2^64 */
	dims[0] = 1ll << 31;
	dims[1] = 1ll << 31;
	dims[2] = 4;
	t.n_dims = 3;
	t.data.len = 0;
	call_fails(&c, RPC_M_TORCH_MODEL_RUN, &q.base, RPC_INVALID_ARGUMENT);
	dims[0] = 2;
	dims[1] = 3;
	dims[2] = 1;
	t.n_dims = 2;
	t.data.len = sizeof(data);
	/* the data type out of range (torch: 1..7); a 1-byte type with the
	 * same dims is a length mismatch */
	static const uint32_t types[] = {0, 8, 100, 0x7fffffffu, 0xffffffffu};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		t.type = types[i];
		call_fails(&c, RPC_M_TORCH_MODEL_RUN, &q.base,
			   RPC_INVALID_ARGUMENT);
	}
	t.type = 1;
	call_fails(&c, RPC_M_TORCH_MODEL_RUN, &q.base, RPC_INVALID_ARGUMENT);
	t.type = TORCH_FLOAT;
	/* more than 16 dims (all 1 but the first two: the product fits) */
	t.n_dims = VIRTIO_ACCEL_TENSOR_MAX_DIMS + 1;
	call_fails(&c, RPC_M_TORCH_MODEL_RUN, &q.base, RPC_INVALID_ARGUMENT);
	t.n_dims = VIRTIO_ACCEL_TENSOR_MAX_DIMS + 2;
	call_fails(&c, RPC_M_TORCH_MODEL_RUN, &q.base, RPC_INVALID_ARGUMENT);
	/* exactly 16 is fine */
	t.n_dims = VIRTIO_ACCEL_TENSOR_MAX_DIMS;
	call(&c, RPC_M_TORCH_MODEL_RUN, &q.base, &r);
	assert_int_equal(r.code, RPC_OK);
	reply_free(&r);
	/* a type whose length the dims do not fix (TFLite STRING, 5): any
	 * data length passes the shape check, as on the virtio path */
	int32_t sdims[1] = {2};
	uint8_t sdata[5] = "ab\0cd";
	Vaccel__Tflite__Tensor st = VACCEL__TFLITE__TENSOR__INIT;
	Vaccel__Tflite__Tensor *stp[1] = {&st};
	st.data.data = sdata;
	st.data.len = sizeof(sdata);
	st.dims = sdims;
	st.n_dims = 1;
	st.type = 5;
	Vaccel__Tflite__ModelRunRequest sq =
		VACCEL__TFLITE__MODEL_RUN_REQUEST__INIT;
	sq.session_id = s;
	sq.model_id = m;
	sq.in_tensors = stp;
	sq.n_in_tensors = 1;
	sq.nr_out_tensors = 1;
	call(&c, RPC_M_TFLITE_MODEL_RUN, &sq.base, &r);
	assert_int_not_equal(r.code, RPC_INVALID_ARGUMENT);
	reply_free(&r);
	t.n_dims = 2;
	/* a bad tensor after a good one */
	Vaccel__Torch__Tensor t2 = t;
	Vaccel__Torch__Tensor *tp2[2] = {&t, &t2};
	t2.type = 9;
	q.in_tensors = tp2;
	q.n_in_tensors = 2;
	call_fails(&c, RPC_M_TORCH_MODEL_RUN, &q.base, RPC_INVALID_ARGUMENT);
	/* too many inputs or outputs */
	q.in_tensors = tp;
	q.n_in_tensors = 1;
	q.nr_out_tensors = 1ull << 40;
	call_fails(&c, RPC_M_TORCH_MODEL_RUN, &q.base, RPC_INVALID_ARGUMENT);
	q.nr_out_tensors = 1;

	/* the plugin ran for the two good calls only */
	assert_int_equal(torch_runs_logged(log), 2);

	conn_close(&V, &c);
	assert_int_equal(daemon_stop(&V.d), 0);
	rmdir(V.dir);
	unlink(log);
}

/* ---------------------------------------------------------------------- */
/* flooding and limits                                                     */
/* ---------------------------------------------------------------------- */

/* A client that sends requests and never reads their replies: its process
 * blocks on its first reply and reads nothing more, so its memory stays
 * bounded whatever is queued; another client is served meanwhile. */
static void test_flood_without_reading(void **state)
{
	(void)state;
	struct conn c, b;
	conn_open(&F, &c);
	int64_t s = create_session(&c);
	size_t big = 1u << 20;
	uint8_t *blob = malloc(big);
	assert_non_null(blob);
	for (size_t i = 0; i < big; i++)
		blob[i] = (uint8_t)(i * 7);
	int64_t res = register_blob(&c, s, "big.bin", blob, big, 1);
	free(blob);
	/* each SyncResource answers the whole MiB */
	Vaccel__Resource__SyncRequest sq = VACCEL__RESOURCE__SYNC_REQUEST__INIT;
	sq.resource_id = res;
	struct reply r;
	call(&c, RPC_M_SYNC_RESOURCE, &sq.base, &r);
	assert_int_equal(r.code, RPC_OK);
	assert_true(r.plen > big);
	reply_free(&r);
	assert_true(is_rpc_frontend(c.pid));
	long base = vm_rss_kb(c.pid);
	assert_true(base > 0);

	/* batches of 64 requests until the socket stays full */
	int fl = fcntl(c.fd, F_GETFL);
	fcntl(c.fd, F_SETFL, fl | O_NONBLOCK);
	struct buf batch = {0};
	for (int i = 0; i < 64; i++) {
		b_request(&batch, c.next, RPC_M_SYNC_RESOURCE, &sq.base);
		c.next += 2;
	}
	size_t sent = 0, off = 0;
	int idle = 0;
	int64_t end = vmm_now_ms() + 20000;
	while (idle < 5 && vmm_now_ms() < end) {
		ssize_t n = send(c.fd, batch.p + off, batch.len - off,
				 MSG_NOSIGNAL);
		if (n > 0) {
			sent += (size_t)n;
			off = (off + (size_t)n) % batch.len;
			idle = 0;
			continue;
		}
		assert_true(n < 0 && errno == EAGAIN);
		struct pollfd p = {.fd = c.fd, .events = POLLOUT};
		if (poll(&p, 1, 200) == 0)
			idle++;
	}
	size_t frames = sent / (batch.len / 64);
	b_free(&batch);
	print_message("  flood: %zu bytes of requests (~%zu MiB of replies "
		      "asked for) queued\n",
		      sent, frames);
	/* far more replies asked for than the memory bound below */
	assert_true(frames >= 256);

	/* another client meanwhile: a session promptly */
	int64_t t0 = vmm_now_ms();
	conn_open(&F, &b);
	create_session(&b);
	int64_t took = vmm_now_ms() - t0;
	print_message("  another client's CreateSession: %lld ms\n",
		      (long long)took);
	assert_true(took < 10000); /* not behind the flooder (60 s) */

	/* the flooded process: bounded (one reply at a time) */
	long peak = 0;
	for (int i = 0; i < 10; i++) {
		long v = vm_rss_kb(c.pid);
		peak = v > peak ? v : peak;
		usleep(100000);
	}
	print_message("  flooded process %d: VmRSS %ld kB before, %ld kB "
		      "peak\n",
		      c.pid, base, peak);
	assert_true(peak < base + 64 * 1024);
	/* and still alive, blocked, not crashed */
	assert_int_equal(kill(c.pid, 0), 0);
	conn_close(&F, &b);
	/* closing the flooder ends its process normally */
	conn_close(&F, &c);
}

static long vm_hwm_kb(int pid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	FILE *fp = fopen(path, "r");
	long v = -1;
	while (fp && fgets(line, sizeof(line), fp))
		if (!strncmp(line, "VmHWM:", 6))
			v = strtol(line + 6, NULL, 10);
	if (fp)
		fclose(fp);
	return v;
}

/* A payload of `n` bytes made of `unit` repeated. */
static void b_repeat(struct buf *b, const void *unit, size_t ulen, size_t n)
{
	for (size_t i = 0; i + ulen <= n; i += ulen)
		b_put(b, unit, ulen);
}

/* Payloads whose decoding would take many times their size: elements of
 * repeated fields and unknown fields of a few bytes each, each of which
 * protobuf-c would allocate tens of bytes for. Refused before that: the
 * front-end's peak memory stays within a few times the frame. */
static void test_decode_amplification(void **state)
{
	(void)state;
	static const struct {
		const char *method;
		const char *unit; /* repeated to fill the payload */
		size_t ulen;
		const char *prefix; /* a LEN field around it (1 byte key) */
	} cases[] = {
		/* unknown varint fields (field 15) of a CreateRequest */
		{RPC_M_CREATE_SESSION, "\x78\x00", 2, NULL},
		/* empty Args */
		{RPC_M_GENOP, "\x12\x00", 2, NULL},
		{RPC_M_GENOP, "\x1a\x00", 2, NULL},
		/* empty paths and blobs */
		{RPC_M_REGISTER_RESOURCE, "\x0a\x00", 2, NULL},
		{RPC_M_REGISTER_RESOURCE, "\x12\x00", 2, NULL},
		/* empty tensors, nodes */
		{RPC_M_TORCH_MODEL_RUN, "\x22\x00", 2, NULL},
		{RPC_M_TF_MODEL_RUN, "\x22\x00", 2, NULL},
		{RPC_M_TFLITE_MODEL_RUN, "\x1a\x00", 2, NULL},
		/* one tensor of packed 1-byte dims (8 bytes each decoded) */
		{RPC_M_TORCH_MODEL_RUN, "\x01", 1, "\x22"},
		/* unpacked dims: 2 bytes each, 8 decoded */
		{RPC_M_TF_MODEL_RUN, "\x10\x01", 2, "\x32"},
	};
	size_t room = MAX_MESSAGE - 256;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* each in a process of its own: VmHWM is its peak */
		struct conn c;
		conn_open(&F, &c);
		still_usable(&c);
		long before = vm_hwm_kb(c.pid);
		struct buf pl = {0}, inner = {0};
		if (cases[i].prefix) {
			/* the Tensor: its dims field (2), packed or not */
			struct buf dims = {0};
			b_repeat(&dims, cases[i].unit, cases[i].ulen,
				 room - 16);
			if (cases[i].ulen == 1)
				b_field(&inner, 2, dims.p, dims.len);
			else
				b_put(&inner, dims.p, dims.len);
			b_free(&dims);
			b_field(&pl, (uint8_t)cases[i].prefix[0] >> 3,
				inner.p, inner.len);
			b_free(&inner);
		} else {
			b_repeat(&pl, cases[i].unit, cases[i].ulen, room);
		}
		uint32_t s = c.next;
		c.next += 2;
		send_env(&c, s, RPC_SERVICE_SYNC, cases[i].method, pl.p,
			 pl.len);
		struct reply r;
		assert_int_equal(recv_reply(c.fd, &r, WAIT_MS), 0);
		assert_int_equal(r.stream, s);
		long after = vm_hwm_kb(c.pid);
		print_message("  %s, %zu bytes: %d (%s); peak %ld -> %ld kB\n",
			      cases[i].method, pl.len, r.code, r.msg, before,
			      after);
		assert_int_not_equal(r.code, RPC_OK);
		reply_free(&r);
		b_free(&pl);
		/* the frame, a copy of it, and some: not tens of times it */
		assert_true(after - before < 4 * (long)(MAX_MESSAGE >> 10));
		still_usable(&c);
		conn_close(&F, &c);
	}
	/* the bound: 65536 fields are decoded, one more is not */
	struct conn c;
	conn_open(&F, &c);
	for (size_t n = 65536; n <= 65537; n++) {
		struct buf pl = {0};
		b_repeat(&pl, "\x78\x00", 2, 2 * n);
		send_env(&c, c.next, RPC_SERVICE_SYNC, RPC_M_CREATE_SESSION,
			 pl.p, pl.len);
		b_free(&pl);
		if (n == 65536) {
			struct reply r;
			assert_int_equal(recv_reply(c.fd, &r, WAIT_MS), 0);
			assert_int_equal(r.code, RPC_OK);
			reply_free(&r);
		} else {
			expect_code(&c, c.next, RPC_RESOURCE_EXHAUSTED,
				    "fields and elements");
		}
		c.next += 2;
	}
	still_usable(&c);
	conn_close(&F, &c);
}

/* --max-frontends connections work at once; the next one is closed at
 * once by the supervisor (no process), and the others go on. */
static void test_max_frontends(void **state)
{
	(void)state;
	struct conn c[MAX_FRONTENDS];
	int64_t s[MAX_FRONTENDS];
	for (int i = 0; i < MAX_FRONTENDS; i++) {
		conn_open(&F, &c[i]);
		s[i] = create_session(&c[i]);
	}
	int kids[64];
	assert_int_equal(daemon_children(&F.d, kids, 64), MAX_FRONTENDS);
	for (int k = 0; k < 3; k++) {
		int fd = raw_connect(&F);
		Vaccel__Session__CreateRequest q =
			VACCEL__SESSION__CREATE_REQUEST__INIT;
		struct buf b = {0};
		b_request(&b, 1, RPC_M_CREATE_SESSION, &q.base);
		/* the send may already see the close */
		ssize_t n = send(fd, b.p, b.len, MSG_NOSIGNAL);
		assert_true(n == (ssize_t)b.len || (n < 0 && errno == EPIPE));
		b_free(&b);
		expect_eof(fd);
		close(fd);
	}
	/* no process for them, no record */
	assert_int_equal(daemon_children(&F.d, kids, 64), MAX_FRONTENDS);
	pump(&F, 200);
	for (unsigned int i = 0; i < F.nrecs; i++)
		if (strstr(F.recs[i], "event=connect") && !F.claimed[i])
			fail_msg("a refused connection got a record: %s",
				 F.recs[i]);
	/* the others work, with their sessions */
	for (int i = 0; i < MAX_FRONTENDS; i++) {
		Vaccel__Session__UpdateRequest u =
			VACCEL__SESSION__UPDATE_REQUEST__INIT;
		u.session_id = s[i];
		struct reply r;
		call(&c[i], RPC_M_UPDATE_SESSION, &u.base, &r);
		assert_int_equal(r.code, RPC_OK);
		reply_free(&r);
		still_usable(&c[i]);
	}
	/* one leaves: a new one is served in its place */
	conn_close(&F, &c[0]);
	conn_open(&F, &c[0]);
	still_usable(&c[0]);
	for (int i = 0; i < MAX_FRONTENDS; i++)
		conn_close(&F, &c[i]);
}

/* A TCP port free now (the daemon binds it next). */
static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sa);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

static int tcp_connect(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_true(fd >= 0);
	int64_t end = vmm_now_ms() + WAIT_MS;
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		assert_true(errno == ECONNREFUSED && vmm_now_ms() < end);
		usleep(10000);
	}
	return fd;
}

/* TCP: a peer inside --rpc-allow is served; one outside is closed by the
 * supervisor before any process is started for it. */
static void test_tcp_allow(void **state)
{
	(void)state;
	for (int allowed = 0; allowed < 2; allowed++) {
		static struct fx V;
		char listen[64], port_s[16];
		int port = free_port();
		snprintf(port_s, sizeof(port_s), "%d", port);
		snprintf(listen, sizeof(listen), "tcp:127.0.0.1:%d", port);
		const char *extra[] = {"--rpc-listen", listen, "--rpc-allow",
				       allowed ? "127.0.0.1/32" : "10.0.0.0/8",
				       NULL};
		assert_int_equal(fx_start(&V, extra, false, NULL), 0);
		struct conn c = {.fd = tcp_connect(port), .next = 1};
		if (allowed) {
			create_session(&c);
			int i = find_rec(&V, "event=connect frontend=", true);
			assert_true(i >= 0);
			assert_non_null(strstr(V.recs[i], "transport=rpc"));
		} else {
			Vaccel__Session__CreateRequest q =
				VACCEL__SESSION__CREATE_REQUEST__INIT;
			struct buf b = {0};
			b_request(&b, 1, RPC_M_CREATE_SESSION, &q.base);
			ssize_t n = send(c.fd, b.p, b.len, MSG_NOSIGNAL);
			assert_true(n == (ssize_t)b.len ||
				    (n < 0 && (errno == EPIPE ||
					       errno == ECONNRESET)));
			b_free(&b);
			expect_eof(c.fd);
			int kids[8];
			assert_int_equal(daemon_children(&V.d, kids, 8), 0);
			pump(&V, 200);
			assert_int_equal(V.nrecs, 0);
			/* the UNIX listener is not subject to it */
			struct conn u;
			conn_open(&V, &u);
			still_usable(&u);
			conn_close(&V, &u);
		}
		close(c.fd);
		assert_int_equal(daemon_stop(&V.d), 0);
		rmdir(V.dir);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_truncated_header, healthy),
		cmocka_unit_test_teardown(test_truncated_after_header, healthy),
		cmocka_unit_test_teardown(test_truncated_half_data, healthy),
		cmocka_unit_test_teardown(test_length_ffffffff, healthy),
		cmocka_unit_test_teardown(test_length_over_max_message,
					  healthy),
		cmocka_unit_test_teardown(test_length_at_max_message, healthy),
		cmocka_unit_test_teardown(test_unknown_service_method, healthy),
		cmocka_unit_test_teardown(test_malformed_envelope, healthy),
		cmocka_unit_test_teardown(test_malformed_payload, healthy),
		cmocka_unit_test_teardown(test_even_stream, healthy),
		cmocka_unit_test_teardown(test_streaming_flags, healthy),
		cmocka_unit_test_teardown(test_register_host_path, healthy),
		cmocka_unit_test_teardown(test_genop_shapes, healthy),
		cmocka_unit_test_teardown(test_unknown_ids, healthy),
		cmocka_unit_test_teardown(test_torch_bad_tensors, healthy),
		cmocka_unit_test_teardown(test_flood_without_reading, healthy),
		cmocka_unit_test_teardown(test_decode_amplification, healthy),
		cmocka_unit_test_teardown(test_max_frontends, healthy),
		cmocka_unit_test_teardown(test_tcp_allow, healthy),
	};
	return cmocka_run_group_tests_name("rpc_hostile", tests, group_setup,
					   group_teardown);
}
