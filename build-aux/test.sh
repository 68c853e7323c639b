#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Takes a fresh Debian 12 machine to a full test run: installs what is
# missing, builds with coverage and warnings as errors, runs every suite
# (unit, integration, ui, a11y, validation), prints line coverage of src/
# and ends with one summary line: "N passed, N failed, N skipped".
#
#   build-aux/test.sh [MESON-TEST-ARGS...]     e.g. --suite unit
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
builddir=${BR_TEST_BUILDDIR:-_build/test}

build-aux/setup.sh --deps-only || exit 1

if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" -Db_coverage=true -Dwerror=true >/dev/null || exit 1
fi
echo "test: building in $builddir"
ninja -C "$builddir" >"$builddir/build.log" 2>&1 || { cat "$builddir/build.log"; exit 1; }

# Old counters would blend into this run's coverage figure.
find "$builddir" -name '*.gcda' -delete

meson test -C "$builddir" --print-errorlogs "$@"
rc=$?

if command -v gcovr >/dev/null; then
  echo "test: line coverage of src/"
  gcovr --root . --filter src/ --print-summary "$builddir" 2>/dev/null | grep -E '^(lines|functions):' || true
fi

log="$builddir/meson-logs/testlog.json"
if [ -f "$log" ]; then
  passed=$(jq -s '[.[] | select(.result == "OK" or .result == "EXPECTEDFAIL")] | length' "$log")
  failed=$(jq -s '[.[] | select(.result == "FAIL" or .result == "TIMEOUT" or .result == "ERROR" or .result == "UNEXPECTEDPASS")] | length' "$log")
  skipped=$(jq -s '[.[] | select(.result == "SKIP")] | length' "$log")
  echo "$passed passed, $failed failed, $skipped skipped"
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] || rc=1
fi
exit $rc
