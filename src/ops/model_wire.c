// SPDX-License-Identifier: Apache-2.0
#include "model_wire.h"

#include <linux/virtio_accel.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Element bits by data type number (index); 0: length not fixed by dims. */
static const int tf_bits[] = {
	[1] = 32,  /* FLOAT */
	[2] = 64,  /* DOUBLE */
	[3] = 32,  /* INT32 */
	[4] = 8,   /* UINT8 */
	[5] = 16,  /* INT16 */
	[6] = 8,   /* INT8 */
	[7] = 0,   /* STRING */
	[8] = 64,  /* COMPLEX64 */
	[9] = 64,  /* INT64 */
	[10] = 8,  /* BOOL */
	[11] = 8,  /* QINT8 */
	[12] = 8,  /* QUINT8 */
	[13] = 32, /* QINT32 */
	[14] = 16, /* BFLOAT16 */
	[15] = 16, /* QINT16 */
	[16] = 16, /* QUINT16 */
	[17] = 16, /* UINT16 */
	[18] = 128, /* COMPLEX128 */
	[19] = 16, /* HALF */
	[20] = 0,  /* RESOURCE */
	[21] = 0,  /* VARIANT */
	[22] = 32, /* UINT32 */
	[23] = 64, /* UINT64 */
};

static const int tflite_bits[] = {
	[0] = 0,   /* NOTYPE */
	[1] = 32,  /* FLOAT32 */
	[2] = 32,  /* INT32 */
	[3] = 8,   /* UINT8 */
	[4] = 64,  /* INT64 */
	[5] = 0,   /* STRING */
	[6] = 8,   /* BOOL */
	[7] = 16,  /* INT16 */
	[8] = 64,  /* COMPLEX64 */
	[9] = 8,   /* INT8 */
	[10] = 16, /* FLOAT16 */
	[11] = 64, /* FLOAT64 */
	[12] = 128, /* COMPLEX128 */
	[13] = 64, /* UINT64 */
	[14] = 0,  /* RESOURCE */
	[15] = 0,  /* VARIANT */
	[16] = 32, /* UINT32 */
	[17] = 16, /* UINT16 */
	[18] = 4,  /* INT4 (two per byte) */
};

static const int torch_bits[] = {
	[1] = 8,  /* BYTE (uint8) */
	[2] = 8,  /* CHAR (int8) */
	[3] = 16, /* SHORT */
	[4] = 32, /* INT */
	[5] = 64, /* LONG */
	[6] = 16, /* HALF */
	[7] = 32, /* FLOAT */
};

int model_wire_elem_bits(enum model_fw fw, int64_t t)
{
	switch (fw) {
	case MODEL_FW_TF:
		return t >= 1 && t < (int64_t)ARRAY_LEN(tf_bits) ? tf_bits[t]
								 : -1;
	case MODEL_FW_TFLITE:
		return t >= 0 && t < (int64_t)ARRAY_LEN(tflite_bits)
			       ? tflite_bits[t]
			       : -1;
	case MODEL_FW_TORCH:
		return t >= 1 && t < (int64_t)ARRAY_LEN(torch_bits)
			       ? torch_bits[t]
			       : -1;
	}
	return -1;
}

const char *model_wire_fw_name(enum model_fw fw)
{
	switch (fw) {
	case MODEL_FW_TF:
		return "tf";
	case MODEL_FW_TFLITE:
		return "tflite";
	case MODEL_FW_TORCH:
		return "torch";
	}
	return "?";
}

const char *model_wire_tensor_bytes(enum model_fw fw, int64_t data_type,
				    int64_t nr_dims, const int64_t *dims,
				    uint64_t *bytes)
{
	int bits = model_wire_elem_bits(fw, data_type);
	uint64_t n = 1;

	if (bits < 0)
		return "unknown data type";
	if (nr_dims < 0 || nr_dims > VIRTIO_ACCEL_TENSOR_MAX_DIMS)
		return "number of dims out of range";
	if (nr_dims && !dims)
		return "dims missing";
	for (int64_t i = 0; i < nr_dims; i++) {
		if (dims[i] < 0)
			return "negative dim";
		if (__builtin_mul_overflow(n, (uint64_t)dims[i], &n))
			return "dims product overflows";
	}
	if (bits == 0) {
		*bytes = UINT64_MAX; /* not determined by the dims */
		return NULL;
	}
	if (__builtin_mul_overflow(n, (uint64_t)bits, &n) || n > UINT64_MAX - 7)
		return "tensor size overflows";
	*bytes = (n + 7) / 8;
	return NULL;
}

_Static_assert(MODEL_WIRE_MAX_DIMS == VIRTIO_ACCEL_TENSOR_MAX_DIMS,
	       "one bound on dims");

const char *model_wire_desc_check(enum model_fw fw, const void *desc,
				  size_t desc_len, uint64_t data_len,
				  struct model_desc *out)
{
	int64_t v[VIRTIO_ACCEL_TENSOR_DESC_MAX / sizeof(int64_t)];
	uint64_t bytes;

	if (!desc || desc_len % sizeof(int64_t) ||
	    desc_len < VIRTIO_ACCEL_TENSOR_DESC_FIXED * sizeof(int64_t))
		return "descriptor is not INT64 [type, nr_dims, dims...]";
	if (desc_len > VIRTIO_ACCEL_TENSOR_DESC_MAX)
		return "descriptor has more than the maximum number of dims";
	memcpy(v, desc, desc_len);
	if (v[1] < 0 || v[1] > VIRTIO_ACCEL_TENSOR_MAX_DIMS ||
	    desc_len != model_wire_desc_len(v[1]))
		return "descriptor length does not match its nr_dims";
	const char *err = model_wire_tensor_bytes(
		fw, v[0], v[1], v + VIRTIO_ACCEL_TENSOR_DESC_FIXED, &bytes);
	if (err)
		return err;
	if (bytes != UINT64_MAX && bytes != data_len)
		return "data length is not dims product x element size";
	out->data_type = v[0];
	out->nr_dims = v[1];
	memcpy(out->dims, v + VIRTIO_ACCEL_TENSOR_DESC_FIXED,
	       (size_t)v[1] * sizeof(int64_t));
	return NULL;
}

void model_wire_desc_fill(void *out, int64_t data_type, int64_t nr_dims,
			  const int64_t *dims)
{
	unsigned char *p = out;
	memcpy(p, &data_type, sizeof(int64_t));
	memcpy(p + sizeof(int64_t), &nr_dims, sizeof(int64_t));
	if (nr_dims > 0)
		memcpy(p + VIRTIO_ACCEL_TENSOR_DESC_FIXED * sizeof(int64_t),
		       dims, (size_t)nr_dims * sizeof(int64_t));
}
