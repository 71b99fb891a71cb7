// SPDX-License-Identifier: Apache-2.0
#include "supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <vaccel.h>

#include "log.h"
#include "rpc_listen.h"

/* How long front-end processes get to finish after SIGTERM. */
#define STOP_GRACE_MS 10000

struct child {
	pid_t pid; /* 0: free */
	unsigned int id;
};

static struct {
	const struct device_opts *o;
	int argc;
	char **argv;
	struct child *kids;
	unsigned int nr_kids;
	unsigned int next_id;
	int sig_pipe[2];
	struct rpc_listeners rpc;
} S = {.sig_pipe = {-1, -1}};

static void on_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	ssize_t r = write(S.sig_pipe[1], &b, 1);
	(void)r;
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

/*
 * Front-end processes allocate model weights, tensors and resource copies of
 * hundreds of MiB; on 4 KiB pages each costs a fault and a zeroed page per
 * page, several times the bytes' copy (a 256 MiB TorchScript load: about a
 * quarter of the time). glibc's malloc asks for transparent huge pages when
 * glibc.malloc.hugetlb=1 is among its tunables, which are read at exec: set
 * it for the children, unless the environment already says otherwise.
 */
static void child_malloc_tunables(void)
{
	static const char want[] = "glibc.malloc.hugetlb=1";
	const char *cur = getenv("GLIBC_TUNABLES");
	if (cur && strstr(cur, "glibc.malloc.hugetlb="))
		return; /* the user's choice */
	if (!cur || !*cur) {
		setenv("GLIBC_TUNABLES", want, 1);
		return;
	}
	size_t n = strlen(cur) + sizeof(want) + 1;
	char *v = malloc(n);
	if (!v)
		return;
	snprintf(v, n, "%s:%s", cur, want);
	setenv("GLIBC_TUNABLES", v, 1);
	free(v);
}

/* fork + exec of our own binary with the supervisor's arguments and
 * `extra`; fd (if >= 0) and the stats fd are inherited. */
static pid_t spawn(int fd, const char *const *extra, unsigned int nextra)
{
	char **argv = calloc((size_t)S.argc + nextra + 1, sizeof(*argv));
	if (!argv)
		return -1;
	int n = 0;
	for (int i = 0; i < S.argc; i++)
		argv[n++] = S.argv[i];
	for (unsigned int i = 0; i < nextra; i++)
		argv[n++] = (char *)extra[i];
	argv[n] = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		/* only async-signal-safe calls until exec */
		if (fd >= 0)
			fcntl(fd, F_SETFD, 0);
		if (S.o->stats_fd >= 0)
			fcntl(S.o->stats_fd, F_SETFD, 0);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	free(argv);
	return pid;
}

/* Start the front-end process for connection cfd (closed here); `rpc`:
 * it speaks vAccel's RPC protocol, not vhost-user. */
static void start_frontend(int cfd, bool rpc)
{
	struct child *slot = NULL;
	for (unsigned int i = 0; i < S.o->max_frontends && !slot; i++)
		if (!S.kids[i].pid)
			slot = &S.kids[i];
	if (!slot) {
		LOG_ERR("refusing a front-end: --max-frontends reached");
		close(cfd);
		return;
	}
	unsigned int id = ++S.next_id;
	char fdbuf[16], idbuf[16];
	snprintf(fdbuf, sizeof(fdbuf), "%d", cfd);
	snprintf(idbuf, sizeof(idbuf), "%u", id);
	const char *extra[] = {"--serve-fd", fdbuf, "--frontend-id", idbuf,
			       "--rpc"};
	/* the connect record precedes everything the process writes */
	stats_line("event=connect frontend=%u%s\n", id,
		   rpc ? " transport=rpc" : "");
	pid_t pid = spawn(cfd, extra, rpc ? 5 : 4);
	close(cfd);
	if (pid < 0) {
		LOG_ERR("frontend %u: cannot start its process: %s", id,
			strerror(errno));
		stats_line("event=exit frontend=%u pid=0 result=spawn-failed\n",
			   id);
		return;
	}
	slot->pid = pid;
	slot->id = id;
	S.nr_kids++;
	LOG_INFO("frontend %u: process %d", id, (int)pid);
}

static void record_exit(const struct child *c, int status)
{
	char result[64];
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		snprintf(result, sizeof(result), "ok");
	else if (WIFEXITED(status))
		snprintf(result, sizeof(result), "status:%d",
			 WEXITSTATUS(status));
	else
		snprintf(result, sizeof(result), "signal:%s core=%d",
			 sigabbrev_np(WTERMSIG(status))
				 ? sigabbrev_np(WTERMSIG(status))
				 : "?",
			 WCOREDUMP(status) ? 1 : 0);
	if (strcmp(result, "ok"))
		LOG_ERR("frontend %u: process %d ended abnormally (%s); other "
			"front-ends are unaffected",
			c->id, (int)c->pid, result);
	stats_line("event=exit frontend=%u pid=%d result=%s\n", c->id,
		   (int)c->pid, result);
}

/* Collect every front-end process that ended. */
static void reap(void)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (unsigned int i = 0; i < S.o->max_frontends; i++) {
			if (S.kids[i].pid != pid)
				continue;
			record_exit(&S.kids[i], status);
			S.kids[i].pid = 0;
			S.nr_kids--;
			break;
		}
	}
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* SIGTERM every front-end process; SIGKILL what is left after the grace
 * period (a process wedged by its own VMM). */
static void stop_all(void)
{
	for (unsigned int i = 0; i < S.o->max_frontends; i++)
		if (S.kids[i].pid)
			kill(S.kids[i].pid, SIGTERM);
	int64_t deadline = now_ms() + STOP_GRACE_MS;
	bool killed = false;
	while (S.nr_kids > 0) {
		reap();
		if (!S.nr_kids)
			break;
		if (!killed && now_ms() > deadline) {
			for (unsigned int i = 0; i < S.o->max_frontends; i++)
				if (S.kids[i].pid) {
					LOG_ERR("frontend %u: process %d "
						"ignored SIGTERM; killing it",
						S.kids[i].id,
						(int)S.kids[i].pid);
					kill(S.kids[i].pid, SIGKILL);
				}
			killed = true;
		}
		struct timespec ts = {0, 5 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

/* Load the plugins once in a throw-away process, so that a bad --plugins
 * fails at start, not at the first connection. */
static int probe_plugins(void)
{
	const char *extra[] = {"--probe"};
	pid_t pid = spawn(-1, extra, 1);
	int status;
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int install_signals(void)
{
	if (pipe2(S.sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* An RPC connection: TCP peers outside --rpc-allow are refused here. */
static void accept_rpc(const struct rpc_listener *l)
{
	char who[128];
	int cfd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	if (!rpc_peer_allowed(&S.rpc, l, cfd, who, sizeof(who))) {
		LOG_ERR("rpc: refusing %s on %s: not in --rpc-allow", who,
			l->addr.text);
		close(cfd);
		return;
	}
	/* here: the front-end process is confined before it could */
	rpc_sock_tune(cfd);
	start_frontend(cfd, true);
}

/* poll set: the signal pipe, the vhost-user socket (if any), then the
 * RPC listeners */
enum { P_SIG, P_VU, P_RPC };

static void serve(int lfd)
{
	struct pollfd p[P_RPC + RPC_MAX_LISTENERS];
	unsigned int np = P_RPC + S.rpc.nr;
	p[P_SIG] = (struct pollfd){.fd = S.sig_pipe[0], .events = POLLIN};
	p[P_VU] = (struct pollfd){.fd = lfd, .events = POLLIN};
	for (unsigned int i = 0; i < S.rpc.nr; i++)
		p[P_RPC + i] = (struct pollfd){.fd = S.rpc.l[i].fd,
					       .events = POLLIN};
	for (;;) {
		if (poll(p, np, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (p[P_SIG].revents) {
			unsigned char sig = 0;
			bool stop = false;
			while (read(S.sig_pipe[0], &sig, 1) == 1)
				stop |= sig != SIGCHLD;
			reap();
			if (stop) {
				LOG_INFO("signal: shutting down");
				return;
			}
		}
		if (p[P_VU].revents) {
			int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			if (cfd >= 0)
				start_frontend(cfd, false);
		}
		for (unsigned int i = 0; i < S.rpc.nr; i++)
			if (p[P_RPC + i].revents)
				accept_rpc(&S.rpc.l[i]);
	}
}

int supervisor_run(const struct device_opts *o, int argc, char **argv)
{
	S.o = o;
	S.argc = argc;
	S.argv = argv;
	/* the library constructor may have loaded $VACCEL_PLUGINS here: the
	 * supervisor runs no plugin */
	vaccel_cleanup();
	stats_set_fd(o->stats_fd);
	child_malloc_tunables();
	S.kids = calloc(o->max_frontends, sizeof(*S.kids));
	if (!S.kids || install_signals() < 0)
		return 1;
	if (!o->ready)
		LOG_ERR("no vAccel plugins configured; every session create "
			"will fail (use --plugins)");
	else if (probe_plugins() < 0)
		return 1; /* the probe logged why */
	int lfd = o->sock_path ? listen_on(o->sock_path) : -1;
	if (o->sock_path && lfd < 0)
		return 1;
	if (rpc_listeners_open(o, &S.rpc) < 0) {
		if (lfd >= 0) {
			close(lfd);
			unlink(o->sock_path);
		}
		return 1;
	}
	if (o->confined && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		LOG_ERR("cannot set no_new_privs: %s", strerror(errno));
		return 1;
	}
	if (o->sock_path)
		LOG_INFO("listening on %s (%u queues, %u workers per "
			 "front-end)",
			 o->sock_path, o->queues, o->workers);
	for (unsigned int i = 0; i < S.rpc.nr; i++)
		LOG_INFO("rpc: listening on %s", S.rpc.l[i].addr.text);
	serve(lfd);
	if (lfd >= 0) {
		close(lfd);
		unlink(o->sock_path);
	}
	rpc_listeners_close(&S.rpc);
	stop_all();
	free(S.kids);
	LOG_INFO("stopped");
	return 0;
}
