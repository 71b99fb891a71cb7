#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The main job in a guest: boots a VM (VMM=uml, or VMM=qemu for x86 with
# virtio-pci), loads virtio_accel.ko, and runs the vAccel example programs
# with VACCEL_PLUGINS=libvaccel-virtio.so; every operation executes on this
# host in the vhost-user-accel daemon (sgemm on OpenBLAS). Prints what ran
# where and how long each step took. Artefacts (UML kernel, QEMU, Debian
# kernel) are built on first use, with progress messages.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
BUILD=${BUILD:-build}
BUILD=$(cd "$BUILD" && pwd)
VMM=${VMM:-uml}
ITER=${DEMO_ITERATIONS:-3}
# shellcheck source=vm/lib.sh
. vm/lib.sh

t_start=$(date +%s)
out=$BUILD/demo
mkdir -p "$out"
step() { printf '>> [%3ds] %s\n' $(($(date +%s) - t_start)) "$*"; }

case "$VMM" in
uml)
	step "UML guest kernel (debug build: KASAN, lockdep, kmemleak; first time ~15 min)"
	kdir=$(vm/uml-kernel.sh) || vm_die "UML kernel build failed"
	kdir=$(printf '%s\n' "$kdir" | tail -1)
	run=vm/run-uml.sh
	;;
qemu)
	step "QEMU 10 with vhost-user-accel-pci (first time ~10 min) and Debian's 6.1 kernel"
	vm/qemu.sh >"$out/qemu-build.log" 2>&1 || vm_die "QEMU build failed: $out/qemu-build.log"
	vm/debian-kernel.sh >"$out/debian-kernel.log" 2>&1 || vm_die "Debian kernel: $out/debian-kernel.log"
	eval "$(vm/kernel-headers.sh)"
	kdir=$KDIR_6_1
	run=vm/run-qemu.sh
	;;
*) vm_die "VMM must be uml or qemu (got '$VMM')" ;;
esac

step "guest driver virtio_accel.ko for $VMM (zero copy)"
drv=$out/driver-$VMM
rm -rf "$drv" && mkdir -p "$drv"
cp driver/*.c driver/*.h driver/Kbuild driver/Makefile "$drv"/
make -C "$drv" KDIR="$kdir" VA_UAPI="$REPO/include/uapi" >"$drv/build.log" 2>&1 ||
	vm_die "driver build failed: $drv/build.log"

P=$BUILD/plugins
guest=$out/guest.sh
cat >"$guest" <<GUEST
#!/bin/sh
# runs inside the guest
B=$BUILD
export VACCEL_PLUGINS=\$B/plugins/virtio/libvaccel-virtio.so
export VACCEL_PROFILING_ENABLED=1 VACCEL_LOG_LEVEL=3
echo "guest: \$(uname -sr), device \$(ls /dev/virtio-accel* 2>/dev/null)"
run() { # title host-plugin-hint program args...
	title=\$1; hint=\$2; shift 2
	echo
	echo "== \$title  [guest: libvaccel-virtio.so -> host daemon]"
	t0=\$(date +%s%N 2>/dev/null || date +%s)
	VACCEL_VIRTIO_SESSION_HINT=\$hint "\$@" || { echo "FAILED: \$title"; exit 1; }
	t1=\$(date +%s%N 2>/dev/null || date +%s)
	echo "-- \$title took \$(( (t1 - t0) / 1000000 )) ms (guest clock)"
}
run "noop" 0x100 \$B/examples/noop $ITER
run "exec (host runs mytestfunc)" 0x80 \$B/examples/exec $ITER
run "exec_with_resource (library shipped by value)" 0x80 \$B/examples/exec_with_resource $ITER
run "sgemm 512^3 on the host's OpenBLAS" 0x1 \$B/examples/sgemm $ITER
run "sgemm through genop" 0x1 \$B/examples/sgemm_genop $ITER
run "image classification (host noop backend)" 0x100 \$B/examples/classify $ITER
echo
echo "guest: all steps completed"
GUEST
chmod +x "$guest"

copies=()
if [ "$VMM" = qemu ]; then
	for f in "$BUILD"/src/libvaccel.so* "$P"/virtio/libvaccel-virtio.so "$BUILD"/examples \
		"$guest"; do copies+=(--copy "$f"); done
fi
step "booting the $VMM guest; the daemon serves noop, exec and blas (OpenBLAS)"
"$run" --plugins "$P/blas/libvaccel-blas.so:$P/exec/libvaccel-exec.so:$P/noop/libvaccel-noop.so" \
	--module "$drv/virtio_accel.ko" --rmmod --timeout 900 "${copies[@]}" -- "$guest"
step "demo finished: every operation above ran on this host, requested from the $VMM guest"
