#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Run one command against a private vhost-user-accel serving vAccel's RPC
# protocol, and exit with the command's status.
#
# Usage: rpc_daemon.sh [-t unix|tcp] [-p HOST_PLUGINS] [--] COMMAND [ARGS...]
#   -t  where the daemon listens: a UNIX socket in a private directory
#       (default), or TCP on 127.0.0.1 at a free port
#   -p  the daemon's --plugins (default: $VIRTIO_LOOPBACK_HOST_PLUGINS, as
#       tests/virtio-plugin/compare.sh sets it for its remote run)
# The command gets VACCEL_RPC_ADDRESS (upstream's URI form) and
# VACCEL_PLUGINS=libvaccel-rpc.so from $RPC_PLUGIN unless VACCEL_PLUGINS is
# set. The daemon's log lines go to stderr after the command, prefixed
# with "vhost-user-accel: " (compare.sh drops those from its results).
# Needs VHOST_USER_ACCEL (the daemon binary).
set -euo pipefail

transport=unix
plugins=${VIRTIO_LOOPBACK_HOST_PLUGINS:-}
while [ $# -gt 0 ]; do
	case "$1" in
	-t) transport=$2; shift 2 ;;
	-p) plugins=$2; shift 2 ;;
	--) shift; break ;;
	-*) echo "rpc_daemon.sh: unknown option '$1'" >&2; exit 99 ;;
	*) break ;;
	esac
done
if [ $# -eq 0 ] || [ -z "$plugins" ] || [ -z "${VHOST_USER_ACCEL:-}" ]; then
	echo "usage: rpc_daemon.sh [-t unix|tcp] [-p PLUGINS] -- CMD..." \
		"(needs VHOST_USER_ACCEL)" >&2
	exit 99
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/vaccel-rpc.XXXXXX")
log=$dir/daemon.log
daemon=
cmd=

stop() {
	if [ -n "$daemon" ] && kill -0 "$daemon" 2>/dev/null; then
		kill -TERM "$daemon" 2>/dev/null || true
		wait "$daemon" 2>/dev/null || true
	fi
	daemon=
}

# shellcheck disable=SC2317 # run by the traps
cleanup() {
	[ -z "$cmd" ] || kill -TERM "$cmd" 2>/dev/null || true
	stop
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# A TCP port nobody listens on (the daemon may still lose a race for it:
# then another one is tried).
free_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 40000))
		if ! ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; then
			echo "$p"
			return
		fi
	done
	echo 0
}

# Start the daemon on $listen; 0 once it listens, 1 if it exited.
start() {
	: >"$log"
	# its runtime must not load the client's plugin list
	env -u VACCEL_PLUGINS -u VACCEL_BACKENDS \
		"$VHOST_USER_ACCEL" -v --plugins "$plugins" --rpc-listen "$listen" \
		--rpc-allow 127.0.0.1 >"$log" 2>&1 &
	daemon=$!
	for _ in $(seq 500); do
		grep -q 'rpc: listening on' "$log" && return 0
		kill -0 "$daemon" 2>/dev/null || { daemon=; return 1; }
		sleep 0.01
	done
	return 1
}

started=0
for _ in 1 2 3 4 5; do
	case "$transport" in
	unix)
		listen=unix:$dir/rpc.sock
		address=unix://$dir/rpc.sock ;;
	tcp)
		port=$(free_port)
		listen=tcp:127.0.0.1:$port
		address=tcp://127.0.0.1:$port ;;
	*) echo "rpc_daemon.sh: -t unix or tcp" >&2; exit 99 ;;
	esac
	if start; then
		started=1
		break
	fi
	stop
done
if [ "$started" != 1 ]; then
	echo "rpc_daemon.sh: the daemon did not start:" >&2
	sed 's/^/vhost-user-accel: /' "$log" >&2
	exit 98
fi

# in the background, so that a signal to this script stops everything now
set +e
VACCEL_RPC_ADDRESS=$address \
	VACCEL_PLUGINS=${VACCEL_PLUGINS:-${RPC_PLUGIN:-libvaccel-rpc.so}} "$@" &
cmd=$!
wait "$cmd"
rc=$?
cmd=
set -e
stop
# the daemon's own lines already start with "vhost-user-accel: "
sed '/^vhost-user-accel: /!s/^/vhost-user-accel: /' "$log" >&2
exit "$rc"
