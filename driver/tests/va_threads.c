// SPDX-License-Identifier: GPL-2.0
/*
 * va_threads: many threads and processes with requests in flight at once.
 *
 *   va_threads [threads] [iterations] [processes]   default 16 200 4
 *
 * Each process opens the device once; its threads share the file, half of
 * them share one session, the others have their own. Every iteration
 * echoes a buffer of a pseudo-random size (1 B .. 256 KiB, so both inline
 * and segment arguments) and checks the result; every 8th is a NOOP.
 */
#include <pthread.h>
#include <sys/wait.h>

#include "va_test.h"

static int nthreads = 16, iters = 200;
static int fd;
static uint64_t shared_sess;

static void *worker(void *arg)
{
	long t = (long)arg;
	uint64_t sess = shared_sess, seed = t * 7919 + getpid();
	uint8_t *in = malloc(256 << 10), *out = malloc(256 << 10);
	long bad = 0;
	int i;

	if (t & 1 && va_sess_create(fd, T_PLUGIN_DEBUG, &sess))
		return (void *)1000L;
	for (i = 0; i < iters; i++) {
		uint64_t len, produced = 0;
		int rc;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		if (i % 8 == 7) {
			if (va_op(fd, sess, T_OP_NOOP, NULL, 0, NULL, 0, NULL))
				bad++;
			continue;
		}
		len = 1 + (seed >> 33) % (256 << 10);
		va_fill(in, len, seed);
		rc = va_echo(fd, sess, in, out, len, 0, 0, &produced);
		if (rc || produced != len || memcmp(in, out, len)) {
			if (bad < 3)
				VA_LOG("thread %ld iter %d len %llu: rc %d",
				       t, i, (unsigned long long)len, rc);
			bad++;
		}
	}
	if (sess != shared_sess && va_sess_destroy(fd, sess))
		bad++;
	free(in);
	free(out);
	return (void *)bad;
}

static int run_process(void)
{
	pthread_t *th = calloc(nthreads, sizeof(*th));
	long bad = 0;
	void *r;
	int i;

	fd = va_open();
	if (va_sess_create(fd, T_PLUGIN_DEBUG, &shared_sess))
		return 1;
	for (i = 0; i < nthreads; i++)
		pthread_create(&th[i], NULL, worker, (void *)(long)i);
	for (i = 0; i < nthreads; i++) {
		pthread_join(th[i], &r);
		bad += (long)r;
	}
	if (va_sess_destroy(fd, shared_sess))
		bad++;
	close(fd);
	free(th);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	int nproc = 4, i, st, failed = 0;
	double t0;

	va_prog = "va_threads";
	if (argc > 1)
		nthreads = atoi(argv[1]);
	if (argc > 2)
		iters = atoi(argv[2]);
	if (argc > 3)
		nproc = atoi(argv[3]);
	t0 = va_now();
	for (i = 0; i < nproc; i++)
		if (fork() == 0)
			_exit(run_process());
	for (i = 0; i < nproc; i++) {
		wait(&st);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			failed++;
	}
	CHECK(!failed, "%d process(es) failed", failed);
	VA_LOG("%d processes x %d threads x %d requests: %.2f s (%.0f req/s)",
	       nproc, nthreads, iters, va_now() - t0,
	       (double)nproc * nthreads * iters / (va_now() - t0));
	CHECK(va_wait_orphans(5) == 0, "orphans left");
	return va_summary();
}
