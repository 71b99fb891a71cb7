// SPDX-License-Identifier: Apache-2.0
/* Dependency of libmytestmain.so (multi-blob exec_with_resource tests). */
__attribute__((visibility("default"))) int mytestdep_factor(void);

int mytestdep_factor(void)
{
	return 3;
}
