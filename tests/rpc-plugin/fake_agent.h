// SPDX-License-Identifier: Apache-2.0
/*
 * A fake vAccel RPC agent for the error tests: a thread serving a UNIX
 * socket in a private directory. It answers CreateSession (session id 1)
 * and DestroySession properly, and every other call as its mode says:
 * properly, with junk, with a valid frame of the wrong kind, not at all,
 * half, by closing the connection, or with an error status.
 */
#ifndef VACCEL_TEST_FAKE_AGENT_H
#define VACCEL_TEST_FAKE_AGENT_H

#include <pthread.h>
#include <stdatomic.h>

enum fake_mode {
	FAKE_OK,	   /* status OK, an empty (all-default) message */
	FAKE_JUNK,	   /* bytes that are no frame (a 1.9 GB length) */
	FAKE_DATA_FRAME,   /* a Data frame instead of the Response */
	FAKE_WRONG_STREAM, /* a valid Response to another stream */
	FAKE_BAD_ENVELOPE, /* a Response frame whose envelope is junk */
	FAKE_BAD_PAYLOAD,  /* status OK, a payload that is no message */
	FAKE_SILENT,	   /* reads the request, never answers */
	FAKE_HALF,	   /* a header for 100 bytes, then 10, then nothing */
	FAKE_CLOSE,	   /* closes the connection */
	FAKE_STATUS,	   /* status UNKNOWN, message "boom" */
	FAKE_VACCEL_ERROR, /* INTERNAL with a vaccel.Error: EINVAL (22) */
	FAKE_NOT_FOUND,	   /* NOT_FOUND "Unknown session 1" */
	FAKE_BIG_OUTPUT,   /* Genop: write arg 0 with 64 bytes, size 64 */
	FAKE_OVERFLOW,	   /* Genop: write arg 0 empty, size 100 */
};

struct fake_agent {
	char dir[256];
	char path[300];
	char address[320]; /* unix://PATH */
	int lfd;
	pthread_t thread;
	atomic_int mode;
	atomic_bool stop;
	atomic_int accepted; /* connections */
	atomic_int calls;    /* requests other than session create/destroy */
};

/* 0, or -1 (the test fails). */
int fake_agent_start(struct fake_agent *f);
void fake_agent_stop(struct fake_agent *f);

#endif /* VACCEL_TEST_FAKE_AGENT_H */
