#!/bin/sh
# Checks (--check, the default) or fixes (--fix) the C style of every tracked C file
# with uncrustify and build-aux/uncrustify.cfg.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cfg="$top/build-aux/uncrustify.cfg"
mode=${1:---check}
cd "$top"
if ! command -v uncrustify >/dev/null 2>&1; then
  echo "style: uncrustify is not installed (apt-get install uncrustify)"; exit 77
fi
files=$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'bench/*.c' 2>/dev/null || true)
[ -n "$files" ] || { echo "style: no C files"; exit 0; }
case "$mode" in
  --fix)
    # shellcheck disable=SC2086
    uncrustify -q -c "$cfg" --no-backup $files ;;
  --check)
    bad=0
    for f in $files; do
      if ! uncrustify -q -c "$cfg" -f "$f" | cmp -s - "$f"; then
        echo "style: $f differs from build-aux/uncrustify.cfg (run build-aux/style.sh --fix)"
        bad=1
      fi
    done
    exit $bad ;;
  *) echo "usage: $0 [--check|--fix] " >&2; exit 2 ;;
esac
