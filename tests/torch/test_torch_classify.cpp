// SPDX-License-Identifier: Apache-2.0
/*
 * IMAGE_CLASSIFY: PPM images through the session's model resource (or
 * VACCEL_TORCH_MODEL) and VACCEL_TORCH_LABELS; the label must be the one
 * libtorch's own argmax over the same preprocessed image names. Errors: no
 * model, no labels, not an image, a grayscale image for an RGB model.
 */
#include "torch_test.hpp"

using tt::Fixture;

namespace
{

std::string read(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	return std::string((std::istreambuf_iterator<char>(in)),
			   std::istreambuf_iterator<char>());
}

/* The expected label: the README's preprocessing, done here by hand. */
std::string expected(const char *image)
{
	std::string img = read(tt::model(image));
	/* torch-make-model's header: "P6\n# torch-make-model\n8 8\n255\n" */
	size_t off = img.size() - 8 * 8 * 3;
	const float mean[3] = {0.485f, 0.456f, 0.406f};
	const float stdev[3] = {0.229f, 0.224f, 0.225f};
	at::Tensor x = at::empty({1, 3, 8, 8});
	float *p = x.data_ptr<float>();
	for (int c = 0; c < 3; c++)
		for (int i = 0; i < 64; i++)
			p[c * 64 + i] =
				((float)(unsigned char)img[off + i * 3 + c] /
					 255.0f -
				 mean[c]) /
				stdev[c];
	at::Tensor logits = tt::direct("classifier.pt", {x})[0];
	const char *labels[] = {"red", "green", "blue", "gray"};
	return labels[logits.reshape(-1).argmax().item<int64_t>()];
}

int classify(struct vaccel_session *sess, const std::string &img,
	     std::string &label, size_t len = 64)
{
	std::vector<unsigned char> text(len, 'x');
	unsigned char name[32] = "untouched";
	int ret = vaccel_image_classification(sess, img.data(), text.data(),
					      name, img.size(), len,
					      sizeof(name));
	if (!ret) {
		assert_int_equal(name[0], '\0');
		label = (const char *)text.data();
	}
	return ret;
}

int setup(void **state)
{
	setenv("VACCEL_TORCH_LABELS", tt::model("labels.txt").c_str(), 1);
	unsetenv("VACCEL_TORCH_MODEL");
	return tt::boot(state);
}

void test_colours(void **)
{
	Fixture f;
	f.open("classifier.pt");
	const char *want[][2] = {{"red.ppm", "red"},
				 {"green.ppm", "green"},
				 {"blue.ppm", "blue"},
				 {"gray.ppm", "gray"}};
	for (auto &w : want) {
		std::string label;
		assert_int_equal(classify(&f.sess, read(tt::model(w[0])),
					  label),
				 VACCEL_OK);
		assert_string_equal(label.c_str(), expected(w[0]).c_str());
		assert_string_equal(label.c_str(), w[1]);
	}
}

void test_truncated_output(void **)
{
	Fixture f;
	f.open("classifier.pt");
	std::string label;
	assert_int_equal(classify(&f.sess, read(tt::model("green.ppm")), label,
				  3),
			 VACCEL_OK);
	assert_string_equal(label.c_str(), "gr");
}

void test_model_from_env(void **)
{
	Fixture f; /* no model resource */
	std::string label;
	EXPECT_TORCH_ERROR(classify(&f.sess, read(tt::model("red.ppm")), label),
			   VACCEL_EINVAL);
	setenv("VACCEL_TORCH_MODEL", tt::model("classifier.pt").c_str(), 1);
	assert_int_equal(classify(&f.sess, read(tt::model("blue.ppm")), label),
			 VACCEL_OK);
	assert_string_equal(label.c_str(), "blue");
	unsetenv("VACCEL_TORCH_MODEL");
}

void test_errors(void **)
{
	Fixture f;
	f.open("classifier.pt");
	std::string label;
	const std::string red = read(tt::model("red.ppm"));

	/* not an image; truncated pixels; 16-bit samples */
	EXPECT_TORCH_ERROR(classify(&f.sess, "hello", label), VACCEL_EINVAL);
	EXPECT_TORCH_ERROR(classify(&f.sess, red.substr(0, red.size() - 1),
				    label),
			   VACCEL_EINVAL);
	EXPECT_TORCH_ERROR(classify(&f.sess, "P6 1 1 65535\n\1\2\3\4\5\6",
				    label),
			   VACCEL_EINVAL);
	/* one channel for a three-channel model: forward() fails */
	EXPECT_TORCH_ERROR(classify(&f.sess, read(tt::model("gray.pgm")),
				    label),
			   VACCEL_EINVAL);
	/* no labels file; too few labels */
	setenv("VACCEL_TORCH_LABELS", "/nonexistent/labels.txt", 1);
	EXPECT_TORCH_ERROR(classify(&f.sess, red, label), VACCEL_ENOENT);
	std::string few = tt::models_dir + "/one_label.txt";
	std::ofstream(few) << "only\n";
	setenv("VACCEL_TORCH_LABELS", few.c_str(), 1);
	EXPECT_TORCH_ERROR(classify(&f.sess, read(tt::model("blue.ppm")),
				    label),
			   VACCEL_EINVAL);
	setenv("VACCEL_TORCH_LABELS", tt::model("labels.txt").c_str(), 1);
	/* still works */
	assert_int_equal(classify(&f.sess, red, label), VACCEL_OK);
	assert_string_equal(label.c_str(), "red");
}

} // namespace

int main(int argc, char **argv)
{
	if (tt::args(argc, argv))
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_colours),
		cmocka_unit_test(test_truncated_output),
		cmocka_unit_test(test_model_from_env),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, setup, tt::shutdown);
}
