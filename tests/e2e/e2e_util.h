// SPDX-License-Identifier: Apache-2.0
/* Helpers of the guest-side end-to-end programs (tests/e2e). */
#ifndef E2E_UTIL_H
#define E2E_UTIL_H

#include <vaccel.h>

#include <linux/virtio_accel.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* the deprecated ops (fpga, minmax) are forwarded too */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

#define E2E_HINT_NOOP VACCEL_PLUGIN_DEBUG
#define E2E_HINT_EXEC VACCEL_PLUGIN_GENERIC

static inline void e2e_fail(const char *prog, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
static inline void e2e_fail(const char *prog, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: FAIL: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static inline long e2e_arg(int argc, char **argv, int i, long def)
{
	return argc > i ? strtol(argv[i], NULL, 0) : def;
}

static inline uint64_t e2e_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The device's limits, straight from the driver (GET_INFO). */
static inline int e2e_device_info(struct virtio_accel_ioc_info *info)
{
	const char *p = getenv("VACCEL_VIRTIO_DEVICE");
	int fd = open(p && *p ? p : "/dev/virtio-accel0", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(info, 0, sizeof(*info));
	int ret = ioctl(fd, VIRTIO_ACCEL_IOC_GET_INFO, info) ? -errno : 0;
	close(fd);
	return ret;
}

/* xorshift, per caller state */
static inline uint32_t e2e_rand(uint32_t *s)
{
	uint32_t x = *s ? *s : 0x9e3779b9u;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

#endif
