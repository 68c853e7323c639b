#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs one in-process GTK test program under the Broadway backend:
#   run-broadway.sh TEST-PROGRAM [ARGS...]
# It starts a private gtk4-broadwayd on a free display (its socket lives in
# a private XDG_RUNTIME_DIR, so nothing stale is left behind), exports
# BROADWAY_DISPLAY and GDK_BACKEND=broadway, runs the program, and always
# stops broadwayd — on success, failure, or when meson kills us on timeout.
set -u

workdir=$(mktemp -d "${TMPDIR:-/tmp}/brt-broadway-XXXXXX")
broadway_pid=
test_pid=

cleanup() {
  local rc=$?
  [ -n "$test_pid" ] && kill -KILL "$test_pid" 2>/dev/null
  if [ -n "$broadway_pid" ]; then
    kill -TERM "$broadway_pid" 2>/dev/null
    wait "$broadway_pid" 2>/dev/null
  fi
  rm -rf "$workdir"
  exit $rc
}
trap cleanup EXIT
trap 'exit 143' TERM INT

export XDG_RUNTIME_DIR="$workdir/runtime"
export HOME="$workdir/home"
export XDG_CONFIG_HOME="$HOME/.config" XDG_DATA_HOME="$HOME/.local/share" XDG_CACHE_HOME="$HOME/.cache"
mkdir -m 700 -p "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME"

port_in_use() {
  # /proc/net/tcp lists listening sockets with the port in hex.
  local hex
  hex=$(printf '%04X' "$1")
  grep -q ":$hex 00000000:0000 0A" /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

started=
for attempt in $(seq 1 20); do
  display=$(( (RANDOM % 400) + 100 ))
  port_in_use $((8080 + display)) && continue
  gtk4-broadwayd --address 127.0.0.1 ":$display" >"$workdir/broadwayd.log" 2>&1 &
  broadway_pid=$!
  for _ in $(seq 1 100); do
    if [ -S "$XDG_RUNTIME_DIR/broadway$((display + 1)).socket" ]; then
      started=1
      break
    fi
    kill -0 "$broadway_pid" 2>/dev/null || break
    sleep 0.05
  done
  [ -n "$started" ] && break
  kill "$broadway_pid" 2>/dev/null
  wait "$broadway_pid" 2>/dev/null
  broadway_pid=
done

if [ -z "$started" ]; then
  echo "Bail out! could not start gtk4-broadwayd" >&2
  cat "$workdir/broadwayd.log" >&2
  exit 1
fi

export BROADWAY_DISPLAY=":$display"
export GDK_BACKEND=broadway
export GTK_A11Y=test

"$@" &
test_pid=$!
wait "$test_pid"
rc=$?
test_pid=
exit $rc
