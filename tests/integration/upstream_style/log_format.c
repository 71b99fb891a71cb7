// SPDX-License-Identifier: Apache-2.0
/*
 * A log call whose argument does not match its format (an int64_t printed
 * with %d), as upstream code may have: rejected by -Wformat -Werror unless
 * VACCEL_LOG_NO_FORMAT_CHECK is defined (run.sh compiles it both ways).
 */
#include <stdint.h>
#include <vaccel.h>

void log_format_check(int64_t id);

void log_format_check(int64_t id)
{
	vaccel_info("session %d", id);
}
