// SPDX-License-Identifier: Apache-2.0
#include "mbench_arg.h"

#include <vaccel.h>

#include <stdbool.h>

static bool is_blank(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

int mbench_parse_ms(const void *buf, size_t size, unsigned long *ms)
{
	const unsigned char *p = buf;
	unsigned long v = 0;
	size_t i = 0;
	size_t digits = 0;

	if (!p || !ms)
		return VACCEL_EINVAL;
	while (i < size && is_blank(p[i]))
		i++;
	if (i < size && p[i] == '+')
		i++;
	for (; i < size && p[i] >= '0' && p[i] <= '9'; i++, digits++) {
		/* saturate just above the bound: no overflow, still refused */
		if (v <= MBENCH_MAX_MS)
			v = v * 10 + (unsigned long)(p[i] - '0');
	}
	if (digits == 0 || v == 0 || v > MBENCH_MAX_MS)
		return VACCEL_EINVAL;
	*ms = v;
	return VACCEL_OK;
}
