// SPDX-License-Identifier: GPL-2.0
/*
 * va_zc: zero-copy pins and the caller's RLIMIT_MEMLOCK. Root (it changes
 * request_timeout_ms and runs a part as an unprivileged user).
 *
 *   va_zc [path/to/libvatest.so]    (default: next to this program)
 *
 * Uses the exec plugin (vatest_sleep keeps a request with the device) and
 * the noop plugin (echo). With zero_copy=Y:
 *
 *  - pins are charged: while a request holds a 1 MiB output argument, the
 *    caller's VmPin (mm->pinned_vm) shows it; afterwards it is 0 again;
 *  - an orphaned request (timeout) keeps its charge after the ioctl
 *    returned and the buffer was unmapped, until the device returns it;
 *  - an unprivileged process (no CAP_IPC_LOCK) with RLIMIT_MEMLOCK
 *    256 KiB: a 128 KiB argument is pinned (VmPin 128 kB), a 1 MiB one
 *    would exceed the limit and is bounced instead (VmPin stays 0, the
 *    operation works); an mlock'd buffer within the limit works;
 *  - zero-copy on MAP_SHARED mappings (a tmpfs file, a memfd): the data
 *    arrive, outputs land in the file.
 * With zero_copy=N (or a ZC=0 build) nothing is ever pinned: VmPin stays 0
 * and the same operations work.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "va_test.h"

#define TIMEOUT_PARAM "/sys/module/virtio_accel/parameters/request_timeout_ms"
#define ZC_PARAM      "/sys/module/virtio_accel/parameters/zero_copy"

static char lib[PATH_MAX];
static int zc;
/* /proc, opened while root: a guest's / need not be searchable by others */
static int proc_fd = -1;

/* VmPin of this process in kB, -1 if unknown */
static long vm_pin(void)
{
	char line[256];
	long v = -1;
	int fd = openat(proc_fd, "self/status", O_RDONLY | O_CLOEXEC);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "r");

	if (!f) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %ld kB", &v) == 1)
			break;
	fclose(f);
	return v;
}

struct bg {
	int fd;
	uint64_t sess;
	uint32_t ms;
	void *out;
	uint64_t len;
	int rc;
};

static void *bg_run(void *arg)
{
	struct bg *b = arg;

	b->rc = va_slow_op(lib, b->fd, b->sess, b->ms, b->out, b->len);
	return NULL;
}

static int all_a5(const unsigned char *p, uint64_t len)
{
	uint64_t i;

	for (i = 0; i < len; i++)
		if (p[i] != 0xa5)
			return 0;
	return 1;
}

/*
 * Run a 1.5 s op writing @len bytes at @out in a thread; return VmPin
 * sampled in the middle (kB). The op's result lands in *rc.
 */
static long pinned_during(int fd, uint64_t sess, void *out, uint64_t len,
			  int *rc)
{
	struct bg b = { fd, sess, 1500, out, len, 0 };
	pthread_t t;
	long pin;

	pthread_create(&t, NULL, bg_run, &b);
	usleep(700000);
	pin = vm_pin();
	pthread_join(t, NULL);
	*rc = b.rc;
	return pin;
}

static void t_charge(int fd, uint64_t sess)
{
	uint64_t len = 1 << 20;
	unsigned char *out = mmap(NULL, len, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long pin;
	int rc;

	CHECK(vm_pin() == 0, "VmPin %ld before", vm_pin());
	pin = pinned_during(fd, sess, out, len, &rc);
	CHECK_RC(rc, 0);
	CHECK(all_a5(out, len), "output not written");
	VA_LOG("1 MiB output in flight: VmPin %ld kB", pin);
	if (zc)
		CHECK(pin >= 1024, "VmPin %ld kB while 1 MiB is pinned", pin);
	else
		CHECK(pin == 0, "VmPin %ld kB without zero-copy", pin);
	CHECK(vm_pin() == 0, "VmPin %ld kB after the op", vm_pin());
	munmap(out, len);
}

/* An orphan keeps its pages charged until the device returns it. */
static void t_orphan_charge(int fd, uint64_t sess)
{
	uint64_t len = 1 << 20;
	void *out = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char old[32] = "60000";
	FILE *f = fopen(TIMEOUT_PARAM, "r");
	long pin;
	int n = 0;

	if (f) {
		if (!fgets(old, sizeof(old), f))
			strcpy(old, "60000");
		fclose(f);
	}
	CHECK_RC(va_sysfs_write(TIMEOUT_PARAM, "300"), 0);
	CHECK_RC(va_slow_op(lib, fd, sess, 2000, out, len), -ETIMEDOUT);
	CHECK_RC(va_sysfs_write(TIMEOUT_PARAM, old), 0);
	munmap(out, len);
	pin = vm_pin();
	VA_LOG("orphaned 1 MiB output, buffer unmapped: VmPin %ld kB", pin);
	if (zc)
		CHECK(pin >= 1024, "orphan's pins uncharged early (%ld kB)",
		      pin);
	CHECK(va_wait_orphans(30) == 0, "orphan not reclaimed");
	/* the orphan count drops just before the pages are released */
	for (pin = vm_pin(); pin > 0 && n < 250; pin = vm_pin(), n++)
		usleep(20000);
	CHECK(pin == 0, "VmPin %ld kB after the orphan was reclaimed", pin);
}

/* Unprivileged, RLIMIT_MEMLOCK 256 KiB. Runs in a child. */
static int t_rlimit_child(void)
{
	struct rlimit rl = { 256 << 10, 256 << 10 };
	uint64_t small = 128 << 10, big = 1 << 20, sess;
	unsigned char *a, *b, *m;
	long pin;
	int fd, rc;

	/* opened first: a guest's root directory need not be searchable */
	fd = va_open();
	CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "setrlimit: %s",
	      strerror(errno));
	CHECK(setgid(65534) == 0 && setuid(65534) == 0, "setuid: %s",
	      strerror(errno));
	CHECK_RC(va_sess_create(fd, T_PLUGIN_GENERIC, &sess), 0);
	a = mmap(NULL, small, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	b = mmap(NULL, big, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	m = mmap(NULL, small, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	pin = pinned_during(fd, sess, a, small, &rc);
	CHECK_RC(rc, 0);
	CHECK(all_a5(a, small), "128 KiB output not written");
	VA_LOG("unprivileged, memlock 256 KiB: 128 KiB output: VmPin %ld kB",
	       pin);
	if (zc)
		CHECK(pin == 128, "VmPin %ld kB, want 128 (pinned)", pin);

	pin = pinned_during(fd, sess, b, big, &rc);
	CHECK_RC(rc, 0);
	CHECK(all_a5(b, big), "1 MiB output not written");
	VA_LOG("unprivileged, memlock 256 KiB: 1 MiB output: VmPin %ld kB "
	       "(bounced)", pin);
	CHECK(pin == 0, "VmPin %ld kB over RLIMIT_MEMLOCK", pin);

	/* locked memory within the limit: pinned as well */
	CHECK(mlock(m, small) == 0, "mlock: %s", strerror(errno));
	pin = pinned_during(fd, sess, m, small, &rc);
	CHECK_RC(rc, 0);
	CHECK(all_a5(m, small), "mlock'd output not written");
	VA_LOG("unprivileged, mlock'd 128 KiB output: VmPin %ld kB", pin);
	if (zc)
		CHECK(pin == 128, "VmPin %ld kB, want 128", pin);
	CHECK(vm_pin() == 0, "VmPin %ld kB at the end", vm_pin());
	close(fd);
	return va_failures ? 1 : 0;
}

static void t_rlimit(void)
{
	pid_t p = fork();
	int st = 0;

	if (p == 0)
		_exit(t_rlimit_child());
	waitpid(p, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "unprivileged part failed (status 0x%x)", st);
}

static void shared_echo(int fd, uint64_t sess, int file, const char *what)
{
	uint64_t len = 2 << 20;
	unsigned char *in, *out, *chk;

	CHECK(ftruncate(file, 2 * len) == 0, "ftruncate: %s", strerror(errno));
	in = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, file, 0);
	out = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, file, len);
	chk = malloc(len);
	CHECK(in != MAP_FAILED && out != MAP_FAILED && chk, "mmap %s", what);
	if (in == MAP_FAILED || out == MAP_FAILED || !chk)
		return;
	va_fill(in, len, 11);
	memset(out, 0, len);
	CHECK_RC(va_echo(fd, sess, in, out, len, 0, 0, NULL), 0);
	CHECK(!memcmp(in, out, len), "%s: echo differs", what);
	/* the output is in the file */
	CHECK(pread(file, chk, len, (off_t)len) == (ssize_t)len, "pread");
	CHECK(!memcmp(in, chk, len), "%s: file does not hold the output",
	      what);
	VA_LOG("MAP_SHARED %s: 2 MiB echo ok, output in the file", what);
	munmap(in, len);
	munmap(out, len);
	free(chk);
}

static void t_shared(int fd)
{
	char path[PATH_MAX];
	const char *tmp = getenv("TMPDIR");
	uint64_t sess;
	int f;

	CHECK_RC(va_sess_create(fd, T_PLUGIN_DEBUG, &sess), 0);
	snprintf(path, sizeof(path), "%s/va_zc.XXXXXX", tmp ? tmp : "/tmp");
	f = mkstemp(path);
	CHECK(f >= 0, "mkstemp %s: %s", path, strerror(errno));
	if (f >= 0) {
		unlink(path);
		shared_echo(fd, sess, f, "file");
		close(f);
	}
	f = memfd_create("va_zc", MFD_CLOEXEC);
	CHECK(f >= 0, "memfd_create: %s", strerror(errno));
	if (f >= 0) {
		shared_echo(fd, sess, f, "memfd");
		close(f);
	}
	CHECK_RC(va_sess_destroy(fd, sess), 0);
}

int main(int argc, char **argv)
{
	uint64_t sess;
	char *slash;
	int fd;

	va_prog = "va_zc";
	proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (argc > 1) {
		snprintf(lib, sizeof(lib), "%s", argv[1]);
	} else {
		if (!realpath(argv[0], lib))
			snprintf(lib, sizeof(lib), "%s", argv[0]);
		slash = strrchr(lib, '/');
		if (slash)
			strcpy(slash + 1, "libvatest.so");
	}
	{
		FILE *f = fopen(ZC_PARAM, "r");
		int c = f ? fgetc(f) : 'N';

		zc = c == 'Y';
		if (f)
			fclose(f);
	}
	VA_LOG("zero-copy %s, libvatest %s", zc ? "on" : "off", lib);
	CHECK(vm_pin() == 0, "no VmPin line or not 0: %ld", vm_pin());
	fd = va_open();
	CHECK_RC(va_sess_create(fd, T_PLUGIN_GENERIC, &sess), 0);
	t_charge(fd, sess);
	t_orphan_charge(fd, sess);
	CHECK_RC(va_sess_destroy(fd, sess), 0);
	t_shared(fd);
	close(fd);
	t_rlimit();
	return va_summary();
}
