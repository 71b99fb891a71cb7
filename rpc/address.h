/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RPC addresses, in upstream vAccel's URI forms and the daemon's short
 * forms:
 *
 *   unix:///abs/path   unix:PATH        a UNIX stream socket
 *   unix://@name                        a Linux abstract socket
 *   vsock://CID:PORT   vsock:PORT       AF_VSOCK (a listener binds any CID)
 *   tcp://HOST:PORT    tcp:HOST:PORT    TCP; HOST an IPv4/IPv6 literal or
 *                                       a name (its first address)
 */
#ifndef VACCEL_RPC_ADDRESS_H
#define VACCEL_RPC_ADDRESS_H

#include <stdbool.h>
#include <sys/socket.h>

struct rpc_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[128]; /* for messages */
	bool abstract;	/* unix://@name */
};

/* 0, or -EINVAL with *why set to a static explanation. */
int rpc_addr_parse(const char *s, struct rpc_addr *a, const char **why);

/* A connected stream socket (CLOEXEC), or -errno; gives up after
 * timeout_ms (0: the kernel's own connect timeout). */
int rpc_addr_connect(const struct rpc_addr *a, int timeout_ms);

/* Socket buffers asked for on both ends of a connection (the kernel caps
 * them at net.core.[rw]mem_max): large messages move in fewer steps. */
#define RPC_SOCK_BUF (4 << 20)

/* Tune a connected socket: buffers, and TCP_NODELAY for TCP. */
void rpc_sock_tune(int fd);

/* A listening socket (CLOEXEC), or -errno. A stale UNIX socket file at
 * the path is replaced; any other file there is an error (-EEXIST). */
int rpc_addr_listen(const struct rpc_addr *a, int backlog);

#endif /* VACCEL_RPC_ADDRESS_H */
