// SPDX-License-Identifier: Apache-2.0
/*
 * Sessions: one plugin bound for the session's lifetime, chosen at init by
 * the hint flags (see plugin_select()). Remote sessions go through a virtio
 * plugin's session hooks.
 */
#include "internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define SESSIONS_MAX 1024

static struct {
	pthread_mutex_t lock;
	struct vaccel_list_entry list;
	struct id_pool ids;
	bool up;
} sessions = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.list = LIST_ENTRY_INIT(sessions.list),
};

bool sessions_initialized(void)
{
	return sessions.up;
}

int sessions_bootstrap(void)
{
	int ret = id_pool_init(&sessions.ids, SESSIONS_MAX);
	if (ret)
		return ret;
	pthread_mutex_lock(&sessions.lock);
	list_init(&sessions.list);
	sessions.up = true;
	pthread_mutex_unlock(&sessions.lock);
	return VACCEL_OK;
}

int sessions_cleanup(void)
{
	if (!sessions.up)
		return VACCEL_OK;
	for (;;) {
		struct vaccel_session *sess = NULL;
		pthread_mutex_lock(&sessions.lock);
		if (!list_empty(&sessions.list))
			sess = container_of(sessions.list.next,
					    struct vaccel_session, entry);
		pthread_mutex_unlock(&sessions.lock);
		if (!sess)
			break;
		vaccel_warn("Releasing session %" PRId64
			    " left open by the program",
			    sess->id);
		vaccel_session_release(sess);
	}
	pthread_mutex_lock(&sessions.lock);
	sessions.up = false;
	pthread_mutex_unlock(&sessions.lock);
	id_pool_destroy(&sessions.ids);
	return VACCEL_OK;
}

/* Drop a registration directly (used when a plugin refuses to unregister, so
 * that a released session never stays linked to a resource). */
static void force_unlink(struct vaccel_session *sess,
			 struct vaccel_resource *res)
{
	pthread_mutex_lock(&res->sessions_lock);
	pthread_mutex_lock(&sess->resources_lock);
	for (int t = 0; t < VACCEL_RESOURCE_MAX; t++) {
		struct vaccel_list_entry *pos, *tmp;
		list_for_each_safe(pos, tmp, &sess->resources[t])
		{
			struct vaccel_registration *reg = container_of(
				pos, struct vaccel_registration, sess_entry);
			if (reg->res != res)
				continue;
			list_del(&reg->sess_entry);
			list_del(&reg->res_entry);
			if (sess->resource_counts[t] > 0)
				sess->resource_counts[t]--;
			atomic_fetch_sub(&res->refcount, 1);
			free(reg);
		}
	}
	pthread_mutex_unlock(&sess->resources_lock);
	pthread_mutex_unlock(&res->sessions_lock);
}

static struct vaccel_resource *first_resource(struct vaccel_session *sess)
{
	struct vaccel_resource *res = NULL;
	pthread_mutex_lock(&sess->resources_lock);
	for (int t = 0; t < VACCEL_RESOURCE_MAX && !res; t++) {
		if (!list_empty(&sess->resources[t]))
			res = container_of(sess->resources[t].next,
					   struct vaccel_registration,
					   sess_entry)
				      ->res;
	}
	pthread_mutex_unlock(&sess->resources_lock);
	return res;
}

int vaccel_session_init(struct vaccel_session *sess, uint32_t flags)
{
	int ret;

	if (!sess) {
		vaccel_error("vaccel_session_init: session is NULL");
		return VACCEL_EINVAL;
	}
	if (!sessions.up) {
		vaccel_error("Cannot create a session: vAccel is not "
			     "initialized (did bootstrap fail?)");
		return VACCEL_ESESS;
	}

	memset(sess, 0, sizeof(*sess));
	struct vaccel_plugin *plugin = plugin_select(flags);
	if (!plugin) {
		if (plugins_count() == 0)
			vaccel_error("Cannot create a session: no plugin is "
				     "loaded (set VACCEL_PLUGINS)");
		else
			vaccel_error("Cannot create a session: no loaded "
				     "plugin matches hint 0x%x",
				     flags);
		return VACCEL_ENOTSUP;
	}

	sess->id = id_pool_get(&sessions.ids);
	if (sess->id <= 0) {
		vaccel_error("Cannot create a session: all %d session ids "
			     "are in use",
			     SESSIONS_MAX);
		sess->id = 0;
		return VACCEL_EUSERS;
	}
	sess->hint = flags;
	sess->plugin = plugin;
	for (int t = 0; t < VACCEL_RESOURCE_MAX; t++)
		list_init(&sess->resources[t]);
	list_init(&sess->entry);
	pthread_mutex_init(&sess->resources_lock, NULL);

	bool remote = (flags & VACCEL_PLUGIN_REMOTE) || plugins_only_virtio();
	if (remote) {
		if (!plugin->info->is_virtio || !plugin->info->session_init) {
			vaccel_error("Cannot create a remote session: plugin "
				     "'%s' is not a virtio plugin with "
				     "session support",
				     plugin->info->name);
			ret = VACCEL_ENOTSUP;
			goto fail;
		}
		ret = plugin->info->session_init(
			sess, flags & ~(uint32_t)VACCEL_PLUGIN_REMOTE);
		if (ret) {
			vaccel_error("Plugin '%s' could not create a remote "
				     "session: error %d",
				     plugin->info->name, ret);
			goto fail;
		}
		if (sess->remote_id <= 0) {
			vaccel_error("Plugin '%s' created a remote session "
				     "without an id",
				     plugin->info->name);
			if (plugin->info->session_release)
				plugin->info->session_release(sess);
			ret = VACCEL_EBACKEND;
			goto fail;
		}
		sess->is_virtio = true;
	}

	ret = rundir_create_child("session", sess->id, sess->rundir,
				  sizeof(sess->rundir));
	if (ret) {
		if (remote && plugin->info->session_release)
			plugin->info->session_release(sess);
		goto fail;
	}

	pthread_mutex_lock(&sessions.lock);
	list_add_tail(&sessions.list, &sess->entry);
	pthread_mutex_unlock(&sessions.lock);

	vaccel_debug("session:%" PRId64 " New session (plugin %s%s)",
		     sess->id, plugin->info->name, remote ? ", remote" : "");
	return VACCEL_OK;

fail:
	pthread_mutex_destroy(&sess->resources_lock);
	id_pool_put(&sessions.ids, sess->id);
	sess->id = 0;
	sess->plugin = NULL;
	return ret;
}

int vaccel_session_new(struct vaccel_session **sess, uint32_t flags)
{
	if (!sess) {
		vaccel_error("vaccel_session_new: session is NULL");
		return VACCEL_EINVAL;
	}
	struct vaccel_session *s = calloc(1, sizeof(*s));
	if (!s)
		return VACCEL_ENOMEM;
	int ret = vaccel_session_init(s, flags);
	if (ret) {
		free(s);
		return ret;
	}
	*sess = s;
	return VACCEL_OK;
}

int vaccel_session_release(struct vaccel_session *sess)
{
	if (!sess || sess->id <= 0) {
		vaccel_error("vaccel_session_release: invalid session");
		return VACCEL_EINVAL;
	}

	struct vaccel_resource *res;
	while ((res = first_resource(sess)) != NULL) {
		if (vaccel_resource_unregister(res, sess) != VACCEL_OK) {
			vaccel_warn("session:%" PRId64
				    " dropping resource %" PRId64
				    " the plugin failed to unregister",
				    sess->id, res->id);
			force_unlink(sess, res);
		}
	}

	pthread_mutex_lock(&sessions.lock);
	list_del(&sess->entry);
	pthread_mutex_unlock(&sessions.lock);

	if (sess->rundir[0] != '\0' && fs_remove_tree(sess->rundir))
		vaccel_warn("session:%" PRId64 " could not remove %s",
			    sess->id, sess->rundir);

	if (sess->is_virtio && sess->plugin &&
	    sess->plugin->info->session_release) {
		int ret = sess->plugin->info->session_release(sess);
		if (ret)
			vaccel_warn("session:%" PRId64
				    " plugin could not release the remote "
				    "session: error %d",
				    sess->id, ret);
	}

	vaccel_debug("session:%" PRId64 " Released session", sess->id);
	pthread_mutex_destroy(&sess->resources_lock);
	id_pool_put(&sessions.ids, sess->id);
	sess->id = 0;
	sess->remote_id = 0;
	sess->plugin = NULL;
	sess->rundir[0] = '\0';
	return VACCEL_OK;
}

int vaccel_session_delete(struct vaccel_session *sess)
{
	int ret = vaccel_session_release(sess);
	if (ret)
		return ret;
	free(sess);
	return VACCEL_OK;
}

int vaccel_session_get_by_id(struct vaccel_session **sess, vaccel_id_t id)
{
	if (!sess || id <= 0) {
		vaccel_error("vaccel_session_get_by_id: invalid arguments");
		return VACCEL_EINVAL;
	}
	if (!sessions.up)
		return VACCEL_ESESS;
	int ret = VACCEL_ENOENT;
	struct vaccel_list_entry *pos, *tmp;
	pthread_mutex_lock(&sessions.lock);
	list_for_each_safe(pos, tmp, &sessions.list)
	{
		struct vaccel_session *s =
			container_of(pos, struct vaccel_session, entry);
		if (s->id == id) {
			*sess = s;
			ret = VACCEL_OK;
			break;
		}
	}
	pthread_mutex_unlock(&sessions.lock);
	return ret;
}

static bool valid_session(const struct vaccel_session *sess, const char *fn)
{
	if (!sess || sess->id <= 0) {
		vaccel_error("%s: invalid session", fn);
		return false;
	}
	return true;
}

bool vaccel_session_has_resource(struct vaccel_session *sess,
				 struct vaccel_resource *res)
{
	if (!valid_session(sess, __func__) || !res)
		return false;
	if ((unsigned)res->type >= VACCEL_RESOURCE_MAX)
		return false;
	bool found = false;
	struct vaccel_list_entry *pos, *tmp;
	pthread_mutex_lock(&sess->resources_lock);
	list_for_each_safe(pos, tmp, &sess->resources[res->type])
	{
		struct vaccel_registration *reg = container_of(
			pos, struct vaccel_registration, sess_entry);
		if (reg->res == res) {
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&sess->resources_lock);
	return found;
}

int vaccel_session_resource_by_id(struct vaccel_session *sess,
				  struct vaccel_resource **res, vaccel_id_t id)
{
	if (!valid_session(sess, __func__) || !res || id <= 0)
		return VACCEL_EINVAL;
	int ret = VACCEL_ENOENT;
	pthread_mutex_lock(&sess->resources_lock);
	for (int t = 0; t < VACCEL_RESOURCE_MAX && ret; t++) {
		struct vaccel_list_entry *pos, *tmp;
		list_for_each_safe(pos, tmp, &sess->resources[t])
		{
			struct vaccel_registration *reg = container_of(
				pos, struct vaccel_registration, sess_entry);
			if (reg->res->id == id) {
				*res = reg->res;
				ret = VACCEL_OK;
				break;
			}
		}
	}
	pthread_mutex_unlock(&sess->resources_lock);
	return ret;
}

int vaccel_session_resource_by_type(struct vaccel_session *sess,
				    struct vaccel_resource **res,
				    vaccel_resource_type_t type)
{
	if (!valid_session(sess, __func__) || !res ||
	    (unsigned)type >= VACCEL_RESOURCE_MAX)
		return VACCEL_EINVAL;
	int ret = VACCEL_ENOENT;
	pthread_mutex_lock(&sess->resources_lock);
	if (!list_empty(&sess->resources[type])) {
		*res = container_of(sess->resources[type].next,
				    struct vaccel_registration, sess_entry)
			       ->res;
		ret = VACCEL_OK;
	}
	pthread_mutex_unlock(&sess->resources_lock);
	return ret;
}

int vaccel_session_resources_by_type(struct vaccel_session *sess,
				     struct vaccel_resource ***resources,
				     size_t *nr_found,
				     vaccel_resource_type_t type)
{
	if (!valid_session(sess, __func__) || !resources || !nr_found ||
	    (unsigned)type >= VACCEL_RESOURCE_MAX)
		return VACCEL_EINVAL;
	*nr_found = 0;
	*resources = NULL;
	int ret = VACCEL_OK;
	pthread_mutex_lock(&sess->resources_lock);
	size_t n = sess->resource_counts[type];
	if (n == 0) {
		ret = VACCEL_ENOENT;
		goto out;
	}
	struct vaccel_resource **arr = calloc(n, sizeof(*arr));
	if (!arr) {
		ret = VACCEL_ENOMEM;
		goto out;
	}
	size_t i = 0;
	struct vaccel_list_entry *pos, *tmp;
	list_for_each_safe(pos, tmp, &sess->resources[type])
	{
		if (i == n)
			break;
		arr[i++] = container_of(pos, struct vaccel_registration,
					sess_entry)
				   ->res;
	}
	*resources = arr;
	*nr_found = i;
out:
	pthread_mutex_unlock(&sess->resources_lock);
	return ret;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

int vaccel_session_update(struct vaccel_session *sess, uint32_t flags)
{
	if (!valid_session(sess, __func__))
		return VACCEL_EINVAL;
	if (sess->is_virtio) {
		if (!sess->plugin->info->session_update) {
			vaccel_error("session:%" PRId64
				     " plugin has no session_update",
				     sess->id);
			return VACCEL_ENOTSUP;
		}
		int ret = sess->plugin->info->session_update(
			sess, flags & ~(uint32_t)VACCEL_PLUGIN_REMOTE);
		if (ret == VACCEL_OK)
			sess->hint = flags;
		return ret;
	}
	for (int t = 0; t < VACCEL_RESOURCE_MAX; t++) {
		if (sess->resource_counts[t]) {
			vaccel_error("session:%" PRId64
				     " cannot change plugin while resources "
				     "are registered",
				     sess->id);
			return VACCEL_ENOTSUP;
		}
	}
	struct vaccel_plugin *p = plugin_select(flags);
	if (!p || p->info->is_virtio) {
		vaccel_error("session:%" PRId64
			     " no local plugin matches hint 0x%x",
			     sess->id, flags);
		return VACCEL_ENOTSUP;
	}
	sess->plugin = p;
	sess->hint = flags;
	return VACCEL_OK;
}

int vaccel_sess_init(struct vaccel_session *sess, uint32_t flags)
{
	return vaccel_session_init(sess, flags);
}

int vaccel_sess_update(struct vaccel_session *sess, uint32_t flags)
{
	return vaccel_session_update(sess, flags);
}

int vaccel_sess_free(struct vaccel_session *sess)
{
	return vaccel_session_release(sess);
}

bool vaccel_sess_has_resource(struct vaccel_session *sess,
			      struct vaccel_resource *res)
{
	return vaccel_session_has_resource(sess, res);
}

#pragma GCC diagnostic pop
