// SPDX-License-Identifier: Apache-2.0
/*
 * vAccel tensors <-> torch tensors.
 *
 * Inputs are copied into tensors libtorch owns: a model may modify its inputs
 * in place, and the caller's buffer may be read-only (a guest's memory
 * mapped by the host daemon). Outputs are copied into new owned vAccel
 * tensors (contiguous, row-major); a 0-dim result becomes dims {1}, since a
 * vAccel tensor has at least one dimension.
 */
#include "torch_plugin.hpp"

#include <cstring>
#include <limits>
#include <type_traits>

namespace vtorch
{

namespace
{

struct TypeMap {
	enum vaccel_torch_data_type vaccel;
	at::ScalarType torch;
};

const TypeMap types[] = {
	{VACCEL_TORCH_BYTE, at::kByte},	  {VACCEL_TORCH_CHAR, at::kChar},
	{VACCEL_TORCH_SHORT, at::kShort}, {VACCEL_TORCH_INT, at::kInt},
	{VACCEL_TORCH_LONG, at::kLong},	  {VACCEL_TORCH_HALF, at::kHalf},
	{VACCEL_TORCH_FLOAT, at::kFloat},
};

std::string what(const char *dir, int index)
{
	return std::string(dir) + " " + std::to_string(index);
}

Error invalid(const std::string &msg)
{
	return Error{VACCEL_EINVAL, msg};
}

struct TensorDeleter {
	void operator()(struct vaccel_torch_tensor *t) const
	{
		vaccel_torch_tensor_delete(t);
	}
};

} // namespace

at::Tensor tensor_to_torch(const struct vaccel_torch_tensor *t, int index)
{
	const std::string name = what("input", index);
	if (!t)
		throw invalid(name + " is NULL");

	/* read as an integer: a C caller may store any value in the enum */
	std::underlying_type_t<enum vaccel_torch_data_type> dt;
	std::memcpy(&dt, &t->data_type, sizeof(dt));
	const TypeMap *m = nullptr;
	for (const auto &e : types)
		if (e.vaccel == dt)
			m = &e;
	if (!m)
		throw invalid(name + ": unknown data type " +
			      std::to_string(dt));
	if (t->nr_dims < 0 || t->nr_dims > 64 || (t->nr_dims && !t->dims))
		throw invalid(name + ": bad dims (nr_dims " +
			      std::to_string(t->nr_dims) + ")");

	const uint64_t elem = c10::elementSize(m->torch);
	uint64_t numel = 1;
	std::vector<int64_t> sizes;
	for (int64_t i = 0; i < t->nr_dims; i++) {
		int64_t d = t->dims[i];
		if (d < 0)
			throw invalid(name + ": negative dimension " +
				      std::to_string(d));
		if (d && numel > std::numeric_limits<uint64_t>::max() /
					 elem / (uint64_t)d)
			throw invalid(name + ": dimensions overflow");
		numel *= (uint64_t)d;
		sizes.push_back(d);
	}
	const uint64_t bytes = numel * elem;
	if (bytes != t->size)
		throw invalid(name + ": size " + std::to_string(t->size) +
			      " bytes does not match its dims and data type (" +
			      std::to_string(bytes) + " bytes)");
	if (bytes && !t->data)
		throw invalid(name + ": data is NULL");

	at::Tensor out = at::empty(sizes, at::TensorOptions().dtype(m->torch));
	if (bytes)
		std::memcpy(out.data_ptr(), t->data, bytes);
	return out;
}

struct vaccel_torch_tensor *tensor_from_torch(const at::Tensor &src,
					      int index)
{
	const std::string name = what("output", index);
	at::Tensor t = src.to(at::kCPU).contiguous();

	const TypeMap *m = nullptr;
	for (const auto &e : types)
		if (e.torch == t.scalar_type())
			m = &e;
	if (!m)
		throw invalid(name + " has unsupported dtype " +
			      std::string(c10::toString(t.scalar_type())) +
			      " (supported: Byte, Char, Short, Int, Long, "
			      "Half, Float)");

	std::vector<int64_t> dims(t.sizes().begin(), t.sizes().end());
	if (dims.empty())
		dims.push_back(1);

	const size_t bytes = t.nbytes();
	struct vaccel_torch_tensor *raw = nullptr;
	int ret = vaccel_torch_tensor_allocate(&raw, (int64_t)dims.size(),
					       dims.data(), m->vaccel, bytes);
	if (ret)
		throw Error{ret, name + ": could not allocate " +
					 std::to_string(bytes) + " bytes"};
	std::unique_ptr<struct vaccel_torch_tensor, TensorDeleter> out(raw);
	if (bytes)
		std::memcpy(out->data, t.data_ptr(), bytes);
	return out.release();
}

void flatten_outputs(const c10::IValue &v, std::vector<at::Tensor> &out)
{
	if (v.isTensor()) {
		out.push_back(v.toTensor());
	} else if (v.isTuple()) {
		for (const auto &e : v.toTupleRef().elements())
			flatten_outputs(e, out);
	} else if (v.isList()) {
		for (const c10::IValue &e : v.toListRef())
			flatten_outputs(e, out);
	} else {
		throw invalid("forward() returned a " + v.tagKind() +
			      ", not a tensor or a tuple/list of tensors");
	}
}

} // namespace vtorch
