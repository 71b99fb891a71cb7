// SPDX-License-Identifier: Apache-2.0
/*
 * Helpers shared by path.c, blob.c and resource.c. Not installed.
 */
#ifndef VACCEL_RESOURCE_INTERNAL_H
#define VACCEL_RESOURCE_INTERNAL_H

#include "internal.h"
#include <stdbool.h>
#include <stddef.h>

/* ---- paths (path.c) ---------------------------------------------------- */

/*
 * Classify a resource path. Scheme detection is strict: a scheme is
 * "[A-Za-z][A-Za-z0-9+.-]*://" at the very start of the string.
 *   http://, https://, ftp://   -> VACCEL_PATH_REMOTE_FILE (non-empty rest)
 *   file://<path> or no scheme  -> local; must exist: directory ->
 *                                  VACCEL_PATH_LOCAL_DIR, regular file ->
 *                                  VACCEL_PATH_LOCAL_FILE, else EINVAL
 *   any other scheme            -> VACCEL_EINVAL
 * Scheme names compare case-insensitively (RFC 3986). A path without a
 * scheme is accepted with a warning. A missing local path gives
 * VACCEL_ENOENT. Every failure logs one error line.
 */
int path_classify(const char *path, vaccel_path_type_t *type);

/* True if `path` starts with a remote scheme (http://, https://, ftp://). */
bool path_is_remote(const char *path);

/*
 * The filesystem path of a local path spec: `path` past a leading "file://",
 * else `path` itself.
 */
const char *path_local(const char *path);

/*
 * A valid file name: non-empty, not "." or "..", no '/', at most NAME_MAX
 * bytes.
 */
bool path_filename_valid(const char *name);

/* Newly allocated last component of `path` (trailing slashes ignored). */
int path_basename_dup(const char *path, char **name);

/* "<dir>/<name>" into out (VACCEL_ENAMETOOLONG when it does not fit). */
int path_join(char *out, size_t out_size, const char *dir, const char *name);

/*
 * Every regular file under `dir`, recursively (symbolic links followed,
 * directory cycles skipped), in a deterministic order: a depth-first walk
 * visiting each directory's entries sorted bytewise by name. Returns a malloc'd
 * array of malloc'd paths; free with path_list_free(). An empty tree yields
 * *files = NULL, *nr_files = 0.
 */
int path_list_files(const char *dir, char ***files, size_t *nr_files);
void path_list_free(char **files, size_t nr_files);

/* Map a failed syscall's errno to a vAccel error code. */
int path_errno_to_vaccel(int err);

/* ---- blobs (blob.c) ----------------------------------------------------- */

/*
 * Write `size` bytes (size may be 0, data then ignored) to a new file in
 * `dir` and initialise `blob` as a MAPPED blob over it (MAP_SHARED, read and
 * write, so writes through blob->data reach the file). The file is created
 * exclusively as "<dir>/<filename>"; with `randomize`, a NULL filename
 * ("file"), or when that name exists, as "<stem>_XXXXXX<ext>" instead (the
 * extension of `filename` is kept). The blob owns the file and the mapping.
 * A zero-size blob has data == NULL and nothing mapped.
 */
int blob_persist_bytes(struct vaccel_blob *blob, const void *data, size_t size,
		       const char *dir, const char *filename, bool randomize);

#endif /* VACCEL_RESOURCE_INTERNAL_H */
