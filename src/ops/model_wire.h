// SPDX-License-Identifier: Apache-2.0
/*
 * Tensors of the model operations on the wire (docs/protocol.md §7.5.2,
 * include/uapi/linux/virtio_accel.h): the descriptor INT64_ARRAY
 * [data type, nr_dims, dims...] and the rule that ties it to the data
 * length. Compiled into both ends: libvaccel's genop decoder (the host's
 * boundary check) and the virtio plugin's encoder (the guest's early,
 * clearer error), so the two cannot disagree. Not installed.
 */
#ifndef VACCEL_OPS_MODEL_WIRE_H
#define VACCEL_OPS_MODEL_WIRE_H

#include <stddef.h>
#include <stdint.h>

enum model_fw {
	MODEL_FW_TF,
	MODEL_FW_TFLITE,
	MODEL_FW_TORCH,
};

#define MODEL_WIRE_MAX_DIMS 16 /* = VIRTIO_ACCEL_TENSOR_MAX_DIMS */

/* A decoded (checked) descriptor, copied out of the (maybe unaligned) arg. */
struct model_desc {
	int64_t data_type;
	int64_t nr_dims;
	int64_t dims[MODEL_WIRE_MAX_DIMS];
};

/*
 * Bits per element of `data_type` in framework `fw`: > 0 for fixed-size
 * types, 0 for types whose data length the dims do not determine (strings,
 * resources, variants), -1 for a number outside the framework's enum.
 */
int model_wire_elem_bits(enum model_fw fw, int64_t data_type);

/* Framework name for messages ("tf", "tflite", "torch"). */
const char *model_wire_fw_name(enum model_fw fw);

/*
 * Check a descriptor of `desc_len` bytes against `data_len` bytes of data
 * (each rule of §7.5.2: length a multiple of 8 holding exactly
 * 2 + nr_dims values, 0 <= nr_dims <= VIRTIO_ACCEL_TENSOR_MAX_DIMS, dims
 * >= 0, data type in the framework's range, product of dims x element size
 * == data_len without overflow). On success fills *out and returns NULL;
 * otherwise returns what is wrong (a static string).
 */
const char *model_wire_desc_check(enum model_fw fw, const void *desc,
				  size_t desc_len, uint64_t data_len,
				  struct model_desc *out);

/*
 * Bytes of a tensor of `nr_dims` dims: through *bytes; NULL on success,
 * otherwise what is wrong. Same rules as model_wire_desc_check().
 */
const char *model_wire_tensor_bytes(enum model_fw fw, int64_t data_type,
				    int64_t nr_dims, const int64_t *dims,
				    uint64_t *bytes);

/* Bytes of a descriptor of nr_dims dims. */
static inline size_t model_wire_desc_len(int64_t nr_dims)
{
	return (size_t)(2 + nr_dims) * sizeof(int64_t);
}

/* Fill `out` (model_wire_desc_len(nr_dims) bytes, any alignment). */
void model_wire_desc_fill(void *out, int64_t data_type, int64_t nr_dims,
			  const int64_t *dims);

#endif /* VACCEL_OPS_MODEL_WIRE_H */
