// SPDX-License-Identifier: Apache-2.0
/*
 * virtio: the guest-side transport plugin of virtio-accel.
 *
 * Every vAccel call of a remote session is forwarded, as one ioctl of the
 * ABI in include/uapi/linux/virtio_accel.h, to the guest driver
 * (virtio_accel.ko), which carries it over a virtqueue to the host daemon
 * (vhost-user-accel), which runs it with the host's libvaccel. See
 * plugins/virtio/README.md for the full contract; in short:
 *
 *  - sessions: session_init/release hooks -> SESSION_CREATE/DESTROY; the
 *    device's session id becomes sess->remote_id;
 *  - resources: the first registration of a resource ships its content by
 *    value (each blob's name and bytes) with RESOURCE_CREATE, later ones
 *    send RESOURCE_REGISTER; the last unregistration RESOURCE_DESTROYs it;
 *  - ops: forwarded with typed arguments in the layouts of the generic
 *    operation (the host runs them with vaccel_genop()); buffers are passed
 *    by user address (the driver pins or copies them; the plugin copies
 *    nothing);
 *  - the host's vAccel return code reaches the caller unchanged; transport
 *    failures are mapped to vAccel codes with one error line.
 *
 * The device is opened lazily, once per process, by the first call that
 * needs it, and closed by fini(). All entry points are thread-safe.
 *
 * The same core, linked with the RPC transport (plugins/rpc), is
 * libvaccel-rpc.so: its name and log prefix come from VIRTIO_PLUGIN_NAME,
 * what it opens from the transport (virtio_transport.choose_path).
 */
#include <vaccel.h>

#include <linux/virtio_accel.h>

#include <endian.h>
#include <errno.h>
#include <glob.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "op_layout.h"
#include "transport.h"
#include "virtio_internal.h"

#ifndef VACCEL_PLUGIN_VERSION
#define VACCEL_PLUGIN_VERSION "0.0.0"
#endif

/* Device node: $VACCEL_VIRTIO_DEVICE, else the lowest /dev/virtio-accel<N>
 * (unless the transport chooses what it opens). */
#define DEVICE_ENV     "VACCEL_VIRTIO_DEVICE"
#define DEVICE_GLOB    "/dev/" VIRTIO_ACCEL_DEVICE_NAME "*"
#define DEVICE_DEFAULT "/dev/" VIRTIO_ACCEL_DEVICE_NAME "0"
#define DEVICE_HINT                                                            \
	"is virtio_accel loaded? the device can be chosen with " DEVICE_ENV
/* Host plugin hint for sessions created with flags 0. */
#ifndef VIRTIO_HINT_ENV
#define VIRTIO_HINT_ENV "VACCEL_VIRTIO_SESSION_HINT"
#endif
#define HINT_ENV VIRTIO_HINT_ENV

/* Scratch capacity for image outputs the caller did not provide. */
#define SCRATCH_OUT 256

/* ---------------------------------------------------------------------- */
/* device state                                                            */
/* ---------------------------------------------------------------------- */

/* A resource this process created on the device. */
struct vres {
	struct vres *next;
	const struct vaccel_resource *res; /* key: address and id */
	vaccel_id_t id;
	uint64_t remote_id;
	uint64_t *sess; /* remote ids of the sessions it is registered with */
	size_t nr_sess;
	size_t cap_sess;
};

static struct {
	pthread_mutex_t lock; /* open/close, and the resource table */
	atomic_int handle;    /* transport handle, -1 while closed */
	char path[PATH_MAX];
	/* limits from GET_INFO, written before `handle` is published */
	uint32_t max_args;
	uint32_t max_blobs;
	uint64_t max_arg_size;
	uint64_t max_request_bytes;
	bool has_resources;
	bool has_models;
	struct vres *resources;
} dev = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.handle = -1,
};

static const struct virtio_transport *const transport = &virtio_transport;

static const char *status_str(uint32_t status)
{
	static const char *const names[] = {
		"OK",	  "ERR",   "BADMSG", "UNSUPP", "VERSION_MISMATCH",
		"NOSESS", "NORES", "LIMIT",  "FAULT",  "OVERFLOW",
		"BUSY",
	};

	return status < sizeof(names) / sizeof(names[0]) ? names[status]
							 : "unknown";
}

/*
 * Transport failure (positive errno) -> vAccel code. The device status, when
 * the device answered, refines the ENOENT case (protocol §6.5).
 */
static int transport_error(int err, uint32_t status)
{
	switch (err) {
	case EBADMSG:
	case EINVAL:
		return VACCEL_EINVAL;
	case EOPNOTSUPP:
	case ENOTTY:
		return VACCEL_ENOTSUP;
	case EPROTO:
		return VACCEL_EBACKEND;
	case ENOENT:
		return status == VIRTIO_ACCEL_NOSESS ? VACCEL_ESESS
						     : VACCEL_ENOENT;
	case ENOSPC:
	case E2BIG:
		return VACCEL_ENOSPC;
	case EFAULT:
		return VACCEL_EFAULT;
	case EOVERFLOW:
		return VACCEL_ERANGE;
	case EAGAIN:
	case EBUSY:
		return VACCEL_EAGAIN;
	case ENOMEM:
		return VACCEL_ENOMEM;
	case EACCES:
	case EPERM:
		return VACCEL_EACCES;
	case ENODEV:
	case ENXIO:
	case ESHUTDOWN:
	case ECONNREFUSED: /* a transport whose peer does not listen */
		return VACCEL_ENODEV;
	default: /* EIO, EREMOTEIO, ETIMEDOUT, EPIPE, EINTR, ... */
		return VACCEL_EIO;
	}
}

/* Pick the device node (caller holds dev.lock). */
static void device_path_choose(void)
{
	const char *env = getenv(DEVICE_ENV);
	glob_t g;

	if (transport->choose_path) {
		transport->choose_path(dev.path, sizeof(dev.path));
		return;
	}
	if (env && *env) {
		snprintf(dev.path, sizeof(dev.path), "%s", env);
		return;
	}
	snprintf(dev.path, sizeof(dev.path), "%s", DEVICE_DEFAULT);
	if (glob(DEVICE_GLOB, GLOB_NOSORT, NULL, &g) != 0)
		return;
	unsigned long best = ULONG_MAX;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *num = g.gl_pathv[i] + strlen(DEVICE_GLOB) - 1;
		char *end;
		unsigned long n = strtoul(num, &end, 10);
		if (end == num || *end || n >= best)
			continue;
		best = n;
		snprintf(dev.path, sizeof(dev.path), "%s", g.gl_pathv[i]);
	}
	globfree(&g);
}

/* Open and probe the device (caller holds dev.lock). */
static int device_open_locked(void)
{
	struct virtio_accel_ioc_info info;
	int h;
	int ret;

	device_path_choose();
	h = transport->open(dev.path);
	if (h < 0) {
		ret = transport_error(-h, 0);
		if (-h == ENOENT)
			ret = VACCEL_ENODEV;
		vaccel_error(PFX "Cannot open %s: %s (%s)", dev.path,
			     strerror(-h),
			     transport->open_hint ? transport->open_hint
						  : DEVICE_HINT);
		return ret;
	}

	memset(&info, 0, sizeof(info));
	ret = transport->ioctl(h, VIRTIO_ACCEL_IOC_GET_INFO, &info);
	if (ret) {
		vaccel_error(PFX "%s is not a usable virtio-accel device: "
				 "GET_INFO failed: %s",
			     dev.path, strerror(-ret));
		transport->close(h);
		return -ret == ENOTTY ? VACCEL_ENODEV
				      : transport_error(-ret, 0);
	}
	if (info.version != VIRTIO_ACCEL_VERSION) {
		vaccel_error(PFX "%s speaks protocol version %u; this plugin "
				 "speaks version %u",
			     dev.path, info.version, VIRTIO_ACCEL_VERSION);
		transport->close(h);
		return VACCEL_ENOTSUP;
	}
	dev.max_args = le32toh(info.config.max_args);
	dev.max_blobs = le32toh(info.config.max_blobs);
	dev.max_arg_size = le64toh(info.config.max_arg_size);
	dev.max_request_bytes = le64toh(info.config.max_request_bytes);
	dev.has_resources = info.features & (1ull << VIRTIO_ACCEL_F_RESOURCES);
	dev.has_models = info.features & (1ull << VIRTIO_ACCEL_F_MODELS);
	if (!(le32toh(info.config.status) & VIRTIO_ACCEL_S_HW_READY))
		vaccel_warn(PFX "%s: the host runtime is not ready (no host "
				"plugins?)",
			    dev.path);
	vaccel_debug(PFX "Opened %s (transport %s, %u queue(s), features "
			 "0x%" PRIx64 ", max_args %u, max_arg_size %" PRIu64
			 ")",
		     dev.path, transport->name, info.num_queues,
		     (uint64_t)info.features, dev.max_args, dev.max_arg_size);
	atomic_store_explicit(&dev.handle, h, memory_order_release);
	return VACCEL_OK;
}

/* The open device's handle, opening it on first use. */
static int device_get(int *handle)
{
	int h = atomic_load_explicit(&dev.handle, memory_order_acquire);
	int ret = VACCEL_OK;

	if (h < 0) {
		pthread_mutex_lock(&dev.lock);
		if (atomic_load_explicit(&dev.handle, memory_order_relaxed) < 0)
			ret = device_open_locked();
		pthread_mutex_unlock(&dev.lock);
		h = atomic_load_explicit(&dev.handle, memory_order_acquire);
	}
	*handle = h;
	return ret;
}

/*
 * One ioctl. Returns VACCEL_OK when the device answered OK (the caller then
 * reads the struct's vaccel_ret), else a vAccel code after one error line
 * naming `what`. *err receives the errno (0 on success) for callers that
 * treat some failures as benign; they pass quiet_enoent to log those at
 * debug level only.
 */
static int xfer(unsigned long request, void *arg, const uint32_t *status,
		const char *what, bool quiet_enoent, int *err)
{
	int h;
	int ret = device_get(&h);

	if (err)
		*err = 0;
	if (ret)
		return ret;
	int r = transport->ioctl(h, request, arg);
	if (r == 0)
		return VACCEL_OK;
	if (err)
		*err = -r;
	if (-r == EOVERFLOW && request == VIRTIO_ACCEL_IOC_OP)
		; /* run_op names the output that did not fit */
	else if (quiet_enoent && -r == ENOENT)
		vaccel_debug(PFX "%s: the device no longer knows the object "
				 "(%s)",
			     what, status_str(*status));
	else if (*status != VIRTIO_ACCEL_OK)
		vaccel_error(PFX "%s failed: device status %s (%s)", what,
			     status_str(*status), strerror(-r));
	else
		vaccel_error(PFX "%s failed: transport error: %s", what,
			     strerror(-r));
	return transport_error(-r, *status);
}

int device_has_models(bool *has)
{
	int h;
	int ret = device_get(&h);
	if (!ret)
		*has = dev.has_models;
	return ret;
}

/* ---------------------------------------------------------------------- */
/* sessions                                                                */
/* ---------------------------------------------------------------------- */

static int check_session(const struct vaccel_session *sess, const char *what)
{
	if (!sess) {
		vaccel_error(PFX "%s: session is NULL", what);
		return VACCEL_EINVAL;
	}
	if (sess->remote_id <= 0) {
		vaccel_error(PFX "%s: session %" PRId64 " is not a remote "
				 "session",
			     what, sess->id);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

static int virtio_session_init(struct vaccel_session *sess, uint32_t flags)
{
	struct virtio_accel_ioc_session s;
	char what[64];

	if (!sess) {
		vaccel_error(PFX "session_init: session is NULL");
		return VACCEL_EINVAL;
	}
	/* a default hint for the host's plugin choice, for applications that
	 * pass none (documented in README.md) */
	const char *hint = getenv(HINT_ENV);
	if (flags == 0 && hint && *hint) {
		char *end;
		unsigned long v = strtoul(hint, &end, 0);
		if (*end || v == 0 || v >= VACCEL_PLUGIN_MAX)
			vaccel_warn(PFX "ignoring " HINT_ENV
					"=%s (not a plugin "
					"type mask)",
				    hint);
		else
			flags = (uint32_t)v;
	}
	memset(&s, 0, sizeof(s));
	s.flags = flags;
	snprintf(what, sizeof(what), "session %" PRId64 ": SESSION_CREATE",
		 sess->id);
	int ret = xfer(VIRTIO_ACCEL_IOC_SESSION_CREATE, &s, &s.status, what,
		       false, NULL);
	if (ret)
		return ret;
	if (s.vaccel_ret) {
		vaccel_error(PFX "%s: the host returned %d", what,
			     s.vaccel_ret);
		return s.vaccel_ret;
	}
	if (s.session_id == 0 || s.session_id > INT64_MAX) {
		vaccel_error(PFX "%s: the device returned no session id", what);
		return VACCEL_EBACKEND;
	}
	sess->remote_id = (vaccel_id_t)s.session_id;
	vaccel_debug(PFX "session %" PRId64 " -> remote session %" PRId64,
		     sess->id, sess->remote_id);
	return VACCEL_OK;
}

static int virtio_session_release(struct vaccel_session *sess)
{
	struct virtio_accel_ioc_session s;
	char what[64];

	int ret = check_session(sess, "session_release");
	if (ret)
		return ret;
	memset(&s, 0, sizeof(s));
	s.session_id = (uint64_t)sess->remote_id;
	snprintf(what, sizeof(what), "session %" PRId64 ": SESSION_DESTROY",
		 sess->id);
	int err;
	ret = xfer(VIRTIO_ACCEL_IOC_SESSION_DESTROY, &s, &s.status, what, true,
		   &err);
	if (err == ENOENT)
		ret = VACCEL_OK; /* already gone on the host */
	else if (!ret && s.vaccel_ret) {
		vaccel_error(PFX "%s: the host returned %d", what,
			     s.vaccel_ret);
		ret = s.vaccel_ret;
	}
	if (!ret)
		sess->remote_id = 0;
	return ret;
}

/* ---------------------------------------------------------------------- */
/* resources                                                               */
/* ---------------------------------------------------------------------- */

/* dev.lock held */
static struct vres *vres_find(const struct vaccel_resource *res)
{
	for (struct vres *e = dev.resources; e; e = e->next)
		if (e->res == res && e->id == res->id)
			return e;
	return NULL;
}

/* dev.lock held */
static void vres_unlink(struct vres *e)
{
	for (struct vres **pp = &dev.resources; *pp; pp = &(*pp)->next)
		if (*pp == e) {
			*pp = e->next;
			return;
		}
}

static void vres_free(struct vres *e)
{
	if (e) {
		free(e->sess);
		free(e);
	}
}

/* dev.lock held */
static bool vres_has_session(const struct vres *e, uint64_t sid)
{
	for (size_t i = 0; i < e->nr_sess; i++)
		if (e->sess[i] == sid)
			return true;
	return false;
}

/* dev.lock held */
static int vres_add_session(struct vres *e, uint64_t sid)
{
	if (vres_has_session(e, sid))
		return VACCEL_OK;
	if (e->nr_sess == e->cap_sess) {
		size_t cap = e->cap_sess ? 2 * e->cap_sess : 4;
		uint64_t *n = realloc(e->sess, cap * sizeof(*n));
		if (!n)
			return VACCEL_ENOMEM;
		e->sess = n;
		e->cap_sess = cap;
	}
	e->sess[e->nr_sess++] = sid;
	return VACCEL_OK;
}

/* dev.lock held; true if it was there */
static bool vres_del_session(struct vres *e, uint64_t sid)
{
	for (size_t i = 0; i < e->nr_sess; i++)
		if (e->sess[i] == sid) {
			e->sess[i] = e->sess[--e->nr_sess];
			return true;
		}
	return false;
}

static bool blob_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	return n >= 1 && n <= VIRTIO_ACCEL_BLOB_NAME_MAX &&
	       !strchr(name, '/') && strcmp(name, ".") != 0 &&
	       strcmp(name, "..") != 0;
}

static int resource_ref(unsigned long request, uint64_t remote_id, uint64_t sid,
			const char *what, int *err)
{
	struct virtio_accel_ioc_resource r;

	memset(&r, 0, sizeof(r));
	r.resource_id = remote_id;
	r.session_id = sid;
	int ret = xfer(request, &r, &r.status, what, true, err);
	if (ret)
		return ret;
	if (r.vaccel_ret)
		vaccel_error(PFX "%s: the host returned %d", what,
			     r.vaccel_ret);
	return r.vaccel_ret;
}

/* RESOURCE_CREATE with the content of every blob, registered with sid. */
static int resource_create(const struct vaccel_resource *res, uint64_t sid,
			   const char *what, uint64_t *remote_id)
{
	struct virtio_accel_ioc_resource_create c;
	struct virtio_accel_ioc_blob *blobs;
	int ret;

	if (res->nr_blobs == 0 || !res->blobs) {
		if (res->path_type == VACCEL_PATH_REMOTE_FILE) {
			vaccel_error(PFX "%s: URL resources cannot be shipped "
					 "(protocol version 1 carries content "
					 "only)",
				     what);
			return VACCEL_ENOTSUP;
		}
		vaccel_error(PFX "%s: the resource has no content", what);
		return VACCEL_EINVAL;
	}
	if (res->nr_blobs > dev.max_blobs) {
		vaccel_error(PFX "%s: %zu blobs, the device takes at most %u",
			     what, res->nr_blobs, dev.max_blobs);
		return VACCEL_ENOSPC;
	}
	blobs = calloc(res->nr_blobs, sizeof(*blobs));
	if (!blobs) {
		vaccel_error(PFX "%s: out of memory", what);
		return VACCEL_ENOMEM;
	}
	for (size_t i = 0; i < res->nr_blobs; i++) {
		const struct vaccel_blob *b = res->blobs[i];
		if (!b || !blob_name_ok(b->name)) {
			vaccel_error(PFX "%s: blob %zu has an invalid name "
					 "(1..%d bytes, no '/', not . or ..)",
				     what, i, VIRTIO_ACCEL_BLOB_NAME_MAX);
			ret = VACCEL_EINVAL;
			goto out;
		}
		if (!b->data || b->size == 0) {
			vaccel_error(PFX "%s: blob '%s' has no data in memory "
					 "(empty files cannot be shipped)",
				     what, b->name);
			ret = VACCEL_EINVAL;
			goto out;
		}
		blobs[i].name_uaddr = (uintptr_t)b->name;
		blobs[i].data_uaddr = (uintptr_t)b->data;
		blobs[i].data_len = b->size;
	}

	memset(&c, 0, sizeof(c));
	c.session_id = sid;
	c.blobs = (uintptr_t)blobs;
	c.nr_blobs = (uint32_t)res->nr_blobs;
	c.type = (uint32_t)res->type;
	ret = xfer(VIRTIO_ACCEL_IOC_RESOURCE_CREATE, &c, &c.status, what, false,
		   NULL);
	if (ret)
		goto out;
	if (c.vaccel_ret) {
		vaccel_error(PFX "%s: the host returned %d", what,
			     c.vaccel_ret);
		ret = c.vaccel_ret;
		goto out;
	}
	if (c.resource_id == 0 || c.resource_id > INT64_MAX) {
		vaccel_error(PFX "%s: the device returned no resource id",
			     what);
		ret = VACCEL_EBACKEND;
		goto out;
	}
	*remote_id = c.resource_id;
out:
	free(blobs);
	return ret;
}

/* Runs with res->sessions_lock held (src/resource.c): one hook per resource
 * at a time. */
static int virtio_resource_register(struct vaccel_resource *res,
				    struct vaccel_session *sess)
{
	char what[96];
	int h;
	int err;

	int ret = check_session(sess, "resource_register");
	if (ret)
		return ret;
	if (!res) {
		vaccel_error(PFX "resource_register: resource is NULL");
		return VACCEL_EINVAL;
	}
	ret = device_get(&h);
	if (ret)
		return ret;
	if (!dev.has_resources) {
		vaccel_error(PFX "The device does not support resources");
		return VACCEL_ENOTSUP;
	}
	const uint64_t sid = (uint64_t)sess->remote_id;

	pthread_mutex_lock(&dev.lock);
	struct vres *e = vres_find(res);
	uint64_t remote = e ? e->remote_id : 0;
	pthread_mutex_unlock(&dev.lock);

	if (remote) {
		snprintf(what, sizeof(what),
			 "resource %" PRId64 " (remote %" PRIu64
			 "), session %" PRId64 ": RESOURCE_REGISTER",
			 res->id, remote, sess->id);
		ret = resource_ref(VIRTIO_ACCEL_IOC_RESOURCE_REGISTER, remote,
				   sid, what, &err);
		if (err != ENOENT) {
			if (ret)
				return ret;
			pthread_mutex_lock(&dev.lock);
			ret = vres_add_session(e, sid);
			pthread_mutex_unlock(&dev.lock);
			if (ret) {
				resource_ref(
					VIRTIO_ACCEL_IOC_RESOURCE_UNREGISTER,
					remote, sid, what, NULL);
				return ret;
			}
			res->remote_id = (vaccel_id_t)remote;
			return VACCEL_OK;
		}
		/* The device forgot it (host restarted?): ship it again. */
		vaccel_debug(PFX "%s: re-creating the resource", what);
	}

	snprintf(what, sizeof(what),
		 "resource %" PRId64 ", session %" PRId64 ": RESOURCE_CREATE",
		 res->id, sess->id);
	ret = resource_create(res, sid, what, &remote);
	if (ret)
		return ret;

	pthread_mutex_lock(&dev.lock);
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (e) {
			e->res = res;
			e->id = res->id;
			e->next = dev.resources;
			dev.resources = e;
		}
	}
	if (e) {
		e->remote_id = remote;
		e->nr_sess = 0; /* older registrations died with the host */
		ret = vres_add_session(e, sid);
		if (ret) {
			vres_unlink(e);
			vres_free(e);
		}
	} else {
		ret = VACCEL_ENOMEM;
	}
	pthread_mutex_unlock(&dev.lock);
	if (ret) {
		vaccel_error(PFX "%s: out of memory", what);
		resource_ref(VIRTIO_ACCEL_IOC_RESOURCE_DESTROY, remote, 0, what,
			     NULL);
		return ret;
	}
	res->remote_id = (vaccel_id_t)remote;
	vaccel_debug(PFX "resource %" PRId64 " -> remote resource %" PRIu64,
		     res->id, remote);
	return VACCEL_OK;
}

/*
 * The pair is forgotten locally whatever the device answers, so a retry (or
 * the forced unregistration of a resource release) always completes; a
 * device that no longer knows the session or resource counts as success.
 */
static int virtio_resource_unregister(struct vaccel_resource *res,
				      struct vaccel_session *sess)
{
	char what[96];
	int err;

	int ret = check_session(sess, "resource_unregister");
	if (ret)
		return ret;
	if (!res) {
		vaccel_error(PFX "resource_unregister: resource is NULL");
		return VACCEL_EINVAL;
	}
	const uint64_t sid = (uint64_t)sess->remote_id;

	pthread_mutex_lock(&dev.lock);
	struct vres *e = vres_find(res);
	if (!e || !vres_del_session(e, sid)) {
		pthread_mutex_unlock(&dev.lock);
		vaccel_debug(PFX "resource %" PRId64 " is not registered "
				 "remotely with session %" PRId64,
			     res->id, sess->id);
		return VACCEL_OK;
	}
	const uint64_t remote = e->remote_id;
	const bool last = e->nr_sess == 0;
	if (last)
		vres_unlink(e);
	pthread_mutex_unlock(&dev.lock);

	if (last) {
		/* DESTROY unregisters it from the session too */
		snprintf(what, sizeof(what),
			 "resource %" PRId64 " (remote %" PRIu64
			 "): RESOURCE_DESTROY",
			 res->id, remote);
		ret = resource_ref(VIRTIO_ACCEL_IOC_RESOURCE_DESTROY, remote, 0,
				   what, &err);
		vres_free(e);
		res->remote_id = 0;
	} else {
		snprintf(what, sizeof(what),
			 "resource %" PRId64 " (remote %" PRIu64
			 "), session %" PRId64 ": RESOURCE_UNREGISTER",
			 res->id, remote, sess->id);
		ret = resource_ref(VIRTIO_ACCEL_IOC_RESOURCE_UNREGISTER, remote,
				   sid, what, &err);
	}
	return err == ENOENT ? VACCEL_OK : ret;
}

/* ---------------------------------------------------------------------- */
/* operations                                                              */
/* ---------------------------------------------------------------------- */

void arg_set(struct virtio_accel_ioc_arg *a, const void *buf, uint64_t len,
	     vaccel_arg_type_t type)
{
	memset(a, 0, sizeof(*a));
	a->uaddr = (uintptr_t)buf;
	a->len = len;
	a->type = (uint32_t)type;
}

/* Forward a caller's vaccel_arg (validated). */
static int arg_from_vaccel(struct virtio_accel_ioc_arg *a,
			   const struct vaccel_arg *v, const char *op,
			   const char *dir, size_t idx)
{
	if ((unsigned int)v->type >= VIRTIO_ACCEL_ARG_TYPE_MAX) {
		vaccel_error(PFX "%s: %s arg %zu has an invalid type %d", op,
			     dir, idx, (int)v->type);
		return VACCEL_EINVAL;
	}
	if (v->size && !v->buf) {
		vaccel_error(PFX "%s: %s arg %zu has %zu bytes but no buffer",
			     op, dir, idx, v->size);
		return VACCEL_EINVAL;
	}
	arg_set(a, v->buf, v->size, v->type);
	if (v->type == VACCEL_ARG_CUSTOM)
		a->custom_type_id = v->custom_type_id;
	return VACCEL_OK;
}

/* Bytes of a row-major rows x cols float matrix with leading dimension ld. */
static int sgemm_bytes(int64_t rows, int64_t cols, int64_t ld, const char *name,
		       uint64_t *bytes)
{
	uint64_t span;

	if (ld < cols ||
	    __builtin_mul_overflow((uint64_t)(rows - 1), (uint64_t)ld, &span) ||
	    __builtin_add_overflow(span, (uint64_t)cols, &span) ||
	    __builtin_mul_overflow(span, sizeof(float), &span) ||
	    span > SIZE_MAX) {
		vaccel_error(PFX "blas_sgemm: matrix %s (%" PRId64 " x %" PRId64
				 ", leading dimension %" PRId64 ") is invalid",
			     name, rows, cols, ld);
		return VACCEL_EINVAL;
	}
	*bytes = span;
	return VACCEL_OK;
}

/*
 * Fixed layouts (op_layout.h's OP_LAYOUT_* lists): the
 * values of an op's args by layout index; the types come from the layout,
 * and each value is checked against its entry as the host will check it.
 */
struct lay_val {
	const void *buf;
	uint64_t len;
	uint32_t flags; /* VIRTIO_ACCEL_IOC_ARG_F_* */
};
#define LV(x)		 ((struct lay_val){.buf = &(x), .len = sizeof(x)})
#define LV_BUF(p, bytes) ((struct lay_val){.buf = (p), .len = (bytes)})

static int layout_encode(vaccel_op_type_t type, const struct lay_val *v,
			 struct virtio_accel_ioc_arg *args)
{
	const struct op_layout *l = op_layout_of((uint32_t)type);
	char name[VACCEL_ENUM_STR_MAX];
	char want[96];

	for (unsigned int i = 0; l && i < l->nr_read + l->nr_write; i++) {
		const struct op_arg_spec *spec = &l->arg[i];
		if (v[i].len > SIZE_MAX ||
		    !op_arg_fits(spec, spec->type, (size_t)v[i].len, v[i].buf,
				 want, sizeof(want))) {
			vaccel_op_type_name(type, name, sizeof(name));
			vaccel_error(PFX "%s: %s must be %s (%" PRIu64
					 " bytes%s)",
				     name, spec->name, want, v[i].len,
				     v[i].buf ? "" : ", no buffer");
			return VACCEL_EINVAL;
		}
		arg_set(&args[i], v[i].buf, v[i].len,
			(vaccel_arg_type_t)spec->type);
		args[i].flags = v[i].flags;
	}
	return l ? VACCEL_OK : VACCEL_EINVAL;
}

/* Run an op whose args are exactly its layout's. */
static int run_layout(struct vaccel_session *sess, vaccel_op_type_t type,
		      const struct lay_val *v)
{
	const struct op_layout *l = op_layout_of((uint32_t)type);
	struct virtio_accel_ioc_arg args[OP_LAYOUT_MAX_ARGS];

	int ret = layout_encode(type, v, args);
	if (ret)
		return ret;
	return run_op(sess, type, args, l->nr_read,
		      l->nr_write ? args + l->nr_read : NULL, l->nr_write);
}

int run_op(struct vaccel_session *sess, vaccel_op_type_t type,
	   struct virtio_accel_ioc_arg *rd, uint32_t nr_read,
	   struct virtio_accel_ioc_arg *wr, uint32_t nr_write)
{
	return run_op_ex(sess, type, rd, nr_read, wr, nr_write, NULL);
}

int run_op_ex(struct vaccel_session *sess, vaccel_op_type_t type,
	      struct virtio_accel_ioc_arg *rd, uint32_t nr_read,
	      struct virtio_accel_ioc_arg *wr, uint32_t nr_write,
	      bool *overflow)
{
	struct virtio_accel_ioc_op op;
	char name[VACCEL_ENUM_STR_MAX];
	char what[VACCEL_ENUM_STR_MAX + 48];
	uint64_t caps_small[16];
	uint64_t *caps = caps_small;
	uint64_t total = 0;
	int h;

	vaccel_op_type_name(type, name, sizeof(name));
	int ret = check_session(sess, name);
	if (ret)
		return ret;
	ret = device_get(&h);
	if (ret)
		return ret;
	snprintf(what, sizeof(what), "session %" PRId64 ": op %s", sess->id,
		 name);

	if ((uint64_t)nr_read + nr_write > dev.max_args) {
		vaccel_error(PFX
			     "%s: %u arguments, the device takes at most %u",
			     what, nr_read + nr_write, dev.max_args);
		return VACCEL_ENOSPC;
	}
	for (uint32_t i = 0; i < nr_read + nr_write; i++) {
		const struct virtio_accel_ioc_arg *a =
			i < nr_read ? &rd[i] : &wr[i - nr_read];
		if (a->len && !a->uaddr) {
			vaccel_error(PFX "%s: arg %u has %" PRIu64
					 " bytes but no buffer",
				     what, i, (uint64_t)a->len);
			return VACCEL_EINVAL;
		}
		if (a->len > dev.max_arg_size ||
		    __builtin_add_overflow(total, a->len, &total) ||
		    total > dev.max_request_bytes) {
			vaccel_error(PFX "%s: arg %u (%" PRIu64
					 " bytes) exceeds the device's size "
					 "limits (%" PRIu64 " per arg, %" PRIu64
					 " per request)",
				     what, i, (uint64_t)a->len,
				     dev.max_arg_size, dev.max_request_bytes);
			return VACCEL_ENOSPC;
		}
	}
	if (nr_write > sizeof(caps_small) / sizeof(caps_small[0])) {
		caps = malloc(nr_write * sizeof(*caps));
		if (!caps) {
			vaccel_error(PFX "%s: out of memory", what);
			return VACCEL_ENOMEM;
		}
	}
	for (uint32_t i = 0; i < nr_write; i++)
		caps[i] = wr[i].len;

	memset(&op, 0, sizeof(op));
	op.session_id = (uint64_t)sess->remote_id;
	op.op_type = (uint32_t)type;
	op.read_args = nr_read ? (uintptr_t)rd : 0;
	op.write_args = nr_write ? (uintptr_t)wr : 0;
	op.nr_read = nr_read;
	op.nr_write = nr_write;
	int err;
	ret = xfer(VIRTIO_ACCEL_IOC_OP, &op, &op.status, what, false, &err);
	if (overflow)
		*overflow = ret && err == EOVERFLOW;
	if (ret && err == EOVERFLOW && overflow) {
		; /* the caller retries with the sizes needed */
	} else if (ret && err == EOVERFLOW) {
		bool named = false;
		for (uint32_t i = 0; i < nr_write; i++)
			if (wr[i].len > caps[i] && !named) {
				vaccel_error(PFX "%s: output %u needs %" PRIu64
						 " bytes, its buffer holds "
						 "%" PRIu64,
					     what, i, (uint64_t)wr[i].len,
					     caps[i]);
				named = true;
			}
		if (!named)
			vaccel_error(PFX "%s: an output did not fit its buffer",
				     what);
	} else if (!ret) {
		for (uint32_t i = 0; i < nr_write; i++)
			if (wr[i].len > caps[i])
				wr[i].len = caps[i]; /* never trust growth */
		ret = op.vaccel_ret;
		if (ret)
			vaccel_error(PFX "%s: the host returned %d", what, ret);
	}
	if (caps != caps_small)
		free(caps);
	return ret;
}

static int virtio_noop(struct vaccel_session *sess)
{
	return run_op(sess, VACCEL_OP_NOOP, NULL, 0, NULL, 0);
}

/* Forward read args after `fixed` leading ones and all write args, then
 * copy the produced sizes back into the caller's write args. */
static int run_forwarded(struct vaccel_session *sess, vaccel_op_type_t type,
			 struct virtio_accel_ioc_arg *fixed, uint32_t nr_fixed,
			 struct vaccel_arg *read, size_t nr_read,
			 struct vaccel_arg *write, size_t nr_write)
{
	char name[VACCEL_ENUM_STR_MAX];
	struct virtio_accel_ioc_arg *args;
	int ret;

	vaccel_op_type_name(type, name, sizeof(name));
	if ((nr_read && !read) || (nr_write && !write)) {
		vaccel_error(PFX "%s: %s args are NULL", name,
			     nr_read && !read ? "read" : "write");
		return VACCEL_EINVAL;
	}
	if (nr_read > VIRTIO_ACCEL_MAX_ARGS_LIMIT ||
	    nr_write > VIRTIO_ACCEL_MAX_ARGS_LIMIT) {
		vaccel_error(PFX "%s: too many arguments (%zu read, %zu write)",
			     name, nr_read, nr_write);
		return VACCEL_ENOSPC;
	}
	const size_t nr_rd = nr_fixed + nr_read;
	args = calloc(nr_rd + nr_write ? nr_rd + nr_write : 1, sizeof(*args));
	if (!args) {
		vaccel_error(PFX "%s: out of memory", name);
		return VACCEL_ENOMEM;
	}
	struct virtio_accel_ioc_arg *wr = args + nr_rd;
	if (nr_fixed)
		memcpy(args, fixed, nr_fixed * sizeof(*fixed));
	for (size_t i = 0; i < nr_read; i++) {
		ret = arg_from_vaccel(&args[nr_fixed + i], &read[i], name,
				      "read", i);
		if (ret)
			goto out;
	}
	for (size_t i = 0; i < nr_write; i++) {
		ret = arg_from_vaccel(&wr[i], &write[i], name, "write", i);
		if (ret)
			goto out;
	}
	ret = run_op(sess, type, args, (uint32_t)nr_rd, nr_write ? wr : NULL,
		     (uint32_t)nr_write);
	if (ret == VACCEL_OK) {
		for (size_t i = 0; i < nr_write; i++) {
			write[i].size = (size_t)wr[i].len;
			if (wr[i].type < VIRTIO_ACCEL_ARG_TYPE_MAX)
				write[i].type = (vaccel_arg_type_t)wr[i].type;
		}
	}
out:
	free(args);
	return ret;
}

static int virtio_exec(struct vaccel_session *sess, const char *library,
		       const char *fn_symbol, struct vaccel_arg *read,
		       size_t nr_read, struct vaccel_arg *write,
		       size_t nr_write)
{
	enum { OP_LAYOUT_EXEC(OP_ARG_INDEX) NR_FIXED };
	struct virtio_accel_ioc_arg fixed[NR_FIXED];
	struct lay_val v[NR_FIXED] = {0};

	if (!library || !fn_symbol) {
		vaccel_error(PFX "exec: %s is NULL",
			     library ? "fn_symbol" : "library");
		return VACCEL_EINVAL;
	}
	v[ARG_library] = LV_BUF(library, strlen(library) + 1);
	v[ARG_symbol] = LV_BUF(fn_symbol, strlen(fn_symbol) + 1);
	int ret = layout_encode(VACCEL_OP_EXEC, v, fixed);
	if (ret)
		return ret;
	return run_forwarded(sess, VACCEL_OP_EXEC, fixed, NR_FIXED, read,
			     nr_read, write, nr_write);
}

static int virtio_exec_with_resource(struct vaccel_session *sess,
				     struct vaccel_resource *resource,
				     const char *fn_symbol,
				     struct vaccel_arg *read, size_t nr_read,
				     struct vaccel_arg *write, size_t nr_write)
{
	enum { OP_LAYOUT_EXEC_WITH_RESOURCE(OP_ARG_INDEX) NR_FIXED };
	struct virtio_accel_ioc_arg fixed[NR_FIXED];
	struct lay_val v[NR_FIXED] = {0};
	int64_t rid;

	if (!resource || !fn_symbol) {
		vaccel_error(PFX "exec_with_resource: %s is NULL",
			     resource ? "fn_symbol" : "resource");
		return VACCEL_EINVAL;
	}
	rid = resource->remote_id;
	if (rid <= 0) {
		vaccel_error(PFX "exec_with_resource: resource %" PRId64
				 " is not registered with a remote session",
			     resource->id);
		return VACCEL_EINVAL;
	}
	v[ARG_resource] = LV(rid);
	v[ARG_symbol] = LV_BUF(fn_symbol, strlen(fn_symbol) + 1);
	int ret = layout_encode(VACCEL_OP_EXEC_WITH_RESOURCE, v, fixed);
	if (ret)
		return ret;
	return run_forwarded(sess, VACCEL_OP_EXEC_WITH_RESOURCE, fixed,
			     NR_FIXED, read, nr_read, write, nr_write);
}

static int virtio_opencv(struct vaccel_session *sess, struct vaccel_arg *read,
			 int nr_read, struct vaccel_arg *write, int nr_write)
{
	if (nr_read < 0 || nr_write < 0) {
		vaccel_error(PFX "opencv: negative argument count");
		return VACCEL_EINVAL;
	}
	return run_forwarded(sess, VACCEL_OP_OPENCV, NULL, 0, read,
			     (size_t)nr_read, write, (size_t)nr_write);
}

static int virtio_sgemm(struct vaccel_session *sess, int64_t m, int64_t n,
			int64_t k, float alpha, float *a, int64_t lda, float *b,
			int64_t ldb, float beta, float *c, int64_t ldc)
{
	enum { OP_LAYOUT_BLAS_SGEMM(OP_ARG_INDEX) NR };
	struct lay_val v[NR] = {0};
	uint64_t la, lb, lc;

	if (m < 1 || n < 1 || k < 1) {
		vaccel_error(PFX "blas_sgemm: m, n, k must be >= 1 (got "
				 "%" PRId64 ", %" PRId64 ", %" PRId64 ")",
			     m, n, k);
		return VACCEL_EINVAL;
	}
	if (!a || !b || !c) {
		vaccel_error(PFX "blas_sgemm: matrix %s is NULL",
			     !a ? "a" : (!b ? "b" : "c"));
		return VACCEL_EINVAL;
	}
	int ret = sgemm_bytes(m, k, lda, "a", &la);
	if (!ret)
		ret = sgemm_bytes(k, n, ldb, "b", &lb);
	if (!ret)
		ret = sgemm_bytes(m, n, ldc, "c", &lc);
	if (ret)
		return ret;
	v[ARG_m] = LV(m);
	v[ARG_n] = LV(n);
	v[ARG_k] = LV(k);
	v[ARG_alpha] = LV(alpha);
	v[ARG_a] = LV_BUF(a, la);
	v[ARG_lda] = LV(lda);
	v[ARG_b] = LV_BUF(b, lb);
	v[ARG_ldb] = LV(ldb);
	v[ARG_beta] = LV(beta);
	v[ARG_ldc] = LV(ldc);
	v[ARG_c] = LV_BUF(c, lc);
#ifdef VIRTIO_ACCEL_IOC_ARG_F_INOUT
	/* c is an input too (beta * c, untouched columns past n when
	 * ldc > n): the device must see the caller's bytes at any size */
	v[ARG_c].flags = VIRTIO_ACCEL_IOC_ARG_F_INOUT;
#endif
	return run_layout(sess, VACCEL_OP_BLAS_SGEMM, v);
}

/* An image output the caller may omit: a scratch buffer stands in. */
static struct lay_val image_out(unsigned char *buf, size_t len,
				unsigned char *scratch)
{
	return buf && len ? LV_BUF(buf, len) : LV_BUF(scratch, SCRATCH_OUT);
}

static int check_image(const char *op, const void *img, size_t len_img)
{
	if (!img || !len_img) {
		vaccel_error(PFX "%s: the image is %s", op,
			     img ? "empty" : "NULL");
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

static int virtio_image_classify(struct vaccel_session *sess, const void *img,
				 unsigned char *out_text,
				 unsigned char *out_imgname, size_t len_img,
				 size_t len_out_text, size_t len_out_imgname)
{
	enum { OP_LAYOUT_IMAGE_CLASSIFY(OP_ARG_INDEX) NR };
	unsigned char scratch[2][SCRATCH_OUT];
	struct lay_val v[NR] = {0};

	int ret = check_image("image_classify", img, len_img);
	if (ret)
		return ret;
	v[ARG_image] = LV_BUF(img, len_img);
	v[ARG_out_imgname] =
		image_out(out_imgname, len_out_imgname, scratch[0]);
	v[ARG_out_text] = image_out(out_text, len_out_text, scratch[1]);
	return run_layout(sess, VACCEL_OP_IMAGE_CLASSIFY, v);
}

static int image_op(vaccel_op_type_t type, struct vaccel_session *sess,
		    const void *img, unsigned char *out_imgname, size_t len_img,
		    size_t len_out_imgname)
{
	enum { OP_LAYOUT_IMAGE_OP(OP_ARG_INDEX) NR };
	char name[VACCEL_ENUM_STR_MAX];
	unsigned char scratch[SCRATCH_OUT];
	struct lay_val v[NR] = {0};

	vaccel_op_type_name(type, name, sizeof(name));
	int ret = check_image(name, img, len_img);
	if (ret)
		return ret;
	v[ARG_image] = LV_BUF(img, len_img);
	v[ARG_out_imgname] = image_out(out_imgname, len_out_imgname, scratch);
	return run_layout(sess, type, v);
}

static int virtio_image_detect(struct vaccel_session *sess, const void *img,
			       unsigned char *out_imgname, size_t len_img,
			       size_t len_out_imgname)
{
	return image_op(VACCEL_OP_IMAGE_DETECT, sess, img, out_imgname, len_img,
			len_out_imgname);
}

static int virtio_image_segment(struct vaccel_session *sess, const void *img,
				unsigned char *out_imgname, size_t len_img,
				size_t len_out_imgname)
{
	return image_op(VACCEL_OP_IMAGE_SEGMENT, sess, img, out_imgname,
			len_img, len_out_imgname);
}

static int virtio_image_pose(struct vaccel_session *sess, const void *img,
			     unsigned char *out_imgname, size_t len_img,
			     size_t len_out_imgname)
{
	return image_op(VACCEL_OP_IMAGE_POSE, sess, img, out_imgname, len_img,
			len_out_imgname);
}

static int virtio_image_depth(struct vaccel_session *sess, const void *img,
			      unsigned char *out_imgname, size_t len_img,
			      size_t len_out_imgname)
{
	return image_op(VACCEL_OP_IMAGE_DEPTH, sess, img, out_imgname, len_img,
			len_out_imgname);
}

/* Bytes of `count` elements of `elem` bytes; EINVAL if 0 or too large. */
static int array_bytes(const char *op, const char *name, const void *p,
		       size_t count, size_t elem, uint64_t *bytes)
{
	if (!p || count == 0 || count > SIZE_MAX / elem) {
		vaccel_error(PFX "%s: array %s is %s", op, name,
			     !p ? "NULL" : (count ? "too large" : "empty"));
		return VACCEL_EINVAL;
	}
	*bytes = (uint64_t)count * elem;
	return VACCEL_OK;
}

static int virtio_fpga_arraycopy(struct vaccel_session *sess, int a[],
				 int out_a[], size_t len_a)
{
	enum { OP_LAYOUT_FPGA_ARRAYCOPY(OP_ARG_INDEX) NR };
	struct lay_val v[NR] = {0};
	uint64_t la;

	int ret =
		array_bytes("fpga_arraycopy", "a", a, len_a, sizeof(int), &la);
	if (!ret)
		ret = array_bytes("fpga_arraycopy", "out_a", out_a, len_a,
				  sizeof(int), &la);
	if (ret)
		return ret;
	v[ARG_a] = LV_BUF(a, la);
	v[ARG_out_a] = LV_BUF(out_a, la);
	return run_layout(sess, VACCEL_OP_FPGA_ARRAYCOPY, v);
}

/* Three float arrays of len_a elements each: a, b in; c out. */
static int virtio_fpga_mmult(struct vaccel_session *sess, float a[], float b[],
			     float c[], size_t len_a)
{
	enum { OP_LAYOUT_FPGA_MMULT(OP_ARG_INDEX) NR };
	const char *op = "fpga_mmult";
	struct lay_val v[NR] = {0};
	uint64_t l;

	int ret = array_bytes(op, "a", a, len_a, sizeof(float), &l);
	if (!ret)
		ret = array_bytes(op, "b", b, len_a, sizeof(float), &l);
	if (!ret)
		ret = array_bytes(op, "c", c, len_a, sizeof(float), &l);
	if (ret)
		return ret;
	v[ARG_a] = LV_BUF(a, l);
	v[ARG_b] = LV_BUF(b, l);
	v[ARG_c] = LV_BUF(c, l);
	return run_layout(sess, VACCEL_OP_FPGA_MMULT, v);
}

static int virtio_fpga_parallel(struct vaccel_session *sess, float a[],
				float b[], float add_output[],
				float mult_output[], size_t len_a)
{
	enum { OP_LAYOUT_FPGA_PARALLEL(OP_ARG_INDEX) NR };
	const char *op = "fpga_parallel";
	struct lay_val v[NR] = {0};
	uint64_t l;

	int ret = array_bytes(op, "a", a, len_a, sizeof(float), &l);
	if (!ret)
		ret = array_bytes(op, "b", b, len_a, sizeof(float), &l);
	if (!ret)
		ret = array_bytes(op, "add_output", add_output, len_a,
				  sizeof(float), &l);
	if (!ret)
		ret = array_bytes(op, "mult_output", mult_output, len_a,
				  sizeof(float), &l);
	if (ret)
		return ret;
	v[ARG_a] = LV_BUF(a, l);
	v[ARG_b] = LV_BUF(b, l);
	v[ARG_add_output] = LV_BUF(add_output, l);
	v[ARG_mult_output] = LV_BUF(mult_output, l);
	return run_layout(sess, VACCEL_OP_FPGA_PARALLEL, v);
}

/* c holds max(len_a, len_b) elements (the generic op's layout). */
static int virtio_fpga_vadd(struct vaccel_session *sess, float a[], float b[],
			    float c[], size_t len_a, size_t len_b)
{
	enum { OP_LAYOUT_FPGA_VECTORADD(OP_ARG_INDEX) NR };
	const char *op = "fpga_vadd";
	struct lay_val v[NR] = {0};
	uint64_t la, lb, lc;

	int ret = array_bytes(op, "a", a, len_a, sizeof(float), &la);
	if (!ret)
		ret = array_bytes(op, "b", b, len_b, sizeof(float), &lb);
	if (!ret)
		ret = array_bytes(op, "c", c, len_a > len_b ? len_a : len_b,
				  sizeof(float), &lc);
	if (ret)
		return ret;
	v[ARG_a] = LV_BUF(a, la);
	v[ARG_b] = LV_BUF(b, lb);
	v[ARG_c] = LV_BUF(c, lc);
	return run_layout(sess, VACCEL_OP_FPGA_VECTORADD, v);
}

static int virtio_minmax(struct vaccel_session *sess, const double *indata,
			 int ndata, int low_threshold, int high_threshold,
			 double *outdata, double *min, double *max)
{
	enum { OP_LAYOUT_MINMAX(OP_ARG_INDEX) NR };
	const char *op = "minmax";
	struct lay_val v[NR] = {0};
	uint64_t l;

	if (ndata < 1) {
		vaccel_error(PFX "minmax: ndata must be >= 1 (got %d)", ndata);
		return VACCEL_EINVAL;
	}
	if (!min || !max) {
		vaccel_error(PFX "minmax: %s is NULL", !min ? "min" : "max");
		return VACCEL_EINVAL;
	}
	int ret = array_bytes(op, "indata", indata, (size_t)ndata,
			      sizeof(double), &l);
	if (!ret)
		ret = array_bytes(op, "outdata", outdata, (size_t)ndata,
				  sizeof(double), &l);
	if (ret)
		return ret;
	v[ARG_indata] = LV_BUF(indata, l);
	v[ARG_ndata] = LV(ndata);
	v[ARG_low_threshold] = LV(low_threshold);
	v[ARG_high_threshold] = LV(high_threshold);
	v[ARG_outdata] = LV_BUF(outdata, l);
	v[ARG_min] = LV_BUF(min, sizeof(*min));
	v[ARG_max] = LV_BUF(max, sizeof(*max));
	return run_layout(sess, VACCEL_OP_MINMAX, v);
}

/* ---------------------------------------------------------------------- */
/* plugin                                                                  */
/* ---------------------------------------------------------------------- */

/*
 * Every op the protocol carries (VIRTIO_ACCEL_OPF_CARRIED in the UAPI's
 * table). TORCH_SGEMM, deprecated, is not carried: it is left unregistered,
 * so the runtime answers VACCEL_ENOTSUP with one error line naming the op.
 * The model ops (models.c) need a host with F_MODELS.
 */
static struct vaccel_op ops[] = {
	VACCEL_OP_INIT(ops[0], VACCEL_OP_NOOP, virtio_noop),
	VACCEL_OP_INIT(ops[1], VACCEL_OP_EXEC, virtio_exec),
	VACCEL_OP_INIT(ops[2], VACCEL_OP_EXEC_WITH_RESOURCE,
		       virtio_exec_with_resource),
	VACCEL_OP_INIT(ops[3], VACCEL_OP_IMAGE_CLASSIFY, virtio_image_classify),
	VACCEL_OP_INIT(ops[4], VACCEL_OP_IMAGE_DETECT, virtio_image_detect),
	VACCEL_OP_INIT(ops[5], VACCEL_OP_IMAGE_SEGMENT, virtio_image_segment),
	VACCEL_OP_INIT(ops[6], VACCEL_OP_IMAGE_POSE, virtio_image_pose),
	VACCEL_OP_INIT(ops[7], VACCEL_OP_IMAGE_DEPTH, virtio_image_depth),
	VACCEL_OP_INIT(ops[8], VACCEL_OP_BLAS_SGEMM, virtio_sgemm),
	VACCEL_OP_INIT(ops[9], VACCEL_OP_FPGA_ARRAYCOPY, virtio_fpga_arraycopy),
	VACCEL_OP_INIT(ops[10], VACCEL_OP_FPGA_MMULT, virtio_fpga_mmult),
	VACCEL_OP_INIT(ops[11], VACCEL_OP_FPGA_PARALLEL, virtio_fpga_parallel),
	VACCEL_OP_INIT(ops[12], VACCEL_OP_FPGA_VECTORADD, virtio_fpga_vadd),
	VACCEL_OP_INIT(ops[13], VACCEL_OP_MINMAX, virtio_minmax),
	VACCEL_OP_INIT(ops[14], VACCEL_OP_OPENCV, virtio_opencv),
	VACCEL_OP_INIT(ops[15], VACCEL_OP_TF_MODEL_LOAD, virtio_tf_model_load),
	VACCEL_OP_INIT(ops[16], VACCEL_OP_TF_MODEL_UNLOAD,
		       virtio_tf_model_unload),
	VACCEL_OP_INIT(ops[17], VACCEL_OP_TF_MODEL_RUN, virtio_tf_model_run),
	VACCEL_OP_INIT(ops[18], VACCEL_OP_TFLITE_MODEL_LOAD,
		       virtio_tflite_model_load),
	VACCEL_OP_INIT(ops[19], VACCEL_OP_TFLITE_MODEL_UNLOAD,
		       virtio_tflite_model_unload),
	VACCEL_OP_INIT(ops[20], VACCEL_OP_TFLITE_MODEL_RUN,
		       virtio_tflite_model_run),
	VACCEL_OP_INIT(ops[21], VACCEL_OP_TORCH_MODEL_LOAD,
		       virtio_torch_model_load),
	VACCEL_OP_INIT(ops[22], VACCEL_OP_TORCH_MODEL_RUN,
		       virtio_torch_model_run),
};

static int virtio_init(void)
{
	return vaccel_plugin_register_ops(ops, sizeof(ops) / sizeof(ops[0]));
}

static int virtio_fini(void)
{
	pthread_mutex_lock(&dev.lock);
	int h = atomic_exchange(&dev.handle, -1);
	if (h >= 0)
		transport->close(h);
	while (dev.resources) {
		struct vres *e = dev.resources;
		dev.resources = e->next;
		vres_free(e);
	}
	pthread_mutex_unlock(&dev.lock);
	return VACCEL_OK;
}

VACCEL_PLUGIN(.name = VIRTIO_PLUGIN_NAME, .version = VACCEL_PLUGIN_VERSION,
	      .vaccel_version = VACCEL_VERSION, .type = VACCEL_PLUGIN_REMOTE,
	      .is_virtio = true, .init = virtio_init, .fini = virtio_fini,
	      .session_init = virtio_session_init,
	      .session_release = virtio_session_release,
	      .resource_register = virtio_resource_register,
	      .resource_unregister = virtio_resource_unregister);
