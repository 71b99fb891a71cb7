// SPDX-License-Identifier: Apache-2.0
#include "frontend.h"

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "commands.h"
#include "log.h"

/* epoll data of the two internal eventfds (queue events carry the index) */
#define EV_WAKE	 UINT64_MAX
#define EV_RETRY (UINT64_MAX - 1)

#define DRAIN_BATCH 64

/* ---------------------------------------------------------------------- */
/* completion                                                              */
/* ---------------------------------------------------------------------- */

static void wake(int fd)
{
	uint64_t one = 1;
	ssize_t w = write(fd, &one, sizeof(one));
	(void)w;
}

void frontend_complete(struct job *j, uint32_t used)
{
	struct frontend *fe = j->fe;
	struct vq *q = j->q;
	pthread_mutex_lock(&q->lock);
	bool notify = vq_push(q, j->e.head, used);
	bool rearm = q->throttled;
	q->throttled = false;
	pthread_mutex_unlock(&q->lock);
	/* the guest's eventfds are written with no lock of the queue held */
	if (notify)
		vq_notify(q);
	vq_mem_put(j->mem);
	job_free(&fe->pool, j);
	if (atomic_exchange(&fe->held_back, false))
		rearm = true;
	if (rearm)
		wake(fe->retry_fd);
}

/* ---------------------------------------------------------------------- */
/* the kick thread                                                         */
/* ---------------------------------------------------------------------- */

/*
 * Requests that run on the kick thread instead of a worker: chains that
 * failed validation in vq_pop, chains too short to hold a header, and
 * OP/NOOP without arguments. Their cost is bounded and tiny (NOOP measures
 * bare dispatch), and skipping the hand-off saves one thread wake-up per
 * request. Everything else - plugin work, resource copies, segment
 * resolution - goes to the workers, so a slow op never blocks the rings
 * of its front-end. The header is copied here, once: request_run parses
 * that copy, so a guest rewriting it meanwhile changes nothing.
 */
static bool classify(struct job *j)
{
	j->have_hdr = !j->bad && j->e.in_len >= sizeof(j->hdr) &&
		      iov_copy_from(j->e.in, j->e.nr_in, 0, &j->hdr,
				    sizeof(j->hdr)) == sizeof(j->hdr);
	if (!j->have_hdr)
		return true;
	return le16toh(j->hdr.cmd) == VIRTIO_ACCEL_CMD_OP &&
	       j->hdr.param == 0 && j->hdr.nr_read == 0 &&
	       j->hdr.nr_write == 0;
}

/* A job for the next chain, or NULL when the job budget is used up (the
 * ring is then drained again after a completion). */
static struct job *take_job(struct frontend *fe)
{
	struct job *j = job_alloc(&fe->pool);
	if (j)
		return j;
	atomic_store(&fe->held_back, true);
	/* a completion between the two calls saw no flag: try once more */
	return job_alloc(&fe->pool);
}

/* Pop up to DRAIN_BATCH chains (q->lock held): inline ones onto *local,
 * the rest to the workers. Returns the number popped; *broken when the
 * ring turned out corrupted. */
static unsigned int pop_batch(struct frontend *fe, struct vq *q,
			      struct vq_mem *mem, struct job ***tail,
			      bool *broken)
{
	unsigned int popped = 0;
	q->throttled = false;
	while (popped < DRAIN_BATCH) {
		struct job *j = take_job(fe);
		if (!j) {
			q->throttled = true;
			break;
		}
		int rc = vq_pop(q, mem, &j->e, &j->bad);
		if (rc <= 0) {
			job_free(&fe->pool, j);
			/* a queue refused a job while this spare one was out:
			 * its kick thread waits for a completion, none may come */
			if (atomic_exchange(&fe->held_back, false))
				wake(fe->retry_fd);
			*broken = rc < 0;
			break;
		}
		popped++;
		j->fe = fe;
		j->q = q;
		j->mem = vq_mem_get(mem);
		j->next = NULL;
		if (classify(j)) {
			**tail = j;
			*tail = &j->next;
		} else {
			pool_submit(&fe->pool, j);
		}
	}
	return popped;
}

static void drain_queue(struct frontend *fe, struct vq *q)
{
	struct vq_mem *mem = vu_mem_get(&fe->vu);
	vq_kick_clear(q);
	for (;;) {
		struct job *local = NULL, **tail = &local;
		bool broken = false, again;
		pthread_mutex_lock(&q->lock);
		unsigned int popped = pop_batch(fe, q, mem, &tail, &broken);
		if (popped)
			again = true;
		else
			again = !q->throttled && q->started && q->enabled &&
				vq_enable_notify(q);
		pthread_mutex_unlock(&q->lock);
		if (broken) {
			LOG_ERR("frontend %u: queue %u is corrupted; stopped",
				fe->id, q->index);
			vq_notify_error(q);
		}
		while (local) {
			struct job *j = local;
			local = j->next;
			request_run(j); /* completes it */
		}
		if (!again)
			break;
	}
	vq_mem_put(mem);
}

/* A kick fd that can no longer signal (a pipe whose writers are gone):
 * stop watching it rather than spin; a new SET_VRING_KICK restarts. */
static void kick_hangup(struct frontend *fe, struct vq *q, int epfd)
{
	pthread_mutex_lock(&q->fd_lock);
	if (q->kick_fd >= 0)
		epoll_ctl(epfd, EPOLL_CTL_DEL, q->kick_fd, NULL);
	pthread_mutex_unlock(&q->fd_lock);
	LOG_ERR("frontend %u: queue %u: kick fd hung up; not watched until "
		"the next SET_VRING_KICK",
		fe->id, q->index);
}

static void drain_all(struct frontend *fe)
{
	for (unsigned int k = 0; k < fe->vu.nr_queues; k++)
		drain_queue(fe, &fe->vu.vq[k]);
}

static void *kick_main(void *arg)
{
	struct kick_thread *kt = arg;
	struct frontend *fe = kt->fe;
	struct vq *q = &fe->vu.vq[kt->idx];
	struct epoll_event ev[4];
	for (;;) {
		int n = epoll_wait(kt->epfd, ev, 4, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		for (int i = 0; i < n; i++) {
			uint64_t what = ev[i].data.u64;
			if (what == EV_WAKE)
				return NULL;
			if (what == EV_RETRY) {
				/* room again, or a ring started: whoever
				 * reads it looks at every ring */
				uint64_t v;
				if (read(fe->retry_fd, &v, sizeof(v)) > 0)
					drain_all(fe);
				continue;
			}
			if (ev[i].events & (EPOLLHUP | EPOLLERR))
				kick_hangup(fe, q, kt->epfd);
			drain_queue(fe, q);
		}
	}
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* device hooks (struct vu_iface)                                          */
/* ---------------------------------------------------------------------- */

static void q_start(struct vu_dev *dev, unsigned int idx)
{
	struct frontend *fe = dev->opaque;
	struct vq *q = &dev->vq[idx];
	pthread_mutex_lock(&q->lock);
	unsigned int again = q->nr_resubmit;
	pthread_mutex_unlock(&q->lock);
	pthread_mutex_lock(&q->fd_lock);
	int fd = q->kick_fd;
	if (fd >= 0) {
		int epfd = fe->kick[idx].epfd;
		struct epoll_event ev = {.events = EPOLLIN, .data.u64 = idx};
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 &&
		    errno == EEXIST)
			epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev);
	}
	pthread_mutex_unlock(&q->fd_lock);
	if (fd < 0)
		return;
	if (again)
		LOG_INFO("frontend %u: queue %u: %u requests that a previous "
			 "back-end took but never completed run again",
			 fe->id, idx, again);
	/* the driver may have queued buffers before the ring started: have
	 * the kick thread look (without touching the guest's kick fd) */
	wake(fe->retry_fd);
	LOG_DBG("frontend %u: queue %u started", fe->id, idx);
}

static void q_stop(struct vu_dev *dev, unsigned int idx)
{
	struct frontend *fe = dev->opaque;
	struct vq *q = &dev->vq[idx];
	pthread_mutex_lock(&q->fd_lock);
	if (q->kick_fd >= 0)
		epoll_ctl(fe->kick[idx].epfd, EPOLL_CTL_DEL, q->kick_fd, NULL);
	pthread_mutex_unlock(&q->fd_lock);
}

static uint64_t features_of(const struct device_opts *o)
{
	uint64_t f = (1ull << VIRTIO_ACCEL_F_SEGMENTS) |
		     (1ull << VIRTIO_ACCEL_F_RESOURCES) |
		     (1ull << VIRTIO_ACCEL_F_TIMERS) |
		     (1ull << VIRTIO_ACCEL_F_MODELS);
	if (o->queues > 1)
		f |= 1ull << VIRTIO_ACCEL_F_MQ;
	return f;
}

static uint64_t dev_features(struct vu_dev *dev)
{
	struct frontend *fe = dev->opaque;
	return features_of(fe->o);
}

static int dev_get_config(struct vu_dev *dev, uint8_t *buf, uint32_t off,
			  uint32_t len)
{
	struct frontend *fe = dev->opaque;
	const struct device_opts *o = fe->o;
	struct virtio_accel_config c;
	memset(&c, 0, sizeof(c));
	c.version_min = htole16(o->lim.version_min);
	c.version_max = htole16(o->lim.version_max);
	c.num_queues = htole16((uint16_t)o->queues);
	c.status = htole32(o->ready ? VIRTIO_ACCEL_S_HW_READY : 0);
	c.max_args = htole32(o->lim.max_args);
	c.max_segments = htole32(o->lim.max_segments);
	c.max_table_entries = htole32(o->lim.max_table_entries);
	c.max_inline_bytes = htole32(o->lim.max_inline_bytes);
	c.max_blobs = htole32(o->lim.max_blobs);
	c.max_arg_size = htole64(o->lim.max_arg_size);
	c.max_request_bytes = htole64(o->lim.max_request_bytes);
	c.max_sessions = htole32(o->max_sessions);
	c.max_resources = htole32(o->max_resources);
	c.max_timer_bytes = htole32(o->lim.max_timer_bytes);
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

/* ---------------------------------------------------------------------- */
/* lifetime                                                                */
/* ---------------------------------------------------------------------- */

static int epoll_add(int epfd, int fd, uint64_t data)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = data};
	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

static int start_kick_threads(struct frontend *fe)
{
	for (unsigned int i = 0; i < fe->vu.nr_queues; i++) {
		struct kick_thread *kt = &fe->kick[i];
		kt->fe = fe;
		kt->idx = i;
		kt->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (kt->epfd < 0 || epoll_add(kt->epfd, fe->wake_fd, EV_WAKE) ||
		    epoll_add(kt->epfd, fe->retry_fd, EV_RETRY) ||
		    pthread_create(&kt->th, NULL, kick_main, kt))
			return -1;
		kt->running = true;
	}
	return 0;
}

static void stop_kick_threads(struct frontend *fe)
{
	wake(fe->wake_fd);
	for (unsigned int i = 0; i < VU_MAX_QUEUES; i++) {
		struct kick_thread *kt = &fe->kick[i];
		if (kt->running)
			pthread_join(kt->th, NULL);
		if (kt->epfd > 0)
			close(kt->epfd);
		kt->running = false;
	}
}

static int setup(struct frontend *fe, int sock, unsigned int id,
		 const struct device_opts *o)
{
	memset(fe, 0, sizeof(*fe));
	fe->id = id;
	fe->o = o;
	fe->sock = sock;
	fe->lim = o->lim;
	fe->lim.features = 0; /* until SET_FEATURES */
	fe->wake_fd = eventfd(0, EFD_CLOEXEC);
	fe->retry_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fe->wake_fd < 0 || fe->retry_fd < 0)
		return -1;
	if (objects_init(&fe->objs, o->max_sessions, o->max_resources,
			 o->max_resource_bytes) < 0)
		return -1;
	argmem_init(&fe->mem, o->max_inflight_bytes, o->max_view_maps);
	if (vu_dev_init(&fe->vu, sock, o->queues, &accel_iface, fe) < 0)
		return -1;
	fe->vu.require_sealed = o->require_sealed;
	if (pool_start(&fe->pool, o->workers, o->max_inflight_reqs,
		       request_run) < 0)
		return -1;
	return start_kick_threads(fe);
}

/* Stop every ring and wait for the requests taken from them. */
static void quiesce(struct frontend *fe)
{
	for (unsigned int i = 0; i < fe->vu.nr_queues; i++) {
		struct vq *q = &fe->vu.vq[i];
		q_stop(&fe->vu, i);
		pthread_mutex_lock(&q->lock);
		q->started = false;
		while (q->inflight > 0)
			pthread_cond_wait(&q->idle, &q->lock);
		pthread_mutex_unlock(&q->lock);
	}
}

static void release(struct frontend *fe)
{
	uint32_t ns, nr;
	objects_release_all(&fe->objs, &ns, &nr);
	LOG_INFO("frontend %u disconnected: released %u sessions, %u "
		 "resources; %" PRIu64 " requests, %" PRIu64 " errors",
		 fe->id, ns, nr, (uint64_t)fe->nr_requests,
		 (uint64_t)fe->nr_errors);
	/* the rings are stopped: no view is in use any more */
	struct view_cache_stats vs;
	argmem_flush(&fe->mem, &vs);
	stats_line("event=disconnect frontend=%u sessions_released=%u "
		   "resources_released=%u requests=%" PRIu64 " errors=%" PRIu64
		   " views_built=%" PRIu64 " views_reused=%" PRIu64
		   " views_refused=%" PRIu64 " views_deferred=%" PRIu64 " \n",
		   fe->id, ns, nr, (uint64_t)fe->nr_requests,
		   (uint64_t)fe->nr_errors, vs.misses - vs.refused, vs.hits,
		   vs.refused, vs.deferred);
}

int frontend_serve(int sock, unsigned int id, const struct device_opts *o)
{
	static struct frontend fe; /* one per process; large (rings) */
	if (setup(&fe, sock, id, o) < 0) {
		LOG_ERR("frontend %u: cannot set up: %s", id, strerror(errno));
		return -1;
	}
	LOG_INFO("frontend %u connected", id);
	while (vu_dispatch(&fe.vu) == 0) {
		if (fe.vu.errbuf[0])
			LOG_ERR("frontend %u: %s", id, fe.vu.errbuf);
	}
	if (fe.vu.errbuf[0])
		LOG_ERR("frontend %u: %s", id, fe.vu.errbuf);
	quiesce(&fe);
	stop_kick_threads(&fe);
	/* jobs queued by a last drain may still be running */
	quiesce(&fe);
	pool_stop(&fe.pool);
	release(&fe);
	vu_dev_destroy(&fe.vu);
	argmem_destroy(&fe.mem);
	objects_destroy(&fe.objs);
	close(fe.wake_fd);
	close(fe.retry_fd);
	close(sock);
	return 0;
}
