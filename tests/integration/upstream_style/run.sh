#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Source-compatibility check: install the project into a temporary DESTDIR,
# compile the upstream-style programs in this directory against the
# installed tree using only `pkg-config --cflags --libs vaccel`, and run them
# with the installed plugins.
#
# Usage: run.sh MESON CC BUILD_ROOT SRC_DIR PREFIX LIBDIR MYTESTLIB IMAGE
# Exit status: 0 pass, 1 fail, 77 skip (no pkg-config).

set -u

meson=$1
cc=$2
build_root=$3
src_dir=$4
prefix=$5
libdir=$6
mytestlib=$7
image=$8

command -v pkg-config >/dev/null 2>&1 || { echo "pkg-config not found"; exit 77; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
root=$tmp/root
fail=0

echo "== installing into a temporary DESTDIR"
if ! "$meson" install -C "$build_root" --destdir "$root" --no-rebuild \
	--quiet >"$tmp/install.log" 2>&1; then
	cat "$tmp/install.log"
	echo "FAIL: meson install"
	exit 1
fi

case $libdir in
/*) libdir_abs=$libdir ;;
*) libdir_abs=$prefix/$libdir ;;
esac
inst_lib=$root$libdir_abs

# Only our installed vaccel.pc, with its paths relocated into DESTDIR.
PKG_CONFIG_LIBDIR=$inst_lib/pkgconfig
PKG_CONFIG_PATH=
PKG_CONFIG_SYSROOT_DIR=$root
export PKG_CONFIG_LIBDIR PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR

flags=$(pkg-config --cflags --libs vaccel) || {
	echo "FAIL: pkg-config cannot find the installed vaccel.pc"
	exit 1
}
echo "pkg-config --cflags --libs vaccel: $flags"

for prog in noop exec sgemm classify; do
	echo "== compiling $prog.c"
	# shellcheck disable=SC2086 # $flags holds several words
	if ! "$cc" -std=gnu11 -Wall -Wextra -Werror -o "$tmp/$prog" \
		"$src_dir/$prog.c" $flags; then
		echo "FAIL: $prog.c does not compile against the installed tree"
		fail=1
	fi
done
[ "$fail" = 0 ] || exit 1

LD_LIBRARY_PATH=$inst_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH
unset VACCEL_BACKENDS

# run PLUGIN EXPECTED_STATUS PROGRAM [ARGS...]; output in $tmp/out
run() {
	plugin=$1
	want=$2
	shift 2
	echo "== VACCEL_PLUGINS=libvaccel-$plugin.so $*"
	VACCEL_PLUGINS=$inst_lib/libvaccel-$plugin.so "$@" >"$tmp/out" 2>&1
	rc=$?
	cat "$tmp/out"
	if [ "$rc" != "$want" ]; then
		echo "FAIL: exit status $rc, expected $want"
		fail=1
	fi
}

expect() {
	if ! grep -Eq -- "$1" "$tmp/out"; then
		echo "FAIL: output does not match: $1"
		fail=1
	fi
}

run noop 0 "$tmp/noop"
expect '^Initialized session with id: [0-9]+$'

run noop 0 "$tmp/exec" "$mytestlib"
expect '^output: 10$'
expect '^output2: 32$'

run exec 0 "$tmp/exec" "$mytestlib"
expect '^output: 20$'
expect '^output2: 64$'

run noop 0 "$tmp/sgemm"
expect '^C\[0\] = 0\.0 C\[262143\] = 1022\.0 sum = 133955584\.0$'

if [ -e "$inst_lib/libvaccel-blas.so" ]; then
	run blas 0 "$tmp/sgemm"
	expect '^C\[0\] = 0\.0 C\[262143\] = 512\.0 sum = 67108608\.0$'
fi

run exec 95 "$tmp/sgemm"
expect 'Could not run op: 95'

run noop 0 "$tmp/classify" "$image" 2
expect '^classification tags: This is a dummy classification tag!$'

run noop 0 "$tmp/classify" "$image" 1 "$image"
expect '^classification tags: This is a dummy classification tag!$'

[ "$fail" = 0 ] && echo "upstream-style programs: OK"
exit $fail
