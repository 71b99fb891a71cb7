# SPDX-License-Identifier: Apache-2.0
#
# The body of vm/run-uml.sh and vm/run-qemu.sh: start the host daemon, boot a
# guest with the virtio-accel device, run one command in it, report.
# Source it after lib.sh and call vm_run uml|qemu "$@".

# shellcheck shell=bash

vm_run_usage() {
	sed "s/KIND/$1/g" <<'EOH'
Usage: vm/run-KIND.sh [options] -- GUEST_COMMAND [ARG]...

Start the host daemon (vhost-user-accel) on a temporary socket, boot the
KIND guest with the virtio-accel device (id 63) attached, run GUEST_COMMAND
in it (as root, from /init), power off, and exit with GUEST_COMMAND's exit
code.

Device and daemon:
  --plugins LIST        vAccel plugins for the daemon, ":"-separated paths
                        (default: $BUILD/plugins/{noop,exec,blas}/libvaccel-*.so)
  --daemon-args "ARGS"  extra daemon arguments (word-split), e.g. "-v -w 2"
                        (the daemon always gets -v: connections are logged)
  --queues N            request queues: daemon --queues N and, for QEMU,
                        num-queues=N (default 1)
  --no-device           boot without the daemon and the device
Guest:
  --module "KO [PARAM=VALUE]..."
                        insmod this module (with parameters) before the
                        command (repeatable, in order), e.g. the driver
                        built for this guest
  --rmmod               rmmod the --module modules after the command
                        (non-zero exit if that fails)
  --kmemleak[=SECS]     after the command (and --rmmod), wait SECS (default
                        6; kmemleak reports only objects older than 5 s),
                        scan for leaks and fail (exit 3) on any (UML only:
                        Debian's kernel has no kmemleak)
  --env VAR=VALUE       set in GUEST_COMMAND's environment (repeatable)
  --mem SIZE            guest memory (default 512M)
  --timeout SECS        kill the guest after SECS (default 300); exit 124
  --kernel-args "ARGS"  extra kernel command-line arguments
  --log FILE            guest console log (default: $VM_DIR/logs/KIND-<time>-<pid>.log)
  --no-scan             do not fail on kernel reports
  -q, --quiet           do not stream the guest console (the log has it)
QEMU only:
  --copy PATH           copy a host file or directory into the initramfs at
                        the same path, with its ELF dependencies (repeatable);
                        GUEST_COMMAND's program is copied automatically
                        unless it is a busybox applet
  --qemu-args "ARGS"    extra QEMU arguments (word-split)

UML: the root file system is the host's / through hostfs, read-only, so
host programs and build trees run unchanged; GUEST_COMMAND runs in the
current directory. Writable: /run and TMPDIR=/run/tmp (tmpfs).
QEMU: Debian's 6.1 kernel with a busybox initramfs (vm/mkinitramfs.sh);
GUEST_COMMAND runs in the current directory's path (created in the
initramfs), so relative paths of copied files work.

Exit status: GUEST_COMMAND's exit code; 3 when the guest log has kernel
reports (KASAN, lockdep, BUG, WARNING, Oops, panic, kmemleak) - they are
printed; 124 on timeout; 125 for harness errors (no exit marker in the log,
daemon failure, module load failure).

Environment: BUILD (meson build dir with host/vhost-user-accel, default
build), VM_DIR (artefacts, default build/vm).
EOH
}

vm_run() {
	local kind=$1
	shift
	local plugins="" daemon_args="" queues=1 device=1 rmmod=0 kmemleak=0 mem=512M
	local timeout=300 kargs="" log="" scan=1 quiet=0 qemu_args="" envs="" a
	local modules=() copies=() cmd=()
	while [ $# -gt 0 ]; do
		case "$1" in
		--plugins) plugins=$2 && shift ;;
		--daemon-args) daemon_args=$2 && shift ;;
		--queues) queues=$2 && shift ;;
		--no-device) device=0 ;;
		--module)
			a=${2%% *}
			modules+=("$(realpath -m "$a")${2#"$a"}") && shift
			;;
		--rmmod) rmmod=1 ;;
		--kmemleak) kmemleak=6 ;;
		--kmemleak=*) kmemleak=${1#--kmemleak=} ;;
		--env) envs="$envs$2"$'\n' && shift ;;
		--mem) mem=$2 && shift ;;
		--timeout) timeout=$2 && shift ;;
		--kernel-args) kargs=$2 && shift ;;
		--log) log=$2 && shift ;;
		--no-scan) scan=0 ;;
		-q | --quiet) quiet=1 ;;
		--copy) copies+=("$2") && shift ;;
		--qemu-args) qemu_args=$2 && shift ;;
		-h | --help)
			vm_run_usage "$kind"
			exit 0
			;;
		--)
			shift
			cmd=("$@")
			break
			;;
		*) vm_die "unknown argument '$1' (try --help)" ;;
		esac
		shift
	done
	[ ${#cmd[@]} -gt 0 ] || vm_die "no GUEST_COMMAND (usage: $0 [options] -- COMMAND...; try --help)"
	for a in "${modules[@]}"; do [ -f "${a%% *}" ] || vm_die "--module: no such file: ${a%% *}"; done
	[[ $queues =~ ^[0-9]+$ ]] || vm_die "--queues: not a number: $queues"
	[[ $timeout =~ ^[0-9]+$ ]] || vm_die "--timeout: not a number: $timeout"
	[[ $kmemleak =~ ^[0-9]+$ ]] || vm_die "--kmemleak: not a number: $kmemleak"

	# artefacts (built on first use)
	local kernel="" qemu="" dk=""
	if [ "$kind" = uml ]; then
		vm_have_stamp "$VM_DIR/uml" || "$VM_REPO/vm/uml-kernel.sh" >/dev/null
		kernel=$VM_DIR/uml/linux
	else
		vm_have_stamp "$VM_DIR/qemu" || "$VM_REPO/vm/qemu.sh" >/dev/null
		qemu=$("$VM_REPO/vm/qemu.sh" --print)
		vm_have_stamp "$VM_DIR/debian-kernel" || "$VM_REPO/vm/debian-kernel.sh" >/dev/null
		dk=$VM_DIR/debian-kernel
	fi

	local run daemon dlog="" dpid="" sock=""
	run=$(mktemp -d -t "vm-$kind.XXXXXX")
	# shellcheck disable=SC2064 # expand now: locals are gone at exit
	trap "vm_run_cleanup '$run'" EXIT
	trap 'exit 130' INT TERM
	mkdir -p "$VM_DIR/logs"
	[ -n "$log" ] || log=$VM_DIR/logs/$kind-$(date +%Y%m%d-%H%M%S)-$$.log
	: >"$log"

	# 1. the daemon
	if [ "$device" = 1 ]; then
		daemon=$(vm_daemon)
		[ -x "$daemon" ] || vm_die "no daemon $daemon: build it first (make build, or set BUILD=<meson build dir>)"
		if [ -z "$plugins" ]; then
			local b
			b=$(dirname "$(dirname "$daemon")")
			for a in noop exec blas; do
				[ ! -f "$b/plugins/$a/libvaccel-$a.so" ] ||
					plugins=${plugins:+$plugins:}$b/plugins/$a/libvaccel-$a.so
			done
			[ -n "$plugins" ] || vm_die "no plugins in $b/plugins (build them, or pass --plugins)"
		fi
		sock=$run/accel.sock
		dlog=${log%.log}.daemon.log
		# shellcheck disable=SC2086 # --daemon-args is word-split on purpose
		"$daemon" --socket "$sock" --plugins "$plugins" --queues "$queues" -v $daemon_args \
			>"$dlog" 2>&1 &
		dpid=$!
		echo "$dpid" >"$run/daemon.pid"
		for _ in $(seq 100); do
			[ -S "$sock" ] && break
			kill -0 "$dpid" 2>/dev/null || break
			sleep 0.1
		done
		if [ ! -S "$sock" ]; then
			cat "$dlog" >&2
			vm_die "the daemon did not come up (log: $dlog)"
		fi
	fi

	# 2. the guest
	local envlist
	envlist=$(printf '%s' "$envs")
	local vm=()
	if [ "$kind" = uml ]; then
		vm_guest_payload "$run/payload.sh" "$PWD" "$envlist" -- "${cmd[@]}"
		vm_guest_init "$run/init" /bin/busybox "$run/payload.sh" "$kmemleak" \
			"$([ "$rmmod" = 1 ] && echo ${#modules[@]} || echo 0)" "${modules[@]}"
		# shellcheck disable=SC2054 # commas belong to the arguments
		vm=("$kernel" "mem=$mem" rootfstype=hostfs rootflags=/ ro "init=$run/init"
			con=null con0=fd:0,fd:1 ssl=null printk.time=1)
		[ "$device" = 0 ] || vm+=("virtio_uml.device=$sock:63")
	else
		local prog=${cmd[0]} path
		local applets
		applets=$(/bin/busybox --list 2>/dev/null || true)
		case "$prog" in
		/bin/* | /sbin/* | /usr/bin/* | /usr/sbin/*)
			# busybox provides it in the image (e.g. /bin/sh)
			grep -qx -- "${prog##*/}" <<<"$applets" || copies+=("$prog")
			;;
		*/*) copies+=("$prog") ;;
		*)
			if ! grep -qx -- "$prog" <<<"$applets"; then
				path=$(type -P "$prog") || vm_die "GUEST_COMMAND $prog not found on the host"
				copies+=("$path")
			fi
			;;
		esac
		vm_guest_payload "$run/payload.sh" "$PWD" "$envlist" -- "${cmd[@]}"
		local mk=("$VM_REPO/vm/mkinitramfs.sh" -o "$run/initrd.cpio.gz" --payload "$run/payload.sh"
			--kernel-dir "$dk" --kmemleak "$kmemleak")
		[ "$rmmod" = 0 ] || mk+=(--rmmod)
		for a in "${modules[@]}"; do mk+=(--module "$a"); done
		for a in "${copies[@]}"; do mk+=(--copy "$a"); done
		"${mk[@]}" 2>/dev/null || "${mk[@]}"
		local bytes
		bytes=$(numfmt --from=iec "$mem")
		# shellcheck disable=SC2054 # commas belong to the arguments
		vm=("$qemu" -L /usr/share/seabios -L /usr/share/qemu -nic none -accel tcg
			-m "$mem" -display none -vga none -monitor none -serial stdio -no-reboot
			-object "memory-backend-memfd,id=mem,size=$bytes,share=on"
			-machine pc,memory-backend=mem
			-kernel "$dk/vmlinuz" -initrd "$run/initrd.cpio.gz"
			-append "console=ttyS0 panic=-1 printk.time=1 loglevel=7 $kargs")
		kargs=""
		if [ "$device" = 1 ]; then
			vm+=(-chardev "socket,id=accel0,path=$sock"
				-device "vhost-user-accel-pci,chardev=accel0,num-queues=$queues")
		fi
		# shellcheck disable=SC2206 # --qemu-args is word-split on purpose
		vm+=($qemu_args)
	fi
	# shellcheck disable=SC2206 # --kernel-args is word-split on purpose
	[ -z "$kargs" ] || vm+=($kargs)

	vm_msg "booting the $kind guest: ${cmd[*]} (console log: $log)"
	local t0 rc vmrc
	t0=$(date +%s)
	set +e
	if [ "$quiet" = 1 ]; then
		timeout -k 5 "$timeout" "${vm[@]}" </dev/null >"$log" 2>&1
		vmrc=$?
	else
		timeout -k 5 "$timeout" "${vm[@]}" </dev/null 2>&1 | tee "$log"
		vmrc=${PIPESTATUS[0]}
	fi
	set -e
	vm_msg "guest finished in $(vm_elapsed "$t0") (vm exit status $vmrc)"

	# 3. the daemon must have survived
	local drc=0
	if [ -n "$dpid" ]; then
		if kill -0 "$dpid" 2>/dev/null; then
			kill -TERM "$dpid" 2>/dev/null || true
			wait "$dpid" || drc=$?
		else
			wait "$dpid" || drc=$?
			[ "$drc" != 0 ] || drc=255
			vm_warn "the daemon exited during the run"
		fi
		rm -f "$run/daemon.pid"
		vm_msg "daemon log: $dlog"
	fi

	# 4. verdict
	rc=$(vm_exit_code "$log")
	if [ "$scan" = 1 ] && ! vm_scan_log "$log" >&2; then
		vm_msg "FAIL: kernel reports in the guest log (above); log: $log"
		exit 3
	fi
	if [ "$vmrc" = 124 ] || [ "$vmrc" = 137 ]; then
		vm_msg "FAIL: timeout after ${timeout}s, guest killed; log: $log"
		exit 124
	fi
	if [ -z "$rc" ]; then
		tail -20 "$log" >&2
		vm_msg "FAIL: no VM-EXIT-CODE marker in the guest log (kernel panic or crash?); log: $log"
		exit 125
	fi
	if [ "$drc" != 0 ]; then
		tail -20 "$dlog" >&2
		vm_msg "FAIL: the daemon exited with status $drc; log: $dlog"
		exit 125
	fi
	vm_msg "guest command exit code: $rc"
	exit "$rc"
}

# Kill what is left (daemon, on interruption) and remove the run directory.
vm_run_cleanup() {
	local run=$1 pid
	if [ -f "$run/daemon.pid" ]; then
		pid=$(cat "$run/daemon.pid")
		kill -TERM "$pid" 2>/dev/null || true
	fi
	rm -rf "$run"
}
