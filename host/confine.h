// SPDX-License-Identifier: Apache-2.0
#ifndef VHOST_ACCEL_CONFINE_H
#define VHOST_ACCEL_CONFINE_H

/* no_new_privs + the front-end process's seccomp allow-list (confine.c). */
int confine_frontend(void);

#endif
