// SPDX-License-Identifier: Apache-2.0
/* Blobs: every function of vaccel/blob.h. */
#include "test_util.h"

#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <sys/stat.h>

struct dirs {
	char root[PATH_MAX];
	char file[PATH_MAX + 16];  /* root/data.bin, "0123456789" */
	char empty[PATH_MAX + 16]; /* root/empty.bin, 0 bytes */
	char out[PATH_MAX + 16];   /* root/out/ for persisted blobs */
};

static const char content[] = "0123456789";

static void write_file(const char *p, const void *data, size_t size)
{
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	if (size)
		assert_int_equal(fwrite(data, 1, size, f), size);
	fclose(f);
}

static size_t read_file(const char *p, char *buf, size_t size)
{
	FILE *f = fopen(p, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, size, f);
	fclose(f);
	return n;
}

static bool exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

static size_t count_entries(const char *dir)
{
	size_t n = 0;
	struct dirent **ents;
	int r = scandir(dir, &ents, NULL, NULL);
	assert_true(r >= 0);
	for (int i = 0; i < r; i++) {
		if (strcmp(ents[i]->d_name, ".") &&
		    strcmp(ents[i]->d_name, ".."))
			n++;
		free(ents[i]);
	}
	free(ents);
	return n;
}

static int rm_cb(const char *p, const struct stat *st, int flag,
		 struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	struct dirs *d = calloc(1, sizeof(*d));
	const char *tmp = getenv("TMPDIR");
	if (!d)
		return -1;
	snprintf(d->root, sizeof(d->root), "%s/vaccel-test-blob-XXXXXX",
		 tmp && tmp[0] ? tmp : P_tmpdir);
	if (!mkdtemp(d->root)) {
		free(d);
		return -1;
	}
	snprintf(d->file, sizeof(d->file), "%s/data.bin", d->root);
	snprintf(d->empty, sizeof(d->empty), "%s/empty.bin", d->root);
	snprintf(d->out, sizeof(d->out), "%s/out", d->root);
	write_file(d->file, content, sizeof(content) - 1);
	write_file(d->empty, NULL, 0);
	if (mkdir(d->out, 0700) != 0)
		return -1;
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	struct dirs *d = *state;
	nftw(d->root, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(d);
	return 0;
}

static void test_init_file(void **state)
{
	struct dirs *d = *state;
	struct vaccel_blob b;

	memset(&b, 0xa5, sizeof(b)); /* caller storage may be garbage */
	assert_int_equal(vaccel_blob_init(&b, d->file), VACCEL_OK);
	assert_int_equal(b.type, VACCEL_BLOB_FILE);
	assert_string_equal(b.name, "data.bin");
	assert_string_equal(b.path, d->file);
	assert_false(b.path_owned);
	assert_null(b.data);
	assert_false(b.data_owned);
	assert_int_equal(b.size, 0);
	assert_true(vaccel_blob_valid(&b));
	assert_string_equal(vaccel_blob_path(&b), d->file);

	assert_int_equal(vaccel_blob_release(&b), VACCEL_OK);
	assert_null(b.name);
	assert_null(b.path);
	assert_null(b.data);
	assert_false(vaccel_blob_valid(&b));
	/* the user's file is never removed */
	assert_true(exists(d->file));
}

static void test_init_errors(void **state)
{
	struct dirs *d = *state;
	struct vaccel_blob b;
	struct vaccel_blob *pb = NULL;
	char p[PATH_MAX + 32];

	assert_int_equal(vaccel_blob_init(NULL, d->file), VACCEL_EINVAL);
	assert_int_equal(vaccel_blob_init(&b, NULL), VACCEL_EINVAL);
	snprintf(p, sizeof(p), "%s/missing", d->root);
	assert_int_equal(vaccel_blob_init(&b, p), VACCEL_ENOENT);
	/* a directory is not a blob */
	assert_int_equal(vaccel_blob_init(&b, d->root), VACCEL_EINVAL);
	assert_int_equal(vaccel_blob_init(&b, "/dev/null"), VACCEL_EINVAL);

	assert_int_equal(vaccel_blob_new(NULL, d->file), VACCEL_EINVAL);
	assert_int_equal(vaccel_blob_new(&pb, p), VACCEL_ENOENT);
	assert_null(pb);
	assert_int_equal(vaccel_blob_release(NULL), VACCEL_EINVAL);
	assert_int_equal(vaccel_blob_delete(NULL), VACCEL_EINVAL);
	assert_int_equal(vaccel_blob_read(NULL), VACCEL_EINVAL);
	assert_false(vaccel_blob_valid(NULL));
	assert_null(vaccel_blob_data(NULL, NULL));
	assert_null(vaccel_blob_path(NULL));
}

static void test_new_delete(void **state)
{
	struct dirs *d = *state;
	struct vaccel_blob *b = NULL;

	assert_int_equal(vaccel_blob_new(&b, d->file), VACCEL_OK);
	assert_non_null(b);
	assert_int_equal(b->type, VACCEL_BLOB_FILE);
	assert_string_equal(b->name, "data.bin");
	assert_int_equal(vaccel_blob_delete(b), VACCEL_OK);
	assert_true(exists(d->file));
}

static void test_read_maps_file(void **state)
{
	struct dirs *d = *state;
	struct vaccel_blob b;
	char buf[32];

	assert_int_equal(vaccel_blob_init(&b, d->file), VACCEL_OK);
	assert_int_equal(vaccel_blob_read(&b), VACCEL_OK);
	assert_int_equal(b.type, VACCEL_BLOB_MAPPED);
	assert_true(b.data_owned); /* unmapped at release */
	assert_false(b.path_owned);
	assert_int_equal(b.size, sizeof(content) - 1);
	assert_memory_equal(b.data, content, b.size);
	assert_true(vaccel_blob_valid(&b));
	/* reading again is a no-op */
	uint8_t *data = b.data;
	assert_int_equal(vaccel_blob_read(&b), VACCEL_OK);
	assert_ptr_equal(b.data, data);
	/* private mapping: writes never reach the user's file */
	b.data[0] = 'X';
	assert_int_equal(read_file(d->file, buf, sizeof(buf)),
			 sizeof(content) - 1);
	assert_memory_equal(buf, content, sizeof(content) - 1);
	assert_string_equal(vaccel_blob_path(&b), d->file);
	assert_int_equal(vaccel_blob_release(&b), VACCEL_OK);
	assert_true(exists(d->file));
}

static void test_data_maps_on_demand(void **state)
{
	struct dirs *d = *state;
	struct vaccel_blob *b;
	size_t size = 0;

	assert_int_equal(vaccel_blob_new(&b, d->file), VACCEL_OK);
	uint8_t *data = vaccel_blob_data(b, &size);
	assert_non_null(data);
	assert_int_equal(size, sizeof(content) - 1);
	assert_memory_equal(data, content, size);
	assert_int_equal(b->type, VACCEL_BLOB_MAPPED);
	/* size pointer is optional */
	assert_ptr_equal(vaccel_blob_data(b, NULL), data);
	assert_int_equal(vaccel_blob_delete(b), VACCEL_OK);

	/* the file vanished before it was read */
	char p[PATH_MAX + 32];
	snprintf(p, sizeof(p), "%s/gone.bin", d->root);
	write_file(p, "x", 1);
	assert_int_equal(vaccel_blob_new(&b, p), VACCEL_OK);
	unlink(p);
	assert_null(vaccel_blob_data(b, &size));
	assert_int_equal(vaccel_blob_read(b), VACCEL_ENOENT);
	assert_int_equal(b->type, VACCEL_BLOB_FILE);
	assert_int_equal(vaccel_blob_delete(b), VACCEL_OK);
}

static void test_read_empty_file(void **state)
{
	struct dirs *d = *state;
	struct vaccel_blob b;
	size_t size = 99;

	assert_int_equal(vaccel_blob_init(&b, d->empty), VACCEL_OK);
	assert_int_equal(vaccel_blob_read(&b), VACCEL_OK);
	assert_int_equal(b.type, VACCEL_BLOB_MAPPED);
	assert_int_equal(b.size, 0);
	assert_null(vaccel_blob_data(&b, &size));
	assert_int_equal(size, 0);
	assert_true(vaccel_blob_valid(&b));
	assert_int_equal(vaccel_blob_release(&b), VACCEL_OK);
}

static void test_from_buf_owned_copy(void **state)
{
	(void)state;
	struct vaccel_blob b;
	uint8_t buf[4] = {1, 2, 3, 4};

	assert_int_equal(vaccel_blob_init_from_buf(&b, buf, sizeof(buf), true,
						   "w.bin", NULL, false),
			 VACCEL_OK);
	assert_int_equal(b.type, VACCEL_BLOB_BUFFER);
	assert_string_equal(b.name, "w.bin");
	assert_null(b.path);
	assert_null(vaccel_blob_path(&b));
	assert_true(b.data_owned);
	assert_ptr_not_equal(b.data, buf);
	assert_int_equal(b.size, sizeof(buf));
	assert_memory_equal(b.data, buf, sizeof(buf));
	buf[0] = 9; /* a copy: unaffected */
	assert_int_equal(b.data[0], 1);
	assert_true(vaccel_blob_valid(&b));
	/* already in memory */
	assert_int_equal(vaccel_blob_read(&b), VACCEL_OK);
	assert_int_equal(b.type, VACCEL_BLOB_BUFFER);
	size_t size = 0;
	assert_ptr_equal(vaccel_blob_data(&b, &size), b.data);
	assert_int_equal(size, sizeof(buf));
	assert_int_equal(vaccel_blob_release(&b), VACCEL_OK);
}

static void test_from_buf_borrowed(void **state)
{
	(void)state;
	struct vaccel_blob *b = NULL;
	uint8_t *buf = malloc(8);
	assert_non_null(buf);
	memset(buf, 7, 8);

	assert_int_equal(
		vaccel_blob_from_buf(&b, buf, 8, false, NULL, NULL, false),
		VACCEL_OK);
	assert_int_equal(b->type, VACCEL_BLOB_BUFFER);
	assert_ptr_equal(b->data, buf);
	assert_false(b->data_owned);
	assert_string_equal(b->name, "file"); /* default name */
	buf[1] = 3;
	assert_int_equal(b->data[1], 3);
	assert_int_equal(vaccel_blob_delete(b), VACCEL_OK);
	/* still ours: the blob did not free it */
	buf[0] = 1;
	free(buf);
}

static void test_from_buf_errors(void **state)
{
	struct dirs *d = *state;
	struct vaccel_blob b;
	struct vaccel_blob *pb = NULL;
	uint8_t buf[2] = {0};
	char p[PATH_MAX + 32];

	assert_int_equal(
		vaccel_blob_init_from_buf(NULL, buf, 2, true, "x", NULL, false),
		VACCEL_EINVAL);
	assert_int_equal(
		vaccel_blob_init_from_buf(&b, NULL, 2, true, "x", NULL, false),
		VACCEL_EINVAL);
	assert_int_equal(
		vaccel_blob_init_from_buf(&b, buf, 0, true, "x", NULL, false),
		VACCEL_EINVAL);
	assert_int_equal(
		vaccel_blob_init_from_buf(&b, buf, 2, true, "a/b", NULL, false),
		VACCEL_EINVAL);
	assert_int_equal(vaccel_blob_init_from_buf(&b, buf, 2, true, "..",
						   d->out, false),
			 VACCEL_EINVAL);
	assert_int_equal(
		vaccel_blob_init_from_buf(&b, buf, 2, true, "", NULL, false),
		VACCEL_EINVAL);
	snprintf(p, sizeof(p), "%s/nodir", d->root);
	assert_int_equal(
		vaccel_blob_init_from_buf(&b, buf, 2, true, "x", p, false),
		VACCEL_ENOENT);
	assert_int_equal(
		vaccel_blob_from_buf(NULL, buf, 2, true, "x", NULL, false),
		VACCEL_EINVAL);
	assert_int_equal(
		vaccel_blob_from_buf(&pb, NULL, 2, true, "x", NULL, false),
		VACCEL_EINVAL);
	assert_null(pb);
	assert_int_equal(count_entries(d->out), 0);
}

static void test_from_buf_persisted(void **state)
{
	struct dirs *d = *state;
	struct vaccel_blob b;
	char exp[PATH_MAX + 32], buf[32];

	assert_int_equal(vaccel_blob_init_from_buf(&b, (const uint8_t *)content,
						   sizeof(content) - 1, false,
						   "model.pt", d->out, false),
			 VACCEL_OK);
	snprintf(exp, sizeof(exp), "%s/model.pt", d->out);
	assert_int_equal(b.type, VACCEL_BLOB_MAPPED);
	assert_string_equal(b.name, "model.pt");
	assert_string_equal(b.path, exp);
	assert_string_equal(vaccel_blob_path(&b), exp);
	assert_true(b.path_owned);
	assert_true(b.data_owned);
	assert_ptr_not_equal(b.data, content);
	assert_int_equal(b.size, sizeof(content) - 1);
	assert_memory_equal(b.data, content, b.size);
	assert_true(vaccel_blob_valid(&b));
	assert_int_equal(read_file(exp, buf, sizeof(buf)), b.size);
	assert_memory_equal(buf, content, b.size);

	/* shared mapping: writes through data reach the file */
	b.data[0] = 'W';
	assert_int_equal(read_file(exp, buf, sizeof(buf)), b.size);
	assert_int_equal(buf[0], 'W');

	/* the name exists now: a second blob gets a random suffix, ext kept */
	struct vaccel_blob c;
	assert_int_equal(vaccel_blob_init_from_buf(&c, (const uint8_t *)"ab", 2,
						   true, "model.pt", d->out,
						   false),
			 VACCEL_OK);
	assert_string_not_equal(c.path, exp);
	assert_int_equal(strlen(c.name), strlen("model_XXXXXX.pt"));
	assert_memory_equal(c.name, "model_", 6);
	assert_string_equal(c.name + strlen(c.name) - 3, ".pt");
	assert_true(exists(c.path));
	assert_int_equal(count_entries(d->out), 2);

	/* release removes the files it owns */
	char cpath[PATH_MAX + 32];
	snprintf(cpath, sizeof(cpath), "%s", c.path);
	assert_int_equal(vaccel_blob_release(&c), VACCEL_OK);
	assert_false(exists(cpath));
	assert_int_equal(vaccel_blob_release(&b), VACCEL_OK);
	assert_false(exists(exp));
	assert_int_equal(count_entries(d->out), 0);
}

static void test_from_buf_randomize(void **state)
{
	struct dirs *d = *state;
	struct vaccel_blob *a, *b, *c;

	assert_int_equal(vaccel_blob_from_buf(&a, (const uint8_t *)"x", 1, true,
					      "lib.so", d->out, true),
			 VACCEL_OK);
	assert_int_equal(vaccel_blob_from_buf(&b, (const uint8_t *)"y", 1, true,
					      "lib.so", d->out, true),
			 VACCEL_OK);
	assert_string_not_equal(a->name, "lib.so");
	assert_string_not_equal(a->name, b->name);
	assert_int_equal(strlen(a->name), strlen("lib_XXXXXX.so"));
	/* no filename: file_XXXXXX */
	assert_int_equal(vaccel_blob_from_buf(&c, (const uint8_t *)"z", 1, true,
					      NULL, d->out, false),
			 VACCEL_OK);
	assert_int_equal(strlen(c->name), strlen("file_XXXXXX"));
	assert_memory_equal(c->name, "file_", 5);
	assert_int_equal(c->data[0], 'z');
	assert_int_equal(count_entries(d->out), 3);
	assert_int_equal(vaccel_blob_delete(a), VACCEL_OK);
	assert_int_equal(vaccel_blob_delete(b), VACCEL_OK);
	assert_int_equal(vaccel_blob_delete(c), VACCEL_OK);
	assert_int_equal(count_entries(d->out), 0);
}

static void test_persist(void **state)
{
	struct dirs *d = *state;
	struct vaccel_blob b;
	char exp[PATH_MAX + 32], buf[8];

	/* an owned buffer: the copy is freed once persisted (ASan checks) */
	assert_int_equal(vaccel_blob_init_from_buf(&b, (const uint8_t *)"abc",
						   3, true, "buf.bin", NULL,
						   false),
			 VACCEL_OK);
	assert_int_equal(vaccel_blob_persist(&b, d->out, NULL, false),
			 VACCEL_OK);
	snprintf(exp, sizeof(exp), "%s/buf.bin", d->out);
	assert_int_equal(b.type, VACCEL_BLOB_MAPPED);
	assert_string_equal(b.path, exp);
	assert_string_equal(b.name, "buf.bin");
	assert_true(b.path_owned);
	assert_true(b.data_owned);
	assert_int_equal(b.size, 3);
	assert_memory_equal(b.data, "abc", 3);
	assert_int_equal(read_file(exp, buf, sizeof(buf)), 3);
	/* only BUFFER blobs can be persisted */
	assert_int_equal(vaccel_blob_persist(&b, d->out, NULL, false),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_blob_release(&b), VACCEL_OK);
	assert_false(exists(exp));

	/* a borrowed buffer with a new name */
	uint8_t mem[2] = {5, 6};
	assert_int_equal(
		vaccel_blob_init_from_buf(&b, mem, 2, false, "m", NULL, false),
		VACCEL_OK);
	assert_int_equal(vaccel_blob_persist(&b, d->out, "renamed.bin", true),
			 VACCEL_OK);
	assert_memory_equal(b.name, "renamed_", 8);
	assert_ptr_not_equal(b.data, mem);
	assert_int_equal(b.data[1], 6);
	assert_int_equal(vaccel_blob_release(&b), VACCEL_OK);
	assert_int_equal(mem[0], 5);

	/* errors */
	struct vaccel_blob f;
	assert_int_equal(vaccel_blob_init(&f, d->file), VACCEL_OK);
	assert_int_equal(vaccel_blob_persist(&f, d->out, NULL, false),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_blob_persist(NULL, d->out, NULL, false),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_blob_persist(&f, NULL, NULL, false),
			 VACCEL_EINVAL);
	assert_int_equal(vaccel_blob_release(&f), VACCEL_OK);
	assert_int_equal(
		vaccel_blob_init_from_buf(&b, mem, 2, false, "m", NULL, false),
		VACCEL_OK);
	assert_int_equal(vaccel_blob_persist(&b, d->out, "../x", false),
			 VACCEL_EINVAL);
	assert_int_equal(b.type, VACCEL_BLOB_BUFFER); /* unchanged */
	assert_int_equal(vaccel_blob_release(&b), VACCEL_OK);
	assert_int_equal(count_entries(d->out), 0);
}

static void test_valid(void **state)
{
	(void)state;
	struct vaccel_blob b;
	uint8_t byte = 1;

	memset(&b, 0, sizeof(b));
	assert_false(vaccel_blob_valid(&b)); /* no name */
	b.name = "n";
	b.type = VACCEL_BLOB_FILE;
	assert_false(vaccel_blob_valid(&b)); /* FILE without path */
	b.path = "/p";
	assert_true(vaccel_blob_valid(&b));
	b.type = VACCEL_BLOB_BUFFER;
	assert_false(vaccel_blob_valid(&b)); /* BUFFER without data */
	b.data = &byte;
	assert_false(vaccel_blob_valid(&b)); /* size 0 */
	b.size = 1;
	assert_true(vaccel_blob_valid(&b));
	b.type = VACCEL_BLOB_MAPPED;
	assert_true(vaccel_blob_valid(&b));
	b.path = NULL;
	assert_false(vaccel_blob_valid(&b)); /* MAPPED without path */
	b.path = "/p";
	b.data = NULL;
	assert_false(vaccel_blob_valid(&b)); /* MAPPED, size but no data */
	b.type = VACCEL_BLOB_MAX;
	assert_false(vaccel_blob_valid(&b));
	/* BUFFER blobs have no path, whatever the field says */
	b.type = VACCEL_BLOB_BUFFER;
	assert_null(vaccel_blob_path(&b));
	b.type = VACCEL_BLOB_MAPPED;
	assert_string_equal(vaccel_blob_path(&b), "/p");
}

static void test_release_zeroed(void **state)
{
	(void)state;
	struct vaccel_blob b;
	memset(&b, 0, sizeof(b));
	/* nothing owned: a no-op */
	assert_int_equal(vaccel_blob_release(&b), VACCEL_OK);
	assert_int_equal(vaccel_blob_read(&b), VACCEL_EINVAL); /* no path */
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_init_file),
		T(test_init_errors),
		T(test_new_delete),
		T(test_read_maps_file),
		T(test_data_maps_on_demand),
		T(test_read_empty_file),
		T(test_from_buf_owned_copy),
		T(test_from_buf_borrowed),
		T(test_from_buf_errors),
		T(test_from_buf_persisted),
		T(test_from_buf_randomize),
		T(test_persist),
		T(test_valid),
		T(test_release_zeroed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
