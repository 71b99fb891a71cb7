// SPDX-License-Identifier: Apache-2.0
/* Plugin loading, registration and selection. */
#include "test_util.h"

static int setup(void **state)
{
	(void)state;
	return boot(NULL);
}

static int teardown(void **state)
{
	(void)state;
	return vaccel_cleanup();
}

static void test_load_and_errors(void **state)
{
	(void)state;
	char log[256];
	temp_log(log, sizeof(log));
	struct vaccel_config c;
	vaccel_config_init(&c, NULL, VACCEL_LOG_WARN, log, false, false);
	assert_int_equal(vaccel_bootstrap_with_config(&c), VACCEL_OK);
	vaccel_config_release(&c);

	assert_int_equal(vaccel_plugin_load(fixture("fix-cpu")), VACCEL_OK);
	struct fixture_counters *cnt = fixture_counters("fix-cpu");
	assert_non_null(cnt);
	assert_int_equal(cnt->init, 1);
	const struct vaccel_plugin *p = vaccel_plugin_get(0);
	assert_non_null(p);
	assert_non_null(p->dl_handle);
	assert_non_null(p->ops[VACCEL_OP_NOOP]);
	assert_null(p->ops[VACCEL_OP_BLAS_SGEMM]);

	/* each bad load: documented code and exactly one error line */
	struct {
		const char *lib;
		int code;
		const char *needle;
	} cases[] = {
		{fixture("fix-cpu"), VACCEL_EEXIST, "already loaded"},
		{"/nonexistent/libvaccel-x.so", VACCEL_ENOENT,
		 "libvaccel-x.so"},
		{NULL, VACCEL_ELIBBAD, "not a vAccel plugin"},
		{fixture("fix-badver"), VACCEL_EINVAL, "incompatible"},
		{fixture("fix-garbage-ver"), VACCEL_EINVAL, "banana"},
		{fixture("fix-initfail"), VACCEL_EIO, "failed to initialize"},
		{fixture("fix-nofini"), VACCEL_EINVAL, "fini"},
	};
	char notplugin[4096];
	snprintf(notplugin, sizeof(notplugin), "%s/tests/fixtures/"
		 "libnot-a-plugin.so", getenv("VACCEL_TEST_BUILDDIR"));
	cases[2].lib = notplugin;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int before = count_lines(log, "<error>");
		assert_int_equal(vaccel_plugin_load(cases[i].lib),
				 cases[i].code);
		assert_int_equal(count_lines(log, "<error>"), before + 1);
		assert_true(count_lines(log, cases[i].needle) >= 1);
	}
	assert_int_equal(vaccel_plugin_load(NULL), VACCEL_EINVAL);
	assert_int_equal(vaccel_plugin_load(""), VACCEL_EINVAL);
	assert_int_equal(vaccel_plugin_count(), 1);

	/* minor version difference only warns */
	assert_int_equal(vaccel_plugin_load(fixture("fix-minor")), VACCEL_OK);
	assert_int_equal(count_lines(log, "<warn>"), 1);
	assert_int_equal(vaccel_plugin_count(), 2);
	vaccel_cleanup();
	unlink(log);
}

static void test_version_ignore(void **state)
{
	(void)state;
	assert_int_equal(boot_opts(fixture("fix-badver"), NULL, false, true),
			 VACCEL_OK);
	assert_int_equal(vaccel_plugin_count(), 1);
	vaccel_cleanup();
}

static void test_parse_and_load(void **state)
{
	(void)state;
	char list[8192];
	snprintf(list, sizeof(list), "::%s::%s:", fixture("fix-cpu"),
		 fixture("fix-gpu"));
	assert_int_equal(vaccel_plugin_parse_and_load(list), VACCEL_OK);
	assert_int_equal(vaccel_plugin_count(), 2);
	assert_int_equal(vaccel_plugin_parse_and_load(NULL), VACCEL_EINVAL);
	/* stops at the first failure; earlier ones stay loaded */
	snprintf(list, sizeof(list), "%s:/nope.so:%s", fixture("fix-minor"),
		 fixture("fix-virtio"));
	assert_int_equal(vaccel_plugin_parse_and_load(list), VACCEL_ENOENT);
	assert_int_equal(vaccel_plugin_count(), 3);
}

static void test_fini_called_on_cleanup(void **state)
{
	(void)state;
	assert_int_equal(vaccel_plugin_load(fixture("fix-gpu")), VACCEL_OK);
	struct fixture_counters *cnt = fixture_counters("fix-gpu");
	assert_non_null(cnt);
	int fini_before = cnt->fini;
	/* keep the library mapped to read the counters after cleanup */
	void *h = dlopen(fixture("fix-gpu"), RTLD_LAZY);
	vaccel_cleanup();
	assert_int_equal(cnt->fini, fini_before + 1);
	dlclose(h);
	boot(NULL);
}

static int dummy_noop(struct vaccel_session *s)
{
	(void)s;
	return 0;
}

static void test_register_ops_validation(void **state)
{
	(void)state;
	struct vaccel_plugin_info info = {.name = "local"};
	struct vaccel_plugin owner = {.info = &info};
	struct vaccel_plugin other = {.info = &info};
	struct vaccel_op ops[2] = {
		{.type = VACCEL_OP_NOOP, .func = (void *)dummy_noop,
		 .owner = &owner},
		{.type = VACCEL_OP_EXEC, .func = (void *)dummy_noop,
		 .owner = &other},
	};
	assert_int_equal(vaccel_plugin_register_ops(ops, 2), VACCEL_OK);
	assert_ptr_equal(owner.ops[VACCEL_OP_NOOP], &ops[0]);
	/* each entry goes to its own owner, not to ops[0]'s */
	assert_ptr_equal(other.ops[VACCEL_OP_EXEC], &ops[1]);
	assert_null(owner.ops[VACCEL_OP_EXEC]);
	assert_int_equal(vaccel_plugin_register_op(&ops[0]), VACCEL_OK);

	struct vaccel_op bad = {.type = VACCEL_OP_MAX,
				.func = (void *)dummy_noop,
				.owner = &owner};
	assert_int_equal(vaccel_plugin_register_ops(&bad, 1), VACCEL_EINVAL);
	bad.type = (vaccel_op_type_t)-1;
	assert_int_equal(vaccel_plugin_register_ops(&bad, 1), VACCEL_EINVAL);
	bad.type = VACCEL_OP_NOOP;
	bad.func = NULL;
	assert_int_equal(vaccel_plugin_register_ops(&bad, 1), VACCEL_EINVAL);
	bad.func = (void *)dummy_noop;
	bad.owner = NULL;
	assert_int_equal(vaccel_plugin_register_ops(&bad, 1), VACCEL_EINVAL);
	assert_int_equal(vaccel_plugin_register_ops(NULL, 1), VACCEL_EINVAL);
	assert_int_equal(vaccel_plugin_register_ops(ops, 0), VACCEL_EINVAL);
	assert_int_equal(vaccel_plugin_register_ops(ops, VACCEL_OP_MAX + 1),
			 VACCEL_EINVAL);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	assert_int_equal(register_plugin_function(&ops[0]), VACCEL_OK);
	assert_int_equal(register_plugin_functions(ops, 2), VACCEL_OK);
#pragma GCC diagnostic pop
}

static void test_selection(void **state)
{
	(void)state;
	char list[8192];
	snprintf(list, sizeof(list), "%s:%s:%s", fixture("fix-virtio"),
		 fixture("fix-cpu"), fixture("fix-gpu"));
	assert_int_equal(vaccel_plugin_parse_and_load(list), VACCEL_OK);

	struct vaccel_session s;
	/* no hint: first non-virtio plugin */
	assert_int_equal(vaccel_session_init(&s, 0), VACCEL_OK);
	assert_string_equal(s.plugin->info->name, "fix-cpu");
	assert_false(s.is_virtio);
	vaccel_session_release(&s);
	/* hint: first plugin whose type matches */
	assert_int_equal(vaccel_session_init(&s, VACCEL_PLUGIN_GPU), VACCEL_OK);
	assert_string_equal(s.plugin->info->name, "fix-gpu");
	assert_int_equal(s.hint, VACCEL_PLUGIN_GPU);
	vaccel_session_release(&s);
	/* a hint nothing matches falls back to the first local plugin */
	assert_int_equal(vaccel_session_init(&s, VACCEL_PLUGIN_FPGA),
			 VACCEL_OK);
	assert_string_equal(s.plugin->info->name, "fix-cpu");
	vaccel_session_release(&s);
	/* REMOTE: the first virtio plugin, remote session */
	assert_int_equal(vaccel_session_init(&s, VACCEL_PLUGIN_REMOTE),
			 VACCEL_OK);
	assert_string_equal(s.plugin->info->name, "fix-virtio");
	assert_true(s.is_virtio);
	assert_int_equal(s.remote_id, 1000 + s.id);
	vaccel_session_release(&s);
}

static void test_remote_without_virtio(void **state)
{
	(void)state;
	assert_int_equal(vaccel_plugin_load(fixture("fix-cpu")), VACCEL_OK);
	struct vaccel_session s;
	assert_int_equal(vaccel_session_init(&s, VACCEL_PLUGIN_REMOTE),
			 VACCEL_ENOTSUP);
}

static void test_no_plugin(void **state)
{
	(void)state;
	struct vaccel_session s;
	assert_int_equal(vaccel_session_init(&s, 0), VACCEL_ENOTSUP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_and_errors),
		cmocka_unit_test(test_version_ignore),
		cmocka_unit_test_setup_teardown(test_parse_and_load, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fini_called_on_cleanup,
						setup, teardown),
		cmocka_unit_test(test_register_ops_validation),
		cmocka_unit_test_setup_teardown(test_selection, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_remote_without_virtio,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_plugin, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
