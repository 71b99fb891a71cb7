// SPDX-License-Identifier: Apache-2.0
/*
 * exec_plugin_check EXEC_PLUGIN MYTESTLIB DEPLIB MAINLIB
 *
 * Behaviour of the exec plugin (plugins/exec/exec.c):
 *   - exec: result, error codes (EINVAL, ENOSYS, EBACKEND), handle caching
 *     (one handle per library, closed at plugin fini), no handle left open
 *     after a failed symbol lookup, VACCEL_EXEC_DLCLOSE_ENABLED and its
 *     deprecated alias VACCEL_EXEC_DLCLOSE;
 *   - exec_with_resource: file and memory-only (BUFFER) blobs, dependency
 *     blobs (DEPLIB is needed by MAINLIB), error codes, resources shared by
 *     two sessions, handles closed on unregister;
 *   - both ops from several threads at once (one session per thread, one
 *     shared resource).
 * Whether a library is still loaded is checked with dlopen(RTLD_NOLOAD).
 * The log level comes from VACCEL_LOG_LEVEL. Exit status 0 on success.
 */
#include <vaccel.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
static const char *exec_plugin;
static const char *mytestlib;
static const char *deplib;
static const char *mainlib;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);   \
			fprintf(stderr, __VA_ARGS__);                          \
			fprintf(stderr, "\n");                                 \
			failures++;                                            \
		}                                                              \
	} while (0)

static bool is_loaded(const char *path)
{
	void *h = dlopen(path, RTLD_LAZY | RTLD_NOLOAD);

	if (!h)
		return false;
	dlclose(h);
	return true;
}

static int bootstrap(void)
{
	struct vaccel_config env;
	struct vaccel_config cfg;
	int ret;

	ret = vaccel_config_init_from_env(&env);
	if (ret)
		return ret;
	ret = vaccel_config_init(&cfg, exec_plugin, env.log_level, NULL, false,
				 false);
	vaccel_config_release(&env);
	if (ret)
		return ret;
	ret = vaccel_bootstrap_with_config(&cfg);
	vaccel_config_release(&cfg);
	if (ret)
		fprintf(stderr, "bootstrap failed: %d\n", ret);
	return ret;
}

/* exec `symbol` from `lib` with input `in`; the output in *out */
static int run_exec(struct vaccel_session *sess, const char *lib,
		    const char *symbol, int32_t in, int32_t *out)
{
	struct vaccel_arg read;
	struct vaccel_arg write;

	*out = 0;
	vaccel_arg_init_from_buf(&read, &in, sizeof(in), VACCEL_ARG_INT32, 0);
	vaccel_arg_init_from_buf(&write, out, sizeof(*out), VACCEL_ARG_INT32,
				 0);
	return vaccel_exec(sess, lib, symbol, &read, 1, &write, 1);
}

static int run_res(struct vaccel_session *sess, struct vaccel_resource *res,
		   const char *symbol, int32_t in, int32_t *out)
{
	struct vaccel_arg read;
	struct vaccel_arg write;

	*out = 0;
	vaccel_arg_init_from_buf(&read, &in, sizeof(in), VACCEL_ARG_INT32, 0);
	vaccel_arg_init_from_buf(&write, out, sizeof(*out), VACCEL_ARG_INT32,
				 0);
	return vaccel_exec_with_resource(sess, res, symbol, &read, 1, &write,
					 1);
}

static void test_exec(void)
{
	struct vaccel_session sess;
	int32_t out;
	int ret;

	printf("-- exec\n");
	if (bootstrap() || vaccel_session_init(&sess, 0)) {
		CHECK(0, "setup");
		return;
	}

	/* A failed symbol lookup on a fresh library leaves nothing open. */
	ret = run_exec(&sess, deplib, "no_such_symbol", 1, &out);
	CHECK(ret == VACCEL_ENOSYS, "missing symbol: got %d", ret);
	CHECK(!is_loaded(deplib), "library left open after dlsym failure");

	ret = run_exec(&sess, "/nonexistent/libnothing.so", "f", 1, &out);
	CHECK(ret == VACCEL_EINVAL, "missing library: got %d", ret);

	ret = run_exec(&sess, mytestlib, "mytestfunc_fail", 1, &out);
	CHECK(ret == VACCEL_EBACKEND, "failing function: got %d", ret);

	for (int i = 0; i < 100; i++) {
		ret = run_exec(&sess, mytestlib, "mytestfunc", i, &out);
		CHECK(ret == VACCEL_OK && out == 2 * i,
		      "call %d: got %d, output %d", i, ret, out);
		if (ret)
			break;
	}
	/* Cached: still loaded; a lookup failure keeps the cached handle. */
	CHECK(is_loaded(mytestlib), "library not cached");
	ret = run_exec(&sess, mytestlib, "no_such_symbol", 1, &out);
	CHECK(ret == VACCEL_ENOSYS, "missing symbol (cached lib): got %d", ret);
	ret = run_exec(&sess, mytestlib, "mytestfunc", 5, &out);
	CHECK(ret == VACCEL_OK && out == 10, "after lookup failure: %d/%d", ret,
	      out);

	vaccel_session_release(&sess);
	vaccel_cleanup();
	CHECK(!is_loaded(mytestlib), "library still loaded after fini");
}

/* With dlclose enabled (through `var`), nothing stays loaded. */
static void test_exec_dlclose(const char *var, const char *value)
{
	struct vaccel_session sess;
	int32_t out;
	int ret;

	printf("-- exec with %s=%s\n", var, value);
	setenv(var, value, 1);
	if (bootstrap() || vaccel_session_init(&sess, 0)) {
		CHECK(0, "setup");
		unsetenv(var);
		return;
	}
	ret = run_exec(&sess, mytestlib, "mytestfunc", 4, &out);
	CHECK(ret == VACCEL_OK && out == 8, "dlclose mode: %d/%d", ret, out);
	CHECK(!is_loaded(mytestlib), "%s=%s: library still loaded", var, value);
	vaccel_session_release(&sess);
	vaccel_cleanup();
	unsetenv(var);
}

static int read_file(const char *path, uint8_t **buf, size_t *size)
{
	FILE *f = fopen(path, "rb");
	long len;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -1;
	}
	*buf = malloc((size_t)len);
	if (!*buf || fread(*buf, 1, (size_t)len, f) != (size_t)len) {
		free(*buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	*size = (size_t)len;
	return 0;
}

static void test_resource_file(void)
{
	struct vaccel_session s1;
	struct vaccel_session s2;
	struct vaccel_resource res;
	struct vaccel_resource data;
	int32_t out;
	int ret;

	printf("-- exec_with_resource (file)\n");
	if (bootstrap() || vaccel_session_init(&s1, 0) ||
	    vaccel_session_init(&s2, 0)) {
		CHECK(0, "setup");
		return;
	}
	ret = vaccel_resource_init(&res, mytestlib, VACCEL_RESOURCE_LIB);
	CHECK(ret == VACCEL_OK, "resource init: %d", ret);
	if (ret)
		goto out;
	ret = vaccel_resource_register(&res, &s1);
	CHECK(ret == VACCEL_OK, "register s1: %d", ret);
	ret = vaccel_resource_register(&res, &s2);
	CHECK(ret == VACCEL_OK, "register s2: %d", ret);

	ret = run_res(&s1, &res, "mytestfunc", 21, &out);
	CHECK(ret == VACCEL_OK && out == 42, "s1: %d/%d", ret, out);
	ret = run_res(&s2, &res, "mytestfunc", 22, &out);
	CHECK(ret == VACCEL_OK && out == 44, "s2: %d/%d", ret, out);
	ret = run_res(&s1, &res, "no_such_symbol", 1, &out);
	CHECK(ret == VACCEL_ENOSYS, "missing symbol: %d", ret);
	ret = run_res(&s1, &res, "mytestfunc_fail", 1, &out);
	CHECK(ret == VACCEL_EBACKEND, "failing function: %d", ret);

	/* Unregistering from s1 closes the handles; s2 reopens on demand. */
	ret = vaccel_resource_unregister(&res, &s1);
	CHECK(ret == VACCEL_OK, "unregister s1: %d", ret);
	CHECK(!is_loaded(mytestlib), "handles not closed on unregister");
	ret = run_res(&s2, &res, "mytestfunc", 23, &out);
	CHECK(ret == VACCEL_OK && out == 46, "s2 after unregister: %d/%d", ret,
	      out);
	ret = vaccel_resource_unregister(&res, &s2);
	CHECK(ret == VACCEL_OK, "unregister s2: %d", ret);
	CHECK(!is_loaded(mytestlib), "handles not closed on unregister");
	vaccel_resource_release(&res);

	/* A DATA resource is not executable. */
	ret = vaccel_resource_init(&data, mytestlib, VACCEL_RESOURCE_DATA);
	CHECK(ret == VACCEL_OK, "data resource init: %d", ret);
	if (!ret) {
		vaccel_resource_register(&data, &s1);
		ret = run_res(&s1, &data, "mytestfunc", 1, &out);
		CHECK(ret == VACCEL_EINVAL, "DATA resource: %d", ret);
		vaccel_resource_release(&data);
	}
out:
	vaccel_session_release(&s2);
	vaccel_session_release(&s1);
	vaccel_cleanup();
}

static void test_resource_deps(bool in_memory)
{
	struct vaccel_session sess;
	struct vaccel_resource res;
	struct vaccel_blob dep_blob;
	struct vaccel_blob main_blob;
	uint8_t *dep_buf = NULL;
	uint8_t *main_buf = NULL;
	size_t dep_size;
	size_t main_size;
	int32_t out;
	int ret;

	printf("-- exec_with_resource (dependency, %s)\n",
	       in_memory ? "memory-only blobs" : "file paths");
	if (bootstrap() || vaccel_session_init(&sess, 0)) {
		CHECK(0, "setup");
		return;
	}
	if (in_memory) {
		const struct vaccel_blob *blobs[2] = {&dep_blob, &main_blob};

		if (read_file(deplib, &dep_buf, &dep_size) ||
		    read_file(mainlib, &main_buf, &main_size)) {
			CHECK(0, "could not read the test libraries");
			goto out_sess;
		}
		ret = vaccel_blob_init_from_buf(&dep_blob, dep_buf, dep_size,
						false, "libmytestdep.so", NULL,
						false);
		CHECK(ret == VACCEL_OK, "dep blob: %d", ret);
		ret = vaccel_blob_init_from_buf(&main_blob, main_buf, main_size,
						false, "libmytestmain.so", NULL,
						false);
		CHECK(ret == VACCEL_OK, "main blob: %d", ret);
		ret = vaccel_resource_init_from_blobs(&res, blobs, 2,
						      VACCEL_RESOURCE_LIB);
		vaccel_blob_release(&dep_blob);
		vaccel_blob_release(&main_blob);
	} else {
		const char *paths[2] = {deplib, mainlib};

		ret = vaccel_resource_init_multi(&res, paths, 2,
						 VACCEL_RESOURCE_LIB);
	}
	CHECK(ret == VACCEL_OK, "resource init: %d", ret);
	if (ret)
		goto out_sess;
	ret = vaccel_resource_register(&res, &sess);
	CHECK(ret == VACCEL_OK, "register: %d", ret);
	ret = run_res(&sess, &res, "mytestfunc_dep", 7, &out);
	CHECK(ret == VACCEL_OK && out == 21, "dep call: %d/%d", ret, out);
	ret = run_res(&sess, &res, "mytestfunc_dep", 8, &out);
	CHECK(ret == VACCEL_OK && out == 24, "dep call 2: %d/%d", ret, out);
	vaccel_resource_unregister(&res, &sess);
	CHECK(!is_loaded(mainlib) && !is_loaded(deplib),
	      "handles not closed on unregister");
	vaccel_resource_release(&res);
out_sess:
	vaccel_session_release(&sess);
	vaccel_cleanup();
	free(dep_buf);
	free(main_buf);
}

#define NR_THREADS 8
#define NR_CALLS   200

struct thread_arg {
	struct vaccel_resource *res;
	int errors;
};

static void *thread_main(void *opaque)
{
	struct thread_arg *t = opaque;
	struct vaccel_session sess;
	int32_t out;

	if (vaccel_session_init(&sess, 0)) {
		t->errors++;
		return NULL;
	}
	if (vaccel_resource_register(t->res, &sess))
		t->errors++;
	for (int i = 0; i < NR_CALLS; i++) {
		if (run_exec(&sess, mytestlib, "mytestfunc", i, &out) ||
		    out != 2 * i)
			t->errors++;
		if (run_res(&sess, t->res, "mytestfunc", i, &out) ||
		    out != 2 * i)
			t->errors++;
	}
	/* Unregistering closes the shared handles while others use them. */
	if (vaccel_resource_unregister(t->res, &sess))
		t->errors++;
	vaccel_session_release(&sess);
	return NULL;
}

static void test_threads(void)
{
	struct thread_arg args[NR_THREADS];
	pthread_t threads[NR_THREADS];
	struct vaccel_resource res;

	printf("-- %d threads\n", NR_THREADS);
	if (bootstrap() ||
	    vaccel_resource_init(&res, mytestlib, VACCEL_RESOURCE_LIB)) {
		CHECK(0, "setup");
		return;
	}
	for (int i = 0; i < NR_THREADS; i++) {
		args[i].res = &res;
		args[i].errors = 0;
		CHECK(pthread_create(&threads[i], NULL, thread_main,
				     &args[i]) == 0,
		      "pthread_create");
	}
	for (int i = 0; i < NR_THREADS; i++) {
		pthread_join(threads[i], NULL);
		CHECK(args[i].errors == 0, "thread %d: %d errors", i,
		      args[i].errors);
	}
	vaccel_resource_release(&res);
	vaccel_cleanup();
	CHECK(!is_loaded(mytestlib), "library still loaded after cleanup");
}

int main(int argc, char *argv[])
{
	if (argc != 5) {
		fprintf(stderr,
			"Usage: %s EXEC_PLUGIN MYTESTLIB DEPLIB MAINLIB\n",
			argv[0]);
		return 2;
	}
	exec_plugin = argv[1];
	mytestlib = argv[2];
	deplib = argv[3];
	mainlib = argv[4];

	test_exec();
	test_exec_dlclose("VACCEL_EXEC_DLCLOSE_ENABLED", "1");
	test_exec_dlclose("VACCEL_EXEC_DLCLOSE_ENABLED", "true");
	test_exec_dlclose("VACCEL_EXEC_DLCLOSE", "TRUE");
	test_resource_file();
	test_resource_deps(false);
	test_resource_deps(true);
	test_threads();

	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("exec_plugin_check: OK\n");
	return 0;
}
