// SPDX-License-Identifier: Apache-2.0
#include "address.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/vm_sockets.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int parse_port(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_unix(const char *path, struct rpc_addr *a, const char **why)
{
	struct sockaddr_un *un = (struct sockaddr_un *)&a->ss;
	size_t n = strlen(path);
	un->sun_family = AF_UNIX;
	if (path[0] == '@') {
		/* abstract: a leading NUL, then the name (not terminated) */
		if (n < 2 || n > sizeof(un->sun_path)) {
			*why = "abstract socket name empty or too long";
			return -EINVAL;
		}
		un->sun_path[0] = '\0';
		memcpy(un->sun_path + 1, path + 1, n - 1);
		a->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
		a->abstract = true;
		return 0;
	}
	if (!n || n >= sizeof(un->sun_path)) {
		*why = "UNIX socket path empty or too long";
		return -EINVAL;
	}
	memcpy(un->sun_path, path, n + 1);
	a->len = sizeof(*un);
	return 0;
}

/* "CID:PORT" (URI form) or "PORT" (short form: any CID). */
static int parse_vsock(const char *s, bool uri, struct rpc_addr *a,
		       const char **why)
{
	struct sockaddr_vm *vm = (struct sockaddr_vm *)&a->ss;
	unsigned long cid = VMADDR_CID_ANY, port;
	const char *colon = strchr(s, ':');
	*why = uri ? "vsock address is vsock://CID:PORT"
		   : "vsock address is vsock:PORT";
	if (uri) {
		char buf[16];
		if (!colon || (size_t)(colon - s) >= sizeof(buf) ||
		    strchr(colon + 1, ':'))
			return -EINVAL;
		memcpy(buf, s, (size_t)(colon - s));
		buf[colon - s] = '\0';
		if (parse_port(buf, UINT_MAX, &cid) < 0)
			return -EINVAL;
		s = colon + 1;
	} else if (colon) {
		return -EINVAL;
	}
	if (parse_port(s, UINT_MAX, &port) < 0)
		return -EINVAL;
	vm->svm_family = AF_VSOCK;
	vm->svm_cid = (unsigned int)cid;
	vm->svm_port = (unsigned int)port;
	a->len = sizeof(*vm);
	return 0;
}

/* "HOST:PORT", HOST possibly "[v6]" or a name. */
static int parse_tcp(const char *s, struct rpc_addr *a, const char **why)
{
	char host[256];
	const char *colon = strrchr(s, ':');
	unsigned long port;
	*why = "TCP address is HOST:PORT";
	if (!colon || colon == s || (size_t)(colon - s) >= sizeof(host) ||
	    parse_port(colon + 1, 65535, &port) < 0 || port == 0)
		return -EINVAL;
	const char *h = s;
	size_t hl = (size_t)(colon - s);
	if (h[0] == '[' && h[hl - 1] == ']') {
		h++;
		hl -= 2;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
				 .ai_family = AF_UNSPEC};
	struct addrinfo *res = NULL;
	if (getaddrinfo(host, colon + 1, &hints, &res) || !res) {
		*why = "cannot resolve the TCP host";
		return -EINVAL;
	}
	memcpy(&a->ss, res->ai_addr, res->ai_addrlen);
	a->len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

int rpc_addr_parse(const char *s, struct rpc_addr *a, const char **why)
{
	memset(a, 0, sizeof(*a));
	*why = "address is unix:PATH, vsock:PORT, tcp:HOST:PORT or "
	       "unix:///PATH, vsock://CID:PORT, tcp://HOST:PORT";
	if (!s)
		return -EINVAL;
	snprintf(a->text, sizeof(a->text), "%s", s);
	const char *sep = strstr(s, "://");
	bool uri = sep != NULL;
	size_t sl = uri ? (size_t)(sep - s) : strcspn(s, ":");
	const char *rest = uri ? sep + 3 : s + sl + 1;
	if (!uri && !s[sl])
		return -EINVAL;
	if (sl == 4 && !strncmp(s, "unix", 4))
		return parse_unix(rest, a, why);
	if (sl == 5 && !strncmp(s, "vsock", 5))
		return parse_vsock(rest, uri, a, why);
	if (sl == 3 && !strncmp(s, "tcp", 3))
		return parse_tcp(rest, a, why);
	return -EINVAL;
}

int rpc_addr_connect(const struct rpc_addr *a, int timeout_ms)
{
	int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
						 SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	int rc = connect(fd, (const struct sockaddr *)&a->ss, a->len);
	if (rc < 0 && errno == EINPROGRESS) {
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		int r;
		do
			r = poll(&p, 1, timeout_ms > 0 ? timeout_ms : -1);
		while (r < 0 && errno == EINTR);
		int err = 0;
		socklen_t el = sizeof(err);
		if (r == 0)
			err = ETIMEDOUT;
		else if (r < 0)
			err = errno;
		else
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
		errno = err;
		rc = err ? -1 : 0;
	}
	if (rc < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	/* the frame I/O waits with poll(); the socket stays non-blocking */
	rpc_sock_tune(fd);
	return fd;
}

void rpc_sock_tune(int fd)
{
	int sz = RPC_SOCK_BUF, one = 1;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 &&
	    (ss.ss_family == AF_INET || ss.ss_family == AF_INET6))
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static int unlink_stale(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	return unlink(path) < 0 ? -errno : 0;
}

int rpc_addr_listen(const struct rpc_addr *a, int backlog)
{
	const struct sockaddr_un *un = (const struct sockaddr_un *)&a->ss;
	struct rpc_addr any = *a;
	if (a->ss.ss_family == AF_VSOCK) /* a listener binds any CID */
		((struct sockaddr_vm *)&any.ss)->svm_cid = VMADDR_CID_ANY;
	a = &any;
	if (a->ss.ss_family == AF_UNIX && !a->abstract) {
		int rc = unlink_stale(un->sun_path);
		if (rc < 0)
			return rc;
	}
	int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int one = 1;
	if (a->ss.ss_family == AF_INET || a->ss.ss_family == AF_INET6)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0 ||
	    listen(fd, backlog) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}
