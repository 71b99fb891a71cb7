#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Guest benchmarks: in ONE QEMU guest (vm/run-qemu.sh: Debian's 6.1 kernel,
# TCG), our device against a virtio-blk disk served over vhost-user by
# Debian's qemu-storage-daemon, the same hops through a production back-end:
#
#   guest_noop_rtt     vaccel_noop() through libvaccel-virtio.so,
#                      virtio_accel.ko and vhost-user-accel (noop plugin)
#                      against a 512-byte O_DIRECT read from the disk
#   guest_arg_256MiB   a 256 MiB argument summed on the host (exec plugin,
#                      bench/host/libbench_sum.so) against an O_DIRECT read
#                      of 256 MiB from the disk (MiB/s)
#   guest_arg_256MiB_split, guest_arg_256MiB_frag  the same with a buffer in
#                      several guest-physical runs (a mapped view on the
#                      host), and in 65536 runs of 4 KiB (bounced)
#
# and, real work timed by bench/guest/bench_models.c first on this host with
# the plugins loaded locally (the baseline), then in the guest through the
# device (the daemon runs the same plugins); ratio = guest / host:
#
#   guest_torch_run_b1, guest_torch_run_b64   the demo's Fashion-MNIST model
#                      (torch plugin) on 1 and 64 images, median per run
#   guest_sgemm_1024   sgemm 1024^3 on the host's OpenBLAS, median per call
#   guest_model_load_256MiB  a 256 MiB TorchScript model loaded from the
#                      guest (bench/guest/bench_model_load.c: the file's
#                      bytes shipped to the host, then the torch plugin's
#                      load), in MiB/s, against this host read()ing the same
#                      file (page cache warm)
#
# What these measure is the cost the VM adds (the request's trip through the
# guest driver, the virtqueue and the daemon), not the guest's CPU: the work
# itself runs on the host in both cases, and under TCG the guest's own
# instructions (the plugin, the driver) are emulated, so the ratios are an
# upper bound of what a KVM guest pays.
#
# Run by bench/run.sh (make bench), or alone: bench/guest.sh. Builds what is
# missing first (QEMU, Debian's kernel and headers under build/vm, the
# driver for that kernel under $BUILD/bench-guest), creates the disk image
# ($BUILD/bench-guest/disk.img, 320 MiB of random data), starts
# qemu-storage-daemon on a temporary socket, boots the guest and prints the
# guest's BENCH lines. Needs root the first time (packages, kernel and QEMU
# builds).
#
# Environment: BUILD (meson build dir, default build), VM_DIR (default
# build/vm), BENCH_GUEST=0 (skip), BENCH_GUEST_NOOP_ROUNDS (default 2000),
# BENCH_GUEST_BIG_ROUNDS (default 7), BENCH_GUEST_TIMEOUT (seconds, default
# 1800), BENCH_GUEST_BLOCKDEV (qemu-storage-daemon's file blockdev options
# after filename=, default aio=threads: its default).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$REPO/$BUILD ;; esac
export BUILD

msg() { printf '>> %s\n' "$*" >&2; }
die() {
	printf 'bench/guest.sh: error: %s\n' "$*" >&2
	exit 1
}

if [ "${BENCH_GUEST:-1}" = 0 ]; then
	msg "guest benchmarks skipped (BENCH_GUEST=0)"
	exit 0
fi
NOOP_ROUNDS=${BENCH_GUEST_NOOP_ROUNDS:-2000}
BIG_ROUNDS=${BENCH_GUEST_BIG_ROUNDS:-7}
TIMEOUT=${BENCH_GUEST_TIMEOUT:-1800}
BLOCKDEV_OPTS=${BENCH_GUEST_BLOCKDEV:-aio=threads}

OUT=$BUILD/bench-guest
LOGS=$OUT/logs
mkdir -p "$LOGS"

# ---- packages and programs -------------------------------------------------
scripts/install-deps.sh bench
QSD=$(command -v qemu-storage-daemon) ||
	die "no qemu-storage-daemon (Debian package qemu-system-common)"

PROG=$BUILD/bench/guest/bench_guest
MODELS=$BUILD/bench/guest/bench_models
LOADER=$BUILD/bench/guest/bench_model_load
BIGMAKER=$BUILD/tests/e2e/make-big-model
LOAD_ROUNDS=${BENCH_GUEST_LOAD_ROUNDS:-3}
BLAS=$BUILD/plugins/blas/libvaccel-blas.so
TORCH=$BUILD/plugins/torch/libvaccel-torch.so
MODEL_ROUNDS=${BENCH_GUEST_MODEL_ROUNDS:-50}
SUM_LIB=$BUILD/bench/host/libbench_sum.so
VIRTIO_PLUGIN=$BUILD/plugins/virtio/libvaccel-virtio.so
NOOP=$BUILD/plugins/noop/libvaccel-noop.so
EXEC=$BUILD/plugins/exec/libvaccel-exec.so
for f in "$PROG" "$SUM_LIB" "$VIRTIO_PLUGIN" "$NOOP" "$EXEC" \
	"$BUILD/host/vhost-user-accel"; do
	[ -e "$f" ] || die "missing $f: build first (make build, or ninja -C $BUILD)"
done

# ---- QEMU, the guest kernel, its headers (built once, under build/vm) -----
# (their progress and errors go to stderr; each is quick when present)
vm/qemu.sh >/dev/null
vm/debian-kernel.sh >/dev/null
vm/kernel-headers.sh 6.1 >/dev/null
DK=$(vm/debian-kernel.sh --print)
eval "$(vm/kernel-headers.sh --print 6.1)"
KDIR=${KDIR_6_1:?vm/kernel-headers.sh did not set KDIR_6_1}
VIRTIO_BLK=$(find "$DK/modules/kernel/drivers/block" -name 'virtio_blk.ko*' | head -1)
[ -n "$VIRTIO_BLK" ] || die "no virtio_blk module in $DK/modules"

# ---- the driver for the guest kernel (rebuilt when its sources change) ----
DRV=$OUT/driver
KO=$DRV/virtio_accel.ko
newer=$(find driver -maxdepth 1 \( -name '*.[ch]' -o -name Kbuild -o -name Makefile \) \
	! -name '*.mod.c' -newer "$KO" -print -quit 2>/dev/null || true)
if [ ! -f "$KO" ] || [ -n "$newer" ] || [ include/uapi/linux/virtio_accel.h -nt "$KO" ]; then
	msg "building virtio_accel.ko for the guest kernel ($KDIR)"
	rm -rf "$DRV"
	mkdir -p "$DRV"
	cp driver/*.c driver/*.h driver/Kbuild driver/Makefile "$DRV"/
	rm -f "$DRV"/*.mod.c
	make -C "$DRV" KDIR="$KDIR" ZC=1 VA_UAPI="$REPO/include/uapi" \
		>"$DRV/build.log" 2>&1 || {
		tail -30 "$DRV/build.log" >&2
		rm -f "$KO"
		die "driver build failed (log: $DRV/build.log)"
	}
fi

# ---- the disk: 320 MiB of random data ---------------------------------------
IMG=$OUT/disk.img
IMG_MB=320
if [ ! -f "$IMG" ] || [ "$(stat -c %s "$IMG")" != $((IMG_MB << 20)) ]; then
	msg "creating the disk image $IMG ($IMG_MB MiB)"
	head -c $((IMG_MB << 20)) /dev/urandom >"$IMG.tmp"
	mv "$IMG.tmp" "$IMG"
fi

# ---- qemu-storage-daemon on a temporary socket ------------------------------
RUN=$(mktemp -d -t bench-guest.XXXXXX)
QSD_PID=""
cleanup() {
	if [ -n "$QSD_PID" ]; then
		kill -TERM "$QSD_PID" 2>/dev/null || true
		wait "$QSD_PID" 2>/dev/null || true
	fi
	rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
SOCK=$RUN/blk.sock
QSD_LOG=$LOGS/qemu-storage-daemon.log
"$QSD" --blockdev "driver=file,node-name=file0,filename=$IMG,$BLOCKDEV_OPTS" \
	--blockdev driver=raw,node-name=disk0,file=file0 \
	--export "type=vhost-user-blk,id=exp0,node-name=disk0,addr.type=unix,addr.path=$SOCK,writable=off,num-queues=1" \
	>"$QSD_LOG" 2>&1 &
QSD_PID=$!
for _ in $(seq 100); do
	[ -S "$SOCK" ] && break
	kill -0 "$QSD_PID" 2>/dev/null || break
	sleep 0.1
done
[ -S "$SOCK" ] || {
	cat "$QSD_LOG" >&2
	die "qemu-storage-daemon did not come up (log: $QSD_LOG)"
}

# ---- real work on this host first (the baseline of the model figures) ------
F=$BUILD/demo/fashion
HOST_MODELS=$OUT/host-models.txt
: >"$HOST_MODELS"
HAVE_MODELS=0
if [ -x "$MODELS" ] && [ -f "$TORCH" ] && [ -f "$BLAS" ] &&
	BUILD=$BUILD scripts/fashion-model.sh "$F" >"$LOGS/fashion-model.log" 2>&1; then
	msg "model and sgemm figures on this host (baseline)"
	OPENBLAS_NUM_THREADS=1 VACCEL_PLUGINS=$BLAS:$TORCH "$MODELS" "$F/model.pt" \
		"$F/t10k-images-idx3-ubyte" "$MODEL_ROUNDS" >"$HOST_MODELS" 2>"$LOGS/host-models.err" ||
		die "bench_models failed on the host ($LOGS/host-models.err)"
	HAVE_MODELS=1
	BIGMODEL=$OUT/big-model-256.pt
	if [ -x "$LOADER" ] && [ -x "$BIGMAKER" ]; then
		[ -s "$BIGMODEL" ] || "$BIGMAKER" "$BIGMODEL" 256 >"$LOGS/big-model.log" 2>&1 ||
			die "cannot make $BIGMODEL ($LOGS/big-model.log)"
		"$LOADER" --read "$BIGMODEL" "$LOAD_ROUNDS" >>"$HOST_MODELS" 2>>"$LOGS/host-models.err" ||
			die "bench_model_load --read failed on the host ($LOGS/host-models.err)"
	fi
else
	msg "no torch or blas plugin, or no demo model: model figures skipped (see $LOGS/fashion-model.log)"
fi
GUEST_CMD=$OUT/guest-run.sh
cat >"$GUEST_CMD" <<EOF_GUEST
#!/bin/sh
"$PROG" /dev/vda "$SUM_LIB" "$NOOP_ROUNDS" "$BIG_ROUNDS" || exit \$?
[ "$HAVE_MODELS" = 1 ] || exit 0
"$MODELS" "$F/model.pt" "$F/t10k-images-idx3-ubyte" "$MODEL_ROUNDS" || exit \$?
[ -s "$OUT/big-model-256.pt" ] || exit 0
"$LOADER" --load "$OUT/big-model-256.pt" "$LOAD_ROUNDS"
EOF_GUEST
chmod +x "$GUEST_CMD"
GUEST_PLUGINS=$NOOP:$EXEC
[ "$HAVE_MODELS" = 0 ] || GUEST_PLUGINS=$NOOP:$BLAS:$EXEC:$TORCH

# ---- the guest ---------------------------------------------------------------
LOG=$LOGS/guest-$(date +%Y%m%d-%H%M%S)-$$.log
msg "booting the QEMU guest ($NOOP_ROUNDS round trips, $BIG_ROUNDS x 256 MiB of each; TCG, about a minute; console log $LOG)"
set +e
copies=(--copy "$VIRTIO_PLUGIN" --copy "$SUM_LIB" --copy "$PROG" --copy "$GUEST_CMD")
[ "$HAVE_MODELS" = 0 ] || copies+=(--copy "$MODELS" --copy "$F/model.pt"
	--copy "$F/t10k-images-idx3-ubyte")
[ ! -s "$OUT/big-model-256.pt" ] || copies+=(--copy "$LOADER" --copy "$OUT/big-model-256.pt")
OPENBLAS_NUM_THREADS=1 \
vm/run-qemu.sh --module "$KO" --module "$VIRTIO_BLK" --plugins "$GUEST_PLUGINS" \
	--mem 2048M --timeout "$TIMEOUT" --log "$LOG" -q "${copies[@]}" \
	--env "VACCEL_PLUGINS=$VIRTIO_PLUGIN" \
	--qemu-args "-chardev socket,id=blk0,path=$SOCK -device vhost-user-blk-pci,chardev=blk0,num-queues=1" \
	-- sh "$GUEST_CMD" \
	>"$LOG.run" 2>&1
rc=$?
set -e
sed 's/\r$//' "$LOG" | grep -E '^(BENCH|INFO) ' | sed 's/^INFO /  # /' || true
if [ "$rc" != 0 ]; then
	sed 's/\r$//' "$LOG" | grep -E 'bench_guest|VM-INIT|error' | tail -20 >&2 || true
	tail -10 "$LOG.run" >&2
	die "the guest run failed (exit status $rc; console log $LOG, harness log $LOG.run)"
fi
n=$(sed 's/\r$//' "$LOG" | grep -c '^BENCH ' || true)
[ "$n" = 4 ] || die "the guest printed $n BENCH lines, not 4 (console log $LOG)"
# model figures: guest against host, one BENCH line each
if [ "$HAVE_MODELS" = 1 ]; then
	for name in torch_run_b1 torch_run_b64 sgemm_1024; do
		h=$(awk -v n="$name" '$1 == "RESULT" && $2 == n {print $3, $4}' "$HOST_MODELS")
		g=$(sed 's/\r$//' "$LOG" | awk -v n="$name" '$1 == "RESULT" && $2 == n {print $3, $4}')
		[ -n "$h" ] && [ -n "$g" ] || die "no $name figure (host '$h', guest '$g'; console log $LOG)"
		# shellcheck disable=SC2086 # "value unit" pairs, split on purpose
		set -- $h $g
		awk -v n="$name" -v hv="$1" -v u="$2" -v gv="$3" 'BEGIN {
			printf "BENCH guest_%s median=%.3f%s baseline=%.3f%s ratio=%.3f\n",
				n, gv, u, hv, u, (hv > 0 ? gv / hv : 0) }'
	done
	# the large model: guest load against the host's read of the file
	h=$(awk '$1 == "RESULT" && $2 == "read_256MiB" {print $3}' "$HOST_MODELS")
	g=$(sed 's/\r$//' "$LOG" | awk '$1 == "RESULT" && $2 == "model_load_256MiB" {print $3}')
	if [ -n "$h" ] && [ -n "$g" ]; then
		awk -v hv="$h" -v gv="$g" 'BEGIN {
			printf "BENCH guest_model_load_256MiB median=%.3fMiB/s baseline=%.3fMiB/s ratio=%.3f\n",
				gv, hv, (hv > 0 ? gv / hv : 0) }'
	elif [ -n "$h" ]; then
		die "no model_load_256MiB figure from the guest (console log $LOG)"
	fi
fi
