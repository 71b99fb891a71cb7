// SPDX-License-Identifier: Apache-2.0
#include "timers.h"

#include <endian.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/virtio_accel.h>

#define TIMER_SAMPLES 4096

static const char *const timer_names[NR_TIMERS] = {
	"[vhost-user-accel] request",
	"[vhost-user-accel] vaccel",
};

struct timer_ring {
	uint32_t count; /* valid samples (<= TIMER_SAMPLES) */
	uint32_t next;
	struct virtio_accel_timer_sample s[TIMER_SAMPLES];
};

uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void timer_add(struct fe_sess *fs, unsigned int t, uint64_t start, uint64_t end)
{
	if (!fs)
		return;
	pthread_mutex_lock(&fs->tlock);
	if (!fs->timers)
		fs->timers = calloc(NR_TIMERS, sizeof(struct timer_ring));
	if (fs->timers) {
		struct timer_ring *r = &fs->timers[t];
		r->s[r->next].start = htole64(start);
		r->s[r->next].time = htole64(end - start);
		r->next = (r->next + 1) % TIMER_SAMPLES;
		if (r->count < TIMER_SAMPLES)
			r->count++;
	}
	pthread_mutex_unlock(&fs->tlock);
}

size_t timers_size(const struct fe_sess *fs)
{
	uint32_t nsamples = 0;
	for (unsigned int t = 0; fs->timers && t < NR_TIMERS; t++)
		nsamples += fs->timers[t].count;
	uint32_t nreg = fs->timers ? NR_TIMERS : 0;
	return sizeof(struct virtio_accel_timers_hdr) +
	       nreg * sizeof(struct virtio_accel_timer_region) +
	       (size_t)nsamples * sizeof(struct virtio_accel_timer_sample);
}

void timers_write(struct fe_sess *fs, uint8_t *p, bool clear)
{
	uint32_t nsamples = 0;
	uint32_t nreg = fs->timers ? NR_TIMERS : 0;
	for (uint32_t t = 0; t < nreg; t++)
		nsamples += fs->timers[t].count;
	struct virtio_accel_timers_hdr th = {htole32(nreg), htole32(nsamples)};
	memcpy(p, &th, sizeof(th));
	p += sizeof(th);
	uint32_t first = 0;
	for (uint32_t t = 0; t < nreg; t++) {
		struct virtio_accel_timer_region r;
		memset(&r, 0, sizeof(r));
		snprintf(r.name, sizeof(r.name), "%s", timer_names[t]);
		r.nr_samples = htole32(fs->timers[t].count);
		r.first_sample = htole32(first);
		first += fs->timers[t].count;
		memcpy(p, &r, sizeof(r));
		p += sizeof(r);
	}
	for (uint32_t t = 0; t < nreg; t++) {
		struct timer_ring *tr = &fs->timers[t];
		uint32_t start =
			(tr->next + TIMER_SAMPLES - tr->count) % TIMER_SAMPLES;
		for (uint32_t k = 0; k < tr->count; k++) {
			memcpy(p, &tr->s[(start + k) % TIMER_SAMPLES],
			       sizeof(tr->s[0]));
			p += sizeof(tr->s[0]);
		}
		if (clear)
			tr->count = tr->next = 0;
	}
}
