// SPDX-License-Identifier: Apache-2.0
/*
 * Small helpers shared by the examples: argument parsing, timing, file I/O.
 * Only the public vAccel API is used.
 */
#ifndef EXAMPLE_UTILS_H
#define EXAMPLE_UTILS_H

#include <vaccel.h>

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/*
 * Parse argv[idx] as an integer in [min, max]; `def` when absent.
 * Returns 0, or -1 (after printing why) for a malformed value.
 */
static inline int example_arg_long(int argc, char *argv[], int idx,
				   const char *what, long def, long min,
				   long max, long *out)
{
	char *end;
	long v;

	if (idx >= argc) {
		*out = def;
		return 0;
	}
	errno = 0;
	v = strtol(argv[idx], &end, 10);
	if (errno || end == argv[idx] || *end || v < min || v > max) {
		fprintf(stderr, "Invalid %s '%s' (expected %ld..%ld)\n", what,
			argv[idx], min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static inline uint64_t example_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Print the timing summary and the library's profiling region (the latter
 * shows with VACCEL_PROFILING_ENABLED=1 and VACCEL_LOG_LEVEL>=3). */
static inline void example_print_timing(const char *name, long iterations,
					uint64_t total_ns,
					const struct vaccel_prof_region *region)
{
	printf("%s: %ld iteration(s), total %" PRIu64 " ns, avg %" PRIu64
	       " ns\n",
	       name, iterations, total_ns,
	       iterations > 0 ? total_ns / (uint64_t)iterations : 0);
	if (region)
		vaccel_prof_region_print(region);
}

/* Read a whole file into a malloc()-ed buffer. Returns 0 or an errno. */
static inline int example_read_file(const char *path, unsigned char **buf,
				    size_t *len)
{
	unsigned char *data = NULL;
	size_t size = 0;
	size_t cap = 0;
	FILE *f;
	int ret = 0;

	f = fopen(path, "rb");
	if (!f)
		return errno;
	for (;;) {
		size_t n;

		if (size == cap) {
			unsigned char *tmp;

			cap = cap ? cap * 2 : 4096;
			tmp = realloc(data, cap);
			if (!tmp) {
				ret = ENOMEM;
				break;
			}
			data = tmp;
		}
		n = fread(data + size, 1, cap - size, f);
		size += n;
		if (n == 0) {
			if (ferror(f))
				ret = EIO;
			break;
		}
	}
	fclose(f);
	if (!ret && size == 0)
		ret = ENODATA;
	if (ret) {
		free(data);
		return ret;
	}
	*buf = data;
	*len = size;
	return 0;
}

#endif /* EXAMPLE_UTILS_H */
