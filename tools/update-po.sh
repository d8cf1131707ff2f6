#!/bin/sh
# Brings po/*.po up to date with the sources: new strings arrive untranslated
# (fill them in, check-translations.sh fails until you do), removed ones go.
# Locations are file names only, so an edit elsewhere in a file does not
# churn every entry and parallel branches merge without po conflicts.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
grep -v '^#' po/POTFILES | grep -v '^$' > "$tmp/files"
xgettext --from-code=UTF-8 --add-comments=Translators --keyword=_ --keyword=N_ \
  --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=g_dngettext:2,3 --keyword=ngettext:1,2 \
  --package-name=crm --files-from="$tmp/files" -o "$tmp/crm.pot"
for po in po/*.po; do
  msgmerge --quiet --no-fuzzy-matching --add-location=file --sort-by-file \
    -o "$tmp/merged.po" "$po" "$tmp/crm.pot"
  # The creation date changes on every run and is the one line all branches
  # would touch: keep it as it was.
  old=$(grep '^"POT-Creation-Date' "$po")
  OLD="$old" awk '/^"POT-Creation-Date/ { print ENVIRON["OLD"]; next } { print }' \
    "$tmp/merged.po" > "$po"
  LC_ALL=C msgfmt --check --statistics -o /dev/null "$po"
done
