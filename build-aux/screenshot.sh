#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Regenerates docs/screenshots/*.png from a build, so the pictures in the
# docs are made by this script and never by hand:
#
#   build-aux/screenshot.sh [BUILD_DIR]        (default: _build/dev)
#
# It runs a headless session (tests/a11y/xvfb-session.sh: private D-Bus,
# Xvfb 1920x1080, AT-SPI bus, throwaway HOME), starts batch-runnerd with a
# fresh database, and for each shot below starts batch-runner-monitor
# against it, waits until its window is mapped and drawn (two identical
# captures in a row), and saves the window's area as a PNG with no
# metadata, so a shot only changes in git when the pixels do.
#
# To add a screen, add a line at the bottom: shot NAME [MONITOR-ARGS...].
# SHOT_TITLE (default "Batch Runner") is the window title to wait for;
# SHOT_SETTLE (seconds, default 0) how long the window runs before capture.
#
# Needs the Debian packages xvfb, dbus, at-spi2-core, x11-utils (xwininfo),
# imagemagick (import, convert), curl and fonts-cantarell (GNOME's UI font: without
# it the shots use a fallback font and do not look like the app).
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${1:-_build/dev}
if [ ! -d "$builddir" ]; then
  echo "screenshot: no build directory $builddir" >&2
  exit 1
fi
builddir=$(cd "$builddir" && pwd)
outdir="$top/docs/screenshots"

brd="$builddir/src/daemon/batch-runnerd"
brm="$builddir/src/monitor/batch-runner-monitor"
for bin in "$brd" "$brm"; do
  [ -x "$bin" ] || { echo "screenshot: $bin is not built (ninja -C $builddir)" >&2; exit 1; }
done
for tool in xwininfo import convert; do
  command -v "$tool" >/dev/null || { echo "screenshot: $tool not found (Debian: x11-utils, imagemagick)" >&2; exit 1; }
done
fc-list 2>/dev/null | grep -qi cantarell ||
  echo "screenshot: warning: fonts-cantarell is not installed; text will use a fallback font" >&2

# Reap the daemons dbus-run-session leaves behind, when the build has the
# reaper (tests enabled).
if [ -z "${XS_REAPER:-}" ] && [ -x "$builddir/tests/a11y/br-a11y-reaper" ]; then
  export XS_REAPER="$builddir/tests/a11y/br-a11y-reaper"
fi

# shellcheck source=tests/a11y/xvfb-session.sh
source "$top/tests/a11y/xvfb-session.sh"
xs_reexec_in_dbus "$@"
xs_start

# The app as a new user of GNOME sees it: default settings, the build's
# schemas, the app icon from the source tree (nothing is installed), and
# what GNOME's settings daemon would hand GTK over XSettings: its UI font
# and window buttons. Without them GTK falls back to "Sans 10" and
# minimize/maximize buttons no GNOME user has.
export GSETTINGS_BACKEND=memory
[ -f "$builddir/data/gschemas.compiled" ] && export GSETTINGS_SCHEMA_DIR="$builddir/data"
export XDG_DATA_DIRS="$top/data:${XDG_DATA_DIRS:-/usr/local/share:/usr/share}"
export LANG=C.UTF-8 LANGUAGE=en
unset GTK_THEME GTK_DEBUG
mkdir -p "$XDG_CONFIG_HOME/gtk-4.0"
cat >"$XDG_CONFIG_HOME/gtk-4.0/settings.ini" <<'EOF'
[Settings]
gtk-font-name=Cantarell 11
gtk-decoration-layout=appmenu:close
gtk-icon-theme-name=Adwaita
EOF

# ---- the service ------------------------------------------------------------

# Leads take a moment each and one in ten fails, so the table shows batches
# in every state: running, paused, completed with failures, cancelled.
xs_spawn "$brd" --listen 127.0.0.1:0 --database "sqlite://$xs_dir/screenshots.db" \
  --processor exec --workers 6 --retry-backoff-ms 60000 \
  --exec-command "sh -c 'read -r lead; sleep 1.5; [ \$(( \$(od -An -N1 -tu1 /dev/urandom) % 10 )) -eq 0 ] && { echo provider timeout >&2; exit 3; }; echo {}'" \
  >"$xs_dir/daemon.out" 2>"$xs_dir/daemon.log"
daemon_pid=$xs_last_pid
xs_wait_for "batch-runnerd" "$daemon_pid" grep -q '^listening on ' "$xs_dir/daemon.out"
url=$(sed -n 's/^listening on //p' "$xs_dir/daemon.out" | head -n 1)
echo "screenshot: batch-runnerd at $url"

api="$url/api/v1"
post() { curl -sf -H 'Content-Type: application/json' -d "$2" "$api$1"; }

# Leads to build batches from, through the API as any client would.
leads="["
for i in $(seq 1 700); do
  leads+="{\"company_name\": \"Company $i\", \"domain\": \"company$i.example.com\", \"enrichment_status\": \"completed\"},"
done
post /leads "${leads%,}]" >/dev/null || xs_die "could not import leads"
mapfile -t lead_ids < <(curl -sf "$api/leads?limit=1000" | grep -o '"id":"[^"]*"' | cut -d'"' -f4)
[ "${#lead_ids[@]}" -ge 690 ] || xs_die "expected 700 leads, got ${#lead_ids[@]}"
next_lead=0

# batch NAME COUNT MAX_CONCURRENT: starts a batch at its previewed price;
# prints its id.
batch() {
  local ids cost
  ids=$(printf '"%s",' "${lead_ids[@]:$next_lead:$2}")
  ids="[${ids%,}]"
  next_lead=$((next_lead + $2))
  cost=$(post /batch/preview "{\"lead_ids\": $ids}" | grep -o '"estimated_cost_usd":[0-9.]*' | head -n 1 | cut -d: -f2)
  post /batch/start "{\"lead_ids\": $ids, \"name\": \"$1\", \"estimated_cost_usd\": $cost, \"cost_approved\": true, \"max_concurrent\": $3, \"retry_count\": 0, \"created_by\": \"ops@example.com\"}" |
    grep -o '"id":"[^"]*"' | head -n 1 | cut -d'"' -f4
}

batch "Fintech outreach, October" 12 4 >/dev/null
batch "Healthcare pilot" 8 4 >/dev/null
sleep 6
batch "Q4 enterprise accounts" 240 2 >/dev/null
batch "Retail EMEA wave 2" 160 1 >/dev/null
paused=$(batch "Logistics partners" 90 1)
cancelled=$(batch "Duplicate import (stopped)" 60 1)
sleep 4
post "/batch/$paused/pause" '{}' >/dev/null
post "/batch/$cancelled/cancel" '{}' >/dev/null
batch "Startups, second pass" 120 1 >/dev/null
sleep 3

# ---- shots ------------------------------------------------------------------

# Prints "WIDTHxHEIGHT+X+Y" of the viewable top-level window titled $1.
# GDK also makes an unmapped 1x1 group-leader window with the same title,
# so every top-level of that name is looked at.
window_geometry() {
  local id info
  for id in $(xwininfo -root -children 2>/dev/null | awk -v t="\"$1\":" 'index($0, t) { print $1 }'); do
    info=$(xwininfo -id "$id" 2>/dev/null) || continue
    grep -q 'Map State: IsViewable' <<<"$info" || continue
    awk -F: '
      /Absolute upper-left X/ { x = $2 + 0 }
      /Absolute upper-left Y/ { y = $2 + 0 }
      /^ *Width/  { w = $2 + 0 }
      /^ *Height/ { h = $2 + 0 }
      END { if (w > 1 && h > 1) printf "%dx%d+%d+%d\n", w, h, x, y; else exit 1 }
    ' <<<"$info" && return 0
  done
  return 1
}

# shot NAME [MONITOR-ARGS...]: docs/screenshots/NAME.png of the monitor
# started with --server URL MONITOR-ARGS.
shot() {
  local name=$1 title=${SHOT_TITLE:-Batch Runner} pid geometry prev cur i
  shift

  xs_spawn "$brm" --server "$url" "$@" >"$xs_dir/monitor-$name.log" 2>&1
  pid=$xs_last_pid

  xs_wait_for "window '$title'" "$pid" window_geometry "$title"
  # The live charts need a few of their 2 s samples before they show a
  # line; SHOT_SETTLE (seconds) lets the window run that long first.
  sleep "${SHOT_SETTLE:-0}"

  # Mapped is not drawn: the first frame takes up to a second here, and
  # until then the window is one flat colour. Capture until two drawn
  # frames 250 ms apart agree.
  prev=
  for i in $(seq 1 24); do
    geometry=$(window_geometry "$title") || xs_die "window '$title' went away"
    cur="$xs_dir/frame-$((i % 2)).ppm"
    import -silent -window root -crop "$geometry" +repage "$cur" 2>>"$xs_dir/import.log" || xs_die "import failed"
    if [ "$(convert "$cur" -format '%k' info:)" -le 1 ]; then
      prev=
    elif [ -n "$prev" ] && cmp -s "$prev" "$cur"; then
      break
    else
      prev=$cur
    fi
    sleep 0.25
  done
  [ "$i" -lt 24 ] || echo "screenshot: $name: the window never settled; keeping the last frame" >&2

  mkdir -p "$outdir"
  convert "$cur" -strip "$outdir/$name.png" || xs_die "convert failed"
  echo "screenshot: docs/screenshots/$name.png ($geometry)"

  xs_stop "$pid"
  xs_forget "$pid"
}

# The window size and style come from the settings the app reads at start
# (a keyfile backend, so each shot sets them before the app starts).
settings() {
  export GSETTINGS_BACKEND=keyfile
  mkdir -p "$XDG_CONFIG_HOME/glib-2.0/settings"
  printf '[io/github/batchrunner/Monitor]\nwindow-width=%s\nwindow-height=%s\ncolor-scheme=%s\n' \
    "$1" "$2" "'$3'" >"$XDG_CONFIG_HOME/glib-2.0/settings/keyfile"
}

export SHOT_SETTLE=9
settings 1920 1080 light; shot dashboard
settings 1920 1080 dark;  shot dashboard-dark
settings 360 720 light;   shot dashboard-narrow
settings 360 720 dark;    shot dashboard-narrow-dark
unset SHOT_SETTLE

# The chart family with sample data (light, dark, 360 px wide) and the
# Analytics page with a week of history against its own batch-runnerd
# (light, dark), drawn in process under Broadway by tests/ui/chart-gallery.c
# and tests/ui/analytics-gallery.c (built with -Dtests=true; the second
# needs the sqlite3 tool to move the batches back in time).
for gallery in chart-gallery analytics-gallery; do
  if [ -x "$builddir/tests/ui/$gallery" ]; then
    BRD_BIN="$brd" "$top/tests/ui/run-broadway.sh" "$builddir/tests/ui/$gallery" "$outdir" ||
      echo "screenshot: $gallery failed" >&2
  else
    echo "screenshot: $builddir/tests/ui/$gallery is not built (-Dtests=true)" >&2
  fi
done
