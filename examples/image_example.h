// SPDX-License-Identifier: Apache-2.0
/*
 * The image examples that return one output image name (detect, segment,
 * pose, depth and their genop variants) share one program; each example is
 * its description. Command line, as upstream's:
 *   <example> <image_file> [iterations] [model_path]
 * With model_path, a MODEL resource is created from it and registered with
 * the session for the duration of the run.
 */
#ifndef IMAGE_EXAMPLE_H
#define IMAGE_EXAMPLE_H

#include <vaccel.h>

#include <stdbool.h>
#include <stddef.h>

typedef int (*image_op_fn)(struct vaccel_session *sess, const void *img,
			   unsigned char *out_imgname, size_t len_img,
			   size_t len_out_imgname);

struct image_example {
	const char *name;   /* program and profiling region name */
	const char *label;  /* "<label> imagename: ..." */
	vaccel_op_type_t op;
	image_op_fn call;   /* the typed call; NULL: through vaccel_genop() */
};

/* The whole program: returns the process exit status (0 or 1). */
int image_example_main(const struct image_example *ex, int argc, char *argv[]);

#endif /* IMAGE_EXAMPLE_H */
