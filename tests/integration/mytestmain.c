// SPDX-License-Identifier: Apache-2.0
/*
 * Main library of the multi-blob exec_with_resource tests. It needs
 * libmytestdep.so (DT_NEEDED): mytestfunc_dep writes
 * read[0] * mytestdep_factor() (= 3 * input) into write[0].
 */
#include <vaccel/arg.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int mytestdep_factor(void);

__attribute__((visibility("default"))) int
mytestfunc_dep(struct vaccel_arg *read, size_t nr_read,
	       struct vaccel_arg *write, size_t nr_write);

int mytestfunc_dep(struct vaccel_arg *read, size_t nr_read,
		   struct vaccel_arg *write, size_t nr_write)
{
	int32_t in;
	int32_t out;

	if (!read || !write || nr_read < 1 || nr_write < 1 || !read[0].buf ||
	    read[0].size != sizeof(in) || !write[0].buf ||
	    write[0].size < sizeof(out))
		return 1;
	memcpy(&in, read[0].buf, sizeof(in));
	out = in * mytestdep_factor();
	memcpy(write[0].buf, &out, sizeof(out));
	return 0;
}
