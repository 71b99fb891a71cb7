// SPDX-License-Identifier: Apache-2.0
/*
 * Which sessions each agent resource is registered with. The agent has
 * no "destroy resource": it destroys a resource when it is unregistered
 * from its last session (upstream's semantics), so the transport turns
 * RESOURCE_DESTROY into one unregistration per session left here.
 *
 * Not thread-safe: the transport holds its lock around every use.
 */
#ifndef VACCEL_RPC_RESTRACK_H
#define VACCEL_RPC_RESTRACK_H

#include <stddef.h>
#include <stdint.h>

/* 0, or -ENOMEM. Adding a pair twice keeps one. */
int restrack_add(int64_t res, int64_t sess);
void restrack_del(int64_t res, int64_t sess);
/* The sessions of `res` (malloc'd, *n of them; NULL when none), and the
 * resource forgotten. */
int64_t *restrack_take(int64_t res, size_t *n);
/* A destroyed session: removed from every resource. */
void restrack_drop_session(int64_t sess);
void restrack_clear(void);

#endif /* VACCEL_RPC_RESTRACK_H */
