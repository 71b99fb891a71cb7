// SPDX-License-Identifier: Apache-2.0
/*
 * The daemon's log (stderr, one line per message) and its statistics
 * records (--stats-fd: one "event=... key=value ..." line per record,
 * written with one write() so that the supervisor's and the front-end
 * processes' records never interleave).
 */
#ifndef VHOST_ACCEL_LOG_H
#define VHOST_ACCEL_LOG_H

/* Level 0 = errors only, 1 = info, 2 = debug. */
extern int dev_log_level;
void dev_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define LOG_ERR(...)  dev_log(0, __VA_ARGS__)
#define LOG_INFO(...) dev_log(1, __VA_ARGS__)
#define LOG_DBG(...)  dev_log(2, __VA_ARGS__)

/* Where records go (-1: nowhere). */
void stats_set_fd(int fd);
void stats_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
