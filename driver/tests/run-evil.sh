#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The driver against a malicious device: boot the UML debug kernel (KASAN,
# lockdep, kmemleak) with tests/e2e/evil_dev serving the device instead of
# the daemon (vm/run-uml.sh --backend-cmd), once per evil_dev mode, and
# run va_evil in it. Fails on test failures, on kernel reports, and when
# the device still holds sessions at disconnect (destroys lost).
#   driver/tests/run-evil.sh [--zc0] [--ko KO] [--tests DIR] [--logs DIR]
#                            [vm/run-uml.sh options]
# --ko: a virtio_accel.ko already built for the UML tree (default: build
# one); --tests: the built test programs (default: build them).
# Environment: BUILD (meson build dir with tests/e2e/evil_dev), KDIR.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
zc=1
ko=""
tests=""
logs=""
while [ $# -gt 0 ]; do
	case "$1" in
	--zc0) zc=0 ;;
	--ko) ko=$2 && shift ;;
	--tests) tests=$2 && shift ;;
	--logs) logs=$2 && shift ;;
	*) break ;;
	esac
	shift
done
build=${BUILD:-$repo/build}
case "$build" in /*) ;; *) build=$repo/$build ;; esac
evil=$build/tests/e2e/evil_dev
[ -x "$evil" ] || {
	echo "run-evil.sh: no $evil (build it: make build)" >&2
	exit 1
}
out=${VM_DIR:-$repo/build/vm}/driver-uml-zc$zc
mkdir -p "$out"
if [ -z "$ko" ]; then
	KDIR=${KDIR:-$("$repo/vm/uml-kernel.sh" --print)}
	cp "$repo"/driver/*.c "$repo"/driver/*.h "$repo"/driver/Kbuild \
		"$repo"/driver/Makefile "$out"/
	make -C "$out" KDIR="$KDIR" ZC=$zc VA_UAPI="$repo/include/uapi" \
		>"$out/build.log" 2>&1 || {
		cat "$out/build.log"
		exit 1
	}
	ko=$out/virtio_accel.ko
fi
if [ -z "$tests" ]; then
	tests=$out/tests
	make -C "$here" O="$tests" >/dev/null
fi
logs=${logs:-$out/evil-logs}
mkdir -p "$logs"

fails=0
for mode in ops huge-inline; do
	log=$logs/evil-$mode.log
	rc=0
	"$repo/vm/run-uml.sh" --module "$ko" --rmmod --kmemleak --mem 1G \
		--timeout 600 -q --log "$log" \
		--backend-cmd "$evil --mode $mode" "$@" -- \
		"$tests/va_evil" "$mode" || rc=$?
	sed 's/\r$//' "$log" | grep '^va_evil: ' || true
	dlog=${log%.log}.daemon.log
	if [ "$rc" = 0 ] &&
		! grep -q 'live sessions at disconnect: 0 ' "$dlog"; then
		grep 'live sessions' "$dlog" || echo "no disconnect record in $dlog"
		rc=1
	fi
	if [ "$rc" = 0 ]; then
		echo "EVIL-RESULT $mode PASS"
	else
		echo "EVIL-RESULT $mode FAIL (exit $rc; log $log, device log $dlog)"
		fails=$((fails + 1))
	fi
done
exit $fails
