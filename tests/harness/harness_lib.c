// SPDX-License-Identifier: Apache-2.0
/* A library for EXEC / EXEC_WITH_RESOURCE tests: write[0] = 2 * read[0]. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <vaccel.h>

__attribute__((visibility("default"))) int
harness_double(struct vaccel_arg *read, size_t nr_read,
	       struct vaccel_arg *write, size_t nr_write)
{
	if (nr_read < 1 || nr_write < 1 || read[0].size != sizeof(int32_t) ||
	    write[0].size != sizeof(int32_t))
		return 1;
	int32_t v;
	memcpy(&v, read[0].buf, sizeof(v));
	v *= 2;
	memcpy(write[0].buf, &v, sizeof(v));
	return 0;
}

/* write[0] (8 bytes) = sum of the little-endian u64 words of read[0], the
 * trailing bytes added as one zero-padded word. Reads every byte once. */
__attribute__((visibility("default"))) int harness_sum(struct vaccel_arg *read,
						       size_t nr_read,
						       struct vaccel_arg *write,
						       size_t nr_write)
{
	if (nr_read < 1 || nr_write < 1 || write[0].size != sizeof(uint64_t) ||
	    (!read[0].buf && read[0].size))
		return 1;
	const uint8_t *p = read[0].buf;
	size_t n = read[0].size, words = n / 8;
	uint64_t s = 0;
	for (size_t i = 0; i < words; i++) {
		uint64_t w;
		memcpy(&w, p + 8 * i, 8);
		s += w;
	}
	if (n % 8) {
		uint64_t w = 0;
		memcpy(&w, p + 8 * words, n % 8);
		s += w;
	}
	memcpy(write[0].buf, &s, sizeof(s));
	return 0;
}

/* write[0] = read[0] (the same size): a large output for tests of the
 * daemon's copies back to the guest. */
__attribute__((visibility("default"))) int
harness_copy(struct vaccel_arg *read, size_t nr_read, struct vaccel_arg *write,
	     size_t nr_write)
{
	if (nr_read < 1 || nr_write < 1 || read[0].size != write[0].size ||
	    (!read[0].buf && read[0].size))
		return 1;
	memcpy(write[0].buf, read[0].buf, read[0].size);
	return 0;
}

/* Sleep read[0] (int32) milliseconds, then write[0] (int32) = read[0]: a
 * slow operation for tests that need requests in flight. */
__attribute__((visibility("default"))) int
harness_sleep(struct vaccel_arg *read, size_t nr_read, struct vaccel_arg *write,
	      size_t nr_write)
{
	if (nr_read < 1 || nr_write < 1 || read[0].size != sizeof(int32_t) ||
	    write[0].size != sizeof(int32_t))
		return 1;
	int32_t ms;
	memcpy(&ms, read[0].buf, sizeof(ms));
	if (ms < 0 || ms > 10000)
		return 1;
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	memcpy(write[0].buf, &ms, sizeof(ms));
	return 0;
}

/* A plugin function that crashes its process (SIGSEGV): the isolation
 * tests run it in one front-end's process. */
__attribute__((visibility("default"))) int
harness_crash(struct vaccel_arg *read, size_t nr_read, struct vaccel_arg *write,
	      size_t nr_write)
{
	(void)read, (void)nr_read, (void)write, (void)nr_write;
	raise(SIGSEGV);
	return 1;
}

/* Tries to create a process: the confined front-end process must not
 * survive it. write[0] (int32) = fork()'s result in the parent. */
__attribute__((visibility("default"))) int
harness_fork(struct vaccel_arg *read, size_t nr_read, struct vaccel_arg *write,
	     size_t nr_write)
{
	(void)read, (void)nr_read;
	if (nr_write < 1 || write[0].size != sizeof(int32_t))
		return 1;
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	int32_t r = pid > 0 ? 0 : -errno;
	memcpy(write[0].buf, &r, sizeof(r));
	return 0;
}

/* Tries to create the file named by read[0] (a string): write[0] (int32)
 * = 0 when it could, -errno otherwise. The file is removed again. */
__attribute__((visibility("default"))) int
harness_create(struct vaccel_arg *read, size_t nr_read,
	       struct vaccel_arg *write, size_t nr_write)
{
	if (nr_read < 1 || nr_write < 1 || write[0].size != sizeof(int32_t) ||
	    !read[0].size || ((const char *)read[0].buf)[read[0].size - 1])
		return 1;
	const char *path = read[0].buf;
	int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	int32_t r = fd >= 0 ? 0 : -errno;
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	memcpy(write[0].buf, &r, sizeof(r));
	return 0;
}
