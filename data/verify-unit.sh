#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# verify-unit.sh UNIT: runs `systemd-analyze verify` on a configured unit.
# The unit names the installed batch-runnerd, which does not exist at test
# time, so ExecStart is pointed at a stub of the same name first. verify
# exits 0 on unknown keys and bad values (it only logs them), so any output
# at all counts as a failure. Exit 77 (skip) without systemd-analyze.
set -eu

unit=$1
command -v systemd-analyze >/dev/null 2>&1 || { echo "systemd-analyze not found"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

printf '#!/bin/sh\nexit 0\n' > "$tmp/batch-runnerd"
chmod +x "$tmp/batch-runnerd"
name=$(basename "$unit")
sed "s|^ExecStart=[^ ]*/batch-runnerd|ExecStart=$tmp/batch-runnerd|" "$unit" > "$tmp/$name"

status=0
out=$(cd "$tmp" && SYSTEMD_LOG_COLOR=0 systemd-analyze verify --man=no "./$name" 2>&1) || status=$?
if [ -n "$out" ]; then
  printf '%s\n' "$out"
  [ "$status" -ne 0 ] || status=1
fi
exit "$status"
