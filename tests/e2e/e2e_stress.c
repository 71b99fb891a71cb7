// SPDX-License-Identifier: Apache-2.0
/*
 * e2e_stress [PROCS [THREADS [ITERS [LIB]]]]   (default 8 4 50)
 *
 * PROCS processes x THREADS threads call the virtio plugin at once: each
 * thread has its own sessions and also uses its process's shared session;
 * every result is verified. Ops: fpga_arraycopy of random sizes (inline and
 * segment arguments, up to 1 MiB), exec echo through the noop host plugin,
 * minmax, and (with LIB = libmytestlib.so) exec on the exec host plugin.
 * Host plugins: noop and exec (session hints DEBUG and GENERIC).
 */
#include "e2e_util.h"

#include <pthread.h>
#include <sys/wait.h>

static const char *lib;
static long iters;
static struct vaccel_session shared;

struct thr {
	pthread_t t;
	unsigned int id;
	long errors;
};

static void check(struct thr *t, int ret, bool ok, const char *what, long i)
{
	if (ret != VACCEL_OK || !ok) {
		fprintf(stderr,
			"e2e_stress: pid %d thread %u iter %ld: %s: "
			"ret %d%s\n",
			(int)getpid(), t->id, i, what, ret,
			ret ? "" : ", wrong result");
		t->errors++;
	}
}

static void *thread_main(void *p)
{
	struct thr *t = p;
	struct vaccel_session own, ex;
	uint32_t seed = (uint32_t)getpid() * 7919u + t->id;
	int *a = malloc(1 << 20), *b = malloc(1 << 20);
	char *x = malloc(1 << 16), *y = malloc(1 << 16);

	if (!a || !b || !x || !y || vaccel_session_init(&own, E2E_HINT_NOOP) ||
	    (lib && vaccel_session_init(&ex, E2E_HINT_EXEC))) {
		t->errors++;
		return NULL;
	}
	for (long i = 0; i < iters; i++) {
		/* sizes from one int to 1 MiB: inline and segments */
		size_t n = 1 + e2e_rand(&seed) % ((1 << 18) >> (i % 9));
		for (size_t k = 0; k < n; k++)
			a[k] = (int)(e2e_rand(&seed));
		memset(b, 0, n * sizeof(int));
		struct vaccel_session *s = i % 2 ? &shared : &own;
		int ret = vaccel_fpga_arraycopy(s, a, b, n);
		check(t, ret, !memcmp(a, b, n * sizeof(int)), "arraycopy", i);

		size_t m = 1 + e2e_rand(&seed) % (1 << 16);
		for (size_t k = 0; k < m; k++)
			x[k] = (char)e2e_rand(&seed);
		memset(y, 0, m);
		struct vaccel_arg rd, wr;
		vaccel_arg_init_from_buf(&rd, x, m, VACCEL_ARG_BUFFER, 0);
		vaccel_arg_init_from_buf(&wr, y, m, VACCEL_ARG_BUFFER, 0);
		ret = vaccel_exec(s, "echo", "echo", &rd, 1, &wr, 1);
		check(t, ret, !memcmp(x, y, m), "exec echo", i);

		double in[3] = {(double)i, -1.5, 1e9}, out[3], lo, hi;
		ret = vaccel_minmax(&own, in, 3, 0, 1, out, &lo, &hi);
		check(t, ret, lo == -1.5 && hi == 1e9, "minmax", i);

		if (lib) {
			int32_t v = (int32_t)(e2e_rand(&seed) % 1000000), r = 0;
			vaccel_arg_init_from_buf(&rd, &v, sizeof(v),
						 VACCEL_ARG_INT32, 0);
			vaccel_arg_init_from_buf(&wr, &r, sizeof(r),
						 VACCEL_ARG_INT32, 0);
			ret = vaccel_exec(&ex, lib, "mytestfunc", &rd, 1, &wr,
					  1);
			check(t, ret, r == 2 * v, "exec mytestfunc", i);
		}
	}
	if (vaccel_session_release(&own) ||
	    (lib && vaccel_session_release(&ex)))
		t->errors++;
	free(a);
	free(b);
	free(x);
	free(y);
	return NULL;
}

static int process_main(unsigned int nthreads)
{
	struct thr *t = calloc(nthreads, sizeof(*t));
	long errors = 0;

	if (!t || vaccel_session_init(&shared, E2E_HINT_NOOP))
		return 1;
	for (unsigned int i = 0; i < nthreads; i++) {
		t[i].id = i;
		if (pthread_create(&t[i].t, NULL, thread_main, &t[i]))
			return 1;
	}
	for (unsigned int i = 0; i < nthreads; i++) {
		pthread_join(t[i].t, NULL);
		errors += t[i].errors;
	}
	if (vaccel_session_release(&shared))
		errors++;
	free(t);
	return errors ? 1 : 0;
}

int main(int argc, char **argv)
{
	/* children are fresh processes (exec), each with its own runtime
	 * and its own file of the device */
	if (argc > 1 && !strcmp(argv[1], "child")) {
		iters = e2e_arg(argc, argv, 3, 50);
		lib = argc > 4 && *argv[4] ? argv[4] : NULL;
		return process_main((unsigned int)e2e_arg(argc, argv, 2, 4));
	}
	long procs = e2e_arg(argc, argv, 1, 8);
	long threads = e2e_arg(argc, argv, 2, 4);
	iters = e2e_arg(argc, argv, 3, 50);
	lib = argc > 4 ? argv[4] : "";
	uint64_t t0 = e2e_now_ms();
	int failed = 0;
	char targ[32], iarg[32];

	if (procs < 1 || procs > 256 || threads < 1 || threads > 256 ||
	    iters < 1)
		e2e_fail("e2e_stress", "bad arguments");
	snprintf(targ, sizeof(targ), "%ld", threads);
	snprintf(iarg, sizeof(iarg), "%ld", iters);
	for (long p = 0; p < procs; p++) {
		pid_t pid = fork();
		if (pid < 0)
			e2e_fail("e2e_stress", "fork: %s", strerror(errno));
		if (pid == 0) {
			execl("/proc/self/exe", argv[0], "child", targ, iarg,
			      lib, (char *)NULL);
			_exit(127);
		}
	}
	for (long p = 0; p < procs; p++) {
		int st;
		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			failed++;
	}
	if (failed)
		e2e_fail("e2e_stress", "%d of %ld processes failed", failed,
			 procs);
	printf("e2e_stress: OK (%ld processes x %ld threads x %ld iterations, "
	       "%llu ms)\n",
	       procs, threads, iters, (unsigned long long)(e2e_now_ms() - t0));
	return 0;
}
