#!/bin/sh
# fmr-fuzz.sh [SECONDS] — builds the libFuzzer target of the ISO/ANSI finger minutiae
# record decoders (tests/engine/fuzz-fmr.c) with clang, ASan and UBSan, and runs it.
#
#   build-aux/fmr-fuzz.sh 300            # fuzz for 5 minutes (default 60 s)
#   FMR_FUZZ_DIR=/somewhere build-aux/fmr-fuzz.sh
#
# The corpus starts from synthetic records and, when present, the shared template vectors
# ($RIDGE_SHARED_DATA, default ../shared/data); it is kept in $FMR_FUZZ_DIR/corpus between
# runs. A crash leaves its input in $FMR_FUZZ_DIR/artifacts/ and makes the script fail;
# replay it with: $FMR_FUZZ_DIR/fuzz-fmr <file>
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
out=${FMR_FUZZ_DIR:-${TMPDIR:-/tmp}/ridge-fmr-fuzz}
cc=${FUZZ_CC:-clang}
shared=${RIDGE_SHARED_DATA:-$top/../shared/data}

if ! command -v "$cc" >/dev/null 2>&1; then
  echo "fmr-fuzz: $cc not found (apt-get install clang)"; exit 77
fi
case "$secs" in
  ''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac

mkdir -p "$out/corpus" "$out/artifacts"
srcs="$top/src/engine/ridge-iso.c $top/tests/engine/fuzz-fmr.c"
flags="-std=c11 -g -O1 -I$top/src/engine"

# shellcheck disable=SC2086
"$cc" $flags $srcs -lm -o "$out/fuzz-fmr-seeds"
RIDGE_SHARED_DATA=$shared "$out/fuzz-fmr-seeds" --write-seeds "$out/corpus"

# shellcheck disable=SC2086
"$cc" $flags -DRIDGE_FMR_LIBFUZZER -fsanitize=fuzzer,address,undefined \
  -fno-sanitize-recover=all $srcs -lm -o "$out/fuzz-fmr"

echo "fmr-fuzz: fuzzing for $secs s (corpus $out/corpus)"
exec "$out/fuzz-fmr" -max_total_time="$secs" -max_len=16384 -print_final_stats=1 \
  -artifact_prefix="$out/artifacts/" "$out/corpus"
