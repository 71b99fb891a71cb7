// SPDX-License-Identifier: Apache-2.0
/*
 * Deprecated fixed-size argument list API, kept for source compatibility.
 *
 * Serial args are stored as RAW args, non-serial ones as CUSTOM args with
 * custom_type_id = the caller's type. idcs_allocated_space[i] is 1 when the
 * buffer of slot i was allocated here (serializer output, expect_nonserial),
 * and vaccel_delete_args() frees exactly those buffers.
 */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

#include "vaccel/arg.h"
#include "vaccel/error.h"
#include "vaccel/log.h"
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct vaccel_arg_list *vaccel_args_init(uint32_t size)
{
	if (!size) {
		vaccel_error("%s: list size is 0", __func__);
		return NULL;
	}

	struct vaccel_arg_list *args = malloc(sizeof(*args));
	if (!args) {
		vaccel_error("%s: could not allocate list", __func__);
		return NULL;
	}

	/* calloc() checks size * element size for overflow */
	args->list = calloc(size, sizeof(*args->list));
	args->idcs_allocated_space =
		calloc(size, sizeof(*args->idcs_allocated_space));
	if (!args->list || !args->idcs_allocated_space) {
		vaccel_error("%s: could not allocate %" PRIu32 " slots",
			     __func__, size);
		free(args->list);
		free(args->idcs_allocated_space);
		free(args);
		return NULL;
	}

	for (uint32_t i = 0; i < size; i++)
		args->list[i].type = VACCEL_ARG_MAX;
	args->size = size;
	args->curr_idx = 0;
	return args;
}

/* The next free slot of `args`, or an error. */
static int list_next_slot(const char *func, struct vaccel_arg_list *args,
			  size_t *idx)
{
	if (!args) {
		vaccel_error("%s: list is NULL", func);
		return VACCEL_EINVAL;
	}
	if (!args->list || !args->idcs_allocated_space || args->curr_idx < 0) {
		vaccel_error("%s: list is not initialized", func);
		return VACCEL_EINVAL;
	}
	if ((uint32_t)args->curr_idx >= args->size) {
		vaccel_error("%s: list is full (%" PRIu32 " args)", func,
			     args->size);
		return VACCEL_ERANGE;
	}

	*idx = (size_t)args->curr_idx;
	return VACCEL_OK;
}

static void list_fill_slot(struct vaccel_arg_list *args, size_t idx, void *buf,
			   size_t size, vaccel_arg_type_t type,
			   uint32_t custom_id, bool allocated)
{
	struct vaccel_arg *arg = &args->list[idx];

	arg->buf = buf;
	arg->size = size;
	arg->type = type;
	arg->custom_type_id = custom_id;
	arg->owned = allocated;
	args->idcs_allocated_space[idx] = allocated ? 1 : 0;
	args->curr_idx++;
}

/* Add a borrowed RAW arg. */
static int list_add_serial(const char *func, struct vaccel_arg_list *args,
			   void *buf, uint32_t size)
{
	size_t idx;
	int ret = list_next_slot(func, args, &idx);
	if (ret)
		return ret;

	if (!buf || !size) {
		vaccel_error("%s: buffer is empty", func);
		return VACCEL_EINVAL;
	}

	list_fill_slot(args, idx, buf, size, VACCEL_ARG_RAW, 0, false);
	return VACCEL_OK;
}

int vaccel_add_serial_arg(struct vaccel_arg_list *args, void *buf,
			  uint32_t size)
{
	return list_add_serial(__func__, args, buf, size);
}

int vaccel_add_nonserial_arg(struct vaccel_arg_list *args, void *buf,
			     uint32_t type,
			     void *(*serializer)(void *, uint32_t *))
{
	size_t idx;
	int ret = list_next_slot(__func__, args, &idx);
	if (ret)
		return ret;

	if (!buf || !serializer) {
		vaccel_error("%s: %s is NULL", __func__,
			     !buf ? "buf" : "serializer");
		return VACCEL_EINVAL;
	}

	uint32_t size = 0;
	void *ser_buf = serializer(buf, &size);
	if (!ser_buf || !size) {
		vaccel_error("%s: serializer returned no data", __func__);
		free(ser_buf);
		return VACCEL_EINVAL;
	}

	list_fill_slot(args, idx, ser_buf, size, VACCEL_ARG_CUSTOM, type, true);
	return VACCEL_OK;
}

int vaccel_expect_serial_arg(struct vaccel_arg_list *args, void *buf,
			     uint32_t size)
{
	return list_add_serial(__func__, args, buf, size);
}

int vaccel_expect_nonserial_arg(struct vaccel_arg_list *args,
				uint32_t expected_size)
{
	size_t idx;
	int ret = list_next_slot(__func__, args, &idx);
	if (ret)
		return ret;

	if (!expected_size) {
		vaccel_error("%s: expected size is 0", __func__);
		return VACCEL_EINVAL;
	}

	void *buf = calloc(1, expected_size);
	if (!buf) {
		vaccel_error("%s: could not allocate %" PRIu32 " bytes",
			     __func__, expected_size);
		return VACCEL_ENOMEM;
	}

	list_fill_slot(args, idx, buf, expected_size, VACCEL_ARG_RAW, 0, true);
	return VACCEL_OK;
}

void *vaccel_extract_serial_arg(struct vaccel_arg *args, int idx)
{
	if (!args || idx < 0) {
		vaccel_error("%s: invalid %s", __func__,
			     !args ? "args" : "index");
		return NULL;
	}

	return args[idx].buf;
}

void *vaccel_extract_nonserial_arg(struct vaccel_arg *args, int idx,
				   void *(*deserializer)(void *, uint32_t))
{
	if (!args || idx < 0 || !deserializer) {
		vaccel_error("%s: invalid %s", __func__,
			     !args     ? "args"
			     : idx < 0 ? "index"
				       : "deserializer");
		return NULL;
	}
	if (args[idx].size > UINT32_MAX) {
		vaccel_error("%s: arg %d is too large (%zu bytes)", __func__,
			     idx, args[idx].size);
		return NULL;
	}

	return deserializer(args[idx].buf, (uint32_t)args[idx].size);
}

int vaccel_write_serial_arg(struct vaccel_arg *args, int idx, void *buf)
{
	if (!args || idx < 0 || !buf) {
		vaccel_error("%s: invalid %s", __func__,
			     !args     ? "args"
			     : idx < 0 ? "index"
				       : "buf");
		return VACCEL_EINVAL;
	}

	struct vaccel_arg *arg = &args[idx];
	if (!arg->buf && arg->size) {
		vaccel_error("%s: arg %d has no buffer", __func__, idx);
		return VACCEL_EINVAL;
	}

	if (arg->size)
		memcpy(arg->buf, buf, arg->size);
	return VACCEL_OK;
}

int vaccel_write_nonserial_arg(struct vaccel_arg *args, int idx, void *buf,
			       void *(*serializer)(void *, uint32_t *))
{
	if (!args || idx < 0 || !buf || !serializer) {
		vaccel_error("%s: invalid %s", __func__,
			     !args     ? "args"
			     : idx < 0 ? "index"
			     : !buf    ? "buf"
				       : "serializer");
		return VACCEL_EINVAL;
	}

	struct vaccel_arg *arg = &args[idx];
	uint32_t size = 0;
	void *ser_buf = serializer(buf, &size);
	if (!ser_buf || !size) {
		vaccel_error("%s: serializer returned no data", __func__);
		free(ser_buf);
		return VACCEL_EINVAL;
	}
	if (!arg->buf || size > arg->size) {
		vaccel_error(
			"%s: %" PRIu32
			" serialized bytes do not fit in arg %d (%zu bytes)",
			__func__, size, idx, arg->buf ? arg->size : 0);
		free(ser_buf);
		return VACCEL_EINVAL;
	}

	memcpy(arg->buf, ser_buf, size);
	free(ser_buf);
	return VACCEL_OK;
}

int vaccel_delete_args(struct vaccel_arg_list *args)
{
	if (!args) {
		vaccel_error("%s: list is NULL", __func__);
		return VACCEL_EINVAL;
	}
	if (!args->list || !args->idcs_allocated_space) {
		vaccel_error("%s: list is not initialized", __func__);
		return VACCEL_EINVAL;
	}

	for (uint32_t i = 0; i < args->size; i++) {
		if (args->idcs_allocated_space[i])
			free(args->list[i].buf);
	}

	free(args->list);
	free(args->idcs_allocated_space);
	free(args);
	return VACCEL_OK;
}
