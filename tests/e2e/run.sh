#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The end-to-end suite: the virtio plugin, the guest driver and the host
# daemon together, in User-Mode Linux and in QEMU (x86-64, TCG), with the
# driver built with zero-copy (ZC=1) and without (ZC=0).
#
# Usage: tests/e2e/run.sh [options]
#   --build DIR      meson build directory (default: $BUILD or build)
#   --vm LIST        uml, qemu or "uml qemu" (default)
#   --zc LIST        driver builds to test: "1 0" (default), "1" or "0"
#   --checks LIST    guest checks (default: "restart plugin examples
#                    mixed stress kill big hostile evil driver rpc"; see
#                    tests/e2e/guest.sh).
#                    "rpc" runs in the QEMU ZC=1 guest only: the guest gets
#                    user networking and runs the examples again through
#                    libvaccel-rpc.so over TCP to the daemon's RPC front
#                    door (--rpc-listen on the host's loopback).
#                    "restart" runs in QEMU guests only, first: the host
#                    daemon is SIGKILLed and restarted under load
#                    (vm/run-qemu.sh --restart-daemon-on), so the other
#                    checks run against the restarted daemon and its
#                    end-of-run leak check covers them. "evil" (UML only)
#                    boots the guest again with a malicious device instead
#                    of the daemon (tests/e2e/evil_dev, driver/tests/
#                    run-evil.sh): bad responses, a ring kept full while a
#                    file with 1000 sessions closes, a huge config space.
#                    "driver" boots a guest of its own with the driver's
#                    test suite (driver/tests/run-uml.sh --quick, run-qemu.sh:
#                    hostile ioctls, pin accounting under RLIMIT_MEMLOCK,
#                    MAP_SHARED and mlocked buffers, memcg, 32-bit user
#                    space and two adjacent memory regions in QEMU, kill,
#                    unbind, threads, big arguments)
#   --quick          smaller sizes and counts (256 MiB args, 30 kills,
#                    4 x 2 stress, 2 x 2 restart)
#   --timeout SECS   per guest boot (default 1500 for UML, 3000 for QEMU)
#   -h, --help
# Builds what is missing first: the meson build, the UML kernel and QEMU
# (vm/*.sh, first time only), the driver for each kernel and ZC mode (in
# $BUILD/e2e/driver-*), the driver's test programs. Then, for each VM and
# ZC mode, boots a guest that runs tests/e2e/guest.sh, checks that the host
# daemon released no session or resource that the guest left behind, and
# prints a summary. Exit status: 0 when every run passed, 1 otherwise,
# 2 for usage errors. Needs root (module builds, vm scripts).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
VMS="uml qemu"
ZCS="1 0"
CHECKS="restart plugin examples mixed stress kill big hostile evil driver rpc"
RESTART_MARKER="E2E-RESTART-DAEMON-NOW"
QUICK=0
TIMEOUT=""

usage() { sed -n '4,40p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
	case "$1" in
	--build) BUILD=$2; shift ;;
	--vm) VMS=$2; shift ;;
	--zc) ZCS=$2; shift ;;
	--checks) CHECKS=$2; shift ;;
	--quick) QUICK=1 ;;
	--timeout) TIMEOUT=$2; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "run.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
	shift
done
cd "$REPO"
case "$BUILD" in /*) ;; *) BUILD=$REPO/$BUILD ;; esac
export BUILD
E2E=$BUILD/e2e
LOGS=$E2E/logs
mkdir -p "$E2E" "$LOGS"
T_START=$(date +%s)
msg() { echo "[e2e $(($(date +%s) - T_START))s] $*"; }
die() { msg "ERROR: $*"; exit 1; }

# ---- 1. user space ----------------------------------------------------------
if [ ! -f "$BUILD/build.ninja" ]; then
	msg "configuring $BUILD"
	meson setup "$BUILD" >"$E2E/meson-setup.log" 2>&1 ||
		{ tail -30 "$E2E/meson-setup.log"; die "meson setup failed"; }
fi
msg "building $BUILD"
ninja -C "$BUILD" >"$E2E/ninja.log" 2>&1 ||
	{ tail -30 "$E2E/ninja.log"; die "build failed"; }
# the torch suite's models (not built by default), when the plugin is built
if [ -f "$BUILD/plugins/torch/libvaccel-torch.so" ]; then
	ninja -C "$BUILD" tests/torch/classifier.pt >>"$E2E/ninja.log" 2>&1 ||
		{ tail -30 "$E2E/ninja.log"; die "building the torch test models failed"; }
fi
for f in host/vhost-user-accel plugins/virtio/libvaccel-virtio.so \
	tests/virtio-plugin/test_virtio_plugin tests/virtio-plugin/e2e_stress \
	examples/noop tests/e2e/evil_dev; do
	[ -e "$BUILD/$f" ] || die "missing $BUILD/$f"
done
DRIVER_TESTS=$REPO/driver/tests/build
if [[ " $CHECKS " == *" hostile "* ]] || [[ " $CHECKS " == *" evil "* ]]; then
	msg "building the driver's test programs"
	make -C driver/tests >"$E2E/driver-tests.log" 2>&1 ||
		{ tail -20 "$E2E/driver-tests.log"; die "driver/tests build failed"; }
fi

# host plugins of the daemon, in the order the guest's hints assume
NOOP=$BUILD/plugins/noop/libvaccel-noop.so
EXEC=$BUILD/plugins/exec/libvaccel-exec.so
BLAS=$BUILD/plugins/blas/libvaccel-blas.so
HOST_PLUGINS=$NOOP
[ ! -f "$BLAS" ] || HOST_PLUGINS=$HOST_PLUGINS:$BLAS
HOST_PLUGINS=$HOST_PLUGINS:$EXEC
# torch last: it is also a CPU plugin, and hint 0x1 must still find blas
TORCH=$BUILD/plugins/torch/libvaccel-torch.so
[ ! -f "$TORCH" ] || HOST_PLUGINS=$HOST_PLUGINS:$TORCH

# ---- 2. expected example results, from the host with local plugins ---------
EXP=$E2E/expected
rm -rf "$EXP"
mkdir -p "$EXP"
results() {
	grep -Ev -e '^[0-9]{4}\.[0-9]{2}\.[0-9]{2}-[0-9:.]+ - <' \
		-e '^vhost-user-accel: ' \
		-e '^[A-Za-z0-9_]+: [0-9]+ iteration\(s\), total ' \
		-e '\[prof\]' || true
}
# case NAME PLUGIN(noop|exec|blas) EXAMPLE ARGS...
add_case() {
	local name=$1 pl=$2 ex=$3 so hint rc
	shift 3
	case "$pl" in
	noop) so=$NOOP hint=0x100 ;;
	blas) so=$BLAS hint=0x1 ;;
	exec) so=$EXEC hint=0x80 ;;
	torch) so=$TORCH hint=0x20 ;;
	esac
	[ -f "$so" ] || return 0
	case "$ex" in */*) ;; *) ex=$BUILD/examples/$ex ;; esac
	printf '%s\n' "$ex" "$@" >"$EXP/$name.cmd"
	echo "$hint" >"$EXP/$name.hint"
	set +e
	VACCEL_PLUGINS=$so "$ex" "$@" >"$EXP/$name.raw" 2>&1
	rc=$?
	set -e
	echo "$rc" >"$EXP/$name.status"
	results <"$EXP/$name.raw" >"$EXP/$name.out"
	rm -f "$EXP/$name.raw"
}
LIB=$BUILD/examples/libmytestlib.so
for ex in noop noop_genop; do
	for pl in noop exec blas; do add_case "$ex-$pl" "$pl" "$ex" 3; done
done
for ex in exec exec_genop; do
	add_case "$ex-exec" exec "$ex" 3 "$LIB" 21
	add_case "$ex-exec-neg" exec "$ex" 1 "$LIB" -7
	add_case "$ex-noop" noop "$ex" 2 "$LIB" 21
	add_case "$ex-blas" blas "$ex" 1 "$LIB"
	add_case "$ex-missing-lib" exec "$ex" 1 /nonexistent/libnothing.so
done
for mode in file buffer copy; do
	add_case "exec_with_resource-exec-$mode" exec exec_with_resource 3 "$LIB" 21 "$mode"
	add_case "exec_with_resource-noop-$mode" noop exec_with_resource 2 "$LIB" 21 "$mode"
done
for ex in sgemm sgemm_genop; do
	add_case "$ex-noop" noop "$ex" 2
	add_case "$ex-blas" blas "$ex" 2
	add_case "$ex-blas-rect" blas "$ex" 1 100 37 64
	add_case "$ex-exec" exec "$ex" 1
done
for ex in classify classify_genop; do
	add_case "$ex-noop" noop "$ex" 3
	add_case "$ex-exec" exec "$ex" 1
done
IMG=$REPO/examples/data/example.png
for ex in detect segment pose depth detect_genop segment_genop pose_genop depth_genop; do
	add_case "$ex-noop" noop "$ex" "$IMG" 3
	add_case "$ex-noop-model" noop "$ex" "$IMG" 1 "$IMG"
	add_case "$ex-exec" exec "$ex" "$IMG"
done
# mbench's call path (a time without NUL, a file); the daemon's noop returns
# at once (libvaccel-mbench.so itself: tests/virtio-plugin, loopback)
add_case mbench-noop noop mbench 5 "$LIB" 3
add_case mbench-exec exec mbench 5 "$LIB"
# Real inference: the demo's Fashion-MNIST classifier (trained with libtorch
# on first use, cached) on the host's torch plugin; the guest must print the
# same accuracy and predictions.
FASHION=$BUILD/demo/fashion
if [ -f "$TORCH" ]; then
	scripts/fashion-model.sh "$FASHION" >"$E2E/fashion-model.log" 2>&1 ||
		{ cat "$E2E/fashion-model.log"; die "cannot make the demo's classifier"; }
	for b in 1000 64; do
		add_case "fashion_classify-torch-b$b" torch fashion_classify \
			"$FASHION/model.pt" "$FASHION/t10k-images-idx3-ubyte" \
			"$FASHION/t10k-labels-idx1-ubyte" "$b"
	done
fi
# upstream's torch_inference command line with the torch suite's classifier
TM=$BUILD/tests/torch
TORCH_FILES=()
if [ -f "$TORCH" ] && [ -f "$TM/classifier.pt" ]; then
	TORCH_FILES=("$TM/classifier.pt" "$TM/labels.txt" "$TM/blue.ppm" "$TM/red.ppm"
		"$TM/gray.pgm" "$TM/affine.pt")
	for img in blue.ppm red.ppm gray.pgm; do
		add_case "torch_inference-torch-${img%.*}" torch torch_inference \
			"$TM/$img" "$TM/classifier.pt" "$TM/labels.txt" 2
	done
fi
# a 200 MiB TorchScript model shipped from the guest by content (made once)
BIGMODEL=$E2E/big-model-200.pt
if [ -f "$TORCH" ] && [ -x "$BUILD/tests/e2e/make-big-model" ]; then
	[ -s "$BIGMODEL" ] || "$BUILD/tests/e2e/make-big-model" "$BIGMODEL" 200 ||
		die "cannot make $BIGMODEL"
	add_case "torch-model-200mib" torch "$BUILD/tests/virtio-plugin/e2e_model" "$BIGMODEL"
	# UML reads it through hostfs; QEMU guests get it in their initramfs
	# (one more GiB of guest memory below)
fi
# Programs written against upstream vAccel's API, built the way a user
# builds them: against the installed tree (a DESTDIR), with nothing but
# `pkg-config --cflags --libs vaccel`; the guest runs the same binaries.
UP=$E2E/upstream
rm -rf "$UP"
mkdir -p "$UP"
meson install -C "$BUILD" --destdir "$UP/root" --no-rebuild --quiet \
	>"$UP/install.log" 2>&1 || { tail -20 "$UP/install.log"; die "meson install into $UP/root failed"; }
pc=$(find "$UP/root" -name vaccel.pc | head -1)
[ -n "$pc" ] || die "no vaccel.pc in $UP/root"
up_lib=$(dirname "$(dirname "$pc")")
up_flags=$(PKG_CONFIG_LIBDIR=$(dirname "$pc") PKG_CONFIG_PATH='' \
	PKG_CONFIG_SYSROOT_DIR=$UP/root pkg-config --cflags --libs vaccel) ||
	die "pkg-config cannot use $pc"
for prog in noop exec sgemm classify torch; do
	# shellcheck disable=SC2086 # several words
	${CC:-cc} -std=gnu11 -O2 -o "$UP/$prog" \
		"$REPO/tests/integration/upstream_style/$prog.c" $up_flags \
		-Wl,-rpath,"$up_lib" >"$UP/$prog.cc.log" 2>&1 ||
		{ cat "$UP/$prog.cc.log"; die "upstream-style $prog.c does not build against the installed tree"; }
done
add_case upstream-noop-noop noop "$UP/noop"
add_case upstream-exec-exec exec "$UP/exec" "$LIB"
add_case upstream-exec-noop noop "$UP/exec" "$LIB"
add_case upstream-sgemm-blas blas "$UP/sgemm"
add_case upstream-sgemm-noop noop "$UP/sgemm"
add_case upstream-sgemm-exec exec "$UP/sgemm"
add_case upstream-classify-noop noop "$UP/classify" "$REPO/examples/data/example.png" 2
[ ! -f "$TM/affine.pt" ] || add_case upstream-torch-torch torch "$UP/torch" "$TM/affine.pt"
msg "$(find "$EXP" -name '*.cmd' | wc -l) example cases recorded on the host"

# ---- 3. kernels and drivers -------------------------------------------------
build_driver() { # tag kdir zc -> path of the .ko
	local tag=$1 kdir=$2 zc=$3 dir=$E2E/driver-$1-zc$3
	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$REPO"/driver/*.c "$REPO"/driver/*.h "$REPO"/driver/Kbuild \
		"$REPO"/driver/Makefile "$dir"/
	make -C "$dir" KDIR="$kdir" ZC="$zc" VA_UAPI="$REPO/include/uapi" \
		>"$dir/build.log" 2>&1 ||
		{ tail -30 "$dir/build.log" >&2; return 1; }
	echo "$dir/virtio_accel.ko"
}

declare -A KO
for vm in $VMS; do
	case "$vm" in
	uml)
		msg "UML kernel (built on first use)"
		# builds it the first time (progress on stderr, into the log)
		kdir=$(vm/uml-kernel.sh 2> >(tee "$E2E/uml-kernel.log" | grep --line-buffered '^>> ' >&2)) ||
			{ tail -30 "$E2E/uml-kernel.log"; die "UML kernel"; }
		;;
	qemu)
		msg "QEMU and Debian kernel (built on first use)"
		vm/qemu.sh > >(tee "$E2E/qemu-build.log" | grep --line-buffered '^>> ' >&2) 2>&1 ||
			{ tail -30 "$E2E/qemu-build.log"; die "QEMU build"; }
		vm/debian-kernel.sh > >(tee "$E2E/debian-kernel.log" | grep --line-buffered '^>> ' >&2) 2>&1 ||
			{ tail -30 "$E2E/debian-kernel.log"; die "Debian kernel"; }
		eval "$(vm/kernel-headers.sh 2> >(tee "$E2E/kernel-headers.log" | grep --line-buffered '^>> ' >&2))" ||
			{ tail -30 "$E2E/kernel-headers.log"; die "kernel headers"; }
		kdir=${KDIR_6_1:?vm/kernel-headers.sh did not set KDIR_6_1}
		;;
	*) die "unknown VM '$vm'" ;;
	esac
	for zc in $ZCS; do
		msg "driver for $vm, ZC=$zc"
		KO[$vm-$zc]=$(build_driver "$vm" "$kdir" "$zc") ||
			die "driver build for $vm ZC=$zc failed"
	done
done

# ---- 4. the guests ------------------------------------------------------------
if [ "$QUICK" = 1 ]; then
	BIG=256 KILLS=30 STRESS="4 2 10" RESTART="2 2" MEM=1536M
else
	# 1 GiB each way; with ZC=0 the driver bounces both: 2 GiB of user
	# buffers plus 2 GiB of kernel bounce buffers
	# plus the 200 MiB model in a QEMU guest's initramfs and its copy
	BIG=1024 KILLS=100 STRESS="8 4 30" RESTART="2 3" MEM=6G
fi
# the checks of one guest: "restart" only in QEMU (virtio_uml cannot
# reconnect), and first; "evil" has guests of its own (below)
vm_checks() { # vm zc
	local c out=""
	if [[ " $CHECKS " == *" restart "* ]]; then
		[ "$1" = uml ] || out="restart"
	fi
	for c in $CHECKS; do
		[ "$c" = restart ] || [ "$c" = evil ] || [ "$c" = driver ] ||
			{ [ "$c" = rpc ] && { [ "$1" != qemu ] || [ "$2" != 1 ]; }; } ||
			out="${out:+$out }$c"
	done
	printf '%s\n' "$out"
}
# the RPC front door's TCP port for the "rpc" check: a free one
RPC_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# the malicious-device guests (UML: the debug kernel's reports are the
# point): driver/tests/run-evil.sh with this run's driver
run_evil() { # vm zc
	local vm=$1 zc=$2 tag=$1-zc$2-evil rc=0
	TAGS+=("$tag")
	if [ "$vm" != uml ]; then
		RESULT[$tag]="SKIP (evil runs in the UML debug guest only)"
		msg "[$tag] ${RESULT[$tag]}"
		return 0
	fi
	msg "booting $tag (malicious device; logs $LOGS/$tag)"
	driver/tests/run-evil.sh --ko "${KO[$vm-$zc]}" --tests "$DRIVER_TESTS" \
		--logs "$LOGS/$tag" >"$LOGS/$tag.run.log" 2>&1 || rc=$?
	grep -h '^EVIL-RESULT\|FAIL' "$LOGS/$tag.run.log" | sed "s/^/  [$tag] /" | head -30 || true
	CHECKRES[$tag]=$(sed -n 's/^EVIL-RESULT \([^ ]*\) \([A-Z]*\).*/evil-\1:\2/p' \
		"$LOGS/$tag.run.log" | tr '\n' ' ')
	if [ "$rc" = 0 ]; then RESULT[$tag]="PASS"; else RESULT[$tag]="FAIL (exit status $rc, see $LOGS/$tag.run.log)"; fi
	msg "[$tag] ${RESULT[$tag]}"
}
# the driver's own test suite, in a guest of its own (each script builds
# the driver for its kernel in $BUILD/vm/driver-*)
run_driver() { # vm zc
	local vm=$1 zc=$2 tag=$1-zc$2-driver rc=0 args=()
	TAGS+=("$tag")
	[ "$zc" = 1 ] || args+=(--zc0)
	[ "$vm" = qemu ] || args+=(--quick)
	msg "booting $tag (driver/tests/run-$vm.sh ${args[*]}; log $LOGS/$tag.run.log)"
	VM_DIR=$BUILD/vm BUILD=$BUILD driver/tests/run-"$vm".sh "${args[@]}" \
		>"$LOGS/$tag.run.log" 2>&1 || rc=$?
	local nok nbad
	nok=$(grep -c '^=== ok:' "$LOGS/$tag.run.log" || true)
	nbad=$(grep -c '^=== FAILED' "$LOGS/$tag.run.log" || true)
	CHECKRES[$tag]="driver-tests-ok:$nok driver-tests-failed:$nbad"
	grep -h '^=== FAILED' "$LOGS/$tag.run.log" | sed "s/^/  [$tag] /" | head -20 || true
	if [ "$rc" = 0 ]; then RESULT[$tag]="PASS"; else RESULT[$tag]="FAIL (exit status $rc, see $LOGS/$tag.run.log)"; fi
	msg "[$tag] ${RESULT[$tag]} (${CHECKRES[$tag]})"
}
declare -A RESULT CHECKRES
TAGS=()
for vm in $VMS; do
	for zc in $ZCS; do
		tag=$vm-zc$zc
		TAGS+=("$tag")
		[[ " $CHECKS " != *" evil "* ]] || run_evil "$vm" "$zc"
		[[ " $CHECKS " != *" driver "* ]] || run_driver "$vm" "$zc"
		log=$LOGS/$tag.log
		to=${TIMEOUT:-$([ "$vm" = uml ] && echo 1500 || echo 3000)}
		checks=$(vm_checks "$vm" "$zc")
		if [ -z "$checks" ]; then
			if [[ " $CHECKS " == *" restart "* ]]; then
				RESULT[$tag]="SKIP (no checks for $vm: restart is QEMU only)"
			else
				RESULT[$tag]="SKIP (no daemon checks asked for)"
			fi
			msg "[$tag] ${RESULT[$tag]}"
			continue
		fi
		dargs="-v"
		if [[ " $checks " == *" rpc "* ]]; then
			dargs="-v --rpc-listen tcp:127.0.0.1:$RPC_PORT --rpc-allow 127.0.0.1/32"
		fi
		args=(--module "${KO[$vm-$zc]}" --rmmod --plugins "$HOST_PLUGINS"
			--daemon-args "$dargs" --mem "$MEM" --timeout "$to" --log "$log" -q
			--env "VIRTIO_E2E_HOST_PLUGINS=$HOST_PLUGINS"
			--env "E2E_BIG_MB=$BIG" --env "E2E_KILLS=$KILLS"
			--env "E2E_STRESS=$STRESS" --env "DRIVER_TESTS=$DRIVER_TESTS"
			--env "VACCEL_TEST_BUILDDIR=$BUILD" --env "E2E_VM=$vm")
		if [[ " $checks " == *" restart "* ]]; then
			args+=(--restart-daemon-on "$RESTART_MARKER:5"
				--env "E2E_RESTART_MARKER=$RESTART_MARKER"
				--env "E2E_RESTART=$RESTART")
		fi
		if [[ " $checks " == *" rpc "* ]]; then
			# QEMU's user network: the host's loopback is 10.0.2.2
			args+=(--net-user --env "E2E_RPC_ADDRESS=tcp://10.0.2.2:$RPC_PORT")
		fi
		if [ "$vm" = uml ]; then
			[[ " $CHECKS " != *" restart "* ]] ||
				msg "[$tag] check restart: QEMU only (UML's virtio_uml cannot reconnect), skipped"
			args+=(--kmemleak)
		else
			for p in "$BUILD/plugins/virtio/libvaccel-virtio.so" \
				"$BUILD/plugins/rpc/libvaccel-rpc.so" \
				"$BUILD/plugins/exec/libvaccel-exec.so" \
				"$BUILD/examples" "$BUILD/tests/virtio-plugin" \
				"$REPO/examples/data" "$REPO/tests/e2e/guest.sh" "$EXP" "$UP" \
				"$FASHION/model.pt" "$FASHION/t10k-images-idx3-ubyte" \
				"$FASHION/t10k-labels-idx1-ubyte" "${TORCH_FILES[@]}" \
				"$BIGMODEL"; do
				[ -e "$p" ] || continue
				args+=(--copy "$p")
			done
			[ ! -d "$DRIVER_TESTS" ] || args+=(--copy "$DRIVER_TESTS")
		fi
		msg "booting $tag (timeout ${to}s; console log $log)"
		set +e
		# shellcheck disable=SC2086 # the checks are words on purpose
		"vm/run-$vm.sh" "${args[@]}" -- sh "$REPO/tests/e2e/guest.sh" \
			"$BUILD" "$EXP" $checks >"$LOGS/$tag.run.log" 2>&1
		rc=$?
		set -e
		grep -h '^E2E-RESULT\|^example .*FAIL\|FAIL' "$log" 2>/dev/null |
			sed "s/^/  [$tag] /" | head -50 || true
		CHECKRES[$tag]=$(sed 's/\r$//' "$log" 2>/dev/null |
			sed -n 's/^E2E-RESULT \([^ ]*\) \([A-Z]*\) .*/\1:\2/p' | tr '\n' ' ')
		# nothing the guest created may outlive it on the host (after a
		# restart: the last daemon's record)
		dlog=${log%.log}.daemon.log
		leak=$(grep -o 'released [0-9]* sessions, [0-9]* resources' "$dlog" 2>/dev/null |
			grep -v 'released 0 sessions, 0 resources' || true)
		if [ -n "$leak" ]; then
			msg "[$tag] the daemon released objects the guest left behind: $leak"
			[ "$rc" != 0 ] || rc=1
		elif ! grep -q 'released 0 sessions, 0 resources' "$dlog" 2>/dev/null; then
			msg "[$tag] no disconnect record in the daemon log $dlog"
			[ "$rc" != 0 ] || rc=1
		fi
		case "$rc" in
		0) RESULT[$tag]="PASS" ;;
		3) RESULT[$tag]="FAIL (kernel reports in the guest log)" ;;
		124) RESULT[$tag]="FAIL (timeout)" ;;
		125) RESULT[$tag]="FAIL (harness error, see $LOGS/$tag.run.log)" ;;
		*) RESULT[$tag]="FAIL (exit status $rc)" ;;
		esac
		msg "[$tag] ${RESULT[$tag]}"
	done
done

# ---- 5. summary ---------------------------------------------------------------
echo
echo "== e2e summary ($(($(date +%s) - T_START))s) =="
fails=0
for tag in "${TAGS[@]}"; do
	printf '  %-15s %s\n' "$tag" "${RESULT[$tag]}"
	[ -z "${CHECKRES[$tag]:-}" ] || printf '  %-15s   checks: %s\n' "" "${CHECKRES[$tag]% }"
	case "${RESULT[$tag]}" in
	PASS | SKIP*) ;;
	*) fails=$((fails + 1)) ;;
	esac
done
echo "logs: $LOGS"
[ "$fails" = 0 ]
