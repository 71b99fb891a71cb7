// SPDX-License-Identifier: Apache-2.0
/*
 * Path parsing and classification (src/path.c). The helpers are internal
 * (hidden in libvaccel.so), so the source is compiled into this test.
 */
#include "test_util.h"

#include "path.c"

#include <ftw.h>
#include <sys/stat.h>

struct tree {
	char root[PATH_MAX];
};

static void make_file(const char *dir, const char *name, const char *text)
{
	char p[PATH_MAX + 64];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void make_dir(const char *dir, const char *name)
{
	char p[PATH_MAX + 64];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	assert_int_equal(mkdir(p, 0700), 0);
}

static int rm_cb(const char *p, const struct stat *st, int flag,
		 struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));
	const char *tmp = getenv("TMPDIR");
	if (!t)
		return -1;
	snprintf(t->root, sizeof(t->root), "%s/vaccel-test-path-XXXXXX",
		 tmp && tmp[0] ? tmp : P_tmpdir);
	if (!mkdtemp(t->root)) {
		free(t);
		return -1;
	}
	/*
	 * root/
	 *   b.txt  a.txt  fifo  dangling -> nowhere  link.txt -> a.txt
	 *   sub/ z.txt  deeper/ d.txt  loop -> ..
	 *   empty/
	 */
	make_file(t->root, "b.txt", "b");
	make_file(t->root, "a.txt", "a");
	make_dir(t->root, "sub");
	make_file(t->root, "sub/z.txt", "z");
	make_dir(t->root, "sub/deeper");
	make_file(t->root, "sub/deeper/d.txt", "d");
	make_dir(t->root, "empty");
	char p[PATH_MAX + 64];
	snprintf(p, sizeof(p), "%s/fifo", t->root);
	assert_int_equal(mkfifo(p, 0600), 0);
	snprintf(p, sizeof(p), "%s/dangling", t->root);
	assert_int_equal(symlink("nowhere", p), 0);
	snprintf(p, sizeof(p), "%s/link.txt", t->root);
	assert_int_equal(symlink("a.txt", p), 0);
	snprintf(p, sizeof(p), "%s/sub/loop", t->root);
	assert_int_equal(symlink("..", p), 0);
	*state = t;
	return 0;
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;
	nftw(t->root, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return 0;
}

static void test_classify_remote(void **state)
{
	(void)state;
	vaccel_path_type_t t = VACCEL_PATH_MAX;

	assert_int_equal(path_classify("http://example.com/m.pt", &t),
			 VACCEL_OK);
	assert_int_equal(t, VACCEL_PATH_REMOTE_FILE);
	t = VACCEL_PATH_MAX;
	assert_int_equal(path_classify("https://h/x", &t), VACCEL_OK);
	assert_int_equal(t, VACCEL_PATH_REMOTE_FILE);
	t = VACCEL_PATH_MAX;
	assert_int_equal(path_classify("ftp://h/x", &t), VACCEL_OK);
	assert_int_equal(t, VACCEL_PATH_REMOTE_FILE);
	/* scheme names are case-insensitive */
	t = VACCEL_PATH_MAX;
	assert_int_equal(path_classify("HTTPS://h/x", &t), VACCEL_OK);
	assert_int_equal(t, VACCEL_PATH_REMOTE_FILE);

	/* no host / whitespace */
	assert_int_equal(path_classify("http://", &t), VACCEL_EINVAL);
	assert_int_equal(path_classify("http:///x", &t), VACCEL_EINVAL);
	assert_int_equal(path_classify("http://a b", &t), VACCEL_EINVAL);
}

static void test_classify_strict_schemes(void **state)
{
	(void)state;
	vaccel_path_type_t t;

	/* a loose prefix is not a scheme */
	assert_int_equal(path_classify("httpx://h/x", &t), VACCEL_EINVAL);
	assert_int_equal(path_classify("fileserver://h/x", &t), VACCEL_EINVAL);
	assert_int_equal(path_classify("s3://bucket/x", &t), VACCEL_EINVAL);
	/* "://" later in the string: a local (missing) path, not a URL */
	assert_int_equal(path_classify("./http://h/x", &t), VACCEL_ENOENT);
	assert_int_equal(path_classify("/nonexistent/ftp://x", &t),
			 VACCEL_ENOENT);
	assert_false(path_is_remote("./http://h/x"));
	assert_false(path_is_remote("http:/h"));
	assert_false(path_is_remote("xhttp://h"));
	assert_false(path_is_remote(NULL));
	assert_true(path_is_remote("ftp://h"));
	assert_true(path_is_remote("Http://h"));
	/* file:// with nothing after it */
	assert_int_equal(path_classify("file://", &t), VACCEL_EINVAL);
}

static void test_classify_local(void **state)
{
	struct tree *tr = *state;
	char p[PATH_MAX + 64];
	vaccel_path_type_t t = VACCEL_PATH_MAX;

	snprintf(p, sizeof(p), "%s/a.txt", tr->root);
	assert_int_equal(path_classify(p, &t), VACCEL_OK);
	assert_int_equal(t, VACCEL_PATH_LOCAL_FILE);

	snprintf(p, sizeof(p), "file://%s/a.txt", tr->root);
	t = VACCEL_PATH_MAX;
	assert_int_equal(path_classify(p, &t), VACCEL_OK);
	assert_int_equal(t, VACCEL_PATH_LOCAL_FILE);

	snprintf(p, sizeof(p), "FILE://%s/sub", tr->root);
	t = VACCEL_PATH_MAX;
	assert_int_equal(path_classify(p, &t), VACCEL_OK);
	assert_int_equal(t, VACCEL_PATH_LOCAL_DIR);

	t = VACCEL_PATH_MAX;
	assert_int_equal(path_classify(tr->root, &t), VACCEL_OK);
	assert_int_equal(t, VACCEL_PATH_LOCAL_DIR);

	/* symlink to a file: a file */
	snprintf(p, sizeof(p), "%s/link.txt", tr->root);
	assert_int_equal(path_classify(p, &t), VACCEL_OK);
	assert_int_equal(t, VACCEL_PATH_LOCAL_FILE);

	/* not a regular file or directory */
	snprintf(p, sizeof(p), "%s/fifo", tr->root);
	assert_int_equal(path_classify(p, &t), VACCEL_EINVAL);
	assert_int_equal(path_classify("/dev/null", &t), VACCEL_EINVAL);

	/* missing */
	snprintf(p, sizeof(p), "%s/missing", tr->root);
	assert_int_equal(path_classify(p, &t), VACCEL_ENOENT);
	snprintf(p, sizeof(p), "%s/dangling", tr->root);
	assert_int_equal(path_classify(p, &t), VACCEL_ENOENT);
	snprintf(p, sizeof(p), "%s/a.txt/x", tr->root);
	assert_int_equal(path_classify(p, &t), VACCEL_ENOENT);
}

static void test_classify_bad_args(void **state)
{
	(void)state;
	vaccel_path_type_t t;
	assert_int_equal(path_classify(NULL, &t), VACCEL_EINVAL);
	assert_int_equal(path_classify("/", NULL), VACCEL_EINVAL);
	assert_int_equal(path_classify("", &t), VACCEL_EINVAL);
}

static void test_path_local(void **state)
{
	(void)state;
	assert_null(path_local(NULL));
	assert_string_equal(path_local("file:///a/b"), "/a/b");
	assert_string_equal(path_local("file://rel"), "rel");
	assert_string_equal(path_local("/a/b"), "/a/b");
	assert_string_equal(path_local("http://h/x"), "http://h/x");
	assert_string_equal(path_local("x/file://y"), "x/file://y");
}

static void test_filename_valid(void **state)
{
	(void)state;
	char longname[NAME_MAX + 2];

	assert_true(path_filename_valid("model.pt"));
	assert_true(path_filename_valid(".hidden"));
	assert_true(path_filename_valid("..."));
	assert_false(path_filename_valid(NULL));
	assert_false(path_filename_valid(""));
	assert_false(path_filename_valid("."));
	assert_false(path_filename_valid(".."));
	assert_false(path_filename_valid("a/b"));
	assert_false(path_filename_valid("/abs"));
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_false(path_filename_valid(longname));
	longname[NAME_MAX] = '\0';
	assert_true(path_filename_valid(longname));
}

static void test_basename_dup(void **state)
{
	(void)state;
	char *n = NULL;

	assert_int_equal(path_basename_dup("/a/b/c.txt", &n), VACCEL_OK);
	assert_string_equal(n, "c.txt");
	free(n);
	assert_int_equal(path_basename_dup("rel", &n), VACCEL_OK);
	assert_string_equal(n, "rel");
	free(n);
	assert_int_equal(path_basename_dup("/a/dir//", &n), VACCEL_OK);
	assert_string_equal(n, "dir");
	free(n);
	assert_int_equal(path_basename_dup("/", &n), VACCEL_EINVAL);
	assert_int_equal(path_basename_dup("", &n), VACCEL_EINVAL);
	assert_int_equal(path_basename_dup(NULL, &n), VACCEL_EINVAL);
	assert_int_equal(path_basename_dup("x", NULL), VACCEL_EINVAL);
}

static void test_join(void **state)
{
	(void)state;
	char out[16];

	assert_int_equal(path_join(out, sizeof(out), "/a", "b"), VACCEL_OK);
	assert_string_equal(out, "/a/b");
	assert_int_equal(path_join(out, sizeof(out), "/a/", "b"), VACCEL_OK);
	assert_string_equal(out, "/a/b");
	assert_int_equal(path_join(out, sizeof(out), "", "b"), VACCEL_OK);
	assert_string_equal(out, "b");
	/* exactly fits: 15 chars + NUL */
	assert_int_equal(path_join(out, sizeof(out), "/0123456789", "abc"),
			 VACCEL_OK);
	assert_string_equal(out, "/0123456789/abc");
	assert_int_equal(path_join(out, sizeof(out), "/0123456789", "abcd"),
			 VACCEL_ENAMETOOLONG);
	assert_int_equal(path_join(NULL, 1, "a", "b"), VACCEL_EINVAL);
	assert_int_equal(path_join(out, sizeof(out), NULL, "b"), VACCEL_EINVAL);
	assert_int_equal(path_join(out, sizeof(out), "a", NULL), VACCEL_EINVAL);
}

static void test_list_files(void **state)
{
	struct tree *tr = *state;
	char **files = NULL;
	size_t nr = 0;
	char exp[PATH_MAX + 64];

	assert_int_equal(path_list_files(tr->root, &files, &nr), VACCEL_OK);
	/*
	 * sorted walk: a.txt b.txt (dangling skipped) (empty/ has nothing)
	 * (fifo skipped) link.txt sub/deeper/d.txt (sub/loop: cycle skipped)
	 * sub/z.txt
	 */
	assert_int_equal(nr, 5);
	const char *rel[] = {"a.txt", "b.txt", "link.txt", "sub/deeper/d.txt",
			     "sub/z.txt"};
	for (size_t i = 0; i < nr; i++) {
		snprintf(exp, sizeof(exp), "%s/%s", tr->root, rel[i]);
		assert_string_equal(files[i], exp);
	}
	path_list_free(files, nr);

	/* empty directory */
	snprintf(exp, sizeof(exp), "%s/empty", tr->root);
	files = (char **)1;
	assert_int_equal(path_list_files(exp, &files, &nr), VACCEL_OK);
	assert_null(files);
	assert_int_equal(nr, 0);
	path_list_free(NULL, 0);

	/* errors */
	snprintf(exp, sizeof(exp), "%s/a.txt", tr->root);
	assert_int_equal(path_list_files(exp, &files, &nr), VACCEL_ENOTDIR);
	snprintf(exp, sizeof(exp), "%s/missing", tr->root);
	assert_int_equal(path_list_files(exp, &files, &nr), VACCEL_ENOENT);
	assert_int_equal(path_list_files(NULL, &files, &nr), VACCEL_EINVAL);
	assert_int_equal(path_list_files(tr->root, NULL, &nr), VACCEL_EINVAL);
	assert_int_equal(path_list_files(tr->root, &files, NULL),
			 VACCEL_EINVAL);
}

static void test_errno_map(void **state)
{
	(void)state;
	assert_int_equal(path_errno_to_vaccel(ENOENT), VACCEL_ENOENT);
	assert_int_equal(path_errno_to_vaccel(ENOTDIR), VACCEL_ENOENT);
	assert_int_equal(path_errno_to_vaccel(EACCES), VACCEL_EACCES);
	assert_int_equal(path_errno_to_vaccel(ENAMETOOLONG),
			 VACCEL_ENAMETOOLONG);
	assert_int_equal(path_errno_to_vaccel(ELOOP), VACCEL_ELOOP);
	assert_int_equal(path_errno_to_vaccel(ENOSPC), VACCEL_ENOSPC);
	assert_int_equal(path_errno_to_vaccel(EEXIST), VACCEL_EEXIST);
	assert_int_equal(path_errno_to_vaccel(EXDEV), VACCEL_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_remote),
		cmocka_unit_test(test_classify_strict_schemes),
		cmocka_unit_test_setup_teardown(test_classify_local, tree_setup,
						tree_teardown),
		cmocka_unit_test(test_classify_bad_args),
		cmocka_unit_test(test_path_local),
		cmocka_unit_test(test_filename_valid),
		cmocka_unit_test(test_basename_dup),
		cmocka_unit_test(test_join),
		cmocka_unit_test_setup_teardown(test_list_files, tree_setup,
						tree_teardown),
		cmocka_unit_test(test_errno_map),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
