#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Self-test of the VM harness: builds (or reuses) every artefact, then
#  1. checks the guest-log scanner on synthetic reports;
#  2. builds the self-test module vm/selftest/vaccel_probe.ko against the UML
#     tree and Debian's 6.1 and 6.12 headers (W=1, no warnings allowed);
#  3. UML: /bin/true, exit-code propagation, the device (0x003f) visible in
#     /sys/bus/virtio/devices, then the probe module bound (config space read
#     through the daemon), unloaded, and a kmemleak scan, with no KASAN /
#     lockdep / kmemleak / BUG / WARNING report; then deliberate bugs
#     (vaccel_probe provoke=kasan|lockdep|sleep|leak) must each be reported
#     by the debug kernel and fail the run with exit 3;
#  4. QEMU: Debian's kernel sees PCI device 1af4:107f, the probe module binds
#     and unloads; with --net-user, the guest reaches a TCP listener on the
#     host's 127.0.0.1 at 10.0.2.2 (QEMU user networking);
# and checks the daemon's log for the connection of each guest.
#
#   vm/selftest.sh [--uml-only|--qemu-only]
#
# Needs the daemon: $BUILD/host/vhost-user-accel (BUILD defaults to build).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

do_uml=1 do_qemu=1
case "${1:-}" in
--uml-only) do_qemu=0 ;;
--qemu-only) do_uml=0 ;;
"") ;;
-h | --help)
	vm_usage
	exit 0
	;;
*) vm_die "unknown argument '$1' (try --help)" ;;
esac

T0=$(date +%s)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
pass=0
fail=0
ok() {
	pass=$((pass + 1))
	printf 'ok %d - %s\n' $((pass + fail)) "$*"
}
not_ok() {
	fail=$((fail + 1))
	printf 'not ok %d - %s\n' $((pass + fail)) "$*"
}
check() { # DESCRIPTION COMMAND...: passes when COMMAND succeeds
	local d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
check_not() { # DESCRIPTION COMMAND...: passes when COMMAND fails
	local d=$1
	shift
	if "$@"; then not_ok "$d"; else ok "$d"; fi
}

daemon=$(vm_daemon)
[ -x "$daemon" ] || vm_die "no daemon $daemon: build it first (make build, or BUILD=<dir>)"

# 0. artefacts
[ "$do_uml" = 0 ] || "$VM_REPO/vm/uml-kernel.sh" >/dev/null
if [ "$do_qemu" = 1 ]; then
	"$VM_REPO/vm/qemu.sh" >/dev/null
	"$VM_REPO/vm/debian-kernel.sh" >/dev/null
fi
"$VM_REPO/vm/kernel-headers.sh" >"$W/kdirs"
# shellcheck disable=SC1091 # KDIR_6_1=..., KDIR_6_12=...
. "$W/kdirs"

# 1. the log scanner
scan_quiet() { vm_scan_log "$1" >/dev/null; }
printf '%s\n' '[    1.000000] virtio_accel: hello' 'WARNING: user space text is fine' \
	'VM-EXIT-CODE=0' >"$W/clean.log"
check "scanner: clean log passes" vm_scan_log "$W/clean.log"
for r in 'BUG: KASAN: slab-out-of-bounds in foo+0x1/0x2' \
	'WARNING: possible circular locking dependency detected' \
	'WARNING: CPU: 0 PID: 1 at drivers/x.c:1 f+0x0/0x1' \
	'BUG: sleeping function called from invalid context at mm/slab.h:1' \
	'kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)' \
	'Kernel panic - not syncing: Attempted to kill init!'; do
	printf '[    2.500000] %s\nVM-EXIT-CODE=0\n' "$r" >"$W/bad.log"
	check_not "scanner: catches '${r:0:40}'" scan_quiet "$W/bad.log"
done
printf 'VM-KMEMLEAK-BEGIN\nunreferenced object 0xffff (size 64):\nVM-KMEMLEAK-END\n' >"$W/leak.log"
check_not "scanner: catches a kmemleak report" scan_quiet "$W/leak.log"
check "marker: exit code parsed" test "$(printf 'x\r\nVM-EXIT-CODE=42\r\n' >"$W/m.log" && vm_exit_code "$W/m.log")" = 42

# 2. the probe module against every kernel tree
build_probe() { # NAME KDIR [make args]: build into $W/NAME, warnings fail
	local name=$1 kdir=$2 out
	shift 2
	mkdir -p "$W/$name"
	cp "$VM_REPO"/vm/selftest/vaccel_probe.c "$VM_REPO"/vm/selftest/Kbuild "$W/$name/"
	out=$(make -C "$kdir" M="$W/$name" VACCEL_UAPI="$VM_REPO/include/uapi" W=1 "$@" modules 2>&1) || {
		printf '%s\n' "$out" >&2
		return 1
	}
	if grep -i 'warning:' <<<"$out" >&2; then return 1; fi
	[ -f "$W/$name/vaccel_probe.ko" ]
}
[ "$do_uml" = 0 ] || check "probe module builds for UML 6.1 (ARCH=um), no warnings" \
	build_probe uml "$VM_DIR/uml" ARCH=um
check "probe module builds for Debian 6.1 headers, no warnings" build_probe d61 "$KDIR_6_1"
check "probe module builds for Debian 6.12 headers, no warnings" build_probe d612 "$KDIR_6_12"

# 3. UML
log_has() { grep -q -- "$2" "$1"; }
if [ "$do_uml" = 1 ]; then
	R="$VM_REPO/vm/run-uml.sh"
	check "uml: /bin/true exits 0" "$R" -q --log "$W/u1.log" --timeout 120 -- /bin/true
	set +e
	"$R" -q --log "$W/u2.log" --timeout 120 -- /bin/sh -c 'exit 7'
	rc=$?
	set -e
	check "uml: exit code 7 propagated (got $rc)" test "$rc" = 7
	check "uml: uname -a, device 0x003f in /sys/bus/virtio/devices" "$R" -q --log "$W/u3.log" \
		--timeout 120 -- /bin/sh -c 'uname -a; grep -H . /sys/bus/virtio/devices/*/device; grep -qx 0x003f /sys/bus/virtio/devices/*/device'
	check "uml: guest console shows 0x003f" log_has "$W/u3.log" 'device:0x003f'
	check "uml: daemon saw the guest connect" log_has "$W/u3.daemon.log" 'connected'
	if [ -f "$W/uml/vaccel_probe.ko" ]; then
		check "uml: probe binds, unloads; no KASAN/lockdep/kmemleak reports" "$R" -q \
			--log "$W/u4.log" --timeout 180 --module "$W/uml/vaccel_probe.ko" --rmmod --kmemleak \
			-- /bin/sh -c 'ls -l /sys/bus/virtio/drivers/vaccel_probe/'
		check "uml: probe read the config space" log_has "$W/u4.log" 'vaccel-probe: bound: protocol'
		check "uml: probe removed" log_has "$W/u4.log" 'vaccel-probe: removed'
		check "uml: kmemleak scan ran" log_has "$W/u4.log" 'VM-KMEMLEAK-BEGIN'
		# the debug kernel reports deliberate bugs, and the harness fails
		for p in kasan:'BUG: KASAN: slab-out-of-bounds' \
			lockdep:'WARNING: possible circular locking dependency' \
			sleep:'BUG: sleeping function called from invalid context' \
			leak:'unreferenced object'; do
			set +e
			"$R" -q --log "$W/p-${p%%:*}.log" --timeout 180 --kmemleak --rmmod \
				--module "$W/uml/vaccel_probe.ko provoke=${p%%:*}" -- /bin/true >"$W/p.out" 2>&1
			rc=$?
			set -e
			check "uml: provoke=${p%%:*} fails the run with exit 3 (got $rc)" test "$rc" = 3
			check "uml: provoke=${p%%:*} reported: ${p#*:}" log_has "$W/p.out" "${p#*:}"
		done
		check_not "uml: daemon: no error" grep -q ": error: " "$W/u4.daemon.log"
	fi
fi

# 4. QEMU
if [ "$do_qemu" = 1 ]; then
	R="$VM_REPO/vm/run-qemu.sh"
	# shellcheck disable=SC2016 # the guest's shell expands these
	check "qemu: PCI device 1af4:107f, probe binds and unloads" "$R" -q --log "$W/q1.log" \
		--timeout 300 --module "$W/d61/vaccel_probe.ko" --rmmod -- /bin/sh -c \
		'for d in /sys/bus/pci/devices/*; do echo "$d $(cat $d/vendor):$(cat $d/device)"; done; grep -H . /sys/bus/virtio/devices/*/device; grep -q 0x107f /sys/bus/pci/devices/*/device'
	check "qemu: guest console shows 0x1af4:0x107f" log_has "$W/q1.log" '0x1af4:0x107f'
	check "qemu: probe read the config space" log_has "$W/q1.log" 'vaccel-probe: bound: protocol'
	check "qemu: probe removed" log_has "$W/q1.log" 'vaccel-probe: removed'
	check "qemu: daemon saw the guest connect" log_has "$W/q1.daemon.log" 'connected'
	check_not "qemu: daemon: no error" grep -q ": error: " "$W/q1.daemon.log"

	# --net-user: a line from the guest to a listener on the host's
	# loopback (10.0.2.2 in the guest), and the listener's answer back
	python3 - "$W/net.port" "$W/net.got" <<'EOP' &
import os, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
s.settimeout(300)
open(sys.argv[1] + ".tmp", "w").write("%d\n" % s.getsockname()[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
c, peer = s.accept()
c.settimeout(30)
data = b""
while not data.endswith(b"\n"):
    b = c.recv(4096)
    if not b:
        break
    data += b
open(sys.argv[2], "w").write("%s %s" % (peer[0], data.decode()))
c.sendall(b"host-ack\n")
c.close()
EOP
	lpid=$!
	for _ in $(seq 100); do [ -f "$W/net.port" ] || sleep 0.1; done
	port=$(cat "$W/net.port")
	# shellcheck disable=SC2016 # the guest's shell expands these
	check "qemu: --net-user: the guest connects to 10.0.2.2:$port" "$R" -q --log "$W/n1.log" \
		--timeout 300 --no-device --net-user -- /bin/sh -c \
		'echo "VM_HOST_IP=$VM_HOST_IP VM_GUEST_IP=$VM_GUEST_IP"; echo "hello-from-guest $VM_GUEST_IP" | nc -w 10 "$VM_HOST_IP" '"$port"
	kill "$lpid" 2>/dev/null || true
	wait "$lpid" 2>/dev/null || true
	check "qemu: --net-user: the host's listener got the line (from 127.0.0.1)" \
		grep -qx '127.0.0.1 hello-from-guest 10.0.2.15' "$W/net.got"
	check "qemu: --net-user: the guest got the answer" log_has "$W/n1.log" 'host-ack'
	check "qemu: --net-user: VM_HOST_IP=10.0.2.2 in the guest" log_has "$W/n1.log" 'VM_HOST_IP=10.0.2.2 '
fi

for l in "$W"/*.log; do cp "$l" "$VM_DIR/logs/selftest-$(basename "$l")" 2>/dev/null || true; done
echo "# $pass passed, $fail failed in $(vm_elapsed "$T0"); logs: $VM_DIR/logs/selftest-*.log"
[ "$fail" = 0 ]
