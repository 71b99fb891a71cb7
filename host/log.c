// SPDX-License-Identifier: Apache-2.0
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

int dev_log_level;
static int stats_fd = -1;

void dev_log(int level, const char *fmt, ...)
{
	if (level > dev_log_level)
		return;
	static const char *const names[] = {"error", "info", "debug"};
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "vhost-user-accel: %s: %s\n",
		names[level > 2 ? 2 : level], buf);
}

void stats_set_fd(int fd)
{
	stats_fd = fd;
}

void stats_line(const char *fmt, ...)
{
	if (stats_fd < 0)
		return;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(buf)) {
		ssize_t w = write(stats_fd, buf, (size_t)n);
		(void)w;
	}
}
