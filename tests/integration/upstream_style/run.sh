#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Source-compatibility check: install the project into a temporary DESTDIR,
# compile the upstream-style programs in this directory against the
# installed tree using only `pkg-config --cflags --libs vaccel`, and run them
# with the installed plugins; build an upstream-style plugin the same way and
# load it with libvaccel and with the installed host daemon (through it when
# UPSTREAM_STYLE_LOOPBACK names the loopback virtio plugin).
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

# The plugin side: an upstream-style plugin (no `;` after VACCEL_PLUGIN, its
# own enum declared upstream's way), and both VACCEL_PLUGIN spellings under
# -Wpedantic with every C and C++ compiler at hand.
pedantic="-Wall -Wextra -Wpedantic -Werror"
cflags=$(pkg-config --cflags vaccel)
echo "== compiling plugin.c (-Wpedantic)"
# shellcheck disable=SC2086 # several words
if ! "$cc" -std=gnu11 $pedantic -shared -fPIC -o "$tmp/libvaccel-upstream.so" \
	"$src_dir/plugin.c" $flags; then
	echo "FAIL: plugin.c does not compile against the installed tree"
	fail=1
fi
# shellcheck disable=SC2086 # several words
"$cc" -std=gnu11 -Wall -Wextra -Werror -o "$tmp/plugin_user" \
	"$src_dir/plugin_user.c" $flags || fail=1
for c in "$cc -std=gnu11" "clang -std=c11" "g++ -x c++ -std=c++20" \
	"clang++ -x c++ -std=c++20"; do
	command -v "${c%% *}" >/dev/null 2>&1 || continue
	extra=
	case $c in *c++*) extra=-Wno-missing-field-initializers ;; esac
	for end in none semicolon; do
		def=-DPLUGIN_END=
		[ "$end" = none ] || def="-DPLUGIN_END=;"
		echo "== $c: VACCEL_PLUGIN(...) followed by $end"
		# shellcheck disable=SC2086 # several words
		if ! $c $pedantic $extra "$def" -fPIC -c -o "$tmp/spelling.o" \
			"$src_dir/spelling.c" $cflags; then
			echo "FAIL: $c rejects VACCEL_PLUGIN(...) followed by $end"
			fail=1
		fi
	done
done
# The log macros check formats (upstream's do not); the opt-out builds
# mismatched ones unchanged.
echo "== log_format.c: rejected by default, built with -DVACCEL_LOG_NO_FORMAT_CHECK"
# shellcheck disable=SC2086 # several words
if "$cc" -std=gnu11 -Wall -Wextra -Werror -c -o "$tmp/log_format.o" \
	"$src_dir/log_format.c" $cflags 2>/dev/null; then
	echo "FAIL: a mismatched log format compiles without the opt-out"
	fail=1
fi
# shellcheck disable=SC2086 # several words
if ! "$cc" -std=gnu11 -Wall -Wextra -Werror -DVACCEL_LOG_NO_FORMAT_CHECK \
	-c -o "$tmp/log_format.o" "$src_dir/log_format.c" $cflags; then
	echo "FAIL: VACCEL_LOG_NO_FORMAT_CHECK does not turn the check off"
	fail=1
fi
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

# The upstream-style plugin loaded by libvaccel...
echo "== VACCEL_PLUGINS=libvaccel-upstream.so plugin_user double triple square"
VACCEL_PLUGINS=$tmp/libvaccel-upstream.so "$tmp/plugin_user" double triple \
	square >"$tmp/out" 2>&1
rc=$?
cat "$tmp/out"
[ "$rc" = 0 ] || { echo "FAIL: exit status $rc"; fail=1; }
expect '^double\(7\) = 14$'
expect '^triple\(7\) = 21$'
expect '^square\(7\) = 49$'
VACCEL_PLUGINS=$tmp/libvaccel-upstream.so "$tmp/plugin_user" cube \
	>"$tmp/out" 2>&1
expect 'Could not run op: 95$'

# ... and by the installed host daemon: its plugin check (--probe loads
# the plugins in a throw-away process), then calls through it (the virtio
# plugin's loopback variant runs a private daemon with this plugin).
daemon=$(find "$root" -name vhost-user-accel -type f | head -1)
if [ -z "$daemon" ]; then
	echo "FAIL: no vhost-user-accel in the installed tree"
	fail=1
else
	echo "== vhost-user-accel --probe --plugins libvaccel-upstream.so"
	if ! "$daemon" --probe --plugins "$tmp/libvaccel-upstream.so"; then
		echo "FAIL: the daemon does not load the upstream-style plugin"
		fail=1
	fi
	if "$daemon" --probe --plugins "$tmp/nothing.so" >/dev/null 2>&1; then
		echo "FAIL: the daemon's --probe accepts a missing plugin"
		fail=1
	fi
	lb=${UPSTREAM_STYLE_LOOPBACK:-}
	if [ -n "$lb" ] && [ -f "$lb" ]; then
		echo "== through the daemon: VACCEL_PLUGINS=$lb"
		VHOST_USER_ACCEL=$daemon \
			VIRTIO_LOOPBACK_HOST_PLUGINS=$tmp/libvaccel-upstream.so \
			VACCEL_PLUGINS=$lb "$tmp/plugin_user" triple square \
			>"$tmp/out" 2>&1
		rc=$?
		cat "$tmp/out"
		[ "$rc" = 0 ] || { echo "FAIL: exit status $rc"; fail=1; }
		expect '^triple\(7\) = 21$'
		expect '^square\(7\) = 49$'
	else
		echo "(no loopback virtio plugin: calls through the daemon skipped)"
	fi
fi

[ "$fail" = 0 ] && echo "upstream-style programs: OK"
exit $fail
