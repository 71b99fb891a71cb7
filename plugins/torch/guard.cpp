// SPDX-License-Identifier: Apache-2.0
/* Log helpers of the exception boundary (guard.hpp). */
#include "guard.hpp"

#include <cctype>
#include <cstring>
#include <vector>

namespace vtorch
{

namespace
{

constexpr size_t max_line = 512;
/* The TorchScript interpreter's header before a traceback: the real error is
 * the message's last line. */
constexpr const char *ts_header = "The following operation failed";

std::string trim(const std::string &s)
{
	size_t b = 0;
	size_t e = s.size();

	while (b < e && std::isspace(static_cast<unsigned char>(s[b])))
		b++;
	while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1])))
		e--;
	return s.substr(b, e - b);
}

} // namespace

std::string one_line(const char *msg)
{
	std::vector<std::string> lines;
	std::string cur;

	for (const char *p = msg ? msg : ""; *p; p++) {
		if (*p == '\n') {
			lines.push_back(trim(cur));
			cur.clear();
		} else {
			cur += *p;
		}
	}
	lines.push_back(trim(cur));

	std::vector<std::string> text;
	for (auto &l : lines)
		if (!l.empty())
			text.push_back(l);
	if (text.empty())
		return "(no message)";

	std::string line = text.front();
	if (text.size() > 1 && line.rfind(ts_header, 0) == 0)
		line = text.back();
	if (line.size() > max_line)
		line = line.substr(0, max_line) + "...";
	return line;
}

void log_failure(const struct vaccel_session *sess, const char *op,
		 const std::string &why)
{
	vaccel_error("[torch] session %" PRId64 ": %s: %s",
		     sess ? sess->id : (vaccel_id_t)0, op, why.c_str());
}

} // namespace vtorch
