// SPDX-License-Identifier: Apache-2.0
/*
 * bench_models: real work, timed the same way wherever it runs. bench/guest.sh
 * runs it on the host with the plugins loaded locally (the baseline), then
 * in the QEMU guest through libvaccel-virtio.so (the host daemon runs the
 * same plugins), and prints the ratio: the cost a VM adds to the same work.
 *
 *   torch_run_b1, torch_run_b64   vaccel_torch_model_run() of the demo's
 *                  Fashion-MNIST model (tools/fashion-train) on 1 and on 64
 *                  test images, median per call (us); session hint TORCH
 *   sgemm_1024     vaccel_sgemm() 1024 x 1024 x 1024 (OpenBLAS on the
 *                  host), median per call (ms); session hint CPU
 *
 * Prints "RESULT <name> <median> <unit>" lines.
 *
 * usage: bench_models MODEL IMAGES ROUNDS
 *   MODEL   the TorchScript model (BYTE [N, 28, 28] -> FLOAT [N, 10])
 *   IMAGES  t10k-images-idx3-ubyte (uncompressed IDX), >= 64 images
 *   ROUNDS  calls of each kind (after a warm-up)
 */
#include "bench_util.h"

#include <string.h>

#include <vaccel.h>

#define SIDE	 28
#define IDX_HDR	 16
#define SGEMM_N	 1024
#define WARM_UP	 3

static void die(const char *what, int ret)
{
	fprintf(stderr, "bench_models: %s (%d)\n", what, ret);
	exit(1);
}

static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END))
		die("cannot open the images", 0);
	long n = ftell(f);
	unsigned char *p = malloc(n > 0 ? (size_t)n : 1);
	rewind(f);
	if (n <= 0 || !p || fread(p, 1, (size_t)n, f) != (size_t)n)
		die("cannot read the images", 0);
	fclose(f);
	*len = (size_t)n;
	return p;
}

static double time_run(struct vaccel_session *s, struct vaccel_resource *m,
		       unsigned char *img, int64_t n)
{
	int64_t dims[3] = {n, SIDE, SIDE};
	struct vaccel_torch_tensor *in = NULL, *out = NULL;
	int ret = vaccel_torch_tensor_new(&in, 3, dims, VACCEL_TORCH_BYTE);
	if (!ret)
		ret = vaccel_torch_tensor_set_data(in, img,
						   (size_t)n * SIDE * SIDE);
	uint64_t t0 = bench_now_ns();
	if (!ret)
		ret = vaccel_torch_model_run(s, m, NULL, &in, 1, &out, 1);
	uint64_t t1 = bench_now_ns();
	if (ret)
		die("torch model run failed", ret);
	in->data = NULL; /* borrowed */
	vaccel_torch_tensor_delete(in);
	vaccel_torch_tensor_delete(out);
	return (double)(t1 - t0) / 1000.0;
}

static void bench_torch(const char *model_path, unsigned char *img,
			long rounds)
{
	struct vaccel_session s;
	struct vaccel_resource m;
	int ret = vaccel_resource_init(&m, model_path, VACCEL_RESOURCE_MODEL);
	if (!ret)
		ret = vaccel_session_init(&s, VACCEL_PLUGIN_TORCH);
	if (!ret)
		ret = vaccel_resource_register(&m, &s);
	if (!ret)
		ret = vaccel_torch_model_load(&s, &m);
	if (ret)
		die("cannot set up the model", ret);
	static const int64_t batch[] = {1, 64};
	double *v = calloc((size_t)rounds, sizeof(double));
	if (!v)
		die("out of memory", 0);
	for (int b = 0; b < 2; b++) {
		for (int i = 0; i < WARM_UP; i++)
			time_run(&s, &m, img, batch[b]);
		for (long r = 0; r < rounds; r++)
			v[r] = time_run(&s, &m, img, batch[b]);
		printf("RESULT torch_run_b%lld %.3f us\n", (long long)batch[b],
		       bench_median(v, (size_t)rounds));
	}
	free(v);
	vaccel_resource_unregister(&m, &s);
	vaccel_session_release(&s);
	vaccel_resource_release(&m);
}

static void bench_sgemm(long rounds)
{
	const size_t n = (size_t)SGEMM_N * SGEMM_N;
	float *a = malloc(n * sizeof(float)), *b = malloc(n * sizeof(float)),
	      *c = malloc(n * sizeof(float));
	double *v = calloc((size_t)rounds, sizeof(double));
	struct vaccel_session s;
	if (!a || !b || !c || !v)
		die("out of memory", 0);
	for (size_t i = 0; i < n; i++) {
		a[i] = (float)(i % 7) - 3.0f;
		b[i] = (float)(i % 5) - 2.0f;
	}
	int ret = vaccel_session_init(&s, VACCEL_PLUGIN_CPU);
	if (ret)
		die("cannot create the sgemm session", ret);
	for (long r = -WARM_UP; r < rounds; r++) {
		uint64_t t0 = bench_now_ns();
		ret = vaccel_sgemm(&s, SGEMM_N, SGEMM_N, SGEMM_N, 1.0f, a,
				   SGEMM_N, b, SGEMM_N, 0.0f, c, SGEMM_N);
		uint64_t t1 = bench_now_ns();
		if (ret)
			die("sgemm failed", ret);
		if (r >= 0)
			v[r] = (double)(t1 - t0) / 1e6;
	}
	printf("RESULT sgemm_1024 %.3f ms\n", bench_median(v, (size_t)rounds));
	vaccel_session_release(&s);
	free(a);
	free(b);
	free(c);
	free(v);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: bench_models MODEL IMAGES ROUNDS\n");
		return 2;
	}
	long rounds = strtol(argv[3], NULL, 10);
	if (rounds < 1 || rounds > 100000)
		die("ROUNDS must be 1..100000", 0);
	size_t len;
	unsigned char *file = read_file(argv[2], &len);
	if (len < IDX_HDR + (size_t)64 * SIDE * SIDE)
		die("fewer than 64 images", 0);
	setvbuf(stdout, NULL, _IOLBF, 0);
	bench_torch(argv[1], file + IDX_HDR, rounds);
	bench_sgemm(rounds > 20 ? 20 : rounds);
	free(file);
	return 0;
}
