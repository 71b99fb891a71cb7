// SPDX-License-Identifier: Apache-2.0
/* A loadable library without the `vaccel_plugin` symbol: loading it as a
 * plugin must fail with VACCEL_ELIBBAD. */
__attribute__((visibility("default"))) int not_a_plugin_function(void);

int not_a_plugin_function(void)
{
	return 42;
}
