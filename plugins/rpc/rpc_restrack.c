// SPDX-License-Identifier: Apache-2.0
/*
 * Resource registrations with the agent's sessions (rpc_restrack.h): a
 * list of resources, each with an array of session ids.
 */
#include "rpc_restrack.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

struct tres {
	struct tres *next;
	int64_t id;
	int64_t *sess;
	size_t nr, cap;
};

static struct tres *resources;

static struct tres *find(int64_t res)
{
	for (struct tres *t = resources; t; t = t->next)
		if (t->id == res)
			return t;
	return NULL;
}

static void unlink_free(struct tres *t)
{
	for (struct tres **pp = &resources; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	free(t->sess);
	free(t);
}

static bool has(const struct tres *t, int64_t sess)
{
	for (size_t i = 0; i < t->nr; i++)
		if (t->sess[i] == sess)
			return true;
	return false;
}

static int grow(struct tres *t)
{
	size_t cap = t->cap ? 2 * t->cap : 4;
	int64_t *n = realloc(t->sess, cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	t->sess = n;
	t->cap = cap;
	return 0;
}

int restrack_add(int64_t res, int64_t sess)
{
	struct tres *t = find(res);
	if (!t) {
		t = calloc(1, sizeof(*t));
		if (!t)
			return -ENOMEM;
		t->id = res;
		t->next = resources;
		resources = t;
	}
	if (has(t, sess))
		return 0;
	if (t->nr == t->cap && grow(t) < 0) {
		if (!t->nr)
			unlink_free(t);
		return -ENOMEM;
	}
	t->sess[t->nr++] = sess;
	return 0;
}

static void del_in(struct tres *t, int64_t sess)
{
	for (size_t i = 0; i < t->nr; i++)
		if (t->sess[i] == sess) {
			t->sess[i] = t->sess[--t->nr];
			return;
		}
}

void restrack_del(int64_t res, int64_t sess)
{
	struct tres *t = find(res);
	if (t)
		del_in(t, sess);
}

int64_t *restrack_take(int64_t res, size_t *n)
{
	struct tres *t = find(res);
	int64_t *s = NULL;
	*n = 0;
	if (!t)
		return NULL;
	if (t->nr) {
		s = t->sess;
		*n = t->nr;
		t->sess = NULL;
	}
	unlink_free(t);
	return s;
}

void restrack_drop_session(int64_t sess)
{
	for (struct tres *t = resources; t; t = t->next)
		del_in(t, sess);
}

void restrack_clear(void)
{
	while (resources)
		unlink_free(resources);
}
