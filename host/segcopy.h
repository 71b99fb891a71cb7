// SPDX-License-Identifier: Apache-2.0
/*
 * Copies between an argument's guest segments and a host buffer: the
 * bounce of host/argmem.c, in (gather) and out (scatter).
 *
 * Copying many short runs of guest pages is bound by memory latency, not
 * bandwidth: the hardware prefetchers stop at every 4 KiB page, so one
 * core waits on misses that a second core could overlap (256 MiB in 65536
 * scattered pages: 26 ms on one core, 19 ms on two, on a 2-core host). A
 * copy of SEGCOPY_SPLIT_MIN bytes or more is therefore cut in two at the
 * segment boundary nearest its middle: the calling worker copies the first
 * part while the front-end's copy helper, a thread started on first use,
 * copies the second. There is one helper per front-end process and it takes one
 * part at a time: while it is busy, a copy runs on its worker alone, so a
 * VM's copies never occupy more than one core beyond its workers.
 */
#ifndef VHOST_ACCEL_SEGCOPY_H
#define VHOST_ACCEL_SEGCOPY_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "request.h"

#define SEGCOPY_SPLIT_MIN ((size_t)8 << 20)

/* One part of a copy: segs[0..n) to or from buf, at most len bytes. */
struct segcopy_part {
	const struct req_seg *segs;
	uint32_t n;
	uint8_t *buf;
	size_t len;
	bool to_guest;
};

enum segcopy_state { SEGCOPY_IDLE, SEGCOPY_POSTED, SEGCOPY_DONE };

struct segcopy {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool started, failed, stopping;
	enum segcopy_state state;
	struct segcopy_part part; /* SEGCOPY_POSTED: the helper's part */
};

void segcopy_init(struct segcopy *c);
/* Stop the helper; no copy may be running. */
void segcopy_stop(struct segcopy *c);
/* Copy the bytes of s[0..n) into buf; len: their total length (the
 * argument's, which the request parser checked). */
void segcopy_gather(struct segcopy *c, const struct req_seg *s, uint32_t n,
		    uint8_t *buf, size_t len);
/* Copy the first len bytes of buf to s[0..n) (len at most their total). */
void segcopy_scatter(struct segcopy *c, const struct req_seg *s, uint32_t n,
		     const uint8_t *buf, size_t len);

#endif
