#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Write the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/).

Each seed is a well-formed input in the target's input format (see the
comment at the top of each fuzz_*.c), so the fuzzer starts from requests
and message sequences that reach deep into the code. Re-run after a
format change:  python3 tests/fuzz/make_corpus.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
GUEST_BASE = 0x100000


def out(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- fuzz_request ------------------------------------------------------

def hdr(cmd, sess=0, obj=0, param=0, nrd=0, nwr=0, version=1):
    return struct.pack("<HHIQQQIIII", version, cmd, 0, 0x1234, sess, obj,
                       param, nrd, nwr, 0)


def desc(length, typ, flags=0, nsegs=0, custom=0):
    return struct.pack("<QIIIIQ", length, typ, custom, flags, nsegs, 0)


def seg(addr, length, flags=0):
    return struct.pack("<QII", addr, length, flags)


def req_input(r, wlen, mem=b"", pieces=2, features=0xF):
    return struct.pack("<BBHI", pieces, features, len(r), wlen) + r + mem


SEGF = 1
IND = 1
out("fuzz_request", "session_create", req_input(hdr(0x01), 64))
out("fuzz_request", "session_destroy", req_input(hdr(0x02, sess=1), 32))
out("fuzz_request", "truncated", req_input(hdr(0x01)[:30], 64))
r = hdr(0x20, sess=1, param=17, nrd=2, nwr=1) + desc(8, 7) + desc(16, 18) \
    + desc(64, 18) + struct.pack("<q", 4) + b"\0" * 16
out("fuzz_request", "op_inline", req_input(r, 32 + 16 + 64, pieces=5))
mem = bytes(range(256))
r = hdr(0x20, sess=1, param=17, nrd=1, nwr=1) + desc(64, 18, SEGF, 1) \
    + desc(32, 18, SEGF, 1) + seg(GUEST_BASE, 64) + seg(GUEST_BASE + 128, 32)
out("fuzz_request", "op_segments", req_input(r, 64, mem))
table = seg(GUEST_BASE + 64, 32) + seg(GUEST_BASE + 160, 32)
mem = table + bytes(256)
r = hdr(0x20, sess=1, param=2, nrd=2) + desc(8, 7) + desc(64, 28, SEGF, 1) \
    + seg(GUEST_BASE, len(table), IND) + struct.pack("<q", 1)
out("fuzz_request", "op_indirect", req_input(r, 32, mem, pieces=3))
r = hdr(0x10, sess=1, param=1, nrd=2) + desc(9, 27) + desc(16, 28) \
    + b"blob.bin\0" + b"x" * 16
out("fuzz_request", "resource_create", req_input(r, 32))
r = hdr(0x12, sess=1, obj=1)
out("fuzz_request", "resource_register", req_input(r, 32))
r = hdr(0x30, sess=1, nwr=1) + desc(4096, 28)
out("fuzz_request", "timers_get", req_input(r, 32 + 16 + 4096))

# ---- fuzz_vhost_user ---------------------------------------------------

FD_NONE, FD_MEM, FD_MEM2, FD_EVENT, FD_PIPE, FD_MANY = range(6)
NEED_REPLY = 1 << 3


def msg(req, payload=b"", fds=FD_NONE, flags=1, size=None):
    if size is None:
        size = len(payload)
    return struct.pack("<IIHBB", req, flags, size, fds, len(payload)) + payload


def u64(v):
    return struct.pack("<Q", v)


def state(i, n):
    return struct.pack("<II", i, n)


END = struct.pack("<I", 0xFFFFFFFF) + b"\0" * 8
UVA = 0x70000000
handshake = (msg(1) + msg(2, u64((1 << 32) | (1 << 30) | (1 << 28) |
                                  (1 << 29) | 0xF)) +
             msg(15) + msg(16, u64((1 << 3) | (1 << 9) | 1)) +
             msg(3, flags=1 | NEED_REPLY) +
             msg(24, struct.pack("<III", 0, 64, 0) + bytes(64)) +
             msg(17) + msg(36) + msg(40))
out("fuzz_vhost_user", "handshake", handshake + END)

memtable = msg(5, struct.pack("<II", 1, 0) +
               struct.pack("<QQQQ", 0, 64 << 10, UVA, 0), FD_MEM,
               flags=1 | NEED_REPLY)


def ring_setup(q, num, desc, avail, used):
    return (msg(8, state(q, num)) + msg(10, state(q, 0)) +
            msg(9, struct.pack("<IIQQQQ", q, 0, UVA + desc, UVA + used,
                               UVA + avail, 0)) +
            msg(13, u64(q), FD_EVENT) + msg(14, u64(q), FD_EVENT) +
            msg(12, u64(q), FD_EVENT) + msg(18, state(q, 1)))


def vring_dsc(addr, length, flags, nxt):
    return struct.pack("<QIHH", addr, length, flags, nxt)


def place(buf, off, data):
    buf[off:off + len(data)] = data


seq = handshake + memtable + ring_setup(0, 16, 0x1000, 0x2000, 0x3000) + END
img = bytearray(seq) + bytearray(0x6000 - len(seq))
d = (vring_dsc(0x4000, 48, 1, 1) + vring_dsc(0x4100, 64, 2, 0) +
     vring_dsc(0x5000, 32, 4, 0) + vring_dsc(0x4000, 8, 1, 3))
place(img, 0x1000, d)
place(img, 0x2000, struct.pack("<HHHHH", 0, 3, 0, 2, 3))
place(img, 0x5000, vring_dsc(0x4000, 48, 1, 1) + vring_dsc(0x4200, 32, 2, 0))
out("fuzz_vhost_user", "ring_running", bytes(img))

seq = (handshake + memtable + ring_setup(1, 8, 0x1000, 0x1800, 0x1c00) +
       msg(11, state(1, 0)) + msg(8, state(1, 64)) +
       msg(37, u64(0) + struct.pack("<QQQQ", 1 << 20, 4096, UVA + (1 << 20),
                                    0), FD_MEM) +
       msg(38, u64(0) + struct.pack("<QQQQ", 1 << 20, 4096, 0, 0)) +
       msg(34) + END)
out("fuzz_vhost_user", "ring_stop_reset", seq)
out("fuzz_vhost_user", "bad_messages",
    handshake + msg(5, struct.pack("<II", 2, 0), FD_MEM) + msg(999) +
    msg(8, state(70, 3), size=4) + msg(25, bytes(16)) +
    msg(12, u64(0x100)) + msg(1, fds=FD_MANY) + END)

# in-flight tracking: a region (in the memfd of SET_INFLIGHT_FD, at 0x8000)
# that a previous back-end left with heads 3 and 1 in flight, then a ring
# start that resubmits them; and GET_INFLIGHT_FD for a fresh one
INFL_OFF, QSIZE = 0x8000, 16
infl_qbytes = (16 + 16 * QSIZE + 63) // 64 * 64


def inflight(size, off, nq, qs):
    return struct.pack("<QQHHI", size, off, nq, qs, 0)


seq = (handshake + memtable + msg(31, inflight(0, 0, 2, QSIZE)) +
       msg(32, inflight(2 * infl_qbytes, INFL_OFF, 2, QSIZE), FD_MEM) +
       ring_setup(0, QSIZE, 0x1000, 0x2000, 0x3000) + END)
img = bytearray(seq) + bytearray(INFL_OFF + 2 * infl_qbytes - len(seq))
place(img, 0x1000, vring_dsc(0x4000, 48, 1, 1) + vring_dsc(0x4100, 64, 2, 0) +
      vring_dsc(0x4000, 48, 1, 3) + vring_dsc(0x4200, 64, 2, 0))
place(img, 0x2000, struct.pack("<HHHH", 0, 2, 1, 3))
place(img, 0x3000, struct.pack("<HH", 0, 0))
region = struct.pack("<QHHHH", 0, 1, QSIZE, 0, 0)
descs = bytearray(16 * QSIZE)
descs[16 * 1:16 * 2] = struct.pack("<B5sHQ", 1, bytes(5), 0, 5)
descs[16 * 3:16 * 4] = struct.pack("<B5sHQ", 1, bytes(5), 0, 2)
place(img, INFL_OFF, region + bytes(descs))
out("fuzz_vhost_user", "inflight_resubmit", bytes(img))

# ---- fuzz_rpc ------------------------------------------------------------
# The bytes a client sends: ttrpc frames (10-byte header: big-endian data
# length and stream id, type, flags) carrying Request envelopes of vAccel's
# agent service, the method messages encoded here from their field numbers
# (docs/rpc.md). Each input starts with session (1 << 32) | 1; the first
# resource it registers is (1 << 32) | 1 too (fuzz_rpc.c).

SYNC = b"vaccel.sync.agent.AgentService"
ASYNC = b"vaccel.asynchronous.agent.AgentService"
SID = RID = (1 << 32) | 1


def varint(v):
    v &= (1 << 64) - 1
    b = bytearray()
    while v >= 0x80:
        b.append(v & 0x7F | 0x80)
        v >>= 7
    b.append(v)
    return bytes(b)


def fv(num, v):  # a varint field (negative int64: ten bytes)
    return varint(num << 3) + varint(v)


def fb(num, data):  # a LEN field
    return varint(num << 3 | 2) + varint(len(data)) + data


def frame(stream, data, typ=1, flags=0, length=None):
    n = len(data) if length is None else length
    return struct.pack(">IIBB", n, stream, typ, flags) + data


def call(stream, method, payload=b"", service=SYNC, flags=0):
    env = fb(1, service) + fb(2, method)
    if payload:
        env += fb(3, payload)
    return frame(stream, env, flags=flags)


def arg(buf, typ, size=None):
    return (fb(1, buf) + fv(2, len(buf) if size is None else size) +
            fv(3, typ))


def packed(values):
    return b"".join(varint(v) for v in values)


def tensor(data, dims, typ):
    return fb(1, data) + fb(2, packed(dims)) + fv(3, typ)


def blob(name, data, typ=1):
    return fv(1, typ) + fb(2, name) + fb(3, data) + fv(4, len(data))


def register(data, rtype=2, name=b"model.bin"):
    return fb(2, blob(name, data)) + fv(3, rtype) + fv(5, SID)


floats = struct.pack("<6f", 1, 2, 3, 4, 5, 6)
out("fuzz_rpc", "sessions",
    call(1, b"CreateSession", fv(1, 0x8)) +
    call(3, b"UpdateSession", fv(1, SID) + fv(2, 0x20)) +
    call(5, b"GetProfiler", fv(1, SID)) +
    call(7, b"DestroySession", fv(1, SID)) +
    call(9, b"UpdateSession", fv(1, SID)))
out("fuzz_rpc", "genop",
    call(1, b"Genop", fv(1, SID) + fb(2, arg(b"\0", 9))) +
    call(3, b"Genop", fv(1, SID) + fb(2, arg(b"\0", 9)) +
         fb(2, arg(struct.pack("<i", 5), 5)) + fb(3, arg(b"", 5, 4))) +
    call(5, b"RegisterResource", register(b"\x7fELF", 0, b"lib.so")) +
    call(7, b"Genop", fv(1, SID) + fb(2, arg(b"\x02", 9)) +
         fb(2, arg(struct.pack("<q", RID), 7)) + fb(2, arg(b"fn\0", 27)) +
         fb(2, arg(struct.pack("<i", 5), 5)) + fb(3, arg(b"", 5, 4))) +
    call(9, b"Genop", fv(1, SID) + fb(2, arg(b"\x01", 9)) +
         fb(2, arg(b"lib.so\0", 27)) + fb(2, arg(b"fn\0", 27)) +
         fb(3, arg(b"\0" * 4, 5))) +
    call(11, b"Genop", fv(1, SID) + fb(2, arg(b"\x03", 9)) +
         fb(2, arg(b"image bytes", 28)) + fb(3, arg(b"", 26, 64)) +
         fb(3, arg(b"\0" * 64, 26))))
out("fuzz_rpc", "resources",
    call(1, b"RegisterResource", register(b"abcdefgh", 1, b"a.bin")) +
    call(3, b"SyncResource", fv(1, RID)) +
    call(5, b"RegisterResource", fv(4, RID) + fv(5, SID)) +
    call(7, b"UnregisterResource", fv(1, RID) + fv(2, SID)) +
    call(9, b"RegisterResource", fb(1, b"/etc/passwd") + fv(5, SID)) +
    call(11, b"RegisterResource",
         fb(2, blob(b"x", b"12")) + fb(2, blob(b"y", b"345", 2)) +
         fv(3, 1) + fv(5, SID)))
out("fuzz_rpc", "torch",
    call(1, b"RegisterResource", register(b"junk model")) +
    call(3, b"TorchModelLoad", fv(1, SID) + fv(2, RID)) +
    call(5, b"TorchModelRun", fv(1, SID) + fv(2, RID) + fb(3, b"opts") +
         fb(4, tensor(floats, [2, 3], 7)) + fv(5, 1)))
out("fuzz_rpc", "tf",
    call(1, b"RegisterResource", register(b"graph")) +
    call(3, b"TensorflowModelLoad", fv(1, SID) + fv(2, RID)) +
    call(5, b"TensorflowModelRun", fv(1, SID) + fv(2, RID) +
         fb(4, fb(1, b"in") + fv(2, 0)) + fb(5, fb(1, b"out") + fv(2, 1)) +
         fb(6, tensor(floats, [6], 1))) +
    call(7, b"TensorflowModelUnload", fv(1, SID) + fv(2, RID)))
out("fuzz_rpc", "tflite",
    call(1, b"RegisterResource", register(b"flatbuffer")) +
    call(3, b"TensorflowLiteModelLoad", fv(1, SID) + fv(2, RID)) +
    call(5, b"TensorflowLiteModelRun", fv(1, SID) + fv(2, RID) +
         fb(3, tensor(floats, [1, 6], 1)) + fv(4, 1)) +
    call(7, b"TensorflowLiteModelUnload", fv(1, SID) + fv(2, RID)))
out("fuzz_rpc", "image",
    call(1, b"ImageClassification", fv(1, SID) + fb(2, b"\x89PNG....")))
out("fuzz_rpc", "refused",
    call(2, b"CreateSession") +
    call(1, b"GenopStream", service=ASYNC, flags=6) +
    frame(1, fv(1, SID), typ=3) + frame(1, b"", typ=3, flags=5) +
    call(3, b"CreateSession", service=b"vaccel.AgentService") +
    call(5, b"NoSuchMethod") +
    call(7, b"Genop", b"\x12\x05\x0a") +
    frame(9, b"\x0a\xff") + frame(13, b"") +
    frame(11, b"", length=0xFFFFFFFF))
