// SPDX-License-Identifier: Apache-2.0
/*
 * Per-session host timers (--profiling): the last TIMER_SAMPLES samples
 * of each region, returned to the guest by TIMERS_GET (docs/protocol.md).
 */
#ifndef VHOST_ACCEL_TIMERS_H
#define VHOST_ACCEL_TIMERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "objects.h"

enum { TIMER_REQUEST, TIMER_VACCEL, NR_TIMERS };

uint64_t now_ns(void);
/* Record [start, end) in region t of the session (no-op when fs is NULL
 * or the allocation fails). */
void timer_add(struct fe_sess *fs, unsigned int t, uint64_t start,
	       uint64_t end);
/* Bytes TIMERS_GET needs for the session's samples (caller holds
 * fs->tlock). */
size_t timers_size(const struct fe_sess *fs);
/* Write them (exactly timers_size bytes) to p, clearing the rings when
 * asked (caller holds fs->tlock). */
void timers_write(struct fe_sess *fs, uint8_t *p, bool clear);

#endif
