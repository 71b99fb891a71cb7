// SPDX-License-Identifier: Apache-2.0
/*
 * The mbench plugin's time argument: a decimal number of milliseconds sent as
 * bytes that need not be NUL-terminated (upstream's example sends
 * sizeof(int) bytes of the command-line string, so "1000" arrives without its
 * NUL and "12345" arrives as "1234").
 */
#ifndef VACCEL_MBENCH_ARG_H
#define VACCEL_MBENCH_ARG_H

#include <stddef.h>

/* Longest busy wait one call may ask for; longer requests are refused. */
#define MBENCH_MAX_MS 10000UL

/*
 * Parse the first `size` bytes of `buf` like atoi() would read a string (an
 * optional run of leading blanks, an optional '+', then digits), stopping at
 * `size`, at a NUL or at the first other byte; no byte past `size` is read.
 * Returns 0 and the value in *ms when it is 1..MBENCH_MAX_MS, VACCEL_EINVAL
 * otherwise (no digits, a '-' sign, 0, or more than MBENCH_MAX_MS).
 */
int mbench_parse_ms(const void *buf, size_t size, unsigned long *ms);

#endif /* VACCEL_MBENCH_ARG_H */
