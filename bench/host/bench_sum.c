// SPDX-License-Identifier: Apache-2.0
/* Ops of the daemon benchmarks, run through the exec plugin. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <vaccel.h>

__attribute__((visibility("default"))) int bench_sum(struct vaccel_arg *read,
						     size_t nr_read,
						     struct vaccel_arg *write,
						     size_t nr_write)
{
	if (nr_read < 1 || nr_write < 1 || write[0].size != sizeof(uint64_t))
		return 1;
	const uint64_t *p = read[0].buf;
	size_t words = read[0].size / 8;
	uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	size_t i = 0;
	for (; i + 4 <= words; i += 4) {
		s0 += p[i];
		s1 += p[i + 1];
		s2 += p[i + 2];
		s3 += p[i + 3];
	}
	for (; i < words; i++)
		s0 += p[i];
	uint64_t s = s0 + s1 + s2 + s3;
	memcpy(write[0].buf, &s, sizeof(s));
	return 0;
}

/* A slow operation: sleep read[0] (int32) milliseconds (0..1000). */
__attribute__((visibility("default"))) int bench_sleep(struct vaccel_arg *read,
						       size_t nr_read,
						       struct vaccel_arg *write,
						       size_t nr_write)
{
	(void)write, (void)nr_write;
	int32_t ms;
	if (nr_read < 1 || read[0].size != sizeof(ms))
		return 1;
	memcpy(&ms, read[0].buf, sizeof(ms));
	if (ms < 0 || ms > 1000)
		return 1;
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	return 0;
}
