// SPDX-License-Identifier: Apache-2.0
#include "rpc_listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

#define LISTEN_BACKLOG 64

static bool is_tcp(const struct rpc_addr *a)
{
	return a->ss.ss_family == AF_INET || a->ss.ss_family == AF_INET6;
}

/* "ADDR" or "ADDR/BITS", IPv4 or IPv6. */
static int parse_net(const char *s, struct rpc_net *n)
{
	char buf[INET6_ADDRSTRLEN + 8];
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	char *slash = strchr(buf, '/');
	long bits = -1;
	if (slash) {
		char *end;
		*slash = '\0';
		errno = 0;
		bits = strtol(slash + 1, &end, 10);
		if (errno || *end || end == slash + 1 || bits < 0 || bits > 128)
			return -1;
	}
	memset(n, 0, sizeof(*n));
	if (inet_pton(AF_INET, buf, n->addr) == 1) {
		n->family = AF_INET;
		n->bits = bits < 0 ? 32 : (unsigned int)bits;
		return n->bits <= 32 ? 0 : -1;
	}
	if (inet_pton(AF_INET6, buf, n->addr) == 1) {
		n->family = AF_INET6;
		n->bits = bits < 0 ? 128 : (unsigned int)bits;
		return n->bits <= 128 ? 0 : -1;
	}
	return -1;
}

static bool prefix_match(const uint8_t *a, const uint8_t *b, unsigned int bits)
{
	unsigned int full = bits / 8, rest = bits % 8;
	if (memcmp(a, b, full))
		return false;
	if (!rest)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (a[full] & mask) == (b[full] & mask);
}

static bool net_has(const struct rpc_net *n, int family, const uint8_t *a)
{
	return n->family == family && prefix_match(n->addr, a, n->bits);
}

static int open_one(struct rpc_listener *l, const char *text)
{
	const char *why;
	if (rpc_addr_parse(text, &l->addr, &why) < 0) {
		LOG_ERR("--rpc-listen %s: %s", text, why);
		return -1;
	}
	l->fd = rpc_addr_listen(&l->addr, LISTEN_BACKLOG);
	if (l->fd < 0) {
		LOG_ERR("--rpc-listen %s: cannot listen: %s", text,
			strerror(-l->fd));
		return -1;
	}
	return 0;
}

int rpc_listeners_open(const struct device_opts *o, struct rpc_listeners *ls)
{
	memset(ls, 0, sizeof(*ls));
	for (unsigned int i = 0; i < o->nr_rpc_allow; i++) {
		if (parse_net(o->rpc_allow[i], &ls->allow[i]) < 0) {
			LOG_ERR("--rpc-allow %s: not ADDR[/BITS]",
				o->rpc_allow[i]);
			return -1;
		}
		ls->nr_allow++;
	}
	for (unsigned int i = 0; i < o->nr_rpc_listen; i++) {
		struct rpc_listener *l = &ls->l[ls->nr];
		l->fd = -1;
		if (open_one(l, o->rpc_listen[i]) < 0)
			goto fail;
		ls->nr++;
		if (is_tcp(&l->addr) && !ls->nr_allow) {
			LOG_ERR("--rpc-listen %s: TCP needs --rpc-allow (the "
				"stream is not encrypted; say who may connect)",
				o->rpc_listen[i]);
			goto fail;
		}
	}
	return 0;
fail:
	rpc_listeners_close(ls);
	return -1;
}

void rpc_listeners_close(struct rpc_listeners *ls)
{
	for (unsigned int i = 0; i < ls->nr; i++) {
		struct rpc_listener *l = &ls->l[i];
		const struct sockaddr_un *un =
			(const struct sockaddr_un *)&l->addr.ss;
		if (l->fd >= 0)
			close(l->fd);
		l->fd = -1;
		if (un->sun_family == AF_UNIX && !l->addr.abstract)
			unlink(un->sun_path);
	}
	ls->nr = 0;
}

/* The peer's address as (family, bytes), IPv4-mapped IPv6 as IPv4. */
static int peer_of(int cfd, int *family, uint8_t a[16], char *who,
		   size_t who_len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (getpeername(cfd, (struct sockaddr *)&ss, &sl) < 0)
		return -1;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;
		*family = AF_INET;
		memcpy(a, &in->sin_addr, 4);
	} else if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 =
			(const struct sockaddr_in6 *)&ss;
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			*family = AF_INET;
			memcpy(a, in6->sin6_addr.s6_addr + 12, 4);
		} else {
			*family = AF_INET6;
			memcpy(a, in6->sin6_addr.s6_addr, 16);
		}
	} else {
		return -1;
	}
	inet_ntop(*family, a, who, (socklen_t)who_len);
	return 0;
}

bool rpc_peer_allowed(const struct rpc_listeners *ls,
		      const struct rpc_listener *l, int cfd, char *who,
		      size_t who_len)
{
	snprintf(who, who_len, "%s", l->addr.text);
	if (!is_tcp(&l->addr))
		return true;
	int family;
	uint8_t a[16];
	if (peer_of(cfd, &family, a, who, who_len) < 0)
		return false;
	for (unsigned int i = 0; i < ls->nr_allow; i++)
		if (net_has(&ls->allow[i], family, a))
			return true;
	return false;
}
