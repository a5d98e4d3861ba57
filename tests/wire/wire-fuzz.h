/* wire-fuzz.h — the checks run on every fuzz input: by the libFuzzer targets (fuzz-*.c,
 * build-aux/wire-fuzz.sh) and by the fixed-seed corpus test (test-wire-fuzz.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Besides "no crash, no out-of-bounds access" (ASan/valgrind), they check properties:
 * the frame decoder delivers the same frames whatever the chunking, and whatever decodes
 * re-encodes to bytes that decode to the same encoding again.
 */
#pragma once

#include "ridge-wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WIRE_FUZZ_ASSERT(cond) \
  do { \
      if (!(cond)) \
        { \
          fprintf (stderr, "%s:%d: fuzz property failed: %s\n", __FILE__, __LINE__, #cond); \
          abort (); \
        } \
    } while (0)

#define WIRE_FUZZ_PAYLOAD_CAP 8192u
#define WIRE_FUZZ_MAX_PIXELS  (256u * 256u)

static const uint8_t wire_fuzz_flags[] = {
  0, RIDGE_WIRE_FLAG_RESPONSE, RIDGE_WIRE_FLAG_EVENT,
  RIDGE_WIRE_FLAG_RESPONSE | RIDGE_WIRE_FLAG_ERROR,
};

static void
wire_fuzz_frame_image (const RidgeWireFrame *f,
                       uint32_t              payload_len)
{
  static uint8_t pixels[WIRE_FUZZ_MAX_PIXELS];
  uint32_t npix = (uint32_t)f->width * f->height;
  RidgeWireMinutia m;

  for (uint16_t i = 0; i < f->n_minutiae; i++)
    ridge_wire_minutia_at (f->minutiae_raw, i, &m);
  WIRE_FUZZ_ASSERT (f->image.len <= payload_len);
  if (f->encoding == RIDGE_ENC_RAW)
    WIRE_FUZZ_ASSERT (f->image.len == npix);
  if (f->encoding == RIDGE_ENC_RICE && npix <= WIRE_FUZZ_MAX_PIXELS)
    {
      int32_t r = ridge_wire_rice_decode (f->image.ptr, f->image.len, f->width, f->height,
                                          pixels);

      WIRE_FUZZ_ASSERT (r == (int32_t)npix || r == RIDGE_WIRE_E_TRUNCATED
                        || r == RIDGE_WIRE_E_INVALID);
      if (r == (int32_t)npix)
        {
          /* what decodes re-encodes losslessly within the bound */
          static uint8_t packed[WIRE_FUZZ_MAX_PIXELS + 1], again[WIRE_FUZZ_MAX_PIXELS];
          int32_t n = ridge_wire_rice_encode (pixels, f->width, f->height, packed,
                                              sizeof packed);

          WIRE_FUZZ_ASSERT (n > 0 && (uint32_t)n <= ridge_wire_rice_bound (f->width, f->height));
          WIRE_FUZZ_ASSERT (ridge_wire_rice_decode (packed, (size_t)n, f->width, f->height, again)
                            == (int32_t)npix);
          WIRE_FUZZ_ASSERT (memcmp (pixels, again, npix) == 0);
        }
    }
}

/* Decodes payload as (type, flags); on success walks every view and checks that
 * encode(decode(x)) is a fixed point. */
static void
wire_fuzz_message (uint16_t       type,
                   uint8_t        flags,
                   const uint8_t *payload,
                   uint32_t       len)
{
  static uint8_t enc1[WIRE_FUZZ_PAYLOAD_CAP + 64], enc2[WIRE_FUZZ_PAYLOAD_CAP + 64];
  RidgeWireHeader hdr = { RIDGE_WIRE_VERSION, flags, type, 1, len };
  RidgeWireMsg m, m2;
  uint32_t cur;
  int r = ridge_wire_decode (&hdr, payload, &m);
  int32_t n1, n2;

  WIRE_FUZZ_ASSERT (r <= 0 && r >= RIDGE_WIRE_E_TOO_MANY);
  if (r != RIDGE_WIRE_OK)
    return;

  switch (ridge_wire_body_for (type, flags))
    {
      case RIDGE_BODY_FRAME:
        wire_fuzz_frame_image (&m.frame, len);
        break;
      case RIDGE_BODY_ENROLL_SAMPLE:
        wire_fuzz_frame_image (&m.enroll_sample.frame, len);
        break;
      case RIDGE_BODY_TPL_LIST_RESULT:
        {
          RidgeWireTemplateInfo t;

          cur = 0;
          for (uint16_t i = 0; i < m.tpl_list_result.n; i++)
            WIRE_FUZZ_ASSERT (ridge_wire_tpl_list_next (&m.tpl_list_result, &cur, &t) == 0);
          WIRE_FUZZ_ASSERT (cur == m.tpl_list_result.raw_len);
        }
        break;
      case RIDGE_BODY_SELFTEST:
        {
          RidgeWireCheck c;

          cur = 0;
          for (uint8_t i = 0; i < m.selftest.n; i++)
            WIRE_FUZZ_ASSERT (ridge_wire_selftest_next (&m.selftest, &cur, &c) == 0);
          WIRE_FUZZ_ASSERT (cur == m.selftest.raw_len);
        }
        break;
      case RIDGE_BODY_PARAMS:
        {
          RidgeWireParam p;

          cur = 0;
          for (uint8_t i = 0; i < m.params.n; i++)
            WIRE_FUZZ_ASSERT (ridge_wire_params_next (&m.params, &cur, &p) == 0);
          WIRE_FUZZ_ASSERT (cur == m.params.raw_len);
        }
        break;
      case RIDGE_BODY_COUNTERS:
        {
          RidgeWireCounter c;

          cur = 0;
          for (uint8_t i = 0; i < m.counters.n; i++)
            WIRE_FUZZ_ASSERT (ridge_wire_counters_next (&m.counters, &cur, &c) == 0);
          WIRE_FUZZ_ASSERT (cur == m.counters.raw_len);
        }
        break;
      default:
        break;
    }

  /* the decoded message re-encodes (trailing bytes dropped) and is then a fixed point */
  n1 = ridge_wire_encode (enc1, sizeof enc1, type, flags, 1, &m);
  WIRE_FUZZ_ASSERT (n1 >= (int32_t)RIDGE_WIRE_OVERHEAD);
  WIRE_FUZZ_ASSERT ((uint32_t)n1 - RIDGE_WIRE_OVERHEAD <= len);
  hdr.length = (uint32_t)n1 - RIDGE_WIRE_OVERHEAD;
  WIRE_FUZZ_ASSERT (ridge_wire_decode (&hdr, enc1 + RIDGE_WIRE_HEADER_SIZE, &m2) == 0);
  n2 = ridge_wire_encode (enc2, sizeof enc2, type, flags, 1, &m2);
  WIRE_FUZZ_ASSERT (n1 == n2 && memcmp (enc1, enc2, (size_t)n1) == 0);
}

/* Input: type (2 bytes), then the payload, decoded under every flag combination. */
static void
wire_fuzz_msg (const uint8_t *data,
               size_t         size)
{
  uint16_t type;

  if (size < 2 || size > WIRE_FUZZ_PAYLOAD_CAP + 2)
    return;
  type = (uint16_t)(data[0] | data[1] << 8);
  /* fold the type space onto the known types (and a few unknown ones) */
  type = (uint16_t)((type & 0x00ffu) | ((type & 0x0100u) ? 0x7700u : 0u));
  for (size_t f = 0; f < sizeof wire_fuzz_flags; f++)
    wire_fuzz_message (type, wire_fuzz_flags[f], data + 2, (uint32_t)(size - 2));
}

/* Frame digest, to compare the frames two decoders deliver. */
static uint32_t
wire_fuzz_digest (const RidgeWireDecoder *dec)
{
  uint32_t h = ridge_wire_crc32 (0, &dec->header.type, sizeof dec->header.type);

  h = ridge_wire_crc32 (h, &dec->header.seq, sizeof dec->header.seq);
  h = ridge_wire_crc32 (h, &dec->header.flags, 1);
  return ridge_wire_crc32 (h, dec->payload, dec->header.length);
}

#define WIRE_FUZZ_MAX_TRACKED 4096

/* Feeds data to one decoder in chunks chosen by the data, and to another byte by byte:
 * both must deliver the same frames, never stall, and every frame is message-decoded. */
static void
wire_fuzz_stream (const uint8_t *data,
                  size_t         size)
{
  static uint8_t buf_a[WIRE_FUZZ_PAYLOAD_CAP], buf_b[WIRE_FUZZ_PAYLOAD_CAP];
  static uint32_t digests[WIRE_FUZZ_MAX_TRACKED];
  RidgeWireDecoder a, b;
  size_t off = 0, n_a = 0, n_b = 0;
  uint32_t step = 1;

  ridge_wire_decoder_init (&a, buf_a, sizeof buf_a);
  ridge_wire_decoder_init (&b, buf_b, sizeof buf_b);

  for (;;)
    {
      size_t chunk = size - off < step ? size - off : step;
      size_t used = 0;
      RidgeWireDecStatus st = ridge_wire_decoder_feed (&a, data + off, chunk, &used);

      WIRE_FUZZ_ASSERT (used <= chunk);
      off += used;
      if (st == RIDGE_WIRE_DEC_FRAME)
        {
          if (n_a < WIRE_FUZZ_MAX_TRACKED)
            digests[n_a] = wire_fuzz_digest (&a);
          n_a++;
          if (a.header.version == RIDGE_WIRE_VERSION)
            wire_fuzz_message (a.header.type, a.header.flags, a.payload, a.header.length);
        }
      else if (st == RIDGE_WIRE_DEC_NEED_MORE)
        {
          WIRE_FUZZ_ASSERT (used == chunk);
          if (off == size)
            break;
        }
      step = 1u + (off < size ? data[off] % 97u : 0u);
    }

  for (size_t i = 0; i < size; i++)
    {
      size_t pending = 1;  /* this byte, until the decoder has consumed it */

      for (;;)
        {
          size_t used = 0;
          RidgeWireDecStatus st = ridge_wire_decoder_feed (&b, data + i, pending, &used);

          WIRE_FUZZ_ASSERT (used <= pending);
          pending -= used;
          if (st == RIDGE_WIRE_DEC_FRAME)
            {
              WIRE_FUZZ_ASSERT (n_b >= WIRE_FUZZ_MAX_TRACKED || n_b >= n_a
                                || digests[n_b] == wire_fuzz_digest (&b));
              n_b++;
            }
          if (st == RIDGE_WIRE_DEC_NEED_MORE)
            {
              WIRE_FUZZ_ASSERT (pending == 0);
              break;
            }
        }
    }
  WIRE_FUZZ_ASSERT (n_a == n_b);
  WIRE_FUZZ_ASSERT (a.frames == b.frames && a.crc_errors == b.crc_errors
                    && a.skipped_bytes == b.skipped_bytes && a.resyncs == b.resyncs);
}
