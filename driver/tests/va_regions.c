// SPDX-License-Identifier: GPL-2.0
/*
 * va_regions: an argument whose pages are physically contiguous across
 * the boundary between two guest memory regions (two adjacent DIMMs of
 * the VMM) must reach the real device as two data segments; one segment
 * straddling both regions gets status FAULT (EFAULT). Root (pagemap).
 *
 *   va_regions BOUNDARY       guest-physical address where region 2 starts
 *
 * driver/tests/run-qemu.sh boots the QEMU guest with two 256 MiB DIMMs at
 * 4 GiB and 4 GiB + 256 MiB (onlined at boot) and sets
 * VA_REGION_BOUNDARY=0x110000000 for run-guest.sh. The program allocates
 * memory until it owns the frames on both sides of BOUNDARY, maps them
 * next to each other (mremap), and echoes 8 KiB from there through the
 * noop plugin (a segment argument, zero-copy or bounce).
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#include "va_test.h"

static uint64_t pfn_of(int pm, const void *p)
{
	uint64_t e;

	if (pread(pm, &e, sizeof(e), (off_t)((uintptr_t)p / 4096) * 8) !=
	    sizeof(e))
		return 0;
	if (!(e & (1ull << 63)))
		return 0;
	return e & ((1ull << 55) - 1);
}

int main(int argc, char **argv)
{
	const uint64_t chunk = 16ull << 20;
	uint64_t want, got = 0, limit, sess, produced = 0;
	char *lo = NULL, *hi = NULL, *dst, out[8192];
	int pm, fd;

	va_prog = "va_regions";
	if (argc != 2) {
		fprintf(stderr, "usage: va_regions BOUNDARY\n");
		return 2;
	}
	want = strtoull(argv[1], NULL, 0) / 4096;
	limit = (uint64_t)sysconf(_SC_PHYS_PAGES) * 4096 * 3 / 4;
	pm = open("/proc/self/pagemap", O_RDONLY);
	if (pm < 0 || !want) {
		VA_LOG("pagemap: %s", strerror(errno));
		return 2;
	}
	while ((!lo || !hi) && got + chunk <= limit) {
		char *m = mmap(NULL, chunk, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uint64_t off, f;

		if (m == MAP_FAILED)
			break;
		madvise(m, chunk, MADV_NOHUGEPAGE);
		got += chunk;
		for (off = 0; off < chunk; off += 4096) {
			m[off] = 1;
			f = pfn_of(pm, m + off);
			if (f == want - 1)
				lo = m + off;
			else if (f == want)
				hi = m + off;
		}
	}
	VA_LOG("frames 0x%llx/0x%llx %sfound after %llu MiB",
	       (unsigned long long)want - 1, (unsigned long long)want,
	       lo && hi ? "" : "NOT ", (unsigned long long)(got >> 20));
	CHECK(lo && hi, "the frames around the boundary are not ours");
	if (!lo || !hi)
		return va_summary();
	dst = mmap(NULL, 8192, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(mremap(lo, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED, dst) ==
		      dst, "mremap: %s", strerror(errno));
	CHECK(mremap(hi, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED,
		     dst + 4096) == dst + 4096, "mremap: %s", strerror(errno));
	CHECK(pfn_of(pm, dst) == want - 1 && pfn_of(pm, dst + 4096) == want,
	      "frames moved");
	va_fill(dst, 8192, 5);
	memset(out, 0, sizeof(out));
	fd = va_open();
	CHECK_RC(va_sess_create(fd, T_PLUGIN_DEBUG, &sess), 0);
	CHECK_RC(va_echo(fd, sess, dst, out, 8192, 0, 0, &produced), 0);
	CHECK(produced == 8192 && !memcmp(dst, out, 8192), "echo differs");
	CHECK_RC(va_sess_destroy(fd, sess), 0);
	close(fd);
	close(pm);
	return va_summary();
}
