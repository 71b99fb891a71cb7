// SPDX-License-Identifier: GPL-2.0
/*
 * Functions for the exec plugin, used by the driver tests to make the host
 * side of an operation slow (timeouts, SIGKILL while a request is with the
 * device). Shape required by the exec plugin:
 *   int fn(struct vaccel_arg *read, size_t nr_read,
 *          struct vaccel_arg *write, size_t nr_write);
 */
#include <vaccel/arg.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

__attribute__((visibility("default"))) int
vatest_sleep(struct vaccel_arg *read, size_t nr_read, struct vaccel_arg *write,
	     size_t nr_write);

/* read[0]: UINT32 milliseconds; then every write arg is filled with 0xa5 */
int vatest_sleep(struct vaccel_arg *read, size_t nr_read,
		 struct vaccel_arg *write, size_t nr_write)
{
	uint32_t ms;
	size_t i;

	if (nr_read < 1 || !read[0].buf || read[0].size != sizeof(ms))
		return 1;
	memcpy(&ms, read[0].buf, sizeof(ms));
	usleep((useconds_t)ms * 1000);
	for (i = 0; i < nr_write; i++)
		if (write[i].buf)
			memset(write[i].buf, 0xa5, write[i].size);
	return 0;
}
