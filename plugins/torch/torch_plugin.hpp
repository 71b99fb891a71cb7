// SPDX-License-Identifier: Apache-2.0
/*
 * Internal interface of the torch plugin (libvaccel-torch.so). The operations
 * are C functions (the vAccel plugin ABI); everything behind them is C++ and
 * never lets an exception out (see guard.hpp).
 */
#ifndef VACCEL_TORCH_PLUGIN_HPP
#define VACCEL_TORCH_PLUGIN_HPP

#include <vaccel.h>

#include <torch/script.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

/* The operations registered by plugin.cpp. */
extern "C" {
int torch_op_model_load(struct vaccel_session *sess,
			struct vaccel_resource *model);
int torch_op_model_run(struct vaccel_session *sess,
		       struct vaccel_resource *model,
		       const struct vaccel_torch_buffer *run_options,
		       struct vaccel_torch_tensor *const *inputs, int nr_inputs,
		       struct vaccel_torch_tensor **outputs, int nr_outputs);
int torch_op_image_classify(struct vaccel_session *sess, const void *img,
			    unsigned char *out_text,
			    unsigned char *out_imgname, size_t len_img,
			    size_t len_out_text, size_t len_out_imgname);
}

namespace vtorch
{

using ModulePtr = std::shared_ptr<torch::jit::Module>;

/* Thrown by the plugin's own checks: a vAccel error code and a message. */
struct Error {
	int code;
	std::string msg;
};

/*
 * model_store.cpp: the loaded modules, one per (session, model resource)
 * pair, dropped when the resource is unregistered from the session.
 */
/* The module for the pair, loading it first when `load` (else NULL). */
ModulePtr store_get(const struct vaccel_session *sess,
		    const struct vaccel_resource *res, bool load);
/* Drop the pair's module (no-op when none); drop every module. */
void store_forget(const struct vaccel_session *sess,
		  const struct vaccel_resource *res);
void store_clear();
/* Load a TorchScript file from a resource's first file (path or bytes). */
ModulePtr module_load(const struct vaccel_resource *res);
ModulePtr module_load_path(const std::string &path);

/* tensor.cpp: vAccel tensors <-> torch tensors (copies). */
at::Tensor tensor_to_torch(const struct vaccel_torch_tensor *t, int index);
/* A new owned vAccel tensor (delete with vaccel_torch_tensor_delete). */
struct vaccel_torch_tensor *tensor_from_torch(const at::Tensor &t, int index);
/* Every tensor of a forward() result: a tensor, or nested tuples/lists. */
void flatten_outputs(const c10::IValue &v, std::vector<at::Tensor> &out);

/* pnm.cpp: a binary PGM (P5) or PPM (P6) image, 8-bit samples. */
struct Image {
	int64_t width;
	int64_t height;
	int64_t channels; /* 1 (P5) or 3 (P6) */
	int maxval; /* 1..255 */
	const unsigned char *pixels; /* into the caller's buffer, HWC */
};
Image pnm_parse(const unsigned char *buf, size_t len);
/* [1, C, H, W] float32, sample / maxval; C == 3 then ImageNet-normalised. */
at::Tensor image_to_tensor(const Image &img);

/* classify.cpp: drop the modules loaded from VACCEL_TORCH_MODEL. */
void classify_cache_clear();

/* labels.cpp: one label a line ("\r\n" or "\n"; a last line without one). */
std::vector<std::string> labels_load(const std::string &path);

} // namespace vtorch

#endif /* VACCEL_TORCH_PLUGIN_HPP */
