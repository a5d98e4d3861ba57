#!/bin/sh
# Checks (--check, the default) or fixes (--fix) the C style of every tracked C file
# with uncrustify and build-aux/uncrustify.cfg; with FILE arguments, only those files.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cfg="$top/build-aux/uncrustify.cfg"
mode=${1:---check}
[ $# -gt 0 ] && shift
cd "$top"
if ! command -v uncrustify >/dev/null 2>&1; then
  echo "style: uncrustify is not installed (apt-get install uncrustify)"; exit 77
fi
if [ $# -gt 0 ]; then
  files="$*"
else
  files=$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'bench/*.c' 2>/dev/null || true)
fi
[ -n "$files" ] || { echo "style: no C files"; exit 0; }
case "$mode" in
  --fix)
    # shellcheck disable=SC2086
    uncrustify -q -c "$cfg" --no-backup $files ;;
  --check)
    # one uncrustify process for every file; it names each file that differs on stderr
    # shellcheck disable=SC2086
    if ! out=$(uncrustify -q -c "$cfg" --check $files 2>&1 >/dev/null); then
      echo "$out" | sed 's/$/ (run build-aux\/style.sh --fix)/'
      exit 1
    fi ;;
  *) echo "usage: $0 [--check|--fix] [FILE…]" >&2; exit 2 ;;
esac
