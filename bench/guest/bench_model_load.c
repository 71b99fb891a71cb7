// SPDX-License-Identifier: Apache-2.0
/*
 * bench_model_load: loading a large TorchScript model, the whole way.
 *
 *   bench_model_load --load MODEL ROUNDS   (in the guest, bench/guest.sh)
 *       vaccel_resource_init() of MODEL, vaccel_resource_register() (the
 *       file's bytes go to the host once), vaccel_torch_model_load() (the
 *       host's torch plugin loads it), then unregister and release; the
 *       median over ROUNDS, as the file's MiB per second
 *   bench_model_load --read MODEL ROUNDS   (on the host: the baseline)
 *       read() of the same file into memory (page cache warm), MiB/s
 *
 * Prints "RESULT model_load_<N>MiB <median> MiB/s" (--load) or
 * "RESULT read_<N>MiB <median> MiB/s" (--read), N the file's size.
 */
#include "bench_util.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vaccel.h>

#define MAX_ROUNDS 100

static void die(const char *what, int ret)
{
	fprintf(stderr, "bench_model_load: %s (%d)\n", what, ret);
	exit(1);
}

static double time_read(const char *path, size_t len, unsigned char *buf)
{
	uint64_t t0 = bench_now_ns();
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;
	while (fd >= 0 && got < len) {
		ssize_t r = read(fd, buf + got, len - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (fd >= 0)
		close(fd);
	if (got != len)
		die("cannot read the model file", (int)got);
	return (double)len / (1 << 20) / ((double)(bench_now_ns() - t0) / 1e9);
}

/* Milliseconds of each phase of the last time_load() */
enum { PH_INIT, PH_REGISTER, PH_LOAD, NR_PHASES };
static double phase_ms[NR_PHASES];

static double time_load(const char *path, size_t len)
{
	struct vaccel_session s;
	struct vaccel_resource m;
	uint64_t t[NR_PHASES + 1];
	t[0] = bench_now_ns();
	int ret = vaccel_session_init(&s, VACCEL_PLUGIN_TORCH);
	if (!ret)
		ret = vaccel_resource_init(&m, path, VACCEL_RESOURCE_MODEL);
	if (ret)
		die("session or resource init", ret);
	t[1] = bench_now_ns();
	if ((ret = vaccel_resource_register(&m, &s)))
		die("resource register", ret);
	t[2] = bench_now_ns();
	if ((ret = vaccel_torch_model_load(&s, &m)))
		die("model load", ret);
	t[3] = bench_now_ns();
	for (int i = 0; i < NR_PHASES; i++)
		phase_ms[i] = (double)(t[i + 1] - t[i]) / 1e6;
	double sec = (double)(t[NR_PHASES] - t[0]) / 1e9;
	if ((ret = vaccel_resource_unregister(&m, &s)) ||
	    (ret = vaccel_resource_release(&m)) ||
	    (ret = vaccel_session_release(&s)))
		die("release", ret);
	return (double)len / (1 << 20) / sec;
}

int main(int argc, char **argv)
{
	struct stat st;
	double v[MAX_ROUNDS], ph[NR_PHASES][MAX_ROUNDS];
	if (argc != 4 ||
	    (strcmp(argv[1], "--load") && strcmp(argv[1], "--read"))) {
		fprintf(stderr, "usage: bench_model_load --load|--read MODEL "
				"ROUNDS\n");
		return 2;
	}
	bool load = !strcmp(argv[1], "--load");
	long rounds = strtol(argv[3], NULL, 10);
	if (rounds < 1 || rounds > MAX_ROUNDS || stat(argv[2], &st) ||
	    st.st_size <= 0)
		die("bad ROUNDS or MODEL", 0);
	size_t len = (size_t)st.st_size;
	unsigned char *buf = load ? NULL : malloc(len);
	if (!load && !buf)
		die("out of memory", 0);
	/* warm-up: the page cache, the host plugin's first load */
	load ? time_load(argv[2], len) : time_read(argv[2], len, buf);
	for (long r = 0; r < rounds; r++) {
		v[r] = load ? time_load(argv[2], len)
			    : time_read(argv[2], len, buf);
		for (int i = 0; i < NR_PHASES; i++)
			ph[i][r] = phase_ms[i];
	}
	printf("RESULT %s_%zuMiB %.3f MiB/s\n", load ? "model_load" : "read",
	       len >> 20, bench_median(v, (size_t)rounds));
	if (load)
		printf("INFO model_load_%zuMiB phases (median ms): session and "
		       "resource init %.1f, register (the bytes to the host) "
		       "%.1f, torch model load %.1f\n",
		       len >> 20, bench_median(ph[PH_INIT], (size_t)rounds),
		       bench_median(ph[PH_REGISTER], (size_t)rounds),
		       bench_median(ph[PH_LOAD], (size_t)rounds));
	free(buf);
	return 0;
}
