// SPDX-License-Identifier: Apache-2.0
/*
 * Parsing and validation of one virtio-accel request (docs/protocol.md §6).
 *
 * request_parse() is a pure function of its inputs: the readable byte
 * stream (as an iovec list), the size of the writable stream, the limits,
 * and a guest-memory accessor used to resolve segment tables. It keeps no
 * global state, so it can be driven by a fuzzer. Everything it returns
 * lives in host memory: the header, the descriptors, the segment tables
 * and the inline read data are copied out of guest memory exactly once.
 */
#ifndef VHOST_ACCEL_REQUEST_H
#define VHOST_ACCEL_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <linux/virtio_accel.h>

#include "virtq.h"

struct req_limits {
	uint16_t version_min;
	uint16_t version_max;
	uint64_t features; /* negotiated device feature bits */
	uint32_t max_args;
	uint32_t max_segments;
	uint32_t max_table_entries;
	uint32_t max_inline_bytes;
	uint32_t max_blobs;
	uint64_t max_arg_size;
	uint64_t max_request_bytes;
	uint32_t max_timer_bytes;
};

/* Guest-memory accessor: translate [gpa, gpa+len) within one region. */
typedef bool (*req_xlate_fn)(void *ctx, uint64_t gpa, uint64_t len,
			     struct vq_xlate *out);
struct req_mem {
	req_xlate_fn xlate;
	void *ctx;
};

struct req_seg {
	uint8_t *hva;
	uint32_t len;
	int fd;
	uint64_t fd_off;
	size_t page_size;
};

struct req_arg {
	uint64_t len; /* bytes; write args: capacity */
	uint32_t type;
	uint32_t custom_type_id;
	bool segmented;
	uint32_t seg_first; /* into request.segs */
	uint32_t seg_count;
	size_t inline_off; /* read: into rd_inline; write: offset in W */
};

struct request {
	/* header, host byte order */
	uint16_t version;
	uint16_t cmd;
	uint64_t tag;
	uint64_t session_id;
	uint64_t object_id;
	uint32_t param;
	uint32_t nr_read;
	uint32_t nr_write;
	bool have_tag;

	struct req_arg *args; /* nr_read read args, then nr_write */
	struct req_seg *segs;
	uint32_t nr_segs;
	uint8_t *rd_inline; /* copy of the inline read data */
	size_t rd_inline_len;
	size_t w_inline_off; /* where inline write data starts in W */
	size_t w_needed;     /* bytes of W the layout needs */
	uint64_t total_bytes;
	const char *error; /* static text explaining a non-OK status */
	/* the memory table the segments were translated with (mem->ctx):
	 * their fds and offsets mean something only under it */
	const void *mem_key;
};

/* Returns a VIRTIO_ACCEL_* status; on anything but OK the request holds
 * at least the tag (if readable) and must still be freed. */
uint32_t request_parse(const struct iovec *rd, unsigned int nr_rd,
		       size_t rd_len, size_t wr_len,
		       const struct req_limits *lim, const struct req_mem *mem,
		       struct request *req);
/* The same with the header already copied out of the stream (it is
 * never read again, so what the caller decided from it stays true). */
uint32_t request_parse_hdr(const struct virtio_accel_req_hdr *h,
			   const struct iovec *rd, unsigned int nr_rd,
			   size_t rd_len, size_t wr_len,
			   const struct req_limits *lim,
			   const struct req_mem *mem, struct request *req);
void request_free(struct request *req);

/* Write the response header (+ resp args if resp != NULL) to W; returns the
 * number of bytes written (0 if W cannot even hold the header). */
size_t request_write_resp(const struct iovec *wr, unsigned int nr_wr,
			  size_t wr_len, const struct request *req,
			  uint32_t status, int32_t vaccel_ret,
			  uint64_t object_id,
			  const struct virtio_accel_resp_arg *resp,
			  uint32_t nr_resp);

const char *request_status_str(uint32_t status);
const char *request_cmd_str(uint16_t cmd);

#endif
