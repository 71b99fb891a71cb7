// SPDX-License-Identifier: Apache-2.0
/* Upstream-style program: exec with raw args, then with a typed arg array.
 * Usage: exec LIBRARY */
#include <inttypes.h>
#include <stdio.h>
#include <vaccel.h>

int main(int argc, char *argv[])
{
	struct vaccel_session sess;
	struct vaccel_arg_array read_args;
	struct vaccel_arg_array write_args;
	int input = 10;
	int output = 0;
	int32_t input2 = 32;
	int32_t output2 = 0;
	int ret;

	if (argc < 2) {
		fprintf(stderr, "Usage: %s <library>\n", argv[0]);
		return 1;
	}

	ret = vaccel_session_init(&sess, 0);
	if (ret != VACCEL_OK) {
		fprintf(stderr, "Could not initialize session\n");
		return 1;
	}
	printf("Initialized session with id: %" PRId64 "\n", sess.id);

	/* Plain struct initializers, as older programs do. */
	struct vaccel_arg read[1] = {{.size = sizeof(input), .buf = &input}};
	struct vaccel_arg write[1] = {{.size = sizeof(output), .buf = &output}};

	ret = vaccel_exec(&sess, argv[1], "mytestfunc", read, 1, write, 1);
	if (ret) {
		fprintf(stderr, "Could not run op: %d\n", ret);
		goto close_session;
	}
	printf("output: %d\n", output);

	/* The typed arg array API. */
	ret = vaccel_arg_array_init(&read_args, 1);
	if (ret)
		goto close_session;
	ret = vaccel_arg_array_init(&write_args, 1);
	if (ret)
		goto release_read;
	ret = vaccel_arg_array_add_int32(&read_args, &input2);
	if (ret == VACCEL_OK)
		ret = vaccel_arg_array_add_int32(&write_args, &output2);
	if (ret == VACCEL_OK)
		ret = vaccel_exec(&sess, argv[1], "mytestfunc", read_args.args,
				  read_args.count, write_args.args,
				  write_args.count);
	if (ret)
		fprintf(stderr, "Could not run op: %d\n", ret);
	else
		printf("output2: %d\n", output2);

	vaccel_arg_array_release(&write_args);
release_read:
	vaccel_arg_array_release(&read_args);
close_session:
	if (vaccel_session_release(&sess) != VACCEL_OK) {
		fprintf(stderr, "Could not release session\n");
		return 1;
	}
	return ret;
}
