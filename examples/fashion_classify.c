// SPDX-License-Identifier: Apache-2.0
/*
 * Usage: fashion_classify MODEL IMAGES LABELS [batch] [predictions_out]
 *
 * Classifies Fashion-MNIST test images with a TorchScript model through
 * vAccel's torch operations (TORCH_MODEL_LOAD once, TORCH_MODEL_RUN per
 * batch), and prints the accuracy against LABELS. IMAGES and LABELS are
 * uncompressed IDX files (t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte);
 * MODEL takes a BYTE tensor [N, 28, 28] and returns FLOAT logits [N, 10]
 * (tools/fashion-train makes one). With predictions_out, writes one
 * predicted class per line, so that runs can be compared.
 */
#include <vaccel.h>

#include "example_utils.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIDE	28
#define CLASSES 10

static const char *const class_names[CLASSES] = {
	"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
	"Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot",
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* An IDX file's items (images: 28x28 each); NULL after printing why. */
static unsigned char *read_idx(const char *path, int images, size_t *count,
			       unsigned char **file)
{
	size_t size = 0;
	size_t hdr = images ? 16 : 8;
	int err = example_read_file(path, file, &size);
	if (err) {
		fprintf(stderr, "Could not read %s: %s\n", path, strerror(err));
		return NULL;
	}
	if (size < hdr || be32(*file) != (images ? 0x803u : 0x801u) ||
	    (images && (be32(*file + 8) != SIDE || be32(*file + 12) != SIDE)) ||
	    size - hdr != (size_t)be32(*file + 4) * (images ? SIDE * SIDE : 1)) {
		fprintf(stderr, "%s is not an uncompressed IDX %s file\n", path,
			images ? "28x28 image" : "label");
		return NULL;
	}
	*count = be32(*file + 4);
	return *file + hdr;
}

/* Run one batch; the predicted class of each image into pred. */
static int run_batch(struct vaccel_session *s, struct vaccel_resource *model,
		     unsigned char *img, int64_t n, unsigned char *pred)
{
	int64_t dims[3] = {n, SIDE, SIDE};
	struct vaccel_torch_tensor *in = NULL, *out = NULL;
	int ret = vaccel_torch_tensor_new(&in, 3, dims, VACCEL_TORCH_BYTE);
	if (!ret)
		ret = vaccel_torch_tensor_set_data(in, img,
						   (size_t)n * SIDE * SIDE);
	if (!ret)
		ret = vaccel_torch_model_run(s, model, NULL, &in, 1, &out, 1);
	if (!ret && (out->data_type != VACCEL_TORCH_FLOAT || out->nr_dims != 2 ||
		     out->dims[0] != n || out->dims[1] != CLASSES ||
		     out->size != (size_t)n * CLASSES * sizeof(float))) {
		fprintf(stderr, "The model's output is not FLOAT [%" PRId64
				", %d]\n",
			n, CLASSES);
		ret = VACCEL_EINVAL;
	}
	for (int64_t i = 0; !ret && i < n; i++) {
		const float *l = (const float *)out->data + i * CLASSES;
		int best = 0;
		for (int c = 1; c < CLASSES; c++)
			if (l[c] > l[best])
				best = c;
		pred[i] = (unsigned char)best;
	}
	if (in) {
		in->data = NULL; /* borrowed */
		vaccel_torch_tensor_delete(in);
	}
	if (out)
		vaccel_torch_tensor_delete(out);
	return ret;
}

static int classify(struct vaccel_session *s, struct vaccel_resource *model,
		    unsigned char *img, size_t n, long batch,
		    unsigned char *pred)
{
	int ret = vaccel_torch_model_load(s, model);
	if (ret) {
		fprintf(stderr, "Could not load the model: %d\n", ret);
		return ret;
	}
	for (size_t i = 0; i < n; i += (size_t)batch) {
		size_t b = n - i < (size_t)batch ? n - i : (size_t)batch;
		ret = run_batch(s, model, img + i * SIDE * SIDE, (int64_t)b,
				pred + i);
		if (ret) {
			fprintf(stderr, "Could not run op: %d\n", ret);
			return ret;
		}
	}
	return VACCEL_OK;
}

static int report(const unsigned char *pred, const unsigned char *labels,
		  size_t n, long batch, uint64_t ns, const char *out_path)
{
	size_t ok = 0;
	for (size_t i = 0; i < n; i++)
		ok += pred[i] == labels[i];
	printf("classified %zu images in batches of %ld: accuracy %zu/%zu "
	       "(%.2f%%)\n",
	       n, batch, ok, n, n ? 100.0 * (double)ok / (double)n : 0.0);
	for (size_t i = 0; i < n && i < 3; i++)
		printf("image %zu: %s (label: %s)\n", i, class_names[pred[i]],
		       class_names[labels[i]]);
	size_t runs = (n + (size_t)batch - 1) / (size_t)batch;
	printf("fashion_classify: %zu iteration(s), total %" PRIu64
	       " ns, avg %" PRIu64 " ns\n",
	       runs, ns, runs ? ns / runs : 0);
	if (!out_path)
		return 0;
	FILE *f = fopen(out_path, "w");
	if (!f) {
		perror(out_path);
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%u\n", pred[i]);
	return fclose(f) ? 1 : 0;
}

int main(int argc, char *argv[])
{
	unsigned char *ifile = NULL, *lfile = NULL, *pred = NULL;
	size_t n = 0, nl = 0;
	struct vaccel_resource model;
	struct vaccel_session sess;
	long batch;
	int rc = 1;

	if (argc < 4 || argc > 6 ||
	    example_arg_long(argc, argv, 4, "batch", 1000, 1, 60000, &batch)) {
		fprintf(stderr,
			"Usage: %s MODEL IMAGES LABELS [batch] "
			"[predictions_out]\n",
			argv[0]);
		return 1;
	}
	unsigned char *img = read_idx(argv[2], 1, &n, &ifile);
	unsigned char *labels = img ? read_idx(argv[3], 0, &nl, &lfile) : NULL;
	if (!labels || nl != n || !(pred = calloc(n + 1, 1))) {
		if (labels)
			fprintf(stderr, "%zu images but %zu labels\n", n, nl);
		goto out;
	}
	if (vaccel_resource_init(&model, argv[1], VACCEL_RESOURCE_MODEL)) {
		fprintf(stderr, "Could not create a model resource from %s\n",
			argv[1]);
		goto out;
	}
	if (vaccel_session_init(&sess, 0)) {
		fprintf(stderr, "Could not initialize session\n");
		vaccel_resource_release(&model);
		goto out;
	}
	if (!vaccel_resource_register(&model, &sess)) {
		uint64_t t0 = example_now_ns();
		if (!classify(&sess, &model, img, n, batch, pred))
			rc = report(pred, labels, n, batch,
				    example_now_ns() - t0,
				    argc > 5 ? argv[5] : NULL);
		vaccel_resource_unregister(&model, &sess);
	} else {
		fprintf(stderr, "Could not register the model\n");
	}
	vaccel_session_release(&sess);
	vaccel_resource_release(&model);
out:
	free(ifile);
	free(lfile);
	free(pred);
	return rc;
}
