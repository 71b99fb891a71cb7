// SPDX-License-Identifier: Apache-2.0
/*
 * vAccel error codes: VACCEL_OK (0) or a positive errno value.
 * The values are the Linux errno numbers of the same name (x86-64, arm64, arm).
 */
#ifndef VACCEL_ERROR_H
#define VACCEL_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

enum {
	VACCEL_OK = 0,
	VACCEL_EPERM = 1,
	VACCEL_ENOENT = 2,
	VACCEL_EIO = 5,
	VACCEL_ENOEXEC = 8,
	VACCEL_EBADF = 9,
	VACCEL_EAGAIN = 11,
	VACCEL_ENOMEM = 12,
	VACCEL_EACCES = 13,
	VACCEL_EFAULT = 14,
	VACCEL_EBUSY = 16,
	VACCEL_EEXIST = 17,
	VACCEL_ENODEV = 19,
	VACCEL_ENOTDIR = 20,
	VACCEL_EINVAL = 22,
	VACCEL_ENOSPC = 28,
	VACCEL_EROFS = 30,
	VACCEL_EMLINK = 31,
	VACCEL_ERANGE = 34,
	VACCEL_ENAMETOOLONG = 36,
	VACCEL_ENOSYS = 38,
	VACCEL_ELOOP = 40,
	VACCEL_EBACKEND = 71, /* EPROTO: plugin subsystem down or plugin failure */
	VACCEL_ELIBBAD = 80,
	VACCEL_EUSERS = 87,
	VACCEL_ENOTSUP = 95,
	VACCEL_ESESS = 104, /* ECONNRESET: sessions subsystem down */
	VACCEL_EINPROGRESS = 115,
	VACCEL_EREMOTEIO = 121,
};

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_ERROR_H */
