// SPDX-License-Identifier: Apache-2.0
/*
 * fashion-train: trains the demo's image classifier with libtorch and saves
 * it as a TorchScript model.
 *
 *   fashion-train DATA_DIR OUT_MODEL [EPOCHS]
 *
 * DATA_DIR holds Fashion-MNIST's four IDX files, uncompressed
 * (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
 * t10k-labels-idx1-ubyte; Debian's dataset-fashion-mnist ships them
 * gzipped). The model is a TorchScript module written here (no Python): a
 * two-layer perceptron taking a BYTE (uint8) tensor [N, 28, 28] of raw
 * pixels and returning FLOAT logits [N, 10]. Training is seeded, so a run
 * gives the same model on the same machine. Prints the test accuracy that
 * libtorch itself computes; the demo compares the guest's predictions with
 * it (OUT_MODEL.predictions: one label per test image).
 */
#include <torch/script.h>
#include <torch/torch.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace
{

constexpr int64_t kPixels = 28 * 28;
constexpr int64_t kHidden = 128;
constexpr int64_t kClasses = 10;
constexpr int64_t kBatch = 64;

uint32_t be32(const unsigned char *p)
{
	return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) |
	       (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

// An IDX file: magic 0x0801 (labels) or 0x0803 (images), big-endian dims.
torch::Tensor read_idx(const std::string &path, bool images)
{
	std::ifstream f(path, std::ios::binary);
	if (!f)
		throw std::runtime_error("cannot open " + path);
	unsigned char h[16];
	size_t hlen = images ? 16 : 8;
	if (!f.read(reinterpret_cast<char *>(h), std::streamsize(hlen)))
		throw std::runtime_error(path + ": short header");
	if (be32(h) != (images ? 0x803u : 0x801u))
		throw std::runtime_error(path + ": not an IDX " +
					 (images ? "image" : "label") + " file");
	int64_t n = be32(h + 4);
	if (images && (be32(h + 8) != 28 || be32(h + 12) != 28))
		throw std::runtime_error(path + ": images are not 28x28");
	auto t = images ? torch::empty({n, 28, 28}, torch::kUInt8)
			: torch::empty({n}, torch::kUInt8);
	if (!f.read(static_cast<char *>(t.data_ptr()),
		    std::streamsize(t.numel())))
		throw std::runtime_error(path + ": truncated");
	return t;
}

torch::jit::Module make_model()
{
	torch::jit::Module m("FashionMLP");
	auto init = [](int64_t in, int64_t out) {
		return torch::randn({in, out}) * std::sqrt(2.0 / double(in));
	};
	m.register_parameter("w1", init(kPixels, kHidden), false);
	m.register_parameter("b1", torch::zeros({kHidden}), false);
	m.register_parameter("w2", init(kHidden, kClasses), false);
	m.register_parameter("b2", torch::zeros({kClasses}), false);
	m.define(R"(
def forward(self, x):
    h = x.reshape([-1, 784]).float() / 255.0
    h = torch.relu(torch.matmul(h, self.w1) + self.b1)
    return torch.matmul(h, self.w2) + self.b2
)");
	return m;
}

void train(torch::jit::Module &m, const torch::Tensor &x,
	   const torch::Tensor &y, int epochs)
{
	std::vector<torch::Tensor> params;
	for (const auto &p : m.parameters()) {
		p.set_requires_grad(true);
		params.push_back(p);
	}
	torch::optim::Adam opt(params, torch::optim::AdamOptions(1e-3));
	int64_t n = x.size(0);
	for (int e = 0; e < epochs; e++) {
		auto perm = torch::randperm(n);
		double total = 0;
		for (int64_t i = 0; i + kBatch <= n; i += kBatch) {
			auto idx = perm.slice(0, i, i + kBatch);
			auto logits = m.forward({x.index_select(0, idx)})
					      .toTensor();
			auto loss = torch::nn::functional::cross_entropy(
				logits, y.index_select(0, idx).to(torch::kLong));
			opt.zero_grad();
			loss.backward();
			opt.step();
			total += loss.item<double>();
		}
		std::printf("epoch %d: mean loss %.4f\n", e + 1,
			    total / double(n / kBatch));
	}
	for (const auto &p : m.parameters())
		p.set_requires_grad(false);
}

} // namespace

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4) {
		std::fprintf(stderr,
			     "usage: %s DATA_DIR OUT_MODEL [EPOCHS]\n"
			     "Trains the demo's Fashion-MNIST classifier "
			     "(TorchScript, uint8 [N,28,28] -> logits [N,10]).\n",
			     argv[0]);
		return 2;
	}
	try {
		std::string dir = argv[1], out = argv[2];
		int epochs = argc == 4 ? std::stoi(argv[3]) : 2;
		torch::manual_seed(1);
		torch::set_num_threads(1); // the same model on every machine
		auto x = read_idx(dir + "/train-images-idx3-ubyte", true);
		auto y = read_idx(dir + "/train-labels-idx1-ubyte", false);
		auto tx = read_idx(dir + "/t10k-images-idx3-ubyte", true);
		auto ty = read_idx(dir + "/t10k-labels-idx1-ubyte", false);
		auto m = make_model();
		train(m, x, y, epochs);
		m.eval();
		torch::NoGradGuard no_grad;
		auto pred = m.forward({tx}).toTensor().argmax(1);
		int64_t ok = pred.eq(ty.to(torch::kLong)).sum().item<int64_t>();
		std::printf("libtorch test accuracy: %lld/%lld\n",
			    (long long)ok, (long long)ty.size(0));
		m.save(out);
		std::ofstream p(out + ".predictions");
		auto acc = pred.accessor<int64_t, 1>();
		for (int64_t i = 0; i < acc.size(0); i++)
			p << acc[i] << '\n';
		if (!p)
			throw std::runtime_error("cannot write " + out +
						 ".predictions");
	} catch (const std::exception &e) {
		std::fprintf(stderr, "fashion-train: %s\n", e.what());
		return 1;
	}
	return 0;
}
