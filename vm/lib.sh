# SPDX-License-Identifier: Apache-2.0
#
# Shared helpers for the VM harness (vm/*.sh). Source it; do not run it.
#
#   VM_DIR   artefact root (default: build/vm under the repository root)
#   BUILD    meson build directory with the host daemon (default: build)
#   VM_JOBS  parallel jobs for the big builds (default: 2)
#
# Every artefact is built once and reused while present: a build writes the
# stamp file <artefact>/.stamp only after it finished successfully, so an
# interrupted build is redone on the next run.

# shellcheck shell=bash

VM_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VM_DIR=${VM_DIR:-$VM_REPO/build/vm}
case "$VM_DIR" in /*) ;; *) VM_DIR=$PWD/$VM_DIR ;; esac
VM_JOBS=${VM_JOBS:-2}
VM_BACKPORTS_LIST=/etc/apt/sources.list.d/virtio-accel-backports.sources
export VM_REPO VM_DIR VM_JOBS

_vm_t0=$(date +%s)

vm_msg() { printf '>> %s\n' "$*" >&2; }
vm_warn() { printf 'warning: %s\n' "$*" >&2; }
vm_die() {
	printf '%s: error: %s\n' "$(basename "$0")" "$*" >&2
	exit 1
}

# Seconds since $1 (a date +%s value) as "Mm SSs".
vm_elapsed() {
	local s=$(($(date +%s) - $1))
	printf '%dm%02ds' $((s / 60)) $((s % 60))
}

# vm_step_begin "building X (first time, ~N min)"; ...; vm_step_end
vm_step_begin() {
	_vm_step_name=$1
	_vm_step_t0=$(date +%s)
	vm_msg "$1..."
}
vm_step_end() {
	vm_msg "done: ${_vm_step_name%% (*} in $(vm_elapsed "$_vm_step_t0")"
}

vm_need_root() {
	[ "$(id -u)" -eq 0 ] || vm_die "must run as root (apt-get, dpkg, module builds); try: sudo $0"
}

# vm_have_stamp DIR: true when DIR was completely built.
vm_have_stamp() { [ -f "$1/.stamp" ]; }
# vm_write_stamp DIR [TEXT]: mark DIR as complete.
vm_write_stamp() { printf '%s\n' "${2:-ok}" >"$1/.stamp"; }

# Install the packages of the "vm" group (idempotent, see scripts/install-deps.sh).
vm_deps() {
	"$VM_REPO/scripts/install-deps.sh" vm
}

# Debian's main archive URI, taken from the existing sources.
_vm_debian_uri() {
	local u
	u=$(grep -hs '^URIs:.*/debian/*$' /etc/apt/sources.list.d/*.sources | head -1 | awk '{print $2}')
	if [ -z "$u" ]; then
		u=$(grep -hs '^deb .*/debian/* bookworm ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
			head -1 | awk '{print $2}')
	fi
	printf '%s\n' "${u:-http://deb.debian.org/debian}"
}

# The apt index types (deb, deb-src) configured for bookworm-backports by
# files other than ours.
_vm_backports_types() {
	local t f=$VM_BACKPORTS_LIST
	# shellcheck disable=SC2016 # apt's own $(...) format, not a shell expansion
	t=$(apt-get indextargets --format '$(RELEASE) $(IDENTIFIER) $(SOURCESENTRY)' 2>/dev/null |
		grep '^bookworm-backports ' | grep -v "^[^ ]* [^ ]* $f:" || true)
	grep -q '^bookworm-backports Packages ' <<<"$t" && echo deb
	grep -q '^bookworm-backports Sources ' <<<"$t" && echo deb-src
	true
}

# Make bookworm-backports (deb and deb-src) available: write our deb822 file
# with just the types no other source provides, only when it would change,
# then refresh the index.
vm_backports() {
	local have want="" body
	have=$(_vm_backports_types)
	grep -qx deb <<<"$have" || want="deb"
	grep -qx deb-src <<<"$have" || want="${want:+$want }deb-src"
	if [ -z "$want" ]; then
		rm -f "$VM_BACKPORTS_LIST" 2>/dev/null || true
	else
		body="# virtio-accel VM harness: QEMU 10 sources, meson and the 6.12 headers.
Types: $want
URIs: $(_vm_debian_uri)
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
		if [ "$(cat "$VM_BACKPORTS_LIST" 2>/dev/null)" != "$body" ]; then
			vm_need_root
			vm_msg "adding bookworm-backports ($want) as $VM_BACKPORTS_LIST"
			printf '%s\n' "$body" >"$VM_BACKPORTS_LIST"
			vm_apt_update
			return 0
		fi
	fi
	# configured; fetch the lists once if they were never downloaded
	local src pol
	src=$(apt-cache showsrc qemu 2>/dev/null || true)
	pol=$(apt-cache policy meson 2>/dev/null || true)
	if ! grep -q '~bpo12' <<<"$src" || ! grep -q 'bpo12' <<<"$pol"; then
		vm_need_root
		vm_apt_update
	fi
}

# apt-get update, its output in $VM_DIR/apt-update.log (shown on failure).
vm_apt_update() {
	mkdir -p "$VM_DIR"
	vm_msg "refreshing the package lists (log: $VM_DIR/apt-update.log)"
	apt-get update -q >"$VM_DIR/apt-update.log" 2>&1 || {
		cat "$VM_DIR/apt-update.log" >&2
		vm_die "apt-get update failed (log: $VM_DIR/apt-update.log)"
	}
}

# Debian's current 6.1 kernel ABI (e.g. 6.1.0-56-amd64).
vm_debian_abi() {
	local abi
	abi=$(apt-cache depends linux-headers-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-headers-//p' | grep -- '^6\.1\.' | head -1)
	[ -n "$abi" ] || vm_die "cannot resolve Debian's 6.1 kernel ABI (apt-cache depends linux-headers-amd64)"
	printf '%s\n' "$abi"
}

# apt-get download PKG... into DIR (cached: skipped when the .deb is present).
vm_download() {
	local dir=$1
	shift
	mkdir -p "$dir"
	(cd "$dir" && apt-get download -q -o APT::Sandbox::User=root "$@" >"$dir/apt-download.log" 2>&1) || {
		cat "$dir/apt-download.log" >&2
		vm_die "apt-get download $* failed (log: $dir/apt-download.log)"
	}
}

# The host daemon of the build tree.
vm_daemon() {
	local b=${BUILD:-build}
	case "$b" in /*) ;; *) b=$VM_REPO/$b ;; esac
	printf '%s\n' "$b/host/vhost-user-accel"
}

# Quote each argument for a POSIX shell (busybox sh), single-quote style.
vm_shquote() {
	local a out=""
	for a in "$@"; do
		out="$out '${a//\'/\'\\\'\'}'"
	done
	printf '%s\n' "${out# }"
}

# vm_guest_init FILE BUSYBOX PAYLOAD KMEMLEAK RMMOD MODULE...
# (RMMOD: how many of the last MODULEs to unload after the payload; a MODULE
# is "PATH [PARAM=VALUE]...", no spaces in PATH)
# Write the guest's /init: mount proc, sys, devtmpfs (and debugfs for
# kmemleak), a tmpfs on /run (TMPDIR=/run/tmp), insmod MODULE... in order,
# run "BUSYBOX sh PAYLOAD", optionally rmmod modules in reverse order and
# scan for leaks, then print "VM-EXIT-CODE=<payload's exit code>" (125 when a
# module did not load), sync and power off. KMEMLEAK is the number of seconds
# to wait before the scans (kmemleak only reports objects older than 5 s),
# 0 for no scan.
vm_guest_init() {
	local f=$1 bb=$2 payload=$3 kmemleak=$4 rmmod=$5
	shift 5
	{
		printf '#!%s sh\n' "$bb"
		printf '# generated by the virtio-accel VM harness (vm/lib.sh)\n'
		printf 'bb=%s\npayload=%s\nkmemleak=%s\nrmmod=%s\n' "$(vm_shquote "$bb")" \
			"$(vm_shquote "$payload")" "$kmemleak" "$rmmod"
		printf 'modules="%s"\n' "$(vm_shquote "$@")"
		cat <<'EOS'
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/ TERM=dumb TMPDIR=/run/tmp
$bb mount -t proc proc /proc
$bb mount -t sysfs sysfs /sys
$bb grep -q ' /dev ' /proc/mounts || $bb mount -t devtmpfs devtmpfs /dev
$bb mount -t tmpfs -o mode=0755 tmpfs /run && $bb mkdir -p -m 1777 /run/tmp
if [ -d /sys/kernel/debug ]; then $bb mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null; fi
finish() {
	$bb sync
	echo
	echo "VM-EXIT-CODE=$1"
	$bb poweroff -f
	$bb sleep 10
}
if [ "$kmemleak" != 0 ] && [ -w /sys/kernel/debug/kmemleak ]; then
	# forget what boot left behind: only later leaks are reported
	echo scan >/sys/kernel/debug/kmemleak
	echo clear >/sys/kernel/debug/kmemleak
fi
echo "VM-INIT: kernel $($bb uname -r), loading modules"
eval "set -- $modules"
for m in "$@"; do
	# "PATH [PARAM=VALUE]...": word-split on purpose
	if ! $bb insmod $m; then
		echo "VM-INIT: insmod $m failed"
		finish 125
	fi
done
echo "VM-INIT: running the payload"
$bb sh "$payload"
rc=$?
echo "VM-INIT: payload exited with $rc"
if [ "$rmmod" -gt 0 ]; then
	mods=""
	shift $(($# - rmmod))
	for m in "$@"; do mods="$($bb basename "${m%% *}" .ko) $mods"; done
	for m in $mods; do
		$bb rmmod "$m" || { echo "VM-INIT: rmmod $m failed"; [ "$rc" != 0 ] || rc=125; }
	done
fi
if [ "$kmemleak" != 0 ]; then
	if [ -w /sys/kernel/debug/kmemleak ]; then
		$bb sleep "$kmemleak"
		echo scan >/sys/kernel/debug/kmemleak
		echo scan >/sys/kernel/debug/kmemleak
		echo "VM-KMEMLEAK-BEGIN"
		$bb cat /sys/kernel/debug/kmemleak
		echo "VM-KMEMLEAK-END"
	else
		echo "VM-INIT: kmemleak unavailable (no /sys/kernel/debug/kmemleak)"
	fi
fi
finish "$rc"
EOS
	} >"$f"
	chmod 0755 "$f"
}

# vm_guest_payload FILE CWD ENV-ASSIGNMENTS-NEWLINE-LIST -- COMMAND...
# Write the payload script that runs COMMAND in CWD (created when missing,
# as in an initramfs) with the environment.
vm_guest_payload() {
	local f=$1 cwd=$2 envs=$3 e
	shift 3
	[ "${1:-}" = -- ] && shift
	{
		printf '# generated by the virtio-accel VM harness (vm/lib.sh)\n'
		printf 'cwd=%s\n' "$(vm_shquote "$cwd")"
		# shellcheck disable=SC2016 # expanded by the guest's shell
		printf '[ -d "$cwd" ] || mkdir -p "$cwd"\ncd "$cwd" || exit 125\n'
		while IFS= read -r e; do
			[ -n "$e" ] && printf 'export %s\n' "$(vm_shquote "$e")"
		done <<<"$envs"
		printf 'exec %s\n' "$(vm_shquote "$@")"
	} >"$f"
}

# Kernel reports that fail a run: lines of the guest console that carry a
# printk timestamp, then one of these.
VM_REPORT_RE='^\[ *[0-9]+\.[0-9]+\] (BUG: |WARNING: |INFO: (possible|inconsistent|trying to register|suspicious RCU|task .* blocked)|UBSAN: |Kernel panic|Oops|general protection fault|kernel BUG|list_(add|del) corruption|kmemleak: [0-9]+ new suspected|------------\[ cut here \])'

# vm_scan_log LOG: print the kernel reports of LOG (and the kmemleak
# section when it lists objects); true when there is none.
vm_scan_log() {
	local log=$1 hits leaks
	hits=$(sed 's/\r$//' "$log" | grep -nE -A25 "$VM_REPORT_RE" || true)
	leaks=$(sed 's/\r$//' "$log" | sed -n '/^VM-KMEMLEAK-BEGIN$/,/^VM-KMEMLEAK-END$/p' |
		grep -v '^VM-KMEMLEAK-' || true)
	if [ -z "$hits" ] && [ -z "$leaks" ]; then
		return 0
	fi
	if [ -n "$hits" ]; then
		printf '%s\n' "---- kernel reports in $log (line: text) ----" "$hits"
	fi
	if [ -n "$leaks" ]; then
		printf '%s\n' "---- kmemleak: unreferenced objects ----" "$leaks"
	fi
	return 1
}

# vm_exit_code LOG: the payload's exit code from the VM-EXIT-CODE marker.
vm_exit_code() {
	sed 's/\r$//' "$1" | sed -n 's/^VM-EXIT-CODE=\([0-9]\{1,3\}\)$/\1/p' | tail -1
}

# Print the calling script's header comment (after the SPDX line) as help.
vm_usage() {
	awk 'NR > 2 && /^#/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' "$0"
}
