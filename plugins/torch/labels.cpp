// SPDX-License-Identifier: Apache-2.0
/* The labels file of IMAGE_CLASSIFY: line i (from 0) names class i. */
#include "torch_plugin.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace vtorch
{

std::vector<std::string> labels_load(const std::string &path)
{
	std::ifstream in(path);
	if (!in)
		throw Error{errno == ENOENT ? VACCEL_ENOENT : VACCEL_EINVAL,
			    "cannot open labels file " + path + ": " +
				    std::strerror(errno)};

	std::vector<std::string> labels;
	std::string line;
	while (std::getline(in, line)) {
		if (!line.empty() && line.back() == '\r')
			line.pop_back();
		labels.push_back(line);
	}
	if (in.bad())
		throw Error{VACCEL_EIO, "cannot read labels file " + path};
	if (labels.empty())
		throw Error{VACCEL_EINVAL, "labels file " + path + " is empty"};
	return labels;
}

} // namespace vtorch
