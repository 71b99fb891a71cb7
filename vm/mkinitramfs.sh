#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Build a busybox initramfs for Debian's 6.1 kernel (vm/debian-kernel.sh).
#
#   vm/mkinitramfs.sh -o OUT.cpio.gz --payload SCRIPT [options]
#
#   -o FILE            the gzip'ed cpio archive to write (required)
#   --payload SCRIPT   shell script (busybox sh) the init runs after loading
#                      the modules; its exit code is reported (required)
#   --module "KO [PARAM=VALUE]..."
#                      a module to insmod (with parameters) after the virtio
#                      transport modules, in the order given (repeatable)
#   --copy PATH        a host file or directory to copy to the same path in
#                      the image (repeatable); ELF files bring their ELF
#                      interpreter and every ldd dependency (so do programs,
#                      libvaccel.so and plugins passed this way)
#   --kmemleak SECS    scan for leaks SECS seconds after the payload and print
#                      the report (the Debian kernel has no kmemleak: the init
#                      notes that and goes on)
#   --rmmod            unload the --module modules after the payload
#   --net ADDR/PREFIX,GATEWAY
#                      load virtio_net (+ net_failover, failover) with the
#                      virtio transport and, before the payload, bring up lo
#                      and the first other interface with ADDR/PREFIX and a
#                      default route via GATEWAY; the payload gets
#                      VM_GUEST_IP=ADDR and VM_HOST_IP=GATEWAY (QEMU user
#                      networking: 10.0.2.15/24,10.0.2.2, and 10.0.2.2 is
#                      the host's 127.0.0.1); a failure ends the payload
#                      with 125
#   --kernel-dir DIR   Debian kernel (default: $VM_DIR/debian-kernel)
#
# The init (see vm_guest_init in vm/lib.sh) mounts proc, sysfs, devtmpfs,
# debugfs and a tmpfs on /run, loads virtio, virtio_ring, virtio_pci,
# virtio_mmio (+ their dependencies, from modules.dep) and then the
# --module modules, runs the payload, prints "VM-EXIT-CODE=<n>", syncs and
# powers off. Busybox applets are in /bin.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

out="" payload="" kdir=$VM_DIR/debian-kernel kmemleak=0 rmmod=0 net=""
modules=() copies=()
while [ $# -gt 0 ]; do
	case "$1" in
	-o) out=$2 && shift ;;
	--payload) payload=$2 && shift ;;
	--module) modules+=("$2") && shift ;;
	--copy) copies+=("$2") && shift ;;
	--kmemleak) kmemleak=$2 && shift ;;
	--rmmod) rmmod=1 ;;
	--net) net=$2 && shift ;;
	--kernel-dir) kdir=$2 && shift ;;
	-h | --help)
		vm_usage
		exit 0
		;;
	*) vm_die "unknown argument '$1' (try --help)" ;;
	esac
	shift
done
if [ -z "$out" ] || [ -z "$payload" ]; then vm_die "-o and --payload are required (try --help)"; fi
[ -f "$payload" ] || vm_die "no payload script $payload"
ipv4='([0-9]{1,3}\.){3}[0-9]{1,3}'
if [ -n "$net" ] && ! [[ $net =~ ^$ipv4/[0-9]{1,2},$ipv4$ ]]; then
	vm_die "--net: expected ADDR/PREFIX,GATEWAY (e.g. 10.0.2.15/24,10.0.2.2), got '$net'"
fi
vm_have_stamp "$kdir" || vm_die "no Debian kernel in $kdir; run vm/debian-kernel.sh"
command -v cpio >/dev/null || vm_die "cpio is not installed (scripts/install-deps.sh vm)"
BUSYBOX=/bin/busybox
applets=$("$BUSYBOX" --list 2>/dev/null || true)
grep -qx poweroff <<<"$applets" || vm_die "no busybox at $BUSYBOX (Debian package busybox-static)"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,dev,proc,sys,run,tmp,etc,lib/modules/virtio,lib/modules/extra}
chmod 1777 "$root/tmp"
cp "$BUSYBOX" "$root/bin/busybox"
for a in $applets; do
	[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
done

# copy_path SRC: a host file (with its ELF dependencies) or directory to the
# same path under $root
copy_path() {
	local src=$1 dep
	[ -e "$src" ] || vm_die "--copy: no such file: $src"
	src=$(realpath -s "$src")
	mkdir -p "$root$(dirname "$src")"
	if [ -d "$src" ]; then
		cp -a "$src/." "$root$src/"
		while IFS= read -r -d '' dep; do copy_elf_deps "$dep"; done < <(find "$src" -type f -print0)
		return
	fi
	rm -f "$root$src" # never write through a busybox applet link
	cp -L "$src" "$root$src"
	copy_elf_deps "$src"
}
# copy_elf_deps FILE: the interpreter and the ldd dependencies of an ELF file
copy_elf_deps() {
	local f=$1 lib
	head -c 4 "$f" 2>/dev/null | grep -q 'ELF' || return 0
	while IFS= read -r lib; do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		rm -f "$root$lib"
		cp -L "$lib" "$root$lib"
	done < <(ldd "$f" 2>/dev/null | grep -o '/[^ ]*' | grep -v '^/.*:$' | sort -u)
}
for c in "${copies[@]}"; do copy_path "$c"; done

# virtio transport modules in dependency order, from modules.dep
moddir=$kdir/modules
declare -A seen=()
order=()
add_module() { # NAME: the module and, first, what it depends on
	local name=$1 line rel dep
	line=$(grep -E "/$name\.ko(\.[a-z]+)?:" "$moddir/modules.dep" | head -1) ||
		vm_die "module $name not in $moddir/modules.dep"
	rel=${line%%:*}
	[ -z "${seen[$rel]:-}" ] || return 0
	seen[$rel]=1
	for dep in ${line#*:}; do
		add_module "$(basename "${dep%%.ko*}")"
	done
	order+=("$rel")
}
for m in virtio_pci virtio_mmio ${net:+virtio_net}; do add_module "$m"; done
init_modules=()
for rel in "${order[@]}"; do
	cp "$moddir/$rel" "$root/lib/modules/virtio/"
	init_modules+=("/lib/modules/virtio/$(basename "$rel")")
done
for m in "${modules[@]}"; do
	ko=${m%% *}
	params=${m#"$ko"}
	[ -f "$ko" ] || vm_die "--module: no such file: $ko"
	cp "$ko" "$root/lib/modules/extra/"
	init_modules+=("/lib/modules/extra/$(basename "$ko")$params")
done

if [ -z "$net" ]; then
	cp "$payload" "$root/payload.sh"
else
	# the network first, then the payload (exec'ed: its exit code is ours)
	cp "$payload" "$root/payload-main.sh"
	cat >"$root/payload.sh" <<EOS
# generated by vm/mkinitramfs.sh --net
addr=${net%,*} gw=${net#*,}
EOS
	cat >>"$root/payload.sh" <<'EOS'
net_fail() {
	echo "VM-INIT: network setup failed: $*"
	exit 125
}
ip link set lo up || net_fail "ip link set lo up"
dev=""
for _ in $(seq 50); do
	for d in /sys/class/net/*; do
		[ "${d##*/}" = lo ] || [ ! -e "$d" ] || { dev=${d##*/} && break; }
	done
	[ -z "$dev" ] || break
	sleep 0.1
done
[ -n "$dev" ] || net_fail "no network interface (virtio_net loaded, no device?)"
ip addr add "$addr" dev "$dev" || net_fail "ip addr add $addr dev $dev"
ip link set "$dev" up || net_fail "ip link set $dev up"
ip route add default via "$gw" dev "$dev" || net_fail "ip route add default via $gw"
echo "VM-INIT: network: $dev $addr, host (gateway) $gw"
export VM_GUEST_IP="${addr%/*}" VM_HOST_IP="$gw"
exec sh /payload-main.sh
EOS
fi
# --rmmod unloads only the --module modules, not the transport
[ "$rmmod" = 0 ] || rmmod=${#modules[@]}
vm_guest_init "$root/init" /bin/busybox /payload.sh "$kmemleak" "$rmmod" "${init_modules[@]}"

mkdir -p "$(dirname "$out")"
(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet -R 0:0) |
	gzip -1 >"$out.tmp"
[ "$(stat -c %s "$out.tmp")" -gt 100000 ] || vm_die "initramfs $out came out too small (cpio?)"
mv "$out.tmp" "$out"
vm_msg "initramfs: $out ($(du -h "$out" | cut -f1))"
