#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build virtio_accel.ko for the UML debug kernel (vm/uml-kernel.sh) and the
# test programs, then boot UML with the host daemon (vm/run-uml.sh) and run
# run-guest.sh in it. Fails on test failures and on KASAN, lockdep,
# WARNING or kmemleak reports in the guest log.
#   driver/tests/run-uml.sh [--zc0] [--quick] [--two] [vm/run-uml.sh options]
# --two: a second daemon and device (/dev/virtio-accel1) for multi-device
# tests.
# Environment: BUILD (meson build dir with host/vhost-user-accel), KDIR.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
zc=1
quick=""
two=0
while [ $# -gt 0 ]; do
	case "$1" in
	--zc0) zc=0 ;;
	--quick) quick=--quick ;;
	--two) two=1 ;;
	*) break ;;
	esac
	shift
done
KDIR=${KDIR:-$("$repo/vm/uml-kernel.sh" --print)}
out=${VM_DIR:-$repo/build/vm}/driver-uml-zc$zc
mkdir -p "$out"

# A private copy of the sources: the build does not disturb driver/.
cp "$repo"/driver/*.c "$repo"/driver/*.h "$repo"/driver/Kbuild \
	"$repo"/driver/Makefile "$out"/
make -C "$out" KDIR="$KDIR" ZC=$zc VA_UAPI="$repo/include/uapi" >"$out/build.log" 2>&1 || {
	cat "$out/build.log"
	exit 1
}
if grep -qi 'warning' "$out/build.log"; then
	grep -i -A3 'warning' "$out/build.log"
	echo "run-uml.sh: the module build has warnings" >&2
	exit 1
fi
make -C "$here" O="$out/tests" >/dev/null

build=${BUILD:-$repo/build}
case "$build" in /*) ;; *) build=$repo/$build ;; esac
plugins=$build/plugins/noop/libvaccel-noop.so:$build/plugins/exec/libvaccel-exec.so
set -- --mem 5G --timeout 1200 --kmemleak --daemon-args "-w 4" \
	--plugins "$plugins" "$@"
if [ "$two" = 1 ]; then
	sock2=$out/accel2.sock
	rm -f "$sock2"
	"$build/host/vhost-user-accel" --socket "$sock2" -w 2 \
		--plugins "$build/plugins/noop/libvaccel-noop.so" \
		>"$out/daemon2.log" 2>&1 &
	d2=$!
	trap 'kill $d2 2>/dev/null || true' EXIT
	i=0
	while [ ! -S "$sock2" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	set -- "$@" --kernel-args "virtio_uml.device=$sock2:63"
fi
rc=0
"$repo/vm/run-uml.sh" "$@" -- \
	sh "$here/run-guest.sh" "$out/virtio_accel.ko" "$out/tests" $quick || rc=$?
exit $rc
