// SPDX-License-Identifier: GPL-2.0
/*
 * va_smoke: every ioctl of /dev/virtio-accel<N>, good and bad.
 *
 * Needs the host daemon with the noop plugin (sessions with the DEBUG hint
 * go to it). Checks: GET_INFO, sessions, NOOP, echo through EXEC (inline,
 * segments, forced copy, unaligned), resources, EXEC_WITH_RESOURCE and
 * a model op (ids of other files refused),
 * TIMERS_GET (incl. OVERFLOW), unknown ioctls (ENOTTY), bad pointers
 * (EFAULT), huge counts and overflowing lengths (E2BIG), reserved fields
 * (EINVAL), another open file's ids (ENOENT, also across fork), per-file
 * cleanup on close.
 */
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "va_test.h"

static struct virtio_accel_ioc_info info;

static void t_info(int fd)
{
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_GET_INFO, &info), 0);
	CHECK(info.version == VIRTIO_ACCEL_VERSION, "version %u", info.version);
	CHECK(info.num_queues >= 1, "num_queues %u", info.num_queues);
	CHECK(info.features & (1ull << VIRTIO_ACCEL_F_SEGMENTS),
	      "features 0x%llx", (unsigned long long)info.features);
	CHECK(info.config.version_min <= 1 && info.config.version_max >= 1,
	      "config versions");
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_GET_INFO, NULL), -EFAULT);
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_GET_INFO, (void *)1), -EFAULT);
	VA_LOG("info: v%u, %u queue(s), features 0x%llx, max_args %u, "
	       "max_arg_size %llu, max_inline %u, max_sessions %u",
	       info.version, info.num_queues,
	       (unsigned long long)info.features, info.config.max_args,
	       (unsigned long long)info.config.max_arg_size,
	       info.config.max_inline_bytes, info.config.max_sessions);
}

static void t_enotty(int fd)
{
	char buf[256] = { 0 };
	/* numbers of earlier generations ('@'), wrong sizes, wrong numbers */
	static const unsigned long bad[] = {
		0xC0284000ul,
		0xC0284001ul,
		0xC0304002ul,
		0xC0284003ul,
		_IO(VIRTIO_ACCEL_IOC_MAGIC, 0x0f),
		_IO(VIRTIO_ACCEL_IOC_MAGIC, 0x19),
		_IOR(VIRTIO_ACCEL_IOC_MAGIC, 0x10, uint32_t),
		_IOWR(VIRTIO_ACCEL_IOC_MAGIC, 0x11, uint64_t),
		_IOW(VIRTIO_ACCEL_IOC_MAGIC, 0x17,
		     struct virtio_accel_ioc_op),
		_IOWR(VIRTIO_ACCEL_IOC_MAGIC, 0x18, char[41]),
		0x5401 /* TCGETS */,
		0,
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_RC(va_ioctl(fd, bad[i], buf), -ENOTTY);
	CHECK(lseek(fd, 0, SEEK_SET) < 0 && errno == ESPIPE, "lseek");
}

static void t_sessions(int fd)
{
	struct virtio_accel_ioc_session s = { .flags = T_PLUGIN_DEBUG };
	uint64_t id, id2;
	int32_t vret = -1;

	CHECK_RC(va_sess_create(fd, T_PLUGIN_DEBUG, &id), 0);
	CHECK(id != 0, "session id 0");
	CHECK_RC(va_op(fd, id, T_OP_NOOP, NULL, 0, NULL, 0, &vret), 0);
	CHECK(vret == 0, "noop vaccel_ret %d", vret);

	s.reserved = 1;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_SESSION_CREATE, &s), -EINVAL);
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_SESSION_CREATE, NULL), -EFAULT);
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_SESSION_DESTROY, NULL),
		 -EFAULT);

	/* ids this file does not own */
	CHECK_RC(va_op(fd, 0, T_OP_NOOP, NULL, 0, NULL, 0, NULL), -ENOENT);
	CHECK_RC(va_op(fd, 0x12345678, T_OP_NOOP, NULL, 0, NULL, 0, NULL),
		 -ENOENT);
	CHECK_RC(va_sess_destroy(fd, 0x12345678), -ENOENT);
	CHECK_RC(va_sess_destroy(fd, 0), -ENOENT);
	{
		struct virtio_accel_ioc_op op = { .session_id = 999999 };

		CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_OP, &op), -ENOENT);
		CHECK(op.status == VIRTIO_ACCEL_NOSESS, "status %u",
		      op.status);
	}

	CHECK_RC(va_sess_create(fd, T_PLUGIN_DEBUG, &id2), 0);
	CHECK(id2 != id, "duplicate session id");
	CHECK_RC(va_sess_destroy(fd, id), 0);
	CHECK_RC(va_sess_destroy(fd, id), -ENOENT);
	CHECK_RC(va_op(fd, id, T_OP_NOOP, NULL, 0, NULL, 0, NULL), -ENOENT);
	CHECK_RC(va_sess_destroy(fd, id2), 0);
}

static void t_op_bounds(int fd, uint64_t sess)
{
	struct virtio_accel_ioc_arg a[3] = { 0 };
	struct virtio_accel_ioc_op op = { .session_id = sess };
	char buf[64] = "x";

	op.flags = 1;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_OP, &op), -EINVAL);
	op.flags = 0;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_OP, NULL), -EFAULT);

	/* counts */
	op.nr_read = 0xffffffffu;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_OP, &op), -E2BIG);
	op.nr_read = 0x80000000u;
	op.nr_write = 0x80000000u;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_OP, &op), -E2BIG);
	op.nr_read = info.config.max_args + 1;
	op.nr_write = 0;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_OP, &op), -E2BIG);

	/* argument arrays */
	op.nr_read = 2;
	op.read_args = 0;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_OP, &op), -EFAULT);
	op.read_args = 0xffff888000000000ull;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_OP, &op), -EFAULT);
	op.read_args = (uintptr_t)a;
	op.nr_read = 1;

	/* one argument, many ways wrong */
	a[0] = va_arg(buf, ~0ull, T_ARG_BUFFER);
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_OP, &op), -E2BIG);
	a[0] = va_arg(buf, info.config.max_arg_size + 1, T_ARG_BUFFER);
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_OP, &op), -E2BIG);
	a[0] = va_arg((void *)0xfffffffffffff000ull, 8192, T_ARG_BUFFER);
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_OP, &op), -EFAULT);
	a[0] = va_arg((void *)0xffff888000000000ull, 100, T_ARG_BUFFER);
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_OP, &op), -EFAULT);
	a[0] = va_arg(NULL, 100, T_ARG_BUFFER);
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_OP, &op), -EFAULT);
	a[0] = va_arg(NULL, 1 << 20, T_ARG_BUFFER);	/* segment path */
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_OP, &op), -EFAULT);
	a[0] = va_arg(buf, 8, T_ARG_BUFFER);
	a[0].reserved = 1;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_OP, &op), -EINVAL);
	a[0] = va_arg(buf, 8, VIRTIO_ACCEL_ARG_TYPE_MAX);
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_OP, &op), -EINVAL);
	a[0] = va_arg(buf, 8, T_ARG_BUFFER);
	a[0].custom_type_id = 3;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_OP, &op), -EINVAL);
	a[0] = va_arg(buf, 8, T_ARG_BUFFER);
	a[0].flags = 1u << 2; /* unknown flag */
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_OP, &op), -EINVAL);
	a[0] = va_arg(buf, 8, T_ARG_BUFFER);
	a[0].flags = VIRTIO_ACCEL_IOC_ARG_F_INOUT; /* on a read arg */
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_OP, &op), -EINVAL);
	a[0] = va_arg(buf, 8, T_ARG_BUFFER);
	a[0].flags = VIRTIO_ACCEL_IOC_ARG_F_INOUT | VIRTIO_ACCEL_IOC_ARG_F_COPY;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_OP, &op), -EINVAL);

	/* arguments whose lengths sum past max_request_bytes */
	op.nr_read = 3;
	a[0] = va_arg(buf, info.config.max_arg_size, T_ARG_BUFFER);
	a[1] = a[0];
	a[2] = a[0];
	if (3 * info.config.max_arg_size > info.config.max_request_bytes)
		CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_OP, &op), -E2BIG);
	/* within the limits, but not memory of the process */
	op.nr_read = 2;
	a[0] = va_arg(buf, 1ull << 26, T_ARG_BUFFER);
	a[1] = va_arg(buf, 1ull << 26, T_ARG_BUFFER);
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_OP, &op), -EFAULT);

	/* NOOP with arguments: the device says BADMSG */
	op.nr_read = 1;
	a[0] = va_arg(buf, 8, T_ARG_BUFFER);
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_OP, &op), -EBADMSG);
	CHECK(op.status == VIRTIO_ACCEL_BADMSG, "status %u", op.status);
	/* op types past the protocol's range */
	op.nr_read = 0;
	op.op_type = 24;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_OP, &op), -EBADMSG);
	op.op_type = VIRTIO_ACCEL_OP_TORCH_SGEMM; /* not carried */
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_OP, &op), -EOPNOTSUPP);
	/* a model op names its model in arg 0: the driver checks that first */
	op.op_type = VIRTIO_ACCEL_OP_TF_MODEL_LOAD;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_OP, &op), -EINVAL);
}

static void t_echo_one(int fd, uint64_t sess, size_t len, size_t off,
		       uint32_t in_flags, uint32_t out_flags)
{
	uint8_t *in = malloc(len + off + 1), *out = malloc(len + off + 1);
	uint64_t produced = 0;
	int rc;

	va_fill(in + off, len, len);
	memset(out, 0x5a, len + off + 1);
	rc = va_echo(fd, sess, in + off, out + off, len, in_flags, out_flags,
		     &produced);
	CHECK(rc == 0, "echo %zu+%zu flags %u/%u: %d", len, off, in_flags,
	      out_flags, rc);
	CHECK(produced == len, "echo %zu: produced %llu", len,
	      (unsigned long long)produced);
	CHECK(!memcmp(in + off, out + off, len), "echo %zu+%zu: data", len,
	      off);
	CHECK(out[len + off] == 0x5a, "echo %zu: wrote past the end", len);
	free(in);
	free(out);
}

static void t_echo(int fd, uint64_t sess)
{
	static const size_t sizes[] = { 1,	 100,	  4095,	  4096,
					4097,	 65536,	  100000, 1 << 20,
					3 << 20, 9 << 20 };
	unsigned int i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		t_echo_one(fd, sess, sizes[i], 0, 0, 0);
		t_echo_one(fd, sess, sizes[i], 13, 0, 0);
	}
	/* forced copies, up to the driver's inline cap (1 MiB) */
	t_echo_one(fd, sess, 65536, 0, VIRTIO_ACCEL_IOC_ARG_F_COPY, 0);
	t_echo_one(fd, sess, 65536, 7, 0, VIRTIO_ACCEL_IOC_ARG_F_COPY);
	t_echo_one(fd, sess, (1 << 20) - 64, 0, VIRTIO_ACCEL_IOC_ARG_F_COPY,
		   VIRTIO_ACCEL_IOC_ARG_F_COPY);
	{
		char *p = malloc(3 << 20);

		CHECK_RC(va_echo(fd, sess, p, p, 3 << 20,
				 VIRTIO_ACCEL_IOC_ARG_F_COPY, 0, NULL),
			 -E2BIG);
		free(p);
	}
	/* an output buffer the process cannot write */
	{
		size_t len = 1 << 16;
		char *in = malloc(len);
		void *ro = mmap(NULL, len, PROT_READ,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		CHECK_RC(va_echo(fd, sess, in, ro, len, 0, 0, NULL), -EFAULT);
		CHECK_RC(va_echo(fd, sess, in, ro, 100, 0, 0, NULL), -EFAULT);
		/* ...but it may be an input */
		CHECK_RC(va_echo(fd, sess, ro, in, len, 0, 0, NULL), 0);
		munmap(ro, len);
		free(in);
	}
	/* smaller output: noop copies min(in, out) */
	{
		char in[64] = "hello", out[8];
		uint64_t produced = 0;
		struct virtio_accel_ioc_arg rd[3] = {
			va_arg("a", 2, T_ARG_STRING),
			va_arg("b", 2, T_ARG_STRING),
			va_arg(in, sizeof(in), T_ARG_BUFFER),
		};
		struct virtio_accel_ioc_arg wr[1] = {
			va_arg(out, sizeof(out), T_ARG_BUFFER)
		};

		CHECK_RC(va_op(fd, sess, T_OP_EXEC, rd, 3, wr, 1, NULL), 0);
		produced = wr[0].len;
		CHECK(produced <= sizeof(out), "produced %llu",
		      (unsigned long long)produced);
	}
	/* zero-length output */
	{
		char in[16] = "x", out[1];
		struct virtio_accel_ioc_arg rd[3] = {
			va_arg("a", 2, T_ARG_STRING),
			va_arg("b", 2, T_ARG_STRING),
			va_arg(in, sizeof(in), T_ARG_BUFFER),
		};
		struct virtio_accel_ioc_arg wr[1] = {
			va_arg(out, 0, T_ARG_BUFFER)
		};
		int rc = va_op(fd, sess, T_OP_EXEC, rd, 3, wr, 1, NULL);

		CHECK(rc == 0 || rc == -EOVERFLOW, "zero-length out: %d", rc);
	}
}

static int t_res_create(int fd, uint64_t sess, const char *name,
			const void *data, uint64_t len, uint64_t *id,
			struct virtio_accel_ioc_resource_create *out)
{
	struct virtio_accel_ioc_blob b = {
		.name_uaddr = (uintptr_t)name,
		.data_uaddr = (uintptr_t)data,
		.data_len = len,
	};
	struct virtio_accel_ioc_resource_create rc = {
		.session_id = sess,
		.blobs = (uintptr_t)&b,
		.nr_blobs = 1,
		.type = T_RES_LIB,
	};
	int r = va_ioctl(fd, VIRTIO_ACCEL_IOC_RESOURCE_CREATE, &rc);

	if (id)
		*id = rc.resource_id;
	if (out)
		*out = rc;
	return r;
}

static void t_resources(int fd, uint64_t sess)
{
	struct virtio_accel_ioc_resource_create rc;
	struct virtio_accel_ioc_resource r = { 0 };
	struct virtio_accel_ioc_blob b[2];
	char data[100] = "not really a library";
	char longname[300];
	uint64_t id = 0, id2 = 0, id3 = 0;
	int64_t rid;

	if (!(info.features & (1ull << VIRTIO_ACCEL_F_RESOURCES))) {
		VA_LOG("no F_RESOURCES: skipping resources");
		return;
	}
	CHECK_RC(t_res_create(fd, 0, "blob.bin", data, sizeof(data), &id,
			      &rc),
		 0);
	CHECK(rc.vaccel_ret == 0 && id, "create: ret %d id %llu",
	      rc.vaccel_ret, (unsigned long long)id);
	CHECK_RC(t_res_create(fd, sess, "blob2.bin", data, sizeof(data), &id2,
			      &rc),
		 0);
	CHECK(id2 && id2 != id, "second resource id");

	/* bad blobs */
	CHECK_RC(t_res_create(fd, 0, "../x", data, 10, NULL, NULL), -EINVAL);
	CHECK_RC(t_res_create(fd, 0, "a/b", data, 10, NULL, NULL), -EINVAL);
	CHECK_RC(t_res_create(fd, 0, ".", data, 10, NULL, NULL), -EINVAL);
	CHECK_RC(t_res_create(fd, 0, "", data, 10, NULL, NULL), -EINVAL);
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	CHECK_RC(t_res_create(fd, 0, longname, data, 10, NULL, NULL),
		 -ENAMETOOLONG);
	longname[255] = 0;
	CHECK_RC(t_res_create(fd, 0, longname, data, 10, &id3, NULL),
		 0);
	CHECK_RC(t_res_create(fd, 0, (char *)8, data, 10, NULL, NULL),
		 -EFAULT);
	CHECK_RC(t_res_create(fd, 0, "x", data, 0, NULL, NULL), -EINVAL);
	CHECK_RC(t_res_create(fd, 0, "x", NULL, 10, NULL, NULL), -EFAULT);
	CHECK_RC(t_res_create(fd, 0x7777, "x", data, 10, NULL, NULL), -ENOENT);
	memset(&rc, 0, sizeof(rc));
	rc.nr_blobs = 0;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_RESOURCE_CREATE, &rc), -EINVAL);
	rc.nr_blobs = 1u << 30;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_RESOURCE_CREATE, &rc), -E2BIG);
	rc.nr_blobs = 2;
	rc.blobs = 16;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_RESOURCE_CREATE, &rc), -EFAULT);
	memset(b, 0, sizeof(b));
	b[0].name_uaddr = (uintptr_t)"a";
	b[0].data_uaddr = (uintptr_t)data;
	b[0].data_len = 10;
	b[1] = b[0];
	b[1].reserved = 1;
	rc.blobs = (uintptr_t)b;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_RESOURCE_CREATE, &rc), -EINVAL);
	rc.flags = 1;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_RESOURCE_CREATE, &rc), -EINVAL);

	/* register / unregister */
	r.resource_id = id;
	r.session_id = sess;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_RESOURCE_REGISTER, &r), 0);
	CHECK(r.vaccel_ret == 0, "register ret %d", r.vaccel_ret);
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_RESOURCE_UNREGISTER, &r), 0);
	r.session_id = 0x4242;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_RESOURCE_REGISTER, &r), -ENOENT);
	r.session_id = sess;
	r.resource_id = 0x4242;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_RESOURCE_REGISTER, &r), -ENOENT);
	CHECK(r.status == VIRTIO_ACCEL_NORES, "status %u", r.status);

	/* EXEC_WITH_RESOURCE: the resource id must be the file's own */
	{
		struct virtio_accel_ioc_arg rd[2];
		char sym[] = "sym";

		rid = 0x4242;
		rd[0] = va_arg(&rid, 8, T_ARG_INT64);
		rd[1] = va_arg(sym, sizeof(sym), T_ARG_STRING);
		CHECK_RC(va_op(fd, sess, T_OP_EXEC_WITH_RES, rd, 2, NULL, 0,
			       NULL),
			 -ENOENT);
		rd[0].len = 4;
		CHECK_RC(va_op(fd, sess, T_OP_EXEC_WITH_RES, rd, 2, NULL, 0,
			       NULL),
			 -EINVAL);
		rid = (int64_t)id;
		rd[0].len = 8;
		/* noop plugin: succeeds without loading anything */
		CHECK_RC(va_op(fd, sess, T_OP_EXEC_WITH_RES, rd, 2, NULL, 0,
			       NULL),
			 0);
	}

	/* the model ops name a resource in arg 0 too (OPF_RESOURCE) */
	{
		struct virtio_accel_ioc_arg rd[1];
		int32_t vret = 0;

		rid = 0x4242;
		rd[0] = va_arg(&rid, 8, T_ARG_INT64);
		CHECK_RC(va_op(fd, sess, VIRTIO_ACCEL_OP_TORCH_MODEL_LOAD, rd,
			       1, NULL, 0, NULL),
			 -ENOENT);
		rid = (int64_t)id;
		/* the file's own: reaches the host, which refuses a LIB
		 * resource as a model */
		CHECK_RC(va_op(fd, sess, VIRTIO_ACCEL_OP_TORCH_MODEL_LOAD, rd,
			       1, NULL, 0, &vret),
			 0);
		CHECK(vret != 0, "LIB resource loaded as a model: %d", vret);
	}

	/* destroy */
	memset(&r, 0, sizeof(r));
	r.resource_id = id;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_RESOURCE_DESTROY, &r), 0);
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_RESOURCE_DESTROY, &r), -ENOENT);
	r.resource_id = id2;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_RESOURCE_DESTROY, &r), 0);
	r.resource_id = id3;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_RESOURCE_DESTROY, &r), 0);
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_RESOURCE_DESTROY, NULL),
		 -EFAULT);
}

static void t_timers(int fd, uint64_t sess)
{
	struct virtio_accel_ioc_timers t = { .session_id = sess };
	char *buf;
	int rc;

	if (!(info.features & (1ull << VIRTIO_ACCEL_F_TIMERS))) {
		VA_LOG("no F_TIMERS: skipping timers");
		return;
	}
	t.flags = 2;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_TIMERS_GET, &t), -EINVAL);
	t.flags = 0;
	t.reserved = 1;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_TIMERS_GET, &t), -EINVAL);
	t.reserved = 0;
	t.session_id = 0x999;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_TIMERS_GET, &t), -ENOENT);
	t.session_id = sess;

	/* two-phase read: size first */
	t.len = 0;
	rc = va_ioctl(fd, VIRTIO_ACCEL_IOC_TIMERS_GET, &t);
	CHECK(rc == -EOVERFLOW, "timers(0): %d", rc);
	CHECK(t.status == VIRTIO_ACCEL_OVERFLOW, "status %u", t.status);
	CHECK(t.len >= sizeof(struct virtio_accel_timers_hdr), "needed %llu",
	      (unsigned long long)t.len);
	buf = calloc(1, t.len + 64);
	t.buf = (uintptr_t)buf;
	t.len += 64;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_TIMERS_GET, &t), 0);
	CHECK(t.len >= sizeof(struct virtio_accel_timers_hdr), "produced %llu",
	      (unsigned long long)t.len);
	t.buf = 8;
	CHECK_RC(va_ioctl(fd, VIRTIO_ACCEL_IOC_TIMERS_GET, &t), -EFAULT);
	free(buf);
}

/* Sessions of one open file are invisible to another, also after fork. */
static void t_foreign(int fd)
{
	int pfd[2], back[2];
	uint64_t mine, theirs = 0;
	pid_t pid;
	int st;

	CHECK_RC(va_sess_create(fd, T_PLUGIN_DEBUG, &mine), 0);
	/* pfd: the child's session id to the parent; back: EOF tells the
	 * child the parent is done (one pipe both ways let the child read
	 * back the first byte of its own id) */
	if (pipe(pfd))
		return;
	if (pipe(back)) {
		close(pfd[0]);
		close(pfd[1]);
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		close(back[1]);
		int fd2 = va_open(), bad = 0;
		uint64_t id = 0;

		/* the inherited file is the same file: allowed */
		if (va_op(fd, mine, T_OP_NOOP, NULL, 0, NULL, 0, NULL))
			bad |= 1;
		/* a file of its own: the parent's id is foreign */
		if (va_op(fd2, mine, T_OP_NOOP, NULL, 0, NULL, 0, NULL) !=
		    -ENOENT)
			bad |= 2;
		if (va_sess_destroy(fd2, mine) != -ENOENT)
			bad |= 4;
		if (va_sess_create(fd2, T_PLUGIN_DEBUG, &id))
			bad |= 8;
		if (write(pfd[1], &id, sizeof(id)) != sizeof(id))
			bad |= 16;
		close(pfd[1]);
		/* wait for the parent's probes, then exit without cleanup */
		if (read(back[0], &st, 1) != 0)
			bad |= 32;
		_exit(bad);
	}
	close(pfd[1]);
	close(back[0]);
	CHECK(read(pfd[0], &theirs, sizeof(theirs)) == sizeof(theirs),
	      "pipe");
	CHECK(theirs && theirs != mine, "child session %llu",
	      (unsigned long long)theirs);
	CHECK_RC(va_op(fd, theirs, T_OP_NOOP, NULL, 0, NULL, 0, NULL),
		 -ENOENT);
	CHECK_RC(va_sess_destroy(fd, theirs), -ENOENT);
	close(pfd[0]);
	close(back[1]); /* the child's read returns 0 */
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status 0x%x", st);
	CHECK_RC(va_sess_destroy(fd, mine), 0);
}

/*
 * A file's sessions are destroyed on the host when it is closed: fill the
 * host's per-driver session table through one file, close it, repeat.
 */
static void t_cleanup(void)
{
	unsigned int max = info.config.max_sessions, round, i;

	if (!max || max > 4096)
		return;
	for (round = 0; round < 3; round++) {
		int fd = va_open(), rc = 0;
		uint64_t id;

		for (i = 0; i < max && !rc; i++)
			rc = va_sess_create(fd, T_PLUGIN_DEBUG, &id);
		/* all of the table but the sessions other files still hold */
		CHECK(i + 8 >= max, "round %u: only %u of %u sessions (%d)",
		      round, i, max, rc);
		if (!rc)
			CHECK_RC(va_sess_create(fd, T_PLUGIN_DEBUG, &id),
				 -ENOSPC);
		close(fd);
		/* destroys are sent asynchronously on release */
		va_wait_orphans(5);
	}
}

int main(int argc, char **argv)
{
	uint64_t sess;
	int fd;

	va_prog = "va_smoke";
	/* run-guest.sh: can this kernel run us at all (va_smoke32)? */
	if (argc > 1 && !strcmp(argv[1], "--probe-exec")) {
		printf("va_smoke: runs\n");
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	VA_LOG("%zu-bit user space", sizeof(void *) * 8);
	fd = va_open();
	t_info(fd);
	t_enotty(fd);
	t_sessions(fd);
	CHECK_RC(va_sess_create(fd, T_PLUGIN_DEBUG, &sess), 0);
	t_op_bounds(fd, sess);
	t_echo(fd, sess);
	t_resources(fd, sess);
	t_timers(fd, sess);
	t_foreign(fd);
	CHECK_RC(va_sess_destroy(fd, sess), 0);
	close(fd);
	if (!(argc > 1 && !strcmp(argv[1], "--quick")))
		t_cleanup();
	return va_summary();
}
