#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the driver tests inside a guest that has the virtio-accel device, as
# root. Loads the module itself (several times, with different parameters).
#   sh run-guest.sh KO [TESTDIR] [--quick]
# TESTDIR: where `make -C driver/tests` put the programs (default: build/
# next to this script). Exit status: number of failed steps (0 = all good).
KO=${1:?usage: run-guest.sh KO [TESTDIR] [--quick]}
T=${2:-$(dirname "$0")/build}
QUICK=${3:-}
fails=0
DEV=/dev/virtio-accel0

step() { echo "=== driver test: $*"; }
ok() { echo "=== ok: $*"; }
bad() {
	echo "=== FAILED: $*"
	fails=$((fails + 1))
}
run() {
	step "$*"
	if "$@"; then ok "$*"; else bad "$* (exit $?)"; fi
}
load() {
	step "insmod $KO $*"
	insmod "$KO" "$@" || {
		bad "insmod $*"
		return 1
	}
	i=0
	while [ ! -c $DEV ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -c $DEV ] || {
		bad "no $DEV"
		return 1
	}
	ls -l $DEV
	dmesg | grep -i virtio.accel | tail -2
}
# va_smoke32 (32-bit user space, compat ioctls): where the kernel runs
# 32-bit programs (QEMU's Debian kernel; not UML). VA_REQUIRE_32=1 makes a
# kernel that cannot a failure instead of a skip.
run32() {
	[ -x "$T/va_smoke32" ] || {
		echo "=== skip: no va_smoke32 (no -m32 toolchain)"
		[ "${VA_REQUIRE_32:-0}" = 1 ] && bad "va_smoke32 missing"
		return 0
	}
	# (a shell runs a binary it cannot exec as a script: check the output)
	if [ "$("$T/va_smoke32" --probe-exec 2>/dev/null)" != "va_smoke: runs" ]; then
		echo "=== skip: this kernel cannot run 32-bit programs"
		[ "${VA_REQUIRE_32:-0}" = 1 ] && bad "va_smoke32 cannot run"
		return 0
	fi
	run "$T/va_smoke32" "$@"
}
# va_regions: where the VMM gave the guest two adjacent memory regions
# (driver/tests/run-qemu.sh: DIMMs, VA_REGION_BOUNDARY = the second's start)
run_regions() {
	[ -n "${VA_REGION_BOUNDARY:-}" ] || return 0
	run "$T/va_regions" "$VA_REGION_BOUNDARY"
}
unload() {
	step "rmmod virtio_accel"
	rmmod virtio_accel || bad "rmmod"
}

# 1. zero-copy
if load; then
	run "$T/va_smoke" $QUICK
	run32 --quick
	run "$T/va_zc" "$T/libvatest.so"
	run "$T/va_memcg" "$T/libvatest.so"
	run_regions
	run "$T/va_threads" 16 100 4
	if [ -z "$QUICK" ]; then
		run "$T/va_big" 1024
		run "$T/va_big" 64 5
	else
		run "$T/va_big" 64 2
	fi
	run "$T/va_kill" "$T/libvatest.so"
	run "$T/va_unbind" "$T/libvatest.so"
	run "$T/va_smoke" --quick
	if [ -c /dev/virtio-accel1 ]; then
		# two devices at once
		step "two devices"
		VA_DEV=/dev/virtio-accel1 "$T/va_threads" 8 50 2 &
		p1=$!
		"$T/va_threads" 8 50 2 || bad "va_threads on virtio-accel0"
		wait $p1 || bad "va_threads on virtio-accel1"
		VA_DEV=/dev/virtio-accel1 "$T/va_smoke" --quick ||
			bad "va_smoke on virtio-accel1"
	fi

	# rmmod must fail while a file is open, and work after
	step "rmmod with a file open"
	exec 3<>$DEV
	if rmmod virtio_accel 2>/dev/null; then
		bad "rmmod succeeded with a file open"
		exec 3>&-
	else
		exec 3>&-
		ok "rmmod refused while open"
		unload
	fi
fi

# 2. bounce buffers (zero_copy=0 on a ZC=1 build; a ZC=0 build ignores it)
if load zero_copy=0 request_timeout_ms=30000; then
	run "$T/va_smoke" --quick
	run32 --quick
	run "$T/va_zc" "$T/libvatest.so"
	run_regions
	run "$T/va_threads" 8 50 2
	if [ -z "$QUICK" ]; then
		run "$T/va_big" 1024
	else
		run "$T/va_big" 64 2
	fi
	run "$T/va_kill" "$T/libvatest.so"
	unload
fi

echo "=== driver tests: $fails failure(s)"
exit $fails
