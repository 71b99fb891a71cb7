// SPDX-License-Identifier: Apache-2.0
/*
 * Loaded TorchScript modules, one per (session id, model resource id) pair.
 *
 * A module is loaded by TORCH_MODEL_LOAD, or on demand by the first
 * TORCH_MODEL_RUN, and dropped by the resource_unregister hook, which the
 * runtime calls for every registration that ends (vaccel_resource_unregister,
 * vaccel_session_release, vaccel_resource_release); the plugin's fini drops
 * whatever is left. Runs hold their own reference (shared_ptr), so a module
 * dropped during a run lives until that run ends.
 *
 * Loading happens under the store's lock: loads are rare, and a load racing
 * with the pair's unregistration can then never leave a stale entry behind.
 */
#include "guard.hpp"

#include <caffe2/serialize/read_adapter_interface.h>

#include <cerrno>
#include <cinttypes>
#include <cstring>
#include <map>
#include <mutex>
#include <sys/stat.h>
#include <utility>

namespace vtorch
{

namespace
{

using Key = std::pair<vaccel_id_t, vaccel_id_t>;

std::mutex store_lock;
std::map<Key, ModulePtr> store;

Key key_of(const struct vaccel_session *sess,
	   const struct vaccel_resource *res)
{
	return {sess->id, res->id};
}

/* A blob's bytes, bounds-checked (a malformed archive may ask for more). */
class BytesAdapter final : public caffe2::serialize::ReadAdapterInterface
{
      public:
	BytesAdapter(const uint8_t *data, size_t size)
		: data_(data), size_(size)
	{
	}
	size_t size() const override
	{
		return size_;
	}
	size_t read(uint64_t pos, void *buf, size_t n,
		    const char *what) const override
	{
		(void)what;
		if (pos >= size_)
			return 0;
		if (n > size_ - pos)
			n = size_ - (size_t)pos;
		std::memcpy(buf, data_ + pos, n);
		return n;
	}

      private:
	const uint8_t *data_;
	size_t size_;
};

/* torch::jit::load()'s failures name the file: "<what> is not ...". */
template <typename F> ModulePtr load(const std::string &what, F &&fn)
{
	try {
		torch::jit::Module m = fn();
		m.eval();
		return std::make_shared<torch::jit::Module>(std::move(m));
	} catch (const c10::Error &e) {
		throw Error{VACCEL_EINVAL,
			    what + " is not a TorchScript model: " +
				    one_line(e.what_without_backtrace())};
	} catch (const std::bad_alloc &) {
		throw;
	} catch (const std::exception &e) {
		throw Error{VACCEL_EINVAL, what + " is not a TorchScript "
						  "model: " +
						   one_line(e.what())};
	}
}

} // namespace

ModulePtr module_load_path(const std::string &path)
{
	struct stat st;

	if (stat(path.c_str(), &st) != 0)
		throw Error{errno == ENOENT ? VACCEL_ENOENT : VACCEL_EINVAL,
			    "cannot open model " + path + ": " +
				    std::strerror(errno)};
	if (!S_ISREG(st.st_mode))
		throw Error{VACCEL_EINVAL,
			    "model " + path + " is not a regular file"};
	return load("model " + path,
		    [&] { return torch::jit::load(path, torch::kCPU); });
}

ModulePtr module_load(const struct vaccel_resource *res)
{
	if (res->nr_blobs > 0 && res->blobs && res->blobs[0]) {
		struct vaccel_blob *b = res->blobs[0];
		if (b->data && b->size) {
			auto rai = std::make_shared<BytesAdapter>(b->data,
								  b->size);
			return load("model resource " +
					    std::to_string(res->id) + " (" +
					    std::to_string(b->size) +
					    " bytes in memory)",
				    [&] {
					    return torch::jit::load(
						    rai, torch::kCPU);
				    });
		}
		if (b->path)
			return module_load_path(b->path);
	}
	if (res->nr_paths > 0 && res->paths && res->paths[0])
		return module_load_path(res->paths[0]);
	throw Error{VACCEL_EINVAL,
		    "resource " + std::to_string(res->id) + " has no file"};
}

ModulePtr store_get(const struct vaccel_session *sess,
		    const struct vaccel_resource *res, bool load)
{
	std::lock_guard<std::mutex> g(store_lock);
	auto it = store.find(key_of(sess, res));
	if (it != store.end())
		return it->second;
	if (!load)
		return nullptr;

	ModulePtr m = module_load(res);
	store.emplace(key_of(sess, res), m);
	vaccel_debug("[torch] session %" PRId64 ": loaded model resource "
		     "%" PRId64,
		     sess->id, res->id);
	return m;
}

void store_forget(const struct vaccel_session *sess,
		  const struct vaccel_resource *res)
{
	ModulePtr m;
	{
		std::lock_guard<std::mutex> g(store_lock);
		auto it = store.find(key_of(sess, res));
		if (it == store.end())
			return;
		m = std::move(it->second);
		store.erase(it);
	}
	vaccel_debug("[torch] session %" PRId64 ": released model resource "
		     "%" PRId64,
		     sess->id, res->id);
	/* m (the module, unless a run still holds it) goes here, unlocked */
}

void store_clear()
{
	std::map<Key, ModulePtr> old;
	{
		std::lock_guard<std::mutex> g(store_lock);
		old.swap(store);
	}
}

} // namespace vtorch
