// SPDX-License-Identifier: Apache-2.0
/* Sessions: lifecycle, ids, rundirs, remote sessions, resource lookups. */
#include "test_util.h"

#include <sys/stat.h>

static int setup_cpu(void **state)
{
	(void)state;
	return boot(fixture("fix-cpu"));
}

static int teardown(void **state)
{
	(void)state;
	return vaccel_cleanup();
}

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void test_lifecycle(void **state)
{
	(void)state;
	struct vaccel_session s;
	assert_int_equal(vaccel_session_init(&s, 0), VACCEL_OK);
	assert_true(s.id > 0);
	assert_int_equal(s.remote_id, 0);
	assert_false(s.is_virtio);
	assert_non_null(s.plugin);
	assert_true(is_dir(s.rundir));
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", s.rundir);
	assert_non_null(strstr(dir, vaccel_rundir()));

	struct vaccel_session *found = NULL;
	assert_int_equal(vaccel_session_get_by_id(&found, s.id), VACCEL_OK);
	assert_ptr_equal(found, &s);
	assert_int_equal(vaccel_noop(&s), VACCEL_OK);

	assert_int_equal(vaccel_session_release(&s), VACCEL_OK);
	assert_false(is_dir(dir));
	assert_int_equal(s.id, 0);
	assert_int_equal(vaccel_session_release(&s), VACCEL_EINVAL);
	assert_int_equal(vaccel_session_get_by_id(&found, 1), VACCEL_ENOENT);

	struct vaccel_session *h;
	assert_int_equal(vaccel_session_new(&h, 0), VACCEL_OK);
	assert_true(h->id > 0);
	assert_int_equal(vaccel_session_delete(h), VACCEL_OK);
}

static void test_invalid(void **state)
{
	(void)state;
	struct vaccel_session *p;
	assert_int_equal(vaccel_session_init(NULL, 0), VACCEL_EINVAL);
	assert_int_equal(vaccel_session_new(NULL, 0), VACCEL_EINVAL);
	assert_int_equal(vaccel_session_release(NULL), VACCEL_EINVAL);
	assert_int_equal(vaccel_session_delete(NULL), VACCEL_EINVAL);
	assert_int_equal(vaccel_session_get_by_id(NULL, 1), VACCEL_EINVAL);
	assert_int_equal(vaccel_session_get_by_id(&p, 0), VACCEL_EINVAL);
	assert_false(vaccel_session_has_resource(NULL, NULL));
	struct vaccel_resource *r;
	struct vaccel_resource **rs;
	size_t n;
	assert_int_equal(vaccel_session_resource_by_id(NULL, &r, 1),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_session_resource_by_type(NULL, &r,
							 VACCEL_RESOURCE_LIB),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_session_resources_by_type(
				 NULL, &rs, &n, VACCEL_RESOURCE_LIB),
			 VACCEL_EINVAL);
	struct vaccel_session s;
	assert_int_equal(vaccel_session_init(&s, 0), VACCEL_OK);
	assert_int_equal(vaccel_session_resource_by_type(&s, &r,
							 VACCEL_RESOURCE_MAX),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_session_resource_by_id(&s, &r, 0),
			 VACCEL_EINVAL);
	vaccel_session_release(&s);
}

static void test_id_pool_exhaustion_and_reuse(void **state)
{
	(void)state;
	enum { N = 1024 };
	struct vaccel_session *s = calloc(N + 1, sizeof(*s));
	assert_non_null(s);
	for (int i = 0; i < N; i++)
		assert_int_equal(vaccel_session_init(&s[i], 0), VACCEL_OK);
	assert_int_equal(vaccel_session_init(&s[N], 0), VACCEL_EUSERS);
	vaccel_id_t freed = s[100].id;
	assert_int_equal(vaccel_session_release(&s[100]), VACCEL_OK);
	assert_int_equal(vaccel_session_init(&s[N], 0), VACCEL_OK);
	assert_int_equal(s[N].id, freed);
	for (int i = 0; i <= N; i++)
		if (i != 100)
			assert_int_equal(vaccel_session_release(&s[i]),
					 VACCEL_OK);
	free(s);
}

static void test_resources(void **state)
{
	(void)state;
	struct vaccel_session s, t;
	assert_int_equal(vaccel_session_init(&s, 0), VACCEL_OK);
	assert_int_equal(vaccel_session_init(&t, 0), VACCEL_OK);
	int a = 1, b = 2;
	struct vaccel_resource ra, rb;
	assert_int_equal(vaccel_resource_init_from_buf(&ra, &a, sizeof(a),
						       VACCEL_RESOURCE_DATA,
						       NULL, true),
			 VACCEL_OK);
	assert_int_equal(vaccel_resource_init_from_buf(&rb, &b, sizeof(b),
						       VACCEL_RESOURCE_DATA,
						       NULL, true),
			 VACCEL_OK);
	struct vaccel_resource *r;
	struct vaccel_resource **rs;
	size_t n = 99;
	assert_int_equal(vaccel_session_resource_by_type(
				 &s, &r, VACCEL_RESOURCE_DATA),
			 VACCEL_ENOENT);
	assert_int_equal(vaccel_session_resources_by_type(
				 &s, &rs, &n, VACCEL_RESOURCE_DATA),
			 VACCEL_ENOENT);
	assert_int_equal(n, 0);

	assert_int_equal(vaccel_resource_register(&ra, &s), VACCEL_OK);
	assert_int_equal(vaccel_resource_register(&rb, &s), VACCEL_OK);
	assert_int_equal(vaccel_resource_register(&ra, &t), VACCEL_OK);
	assert_true(vaccel_session_has_resource(&s, &ra));
	assert_true(vaccel_session_has_resource(&t, &ra));
	assert_false(vaccel_session_has_resource(&t, &rb));
	assert_int_equal(vaccel_resource_refcount(&ra), 2);

	assert_int_equal(vaccel_session_resource_by_type(
				 &s, &r, VACCEL_RESOURCE_DATA),
			 VACCEL_OK);
	assert_ptr_equal(r, &ra); /* the first registered */
	assert_int_equal(vaccel_session_resource_by_id(&s, &r, rb.id),
			 VACCEL_OK);
	assert_ptr_equal(r, &rb);
	assert_int_equal(vaccel_session_resource_by_id(&t, &r, rb.id),
			 VACCEL_ENOENT);
	assert_int_equal(vaccel_session_resources_by_type(
				 &s, &rs, &n, VACCEL_RESOURCE_DATA),
			 VACCEL_OK);
	assert_int_equal(n, 2);
	assert_ptr_equal(rs[0], &ra);
	assert_ptr_equal(rs[1], &rb);
	free(rs);

	/* releasing a session unregisters its resources */
	assert_int_equal(vaccel_session_release(&s), VACCEL_OK);
	assert_int_equal(vaccel_resource_refcount(&ra), 1);
	assert_int_equal(vaccel_resource_refcount(&rb), 0);
	assert_int_equal(vaccel_session_release(&t), VACCEL_OK);
	assert_int_equal(vaccel_resource_refcount(&ra), 0);
	assert_int_equal(vaccel_resource_release(&ra), VACCEL_OK);
	assert_int_equal(vaccel_resource_release(&rb), VACCEL_OK);
}

static void test_leftovers_released_by_cleanup(void **state)
{
	(void)state;
	struct vaccel_session *s;
	assert_int_equal(vaccel_session_new(&s, 0), VACCEL_OK);
	vaccel_cleanup();
	assert_int_equal(s->id, 0);
	free(s);
	boot(fixture("fix-cpu"));
}

static void test_remote_sessions(void **state)
{
	(void)state;
	/* exactly one plugin, a virtio one: sessions are remote */
	assert_int_equal(boot(fixture("fix-virtio")), VACCEL_OK);
	struct fixture_counters *cnt = fixture_counters("fix-virtio");
	assert_non_null(cnt);
	struct vaccel_session s;
	assert_int_equal(vaccel_session_init(&s, 0), VACCEL_OK);
	assert_true(s.is_virtio);
	assert_int_equal(s.remote_id, 1000 + s.id);
	assert_int_equal(cnt->session_init, 1);

	int x = 7;
	struct vaccel_resource r;
	assert_int_equal(vaccel_resource_init_from_buf(&r, &x, sizeof(x),
						       VACCEL_RESOURCE_DATA,
						       NULL, true),
			 VACCEL_OK);
	assert_int_equal(vaccel_resource_register(&r, &s), VACCEL_OK);
	assert_int_equal(cnt->resource_register, 1);
	assert_int_equal(r.remote_id, 5000 + r.id);
	assert_int_equal(vaccel_resource_sync(&r, &s), VACCEL_OK);
	assert_int_equal(cnt->resource_sync, 1);

	assert_int_equal(vaccel_session_release(&s), VACCEL_OK);
	assert_int_equal(cnt->session_release, 1);
	assert_int_equal(cnt->resource_unregister, 1);
	assert_int_equal(vaccel_resource_release(&r), VACCEL_OK);

	/* a plugin that "succeeds" without a remote id is an error */
	setenv("FIXTURE_NO_REMOTE_ID", "1", 1);
	assert_int_equal(vaccel_session_init(&s, 0), VACCEL_EBACKEND);
	assert_int_equal(s.id, 0);
	unsetenv("FIXTURE_NO_REMOTE_ID");
}

static void test_deprecated(void **state)
{
	(void)state;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	char list[8192];
	snprintf(list, sizeof(list), "%s:%s", fixture("fix-cpu"),
		 fixture("fix-gpu"));
	assert_int_equal(boot(list), VACCEL_OK);
	struct vaccel_session s;
	assert_int_equal(vaccel_sess_init(&s, 0), VACCEL_OK);
	assert_string_equal(s.plugin->info->name, "fix-cpu");
	assert_int_equal(vaccel_sess_update(&s, VACCEL_PLUGIN_GPU), VACCEL_OK);
	assert_string_equal(s.plugin->info->name, "fix-gpu");
	assert_int_equal(vaccel_session_update(&s, VACCEL_PLUGIN_CPU),
			 VACCEL_OK);
	assert_string_equal(s.plugin->info->name, "fix-cpu");

	int x = 1;
	struct vaccel_resource r;
	vaccel_resource_init_from_buf(&r, &x, sizeof(x), VACCEL_RESOURCE_DATA,
				      NULL, true);
	vaccel_resource_register(&r, &s);
	assert_true(vaccel_sess_has_resource(&s, &r));
	/* no plugin change while resources are registered */
	assert_int_equal(vaccel_session_update(&s, VACCEL_PLUGIN_GPU),
			 VACCEL_ENOTSUP);
	assert_int_equal(vaccel_session_update(NULL, 0), VACCEL_EINVAL);
	assert_int_equal(vaccel_sess_free(&s), VACCEL_OK);
	vaccel_resource_release(&r);
#pragma GCC diagnostic pop
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lifecycle, setup_cpu,
						teardown),
		cmocka_unit_test_setup_teardown(test_invalid, setup_cpu,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_id_pool_exhaustion_and_reuse, setup_cpu, teardown),
		cmocka_unit_test_setup_teardown(test_resources, setup_cpu,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_leftovers_released_by_cleanup, setup_cpu,
			teardown),
		cmocka_unit_test_setup_teardown(test_remote_sessions, NULL,
						teardown),
		cmocka_unit_test_setup_teardown(test_deprecated, NULL,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
