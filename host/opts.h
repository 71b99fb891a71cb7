// SPDX-License-Identifier: Apache-2.0
/*
 * Command-line options of vhost-user-accel. The supervisor and every
 * front-end process parse the same command line: a front-end process is
 * the daemon's own binary started again with the supervisor's arguments
 * plus the internal options below.
 */
#ifndef VHOST_ACCEL_OPTS_H
#define VHOST_ACCEL_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "request.h"

/* The runtime's own id pools (src/session.c, src/resource.c): a front-end
 * process can never hold more than these. */
#define RUNTIME_MAX_SESSIONS  1024
#define RUNTIME_MAX_RESOURCES 2048

/* --rpc-listen addresses and --rpc-allow networks, at most */
#define RPC_MAX_LISTENERS 8
#define RPC_MAX_ALLOW	  32

struct device_opts {
	const char *sock_path; /* NULL: no vhost-user listener */
	const char *rpc_listen[RPC_MAX_LISTENERS];
	unsigned int nr_rpc_listen;
	const char *rpc_allow[RPC_MAX_ALLOW];
	unsigned int nr_rpc_allow;
	uint32_t rpc_max_message; /* data bytes of one RPC frame */
	const char *plugins; /* NULL: $VACCEL_PLUGINS */
	unsigned int queues;
	unsigned int workers; /* per front-end process */
	unsigned int max_frontends;
	struct req_limits lim;
	uint32_t max_sessions;
	uint32_t max_resources;
	uint64_t max_inflight_bytes;  /* host buffers per front-end */
	uint64_t max_resource_bytes;  /* resource contents per front-end */
	uint32_t max_inflight_reqs;   /* requests taken, not completed */
	uint32_t max_view_maps;	      /* mappings held by views */
	uint64_t max_address_space;   /* RLIMIT_AS of a front-end, 0: none */
	uint32_t max_open_files;      /* RLIMIT_NOFILE of a front-end */
	bool profiling;
	bool confined;
	bool require_sealed;
	bool ready; /* HW_READY: plugins configured */
	int stats_fd; /* -1: none */
	int verbose;
	/* internal: this process serves one accepted connection */
	int serve_fd; /* -1: supervisor */
	unsigned int frontend_id;
	bool rpc; /* internal: the connection speaks vAccel's RPC protocol */
	bool probe; /* internal: load the plugins, then exit */
};

/*
 * Parse argv into *o (defaults first). Returns -1 to go on, otherwise the
 * exit status (0 after --help/--version, 2 for a usage error).
 */
int opts_parse(int argc, char **argv, struct device_opts *o);

#endif
