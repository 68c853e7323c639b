#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs one out-of-process accessibility test program against real windows:
#
#   run-a11y.sh TEST-PROGRAM [ARGS...]
#
# It re-executes itself under dbus-run-session, starts Xvfb on a free
# display and the AT-SPI bus (see xvfb-session.sh), runs the program with
# DISPLAY and GDK_BACKEND=x11 set and a throwaway HOME/XDG_* dirs, and
# always stops and reaps Xvfb, the bus launcher and every child — on
# success, failure, or when meson kills it on timeout. The exit status is
# the program's.
#
# Adding a test (e.g. the dashboard or the new-batch flow):
#   1. Write tests/a11y/br-a11y-NAME.c like br-a11y-test.c, with the
#      helpers of brt-a11y.h: brt_a11y_test_init() and brt_a11y_test_add()
#      instead of g_test_init() and g_test_add_func();
#      brt_a11y_monitor_start() for a monitor on a fresh batch-runnerd,
#      found on the AT-SPI desktop; brt_a11y_wait_for_window(),
#      brt_a11y_find() by role and name, brt_a11y_activate(),
#      brt_a11y_wait_until() to poll with a deadline, and
#      brt_a11y_find_unnamed_controls().
#   2. Add one line to `a11y_tests` in tests/a11y/meson.build:
#        'br-a11y-NAME': 'a11y-NAME',
#      It is built, linked with brt-a11y, and registered with this harness,
#      the a11y environment (BRD_BIN, BRM_BIN, ...) and the suite 'a11y'.
#   3. meson test -C BUILDDIR --suite a11y --print-errorlogs
# Debugging: XS_VERBOSE=1 reports the session; BR_A11Y_DUMP=1 makes
# br-a11y-test print the accessible trees it looks at to stderr.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/a11y/xvfb-session.sh
source "$here/xvfb-session.sh"

if [ $# -lt 1 ]; then
  echo "usage: $0 TEST-PROGRAM [ARGS...]" >&2
  exit 2
fi

xs_reexec_in_dbus "$@"

# GTK must register with the AT-SPI bus; these would switch that off.
unset NO_AT_BRIDGE GTK_A11Y

xs_start

# In the background, so a TERM from meson runs the trap at once instead of
# after the program ends.
xs_spawn "$@"
test_pid=$xs_last_pid
wait "$test_pid"
rc=$?
# Reaped already: keep xs_cleanup from signalling a recycled pid.
xs_forget "$test_pid"
exit $rc
