// SPDX-License-Identifier: GPL-2.0
/*
 * va_evil: the driver against a malicious device (tests/e2e/evil_dev.c,
 * started with vm/run-uml.sh --backend-cmd). Root.
 *
 *   va_evil ops           evil_dev --mode ops
 *   va_evil huge-inline   evil_dev --mode huge-inline
 *
 * ops: responses with a wrong tag, status 11, a used length beyond the
 * writable size, a produced length above the capacity, a wrong nr_write
 * all fail with EIO and the device stays usable; an 8 KiB argument whose
 * two pages are physically contiguous across a 128 MiB boundary (the
 * device treats those as guest memory region boundaries) gets two data
 * segments, not one (else FAULT -> EFAULT); with the ring kept full by
 * requests the device never completes, closing a file that holds 1000
 * sessions returns at once, and the destroys reach the device later.
 *
 * huge-inline: a config space with max_inline_bytes = UINT32_MAX and no
 * F_SEGMENTS: the driver caps its request streams (16 MiB): a 32 MiB
 * argument fails with E2BIG, 1 MiB works.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "va_test.h"

/* evil_dev's op types */
#define EVIL_TAG      0xE7A0
#define EVIL_STATUS   0xE7A1
#define EVIL_USED     0xE7A2
#define EVIL_PRODUCED 0xE7A3
#define EVIL_NRWRITE  0xE7A4
#define EVIL_HOLD     0xE7A5

#define TIMEOUT_PARAM "/sys/module/virtio_accel/parameters/request_timeout_ms"
#define CLOSE_BOUND_S 3.0
#define NR_OBJS	      1000
#define SPLIT	      (128ull << 20)

static int echo(int fd, uint64_t sess, uint32_t op, const void *in, void *out,
		uint64_t len)
{
	struct virtio_accel_ioc_arg rd[1] = { va_arg(in, len, T_ARG_BUFFER) };
	struct virtio_accel_ioc_arg wr[1] = { va_arg(out, len, T_ARG_BUFFER) };

	return va_op(fd, sess, op, rd, 1, wr, 1, NULL);
}

static void t_bad_responses(int fd, uint64_t sess)
{
	static const struct {
		uint32_t op;
		const char *what;
	} bad[] = {
		{ EVIL_TAG, "tag mismatch" },
		{ EVIL_STATUS, "status 11" },
		{ EVIL_USED, "used length beyond the writable size" },
		{ EVIL_PRODUCED, "produced length above the capacity" },
		{ EVIL_NRWRITE, "wrong nr_write" },
	};
	char in[256], out[256];
	unsigned int i, k;

	va_fill(in, sizeof(in), 1);
	memset(out, 0, sizeof(out));
	CHECK_RC(echo(fd, sess, 0, in, out, sizeof(in)), 0);
	CHECK(!memcmp(in, out, sizeof(in)), "echo data differs");
	for (k = 0; k < 3; k++) {
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			VA_LOG("bad response: %s", bad[i].what);
			CHECK_RC(echo(fd, sess, bad[i].op, in, out,
				      sizeof(in)), -EIO);
		}
	}
	memset(out, 0, sizeof(out));
	CHECK_RC(echo(fd, sess, 0, in, out, sizeof(in)), 0);
	CHECK(!memcmp(in, out, sizeof(in)), "echo after bad responses");
}

/* Physical frame of a resident page (root), or 0. */
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

/*
 * Two physically contiguous pages across a SPLIT boundary, made virtually
 * adjacent with mremap: allocate and touch memory until we own frames
 * k*SPLIT/4096 - 1 and k*SPLIT/4096 for some k.
 */
static void t_split(int fd, uint64_t sess)
{
	const uint64_t per = SPLIT / 4096, chunk = 16ull << 20;
	long pages = sysconf(_SC_PHYS_PAGES);
	uint64_t limit = (uint64_t)pages * 4096 / 2, got = 0;
	char *lo = NULL, *hi = NULL, *dst, out[64];
	static char *va[1 << 16];
	static uint64_t pf[1 << 16];
	unsigned int n = 0, i, j;
	int pm = open("/proc/self/pagemap", O_RDONLY);

	if (pm < 0) {
		VA_LOG("split: no pagemap (%s); skipped", strerror(errno));
		return;
	}
	while (!lo && got + chunk <= limit) {
		char *m = mmap(NULL, chunk, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uint64_t off;

		if (m == MAP_FAILED)
			break;
		madvise(m, chunk, MADV_NOHUGEPAGE);
		got += chunk;
		for (off = 0; off < chunk; off += 4096) {
			uint64_t f;

			m[off] = 1;
			f = pfn_of(pm, m + off);
			if (f && (f % per == 0 || f % per == per - 1) &&
			    n < sizeof(pf) / sizeof(pf[0])) {
				va[n] = m + off;
				pf[n++] = f;
			}
		}
		for (i = 0; i < n && !lo; i++)
			for (j = 0; j < n && !lo; j++)
				if (pf[i] % per == per - 1 &&
				    pf[j] == pf[i] + 1) {
					lo = va[i];
					hi = va[j];
				}
	}
	if (!lo) {
		/* cannot happen with most memory in our hands: say so */
		CHECK(0, "split: no pair of frames across a boundary found");
		close(pm);
		return;
	}
	dst = mmap(NULL, 8192, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(dst != MAP_FAILED, "mmap");
	CHECK(mremap(lo, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED, dst) ==
		      dst, "mremap lo: %s", strerror(errno));
	CHECK(mremap(hi, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED,
		     dst + 4096) == dst + 4096, "mremap hi: %s",
	      strerror(errno));
	VA_LOG("split: frames 0x%llx 0x%llx across 0x%llx, at %p",
	       (unsigned long long)pfn_of(pm, dst),
	       (unsigned long long)pfn_of(pm, dst + 4096),
	       (unsigned long long)(pfn_of(pm, dst + 4096) * 4096), dst);
	CHECK(pfn_of(pm, dst) + 1 == pfn_of(pm, dst + 4096),
	      "frames moved");
	va_fill(dst, 8192, 3);
	/*
	 * 8 KiB > inline_max: a segment argument (zero-copy or bounce); the
	 * device answers FAULT if one segment straddles the boundary
	 */
	{
		struct virtio_accel_ioc_arg rd[1] = {
			va_arg(dst, 8192, T_ARG_BUFFER)
		};
		struct virtio_accel_ioc_arg wr[1] = {
			va_arg(out, sizeof(out), T_ARG_BUFFER)
		};

		CHECK_RC(va_op(fd, sess, 0, rd, 1, wr, 1, NULL), 0);
	}
	munmap(dst, 8192);
	close(pm);
}

struct filler {
	int fd;
	uint64_t sess;
	volatile int *stop;
	unsigned int timeouts;
};

static void *fill(void *arg)
{
	struct filler *f = arg;
	char b[64];

	while (!*f->stop) {
		int rc = echo(f->fd, f->sess, EVIL_HOLD, b, b, sizeof(b));

		if (rc == -ETIMEDOUT)
			f->timeouts++;
		else if (rc != -EBUSY)
			break;
	}
	return NULL;
}

static void t_full_ring_close(void)
{
	enum { NT = 48 };
	char attr[256], pend[256], old[32] = "60000";
	struct filler fl[NT];
	pthread_t th[NT];
	volatile int stop = 0;
	long infl, last = -1;
	double t0, t_stable, dt;
	uint64_t id, sb;
	int fa, fb, i, n = 0;
	FILE *f;

	va_misc_attr(attr, sizeof(attr), "inflight");
	va_misc_attr(pend, sizeof(pend), "pending_destroys");
	f = fopen(TIMEOUT_PARAM, "r");
	if (f) {
		if (!fgets(old, sizeof(old), f))
			strcpy(old, "60000");
		fclose(f);
	}
	fa = va_open();
	for (i = 0; i < NR_OBJS; i++)
		n += va_sess_create(fa, T_PLUGIN_DEBUG, &id) == 0;
	CHECK(n == NR_OBJS, "%d of %d sessions", n, NR_OBJS);
	fb = va_open();
	CHECK_RC(va_sess_create(fb, T_PLUGIN_DEBUG, &sb), 0);

	/* fill the ring with requests the device holds */
	CHECK_RC(va_sysfs_write(TIMEOUT_PARAM, "300"), 0);
	for (i = 0; i < NT; i++) {
		fl[i] = (struct filler){ .fd = fb, .sess = sb, .stop = &stop };
		pthread_create(&th[i], NULL, fill, &fl[i]);
	}
	t0 = t_stable = va_now();
	while (va_now() - t0 < 60) {
		infl = va_sysfs_long(attr);
		if (infl != last) {
			last = infl;
			t_stable = va_now();
		} else if (infl > 0 && va_now() - t_stable > 1.5) {
			break;
		}
		usleep(100000);
	}
	stop = 1;
	for (i = 0; i < NT; i++)
		pthread_join(th[i], NULL);
	VA_LOG("ring full: %ld chains in flight (%.1f s)", last,
	       va_now() - t0);
	CHECK(last > 0, "nothing in flight");

	/* close the file with NR_OBJS sessions: must not wait for space */
	t0 = va_now();
	close(fa);
	dt = va_now() - t0;
	VA_LOG("close with %d sessions and a full ring: %.3f s, %ld destroys "
	       "pending", NR_OBJS, dt, va_sysfs_long(pend));
	CHECK(dt < CLOSE_BOUND_S, "close took %.1f s (bound %.0f s)", dt,
	      CLOSE_BOUND_S);
	CHECK_RC(va_sysfs_write(TIMEOUT_PARAM, old), 0);

	/* the device gives the held chains back after its quiet time */
	CHECK(va_wait_orphans(90) == 0, "orphans not reclaimed");
	t0 = va_now();
	while (va_now() - t0 < 30 &&
	       (va_sysfs_long(attr) != 0 || va_sysfs_long(pend) > 0))
		usleep(100000);
	CHECK(va_sysfs_long(pend) <= 0, "%ld destroys still pending",
	      va_sysfs_long(pend));
	close(fb);
	CHECK(va_wait_orphans(30) == 0, "destroy requests not returned");
}

static void t_ops(void)
{
	int fd = va_open();
	uint64_t sess;

	CHECK_RC(va_sess_create(fd, T_PLUGIN_DEBUG, &sess), 0);
	t_bad_responses(fd, sess);
	t_split(fd, sess);
	CHECK_RC(va_sess_destroy(fd, sess), 0);
	close(fd);
	t_full_ring_close();
}

static void t_huge_inline(void)
{
	struct virtio_accel_ioc_info info;
	uint64_t len = 32ull << 20, ok = 1ull << 20, sess;
	char *in, *out;
	int fd = va_open();

	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_GET_INFO, &info), 0);
	CHECK(info.config.max_inline_bytes == UINT32_MAX,
	      "max_inline_bytes %u", info.config.max_inline_bytes);
	CHECK(!(info.features & (1ull << VIRTIO_ACCEL_F_SEGMENTS)),
	      "F_SEGMENTS offered");
	CHECK_RC(va_sess_create(fd, T_PLUGIN_DEBUG, &sess), 0);
	in = malloc(len);
	out = malloc(len);
	CHECK(in && out, "malloc");
	if (!in || !out)
		return;
	va_fill(in, len, 7);
	memset(out, 0, len);
	CHECK_RC(echo(fd, sess, 0, in, out, ok), 0);
	CHECK(!memcmp(in, out, ok), "1 MiB echo differs");
	/* all inline without F_SEGMENTS: above the driver's own cap */
	CHECK_RC(echo(fd, sess, 0, in, out, len), -E2BIG);
	CHECK_RC(echo(fd, sess, 0, in, out, (16ull << 20) + 1), -E2BIG);
	CHECK_RC(va_sess_destroy(fd, sess), 0);
	free(in);
	free(out);
	close(fd);
}

int main(int argc, char **argv)
{
	va_prog = "va_evil";
	if (argc != 2) {
		fprintf(stderr, "usage: va_evil ops|huge-inline\n");
		return 2;
	}
	if (!strcmp(argv[1], "ops"))
		t_ops();
	else if (!strcmp(argv[1], "huge-inline"))
		t_huge_inline();
	else
		return 2;
	return va_summary();
}
