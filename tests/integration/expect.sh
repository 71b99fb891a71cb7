#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Run a command and check its exit status and output.
#
# Usage: expect.sh [options] -- COMMAND [ARGS...]
#   -p PLUGINS   run with VACCEL_PLUGINS=PLUGINS ("none": unset it)
#   -E VAR=VAL   set an environment variable (repeatable)
#   -s STATUS    expected exit status: a number (default 0) or "nonzero"
#                (any failure that is not a crash, i.e. 1..125)
#   -e REGEX     the output (stdout + stderr) must match REGEX (grep -E)
#   -x REGEX     the output must not match REGEX
#   -c N:REGEX   exactly N output lines must match REGEX
# The output is always echoed, so failures are easy to read in the test log.

set -u

status=0
plugins_set=0
plugins=
want=
dont=
count=

nl='
'
while [ $# -gt 0 ]; do
	case "$1" in
	-p) plugins=$2; plugins_set=1; shift 2 ;;
	-E) export "${2?}"; shift 2 ;;
	-s) status=$2; shift 2 ;;
	-e) want="$want$2$nl"; shift 2 ;;
	-x) dont="$dont$2$nl"; shift 2 ;;
	-c) count="$count$2$nl"; shift 2 ;;
	--) shift; break ;;
	*) echo "expect.sh: unknown option '$1'" >&2; exit 99 ;;
	esac
done
[ $# -gt 0 ] || { echo "expect.sh: no command given" >&2; exit 99; }

if [ "$plugins_set" = 1 ]; then
	if [ "$plugins" = none ]; then
		unset VACCEL_PLUGINS
	else
		VACCEL_PLUGINS=$plugins
		export VACCEL_PLUGINS
	fi
fi
unset VACCEL_BACKENDS

out=$("$@" 2>&1)
rc=$?
echo "\$ $*"
printf '%s\n' "$out"
echo "[exit status $rc]"

fail=0
if [ "$status" = nonzero ]; then
	if [ "$rc" -eq 0 ] || [ "$rc" -gt 125 ]; then
		echo "FAIL: expected a clean failure (1..125), got $rc"
		fail=1
	fi
elif [ "$rc" != "$status" ]; then
	echo "FAIL: expected exit status $status, got $rc"
	fail=1
fi

IFS=$nl
for re in $want; do
	if ! printf '%s\n' "$out" | grep -Eq -- "$re"; then
		echo "FAIL: output does not match: $re"
		fail=1
	fi
done
for re in $dont; do
	if printf '%s\n' "$out" | grep -Eq -- "$re"; then
		echo "FAIL: output unexpectedly matches: $re"
		fail=1
	fi
done
for spec in $count; do
	n=${spec%%:*}
	re=${spec#*:}
	got=$(printf '%s\n' "$out" | grep -Ec -- "$re")
	if [ "$got" != "$n" ]; then
		echo "FAIL: expected $n line(s) matching '$re', got $got"
		fail=1
	fi
done
exit $fail
