// SPDX-License-Identifier: Apache-2.0
/*
 * Model operations on the wire (docs/protocol.md §7.5.2), raw requests
 * against the daemon with the noop plugin (which echoes input i into output
 * i): the layouts work, outputs that do not fit answer OVERFLOW with the
 * sizes needed, every descriptor rule is enforced at the device's boundary
 * (the op fails with VACCEL_EINVAL and the device keeps serving), model
 * ids are looked up in the front-end's own table, and a driver that did not
 * negotiate F_MODELS gets UNSUPP.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "vmm.h"

#define MEM   (64u << 20)
#define EINVAL_RET 22 /* VACCEL_EINVAL */
#define RES_MODEL  2  /* VACCEL_RESOURCE_MODEL */
#define TORCH_FLOAT 7

struct fx {
	struct daemon d;
	struct vmm v;
	uint64_t sess, model;
};

static void start(struct fx *f, unsigned int flags)
{
	char path[512];
	const char *b = getenv("VACCEL_TEST_BUILDDIR");
	snprintf(path, sizeof(path), "%s/plugins/noop/libvaccel-noop.so",
		 b ? b : ".");
	assert_int_equal(daemon_start(&f->d, path, NULL), 0);
	assert_int_equal(vmm_connect_ex(&f->v, f->d.sock, MEM, 1, flags), 0);
	struct vmm_req s = {.cmd = VIRTIO_ACCEL_CMD_SESSION_CREATE};
	assert_int_equal(vmm_request(&f->v, &s), 0);
	assert_int_equal(s.resp.status, VIRTIO_ACCEL_OK);
	f->sess = s.resp.object_id;

	static const char name[] = "model.pt", body[] = "not really a model";
	struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_RESOURCE_CREATE,
			    .session_id = f->sess,
			    .param = RES_MODEL,
			    .nr_read = 2};
	r.rd[0] = (struct vmm_arg){.type = VIRTIO_ACCEL_ARG_STRING,
				   .data = name,
				   .len = sizeof(name)};
	r.rd[1] = (struct vmm_arg){.type = VIRTIO_ACCEL_ARG_BUFFER,
				   .data = body,
				   .len = sizeof(body)};
	assert_int_equal(vmm_request(&f->v, &r), 0);
	assert_int_equal(r.resp.status, VIRTIO_ACCEL_OK);
	assert_int_equal(r.resp.vaccel_ret, 0);
	f->model = r.resp.object_id;
}

static void stop(struct fx *f)
{
	vmm_disconnect(&f->v);
	assert_int_equal(daemon_stop(&f->d), 0);
}

/* TORCH_MODEL_RUN with one input tensor (desc of desc_len bytes) and one
 * output of the given capacities; returns the request after completion. */
static void torch_run(struct fx *f, struct vmm_req *r, const int64_t *desc,
		      size_t desc_len, const void *data, size_t len,
		      int64_t *odesc, size_t odesc_cap, void *odata,
		      size_t odata_cap)
{
	static int64_t id;
	id = (int64_t)f->model;
	memset(r, 0, sizeof(*r));
	r->cmd = VIRTIO_ACCEL_CMD_OP;
	r->session_id = f->sess;
	r->param = VIRTIO_ACCEL_OP_TORCH_MODEL_RUN;
	r->nr_read = 4;
	r->nr_write = 2;
	r->rd[0] = (struct vmm_arg){
		.type = VIRTIO_ACCEL_ARG_INT64, .data = &id, .len = 8};
	r->rd[1] = (struct vmm_arg){.type = VIRTIO_ACCEL_ARG_BUFFER};
	r->rd[2] = (struct vmm_arg){.type = VIRTIO_ACCEL_ARG_INT64_ARRAY,
				    .data = desc,
				    .len = desc_len};
	r->rd[3] = (struct vmm_arg){
		.type = VIRTIO_ACCEL_ARG_BUFFER, .data = data, .len = len};
	r->wr[0] = (struct vmm_arg){.type = VIRTIO_ACCEL_ARG_INT64_ARRAY,
				    .out = odesc,
				    .len = odesc_cap};
	r->wr[1] = (struct vmm_arg){
		.type = VIRTIO_ACCEL_ARG_BUFFER, .out = odata, .len = odata_cap};
	assert_int_equal(vmm_request(&f->v, r), 0);
}

static void test_echo_and_overflow(void **state)
{
	(void)state;
	struct fx f;
	start(&f, 0);
	float in[6] = {1, 2, 3, 4, 5, 6}, out[6] = {0};
	int64_t desc[4] = {TORCH_FLOAT, 2, 2, 3}, odesc[18] = {0};
	struct vmm_req r;

	torch_run(&f, &r, desc, sizeof(desc), in, sizeof(in), odesc,
		  sizeof(odesc), out, sizeof(out));
	assert_int_equal(r.resp.status, VIRTIO_ACCEL_OK);
	assert_int_equal(r.resp.vaccel_ret, 0);
	assert_int_equal(r.wr[0].produced, sizeof(desc));
	assert_memory_equal(odesc, desc, sizeof(desc));
	assert_int_equal(r.wr[1].produced, sizeof(in));
	assert_memory_equal(out, in, sizeof(in));

	/* data capacity 8: OVERFLOW, and the sizes needed */
	torch_run(&f, &r, desc, sizeof(desc), in, sizeof(in), odesc,
		  sizeof(odesc), out, 8);
	assert_int_equal(r.resp.status, VIRTIO_ACCEL_OVERFLOW);
	assert_int_equal(r.wr[0].produced, sizeof(desc));
	assert_int_equal(r.wr[1].produced, sizeof(in));
	/* descriptor capacity 16: OVERFLOW too */
	torch_run(&f, &r, desc, sizeof(desc), in, sizeof(in), odesc, 16, out,
		  sizeof(out));
	assert_int_equal(r.resp.status, VIRTIO_ACCEL_OVERFLOW);
	assert_int_equal(r.wr[0].produced, sizeof(desc));
	stop(&f);
}

static void test_bad_descriptors(void **state)
{
	(void)state;
	struct fx f;
	start(&f, 0);
	static char data[64];
	int64_t odesc[18];
	char out[64];
	struct vmm_req r;
	const struct {
		const char *what;
		int64_t desc[20];
		size_t desc_len, len;
	} cases[] = {
		{"size not dims x element", {TORCH_FLOAT, 2, 2, 3}, 32, 20},
		{"dtype 0", {0, 1, 4}, 24, 4},
		{"dtype past the enum", {8, 1, 4}, 24, 4},
		{"negative dim", {TORCH_FLOAT, 2, -1, -4}, 32, 16},
		{"nr_dims above 16", {TORCH_FLOAT, 17}, 16, 4},
		{"nr_dims vs length", {TORCH_FLOAT, 3, 1, 1}, 32, 4},
		{"length not a multiple of 8", {TORCH_FLOAT, 1, 1}, 20, 4},
		{"length below the fixed part", {TORCH_FLOAT}, 8, 4},
		{"dims product overflows",
		 {TORCH_FLOAT, 3, INT64_MAX, INT64_MAX, 4},
		 40,
		 4},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		torch_run(&f, &r, cases[i].desc, cases[i].desc_len, data,
			  cases[i].len, odesc, sizeof(odesc), out,
			  sizeof(out));
		if (r.resp.status != VIRTIO_ACCEL_OK ||
		    r.resp.vaccel_ret != EINVAL_RET)
			fail_msg("%s: status %u, vaccel_ret %d", cases[i].what,
				 r.resp.status, r.resp.vaccel_ret);
	}
	/* odd arg counts: no layout */
	int64_t desc[3] = {TORCH_FLOAT, 1, 1};
	torch_run(&f, &r, desc, sizeof(desc), data, 4, odesc, sizeof(odesc),
		  out, sizeof(out));
	assert_int_equal(r.resp.vaccel_ret, 0);
	r.nr_read = 3;
	assert_int_equal(vmm_request(&f.v, &r), 0);
	assert_int_equal(r.resp.vaccel_ret, EINVAL_RET);
	/* the model id of nothing: NORES at the device */
	int64_t none = 9999;
	r.nr_read = 4;
	r.rd[0].data = &none;
	assert_int_equal(vmm_request(&f.v, &r), 0);
	assert_int_equal(r.resp.status, VIRTIO_ACCEL_NORES);
	/* still serving */
	torch_run(&f, &r, desc, sizeof(desc), data, 4, odesc, sizeof(odesc),
		  out, sizeof(out));
	assert_int_equal(r.resp.status, VIRTIO_ACCEL_OK);
	assert_int_equal(r.resp.vaccel_ret, 0);
	stop(&f);
}

static void test_tf_status(void **state)
{
	(void)state;
	struct fx f;
	start(&f, 0);
	int64_t id = (int64_t)f.model;
	uint8_t code[4] = {0xff}; /* room for the wrong-size case below */
	char msg[VIRTIO_ACCEL_TF_STATUS_MSG_MAX];
	struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_OP,
			    .session_id = f.sess,
			    .param = VIRTIO_ACCEL_OP_TF_MODEL_LOAD,
			    .nr_read = 1,
			    .nr_write = 2};
	r.rd[0] = (struct vmm_arg){
		.type = VIRTIO_ACCEL_ARG_INT64, .data = &id, .len = 8};
	r.wr[0] = (struct vmm_arg){
		.type = VIRTIO_ACCEL_ARG_UINT8, .out = code, .len = 1};
	r.wr[1] = (struct vmm_arg){
		.type = VIRTIO_ACCEL_ARG_STRING, .out = msg, .len = sizeof(msg)};
	assert_int_equal(vmm_request(&f.v, &r), 0);
	assert_int_equal(r.resp.status, VIRTIO_ACCEL_OK);
	assert_int_equal(r.resp.vaccel_ret, 0);
	assert_int_equal(code[0], 0);
	assert_true(r.wr[1].produced >= 1);
	assert_int_equal(msg[r.wr[1].produced - 1], '\0');
	/* status code arg of the wrong size */
	r.wr[0].len = 4;
	assert_int_equal(vmm_request(&f.v, &r), 0);
	assert_int_equal(r.resp.vaccel_ret, EINVAL_RET);
	stop(&f);
}

static void test_no_models_feature(void **state)
{
	(void)state;
	struct fx f;
	start(&f, VMM_F_NO_MODELS);
	int64_t desc[3] = {TORCH_FLOAT, 1, 1}, odesc[18];
	float in = 1, out;
	struct vmm_req r;
	torch_run(&f, &r, desc, sizeof(desc), &in, 4, odesc, sizeof(odesc),
		  &out, 4);
	assert_int_equal(r.resp.status, VIRTIO_ACCEL_UNSUPP);
	stop(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_and_overflow),
		cmocka_unit_test(test_bad_descriptors),
		cmocka_unit_test(test_tf_status),
		cmocka_unit_test(test_no_models_feature),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
