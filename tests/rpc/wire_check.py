#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The RPC wire against an encoding made independently of our code.

Usage: wire_check.py RPC_WIRE_DUMP WIRE_CHECK_PROTO

WIRE_CHECK_PROTO (tests/rpc/wire_check.proto) is written from the field
tables of the protocol reference, not from rpc/proto; it is compiled here
with protoc --python_out into a temporary directory, and Python's protobuf
encodes the same messages, with the same non-default values, as
RPC_WIRE_DUMP (tests/rpc/rpc_wire_dump.c: rpc/proto's protobuf-c code and
rpc/envelope.c's frame builders). Checked:

  1. every encoding is byte for byte the same on both sides;
  2. Python decodes each C encoding to exactly its own message;
  3. the C side decodes each Python encoding (plus forms the C side never
     writes: unpacked repeated scalars) to exactly its own values
     (rpc_wire_dump --decode compares every field);
  4. the CreateSession frames equal the reference's worked example (§1.5).

Exit 77 (a skip for meson) when protoc or Python's protobuf is missing.
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile


def have_protobuf(python):
    return subprocess.run([python, "-c", "import google.protobuf"],
                          stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


try:
    import google.protobuf  # noqa: F401
except ImportError:
    # a python3 of its own on PATH (pyenv, venv) may lack the system's
    # python3-protobuf: use the system's interpreter then
    for py in ("/usr/bin/python3",):
        if (os.path.realpath(py) != os.path.realpath(sys.executable)
                and os.access(py, os.X_OK) and have_protobuf(py)):
            os.execv(py, [py] + sys.argv)
    print("SKIP: Python's protobuf (python3-protobuf) is not installed")
    sys.exit(77)

if len(sys.argv) != 3:
    print(__doc__)
    sys.exit(2)
DUMP, PROTO = sys.argv[1], sys.argv[2]
PROTOC = shutil.which("protoc")
if not PROTOC:
    print("SKIP: protoc (protobuf-compiler) is not installed")
    sys.exit(77)

tmp = tempfile.mkdtemp(prefix="wire-check.")
try:
    subprocess.run([PROTOC, "--python_out=" + tmp,
                    "-I" + os.path.dirname(os.path.abspath(PROTO)),
                    os.path.abspath(PROTO)], check=True)
    sys.path.insert(0, tmp)
    import wire_check_pb2 as w  # noqa: E402
finally:
    shutil.rmtree(tmp, ignore_errors=True)

SYNC = "vaccel.sync.agent.AgentService"
ERROR_TYPE_URL = "type.googleapis.com/vaccel.ProtoError"
FLOATS = struct.pack("<6f", 1.5, -2.0, 3.25, 0.0, 1e30, -0.5)
INT64_MAX, INT32_MAX, UINT64_MAX = 2**63 - 1, 2**31 - 1, 2**64 - 1


def status(code, message):
    return w.vaccel.Status(code=code, message=message)


def genop_request():
    A = w.genop.Arg
    return w.genop.Request(
        session_id=13,
        read_args=[A(buf=b"\x11", size=1, arg_type=w.genop.UINT8,
                     custom_type_id=77, parts=2, part_no=1),
                   A(buf=b"hello\0", size=6, arg_type=w.genop.STRING,
                     custom_type_id=1, parts=1, part_no=1)],
        write_args=[A(buf=b"\0" * 4, size=4, arg_type=w.genop.CUSTOM,
                      custom_type_id=0xFFFFFFFF, parts=3, part_no=3)])


def torch_tensor(cls=None):
    cls = cls or w.torch.Tensor
    return cls(data=FLOATS, dims=[2, 3], type=w.torch.FLOAT)


def profiling_response():
    p = w.profiling.Profiler(component_name="vaccel-rpc-agent")
    S = w.profiling.Sample
    p.regions["[vaccel-rpc-agent] genop"].samples.extend(
        [S(start=1000000000000, time=1234), S(start=2, time=3)])
    p.regions["[vaccel-rpc-agent] genop > read_args"].samples.extend(
        [S(start=5, time=6)])
    return w.profiling.Response(profiler=p)


def tf_run_response_status_empty():
    m = w.tf.ModelRunResponse()
    m.status.SetInParent()  # present, all default
    return m


def tf_run_request():
    N, T = w.tf.Node, w.tf.Tensor
    return w.tf.ModelRunRequest(
        session_id=19, model_id=20, run_options=b"\x08\x01",
        in_nodes=[N(name="in", id=1), N(name="in2", id=-7)],
        out_nodes=[N(name="out", id=2)],
        in_tensors=[T(data=FLOATS, dims=[2, 3], type=w.tf.FLOAT),
                    T(data=b"x" * 8, dims=[-1, 1 << 40], type=w.tf.INT64)])


def vaccel_error_with_status():
    return w.vaccel.Error(type=w.vaccel.FFI_WITH_STATUS, ffi_error=0,
                          status=status(3, "tf status"))


B = w.resource.Blob
R = w.resource
MESSAGES = {
    "session_create_request": w.session.CreateRequest(flags=0x21),
    "session_create_response":
        w.session.CreateResponse(session_id=0x123456789),
    "session_update_request":
        w.session.UpdateRequest(session_id=7, flags=0x4001),
    "session_destroy_request": w.session.DestroyRequest(session_id=-3),
    "resource_register_request": R.RegisterRequest(
        paths=["/a/b", "https://example.org/m.pt"],
        blobs=[B(type_=R.MAPPED, name="m.bin", data=b"\x00\x01\xff", size=3),
               B(type_=R.BUFFER, name="b", data=b"zz", size=2)],
        resource_type=R.MODEL, resource_id=5, session_id=0x100000001),
    "resource_register_response": R.RegisterResponse(resource_id=INT64_MAX),
    "resource_unregister_request":
        R.UnregisterRequest(resource_id=9, session_id=10),
    "resource_sync_request": R.SyncRequest(resource_id=11),
    "resource_sync_response": R.SyncResponse(
        blobs=[B(type_=R.MAPPED, name="s", data=b"abc", size=3)]),
    "image_request": w.image.Request(session_id=12, image=bytes(range(200))),
    "image_response": w.image.Response(tags=b"cat" + bytes(1021)),
    "genop_request": genop_request(),
    "genop_response": w.genop.Response(write_args=[
        w.genop.Arg(buf=b"\x01\x02", size=2, arg_type=w.genop.INT16,
                    custom_type_id=5, parts=1, part_no=1)]),
    "profiling_request": w.profiling.Request(session_id=14),
    "profiling_response": profiling_response(),
    "tf_model_load_request": w.tf.ModelLoadRequest(session_id=15,
                                                   model_id=16),
    "tf_model_load_response": w.tf.ModelLoadResponse(
        graph_def=b"graph", status=status(3, "bad")),
    "tf_model_unload_request": w.tf.ModelUnloadRequest(session_id=17,
                                                       model_id=18),
    "tf_model_unload_response":
        w.tf.ModelUnloadResponse(status=status(1, "ok")),
    "tf_model_run_request": tf_run_request(),
    "tf_model_run_response": w.tf.ModelRunResponse(
        out_tensors=[w.tf.Tensor(data=b"\x01\0\0\0", dims=[1],
                                 type=w.tf.INT32)],
        status=status(2, "partial")),
    "tf_model_run_response_status_empty": tf_run_response_status_empty(),
    "tflite_model_load_request":
        w.tflite.ModelLoadRequest(session_id=21, model_id=22),
    "tflite_model_unload_request":
        w.tflite.ModelUnloadRequest(session_id=23, model_id=24),
    "tflite_model_run_request": w.tflite.ModelRunRequest(
        session_id=25, model_id=26,
        in_tensors=[w.tflite.Tensor(data=b"\x01\x02\x03\x04",
                                    dims=[1, -1, INT32_MAX],
                                    type=w.tflite.INT64)],
        nr_out_tensors=UINT64_MAX),
    "tflite_model_run_response": w.tflite.ModelRunResponse(
        out_tensors=[w.tflite.Tensor(data=b"abcd", dims=[4],
                                     type=w.tflite.UINT8)],
        status=status(1, "tflite")),
    "torch_model_load_request":
        w.torch.ModelLoadRequest(session_id=27, model_id=28),
    "torch_model_run_request": w.torch.ModelRunRequest(
        session_id=29, model_id=30, run_options=b"opts",
        in_tensors=[torch_tensor()], nr_out_tensors=2),
    "torch_model_run_request_empty_options": w.torch.ModelRunRequest(
        session_id=31, model_id=32, run_options=b"", nr_out_tensors=1),
    "torch_model_run_response": w.torch.ModelRunResponse(out_tensors=[
        torch_tensor(),
        w.torch.Tensor(data=b"\x05", dims=[1], type=w.torch.BYTE)]),
    "torch_tensor": torch_tensor(),
    "vaccel_error_ffi": w.vaccel.Error(type=w.vaccel.FFI, ffi_error=22),
    "vaccel_error_with_status": vaccel_error_with_status(),
    "vaccel_error_invalid": w.vaccel.Error(
        type=w.vaccel.INVALID_ARGUMENT, status=status(0, "Invalid ID: 0")),
    "empty": w.empty.Empty(),
    "ttrpc_request_full": w.ttrpc.Request(
        service=SYNC, method="Genop",
        payload=genop_request().SerializeToString(),
        timeout_nano=1000000000,
        metadata=[w.ttrpc.KeyValue(key="k", value="v"),
                  w.ttrpc.KeyValue(key="trace", value="1")]),
}

# forms the C side never writes, for its decoder only
DECODE_ONLY = {
    "torch_tensor_unpacked": torch_tensor(w.torch.TensorUnpacked),
}


def ser(m):
    return m.SerializeToString(deterministic=True)


def frame(stream, typ, data):
    return struct.pack(">IIBB", len(data), stream, typ, 0) + data


def request_frame(stream, method, payload):
    env = w.ttrpc.Request(service=SYNC, method=method,
                          payload=ser(payload))
    return frame(stream, 1, ser(env))


def response_frame(stream, code=0, message="", vaccel_error=0,
                   payload=None):
    st = w.ttrpc.Status(code=code, message=message)
    if vaccel_error:
        err = w.vaccel.Error(type=w.vaccel.FFI, ffi_error=vaccel_error)
        st.details.append(w.ttrpc.Any(type_url=ERROR_TYPE_URL,
                                      value=ser(err)))
    r = w.ttrpc.Response(status=st)
    if payload is not None:
        r.payload = ser(payload)
    return frame(stream, 2, ser(r))


ERROR_MESSAGE = "genop: vAccel error 22 (Invalid argument)"
FRAMES = {
    "frame_create_session_request":
        request_frame(1, "CreateSession", w.session.CreateRequest()),
    "frame_create_session_response":
        response_frame(1, payload=w.session.CreateResponse(session_id=1)),
    "frame_genop_request": request_frame(5, "Genop", genop_request()),
    "frame_error_response":
        response_frame(3, 13, ERROR_MESSAGE, vaccel_error=22),
    "frame_not_found_response":
        response_frame(0xFFFFFFFD, 5, "Unknown session 9"),
    "frame_empty_response": response_frame(7, payload=w.empty.Empty()),
}

# reference §1.5, the worked example, as printed there
WORKED_EXAMPLE = {
    "frame_create_session_request": bytes.fromhex(
        "0000002f00000001 0100 0a1e".replace(" ", ""))
    + SYNC.encode() + bytes.fromhex("120d") + b"CreateSession",
    "frame_create_session_response": bytes.fromhex(
        "00000006000000010200" "0a0012020801"),
}


def decode_frame(b):
    """A frame as (header fields, envelope message), by Python's protobuf."""
    n, stream, typ, flags = struct.unpack(">IIBB", b[:10])
    assert n == len(b) - 10, "frame length"
    cls = w.ttrpc.Request if typ == 1 else w.ttrpc.Response
    return (n, stream, typ, flags), cls.FromString(b[10:])


failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what)


out = subprocess.run([DUMP], check=True, capture_output=True,
                     text=True).stdout
c_side = {}
for line in out.splitlines():
    name, _, hexs = line.partition(" ")
    c_side[name] = bytes.fromhex(hexs)

py_side = {n: ser(m) for n, m in MESSAGES.items()}
py_side.update(FRAMES)
check(set(c_side) == set(py_side),
      "the same cases on both sides: only C %s, only Python %s" % (
          sorted(set(c_side) - set(py_side)),
          sorted(set(py_side) - set(c_side))))

# 1. byte for byte
for name in sorted(set(c_side) & set(py_side)):
    same = c_side[name] == py_side[name]
    check(same, "%s: C %s != Python %s" % (name, c_side[name].hex(),
                                            py_side[name].hex()))
    if same:
        print("%-40s %4d bytes identical" % (name, len(c_side[name])))

# 2. Python decodes the C encodings to its own messages
for name, m in MESSAGES.items():
    if name not in c_side:
        continue
    try:
        got = type(m).FromString(c_side[name])
        check(got == m, "%s: Python decodes C's bytes to %s" % (name, got))
    except Exception as e:  # a decode error is a failure, not a crash
        check(False, "%s: Python cannot decode C's bytes: %s" % (name, e))
for name, b in FRAMES.items():
    if name in c_side:
        check(decode_frame(c_side[name]) == decode_frame(b),
              "%s: Python decodes C's frame differently" % name)

# 3. the C side decodes the Python encodings to its own values
feed = "".join("%s %s\n" % (n, b.hex()) for n, b in py_side.items())
feed += "".join("%s %s\n" % (n, ser(m).hex()) for n, m in
                DECODE_ONLY.items())
check(ser(DECODE_ONLY["torch_tensor_unpacked"]) != py_side["torch_tensor"],
      "the unpacked tensor is another encoding")
r = subprocess.run([DUMP, "--decode"], input=feed, capture_output=True,
                   text=True)
decoded = dict(line.split(" ", 1) for line in r.stdout.splitlines())
for name in list(py_side) + list(DECODE_ONLY):
    res = decoded.get(name, "missing")
    check(res == "ok", "%s: C decoding Python's bytes: %s" % (name, res))
check(r.returncode == 0, "rpc_wire_dump --decode exit status %d: %s" % (
    r.returncode, r.stderr.strip()))
print("C decoded %d Python encodings: %s" % (
    len(decoded), "all ok" if all(v == "ok" for v in decoded.values())
    else "failures"))

# 4. the reference's worked example
for name, b in WORKED_EXAMPLE.items():
    check(py_side[name] == b, "%s: Python %s != reference %s" % (
        name, py_side[name].hex(), b.hex()))
    check(c_side.get(name) == b, "%s: C %s != reference %s" % (
        name, (c_side.get(name) or b"").hex(), b.hex()))

if failures:
    print("%d failure(s)" % len(failures))
    sys.exit(1)
print("wire check: %d messages and %d frames identical both ways, %d "
      "decode-only forms, reference example matched" % (
          len(MESSAGES), len(FRAMES), len(DECODE_ONLY)))
