// SPDX-License-Identifier: Apache-2.0
/*
 * A front-end process: started by the supervisor (fork + exec of the
 * daemon's own binary, so it begins with a fresh, re-randomised address
 * space and loads its own plugins) with the accepted connection, it loads
 * the plugins, limits itself (rlimits, --confined: seccomp), serves that
 * one front-end and exits when it goes away. It dies with the supervisor.
 */
#ifndef VHOST_ACCEL_CHILD_H
#define VHOST_ACCEL_CHILD_H

#include "opts.h"

/* Process names (ps, top, /proc/PID/comm): "vua-fe<N>" for front-end N of
 * the stats records, "vua-probe" for --probe's plugin check. */
#define CHILD_NAME_PREFIX "vua-fe"
#define CHILD_NAME_PROBE  "vua-probe"

/* The process's exit status. With o->probe: load the plugins and exit
 * (0: they load). */
int child_run(const struct device_opts *o);

#endif
