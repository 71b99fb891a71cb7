#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Fetch Debian's kernel headers for out-of-tree module builds, unpacked with
# dpkg -x (nothing is installed into /), once; reuse while present.
#
#   vm/kernel-headers.sh [6.1|6.12]...   (default: both)
#   vm/kernel-headers.sh --print 6.1     print one KDIR only (fails when absent)
#
#   6.1   bookworm's (security-updated) linux-headers-<abi>-amd64
#   6.12  bookworm-backports' linux-headers-<abi>-amd64
#
# Prints one line per version: "KDIR_6_1=<dir>" / "KDIR_6_12=<dir>", e.g.
#   make -C driver KDIR=$VM_DIR/headers-6.1/kdir
# ($VM_DIR/headers-<v>/kdir is a symlink to usr/src/linux-headers-<abi>.)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

print_only=0
versions=()
while [ $# -gt 0 ]; do
	case "$1" in
	--print) print_only=1 ;;
	6.1 | 6.12) versions+=("$1") ;;
	-h | --help)
		vm_usage
		exit 0
		;;
	*) vm_die "unknown argument '$1' (try --help)" ;;
	esac
	shift
done
[ ${#versions[@]} -gt 0 ] || versions=(6.1 6.12)
# Only the assignments go to stdout (callers eval them); everything else,
# apt's and dpkg's chatter included, to stderr.
exec 3>&1 1>&2

# fetch_headers VERSION: unpack the headers of Debian's kernel VERSION
fetch_headers() {
	local v=$1 dir=$VM_DIR/headers-$1 abi pkgs=() target=() d
	if [ "$v" = 6.12 ]; then target=(-t bookworm-backports); fi
	abi=$(apt-cache depends "${target[@]}" linux-headers-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-headers-//p' | grep -m1 -- "^${v//./\\.}[.-]") ||
		vm_die "cannot resolve Debian's $v kernel ABI (apt-cache depends linux-headers-amd64)"
	# the arch headers, their -common part and the kbuild tools they depend on
	mapfile -t pkgs < <(apt-cache depends "linux-headers-$abi" |
		sed -n 's/^ *|\{0,1\}Depends: //p' | grep -E '^linux-(headers|kbuild)-' | sort -u)
	pkgs=("linux-headers-$abi" "${pkgs[@]}")
	vm_step_begin "fetching Debian's $v headers ($abi)"
	rm -rf "$dir"
	vm_download "$dir/debs" "${pkgs[@]}"
	for d in "$dir"/debs/*.deb; do dpkg-deb -x "$d" "$dir"; done
	rm -rf "$dir/debs"
	local kdir=$dir/usr/src/linux-headers-$abi
	[ -f "$kdir/Makefile" ] || vm_die "no $kdir/Makefile in the unpacked packages"
	# the arch Makefile includes the -common one by absolute path: point it
	# into the unpacked tree
	sed -i "s#^include /usr/src/#include $dir/usr/src/#" "$kdir/Makefile"
	ln -sfn "usr/src/linux-headers-$abi" "$dir/kdir"
	vm_write_stamp "$dir" "$abi"
	vm_step_end
}

for v in "${versions[@]}"; do
	dir=$VM_DIR/headers-$v
	if ! vm_have_stamp "$dir"; then
		[ "$print_only" = 0 ] || vm_die "headers $v not fetched; run $0 $v"
		vm_need_root
		vm_backports
		vm_deps
		fetch_headers "$v"
	fi
	echo "KDIR_${v//./_}=$dir/kdir" >&3
done
