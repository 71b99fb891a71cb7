#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# The guest side of the end-to-end suite: runs inside a VM that has the
# virtio-accel device and the driver loaded (tests/e2e/run.sh boots it with
# vm/run-uml.sh or vm/run-qemu.sh). POSIX sh: QEMU guests have busybox only.
#
# Usage: guest.sh BUILD EXPECTED [CHECK]...
#   BUILD     meson build directory (as seen in the guest)
#   EXPECTED  directory of example cases prepared on the host by run.sh:
#             NAME.cmd (the command line, one word per line), NAME.hint
#             (VACCEL_VIRTIO_SESSION_HINT), NAME.status, NAME.out (result
#             lines of the host run with the local plugin)
#   CHECK     plugin examples mixed stress kill big hostile (default: all),
#             rpc (the examples through libvaccel-rpc.so to E2E_RPC_ADDRESS),
#             and
#             restart (QEMU only, not a default: the VM harness must
#             restart the daemon, see below)
# Environment: E2E_PLUGIN (default: BUILD/plugins/virtio/libvaccel-virtio.so;
# the loopback variant lets the script run on a host), E2E_BIG_MB (default
# 1024), E2E_KILLS (default 100),
# E2E_STRESS ("PROCS THREADS ITERS", default "8 4 30"), DRIVER_TESTS (the
# driver's test programs, for "hostile"); for "restart": E2E_RESTART_MARKER
# (the line on which the harness restarts the daemon: vm/run-qemu.sh
# --restart-daemon-on MARKER), E2E_RESTART ("PROCS THREADS", default
# "2 3"), E2E_RESTART_TIMEOUT_MS (the driver's request_timeout_ms during
# the check, default 3000).
# Prints one "E2E-RESULT <check> PASS|FAIL <seconds>s" line per check and
# exits with the number of failed checks.
set -u

BUILD=${1:?usage: guest.sh BUILD EXPECTED [CHECK]...}
EXPECTED=${2:?usage: guest.sh BUILD EXPECTED [CHECK]...}
shift 2
CHECKS=${*:-plugin examples mixed stress kill big hostile}
TMP=$(mktemp -d) || exit 125
PLUGIN=${E2E_PLUGIN:-$BUILD/plugins/virtio/libvaccel-virtio.so}
LIB=$BUILD/examples/libmytestlib.so
export VACCEL_PLUGINS="$PLUGIN"
unset VACCEL_BACKENDS
failed=0

# result lines: no log lines, timing summaries, [prof] lines
results() {
	grep -Ev -e '^[0-9]{4}\.[0-9]{2}\.[0-9]{2}-[0-9:.]+ - <' \
		-e '^vhost-user-accel: ' \
		-e '^[A-Za-z0-9_]+: [0-9]+ iteration\(s\), total ' \
		-e '\[prof\]' || true
}

report() { # check, status, start time
	t=$(($(date +%s) - $3))
	if [ "$2" = 0 ]; then
		echo "E2E-RESULT $1 PASS ${t}s"
	else
		echo "E2E-RESULT $1 FAIL ${t}s"
		failed=$((failed + 1))
	fi
}

check_plugin() {
	"$BUILD/tests/virtio-plugin/test_virtio_plugin" remote "$PLUGIN" &&
		"$BUILD/tests/virtio-plugin/test_virtio_models" "$PLUGIN"
}

check_examples() {
	bad=0
	n=0
	for cmd in "$EXPECTED"/*.cmd; do
		[ -f "$cmd" ] || continue
		name=$(basename "$cmd" .cmd)
		# a case limited to some VMs ($name.vms: their names)
		if [ -f "$EXPECTED/$name.vms" ] &&
			! grep -qx "${E2E_VM:-}" "$EXPECTED/$name.vms"; then
			echo "example $name: not in this VM (${E2E_VM:-?})"
			continue
		fi
		n=$((n + 1))
		hint=$(cat "$EXPECTED/$name.hint")
		want=$(cat "$EXPECTED/$name.status")
		# one word per line: no word splitting surprises
		set --
		while IFS= read -r w; do set -- "$@" "$w"; done <"$cmd"
		VACCEL_VIRTIO_SESSION_HINT=$hint VACCEL_RPC_SESSION_HINT=$hint \
			"$@" >"$TMP/$name.raw" 2>&1
		rc=$?
		results <"$TMP/$name.raw" >"$TMP/$name.out"
		if [ "$rc" != "$want" ] ||
			! cmp -s "$TMP/$name.out" "$EXPECTED/$name.out"; then
			echo "example $name: FAIL (exit status $rc, host $want)"
			diff "$EXPECTED/$name.out" "$TMP/$name.out" || true
			cat "$TMP/$name.raw"
			bad=$((bad + 1))
		else
			echo "example $name: same results as on the host"
		fi
	done
	[ "$n" -gt 0 ] || {
		echo "no example cases in $EXPECTED"
		return 1
	}
	echo "examples: $((n - bad)) of $n the same as on the host"
	[ "$bad" = 0 ]
}

# rpc: the example cases again, through libvaccel-rpc.so over TCP to the
# host daemon's RPC front door (QEMU guests with user networking; run.sh
# sets E2E_RPC_ADDRESS), without the device or the driver.
check_rpc() {
	if [ -z "${E2E_RPC_ADDRESS:-}" ]; then
		echo "rpc: E2E_RPC_ADDRESS is not set"
		return 1
	fi
	(
		export VACCEL_PLUGINS="$BUILD/plugins/rpc/libvaccel-rpc.so"
		export VACCEL_RPC_ADDRESS="$E2E_RPC_ADDRESS"
		check_examples
	)
}

# local_and_virtio: a local session on the guest's exec plugin and a remote
# one through the device at the same time (the host's noop: hint 0x100), one
# LIB resource registered with both, calls alternating. The remote calls
# print the input (noop copies it), the local ones twice the input.
check_mixed() {
	exec_so=$BUILD/plugins/exec/libvaccel-exec.so
	VACCEL_PLUGINS="$exec_so:$PLUGIN" VACCEL_VIRTIO_SESSION_HINT=0x100 \
		"$BUILD/examples/local_and_virtio" "$LIB" 6 >"$TMP/mixed.out" 2>&1
	rc=$?
	cat "$TMP/mixed.out"
	n_remote=$(grep -c '^output(2x10): 10 (virtio session)$' "$TMP/mixed.out")
	n_local=$(grep -c '^output(2x10): 20 (local session)$' "$TMP/mixed.out")
	echo "mixed: exit status $rc, $n_remote remote and $n_local local calls"
	[ "$rc" = 0 ] && [ "$n_remote" = 3 ] && [ "$n_local" = 3 ]
}

check_stress() {
	# shellcheck disable=SC2086 # "PROCS THREADS ITERS" on purpose
	"$BUILD/tests/virtio-plugin/e2e_stress" ${E2E_STRESS:-8 4 30} "$LIB"
}

check_kill() {
	"$BUILD/tests/virtio-plugin/e2e_kill" "${E2E_KILLS:-100}"
}

check_big() {
	"$BUILD/tests/virtio-plugin/e2e_big" "${E2E_BIG_MB:-1024}"
}

check_hostile() {
	t=${DRIVER_TESTS:-}
	if [ -z "$t" ] || [ ! -x "$t/va_smoke" ]; then
		echo "hostile: no driver test programs (DRIVER_TESTS)"
		return 1
	fi
	# bad pointers, huge counts, overflowing lengths, other files' ids,
	# unknown ioctls: the driver's own program, then the plugin still
	# works
	"$t/va_smoke" --quick &&
		"$BUILD/tests/virtio-plugin/e2e_stress" 1 2 5 "$LIB"
}

check_restart() {
	m=${E2E_RESTART_MARKER:-}
	if [ -z "$m" ]; then
		echo "restart: no E2E_RESTART_MARKER (the VM harness must restart the daemon: --restart-daemon-on)"
		return 1
	fi
	# calls during the outage fail after the driver's timeout: a short one
	p=/sys/module/virtio_accel/parameters/request_timeout_ms
	old=$(cat "$p") || return 1
	echo "${E2E_RESTART_TIMEOUT_MS:-3000}" >"$p" || return 1
	# shellcheck disable=SC2086 # "PROCS THREADS" on purpose
	"$BUILD/tests/virtio-plugin/e2e_restart" "$m" ${E2E_RESTART:-2 3} "$LIB"
	rc=$?
	echo "$old" >"$p"
	return "$rc"
}

echo "E2E-BEGIN checks: $CHECKS"
for c in $CHECKS; do
	echo "=== e2e check: $c"
	t0=$(date +%s)
	case "$c" in
	plugin) check_plugin ;;
	examples) check_examples ;;
	rpc) check_rpc ;;
	mixed) check_mixed ;;
	stress) check_stress ;;
	kill) check_kill ;;
	big) check_big ;;
	hostile) check_hostile ;;
	restart) check_restart ;;
	*)
		echo "unknown check $c"
		false
		;;
	esac
	report "$c" $? "$t0"
done
rm -rf "$TMP"
echo "E2E-END failed=$failed"
exit "$failed"
