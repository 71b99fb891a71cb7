// SPDX-License-Identifier: Apache-2.0
/*
 * make-big-model: a TorchScript model of at least MIB MiB, for loading from
 * a guest (tests/e2e: check 'examples', case big_model).
 *
 *   make-big-model OUT MIB
 *
 * The model holds one float32 parameter w of MIB MiB whose values are
 * ((i * 7) mod 1000) / 1000, made by libtorch itself, and computes
 * forward(x) = (x + w[0:4], w.sum()): the first output proves the right
 * model ran, the second that every byte of it arrived.
 */
#include <torch/script.h>
#include <torch/torch.h>

#include <cstdio>
#include <exception>
#include <string>

int main(int argc, char **argv)
{
	if (argc != 3) {
		std::fprintf(stderr, "usage: %s OUT MIB\n", argv[0]);
		return 2;
	}
	try {
		int64_t mib = std::stoll(argv[2]);
		if (mib < 1 || mib > 4096)
			throw std::runtime_error("MIB must be 1..4096");
		int64_t n = mib * 1024 * 1024 / 4;
		auto w = torch::arange(n, torch::kLong)
				 .mul(7)
				 .remainder(1000)
				 .to(torch::kFloat)
				 .div(1000);
		torch::jit::Module m("__torch__.BigModel");
		m.register_parameter("w", w, false);
		m.define(R"(
def forward(self, x):
    return (x + self.w[0:4], self.w.sum())
)");
		m.save(argv[1]);
	} catch (const std::exception &e) {
		std::fprintf(stderr, "make-big-model: %s\n", e.what());
		return 1;
	}
	return 0;
}
