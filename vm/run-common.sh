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
  --backend-cmd "CMD [ARG]..."
                        serve the device with CMD (word-split) instead of
                        the daemon, e.g. a test back-end; it gets
                        "--socket SOCK" appended, must listen there, log to
                        stderr (the daemon log) and exit 0 on SIGTERM
                        (--plugins, --daemon-args and --queues do not
                        apply to it)
  --restart-daemon-on MARKER[:SECS]
                        QEMU only: when a guest console line equal to
                        MARKER appears (first time only), SIGKILL the
                        daemon, wait SECS (default 2) and start it again
                        on the same socket with the same arguments (its
                        log is appended to the same daemon log); the
                        accel chardev reconnects (reconnect-ms). The
                        end-of-run checks apply to the last daemon. UML's
                        virtio_uml cannot reconnect: refused there.
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
  --net-user            a user-mode NIC (QEMU's slirp, virtio-net-pci)
                        instead of -nic none: the guest gets 10.0.2.15/24
                        with the default route via 10.0.2.2, which is the
                        host's 127.0.0.1 (a server listening on the host's
                        loopback is 10.0.2.2:PORT in the guest), set up
                        before GUEST_COMMAND, which gets VM_HOST_IP=10.0.2.2
                        and VM_GUEST_IP=10.0.2.15; no host port forwards
                        (UML: refused, it has no network)

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
	local restart_on="" restart_secs=2 backend_cmd="" net_user=0
	local modules=() copies=() cmd=()
	while [ $# -gt 0 ]; do
		case "$1" in
		--plugins) plugins=$2 && shift ;;
		--daemon-args) daemon_args=$2 && shift ;;
		--queues) queues=$2 && shift ;;
		--no-device) device=0 ;;
		--backend-cmd) backend_cmd=$2 && shift ;;
		--restart-daemon-on)
			restart_on=$2
			if [[ $2 == *:* ]] && [[ ${2##*:} =~ ^[0-9]+$ ]]; then
				restart_on=${2%:*}
				restart_secs=${2##*:}
			fi
			shift
			;;
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
		--net-user) net_user=1 ;;
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
	if [ -n "$restart_on" ] && [ -n "$backend_cmd" ]; then
		vm_die "--restart-daemon-on restarts the daemon, not a --backend-cmd"
	fi
	if [ "$net_user" = 1 ] && [ "$kind" != qemu ]; then
		vm_die "--net-user: QEMU guests only (the UML guest has no network device)"
	fi
	if [ -n "$restart_on" ]; then
		[ "$kind" = qemu ] || vm_die "--restart-daemon-on: UML's virtio_uml cannot reconnect to a restarted daemon (QEMU guests only)"
		[ "$device" = 1 ] || vm_die "--restart-daemon-on needs the device (not with --no-device)"
	fi

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
		if [ "$net_user" = 1 ] && ! "$qemu" -netdev help 2>/dev/null | grep -qx user; then
			vm_die "--net-user: $qemu has no user networking (built without slirp); run vm/qemu.sh --rebuild"
		fi
	fi

	local run daemon dlog="" dpid="" sock="" dargs=()
	run=$(mktemp -d -t "vm-$kind.XXXXXX")
	# shellcheck disable=SC2064 # expand now: locals are gone at exit
	trap "vm_run_cleanup '$run'" EXIT
	trap 'exit 130' INT TERM
	mkdir -p "$VM_DIR/logs"
	[ -n "$log" ] || log=$VM_DIR/logs/$kind-$(date +%Y%m%d-%H%M%S)-$$.log
	: >"$log"

	# 1. the daemon
	if [ "$device" = 1 ] && [ -n "$backend_cmd" ]; then
		sock=$run/accel.sock
		dlog=${log%.log}.daemon.log
		# shellcheck disable=SC2206 # --backend-cmd is word-split on purpose
		dargs=($backend_cmd)
		daemon=${dargs[0]}
		dargs=("${dargs[@]:1}" --socket "$sock")
		[ -x "$daemon" ] || vm_die "--backend-cmd: not an executable: $daemon"
		: >"$dlog"
		vm_daemon_spawn "$run" "$daemon" "$dlog" "${dargs[@]}"
		if ! vm_daemon_wait_socket "$run" "$sock"; then
			cat "$dlog" >&2
			vm_die "the back-end did not come up (log: $dlog)"
		fi
		dpid=$(cat "$run/daemon.pid")
	elif [ "$device" = 1 ]; then
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
		# shellcheck disable=SC2206 # --daemon-args is word-split on purpose
		dargs=(--socket "$sock" --plugins "$plugins" --queues "$queues" -v $daemon_args)
		: >"$dlog"
		vm_daemon_spawn "$run" "$daemon" "$dlog" "${dargs[@]}"
		if ! vm_daemon_wait_socket "$run" "$sock"; then
			cat "$dlog" >&2
			vm_die "the daemon did not come up (log: $dlog)"
		fi
		dpid=$(cat "$run/daemon.pid")
		if [ -n "$restart_on" ]; then
			vm_daemon_watch "$run" "$log" "$restart_on" "$restart_secs" \
				"$daemon" "$dlog" "$sock" "${dargs[@]}" &
			echo $! >"$run/watch.pid"
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
		# shellcheck disable=SC2054 # the comma belongs to the argument
		[ "$net_user" = 0 ] || mk+=(--net 10.0.2.15/24,10.0.2.2)
		for a in "${modules[@]}"; do mk+=(--module "$a"); done
		for a in "${copies[@]}"; do mk+=(--copy "$a"); done
		"${mk[@]}" 2>/dev/null || "${mk[@]}"
		local bytes
		bytes=$(numfmt --from=iec "$mem")
		local nic=(-nic none)
		# --net-user: slirp's defaults (guest 10.0.2.15, host loopback
		# 10.0.2.2); no option ROM (no iPXE here; -kernel boots anyway)
		# shellcheck disable=SC2054 # commas belong to the arguments
		[ "$net_user" = 0 ] || nic=(-netdev user,id=net0 -device virtio-net-pci,netdev=net0,romfile=)
		# shellcheck disable=SC2054 # commas belong to the arguments
		vm=("$qemu" -L /usr/share/seabios -L /usr/share/qemu "${nic[@]}" -accel tcg
			-m "$mem" -display none -vga none -monitor none -serial stdio -no-reboot
			-object "memory-backend-memfd,id=mem,size=$bytes,share=on"
			-machine pc,memory-backend=mem
			-kernel "$dk/vmlinuz" -initrd "$run/initrd.cpio.gz"
			-append "console=ttyS0 panic=-1 printk.time=1 loglevel=7 $kargs")
		kargs=""
		if [ "$device" = 1 ]; then
			# with --restart-daemon-on the chardev reconnects to a
			# restarted daemon (the device waits for the first
			# connection at start-up)
			vm+=(-chardev "socket,id=accel0,path=$sock${restart_on:+,reconnect-ms=500}"
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

	# 3. the daemon must have survived (the last one, after restarts)
	local drc=0
	if [ -n "$dpid" ]; then
		vm_daemon_watch_stop "$run"
		dpid=$(cat "$run/daemon.pid")
		if kill -0 "$dpid" 2>/dev/null; then
			kill -TERM "$dpid" 2>/dev/null || true
			drc=$(vm_daemon_status "$run" "$dpid")
		else
			drc=$(vm_daemon_status "$run" "$dpid")
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

# vm_daemon_spawn RUN DAEMON LOG ARG...: start the daemon in the background,
# appending to LOG; RUN/daemon.pid gets its pid and, once it exited,
# RUN/daemon.<pid>.rc its exit status (it need not be our child to be
# judged: a restarted daemon is the watcher's).
vm_daemon_spawn() {
	local run=$1 daemon=$2 dlog=$3
	shift 3
	rm -f "$run/daemon.pid"
	(
		"$daemon" "$@" >>"$dlog" 2>&1 &
		p=$! rc=0
		echo "$p" >"$run/daemon.pid.tmp"
		mv "$run/daemon.pid.tmp" "$run/daemon.pid"
		{ wait "$p" || rc=$?; } 2>/dev/null # no "Killed" job notice
		echo "$rc" >"$run/daemon.$p.rc.tmp"
		mv "$run/daemon.$p.rc.tmp" "$run/daemon.$p.rc"
	) &
	while [ ! -f "$run/daemon.pid" ]; do sleep 0.05; done
}

# vm_daemon_wait_socket RUN SOCK: wait (10 s) until the daemon of
# RUN/daemon.pid listens on SOCK; false (log printed) if it does not.
vm_daemon_wait_socket() {
	local run=$1 sock=$2 pid
	pid=$(cat "$run/daemon.pid")
	for _ in $(seq 100); do
		[ -S "$sock" ] && return 0
		[ -f "$run/daemon.$pid.rc" ] && break
		sleep 0.1
	done
	[ -S "$sock" ]
}

# vm_daemon_status RUN PID: the exit status of daemon PID (waits up to
# 60 s for it to exit; 255 when it does not).
vm_daemon_status() {
	local run=$1 pid=$2
	for _ in $(seq 600); do
		if [ -f "$run/daemon.$pid.rc" ]; then
			cat "$run/daemon.$pid.rc"
			return 0
		fi
		sleep 0.1
	done
	echo 255
}

# vm_daemon_watch RUN CONSOLE_LOG MARKER SECS DAEMON DAEMON_LOG SOCK ARG...
# (background): when CONSOLE_LOG has a line equal to MARKER, SIGKILL the
# daemon, wait SECS, start it again with the same arguments and wait for
# its socket. Once only. Stops when RUN/watch.stop appears (checked only
# between polls, so a restart is never cut in half).
vm_daemon_watch() {
	local run=$1 clog=$2 marker=$3 secs=$4 daemon=$5 dlog=$6 sock=$7 pid
	local off=0 size start
	shift 7
	while [ ! -e "$run/watch.stop" ]; do
		# scan what is new, from 256 bytes back (a line cut by the
		# previous scan), without that window's first, partial line
		size=$(stat -c %s "$clog" 2>/dev/null || echo 0)
		start=$((off > 256 ? off - 256 : 0))
		if [ "$size" -gt "$off" ] &&
			tail -c +"$((start + 1))" "$clog" | sed "$([ "$start" = 0 ] || echo 1d)" |
			sed 's/\r$//' | grep -xF -- "$marker" >/dev/null; then
			pid=$(cat "$run/daemon.pid")
			if [ -f "$run/daemon.$pid.rc" ]; then
				# it died by itself: no restart, the run fails
				vm_warn "restart: the daemon (pid $pid) had already exited; not restarting it"
				break
			fi
			vm_msg "restart: '$marker' in the guest log: SIGKILL the daemon (pid $pid), restart in ${secs}s"
			kill -KILL "$pid" 2>/dev/null || true
			vm_daemon_status "$run" "$pid" >/dev/null
			rm -f "$sock" # the stale socket: wait for the new one
			printf '%s\n' "vm harness: daemon pid $pid SIGKILLed on '$marker'; restarting in ${secs}s" >>"$dlog"
			sleep "$secs"
			vm_daemon_spawn "$run" "$daemon" "$dlog" "$@"
			if vm_daemon_wait_socket "$run" "$sock"; then
				vm_msg "restart: the daemon is back (pid $(cat "$run/daemon.pid"))"
			else
				vm_warn "restart: the restarted daemon did not come up (log: $dlog)"
			fi
			break
		fi
		off=$size
		sleep 0.2
	done
}

# Stop the watcher (if any) and wait until it is gone.
vm_daemon_watch_stop() {
	local run=$1 pid
	[ -f "$run/watch.pid" ] || return 0
	pid=$(cat "$run/watch.pid")
	touch "$run/watch.stop"
	while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
	rm -f "$run/watch.pid"
}

# Kill what is left (watcher and daemon, on interruption) and remove the
# run directory.
vm_run_cleanup() {
	local run=$1 pid
	if [ -f "$run/watch.pid" ]; then
		pid=$(cat "$run/watch.pid")
		kill -TERM "$pid" 2>/dev/null || true
	fi
	if [ -f "$run/daemon.pid" ]; then
		pid=$(cat "$run/daemon.pid")
		kill -TERM "$pid" 2>/dev/null || true
	fi
	rm -rf "$run"
}
