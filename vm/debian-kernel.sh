#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Fetch Debian's 6.1 amd64 kernel (vmlinuz and its modules, unpacked with
# dpkg -x, nothing installed into /) for the QEMU guest, once; reuse while
# $VM_DIR/debian-kernel/.stamp exists.
#
#   vm/debian-kernel.sh          fetch (or reuse); print the directory
#   vm/debian-kernel.sh --print  print the directory only (fails when absent)
#
# Output ($D = $VM_DIR/debian-kernel):
#   $D/vmlinuz          the kernel image
#   $D/modules          lib/modules/<abi> (virtio_pci.ko, ...)
#   $D/abi              the ABI string, e.g. 6.1.0-56-amd64
#   $D/config           the kernel's configuration
# The matching headers (for building modules that load into it):
#   vm/kernel-headers.sh 6.1
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

D=$VM_DIR/debian-kernel
case "${1:-}" in
--print)
	vm_have_stamp "$D" || vm_die "Debian kernel not fetched; run $0"
	echo "$D"
	exit 0
	;;
"") ;;
-h | --help)
	vm_usage
	exit 0
	;;
*) vm_die "unknown argument '$1' (try --help)" ;;
esac

if vm_have_stamp "$D"; then
	vm_msg "Debian kernel present: $D/vmlinuz ($(cat "$D/abi"))"
	echo "$D"
	exit 0
fi

vm_need_root
vm_deps
abi=$(vm_debian_abi)
vm_step_begin "fetching Debian's kernel $abi (first time, ~15 s)"
rm -rf "$D"
vm_download "$D/debs" "linux-image-$abi"
mkdir -p "$D/root"
for d in "$D"/debs/*.deb; do dpkg-deb -x "$d" "$D/root"; done
rm -rf "$D/debs"
[ -f "$D/root/boot/vmlinuz-$abi" ] || vm_die "no boot/vmlinuz-$abi in linux-image-$abi"
# the package ships no modules.dep (its postinst runs depmod)
PATH=$PATH:/usr/sbin:/sbin depmod -b "$D/root" "$abi"
ln -sfn "root/boot/vmlinuz-$abi" "$D/vmlinuz"
ln -sfn "root/boot/config-$abi" "$D/config"
ln -sfn "root/lib/modules/$abi" "$D/modules"
echo "$abi" >"$D/abi"
vm_write_stamp "$D" "$abi"
vm_step_end
echo "$D"
