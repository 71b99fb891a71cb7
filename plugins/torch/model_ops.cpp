// SPDX-License-Identifier: Apache-2.0
/*
 * TORCH_MODEL_LOAD and TORCH_MODEL_RUN.
 *
 * Load: the model resource's first file is loaded with torch::jit::load (CPU)
 * and kept for the (session, resource) pair; loading it again is a no-op.
 * Run: runs forward() on copies of the inputs, loading the model first when
 * no load preceded (upstream's torch plugin loaded and ran in one op,
 * "jitload_forward"). The result, a tensor or (nested) tuples/lists of
 * tensors, is flattened into outputs[0..n-1]; outputs[n..nr_outputs-1] are
 * set to NULL. More results than nr_outputs, or one of an unsupported dtype,
 * is VACCEL_EINVAL and no output is set. run_options are not used.
 */
#include "guard.hpp"

#include <memory>

using namespace vtorch;

namespace
{

struct TensorDeleter {
	void operator()(struct vaccel_torch_tensor *t) const
	{
		vaccel_torch_tensor_delete(t);
	}
};
using TensorPtr = std::unique_ptr<struct vaccel_torch_tensor, TensorDeleter>;

int check_args(const struct vaccel_session *sess,
	       const struct vaccel_resource *model)
{
	if (!sess || !model) {
		vaccel_error("[torch] %s is NULL", !sess ? "session" : "model");
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

} // namespace

extern "C" int torch_op_model_load(struct vaccel_session *sess,
				   struct vaccel_resource *model)
{
	int ret = check_args(sess, model);
	if (ret)
		return ret;

	return guard(sess, "model_load", VACCEL_EINVAL, [&] {
		store_get(sess, model, true);
		return VACCEL_OK;
	});
}

extern "C" int torch_op_model_run(struct vaccel_session *sess,
				  struct vaccel_resource *model,
				  const struct vaccel_torch_buffer *run_options,
				  struct vaccel_torch_tensor *const *inputs,
				  int nr_inputs,
				  struct vaccel_torch_tensor **outputs,
				  int nr_outputs)
{
	(void)run_options;
	int ret = check_args(sess, model);
	if (ret)
		return ret;
	if (nr_inputs < 0 || nr_outputs < 0 || (nr_inputs && !inputs) ||
	    (nr_outputs && !outputs)) {
		vaccel_error("[torch] session %" PRId64
			     ": model_run: bad inputs/outputs (%d, %d)",
			     sess->id, nr_inputs, nr_outputs);
		return VACCEL_EINVAL;
	}

	return guard(sess, "model_run", VACCEL_EINVAL, [&] {
		ModulePtr m = store_get(sess, model, true);

		std::vector<c10::IValue> args;
		args.reserve((size_t)nr_inputs);
		for (int i = 0; i < nr_inputs; i++)
			args.emplace_back(tensor_to_torch(inputs[i], i));

		std::vector<at::Tensor> results;
		{
			c10::InferenceMode guard;
			flatten_outputs(m->forward(std::move(args)), results);
		}
		if (results.size() > (size_t)nr_outputs)
			throw Error{VACCEL_EINVAL,
				    "the model produced " +
					    std::to_string(results.size()) +
					    " outputs but nr_outputs is " +
					    std::to_string(nr_outputs)};

		std::vector<TensorPtr> out;
		for (size_t i = 0; i < results.size(); i++)
			out.emplace_back(tensor_from_torch(results[i], (int)i));

		for (int i = 0; i < nr_outputs; i++)
			outputs[i] = (size_t)i < out.size()
					     ? out[(size_t)i].release()
					     : nullptr;
		vaccel_debug("[torch] session %" PRId64 ": model %" PRId64
			     " ran: %d inputs, %zu outputs",
			     sess->id, model->id, nr_inputs, results.size());
		return VACCEL_OK;
	});
}
