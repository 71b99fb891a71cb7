// SPDX-License-Identifier: Apache-2.0
/*
 * Interfaces shared between libvaccel's modules. Not installed.
 */
#ifndef VACCEL_INTERNAL_H
#define VACCEL_INTERNAL_H

#include <vaccel.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef container_of
#define container_of(ptr, type, member)                                        \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- intrusive lists ------------------------------------------------- */
static inline void list_init(struct vaccel_list_entry *l)
{
	l->next = l;
	l->prev = l;
}

static inline bool list_empty(const struct vaccel_list_entry *l)
{
	return l->next == l;
}

static inline void list_add_tail(struct vaccel_list_entry *head,
				 struct vaccel_list_entry *e)
{
	e->prev = head->prev;
	e->next = head;
	head->prev->next = e;
	head->prev = e;
}

static inline void list_del(struct vaccel_list_entry *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
	e->next = e;
	e->prev = e;
}

#define list_for_each_safe(pos, tmp, head)                                     \
	for ((pos) = (head)->next, (tmp) = (pos)->next; (pos) != (head);       \
	     (pos) = (tmp), (tmp) = (pos)->next)

/* ---- id pools: ids 1..max, reused after release (no unbounded growth) --- */
struct id_pool {
	pthread_mutex_t lock;
	vaccel_id_t max;
	vaccel_id_t next; /* search hint */
	uint8_t *used;	  /* max + 1 flags */
};

int id_pool_init(struct id_pool *pool, vaccel_id_t max);
void id_pool_destroy(struct id_pool *pool);
/* Returns a free id > 0, or 0 when the pool is exhausted (VACCEL_EUSERS). */
vaccel_id_t id_pool_get(struct id_pool *pool);
void id_pool_put(struct id_pool *pool, vaccel_id_t id);

/* ---- subsystems (called by bootstrap/cleanup in core.c, in this order) --- */
int sessions_bootstrap(void);
int sessions_cleanup(void); /* releases every live session */
int resources_bootstrap(void);
int resources_cleanup(void); /* releases every live resource */
int plugins_bootstrap(void);
int plugins_cleanup(void); /* unloads every plugin (fini, dlclose) */
bool sessions_initialized(void);
bool resources_initialized(void);
bool plugins_initialized(void);

/* ---- run directory ---------------------------------------------------- */
int rundir_bootstrap(void);
void rundir_cleanup(void);
/* Create "<rundir>/<prefix>.<id>" (mode 0700) and return its path in out. */
int rundir_create_child(const char *prefix, vaccel_id_t id, char *out,
			size_t out_size);
/* Remove a directory tree (files and subdirectories); ENOENT is not an error. */
int fs_remove_tree(const char *path);

/* ---- sessions <-> resources -------------------------------------------
 * A registration links one resource with one session. It sits in
 * sess->resources[res->type] (sess->resources_lock) and in res->sessions
 * (res->sessions_lock). Lock order: res->sessions_lock, then
 * sess->resources_lock. Never call into the resource API while holding a
 * session lock.
 */
struct vaccel_registration {
	struct vaccel_list_entry sess_entry;
	struct vaccel_list_entry res_entry;
	struct vaccel_session *sess;
	struct vaccel_resource *res;
};

/* ---- plugins ---------------------------------------------------------- */
/* Choose the plugin for a new session per the hint rules (NULL: none). */
struct vaccel_plugin *plugin_select(uint32_t hint);
/* Number of loaded plugins / is exactly one loaded and virtio. */
size_t plugins_count(void);
bool plugins_only_virtio(void);

/*
 * The function the session's plugin registered for `type`, or NULL (the op is
 * not implemented: callers log and return VACCEL_ENOTSUP). Hot path.
 */
static inline void *session_op_func(const struct vaccel_session *sess,
				    vaccel_op_type_t type)
{
	const struct vaccel_plugin *p = sess->plugin;
	if (!p || (unsigned)type >= VACCEL_OP_MAX || !p->ops[type])
		return NULL;
	return p->ops[type]->func;
}

/* Log "plugin X does not implement op Y" for the session; returns
 * VACCEL_ENOTSUP. */
int op_unsupported(const struct vaccel_session *sess, vaccel_op_type_t type);

/* ---- configuration ----------------------------------------------------- */
/* The active configuration (valid between bootstrap and cleanup). */
const struct vaccel_config *config_active(void);
void log_apply_config(const struct vaccel_config *config);

/* Profiling flag, cached for the hot path. */
extern bool vaccel_prof_enabled_flag;

#endif /* VACCEL_INTERNAL_H */
