// SPDX-License-Identifier: Apache-2.0
/*
 * Test library for the exec examples and tests (libmytestlib.so).
 *
 *   mytestfunc:      read[0] holds an int32 (4 bytes, INT32 or RAW arg);
 *                    write[0] (>= 4 bytes) receives 2 * input (wrapping).
 *                    Returns 0, or 1 for missing or badly sized args.
 *   mytestfunc_fail: always returns 1 (the exec plugin maps it to
 *                    VACCEL_EBACKEND).
 */
#include <vaccel/arg.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

EXPORT int mytestfunc(struct vaccel_arg *read, size_t nr_read,
		      struct vaccel_arg *write, size_t nr_write);
EXPORT int mytestfunc_fail(struct vaccel_arg *read, size_t nr_read,
			   struct vaccel_arg *write, size_t nr_write);

int mytestfunc(struct vaccel_arg *read, size_t nr_read,
	       struct vaccel_arg *write, size_t nr_write)
{
	int32_t in;
	uint32_t out;

	if (!read || !write || nr_read < 1 || nr_write < 1)
		return 1;
	if (!read[0].buf || read[0].size != sizeof(in) || !write[0].buf ||
	    write[0].size < sizeof(out))
		return 1;
	memcpy(&in, read[0].buf, sizeof(in));
	out = (uint32_t)in * 2u;
	memcpy(write[0].buf, &out, sizeof(out));
	return 0;
}

int mytestfunc_fail(struct vaccel_arg *read, size_t nr_read,
		    struct vaccel_arg *write, size_t nr_write)
{
	(void)read;
	(void)nr_read;
	(void)write;
	(void)nr_write;
	return 1;
}
