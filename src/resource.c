// SPDX-License-Identifier: Apache-2.0
/*
 * Resources: files, directories, URLs or buffers that sessions use (models,
 * libraries, data), registrable with many sessions at once.
 *
 * Locking:
 *  - resources.lock guards the global list (creation order) and is never
 *    held while taking another lock.
 *  - res->sessions_lock guards res->sessions, the blobs' materialisation and
 *    the plugin resource hooks of that resource (registration, duplicate
 *    check and linking are atomic per resource). It is taken before
 *    sess->resources_lock (see internal.h).
 *  - refcount is atomic and only changed with res->sessions_lock held.
 *  - Plugin hooks (resource_register/unregister/sync) run with
 *    res->sessions_lock held: they may read the resource and its blobs but
 *    must not register, unregister, sync or release that same resource.
 *
 * Materialisation happens at registration, per session kind:
 *  - local session: path resources get FILE blobs referencing the user's
 *    files (nothing read); URLs need a download, which this build cannot do
 *    (no libcurl): VACCEL_ENOTSUP.
 *  - remote session (sess->is_virtio): every blob must be in memory so a
 *    transport can ship bytes, so FILE blobs are read (mapped, MAPPED); URLs
 *    are forwarded untouched for the host to download.
 *  - a directory becomes one blob per regular file, recursively; blob names
 *    are the files' base names (flattened; the host resolves clashes).
 * Blobs are created once and shared by all the resource's registrations; a
 * resource first registered locally and then remotely ends up MAPPED, which
 * still carries the path local plugins use.
 */
#include "resource_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RESOURCE_ID_MAX	    2048
#define RESOURCE_DIR_PREFIX "resource"

static struct {
	pthread_mutex_t lock; /* guards list, ids, and initialized changes */
	struct vaccel_list_entry list;
	struct id_pool ids;
	atomic_bool initialized;
} resources = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.list = LIST_ENTRY_INIT(resources.list),
};

bool resources_initialized(void)
{
	return atomic_load(&resources.initialized);
}

static bool type_valid(vaccel_resource_type_t type)
{
	return (int)type >= 0 && type < VACCEL_RESOURCE_MAX;
}

static int check_initialized(const char *what)
{
	if (!resources_initialized()) {
		vaccel_error("Cannot %s: resources are not bootstrapped (call "
			     "vaccel_bootstrap())",
			     what);
		return VACCEL_EPERM;
	}
	return VACCEL_OK;
}

/* ---- construction helpers ------------------------------------------------ */

/* Fields every init starts from (caller storage may hold garbage). */
static void resource_reset(struct vaccel_resource *res)
{
	res->id = 0;
	res->remote_id = 0;
	res->type = VACCEL_RESOURCE_MAX;
	res->path_type = VACCEL_PATH_LOCAL_FILE;
	res->paths = NULL;
	res->nr_paths = 0;
	res->rundir = NULL;
	res->blobs = NULL;
	res->nr_blobs = 0;
	list_init(&res->entry);
	list_init(&res->sessions);
	atomic_init(&res->refcount, 0);
	res->plugin_priv = NULL;
}

static void paths_free(char **paths, size_t nr)
{
	if (!paths)
		return;
	for (size_t i = 0; i < nr; i++)
		free(paths[i]);
	free(paths);
}

static void blobs_free(struct vaccel_blob **blobs, size_t nr)
{
	if (!blobs)
		return;
	for (size_t i = 0; i < nr; i++)
		if (blobs[i])
			vaccel_blob_delete(blobs[i]);
	free(blobs);
}

static int array_alloc(void **out, size_t nr, size_t elem, const char *what)
{
	void *p;

	if (nr == 0) {
		*out = NULL;
		return VACCEL_OK;
	}
	if (nr > SIZE_MAX / elem) {
		vaccel_error("Too many %s (%zu)", what, nr);
		return VACCEL_ENOMEM;
	}
	p = calloc(nr, elem);
	if (!p) {
		vaccel_error("Could not allocate memory for %zu %s", nr, what);
		return VACCEL_ENOMEM;
	}
	*out = p;
	return VACCEL_OK;
}

/*
 * Every init reserves an id first (buffers persisted into resource.<id>/
 * need it), builds the resource, then activates it (lock, global list);
 * resource_abort() undoes a partial build.
 */
static int resource_reserve_id(struct vaccel_resource *res)
{
	vaccel_id_t id;

	pthread_mutex_lock(&resources.lock);
	if (!resources_initialized()) {
		pthread_mutex_unlock(&resources.lock);
		vaccel_error("Cannot create resource: resources are not "
			     "bootstrapped");
		return VACCEL_EPERM;
	}
	id = id_pool_get(&resources.ids);
	pthread_mutex_unlock(&resources.lock);
	if (id <= 0) {
		vaccel_error("Cannot create resource: all %d resource ids are "
			     "in use",
			     RESOURCE_ID_MAX);
		return VACCEL_EUSERS;
	}
	res->id = id;
	return VACCEL_OK;
}

static void resource_unreserve_id(struct vaccel_resource *res)
{
	pthread_mutex_lock(&resources.lock);
	if (resources_initialized() && res->id > 0)
		id_pool_put(&resources.ids, res->id);
	pthread_mutex_unlock(&resources.lock);
	res->id = 0;
}

static int resource_activate_reserved(struct vaccel_resource *res,
				      vaccel_resource_type_t type)
{
	int ret;

	ret = pthread_mutex_init(&res->sessions_lock, NULL);
	if (ret) {
		vaccel_error("Could not initialise resource lock: %s",
			     strerror(ret));
		return VACCEL_ENOMEM;
	}
	pthread_mutex_lock(&resources.lock);
	if (!resources_initialized()) {
		pthread_mutex_unlock(&resources.lock);
		pthread_mutex_destroy(&res->sessions_lock);
		vaccel_error("Cannot create resource: resources were cleaned "
			     "up meanwhile");
		return VACCEL_EPERM;
	}
	res->type = type;
	list_add_tail(&resources.list, &res->entry);
	pthread_mutex_unlock(&resources.lock);

	vaccel_debug("Created resource %" PRId64 " (%s, %zu blob(s))", res->id,
		     vaccel_resource_type_to_str(type), res->nr_blobs);
	return VACCEL_OK;
}

/* Create <rundir>/resource.<id>/ once and record it in res->rundir. */
static int resource_ensure_rundir(struct vaccel_resource *res)
{
	char *dir;
	int ret;

	if (res->rundir)
		return VACCEL_OK;
	dir = malloc(PATH_MAX);
	if (!dir) {
		vaccel_error("Could not allocate memory for a resource rundir");
		return VACCEL_ENOMEM;
	}
	ret = rundir_create_child(RESOURCE_DIR_PREFIX, res->id, dir, PATH_MAX);
	if (ret) {
		vaccel_error("Could not create the rundir of resource %" PRId64
			     ": %d",
			     res->id, ret);
		free(dir);
		return ret;
	}
	res->rundir = strdup(dir);
	free(dir);
	if (!res->rundir) {
		vaccel_error("Could not allocate memory for a resource rundir");
		/* the (empty) directory is removed with the run directory */
		return VACCEL_ENOMEM;
	}
	return VACCEL_OK;
}

static void resource_remove_rundir(struct vaccel_resource *res)
{
	if (!res->rundir)
		return;
	if (fs_remove_tree(res->rundir) != 0)
		vaccel_warn("Could not remove resource rundir '%s'",
			    res->rundir);
	free(res->rundir);
	res->rundir = NULL;
}

/* ---- init ---------------------------------------------------------------- */

int vaccel_resource_init_multi(struct vaccel_resource *res, const char **paths,
			       size_t nr_paths, vaccel_resource_type_t type)
{
	vaccel_path_type_t path_type = VACCEL_PATH_LOCAL_FILE;
	char **copies = NULL;
	int ret;

	if (!res || !paths || nr_paths == 0) {
		vaccel_error("Invalid resource arguments (res=%p paths=%p "
			     "nr_paths=%zu)",
			     (void *)res, (const void *)paths, nr_paths);
		return VACCEL_EINVAL;
	}
	if (!type_valid(type)) {
		vaccel_error("Invalid resource type %d", (int)type);
		return VACCEL_EINVAL;
	}
	ret = check_initialized("create resource");
	if (ret)
		return ret;

	for (size_t i = 0; i < nr_paths; i++) {
		vaccel_path_type_t t;

		if (!paths[i]) {
			vaccel_error("Invalid resource path %zu (NULL)", i);
			return VACCEL_EINVAL;
		}
		ret = path_classify(paths[i], &t);
		if (ret)
			return ret;
		if (i == 0) {
			path_type = t;
		} else if (t != path_type) {
			vaccel_error("Resource paths must all be of one type: "
				     "'%s' is %s, '%s' is %s",
				     paths[0],
				     vaccel_path_type_to_str(path_type),
				     paths[i], vaccel_path_type_to_str(t));
			return VACCEL_EINVAL;
		}
	}
	if (path_type == VACCEL_PATH_LOCAL_DIR && nr_paths > 1) {
		vaccel_error(
			"A directory resource takes a single path (got %zu)",
			nr_paths);
		return VACCEL_ENOTSUP;
	}

	ret = array_alloc((void **)&copies, nr_paths, sizeof(*copies),
			  "resource paths");
	if (ret)
		return ret;
	for (size_t i = 0; i < nr_paths; i++) {
		copies[i] = strdup(paths[i]);
		if (!copies[i]) {
			vaccel_error("Could not allocate memory for a resource "
				     "path");
			paths_free(copies, nr_paths);
			return VACCEL_ENOMEM;
		}
	}

	resource_reset(res);
	res->path_type = path_type;
	res->paths = copies;
	res->nr_paths = nr_paths;
	ret = resource_reserve_id(res);
	if (!ret)
		ret = resource_activate_reserved(res, type);
	if (ret) {
		paths_free(copies, nr_paths);
		resource_unreserve_id(res);
		resource_reset(res);
		return ret;
	}
	return VACCEL_OK;
}

int vaccel_resource_init(struct vaccel_resource *res, const char *path,
			 vaccel_resource_type_t type)
{
	if (!path) {
		vaccel_error("Invalid resource path (NULL)");
		return VACCEL_EINVAL;
	}
	return vaccel_resource_init_multi(res, &path, 1, type);
}

/* paths[] = the paths of the resource's blobs that have one. */
static int resource_paths_from_blobs(struct vaccel_resource *res)
{
	size_t n = 0, k = 0;
	int ret;

	for (size_t i = 0; i < res->nr_blobs; i++)
		if (res->blobs[i]->path)
			n++;
	ret = array_alloc((void **)&res->paths, n, sizeof(*res->paths),
			  "resource paths");
	if (ret)
		return ret;
	for (size_t i = 0; i < res->nr_blobs; i++) {
		if (!res->blobs[i]->path)
			continue;
		res->paths[k] = strdup(res->blobs[i]->path);
		if (!res->paths[k]) {
			vaccel_error("Could not allocate memory for a resource "
				     "path");
			paths_free(res->paths, k);
			res->paths = NULL;
			return VACCEL_ENOMEM;
		}
		k++;
	}
	res->nr_paths = n;
	return VACCEL_OK;
}

/* Undo a partially built buffer/blob resource (id reserved, not listed). */
static void resource_abort(struct vaccel_resource *res)
{
	blobs_free(res->blobs, res->nr_blobs);
	paths_free(res->paths, res->nr_paths);
	resource_remove_rundir(res);
	resource_unreserve_id(res);
	resource_reset(res);
}

int vaccel_resource_init_from_buf(struct vaccel_resource *res, const void *buf,
				  size_t nr_bytes, vaccel_resource_type_t type,
				  const char *filename, bool mem_only)
{
	int ret;

	if (!res || !buf || nr_bytes == 0) {
		vaccel_error("Invalid resource buffer arguments (res=%p buf=%p "
			     "nr_bytes=%zu)",
			     (void *)res, buf, nr_bytes);
		return VACCEL_EINVAL;
	}
	if (!type_valid(type)) {
		vaccel_error("Invalid resource type %d", (int)type);
		return VACCEL_EINVAL;
	}
	if (filename && !path_filename_valid(filename)) {
		vaccel_error("Invalid resource file name '%s'", filename);
		return VACCEL_EINVAL;
	}
	ret = check_initialized("create resource");
	if (ret)
		return ret;

	resource_reset(res);
	ret = array_alloc((void **)&res->blobs, 1, sizeof(*res->blobs),
			  "resource blobs");
	if (ret)
		return ret;
	ret = resource_reserve_id(res);
	if (ret)
		goto fail;

	if (mem_only) {
		/* BUFFER blob borrowing the caller's bytes: no copy, no file */
		ret = vaccel_blob_from_buf(&res->blobs[0], buf, nr_bytes, false,
					   filename, NULL, false);
		if (ret)
			goto fail;
		res->nr_blobs = 1;
	} else {
		ret = resource_ensure_rundir(res);
		if (ret)
			goto fail;
		ret = vaccel_blob_from_buf(&res->blobs[0], buf, nr_bytes, false,
					   filename, res->rundir,
					   filename == NULL);
		if (ret)
			goto fail;
		res->nr_blobs = 1;
		ret = resource_paths_from_blobs(res);
		if (ret)
			goto fail;
	}
	res->path_type = VACCEL_PATH_LOCAL_FILE;

	ret = resource_activate_reserved(res, type);
	if (ret)
		goto fail;
	return VACCEL_OK;

fail:
	resource_abort(res);
	return ret;
}

/* Copy one validated blob into the resource, per its type. */
static int resource_copy_blob(struct vaccel_resource *res,
			      const struct vaccel_blob *src,
			      struct vaccel_blob **out)
{
	struct vaccel_blob *b;
	char *name;
	int ret;

	switch (src->type) {
	case VACCEL_BLOB_FILE:
		/* recreated by path; keeps the caller's name */
		ret = vaccel_blob_new(&b, src->path);
		if (ret)
			return ret;
		if (strcmp(b->name, src->name) != 0) {
			name = strdup(src->name);
			if (!name) {
				vaccel_error("Could not allocate memory for a "
					     "blob name");
				vaccel_blob_delete(b);
				return VACCEL_ENOMEM;
			}
			free(b->name);
			b->name = name;
		}
		break;
	case VACCEL_BLOB_BUFFER:
		/*
		 * In memory, borrowing the source blob's bytes like
		 * init_from_buf(mem_only): they must outlive the resource.
		 */
		ret = vaccel_blob_from_buf(&b, src->data, src->size, false,
					   src->name, NULL, false);
		if (ret)
			return ret;
		break;
	case VACCEL_BLOB_MAPPED:
		ret = resource_ensure_rundir(res);
		if (ret)
			return ret;
		b = malloc(sizeof(*b));
		if (!b) {
			vaccel_error("Could not allocate memory for a blob");
			return VACCEL_ENOMEM;
		}
		ret = blob_persist_bytes(b, src->data, src->size, res->rundir,
					 src->name, false);
		if (ret) {
			free(b);
			return ret;
		}
		break;
	default:
		vaccel_error("Invalid blob type %d", (int)src->type);
		return VACCEL_EINVAL;
	}
	*out = b;
	return VACCEL_OK;
}

int vaccel_resource_init_from_blobs(struct vaccel_resource *res,
				    const struct vaccel_blob **blobs,
				    size_t nr_blobs,
				    vaccel_resource_type_t type)
{
	int ret;

	if (!res || !blobs || nr_blobs == 0) {
		vaccel_error("Invalid resource blob arguments (res=%p blobs=%p "
			     "nr_blobs=%zu)",
			     (void *)res, (const void *)blobs, nr_blobs);
		return VACCEL_EINVAL;
	}
	if (!type_valid(type)) {
		vaccel_error("Invalid resource type %d", (int)type);
		return VACCEL_EINVAL;
	}
	for (size_t i = 0; i < nr_blobs; i++) {
		if (!vaccel_blob_valid(blobs[i])) {
			vaccel_error("Invalid blob %zu for resource", i);
			return VACCEL_EINVAL;
		}
		if (blobs[i]->type == VACCEL_BLOB_MAPPED &&
		    !path_filename_valid(blobs[i]->name)) {
			vaccel_error("Invalid name '%s' of blob %zu",
				     blobs[i]->name, i);
			return VACCEL_EINVAL;
		}
	}
	ret = check_initialized("create resource");
	if (ret)
		return ret;

	resource_reset(res);
	ret = array_alloc((void **)&res->blobs, nr_blobs, sizeof(*res->blobs),
			  "resource blobs");
	if (ret)
		return ret;
	ret = resource_reserve_id(res);
	if (ret)
		goto fail;

	for (size_t i = 0; i < nr_blobs; i++) {
		ret = resource_copy_blob(res, blobs[i], &res->blobs[i]);
		if (ret)
			goto fail;
		res->nr_blobs = i + 1;
	}
	ret = resource_paths_from_blobs(res);
	if (ret)
		goto fail;
	res->path_type = VACCEL_PATH_LOCAL_FILE;

	ret = resource_activate_reserved(res, type);
	if (ret)
		goto fail;
	return VACCEL_OK;

fail:
	resource_abort(res);
	return ret;
}

/* ---- heap twins ---------------------------------------------------------- */

static int resource_alloc(struct vaccel_resource **res,
			  struct vaccel_resource **out)
{
	if (!res) {
		vaccel_error("Invalid resource pointer (NULL)");
		return VACCEL_EINVAL;
	}
	*out = malloc(sizeof(**out));
	if (!*out) {
		vaccel_error("Could not allocate memory for a resource");
		return VACCEL_ENOMEM;
	}
	return VACCEL_OK;
}

int vaccel_resource_new(struct vaccel_resource **res, const char *path,
			vaccel_resource_type_t type)
{
	struct vaccel_resource *r;
	int ret = resource_alloc(res, &r);

	if (ret)
		return ret;
	ret = vaccel_resource_init(r, path, type);
	if (ret) {
		free(r);
		return ret;
	}
	*res = r;
	return VACCEL_OK;
}

int vaccel_resource_multi_new(struct vaccel_resource **res, const char **paths,
			      size_t nr_paths, vaccel_resource_type_t type)
{
	struct vaccel_resource *r;
	int ret = resource_alloc(res, &r);

	if (ret)
		return ret;
	ret = vaccel_resource_init_multi(r, paths, nr_paths, type);
	if (ret) {
		free(r);
		return ret;
	}
	*res = r;
	return VACCEL_OK;
}

int vaccel_resource_from_buf(struct vaccel_resource **res, const void *buf,
			     size_t nr_bytes, vaccel_resource_type_t type,
			     const char *filename, bool mem_only)
{
	struct vaccel_resource *r;
	int ret = resource_alloc(res, &r);

	if (ret)
		return ret;
	ret = vaccel_resource_init_from_buf(r, buf, nr_bytes, type, filename,
					    mem_only);
	if (ret) {
		free(r);
		return ret;
	}
	*res = r;
	return VACCEL_OK;
}

int vaccel_resource_from_blobs(struct vaccel_resource **res,
			       const struct vaccel_blob **blobs,
			       size_t nr_blobs, vaccel_resource_type_t type)
{
	struct vaccel_resource *r;
	int ret = resource_alloc(res, &r);

	if (ret)
		return ret;
	ret = vaccel_resource_init_from_blobs(r, blobs, nr_blobs, type);
	if (ret) {
		free(r);
		return ret;
	}
	*res = r;
	return VACCEL_OK;
}

/* ---- registration -------------------------------------------------------- */

/* Positive vAccel code for a plugin hook's failure. */
static int hook_error(int ret)
{
	return ret > 0 ? ret : VACCEL_EBACKEND;
}

static const char *plugin_name(const struct vaccel_session *sess)
{
	if (sess->plugin && sess->plugin->info && sess->plugin->info->name)
		return sess->plugin->info->name;
	return "?";
}

static const struct vaccel_plugin_info *
session_plugin_info(const struct vaccel_session *sess)
{
	return sess->plugin ? sess->plugin->info : NULL;
}

/* res->sessions_lock held */
static struct vaccel_registration *
registration_find(struct vaccel_resource *res, struct vaccel_session *sess)
{
	struct vaccel_list_entry *pos, *tmp;

	list_for_each_safe(pos, tmp, &res->sessions)
	{
		struct vaccel_registration *reg = container_of(
			pos, struct vaccel_registration, res_entry);
		if (reg->sess == sess)
			return reg;
	}
	return NULL;
}

/* Path resources: create the blobs once (FILE, nothing read). Lock held. */
static int resource_create_path_blobs(struct vaccel_resource *res)
{
	struct vaccel_blob **blobs = NULL;
	char **files = NULL;
	size_t nr_files = 0, nr = 0;
	int ret;

	if (res->path_type == VACCEL_PATH_LOCAL_DIR) {
		ret = path_list_files(path_local(res->paths[0]), &files,
				      &nr_files);
		if (ret)
			return ret;
		if (nr_files == 0)
			vaccel_warn("Directory resource %" PRId64
				    " ('%s') contains no files",
				    res->id, res->paths[0]);
	} else {
		nr_files = res->nr_paths;
	}

	ret = array_alloc((void **)&blobs, nr_files, sizeof(*blobs),
			  "resource blobs");
	if (ret)
		goto out;
	for (nr = 0; nr < nr_files; nr++) {
		const char *p = files ? files[nr] : path_local(res->paths[nr]);
		ret = vaccel_blob_new(&blobs[nr], p);
		if (ret) {
			blobs_free(blobs, nr);
			goto out;
		}
	}
	res->blobs = blobs;
	res->nr_blobs = nr_files;
out:
	path_list_free(files, nr_files);
	return ret;
}

/* Make the resource's data usable by `sess`. res->sessions_lock held. */
static int resource_materialise(struct vaccel_resource *res,
				struct vaccel_session *sess)
{
	int ret;

	if (res->path_type == VACCEL_PATH_REMOTE_FILE) {
		if (sess->is_virtio)
			return VACCEL_OK; /* the host downloads it */
		vaccel_error("Cannot register resource %" PRId64
			     " with local session %" PRId64
			     ": downloading URLs is not supported (built "
			     "without libcurl)",
			     res->id, sess->id);
		return VACCEL_ENOTSUP;
	}

	if (!res->blobs && res->nr_paths > 0) {
		ret = resource_create_path_blobs(res);
		if (ret)
			return ret;
	}

	if (!sess->is_virtio)
		return VACCEL_OK;

	/* remote: the transport ships bytes */
	for (size_t i = 0; i < res->nr_blobs; i++) {
		ret = vaccel_blob_read(res->blobs[i]);
		if (ret) {
			vaccel_error(
				"Could not read blob '%s' of resource %" PRId64
				" for remote session %" PRId64,
				res->blobs[i]->name, res->id, sess->id);
			return ret;
		}
	}
	return VACCEL_OK;
}

/* Common argument checks for register/unregister/sync. */
static int check_pair(struct vaccel_resource *res, struct vaccel_session *sess,
		      const char *what)
{
	int ret;

	if (!res || !sess) {
		vaccel_error("Cannot %s: invalid arguments (res=%p sess=%p)",
			     what, (void *)res, (void *)sess);
		return VACCEL_EINVAL;
	}
	ret = check_initialized(what);
	if (ret)
		return ret;
	if (res->id <= 0 || !type_valid(res->type)) {
		vaccel_error("Cannot %s: resource is not initialised", what);
		return VACCEL_EINVAL;
	}
	if (sess->id <= 0) {
		vaccel_error("Cannot %s: session is not initialised", what);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

int vaccel_resource_register(struct vaccel_resource *res,
			     struct vaccel_session *sess)
{
	const struct vaccel_plugin_info *info;
	struct vaccel_registration *reg;
	int ret;

	ret = check_pair(res, sess, "register resource");
	if (ret)
		return ret;
	info = session_plugin_info(sess);

	pthread_mutex_lock(&res->sessions_lock);

	/* duplicate check first: the hook runs once per pair */
	if (registration_find(res, sess)) {
		pthread_mutex_unlock(&res->sessions_lock);
		vaccel_warn("Resource %" PRId64
			    " is already registered with session %" PRId64,
			    res->id, sess->id);
		return VACCEL_OK;
	}

	if (sess->is_virtio && (!info || !info->resource_register)) {
		pthread_mutex_unlock(&res->sessions_lock);
		vaccel_error("Cannot register resource %" PRId64
			     " with remote session %" PRId64
			     ": plugin %s has no resource_register hook",
			     res->id, sess->id, plugin_name(sess));
		return VACCEL_ENOTSUP;
	}

	/* allocate before the hook: nothing may fail after it succeeds */
	reg = malloc(sizeof(*reg));
	if (!reg) {
		pthread_mutex_unlock(&res->sessions_lock);
		vaccel_error("Could not allocate memory for a registration");
		return VACCEL_ENOMEM;
	}

	ret = resource_materialise(res, sess);
	if (ret)
		goto fail;

	if (info && info->resource_register) {
		vaccel_id_t prev_remote_id = res->remote_id;

		if (sess->is_virtio)
			res->remote_id = 0;
		ret = info->resource_register(res, sess);
		if (ret) {
			res->remote_id = prev_remote_id;
			vaccel_error(
				"Plugin %s failed to register resource %" PRId64
				" with session %" PRId64 ": %d",
				plugin_name(sess), res->id, sess->id, ret);
			ret = hook_error(ret);
			goto fail;
		}
		if (sess->is_virtio && res->remote_id <= 0) {
			res->remote_id = prev_remote_id;
			vaccel_error("Plugin %s registered resource %" PRId64
				     " with remote session %" PRId64
				     " but set no remote id",
				     plugin_name(sess), res->id, sess->id);
			ret = VACCEL_EBACKEND;
			goto fail;
		}
	}

	reg->res = res;
	reg->sess = sess;
	list_add_tail(&res->sessions, &reg->res_entry);
	pthread_mutex_lock(&sess->resources_lock);
	list_add_tail(&sess->resources[res->type], &reg->sess_entry);
	sess->resource_counts[res->type]++;
	pthread_mutex_unlock(&sess->resources_lock);
	atomic_fetch_add(&res->refcount, 1);

	pthread_mutex_unlock(&res->sessions_lock);
	vaccel_debug("Registered resource %" PRId64 " with session %" PRId64,
		     res->id, sess->id);
	return VACCEL_OK;

fail:
	pthread_mutex_unlock(&res->sessions_lock);
	free(reg);
	return ret;
}

/* Unlink and free a registration. res->sessions_lock held. */
static void registration_unlink(struct vaccel_registration *reg)
{
	struct vaccel_resource *res = reg->res;
	struct vaccel_session *sess = reg->sess;

	list_del(&reg->res_entry);
	pthread_mutex_lock(&sess->resources_lock);
	list_del(&reg->sess_entry);
	if (sess->resource_counts[res->type] > 0)
		sess->resource_counts[res->type]--;
	pthread_mutex_unlock(&sess->resources_lock);
	atomic_fetch_sub(&res->refcount, 1);
	free(reg);
}

/*
 * The plugin's resource_unregister hook runs FIRST, and the registration is
 * only dropped when it succeeds: a failing hook means the plugin (or the
 * remote host) still holds the resource, so the session keeps pointing at it
 * and the caller may retry; dropping it would leave a registration the
 * plugin still tracks but nobody can undo (the upstream fault, §17.5).
 * vaccel_resource_release() cannot keep anything (the resource goes away),
 * so it forces: it logs a failing hook and unlinks anyway.
 */
static int resource_unregister_locked(struct vaccel_resource *res,
				      struct vaccel_registration *reg,
				      bool force)
{
	struct vaccel_session *sess = reg->sess;
	const struct vaccel_plugin_info *info = session_plugin_info(sess);
	int ret = VACCEL_OK;

	if (info && info->resource_unregister) {
		ret = info->resource_unregister(res, sess);
		if (ret) {
			vaccel_error(
				"Plugin %s failed to unregister resource "
				"%" PRId64 " from session %" PRId64 ": %d%s",
				plugin_name(sess), res->id, sess->id, ret,
				force ? " (dropping the registration anyway)"
				      : "");
			ret = hook_error(ret);
			if (!force)
				return ret;
		}
	}
	registration_unlink(reg);
	return ret;
}

int vaccel_resource_unregister(struct vaccel_resource *res,
			       struct vaccel_session *sess)
{
	struct vaccel_registration *reg;
	int ret;

	ret = check_pair(res, sess, "unregister resource");
	if (ret)
		return ret;

	pthread_mutex_lock(&res->sessions_lock);
	reg = registration_find(res, sess);
	if (!reg) {
		pthread_mutex_unlock(&res->sessions_lock);
		vaccel_error("Cannot unregister resource %" PRId64
			     ": not registered with session %" PRId64,
			     res->id, sess->id);
		return VACCEL_EINVAL;
	}
	ret = resource_unregister_locked(res, reg, false);
	pthread_mutex_unlock(&res->sessions_lock);
	if (!ret)
		vaccel_debug("Unregistered resource %" PRId64
			     " from session %" PRId64,
			     res->id, sess->id);
	return ret;
}

int vaccel_resource_sync(struct vaccel_resource *res,
			 struct vaccel_session *sess)
{
	const struct vaccel_plugin_info *info;
	int ret;

	ret = check_pair(res, sess, "sync resource");
	if (ret)
		return ret;
	info = session_plugin_info(sess);

	pthread_mutex_lock(&res->sessions_lock);
	if (!registration_find(res, sess)) {
		pthread_mutex_unlock(&res->sessions_lock);
		vaccel_error("Cannot sync resource %" PRId64
			     ": not registered with session %" PRId64,
			     res->id, sess->id);
		return VACCEL_EPERM;
	}
	if (res->nr_blobs == 0 || !res->blobs ||
	    res->blobs[0]->type != VACCEL_BLOB_BUFFER) {
		pthread_mutex_unlock(&res->sessions_lock);
		vaccel_error("Cannot sync resource %" PRId64
			     ": only buffer resources can be synced",
			     res->id);
		return VACCEL_EINVAL;
	}
	if (!info || !info->resource_sync) {
		pthread_mutex_unlock(&res->sessions_lock);
		if (sess->is_virtio) {
			vaccel_error("Cannot sync resource %" PRId64
				     ": plugin %s has no resource_sync hook",
				     res->id, plugin_name(sess));
			return VACCEL_ENOTSUP;
		}
		/* local session: the plugin works on the caller's memory */
		vaccel_debug("Resource %" PRId64 " is local; nothing to sync",
			     res->id);
		return VACCEL_OK;
	}
	ret = info->resource_sync(res, sess);
	pthread_mutex_unlock(&res->sessions_lock);
	if (ret) {
		vaccel_error("Plugin %s failed to sync resource %" PRId64
			     " with session %" PRId64 ": %d",
			     plugin_name(sess), res->id, sess->id, ret);
		return hook_error(ret);
	}
	return VACCEL_OK;
}

/* ---- release ------------------------------------------------------------- */

int vaccel_resource_release(struct vaccel_resource *res)
{
	int ret;

	if (!res) {
		vaccel_error(
			"Cannot release resource: invalid argument (NULL)");
		return VACCEL_EINVAL;
	}
	ret = check_initialized("release resource");
	if (ret)
		return ret;
	if (res->id <= 0) {
		vaccel_error("Cannot release resource: not initialised or "
			     "already released");
		return VACCEL_EINVAL;
	}

	/* unregister from every session (forced: see above) */
	pthread_mutex_lock(&res->sessions_lock);
	while (!list_empty(&res->sessions)) {
		struct vaccel_registration *reg =
			container_of(res->sessions.next,
				     struct vaccel_registration, res_entry);
		resource_unregister_locked(res, reg, true);
	}
	pthread_mutex_unlock(&res->sessions_lock);

	pthread_mutex_lock(&resources.lock);
	list_del(&res->entry);
	pthread_mutex_unlock(&resources.lock);

	blobs_free(res->blobs, res->nr_blobs);
	res->blobs = NULL;
	res->nr_blobs = 0;
	resource_remove_rundir(res);
	paths_free(res->paths, res->nr_paths);
	pthread_mutex_destroy(&res->sessions_lock);

	vaccel_debug("Released resource %" PRId64, res->id);
	resource_unreserve_id(res);
	resource_reset(res);
	return VACCEL_OK;
}

int vaccel_resource_delete(struct vaccel_resource *res)
{
	int ret;

	if (!res) {
		vaccel_error("Cannot delete resource: invalid argument (NULL)");
		return VACCEL_EINVAL;
	}
	/* already released (e.g. by vaccel_cleanup()): only free the memory */
	if (res->id > 0) {
		ret = vaccel_resource_release(res);
		if (ret)
			return ret;
	}
	free(res);
	return VACCEL_OK;
}

/* ---- queries ------------------------------------------------------------- */

long int vaccel_resource_refcount(const struct vaccel_resource *res)
{
	if (!res) {
		vaccel_error("Cannot get resource refcount: invalid argument "
			     "(NULL)");
		return -VACCEL_EINVAL;
	}
	return (long int)atomic_load(&res->refcount);
}

int vaccel_resource_directory(struct vaccel_resource *res, char *out_path,
			      size_t out_path_size, char **alloc_path)
{
	const char *dir;
	size_t len;

	if (!res || (!out_path && !alloc_path)) {
		vaccel_error(
			"Cannot get resource directory: invalid arguments");
		return VACCEL_EINVAL;
	}
	if (res->id <= 0 || !res->paths || res->nr_paths == 0) {
		vaccel_error("Cannot get resource directory: resource is not "
			     "initialised");
		return VACCEL_EINVAL;
	}
	if (res->path_type != VACCEL_PATH_LOCAL_DIR) {
		vaccel_error("Cannot get directory of resource %" PRId64
			     ": it is %s, not a directory",
			     res->id, vaccel_path_type_to_str(res->path_type));
		return VACCEL_ENOTSUP;
	}

	dir = res->rundir ? res->rundir : path_local(res->paths[0]);
	len = strlen(dir);
	if (out_path) {
		if (len >= out_path_size) {
			vaccel_error("Cannot get directory of resource %" PRId64
				     ": %zu-byte buffer too small for '%s'",
				     res->id, out_path_size, dir);
			return VACCEL_ENAMETOOLONG;
		}
		memcpy(out_path, dir, len + 1);
		return VACCEL_OK;
	}
	*alloc_path = strdup(dir);
	if (!*alloc_path) {
		vaccel_error("Could not allocate memory for a directory path");
		return VACCEL_ENOMEM;
	}
	return VACCEL_OK;
}

int vaccel_resource_get_by_id(struct vaccel_resource **res, vaccel_id_t id)
{
	struct vaccel_list_entry *pos, *tmp;
	int ret;

	if (!res) {
		vaccel_error(
			"Cannot get resource by id: invalid argument (NULL)");
		return VACCEL_EINVAL;
	}
	ret = check_initialized("get resource by id");
	if (ret)
		return ret;

	pthread_mutex_lock(&resources.lock);
	list_for_each_safe(pos, tmp, &resources.list)
	{
		struct vaccel_resource *r =
			container_of(pos, struct vaccel_resource, entry);
		if (r->id == id) {
			*res = r;
			pthread_mutex_unlock(&resources.lock);
			return VACCEL_OK;
		}
	}
	pthread_mutex_unlock(&resources.lock);
	vaccel_error("No resource with id %" PRId64, id);
	return VACCEL_ENOENT;
}

int vaccel_resource_get_by_type(struct vaccel_resource **res,
				vaccel_resource_type_t type)
{
	struct vaccel_list_entry *pos, *tmp;
	int ret;

	if (!res || !type_valid(type)) {
		vaccel_error("Cannot get resource by type: invalid arguments");
		return VACCEL_EINVAL;
	}
	ret = check_initialized("get resource by type");
	if (ret)
		return ret;

	pthread_mutex_lock(&resources.lock);
	list_for_each_safe(pos, tmp, &resources.list)
	{
		struct vaccel_resource *r =
			container_of(pos, struct vaccel_resource, entry);
		if (r->type == type) {
			*res = r;
			pthread_mutex_unlock(&resources.lock);
			return VACCEL_OK;
		}
	}
	pthread_mutex_unlock(&resources.lock);
	vaccel_error("No resource of type %s",
		     vaccel_resource_type_to_str(type));
	return VACCEL_ENOENT;
}

int vaccel_resource_get_all_by_type(struct vaccel_resource ***res,
				    size_t *nr_found,
				    vaccel_resource_type_t type)
{
	struct vaccel_list_entry *pos, *tmp;
	struct vaccel_resource **arr;
	size_t n = 0, k = 0;
	int ret;

	if (!res || !nr_found || !type_valid(type)) {
		vaccel_error("Cannot get resources by type: invalid arguments");
		return VACCEL_EINVAL;
	}
	*res = NULL;
	*nr_found = 0;
	ret = check_initialized("get resources by type");
	if (ret)
		return ret;

	pthread_mutex_lock(&resources.lock);
	list_for_each_safe(pos, tmp, &resources.list)
	{
		if (container_of(pos, struct vaccel_resource, entry)->type ==
		    type)
			n++;
	}
	if (n == 0) {
		pthread_mutex_unlock(&resources.lock);
		vaccel_debug("No resources of type %s",
			     vaccel_resource_type_to_str(type));
		return VACCEL_ENOENT;
	}
	arr = malloc(n * sizeof(*arr)); /* n <= RESOURCE_ID_MAX */
	if (!arr) {
		pthread_mutex_unlock(&resources.lock);
		vaccel_error("Could not allocate memory for %zu resources", n);
		return VACCEL_ENOMEM;
	}
	list_for_each_safe(pos, tmp, &resources.list)
	{
		struct vaccel_resource *r =
			container_of(pos, struct vaccel_resource, entry);
		if (r->type == type)
			arr[k++] = r;
	}
	pthread_mutex_unlock(&resources.lock);

	*res = arr;
	*nr_found = n;
	return VACCEL_OK;
}

/* ---- subsystem ----------------------------------------------------------- */

int resources_bootstrap(void)
{
	int ret;

	pthread_mutex_lock(&resources.lock);
	if (resources_initialized()) {
		pthread_mutex_unlock(&resources.lock);
		return VACCEL_OK;
	}
	ret = id_pool_init(&resources.ids, RESOURCE_ID_MAX);
	if (ret) {
		pthread_mutex_unlock(&resources.lock);
		vaccel_error("Could not initialise the resource id pool: %d",
			     ret);
		return ret;
	}
	list_init(&resources.list);
	atomic_store(&resources.initialized, true);
	pthread_mutex_unlock(&resources.lock);
	return VACCEL_OK;
}

int resources_cleanup(void)
{
	if (!resources_initialized())
		return VACCEL_OK;

	/* release one at a time without holding the list lock meanwhile */
	for (;;) {
		struct vaccel_resource *res;

		pthread_mutex_lock(&resources.lock);
		if (list_empty(&resources.list)) {
			pthread_mutex_unlock(&resources.lock);
			break;
		}
		res = container_of(resources.list.next, struct vaccel_resource,
				   entry);
		pthread_mutex_unlock(&resources.lock);

		vaccel_debug("Releasing leftover resource %" PRId64, res->id);
		if (vaccel_resource_release(res) != VACCEL_OK) {
			/* never spin: drop it from the list */
			pthread_mutex_lock(&resources.lock);
			list_del(&res->entry);
			pthread_mutex_unlock(&resources.lock);
		}
	}

	pthread_mutex_lock(&resources.lock);
	atomic_store(&resources.initialized, false);
	id_pool_destroy(&resources.ids);
	pthread_mutex_unlock(&resources.lock);
	return VACCEL_OK;
}
