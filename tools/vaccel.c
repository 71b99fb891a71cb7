// SPDX-License-Identifier: Apache-2.0
/*
 * vaccel: inspect the runtime and run quick checks.
 *
 *   vaccel [--plugins LIST] info
 *   vaccel [--plugins LIST] run noop
 *   vaccel [--plugins LIST] run sgemm M N K
 *   vaccel [--plugins LIST] run exec LIBRARY SYMBOL [INT]
 *   vaccel --help | --version
 *
 * Plugins come from --plugins LIST when given, else from VACCEL_PLUGINS.
 * Exit status: 0 success, 1 runtime or operation failure, 2 usage error.
 */
#include <vaccel.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXIT_OP_FAILURE 1
#define EXIT_USAGE	2

static const char *prog = "vaccel";

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [--plugins LIST] COMMAND [ARGS]\n"
		"\n"
		"Commands:\n"
		"  info                       library version, loaded plugins "
		"and the ops each implements\n"
		"  run noop                   run the no-op operation\n"
		"  run sgemm M N K            run sgemm on deterministic "
		"M x K and K x N inputs\n"
		"  run exec LIBRARY SYMBOL [INT]\n"
		"                             call SYMBOL from LIBRARY (with "
		"an int32 read arg and an int32\n"
		"                             write arg when INT is given)\n"
		"\n"
		"Options:\n"
		"  --plugins LIST             colon-separated plugin files to "
		"load (default: VACCEL_PLUGINS)\n"
		"  -h, --help                 show this help\n"
		"  -V, --version              show the version\n"
		"\n"
		"Exit status: 0 success, 1 runtime or operation failure, "
		"2 usage error.\n",
		prog);
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt,
							     ...);

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", prog);
	return EXIT_USAGE;
}

/* Describe a vAccel error code (positive errno values, two remapped). */
static const char *describe(int ret)
{
	switch (ret) {
	case VACCEL_EBACKEND:
		return "VACCEL_EBACKEND: plugin or backend failure";
	case VACCEL_ESESS:
		return "VACCEL_ESESS: sessions subsystem unavailable";
	default:
		return strerror(ret);
	}
}

static void report(const char *what, int ret)
{
	fprintf(stderr, "%s: %s failed: error %d (%s)\n", prog, what, ret,
		describe(ret));
}

static bool parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* (Re)initialise the runtime with the requested plugins. */
static int setup_runtime(const char *plugins)
{
	struct vaccel_config env;
	struct vaccel_config cfg;
	int ret;

	if (!plugins) {
		if (vaccel_is_initialized())
			return 0;
		/* The automatic bootstrap was disabled or failed: retry to
		 * report why. */
		ret = vaccel_bootstrap();
		if (ret) {
			report("bootstrap (plugins from VACCEL_PLUGINS)", ret);
			return EXIT_OP_FAILURE;
		}
		return 0;
	}

	ret = vaccel_config_init_from_env(&env);
	if (ret) {
		report("reading the configuration", ret);
		return EXIT_OP_FAILURE;
	}
	ret = vaccel_config_init(&cfg, plugins, env.log_level, env.log_file,
				 env.profiling_enabled, env.version_ignore);
	vaccel_config_release(&env);
	if (ret) {
		report("creating the configuration", ret);
		return EXIT_OP_FAILURE;
	}
	ret = vaccel_bootstrap_with_config(&cfg);
	vaccel_config_release(&cfg);
	if (ret) {
		fprintf(stderr,
			"%s: could not load plugins '%s': error %d (%s)\n",
			prog, plugins, ret, describe(ret));
		return EXIT_OP_FAILURE;
	}
	return 0;
}

static void print_plugin_type(unsigned int type)
{
	static const vaccel_plugin_type_t flags[] = {
		VACCEL_PLUGIN_CPU,	  VACCEL_PLUGIN_GPU,
		VACCEL_PLUGIN_FPGA,	  VACCEL_PLUGIN_SOFTWARE,
		VACCEL_PLUGIN_TENSORFLOW, VACCEL_PLUGIN_TORCH,
		VACCEL_PLUGIN_JETSON,	  VACCEL_PLUGIN_GENERIC,
		VACCEL_PLUGIN_DEBUG,	  VACCEL_PLUGIN_REMOTE,
	};
	bool first = true;

	printf("    type:");
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		if (!(type & (unsigned int)flags[i]))
			continue;
		printf("%s%s", first ? " " : "|",
		       vaccel_plugin_type_to_base_str(flags[i]));
		first = false;
	}
	printf("%s (0x%04x)\n", first ? " none" : "", type);
}

static int cmd_info(void)
{
	size_t count = vaccel_plugin_count();
	const char *rundir = vaccel_rundir();

	printf("vAccel version: %s\n", VACCEL_VERSION);
	printf("Run directory: %s\n", rundir ? rundir : "(none)");
	printf("Loaded plugins: %zu%s\n", count,
	       count ? "" : " (set VACCEL_PLUGINS or use --plugins)");
	for (size_t i = 0; i < count; i++) {
		const struct vaccel_plugin *p = vaccel_plugin_get(i);
		const struct vaccel_plugin_info *info;
		char name[VACCEL_ENUM_STR_MAX];
		size_t nr_ops = 0;

		if (!p || !p->info)
			continue;
		info = p->info;
		printf("[%zu] %s\n", i + 1,
		       info->name ? info->name : "(noname)");
		printf("    version: %s (built for vAccel %s)\n",
		       info->version ? info->version : "?",
		       info->vaccel_version ? info->vaccel_version : "?");
		print_plugin_type((unsigned int)info->type);
		printf("    virtio: %s\n", info->is_virtio ? "yes" : "no");
		for (int op = 0; op < VACCEL_OP_MAX; op++)
			if (p->ops[op])
				nr_ops++;
		printf("    ops (%zu):", nr_ops);
		for (int op = 0; op < VACCEL_OP_MAX; op++)
			if (p->ops[op])
				printf(" %s", vaccel_op_type_to_lower(
						      (vaccel_op_type_t)op,
						      name, sizeof(name)));
		printf("\n");
	}
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static const char *plugin_name(const struct vaccel_session *sess)
{
	if (sess->plugin && sess->plugin->info && sess->plugin->info->name)
		return sess->plugin->info->name;
	return "?";
}

static int session_open(struct vaccel_session *sess)
{
	int ret = vaccel_session_init(sess, 0);

	if (ret) {
		report("session init", ret);
		return EXIT_OP_FAILURE;
	}
	return 0;
}

static int session_close(struct vaccel_session *sess, int status)
{
	int ret = vaccel_session_release(sess);

	if (ret) {
		report("session release", ret);
		return status ? status : EXIT_OP_FAILURE;
	}
	return status;
}

static int run_noop(void)
{
	struct vaccel_session sess;
	uint64_t t0;
	int ret;

	if (session_open(&sess))
		return EXIT_OP_FAILURE;
	t0 = now_ns();
	ret = vaccel_noop(&sess);
	t0 = now_ns() - t0;
	if (ret) {
		report("noop", ret);
		return session_close(&sess, EXIT_OP_FAILURE);
	}
	printf("noop: OK (plugin %s, %" PRIu64 " ns)\n", plugin_name(&sess),
	       t0);
	return session_close(&sess, 0);
}

static int run_sgemm(long m, long n, long k)
{
	struct vaccel_session sess;
	float *a = malloc((size_t)(m * k) * sizeof(float));
	float *b = malloc((size_t)(k * n) * sizeof(float));
	float *c = calloc((size_t)(m * n), sizeof(float));
	double sum = 0.0;
	int status = EXIT_OP_FAILURE;
	uint64_t t0;
	int ret;

	if (!a || !b || !c) {
		fprintf(stderr, "%s: out of memory\n", prog);
		goto out;
	}
	/* Small integers: exact results whatever the summation order. */
	for (long i = 0; i < m * k; i++)
		a[i] = (float)(i % 7) - 3.0f;
	for (long i = 0; i < k * n; i++)
		b[i] = (float)(i % 5) - 2.0f;
	if (session_open(&sess))
		goto out;
	t0 = now_ns();
	ret = vaccel_sgemm(&sess, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
	t0 = now_ns() - t0;
	if (ret) {
		report("sgemm", ret);
		status = session_close(&sess, EXIT_OP_FAILURE);
		goto out;
	}
	for (long i = 0; i < m * n; i++)
		sum += c[i];
	printf("sgemm: %ldx%ldx%ld OK (plugin %s, %" PRIu64 " ns)\n", m, n, k,
	       plugin_name(&sess), t0);
	printf("C[0][0] = %.1f, C[%ld][%ld] = %.1f, checksum = %.1f\n",
	       (double)c[0], m - 1, n - 1, (double)c[(m - 1) * n + (n - 1)],
	       sum);
	status = session_close(&sess, 0);
out:
	free(a);
	free(b);
	free(c);
	return status;
}

static int run_exec(const char *library, const char *symbol, const long *in)
{
	struct vaccel_session sess;
	struct vaccel_arg read[1];
	struct vaccel_arg write[1];
	int32_t input = in ? (int32_t)*in : 0;
	int32_t output = 0;
	size_t nr = in ? 1 : 0;
	int ret;

	if (session_open(&sess))
		return EXIT_OP_FAILURE;
	if (in) {
		ret = vaccel_arg_init_from_buf(&read[0], &input, sizeof(input),
					       VACCEL_ARG_INT32, 0);
		if (!ret)
			ret = vaccel_arg_init_from_buf(&write[0], &output,
						       sizeof(output),
						       VACCEL_ARG_INT32, 0);
		if (ret) {
			report("building the args", ret);
			return session_close(&sess, EXIT_OP_FAILURE);
		}
	}
	ret = vaccel_exec(&sess, library, symbol, in ? read : NULL, nr,
			  in ? write : NULL, nr);
	if (ret) {
		report("exec", ret);
		return session_close(&sess, EXIT_OP_FAILURE);
	}
	printf("exec: %s:%s OK (plugin %s)\n", library, symbol,
	       plugin_name(&sess));
	if (in)
		printf("input: %" PRId32 " output: %" PRId32 "\n", input,
		       output);
	return session_close(&sess, 0);
}

static int cmd_run(int argc, char *argv[], const char *plugins)
{
	const char *what;
	int ret;

	if (argc < 1)
		return usage_error("%s", "'run' needs an operation: noop, "
					 "sgemm or exec");
	what = argv[0];
	if (!strcmp(what, "noop")) {
		if (argc != 1)
			return usage_error("unexpected argument '%s'", argv[1]);
		ret = setup_runtime(plugins);
		return ret ? ret : run_noop();
	}
	if (!strcmp(what, "sgemm")) {
		long dims[3];
		static const char *names[] = {"M", "N", "K"};

		if (argc != 4)
			return usage_error("%s", "usage: run sgemm M N K");
		for (int i = 0; i < 3; i++)
			if (!parse_long(argv[i + 1], 1, 8192, &dims[i])) {
				fprintf(stderr,
					"%s: invalid %s '%s' (expected "
					"1..8192)\n",
					prog, names[i], argv[i + 1]);
				return EXIT_USAGE;
			}
		ret = setup_runtime(plugins);
		return ret ? ret : run_sgemm(dims[0], dims[1], dims[2]);
	}
	if (!strcmp(what, "exec")) {
		long in;

		if (argc < 3 || argc > 4)
			return usage_error("%s", "usage: run exec LIBRARY "
						 "SYMBOL [INT]");
		if (argc == 4 &&
		    !parse_long(argv[3], INT32_MIN, INT32_MAX, &in)) {
			fprintf(stderr,
				"%s: invalid INT '%s' (expected a "
				"32-bit integer)\n",
				prog, argv[3]);
			return EXIT_USAGE;
		}
		ret = setup_runtime(plugins);
		return ret ? ret
			   : run_exec(argv[1], argv[2], argc == 4 ? &in : NULL);
	}
	return usage_error("unknown operation '%s' (expected noop, sgemm or "
			   "exec)",
			   what);
}

int main(int argc, char *argv[])
{
	const char *plugins = NULL;
	int i;
	int ret;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("vaccel %s\n", VACCEL_VERSION);
			return 0;
		}
		if (!strcmp(a, "--plugins")) {
			if (i + 1 >= argc)
				return usage_error("%s",
						   "--plugins needs a value");
			plugins = argv[++i];
		} else if (!strncmp(a, "--plugins=", 10)) {
			plugins = a + 10;
		} else if (a[0] == '-') {
			return usage_error("unknown option '%s'", a);
		} else {
			break;
		}
		if (!*plugins)
			return usage_error("%s", "--plugins needs a value");
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}

	if (!strcmp(argv[i], "info")) {
		if (i + 1 < argc)
			return usage_error("unexpected argument '%s'",
					   argv[i + 1]);
		ret = setup_runtime(plugins);
		return ret ? ret : cmd_info();
	}
	if (!strcmp(argv[i], "run"))
		return cmd_run(argc - i - 1, argv + i + 1, plugins);
	return usage_error("unknown command '%s'", argv[i]);
}
