#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# `make demo`: the main job. Runs the vAccel example programs and shows which
# plugin ran each one, where, and how long it took.
#
#   VMM=uml (default) or VMM=qemu: a guest VM runs the programs with the
#   virtio plugin; they execute on this host in vhost-user-accel (vm/demo.sh).
#   VMM=local: the programs run on this machine through libvaccel and the
#   real plugins (noop, exec, blas, torch), no VM.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
VMM=${VMM:-uml}
ITER=${DEMO_ITERATIONS:-3}
P=$BUILD/plugins

if [ "$VMM" != local ]; then
	exec vm/demo.sh "$@"
fi

step() { # title, plugin, program args...
	local title=$1 plugin=$2
	shift 2
	printf '\n== %s  [plugin: %s, on: this host]\n' "$title" "$(basename "$plugin")"
	local t0 t1
	t0=$(date +%s%N)
	VACCEL_PLUGINS=$plugin VACCEL_PROFILING_ENABLED=1 VACCEL_LOG_LEVEL=${VACCEL_LOG_LEVEL:-3} "$@"
	t1=$(date +%s%N)
	printf -- '-- %s took %d ms\n' "$title" $(((t1 - t0) / 1000000))
}

echo "virtio-accel demo: vAccel programs through libvaccel $(cat "$BUILD/meson-info/intro-projectinfo.json" 2>/dev/null | sed -n 's/.*"version": "\([^"]*\)".*/\1/p')"
"$BUILD/tools/vaccel" --plugins "$P/noop/libvaccel-noop.so:$P/exec/libvaccel-exec.so:$P/blas/libvaccel-blas.so" info
step "noop" "$P/noop/libvaccel-noop.so" "$BUILD/examples/noop" "$ITER"
step "exec (mytestfunc doubles its input)" "$P/exec/libvaccel-exec.so" "$BUILD/examples/exec" "$ITER"
step "exec_with_resource" "$P/exec/libvaccel-exec.so" "$BUILD/examples/exec_with_resource" "$ITER"
step "sgemm on OpenBLAS" "$P/blas/libvaccel-blas.so" "$BUILD/examples/sgemm" "$ITER"
step "sgemm through genop" "$P/blas/libvaccel-blas.so" "$BUILD/examples/sgemm_genop" "$ITER"
F=$BUILD/demo/fashion
scripts/fashion-model.sh "$F"
step "Fashion-MNIST: 10000 test images through TorchScript" "$P/torch/libvaccel-torch.so" \
	"$BUILD/examples/fashion_classify" "$F/model.pt" "$F/t10k-images-idx3-ubyte" \
	"$F/t10k-labels-idx1-ubyte" 1000
echo
echo "demo: all steps completed"
