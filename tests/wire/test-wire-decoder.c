/* test-wire-decoder.c — the incremental frame decoder: chunking, malformed input, resync
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ridge-wire.h"
#include "wire-test.h"
#include "wire-vectors.h"

#define MAX_FRAMES 512
#define STREAM_MAX (1024 * 1024)

static uint8_t stream[STREAM_MAX];
static uint8_t payload_buf[RIDGE_WIRE_MAX_PAYLOAD];

typedef struct {
  size_t   start, len;       /* where the frame lies in the clean stream */
  uint32_t seq;
} FrameRef;

typedef struct {
  uint32_t n_frames;
  uint32_t n_errors;
  uint32_t seqs[4 * MAX_FRAMES];
  int      errors[4 * MAX_FRAMES];
  int      mismatch;         /* a delivered frame differs from the one sent with its seq */
} Result;

static const uint8_t *originals[MAX_FRAMES];
static size_t original_len[MAX_FRAMES];

/* Checks a delivered frame against the frame originally sent with the same seq. */
static void
check_delivered (const RidgeWireDecoder *dec,
                 Result                 *res)
{
  uint32_t seq = dec->header.seq;

  if (seq >= MAX_FRAMES || originals[seq] == NULL)
    return;
  if (original_len[seq] != dec->header.length + RIDGE_WIRE_OVERHEAD
      || memcmp (originals[seq] + RIDGE_WIRE_HEADER_SIZE, dec->payload, dec->header.length) != 0
      || originals[seq][5] * 256 + originals[seq][4] != dec->header.type)
    res->mismatch = 1;
}

/* Feeds data in chunks of 1..max_chunk bytes (max_chunk 1 = byte by byte). */
static void
run (RidgeWireDecoder *dec,
     const uint8_t    *data,
     size_t            len,
     uint32_t          max_chunk,
     Result           *res)
{
  size_t off = 0;
  int idle = 0;

  memset (res, 0, sizeof *res);
  while (off < len || idle == 0)
    {
      size_t chunk = max_chunk <= 1 ? 1 : 1 + wt_rand_range (max_chunk);
      size_t used = 0;
      RidgeWireDecStatus st;

      if (chunk > len - off)
        chunk = len - off;
      st = ridge_wire_decoder_feed (dec, data + off, chunk, &used);
      CHECK (used <= chunk);
      off += used;
      if (st == RIDGE_WIRE_DEC_FRAME)
        {
          if (res->n_frames < 4 * MAX_FRAMES)
            res->seqs[res->n_frames] = dec->header.seq;
          res->n_frames++;
          check_delivered (dec, res);
        }
      else if (st == RIDGE_WIRE_DEC_ERROR)
        {
          CHECK (dec->last_error < 0);
          if (res->n_errors < 4 * MAX_FRAMES)
            res->errors[res->n_errors] = dec->last_error;
          res->n_errors++;
        }
      else
        {
          CHECK_EQ (used, chunk);  /* NEED_MORE consumes everything */
        }
      idle = (off == len && st == RIDGE_WIRE_DEC_NEED_MORE);
    }
}

/* A frame with the given seq and a payload of n pseudo-random bytes. */
static size_t
make_frame (uint8_t *out,
            uint32_t seq,
            uint32_t n)
{
  static uint8_t pl[70000];
  RidgeWireHeader hdr = { RIDGE_WIRE_VERSION, RIDGE_WIRE_FLAG_EVENT, RIDGE_MSG_FRAME, seq, n };
  int32_t len;

  for (uint32_t i = 0; i < n; i++)
    pl[i] = (uint8_t)wt_rand ();
  /* sprinkle magic bytes into the payload: the decoder must not be fooled */
  for (uint32_t i = 0; i + 1 < n; i += 1 + wt_rand_range (40))
    {
      pl[i] = RIDGE_WIRE_MAGIC0;
      pl[i + 1] = RIDGE_WIRE_MAGIC1;
    }
  len = ridge_wire_frame_write (out, 70100, &hdr, pl);
  CHECK (len > 0);
  return len > 0 ? (size_t)len : 0;
}

/* A clean stream of n frames with seqs 0..n-1. */
static size_t
make_stream (uint8_t  *out,
             uint32_t  n,
             uint32_t  max_payload,
             FrameRef *refs)
{
  size_t off = 0;

  for (uint32_t i = 0; i < n; i++)
    {
      uint32_t plen = wt_rand_range (8) == 0 ? 0 : wt_rand_range (max_payload + 1);
      size_t len = make_frame (out + off, i, plen);

      if (refs != NULL)
        refs[i] = (FrameRef) { off, len, i }
      ;
      originals[i] = out + off;
      original_len[i] = len;
      off += len;
    }
  return off;
}

static void
clear_originals (void)
{
  memset (originals, 0, sizeof originals);
}

static void
test_all_vectors_byte_by_byte (void)
{
  static const struct { const uint8_t *b; size_t n; } v[] = {
    { vec_hello_req, sizeof vec_hello_req }, { vec_hello_resp, sizeof vec_hello_resp },
    { vec_capture_resp, sizeof vec_capture_resp }, { vec_goodbye_resp, sizeof vec_goodbye_resp },
    { vec_tpl_list_resp, sizeof vec_tpl_list_resp }, { vec_frame_event, sizeof vec_frame_event },
    { vec_error_unsupported, sizeof vec_error_unsupported },
  };
  RidgeWireDecoder dec;
  size_t off = 0;
  Result res;

  clear_originals ();
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
    {
      memcpy (stream + off, v[i].b, v[i].n);
      off += v[i].n;
    }
  ridge_wire_decoder_init (&dec, payload_buf, 4096);
  run (&dec, stream, off, 1, &res);
  CHECK_EQ (res.n_frames, sizeof v / sizeof v[0]);
  CHECK_EQ (res.n_errors, 0);
  CHECK_EQ (dec.frames, sizeof v / sizeof v[0]);
  CHECK_EQ (dec.resyncs + dec.crc_errors + dec.skipped_bytes + dec.oversized, 0);
  CHECK_EQ (res.seqs[2], 4);
}

static void
test_chunking (void)
{
  static FrameRef refs[200];
  RidgeWireDecoder dec;
  Result res;
  size_t len;

  wt_seed (1);
  clear_originals ();
  len = make_stream (stream, 200, 3000, refs);
  for (uint32_t max_chunk = 1; max_chunk <= 65536; max_chunk *= 4)
    {
      ridge_wire_decoder_init (&dec, payload_buf, 4096);
      run (&dec, stream, len, max_chunk, &res);
      CHECK_EQ (res.n_frames, 200);
      CHECK_EQ (res.n_errors, 0);
      CHECK_EQ (res.mismatch, 0);
      for (uint32_t i = 0; i < 200 && i < res.n_frames; i++)
        CHECK_EQ (res.seqs[i], i);
    }
  /* all at once */
  ridge_wire_decoder_init (&dec, payload_buf, 4096);
  run (&dec, stream, len, (uint32_t)len, &res);
  CHECK_EQ (res.n_frames, 200);
}

static void
test_consumed_stops_at_frame (void)
{
  RidgeWireDecoder dec;
  size_t used = 0;

  memcpy (stream, vec_ping_req, sizeof vec_ping_req);
  memcpy (stream + sizeof vec_ping_req, vec_pong_resp, sizeof vec_pong_resp);
  ridge_wire_decoder_init (&dec, payload_buf, 4096);
  CHECK_EQ (ridge_wire_decoder_feed (&dec, stream, sizeof vec_ping_req + sizeof vec_pong_resp,
                                     &used), RIDGE_WIRE_DEC_FRAME);
  CHECK_EQ (used, sizeof vec_ping_req);
  CHECK_EQ (dec.header.type, RIDGE_MSG_PING);
  CHECK_EQ (ridge_wire_decoder_feed (&dec, stream + used, sizeof vec_pong_resp, &used),
            RIDGE_WIRE_DEC_FRAME);
  CHECK_EQ (used, sizeof vec_pong_resp);
  CHECK_EQ (dec.header.flags, RIDGE_WIRE_FLAG_RESPONSE);
  CHECK_EQ (ridge_wire_decoder_feed (&dec, NULL, 0, &used), RIDGE_WIRE_DEC_NEED_MORE);
  CHECK_EQ (used, 0);
}

/* frame 0 (ping), then the damaged frame, then frame 2 (pong): 0 and 2 must arrive. */
static void
damaged_between (const uint8_t    *damaged,
                 size_t            n,
                 Result           *res,
                 RidgeWireDecoder *dec,
                 uint32_t          cap)
{
  size_t off = 0;

  memcpy (stream, vec_ping_req, sizeof vec_ping_req);
  off += sizeof vec_ping_req;
  memcpy (stream + off, damaged, n);
  off += n;
  memcpy (stream + off, vec_pong_resp, sizeof vec_pong_resp);
  off += sizeof vec_pong_resp;
  for (uint32_t chunk = 1; chunk <= 64; chunk *= 8)
    {
      ridge_wire_decoder_init (dec, payload_buf, cap);
      run (dec, stream, off, chunk, res);
      CHECK (res->n_frames >= 2);
      CHECK_EQ (res->seqs[0], 2);
      CHECK_EQ (res->seqs[res->n_frames - 1], 2);
      CHECK_EQ (dec->header.type, RIDGE_MSG_PING);
      CHECK_EQ (dec->header.flags, RIDGE_WIRE_FLAG_RESPONSE);
    }
}

static void
test_bad_magic (void)
{
  uint8_t f[sizeof vec_hello_req];
  RidgeWireDecoder dec;
  Result res;

  clear_originals ();
  memcpy (f, vec_hello_req, sizeof f);
  f[0] = 'X';
  damaged_between (f, sizeof f, &res, &dec, 4096);
  CHECK_EQ (res.n_frames, 2);
  CHECK_EQ (res.n_errors, 1);
  CHECK_EQ (res.errors[0], RIDGE_WIRE_E_BAD_MAGIC);
  CHECK_EQ (dec.resyncs, 1);
  CHECK_EQ (dec.skipped_bytes, sizeof f);
  f[0] = 'R';
  f[1] = 'g';
  damaged_between (f, sizeof f, &res, &dec, 4096);
  CHECK_EQ (res.n_frames, 2);
  CHECK_EQ (res.n_errors, 1);
}

static void
test_bad_header_crc (void)
{
  uint8_t f[sizeof vec_hello_req];
  RidgeWireDecoder dec;
  Result res;

  clear_originals ();
  for (size_t byte = 2; byte < RIDGE_WIRE_HEADER_SIZE; byte++)
    {
      memcpy (f, vec_hello_req, sizeof f);
      f[byte] ^= 0x10;
      damaged_between (f, sizeof f, &res, &dec, 4096);
      CHECK_EQ (res.n_frames, 2);
      CHECK_EQ (res.errors[0], RIDGE_WIRE_E_BAD_HEADER_CRC);
      CHECK_EQ (dec.crc_errors, 1);
      CHECK_EQ (dec.frames, 2);
    }
}

static void
test_bad_payload_crc (void)
{
  uint8_t f[sizeof vec_hello_resp];
  RidgeWireDecoder dec;
  Result res;

  clear_originals ();
  for (size_t byte = RIDGE_WIRE_HEADER_SIZE; byte < sizeof f; byte++)
    {
      memcpy (f, vec_hello_resp, sizeof f);
      f[byte] ^= 0x01;
      damaged_between (f, sizeof f, &res, &dec, 4096);
      CHECK_EQ (res.n_frames, 2);
      CHECK_EQ (res.errors[0], RIDGE_WIRE_E_BAD_CRC);
      CHECK_EQ (dec.crc_errors, 1);
    }
}

/* A frame cut short: the next frame's bytes are taken as its payload, the check fails,
 * and rescanning those bytes finds the next frame. */
static void
test_truncated_frame (void)
{
  RidgeWireDecoder dec;
  Result res;

  clear_originals ();
  for (size_t cut = 1; cut < sizeof vec_hello_resp; cut++)
    {
      size_t off = 0;

      memcpy (stream, vec_ping_req, sizeof vec_ping_req);
      off += sizeof vec_ping_req;
      memcpy (stream + off, vec_hello_resp, cut);
      off += cut;
      memcpy (stream + off, vec_pong_resp, sizeof vec_pong_resp);
      off += sizeof vec_pong_resp;
      /* later traffic: the decoder learns of the damage only when the bytes the cut frame
       * announced have arrived */
      for (int i = 0; i < 3; i++)
        {
          memcpy (stream + off, vec_info_req, sizeof vec_info_req);
          off += sizeof vec_info_req;
        }
      for (uint32_t chunk = 1; chunk <= 64; chunk *= 8)
        {
          ridge_wire_decoder_init (&dec, payload_buf, 4096);
          run (&dec, stream, off, chunk, &res);
          CHECK_EQ (res.n_frames, 5);
          CHECK_EQ (res.seqs[0], 2);
          CHECK_EQ (res.seqs[1], 2);
          CHECK_EQ (res.seqs[4], 3);
          CHECK (res.n_errors >= 1);
        }
    }
}

/* Callers commonly loop "while input remains" and stop at NEED_MORE. When the input ends
 * exactly where a damaged frame's check fails, the frames hidden in its bytes must still
 * come out of that loop, not wait for more input. */
static void
test_rescan_without_extra_calls (void)
{
  RidgeWireDecoder dec;
  size_t off = 0, cut_at, end_of_cut;
  uint32_t frames = 0;
  uint16_t types[8];

  memcpy (stream, vec_ping_req, sizeof vec_ping_req);
  off += sizeof vec_ping_req;
  cut_at = off;
  memcpy (stream + off, vec_hello_resp, 40);
  off += 40;
  memcpy (stream + off, vec_pong_resp, sizeof vec_pong_resp);
  off += sizeof vec_pong_resp;
  for (int i = 0; i < 3; i++)
    {
      memcpy (stream + off, vec_info_req, sizeof vec_info_req);
      off += sizeof vec_info_req;
    }
  /* where the cut frame's announced payload and trailer end */
  end_of_cut = cut_at + sizeof vec_hello_resp;
  CHECK (end_of_cut < off);

  ridge_wire_decoder_init (&dec, payload_buf, 4096);
  for (int part = 0; part < 2; part++)
    {
      const uint8_t *p = part == 0 ? stream : stream + end_of_cut;
      size_t len = part == 0 ? end_of_cut : off - end_of_cut;

      while (len > 0)
        {
          size_t used = 0;
          RidgeWireDecStatus st = ridge_wire_decoder_feed (&dec, p, len, &used);

          p += used;
          len -= used;
          if (st == RIDGE_WIRE_DEC_FRAME && frames < 8)
            types[frames++] = dec.header.type;
          else if (st == RIDGE_WIRE_DEC_NEED_MORE)
            break;
        }
      if (part == 0)
        {
          /* ping, and the pong that was inside the damaged frame */
          CHECK_EQ (frames, 2);
          CHECK_EQ (types[1], RIDGE_MSG_PING);
          CHECK_EQ (dec.header.flags, RIDGE_WIRE_FLAG_RESPONSE);
        }
    }
  CHECK_EQ (frames, 5);
  CHECK_EQ (types[4], RIDGE_MSG_INFO);
}

static void
test_oversized (void)
{
  RidgeWireDecoder dec;
  Result res;
  uint8_t f[64];
  RidgeWireHeader big = { 1, 0, RIDGE_MSG_PING, 9, 0xffffffffu };
  int32_t n;

  clear_originals ();
  /* the receiver's limit: hello_resp (73 bytes of payload) with a 64-byte buffer */
  damaged_between (vec_hello_resp, sizeof vec_hello_resp, &res, &dec, 64);
  CHECK_EQ (res.n_frames, 2);
  CHECK_EQ (res.errors[0], RIDGE_WIRE_E_TOO_LARGE);
  CHECK_EQ (dec.oversized, 1);
  CHECK_EQ (dec.crc_errors, 0);
  /* a header with a valid check announcing 4 GiB */
  n = ridge_wire_frame_write (f, sizeof f, &(RidgeWireHeader) { 1, 0, RIDGE_MSG_PING, 9, 0 },
                              NULL);
  CHECK_EQ (n, 20);
  f[10] = f[11] = f[12] = f[13] = 0xff;
  f[14] = (uint8_t)ridge_wire_crc16 (f, 14);
  f[15] = (uint8_t)(ridge_wire_crc16 (f, 14) >> 8);
  damaged_between (f, 20, &res, &dec, 4096);
  CHECK_EQ (res.n_frames, 2);
  CHECK_EQ (res.errors[0], RIDGE_WIRE_E_TOO_LARGE);
  CHECK_EQ (dec.oversized, 1);
  (void)big;
}

static void
test_wrong_version (void)
{
  RidgeWireDecoder dec;
  Result res;
  uint8_t f[sizeof vec_hello_req];
  uint16_t h;

  clear_originals ();
  memcpy (f, vec_hello_req, sizeof f);
  f[2] = 2;
  h = ridge_wire_crc16 (f, 14);
  f[14] = (uint8_t)h;
  f[15] = (uint8_t)(h >> 8);
  memcpy (stream, f, sizeof f);
  memcpy (stream + sizeof f, vec_pong_resp, sizeof vec_pong_resp);
  for (uint32_t chunk = 1; chunk <= 64; chunk *= 8)
    {
      size_t used = 0, off = 0;
      RidgeWireDecStatus st;

      ridge_wire_decoder_init (&dec, payload_buf, 4096);
      do
        {
          st = ridge_wire_decoder_feed (&dec, stream + off, chunk, &used);
          off += used;
        }
      while (st == RIDGE_WIRE_DEC_NEED_MORE && off < sizeof f);
      CHECK_EQ (st, RIDGE_WIRE_DEC_ERROR);
      CHECK_EQ (dec.last_error, RIDGE_WIRE_E_BAD_VERSION);
      /* the header is filled in, so the receiver can answer ERR_VERSION to this seq */
      CHECK_EQ (dec.header.version, 2);
      CHECK_EQ (dec.header.type, RIDGE_MSG_HELLO);
      CHECK_EQ (dec.header.seq, 1);
      run (&dec, stream + off, sizeof f + sizeof vec_pong_resp - off, chunk, &res);
      CHECK_EQ (res.n_frames, 1);
      CHECK_EQ (res.n_errors, 0);
      CHECK_EQ (dec.header.type, RIDGE_MSG_PING);
      CHECK_EQ (dec.bad_version, 1);
      CHECK_EQ (dec.crc_errors, 0);
    }
}

static void
test_unknown_type (void)
{
  RidgeWireDecoder dec;
  RidgeWireMsg m;
  uint8_t f[64];
  size_t used;
  int32_t n = ridge_wire_frame_write (f, sizeof f,
                                      &(RidgeWireHeader) { 1, 0, 0x7777, 5, 3 },
                                      (const uint8_t *)"abc");

  CHECK_EQ (n, 23);
  ridge_wire_decoder_init (&dec, payload_buf, 4096);
  CHECK_EQ (ridge_wire_decoder_feed (&dec, f, (size_t)n, &used), RIDGE_WIRE_DEC_FRAME);
  CHECK_EQ (dec.header.type, 0x7777);
  CHECK_EQ (ridge_wire_decode (&dec.header, dec.payload, &m), RIDGE_WIRE_E_UNKNOWN_TYPE);
}

/* A false start ("R", "RG", "RG" + some header bytes) right before a real frame: the real
 * frame begins inside the bytes already buffered and must not be lost. */
static void
test_false_magic_prefix (void)
{
  RidgeWireDecoder dec;
  Result res;

  clear_originals ();
  for (size_t k = 1; k < RIDGE_WIRE_HEADER_SIZE + 4; k++)
    {
      uint8_t junk[32];

      for (size_t i = 0; i < k; i++)
        junk[i] = (uint8_t)(i == 0 ? 'R' : i == 1 ? 'G' : (i % 3 == 0 ? 'R' : 0x11 * i));
      damaged_between (junk, k, &res, &dec, 4096);
      CHECK_EQ (res.n_frames, 2);
      CHECK (res.n_errors >= 1);
      /* and an "RG" header prefix that is a copy of the real frame's own header */
      memcpy (junk, vec_hello_req, k < RIDGE_WIRE_HEADER_SIZE ? k : RIDGE_WIRE_HEADER_SIZE);
      damaged_between (junk, k < RIDGE_WIRE_HEADER_SIZE ? k : RIDGE_WIRE_HEADER_SIZE, &res, &dec,
                       4096);
      CHECK_EQ (res.n_frames, 2);
    }
}

/* Random garbage (with many "RG" pairs) before, between and after frames. */
static void
test_garbage_between_frames (void)
{
  static uint8_t clean[200000];
  static FrameRef refs[100];
  RidgeWireDecoder dec;
  Result res;
  size_t off = 0, len;

  wt_seed (7);
  clear_originals ();
  len = make_stream (clean, 100, 1000, refs);
  for (uint32_t i = 0; i < 100; i++)
    {
      uint32_t g = wt_rand_range (60);

      for (uint32_t j = 0; j < g; j++)
        stream[off++] = wt_rand_range (4) == 0 ? 'R' : wt_rand_range (4) == 0 ? 'G'
                        : (uint8_t)wt_rand ();
      memcpy (stream + off, clean + refs[i].start, refs[i].len);
      originals[i] = stream + off;
      off += refs[i].len;
    }
  memcpy (stream + off, "RGRG\x01", 5);
  off += 5;
  (void)len;
  for (uint32_t chunk = 1; chunk <= 4096; chunk *= 16)
    {
      ridge_wire_decoder_init (&dec, payload_buf, 4096);
      run (&dec, stream, off, chunk, &res);
      CHECK_EQ (res.n_frames, 100);
      CHECK_EQ (res.mismatch, 0);
      CHECK (dec.skipped_bytes > 0);
      CHECK (res.n_errors > 0 && res.n_errors <= dec.resyncs + dec.crc_errors);
    }
}

/* Corruption at a rate: flipped, deleted and inserted bytes. Every frame left intact must
 * arrive, nothing corrupt may arrive, and the decoder must never stall. */
static void
test_corruption_rate (void)
{
  static uint8_t clean[STREAM_MAX / 2];
  static FrameRef refs[MAX_FRAMES];
  static const uint32_t rates[] = { 20000, 3000, 500 };  /* one event per N bytes */
  static uint8_t intact[MAX_FRAMES];

  for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++)
    {
      RidgeWireDecoder dec;
      Result res;
      size_t len, off = 0;
      uint32_t n_intact = 0, got_intact = 0, f = 0;

      wt_seed (100 + r);
      clear_originals ();
      len = make_stream (clean, 400, 1200, refs);
      memset (intact, 1, sizeof intact);
      for (size_t i = 0; i < len; i++)
        {
          while (f + 1 < 400 && i >= refs[f].start + refs[f].len)
            f++;
          if (wt_rand_range (rates[r]) == 0)
            {
              uint32_t kind = wt_rand_range (3);

              intact[f] = 0;
              if (kind == 0)
                stream[off++] = (uint8_t)(clean[i] ^ (1u << wt_rand_range (8)));
              else if (kind == 1)
                continue;  /* deleted */
              else
                {
                  stream[off++] = (uint8_t)wt_rand ();   /* inserted */
                  stream[off++] = clean[i];
                }
            }
          else
            stream[off++] = clean[i];
        }
      for (uint32_t i = 0; i < 400; i++)
        n_intact += intact[i];
      ridge_wire_decoder_init (&dec, payload_buf, 4096);
      run (&dec, stream, off, 700, &res);
      CHECK_EQ (res.mismatch, 0);
      for (uint32_t i = 0; i < res.n_frames && i < 4 * MAX_FRAMES; i++)
        {
          if (res.seqs[i] < 400 && intact[res.seqs[i]])
            {
              got_intact++;
              intact[res.seqs[i]] = 2;  /* count each once */
            }
        }
      printf ("# corruption 1/%u bytes: %u of 400 frames intact, %u delivered, %u errors, "
              "%u resyncs, %u crc errors\n", rates[r], n_intact, res.n_frames, res.n_errors,
              dec.resyncs, dec.crc_errors);
      CHECK_EQ (got_intact, n_intact);
      CHECK (res.n_frames >= n_intact);
      CHECK (n_intact < 400 || r == 0);
    }
}

static void
test_reset_and_limits (void)
{
  RidgeWireDecoder dec;
  size_t used;
  uint8_t f[64];
  int32_t n;

  ridge_wire_decoder_init (&dec, payload_buf, 4096);
  CHECK_EQ (ridge_wire_decoder_feed (&dec, vec_hello_req, 20, &used), RIDGE_WIRE_DEC_NEED_MORE);
  ridge_wire_decoder_reset (&dec);
  CHECK_EQ (ridge_wire_decoder_feed (&dec, vec_ping_req, sizeof vec_ping_req, &used),
            RIDGE_WIRE_DEC_FRAME);
  CHECK_EQ (dec.frames, 1);
  /* a payload exactly as large as the buffer is taken; one byte more is not */
  n = ridge_wire_frame_write (f, sizeof f, &(RidgeWireHeader) { 1, 0, RIDGE_MSG_PING, 1, 8 },
                              (const uint8_t *)"12345678");
  ridge_wire_decoder_init (&dec, payload_buf, 8);
  CHECK_EQ (ridge_wire_decoder_feed (&dec, f, (size_t)n, &used), RIDGE_WIRE_DEC_FRAME);
  ridge_wire_decoder_init (&dec, payload_buf, 7);
  CHECK_EQ (ridge_wire_decoder_feed (&dec, f, (size_t)n, &used), RIDGE_WIRE_DEC_ERROR);
  CHECK_EQ (dec.last_error, RIDGE_WIRE_E_TOO_LARGE);
  /* no buffer at all: only empty payloads */
  ridge_wire_decoder_init (&dec, NULL, 100);
  CHECK_EQ (ridge_wire_decoder_feed (&dec, vec_info_req, sizeof vec_info_req, &used),
            RIDGE_WIRE_DEC_FRAME);
}

int
main (void)
{
  wt_run ("vectors byte by byte", test_all_vectors_byte_by_byte);
  wt_run ("random chunking", test_chunking);
  wt_run ("consumed stops after a frame", test_consumed_stops_at_frame);
  wt_run ("bad magic", test_bad_magic);
  wt_run ("bad header crc", test_bad_header_crc);
  wt_run ("bad payload crc", test_bad_payload_crc);
  wt_run ("truncated frame", test_truncated_frame);
  wt_run ("rescanned frames come out before more input", test_rescan_without_extra_calls);
  wt_run ("oversized length", test_oversized);
  wt_run ("wrong version", test_wrong_version);
  wt_run ("unknown type", test_unknown_type);
  wt_run ("false magic right before a frame", test_false_magic_prefix);
  wt_run ("garbage between frames", test_garbage_between_frames);
  wt_run ("corruption at a rate", test_corruption_rate);
  wt_run ("reset and limits", test_reset_and_limits);
  return wt_done ();
}
