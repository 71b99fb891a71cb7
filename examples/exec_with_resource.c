// SPDX-License-Identifier: Apache-2.0
/*
 * Usage: exec_with_resource [iterations] [library] [input] [file|buffer|copy]
 * Register `library` (default: the libmytestlib.so built alongside) as a LIB
 * resource and call its mytestfunc() with an int32 input (default 21).
 * The resource is created from the file path (file, the default), from the
 * file's bytes kept in memory only (buffer), or from the bytes persisted by
 * vAccel into its run directory (copy).
 */
#include <vaccel.h>

#include "example_utils.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int create_resource(struct vaccel_resource *res, const char *library,
			   const char *mode, unsigned char **bytes)
{
	size_t len = 0;
	int ret;

	if (!strcmp(mode, "file"))
		return vaccel_resource_init(res, library, VACCEL_RESOURCE_LIB);
	if (strcmp(mode, "buffer") && strcmp(mode, "copy")) {
		fprintf(stderr, "Unknown resource mode '%s'\n", mode);
		return VACCEL_EINVAL;
	}
	ret = example_read_file(library, bytes, &len);
	if (ret) {
		fprintf(stderr, "Could not read %s: %s\n", library,
			strerror(ret));
		return ret;
	}
	/* "buffer": the resource borrows *bytes, which must outlive it. */
	return vaccel_resource_init_from_buf(
		res, *bytes, len, VACCEL_RESOURCE_LIB, "libmytestlib.so",
		!strcmp(mode, "buffer"));
}

int main(int argc, char *argv[])
{
	struct vaccel_prof_region region =
		VACCEL_PROF_REGION_INIT("exec_with_resource");
	struct vaccel_arg_array read_args = {0};
	struct vaccel_arg_array write_args = {0};
	struct vaccel_resource res;
	struct vaccel_session sess;
	const char *library = argc > 2 ? argv[2] : EXAMPLE_LIB_DEFAULT;
	const char *mode = argc > 4 ? argv[4] : "file";
	unsigned char *bytes = NULL;
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
		fprintf(stderr,
			"Usage: %s [iterations] [library] [input] "
			"[file|buffer|copy]\n",
			argv[0]);
		return 1;
	}
	input = (int32_t)in;

	ret = vaccel_session_init(&sess, 0);
	if (ret) {
		fprintf(stderr, "Could not initialize session: %d\n", ret);
		return 1;
	}
	printf("Initialized session with id: %" PRId64 "\n", sess.id);

	ret = create_resource(&res, library, mode, &bytes);
	if (ret) {
		fprintf(stderr, "Could not create resource: %d\n", ret);
		goto out_sess;
	}
	ret = vaccel_resource_register(&res, &sess);
	if (ret) {
		fprintf(stderr, "Could not register resource: %d\n", ret);
		goto out_res;
	}
	printf("Registered resource %" PRId64 " with session %" PRId64 "\n",
	       res.id, sess.id);

	ret = vaccel_arg_array_init(&read_args, 1);
	if (!ret)
		ret = vaccel_arg_array_init(&write_args, 1);
	if (!ret)
		ret = vaccel_arg_array_add_int32(&read_args, &input);
	if (!ret)
		ret = vaccel_arg_array_add_int32(&write_args, &output);
	if (ret) {
		fprintf(stderr, "Could not set up args: %d\n", ret);
		goto out_args;
	}

	for (long i = 0; i < iterations; i++) {
		uint64_t t0 = example_now_ns();

		vaccel_prof_region_start(&region);
		ret = vaccel_exec_with_resource(
			&sess, &res, "mytestfunc",
			vaccel_arg_array_raw(&read_args),
			vaccel_arg_array_count(&read_args),
			vaccel_arg_array_raw(&write_args),
			vaccel_arg_array_count(&write_args));
		vaccel_prof_region_stop(&region);
		total += example_now_ns() - t0;
		if (ret) {
			fprintf(stderr, "Could not run op: %d\n", ret);
			goto out_args;
		}
	}
	printf("Input: %" PRId32 "\n", input);
	printf("Output: %" PRId32 "\n", output);
	example_print_timing("exec_with_resource", iterations, total, &region);

out_args:
	vaccel_arg_array_release(&write_args);
	vaccel_arg_array_release(&read_args);
	if (vaccel_resource_unregister(&res, &sess))
		fprintf(stderr, "Could not unregister resource\n");
out_res:
	if (vaccel_resource_release(&res))
		fprintf(stderr, "Could not release resource\n");
out_sess:
	free(bytes);
	vaccel_prof_region_release(&region);
	if (vaccel_session_release(&sess))
		fprintf(stderr, "Could not release session\n");
	return ret ? 1 : 0;
}
