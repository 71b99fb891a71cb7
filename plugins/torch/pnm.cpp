// SPDX-License-Identifier: Apache-2.0
/*
 * Binary PGM (P5, grayscale) and PPM (P6, RGB) images with 8-bit samples
 * (maxval 1..255), the input format of IMAGE_CLASSIFY: decodable without any
 * image library. The header's fields are separated by whitespace, '#' starts
 * a comment to the end of the line; exactly one whitespace byte follows
 * maxval, then width * height * channels samples (more bytes are ignored).
 */
#include "torch_plugin.hpp"

#include <cctype>

namespace vtorch
{

namespace
{

/* At most 2^28 samples (a 16384 x 16384 RGB image). */
constexpr int64_t max_samples = int64_t(1) << 28;

Error bad(const std::string &why)
{
	return Error{VACCEL_EINVAL, "image: " + why};
}

struct Reader {
	const unsigned char *p;
	const unsigned char *end;

	void skip_space()
	{
		while (p < end) {
			if (*p == '#') {
				while (p < end && *p != '\n')
					p++;
			} else if (std::isspace(*p)) {
				p++;
			} else {
				break;
			}
		}
	}

	int64_t number(const char *what)
	{
		skip_space();
		if (p == end || !std::isdigit(*p))
			throw bad(std::string("missing ") + what);
		int64_t v = 0;
		while (p < end && std::isdigit(*p)) {
			v = v * 10 + (*p++ - '0');
			if (v > 65535)
				throw bad(std::string(what) + " too large");
		}
		return v;
	}
};

} // namespace

Image pnm_parse(const unsigned char *buf, size_t len)
{
	if (len < 2 || buf[0] != 'P' || (buf[1] != '5' && buf[1] != '6'))
		throw bad("not a binary PGM (P5) or PPM (P6) image");

	Reader r{buf + 2, buf + len};
	Image img;
	img.channels = buf[1] == '6' ? 3 : 1;
	img.width = r.number("width");
	img.height = r.number("height");
	int64_t maxval = r.number("maxval");
	if (img.width < 1 || img.height < 1)
		throw bad("empty image");
	if (maxval < 1 || maxval > 255)
		throw bad("maxval " + std::to_string(maxval) +
			  " unsupported (8-bit samples only: 1..255)");
	if (r.p == r.end || !std::isspace(*r.p))
		throw bad("no whitespace after maxval");
	r.p++;

	const int64_t samples = img.width * img.height * img.channels;
	if (samples > max_samples)
		throw bad("too large");
	if (r.end - r.p < samples)
		throw bad("truncated: " + std::to_string(samples) +
			  " samples expected, " + std::to_string(r.end - r.p) +
			  " bytes left");
	img.maxval = (int)maxval;
	img.pixels = r.p;
	return img;
}

at::Tensor image_to_tensor(const Image &img)
{
	static const float mean[3] = {0.485f, 0.456f, 0.406f};
	static const float stdev[3] = {0.229f, 0.224f, 0.225f};
	const int64_t c = img.channels;
	const int64_t hw = img.width * img.height;

	at::Tensor t = at::empty({1, c, img.height, img.width}, at::kFloat);
	float *out = t.data_ptr<float>();
	for (int64_t ch = 0; ch < c; ch++) {
		for (int64_t i = 0; i < hw; i++) {
			float v = (float)img.pixels[i * c + ch] /
				  (float)img.maxval;
			if (c == 3)
				v = (v - mean[ch]) / stdev[ch];
			out[ch * hw + i] = v;
		}
	}
	return t;
}

} // namespace vtorch
