// SPDX-License-Identifier: Apache-2.0
/* Upstream-style program: image classification.
 * Usage: classify <image> <iterations> [model] */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <vaccel.h>

static int read_image(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long size;

	if (!f)
		return VACCEL_ENOENT;
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return VACCEL_EIO;
	}
	*buf = malloc((size_t)size);
	if (!*buf) {
		fclose(f);
		return VACCEL_ENOMEM;
	}
	if (fread(*buf, 1, (size_t)size, f) != (size_t)size) {
		free(*buf);
		fclose(f);
		return VACCEL_EIO;
	}
	fclose(f);
	*len = (size_t)size;
	return VACCEL_OK;
}

int main(int argc, char *argv[])
{
	struct vaccel_session sess;
	struct vaccel_resource model;
	char out_text[512];
	char out_imgname[512];
	char *image = NULL;
	size_t image_size = 0;
	int use_model = argc > 3;
	int ret;

	if (argc < 3) {
		fprintf(stderr, "Usage: %s <image> <iterations> [model]\n",
			argv[0]);
		return 1;
	}

	ret = vaccel_session_init(&sess, 0);
	if (ret != VACCEL_OK) {
		fprintf(stderr, "Could not initialize session\n");
		return 1;
	}
	printf("Initialized session with id: %" PRId64 "\n", sess.id);

	if (use_model) {
		ret = vaccel_resource_init(&model, argv[3],
					   VACCEL_RESOURCE_MODEL);
		if (ret) {
			fprintf(stderr, "Could not create model resource\n");
			goto close_session;
		}
		ret = vaccel_resource_register(&model, &sess);
		if (ret) {
			fprintf(stderr, "Could not register model resource\n");
			vaccel_resource_release(&model);
			use_model = 0;
			goto close_session;
		}
	}

	ret = read_image(argv[1], &image, &image_size);
	if (ret)
		goto release_model;

	for (int i = 0; i < atoi(argv[2]); ++i) {
		ret = vaccel_image_classification(
			&sess, image, (unsigned char *)out_text,
			(unsigned char *)out_imgname, image_size,
			sizeof(out_text), sizeof(out_imgname));
		if (ret) {
			fprintf(stderr, "Could not run op: %d\n", ret);
			goto free_image;
		}
		if (i == 0)
			printf("classification tags: %s\n", out_text);
	}

free_image:
	free(image);
release_model:
	if (use_model) {
		vaccel_resource_unregister(&model, &sess);
		vaccel_resource_release(&model);
	}
close_session:
	if (vaccel_session_release(&sess) != VACCEL_OK) {
		fprintf(stderr, "Could not release session\n");
		return 1;
	}
	return ret;
}
