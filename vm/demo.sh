#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The main job in a guest: boots a VM (VMM=uml, or VMM=qemu for x86 with
# virtio-pci), loads virtio_accel.ko, and runs the vAccel example programs
# with VACCEL_PLUGINS=libvaccel-virtio.so; every operation executes on this
# host in the vhost-user-accel daemon: sgemm on OpenBLAS, and the 10000
# Fashion-MNIST test images classified by a TorchScript model (trained with
# libtorch on first run, cached) on the torch plugin, every prediction
# checked against libtorch's own on the host. The terminal gets one line per
# step and a summary table (result, guest time); the guest console goes to
# $BUILD/demo/guest-<vmm>.log. Artefacts (UML kernel, QEMU, Debian kernel)
# are built on first use, with progress messages.
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
TORCH=$P/torch/libvaccel-torch.so
[ -f "$TORCH" ] || vm_die "$TORCH not built (libtorch-dev missing? see plugins/torch/README.md)"
step "Fashion-MNIST classifier (Debian's dataset, trained with libtorch on first run, cached)"
FASHION=$out/fashion
scripts/fashion-model.sh "$FASHION" | sed 's/^/   /'
F=$FASHION
step "reference on this host: the same program with the torch plugin, no VM"
ht0=$(date +%s%N)
VACCEL_PLUGINS=$TORCH "$BUILD/examples/fashion_classify" "$F/model.pt" \
	"$F/t10k-images-idx3-ubyte" "$F/t10k-labels-idx1-ubyte" 1000 \
	"$out/predictions-host" >"$out/host-classify.log" 2>&1 ||
	vm_die "host run failed: $out/host-classify.log"
host_ms=$((($(date +%s%N) - ht0) / 1000000))
printf '   %s  (%d ms)\n' "$(grep accuracy "$out/host-classify.log")" "$host_ms"

guest=$out/guest.sh
cat >"$guest" <<GUEST
#!/bin/sh
# runs inside the guest; one DEMO-STEP line per step for the summary
B=$BUILD
F=$F
T=\${TMPDIR:-/tmp}
export VACCEL_PLUGINS=\$B/plugins/virtio/libvaccel-virtio.so
export VACCEL_LOG_LEVEL=1
echo "guest: \$(uname -sr), device \$(ls /dev/virtio-accel* 2>/dev/null)"
# ns; busybox's date has no %N: the uptime clock then (10 ms resolution)
now() {
	t=\$(date +%s%N 2>/dev/null)
	case "\$t" in
	'' | *[!0-9]*) t=\$(awk '{ printf "%.0f", \$1 * 1e9 }' /proc/uptime) ;;
	esac
	echo "\$t"
}
failed=0
run() { # title host-plugin-hint program args...
	title=\$1; hint=\$2; shift 2
	t0=\$(now)
	VACCEL_VIRTIO_SESSION_HINT=\$hint "\$@" >\$T/out 2>&1; rc=\$?
	t1=\$(now)
	cat \$T/out
	res=\$(grep -m1 'accuracy' \$T/out ||
		grep -Ev '^Initialized|^Registered|iteration\\(s\\)|\\[prof\\]|^[0-9]{4}\\.' \$T/out | tail -1)
	[ \$rc = 0 ] || failed=1
	echo "DEMO-STEP|\$rc|\$(( (t1 - t0) / 1000000 ))|\$title|\$res"
}
run "noop" 0x100 \$B/examples/noop $ITER
run "exec: the host runs mytestfunc" 0x80 \$B/examples/exec $ITER
run "exec_with_resource: library shipped by value" 0x80 \$B/examples/exec_with_resource $ITER
run "sgemm 512^3 on the host's OpenBLAS" 0x1 \$B/examples/sgemm $ITER
run "Fashion-MNIST: 10000 images through TorchScript" 0x20 \$B/examples/fashion_classify \\
	\$F/model.pt \$F/t10k-images-idx3-ubyte \$F/t10k-labels-idx1-ubyte 1000 \$T/pred-guest
if cmp -s \$T/pred-guest \$F/model.pt.predictions; then
	echo "DEMO-STEP|0|0|guest predictions vs libtorch on the host|all 10000 equal"
else
	echo "DEMO-STEP|1|0|guest predictions vs libtorch on the host|DIFFERENT"
	failed=1
fi
exit \$failed
GUEST
chmod +x "$guest"

copies=()
if [ "$VMM" = qemu ]; then
	for f in "$BUILD"/src/libvaccel.so* "$P"/virtio/libvaccel-virtio.so "$BUILD"/examples \
		"$F/model.pt" "$F/model.pt.predictions" "$F/t10k-images-idx3-ubyte" \
		"$F/t10k-labels-idx1-ubyte" "$guest"; do copies+=(--copy "$f"); done
fi
log=$out/guest-$VMM.log
step "booting the $VMM guest (console: $log); the daemon serves noop, exec, blas and torch"
set +e
"$run" -q --log "$log" --mem 768M \
	--plugins "$P/blas/libvaccel-blas.so:$P/exec/libvaccel-exec.so:$P/noop/libvaccel-noop.so:$TORCH" \
	--module "$drv/virtio_accel.ko" --rmmod --timeout 900 "${copies[@]}" -- "$guest" >"$out/run-$VMM.log" 2>&1
rc=$?
set -e
printf '\n   %-52s %-6s %8s  %s\n' "step (in the $VMM guest, run on this host)" result "guest ms" "result"
{ grep -a '^DEMO-STEP|' "$log" || true; } | while IFS='|' read -r _ src ms title res; do
	r=OK
	[ "$src" = 0 ] || r=FAIL
	printf '   %-52s %-6s %8s  %s\n' "$title" "$r" "$ms" "$res"
done
printf '   %-52s %-6s %8s  %s\n' "(host reference, no VM: fashion_classify)" OK "$host_ms" \
	"$(grep accuracy "$out/host-classify.log")"
if [ "$rc" != 0 ]; then
	tail -20 "$out/run-$VMM.log"
	vm_die "the guest run failed (exit $rc): $log"
fi
step "demo finished: every operation above ran on this host, requested from the $VMM guest"
