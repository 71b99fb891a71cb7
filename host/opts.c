// SPDX-License-Identifier: Apache-2.0
#include "opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vaccel.h>

#include "rpc_wire.h"

#define DAEMON_VERSION "0.2.0"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vhost-user-accel --socket PATH [options]\n"
		"       vhost-user-accel --rpc-listen ADDR [options]\n"
		"\n"
		"vhost-user back-end of the virtio-accel device (virtio id "
		"63),\n"
		"and a server of vAccel's RPC protocol (docs/rpc.md).\n"
		"Each connection is served by its own process.\n"
		"\n"
		"  -s, --socket PATH         vhost-user: listen on this UNIX "
		"socket\n"
		"      --rpc-listen ADDR     vAccel RPC: listen on unix:PATH, "
		"vsock:PORT or\n"
		"                            tcp:HOST:PORT (repeatable, up "
		"to 8)\n"
		"      --rpc-allow NET       TCP clients allowed in, as "
		"ADDR[/BITS]\n"
		"                            (repeatable; TCP needs at least "
		"one)\n"
		"      --rpc-max-message B   bytes of one RPC message (1G, "
		"the maximum)\n"
		"  -p, --plugins LIST        vAccel plugins, ':'-separated\n"
		"                            (default: $VACCEL_PLUGINS)\n"
		"  -q, --queues N            request queues (1..64, default "
		"1)\n"
		"  -w, --workers N           worker threads per front-end "
		"(default 4)\n"
		"      --max-frontends N     concurrent front-ends (default "
		"16)\n"
		"      --max-sessions N      sessions per front-end (256, "
		"at most 1024)\n"
		"      --max-resources N     resources per front-end (1024, "
		"at most 2048)\n"
		"      --max-resource-bytes B  resource contents per "
		"front-end (4G)\n"
		"      --max-args N          args per request (256)\n"
		"      --max-arg-size BYTES  bytes per arg (4 GiB)\n"
		"      --max-request-bytes B arg bytes per request (8 GiB)\n"
		"      --max-inline-bytes B  inline stream size (4 MiB)\n"
		"      --max-segments N      data segments per request "
		"(1048576)\n"
		"      --max-inflight-bytes B host buffer bytes per front-end "
		"(1 GiB)\n"
		"      --max-inflight-requests N  requests in flight per "
		"front-end (1024)\n"
		"      --max-view-maps N     mappings of guest-memory views "
		"per front-end (16384)\n"
		"      --max-address-space B address-space limit of a "
		"front-end process (default none)\n"
		"      --max-open-files N    open files of a front-end "
		"process (1024)\n"
		"      --require-sealed-memory  refuse guest memory that "
		"cannot be sealed\n"
		"                            against shrinking\n"
		"      --profiling           record per-session host timers\n"
		"      --stats-fd FD         write connect/disconnect/exit "
		"records to FD\n"
		"      --confined            seccomp allow-list for "
		"front-end processes\n"
		"  -v, --verbose             more logging (repeat for debug)\n"
		"  -h, --help                this text\n"
		"  -V, --version             print the version\n");
}

static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		return -1;
	uint64_t mul = 1;
	if (*end == 'K' || *end == 'k')
		mul = 1ull << 10, end++;
	else if (*end == 'M')
		mul = 1ull << 20, end++;
	else if (*end == 'G')
		mul = 1ull << 30, end++;
	if (*end || (v && mul > UINT64_MAX / v))
		return -1;
	v *= mul;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

enum {
	OPT_MAX_FE = 256,
	OPT_MAX_SESS,
	OPT_MAX_RES,
	OPT_MAX_RES_BYTES,
	OPT_MAX_ARGS,
	OPT_MAX_ARG_SIZE,
	OPT_MAX_REQ,
	OPT_MAX_INLINE,
	OPT_MAX_SEGS,
	OPT_MAX_INFLIGHT,
	OPT_MAX_INFLIGHT_REQS,
	OPT_MAX_VIEW_MAPS,
	OPT_MAX_AS,
	OPT_MAX_FILES,
	OPT_REQUIRE_SEALED,
	OPT_PROFILING,
	OPT_STATS_FD,
	OPT_CONFINED,
	OPT_SERVE_FD,
	OPT_FRONTEND_ID,
	OPT_PROBE,
	OPT_RPC_LISTEN,
	OPT_RPC_ALLOW,
	OPT_RPC_MAX_MSG,
	OPT_RPC,
};

static const struct option lopts[] = {
	{"socket", required_argument, NULL, 's'},
	{"plugins", required_argument, NULL, 'p'},
	{"queues", required_argument, NULL, 'q'},
	{"workers", required_argument, NULL, 'w'},
	{"max-frontends", required_argument, NULL, OPT_MAX_FE},
	{"max-sessions", required_argument, NULL, OPT_MAX_SESS},
	{"max-resources", required_argument, NULL, OPT_MAX_RES},
	{"max-resource-bytes", required_argument, NULL, OPT_MAX_RES_BYTES},
	{"max-args", required_argument, NULL, OPT_MAX_ARGS},
	{"max-arg-size", required_argument, NULL, OPT_MAX_ARG_SIZE},
	{"max-request-bytes", required_argument, NULL, OPT_MAX_REQ},
	{"max-inline-bytes", required_argument, NULL, OPT_MAX_INLINE},
	{"max-segments", required_argument, NULL, OPT_MAX_SEGS},
	{"max-inflight-bytes", required_argument, NULL, OPT_MAX_INFLIGHT},
	{"max-inflight-requests", required_argument, NULL,
	 OPT_MAX_INFLIGHT_REQS},
	{"max-view-maps", required_argument, NULL, OPT_MAX_VIEW_MAPS},
	{"max-address-space", required_argument, NULL, OPT_MAX_AS},
	{"max-open-files", required_argument, NULL, OPT_MAX_FILES},
	{"require-sealed-memory", no_argument, NULL, OPT_REQUIRE_SEALED},
	{"profiling", no_argument, NULL, OPT_PROFILING},
	{"stats-fd", required_argument, NULL, OPT_STATS_FD},
	{"confined", no_argument, NULL, OPT_CONFINED},
	{"serve-fd", required_argument, NULL, OPT_SERVE_FD},
	{"frontend-id", required_argument, NULL, OPT_FRONTEND_ID},
	{"probe", no_argument, NULL, OPT_PROBE},
	{"rpc-listen", required_argument, NULL, OPT_RPC_LISTEN},
	{"rpc-allow", required_argument, NULL, OPT_RPC_ALLOW},
	{"rpc-max-message", required_argument, NULL, OPT_RPC_MAX_MSG},
	{"rpc", no_argument, NULL, OPT_RPC},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static void defaults(struct device_opts *o)
{
	*o = (struct device_opts){
		.queues = 1,
		.workers = 4,
		.max_frontends = 16,
		.lim =
			{
				.version_min = VIRTIO_ACCEL_VERSION,
				.version_max = VIRTIO_ACCEL_VERSION,
				.max_args = 256,
				.max_segments = 1u << 20,
				.max_table_entries = 4096,
				.max_inline_bytes = 4u << 20,
				.max_blobs = 64,
				.max_arg_size = 4ull << 30,
				.max_request_bytes = 8ull << 30,
				.max_timer_bytes = 1u << 20,
			},
		.max_sessions = 256,
		.max_resources = 1024,
		.max_inflight_bytes = 1ull << 30,
		.max_resource_bytes = 4ull << 30,
		.max_inflight_reqs = 1024,
		.max_view_maps = 16384,
		.max_open_files = 1024,
		.stats_fd = -1,
		.serve_fd = -1,
		.rpc_max_message = RPC_MAX_MESSAGE_COMPAT,
	};
}

/* One option with a numeric value; false on a bad value. */
static bool set_num(struct device_opts *o, int c, const char *arg)
{
	uint64_t v = 0;
#define NUM(min, max)                                                          \
	do {                                                                   \
		if (parse_u64(arg, (min), (max), &v) < 0)                      \
			return false;                                          \
	} while (0)
	switch (c) {
	case 'q':
		NUM(1, 64);
		o->queues = (unsigned int)v;
		break;
	case 'w':
		NUM(1, 256);
		o->workers = (unsigned int)v;
		break;
	case OPT_MAX_FE:
		NUM(1, 4096);
		o->max_frontends = (unsigned int)v;
		break;
	case OPT_MAX_SESS:
		NUM(1, RUNTIME_MAX_SESSIONS);
		o->max_sessions = (uint32_t)v;
		break;
	case OPT_MAX_RES:
		NUM(1, RUNTIME_MAX_RESOURCES);
		o->max_resources = (uint32_t)v;
		break;
	case OPT_MAX_RES_BYTES:
		NUM(4096, 1ull << 42);
		o->max_resource_bytes = v;
		break;
	case OPT_MAX_ARGS:
		NUM(1, VIRTIO_ACCEL_MAX_ARGS_LIMIT);
		o->lim.max_args = (uint32_t)v;
		break;
	case OPT_MAX_ARG_SIZE:
		NUM(1, 1ull << 40);
		o->lim.max_arg_size = v;
		break;
	case OPT_MAX_REQ:
		NUM(1, 1ull << 42);
		o->lim.max_request_bytes = v;
		break;
	case OPT_MAX_INLINE:
		NUM(4096, 256u << 20);
		o->lim.max_inline_bytes = (uint32_t)v;
		break;
	case OPT_MAX_SEGS:
		NUM(1, 1u << 24);
		o->lim.max_segments = (uint32_t)v;
		break;
	case OPT_MAX_INFLIGHT:
		NUM(4096, 1ull << 42);
		o->max_inflight_bytes = v;
		break;
	case OPT_MAX_INFLIGHT_REQS:
		NUM(1, 1u << 20);
		o->max_inflight_reqs = (uint32_t)v;
		break;
	case OPT_MAX_VIEW_MAPS:
		NUM(0, 1u << 20);
		o->max_view_maps = (uint32_t)v;
		break;
	case OPT_MAX_AS:
		NUM(0, UINT64_MAX);
		o->max_address_space = v;
		break;
	case OPT_MAX_FILES:
		NUM(64, 1u << 20);
		o->max_open_files = (uint32_t)v;
		break;
	case OPT_STATS_FD:
		NUM(0, 1 << 20);
		o->stats_fd = (int)v;
		break;
	case OPT_SERVE_FD:
		NUM(0, 1 << 20);
		o->serve_fd = (int)v;
		break;
	case OPT_RPC_MAX_MSG:
		NUM(4096, RPC_MAX_MESSAGE_COMPAT);
		o->rpc_max_message = (uint32_t)v;
		break;
	case OPT_FRONTEND_ID:
		NUM(1, UINT32_MAX);
		o->frontend_id = (unsigned int)v;
		break;
	default:
		return false;
	}
#undef NUM
	return true;
}

int opts_parse(int argc, char **argv, struct device_opts *o)
{
	int c, li = -1;
	defaults(o);
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:p:q:w:vhV", lopts, &li)) !=
	       -1) {
		switch (c) {
		case 's':
			o->sock_path = optarg;
			break;
		case 'p':
			o->plugins = optarg;
			break;
		case OPT_REQUIRE_SEALED:
			o->require_sealed = true;
			break;
		case OPT_PROFILING:
			o->profiling = true;
			break;
		case OPT_CONFINED:
			o->confined = true;
			break;
		case OPT_PROBE:
			o->probe = true;
			break;
		case OPT_RPC:
			o->rpc = true;
			break;
		case OPT_RPC_LISTEN:
			if (o->nr_rpc_listen == RPC_MAX_LISTENERS) {
				fprintf(stderr, "vhost-user-accel: at most %d "
						"--rpc-listen\n",
					RPC_MAX_LISTENERS);
				return 2;
			}
			o->rpc_listen[o->nr_rpc_listen++] = optarg;
			break;
		case OPT_RPC_ALLOW:
			if (o->nr_rpc_allow == RPC_MAX_ALLOW) {
				fprintf(stderr, "vhost-user-accel: at most %d "
						"--rpc-allow\n",
					RPC_MAX_ALLOW);
				return 2;
			}
			o->rpc_allow[o->nr_rpc_allow++] = optarg;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("vhost-user-accel %s (virtio-accel protocol %d, "
			       "vAccel API %s)\n",
			       DAEMON_VERSION, VIRTIO_ACCEL_VERSION,
			       VACCEL_VERSION);
			return 0;
		case '?':
			usage(stderr);
			return 2;
		default:
			if (!set_num(o, c, optarg)) {
				fprintf(stderr,
					"vhost-user-accel: bad value for "
					"--%s: %s\n",
					li >= 0 ? lopts[li].name
					: c == 'q' ? "queues"
						 : "workers",
					optarg);
				return 2;
			}
		}
		li = -1;
	}
	if (o->rpc && o->serve_fd < 0) {
		fprintf(stderr, "vhost-user-accel: --rpc is internal (with "
				"--serve-fd); use --rpc-listen\n");
		return 2;
	}
	if (optind < argc || (!o->sock_path && !o->nr_rpc_listen &&
				 o->serve_fd < 0 && !o->probe)) {
		usage(stderr);
		return 2;
	}
	const char *pl = o->plugins ? o->plugins : getenv("VACCEL_PLUGINS");
	o->ready = pl && *pl;
	return -1;
}
