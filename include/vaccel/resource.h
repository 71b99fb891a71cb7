// SPDX-License-Identifier: Apache-2.0
#ifndef VACCEL_RESOURCE_H
#define VACCEL_RESOURCE_H

#include "api.h"
#include "blob.h"
#include "id.h"
#include "list.h"
#include "utils/enum.h"
#include "utils/path.h"
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
#include <atomic>
typedef std::atomic<unsigned int> vaccel_atomic_uint_;
extern "C" {
#else
#include <stdatomic.h>
typedef atomic_uint vaccel_atomic_uint_;
#endif

#define VACCEL_RESOURCE_TYPE_ENUM_LIST(VACCEL_ENUM_ITEM)                       \
	VACCEL_ENUM_ITEM(LIB, 0, VACCEL_RESOURCE)                              \
	VACCEL_ENUM_ITEM(DATA, VACCEL_RESOURCE)                                \
	VACCEL_ENUM_ITEM(MODEL, VACCEL_RESOURCE)

VACCEL_ENUM_DEF_WITH_STR_FUNCS(vaccel_resource_type, VACCEL_RESOURCE,
			       VACCEL_RESOURCE_TYPE_ENUM_LIST)

struct vaccel_session;

struct vaccel_resource {
	vaccel_id_t id;
	vaccel_id_t remote_id;
	vaccel_resource_type_t type;
	vaccel_path_type_t path_type;
	char **paths;
	size_t nr_paths;
	char *rundir;
	struct vaccel_blob **blobs;
	size_t nr_blobs;
	struct vaccel_list_entry entry;
	struct vaccel_list_entry sessions;
	pthread_mutex_t sessions_lock;
	vaccel_atomic_uint_ refcount;
	void *plugin_priv;
};

VACCEL_API int vaccel_resource_get_by_id(struct vaccel_resource **res,
					 vaccel_id_t id);
VACCEL_API int vaccel_resource_get_by_type(struct vaccel_resource **res,
					   vaccel_resource_type_t type);
VACCEL_API int vaccel_resource_get_all_by_type(struct vaccel_resource ***res,
					       size_t *nr_found,
					       vaccel_resource_type_t type);
VACCEL_API long int vaccel_resource_refcount(const struct vaccel_resource *res);
VACCEL_API int vaccel_resource_init(struct vaccel_resource *res,
				    const char *path,
				    vaccel_resource_type_t type);
VACCEL_API int vaccel_resource_init_multi(struct vaccel_resource *res,
					  const char **paths, size_t nr_paths,
					  vaccel_resource_type_t type);
VACCEL_API int vaccel_resource_init_from_buf(struct vaccel_resource *res,
					     const void *buf, size_t nr_bytes,
					     vaccel_resource_type_t type,
					     const char *filename,
					     bool mem_only);
VACCEL_API int vaccel_resource_init_from_blobs(struct vaccel_resource *res,
					       const struct vaccel_blob **blobs,
					       size_t nr_blobs,
					       vaccel_resource_type_t type);
VACCEL_API int vaccel_resource_new(struct vaccel_resource **res,
				   const char *path,
				   vaccel_resource_type_t type);
VACCEL_API int vaccel_resource_multi_new(struct vaccel_resource **res,
					 const char **paths, size_t nr_paths,
					 vaccel_resource_type_t type);
VACCEL_API int vaccel_resource_from_buf(struct vaccel_resource **res,
					const void *buf, size_t nr_bytes,
					vaccel_resource_type_t type,
					const char *filename, bool mem_only);
VACCEL_API int vaccel_resource_from_blobs(struct vaccel_resource **res,
					  const struct vaccel_blob **blobs,
					  size_t nr_blobs,
					  vaccel_resource_type_t type);
VACCEL_API int vaccel_resource_release(struct vaccel_resource *res);
VACCEL_API int vaccel_resource_delete(struct vaccel_resource *res);
VACCEL_API int vaccel_resource_register(struct vaccel_resource *res,
					struct vaccel_session *sess);
VACCEL_API int vaccel_resource_unregister(struct vaccel_resource *res,
					  struct vaccel_session *sess);
VACCEL_API int vaccel_resource_sync(struct vaccel_resource *res,
				    struct vaccel_session *sess);
VACCEL_API int vaccel_resource_directory(struct vaccel_resource *res,
					 char *out_path, size_t out_path_size,
					 char **alloc_path);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_RESOURCE_H */
