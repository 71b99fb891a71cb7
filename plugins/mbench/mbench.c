// SPDX-License-Identifier: Apache-2.0
/*
 * mbench: a micro-benchmark plugin. EXEC with library or symbol "mbench"
 * busy-waits (spins on the monotonic clock, one CPU fully used) for the number
 * of milliseconds in read argument 0 and ignores every other argument's
 * payload. See README.md.
 */
#include "mbench_arg.h"

#include <vaccel.h>

#include <inttypes.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#ifndef VACCEL_PLUGIN_VERSION
#define VACCEL_PLUGIN_VERSION "0.0.0"
#endif

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void spin_ms(unsigned long ms)
{
	uint64_t end = now_ns() + (uint64_t)ms * 1000000ull;

	while (now_ns() < end)
		;
}

static int named_mbench(const char *s)
{
	return s && strcmp(s, "mbench") == 0;
}

static int mbench_exec(struct vaccel_session *sess, const char *library,
		       const char *fn_symbol, struct vaccel_arg *read,
		       size_t nr_read, struct vaccel_arg *write,
		       size_t nr_write)
{
	unsigned long ms;

	(void)write;
	(void)nr_write;
	if (!named_mbench(library) && !named_mbench(fn_symbol)) {
		vaccel_error("[mbench] exec: library or symbol must be "
			     "\"mbench\"");
		return VACCEL_EINVAL;
	}
	if (!read || nr_read < 1 ||
	    mbench_parse_ms(read[0].buf, read[0].size, &ms)) {
		vaccel_error("[mbench] exec: read arg 0 must hold a number of "
			     "milliseconds, 1..%lu",
			     MBENCH_MAX_MS);
		return VACCEL_EINVAL;
	}
	vaccel_debug("[mbench] session %" PRId64 ": spinning %lu ms",
		     sess ? sess->id : 0, ms);
	spin_ms(ms);
	return VACCEL_OK;
}

static struct vaccel_op ops[] = {
	VACCEL_OP_INIT(ops[0], VACCEL_OP_EXEC, mbench_exec),
};

static int init(void)
{
	return vaccel_plugin_register_ops(ops, sizeof(ops) / sizeof(ops[0]));
}

static int fini(void)
{
	return VACCEL_OK;
}

VACCEL_PLUGIN(.name = "mbench", .version = VACCEL_PLUGIN_VERSION,
	      .vaccel_version = VACCEL_VERSION,
	      .type = VACCEL_PLUGIN_SOFTWARE | VACCEL_PLUGIN_GENERIC |
		      VACCEL_PLUGIN_CPU,
	      .init = init, .fini = fini)
