#!/bin/sh
# check-po.sh TOP LANG — fails unless po/LANG.po is valid and translates every message the
# sources hold now (extracted afresh with the same keywords as meson's glib preset).
set -eu
top=$1
lang=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$top"

xgettext --from-code=UTF-8 --add-comments=Translators --directory="$top" \
  --files-from=po/POTFILES.in --keyword=_ --keyword=N_ --keyword=C_:1c,2 \
  --keyword=NC_:1c,2 --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 \
  --keyword=g_dpgettext2:2c,3 --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format \
  --flag=NC_:2:pass-c-format --flag=g_dngettext:2:pass-c-format \
  --flag=g_strdup_printf:1:c-format --flag=g_set_error:4:c-format \
  --output="$tmp/ridge.pot"

msgfmt --check --output-file=/dev/null "po/$lang.po"
msgmerge --quiet --output-file="$tmp/merged.po" "po/$lang.po" "$tmp/ridge.pot"
msgfmt --check --statistics --output-file=/dev/null "$tmp/merged.po" 2>"$tmp/stats"
cat "$tmp/stats"
if grep -Eq 'fuzzy|untranslated' "$tmp/stats"; then
  echo "po/$lang.po: some messages are untranslated or fuzzy (run: meson compile ridge-update-po)"
  msgattrib --untranslated --only-fuzzy "$tmp/merged.po" 2>/dev/null | head -40 || true
  msgattrib --untranslated "$tmp/merged.po" | grep '^msgid' | head -40 || true
  exit 1
fi
