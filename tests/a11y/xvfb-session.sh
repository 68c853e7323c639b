# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash
#
# A headless desktop session for out-of-process UI work: a private D-Bus
# session bus, an Xvfb server on a free display, and the AT-SPI bus. Source
# it from bash; it is used by tests/a11y/run-a11y.sh (accessibility tests)
# and build-aux/screenshot.sh (docs/screenshots).
#
#   source tests/a11y/xvfb-session.sh
#   xs_reexec_in_dbus "$@"   # first: re-runs "$0" "$@" under dbus-run-session
#   xs_start                 # temp HOME/XDG/TMPDIR, Xvfb, AT-SPI bus; sets DISPLAY
#   xs_spawn CMD ARGS...     # a background child that xs_cleanup stops
#   ...
#   (xs_cleanup runs on EXIT, INT and TERM and keeps the exit status)
#
# Knobs (environment): XS_SCREEN (default 1920x1080x24), XS_VERBOSE=1,
# XS_REAPER=path of the built br-a11y-reaper (see xs_reexec_in_dbus),
# XS_NO_ATSPI=1 not to start the AT-SPI bus (GTK then has D-Bus activate
# one, which is why the screenshots start it all the same).
#
# Why each piece is there:
# - A private session bus: without one GTK autolaunches a bus whose
#   daemons (at-spi-bus-launcher, the a11y dbus-daemon, at-spi2-registryd)
#   outlive the test. dbus-run-session takes its bus down when we exit.
# - Xvfb -displayfd: the server itself claims the first free display with
#   its lock file (/tmp/.XN-lock) and socket, atomically, and writes the
#   number once it accepts connections — no race with a parallel run that
#   probes /tmp/.X11-unix by hand.
# - The whole session lives in one temp dir (HOME, XDG_*, TMPDIR), so
#   nothing touches the real home; it is removed at exit.
# - meson kills a timed-out test by signalling its process group; the trap
#   still stops and reaps every child (PID 1 here does not reap).

XS_SCREEN=${XS_SCREEN:-1920x1080x24}
XS_START_TIMEOUT=${XS_START_TIMEOUT:-15}

xs_dir=
xs_pids=()
xs_xvfb_pid=
xs_atspi_pid=

xs_log() {
  [ -n "${XS_VERBOSE:-}" ] && echo "xvfb-session: $*" >&2
  return 0
}

xs_die() {
  echo "xvfb-session: $*" >&2
  if [ -n "$xs_dir" ]; then
    for f in "$xs_dir"/*.log; do
      [ -s "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }
    done
  fi
  exit 1
}

# Re-executes the calling script under its own session bus, once. With
# XS_REAPER (the path of br-a11y-reaper, which meson passes), the bus runs
# under a child subreaper: dbus-run-session and at-spi-bus-launcher exit
# without reaping their daemons, and PID 1 here reaps nothing, so without
# it every run leaves zombies behind.
#
# The bus and every service it activates (gnome-keyring-daemon prints its
# environment) write to our stderr: stdout is the test's TAP stream. It is
# carried on fd 3 and given back to the script once inside the session.
xs_reexec_in_dbus() {
  if [ -z "${XS_IN_DBUS:-}" ]; then
    command -v dbus-run-session >/dev/null || xs_die "dbus-run-session not found (Debian package: dbus)"
    export XS_IN_DBUS=1
    if [ -n "${XS_REAPER:-}" ] && [ -x "$XS_REAPER" ]; then
      exec "$XS_REAPER" dbus-run-session -- bash "$0" "$@" 3>&1 1>&2
    fi
    exec dbus-run-session -- bash "$0" "$@" 3>&1 1>&2
  fi
  if { true >&3; } 2>/dev/null; then
    exec 1>&3 3>&-
  fi
}

# Polls COMMAND... every 50 ms until it succeeds; fails after
# XS_START_TIMEOUT seconds or as soon as process PID (if not empty) dies.
xs_wait_for() {
  local what=$1 pid=$2
  shift 2
  local tries=$((XS_START_TIMEOUT * 20))
  while ! "$@" >/dev/null 2>&1; do
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      xs_die "$what: process $pid exited"
    fi
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || xs_die "$what: not ready after ${XS_START_TIMEOUT}s"
    sleep 0.05
  done
}

# Starts CMD ARGS... in the background; xs_cleanup stops it. The pid is in
# $xs_last_pid.
xs_spawn() {
  "$@" &
  xs_last_pid=$!
  xs_pids+=("$xs_last_pid")
}

# Drops PID from the pids xs_cleanup stops (it was stopped and reaped).
xs_forget() {
  local kept=() p
  for p in "${xs_pids[@]}"; do
    [ "$p" = "$1" ] || kept+=("$p")
  done
  xs_pids=("${kept[@]}")
}

# Whether PID is running: an exited child stays a zombie until we wait for
# it, and a zombie still answers kill -0.
xs_alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# Stops PID with SIGTERM, then SIGKILL after about 2 s, and reaps it.
xs_stop() {
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
  for i in $(seq 1 40); do
    xs_alive "$pid" || break
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}

xs_cleanup() {
  local rc=$? i
  trap - EXIT INT TERM
  # Children first (newest first), then the AT-SPI bus, then X.
  for ((i = ${#xs_pids[@]} - 1; i >= 0; i--)); do
    xs_stop "${xs_pids[i]}"
  done
  xs_stop "$xs_atspi_pid"
  xs_stop "$xs_xvfb_pid"
  # Anything else we started (a command substitution's leftovers).
  wait 2>/dev/null
  [ -n "$xs_dir" ] && rm -rf "$xs_dir"
  exit "$rc"
}

# Asks the bus daemon first: calling org.a11y.Bus before our launcher owns
# the name would make D-Bus activate a second launcher of its own.
xs_atspi_ready() {
  gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.NameHasOwner org.a11y.Bus | grep -q true &&
  gdbus call --session --dest org.a11y.Bus --object-path /org/a11y/bus \
    --method org.a11y.Bus.GetAddress
}

xs_start() {
  local display_file n
  [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || xs_die "no session bus: call xs_reexec_in_dbus first"
  command -v Xvfb >/dev/null || xs_die "Xvfb not found (Debian package: xvfb)"

  trap xs_cleanup EXIT
  trap 'exit 143' TERM
  trap 'exit 130' INT

  xs_dir=$(mktemp -d "${TMPDIR:-/tmp}/br-xs-XXXXXX")
  export HOME="$xs_dir/home"
  export XDG_RUNTIME_DIR="$xs_dir/runtime"
  export XDG_CONFIG_HOME="$HOME/.config"
  export XDG_DATA_HOME="$HOME/.local/share"
  export XDG_CACHE_HOME="$HOME/.cache"
  # Temp files of the programs too (a test's database), so that a killed
  # test leaves nothing in /tmp either.
  export TMPDIR="$xs_dir/tmp"
  mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$TMPDIR"
  mkdir -m 700 "$XDG_RUNTIME_DIR"

  display_file="$xs_dir/display"
  : >"$display_file"
  Xvfb -displayfd 3 -screen 0 "$XS_SCREEN" -nolisten tcp -noreset \
    3>"$display_file" >"$xs_dir/xvfb.log" 2>&1 &
  xs_xvfb_pid=$!
  xs_wait_for "Xvfb" "$xs_xvfb_pid" grep -q '^[0-9][0-9]*$' "$display_file"
  n=$(head -n 1 "$display_file")
  xs_wait_for "Xvfb socket /tmp/.X11-unix/X$n" "$xs_xvfb_pid" test -S "/tmp/.X11-unix/X$n"
  export DISPLAY=":$n"
  xs_log "Xvfb $DISPLAY (pid $xs_xvfb_pid)"

  if [ -z "${XS_NO_ATSPI:-}" ]; then
    [ -x /usr/libexec/at-spi-bus-launcher ] || xs_die "/usr/libexec/at-spi-bus-launcher not found (Debian package: at-spi2-core)"
    /usr/libexec/at-spi-bus-launcher --launch-immediately >"$xs_dir/atspi.log" 2>&1 &
    xs_atspi_pid=$!
    xs_wait_for "AT-SPI bus" "$xs_atspi_pid" xs_atspi_ready
    xs_log "AT-SPI bus up (pid $xs_atspi_pid)"
  fi

  # The apps must talk to this session only.
  unset WAYLAND_DISPLAY BROADWAY_DISPLAY AT_SPI_BUS_ADDRESS
  export GDK_BACKEND=x11
}
