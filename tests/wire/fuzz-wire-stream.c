/* fuzz-wire-stream.c — libFuzzer target: the frame decoder (two chunkings), then every
 * frame through the message decoder and the Rice decoder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not built by meson. Build and run (build-aux/wire-fuzz.sh does both):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/wire -Itests/wire \
 *     tests/wire/fuzz-wire-stream.c src/wire/ridge-wire-*.c -o fuzz-wire-stream
 *   ./fuzz-wire-stream -max_total_time=60 corpus-dir
 */

#include "wire-fuzz.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  wire_fuzz_stream (data, size);
  return 0;
}
