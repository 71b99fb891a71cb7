// SPDX-License-Identifier: Apache-2.0
/*
 * The torch plugin's failures: each returns a vAccel error code with exactly
 * one "[torch]" log line, sets no output, and the process (and the same
 * session) keeps working: files that are not models, wrong dtypes, shapes
 * and sizes, a forward() that raises, too few outputs, an unsupported
 * output dtype.
 */
#include "torch_test.hpp"

using tt::Fixture;

namespace
{

/* A file of the models dir's "bad" subdir with `bytes` in it. */
std::string bad_file(const char *name, const std::string &bytes)
{
	std::string dir = tt::models_dir + "/bad";
	mkdir(dir.c_str(), 0755);
	std::string path = dir + "/" + name;
	std::ofstream(path, std::ios::binary) << bytes;
	return path;
}

std::string file_bytes(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	return std::string((std::istreambuf_iterator<char>(in)),
			   std::istreambuf_iterator<char>());
}

/* Run `f`'s model on `in`; expect `code`, one log line, no output set. */
void expect_run_error(Fixture &f, std::vector<at::Tensor> in, int nr_outputs,
		      int code)
{
	std::vector<struct vaccel_torch_tensor *> vin;
	for (const auto &t : in)
		vin.push_back(tt::borrow(t));
	std::vector<struct vaccel_torch_tensor *> out((size_t)nr_outputs,
						      nullptr);
	EXPECT_TORCH_ERROR(vaccel_torch_model_run(&f.sess, &f.res, nullptr,
						  vin.data(), (int)vin.size(),
						  out.data(), nr_outputs),
			   code);
	for (auto *o : out)
		assert_null(o);
	for (auto *v : vin)
		vaccel_torch_tensor_delete(v);
}

/* The session still runs a good model after an error. */
void still_works(Fixture &f)
{
	Fixture g;
	g.open("affine.pt");
	at::Tensor x = at::ones({1, 4});
	struct vaccel_torch_tensor *in = tt::borrow(x);
	struct vaccel_torch_tensor *out = nullptr;
	assert_int_equal(vaccel_torch_model_run(&g.sess, &g.res, nullptr, &in,
						1, &out, 1),
			 VACCEL_OK);
	tt::assert_same(out, tt::direct("affine.pt", {x})[0]);
	vaccel_torch_tensor_delete(out);
	vaccel_torch_tensor_delete(in);
	(void)f;
}

void test_not_a_model(void **)
{
	std::string truncated = file_bytes(tt::model("affine.pt"));
	truncated.resize(truncated.size() / 2);

	for (const auto &p :
	     {bad_file("text.pt", "this is not a TorchScript model\n"),
	      bad_file("empty.pt", ""), bad_file("truncated.pt", truncated),
	      tt::model("labels.txt")}) {
		Fixture f;
		f.open_path(p);
		EXPECT_TORCH_ERROR(vaccel_torch_model_load(&f.sess, &f.res),
				   VACCEL_EINVAL);
		/* run loads on demand: the same error */
		expect_run_error(f, {at::ones({1, 4})}, 1, VACCEL_EINVAL);
		still_works(f);
	}
}

void test_wrong_shape(void **)
{
	Fixture f;
	f.open("affine.pt");
	/* [3] does not broadcast with w [4] */
	expect_run_error(f, {at::ones({3})}, 1, VACCEL_EINVAL);
	/* too few inputs, too many inputs */
	expect_run_error(f, {}, 1, VACCEL_EINVAL);
	expect_run_error(f, {at::ones({4}), at::ones({4})}, 1, VACCEL_EINVAL);
	still_works(f);
}

void test_wrong_dtype(void **)
{
	Fixture f;
	f.open("classifier.pt");
	/* mean() of a uint8 image: libtorch refuses */
	expect_run_error(f, {at::zeros({1, 3, 2, 2}, at::kByte)}, 1,
			 VACCEL_EINVAL);
	still_works(f);
}

/* Tensors whose description is inconsistent never reach libtorch. */
void test_bad_tensors(void **)
{
	Fixture f;
	f.open("affine.pt");
	at::Tensor x = at::ones({2, 4});
	struct vaccel_torch_tensor *in = tt::borrow(x);
	struct vaccel_torch_tensor *out = nullptr;

	in->size -= 4; /* size does not match dims x float */
	EXPECT_TORCH_ERROR(vaccel_torch_model_run(&f.sess, &f.res, nullptr,
						  &in, 1, &out, 1),
			   VACCEL_EINVAL);
	in->size += 4;
	const int bogus = 99; /* as a C caller could store it */
	std::memcpy(&in->data_type, &bogus, sizeof(bogus));
	EXPECT_TORCH_ERROR(vaccel_torch_model_run(&f.sess, &f.res, nullptr,
						  &in, 1, &out, 1),
			   VACCEL_EINVAL);
	in->data_type = VACCEL_TORCH_FLOAT;
	in->dims[0] = -2;
	EXPECT_TORCH_ERROR(vaccel_torch_model_run(&f.sess, &f.res, nullptr,
						  &in, 1, &out, 1),
			   VACCEL_EINVAL);
	in->dims[0] = 2;
	struct vaccel_torch_tensor *null_in = nullptr;
	EXPECT_TORCH_ERROR(vaccel_torch_model_run(&f.sess, &f.res, nullptr,
						  &null_in, 1, &out, 1),
			   VACCEL_EINVAL);
	assert_null(out);
	vaccel_torch_tensor_delete(in);
	still_works(f);
}

void test_forward_raises(void **)
{
	Fixture f;
	f.open("boom.pt");
	assert_int_equal(vaccel_torch_model_load(&f.sess, &f.res), VACCEL_OK);
	int before = tt::log_count("boom");
	expect_run_error(f, {at::ones({2})}, 1, VACCEL_EINVAL);
	/* the log line carries the model's own message */
	assert_int_equal(tt::log_count("boom"), before + 1);
	still_works(f);
}

void test_too_few_outputs(void **)
{
	Fixture f;
	f.open("multi.pt");
	/* three results, room for one or none */
	expect_run_error(f, {at::ones({2}), at::ones({2})}, 1, VACCEL_EINVAL);
	expect_run_error(f, {at::ones({2}), at::ones({2})}, 0, VACCEL_EINVAL);
	still_works(f);
}

void test_unsupported_output_dtype(void **)
{
	Fixture f;
	f.open("to_double.pt");
	int before = tt::log_count("unsupported dtype Double");
	expect_run_error(f, {at::ones({2})}, 1, VACCEL_EINVAL);
	assert_int_equal(tt::log_count("unsupported dtype Double"), before + 1);
	still_works(f);
}

} // namespace

int main(int argc, char **argv)
{
	if (tt::args(argc, argv))
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_a_model),
		cmocka_unit_test(test_wrong_shape),
		cmocka_unit_test(test_wrong_dtype),
		cmocka_unit_test(test_bad_tensors),
		cmocka_unit_test(test_forward_raises),
		cmocka_unit_test(test_too_few_outputs),
		cmocka_unit_test(test_unsupported_output_dtype),
	};
	return cmocka_run_group_tests(tests, tt::boot, tt::shutdown);
}
