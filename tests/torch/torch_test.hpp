// SPDX-License-Identifier: Apache-2.0
/*
 * Helpers of the torch plugin's tests (C++: the expected results come from
 * libtorch called directly in the test).
 *
 * Every test program is run as `<test> <models dir> <libvaccel-torch.so>`;
 * the models dir holds torch-make-model's output. vAccel logs errors only,
 * into a temporary file, so tests can count the plugin's error lines.
 */
#ifndef VACCEL_TORCH_TEST_HPP
#define VACCEL_TORCH_TEST_HPP

#include <vaccel.h>

#include <torch/script.h>

#include <cstdarg>
#include <cstddef>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

extern "C" {
#include <cmocka.h>
}

namespace tt
{

inline std::string models_dir;
inline std::string plugin_path;
inline char log_path[256];

inline std::string model(const char *name)
{
	return models_dir + "/" + name;
}

/* main(): remember the arguments; 1 when they are missing. */
inline int args(int argc, char **argv)
{
	if (argc != 3) {
		std::fprintf(stderr, "usage: %s <models dir> <plugin .so>\n",
			     argv[0]);
		return 1;
	}
	models_dir = argv[1];
	plugin_path = argv[2];
	return 0;
}

/* cmocka group setup/teardown: bootstrap with the plugin, log to a file. */
inline int boot(void **)
{
	const char *dir = std::getenv("TMPDIR");
	std::snprintf(log_path, sizeof(log_path), "%s/vaccel-torch-log-XXXXXX",
		      dir ? dir : "/tmp");
	int fd = mkstemp(log_path);
	if (fd < 0)
		return -1;
	close(fd);

	struct vaccel_config cfg;
	int ret = vaccel_config_init(&cfg, plugin_path.c_str(),
				     VACCEL_LOG_ERROR, log_path, false, false);
	if (ret)
		return ret;
	ret = vaccel_bootstrap_with_config(&cfg);
	vaccel_config_release(&cfg);
	return ret;
}

/* Also prints the log (the plugin's error lines) into the test's output. */
inline int shutdown(void **)
{
	vaccel_cleanup();
	std::ifstream f(log_path);
	std::string line;
	while (std::getline(f, line))
		std::printf("log: %s\n", line.c_str());
	unlink(log_path);
	return 0;
}

/* Lines of the log file containing `needle`. */
inline int log_count(const char *needle)
{
	std::ifstream f(log_path);
	std::string line;
	int n = 0;
	while (std::getline(f, line))
		if (line.find(needle) != std::string::npos)
			n++;
	return n;
}

/* `call` returns `code` and the plugin logs exactly one line about it. */
#define EXPECT_TORCH_ERROR(call, code)                                         \
	do {                                                                   \
		int before_ = tt::log_count("[torch]");                        \
		assert_int_equal((call), (code));                              \
		assert_int_equal(tt::log_count("[torch]"), before_ + 1);       \
	} while (0)

/* A session and a model resource (a file of the models dir, or a path). */
struct Fixture {
	struct vaccel_session sess;
	struct vaccel_resource res;
	bool have_res = false;

	Fixture()
	{
		assert_int_equal(vaccel_session_init(&sess, 0), VACCEL_OK);
	}
	void open_path(const std::string &path)
	{
		assert_int_equal(vaccel_resource_init(&res, path.c_str(),
						      VACCEL_RESOURCE_MODEL),
				 VACCEL_OK);
		assert_int_equal(vaccel_resource_register(&res, &sess),
				 VACCEL_OK);
		have_res = true;
	}
	void open(const char *name)
	{
		open_path(model(name));
	}
	~Fixture()
	{
		if (have_res)
			vaccel_resource_release(&res);
		vaccel_session_release(&sess);
	}
};

inline enum vaccel_torch_data_type vtype(at::ScalarType t)
{
	switch (t) {
	case at::kByte: return VACCEL_TORCH_BYTE;
	case at::kChar: return VACCEL_TORCH_CHAR;
	case at::kShort: return VACCEL_TORCH_SHORT;
	case at::kInt: return VACCEL_TORCH_INT;
	case at::kLong: return VACCEL_TORCH_LONG;
	case at::kHalf: return VACCEL_TORCH_HALF;
	case at::kFloat: return VACCEL_TORCH_FLOAT;
	default: fail_msg("unexpected dtype"); return VACCEL_TORCH_FLOAT;
	}
}

/* A vAccel tensor borrowing `t`'s data (keep `t` alive and contiguous). */
inline struct vaccel_torch_tensor *borrow(const at::Tensor &t)
{
	struct vaccel_torch_tensor *v = nullptr;
	std::vector<int64_t> dims(t.sizes().begin(), t.sizes().end());
	assert_int_equal(vaccel_torch_tensor_new(&v, (int64_t)dims.size(),
						 dims.data(),
						 vtype(t.scalar_type())),
			 VACCEL_OK);
	assert_int_equal(vaccel_torch_tensor_set_data(v, t.data_ptr(),
						      t.nbytes()),
			 VACCEL_OK);
	return v;
}

inline void flatten(const c10::IValue &v, std::vector<at::Tensor> &out)
{
	if (v.isTensor()) {
		out.push_back(v.toTensor());
	} else if (v.isTuple()) {
		for (const auto &e : v.toTupleRef().elements())
			flatten(e, out);
	} else {
		for (const auto &e : v.toListRef())
			flatten(e, out);
	}
}

/* The model's results with libtorch alone (the reference). */
inline std::vector<at::Tensor> direct(const char *name,
				      const std::vector<at::Tensor> &in)
{
	torch::jit::Module m = torch::jit::load(model(name));
	m.eval();
	std::vector<c10::IValue> args(in.begin(), in.end());
	std::vector<at::Tensor> out;
	c10::InferenceMode guard;
	flatten(m.forward(args), out);
	return out;
}

/* `v` is `t` bit for bit (a 0-dim `t` as dims {1}). */
inline void assert_same(const struct vaccel_torch_tensor *v, at::Tensor t)
{
	assert_non_null(v);
	t = t.contiguous();
	assert_int_equal(v->data_type, vtype(t.scalar_type()));
	if (t.dim() == 0) {
		assert_int_equal(v->nr_dims, 1);
		assert_int_equal(v->dims[0], 1);
	} else {
		assert_int_equal(v->nr_dims, t.dim());
		for (int64_t i = 0; i < t.dim(); i++)
			assert_int_equal(v->dims[i], t.size(i));
	}
	assert_int_equal(v->size, t.nbytes());
	assert_true(v->owned);
	assert_memory_equal(v->data, t.data_ptr(), t.nbytes());
}

} // namespace tt

#endif /* VACCEL_TORCH_TEST_HPP */
