// SPDX-License-Identifier: GPL-2.0
/*
 * va_kill: requests that outlive their ioctl.
 *
 *   va_kill [path/to/libvatest.so]    (default: next to this program)
 *
 * Uses the exec plugin (sessions with the GENERIC hint) to run
 * vatest_sleep from libvatest.so on the host, which sleeps and then fills
 * the output buffer, i.e. the device writes guest memory long after the
 * ioctl gave up. Needs root (it changes request_timeout_ms) and a daemon
 * with several workers (-w 4) so that other requests are not queued
 * behind the sleeping one.
 *
 *  - timeout: the ioctl returns -ETIMEDOUT promptly, the buffer is unmapped
 *    at once, the orphan is reclaimed when the device returns it;
 *  - SIGKILL mid-op: the process dies promptly, nothing leaks;
 *  - orphan_limit_mb: while abandoned requests hold more than the limit,
 *    new requests fail with -EBUSY; they work again once the device
 *    returns them;
 *  - SESSION_DESTROY while another thread's op on it is in flight waits
 *    for the op; with a timed-out op it answers -EBUSY and the destroy
 *    follows when the op comes back.
 */
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "va_test.h"

#define TIMEOUT_PARAM "/sys/module/virtio_accel/parameters/request_timeout_ms"
#define ORPHAN_PARAM "/sys/module/virtio_accel/parameters/orphan_limit_mb"

static char lib[PATH_MAX];

static void *map(uint64_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	memset(p, 0, len);
	return p;
}

static void t_sanity(int fd, uint64_t sess)
{
	uint64_t len = 16 << 20;
	uint8_t *out = map(len);
	double t0 = va_now();

	CHECK_RC(va_slow_op(lib, fd, sess, 100, out, len), 0);
	CHECK(va_now() - t0 >= 0.09, "did not sleep");
	CHECK(out[0] == 0xa5 && out[len - 1] == 0xa5, "output not written");
	munmap(out, len);
}

static void t_timeout(int fd, uint64_t sess, uint64_t echo_sess)
{
	uint64_t len = 16 << 20;
	uint8_t *out = map(len);
	char path[256], small[64] = "still alive", back[64];
	double t0, dt;
	int rc;

	va_sysfs_write(TIMEOUT_PARAM, "500");
	t0 = va_now();
	rc = va_slow_op(lib, fd, sess, 2000, out, len);
	dt = va_now() - t0;
	CHECK(rc == -ETIMEDOUT, "slow op: %d", rc);
	CHECK(dt >= 0.45 && dt < 1.2, "timed out after %.3f s", dt);
	/* the pages stay pinned (or the bounce buffer alive) for the device */
	munmap(out, len);
	va_misc_attr(path, sizeof(path), "orphans");
	CHECK(va_sysfs_long(path) >= 1, "orphans %ld", va_sysfs_long(path));
	/* the device keeps working meanwhile */
	CHECK_RC(va_echo(fd, echo_sess, small, back, sizeof(small), 0, 0,
			 NULL),
		 0);
	CHECK(!memcmp(small, back, sizeof(small)), "echo data");
	CHECK(va_wait_orphans(5) == 0, "orphan not reclaimed");
	va_sysfs_write(TIMEOUT_PARAM, "60000");
	VA_LOG("timeout: -ETIMEDOUT after %.3f s, orphan reclaimed", dt);
}

static void t_orphan_limit(int fd, uint64_t sess, uint64_t echo_sess)
{
	uint64_t len = 8 << 20;
	uint8_t *out = map(len);
	char path[256], small[64] = "limit", back[64];
	long held;

	va_sysfs_write(ORPHAN_PARAM, "4");
	va_sysfs_write(TIMEOUT_PARAM, "300");
	CHECK_RC(va_slow_op(lib, fd, sess, 1500, out, len), -ETIMEDOUT);
	munmap(out, len);
	va_misc_attr(path, sizeof(path), "orphan_bytes");
	held = va_sysfs_long(path);
	CHECK(held >= (long)len, "orphan_bytes %ld after an 8 MiB orphan",
	      held);
	/* over the limit: refused before anything reaches the device */
	CHECK_RC(va_echo(fd, echo_sess, small, back, sizeof(small), 0, 0,
			 NULL),
		 -EBUSY);
	CHECK(va_wait_orphans(6) == 0, "orphan not reclaimed");
	CHECK(va_sysfs_long(path) == 0, "orphan_bytes %ld after reclaim",
	      va_sysfs_long(path));
	CHECK_RC(va_echo(fd, echo_sess, small, back, sizeof(small), 0, 0,
			 NULL),
		 0);
	CHECK(!memcmp(small, back, sizeof(small)), "echo data");
	va_sysfs_write(TIMEOUT_PARAM, "60000");
	va_sysfs_write(ORPHAN_PARAM, "1024");
	VA_LOG("orphan limit: -EBUSY while %ld bytes were held, then fine",
	       held);
}

static void t_sigkill(void)
{
	int pfd[2];
	double t0, dt;
	pid_t pid;
	char c;
	int st;

	if (pipe(pfd))
		return;
	pid = fork();
	if (pid == 0) {
		int fd = va_open();
		uint64_t s, len = 32 << 20;
		void *out = map(len);

		if (va_sess_create(fd, T_PLUGIN_GENERIC, &s))
			_exit(3);
		if (write(pfd[1], "x", 1) != 1)
			_exit(4);
		va_slow_op(lib, fd, s, 3000, out, len);
		_exit(5);
	}
	close(pfd[1]);
	CHECK(read(pfd[0], &c, 1) == 1, "child did not start");
	close(pfd[0]);
	usleep(300000);
	t0 = va_now();
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	dt = va_now() - t0;
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "child status 0x%x",
	      st);
	CHECK(dt < 0.5, "SIGKILL took %.3f s", dt);
	CHECK(va_wait_orphans(6) == 0, "orphan not reclaimed");
	VA_LOG("SIGKILL mid-op: child gone after %.3f s, orphan reclaimed",
	       dt);
}

struct bg {
	int fd;
	uint64_t sess;
	uint32_t ms;
	int rc;
};

static void *bg_op(void *arg)
{
	struct bg *b = arg;
	uint32_t dummy;

	b->rc = va_slow_op(lib, b->fd, b->sess, b->ms, &dummy, sizeof(dummy));
	return NULL;
}

static void t_destroy_busy(int fd)
{
	struct bg b = { .fd = fd, .ms = 1000 };
	pthread_t th;
	double t0, dt;

	/* destroy waits for the op that names the session */
	CHECK_RC(va_sess_create(fd, T_PLUGIN_GENERIC, &b.sess), 0);
	pthread_create(&th, NULL, bg_op, &b);
	usleep(200000);
	t0 = va_now();
	CHECK_RC(va_sess_destroy(fd, b.sess), 0);
	dt = va_now() - t0;
	pthread_join(th, NULL);
	CHECK(b.rc == 0, "op during destroy: %d", b.rc);
	CHECK(dt > 0.5, "destroy did not wait (%.3f s)", dt);

	/* with an op that times out, destroy gives up with -EBUSY */
	va_sysfs_write(TIMEOUT_PARAM, "500");
	b.ms = 2000;
	CHECK_RC(va_sess_create(fd, T_PLUGIN_GENERIC, &b.sess), 0);
	pthread_create(&th, NULL, bg_op, &b);
	usleep(100000);
	CHECK_RC(va_sess_destroy(fd, b.sess), -EBUSY);
	CHECK_RC(va_op(fd, b.sess, T_OP_NOOP, NULL, 0, NULL, 0, NULL),
		 -ENOENT);
	CHECK_RC(va_sess_destroy(fd, b.sess), -ENOENT);
	pthread_join(th, NULL);
	CHECK(b.rc == -ETIMEDOUT, "op: %d", b.rc);
	va_sysfs_write(TIMEOUT_PARAM, "60000");
	CHECK(va_wait_orphans(5) == 0, "orphans left");
}

int main(int argc, char **argv)
{
	uint64_t sess, echo_sess;
	int fd;

	va_prog = "va_kill";
	if (argc > 1) {
		snprintf(lib, sizeof(lib), "%s", argv[1]);
	} else {
		char *slash;
		ssize_t n = readlink("/proc/self/exe", lib, sizeof(lib) - 32);

		if (n < 0)
			return 2;
		lib[n] = 0;
		slash = strrchr(lib, '/');
		strcpy(slash + 1, "libvatest.so");
	}
	if (access(lib, R_OK)) {
		VA_LOG("%s: %s", lib, strerror(errno));
		return 2;
	}
	fd = va_open();
	CHECK_RC(va_sess_create(fd, T_PLUGIN_GENERIC, &sess), 0);
	CHECK_RC(va_sess_create(fd, T_PLUGIN_DEBUG, &echo_sess), 0);
	t_sanity(fd, sess);
	t_timeout(fd, sess, echo_sess);
	t_orphan_limit(fd, sess, echo_sess);
	t_sigkill();
	t_destroy_busy(fd);
	CHECK_RC(va_sess_destroy(fd, sess), 0);
	CHECK_RC(va_sess_destroy(fd, echo_sess), 0);
	close(fd);
	return va_summary();
}
