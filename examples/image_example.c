// SPDX-License-Identifier: Apache-2.0
/* The shared program of the image examples (see image_example.h). */
#include "image_example.h"

#include "example_utils.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct image_run {
	const struct image_example *ex;
	struct vaccel_session sess;
	unsigned char *image;
	size_t image_size;
	unsigned char out[512];
	struct vaccel_arg_array read; /* genop: {UINT8 op, BUFFER image} */
	struct vaccel_arg_array write; /* genop: {UCHAR_ARRAY out_imgname} */
	uint8_t op;
};

static int genop_args(struct image_run *r)
{
	int ret;

	r->op = (uint8_t)r->ex->op;
	ret = vaccel_arg_array_init(&r->read, 2);
	if (!ret)
		ret = vaccel_arg_array_init(&r->write, 1);
	if (!ret)
		ret = vaccel_arg_array_add_uint8(&r->read, &r->op);
	if (!ret)
		ret = vaccel_arg_array_add_buffer(&r->read, r->image,
						  r->image_size);
	if (!ret)
		ret = vaccel_arg_array_add_uchar_array(&r->write, r->out,
						       sizeof(r->out));
	if (ret)
		fprintf(stderr, "Could not set up args: %d\n", ret);
	return ret;
}

static int call_once(struct image_run *r)
{
	if (r->ex->call)
		return r->ex->call(&r->sess, r->image, r->out, r->image_size,
				   sizeof(r->out));
	return vaccel_genop(&r->sess, vaccel_arg_array_raw(&r->read),
			    (int)vaccel_arg_array_count(&r->read),
			    vaccel_arg_array_raw(&r->write),
			    (int)vaccel_arg_array_count(&r->write));
}

static int run_iterations(struct image_run *r, long iterations)
{
	struct vaccel_prof_region region =
		VACCEL_PROF_REGION_INIT(r->ex->name);
	uint64_t total = 0;
	int ret = 0;

	if (!r->ex->call && genop_args(r)) {
		vaccel_arg_array_release(&r->write);
		vaccel_arg_array_release(&r->read);
		return 1;
	}
	for (long i = 0; i < iterations && !ret; i++) {
		uint64_t t0 = example_now_ns();

		vaccel_prof_region_start(&region);
		ret = call_once(r);
		vaccel_prof_region_stop(&region);
		total += example_now_ns() - t0;
	}
	if (ret) {
		fprintf(stderr, "Could not run op: %d\n", ret);
	} else {
		r->out[sizeof(r->out) - 1] = '\0';
		printf("%s imagename: %s\n", r->ex->label, (char *)r->out);
		example_print_timing(r->ex->name, iterations, total, &region);
	}
	vaccel_prof_region_release(&region);
	if (!r->ex->call) {
		vaccel_arg_array_release(&r->write);
		vaccel_arg_array_release(&r->read);
	}
	return ret ? 1 : 0;
}

/* The session's part: with a model, registered around the iterations. */
static int run_with_model(struct image_run *r, const char *model_path,
			  long iterations)
{
	struct vaccel_resource model;
	int ret;

	if (!model_path)
		return run_iterations(r, iterations);
	ret = vaccel_resource_init(&model, model_path, VACCEL_RESOURCE_MODEL);
	if (ret) {
		fprintf(stderr, "Could not create model resource: %d\n", ret);
		return 1;
	}
	ret = vaccel_resource_register(&model, &r->sess);
	if (ret) {
		fprintf(stderr, "Could not register model to session: %d\n",
			ret);
	} else {
		ret = run_iterations(r, iterations);
		if (vaccel_resource_unregister(&model, &r->sess))
			fprintf(stderr, "Could not unregister model\n");
	}
	if (vaccel_resource_release(&model))
		fprintf(stderr, "Could not release model\n");
	return ret ? 1 : 0;
}

int image_example_main(const struct image_example *ex, int argc, char *argv[])
{
	struct image_run r = {.ex = ex};
	long iterations;
	int ret;

	if (argc < 2 || argc > 4 ||
	    example_arg_long(argc, argv, 2, "iterations", 1, 1, 100000000,
			     &iterations)) {
		fprintf(stderr,
			"Usage: %s <image_file> [iterations] [model_path]\n",
			argv[0]);
		return 1;
	}
	ret = example_read_file(argv[1], &r.image, &r.image_size);
	if (ret) {
		fprintf(stderr, "Could not read image %s: %s\n", argv[1],
			strerror(ret));
		return 1;
	}
	ret = vaccel_session_init(&r.sess, 0);
	if (ret) {
		fprintf(stderr, "Could not initialize session: %d\n", ret);
		free(r.image);
		return 1;
	}
	printf("Initialized session with id: %" PRId64 "\n", r.sess.id);
	ret = run_with_model(&r, argc > 3 ? argv[3] : NULL, iterations);
	if (vaccel_session_release(&r.sess))
		fprintf(stderr, "Could not release session\n");
	free(r.image);
	return ret;
}
