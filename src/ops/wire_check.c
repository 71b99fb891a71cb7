// SPDX-License-Identifier: Apache-2.0
/*
 * The wire's op and argument type numbers (include/uapi/linux/virtio_accel.h)
 * are vAccel's: checked here at compile time, one assertion per value, so
 * that a change on either side fails the build.
 */
#include <linux/virtio_accel.h>
#include <vaccel.h>

#define CHECK_OP(name)                                                         \
	_Static_assert((int)VIRTIO_ACCEL_OP_##name == (int)VACCEL_OP_##name,   \
		       "wire op " #name " differs from vAccel's");
CHECK_OP(NOOP)
CHECK_OP(EXEC)
CHECK_OP(EXEC_WITH_RESOURCE)
CHECK_OP(IMAGE_CLASSIFY)
CHECK_OP(IMAGE_DETECT)
CHECK_OP(IMAGE_SEGMENT)
CHECK_OP(IMAGE_POSE)
CHECK_OP(IMAGE_DEPTH)
CHECK_OP(TF_MODEL_LOAD)
CHECK_OP(TF_MODEL_UNLOAD)
CHECK_OP(TF_MODEL_RUN)
CHECK_OP(TFLITE_MODEL_LOAD)
CHECK_OP(TFLITE_MODEL_UNLOAD)
CHECK_OP(TFLITE_MODEL_RUN)
CHECK_OP(TORCH_MODEL_LOAD)
CHECK_OP(TORCH_MODEL_RUN)
CHECK_OP(TORCH_SGEMM)
CHECK_OP(BLAS_SGEMM)
CHECK_OP(FPGA_ARRAYCOPY)
CHECK_OP(FPGA_MMULT)
CHECK_OP(FPGA_PARALLEL)
CHECK_OP(FPGA_VECTORADD)
CHECK_OP(MINMAX)
CHECK_OP(OPENCV)
_Static_assert((int)VIRTIO_ACCEL_OP_MAX == (int)VACCEL_OP_MAX, "op count");

#define CHECK_ARG(name)                                                        \
	_Static_assert((int)VIRTIO_ACCEL_ARG_##name == (int)VACCEL_ARG_##name, \
		       "wire arg type " #name " differs from vAccel's");
CHECK_ARG(RAW)
CHECK_ARG(INT8)
CHECK_ARG(INT8_ARRAY)
CHECK_ARG(INT16)
CHECK_ARG(INT16_ARRAY)
CHECK_ARG(INT32)
CHECK_ARG(INT32_ARRAY)
CHECK_ARG(INT64)
CHECK_ARG(INT64_ARRAY)
CHECK_ARG(UINT8)
CHECK_ARG(UINT8_ARRAY)
CHECK_ARG(UINT16)
CHECK_ARG(UINT16_ARRAY)
CHECK_ARG(UINT32)
CHECK_ARG(UINT32_ARRAY)
CHECK_ARG(UINT64)
CHECK_ARG(UINT64_ARRAY)
CHECK_ARG(FLOAT32)
CHECK_ARG(FLOAT32_ARRAY)
CHECK_ARG(FLOAT64)
CHECK_ARG(FLOAT64_ARRAY)
CHECK_ARG(BOOL)
CHECK_ARG(BOOL_ARRAY)
CHECK_ARG(CHAR)
CHECK_ARG(CHAR_ARRAY)
CHECK_ARG(UCHAR)
CHECK_ARG(UCHAR_ARRAY)
CHECK_ARG(STRING)
CHECK_ARG(BUFFER)
CHECK_ARG(CUSTOM)
_Static_assert((int)VIRTIO_ACCEL_ARG_TYPE_MAX == (int)VACCEL_ARG_MAX, "arg type count");
_Static_assert(VIRTIO_ACCEL_ARG_CUSTOM + 1 == VIRTIO_ACCEL_ARG_TYPE_MAX,
	       "arg type table complete");

/* Model tensors: the frameworks' dims fit the wire's int64 descriptor */
_Static_assert(sizeof(((struct vaccel_torch_tensor *)0)->dims[0]) == 8, "");
_Static_assert(sizeof(((struct vaccel_tf_tensor *)0)->dims[0]) == 8, "");
_Static_assert(sizeof(((struct vaccel_tflite_tensor *)0)->dims[0]) == 4, "");
