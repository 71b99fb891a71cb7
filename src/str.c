// SPDX-License-Identifier: Apache-2.0
#include "internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int vaccel_str_to_lower(const char *str, char *lower, size_t size,
			char **alloc_lower)
{
	if (!str || (!lower && !alloc_lower) || (lower && size == 0)) {
		vaccel_error("vaccel_str_to_lower: invalid arguments");
		return VACCEL_EINVAL;
	}
	size_t len = strlen(str);
	char *out = lower;
	if (!out) {
		out = malloc(len + 1);
		if (!out)
			return VACCEL_ENOMEM;
	} else if (len + 1 > size) {
		vaccel_error("vaccel_str_to_lower: buffer of %zu bytes too "
			     "small for %zu",
			     size, len + 1);
		return VACCEL_ENAMETOOLONG;
	}
	for (size_t i = 0; i < len; i++)
		out[i] = (char)tolower((unsigned char)str[i]);
	out[len] = '\0';
	if (!lower)
		*alloc_lower = out;
	return VACCEL_OK;
}
