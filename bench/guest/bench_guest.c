// SPDX-License-Identifier: Apache-2.0
/*
 * Guest benchmarks (run inside the QEMU guest by bench/guest.sh): our device
 * (libvaccel + libvaccel-virtio.so + virtio_accel.ko + vhost-user-accel)
 * against a virtio-blk disk served over vhost-user by qemu-storage-daemon,
 * the same hops through a production back-end, measured side by side.
 *
 *   guest_noop_rtt      vaccel_noop() on a session bound to the host's noop
 *                       plugin, median per call; baseline: a 512-byte
 *                       O_DIRECT pread from the disk; blocks of each
 *                       interleaved; ratio = ours / disk (lower is better)
 *   guest_arg_256MiB    vaccel_exec_with_resource() of bench_sum (the host
 *                       sums every byte of a 256 MiB BUFFER argument) on a
 *                       session bound to the host's exec plugin; baseline:
 *                       an O_DIRECT pread of 256 MiB from the disk; rounds
 *                       interleaved; ratio = ours / disk (MiB/s, higher is
 *                       better)
 *   guest_arg_256MiB_split  the same with a buffer made of two halves
 *                       allocated separately (upper half first) and joined
 *                       into one virtual range, so that its guest-physical
 *                       pages form several runs: the host daemon reaches it
 *                       through a mapped view (built once, then reused)
 *   guest_arg_256MiB_frag  the same with a deliberately fragmented buffer,
 *                       as a long-running guest's memory is: 4 KiB pages
 *                       faulted in from the last to the first, so no two
 *                       neighbours are physically adjacent (65536 runs: the
 *                       host bounces it, from its per-front-end pool)
 *
 * Diagnostic lines (INFO ..., not figures): the NOOP ioctl issued directly
 * on the device (no libvaccel, no plugin) and a getppid() system call, to
 * split the round trip into its layers; the guest-physical runs of the
 * 256 MiB buffer, which decide how the host daemon reaches it; the disk's
 * O_DIRECT read into a buffer as fragmented as ours (the production
 * device with the same memory layout; the figure's baseline reads into a
 * contiguous one).
 *
 * usage: bench_guest DISK SUM_LIB [NOOP_ROUNDS [BIG_ROUNDS]]
 *   DISK         the vhost-user-blk disk (e.g. /dev/vda), >= 256 MiB
 *   SUM_LIB      libbench_sum.so (shipped to the host as a LIB resource)
 *   NOOP_ROUNDS  round trips of each kind (default 2000)
 *   BIG_ROUNDS   256 MiB transfers of each kind (default 7)
 * The guest must run with VACCEL_PLUGINS=libvaccel-virtio.so and the host
 * daemon must have the noop and exec plugins loaded.
 */
#include "bench_util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/virtio_accel.h>
#include <vaccel.h>

#define NOOP_BLOCK 100
#define BIG_LEN	   (256ULL << 20)
#define BIG_ALIGN  (2u << 20)
#define SECTOR	   512

static void die(const char *what)
{
	fprintf(stderr, "bench_guest: %s\n", what);
	exit(1);
}

static void die_errno(const char *what, const char *path)
{
	fprintf(stderr, "bench_guest: %s %s: %s\n", what, path,
		strerror(errno));
	exit(1);
}

static long arg_long(const char *s, const char *name, long min, long max)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max) {
		fprintf(stderr, "bench_guest: bad %s '%s' (%ld..%ld)\n", name,
			s, min, max);
		exit(2);
	}
	return v;
}

/* The disk node appears when virtio_blk has probed; wait a little for it. */
static int open_disk(const char *path)
{
	for (int i = 0; i < 100; i++) {
		int fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
		if (fd >= 0)
			return fd;
		if (errno != ENOENT && errno != ENXIO && errno != ENODEV)
			break;
		usleep(100 * 1000);
	}
	die_errno("cannot open", path);
	return -1;
}

static void *alloc_big(size_t len)
{
	void *p = NULL;
	if (posix_memalign(&p, BIG_ALIGN, len))
		die("out of memory");
	/* huge pages where the guest has them: fewer, longer segments for
	 * both the driver's pinned-page runs and the disk's requests */
	madvise(p, len, MADV_HUGEPAGE);
	return p;
}

/* Anonymous memory aligned to BIG_ALIGN, huge pages where available. */
static uint8_t *map_aligned(size_t len)
{
	uint8_t *p = mmap(NULL, len + BIG_ALIGN, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("out of memory");
	uintptr_t a =
		((uintptr_t)p + BIG_ALIGN - 1) & ~(uintptr_t)(BIG_ALIGN - 1);
	size_t head = a - (uintptr_t)p;
	if (head)
		munmap(p, head);
	if (BIG_ALIGN - head)
		munmap((uint8_t *)a + len, BIG_ALIGN - head);
	madvise((void *)a, len, MADV_HUGEPAGE);
	return (uint8_t *)a;
}

/*
 * A buffer of len bytes filled with `fill` whose two halves were faulted in
 * separately, the upper one first, then moved side by side: its
 * guest-physical pages are not one ascending run.
 */
static uint8_t *alloc_split(size_t len, int fill)
{
	size_t h = len / 2;
	uint8_t *dst = map_aligned(len);
	uint8_t *hi = map_aligned(h), *lo = map_aligned(h);
	memset(hi, fill, h);
	memset(lo, fill, h);
	if (mremap(lo, h, h, MREMAP_MAYMOVE | MREMAP_FIXED, dst) ==
		    MAP_FAILED ||
	    mremap(hi, h, h, MREMAP_MAYMOVE | MREMAP_FIXED, dst + h) ==
		    MAP_FAILED)
		die_errno("mremap", "split buffer");
	return dst;
}

/*
 * A buffer of len bytes filled with `fill`, in 4 KiB pages (no huge pages)
 * faulted in from the last to the first: the guest hands out physical
 * pages in order, so virtually adjacent pages are never physically
 * adjacent in ascending order, every page its own run.
 */
static uint8_t *alloc_frag(size_t len, int fill)
{
	const size_t pg = 4096;
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("out of memory");
	madvise(p, len, MADV_NOHUGEPAGE);
	for (size_t off = len; off >= pg; off -= pg)
		memset(p + off - pg, fill, pg);
	return p;
}

/* ---------------------------------------------------------------------- */
/* round trips                                                             */
/* ---------------------------------------------------------------------- */

static double time_noop(struct vaccel_session *s)
{
	uint64_t t0 = bench_now_ns();
	if (vaccel_noop(s))
		die("vaccel_noop failed");
	return (double)(bench_now_ns() - t0) / 1000.0;
}

static double time_sector(int fd, void *buf, off_t off)
{
	uint64_t t0 = bench_now_ns();
	if (pread(fd, buf, SECTOR, off) != SECTOR)
		die("512-byte O_DIRECT read failed");
	return (double)(bench_now_ns() - t0) / 1000.0;
}

struct raw_dev {
	int fd;
	uint64_t sess;
};

/* A device file and session of our own, for the direct-ioctl diagnostic. */
static int raw_open(struct raw_dev *d, uint32_t flags)
{
	const char *node = getenv("VACCEL_VIRTIO_DEVICE");
	d->fd = open(node ? node : "/dev/virtio-accel0", O_RDWR | O_CLOEXEC);
	if (d->fd < 0)
		return -1;
	struct virtio_accel_ioc_session s = {.flags = flags};
	if (ioctl(d->fd, VIRTIO_ACCEL_IOC_SESSION_CREATE, &s) || s.vaccel_ret) {
		close(d->fd);
		return -1;
	}
	d->sess = s.session_id;
	return 0;
}

static double time_raw_noop(const struct raw_dev *d)
{
	struct virtio_accel_ioc_op op = {.session_id = d->sess,
					 .op_type = VACCEL_OP_NOOP};
	uint64_t t0 = bench_now_ns();
	if (ioctl(d->fd, VIRTIO_ACCEL_IOC_OP, &op) || op.vaccel_ret)
		die("NOOP ioctl failed");
	return (double)(bench_now_ns() - t0) / 1000.0;
}

static double time_syscall(void)
{
	uint64_t t0 = bench_now_ns();
	(void)getppid();
	return (double)(bench_now_ns() - t0) / 1000.0;
}

static double pct(double *v, size_t n, double p)
{
	/* v sorted (bench_median sorts) */
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

static void bench_noop(struct vaccel_session *s, int disk, long rounds)
{
	const off_t span = (off_t)(BIG_LEN / 4096);
	size_t n = (size_t)rounds;
	double *ours = calloc(n, sizeof(double));
	double *blk = calloc(n, sizeof(double));
	double *raw = calloc(n, sizeof(double));
	double *sys = calloc(n, sizeof(double));
	void *sector = NULL;
	struct raw_dev rd;
	if (!ours || !blk || !raw || !sys ||
	    posix_memalign(&sector, 4096, 4096))
		die("out of memory");
	bool have_raw = raw_open(&rd, VACCEL_PLUGIN_DEBUG) == 0;

	/* warm-up: first-use costs (page faults, lazy binding, caches) */
	for (int i = 0; i < NOOP_BLOCK; i++) {
		time_noop(s);
		time_sector(disk, sector, (off_t)i * 4096);
		if (have_raw)
			time_raw_noop(&rd);
	}
	for (size_t done = 0; done < n;) {
		size_t b = n - done < NOOP_BLOCK ? n - done : NOOP_BLOCK;
		for (size_t i = 0; i < b; i++)
			ours[done + i] = time_noop(s);
		for (size_t i = 0; i < b; i++) {
			off_t off = (off_t)((done + i) % (size_t)span) * 4096;
			blk[done + i] = time_sector(disk, sector, off);
		}
		for (size_t i = 0; i < b && have_raw; i++)
			raw[done + i] = time_raw_noop(&rd);
		for (size_t i = 0; i < b; i++)
			sys[done + i] = time_syscall();
		done += b;
	}
	double mo = bench_median(ours, n), mb = bench_median(blk, n);
	bench_print("guest_noop_rtt", mo, mb, "us");
	printf("INFO guest_noop_rtt p10=%.1fus p90=%.1fus; disk 512 B read "
	       "p10=%.1fus p90=%.1fus\n",
	       pct(ours, n, 0.1), pct(ours, n, 0.9), pct(blk, n, 0.1),
	       pct(blk, n, 0.9));
	if (have_raw) {
		printf("INFO guest_noop_ioctl median=%.1fus (NOOP ioctl "
		       "directly on the device: driver + host, no libvaccel)\n",
		       bench_median(raw, n));
		struct virtio_accel_ioc_session ds = {.session_id = rd.sess};
		ioctl(rd.fd, VIRTIO_ACCEL_IOC_SESSION_DESTROY, &ds);
		close(rd.fd);
	}
	printf("INFO guest_syscall median=%.2fus (getppid)\n",
	       bench_median(sys, n));
	fflush(stdout);
	free(sector);
	free(sys);
	free(raw);
	free(blk);
	free(ours);
}

/* ---------------------------------------------------------------------- */
/* 256 MiB                                                                 */
/* ---------------------------------------------------------------------- */

/*
 * Diagnostic: the guest-physical runs of a buffer (from /proc/self/pagemap,
 * root only), which decide the host's path for a segment argument: one
 * ascending run is a direct pointer into guest RAM, at most 1024 runs of
 * 64 KiB on average a mapped view, anything else a bounce copy.
 */
static void print_runs(const char *what, const void *buf, size_t len)
{
	const size_t pg = 4096, n = len / pg;
	uint64_t *e = malloc(n * sizeof(*e));
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	off_t off = (off_t)((uintptr_t)buf / pg * sizeof(*e));
	if (!e || fd < 0 ||
	    pread(fd, e, n * sizeof(*e), off) != (ssize_t)(n * sizeof(*e))) {
		if (fd >= 0)
			close(fd);
		free(e);
		return;
	}
	close(fd);
	const uint64_t pfn_mask = (1ULL << 55) - 1;
	size_t runs = 1;
	for (size_t i = 1; i < n; i++)
		if ((e[i] & pfn_mask) != (e[i - 1] & pfn_mask) + 1)
			runs++;
	if (e[0] & pfn_mask)
		printf("INFO %s: %zu guest-physical runs (%s on the host)\n",
		       what, runs,
		       runs == 1 ? "direct"
		       : runs <= 1024 && len / runs >= (64u << 10)
			       ? "mapped view"
			       : "bounce copy");
	free(e);
}

static double time_sum(struct vaccel_session *s, struct vaccel_resource *res,
		       void *buf, uint64_t expect)
{
	uint64_t sum = 0;
	struct vaccel_arg rd = {
		.buf = buf, .size = BIG_LEN, .type = VACCEL_ARG_BUFFER};
	struct vaccel_arg wr = {
		.buf = &sum, .size = sizeof(sum), .type = VACCEL_ARG_UINT64};
	uint64_t t0 = bench_now_ns();
	int ret =
		vaccel_exec_with_resource(s, res, "bench_sum", &rd, 1, &wr, 1);
	double sec = (double)(bench_now_ns() - t0) / 1e9;
	if (ret)
		die("exec_with_resource (bench_sum) failed");
	if (sum != expect)
		die("bench_sum returned a wrong sum");
	return (double)BIG_LEN / (1 << 20) / sec;
}

static double time_big_read(int disk, void *buf)
{
	uint64_t t0 = bench_now_ns();
	ssize_t r = pread(disk, buf, BIG_LEN, 0);
	double sec = (double)(bench_now_ns() - t0) / 1e9;
	if (r != (ssize_t)BIG_LEN)
		die("256 MiB O_DIRECT read failed (is the disk >= 256 MiB?)");
	return (double)BIG_LEN / (1 << 20) / sec;
}

/* Note: the disk's O_DIRECT read into a buffer as fragmented as ours (the
 * production device with the same memory layout), after the figure's
 * rounds so that they run as they always did. tmp: n doubles. */
static void frag_read_note(int disk, size_t n, double ours, double *tmp)
{
	uint8_t *g = alloc_frag(BIG_LEN, 3);
	time_big_read(disk, g);
	for (size_t r = 0; r < n; r++)
		tmp[r] = time_big_read(disk, g);
	double m = bench_median(tmp, n);
	printf("INFO guest_arg_256MiB_frag the disk read into a buffer as "
	       "fragmented: %.0f MiB/s (ours / that %.3f)\n",
	       m, ours / m);
	fflush(stdout);
	munmap(g, BIG_LEN);
}

static void bench_big(int disk, const char *lib, long rounds, uint8_t *a,
		      uint8_t *b, uint8_t *c, uint8_t *f)
{
	struct vaccel_session s;
	struct vaccel_resource res;
	if (vaccel_session_init(&s,
				VACCEL_PLUGIN_REMOTE | VACCEL_PLUGIN_GENERIC))
		die("cannot create the exec session");
	if (vaccel_resource_init(&res, lib, VACCEL_RESOURCE_LIB) ||
	    vaccel_resource_register(&res, &s))
		die("cannot ship the sum library to the host");

	const uint64_t expect = (BIG_LEN / 8) * 0x0101010101010101ULL;
	size_t n = (size_t)rounds;
	double *ours = calloc(n, sizeof(double));
	double *blk = calloc(n, sizeof(double));
	if (!ours || !blk)
		die("out of memory");

	time_sum(&s, &res, a, expect); /* warm-up */
	time_big_read(disk, b);
	for (size_t r = 0; r < n; r++) {
		ours[r] = time_sum(&s, &res, a, expect);
		blk[r] = time_big_read(disk, b);
	}
	bench_print("guest_arg_256MiB", bench_median(ours, n),
		    bench_median(blk, n), "MiB/s");
	printf("INFO guest_arg_256MiB ours min=%.0f max=%.0f; disk min=%.0f "
	       "max=%.0f MiB/s\n",
	       ours[0], ours[n - 1], blk[0], blk[n - 1]);
	fflush(stdout);

	time_sum(&s, &res, c, expect); /* warm-up: the host builds the view */
	for (size_t r = 0; r < n; r++) {
		ours[r] = time_sum(&s, &res, c, expect);
		blk[r] = time_big_read(disk, b);
	}
	bench_print("guest_arg_256MiB_split", bench_median(ours, n),
		    bench_median(blk, n), "MiB/s");
	fflush(stdout);

	time_sum(&s, &res, f, expect); /* warm-up: the host's bounce pool */
	for (size_t r = 0; r < n; r++) {
		ours[r] = time_sum(&s, &res, f, expect);
		blk[r] = time_big_read(disk, b);
	}
	bench_print("guest_arg_256MiB_frag", bench_median(ours, n),
		    bench_median(blk, n), "MiB/s");
	fflush(stdout);
	frag_read_note(disk, n, bench_median(ours, n), blk);
	free(blk);
	free(ours);
	if (vaccel_resource_unregister(&res, &s) ||
	    vaccel_resource_release(&res))
		die("cannot release the sum library");
	if (vaccel_session_release(&s))
		die("cannot release the exec session");
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: bench_guest DISK SUM_LIB "
				"[NOOP_ROUNDS [BIG_ROUNDS]]\n");
		return 2;
	}
	long noop_rounds =
		argc > 3 ? arg_long(argv[3], "NOOP_ROUNDS", 1, 1000000) : 2000;
	long big_rounds =
		argc > 4 ? arg_long(argv[4], "BIG_ROUNDS", 1, 1000) : 7;
	int disk = open_disk(argv[1]);

	/* The 256 MiB buffers first, as an application sets up its data
	 * before it calls: allocations made later (during the round trips)
	 * would split the guest's free memory and the buffer's pages. */
	uint8_t *a = alloc_big(BIG_LEN), *b = alloc_big(BIG_LEN);
	memset(a, 1, BIG_LEN);
	memset(b, 2, BIG_LEN); /* faulted in, like a */
	print_runs("guest_arg_256MiB buffer", a, BIG_LEN);
	uint8_t *c = alloc_split(BIG_LEN, 1);
	print_runs("guest_arg_256MiB_split buffer", c, BIG_LEN);
	uint8_t *f = alloc_frag(BIG_LEN, 1);
	print_runs("guest_arg_256MiB_frag buffer", f, BIG_LEN);

	struct vaccel_session s;
	if (vaccel_session_init(&s, VACCEL_PLUGIN_REMOTE | VACCEL_PLUGIN_DEBUG))
		die("cannot create the noop session (VACCEL_PLUGINS="
		    "libvaccel-virtio.so? driver loaded?)");
	bench_noop(&s, disk, noop_rounds);
	if (vaccel_session_release(&s))
		die("cannot release the noop session");

	bench_big(disk, argv[2], big_rounds, a, b, c, f);
	munmap(f, BIG_LEN);
	munmap(c, BIG_LEN);
	free(b);
	free(a);
	close(disk);
	return 0;
}
