// SPDX-License-Identifier: Apache-2.0
/*
 * VACCEL_PLUGIN(...) followed by PLUGIN_END, which run.sh defines as nothing
 * (upstream's spelling) or as `;`: both must compile under -Wpedantic -Werror
 * as C and as C++20. The initializers follow the declaration order of
 * struct vaccel_plugin_info, as C++ requires.
 */
#include <vaccel.h>

static int init(void)
{
	return VACCEL_OK;
}

static int fini(void)
{
	return VACCEL_OK;
}

VACCEL_PLUGIN(.name = "spelling", .version = "1.0",
	      .vaccel_version = VACCEL_VERSION, .init = init, .fini = fini,
	      .type = VACCEL_PLUGIN_DEBUG) PLUGIN_END
