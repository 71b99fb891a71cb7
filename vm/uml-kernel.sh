#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Build a User-Mode Linux kernel with a debug configuration from Debian's
# linux-source-6.1, once; reuse it while $VM_DIR/uml/.stamp exists.
#
#   vm/uml-kernel.sh            build (or reuse) and print the KDIR
#   vm/uml-kernel.sh --print    print the KDIR only (fails when not built)
#   vm/uml-kernel.sh --rebuild  rebuild the kernel (keeps the unpacked source)
#
# The unpacked source gets the harness's fixes vm/uml/patches/*.patch (GPL-2.0
# like the kernel): PREEMPT_COUNT for DEBUG_ATOMIC_SLEEP, and the mmap lock in
# fork_handler()'s VMA walk (PROVE_RCU reported every fork otherwise).
#
# Output:
#   $VM_DIR/uml/linux           the UML kernel (a host executable)
#   $VM_DIR/uml                 KDIR for out-of-tree modules (O= build dir;
#                               the source tree it points to is kept):
#     make -C $VM_DIR/uml ARCH=um M=$PWD modules
#   $VM_DIR/uml/modules/        in-tree modules (virtio_blk.ko)
#
# Debug configuration: KASAN (generic, with KASAN_VMALLOC), lockdep
# (PROVE_LOCKING), kmemleak, DEBUG_ATOMIC_SLEEP, DEBUG_LIST; no debug info.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

SRC=$VM_DIR/src/linux-source-6.1
OUT=$VM_DIR/uml

case "${1:-}" in
--print)
	vm_have_stamp "$OUT" || vm_die "UML kernel not built; run $0"
	echo "$OUT"
	exit 0
	;;
--rebuild) rm -f "$OUT/.stamp" ;;
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


PATCHES_SUM=$(cat "$VM_REPO"/vm/uml/patches/*.patch | sha256sum | cut -c1-16)
if vm_have_stamp "$OUT" && grep -q " $PATCHES_SUM\$" "$OUT/.stamp"; then
	vm_msg "UML kernel present: $OUT/linux"
	echo "$OUT" >&3
	exit 0
fi

vm_need_root
vm_deps

# 1. source: Debian's linux-source-6.1, unpacked once
if [ ! -f "$SRC/.stamp" ]; then
	vm_step_begin "unpacking linux-source-6.1 (first time, ~20 s)"
	vm_download "$VM_DIR/src" linux-source-6.1
	rm -rf "$SRC"
	debs=("$VM_DIR"/src/linux-source-6.1_*_all.deb)
	deb=${debs[-1]}
	dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards '*/linux-source-6.1.tar.xz' |
		xz -dc -T"$VM_JOBS" | tar -x -C "$VM_DIR/src"
	rm -f "$deb"
	rm -f "$SRC/.vm-patches"
	vm_write_stamp "$SRC" "$(basename "$deb")"
	vm_step_end
fi

# harness fixes to the kernel source: vm/uml/patches/*.patch, each applied
# once (recorded in $SRC/.vm-patches); a changed patch means a fresh source
PATCHES=("$VM_REPO"/vm/uml/patches/*.patch)
applied=$(cat "$SRC/.vm-patches" 2>/dev/null || true)
for p in "${PATCHES[@]}"; do
	rec="$(basename "$p") $(sha256sum <"$p" | cut -c1-16)"
	grep -qxF "$rec" <<<"$applied" && continue
	if grep -q "^$(basename "$p") " <<<"$applied"; then
		rm -f "$SRC/.stamp"
		vm_die "$(basename "$p") changed since it was applied: remove $SRC and run $0 again"
	fi
	vm_msg "applying $(basename "$p") to the kernel source"
	patch -d "$SRC" -p1 -N -s <"$p" || vm_die "patch $p failed"
	echo "$rec" >>"$SRC/.vm-patches"
done

# 2. configuration: tinyconfig + what the harness needs + the debug options
mkdir -p "$OUT"
# kconfig's chatter (fragment merges) goes to the log, not the terminal
kmake() {
	make -C "$SRC" ARCH=um O="$OUT" "$@" >>"$OUT/config.log" 2>&1 || {
		tail -30 "$OUT/config.log" >&2
		vm_die "UML kernel configuration failed (log: $OUT/config.log)"
	}
}
rm -f "$OUT/config.log"
vm_step_begin "configuring the UML kernel"
kmake -s tinyconfig
cfg() { "$SRC/scripts/config" --file "$OUT/.config" "$@"; }
# base system: 64-bit UML, console, hostfs root, initrd, virtio over vhost-user
cfg -e 64BIT -e PRINTK -e PRINTK_TIME -e EARLY_PRINTK -e BUG -e MULTIUSER \
	-e MODULES -e MODULE_UNLOAD -e BINFMT_ELF -e BINFMT_SCRIPT \
	-e TTY -e STDERR_CONSOLE -e SSL -e NULL_CHAN -e FD_CHAN -e PTY_CHAN -e CON_CHAN \
	-e UNIX98_PTYS -e MAGIC_SYSRQ \
	-e HOSTFS -e BLK_DEV_INITRD -e RD_GZIP -e DEVTMPFS -e DEVTMPFS_MOUNT \
	-e PROC_FS -e PROC_SYSCTL -e SYSFS -e TMPFS -e SHMEM \
	-e FUTEX -e EPOLL -e SIGNALFD -e TIMERFD -e EVENTFD -e POSIX_TIMERS -e FILE_LOCKING \
	-e AIO -e ADVISE_SYSCALLS -e MEMBARRIER -e FHANDLE \
	-e NET -e UNIX -e INET \
	-e VIRTIO_MENU -e VIRTIO -e VIRTIO_UML \
	-e BLOCK -e BLK_DEV -m VIRTIO_BLK \
	-d SLOB -e SLUB -d CC_OPTIMIZE_FOR_SIZE -e CC_OPTIMIZE_FOR_PERFORMANCE \
	-d KERNEL_XZ -e KERNEL_GZIP -e PREEMPT_NONE
# debug: KASAN, lockdep, kmemleak, atomic-sleep and list checks; no debug info
cfg -e DEBUG_KERNEL -e DEBUG_FS -e DEBUG_FS_ALLOW_ALL -e KALLSYMS -e KALLSYMS_ALL \
	-e STACKTRACE -e DEBUG_BUGVERBOSE \
	-e KASAN -e KASAN_GENERIC -e KASAN_VMALLOC \
	-e PROVE_LOCKING -e DEBUG_LOCKDEP -e DEBUG_SPINLOCK -e DEBUG_MUTEXES \
	-e DEBUG_RWSEMS -e DEBUG_WW_MUTEX_SLOWPATH -e DEBUG_LOCK_ALLOC \
	-e DEBUG_KMEMLEAK -d DEBUG_KMEMLEAK_DEFAULT_OFF -d DEBUG_KMEMLEAK_AUTO_SCAN \
	--set-val DEBUG_KMEMLEAK_MEM_POOL_SIZE 65536 \
	-e DEBUG_ATOMIC_SLEEP -e DEBUG_LIST -e DEBUG_SG -e DEBUG_NOTIFIERS \
	-e DEBUG_OBJECTS -e DEBUG_OBJECTS_FREE -e DEBUG_OBJECTS_WORK -e DEBUG_OBJECTS_TIMERS \
	-e DEBUG_VM -e SLUB_DEBUG -e REFCOUNT_FULL -e BUG_ON_DATA_CORRUPTION \
	-e SCHED_STACK_END_CHECK -e DETECT_HUNG_TASK \
	-d DEBUG_INFO -e DEBUG_INFO_NONE -d DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT \
	-d DEBUG_INFO_DWARF4 -d DEBUG_INFO_DWARF5 -d DEBUG_INFO_BTF \
	-d WERROR -d MODVERSIONS -d MODULE_SIG
kmake -s olddefconfig
# everything asked for must have survived olddefconfig's dependency checks
missing=""
for o in 64BIT MODULES MODULE_UNLOAD VIRTIO_UML HOSTFS BLK_DEV_INITRD DEVTMPFS \
	DEVTMPFS_MOUNT PROC_FS SYSFS TMPFS FUTEX EPOLL EVENTFD UNIX KASAN KASAN_GENERIC \
	KASAN_VMALLOC PROVE_LOCKING DEBUG_KMEMLEAK DEBUG_ATOMIC_SLEEP DEBUG_LIST \
	DEBUG_FS SLUB KALLSYMS PREEMPT_NONE PREEMPT_COUNT; do
	grep -q "^CONFIG_$o=y" "$OUT/.config" || missing="$missing $o"
done
grep -q '^CONFIG_VIRTIO_BLK=[my]' "$OUT/.config" || missing="$missing VIRTIO_BLK"
[ -z "$missing" ] || vm_die "UML config lacks:$missing"
vm_step_end

# 3. build: kernel and in-tree modules
vm_step_begin "building UML kernel (~10 min on 2 idle cores from scratch)"
# the linker's warnings about the UML image go to the log, not the terminal
nice -n 10 make -C "$SRC" ARCH=um O="$OUT" -j"$VM_JOBS" -s all >"$OUT/build.log" 2>&1 || {
	tail -30 "$OUT/build.log" >&2
	vm_die "UML kernel build failed (log: $OUT/build.log)"
}
rm -rf "$OUT/modules"
mkdir -p "$OUT/modules"
find "$OUT" -path "$OUT/modules" -prune -o -name '*.ko' -print -exec cp {} "$OUT/modules/" \; >/dev/null
vm_step_end

release=$(make -s -C "$SRC" ARCH=um O="$OUT" kernelrelease 2>/dev/null)
vm_write_stamp "$OUT" "$release $PATCHES_SUM"
vm_msg "UML kernel: $OUT/linux ($release)"
vm_msg "out-of-tree modules: make -C $OUT ARCH=um M=<dir> modules"
echo "$OUT" >&3
