#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs every benchmark of batch-runnerd against DESIGN.md's targets and
# prints a Markdown table of the figures.
#
#   bench/run.sh BUILD_DIR            e.g. bench/run.sh _build/h6
#
# Each program prints its own figures; their full output and the daemon's
# log go to a temporary folder (named at the end). Targets are reported,
# not asserted: the exit status is non-zero only when a benchmark failed
# to run (an HTTP error, a timeout, a daemon that did not start).
# Everything runs against 127.0.0.1 and each program is bounded in time.

set -u

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi

build=$(cd "$1" && pwd)
bench="$build/bench"
BRD_BIN="$build/src/daemon/batch-runnerd"
export BRD_BIN

for p in "$BRD_BIN" "$bench/bench-preview" "$bench/bench-list" "$bench/bench-fanout" \
         "$bench/bench-throughput" "$bench/bench-exec"; do
  if [ ! -x "$p" ]; then
    echo "$0: $p is missing: configure with -Dbenchmarks=true -Dtests=true and build first" >&2
    exit 2
  fi
done

logs=$(mktemp -d "${TMPDIR:-/tmp}/brd-bench-XXXXXX")
results="$logs/results.tsv"
: > "$results"
failed=""

# run NAME COMMAND...: runs one benchmark (at most 10 minutes), shows its
# report, keeps its RESULT lines.
run () {
  name=$1
  shift
  echo "== $name: $*"
  timeout --kill-after=10 600 "$@" > "$logs/$name.out" 2> "$logs/$name.err"
  rc=$?
  grep -v '^RESULT' "$logs/$name.out"
  grep '^RESULT' "$logs/$name.out" >> "$results"
  if [ $rc -ne 0 ]; then
    echo "!! $name failed (exit $rc); last lines of its stderr:"
    tail -n 15 "$logs/$name.err"
    printf 'RESULT\t%s\t(failed to run, exit %s)\t-\t-\t-\n' "$name" "$rc" >> "$results"
    failed="$failed $name"
  fi
  echo
}

run preview          "$bench/bench-preview"
run list             "$bench/bench-list"
run fanout           "$bench/bench-fanout"
run throughput       env -u BRD_SQLITE_SYNCHRONOUS "$bench/bench-throughput"
run throughput-full  env BRD_SQLITE_SYNCHRONOUS=FULL "$bench/bench-throughput"
run exec             "$bench/bench-exec"

echo "## batch-runnerd benchmarks ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cpus," \
     "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1))"
echo
echo "| benchmark | figure | measured | target | met |"
echo "|---|---|---|---|---|"
awk -F '\t' '$1 == "RESULT" { printf "| %s | %s | %s | %s | %s |\n", $2, $3, $4, $5, $6 }' "$results"
echo
echo "Full output: $logs"

if [ -n "$failed" ]; then
  echo "Failed:$failed" >&2
  exit 1
fi
exit 0
