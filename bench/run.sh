#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs every benchmark against DESIGN.md's targets — batch-runnerd's,
# libbatchrunner's and the monitor's — and prints a Markdown table of the
# figures.
#
#   bench/run.sh BUILD_DIR            e.g. bench/run.sh _build/h6
#
# Each program prints its own figures; their full output and the daemon's
# log go to a temporary folder (named at the end). Targets are reported,
# not asserted: the exit status is non-zero only when a benchmark failed
# to run (an HTTP error, a timeout, a daemon that did not start).
# Everything runs against 127.0.0.1 and each program is bounded in time.
# The monitor's benchmark runs under a private gtk4-broadwayd that
# tests/ui/run-broadway.sh starts and always stops; it is skipped when
# the build has no monitor (-Dmonitor=false).

set -u

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi

build=$(cd "$1" && pwd)
srcdir=$(cd "$(dirname "$0")/.." && pwd)
bench="$build/bench"
BRD_BIN="$build/src/daemon/batch-runnerd"
export BRD_BIN

for p in "$BRD_BIN" "$bench/bench-preview" "$bench/bench-list" "$bench/bench-fanout" \
         "$bench/bench-throughput" "$bench/bench-exec" "$bench/bench-store" \
         "$bench/bench-feed-latency" "$bench/bench-analytics"; do
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
run analytics        "$bench/bench-analytics"

# cpu_mark, then cpu_busy: "N% busy" of the whole machine in between,
# from /proc/stat, for the programs that do not print it themselves.
cpu_times () {
  awk '/^cpu / { print $2+$3+$4+$5+$6+$7+$8+$9, $5+$6, $9 }' /proc/stat
}
cpu_mark () {
  cpu_start=$(cpu_times)
}
cpu_busy () {
  echo "$cpu_start $(cpu_times)" | awk -v cpus="$(nproc)" '{ t = $4 - $1; if (t > 0) printf "%.0f%% busy (all processes, %d cpus), %.1f%% stolen by the hypervisor\n", 100 * (t - ($5 - $2) - ($6 - $3)) / t, cpus, 100 * ($6 - $3) / t }'
}

# libbatchrunner. These two print Markdown rows, not RESULT lines: turn
# them into RESULT lines here. G_SLICE=always-malloc as the daemon and the
# monitor intend (bench-store's header says why); bench-feed-latency sets
# it for its daemon itself.
cpu_mark
run store            env G_SLICE=always-malloc "$bench/bench-store" 100000
echo "  machine while running: $(cpu_busy)"
awk -F ' [|] ' '/^[|] / {
    label = substr($1, 3); value = $2; sub(/ [|]$/, "", value)
    target = "-"; met = "-"
    printf "RESULT\tstore\t%s\t%s\t%s\t%s\n", label, value, target, met
  }' "$logs/store.out" >> "$results"

cpu_mark
run feed-latency     "$bench/bench-feed-latency" 100 10
echo "  machine while running: $(cpu_busy)"
# | state change → notify, … | N notifies (R/s) | p50 X ms | p99 Y ms | max Z ms |
awk -F ' [|] ' '/^[|] state change/ {
    label = substr($1, 3); p50 = $3; p99 = $4; max = $5; sub(/ [|]$/, "", max)
    sub(/^p50 /, "", p50); sub(/^p99 /, "", p99); sub(/^max /, "", max)
    v = p99; sub(/ ms$/, "", v)
    printf "RESULT\tfeed-latency\t%s p50\t%s\t-\t-\n", label, p50
    printf "RESULT\tfeed-latency\t%s p99 (to the store; the row follows at the next frame)\t%s\t< 150 ms\t%s\n", label, p99, (v + 0 < 150 ? "yes" : "no")
    printf "RESULT\tfeed-latency\t%s max\t%s\t-\t-\n", label, max
    printf "RESULT\tfeed-latency\tnotifies observed\t%s\t-\t-\n", $2
  }' "$logs/feed-latency.out" >> "$results"

# The live charts' sampler (no display needed).
if [ -x "$bench/bench-live-metrics" ]; then
  run live-metrics   "$bench/bench-live-metrics" 100000
fi

# The monitor, with its real batch table, under its own Broadway display.
if [ -x "$bench/bench-monitor" ]; then
  run monitor        "$srcdir/tests/ui/run-broadway.sh" "$bench/bench-monitor"
else
  echo "== monitor: skipped ($bench/bench-monitor is not built: -Dmonitor=false)"
  echo
fi

# The new-batch window: lead browser over 100,000 leads, cost preview.
if [ -x "$bench/bench-new-batch" ]; then
  run new-batch      "$srcdir/tests/ui/run-broadway.sh" "$bench/bench-new-batch"
else
  echo "== new-batch: skipped ($bench/bench-new-batch is not built: -Dmonitor=false)"
  echo
fi

# The chart family: redraw of 10 series × 3,600 points.
if [ -x "$bench/bench-chart" ]; then
  run chart          "$srcdir/tests/ui/run-broadway.sh" "$bench/bench-chart"
else
  echo "== chart: skipped ($bench/bench-chart is not built: -Dmonitor=false)"
  echo
fi

echo "## Batch Runner benchmarks ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cpus," \
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
