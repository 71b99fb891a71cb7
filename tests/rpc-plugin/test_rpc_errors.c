// SPDX-License-Identifier: Apache-2.0
/*
 * test_rpc_errors PLUGIN (libvaccel-rpc.so)
 *
 * How the RPC plugin fails: no agent at the address (UNIX, TCP, the
 * default and legacy variables, a bad address), agents that answer
 * garbage or nothing (fake_agent.c), a real daemon killed in the middle of
 * a call and restarted ($VHOST_USER_ACCEL, the mbench plugin), a forked
 * child (a connection of its own). Every failure must give its code
 * within its deadline, with a log line naming the address, and the next
 * call must reconnect.
 */
#include "../test_util.h"
#include "daemon_proc.h"
#include "fake_agent.h"
#include "rpc_wire.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#define TIMEOUT_MS    1000   /* VACCEL_RPC_TIMEOUT_MS of the fake agent tests */
#define QUICK_MS      900    /* a failure that must not wait for the deadline */
#define SLACK_MS      2000   /* scheduling slack on a loaded machine */
#define SPIN_MS	      "5000" /* the mbench call the daemon dies under */
#define KILL_AFTER_MS 300

static const char *plugin;
static char log_path[4096];
static struct fake_agent agent;
static struct daemon_proc daemon_p;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int rpc_lines(const char *needle)
{
	return count_lines(log_path, needle ? needle : "[rpc]");
}

/* Bootstrap the plugin for `address` and `timeout` (NULL: unset). */
static int boot_rpc(const char *address, const char *timeout,
		    vaccel_log_level_t level)
{
	struct vaccel_config cfg;
	if (address)
		setenv("VACCEL_RPC_ADDRESS", address, 1);
	else
		unsetenv("VACCEL_RPC_ADDRESS");
	if (timeout)
		setenv("VACCEL_RPC_TIMEOUT_MS", timeout, 1);
	else
		unsetenv("VACCEL_RPC_TIMEOUT_MS");
	temp_log(log_path, sizeof(log_path));
	int ret =
		vaccel_config_init(&cfg, plugin, level, log_path, false, false);
	if (!ret)
		ret = vaccel_bootstrap_with_config(&cfg);
	vaccel_config_release(&cfg);
	return ret;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(vaccel_cleanup(), VACCEL_OK);
	unlink(log_path);
	return 0;
}

/* session_init fails with `want`, quickly, with a line naming `addr`. */
static void expect_no_agent(const char *addr, int want)
{
	struct vaccel_session s;
	int before = rpc_lines(addr);
	int64_t t0 = now_ms();
	assert_int_equal(vaccel_session_init(&s, 0), want);
	assert_true(now_ms() - t0 < QUICK_MS);
	assert_int_equal(rpc_lines(addr) - before, 1);
}

/* ---------------------------------------------------------------------- */
/* no agent                                                                */
/* ---------------------------------------------------------------------- */

static void test_no_agent_unix(void **state)
{
	const char *a = "unix:///nonexistent/vaccel-rpc.sock";
	(void)state;
	assert_int_equal(boot_rpc(a, NULL, VACCEL_LOG_ERROR), VACCEL_OK);
	expect_no_agent(a, VACCEL_ENODEV);
	assert_int_equal(rpc_lines(RPC_ADDRESS_ENV), 1); /* the advice */
	/* the next call tries again */
	expect_no_agent(a, VACCEL_ENODEV);
}

/* A TCP port on 127.0.0.1 nobody listens on (bound, then closed). */
static int free_port(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	close(fd);
	return ntohs(sin.sin_port);
}

static void test_no_agent_tcp(void **state)
{
	char a[64];
	(void)state;
	snprintf(a, sizeof(a), "tcp://127.0.0.1:%d", free_port());
	assert_int_equal(boot_rpc(a, NULL, VACCEL_LOG_ERROR), VACCEL_OK);
	expect_no_agent(a, VACCEL_ENODEV);
}

static void test_addresses_from_env(void **state)
{
	struct vaccel_session s;
	const char *legacy = "unix:///nonexistent/legacy.sock";
	(void)state;
	/* the legacy variable, when the current one is unset */
	setenv("VACCEL_RPC_ADDR", legacy, 1);
	assert_int_equal(boot_rpc(NULL, NULL, VACCEL_LOG_ERROR), VACCEL_OK);
	expect_no_agent(legacy, VACCEL_ENODEV);
	/* neither: upstream's default; whatever answers there, the
	 * attempt names it (no line if an agent really listens) */
	unsetenv("VACCEL_RPC_ADDR");
	assert_int_equal(vaccel_cleanup(), VACCEL_OK);
	assert_int_equal(boot_rpc(NULL, NULL, VACCEL_LOG_ERROR), VACCEL_OK);
	int ret = vaccel_session_init(&s, 0);
	if (ret == VACCEL_OK)
		assert_int_equal(vaccel_session_release(&s), VACCEL_OK);
	else
		assert_true(rpc_lines(RPC_ADDRESS_DEFAULT) >= 1);
}

static void test_bad_settings(void **state)
{
	struct vaccel_session s;
	(void)state;
	/* not an address: the reason, and the failed open */
	assert_int_equal(boot_rpc("smoke://signals", "abc", VACCEL_LOG_WARN),
			 VACCEL_OK);
	assert_int_not_equal(vaccel_session_init(&s, 0), VACCEL_OK);
	assert_int_equal(rpc_lines("smoke://signals"), 2);
	/* a bad timeout: one warning, the default kept */
	assert_int_equal(rpc_lines("ignoring VACCEL_RPC_TIMEOUT_MS=abc"), 1);
}

/* ---------------------------------------------------------------------- */
/* agents that misbehave                                                   */
/* ---------------------------------------------------------------------- */

static int fake_setup(void **state)
{
	(void)state;
	atomic_store(&agent.mode, FAKE_OK);
	assert_int_equal(boot_rpc(agent.address, "1000", VACCEL_LOG_ERROR),
			 VACCEL_OK);
	return 0;
}

struct misbehaviour {
	enum fake_mode mode;
	int want;	    /* the op's code */
	bool waits;	    /* only the deadline ends it */
	bool reconnects;    /* the connection is dropped */
	int lines;	    /* "[rpc]" lines */
	const char *needle; /* in one of them */
};

static const struct misbehaviour cases[] = {
	{FAKE_JUNK, VACCEL_EBACKEND, false, true, 2, "not a valid response"},
	{FAKE_DATA_FRAME, VACCEL_EBACKEND, false, true, 2,
	 "not a valid response"},
	{FAKE_WRONG_STREAM, VACCEL_EBACKEND, false, true, 2,
	 "not a valid response"},
	{FAKE_BAD_ENVELOPE, VACCEL_EBACKEND, false, true, 2,
	 "not a valid response"},
	{FAKE_BAD_PAYLOAD, VACCEL_EBACKEND, false, true, 2,
	 "not a valid response"},
	{FAKE_SILENT, VACCEL_EIO, true, true, 2, "no answer within 1000 ms"},
	{FAKE_HALF, VACCEL_EIO, true, true, 2, "no answer within 1000 ms"},
	{FAKE_CLOSE, VACCEL_EIO, false, true, 2, "the connection ended"},
	{FAKE_STATUS, VACCEL_EIO, false, false, 2, "status 2: boom"},
	{FAKE_VACCEL_ERROR, VACCEL_EINVAL, false, false, 1,
	 "the host returned 22"},
	{FAKE_NOT_FOUND, VACCEL_ESESS, false, false, 1, "NOSESS"},
};

static void misbehave_once(const struct misbehaviour *c)
{
	struct vaccel_session s;
	assert_int_equal(vaccel_session_init(&s, 0), VACCEL_OK);
	int accepted = atomic_load(&agent.accepted);
	int before = rpc_lines(NULL);
	atomic_store(&agent.mode, c->mode);
	int64_t t0 = now_ms();
	assert_int_equal(vaccel_noop(&s), c->want);
	int64_t took = now_ms() - t0;
	assert_true(took < (c->waits ? TIMEOUT_MS + SLACK_MS : QUICK_MS));
	assert_true(!c->waits || took >= TIMEOUT_MS - 50);
	assert_int_equal(rpc_lines(NULL) - before, c->lines);
	assert_true(rpc_lines(c->needle) >= 1);
	if (c->lines == 2) /* the transport's own line names the agent */
		assert_true(rpc_lines(agent.address) >= 1);
	/* the next call works, on a new connection if the old one broke */
	atomic_store(&agent.mode, FAKE_OK);
	assert_int_equal(vaccel_noop(&s), VACCEL_OK);
	assert_int_equal(atomic_load(&agent.accepted) - accepted,
			 c->reconnects ? 1 : 0);
	assert_int_equal(vaccel_session_release(&s), VACCEL_OK);
}

static void test_misbehaving_agents(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("fake agent mode %d\n", cases[i].mode);
		misbehave_once(&cases[i]);
	}
}

/* Genop answers that do not fit what was asked. */
static void test_bad_outputs(void **state)
{
	struct vaccel_session s;
	char out[4];
	struct vaccel_arg wr;
	(void)state;
	assert_int_equal(vaccel_session_init(&s, 0), VACCEL_OK);
	vaccel_arg_init_from_buf(&wr, out, sizeof(out), VACCEL_ARG_BUFFER, 0);
	/* no write arg for the one asked */
	atomic_store(&agent.mode, FAKE_OK);
	assert_int_equal(vaccel_exec(&s, "l.so", "f", NULL, 0, &wr, 1),
			 VACCEL_EBACKEND);
	assert_int_equal(rpc_lines("answered 0 write args for 1"), 1);
	/* more bytes than its capacity */
	atomic_store(&agent.mode, FAKE_BIG_OUTPUT);
	assert_int_equal(vaccel_exec(&s, "l.so", "f", NULL, 0, &wr, 1),
			 VACCEL_EBACKEND);
	assert_int_equal(rpc_lines("64 bytes, size 64, capacity 4"), 1);
	/* did not fit: the device's OVERFLOW, which names the size */
	atomic_store(&agent.mode, FAKE_OVERFLOW);
	assert_int_equal(vaccel_exec(&s, "l.so", "f", NULL, 0, &wr, 1),
			 VACCEL_ERANGE);
	assert_int_equal(rpc_lines("output 0 needs 100 bytes"), 1);
	atomic_store(&agent.mode, FAKE_OK);
	assert_int_equal(vaccel_session_release(&s), VACCEL_OK);
}

/* ---------------------------------------------------------------------- */
/* a real daemon killed mid-call                                           */
/* ---------------------------------------------------------------------- */

struct killer {
	struct daemon_proc *d;
	pthread_t t;
};

static void *kill_later(void *p)
{
	struct killer *k = p;
	struct timespec ts = {0, KILL_AFTER_MS * 1000000L};
	nanosleep(&ts, NULL);
	daemon_kill(k->d, SIGKILL);
	return NULL;
}

static int spin(struct vaccel_session *s, const char *ms)
{
	struct vaccel_arg rd;
	vaccel_arg_init_from_buf(&rd, (void *)ms, strlen(ms), VACCEL_ARG_RAW,
				 0);
	return vaccel_exec(s, "mbench", "mbench", &rd, 1, NULL, 0);
}

static void test_daemon_killed(void **state)
{
	struct daemon_proc *d = &daemon_p;
	struct vaccel_session old, s;
	struct killer k = {.d = d};
	(void)state;
	assert_int_equal(daemon_start(d, plugin_path("mbench")), 0);
	assert_int_equal(boot_rpc(d->address, "60000", VACCEL_LOG_ERROR),
			 VACCEL_OK);
	assert_int_equal(vaccel_session_init(&old, 0), VACCEL_OK);
	assert_int_equal(spin(&old, "1"), VACCEL_OK);
	/* killed 300 ms into a 5 s call: the call ends then */
	assert_int_equal(pthread_create(&k.t, NULL, kill_later, &k), 0);
	int64_t t0 = now_ms();
	assert_int_equal(spin(&old, SPIN_MS), VACCEL_EIO);
	assert_true(now_ms() - t0 < KILL_AFTER_MS + SLACK_MS);
	pthread_join(k.t, NULL);
	assert_true(rpc_lines("the connection ended") >= 1);
	/* nobody listens now */
	t0 = now_ms();
	assert_int_equal(spin(&old, "1"), VACCEL_ENODEV);
	assert_true(now_ms() - t0 < QUICK_MS);
	assert_true(rpc_lines("cannot reconnect") >= 1);
	/* restarted: the next call reconnects; the old session died with
	 * the daemon, a new one works */
	assert_int_equal(daemon_start(d, plugin_path("mbench")), 0);
	assert_int_equal(spin(&old, "1"), VACCEL_ESESS);
	assert_int_equal(vaccel_session_init(&s, 0), VACCEL_OK);
	assert_int_equal(spin(&s, "1"), VACCEL_OK);
	assert_int_equal(vaccel_session_release(&s), VACCEL_OK);
	assert_int_equal(vaccel_session_release(&old), VACCEL_OK);
}

/* A forked child gets a connection of its own: its own sessions work,
 * the parent's are not its own; the parent's connection is untouched. */
static int child_main(struct vaccel_session *parent)
{
	struct vaccel_session s;
	if (vaccel_session_init(&s, 0) || vaccel_noop(&s) ||
	    vaccel_session_release(&s))
		return 1;
	return vaccel_noop(parent) == VACCEL_ESESS ? 0 : 2;
}

static void test_fork(void **state)
{
	struct vaccel_session s;
	int st;
	(void)state;
	assert_int_equal(daemon_start(&daemon_p, plugin_path("noop")), 0);
	assert_int_equal(boot_rpc(daemon_p.address, "60000", VACCEL_LOG_ERROR),
			 VACCEL_OK);
	assert_int_equal(vaccel_session_init(&s, 0), VACCEL_OK);
	assert_int_equal(vaccel_noop(&s), VACCEL_OK);
	pid_t pid = fork();
	if (pid == 0)
		_exit(child_main(&s));
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_equal(vaccel_noop(&s), VACCEL_OK);
	assert_int_equal(vaccel_session_release(&s), VACCEL_OK);
}

static int daemon_teardown(void **state)
{
	daemon_cleanup(&daemon_p);
	return teardown(state);
}

int main(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s libvaccel-rpc.so\n", argv[0]);
		return 2;
	}
	plugin = argv[1];
	signal(SIGPIPE, SIG_IGN);
	unsetenv("VACCEL_RPC_ADDR");
	const struct CMUnitTest no_agent[] = {
		cmocka_unit_test_teardown(test_no_agent_unix, teardown),
		cmocka_unit_test_teardown(test_no_agent_tcp, teardown),
		cmocka_unit_test_teardown(test_addresses_from_env, teardown),
		cmocka_unit_test_teardown(test_bad_settings, teardown),
	};
	const struct CMUnitTest fake[] = {
		cmocka_unit_test_setup_teardown(test_misbehaving_agents,
						fake_setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_outputs, fake_setup,
						teardown),
	};
	const struct CMUnitTest daemon[] = {
		cmocka_unit_test_teardown(test_daemon_killed, daemon_teardown),
		cmocka_unit_test_teardown(test_fork, daemon_teardown),
	};
	int fails =
		cmocka_run_group_tests_name("no agent", no_agent, NULL, NULL);
	if (fake_agent_start(&agent) < 0) {
		fprintf(stderr, "cannot start the fake agent\n");
		return 1;
	}
	fails += cmocka_run_group_tests_name("fake agent", fake, NULL, NULL);
	fake_agent_stop(&agent);
	if (getenv("VHOST_USER_ACCEL"))
		fails += cmocka_run_group_tests_name("daemon", daemon, NULL,
						     NULL);
	return fails ? 1 : 0;
}
