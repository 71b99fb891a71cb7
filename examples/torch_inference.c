// SPDX-License-Identifier: Apache-2.0
/*
 * Usage: torch_inference <image_file> <model_file> <labels_file> [iterations]
 * (upstream vAccel's command line). Loads the TorchScript model as a model
 * resource, runs it on the image `iterations` times (default 1) with
 * vaccel_torch_model_run() and prints the label of the largest output value.
 *
 * The image is a binary PGM (P5) or PPM (P6) with 8-bit samples, given to
 * the model as a float32 [1, C, H, W] tensor of sample / maxval, normalised
 * with the ImageNet mean and deviation when C == 3: the same input the torch
 * plugin's IMAGE_CLASSIFY builds (plugins/torch/README.md). Upstream decodes
 * JPEG/PNG with stb and resizes to 224x224; this example needs no library.
 */
#include <vaccel.h>

#include "example_utils.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Next header number of a PNM file (skips whitespace and # comments). */
static long pnm_number(const unsigned char **p, const unsigned char *end)
{
	long v = 0;

	while (*p < end && (isspace(**p) || **p == '#')) {
		if (**p == '#')
			while (*p < end && **p != '\n')
				(*p)++;
		else
			(*p)++;
	}
	if (*p == end || !isdigit(**p))
		return -1;
	while (*p < end && isdigit(**p) && v < 65536)
		v = v * 10 + (*(*p)++ - '0');
	return v;
}

/* The preprocessed image as a new owned FLOAT tensor, or NULL. */
static struct vaccel_torch_tensor *load_image(const unsigned char *buf,
					      size_t len)
{
	static const float mean[3] = {0.485f, 0.456f, 0.406f};
	static const float stdev[3] = {0.229f, 0.224f, 0.225f};
	const unsigned char *p = buf + 2, *end = buf + len;
	struct vaccel_torch_tensor *t;

	if (len < 2 || buf[0] != 'P' || (buf[1] != '5' && buf[1] != '6'))
		return NULL;
	long c = buf[1] == '6' ? 3 : 1;
	long w = pnm_number(&p, end), h = pnm_number(&p, end);
	long maxval = pnm_number(&p, end);
	if (w < 1 || h < 1 || maxval < 1 || maxval > 255 || p == end ||
	    (size_t)(end - ++p) < (size_t)(w * h * c))
		return NULL;

	int64_t dims[] = {1, c, h, w};
	if (vaccel_torch_tensor_allocate(&t, 4, dims, VACCEL_TORCH_FLOAT,
					 (size_t)(c * h * w) * sizeof(float)))
		return NULL;
	float *out = t->data;
	for (long ch = 0; ch < c; ch++) {
		for (long i = 0; i < w * h; i++) {
			float v = (float)p[i * c + ch] / (float)maxval;
			out[ch * w * h + i] =
				c == 3 ? (v - mean[ch]) / stdev[ch] : v;
		}
	}
	return t;
}

/* Print the label (line `best` of the labels file) of the largest score. */
static int print_prediction(const struct vaccel_torch_tensor *out,
			    const char *labels_path)
{
	if (out->data_type != VACCEL_TORCH_FLOAT || out->size < sizeof(float))
		return VACCEL_EINVAL;
	const float *s = out->data;
	size_t best = 0, n = out->size / sizeof(float);
	for (size_t i = 1; i < n; i++)
		if (s[i] > s[best])
			best = i;

	FILE *f = fopen(labels_path, "r");
	if (!f)
		return VACCEL_ENOENT;
	char line[512];
	size_t i = 0;
	int ret = VACCEL_EINVAL;
	while (fgets(line, sizeof(line), f)) {
		if (i++ == best) {
			line[strcspn(line, "\r\n")] = '\0';
			printf("Prediction: %s\n", line);
			ret = VACCEL_OK;
			break;
		}
	}
	fclose(f);
	return ret;
}

int main(int argc, char *argv[])
{
	struct vaccel_torch_tensor *in = NULL;
	struct vaccel_resource model;
	struct vaccel_session sess;
	unsigned char *image = NULL;
	size_t image_size = 0;
	long iterations;
	int ret;

	if (argc < 4 || argc > 5 ||
	    example_arg_long(argc, argv, 4, "iterations", 1, 1, 100000000,
			     &iterations)) {
		fprintf(stderr,
			"Usage: %s <image_file> <model_file> <labels_file> "
			"[iterations]\n",
			argv[0]);
		return 1;
	}
	ret = example_read_file(argv[1], &image, &image_size);
	if (ret) {
		fprintf(stderr, "Could not read image %s: %s\n", argv[1],
			strerror(ret));
		return 1;
	}
	in = load_image(image, image_size);
	free(image);
	if (!in) {
		fprintf(stderr, "%s: not a binary PGM/PPM image with 8-bit "
				"samples\n",
			argv[1]);
		return 1;
	}

	ret = vaccel_resource_init(&model, argv[2], VACCEL_RESOURCE_MODEL);
	if (ret) {
		fprintf(stderr, "Could not initialize model resource: %d\n",
			ret);
		goto free_in;
	}
	printf("Initialized model resource %" PRId64 "\n", model.id);
	ret = vaccel_session_init(&sess, 0);
	if (ret) {
		fprintf(stderr, "Could not initialize vAccel session: %d\n",
			ret);
		goto release_model;
	}
	printf("Initialized vAccel session %" PRId64 "\n", sess.id);
	ret = vaccel_resource_register(&model, &sess);
	if (ret) {
		fprintf(stderr, "Could not register model with session\n");
		goto release_session;
	}
	ret = vaccel_torch_model_load(&sess, &model);
	if (ret) {
		fprintf(stderr, "Could not load model: %d\n", ret);
		goto release_session;
	}

	for (long i = 0; i < iterations && !ret; i++) {
		struct vaccel_torch_tensor *out = NULL;

		ret = vaccel_torch_model_run(&sess, &model, NULL, &in, 1, &out,
					     1);
		if (ret) {
			fprintf(stderr, "Could not run op: %d\n", ret);
			break;
		}
		printf("Success!\n");
		printf("Output tensor => type:%u nr_dims:%" PRId64
		       " size:%zuB\n",
		       (unsigned)out->data_type, out->nr_dims, out->size);
		ret = print_prediction(out, argv[3]);
		if (ret)
			fprintf(stderr, "Could not process result: %d\n", ret);
		vaccel_torch_tensor_delete(out);
	}

release_session:
	if (vaccel_session_release(&sess))
		fprintf(stderr, "Could not release session\n");
release_model:
	if (vaccel_resource_release(&model))
		fprintf(stderr, "Could not release model resource\n");
free_in:
	vaccel_torch_tensor_delete(in);
	return ret ? 1 : 0;
}
