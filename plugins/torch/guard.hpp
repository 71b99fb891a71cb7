// SPDX-License-Identifier: Apache-2.0
/*
 * The exception boundary: every operation body runs inside guard(), which
 * turns any exception into a vAccel error code and one log line
 * ("[torch] session N: <op>: <reason>").
 *
 *   vtorch::Error        its own code (the plugin's checks)
 *   std::bad_alloc       VACCEL_ENOMEM
 *   c10::Error, other
 *   std::exception       `code` (the caller's choice, e.g. VACCEL_EINVAL)
 *   anything else        VACCEL_EBACKEND
 */
#ifndef VACCEL_TORCH_GUARD_HPP
#define VACCEL_TORCH_GUARD_HPP

#include "torch_plugin.hpp"

#include <cinttypes>
#include <new>
#include <string>

namespace vtorch
{

/* One line out of a (possibly multi-line) libtorch message. */
std::string one_line(const char *msg);

void log_failure(const struct vaccel_session *sess, const char *op,
		 const std::string &why);

template <typename F>
int guard(const struct vaccel_session *sess, const char *op, int code,
	  F &&body) noexcept
{
	try {
		try {
			return body();
		} catch (const Error &e) {
			log_failure(sess, op, e.msg);
			return e.code;
		} catch (const c10::Error &e) {
			log_failure(sess, op,
				    one_line(e.what_without_backtrace()));
			return code;
		} catch (const std::bad_alloc &) {
			log_failure(sess, op, "out of memory");
			return VACCEL_ENOMEM;
		} catch (const std::exception &e) {
			log_failure(sess, op, one_line(e.what()));
			return code;
		} catch (...) {
			log_failure(sess, op, "unknown exception");
			return VACCEL_EBACKEND;
		}
	} catch (...) {
		/* logging itself failed (out of memory): still an error */
		return VACCEL_EBACKEND;
	}
}

} // namespace vtorch

#endif /* VACCEL_TORCH_GUARD_HPP */
