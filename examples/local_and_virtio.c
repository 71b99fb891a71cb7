// SPDX-License-Identifier: Apache-2.0
/*
 * Usage: local_and_virtio <lib_file> [iterations]
 * Two sessions at once: a remote one (hint VACCEL_PLUGIN_REMOTE: the first
 * virtio plugin) and a local one (no hint: the first non-virtio plugin), e.g.
 *   VACCEL_PLUGINS=libvaccel-exec.so:libvaccel-virtio.so
 * One LIB resource made from lib_file is registered with both; iterations
 * alternate between them (the first on the remote session), each calling
 * mytestfunc(10) and printing "output(2x10): 20 (<virtio|local> session)".
 */
#include <vaccel.h>

#include "example_utils.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct two_sessions {
	struct vaccel_session virtio;
	struct vaccel_session local;
	struct vaccel_resource lib;
};

static int call_mytestfunc(struct two_sessions *t, long i)
{
	struct vaccel_session *sess = i % 2 ? &t->local : &t->virtio;
	int32_t input = 10;
	int32_t output = 0;
	struct vaccel_arg read[] = {
		{.size = sizeof(input), .buf = &input, .type = VACCEL_ARG_RAW},
	};
	struct vaccel_arg write[] = {
		{.size = sizeof(output), .buf = &output, .type = VACCEL_ARG_RAW},
	};
	int ret = vaccel_exec_with_resource(sess, &t->lib, "mytestfunc", read,
					    1, write, 1);

	if (ret) {
		fprintf(stderr, "Could not run op: %d\n", ret);
		return ret;
	}
	printf("output(2x%" PRId32 "): %" PRId32 " (%s session)\n", input,
	       output, i % 2 ? "local" : "virtio");
	return 0;
}

static int run(struct two_sessions *t, long iterations)
{
	struct vaccel_prof_region region =
		VACCEL_PROF_REGION_INIT("mytestfunc");
	uint64_t total = 0;
	int ret = 0;

	for (long i = 0; i < iterations && !ret; i++) {
		uint64_t t0 = example_now_ns();

		vaccel_prof_region_start(&region);
		ret = call_mytestfunc(t, i);
		vaccel_prof_region_stop(&region);
		total += example_now_ns() - t0;
	}
	if (!ret)
		example_print_timing("local_and_virtio", iterations, total,
				     &region);
	vaccel_prof_region_release(&region);
	return ret;
}

/* Register the resource with both sessions, run, unregister. */
static int run_registered(struct two_sessions *t, long iterations)
{
	int ret = vaccel_resource_register(&t->lib, &t->local);

	if (ret) {
		fprintf(stderr,
			"Could not register resource with local session: %d\n",
			ret);
		return ret;
	}
	ret = vaccel_resource_register(&t->lib, &t->virtio);
	if (ret) {
		fprintf(stderr,
			"Could not register resource with virtio session: %d\n",
			ret);
	} else {
		ret = run(t, iterations);
		if (vaccel_resource_unregister(&t->lib, &t->virtio))
			fprintf(stderr, "Could not unregister resource from "
					"virtio session\n");
	}
	if (vaccel_resource_unregister(&t->lib, &t->local))
		fprintf(stderr,
			"Could not unregister resource from local session\n");
	return ret;
}

static int open_sessions(struct two_sessions *t)
{
	int ret = vaccel_session_init(&t->virtio, VACCEL_PLUGIN_REMOTE);

	if (ret) {
		fprintf(stderr, "Could not initialize virtio session: %d\n",
			ret);
		return ret;
	}
	printf("Initialized virtio session with id: %" PRId64 "\n",
	       t->virtio.id);
	ret = vaccel_session_init(&t->local, 0);
	if (ret) {
		fprintf(stderr, "Could not initialize local session: %d\n",
			ret);
		vaccel_session_release(&t->virtio);
		return ret;
	}
	printf("Initialized local session with id: %" PRId64 "\n",
	       t->local.id);
	return 0;
}

int main(int argc, char *argv[])
{
	struct two_sessions t;
	long iterations;
	int ret;

	if (argc < 2 || argc > 3 ||
	    example_arg_long(argc, argv, 2, "iterations", 1, 1, 100000000,
			     &iterations)) {
		fprintf(stderr, "Usage: %s <lib_file> [iterations]\n", argv[0]);
		return 1;
	}
	ret = vaccel_resource_init(&t.lib, argv[1], VACCEL_RESOURCE_LIB);
	if (ret) {
		fprintf(stderr, "Could not initialize resource: %d\n", ret);
		return 1;
	}
	ret = open_sessions(&t);
	if (!ret) {
		ret = run_registered(&t, iterations);
		if (vaccel_session_release(&t.local))
			fprintf(stderr, "Could not release local session\n");
		if (vaccel_session_release(&t.virtio))
			fprintf(stderr, "Could not release virtio session\n");
	}
	if (vaccel_resource_release(&t.lib))
		fprintf(stderr, "Could not release resource\n");
	return ret ? 1 : 0;
}
