// SPDX-License-Identifier: Apache-2.0
/*
 * plugin_load_check MODE PATH EXPECTED
 *
 *   load       bootstrap without plugins, then vaccel_plugin_load(PATH)
 *   twice      as load, then load PATH again: the second call must return
 *              VACCEL_EEXIST (the first must return EXPECTED = 0)
 *   bootstrap  vaccel_bootstrap_with_config() with PATH as the plugin list
 *
 * The call must return EXPECTED (a number). On a successful load a session
 * must then be usable (vaccel_noop). Exit status 0 on success, 1 otherwise.
 */
#include <vaccel.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bootstrap(const char *plugins)
{
	struct vaccel_config cfg;
	int ret;

	ret = vaccel_config_init(&cfg, plugins, VACCEL_LOG_ERROR, NULL, false,
				 false);
	if (ret)
		return ret;
	ret = vaccel_bootstrap_with_config(&cfg);
	vaccel_config_release(&cfg);
	return ret;
}

static int check_session(void)
{
	struct vaccel_session sess;
	int ret = vaccel_session_init(&sess, 0);

	if (ret) {
		fprintf(stderr, "session init failed: %d\n", ret);
		return 1;
	}
	ret = vaccel_noop(&sess);
	vaccel_session_release(&sess);
	if (ret) {
		fprintf(stderr, "noop failed: %d\n", ret);
		return 1;
	}
	return 0;
}

int main(int argc, char *argv[])
{
	const char *mode;
	const char *path;
	int expected;
	int ret;
	int status = 0;

	if (argc != 4) {
		fprintf(stderr,
			"Usage: %s load|twice|bootstrap PATH EXPECTED\n",
			argv[0]);
		return 2;
	}
	mode = argv[1];
	path = argv[2];
	expected = atoi(argv[3]);

	if (!strcmp(mode, "bootstrap")) {
		ret = bootstrap(path);
	} else if (!strcmp(mode, "load") || !strcmp(mode, "twice")) {
		ret = bootstrap(NULL);
		if (ret) {
			fprintf(stderr, "bootstrap failed: %d\n", ret);
			return 1;
		}
		ret = vaccel_plugin_load(path);
		if (!strcmp(mode, "twice") && ret == expected) {
			int again = vaccel_plugin_load(path);

			printf("second load: %d\n", again);
			if (again != VACCEL_EEXIST) {
				fprintf(stderr,
					"second load returned %d, expected "
					"%d\n",
					again, VACCEL_EEXIST);
				status = 1;
			}
		}
	} else {
		fprintf(stderr, "unknown mode '%s'\n", mode);
		return 2;
	}

	printf("%s %s: %d\n", mode, path, ret);
	if (ret != expected) {
		fprintf(stderr, "got %d, expected %d\n", ret, expected);
		status = 1;
	}
	if (!ret && check_session())
		status = 1;
	vaccel_cleanup();
	return status;
}
