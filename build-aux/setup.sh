#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Sets up a Debian 12 machine for Batch Runner: installs the missing
# packages listed in build-aux/debian-packages.txt (quiet when none are
# missing), then configures and builds.
#
#   build-aux/setup.sh [--deps-only] [BUILDDIR [MESON-SETUP-ARGS...]]
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

deps_only=
if [ "${1:-}" = "--deps-only" ]; then
  deps_only=1
  shift
fi
builddir=${1:-_build/dev}
[ $# -gt 0 ] && shift

mapfile -t wanted < <(grep -v '^\s*#' build-aux/debian-packages.txt | grep -v '^\s*$')
missing=()
for pkg in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$pkg")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
  sudo=
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: run as root or install sudo" >&2; exit 1; }
    sudo=sudo
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ -n "$deps_only" ] && exit 0

if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" "$@" >/dev/null
elif [ $# -gt 0 ]; then
  meson configure "$builddir" "$@" >/dev/null
fi
ninja -C "$builddir" >/dev/null
