// SPDX-License-Identifier: Apache-2.0
/*
 * One front-end cannot hurt another (issue: a process per front-end, and
 * the holes of the host audit closed). Each test plays a hostile VMM or
 * guest against the real daemon next to a well-behaved front-end and
 * checks that the latter is unaffected, and that the hostile one's own
 * process either survives or ends with a record the test expected.
 *
 * The comment above each test says what it did to the single-process
 * daemon this replaced.
 */
#include <endian.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "vmm.h"

#define WAIT_MS 30000
#define MEM	(64u << 20)

enum {
	T_INT32 = 6,
	T_INT64 = 7,
	T_STRING = 27,
	T_BUFFER = 28,
	OP_EXEC_WITH_RESOURCE = 2,
	RES_LIB = 0,
	RES_DATA = 1,
};

/* ---------------------------------------------------------------------- */
/* helpers                                                                 */
/* ---------------------------------------------------------------------- */

static void start(struct daemon *d, const char *plug, const char *const *extra)
{
	char path[512];
	const char *b = getenv("VACCEL_TEST_BUILDDIR");
	snprintf(path, sizeof(path), "%s/plugins/%s/libvaccel-%s.so",
		 b ? b : ".", plug, plug);
	if (access(path, R_OK) != 0) {
		print_message("[  SKIP    ] plugin %s not built\n", plug);
		skip();
	}
	if (daemon_start(d, path, extra) < 0)
		fail_msg("cannot start the daemon");
}

static uint32_t request(struct vmm *v, struct vmm_req *r)
{
	assert_int_equal(vmm_request(v, r), 0);
	assert_int_equal(r->resp.tag, r->tag);
	return r->resp.status;
}

static uint64_t new_session(struct vmm *v)
{
	struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_SESSION_CREATE};
	assert_int_equal(request(v, &r), VIRTIO_ACCEL_OK);
	assert_int_equal(r.resp.vaccel_ret, 0);
	return r.resp.object_id;
}

static void noop_ok(struct vmm *v, uint64_t s)
{
	struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_OP, .session_id = s};
	assert_int_equal(request(v, &r), VIRTIO_ACCEL_OK);
	assert_int_equal(r.resp.vaccel_ret, 0);
}

/* A request that runs on a worker (not inline): create + destroy. */
static void worker_roundtrip_ok(struct vmm *v)
{
	uint64_t s = new_session(v);
	struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_SESSION_DESTROY,
			    .session_id = s};
	assert_int_equal(request(v, &r), VIRTIO_ACCEL_OK);
}

/* The pid of the process serving the front-end connected by `connect`:
 * the supervisor's child that appeared meanwhile. */
static int new_child(struct daemon *d, const int *before, int nbefore)
{
	int64_t end = vmm_now_ms() + WAIT_MS;
	while (vmm_now_ms() < end) {
		int now[64];
		int n = daemon_children(d, now, 64);
		for (int i = 0; i < n; i++) {
			bool seen = false;
			for (int k = 0; k < nbefore; k++)
				seen |= now[i] == before[k];
			if (!seen)
				return now[i];
		}
		usleep(2000);
	}
	return -1;
}

/* Connect v (nq queues, flags) and return its process id. */
static int connect_fe(struct daemon *d, struct vmm *v, unsigned int nq,
		      unsigned int flags)
{
	int before[64];
	int n = daemon_children(d, before, 64);
	assert_int_equal(vmm_connect_ex(v, d->sock, MEM, nq, flags), 0);
	int pid = new_child(d, before, n);
	assert_true(pid > 0);
	return pid;
}

static long proc_field(int pid, const char *file, const char *key)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	FILE *f = fopen(path, "r");
	long v = -1;
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = strtol(line + strlen(key), NULL, 10);
	if (f)
		fclose(f);
	return v;
}

/* utime + stime of a process, in clock ticks */
static long cpu_ticks(int pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	long ut = 0, st = 0;
	/* fields after the name: state(3) ... utime(14) stime(15) */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
				"%ld %ld",
			 &ut, &st) != 2)
		return -1;
	return ut + st;
}

/* The event=exit record of the next front-end process to end. */
static void expect_exit(struct daemon *d, const char *result)
{
	char line[512];
	assert_true(
		daemon_stats_wait(d, "event=exit", WAIT_MS, line, sizeof(line)));
	print_message("  %s\n", line);
	assert_non_null(strstr(line, result));
}

static uint64_t read_harness_lib(uint8_t **so)
{
	const char *lib = getenv("HARNESS_LIB");
	uint64_t n = lib ? vmm_read_file(lib, so) : 0;
	if (!n) {
		print_message("[  SKIP    ] HARNESS_LIB not readable\n");
		skip();
	}
	return n;
}

/* A session with libharness.so registered; returns the resource id. */
static int64_t harness_resource(struct vmm *v, uint64_t s)
{
	uint8_t *so = NULL;
	uint64_t n = read_harness_lib(&so);
	struct vmm_req c;
	vmm_lib_resource_req(&c, s, "libharness.so", so, n);
	assert_int_equal(request(v, &c), VIRTIO_ACCEL_OK);
	assert_int_equal(c.resp.vaccel_ret, 0);
	free(so);
	return (int64_t)c.resp.object_id;
}

/* EXEC_WITH_RESOURCE of fn(int32 in) -> int32 out, as a request. */
static void exec_req(struct vmm_req *r, uint64_t s, const int64_t *gid,
		     const char *fn, const int32_t *in, int32_t *out)
{
	memset(r, 0, sizeof(*r));
	r->cmd = VIRTIO_ACCEL_CMD_OP;
	r->session_id = s;
	r->param = OP_EXEC_WITH_RESOURCE;
	r->nr_read = 3;
	r->nr_write = 1;
	r->rd[0] = (struct vmm_arg){.type = T_INT64, .data = gid, .len = 8};
	r->rd[1] = (struct vmm_arg){
		.type = T_STRING, .data = fn, .len = strlen(fn) + 1};
	r->rd[2] = (struct vmm_arg){.type = T_INT32, .data = in, .len = 4};
	r->wr[0] = (struct vmm_arg){.type = T_INT32, .out = out, .len = 4};
}

/* ---------------------------------------------------------------------- */
/* crashes stay in their process                                           */
/* ---------------------------------------------------------------------- */

/* Before: a plugin crash (SIGSEGV) or a kill took every VM's device. */
static void test_crash_isolated(void **state)
{
	(void)state;
	static struct daemon d;
	static struct vmm a, b, c;
	start(&d, "exec", NULL);
	connect_fe(&d, &a, 1, 0);
	uint64_t sa = new_session(&a);
	noop_ok(&a, sa);

	/* B's plugin call crashes B's process */
	connect_fe(&d, &b, 1, 0);
	uint64_t sb = new_session(&b);
	int64_t gid = harness_resource(&b, sb);
	struct vmm_req r;
	int32_t in = 0, out = 0;
	exec_req(&r, sb, &gid, "harness_crash", &in, &out);
	struct vmm_arena ar;
	assert_int_equal(vmm_arena_carve(&b, &ar, 1u << 20), 0);
	assert_int_equal(vmm_submit(&b, 0, &ar, 0, &r), 0);
	/* SIGSEGV (a sanitizer build turns it into an abort) */
	expect_exit(&d, "result=signal:");
	d.expected_crashes++;
	assert_true(vmm_peer_closed(&b, WAIT_MS));
	noop_ok(&a, sa);
	worker_roundtrip_ok(&a);

	/* C's process is SIGKILLed */
	int pc = connect_fe(&d, &c, 1, 0);
	uint64_t sc = new_session(&c);
	noop_ok(&c, sc);
	kill(pc, SIGKILL);
	expect_exit(&d, "result=signal:KILL");
	d.expected_crashes++;
	noop_ok(&a, sa); /* A's session survived both */
	worker_roundtrip_ok(&a);

	vmm_disconnect(&a);
	vmm_disconnect(&b);
	vmm_disconnect(&c);
	assert_int_equal(daemon_stop(&d), 0);
}

/* ---------------------------------------------------------------------- */
/* front-end fds                                                           */
/* ---------------------------------------------------------------------- */

static void set_vring_fd(struct vmm *v, uint32_t req, unsigned int q, int fd)
{
	uint64_t qi = q;
	assert_int_equal(vmm_msg_send(v, req, 0, &qi, 8, &fd, 1), 0);
}

/* A blocking eventfd one signal away from its maximum: writes block. */
static int full_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC);
	uint64_t v = 0xfffffffffffffffeull;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, &v, 8), 8);
	return fd;
}

/*
 * Before: a call fd that blocks wedged the shared workers for every
 * front-end (the write happened under the queue lock), and the daemon
 * could not even disconnect it.
 */
static void test_blocking_call_fd(void **state)
{
	(void)state;
	static struct daemon d;
	static struct vmm a, b;
	start(&d, "noop", NULL);
	connect_fe(&d, &a, 1, 0);
	connect_fe(&d, &b, 1, 0);
	int efd = full_eventfd();
	set_vring_fd(&b, VMM_SET_VRING_CALL, 0, efd);
	/* B's requests (on workers) complete but cannot signal it */
	struct vmm_arena ar;
	assert_int_equal(vmm_arena_carve(&b, &ar, 1u << 20), 0);
	for (int i = 0; i < 8; i++) {
		struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_SESSION_CREATE};
		assert_int_equal(vmm_submit(&b, 0, &ar, 0, &r), 0);
		assert_int_equal(vmm_complete(&b, &r, WAIT_MS), 0);
	}
	for (int i = 0; i < 20; i++)
		worker_roundtrip_ok(&a);
	vmm_disconnect(&b);
	expect_exit(&d, "result=ok"); /* B's process ended by itself */
	close(efd);
	worker_roundtrip_ok(&a);
	vmm_disconnect(&a);
	assert_int_equal(daemon_stop(&d), 0);
}

/*
 * Before: one blocking eventfd as the kick fd of two queues blocked the
 * kick thread in read() (the second queue found it empty), after which
 * the front-end could not be disconnected; a pipe whose writers were gone
 * made the kick thread spin on EPOLLHUP.
 */
static void test_hostile_kick_fds(void **state)
{
	(void)state;
	static struct daemon d;
	static struct vmm a, b, c;
	static const char *const extra[] = {"--queues", "2", NULL};
	start(&d, "noop", extra);
	connect_fe(&d, &a, 1, 0);
	uint64_t sa = new_session(&a);

	connect_fe(&d, &b, 2, 0);
	int kfd = eventfd(0, EFD_CLOEXEC);
	int kfd2 = dup(kfd);
	set_vring_fd(&b, VMM_SET_VRING_KICK, 0, kfd);
	set_vring_fd(&b, VMM_SET_VRING_KICK, 1, kfd2);
	uint64_t one = 1;
	for (int i = 0; i < 4; i++) {
		assert_int_equal(write(kfd, &one, 8), 8);
		usleep(20 * 1000);
	}
	noop_ok(&a, sa);
	vmm_disconnect(&b);
	expect_exit(&d, "result=ok");
	close(kfd);
	close(kfd2);

	int pc = connect_fe(&d, &c, 1, 0);
	int p[2];
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	set_vring_fd(&c, VMM_SET_VRING_KICK, 0, p[0]);
	close(p[1]); /* no writer: EPOLLHUP for ever */
	close(p[0]);
	usleep(200 * 1000);
	long t0 = cpu_ticks(pc);
	usleep(1000 * 1000);
	long t1 = cpu_ticks(pc);
	print_message("  C's process used %ld ticks in 1 s\n", t1 - t0);
	assert_true(t0 >= 0 && t1 - t0 < sysconf(_SC_CLK_TCK) / 4);
	noop_ok(&a, sa);
	vmm_disconnect(&c);
	expect_exit(&d, "result=ok");
	vmm_disconnect(&a);
	assert_int_equal(daemon_stop(&d), 0);
}

/* ---------------------------------------------------------------------- */
/* budgets                                                                 */
/* ---------------------------------------------------------------------- */

/*
 * Before: vq_pop only checked avail_idx - last_avail <= num, so a guest
 * re-posting a head without waiting for its completions made the daemon
 * allocate a 32 KiB job per post while the workers were busy (GBs/s).
 */
static void test_repost_flood(void **state)
{
	(void)state;
	static struct daemon d;
	static struct vmm a, b;
	static const char *const extra[] = {"--workers", "2", NULL};
	start(&d, "exec", extra);
	connect_fe(&d, &a, 1, 0);
	uint64_t sa = new_session(&a);
	int pb = connect_fe(&d, &b, 1, 0);
	uint64_t sb = new_session(&b);
	int64_t gid = harness_resource(&b, sb);
	long rss0 = proc_field(pb, "status", "VmRSS:");
	/* one slow request, posted again and again */
	struct vmm_req r;
	int32_t in = 50, out = 0;
	exec_req(&r, sb, &gid, "harness_sleep", &in, &out);
	struct vmm_arena ar;
	assert_int_equal(vmm_arena_carve(&b, &ar, 1u << 20), 0);
	assert_int_equal(vmm_submit(&b, 0, &ar, 0, &r), 0);
	for (int round = 0; round < 40; round++) {
		for (int i = 0; i < 200; i++)
			vmm_post(&b, 0, r.head);
		usleep(5 * 1000);
	}
	long rss1 = proc_field(pb, "status", "VmRSS:");
	print_message("  B's process: VmRSS %ld -> %ld KiB\n", rss0, rss1);
	assert_true(rss0 > 0 && rss1 > 0);
	assert_true(rss1 - rss0 < 48 * 1024);
	noop_ok(&a, sa);
	worker_roundtrip_ok(&a);
	vmm_disconnect(&b);
	expect_exit(&d, "event=exit");
	vmm_disconnect(&a);
	assert_int_equal(daemon_stop(&d), 0);
}

/*
 * Before: the runtime's id pools (1024 sessions, 2048 resources) were
 * shared by every front-end while each could hold 256 sessions and 1024
 * resources: four guests exhausted every session id.
 */
static void test_ids_per_frontend(void **state)
{
	(void)state;
	static struct daemon d;
	static struct vmm v[5];
	start(&d, "noop", NULL);
	for (int i = 0; i < 5; i++) {
		connect_fe(&d, &v[i], 1, 0);
		for (int k = 0; k < 256; k++)
			(void)new_session(&v[i]);
		struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_SESSION_CREATE};
		assert_int_equal(request(&v[i], &r), VIRTIO_ACCEL_LIMIT);
	}
	for (int i = 0; i < 5; i++)
		vmm_disconnect(&v[i]);
	assert_int_equal(daemon_stop(&d), 0);
}

static uint32_t data_resource(struct vmm *v, const void *p, uint64_t len,
			      uint64_t *id)
{
	struct vmm_req c = {.cmd = VIRTIO_ACCEL_CMD_RESOURCE_CREATE,
			    .param = RES_DATA,
			    .nr_read = 2};
	c.rd[0] = (struct vmm_arg){
		.type = T_STRING, .data = "d.bin", .len = 6};
	c.rd[1] = (struct vmm_arg){
		.type = T_BUFFER, .data = p, .len = len, .segments = true};
	uint32_t st = request(v, &c);
	*id = c.resp.object_id;
	return st;
}

/* Before: resource contents went to the run directory uncharged (up to
 * 1024 x 8 GiB per front-end). */
static void test_resource_bytes(void **state)
{
	(void)state;
	static struct daemon d;
	static struct vmm a;
	static const char *const extra[] = {"--max-resource-bytes", "1M",
					    NULL};
	start(&d, "noop", extra);
	connect_fe(&d, &a, 1, 0);
	static uint8_t buf[600 << 10];
	memset(buf, 0x5a, sizeof(buf));
	uint64_t r1, r2;
	assert_int_equal(data_resource(&a, buf, sizeof(buf), &r1),
			 VIRTIO_ACCEL_OK);
	assert_int_equal(data_resource(&a, buf, sizeof(buf), &r2),
			 VIRTIO_ACCEL_LIMIT);
	struct vmm_req x = {.cmd = VIRTIO_ACCEL_CMD_RESOURCE_DESTROY,
			    .object_id = r1};
	assert_int_equal(request(&a, &x), VIRTIO_ACCEL_OK);
	assert_int_equal(data_resource(&a, buf, sizeof(buf), &r2),
			 VIRTIO_ACCEL_OK);
	vmm_disconnect(&a);
	assert_int_equal(daemon_stop(&d), 0);
}

/* ---------------------------------------------------------------------- */
/* objects published only when built                                       */
/* ---------------------------------------------------------------------- */

struct racer {
	struct vmm *v;
	struct vmm_arena ar;
	uint64_t s;
	int64_t gid;
	volatile bool stop;
	unsigned int sent, nores, other;
};

static void *race_main(void *arg)
{
	struct racer *x = arg;
	while (!x->stop) {
		struct vmm_req r;
		int32_t in = 1, out = 0;
		exec_req(&r, x->s, &x->gid, "harness_double", &in, &out);
		if (vmm_submit(x->v, 1, &x->ar, 0, &r) < 0 ||
		    vmm_complete(x->v, &r, WAIT_MS) < 0)
			break;
		x->sent++;
		if (r.resp.status == VIRTIO_ACCEL_NORES)
			x->nores++;
		else
			x->other++;
	}
	return NULL;
}

/*
 * Before: a resource's slot was published before vaccel_resource_from_buf
 * filled it, so EXEC_WITH_RESOURCE naming the predictable id of a large
 * RESOURCE_CREATE still in progress dereferenced NULL and killed the
 * daemon for every VM.
 */
static void test_half_built_resource(void **state)
{
	(void)state;
	static struct daemon d;
	static struct vmm a;
	static const char *const extra[] = {"--queues", "2", NULL};
	start(&d, "exec", extra);
	int64_t end = vmm_now_ms() + 20000;
	unsigned int attempts = 0, raced = 0;
	assert_int_equal(vmm_connect_ex(&a, d.sock, 256u << 20, 2, 0), 0);
	uint64_t s = new_session(&a);
	static struct racer x;
	x = (struct racer){.v = &a, .s = s};
	assert_int_equal(vmm_arena_carve(&a, &x.ar, 1u << 20), 0);
	struct vmm_arena big;
	assert_int_equal(vmm_arena_carve(&a, &big, 150u << 20), 0);
	uint8_t *blob = malloc(128u << 20);
	assert_non_null(blob);
	memset(blob, 0x17, 128u << 20);
	while (attempts < 6 && vmm_now_ms() < end) {
		/* the next resource takes the lowest free slot: slot 0 */
		x.gid = (int64_t)((s & ~0xffffffffull) | 1);
		x.stop = false;
		pthread_t th;
		assert_int_equal(pthread_create(&th, NULL, race_main, &x), 0);
		struct vmm_req c = {.cmd = VIRTIO_ACCEL_CMD_RESOURCE_CREATE,
				    .param = RES_DATA,
				    .nr_read = 2};
		c.rd[0] = (struct vmm_arg){
			.type = T_STRING, .data = "big.bin", .len = 8};
		c.rd[1] = (struct vmm_arg){.type = T_BUFFER,
					   .data = blob,
					   .len = 128u << 20,
					   .segments = true,
					   .layout = VMM_SEG_SINGLE};
		unsigned int before = x.sent;
		assert_int_equal(vmm_submit(&a, 0, &big, 0, &c), 0);
		assert_int_equal(vmm_complete(&a, &c, WAIT_MS), 0);
		raced += x.sent - before;
		x.stop = true;
		pthread_join(th, NULL);
		assert_int_equal(c.resp.status, VIRTIO_ACCEL_OK);
		struct vmm_req del = {.cmd = VIRTIO_ACCEL_CMD_RESOURCE_DESTROY,
				      .object_id = c.resp.object_id};
		assert_int_equal(request(&a, &del), VIRTIO_ACCEL_OK);
		attempts++;
	}
	free(blob);
	print_message("  %u creates raced by %u execs (%u NORES)\n", attempts,
		      raced, x.nores);
	assert_true(raced > 0);
	assert_int_equal(daemon_crashes(&d), 0);
	noop_ok(&a, s);
	vmm_disconnect(&a);
	assert_int_equal(daemon_stop(&d), 0);
}

/*
 * The request header is read once. Before: the kick thread read it to
 * decide whether the request runs inline, and the worker read it again
 * from guest memory, so a guest rewriting it in between had one request
 * classified as another (a NOOP turned into RESOURCE_CREATE ran heavy work
 * on the kick thread). Here the only worker is kept busy, a SESSION_CREATE
 * waits for it in the queue, and the guest rewrites the header into a
 * SESSION_DESTROY of a live session meanwhile: what runs is what was
 * classified.
 */
static void test_header_read_once(void **state)
{
	(void)state;
	static struct daemon d;
	static struct vmm a;
	static const char *const extra[] = {"--queues", "2", "--workers", "1",
					    NULL};
	start(&d, "exec", extra);
	assert_int_equal(vmm_connect_ex(&a, d.sock, MEM, 2, 0), 0);
	uint64_t s = new_session(&a);
	int64_t gid = harness_resource(&a, s);
	struct vmm_arena a0, a1;
	assert_int_equal(vmm_arena_carve(&a, &a0, 1u << 20), 0);
	assert_int_equal(vmm_arena_carve(&a, &a1, 1u << 20), 0);
	struct vmm_req slow, c = {.cmd = VIRTIO_ACCEL_CMD_SESSION_CREATE};
	int32_t in = 600, out = 0;
	exec_req(&slow, s, &gid, "harness_sleep", &in, &out);
	slow.q = 1;
	assert_int_equal(vmm_submit(&a, 1, &a1, 0, &slow), 0);
	usleep(150 * 1000); /* the worker sleeps in it */
	assert_int_equal(vmm_submit(&a, 0, &a0, 0, &c), 0);
	usleep(150 * 1000); /* the kick thread queued it */
	struct vmm_desc *dt = vmm_ptr(&a, a.desc_gpa[0]);
	struct virtio_accel_req_hdr *h = vmm_ptr(&a, dt[c.head].addr);
	h->cmd = htole16(VIRTIO_ACCEL_CMD_SESSION_DESTROY);
	h->session_id = htole64(s);
	assert_int_equal(vmm_complete(&a, &c, WAIT_MS), 0);
	assert_int_equal(vmm_complete(&a, &slow, WAIT_MS), 0);
	print_message("  response: status %u, object 0x%llx\n",
		      c.resp.status, (unsigned long long)c.resp.object_id);
	assert_int_equal(c.resp.status, VIRTIO_ACCEL_OK);
	assert_true(c.resp.object_id != 0); /* a session was created */
	noop_ok(&a, s);			    /* and s was not destroyed */
	vmm_disconnect(&a);
	assert_int_equal(daemon_stop(&d), 0);
}

/* ---------------------------------------------------------------------- */
/* in-flight file, guest memory                                            */
/* ---------------------------------------------------------------------- */

/*
 * Before: SET_VRING_NUM grew a running ring past the size its in-flight
 * region was made for, and a head beyond it made the daemon write 8 bytes
 * ~480 KiB past a one-page mapping.
 */
static void test_inflight_ring_resize(void **state)
{
	(void)state;
	static struct daemon d;
	static struct vmm a;
	start(&d, "noop", NULL);
	assert_int_equal(
		vmm_connect_ex(&a, d.sock, MEM, 1, VMM_F_INFLIGHT), 0);
	uint64_t s = new_session(&a);
	noop_ok(&a, s);
	uint32_t st[2] = {0, 32768};
	assert_int_equal(
		vmm_msg_send(&a, VMM_SET_VRING_NUM, 0, st, 8, NULL, 0), 0);
	usleep(50 * 1000);
	vmm_post(&a, 0, 30000);
	/* refused: the connection ends; the process exits normally */
	expect_exit(&d, "result=ok");
	vmm_disconnect(&a);
	assert_int_equal(daemon_stop(&d), 0);
}

/*
 * Guest memory the daemon cannot seal (a tmpfs file): accepted by
 * default, and a VMM that truncates it under its guest kills only its own
 * device process; --require-sealed-memory refuses it up front.
 */
static void test_unsealed_memory(void **state)
{
	(void)state;
	static struct daemon d;
	static struct vmm a, b;
	start(&d, "exec", NULL);
	connect_fe(&d, &a, 1, 0);
	uint64_t sa = new_session(&a);
	connect_fe(&d, &b, 1, VMM_F_FILE_MEM);
	uint64_t sb = new_session(&b);
	int64_t gid = harness_resource(&b, sb);
	/* B's VMM cuts the last 8 MiB off its guest RAM, then its guest
	 * passes a buffer that lay there (arenas come from the top) */
	struct vmm_arena tail, ar;
	assert_int_equal(vmm_arena_carve(&b, &tail, 8u << 20), 0);
	assert_int_equal(vmm_arena_carve(&b, &ar, 1u << 20), 0);
	assert_int_equal(ftruncate(b.memfd, (off_t)(MEM - (8u << 20))), 0);
	uint64_t sum = 0;
	struct vmm_req x;
	memset(&x, 0, sizeof(x));
	x.cmd = VIRTIO_ACCEL_CMD_OP;
	x.session_id = sb;
	x.param = OP_EXEC_WITH_RESOURCE;
	x.nr_read = 3;
	x.nr_write = 1;
	x.rd[0] = (struct vmm_arg){.type = T_INT64, .data = &gid, .len = 8};
	x.rd[1] = (struct vmm_arg){
		.type = T_STRING, .data = "harness_sum", .len = 12};
	x.rd[2] = (struct vmm_arg){.type = T_BUFFER,
				   .len = 1u << 20,
				   .segments = true,
				   .layout = VMM_SEG_SINGLE,
				   .in_place = true,
				   .gpa = MEM - (4u << 20)};
	x.wr[0] = (struct vmm_arg){.type = 15, .out = &sum, .len = 8};
	assert_int_equal(vmm_submit(&b, 0, &ar, 0, &x), 0);
	/* SIGBUS (a sanitizer build turns it into an abort) */
	expect_exit(&d, "result=signal:");
	d.expected_crashes++;
	noop_ok(&a, sa);
	worker_roundtrip_ok(&a);
	vmm_disconnect(&a);
	vmm_disconnect(&b);
	assert_int_equal(daemon_stop(&d), 0);

	static const char *const extra[] = {"--require-sealed-memory", NULL};
	start(&d, "noop", extra);
	assert_int_equal(vmm_connect_ex(&a, d.sock, MEM, 1, 0), 0);
	noop_ok(&a, new_session(&a));
	assert_int_not_equal(vmm_connect_ex(&b, d.sock, MEM, 1, VMM_F_FILE_MEM),
			     0);
	vmm_disconnect(&a);
	vmm_disconnect(&b);
	assert_int_equal(daemon_stop(&d), 0);
}

/*
 * Views of guest memory cost one mapping per run. Before: the bound was
 * per argument (1024 runs), so 128 such arguments in flight made ~131 K
 * mappings, past vm.max_map_count, and every mmap, malloc and thread
 * creation of the daemon failed. Now a front-end's views share one budget
 * (--max-view-maps); past it arguments are copied, with the same result.
 */
static void test_view_map_budget(void **state)
{
	(void)state;
	static struct daemon d;
	static struct vmm a;
	static const char *const extra[] = {"--max-view-maps", "8", NULL};
	start(&d, "exec", extra);
	connect_fe(&d, &a, 1, 0);
	uint64_t s = new_session(&a);
	int64_t gid = harness_resource(&a, s);
	/* 8 runs of 1 MiB (reverse order): a view needs 9 mappings */
	struct vmm_arena ar, buf;
	assert_int_equal(vmm_arena_carve(&a, &ar, 1u << 20), 0);
	assert_int_equal(vmm_arena_carve(&a, &buf, 10u << 20), 0);
	uint64_t gpa = (buf.base + (1u << 20) - 1) & ~(uint64_t)((1u << 20) - 1);
	uint64_t len = 8u << 20, want = 0;
	uint8_t *p = vmm_ptr(&a, gpa);
	for (uint64_t i = 0; i < len; i += 8) {
		uint64_t w = i * 2654435761u;
		memcpy(p + i, &w, 8);
		want += w;
	}
	for (int round = 0; round < 3; round++) {
		uint64_t sum = 0;
		struct vmm_req x;
		memset(&x, 0, sizeof(x));
		x.cmd = VIRTIO_ACCEL_CMD_OP;
		x.session_id = s;
		x.param = OP_EXEC_WITH_RESOURCE;
		x.nr_read = 3;
		x.nr_write = 1;
		x.rd[0] = (struct vmm_arg){
			.type = T_INT64, .data = &gid, .len = 8};
		x.rd[1] = (struct vmm_arg){
			.type = T_STRING, .data = "harness_sum", .len = 12};
		x.rd[2] = (struct vmm_arg){.type = T_BUFFER,
					   .len = len,
					   .segments = true,
					   .layout = VMM_SEG_RUNS,
					   .in_place = true,
					   .gpa = gpa};
		x.wr[0] = (struct vmm_arg){.type = 15, .out = &sum, .len = 8};
		assert_int_equal(vmm_submit(&a, 0, &ar, 0, &x), 0);
		assert_int_equal(vmm_complete(&a, &x, WAIT_MS), 0);
		assert_int_equal(x.resp.status, VIRTIO_ACCEL_OK);
		assert_int_equal(x.resp.vaccel_ret, 0);
		assert_true(sum == want);
	}
	vmm_disconnect(&a);
	char line[512];
	assert_true(daemon_stats_wait(&d, "event=disconnect", WAIT_MS, line,
				      sizeof(line)));
	print_message("  %s\n", line);
	assert_non_null(strstr(line, "views_built=0 "));
	assert_null(strstr(line, "views_refused=0 "));
	assert_int_equal(daemon_stop(&d), 0);
}

/* Mappings of a file whose name contains `name` in a process. */
static int count_maps(int pid, const char *name)
{
	char path[64], line[512];
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	FILE *f = fopen(path, "r");
	int n = 0;
	while (f && fgets(line, sizeof(line), f))
		n += strstr(line, name) != NULL;
	if (f)
		fclose(f);
	return n;
}

/* A 2 MiB hugetlbfs memfd that can be mapped (reserving huge pages when
 * root and none are free), or -1. */
static int huge_file(void)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		int fd = memfd_create("vua-hugetest", MFD_CLOEXEC | MFD_HUGETLB);
		void *p = MAP_FAILED;
		if (fd >= 0 && ftruncate(fd, 2u << 20) == 0)
			p = mmap(NULL, 2u << 20, PROT_READ | PROT_WRITE,
				 MAP_SHARED, fd, 0);
		if (p != MAP_FAILED) {
			munmap(p, 2u << 20);
			return fd;
		}
		if (fd >= 0)
			close(fd);
		FILE *f = fopen("/proc/sys/vm/nr_hugepages", "r+");
		long n = 0;
		if (!f || fscanf(f, "%ld", &n) != 1) {
			if (f)
				fclose(f);
			return -1;
		}
		rewind(f);
		fprintf(f, "%ld\n", n + 4);
		fclose(f);
	}
	return -1;
}

/*
 * Before: a hugetlbfs region's mapping length was not rounded to the huge
 * page size; munmap of it failed, so every SET_MEM_TABLE leaked the old
 * table's mappings.
 */
static void test_hugetlb_remap(void **state)
{
	(void)state;
	int hfd = huge_file();
	if (hfd < 0) {
		print_message("[  SKIP    ] no huge pages\n");
		skip();
	}
	static struct daemon d;
	static struct vmm x;
	start(&d, "noop", NULL);
	int before[64];
	int nb = daemon_children(&d, before, 64);
	assert_int_equal(vmm_connect_q(&x, d.sock, 1u << 20, 0), 0);
	int pid = new_child(&d, before, nb);
	assert_true(pid > 0);
	/* one region: the first MiB of a 2 MiB huge page */
	struct {
		uint32_t n, pad;
		uint64_t gpa, size, uva, off;
	} mt = {1, 0, 0, 1u << 20, 0x7f0000000000ull, 0};
	for (int i = 0; i < 20; i++) {
		assert_int_equal(vmm_msg_send(&x, VMM_SET_MEM_TABLE,
					      VMM_MSG_NEED_REPLY, &mt,
					      sizeof(mt), &hfd, 1),
				 0);
		uint64_t ack = 1;
		uint32_t req;
		assert_int_equal(vmm_msg_recv(&x, &req, &ack, 8, WAIT_MS), 8);
		assert_int_equal(ack, 0);
	}
	int n = count_maps(pid, "vua-hugetest");
	print_message("  %d mappings of the huge-page file after 20 tables\n",
		      n);
	assert_true(n >= 1 && n <= 2);
	close(hfd);
	vmm_disconnect(&x);
	assert_int_equal(daemon_stop(&d), 0);
}

/* ---------------------------------------------------------------------- */
/* confinement                                                             */
/* ---------------------------------------------------------------------- */

/*
 * Before: restart_syscall was not in the allow-list, so a SIGSTOP/SIGCONT
 * while a plugin slept killed the (whole) confined daemon.
 */
static void test_confined_stop_cont(void **state)
{
	(void)state;
	static struct daemon d;
	static struct vmm a;
	static const char *const extra[] = {"--confined", NULL};
	start(&d, "exec", extra);
	int pa = connect_fe(&d, &a, 1, 0);
	uint64_t s = new_session(&a);
	int64_t gid = harness_resource(&a, s);
	struct vmm_req r;
	int32_t in = 1500, out = 0;
	exec_req(&r, s, &gid, "harness_sleep", &in, &out);
	struct vmm_arena ar;
	assert_int_equal(vmm_arena_carve(&a, &ar, 1u << 20), 0);
	assert_int_equal(vmm_submit(&a, 0, &ar, 0, &r), 0);
	usleep(300 * 1000);
	kill(pa, SIGSTOP);
	usleep(200 * 1000);
	kill(pa, SIGCONT);
	assert_int_equal(vmm_complete(&a, &r, WAIT_MS), 0);
	assert_int_equal(r.resp.status, VIRTIO_ACCEL_OK);
	assert_int_equal(r.resp.vaccel_ret, 0);
	assert_int_equal(out, 1500);
	vmm_disconnect(&a);
	assert_int_equal(daemon_stop(&d), 0);
}

/*
 * Before: clone/clone3 were allowed without argument checks, so guest
 * code run by the exec plugin could fork (or enter new namespaces) from
 * the process that mapped every VM's RAM.
 */
static void test_confined_no_fork(void **state)
{
	(void)state;
	static struct daemon d;
	static struct vmm a, b;
	static const char *const extra[] = {"--confined", NULL};
	start(&d, "exec", extra);
	connect_fe(&d, &a, 1, 0);
	uint64_t sa = new_session(&a);
	connect_fe(&d, &b, 1, 0);
	uint64_t sb = new_session(&b);
	int64_t gid = harness_resource(&b, sb);
	struct vmm_req r;
	int32_t in = 0, out = 1;
	exec_req(&r, sb, &gid, "harness_fork", &in, &out);
	struct vmm_arena ar;
	assert_int_equal(vmm_arena_carve(&b, &ar, 1u << 20), 0);
	assert_int_equal(vmm_submit(&b, 0, &ar, 0, &r), 0);
	/* glibc's fork is clone without CLONE_THREAD: the process dies */
	expect_exit(&d, "result=signal:SYS");
	d.expected_crashes++;
	noop_ok(&a, sa);
	vmm_disconnect(&a);
	vmm_disconnect(&b);
	assert_int_equal(daemon_stop(&d), 0);
}

#define SPLIT_LEN (24u << 20) /* above SEGCOPY_SPLIT_MIN (8 MiB) */

/*
 * Bounces of 8 MiB or more are split between the worker and the
 * front-end's copy helper thread (host/segcopy.c), which a confined
 * process starts under its seccomp filter: 24 MiB in scattered 4 KiB guest
 * pages go in (gather) and come back from the plugin (scatter) unchanged.
 * (Here rather than in the load suite: under ASan, LeakSanitizer's exit
 * check forks, which a confined process may not do.)
 */
static void test_confined_copy_helper(void **state)
{
	(void)state;
	static struct daemon d;
	static struct vmm a;
	static const char *const extra[] = {"--confined", NULL};
	start(&d, "exec", extra);
	assert_int_equal(vmm_connect_ex(&a, d.sock, 256u << 20, 1, 0), 0);
	uint64_t s = new_session(&a);
	int64_t gid = harness_resource(&a, s);
	uint8_t *in = malloc(SPLIT_LEN), *back = malloc(SPLIT_LEN);
	assert_non_null(in);
	assert_non_null(back);
	uint64_t x = 99;
	for (size_t i = 0; i < SPLIT_LEN; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		in[i] = (uint8_t)(x >> 56);
	}
	for (int round = 0; round < 2; round++) {
		memset(back, 0, SPLIT_LEN);
		struct vmm_req r;
		vmm_exec_req(&r, s, &gid, "harness_copy", 3, 1);
		r.rd[2] = (struct vmm_arg){.type = T_BUFFER,
					   .data = in,
					   .len = SPLIT_LEN,
					   .segments = true,
					   .layout = VMM_SEG_FRAGMENTED};
		r.wr[0] = (struct vmm_arg){.type = T_BUFFER,
					   .out = back,
					   .len = SPLIT_LEN,
					   .segments = true,
					   .layout = VMM_SEG_FRAGMENTED};
		assert_int_equal(request(&a, &r), VIRTIO_ACCEL_OK);
		assert_int_equal(r.resp.vaccel_ret, 0);
		assert_int_equal(r.wr[0].produced, SPLIT_LEN);
		assert_memory_equal(back, in, SPLIT_LEN);
	}
	free(in);
	free(back);
	vmm_disconnect(&a);
	assert_int_equal(daemon_stop(&d), 0);
}

/*
 * Before: openat/unlink/rename were allowed for any path, so guest code
 * run by the exec plugin could create or replace files anywhere the
 * daemon's user could. Now (Landlock, where the kernel has it) a confined
 * front-end process writes below its run directory only.
 */
static void test_confined_writes(void **state)
{
	(void)state;
	static struct daemon d;
	static struct vmm a;
	static const char *const extra[] = {"--confined", NULL};
	start(&d, "exec", extra);
	connect_fe(&d, &a, 1, 0);
	uint64_t s = new_session(&a);
	int64_t gid = harness_resource(&a, s);
	char path[300];
	snprintf(path, sizeof(path), "%s/written-by-guest-code", d.dir);
	int32_t out = 1;
	struct vmm_req r;
	memset(&r, 0, sizeof(r));
	r.cmd = VIRTIO_ACCEL_CMD_OP;
	r.session_id = s;
	r.param = OP_EXEC_WITH_RESOURCE;
	r.nr_read = 3;
	r.nr_write = 1;
	r.rd[0] = (struct vmm_arg){.type = T_INT64, .data = &gid, .len = 8};
	r.rd[1] = (struct vmm_arg){
		.type = T_STRING, .data = "harness_create", .len = 15};
	r.rd[2] = (struct vmm_arg){
		.type = T_STRING, .data = path, .len = strlen(path) + 1};
	r.wr[0] = (struct vmm_arg){.type = T_INT32, .out = &out, .len = 4};
	assert_int_equal(request(&a, &r), VIRTIO_ACCEL_OK);
	assert_int_equal(r.resp.vaccel_ret, 0);
	print_message("  creating %s from the confined process: %d\n", path,
		      out);
	if (out == 0)
		print_message("[  SKIP    ] no Landlock in this kernel\n");
	else
		assert_int_equal(out, -EACCES);
	assert_int_not_equal(access(path, F_OK), 0);
	/* resources (files in the run directory) still work */
	noop_ok(&a, s);
	vmm_disconnect(&a);
	assert_int_equal(daemon_stop(&d), 0);
}

/* ---------------------------------------------------------------------- */
/* what front-end processes start with                                     */
/* ---------------------------------------------------------------------- */

/* GLIBC_TUNABLES=... in /proc/PID/environ, or "" when unset. glibc's
 * start-up parser rewrites the value in place, a NUL for each ':': the
 * pieces that follow and name a glibc tunable are joined back. */
static void child_tunables(int pid, char *out, size_t len)
{
	char path[64], env[16384];
	snprintf(path, sizeof(path), "/proc/%d/environ", pid);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(env, 1, sizeof(env) - 1, f);
	fclose(f);
	env[n] = '\0';
	out[0] = '\0';
	for (size_t i = 0; i < n; i += strlen(env + i) + 1) {
		if (strncmp(env + i, "GLIBC_TUNABLES=", 15))
			continue;
		snprintf(out, len, "%s", env + i + 15);
		for (i += strlen(env + i) + 1;
		     i < n && !strncmp(env + i, "glibc.", 6);
		     i += strlen(env + i) + 1) {
			size_t o = strlen(out), k = strlen(env + i);
			if (o + 1 + k < len) {
				out[o] = ':';
				memcpy(out + o + 1, env + i, k + 1);
			}
		}
		return;
	}
}

static void tunables_case(const char *set, const char *want)
{
	static struct daemon d;
	static struct vmm a;
	char got[256];
	if (set)
		setenv("GLIBC_TUNABLES", set, 1);
	else
		unsetenv("GLIBC_TUNABLES");
	start(&d, "noop", NULL);
	int pid = connect_fe(&d, &a, 1, 0);
	child_tunables(pid, got, sizeof(got));
	unsetenv("GLIBC_TUNABLES");
	assert_string_equal(got, want);
	noop_ok(&a, new_session(&a));
	vmm_disconnect(&a);
	assert_int_equal(daemon_stop(&d), 0);
}

/*
 * Front-end processes get glibc's transparent-huge-page malloc (model
 * weights and tensors of hundreds of MiB: a 256 MiB TorchScript load was
 * about 4x slower on 4 KiB pages), added to what the environment has,
 * and a glibc.malloc.hugetlb the user set is left alone.
 */
static void test_child_malloc_tunables(void **state)
{
	(void)state;
	const char *saved = getenv("GLIBC_TUNABLES");
	char *keep = saved ? strdup(saved) : NULL;
	tunables_case(NULL, "glibc.malloc.hugetlb=1");
	tunables_case("glibc.malloc.mmap_threshold=131072",
		      "glibc.malloc.mmap_threshold=131072:"
		      "glibc.malloc.hugetlb=1");
	tunables_case("glibc.malloc.hugetlb=0", "glibc.malloc.hugetlb=0");
	if (keep)
		setenv("GLIBC_TUNABLES", keep, 1);
	free(keep);
}

static void comm_of(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	out[0] = '\0';
	if (f && fgets(out, (int)len, f))
		out[strcspn(out, "\n")] = '\0';
	if (f)
		fclose(f);
}

/* Every thread of front-end process pid is named want. */
static void assert_named(int pid, const char *want)
{
	char path[64], got[32];
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	DIR *d = opendir(path);
	assert_non_null(d);
	int threads = 0;
	for (struct dirent *de; (de = readdir(d));) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.16s/comm", pid,
			 de->d_name);
		comm_of(path, got, sizeof(got));
		assert_string_equal(got, want);
		threads++;
	}
	closedir(d);
	assert_true(threads > 1); /* the connection's threads too */
}

/*
 * Front-end processes are exec'd through /proc/self/exe, which ps and top
 * showed as "exe": each is named after its front-end's number (the
 * stats records' frontend=N), threads included.
 */
static void test_child_named(void **state)
{
	(void)state;
	static struct daemon d;
	static struct vmm a, b;
	start(&d, "noop", NULL);
	int pa = connect_fe(&d, &a, 1, 0);
	int pb = connect_fe(&d, &b, 1, 0);
	noop_ok(&a, new_session(&a));
	noop_ok(&b, new_session(&b));
	assert_named(pa, "vua-fe1");
	assert_named(pb, "vua-fe2");
	vmm_disconnect(&a);
	vmm_disconnect(&b);
	assert_int_equal(daemon_stop(&d), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crash_isolated),
		cmocka_unit_test(test_blocking_call_fd),
		cmocka_unit_test(test_hostile_kick_fds),
		cmocka_unit_test(test_repost_flood),
		cmocka_unit_test(test_ids_per_frontend),
		cmocka_unit_test(test_resource_bytes),
		cmocka_unit_test(test_half_built_resource),
		cmocka_unit_test(test_header_read_once),
		cmocka_unit_test(test_inflight_ring_resize),
		cmocka_unit_test(test_unsealed_memory),
		cmocka_unit_test(test_view_map_budget),
		cmocka_unit_test(test_hugetlb_remap),
		cmocka_unit_test(test_confined_stop_cont),
		cmocka_unit_test(test_confined_no_fork),
		cmocka_unit_test(test_confined_writes),
		cmocka_unit_test(test_confined_copy_helper),
		cmocka_unit_test(test_child_malloc_tunables),
		cmocka_unit_test(test_child_named),
	};
	/* ISOLATION_TESTS=name,name runs those only (e.g. to show what a
	 * test does against an older daemon) */
	static struct CMUnitTest pick[sizeof(tests) / sizeof(tests[0])];
	const char *only = getenv("ISOLATION_TESTS");
	size_t n = 0;
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (!only || strstr(only, tests[i].name))
			pick[n++] = tests[i];
	return _cmocka_run_group_tests("isolation", pick, n, NULL, NULL);
}
