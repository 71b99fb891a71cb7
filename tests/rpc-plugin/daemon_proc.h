// SPDX-License-Identifier: Apache-2.0
/*
 * A private vhost-user-accel ($VHOST_USER_ACCEL) serving vAccel's RPC
 * protocol on a UNIX socket, for tests that kill and restart it.
 */
#ifndef VACCEL_TEST_DAEMON_PROC_H
#define VACCEL_TEST_DAEMON_PROC_H

#include <sys/types.h>

struct daemon_proc {
	pid_t pid;
	char dir[256];
	char path[300];	   /* the socket */
	char address[320]; /* unix://PATH */
	char log[300];	   /* its output */
};

/* Start it (the first time in a new directory, later on the same socket)
 * and wait until it listens: 0, or -1. */
int daemon_start(struct daemon_proc *d, const char *plugins);
/* Send sig and reap it. */
void daemon_kill(struct daemon_proc *d, int sig);
/* Stop it if it runs, remove its directory. */
void daemon_cleanup(struct daemon_proc *d);

#endif /* VACCEL_TEST_DAEMON_PROC_H */
