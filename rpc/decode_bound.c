// SPDX-License-Identifier: Apache-2.0
#include "decode_bound.h"

#include <errno.h>

bool rpc_pb_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	*v = 0;
	for (unsigned int shift = 0; shift < 64 && *p < end; shift += 7) {
		uint8_t b = *(*p)++;
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return true;
	}
	return false;
}

/* Elements of a packed repeated scalar field of `len` bytes. */
static uint64_t packed_elements(ProtobufCType t, const uint8_t *p, size_t len)
{
	switch (t) {
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return len / 8;
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_FLOAT:
		return len / 4;
	default: { /* varints: one per final byte */
		uint64_t n = 0;
		for (size_t i = 0; i < len; i++)
			n += !(p[i] & 0x80);
		return n;
	}
	}
}

static int payload_items(const ProtobufCMessageDescriptor *d, const uint8_t *p,
			 size_t len, uint64_t max, uint64_t *items)
{
	if (!len)
		return 0; /* p may be NULL: no arithmetic on it */
	const uint8_t *end = p + len;
	while (p < end) {
		uint64_t key, v = 0;
		const uint8_t *sub = NULL;
		if (!rpc_pb_varint(&p, end, &key) || !(key >> 3) ||
		    (key >> 3) > UINT32_MAX)
			return -EBADMSG;
		switch (key & 7) {
		case 0:
			if (!rpc_pb_varint(&p, end, &v))
				return -EBADMSG;
			break;
		case 1:
		case 5: {
			size_t n = (key & 7) == 1 ? 8 : 4;
			if ((size_t)(end - p) < n)
				return -EBADMSG;
			p += n;
			break;
		}
		case 2:
			if (!rpc_pb_varint(&p, end, &v) ||
			    v > (uint64_t)(end - p))
				return -EBADMSG;
			sub = p;
			p += v;
			break;
		default: /* groups: protobuf-c has none */
			return -EBADMSG;
		}
		if (++*items > max)
			return -E2BIG;
		const ProtobufCFieldDescriptor *f =
			protobuf_c_message_descriptor_get_field(
				d, (unsigned int)(key >> 3));
		if (!f || !sub)
			continue; /* unknown (counted), or not LEN */
		if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
			int rc = payload_items(f->descriptor, sub,
					       (size_t)v, max, items);
			if (rc < 0)
				return rc;
		} else if (f->label == PROTOBUF_C_LABEL_REPEATED &&
			   f->type != PROTOBUF_C_TYPE_STRING &&
			   f->type != PROTOBUF_C_TYPE_BYTES) {
			*items += packed_elements(f->type, sub, (size_t)v);
			if (*items > max)
				return -E2BIG;
		}
	}
	return 0;
}

int rpc_decode_bound(const ProtobufCMessageDescriptor *d, const uint8_t *p,
		     size_t len, uint64_t max)
{
	uint64_t items = 0;
	return payload_items(d, p, len, max, &items);
}
