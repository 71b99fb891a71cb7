// SPDX-License-Identifier: Apache-2.0
#include "resbuild.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/virtio_accel.h>

bool blob_name_ok(const uint8_t *p, uint64_t len)
{
	if (len < 2 || len > VIRTIO_ACCEL_BLOB_NAME_MAX + 1 || p[len - 1])
		return false;
	if (memchr(p, 0, len - 1) || memchr(p, '/', len - 1))
		return false;
	return strcmp((const char *)p, ".") && strcmp((const char *)p, "..");
}

static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") ||
			    !strcmp(de->d_name, ".."))
				continue;
			char p[4096];
			if (snprintf(p, sizeof(p), "%s/%s", dir, de->d_name) <
			    (int)sizeof(p))
				unlink(p);
		}
		closedir(d);
	}
	rmdir(dir);
}

static int from_several(struct vaccel_resource **r, const struct named_buf *b,
			uint32_t n, vaccel_resource_type_t type,
			const char **err)
{
	char dir[4096];
	const char *rd = vaccel_rundir();
	struct vaccel_blob **blobs = calloc(n, sizeof(*blobs));
	if (!rd || !blobs ||
	    snprintf(dir, sizeof(dir), "%s/vhost-blobs.XXXXXX", rd) >=
		    (int)sizeof(dir) ||
	    !mkdtemp(dir)) {
		free(blobs);
		*err = "cannot create a scratch directory";
		return VACCEL_EIO;
	}
	int vret = VACCEL_OK;
	for (uint32_t i = 0; i < n && vret == VACCEL_OK; i++)
		vret = vaccel_blob_from_buf(&blobs[i], b[i].p, b[i].len, false,
					    b[i].name, dir, false);
	if (vret == VACCEL_OK)
		vret = vaccel_resource_from_blobs(
			r, (const struct vaccel_blob **)blobs, n, type);
	for (uint32_t i = 0; i < n; i++)
		if (blobs[i])
			vaccel_blob_delete(blobs[i]);
	free(blobs);
	remove_tree(dir);
	return vret;
}

int resource_from_named(struct vaccel_resource **r, const struct named_buf *b,
			uint32_t n, vaccel_resource_type_t type,
			const char **err)
{
	if (n == 1)
		return vaccel_resource_from_buf(r, b[0].p, b[0].len, type,
						b[0].name, false);
	return from_several(r, b, n, type, err);
}
