// SPDX-License-Identifier: Apache-2.0
/*
 * Loopback transport of the virtio plugin (test-only; linked into
 * libvaccel-virtio-loopback.so instead of the real device transport).
 *
 * "Opening the device" starts a private vhost-user-accel daemon and connects
 * to it as a user-space VMM (tests/harness/vmm.c): guest RAM in a memfd,
 * split virtqueues, requests built exactly as docs/protocol.md says. Each
 * ioctl of the ABI is turned into one real protocol request, so the plugin
 * is tested against the real device code, wire format and host runtime —
 * in a separate process with its own libvaccel and the host plugins, so the
 * application's libvaccel (which loaded this plugin) is never re-entered.
 *
 * It follows the driver's documented argument policy (protocol §9): args up
 * to 4 KiB inline, larger ones as segment lists (read args on fragmented
 * pages, write args on contiguous pages pre-filled with the caller's bytes,
 * as pinned user pages would be), VIRTIO_ACCEL_IOC_ARG_F_COPY forcing
 * inline. Ioctls are serialised (one request in flight).
 *
 * Environment:
 *   VHOST_USER_ACCEL              daemon binary (required)
 *   VIRTIO_LOOPBACK_HOST_PLUGINS  the daemon's --plugins list (required)
 *   VIRTIO_LOOPBACK_DAEMON_ARGS   extra daemon arguments, space-separated
 *   VIRTIO_LOOPBACK_MEM_MB        guest RAM size (default 256)
 *   VIRTIO_LOOPBACK_TIMEOUT_MS    per-request deadline (default 60000)
 *
 * Limits of the loopback (not of the protocol): at most VMM_MAX_ARGS read
 * and write args per request, arguments must fit in guest RAM.
 */
#include "transport.h"
#include "vmm.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define INLINE_MAX 4096u
#ifdef VIRTIO_ACCEL_IOC_ARG_F_INOUT
#define ARG_F_INOUT VIRTIO_ACCEL_IOC_ARG_F_INOUT
#else
#define ARG_F_INOUT 0u
#endif
#define ARG_FLAGS (VIRTIO_ACCEL_IOC_ARG_F_COPY | ARG_F_INOUT)
#define PAGE	  4096u

static struct {
	pthread_mutex_t lock;
	bool open;
	pid_t pid; /* the watchdog */
	int wd_fd;
	char dir[256];
	char sock[320];
	struct vmm v;
	struct vmm_arena stage; /* write args placed in guest memory */
	int timeout_ms;
} lb = {.lock = PTHREAD_MUTEX_INITIALIZER, .pid = -1, .wd_fd = -1};

static long env_long(const char *name, long def, long min, long max)
{
	const char *s = getenv(name);
	char *end;

	if (!s || !*s)
		return def;
	long v = strtol(s, &end, 10);
	return (*end || v < min || v > max) ? def : v;
}

/*
 * The daemon runs under a watchdog process that kills it as soon as this
 * process is gone (the pipe's write end closes when the last holder exits,
 * whatever the way it dies), so a crashed or killed test never leaves a
 * daemon behind. Only async-signal-safe calls after fork().
 */
static void lb_daemon_stop(void)
{
	if (lb.pid > 0) {
		int status;
		close(lb.wd_fd); /* the watchdog stops the daemon and exits */
		lb.wd_fd = -1;
		while (waitpid(lb.pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	lb.pid = -1;
	if (lb.sock[0])
		unlink(lb.sock);
	if (lb.dir[0])
		rmdir(lb.dir);
	lb.sock[0] = lb.dir[0] = '\0';
}

static void watchdog(int rd, const char *bin, char **argv, char **envp)
{
	char c;
	int status;
	pid_t d = fork();

	if (d == 0) {
		close(rd);
		dup2(STDERR_FILENO, STDOUT_FILENO); /* logs never mix with
							results */
		execve(bin, argv, envp);
		_exit(127);
	}
	while (read(rd, &c, 1) < 0 && errno == EINTR)
		;
	if (d > 0) {
		bool reaped = false;
		kill(d, SIGTERM);
		for (int i = 0; i < 3000 && !reaped; i++) {
			reaped = waitpid(d, &status, WNOHANG) != 0;
			struct timespec ts = {0, 10 * 1000 * 1000};
			if (!reaped)
				nanosleep(&ts, NULL);
		}
		if (!reaped) {
			kill(d, SIGKILL);
			waitpid(d, &status, 0);
		}
	}
	unlink(lb.sock); /* also when this process died first */
	rmdir(lb.dir);
	_exit(0);
}

/* argv: bin --socket S --plugins P [extra...]; envp: ours without plugin
 * lists. */
static int daemon_spawn(const char *bin, const char *plugins)
{
	char *extra = NULL;
	char **argv = NULL;
	char **envp = NULL;
	size_t n = 0;
	int ret = -ENOMEM;
	int pfd[2];

	const char *x = getenv("VIRTIO_LOOPBACK_DAEMON_ARGS");
	extra = strdup(x ? x : "");
	argv = calloc(8 + strlen(extra ? extra : "") / 2 + 1, sizeof(*argv));
	for (char **e = environ; e && *e; e++)
		n++;
	envp = calloc(n + 1, sizeof(*envp));
	if (!extra || !argv || !envp)
		goto out;
	n = 0;
	for (char **e = environ; e && *e; e++)
		if (strncmp(*e, "VACCEL_PLUGINS=", 15) &&
		    strncmp(*e, "VACCEL_BACKENDS=", 16))
			envp[n++] = *e;

	size_t a = 0;
	argv[a++] = (char *)bin;
	argv[a++] = "--socket";
	argv[a++] = lb.sock;
	argv[a++] = "--plugins";
	argv[a++] = (char *)plugins;
	char *save = NULL;
	for (char *t = strtok_r(extra, " ", &save); t;
	     t = strtok_r(NULL, " ", &save))
		argv[a++] = t;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		ret = -errno;
		goto out;
	}
	lb.pid = fork();
	if (lb.pid == 0) {
		close(pfd[1]);
		watchdog(pfd[0], bin, argv, envp);
	}
	close(pfd[0]);
	if (lb.pid < 0) {
		ret = -errno;
		close(pfd[1]);
		goto out;
	}
	lb.wd_fd = pfd[1];
	ret = 0;
out:
	free(extra);
	free(argv);
	free(envp);
	return ret;
}

static int lb_open(const char *path)
{
	(void)path; /* the "device" is a private daemon */
	const char *bin = getenv("VHOST_USER_ACCEL");
	const char *plugins = getenv("VIRTIO_LOOPBACK_HOST_PLUGINS");
	const char *tmp = getenv("TMPDIR");
	int ret;

	if (!bin || !*bin || !plugins || !*plugins) {
		fprintf(stderr, "virtio loopback: set VHOST_USER_ACCEL and "
				"VIRTIO_LOOPBACK_HOST_PLUGINS\n");
		return -ENOENT;
	}
	pthread_mutex_lock(&lb.lock);
	if (lb.open) {
		pthread_mutex_unlock(&lb.lock);
		return -EBUSY;
	}
	snprintf(lb.dir, sizeof(lb.dir), "%s/vaccel-loopback.XXXXXX",
		 tmp && *tmp ? tmp : P_tmpdir);
	if (!mkdtemp(lb.dir)) {
		ret = -errno;
		lb.dir[0] = '\0';
		goto fail;
	}
	snprintf(lb.sock, sizeof(lb.sock), "%s/accel.sock", lb.dir);
	ret = daemon_spawn(bin, plugins);
	if (ret)
		goto fail;
	size_t mem = (size_t)env_long("VIRTIO_LOOPBACK_MEM_MB", 256, 16, 65536)
		     << 20;
	lb.timeout_ms =
		(int)env_long("VIRTIO_LOOPBACK_TIMEOUT_MS", 60000, 10, 3600000);
	if (vmm_connect(&lb.v, lb.sock, mem) < 0 ||
	    vmm_arena_carve(&lb.v, &lb.stage, mem / 2) < 0) {
		fprintf(stderr, "virtio loopback: cannot connect to the "
				"daemon\n");
		vmm_disconnect(&lb.v);
		ret = -EIO;
		goto fail;
	}
	lb.open = true;
	pthread_mutex_unlock(&lb.lock);
	return 0;
fail:
	lb_daemon_stop();
	pthread_mutex_unlock(&lb.lock);
	return ret;
}

static void lb_close(int h)
{
	(void)h;
	pthread_mutex_lock(&lb.lock);
	if (lb.open) {
		vmm_disconnect(&lb.v);
		lb_daemon_stop();
		lb.open = false;
	}
	pthread_mutex_unlock(&lb.lock);
}

/* protocol §6.5: device status -> ioctl errno */
static int status_errno(uint32_t status)
{
	switch (status) {
	case VIRTIO_ACCEL_OK:
		return 0;
	case VIRTIO_ACCEL_BADMSG:
		return EBADMSG;
	case VIRTIO_ACCEL_UNSUPP:
		return EOPNOTSUPP;
	case VIRTIO_ACCEL_VERSION_MISMATCH:
		return EPROTO;
	case VIRTIO_ACCEL_NOSESS:
	case VIRTIO_ACCEL_NORES:
		return ENOENT;
	case VIRTIO_ACCEL_LIMIT:
		return ENOSPC;
	case VIRTIO_ACCEL_FAULT:
		return EFAULT;
	case VIRTIO_ACCEL_OVERFLOW:
		return EOVERFLOW;
	case VIRTIO_ACCEL_BUSY:
		return EAGAIN;
	default:
		return EIO;
	}
}

/* An ioctl arg as a request arg (lb.lock held). */
static int arg_in(struct vmm_arg *va, const struct virtio_accel_ioc_arg *a,
		  bool write)
{
	memset(va, 0, sizeof(*va));
	if (a->reserved || (a->flags & ~ARG_FLAGS))
		return -EINVAL;
	va->type = a->type;
	va->custom_type_id = a->custom_type_id;
	va->len = a->len;
	va->segments = a->len &&
		       (a->len > INLINE_MAX || (a->flags & ARG_F_INOUT)) &&
		       !(a->flags & VIRTIO_ACCEL_IOC_ARG_F_COPY);
	if (!write) {
		va->data = (const void *)(uintptr_t)a->uaddr;
		va->layout = VMM_SEG_FRAGMENTED;
		return 0;
	}
	if (!va->segments) {
		va->out = (void *)(uintptr_t)a->uaddr;
		return 0;
	}
	/* the device sees (and writes) the caller's pages in place */
	va->layout = VMM_SEG_CONTIGUOUS;
	va->in_place = true;
	va->gpa = vmm_arena_alloc(&lb.v, &lb.stage, a->len, PAGE);
	if (!va->gpa)
		return -ENOMEM;
	memcpy(vmm_ptr(&lb.v, va->gpa), (const void *)(uintptr_t)a->uaddr,
	       a->len);
	return 0;
}

/* Run r (lb.lock held): 0 or -errno; *status gets the device status. */
static int run(struct vmm_req *r, uint32_t *status)
{
	*status = VIRTIO_ACCEL_OK;
	if (vmm_submit(&lb.v, 0, &lb.v.heap, 0, r) < 0)
		return -ENOMEM;
	if (vmm_complete(&lb.v, r, lb.timeout_ms) < 0)
		return vmm_peer_closed(&lb.v, 0) ? -EIO : -ETIMEDOUT;
	*status = r->resp.status;
	return -status_errno(r->resp.status);
}

static int op_args(struct vmm_req *r, const struct virtio_accel_ioc_op *op)
{
	const struct virtio_accel_ioc_arg *rd =
		(const void *)(uintptr_t)op->read_args;
	const struct virtio_accel_ioc_arg *wr =
		(const void *)(uintptr_t)op->write_args;
	int ret = 0;

	if (op->flags || op->nr_read > VMM_MAX_ARGS ||
	    op->nr_write > VMM_MAX_ARGS || (op->nr_read && !rd) ||
	    (op->nr_write && !wr))
		return op->flags || (op->nr_read && !rd) ||
				       (op->nr_write && !wr)
			       ? -EINVAL
			       : -ENOSPC;
	r->nr_read = op->nr_read;
	r->nr_write = op->nr_write;
	for (uint32_t i = 0; i < op->nr_read && !ret; i++)
		ret = arg_in(&r->rd[i], &rd[i], false);
	for (uint32_t i = 0; i < op->nr_write && !ret; i++)
		ret = arg_in(&r->wr[i], &wr[i], true);
	return ret;
}

static int do_op(struct virtio_accel_ioc_op *op)
{
	struct virtio_accel_ioc_arg *wr = (void *)(uintptr_t)op->write_args;
	struct vmm_req *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->cmd = VIRTIO_ACCEL_CMD_OP;
	r->session_id = op->session_id;
	r->param = op->op_type;
	int ret = op_args(r, op);
	if (!ret)
		ret = run(r, &op->status);
	if (!ret || ret == -EOVERFLOW) {
		op->vaccel_ret = ret ? 0 : (int32_t)r->resp.vaccel_ret;
		for (uint32_t i = 0; i < op->nr_write; i++) {
			struct vmm_arg *a = &r->wr[i];
			if (!ret && a->in_place)
				memcpy((void *)(uintptr_t)wr[i].uaddr,
				       vmm_ptr(&lb.v, a->gpa), a->len);
			wr[i].len = a->produced;
			wr[i].type = a->out_type;
		}
	}
	free(r);
	return ret;
}

static int do_resource_create(struct virtio_accel_ioc_resource_create *c)
{
	const struct virtio_accel_ioc_blob *b =
		(const void *)(uintptr_t)c->blobs;
	struct vmm_req *r;
	int ret = 0;

	if (c->flags || c->reserved || c->nr_blobs == 0 || !b)
		return -EINVAL;
	if (2 * c->nr_blobs > VMM_MAX_ARGS)
		return -ENOSPC;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->cmd = VIRTIO_ACCEL_CMD_RESOURCE_CREATE;
	r->session_id = c->session_id;
	r->param = c->type;
	r->nr_read = 2 * c->nr_blobs;
	for (uint32_t i = 0; i < c->nr_blobs && !ret; i++) {
		const char *name = (const char *)(uintptr_t)b[i].name_uaddr;
		struct virtio_accel_ioc_arg an = {
			.uaddr = b[i].name_uaddr,
			.len = name ? strlen(name) + 1 : 0,
			.type = 27 /* STRING */,
		};
		struct virtio_accel_ioc_arg ad = {
			.uaddr = b[i].data_uaddr,
			.len = b[i].data_len,
			.type = 28 /* BUFFER */,
		};
		if (!name || b[i].flags || b[i].reserved)
			ret = -EINVAL;
		if (!ret)
			ret = arg_in(&r->rd[2 * i], &an, false);
		if (!ret)
			ret = arg_in(&r->rd[2 * i + 1], &ad, false);
	}
	if (!ret)
		ret = run(r, &c->status);
	if (!ret) {
		c->vaccel_ret = (int32_t)r->resp.vaccel_ret;
		c->resource_id = r->resp.object_id;
	}
	free(r);
	return ret;
}

static int do_simple(uint16_t cmd, uint64_t sid, uint64_t oid, uint32_t param,
		     uint32_t *status, int32_t *vret, uint64_t *obj)
{
	struct vmm_req *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->cmd = cmd;
	r->session_id = sid;
	r->object_id = oid;
	r->param = param;
	int ret = run(r, status);
	if (!ret) {
		*vret = (int32_t)r->resp.vaccel_ret;
		if (obj)
			*obj = r->resp.object_id;
	}
	free(r);
	return ret;
}

static int lb_ioctl(int h, unsigned long request, void *arg)
{
	int ret;

	(void)h;
	if (!arg)
		return -EFAULT;
	pthread_mutex_lock(&lb.lock);
	if (!lb.open) {
		pthread_mutex_unlock(&lb.lock);
		return -EBADF;
	}
	lb.stage.brk = lb.stage.base;
	switch (request) {
	case VIRTIO_ACCEL_IOC_GET_INFO: {
		struct virtio_accel_ioc_info *i = arg;
		memset(i, 0, sizeof(*i));
		i->version = VIRTIO_ACCEL_VERSION;
		i->num_queues = lb.v.nq;
		i->features = lb.v.features & 0xffffffull;
		i->config = lb.v.cfg;
		ret = 0;
		break;
	}
	case VIRTIO_ACCEL_IOC_SESSION_CREATE: {
		struct virtio_accel_ioc_session *s = arg;
		uint64_t id = 0;
		ret = s->reserved ? -EINVAL
				  : do_simple(VIRTIO_ACCEL_CMD_SESSION_CREATE,
					      0, 0, s->flags, &s->status,
					      &s->vaccel_ret, &id);
		s->session_id = id;
		break;
	}
	case VIRTIO_ACCEL_IOC_SESSION_DESTROY: {
		struct virtio_accel_ioc_session *s = arg;
		ret = s->reserved ? -EINVAL
				  : do_simple(VIRTIO_ACCEL_CMD_SESSION_DESTROY,
					      s->session_id, 0, 0, &s->status,
					      &s->vaccel_ret, NULL);
		break;
	}
	case VIRTIO_ACCEL_IOC_RESOURCE_CREATE:
		ret = do_resource_create(arg);
		break;
	case VIRTIO_ACCEL_IOC_RESOURCE_DESTROY:
	case VIRTIO_ACCEL_IOC_RESOURCE_REGISTER:
	case VIRTIO_ACCEL_IOC_RESOURCE_UNREGISTER: {
		struct virtio_accel_ioc_resource *r = arg;
		uint16_t cmd = request == VIRTIO_ACCEL_IOC_RESOURCE_DESTROY
				       ? VIRTIO_ACCEL_CMD_RESOURCE_DESTROY
			       : request == VIRTIO_ACCEL_IOC_RESOURCE_REGISTER
				       ? VIRTIO_ACCEL_CMD_RESOURCE_REGISTER
				       : VIRTIO_ACCEL_CMD_RESOURCE_UNREGISTER;
		ret = do_simple(cmd,
				cmd == VIRTIO_ACCEL_CMD_RESOURCE_DESTROY
					? 0
					: r->session_id,
				r->resource_id, 0, &r->status, &r->vaccel_ret,
				NULL);
		break;
	}
	case VIRTIO_ACCEL_IOC_OP:
		ret = do_op(arg);
		break;
	default:
		ret = -ENOTTY;
		break;
	}
	pthread_mutex_unlock(&lb.lock);
	return ret;
}

const struct virtio_transport virtio_transport = {
	.name = "loopback",
	.open = lb_open,
	.ioctl = lb_ioctl,
	.close = lb_close,
};
