#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Takes a fresh Debian 12 machine to a running monitor connected to the
# embedded default: a local batch-runnerd on loopback with its SQLite
# database under $XDG_DATA_HOME/batch-runner and the sample leads.
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

# The embedded default: a local service on loopback.
data_dir="${XDG_DATA_HOME:-$HOME/.local/share}/batch-runner"
mkdir -p "$data_dir"
db="$data_dir/batch-runner.db"

# Sample leads on first use, so there is something to build a batch from.
if [ ! -f "$db" ]; then
  "$builddir/src/daemon/batch-runnerd" import-leads data/daemon/sample-leads.csv --database "sqlite://$db"
fi

fifo=$(mktemp -u)
mkfifo "$fifo"
"$builddir/src/daemon/batch-runnerd" --listen 127.0.0.1:0 \
  --database "sqlite://$db" >"$fifo" &
pids+=($!)
read -r line <"$fifo"
rm -f "$fifo"
url=${line#listening on }
echo "run: batch-runnerd at $url"
exec_monitor --server "$url"
