// SPDX-License-Identifier: Apache-2.0
/*
 * Typed operation arguments: single args and arg arrays.
 */
#include "vaccel/arg.h"
#include "vaccel/error.h"
#include "vaccel/log.h"
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { ARG_ARRAY_DEFAULT_CAPACITY = 8 };

_Static_assert(VACCEL_ARG_RAW == 0 && VACCEL_ARG_UCHAR_ARRAY == 26 &&
		       VACCEL_ARG_STRING == 27 && VACCEL_ARG_CUSTOM == 29 &&
		       VACCEL_ARG_MAX == 30,
	       "vaccel_arg_type_t numbers are part of the wire format");
/* BOOL validation inspects the object representation byte by byte. */
_Static_assert(sizeof(bool) == 1, "bool must be one byte");

/*
 * Type rules
 */

enum arg_kind {
	ARG_KIND_INVALID,
	ARG_KIND_RAW,
	ARG_KIND_SCALAR,
	ARG_KIND_ARRAY,
	ARG_KIND_STRING,
	ARG_KIND_BUFFER,
	ARG_KIND_CUSTOM,
};

struct arg_type_info {
	enum arg_kind kind;
	size_t elem_size; /* scalar and array kinds */
	bool is_bool;
};

static struct arg_type_info arg_type_info(vaccel_arg_type_t type)
{
	struct arg_type_info info = {ARG_KIND_INVALID, 0, false};

	switch (type) {
#define ARG_TYPE_INFO_CASES(TYPE_NAME, C_TYPE, ARG_TYPE, ARRAY_TYPE)           \
	case ARG_TYPE:                                                         \
		info.kind = ARG_KIND_SCALAR;                                   \
		info.elem_size = sizeof(C_TYPE);                               \
		info.is_bool = (ARG_TYPE) == VACCEL_ARG_BOOL;                  \
		break;                                                         \
	case ARRAY_TYPE:                                                       \
		info.kind = ARG_KIND_ARRAY;                                    \
		info.elem_size = sizeof(C_TYPE);                               \
		info.is_bool = (ARG_TYPE) == VACCEL_ARG_BOOL;                  \
		break;
		VACCEL_ARG_NUMERIC_TYPES(ARG_TYPE_INFO_CASES)
#undef ARG_TYPE_INFO_CASES
	case VACCEL_ARG_RAW:
		info.kind = ARG_KIND_RAW;
		break;
	case VACCEL_ARG_STRING:
		info.kind = ARG_KIND_STRING;
		break;
	case VACCEL_ARG_BUFFER:
		info.kind = ARG_KIND_BUFFER;
		break;
	case VACCEL_ARG_CUSTOM:
		info.kind = ARG_KIND_CUSTOM;
		break;
	default:
		break;
	}

	return info;
}

static bool arg_type_is_valid(vaccel_arg_type_t type)
{
	return (unsigned int)type < (unsigned int)VACCEL_ARG_MAX;
}

static const char *arg_type_str(vaccel_arg_type_t type)
{
	return vaccel_arg_type_to_str(type);
}

/* Both zero or both non-zero. */
static bool buf_size_consistent(const void *buf, size_t size)
{
	return (buf == NULL) == (size == 0);
}

static bool bool_values_valid(const void *buf, size_t size)
{
	const unsigned char *bytes = buf;

	for (size_t i = 0; i < size; i++)
		if (bytes[i] > 1)
			return false;
	return true;
}

/*
 * Check that (buf, size) has the shape of `type`: scalars exactly one element,
 * arrays a non-empty multiple of the element size, strings and buffers
 * non-empty. With `check_values`, BOOL values must also be 0/1 and strings
 * NUL-terminated (used for data being read or written, not for destination
 * buffers).
 */
static int arg_check_data(const char *func, vaccel_arg_type_t type,
			  const void *buf, size_t size, bool check_values)
{
	const struct arg_type_info info = arg_type_info(type);

	switch (info.kind) {
	case ARG_KIND_RAW:
	case ARG_KIND_CUSTOM:
		if (!buf_size_consistent(buf, size)) {
			vaccel_error("%s: %s arg has %s buffer of size %zu",
				     func, arg_type_str(type), buf ? "a" : "no",
				     size);
			return VACCEL_EINVAL;
		}
		return VACCEL_OK;
	case ARG_KIND_SCALAR:
		if (!buf || size != info.elem_size) {
			vaccel_error("%s: %s arg must be %zu bytes, got %zu%s",
				     func, arg_type_str(type), info.elem_size,
				     size, buf ? "" : " (no buffer)");
			return VACCEL_EINVAL;
		}
		break;
	case ARG_KIND_ARRAY:
		if (!buf || size == 0 || size % info.elem_size != 0) {
			vaccel_error("%s: %s arg must be a non-empty multiple "
				     "of %zu bytes, got %zu%s",
				     func, arg_type_str(type), info.elem_size,
				     size, buf ? "" : " (no buffer)");
			return VACCEL_EINVAL;
		}
		break;
	case ARG_KIND_STRING:
		if (!buf || size == 0) {
			vaccel_error("%s: STRING arg is empty", func);
			return VACCEL_EINVAL;
		}
		if (check_values && ((const char *)buf)[size - 1] != '\0') {
			vaccel_error("%s: STRING arg of %zu bytes is not "
				     "NUL-terminated",
				     func, size);
			return VACCEL_EINVAL;
		}
		return VACCEL_OK;
	case ARG_KIND_BUFFER:
		if (!buf || size == 0) {
			vaccel_error("%s: BUFFER arg is empty", func);
			return VACCEL_EINVAL;
		}
		return VACCEL_OK;
	default:
		vaccel_error("%s: invalid arg type %u", func,
			     (unsigned int)type);
		return VACCEL_EINVAL;
	}

	if (check_values && info.is_bool && !bool_values_valid(buf, size)) {
		vaccel_error("%s: %s arg holds a value other than 0/1", func,
			     arg_type_str(type));
		return VACCEL_EINVAL;
	}

	return VACCEL_OK;
}

/* Log a failed callback; callbacks must return positive codes, anything else
 * is mapped to VACCEL_EINVAL. */
static int callback_ret(const char *func, const char *what, int ret)
{
	if (ret > 0) {
		vaccel_error("%s: %s failed: %d", func, what, ret);
		return ret;
	}

	vaccel_error("%s: %s failed with invalid code %d", func, what, ret);
	return VACCEL_EINVAL;
}

/*
 * Single args
 */

static void arg_set(struct vaccel_arg *arg, void *buf, size_t size,
		    vaccel_arg_type_t type, uint32_t custom_id, bool owned)
{
	arg->buf = buf;
	arg->size = size;
	arg->type = type;
	arg->custom_type_id = custom_id;
	arg->owned = owned;
}

int vaccel_arg_init(struct vaccel_arg *arg, const void *buf, size_t size,
		    vaccel_arg_type_t type, uint32_t custom_id)
{
	if (!arg) {
		vaccel_error("%s: arg is NULL", __func__);
		return VACCEL_EINVAL;
	}
	if (!arg_type_is_valid(type)) {
		vaccel_error("%s: invalid arg type %u", __func__,
			     (unsigned int)type);
		return VACCEL_EINVAL;
	}
	if (buf && !size) {
		vaccel_error("%s: buffer given with size 0", __func__);
		return VACCEL_EINVAL;
	}

	void *data = NULL;
	if (size) {
		data = malloc(size);
		if (!data) {
			vaccel_error("%s: could not allocate %zu bytes",
				     __func__, size);
			return VACCEL_ENOMEM;
		}
		if (buf)
			memcpy(data, buf, size);
		else
			memset(data, 0, size);
	}

	arg_set(arg, data, size, type, custom_id, data != NULL);
	return VACCEL_OK;
}

int vaccel_arg_init_from_buf(struct vaccel_arg *arg, void *buf, size_t size,
			     vaccel_arg_type_t type, uint32_t custom_id)
{
	if (!arg) {
		vaccel_error("%s: arg is NULL", __func__);
		return VACCEL_EINVAL;
	}
	if (!arg_type_is_valid(type)) {
		vaccel_error("%s: invalid arg type %u", __func__,
			     (unsigned int)type);
		return VACCEL_EINVAL;
	}
	if (!buf_size_consistent(buf, size)) {
		vaccel_error("%s: %s with size %zu", __func__,
			     buf ? "buffer" : "no buffer", size);
		return VACCEL_EINVAL;
	}

	arg_set(arg, buf, size, type, custom_id, false);
	return VACCEL_OK;
}

/* Heap twin of vaccel_arg_init (copy) or vaccel_arg_init_from_buf (borrow). */
static int arg_new(const char *fn, struct vaccel_arg **arg, void *buf,
		   size_t size, vaccel_arg_type_t type, uint32_t custom_id,
		   bool borrow)
{
	if (!arg) {
		vaccel_error("%s: arg is NULL", fn);
		return VACCEL_EINVAL;
	}

	struct vaccel_arg *a = malloc(sizeof(*a));
	if (!a) {
		vaccel_error("%s: could not allocate arg", fn);
		return VACCEL_ENOMEM;
	}

	int ret =
		borrow ? vaccel_arg_init_from_buf(a, buf, size, type, custom_id)
		       : vaccel_arg_init(a, buf, size, type, custom_id);
	if (ret) {
		free(a);
		return ret;
	}

	*arg = a;
	return VACCEL_OK;
}

int vaccel_arg_new(struct vaccel_arg **arg, const void *buf, size_t size,
		   vaccel_arg_type_t type, uint32_t custom_id)
{
	/* copied, never written through: the cast only shares the helper */
	return arg_new(__func__, arg, (void *)buf, size, type, custom_id,
		       false);
}

int vaccel_arg_from_buf(struct vaccel_arg **arg, void *buf, size_t size,
			vaccel_arg_type_t type, uint32_t custom_id)
{
	return arg_new(__func__, arg, buf, size, type, custom_id, true);
}

int vaccel_arg_release(struct vaccel_arg *arg)
{
	if (!arg) {
		vaccel_error("%s: arg is NULL", __func__);
		return VACCEL_EINVAL;
	}

	if (arg->owned)
		free(arg->buf);

	arg_set(arg, NULL, 0, VACCEL_ARG_MAX, 0, false);
	return VACCEL_OK;
}

int vaccel_arg_delete(struct vaccel_arg *arg)
{
	int ret = vaccel_arg_release(arg);
	if (ret)
		return ret;

	free(arg);
	return VACCEL_OK;
}

/*
 * Arg arrays: lifecycle
 */

int vaccel_arg_array_init(struct vaccel_arg_array *array,
			  size_t initial_capacity)
{
	if (!array) {
		vaccel_error("%s: array is NULL", __func__);
		return VACCEL_EINVAL;
	}

	size_t capacity = initial_capacity ? initial_capacity
					   : ARG_ARRAY_DEFAULT_CAPACITY;
	if (capacity > SIZE_MAX / sizeof(struct vaccel_arg)) {
		vaccel_error("%s: capacity %zu is too large", __func__,
			     capacity);
		return VACCEL_ENOMEM;
	}

	struct vaccel_arg *args = calloc(capacity, sizeof(*args));
	if (!args) {
		vaccel_error("%s: could not allocate %zu args", __func__,
			     capacity);
		return VACCEL_ENOMEM;
	}

	array->args = args;
	array->count = 0;
	array->capacity = capacity;
	array->position = 0;
	array->owned = true;
	return VACCEL_OK;
}

int vaccel_arg_array_new(struct vaccel_arg_array **array,
			 size_t initial_capacity)
{
	if (!array) {
		vaccel_error("%s: array is NULL", __func__);
		return VACCEL_EINVAL;
	}

	struct vaccel_arg_array *a = malloc(sizeof(*a));
	if (!a) {
		vaccel_error("%s: could not allocate array", __func__);
		return VACCEL_ENOMEM;
	}

	int ret = vaccel_arg_array_init(a, initial_capacity);
	if (ret) {
		free(a);
		return ret;
	}

	*array = a;
	return VACCEL_OK;
}

int vaccel_arg_array_release(struct vaccel_arg_array *array)
{
	if (!array) {
		vaccel_error("%s: array is NULL", __func__);
		return VACCEL_EINVAL;
	}
	if (!array->args) {
		vaccel_error("%s: array has no args (not initialized?)",
			     __func__);
		return VACCEL_EINVAL;
	}

	if (array->owned) {
		for (size_t i = 0; i < array->count && i < array->capacity; i++)
			vaccel_arg_release(&array->args[i]);
		free(array->args);
	}

	array->args = NULL;
	array->count = 0;
	array->capacity = 0;
	array->position = 0;
	array->owned = false;
	return VACCEL_OK;
}

int vaccel_arg_array_delete(struct vaccel_arg_array *array)
{
	int ret = vaccel_arg_array_release(array);
	if (ret)
		return ret;

	free(array);
	return VACCEL_OK;
}

int vaccel_arg_array_wrap(struct vaccel_arg_array *array,
			  struct vaccel_arg *args, size_t count)
{
	if (!array) {
		vaccel_error("%s: array is NULL", __func__);
		return VACCEL_EINVAL;
	}
	if (!args && count) {
		vaccel_error("%s: no args given with count %zu", __func__,
			     count);
		return VACCEL_EINVAL;
	}

	array->args = args;
	array->count = count;
	array->capacity = count;
	array->position = 0;
	array->owned = false;
	return VACCEL_OK;
}

void vaccel_arg_array_clear(struct vaccel_arg_array *array)
{
	if (!array) {
		vaccel_error("%s: array is NULL", __func__);
		return;
	}

	if (array->args) {
		for (size_t i = 0; i < array->count && i < array->capacity; i++)
			vaccel_arg_release(&array->args[i]);
	}

	array->count = 0;
	array->position = 0;
}

/*
 * Arg arrays: adding
 */

/* Make room for `extra` more args: grow an owned array by doubling, or fail
 * with ERANGE for a full fixed one. */
static int array_reserve(const char *func, struct vaccel_arg_array *array,
			 size_t extra)
{
	const size_t count = array->count;

	if (count <= array->capacity && extra <= array->capacity - count) {
		if (extra && !array->args) {
			vaccel_error("%s: array has no storage", func);
			return VACCEL_EINVAL;
		}
		return VACCEL_OK;
	}

	if (!array->owned) {
		vaccel_error("%s: fixed-size array is full (count %zu, "
			     "capacity %zu)",
			     func, count, array->capacity);
		return VACCEL_ERANGE;
	}

	const size_t max_args = SIZE_MAX / sizeof(struct vaccel_arg);
	if (count > array->capacity || extra > max_args - count) {
		vaccel_error("%s: cannot grow array of %zu args by %zu", func,
			     count, extra);
		return VACCEL_ENOMEM;
	}
	const size_t needed = count + extra;

	size_t capacity =
		array->capacity ? array->capacity : ARG_ARRAY_DEFAULT_CAPACITY;
	while (capacity < needed)
		capacity = capacity > max_args / 2 ? max_args : capacity * 2;

	struct vaccel_arg *args =
		realloc(array->args, capacity * sizeof(struct vaccel_arg));
	if (!args) {
		vaccel_error("%s: could not grow array to %zu args", func,
			     capacity);
		return VACCEL_ENOMEM;
	}

	memset(&args[array->capacity], 0,
	       (capacity - array->capacity) * sizeof(struct vaccel_arg));
	array->args = args;
	array->capacity = capacity;
	return VACCEL_OK;
}

static int array_push(const char *func, struct vaccel_arg_array *array,
		      void *buf, size_t size, vaccel_arg_type_t type,
		      uint32_t custom_id, bool owned)
{
	int ret = array_reserve(func, array, 1);
	if (ret)
		return ret;

	arg_set(&array->args[array->count], buf, size, type, custom_id, owned);
	array->count++;
	return VACCEL_OK;
}

/* Validate (buf, size) for `type` and add it borrowed. */
static int array_add_checked(const char *func, struct vaccel_arg_array *array,
			     void *buf, size_t size, vaccel_arg_type_t type,
			     uint32_t custom_id)
{
	if (!array) {
		vaccel_error("%s: array is NULL", func);
		return VACCEL_EINVAL;
	}

	int ret = arg_check_data(func, type, buf, size, true);
	if (ret)
		return ret;

	return array_push(func, array, buf, size, type, custom_id, false);
}

int vaccel_arg_array_add_raw(struct vaccel_arg_array *array, void *buf,
			     size_t size)
{
	return array_add_checked(__func__, array, buf, size, VACCEL_ARG_RAW, 0);
}

int vaccel_arg_array_add_string(struct vaccel_arg_array *array, char *str)
{
	if (!str) {
		vaccel_error("%s: str is NULL", __func__);
		return VACCEL_EINVAL;
	}

	const size_t len = strlen(str);
	if (len == SIZE_MAX) {
		vaccel_error("%s: string is too long", __func__);
		return VACCEL_EINVAL;
	}

	return array_add_checked(__func__, array, str, len + 1,
				 VACCEL_ARG_STRING, 0);
}

int vaccel_arg_array_add_buffer(struct vaccel_arg_array *array, void *buf,
				size_t size)
{
	return array_add_checked(__func__, array, buf, size, VACCEL_ARG_BUFFER,
				 0);
}

int vaccel_arg_array_add_custom(struct vaccel_arg_array *array,
				uint32_t custom_id, void *buf, size_t size,
				vaccel_arg_type_validator_fn validator)
{
	if (!array) {
		vaccel_error("%s: array is NULL", __func__);
		return VACCEL_EINVAL;
	}

	int ret = arg_check_data(__func__, VACCEL_ARG_CUSTOM, buf, size, true);
	if (ret)
		return ret;

	if (validator && !validator(buf, size, custom_id)) {
		vaccel_error("%s: validator rejected custom arg (id %" PRIu32
			     ", %zu bytes)",
			     __func__, custom_id, size);
		return VACCEL_EINVAL;
	}

	return array_push(__func__, array, buf, size, VACCEL_ARG_CUSTOM,
			  custom_id, false);
}

int vaccel_arg_array_add_serialized(struct vaccel_arg_array *array,
				    vaccel_arg_type_t type, uint32_t custom_id,
				    const void *data, size_t data_size,
				    vaccel_arg_serializer_fn serializer)
{
	if (!array) {
		vaccel_error("%s: array is NULL", __func__);
		return VACCEL_EINVAL;
	}
	if (!serializer) {
		vaccel_error("%s: serializer is NULL", __func__);
		return VACCEL_EINVAL;
	}
	if (!arg_type_is_valid(type)) {
		vaccel_error("%s: invalid arg type %u", __func__,
			     (unsigned int)type);
		return VACCEL_EINVAL;
	}

	void *buf = NULL;
	size_t size = 0;
	int ret = serializer(data, data_size, custom_id, &buf, &size);
	if (ret)
		return callback_ret(__func__, "serializer", ret);

	ret = arg_check_data(__func__, type, buf, size, true);
	if (ret) {
		free(buf);
		return ret;
	}

	ret = array_push(__func__, array, buf, size, type, custom_id,
			 buf != NULL);
	if (ret)
		free(buf);
	return ret;
}

int vaccel_arg_array_add_range(struct vaccel_arg_array *dest,
			       const struct vaccel_arg_array *src,
			       size_t start_idx, size_t count, bool copy)
{
	if (!dest || !src) {
		vaccel_error("%s: %s array is NULL", __func__,
			     dest ? "source" : "destination");
		return VACCEL_EINVAL;
	}
	if (dest == src) {
		vaccel_error("%s: source and destination are the same array",
			     __func__);
		return VACCEL_EINVAL;
	}
	if (start_idx > src->count || count > src->count - start_idx) {
		vaccel_error("%s: range [%zu, +%zu) exceeds source count %zu",
			     __func__, start_idx, count, src->count);
		return VACCEL_ERANGE;
	}
	if (!count)
		return VACCEL_OK;
	if (!src->args) {
		vaccel_error("%s: source array has no args", __func__);
		return VACCEL_EINVAL;
	}

	int ret = array_reserve(__func__, dest, count);
	if (ret)
		return ret;

	const size_t first = dest->count;
	for (size_t i = 0; i < count; i++) {
		const struct vaccel_arg *s = &src->args[start_idx + i];
		struct vaccel_arg *d = &dest->args[first + i];

		if (!copy || !s->size || !s->buf) {
			arg_set(d, s->buf, s->size, s->type, s->custom_type_id,
				false);
			continue;
		}

		void *buf = malloc(s->size);
		if (!buf) {
			vaccel_error("%s: could not allocate %zu bytes",
				     __func__, s->size);
			for (size_t j = 0; j < i; j++)
				vaccel_arg_release(&dest->args[first + j]);
			return VACCEL_ENOMEM;
		}
		memcpy(buf, s->buf, s->size);
		arg_set(d, buf, s->size, s->type, s->custom_type_id, true);
	}

	dest->count = first + count;
	return VACCEL_OK;
}

int vaccel_arg_array_add_remaining(struct vaccel_arg_array *dest,
				   const struct vaccel_arg_array *src,
				   bool copy)
{
	if (!src) {
		vaccel_error("%s: source array is NULL", __func__);
		return VACCEL_EINVAL;
	}

	const size_t start =
		src->position < src->count ? src->position : src->count;
	return vaccel_arg_array_add_range(dest, src, start, src->count - start,
					  copy);
}

int vaccel_arg_array_add_all(struct vaccel_arg_array *dest,
			     const struct vaccel_arg_array *src, bool copy)
{
	if (!src) {
		vaccel_error("%s: source array is NULL", __func__);
		return VACCEL_EINVAL;
	}

	return vaccel_arg_array_add_range(dest, src, 0, src->count, copy);
}

/*
 * Arg arrays: getting and setting
 */

/* The arg at the cursor, after checking its type (and custom id). */
static int array_current(const char *func, struct vaccel_arg_array *array,
			 vaccel_arg_type_t type, uint32_t custom_id,
			 struct vaccel_arg **arg)
{
	if (!array) {
		vaccel_error("%s: array is NULL", func);
		return VACCEL_EINVAL;
	}
	if (array->position >= array->count) {
		vaccel_error("%s: no arg at position %zu (count %zu)", func,
			     array->position, array->count);
		return VACCEL_ERANGE;
	}
	if (!array->args || array->position >= array->capacity) {
		vaccel_error("%s: array storage is inconsistent", func);
		return VACCEL_EINVAL;
	}

	struct vaccel_arg *a = &array->args[array->position];
	if (a->type != type) {
		vaccel_error("%s: arg %zu has type %u (%s), expected %s", func,
			     array->position, (unsigned int)a->type,
			     arg_type_str(a->type), arg_type_str(type));
		return VACCEL_EINVAL;
	}
	if (type == VACCEL_ARG_CUSTOM && a->custom_type_id != custom_id) {
		vaccel_error("%s: arg %zu has custom id %" PRIu32
			     ", expected %" PRIu32,
			     func, array->position, a->custom_type_id,
			     custom_id);
		return VACCEL_EINVAL;
	}

	*arg = a;
	return VACCEL_OK;
}

/* Current arg for reading: type and data checked. */
static int array_read_arg(const char *func, struct vaccel_arg_array *array,
			  vaccel_arg_type_t type, uint32_t custom_id,
			  struct vaccel_arg **arg)
{
	int ret = array_current(func, array, type, custom_id, arg);
	if (ret)
		return ret;

	return arg_check_data(func, type, (*arg)->buf, (*arg)->size, true);
}

/* Current arg for writing: type and destination shape checked. */
static int array_write_arg(const char *func, struct vaccel_arg_array *array,
			   vaccel_arg_type_t type, uint32_t custom_id,
			   struct vaccel_arg **arg)
{
	int ret = array_current(func, array, type, custom_id, arg);
	if (ret)
		return ret;

	return arg_check_data(func, type, (*arg)->buf, (*arg)->size, false);
}

/*
 * Copy (buf, size) into `arg`, which must hold at least (or, with `exact`,
 * exactly) `size` bytes. The data is validated against the arg type (BOOL
 * values, string terminator) once it is known to fit.
 */
static int arg_write(const char *func, struct vaccel_arg *arg, const void *buf,
		     size_t size, bool exact)
{
	if (exact ? size != arg->size : size > arg->size) {
		vaccel_error("%s: %zu bytes do not %s %s arg of %zu bytes",
			     func, size, exact ? "match" : "fit in",
			     arg_type_str(arg->type), arg->size);
		return VACCEL_EINVAL;
	}

	int ret = arg_check_data(func, arg->type, buf, size, true);
	if (ret)
		return ret;

	if (size)
		memcpy(arg->buf, buf, size);
	return VACCEL_OK;
}

int vaccel_arg_array_get_raw(struct vaccel_arg_array *array, void **buf,
			     size_t *size)
{
	if (!buf) {
		vaccel_error("%s: buf is NULL", __func__);
		return VACCEL_EINVAL;
	}

	struct vaccel_arg *arg;
	int ret = array_read_arg(__func__, array, VACCEL_ARG_RAW, 0, &arg);
	if (ret)
		return ret;

	*buf = arg->buf;
	if (size)
		*size = arg->size;
	array->position++;
	return VACCEL_OK;
}

int vaccel_arg_array_get_string(struct vaccel_arg_array *array, char **str)
{
	if (!str) {
		vaccel_error("%s: str is NULL", __func__);
		return VACCEL_EINVAL;
	}

	struct vaccel_arg *arg;
	int ret = array_read_arg(__func__, array, VACCEL_ARG_STRING, 0, &arg);
	if (ret)
		return ret;

	*str = arg->buf;
	array->position++;
	return VACCEL_OK;
}

int vaccel_arg_array_get_buffer(struct vaccel_arg_array *array, void **buf,
				size_t *size)
{
	if (!buf) {
		vaccel_error("%s: buf is NULL", __func__);
		return VACCEL_EINVAL;
	}

	struct vaccel_arg *arg;
	int ret = array_read_arg(__func__, array, VACCEL_ARG_BUFFER, 0, &arg);
	if (ret)
		return ret;

	*buf = arg->buf;
	if (size)
		*size = arg->size;
	array->position++;
	return VACCEL_OK;
}

int vaccel_arg_array_get_custom(struct vaccel_arg_array *array,
				uint32_t expected_id, void **buf, size_t *size,
				vaccel_arg_type_validator_fn validator)
{
	if (!buf) {
		vaccel_error("%s: buf is NULL", __func__);
		return VACCEL_EINVAL;
	}

	struct vaccel_arg *arg;
	int ret = array_read_arg(__func__, array, VACCEL_ARG_CUSTOM,
				 expected_id, &arg);
	if (ret)
		return ret;

	if (validator && !validator(arg->buf, arg->size, expected_id)) {
		vaccel_error("%s: validator rejected arg %zu (id %" PRIu32
			     ", %zu bytes)",
			     __func__, array->position, expected_id, arg->size);
		return VACCEL_EINVAL;
	}

	*buf = arg->buf;
	if (size)
		*size = arg->size;
	array->position++;
	return VACCEL_OK;
}

int vaccel_arg_array_get_serialized(struct vaccel_arg_array *array,
				    vaccel_arg_type_t expected_type,
				    uint32_t expected_custom_id, void *data,
				    size_t expected_size,
				    vaccel_arg_deserializer_fn deserializer)
{
	if (!deserializer) {
		vaccel_error("%s: deserializer is NULL", __func__);
		return VACCEL_EINVAL;
	}
	if (!data && expected_size) {
		vaccel_error("%s: data is NULL with size %zu", __func__,
			     expected_size);
		return VACCEL_EINVAL;
	}
	if (!arg_type_is_valid(expected_type)) {
		vaccel_error("%s: invalid arg type %u", __func__,
			     (unsigned int)expected_type);
		return VACCEL_EINVAL;
	}

	struct vaccel_arg *arg;
	int ret = array_read_arg(__func__, array, expected_type,
				 expected_custom_id, &arg);
	if (ret)
		return ret;

	ret = deserializer(arg->buf, arg->size, arg->custom_type_id,
			   expected_size, data);
	if (ret)
		return callback_ret(__func__, "deserializer", ret);

	array->position++;
	return VACCEL_OK;
}

int vaccel_arg_array_get_remaining(struct vaccel_arg_array *array,
				   struct vaccel_arg **args, size_t *count)
{
	if (!array || !args || !count) {
		vaccel_error("%s: %s is NULL", __func__,
			     !array  ? "array"
			     : !args ? "args"
				     : "count");
		return VACCEL_EINVAL;
	}

	const size_t remaining = vaccel_arg_array_remaining_count(array);
	if (remaining && !array->args) {
		vaccel_error("%s: array has no args", __func__);
		return VACCEL_EINVAL;
	}

	*args = remaining ? &array->args[array->position] : NULL;
	*count = remaining;
	return VACCEL_OK;
}

int vaccel_arg_array_set_raw(struct vaccel_arg_array *array, void *buf,
			     size_t size)
{
	if (!buf_size_consistent(buf, size)) {
		vaccel_error("%s: %s with size %zu", __func__,
			     buf ? "buffer" : "no buffer", size);
		return VACCEL_EINVAL;
	}

	struct vaccel_arg *arg;
	int ret = array_write_arg(__func__, array, VACCEL_ARG_RAW, 0, &arg);
	if (ret)
		return ret;

	ret = arg_write(__func__, arg, buf, size, false);
	if (ret)
		return ret;

	array->position++;
	return VACCEL_OK;
}

int vaccel_arg_array_set_string(struct vaccel_arg_array *array, char *str)
{
	if (!str) {
		vaccel_error("%s: str is NULL", __func__);
		return VACCEL_EINVAL;
	}

	const size_t len = strlen(str);
	if (len == SIZE_MAX) {
		vaccel_error("%s: string is too long", __func__);
		return VACCEL_EINVAL;
	}

	struct vaccel_arg *arg;
	int ret = array_write_arg(__func__, array, VACCEL_ARG_STRING, 0, &arg);
	if (ret)
		return ret;

	ret = arg_write(__func__, arg, str, len + 1, false);
	if (ret)
		return ret;

	array->position++;
	return VACCEL_OK;
}

int vaccel_arg_array_set_buffer(struct vaccel_arg_array *array, void *buf,
				size_t size)
{
	if (!buf || !size) {
		vaccel_error("%s: buffer is empty", __func__);
		return VACCEL_EINVAL;
	}

	struct vaccel_arg *arg;
	int ret = array_write_arg(__func__, array, VACCEL_ARG_BUFFER, 0, &arg);
	if (ret)
		return ret;

	ret = arg_write(__func__, arg, buf, size, false);
	if (ret)
		return ret;

	array->position++;
	return VACCEL_OK;
}

int vaccel_arg_array_set_custom(struct vaccel_arg_array *array,
				uint32_t expected_id, void *buf, size_t size,
				vaccel_arg_type_validator_fn validator)
{
	if (!buf_size_consistent(buf, size)) {
		vaccel_error("%s: %s with size %zu", __func__,
			     buf ? "buffer" : "no buffer", size);
		return VACCEL_EINVAL;
	}

	struct vaccel_arg *arg;
	int ret = array_write_arg(__func__, array, VACCEL_ARG_CUSTOM,
				  expected_id, &arg);
	if (ret)
		return ret;

	if (validator && !validator(buf, size, expected_id)) {
		vaccel_error("%s: validator rejected data (id %" PRIu32
			     ", %zu bytes)",
			     __func__, expected_id, size);
		return VACCEL_EINVAL;
	}

	ret = arg_write(__func__, arg, buf, size, true);
	if (ret)
		return ret;

	array->position++;
	return VACCEL_OK;
}

int vaccel_arg_array_set_serialized(struct vaccel_arg_array *array,
				    vaccel_arg_type_t expected_type,
				    uint32_t expected_custom_id, void *data,
				    size_t data_size,
				    vaccel_arg_serializer_fn serializer)
{
	if (!serializer) {
		vaccel_error("%s: serializer is NULL", __func__);
		return VACCEL_EINVAL;
	}
	if (!arg_type_is_valid(expected_type)) {
		vaccel_error("%s: invalid arg type %u", __func__,
			     (unsigned int)expected_type);
		return VACCEL_EINVAL;
	}

	struct vaccel_arg *arg;
	int ret = array_write_arg(__func__, array, expected_type,
				  expected_custom_id, &arg);
	if (ret)
		return ret;

	void *buf = NULL;
	size_t size = 0;
	ret = serializer(data, data_size, expected_custom_id, &buf, &size);
	if (ret)
		return callback_ret(__func__, "serializer", ret);

	ret = arg_write(__func__, arg, buf, size, true);
	free(buf);
	if (ret)
		return ret;

	array->position++;
	return VACCEL_OK;
}

/*
 * Typed families
 */

#define ARG_ARRAY_DEFINE_TYPED_FUNCS(TYPE_NAME, C_TYPE, ARG_TYPE, ARRAY_TYPE)  \
	int vaccel_arg_array_add_##TYPE_NAME(struct vaccel_arg_array *array,   \
					     C_TYPE *value)                    \
	{                                                                      \
		if (!value) {                                                  \
			vaccel_error("%s: value is NULL", __func__);           \
			return VACCEL_EINVAL;                                  \
		}                                                              \
		return array_add_checked(__func__, array, value,               \
					 sizeof(C_TYPE), ARG_TYPE, 0);         \
	}                                                                      \
                                                                               \
	int vaccel_arg_array_add_##TYPE_NAME##_array(                          \
		struct vaccel_arg_array *array, C_TYPE *values, size_t count)  \
	{                                                                      \
		if (!values || !count) {                                       \
			vaccel_error("%s: values are empty", __func__);        \
			return VACCEL_EINVAL;                                  \
		}                                                              \
		if (count > SIZE_MAX / sizeof(C_TYPE)) {                       \
			vaccel_error("%s: count %zu is too large", __func__,   \
				     count);                                   \
			return VACCEL_EINVAL;                                  \
		}                                                              \
		return array_add_checked(__func__, array, values,              \
					 count * sizeof(C_TYPE), ARRAY_TYPE,   \
					 0);                                   \
	}                                                                      \
                                                                               \
	int vaccel_arg_array_get_##TYPE_NAME(struct vaccel_arg_array *array,   \
					     C_TYPE *value)                    \
	{                                                                      \
		if (!value) {                                                  \
			vaccel_error("%s: value is NULL", __func__);           \
			return VACCEL_EINVAL;                                  \
		}                                                              \
		struct vaccel_arg *arg;                                        \
		int ret = array_read_arg(__func__, array, ARG_TYPE, 0, &arg);  \
		if (ret)                                                       \
			return ret;                                            \
		memcpy(value, arg->buf, sizeof(C_TYPE));                       \
		array->position++;                                             \
		return VACCEL_OK;                                              \
	}                                                                      \
                                                                               \
	int vaccel_arg_array_get_##TYPE_NAME##_array(                          \
		struct vaccel_arg_array *array, C_TYPE **values,               \
		size_t *count)                                                 \
	{                                                                      \
		if (!values) {                                                 \
			vaccel_error("%s: values is NULL", __func__);          \
			return VACCEL_EINVAL;                                  \
		}                                                              \
		struct vaccel_arg *arg;                                        \
		int ret =                                                      \
			array_read_arg(__func__, array, ARRAY_TYPE, 0, &arg);  \
		if (ret)                                                       \
			return ret;                                            \
		*values = (C_TYPE *)arg->buf;                                  \
		if (count)                                                     \
			*count = arg->size / sizeof(C_TYPE);                   \
		array->position++;                                             \
		return VACCEL_OK;                                              \
	}                                                                      \
                                                                               \
	int vaccel_arg_array_set_##TYPE_NAME(struct vaccel_arg_array *array,   \
					     C_TYPE *value)                    \
	{                                                                      \
		if (!value) {                                                  \
			vaccel_error("%s: value is NULL", __func__);           \
			return VACCEL_EINVAL;                                  \
		}                                                              \
		struct vaccel_arg *arg;                                        \
		int ret = array_write_arg(__func__, array, ARG_TYPE, 0, &arg); \
		if (ret)                                                       \
			return ret;                                            \
		ret = arg_write(__func__, arg, value, sizeof(C_TYPE), true);   \
		if (ret)                                                       \
			return ret;                                            \
		array->position++;                                             \
		return VACCEL_OK;                                              \
	}                                                                      \
                                                                               \
	int vaccel_arg_array_set_##TYPE_NAME##_array(                          \
		struct vaccel_arg_array *array, C_TYPE *values, size_t count)  \
	{                                                                      \
		if (!values || !count) {                                       \
			vaccel_error("%s: values are empty", __func__);        \
			return VACCEL_EINVAL;                                  \
		}                                                              \
		if (count > SIZE_MAX / sizeof(C_TYPE)) {                       \
			vaccel_error("%s: count %zu is too large", __func__,   \
				     count);                                   \
			return VACCEL_EINVAL;                                  \
		}                                                              \
		struct vaccel_arg *arg;                                        \
		int ret =                                                      \
			array_write_arg(__func__, array, ARRAY_TYPE, 0, &arg); \
		if (ret)                                                       \
			return ret;                                            \
		ret = arg_write(__func__, arg, values, count * sizeof(C_TYPE), \
				false);                                        \
		if (ret)                                                       \
			return ret;                                            \
		array->position++;                                             \
		return VACCEL_OK;                                              \
	}

VACCEL_ARG_NUMERIC_TYPES(ARG_ARRAY_DEFINE_TYPED_FUNCS)

#undef ARG_ARRAY_DEFINE_TYPED_FUNCS

/*
 * Arg arrays: cursor and accessors
 */

size_t vaccel_arg_array_remaining_count(const struct vaccel_arg_array *array)
{
	if (!array) {
		vaccel_error("%s: array is NULL", __func__);
		return 0;
	}

	return array->position < array->count ? array->count - array->position
					      : 0;
}

size_t vaccel_arg_array_position(const struct vaccel_arg_array *array)
{
	if (!array) {
		vaccel_error("%s: array is NULL", __func__);
		return 0;
	}

	return array->position;
}

void vaccel_arg_array_set_position(struct vaccel_arg_array *array,
				   size_t position)
{
	if (!array) {
		vaccel_error("%s: array is NULL", __func__);
		return;
	}

	array->position = position < array->count ? position : array->count;
}

void vaccel_arg_array_reset_position(struct vaccel_arg_array *array)
{
	if (!array) {
		vaccel_error("%s: array is NULL", __func__);
		return;
	}

	array->position = 0;
}

size_t vaccel_arg_array_count(const struct vaccel_arg_array *array)
{
	if (!array) {
		vaccel_error("%s: array is NULL", __func__);
		return 0;
	}

	return array->count;
}

struct vaccel_arg *vaccel_arg_array_raw(struct vaccel_arg_array *array)
{
	if (!array) {
		vaccel_error("%s: array is NULL", __func__);
		return NULL;
	}

	return array->args;
}
