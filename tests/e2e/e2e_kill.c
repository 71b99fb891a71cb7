// SPDX-License-Identifier: Apache-2.0
/*
 * e2e_kill [ROUNDS]   (default 100)
 *
 * ROUNDS times: a child process opens sessions, registers a resource and
 * runs ops in a loop through the virtio plugin; it is SIGKILLed at a random
 * moment in the middle of its ops. Afterwards the host must hold nothing of
 * the killed processes: this process can open max_sessions sessions and
 * max_resources resources (the device's limits, from GET_INFO) — a single
 * leaked session or resource would make the last one fail.
 * Host plugin: noop (session hint DEBUG).
 */
#include "e2e_util.h"

#include <signal.h>
#include <sys/wait.h>

static int child(int ready_fd)
{
	struct vaccel_session s[3];
	struct vaccel_resource r;
	static char data[1 << 16];
	int *a = malloc(1 << 20), *b = malloc(1 << 20);

	if (!a || !b)
		return 1;
	for (int i = 0; i < 3; i++)
		if (vaccel_session_init(&s[i], E2E_HINT_NOOP))
			return 1;
	memset(data, 'r', sizeof(data));
	if (vaccel_resource_init_from_buf(&r, data, sizeof(data),
					  VACCEL_RESOURCE_DATA, "d.bin",
					  true) ||
	    vaccel_resource_register(&r, &s[0]) ||
	    vaccel_resource_register(&r, &s[1]))
		return 1;
	if (write(ready_fd, "r", 1) != 1)
		return 1;
	for (unsigned int i = 0;; i++) {
		size_t n = (i % 2) ? 1u << 18 : 100;
		if (vaccel_fpga_arraycopy(&s[i % 3], a, b, n))
			return 1;
		struct vaccel_session t;
		if (vaccel_session_init(&t, E2E_HINT_NOOP) || vaccel_noop(&t) ||
		    vaccel_session_release(&t))
			return 1;
	}
}

/* Open as many sessions (or resources) as the device allows. */
static long fill(bool resources, long max)
{
	struct vaccel_session s;
	struct vaccel_resource *r = calloc((size_t)max, sizeof(*r));
	static char byte = 'x';
	long n = 0;

	if (!r || vaccel_session_init(&s, E2E_HINT_NOOP))
		return -1;
	struct vaccel_session *extra =
		calloc(resources ? 1 : (size_t)max, sizeof(*extra));
	if (!extra)
		return -1;
	if (resources) {
		for (; n < max; n++)
			if (vaccel_resource_init_from_buf(&r[n], &byte, 1,
							  VACCEL_RESOURCE_DATA,
							  "b", true) ||
			    vaccel_resource_register(&r[n], &s)) {
				vaccel_resource_release(&r[n]);
				break;
			}
		for (long i = 0; i < n; i++)
			vaccel_resource_release(&r[i]);
		n = n == max ? max : n;
	} else {
		n = 1; /* s */
		for (long i = 0; n < max; i++, n++)
			if (vaccel_session_init(&extra[i], E2E_HINT_NOOP))
				break;
		for (long i = 0; i < n - 1; i++)
			vaccel_session_release(&extra[i]);
	}
	vaccel_session_release(&s);
	free(extra);
	free(r);
	return n;
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "child"))
		return child(atoi(argv[2]));

	long rounds = e2e_arg(argc, argv, 1, 100);
	uint32_t seed = (uint32_t)getpid();
	uint64_t t0 = e2e_now_ms();
	struct virtio_accel_ioc_info info;

	int ret = e2e_device_info(&info);
	if (ret)
		e2e_fail("e2e_kill", "GET_INFO: %s", strerror(-ret));
	long max_sess = le32toh(info.config.max_sessions);
	long max_res = le32toh(info.config.max_resources);

	for (long i = 0; i < rounds; i++) {
		int pfd[2];
		char fdarg[16], c;
		if (pipe(pfd))
			e2e_fail("e2e_kill", "pipe: %s", strerror(errno));
		pid_t pid = fork();
		if (pid == 0) {
			close(pfd[0]);
			snprintf(fdarg, sizeof(fdarg), "%d", pfd[1]);
			execl("/proc/self/exe", argv[0], "child", fdarg,
			      (char *)NULL);
			_exit(127);
		}
		close(pfd[1]);
		if (pid < 0 || read(pfd[0], &c, 1) != 1)
			e2e_fail("e2e_kill",
				 "round %ld: the child did not "
				 "start its ops",
				 i);
		close(pfd[0]);
		usleep(e2e_rand(&seed) % 20000);
		kill(pid, SIGKILL);
		int st;
		if (waitpid(pid, &st, 0) != pid || !WIFSIGNALED(st) ||
		    WTERMSIG(st) != SIGKILL)
			e2e_fail("e2e_kill",
				 "round %ld: the child ended "
				 "before the kill (status 0x%x)",
				 i, st);
	}
	/* released files are cleaned up asynchronously: allow some time */
	long ns = 0, nr = 0;
	for (int tries = 0; tries < 30; tries++) {
		ns = fill(false, max_sess);
		nr = fill(true, max_res - 0);
		if (ns == max_sess && nr == max_res)
			break;
		sleep(1);
	}
	if (ns != max_sess || nr != max_res)
		e2e_fail("e2e_kill",
			 "after %ld kills only %ld of %ld sessions "
			 "and %ld of %ld resources could be "
			 "opened: the host kept some",
			 rounds, ns, max_sess, nr, max_res);
	printf("e2e_kill: OK (%ld kills; %ld sessions and %ld resources "
	       "free afterwards; %llu ms)\n",
	       rounds, ns, nr, (unsigned long long)(e2e_now_ms() - t0));
	return 0;
}
