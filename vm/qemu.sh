#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Build QEMU 10.0.2 (Debian's bookworm-backports source) with the named
# virtio-accel devices of vm/qemu/patches/*.patch, once; reuse it while
# $VM_DIR/qemu/.stamp exists (rebuilt when the patch series or the configure
# options change).
#
#   vm/qemu.sh            build (or reuse) and print the binary's path
#   vm/qemu.sh --print    print the binary's path only (fails when not built)
#   vm/qemu.sh --rebuild  rebuild from a fresh source tree
#
# Output: $VM_DIR/qemu/bin/qemu-system-x86_64, with the devices
#   -device vhost-user-accel-pci,chardev=ID[,num-queues=N][,queue-size=N]
#   -device vhost-user-accel,...   (for virtio-mmio buses)
# and user networking (libslirp: -netdev user, for vm/run-qemu.sh --net-user).
# Run it with "-L /usr/share/seabios -L /usr/share/qemu -nic none" (firmware
# from Debian's seabios and qemu-system-data) and shared guest memory
# (-object memory-backend-memfd,id=mem,size=...,share=on
#  -machine pc,memory-backend=mem); vm/run-qemu.sh does all of that.
#
# Build tools not in bookworm (meson >= 1.5, pycotap) are unpacked from
# bookworm-backports into $VM_DIR/qemu/tools and used through PYTHONPATH;
# the system's meson is left alone.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

OUT=$VM_DIR/qemu
BIN=$OUT/bin/qemu-system-x86_64
PATCHES=("$VM_REPO"/vm/qemu/patches/*.patch)
patch_sum=$(cat "${PATCHES[@]}" | sha256sum | cut -c1-16)
# x86_64 system emulator only, TCG, vhost-user, slirp
CONFIGURE=(--python=/usr/bin/python3
	--target-list=x86_64-softmmu --without-default-features
	--enable-vhost-user --enable-tcg --enable-kvm --enable-slirp --disable-docs --disable-user
	--disable-werror --disable-tools --disable-download --disable-install-blobs
	--firmwarepath=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu)
# the binary's stamp: the patches and the configure options
build_sum=$({ cat "${PATCHES[@]}" && printf '%s\n' "${CONFIGURE[@]}"; } | sha256sum | cut -c1-16)

case "${1:-}" in
--print)
	vm_have_stamp "$OUT" || vm_die "QEMU not built; run $0"
	echo "$BIN"
	exit 0
	;;
--rebuild) rm -f "$OUT/.stamp" "$OUT/src/.stamp" ;;
"") ;;
-h | --help)
	vm_usage
	exit 0
	;;
*) vm_die "unknown argument '$1' (try --help)" ;;
esac
# Only the result goes to stdout (callers capture it); everything else,
# build tools' chatter included, to stderr.
exec 3>&1 1>&2


if vm_have_stamp "$OUT" && [ "$(cat "$OUT/.stamp")" = "$build_sum" ] && [ -x "$BIN" ]; then
	vm_msg "QEMU present: $BIN"
	echo "$BIN" >&3
	exit 0
fi

vm_need_root
vm_backports
vm_deps
rm -f "$OUT/.stamp"
mkdir -p "$OUT"

# 1. meson and pycotap from bookworm-backports, unpacked (not installed)
TOOLS=$OUT/tools
if ! vm_have_stamp "$TOOLS"; then
	vm_step_begin "unpacking meson and pycotap from bookworm-backports"
	rm -rf "$TOOLS"
	vm_download "$TOOLS/debs" meson/bookworm-backports python3-pycotap/bookworm-backports
	for d in "$TOOLS"/debs/*.deb; do dpkg-deb -x "$d" "$TOOLS"; done
	rm -rf "$TOOLS/debs"
	vm_write_stamp "$TOOLS"
	vm_step_end
fi
export PYTHONPATH=$TOOLS/usr/lib/python3/dist-packages${PYTHONPATH:+:$PYTHONPATH}
export PATH=$TOOLS/usr/bin:$PATH

# 2. source: the backports version's orig tarball, patched
SRC=$OUT/src
if ! vm_have_stamp "$SRC" || [ "$(cat "$SRC/.stamp")" != "$patch_sum" ]; then
	vm_step_begin "unpacking and patching QEMU 10.0.2 source"
	ver=$(apt-cache showsrc qemu | sed -n 's/^Version: //p' | grep -m1 '^1:10\.0\.2+.*bpo12') ||
		vm_die "no QEMU 10.0.2 source in bookworm-backports (apt-cache showsrc qemu)"
	mkdir -p "$VM_DIR/src/qemu"
	# the .dsc is missing from the archive: fetch the orig tarball only
	if ! compgen -G "$VM_DIR/src/qemu/qemu_10.0.2*.orig.tar.*" >/dev/null; then
		(cd "$VM_DIR/src/qemu" &&
			apt-get source -q --tar-only "qemu=$ver" >"$VM_DIR/src/qemu/apt-source.log" 2>&1) || {
			cat "$VM_DIR/src/qemu/apt-source.log" >&2
			vm_die "apt-get source qemu=$ver failed (log: $VM_DIR/src/qemu/apt-source.log)"
		}
	fi
	rm -rf "$SRC" "$OUT/build"
	mkdir -p "$SRC"
	tar -xf "$VM_DIR"/src/qemu/qemu_10.0.2*.orig.tar.* -C "$SRC" --strip-components=1
	for p in "${PATCHES[@]}"; do
		vm_msg "  applying $(basename "$p")"
		patch -d "$SRC" -p1 -s <"$p" || vm_die "patch $p failed"
	done
	vm_write_stamp "$SRC" "$patch_sum"
	vm_step_end
fi

# 3. configure (again when the options changed) and build
if [ ! -f "$OUT/build/build.ninja" ] ||
	[ "$(cat "$OUT/build/.configure-args" 2>/dev/null)" != "${CONFIGURE[*]}" ]; then
	vm_step_begin "configuring QEMU"
	rm -rf "$OUT/build"
	mkdir -p "$OUT/build"
	(cd "$OUT/build" && "$SRC/configure" "${CONFIGURE[@]}") >"$OUT/configure.log" 2>&1 || {
		tail -30 "$OUT/configure.log" >&2
		vm_die "QEMU configure failed (log: $OUT/configure.log)"
	}
	printf '%s\n' "${CONFIGURE[*]}" >"$OUT/build/.configure-args"
	vm_step_end
fi
vm_step_begin "building QEMU (first time, ~6 min on 2 cores)"
nice -n 10 ninja -C "$OUT/build" -j"$VM_JOBS" qemu-system-x86_64 >"$OUT/build.log" 2>&1 || {
	tail -30 "$OUT/build.log" >&2
	vm_die "QEMU build failed (log: $OUT/build.log)"
}
mkdir -p "$OUT/bin"
strip -o "$BIN.tmp" "$OUT/build/qemu-system-x86_64"
mv "$BIN.tmp" "$BIN"
vm_step_end

# 4. the devices must be there
"$BIN" -device help 2>/dev/null | grep -q '"vhost-user-accel-pci"' ||
	vm_die "$BIN lacks the vhost-user-accel-pci device"
"$BIN" -netdev help 2>/dev/null | grep -qx user || vm_die "$BIN lacks user networking (libslirp-dev?)"
vm_write_stamp "$OUT" "$build_sum"
vm_msg "QEMU: $BIN"
echo "$BIN" >&3
