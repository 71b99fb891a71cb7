/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the driver-level test programs. They talk to
 * /dev/virtio-accel<N> through the raw UAPI ioctls, nothing else.
 */
#ifndef VA_TEST_H
#define VA_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <linux/virtio_accel.h>

/* vAccel numbers, from the UAPI header (docs/protocol.md §6.2, §7.5) */
#define T_ARG_INT64	   VIRTIO_ACCEL_ARG_INT64
#define T_ARG_UINT32	   VIRTIO_ACCEL_ARG_UINT32
#define T_ARG_STRING	   VIRTIO_ACCEL_ARG_STRING
#define T_ARG_BUFFER	   VIRTIO_ACCEL_ARG_BUFFER
#define T_OP_NOOP	   VIRTIO_ACCEL_OP_NOOP
#define T_OP_EXEC	   VIRTIO_ACCEL_OP_EXEC
#define T_OP_EXEC_WITH_RES VIRTIO_ACCEL_OP_EXEC_WITH_RESOURCE
#define T_PLUGIN_GENERIC   0x0080 /* the exec plugin */
#define T_PLUGIN_DEBUG	   0x0100 /* the noop plugin */
#define T_RES_LIB	   0

static int va_failures;
static const char *va_prog = "test";

#define VA_LOG(...)                                                            \
	do {                                                                   \
		fprintf(stderr, "%s: ", va_prog);                              \
		fprintf(stderr, __VA_ARGS__);                                  \
		fputc('\n', stderr);                                           \
	} while (0)

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			va_failures++;                                         \
			fprintf(stderr, "%s: FAIL %s:%d: %s: ", va_prog,       \
				__FILE__, __LINE__, #cond);                    \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
		}                                                              \
	} while (0)

/* ioctl returning -errno (or 0) */
static inline int va_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

#define CHECK_RC(expr, want)                                                   \
	do {                                                                   \
		int rc_ = (expr);                                              \
		CHECK(rc_ == (want), "got %d (%s), want %d (%s)", rc_,         \
		      strerror(-rc_), (want), strerror(-(want)));              \
	} while (0)

static inline const char *va_dev_path(void)
{
	const char *p = getenv("VA_DEV");

	return p ? p : "/dev/virtio-accel0";
}

static inline int va_open(void)
{
	int fd = open(va_dev_path(), O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "%s: open %s: %s\n", va_prog, va_dev_path(),
			strerror(errno));
		exit(2);
	}
	return fd;
}

static inline int va_sess_create(int fd, uint32_t flags, uint64_t *id)
{
	struct virtio_accel_ioc_session s = { .flags = flags };
	int rc = va_ioctl(fd, VIRTIO_ACCEL_IOC_SESSION_CREATE, &s);

	if (!rc && s.vaccel_ret)
		rc = -10000 - s.vaccel_ret;
	*id = s.session_id;
	return rc;
}

static inline int va_sess_destroy(int fd, uint64_t id)
{
	struct virtio_accel_ioc_session s = { .session_id = id };

	return va_ioctl(fd, VIRTIO_ACCEL_IOC_SESSION_DESTROY, &s);
}

static inline struct virtio_accel_ioc_arg va_arg(const void *p, uint64_t len,
						 uint32_t type)
{
	struct virtio_accel_ioc_arg a = {
		.uaddr = (uint64_t)(uintptr_t)p,
		.len = len,
		.type = type,
	};
	return a;
}

static inline int va_op(int fd, uint64_t sess, uint32_t op_type,
			struct virtio_accel_ioc_arg *rd, uint32_t nr_rd,
			struct virtio_accel_ioc_arg *wr, uint32_t nr_wr,
			int32_t *vret)
{
	struct virtio_accel_ioc_op op = {
		.session_id = sess,
		.op_type = op_type,
		.read_args = (uint64_t)(uintptr_t)rd,
		.write_args = (uint64_t)(uintptr_t)wr,
		.nr_read = nr_rd,
		.nr_write = nr_wr,
	};
	int rc = va_ioctl(fd, VIRTIO_ACCEL_IOC_OP, &op);

	if (vret)
		*vret = op.vaccel_ret;
	return rc;
}

/*
 * Echo through the noop plugin: EXEC with read [lib, sym, in] and write
 * [out] copies in to out (session created with T_PLUGIN_DEBUG).
 */
static inline int va_echo(int fd, uint64_t sess, const void *in, void *out,
			  uint64_t len, uint32_t in_flags, uint32_t out_flags,
			  uint64_t *produced)
{
	static const char lib[] = "noop-echo", sym[] = "echo";
	struct virtio_accel_ioc_arg rd[3] = {
		va_arg(lib, sizeof(lib), T_ARG_STRING),
		va_arg(sym, sizeof(sym), T_ARG_STRING),
		va_arg(in, len, T_ARG_BUFFER),
	};
	struct virtio_accel_ioc_arg wr[1] = { va_arg(out, len, T_ARG_BUFFER) };
	int32_t vret = 0;
	int rc;

	rd[2].flags = in_flags;
	wr[0].flags = out_flags;
	rc = va_op(fd, sess, T_OP_EXEC, rd, 3, wr, 1, &vret);
	if (produced)
		*produced = wr[0].len;
	if (!rc && vret)
		rc = -10000 - vret;
	return rc;
}

/*
 * EXEC of vatest_sleep from the library at lib (the test programs' own
 * libvatest.so): sleeps ms on the host, then fills out. 0, a -errno of the
 * ioctl, or -10000 - the vAccel error.
 */
static inline int va_slow_op(const char *lib, int fd, uint64_t sess,
			     uint32_t ms, void *out, uint64_t len)
{
	static const char sym[] = "vatest_sleep";
	struct virtio_accel_ioc_arg rd[3] = {
		va_arg(lib, strlen(lib) + 1, T_ARG_STRING),
		va_arg(sym, sizeof(sym), T_ARG_STRING),
		va_arg(&ms, sizeof(ms), T_ARG_UINT32),
	};
	struct virtio_accel_ioc_arg wr[1] = { va_arg(out, len, T_ARG_BUFFER) };
	int32_t vret = 0;
	int rc;

	rc = va_op(fd, sess, T_OP_EXEC, rd, 3, wr, 1, &vret);
	if (!rc && vret)
		rc = -10000 - vret;
	return rc;
}

static inline double va_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Read an integer from a sysfs file, -1 on error. */
static inline long va_sysfs_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static inline int va_sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* /sys/class/misc/virtio-accel0/<attr> of the device under test */
static inline void va_misc_attr(char *buf, size_t n, const char *attr)
{
	const char *dev = va_dev_path();
	const char *base = strrchr(dev, '/');

	snprintf(buf, n, "/sys/class/misc/%s/%s", base ? base + 1 : dev, attr);
}

/* Wait until the device has no orphaned requests (seconds); 0 on success. */
static inline int va_wait_orphans(double secs)
{
	char path[256];
	double t0 = va_now();

	va_misc_attr(path, sizeof(path), "orphans");
	while (va_now() - t0 < secs) {
		if (va_sysfs_long(path) == 0)
			return 0;
		usleep(20000);
	}
	return -1;
}

static inline void va_fill(void *p, uint64_t len, uint64_t seed)
{
	uint64_t *w = p;
	uint64_t i;

	for (i = 0; i < len / 8; i++)
		w[i] = (seed + i) * 0x9e3779b97f4a7c15ull;
	for (i = len & ~7ull; i < len; i++)
		((uint8_t *)p)[i] = (uint8_t)(seed + i);
}

static inline int va_summary(void)
{
	if (va_failures) {
		fprintf(stderr, "%s: %d check(s) FAILED\n", va_prog,
			va_failures);
		return 1;
	}
	fprintf(stderr, "%s: PASS\n", va_prog);
	return 0;
}

#endif
