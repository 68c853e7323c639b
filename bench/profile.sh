#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Profiles batch-runnerd while one benchmark runs against it.
#
#   bench/profile.sh BUILD_DIR BENCH [SECONDS]
#   e.g. bench/profile.sh _build/prof bench-throughput 10
#
# Starts the benchmark, waits until it says "bench: measuring" (the setup
# — importing leads, creating batches — is not recorded), then attaches
# `perf record --call-graph dwarf` to its daemon for SECONDS (default 10) or until the
# daemon exits, and prints the flat and the caller-inclusive profile.
# For readable stacks build with frame pointers and symbols:
#   meson setup _build/prof -Dbuildtype=release -Da11y_tests=false \
#     -Dc_args='-g -fno-omit-frame-pointer'
# Environment: BRD_BIN (daemon to run), PERF_OUT (perf.data path),
# PERF_FREQ (999), PERF_CALLGRAPH (dwarf,16384; or fp), and
# anything the daemon reads (BRD_SQLITE_SYNCHRONOUS=FULL).

set -u

if [ $# -lt 2 ]; then
  echo "usage: $0 BUILD_DIR BENCH [SECONDS]" >&2
  exit 2
fi

build=$(cd "$1" && pwd)
prog="$build/bench/$2"
secs=${3:-10}
out=${PERF_OUT:-$(mktemp "${TMPDIR:-/tmp}/brd-perf-$2-XXXXXX.data")}
log=$(mktemp "${TMPDIR:-/tmp}/brd-perf-$2-XXXXXX.log")
: "${BRD_BIN:=$build/src/daemon/batch-runnerd}"
export BRD_BIN

if ! command -v perf > /dev/null; then
  echo "$0: perf is not installed" >&2
  exit 2
fi

timeout --kill-after=10 600 "$prog" > "$log" 2>&1 &
bench_pid=$!

dpid=""
i=0
while [ $i -lt 600 ]; do
  if grep -q '^bench: measuring' "$log" 2> /dev/null; then
    dpid=$(sed -n 's/^bench: batch-runnerd pid \([0-9]*\) .*/\1/p' "$log" | head -n 1)
    break
  fi
  if ! kill -0 $bench_pid 2> /dev/null; then
    break
  fi
  sleep 0.1
  i=$((i + 1))
done

if [ -z "$dpid" ]; then
  echo "$0: $2 did not reach its measured part; its output:" >&2
  cat "$log" >&2
  wait $bench_pid
  exit 1
fi

perf record -q -F "${PERF_FREQ:-999}" --call-graph "${PERF_CALLGRAPH:-dwarf,16384}" -p "$dpid" -o "$out" -- sleep "$secs" 2> /dev/null
wait $bench_pid
rc=$?

grep -v '^brd-\|^bench: ' "$log"
echo
echo "== flat profile (self time) of batch-runnerd, pid $dpid: $out"
perf report -i "$out" --no-children --sort symbol --percent-limit 0.7 --stdio 2> /dev/null | grep -v '^$' | grep '%' | head -n 45
echo
echo "== inclusive (children) profile"
perf report -i "$out" --children --sort symbol --percent-limit 3 --stdio -g none 2> /dev/null | grep '%' | head -n 45
exit $rc
