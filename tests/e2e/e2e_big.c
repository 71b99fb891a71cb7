// SPDX-License-Identifier: Apache-2.0
/*
 * e2e_big [MIB]   (default 1024)
 *
 * One MIB-sized argument each way through the virtio plugin: an
 * fpga_arraycopy of MIB MiB on the noop host plugin (session hint DEBUG),
 * data verified, throughput printed; then an exec echo of MIB/2 MiB in and
 * out (BUFFER args).
 */
#include "e2e_util.h"

int main(int argc, char **argv)
{
	long mib = e2e_arg(argc, argv, 1, 1024);
	size_t bytes = (size_t)mib << 20;
	size_t n = bytes / sizeof(int);
	struct vaccel_session s;

	if (mib < 1)
		e2e_fail("e2e_big", "bad size");
	int *a = malloc(bytes), *b = malloc(bytes);
	if (!a || !b)
		e2e_fail("e2e_big", "cannot allocate 2 x %ld MiB", mib);
	for (size_t i = 0; i < n; i++)
		a[i] = (int)(i * 2654435761u);
	memset(b, 0, bytes);
	if (vaccel_session_init(&s, E2E_HINT_NOOP))
		e2e_fail("e2e_big", "no session");

	uint64_t t0 = e2e_now_ms();
	int ret = vaccel_fpga_arraycopy(&s, a, b, n);
	uint64_t ms = e2e_now_ms() - t0;
	if (ret)
		e2e_fail("e2e_big", "arraycopy of %ld MiB: %d", mib, ret);
	for (size_t i = 0; i < n; i++)
		if (b[i] != (int)(i * 2654435761u))
			e2e_fail("e2e_big", "wrong data at element %zu", i);
	printf("e2e_big: arraycopy %ld MiB each way in %llu ms\n", mib,
	       (unsigned long long)ms);

	struct vaccel_arg rd, wr;
	memset(b, 0, bytes / 2);
	vaccel_arg_init_from_buf(&rd, a, bytes / 2, VACCEL_ARG_BUFFER, 0);
	vaccel_arg_init_from_buf(&wr, b, bytes / 2, VACCEL_ARG_BUFFER, 0);
	t0 = e2e_now_ms();
	ret = vaccel_exec(&s, "echo", "echo", &rd, 1, &wr, 1);
	ms = e2e_now_ms() - t0;
	if (ret || memcmp(a, b, bytes / 2))
		e2e_fail("e2e_big", "exec echo of %ld MiB: %d", mib / 2, ret);
	printf("e2e_big: exec echo %ld MiB each way in %llu ms\n", mib / 2,
	       (unsigned long long)ms);
	vaccel_session_release(&s);
	free(a);
	free(b);
	printf("e2e_big: OK\n");
	return 0;
}
