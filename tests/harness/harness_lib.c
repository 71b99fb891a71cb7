// SPDX-License-Identifier: Apache-2.0
/* A library for EXEC / EXEC_WITH_RESOURCE tests: write[0] = 2 * read[0]. */
#include <stdint.h>
#include <string.h>

#include <vaccel.h>

__attribute__((visibility("default"))) int
harness_double(struct vaccel_arg *read, size_t nr_read,
	       struct vaccel_arg *write, size_t nr_write)
{
	if (nr_read < 1 || nr_write < 1 || read[0].size != sizeof(int32_t) ||
	    write[0].size != sizeof(int32_t))
		return 1;
	int32_t v;
	memcpy(&v, read[0].buf, sizeof(v));
	v *= 2;
	memcpy(write[0].buf, &v, sizeof(v));
	return 0;
}
