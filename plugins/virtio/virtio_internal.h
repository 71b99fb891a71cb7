// SPDX-License-Identifier: Apache-2.0
/*
 * What the virtio plugin's files share: virtio.c (device, sessions,
 * resources, the non-model ops) and models.c (TF, TFLite and Torch model
 * ops). Hidden symbols; not installed.
 */
#ifndef VACCEL_VIRTIO_INTERNAL_H
#define VACCEL_VIRTIO_INTERNAL_H

#include <vaccel.h>

#include <linux/virtio_accel.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * The plugin's name, and the prefix of its log lines: "virtio" for
 * libvaccel-virtio.so; the same core built as libvaccel-rpc.so (with the
 * RPC transport) is "rpc" (-DVIRTIO_PLUGIN_NAME="rpc").
 */
#ifndef VIRTIO_PLUGIN_NAME
#define VIRTIO_PLUGIN_NAME "virtio"
#endif
#define PFX "[" VIRTIO_PLUGIN_NAME "] "

void arg_set(struct virtio_accel_ioc_arg *a, const void *buf, uint64_t len,
	     vaccel_arg_type_t type);

/*
 * Send one OP. Returns the host's vAccel code, or a transport code. On
 * success wr[i].len holds the bytes produced for write arg i. run_op_ex()
 * with `overflow` set: an output that did not fit logs nothing, *overflow
 * is true and wr[i].len holds the bytes needed (the caller retries).
 */
int run_op(struct vaccel_session *sess, vaccel_op_type_t type,
	   struct virtio_accel_ioc_arg *rd, uint32_t nr_read,
	   struct virtio_accel_ioc_arg *wr, uint32_t nr_write);
int run_op_ex(struct vaccel_session *sess, vaccel_op_type_t type,
	      struct virtio_accel_ioc_arg *rd, uint32_t nr_read,
	      struct virtio_accel_ioc_arg *wr, uint32_t nr_write,
	      bool *overflow);

/* Whether the device carries model ops (F_MODELS); opens it if needed. */
int device_has_models(bool *has);

/* models.c */
int virtio_tf_model_load(struct vaccel_session *sess,
			 struct vaccel_resource *model,
			 struct vaccel_tf_status *status);
int virtio_tf_model_unload(struct vaccel_session *sess,
			   struct vaccel_resource *model,
			   struct vaccel_tf_status *status);
int virtio_tf_model_run(struct vaccel_session *sess,
			struct vaccel_resource *model,
			const struct vaccel_tf_buffer *run_options,
			const struct vaccel_tf_node *in_nodes,
			struct vaccel_tf_tensor *const *in, int nr_inputs,
			const struct vaccel_tf_node *out_nodes,
			struct vaccel_tf_tensor **out, int nr_outputs,
			struct vaccel_tf_status *status);
int virtio_tflite_model_load(struct vaccel_session *sess,
			     struct vaccel_resource *model);
int virtio_tflite_model_unload(struct vaccel_session *sess,
			       struct vaccel_resource *model);
int virtio_tflite_model_run(struct vaccel_session *sess,
			    struct vaccel_resource *model,
			    struct vaccel_tflite_tensor *const *in,
			    int nr_inputs, struct vaccel_tflite_tensor **out,
			    int nr_outputs, uint8_t *status);
int virtio_torch_model_load(struct vaccel_session *sess,
			    struct vaccel_resource *model);
int virtio_torch_model_run(struct vaccel_session *sess,
			   struct vaccel_resource *model,
			   const struct vaccel_torch_buffer *run_options,
			   struct vaccel_torch_tensor *const *in,
			   int nr_inputs, struct vaccel_torch_tensor **out,
			   int nr_outputs);

#endif /* VACCEL_VIRTIO_INTERNAL_H */
