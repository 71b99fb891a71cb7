// SPDX-License-Identifier: Apache-2.0
#ifndef VACCEL_BLOB_H
#define VACCEL_BLOB_H

#include "api.h"
#include "utils/enum.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* FILE: path only; BUFFER: memory only; MAPPED: file mapped into memory. */
#define VACCEL_BLOB_TYPE_ENUM_LIST(VACCEL_ENUM_ITEM)                           \
	VACCEL_ENUM_ITEM(FILE, 0, VACCEL_BLOB)                                 \
	VACCEL_ENUM_ITEM(BUFFER, VACCEL_BLOB)                                  \
	VACCEL_ENUM_ITEM(MAPPED, VACCEL_BLOB)

VACCEL_ENUM_DEF_WITH_STR_FUNCS(vaccel_blob_type, VACCEL_BLOB,
			       VACCEL_BLOB_TYPE_ENUM_LIST)

struct vaccel_blob {
	vaccel_blob_type_t type;
	char *name;
	char *path;
	bool path_owned;
	uint8_t *data;
	bool data_owned;
	size_t size;
};

VACCEL_API int vaccel_blob_persist(struct vaccel_blob *blob, const char *dir,
				   const char *filename, bool randomize);
VACCEL_API int vaccel_blob_init(struct vaccel_blob *blob, const char *path);
VACCEL_API int vaccel_blob_new(struct vaccel_blob **blob, const char *path);
VACCEL_API int vaccel_blob_init_from_buf(struct vaccel_blob *blob,
					 const uint8_t *buf, size_t size,
					 bool own, const char *filename,
					 const char *dir, bool randomize);
VACCEL_API int vaccel_blob_from_buf(struct vaccel_blob **blob,
				    const uint8_t *buf, size_t size, bool own,
				    const char *filename, const char *dir,
				    bool randomize);
VACCEL_API int vaccel_blob_release(struct vaccel_blob *blob);
VACCEL_API int vaccel_blob_delete(struct vaccel_blob *blob);
VACCEL_API int vaccel_blob_read(struct vaccel_blob *blob);
VACCEL_API bool vaccel_blob_valid(const struct vaccel_blob *blob);
VACCEL_API uint8_t *vaccel_blob_data(struct vaccel_blob *blob, size_t *size);
VACCEL_API const char *vaccel_blob_path(struct vaccel_blob *blob);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_BLOB_H */
