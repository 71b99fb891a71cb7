#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# `make bench`: every benchmark, one "BENCH name median= baseline= ratio=" line
# per figure. Medians over repeated rounds; baselines measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
echo ">> runtime dispatch (local plugins)"
"$BUILD/bench/bench_runtime" "$BUILD/plugins/noop/libvaccel-noop.so" \
	"$BUILD/plugins/blas/libvaccel-blas.so"
if [ -x "$BUILD/bench/host/bench_daemon" ]; then
	echo ">> vhost-user-accel (real daemon, harness VMM)"
	"$BUILD/bench/host/bench_daemon" "$BUILD/host/vhost-user-accel" \
		"$BUILD/plugins/noop/libvaccel-noop.so" \
		"$BUILD/plugins/exec/libvaccel-exec.so" \
		"$BUILD/bench/host/libbench_sum.so"
fi
if [ -x "$BUILD/bench/host/bench_rpc" ]; then
	echo ">> vAccel RPC (real daemon, UNIX socket)"
	"$BUILD/bench/host/bench_rpc" "$BUILD/host/vhost-user-accel" \
		"$BUILD/plugins/noop/libvaccel-noop.so" \
		"$BUILD/plugins/exec/libvaccel-exec.so" \
		"$BUILD/bench/host/libbench_sum.so"
fi
for b in bench/*.sh; do
	[ "$b" = bench/run.sh ] && continue
	echo ">> $b"
	BUILD=$BUILD bash "$b"
done
