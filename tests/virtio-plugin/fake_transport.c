// SPDX-License-Identifier: Apache-2.0
/*
 * Scripted transport of the virtio plugin (test-only; linked into
 * libvaccel-virtio-fake.so). It answers every ioctl itself, as the test
 * program dictates through the exported `virtio_fake` control block (found
 * with dlsym on the plugin's handle), and records what the plugin sent. It
 * is how the plugin's error mapping, limits and bookkeeping are tested
 * without a device or a daemon.
 */
#include "fake_transport.h"
#include "transport.h"

#include <endian.h>
#include <errno.h>
#include <string.h>

__attribute__((visibility("default"))) struct virtio_fake virtio_fake;

static uint32_t *status_of(unsigned long request, void *arg)
{
	switch (request) {
	case VIRTIO_ACCEL_IOC_SESSION_CREATE:
	case VIRTIO_ACCEL_IOC_SESSION_DESTROY:
		return &((struct virtio_accel_ioc_session *)arg)->status;
	case VIRTIO_ACCEL_IOC_RESOURCE_CREATE:
		return &((struct virtio_accel_ioc_resource_create *)arg)
				->status;
	case VIRTIO_ACCEL_IOC_RESOURCE_DESTROY:
	case VIRTIO_ACCEL_IOC_RESOURCE_REGISTER:
	case VIRTIO_ACCEL_IOC_RESOURCE_UNREGISTER:
		return &((struct virtio_accel_ioc_resource *)arg)->status;
	case VIRTIO_ACCEL_IOC_OP:
		return &((struct virtio_accel_ioc_op *)arg)->status;
	default:
		return NULL;
	}
}

static int fake_open(const char *path)
{
	struct virtio_fake *f = &virtio_fake;

	pthread_mutex_lock(&f->lock);
	snprintf(f->path, sizeof(f->path), "%s", path);
	f->opens++;
	int ret = f->open_errno ? -f->open_errno : 7;
	pthread_mutex_unlock(&f->lock);
	return ret;
}

static void fake_close(int h)
{
	(void)h;
	pthread_mutex_lock(&virtio_fake.lock);
	virtio_fake.closes++;
	pthread_mutex_unlock(&virtio_fake.lock);
}

static int fake_ioctl(int h, unsigned long request, void *arg)
{
	struct virtio_fake *f = &virtio_fake;
	unsigned int nr = _IOC_NR(request) - 0x10;
	uint32_t *status = status_of(request, arg);
	int ret = 0;

	if (h != 7 || nr >= FAKE_NR_IOCTLS)
		return -ENOTTY;
	pthread_mutex_lock(&f->lock);
	f->calls[nr]++;
	if (f->fail[nr].err) {
		if (status)
			*status = f->fail[nr].status;
		ret = -f->fail[nr].err;
		if (f->fail[nr].once)
			f->fail[nr].err = 0;
		if (ret != -EOVERFLOW)
			goto out;
	}
	switch (request) {
	case VIRTIO_ACCEL_IOC_GET_INFO: {
		struct virtio_accel_ioc_info *i = arg;
		memset(i, 0, sizeof(*i));
		i->version = f->version ? f->version : VIRTIO_ACCEL_VERSION;
		i->num_queues = 1;
		i->features = 1u << VIRTIO_ACCEL_F_SEGMENTS |
			      1u << VIRTIO_ACCEL_F_RESOURCES;
		i->config.status = htole32(VIRTIO_ACCEL_S_HW_READY);
		i->config.max_args = htole32(f->max_args ? f->max_args : 256);
		i->config.max_blobs = htole32(f->max_blobs ? f->max_blobs : 64);
		i->config.max_arg_size =
			htole64(f->max_arg_size ? f->max_arg_size : 1ull << 32);
		i->config.max_request_bytes = htole64(1ull << 33);
		break;
	}
	case VIRTIO_ACCEL_IOC_SESSION_CREATE: {
		struct virtio_accel_ioc_session *s = arg;
		f->last_flags = s->flags;
		s->session_id = ++f->next_id;
		s->vaccel_ret = f->vaccel_ret;
		break;
	}
	case VIRTIO_ACCEL_IOC_SESSION_DESTROY:
		((struct virtio_accel_ioc_session *)arg)->vaccel_ret =
			f->vaccel_ret;
		break;
	case VIRTIO_ACCEL_IOC_RESOURCE_CREATE: {
		struct virtio_accel_ioc_resource_create *c = arg;
		const struct virtio_accel_ioc_blob *b =
			(const void *)(uintptr_t)c->blobs;
		f->last_nr_blobs = c->nr_blobs;
		f->last_blob0_len = c->nr_blobs ? b[0].data_len : 0;
		f->last_session = c->session_id;
		c->resource_id = ++f->next_id;
		c->vaccel_ret = f->vaccel_ret;
		break;
	}
	case VIRTIO_ACCEL_IOC_RESOURCE_DESTROY:
	case VIRTIO_ACCEL_IOC_RESOURCE_REGISTER:
	case VIRTIO_ACCEL_IOC_RESOURCE_UNREGISTER: {
		struct virtio_accel_ioc_resource *r = arg;
		f->last_object = r->resource_id;
		f->last_session = r->session_id;
		r->vaccel_ret = f->vaccel_ret;
		break;
	}
	case VIRTIO_ACCEL_IOC_OP: {
		struct virtio_accel_ioc_op *op = arg;
		struct virtio_accel_ioc_arg *wr =
			(void *)(uintptr_t)op->write_args;
		const struct virtio_accel_ioc_arg *rd =
			(const void *)(uintptr_t)op->read_args;
		f->last_op = op->op_type;
		f->last_nr_read = op->nr_read;
		f->last_nr_write = op->nr_write;
		for (uint32_t i = 0; i < op->nr_read && i < FAKE_MAX_ARGS; i++)
			f->last_read[i] = rd[i];
		for (uint32_t i = 0; i < op->nr_write && i < FAKE_MAX_ARGS;
		     i++) {
			f->last_write[i] = wr[i];
			if (f->produced_set)
				wr[i].len = f->produced;
		}
		op->vaccel_ret = f->vaccel_ret;
		break;
	}
	default:
		ret = -ENOTTY;
	}
out:
	pthread_mutex_unlock(&f->lock);
	return ret;
}

const struct virtio_transport virtio_transport = {
	.name = "fake",
	.open = fake_open,
	.ioctl = fake_ioctl,
	.close = fake_close,
};
