// SPDX-License-Identifier: Apache-2.0
/*
 * File-system writes of a confined front-end process, restricted with
 * Landlock: seccomp sees only pointers, so it cannot tell a resource file
 * in the run directory from /etc/passwd; Landlock can. Reads and executes
 * stay allowed (plugins load their dependencies lazily); creating,
 * writing, truncating, renaming and removing are allowed below one
 * directory only (the process's vAccel run directory).
 */
#ifndef VHOST_ACCEL_LANDLOCK_H
#define VHOST_ACCEL_LANDLOCK_H

/* 0: restricted; 1: the kernel has no Landlock (nothing done); -1: error
 * (errno set). Needs no_new_privs (or CAP_SYS_ADMIN). */
int landlock_writes_below(const char *dir);

#endif
