// SPDX-License-Identifier: Apache-2.0
/*
 * What the daemon benchmarks share on the vhost-user path (the harness
 * VMM): a session, and a round of NOOP round trips. The including program
 * defines die().
 */
#ifndef VACCEL_BENCH_VMM_ROUNDS_H
#define VACCEL_BENCH_VMM_ROUNDS_H

#include "bench_util.h"
#include "vmm.h"

static void die(const char *what);

static uint64_t vmm_session(struct vmm *v)
{
	struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_SESSION_CREATE};
	if (vmm_request(v, &r) || r.resp.status || r.resp.vaccel_ret)
		die("SESSION_CREATE failed");
	return r.resp.object_id;
}

/* `batch` OP/NOOP round trips; microseconds per round trip. */
static double vmm_noop_round(struct vmm *v, uint64_t s, int batch)
{
	uint64_t t0 = bench_now_ns();
	for (int i = 0; i < batch; i++) {
		struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_OP,
				    .session_id = s};
		if (vmm_request(v, &r) || r.resp.status)
			die("NOOP failed");
	}
	return (double)(bench_now_ns() - t0) / batch / 1000.0;
}

#endif
