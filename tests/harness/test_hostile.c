// SPDX-License-Identifier: Apache-2.0
/*
 * The hostile guest table: malformed requests, rings and vhost-user
 * messages sent to the real vhost-user-accel daemon.
 *
 * Every case asserts the answer the protocol prescribes (a status, a chain
 * returned with used length 0, a queue reported broken, a refused message
 * or a closed connection). After every case the runner checks that the
 * daemon is still alive and still serves a good request on the primary
 * front-end (reconnecting it first when the case broke it on purpose).
 * Every wait is bounded.
 */
#include <endian.h>
#include <fcntl.h>
#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "vmm.h"

#define MEM_A	 (16u << 20)
#define MEM_B	 (4u << 20)
#define WAIT_MS	 10000 /* a completion that must come */
#define QUIET_MS 300   /* a completion that must not come */

enum {
	T_INT32 = 5,
	T_INT64 = 7,
	T_FLOAT32 = 17,
	T_FLOAT32_ARRAY = 18,
	T_STRING = 27,
	T_BUFFER = 28,
	T_CUSTOM = 29,
	OP_NOOP = 0,
	OP_EXEC_WITH_RESOURCE = 2,
	OP_TF_MODEL_LOAD = 8,
	OP_TORCH_SGEMM = 16, /* the one op the protocol does not carry */
	OP_BLAS_SGEMM = 17,
};

/* ---------------------------------------------------------------------- */
/* shared state                                                            */
/* ---------------------------------------------------------------------- */

static struct {
	bool up;
	struct daemon d;
	struct vmm a, b;
	uint64_t sa;	   /* a live session of A */
	uint64_t sb_first; /* B's first session: A's slot, B's generation */
	uint64_t sb_only;  /* a session id B has and A does not */
	uint64_t rb;	   /* a resource of B (A has none) */
} C;

struct hcase {
	const char *name;
	void (*fn)(void);
	bool breaks_a; /* the case breaks A on purpose: reconnect after */
};

static bool plugin(const char *name, char *out, size_t size)
{
	const char *b = getenv("VACCEL_TEST_BUILDDIR");
	snprintf(out, size, "%s/plugins/%s/libvaccel-%s.so", b ? b : ".", name,
		 name);
	return access(out, R_OK) == 0;
}

static uint32_t request(struct vmm *v, struct vmm_req *r)
{
	assert_int_equal(vmm_request(v, r), 0);
	assert_int_equal(r->resp.tag, r->tag);
	return r->resp.status;
}

static uint64_t new_session(struct vmm *v)
{
	struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_SESSION_CREATE};
	assert_int_equal(request(v, &r), VIRTIO_ACCEL_OK);
	assert_int_equal(r.resp.vaccel_ret, 0);
	assert_true(r.resp.object_id > 0);
	return r.resp.object_id;
}

static uint32_t noop(struct vmm *v, uint64_t sess)
{
	struct vmm_req r = {
		.cmd = VIRTIO_ACCEL_CMD_OP, .session_id = sess, .param = 0};
	return request(v, &r);
}

static const char blob_name[] = "blob.bin";
static const uint8_t blob_data[64] = {1, 2, 3};

static uint64_t new_resource(struct vmm *v)
{
	struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_RESOURCE_CREATE,
			    .param = 1 /* DATA */,
			    .nr_read = 2};
	r.rd[0] = (struct vmm_arg){
		.type = T_STRING, .data = blob_name, .len = sizeof(blob_name)};
	r.rd[1] = (struct vmm_arg){
		.type = T_BUFFER, .data = blob_data, .len = sizeof(blob_data)};
	assert_int_equal(request(v, &r), VIRTIO_ACCEL_OK);
	assert_int_equal(r.resp.vaccel_ret, 0);
	return r.resp.object_id;
}

static void connect_a(void)
{
	assert_int_equal(vmm_connect_q(&C.a, C.d.sock, MEM_A, 2), 0);
	C.sa = new_session(&C.a);
}

static int group_setup(void **state)
{
	(void)state;
	char path[512];
	if (!plugin("noop", path, sizeof(path))) {
		print_message("[  SKIP    ] noop plugin not built (%s)\n",
			      path);
		return 0;
	}
	static const char *const extra[] = {"--queues", "2", NULL};
	if (daemon_start(&C.d, path, extra) < 0)
		return -1;
	if (vmm_connect_q(&C.a, C.d.sock, MEM_A, 2) < 0 ||
	    vmm_connect_q(&C.b, C.d.sock, MEM_B, 1) < 0)
		return -1;
	C.up = true;
	C.sa = new_session(&C.a);
	/* B: three sessions and a resource; A has one session (slot 1) */
	C.sb_first = new_session(&C.b);
	new_session(&C.b);
	C.sb_only = new_session(&C.b);
	C.rb = new_resource(&C.b);
	/* ids: per-connection generation (high half) + slot (low half) */
	if ((uint32_t)C.sb_only <= (uint32_t)C.sa ||
	    (uint32_t)C.sb_first != (uint32_t)C.sa || C.sb_first == C.sa)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (!C.up)
		return 0;
	vmm_disconnect(&C.a);
	vmm_disconnect(&C.b);
	int st = daemon_stop(&C.d);
	assert_int_equal(st, 0); /* clean SIGTERM exit, no sanitizer report */
	return 0;
}

/* ---------------------------------------------------------------------- */
/* raw request builder                                                     */
/* ---------------------------------------------------------------------- */

struct rb {
	uint8_t b[65536];
	size_t n;
};

static void put(struct rb *r, const void *p, size_t n)
{
	assert_true(r->n + n <= sizeof(r->b));
	memcpy(r->b + r->n, p, n);
	r->n += n;
}

static void hdr(struct rb *r, uint16_t cmd, uint64_t sess, uint32_t param,
		uint32_t nrd, uint32_t nwr)
{
	struct virtio_accel_req_hdr h = {
		.version = htole16(VIRTIO_ACCEL_VERSION),
		.cmd = htole16(cmd),
		.tag = htole64(0x7a6),
		.session_id = htole64(sess),
		.param = htole32(param),
		.nr_read = htole32(nrd),
		.nr_write = htole32(nwr),
	};
	r->n = 0;
	put(r, &h, sizeof(h));
}

static struct virtio_accel_req_hdr *H(struct rb *r)
{
	return (struct virtio_accel_req_hdr *)r->b;
}

static void desc(struct rb *r, uint64_t len, uint32_t type, uint32_t flags,
		 uint32_t nsegs)
{
	struct virtio_accel_arg_desc d = {
		.len = htole64(len),
		.type = htole32(type),
		.flags = htole32(flags),
		.nr_segs = htole32(nsegs),
	};
	put(r, &d, sizeof(d));
}

static struct virtio_accel_arg_desc *D(struct rb *r, unsigned int i)
{
	return (struct virtio_accel_arg_desc
			*)(r->b + sizeof(struct virtio_accel_req_hdr) +
			   i * sizeof(struct virtio_accel_arg_desc));
}

static void seg(struct rb *r, uint64_t addr, uint32_t len, uint32_t flags)
{
	struct virtio_accel_seg s = {htole64(addr), htole32(len),
				     htole32(flags)};
	put(r, &s, sizeof(s));
}

/* guest memory of A used for data / tables, far from the request buffers */
#define DATA_GPA  (8u << 20)
#define TABLE_GPA (12u << 20)

static struct virtio_accel_resp_hdr last_resp;

/* Run R (readable) + W (writable, wlen bytes) on A's queue 0. Returns the
 * used length; the response header lands in last_resp. */
static long run_raw(const void *rd, size_t rlen, uint32_t wlen)
{
	struct vmm *v = &C.a;
	vmm_reset_heap(v);
	uint64_t R = vmm_alloc(v, rlen ? rlen : 1, 64);
	uint64_t W = vmm_alloc(v, wlen ? wlen : 1, 64);
	assert_true(R && W);
	memcpy(vmm_ptr(v, R), rd, rlen);
	memset(vmm_ptr(v, W), 0xCC, wlen ? wlen : 1);
	struct vmm_buf b[2];
	unsigned int n = 0;
	if (rlen)
		b[n++] = (struct vmm_buf){R, (uint32_t)rlen, false};
	if (wlen)
		b[n++] = (struct vmm_buf){W, wlen, true};
	long used = vmm_run_chain(v, 0, b, n, WAIT_MS);
	memset(&last_resp, 0xFF, sizeof(last_resp));
	if (used >= (long)sizeof(last_resp))
		memcpy(&last_resp, vmm_ptr(v, W), sizeof(last_resp));
	return used;
}

/* Send and expect a response header with `status`. */
static void expect(struct rb *r, uint32_t wlen, uint32_t status)
{
	long used = run_raw(r->b, r->n, wlen);
	assert_true(used >= (long)sizeof(struct virtio_accel_resp_hdr));
	if (le32toh(last_resp.status) != status)
		print_message("status %u, expected %u\n",
			      le32toh(last_resp.status), status);
	assert_int_equal(le32toh(last_resp.status), status);
	/* the tag is echoed whenever the header was readable */
	if (r->n >= sizeof(struct virtio_accel_req_hdr))
		assert_int_equal(le64toh(last_resp.tag), le64toh(H(r)->tag));
	/* no result counts on errors */
	if (status != VIRTIO_ACCEL_OK && status != VIRTIO_ACCEL_OVERFLOW)
		assert_int_equal(le32toh(last_resp.nr_write), 0);
}

/* ---------------------------------------------------------------------- */
/* ring and descriptor cases                                               */
/* ---------------------------------------------------------------------- */

static struct vmm_desc dsc(uint64_t addr, uint32_t len, uint16_t flags,
			   uint16_t next)
{
	return (struct vmm_desc){addr, len, flags, next};
}

/* A valid SESSION_CREATE header at DATA_GPA and W right after. */
static uint64_t good_hdr_gpa(void)
{
	struct rb r;
	hdr(&r, VIRTIO_ACCEL_CMD_SESSION_CREATE, 0, 0, 0, 0);
	memcpy(vmm_ptr(&C.a, DATA_GPA), r.b, r.n);
	return DATA_GPA;
}
#define W_GPA (DATA_GPA + 4096)

static void bad_chain(const struct vmm_desc *d, unsigned int n)
{
	assert_int_equal(vmm_run_descs(&C.a, 0, d, n, 0, WAIT_MS), 0);
}

static void c_desc_loop(void)
{
	uint64_t h = good_hdr_gpa();
	struct vmm_desc d[2] = {dsc(h, 48, VMM_DESC_F_NEXT, 1),
				dsc(W_GPA, 64, VMM_DESC_F_NEXT, 0)};
	bad_chain(d, 2);
}

static void c_desc_self_loop(void)
{
	struct vmm_desc d[1] = {dsc(good_hdr_gpa(), 8, VMM_DESC_F_NEXT, 0)};
	bad_chain(d, 1);
}

static void c_chain_longer_than_queue(void)
{
	/* 256 descriptors each pointing at the next, the last at the first */
	static struct vmm_desc d[VMM_QSIZE];
	for (unsigned int i = 0; i < VMM_QSIZE; i++)
		d[i] = dsc(DATA_GPA, 1, VMM_DESC_F_NEXT,
			   (uint16_t)((i + 1) % VMM_QSIZE));
	bad_chain(d, VMM_QSIZE);
}

static void c_next_out_of_range(void)
{
	struct vmm_desc d[1] = {dsc(good_hdr_gpa(), 48, VMM_DESC_F_NEXT, 300)};
	bad_chain(d, 1);
}

static void c_desc_outside_memory(void)
{
	struct vmm_desc d[2] = {dsc(MEM_A + 4096, 48, VMM_DESC_F_NEXT, 1),
				dsc(W_GPA, 64, VMM_DESC_F_WRITE, 0)};
	bad_chain(d, 2);
}

static void c_desc_wrapping(void)
{
	struct vmm_desc d[2] = {dsc(UINT64_MAX - 10, 100, VMM_DESC_F_NEXT, 1),
				dsc(W_GPA, 64, VMM_DESC_F_WRITE, 0)};
	bad_chain(d, 2);
}

static void c_desc_straddles_end(void)
{
	struct vmm_desc d[2] = {dsc(good_hdr_gpa(), 48, VMM_DESC_F_NEXT, 1),
				dsc(MEM_A - 16, 64, VMM_DESC_F_WRITE, 0)};
	bad_chain(d, 2);
}

static void c_desc_huge_len(void)
{
	struct vmm_desc d[2] = {dsc(0, 0xffffffffu, VMM_DESC_F_NEXT, 1),
				dsc(W_GPA, 64, VMM_DESC_F_WRITE, 0)};
	bad_chain(d, 2);
}

static void c_readable_after_writable(void)
{
	struct vmm_desc d[2] = {
		dsc(W_GPA, 64, VMM_DESC_F_WRITE | VMM_DESC_F_NEXT, 1),
		dsc(good_hdr_gpa(), 48, 0, 0)};
	bad_chain(d, 2);
}

static void c_zero_length_chain(void)
{
	struct vmm_desc d[1] = {dsc(DATA_GPA, 0, 0, 0)};
	bad_chain(d, 1);
}

static void c_zero_length_writable(void)
{
	struct vmm_desc d[1] = {dsc(W_GPA, 0, VMM_DESC_F_WRITE, 0)};
	bad_chain(d, 1);
}

static void c_header_needs_w_too_small(void)
{
	/* a good header but W is 31 bytes: nothing written, used 0 */
	struct vmm_desc d[2] = {dsc(good_hdr_gpa(), 48, VMM_DESC_F_NEXT, 1),
				dsc(W_GPA, 31, VMM_DESC_F_WRITE, 0)};
	memset(vmm_ptr(&C.a, W_GPA), 0xCC, 64);
	bad_chain(d, 2);
	assert_int_equal(*(uint8_t *)vmm_ptr(&C.a, W_GPA + 31), 0xCC);
}

static void indirect(struct vmm_desc *tbl, unsigned int n, uint64_t tlen)
{
	memcpy(vmm_ptr(&C.a, TABLE_GPA), tbl, n * sizeof(*tbl));
	struct vmm_desc d[1] = {
		dsc(TABLE_GPA, (uint32_t)tlen, VMM_DESC_F_INDIRECT, 0)};
	bad_chain(d, 1);
}

static void c_indirect_loop(void)
{
	struct vmm_desc t[2] = {dsc(good_hdr_gpa(), 48, VMM_DESC_F_NEXT, 1),
				dsc(W_GPA, 64, VMM_DESC_F_NEXT, 0)};
	indirect(t, 2, sizeof(t));
}

static void c_indirect_to_indirect(void)
{
	struct vmm_desc t[1] = {dsc(TABLE_GPA, 16, VMM_DESC_F_INDIRECT, 0)};
	indirect(t, 1, sizeof(t));
}

static void c_indirect_with_next(void)
{
	struct vmm_desc t[2] = {dsc(good_hdr_gpa(), 48, VMM_DESC_F_NEXT, 1),
				dsc(W_GPA, 64, VMM_DESC_F_WRITE, 0)};
	memcpy(vmm_ptr(&C.a, TABLE_GPA), t, sizeof(t));
	struct vmm_desc d[2] = {dsc(TABLE_GPA, sizeof(t),
				    VMM_DESC_F_INDIRECT | VMM_DESC_F_NEXT, 1),
				dsc(W_GPA, 64, VMM_DESC_F_WRITE, 0)};
	bad_chain(d, 2);
}

static void c_indirect_bad_len(void)
{
	struct vmm_desc t[2] = {dsc(good_hdr_gpa(), 48, VMM_DESC_F_NEXT, 1),
				dsc(W_GPA, 64, VMM_DESC_F_WRITE, 0)};
	indirect(t, 2, 20); /* not a multiple of 16 */
}

static void c_indirect_zero_len(void)
{
	struct vmm_desc t[1] = {dsc(good_hdr_gpa(), 48, 0, 0)};
	indirect(t, 1, 0);
}

static void c_indirect_outside_memory(void)
{
	struct vmm_desc d[1] = {dsc(MEM_A - 16, 64, VMM_DESC_F_INDIRECT, 0)};
	bad_chain(d, 1);
}

static void c_indirect_huge(void)
{
	struct vmm_desc d[1] = {
		dsc(TABLE_GPA, 0xfffffff0u, VMM_DESC_F_INDIRECT, 0)};
	bad_chain(d, 1);
}

static void c_indirect_next_out_of_table(void)
{
	struct vmm_desc t[2] = {
		dsc(good_hdr_gpa(), 48, VMM_DESC_F_NEXT, 1),
		dsc(W_GPA, 64, VMM_DESC_F_WRITE | VMM_DESC_F_NEXT, 2)};
	indirect(t, 2, sizeof(t));
}

static void c_indirect_too_many_iov(void)
{
	/* 2000 one-byte buffers: more iovecs than the device accepts */
	static struct vmm_desc t[2000];
	for (unsigned int i = 0; i < 2000; i++)
		t[i] = dsc(DATA_GPA + i, 1, VMM_DESC_F_NEXT, (uint16_t)(i + 1));
	t[1999].flags = 0;
	indirect(t, 2000, sizeof(t));
}

/* Positive control: a header split over 48 one-byte descriptors works. */
static void c_header_in_48_pieces(void)
{
	static struct vmm_desc t[49];
	uint64_t h = good_hdr_gpa();
	for (unsigned int i = 0; i < 48; i++)
		t[i] = dsc(h + i, 1, VMM_DESC_F_NEXT, (uint16_t)(i + 1));
	t[48] = dsc(W_GPA, 32, VMM_DESC_F_WRITE, 0);
	memcpy(vmm_ptr(&C.a, TABLE_GPA), t, sizeof(t));
	struct vmm_desc d[1] = {
		dsc(TABLE_GPA, sizeof(t), VMM_DESC_F_INDIRECT, 0)};
	assert_int_equal(vmm_run_descs(&C.a, 0, d, 1, 0, WAIT_MS), 32);
	struct virtio_accel_resp_hdr *rh = vmm_ptr(&C.a, W_GPA);
	assert_int_equal(le32toh(rh->status), VIRTIO_ACCEL_OK);
	uint64_t id = le64toh(rh->object_id);
	assert_true(id > 0);
	struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_SESSION_DESTROY,
			    .session_id = id};
	assert_int_equal(request(&C.a, &r), VIRTIO_ACCEL_OK);
}

/* R and W are the same bytes: the device reads the header once, first. */
static void c_overlapping_r_w(void)
{
	uint64_t h = good_hdr_gpa();
	struct vmm_desc d[2] = {dsc(h, 48, VMM_DESC_F_NEXT, 1),
				dsc(h, 48, VMM_DESC_F_WRITE, 0)};
	assert_int_equal(vmm_run_descs(&C.a, 0, d, 2, 0, WAIT_MS), 32);
	struct virtio_accel_resp_hdr *rh = vmm_ptr(&C.a, h);
	assert_int_equal(le32toh(rh->status), VIRTIO_ACCEL_OK);
	struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_SESSION_DESTROY,
			    .session_id = le64toh(rh->object_id)};
	assert_int_equal(request(&C.a, &r), VIRTIO_ACCEL_OK);
}

/* Ring-level corruption: the queue is reported broken, nothing completes */
static void expect_broken(uint16_t head)
{
	assert_true(vmm_queue_error(&C.a, 0, WAIT_MS));
	assert_int_equal(vmm_wait_head(&C.a, 0, head, QUIET_MS), -1);
	/* the other queue of the same front-end still works */
	struct vmm_arena ar;
	assert_int_equal(vmm_arena_carve(&C.a, &ar, 1 << 20), 0);
	struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_OP, .session_id = C.sa};
	assert_int_equal(vmm_submit(&C.a, 1, &ar, 0, &r), 0);
	assert_int_equal(vmm_complete(&C.a, &r, WAIT_MS), 0);
	assert_int_equal(r.resp.status, VIRTIO_ACCEL_OK);
}

static void c_head_out_of_range(void)
{
	vmm_post(&C.a, 0, 300);
	expect_broken(0);
}

static void c_avail_idx_jump(void)
{
	vmm_set_avail_idx(&C.a, 0, (uint16_t)(C.a.avail_idx[0] + 1000));
	expect_broken(0);
}

static void c_vring_num_change_while_running(void)
{
	/* the ring grows under the driver: the device re-bounds it; the
	 * driver's layout no longer matches, so anything may come back, but
	 * the device must not crash */
	uint32_t st[2] = {0, 32768};
	assert_int_equal(
		vmm_msg_send(&C.a, VMM_SET_VRING_NUM, 0, st, 8, NULL, 0), 0);
	struct vmm_desc d[1] = {dsc(good_hdr_gpa(), 48, 0, 0)};
	(void)vmm_run_descs(&C.a, 0, d, 1, 0, QUIET_MS);
}

/* ---------------------------------------------------------------------- */
/* request header and argument cases                                       */
/* ---------------------------------------------------------------------- */

static struct rb R;

static void c_truncated_header(void)
{
	hdr(&R, VIRTIO_ACCEL_CMD_SESSION_CREATE, 0, 0, 0, 0);
	assert_int_equal(run_raw(R.b, 47, 64), 32);
	assert_int_equal(le32toh(last_resp.status), VIRTIO_ACCEL_BADMSG);
	assert_int_equal(le64toh(last_resp.tag), 0);
}

static void c_no_room_for_response(void)
{
	hdr(&R, VIRTIO_ACCEL_CMD_SESSION_CREATE, 0, 0, 0, 0);
	assert_int_equal(run_raw(R.b, R.n, 31), 0);
}

static void c_bad_version(void)
{
	hdr(&R, VIRTIO_ACCEL_CMD_SESSION_CREATE, 0, 0, 0, 0);
	H(&R)->version = htole16(0xffff);
	expect(&R, 64, VIRTIO_ACCEL_VERSION_MISMATCH);
	H(&R)->version = 0;
	expect(&R, 64, VIRTIO_ACCEL_VERSION_MISMATCH);
}

static void c_header_flags(void)
{
	hdr(&R, VIRTIO_ACCEL_CMD_OP, C.sa, 0, 0, 0);
	H(&R)->flags = htole32(1);
	expect(&R, 64, VIRTIO_ACCEL_BADMSG);
}

static void c_header_reserved(void)
{
	hdr(&R, VIRTIO_ACCEL_CMD_OP, C.sa, 0, 0, 0);
	H(&R)->reserved = htole32(0x80000000u);
	expect(&R, 64, VIRTIO_ACCEL_BADMSG);
}

static void c_unknown_cmd(void)
{
	hdr(&R, 0x7777, C.sa, 0, 0, 0);
	expect(&R, 64, VIRTIO_ACCEL_UNSUPP);
	hdr(&R, 0, C.sa, 0, 0, 0);
	expect(&R, 64, VIRTIO_ACCEL_UNSUPP);
}

static void c_count_exceeds_payload(void)
{
	hdr(&R, VIRTIO_ACCEL_CMD_OP, C.sa, OP_BLAS_SGEMM, 3, 0);
	desc(&R, 8, T_INT64, 0, 0); /* only one of three descriptors */
	expect(&R, 64, VIRTIO_ACCEL_BADMSG);
}

static void c_huge_arg_count(void)
{
	hdr(&R, VIRTIO_ACCEL_CMD_OP, C.sa, OP_BLAS_SGEMM, 0xffffffffu, 0);
	expect(&R, 64, VIRTIO_ACCEL_LIMIT);
}

static void c_arg_count_sum_wraps(void)
{
	/* 0x80000000 + 0x80000000 wraps a 32-bit sum to 0 */
	hdr(&R, VIRTIO_ACCEL_CMD_OP, C.sa, OP_BLAS_SGEMM, 0x80000000u,
	    0x80000000u);
	expect(&R, 64, VIRTIO_ACCEL_LIMIT);
}

static void c_payload_longer_than_layout(void)
{
	hdr(&R, VIRTIO_ACCEL_CMD_SESSION_CREATE, 0, 0, 0, 0);
	put(&R, "extra", 5);
	expect(&R, 64, VIRTIO_ACCEL_BADMSG);
}

static void c_inline_len_exceeds_payload(void)
{
	hdr(&R, VIRTIO_ACCEL_CMD_OP, C.sa, OP_BLAS_SGEMM, 1, 0);
	desc(&R, 1000, T_INT64, 0, 0);
	put(&R, "0123456789", 10);
	expect(&R, 64, VIRTIO_ACCEL_BADMSG);
}

static void c_arg_len_huge(void)
{
	hdr(&R, VIRTIO_ACCEL_CMD_OP, C.sa, OP_BLAS_SGEMM, 1, 0);
	desc(&R, 1ull << 63, T_INT64, 0, 0);
	expect(&R, 64, VIRTIO_ACCEL_LIMIT);
}

static void c_arg_len_sum_overflow(void)
{
	/* each below max_arg_size (4 GiB), the sum above 8 GiB, and with
	 * 2^64 - 1 bytes in total the sum would wrap */
	hdr(&R, VIRTIO_ACCEL_CMD_OP, C.sa, OP_BLAS_SGEMM, 3, 0);
	for (int i = 0; i < 3; i++)
		desc(&R, 3ull << 30, T_BUFFER, VIRTIO_ACCEL_ARG_F_SEGMENTS, 1);
	expect(&R, 64, VIRTIO_ACCEL_LIMIT);
	hdr(&R, VIRTIO_ACCEL_CMD_OP, C.sa, OP_BLAS_SGEMM, 2, 0);
	desc(&R, UINT64_MAX, T_BUFFER, 0, 0);
	desc(&R, 1, T_BUFFER, 0, 0);
	expect(&R, 64, VIRTIO_ACCEL_LIMIT);
}

static void c_inline_write_too_big_for_w(void)
{
	hdr(&R, VIRTIO_ACCEL_CMD_OP, C.sa, OP_BLAS_SGEMM, 0, 1);
	desc(&R, 100, T_FLOAT32_ARRAY, 0, 0);
	expect(&R, 32 + 16, VIRTIO_ACCEL_BADMSG);
}

static void c_inline_too_large(void)
{
	/* inline read data above max_inline_bytes (4 MiB): the length is
	 * checked before any byte is read */
	hdr(&R, VIRTIO_ACCEL_CMD_OP, C.sa, OP_BLAS_SGEMM, 1, 0);
	desc(&R, 5u << 20, T_FLOAT32_ARRAY, 0, 0);
	expect(&R, 64, VIRTIO_ACCEL_LIMIT);
}

static void c_bad_arg_type(void)
{
	static const uint32_t bad[] = {30, 31, 0x10000, 0xffffffffu};
	for (unsigned int i = 0; i < 4; i++) {
		hdr(&R, VIRTIO_ACCEL_CMD_OP, C.sa, OP_BLAS_SGEMM, 1, 0);
		desc(&R, 4, bad[i], 0, 0);
		put(&R, "abcd", 4);
		expect(&R, 64, VIRTIO_ACCEL_BADMSG);
	}
}

static void c_custom_id_on_plain_type(void)
{
	hdr(&R, VIRTIO_ACCEL_CMD_OP, C.sa, OP_BLAS_SGEMM, 1, 0);
	desc(&R, 4, T_INT32, 0, 0);
	D(&R, 0)->custom_type_id = htole32(7);
	put(&R, "abcd", 4);
	expect(&R, 64, VIRTIO_ACCEL_BADMSG);
}

static void c_arg_reserved(void)
{
	hdr(&R, VIRTIO_ACCEL_CMD_OP, C.sa, OP_BLAS_SGEMM, 1, 0);
	desc(&R, 4, T_INT32, 0, 0);
	D(&R, 0)->reserved = htole64(1ull << 40);
	put(&R, "abcd", 4);
	expect(&R, 64, VIRTIO_ACCEL_BADMSG);
}

static void c_arg_unknown_flags(void)
{
	hdr(&R, VIRTIO_ACCEL_CMD_OP, C.sa, OP_BLAS_SGEMM, 1, 0);
	desc(&R, 4, T_INT32, 1u << 5, 0);
	put(&R, "abcd", 4);
	expect(&R, 64, VIRTIO_ACCEL_BADMSG);
}

static void c_nr_segs_on_inline(void)
{
	hdr(&R, VIRTIO_ACCEL_CMD_OP, C.sa, OP_BLAS_SGEMM, 1, 0);
	desc(&R, 4, T_INT32, 0, 1);
	put(&R, "abcd", 4);
	expect(&R, 64, VIRTIO_ACCEL_BADMSG);
}

/* one segment arg (read) with the given top-level entries */
static void seg_req(uint64_t len, uint32_t nsegs)
{
	hdr(&R, VIRTIO_ACCEL_CMD_OP, C.sa, OP_BLAS_SGEMM, 1, 0);
	desc(&R, len, T_FLOAT32_ARRAY, VIRTIO_ACCEL_ARG_F_SEGMENTS, nsegs);
}

static void c_seg_arg_zero_len(void)
{
	seg_req(0, 1);
	seg(&R, DATA_GPA, 16, 0);
	expect(&R, 64, VIRTIO_ACCEL_BADMSG);
}

static void c_seg_arg_no_entries(void)
{
	seg_req(16, 0);
	expect(&R, 64, VIRTIO_ACCEL_BADMSG);
}

static void c_seg_zero_len_segment(void)
{
	seg_req(16, 2);
	seg(&R, DATA_GPA, 16, 0);
	seg(&R, DATA_GPA + 64, 0, 0);
	expect(&R, 64, VIRTIO_ACCEL_BADMSG);
}

static void c_seg_outside_memory(void)
{
	seg_req(4096, 1);
	seg(&R, MEM_A + (1u << 20), 4096, 0);
	expect(&R, 64, VIRTIO_ACCEL_FAULT);
}

static void c_seg_wrapping(void)
{
	seg_req(4096, 1);
	seg(&R, UINT64_MAX - 100, 4096, 0);
	expect(&R, 64, VIRTIO_ACCEL_FAULT);
}

static void c_seg_straddles_end(void)
{
	seg_req(4096, 1);
	seg(&R, MEM_A - 100, 4096, 0);
	expect(&R, 64, VIRTIO_ACCEL_FAULT);
}

static void c_seg_sum_mismatch(void)
{
	seg_req(4096, 2);
	seg(&R, DATA_GPA, 1000, 0);
	seg(&R, DATA_GPA + 4096, 1000, 0);
	expect(&R, 64, VIRTIO_ACCEL_BADMSG);
	/* the sum of u32 lengths above 4 GiB must not wrap to len */
	seg_req(4096, 3);
	seg(&R, 0, 0x80000000u, 0);
	seg(&R, 0, 0x80000000u, 0);
	seg(&R, 0, 4096, 0);
	long used = run_raw(R.b, R.n, 64);
	assert_int_equal(used, 32);
	uint32_t st = le32toh(last_resp.status);
	assert_true(st == VIRTIO_ACCEL_FAULT || st == VIRTIO_ACCEL_BADMSG);
}

static void c_seg_bad_flags(void)
{
	seg_req(16, 1);
	seg(&R, DATA_GPA, 16, 1u << 1);
	expect(&R, 64, VIRTIO_ACCEL_BADMSG);
}

static void c_seg_nested_indirect(void)
{
	struct virtio_accel_seg *t = vmm_ptr(&C.a, TABLE_GPA);
	t[0] = (struct virtio_accel_seg){htole64(TABLE_GPA + 4096), 16,
					 htole32(VIRTIO_ACCEL_SEG_F_INDIRECT)};
	seg_req(16, 1);
	seg(&R, TABLE_GPA, 16, VIRTIO_ACCEL_SEG_F_INDIRECT);
	expect(&R, 64, VIRTIO_ACCEL_BADMSG);
}

static void c_seg_table_self_reference(void)
{
	/* a table whose entry is itself with the indirect bit: no loop */
	struct virtio_accel_seg *t = vmm_ptr(&C.a, TABLE_GPA);
	t[0] = (struct virtio_accel_seg){htole64(TABLE_GPA), 16,
					 htole32(VIRTIO_ACCEL_SEG_F_INDIRECT)};
	seg_req(16, 1);
	seg(&R, TABLE_GPA, 16, VIRTIO_ACCEL_SEG_F_INDIRECT);
	expect(&R, 64, VIRTIO_ACCEL_BADMSG);
}

static void c_seg_table_bad_len(void)
{
	seg_req(16, 1);
	seg(&R, TABLE_GPA, 24, VIRTIO_ACCEL_SEG_F_INDIRECT);
	expect(&R, 64, VIRTIO_ACCEL_BADMSG);
}

static void c_seg_table_too_many_entries(void)
{
	seg_req(4097 * 16, 1);
	seg(&R, TABLE_GPA, 4097 * 16, VIRTIO_ACCEL_SEG_F_INDIRECT);
	expect(&R, 64, VIRTIO_ACCEL_BADMSG);
}

static void c_seg_table_outside_memory(void)
{
	seg_req(16, 1);
	seg(&R, MEM_A - 8, 16, VIRTIO_ACCEL_SEG_F_INDIRECT);
	expect(&R, 64, VIRTIO_ACCEL_FAULT);
}

static void c_seg_table_entry_bad_flags(void)
{
	struct virtio_accel_seg *t = vmm_ptr(&C.a, TABLE_GPA);
	t[0] = (struct virtio_accel_seg){htole64(DATA_GPA), 16,
					 htole32(0x80000000u)};
	seg_req(16, 1);
	seg(&R, TABLE_GPA, 16, VIRTIO_ACCEL_SEG_F_INDIRECT);
	expect(&R, 64, VIRTIO_ACCEL_BADMSG);
}

static void c_seg_huge_entry_count(void)
{
	seg_req(16, 0xffffffffu);
	expect(&R, 64, VIRTIO_ACCEL_LIMIT);
}

static void c_seg_entries_missing(void)
{
	seg_req(64, 4); /* four entries announced, one present */
	seg(&R, DATA_GPA, 64, 0);
	expect(&R, 64, VIRTIO_ACCEL_BADMSG);
}

/* ---------------------------------------------------------------------- */
/* command cases, foreign and stale ids                                    */
/* ---------------------------------------------------------------------- */

static void c_session_create_with_args(void)
{
	hdr(&R, VIRTIO_ACCEL_CMD_SESSION_CREATE, 0, 0, 1, 0);
	desc(&R, 4, T_INT32, 0, 0);
	put(&R, "abcd", 4);
	expect(&R, 64, VIRTIO_ACCEL_BADMSG);
	hdr(&R, VIRTIO_ACCEL_CMD_SESSION_CREATE, 5, 0, 0, 0);
	expect(&R, 64, VIRTIO_ACCEL_BADMSG);
}

static void c_unknown_session_ids(void)
{
	const uint64_t gen = C.sa & ~0xffffffffull;
	const uint64_t ids[] = {0, 255, 256, 257, 1ull << 32, UINT64_MAX,
				/* A's live slot under other generations */
				(uint32_t)C.sa, C.sa ^ (1ull << 32),
				C.sa ^ (1ull << 63),
				/* A's generation, slots it does not have */
				gen, gen | 255, gen | 257, gen | 0xffffffffull};
	for (unsigned int i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		assert_int_equal(noop(&C.a, ids[i]), VIRTIO_ACCEL_NOSESS);
	assert_int_equal(noop(&C.a, C.sa), VIRTIO_ACCEL_OK);
}

static void c_foreign_same_slot(void)
{
	/* B's first session has A's slot, under B's generation: A cannot
	 * use or destroy it, and it is still B's afterwards */
	assert_int_equal(noop(&C.a, C.sb_first), VIRTIO_ACCEL_NOSESS);
	struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_SESSION_DESTROY,
			    .session_id = C.sb_first};
	assert_int_equal(request(&C.a, &r), VIRTIO_ACCEL_NOSESS);
	assert_int_equal(noop(&C.b, C.sb_first), VIRTIO_ACCEL_OK);
	assert_int_equal(noop(&C.a, C.sa), VIRTIO_ACCEL_OK);
}

static void c_foreign_session(void)
{
	/* B's session id C.sb_only is not A's: A can neither use nor destroy
	 * it, and B's session survives the attempts */
	assert_int_equal(noop(&C.a, C.sb_only), VIRTIO_ACCEL_NOSESS);
	struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_SESSION_DESTROY,
			    .session_id = C.sb_only};
	assert_int_equal(request(&C.a, &r), VIRTIO_ACCEL_NOSESS);
	assert_int_equal(noop(&C.b, C.sb_only), VIRTIO_ACCEL_OK);
}

static void c_foreign_resource(void)
{
	struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_RESOURCE_REGISTER,
			    .session_id = C.sa,
			    .object_id = C.rb};
	assert_int_equal(request(&C.a, &r), VIRTIO_ACCEL_NORES);
	r.cmd = VIRTIO_ACCEL_CMD_RESOURCE_DESTROY;
	r.session_id = 0;
	assert_int_equal(request(&C.a, &r), VIRTIO_ACCEL_NORES);
	/* EXEC_WITH_RESOURCE naming B's resource: id translation refuses */
	int64_t gid = (int64_t)C.rb;
	static const char sym[] = "f";
	struct vmm_req x;
	vmm_exec_req(&x, C.sa, &gid, sym, 2, 0);
	assert_int_equal(request(&C.a, &x), VIRTIO_ACCEL_NORES);
	/* B still owns it */
	struct vmm_req g = {.cmd = VIRTIO_ACCEL_CMD_RESOURCE_REGISTER,
			    .session_id = C.sb_only,
			    .object_id = C.rb};
	assert_int_equal(request(&C.b, &g), VIRTIO_ACCEL_OK);
	assert_int_equal(g.resp.vaccel_ret, 0);
	g.cmd = VIRTIO_ACCEL_CMD_RESOURCE_UNREGISTER;
	assert_int_equal(request(&C.b, &g), VIRTIO_ACCEL_OK);
}

static void c_destroyed_session_reuse(void)
{
	uint64_t s = new_session(&C.a);
	struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_SESSION_DESTROY,
			    .session_id = s};
	assert_int_equal(request(&C.a, &r), VIRTIO_ACCEL_OK);
	assert_int_equal(request(&C.a, &r), VIRTIO_ACCEL_NOSESS);
	assert_int_equal(noop(&C.a, s), VIRTIO_ACCEL_NOSESS);
	struct vmm_req t = {.cmd = VIRTIO_ACCEL_CMD_TIMERS_GET,
			    .session_id = s,
			    .nr_write = 1};
	uint8_t buf[256];
	t.wr[0] = (struct vmm_arg){
		.type = T_BUFFER, .out = buf, .len = sizeof(buf)};
	assert_int_equal(request(&C.a, &t), VIRTIO_ACCEL_NOSESS);
}

static void c_destroyed_resource_reuse(void)
{
	uint64_t res = new_resource(&C.a);
	struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_RESOURCE_DESTROY,
			    .object_id = res};
	assert_int_equal(request(&C.a, &r), VIRTIO_ACCEL_OK);
	assert_int_equal(request(&C.a, &r), VIRTIO_ACCEL_NORES);
	struct vmm_req g = {.cmd = VIRTIO_ACCEL_CMD_RESOURCE_REGISTER,
			    .session_id = C.sa,
			    .object_id = res};
	assert_int_equal(request(&C.a, &g), VIRTIO_ACCEL_NORES);
}

static void c_resource_bad_names(void)
{
	static const char *const names[] = {"..", ".", "a/b", "/etc"};
	for (unsigned int i = 0; i < 5; i++) {
		struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_RESOURCE_CREATE,
				    .param = 1,
				    .nr_read = 2};
		static const char no_nul[4] = {'a', 'b', 'c', 'd'};
		const char *n = i < 4 ? names[i] : no_nul;
		r.rd[0] = (struct vmm_arg){.type = T_STRING,
					   .data = n,
					   .len = i < 4 ? strlen(n) + 1 : 4};
		r.rd[1] = (struct vmm_arg){.type = T_BUFFER,
					   .data = blob_data,
					   .len = sizeof(blob_data)};
		assert_int_equal(request(&C.a, &r), VIRTIO_ACCEL_BADMSG);
	}
}

static void c_resource_bad_shape(void)
{
	/* odd arg count, bad type, write args, wrong data type */
	struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_RESOURCE_CREATE,
			    .param = 1,
			    .nr_read = 1};
	r.rd[0] = (struct vmm_arg){
		.type = T_STRING, .data = blob_name, .len = sizeof(blob_name)};
	assert_int_equal(request(&C.a, &r), VIRTIO_ACCEL_BADMSG);
	r.nr_read = 2;
	r.rd[1] = (struct vmm_arg){
		.type = T_BUFFER, .data = blob_data, .len = sizeof(blob_data)};
	r.param = 7;
	assert_int_equal(request(&C.a, &r), VIRTIO_ACCEL_BADMSG);
	r.param = 1;
	r.rd[1].type = T_INT32;
	assert_int_equal(request(&C.a, &r), VIRTIO_ACCEL_BADMSG);
	r.rd[1].type = T_BUFFER;
	r.nr_write = 1;
	uint8_t o[8];
	r.wr[0] = (struct vmm_arg){.type = T_BUFFER, .out = o, .len = 8};
	assert_int_equal(request(&C.a, &r), VIRTIO_ACCEL_BADMSG);
}

static void c_op_type_out_of_range(void)
{
	static const uint32_t ops[] = {24, 1000, 0xffffffffu};
	for (unsigned int i = 0; i < 3; i++) {
		struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_OP,
				    .session_id = C.sa,
				    .param = ops[i]};
		assert_int_equal(request(&C.a, &r), VIRTIO_ACCEL_BADMSG);
	}
	struct vmm_req u = {.cmd = VIRTIO_ACCEL_CMD_OP,
			    .session_id = C.sa,
			    .param = OP_TORCH_SGEMM};
	assert_int_equal(request(&C.a, &u), VIRTIO_ACCEL_UNSUPP);
}

static void c_noop_with_args(void)
{
	int32_t x = 1;
	struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_OP,
			    .session_id = C.sa,
			    .param = OP_NOOP,
			    .nr_read = 1};
	r.rd[0] = (struct vmm_arg){.type = T_INT32, .data = &x, .len = 4};
	assert_int_equal(request(&C.a, &r), VIRTIO_ACCEL_BADMSG);
}

static void c_exec_bad_resource_arg(void)
{
	/* id of the wrong type or size, negative, zero */
	int32_t small = 1;
	int64_t ids[] = {-1, 0, INT64_MIN};
	struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_OP,
			    .session_id = C.sa,
			    .param = OP_EXEC_WITH_RESOURCE,
			    .nr_read = 1};
	r.rd[0] = (struct vmm_arg){.type = T_INT32, .data = &small, .len = 4};
	assert_int_equal(request(&C.a, &r), VIRTIO_ACCEL_BADMSG);
	r.nr_read = 0;
	assert_int_equal(request(&C.a, &r), VIRTIO_ACCEL_BADMSG);
	r.nr_read = 1;
	for (unsigned int i = 0; i < 3; i++) {
		r.rd[0] = (struct vmm_arg){
			.type = T_INT64, .data = &ids[i], .len = 8};
		assert_int_equal(request(&C.a, &r), VIRTIO_ACCEL_NORES);
	}
}

static void c_timers_bad(void)
{
	uint8_t buf[64];
	struct vmm_req t = {.cmd = VIRTIO_ACCEL_CMD_TIMERS_GET,
			    .session_id = C.sa,
			    .param = 2,
			    .nr_write = 1};
	t.wr[0] = (struct vmm_arg){
		.type = T_BUFFER, .out = buf, .len = sizeof(buf)};
	assert_int_equal(request(&C.a, &t), VIRTIO_ACCEL_BADMSG);
	t.param = 0;
	t.wr[0].len = 2u << 20; /* above max_timer_bytes, as a segment */
	t.wr[0].segments = true;
	t.wr[0].layout = VMM_SEG_CONTIGUOUS;
	t.wr[0].out = NULL;
	assert_int_equal(request(&C.a, &t), VIRTIO_ACCEL_LIMIT);
}

/* ---------------------------------------------------------------------- */
/* a guest rewriting its request while the device reads it                 */
/* ---------------------------------------------------------------------- */

struct flipper {
	volatile bool stop;
	uint8_t *base;
	size_t len;
	unsigned int seed;
	unsigned long flips;
};

static void *flip_main(void *arg)
{
	struct flipper *f = arg;
	while (!f->stop) {
		for (int i = 0; i < 64; i++) {
			size_t off = (size_t)rand_r(&f->seed) % f->len;
			f->base[off] ^= (uint8_t)(1u << (rand_r(&f->seed) % 8));
		}
		f->flips += 64;
		sched_yield();
	}
	return NULL;
}

static void c_guest_rewrites_request(void)
{
	/* own front-end: the flips may legitimately wreck its state */
	static struct vmm v;
	assert_int_equal(vmm_connect_q(&v, C.d.sock, MEM_B, 1), 0);
	uint64_t s = new_session(&v);
	struct vmm_arena ar;
	assert_int_equal(vmm_arena_carve(&v, &ar, 1u << 20), 0);
	static float A[2048], B[2048];
	int64_t m = 32, n = 32, k = 32;
	float alpha = 1, beta = 0;
	struct flipper f = {
		.base = vmm_ptr(&v, ar.base), .len = 64 * 1024, .seed = 12345};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, flip_main, &f), 0);
	unsigned int done = 0, total = 300;
	for (unsigned int i = 0; i < total; i++) {
		struct vmm_req r = {.cmd = VIRTIO_ACCEL_CMD_OP,
				    .session_id = s,
				    .param = OP_BLAS_SGEMM,
				    .nr_read = 10,
				    .nr_write = 1};
		r.rd[0] =
			(struct vmm_arg){.type = T_INT64, .data = &m, .len = 8};
		r.rd[1] =
			(struct vmm_arg){.type = T_INT64, .data = &n, .len = 8};
		r.rd[2] =
			(struct vmm_arg){.type = T_INT64, .data = &k, .len = 8};
		r.rd[3] = (struct vmm_arg){
			.type = T_FLOAT32, .data = &alpha, .len = 4};
		r.rd[4] = (struct vmm_arg){.type = T_FLOAT32_ARRAY,
					   .data = A,
					   .len = 32 * 32 * 4,
					   .segments = true};
		r.rd[5] =
			(struct vmm_arg){.type = T_INT64, .data = &k, .len = 8};
		r.rd[6] = (struct vmm_arg){.type = T_FLOAT32_ARRAY,
					   .data = B,
					   .len = 32 * 32 * 4,
					   .segments = i % 2};
		r.rd[7] =
			(struct vmm_arg){.type = T_INT64, .data = &n, .len = 8};
		r.rd[8] = (struct vmm_arg){
			.type = T_FLOAT32, .data = &beta, .len = 4};
		r.rd[9] =
			(struct vmm_arg){.type = T_INT64, .data = &n, .len = 8};
		r.wr[0] = (struct vmm_arg){.type = T_FLOAT32_ARRAY,
					   .len = 32 * 32 * 4};
		if (i % 3 == 0)
			r = (struct vmm_req){
				.cmd = VIRTIO_ACCEL_CMD_SESSION_CREATE};
		if (vmm_submit(&v, 0, &ar, 0, &r) < 0)
			break;
		/* a flip may wreck the chain's own ring: bounded wait */
		if (vmm_wait_head(&v, 0, 0, WAIT_MS) < 0)
			break;
		done++;
	}
	f.stop = true;
	pthread_join(th, NULL);
	print_message("  %u of %u requests completed under %lu flips\n", done,
		      total, f.flips);
	assert_true(done > 0);
	assert_true(f.flips > 0);
	assert_true(daemon_alive(&C.d));
	vmm_disconnect(&v);
}

/* ---------------------------------------------------------------------- */
/* vhost-user control-plane abuse (fresh connection each)                  */
/* ---------------------------------------------------------------------- */

static struct vmm X;

static void x_open(void)
{
	/* full negotiation (features, REPLY_ACK, memory), no rings */
	assert_int_equal(vmm_connect_q(&X, C.d.sock, 1u << 20, 0), 0);
}

static void x_close(void)
{
	vmm_disconnect(&X);
}

/* The connection is still usable: a request/reply round trip works. */
static void x_alive(void)
{
	uint64_t n = 0;
	assert_int_equal(
		vmm_msg_send(&X, VMM_GET_QUEUE_NUM, 0, NULL, 0, NULL, 0), 0);
	uint32_t req;
	assert_int_equal(vmm_msg_recv(&X, &req, &n, 8, WAIT_MS), 8);
	assert_int_equal(req, VMM_GET_QUEUE_NUM);
	assert_int_equal(n, 2);
}

/* Send with NEED_REPLY and expect a negative ack, connection kept. */
static void x_nack(uint32_t req, const void *p, uint32_t size, const int *fds,
		   int nfds)
{
	assert_int_equal(
		vmm_msg_send(&X, req, VMM_MSG_NEED_REPLY, p, size, fds, nfds),
		0);
	uint64_t ack = 0;
	uint32_t got;
	assert_int_equal(vmm_msg_recv(&X, &got, &ack, 8, WAIT_MS), 8);
	assert_int_equal(got, req);
	assert_int_not_equal(ack, 0);
	x_alive();
}

/* Send and expect the daemon to drop the connection. */
static void x_dropped(uint32_t req, const void *p, uint32_t size,
		      const int *fds, int nfds)
{
	assert_int_equal(
		vmm_msg_send(&X, req, VMM_MSG_NEED_REPLY, p, size, fds, nfds),
		0);
	assert_true(vmm_peer_closed(&X, WAIT_MS));
}

struct region_msg {
	uint32_t n, pad;
	struct {
		uint64_t gpa, size, uva, off;
	} r[9];
};

static int memfd_of(size_t size)
{
	int fd = memfd_create("hostile", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	return fd;
}

static void mem_table(uint32_t n, uint64_t size, uint64_t off, int nfds,
		      bool overlap)
{
	struct region_msg m = {.n = n};
	int fds[9] = {-1, -1, -1, -1, -1, -1, -1, -1, -1};
	for (uint32_t i = 0; i < 9; i++) {
		m.r[i].gpa = overlap ? 0 : (uint64_t)i << 30;
		m.r[i].size = size;
		m.r[i].uva = 0x10000000ull * (i + 1);
		m.r[i].off = off;
	}
	for (int i = 0; i < nfds; i++)
		fds[i] = memfd_of(1u << 20);
	x_dropped(VMM_SET_MEM_TABLE, &m, 8 + (n ? n : 1) * 32, fds, nfds);
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
}

static void c_cp_unknown_request(void)
{
	x_open();
	x_nack(999, NULL, 0, NULL, 0);
	x_nack(VMM_SET_LOG_BASE, "\0\0\0\0\0\0\0\0", 8, NULL, 0);
	x_close();
}

static void c_cp_payload_too_big(void)
{
	x_open();
	uint32_t h[3] = {VMM_GET_FEATURES, 1, 100000};
	assert_int_equal(vmm_sock_send(&X, h, sizeof(h), NULL, 0), 0);
	assert_true(vmm_peer_closed(&X, WAIT_MS));
	x_close();
}

static void c_cp_short_header_then_eof(void)
{
	x_open();
	assert_int_equal(vmm_sock_send(&X, "\x01\0\0\0\x01\0", 6, NULL, 0), 0);
	shutdown(X.sock, SHUT_WR);
	assert_true(vmm_peer_closed(&X, WAIT_MS));
	x_close();
}

static void c_cp_bad_flags_version(void)
{
	x_open();
	uint32_t h[3] = {VMM_GET_FEATURES, 0 /* version 0 */, 0};
	assert_int_equal(vmm_sock_send(&X, h, sizeof(h), NULL, 0), 0);
	assert_true(vmm_peer_closed(&X, WAIT_MS));
	x_close();
}

static void c_cp_size_too_short(void)
{
	x_open();
	uint32_t st[2] = {0, 256};
	x_dropped(VMM_SET_VRING_NUM, st, 4, NULL, 0);
	x_close();
	x_open();
	x_dropped(VMM_SET_VRING_ADDR, st, 8, NULL, 0);
	x_close();
}

static void c_cp_set_features_unknown(void)
{
	x_open();
	uint64_t f = ~0ull;
	x_dropped(VMM_SET_FEATURES, &f, 8, NULL, 0);
	x_close();
}

static void c_cp_get_config_bad(void)
{
	x_open();
	/* length above the payload bound: refused */
	uint32_t g[3] = {0, 5000, 0};
	x_nack(VMM_GET_CONFIG, g, 12, NULL, 0);
	/* out of the config space: an empty reply */
	uint8_t m[12 + 16] = {0};
	uint32_t h[3] = {60, 16, 0};
	memcpy(m, h, 12);
	assert_int_equal(
		vmm_msg_send(&X, VMM_GET_CONFIG, 0, m, sizeof(m), NULL, 0), 0);
	uint32_t req;
	assert_int_equal(vmm_msg_recv(&X, &req, NULL, 0, WAIT_MS), 0);
	assert_int_equal(req, VMM_GET_CONFIG);
	x_alive();
	x_nack(VMM_SET_CONFIG, m, sizeof(m), NULL, 0);
	x_close();
}

static void c_cp_mem_table_bad_counts(void)
{
	x_open();
	mem_table(0, 1u << 20, 0, 0, false); /* no region */
	x_close();
	x_open();
	mem_table(1, 1u << 20, 0, 2, false); /* 1 region, 2 fds */
	x_close();
	x_open();
	mem_table(2, 1u << 20, 0, 1, false); /* 2 regions, 1 fd */
	x_close();
	x_open();
	mem_table(1, 1u << 20, 0, 0, false); /* no fd at all */
	x_close();
	x_open();
	mem_table(9, 1u << 20, 0, 8, false); /* above the slot limit */
	x_close();
}

static void c_cp_mem_table_bad_regions(void)
{
	x_open();
	mem_table(1, 2u << 20, 0, 1, false); /* larger than its file */
	x_close();
	x_open();
	mem_table(1, 4096, 2u << 20, 1, false); /* offset past the file */
	x_close();
	x_open();
	mem_table(1, 0, 0, 1, false); /* empty */
	x_close();
	x_open();
	mem_table(2, 1u << 20, 0, 2, true); /* overlapping */
	x_close();
	x_open();
	mem_table(1, UINT64_MAX - 4095, 4096, 1, false); /* wraps */
	x_close();
	/* an fd that cannot be mapped */
	x_open();
	int p[2];
	assert_int_equal(pipe(p), 0);
	struct region_msg m = {.n = 1};
	m.r[0].size = 4096;
	m.r[0].uva = 0x10000000;
	x_dropped(VMM_SET_MEM_TABLE, &m, 8 + 32, p, 1);
	close(p[0]);
	close(p[1]);
	x_close();
}

static void c_cp_add_mem_reg_bad(void)
{
	x_open();
	struct {
		uint64_t pad;
		uint64_t gpa, size, uva, off;
	} r = {0, 1ull << 32, 8u << 20, 0x50000000, 0};
	int fd = memfd_of(1u << 20);
	x_nack(VMM_ADD_MEM_REG, &r, sizeof(r), &fd, 1); /* beyond file */
	r.size = 4096;
	r.gpa = 0; /* overlaps the region of x_open */
	x_nack(VMM_ADD_MEM_REG, &r, sizeof(r), &fd, 1);
	x_nack(VMM_ADD_MEM_REG, &r, sizeof(r), NULL, 0); /* no fd */
	r.gpa = 1ull << 40;
	x_nack(VMM_REM_MEM_REG, &r, sizeof(r), NULL, 0); /* unknown */
	close(fd);
	x_close();
}

static void c_cp_vring_index_out_of_range(void)
{
	x_open();
	uint32_t st[2] = {2, 256}; /* the daemon has queues 0 and 1 */
	x_dropped(VMM_SET_VRING_NUM, st, 8, NULL, 0);
	x_close();
	x_open();
	uint64_t idx = 200;
	int e = eventfd(0, EFD_CLOEXEC);
	x_nack(VMM_SET_VRING_CALL, &idx, 8, &e, 1);
	x_nack(VMM_SET_VRING_ENABLE, st, 8, NULL, 0);
	x_dropped(VMM_SET_VRING_KICK, &idx, 8, &e, 1);
	close(e);
	x_close();
	x_open();
	uint32_t base[2] = {0xffffffffu, 0};
	x_nack(VMM_SET_VRING_BASE, base, 8, NULL, 0);
	x_nack(VMM_GET_VRING_BASE, base, 8, NULL, 0);
	x_close();
}

static void c_cp_vring_num_bad(void)
{
	static const uint32_t nums[] = {0, 100, 65536, 1u << 31};
	for (unsigned int i = 0; i < 4; i++) {
		x_open();
		uint32_t st[2] = {0, nums[i]};
		x_dropped(VMM_SET_VRING_NUM, st, 8, NULL, 0);
		x_close();
	}
}

static void c_cp_vring_addr_bad(void)
{
	x_open();
	uint32_t st[2] = {0, 256};
	assert_int_equal(vmm_msg_send(&X, VMM_SET_VRING_NUM, 0, st, 8, NULL, 0),
			 0);
	struct {
		uint32_t index, flags;
		uint64_t desc, used, avail, log;
	} ad = {0, 0, 0xdead0000, 0xdead8000, 0xdeadc000, 0};
	x_dropped(VMM_SET_VRING_ADDR, &ad, sizeof(ad), NULL, 0); /* outside */
	x_close();
	/* inside guest memory, but misaligned */
	x_open();
	assert_int_equal(vmm_msg_send(&X, VMM_SET_VRING_NUM, 0, st, 8, NULL, 0),
			 0);
	uint64_t m = (uint64_t)(uintptr_t)X.mem;
	ad.desc = m + 4096 + 1;
	ad.avail = m + 8192 + 1;
	ad.used = m + 12288 + 2;
	x_dropped(VMM_SET_VRING_ADDR, &ad, sizeof(ad), NULL, 0);
	x_close();
	/* a ring that does not fit in guest memory */
	x_open();
	assert_int_equal(vmm_msg_send(&X, VMM_SET_VRING_NUM, 0, st, 8, NULL, 0),
			 0);
	ad.desc = m + (1u << 20) - 64;
	ad.avail = m;
	ad.used = m + 8192;
	x_dropped(VMM_SET_VRING_ADDR, &ad, sizeof(ad), NULL, 0);
	x_close();
}

static unsigned int count_fds(pid_t pid)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/fd", (int)pid);
	DIR *d = opendir(p);
	unsigned int n = 0;
	if (!d)
		return 0;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void c_cp_extra_fds(void)
{
	x_open();
	unsigned int before = count_fds(C.d.pid);
	int fds[3];
	for (int i = 0; i < 3; i++)
		fds[i] = eventfd(0, EFD_CLOEXEC);
	for (int k = 0; k < 20; k++) {
		/* fds on messages that take none: closed by the daemon */
		assert_int_equal(
			vmm_msg_send(&X, VMM_GET_FEATURES, 0, NULL, 0, fds, 3),
			0);
		uint64_t f;
		uint32_t req;
		assert_int_equal(vmm_msg_recv(&X, &req, &f, 8, WAIT_MS), 8);
		uint32_t st[2] = {0, 1};
		x_nack(VMM_SET_VRING_BASE + 0x1000, st, 8, fds, 3);
	}
	unsigned int after = count_fds(C.d.pid);
	assert_true(after <= before + 2); /* no fd kept per message */
	x_close();
	/* more fds than any message carries: the connection is dropped */
	x_open();
	int many[16];
	for (int i = 0; i < 16; i++)
		many[i] = fds[i % 3];
	x_dropped(VMM_GET_FEATURES, NULL, 0, many, 16);
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	x_close();
	/* all of them released once the connections are gone */
	int64_t deadline = vmm_now_ms() + WAIT_MS;
	while (count_fds(C.d.pid) > before - 1 && vmm_now_ms() < deadline)
		usleep(10000);
	assert_true(count_fds(C.d.pid) <= before);
}

static void c_cp_reset_device(void)
{
	/* RESET_DEVICE / RESET_OWNER from an unexpected state: acknowledged,
	 * the connection keeps working */
	x_open();
	for (uint32_t req = VMM_RESET_OWNER; req;
	     req = req == VMM_RESET_OWNER ? VMM_RESET_DEVICE : 0) {
		assert_int_equal(vmm_msg_send(&X, req, VMM_MSG_NEED_REPLY, NULL,
					      0, NULL, 0),
				 0);
		uint64_t ack = 1;
		assert_int_equal(vmm_msg_recv(&X, NULL, &ack, 8, WAIT_MS), 8);
		assert_int_equal(ack, 0);
		x_alive();
	}
	x_close();
}

/* ---------------------------------------------------------------------- */
/* the table and its runner                                                */
/* ---------------------------------------------------------------------- */

/* case names without the "c_" prefix */
#define CASE(f)                                                                \
	{                                                                      \
		&(#f)[2], f, false                                             \
	}
#define BREAKS(f)                                                              \
	{                                                                      \
		&(#f)[2], f, true                                              \
	}

static const struct hcase cases[] = {
	/* rings and descriptors */
	CASE(c_desc_loop),
	CASE(c_desc_self_loop),
	CASE(c_chain_longer_than_queue),
	CASE(c_next_out_of_range),
	CASE(c_desc_outside_memory),
	CASE(c_desc_wrapping),
	CASE(c_desc_straddles_end),
	CASE(c_desc_huge_len),
	CASE(c_readable_after_writable),
	CASE(c_zero_length_chain),
	CASE(c_zero_length_writable),
	CASE(c_header_needs_w_too_small),
	CASE(c_indirect_loop),
	CASE(c_indirect_to_indirect),
	CASE(c_indirect_with_next),
	CASE(c_indirect_bad_len),
	CASE(c_indirect_zero_len),
	CASE(c_indirect_outside_memory),
	CASE(c_indirect_huge),
	CASE(c_indirect_next_out_of_table),
	CASE(c_indirect_too_many_iov),
	CASE(c_header_in_48_pieces),
	CASE(c_overlapping_r_w),
	BREAKS(c_head_out_of_range),
	BREAKS(c_avail_idx_jump),
	BREAKS(c_vring_num_change_while_running),
	/* request header and arguments */
	CASE(c_truncated_header),
	CASE(c_no_room_for_response),
	CASE(c_bad_version),
	CASE(c_header_flags),
	CASE(c_header_reserved),
	CASE(c_unknown_cmd),
	CASE(c_count_exceeds_payload),
	CASE(c_huge_arg_count),
	CASE(c_arg_count_sum_wraps),
	CASE(c_payload_longer_than_layout),
	CASE(c_inline_len_exceeds_payload),
	CASE(c_arg_len_huge),
	CASE(c_arg_len_sum_overflow),
	CASE(c_inline_write_too_big_for_w),
	CASE(c_inline_too_large),
	CASE(c_bad_arg_type),
	CASE(c_custom_id_on_plain_type),
	CASE(c_arg_reserved),
	CASE(c_arg_unknown_flags),
	CASE(c_nr_segs_on_inline),
	/* segment lists */
	CASE(c_seg_arg_zero_len),
	CASE(c_seg_arg_no_entries),
	CASE(c_seg_zero_len_segment),
	CASE(c_seg_outside_memory),
	CASE(c_seg_wrapping),
	CASE(c_seg_straddles_end),
	CASE(c_seg_sum_mismatch),
	CASE(c_seg_bad_flags),
	CASE(c_seg_nested_indirect),
	CASE(c_seg_table_self_reference),
	CASE(c_seg_table_bad_len),
	CASE(c_seg_table_too_many_entries),
	CASE(c_seg_table_outside_memory),
	CASE(c_seg_table_entry_bad_flags),
	CASE(c_seg_huge_entry_count),
	CASE(c_seg_entries_missing),
	/* commands and ids */
	CASE(c_session_create_with_args),
	CASE(c_unknown_session_ids),
	CASE(c_foreign_same_slot),
	CASE(c_foreign_session),
	CASE(c_foreign_resource),
	CASE(c_destroyed_session_reuse),
	CASE(c_destroyed_resource_reuse),
	CASE(c_resource_bad_names),
	CASE(c_resource_bad_shape),
	CASE(c_op_type_out_of_range),
	CASE(c_noop_with_args),
	CASE(c_exec_bad_resource_arg),
	CASE(c_timers_bad),
	/* concurrent rewriting */
	CASE(c_guest_rewrites_request),
	/* control plane */
	CASE(c_cp_unknown_request),
	CASE(c_cp_payload_too_big),
	CASE(c_cp_short_header_then_eof),
	CASE(c_cp_bad_flags_version),
	CASE(c_cp_size_too_short),
	CASE(c_cp_set_features_unknown),
	CASE(c_cp_get_config_bad),
	CASE(c_cp_mem_table_bad_counts),
	CASE(c_cp_mem_table_bad_regions),
	CASE(c_cp_add_mem_reg_bad),
	CASE(c_cp_vring_index_out_of_range),
	CASE(c_cp_vring_num_bad),
	CASE(c_cp_vring_addr_bad),
	CASE(c_cp_extra_fds),
	CASE(c_cp_reset_device),
};
#define NR_CASES (sizeof(cases) / sizeof(cases[0]))

static void run_case(void **state)
{
	const struct hcase *c = *state;
	if (!C.up)
		skip();
	c->fn();
	/* the daemon survived, no front-end process crashed, and A is
	 * still served */
	assert_true(daemon_alive(&C.d));
	assert_int_equal(daemon_crashes(&C.d), 0);
	if (c->breaks_a) {
		vmm_disconnect(&C.a);
		connect_a();
	}
	assert_int_equal(noop(&C.a, C.sa), VIRTIO_ACCEL_OK);
}

int main(void)
{
	static struct CMUnitTest tests[NR_CASES];
	for (size_t i = 0; i < NR_CASES; i++) {
		tests[i] = (struct CMUnitTest){
			.name = cases[i].name,
			.test_func = run_case,
			.initial_state = (void *)&cases[i],
		};
	}
	print_message("hostile table: %zu cases\n", NR_CASES);
	return _cmocka_run_group_tests("hostile", tests, NR_CASES, group_setup,
				       group_teardown);
}
