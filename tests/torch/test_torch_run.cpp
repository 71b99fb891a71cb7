// SPDX-License-Identifier: Apache-2.0
/*
 * TORCH_MODEL_LOAD / TORCH_MODEL_RUN through the public API, each result
 * compared bit for bit with the same model run by libtorch directly: one and
 * several inputs and outputs (nested tuples, lists, a 0-dim result), every
 * dtype, run without load, models from memory, and the model state's life
 * (per session; dropped on unregistration).
 */
#include "torch_test.hpp"

#include <filesystem>

using tt::Fixture;

namespace
{

struct Outputs {
	std::vector<struct vaccel_torch_tensor *> t;
	explicit Outputs(size_t n) : t(n, nullptr) {}
	~Outputs()
	{
		for (auto *p : t)
			if (p)
				vaccel_torch_tensor_delete(p);
	}
};

/* Run `name` on `in` through vAccel, compare with libtorch directly. */
void run_and_compare(Fixture &f, const char *name,
		     const std::vector<at::Tensor> &in, size_t nr_outputs)
{
	std::vector<struct vaccel_torch_tensor *> vin;
	for (const auto &t : in)
		vin.push_back(tt::borrow(t));
	Outputs out(nr_outputs);

	assert_int_equal(vaccel_torch_model_run(&f.sess, &f.res, nullptr,
						vin.data(), (int)vin.size(),
						out.t.data(), (int)nr_outputs),
			 VACCEL_OK);

	std::vector<at::Tensor> want = tt::direct(name, in);
	assert_true(want.size() <= nr_outputs);
	for (size_t i = 0; i < nr_outputs; i++) {
		if (i < want.size())
			tt::assert_same(out.t[i], want[i]);
		else
			assert_null(out.t[i]);
	}
	for (auto *v : vin)
		vaccel_torch_tensor_delete(v);
}

at::Tensor sample(at::ScalarType type)
{
	return at::arange(-6, 6).reshape({3, 4}).to(type);
}

void test_affine(void **)
{
	Fixture f;
	f.open("affine.pt");
	assert_int_equal(vaccel_torch_model_load(&f.sess, &f.res), VACCEL_OK);
	/* loading again is allowed */
	assert_int_equal(vaccel_torch_model_load(&f.sess, &f.res), VACCEL_OK);
	run_and_compare(f, "affine.pt", {at::randn({2, 4})}, 1);
	run_and_compare(f, "affine.pt", {at::randn({5, 3, 4})}, 1);
}

void test_multi(void **)
{
	Fixture f;
	f.open("multi.pt");
	assert_int_equal(vaccel_torch_model_load(&f.sess, &f.res), VACCEL_OK);
	/* a + b, a * b, (a - b).sum(): the last is 0-dim -> dims {1} */
	run_and_compare(f, "multi.pt", {at::randn({3, 2}), at::randn({3, 2})},
			3);
	/* more outputs than results: the rest are NULL */
	run_and_compare(f, "multi.pt", {at::randn({4}), at::randn({4})}, 5);
}

void test_list(void **)
{
	Fixture f;
	f.open("list.pt");
	run_and_compare(f, "list.pt", {at::randn({2, 2})}, 2);
}

void test_every_dtype(void **)
{
	Fixture f;
	f.open("plus_one.pt");
	assert_int_equal(vaccel_torch_model_load(&f.sess, &f.res), VACCEL_OK);
	for (at::ScalarType t : {at::kByte, at::kChar, at::kShort, at::kInt,
				 at::kLong, at::kHalf, at::kFloat})
		run_and_compare(f, "plus_one.pt", {sample(t)}, 1);
	/* uint8 wraps: 255 + 1 == 0, as in libtorch */
	run_and_compare(f, "plus_one.pt",
			{at::full({3}, 255, at::TensorOptions(at::kByte))}, 1);
}

/* RUN without LOAD loads on demand. */
void test_run_without_load(void **)
{
	Fixture f;
	f.open("affine.pt");
	run_and_compare(f, "affine.pt", {at::randn({1, 4})}, 1);
}

/* A resource made from bytes in memory (no file on disk). */
void test_model_from_memory(void **)
{
	std::ifstream in(tt::model("affine.pt"), std::ios::binary);
	std::string bytes((std::istreambuf_iterator<char>(in)),
			  std::istreambuf_iterator<char>());
	assert_true(bytes.size() > 0);

	Fixture f;
	assert_int_equal(vaccel_resource_init_from_buf(
				 &f.res, bytes.data(), bytes.size(),
				 VACCEL_RESOURCE_MODEL, "affine.pt", true),
			 VACCEL_OK);
	assert_int_equal(vaccel_resource_register(&f.res, &f.sess), VACCEL_OK);
	f.have_res = true;
	run_and_compare(f, "affine.pt", {at::randn({2, 4})}, 1);
}

/* One resource in two sessions: each has its own loaded module. */
void test_two_sessions(void **)
{
	Fixture a;
	a.open("affine.pt");
	struct vaccel_session b;
	assert_int_equal(vaccel_session_init(&b, 0), VACCEL_OK);
	assert_int_equal(vaccel_resource_register(&a.res, &b), VACCEL_OK);
	assert_int_equal(vaccel_torch_model_load(&b, &a.res), VACCEL_OK);
	assert_int_equal(vaccel_session_release(&b), VACCEL_OK);
	/* a still runs after b (and its module) went away */
	run_and_compare(a, "affine.pt", {at::randn({2, 4})}, 1);
}

/*
 * Unregistration drops the module: the same resource re-registered after
 * its file changed runs the new model.
 */
void test_unregister_drops_model(void **)
{
	std::string dir = tt::models_dir + "/swap";
	std::filesystem::create_directories(dir);
	std::string path = dir + "/model.pt";
	std::filesystem::copy_file(
		tt::model("affine.pt"), path,
		std::filesystem::copy_options::overwrite_existing);

	Fixture f;
	f.open_path(path);
	run_and_compare(f, "affine.pt", {at::randn({2, 4})}, 1);
	assert_int_equal(vaccel_resource_unregister(&f.res, &f.sess),
			 VACCEL_OK);

	std::filesystem::copy_file(
		tt::model("plus_one.pt"), path,
		std::filesystem::copy_options::overwrite_existing);
	assert_int_equal(vaccel_resource_register(&f.res, &f.sess), VACCEL_OK);
	run_and_compare(f, "plus_one.pt", {at::randn({2, 4})}, 1);
}

} // namespace

int main(int argc, char **argv)
{
	if (tt::args(argc, argv))
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_affine),
		cmocka_unit_test(test_multi),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_every_dtype),
		cmocka_unit_test(test_run_without_load),
		cmocka_unit_test(test_model_from_memory),
		cmocka_unit_test(test_two_sessions),
		cmocka_unit_test(test_unregister_drops_model),
	};
	return cmocka_run_group_tests(tests, tt::boot, tt::shutdown);
}
