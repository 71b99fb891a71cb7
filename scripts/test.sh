#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The whole test suite (what `make test` runs):
#   1. a normal build, every suite (unit, integration, harness, fuzz, ...);
#   2. an ASan+UBSan build, every suite again;
#   3. valgrind memcheck over the unit suite (the integration suite has its
#      own valgrind tests, which run the example programs under memcheck);
#   4. API coverage: every function libvaccel.so exports is called by a test;
#   5. the guest end-to-end suite (tests/e2e/run.sh): the driver, the guest
#      plugin and the host daemon in User-Mode Linux and in QEMU, each with
#      the driver built with and without zero-copy. The first run builds the
#      UML kernel, QEMU and the guest kernel (tens of minutes on 2 cores;
#      reused from $BUILD/vm afterwards). Needs root.
# Ends with one summary line "Total: N passed, N failed, N skipped".
#
# Environment: BUILD (default build), VACCEL_TEST_STAGES (default
# "plain asan fuzz valgrind coverage e2e"), MESON_TEST_ARGS (extra `meson
# test` arguments), FUZZ_SECONDS (per fuzz target, default 60),
# VACCEL_E2E_ARGS (extra tests/e2e/run.sh arguments, e.g. "--quick" or
# "--vm uml").
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

BUILD=${BUILD:-build}
STAGES=${VACCEL_TEST_STAGES:-plain asan fuzz valgrind coverage e2e}
EXTRA=${MESON_TEST_ARGS:-}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
summaries=()

setup() { # dir, meson args...
	local dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		echo ">> configuring $dir"
		meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || {
			cat "$dir.setup.log"
			return 1
		}
	fi
	echo ">> building $dir"
	ninja -C "$dir" >"$dir.build.log" 2>&1 || {
		tail -50 "$dir.build.log"
		return 1
	}
}

count() { # stage, meson test log (json)
	python3 - "$1" "$2" <<'PY'
import json, sys
stage, path = sys.argv[1], sys.argv[2]
p = f = s = 0
try:
    for line in open(path):
        r = json.loads(line).get("result", "")
        if r in ("OK", "EXPECTEDFAIL"): p += 1
        elif r == "SKIP": s += 1
        else: f += 1
except FileNotFoundError:
    f = 1
print(f"{stage} {p} {f} {s}")
PY
}

run_stage() { # stage, dir, meson test args...
	local stage=$1 dir=$2
	shift 2
	echo ">> [$stage] running tests"
	# shellcheck disable=SC2086
	meson test -C "$dir" --print-errorlogs --num-processes 2 "$@" $EXTRA
	# meson names the log after a --wrap program (testlog-valgrind.json)
	local log=testlog.json
	[ "$stage" = valgrind ] && log=testlog-valgrind.json
	summaries+=("$(count "$stage" "$dir/meson-logs/$log")")
}

fail_setup() {
	summaries+=("$1 0 1 0")
}

# Configure a clang build with the fuzz targets and build only them.
setup_fuzz() { # dir
	local dir=$1 targets=()
	if [ ! -f "$dir/build.ninja" ]; then
		echo ">> configuring $dir"
		CC=clang meson setup "$dir" -Dfuzz=true \
			-Db_sanitize=address,undefined -Db_lundef=false \
			>"$dir.setup.log" 2>&1 || {
			cat "$dir.setup.log"
			return 1
		}
	fi
	for t in tests/fuzz/corpus/*/; do
		targets+=("tests/fuzz/$(basename "$t")")
	done
	echo ">> building ${targets[*]}"
	ninja -C "$dir" "${targets[@]}" >"$dir.build.log" 2>&1 || {
		tail -50 "$dir.build.log"
		return 1
	}
}

# Each libFuzzer target for FUZZ_SECONDS on a scratch copy of its corpus
# (the committed corpus stays as it is); a crash, leak or timeout fails it.
run_fuzz() { # dir
	local dir=$1 p=0 f=0 t name work exe
	echo ">> [fuzz] ${FUZZ_SECONDS}s per target"
	for t in tests/fuzz/corpus/*/; do
		name=$(basename "$t")
		if [ ! -x "$dir/tests/fuzz/$name" ]; then
			echo "   $name: not built"
			f=$((f + 1))
			continue
		fi
		exe=$(cd "$dir/tests/fuzz" && pwd)/$name
		work=$(mktemp -d)
		cp -r "$t" "$work/corpus"
		if (cd "$work" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
			UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
			"$exe" -max_total_time="$FUZZ_SECONDS" \
			-timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
			corpus >fuzz.log 2>&1); then
			echo "   $name: OK ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$work/fuzz.log" | grep -o '[0-9]*$') runs, 0 crashes)"
			p=$((p + 1))
		else
			echo "   $name: FAILED"
			tail -40 "$work/fuzz.log"
			mkdir -p "$dir/fuzz-artifacts"
			cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* \
				"$dir/fuzz-artifacts/" 2>/dev/null
			f=$((f + 1))
		fi
		rm -rf "$work"
	done
	summaries+=("fuzz $p $f 0")
}

for stage in $STAGES; do
	case "$stage" in
	plain)
		if setup "$BUILD"; then run_stage plain "$BUILD"; else fail_setup plain; fi
		;;
	asan)
		if setup "$BUILD-asan" -Db_sanitize=address,undefined -Db_lundef=false; then
			ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
				UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
				run_stage asan "$BUILD-asan"
		else fail_setup asan; fi
		;;
	fuzz)
		if ! command -v clang >/dev/null; then
			echo ">> [fuzz] clang not installed: skipped"
			summaries+=("fuzz 0 0 1")
		elif setup_fuzz "$BUILD-fuzz"; then
			run_fuzz "$BUILD-fuzz"
		else fail_setup fuzz; fi
		;;
	valgrind)
		if setup "$BUILD"; then
			run_stage valgrind "$BUILD" --suite unit \
				--timeout-multiplier 4 \
				--wrap "valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --track-fds=no"
		else fail_setup valgrind; fi
		;;
	e2e)
		# Guests (UML, then QEMU) running the end-to-end suite against the
		# real daemon: one result per guest run (VM x ZC mode).
		if [ "$(id -u)" -ne 0 ]; then
			echo ">> [e2e] skipped: needs root (module builds, guest kernels, VMs)"
			summaries+=("e2e 0 0 1")
		elif setup "$BUILD"; then
			echo ">> [e2e] tests/e2e/run.sh --build $BUILD ${VACCEL_E2E_ARGS:-}"
			# shellcheck disable=SC2086
			tests/e2e/run.sh --build "$BUILD" ${VACCEL_E2E_ARGS:-} 2>&1 | tee "$BUILD.e2e.log"
			e2e_rc=${PIPESTATUS[0]}
			e2e_p=$(sed -n '/^== e2e summary/,$p' "$BUILD.e2e.log" | grep -c ' PASS$' || true)
			e2e_f=$(sed -n '/^== e2e summary/,$p' "$BUILD.e2e.log" | grep -c ' FAIL' || true)
			# a run that stopped before its summary (a build step) fails
			if [ "$e2e_rc" -ne 0 ] && [ "$e2e_f" -eq 0 ]; then e2e_f=1; fi
			summaries+=("e2e $e2e_p $e2e_f 0")
		else fail_setup e2e; fi
		;;
	coverage)
		echo ">> [coverage] every exported libvaccel function called by a test"
		if scripts/api-coverage.sh "$BUILD-coverage"; then
			summaries+=("coverage 1 0 0")
		else
			summaries+=("coverage 0 1 0")
		fi
		;;
	*)
		echo "unknown stage $stage" >&2
		exit 2
		;;
	esac
done

tp=0 tf=0 ts=0
echo
echo "== test summary =="
for s in "${summaries[@]}"; do
	read -r name p f sk <<<"$s"
	printf '  %-10s %4d passed, %d failed, %d skipped\n' "$name" "$p" "$f" "$sk"
	tp=$((tp + p)) tf=$((tf + f)) ts=$((ts + sk))
done
echo "Total: $tp passed, $tf failed, $ts skipped"
[ "$tf" -eq 0 ]
