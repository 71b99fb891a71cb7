// SPDX-License-Identifier: Apache-2.0
/*
 * torch: TorchScript models on libtorch (CPU). The plugin's C ABI: the ops
 * table, init/fini and the resource_unregister hook that drops a session's
 * loaded model. See README.md.
 */
#include "torch_plugin.hpp"

#ifndef VACCEL_PLUGIN_VERSION
#define VACCEL_PLUGIN_VERSION "0.0.0"
#endif

static struct vaccel_op ops[] = {
	VACCEL_OP_INIT(ops[0], VACCEL_OP_TORCH_MODEL_LOAD, torch_op_model_load),
	VACCEL_OP_INIT(ops[1], VACCEL_OP_TORCH_MODEL_RUN, torch_op_model_run),
	VACCEL_OP_INIT(ops[2], VACCEL_OP_IMAGE_CLASSIFY,
		       torch_op_image_classify),
};

static int torch_init(void)
{
	return vaccel_plugin_register_ops(ops, sizeof(ops) / sizeof(ops[0]));
}

static void drop_all() noexcept
{
	try {
		vtorch::store_clear();
		vtorch::classify_cache_clear();
	} catch (...) {
		vaccel_error("[torch] could not release the loaded models");
	}
}

static int torch_fini(void)
{
	drop_all();
	return VACCEL_OK;
}

static int torch_resource_unregister(struct vaccel_resource *res,
				     struct vaccel_session *sess)
{
	if (!res || !sess || res->type != VACCEL_RESOURCE_MODEL)
		return VACCEL_OK;
	try {
		vtorch::store_forget(sess, res);
	} catch (...) {
		vaccel_error("[torch] session %" PRId64
			     ": could not release model resource %" PRId64,
			     sess->id, res->id);
	}
	return VACCEL_OK;
}

VACCEL_PLUGIN(.name = "torch", .version = VACCEL_PLUGIN_VERSION,
	      .vaccel_version = VACCEL_VERSION, .init = torch_init,
	      .fini = torch_fini, .is_virtio = false,
	      .type = (vaccel_plugin_type_t)(VACCEL_PLUGIN_TORCH | VACCEL_PLUGIN_CPU),
	      .session_init = nullptr, .session_release = nullptr,
	      .session_update = nullptr, .resource_register = nullptr,
	      .resource_unregister = torch_resource_unregister,
	      .resource_sync = nullptr);
