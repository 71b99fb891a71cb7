// SPDX-License-Identifier: Apache-2.0
#include "child.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <vaccel.h>

#include "confine.h"
#include "frontend.h"
#include "landlock.h"
#include "log.h"
#include "rpc_server.h"

static int serve_sock = -1;

/* SIGTERM/SIGINT: end the connection; the control loop then releases
 * everything and the process exits normally. */
static void on_term(int sig)
{
	(void)sig;
	if (serve_sock >= 0)
		shutdown(serve_sock, SHUT_RDWR);
}

static int bootstrap(const struct device_opts *o)
{
	struct vaccel_config cfg;
	int rc;
	if (o->plugins)
		rc = vaccel_config_init(&cfg, o->plugins,
					o->verbose >= 2 ? VACCEL_LOG_DEBUG
							: VACCEL_LOG_ERROR,
					NULL, o->profiling, false);
	else
		rc = vaccel_config_init_from_env(&cfg);
	if (rc == VACCEL_OK) {
		if (o->profiling)
			cfg.profiling_enabled = true;
		rc = vaccel_bootstrap_with_config(&cfg);
		vaccel_config_release(&cfg);
	}
	if (rc != VACCEL_OK)
		LOG_ERR("cannot bootstrap vAccel (plugins \"%s\"): error %d",
			o->plugins ? o->plugins : "$VACCEL_PLUGINS", rc);
	return rc;
}

static int set_limit(int res, uint64_t v)
{
	struct rlimit rl = {.rlim_cur = v, .rlim_max = v};
	return setrlimit(res, &rl);
}

/* Bounds the kernel enforces on this front-end's process. */
static int limit_self(const struct device_opts *o)
{
	/* a resource file never exceeds the resource byte budget; writing
	 * past it fails with EFBIG instead of a signal */
	signal(SIGXFSZ, SIG_IGN);
	if (set_limit(RLIMIT_NOFILE, o->max_open_files) < 0 ||
	    set_limit(RLIMIT_FSIZE, o->max_resource_bytes) < 0)
		return -1;
	if (o->max_address_space &&
	    set_limit(RLIMIT_AS, o->max_address_space) < 0)
		return -1;
	return 0;
}

/* --confined: writes only below the run directory (Landlock, where the
 * kernel has it), then the seccomp allow-list. */
static int confine(const struct device_opts *o)
{
	const char *rd = vaccel_rundir();
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	int ll = rd ? landlock_writes_below(rd) : -1;
	if (ll < 0) {
		LOG_ERR("frontend %u: cannot restrict file-system writes: %s",
			o->frontend_id, rd ? strerror(errno) : "no run dir");
		return -1;
	}
	if (ll > 0)
		LOG_INFO("frontend %u: no Landlock in this kernel: file-system "
			 "writes are not restricted by path",
			 o->frontend_id);
	if (confine_frontend() < 0) {
		LOG_ERR("frontend %u: cannot enter confined mode: %s",
			o->frontend_id, strerror(errno));
		return -1;
	}
	return 0;
}

/* Exec'd through /proc/self/exe, the process would be "exe" in ps and
 * top: name it (and so every thread it starts) after its front-end, as
 * the stats records number them. */
static void name_self(const struct device_opts *o)
{
	char name[16]; /* the kernel's limit, with the NUL */
	if (o->probe)
		snprintf(name, sizeof(name), "%s", CHILD_NAME_PROBE);
	else
		snprintf(name, sizeof(name), CHILD_NAME_PREFIX "%u",
			 o->frontend_id);
	prctl(PR_SET_NAME, name);
}

int child_run(const struct device_opts *o)
{
	/* dies with the supervisor: a killed daemon is a dead device, and
	 * the VMM reconnects to the next one */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	name_self(o);
	serve_sock = o->serve_fd;
	struct sigaction sa = {.sa_handler = on_term};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	stats_set_fd(o->stats_fd);

	if (bootstrap(o) != VACCEL_OK)
		return 1;
	if (o->probe) {
		vaccel_cleanup();
		return 0;
	}
	if (limit_self(o) < 0) {
		LOG_ERR("frontend %u: cannot set resource limits: %s",
			o->frontend_id, strerror(errno));
		vaccel_cleanup();
		return 1;
	}
	if (o->confined && confine(o) < 0) {
		vaccel_cleanup();
		return 1;
	}
	int rc = o->rpc ? rpc_serve(o->serve_fd, o->frontend_id, o)
			: frontend_serve(o->serve_fd, o->frontend_id, o);
	vaccel_cleanup();
	return rc < 0 ? 1 : 0;
}
