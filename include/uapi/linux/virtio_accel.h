/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause */
/*
 * virtio-accel: wire protocol (device <-> driver) and ioctl ABI
 * (driver <-> user space) of the vAccel-over-virtio device.
 *
 * The normative description is docs/protocol.md; this header is its
 * machine-readable twin. Rules that hold for every structure below:
 *   - no pointers: guest-physical addresses and user addresses are __u64;
 *   - wire fields are little-endian (__le*), ioctl fields native (__u*);
 *   - every structure has an explicit size, checked by a static assertion,
 *     and no implicit padding; reserved fields MUST be zero.
 */
#ifndef _UAPI_LINUX_VIRTIO_ACCEL_H
#define _UAPI_LINUX_VIRTIO_ACCEL_H

#include <linux/types.h>
#include <linux/ioctl.h>

#if defined(__KERNEL__)
#include <linux/build_bug.h>
#define VIRTIO_ACCEL_ASSERT_SIZE(type, size)                                   \
	static_assert(sizeof(type) == (size), #type " has the wrong size")
#elif defined(__cplusplus)
#define VIRTIO_ACCEL_ASSERT_SIZE(type, size)                                   \
	static_assert(sizeof(type) == (size), #type " has the wrong size")
#else
#define VIRTIO_ACCEL_ASSERT_SIZE(type, size)                                   \
	_Static_assert(sizeof(type) == (size), #type " has the wrong size")
#endif

/* ------------------------------------------------------------------------
 * Device identity
 * ---------------------------------------------------------------------- */

/*
 * Virtio device id. Unassigned by the virtio specification and by Linux's
 * <linux/virtio_ids.h>, and the largest id a modern virtio-pci function can
 * carry (PCI device id 0x1040 + 63 = 0x107f). Ids 21 and 42 used by earlier
 * incompatible virtio-accel generations are deliberately not reused.
 */
#define VIRTIO_ID_ACCEL		 63
#define VIRTIO_ACCEL_DEVICE_NAME "virtio-accel"

/* Protocol version carried in the config space and in every request. */
#define VIRTIO_ACCEL_VERSION 1

/* ------------------------------------------------------------------------
 * Feature bits (device-specific range 0..23)
 * ---------------------------------------------------------------------- */

/* Arguments may be described by guest-physical segment lists. */
#define VIRTIO_ACCEL_F_SEGMENTS 0
/* Resource commands (RESOURCE_CREATE .. RESOURCE_UNREGISTER). */
#define VIRTIO_ACCEL_F_RESOURCES 1
/* TIMERS_GET command (host-side profiling regions per session). */
#define VIRTIO_ACCEL_F_TIMERS 2
/* config.num_queues is valid and may be > 1. */
#define VIRTIO_ACCEL_F_MQ 3
/* Model operations (TF_*, TFLITE_*, TORCH_MODEL_*) with tensor args. */
#define VIRTIO_ACCEL_F_MODELS 4

/* ------------------------------------------------------------------------
 * Configuration space (read-only for the driver), 64 bytes
 * ---------------------------------------------------------------------- */

/* config.status bits */
#define VIRTIO_ACCEL_S_HW_READY (1u << 0)

struct virtio_accel_config {
	__le16 version_min;	  /*  0: oldest protocol version served */
	__le16 version_max;	  /*  2: newest protocol version served */
	__le16 num_queues;	  /*  4: request queues (F_MQ), else 1 */
	__le16 reserved0;	  /*  6 */
	__le32 status;		  /*  8: VIRTIO_ACCEL_S_* bits */
	__le32 max_args;	  /* 12: read + write args per request */
	__le32 max_segments;	  /* 16: data segments per request */
	__le32 max_table_entries; /* 20: entries per indirect table */
	__le32 max_inline_bytes;  /* 24: readable / writable inline stream */
	__le32 max_blobs;	  /* 28: blobs per RESOURCE_CREATE */
	__le64 max_arg_size;	  /* 32: bytes per argument */
	__le64 max_request_bytes; /* 40: sum of argument bytes per request */
	__le32 max_sessions;	  /* 48: live sessions per driver */
	__le32 max_resources;	  /* 52: live resources per driver */
	__le32 max_timer_bytes;	  /* 56: TIMERS_GET output cap */
	__le32 reserved1;	  /* 60 */
};
VIRTIO_ACCEL_ASSERT_SIZE(struct virtio_accel_config, 64);

/* ------------------------------------------------------------------------
 * Commands
 * ---------------------------------------------------------------------- */

enum virtio_accel_cmd {
	VIRTIO_ACCEL_CMD_SESSION_CREATE = 0x01,
	VIRTIO_ACCEL_CMD_SESSION_DESTROY = 0x02,
	VIRTIO_ACCEL_CMD_RESOURCE_CREATE = 0x10,
	VIRTIO_ACCEL_CMD_RESOURCE_DESTROY = 0x11,
	VIRTIO_ACCEL_CMD_RESOURCE_REGISTER = 0x12,
	VIRTIO_ACCEL_CMD_RESOURCE_UNREGISTER = 0x13,
	VIRTIO_ACCEL_CMD_OP = 0x20,
	VIRTIO_ACCEL_CMD_TIMERS_GET = 0x30,
};

/* Transport status (virtio_accel_resp_hdr.status). */
enum virtio_accel_status {
	VIRTIO_ACCEL_OK = 0,	 /* executed; see vaccel_ret */
	VIRTIO_ACCEL_ERR = 1,	 /* host-internal failure */
	VIRTIO_ACCEL_BADMSG = 2, /* malformed request */
	VIRTIO_ACCEL_UNSUPP = 3, /* unknown command / op not carried */
	VIRTIO_ACCEL_VERSION_MISMATCH = 4, /* header.version not served */
	VIRTIO_ACCEL_NOSESS = 5,	   /* unknown session id */
	VIRTIO_ACCEL_NORES = 6,		   /* unknown resource id */
	VIRTIO_ACCEL_LIMIT = 7,		   /* a device limit was exceeded */
	VIRTIO_ACCEL_FAULT = 8,	   /* a guest address failed validation */
	VIRTIO_ACCEL_OVERFLOW = 9, /* output larger than a write arg */
	VIRTIO_ACCEL_BUSY = 10,	   /* device stopping; retry after reset */
};

/* ------------------------------------------------------------------------
 * Request: the device-readable part of a chain, one byte stream:
 *   [req_hdr][arg_desc x (nr_read + nr_write)]
 *   [segment tables of all F_SEGMENTS args, in arg order]
 *   [inline data of the read args without F_SEGMENTS, in arg order]
 * ---------------------------------------------------------------------- */

struct virtio_accel_req_hdr {
	__le16 version;	   /*  0: VIRTIO_ACCEL_VERSION */
	__le16 cmd;	   /*  2: enum virtio_accel_cmd */
	__le32 flags;	   /*  4: none defined, MUST be 0 */
	__le64 tag;	   /*  8: chosen by the driver, echoed back */
	__le64 session_id; /* 16: device-allocated session id, or 0 */
	__le64 object_id;  /* 24: device-allocated resource id, or 0 */
	__le32 param;	   /* 32: per command (op type, flags, res type) */
	__le32 nr_read;	   /* 36: device-readable (input) args */
	__le32 nr_write;   /* 40: device-writable (output) args */
	__le32 reserved;   /* 44: MUST be 0 */
};
VIRTIO_ACCEL_ASSERT_SIZE(struct virtio_accel_req_hdr, 48);

/* virtio_accel_arg_desc.flags */
#define VIRTIO_ACCEL_ARG_F_SEGMENTS (1u << 0) /* data is a segment list */

struct virtio_accel_arg_desc {
	__le64 len;	       /*  0: bytes (write args: capacity) */
	__le32 type;	       /*  8: vaccel_arg_type_t number */
	__le32 custom_type_id; /* 12: for type CUSTOM, else 0 */
	__le32 flags;	       /* 16: VIRTIO_ACCEL_ARG_F_* */
	__le32 nr_segs;	       /* 20: top-level segment entries, or 0 */
	__le64 reserved;       /* 24: MUST be 0 */
};
VIRTIO_ACCEL_ASSERT_SIZE(struct virtio_accel_arg_desc, 32);

/* virtio_accel_seg.flags */
#define VIRTIO_ACCEL_SEG_F_INDIRECT (1u << 0) /* points at a segment table */

struct virtio_accel_seg {
	__le64 addr;  /* 0: guest-physical address */
	__le32 len;   /* 8: bytes, > 0 */
	__le32 flags; /* 12: VIRTIO_ACCEL_SEG_F_* */
};
VIRTIO_ACCEL_ASSERT_SIZE(struct virtio_accel_seg, 16);

/* ------------------------------------------------------------------------
 * Response: the device-writable part of a chain, one byte stream:
 *   [resp_hdr][resp_arg x nr_write][inline data of write args without
 *   F_SEGMENTS, each at its full capacity, in arg order]
 * ---------------------------------------------------------------------- */

struct virtio_accel_resp_hdr {
	__le64 tag;	   /*  0: copy of req_hdr.tag */
	__le32 status;	   /*  8: enum virtio_accel_status */
	__le32 vaccel_ret; /* 12: vAccel return code (int32), when OK */
	__le64 object_id;  /* 16: new session / resource id */
	__le32 nr_write;   /* 24: resp_arg entries that follow */
	__le32 reserved;   /* 28 */
};
VIRTIO_ACCEL_ASSERT_SIZE(struct virtio_accel_resp_hdr, 32);

struct virtio_accel_resp_arg {
	__le64 len;	       /* 0: bytes produced (OVERFLOW: needed) */
	__le32 type;	       /* 8: type of the produced arg */
	__le32 custom_type_id; /* 12 */
};
VIRTIO_ACCEL_ASSERT_SIZE(struct virtio_accel_resp_arg, 16);

/* TIMERS_GET: req_hdr.param bits */
#define VIRTIO_ACCEL_TIMERS_F_CLEAR (1u << 0) /* drop samples after read */

/* TIMERS_GET output (write arg 0):
 *   [timers_hdr][timer_region x nr_regions][timer_sample x nr_samples] */
struct virtio_accel_timers_hdr {
	__le32 nr_regions;
	__le32 nr_samples;
};
VIRTIO_ACCEL_ASSERT_SIZE(struct virtio_accel_timers_hdr, 8);

#define VIRTIO_ACCEL_TIMER_NAME_LEN 64
struct virtio_accel_timer_region {
	char name[VIRTIO_ACCEL_TIMER_NAME_LEN]; /*  0: NUL-terminated */
	__le32 nr_samples;			/* 64 */
	__le32 first_sample;			/* 68: index into samples */
};
VIRTIO_ACCEL_ASSERT_SIZE(struct virtio_accel_timer_region, 72);

struct virtio_accel_timer_sample {
	__le64 start; /* 0: ns, host CLOCK_MONOTONIC_RAW */
	__le64 time;  /* 8: ns */
};
VIRTIO_ACCEL_ASSERT_SIZE(struct virtio_accel_timer_sample, 16);

/* ------------------------------------------------------------------------
 * Operations (OP's req_hdr.param) and argument types (arg_desc.type): the
 * numbers of vAccel's vaccel_op_type_t and vaccel_arg_type_t. libvaccel
 * checks at compile time that they agree (src/ops/wire_check.c).
 * ---------------------------------------------------------------------- */

/* Properties of an op on the wire (virtio_accel_op_flags()). */
#define VIRTIO_ACCEL_OPF_CARRIED  (1u << 0) /* the device executes it */
#define VIRTIO_ACCEL_OPF_NOARGS	  (1u << 1) /* no read or write args */
#define VIRTIO_ACCEL_OPF_RESOURCE (1u << 2) /* read arg 0: INT64 resource id */
#define VIRTIO_ACCEL_OPF_MODELS	  (1u << 3) /* needs VIRTIO_ACCEL_F_MODELS */

enum virtio_accel_op {
	VIRTIO_ACCEL_OP_NOOP = 0,
	VIRTIO_ACCEL_OP_EXEC = 1,
	VIRTIO_ACCEL_OP_EXEC_WITH_RESOURCE = 2,
	VIRTIO_ACCEL_OP_IMAGE_CLASSIFY = 3,
	VIRTIO_ACCEL_OP_IMAGE_DETECT = 4,
	VIRTIO_ACCEL_OP_IMAGE_SEGMENT = 5,
	VIRTIO_ACCEL_OP_IMAGE_POSE = 6,
	VIRTIO_ACCEL_OP_IMAGE_DEPTH = 7,
	VIRTIO_ACCEL_OP_TF_MODEL_LOAD = 8,
	VIRTIO_ACCEL_OP_TF_MODEL_UNLOAD = 9,
	VIRTIO_ACCEL_OP_TF_MODEL_RUN = 10,
	VIRTIO_ACCEL_OP_TFLITE_MODEL_LOAD = 11,
	VIRTIO_ACCEL_OP_TFLITE_MODEL_UNLOAD = 12,
	VIRTIO_ACCEL_OP_TFLITE_MODEL_RUN = 13,
	VIRTIO_ACCEL_OP_TORCH_MODEL_LOAD = 14,
	VIRTIO_ACCEL_OP_TORCH_MODEL_RUN = 15,
	VIRTIO_ACCEL_OP_TORCH_SGEMM = 16,
	VIRTIO_ACCEL_OP_BLAS_SGEMM = 17,
	VIRTIO_ACCEL_OP_FPGA_ARRAYCOPY = 18,
	VIRTIO_ACCEL_OP_FPGA_MMULT = 19,
	VIRTIO_ACCEL_OP_FPGA_PARALLEL = 20,
	VIRTIO_ACCEL_OP_FPGA_VECTORADD = 21,
	VIRTIO_ACCEL_OP_MINMAX = 22,
	VIRTIO_ACCEL_OP_OPENCV = 23,
	VIRTIO_ACCEL_OP_MAX = 24, /* op types >= this: BADMSG */
};

/*
 * The one table of what the protocol does with each op: the driver, the
 * device and the guest plugin all ask here. 0 for an unknown op type.
 */
static inline __u32 virtio_accel_op_flags(__u32 op)
{
	switch (op) {
	case VIRTIO_ACCEL_OP_NOOP:
		return VIRTIO_ACCEL_OPF_CARRIED | VIRTIO_ACCEL_OPF_NOARGS;
	case VIRTIO_ACCEL_OP_EXEC_WITH_RESOURCE:
		return VIRTIO_ACCEL_OPF_CARRIED | VIRTIO_ACCEL_OPF_RESOURCE;
	case VIRTIO_ACCEL_OP_TF_MODEL_LOAD:
	case VIRTIO_ACCEL_OP_TF_MODEL_UNLOAD:
	case VIRTIO_ACCEL_OP_TF_MODEL_RUN:
	case VIRTIO_ACCEL_OP_TFLITE_MODEL_LOAD:
	case VIRTIO_ACCEL_OP_TFLITE_MODEL_UNLOAD:
	case VIRTIO_ACCEL_OP_TFLITE_MODEL_RUN:
	case VIRTIO_ACCEL_OP_TORCH_MODEL_LOAD:
	case VIRTIO_ACCEL_OP_TORCH_MODEL_RUN:
		return VIRTIO_ACCEL_OPF_CARRIED | VIRTIO_ACCEL_OPF_RESOURCE |
		       VIRTIO_ACCEL_OPF_MODELS;
	case VIRTIO_ACCEL_OP_TORCH_SGEMM: /* deprecated by vAccel */
		return 0;
	default:
		return op < VIRTIO_ACCEL_OP_MAX ? VIRTIO_ACCEL_OPF_CARRIED : 0;
	}
}

enum virtio_accel_arg_type {
	VIRTIO_ACCEL_ARG_RAW = 0,
	VIRTIO_ACCEL_ARG_INT8 = 1,
	VIRTIO_ACCEL_ARG_INT8_ARRAY = 2,
	VIRTIO_ACCEL_ARG_INT16 = 3,
	VIRTIO_ACCEL_ARG_INT16_ARRAY = 4,
	VIRTIO_ACCEL_ARG_INT32 = 5,
	VIRTIO_ACCEL_ARG_INT32_ARRAY = 6,
	VIRTIO_ACCEL_ARG_INT64 = 7,
	VIRTIO_ACCEL_ARG_INT64_ARRAY = 8,
	VIRTIO_ACCEL_ARG_UINT8 = 9,
	VIRTIO_ACCEL_ARG_UINT8_ARRAY = 10,
	VIRTIO_ACCEL_ARG_UINT16 = 11,
	VIRTIO_ACCEL_ARG_UINT16_ARRAY = 12,
	VIRTIO_ACCEL_ARG_UINT32 = 13,
	VIRTIO_ACCEL_ARG_UINT32_ARRAY = 14,
	VIRTIO_ACCEL_ARG_UINT64 = 15,
	VIRTIO_ACCEL_ARG_UINT64_ARRAY = 16,
	VIRTIO_ACCEL_ARG_FLOAT32 = 17,
	VIRTIO_ACCEL_ARG_FLOAT32_ARRAY = 18,
	VIRTIO_ACCEL_ARG_FLOAT64 = 19,
	VIRTIO_ACCEL_ARG_FLOAT64_ARRAY = 20,
	VIRTIO_ACCEL_ARG_BOOL = 21,
	VIRTIO_ACCEL_ARG_BOOL_ARRAY = 22,
	VIRTIO_ACCEL_ARG_CHAR = 23,
	VIRTIO_ACCEL_ARG_CHAR_ARRAY = 24,
	VIRTIO_ACCEL_ARG_UCHAR = 25,
	VIRTIO_ACCEL_ARG_UCHAR_ARRAY = 26,
	VIRTIO_ACCEL_ARG_STRING = 27,
	VIRTIO_ACCEL_ARG_BUFFER = 28,
	VIRTIO_ACCEL_ARG_CUSTOM = 29,
};

/* ------------------------------------------------------------------------
 * Model operations (F_MODELS; docs/protocol.md §7.5.2). A tensor is two
 * args: a descriptor, INT64_ARRAY [data type, nr_dims, dims[nr_dims]] (the
 * data type numbered by the op's framework: vaccel_tf_data_type,
 * vaccel_tflite_data_type or vaccel_torch_data_type), then its data, a
 * BUFFER of exactly the bytes the descriptor implies (it may be empty).
 * Output tensors are the same pair as write args; the device fills both.
 * ---------------------------------------------------------------------- */
#define VIRTIO_ACCEL_TENSOR_DESC_FIXED 2   /* int64s before the dims */
#define VIRTIO_ACCEL_TENSOR_MAX_DIMS   16  /* nr_dims: 1 ..= this */
#define VIRTIO_ACCEL_TENSOR_DESC_MAX                                           \
	(8 * (VIRTIO_ACCEL_TENSOR_DESC_FIXED + VIRTIO_ACCEL_TENSOR_MAX_DIMS))
#define VIRTIO_ACCEL_MODEL_MAX_TENSORS 512 /* inputs, and outputs, per run */
/* TF status message (a write arg of TF ops): longer ones are truncated */
#define VIRTIO_ACCEL_TF_STATUS_MSG_MAX 512

/* Read args after the op selector, in order (§7.5.2):
 *   *_MODEL_LOAD, *_MODEL_UNLOAD: INT64 model
 *   TORCH_MODEL_RUN:  INT64 model, BUFFER run options (may be empty),
 *                     tensor x nr_inputs
 *   TFLITE_MODEL_RUN: INT64 model, tensor x nr_inputs
 *   TF_MODEL_RUN:     INT64 model, BUFFER run options (may be empty),
 *                     (STRING node name, INT64 node id, tensor) x nr_inputs,
 *                     (STRING node name, INT64 node id) x nr_outputs
 * Write args:
 *   TORCH_MODEL_LOAD, TFLITE_MODEL_LOAD/UNLOAD: none
 *   TORCH_MODEL_RUN:  tensor x nr_outputs
 *   TFLITE_MODEL_RUN: tensor x nr_outputs, UINT8 status
 *   TF_MODEL_LOAD/UNLOAD: UINT8 status code, STRING status message
 *   TF_MODEL_RUN:     tensor x nr_outputs, UINT8 status code, STRING message
 */
#define VIRTIO_ACCEL_MODEL_ARG_ID      0 /* read: the model resource */
#define VIRTIO_ACCEL_MODEL_RUN_OPTIONS 1 /* read: TF and Torch runs */
#define VIRTIO_ACCEL_TENSOR_ARGS       2 /* args per tensor */
#define VIRTIO_ACCEL_TF_NODE_ARGS      2 /* name, id */

/* ------------------------------------------------------------------------
 * Protocol limits that are not negotiable (config space carries the rest).
 * ---------------------------------------------------------------------- */
#define VIRTIO_ACCEL_BLOB_NAME_MAX  255 /* bytes, without the NUL */
#define VIRTIO_ACCEL_MAX_ARGS_LIMIT 4096
#define VIRTIO_ACCEL_ARG_TYPE_MAX   30 /* = VACCEL_ARG_MAX */

/* ========================================================================
 * ioctl ABI of /dev/virtio-accel<N> (driver <-> user space)
 * Native endianness; user pointers are __u64; no implicit padding.
 * On success (0) the command reached the device and completed with status
 * OK; vaccel_ret then holds the vAccel return code. Transport failures are
 * negative errnos, with the device status (if any) in `status`.
 * ====================================================================== */

#define VIRTIO_ACCEL_IOC_MAGIC 0xBA

/* virtio_accel_ioc_arg.flags */
#define VIRTIO_ACCEL_IOC_ARG_F_COPY (1u << 0) /* force inline (copy) */
/* write arg whose current contents the op reads (e.g. sgemm's C with
 * beta != 0): the driver sends it by segments, never inline */
#define VIRTIO_ACCEL_IOC_ARG_F_INOUT (1u << 1)

struct virtio_accel_ioc_arg {
	__u64 uaddr;	      /*  0: user address of the data */
	__u64 len;	      /*  8: bytes; write args: out = produced */
	__u32 type;	      /* 16: vaccel_arg_type_t */
	__u32 custom_type_id; /* 20 */
	__u32 flags;	      /* 24: VIRTIO_ACCEL_IOC_ARG_F_* */
	__u32 reserved;	      /* 28: MUST be 0 */
};
VIRTIO_ACCEL_ASSERT_SIZE(struct virtio_accel_ioc_arg, 32);

struct virtio_accel_ioc_info {
	__u32 version;	  /*  0: out: protocol version in use */
	__u32 num_queues; /*  4: out */
	__u64 features;	  /*  8: out: negotiated device feature bits */
	struct virtio_accel_config
		config; /* 16: out: raw copy (little-endian) */
};
VIRTIO_ACCEL_ASSERT_SIZE(struct virtio_accel_ioc_info, 80);

struct virtio_accel_ioc_session {
	__u64 session_id; /*  0: CREATE: out; DESTROY: in */
	__u32 flags;	  /*  8: CREATE: vAccel session flags */
	__s32 vaccel_ret; /* 12: out */
	__u32 status;	  /* 16: out: enum virtio_accel_status */
	__u32 reserved;	  /* 20: MUST be 0 */
};
VIRTIO_ACCEL_ASSERT_SIZE(struct virtio_accel_ioc_session, 24);

struct virtio_accel_ioc_blob {
	__u64 name_uaddr; /*  0: NUL-terminated file name */
	__u64 data_uaddr; /*  8 */
	__u64 data_len;	  /* 16: > 0 */
	__u32 flags;	  /* 24: MUST be 0 */
	__u32 reserved;	  /* 28: MUST be 0 */
};
VIRTIO_ACCEL_ASSERT_SIZE(struct virtio_accel_ioc_blob, 32);

struct virtio_accel_ioc_resource_create {
	__u64 resource_id; /*  0: out */
	__u64 session_id;  /*  8: in: register with it too, or 0 */
	__u64 blobs;	   /* 16: user address of ioc_blob[nr_blobs] */
	__u32 nr_blobs;	   /* 24: >= 1 */
	__u32 type;	   /* 28: vaccel_resource_type_t */
	__s32 vaccel_ret;  /* 32: out */
	__u32 status;	   /* 36: out */
	__u32 flags;	   /* 40: MUST be 0 */
	__u32 reserved;	   /* 44: MUST be 0 */
};
VIRTIO_ACCEL_ASSERT_SIZE(struct virtio_accel_ioc_resource_create, 48);

/* RESOURCE_DESTROY (session_id ignored), REGISTER and UNREGISTER */
struct virtio_accel_ioc_resource {
	__u64 resource_id; /*  0: in */
	__u64 session_id;  /*  8: in */
	__s32 vaccel_ret;  /* 16: out */
	__u32 status;	   /* 20: out */
};
VIRTIO_ACCEL_ASSERT_SIZE(struct virtio_accel_ioc_resource, 24);

struct virtio_accel_ioc_op {
	__u64 session_id; /*  0 */
	__u32 op_type;	  /*  8: vaccel_op_type_t */
	__u32 flags;	  /* 12: MUST be 0 */
	__u64 read_args;  /* 16: user address of ioc_arg[nr_read] */
	__u64 write_args; /* 24: user address of ioc_arg[nr_write] */
	__u32 nr_read;	  /* 32 */
	__u32 nr_write;	  /* 36 */
	__s32 vaccel_ret; /* 40: out */
	__u32 status;	  /* 44: out */
};
VIRTIO_ACCEL_ASSERT_SIZE(struct virtio_accel_ioc_op, 48);

struct virtio_accel_ioc_timers {
	__u64 session_id; /*  0 */
	__u64 buf;	  /*  8: user address, TIMERS_GET output format */
	__u64 len;	  /* 16: in: capacity; out: produced or needed */
	__u32 flags;	  /* 24: VIRTIO_ACCEL_TIMERS_F_* */
	__s32 vaccel_ret; /* 28: out */
	__u32 status;	  /* 32: out */
	__u32 reserved;	  /* 36: MUST be 0 */
};
VIRTIO_ACCEL_ASSERT_SIZE(struct virtio_accel_ioc_timers, 40);

#define VIRTIO_ACCEL_IOC_GET_INFO                                              \
	_IOR(VIRTIO_ACCEL_IOC_MAGIC, 0x10, struct virtio_accel_ioc_info)
#define VIRTIO_ACCEL_IOC_SESSION_CREATE                                        \
	_IOWR(VIRTIO_ACCEL_IOC_MAGIC, 0x11, struct virtio_accel_ioc_session)
#define VIRTIO_ACCEL_IOC_SESSION_DESTROY                                       \
	_IOWR(VIRTIO_ACCEL_IOC_MAGIC, 0x12, struct virtio_accel_ioc_session)
#define VIRTIO_ACCEL_IOC_RESOURCE_CREATE                                       \
	_IOWR(VIRTIO_ACCEL_IOC_MAGIC, 0x13,                                    \
	      struct virtio_accel_ioc_resource_create)
#define VIRTIO_ACCEL_IOC_RESOURCE_DESTROY                                      \
	_IOWR(VIRTIO_ACCEL_IOC_MAGIC, 0x14, struct virtio_accel_ioc_resource)
#define VIRTIO_ACCEL_IOC_RESOURCE_REGISTER                                     \
	_IOWR(VIRTIO_ACCEL_IOC_MAGIC, 0x15, struct virtio_accel_ioc_resource)
#define VIRTIO_ACCEL_IOC_RESOURCE_UNREGISTER                                   \
	_IOWR(VIRTIO_ACCEL_IOC_MAGIC, 0x16, struct virtio_accel_ioc_resource)
#define VIRTIO_ACCEL_IOC_OP                                                    \
	_IOWR(VIRTIO_ACCEL_IOC_MAGIC, 0x17, struct virtio_accel_ioc_op)
#define VIRTIO_ACCEL_IOC_TIMERS_GET                                            \
	_IOWR(VIRTIO_ACCEL_IOC_MAGIC, 0x18, struct virtio_accel_ioc_timers)

#endif /* _UAPI_LINUX_VIRTIO_ACCEL_H */
