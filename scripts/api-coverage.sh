#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Check that every function exported by libvaccel.so is called by at least
# one test: builds with gcov instrumentation, runs the unit and integration
# suites, and lists exported functions whose entry count is zero.
#
#   scripts/api-coverage.sh [BUILD_DIR]     (default: build-coverage)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-${BUILD:-build}-coverage}

if [ ! -f "$dir/build.ninja" ]; then
	meson setup "$dir" -Db_coverage=true -Dbuildtype=debug -Dtorch=disabled >"$dir.setup.log" 2>&1 ||
		{ cat "$dir.setup.log"; exit 1; }
fi
ninja -C "$dir" >"$dir.build.log" 2>&1 || { tail -40 "$dir.build.log"; exit 1; }
find "$dir" -name '*.gcda' -delete
meson test -C "$dir" --suite unit --suite integration --num-processes 2 >"$dir.test.log" 2>&1 ||
	{ tail -40 "$dir.test.log"; echo "api-coverage: tests failed"; exit 1; }

lib="$dir/src/libvaccel.so"
exported=$(nm -D --defined-only "$lib" | awk '$2 == "T" && $3 ~ /^vaccel_/ {print $3}' | sort -u)
objdir=$(find "$dir/src" -maxdepth 1 -type d -name "libvaccel.so*.p" | head -1)
called=$(cd "$objdir" && find . -name '*.gcda' -print0 |
	xargs -0 -n1 sh -c 'gcov --json-format --stdout -o "$(dirname "$1")" "$1" 2>/dev/null' _ |
	python3 -c '
import json, sys
for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    for f in json.loads(line).get("files", []):
        for fn in f.get("functions", []):
            if fn.get("execution_count", 0) > 0:
                print(fn["name"])
' | sort -u)

missing=$(comm -23 <(echo "$exported") <(echo "$called"))
total=$(echo "$exported" | wc -l)
if [ -n "$missing" ]; then
	echo "api-coverage: exported functions never called by a test:"
	echo "$missing" | sed 's/^/  /'
	echo "api-coverage: $(echo "$missing" | wc -l) of $total uncovered"
	exit 1
fi
echo "api-coverage: all $total exported functions are called by the tests"
