// SPDX-License-Identifier: Apache-2.0
/*
 * Typed operation arguments.
 *
 * A `struct vaccel_arg` is a (buffer, size, type) triple. A
 * `struct vaccel_arg_array` is a growable (or, when wrapped, fixed) sequence
 * of args with a read/write cursor (`position`):
 *   - add_*  append an arg. They borrow the caller's memory, except
 *            add_serialized and add_range/remaining/all with copy = true,
 *            whose data becomes owned by the array.
 *   - get_*  validate the arg at `position`, return its data (pointers point
 *            into the arg) and advance.
 *   - set_*  validate the arg at `position`, copy data into its buffer and
 *            advance.
 * Reading past the end returns VACCEL_ERANGE; a type or size mismatch returns
 * VACCEL_EINVAL. On error the position is not advanced.
 */
#ifndef VACCEL_ARG_H
#define VACCEL_ARG_H

#include "error.h"
#include "utils/enum.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef VACCEL_API
#define VACCEL_API __attribute__((visibility("default")))
#endif

#ifndef VACCEL_DEPRECATED
#define VACCEL_DEPRECATED(msg) __attribute__((deprecated(msg)))
#endif

/* Argument types; the numbers are shared with the RPC and virtio wires. */
#define VACCEL_ARG_TYPE_ENUM_LIST(VACCEL_ENUM_ITEM)                            \
	VACCEL_ENUM_ITEM(RAW, 0, VACCEL_ARG)                                   \
	VACCEL_ENUM_ITEM(INT8, VACCEL_ARG)                                     \
	VACCEL_ENUM_ITEM(INT8_ARRAY, VACCEL_ARG)                               \
	VACCEL_ENUM_ITEM(INT16, VACCEL_ARG)                                    \
	VACCEL_ENUM_ITEM(INT16_ARRAY, VACCEL_ARG)                              \
	VACCEL_ENUM_ITEM(INT32, VACCEL_ARG)                                    \
	VACCEL_ENUM_ITEM(INT32_ARRAY, VACCEL_ARG)                              \
	VACCEL_ENUM_ITEM(INT64, VACCEL_ARG)                                    \
	VACCEL_ENUM_ITEM(INT64_ARRAY, VACCEL_ARG)                              \
	VACCEL_ENUM_ITEM(UINT8, VACCEL_ARG)                                    \
	VACCEL_ENUM_ITEM(UINT8_ARRAY, VACCEL_ARG)                              \
	VACCEL_ENUM_ITEM(UINT16, VACCEL_ARG)                                   \
	VACCEL_ENUM_ITEM(UINT16_ARRAY, VACCEL_ARG)                             \
	VACCEL_ENUM_ITEM(UINT32, VACCEL_ARG)                                   \
	VACCEL_ENUM_ITEM(UINT32_ARRAY, VACCEL_ARG)                             \
	VACCEL_ENUM_ITEM(UINT64, VACCEL_ARG)                                   \
	VACCEL_ENUM_ITEM(UINT64_ARRAY, VACCEL_ARG)                             \
	VACCEL_ENUM_ITEM(FLOAT32, VACCEL_ARG)                                  \
	VACCEL_ENUM_ITEM(FLOAT32_ARRAY, VACCEL_ARG)                            \
	VACCEL_ENUM_ITEM(FLOAT64, VACCEL_ARG)                                  \
	VACCEL_ENUM_ITEM(FLOAT64_ARRAY, VACCEL_ARG)                            \
	VACCEL_ENUM_ITEM(BOOL, VACCEL_ARG)                                     \
	VACCEL_ENUM_ITEM(BOOL_ARRAY, VACCEL_ARG)                               \
	VACCEL_ENUM_ITEM(CHAR, VACCEL_ARG)                                     \
	VACCEL_ENUM_ITEM(CHAR_ARRAY, VACCEL_ARG)                               \
	VACCEL_ENUM_ITEM(UCHAR, VACCEL_ARG)                                    \
	VACCEL_ENUM_ITEM(UCHAR_ARRAY, VACCEL_ARG)                              \
	VACCEL_ENUM_ITEM(STRING, VACCEL_ARG)                                   \
	VACCEL_ENUM_ITEM(BUFFER, VACCEL_ARG)                                   \
	VACCEL_ENUM_ITEM(CUSTOM, VACCEL_ARG)

VACCEL_ENUM_DEF_WITH_STR_FUNCS(vaccel_arg_type, VACCEL_ARG,
			       VACCEL_ARG_TYPE_ENUM_LIST)

/*
 * The numeric (typed) argument kinds, one row per C type:
 *   X(TYPE_NAME, C_TYPE, ARG_TYPE, ARRAY_TYPE)
 * TYPE_NAME is only ever token-pasted, so `bool` stays `bool`.
 */
#define VACCEL_ARG_NUMERIC_TYPES(X)                                            \
	X(int8, int8_t, VACCEL_ARG_INT8, VACCEL_ARG_INT8_ARRAY)                \
	X(int16, int16_t, VACCEL_ARG_INT16, VACCEL_ARG_INT16_ARRAY)            \
	X(int32, int32_t, VACCEL_ARG_INT32, VACCEL_ARG_INT32_ARRAY)            \
	X(int64, int64_t, VACCEL_ARG_INT64, VACCEL_ARG_INT64_ARRAY)            \
	X(uint8, uint8_t, VACCEL_ARG_UINT8, VACCEL_ARG_UINT8_ARRAY)            \
	X(uint16, uint16_t, VACCEL_ARG_UINT16, VACCEL_ARG_UINT16_ARRAY)        \
	X(uint32, uint32_t, VACCEL_ARG_UINT32, VACCEL_ARG_UINT32_ARRAY)        \
	X(uint64, uint64_t, VACCEL_ARG_UINT64, VACCEL_ARG_UINT64_ARRAY)        \
	X(float, float, VACCEL_ARG_FLOAT32, VACCEL_ARG_FLOAT32_ARRAY)          \
	X(double, double, VACCEL_ARG_FLOAT64, VACCEL_ARG_FLOAT64_ARRAY)        \
	X(bool, bool, VACCEL_ARG_BOOL, VACCEL_ARG_BOOL_ARRAY)                  \
	X(char, char, VACCEL_ARG_CHAR, VACCEL_ARG_CHAR_ARRAY)                  \
	X(uchar, unsigned char, VACCEL_ARG_UCHAR, VACCEL_ARG_UCHAR_ARRAY)

struct vaccel_arg {
	/* Data (borrowed unless `owned`) */
	void *buf;

	/* Data size in bytes */
	size_t size;

	/* Argument type */
	vaccel_arg_type_t type;

	/* User-defined type id; meaningful for VACCEL_ARG_CUSTOM */
	uint32_t custom_type_id;

	/* True if `buf` was allocated by the library and is freed on release */
	bool owned;
};

struct vaccel_arg_array {
	/* Arg storage */
	struct vaccel_arg *args;

	/* Number of args in use */
	size_t count;

	/* Number of args `args` can hold */
	size_t capacity;

	/* Cursor for get_* / set_* */
	size_t position;

	/* True if `args` was allocated by the library (false for wrap()) */
	bool owned;
};

/* Checks a custom arg; returns true if (buf, size) is a valid custom_id. */
typedef bool (*vaccel_arg_type_validator_fn)(const void *buf, size_t size,
					     uint32_t custom_id);

/*
 * Serializes `data` into a newly malloc()-ed `*buf` of `*size` bytes.
 * Returns VACCEL_OK or a positive VACCEL_E* code (nothing allocated then).
 */
typedef int (*vaccel_arg_serializer_fn)(const void *data, size_t data_size,
					uint32_t custom_id, void **buf,
					size_t *size);

/*
 * Deserializes (buf, size) into `data`, which holds `data_size` bytes.
 * Returns VACCEL_OK or a positive VACCEL_E* code.
 */
typedef int (*vaccel_arg_deserializer_fn)(const void *buf, size_t size,
					  uint32_t custom_id, size_t data_size,
					  void *data);

/*
 * Single args
 */

/* Initialize `arg` with an owned copy of (buf, size); zero-filled if `buf` is
 * NULL and `size` > 0. VACCEL_EINVAL for a buffer with size 0. */
VACCEL_API int vaccel_arg_init(struct vaccel_arg *arg, const void *buf,
			       size_t size, vaccel_arg_type_t type,
			       uint32_t custom_id);

/* Initialize `arg` borrowing (buf, size). VACCEL_EINVAL if exactly one of
 * buf/size is zero. */
VACCEL_API int vaccel_arg_init_from_buf(struct vaccel_arg *arg, void *buf,
					size_t size, vaccel_arg_type_t type,
					uint32_t custom_id);

/* Heap twins of the two above; free with vaccel_arg_delete(). */
VACCEL_API int vaccel_arg_new(struct vaccel_arg **arg, const void *buf,
			      size_t size, vaccel_arg_type_t type,
			      uint32_t custom_id);
VACCEL_API int vaccel_arg_from_buf(struct vaccel_arg **arg, void *buf,
				   size_t size, vaccel_arg_type_t type,
				   uint32_t custom_id);

/* Free owned data and reset `arg` (type becomes VACCEL_ARG_MAX). */
VACCEL_API int vaccel_arg_release(struct vaccel_arg *arg);

/* Release and free an arg created with vaccel_arg_new()/_from_buf(). */
VACCEL_API int vaccel_arg_delete(struct vaccel_arg *arg);

/*
 * Arg arrays: lifecycle
 */

/* Initialize an empty growable array; capacity 0 means the default (8). */
VACCEL_API int vaccel_arg_array_init(struct vaccel_arg_array *array,
				     size_t initial_capacity);

/* Heap twin of vaccel_arg_array_init(); free with vaccel_arg_array_delete() */
VACCEL_API int vaccel_arg_array_new(struct vaccel_arg_array **array,
				    size_t initial_capacity);

/* Release owned args and the storage of a growable array. For a wrapped
 * array only the view is reset: the caller's args are left untouched.
 * VACCEL_EINVAL if `args` is NULL (e.g. released twice). */
VACCEL_API int vaccel_arg_array_release(struct vaccel_arg_array *array);

/* Release and free an array created with vaccel_arg_array_new(). */
VACCEL_API int vaccel_arg_array_delete(struct vaccel_arg_array *array);

/* Make `array` a fixed-size, non-owning view of args[0..count). Adding to a
 * full wrapped array returns VACCEL_ERANGE. */
VACCEL_API int vaccel_arg_array_wrap(struct vaccel_arg_array *array,
				     struct vaccel_arg *args, size_t count);

/* Release every contained arg (owned data is freed) and reset count and
 * position; capacity and storage are kept. */
VACCEL_API void vaccel_arg_array_clear(struct vaccel_arg_array *array);

/*
 * Arg arrays: adding (borrowing unless stated otherwise)
 */

/* Add an unchecked RAW arg. VACCEL_EINVAL if exactly one of buf/size is 0 */
VACCEL_API int vaccel_arg_array_add_raw(struct vaccel_arg_array *array,
					void *buf, size_t size);

/* Add a STRING arg; its size includes the terminating NUL. */
VACCEL_API int vaccel_arg_array_add_string(struct vaccel_arg_array *array,
					   char *str);

/* Add a non-empty BUFFER arg. */
VACCEL_API int vaccel_arg_array_add_buffer(struct vaccel_arg_array *array,
					   void *buf, size_t size);

/* Add a CUSTOM arg, checked by `validator` when it is not NULL. */
VACCEL_API int
vaccel_arg_array_add_custom(struct vaccel_arg_array *array, uint32_t custom_id,
			    void *buf, size_t size,
			    vaccel_arg_type_validator_fn validator);

/* Serialize `data` with `serializer` and add the result, owned by the array,
 * as an arg of `type` (builtin types are validated). */
VACCEL_API int
vaccel_arg_array_add_serialized(struct vaccel_arg_array *array,
				vaccel_arg_type_t type, uint32_t custom_id,
				const void *data, size_t data_size,
				vaccel_arg_serializer_fn serializer);

/* Append src args [start_idx, start_idx + count) to `dest`. With `copy` the
 * data is duplicated and owned by `dest`, otherwise it is borrowed from
 * `src`. VACCEL_ERANGE if the range exceeds `src`; all-or-nothing. */
VACCEL_API int vaccel_arg_array_add_range(struct vaccel_arg_array *dest,
					  const struct vaccel_arg_array *src,
					  size_t start_idx, size_t count,
					  bool copy);

/* Append the src args from its position to its end. */
VACCEL_API int
vaccel_arg_array_add_remaining(struct vaccel_arg_array *dest,
			       const struct vaccel_arg_array *src, bool copy);

/* Append all the src args. */
VACCEL_API int vaccel_arg_array_add_all(struct vaccel_arg_array *dest,
					const struct vaccel_arg_array *src,
					bool copy);

/* Typed adds: a scalar of exactly sizeof(C_TYPE) bytes, or a non-empty array
 * of `count` elements. BOOL values must be 0 or 1. */
#define VACCEL_ARG_ARRAY_DECLARE_ADD_FUNCS(TYPE_NAME, C_TYPE, ARG_TYPE,        \
					   ARRAY_TYPE)                         \
	VACCEL_API int vaccel_arg_array_add_##TYPE_NAME(                       \
		struct vaccel_arg_array *array, C_TYPE *value);                \
	VACCEL_API int vaccel_arg_array_add_##TYPE_NAME##_array(               \
		struct vaccel_arg_array *array, C_TYPE *values, size_t count);

VACCEL_ARG_NUMERIC_TYPES(VACCEL_ARG_ARRAY_DECLARE_ADD_FUNCS)

/*
 * Arg arrays: getting (read at position, validate, advance)
 */

/* `size` may be NULL in the raw/buffer/custom getters. */
VACCEL_API int vaccel_arg_array_get_raw(struct vaccel_arg_array *array,
					void **buf, size_t *size);
VACCEL_API int vaccel_arg_array_get_string(struct vaccel_arg_array *array,
					   char **str);
VACCEL_API int vaccel_arg_array_get_buffer(struct vaccel_arg_array *array,
					   void **buf, size_t *size);
VACCEL_API int
vaccel_arg_array_get_custom(struct vaccel_arg_array *array,
			    uint32_t expected_id, void **buf, size_t *size,
			    vaccel_arg_type_validator_fn validator);

/* Check the arg type (custom id for CUSTOM, builtin rules otherwise), then
 * deserialize it into `data` (`expected_size` bytes). */
VACCEL_API int vaccel_arg_array_get_serialized(
	struct vaccel_arg_array *array, vaccel_arg_type_t expected_type,
	uint32_t expected_custom_id, void *data, size_t expected_size,
	vaccel_arg_deserializer_fn deserializer);

/* Return the args from position to the end (NULL and 0 when none left)
 * without advancing. */
VACCEL_API int vaccel_arg_array_get_remaining(struct vaccel_arg_array *array,
					      struct vaccel_arg **args,
					      size_t *count);

/* Typed gets: the scalar is copied out; the array getter returns a pointer
 * into the arg and the element count (`count` may be NULL). */
#define VACCEL_ARG_ARRAY_DECLARE_GET_FUNCS(TYPE_NAME, C_TYPE, ARG_TYPE,        \
					   ARRAY_TYPE)                         \
	VACCEL_API int vaccel_arg_array_get_##TYPE_NAME(                       \
		struct vaccel_arg_array *array, C_TYPE *value);                \
	VACCEL_API int vaccel_arg_array_get_##TYPE_NAME##_array(               \
		struct vaccel_arg_array *array, C_TYPE **values,               \
		size_t *count);

VACCEL_ARG_NUMERIC_TYPES(VACCEL_ARG_ARRAY_DECLARE_GET_FUNCS)

/*
 * Arg arrays: setting (write into the arg at position, advance)
 */

/* Data must fit in the arg (raw, string incl. NUL, buffer) or match its size
 * exactly (custom, serialized). */
VACCEL_API int vaccel_arg_array_set_raw(struct vaccel_arg_array *array,
					void *buf, size_t size);
VACCEL_API int vaccel_arg_array_set_string(struct vaccel_arg_array *array,
					   char *str);
VACCEL_API int vaccel_arg_array_set_buffer(struct vaccel_arg_array *array,
					   void *buf, size_t size);
VACCEL_API int
vaccel_arg_array_set_custom(struct vaccel_arg_array *array,
			    uint32_t expected_id, void *buf, size_t size,
			    vaccel_arg_type_validator_fn validator);
VACCEL_API int vaccel_arg_array_set_serialized(
	struct vaccel_arg_array *array, vaccel_arg_type_t expected_type,
	uint32_t expected_custom_id, void *data, size_t data_size,
	vaccel_arg_serializer_fn serializer);

/* Typed sets: the scalar arg must be exactly sizeof(C_TYPE); the array values
 * must fit in the arg. */
#define VACCEL_ARG_ARRAY_DECLARE_SET_FUNCS(TYPE_NAME, C_TYPE, ARG_TYPE,        \
					   ARRAY_TYPE)                         \
	VACCEL_API int vaccel_arg_array_set_##TYPE_NAME(                       \
		struct vaccel_arg_array *array, C_TYPE *value);                \
	VACCEL_API int vaccel_arg_array_set_##TYPE_NAME##_array(               \
		struct vaccel_arg_array *array, C_TYPE *values, size_t count);

VACCEL_ARG_NUMERIC_TYPES(VACCEL_ARG_ARRAY_DECLARE_SET_FUNCS)

/*
 * Arg arrays: cursor and accessors (NULL array: 0 / no-op / NULL)
 */

VACCEL_API size_t
vaccel_arg_array_remaining_count(const struct vaccel_arg_array *array);
VACCEL_API size_t
vaccel_arg_array_position(const struct vaccel_arg_array *array);

/* Set the cursor; positions past the end are clamped to `count`. */
VACCEL_API void vaccel_arg_array_set_position(struct vaccel_arg_array *array,
					      size_t position);
VACCEL_API void vaccel_arg_array_reset_position(struct vaccel_arg_array *array);
VACCEL_API size_t vaccel_arg_array_count(const struct vaccel_arg_array *array);
VACCEL_API struct vaccel_arg *
vaccel_arg_array_raw(struct vaccel_arg_array *array);

/*
 * Deprecated list API (kept for source compatibility). Serial args are RAW,
 * non-serial args CUSTOM with custom_type_id = type. Memory allocated by the
 * list (expect_nonserial, serializer output) is freed by vaccel_delete_args.
 * Adding to a full list returns VACCEL_ERANGE.
 */

#define VACCEL_ARG_LIST_DEPRECATED                                             \
	VACCEL_DEPRECATED("use struct vaccel_arg_array instead")

struct vaccel_arg_list {
	/* Number of slots in `list` */
	uint32_t size;

	/* Slots */
	struct vaccel_arg *list;

	/* Next slot to fill */
	int curr_idx;

	/* 1 where the slot's buffer was allocated by the list, else 0 */
	int *idcs_allocated_space;
};

VACCEL_API VACCEL_ARG_LIST_DEPRECATED struct vaccel_arg_list *
vaccel_args_init(uint32_t size);
VACCEL_API VACCEL_ARG_LIST_DEPRECATED int
vaccel_add_serial_arg(struct vaccel_arg_list *args, void *buf, uint32_t size);
VACCEL_API VACCEL_ARG_LIST_DEPRECATED int
vaccel_add_nonserial_arg(struct vaccel_arg_list *args, void *buf, uint32_t type,
			 void *(*serializer)(void *, uint32_t *));
VACCEL_API VACCEL_ARG_LIST_DEPRECATED int
vaccel_expect_serial_arg(struct vaccel_arg_list *args, void *buf,
			 uint32_t size);
VACCEL_API VACCEL_ARG_LIST_DEPRECATED int
vaccel_expect_nonserial_arg(struct vaccel_arg_list *args,
			    uint32_t expected_size);
VACCEL_API VACCEL_ARG_LIST_DEPRECATED void *
vaccel_extract_serial_arg(struct vaccel_arg *args, int idx);
VACCEL_API VACCEL_ARG_LIST_DEPRECATED void *
vaccel_extract_nonserial_arg(struct vaccel_arg *args, int idx,
			     void *(*deserializer)(void *, uint32_t));
VACCEL_API VACCEL_ARG_LIST_DEPRECATED int
vaccel_write_serial_arg(struct vaccel_arg *args, int idx, void *buf);
VACCEL_API VACCEL_ARG_LIST_DEPRECATED int
vaccel_write_nonserial_arg(struct vaccel_arg *args, int idx, void *buf,
			   void *(*serializer)(void *, uint32_t *));
VACCEL_API VACCEL_ARG_LIST_DEPRECATED int
vaccel_delete_args(struct vaccel_arg_list *args);

#undef VACCEL_ARG_LIST_DEPRECATED

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_ARG_H */
