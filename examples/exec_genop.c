// SPDX-License-Identifier: Apache-2.0
/*
 * Usage: exec_genop [iterations] [library] [input]
 * Like exec, through genop: read = {UINT8 op, STRING library,
 * STRING symbol, INT32 input}, write = {INT32 output}.
 */
#include <vaccel.h>

#include "example_utils.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char *argv[])
{
	struct vaccel_prof_region region =
		VACCEL_PROF_REGION_INIT("exec_genop");
	struct vaccel_arg_array read_args = {0};
	struct vaccel_arg_array write_args = {0};
	struct vaccel_session sess;
	char library[4096];
	char symbol[] = "mytestfunc";
	uint8_t op = VACCEL_OP_EXEC;
	int32_t input;
	int32_t output = 0;
	uint64_t total = 0;
	long iterations;
	long in;
	int ret;

	if (example_arg_long(argc, argv, 1, "iterations", 1, 1, 100000000,
			     &iterations) ||
	    example_arg_long(argc, argv, 3, "input", 21, INT32_MIN, INT32_MAX,
			     &in)) {
		fprintf(stderr, "Usage: %s [iterations] [library] [input]\n",
			argv[0]);
		return 1;
	}
	input = (int32_t)in;
	if ((size_t)snprintf(library, sizeof(library), "%s",
			     argc > 2 ? argv[2] : EXAMPLE_LIB_DEFAULT) >=
	    sizeof(library)) {
		fprintf(stderr, "Library path too long\n");
		return 1;
	}

	ret = vaccel_session_init(&sess, 0);
	if (ret) {
		fprintf(stderr, "Could not initialize session: %d\n", ret);
		return 1;
	}
	printf("Initialized session with id: %" PRId64 "\n", sess.id);

	ret = vaccel_arg_array_init(&read_args, 4);
	if (!ret)
		ret = vaccel_arg_array_init(&write_args, 1);
	if (!ret)
		ret = vaccel_arg_array_add_uint8(&read_args, &op);
	if (!ret)
		ret = vaccel_arg_array_add_string(&read_args, library);
	if (!ret)
		ret = vaccel_arg_array_add_string(&read_args, symbol);
	if (!ret)
		ret = vaccel_arg_array_add_int32(&read_args, &input);
	if (!ret)
		ret = vaccel_arg_array_add_int32(&write_args, &output);
	if (ret) {
		fprintf(stderr, "Could not set up args: %d\n", ret);
		goto out;
	}

	for (long i = 0; i < iterations; i++) {
		uint64_t t0 = example_now_ns();

		vaccel_prof_region_start(&region);
		ret = vaccel_genop(&sess, vaccel_arg_array_raw(&read_args),
				   (int)vaccel_arg_array_count(&read_args),
				   vaccel_arg_array_raw(&write_args),
				   (int)vaccel_arg_array_count(&write_args));
		vaccel_prof_region_stop(&region);
		total += example_now_ns() - t0;
		if (ret) {
			fprintf(stderr, "Could not run op: %d\n", ret);
			goto out;
		}
	}
	printf("Input: %" PRId32 "\n", input);
	printf("Output: %" PRId32 "\n", output);
	example_print_timing("exec_genop", iterations, total, &region);

out:
	vaccel_arg_array_release(&write_args);
	vaccel_arg_array_release(&read_args);
	vaccel_prof_region_release(&region);
	if (vaccel_session_release(&sess))
		fprintf(stderr, "Could not release session\n");
	return ret ? 1 : 0;
}
