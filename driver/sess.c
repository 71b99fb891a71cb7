// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-accel: sessions and resources of an open file.
 *
 * Host ids are allocated per driver and reused as soon as they are free,
 * so a file may only name the ids it created, and an id is destroyed on
 * the host only after the last request naming it has left the device
 * (otherwise a request still queued could reach a session that another
 * file got under the same id). Each object is therefore reference counted:
 * one reference for the file's list, one per request naming it. The final
 * put of an object that still lives on the host sends the destroy command.
 */
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "virtio_accel_drv.h"

void va_file_init(struct va_file *f, struct va_dev *dev)
{
	int k;

	f->dev = dev;
	mutex_init(&f->lock);
	for (k = 0; k < VA_OBJ_KINDS; k++)
		INIT_LIST_HEAD(&f->objs[k]);
}

static u32 va_obj_limit(struct va_dev *dev, enum va_obj_kind kind)
{
	return kind == VA_OBJ_SESSION ? dev->lim.max_sessions :
					dev->lim.max_resources;
}

/* Reserve a slot and an object for a create command (not yet listed). */
struct va_obj *va_obj_new(struct va_file *f, enum va_obj_kind kind)
{
	struct va_obj *obj;

	obj = kzalloc(sizeof(*obj), GFP_KERNEL_ACCOUNT);
	if (!obj)
		return ERR_PTR(-ENOMEM);
	mutex_lock(&f->lock);
	if (f->nr[kind] >= va_obj_limit(f->dev, kind)) {
		mutex_unlock(&f->lock);
		kfree(obj);
		return ERR_PTR(-ENOSPC);
	}
	f->nr[kind]++;
	mutex_unlock(&f->lock);
	kref_init(&obj->ref);
	obj->dev = f->dev;
	obj->kind = kind;
	INIT_LIST_HEAD(&obj->node);
	return obj;
}

/* The host created @id: list it (the list owns the initial reference). */
void va_obj_commit(struct va_file *f, struct va_obj *obj, u64 id)
{
	obj->id = id;
	obj->destroy_on_release = true;
	mutex_lock(&f->lock);
	list_add_tail(&obj->node, &f->objs[obj->kind]);
	mutex_unlock(&f->lock);
}

/* The create failed: give the slot back. */
void va_obj_discard(struct va_file *f, struct va_obj *obj)
{
	mutex_lock(&f->lock);
	f->nr[obj->kind]--;
	mutex_unlock(&f->lock);
	kfree(obj);
}

static struct va_obj *va_obj_find(struct va_file *f, enum va_obj_kind kind,
				  u64 id)
{
	struct va_obj *obj;

	lockdep_assert_held(&f->lock);
	list_for_each_entry(obj, &f->objs[kind], node)
		if (obj->id == id)
			return obj;
	return NULL;
}

/* A live object of this file with @id, with a reference, or NULL. */
struct va_obj *va_obj_lookup(struct va_file *f, enum va_obj_kind kind,
			     u64 id)
{
	struct va_obj *obj;

	if (!id)
		return NULL;
	mutex_lock(&f->lock);
	obj = va_obj_find(f, kind, id);
	if (obj && obj->dying)
		obj = NULL;
	if (obj)
		kref_get(&obj->ref);
	mutex_unlock(&f->lock);
	return obj;
}

static void va_obj_release(struct kref *kref)
{
	struct va_obj *obj = container_of(kref, struct va_obj, ref);

	if (obj->destroy_on_release)
		va_send_destroy(obj->dev, obj->kind, obj->id);
	kfree(obj);
}

/* Process context, never under va_file.lock (may send a command). */
void va_obj_put(struct va_obj *obj)
{
	kref_put(&obj->ref, va_obj_release);
}

/*
 * Start destroying @id: new requests can no longer name it. Returns the
 * object with an extra reference for the destroyer, or NULL.
 */
struct va_obj *va_obj_begin_destroy(struct va_file *f, enum va_obj_kind kind,
				    u64 id)
{
	struct va_obj *obj;

	mutex_lock(&f->lock);
	obj = id ? va_obj_find(f, kind, id) : NULL;
	if (obj && obj->dying)
		obj = NULL;
	if (obj) {
		obj->dying = true;
		kref_get(&obj->ref);
	}
	mutex_unlock(&f->lock);
	return obj;
}

/* Wait until no request names @obj any more (list + destroyer remain). */
int va_obj_wait_idle(struct va_obj *obj)
{
	unsigned int ms = READ_ONCE(va_request_timeout_ms);
	long to = ms ? msecs_to_jiffies(ms) : MAX_SCHEDULE_TIMEOUT;
	long ret;

	ret = wait_event_killable_timeout(obj->dev->obj_wq,
					  kref_read(&obj->ref) <= 2, to);
	if (ret < 0)
		return -EINTR;
	return ret ? 0 : -ETIMEDOUT;
}

/* The destroy command finished; @gone: the host object no longer exists. */
void va_obj_end_destroy(struct va_file *f, struct va_obj *obj, bool gone)
{
	bool drop = false;

	mutex_lock(&f->lock);
	if (gone) {
		list_del_init(&obj->node);
		f->nr[obj->kind]--;
		obj->destroy_on_release = false;
		drop = true;
	} else {
		obj->dying = false;
	}
	mutex_unlock(&f->lock);
	if (drop)
		va_obj_put(obj);	/* the list's; ours remains */
	va_obj_put(obj);
}

/*
 * Requests naming @obj are still with the device: leave its destruction to
 * the last of them (the final put sends the destroy command).
 */
void va_obj_defer_destroy(struct va_file *f, struct va_obj *obj)
{
	mutex_lock(&f->lock);
	list_del_init(&obj->node);
	f->nr[obj->kind]--;
	mutex_unlock(&f->lock);
	va_obj_put(obj);	/* the list's */
	va_obj_put(obj);	/* ours */
}

/* File release: every object of the file is destroyed on the host. */
void va_file_release_objs(struct va_file *f)
{
	struct va_obj *obj, *tmp;
	LIST_HEAD(gone);
	int k;

	mutex_lock(&f->lock);
	for (k = 0; k < VA_OBJ_KINDS; k++) {
		list_for_each_entry(obj, &f->objs[k], node)
			obj->dying = true;
		list_splice_tail_init(&f->objs[k], &gone);
		f->nr[k] = 0;
	}
	mutex_unlock(&f->lock);
	list_for_each_entry_safe(obj, tmp, &gone, node) {
		list_del_init(&obj->node);
		va_obj_put(obj);
	}
}
