// SPDX-License-Identifier: Apache-2.0
/*
 * torch-make-model: writes the TorchScript test models with libtorch itself
 * (no Python, no downloads).
 *
 *   torch-make-model <dir>
 *
 * Creates in <dir>:
 *   affine.pt      forward(x) = x * w + b, w = [0.5, -1, 2, 0.25],
 *                  b = [1, 2, 3, 4] (float32, broadcast over the last dim)
 *   multi.pt       forward(a, b) = (a + b, (a * b, (a - b).sum())):
 *                  two inputs, three outputs (a nested tuple, a 0-dim sum)
 *   list.pt        forward(x) = [x, x * 2] (a list of tensors)
 *   plus_one.pt    forward(x) = x + 1 (keeps the dtype: every dtype)
 *   to_double.pt   forward(x) = x.double() (an unsupported output dtype)
 *   classifier.pt  forward(x: [1, 3, H, W]) = mean over H, W -> [1, 3]
 *                  @ w [3, 4] + b: logits for labels.txt (red, green, blue,
 *                  gray): the dominant channel wins, gray when none does
 *   labels.txt     the classifier's labels, one a line
 *   boom.pt        forward(x) always raises (a failed assert "boom")
 *   red.ppm, green.ppm, blue.ppm, gray.ppm
 *                  8x8 binary PPM (P6) images of one colour each
 *   gray.pgm       the same gray as a PGM (P5): one channel
 */
#include <torch/script.h>

#include <cstdio>
#include <exception>
#include <fstream>
#include <initializer_list>
#include <string>

namespace
{

torch::jit::Module make(const std::string &src)
{
	torch::jit::Module m("__torch__.VaccelTest");
	m.define(src);
	return m;
}

torch::jit::Module affine()
{
	torch::jit::Module m("__torch__.Affine");
	m.register_parameter("w", torch::tensor({0.5f, -1.0f, 2.0f, 0.25f}),
			     false);
	m.register_parameter("b", torch::tensor({1.0f, 2.0f, 3.0f, 4.0f}),
			     false);
	m.define(R"(
def forward(self, x):
    return x * self.w + self.b
)");
	return m;
}

torch::jit::Module classifier()
{
	torch::jit::Module m("__torch__.Classifier");
	/* class c (< 3) <- mean of channel c; class 3 (gray) <- bias 0.5 */
	m.register_parameter("w", torch::eye(3, 4), false);
	m.register_parameter("b", torch::tensor({0.0f, 0.0f, 0.0f, 0.5f}),
			     false);
	m.define(R"(
def forward(self, x):
    return torch.matmul(x.mean([2, 3]), self.w) + self.b
)");
	return m;
}

/* An 8x8 binary PNM (P5: 1 sample a pixel, P6: 3) of one colour. */
bool image(const std::string &path, const char *magic,
	   std::initializer_list<unsigned char> px)
{
	std::ofstream f(path, std::ios::binary);
	f << magic << "\n# torch-make-model\n8 8\n255\n";
	for (int i = 0; i < 64; i++)
		for (unsigned char c : px)
			f.put((char)c);
	return (bool)f.flush();
}

void save(torch::jit::Module m, const std::string &dir, const char *name)
{
	m.save(dir + "/" + name);
}

} // namespace

int main(int argc, char **argv)
{
	if (argc != 2) {
		std::fprintf(stderr, "Usage: %s <dir>\n", argv[0]);
		return 2;
	}
	const std::string dir = argv[1];

	try {
		save(affine(), dir, "affine.pt");
		save(make(R"(
def forward(self, a, b):
    return (a + b, (a * b, (a - b).sum()))
)"),
		     dir, "multi.pt");
		save(make(R"(
def forward(self, x):
    return [x, x * 2]
)"),
		     dir, "list.pt");
		save(make(R"(
def forward(self, x):
    return x + 1
)"),
		     dir, "plus_one.pt");
		save(make(R"(
def forward(self, x):
    return x.double()
)"),
		     dir, "to_double.pt");
		save(classifier(), dir, "classifier.pt");
		save(make(R"(
def forward(self, x):
    assert bool(x.numel() < 0), "boom"
    return x
)"),
		     dir, "boom.pt");

		std::ofstream labels(dir + "/labels.txt");
		labels << "red\ngreen\nblue\ngray\n";
		if (!labels.flush() ||
		    !image(dir + "/red.ppm", "P6", {255, 0, 0}) ||
		    !image(dir + "/green.ppm", "P6", {0, 255, 0}) ||
		    !image(dir + "/blue.ppm", "P6", {0, 0, 255}) ||
		    !image(dir + "/gray.ppm", "P6", {128, 128, 128}) ||
		    !image(dir + "/gray.pgm", "P5", {128})) {
			std::fprintf(stderr, "torch-make-model: could not "
					     "write the labels or images\n");
			return 1;
		}
	} catch (const std::exception &e) {
		std::fprintf(stderr, "torch-make-model: %s\n", e.what());
		return 1;
	}
	return 0;
}
