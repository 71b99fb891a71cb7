// SPDX-License-Identifier: Apache-2.0
/* Usage: noop_genop [iterations]  -- the no-op operation through genop. */
#include <vaccel.h>

#include "example_utils.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char *argv[])
{
	struct vaccel_prof_region region =
		VACCEL_PROF_REGION_INIT("noop_genop");
	struct vaccel_arg_array read_args = {0};
	struct vaccel_session sess;
	uint8_t op = VACCEL_OP_NOOP;
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

	ret = vaccel_arg_array_init(&read_args, 1);
	if (!ret)
		ret = vaccel_arg_array_add_uint8(&read_args, &op);
	if (ret) {
		fprintf(stderr, "Could not set up args: %d\n", ret);
		goto out;
	}

	for (long i = 0; i < iterations; i++) {
		uint64_t t0 = example_now_ns();

		vaccel_prof_region_start(&region);
		ret = vaccel_genop(&sess, vaccel_arg_array_raw(&read_args),
				   (int)vaccel_arg_array_count(&read_args),
				   NULL, 0);
		vaccel_prof_region_stop(&region);
		total += example_now_ns() - t0;
		if (ret) {
			fprintf(stderr, "Could not run op: %d\n", ret);
			goto out;
		}
	}
	printf("noop_genop: OK\n");
	example_print_timing("noop_genop", iterations, total, &region);

out:
	vaccel_arg_array_release(&read_args);
	vaccel_prof_region_release(&region);
	if (vaccel_session_release(&sess))
		fprintf(stderr, "Could not release session\n");
	return ret ? 1 : 0;
}
