// SPDX-License-Identifier: Apache-2.0
/*
 * Path parsing and classification for resources.
 */
#include "resource_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>

#ifndef NAME_MAX
#define NAME_MAX 255
#endif

/* Deepest directory nesting path_list_files() descends into. */
#define PATH_LIST_MAX_DEPTH 64

static const char file_scheme[] = "file";
static const char *const remote_schemes[] = {"http", "https", "ftp"};

int path_errno_to_vaccel(int err)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
		return VACCEL_ENOENT;
	case EACCES:
		return VACCEL_EACCES;
	case EPERM:
		return VACCEL_EPERM;
	case ENAMETOOLONG:
		return VACCEL_ENAMETOOLONG;
	case ELOOP:
		return VACCEL_ELOOP;
	case ENOMEM:
		return VACCEL_ENOMEM;
	case ENOSPC:
	case EDQUOT:
		return VACCEL_ENOSPC;
	case EROFS:
		return VACCEL_EROFS;
	case EEXIST:
		return VACCEL_EEXIST;
	case EMFILE:
	case ENFILE:
		return VACCEL_EAGAIN; /* out of file descriptors */
	case EIO:
		return VACCEL_EIO;
	default:
		return VACCEL_EINVAL;
	}
}

/*
 * Length of the scheme name if `path` starts with "<scheme>://", where
 * scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ); 0 otherwise.
 */
static size_t scheme_len(const char *path)
{
	size_t i = 0;

	if (!isalpha((unsigned char)path[0]))
		return 0;
	for (i = 1; path[i]; i++) {
		unsigned char c = (unsigned char)path[i];
		if (isalnum(c) || c == '+' || c == '-' || c == '.')
			continue;
		break;
	}
	if (strncmp(path + i, "://", 3) != 0)
		return 0;
	return i;
}

static bool scheme_is(const char *path, size_t len, const char *scheme)
{
	return strlen(scheme) == len && strncasecmp(path, scheme, len) == 0;
}

bool path_is_remote(const char *path)
{
	size_t len;

	if (!path)
		return false;
	len = scheme_len(path);
	if (!len)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(remote_schemes); i++)
		if (scheme_is(path, len, remote_schemes[i]))
			return true;
	return false;
}

const char *path_local(const char *path)
{
	size_t len;

	if (!path)
		return NULL;
	len = scheme_len(path);
	if (len && scheme_is(path, len, file_scheme))
		return path + len + 3;
	return path;
}

int path_classify(const char *path, vaccel_path_type_t *type)
{
	const char *local = path;
	struct stat st;
	size_t len;

	if (!path || !type) {
		vaccel_error("Invalid path classification arguments (path=%p "
			     "type=%p)",
			     (const void *)path, (void *)type);
		return VACCEL_EINVAL;
	}
	if (!path[0]) {
		vaccel_error("Invalid path: empty string");
		return VACCEL_EINVAL;
	}

	len = scheme_len(path);
	if (len) {
		if (path_is_remote(path)) {
			const char *rest = path + len + 3;
			if (!rest[0] || rest[0] == '/') {
				vaccel_error("Invalid URL '%s': no host", path);
				return VACCEL_EINVAL;
			}
			for (const char *c = rest; *c; c++) {
				if (isspace((unsigned char)*c) ||
				    iscntrl((unsigned char)*c)) {
					vaccel_error("Invalid URL '%s': "
						     "contains whitespace or "
						     "control characters",
						     path);
					return VACCEL_EINVAL;
				}
			}
			*type = VACCEL_PATH_REMOTE_FILE;
			return VACCEL_OK;
		}
		if (!scheme_is(path, len, file_scheme)) {
			vaccel_error(
				"Invalid path '%s': unsupported scheme '%.*s' "
				"(use file://, http://, https:// or ftp://)",
				path, (int)len, path);
			return VACCEL_EINVAL;
		}
		local = path + len + 3;
		if (!local[0]) {
			vaccel_error("Invalid path '%s': empty file:// path",
				     path);
			return VACCEL_EINVAL;
		}
	} else {
		vaccel_warn(
			"Path '%s' has no scheme; treating it as a local path",
			path);
	}

	if (stat(local, &st) != 0) {
		int err = errno;
		vaccel_error("Cannot access path '%s': %s", local,
			     strerror(err));
		return path_errno_to_vaccel(err);
	}
	if (S_ISDIR(st.st_mode)) {
		*type = VACCEL_PATH_LOCAL_DIR;
	} else if (S_ISREG(st.st_mode)) {
		*type = VACCEL_PATH_LOCAL_FILE;
	} else {
		vaccel_error(
			"Invalid path '%s': not a regular file or directory",
			local);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

bool path_filename_valid(const char *name)
{
	size_t len;

	if (!name)
		return false;
	len = strlen(name);
	if (len == 0 || len > NAME_MAX)
		return false;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	return strchr(name, '/') == NULL;
}

int path_basename_dup(const char *path, char **name)
{
	size_t end, start;
	char *out;

	if (!path || !name) {
		vaccel_error("Invalid basename arguments");
		return VACCEL_EINVAL;
	}
	end = strlen(path);
	while (end > 1 && path[end - 1] == '/')
		end--;
	start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	if (end == start) {
		vaccel_error("Invalid path '%s': no file name", path);
		return VACCEL_EINVAL;
	}
	out = strndup(path + start, end - start);
	if (!out) {
		vaccel_error("Could not allocate memory for a file name");
		return VACCEL_ENOMEM;
	}
	*name = out;
	return VACCEL_OK;
}

int path_join(char *out, size_t out_size, const char *dir, const char *name)
{
	size_t dlen, nlen, need;
	bool slash;

	if (!out || !dir || !name) {
		vaccel_error("Invalid path join arguments");
		return VACCEL_EINVAL;
	}
	dlen = strlen(dir);
	nlen = strlen(name);
	slash = dlen > 0 && dir[dlen - 1] != '/';
	/* dlen + slash + nlen + NUL, overflow-checked */
	if (dlen > SIZE_MAX - nlen - 2) {
		vaccel_error("Path too long");
		return VACCEL_ENAMETOOLONG;
	}
	need = dlen + (slash ? 1 : 0) + nlen + 1;
	if (need > out_size) {
		vaccel_error("Path '%s/%s' too long (%zu > %zu bytes)", dir,
			     name, need, out_size);
		return VACCEL_ENAMETOOLONG;
	}
	memcpy(out, dir, dlen);
	if (slash)
		out[dlen++] = '/';
	memcpy(out + dlen, name, nlen + 1);
	return VACCEL_OK;
}

/* ---- recursive listing --------------------------------------------------- */

struct file_list {
	char **files;
	size_t nr;
	size_t cap;
};

struct dir_id {
	dev_t dev;
	ino_t ino;
};

static int file_list_add(struct file_list *l, const char *path)
{
	char *dup;

	if (l->nr == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **n;
		if (cap < l->cap || cap > SIZE_MAX / sizeof(*n)) {
			vaccel_error("Too many files in directory tree");
			return VACCEL_ENOMEM;
		}
		n = realloc(l->files, cap * sizeof(*n));
		if (!n) {
			vaccel_error("Could not allocate memory for file list");
			return VACCEL_ENOMEM;
		}
		l->files = n;
		l->cap = cap;
	}
	dup = strdup(path);
	if (!dup) {
		vaccel_error("Could not allocate memory for file list");
		return VACCEL_ENOMEM;
	}
	l->files[l->nr++] = dup;
	return VACCEL_OK;
}

static int dirent_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int dirent_filter(const struct dirent *d)
{
	return strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
}

static int list_dir(const char *dir, struct file_list *l,
		    struct dir_id *ancestors, size_t depth)
{
	struct dirent **ents = NULL;
	char *child = NULL;
	int n, ret = VACCEL_OK;

	if (depth >= PATH_LIST_MAX_DEPTH) {
		vaccel_error("Directory tree under '%s' nested too deeply (> "
			     "%d levels)",
			     dir, PATH_LIST_MAX_DEPTH);
		return VACCEL_ELOOP;
	}

	n = scandir(dir, &ents, dirent_filter, dirent_cmp);
	if (n < 0) {
		int err = errno;
		vaccel_error("Cannot read directory '%s': %s", dir,
			     strerror(err));
		return path_errno_to_vaccel(err);
	}

	child = malloc(PATH_MAX);
	if (!child) {
		vaccel_error("Could not allocate memory for a path");
		ret = VACCEL_ENOMEM;
		goto out;
	}

	for (int i = 0; i < n && ret == VACCEL_OK; i++) {
		struct stat st;
		bool cycle = false;

		ret = path_join(child, PATH_MAX, dir, ents[i]->d_name);
		if (ret)
			break;
		if (stat(child, &st) != 0) {
			/* dangling link or a file removed meanwhile */
			vaccel_warn("Skipping '%s': %s", child,
				    strerror(errno));
			continue;
		}
		if (S_ISREG(st.st_mode)) {
			ret = file_list_add(l, child);
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			vaccel_debug("Skipping '%s': not a regular file or "
				     "directory",
				     child);
			continue;
		}
		for (size_t a = 0; a <= depth; a++) {
			if (ancestors[a].dev == st.st_dev &&
			    ancestors[a].ino == st.st_ino) {
				cycle = true;
				break;
			}
		}
		if (cycle) {
			vaccel_warn("Skipping '%s': directory cycle", child);
			continue;
		}
		ancestors[depth + 1].dev = st.st_dev;
		ancestors[depth + 1].ino = st.st_ino;
		ret = list_dir(child, l, ancestors, depth + 1);
	}

out:
	free(child);
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return ret;
}

void path_list_free(char **files, size_t nr_files)
{
	if (!files)
		return;
	for (size_t i = 0; i < nr_files; i++)
		free(files[i]);
	free(files);
}

int path_list_files(const char *dir, char ***files, size_t *nr_files)
{
	struct dir_id ancestors[PATH_LIST_MAX_DEPTH + 1];
	struct file_list l = {0};
	struct stat st;
	int ret;

	if (!dir || !files || !nr_files) {
		vaccel_error("Invalid directory listing arguments");
		return VACCEL_EINVAL;
	}
	if (stat(dir, &st) != 0) {
		int err = errno;
		vaccel_error("Cannot access directory '%s': %s", dir,
			     strerror(err));
		return path_errno_to_vaccel(err);
	}
	if (!S_ISDIR(st.st_mode)) {
		vaccel_error("'%s' is not a directory", dir);
		return VACCEL_ENOTDIR;
	}
	ancestors[0].dev = st.st_dev;
	ancestors[0].ino = st.st_ino;

	ret = list_dir(dir, &l, ancestors, 0);
	if (ret) {
		path_list_free(l.files, l.nr);
		return ret;
	}
	*files = l.files;
	*nr_files = l.nr;
	return VACCEL_OK;
}
