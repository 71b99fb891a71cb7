/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Protobuf wire primitives shared by the RPC code, and a bound on what
 * decoding a message costs.
 *
 * protobuf-c unpacks every element of a repeated field and every unknown
 * field into an allocation of its own: tens of bytes (the struct, a
 * pointer, the allocator's overhead) for as little as two bytes of wire,
 * eight bytes for each one-byte element of a packed int64 field. A method
 * payload of --rpc-max-message bytes could so cost tens of times that
 * (an 8 MiB Genop of empty args: 500 MB). The payload is walked first,
 * allocating nothing, and refused when it holds more field occurrences
 * and packed elements than this: far more than any request within the
 * other limits needs (a Genop of 4097 args of 6 fields, a TF run of 512
 * tensors of 16 dims and 1024 nodes), and a decoded size of a few MiB.
 */
#ifndef VACCEL_RPC_DECODE_BOUND_H
#define VACCEL_RPC_DECODE_BOUND_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Field occurrences and packed elements a message may hold, at most:
 * see above. */
#define RPC_MAX_DECODED_ITEMS 65536u

/* Read one varint at *p (advanced), not past end. */
bool rpc_pb_varint(const uint8_t **p, const uint8_t *end, uint64_t *v);

/*
 * Walk message `d` in p[0..len) allocating nothing: 0, -E2BIG when it
 * holds more than `max` field occurrences and packed elements, -EBADMSG
 * when the wire is malformed (protobuf-c would refuse it too). Run it
 * before protobuf_c_message_unpack() on anything a peer sent.
 */
int rpc_decode_bound(const ProtobufCMessageDescriptor *d, const uint8_t *p,
		     size_t len, uint64_t max);

#endif /* VACCEL_RPC_DECODE_BOUND_H */
