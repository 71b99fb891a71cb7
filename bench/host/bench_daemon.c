// SPDX-License-Identifier: Apache-2.0
/*
 * vhost-user-accel benchmarks, through the real daemon and the harness VMM
 * (guest RAM in a memfd, split rings, requests laid out as the driver
 * lays them out):
 *
 *   daemon_noop_rtt     one OP/NOOP round trip (submit, kick, complete,
 *                       call), median per request; baseline: an eventfd
 *                       ping-pong between two processes (the floor any
 *                       kick + call device has), measured in the same run,
 *                       rounds interleaved
 *   daemon_rps_q1/2/4   NOOP requests per second with 1, 2, 4 queues, one
 *                       submitter thread per queue keeping 16 in flight;
 *                       baseline: q1 against the eventfd floor rate
 *                       (1 / floor RTT), q2 and q4 against q1
 *   daemon_arg_1MiB     throughput of an op that reads its whole argument
 *   daemon_arg_256MiB   (EXEC_WITH_RESOURCE of a summing function, the
 *                       argument a segment list over contiguous guest
 *                       pages: the daemon hands the plugin a pointer into
 *                       guest RAM); baseline: memcpy of the same size;
 *                       ratio = ours / memcpy (MiB/s)
 *   daemon_arg_256MiB_runs  the same over 256 runs of 1 MiB in reverse
 *                       order: a mapped view, built once and then reused
 *                       (the program passes the same buffer every round)
 *   daemon_arg_256MiB_frag  the same over fragmented 4 KiB pages (65536
 *                       runs: too many for a mapped view, so bounced)
 *   daemon_arg_4MiB_frag  4 MiB in 1024 scattered 4 KiB pages, the same
 *                       buffer every round: bounced once, then a mapped
 *                       view (host/viewcache.h, view_cache_get_repeat)
 *   fairness_noop_p99   the 99th percentile of one well-behaved front-end's
 *                       NOOP round trips while a second front-end floods
 *                       the daemon (the same slow op re-posted as fast as
 *                       its ring takes it, a call eventfd that blocks);
 *                       baseline: the same front-end alone, rounds
 *                       interleaved; ratio = under attack / alone
 *
 * usage: bench_daemon DAEMON NOOP_PLUGIN EXEC_PLUGIN SUM_LIB
 */
#include "bench_util.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmm.h"
#include "vmm_rounds.h"

#define RTT_ROUNDS 15
#define RTT_BATCH  2000
#define RPS_DEPTH  16
#define RPS_ROUNDS 7
#define RPS_MS	   400

enum {
	T_INT32 = 6,
	T_INT64 = 7,
	T_UINT64 = 15,
	T_STRING = 27,
	T_BUFFER = 28,
	OP_EXEC_WITH_RESOURCE = 2,
	RES_LIB = 0,
};

static void die(const char *what)
{
	fprintf(stderr, "bench_daemon: %s\n", what);
	exit(1);
}

/* ---------------------------------------------------------------------- */
/* the floor: eventfd ping-pong between two processes                      */
/* ---------------------------------------------------------------------- */

static int ping_fd, pong_fd;
static pid_t ponger;

static void wait_fd(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;
	uint64_t v;
	ssize_t r = read(fd, &v, 8);
	(void)r;
}

static void floor_start(void)
{
	ping_fd = eventfd(0, 0);
	pong_fd = eventfd(0, 0);
	ponger = fork();
	if (ponger < 0)
		die("fork");
	if (ponger == 0) {
		for (;;) {
			wait_fd(ping_fd);
			uint64_t one = 1;
			ssize_t w = write(pong_fd, &one, 8);
			(void)w;
		}
	}
}

static double floor_round(void)
{
	uint64_t t0 = bench_now_ns();
	for (int i = 0; i < RTT_BATCH; i++) {
		uint64_t one = 1;
		ssize_t w = write(ping_fd, &one, 8);
		(void)w;
		wait_fd(pong_fd);
	}
	return (double)(bench_now_ns() - t0) / RTT_BATCH / 1000.0;
}

static void floor_stop(void)
{
	kill(ponger, SIGKILL);
	waitpid(ponger, NULL, 0);
}

/* ---------------------------------------------------------------------- */
/* NOOP round trip and requests per second                                 */
/* ---------------------------------------------------------------------- */

struct rps_thread {
	struct vmm *v;
	unsigned int q;
	uint64_t sess;
	struct vmm_arena a[RPS_DEPTH];
	struct vmm_req r[RPS_DEPTH];
	volatile bool *stop;
	unsigned long done;
	pthread_t th;
};

static void *rps_main(void *arg)
{
	struct rps_thread *t = arg;
	for (unsigned long n = 0;; n++) {
		unsigned int s = (unsigned int)(n % RPS_DEPTH);
		if (n >= RPS_DEPTH) {
			if (vmm_complete(t->v, &t->r[s], 10000) < 0 ||
			    t->r[s].resp.status)
				die("NOOP (rps) failed");
			t->done++;
			if (*t->stop) {
				/* drain what is still in flight */
				for (unsigned int k = 1; k < RPS_DEPTH; k++)
					vmm_complete(t->v,
						     &t->r[(s + k) % RPS_DEPTH],
						     10000);
				return NULL;
			}
		}
		t->r[s] = (struct vmm_req){.cmd = VIRTIO_ACCEL_CMD_OP,
					   .session_id = t->sess};
		if (vmm_submit(t->v, t->q, &t->a[s],
			       (uint16_t)(s * VMM_REQ_DESCS), &t->r[s]) < 0)
			die("submit failed");
	}
}

static double rps_round(struct rps_thread *t, unsigned int nq)
{
	volatile bool stop = false;
	for (unsigned int i = 0; i < nq; i++) {
		t[i].stop = &stop;
		t[i].done = 0;
		if (pthread_create(&t[i].th, NULL, rps_main, &t[i]))
			die("pthread_create");
	}
	uint64_t t0 = bench_now_ns();
	usleep(RPS_MS * 1000);
	stop = true;
	unsigned long done = 0;
	for (unsigned int i = 0; i < nq; i++) {
		pthread_join(t[i].th, NULL);
		done += t[i].done;
	}
	return (double)done / ((double)(bench_now_ns() - t0) / 1e9);
}

/* ---------------------------------------------------------------------- */
/* argument throughput                                                     */
/* ---------------------------------------------------------------------- */

static double sum_round(struct vmm *v, uint64_t s, int64_t gid, uint64_t gpa,
			uint64_t len, uint8_t layout)
{
	uint64_t sum = 0;
	struct vmm_req x;
	vmm_exec_req(&x, s, &gid, "bench_sum", 3, 1);
	x.rd[2] = (struct vmm_arg){.type = T_BUFFER,
				   .len = len,
				   .segments = true,
				   .layout = layout,
				   .in_place = true,
				   .gpa = gpa};
	x.wr[0] = (struct vmm_arg){.type = T_UINT64, .out = &sum, .len = 8};
	uint64_t t0 = bench_now_ns();
	if (vmm_request(v, &x) || x.resp.status || x.resp.vaccel_ret)
		die("EXEC_WITH_RESOURCE (sum) failed");
	double sec = (double)(bench_now_ns() - t0) / 1e9;
	return (double)len / (1 << 20) / sec;
}

static double memcpy_round(uint8_t *dst, const uint8_t *src, uint64_t len)
{
	uint64_t t0 = bench_now_ns();
	memcpy(dst, src, len);
	__asm__ volatile("" ::"r"(dst) : "memory");
	double sec = (double)(bench_now_ns() - t0) / 1e9;
	return (double)len / (1 << 20) / sec;
}

static void bench_arg(struct vmm *v, uint64_t s, int64_t gid, const char *name,
		      uint64_t gpa, uint64_t len, uint8_t layout, int rounds)
{
	uint8_t *a = malloc(len), *b = malloc(len);
	if (!a || !b)
		die("out of memory");
	memset(a, 1, len);
	memset(b, 2, len);
	double *ours = calloc((size_t)rounds, sizeof(double));
	double *base = calloc((size_t)rounds, sizeof(double));
	sum_round(v, s, gid, gpa, len, layout); /* warm-up: page faults */
	for (int r = 0; r < rounds; r++) {
		ours[r] = sum_round(v, s, gid, gpa, len, layout);
		base[r] = memcpy_round(b, a, len);
	}
	double mo = bench_median(ours, (size_t)rounds);
	double mb = bench_median(base, (size_t)rounds);
	bench_print(name, mo, mb, "MiB/s");
	free(ours);
	free(base);
	free(a);
	free(b);
}

/* ---------------------------------------------------------------------- */
/* fairness                                                                */
/* ---------------------------------------------------------------------- */

#define FAIR_ROUNDS 5
#define FAIR_REQS   2000
#define FAIR_SLOW_MS 20

/* p99 of FAIR_REQS NOOP round trips, in us */
static double p99_round(struct vmm *v, uint64_t s)
{
	static double rtt[FAIR_REQS];
	for (int i = 0; i < FAIR_REQS; i++) {
		struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_OP,
				    .session_id = s};
		uint64_t t0 = bench_now_ns();
		if (vmm_request(v, &r) || r.resp.status || r.resp.vaccel_ret)
			die("NOOP (fairness) failed");
		rtt[i] = (double)(bench_now_ns() - t0) / 1000.0;
	}
	qsort(rtt, FAIR_REQS, sizeof(rtt[0]), bench_cmp_double);
	return rtt[FAIR_REQS * 99 / 100];
}

struct flooder {
	struct vmm *v;
	uint16_t head;
	volatile bool run, stop;
	unsigned long posts;
};

/* Keep the ring as full as the daemon lets it be with copies of one
 * head: the daemon's avail_event (EVENT_IDX) says how far it took when it
 * last found the ring empty (never ahead of what it took), so the flooder
 * refills after each drain. */
static void *flood_main(void *arg)
{
	struct flooder *f = arg;
	struct vmm *v = f->v;
	volatile uint16_t *avail_event =
		(volatile uint16_t *)(v->mem + v->used_gpa[0] + 4 +
				      8 * VMM_QSIZE);
	while (!f->stop) {
		uint16_t pending = (uint16_t)(v->avail_idx[0] - *avail_event);
		if (f->run)
			for (; pending < VMM_QSIZE - 16; pending++, f->posts++)
				vmm_post(v, 0, f->head);
		usleep(1000);
	}
	return NULL;
}

static void bench_fairness(const char *exec_plugin, const char *sum_lib)
{
	static struct daemon d;
	static struct vmm a, b;
	static const char *const extra[] = {"--workers", "2", NULL};
	if (daemon_start(&d, exec_plugin, extra) < 0 ||
	    vmm_connect_q(&a, d.sock, 16u << 20, 1) < 0 ||
	    vmm_connect_q(&b, d.sock, 16u << 20, 1) < 0)
		die("cannot start/connect the daemon (fairness)");
	uint64_t sa = vmm_session(&a), sb = vmm_session(&b);
	uint8_t *so = NULL;
	uint64_t solen = vmm_read_file(sum_lib, &so);
	struct vmm_req c;
	vmm_lib_resource_req(&c, sb, "libbench_sum.so", so, solen);
	if (!solen || vmm_request(&b, &c) || c.resp.status ||
	    c.resp.vaccel_ret)
		die("RESOURCE_CREATE (fairness) failed");
	free(so);
	int64_t gid = (int64_t)c.resp.object_id;
	/* B's call eventfd blocks: one signal away from its maximum */
	int efd = eventfd(0, EFD_CLOEXEC);
	uint64_t full = 0xfffffffffffffffeull, qi = 0;
	if (efd < 0 || write(efd, &full, 8) != 8 ||
	    vmm_msg_send(&b, VMM_SET_VRING_CALL, 0, &qi, 8, &efd, 1) < 0)
		die("blocking call fd");
	/* the slow op B posts again and again */
	int32_t ms = FAIR_SLOW_MS;
	struct vmm_req x;
	vmm_exec_req(&x, sb, &gid, "bench_sleep", 3, 0);
	x.rd[2] = (struct vmm_arg){.type = T_INT32, .data = &ms, .len = 4};
	struct vmm_arena ar;
	if (vmm_arena_carve(&b, &ar, 1u << 20) < 0 ||
	    vmm_submit(&b, 0, &ar, 0, &x) < 0)
		die("flood request");
	static struct flooder f;
	f = (struct flooder){.v = &b, .head = x.head};
	pthread_t th;
	if (pthread_create(&th, NULL, flood_main, &f))
		die("pthread_create");
	double alone[FAIR_ROUNDS], attacked[FAIR_ROUNDS];
	p99_round(&a, sa); /* warm-up */
	for (int r = 0; r < FAIR_ROUNDS; r++) {
		f.run = false;
		usleep(300 * 1000); /* B's taken work drains */
		alone[r] = p99_round(&a, sa);
		f.run = true;
		usleep(200 * 1000);
		attacked[r] = p99_round(&a, sa);
	}
	f.stop = true;
	pthread_join(th, NULL);
	bench_print("fairness_noop_p99", bench_median(attacked, FAIR_ROUNDS),
		    bench_median(alone, FAIR_ROUNDS), "us");
	fprintf(stderr, "fairness: the flooder posted %lu chains\n", f.posts);
	vmm_disconnect(&b);
	close(efd);
	vmm_disconnect(&a);
	daemon_stop(&d);
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: bench_daemon DAEMON NOOP_PLUGIN "
				"EXEC_PLUGIN SUM_LIB\n");
		return 2;
	}
	setenv("VHOST_USER_ACCEL", argv[1], 1);
	static struct daemon d;
	static struct vmm v;
	static const char *const extra[] = {"--queues", "4", NULL};

	/* (a) + (b): the noop plugin */
	if (daemon_start(&d, argv[2], extra) < 0 ||
	    vmm_connect_q(&v, d.sock, 64u << 20, 4) < 0)
		die("cannot start/connect the daemon");
	uint64_t s = vmm_session(&v);
	v.honor_avail_event = true; /* kicks as a guest driver sends them */
	floor_start();
	double fl[RTT_ROUNDS], dn[RTT_ROUNDS];
	floor_round();
	vmm_noop_round(&v, s, RTT_BATCH);
	for (int r = 0; r < RTT_ROUNDS; r++) {
		fl[r] = floor_round();
		dn[r] = vmm_noop_round(&v, s, RTT_BATCH);
	}
	floor_stop();
	double floor_us = bench_median(fl, RTT_ROUNDS);
	bench_print("daemon_noop_rtt", bench_median(dn, RTT_ROUNDS), floor_us,
		    "us");

	static struct rps_thread t[4];
	for (unsigned int i = 0; i < 4; i++) {
		t[i].v = &v;
		t[i].q = i;
		t[i].sess = s;
		for (unsigned int k = 0; k < RPS_DEPTH; k++)
			if (vmm_arena_carve(&v, &t[i].a[k], 64u << 10) < 0)
				die("guest memory");
	}
	/* rounds interleaved (q1, q2, q4, q1, ...): the same noise for all */
	static const unsigned int nqs[] = {1, 2, 4};
	double rps[3][RPS_ROUNDS], med[3];
	for (int r = 0; r < RPS_ROUNDS; r++)
		for (unsigned int i = 0; i < 3; i++)
			rps[i][r] = rps_round(t, nqs[i]);
	for (unsigned int i = 0; i < 3; i++) {
		med[i] = bench_median(rps[i], RPS_ROUNDS);
		char name[32];
		snprintf(name, sizeof(name), "daemon_rps_q%u", nqs[i]);
		bench_print(name, med[i], i == 0 ? 1e6 / floor_us : med[0],
			    "req/s");
	}
	vmm_disconnect(&v);
	daemon_stop(&d);

	/* (c): the exec plugin and a summing function */
	uint8_t *so = NULL;
	uint64_t solen = vmm_read_file(argv[4], &so);
	if (!solen)
		die("cannot read the sum library");
	size_t mem = (256u + 512u + 64u) << 20;
	if (daemon_start(&d, argv[3], NULL) < 0 ||
	    vmm_connect_q(&v, d.sock, mem, 1) < 0)
		die("cannot start/connect the daemon (exec)");
	s = vmm_session(&v);
	struct vmm_req r;
	vmm_lib_resource_req(&r, s, "libbench_sum.so", so, solen);
	if (vmm_request(&v, &r) || r.resp.status || r.resp.vaccel_ret)
		die("RESOURCE_CREATE failed");
	free(so);
	int64_t gid = (int64_t)r.resp.object_id;
	/* buffers in guest RAM above the request heap */
	v.heap.brk = v.heap.base + (16u << 20);
	uint64_t big = vmm_alloc(&v, 256u << 20, 1u << 21);
	uint64_t frag = vmm_alloc(&v, 512u << 20, 1u << 21);
	if (!big || !frag)
		die("guest memory");
	memset(vmm_ptr(&v, big), 3, 256u << 20);
	memset(vmm_ptr(&v, frag), 4, 512u << 20);
	bench_arg(&v, s, gid, "daemon_arg_1MiB", big, 1u << 20,
		  VMM_SEG_CONTIGUOUS, 51);
	bench_arg(&v, s, gid, "daemon_arg_256MiB", big, 256u << 20,
		  VMM_SEG_CONTIGUOUS, 9);
	bench_arg(&v, s, gid, "daemon_arg_256MiB_runs", big, 256u << 20,
		  VMM_SEG_RUNS, 9);
	bench_arg(&v, s, gid, "daemon_arg_256MiB_frag", frag, 256u << 20,
		  VMM_SEG_FRAGMENTED, 9);
	bench_arg(&v, s, gid, "daemon_arg_4MiB_frag", frag, 4u << 20,
		  VMM_SEG_FRAGMENTED, 51);
	vmm_disconnect(&v);
	daemon_stop(&d);

	bench_fairness(argv[3], argv[4]);
	return 0;
}
