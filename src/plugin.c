// SPDX-License-Identifier: Apache-2.0
/*
 * Plugin loading, registration and selection.
 *
 * Loading is serialised by load_lock (dlopen + init run one at a time, so
 * concurrent loads from several threads are safe); the list of loaded plugins
 * is guarded by plugins.lock. A plugin is linked into the list only after its
 * init() succeeded, so sessions never bind a half-initialised plugin.
 */
#include "internal.h"

#include <dlfcn.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	pthread_mutex_t lock;
	struct vaccel_list_entry list;
	size_t count;
	bool up;
} plugins = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.list = LIST_ENTRY_INIT(plugins.list),
};

bool plugins_initialized(void)
{
	return plugins.up;
}

int plugins_bootstrap(void)
{
	pthread_mutex_lock(&plugins.lock);
	list_init(&plugins.list);
	plugins.count = 0;
	plugins.up = true;
	pthread_mutex_unlock(&plugins.lock);
	return VACCEL_OK;
}

static struct vaccel_plugin *entry_plugin(struct vaccel_list_entry *e)
{
	return container_of(e, struct vaccel_plugin, entry);
}

static void unload(struct vaccel_plugin *p)
{
	const char *name = p->info->name;
	void *handle = p->dl_handle;
	vaccel_debug("Unloading plugin %s", name);
	if (p->info->fini)
		p->info->fini();
	memset(p->ops, 0, sizeof(p->ops));
	p->dl_handle = NULL;
	if (handle)
		dlclose(handle);
}

int plugins_cleanup(void)
{
	pthread_mutex_lock(&load_lock);
	for (;;) {
		struct vaccel_plugin *p = NULL;
		pthread_mutex_lock(&plugins.lock);
		if (!list_empty(&plugins.list)) {
			/* unload in reverse load order */
			p = entry_plugin(plugins.list.prev);
			list_del(&p->entry);
			plugins.count--;
		}
		pthread_mutex_unlock(&plugins.lock);
		if (!p)
			break;
		unload(p);
	}
	pthread_mutex_lock(&plugins.lock);
	plugins.up = false;
	pthread_mutex_unlock(&plugins.lock);
	pthread_mutex_unlock(&load_lock);
	return VACCEL_OK;
}

int vaccel_plugin_register_ops(struct vaccel_op *ops, size_t nr_ops)
{
	if (!ops || nr_ops == 0 || nr_ops > VACCEL_OP_MAX) {
		vaccel_error("Plugin op registration: invalid list (%zu ops)",
			     nr_ops);
		return VACCEL_EINVAL;
	}
	for (size_t i = 0; i < nr_ops; i++) {
		if ((unsigned)ops[i].type >= VACCEL_OP_MAX || !ops[i].func ||
		    !ops[i].owner) {
			vaccel_error("Plugin op registration: entry %zu is "
				     "invalid (type %d, func %p, owner %p)",
				     i, (int)ops[i].type, ops[i].func,
				     (void *)ops[i].owner);
			return VACCEL_EINVAL;
		}
	}
	for (size_t i = 0; i < nr_ops; i++)
		ops[i].owner->ops[ops[i].type] = &ops[i];
	return VACCEL_OK;
}

/* Parse "X.Y.Z[extra]" or "vX.Y.Z[extra]". */
static bool parse_version(const char *s, unsigned *maj, unsigned *min,
			  unsigned *pat, const char **extra)
{
	if (!s)
		return false;
	if (*s == 'v')
		s++;
	int n = 0;
	if (sscanf(s, "%u.%u.%u%n", maj, min, pat, &n) != 3)
		return false;
	*extra = s + n;
	return true;
}

static int check_version(const struct vaccel_plugin_info *info)
{
	unsigned pm, pn, pp, lm, ln, lp;
	const char *pe, *le;
	if (!parse_version(info->vaccel_version, &pm, &pn, &pp, &pe)) {
		vaccel_error("Plugin %s: invalid vaccel_version \"%s\"",
			     info->name,
			     info->vaccel_version ? info->vaccel_version
						  : "(null)");
		return VACCEL_EINVAL;
	}
	if (!parse_version(VACCEL_VERSION, &lm, &ln, &lp, &le))
		return VACCEL_EINVAL;
	if (pm != lm) {
		vaccel_error("Plugin %s was built for vAccel %s, which is "
			     "incompatible with %s (set "
			     "VACCEL_VERSION_IGNORE=1 to load anyway)",
			     info->name, info->vaccel_version, VACCEL_VERSION);
		return VACCEL_EINVAL;
	}
	if (pn != ln || pp != lp || strcmp(pe, le) != 0)
		vaccel_warn("Plugin %s was built for vAccel %s; runtime is %s",
			    info->name, info->vaccel_version, VACCEL_VERSION);
	return VACCEL_OK;
}

static bool is_loaded(const struct vaccel_plugin *p)
{
	struct vaccel_list_entry *pos, *tmp;
	list_for_each_safe(pos, tmp, &plugins.list)
	{
		if (entry_plugin(pos) == p)
			return true;
	}
	return false;
}

static int load_locked(const char *lib)
{
	if (!plugins.up) {
		vaccel_error("Cannot load plugin %s: vAccel is not initialized",
			     lib);
		return VACCEL_EBACKEND;
	}

	void *handle = dlopen(lib, RTLD_LAZY | RTLD_LOCAL);
	if (!handle) {
		vaccel_error("Could not load plugin %s: %s", lib, dlerror());
		return VACCEL_ENOENT;
	}
	void *sym = dlsym(handle, "vaccel_plugin");
	if (!sym || !*(struct vaccel_plugin *const *)sym) {
		vaccel_error("%s is not a vAccel plugin: no vaccel_plugin "
			     "symbol",
			     lib);
		dlclose(handle);
		return VACCEL_ELIBBAD;
	}
	struct vaccel_plugin *p = *(struct vaccel_plugin *const *)sym;
	struct vaccel_plugin_info *info = p->info;

	pthread_mutex_lock(&plugins.lock);
	bool dup = is_loaded(p);
	pthread_mutex_unlock(&plugins.lock);
	if (dup) {
		vaccel_error("Plugin %s is already loaded", lib);
		dlclose(handle);
		return VACCEL_EEXIST;
	}
	if (!info || !info->name || !info->version || !info->init ||
	    !info->fini) {
		vaccel_error("Plugin %s is missing its name, version, init or "
			     "fini",
			     lib);
		dlclose(handle);
		return VACCEL_EINVAL;
	}
	const struct vaccel_config *cfg = config_active();
	if (!cfg->version_ignore) {
		int ret = check_version(info);
		if (ret) {
			dlclose(handle);
			return ret;
		}
	}

	p->dl_handle = handle;
	memset(p->ops, 0, sizeof(p->ops));
	int ret = info->init();
	if (ret) {
		vaccel_error("Plugin %s failed to initialize: error %d",
			     info->name, ret);
		info->fini();
		memset(p->ops, 0, sizeof(p->ops));
		p->dl_handle = NULL;
		dlclose(handle);
		return ret;
	}

	pthread_mutex_lock(&plugins.lock);
	list_add_tail(&plugins.list, &p->entry);
	plugins.count++;
	pthread_mutex_unlock(&plugins.lock);
	vaccel_debug("Loaded plugin %s %s from %s", info->name, info->version,
		     lib);
	return VACCEL_OK;
}

int vaccel_plugin_load(const char *lib)
{
	if (!lib || lib[0] == '\0') {
		vaccel_error("vaccel_plugin_load: no plugin name given");
		return VACCEL_EINVAL;
	}
	pthread_mutex_lock(&load_lock);
	int ret = load_locked(lib);
	pthread_mutex_unlock(&load_lock);
	return ret;
}

int vaccel_plugin_parse_and_load(const char *lib_str)
{
	if (!lib_str) {
		vaccel_error("vaccel_plugin_parse_and_load: no plugin list");
		return VACCEL_EINVAL;
	}
	char *copy = strdup(lib_str);
	if (!copy)
		return VACCEL_ENOMEM;
	int ret = VACCEL_OK;
	char *cur = copy;
	while (cur && ret == VACCEL_OK) {
		char *next = strchr(cur, ':');
		if (next)
			*next++ = '\0';
		if (*cur != '\0')
			ret = vaccel_plugin_load(cur);
		cur = next;
	}
	free(copy);
	return ret;
}

size_t plugins_count(void)
{
	pthread_mutex_lock(&plugins.lock);
	size_t n = plugins.count;
	pthread_mutex_unlock(&plugins.lock);
	return n;
}

bool plugins_only_virtio(void)
{
	pthread_mutex_lock(&plugins.lock);
	bool r = plugins.count == 1 &&
		 entry_plugin(plugins.list.next)->info->is_virtio;
	pthread_mutex_unlock(&plugins.lock);
	return r;
}

struct vaccel_plugin *plugin_select(uint32_t hint)
{
	struct vaccel_plugin *found = NULL;
	struct vaccel_list_entry *pos, *tmp;

	pthread_mutex_lock(&plugins.lock);
	if (hint & VACCEL_PLUGIN_REMOTE) {
		list_for_each_safe(pos, tmp, &plugins.list)
		{
			if (entry_plugin(pos)->info->is_virtio) {
				found = entry_plugin(pos);
				break;
			}
		}
		goto out;
	}
	uint32_t h = hint & ~(uint32_t)VACCEL_PLUGIN_REMOTE;
	if (h) {
		list_for_each_safe(pos, tmp, &plugins.list)
		{
			if ((uint32_t)entry_plugin(pos)->info->type & h) {
				found = entry_plugin(pos);
				goto out;
			}
		}
	}
	list_for_each_safe(pos, tmp, &plugins.list)
	{
		if (!entry_plugin(pos)->info->is_virtio) {
			found = entry_plugin(pos);
			goto out;
		}
	}
	if (plugins.count == 1)
		found = entry_plugin(plugins.list.next);
out:
	pthread_mutex_unlock(&plugins.lock);
	return found;
}

size_t vaccel_plugin_count(void)
{
	return plugins_count();
}

const struct vaccel_plugin *vaccel_plugin_get(size_t index)
{
	const struct vaccel_plugin *found = NULL;
	struct vaccel_list_entry *pos, *tmp;
	size_t i = 0;
	pthread_mutex_lock(&plugins.lock);
	list_for_each_safe(pos, tmp, &plugins.list)
	{
		if (i++ == index) {
			found = entry_plugin(pos);
			break;
		}
	}
	pthread_mutex_unlock(&plugins.lock);
	return found;
}

int op_unsupported(const struct vaccel_session *sess, vaccel_op_type_t type)
{
	char name[VACCEL_ENUM_STR_MAX];
	const struct vaccel_plugin *p = sess->plugin;

	vaccel_error("session %" PRId64 ": plugin '%s' does not implement op %s",
		     sess->id,
		     p && p->info && p->info->name ? p->info->name : "(none)",
		     vaccel_op_type_name(type, name, sizeof(name)));
	return VACCEL_ENOTSUP;
}
