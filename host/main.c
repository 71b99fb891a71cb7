// SPDX-License-Identifier: Apache-2.0
/*
 * vhost-user-accel: vhost-user back-end for the virtio-accel device.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <vaccel.h>

#include "confine.h"
#include "device.h"

#define DAEMON_VERSION "0.1.0"

static int sig_pipe[2] = {-1, -1};

/* Plugins may start threads (e.g. OpenBLAS) before main() can block
 * signals, so a signal can land on any thread: a handler that only writes
 * to a pipe works wherever it runs. */
static void on_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	ssize_t r = write(sig_pipe[1], &b, 1);
	(void)r;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vhost-user-accel --socket PATH [options]\n"
		"\n"
		"vhost-user back-end of the virtio-accel device (virtio id "
		"63).\n"
		"\n"
		"  -s, --socket PATH         listen on this UNIX socket "
		"(required)\n"
		"  -p, --plugins LIST        vAccel plugins, ':'-separated\n"
		"                            (default: $VACCEL_PLUGINS)\n"
		"  -q, --queues N            request queues (1..64, default "
		"1)\n"
		"  -w, --workers N           worker threads (default 4)\n"
		"      --max-frontends N     concurrent front-ends (default "
		"16)\n"
		"      --max-sessions N      sessions per front-end (256)\n"
		"      --max-resources N     resources per front-end (1024)\n"
		"      --max-args N          args per request (256)\n"
		"      --max-arg-size BYTES  bytes per arg (4 GiB)\n"
		"      --max-request-bytes B arg bytes per request (8 GiB)\n"
		"      --max-inline-bytes B  inline stream size (4 MiB)\n"
		"      --max-segments N      data segments per request "
		"(1048576)\n"
		"      --max-inflight-bytes B host buffer bytes per front-end "
		"(1 GiB)\n"
		"      --profiling           record per-session host timers\n"
		"      --stats-fd FD         write connect/disconnect records "
		"to FD\n"
		"      --confined            seccomp allow-list, no new "
		"privileges\n"
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

static int listen_on(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path)) {
		LOG_ERR("socket path too long: %s", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			LOG_ERR("%s exists and is not a socket", path);
			return -1;
		}
		unlink(path); /* stale socket of an earlier run */
	}
	/* Bind and listen under a temporary name, then rename: the socket
	 * appears at `path` only once it accepts connections, so a VMM that
	 * waits for the file never sees ECONNREFUSED. */
	struct sockaddr_un tmp = {.sun_family = AF_UNIX};
	if ((size_t)snprintf(tmp.sun_path, sizeof(tmp.sun_path), "%s.%d~", path,
			     (int)getpid()) >= sizeof(tmp.sun_path))
		tmp = sa; /* no room for a suffix: bind in place */
	unlink(tmp.sun_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&tmp, sizeof(tmp)) < 0 ||
	    listen(fd, 64) < 0 ||
	    (strcmp(tmp.sun_path, sa.sun_path) &&
	     rename(tmp.sun_path, sa.sun_path) < 0)) {
		LOG_ERR("cannot listen on %s: %s", path, strerror(errno));
		unlink(tmp.sun_path);
		close(fd);
		return -1;
	}
	return fd;
}

enum {
	OPT_MAX_FE = 256,
	OPT_MAX_SESS,
	OPT_MAX_RES,
	OPT_MAX_ARGS,
	OPT_MAX_ARG_SIZE,
	OPT_MAX_REQ,
	OPT_MAX_INLINE,
	OPT_MAX_SEGS,
	OPT_MAX_INFLIGHT,
	OPT_PROFILING,
	OPT_STATS_FD,
	OPT_CONFINED,
};

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"socket", required_argument, NULL, 's'},
		{"plugins", required_argument, NULL, 'p'},
		{"queues", required_argument, NULL, 'q'},
		{"workers", required_argument, NULL, 'w'},
		{"max-frontends", required_argument, NULL, OPT_MAX_FE},
		{"max-sessions", required_argument, NULL, OPT_MAX_SESS},
		{"max-resources", required_argument, NULL, OPT_MAX_RES},
		{"max-args", required_argument, NULL, OPT_MAX_ARGS},
		{"max-arg-size", required_argument, NULL, OPT_MAX_ARG_SIZE},
		{"max-request-bytes", required_argument, NULL, OPT_MAX_REQ},
		{"max-inline-bytes", required_argument, NULL, OPT_MAX_INLINE},
		{"max-segments", required_argument, NULL, OPT_MAX_SEGS},
		{"max-inflight-bytes", required_argument, NULL,
		 OPT_MAX_INFLIGHT},
		{"profiling", no_argument, NULL, OPT_PROFILING},
		{"stats-fd", required_argument, NULL, OPT_STATS_FD},
		{"confined", no_argument, NULL, OPT_CONFINED},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct device_opts o = {
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
		.stats_fd = -1,
	};
	const char *sock_path = NULL, *plugins = NULL;
	bool confined = false;
	uint64_t v;
	int c;
#define NUM(min, max)                                                          \
	do {                                                                   \
		if (parse_u64(optarg, (min), (max), &v) < 0) {                 \
			fprintf(stderr,                                        \
				"vhost-user-accel: bad value for "             \
				"--%s: %s\n",                                  \
				argv[optind - 1] + 2, optarg);                 \
			return 2;                                              \
		}                                                              \
	} while (0)
	while ((c = getopt_long(argc, argv, "s:p:q:w:vhV", lopts, NULL)) !=
	       -1) {
		switch (c) {
		case 's':
			sock_path = optarg;
			break;
		case 'p':
			plugins = optarg;
			break;
		case 'q':
			NUM(1, 64);
			o.queues = (unsigned int)v;
			break;
		case 'w':
			NUM(1, 256);
			o.workers = (unsigned int)v;
			break;
		case OPT_MAX_FE:
			NUM(1, 4096);
			o.max_frontends = (unsigned int)v;
			break;
		case OPT_MAX_SESS:
			NUM(1, 1u << 20);
			o.max_sessions = (uint32_t)v;
			break;
		case OPT_MAX_RES:
			NUM(1, 1u << 20);
			o.max_resources = (uint32_t)v;
			break;
		case OPT_MAX_ARGS:
			NUM(1, VIRTIO_ACCEL_MAX_ARGS_LIMIT);
			o.lim.max_args = (uint32_t)v;
			break;
		case OPT_MAX_ARG_SIZE:
			NUM(1, 1ull << 40);
			o.lim.max_arg_size = v;
			break;
		case OPT_MAX_REQ:
			NUM(1, 1ull << 42);
			o.lim.max_request_bytes = v;
			break;
		case OPT_MAX_INLINE:
			NUM(4096, 256u << 20);
			o.lim.max_inline_bytes = (uint32_t)v;
			break;
		case OPT_MAX_SEGS:
			NUM(1, 1u << 24);
			o.lim.max_segments = (uint32_t)v;
			break;
		case OPT_MAX_INFLIGHT:
			NUM(4096, 1ull << 42);
			o.max_inflight_bytes = v;
			break;
		case OPT_PROFILING:
			o.profiling = true;
			break;
		case OPT_STATS_FD:
			NUM(0, 1 << 20);
			o.stats_fd = (int)v;
			break;
		case OPT_CONFINED:
			confined = true;
			break;
		case 'v':
			o.verbose++;
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
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc || !sock_path) {
		usage(stderr);
		return 2;
	}
	dev_log_level = o.verbose;

	struct vaccel_config cfg;
	int rc;
	if (plugins)
		rc = vaccel_config_init(&cfg, plugins,
					o.verbose >= 2 ? VACCEL_LOG_DEBUG
						       : VACCEL_LOG_ERROR,
					NULL, o.profiling, false);
	else
		rc = vaccel_config_init_from_env(&cfg);
	if (rc == VACCEL_OK) {
		if (o.profiling)
			cfg.profiling_enabled = true;
		o.ready = cfg.plugins && cfg.plugins[0];
		rc = vaccel_bootstrap_with_config(&cfg);
		vaccel_config_release(&cfg);
	}
	if (rc != VACCEL_OK) {
		LOG_ERR("cannot bootstrap vAccel (plugins \"%s\"): error %d",
			plugins ? plugins : "$VACCEL_PLUGINS", rc);
		return 1;
	}
	if (!o.ready)
		LOG_ERR("no vAccel plugins configured; every session create "
			"will fail (use --plugins)");

	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return 1;
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	int sfd = sig_pipe[0];
	int lfd = listen_on(sock_path);
	if (sfd < 0 || lfd < 0) {
		vaccel_cleanup();
		return 1;
	}
	/* our threads inherit a mask that keeps signals on the main thread */
	sigset_t ss, old;
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &ss, &old);
	int started = device_start(&o);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (started < 0) {
		LOG_ERR("cannot start worker threads");
		return 1;
	}
	if (confined) {
		if (confine_self() < 0) {
			LOG_ERR("cannot enter confined mode");
			return 1;
		}
		LOG_INFO("confined: seccomp allow-list active");
	}
	LOG_INFO("listening on %s (%u queues, %u workers)", sock_path, o.queues,
		 o.workers);

	int exit_code = 0;
	for (;;) {
		struct pollfd p[2] = {{.fd = lfd, .events = POLLIN},
				      {.fd = sfd, .events = POLLIN}};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			exit_code = 1;
			break;
		}
		if (p[1].revents) {
			unsigned char sig = 0;
			ssize_t r = read(sfd, &sig, 1);
			(void)r;
			LOG_INFO("signal %u: shutting down", sig);
			break;
		}
		if (p[0].revents) {
			int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			if (cfd < 0)
				continue;
			device_add_frontend(cfd);
		}
	}
	close(lfd);
	unlink(sock_path);
	device_stop();
	vaccel_cleanup();
	LOG_INFO("stopped");
	return exit_code;
}
