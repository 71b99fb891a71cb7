// SPDX-License-Identifier: Apache-2.0
/*
 * TF / TFLite / Torch helper structs: every function, argument checks,
 * ownership (buffers own their data, tensor set_data borrows, allocate owns,
 * take_data hands over and clears, release frees the dims) and ENOMEM on
 * allocation failure. Leaks and bad frees show under ASan / valgrind.
 */
#include "test_util.h"

#include <stdint.h>

/*
 * Assert that `call` returns `code` and logs exactly one error line into the
 * log file at `log` (lines are tagged "<error>").
 */
#define EXPECT_ONE_ERROR(log, call, code)                                      \
	do {                                                                   \
		int before_ = count_lines((log), "<error>");                   \
		assert_int_equal((call), (code));                              \
		assert_int_equal(count_lines((log), "<error>"), before_ + 1);  \
	} while (0)

/* Let huge requests fail with NULL under ASan instead of aborting. */
__attribute__((visibility("default"))) const char *__asan_default_options(void);
__attribute__((visibility("default"))) const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

static char log_path[256];

static int group_setup(void **state)
{
	(void)state;
	temp_log(log_path, sizeof(log_path));
	return boot_opts(NULL, log_path, false, false);
}

static int group_teardown(void **state)
{
	(void)state;
	vaccel_cleanup();
	unlink(log_path);
	return 0;
}

/* Larger than any address space: calloc() fails. */
#define HUGE_SIZE ((size_t)1 << 62)

static void *dup_bytes(const void *src, size_t n)
{
	void *p = malloc(n);
	assert_non_null(p);
	memcpy(p, src, n);
	return p;
}

/*
 * TF buffer
 */

static void test_tf_buffer(void **state)
{
	(void)state;
	struct vaccel_tf_buffer buf;
	struct vaccel_tf_buffer *pbuf = NULL;
	void *data;
	size_t size;

	/* init takes ownership; release frees */
	assert_int_equal(vaccel_tf_buffer_init(&buf, dup_bytes("abcd", 4), 4),
			 VACCEL_OK);
	assert_int_equal(buf.size, 4);
	assert_memory_equal(buf.data, "abcd", 4);
	assert_int_equal(vaccel_tf_buffer_release(&buf), VACCEL_OK);
	assert_null(buf.data);
	assert_int_equal(buf.size, 0);

	/* take_data hands the data back and clears */
	void *mine = dup_bytes("xyz", 3);
	assert_int_equal(vaccel_tf_buffer_init(&buf, mine, 3), VACCEL_OK);
	assert_int_equal(vaccel_tf_buffer_take_data(&buf, &data, &size),
			 VACCEL_OK);
	assert_ptr_equal(data, mine);
	assert_int_equal(size, 3);
	assert_null(buf.data);
	assert_int_equal(buf.size, 0);
	assert_int_equal(vaccel_tf_buffer_release(&buf), VACCEL_OK);
	free(mine);

	/* empty buffer */
	assert_int_equal(vaccel_tf_buffer_init(&buf, NULL, 0), VACCEL_OK);
	assert_int_equal(vaccel_tf_buffer_release(&buf), VACCEL_OK);

	/* heap twin */
	assert_int_equal(vaccel_tf_buffer_new(&pbuf, dup_bytes("q", 1), 1),
			 VACCEL_OK);
	assert_non_null(pbuf);
	assert_int_equal(pbuf->size, 1);
	assert_int_equal(vaccel_tf_buffer_delete(pbuf), VACCEL_OK);

	/* bad arguments */
	pbuf = NULL;
	EXPECT_ONE_ERROR(log_path, vaccel_tf_buffer_init(NULL, NULL, 0),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(log_path, vaccel_tf_buffer_init(&buf, NULL, 4),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(log_path, vaccel_tf_buffer_new(NULL, NULL, 0),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(log_path, vaccel_tf_buffer_new(&pbuf, NULL, 4),
			 VACCEL_EINVAL);
	assert_null(pbuf);
	EXPECT_ONE_ERROR(log_path, vaccel_tf_buffer_release(NULL),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(log_path, vaccel_tf_buffer_delete(NULL),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(log_path,
			 vaccel_tf_buffer_take_data(NULL, &data, &size),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(log_path,
			 vaccel_tf_buffer_take_data(&buf, NULL, &size),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(log_path,
			 vaccel_tf_buffer_take_data(&buf, &data, NULL),
			 VACCEL_EINVAL);
}

/*
 * TF node
 */

static void test_tf_node(void **state)
{
	(void)state;
	struct vaccel_tf_node node;
	struct vaccel_tf_node *pnode = NULL;
	char name[] = "serving_default_input";

	assert_int_equal(vaccel_tf_node_init(&node, name, 3), VACCEL_OK);
	assert_ptr_not_equal(node.name, name); /* duplicated */
	assert_string_equal(node.name, name);
	assert_int_equal(node.id, 3);
	name[0] = 'X';
	assert_string_equal(node.name, "serving_default_input");
	assert_int_equal(vaccel_tf_node_release(&node), VACCEL_OK);
	assert_null(node.name);
	assert_int_equal(node.id, -1);

	assert_int_equal(vaccel_tf_node_new(&pnode, "out", 0), VACCEL_OK);
	assert_string_equal(pnode->name, "out");
	assert_int_equal(pnode->id, 0);
	assert_int_equal(vaccel_tf_node_delete(pnode), VACCEL_OK);

	pnode = NULL;
	EXPECT_ONE_ERROR(log_path, vaccel_tf_node_init(NULL, "a", 0),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(log_path, vaccel_tf_node_init(&node, NULL, 0),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(log_path, vaccel_tf_node_new(NULL, "a", 0),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(log_path, vaccel_tf_node_new(&pnode, NULL, 0),
			 VACCEL_EINVAL);
	assert_null(pnode);
	EXPECT_ONE_ERROR(log_path, vaccel_tf_node_release(NULL), VACCEL_EINVAL);
	EXPECT_ONE_ERROR(log_path, vaccel_tf_node_delete(NULL), VACCEL_EINVAL);
}

/*
 * TF status
 */

static void test_tf_status(void **state)
{
	(void)state;
	struct vaccel_tf_status st;
	struct vaccel_tf_status *pst = NULL;
	const char msg[] = "all good";

	assert_int_equal(vaccel_tf_status_init(&st, 7, msg), VACCEL_OK);
	assert_int_equal(st.code, 7);
	assert_ptr_not_equal(st.message, msg);
	assert_string_equal(st.message, msg);
	assert_int_equal(vaccel_tf_status_release(&st), VACCEL_OK);
	assert_null(st.message);
	assert_int_equal(st.code, 0);

	assert_int_equal(vaccel_tf_status_new(&pst, 255, ""), VACCEL_OK);
	assert_int_equal(pst->code, 255);
	assert_string_equal(pst->message, "");
	assert_int_equal(vaccel_tf_status_delete(pst), VACCEL_OK);

	pst = NULL;
	EXPECT_ONE_ERROR(log_path, vaccel_tf_status_init(NULL, 0, "m"),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(log_path, vaccel_tf_status_init(&st, 0, NULL),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(log_path, vaccel_tf_status_new(NULL, 0, "m"),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(log_path, vaccel_tf_status_new(&pst, 0, NULL),
			 VACCEL_EINVAL);
	assert_null(pst);
	EXPECT_ONE_ERROR(log_path, vaccel_tf_status_release(NULL),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(log_path, vaccel_tf_status_delete(NULL),
			 VACCEL_EINVAL);
}

/*
 * Tensors: the same contract for TF, TFLite and Torch, so one body is
 * instantiated per flavour. P = function prefix, DIM_T = dims element type,
 * DT = a data type of the flavour.
 */
#define TENSOR_TESTS(P, DIM_T, DT)                                             \
	static void test_##P##_tensor(void **state)                            \
	{                                                                      \
		(void)state;                                                   \
		struct vaccel_##P##_tensor t;                                  \
		struct vaccel_##P##_tensor *pt = NULL;                         \
		DIM_T dims[3] = {2, 3, 4};                                     \
		float borrowed[6] = {1, 2, 3, 4, 5, 6};                        \
		void *data;                                                    \
		size_t size;                                                   \
                                                                               \
		/* init copies the dims, holds no data */                      \
		assert_int_equal(vaccel_##P##_tensor_init(&t, 3, dims, DT),    \
				 VACCEL_OK);                                   \
		assert_int_equal(t.nr_dims, 3);                                \
		assert_ptr_not_equal(t.dims, dims);                            \
		assert_memory_equal(t.dims, dims, sizeof(dims));               \
		dims[0] = 9;                                                   \
		assert_true(t.dims[0] == 2);                                   \
		assert_null(t.data);                                           \
		assert_int_equal(t.size, 0);                                   \
		assert_false(t.owned);                                         \
		assert_int_equal(t.data_type, DT);                             \
                                                                               \
		/* set_data borrows: release must not free it (ASan) */        \
		assert_int_equal(vaccel_##P##_tensor_set_data(                 \
					 &t, borrowed, sizeof(borrowed)),      \
				 VACCEL_OK);                                   \
		assert_ptr_equal(t.data, borrowed);                            \
		assert_int_equal(t.size, sizeof(borrowed));                    \
		assert_false(t.owned);                                         \
                                                                               \
		/* take_data returns it and clears */                          \
		assert_int_equal(                                              \
			vaccel_##P##_tensor_take_data(&t, &data, &size),       \
			VACCEL_OK);                                            \
		assert_ptr_equal(data, borrowed);                              \
		assert_int_equal(size, sizeof(borrowed));                      \
		assert_null(t.data);                                           \
		assert_int_equal(t.size, 0);                                   \
		assert_false(t.owned);                                         \
                                                                               \
		/* release frees the dims */                                   \
		assert_int_equal(vaccel_##P##_tensor_set_data(                 \
					 &t, borrowed, sizeof(borrowed)),      \
				 VACCEL_OK);                                   \
		assert_int_equal(vaccel_##P##_tensor_release(&t), VACCEL_OK);  \
		assert_null(t.dims);                                           \
		assert_int_equal(t.nr_dims, 0);                                \
		assert_null(t.data);                                           \
		assert_true(borrowed[5] == 6);                                 \
                                                                               \
		/* NULL dims: zeroed */                                        \
		assert_int_equal(vaccel_##P##_tensor_init(&t, 2, NULL, DT),    \
				 VACCEL_OK);                                   \
		assert_true(t.dims[0] == 0 && t.dims[1] == 0);                 \
		assert_int_equal(vaccel_##P##_tensor_release(&t), VACCEL_OK);  \
                                                                               \
		/* allocate owns zeroed data; take_data hands it over */       \
		assert_int_equal(                                              \
			vaccel_##P##_tensor_allocate(&pt, 3, dims, DT, 24),    \
			VACCEL_OK);                                            \
		assert_non_null(pt);                                           \
		assert_true(pt->owned);                                        \
		assert_int_equal(pt->size, 24);                                \
		assert_non_null(pt->data);                                     \
		for (size_t i = 0; i < 24; i++)                                \
			assert_int_equal(((unsigned char *)pt->data)[i], 0);   \
		assert_true(pt->dims[0] == 9);                                 \
		assert_int_equal(                                              \
			vaccel_##P##_tensor_take_data(pt, &data, &size),       \
			VACCEL_OK);                                            \
		assert_false(pt->owned);                                       \
		assert_null(pt->data);                                         \
		assert_int_equal(size, 24);                                    \
		free(data); /* now the caller's */                             \
		assert_int_equal(vaccel_##P##_tensor_delete(pt), VACCEL_OK);   \
                                                                               \
		/* delete frees owned data and dims (leak check) */            \
		pt = NULL;                                                     \
		assert_int_equal(                                              \
			vaccel_##P##_tensor_allocate(&pt, 1, dims, DT, 100),   \
			VACCEL_OK);                                            \
		assert_int_equal(vaccel_##P##_tensor_delete(pt), VACCEL_OK);   \
                                                                               \
		/* set_data over owned data frees the old data (no leak) */    \
		pt = NULL;                                                     \
		assert_int_equal(                                              \
			vaccel_##P##_tensor_allocate(&pt, 1, dims, DT, 16),    \
			VACCEL_OK);                                            \
		assert_int_equal(vaccel_##P##_tensor_set_data(                 \
					 pt, borrowed, sizeof(borrowed)),      \
				 VACCEL_OK);                                   \
		assert_false(pt->owned);                                       \
		assert_int_equal(vaccel_##P##_tensor_delete(pt), VACCEL_OK);   \
                                                                               \
		/* re-setting the owned pointer keeps it owned (no leak) */    \
		pt = NULL;                                                     \
		assert_int_equal(                                              \
			vaccel_##P##_tensor_allocate(&pt, 1, dims, DT, 16),    \
			VACCEL_OK);                                            \
		assert_int_equal(                                              \
			vaccel_##P##_tensor_set_data(pt, pt->data, 8),         \
			VACCEL_OK);                                            \
		assert_true(pt->owned);                                        \
		assert_int_equal(pt->size, 8);                                 \
		assert_int_equal(vaccel_##P##_tensor_delete(pt), VACCEL_OK);   \
                                                                               \
		/* allocate with no data */                                    \
		pt = NULL;                                                     \
		assert_int_equal(                                              \
			vaccel_##P##_tensor_allocate(&pt, 1, dims, DT, 0),     \
			VACCEL_OK);                                            \
		assert_null(pt->data);                                         \
		assert_false(pt->owned);                                       \
		assert_int_equal(vaccel_##P##_tensor_delete(pt), VACCEL_OK);   \
                                                                               \
		/* heap twin */                                                \
		pt = NULL;                                                     \
		assert_int_equal(vaccel_##P##_tensor_new(&pt, 3, dims, DT),    \
				 VACCEL_OK);                                   \
		assert_int_equal(pt->nr_dims, 3);                              \
		assert_null(pt->data);                                         \
		assert_int_equal(vaccel_##P##_tensor_delete(pt), VACCEL_OK);   \
                                                                               \
		/* bad arguments */                                            \
		pt = NULL;                                                     \
		assert_int_equal(vaccel_##P##_tensor_init(NULL, 1, dims, DT),  \
				 VACCEL_EINVAL);                               \
		assert_int_equal(vaccel_##P##_tensor_init(&t, 0, dims, DT),    \
				 VACCEL_EINVAL);                               \
		assert_int_equal(vaccel_##P##_tensor_init(&t, -1, dims, DT),   \
				 VACCEL_EINVAL);                               \
		assert_int_equal(vaccel_##P##_tensor_new(NULL, 1, dims, DT),   \
				 VACCEL_EINVAL);                               \
		assert_int_equal(vaccel_##P##_tensor_new(&pt, 0, dims, DT),    \
				 VACCEL_EINVAL);                               \
		assert_null(pt);                                               \
		assert_int_equal(                                              \
			vaccel_##P##_tensor_allocate(NULL, 1, dims, DT, 4),    \
			VACCEL_EINVAL);                                        \
		assert_int_equal(                                              \
			vaccel_##P##_tensor_allocate(&pt, 0, dims, DT, 4),     \
			VACCEL_EINVAL);                                        \
		assert_null(pt);                                               \
		assert_int_equal(vaccel_##P##_tensor_release(NULL),            \
				 VACCEL_EINVAL);                               \
		assert_int_equal(vaccel_##P##_tensor_delete(NULL),             \
				 VACCEL_EINVAL);                               \
		assert_int_equal(                                              \
			vaccel_##P##_tensor_set_data(NULL, borrowed, 4),       \
			VACCEL_EINVAL);                                        \
		assert_int_equal(vaccel_##P##_tensor_init(&t, 1, dims, DT),    \
				 VACCEL_OK);                                   \
		assert_int_equal(vaccel_##P##_tensor_set_data(&t, NULL, 4),    \
				 VACCEL_EINVAL);                               \
		assert_int_equal(                                              \
			vaccel_##P##_tensor_take_data(NULL, &data, &size),     \
			VACCEL_EINVAL);                                        \
		assert_int_equal(                                              \
			vaccel_##P##_tensor_take_data(&t, NULL, &size),        \
			VACCEL_EINVAL);                                        \
		assert_int_equal(                                              \
			vaccel_##P##_tensor_take_data(&t, &data, NULL),        \
			VACCEL_EINVAL);                                        \
		assert_int_equal(vaccel_##P##_tensor_release(&t), VACCEL_OK);  \
                                                                               \
		/* allocation failure: ENOMEM, nothing returned or leaked */   \
		assert_int_equal(vaccel_##P##_tensor_allocate(&pt, 1, dims,    \
							      DT, HUGE_SIZE),  \
				 VACCEL_ENOMEM);                               \
		assert_null(pt);                                               \
	}

TENSOR_TESTS(tf, int64_t, VACCEL_TF_FLOAT)
TENSOR_TESTS(tflite, int32_t, VACCEL_TFLITE_FLOAT32)
TENSOR_TESTS(torch, int64_t, VACCEL_TORCH_FLOAT)

/* Torch takes a 64-bit dims count: reject counts no allocation can hold. */
static void test_torch_tensor_dims_count(void **state)
{
	(void)state;
	struct vaccel_torch_tensor t;
	struct vaccel_torch_tensor *pt = NULL;

	EXPECT_ONE_ERROR(log_path,
			 vaccel_torch_tensor_init(&t, INT64_MAX, NULL,
						  VACCEL_TORCH_FLOAT),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(log_path,
			 vaccel_torch_tensor_new(&pt, INT64_MIN, NULL,
						 VACCEL_TORCH_FLOAT),
			 VACCEL_EINVAL);
	assert_null(pt);
	/* representable but not allocatable: ENOMEM */
	EXPECT_ONE_ERROR(log_path,
			 vaccel_torch_tensor_init(&t, INT64_C(1) << 59, NULL,
						  VACCEL_TORCH_FLOAT),
			 VACCEL_ENOMEM);
	EXPECT_ONE_ERROR(log_path,
			 vaccel_torch_tensor_allocate(&pt, INT64_C(1) << 59,
						      NULL, VACCEL_TORCH_FLOAT,
						      4),
			 VACCEL_ENOMEM);
	assert_null(pt);
}

/*
 * Torch buffer
 */

static void test_torch_buffer(void **state)
{
	(void)state;
	struct vaccel_torch_buffer buf;
	struct vaccel_torch_buffer *pbuf = NULL;
	void *data;
	size_t size;

	assert_int_equal(
		vaccel_torch_buffer_init(&buf, dup_bytes("opts", 5), 5),
		VACCEL_OK);
	assert_string_equal(buf.data, "opts");
	assert_int_equal(buf.size, 5);
	assert_int_equal(vaccel_torch_buffer_release(&buf), VACCEL_OK);
	assert_null(buf.data);
	assert_int_equal(buf.size, 0);

	char *mine = dup_bytes("zz", 3);
	assert_int_equal(vaccel_torch_buffer_init(&buf, mine, 3), VACCEL_OK);
	assert_int_equal(vaccel_torch_buffer_take_data(&buf, &data, &size),
			 VACCEL_OK);
	assert_ptr_equal(data, mine);
	assert_int_equal(size, 3);
	assert_null(buf.data);
	assert_int_equal(buf.size, 0);
	free(mine);

	assert_int_equal(vaccel_torch_buffer_new(&pbuf, dup_bytes("b", 2), 2),
			 VACCEL_OK);
	assert_string_equal(pbuf->data, "b");
	assert_int_equal(vaccel_torch_buffer_delete(pbuf), VACCEL_OK);

	pbuf = NULL;
	EXPECT_ONE_ERROR(log_path, vaccel_torch_buffer_init(NULL, NULL, 0),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(log_path, vaccel_torch_buffer_init(&buf, NULL, 1),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(log_path, vaccel_torch_buffer_new(NULL, NULL, 0),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(log_path, vaccel_torch_buffer_new(&pbuf, NULL, 1),
			 VACCEL_EINVAL);
	assert_null(pbuf);
	EXPECT_ONE_ERROR(log_path, vaccel_torch_buffer_release(NULL),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(log_path, vaccel_torch_buffer_delete(NULL),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(log_path,
			 vaccel_torch_buffer_take_data(NULL, &data, &size),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(log_path,
			 vaccel_torch_buffer_take_data(&buf, NULL, &size),
			 VACCEL_EINVAL);
	EXPECT_ONE_ERROR(log_path,
			 vaccel_torch_buffer_take_data(&buf, &data, NULL),
			 VACCEL_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tf_buffer),
		cmocka_unit_test(test_tf_node),
		cmocka_unit_test(test_tf_status),
		cmocka_unit_test(test_tf_tensor),
		cmocka_unit_test(test_tflite_tensor),
		cmocka_unit_test(test_torch_tensor),
		cmocka_unit_test(test_torch_tensor_dims_count),
		cmocka_unit_test(test_torch_buffer),
	};

	return cmocka_run_group_tests_name("tf_helpers", tests, group_setup,
					   group_teardown);
}
