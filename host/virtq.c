// SPDX-License-Identifier: Apache-2.0
#include "virtq.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

/* ---------------------------------------------------------------------- */
/* guest memory                                                            */
/* ---------------------------------------------------------------------- */

/* Seal fd against shrinking; true when it is (now or already) sealed. */
static bool seal_shrink(int fd)
{
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) == 0)
		return true;
	int seals = fcntl(fd, F_GET_SEALS);
	return seals >= 0 && (seals & F_SEAL_SHRINK);
}

static uint64_t round_up(uint64_t v, uint64_t align)
{
	return (v + align - 1) / align * align;
}

struct vq_region *vq_region_map(int fd, uint64_t gpa, uint64_t size,
				uint64_t uva, uint64_t mmap_offset,
				bool require_seal)
{
	if (fd < 0 || size == 0 || gpa + size < gpa || uva + size < uva ||
	    mmap_offset + size < mmap_offset || size > SIZE_MAX / 2)
		return NULL;

	/* A mapping past the end of the file would fault (SIGBUS) on first
	 * touch: the region must lie inside the file. */
	struct stat st;
	if (fstat(fd, &st) < 0)
		return NULL;
	if (S_ISREG(st.st_mode) &&
	    (st.st_size < 0 || mmap_offset > (uint64_t)st.st_size ||
	     size > (uint64_t)st.st_size - mmap_offset)) {
		errno = EINVAL;
		return NULL;
	}
	/* Keep it that way where the fd allows sealing (memfd without
	 * F_SEAL_SEAL). Otherwise (a tmpfs or hugetlbfs file, a memfd sealed
	 * with F_SEAL_SEAL) only the front-end's own device process can be
	 * hurt by a truncation: it serves that front-end alone
	 * (docs/architecture.md); --require-sealed-memory refuses them. */
	bool sealed = seal_shrink(fd);
	if (!sealed && require_seal) {
		errno = EPERM;
		return NULL;
	}

	struct statfs sfs;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	if (fstatfs(fd, &sfs) == 0 && sfs.f_bsize > 0 &&
	    (size_t)sfs.f_bsize > pg && ((size_t)sfs.f_bsize % pg) == 0)
		pg = (size_t)sfs.f_bsize; /* hugetlbfs */

	uint64_t base = mmap_offset - (mmap_offset % pg);
	uint64_t delta = mmap_offset - base;
	/* whole pages of the backing file: munmap of a hugetlbfs mapping
	 * fails unless its length is a multiple of the huge page size */
	size_t len = (size_t)round_up(size + delta, pg);
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       (off_t)base);
	if (p == MAP_FAILED)
		return NULL;
	/* Guest memory must not end up in core dumps of the daemon. */
	(void)madvise(p, len, MADV_DONTDUMP);

	struct vq_region *r = calloc(1, sizeof(*r));
	if (!r) {
		munmap(p, len);
		return NULL;
	}
	atomic_init(&r->refs, 1);
	r->fd = fd;
	r->gpa = gpa;
	r->size = size;
	r->uva = uva;
	r->fd_off = mmap_offset;
	r->map = p;
	r->map_len = len;
	r->hva = (uint8_t *)p + delta;
	r->page_size = pg;
	r->sealed = sealed;
	return r;
}

void vq_region_put(struct vq_region *r)
{
	if (!r)
		return;
	if (atomic_fetch_sub(&r->refs, 1) != 1)
		return;
	munmap(r->map, r->map_len);
	close(r->fd);
	free(r);
}

struct vq_mem *vq_mem_new(void)
{
	struct vq_mem *m = calloc(1, sizeof(*m));
	if (m)
		atomic_init(&m->refs, 1);
	return m;
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

struct vq_mem *vq_mem_with(const struct vq_mem *m, struct vq_region *r)
{
	if (m->nregions >= VQ_MEM_MAX_REGIONS)
		return NULL;
	for (unsigned int i = 0; i < m->nregions; i++)
		if (ranges_overlap(m->r[i]->gpa, m->r[i]->size, r->gpa,
				   r->size))
			return NULL;
	struct vq_mem *n = vq_mem_new();
	if (!n)
		return NULL;
	for (unsigned int i = 0; i < m->nregions; i++) {
		atomic_fetch_add(&m->r[i]->refs, 1);
		n->r[n->nregions++] = m->r[i];
	}
	atomic_fetch_add(&r->refs, 1);
	n->r[n->nregions++] = r;
	return n;
}

struct vq_mem *vq_mem_without(const struct vq_mem *m, uint64_t gpa,
			      uint64_t size)
{
	bool found = false;
	struct vq_mem *n = vq_mem_new();
	if (!n)
		return NULL;
	for (unsigned int i = 0; i < m->nregions; i++) {
		if (!found && m->r[i]->gpa == gpa && m->r[i]->size == size) {
			found = true;
			continue;
		}
		atomic_fetch_add(&m->r[i]->refs, 1);
		n->r[n->nregions++] = m->r[i];
	}
	if (!found) {
		vq_mem_put(n);
		return NULL;
	}
	return n;
}

struct vq_mem *vq_mem_get(struct vq_mem *m)
{
	if (m)
		atomic_fetch_add(&m->refs, 1);
	return m;
}

void vq_mem_put(struct vq_mem *m)
{
	if (!m)
		return;
	if (atomic_fetch_sub(&m->refs, 1) != 1)
		return;
	for (unsigned int i = 0; i < m->nregions; i++)
		vq_region_put(m->r[i]);
	free(m);
}

static const struct vq_region *find_gpa(const struct vq_mem *m, uint64_t gpa,
					uint64_t len)
{
	if (!m || gpa + len < gpa)
		return NULL;
	for (unsigned int i = 0; i < m->nregions; i++) {
		const struct vq_region *r = m->r[i];
		if (gpa >= r->gpa && gpa - r->gpa <= r->size &&
		    len <= r->size - (gpa - r->gpa))
			return r;
	}
	return NULL;
}

void *vq_mem_gpa(const struct vq_mem *m, uint64_t gpa, uint64_t len)
{
	const struct vq_region *r = find_gpa(m, gpa, len);
	return r ? r->hva + (gpa - r->gpa) : NULL;
}

bool vq_mem_gpa_xlate(const struct vq_mem *m, uint64_t gpa, uint64_t len,
		      struct vq_xlate *out)
{
	const struct vq_region *r = find_gpa(m, gpa, len);
	if (!r)
		return false;
	out->hva = r->hva + (gpa - r->gpa);
	out->fd = r->fd;
	out->fd_off = r->fd_off + (gpa - r->gpa);
	out->page_size = r->page_size;
	return true;
}

void *vq_mem_uva(const struct vq_mem *m, uint64_t uva, uint64_t len)
{
	if (!m || uva + len < uva)
		return NULL;
	for (unsigned int i = 0; i < m->nregions; i++) {
		const struct vq_region *r = m->r[i];
		if (uva >= r->uva && uva - r->uva <= r->size &&
		    len <= r->size - (uva - r->uva))
			return r->hva + (uva - r->uva);
	}
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* split virtqueue                                                         */
/* ---------------------------------------------------------------------- */

void vq_init(struct vq *q, unsigned int index)
{
	memset(q, 0, sizeof(*q));
	pthread_mutex_init(&q->lock, NULL);
	pthread_mutex_init(&q->fd_lock, NULL);
	pthread_cond_init(&q->idle, NULL);
	q->index = index;
	q->kick_fd = -1;
	q->call_fd = -1;
	q->err_fd = -1;
}

void vq_destroy(struct vq *q)
{
	vq_infl_detach(q);
	if (q->kick_fd >= 0)
		close(q->kick_fd);
	if (q->call_fd >= 0)
		close(q->call_fd);
	if (q->err_fd >= 0)
		close(q->err_fd);
	q->kick_fd = q->call_fd = q->err_fd = -1;
	pthread_mutex_destroy(&q->fd_lock);
	pthread_cond_destroy(&q->idle);
	pthread_mutex_destroy(&q->lock);
}

int vq_map_rings(struct vq *q, const struct vq_mem *m)
{
	q->desc = NULL;
	q->avail = NULL;
	q->used = NULL;
	if (q->num == 0 || !q->desc_uva)
		return -1;
	size_t n = q->num;
	q->desc = vq_mem_uva(m, q->desc_uva, n * sizeof(struct vq_desc));
	/* +2: used_event after the ring */
	q->avail = vq_mem_uva(m, q->avail_uva, 4 + 2 * n + 2);
	q->used = vq_mem_uva(m, q->used_uva,
			     4 + n * sizeof(struct vq_used_elem) + 2);
	/* virtio 1.x alignment: descriptors 16, avail 2, used 4 */
	if (((uintptr_t)q->desc % 16) || ((uintptr_t)q->avail % 2) ||
	    ((uintptr_t)q->used % 4) || !q->desc || !q->avail || !q->used) {
		q->desc = NULL;
		q->avail = NULL;
		q->used = NULL;
		return -1;
	}
	return 0;
}

/* The ring is unusable: stop touching it and tell the front-end (the
 * vhost-user error eventfd, written by vq_notify_error once q->lock is
 * dropped; a VMM turns it into DEVICE_NEEDS_RESET). */
static void set_broken(struct vq *q)
{
	q->broken = true;
	__atomic_store_n(&q->err_pending, true, __ATOMIC_RELEASE);
}

/* Add one to an eventfd (or write 8 bytes to a pipe) without blocking. */
static void fd_signal(int fd)
{
	uint64_t one = 1;
	if (fd >= 0) {
		ssize_t rc = write(fd, &one, sizeof(one));
		(void)rc; /* EAGAIN: already signalled (or nobody reads) */
	}
}

void vq_notify(struct vq *q)
{
	pthread_mutex_lock(&q->fd_lock);
	fd_signal(q->call_fd);
	pthread_mutex_unlock(&q->fd_lock);
}

void vq_notify_error(struct vq *q)
{
	if (!__atomic_exchange_n(&q->err_pending, false, __ATOMIC_ACQ_REL))
		return;
	pthread_mutex_lock(&q->fd_lock);
	fd_signal(q->err_fd);
	pthread_mutex_unlock(&q->fd_lock);
}

void vq_kick_clear(struct vq *q)
{
	uint64_t v;
	pthread_mutex_lock(&q->fd_lock);
	if (q->kick_fd >= 0) {
		ssize_t r = read(q->kick_fd, &v, sizeof(v));
		(void)r;
	}
	pthread_mutex_unlock(&q->fd_lock);
}

void vq_fd_set(struct vq *q, int *slot, int fd)
{
	if (fd >= 0) {
		int fl = fcntl(fd, F_GETFL);
		if (fl >= 0 && !(fl & O_NONBLOCK))
			(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	}
	pthread_mutex_lock(&q->fd_lock);
	int old = *slot;
	*slot = fd;
	pthread_mutex_unlock(&q->fd_lock);
	if (old >= 0)
		close(old);
}

static uint16_t rd16(const volatile uint16_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static int add_iov(struct vq_elem *e, const struct vq_mem *m, bool writable,
		   uint64_t addr, uint32_t len)
{
	/* A descriptor may span several regions: split it. */
	while (len > 0) {
		const struct vq_region *r = NULL;
		for (unsigned int i = 0; i < m->nregions; i++) {
			const struct vq_region *c = m->r[i];
			if (addr >= c->gpa && addr - c->gpa < c->size) {
				r = c;
				break;
			}
		}
		if (!r)
			return -1;
		uint64_t avail = r->size - (addr - r->gpa);
		uint32_t chunk = avail < len ? (uint32_t)avail : len;
		struct iovec *v;
		if (writable) {
			if (e->nr_out >= VQ_MAX_IOV)
				return -1;
			v = &e->out[e->nr_out++];
			e->out_len += chunk;
		} else {
			if (e->nr_in >= VQ_MAX_IOV)
				return -1;
			v = &e->in[e->nr_in++];
			e->in_len += chunk;
		}
		v->iov_base = r->hva + (addr - r->gpa);
		v->iov_len = chunk;
		addr += chunk;
		len -= chunk;
	}
	return 0;
}

/* Walk one descriptor table (the ring's or an indirect one). */
static int walk(struct vq_elem *e, const struct vq_mem *m,
		const struct vq_desc *table, uint32_t tsize, uint16_t first,
		bool indirect_ok, unsigned int *budget)
{
	uint32_t i = first;
	for (;;) {
		if (i >= tsize || *budget == 0)
			return -1; /* out of range, or a loop */
		(*budget)--;
		struct vq_desc d;
		memcpy(&d, (const void *)&table[i], sizeof(d));
		if (d.flags & VQ_DESC_F_INDIRECT) {
			if (!indirect_ok || (d.flags & VQ_DESC_F_NEXT) ||
			    d.len == 0 || d.len % sizeof(struct vq_desc))
				return -1;
			uint32_t n = d.len / sizeof(struct vq_desc);
			if (n > VQ_MAX_SIZE)
				return -1;
			const struct vq_desc *ind =
				vq_mem_gpa(m, d.addr, d.len);
			if (!ind)
				return -1;
			/* Copy the table once: the driver cannot change it
			 * under us while we walk it. */
			struct vq_desc *copy = malloc(d.len);
			if (!copy)
				return -1;
			memcpy(copy, ind, d.len);
			unsigned int ib = n;
			int rc = walk(e, m, copy, n, 0, false, &ib);
			free(copy);
			return rc;
		}
		bool w = d.flags & VQ_DESC_F_WRITE;
		if (!w && e->nr_out > 0)
			return -1; /* readable after writable */
		if (d.len > 0 && add_iov(e, m, w, d.addr, d.len) < 0)
			return -1;
		if (!(d.flags & VQ_DESC_F_NEXT))
			return 0;
		i = d.next;
	}
}

/* ---------------------------------------------------------------------- */
/* in-flight tracking                                                      */
/* ---------------------------------------------------------------------- */

uint64_t vq_infl_size(uint32_t queue_size)
{
	uint64_t n = sizeof(struct vq_infl) +
		     (uint64_t)queue_size * sizeof(struct vq_infl_desc);
	return (n + 63) & ~(uint64_t)63;
}

void vq_infl_detach(struct vq *q)
{
	q->infl = NULL;
	free(q->resubmit);
	q->resubmit = NULL;
	q->nr_resubmit = q->resubmit_pos = 0;
}

unsigned int vq_infl_attach(struct vq *q, struct vq_infl *in, uint16_t desc_num)
{
	vq_infl_detach(q);
	if (!q->used || !q->num || q->num > desc_num)
		return 0;
	/* the front-end can write the region: every value is checked */
	if (in->version != 1 || in->desc_num != desc_num) {
		memset(in, 0, vq_infl_size(desc_num));
		in->desc_num = desc_num;
		in->used_idx = rd16(&q->used->idx);
		__atomic_store_n(&in->version, 1, __ATOMIC_RELEASE);
		q->infl = in;
		q->infl_num = desc_num;
		q->infl_counter = 1;
		return 0;
	}
	uint16_t used = rd16(&q->used->idx);
	if (in->used_idx != used) {
		/* completed, but the back-end died before it unmarked it */
		if (in->last_batch_head < desc_num)
			in->desc[in->last_batch_head].inflight = 0;
		in->used_idx = used;
	}
	unsigned int n = 0;
	uint64_t top = 0;
	for (uint32_t h = 0; h < desc_num; h++) {
		if (!in->desc[h].inflight)
			continue;
		if (h >= q->num || n >= q->num) {
			in->desc[h].inflight = 0; /* cannot be a chain */
			continue;
		}
		n++;
	}
	uint16_t *list = n ? malloc(n * sizeof(*list)) : NULL;
	if (n && !list) {
		/* cannot resubmit: the driver's waits time out instead */
		for (uint32_t h = 0; h < desc_num; h++)
			in->desc[h].inflight = 0;
		n = 0;
	}
	unsigned int k = 0;
	for (uint32_t h = 0; h < q->num && k < n; h++)
		if (in->desc[h].inflight)
			list[k++] = (uint16_t)h;
	/* in pop order (insertion sort: n <= queue size, once per start) */
	for (unsigned int i = 1; i < n; i++) {
		uint16_t h = list[i];
		unsigned int j = i;
		while (j > 0 &&
		       in->desc[list[j - 1]].counter > in->desc[h].counter) {
			list[j] = list[j - 1];
			j--;
		}
		list[j] = h;
	}
	for (unsigned int i = 0; i < n; i++)
		if (in->desc[list[i]].counter > top)
			top = in->desc[list[i]].counter;
	q->used_idx = used;
	q->last_avail = (uint16_t)(used + n);
	q->signalled_valid = false;
	q->infl = in;
	q->infl_num = desc_num;
	q->infl_counter = top + 1;
	q->resubmit = list;
	q->nr_resubmit = n;
	q->resubmit_pos = 0;
	return n;
}

int vq_pop(struct vq *q, const struct vq_mem *m, struct vq_elem *e, bool *bad)
{
	*bad = false;
	if (!q->started || !q->enabled || q->broken || !q->avail)
		return 0;
	if (q->inflight >= q->num) {
		/* a driver has at most num chains out: it re-posted heads */
		q->throttled = true;
		return 0;
	}
	if (q->resubmit_pos < q->nr_resubmit) {
		/* taken by the previous back-end, never completed */
		uint16_t h = q->resubmit[q->resubmit_pos++];
		e->head = h;
		e->nr_in = e->nr_out = 0;
		e->in_len = e->out_len = 0;
		unsigned int budget = q->num;
		if (walk(e, m, q->desc, q->num, h, true, &budget) < 0) {
			e->nr_in = e->nr_out = 0;
			e->in_len = e->out_len = 0;
			*bad = true;
		}
		q->inflight++;
		q->nr_popped++;
		return 1;
	}
	uint16_t avail_idx = rd16(&q->avail->idx);
	uint16_t pending = (uint16_t)(avail_idx - q->last_avail);
	if (pending == 0)
		return 0;
	if (pending > q->num) {
		set_broken(q);
		return -1;
	}
	uint16_t head = rd16(&q->avail->ring[q->last_avail % q->num]);
	/* avail_event is left where vq_enable_notify put it: while the ring
	 * is being drained the driver need not kick (as Linux's vhost) */
	q->last_avail++;
	e->head = head;
	e->nr_in = e->nr_out = 0;
	e->in_len = e->out_len = 0;
	if (head >= q->num) {
		/* Cannot even complete it: the head id itself is invalid. */
		set_broken(q);
		return -1;
	}
	/* the tracking region was sized for infl_num heads; the ring may have
	 * been resized since (SET_VRING_NUM is refused while it runs, and
	 * this bound holds whatever the order of messages) */
	if (q->infl && head < q->infl_num) {
		q->infl->desc[head].counter = q->infl_counter++;
		__atomic_store_n(&q->infl->desc[head].inflight, 1,
				 __ATOMIC_RELEASE);
	}
	unsigned int budget = q->num;
	if (walk(e, m, q->desc, q->num, head, true, &budget) < 0) {
		e->nr_in = e->nr_out = 0;
		e->in_len = e->out_len = 0;
		*bad = true;
	}
	q->inflight++;
	q->nr_popped++;
	return 1;
}

static bool need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

bool vq_push(struct vq *q, uint16_t head, uint32_t len)
{
	if (q->inflight > 0)
		q->inflight--;
	q->nr_completed++;
	if (!q->used || q->broken || head >= q->num) {
		if (q->inflight == 0)
			pthread_cond_broadcast(&q->idle);
		return false;
	}
	struct vq_infl *in = head < q->infl_num ? q->infl : NULL;
	if (in)
		__atomic_store_n(&in->last_batch_head, head, __ATOMIC_RELEASE);
	struct vq_used_elem *ue = &q->used->ring[q->used_idx % q->num];
	ue->id = head;
	ue->len = len;
	uint16_t old = q->used_idx;
	q->used_idx++;
	__atomic_store_n(&q->used->idx, q->used_idx, __ATOMIC_RELEASE);
	if (in) {
		__atomic_store_n(&in->desc[head].inflight, 0, __ATOMIC_RELEASE);
		__atomic_store_n(&in->used_idx, q->used_idx, __ATOMIC_RELEASE);
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	bool notify;
	if (q->event_idx) {
		uint16_t ev = rd16(&q->avail->ring[q->num]);
		uint16_t ref = q->signalled_valid ? q->signalled_used : old;
		notify =
			!q->signalled_valid || need_event(ev, q->used_idx, ref);
		q->signalled_used = q->used_idx;
		q->signalled_valid = true;
	} else {
		notify = !(rd16(&q->avail->flags) & VQ_AVAIL_F_NO_INTERRUPT);
	}
	if (q->inflight == 0)
		pthread_cond_broadcast(&q->idle);
	return notify;
}

bool vq_enable_notify(struct vq *q)
{
	if (!q->avail || q->broken)
		return false;
	if (q->event_idx) {
		volatile uint16_t *ae =
			(volatile uint16_t *)&q->used->ring[q->num];
		__atomic_store_n(ae, q->last_avail, __ATOMIC_RELEASE);
	} else {
		__atomic_store_n(&q->used->flags, 0, __ATOMIC_RELEASE);
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return rd16(&q->avail->idx) != q->last_avail;
}

/* ---------------------------------------------------------------------- */
/* iovec byte streams                                                      */
/* ---------------------------------------------------------------------- */

typedef void (*iov_fn)(void *iov_ptr, void *buf, size_t len, int c);

static size_t iov_walk(const struct iovec *iov, unsigned int n, size_t off,
		       uint8_t *buf, size_t len, int mode, int c)
{
	size_t done = 0;
	for (unsigned int i = 0; i < n && done < len; i++) {
		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		size_t chunk = iov[i].iov_len - off;
		if (chunk > len - done)
			chunk = len - done;
		uint8_t *p = (uint8_t *)iov[i].iov_base + off;
		if (mode == 0)
			memcpy(buf + done, p, chunk);
		else if (mode == 1)
			memcpy(p, buf + done, chunk);
		else
			memset(p, c, chunk);
		done += chunk;
		off = 0;
	}
	return done;
}

size_t iov_copy_from(const struct iovec *iov, unsigned int n, size_t off,
		     void *dst, size_t len)
{
	return iov_walk(iov, n, off, dst, len, 0, 0);
}

size_t iov_copy_to(const struct iovec *iov, unsigned int n, size_t off,
		   const void *src, size_t len)
{
	return iov_walk(iov, n, off, (uint8_t *)src, len, 1, 0);
}

size_t iov_fill(const struct iovec *iov, unsigned int n, size_t off, int c,
		size_t len)
{
	return iov_walk(iov, n, off, NULL, len, 2, c);
}
