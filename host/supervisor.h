// SPDX-License-Identifier: Apache-2.0
/*
 * The listening process. It accepts connections and starts one front-end
 * process per connection (host/child.h), at most --max-frontends at once;
 * it never maps guest memory, loads no plugin and parses nothing a guest
 * or a VMM sends. When a front-end process ends it writes an
 * "event=exit" record (and logs a crash), and keeps serving the others.
 * SIGTERM/SIGINT/SIGHUP: stop accepting, end every front-end process
 * (SIGTERM, then SIGKILL after a grace period), exit.
 */
#ifndef VHOST_ACCEL_SUPERVISOR_H
#define VHOST_ACCEL_SUPERVISOR_H

#include "opts.h"

int supervisor_run(const struct device_opts *o, int argc, char **argv);

#endif
