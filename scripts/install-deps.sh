#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Install the Debian packages a target needs, idempotently: packages already
# installed are skipped, and apt-get runs only when something is missing.
#
#   scripts/install-deps.sh build|test|bench|demo|vm ...
#
# Needs root (or sudo) only when something must be installed.
set -euo pipefail

# g++ libtorch-dev: the torch plugin (libvaccel-torch.so, plugins/torch/)
# libprotobuf-c-dev protobuf-c-compiler: vAccel's RPC messages (rpc/)
build_pkgs=(gcc make meson ninja-build pkg-config libcmocka-dev
	libopenblas-dev libseccomp-dev g++ libtorch-dev
	libprotobuf-c-dev protobuf-c-compiler)
# python3-protobuf protobuf-compiler: the RPC wire check encodes the same
# messages independently of our code (tests/rpc/wire_check.py)
test_pkgs=(valgrind clang libclang-rt-14-dev python3-protobuf protobuf-compiler)
# the demo's classifier is trained on Debian's Fashion-MNIST (make demo, the
# e2e suite's torch cases)
data_pkgs=(dataset-fashion-mnist)
# gcc-multilib: the driver's 32-bit smoke test (driver/tests va_smoke32,
# -m32 -static) for the QEMU guest's compat ioctl path
vm_pkgs=(gcc make bc flex bison cpio patch kmod xz-utils gzip busybox-static libelf-dev dwarves libglib2.0-dev libfdt-dev ninja-build pkg-config seabios qemu-system-data gcc-multilib libslirp-dev)
# bench: the guest benchmark boots the QEMU guest (vm group) next to
# qemu-storage-daemon (package qemu-system-common), its disk baseline; its
# model figures run the demo's classifier (data group)
bench_pkgs=(qemu-system-common)

want=()
for group in "$@"; do
	case "$group" in
	build) want+=("${build_pkgs[@]}") ;;
	demo) want+=("${build_pkgs[@]}" "${data_pkgs[@]}") ;;
	bench) want+=("${build_pkgs[@]}" "${vm_pkgs[@]}" "${bench_pkgs[@]}" "${data_pkgs[@]}") ;;
	test) want+=("${build_pkgs[@]}" "${test_pkgs[@]}" "${vm_pkgs[@]}" "${data_pkgs[@]}") ;;
	vm) want+=("${vm_pkgs[@]}") ;;
	*)
		echo "install-deps: unknown group '$group' (build, test, bench, demo, vm)" >&2
		exit 2
		;;
	esac
done

missing=()
for p in "${want[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
# de-duplicate
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)

LOG=${TMPDIR:-/tmp}/virtio-accel-install-deps.log
echo ">> installing Debian packages: ${missing[*]} (apt-get's output: $LOG)"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null; then SUDO=sudo; else
		echo "install-deps: need root to install: ${missing[*]}" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
apt_install() { $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"; }
if ! { apt_install || { $SUDO apt-get update -q && apt_install; }; } >"$LOG" 2>&1; then
	tail -30 "$LOG" >&2
	echo "install-deps: apt-get failed (log: $LOG)" >&2
	exit 1
fi
echo ">> installed ${#missing[@]} package(s)"
