// SPDX-License-Identifier: GPL-2.0
/*
 * va_memcg: the driver's request buffers are charged to the caller's
 * memory cgroup. Root; skipped (exit 0) where the kernel has no cgroup2
 * memory controller (UML's debug kernel).
 *
 *   va_memcg [path/to/libvatest.so]    (default: next to this program)
 *
 * Moves itself into a new cgroup, then keeps 8 requests with the device
 * (exec plugin, vatest_sleep), each with a 1 MiB output argument copied
 * inline (VIRTIO_ACCEL_IOC_ARG_F_COPY), i.e. 1 MiB of response stream in
 * the kernel per request. The cgroup's memory.current must grow by at
 * least 4 MiB over the level with the user buffers already touched.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "va_test.h"

#define NR 8
#define LEN (1u << 20)

static char lib[PATH_MAX];
static char cg[PATH_MAX];
static int fd;
static uint64_t sess;

struct job {
	void *out;
	int rc;
};

static void *run(void *arg)
{
	static const char sym[] = "vatest_sleep";
	struct job *j = arg;
	uint32_t ms = 2500;
	struct virtio_accel_ioc_arg rd[3] = {
		va_arg(lib, strlen(lib) + 1, T_ARG_STRING),
		va_arg(sym, sizeof(sym), T_ARG_STRING),
		va_arg(&ms, sizeof(ms), T_ARG_UINT32),
	};
	struct virtio_accel_ioc_arg wr[1] = {
		va_arg(j->out, LEN, T_ARG_BUFFER)
	};
	int32_t vret = 0;

	wr[0].flags = VIRTIO_ACCEL_IOC_ARG_F_COPY;
	j->rc = va_op(fd, sess, T_OP_EXEC, rd, 3, wr, 1, &vret);
	if (!j->rc && vret)
		j->rc = -10000 - vret;
	return NULL;
}

static long cg_current(void)
{
	char p[PATH_MAX + 32];

	snprintf(p, sizeof(p), "%s/memory.current", cg);
	return va_sysfs_long(p);
}

/* A cgroup of our own with the memory controller; 0, or 1 to skip. */
static int cg_setup(void)
{
	const char *root = "/sys/fs/cgroup";
	char p[PATH_MAX + 32], pid[32];
	FILE *f;
	int have = 0;
	char line[512];

	f = fopen("/proc/filesystems", "r");
	while (f && fgets(line, sizeof(line), f))
		have |= strstr(line, "cgroup2") != NULL;
	if (f)
		fclose(f);
	if (!have)
		return 1;
	snprintf(p, sizeof(p), "%s/cgroup.controllers", root);
	if (access(p, F_OK)) {
		mkdir(root, 0755);
		if (mount("none", root, "cgroup2", 0, NULL))
			return 1;
	}
	f = fopen(p, "r");
	have = f && fgets(line, sizeof(line), f) && strstr(line, "memory");
	if (f)
		fclose(f);
	if (!have)
		return 1;
	snprintf(p, sizeof(p), "%s/cgroup.subtree_control", root);
	va_sysfs_write(p, "+memory");
	snprintf(cg, sizeof(cg), "%s/va_memcg.%d", root, (int)getpid());
	if (mkdir(cg, 0755))
		return 1;
	snprintf(p, sizeof(p), "%s/cgroup.procs", cg);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	CHECK_RC(va_sysfs_write(p, pid), 0);
	return cg_current() < 0;
}

int main(int argc, char **argv)
{
	struct job j[NR];
	pthread_t t[NR];
	long before, during = 0, after;
	char *slash, p[PATH_MAX + 32];
	int i;

	va_prog = "va_memcg";
	if (argc > 1) {
		snprintf(lib, sizeof(lib), "%s", argv[1]);
	} else {
		if (!realpath(argv[0], lib))
			snprintf(lib, sizeof(lib), "%s", argv[0]);
		slash = strrchr(lib, '/');
		if (slash)
			strcpy(slash + 1, "libvatest.so");
	}
	if (cg_setup()) {
		VA_LOG("no cgroup2 memory controller: skipped");
		return 0;
	}
	fd = va_open();
	CHECK_RC(va_sess_create(fd, T_PLUGIN_GENERIC, &sess), 0);
	for (i = 0; i < NR; i++) {
		j[i].out = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1,
				0);
		memset(j[i].out, 1, LEN);
	}
	before = cg_current();
	for (i = 0; i < NR; i++)
		pthread_create(&t[i], NULL, run, &j[i]);
	for (i = 0; i < 15; i++) {
		long c;

		usleep(100000);
		c = cg_current();
		if (c > during)
			during = c;
	}
	for (i = 0; i < NR; i++) {
		pthread_join(t[i], NULL);
		CHECK_RC(j[i].rc, 0);
	}
	after = cg_current();
	VA_LOG("memory.current: %ld KiB before, %ld KiB with %d x 1 MiB "
	       "inline outputs in flight (+%ld KiB), %ld KiB after",
	       before >> 10, during >> 10, NR, (during - before) >> 10,
	       after >> 10);
	CHECK(during - before >= 4l << 20,
	      "request buffers not charged to the cgroup (+%ld KiB)",
	      (during - before) >> 10);
	CHECK_RC(va_sess_destroy(fd, sess), 0);
	close(fd);
	/* leave the cgroup and remove it */
	snprintf(p, sizeof(p), "%s/../cgroup.procs", cg);
	snprintf(lib, sizeof(lib), "%d", (int)getpid());
	va_sysfs_write(p, lib);
	rmdir(cg);
	return va_summary();
}
