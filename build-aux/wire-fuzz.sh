#!/bin/sh
# Builds the wire codec's libFuzzer targets (tests/wire/fuzz-*.c) with clang and runs each
# for SECONDS (default 60). Usage: build-aux/wire-fuzz.sh [SECONDS] [OUTDIR]
# Corpora start from the protocol's test vectors and are kept in OUTDIR (default
# build-fuzz-wire/) between runs; a crash leaves its input there as crash-*.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
out=${2:-$top/build-fuzz-wire}
cc=${CLANG:-clang}
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "wire-fuzz: clang is not installed (apt-get install clang)"; exit 77
fi
mkdir -p "$out"
for target in stream msg; do
  exe="$out/fuzz-wire-$target"
  "$cc" -g -O1 -std=c11 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$top/src/wire" -I"$top/tests/wire" \
    "$top/tests/wire/fuzz-wire-$target.c" "$top"/src/wire/ridge-wire-*.c -o "$exe"
  corpus="$out/corpus-$target"
  mkdir -p "$corpus"
  # seed corpus: every frame of tests/wire/wire-vectors.h
  python3 - "$top/tests/wire/wire-vectors.h" "$corpus" "$target" <<'PY'
import re, sys
src, corpus, target = sys.argv[1], sys.argv[2], sys.argv[3]
for name, body in re.findall(r'vec_(\w+)\[\d+\] = \{(.*?)\};', open(src).read(), re.S):
    b = bytes(int(x, 16) for x in re.findall(r'0x[0-9a-f]{2}', body))
    data = b if target == 'stream' else b[4:6] + b[16:-4]
    open('%s/%s' % (corpus, name), 'wb').write(data)
PY
  echo "wire-fuzz: running fuzz-wire-$target for $seconds s"
  (cd "$out" && "$exe" -max_total_time="$seconds" -max_len=16384 -print_final_stats=1 \
     "$corpus")
done
