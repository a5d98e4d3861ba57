/* fuzz-wire-msg.c — libFuzzer target: the message decoder (input = type u16 LE + payload,
 * decoded under every flag combination) and the list iterators, Rice decoder, re-encoding
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not built by meson. Build and run (build-aux/wire-fuzz.sh does both):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/wire -Itests/wire \
 *     tests/wire/fuzz-wire-msg.c src/wire/ridge-wire-*.c -o fuzz-wire-msg
 *   ./fuzz-wire-msg -max_total_time=60 corpus-dir
 */

#include "wire-fuzz.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  wire_fuzz_msg (data, size);
  return 0;
}
