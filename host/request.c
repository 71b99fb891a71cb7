// SPDX-License-Identifier: Apache-2.0
#include "request.h"

#include <endian.h>
#include <stdlib.h>
#include <string.h>

#define FAIL(st, msg)                                                          \
	do {                                                                   \
		req->error = (msg);                                            \
		return (st);                                                   \
	} while (0)

static bool add_ovf(uint64_t a, uint64_t b, uint64_t *out)
{
	return __builtin_add_overflow(a, b, out);
}

static bool has_feature(const struct req_limits *lim, unsigned int bit)
{
	return (lim->features >> bit) & 1;
}

static bool cmd_known(uint16_t cmd)
{
	switch (cmd) {
	case VIRTIO_ACCEL_CMD_SESSION_CREATE:
	case VIRTIO_ACCEL_CMD_SESSION_DESTROY:
	case VIRTIO_ACCEL_CMD_RESOURCE_CREATE:
	case VIRTIO_ACCEL_CMD_RESOURCE_DESTROY:
	case VIRTIO_ACCEL_CMD_RESOURCE_REGISTER:
	case VIRTIO_ACCEL_CMD_RESOURCE_UNREGISTER:
	case VIRTIO_ACCEL_CMD_OP:
	case VIRTIO_ACCEL_CMD_TIMERS_GET:
		return true;
	default:
		return false;
	}
}

/* Append the data segments of one entry; resolves one indirection level. */
static uint32_t add_seg(struct request *req, const struct req_limits *lim,
			const struct req_mem *mem, uint64_t addr, uint32_t len,
			uint32_t *cap)
{
	if (len == 0)
		FAIL(VIRTIO_ACCEL_BADMSG, "zero-length segment");
	if (req->nr_segs >= lim->max_segments)
		FAIL(VIRTIO_ACCEL_LIMIT, "too many data segments");
	if (req->nr_segs == *cap) {
		uint32_t ncap = *cap ? *cap * 2 : 64;
		if (ncap > lim->max_segments)
			ncap = lim->max_segments;
		struct req_seg *n = realloc(req->segs, ncap * sizeof(*n));
		if (!n)
			FAIL(VIRTIO_ACCEL_ERR, "out of memory");
		req->segs = n;
		*cap = ncap;
	}
	struct vq_xlate x;
	if (!mem->xlate(mem->ctx, addr, len, &x))
		FAIL(VIRTIO_ACCEL_FAULT, "segment outside guest memory");
	struct req_seg *s = &req->segs[req->nr_segs++];
	s->hva = x.hva;
	s->len = len;
	s->fd = x.fd;
	s->fd_off = x.fd_off;
	s->page_size = x.page_size;
	return VIRTIO_ACCEL_OK;
}

uint32_t request_parse(const struct iovec *rd, unsigned int nr_rd,
		       size_t rd_len, size_t wr_len,
		       const struct req_limits *lim, const struct req_mem *mem,
		       struct request *req)
{
	struct virtio_accel_req_hdr h;
	if (rd_len < sizeof(h) ||
	    iov_copy_from(rd, nr_rd, 0, &h, sizeof(h)) != sizeof(h)) {
		memset(req, 0, sizeof(*req));
		req->error = "request shorter than its header";
		return VIRTIO_ACCEL_BADMSG;
	}
	return request_parse_hdr(&h, rd, nr_rd, rd_len, wr_len, lim, mem,
				 req);
}

uint32_t request_parse_hdr(const struct virtio_accel_req_hdr *hp,
			   const struct iovec *rd, unsigned int nr_rd,
			   size_t rd_len, size_t wr_len,
			   const struct req_limits *lim,
			   const struct req_mem *mem, struct request *req)
{
	memset(req, 0, sizeof(*req));
	req->mem_key = mem ? mem->ctx : NULL;

	struct virtio_accel_req_hdr h = *hp;
	if (rd_len < sizeof(h))
		FAIL(VIRTIO_ACCEL_BADMSG, "request shorter than its header");
	req->version = le16toh(h.version);
	req->cmd = le16toh(h.cmd);
	req->tag = le64toh(h.tag);
	req->have_tag = true;
	req->session_id = le64toh(h.session_id);
	req->object_id = le64toh(h.object_id);
	req->param = le32toh(h.param);
	req->nr_read = le32toh(h.nr_read);
	req->nr_write = le32toh(h.nr_write);

	if (wr_len < sizeof(struct virtio_accel_resp_hdr))
		FAIL(VIRTIO_ACCEL_BADMSG, "no room for the response header");
	if (req->version < lim->version_min || req->version > lim->version_max)
		FAIL(VIRTIO_ACCEL_VERSION_MISMATCH, "unsupported version");
	if (h.flags || h.reserved)
		FAIL(VIRTIO_ACCEL_BADMSG, "reserved header bits set");
	if (!cmd_known(req->cmd))
		FAIL(VIRTIO_ACCEL_UNSUPP, "unknown command");
	if (req->cmd >= VIRTIO_ACCEL_CMD_RESOURCE_CREATE &&
	    req->cmd <= VIRTIO_ACCEL_CMD_RESOURCE_UNREGISTER &&
	    !has_feature(lim, VIRTIO_ACCEL_F_RESOURCES))
		FAIL(VIRTIO_ACCEL_UNSUPP, "F_RESOURCES not negotiated");
	if (req->cmd == VIRTIO_ACCEL_CMD_TIMERS_GET &&
	    !has_feature(lim, VIRTIO_ACCEL_F_TIMERS))
		FAIL(VIRTIO_ACCEL_UNSUPP, "F_TIMERS not negotiated");

	uint64_t nargs = (uint64_t)req->nr_read + req->nr_write;
	if (nargs > lim->max_args || nargs > VIRTIO_ACCEL_MAX_ARGS_LIMIT)
		FAIL(VIRTIO_ACCEL_LIMIT, "too many arguments");

	/* Metadata: header, descriptors, then segment tables. */
	uint64_t off = sizeof(h);
	uint64_t desc_bytes = nargs * sizeof(struct virtio_accel_arg_desc);
	if (off + desc_bytes > lim->max_inline_bytes)
		FAIL(VIRTIO_ACCEL_LIMIT, "descriptor array too large");
	if (off + desc_bytes > rd_len)
		FAIL(VIRTIO_ACCEL_BADMSG, "request shorter than its arg array");

	struct virtio_accel_arg_desc *d = NULL;
	if (nargs) {
		req->args = calloc(nargs, sizeof(*req->args));
		d = malloc(desc_bytes);
		if (!req->args || !d) {
			free(d);
			FAIL(VIRTIO_ACCEL_ERR, "out of memory");
		}
		iov_copy_from(rd, nr_rd, off, d, desc_bytes);
	}
	off += desc_bytes;

	uint32_t st = VIRTIO_ACCEL_OK;
	uint64_t total = 0, rd_inline = 0, wr_inline = 0, top_segs = 0;
	for (uint64_t i = 0; i < nargs; i++) {
		struct req_arg *a = &req->args[i];
		uint32_t flags = le32toh(d[i].flags);
		uint32_t nsegs = le32toh(d[i].nr_segs);
		a->len = le64toh(d[i].len);
		a->type = le32toh(d[i].type);
		a->custom_type_id = le32toh(d[i].custom_type_id);
		a->segmented = flags & VIRTIO_ACCEL_ARG_F_SEGMENTS;
		if (d[i].reserved || (flags & ~VIRTIO_ACCEL_ARG_F_SEGMENTS)) {
			req->error = "reserved arg bits set";
			st = VIRTIO_ACCEL_BADMSG;
		} else if (a->type >= VIRTIO_ACCEL_ARG_TYPE_MAX) {
			req->error = "unknown arg type";
			st = VIRTIO_ACCEL_BADMSG;
		} else if (a->custom_type_id && a->type != 29 /*CUSTOM*/) {
			req->error = "custom_type_id on a non-CUSTOM arg";
			st = VIRTIO_ACCEL_BADMSG;
		} else if (a->len > lim->max_arg_size) {
			req->error = "argument larger than max_arg_size";
			st = VIRTIO_ACCEL_LIMIT;
		} else if (add_ovf(total, a->len, &total) ||
			   total > lim->max_request_bytes) {
			req->error = "request larger than max_request_bytes";
			st = VIRTIO_ACCEL_LIMIT;
		} else if (a->segmented) {
			if (!has_feature(lim, VIRTIO_ACCEL_F_SEGMENTS)) {
				req->error = "F_SEGMENTS not negotiated";
				st = VIRTIO_ACCEL_UNSUPP;
			} else if (a->len == 0 || nsegs == 0) {
				req->error = "empty segment argument";
				st = VIRTIO_ACCEL_BADMSG;
			} else {
				a->seg_count = nsegs; /* top-level, for now */
				top_segs += nsegs;
			}
		} else if (nsegs) {
			req->error = "nr_segs on an inline argument";
			st = VIRTIO_ACCEL_BADMSG;
		} else if (i < req->nr_read) {
			a->inline_off = rd_inline;
			rd_inline += a->len;
		} else {
			a->inline_off = wr_inline; /* relative for now */
			wr_inline += a->len;
		}
		if (st != VIRTIO_ACCEL_OK) {
			free(d);
			return st;
		}
	}
	free(d);
	req->total_bytes = total;

	uint64_t tbl_bytes = top_segs * sizeof(struct virtio_accel_seg);
	if (top_segs > lim->max_segments ||
	    off + tbl_bytes > lim->max_inline_bytes)
		FAIL(VIRTIO_ACCEL_LIMIT, "segment tables too large");
	if (rd_inline > lim->max_inline_bytes ||
	    wr_inline > lim->max_inline_bytes)
		FAIL(VIRTIO_ACCEL_LIMIT, "inline data too large");
	if (off + tbl_bytes + rd_inline != rd_len)
		FAIL(VIRTIO_ACCEL_BADMSG, "readable part has the wrong length");

	uint64_t wneed =
		sizeof(struct virtio_accel_resp_hdr) +
		(uint64_t)req->nr_write * sizeof(struct virtio_accel_resp_arg);
	req->w_inline_off = wneed;
	wneed += wr_inline;
	req->w_needed = wneed;
	if (wneed > wr_len)
		FAIL(VIRTIO_ACCEL_BADMSG, "writable part too short");

	/* Segment tables: copy, validate, resolve indirection. */
	struct virtio_accel_seg *top = NULL;
	if (top_segs) {
		top = malloc(tbl_bytes);
		if (!top)
			FAIL(VIRTIO_ACCEL_ERR, "out of memory");
		iov_copy_from(rd, nr_rd, off, top, tbl_bytes);
	}
	uint32_t cap = 0;
	uint64_t ti = 0;
	for (uint64_t i = 0; i < nargs && st == VIRTIO_ACCEL_OK; i++) {
		struct req_arg *a = &req->args[i];
		if (!a->segmented)
			continue;
		uint32_t ntop = a->seg_count;
		uint64_t sum = 0;
		a->seg_first = req->nr_segs;
		for (uint32_t k = 0; k < ntop && st == VIRTIO_ACCEL_OK; k++) {
			const struct virtio_accel_seg *e = &top[ti++];
			uint64_t addr = le64toh(e->addr);
			uint32_t len = le32toh(e->len);
			uint32_t fl = le32toh(e->flags);
			if (fl & ~VIRTIO_ACCEL_SEG_F_INDIRECT) {
				req->error = "reserved segment flags set";
				st = VIRTIO_ACCEL_BADMSG;
				break;
			}
			if (!(fl & VIRTIO_ACCEL_SEG_F_INDIRECT)) {
				st = add_seg(req, lim, mem, addr, len, &cap);
				sum += len;
				continue;
			}
			if (len == 0 || len % sizeof(struct virtio_accel_seg) ||
			    len / sizeof(struct virtio_accel_seg) >
				    lim->max_table_entries) {
				req->error = "bad indirect segment table";
				st = VIRTIO_ACCEL_BADMSG;
				break;
			}
			struct vq_xlate x;
			if (!mem->xlate(mem->ctx, addr, len, &x)) {
				req->error =
					"segment table outside guest memory";
				st = VIRTIO_ACCEL_FAULT;
				break;
			}
			struct virtio_accel_seg *tbl = malloc(len);
			if (!tbl) {
				req->error = "out of memory";
				st = VIRTIO_ACCEL_ERR;
				break;
			}
			memcpy(tbl, x.hva, len); /* once: no TOCTOU */
			uint32_t n = len / sizeof(*tbl);
			for (uint32_t j = 0; j < n && st == VIRTIO_ACCEL_OK;
			     j++) {
				if (le32toh(tbl[j].flags)) {
					req->error =
						"nested or flagged segment";
					st = VIRTIO_ACCEL_BADMSG;
					break;
				}
				uint32_t sl = le32toh(tbl[j].len);
				st = add_seg(req, lim, mem,
					     le64toh(tbl[j].addr), sl, &cap);
				sum += sl;
			}
			free(tbl);
		}
		if (st == VIRTIO_ACCEL_OK && sum != a->len) {
			req->error = "segment lengths do not add up to len";
			st = VIRTIO_ACCEL_BADMSG;
		}
		a->seg_count = req->nr_segs - a->seg_first;
	}
	free(top);
	if (st != VIRTIO_ACCEL_OK)
		return st;
	off += tbl_bytes;

	/* Inline read data: one copy. */
	if (rd_inline) {
		req->rd_inline = malloc(rd_inline);
		if (!req->rd_inline)
			FAIL(VIRTIO_ACCEL_ERR, "out of memory");
		iov_copy_from(rd, nr_rd, off, req->rd_inline, rd_inline);
		req->rd_inline_len = rd_inline;
	}
	for (uint64_t i = req->nr_read; i < nargs; i++)
		if (!req->args[i].segmented)
			req->args[i].inline_off += req->w_inline_off;
	return VIRTIO_ACCEL_OK;
}

void request_free(struct request *req)
{
	free(req->args);
	free(req->segs);
	free(req->rd_inline);
	req->args = NULL;
	req->segs = NULL;
	req->rd_inline = NULL;
}

size_t request_write_resp(const struct iovec *wr, unsigned int nr_wr,
			  size_t wr_len, const struct request *req,
			  uint32_t status, int32_t vaccel_ret,
			  uint64_t object_id,
			  const struct virtio_accel_resp_arg *resp,
			  uint32_t nr_resp)
{
	struct virtio_accel_resp_hdr h;
	if (wr_len < sizeof(h))
		return 0;
	memset(&h, 0, sizeof(h));
	h.tag = htole64(req && req->have_tag ? req->tag : 0);
	h.status = htole32(status);
	h.vaccel_ret =
		htole32(status == VIRTIO_ACCEL_OK ? (uint32_t)vaccel_ret : 0);
	h.object_id = htole64(object_id);
	uint64_t rbytes = (uint64_t)nr_resp * sizeof(*resp);
	if (!resp || sizeof(h) + rbytes > wr_len)
		nr_resp = 0, rbytes = 0;
	h.nr_write = htole32(nr_resp);
	iov_copy_to(wr, nr_wr, 0, &h, sizeof(h));
	if (rbytes)
		iov_copy_to(wr, nr_wr, sizeof(h), resp, rbytes);
	return sizeof(h) + rbytes;
}

const char *request_status_str(uint32_t status)
{
	static const char *const names[] = {
		"OK",	  "ERR",   "BADMSG", "UNSUPP", "VERSION_MISMATCH",
		"NOSESS", "NORES", "LIMIT",  "FAULT",  "OVERFLOW",
		"BUSY",
	};
	return status < sizeof(names) / sizeof(names[0]) ? names[status] : "?";
}

const char *request_cmd_str(uint16_t cmd)
{
	switch (cmd) {
	case VIRTIO_ACCEL_CMD_SESSION_CREATE:
		return "SESSION_CREATE";
	case VIRTIO_ACCEL_CMD_SESSION_DESTROY:
		return "SESSION_DESTROY";
	case VIRTIO_ACCEL_CMD_RESOURCE_CREATE:
		return "RESOURCE_CREATE";
	case VIRTIO_ACCEL_CMD_RESOURCE_DESTROY:
		return "RESOURCE_DESTROY";
	case VIRTIO_ACCEL_CMD_RESOURCE_REGISTER:
		return "RESOURCE_REGISTER";
	case VIRTIO_ACCEL_CMD_RESOURCE_UNREGISTER:
		return "RESOURCE_UNREGISTER";
	case VIRTIO_ACCEL_CMD_OP:
		return "OP";
	case VIRTIO_ACCEL_CMD_TIMERS_GET:
		return "TIMERS_GET";
	default:
		return "?";
	}
}
