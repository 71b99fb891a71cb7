// SPDX-License-Identifier: Apache-2.0
#ifndef VHOST_ACCEL_CONFINE_H
#define VHOST_ACCEL_CONFINE_H

/* Enter confined mode (no new privileges + seccomp allow-list). */
int confine_self(void);

#endif
