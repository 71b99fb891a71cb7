// SPDX-License-Identifier: Apache-2.0
/*
 * vhost-user-accel under load:
 *   kill_midload     a front-end process with sessions, resources and
 *                    requests in flight on four queues is SIGKILLed; the
 *                    daemon releases exactly what it created (its stats
 *                    line) and serves a new front-end on the same socket;
 *   multiqueue_2/4   concurrent submitters on 2 and 4 queues, results
 *                    checked per request;
 *   large_args       a 1 GiB argument through the segment path (direct
 *                    pointer), a fragmented 32 MiB one (mapped view) and
 *                    a 16 MiB RAW one (bounce buffer), each checksummed
 *                    by a function run through the exec plugin.
 */
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "vmm.h"

#define WAIT_MS 30000

enum {
	T_INT32 = 6,
	T_INT64 = 7,
	T_UINT64 = 15,
	T_FLOAT32 = 17,
	T_FLOAT32_ARRAY = 18,
	T_STRING = 27,
	T_BUFFER = 28,
	T_RAW = 0,
	OP_NOOP = 0,
	OP_EXEC_WITH_RESOURCE = 2,
	OP_BLAS_SGEMM = 17,
	RES_LIB = 0,
	RES_DATA = 1,
};

static bool plugin(const char *name, char *out, size_t size)
{
	const char *b = getenv("VACCEL_TEST_BUILDDIR");
	snprintf(out, size, "%s/plugins/%s/libvaccel-%s.so", b ? b : ".", name,
		 name);
	return access(out, R_OK) == 0;
}

static void start(struct daemon *d, const char *plug, const char *const *extra)
{
	char path[512];
	if (!plugin(plug, path, sizeof(path))) {
		print_message("[  SKIP    ] plugin %s not built\n", plug);
		skip();
	}
	if (daemon_start(d, path, extra) < 0)
		fail_msg("cannot start the daemon");
}

/* ---------------------------------------------------------------------- */
/* request helpers usable from any thread (no cmocka asserts)              */
/* ---------------------------------------------------------------------- */

static int run(struct vmm *v, unsigned int q, struct vmm_arena *a,
	       uint16_t slot, struct vmm_req *r)
{
	if (vmm_submit(v, q, a, (uint16_t)(slot * VMM_REQ_DESCS), r) < 0 ||
	    vmm_complete(v, r, WAIT_MS) < 0 || r->resp.tag != r->tag)
		return -1;
	return (int)r->resp.status;
}

static uint64_t session(struct vmm *v, unsigned int q, struct vmm_arena *a)
{
	struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_SESSION_CREATE};
	if (run(v, q, a, 0, &r) != VIRTIO_ACCEL_OK || r.resp.vaccel_ret)
		return 0;
	return r.resp.object_id;
}

/* noop plugin sgemm: c[i * ldc + j] = i + j for i < m, j < n */
#define SG_M 24
#define SG_N 20
struct sgemm {
	int64_t m, n, k, lda, ldb, ldc;
	float alpha, beta;
	float a[SG_M * 8], b[8 * SG_N], c[SG_M * SG_N];
};

static void sgemm_req(struct vmm_req *r, struct sgemm *s, uint64_t sess,
		      bool segments)
{
	*s = (struct sgemm){SG_M, SG_N, 8, 8, SG_N, SG_N, 1, 0, {0}, {0}, {0}};
	*r = (struct vmm_req){.cmd = VIRTIO_ACCEL_CMD_OP,
			      .session_id = sess,
			      .param = OP_BLAS_SGEMM,
			      .nr_read = 10,
			      .nr_write = 1};
	r->rd[0] = (struct vmm_arg){.type = T_INT64, .data = &s->m, .len = 8};
	r->rd[1] = (struct vmm_arg){.type = T_INT64, .data = &s->n, .len = 8};
	r->rd[2] = (struct vmm_arg){.type = T_INT64, .data = &s->k, .len = 8};
	r->rd[3] = (struct vmm_arg){
		.type = T_FLOAT32, .data = &s->alpha, .len = 4};
	r->rd[4] = (struct vmm_arg){.type = T_FLOAT32_ARRAY,
				    .data = s->a,
				    .len = sizeof(s->a),
				    .segments = segments};
	r->rd[5] = (struct vmm_arg){.type = T_INT64, .data = &s->lda, .len = 8};
	r->rd[6] = (struct vmm_arg){
		.type = T_FLOAT32_ARRAY, .data = s->b, .len = sizeof(s->b)};
	r->rd[7] = (struct vmm_arg){.type = T_INT64, .data = &s->ldb, .len = 8};
	r->rd[8] =
		(struct vmm_arg){.type = T_FLOAT32, .data = &s->beta, .len = 4};
	r->rd[9] = (struct vmm_arg){.type = T_INT64, .data = &s->ldc, .len = 8};
	r->wr[0] = (struct vmm_arg){.type = T_FLOAT32_ARRAY,
				    .out = s->c,
				    .len = sizeof(s->c),
				    .segments = segments};
}

static bool sgemm_ok(const struct vmm_req *r, const struct sgemm *s)
{
	if (r->resp.status != VIRTIO_ACCEL_OK || r->resp.vaccel_ret ||
	    r->wr[0].produced != sizeof(s->c))
		return false;
	for (int i = 0; i < SG_M; i++)
		for (int j = 0; j < SG_N; j++)
			if (s->c[i * SG_N + j] != (float)(i + j))
				return false;
	return true;
}

/* ---------------------------------------------------------------------- */
/* multi-queue                                                             */
/* ---------------------------------------------------------------------- */

struct mq_worker {
	struct vmm *v;
	unsigned int q;
	struct vmm_arena arena;
	unsigned int iters;
	unsigned int ok, bad;
	pthread_t th;
};

static void *mq_main(void *arg)
{
	struct mq_worker *w = arg;
	uint64_t s = session(w->v, w->q, &w->arena);
	if (!s) {
		w->bad++;
		return NULL;
	}
	for (unsigned int i = 0; i < w->iters; i++) {
		struct vmm_req r;
		static __thread struct sgemm sg;
		if (i % 2) {
			r = (struct vmm_req){.cmd = VIRTIO_ACCEL_CMD_OP,
					     .session_id = s};
			if (run(w->v, w->q, &w->arena, 0, &r) ==
			    VIRTIO_ACCEL_OK)
				w->ok++;
			else
				w->bad++;
			continue;
		}
		sgemm_req(&r, &sg, s, i % 4 == 0);
		if (run(w->v, w->q, &w->arena, 0, &r) == VIRTIO_ACCEL_OK &&
		    sgemm_ok(&r, &sg))
			w->ok++;
		else
			w->bad++;
	}
	struct vmm_req d = {.cmd = VIRTIO_ACCEL_CMD_SESSION_DESTROY,
			    .session_id = s};
	if (run(w->v, w->q, &w->arena, 0, &d) != VIRTIO_ACCEL_OK)
		w->bad++;
	return NULL;
}

static void multiqueue(unsigned int nq)
{
	struct daemon d;
	static const char *const extra[] = {"--queues", "4", "--workers", "4",
					    NULL};
	start(&d, "noop", extra);
	static struct vmm v;
	assert_int_equal(vmm_connect_q(&v, d.sock, 64u << 20, nq), 0);
	assert_int_equal(v.cfg.num_queues, 4);
	struct mq_worker w[4];
	for (unsigned int i = 0; i < nq; i++) {
		w[i] = (struct mq_worker){.v = &v, .q = i, .iters = 400};
		assert_int_equal(vmm_arena_carve(&v, &w[i].arena, 4u << 20), 0);
	}
	for (unsigned int i = 0; i < nq; i++)
		assert_int_equal(pthread_create(&w[i].th, NULL, mq_main, &w[i]),
				 0);
	for (unsigned int i = 0; i < nq; i++)
		pthread_join(w[i].th, NULL);
	for (unsigned int i = 0; i < nq; i++) {
		assert_int_equal(w[i].bad, 0);
		assert_int_equal(w[i].ok, w[i].iters);
	}
	vmm_disconnect(&v);
	char line[256];
	assert_true(daemon_stats_wait(&d, "event=disconnect", WAIT_MS, line,
				      sizeof(line)));
	/* every session was destroyed by its thread */
	assert_non_null(strstr(line, "sessions_released=0 "));
	assert_int_equal(daemon_stop(&d), 0);
}

static void test_multiqueue_2(void **state)
{
	(void)state;
	multiqueue(2);
}

static void test_multiqueue_4(void **state)
{
	(void)state;
	multiqueue(4);
}

/* ---------------------------------------------------------------------- */
/* kill in the middle of a load                                            */
/* ---------------------------------------------------------------------- */

#define KILL_SESSIONS  24
#define KILL_RESOURCES 10
#define KILL_QUEUES    4
#define KILL_DEPTH     8

struct kill_worker {
	struct vmm *v;
	unsigned int q;
	uint64_t sess;
	int64_t gid;
	volatile unsigned long done;
	pthread_t th;
	struct vmm_arena a[KILL_DEPTH];
	struct vmm_req r[KILL_DEPTH];
	struct sgemm sg[KILL_DEPTH];
	uint8_t blob[KILL_DEPTH][40000], out[KILL_DEPTH][64];
};

static void *kill_load(void *arg)
{
	struct kill_worker *w = arg;
	static const char sym[] = "f";
	/* keep KILL_DEPTH requests in flight, forever */
	for (unsigned long n = 0;; n++) {
		unsigned int s = (unsigned int)(n % KILL_DEPTH);
		struct vmm_req *r = &w->r[s];
		if (n >= KILL_DEPTH) {
			if (vmm_complete(w->v, r, WAIT_MS) < 0)
				return NULL;
			w->done++;
		}
		switch (n % 3) {
		case 0:
			*r = (struct vmm_req){.cmd = VIRTIO_ACCEL_CMD_OP,
					      .session_id = w->sess};
			break;
		case 1:
			sgemm_req(r, &w->sg[s], w->sess, true);
			break;
		default:
			/* noop plugin: copies read[i] -> write[i] */
			vmm_exec_req(r, w->sess, &w->gid, sym, 3, 1);
			r->rd[2] = (struct vmm_arg){.type = T_BUFFER,
						    .data = w->blob[s],
						    .len = sizeof(w->blob[s]),
						    .segments = true};
			r->wr[0] = (struct vmm_arg){
				.type = T_BUFFER, .out = w->out[s], .len = 64};
			break;
		}
		if (vmm_submit(w->v, w->q, &w->a[s],
			       (uint16_t)(s * VMM_REQ_DESCS), r) < 0)
			return NULL;
	}
}

static void kill_child(int wfd, const char *sock)
{
	static struct vmm v;
	if (vmm_connect_q(&v, sock, 64u << 20, KILL_QUEUES) < 0)
		_exit(10);
	struct vmm_arena a;
	if (vmm_arena_carve(&v, &a, 1u << 20) < 0)
		_exit(11);
	uint64_t sess[KILL_SESSIONS], res[KILL_RESOURCES];
	for (unsigned int i = 0; i < KILL_SESSIONS; i++)
		if (!(sess[i] = session(&v, 0, &a)))
			_exit(12);
	static uint8_t data[10000];
	for (unsigned int i = 0; i < KILL_RESOURCES; i++) {
		/* half of them registered with a session in the same go */
		struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_RESOURCE_CREATE,
				    .session_id = i % 2 ? sess[i] : 0,
				    .param = RES_DATA,
				    .nr_read = 2};
		r.rd[0] = (struct vmm_arg){
			.type = T_STRING, .data = "d.bin", .len = 6};
		r.rd[1] = (struct vmm_arg){.type = T_BUFFER,
					   .data = data,
					   .len = sizeof(data),
					   .segments = i % 3 == 0};
		if (run(&v, 0, &a, 0, &r) != VIRTIO_ACCEL_OK ||
		    r.resp.vaccel_ret)
			_exit(13);
		res[i] = r.resp.object_id;
	}
	char msg[96];
	int n = snprintf(msg, sizeof(msg), "ready %d %d %" PRIu64 "\n",
			 KILL_SESSIONS, KILL_RESOURCES, sess[0]);
	if (write(wfd, msg, (size_t)n) != n)
		_exit(14);
	struct kill_worker *w = calloc(KILL_QUEUES, sizeof(*w));
	if (!w)
		_exit(15);
	for (unsigned int i = 0; i < KILL_QUEUES; i++) {
		/* the odd resources are registered with their session */
		w[i].v = &v;
		w[i].q = i;
		w[i].sess = sess[2 * i + 1];
		w[i].gid = (int64_t)res[2 * i + 1];
		for (unsigned int k = 0; k < KILL_DEPTH; k++)
			if (vmm_arena_carve(&v, &w[i].a[k], 256u << 10) < 0)
				_exit(15);
	}
	for (unsigned int i = 0; i < KILL_QUEUES; i++)
		if (pthread_create(&w[i].th, NULL, kill_load, &w[i]))
			_exit(15);
	/* report once the load runs on every queue */
	for (;;) {
		bool all = true;
		for (unsigned int i = 0; i < KILL_QUEUES; i++)
			all = all && w[i].done >= 50;
		if (all)
			break;
		usleep(1000);
	}
	if (write(wfd, "load\n", 5) != 5)
		_exit(16);
	for (;;)
		pause(); /* the parent kills us */
}

static bool read_line(int fd, char *buf, size_t size, int timeout_ms)
{
	size_t n = 0;
	int64_t deadline = vmm_now_ms() + timeout_ms;
	while (n + 1 < size && vmm_now_ms() < deadline) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r == 1) {
			if (c == '\n')
				break;
			buf[n++] = c;
		} else if (r == 0) {
			return false;
		}
	}
	buf[n] = 0;
	return n > 0;
}

static void test_kill_midload(void **state)
{
	(void)state;
	struct daemon d;
	static const char *const extra[] = {"--queues", "4", "--workers", "4",
					    NULL};
	start(&d, "noop", extra);
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(p[0]);
		kill_child(p[1], d.sock);
	}
	close(p[1]);
	char line[256];
	int ns = 0, nr = 0;
	uint64_t old_sess = 0;
	assert_true(read_line(p[0], line, sizeof(line), WAIT_MS));
	assert_int_equal(
		sscanf(line, "ready %d %d %" SCNu64, &ns, &nr, &old_sess), 3);
	assert_true(read_line(p[0], line, sizeof(line), WAIT_MS));
	assert_string_equal(line, "load");
	usleep(20000); /* well inside the load */
	assert_int_equal(kill(child, SIGKILL), 0);
	int status;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	close(p[0]);

	/* the daemon noticed, released exactly what the child created */
	assert_true(daemon_stats_wait(&d, "event=disconnect", WAIT_MS, line,
				      sizeof(line)));
	print_message("  %s\n", line);
	char want[96];
	snprintf(want, sizeof(want),
		 "sessions_released=%d resources_released=%d ", ns, nr);
	assert_non_null(strstr(line, want));
	assert_non_null(strstr(line, " errors=0"));
	unsigned long reqs = 0;
	const char *rq = strstr(line, "requests=");
	assert_non_null(rq);
	reqs = strtoul(rq + 9, NULL, 10);
	assert_true(reqs > (unsigned long)(ns + nr + 4 * 50));
	assert_true(daemon_alive(&d));

	/* and serves a new front-end on the same socket: the table afresh
	 * (first slot: low half 1), under a new id generation (high half), so
	 * the killed front-end's ids name nothing */
	static struct vmm v;
	assert_int_equal(vmm_connect_q(&v, d.sock, 16u << 20, 2), 0);
	struct vmm_arena a;
	assert_int_equal(vmm_arena_carve(&v, &a, 1u << 20), 0);
	uint64_t s = session(&v, 1, &a);
	assert_int_equal(s & 0xffffffffu, 1);
	assert_true(s != old_sess && s <= INT64_MAX);
	struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_OP, .session_id = s};
	assert_int_equal(run(&v, 1, &a, 0, &r), VIRTIO_ACCEL_OK);
	r.session_id = old_sess;
	assert_int_equal(run(&v, 1, &a, 0, &r), VIRTIO_ACCEL_NOSESS);
	vmm_disconnect(&v);
	assert_true(daemon_stats_wait(&d, "sessions_released=1 ", WAIT_MS, line,
				      sizeof(line)));
	assert_int_equal(daemon_stop(&d), 0);
}

/* ---------------------------------------------------------------------- */
/* the daemon killed and restarted under load                              */
/* ---------------------------------------------------------------------- */

#define RS_REQS	    24 /* even: slow exec, odd: NOOP (runs at once) */
#define RS_SLEEP_MS 400

/* The contents of libharness.so ($HARNESS_LIB), or skip the test. */
static uint64_t harness_lib_or_skip(uint8_t **so)
{
	const char *lib = getenv("HARNESS_LIB");
	uint64_t len = lib ? vmm_read_file(lib, so) : 0;
	if (!len) {
		print_message("[  SKIP    ] HARNESS_LIB not readable\n");
		skip();
	}
	return len;
}

/*
 * As QEMU with VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD: requests taken from
 * the ring by a daemon that is then SIGKILLed - some completed (out of
 * order: the NOOPs overtake the slow ones), some not - are completed by
 * the restarted daemon, each exactly once, after the front-end reconnected
 * with the ring base at the used index. The old session is unknown to the
 * new daemon (NOSESS), new sessions work.
 */
static void test_restart_inflight(void **state)
{
	(void)state;
	uint8_t *so = NULL;
	uint64_t solen = harness_lib_or_skip(&so);
	char path[512];
	if (!plugin("exec", path, sizeof(path))) {
		free(so);
		print_message("[  SKIP    ] plugin exec not built\n");
		skip();
	}
	static const char *const extra[] = {"--workers", "4", NULL};
	struct daemon d;
	assert_int_equal(daemon_start(&d, path, extra), 0);
	static struct vmm v;
	assert_int_equal(
		vmm_connect_ex(&v, d.sock, 64u << 20, 1, VMM_F_INFLIGHT), 0);
	assert_true(v.infl_fd >= 0);

	static struct vmm_arena a[RS_REQS + 1];
	for (unsigned int i = 0; i <= RS_REQS; i++)
		assert_int_equal(vmm_arena_carve(&v, &a[i], 1u << 20), 0);
	/* setup requests use descriptor slot RS_REQS, after the load's */
	const uint16_t setup = RS_REQS;
	uint64_t s = session(&v, 0, &a[RS_REQS]);
	assert_true(s > 0);
	struct vmm_req c;
	vmm_lib_resource_req(&c, s, "libharness.so", so, solen);
	assert_int_equal(run(&v, 0, &a[RS_REQS], setup, &c), VIRTIO_ACCEL_OK);
	assert_int_equal(c.resp.vaccel_ret, 0);
	int64_t gid = (int64_t)c.resp.object_id;
	free(so);

	static struct vmm_req r[RS_REQS];
	static int32_t in = RS_SLEEP_MS, out[RS_REQS];
	for (unsigned int i = 0; i < RS_REQS; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].cmd = VIRTIO_ACCEL_CMD_OP;
		r[i].session_id = s;
		if (i % 2 == 0) {
			r[i].param = OP_EXEC_WITH_RESOURCE;
			r[i].nr_read = 3;
			r[i].nr_write = 1;
			r[i].rd[0] = (struct vmm_arg){
				.type = T_INT64, .data = &gid, .len = 8};
			r[i].rd[1] = (struct vmm_arg){.type = T_STRING,
						      .data = "harness_sleep",
						      .len = 14};
			r[i].rd[2] = (struct vmm_arg){
				.type = T_INT32, .data = &in, .len = 4};
			r[i].wr[0] = (struct vmm_arg){
				.type = T_INT32, .out = &out[i], .len = 4};
		}
		assert_int_equal(vmm_submit(&v, 0, &a[i],
					    (uint16_t)(i * VMM_REQ_DESCS),
					    &r[i]),
				 0);
	}
	/* the NOOPs are done, the workers are inside the first sleeps */
	int64_t t0 = vmm_now_ms();
	unsigned int before = 0;
	while (vmm_now_ms() - t0 < 5000) {
		before = 0;
		for (unsigned int i = 1; i < RS_REQS; i += 2)
			before += vmm_completions(&v, 0, r[i].head);
		if (before == RS_REQS / 2)
			break;
		usleep(1000);
	}
	usleep(100 * 1000);
	before = 0;
	for (unsigned int i = 0; i < RS_REQS; i++)
		before += vmm_completions(&v, 0, r[i].head);
	/* 4 workers x 400 ms: most sleeps are still queued or running */
	assert_true(before >= RS_REQS / 2 && before < RS_REQS);

	assert_int_equal(daemon_kill_restart(&d, path, extra), 0);
	assert_int_equal(vmm_reconnect(&v, d.sock, VMM_F_INFLIGHT), 0);

	unsigned int again = 0;
	for (unsigned int i = 0; i < RS_REQS; i++) {
		assert_int_equal(vmm_complete(&v, &r[i], WAIT_MS), 0);
		assert_int_equal(r[i].resp.tag, r[i].tag);
		if (r[i].resp.status == VIRTIO_ACCEL_NOSESS) {
			again++; /* run by the new daemon: session unknown */
		} else {
			assert_int_equal(r[i].resp.status, VIRTIO_ACCEL_OK);
			assert_int_equal(r[i].resp.vaccel_ret, 0);
			assert_true(i % 2 || out[i] == RS_SLEEP_MS);
		}
	}
	assert_int_equal(again, RS_REQS - before);
	usleep(200 * 1000); /* a duplicate completion would show now */
	for (unsigned int i = 0; i < RS_REQS; i++)
		assert_int_equal(vmm_completions(&v, 0, r[i].head), 1);
	print_message("  %u of %u requests completed before the kill, %u "
		      "by the restarted daemon\n",
		      before, RS_REQS, again);

	/* the new daemon: old ids unknown, new session works */
	struct vmm_req x = {.cmd = VIRTIO_ACCEL_CMD_OP, .session_id = s};
	assert_int_equal(run(&v, 0, &a[RS_REQS], setup, &x),
			 VIRTIO_ACCEL_NOSESS);
	uint64_t s2 = session(&v, 0, &a[RS_REQS]);
	assert_true(s2 > 0 && s2 != s);
	x.session_id = s2;
	assert_int_equal(run(&v, 0, &a[RS_REQS], setup, &x), VIRTIO_ACCEL_OK);
	vmm_disconnect(&v);
	char line[256];
	assert_true(daemon_stats_wait(&d, "sessions_released=1 ", WAIT_MS, line,
				      sizeof(line)));
	assert_int_equal(daemon_stop(&d), 0);
}

/* ---------------------------------------------------------------------- */
/* large arguments                                                         */
/* ---------------------------------------------------------------------- */

static uint64_t pattern_fill(uint8_t *p, uint64_t len, uint64_t seed)
{
	uint64_t s = 0, x = seed;
	for (uint64_t i = 0; i + 8 <= len; i += 8) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		memcpy(p + i, &x, 8);
		s += x;
	}
	return s;
}

#define BIG (1ull << 30)

/* harness_sum of one argument on the host (library resource gid). */
static uint64_t sum_on_host(struct vmm *v, struct vmm_arena *a, uint64_t s,
			    int64_t gid, struct vmm_arg arg)
{
	uint64_t sum = 0;
	struct vmm_req x;
	vmm_exec_req(&x, s, &gid, "harness_sum", 3, 1);
	x.rd[2] = arg;
	x.wr[0] = (struct vmm_arg){.type = T_UINT64, .out = &sum, .len = 8};
	assert_int_equal(run(v, 0, a, 0, &x), VIRTIO_ACCEL_OK);
	assert_int_equal(x.resp.vaccel_ret, 0);
	assert_int_equal(x.wr[0].produced, 8);
	return sum;
}

/* libharness.so (so, freed here) as a LIB resource of session s: its id */
static int64_t harness_resource(struct vmm *v, struct vmm_arena *a, uint64_t s,
				uint8_t *so, uint64_t solen)
{
	struct vmm_req r;
	vmm_lib_resource_req(&r, s, "libharness.so", so, solen);
	assert_int_equal(run(v, 0, a, 0, &r), VIRTIO_ACCEL_OK);
	assert_int_equal(r.resp.vaccel_ret, 0);
	free(so);
	return (int64_t)r.resp.object_id;
}

static void test_large_args(void **state)
{
	(void)state;
	uint8_t *so = NULL;
	uint64_t solen = harness_lib_or_skip(&so);
	struct daemon d;
	start(&d, "exec", NULL);
	static struct vmm v;
	size_t mem = BIG + (128u << 20); /* ~1.1 GiB */
	if (vmm_connect_q(&v, d.sock, mem, 1) < 0) {
		daemon_stop(&d);
		free(so);
		print_message(
			"[  SKIP    ] no room for 1.1 GiB of guest RAM\n");
		skip();
	}
	struct vmm_arena a;
	assert_int_equal(vmm_arena_carve(&v, &a, 80u << 20), 0);
	uint64_t s = session(&v, 0, &a);
	assert_true(s > 0);
	int64_t gid = harness_resource(&v, &a, s, so, solen);

	/* the big buffer lives in guest RAM above the arena */
	uint64_t big_gpa = vmm_alloc(&v, BIG, 1u << 21);
	assert_true(big_gpa != 0);
	uint64_t want = pattern_fill(vmm_ptr(&v, big_gpa), BIG, 42);

	static const struct {
		uint64_t len;
		uint8_t layout;
		uint32_t type;
		const char *path;
	} cases[] = {
		{BIG, VMM_SEG_CONTIGUOUS, T_BUFFER, "direct"},
		{32u << 20, VMM_SEG_FRAGMENTED, T_BUFFER,
		 "bounce (4 KiB runs)"},
		{16u << 20, VMM_SEG_CONTIGUOUS, T_RAW, "bounce"},
	};
	for (unsigned int i = 0; i < 3; i++) {
		uint64_t len = cases[i].len, expect = want;
		static uint8_t *frag;
		struct vmm_arg arg = {.type = cases[i].type,
				      .len = len,
				      .segments = true,
				      .layout = cases[i].layout};
		if (cases[i].layout == VMM_SEG_FRAGMENTED) {
			/* placed by vmm_submit from a host copy */
			frag = malloc(len);
			expect = pattern_fill(frag, len, 7);
			arg.data = frag;
		} else {
			arg.in_place = true;
			arg.gpa = big_gpa;
			if (len != BIG)
				expect = 0;
			for (uint64_t k = 0; len != BIG && k < len; k += 8) {
				uint64_t w;
				memcpy(&w, (uint8_t *)vmm_ptr(&v, big_gpa) + k,
				       8);
				expect += w;
			}
		}
		int64_t t0 = vmm_now_ms();
		uint64_t sum = sum_on_host(&v, &a, s, gid, arg);
		print_message("  %s: %llu MiB in %lld ms\n", cases[i].path,
			      (unsigned long long)(len >> 20),
			      (long long)(vmm_now_ms() - t0));
		assert_int_equal(sum, expect);
		if (cases[i].layout == VMM_SEG_FRAGMENTED)
			free(frag);
	}

	/* A buffer of a few long runs gets a mapped view, which the daemon
	 * keeps: the same pages again reuse it, and it always shows their
	 * current contents (the guest rewrites them between rounds). */
	uint64_t vlen = 16u << 20;
	for (unsigned int round = 0; round < 3; round++) {
		uint64_t expect =
			pattern_fill(vmm_ptr(&v, big_gpa), vlen, 100 + round);
		struct vmm_arg arg = {.type = T_BUFFER,
				      .len = vlen,
				      .segments = true,
				      .layout = VMM_SEG_RUNS,
				      .in_place = true,
				      .gpa = big_gpa};
		assert_int_equal(sum_on_host(&v, &a, s, gid, arg), expect);
	}
	vmm_disconnect(&v);
	char line[512];
	assert_true(daemon_stats_wait(&d, "event=disconnect", WAIT_MS, line,
				      sizeof(line)));
	assert_non_null(strstr(line, "views_built=1 "));
	assert_non_null(strstr(line, "views_reused=2 "));
	assert_int_equal(daemon_stop(&d), 0);
}

/*
 * A buffer of scattered single pages (what a long-running guest's malloc
 * returns) that the program passes call after call: bounced the first
 * time, a mapped view from the second on, which shows the contents of
 * each call (the guest rewrites them between calls) and carries outputs
 * back into the guest pages. The vmm places each request's arguments at
 * the same guest pages every time (its arena is reset per request).
 */
#define REPEAT_LEN    (4u << 20) /* 1024 runs of one page */
#define REPEAT_ROUNDS 4

static void repeat_rounds(bool copy, const char *want_stats)
{
	uint8_t *so = NULL;
	uint64_t solen = harness_lib_or_skip(&so);
	struct daemon d;
	start(&d, "exec", NULL);
	static struct vmm v;
	assert_int_equal(vmm_connect_q(&v, d.sock, 64u << 20, 1), 0);
	struct vmm_arena a;
	assert_int_equal(vmm_arena_carve(&v, &a, 40u << 20), 0);
	uint64_t s = session(&v, 0, &a);
	assert_true(s > 0);
	int64_t gid = harness_resource(&v, &a, s, so, solen);
	uint8_t *in = malloc(REPEAT_LEN), *back = malloc(REPEAT_LEN);
	assert_non_null(in);
	assert_non_null(back);
	for (unsigned int round = 0; round < REPEAT_ROUNDS; round++) {
		uint64_t expect = pattern_fill(in, REPEAT_LEN, 500 + round);
		struct vmm_arg arg = {.type = T_BUFFER,
				      .data = in,
				      .len = REPEAT_LEN,
				      .segments = true,
				      .layout = VMM_SEG_FRAGMENTED};
		if (!copy) {
			assert_int_equal(sum_on_host(&v, &a, s, gid, arg),
					 expect);
			continue;
		}
		memset(back, 0, REPEAT_LEN);
		struct vmm_req x;
		vmm_exec_req(&x, s, &gid, "harness_copy", 3, 1);
		x.rd[2] = arg;
		x.wr[0] = (struct vmm_arg){.type = T_BUFFER,
					   .out = back,
					   .len = REPEAT_LEN,
					   .segments = true,
					   .layout = VMM_SEG_FRAGMENTED};
		assert_int_equal(run(&v, 0, &a, 0, &x), VIRTIO_ACCEL_OK);
		assert_int_equal(x.resp.vaccel_ret, 0);
		assert_int_equal(x.wr[0].produced, REPEAT_LEN);
		assert_memory_equal(back, in, REPEAT_LEN);
	}
	free(in);
	free(back);
	vmm_disconnect(&v);
	char line[512];
	assert_true(daemon_stats_wait(&d, "event=disconnect", WAIT_MS, line,
				      sizeof(line)));
	print_message("  %s\n", line);
	assert_non_null(strstr(line, want_stats));
	assert_int_equal(daemon_stop(&d), 0);
}

/* in: deferred once, built once, then reused */
static void test_repeated_fragmented_in(void **state)
{
	(void)state;
	repeat_rounds(false, "views_built=1 views_reused=2 views_refused=0 "
			     "views_deferred=1 ");
}

/* in and out: each deferred once, built once, then reused */
static void test_repeated_fragmented_out(void **state)
{
	(void)state;
	repeat_rounds(true, "views_built=2 views_reused=4 views_refused=0 "
			    "views_deferred=2 ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_multiqueue_2),
		cmocka_unit_test(test_multiqueue_4),
		cmocka_unit_test(test_kill_midload),
		cmocka_unit_test(test_restart_inflight),
		cmocka_unit_test(test_large_args),
		cmocka_unit_test(test_repeated_fragmented_in),
		cmocka_unit_test(test_repeated_fragmented_out),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
