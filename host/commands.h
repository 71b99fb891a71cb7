// SPDX-License-Identifier: Apache-2.0
/*
 * Executing one request (docs/protocol.md §7): parse and validate it
 * (request_parse), run the command through libvaccel's public API, write
 * the response and complete the chain.
 */
#ifndef VHOST_ACCEL_COMMANDS_H
#define VHOST_ACCEL_COMMANDS_H

#include "workers.h"

void request_run(struct job *j);

#endif
