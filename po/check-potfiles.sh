#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks po/POTFILES.in against the tree: every listed file exists, and
# every monitor source or data file with a translatable string is listed
# (a string in an unlisted file never reaches translators). Then runs
# xgettext over the list, which fails on a file it cannot parse.
#
#   check-potfiles.sh SOURCE-DIR
set -eu

top=$1
list="$top/po/POTFILES.in"
status=0

listed=$(grep -v '^#' "$list" | sed '/^$/d')

for f in $listed; do
  if [ ! -f "$top/$f" ]; then
    echo "POTFILES.in lists $f, which does not exist"
    status=1
  fi
done

cd "$top"
for f in $(grep -rlE '(^|[^A-Za-z0-9_])(N?_|C_|g_dngettext|ngettext)[[:space:]]*\("|translatable="yes"' \
             --include='*.c' --include='*.ui' --include='*.in' --include='*.xml' \
             src/monitor data | sort); do
  if ! printf '%s\n' "$listed" | grep -qxF "$f"; then
    echo "$f has translatable strings but is not in po/POTFILES.in"
    status=1
  fi
done

if [ $status -eq 0 ] && command -v xgettext >/dev/null; then
  out=$(mktemp)
  trap 'rm -f "$out"' EXIT
  # The same keywords as i18n.gettext's "glib" preset.
  if ! xgettext --from-code=UTF-8 --files-from="$list" --directory="$top" \
         --output="$out" --keyword=_ --keyword=N_ --keyword=C_:1c,2 \
         --keyword=NC_:1c,2 --keyword=g_dngettext:2,3 --add-comments 2>&1; then
    echo "xgettext could not extract the strings"
    status=1
  elif ! grep -q '^msgid "..*"' "$out"; then
    echo "xgettext found no strings at all"
    status=1
  elif grep -nE '^(msgid|msgid_plural) "(.*[^%])?%"$' "$out"; then
    # xgettext stops a string at a macro it cannot expand, such as
    # G_GINT64_FORMAT; it does understand <inttypes.h>'s PRId64.
    echo "a translatable string is cut short at a format macro: use PRId64 and friends"
    status=1
  fi
fi

[ $status -eq 0 ] && echo "POTFILES.in: $(printf '%s\n' "$listed" | wc -l) files, all present, none missing"
exit $status
