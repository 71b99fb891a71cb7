// SPDX-License-Identifier: Apache-2.0
/* Helpers shared by the runtime's unit tests (cmocka). */
#ifndef VACCEL_TEST_UTIL_H
#define VACCEL_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <vaccel.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Path of a fixture plugin ("fix-cpu" -> .../libvaccel-fix-cpu.so). */
static inline const char *fixture(const char *name)
{
	static char buf[8][4096];
	static int next;
	char *out = buf[next++ % 8];
	const char *b = getenv("VACCEL_TEST_BUILDDIR");
	snprintf(out, 4096, "%s/tests/fixtures/libvaccel-%s.so", b ? b : ".",
		 name);
	return out;
}

/* Path of a real plugin ("noop" -> .../plugins/noop/libvaccel-noop.so). */
static inline const char *plugin_path(const char *name)
{
	static char buf[4][4096];
	static int next;
	char *out = buf[next++ % 4];
	const char *b = getenv("VACCEL_TEST_BUILDDIR");
	snprintf(out, 4096, "%s/plugins/%s/libvaccel-%s.so", b ? b : ".", name,
		 name);
	return out;
}

/* Bootstrap with these plugins (NULL: none) and options. */
static inline int boot_opts(const char *plugins, const char *log_file,
			    bool prof, bool version_ignore)
{
	struct vaccel_config cfg;
	int ret = vaccel_config_init(&cfg, plugins, VACCEL_LOG_ERROR, log_file,
				     prof, version_ignore);
	if (ret)
		return ret;
	ret = vaccel_bootstrap_with_config(&cfg);
	vaccel_config_release(&cfg);
	return ret;
}

static inline int boot(const char *plugins)
{
	return boot_opts(plugins, NULL, false, false);
}

/* A temporary log file; count_lines() counts lines containing `needle`. */
static inline void temp_log(char *path, size_t size)
{
	const char *dir = getenv("TMPDIR");
	snprintf(path, size, "%s/vaccel-test-log-XXXXXX", dir ? dir : P_tmpdir);
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
}

static inline int count_lines(const char *path, const char *needle)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char line[4096];
	int n = 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, needle))
			n++;
	fclose(f);
	return n;
}

/* The fixture counters struct exported by tests/fixtures/fixture_plugin.c. */
struct fixture_counters {
	int init, fini, noop;
	int session_init, session_release;
	int resource_register, resource_unregister, resource_sync;
};

static inline struct fixture_counters *fixture_counters(const char *name)
{
	void *h = dlopen(fixture(name), RTLD_LAZY | RTLD_NOLOAD);
	if (!h)
		return NULL;
	struct fixture_counters *c = dlsym(h, "fixture_counters");
	dlclose(h);
	return c;
}

#endif
