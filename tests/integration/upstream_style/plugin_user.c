// SPDX-License-Identifier: Apache-2.0
/* Upstream-style program for the upstream-style plugin (plugin.c): one EXEC
 * per mode named on the command line, input 7.
 * Usage: plugin_user MODE... */
#include <inttypes.h>
#include <stdio.h>
#include <vaccel.h>

int main(int argc, char *argv[])
{
	struct vaccel_session sess;
	int ret;

	ret = vaccel_session_init(&sess, 0);
	if (ret != VACCEL_OK) {
		fprintf(stderr, "Could not initialize session\n");
		return 1;
	}
	printf("Initialized session with id: %" PRId64 "\n", sess.id);

	ret = vaccel_noop(&sess);
	for (int i = 1; i < argc && ret == VACCEL_OK; i++) {
		int input = 7;
		int output = 0;
		struct vaccel_arg read[] = {
			{ .size = sizeof(input), .buf = &input, .type = 0 }
		};
		struct vaccel_arg write[] = {
			{ .size = sizeof(output), .buf = &output, .type = 0 }
		};

		ret = vaccel_exec(&sess, "upstream", argv[i], read, 1, write,
				  1);
		if (ret == VACCEL_OK)
			printf("%s(%d) = %d\n", argv[i], input, output);
	}
	if (ret)
		fprintf(stderr, "Could not run op: %d\n", ret);

	if (vaccel_session_release(&sess) != VACCEL_OK) {
		fprintf(stderr, "Could not release session\n");
		return 1;
	}
	return ret;
}
