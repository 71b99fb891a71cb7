// SPDX-License-Identifier: Apache-2.0
/*
 * The virtio-accel ioctls (docs/protocol.md §9) as calls of vAccel's RPC
 * agent service: each handler fills the ioctl's struct (status,
 * vaccel_ret, ids, produced sizes) exactly as the device's driver would,
 * and returns 0 or -errno. The transport (transport_rpc.c) holds its lock
 * around each.
 *
 *   transport_rpc.c   GET_INFO (synthesised), SESSION_CREATE/DESTROY
 *   rpc_resources.c   RESOURCE_CREATE/REGISTER/UNREGISTER/DESTROY
 *   rpc_genop.c       OP, as a Genop
 */
#ifndef VACCEL_RPC_IOC_H
#define VACCEL_RPC_IOC_H

#include <linux/virtio_accel.h>

int rpc_ioc_resource_create(struct virtio_accel_ioc_resource_create *c);
int rpc_ioc_resource_register(struct virtio_accel_ioc_resource *r);
int rpc_ioc_resource_unregister(struct virtio_accel_ioc_resource *r);
int rpc_ioc_resource_destroy(struct virtio_accel_ioc_resource *r);
int rpc_ioc_op(struct virtio_accel_ioc_op *op);

#endif /* VACCEL_RPC_IOC_H */
