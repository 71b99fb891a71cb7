// SPDX-License-Identifier: Apache-2.0
/* Usage: noop [iterations]  -- run the no-op operation. */
#include <vaccel.h>

#include "example_utils.h"

#include <inttypes.h>
#include <stdio.h>

int main(int argc, char *argv[])
{
	struct vaccel_prof_region region = VACCEL_PROF_REGION_INIT("noop");
	struct vaccel_session sess;
	uint64_t total = 0;
	long iterations;
	int ret;

	if (example_arg_long(argc, argv, 1, "iterations", 1, 1, 100000000,
			     &iterations)) {
		fprintf(stderr, "Usage: %s [iterations]\n", argv[0]);
		return 1;
	}

	ret = vaccel_session_init(&sess, 0);
	if (ret) {
		fprintf(stderr, "Could not initialize session: %d\n", ret);
		return 1;
	}
	printf("Initialized session with id: %" PRId64 "\n", sess.id);

	for (long i = 0; i < iterations; i++) {
		uint64_t t0 = example_now_ns();

		vaccel_prof_region_start(&region);
		ret = vaccel_noop(&sess);
		vaccel_prof_region_stop(&region);
		total += example_now_ns() - t0;
		if (ret) {
			fprintf(stderr, "Could not run op: %d\n", ret);
			goto out;
		}
	}
	printf("noop: OK\n");
	example_print_timing("noop", iterations, total, &region);

out:
	vaccel_prof_region_release(&region);
	if (vaccel_session_release(&sess))
		fprintf(stderr, "Could not release session\n");
	return ret ? 1 : 0;
}
