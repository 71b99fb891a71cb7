// SPDX-License-Identifier: Apache-2.0
/*
 * Test-side helpers for the probe plugin: load it (together with probe-min)
 * and reach its exported record.
 */
#ifndef VACCEL_TEST_PROBE_TEST_H
#define VACCEL_TEST_PROBE_TEST_H

#include "probe.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* <build>/tests/plugins/probe/libvaccel-<name>.so */
static inline const char *probe_path(const char *name, char *buf, size_t size)
{
	const char *b = getenv("VACCEL_TEST_BUILDDIR");

	snprintf(buf, size, "%s/tests/plugins/probe/libvaccel-%s.so",
		 b ? b : ".", name);
	return buf;
}

/* Bootstrap with "probe:probe-min" (sessions: DEBUG hint -> probe, GPU hint
 * -> probe-min, which implements NOOP only). log_file NULL: stdout. */
static inline int probe_boot(bool profiling, const char *log_file)
{
	char full[4096];
	char min[4096];
	char list[8200];
	struct vaccel_config cfg;

	snprintf(list, sizeof(list), "%s:%s",
		 probe_path("probe", full, sizeof(full)),
		 probe_path("probe-min", min, sizeof(min)));
	int ret = vaccel_config_init(&cfg, list, VACCEL_LOG_ERROR, log_file,
				     profiling, false);
	if (ret)
		return ret;
	ret = vaccel_bootstrap_with_config(&cfg);
	vaccel_config_release(&cfg);
	return ret;
}

/* The probe's record (valid while the probe is loaded). */
static inline struct probe_record *probe_get(void)
{
	char path[4096];
	void *h = dlopen(probe_path("probe", path, sizeof(path)),
			 RTLD_LAZY | RTLD_NOLOAD);
	if (!h)
		return NULL;
	struct probe_record *r = dlsym(h, "probe_record");
	dlclose(h);
	return r;
}

static inline void probe_reset(struct probe_record *r)
{
	memset(r, 0, sizeof(*r));
	r->last_op = -1;
}

/* Number of op calls recorded in total. */
static inline int probe_total_calls(const struct probe_record *r)
{
	int n = 0;

	for (int i = 0; i < VACCEL_OP_MAX; i++)
		n += r->calls[i];
	return n;
}

/* A bootstrapped runtime with one session on each probe plugin. */
struct probe_env {
	struct vaccel_session sess;	/* bound to probe */
	struct vaccel_session sess_min; /* bound to probe-min (NOOP only) */
	struct probe_record *rec;
};

static inline int probe_env_init(struct probe_env *e, bool profiling,
				 const char *log_file)
{
	memset(e, 0, sizeof(*e));
	if (probe_boot(profiling, log_file))
		return -1;
	if (vaccel_session_init(&e->sess, VACCEL_PLUGIN_DEBUG) ||
	    vaccel_session_init(&e->sess_min, VACCEL_PLUGIN_GPU))
		return -1;
	if (strcmp(e->sess.plugin->info->name, "probe") != 0 ||
	    strcmp(e->sess_min.plugin->info->name, "probe-min") != 0)
		return -1;
	e->rec = probe_get();
	return e->rec ? 0 : -1;
}

static inline void probe_env_fini(struct probe_env *e)
{
	vaccel_session_release(&e->sess);
	vaccel_session_release(&e->sess_min);
	vaccel_cleanup();
}

#endif /* VACCEL_TEST_PROBE_TEST_H */
