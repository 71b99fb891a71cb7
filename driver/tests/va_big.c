// SPDX-License-Identifier: GPL-2.0
/*
 * va_big: one large argument each way through the noop plugin's echo
 * (EXEC copies the read buffer into the write buffer on the host).
 *
 *   va_big [MiB] [rounds]     default 1024 MiB (1 GiB), 1 round
 *
 * Whether the driver pins the pages (zero-copy) or bounces them depends on
 * its zero_copy module parameter / ZC build option; this program does not
 * care. The input is mapped fresh, so its pages are scattered in guest
 * memory and the driver has to use indirect segment tables.
 */
#include <sys/mman.h>

#include "va_test.h"

int main(int argc, char **argv)
{
	uint64_t mib = argc > 1 ? strtoull(argv[1], NULL, 0) : 1024;
	int rounds = argc > 2 ? atoi(argv[2]) : 1;
	uint64_t len = mib << 20, produced = 0, sess;
	uint8_t *in, *out;
	int fd, r;

	va_prog = "va_big";
	fd = va_open();
	in = mmap(NULL, len, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	out = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (in == MAP_FAILED || out == MAP_FAILED) {
		VA_LOG("mmap %llu MiB: %s", (unsigned long long)mib,
		       strerror(errno));
		return 2;
	}
	CHECK_RC(va_sess_create(fd, T_PLUGIN_DEBUG, &sess), 0);
	for (r = 0; r < rounds; r++) {
		double t0, t1;
		int rc;

		va_fill(in, len, 1000 + r);
		memset(out, 0, len);
		t0 = va_now();
		rc = va_echo(fd, sess, in, out, len, 0, 0, &produced);
		t1 = va_now();
		CHECK(rc == 0, "echo %llu MiB: %d (%s)",
		      (unsigned long long)mib, rc, strerror(-rc));
		CHECK(produced == len, "produced %llu",
		      (unsigned long long)produced);
		CHECK(!memcmp(in, out, len), "data mismatch");
		VA_LOG("echo %llu MiB in + %llu MiB out: %.3f s (%.0f MiB/s)",
		       (unsigned long long)mib, (unsigned long long)mib,
		       t1 - t0, mib / (t1 - t0));
	}
	CHECK_RC(va_sess_destroy(fd, sess), 0);
	close(fd);
	return va_summary();
}
