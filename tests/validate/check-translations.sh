#!/bin/sh
# zh_CN must be complete: no untranslated or fuzzy message, every file with
# translatable strings listed in POTFILES, and the catalogue up to date with
# the sources (a string added to the code but not to zh_CN.po fails here).
set -eu
src=$1
cd "$src"
status=0

for po in po/*.po; do
  stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$po" 2>&1) || { echo "$po: $stats"; status=1; continue; }
  case "$stats" in
    *untranslated*|*fuzzy*) echo "$po is not complete: $stats"; status=1;;
    *) echo "$po: $stats";;
  esac
done

missing=$(grep -rlE '(^|[^A-Za-z_])(N?_|C_|NC_|ngettext|g_dngettext)[ ]?\(|translatable="yes"' src data --include='*.c' --include='*.ui' --include='*.xml' --include='*.in' 2>/dev/null \
  | grep -vxF -f po/POTFILES || true)
if [ -n "$missing" ]; then
  echo "files with translatable strings missing from po/POTFILES:"; echo "$missing"; status=1
fi

# xgettext cuts a message at a GLib format macro, so it would never be
# translated: use PRId64/PRIu64 (which gettext understands) or %zu instead.
macros=$(grep -rnE '_\("([^"\\]|\\.)*"[[:space:]]*G_G[A-Z0-9]*_FORMAT' src 2>/dev/null || true)
if [ -n "$macros" ]; then
  echo "translatable strings with GLib format macros (use PRId64/PRIu64 or %zu):"; echo "$macros"; status=1
fi

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
grep -v '^#' po/POTFILES | grep -v '^$' > "$tmp/files"
xgettext --from-code=UTF-8 --add-comments=Translators --keyword=_ --keyword=N_ --keyword=C_:1c,2 \
  --keyword=NC_:1c,2 --keyword=g_dngettext:2,3 --keyword=ngettext:1,2 \
  --files-from="$tmp/files" -o "$tmp/crm.pot" 2>"$tmp/xgettext.log" || { cat "$tmp/xgettext.log"; exit 1; }
for po in po/*.po; do
  msgmerge --quiet --no-fuzzy-matching -o "$tmp/merged.po" "$po" "$tmp/crm.pot"
  stats=$(LC_ALL=C msgfmt --statistics -o /dev/null "$tmp/merged.po" 2>&1)
  case "$stats" in
    *untranslated*|*fuzzy*) echo "$po lacks strings that are in the sources: $stats"
       msgattrib --untranslated "$tmp/merged.po" | grep '^msgid' | head -20; status=1;;
  esac
done
exit $status
