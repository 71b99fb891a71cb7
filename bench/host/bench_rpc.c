// SPDX-License-Identifier: Apache-2.0
/*
 * vAccel RPC benchmarks, against the real daemon (--rpc-listen on a UNIX
 * socket) with the RPC client of rpc/client.h:
 *
 *   rpc_noop_rtt        one Genop NOOP call round trip, median per call;
 *                       baseline: a ping-pong of the same request and
 *                       response sizes over a UNIX socketpair between two
 *                       processes with the same frame I/O (the floor any
 *                       socket transport has); rounds interleaved
 *   rpc_noop_rtt_vs_vhost  the same median against daemon_noop_rtt (the
 *                       vhost-user path: the harness VMM's OP/NOOP on the
 *                       same daemon), rounds interleaved
 *   rpc_arg_256MiB      throughput of an op that reads a 256 MiB argument
 *                       sent by value (Genop EXEC_WITH_RESOURCE of a
 *                       summing function, the exec plugin); baseline:
 *                       memcpy of the same size
 *
 * usage: bench_rpc DAEMON NOOP_PLUGIN EXEC_PLUGIN SUM_LIB
 */
#include "bench_util.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"
#include "envelope.h"
#include "frame.h"
#include "genop.pb-c.h"
#include "resource.pb-c.h"
#include "session.pb-c.h"
#include "vmm.h"
#include "vmm_rounds.h"

#define RTT_ROUNDS 15
#define RTT_BATCH  2000
#define ARG_ROUNDS 5
#define CALL_MS	   60000

enum {
	T_UINT8 = 9,
	T_INT64 = 7,
	T_UINT64 = 15,
	T_STRING = 27,
	T_BUFFER = 28,
	OP_NOOP = 0,
	OP_EXEC_WITH_RESOURCE = 2,
};

static void die(const char *what)
{
	fprintf(stderr, "bench_rpc: %s\n", what);
	exit(1);
}

/* ---- the RPC client side ----------------------------------------------- */

static void rpc_open(struct rpc_client *c, const char *addr)
{
	const char *why = NULL;
	for (int i = 0; i < 500; i++) {
		if (rpc_client_open(c, addr, 1000, &why) == 0)
			return;
		usleep(10000);
	}
	die(why ? why : "cannot connect to the daemon's RPC socket");
}

static ProtobufCMessage *call(struct rpc_client *c, const char *m,
			      const ProtobufCMessage *req,
			      const ProtobufCMessageDescriptor *d)
{
	ProtobufCMessage *resp = NULL;
	struct rpc_status st;
	if (rpc_client_call(c, m, req, d, &resp, &st, CALL_MS) < 0 || st.code)
		die(m);
	return resp;
}

static int64_t rpc_session(struct rpc_client *c)
{
	Vaccel__Session__CreateRequest q = VACCEL__SESSION__CREATE_REQUEST__INIT;
	Vaccel__Session__CreateResponse *r = (void *)call(
		c, RPC_M_CREATE_SESSION, &q.base,
		&vaccel__session__create_response__descriptor);
	int64_t id = r->session_id;
	protobuf_c_message_free_unpacked(&r->base, NULL);
	return id;
}

static uint8_t op_byte;
static Vaccel__Genop__Arg op_arg = VACCEL__GENOP__ARG__INIT;
static Vaccel__Genop__Arg *noop_args[] = {&op_arg};

static void noop_req(Vaccel__Genop__Request *q, int64_t s)
{
	vaccel__genop__request__init(q);
	op_byte = OP_NOOP;
	op_arg.buf = (ProtobufCBinaryData){1, &op_byte};
	op_arg.size = 1;
	op_arg.arg_type = T_UINT8;
	q->session_id = s;
	q->read_args = noop_args;
	q->n_read_args = 1;
}

static double rpc_noop_round(struct rpc_client *c, int64_t s)
{
	Vaccel__Genop__Request q;
	noop_req(&q, s);
	uint64_t t0 = bench_now_ns();
	for (int i = 0; i < RTT_BATCH; i++) {
		ProtobufCMessage *r = call(c, RPC_M_GENOP, &q.base,
					   &vaccel__genop__response__descriptor);
		protobuf_c_message_free_unpacked(r, NULL);
	}
	return (double)(bench_now_ns() - t0) / RTT_BATCH / 1000.0;
}

/* ---- the floor: a socketpair ping-pong of the same sizes ---------------- */

static int floor_fd = -1;
static pid_t ponger;
static size_t req_len, resp_len;

static void floor_sizes(int64_t s)
{
	Vaccel__Genop__Request q;
	Vaccel__Genop__Response r = VACCEL__GENOP__RESPONSE__INIT;
	noop_req(&q, s);
	uint8_t *f = rpc_build_request(1, RPC_SERVICE_SYNC, RPC_M_GENOP,
				       &q.base, RPC_MAX_MESSAGE_COMPAT,
				       &req_len);
	free(f);
	f = rpc_build_response(1, 0, NULL, 0, &r.base, RPC_MAX_MESSAGE_COMPAT,
			       &resp_len);
	free(f);
}

static void floor_start(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		die("socketpair");
	ponger = fork();
	if (ponger < 0)
		die("fork");
	if (ponger == 0) {
		static uint8_t buf[4096];
		close(sv[0]);
		for (;;) {
			if (rpc_read_full(sv[1], buf, req_len, 0) ||
			    rpc_write_full(sv[1], buf, resp_len, 0))
				_exit(0);
		}
	}
	close(sv[1]);
	floor_fd = sv[0];
}

static double floor_round(void)
{
	static uint8_t buf[4096];
	uint64_t t0 = bench_now_ns();
	for (int i = 0; i < RTT_BATCH; i++)
		if (rpc_write_full(floor_fd, buf, req_len, 0) ||
		    rpc_read_full(floor_fd, buf, resp_len, 0))
			die("floor ping-pong");
	return (double)(bench_now_ns() - t0) / RTT_BATCH / 1000.0;
}

static void floor_stop(void)
{
	close(floor_fd);
	kill(ponger, SIGKILL);
	waitpid(ponger, NULL, 0);
}

/* ---- the vhost-user path on the same daemon ----------------------------- */

static void bench_noop(const char *noop_plugin)
{
	static struct daemon d;
	static struct vmm v;
	char addr[400];
	static const char *extra[] = {"--rpc-listen", NULL, NULL};
	char tmp[300];
	snprintf(tmp, sizeof(tmp), "/tmp/bench-rpc-%d.sock", (int)getpid());
	snprintf(addr, sizeof(addr), "unix:%s", tmp);
	extra[1] = addr;
	if (daemon_start(&d, noop_plugin, extra) < 0 ||
	    vmm_connect_q(&v, d.sock, 64u << 20, 1) < 0)
		die("cannot start/connect the daemon");
	struct rpc_client c;
	rpc_open(&c, addr);
	int64_t s = rpc_session(&c);
	uint64_t vs = vmm_session(&v);
	floor_sizes(s);
	floor_start();
	double fl[RTT_ROUNDS], rp[RTT_ROUNDS], vh[RTT_ROUNDS];
	floor_round();
	rpc_noop_round(&c, s);
	vmm_noop_round(&v, vs, RTT_BATCH);
	for (int r = 0; r < RTT_ROUNDS; r++) {
		fl[r] = floor_round();
		rp[r] = rpc_noop_round(&c, s);
		vh[r] = vmm_noop_round(&v, vs, RTT_BATCH);
	}
	floor_stop();
	double mr = bench_median(rp, RTT_ROUNDS);
	bench_print("rpc_noop_rtt", mr, bench_median(fl, RTT_ROUNDS), "us");
	bench_print("rpc_noop_rtt_vs_vhost", mr, bench_median(vh, RTT_ROUNDS),
		    "us");
	rpc_client_close(&c);
	vmm_disconnect(&v);
	daemon_stop(&d);
}

/* ---- a 256 MiB argument by value ---------------------------------------- */

static int64_t register_lib(struct rpc_client *c, int64_t s, const char *path)
{
	uint8_t *so = NULL;
	uint64_t len = vmm_read_file(path, &so);
	if (!len)
		die("cannot read the sum library");
	Vaccel__Resource__Blob b = VACCEL__RESOURCE__BLOB__INIT;
	Vaccel__Resource__Blob *bp[] = {&b};
	Vaccel__Resource__RegisterRequest q =
		VACCEL__RESOURCE__REGISTER_REQUEST__INIT;
	b.type_ = RPC_BLOB_MAPPED;
	b.name = "libbench_sum.so";
	b.data = (ProtobufCBinaryData){len, so};
	b.size = (uint32_t)len;
	q.blobs = bp;
	q.n_blobs = 1;
	q.session_id = s;
	Vaccel__Resource__RegisterResponse *r = (void *)call(
		c, RPC_M_REGISTER_RESOURCE, &q.base,
		&vaccel__resource__register_response__descriptor);
	int64_t id = r->resource_id;
	protobuf_c_message_free_unpacked(&r->base, NULL);
	free(so);
	return id;
}

static double sum_round(struct rpc_client *c, int64_t s, int64_t res,
			uint8_t *buf, size_t len)
{
	static uint8_t op = OP_EXEC_WITH_RESOURCE;
	Vaccel__Genop__Arg a[5];
	for (int i = 0; i < 5; i++)
		vaccel__genop__arg__init(&a[i]);
	a[0] = (Vaccel__Genop__Arg)VACCEL__GENOP__ARG__INIT;
	a[0].buf = (ProtobufCBinaryData){1, &op};
	a[0].size = 1;
	a[0].arg_type = T_UINT8;
	a[1].buf = (ProtobufCBinaryData){8, (uint8_t *)&res};
	a[1].size = 8;
	a[1].arg_type = T_INT64;
	a[2].buf = (ProtobufCBinaryData){10, (uint8_t *)"bench_sum"};
	a[2].size = 10;
	a[2].arg_type = T_STRING;
	a[3].buf = (ProtobufCBinaryData){len, buf};
	a[3].size = (uint32_t)len;
	a[3].arg_type = T_BUFFER;
	a[4].size = 8; /* sized: the sum comes back */
	a[4].arg_type = T_UINT64;
	Vaccel__Genop__Arg *rd[] = {&a[0], &a[1], &a[2], &a[3]};
	Vaccel__Genop__Arg *wr[] = {&a[4]};
	Vaccel__Genop__Request q = VACCEL__GENOP__REQUEST__INIT;
	q.session_id = s;
	q.read_args = rd;
	q.n_read_args = 4;
	q.write_args = wr;
	q.n_write_args = 1;
	uint64_t t0 = bench_now_ns();
	Vaccel__Genop__Response *r = (void *)call(
		c, RPC_M_GENOP, &q.base, &vaccel__genop__response__descriptor);
	double sec = (double)(bench_now_ns() - t0) / 1e9;
	if (r->n_write_args != 1 || r->write_args[0]->buf.len != 8)
		die("EXEC_WITH_RESOURCE (sum): no result");
	protobuf_c_message_free_unpacked(&r->base, NULL);
	return (double)len / (1 << 20) / sec;
}

static double memcpy_round(uint8_t *dst, const uint8_t *src, size_t len)
{
	uint64_t t0 = bench_now_ns();
	memcpy(dst, src, len);
	__asm__ volatile("" ::"r"(dst) : "memory");
	return (double)len / (1 << 20) / ((double)(bench_now_ns() - t0) / 1e9);
}

static void bench_arg(const char *exec_plugin, const char *sum_lib)
{
	static struct daemon d;
	char addr[400];
	static const char *extra[] = {"--rpc-listen", NULL, NULL};
	snprintf(addr, sizeof(addr), "unix:/tmp/bench-rpc-%d.sock",
		 (int)getpid());
	extra[1] = addr;
	if (daemon_start(&d, exec_plugin, extra) < 0)
		die("cannot start the daemon (exec)");
	struct rpc_client c;
	rpc_open(&c, addr);
	int64_t s = rpc_session(&c);
	int64_t res = register_lib(&c, s, sum_lib);
	size_t len = 256u << 20;
	uint8_t *a = malloc(len), *b = malloc(len);
	if (!a || !b)
		die("out of memory");
	memset(a, 3, len);
	memset(b, 4, len);
	double ours[ARG_ROUNDS], base[ARG_ROUNDS];
	sum_round(&c, s, res, a, len); /* warm-up */
	for (int r = 0; r < ARG_ROUNDS; r++) {
		ours[r] = sum_round(&c, s, res, a, len);
		base[r] = memcpy_round(b, a, len);
	}
	bench_print("rpc_arg_256MiB", bench_median(ours, ARG_ROUNDS),
		    bench_median(base, ARG_ROUNDS), "MiB/s");
	free(a);
	free(b);
	rpc_client_close(&c);
	daemon_stop(&d);
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: bench_rpc DAEMON NOOP_PLUGIN "
				"EXEC_PLUGIN SUM_LIB\n");
		return 2;
	}
	setenv("VHOST_USER_ACCEL", argv[1], 1);
	bench_noop(argv[2]);
	bench_arg(argv[3], argv[4]);
	return 0;
}
