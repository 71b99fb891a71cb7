// SPDX-License-Identifier: Apache-2.0
/*
 * End-to-end tests of vhost-user-accel: the real daemon, spoken to over its
 * vhost-user socket by the user-space VMM of vmm.c, with requests laid out
 * in guest memory exactly as the guest driver lays them out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "vmm.h"

#define MEM_SIZE (64u << 20)

enum {
	T_INT32 = 5,
	T_INT64 = 7,
	T_FLOAT32 = 17,
	T_FLOAT32_ARRAY = 18,
	T_STRING = 27,
	T_BUFFER = 28,
	OP_NOOP = 0,
	OP_EXEC_WITH_RESOURCE = 2,
	OP_BLAS_SGEMM = 17,
	OP_TF_MODEL_LOAD = 8,
	OP_TORCH_SGEMM = 16, /* the one op the protocol does not carry */
	RES_LIB = 0,
};

static char plugin_path[512];

static bool plugin(const char *name, char *out, size_t size)
{
	const char *b = getenv("VACCEL_TEST_BUILDDIR");
	snprintf(out, size, "%s/plugins/%s/libvaccel-%s.so", b ? b : ".", name,
		 name);
	return access(out, R_OK) == 0;
}

struct fixture {
	struct daemon d;
	struct vmm v;
};

static int start_with(void **state, const char *plug, const char *const *extra)
{
	char path[512];
	if (!plugin(plug, path, sizeof(path))) {
		print_message("[  SKIP    ] plugin %s not built (%s)\n", plug,
			      path);
		return -2;
	}
	struct fixture *f = calloc(1, sizeof(*f));
	if (daemon_start(&f->d, path, extra) < 0) {
		print_message("cannot start the daemon (VHOST_USER_ACCEL=%s)\n",
			      getenv("VHOST_USER_ACCEL"));
		free(f);
		return -1;
	}
	if (vmm_connect(&f->v, f->d.sock, MEM_SIZE) < 0) {
		print_message("vhost-user negotiation failed\n");
		daemon_stop(&f->d);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int setup_noop(void **state)
{
	int rc = start_with(state, "noop", NULL);
	if (rc == -2)
		*state = NULL; /* plugin missing: the test skips */
	return rc == -1 ? -1 : 0;
}

/* For tests that start their own daemon: skip if the plugin is absent,
 * fail if the daemon cannot be started or spoken to. */
#define START_OR_SKIP(st, plug, extra)                                         \
	do {                                                                   \
		int rc_ = start_with(&(st), (plug), (extra));                  \
		if (rc_ == -2)                                                 \
			skip();                                                \
		if (rc_ < 0)                                                   \
			fail_msg("cannot start/connect the daemon");           \
	} while (0)

static int teardown(void **state)
{
	struct fixture *f = *state;
	if (!f)
		return 0;
	vmm_disconnect(&f->v);
	int st = daemon_stop(&f->d);
	free(f);
	/* a clean SIGTERM shutdown exits with 0 */
	assert_int_equal(st, 0);
	return 0;
}

#define NEED_FIXTURE(f)                                                        \
	struct fixture *f = *state;                                            \
	if (!f) {                                                              \
		skip();                                                        \
	}

static uint64_t create_session(struct vmm *v)
{
	struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_SESSION_CREATE};
	assert_int_equal(vmm_request(v, &r), 0);
	assert_int_equal(r.resp.status, VIRTIO_ACCEL_OK);
	assert_int_equal(r.resp.vaccel_ret, 0);
	assert_int_equal(r.resp.tag, r.tag);
	assert_true(r.resp.object_id > 0);
	return r.resp.object_id;
}

static uint32_t destroy_session(struct vmm *v, uint64_t id)
{
	struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_SESSION_DESTROY,
			    .session_id = id};
	assert_int_equal(vmm_request(v, &r), 0);
	return r.resp.status;
}

static void test_config(void **state)
{
	NEED_FIXTURE(f);
	struct virtio_accel_config *c = &f->v.cfg;
	assert_int_equal(c->version_min, VIRTIO_ACCEL_VERSION);
	assert_int_equal(c->version_max, VIRTIO_ACCEL_VERSION);
	assert_int_equal(c->num_queues, 1);
	assert_true(c->status & VIRTIO_ACCEL_S_HW_READY);
	assert_true(c->max_args >= 16);
	assert_true(c->max_segments >= 262144);
	assert_true(f->v.features & (1ull << VIRTIO_ACCEL_F_SEGMENTS));
}

static void test_session_create_destroy(void **state)
{
	NEED_FIXTURE(f);
	uint64_t a = create_session(&f->v);
	uint64_t b = create_session(&f->v);
	assert_int_not_equal(a, b);
	assert_int_equal(destroy_session(&f->v, a), VIRTIO_ACCEL_OK);
	assert_int_equal(destroy_session(&f->v, a), VIRTIO_ACCEL_NOSESS);
	assert_int_equal(destroy_session(&f->v, b), VIRTIO_ACCEL_OK);
	assert_int_equal(destroy_session(&f->v, 0), VIRTIO_ACCEL_NOSESS);
	assert_int_equal(destroy_session(&f->v, 1ull << 40),
			 VIRTIO_ACCEL_NOSESS);
}

static void test_noop(void **state)
{
	NEED_FIXTURE(f);
	uint64_t s = create_session(&f->v);
	struct vmm_req r = {
		.cmd = VIRTIO_ACCEL_CMD_OP, .session_id = s, .param = OP_NOOP};
	assert_int_equal(vmm_request(&f->v, &r), 0);
	assert_int_equal(r.resp.status, VIRTIO_ACCEL_OK);
	assert_int_equal(r.resp.vaccel_ret, 0);
	/* NOOP on an unknown session */
	r.session_id = s + 100;
	assert_int_equal(vmm_request(&f->v, &r), 0);
	assert_int_equal(r.resp.status, VIRTIO_ACCEL_NOSESS);
	/* an op the protocol does not carry */
	r.session_id = s;
	r.param = OP_TORCH_SGEMM;
	assert_int_equal(vmm_request(&f->v, &r), 0);
	assert_int_equal(r.resp.status, VIRTIO_ACCEL_UNSUPP);
	assert_int_equal(destroy_session(&f->v, s), VIRTIO_ACCEL_OK);
}

static void run_sgemm(struct fixture *f, bool check)
{
	enum { M = 96, N = 80, K = 72 };
	static float A[M * K], B[K * N], C[M * N];
	for (int i = 0; i < M * K; i++)
		A[i] = (float)(i % 7) - 3.0f;
	for (int i = 0; i < K * N; i++)
		B[i] = (float)(i % 5) * 0.5f;
	memset(C, 0, sizeof(C));
	int64_t m = M, n = N, k = K, lda = K, ldb = N, ldc = N;
	float alpha = 1.0f, beta = 0.0f;
	uint64_t s = create_session(&f->v);
	struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_OP,
			    .session_id = s,
			    .param = OP_BLAS_SGEMM,
			    .nr_read = 10,
			    .nr_write = 1};
	r.rd[0] = (struct vmm_arg){.type = T_INT64, .data = &m, .len = 8};
	r.rd[1] = (struct vmm_arg){.type = T_INT64, .data = &n, .len = 8};
	r.rd[2] = (struct vmm_arg){.type = T_INT64, .data = &k, .len = 8};
	r.rd[3] = (struct vmm_arg){.type = T_FLOAT32, .data = &alpha, .len = 4};
	/* A as a fragmented segment arg (indirect table), B inline */
	r.rd[4] = (struct vmm_arg){.type = T_FLOAT32_ARRAY,
				   .data = A,
				   .len = sizeof(A),
				   .segments = true};
	r.rd[5] = (struct vmm_arg){.type = T_INT64, .data = &lda, .len = 8};
	r.rd[6] = (struct vmm_arg){
		.type = T_FLOAT32_ARRAY, .data = B, .len = sizeof(B)};
	r.rd[7] = (struct vmm_arg){.type = T_INT64, .data = &ldb, .len = 8};
	r.rd[8] = (struct vmm_arg){.type = T_FLOAT32, .data = &beta, .len = 4};
	r.rd[9] = (struct vmm_arg){.type = T_INT64, .data = &ldc, .len = 8};
	r.wr[0] = (struct vmm_arg){.type = T_FLOAT32_ARRAY,
				   .out = C,
				   .len = sizeof(C),
				   .segments = true};
	assert_int_equal(vmm_request(&f->v, &r), 0);
	assert_int_equal(r.resp.status, VIRTIO_ACCEL_OK);
	assert_int_equal(r.resp.vaccel_ret, 0);
	assert_int_equal(r.resp.nr_write, 1);
	assert_int_equal(r.wr[0].produced, sizeof(C));
	if (check) {
		for (int i = 0; i < M; i++)
			for (int j = 0; j < N; j++) {
				float acc = 0;
				for (int l = 0; l < K; l++)
					acc += A[i * K + l] * B[l * N + j];
				assert_float_equal(C[i * N + j], acc, 1e-3);
			}
	}
	assert_int_equal(destroy_session(&f->v, s), VIRTIO_ACCEL_OK);
}

static void test_sgemm_noop(void **state)
{
	NEED_FIXTURE(f);
	run_sgemm(f, false);
}

static void test_sgemm_blas(void **state)
{
	(void)state;
	void *st = NULL;
	START_OR_SKIP(st, "blas", NULL);
	run_sgemm(st, true);
	teardown(&st);
}

static void run_resource_exec(struct fixture *f, bool check)
{
	const char *lib = getenv("HARNESS_LIB");
	uint8_t *data = NULL;
	uint64_t len = lib ? vmm_read_file(lib, &data) : 0;
	if (!len) {
		print_message("[  SKIP    ] HARNESS_LIB not readable\n");
		skip();
	}
	uint64_t s = create_session(&f->v);

	static const char name[] = "libharness.so";
	struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_RESOURCE_CREATE,
			    .session_id = s,
			    .param = RES_LIB,
			    .nr_read = 2};
	r.rd[0] = (struct vmm_arg){
		.type = T_STRING, .data = name, .len = sizeof(name)};
	r.rd[1] = (struct vmm_arg){
		.type = T_BUFFER, .data = data, .len = len, .segments = true};
	assert_int_equal(vmm_request(&f->v, &r), 0);
	assert_int_equal(r.resp.status, VIRTIO_ACCEL_OK);
	assert_int_equal(r.resp.vaccel_ret, 0);
	uint64_t res = r.resp.object_id;
	assert_true(res > 0);

	int64_t gid = (int64_t)res;
	static const char sym[] = "harness_double";
	int32_t in = 21, out = 0;
	struct vmm_req x;
	vmm_exec_req(&x, s, &gid, sym, 3, 1);
	x.rd[2] = (struct vmm_arg){.type = T_INT32, .data = &in, .len = 4};
	x.wr[0] = (struct vmm_arg){.type = T_INT32, .out = &out, .len = 4};
	assert_int_equal(vmm_request(&f->v, &x), 0);
	assert_int_equal(x.resp.status, VIRTIO_ACCEL_OK);
	assert_int_equal(x.resp.vaccel_ret, 0);
	if (check)
		assert_int_equal(out, 42);

	/* unregister, register again, then destroy */
	struct vmm_req u = {.cmd = VIRTIO_ACCEL_CMD_RESOURCE_UNREGISTER,
			    .session_id = s,
			    .object_id = res};
	assert_int_equal(vmm_request(&f->v, &u), 0);
	assert_int_equal(u.resp.status, VIRTIO_ACCEL_OK);
	assert_int_equal(u.resp.vaccel_ret, 0);
	u.cmd = VIRTIO_ACCEL_CMD_RESOURCE_REGISTER;
	assert_int_equal(vmm_request(&f->v, &u), 0);
	assert_int_equal(u.resp.status, VIRTIO_ACCEL_OK);
	assert_int_equal(u.resp.vaccel_ret, 0);
	u.cmd = VIRTIO_ACCEL_CMD_RESOURCE_DESTROY;
	u.session_id = 0;
	assert_int_equal(vmm_request(&f->v, &u), 0);
	assert_int_equal(u.resp.status, VIRTIO_ACCEL_OK);

	/* the id is gone: the device must not run with it */
	assert_int_equal(vmm_request(&f->v, &x), 0);
	assert_int_equal(x.resp.status, VIRTIO_ACCEL_NORES);
	assert_int_equal(destroy_session(&f->v, s), VIRTIO_ACCEL_OK);
	free(data);
}

static void test_resource_noop(void **state)
{
	NEED_FIXTURE(f);
	run_resource_exec(f, false);
}

static void test_resource_exec(void **state)
{
	(void)state;
	void *st = NULL;
	START_OR_SKIP(st, "exec", NULL);
	run_resource_exec(st, true);
	teardown(&st);
}

/* Write a readable buffer + writable buffer and run it as one chain. */
static long raw(struct fixture *f, const void *rd, uint32_t rlen, uint32_t wlen,
		struct virtio_accel_resp_hdr *resp)
{
	struct vmm *v = &f->v;
	vmm_reset_heap(v);
	uint64_t R = vmm_alloc(v, rlen ? rlen : 1, 64);
	uint64_t W = vmm_alloc(v, wlen ? wlen : 1, 64);
	memcpy(vmm_ptr(v, R), rd, rlen);
	memset(vmm_ptr(v, W), 0xCC, wlen ? wlen : 1);
	struct vmm_buf b[2];
	unsigned int n = 0;
	if (rlen)
		b[n++] = (struct vmm_buf){R, rlen, false};
	if (wlen)
		b[n++] = (struct vmm_buf){W, wlen, true};
	long used = vmm_run_chain(v, 0, b, n, 10000);
	if (resp && wlen >= sizeof(*resp))
		memcpy(resp, vmm_ptr(v, W), sizeof(*resp));
	return used;
}

static void test_malformed(void **state)
{
	NEED_FIXTURE(f);
	struct virtio_accel_resp_hdr resp;
	struct virtio_accel_req_hdr h = {
		.version = VIRTIO_ACCEL_VERSION,
		.cmd = VIRTIO_ACCEL_CMD_SESSION_CREATE,
		.tag = 77,
	};

	/* readable part shorter than a header: BADMSG, tag 0 */
	assert_int_equal(raw(f, &h, 10, 64, &resp), 32);
	assert_int_equal(resp.status, VIRTIO_ACCEL_BADMSG);
	assert_int_equal(resp.tag, 0);

	/* wrong version: VERSION_MISMATCH, tag echoed */
	struct virtio_accel_req_hdr b = h;
	b.version = 99;
	assert_int_equal(raw(f, &b, sizeof(b), 64, &resp), 32);
	assert_int_equal(resp.status, VIRTIO_ACCEL_VERSION_MISMATCH);
	assert_int_equal(resp.tag, 77);

	/* unknown command */
	b = h;
	b.cmd = 0x7777;
	raw(f, &b, sizeof(b), 64, &resp);
	assert_int_equal(resp.status, VIRTIO_ACCEL_UNSUPP);

	/* reserved bits */
	b = h;
	b.reserved = 1;
	raw(f, &b, sizeof(b), 64, &resp);
	assert_int_equal(resp.status, VIRTIO_ACCEL_BADMSG);

	/* no room for a response header: chain returned, nothing written */
	uint8_t w[16];
	assert_int_equal(raw(f, &h, sizeof(h), sizeof(w), NULL), 0);
	(void)w;

	/* arg count claims more descriptors than the chain carries */
	b = h;
	b.cmd = VIRTIO_ACCEL_CMD_OP;
	b.nr_read = 3;
	raw(f, &b, sizeof(b), 64, &resp);
	assert_int_equal(resp.status, VIRTIO_ACCEL_BADMSG);

	/* too many args */
	b.nr_read = 0xffffffffu;
	raw(f, &b, sizeof(b), 64, &resp);
	assert_int_equal(resp.status, VIRTIO_ACCEL_LIMIT);

	/* a segment outside guest memory: FAULT */
	uint64_t s = create_session(&f->v);
	struct {
		struct virtio_accel_req_hdr h;
		struct virtio_accel_arg_desc d;
		struct virtio_accel_seg s;
	} seg = {
		.h = {.version = VIRTIO_ACCEL_VERSION,
		      .cmd = VIRTIO_ACCEL_CMD_OP,
		      .tag = 5,
		      .session_id = s,
		      .param = OP_BLAS_SGEMM,
		      .nr_read = 1},
		.d = {.len = 4096,
		      .type = T_FLOAT32_ARRAY,
		      .flags = VIRTIO_ACCEL_ARG_F_SEGMENTS,
		      .nr_segs = 1},
		.s = {.addr = MEM_SIZE - 100, .len = 4096},
	};
	raw(f, &seg, sizeof(seg), 64, &resp);
	assert_int_equal(resp.status, VIRTIO_ACCEL_FAULT);
	/* address wrap-around */
	seg.s.addr = UINT64_MAX - 10;
	raw(f, &seg, sizeof(seg), 64, &resp);
	assert_int_equal(resp.status, VIRTIO_ACCEL_FAULT);
	/* lengths that do not add up */
	seg.s.addr = 1u << 20;
	seg.s.len = 100;
	raw(f, &seg, sizeof(seg), 64, &resp);
	assert_int_equal(resp.status, VIRTIO_ACCEL_BADMSG);
	/* nested indirection */
	seg.s.len = 16;
	seg.s.flags = VIRTIO_ACCEL_SEG_F_INDIRECT;
	struct virtio_accel_seg *t = vmm_ptr(&f->v, 1u << 20);
	t->addr = 2u << 20;
	t->len = 16;
	t->flags = VIRTIO_ACCEL_SEG_F_INDIRECT;
	raw(f, &seg, sizeof(seg), 64, &resp);
	assert_int_equal(resp.status, VIRTIO_ACCEL_BADMSG);

	/* a descriptor loop: completed with used length 0, no hang */
	struct {
		uint64_t addr;
		uint32_t len;
		uint16_t flags, next;
	} loop[2] = {{1u << 20, 48, 1, 1}, {1u << 20, 48, 1, 0}};
	assert_int_equal(vmm_run_descs(&f->v, 0, loop, 2, 0, 10000), 0);
	/* a descriptor outside guest memory */
	loop[0].addr = (uint64_t)MEM_SIZE + 4096;
	loop[0].flags = 0;
	assert_int_equal(vmm_run_descs(&f->v, 0, loop, 1, 0, 10000), 0);

	/* the device is still serving */
	assert_true(daemon_alive(&f->d));
	assert_int_equal(destroy_session(&f->v, s), VIRTIO_ACCEL_OK);
}

static void test_disconnect_releases(void **state)
{
	NEED_FIXTURE(f);
	uint64_t old = create_session(&f->v);
	create_session(&f->v);
	vmm_disconnect(&f->v);
	char line[256];
	assert_true(daemon_stats_wait(&f->d, "event=disconnect", 5000, line,
				      sizeof(line)));
	assert_non_null(strstr(line, "sessions_released=2"));
	/* a new front-end can use the same socket: the table starts afresh
	 * (first slot: low half 1) under a new id generation (high half), so
	 * an id of the old connection names nothing */
	assert_int_equal(vmm_connect(&f->v, f->d.sock, MEM_SIZE), 0);
	uint64_t s = create_session(&f->v);
	assert_int_equal(s & 0xffffffffu, old & 0xffffffffu);
	assert_true(s != old && s <= INT64_MAX);
	struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_OP,
			    .session_id = old,
			    .param = OP_NOOP};
	assert_int_equal(vmm_request(&f->v, &r), 0);
	assert_int_equal(r.resp.status, VIRTIO_ACCEL_NOSESS);
}

/* In-flight tracking as QEMU negotiates it (the daemon creates the file;
 * also under --confined, whose allow-list must permit memfd_create). */
static void test_inflight_file(void **state)
{
	NEED_FIXTURE(f);
	vmm_disconnect(&f->v);
	assert_int_equal(
		vmm_connect_ex(&f->v, f->d.sock, MEM_SIZE, 1, VMM_F_INFLIGHT),
		0);
	assert_true(f->v.infl_fd >= 0 && f->v.infl_size > 0);
	uint64_t s = create_session(&f->v);
	struct vmm_req r = {
		.cmd = VIRTIO_ACCEL_CMD_OP, .session_id = s, .param = OP_NOOP};
	assert_int_equal(vmm_request(&f->v, &r), 0);
	assert_int_equal(r.resp.status, VIRTIO_ACCEL_OK);
	assert_int_equal(destroy_session(&f->v, s), VIRTIO_ACCEL_OK);
	assert_true(daemon_alive(&f->d));
}

static void test_limits(void **state)
{
	(void)state;
	static const char *const extra[] = {"--max-sessions", "2", NULL};
	void *st = NULL;
	START_OR_SKIP(st, "noop", extra);
	struct fixture *f = st;
	create_session(&f->v);
	create_session(&f->v);
	struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_SESSION_CREATE};
	assert_int_equal(vmm_request(&f->v, &r), 0);
	assert_int_equal(r.resp.status, VIRTIO_ACCEL_LIMIT);
	teardown(&st);
}

int main(void)
{
	if (!plugin("noop", plugin_path, sizeof(plugin_path)))
		print_message("note: noop plugin missing at %s; most tests "
			      "will be skipped\n",
			      plugin_path);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_config, setup_noop,
						teardown),
		cmocka_unit_test_setup_teardown(test_session_create_destroy,
						setup_noop, teardown),
		cmocka_unit_test_setup_teardown(test_noop, setup_noop,
						teardown),
		cmocka_unit_test_setup_teardown(test_sgemm_noop, setup_noop,
						teardown),
		cmocka_unit_test(test_sgemm_blas),
		cmocka_unit_test_setup_teardown(test_resource_noop, setup_noop,
						teardown),
		cmocka_unit_test(test_resource_exec),
		cmocka_unit_test_setup_teardown(test_malformed, setup_noop,
						teardown),
		cmocka_unit_test_setup_teardown(test_disconnect_releases,
						setup_noop, teardown),
		cmocka_unit_test_setup_teardown(test_inflight_file, setup_noop,
						teardown),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
