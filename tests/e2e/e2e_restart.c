// SPDX-License-Identifier: Apache-2.0
/*
 * e2e_restart MARKER [PROCS [THREADS [LIB]]]   (default 2 3, no LIB)
 *
 * The host daemon is SIGKILLed and restarted under load (the VM harness
 * does it: vm/run-qemu.sh --restart-daemon-on MARKER). PROCS processes x
 * THREADS threads run vAccel ops in a loop through the virtio plugin, each
 * with its own sessions: noop, exec "echo" and fpga_arraycopy of random
 * sizes (inline and segment arguments) on the noop host plugin, and with
 * LIB (libmytestlib.so) exec "mytestfunc" on the exec host plugin. Every
 * result is verified. Once all threads run, this program prints MARKER on
 * a line of its own (again every 2 s until a thread saw an error, in case
 * kernel messages garbled the first one).
 *
 * Requirements:
 *  - every thread sees an error (its sessions die with the daemon; a
 *    thread that never fails means the daemon was not restarted, or a
 *    stale id named a session of the new daemon);
 *  - every call returns within the driver's request_timeout_ms plus a
 *    margin (twice the timeout for session release, which first waits for
 *    the session's requests); an error is fine, a hang is not;
 *  - an OK return never carries a wrong result;
 *  - after an error a thread releases its sessions and creates new ones
 *    until they work: within 60 s of its first error each thread must have
 *    completed 20 verified iterations in a row;
 *  - ids are not confused across daemon instances: a session and a
 *    resource created (with raw ioctls) before the restart are unknown
 *    afterwards (ENOENT, device status NOSESS / NORES), even after new
 *    objects were created, and the new ids differ from the old ones.
 *
 * Environment: E2E_RESTART_MARGIN_MS (default 5000), E2E_RESTART_NOERR_S
 * (how long to wait for the first error, default 180),
 * E2E_RESTART_RECOVER_S (default 60). Host plugins: noop, exec (session
 * hints DEBUG and GENERIC). Needs a finite request_timeout_ms.
 */
#include "e2e_util.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/wait.h>

#define PROG	      "e2e_restart"
#define GOOD_STREAK   20 /* verified iterations in a row = recovered */
#define READY_ITERS   3	 /* iterations before a thread counts as running */
#define MARKER_REPEAT 2000
#define MARKER_MAX    30
#define TIMEOUT_PARAM "/sys/module/virtio_accel/parameters/request_timeout_ms"

static const char *lib;
static long timeout_ms, margin_ms, noerr_ms, recover_ms;
static int report_fd = -1; /* child -> parent: 'R' running, 'E' error */
static atomic_bool err_reported;
static pthread_mutex_t ready_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int nr_ready, nr_threads;

enum call_kind { CALL_OP, CALL_CREATE, CALL_RELEASE };

struct thr {
	pthread_t t;
	unsigned int id;
	bool failed;
	long ok_before, errors, ok_after;
	uint64_t first_err, recovered, max_call;
	bool have_own, have_ex;
	struct vaccel_session own, ex;
};

static long env_long(const char *name, long def)
{
	const char *v = getenv(name);
	return v && *v ? strtol(v, NULL, 0) : def;
}

static void report(char c)
{
	if (write(report_fd, &c, 1) != 1)
		fprintf(stderr, PROG ": report to the parent: %s\n",
			strerror(errno));
}

static void tfail(struct thr *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void tfail(struct thr *t, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, PROG ": FAIL: pid %d thread %u: ", (int)getpid(),
		t->id);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	t->failed = true;
}

/* Check one call's duration against its bound; false: too long. */
static bool timed_ok(struct thr *t, enum call_kind k, uint64_t t0,
		     const char *what)
{
	uint64_t dt = e2e_now_ms() - t0;
	uint64_t limit =
		(uint64_t)(k == CALL_RELEASE ? 2 * timeout_ms : timeout_ms) +
		(uint64_t)margin_ms;
	if (dt > t->max_call)
		t->max_call = dt;
	if (dt > limit) {
		tfail(t, "%s took %llu ms (limit %llu ms)", what,
		      (unsigned long long)dt, (unsigned long long)limit);
		return false;
	}
	return true;
}

static void release_sessions(struct thr *t)
{
	uint64_t t0;
	if (t->have_own) {
		t0 = e2e_now_ms();
		vaccel_session_release(&t->own); /* errors are fine here */
		timed_ok(t, CALL_RELEASE, t0, "session release");
		t->have_own = false;
	}
	if (t->have_ex) {
		t0 = e2e_now_ms();
		vaccel_session_release(&t->ex);
		timed_ok(t, CALL_RELEASE, t0, "session release");
		t->have_ex = false;
	}
}

/* VACCEL_OK, or the failing call's code. */
static int create_sessions(struct thr *t)
{
	uint64_t t0 = e2e_now_ms();
	int ret = vaccel_session_init(&t->own, E2E_HINT_NOOP);
	if (!timed_ok(t, CALL_CREATE, t0, "session create"))
		ret = ret ? ret : VACCEL_EIO;
	if (ret)
		return ret;
	t->have_own = true;
	if (!lib)
		return VACCEL_OK;
	t0 = e2e_now_ms();
	ret = vaccel_session_init(&t->ex, E2E_HINT_EXEC);
	if (!timed_ok(t, CALL_CREATE, t0, "session create"))
		ret = ret ? ret : VACCEL_EIO;
	if (!ret)
		t->have_ex = true;
	return ret;
}

/*
 * One iteration of ops. Returns VACCEL_OK when every op succeeded with the
 * right result, else the first error code; a wrong result with an OK code,
 * or a call over its time bound, fails the thread.
 */
static int iteration(struct thr *t, uint32_t *seed, int *a, int *b, char *x,
		     char *y)
{
	struct vaccel_arg rd, wr;
	uint64_t t0;
	int ret;

	t0 = e2e_now_ms();
	ret = vaccel_noop(&t->own);
	if (!timed_ok(t, CALL_OP, t0, "noop") || ret)
		return ret ? ret : VACCEL_EIO;

	size_t m = 1 + e2e_rand(seed) % (1 << 16);
	for (size_t k = 0; k < m; k++)
		x[k] = (char)e2e_rand(seed);
	memset(y, 0, m);
	vaccel_arg_init_from_buf(&rd, x, m, VACCEL_ARG_BUFFER, 0);
	vaccel_arg_init_from_buf(&wr, y, m, VACCEL_ARG_BUFFER, 0);
	t0 = e2e_now_ms();
	ret = vaccel_exec(&t->own, "echo", "echo", &rd, 1, &wr, 1);
	if (!timed_ok(t, CALL_OP, t0, "exec echo"))
		return ret ? ret : VACCEL_EIO;
	if (ret)
		return ret;
	if (memcmp(x, y, m)) {
		tfail(t, "exec echo: OK with a wrong result (%zu bytes)", m);
		return VACCEL_EIO;
	}

	size_t n = 1 + e2e_rand(seed) % ((1 << 18) >> (e2e_rand(seed) % 9));
	for (size_t k = 0; k < n; k++)
		a[k] = (int)e2e_rand(seed);
	memset(b, 0, n * sizeof(int));
	t0 = e2e_now_ms();
	ret = vaccel_fpga_arraycopy(&t->own, a, b, n);
	if (!timed_ok(t, CALL_OP, t0, "fpga_arraycopy"))
		return ret ? ret : VACCEL_EIO;
	if (ret)
		return ret;
	if (memcmp(a, b, n * sizeof(int))) {
		tfail(t, "fpga_arraycopy: OK with a wrong result (%zu ints)",
		      n);
		return VACCEL_EIO;
	}

	if (lib) {
		int32_t v = (int32_t)(e2e_rand(seed) % 1000000), r = 0;
		vaccel_arg_init_from_buf(&rd, &v, sizeof(v), VACCEL_ARG_INT32,
					 0);
		vaccel_arg_init_from_buf(&wr, &r, sizeof(r), VACCEL_ARG_INT32,
					 0);
		t0 = e2e_now_ms();
		ret = vaccel_exec(&t->ex, lib, "mytestfunc", &rd, 1, &wr, 1);
		if (!timed_ok(t, CALL_OP, t0, "exec mytestfunc"))
			return ret ? ret : VACCEL_EIO;
		if (ret)
			return ret;
		if (r != 2 * v) {
			tfail(t, "exec mytestfunc(%d): OK with %d", (int)v,
			      (int)r);
			return VACCEL_EIO;
		}
	}
	return VACCEL_OK;
}

static void *thread_main(void *p)
{
	struct thr *t = p;
	uint32_t seed = (uint32_t)getpid() * 7919u + t->id + 1;
	int *a = malloc(1 << 20), *b = malloc(1 << 20);
	char *x = malloc(1 << 16), *y = malloc(1 << 16);
	bool ready = false, outage = false;
	uint64_t ready_at = 0;
	long streak = 0, iters = 0;

	if (!a || !b || !x || !y) {
		tfail(t, "out of memory");
		goto out;
	}
	int ret = create_sessions(t);
	if (ret) {
		tfail(t, "creating the first sessions: %d", ret);
		goto out;
	}
	while (!t->failed) {
		uint64_t now = e2e_now_ms();
		if (!outage && ready && now - ready_at > (uint64_t)noerr_ms) {
			tfail(t,
			      "no error within %ld s of the restart marker: "
			      "the daemon was not restarted, or a stale id "
			      "named a live object",
			      noerr_ms / 1000);
			break;
		}
		if (outage && now - t->first_err > (uint64_t)recover_ms) {
			tfail(t,
			      "work did not resume within %ld s of the first "
			      "error (%ld errors, %ld verified iterations in a "
			      "row)",
			      recover_ms / 1000, t->errors, streak);
			break;
		}
		bool ops = t->have_own && (!lib || t->have_ex);
		if (ops) {
			ret = iteration(t, &seed, a, b, x, y);
		} else {
			release_sessions(t);
			ret = create_sessions(t);
		}
		if (t->failed)
			break;
		if (ret) {
			t->errors++;
			streak = 0;
			if (!outage) {
				outage = true;
				t->first_err = e2e_now_ms();
				if (!atomic_exchange(&err_reported, true))
					report('E');
			}
			/* the sessions may be gone with the daemon */
			release_sessions(t);
			usleep(50 * 1000);
			continue;
		}
		if (!ops)
			continue; /* sessions (re)created, no ops yet */
		iters++;
		if (!outage) {
			t->ok_before++;
			if (!ready && iters >= READY_ITERS) {
				ready = true;
				ready_at = e2e_now_ms();
				pthread_mutex_lock(&ready_lock);
				if (++nr_ready == nr_threads)
					report('R');
				pthread_mutex_unlock(&ready_lock);
			}
		} else {
			t->ok_after++;
			if (++streak >= GOOD_STREAK) {
				t->recovered = e2e_now_ms();
				break;
			}
		}
	}
	release_sessions(t);
out:
	free(a);
	free(b);
	free(x);
	free(y);
	return NULL;
}

static int child_main(unsigned int threads)
{
	struct thr *t = calloc(threads, sizeof(*t));
	int failed = 0;

	if (!t)
		return 1;
	nr_threads = threads;
	for (unsigned int i = 0; i < threads; i++) {
		t[i].id = i;
		if (pthread_create(&t[i].t, NULL, thread_main, &t[i]))
			return 1;
	}
	for (unsigned int i = 0; i < threads; i++) {
		pthread_join(t[i].t, NULL);
		struct thr *h = &t[i];
		if (h->failed)
			failed++;
		printf(PROG ": pid %d thread %u: %ld ok before, %ld errors "
			    "(first after the restart marker), recovered %llu "
			    "ms after the first error, %ld ok after; longest "
			    "call %llu ms%s\n",
		       (int)getpid(), h->id, h->ok_before, h->errors,
		       (unsigned long long)(h->recovered && h->first_err
						    ? h->recovered -
							      h->first_err
						    : 0),
		       h->ok_after, (unsigned long long)h->max_call,
		       h->failed ? " FAILED" : "");
	}
	fflush(stdout);
	free(t);
	return failed ? 1 : 0;
}

/* ---- raw ioctls: stale ids after the restart ----------------------------- */

static int dev_fd = -1;

static int ioc(unsigned long req, void *arg)
{
	return ioctl(dev_fd, req, arg) ? errno : 0;
}

static uint64_t raw_session(void)
{
	struct virtio_accel_ioc_session s = {.flags = E2E_HINT_NOOP};
	int err = ioc(VIRTIO_ACCEL_IOC_SESSION_CREATE, &s);
	if (err || s.vaccel_ret || !s.session_id)
		e2e_fail(PROG, "raw SESSION_CREATE: %s, vaccel_ret %d",
			 strerror(err), s.vaccel_ret);
	return s.session_id;
}

static uint64_t raw_resource(void)
{
	static char data[16] = "restart probe";
	struct virtio_accel_ioc_blob blob = {
		.name_uaddr = (uintptr_t) "probe.bin",
		.data_uaddr = (uintptr_t)data,
		.data_len = sizeof(data),
	};
	struct virtio_accel_ioc_resource_create rc = {
		.blobs = (uintptr_t)&blob,
		.nr_blobs = 1,
		.type = VACCEL_RESOURCE_DATA,
	};
	int err = ioc(VIRTIO_ACCEL_IOC_RESOURCE_CREATE, &rc);
	if (err || rc.vaccel_ret || !rc.resource_id)
		e2e_fail(PROG, "raw RESOURCE_CREATE: %s, vaccel_ret %d",
			 strerror(err), rc.vaccel_ret);
	return rc.resource_id;
}

static int raw_noop(uint64_t sid, uint32_t *status)
{
	struct virtio_accel_ioc_op op = {.session_id = sid};
	int err = ioc(VIRTIO_ACCEL_IOC_OP, &op);
	*status = op.status;
	return err ? err : op.vaccel_ret ? EREMOTEIO : 0;
}

static int raw_res(unsigned long req, uint64_t rid, uint64_t sid,
		   uint32_t *status)
{
	struct virtio_accel_ioc_resource r = {.resource_id = rid,
					      .session_id = sid};
	int err = ioc(req, &r);
	*status = r.status;
	return err ? err : r.vaccel_ret ? EREMOTEIO : 0;
}

static void raw_open(void)
{
	const char *p = getenv("VACCEL_VIRTIO_DEVICE");
	dev_fd = open(p && *p ? p : "/dev/virtio-accel0", O_RDWR | O_CLOEXEC);
	if (dev_fd < 0)
		e2e_fail(PROG, "open the device: %s", strerror(errno));
}

static void raw_check_after(uint64_t old_sid, uint64_t old_rid)
{
	uint64_t sid = raw_session(), rid = raw_resource();
	uint32_t st;
	int err;

	if (sid == old_sid || rid == old_rid)
		e2e_fail(PROG,
			 "the restarted daemon handed out an old id again "
			 "(session 0x%llx, resource 0x%llx)",
			 (unsigned long long)sid, (unsigned long long)rid);
	err = raw_noop(old_sid, &st);
	if (err != ENOENT || st != VIRTIO_ACCEL_NOSESS)
		e2e_fail(PROG,
			 "NOOP on the pre-restart session 0x%llx: %s, status "
			 "%u (want ENOENT, NOSESS)",
			 (unsigned long long)old_sid, strerror(err), st);
	err = raw_res(VIRTIO_ACCEL_IOC_RESOURCE_REGISTER, old_rid, sid, &st);
	if (err != ENOENT || st != VIRTIO_ACCEL_NORES)
		e2e_fail(PROG,
			 "REGISTER of the pre-restart resource 0x%llx: %s, "
			 "status %u (want ENOENT, NORES)",
			 (unsigned long long)old_rid, strerror(err), st);
	if ((err = raw_noop(sid, &st)) ||
	    (err = raw_res(VIRTIO_ACCEL_IOC_RESOURCE_REGISTER, rid, sid,
			   &st)) ||
	    (err = raw_res(VIRTIO_ACCEL_IOC_RESOURCE_UNREGISTER, rid, sid,
			   &st)) ||
	    (err = raw_res(VIRTIO_ACCEL_IOC_RESOURCE_DESTROY, rid, 0, &st)))
		e2e_fail(PROG, "new session/resource after the restart: %s",
			 strerror(err));
	struct virtio_accel_ioc_session s = {.session_id = sid};
	if ((err = ioc(VIRTIO_ACCEL_IOC_SESSION_DESTROY, &s)))
		e2e_fail(PROG, "SESSION_DESTROY: %s", strerror(err));
	/* the old ones are gone on the host: the driver forgets them */
	s.session_id = old_sid;
	err = ioc(VIRTIO_ACCEL_IOC_SESSION_DESTROY, &s);
	if (err && err != ENOENT)
		e2e_fail(PROG, "SESSION_DESTROY of the old session: %s",
			 strerror(err));
	err = raw_res(VIRTIO_ACCEL_IOC_RESOURCE_DESTROY, old_rid, 0, &st);
	if (err && err != ENOENT)
		e2e_fail(PROG, "RESOURCE_DESTROY of the old resource: %s",
			 strerror(err));
	close(dev_fd);
	printf(PROG ": ids: session 0x%llx -> 0x%llx, resource 0x%llx -> "
		    "0x%llx; the old ones are unknown after the restart\n",
	       (unsigned long long)old_sid, (unsigned long long)sid,
	       (unsigned long long)old_rid, (unsigned long long)rid);
}

/* ---- the parent ------------------------------------------------------------
 */

static void kill_all(const pid_t *pids, long n)
{
	for (long i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGKILL);
}

int main(int argc, char **argv)
{
	timeout_ms = 0;
	margin_ms = env_long("E2E_RESTART_MARGIN_MS", 5000);
	noerr_ms = env_long("E2E_RESTART_NOERR_S", 180) * 1000;
	recover_ms = env_long("E2E_RESTART_RECOVER_S", 60) * 1000;
	FILE *f = fopen(TIMEOUT_PARAM, "r");
	if (f) {
		if (fscanf(f, "%ld", &timeout_ms) != 1)
			timeout_ms = 0;
		fclose(f);
	}

	/* child REPORT_FD THREADS LIB */
	if (argc > 1 && !strcmp(argv[1], "child")) {
		report_fd = (int)e2e_arg(argc, argv, 2, -1);
		lib = argc > 4 && *argv[4] ? argv[4] : NULL;
		return child_main((unsigned int)e2e_arg(argc, argv, 3, 3));
	}
	if (argc < 2 || !*argv[1])
		e2e_fail(PROG,
			 "usage: " PROG " MARKER [PROCS [THREADS [LIB]]]");
	const char *marker = argv[1];
	long procs = e2e_arg(argc, argv, 2, 2);
	long threads = e2e_arg(argc, argv, 3, 3);
	const char *libarg = argc > 4 ? argv[4] : "";
	if (procs < 1 || procs > 64 || threads < 1 || threads > 64)
		e2e_fail(PROG, "bad arguments");
	if (timeout_ms <= 0)
		e2e_fail(PROG,
			 "needs the driver loaded with a finite "
			 "request_timeout_ms (%s: %ld)",
			 TIMEOUT_PARAM, timeout_ms);
	setvbuf(stdout, NULL, _IOLBF, 0);
	uint64_t t0 = e2e_now_ms();

	raw_open();
	uint64_t old_sid = raw_session(), old_rid = raw_resource();

	int pfd[2];
	if (pipe(pfd))
		e2e_fail(PROG, "pipe: %s", strerror(errno));
	pid_t *pids = calloc((size_t)procs, sizeof(*pids));
	if (!pids)
		e2e_fail(PROG, "out of memory");
	char fdarg[16], targ[16];
	snprintf(fdarg, sizeof(fdarg), "%d", pfd[1]);
	snprintf(targ, sizeof(targ), "%ld", threads);
	for (long p = 0; p < procs; p++) {
		pids[p] = fork();
		if (pids[p] < 0) {
			kill_all(pids, p);
			e2e_fail(PROG, "fork: %s", strerror(errno));
		}
		if (pids[p] == 0) {
			close(pfd[0]);
			execl("/proc/self/exe", argv[0], "child", fdarg, targ,
			      libarg, (char *)NULL);
			_exit(127);
		}
	}
	close(pfd[1]);

	/* all running -> the marker (repeated until someone saw an error) */
	long ready = 0, markers = 0;
	bool error_seen = false, eof = false;
	uint64_t start = e2e_now_ms(), first_marker = 0, last_marker = 0;
	while (!error_seen && !eof) {
		uint64_t now = e2e_now_ms();
		if (ready < procs && now - start > 300 * 1000) {
			kill_all(pids, procs);
			e2e_fail(PROG, "the load did not start within 300 s");
		}
		if (ready == procs && markers < MARKER_MAX &&
		    (!markers || now - last_marker >= MARKER_REPEAT)) {
			printf("%s\n", marker);
			fflush(stdout);
			if (!markers) {
				first_marker = now;
				printf(PROG ": load running (%ld x %ld "
					    "threads), restart requested\n",
				       procs, threads);
			}
			markers++;
			last_marker = now;
		}
		struct pollfd pf = {.fd = pfd[0], .events = POLLIN};
		if (poll(&pf, 1, 200) > 0) {
			char c;
			ssize_t r = read(pfd[0], &c, 1);
			if (r <= 0)
				eof = true; /* every child exited */
			else if (c == 'R')
				ready++;
			else if (c == 'E' && !markers) {
				kill_all(pids, procs);
				e2e_fail(PROG,
					 "a call failed before the restart "
					 "marker");
			} else if (c == 'E') {
				error_seen = true;
			}
		}
	}
	uint64_t err_at = e2e_now_ms();

	/* the children end by themselves (recovered, or failed by their
	 * deadlines); a hung call keeps one alive: watchdog */
	uint64_t limit = (uint64_t)(noerr_ms + recover_ms + 4 * timeout_ms +
				    4 * margin_ms + 60000);
	long failed = 0, left = procs;
	while (left > 0) {
		int st;
		pid_t w = waitpid(-1, &st, WNOHANG);
		if (w < 0)
			break;
		if (w == 0) {
			if (e2e_now_ms() - start > limit) {
				kill_all(pids, procs);
				e2e_fail(PROG,
					 "children still running after %llu "
					 "s: a call hangs",
					 (unsigned long long)limit / 1000);
			}
			usleep(100 * 1000);
			continue;
		}
		for (long p = 0; p < procs; p++)
			if (pids[p] == w)
				pids[p] = 0;
		left--;
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			failed++;
	}
	close(pfd[0]);
	if (failed)
		e2e_fail(PROG, "%ld of %ld processes failed", failed, procs);
	if (!error_seen)
		e2e_fail(PROG, "no process saw an error");

	raw_check_after(old_sid, old_rid);
	printf(PROG ": OK (%ld processes x %ld threads; first error %llu ms "
		    "after the marker, all recovered %llu ms later; "
		    "request_timeout_ms %ld; %llu ms in all)\n",
	       procs, threads, (unsigned long long)(err_at - first_marker),
	       (unsigned long long)(e2e_now_ms() - err_at), timeout_ms,
	       (unsigned long long)(e2e_now_ms() - t0));
	return 0;
}
