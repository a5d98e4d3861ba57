#!/bin/sh
# Compiles the wire codec (src/wire/*.c) for a Cortex-M4 as a freestanding C11 library
# and prints its code size. The meson test `wire-cortex-m4` runs this; it skips (77) when
# arm-none-eabi-gcc is absent (Debian: gcc-arm-none-eabi).
# Usage: build-aux/wire-cortex-m4.sh [OUTDIR]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-${TMPDIR:-/tmp}/ridge-wire-cortex-m4}
cc=arm-none-eabi-gcc
size=arm-none-eabi-size
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "wire-cortex-m4: $cc is not installed (apt-get install gcc-arm-none-eabi); skipped"
  exit 77
fi
mkdir -p "$out"
# only the compiler's own freestanding headers (stdint.h, stddef.h, stdbool.h): the codec
# must not need a C library's headers
gcc_include=$("$cc" -print-file-name=include)
objs=""
for src in "$top"/src/wire/*.c; do
  obj="$out/$(basename "$src" .c).o"
  "$cc" -mcpu=cortex-m4 -mthumb -Os -ffreestanding -std=c11 -Wall -Wextra -Werror \
    -nostdinc -isystem "$gcc_include" -I"$top/src/wire" -c "$src" -o "$obj"
  objs="$objs $obj"
done
# shellcheck disable=SC2086
"$size" -t $objs
# linked together, the codec needs nothing from libc but memcpy, memmove and memset
# shellcheck disable=SC2086
arm-none-eabi-ld -r $objs -o "$out/ridge-wire.o"
undefined=$(arm-none-eabi-nm -u "$out/ridge-wire.o" | awk '{print $2}' \
  | grep -v -E '^(memcpy|memmove|memset)$' || true)
if [ -n "$undefined" ]; then
  echo "wire-cortex-m4: unexpected external symbols: $undefined"
  exit 1
fi
echo "wire-cortex-m4: ok"
