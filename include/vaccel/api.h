// SPDX-License-Identifier: Apache-2.0
/* Symbol visibility for the public API (the library is built with hidden visibility). */
#ifndef VACCEL_API_H
#define VACCEL_API_H

#ifndef VACCEL_API
#define VACCEL_API __attribute__((visibility("default")))
#endif

#ifndef VACCEL_DEPRECATED
#define VACCEL_DEPRECATED(msg) __attribute__((deprecated(msg)))
#endif

#endif /* VACCEL_API_H */
