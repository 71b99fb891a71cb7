#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Run one program twice — with a local plugin, and through the virtio
# plugin's loopback variant to a private daemon running that same plugin —
# and check that both runs give the same result lines and exit status.
#
# Usage: compare.sh -l LOCAL_PLUGIN -r LOOPBACK_PLUGIN [-s STATUS]
#                   [-e REGEX]... [-w WORD]... -- COMMAND [ARGS...]
#   -l  the plugin the program runs with locally (also the daemon's plugin)
#   -r  libvaccel-virtio-loopback.so
#   -s  expected exit status of both runs (default 0)
#   -e  the result lines must match REGEX (grep -E), so that two runs that
#       fail the same way are not taken for a pass
#   -w  the remote run is WORD... COMMAND: a wrapper that provides the
#       remote end (tests/rpc-plugin/rpc_daemon.sh for libvaccel-rpc.so,
#       with -r naming that plugin)
# Result lines are the program's output without log lines (timestamped),
# timing summaries ("N iteration(s), total ...") and [prof] lines; the
# daemon's own logs go to stderr and are dropped the same way.
# Needs VHOST_USER_ACCEL (the daemon binary) in the environment.
set -euo pipefail

local_plugin=
loopback=
status=0
want=()
wrap=()
while [ $# -gt 0 ]; do
	case "$1" in
	-l) local_plugin=$2; shift 2 ;;
	-r) loopback=$2; shift 2 ;;
	-s) status=$2; shift 2 ;;
	-e) want+=("$2"); shift 2 ;;
	-w) wrap+=("$2"); shift 2 ;;
	--) shift; break ;;
	*) echo "compare.sh: unknown option '$1'" >&2; exit 99 ;;
	esac
done
if [ -z "$local_plugin" ] || [ -z "$loopback" ] || [ $# -eq 0 ]; then
	echo "usage: compare.sh -l PLUGIN -r LOOPBACK [-s N] [-e RE] -- CMD..." >&2
	exit 99
fi

# Result lines of a run's combined output (stdin).
results() {
	grep -Ev -e '^[0-9]{4}\.[0-9]{2}\.[0-9]{2}-[0-9:.]+ - <' \
		-e '^vhost-user-accel: ' \
		-e '^[A-Za-z0-9_]+: [0-9]+ iteration\(s\), total ' \
		-e '\[prof\]' || true
}

unset VACCEL_BACKENDS
set +e
out_local=$(VACCEL_PLUGINS=$local_plugin "$@" 2>&1)
rc_local=$?
out_virtio=$(VACCEL_PLUGINS=$loopback \
	VIRTIO_LOOPBACK_HOST_PLUGINS=$local_plugin ${wrap[@]+"${wrap[@]}"} \
	"$@" 2>&1)
rc_virtio=$?
set -e

echo "\$ $*"
echo "--- local ($local_plugin), exit status $rc_local"
printf '%s\n' "$out_local"
if [ ${#wrap[@]} -eq 0 ]; then
	echo "--- virtio loopback, exit status $rc_virtio"
else
	echo "--- $loopback via ${wrap[*]}, exit status $rc_virtio"
fi
printf '%s\n' "$out_virtio"
echo "---"

fail=0
res_local=$(printf '%s\n' "$out_local" | results)
res_virtio=$(printf '%s\n' "$out_virtio" | results)
if [ "$rc_local" != "$status" ] || [ "$rc_virtio" != "$status" ]; then
	echo "FAIL: expected exit status $status from both runs"
	fail=1
fi
if [ "$res_local" != "$res_virtio" ]; then
	echo "FAIL: the result lines differ:"
	diff <(printf '%s\n' "$res_local") <(printf '%s\n' "$res_virtio") || true
	fail=1
fi
for re in "${want[@]}"; do
	if ! printf '%s\n' "$res_virtio" | grep -Eq -- "$re"; then
		echo "FAIL: no result line matches '$re'"
		fail=1
	fi
done
[ "$fail" -eq 0 ] && echo "PASS: same results"
exit "$fail"
