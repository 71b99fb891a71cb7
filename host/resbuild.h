// SPDX-License-Identifier: Apache-2.0
/*
 * A resource built from blobs sent by value (a name and bytes each), the
 * same for a virtio RESOURCE_CREATE and an RPC RegisterResource: one blob
 * becomes the resource's file directly; several are first written to a
 * scratch directory under the run directory, from which the resource
 * copies them into its own.
 */
#ifndef VHOST_ACCEL_RESBUILD_H
#define VHOST_ACCEL_RESBUILD_H

#include <stdbool.h>
#include <stdint.h>

#include <vaccel.h>

struct named_buf {
	const char *name; /* checked by blob_name_ok */
	const void *p;
	uint64_t len;
};

/* A blob name of len bytes including its NUL: not empty, no '/', not "."
 * or "..", at most VIRTIO_ACCEL_BLOB_NAME_MAX characters. */
bool blob_name_ok(const uint8_t *p, uint64_t len);

/* A vAccel code; *err names a host-side failure (then the code is
 * VACCEL_EIO). */
int resource_from_named(struct vaccel_resource **r, const struct named_buf *b,
			uint32_t n, vaccel_resource_type_t type,
			const char **err);

#endif
