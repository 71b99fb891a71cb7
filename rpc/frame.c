// SPDX-License-Identifier: Apache-2.0
#include "frame.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* Data is read in growing steps of at most this much beyond what came. */
#define RECV_STEP (1u << 20)

void rpc_hdr_encode(uint8_t out[RPC_HDR_SIZE], const struct rpc_hdr *h)
{
	out[0] = (uint8_t)(h->len >> 24);
	out[1] = (uint8_t)(h->len >> 16);
	out[2] = (uint8_t)(h->len >> 8);
	out[3] = (uint8_t)h->len;
	out[4] = (uint8_t)(h->stream >> 24);
	out[5] = (uint8_t)(h->stream >> 16);
	out[6] = (uint8_t)(h->stream >> 8);
	out[7] = (uint8_t)h->stream;
	out[8] = h->type;
	out[9] = h->flags;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

void rpc_hdr_decode(const uint8_t in[RPC_HDR_SIZE], struct rpc_hdr *h)
{
	h->len = be32(in);
	h->stream = be32(in + 4);
	h->type = in[8];
	h->flags = in[9];
}

int64_t rpc_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t rpc_deadline(int timeout_ms)
{
	return timeout_ms > 0 ? rpc_now_ms() + timeout_ms : 0;
}

/* Wait until fd is ready for `events` or the deadline passes. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		int t = -1;
		if (deadline) {
			int64_t left = deadline - rpc_now_ms();
			if (left <= 0)
				return -ETIMEDOUT;
			t = left > 60000 ? 60000 : (int)left;
		}
		struct pollfd p = {.fd = fd, .events = events};
		int r = poll(&p, 1, t);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

/* Read up to n bytes: try first, wait only when nothing is there. The
 * bytes read so far are in *got when the stream ends early. */
static int read_some(int fd, uint8_t *p, size_t n, int64_t deadline,
		     size_t *got)
{
	*got = 0;
	while (*got < n) {
		ssize_t r = recv(fd, p + *got, n - *got, MSG_DONTWAIT);
		if (r > 0) {
			*got += (size_t)r;
			continue;
		}
		if (r == 0)
			return -ECONNRESET;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		int w = wait_fd(fd, POLLIN, deadline);
		if (w < 0)
			return w;
	}
	return 0;
}

int rpc_read_full(int fd, void *buf, size_t n, int64_t deadline)
{
	size_t got;
	return read_some(fd, buf, n, deadline, &got);
}

static int writev_full(int fd, struct iovec *iov, int cnt, int64_t deadline)
{
	while (cnt > 0) {
		if (!iov->iov_len) {
			iov++;
			cnt--;
			continue;
		}
		struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)cnt};
		ssize_t r = sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return -errno;
			int w = wait_fd(fd, POLLOUT, deadline);
			if (w < 0)
				return w;
			continue;
		}
		size_t done = (size_t)r;
		while (cnt > 0 && done >= iov->iov_len) {
			done -= iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + done;
			iov->iov_len -= done;
		}
	}
	return 0;
}

int rpc_write_full(int fd, const void *buf, size_t n, int64_t deadline)
{
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = n};
	return writev_full(fd, &iov, 1, deadline);
}

int rpc_send_frame(int fd, const struct rpc_hdr *h, const void *data,
		   int64_t deadline)
{
	uint8_t hdr[RPC_HDR_SIZE];
	rpc_hdr_encode(hdr, h);
	struct iovec iov[2] = {{.iov_base = hdr, .iov_len = sizeof(hdr)},
			       {.iov_base = (void *)data, .iov_len = h->len}};
	return writev_full(fd, iov, data ? 2 : 1, deadline);
}

/* Read len bytes into a buffer that grows only as data comes: by
 * RECV_STEP, or doubling once that is larger. */
static int recv_data(int fd, uint32_t len, uint8_t **data, int64_t deadline)
{
	uint8_t *buf = NULL;
	size_t have = 0;
	while (have < len) {
		size_t cap = have * 2 > have + RECV_STEP ? have * 2
							  : have + RECV_STEP;
		if (cap > len)
			cap = len;
		uint8_t *nb = realloc(buf, cap);
		if (!nb) {
			free(buf);
			return -ENOMEM;
		}
		buf = nb;
		int r = rpc_read_full(fd, buf + have, cap - have, deadline);
		if (r < 0) {
			free(buf);
			return r;
		}
		have = cap;
	}
	*data = buf;
	return 0;
}

int rpc_recv_frame(int fd, struct rpc_hdr *h, uint8_t **data, uint32_t max,
		   int64_t hdr_deadline, int data_timeout_ms)
{
	uint8_t hdr[RPC_HDR_SIZE];
	size_t got;
	*data = NULL;
	/* the first byte may take until hdr_deadline; a clean end of stream
	 * between frames is not an error */
	int rc = read_some(fd, hdr, 1, hdr_deadline, &got);
	if (rc == -ECONNRESET)
		return -ENODATA;
	if (rc < 0)
		return rc;
	int64_t dl = rpc_deadline(data_timeout_ms);
	rc = rpc_read_full(fd, hdr + 1, sizeof(hdr) - 1, dl);
	if (rc < 0)
		return rc;
	rpc_hdr_decode(hdr, h);
	if (h->len > max)
		return -EMSGSIZE;
	if (!h->len)
		return 0;
	return recv_data(fd, h->len, data, dl);
}
