// SPDX-License-Identifier: Apache-2.0
/*
 * A third-party plugin written the way upstream vAccel plugins are: its own
 * enum declared with upstream's VACCEL_ENUM_* shape (the prefix through a
 * macro), VACCEL_PLUGIN(...) with no trailing semicolon, the log macros with
 * upstream's format strings. Built against the installed tree with only
 * `pkg-config --cflags --libs vaccel` (run.sh) and loaded by libvaccel and
 * by the host daemon.
 *
 * EXEC: fn_symbol names an arithmetic mode ("double", "triple", "square");
 * write[0] (an int) <- mode(read[0] (an int)). Unknown modes: VACCEL_ENOTSUP.
 */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>
#include <vaccel.h>

#define _ENUM_PREFIX UPSTREAM_MODE
#define UPSTREAM_MODE_ENUM_LIST(VACCEL_ENUM_ITEM)     \
	VACCEL_ENUM_ITEM(DOUBLE, 2, _ENUM_PREFIX)     \
	VACCEL_ENUM_ITEM(TRIPLE, _ENUM_PREFIX)        \
	VACCEL_ENUM_ITEM(SQUARE, 10, _ENUM_PREFIX)

VACCEL_ENUM_DEF_WITH_STR_FUNCS(upstream_mode, _ENUM_PREFIX,
			       UPSTREAM_MODE_ENUM_LIST)
#undef _ENUM_PREFIX

static const upstream_mode_t modes[] = { UPSTREAM_MODE_DOUBLE,
					 UPSTREAM_MODE_TRIPLE,
					 UPSTREAM_MODE_SQUARE };

static int apply(upstream_mode_t mode, int x)
{
	if (mode == UPSTREAM_MODE_SQUARE)
		return x * x;
	return x * (int)mode;
}

static int upstream_exec(struct vaccel_session *session, const char *library,
			 const char *fn_symbol, void *read, size_t nr_read,
			 void *write, size_t nr_write)
{
	struct vaccel_arg *read_args = read;
	struct vaccel_arg *write_args = write;
	char name[VACCEL_ENUM_STR_MAX];

	vaccel_debug("[upstream] session %" PRId64 ": %s from %s", session->id,
		     fn_symbol, library);

	if (nr_read < 1 || nr_write < 1 || read_args[0].size != sizeof(int) ||
	    write_args[0].size != sizeof(int))
		return VACCEL_EINVAL;

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		upstream_mode_name(modes[i], name, sizeof(name));
		if (strcmp(name, fn_symbol) != 0)
			continue;
		*(int *)write_args[0].buf =
			apply(modes[i], *(int *)read_args[0].buf);
		vaccel_info("[upstream] %s (%s)", name,
			    upstream_mode_to_str(modes[i]));
		return VACCEL_OK;
	}
	vaccel_error("[upstream] unknown mode %s", fn_symbol);
	return VACCEL_ENOTSUP;
}

static int upstream_noop(struct vaccel_session *session)
{
	vaccel_debug("[upstream] noop for session %" PRId64, session->id);
	return VACCEL_OK;
}

struct vaccel_op ops[] = {
	VACCEL_OP_INIT(ops[0], VACCEL_OP_NOOP, upstream_noop),
	VACCEL_OP_INIT(ops[1], VACCEL_OP_EXEC, upstream_exec),
};

static int init(void)
{
	return vaccel_plugin_register_ops(ops, sizeof(ops) / sizeof(ops[0]));
}

static int fini(void)
{
	return VACCEL_OK;
}

VACCEL_PLUGIN(.name = "upstream-style", .version = VACCEL_VERSION,
	      .vaccel_version = VACCEL_VERSION,
	      .type = VACCEL_PLUGIN_SOFTWARE | VACCEL_PLUGIN_GENERIC,
	      .init = init, .fini = fini)
