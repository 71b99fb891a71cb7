// SPDX-License-Identifier: Apache-2.0
/*
 * The run directory: /run/user/<uid>/vaccel/<random>/ (created 0700), with
 * session.<id>/ and resource.<id>/ below it. If /run/user/<uid> cannot be
 * used, $TMPDIR (or /tmp) /vaccel-<uid>/ is used instead.
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char rundir_path[PATH_MAX];

static int mkdir_p(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];
	size_t len = strlen(path);
	if (len == 0 || len >= sizeof(tmp))
		return ENAMETOOLONG;
	memcpy(tmp, path, len + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) != 0 && errno != EEXIST)
			return errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) != 0 && errno != EEXIST)
		return errno;
	return 0;
}

static int try_base(const char *base)
{
	char tmpl[PATH_MAX];
	if (mkdir_p(base, 0700) != 0)
		return errno ? errno : EIO;
	int n = snprintf(tmpl, sizeof(tmpl), "%s/XXXXXX", base);
	if (n < 0 || (size_t)n >= sizeof(tmpl))
		return ENAMETOOLONG;
	if (!mkdtemp(tmpl))
		return errno;
	memcpy(rundir_path, tmpl, (size_t)n + 1);
	return 0;
}

int rundir_bootstrap(void)
{
	char base[PATH_MAX];
	uid_t uid = getuid();

	rundir_path[0] = '\0';
	snprintf(base, sizeof(base), "/run/user/%u/vaccel", (unsigned)uid);
	int err = try_base(base);
	if (err == 0)
		return VACCEL_OK;

	const char *tmp = getenv("TMPDIR");
	if (!tmp || tmp[0] != '/')
		tmp = "/tmp";
	snprintf(base, sizeof(base), "%s/vaccel-%u", tmp, (unsigned)uid);
	err = try_base(base);
	if (err == 0)
		return VACCEL_OK;
	vaccel_error("Could not create the run directory under %s: %s", base,
		     strerror(err));
	return VACCEL_EIO;
}

void rundir_cleanup(void)
{
	if (rundir_path[0] == '\0')
		return;
	if (fs_remove_tree(rundir_path) != VACCEL_OK)
		vaccel_warn("Could not remove run directory %s", rundir_path);
	rundir_path[0] = '\0';
}

const char *vaccel_rundir(void)
{
	return rundir_path[0] ? rundir_path : NULL;
}

int rundir_create_child(const char *prefix, vaccel_id_t id, char *out,
			size_t out_size)
{
	if (!prefix || !out || out_size == 0)
		return VACCEL_EINVAL;
	if (rundir_path[0] == '\0') {
		vaccel_error("No run directory (vAccel is not bootstrapped)");
		return VACCEL_EPERM;
	}
	int n = snprintf(out, out_size, "%s/%s.%lld", rundir_path, prefix,
			 (long long)id);
	if (n < 0 || (size_t)n >= out_size)
		return VACCEL_ENAMETOOLONG;
	if (mkdir(out, 0700) != 0 && errno != EEXIST) {
		int err = errno;
		vaccel_error("Could not create %s: %s", out, strerror(err));
		return err;
	}
	return VACCEL_OK;
}

static int remove_at(int dirfd, const char *name, int depth)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0) == 0 ? 0 : errno;
	if (depth > 64)
		return ELOOP;
	int fd = openat(dirfd, name,
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return errno;
	}
	int ret = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		int r = remove_at(fd, e->d_name, depth + 1);
		if (r && !ret)
			ret = r;
	}
	closedir(d);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) != 0 && !ret)
		ret = errno;
	return ret;
}

int fs_remove_tree(const char *path)
{
	if (!path || path[0] == '\0')
		return VACCEL_EINVAL;
	int r = remove_at(AT_FDCWD, path, 0);
	return r == ENOENT ? VACCEL_OK : r;
}
