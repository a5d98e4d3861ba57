/* ridge-wire-private.h — little-endian helpers shared by the wire codec's files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#if __STDC_HOSTED__
#include <string.h>
#else
/* Freestanding (e.g. arm-none-eabi-gcc -ffreestanding without a C library's headers):
 * these three come from the C library or the compiler's runtime. */
void *memcpy (void       *dst,
              const void *src,
              size_t      n);
void *memmove (void       *dst,
               const void *src,
               size_t      n);
void *memset (void  *dst,
              int    c,
              size_t n);
#endif

static inline uint16_t
ridge_wire_get_u16 (const uint8_t *p)
{
  return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t
ridge_wire_get_u32 (const uint8_t *p)
{
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16)
         | ((uint32_t)p[3] << 24);
}

static inline uint64_t
ridge_wire_get_u64 (const uint8_t *p)
{
  return (uint64_t)ridge_wire_get_u32 (p) | ((uint64_t)ridge_wire_get_u32 (p + 4) << 32);
}

static inline void
ridge_wire_put_u16 (uint8_t *p,
                    uint16_t v)
{
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}

static inline void
ridge_wire_put_u32 (uint8_t *p,
                    uint32_t v)
{
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

static inline void
ridge_wire_put_u64 (uint8_t *p,
                    uint64_t v)
{
  ridge_wire_put_u32 (p, (uint32_t)v);
  ridge_wire_put_u32 (p + 4, (uint32_t)(v >> 32));
}
