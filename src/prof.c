// SPDX-License-Identifier: Apache-2.0
/*
 * Profiling regions. Everything is a no-op returning VACCEL_OK unless
 * profiling is enabled (VACCEL_PROFILING_ENABLED). Sample storage starts at
 * 1024 entries and doubles (overflow-checked). A global lock keeps regions
 * shared between threads consistent.
 */
#include "internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROF_INITIAL_SAMPLES 1024
#define PROF_NAME_SIZE 256

bool vaccel_prof_enabled_flag;
static pthread_mutex_t prof_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

bool vaccel_prof_enabled(void)
{
	return vaccel_prof_enabled_flag;
}

int vaccel_prof_region_start(struct vaccel_prof_region *region)
{
	if (!vaccel_prof_enabled_flag)
		return VACCEL_OK;
	if (!region) {
		vaccel_error("vaccel_prof_region_start: region is NULL");
		return VACCEL_EINVAL;
	}
	int ret = VACCEL_OK;
	pthread_mutex_lock(&prof_lock);
	if (region->nr_entries == region->size) {
		size_t n = region->size ? region->size * 2
					: PROF_INITIAL_SAMPLES;
		if (n < region->size || n > SIZE_MAX / sizeof(*region->samples)) {
			ret = VACCEL_ENOMEM;
			goto out;
		}
		struct vaccel_prof_sample *s =
			realloc(region->samples, n * sizeof(*s));
		if (!s) {
			ret = VACCEL_ENOMEM;
			goto out;
		}
		region->samples = s;
		region->size = n;
	}
	region->samples[region->nr_entries].start = now_ns();
	region->samples[region->nr_entries].time = 0;
	region->nr_entries++;
out:
	pthread_mutex_unlock(&prof_lock);
	return ret;
}

int vaccel_prof_region_stop(const struct vaccel_prof_region *region)
{
	if (!vaccel_prof_enabled_flag)
		return VACCEL_OK;
	if (!region) {
		vaccel_error("vaccel_prof_region_stop: region is NULL");
		return VACCEL_EINVAL;
	}
	uint64_t t = now_ns();
	int ret = VACCEL_OK;
	pthread_mutex_lock(&prof_lock);
	if (region->nr_entries == 0 || !region->samples) {
		ret = VACCEL_ENOENT;
	} else {
		struct vaccel_prof_sample *s =
			&region->samples[region->nr_entries - 1];
		s->time = t - s->start;
	}
	pthread_mutex_unlock(&prof_lock);
	return ret;
}

int vaccel_prof_region_init(struct vaccel_prof_region *region,
			    const char *name)
{
	if (!region) {
		vaccel_error("vaccel_prof_region_init: region is NULL");
		return VACCEL_EINVAL;
	}
	char *n = name ? strdup(name) : calloc(1, PROF_NAME_SIZE);
	if (!n)
		return VACCEL_ENOMEM;
	region->name = n;
	region->name_owned = true;
	region->nr_entries = 0;
	region->samples = NULL;
	region->size = 0;
	return VACCEL_OK;
}

int vaccel_prof_region_release(struct vaccel_prof_region *region)
{
	if (!region) {
		vaccel_error("vaccel_prof_region_release: region is NULL");
		return VACCEL_EINVAL;
	}
	pthread_mutex_lock(&prof_lock);
	free(region->samples);
	if (region->name_owned)
		free((char *)region->name);
	region->samples = NULL;
	region->nr_entries = 0;
	region->size = 0;
	region->name_owned = false;
	region->name = NULL;
	pthread_mutex_unlock(&prof_lock);
	return VACCEL_OK;
}

static uint64_t region_total(const struct vaccel_prof_region *r)
{
	uint64_t t = 0;
	for (size_t i = 0; i < r->nr_entries; i++)
		t += r->samples[i].time;
	return t;
}

int vaccel_prof_region_print(const struct vaccel_prof_region *region)
{
	if (!vaccel_prof_enabled_flag)
		return VACCEL_OK;
	if (!region) {
		vaccel_error("vaccel_prof_region_print: region is NULL");
		return VACCEL_EINVAL;
	}
	if (region->nr_entries == 0)
		return VACCEL_OK;
	vaccel_info("[prof] %s: total_time: %" PRIu64 " nsec nr_entries: %zu",
		    region->name ? region->name : "(unnamed)",
		    region_total(region), region->nr_entries);
	return VACCEL_OK;
}

static int find_last(struct vaccel_prof_region *regions, int n,
		     const char *name)
{
	for (int i = n - 1; i >= 0; i--)
		if (regions[i].name && strcmp(regions[i].name, name) == 0)
			return i;
	return -1;
}

int vaccel_prof_regions_start_by_name(struct vaccel_prof_region *regions,
				      int nregions, const char *name)
{
	if (!vaccel_prof_enabled_flag)
		return VACCEL_OK;
	if (!regions || nregions < 0 || !name)
		return VACCEL_EINVAL;
	int i = find_last(regions, nregions, name);
	if (i < 0)
		return VACCEL_ENOENT;
	return vaccel_prof_region_start(&regions[i]);
}

int vaccel_prof_regions_stop_by_name(struct vaccel_prof_region *regions,
				     int nregions, const char *name)
{
	if (!vaccel_prof_enabled_flag)
		return VACCEL_OK;
	if (!regions || nregions < 0 || !name)
		return VACCEL_EINVAL;
	int i = find_last(regions, nregions, name);
	if (i < 0)
		return VACCEL_ENOENT;
	return vaccel_prof_region_stop(&regions[i]);
}

int vaccel_prof_regions_init(struct vaccel_prof_region *regions, int nregions)
{
	if (!regions || nregions < 0)
		return VACCEL_EINVAL;
	for (int i = 0; i < nregions; i++) {
		int ret = vaccel_prof_region_init(&regions[i], NULL);
		if (ret) {
			vaccel_prof_regions_release(regions, i);
			return ret;
		}
	}
	return VACCEL_OK;
}

int vaccel_prof_regions_release(struct vaccel_prof_region *regions,
				int nregions)
{
	if (!regions || nregions < 0)
		return VACCEL_EINVAL;
	for (int i = 0; i < nregions; i++)
		vaccel_prof_region_release(&regions[i]);
	return VACCEL_OK;
}

int vaccel_prof_regions_print_all(struct vaccel_prof_region *regions,
				  int nregions)
{
	if (!vaccel_prof_enabled_flag)
		return VACCEL_OK;
	if (!regions || nregions < 0)
		return VACCEL_EINVAL;
	for (int i = 0; i < nregions; i++)
		vaccel_prof_region_print(&regions[i]);
	return VACCEL_OK;
}

static int format_line(char *buf, size_t size,
		       const struct vaccel_prof_region *r)
{
	return snprintf(buf, size,
			"[prof] %s: total_time: %" PRIu64
			" nsec nr_entries: %zu",
			r->name ? r->name : "(unnamed)", region_total(r),
			r->nr_entries);
}

int vaccel_prof_regions_print_all_to_buf(char **tbuf, size_t tbuf_len,
					 struct vaccel_prof_region *regions,
					 int size)
{
	if (!regions || size < 0)
		return -VACCEL_EINVAL;

	size_t needed = 0;
	for (int i = 0; i < size; i++) {
		if (regions[i].nr_entries == 0)
			continue;
		int n = format_line(NULL, 0, &regions[i]);
		if (n < 0)
			return -VACCEL_EINVAL;
		needed += (size_t)n + 1;
	}
	if (!tbuf)
		return needed > INT32_MAX ? -VACCEL_ERANGE : (int)needed;
	if (tbuf_len < needed || tbuf_len == 0)
		return -VACCEL_ENOSPC;

	char *buf = malloc(tbuf_len);
	if (!buf)
		return -VACCEL_ENOMEM;
	size_t off = 0;
	int count = 0;
	for (int i = 0; i < size; i++) {
		if (regions[i].nr_entries == 0)
			continue;
		int n = format_line(buf + off, tbuf_len - off, &regions[i]);
		if (n < 0 || (size_t)n + 1 > tbuf_len - off) {
			free(buf);
			return -VACCEL_ENOSPC;
		}
		off += (size_t)n + 1;
		count++;
	}
	if (off < tbuf_len)
		memset(buf + off, 0, tbuf_len - off);
	*tbuf = buf;
	return count;
}
