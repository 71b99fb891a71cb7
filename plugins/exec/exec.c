// SPDX-License-Identifier: Apache-2.0
/*
 * exec: run a function from a shared library on the host CPU.
 *
 * Ops: NOOP, EXEC, EXEC_WITH_RESOURCE. The called function must have the
 * shape
 *   int fn(struct vaccel_arg *read, size_t nr_read,
 *          struct vaccel_arg *write, size_t nr_write);
 * and return 0 on success.
 *
 * EXEC
 *   `library` is opened with dlopen() in the mode given by
 *   VACCEL_EXEC_DLOPEN_MODE ("lazy" or "now", case-insensitive; default now;
 *   any other value: one warning at plugin init, then now).
 *     dlopen fails           -> VACCEL_EINVAL (the dlerror() text is logged)
 *     symbol not found       -> VACCEL_ENOSYS
 *     function returns != 0  -> VACCEL_EBACKEND
 *   Handles are cached per `library` string: one dlopen per distinct string,
 *   reused by later calls and closed at plugin fini(). A library whose
 *   symbol lookup fails on its first open is closed at once, not cached.
 *   With VACCEL_EXEC_DLCLOSE_ENABLED (deprecated alias VACCEL_EXEC_DLCLOSE)
 *   set to 1/true, nothing is cached: each call opens the library and closes
 *   it after the call. Accepted values: 0, false, 1, true (case-insensitive);
 *   anything else warns once and keeps the default.
 *
 * EXEC_WITH_RESOURCE
 *   The resource must be of type LIB. Its blobs are opened in order: every
 *   blob but the last is a dependency, opened RTLD_NOW | RTLD_GLOBAL (on
 *   failure retried with RTLD_LAZY | RTLD_GLOBAL); the last blob is the main
 *   library, opened like EXEC does. Blobs with a file path are opened by
 *   path. Memory-only blobs (BUFFER) are written to an anonymous memfd and
 *   opened as /proc/self/fd/<n>; the memfd stays open while the library is
 *   loaded (the loader identifies objects by name, so the name must stay
 *   unique) and is closed with it. Where memfd or /proc is unavailable they
 *   are written to a temporary file in the vAccel run directory that is
 *   unlinked right after dlopen. Nothing is left on disk either way. A
 *   dependency blob satisfies the main library's DT_NEEDED entry through its
 *   SONAME.
 *   The handles are cached in res->plugin_priv on first use and closed in
 *   reverse order by the resource_unregister hook (unless
 *   VACCEL_EXEC_DLCLOSE_ENABLED is explicitly false: then the handles are
 *   left open on purpose). Errors as for EXEC; a non-LIB or blob-less
 *   resource -> VACCEL_EINVAL.
 */
#include <vaccel.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef VACCEL_PLUGIN_VERSION
#define VACCEL_PLUGIN_VERSION "0.0.0"
#endif

#define EXEC_DLOPEN_MODE_ENV "VACCEL_EXEC_DLOPEN_MODE"
#define EXEC_DLCLOSE_ENV     "VACCEL_EXEC_DLCLOSE_ENABLED"
#define EXEC_DLCLOSE_ENV_OLD "VACCEL_EXEC_DLCLOSE"
#define EXEC_RES_MAGIC	     0x65786563u /* "exec" */

typedef int (*exec_fn_t)(struct vaccel_arg *read, size_t nr_read,
			 struct vaccel_arg *write, size_t nr_write);

/* dlclose setting: unset (defaults apply), or explicitly off / on */
enum dlclose_setting { DLCLOSE_UNSET, DLCLOSE_OFF, DLCLOSE_ON };

/* One cached library handle (EXEC). */
struct lib_entry {
	struct lib_entry *next;
	void *handle;
	char *library;
};

/* Per-resource state (EXEC_WITH_RESOURCE), in res->plugin_priv. */
struct res_priv {
	uint32_t magic;
	size_t nr_handles;
	void **handles; /* dependencies first, main library last */
	int *fds;	/* memfd backing handles[i], or -1 */
	unsigned int users;
	bool dead; /* detached from its resource; free when unused */
	struct res_priv *next;
};

static struct {
	pthread_mutex_t lock;
	int dlopen_mode;
	enum dlclose_setting dlclose;
	struct lib_entry *libs;
	struct res_priv *privs; /* every live res_priv */
} exec_state = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.dlopen_mode = RTLD_NOW,
};

static vaccel_id_t sess_id(const struct vaccel_session *sess)
{
	return sess ? sess->id : 0;
}

static const char *dl_error(void)
{
	const char *e = dlerror();
	return e ? e : "unknown error";
}

/* ---- configuration ----------------------------------------------------- */

static void read_dlopen_mode(void)
{
	const char *val = getenv(EXEC_DLOPEN_MODE_ENV);

	exec_state.dlopen_mode = RTLD_NOW;
	if (!val || !strcasecmp(val, "now"))
		return;
	if (!strcasecmp(val, "lazy")) {
		exec_state.dlopen_mode = RTLD_LAZY;
		return;
	}
	vaccel_warn("[exec] Invalid %s value '%s' (expected 'lazy' or 'now'); "
		    "using 'now'",
		    EXEC_DLOPEN_MODE_ENV, val);
}

static void read_dlclose(void)
{
	const char *name = EXEC_DLCLOSE_ENV;
	const char *val = getenv(EXEC_DLCLOSE_ENV);

	exec_state.dlclose = DLCLOSE_UNSET;
	if (!val) {
		val = getenv(EXEC_DLCLOSE_ENV_OLD);
		if (!val)
			return;
		name = EXEC_DLCLOSE_ENV_OLD;
		fprintf(stderr, "Warning: %s is deprecated. Use %s instead.\n",
			EXEC_DLCLOSE_ENV_OLD, EXEC_DLCLOSE_ENV);
	}
	if (!strcmp(val, "0") || !strcasecmp(val, "false"))
		exec_state.dlclose = DLCLOSE_OFF;
	else if (!strcmp(val, "1") || !strcasecmp(val, "true"))
		exec_state.dlclose = DLCLOSE_ON;
	else
		vaccel_warn("[exec] Invalid %s value '%s' (expected 0, false, "
			    "1 or true); using the default",
			    name, val);
}

/* ---- EXEC ---------------------------------------------------------------- */

static int check_args(const char *op, const char *fn_symbol,
		      const struct vaccel_arg *read, size_t nr_read,
		      const struct vaccel_arg *write, size_t nr_write)
{
	if (!fn_symbol) {
		vaccel_error("[exec] %s: no function symbol given", op);
		return VACCEL_EINVAL;
	}
	if ((nr_read && !read) || (nr_write && !write)) {
		vaccel_error("[exec] %s: NULL arg array with non-zero count",
			     op);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

static int call_fn(const char *op, const char *fn_symbol, exec_fn_t fn,
		   struct vaccel_arg *read, size_t nr_read,
		   struct vaccel_arg *write, size_t nr_write)
{
	int ret = fn(read, nr_read, write, nr_write);

	if (ret) {
		vaccel_error("[exec] %s: %s() returned %d", op, fn_symbol, ret);
		return VACCEL_EBACKEND;
	}
	return VACCEL_OK;
}

static void *lookup(void *handle, const char *library, const char *symbol)
{
	void *sym;

	dlerror();
	sym = dlsym(handle, symbol);
	if (!sym)
		vaccel_error("[exec] Could not find symbol %s (%s): %s", symbol,
			     library, dl_error());
	return sym;
}

static struct lib_entry *lib_find(const char *library)
{
	for (struct lib_entry *e = exec_state.libs; e; e = e->next)
		if (!strcmp(e->library, library))
			return e;
	return NULL;
}

/* Resolve `symbol` in the cached handle of `library`; caller holds lock. */
static int lib_resolve_cached(const char *library, const char *symbol,
			      exec_fn_t *fn)
{
	struct lib_entry *e = lib_find(library);
	void *handle;
	void *sym;

	if (e) {
		sym = lookup(e->handle, library, symbol);
		if (!sym)
			return VACCEL_ENOSYS;
		*fn = (exec_fn_t)sym;
		return VACCEL_OK;
	}

	handle = dlopen(library, exec_state.dlopen_mode);
	if (!handle) {
		vaccel_error("[exec] Could not dlopen %s: %s", library,
			     dl_error());
		return VACCEL_EINVAL;
	}
	sym = lookup(handle, library, symbol);
	if (!sym) {
		dlclose(handle);
		return VACCEL_ENOSYS;
	}
	e = calloc(1, sizeof(*e));
	if (e)
		e->library = strdup(library);
	if (!e || !e->library) {
		free(e);
		dlclose(handle);
		vaccel_error("[exec] Out of memory caching %s", library);
		return VACCEL_ENOMEM;
	}
	e->handle = handle;
	e->next = exec_state.libs;
	exec_state.libs = e;
	*fn = (exec_fn_t)sym;
	return VACCEL_OK;
}

static int exec_exec(struct vaccel_session *sess, const char *library,
		     const char *fn_symbol, struct vaccel_arg *read,
		     size_t nr_read, struct vaccel_arg *write, size_t nr_write)
{
	exec_fn_t fn;
	void *handle;
	void *sym;
	int ret;

	vaccel_debug("[exec] session %" PRId64 ": exec %s:%s (nr_read %zu, "
		     "nr_write %zu)",
		     sess_id(sess), library ? library : "(null)",
		     fn_symbol ? fn_symbol : "(null)", nr_read, nr_write);
	if (!library) {
		vaccel_error("[exec] exec: no library given");
		return VACCEL_EINVAL;
	}
	ret = check_args("exec", fn_symbol, read, nr_read, write, nr_write);
	if (ret)
		return ret;

	if (exec_state.dlclose != DLCLOSE_ON) {
		pthread_mutex_lock(&exec_state.lock);
		ret = lib_resolve_cached(library, fn_symbol, &fn);
		pthread_mutex_unlock(&exec_state.lock);
		if (ret)
			return ret;
		return call_fn("exec", fn_symbol, fn, read, nr_read, write,
			       nr_write);
	}

	/* Open, call, close. */
	handle = dlopen(library, exec_state.dlopen_mode);
	if (!handle) {
		vaccel_error("[exec] Could not dlopen %s: %s", library,
			     dl_error());
		return VACCEL_EINVAL;
	}
	sym = lookup(handle, library, fn_symbol);
	if (!sym) {
		dlclose(handle);
		return VACCEL_ENOSYS;
	}
	ret = call_fn("exec", fn_symbol, (exec_fn_t)sym, read, nr_read, write,
		      nr_write);
	if (dlclose(handle))
		vaccel_warn("[exec] dlclose(%s) failed: %s", library,
			    dl_error());
	return ret;
}

/* ---- EXEC_WITH_RESOURCE ------------------------------------------------ */

static int write_all(int fd, const uint8_t *data, size_t size)
{
	while (size) {
		ssize_t n = write(fd, data, size);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		size -= (size_t)n;
	}
	return 0;
}

/* dlopen `path` with `mode`, retrying with the other binding mode if asked */
static void *dlopen_retry(const char *path, int mode, bool retry)
{
	void *h = dlopen(path, mode);

	if (!h && retry) {
		int other = (mode & RTLD_NOW) ? RTLD_LAZY : RTLD_NOW;
		vaccel_debug("[exec] dlopen(%s) failed (%s); retrying with %s",
			     path, dl_error(),
			     other == RTLD_NOW ? "RTLD_NOW" : "RTLD_LAZY");
		h = dlopen(path, (mode & ~(RTLD_NOW | RTLD_LAZY)) | other);
	}
	return h;
}

/*
 * Open a memory-only blob through a memfd, or a temporary file.
 * The memfd stays open (in *memfd) as long as the library is loaded: the
 * dynamic loader recognises loaded objects by name, so a "/proc/self/fd/<n>"
 * name must not be reused for another blob while this one is loaded.
 */
static void *open_mem_blob(const struct vaccel_blob *blob, int mode, bool retry,
			   int *memfd, int *err)
{
	char path[PATH_MAX];
	const char *name = blob->name ? blob->name : "blob";
	const char *rundir;
	bool tmpfile = false;
	void *h;
	int fd;

	if (!blob->data || !blob->size) {
		vaccel_error("[exec] Blob %s has neither a path nor data",
			     name);
		*err = VACCEL_EINVAL;
		return NULL;
	}
	fd = memfd_create(name, MFD_CLOEXEC);
	if (fd >= 0 && access("/proc/self/fd", X_OK) == 0) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	} else {
		if (fd >= 0)
			close(fd);
		rundir = vaccel_rundir();
		if (!rundir)
			rundir = getenv("TMPDIR");
		if (!rundir || !*rundir)
			rundir = P_tmpdir;
		if (snprintf(path, sizeof(path), "%s/exec-blob-XXXXXX",
			     rundir) >= (int)sizeof(path)) {
			*err = VACCEL_ENAMETOOLONG;
			return NULL;
		}
		fd = mkostemp(path, O_CLOEXEC);
		if (fd < 0) {
			vaccel_error("[exec] Could not create a file for blob "
				     "%s: %s",
				     name, strerror(errno));
			*err = VACCEL_EIO;
			return NULL;
		}
		tmpfile = true;
	}
	if (write_all(fd, blob->data, blob->size)) {
		vaccel_error("[exec] Could not write blob %s: %s", name,
			     strerror(errno));
		*err = VACCEL_EIO;
		h = NULL;
		goto out;
	}
	h = dlopen_retry(path, mode, retry);
	if (!h) {
		vaccel_error("[exec] Could not dlopen blob %s: %s", name,
			     dl_error());
		*err = VACCEL_EINVAL;
	}
out:
	if (tmpfile)
		unlink(path);
	if (h && !tmpfile)
		*memfd = fd;
	else
		close(fd);
	return h;
}

static void *open_blob(struct vaccel_blob *blob, int mode, bool retry,
		       int *memfd, int *err)
{
	const char *path = blob->path;
	void *h;

	if (!path)
		return open_mem_blob(blob, mode, retry, memfd, err);
	h = dlopen_retry(path, mode, retry);
	if (!h) {
		vaccel_error("[exec] Could not dlopen %s: %s", path,
			     dl_error());
		*err = VACCEL_EINVAL;
	}
	return h;
}

/* Close handles (and their memfds) in reverse order of opening. */
static void close_handles(void **handles, int *fds, size_t nr)
{
	while (nr-- > 0) {
		if (handles[nr] && dlclose(handles[nr]))
			vaccel_warn("[exec] dlclose failed: %s", dl_error());
		if (fds[nr] >= 0)
			close(fds[nr]);
	}
}

/* Open all the blobs of `res`: dependencies first, main library last. */
static int open_resource(struct vaccel_resource *res, struct res_priv *p)
{
	int ret = VACCEL_OK;
	size_t i;

	p->handles = calloc(res->nr_blobs, sizeof(*p->handles));
	p->fds = malloc(res->nr_blobs * sizeof(*p->fds));
	if (!p->handles || !p->fds) {
		ret = VACCEL_ENOMEM;
		goto fail;
	}
	for (i = 0; i < res->nr_blobs; i++)
		p->fds[i] = -1;
	for (i = 0; i < res->nr_blobs; i++) {
		bool main_lib = (i + 1 == res->nr_blobs);
		int mode = main_lib ? exec_state.dlopen_mode
				    : (RTLD_NOW | RTLD_GLOBAL);

		if (!res->blobs[i]) {
			vaccel_error("[exec] Resource %" PRId64
				     " has a NULL blob",
				     res->id);
			ret = VACCEL_EINVAL;
			break;
		}
		p->handles[i] = open_blob(res->blobs[i], mode, !main_lib,
					  &p->fds[i], &ret);
		if (!p->handles[i])
			break;
	}
	if (i == res->nr_blobs) {
		p->nr_handles = res->nr_blobs;
		return VACCEL_OK;
	}
	close_handles(p->handles, p->fds, i);
	if (!ret)
		ret = VACCEL_EINVAL;
fail:
	free(p->handles);
	free(p->fds);
	p->handles = NULL;
	p->fds = NULL;
	return ret;
}

/*
 * Free a resource's state; with do_close, dlclose its handles. Without it
 * (VACCEL_EXEC_DLCLOSE_ENABLED=0) the libraries, and their memfds, stay open
 * on purpose.
 */
static void priv_destroy(struct res_priv *p, bool do_close)
{
	struct res_priv **pp;

	for (pp = &exec_state.privs; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	if (do_close)
		close_handles(p->handles, p->fds, p->nr_handles);
	p->magic = 0;
	free(p->handles);
	free(p->fds);
	free(p);
}

static bool priv_ours(const void *priv)
{
	return priv && ((const struct res_priv *)priv)->magic == EXEC_RES_MAGIC;
}

/* Get (opening on first use) the cached handles of `res`; holds a user ref */
static int priv_get(struct vaccel_resource *res, struct res_priv **out)
{
	struct res_priv *p;
	int ret;

	pthread_mutex_lock(&exec_state.lock);
	p = res->plugin_priv;
	if (p && !priv_ours(p)) {
		pthread_mutex_unlock(&exec_state.lock);
		vaccel_error("[exec] Resource %" PRId64
			     " carries another plugin's state",
			     res->id);
		return VACCEL_EBUSY;
	}
	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p) {
			pthread_mutex_unlock(&exec_state.lock);
			return VACCEL_ENOMEM;
		}
		ret = open_resource(res, p);
		if (ret) {
			pthread_mutex_unlock(&exec_state.lock);
			free(p);
			return ret;
		}
		p->magic = EXEC_RES_MAGIC;
		p->next = exec_state.privs;
		exec_state.privs = p;
		res->plugin_priv = p;
	}
	p->users++;
	pthread_mutex_unlock(&exec_state.lock);
	*out = p;
	return VACCEL_OK;
}

static void priv_put(struct res_priv *p)
{
	pthread_mutex_lock(&exec_state.lock);
	if (--p->users == 0 && p->dead)
		priv_destroy(p, exec_state.dlclose != DLCLOSE_OFF);
	pthread_mutex_unlock(&exec_state.lock);
}

static int exec_exec_with_resource(struct vaccel_session *sess,
				   struct vaccel_resource *resource,
				   const char *fn_symbol,
				   struct vaccel_arg *read, size_t nr_read,
				   struct vaccel_arg *write, size_t nr_write)
{
	struct res_priv *p;
	void *main_handle;
	void *sym;
	int ret;

	if (!resource) {
		vaccel_error("[exec] exec_with_resource: no resource given");
		return VACCEL_EINVAL;
	}
	vaccel_debug("[exec] session %" PRId64 ": exec_with_resource %" PRId64
		     ":%s (%zu blobs, nr_read %zu, nr_write %zu)",
		     sess_id(sess), resource->id,
		     fn_symbol ? fn_symbol : "(null)", resource->nr_blobs,
		     nr_read, nr_write);
	ret = check_args("exec_with_resource", fn_symbol, read, nr_read, write,
			 nr_write);
	if (ret)
		return ret;
	if (resource->type != VACCEL_RESOURCE_LIB) {
		vaccel_error("[exec] Resource %" PRId64
			     " is not a LIB resource",
			     resource->id);
		return VACCEL_EINVAL;
	}
	if (!resource->nr_blobs || !resource->blobs) {
		vaccel_error("[exec] Resource %" PRId64 " has no blobs",
			     resource->id);
		return VACCEL_EINVAL;
	}

	ret = priv_get(resource, &p);
	if (ret)
		return ret;
	main_handle = p->handles[p->nr_handles - 1];
	sym = lookup(main_handle,
		     resource->blobs[p->nr_handles - 1]->name
			     ? resource->blobs[p->nr_handles - 1]->name
			     : "resource library",
		     fn_symbol);
	if (!sym)
		ret = VACCEL_ENOSYS;
	else
		ret = call_fn("exec_with_resource", fn_symbol, (exec_fn_t)sym,
			      read, nr_read, write, nr_write);
	priv_put(p);
	return ret;
}

static int exec_resource_unregister(struct vaccel_resource *res,
				    struct vaccel_session *sess)
{
	struct res_priv *p;

	if (!res)
		return VACCEL_EINVAL;
	pthread_mutex_lock(&exec_state.lock);
	p = res->plugin_priv;
	if (priv_ours(p)) {
		vaccel_debug("[exec] Releasing the %zu handles of resource "
			     "%" PRId64 " (session %" PRId64 ")",
			     p->nr_handles, res->id, sess_id(sess));
		res->plugin_priv = NULL;
		p->dead = true;
		if (!p->users)
			priv_destroy(p, exec_state.dlclose != DLCLOSE_OFF);
	}
	pthread_mutex_unlock(&exec_state.lock);
	return VACCEL_OK;
}

/* ---- NOOP and plugin lifecycle ----------------------------------------- */

static int exec_noop(struct vaccel_session *sess)
{
	(void)sess;
	return VACCEL_OK;
}

static struct vaccel_op ops[] = {
	VACCEL_OP_INIT(ops[0], VACCEL_OP_NOOP, exec_noop),
	VACCEL_OP_INIT(ops[1], VACCEL_OP_EXEC, exec_exec),
	VACCEL_OP_INIT(ops[2], VACCEL_OP_EXEC_WITH_RESOURCE,
		       exec_exec_with_resource),
};

static int exec_init(void)
{
	pthread_mutex_lock(&exec_state.lock);
	exec_state.libs = NULL;
	exec_state.privs = NULL;
	read_dlopen_mode();
	read_dlclose();
	pthread_mutex_unlock(&exec_state.lock);
	return vaccel_plugin_register_ops(ops, sizeof(ops) / sizeof(ops[0]));
}

static int exec_fini(void)
{
	pthread_mutex_lock(&exec_state.lock);
	while (exec_state.libs) {
		struct lib_entry *e = exec_state.libs;
		exec_state.libs = e->next;
		if (dlclose(e->handle))
			vaccel_warn("[exec] dlclose(%s) failed: %s", e->library,
				    dl_error());
		free(e->library);
		free(e);
	}
	/* Normally empty: resources are unregistered before plugins unload. */
	while (exec_state.privs) {
		vaccel_debug("[exec] Closing the handles of a resource that "
			     "was never unregistered");
		priv_destroy(exec_state.privs,
			     exec_state.dlclose != DLCLOSE_OFF);
	}
	pthread_mutex_unlock(&exec_state.lock);
	return VACCEL_OK;
}

VACCEL_PLUGIN(.name = "exec", .version = VACCEL_PLUGIN_VERSION,
	      .vaccel_version = VACCEL_VERSION,
	      .type = VACCEL_PLUGIN_SOFTWARE | VACCEL_PLUGIN_GENERIC |
		      VACCEL_PLUGIN_CPU,
	      .init = exec_init, .fini = exec_fini,
	      .resource_unregister = exec_resource_unregister);
