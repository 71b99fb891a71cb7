#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build virtio_accel.ko against Debian's 6.1 headers (vm/kernel-headers.sh)
# and the test programs, boot Debian's 6.1 kernel in QEMU with the device
# on virtio-pci (vm/run-qemu.sh) and run run-guest.sh --quick in it (with
# va_smoke32, the 32-bit smoke test, required: make sure gcc-multilib is
# installed, scripts/install-deps.sh test).
#   driver/tests/run-qemu.sh [--zc0] [vm/run-qemu.sh options]
# Environment: BUILD (meson build dir with host/vhost-user-accel), KDIR.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
zc=1
if [ "${1:-}" = --zc0 ]; then
	zc=0
	shift
fi
vm=${VM_DIR:-$repo/build/vm}
KDIR=${KDIR:-$vm/headers-6.1/kdir}
[ -d "$KDIR" ] || "$repo/vm/kernel-headers.sh" >/dev/null
out=$vm/driver-qemu-zc$zc
mkdir -p "$out"
cp "$repo"/driver/*.c "$repo"/driver/*.h "$repo"/driver/Kbuild \
	"$repo"/driver/Makefile "$out"/
make -C "$out" KDIR="$KDIR" ZC=$zc VA_UAPI="$repo/include/uapi" >"$out/build.log" 2>&1 || {
	cat "$out/build.log"
	exit 1
}
if grep -qi 'warning:' "$out/build.log"; then
	grep -i -A3 'warning:' "$out/build.log"
	exit 1
fi
make -C "$here" O="$out/tests" >/dev/null
cp "$here/run-guest.sh" "$out/tests/"
build=${BUILD:-$repo/build}
case "$build" in /*) ;; *) build=$repo/$build ;; esac
plugins=$build/plugins/noop/libvaccel-noop.so:$build/plugins/exec/libvaccel-exec.so
# The Debian kernel runs 32-bit programs: va_smoke32 must run there.
# Two adjacent 256 MiB DIMMs (separate memory backends, so separate
# regions of the device's memory table) at 4 GiB, onlined at boot:
# va_regions checks that no data segment spans both.
dimms="-m 2G,slots=2,maxmem=4G"
for i in 0 1; do
	dimms="$dimms -object memory-backend-memfd,id=dimm$i,size=256M,share=on"
	dimms="$dimms -device pc-dimm,id=pcdimm$i,memdev=dimm$i,addr=$((0x100000000 + i * 0x10000000))"
done
exec "$repo/vm/run-qemu.sh" --plugins "$plugins" --mem 2G --timeout 1200 --daemon-args "-w 4" \
	--qemu-args "$dimms" --kernel-args "memhp_default_state=online_kernel" \
	--env VA_REGION_BOUNDARY=0x110000000 \
	--copy "$out/tests" --copy "$out/virtio_accel.ko" --env VA_REQUIRE_32=1 "$@" -- \
	sh "$out/tests/run-guest.sh" "$out/virtio_accel.ko" "$out/tests" --quick
