// SPDX-License-Identifier: Apache-2.0
/*
 * A private RPC daemon for the error tests (daemon_proc.h).
 */
#include "daemon_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define START_WAIT_MS 10000
#define STEP_MS	      10

static bool log_says_listening(const char *log)
{
	char line[512];
	bool found = false;
	FILE *f = fopen(log, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, "rpc: listening on") != NULL;
	fclose(f);
	return found;
}

static int prepare(struct daemon_proc *d)
{
	const char *tmp = getenv("TMPDIR");
	if (d->dir[0])
		return 0;
	snprintf(d->dir, sizeof(d->dir), "%s/vaccel-rpc-daemon.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(d->dir)) {
		d->dir[0] = '\0';
		return -1;
	}
	snprintf(d->path, sizeof(d->path), "%s/rpc.sock", d->dir);
	snprintf(d->address, sizeof(d->address), "unix://%s", d->path);
	snprintf(d->log, sizeof(d->log), "%s/daemon.log", d->dir);
	return 0;
}

static void child(const struct daemon_proc *d, const char *bin,
		  const char *plugins)
{
	char listen[320];
	int fd = open(d->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	snprintf(listen, sizeof(listen), "unix:%s", d->path);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	unsetenv("VACCEL_PLUGINS");
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* a crashed test leaves none */
	execl(bin, bin, "-v", "--plugins", plugins, "--rpc-listen", listen,
	      (char *)NULL);
	_exit(127);
}

int daemon_start(struct daemon_proc *d, const char *plugins)
{
	const char *bin = getenv("VHOST_USER_ACCEL");
	if (!bin || !*bin || prepare(d) < 0)
		return -1;
	unlink(d->log);
	d->pid = fork();
	if (d->pid == 0)
		child(d, bin, plugins);
	if (d->pid < 0)
		return -1;
	for (int waited = 0; waited < START_WAIT_MS; waited += STEP_MS) {
		struct timespec ts = {0, STEP_MS * 1000000L};
		if (log_says_listening(d->log))
			return 0;
		if (waitpid(d->pid, NULL, WNOHANG) == d->pid) {
			d->pid = 0;
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	daemon_kill(d, SIGKILL);
	return -1;
}

void daemon_kill(struct daemon_proc *d, int sig)
{
	if (d->pid <= 0)
		return;
	kill(d->pid, sig);
	while (waitpid(d->pid, NULL, 0) < 0 && errno == EINTR)
		;
	d->pid = 0;
}

void daemon_cleanup(struct daemon_proc *d)
{
	daemon_kill(d, SIGTERM);
	if (!d->dir[0])
		return;
	unlink(d->path);
	unlink(d->log);
	rmdir(d->dir);
	d->dir[0] = '\0';
}
