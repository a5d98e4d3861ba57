/* ridge-wire-frame.c — frame layer: CRCs, frame writer, incremental decoder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See docs/protocol.md, "Frames" and "Receiver resynchronisation".
 */

#include "ridge-wire.h"
#include "ridge-wire-private.h"

enum {
  DEC_HEADER = 0,   /* collecting the 16 header bytes in hdr_buf (pos = bytes held) */
  DEC_PAYLOAD,      /* copying header.length payload bytes (pos = bytes copied) */
  DEC_TRAILER,      /* collecting the 4 CRC-32 bytes in crc_buf */
  DEC_SKIP,         /* skipping the payload + trailer of a frame of another version */
};

const char *
ridge_wire_strerror (int result)
{
  switch (result)
    {
      case RIDGE_WIRE_OK:
        return "Success";
      case RIDGE_WIRE_E_NOSPACE:
        return "Output buffer too small";
      case RIDGE_WIRE_E_TRUNCATED:
        return "Payload shorter than the message needs";
      case RIDGE_WIRE_E_BAD_MAGIC:
        return "Bytes that are not a frame start were skipped";
      case RIDGE_WIRE_E_BAD_HEADER_CRC:
        return "Frame header check (CRC-16) failed";
      case RIDGE_WIRE_E_BAD_CRC:
        return "Payload check (CRC-32) failed";
      case RIDGE_WIRE_E_TOO_LARGE:
        return "Frame length above the receiver's limit";
      case RIDGE_WIRE_E_BAD_VERSION:
        return "Unsupported protocol version";
      case RIDGE_WIRE_E_UNKNOWN_TYPE:
        return "Unknown message type";
      case RIDGE_WIRE_E_INVALID:
        return "A field is out of range";
      case RIDGE_WIRE_E_TOO_MANY:
        return "A list is longer than its protocol bound";
      default:
        return "Unknown wire codec error";
    }
}

/* CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320) with a 16-entry table: small enough for
 * a microcontroller, fast enough for a desktop (two lookups per byte). */
static const uint32_t crc32_nibble[16] = {
  0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu, 0x76dc4190u, 0x6b6b51f4u,
  0x4db26158u, 0x5005713cu, 0xedb88320u, 0xf00f9344u, 0xd6d6a3e8u, 0xcb61b38cu,
  0x9b64c2b0u, 0x86d3d2d4u, 0xa00ae278u, 0xbdbdf21cu,
};

uint32_t
ridge_wire_crc32 (uint32_t    crc,
                  const void *data,
                  size_t      len)
{
  const uint8_t *p = data;

  crc = ~crc;
  for (size_t i = 0; i < len; i++)
    {
      crc ^= p[i];
      crc = (crc >> 4) ^ crc32_nibble[crc & 0xfu];
      crc = (crc >> 4) ^ crc32_nibble[crc & 0xfu];
    }
  return ~crc;
}

uint16_t
ridge_wire_crc16 (const void *data,
                  size_t      len)
{
  const uint8_t *p = data;
  uint16_t crc = 0xffffu;

  for (size_t i = 0; i < len; i++)
    {
      crc ^= (uint16_t)(p[i] << 8);
      for (int b = 0; b < 8; b++)
        crc = (crc & 0x8000u) ? (uint16_t)((crc << 1) ^ 0x1021u) : (uint16_t)(crc << 1);
    }
  return crc;
}

static void
header_pack (uint8_t               *out,
             const RidgeWireHeader *hdr)
{
  out[0] = RIDGE_WIRE_MAGIC0;
  out[1] = RIDGE_WIRE_MAGIC1;
  out[2] = hdr->version;
  out[3] = hdr->flags;
  ridge_wire_put_u16 (out + 4, hdr->type);
  ridge_wire_put_u32 (out + 6, hdr->seq);
  ridge_wire_put_u32 (out + 10, hdr->length);
  ridge_wire_put_u16 (out + 14, ridge_wire_crc16 (out, 14));
}

int32_t
ridge_wire_frame_write (uint8_t               *out,
                        size_t                 out_cap,
                        const RidgeWireHeader *hdr,
                        const uint8_t         *payload)
{
  if (out == NULL || hdr == NULL || (payload == NULL && hdr->length > 0))
    return RIDGE_WIRE_E_INVALID;
  if (hdr->length > RIDGE_WIRE_MAX_PAYLOAD)
    return RIDGE_WIRE_E_TOO_LARGE;
  if (out_cap < (size_t)hdr->length + RIDGE_WIRE_OVERHEAD)
    return RIDGE_WIRE_E_NOSPACE;

  header_pack (out, hdr);
  if (hdr->length > 0)
    memmove (out + RIDGE_WIRE_HEADER_SIZE, payload, hdr->length);
  ridge_wire_put_u32 (out + RIDGE_WIRE_HEADER_SIZE + hdr->length,
                      ridge_wire_crc32 (0, out + RIDGE_WIRE_HEADER_SIZE, hdr->length));
  return (int32_t)(hdr->length + RIDGE_WIRE_OVERHEAD);
}

/* ---- Incremental decoder ------------------------------------------------------------ */

void
ridge_wire_decoder_init (RidgeWireDecoder *dec,
                         uint8_t          *payload_buf,
                         uint32_t          payload_cap)
{
  memset (dec, 0, sizeof *dec);
  dec->payload = payload_buf;
  dec->payload_cap = payload_buf != NULL ? payload_cap : 0;
  if (dec->payload_cap > RIDGE_WIRE_MAX_PAYLOAD)
    dec->payload_cap = RIDGE_WIRE_MAX_PAYLOAD;
  dec->state = DEC_HEADER;
}

void
ridge_wire_decoder_reset (RidgeWireDecoder *dec)
{
  uint8_t *buf = dec->payload;
  uint32_t cap = dec->payload_cap;

  ridge_wire_decoder_init (dec, buf, cap);
}

/* Drops the first byte of the buffered header bytes and keeps the rest from the next
 * possible frame start on: a real frame may begin inside bytes already buffered. */
static void
header_shift (RidgeWireDecoder *dec)
{
  uint32_t i;

  for (i = 1; i < dec->pos; i++)
    {
      if (dec->hdr_buf[i] == RIDGE_WIRE_MAGIC0
          && (i + 1 == dec->pos || dec->hdr_buf[i + 1] == RIDGE_WIRE_MAGIC1))
        break;
    }
  dec->skipped_bytes += i;
  memmove (dec->hdr_buf, dec->hdr_buf + i, dec->pos - i);
  dec->pos -= i;
}

/* Starts hunting for the magic. Returns true when this is a new event to report (the
 * decoder was in sync); a failure found while already hunting is part of the same hunt. */
static bool
hunt_begin (RidgeWireDecoder *dec,
            int               error)
{
  if (dec->hunting)
    return false;
  dec->hunting = true;
  dec->resyncs++;
  dec->last_error = error;
  return true;
}

/* The 16 header bytes are in hdr_buf. Returns true when an event must be reported. */
static bool
header_complete (RidgeWireDecoder *dec)
{
  const uint8_t *h = dec->hdr_buf;
  RidgeWireHeader hdr;

  if (ridge_wire_crc16 (h, 14) != ridge_wire_get_u16 (h + 14))
    {
      bool report = !dec->hunting;

      if (report)
        dec->crc_errors++;
      hunt_begin (dec, RIDGE_WIRE_E_BAD_HEADER_CRC);
      header_shift (dec);
      return report;
    }

  hdr.version = h[2];
  hdr.flags = h[3];
  hdr.type = ridge_wire_get_u16 (h + 4);
  hdr.seq = ridge_wire_get_u32 (h + 6);
  hdr.length = ridge_wire_get_u32 (h + 10);

  if (hdr.version != RIDGE_WIRE_VERSION && hdr.length <= RIDGE_WIRE_MAX_PAYLOAD)
    {
      /* A well-formed frame of another version: report it (the receiver may answer
       * ERR_VERSION) and skip its body without buffering it. */
      dec->header = hdr;
      dec->bad_version++;
      dec->last_error = RIDGE_WIRE_E_BAD_VERSION;
      dec->hunting = false;
      dec->state = DEC_SKIP;
      dec->pos = 0;
      return true;
    }
  if (hdr.version != RIDGE_WIRE_VERSION || hdr.length > dec->payload_cap)
    {
      /* The header check passed, yet the frame cannot be taken: drop one byte and
       * rescan, as for a bad header. */
      dec->oversized++;
      dec->hunting = false;
      hunt_begin (dec, RIDGE_WIRE_E_TOO_LARGE);
      header_shift (dec);
      return true;
    }

  dec->header = hdr;
  dec->hunting = false;
  dec->crc = 0;
  dec->pos = 0;
  dec->state = hdr.length > 0 ? DEC_PAYLOAD : DEC_TRAILER;
  return false;
}

/* One byte while looking for / collecting a header. Returns true when an event must be
 * reported. */
static bool
header_byte (RidgeWireDecoder *dec,
             uint8_t           b)
{
  bool report = false;

  if (dec->pos == 1 && b != RIDGE_WIRE_MAGIC1)
    {
      /* "R" followed by something else: the "R" was garbage; look at b afresh. */
      report = hunt_begin (dec, RIDGE_WIRE_E_BAD_MAGIC);
      dec->skipped_bytes++;
      dec->pos = 0;
    }
  if (dec->pos == 0 && b != RIDGE_WIRE_MAGIC0)
    {
      report = hunt_begin (dec, RIDGE_WIRE_E_BAD_MAGIC) || report;
      dec->skipped_bytes++;
      return report;
    }
  dec->hdr_buf[dec->pos++] = b;
  if (dec->pos == RIDGE_WIRE_HEADER_SIZE)
    report = header_complete (dec) || report;
  return report;
}

/* Processes up to avail bytes of src in the current state. Returns the bytes used in *n
 * and NEED_MORE, or an event. */
static RidgeWireDecStatus
process (RidgeWireDecoder *dec,
         const uint8_t    *src,
         size_t            avail,
         size_t           *n)
{
  size_t i = 0;

  switch (dec->state)
    {
      case DEC_HEADER:
        while (i < avail && dec->state == DEC_HEADER)
          {
            if (header_byte (dec, src[i++]))
              {
                *n = i;
                return RIDGE_WIRE_DEC_ERROR;
              }
          }
        break;

      case DEC_PAYLOAD:
        i = dec->header.length - dec->pos;
        if (i > avail)
          i = avail;
        /* memmove: while rescanning, src lies in the payload buffer after the target. */
        memmove (dec->payload + dec->pos, src, i);
        dec->crc = ridge_wire_crc32 (dec->crc, dec->payload + dec->pos, i);
        dec->pos += (uint32_t)i;
        if (dec->pos == dec->header.length)
          {
            dec->state = DEC_TRAILER;
            dec->pos = 0;
          }
        break;

      case DEC_TRAILER:
        while (i < avail && dec->pos < RIDGE_WIRE_TRAILER_SIZE)
          dec->crc_buf[dec->pos++] = src[i++];
        if (dec->pos == RIDGE_WIRE_TRAILER_SIZE)
          {
            dec->state = DEC_HEADER;
            dec->pos = 0;
            *n = i;
            if (ridge_wire_get_u32 (dec->crc_buf) == dec->crc)
              {
                dec->frames++;
                return RIDGE_WIRE_DEC_FRAME;
              }
            dec->crc_errors++;
            dec->last_error = RIDGE_WIRE_E_BAD_CRC;
            if (!dec->replaying)
              {
                /* Rescan the payload and trailer for a frame start, hunting. src is the
                 * caller's input here: its last trailer byte is left unconsumed, so that
                 * a caller that loops while input remains calls again and gets the frames
                 * the rescan finds at once. The rescan covers the payload and the first
                 * three trailer bytes; the fourth comes back as input. */
                dec->replaying = true;
                dec->replay_pos = 0;
                dec->replay_len = dec->header.length;
                memcpy (dec->replay_tail + 1, dec->crc_buf, RIDGE_WIRE_TRAILER_SIZE - 1);
                dec->replay_tail_pos = 1;
                dec->hunting = true;
                dec->resyncs++;
                *n = i - 1;
              }
            return RIDGE_WIRE_DEC_ERROR;
          }
        break;

      case DEC_SKIP:
      default:
        i = (size_t)dec->header.length + RIDGE_WIRE_TRAILER_SIZE - dec->pos;
        if (i > avail)
          i = avail;
        dec->pos += (uint32_t)i;
        if (dec->pos == dec->header.length + RIDGE_WIRE_TRAILER_SIZE)
          {
            dec->state = DEC_HEADER;
            dec->pos = 0;
          }
        break;
    }
  *n = i;
  return RIDGE_WIRE_DEC_NEED_MORE;
}

RidgeWireDecStatus
ridge_wire_decoder_feed (RidgeWireDecoder *dec,
                         const uint8_t    *data,
                         size_t            len,
                         size_t           *consumed)
{
  size_t i = 0;
  RidgeWireDecStatus status = RIDGE_WIRE_DEC_NEED_MORE;

  if (data == NULL)
    len = 0;

  for (;;)
    {
      size_t n = 0;

      if (dec->replaying && dec->replay_pos < dec->replay_len)
        {
          /* Rescanned bytes first: the payload of the frame that failed its check … */
          status = process (dec, dec->payload + dec->replay_pos,
                            dec->replay_len - dec->replay_pos, &n);
          dec->replay_pos += (uint32_t)n;
        }
      else if (dec->replaying && dec->replay_tail_pos < RIDGE_WIRE_TRAILER_SIZE)
        {
          /* … then its trailer … */
          status = process (dec, dec->replay_tail + dec->replay_tail_pos,
                            RIDGE_WIRE_TRAILER_SIZE - dec->replay_tail_pos, &n);
          dec->replay_tail_pos += (uint8_t)n;
        }
      else
        {
          /* … then the caller's bytes. */
          dec->replaying = false;
          if (i == len)
            break;
          status = process (dec, data + i, len - i, &n);
          i += n;
        }
      if (status != RIDGE_WIRE_DEC_NEED_MORE)
        break;
    }

  if (consumed != NULL)
    *consumed = i;
  return status;
}
