// SPDX-License-Identifier: Apache-2.0
/*
 * The record kept by the probe test plugin: the arguments of the last call of
 * each kind, exactly as the plugin received them. Exported by the plugin as
 * `probe_record`; tests reach it with dlopen(RTLD_NOLOAD) + dlsym.
 */
#ifndef VACCEL_TEST_PROBE_H
#define VACCEL_TEST_PROBE_H

#include <vaccel.h>

#include <stddef.h>
#include <stdint.h>

/* What the probe writes into image outputs (when they are large enough). */
#define PROBE_TEXT    "probe-text"
#define PROBE_IMGNAME "probe-imgname"
/* What the probe stores through minmax's min/max pointers. */
#define PROBE_MINMAX_MIN 1.5
#define PROBE_MINMAX_MAX 2.5

struct probe_record {
	int calls[VACCEL_OP_MAX]; /* calls per op type */
	int last_op;		  /* last op type called, -1: none */
	int ret;		  /* what every probe op returns */
	struct vaccel_session *sess;

	/* exec, exec_with_resource, opencv (counts widened from int) */
	const char *lib_name;
	const char *fn_symbol;
	struct vaccel_resource *resource;
	struct vaccel_arg *read;
	size_t nr_read;
	struct vaccel_arg *write;
	size_t nr_write;

	/* image */
	const void *img;
	unsigned char *out_text;
	unsigned char *out_imgname;
	size_t len_img;
	size_t len_out_text;
	size_t len_out_imgname;

	/* blas sgemm */
	int64_t m, n, k, lda, ldb, ldc;
	float alpha, beta;
	float *a, *b, *c;

	/* minmax */
	const double *indata;
	int ndata, low, high;
	double *outdata, *min, *max;

	/* fpga: a, b, then the outputs in parameter order */
	void *fa, *fb, *fout0, *fout1;
	size_t len_a, len_b;

	/* tf, tflite, torch model ops */
	struct vaccel_resource *model;
	const void *run_options;
	const void *in_nodes;
	const void *out_nodes;
	const void *inputs;
	void *outputs;
	int nr_inputs, nr_outputs;
	void *status;

	/* torch sgemm */
	void *t_a, *t_b, *t_c, *t_out;
	int tm, tn, tk;
};

#endif /* VACCEL_TEST_PROBE_H */
