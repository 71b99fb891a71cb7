// SPDX-License-Identifier: Apache-2.0
#ifndef VACCEL_PLUGIN_H
#define VACCEL_PLUGIN_H

#include "api.h"
#include "list.h"
#include "op.h"
#include "utils/enum.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VACCEL_PLUGIN_TYPE_ENUM_LIST(VACCEL_ENUM_ITEM)                         \
	VACCEL_ENUM_ITEM(CPU, 0x0001, VACCEL_PLUGIN)                           \
	VACCEL_ENUM_ITEM(GPU, 0x0002, VACCEL_PLUGIN)                           \
	VACCEL_ENUM_ITEM(FPGA, 0x0004, VACCEL_PLUGIN)                          \
	VACCEL_ENUM_ITEM(SOFTWARE, 0x0008, VACCEL_PLUGIN)                      \
	VACCEL_ENUM_ITEM(TENSORFLOW, 0x0010, VACCEL_PLUGIN)                    \
	VACCEL_ENUM_ITEM(TORCH, 0x0020, VACCEL_PLUGIN)                         \
	VACCEL_ENUM_ITEM(JETSON, 0x0040, VACCEL_PLUGIN)                        \
	VACCEL_ENUM_ITEM(GENERIC, 0x0080, VACCEL_PLUGIN)                       \
	VACCEL_ENUM_ITEM(DEBUG, 0x0100, VACCEL_PLUGIN)                         \
	VACCEL_ENUM_ITEM(REMOTE, 0x4000, VACCEL_PLUGIN)                        \
	VACCEL_ENUM_ITEM(ALL, 0xffff, VACCEL_PLUGIN)

VACCEL_ENUM_DEF_WITH_STR_FUNCS(vaccel_plugin_type, VACCEL_PLUGIN,
			       VACCEL_PLUGIN_TYPE_ENUM_LIST)

struct vaccel_session;
struct vaccel_resource;

struct vaccel_plugin_info {
	const char *name;
	const char *version;
	const char *vaccel_version;
	int (*init)(void);
	int (*fini)(void);
	bool is_virtio;
	vaccel_plugin_type_t type;
	/* optional hooks */
	int (*session_init)(struct vaccel_session *sess, uint32_t flags);
	int (*session_release)(struct vaccel_session *sess);
	int (*session_update)(struct vaccel_session *sess, uint32_t flags);
	int (*resource_register)(struct vaccel_resource *res,
				 struct vaccel_session *sess);
	int (*resource_unregister)(struct vaccel_resource *res,
				   struct vaccel_session *sess);
	int (*resource_sync)(struct vaccel_resource *res,
			     struct vaccel_session *sess);
};

struct vaccel_plugin {
	void *dl_handle;
	struct vaccel_list_entry entry;
	struct vaccel_op *ops[VACCEL_OP_MAX];
	struct vaccel_plugin_info *info;
};

/*
 * Register the operations a plugin implements; call from the plugin's init().
 * Each entry is stored in its own owner's table (VACCEL_EINVAL for an empty
 * list, a NULL function or owner, or an op type out of range).
 */
VACCEL_API int vaccel_plugin_register_ops(struct vaccel_op *ops, size_t nr_ops);

static inline int vaccel_plugin_register_op(struct vaccel_op *op)
{
	return vaccel_plugin_register_ops(op, 1);
}

/* Load one plugin (file name or path) / a colon-separated list of them. */
VACCEL_API int vaccel_plugin_load(const char *lib);
VACCEL_API int vaccel_plugin_parse_and_load(const char *lib_str);

/* Introspection (virtio-accel extension): loaded plugins in load order. */
VACCEL_API size_t vaccel_plugin_count(void);
VACCEL_API const struct vaccel_plugin *vaccel_plugin_get(size_t index);

VACCEL_DEPRECATED("Use vaccel_plugin_register_op() instead")
static inline int register_plugin_function(struct vaccel_op *plugin_op)
{
	return vaccel_plugin_register_ops(plugin_op, 1);
}

VACCEL_DEPRECATED("Use vaccel_plugin_register_ops() instead")
static inline int register_plugin_functions(struct vaccel_op *plugin_ops,
					    size_t nr_ops)
{
	return vaccel_plugin_register_ops(plugin_ops, nr_ops);
}

/*
 * An extra `;` after VACCEL_PLUGIN(...) is an empty declaration at file scope,
 * which ISO C (not C++11) forbids: GCC reports it under -Wpedantic, clang
 * under -Wextra-semi. The expansion already ends with its own `;` (as
 * upstream's does), and then turns that one warning off for the rest of the
 * file, so that both `VACCEL_PLUGIN(...)` and `VACCEL_PLUGIN(...);` compile
 * cleanly. With GCC in C this silences all -Wpedantic warnings after the
 * macro: keep it last in the file, as plugins usually do.
 */
#if defined(__clang__)
#define VACCEL_PLUGIN_EXTRA_SEMI_OK_                                           \
	_Pragma("clang diagnostic ignored \"-Wextra-semi\"")
#elif defined(__GNUC__) && !defined(__cplusplus)
#define VACCEL_PLUGIN_EXTRA_SEMI_OK_                                           \
	_Pragma("GCC diagnostic ignored \"-Wpedantic\"")
#else
#define VACCEL_PLUGIN_EXTRA_SEMI_OK_
#endif

/*
 * Define a plugin: VACCEL_PLUGIN(.name = "x", .version = "1.0",
 *   .vaccel_version = VACCEL_VERSION, .type = VACCEL_PLUGIN_CPU,
 *   .init = my_init, .fini = my_fini)
 * (a trailing `;` is optional, see above). Exports the single symbol
 * `vaccel_plugin` that the loader looks up.
 */
#define VACCEL_PLUGIN(...)                                                     \
	static struct vaccel_plugin_info vaccel_plugin_info_ = {__VA_ARGS__};  \
	__attribute__((visibility("hidden"))) struct vaccel_plugin             \
		vaccel_this_plugin = {                                         \
			.dl_handle = NULL,                                     \
			.entry = LIST_ENTRY_INIT(vaccel_this_plugin.entry),    \
			.ops = {0},                                            \
			.info = &vaccel_plugin_info_,                          \
	};                                                                     \
	__attribute__((visibility("default"))) const struct vaccel_plugin      \
		*vaccel_plugin = &vaccel_this_plugin;                          \
	VACCEL_PLUGIN_EXTRA_SEMI_OK_

#define VACCEL_MODULE(...)                                                     \
	_Pragma("GCC warning \"VACCEL_MODULE is deprecated; use VACCEL_PLUGIN\"") \
		VACCEL_PLUGIN(__VA_ARGS__)

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_PLUGIN_H */
