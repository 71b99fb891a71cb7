// SPDX-License-Identifier: Apache-2.0
#include "device.h"

#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <vaccel.h>

#include "vhost_user.h"
#include "viewcache.h"

/* vAccel numbers used on the wire (docs/protocol.md §6.2, §7.5) */
enum {
	ARG_RAW = 0,
	ARG_INT64 = 7,
	ARG_UINT8 = 9,
	ARG_BOOL_ARRAY = 22,
	ARG_STRING = 27,
	ARG_BUFFER = 28,
	ARG_CUSTOM = 29,
	OP_NOOP = 0,
	OP_EXEC_WITH_RESOURCE = 2,
	OP_FIRST_UNCARRIED = 8,
	OP_LAST_UNCARRIED = 16,
	OP_MAX = 24,
	PLUGIN_REMOTE = 0x4000,
};

/* ---------------------------------------------------------------------- */
/* logging                                                                 */
/* ---------------------------------------------------------------------- */

int dev_log_level;

void dev_log(int level, const char *fmt, ...)
{
	if (level > dev_log_level)
		return;
	static const char *const names[] = {"error", "info", "debug"};
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "vhost-user-accel: %s: %s\n",
		names[level > 2 ? 2 : level], buf);
}

/* ---------------------------------------------------------------------- */
/* per-front-end objects                                                   */
/* ---------------------------------------------------------------------- */

#define TIMER_SAMPLES 4096
#define NR_TIMERS     2
static const char *const timer_names[NR_TIMERS] = {
	"[vhost-user-accel] request",
	"[vhost-user-accel] vaccel",
};

struct timer_ring {
	uint32_t count; /* valid samples (<= TIMER_SAMPLES) */
	uint32_t next;
	struct virtio_accel_timer_sample s[TIMER_SAMPLES];
};

struct fe_sess {
	atomic_uint refs;
	struct vaccel_session *s;
	pthread_mutex_t tlock;
	struct timer_ring *timers; /* NR_TIMERS, lazily allocated */
};

struct fe_res {
	atomic_uint refs;
	struct vaccel_resource *r;
};

struct frontend {
	unsigned int id;
	uint32_t gen; /* high half of every id it gets (see make_id) */
	struct view_cache *views; /* mapped views kept between requests */
	atomic_uint refs;
	struct vu_dev vu;
	int sock;
	int wake_fd; /* stops the kick thread */
	int epfd;
	pthread_t ctl_thread;
	pthread_t kick_thread;
	bool kick_running;

	pthread_mutex_t lock; /* maps below */
	struct fe_sess **sess;
	struct fe_res **res;
	uint32_t nr_sess, nr_res;

	struct req_limits lim; /* with this front-end's acked features */
	atomic_uint_fast64_t inflight_bytes;
	atomic_uint_fast64_t nr_requests, nr_errors;
	struct frontend *next;
};

struct job {
	struct job *next;
	struct frontend *fe;
	struct vq *q;
	struct vq_mem *mem;
	bool bad;
	struct vq_elem e;
};

/* Jobs carry a struct vq_elem (two iovec arrays, 32 KiB): recycle them
 * instead of allocating one per request. */
#define JOB_CACHE_MAX 64

static struct {
	struct device_opts o;
	pthread_mutex_t jlock;
	struct job *jcache;
	unsigned int nr_jcache;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job *head, *tail;
	bool stopping;
	pthread_t *workers;
	unsigned int nr_workers;
	struct frontend *fes;
	unsigned int nr_fes;
	unsigned int next_id;
	uint32_t last_gen; /* the latest front-end's id generation */
	pthread_cond_t fe_gone;
} G = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.jlock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.fe_gone = PTHREAD_COND_INITIALIZER,
};

static void stats_line(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static void stats_line(const char *fmt, ...)
{
	if (G.o.stats_fd < 0)
		return;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(buf)) {
		ssize_t w = write(G.o.stats_fd, buf, (size_t)n);
		(void)w;
	}
}

static struct job *job_alloc(void)
{
	pthread_mutex_lock(&G.jlock);
	struct job *j = G.jcache;
	if (j) {
		G.jcache = j->next;
		G.nr_jcache--;
	}
	pthread_mutex_unlock(&G.jlock);
	return j ? j : malloc(sizeof(*j));
}

static void job_free(struct job *j)
{
	pthread_mutex_lock(&G.jlock);
	if (G.nr_jcache < JOB_CACHE_MAX) {
		j->next = G.jcache;
		G.jcache = j;
		G.nr_jcache++;
		j = NULL;
	}
	pthread_mutex_unlock(&G.jlock);
	free(j);
}

static void sess_put(struct fe_sess *fs)
{
	if (!fs || atomic_fetch_sub(&fs->refs, 1) != 1)
		return;
	int rc = vaccel_session_delete(fs->s);
	if (rc)
		LOG_ERR("releasing a session failed: %d", rc);
	free(fs->timers);
	pthread_mutex_destroy(&fs->tlock);
	free(fs);
}

static void res_put(struct fe_res *fr)
{
	if (!fr || atomic_fetch_sub(&fr->refs, 1) != 1)
		return;
	int rc = vaccel_resource_delete(fr->r);
	if (rc)
		LOG_ERR("releasing a resource failed: %d", rc);
	free(fr);
}

/*
 * Session and resource ids (docs/protocol.md §7.1): opaque to drivers.
 * The high 32 bits are the front-end's generation, random per connection
 * (1 ... 2^31 - 1, so ids stay positive as int64); the low 32 bits are
 * the table slot + 1. An id of another connection or of an earlier
 * daemon instance - a driver that kept it across a daemon restart - thus
 * names nothing here, even when its slot is in use.
 */
static uint64_t make_id(const struct frontend *fe, uint32_t slot)
{
	return (uint64_t)fe->gen << 32 | ((uint64_t)slot + 1);
}

/* The slot an id names, or false (wrong generation, out of range). */
static bool id_slot(const struct frontend *fe, uint64_t id, uint32_t max,
		    uint32_t *slot)
{
	uint32_t lo = (uint32_t)id;
	if ((uint32_t)(id >> 32) != fe->gen || lo < 1 || lo > max)
		return false;
	*slot = lo - 1;
	return true;
}

/* A non-zero 31-bit generation, other than the previous one. */
static uint32_t new_generation(uint32_t prev)
{
	for (;;) {
		uint32_t g = 0;
		if (getrandom(&g, sizeof(g), 0) != (ssize_t)sizeof(g)) {
			/* no entropy source: a mix of time and address */
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			g = (uint32_t)ts.tv_nsec ^
			    (uint32_t)ts.tv_sec * 2654435761u ^
			    (uint32_t)(uintptr_t)&ts;
		}
		g &= 0x7fffffffu;
		if (g && g != prev)
			return g;
	}
}

static struct fe_sess *sess_get(struct frontend *fe, uint64_t id)
{
	struct fe_sess *fs = NULL;
	uint32_t k;
	if (!id_slot(fe, id, G.o.max_sessions, &k))
		return NULL;
	pthread_mutex_lock(&fe->lock);
	if (fe->sess[k]) {
		fs = fe->sess[k];
		atomic_fetch_add(&fs->refs, 1);
	}
	pthread_mutex_unlock(&fe->lock);
	return fs;
}

static struct fe_res *res_get(struct frontend *fe, uint64_t id)
{
	struct fe_res *fr = NULL;
	uint32_t k;
	if (!id_slot(fe, id, G.o.max_resources, &k))
		return NULL;
	pthread_mutex_lock(&fe->lock);
	if (fe->res[k]) {
		fr = fe->res[k];
		atomic_fetch_add(&fr->refs, 1);
	}
	pthread_mutex_unlock(&fe->lock);
	return fr;
}

static void fe_put(struct frontend *fe)
{
	if (atomic_fetch_sub(&fe->refs, 1) != 1)
		return;
	view_cache_free(fe->views);
	vu_dev_destroy(&fe->vu);
	free(fe->sess);
	free(fe->res);
	pthread_mutex_destroy(&fe->lock);
	if (fe->wake_fd >= 0)
		close(fe->wake_fd);
	if (fe->epfd >= 0)
		close(fe->epfd);
	free(fe);
}

/* ---------------------------------------------------------------------- */
/* host buffers for arguments                                              */
/* ---------------------------------------------------------------------- */

enum hb_kind {
	HB_NONE,
	HB_INLINE_RD,
	HB_INLINE_WR,
	HB_DIRECT,
	HB_VIEW,
	HB_BOUNCE
};

struct hbuf {
	enum hb_kind kind;
	uint8_t *p;
	size_t len;
	struct view_ent *view; /* HB_VIEW: reference on a cached view */
	uint64_t charged;
};

static bool zero_copy_type(uint32_t t)
{
	/* *_ARRAY types except BOOL_ARRAY, and BUFFER: no content checks */
	if (t == ARG_BUFFER)
		return true;
	return t >= 2 && t <= 26 && (t % 2) == 0 && t != ARG_BOOL_ARRAY;
}

static bool charge(struct frontend *fe, struct hbuf *hb, uint64_t n)
{
	uint64_t cur = atomic_fetch_add(&fe->inflight_bytes, n) + n;
	if (cur > G.o.max_inflight_bytes) {
		atomic_fetch_sub(&fe->inflight_bytes, n);
		return false;
	}
	hb->charged += n;
	return true;
}

#define VIEW_MAX_RUNS 1024
#define VIEW_MIN_RUN  (64u << 10)

/* Views kept per front-end (host/viewcache.h): entries and address space. */
#define VIEW_CACHE_ENTRIES 16
#define VIEW_CACHE_BYTES   ((size_t)8 << 30)

static void view_key_get(const void *key)
{
	vq_mem_get((struct vq_mem *)key);
}

static void view_key_put(const void *key)
{
	vq_mem_put((struct vq_mem *)key);
}

/*
 * Contiguous mapped view of page-aligned segment runs (protocol §8),
 * from the front-end's view cache: a buffer the guest passes again (same
 * guest-physical runs, same memory table) reuses the mapping and its
 * populated page tables instead of paying mmap and page faults again.
 */
static bool build_view(struct frontend *fe, const struct request *req,
		       const struct req_arg *a, struct hbuf *hb)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	const struct req_seg *s = &req->segs[a->seg_first];
	uint32_t n = a->seg_count, runs = 1;
	if (!fe->views || !req->mem_key)
		return false;
	for (uint32_t i = 0; i < n; i++) {
		if (s[i].fd < 0 || s[i].page_size != pg)
			return false;
		if (i > 0 && (s[i].fd != s[i - 1].fd ||
			      s[i].fd_off != s[i - 1].fd_off + s[i - 1].len))
			runs++;
		if (i > 0 && s[i].fd_off % pg)
			return false;
		if (i + 1 < n && (s[i].fd_off + s[i].len) % pg)
			return false;
	}
	/* One mapping per run: beyond a few, mmap + page-table set-up cost
	 * more than a copy (and each run is a VMA, bounded by
	 * vm.max_map_count). Average runs below VIEW_MIN_RUN bytes: bounce. */
	if (runs > VIEW_MAX_RUNS || a->len / runs < VIEW_MIN_RUN)
		return false;
	size_t lead = s[0].fd_off % pg;
	size_t total = lead + a->len;
	if (total < a->len || total > SIZE_MAX - pg)
		return false;
	total = (total + pg - 1) / pg * pg;
	struct view_run *vr = calloc(runs, sizeof(*vr));
	if (!vr)
		return false;
	size_t cur = 0;
	uint32_t k = 0;
	for (uint32_t i = 0; i < n;) {
		/* coalesce runs contiguous in the same file */
		uint64_t off = s[i].fd_off - (i == 0 ? lead : 0);
		uint64_t end = s[i].fd_off + s[i].len;
		uint32_t j = i + 1;
		while (j < n && s[j].fd == s[i].fd && s[j].fd_off == end) {
			end += s[j].len;
			j++;
		}
		size_t len = (size_t)(end - off);
		len = (len + pg - 1) / pg * pg;
		if (k == runs || cur + len > total) {
			free(vr);
			return false;
		}
		vr[k++] = (struct view_run){
			.fd = s[i].fd, .off = off, .len = len};
		cur += len;
		i = j;
	}
	uint8_t *win = view_cache_get(fe->views, req->mem_key, vr, k, total,
				      &hb->view, NULL);
	free(vr);
	if (!win)
		return false;
	hb->kind = HB_VIEW;
	hb->p = win + lead;
	hb->len = a->len;
	return true;
}

static uint32_t hbuf_get(struct frontend *fe, const struct request *req,
			 const struct vq_elem *e, uint32_t idx, struct hbuf *hb,
			 const char **err)
{
	const struct req_arg *a = &req->args[idx];
	bool wr = idx >= req->nr_read;
	memset(hb, 0, sizeof(*hb));
	hb->len = a->len;
	if (!a->segmented) {
		if (!wr) {
			hb->kind = HB_INLINE_RD;
			hb->p = a->len ? req->rd_inline + a->inline_off : NULL;
			return VIRTIO_ACCEL_OK;
		}
		hb->kind = HB_INLINE_WR;
		if (a->len == 0)
			return VIRTIO_ACCEL_OK;
		if (!charge(fe, hb, a->len)) {
			*err = "in-flight byte budget exhausted";
			return VIRTIO_ACCEL_LIMIT;
		}
		hb->p = calloc(1, a->len);
		if (!hb->p) {
			*err = "out of memory";
			return VIRTIO_ACCEL_ERR;
		}
		return VIRTIO_ACCEL_OK;
	}
	(void)e;
	const struct req_seg *s = &req->segs[a->seg_first];
	if (zero_copy_type(a->type)) {
		bool contiguous = true;
		for (uint32_t i = 1; i < a->seg_count && contiguous; i++)
			contiguous = s[i].hva == s[i - 1].hva + s[i - 1].len;
		if (contiguous) {
			hb->kind = HB_DIRECT;
			hb->p = s[0].hva;
			return VIRTIO_ACCEL_OK;
		}
		if (build_view(fe, req, a, hb))
			return VIRTIO_ACCEL_OK;
	}
	if (a->len > SIZE_MAX || !charge(fe, hb, a->len)) {
		*err = "in-flight byte budget exhausted";
		return VIRTIO_ACCEL_LIMIT;
	}
	hb->kind = HB_BOUNCE;
	hb->p = malloc(a->len);
	if (!hb->p) {
		*err = "out of memory";
		return VIRTIO_ACCEL_ERR;
	}
	size_t off = 0;
	for (uint32_t i = 0; i < a->seg_count; i++) {
		memcpy(hb->p + off, s[i].hva, s[i].len);
		off += s[i].len;
	}
	return VIRTIO_ACCEL_OK;
}

/* Deliver `n` produced bytes of a write arg to the guest. */
static void hbuf_deliver(const struct request *req, const struct vq_elem *e,
			 uint32_t idx, struct hbuf *hb, size_t n)
{
	const struct req_arg *a = &req->args[idx];
	if (n > a->len)
		n = (size_t)a->len;
	if (hb->kind == HB_INLINE_WR && n)
		iov_copy_to(e->out, e->nr_out, a->inline_off, hb->p, n);
	if (hb->kind == HB_BOUNCE) {
		const struct req_seg *s = &req->segs[a->seg_first];
		size_t off = 0;
		for (uint32_t i = 0; i < a->seg_count && off < n; i++) {
			size_t c = s[i].len < n - off ? s[i].len : n - off;
			memcpy(s[i].hva, hb->p + off, c);
			off += c;
		}
	}
}

static void hbuf_release(struct frontend *fe, struct hbuf *hb)
{
	if (hb->kind == HB_INLINE_WR || hb->kind == HB_BOUNCE)
		free(hb->p);
	if (hb->kind == HB_VIEW)
		view_cache_put(fe->views, hb->view);
	if (hb->charged)
		atomic_fetch_sub(&fe->inflight_bytes, hb->charged);
	memset(hb, 0, sizeof(*hb));
}

/* ---------------------------------------------------------------------- */
/* timers                                                                  */
/* ---------------------------------------------------------------------- */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void timer_add(struct fe_sess *fs, unsigned int t, uint64_t start,
		      uint64_t end)
{
	if (!G.o.profiling || !fs)
		return;
	pthread_mutex_lock(&fs->tlock);
	if (!fs->timers)
		fs->timers = calloc(NR_TIMERS, sizeof(struct timer_ring));
	if (fs->timers) {
		struct timer_ring *r = &fs->timers[t];
		r->s[r->next].start = htole64(start);
		r->s[r->next].time = htole64(end - start);
		r->next = (r->next + 1) % TIMER_SAMPLES;
		if (r->count < TIMER_SAMPLES)
			r->count++;
	}
	pthread_mutex_unlock(&fs->tlock);
}

/* ---------------------------------------------------------------------- */
/* command execution                                                       */
/* ---------------------------------------------------------------------- */

struct result {
	uint32_t status;
	int32_t vret;
	uint64_t object_id;
	struct virtio_accel_resp_arg *resp;
	const char *err;
};

static uint32_t alloc_slot(void **arr, uint32_t max, void *obj, uint32_t *slot)
{
	for (uint32_t i = 0; i < max; i++)
		if (!arr[i]) {
			arr[i] = obj;
			*slot = i;
			return VIRTIO_ACCEL_OK;
		}
	return VIRTIO_ACCEL_LIMIT;
}

static void cmd_session_create(struct frontend *fe, const struct request *req,
			       struct result *res)
{
	if (req->nr_read || req->nr_write || req->session_id ||
	    req->object_id) {
		res->status = VIRTIO_ACCEL_BADMSG;
		res->err = "SESSION_CREATE takes no args or ids";
		return;
	}
	struct fe_sess *fs = calloc(1, sizeof(*fs));
	if (!fs) {
		res->status = VIRTIO_ACCEL_ERR;
		return;
	}
	atomic_init(&fs->refs, 1);
	pthread_mutex_init(&fs->tlock, NULL);
	/* reserve a slot first so the limit error is clear and cheap */
	uint32_t slot = 0;
	pthread_mutex_lock(&fe->lock);
	res->status =
		alloc_slot((void **)fe->sess, G.o.max_sessions, fs, &slot);
	pthread_mutex_unlock(&fe->lock);
	if (res->status != VIRTIO_ACCEL_OK) {
		res->err = "session limit reached (--max-sessions)";
		pthread_mutex_destroy(&fs->tlock);
		free(fs);
		return;
	}
	uint64_t t0 = now_ns();
	res->vret = vaccel_session_new(&fs->s, req->param & ~PLUGIN_REMOTE);
	if (res->vret != VACCEL_OK) {
		pthread_mutex_lock(&fe->lock);
		fe->sess[slot] = NULL;
		pthread_mutex_unlock(&fe->lock);
		pthread_mutex_destroy(&fs->tlock);
		free(fs);
		return;
	}
	timer_add(fs, 1, t0, now_ns());
	pthread_mutex_lock(&fe->lock);
	fe->nr_sess++;
	pthread_mutex_unlock(&fe->lock);
	res->object_id = make_id(fe, slot);
	LOG_DBG("frontend %u: session 0x%" PRIx64 " -> host %" PRId64, fe->id,
		res->object_id, (int64_t)fs->s->id);
}

static struct fe_sess *take_sess_slot(struct frontend *fe, uint32_t k)
{
	pthread_mutex_lock(&fe->lock);
	struct fe_sess *fs = fe->sess[k];
	if (fs) {
		fe->sess[k] = NULL;
		fe->nr_sess--;
	}
	pthread_mutex_unlock(&fe->lock);
	return fs;
}

static struct fe_sess *take_sess(struct frontend *fe, uint64_t id)
{
	uint32_t k;
	return id_slot(fe, id, G.o.max_sessions, &k) ? take_sess_slot(fe, k)
						     : NULL;
}

static struct fe_res *take_res_slot(struct frontend *fe, uint32_t k)
{
	pthread_mutex_lock(&fe->lock);
	struct fe_res *fr = fe->res[k];
	if (fr) {
		fe->res[k] = NULL;
		fe->nr_res--;
	}
	pthread_mutex_unlock(&fe->lock);
	return fr;
}

static struct fe_res *take_res(struct frontend *fe, uint64_t id)
{
	uint32_t k;
	return id_slot(fe, id, G.o.max_resources, &k) ? take_res_slot(fe, k)
						      : NULL;
}

static bool blob_name_ok(const uint8_t *p, uint64_t len)
{
	if (len < 2 || len > VIRTIO_ACCEL_BLOB_NAME_MAX + 1 || p[len - 1])
		return false;
	if (memchr(p, 0, len - 1) || memchr(p, '/', len - 1))
		return false;
	return strcmp((const char *)p, ".") && strcmp((const char *)p, "..");
}

static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") ||
			    !strcmp(de->d_name, ".."))
				continue;
			char p[4096];
			if (snprintf(p, sizeof(p), "%s/%s", dir, de->d_name) <
			    (int)sizeof(p))
				unlink(p);
		}
		closedir(d);
	}
	rmdir(dir);
}

static void cmd_resource_create(struct frontend *fe, const struct request *req,
				const struct vq_elem *e, struct result *res)
{
	uint32_t nb = req->nr_read / 2;
	if (req->nr_write || req->object_id || req->nr_read % 2 || nb == 0 ||
	    req->param > 2) {
		res->status = VIRTIO_ACCEL_BADMSG;
		res->err = "RESOURCE_CREATE needs name/data pairs and a type";
		return;
	}
	if (nb > G.o.lim.max_blobs) {
		res->status = VIRTIO_ACCEL_LIMIT;
		res->err = "too many blobs (max_blobs)";
		return;
	}
	for (uint32_t i = 0; i < nb; i++) {
		const struct req_arg *n = &req->args[2 * i];
		const struct req_arg *d = &req->args[2 * i + 1];
		if (n->type != ARG_STRING || n->segmented ||
		    !blob_name_ok(req->rd_inline + n->inline_off, n->len) ||
		    d->type != ARG_BUFFER || d->len == 0) {
			res->status = VIRTIO_ACCEL_BADMSG;
			res->err = "bad blob name or data";
			return;
		}
	}
	struct fe_sess *fs = NULL;
	if (req->session_id && !(fs = sess_get(fe, req->session_id))) {
		res->status = VIRTIO_ACCEL_NOSESS;
		return;
	}
	struct fe_res *fr = calloc(1, sizeof(*fr));
	struct hbuf *hb = calloc(nb, sizeof(*hb));
	uint32_t slot = 0;
	if (!fr || !hb) {
		res->status = VIRTIO_ACCEL_ERR;
		goto out;
	}
	atomic_init(&fr->refs, 1);
	pthread_mutex_lock(&fe->lock);
	res->status =
		alloc_slot((void **)fe->res, G.o.max_resources, fr, &slot);
	pthread_mutex_unlock(&fe->lock);
	if (res->status != VIRTIO_ACCEL_OK) {
		res->err = "resource limit reached (--max-resources)";
		free(fr);
		fr = NULL;
		goto out;
	}
	for (uint32_t i = 0; i < nb; i++) {
		res->status =
			hbuf_get(fe, req, e, 2 * i + 1, &hb[i], &res->err);
		if (res->status != VIRTIO_ACCEL_OK)
			goto undo;
	}
	vaccel_resource_type_t type = (vaccel_resource_type_t)req->param;
	if (nb == 1) {
		res->vret = vaccel_resource_from_buf(
			&fr->r, hb[0].p, hb[0].len, type,
			(const char *)req->rd_inline + req->args[0].inline_off,
			false);
	} else {
		/* Persist the blobs in a scratch dir, then build the resource
		 * (it copies them into its own directory). */
		char dir[4096];
		const char *rd = vaccel_rundir();
		struct vaccel_blob **blobs = calloc(nb, sizeof(*blobs));
		if (!rd || !blobs ||
		    snprintf(dir, sizeof(dir), "%s/vhost-blobs.XXXXXX", rd) >=
			    (int)sizeof(dir) ||
		    !mkdtemp(dir)) {
			free(blobs);
			res->status = VIRTIO_ACCEL_ERR;
			res->err = "cannot create a scratch directory";
			goto undo;
		}
		res->vret = VACCEL_OK;
		for (uint32_t i = 0; i < nb && res->vret == VACCEL_OK; i++)
			res->vret = vaccel_blob_from_buf(
				&blobs[i], hb[i].p, hb[i].len, false,
				(const char *)req->rd_inline +
					req->args[2 * i].inline_off,
				dir, false);
		if (res->vret == VACCEL_OK)
			res->vret = vaccel_resource_from_blobs(
				&fr->r, (const struct vaccel_blob **)blobs, nb,
				type);
		for (uint32_t i = 0; i < nb; i++)
			if (blobs[i])
				vaccel_blob_delete(blobs[i]);
		free(blobs);
		remove_tree(dir);
	}
	if (res->vret != VACCEL_OK)
		goto undo;
	if (fs) {
		res->vret = vaccel_resource_register(fr->r, fs->s);
		if (res->vret != VACCEL_OK) {
			vaccel_resource_delete(fr->r);
			goto undo;
		}
	}
	pthread_mutex_lock(&fe->lock);
	fe->nr_res++;
	pthread_mutex_unlock(&fe->lock);
	res->object_id = make_id(fe, slot);
	LOG_DBG("frontend %u: resource 0x%" PRIx64 " -> host %" PRId64, fe->id,
		res->object_id, (int64_t)fr->r->id);
	fr = NULL;
	goto out;
undo:
	pthread_mutex_lock(&fe->lock);
	fe->res[slot] = NULL;
	pthread_mutex_unlock(&fe->lock);
	free(fr);
out:
	if (hb)
		for (uint32_t i = 0; i < nb; i++)
			hbuf_release(fe, &hb[i]);
	free(hb);
	sess_put(fs);
}

static void cmd_resource_ref(struct frontend *fe, const struct request *req,
			     struct result *res)
{
	if (req->nr_read || req->nr_write || req->param) {
		res->status = VIRTIO_ACCEL_BADMSG;
		return;
	}
	if (req->cmd == VIRTIO_ACCEL_CMD_RESOURCE_DESTROY) {
		struct fe_res *fr = take_res(fe, req->object_id);
		if (!fr) {
			res->status = VIRTIO_ACCEL_NORES;
			return;
		}
		res_put(fr);
		return;
	}
	struct fe_res *fr = res_get(fe, req->object_id);
	if (!fr) {
		res->status = VIRTIO_ACCEL_NORES;
		return;
	}
	struct fe_sess *fs = sess_get(fe, req->session_id);
	if (!fs) {
		res->status = VIRTIO_ACCEL_NOSESS;
		res_put(fr);
		return;
	}
	if (req->cmd == VIRTIO_ACCEL_CMD_RESOURCE_REGISTER)
		res->vret = vaccel_resource_register(fr->r, fs->s);
	else
		res->vret = vaccel_resource_unregister(fr->r, fs->s);
	sess_put(fs);
	res_put(fr);
}

static void cmd_op(struct frontend *fe, const struct request *req,
		   const struct vq_elem *e, struct result *res)
{
	uint32_t op = req->param;
	if (op >= OP_MAX) {
		res->status = VIRTIO_ACCEL_BADMSG;
		res->err = "unknown op type";
		return;
	}
	if (op >= OP_FIRST_UNCARRIED && op <= OP_LAST_UNCARRIED) {
		res->status = VIRTIO_ACCEL_UNSUPP;
		res->err = "op not carried by protocol version 1";
		return;
	}
	if (op == OP_NOOP && (req->nr_read || req->nr_write)) {
		res->status = VIRTIO_ACCEL_BADMSG;
		res->err = "NOOP takes no args";
		return;
	}
	struct fe_sess *fs = sess_get(fe, req->session_id);
	if (!fs) {
		res->status = VIRTIO_ACCEL_NOSESS;
		return;
	}
	uint32_t nargs = req->nr_read + req->nr_write;
	struct hbuf *hb = calloc(nargs ? nargs : 1, sizeof(*hb));
	struct vaccel_arg *va = calloc(nargs + 1, sizeof(*va));
	struct fe_res *fr = NULL;
	int64_t host_res_id = 0;
	uint8_t opb = (uint8_t)op;
	uint32_t got = 0;
	if (!hb || !va) {
		res->status = VIRTIO_ACCEL_ERR;
		goto out;
	}
	if (op == OP_EXEC_WITH_RESOURCE) {
		const struct req_arg *a = &req->args[0];
		int64_t gid;
		if (req->nr_read < 1 || a->type != ARG_INT64 || a->len != 8 ||
		    a->segmented) {
			res->status = VIRTIO_ACCEL_BADMSG;
			res->err = "EXEC_WITH_RESOURCE needs an INT64 id first";
			goto out;
		}
		memcpy(&gid, req->rd_inline + a->inline_off, 8);
		gid = (int64_t)le64toh((uint64_t)gid);
		if (gid <= 0 || !(fr = res_get(fe, (uint64_t)gid))) {
			res->status = VIRTIO_ACCEL_NORES;
			goto out;
		}
		host_res_id = fr->r->id;
	}
	for (got = 0; got < nargs; got++) {
		res->status = hbuf_get(fe, req, e, got, &hb[got], &res->err);
		if (res->status != VIRTIO_ACCEL_OK)
			goto out;
	}
	/* read = [UINT8 op] + read args; write = write args */
	struct vaccel_arg *rd = va, *wr = va + 1 + req->nr_read;
	rd[0].buf = &opb;
	rd[0].size = 1;
	rd[0].type = (vaccel_arg_type_t)ARG_UINT8;
	for (uint32_t i = 0; i < nargs; i++) {
		struct vaccel_arg *v = &va[1 + i];
		v->buf = hb[i].p;
		v->size = (size_t)req->args[i].len;
		v->type = (vaccel_arg_type_t)req->args[i].type;
		v->custom_type_id = req->args[i].custom_type_id;
		v->owned = false;
	}
	if (fr)
		rd[1].buf = &host_res_id;

	uint64_t t0 = now_ns();
	if (op == OP_NOOP)
		res->vret = vaccel_noop(fs->s);
	else
		res->vret = vaccel_genop(fs->s, rd, (int)(1 + req->nr_read), wr,
					 (int)req->nr_write);
	timer_add(fs, 1, t0, now_ns());

	for (uint32_t i = 0; i < req->nr_write; i++) {
		uint32_t k = req->nr_read + i;
		struct vaccel_arg *v = &wr[i];
		const struct req_arg *a = &req->args[k];
		size_t produced = v->size;
		if (v->buf != hb[k].p && v->buf && hb[k].p)
			memcpy(hb[k].p, v->buf,
			       produced < a->len ? produced : (size_t)a->len);
		if (produced > a->len)
			res->status = VIRTIO_ACCEL_OVERFLOW;
		res->resp[i].len = htole64(produced);
		res->resp[i].type = htole32((uint32_t)v->type);
		res->resp[i].custom_type_id = htole32(v->custom_type_id);
		hbuf_deliver(req, e, k, &hb[k], produced);
		if (v->owned)
			vaccel_arg_release(v);
	}
out:
	/* hb[got] may hold a charge of a failed hbuf_get */
	if (hb)
		for (uint32_t i = 0; i <= got && i < nargs; i++)
			hbuf_release(fe, &hb[i]);
	free(hb);
	free(va);
	res_put(fr);
	sess_put(fs);
}

static void cmd_timers(struct frontend *fe, const struct request *req,
		       const struct vq_elem *e, struct result *res)
{
	if (req->nr_read || req->nr_write != 1 ||
	    (req->param & ~VIRTIO_ACCEL_TIMERS_F_CLEAR) ||
	    req->args[0].type != ARG_BUFFER) {
		res->status = VIRTIO_ACCEL_BADMSG;
		return;
	}
	if (req->args[0].len > G.o.lim.max_timer_bytes) {
		res->status = VIRTIO_ACCEL_LIMIT;
		res->err = "TIMERS_GET buffer above max_timer_bytes";
		return;
	}
	struct fe_sess *fs = sess_get(fe, req->session_id);
	if (!fs) {
		res->status = VIRTIO_ACCEL_NOSESS;
		return;
	}
	pthread_mutex_lock(&fs->tlock);
	uint32_t nsamples = 0;
	for (unsigned int t = 0; fs->timers && t < NR_TIMERS; t++)
		nsamples += fs->timers[t].count;
	uint32_t nreg = fs->timers ? NR_TIMERS : 0;
	size_t need =
		sizeof(struct virtio_accel_timers_hdr) +
		nreg * sizeof(struct virtio_accel_timer_region) +
		(size_t)nsamples * sizeof(struct virtio_accel_timer_sample);
	struct hbuf hb;
	res->resp[0].len = htole64(need);
	res->resp[0].type = htole32(ARG_BUFFER);
	if (need > req->args[0].len) {
		res->status = VIRTIO_ACCEL_OVERFLOW;
		pthread_mutex_unlock(&fs->tlock);
		sess_put(fs);
		return;
	}
	res->status = hbuf_get(fe, req, e, 0, &hb, &res->err);
	if (res->status == VIRTIO_ACCEL_OK) {
		uint8_t *p = hb.p;
		struct virtio_accel_timers_hdr th = {htole32(nreg),
						     htole32(nsamples)};
		memcpy(p, &th, sizeof(th));
		p += sizeof(th);
		uint32_t first = 0;
		for (uint32_t t = 0; t < nreg; t++) {
			struct virtio_accel_timer_region r;
			memset(&r, 0, sizeof(r));
			snprintf(r.name, sizeof(r.name), "%s", timer_names[t]);
			r.nr_samples = htole32(fs->timers[t].count);
			r.first_sample = htole32(first);
			first += fs->timers[t].count;
			memcpy(p, &r, sizeof(r));
			p += sizeof(r);
		}
		for (uint32_t t = 0; t < nreg; t++) {
			struct timer_ring *tr = &fs->timers[t];
			uint32_t start =
				(tr->next + TIMER_SAMPLES - tr->count) %
				TIMER_SAMPLES;
			for (uint32_t k = 0; k < tr->count; k++) {
				memcpy(p, &tr->s[(start + k) % TIMER_SAMPLES],
				       sizeof(tr->s[0]));
				p += sizeof(tr->s[0]);
			}
			if (req->param & VIRTIO_ACCEL_TIMERS_F_CLEAR)
				tr->count = tr->next = 0;
		}
		hbuf_deliver(req, e, 0, &hb, need);
		hbuf_release(fe, &hb);
	}
	pthread_mutex_unlock(&fs->tlock);
	sess_put(fs);
}

static bool mem_xlate(void *ctx, uint64_t gpa, uint64_t len,
		      struct vq_xlate *out)
{
	return vq_mem_gpa_xlate(ctx, gpa, len, out);
}

static void process(struct job *j)
{
	struct frontend *fe = j->fe;
	struct vq_elem *e = &j->e;
	struct request req;
	struct result res = {.status = VIRTIO_ACCEL_OK};
	uint64_t t0 = now_ns();
	uint32_t used = 0;
	atomic_fetch_add(&fe->nr_requests, 1);

	if (j->bad) {
		LOG_ERR("frontend %u: queue %u: invalid descriptor chain "
			"(head %u), completed with used length 0",
			fe->id, j->q->index, e->head);
		atomic_fetch_add(&fe->nr_errors, 1);
		goto complete;
	}
	struct req_mem acc = {.xlate = mem_xlate, .ctx = j->mem};
	res.status = request_parse(e->in, e->nr_in, e->in_len, e->out_len,
				   &fe->lim, &acc, &req);
	res.err = req.error;
	if (res.status == VIRTIO_ACCEL_OK && req.nr_write) {
		res.resp = calloc(req.nr_write, sizeof(*res.resp));
		if (!res.resp)
			res.status = VIRTIO_ACCEL_ERR;
	}
	if (res.status == VIRTIO_ACCEL_OK) {
		switch (req.cmd) {
		case VIRTIO_ACCEL_CMD_SESSION_CREATE:
			cmd_session_create(fe, &req, &res);
			break;
		case VIRTIO_ACCEL_CMD_SESSION_DESTROY: {
			if (req.nr_read || req.nr_write || req.param ||
			    req.object_id) {
				res.status = VIRTIO_ACCEL_BADMSG;
				break;
			}
			struct fe_sess *fs = take_sess(fe, req.session_id);
			if (!fs)
				res.status = VIRTIO_ACCEL_NOSESS;
			sess_put(fs);
			break;
		}
		case VIRTIO_ACCEL_CMD_RESOURCE_CREATE:
			cmd_resource_create(fe, &req, e, &res);
			break;
		case VIRTIO_ACCEL_CMD_RESOURCE_DESTROY:
		case VIRTIO_ACCEL_CMD_RESOURCE_REGISTER:
		case VIRTIO_ACCEL_CMD_RESOURCE_UNREGISTER:
			cmd_resource_ref(fe, &req, &res);
			break;
		case VIRTIO_ACCEL_CMD_OP:
			cmd_op(fe, &req, e, &res);
			break;
		case VIRTIO_ACCEL_CMD_TIMERS_GET:
			cmd_timers(fe, &req, e, &res);
			break;
		}
	}
	if (res.status != VIRTIO_ACCEL_OK) {
		atomic_fetch_add(&fe->nr_errors, 1);
		LOG_INFO("frontend %u: %s (tag %" PRIu64 "): %s%s%s", fe->id,
			 request_cmd_str(req.cmd), req.tag,
			 request_status_str(res.status), res.err ? ": " : "",
			 res.err ? res.err : "");
	}
	bool with_args = res.status == VIRTIO_ACCEL_OK ||
			 res.status == VIRTIO_ACCEL_OVERFLOW;
	used = (uint32_t)request_write_resp(e->out, e->nr_out, e->out_len, &req,
					    res.status, res.vret, res.object_id,
					    with_args ? res.resp : NULL,
					    with_args ? req.nr_write : 0);
	if (res.status == VIRTIO_ACCEL_OK && req.w_needed <= e->out_len)
		used = (uint32_t)req.w_needed;
	if (G.o.profiling && (req.cmd == VIRTIO_ACCEL_CMD_OP ||
			      req.cmd == VIRTIO_ACCEL_CMD_TIMERS_GET)) {
		struct fe_sess *fs = res.status == VIRTIO_ACCEL_NOSESS
					     ? NULL
					     : sess_get(fe, req.session_id);
		timer_add(fs, 0, t0, now_ns());
		sess_put(fs);
	}
	free(res.resp);
	request_free(&req);
complete:
	pthread_mutex_lock(&j->q->lock);
	vq_push(j->q, e->head, used);
	pthread_mutex_unlock(&j->q->lock);
	vq_mem_put(j->mem);
	fe_put(fe);
	job_free(j);
}

/* ---------------------------------------------------------------------- */
/* workers                                                                 */
/* ---------------------------------------------------------------------- */

static void *worker_main(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&G.lock);
		while (!G.head && !G.stopping)
			pthread_cond_wait(&G.cond, &G.lock);
		if (!G.head) {
			pthread_mutex_unlock(&G.lock);
			return NULL;
		}
		struct job *j = G.head;
		G.head = j->next;
		if (!G.head)
			G.tail = NULL;
		pthread_mutex_unlock(&G.lock);
		process(j);
	}
}

static void submit(struct job *j)
{
	pthread_mutex_lock(&G.lock);
	j->next = NULL;
	if (G.tail)
		G.tail->next = j;
	else
		G.head = j;
	G.tail = j;
	pthread_cond_signal(&G.cond);
	pthread_mutex_unlock(&G.lock);
}

/* ---------------------------------------------------------------------- */
/* front-end threads                                                       */
/* ---------------------------------------------------------------------- */

/*
 * Requests that run on the kick thread instead of a worker: chains that
 * failed validation in vq_pop, chains too short to hold a header, and
 * OP/NOOP without arguments. Their cost is bounded and tiny (NOOP measures
 * bare dispatch), and skipping the hand-off saves one thread wake-up per
 * request (docs/architecture.md, "Host daemon"). Everything else - plugin
 * work, resource copies, segment resolution - goes to the workers, so a
 * slow op never blocks the rings of its front-end.
 */
static bool run_inline(const struct job *j)
{
	if (j->bad || j->e.in_len < sizeof(struct virtio_accel_req_hdr))
		return true;
	struct virtio_accel_req_hdr h;
	iov_copy_from(j->e.in, j->e.nr_in, 0, &h, sizeof(h));
	return le16toh(h.cmd) == VIRTIO_ACCEL_CMD_OP && h.param == 0 &&
	       h.nr_read == 0 && h.nr_write == 0;
}

#define DRAIN_BATCH 64

static void drain_queue(struct frontend *fe, struct vq *q)
{
	struct vq_mem *mem = vu_mem_get(&fe->vu);
	pthread_mutex_lock(&q->lock);
	if (q->kick_fd >= 0 && q->started) {
		uint64_t v;
		ssize_t r = read(q->kick_fd, &v, sizeof(v));
		(void)r;
	}
	pthread_mutex_unlock(&q->lock);
	for (;;) {
		struct job *local = NULL, **tail = &local;
		unsigned int popped = 0;
		bool again;
		pthread_mutex_lock(&q->lock);
		while (popped < DRAIN_BATCH) {
			struct job *j = job_alloc();
			if (!j)
				break;
			int rc = vq_pop(q, mem, &j->e, &j->bad);
			if (rc <= 0) {
				job_free(j);
				if (rc < 0)
					LOG_ERR("frontend %u: queue %u is "
						"corrupted; stopped",
						fe->id, q->index);
				break;
			}
			popped++;
			j->fe = fe;
			j->q = q;
			j->mem = vq_mem_get(mem);
			j->next = NULL;
			atomic_fetch_add(&fe->refs, 1);
			if (run_inline(j)) {
				*tail = j;
				tail = &j->next;
			} else {
				submit(j);
			}
		}
		if (popped)
			again = true;
		else
			again = q->started && q->enabled && vq_enable_notify(q);
		pthread_mutex_unlock(&q->lock);
		while (local) {
			struct job *j = local;
			local = j->next;
			process(j); /* completes under q->lock itself */
		}
		if (!again)
			break;
	}
	vq_mem_put(mem);
}

static void *kick_main(void *arg)
{
	struct frontend *fe = arg;
	struct epoll_event ev[16];
	for (;;) {
		int n = epoll_wait(fe->epfd, ev, 16, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		for (int i = 0; i < n; i++) {
			uint64_t idx = ev[i].data.u64;
			if (idx == UINT64_MAX)
				return NULL; /* wake_fd: stop */
			if (idx < fe->vu.nr_queues)
				drain_queue(fe, &fe->vu.vq[idx]);
		}
	}
	return NULL;
}

static void q_start(struct vu_dev *dev, unsigned int idx)
{
	struct frontend *fe = dev->opaque;
	struct vq *q = &dev->vq[idx];
	pthread_mutex_lock(&q->lock);
	int fd = q->kick_fd;
	unsigned int again = q->nr_resubmit;
	pthread_mutex_unlock(&q->lock);
	if (fd < 0)
		return;
	if (again)
		LOG_INFO("frontend %u: queue %u: %u requests that a previous "
			 "back-end took but never completed run again",
			 fe->id, idx, again);
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = idx};
	if (epoll_ctl(fe->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 && errno == EEXIST)
		epoll_ctl(fe->epfd, EPOLL_CTL_MOD, fd, &ev);
	/* the driver may have queued buffers before the ring started */
	uint64_t one = 1;
	ssize_t r = write(fd, &one, sizeof(one));
	(void)r;
	LOG_DBG("frontend %u: queue %u started", fe->id, idx);
}

static void q_stop(struct vu_dev *dev, unsigned int idx)
{
	struct frontend *fe = dev->opaque;
	struct vq *q = &dev->vq[idx];
	pthread_mutex_lock(&q->lock);
	if (q->kick_fd >= 0)
		epoll_ctl(fe->epfd, EPOLL_CTL_DEL, q->kick_fd, NULL);
	pthread_mutex_unlock(&q->lock);
}

static uint64_t dev_features(struct vu_dev *dev)
{
	(void)dev;
	uint64_t f = (1ull << VIRTIO_ACCEL_F_SEGMENTS) |
		     (1ull << VIRTIO_ACCEL_F_RESOURCES) |
		     (1ull << VIRTIO_ACCEL_F_TIMERS);
	if (G.o.queues > 1)
		f |= 1ull << VIRTIO_ACCEL_F_MQ;
	return f;
}

static int dev_get_config(struct vu_dev *dev, uint8_t *buf, uint32_t off,
			  uint32_t len)
{
	(void)dev;
	struct virtio_accel_config c;
	memset(&c, 0, sizeof(c));
	c.version_min = htole16(G.o.lim.version_min);
	c.version_max = htole16(G.o.lim.version_max);
	c.num_queues = htole16((uint16_t)G.o.queues);
	c.status = htole32(G.o.ready ? VIRTIO_ACCEL_S_HW_READY : 0);
	c.max_args = htole32(G.o.lim.max_args);
	c.max_segments = htole32(G.o.lim.max_segments);
	c.max_table_entries = htole32(G.o.lim.max_table_entries);
	c.max_inline_bytes = htole32(G.o.lim.max_inline_bytes);
	c.max_blobs = htole32(G.o.lim.max_blobs);
	c.max_arg_size = htole64(G.o.lim.max_arg_size);
	c.max_request_bytes = htole64(G.o.lim.max_request_bytes);
	c.max_sessions = htole32(G.o.max_sessions);
	c.max_resources = htole32(G.o.max_resources);
	c.max_timer_bytes = htole32(G.o.lim.max_timer_bytes);
	if (off > sizeof(c) || len > sizeof(c) - off)
		return -1;
	memcpy(buf, (uint8_t *)&c + off, len);
	return 0;
}

static void dev_features_set(struct vu_dev *dev, uint64_t f)
{
	struct frontend *fe = dev->opaque;
	fe->lim.features = f & 0xffffffull; /* device-specific bits */
}

static const struct vu_iface accel_iface = {
	.get_features = dev_features,
	.get_config = dev_get_config,
	.queue_start = q_start,
	.queue_stop = q_stop,
	.features_set = dev_features_set,
};

static void release_all(struct frontend *fe)
{
	uint32_t ns = 0, nr = 0;
	for (uint32_t i = 0; i < G.o.max_sessions; i++) {
		struct fe_sess *fs = take_sess_slot(fe, i);
		if (fs) {
			ns++;
			sess_put(fs);
		}
	}
	for (uint32_t i = 0; i < G.o.max_resources; i++) {
		struct fe_res *fr = take_res_slot(fe, i);
		if (fr) {
			nr++;
			res_put(fr);
		}
	}
	LOG_INFO("frontend %u disconnected: released %u sessions, %u "
		 "resources; %" PRIu64 " requests, %" PRIu64 " errors",
		 fe->id, ns, nr, (uint64_t)fe->nr_requests,
		 (uint64_t)fe->nr_errors);
	struct view_cache_stats vs = {0};
	if (fe->views) {
		/* the rings are stopped: no view is in use any more */
		view_cache_stats(fe->views, &vs);
		view_cache_flush(fe->views);
	}
	stats_line("event=disconnect frontend=%u sessions_released=%u "
		   "resources_released=%u requests=%" PRIu64 " errors=%" PRIu64
		   " views_built=%" PRIu64 " views_reused=%" PRIu64 " \n",
		   fe->id, ns, nr, (uint64_t)fe->nr_requests,
		   (uint64_t)fe->nr_errors, vs.misses, vs.hits);
}

static void *ctl_main(void *arg)
{
	struct frontend *fe = arg;
	while (vu_dispatch(&fe->vu) == 0) {
		if (fe->vu.errbuf[0])
			LOG_ERR("frontend %u: %s", fe->id, fe->vu.errbuf);
	}
	if (fe->vu.errbuf[0])
		LOG_ERR("frontend %u: %s", fe->id, fe->vu.errbuf);
	/* Stop every ring: waits for in-flight requests. */
	for (unsigned int i = 0; i < fe->vu.nr_queues; i++) {
		struct vq *q = &fe->vu.vq[i];
		q_stop(&fe->vu, i);
		pthread_mutex_lock(&q->lock);
		q->started = false;
		while (q->inflight > 0)
			pthread_cond_wait(&q->idle, &q->lock);
		pthread_mutex_unlock(&q->lock);
	}
	uint64_t one = 1;
	ssize_t w = write(fe->wake_fd, &one, sizeof(one));
	(void)w;
	pthread_join(fe->kick_thread, NULL);
	/* jobs queued by a last drain may still be running */
	for (unsigned int i = 0; i < fe->vu.nr_queues; i++) {
		struct vq *q = &fe->vu.vq[i];
		pthread_mutex_lock(&q->lock);
		while (q->inflight > 0)
			pthread_cond_wait(&q->idle, &q->lock);
		pthread_mutex_unlock(&q->lock);
	}
	release_all(fe);
	close(fe->sock);

	pthread_mutex_lock(&G.lock);
	for (struct frontend **pp = &G.fes; *pp; pp = &(*pp)->next)
		if (*pp == fe) {
			*pp = fe->next;
			break;
		}
	G.nr_fes--;
	pthread_cond_broadcast(&G.fe_gone);
	pthread_mutex_unlock(&G.lock);
	pthread_detach(pthread_self());
	fe_put(fe);
	return NULL;
}

int device_add_frontend(int sock)
{
	pthread_mutex_lock(&G.lock);
	bool full = G.nr_fes >= G.o.max_frontends || G.stopping;
	pthread_mutex_unlock(&G.lock);
	if (full) {
		LOG_ERR("refusing a front-end: %s",
			G.stopping ? "shutting down"
				   : "--max-frontends reached");
		close(sock);
		return -1;
	}
	struct frontend *fe = calloc(1, sizeof(*fe));
	if (!fe) {
		close(sock);
		return -1;
	}
	atomic_init(&fe->refs, 1);
	fe->sock = sock;
	fe->lim = G.o.lim;
	fe->lim.features = 0; /* until SET_FEATURES */
	fe->wake_fd = eventfd(0, EFD_CLOEXEC);
	fe->epfd = epoll_create1(EPOLL_CLOEXEC);
	fe->sess = calloc(G.o.max_sessions, sizeof(*fe->sess));
	fe->res = calloc(G.o.max_resources, sizeof(*fe->res));
	/* without it views are built per request, as before */
	fe->views = view_cache_new(VIEW_CACHE_ENTRIES, VIEW_CACHE_BYTES,
				   view_key_get, view_key_put);
	pthread_mutex_init(&fe->lock, NULL);
	if (fe->wake_fd < 0 || fe->epfd < 0 || !fe->sess || !fe->res ||
	    vu_dev_init(&fe->vu, sock, G.o.queues, &accel_iface, fe) < 0) {
		LOG_ERR("cannot set up a front-end: %s", strerror(errno));
		close(sock);
		free(fe->sess);
		free(fe->res);
		if (fe->wake_fd >= 0)
			close(fe->wake_fd);
		if (fe->epfd >= 0)
			close(fe->epfd);
		free(fe);
		return -1;
	}
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = UINT64_MAX};
	epoll_ctl(fe->epfd, EPOLL_CTL_ADD, fe->wake_fd, &ev);

	pthread_mutex_lock(&G.lock);
	fe->id = ++G.next_id;
	fe->gen = G.last_gen = new_generation(G.last_gen);
	fe->next = G.fes;
	G.fes = fe;
	G.nr_fes++;
	pthread_mutex_unlock(&G.lock);

	/* Log before the threads start: once the control thread runs, a
	 * front-end that disconnects at once may free `fe` under our feet
	 * (and its disconnect record must follow the connect record). */
	LOG_INFO("frontend %u connected", fe->id);
	stats_line("event=connect frontend=%u\n", fe->id);
	if (pthread_create(&fe->kick_thread, NULL, kick_main, fe) ||
	    pthread_create(&fe->ctl_thread, NULL, ctl_main, fe)) {
		LOG_ERR("cannot start front-end threads");
		shutdown(sock, SHUT_RDWR); /* ctl thread (if any) cleans up */
		return -1;
	}
	return 0;
}

unsigned int device_nr_frontends(void)
{
	pthread_mutex_lock(&G.lock);
	unsigned int n = G.nr_fes;
	pthread_mutex_unlock(&G.lock);
	return n;
}

int device_start(const struct device_opts *opts)
{
	G.o = *opts;
	G.o.lim.features = dev_features(NULL);
	G.workers = calloc(opts->workers, sizeof(*G.workers));
	if (!G.workers)
		return -1;
	for (unsigned int i = 0; i < opts->workers; i++) {
		if (pthread_create(&G.workers[i], NULL, worker_main, NULL))
			return -1;
		G.nr_workers++;
	}
	return 0;
}

void device_stop(void)
{
	pthread_mutex_lock(&G.lock);
	G.stopping = true;
	for (struct frontend *fe = G.fes; fe; fe = fe->next)
		shutdown(fe->sock, SHUT_RDWR);
	while (G.nr_fes > 0)
		pthread_cond_wait(&G.fe_gone, &G.lock);
	pthread_cond_broadcast(&G.cond);
	pthread_mutex_unlock(&G.lock);
	for (unsigned int i = 0; i < G.nr_workers; i++)
		pthread_join(G.workers[i], NULL);
	free(G.workers);
	G.workers = NULL;
	G.nr_workers = 0;
}
