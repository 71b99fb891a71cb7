// SPDX-License-Identifier: Apache-2.0
/*
 * IMAGE_CLASSIFY with a TorchScript classifier.
 *
 * Model: the first model resource registered with the session (as upstream's
 * torch plugin), kept like TORCH_MODEL_LOAD's; with none, the file named by
 * VACCEL_TORCH_MODEL (loaded once per path, kept until the plugin unloads).
 * Labels: the file named by VACCEL_TORCH_LABELS, default
 * /usr/share/vaccel/labels/imagenet.txt (upstream's), read at every call.
 * Image: a binary PGM/PPM (pnm.cpp), given to forward() as [1, C, H, W].
 * Result: the label of the largest value of the first output tensor, into
 * out_text (truncated to len_out_text - 1 bytes, NUL-terminated);
 * out_imgname, when given, is set to the empty string.
 */
#include "guard.hpp"

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

using namespace vtorch;

namespace
{

constexpr const char *labels_default = "/usr/share/vaccel/labels/imagenet.txt";

std::mutex cache_lock;
std::map<std::string, ModulePtr> cache; /* VACCEL_TORCH_MODEL path -> */

ModulePtr env_model(const char *path)
{
	std::lock_guard<std::mutex> g(cache_lock);
	auto it = cache.find(path);
	if (it != cache.end())
		return it->second;
	ModulePtr m = module_load_path(path);
	cache.emplace(path, m);
	return m;
}

ModulePtr classifier(struct vaccel_session *sess)
{
	struct vaccel_resource *res = nullptr;
	if (vaccel_session_resource_by_type(sess, &res,
					    VACCEL_RESOURCE_MODEL) == VACCEL_OK &&
	    res)
		return store_get(sess, res, true);

	const char *path = std::getenv("VACCEL_TORCH_MODEL");
	if (path && *path)
		return env_model(path);
	throw Error{VACCEL_EINVAL,
		    "no model: register a model resource with the session or "
		    "set VACCEL_TORCH_MODEL"};
}

void put_string(unsigned char *buf, size_t len, const std::string &s)
{
	size_t n = s.size() < len - 1 ? s.size() : len - 1;
	std::memcpy(buf, s.data(), n);
	buf[n] = '\0';
}

} // namespace

namespace vtorch
{
void classify_cache_clear()
{
	std::map<std::string, ModulePtr> old;
	std::lock_guard<std::mutex> g(cache_lock);
	old.swap(cache);
}
} // namespace vtorch

extern "C" int torch_op_image_classify(struct vaccel_session *sess,
				       const void *img, unsigned char *out_text,
				       unsigned char *out_imgname,
				       size_t len_img, size_t len_out_text,
				       size_t len_out_imgname)
{
	if (!sess || !img || !len_img || !out_text || !len_out_text) {
		vaccel_error("[torch] image_classify: %s",
			     !sess		      ? "session is NULL"
			     : !img || !len_img	      ? "no image"
						      : "no output buffer");
		return VACCEL_EINVAL;
	}

	return guard(sess, "image_classify", VACCEL_EINVAL, [&] {
		ModulePtr m = classifier(sess);
		const char *lp = std::getenv("VACCEL_TORCH_LABELS");
		std::vector<std::string> labels =
			labels_load(lp && *lp ? lp : labels_default);
		at::Tensor x = image_to_tensor(pnm_parse(
			static_cast<const unsigned char *>(img), len_img));

		std::vector<at::Tensor> results;
		int64_t best;
		{
			c10::InferenceMode guard;
			flatten_outputs(m->forward({x}), results);
			if (results.empty() || !results[0].numel())
				throw Error{VACCEL_EINVAL,
					    "the model produced no scores"};
			best = results[0].reshape(-1).argmax().item<int64_t>();
		}
		if (best >= (int64_t)labels.size())
			throw Error{VACCEL_EINVAL,
				    "class " + std::to_string(best) +
					    " but the labels file has " +
					    std::to_string(labels.size()) +
					    " labels"};

		put_string(out_text, len_out_text, labels[(size_t)best]);
		if (out_imgname && len_out_imgname)
			out_imgname[0] = '\0';
		vaccel_debug("[torch] session %" PRId64 ": prediction: %s",
			     sess->id, labels[(size_t)best].c_str());
		return VACCEL_OK;
	});
}
