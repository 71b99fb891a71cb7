// SPDX-License-Identifier: Apache-2.0
#ifndef VACCEL_SESSION_H
#define VACCEL_SESSION_H

#include "api.h"
#include "id.h"
#include "list.h"
#include "resource.h"
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

#ifdef __cplusplus
extern "C" {
#endif

struct vaccel_plugin;

struct vaccel_session {
	vaccel_id_t id;
	vaccel_id_t remote_id;
	unsigned int hint; /* plugin-type hint flags given at init */
	bool is_virtio;
	char rundir[PATH_MAX];
	struct vaccel_list_entry entry;
	struct vaccel_list_entry resources[VACCEL_RESOURCE_MAX];
	size_t resource_counts[VACCEL_RESOURCE_MAX];
	pthread_mutex_t resources_lock;
	struct vaccel_plugin *plugin; /* bound for the session's lifetime */
	void *priv;
};

VACCEL_API int vaccel_session_get_by_id(struct vaccel_session **sess,
					vaccel_id_t id);
VACCEL_API int vaccel_session_init(struct vaccel_session *sess, uint32_t flags);
VACCEL_API int vaccel_session_new(struct vaccel_session **sess, uint32_t flags);
VACCEL_API int vaccel_session_release(struct vaccel_session *sess);
VACCEL_API int vaccel_session_delete(struct vaccel_session *sess);
VACCEL_API bool vaccel_session_has_resource(struct vaccel_session *sess,
					    struct vaccel_resource *res);
VACCEL_API int vaccel_session_resource_by_id(struct vaccel_session *sess,
					     struct vaccel_resource **res,
					     vaccel_id_t id);
VACCEL_API int vaccel_session_resource_by_type(struct vaccel_session *sess,
					       struct vaccel_resource **res,
					       vaccel_resource_type_t type);
VACCEL_API int vaccel_session_resources_by_type(
	struct vaccel_session *sess, struct vaccel_resource ***resources,
	size_t *nr_found, vaccel_resource_type_t type);

VACCEL_API VACCEL_DEPRECATED("Create a new session instead") int
vaccel_session_update(struct vaccel_session *sess, uint32_t flags);
VACCEL_API VACCEL_DEPRECATED("Use vaccel_session_init()") int
vaccel_sess_init(struct vaccel_session *sess, uint32_t flags);
VACCEL_API VACCEL_DEPRECATED("Create a new session instead") int
vaccel_sess_update(struct vaccel_session *sess, uint32_t flags);
VACCEL_API VACCEL_DEPRECATED("Use vaccel_session_release()") int
vaccel_sess_free(struct vaccel_session *sess);
VACCEL_API VACCEL_DEPRECATED("Use vaccel_session_has_resource()") bool
vaccel_sess_has_resource(struct vaccel_session *sess,
			 struct vaccel_resource *res);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_SESSION_H */
