// SPDX-License-Identifier: Apache-2.0
/*
 * test_virtio_plugin GROUP PLUGIN
 *
 *   remote    PLUGIN = libvaccel-virtio-loopback.so (a private daemon), or
 *             libvaccel-virtio.so in a guest (tests/e2e): every op,
 *             resources, host error codes, bad input and threads, end to
 *             end; the host's plugins must be noop:blas:exec (or noop:exec)
 *             in that order (session hints pick them: DEBUG noop, CPU blas,
 *             GENERIC exec); blas is used when $VIRTIO_LOOPBACK_HOST_PLUGINS
 *             or $VIRTIO_E2E_HOST_PLUGINS names libvaccel-blas
 *   fake      PLUGIN = libvaccel-virtio-fake.so: transport error mapping,
 *             limits, the device path, resource bookkeeping
 *   device    PLUGIN = libvaccel-virtio.so (the installed one), no device
 *
 * Needs VACCEL_TEST_BUILDDIR (for libmytestlib.so). Every bad input must
 * give its documented code and exactly one "[virtio]" log line.
 */
#include "../test_util.h"
#include "fake_transport.h"

#include <errno.h>
#include <pthread.h>

/* the API's deprecated ops (fpga, minmax) are part of what is forwarded */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

#define HINT_NOOP VACCEL_PLUGIN_DEBUG
#define HINT_BLAS VACCEL_PLUGIN_CPU
#define HINT_EXEC VACCEL_PLUGIN_GENERIC

static const char *plugin;
static char log_path[4096];
static char lib_path[4096];
static bool have_blas;
static struct virtio_fake *fake;

static int virtio_lines(void)
{
	/* the same core built as libvaccel-rpc.so logs "[rpc]" */
	const char *tag = getenv("VIRTIO_TEST_LOG_TAG");
	return count_lines(log_path, tag && *tag ? tag : "[virtio]");
}

/* Run expr, expect code `want` and exactly `lines` new [virtio] lines. */
#define EXPECT(want, lines, expr)                                              \
	do {                                                                   \
		int before_ = virtio_lines();                                  \
		assert_int_equal((expr), (want));                              \
		assert_int_equal(virtio_lines() - before_, (lines));           \
	} while (0)

static int setup(void **state)
{
	(void)state;
	temp_log(log_path, sizeof(log_path));
	assert_int_equal(boot_opts(plugin, log_path, false, false), VACCEL_OK);
	if (fake)
		fake->calls[FAKE_IDX(VIRTIO_ACCEL_IOC_OP)] = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(vaccel_cleanup(), VACCEL_OK);
	unlink(log_path);
	return 0;
}

static void session(struct vaccel_session *s, uint32_t hint)
{
	assert_int_equal(vaccel_session_init(s, hint), VACCEL_OK);
	assert_true(s->is_virtio);
	assert_true(s->remote_id > 0);
}

/* ---------------------------------------------------------------------- */
/* loopback: the real daemon behind                                        */
/* ---------------------------------------------------------------------- */

static void test_sessions(void **state)
{
	struct vaccel_session a, b;
	(void)state;

	session(&a, 0);
	session(&b, HINT_EXEC);
	assert_int_not_equal(a.remote_id, b.remote_id);
	assert_int_equal(vaccel_noop(&a), VACCEL_OK);
	assert_int_equal(vaccel_noop(&b), VACCEL_OK);
	assert_int_equal(vaccel_session_release(&b), VACCEL_OK);
	assert_int_equal(vaccel_noop(&a), VACCEL_OK);
	assert_int_equal(vaccel_session_release(&a), VACCEL_OK);
	assert_int_equal(virtio_lines(), 0);
}

static void test_noop_host_all_ops(void **state)
{
	struct vaccel_session s;
	(void)state;

	session(&s, HINT_NOOP);
	assert_int_equal(vaccel_noop(&s), VACCEL_OK);

	/* exec: the noop host copies read[i] into write[i] */
	int32_t in = 1234, out = 0;
	char big_in[10000], big_out[10000];
	memset(big_in, 'x', sizeof(big_in));
	memset(big_out, 0, sizeof(big_out));
	struct vaccel_arg rd[2], wr[2];
	vaccel_arg_init_from_buf(&rd[0], &in, sizeof(in), VACCEL_ARG_INT32, 0);
	vaccel_arg_init_from_buf(&rd[1], big_in, sizeof(big_in),
				 VACCEL_ARG_BUFFER, 0);
	vaccel_arg_init_from_buf(&wr[0], &out, sizeof(out), VACCEL_ARG_INT32,
				 0);
	vaccel_arg_init_from_buf(&wr[1], big_out, sizeof(big_out),
				 VACCEL_ARG_BUFFER, 0);
	assert_int_equal(vaccel_exec(&s, "lib.so", "fn", rd, 2, wr, 2),
			 VACCEL_OK);
	assert_int_equal(out, 1234);
	assert_memory_equal(big_in, big_out, sizeof(big_in));
	assert_int_equal(wr[0].size, sizeof(out));

	/* images */
	unsigned char img[5000], text[128], name[128];
	memset(img, 7, sizeof(img));
	assert_int_equal(vaccel_image_classification(&s, img, text, name,
						     sizeof(img), sizeof(text),
						     sizeof(name)),
			 VACCEL_OK);
	assert_string_equal((char *)text,
			    "This is a dummy classification tag!");
	assert_string_equal((char *)name, "This is a dummy imgname!");
	/* the 5-argument form: no out_text */
	memset(name, 0, sizeof(name));
	assert_int_equal(vaccel_image_classification(&s, img, NULL, name,
						     sizeof(img), 0,
						     sizeof(name)),
			 VACCEL_OK);
	assert_string_equal((char *)name, "This is a dummy imgname!");
	int (*imgops[])(struct vaccel_session *, const void *, unsigned char *,
			size_t, size_t) = {
		vaccel_image_detection, vaccel_image_segmentation,
		vaccel_image_pose, vaccel_image_depth};
	for (size_t i = 0; i < 4; i++) {
		memset(name, 0, sizeof(name));
		assert_int_equal(imgops[i](&s, img, name, 10, 8), VACCEL_OK);
		assert_string_equal((char *)name, "This is");
	}

	/* sgemm (noop: c[i][j] = i + j), small and large */
	for (int64_t m = 3; m <= 300; m += 297) {
		int64_t n = m + 1, k = 2, ldc = n + 2;
		float *a = calloc((size_t)(m * k), sizeof(float));
		float *b = calloc((size_t)(k * n), sizeof(float));
		float *c = calloc((size_t)(m * ldc), sizeof(float));
		assert_non_null(a);
		assert_non_null(b);
		assert_non_null(c);
		assert_int_equal(vaccel_sgemm(&s, m, n, k, 1.0f, a, k, b, n,
					      0.0f, c, ldc),
				 VACCEL_OK);
		for (int64_t i = 0; i < m; i++)
			for (int64_t j = 0; j < n; j++)
				assert_true(c[i * ldc + j] == (float)(i + j));
		free(a);
		free(b);
		free(c);
	}

	/* fpga */
	int ia[4] = {4, 3, 2, 1}, ib[4] = {0};
	assert_int_equal(vaccel_fpga_arraycopy(&s, ia, ib, 4), VACCEL_OK);
	assert_memory_equal(ia, ib, sizeof(ia));
	float fa[4] = {1, 2, 3, 4}, fb[4] = {2, 2, 2, 2}, fc[4], fd[4];
	assert_int_equal(vaccel_fpga_mmult(&s, fa, fb, fc, 4), VACCEL_OK);
	assert_true(fc[0] == 1 * 2 + 2 * 2); /* 2x2 matrices */
	assert_int_equal(vaccel_fpga_parallel(&s, fa, fb, fc, fd, 4),
			 VACCEL_OK);
	assert_true(fc[3] == 6 && fd[3] == 8);
	assert_int_equal(vaccel_fpga_vadd(&s, fa, fb, fc, 4, 4), VACCEL_OK);
	assert_true(fc[0] == 3 && fc[3] == 6);

	/* minmax */
	double inv[5] = {3, -1, 7, 2, 0}, outv[5] = {0}, lo = 0, hi = 0;
	assert_int_equal(vaccel_minmax(&s, inv, 5, 0, 10, outv, &lo, &hi),
			 VACCEL_OK);
	assert_true(lo == -1 && hi == 7);
	assert_memory_equal(inv, outv, sizeof(inv));

	/* opencv: args forwarded as they are */
	char cv_in[3] = "cv", cv_out[3] = {0};
	struct vaccel_arg crd, cwr;
	vaccel_arg_init_from_buf(&crd, cv_in, sizeof(cv_in), VACCEL_ARG_RAW, 0);
	vaccel_arg_init_from_buf(&cwr, cv_out, sizeof(cv_out), VACCEL_ARG_RAW,
				 0);
	assert_int_equal(vaccel_opencv_unpack(&s, &crd, 1, &cwr, 1), VACCEL_OK);
	assert_string_equal(cv_out, "cv");

	/* generic op from the guest: same path */
	uint8_t opb = VACCEL_OP_FPGA_ARRAYCOPY;
	struct vaccel_arg grd[2], gwr[1];
	memset(ib, 0, sizeof(ib));
	vaccel_arg_init_from_buf(&grd[0], &opb, 1, VACCEL_ARG_UINT8, 0);
	vaccel_arg_init_from_buf(&grd[1], ia, sizeof(ia),
				 VACCEL_ARG_INT32_ARRAY, 0);
	vaccel_arg_init_from_buf(&gwr[0], ib, sizeof(ib),
				 VACCEL_ARG_INT32_ARRAY, 0);
	assert_int_equal(vaccel_genop(&s, grd, 2, gwr, 1), VACCEL_OK);
	assert_memory_equal(ia, ib, sizeof(ia));

	assert_int_equal(vaccel_session_release(&s), VACCEL_OK);
	assert_int_equal(virtio_lines(), 0);
}

static void test_not_carried(void **state)
{
	struct vaccel_session s;
	struct vaccel_resource model;
	(void)state;

	session(&s, HINT_NOOP);
	assert_int_equal(vaccel_resource_init_from_buf(&model, "model", 5,
						       VACCEL_RESOURCE_MODEL,
						       "model.pb", true),
			 VACCEL_OK);
	assert_int_equal(vaccel_resource_register(&model, &s), VACCEL_OK);
	/* not carried (model ops are: test_virtio_models): ENOTSUP from the
	 * runtime, one line */
	assert_int_equal(vaccel_resource_sync(&model, &s), VACCEL_ENOTSUP);
	assert_int_equal(vaccel_resource_release(&model), VACCEL_OK);
	assert_int_equal(vaccel_session_release(&s), VACCEL_OK);
}

static void test_host_codes(void **state)
{
	struct vaccel_session s;
	int32_t in = 21, out = 0;
	struct vaccel_arg rd, wr;
	(void)state;

	session(&s, HINT_EXEC);
	vaccel_arg_init_from_buf(&rd, &in, sizeof(in), VACCEL_ARG_INT32, 0);
	vaccel_arg_init_from_buf(&wr, &out, sizeof(out), VACCEL_ARG_INT32, 0);
	assert_int_equal(
		vaccel_exec(&s, lib_path, "mytestfunc", &rd, 1, &wr, 1),
		VACCEL_OK);
	assert_int_equal(out, 42);
	/* the host's vAccel code reaches the caller unchanged */
	EXPECT(VACCEL_EBACKEND, 1,
	       vaccel_exec(&s, lib_path, "mytestfunc_fail", &rd, 1, &wr, 1));
	EXPECT(VACCEL_ENOSYS, 1,
	       vaccel_exec(&s, lib_path, "nosuchsym", &rd, 1, &wr, 1));
	EXPECT(VACCEL_EINVAL, 1,
	       vaccel_exec(&s, "/nonexistent/lib.so", "f", &rd, 1, &wr, 1));
	/* the exec host plugin has no sgemm */
	float a = 1, b = 1, c = 0;
	EXPECT(VACCEL_ENOTSUP, 1,
	       vaccel_sgemm(&s, 1, 1, 1, 1, &a, 1, &b, 1, 0, &c, 1));
	assert_int_equal(vaccel_session_release(&s), VACCEL_OK);
}

static void test_sgemm_blas(void **state)
{
	struct vaccel_session s;
	enum { M = 64, N = 48, K = 80 };
	(void)state;

	if (!have_blas)
		skip();
	session(&s, HINT_BLAS);
	float *a = malloc(sizeof(float) * M * K);
	float *b = malloc(sizeof(float) * K * N);
	float *c = malloc(sizeof(float) * M * N);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	for (int i = 0; i < M * K; i++)
		a[i] = (float)(i % 7) - 3;
	for (int i = 0; i < K * N; i++)
		b[i] = (float)(i % 5) - 2;
	for (int i = 0; i < M * N; i++)
		c[i] = 1;
	/* c is 12 KiB: a segment argument, so beta * c is computed */
	assert_int_equal(vaccel_sgemm(&s, M, N, K, 2, a, K, b, N, 0.5f, c, N),
			 VACCEL_OK);
	for (int i = 0; i < M; i++)
		for (int j = 0; j < N; j++) {
			float want = 0.5f;
			for (int p = 0; p < K; p++)
				want += 2 * a[i * K + p] * b[p * N + j];
			assert_true(c[i * N + j] == want);
		}
	free(a);
	free(b);
	free(c);
	assert_int_equal(vaccel_session_release(&s), VACCEL_OK);
}

static void exec_res(struct vaccel_session *s, struct vaccel_resource *r,
		     int32_t in)
{
	int32_t out = 0;
	struct vaccel_arg rd, wr;
	vaccel_arg_init_from_buf(&rd, &in, sizeof(in), VACCEL_ARG_INT32, 0);
	vaccel_arg_init_from_buf(&wr, &out, sizeof(out), VACCEL_ARG_INT32, 0);
	assert_int_equal(
		vaccel_exec_with_resource(s, r, "mytestfunc", &rd, 1, &wr, 1),
		VACCEL_OK);
	assert_int_equal(out, 2 * in);
}

static void test_resources(void **state)
{
	struct vaccel_session s1, s2;
	struct vaccel_resource lib, buf;
	(void)state;

	session(&s1, HINT_EXEC);
	session(&s2, HINT_EXEC);
	assert_int_equal(
		vaccel_resource_init(&lib, lib_path, VACCEL_RESOURCE_LIB),
		VACCEL_OK);
	assert_int_equal(vaccel_resource_register(&lib, &s1), VACCEL_OK);
	vaccel_id_t rid = lib.remote_id;
	assert_true(rid > 0);
	/* shipped once: the second session registers the same object */
	assert_int_equal(vaccel_resource_register(&lib, &s2), VACCEL_OK);
	assert_int_equal(lib.remote_id, rid);
	exec_res(&s1, &lib, 3);
	exec_res(&s2, &lib, 4);
	assert_int_equal(vaccel_resource_unregister(&lib, &s1), VACCEL_OK);
	exec_res(&s2, &lib, 5);
	assert_int_equal(vaccel_resource_unregister(&lib, &s2), VACCEL_OK);
	assert_int_equal(lib.remote_id, 0);
	/* again after the remote object is gone */
	assert_int_equal(vaccel_resource_register(&lib, &s1), VACCEL_OK);
	exec_res(&s1, &lib, 6);
	/* not registered with s2: the runtime refuses */
	int32_t in = 1, out = 0;
	struct vaccel_arg rd, wr;
	vaccel_arg_init_from_buf(&rd, &in, sizeof(in), VACCEL_ARG_INT32, 0);
	vaccel_arg_init_from_buf(&wr, &out, sizeof(out), VACCEL_ARG_INT32, 0);
	assert_int_equal(vaccel_exec_with_resource(&s2, &lib, "mytestfunc", &rd,
						   1, &wr, 1),
			 VACCEL_EPERM);

	/* a memory-only resource with > 4 KiB of content (segments) */
	unsigned char *bytes = NULL;
	size_t len = 0;
	FILE *f = fopen(lib_path, "rb");
	assert_non_null(f);
	bytes = malloc(1 << 22);
	assert_non_null(bytes);
	len = fread(bytes, 1, 1 << 22, f);
	fclose(f);
	assert_true(len > 4096);
	assert_int_equal(vaccel_resource_init_from_buf(&buf, bytes, len,
						       VACCEL_RESOURCE_LIB,
						       "libcopy.so", true),
			 VACCEL_OK);
	assert_int_equal(vaccel_resource_register(&buf, &s2), VACCEL_OK);
	exec_res(&s2, &buf, 7);
	/* release while registered: unregistered (and destroyed) first */
	assert_int_equal(vaccel_resource_release(&buf), VACCEL_OK);
	free(bytes);
	/* session release unregisters what is left */
	assert_int_equal(vaccel_session_release(&s1), VACCEL_OK);
	assert_int_equal(lib.remote_id, 0);
	assert_int_equal(vaccel_resource_release(&lib), VACCEL_OK);
	assert_int_equal(vaccel_session_release(&s2), VACCEL_OK);
	assert_int_equal(virtio_lines(), 0);
}

static void test_bad_input(void **state)
{
	struct vaccel_session s;
	unsigned char out[8];
	float a[4] = {0}, b[4] = {0}, c[4] = {0};
	double d[2] = {0}, lo, hi;
	(void)state;

	session(&s, HINT_NOOP);
	EXPECT(VACCEL_EINVAL, 1,
	       vaccel_image_detection(&s, NULL, out, 10, sizeof(out)));
	EXPECT(VACCEL_EINVAL, 1,
	       vaccel_image_pose(&s, out, out, 0, sizeof(out)));
	EXPECT(VACCEL_EINVAL, 1,
	       vaccel_sgemm(&s, 0, 1, 1, 1, a, 1, b, 1, 0, c, 1));
	EXPECT(VACCEL_EINVAL, 1,
	       vaccel_sgemm(&s, 2, 2, 2, 1, a, 1, b, 2, 0, c, 2)); /* lda<k */
	EXPECT(VACCEL_EINVAL, 1,
	       vaccel_sgemm(&s, 2, 2, 2, 1, a, 2, NULL, 2, 0, c, 2));
	EXPECT(VACCEL_EINVAL, 1,
	       vaccel_sgemm(&s, INT64_MAX, 2, 2, 1, a, 2, b, 2, 0, c,
			    INT64_MAX));
	EXPECT(VACCEL_EINVAL, 1, vaccel_minmax(&s, d, 0, 0, 0, d, &lo, &hi));
	EXPECT(VACCEL_EINVAL, 1, vaccel_minmax(&s, d, 2, 0, 0, d, NULL, &hi));
	EXPECT(VACCEL_EINVAL, 1, vaccel_fpga_mmult(&s, a, b, c, 0));
	EXPECT(VACCEL_EINVAL, 1, vaccel_fpga_vadd(&s, a, NULL, c, 4, 4));
	EXPECT(VACCEL_EINVAL, 1,
	       vaccel_fpga_arraycopy(&s, NULL, (int *)c, SIZE_MAX));
	struct vaccel_arg bad;
	vaccel_arg_init_from_buf(&bad, a, sizeof(a), VACCEL_ARG_RAW, 0);
	bad.type = (vaccel_arg_type_t)77;
	EXPECT(VACCEL_EINVAL, 1, vaccel_exec(&s, "l", "f", &bad, 1, NULL, 0));
	bad.type = VACCEL_ARG_RAW;
	bad.buf = NULL;
	EXPECT(VACCEL_EINVAL, 1, vaccel_exec(&s, "l", "f", NULL, 0, &bad, 1));
	/* (the runtime itself rejects negative opencv counts) */
	EXPECT(VACCEL_EINVAL, 0, vaccel_opencv_unpack(&s, NULL, -1, NULL, 0));
	/* more args than the device takes (max_args 256) */
	struct vaccel_arg *many = calloc(300, sizeof(*many));
	assert_non_null(many);
	for (int i = 0; i < 300; i++)
		vaccel_arg_init_from_buf(&many[i], a, 4, VACCEL_ARG_RAW, 0);
	EXPECT(VACCEL_ENOSPC, 1, vaccel_exec(&s, "l", "f", many, 300, NULL, 0));
	free(many);
	/* the session still works */
	assert_int_equal(vaccel_noop(&s), VACCEL_OK);
	assert_int_equal(vaccel_session_release(&s), VACCEL_OK);
}

struct thr {
	pthread_t t;
	int id;
	struct vaccel_session *shared;
	int errors;
};

static void *thread_main(void *p)
{
	struct thr *t = p;
	struct vaccel_session own;
	if (vaccel_session_init(&own, HINT_EXEC)) {
		t->errors++;
		return NULL;
	}
	for (int i = 0; i < 40; i++) {
		int32_t in = t->id * 1000 + i, out = 0;
		struct vaccel_arg rd, wr;
		vaccel_arg_init_from_buf(&rd, &in, sizeof(in), VACCEL_ARG_INT32,
					 0);
		vaccel_arg_init_from_buf(&wr, &out, sizeof(out),
					 VACCEL_ARG_INT32, 0);
		if (vaccel_exec(&own, lib_path, "mytestfunc", &rd, 1, &wr, 1) ||
		    out != 2 * in)
			t->errors++;
		int ia[64], ib[64];
		for (int k = 0; k < 64; k++)
			ia[k] = t->id * 7 + i + k;
		if (vaccel_fpga_arraycopy(t->shared, ia, ib, 64) ||
		    memcmp(ia, ib, sizeof(ia)))
			t->errors++;
	}
	if (vaccel_session_release(&own))
		t->errors++;
	return NULL;
}

static void test_threads(void **state)
{
	struct vaccel_session shared;
	struct thr t[8];
	(void)state;

	session(&shared, HINT_NOOP);
	for (int i = 0; i < 8; i++) {
		t[i] = (struct thr){.id = i, .shared = &shared};
		assert_int_equal(
			pthread_create(&t[i].t, NULL, thread_main, &t[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i].t, NULL);
		assert_int_equal(t[i].errors, 0);
	}
	assert_int_equal(vaccel_session_release(&shared), VACCEL_OK);
}

/* ---------------------------------------------------------------------- */
/* fake: the scripted transport                                            */
/* ---------------------------------------------------------------------- */

static int fake_setup(void **state)
{
	int ret = setup(state);
	pthread_mutex_lock(&fake->lock);
	memset(fake->fail, 0, sizeof(fake->fail));
	fake->open_errno = 0;
	fake->vaccel_ret = 0;
	fake->version = 0;
	fake->max_args = fake->max_blobs = 0;
	fake->max_arg_size = 0;
	fake->produced_set = false;
	memset(fake->calls, 0, sizeof(fake->calls));
	pthread_mutex_unlock(&fake->lock);
	return ret;
}

static void fake_fail(unsigned long req, int err, uint32_t status)
{
	fake->fail[FAKE_IDX(req)].err = err;
	fake->fail[FAKE_IDX(req)].status = status;
	fake->fail[FAKE_IDX(req)].once = false;
}

static void test_fake_error_map(void **state)
{
	static const struct {
		int err;
		uint32_t status;
		int want;
	} map[] = {
		{EIO, VIRTIO_ACCEL_ERR, VACCEL_EIO},
		{EIO, VIRTIO_ACCEL_OK, VACCEL_EIO},
		{EREMOTEIO, 0, VACCEL_EIO},
		{ETIMEDOUT, 0, VACCEL_EIO},
		{EINTR, 0, VACCEL_EIO},
		{EBADMSG, VIRTIO_ACCEL_BADMSG, VACCEL_EINVAL},
		{EOPNOTSUPP, VIRTIO_ACCEL_UNSUPP, VACCEL_ENOTSUP},
		{EPROTO, VIRTIO_ACCEL_VERSION_MISMATCH, VACCEL_EBACKEND},
		{ENOENT, VIRTIO_ACCEL_NOSESS, VACCEL_ESESS},
		{ENOENT, VIRTIO_ACCEL_NORES, VACCEL_ENOENT},
		{ENOSPC, VIRTIO_ACCEL_LIMIT, VACCEL_ENOSPC},
		{E2BIG, 0, VACCEL_ENOSPC},
		{EFAULT, VIRTIO_ACCEL_FAULT, VACCEL_EFAULT},
		{EOVERFLOW, VIRTIO_ACCEL_OVERFLOW, VACCEL_ERANGE},
		{EAGAIN, VIRTIO_ACCEL_BUSY, VACCEL_EAGAIN},
		{ENOMEM, 0, VACCEL_ENOMEM},
		{ENODEV, 0, VACCEL_ENODEV},
		{EINVAL, 0, VACCEL_EINVAL},
		{ENOTTY, 0, VACCEL_ENOTSUP},
	};
	struct vaccel_session s;
	(void)state;

	session(&s, 0);
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		fake_fail(VIRTIO_ACCEL_IOC_OP, map[i].err, map[i].status);
		EXPECT(map[i].want, 1, vaccel_noop(&s));
	}
	fake_fail(VIRTIO_ACCEL_IOC_OP, 0, 0);
	/* the host's code passes through unchanged, with one line */
	fake->vaccel_ret = 4242;
	EXPECT(4242, 1, vaccel_noop(&s));
	fake->vaccel_ret = 0;
	EXPECT(VACCEL_OK, 0, vaccel_noop(&s));
	/* session creation failures */
	struct vaccel_session t;
	fake_fail(VIRTIO_ACCEL_IOC_SESSION_CREATE, ETIMEDOUT, 0);
	assert_int_equal(vaccel_session_init(&t, 0), VACCEL_EIO);
	fake_fail(VIRTIO_ACCEL_IOC_SESSION_CREATE, 0, 0);
	fake->vaccel_ret = VACCEL_ENOTSUP;
	assert_int_equal(vaccel_session_init(&t, 0), VACCEL_ENOTSUP);
	fake->vaccel_ret = 0;
	/* the host forgot the session: release still succeeds */
	fake_fail(VIRTIO_ACCEL_IOC_SESSION_DESTROY, ENOENT,
		  VIRTIO_ACCEL_NOSESS);
	EXPECT(VACCEL_OK, 0, vaccel_session_release(&s));
}

static void test_fake_flags_and_args(void **state)
{
	struct vaccel_session s;
	(void)state;

	session(&s, VACCEL_PLUGIN_CPU | VACCEL_PLUGIN_REMOTE);
	assert_int_equal(fake->last_flags, VACCEL_PLUGIN_CPU);
	/* the default host hint for sessions without one */
	struct vaccel_session h;
	setenv("VACCEL_VIRTIO_SESSION_HINT", "0x80", 1);
	session(&h, 0);
	assert_int_equal(fake->last_flags, 0x80);
	assert_int_equal(vaccel_session_release(&h), VACCEL_OK);
	setenv("VACCEL_VIRTIO_SESSION_HINT", "bogus", 1);
	session(&h, 0);
	assert_int_equal(fake->last_flags, 0);
	assert_int_equal(vaccel_session_release(&h), VACCEL_OK);
	unsetenv("VACCEL_VIRTIO_SESSION_HINT");

	/* typed sgemm layout, buffers by address, nothing copied */
	float a[6], b[8], c[12];
	assert_int_equal(
		vaccel_sgemm(&s, 3, 4, 2, 2.0f, a, 2, b, 4, 0.5f, c, 4),
		VACCEL_OK);
	assert_int_equal(fake->last_op, VACCEL_OP_BLAS_SGEMM);
	assert_int_equal(fake->last_nr_read, 10);
	assert_int_equal(fake->last_nr_write, 1);
	static const uint32_t types[10] = {
		VACCEL_ARG_INT64,	  VACCEL_ARG_INT64,
		VACCEL_ARG_INT64,	  VACCEL_ARG_FLOAT32,
		VACCEL_ARG_FLOAT32_ARRAY, VACCEL_ARG_INT64,
		VACCEL_ARG_FLOAT32_ARRAY, VACCEL_ARG_INT64,
		VACCEL_ARG_FLOAT32,	  VACCEL_ARG_INT64};
	for (int i = 0; i < 10; i++)
		assert_int_equal(fake->last_read[i].type, types[i]);
	assert_int_equal(fake->last_read[4].uaddr, (uintptr_t)a);
	assert_int_equal(fake->last_read[4].len, sizeof(a));
	assert_int_equal(fake->last_read[6].len, sizeof(b));
	assert_int_equal(fake->last_write[0].uaddr, (uintptr_t)c);
	assert_int_equal(fake->last_write[0].len, sizeof(c));
	assert_int_equal(fake->last_write[0].type, VACCEL_ARG_FLOAT32_ARRAY);

	/* exec: produced sizes come back into the caller's write args */
	char w[16];
	struct vaccel_arg wr;
	vaccel_arg_init_from_buf(&wr, w, sizeof(w), VACCEL_ARG_BUFFER, 0);
	fake->produced_set = true;
	fake->produced = 5;
	assert_int_equal(vaccel_exec(&s, "l.so", "f", NULL, 0, &wr, 1),
			 VACCEL_OK);
	assert_int_equal(fake->last_nr_read, 2);
	assert_int_equal(fake->last_read[0].type, VACCEL_ARG_STRING);
	assert_int_equal(fake->last_read[0].len, 5);
	assert_int_equal(wr.size, 5);
	/* a device claiming more than the capacity is not believed */
	fake->produced = 1000;
	assert_int_equal(vaccel_exec(&s, "l.so", "f", NULL, 0, &wr, 1),
			 VACCEL_OK);
	assert_int_equal(wr.size, 5);
	/* overflow: the needed size is reported in the log line */
	fake_fail(VIRTIO_ACCEL_IOC_OP, EOVERFLOW, VIRTIO_ACCEL_OVERFLOW);
	int before = count_lines(log_path, "needs 1000 bytes");
	EXPECT(VACCEL_ERANGE, 1, vaccel_exec(&s, "l.so", "f", NULL, 0, &wr, 1));
	assert_int_equal(count_lines(log_path, "needs 1000 bytes"), before + 1);
	fake_fail(VIRTIO_ACCEL_IOC_OP, 0, 0);
	fake->produced_set = false;

	/* limits from GET_INFO are checked before anything is sent */
	unsigned int ops = fake->calls[FAKE_IDX(VIRTIO_ACCEL_IOC_OP)];
	EXPECT(VACCEL_ENOSPC, 1,
	       vaccel_sgemm(&s, 100000, 100000, 1, 1, a, 1, b, 100000, 0, c,
			    100000));
	assert_int_equal(fake->calls[FAKE_IDX(VIRTIO_ACCEL_IOC_OP)], ops);
	assert_int_equal(vaccel_session_release(&s), VACCEL_OK);
}

static void test_fake_resources(void **state)
{
	struct vaccel_session s1, s2;
	struct vaccel_resource r;
	char data[100] = "content";
	(void)state;

	session(&s1, 0);
	session(&s2, 0);
	assert_int_equal(vaccel_resource_init_from_buf(&r, data, sizeof(data),
						       VACCEL_RESOURCE_DATA,
						       "d.bin", true),
			 VACCEL_OK);
	assert_int_equal(vaccel_resource_register(&r, &s1), VACCEL_OK);
	assert_int_equal(
		fake->calls[FAKE_IDX(VIRTIO_ACCEL_IOC_RESOURCE_CREATE)], 1);
	assert_int_equal(fake->last_nr_blobs, 1);
	assert_int_equal(fake->last_blob0_len, sizeof(data));
	assert_int_equal(fake->last_session, (uint64_t)s1.remote_id);
	vaccel_id_t rid = r.remote_id;
	assert_int_equal(vaccel_resource_register(&r, &s2), VACCEL_OK);
	assert_int_equal(
		fake->calls[FAKE_IDX(VIRTIO_ACCEL_IOC_RESOURCE_CREATE)], 1);
	assert_int_equal(
		fake->calls[FAKE_IDX(VIRTIO_ACCEL_IOC_RESOURCE_REGISTER)], 1);
	assert_int_equal(r.remote_id, rid);
	/* unregister s1: UNREGISTER; the device forgot it: still fine */
	fake_fail(VIRTIO_ACCEL_IOC_RESOURCE_UNREGISTER, ENOENT,
		  VIRTIO_ACCEL_NORES);
	EXPECT(VACCEL_OK, 0, vaccel_resource_unregister(&r, &s1));
	fake_fail(VIRTIO_ACCEL_IOC_RESOURCE_UNREGISTER, 0, 0);
	/* register with s1 again; the device lost the resource (host
	 * restart): shipped again */
	fake_fail(VIRTIO_ACCEL_IOC_RESOURCE_REGISTER, ENOENT,
		  VIRTIO_ACCEL_NORES);
	assert_int_equal(vaccel_resource_register(&r, &s1), VACCEL_OK);
	assert_int_equal(
		fake->calls[FAKE_IDX(VIRTIO_ACCEL_IOC_RESOURCE_CREATE)], 2);
	assert_int_not_equal(r.remote_id, rid);
	fake_fail(VIRTIO_ACCEL_IOC_RESOURCE_REGISTER, 0, 0);
	/* s2's registration died with the old object: unregister is local */
	unsigned int n =
		fake->calls[FAKE_IDX(VIRTIO_ACCEL_IOC_RESOURCE_UNREGISTER)];
	assert_int_equal(vaccel_resource_unregister(&r, &s2), VACCEL_OK);
	assert_int_equal(
		fake->calls[FAKE_IDX(VIRTIO_ACCEL_IOC_RESOURCE_UNREGISTER)], n);
	/* the last one destroys */
	assert_int_equal(vaccel_resource_unregister(&r, &s1), VACCEL_OK);
	assert_int_equal(
		fake->calls[FAKE_IDX(VIRTIO_ACCEL_IOC_RESOURCE_DESTROY)], 1);
	assert_int_equal(r.remote_id, 0);
	/* a host failure is returned unchanged */
	fake->vaccel_ret = VACCEL_EINVAL;
	assert_int_equal(vaccel_resource_register(&r, &s1), VACCEL_EINVAL);
	fake->vaccel_ret = 0;
	assert_int_equal(vaccel_resource_release(&r), VACCEL_OK);
	assert_int_equal(vaccel_session_release(&s1), VACCEL_OK);
	assert_int_equal(vaccel_session_release(&s2), VACCEL_OK);
}

static void test_fake_open(void **state)
{
	struct vaccel_session s;
	(void)state;

	/* no device yet: ENODEV, one line; it is retried later */
	fake->open_errno = ENOENT;
	EXPECT(VACCEL_ENODEV, 1, vaccel_session_init(&s, 0));
	fake->open_errno = EACCES;
	assert_int_equal(vaccel_session_init(&s, 0), VACCEL_EACCES);
	fake->open_errno = 0;
	assert_string_equal(fake->path, "/dev/fake-accel");
	session(&s, 0);
	unsigned int opens = fake->opens;
	struct vaccel_session t;
	session(&t, 0);
	assert_int_equal(fake->opens, opens); /* once per process */
	assert_int_equal(vaccel_session_release(&t), VACCEL_OK);
	assert_int_equal(vaccel_session_release(&s), VACCEL_OK);
}

static void test_fake_probe(void **state)
{
	struct vaccel_session s;
	(void)state;

	/* not a virtio-accel device, or the wrong protocol version */
	fake_fail(VIRTIO_ACCEL_IOC_GET_INFO, ENOTTY, 0);
	EXPECT(VACCEL_ENODEV, 1, vaccel_session_init(&s, 0));
	fake_fail(VIRTIO_ACCEL_IOC_GET_INFO, 0, 0);
	fake->version = 2;
	assert_int_equal(vaccel_session_init(&s, 0), VACCEL_ENOTSUP);
	fake->version = 0;
	session(&s, 0);
	assert_int_equal(vaccel_session_release(&s), VACCEL_OK);
}

/* ---------------------------------------------------------------------- */
/* device: the installed plugin without a device                          */
/* ---------------------------------------------------------------------- */

static void test_device_missing(void **state)
{
	struct vaccel_session s;
	(void)state;

	setenv("VACCEL_VIRTIO_DEVICE", "/nonexistent/virtio-accel0", 1);
	EXPECT(VACCEL_ENODEV, 1, vaccel_session_init(&s, 0));
	/* a file that is not the device: GET_INFO fails */
	setenv("VACCEL_VIRTIO_DEVICE", "/dev/null", 1);
	EXPECT(VACCEL_ENODEV, 1, vaccel_session_init(&s, 0));
}

int main(int argc, char *argv[])
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s remote|fake|device PLUGIN\n",
			argv[0]);
		return 2;
	}
	plugin = argv[2];
	const char *b = getenv("VACCEL_TEST_BUILDDIR");
	snprintf(lib_path, sizeof(lib_path), "%s/examples/libmytestlib.so",
		 b ? b : ".");
	const char *hp = getenv("VIRTIO_LOOPBACK_HOST_PLUGINS");
	if (!hp)
		hp = getenv("VIRTIO_E2E_HOST_PLUGINS");
	have_blas = hp && strstr(hp, "libvaccel-blas");

	if (!strcmp(argv[1], "remote")) {
		const struct CMUnitTest tests[] = {
			cmocka_unit_test_setup_teardown(test_sessions, setup,
							teardown),
			cmocka_unit_test_setup_teardown(test_noop_host_all_ops,
							setup, teardown),
			cmocka_unit_test_setup_teardown(test_not_carried, setup,
							teardown),
			cmocka_unit_test_setup_teardown(test_host_codes, setup,
							teardown),
			cmocka_unit_test_setup_teardown(test_sgemm_blas, setup,
							teardown),
			cmocka_unit_test_setup_teardown(test_resources, setup,
							teardown),
			cmocka_unit_test_setup_teardown(test_bad_input, setup,
							teardown),
			cmocka_unit_test_setup_teardown(test_threads, setup,
							teardown),
		};
		return cmocka_run_group_tests(tests, NULL, NULL);
	}
	if (!strcmp(argv[1], "fake")) {
		/* the plugin's control block, once loaded */
		assert_int_equal(boot(plugin), VACCEL_OK);
		const struct vaccel_plugin *p = vaccel_plugin_get(0);
		fake = p ? dlsym(p->dl_handle, "virtio_fake") : NULL;
		if (!fake) {
			fprintf(stderr, "no virtio_fake in %s\n", plugin);
			return 1;
		}
		/* keep the module (and the block) mapped across cleanups */
		void *pin = dlopen(plugin, RTLD_NOW | RTLD_NOLOAD);
		vaccel_cleanup();
		setenv("VACCEL_VIRTIO_DEVICE", "/dev/fake-accel", 1);
		const struct CMUnitTest tests[] = {
			cmocka_unit_test_setup_teardown(test_fake_error_map,
							fake_setup, teardown),
			cmocka_unit_test_setup_teardown(
				test_fake_flags_and_args, fake_setup, teardown),
			cmocka_unit_test_setup_teardown(test_fake_resources,
							fake_setup, teardown),
			cmocka_unit_test_setup_teardown(test_fake_open,
							fake_setup, teardown),
			cmocka_unit_test_setup_teardown(test_fake_probe,
							fake_setup, teardown),
		};
		int ret = cmocka_run_group_tests(tests, NULL, NULL);
		if (pin)
			dlclose(pin);
		return ret;
	}
	if (!strcmp(argv[1], "device")) {
		const struct CMUnitTest tests[] = {
			cmocka_unit_test_setup_teardown(test_device_missing,
							setup, teardown),
		};
		return cmocka_run_group_tests(tests, NULL, NULL);
	}
	fprintf(stderr, "unknown group %s\n", argv[1]);
	return 2;
}
