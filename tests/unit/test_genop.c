// SPDX-License-Identifier: Apache-2.0
/*
 * vaccel_genop(): the op selector, the per-op unpackers (exact counts, types
 * and sizes; values forwarded exactly to the typed op, which the probe plugin
 * records) and the size checks of the untyped layouts.
 */
#include "test_util.h"

#include "plugins/probe/probe_test.h"

/*
 * Assert that `call` returns `code` and logs exactly one error line into the
 * log file at `log` (lines are tagged "<error>").
 */
#define EXPECT_ONE_ERROR(log, call, code)                                      \
	do {                                                                   \
		int before_ = count_lines((log), "<error>");                   \
		assert_int_equal((call), (code));                              \
		assert_int_equal(count_lines((log), "<error>"), before_ + 1);  \
	} while (0)

#define ARG(t, p, sz)                                                          \
	((struct vaccel_arg){.buf = (void *)(p), .size = (sz), .type = (t)})
#define RAW(p, sz) ARG(VACCEL_ARG_RAW, p, sz)
#define OPARG(pop) ARG(VACCEL_ARG_UINT8, pop, 1)
#define NR(a)	   ((int)(sizeof(a) / sizeof((a)[0])))

struct genop_state {
	struct probe_env env;
	char log[256];
};

static struct genop_state genop_state;

static int group_setup(void **state)
{
	struct genop_state *s = &genop_state;

	temp_log(s->log, sizeof(s->log));
	if (probe_env_init(&s->env, false, s->log))
		return -1;
	*state = s;
	return 0;
}

static int group_teardown(void **state)
{
	struct genop_state *s = *state;

	probe_env_fini(&s->env);
	unlink(s->log);
	return 0;
}

static int setup(void **state)
{
	struct genop_state *s = *state;

	probe_reset(s->env.rec);
	return 0;
}

/* Error lines logged so far that contain `needle`. */
static int lines(struct genop_state *s, const char *needle)
{
	return count_lines(s->log, needle);
}

/*
 * Selector and array checks
 */

static void test_selector(void **state)
{
	struct genop_state *s = *state;
	struct vaccel_session *sess = &s->env.sess;
	uint8_t noop = VACCEL_OP_NOOP;
	uint8_t two[2] = {VACCEL_OP_NOOP, 0};
	int8_t snoop = 0;
	uint8_t op;
	struct vaccel_arg read[1];
	struct vaccel_arg write[1] = {RAW(&op, 1)};

	read[0] = OPARG(&noop);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(NULL, read, 1, NULL, 0),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, NULL, 1, NULL, 0),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, NULL, 0, NULL, 0),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 0, NULL, 0),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, -1, NULL, 0),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 1, write, -1),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 1, NULL, 1),
			 VACCEL_EINVAL);

	/* wrong selector type */
	int before = lines(s, "read arg 0 must be a UINT8 of size 1");
	read[0] = ARG(VACCEL_ARG_INT8, &snoop, 1);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 1, NULL, 0),
			 VACCEL_EINVAL);
	read[0] = RAW(&noop, 1);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 1, NULL, 0),
			 VACCEL_EINVAL);
	read[0] = ARG(VACCEL_ARG_UINT8_ARRAY, &noop, 1);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 1, NULL, 0),
			 VACCEL_EINVAL);
	/* wrong selector size */
	read[0] = ARG(VACCEL_ARG_UINT8, two, 2);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 1, NULL, 0),
			 VACCEL_EINVAL);
	read[0] = ARG(VACCEL_ARG_UINT8, &noop, 0);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 1, NULL, 0),
			 VACCEL_EINVAL);
	read[0] = ARG(VACCEL_ARG_UINT8, NULL, 1);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 1, NULL, 0),
			 VACCEL_EINVAL);
	assert_int_equal(
		lines(s, "read arg 0 must be a UINT8 of size 1") - before, 6);

	/* out of range */
	op = VACCEL_OP_MAX;
	read[0] = OPARG(&op);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 1, NULL, 0),
			 VACCEL_EINVAL);
	op = 255;
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 1, NULL, 0),
			 VACCEL_EINVAL);
	assert_int_equal(lines(s, "genop: invalid op type 255"), 1);

	/* the model ops need their layout (§7.5.2 of docs/protocol.md): with
	 * no model id, one error line and EINVAL, nothing called */
	for (op = VACCEL_OP_TF_MODEL_LOAD; op <= VACCEL_OP_TORCH_MODEL_RUN;
	     op++)
		EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 1, NULL, 0),
				 VACCEL_EINVAL);
	/* torch sgemm (deprecated) is not genop-able */
	op = VACCEL_OP_TORCH_SGEMM;
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 1, NULL, 0),
			 VACCEL_ENOTSUP);

	assert_int_equal(probe_total_calls(s->env.rec), 0);
}

static void test_noop(void **state)
{
	struct genop_state *s = *state;
	struct vaccel_session *sess = &s->env.sess;
	uint8_t op = VACCEL_OP_NOOP;
	int x = 0;
	struct vaccel_arg read[2] = {OPARG(&op), RAW(&x, sizeof(x))};
	struct vaccel_arg write[1] = {RAW(&x, sizeof(x))};

	/* op 0 is accepted and reaches the plugin's NOOP */
	assert_int_equal(vaccel_genop(sess, read, 1, NULL, 0), VACCEL_OK);
	assert_int_equal(s->env.rec->calls[VACCEL_OP_NOOP], 1);
	assert_ptr_equal(s->env.rec->sess, sess);
	s->env.rec->ret = 77;
	assert_int_equal(vaccel_genop(sess, read, 1, NULL, 0), 77);

	/* exact counts */
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 2, NULL, 0),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 1, write, 1),
			 VACCEL_EINVAL);
	assert_int_equal(s->env.rec->calls[VACCEL_OP_NOOP], 2);

	/* plugin selection is the typed op's: probe-min has NOOP */
	assert_int_equal(vaccel_genop(&s->env.sess_min, read, 1, NULL, 0),
			 VACCEL_OK);
	assert_int_equal(s->env.rec->calls[VACCEL_OP_NOOP], 2);
}

/*
 * exec
 */

static void test_exec(void **state)
{
	struct genop_state *s = *state;
	struct vaccel_session *sess = &s->env.sess;
	uint8_t op = VACCEL_OP_EXEC;
	char lib[] = "libfoo.so";
	char sym[] = "foo";
	int32_t x = 5;
	char buf[4] = "abc";
	int32_t out[2];
	struct vaccel_arg read[5] = {
		OPARG(&op),
		ARG(VACCEL_ARG_STRING, lib, sizeof(lib)),
		ARG(VACCEL_ARG_STRING, sym, sizeof(sym)),
		ARG(VACCEL_ARG_INT32, &x, sizeof(x)),
		ARG(VACCEL_ARG_BUFFER, buf, sizeof(buf)),
	};
	struct vaccel_arg write[2] = {
		ARG(VACCEL_ARG_INT32, &out[0], sizeof(int32_t)),
		RAW(&out[1], sizeof(int32_t)),
	};

	assert_int_equal(vaccel_genop(sess, read, 5, write, 2), VACCEL_OK);
	assert_int_equal(s->env.rec->last_op, VACCEL_OP_EXEC);
	assert_ptr_equal(s->env.rec->lib_name, lib);
	assert_ptr_equal(s->env.rec->fn_symbol, sym);
	assert_ptr_equal(s->env.rec->read, &read[3]);
	assert_int_equal(s->env.rec->nr_read, 2);
	assert_ptr_equal(s->env.rec->write, write);
	assert_int_equal(s->env.rec->nr_write, 2);

	/* nothing to forward */
	assert_int_equal(vaccel_genop(sess, read, 3, NULL, 0), VACCEL_OK);
	assert_null(s->env.rec->read);
	assert_int_equal(s->env.rec->nr_read, 0);
	assert_null(s->env.rec->write);
	assert_int_equal(s->env.rec->nr_write, 0);
	assert_int_equal(s->env.rec->calls[VACCEL_OP_EXEC], 2);

	/* too few args */
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 2, NULL, 0),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 1, NULL, 0),
			 VACCEL_EINVAL);
	/* library not a STRING / not NUL-terminated */
	read[1] = ARG(VACCEL_ARG_BUFFER, lib, sizeof(lib));
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 3, NULL, 0),
			 VACCEL_EINVAL);
	read[1] = ARG(VACCEL_ARG_STRING, lib, sizeof(lib) - 1);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 3, NULL, 0),
			 VACCEL_EINVAL);
	read[1] = ARG(VACCEL_ARG_STRING, lib, sizeof(lib));
	read[2] = RAW(sym, sizeof(sym));
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 3, NULL, 0),
			 VACCEL_EINVAL);
	assert_int_equal(s->env.rec->calls[VACCEL_OP_EXEC], 2);
}

static void test_exec_with_resource(void **state)
{
	struct genop_state *s = *state;
	struct vaccel_session *sess = &s->env.sess;
	static uint8_t bytes[8] = {1};
	static struct vaccel_resource lib, data, unreg;
	uint8_t op = VACCEL_OP_EXEC_WITH_RESOURCE;
	char sym[] = "entry";
	int64_t id;
	int32_t x = 1;
	int32_t out;
	struct vaccel_arg read[4] = {
		OPARG(&op),
		ARG(VACCEL_ARG_INT64, &id, sizeof(id)),
		ARG(VACCEL_ARG_STRING, sym, sizeof(sym)),
		ARG(VACCEL_ARG_INT32, &x, sizeof(x)),
	};
	struct vaccel_arg write[1] = {ARG(VACCEL_ARG_INT32, &out, sizeof(out))};

	assert_int_equal(
		vaccel_resource_init_from_buf(&lib, bytes, sizeof(bytes),
					      VACCEL_RESOURCE_LIB, NULL, true),
		VACCEL_OK);
	assert_int_equal(
		vaccel_resource_init_from_buf(&data, bytes, sizeof(bytes),
					      VACCEL_RESOURCE_DATA, NULL, true),
		VACCEL_OK);
	assert_int_equal(
		vaccel_resource_init_from_buf(&unreg, bytes, sizeof(bytes),
					      VACCEL_RESOURCE_LIB, NULL, true),
		VACCEL_OK);
	assert_int_equal(vaccel_resource_register(&lib, sess), VACCEL_OK);
	assert_int_equal(vaccel_resource_register(&data, sess), VACCEL_OK);

	id = lib.id;
	assert_int_equal(vaccel_genop(sess, read, 4, write, 1), VACCEL_OK);
	assert_int_equal(s->env.rec->last_op, VACCEL_OP_EXEC_WITH_RESOURCE);
	assert_ptr_equal(s->env.rec->resource, &lib);
	assert_ptr_equal(s->env.rec->fn_symbol, sym);
	assert_ptr_equal(s->env.rec->read, &read[3]);
	assert_int_equal(s->env.rec->nr_read, 1);
	assert_ptr_equal(s->env.rec->write, write);
	assert_int_equal(s->env.rec->nr_write, 1);

	id = data.id; /* wrong type */
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 3, NULL, 0),
			 VACCEL_EINVAL);
	id = unreg.id; /* not registered with the session */
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 3, NULL, 0),
			 VACCEL_EPERM);
	id = 1000000; /* no such resource */
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 3, NULL, 0),
			 VACCEL_ENOENT);
	/* id must be an INT64 */
	read[1] = ARG(VACCEL_ARG_INT32, &x, sizeof(x));
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 3, NULL, 0),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 2, NULL, 0),
			 VACCEL_EINVAL);
	assert_int_equal(s->env.rec->calls[VACCEL_OP_EXEC_WITH_RESOURCE], 1);

	assert_int_equal(vaccel_resource_release(&lib), VACCEL_OK);
	assert_int_equal(vaccel_resource_release(&data), VACCEL_OK);
	assert_int_equal(vaccel_resource_release(&unreg), VACCEL_OK);
}

/*
 * image
 */

static void test_image_classify(void **state)
{
	struct genop_state *s = *state;
	struct vaccel_session *sess = &s->env.sess;
	uint8_t op = VACCEL_OP_IMAGE_CLASSIFY;
	char img[] = "jpeg";
	unsigned char imgname[32] = {0};
	unsigned char text[24] = {0};
	struct vaccel_arg read[3] = {
		OPARG(&op),
		ARG(VACCEL_ARG_BUFFER, img, sizeof(img)),
		ARG(VACCEL_ARG_BUFFER, img, sizeof(img)),
	};
	struct vaccel_arg write[3] = {
		ARG(VACCEL_ARG_UCHAR_ARRAY, imgname, sizeof(imgname)),
		ARG(VACCEL_ARG_UCHAR_ARRAY, text, sizeof(text)),
		ARG(VACCEL_ARG_UCHAR_ARRAY, text, sizeof(text)),
	};

	assert_int_equal(vaccel_genop(sess, read, 2, write, 2), VACCEL_OK);
	assert_int_equal(s->env.rec->last_op, VACCEL_OP_IMAGE_CLASSIFY);
	assert_ptr_equal(s->env.rec->img, img);
	assert_int_equal(s->env.rec->len_img, sizeof(img));
	/* write order: out_imgname, then out_text */
	assert_ptr_equal(s->env.rec->out_imgname, imgname);
	assert_int_equal(s->env.rec->len_out_imgname, sizeof(imgname));
	assert_ptr_equal(s->env.rec->out_text, text);
	assert_int_equal(s->env.rec->len_out_text, sizeof(text));
	assert_string_equal((char *)imgname, PROBE_IMGNAME);
	assert_string_equal((char *)text, PROBE_TEXT);

	/* counts */
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 2, write, 1),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 2, write, 3),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 3, write, 2),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 1, write, 2),
			 VACCEL_EINVAL);
	/* types */
	write[1] = ARG(VACCEL_ARG_CHAR_ARRAY, text, sizeof(text));
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 2, write, 2),
			 VACCEL_EINVAL);
	write[1] = ARG(VACCEL_ARG_UCHAR_ARRAY, text, sizeof(text));
	read[1] = RAW(img, sizeof(img));
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 2, write, 2),
			 VACCEL_EINVAL);
	read[1] = ARG(VACCEL_ARG_BUFFER, img, 0);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 2, write, 2),
			 VACCEL_EINVAL);
	assert_int_equal(s->env.rec->calls[VACCEL_OP_IMAGE_CLASSIFY], 1);
}

static void test_image_ops(void **state)
{
	struct genop_state *s = *state;
	struct vaccel_session *sess = &s->env.sess;
	uint8_t op;
	char img[] = "png bytes";
	unsigned char imgname[20];
	struct vaccel_arg read[2] = {
		OPARG(&op),
		ARG(VACCEL_ARG_BUFFER, img, sizeof(img)),
	};
	struct vaccel_arg write[2] = {
		ARG(VACCEL_ARG_UCHAR_ARRAY, imgname, sizeof(imgname)),
		ARG(VACCEL_ARG_UCHAR_ARRAY, imgname, sizeof(imgname)),
	};

	for (op = VACCEL_OP_IMAGE_DETECT; op <= VACCEL_OP_IMAGE_DEPTH; op++) {
		memset(imgname, 0, sizeof(imgname));
		assert_int_equal(vaccel_genop(sess, read, 2, write, 1),
				 VACCEL_OK);
		assert_int_equal(s->env.rec->last_op, op);
		assert_int_equal(s->env.rec->calls[op], 1);
		assert_ptr_equal(s->env.rec->img, img);
		assert_int_equal(s->env.rec->len_img, sizeof(img));
		assert_ptr_equal(s->env.rec->out_imgname, imgname);
		assert_int_equal(s->env.rec->len_out_imgname, sizeof(imgname));
		assert_string_equal((char *)imgname, PROBE_IMGNAME);

		EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 2, write, 2),
				 VACCEL_EINVAL);
		EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 1, write, 1),
				 VACCEL_EINVAL);
		EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 2, NULL, 0),
				 VACCEL_EINVAL);
	}
	assert_int_equal(probe_total_calls(s->env.rec), 4);
}

/*
 * BLAS sgemm
 */

struct sgemm_args {
	int64_t m, n, k, lda, ldb, ldc;
	float alpha, beta;
	float a[64], b[64], c[64];
	size_t na, nb, nc;
	uint8_t op;
	struct vaccel_arg read[11];
	struct vaccel_arg write[1];
};

static void sgemm_pack(struct sgemm_args *g)
{
	g->op = VACCEL_OP_BLAS_SGEMM;
	g->read[0] = OPARG(&g->op);
	g->read[1] = ARG(VACCEL_ARG_INT64, &g->m, 8);
	g->read[2] = ARG(VACCEL_ARG_INT64, &g->n, 8);
	g->read[3] = ARG(VACCEL_ARG_INT64, &g->k, 8);
	g->read[4] = ARG(VACCEL_ARG_FLOAT32, &g->alpha, 4);
	g->read[5] = ARG(VACCEL_ARG_FLOAT32_ARRAY, g->a, g->na * sizeof(float));
	g->read[6] = ARG(VACCEL_ARG_INT64, &g->lda, 8);
	g->read[7] = ARG(VACCEL_ARG_FLOAT32_ARRAY, g->b, g->nb * sizeof(float));
	g->read[8] = ARG(VACCEL_ARG_INT64, &g->ldb, 8);
	g->read[9] = ARG(VACCEL_ARG_FLOAT32, &g->beta, 4);
	g->read[10] = ARG(VACCEL_ARG_INT64, &g->ldc, 8);
	g->write[0] =
		ARG(VACCEL_ARG_FLOAT32_ARRAY, g->c, g->nc * sizeof(float));
}

/* m=2, n=3, k=4, tight leading dimensions */
static void sgemm_default(struct sgemm_args *g)
{
	memset(g, 0, sizeof(*g));
	g->m = 2;
	g->n = 3;
	g->k = 4;
	g->lda = 4;
	g->ldb = 3;
	g->ldc = 3;
	g->alpha = 1.5F;
	g->beta = -2.0F;
	g->na = 8;
	g->nb = 12;
	g->nc = 6;
	sgemm_pack(g);
}

static int sgemm_run(struct vaccel_session *sess, struct sgemm_args *g)
{
	sgemm_pack(g);
	return vaccel_genop(sess, g->read, 11, g->write, 1);
}

static void test_sgemm(void **state)
{
	struct genop_state *s = *state;
	struct vaccel_session *sess = &s->env.sess;
	struct probe_record *r = s->env.rec;
	static struct sgemm_args g;

	sgemm_default(&g);
	assert_int_equal(sgemm_run(sess, &g), VACCEL_OK);
	assert_int_equal(r->last_op, VACCEL_OP_BLAS_SGEMM);
	assert_int_equal(r->m, 2);
	assert_int_equal(r->n, 3);
	assert_int_equal(r->k, 4);
	assert_true(r->alpha == 1.5F);
	assert_true(r->beta == -2.0F);
	assert_ptr_equal(r->a, g.a);
	assert_int_equal(r->lda, 4);
	assert_ptr_equal(r->b, g.b);
	assert_int_equal(r->ldb, 3);
	assert_ptr_equal(r->c, g.c);
	assert_int_equal(r->ldc, 3);

	/* padded leading dimensions: a needs (m-1)*lda+k, etc. */
	sgemm_default(&g);
	g.lda = 7;
	g.na = 11;
	g.ldb = 5;
	g.nb = 18;
	g.ldc = 10;
	g.nc = 13;
	assert_int_equal(sgemm_run(sess, &g), VACCEL_OK);
	assert_int_equal(r->lda, 7);
	assert_int_equal(r->ldb, 5);
	assert_int_equal(r->ldc, 10);
	assert_int_equal(r->calls[VACCEL_OP_BLAS_SGEMM], 2);

	/* arrays one element short */
	g.na = 10;
	assert_int_equal(sgemm_run(sess, &g), VACCEL_EINVAL);
	g.na = 11;
	g.nb = 17;
	assert_int_equal(sgemm_run(sess, &g), VACCEL_EINVAL);
	g.nb = 18;
	g.nc = 12;
	assert_int_equal(sgemm_run(sess, &g), VACCEL_EINVAL);
	assert_true(lines(s, "c holds 12 elements but 13 are needed") == 1);

	/* leading dimensions below the row length */
	sgemm_default(&g);
	g.lda = 3;
	assert_int_equal(sgemm_run(sess, &g), VACCEL_EINVAL);
	sgemm_default(&g);
	g.ldb = 2;
	assert_int_equal(sgemm_run(sess, &g), VACCEL_EINVAL);
	sgemm_default(&g);
	g.ldc = -3;
	assert_int_equal(sgemm_run(sess, &g), VACCEL_EINVAL);

	/* dimensions */
	sgemm_default(&g);
	g.m = 0;
	assert_int_equal(sgemm_run(sess, &g), VACCEL_EINVAL);
	sgemm_default(&g);
	g.n = -1;
	assert_int_equal(sgemm_run(sess, &g), VACCEL_EINVAL);

	/* overflow of (m - 1) * lda + k */
	sgemm_default(&g);
	g.m = INT64_MAX;
	g.lda = INT64_MAX;
	assert_int_equal(sgemm_run(sess, &g), VACCEL_EINVAL);
	sgemm_default(&g);
	g.m = INT64_C(1) << 40;
	g.lda = INT64_C(1) << 40;
	assert_int_equal(sgemm_run(sess, &g), VACCEL_EINVAL);

	/* types */
	sgemm_default(&g);
	sgemm_pack(&g);
	int32_t m32 = 2;
	double alpha64 = 1.0;
	g.read[1] = ARG(VACCEL_ARG_INT32, &m32, 4);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, g.read, 11, g.write, 1),
			 VACCEL_EINVAL);
	sgemm_pack(&g);
	g.read[4] = ARG(VACCEL_ARG_FLOAT64, &alpha64, 8);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, g.read, 11, g.write, 1),
			 VACCEL_EINVAL);
	sgemm_pack(&g);
	g.read[5] = RAW(g.a, 8 * sizeof(float));
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, g.read, 11, g.write, 1),
			 VACCEL_EINVAL);
	sgemm_pack(&g);
	g.read[9] = ARG(VACCEL_ARG_FLOAT32_ARRAY, &g.beta, 4);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, g.read, 11, g.write, 1),
			 VACCEL_EINVAL);
	sgemm_pack(&g);
	g.write[0] = ARG(VACCEL_ARG_FLOAT64_ARRAY, g.c, 6 * sizeof(float));
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, g.read, 11, g.write, 1),
			 VACCEL_EINVAL);

	/* counts */
	sgemm_pack(&g);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, g.read, 10, g.write, 1),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, g.read, 11, NULL, 0),
			 VACCEL_EINVAL);

	assert_int_equal(r->calls[VACCEL_OP_BLAS_SGEMM], 2);

	/* plugin without sgemm */
	EXPECT_ONE_ERROR(s->log,
			 vaccel_genop(&s->env.sess_min, g.read, 11, g.write, 1),
			 VACCEL_ENOTSUP);
}

/*
 * FPGA (untyped)
 */

static void test_fpga_arraycopy(void **state)
{
	struct genop_state *s = *state;
	struct vaccel_session *sess = &s->env.sess;
	struct probe_record *r = s->env.rec;
	uint8_t op = VACCEL_OP_FPGA_ARRAYCOPY;
	int a[5] = {1, 2, 3, 4, 5};
	int out[6];
	float f[5];
	struct vaccel_arg read[2] = {OPARG(&op), RAW(a, sizeof(a))};
	struct vaccel_arg write[1] = {RAW(out, sizeof(out))};

	assert_int_equal(vaccel_genop(sess, read, 2, write, 1), VACCEL_OK);
	assert_int_equal(r->last_op, VACCEL_OP_FPGA_ARRAYCOPY);
	assert_ptr_equal(r->fa, a);
	assert_ptr_equal(r->fout0, out);
	assert_int_equal(r->len_a, 5);

	/* typed INT32_ARRAY works too */
	read[1] = ARG(VACCEL_ARG_INT32_ARRAY, a, 3 * sizeof(int));
	write[0] = ARG(VACCEL_ARG_INT32_ARRAY, out, 3 * sizeof(int));
	assert_int_equal(vaccel_genop(sess, read, 2, write, 1), VACCEL_OK);
	assert_int_equal(r->len_a, 3);
	assert_int_equal(r->calls[VACCEL_OP_FPGA_ARRAYCOPY], 2);

	/* sizes: not a multiple, empty, NULL, output too small */
	read[1] = RAW(a, sizeof(int) + 1);
	write[0] = RAW(out, sizeof(out));
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 2, write, 1),
			 VACCEL_EINVAL);
	read[1] = RAW(a, 0);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 2, write, 1),
			 VACCEL_EINVAL);
	read[1] = RAW(NULL, sizeof(a));
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 2, write, 1),
			 VACCEL_EINVAL);
	read[1] = RAW(a, sizeof(a));
	write[0] = RAW(out, 4 * sizeof(int));
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 2, write, 1),
			 VACCEL_EINVAL);
	assert_int_equal(lines(s, "out_a holds 4 elements but 5 are needed"),
			 1);
	write[0] = RAW(out, 6 * sizeof(int) - 2);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 2, write, 1),
			 VACCEL_EINVAL);
	/* wrong typed kind */
	write[0] = ARG(VACCEL_ARG_FLOAT32_ARRAY, f, sizeof(f));
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 2, write, 1),
			 VACCEL_EINVAL);
	/* counts */
	write[0] = RAW(out, sizeof(out));
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 1, write, 1),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 2, NULL, 0),
			 VACCEL_EINVAL);
	assert_int_equal(r->calls[VACCEL_OP_FPGA_ARRAYCOPY], 2);
}

static void test_fpga_float_ops(void **state)
{
	struct genop_state *s = *state;
	struct vaccel_session *sess = &s->env.sess;
	struct probe_record *r = s->env.rec;
	uint8_t op;
	float a[4], b[6], c[6], d[4];
	struct vaccel_arg read[3] = {OPARG(&op), RAW(a, sizeof(a)),
				     RAW(b, 4 * sizeof(float))};
	struct vaccel_arg write[2] = {RAW(c, 4 * sizeof(float)),
				      RAW(d, sizeof(d))};

	/* mmult: a, b -> c */
	op = VACCEL_OP_FPGA_MMULT;
	assert_int_equal(vaccel_genop(sess, read, 3, write, 1), VACCEL_OK);
	assert_int_equal(r->last_op, VACCEL_OP_FPGA_MMULT);
	assert_ptr_equal(r->fa, a);
	assert_ptr_equal(r->fb, b);
	assert_ptr_equal(r->fout0, c);
	assert_int_equal(r->len_a, 4);
	read[2] = RAW(b, 3 * sizeof(float)); /* b shorter than a */
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 3, write, 1),
			 VACCEL_EINVAL);
	read[2] = RAW(b, 4 * sizeof(float));
	write[0] = RAW(c, 3 * sizeof(float)); /* c shorter than a */
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 3, write, 1),
			 VACCEL_EINVAL);
	write[0] = RAW(c, 4 * sizeof(float));
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 3, write, 2),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 2, write, 1),
			 VACCEL_EINVAL);

	/* parallel: a, b -> add, mult */
	op = VACCEL_OP_FPGA_PARALLEL;
	write[0] = ARG(VACCEL_ARG_FLOAT32_ARRAY, c, 4 * sizeof(float));
	assert_int_equal(vaccel_genop(sess, read, 3, write, 2), VACCEL_OK);
	assert_int_equal(r->last_op, VACCEL_OP_FPGA_PARALLEL);
	assert_ptr_equal(r->fa, a);
	assert_ptr_equal(r->fb, b);
	assert_ptr_equal(r->fout0, c);
	assert_ptr_equal(r->fout1, d);
	assert_int_equal(r->len_a, 4);
	write[1] = RAW(d, 2 * sizeof(float));
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 3, write, 2),
			 VACCEL_EINVAL);
	write[1] = RAW(d, sizeof(d) + 3);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 3, write, 2),
			 VACCEL_EINVAL);
	write[1] = RAW(d, sizeof(d));
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 3, write, 1),
			 VACCEL_EINVAL);

	/* vadd: len_a from a, len_b from b; c must hold the longer */
	op = VACCEL_OP_FPGA_VECTORADD;
	read[2] = RAW(b, 6 * sizeof(float));
	write[0] = RAW(c, 6 * sizeof(float));
	assert_int_equal(vaccel_genop(sess, read, 3, write, 1), VACCEL_OK);
	assert_int_equal(r->last_op, VACCEL_OP_FPGA_VECTORADD);
	assert_ptr_equal(r->fa, a);
	assert_ptr_equal(r->fb, b);
	assert_ptr_equal(r->fout0, c);
	assert_int_equal(r->len_a, 4);
	assert_int_equal(r->len_b, 6);
	write[0] = RAW(c, 5 * sizeof(float));
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 3, write, 1),
			 VACCEL_EINVAL);
	read[2] = ARG(VACCEL_ARG_INT32_ARRAY, b, 6 * sizeof(float));
	write[0] = RAW(c, 6 * sizeof(float));
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 3, write, 1),
			 VACCEL_EINVAL);

	assert_int_equal(r->calls[VACCEL_OP_FPGA_MMULT], 1);
	assert_int_equal(r->calls[VACCEL_OP_FPGA_PARALLEL], 1);
	assert_int_equal(r->calls[VACCEL_OP_FPGA_VECTORADD], 1);
}

/*
 * minmax (untyped)
 */

static void test_minmax(void **state)
{
	struct genop_state *s = *state;
	struct vaccel_session *sess = &s->env.sess;
	struct probe_record *r = s->env.rec;
	uint8_t op = VACCEL_OP_MINMAX;
	double in[5] = {5, 4, 3, 2, 1};
	double out[5];
	double min = 0, max = 0;
	int ndata = 5, low = -1, high = 9;
	char small[2] = {0};
	int64_t wide = 5;
	struct vaccel_arg read[5] = {
		OPARG(&op),
		RAW(in, sizeof(in)),
		RAW(&ndata, sizeof(int)),
		RAW(&low, sizeof(int)),
		RAW(&high, sizeof(int)),
	};
	struct vaccel_arg write[3] = {
		RAW(out, sizeof(out)),
		RAW(&min, sizeof(double)),
		RAW(&max, sizeof(double)),
	};

	assert_int_equal(vaccel_genop(sess, read, 5, write, 3), VACCEL_OK);
	assert_int_equal(r->last_op, VACCEL_OP_MINMAX);
	assert_ptr_equal(r->indata, in);
	assert_int_equal(r->ndata, 5);
	assert_int_equal(r->low, -1);
	assert_int_equal(r->high, 9);
	assert_ptr_equal(r->outdata, out);
	assert_ptr_equal(r->min, &min);
	assert_ptr_equal(r->max, &max);
	assert_true(min == PROBE_MINMAX_MIN);
	assert_true(max == PROBE_MINMAX_MAX);

	/* typed equivalents; fewer elements than the buffer holds */
	ndata = 3;
	read[1] = ARG(VACCEL_ARG_FLOAT64_ARRAY, in, sizeof(in));
	read[2] = ARG(VACCEL_ARG_INT32, &ndata, sizeof(int));
	write[0] = ARG(VACCEL_ARG_FLOAT64_ARRAY, out, 3 * sizeof(double));
	write[1] = ARG(VACCEL_ARG_FLOAT64, &min, sizeof(double));
	assert_int_equal(vaccel_genop(sess, read, 5, write, 3), VACCEL_OK);
	assert_int_equal(r->ndata, 3);
	assert_int_equal(r->calls[VACCEL_OP_MINMAX], 2);

	/* ndata inconsistent with indata / outdata */
	ndata = 6;
	write[0] = RAW(out, sizeof(out));
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 5, write, 3),
			 VACCEL_EINVAL);
	assert_int_equal(lines(s, "ndata = 6 does not fit indata (5 doubles)"),
			 1);
	ndata = 0;
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 5, write, 3),
			 VACCEL_EINVAL);
	ndata = -1;
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 5, write, 3),
			 VACCEL_EINVAL);
	ndata = 5;
	write[0] = RAW(out, 4 * sizeof(double));
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 5, write, 3),
			 VACCEL_EINVAL);
	write[0] = RAW(out, sizeof(out));

	/* scalar sizes */
	read[2] = RAW(small, sizeof(small));
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 5, write, 3),
			 VACCEL_EINVAL);
	read[2] = RAW(&wide, sizeof(wide));
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 5, write, 3),
			 VACCEL_EINVAL);
	read[2] = ARG(VACCEL_ARG_INT64, &wide, sizeof(wide));
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 5, write, 3),
			 VACCEL_EINVAL);
	read[2] = RAW(&ndata, sizeof(int));
	read[3] = RAW(NULL, sizeof(int));
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 5, write, 3),
			 VACCEL_EINVAL);
	read[3] = RAW(&low, sizeof(int));
	write[1] = RAW(&min, sizeof(float));
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 5, write, 3),
			 VACCEL_EINVAL);
	write[1] = RAW(&min, sizeof(double));
	write[2] = RAW(&max, 2 * sizeof(double));
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 5, write, 3),
			 VACCEL_EINVAL);
	write[2] = RAW(&max, sizeof(double));
	read[1] = RAW(in, sizeof(in) - 4);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 5, write, 3),
			 VACCEL_EINVAL);
	read[1] = RAW(in, sizeof(in));

	/* counts */
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 4, write, 3),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(s->log, vaccel_genop(sess, read, 5, write, 2),
			 VACCEL_EINVAL);

	/* back to valid */
	assert_int_equal(vaccel_genop(sess, read, 5, write, 3), VACCEL_OK);
	assert_int_equal(r->calls[VACCEL_OP_MINMAX], 3);
}

/*
 * opencv: passed through
 */

static void test_opencv(void **state)
{
	struct genop_state *s = *state;
	struct vaccel_session *sess = &s->env.sess;
	struct probe_record *r = s->env.rec;
	uint8_t op = VACCEL_OP_OPENCV;
	int fn = 3;
	char data[3] = "xy";
	struct vaccel_arg read[3] = {OPARG(&op), RAW(&fn, sizeof(fn)),
				     ARG(VACCEL_ARG_STRING, data, 3)};
	struct vaccel_arg write[2] = {RAW(data, 1), RAW(data, 2)};

	assert_int_equal(vaccel_genop(sess, read, 3, write, 2), VACCEL_OK);
	assert_int_equal(r->last_op, VACCEL_OP_OPENCV);
	assert_ptr_equal(r->read, &read[1]);
	assert_int_equal(r->nr_read, 2);
	assert_ptr_equal(r->write, write);
	assert_int_equal(r->nr_write, 2);

	assert_int_equal(vaccel_genop(sess, read, 1, NULL, 0), VACCEL_OK);
	assert_null(r->read);
	assert_int_equal(r->nr_read, 0);
	assert_null(r->write);
	assert_int_equal(r->nr_write, 0);
	assert_int_equal(r->calls[VACCEL_OP_OPENCV], 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_selector, setup),
		cmocka_unit_test_setup(test_noop, setup),
		cmocka_unit_test_setup(test_exec, setup),
		cmocka_unit_test_setup(test_exec_with_resource, setup),
		cmocka_unit_test_setup(test_image_classify, setup),
		cmocka_unit_test_setup(test_image_ops, setup),
		cmocka_unit_test_setup(test_sgemm, setup),
		cmocka_unit_test_setup(test_fpga_arraycopy, setup),
		cmocka_unit_test_setup(test_fpga_float_ops, setup),
		cmocka_unit_test_setup(test_minmax, setup),
		cmocka_unit_test_setup(test_opencv, setup),
	};

	return cmocka_run_group_tests_name("genop", tests, group_setup,
					   group_teardown);
}
