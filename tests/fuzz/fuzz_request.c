// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target: request_parse() and request_write_resp() of
 * host/request.c, the validation of everything a guest puts in a request.
 *
 * Input layout:
 *   u8  pieces    the readable stream is split into 1 + pieces % 8 iovecs
 *   u8  features  negotiated device feature bits (low 4)
 *   u16 rlen      bytes of the readable stream R that follow
 *   u32 wlen      size of the writable stream (bounded to 64 KiB)
 *   R             rlen bytes (fewer if the input is shorter)
 *   M             the rest: guest memory at GUEST_BASE, where segments
 *                 and segment tables may point
 *
 * Besides the sanitizers, the target checks the parser's promises: every
 * data segment lies inside guest memory, inline offsets lie inside the
 * copied data or W, and nothing is accepted that W cannot hold.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"

#define GUEST_BASE 0x100000ull
#define MAX_W	   65536

struct guest {
	uint8_t *mem;
	size_t len;
};

static bool xlate(void *ctx, uint64_t gpa, uint64_t len, struct vq_xlate *out)
{
	struct guest *g = ctx;
	if (gpa < GUEST_BASE || gpa - GUEST_BASE > g->len ||
	    len > g->len - (gpa - GUEST_BASE))
		return false;
	out->hva = g->mem + (gpa - GUEST_BASE);
	out->fd = -1;
	out->fd_off = 0;
	out->page_size = 4096;
	return true;
}

static void check(bool ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 8)
		return 0;
	unsigned int pieces = 1 + data[0] % 8;
	uint64_t features = data[1] & 0xf;
	uint16_t rlen16;
	uint32_t wlen32;
	memcpy(&rlen16, data + 2, 2);
	memcpy(&wlen32, data + 4, 4);
	data += 8;
	size -= 8;
	size_t rlen = rlen16 < size ? rlen16 : size;
	size_t wlen = wlen32 % (MAX_W + 1);

	/* R in its own allocation so that overreads are caught */
	uint8_t *r = malloc(rlen ? rlen : 1);
	memcpy(r, data, rlen);
	struct guest g = {.len = size - rlen};
	g.mem = malloc(g.len ? g.len : 1);
	memcpy(g.mem, data + rlen, g.len);

	struct iovec rd[8];
	size_t off = 0;
	for (unsigned int i = 0; i < pieces; i++) {
		size_t n = i + 1 == pieces ? rlen - off
					   : (rlen - off) / (pieces - i);
		if (i == 0 && rlen > 3)
			n = 3; /* a header split mid-field */
		if (n > rlen - off)
			n = rlen - off;
		rd[i].iov_base = r + off;
		rd[i].iov_len = n;
		off += n;
	}
	uint8_t *w = malloc(wlen ? wlen : 1);
	struct iovec wr[2] = {{w, wlen / 2}, {w + wlen / 2, wlen - wlen / 2}};

	struct req_limits lim = {
		.version_min = 1,
		.version_max = 1,
		.features = features,
		.max_args = 256,
		.max_segments = 1u << 16,
		.max_table_entries = 4096,
		.max_inline_bytes = 4u << 20,
		.max_blobs = 64,
		.max_arg_size = 4ull << 30,
		.max_request_bytes = 8ull << 30,
		.max_timer_bytes = 1u << 20,
	};
	struct req_mem mem = {.xlate = xlate, .ctx = &g};
	struct request req;
	uint32_t st = request_parse(rd, pieces, rlen, wlen, &lim, &mem, &req);
	check(st <= VIRTIO_ACCEL_BUSY);
	struct virtio_accel_resp_arg *resp = NULL;
	volatile uint8_t sink = 0;
	if (st == VIRTIO_ACCEL_OK) {
		check(req.w_needed <= wlen);
		check((uint64_t)req.nr_read + req.nr_write <= lim.max_args);
		check(req.nr_segs <= lim.max_segments);
		for (uint32_t i = 0; i < req.nr_segs; i++) {
			const struct req_seg *s = &req.segs[i];
			check(s->len > 0 && s->hva >= g.mem &&
			      s->hva + s->len <= g.mem + g.len);
		}
		for (uint32_t i = 0; i < req.nr_read + req.nr_write; i++) {
			const struct req_arg *a = &req.args[i];
			uint64_t sum = 0;
			if (a->segmented) {
				check(a->seg_first + a->seg_count <=
				      req.nr_segs);
				for (uint32_t k = 0; k < a->seg_count; k++)
					sum += req.segs[a->seg_first + k].len;
				check(sum == a->len);
			} else if (i < req.nr_read) {
				check(a->inline_off + a->len <=
				      req.rd_inline_len);
				/* touch the copy: must be readable */
				for (uint64_t k = 0; k < a->len; k++)
					sink ^= req.rd_inline[a->inline_off +
							      k];
			} else {
				check(a->inline_off + a->len <= req.w_needed);
			}
		}
		resp = calloc(req.nr_write ? req.nr_write : 1, sizeof(*resp));
	}
	size_t n = request_write_resp(wr, 2, wlen, &req, st, -5, 9, resp,
				      resp ? req.nr_write : 0);
	check(n <= wlen);
	check(wlen < sizeof(struct virtio_accel_resp_hdr) ? n == 0 : n >= 32);
	(void)sink;
	free(resp);
	request_free(&req);
	free(w);
	free(g.mem);
	free(r);
	return 0;
}
