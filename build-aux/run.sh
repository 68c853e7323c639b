#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Takes a fresh Debian 12 machine to a running monitor connected to the
# embedded default: a local batch-runnerd on loopback with its SQLite
# database under $XDG_DATA_HOME/batch-runner and the sample leads, which
# the monitor itself starts (BR_SERVER=URL connects to a server instead).
# With no display, the monitor is served by Broadway: open the printed
# address in a browser.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
builddir=_build/dev

build-aux/setup.sh "$builddir"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

export GSETTINGS_SCHEMA_DIR="$top/$builddir/data"

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  display=${BROADWAY_DISPLAY_NUMBER:-5}
  gtk4-broadwayd --address 127.0.0.1 ":$display" &
  pids+=($!)
  export GDK_BACKEND=broadway BROADWAY_DISPLAY=":$display"
  echo "run: no display; open http://127.0.0.1:$((8080 + display))/ in a browser"
  sleep 0.5
fi

exec_monitor() {
  "$builddir/src/monitor/batch-runner-monitor" "$@"
}

if [ -n "${BR_SERVER:-}" ]; then
  exec_monitor --server "$BR_SERVER"
  exit
fi

# The embedded default: with no server configured, the monitor starts its
# own batch-runnerd on loopback (found next to it in the build tree), with
# the database under $XDG_DATA_HOME/batch-runner, the sample leads imported
# on first use and a fresh token, and stops it when it quits.
exec_monitor
