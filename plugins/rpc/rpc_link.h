// SPDX-License-Identifier: Apache-2.0
/*
 * The RPC transport's one connection to the agent (a vhost-user-accel
 * started with --rpc-listen, or upstream's vaccel-rpc-agent): its address
 * and deadline from the environment, connecting and reconnecting, and one
 * call whose outcome is told the way the virtio-accel ioctls tell theirs.
 *
 * Not thread-safe: the transport serialises every call (one connection
 * per process, one call in flight).
 */
#ifndef VACCEL_RPC_LINK_H
#define VACCEL_RPC_LINK_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

/* Every call is answered within this many milliseconds, or fails. */
#define RPC_TIMEOUT_ENV	       "VACCEL_RPC_TIMEOUT_MS"
#define RPC_TIMEOUT_DEFAULT_MS 300000
#define RPC_TIMEOUT_MAX_MS     86400000

/* The agent's address: $VACCEL_RPC_ADDRESS, else $VACCEL_RPC_ADDR, else
 * RPC_ADDRESS_DEFAULT. */
void link_choose_address(char *buf, size_t n);

/* Parse the address and connect: 0, or -errno (-EINVAL: a bad address,
 * logged; a connect failure is left to the caller to report). */
int link_open(const char *address);
void link_close(void);
/* The address, for messages. */
const char *link_address(void);

/*
 * One call of the agent's `method`. 0 when the agent answered OK (*resp:
 * the unpacked `resp_desc` message, or NULL without one) or with a vAccel
 * error (then *vret holds its code, *resp is NULL). Otherwise -errno with
 * *status the virtio-accel status it stands for, after one log line:
 *   -ENOENT (NOSESS/NORES)   the agent does not know the session/resource
 *   -ENOSPC (LIMIT)          RESOURCE_EXHAUSTED
 *   -EOPNOTSUPP (UNSUPP)     UNIMPLEMENTED
 *   -EIO (ERR)               another status code
 *   -ECONNREFUSED            no agent to reconnect to
 *   -EIO, -ETIMEDOUT         the connection ended, or the deadline passed
 *   -EPROTO                  the answer was not a valid response
 *   -E2BIG                   the request exceeds the message limit
 * The connection is dropped after a transport failure and opened again
 * by the next call (and by the first call of a forked child).
 */
int link_call(const char *method, const ProtobufCMessage *req,
	      const ProtobufCMessageDescriptor *resp_desc,
	      ProtobufCMessage **resp, uint32_t *status, int32_t *vret);

#endif /* VACCEL_RPC_LINK_H */
