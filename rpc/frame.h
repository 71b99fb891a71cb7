/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ttrpc framing: the 10-byte header, and whole frames read from and
 * written to a stream socket within a deadline. A frame's data is read
 * as it arrives (the buffer grows with what came), so a header that
 * announces a large length costs nothing until the bytes are there.
 */
#ifndef VACCEL_RPC_FRAME_H
#define VACCEL_RPC_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "rpc_wire.h"

struct rpc_hdr {
	uint32_t len; /* data bytes after the header */
	uint32_t stream;
	uint8_t type;
	uint8_t flags;
};

void rpc_hdr_encode(uint8_t out[RPC_HDR_SIZE], const struct rpc_hdr *h);
void rpc_hdr_decode(const uint8_t in[RPC_HDR_SIZE], struct rpc_hdr *h);

/* Milliseconds of CLOCK_MONOTONIC; deadlines are absolute in it, and a
 * deadline of 0 means none. */
int64_t rpc_now_ms(void);
int64_t rpc_deadline(int timeout_ms);

/*
 * Read/write exactly n bytes before the deadline: 0, or -errno
 * (-ETIMEDOUT; -ECONNRESET when the peer closed; -EPIPE on write).
 * The fd may be blocking or not.
 */
int rpc_read_full(int fd, void *buf, size_t n, int64_t deadline);
int rpc_write_full(int fd, const void *buf, size_t n, int64_t deadline);

/* Send one frame (header and data). */
int rpc_send_frame(int fd, const struct rpc_hdr *h, const void *data,
		   int64_t deadline);

/*
 * Receive one frame. The header is read before `hdr_deadline` (waiting
 * for the next frame; 0: forever), the data before `data_deadline_ms`
 * from the header (0: none). *data (malloc'd, NULL for an empty frame)
 * holds h->len bytes. A length over `max` returns -EMSGSIZE with *h set
 * and the data unread: the stream cannot go on.
 * Returns 0, -ECONNRESET (clean end between frames: -ENODATA), -ETIMEDOUT,
 * -EMSGSIZE, -ENOMEM, or another -errno.
 */
int rpc_recv_frame(int fd, struct rpc_hdr *h, uint8_t **data, uint32_t max,
		   int64_t hdr_deadline, int data_timeout_ms);

#endif /* VACCEL_RPC_FRAME_H */
