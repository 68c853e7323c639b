#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Builds the live-feed decoder fuzz target with clang (libFuzzer + ASan +
# UBSan) and runs it for a bounded number of inputs:
#   run-fuzz.sh SOURCE_ROOT BUILD_ROOT [RUNS]
# TAP output, so meson reads one result. Set BR_FUZZ_SECONDS to fuzz for
# a while by hand instead.
set -u
src=$1
build=$2
runs=${3:-20000}

if ! command -v clang >/dev/null; then
  echo "1..0 # SKIP clang is not installed"
  exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/br-fuzz-XXXXXX")
trap 'rm -rf "$work"' EXIT

pkgs="glib-2.0 gobject-2.0 gio-2.0 libsoup-3.0 json-glib-1.0"
cflags=$(pkg-config --cflags $pkgs)
libs=$(pkg-config --libs $pkgs)
lib="$src/src/libbatchrunner"
gen="$build/src/libbatchrunner"

echo "1..1"
if ! clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
      -DBR_COMPILATION -I"$build" -I"$lib" -I"$gen" $cflags \
      "$src/tests/fuzz/fuzz-feed-decoder.c" "$lib"/br-*.c "$gen/br-enum-types.c" \
      $libs -lm -o "$work/fuzz" >"$work/build.log" 2>&1; then
  sed 's/^/# /' "$work/build.log"
  echo "not ok 1 - fuzz target builds"
  exit 1
fi

mkdir -p "$work/corpus"
cp "$src"/tests/fuzz/corpus/* "$work/corpus/"
if [ -n "${BR_FUZZ_SECONDS:-}" ]; then
  limit="-max_total_time=$BR_FUZZ_SECONDS"
else
  limit="-runs=$runs"
fi

if ASAN_OPTIONS=detect_leaks=1 "$work/fuzz" "$work/corpus" $limit -artifact_prefix="$work/" -max_len=4096 -timeout=10 \
     >"$work/fuzz.log" 2>&1; then
  grep -E "^(#[0-9]+.*DONE|Done)" "$work/fuzz.log" | sed 's/^/# /'
  echo "ok 1 - live-feed decoder survives fuzzing (${BR_FUZZ_SECONDS:+$BR_FUZZ_SECONDS s}${BR_FUZZ_SECONDS:-$runs runs})"
else
  tail -n 40 "$work/fuzz.log" | sed 's/^/# /'
  echo "not ok 1 - fuzzing found a crash or leak"
  exit 1
fi
