// SPDX-License-Identifier: Apache-2.0
/* Upstream-style program: the no-op operation. */
#include <inttypes.h>
#include <stdio.h>
#include <vaccel.h>

int main(void)
{
	struct vaccel_session sess;
	int ret;

	ret = vaccel_session_init(&sess, 0);
	if (ret != VACCEL_OK) {
		fprintf(stderr, "Could not initialize session\n");
		return 1;
	}

	printf("Initialized session with id: %" PRId64 "\n", sess.id);

	ret = vaccel_noop(&sess);
	if (ret)
		fprintf(stderr, "Could not run op: %d\n", ret);

	if (vaccel_session_release(&sess) != VACCEL_OK) {
		fprintf(stderr, "Could not release session\n");
		return 1;
	}

	return ret;
}
