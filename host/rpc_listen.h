// SPDX-License-Identifier: Apache-2.0
/*
 * The supervisor's RPC listeners (--rpc-listen) and who may connect
 * through TCP (--rpc-allow). The supervisor only accepts: each accepted
 * connection is served by its own front-end process (host/rpc_conn.h),
 * exactly like a vhost-user front-end.
 */
#ifndef VHOST_ACCEL_RPC_LISTEN_H
#define VHOST_ACCEL_RPC_LISTEN_H

#include <stdbool.h>
#include <stdint.h>

#include "address.h"
#include "opts.h"

struct rpc_listener {
	int fd;
	struct rpc_addr addr;
};

struct rpc_net {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	unsigned int bits;
};

struct rpc_listeners {
	struct rpc_listener l[RPC_MAX_LISTENERS];
	unsigned int nr;
	struct rpc_net allow[RPC_MAX_ALLOW];
	unsigned int nr_allow;
};

/* Parse --rpc-allow, then listen on every --rpc-listen address; logs
 * what is wrong and returns -1 (a TCP listener without any --rpc-allow
 * is refused). */
int rpc_listeners_open(const struct device_opts *o, struct rpc_listeners *ls);
void rpc_listeners_close(struct rpc_listeners *ls);

/* Whether connection cfd, accepted on listener l, may be served: TCP
 * peers must be inside an --rpc-allow network; UNIX and vsock peers are
 * let in (access to those is the socket file's and the VMM's business). */
bool rpc_peer_allowed(const struct rpc_listeners *ls,
		      const struct rpc_listener *l, int cfd, char *who,
		      size_t who_len);

#endif
