// SPDX-License-Identifier: Apache-2.0
/*
 * vhost-user-accel: vhost-user back-end for the virtio-accel device.
 * One binary, two roles: the supervisor (host/supervisor.h) and, started
 * by it with --serve-fd, the process of one front-end (host/child.h).
 */
#include "child.h"
#include "log.h"
#include "opts.h"
#include "supervisor.h"

int main(int argc, char **argv)
{
	struct device_opts o;
	int rc = opts_parse(argc, argv, &o);
	if (rc >= 0)
		return rc;
	dev_log_level = o.verbose;
	if (o.serve_fd >= 0 || o.probe)
		return child_run(&o);
	return supervisor_run(&o, argc, argv);
}
