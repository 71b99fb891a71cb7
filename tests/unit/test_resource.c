// SPDX-License-Identifier: Apache-2.0
/*
 * Resources: every function of vaccel/resource.h, registration with local
 * (noop plugin) and remote (fix-virtio fixture) sessions, and concurrency.
 */
#include "test_util.h"

#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <sys/stat.h>

struct env {
	char root[1024];  /* temp tree */
	char file[1100];  /* root/model.bin */
	char file2[1100]; /* root/other.bin */
	char dir[1100];	  /* root/dir: a.txt, sub/b.txt, sub/c/d.txt */
};

static const char content[] = "model-bytes";

static void write_file(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static bool exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

static int rm_cb(const char *p, const struct stat *st, int flag,
		 struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static const char *noop_path(void)
{
	static char buf[PATH_MAX];
	const char *d = getenv("VACCEL_PLUGINS_DIR");
	if (!d)
		return plugin_path("noop");
	snprintf(buf, sizeof(buf), "%s/noop/libvaccel-noop.so", d);
	return buf;
}

/* noop (local sessions) and fix-virtio (remote sessions, REMOTE flag). */
static int boot_plugins(void)
{
	char list[2 * PATH_MAX + 2];
	snprintf(list, sizeof(list), "%s:%s", noop_path(),
		 fixture("fix-virtio"));
	setenv("VACCEL_PLUGINS", list, 1);
	int ret = vaccel_bootstrap();
	unsetenv("VACCEL_PLUGINS");
	return ret;
}

static struct fixture_counters *virtio_counters(void)
{
	struct fixture_counters *c = fixture_counters("fix-virtio");
	assert_non_null(c);
	return c;
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	const char *tmp = getenv("TMPDIR");
	char p[PATH_MAX + 128];
	if (!e)
		return -1;
	snprintf(e->root, sizeof(e->root), "%s/vaccel-test-res-XXXXXX",
		 tmp && tmp[0] ? tmp : P_tmpdir);
	if (!mkdtemp(e->root))
		return -1;
	snprintf(e->file, sizeof(e->file), "%s/model.bin", e->root);
	snprintf(e->file2, sizeof(e->file2), "%s/other.bin", e->root);
	snprintf(e->dir, sizeof(e->dir), "%s/dir", e->root);
	write_file(e->file, content);
	write_file(e->file2, "other");
	if (mkdir(e->dir, 0700))
		return -1;
	snprintf(p, sizeof(p), "%s/sub", e->dir);
	if (mkdir(p, 0700))
		return -1;
	snprintf(p, sizeof(p), "%s/sub/c", e->dir);
	if (mkdir(p, 0700))
		return -1;
	snprintf(p, sizeof(p), "%s/a.txt", e->dir);
	write_file(p, "A");
	snprintf(p, sizeof(p), "%s/sub/b.txt", e->dir);
	write_file(p, "BB");
	snprintf(p, sizeof(p), "%s/sub/c/d.txt", e->dir);
	write_file(p, "DDD");

	if (boot_plugins() != VACCEL_OK)
		return -1;
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	vaccel_cleanup();
	nftw(e->root, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(e);
	return 0;
}

/* ---- creation ------------------------------------------------------------ */

static void test_init_file(void **state)
{
	struct env *e = *state;
	struct vaccel_resource res, *found = NULL;

	memset(&res, 0xa5, sizeof(res)); /* caller storage may be garbage */
	assert_int_equal(
		vaccel_resource_init(&res, e->file, VACCEL_RESOURCE_MODEL),
		VACCEL_OK);
	assert_true(res.id > 0);
	assert_int_equal(res.remote_id, 0);
	assert_int_equal(res.type, VACCEL_RESOURCE_MODEL);
	assert_int_equal(res.path_type, VACCEL_PATH_LOCAL_FILE);
	assert_int_equal(res.nr_paths, 1);
	assert_string_equal(res.paths[0], e->file);
	assert_null(res.rundir);
	/* materialised at registration */
	assert_null(res.blobs);
	assert_int_equal(res.nr_blobs, 0);
	assert_int_equal(vaccel_resource_refcount(&res), 0);
	assert_null(res.plugin_priv);

	assert_int_equal(vaccel_resource_get_by_id(&found, res.id), VACCEL_OK);
	assert_ptr_equal(found, &res);

	vaccel_id_t id = res.id;
	assert_int_equal(vaccel_resource_release(&res), VACCEL_OK);
	assert_int_equal(res.id, 0);
	assert_null(res.paths);
	assert_int_equal(vaccel_resource_get_by_id(&found, id), VACCEL_ENOENT);
	/* double release */
	assert_int_equal(vaccel_resource_release(&res), VACCEL_EINVAL);
	/* the user's file stays */
	assert_true(exists(e->file));
}

static void test_init_schemes(void **state)
{
	struct env *e = *state;
	struct vaccel_resource res;
	char p[PATH_MAX + 128];

	snprintf(p, sizeof(p), "file://%s", e->file);
	assert_int_equal(vaccel_resource_init(&res, p, VACCEL_RESOURCE_DATA),
			 VACCEL_OK);
	assert_int_equal(res.path_type, VACCEL_PATH_LOCAL_FILE);
	assert_string_equal(res.paths[0], p); /* kept as given */
	assert_int_equal(vaccel_resource_release(&res), VACCEL_OK);

	snprintf(p, sizeof(p), "file://%s", e->dir);
	assert_int_equal(vaccel_resource_init(&res, p, VACCEL_RESOURCE_DATA),
			 VACCEL_OK);
	assert_int_equal(res.path_type, VACCEL_PATH_LOCAL_DIR);
	assert_int_equal(vaccel_resource_release(&res), VACCEL_OK);

	assert_int_equal(vaccel_resource_init(&res, "https://example.com/m.pt",
					      VACCEL_RESOURCE_MODEL),
			 VACCEL_OK);
	assert_int_equal(res.path_type, VACCEL_PATH_REMOTE_FILE);
	assert_int_equal(vaccel_resource_release(&res), VACCEL_OK);

	/* strict schemes */
	assert_int_equal(vaccel_resource_init(&res, "httpx://h/x",
					      VACCEL_RESOURCE_MODEL),
			 VACCEL_EINVAL);
	assert_int_equal(
		vaccel_resource_init(&res, "s3://b/x", VACCEL_RESOURCE_MODEL),
		VACCEL_EINVAL);
	assert_int_equal(
		vaccel_resource_init(&res, "http://", VACCEL_RESOURCE_MODEL),
		VACCEL_EINVAL);
}

static void test_init_errors(void **state)
{
	struct env *e = *state;
	struct vaccel_resource res, *pres = NULL;
	char p[PATH_MAX + 128];

	assert_int_equal(
		vaccel_resource_init(NULL, e->file, VACCEL_RESOURCE_MODEL),
		VACCEL_EINVAL);
	assert_int_equal(
		vaccel_resource_init(&res, NULL, VACCEL_RESOURCE_MODEL),
		VACCEL_EINVAL);
	assert_int_equal(
		vaccel_resource_init(&res, e->file, VACCEL_RESOURCE_MAX),
		VACCEL_EINVAL);
	assert_int_equal(
		vaccel_resource_init(&res, e->file, (vaccel_resource_type_t)-1),
		VACCEL_EINVAL);
	snprintf(p, sizeof(p), "%s/missing", e->root);
	assert_int_equal(vaccel_resource_init(&res, p, VACCEL_RESOURCE_MODEL),
			 VACCEL_ENOENT);
	assert_int_equal(
		vaccel_resource_init(&res, "/dev/null", VACCEL_RESOURCE_MODEL),
		VACCEL_EINVAL);
	assert_int_equal(vaccel_resource_init(&res, "", VACCEL_RESOURCE_MODEL),
			 VACCEL_EINVAL);

	assert_int_equal(
		vaccel_resource_new(NULL, e->file, VACCEL_RESOURCE_MODEL),
		VACCEL_EINVAL);
	assert_int_equal(vaccel_resource_new(&pres, p, VACCEL_RESOURCE_MODEL),
			 VACCEL_ENOENT);
	assert_null(pres);
	assert_int_equal(vaccel_resource_release(NULL), VACCEL_EINVAL);
	assert_int_equal(vaccel_resource_delete(NULL), VACCEL_EINVAL);
	assert_int_equal(vaccel_resource_refcount(NULL), -VACCEL_EINVAL);
	assert_int_equal(vaccel_resource_get_by_id(NULL, 1), VACCEL_EINVAL);
	assert_int_equal(
		vaccel_resource_get_by_type(NULL, VACCEL_RESOURCE_MODEL),
		VACCEL_EINVAL);
	assert_int_equal(
		vaccel_resource_get_by_type(&pres, VACCEL_RESOURCE_MAX),
		VACCEL_EINVAL);
	size_t nr;
	struct vaccel_resource **all;
	assert_int_equal(vaccel_resource_get_all_by_type(NULL, &nr,
							 VACCEL_RESOURCE_MODEL),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_resource_get_all_by_type(&all, NULL,
							 VACCEL_RESOURCE_MODEL),
			 VACCEL_EINVAL);
	/* nothing was created by the failures */
	assert_int_equal(vaccel_resource_get_all_by_type(&all, &nr,
							 VACCEL_RESOURCE_MODEL),
			 VACCEL_ENOENT);
}

static void test_init_multi(void **state)
{
	struct env *e = *state;
	struct vaccel_resource res, *pres;
	const char *two[] = {e->file, e->file2};
	const char *mixed[] = {e->file, e->dir};
	const char *dirs[] = {e->dir, e->dir};
	const char *url_file[] = {"http://h/x", e->file};
	const char *with_null[] = {e->file, NULL};

	assert_int_equal(
		vaccel_resource_init_multi(&res, two, 2, VACCEL_RESOURCE_LIB),
		VACCEL_OK);
	assert_int_equal(res.nr_paths, 2);
	assert_string_equal(res.paths[0], e->file);
	assert_string_equal(res.paths[1], e->file2);
	assert_int_equal(res.path_type, VACCEL_PATH_LOCAL_FILE);
	assert_int_equal(vaccel_resource_release(&res), VACCEL_OK);

	assert_int_equal(
		vaccel_resource_multi_new(&pres, two, 2, VACCEL_RESOURCE_LIB),
		VACCEL_OK);
	assert_int_equal(pres->nr_paths, 2);
	assert_int_equal(vaccel_resource_delete(pres), VACCEL_OK);

	assert_int_equal(
		vaccel_resource_init_multi(&res, mixed, 2, VACCEL_RESOURCE_LIB),
		VACCEL_EINVAL);
	assert_int_equal(vaccel_resource_init_multi(&res, url_file, 2,
						    VACCEL_RESOURCE_LIB),
			 VACCEL_EINVAL);
	assert_int_equal(
		vaccel_resource_init_multi(&res, dirs, 2, VACCEL_RESOURCE_LIB),
		VACCEL_ENOTSUP);
	assert_int_equal(vaccel_resource_init_multi(&res, with_null, 2,
						    VACCEL_RESOURCE_LIB),
			 VACCEL_EINVAL);
	assert_int_equal(
		vaccel_resource_init_multi(&res, two, 0, VACCEL_RESOURCE_LIB),
		VACCEL_EINVAL);
	assert_int_equal(
		vaccel_resource_init_multi(&res, NULL, 2, VACCEL_RESOURCE_LIB),
		VACCEL_EINVAL);
	assert_int_equal(
		vaccel_resource_multi_new(NULL, two, 2, VACCEL_RESOURCE_LIB),
		VACCEL_EINVAL);
	pres = NULL;
	assert_int_equal(
		vaccel_resource_multi_new(&pres, dirs, 2, VACCEL_RESOURCE_LIB),
		VACCEL_ENOTSUP);
	assert_null(pres);
}

static void test_from_buf_mem_only(void **state)
{
	(void)state;
	struct vaccel_resource res;
	uint8_t buf[16];
	memset(buf, 0x5a, sizeof(buf));

	assert_int_equal(vaccel_resource_init_from_buf(&res, buf, sizeof(buf),
						       VACCEL_RESOURCE_DATA,
						       "in.bin", true),
			 VACCEL_OK);
	assert_true(res.id > 0);
	assert_int_equal(res.type, VACCEL_RESOURCE_DATA);
	assert_int_equal(res.nr_blobs, 1);
	assert_int_equal(res.blobs[0]->type, VACCEL_BLOB_BUFFER);
	/* borrowed: no copy, no file */
	assert_ptr_equal(res.blobs[0]->data, buf);
	assert_false(res.blobs[0]->data_owned);
	assert_int_equal(res.blobs[0]->size, sizeof(buf));
	assert_string_equal(res.blobs[0]->name, "in.bin");
	assert_null(res.blobs[0]->path);
	assert_null(res.rundir);
	assert_int_equal(res.nr_paths, 0);
	assert_int_equal(vaccel_resource_release(&res), VACCEL_OK);
	assert_int_equal(buf[0], 0x5a);

	/* heap twin, no name */
	struct vaccel_resource *pres = NULL;
	assert_int_equal(vaccel_resource_from_buf(&pres, buf, 4,
						  VACCEL_RESOURCE_DATA, NULL,
						  true),
			 VACCEL_OK);
	assert_non_null(pres->blobs[0]->name);
	assert_int_equal(vaccel_resource_delete(pres), VACCEL_OK);
}

static void test_from_buf_persisted(void **state)
{
	(void)state;
	struct vaccel_resource res;
	char exp_dir[PATH_MAX + 64], exp_file[PATH_MAX + 128],
		copy[PATH_MAX + 64];

	assert_int_equal(vaccel_resource_init_from_buf(
				 &res, content, sizeof(content) - 1,
				 VACCEL_RESOURCE_MODEL, "model.pt", false),
			 VACCEL_OK);
	snprintf(exp_dir, sizeof(exp_dir), "%s/resource.%lld", vaccel_rundir(),
		 (long long)res.id);
	snprintf(exp_file, sizeof(exp_file), "%s/model.pt", exp_dir);
	assert_non_null(res.rundir);
	assert_string_equal(res.rundir, exp_dir);
	assert_int_equal(res.nr_blobs, 1);
	struct vaccel_blob *b = res.blobs[0];
	assert_int_equal(b->type, VACCEL_BLOB_MAPPED);
	assert_string_equal(b->path, exp_file);
	assert_string_equal(b->name, "model.pt");
	assert_ptr_not_equal(b->data, content);
	assert_memory_equal(b->data, content, sizeof(content) - 1);
	assert_true(exists(exp_file));
	assert_int_equal(res.nr_paths, 1);
	assert_string_equal(res.paths[0], exp_file);
	assert_int_equal(res.path_type, VACCEL_PATH_LOCAL_FILE);
	snprintf(copy, sizeof(copy), "%s", exp_dir);

	assert_int_equal(vaccel_resource_release(&res), VACCEL_OK);
	assert_false(exists(exp_file));
	assert_false(exists(copy));

	/* no file name: file_XXXXXX */
	assert_int_equal(vaccel_resource_init_from_buf(&res, content, 3,
						       VACCEL_RESOURCE_MODEL,
						       NULL, false),
			 VACCEL_OK);
	assert_int_equal(strlen(res.blobs[0]->name), strlen("file_XXXXXX"));
	assert_memory_equal(res.blobs[0]->name, "file_", 5);
	assert_int_equal(vaccel_resource_release(&res), VACCEL_OK);

	/* errors */
	struct vaccel_resource *pres = NULL;
	assert_int_equal(vaccel_resource_init_from_buf(NULL, content, 3,
						       VACCEL_RESOURCE_MODEL,
						       "x", false),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_resource_init_from_buf(&res, NULL, 3,
						       VACCEL_RESOURCE_MODEL,
						       "x", false),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_resource_init_from_buf(&res, content, 0,
						       VACCEL_RESOURCE_MODEL,
						       "x", true),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_resource_init_from_buf(&res, content, 3,
						       VACCEL_RESOURCE_MAX, "x",
						       false),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_resource_init_from_buf(&res, content, 3,
						       VACCEL_RESOURCE_MODEL,
						       "../escape", false),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_resource_from_buf(NULL, content, 3,
						  VACCEL_RESOURCE_MODEL, "x",
						  false),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_resource_from_buf(&pres, content, 3,
						  VACCEL_RESOURCE_MODEL, "a/b",
						  false),
			 VACCEL_EINVAL);
	assert_null(pres);
	/* failures left nothing behind */
	struct vaccel_resource **all = NULL;
	size_t nr = 0;
	assert_int_equal(vaccel_resource_get_all_by_type(&all, &nr,
							 VACCEL_RESOURCE_MODEL),
			 VACCEL_ENOENT);
}

static void test_from_blobs(void **state)
{
	struct env *e = *state;
	struct vaccel_blob file_blob, buf_blob, *mapped_blob;
	uint8_t mem[3] = {1, 2, 3};
	char out[PATH_MAX + 64];

	snprintf(out, sizeof(out), "%s/out", e->root);
	assert_int_equal(mkdir(out, 0700), 0);
	assert_int_equal(vaccel_blob_init(&file_blob, e->file), VACCEL_OK);
	assert_int_equal(vaccel_blob_init_from_buf(&buf_blob, mem, 3, false,
						   "mem.bin", NULL, false),
			 VACCEL_OK);
	assert_int_equal(vaccel_blob_from_buf(&mapped_blob,
					      (const uint8_t *)"mapped", 6,
					      false, "m.bin", out, false),
			 VACCEL_OK);
	const struct vaccel_blob *blobs[] = {&file_blob, &buf_blob,
					     mapped_blob};

	struct vaccel_resource *res = NULL;
	assert_int_equal(vaccel_resource_from_blobs(&res, blobs, 3,
						    VACCEL_RESOURCE_DATA),
			 VACCEL_OK);
	assert_int_equal(res->nr_blobs, 3);
	assert_int_equal(res->type, VACCEL_RESOURCE_DATA);
	/* FILE: recreated by path */
	assert_int_equal(res->blobs[0]->type, VACCEL_BLOB_FILE);
	assert_ptr_not_equal(res->blobs[0], &file_blob);
	assert_string_equal(res->blobs[0]->path, e->file);
	assert_string_equal(res->blobs[0]->name, "model.bin");
	/* BUFFER: in memory */
	assert_int_equal(res->blobs[1]->type, VACCEL_BLOB_BUFFER);
	assert_memory_equal(res->blobs[1]->data, mem, 3);
	assert_string_equal(res->blobs[1]->name, "mem.bin");
	/* MAPPED: persisted into the resource rundir */
	assert_int_equal(res->blobs[2]->type, VACCEL_BLOB_MAPPED);
	assert_non_null(res->rundir);
	assert_memory_equal(res->blobs[2]->path, res->rundir,
			    strlen(res->rundir));
	assert_string_equal(res->blobs[2]->name, "m.bin");
	assert_memory_equal(res->blobs[2]->data, "mapped", 6);
	assert_ptr_not_equal(res->blobs[2]->data, mapped_blob->data);
	assert_true(exists(res->blobs[2]->path));
	/* paths of the blobs that have one */
	assert_int_equal(res->nr_paths, 2);
	assert_string_equal(res->paths[0], e->file);
	assert_string_equal(res->paths[1], res->blobs[2]->path);

	char rundir[PATH_MAX];
	snprintf(rundir, sizeof(rundir), "%s", res->rundir);
	assert_int_equal(vaccel_resource_delete(res), VACCEL_OK);
	assert_false(exists(rundir));
	/* the sources are untouched */
	assert_true(exists(e->file));
	assert_true(exists(mapped_blob->path));
	assert_true(vaccel_blob_valid(mapped_blob));

	/* invalid blobs */
	struct vaccel_resource r;
	struct vaccel_blob bad;
	memset(&bad, 0, sizeof(bad));
	const struct vaccel_blob *with_bad[] = {&file_blob, &bad};
	const struct vaccel_blob *with_null[] = {&file_blob, NULL};
	assert_int_equal(vaccel_resource_init_from_blobs(&r, with_bad, 2,
							 VACCEL_RESOURCE_DATA),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_resource_init_from_blobs(&r, with_null, 2,
							 VACCEL_RESOURCE_DATA),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_resource_init_from_blobs(&r, blobs, 0,
							 VACCEL_RESOURCE_DATA),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_resource_init_from_blobs(NULL, blobs, 3,
							 VACCEL_RESOURCE_DATA),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_resource_init_from_blobs(&r, blobs, 3,
							 VACCEL_RESOURCE_MAX),
			 VACCEL_EINVAL);
	res = NULL;
	assert_int_equal(vaccel_resource_from_blobs(&res, with_bad, 2,
						    VACCEL_RESOURCE_DATA),
			 VACCEL_EINVAL);
	assert_null(res);
	assert_int_equal(vaccel_resource_from_blobs(NULL, blobs, 3,
						    VACCEL_RESOURCE_DATA),
			 VACCEL_EINVAL);

	vaccel_blob_release(&file_blob);
	vaccel_blob_release(&buf_blob);
	vaccel_blob_delete(mapped_blob);
}

/* ---- lookups ------------------------------------------------------------- */

static void test_lookups(void **state)
{
	struct env *e = *state;
	struct vaccel_resource a, b, c, *found = NULL, **all = NULL;
	size_t nr = 99;

	assert_int_equal(
		vaccel_resource_get_by_type(&found, VACCEL_RESOURCE_MODEL),
		VACCEL_ENOENT);
	assert_int_equal(vaccel_resource_get_all_by_type(&all, &nr,
							 VACCEL_RESOURCE_MODEL),
			 VACCEL_ENOENT);
	assert_null(all);
	assert_int_equal(nr, 0);

	assert_int_equal(
		vaccel_resource_init(&a, e->file, VACCEL_RESOURCE_MODEL),
		VACCEL_OK);
	assert_int_equal(
		vaccel_resource_init(&b, e->file2, VACCEL_RESOURCE_DATA),
		VACCEL_OK);
	assert_int_equal(
		vaccel_resource_init(&c, e->file2, VACCEL_RESOURCE_MODEL),
		VACCEL_OK);

	assert_int_equal(
		vaccel_resource_get_by_type(&found, VACCEL_RESOURCE_MODEL),
		VACCEL_OK);
	assert_ptr_equal(found, &a); /* first created */
	assert_int_equal(
		vaccel_resource_get_by_type(&found, VACCEL_RESOURCE_DATA),
		VACCEL_OK);
	assert_ptr_equal(found, &b);
	assert_int_equal(
		vaccel_resource_get_by_type(&found, VACCEL_RESOURCE_LIB),
		VACCEL_ENOENT);

	assert_int_equal(vaccel_resource_get_all_by_type(&all, &nr,
							 VACCEL_RESOURCE_MODEL),
			 VACCEL_OK);
	assert_int_equal(nr, 2);
	assert_ptr_equal(all[0], &a);
	assert_ptr_equal(all[1], &c);
	free(all);

	assert_int_equal(vaccel_resource_get_by_id(&found, b.id), VACCEL_OK);
	assert_ptr_equal(found, &b);
	assert_int_equal(vaccel_resource_get_by_id(&found, 0), VACCEL_ENOENT);
	assert_int_equal(vaccel_resource_get_by_id(&found, 4096),
			 VACCEL_ENOENT);

	assert_int_equal(vaccel_resource_release(&a), VACCEL_OK);
	assert_int_equal(
		vaccel_resource_get_by_type(&found, VACCEL_RESOURCE_MODEL),
		VACCEL_OK);
	assert_ptr_equal(found, &c);
	assert_int_equal(vaccel_resource_release(&b), VACCEL_OK);
	assert_int_equal(vaccel_resource_release(&c), VACCEL_OK);
}

static void test_directory(void **state)
{
	struct env *e = *state;
	struct vaccel_resource res, fres;
	char out[PATH_MAX], small[4], *alloc = NULL;

	assert_int_equal(
		vaccel_resource_init(&res, e->dir, VACCEL_RESOURCE_MODEL),
		VACCEL_OK);
	assert_int_equal(
		vaccel_resource_directory(&res, out, sizeof(out), NULL),
		VACCEL_OK);
	assert_string_equal(out, e->dir);
	assert_int_equal(vaccel_resource_directory(&res, NULL, 0, &alloc),
			 VACCEL_OK);
	assert_string_equal(alloc, e->dir);
	free(alloc);
	assert_int_equal(
		vaccel_resource_directory(&res, small, sizeof(small), NULL),
		VACCEL_ENAMETOOLONG);
	assert_int_equal(vaccel_resource_directory(&res, NULL, 0, NULL),
			 VACCEL_EINVAL);
	assert_int_equal(
		vaccel_resource_directory(NULL, out, sizeof(out), NULL),
		VACCEL_EINVAL);
	assert_int_equal(vaccel_resource_release(&res), VACCEL_OK);

	/* file:// is stripped */
	char p[PATH_MAX + 64];
	snprintf(p, sizeof(p), "file://%s", e->dir);
	assert_int_equal(vaccel_resource_init(&res, p, VACCEL_RESOURCE_MODEL),
			 VACCEL_OK);
	assert_int_equal(
		vaccel_resource_directory(&res, out, sizeof(out), NULL),
		VACCEL_OK);
	assert_string_equal(out, e->dir);
	assert_int_equal(vaccel_resource_release(&res), VACCEL_OK);

	/* only directories */
	assert_int_equal(
		vaccel_resource_init(&fres, e->file, VACCEL_RESOURCE_MODEL),
		VACCEL_OK);
	assert_int_equal(
		vaccel_resource_directory(&fres, out, sizeof(out), NULL),
		VACCEL_ENOTSUP);
	assert_int_equal(vaccel_resource_release(&fres), VACCEL_OK);
}

/* ---- registration -------------------------------------------------------- */

static void test_register_local(void **state)
{
	struct env *e = *state;
	struct vaccel_session s1, s2;
	struct vaccel_resource res, *found = NULL;

	assert_int_equal(vaccel_session_init(&s1, 0), VACCEL_OK);
	assert_int_equal(vaccel_session_init(&s2, 0), VACCEL_OK);
	assert_false(s1.is_virtio);
	assert_int_equal(
		vaccel_resource_init(&res, e->file, VACCEL_RESOURCE_MODEL),
		VACCEL_OK);

	assert_int_equal(vaccel_resource_register(&res, &s1), VACCEL_OK);
	assert_int_equal(vaccel_resource_refcount(&res), 1);
	/* local: a FILE blob referencing the user's file, nothing read */
	assert_int_equal(res.nr_blobs, 1);
	assert_int_equal(res.blobs[0]->type, VACCEL_BLOB_FILE);
	assert_string_equal(res.blobs[0]->path, e->file);
	assert_null(res.blobs[0]->data);
	assert_null(res.rundir);
	assert_true(vaccel_session_has_resource(&s1, &res));
	assert_false(vaccel_session_has_resource(&s2, &res));
	assert_int_equal(s1.resource_counts[VACCEL_RESOURCE_MODEL], 1);
	assert_int_equal(vaccel_session_resource_by_type(&s1, &found,
							 VACCEL_RESOURCE_MODEL),
			 VACCEL_OK);
	assert_ptr_equal(found, &res);
	assert_int_equal(vaccel_session_resource_by_id(&s1, &found, res.id),
			 VACCEL_OK);
	assert_ptr_equal(found, &res);

	/* duplicate: a warning, nothing changes */
	assert_int_equal(vaccel_resource_register(&res, &s1), VACCEL_OK);
	assert_int_equal(vaccel_resource_refcount(&res), 1);
	assert_int_equal(s1.resource_counts[VACCEL_RESOURCE_MODEL], 1);

	/* two sessions */
	assert_int_equal(vaccel_resource_register(&res, &s2), VACCEL_OK);
	assert_int_equal(vaccel_resource_refcount(&res), 2);
	assert_int_equal(res.nr_blobs, 1); /* blobs made once */
	assert_true(vaccel_session_has_resource(&s2, &res));

	assert_int_equal(vaccel_resource_unregister(&res, &s1), VACCEL_OK);
	assert_int_equal(vaccel_resource_refcount(&res), 1);
	assert_false(vaccel_session_has_resource(&s1, &res));
	assert_int_equal(s1.resource_counts[VACCEL_RESOURCE_MODEL], 0);
	assert_int_equal(vaccel_session_resource_by_type(&s1, &found,
							 VACCEL_RESOURCE_MODEL),
			 VACCEL_ENOENT);
	/* not registered any more */
	assert_int_equal(vaccel_resource_unregister(&res, &s1), VACCEL_EINVAL);

	/* release unregisters from every session */
	assert_int_equal(vaccel_resource_release(&res), VACCEL_OK);
	assert_false(vaccel_session_has_resource(&s2, &res));
	assert_int_equal(s2.resource_counts[VACCEL_RESOURCE_MODEL], 0);
	assert_int_equal(vaccel_session_resource_by_type(&s2, &found,
							 VACCEL_RESOURCE_MODEL),
			 VACCEL_ENOENT);

	assert_int_equal(vaccel_session_release(&s1), VACCEL_OK);
	assert_int_equal(vaccel_session_release(&s2), VACCEL_OK);
}

static void test_register_args(void **state)
{
	struct env *e = *state;
	struct vaccel_session s;
	struct vaccel_resource res, zero;

	memset(&zero, 0, sizeof(zero));
	assert_int_equal(vaccel_session_init(&s, 0), VACCEL_OK);
	assert_int_equal(
		vaccel_resource_init(&res, e->file, VACCEL_RESOURCE_MODEL),
		VACCEL_OK);
	assert_int_equal(vaccel_resource_register(NULL, &s), VACCEL_EINVAL);
	assert_int_equal(vaccel_resource_register(&res, NULL), VACCEL_EINVAL);
	assert_int_equal(vaccel_resource_register(&zero, &s), VACCEL_EINVAL);
	assert_int_equal(vaccel_resource_unregister(NULL, &s), VACCEL_EINVAL);
	assert_int_equal(vaccel_resource_unregister(&res, NULL), VACCEL_EINVAL);
	assert_int_equal(vaccel_resource_unregister(&res, &s), VACCEL_EINVAL);
	assert_int_equal(vaccel_resource_sync(NULL, &s), VACCEL_EINVAL);
	assert_int_equal(vaccel_resource_sync(&res, NULL), VACCEL_EINVAL);
	assert_int_equal(vaccel_resource_refcount(&res), 0);

	/* a released session */
	struct vaccel_session gone;
	assert_int_equal(vaccel_session_init(&gone, 0), VACCEL_OK);
	assert_int_equal(vaccel_session_release(&gone), VACCEL_OK);
	assert_int_equal(vaccel_resource_register(&res, &gone), VACCEL_EINVAL);

	assert_int_equal(vaccel_resource_release(&res), VACCEL_OK);
	assert_int_equal(vaccel_session_release(&s), VACCEL_OK);
}

static void test_register_directory_local(void **state)
{
	struct env *e = *state;
	struct vaccel_session s;
	struct vaccel_resource res;
	char p[PATH_MAX + 64];

	assert_int_equal(vaccel_session_init(&s, 0), VACCEL_OK);
	assert_int_equal(
		vaccel_resource_init(&res, e->dir, VACCEL_RESOURCE_MODEL),
		VACCEL_OK);
	assert_int_equal(vaccel_resource_register(&res, &s), VACCEL_OK);
	/* one FILE blob per file, recursively, sorted walk */
	assert_int_equal(res.nr_blobs, 3);
	const char *rel[] = {"a.txt", "sub/b.txt", "sub/c/d.txt"};
	const char *names[] = {"a.txt", "b.txt", "d.txt"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s", e->dir, rel[i]);
		assert_int_equal(res.blobs[i]->type, VACCEL_BLOB_FILE);
		assert_string_equal(res.blobs[i]->path, p);
		assert_string_equal(res.blobs[i]->name, names[i]);
	}
	assert_int_equal(vaccel_resource_release(&res), VACCEL_OK);
	assert_int_equal(vaccel_session_release(&s), VACCEL_OK);
	/* the user's tree is untouched */
	snprintf(p, sizeof(p), "%s/sub/c/d.txt", e->dir);
	assert_true(exists(p));
}

static void test_register_remote(void **state)
{
	struct env *e = *state;
	struct vaccel_session local, remote;
	struct vaccel_resource res, dres;
	struct fixture_counters *c = virtio_counters();

	assert_int_equal(vaccel_session_init(&local, 0), VACCEL_OK);
	assert_int_equal(vaccel_session_init(&remote, VACCEL_PLUGIN_REMOTE),
			 VACCEL_OK);
	assert_true(remote.is_virtio);

	/* local first (FILE), then remote reads it (MAPPED) */
	assert_int_equal(
		vaccel_resource_init(&res, e->file, VACCEL_RESOURCE_MODEL),
		VACCEL_OK);
	assert_int_equal(vaccel_resource_register(&res, &local), VACCEL_OK);
	assert_int_equal(res.blobs[0]->type, VACCEL_BLOB_FILE);
	int before = c->resource_register;
	assert_int_equal(vaccel_resource_register(&res, &remote), VACCEL_OK);
	assert_int_equal(c->resource_register, before + 1);
	assert_int_equal(res.remote_id, 5000 + res.id);
	assert_int_equal(res.blobs[0]->type, VACCEL_BLOB_MAPPED);
	assert_int_equal(res.blobs[0]->size, sizeof(content) - 1);
	assert_memory_equal(res.blobs[0]->data, content, sizeof(content) - 1);
	assert_string_equal(res.blobs[0]->path, e->file); /* still usable */
	assert_int_equal(vaccel_resource_refcount(&res), 2);

	/* duplicate: the hook is not called again */
	assert_int_equal(vaccel_resource_register(&res, &remote), VACCEL_OK);
	assert_int_equal(c->resource_register, before + 1);
	assert_int_equal(vaccel_resource_refcount(&res), 2);

	int unreg = c->resource_unregister;
	assert_int_equal(vaccel_resource_unregister(&res, &remote), VACCEL_OK);
	assert_int_equal(c->resource_unregister, unreg + 1);
	assert_int_equal(vaccel_resource_refcount(&res), 1);

	/* a directory, remote only: every file read into memory */
	assert_int_equal(
		vaccel_resource_init(&dres, e->dir, VACCEL_RESOURCE_DATA),
		VACCEL_OK);
	assert_int_equal(vaccel_resource_register(&dres, &remote), VACCEL_OK);
	assert_int_equal(dres.nr_blobs, 3);
	const char *names[] = {"a.txt", "b.txt", "d.txt"};
	const char *data[] = {"A", "BB", "DDD"};
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(dres.blobs[i]->type, VACCEL_BLOB_MAPPED);
		assert_string_equal(dres.blobs[i]->name, names[i]);
		assert_int_equal(dres.blobs[i]->size, strlen(data[i]));
		assert_memory_equal(dres.blobs[i]->data, data[i],
				    strlen(data[i]));
	}
	assert_int_equal(dres.remote_id, 5000 + dres.id);

	/* session release unregisters its resources (through the hook) */
	unreg = c->resource_unregister;
	assert_int_equal(vaccel_session_release(&remote), VACCEL_OK);
	assert_int_equal(c->resource_unregister, unreg + 1);
	assert_int_equal(vaccel_resource_refcount(&dres), 0);
	assert_int_equal(vaccel_resource_release(&dres), VACCEL_OK);

	assert_int_equal(vaccel_resource_release(&res), VACCEL_OK);
	assert_int_equal(vaccel_session_release(&local), VACCEL_OK);
}

static void test_register_url(void **state)
{
	(void)state;
	struct vaccel_session local, remote;
	struct vaccel_resource res;
	struct vaccel_config cfg;
	char log[256], list[2 * PATH_MAX + 2];

	/* re-bootstrap logging to a file to count error lines */
	temp_log(log, sizeof(log));
	snprintf(list, sizeof(list), "%s:%s", noop_path(),
		 fixture("fix-virtio"));
	assert_int_equal(vaccel_config_init(&cfg, list, VACCEL_LOG_ERROR, log,
					    false, false),
			 VACCEL_OK);
	assert_int_equal(vaccel_bootstrap_with_config(&cfg), VACCEL_OK);
	vaccel_config_release(&cfg);

	assert_int_equal(vaccel_session_init(&local, 0), VACCEL_OK);
	assert_int_equal(vaccel_session_init(&remote, VACCEL_PLUGIN_REMOTE),
			 VACCEL_OK);
	assert_int_equal(vaccel_resource_init(&res, "http://example.com/m.pt",
					      VACCEL_RESOURCE_MODEL),
			 VACCEL_OK);
	assert_int_equal(res.path_type, VACCEL_PATH_REMOTE_FILE);

	/* local: would need a download, no libcurl: one clear error line */
	int lines = count_lines(log, "<error>");
	assert_int_equal(vaccel_resource_register(&res, &local),
			 VACCEL_ENOTSUP);
	assert_int_equal(count_lines(log, "<error>"), lines + 1);
	assert_int_equal(count_lines(log, "libcurl"), 1);
	assert_int_equal(vaccel_resource_refcount(&res), 0);
	assert_false(vaccel_session_has_resource(&local, &res));

	/* remote: forwarded for the host to download */
	assert_int_equal(vaccel_resource_register(&res, &remote), VACCEL_OK);
	assert_int_equal(res.nr_blobs, 0);
	assert_true(res.remote_id > 0);
	assert_int_equal(vaccel_resource_refcount(&res), 1);

	assert_int_equal(vaccel_resource_release(&res), VACCEL_OK);
	assert_int_equal(vaccel_session_release(&remote), VACCEL_OK);
	assert_int_equal(vaccel_session_release(&local), VACCEL_OK);
	vaccel_cleanup();
	unlink(log);
	assert_int_equal(boot_plugins(), VACCEL_OK);
}

static void test_sync(void **state)
{
	struct env *e = *state;
	struct vaccel_session local, remote;
	struct vaccel_resource bres, fres;
	struct fixture_counters *c = virtio_counters();
	uint8_t buf[8] = {0};

	assert_int_equal(vaccel_session_init(&local, 0), VACCEL_OK);
	assert_int_equal(vaccel_session_init(&remote, VACCEL_PLUGIN_REMOTE),
			 VACCEL_OK);
	assert_int_equal(vaccel_resource_init_from_buf(&bres, buf, sizeof(buf),
						       VACCEL_RESOURCE_DATA,
						       "out.bin", true),
			 VACCEL_OK);
	assert_int_equal(
		vaccel_resource_init(&fres, e->file, VACCEL_RESOURCE_DATA),
		VACCEL_OK);

	/* not registered */
	assert_int_equal(vaccel_resource_sync(&bres, &local), VACCEL_EPERM);
	assert_int_equal(vaccel_resource_register(&bres, &local), VACCEL_OK);
	/* local: nothing to copy back */
	assert_int_equal(vaccel_resource_sync(&bres, &local), VACCEL_OK);

	assert_int_equal(vaccel_resource_register(&bres, &remote), VACCEL_OK);
	/* a BUFFER blob stays BUFFER for remote sessions */
	assert_int_equal(bres.blobs[0]->type, VACCEL_BLOB_BUFFER);
	int n = c->resource_sync;
	assert_int_equal(vaccel_resource_sync(&bres, &remote), VACCEL_OK);
	assert_int_equal(c->resource_sync, n + 1);

	/* only buffer resources */
	assert_int_equal(vaccel_resource_register(&fres, &local), VACCEL_OK);
	assert_int_equal(vaccel_resource_sync(&fres, &local), VACCEL_EINVAL);

	assert_int_equal(vaccel_resource_release(&bres), VACCEL_OK);
	assert_int_equal(vaccel_resource_release(&fres), VACCEL_OK);
	assert_int_equal(vaccel_session_release(&remote), VACCEL_OK);
	assert_int_equal(vaccel_session_release(&local), VACCEL_OK);
}

/* A stand-in plugin with misbehaving hooks, swapped into a live session. */
static int fake_register_ret;
static bool fake_register_sets_id;
static int fake_unregister_ret;
static int fake_register_calls, fake_unregister_calls;

static int fake_register(struct vaccel_resource *res,
			 struct vaccel_session *sess)
{
	(void)sess;
	fake_register_calls++;
	if (fake_register_sets_id)
		res->remote_id = 77;
	return fake_register_ret;
}

static int fake_unregister(struct vaccel_resource *res,
			   struct vaccel_session *sess)
{
	(void)res;
	(void)sess;
	fake_unregister_calls++;
	return fake_unregister_ret;
}

static struct vaccel_plugin_info fake_info = {
	.name = "fake",
	.is_virtio = true,
};
static struct vaccel_plugin fake_plugin = {.info = &fake_info};

static void test_plugin_hook_failures(void **state)
{
	struct env *e = *state;
	struct vaccel_session s;
	struct vaccel_resource res;

	assert_int_equal(vaccel_session_init(&s, 0), VACCEL_OK);
	struct vaccel_plugin *real = s.plugin;
	assert_int_equal(
		vaccel_resource_init(&res, e->file, VACCEL_RESOURCE_MODEL),
		VACCEL_OK);
	s.plugin = &fake_plugin;
	s.is_virtio = true;
	fake_register_calls = fake_unregister_calls = 0;

	/* remote session without a register hook */
	fake_info.resource_register = NULL;
	assert_int_equal(vaccel_resource_register(&res, &s), VACCEL_ENOTSUP);
	assert_int_equal(vaccel_resource_refcount(&res), 0);

	/* hook succeeds but sets no remote id: a failure */
	fake_info.resource_register = fake_register;
	fake_register_ret = VACCEL_OK;
	fake_register_sets_id = false;
	assert_int_equal(vaccel_resource_register(&res, &s), VACCEL_EBACKEND);
	assert_int_equal(vaccel_resource_refcount(&res), 0);
	assert_false(vaccel_session_has_resource(&s, &res));
	assert_int_equal(res.remote_id, 0);

	/* hook error: returned as is; a negative one becomes EBACKEND */
	fake_register_ret = VACCEL_EIO;
	assert_int_equal(vaccel_resource_register(&res, &s), VACCEL_EIO);
	fake_register_ret = -1;
	assert_int_equal(vaccel_resource_register(&res, &s), VACCEL_EBACKEND);
	assert_int_equal(vaccel_resource_refcount(&res), 0);

	/* works */
	fake_register_ret = VACCEL_OK;
	fake_register_sets_id = true;
	assert_int_equal(vaccel_resource_register(&res, &s), VACCEL_OK);
	assert_int_equal(res.remote_id, 77);
	assert_int_equal(fake_register_calls, 4);
	assert_int_equal(vaccel_resource_refcount(&res), 1);

	/* unregister hook fails: the registration is kept for a retry */
	fake_info.resource_unregister = fake_unregister;
	fake_unregister_ret = VACCEL_EIO;
	assert_int_equal(vaccel_resource_unregister(&res, &s), VACCEL_EIO);
	assert_int_equal(fake_unregister_calls, 1);
	assert_true(vaccel_session_has_resource(&s, &res));
	assert_int_equal(vaccel_resource_refcount(&res), 1);

	/* release cannot keep it: forced (hook called, failure logged) */
	assert_int_equal(vaccel_resource_release(&res), VACCEL_OK);
	assert_int_equal(fake_unregister_calls, 2);
	assert_false(vaccel_session_has_resource(&s, &res));
	assert_int_equal(s.resource_counts[VACCEL_RESOURCE_MODEL], 0);

	/* unregister hook succeeds */
	assert_int_equal(
		vaccel_resource_init(&res, e->file, VACCEL_RESOURCE_MODEL),
		VACCEL_OK);
	assert_int_equal(vaccel_resource_register(&res, &s), VACCEL_OK);
	fake_unregister_ret = VACCEL_OK;
	assert_int_equal(vaccel_resource_unregister(&res, &s), VACCEL_OK);
	assert_int_equal(fake_unregister_calls, 3);
	assert_false(vaccel_session_has_resource(&s, &res));

	/* a remote session without a sync hook */
	uint8_t buf[2] = {0};
	struct vaccel_resource bres;
	assert_int_equal(vaccel_resource_init_from_buf(&bres, buf, 2,
						       VACCEL_RESOURCE_DATA,
						       "b", true),
			 VACCEL_OK);
	assert_int_equal(vaccel_resource_register(&bres, &s), VACCEL_OK);
	assert_int_equal(vaccel_resource_sync(&bres, &s), VACCEL_ENOTSUP);
	assert_int_equal(vaccel_resource_unregister(&bres, &s), VACCEL_OK);
	assert_int_equal(vaccel_resource_release(&bres), VACCEL_OK);

	/* a local plugin's failing register hook */
	s.is_virtio = false;
	fake_register_ret = VACCEL_EINVAL;
	assert_int_equal(vaccel_resource_register(&res, &s), VACCEL_EINVAL);
	assert_int_equal(vaccel_resource_refcount(&res), 0);

	fake_info.resource_register = NULL;
	fake_info.resource_unregister = NULL;
	s.plugin = real;
	assert_int_equal(vaccel_resource_release(&res), VACCEL_OK);
	assert_int_equal(vaccel_session_release(&s), VACCEL_OK);
}

/* ---- lifecycle ----------------------------------------------------------- */

static void test_not_bootstrapped(void **state)
{
	struct env *e = *state;
	struct vaccel_resource res, *pres = NULL, **all = NULL;
	struct vaccel_session sess;
	size_t nr;
	const char *paths[] = {e->file};
	const struct vaccel_blob *blobs[1];
	struct vaccel_blob b;

	assert_int_equal(vaccel_blob_init(&b, e->file), VACCEL_OK);
	blobs[0] = &b;
	assert_int_equal(vaccel_cleanup(), VACCEL_OK);

	memset(&res, 0, sizeof(res));
	memset(&sess, 0, sizeof(sess));
	assert_int_equal(
		vaccel_resource_init(&res, e->file, VACCEL_RESOURCE_MODEL),
		VACCEL_EPERM);
	assert_int_equal(vaccel_resource_init_multi(&res, paths, 1,
						    VACCEL_RESOURCE_MODEL),
			 VACCEL_EPERM);
	assert_int_equal(vaccel_resource_init_from_buf(&res, content, 3,
						       VACCEL_RESOURCE_MODEL,
						       "x", true),
			 VACCEL_EPERM);
	assert_int_equal(vaccel_resource_init_from_blobs(&res, blobs, 1,
							 VACCEL_RESOURCE_MODEL),
			 VACCEL_EPERM);
	assert_int_equal(
		vaccel_resource_new(&pres, e->file, VACCEL_RESOURCE_MODEL),
		VACCEL_EPERM);
	assert_null(pres);
	assert_int_equal(vaccel_resource_from_buf(&pres, content, 3,
						  VACCEL_RESOURCE_MODEL, "x",
						  false),
			 VACCEL_EPERM);
	assert_int_equal(vaccel_resource_register(&res, &sess), VACCEL_EPERM);
	assert_int_equal(vaccel_resource_unregister(&res, &sess), VACCEL_EPERM);
	assert_int_equal(vaccel_resource_sync(&res, &sess), VACCEL_EPERM);
	assert_int_equal(vaccel_resource_release(&res), VACCEL_EPERM);
	assert_int_equal(vaccel_resource_get_by_id(&pres, 1), VACCEL_EPERM);
	assert_int_equal(
		vaccel_resource_get_by_type(&pres, VACCEL_RESOURCE_MODEL),
		VACCEL_EPERM);
	assert_int_equal(vaccel_resource_get_all_by_type(&all, &nr,
							 VACCEL_RESOURCE_MODEL),
			 VACCEL_EPERM);
	assert_int_equal(vaccel_resource_refcount(&res), 0);
	vaccel_blob_release(&b);

	assert_int_equal(boot_plugins(), VACCEL_OK);
}

static void test_cleanup_releases(void **state)
{
	struct env *e = *state;
	struct vaccel_resource *heap = NULL, stack, *buf = NULL;
	struct vaccel_session s;
	char rundir[PATH_MAX];

	assert_int_equal(vaccel_session_init(&s, 0), VACCEL_OK);
	assert_int_equal(
		vaccel_resource_new(&heap, e->file, VACCEL_RESOURCE_MODEL),
		VACCEL_OK);
	assert_int_equal(
		vaccel_resource_init(&stack, e->dir, VACCEL_RESOURCE_DATA),
		VACCEL_OK);
	assert_int_equal(vaccel_resource_from_buf(&buf, content, 4,
						  VACCEL_RESOURCE_DATA, "f",
						  false),
			 VACCEL_OK);
	snprintf(rundir, sizeof(rundir), "%s", buf->rundir);
	assert_int_equal(vaccel_resource_register(heap, &s), VACCEL_OK);
	assert_int_equal(vaccel_resource_register(&stack, &s), VACCEL_OK);

	assert_int_equal(vaccel_cleanup(), VACCEL_OK);
	assert_int_equal(heap->id, 0);
	assert_int_equal(stack.id, 0);
	assert_int_equal(buf->id, 0);
	assert_int_equal(vaccel_resource_refcount(heap), 0);
	assert_false(exists(rundir));
	/* a released heap resource can still be deleted (memory only) */
	assert_int_equal(vaccel_resource_delete(heap), VACCEL_OK);
	assert_int_equal(vaccel_resource_delete(buf), VACCEL_OK);
	assert_true(exists(e->file));

	assert_int_equal(boot_plugins(), VACCEL_OK);
}

static void test_id_pool_exhaustion(void **state)
{
	(void)state;
	enum { MAX = 2048 };
	struct vaccel_resource **all = calloc(MAX, sizeof(*all));
	struct vaccel_resource extra;
	uint8_t byte = 1;

	assert_non_null(all);
	for (size_t i = 0; i < MAX; i++) {
		assert_int_equal(vaccel_resource_from_buf(&all[i], &byte, 1,
							  VACCEL_RESOURCE_DATA,
							  "b", true),
				 VACCEL_OK);
		assert_int_equal(all[i]->id, (vaccel_id_t)i + 1);
	}
	assert_int_equal(vaccel_resource_init_from_buf(&extra, &byte, 1,
						       VACCEL_RESOURCE_DATA,
						       "b", true),
			 VACCEL_EUSERS);
	/* an id comes back on release */
	vaccel_id_t id = all[100]->id;
	assert_int_equal(vaccel_resource_delete(all[100]), VACCEL_OK);
	assert_int_equal(vaccel_resource_from_buf(&all[100], &byte, 1,
						  VACCEL_RESOURCE_DATA, "b",
						  true),
			 VACCEL_OK);
	assert_int_equal(all[100]->id, id);
	for (size_t i = 0; i < MAX; i++)
		assert_int_equal(vaccel_resource_delete(all[i]), VACCEL_OK);
	free(all);
}

/* ---- threads ------------------------------------------------------------- */

#define NR_THREADS 8
#define NR_ITERS   40

struct thread_arg {
	struct env *e;
	struct vaccel_session *shared;
	struct vaccel_session *remote;
	int failures;
};

static void *worker(void *p)
{
	struct thread_arg *a = p;
	struct vaccel_session own;
	uint8_t buf[32];

	memset(buf, 0x42, sizeof(buf));
	if (vaccel_session_init(&own, 0) != VACCEL_OK) {
		a->failures++;
		return NULL;
	}
	for (int i = 0; i < NR_ITERS; i++) {
		struct vaccel_resource *r = NULL, *f = NULL, **all = NULL;
		size_t nr = 0;
		int bad = 0;

		bad |= vaccel_resource_from_buf(&r, buf, sizeof(buf),
						VACCEL_RESOURCE_DATA, "t.bin",
						i % 2) != VACCEL_OK;
		bad |= vaccel_resource_new(&f, a->e->file,
					   VACCEL_RESOURCE_MODEL) != VACCEL_OK;
		if (bad) {
			a->failures++;
			break;
		}
		bad |= vaccel_resource_register(r, a->shared) != VACCEL_OK;
		bad |= vaccel_resource_register(r, &own) != VACCEL_OK;
		bad |= vaccel_resource_register(f, a->shared) != VACCEL_OK;
		bad |= vaccel_resource_register(f, a->remote) != VACCEL_OK;
		bad |= vaccel_resource_refcount(r) != 2;
		bad |= vaccel_resource_refcount(f) != 2;
		bad |= !vaccel_session_has_resource(a->shared, r);
		bad |= !vaccel_session_has_resource(&own, r);
		bad |= f->blobs[0]->type != VACCEL_BLOB_MAPPED;
		if (vaccel_resource_get_all_by_type(
			    &all, &nr, VACCEL_RESOURCE_DATA) == VACCEL_OK) {
			bad |= nr < 1;
			free(all);
		} else {
			bad = 1;
		}
		bad |= vaccel_resource_unregister(r, &own) != VACCEL_OK;
		bad |= vaccel_resource_refcount(r) != 1;
		bad |= vaccel_resource_unregister(f, a->remote) != VACCEL_OK;
		/* release unregisters r from the shared session */
		bad |= vaccel_resource_delete(r) != VACCEL_OK;
		bad |= vaccel_resource_delete(f) != VACCEL_OK;
		if (bad)
			a->failures++;
	}
	if (vaccel_session_release(&own) != VACCEL_OK)
		a->failures++;
	return NULL;
}

static void test_threads(void **state)
{
	struct env *e = *state;
	struct vaccel_session shared, remote;
	pthread_t th[NR_THREADS];
	struct thread_arg args[NR_THREADS];
	struct vaccel_resource **all = NULL;
	size_t nr = 0;

	assert_int_equal(vaccel_session_init(&shared, 0), VACCEL_OK);
	assert_int_equal(vaccel_session_init(&remote, VACCEL_PLUGIN_REMOTE),
			 VACCEL_OK);
	for (int i = 0; i < NR_THREADS; i++) {
		args[i] = (struct thread_arg){e, &shared, &remote, 0};
		assert_int_equal(pthread_create(&th[i], NULL, worker, &args[i]),
				 0);
	}
	for (int i = 0; i < NR_THREADS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(args[i].failures, 0);
	}
	for (int t = 0; t < VACCEL_RESOURCE_MAX; t++) {
		assert_int_equal(shared.resource_counts[t], 0);
		assert_int_equal(remote.resource_counts[t], 0);
	}
	assert_int_equal(vaccel_resource_get_all_by_type(&all, &nr,
							 VACCEL_RESOURCE_DATA),
			 VACCEL_ENOENT);
	assert_int_equal(vaccel_session_release(&shared), VACCEL_OK);
	assert_int_equal(vaccel_session_release(&remote), VACCEL_OK);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_init_file),
		T(test_init_schemes),
		T(test_init_errors),
		T(test_init_multi),
		T(test_from_buf_mem_only),
		T(test_from_buf_persisted),
		T(test_from_blobs),
		T(test_lookups),
		T(test_directory),
		T(test_register_local),
		T(test_register_args),
		T(test_register_directory_local),
		T(test_register_remote),
		T(test_register_url),
		T(test_sync),
		T(test_plugin_hook_failures),
		T(test_not_bootstrapped),
		T(test_cleanup_releases),
		T(test_id_pool_exhaustion),
		T(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
