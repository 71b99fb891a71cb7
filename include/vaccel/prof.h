// SPDX-License-Identifier: Apache-2.0
#ifndef VACCEL_PROF_H
#define VACCEL_PROF_H

#include "api.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One timed interval, in ns of CLOCK_MONOTONIC_RAW. */
struct vaccel_prof_sample {
	uint64_t start;
	uint64_t time;
};

struct vaccel_prof_region {
	const char *name;
	bool name_owned;
	size_t nr_entries;
	struct vaccel_prof_sample *samples;
	size_t size;
};

#define VACCEL_PROF_REGION_INIT(region_name)                                   \
	{.name = (region_name),                                                \
	 .name_owned = false,                                                  \
	 .nr_entries = 0,                                                      \
	 .samples = NULL,                                                      \
	 .size = 0}

VACCEL_API bool vaccel_prof_enabled(void);
VACCEL_API int vaccel_prof_region_start(struct vaccel_prof_region *region);
VACCEL_API int vaccel_prof_region_stop(const struct vaccel_prof_region *region);
VACCEL_API int vaccel_prof_region_init(struct vaccel_prof_region *region,
				       const char *name);
VACCEL_API int vaccel_prof_region_release(struct vaccel_prof_region *region);
VACCEL_API int vaccel_prof_region_print(const struct vaccel_prof_region *region);
VACCEL_API int
vaccel_prof_regions_start_by_name(struct vaccel_prof_region *regions,
				  int nregions, const char *name);
VACCEL_API int vaccel_prof_regions_stop_by_name(struct vaccel_prof_region *regions,
						int nregions, const char *name);
VACCEL_API int vaccel_prof_regions_init(struct vaccel_prof_region *regions,
					int nregions);
VACCEL_API int vaccel_prof_regions_release(struct vaccel_prof_region *regions,
					   int nregions);
VACCEL_API int vaccel_prof_regions_print_all(struct vaccel_prof_region *regions,
					     int nregions);
/*
 * tbuf == NULL: returns the bytes needed. Otherwise mallocs tbuf_len bytes into
 * *tbuf, writes the lines as consecutive NUL-terminated strings (never more
 * than tbuf_len bytes) and returns the number of regions written; a negative
 * VACCEL code on error (-VACCEL_ENOSPC when tbuf_len is too small).
 */
VACCEL_API int vaccel_prof_regions_print_all_to_buf(
	char **tbuf, size_t tbuf_len, struct vaccel_prof_region *regions,
	int size);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_PROF_H */
