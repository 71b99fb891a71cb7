// SPDX-License-Identifier: Apache-2.0
/*
 * Concurrency: threads creating and releasing sessions, registering
 * resources and running ops at once, and plugins loaded from several threads.
 */
#include "test_util.h"

#include <pthread.h>

#define THREADS 8
#define ITERATIONS 200

static struct vaccel_resource shared_res;

static void *worker(void *arg)
{
	long fails = 0;
	int value = (int)(long)arg;
	for (int i = 0; i < ITERATIONS; i++) {
		struct vaccel_session s;
		if (vaccel_session_init(&s, 0) != VACCEL_OK) {
			fails++;
			continue;
		}
		struct vaccel_resource own;
		if (vaccel_resource_init_from_buf(&own, &value, sizeof(value),
						  VACCEL_RESOURCE_DATA, NULL,
						  true) != VACCEL_OK)
			fails++;
		else if (vaccel_resource_register(&own, &s) != VACCEL_OK)
			fails++;
		if (vaccel_resource_register(&shared_res, &s) != VACCEL_OK)
			fails++;
		if (vaccel_noop(&s) != VACCEL_OK)
			fails++;
		if (!vaccel_session_has_resource(&s, &shared_res))
			fails++;
		if (i % 2 == 0 &&
		    vaccel_resource_unregister(&shared_res, &s) != VACCEL_OK)
			fails++;
		/* releasing the session unregisters whatever is left */
		if (vaccel_session_release(&s) != VACCEL_OK)
			fails++;
		if (vaccel_resource_release(&own) != VACCEL_OK)
			fails++;
	}
	return (void *)fails;
}

static void test_sessions_and_resources(void **state)
{
	(void)state;
	assert_int_equal(boot(fixture("fix-cpu")), VACCEL_OK);
	int data = 42;
	assert_int_equal(vaccel_resource_init_from_buf(&shared_res, &data,
						       sizeof(data),
						       VACCEL_RESOURCE_DATA,
						       NULL, true),
			 VACCEL_OK);
	pthread_t t[THREADS];
	for (long i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker,
						(void *)i),
				 0);
	for (int i = 0; i < THREADS; i++) {
		void *fails;
		pthread_join(t[i], &fails);
		assert_int_equal((long)fails, 0);
	}
	assert_int_equal(vaccel_resource_refcount(&shared_res), 0);
	struct fixture_counters *cnt = fixture_counters("fix-cpu");
	assert_non_null(cnt);
	assert_int_equal(cnt->noop, THREADS * ITERATIONS);
	assert_int_equal(vaccel_resource_release(&shared_res), VACCEL_OK);
	/* every session id came back to the pool */
	struct vaccel_session *all = calloc(1024, sizeof(*all));
	for (int i = 0; i < 1024; i++)
		assert_int_equal(vaccel_session_init(&all[i], 0), VACCEL_OK);
	for (int i = 0; i < 1024; i++)
		vaccel_session_release(&all[i]);
	free(all);
	vaccel_cleanup();
}

static const char *loaders[] = {"fix-cpu", "fix-gpu", "fix-minor",
				"fix-virtio"};
static int load_results[4];

static void *loader(void *arg)
{
	long i = (long)arg;
	load_results[i] = vaccel_plugin_load(loaders[i]);
	return NULL;
}

static void test_concurrent_plugin_load(void **state)
{
	(void)state;
	assert_int_equal(boot(NULL), VACCEL_OK);
	/* resolve paths before starting threads (fixture() is not MT-safe) */
	char paths[4][4096];
	for (int i = 0; i < 4; i++)
		snprintf(paths[i], sizeof(paths[i]), "%s", fixture(loaders[i]));
	for (int i = 0; i < 4; i++)
		loaders[i] = paths[i];
	pthread_t t[8];
	for (long i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, loader, (void *)(i % 4));
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	/* each plugin loaded exactly once, duplicates got EEXIST */
	assert_int_equal(vaccel_plugin_count(), 4);
	vaccel_cleanup();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sessions_and_resources),
		cmocka_unit_test(test_concurrent_plugin_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
