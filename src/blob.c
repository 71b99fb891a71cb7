// SPDX-License-Identifier: Apache-2.0
/*
 * Blobs: one piece of resource data, as a file (FILE), as memory (BUFFER) or
 * as a file mapped into memory (MAPPED).
 *
 * Ownership:
 *  - blob->name and blob->path are always heap copies freed at release.
 *  - path_owned: the file at blob->path was created by this blob (persisted
 *    bytes) and is removed at release.
 *  - data_owned: blob->data is released with the blob: munmap() for MAPPED
 *    blobs, free() for BUFFER blobs. Borrowed data is never touched.
 *
 * Mappings:
 *  - vaccel_blob_read() maps a user's file MAP_PRIVATE with read and write
 *    access: the bytes can be read (and scribbled on) in memory, but writes
 *    never reach the user's file. The mapping is owned and unmapped at
 *    release.
 *  - Persisted blobs (vaccel_blob_persist(), vaccel_blob_init_from_buf() with
 *    a dir) are written to a file the blob owns, which is then mapped
 *    MAP_SHARED read/write, so writes through blob->data reach that file
 *    (what a plugin reading the file by path expects).
 *  - A MAPPED blob of a zero-size file has data == NULL and maps nothing.
 */
#include "resource_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define RANDOM_SUFFIX	  "_XXXXXX"
#define DEFAULT_FILE_NAME "file"

static void blob_reset(struct vaccel_blob *blob)
{
	blob->type = VACCEL_BLOB_FILE;
	blob->name = NULL;
	blob->path = NULL;
	blob->path_owned = false;
	blob->data = NULL;
	blob->data_owned = false;
	blob->size = 0;
}

static int write_all(int fd, const uint8_t *data, size_t size)
{
	while (size > 0) {
		ssize_t n = write(fd, data, size);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		data += n;
		size -= (size_t)n;
	}
	return 0;
}

/*
 * Create the file: "<dir>/<name>" exclusively unless `randomize`; on a clash
 * (or when asked) "<dir>/<stem>_XXXXXX<ext>". Returns an fd (or -vaccel
 * code) and the path in `path` (PATH_MAX bytes).
 */
static int create_file(const char *dir, const char *name, bool randomize,
		       char *path)
{
	char tmpl_name[NAME_MAX + 1 + sizeof(RANDOM_SUFFIX)];
	const char *dot;
	size_t stem_len, ext_len;
	int fd, ret;

	if (!randomize) {
		ret = path_join(path, PATH_MAX, dir, name);
		if (ret)
			return -ret;
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST) {
			int err = errno;
			vaccel_error("Could not create file '%s': %s", path,
				     strerror(err));
			return -path_errno_to_vaccel(err);
		}
		vaccel_debug("File '%s' exists; using a random suffix", path);
	}

	/* keep the extension (not for dot files like ".config") */
	dot = strrchr(name, '.');
	if (dot && dot != name) {
		stem_len = (size_t)(dot - name);
		ext_len = strlen(dot);
	} else {
		stem_len = strlen(name);
		ext_len = 0;
	}
	if (stem_len + sizeof(RANDOM_SUFFIX) - 1 + ext_len > NAME_MAX) {
		vaccel_error("File name '%s' too long for a random suffix",
			     name);
		return -VACCEL_ENAMETOOLONG;
	}
	memcpy(tmpl_name, name, stem_len);
	memcpy(tmpl_name + stem_len, RANDOM_SUFFIX, sizeof(RANDOM_SUFFIX) - 1);
	memcpy(tmpl_name + stem_len + sizeof(RANDOM_SUFFIX) - 1,
	       name + stem_len, ext_len + 1);

	ret = path_join(path, PATH_MAX, dir, tmpl_name);
	if (ret)
		return -ret;
	fd = mkostemps(path, (int)ext_len, O_CLOEXEC);
	if (fd < 0) {
		int err = errno;
		vaccel_error("Could not create a file from template '%s': %s",
			     path, strerror(err));
		return -path_errno_to_vaccel(err);
	}
	return fd;
}

int blob_persist_bytes(struct vaccel_blob *blob, const void *data, size_t size,
		       const char *dir, const char *filename, bool randomize)
{
	const char *name = filename ? filename : DEFAULT_FILE_NAME;
	char *path = NULL, *path_dup = NULL, *name_dup = NULL;
	void *map = NULL;
	int fd = -1, ret, err;

	if (!blob || !dir || (size > 0 && !data)) {
		vaccel_error("Invalid arguments for persisting blob data");
		return VACCEL_EINVAL;
	}
	if (!path_filename_valid(name)) {
		vaccel_error("Invalid blob file name '%s'", name);
		return VACCEL_EINVAL;
	}
	if (!filename)
		randomize = true;

	path = malloc(PATH_MAX);
	if (!path) {
		vaccel_error("Could not allocate memory for a blob path");
		return VACCEL_ENOMEM;
	}

	fd = create_file(dir, name, randomize, path);
	if (fd < 0) {
		ret = -fd;
		fd = -1;
		goto fail;
	}

	err = write_all(fd, data, size);
	if (err) {
		vaccel_error("Could not write %zu bytes to '%s': %s", size,
			     path, strerror(err));
		ret = path_errno_to_vaccel(err);
		goto fail_unlink;
	}

	if (size > 0) {
		map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			   0);
		if (map == MAP_FAILED) {
			err = errno;
			map = NULL;
			vaccel_error("Could not map '%s': %s", path,
				     strerror(err));
			ret = err == ENOMEM ? VACCEL_ENOMEM : VACCEL_EIO;
			goto fail_unlink;
		}
	}

	path_dup = strdup(path);
	if (!path_dup) {
		vaccel_error("Could not allocate memory for a blob path");
		ret = VACCEL_ENOMEM;
		goto fail_unlink;
	}
	ret = path_basename_dup(path, &name_dup);
	if (ret)
		goto fail_unlink;

	close(fd);
	free(path);

	blob->type = VACCEL_BLOB_MAPPED;
	blob->name = name_dup;
	blob->path = path_dup;
	blob->path_owned = true;
	blob->data = map;
	blob->data_owned = true;
	blob->size = size;
	return VACCEL_OK;

fail_unlink:
	if (map)
		munmap(map, size);
	unlink(path);
fail:
	if (fd >= 0)
		close(fd);
	free(path_dup);
	free(path);
	return ret;
}

int vaccel_blob_init(struct vaccel_blob *blob, const char *path)
{
	struct stat st;
	char *name = NULL, *path_dup = NULL;
	int ret;

	if (!blob || !path) {
		vaccel_error("Invalid blob init arguments (blob=%p path=%p)",
			     (void *)blob, (const void *)path);
		return VACCEL_EINVAL;
	}
	if (stat(path, &st) != 0) {
		int err = errno;
		vaccel_error("Cannot access blob file '%s': %s", path,
			     strerror(err));
		return path_errno_to_vaccel(err);
	}
	if (!S_ISREG(st.st_mode)) {
		vaccel_error("Blob path '%s' is not a regular file", path);
		return VACCEL_EINVAL;
	}

	ret = path_basename_dup(path, &name);
	if (ret)
		return ret;
	path_dup = strdup(path);
	if (!path_dup) {
		vaccel_error("Could not allocate memory for a blob path");
		free(name);
		return VACCEL_ENOMEM;
	}

	blob_reset(blob);
	blob->type = VACCEL_BLOB_FILE;
	blob->name = name;
	blob->path = path_dup;
	return VACCEL_OK;
}

int vaccel_blob_new(struct vaccel_blob **blob, const char *path)
{
	struct vaccel_blob *b;
	int ret;

	if (!blob) {
		vaccel_error("Invalid blob pointer (NULL)");
		return VACCEL_EINVAL;
	}
	b = malloc(sizeof(*b));
	if (!b) {
		vaccel_error("Could not allocate memory for a blob");
		return VACCEL_ENOMEM;
	}
	ret = vaccel_blob_init(b, path);
	if (ret) {
		free(b);
		return ret;
	}
	*blob = b;
	return VACCEL_OK;
}

int vaccel_blob_init_from_buf(struct vaccel_blob *blob, const uint8_t *buf,
			      size_t size, bool own, const char *filename,
			      const char *dir, bool randomize)
{
	char *name;

	if (!blob || !buf || size == 0) {
		vaccel_error("Invalid blob buffer arguments (blob=%p buf=%p "
			     "size=%zu)",
			     (void *)blob, (const void *)buf, size);
		return VACCEL_EINVAL;
	}
	if (filename && !path_filename_valid(filename)) {
		vaccel_error("Invalid blob file name '%s'", filename);
		return VACCEL_EINVAL;
	}

	if (dir) {
		/* persisted: the file holds a copy, so `own` does not matter */
		struct vaccel_blob tmp;
		int ret = blob_persist_bytes(&tmp, buf, size, dir, filename,
					     randomize);
		if (ret)
			return ret;
		*blob = tmp;
		return VACCEL_OK;
	}

	name = strdup(filename ? filename : DEFAULT_FILE_NAME);
	if (!name) {
		vaccel_error("Could not allocate memory for a blob name");
		return VACCEL_ENOMEM;
	}

	blob_reset(blob);
	blob->type = VACCEL_BLOB_BUFFER;
	blob->name = name;
	blob->size = size;
	if (own) {
		blob->data = malloc(size);
		if (!blob->data) {
			vaccel_error(
				"Could not allocate %zu bytes for blob data",
				size);
			free(name);
			blob_reset(blob);
			return VACCEL_ENOMEM;
		}
		memcpy(blob->data, buf, size);
		blob->data_owned = true;
	} else {
		/* borrowed: the caller keeps `buf` alive for the blob's life */
		blob->data = (uint8_t *)buf;
		blob->data_owned = false;
	}
	return VACCEL_OK;
}

int vaccel_blob_from_buf(struct vaccel_blob **blob, const uint8_t *buf,
			 size_t size, bool own, const char *filename,
			 const char *dir, bool randomize)
{
	struct vaccel_blob *b;
	int ret;

	if (!blob) {
		vaccel_error("Invalid blob pointer (NULL)");
		return VACCEL_EINVAL;
	}
	b = malloc(sizeof(*b));
	if (!b) {
		vaccel_error("Could not allocate memory for a blob");
		return VACCEL_ENOMEM;
	}
	ret = vaccel_blob_init_from_buf(b, buf, size, own, filename, dir,
					randomize);
	if (ret) {
		free(b);
		return ret;
	}
	*blob = b;
	return VACCEL_OK;
}

int vaccel_blob_persist(struct vaccel_blob *blob, const char *dir,
			const char *filename, bool randomize)
{
	struct vaccel_blob tmp;
	int ret;

	if (!blob || !dir) {
		vaccel_error("Invalid blob persist arguments (blob=%p dir=%p)",
			     (void *)blob, (const void *)dir);
		return VACCEL_EINVAL;
	}
	if (blob->type != VACCEL_BLOB_BUFFER || !vaccel_blob_valid(blob)) {
		vaccel_error(
			"Only a valid BUFFER blob can be persisted (type %s)",
			vaccel_blob_type_to_str(blob->type));
		return VACCEL_EINVAL;
	}
	if (filename && !path_filename_valid(filename)) {
		vaccel_error("Invalid blob file name '%s'", filename);
		return VACCEL_EINVAL;
	}

	ret = blob_persist_bytes(&tmp, blob->data, blob->size, dir,
				 filename ? filename : blob->name, randomize);
	if (ret)
		return ret;

	if (blob->data_owned)
		free(blob->data);
	free(blob->name);
	free(blob->path);
	*blob = tmp;
	return VACCEL_OK;
}

int vaccel_blob_release(struct vaccel_blob *blob)
{
	if (!blob) {
		vaccel_error("Invalid blob (NULL)");
		return VACCEL_EINVAL;
	}

	if (blob->data_owned && blob->data) {
		if (blob->type == VACCEL_BLOB_MAPPED) {
			if (munmap(blob->data, blob->size) != 0)
				vaccel_warn("Could not unmap blob '%s': %s",
					    blob->name ? blob->name : "",
					    strerror(errno));
		} else {
			free(blob->data);
		}
	}
	if (blob->path_owned && blob->path) {
		if (unlink(blob->path) != 0 && errno != ENOENT)
			vaccel_warn("Could not remove blob file '%s': %s",
				    blob->path, strerror(errno));
	}
	free(blob->path);
	free(blob->name);
	blob_reset(blob);
	return VACCEL_OK;
}

int vaccel_blob_delete(struct vaccel_blob *blob)
{
	int ret;

	if (!blob) {
		vaccel_error("Invalid blob (NULL)");
		return VACCEL_EINVAL;
	}
	ret = vaccel_blob_release(blob);
	if (ret)
		return ret;
	free(blob);
	return VACCEL_OK;
}

int vaccel_blob_read(struct vaccel_blob *blob)
{
	struct stat st;
	void *map = NULL;
	size_t size;
	int fd, err;

	if (!blob) {
		vaccel_error("Invalid blob (NULL)");
		return VACCEL_EINVAL;
	}
	if (blob->type == VACCEL_BLOB_BUFFER ||
	    blob->type == VACCEL_BLOB_MAPPED) {
		if (!vaccel_blob_valid(blob)) {
			vaccel_error("Invalid %s blob",
				     vaccel_blob_type_to_str(blob->type));
			return VACCEL_EINVAL;
		}
		return VACCEL_OK; /* already in memory */
	}
	if (blob->type != VACCEL_BLOB_FILE || !blob->path) {
		vaccel_error("Invalid blob: unknown type or no path");
		return VACCEL_EINVAL;
	}

	fd = open(blob->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		vaccel_error("Could not open blob file '%s': %s", blob->path,
			     strerror(err));
		return path_errno_to_vaccel(err);
	}
	if (fstat(fd, &st) != 0) {
		err = errno;
		vaccel_error("Could not stat blob file '%s': %s", blob->path,
			     strerror(err));
		close(fd);
		return path_errno_to_vaccel(err);
	}
	if (!S_ISREG(st.st_mode)) {
		vaccel_error("Blob path '%s' is not a regular file",
			     blob->path);
		close(fd);
		return VACCEL_EINVAL;
	}
	if (st.st_size < 0 || (uintmax_t)st.st_size > SIZE_MAX) {
		vaccel_error("Blob file '%s' is too large to map", blob->path);
		close(fd);
		return VACCEL_ENOMEM;
	}
	size = (size_t)st.st_size;
	if (size > 0) {
		/* private copy-on-write: the user's file is never modified */
		map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd,
			   0);
		if (map == MAP_FAILED) {
			err = errno;
			vaccel_error("Could not map blob file '%s': %s",
				     blob->path, strerror(err));
			close(fd);
			return err == ENOMEM ? VACCEL_ENOMEM : VACCEL_EIO;
		}
	}
	close(fd);

	blob->type = VACCEL_BLOB_MAPPED;
	blob->data = map;
	blob->data_owned = true; /* unmapped at release */
	blob->size = size;
	return VACCEL_OK;
}

bool vaccel_blob_valid(const struct vaccel_blob *blob)
{
	if (!blob || !blob->name)
		return false;
	switch (blob->type) {
	case VACCEL_BLOB_FILE:
		return blob->path != NULL;
	case VACCEL_BLOB_BUFFER:
		return blob->data != NULL && blob->size > 0;
	case VACCEL_BLOB_MAPPED:
		return blob->path != NULL &&
		       (blob->data != NULL || blob->size == 0);
	default:
		return false;
	}
}

uint8_t *vaccel_blob_data(struct vaccel_blob *blob, size_t *size)
{
	if (!blob) {
		vaccel_error("Invalid blob (NULL)");
		return NULL;
	}
	if (blob->type == VACCEL_BLOB_FILE && vaccel_blob_read(blob) != 0)
		return NULL;
	if (size)
		*size = blob->size;
	return blob->data;
}

const char *vaccel_blob_path(struct vaccel_blob *blob)
{
	if (!blob) {
		vaccel_error("Invalid blob (NULL)");
		return NULL;
	}
	if (blob->type == VACCEL_BLOB_BUFFER)
		return NULL;
	return blob->path;
}
