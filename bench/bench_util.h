// SPDX-License-Identifier: Apache-2.0
/* Timing helpers for the benchmarks: monotonic ns, medians, BENCH lines. */
#ifndef VACCEL_BENCH_UTIL_H
#define VACCEL_BENCH_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static inline double bench_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* One figure: BENCH <name> median=<v><unit> baseline=<v><unit> ratio=<r> */
static inline void bench_print(const char *name, double median,
			       double baseline, const char *unit)
{
	printf("BENCH %s median=%.3f%s baseline=%.3f%s ratio=%.3f\n", name,
	       median, unit, baseline, unit,
	       baseline > 0 ? median / baseline : 0.0);
	fflush(stdout);
}

#endif
