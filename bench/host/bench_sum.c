// SPDX-License-Identifier: Apache-2.0
/* The op of the argument-throughput benchmark, run through the exec plugin:
 * write[0] (8 bytes) = sum of the u64 words of read[0]. Reads every byte. */
#include <stdint.h>
#include <string.h>

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
