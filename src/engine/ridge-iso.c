/* ridge-iso.c — ISO/IEC 19794-2:2005 and ANSI INCITS 378-2004 finger minutiae records
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See ridge-fmr.h for the API and docs/engine.md ("Template formats") for the layouts,
 * the decoder's tolerances and the conversion rules.
 */

#include "ridge-fmr.h"

#include <math.h>
#include <string.h>

#define ISO_HEADER_LEN        24
#define ANSI_HEADER_LEN       26
#define ANSI_LONG_HEADER_LEN  30
#define VIEW_HEADER_LEN       4
#define MINUTIA_LEN           6
#define EXT_AREA_HEADER_LEN   4

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

const char *
ridge_fmr_strerror (int result)
{
  switch (result)
    {
      case RIDGE_FMR_OK:
        return "success";
      case RIDGE_FMR_E_INVALID:
        return "invalid arguments";
      case RIDGE_FMR_E_TRUNCATED:
        return "the data ends inside the finger minutiae record";
      case RIDGE_FMR_E_MAGIC:
        return "not a finger minutiae record (no \"FMR\" format identifier)";
      case RIDGE_FMR_E_VERSION:
        return "unknown finger minutiae record version";
      case RIDGE_FMR_E_UNSUPPORTED_VERSION:
        return "unsupported version: only ISO/IEC 19794-2:2005 and ANSI INCITS 378-2004 "
               "records are supported (not the 2009/2011 editions)";
      case RIDGE_FMR_E_LENGTH:
        return "the record length field does not match the record";
      case RIDGE_FMR_E_ANGLE:
        return "an angle is out of range for the record format";
      case RIDGE_FMR_E_FIELD:
        return "a field of the record is out of range";
      case RIDGE_FMR_E_EXTENDED:
        return "malformed extended data block";
      case RIDGE_FMR_E_LIMIT:
        return "the record holds more finger views or extended data areas than supported";
      case RIDGE_FMR_E_NOSPACE:
        return "output buffer too small";
      case RIDGE_FMR_E_NO_VIEW:
        return "the record holds no view of that finger";
      default:
        return "unknown error";
    }
}

/* ---- Byte reading ------------------------------------------------------------------- */

typedef struct {
  const uint8_t *p;
  size_t         len;
  size_t         pos;
} Reader;

static int
rd_u8 (Reader  *r,
       uint8_t *v)
{
  if (r->len - r->pos < 1)
    return 0;
  *v = r->p[r->pos];
  r->pos += 1;
  return 1;
}

static int
rd_u16 (Reader   *r,
        uint16_t *v)
{
  if (r->len - r->pos < 2)
    return 0;
  *v = (uint16_t)((r->p[r->pos] << 8) | r->p[r->pos + 1]);
  r->pos += 2;
  return 1;
}

static int
rd_u32 (Reader   *r,
        uint32_t *v)
{
  if (r->len - r->pos < 4)
    return 0;
  *v = ((uint32_t)r->p[r->pos] << 24) | ((uint32_t)r->p[r->pos + 1] << 16)
       | ((uint32_t)r->p[r->pos + 2] << 8) | (uint32_t)r->p[r->pos + 3];
  r->pos += 4;
  return 1;
}

static uint16_t
be16 (const uint8_t *p)
{
  return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t
be32 (const uint8_t *p)
{
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8)
         | (uint32_t)p[3];
}

/* ---- Detection ---------------------------------------------------------------------- */

static const uint8_t magic_fmr[4] = { 'F', 'M', 'R', 0 };
static const uint8_t version_2004[4] = { ' ', '2', '0', 0 };
static const uint8_t version_030[4] = { '0', '3', '0', 0 };
static const uint8_t version_035[4] = { '0', '3', '5', 0 };

/* " 20\0": ISO has a 4-byte length at 8, ANSI a 2-byte one (or 0x0000 and 4 bytes at 10). */
static RidgeFmrFormat
guess_2004_layout (const uint8_t *buf,
                   size_t         len)
{
  if (len < 14)
    return len >= 10 && be16 (buf + 8) != 0 ? RIDGE_FMR_FORMAT_ANSI : RIDGE_FMR_FORMAT_ISO;
  /* a non-zero 16-bit value: ANSI's length, unless it is too small for one (then it is the
   * top half of an ISO length of 64 KiB or more) or ISO's length matches exactly */
  if (be16 (buf + 8) != 0)
    return be32 (buf + 8) == len || be16 (buf + 8) < ANSI_HEADER_LEN
           ? RIDGE_FMR_FORMAT_ISO : RIDGE_FMR_FORMAT_ANSI;
  /* ISO under 64 KiB, or ANSI with the long length form */
  if (be32 (buf + 10) == len && be32 (buf + 8) != len)
    return RIDGE_FMR_FORMAT_ANSI;
  return RIDGE_FMR_FORMAT_ISO;
}

RidgeFmrVersion
ridge_fmr_detect (const uint8_t *buf,
                  size_t         len)
{
  if (buf == NULL || len < 8 || memcmp (buf, magic_fmr, 4) != 0)
    return RIDGE_FMR_VERSION_UNKNOWN;
  if (memcmp (buf + 4, version_2004, 4) == 0)
    return guess_2004_layout (buf, len) == RIDGE_FMR_FORMAT_ANSI
           ? RIDGE_FMR_VERSION_ANSI_2004 : RIDGE_FMR_VERSION_ISO_2005;
  if (memcmp (buf + 4, version_035, 4) == 0)
    return RIDGE_FMR_VERSION_ANSI_2009_AM1;
  if (memcmp (buf + 4, version_030, 4) == 0)
    {
      /* ISO 2011: length (4), number of representations (2), certification flag (1),
       * then the first representation starts with its own 4-byte length. ANSI 2009:
       * length (4), CBEFF product id (4), capture equipment (2), views (1)… */
      if (len >= 19)
        {
          uint32_t rec_len = be32 (buf + 8);
          uint32_t rep_len = be32 (buf + 15);

          if (be16 (buf + 12) >= 1 && buf[14] <= 1 && rep_len >= 4
              && rep_len <= rec_len && rec_len - rep_len >= 15)
            return RIDGE_FMR_VERSION_ISO_2011;
        }
      return RIDGE_FMR_VERSION_ANSI_2009;
    }
  return RIDGE_FMR_VERSION_UNKNOWN;
}

const char *
ridge_fmr_version_name (RidgeFmrVersion version)
{
  switch (version)
    {
      case RIDGE_FMR_VERSION_ISO_2005:
        return "ISO/IEC 19794-2:2005";
      case RIDGE_FMR_VERSION_ANSI_2004:
        return "ANSI INCITS 378-2004";
      case RIDGE_FMR_VERSION_ISO_2011:
        return "ISO/IEC 19794-2:2011";
      case RIDGE_FMR_VERSION_ANSI_2009:
        return "ANSI INCITS 378-2009";
      case RIDGE_FMR_VERSION_ANSI_2009_AM1:
        return "ANSI INCITS 378-2009/AM1";
      case RIDGE_FMR_VERSION_UNKNOWN:
      default:
        return "unknown";
    }
}

/* ---- Extended data ------------------------------------------------------------------ */

int
ridge_fmr_core_delta_decode (const uint8_t     *data,
                             size_t             len,
                             RidgeFmrCoreDelta *out)
{
  Reader r = { data, len, 0 };
  uint8_t info;

  if ((data == NULL && len > 0) || out == NULL)
    return RIDGE_FMR_E_INVALID;
  memset (out, 0, sizeof *out);

  if (!rd_u8 (&r, &info))
    return RIDGE_FMR_E_EXTENDED;
  if ((info >> 6) > 1)
    return RIDGE_FMR_E_EXTENDED;
  out->core_angles = (info >> 6) == 1;
  out->n_cores = info & 0x0f;
  for (int i = 0; i < out->n_cores; i++)
    {
      RidgeFmrCore *c = &out->cores[i];

      if (!rd_u16 (&r, &c->x) || !rd_u16 (&r, &c->y))
        return RIDGE_FMR_E_EXTENDED;
      c->x &= 0x3fff;
      c->y &= 0x3fff;
      if (out->core_angles && !rd_u8 (&r, &c->angle))
        return RIDGE_FMR_E_EXTENDED;
    }

  if (!rd_u8 (&r, &info))
    return RIDGE_FMR_E_EXTENDED;
  if ((info >> 6) > 1)
    return RIDGE_FMR_E_EXTENDED;
  out->delta_angles = (info >> 6) == 1;
  out->n_deltas = info & 0x0f;
  for (int i = 0; i < out->n_deltas; i++)
    {
      RidgeFmrDelta *d = &out->deltas[i];

      if (!rd_u16 (&r, &d->x) || !rd_u16 (&r, &d->y))
        return RIDGE_FMR_E_EXTENDED;
      d->x &= 0x3fff;
      d->y &= 0x3fff;
      if (out->delta_angles)
        for (int k = 0; k < 3; k++)
          if (!rd_u8 (&r, &d->angle[k]))
            return RIDGE_FMR_E_EXTENDED;
    }

  return r.pos == len ? RIDGE_FMR_OK : RIDGE_FMR_E_EXTENDED;
}

int
ridge_fmr_core_delta_encode (const RidgeFmrCoreDelta *cd,
                             uint8_t                 *buf,
                             size_t                   cap,
                             size_t                  *len)
{
  size_t need, pos = 0;

  if (cd == NULL || len == NULL || (buf == NULL && cap > 0))
    return RIDGE_FMR_E_INVALID;
  if (cd->n_cores > RIDGE_FMR_MAX_CORES || cd->n_deltas > RIDGE_FMR_MAX_DELTAS)
    return RIDGE_FMR_E_FIELD;
  need = 2 + (size_t)cd->n_cores * (cd->core_angles ? 5 : 4)
         + (size_t)cd->n_deltas * (cd->delta_angles ? 7 : 4);
  *len = need;
  if (cap < need)
    return RIDGE_FMR_E_NOSPACE;

  buf[pos++] = (uint8_t)((cd->core_angles ? 0x40 : 0) | cd->n_cores);
  for (int i = 0; i < cd->n_cores; i++)
    {
      const RidgeFmrCore *c = &cd->cores[i];

      if (c->x > 0x3fff || c->y > 0x3fff)
        return RIDGE_FMR_E_FIELD;
      buf[pos++] = (uint8_t)(c->x >> 8);
      buf[pos++] = (uint8_t)c->x;
      buf[pos++] = (uint8_t)(c->y >> 8);
      buf[pos++] = (uint8_t)c->y;
      if (cd->core_angles)
        buf[pos++] = c->angle;
    }
  buf[pos++] = (uint8_t)((cd->delta_angles ? 0x40 : 0) | cd->n_deltas);
  for (int i = 0; i < cd->n_deltas; i++)
    {
      const RidgeFmrDelta *d = &cd->deltas[i];

      if (d->x > 0x3fff || d->y > 0x3fff)
        return RIDGE_FMR_E_FIELD;
      buf[pos++] = (uint8_t)(d->x >> 8);
      buf[pos++] = (uint8_t)d->x;
      buf[pos++] = (uint8_t)(d->y >> 8);
      buf[pos++] = (uint8_t)d->y;
      if (cd->delta_angles)
        for (int k = 0; k < 3; k++)
          buf[pos++] = d->angle[k];
    }
  return RIDGE_FMR_OK;
}

int
ridge_fmr_ridge_counts_encode (uint8_t                   method,
                               const RidgeFmrRidgeCount *counts,
                               int                       n,
                               uint8_t                  *buf,
                               size_t                    cap,
                               size_t                   *len)
{
  size_t need;

  if (n < 0 || (counts == NULL && n > 0) || len == NULL || (buf == NULL && cap > 0))
    return RIDGE_FMR_E_INVALID;
  need = 1 + 3 * (size_t)n;
  if (need > 0xffff - EXT_AREA_HEADER_LEN)
    return RIDGE_FMR_E_FIELD;
  *len = need;
  if (cap < need)
    return RIDGE_FMR_E_NOSPACE;
  buf[0] = method;
  for (int i = 0; i < n; i++)
    {
      buf[1 + 3 * i] = counts[i].index1;
      buf[2 + 3 * i] = counts[i].index2;
      buf[3 + 3 * i] = counts[i].count;
    }
  return RIDGE_FMR_OK;
}

int
ridge_fmr_ridge_count_at (const RidgeFmrView *view,
                          int                 i,
                          RidgeFmrRidgeCount *out)
{
  const RidgeFmrExtArea *a;

  if (view == NULL || out == NULL || view->ridge_count_area < 0
      || view->ridge_count_area >= view->n_ext || i < 0 || i >= view->n_ridge_counts)
    return RIDGE_FMR_E_INVALID;
  a = &view->ext[view->ridge_count_area];
  if ((size_t)a->length < 1 + 3 * (size_t)(i + 1))
    return RIDGE_FMR_E_INVALID;
  out->index1 = a->data[1 + 3 * i];
  out->index2 = a->data[2 + 3 * i];
  out->count = a->data[3 + 3 * i];
  return RIDGE_FMR_OK;
}

/* Splits an extended data block into areas. exclusive: area lengths count data only. */
static int
split_ext_areas (const uint8_t *block,
                 size_t         block_len,
                 int            exclusive,
                 RidgeFmrView  *view)
{
  Reader r = { block, block_len, 0 };

  view->n_ext = 0;
  while (r.pos < block_len)
    {
      uint16_t type, alen;
      size_t data_len;

      if (!rd_u16 (&r, &type) || !rd_u16 (&r, &alen))
        return RIDGE_FMR_E_EXTENDED;
      if (exclusive)
        data_len = alen;
      else if (alen < EXT_AREA_HEADER_LEN)
        return RIDGE_FMR_E_EXTENDED;
      else
        data_len = alen - EXT_AREA_HEADER_LEN;
      if (data_len > block_len - r.pos)
        return RIDGE_FMR_E_EXTENDED;
      if (view->n_ext >= RIDGE_FMR_MAX_EXT_AREAS)
        return RIDGE_FMR_E_LIMIT;
      view->ext[view->n_ext].type = type;
      view->ext[view->n_ext].length = (uint16_t)data_len;
      view->ext[view->n_ext].data = block + r.pos;
      view->n_ext++;
      r.pos += data_len;
    }
  return RIDGE_FMR_OK;
}

/* ---- Decoding ----------------------------------------------------------------------- */

typedef struct {
  RidgeFmrRecord *rec;
  unsigned        flags;
  int             ext_mode;        /* -1 undecided, 0 inclusive, 1 exclusive */
} DecodeState;

/* Records a quirk; fails with `code` unless decoding is lenient. */
static int
quirk (DecodeState *st,
       unsigned     q,
       int          code)
{
  st->rec->quirks |= q;
  return (st->flags & RIDGE_FMR_DECODE_LENIENT) ? RIDGE_FMR_OK : code;
}

static int
valid_impression (uint8_t imp)
{
  return imp <= 3 || imp == 8;
}

/* Checks an extended area of an understood type against its view (any other type is
 * opaque and fine): RIDGE_FMR_E_EXTENDED if it does not parse, RIDGE_FMR_E_ANGLE for core or
 * delta angles out of the ANSI range (the block is still decoded into *cd then). */
static int
check_ext_area (RidgeFmrFormat         format,
                const RidgeFmrView    *v,
                const RidgeFmrExtArea *a,
                RidgeFmrCoreDelta     *cd)
{
  if (a->type == RIDGE_FMR_EXT_RIDGE_COUNT)
    {
      /* method (0 non-specific, 1 four-, 2 eight-neighbour), then whole triples whose
       * indices number the minutiae from 1 (0 tolerated, as NIST's validator does) */
      if (a->length < 1 || (a->length - 1) % 3 != 0 || a->data[0] > 2)
        return RIDGE_FMR_E_EXTENDED;
      for (int k = 0; k < (a->length - 1) / 3; k++)
        if (a->data[1 + 3 * k] > v->n_minutiae || a->data[2 + 3 * k] > v->n_minutiae)
          return RIDGE_FMR_E_EXTENDED;
      return RIDGE_FMR_OK;
    }
  if (a->type == RIDGE_FMR_EXT_CORE_DELTA)
    {
      if (ridge_fmr_core_delta_decode (a->data, a->length, cd) != RIDGE_FMR_OK)
        return RIDGE_FMR_E_EXTENDED;
      if (format == RIDGE_FMR_FORMAT_ANSI)
        {
          for (int k = 0; cd->core_angles && k < cd->n_cores; k++)
            if (cd->cores[k].angle > 179)
              return RIDGE_FMR_E_ANGLE;
          for (int k = 0; cd->delta_angles && k < cd->n_deltas; k++)
            for (int j = 0; j < 3; j++)
              if (cd->deltas[k].angle[j] > 179)
                return RIDGE_FMR_E_ANGLE;
        }
      return RIDGE_FMR_OK;
    }
  return RIDGE_FMR_OK;
}

static int
decode_view_ext (DecodeState   *st,
                 const uint8_t *block,
                 size_t         block_len,
                 RidgeFmrView  *v)
{
  RidgeFmrRecord *rec = st->rec;
  int ret;

  if (block_len == 0)
    return RIDGE_FMR_OK;

  if (st->ext_mode <= 0)
    {
      ret = split_ext_areas (block, block_len, 0, v);
      if (ret == RIDGE_FMR_OK)
        st->ext_mode = 0;
      else if (ret == RIDGE_FMR_E_EXTENDED && st->ext_mode < 0
               && split_ext_areas (block, block_len, 1, v) == RIDGE_FMR_OK)
        {
          ret = quirk (st, RIDGE_FMR_QUIRK_EXT_LENGTH_EXCLUSIVE, RIDGE_FMR_E_EXTENDED);
          if (ret != RIDGE_FMR_OK)
            return ret;
          st->ext_mode = 1;
          rec->ext_length_exclusive = 1;
        }
      else
        return ret;
    }
  else
    {
      ret = split_ext_areas (block, block_len, 1, v);
      if (ret != RIDGE_FMR_OK)
        return ret;
    }

  for (int i = 0; i < v->n_ext; i++)
    {
      const RidgeFmrExtArea *a = &v->ext[i];
      RidgeFmrCoreDelta cd;

      ret = check_ext_area (rec->format, v, a, &cd);
      if (ret == RIDGE_FMR_E_ANGLE)
        {
          /* a core/delta block with ANSI angles over 179: decoded, angles kept */
          if ((ret = quirk (st, RIDGE_FMR_QUIRK_ANGLE_RANGE, RIDGE_FMR_E_ANGLE)) != RIDGE_FMR_OK)
            return ret;
        }
      else if (ret != RIDGE_FMR_OK)
        {
          if ((ret = quirk (st, RIDGE_FMR_QUIRK_EXT_OPAQUE, RIDGE_FMR_E_EXTENDED)) != RIDGE_FMR_OK)
            return ret;
          continue;            /* kept as opaque bytes */
        }
      if (a->type == RIDGE_FMR_EXT_RIDGE_COUNT && v->ridge_count_area < 0)
        {
          v->ridge_count_area = (int16_t)i;
          v->ridge_count_method = a->data[0];
          v->n_ridge_counts = (uint16_t)((a->length - 1) / 3);
        }
      else if (a->type == RIDGE_FMR_EXT_CORE_DELTA && v->core_delta_area < 0)
        {
          v->core_delta_area = (int16_t)i;
          v->core_delta = cd;
        }
    }
  return RIDGE_FMR_OK;
}

static int
decode_as (const uint8_t  *buf,
           size_t          len,
           RidgeFmrFormat  format,
           unsigned        flags,
           RidgeFmrRecord *rec)
{
  DecodeState st = { rec, flags, -1 };
  Reader r = { buf, len, 0 };
  uint16_t u16, equip;
  uint8_t n_views;
  int ret;

  memset (rec, 0, sizeof *rec);
  rec->format = format;

#define FAIL(code) do { rec->error_offset = r.pos; return code; } while (0)
#define NEED(expr) do { if (!(expr)) FAIL (RIDGE_FMR_E_TRUNCATED); } while (0)
#define QUIRK(q, code) \
  do { if ((ret = quirk (&st, (q), (code))) != RIDGE_FMR_OK) FAIL (ret); } while (0)

  if (len == 0)
    FAIL (RIDGE_FMR_E_TRUNCATED);
  if (memcmp (buf, magic_fmr, len < 4 ? len : 4) != 0)
    FAIL (RIDGE_FMR_E_MAGIC);
  NEED (len >= 4);
  r.pos = 4;
  NEED (len >= 8);
  if (memcmp (buf + 4, version_2004, 4) != 0)
    FAIL (memcmp (buf + 4, version_030, 4) == 0 || memcmp (buf + 4, version_035, 4) == 0
          ? RIDGE_FMR_E_UNSUPPORTED_VERSION : RIDGE_FMR_E_VERSION);
  r.pos = 8;

  if (format == RIDGE_FMR_FORMAT_ISO)
    NEED (rd_u32 (&r, &rec->record_length));
  else
    {
      NEED (rd_u16 (&r, &u16));
      rec->record_length = u16;
      if (u16 == 0)
        {
          rec->ansi_long_length = 1;
          NEED (rd_u32 (&r, &rec->record_length));
        }
      NEED (rd_u16 (&r, &rec->cbeff_owner));
      NEED (rd_u16 (&r, &rec->cbeff_type));
    }
  /* strict: a length field beyond the data means truncation; lenient decoding goes on
   * and accepts the record if its structure is complete */
  if (rec->record_length > len && !(flags & RIDGE_FMR_DECODE_LENIENT))
    FAIL (RIDGE_FMR_E_TRUNCATED);
  NEED (rd_u16 (&r, &equip));
  rec->capture_compliance = (uint8_t)(equip >> 12);
  rec->capture_device_id = equip & 0x0fff;
  NEED (rd_u16 (&r, &rec->width));
  NEED (rd_u16 (&r, &rec->height));
  NEED (rd_u16 (&r, &rec->res_x));
  NEED (rd_u16 (&r, &rec->res_y));
  NEED (rd_u8 (&r, &n_views));
  NEED (rd_u8 (&r, &rec->reserved));
  if (n_views > RIDGE_FMR_MAX_VIEWS)
    FAIL (RIDGE_FMR_E_LIMIT);
  rec->n_views = n_views;

  for (int vi = 0; vi < n_views; vi++)
    {
      RidgeFmrView *v = &rec->views[vi];
      uint8_t b, n_min;
      uint16_t ext_len;

      v->ridge_count_area = -1;
      v->core_delta_area = -1;
      NEED (rd_u8 (&r, &v->finger_position));
      NEED (rd_u8 (&r, &b));
      v->view_number = b >> 4;
      v->impression_type = b & 0x0f;
      NEED (rd_u8 (&r, &v->finger_quality));
      NEED (rd_u8 (&r, &n_min));
      v->n_minutiae = n_min;
      if (v->finger_position > 10 || !valid_impression (v->impression_type)
          || v->finger_quality > 100)
        QUIRK (RIDGE_FMR_QUIRK_FIELD_RANGE, RIDGE_FMR_E_FIELD);

      for (int i = 0; i < n_min; i++)
        {
          RidgeFmrMinutia *m = &v->minutiae[i];
          uint16_t tx, ry;

          NEED (rd_u16 (&r, &tx));
          NEED (rd_u16 (&r, &ry));
          NEED (rd_u8 (&r, &m->angle));
          NEED (rd_u8 (&r, &m->quality));
          m->type = (uint8_t)(tx >> 14);
          m->x = tx & 0x3fff;
          m->y_reserved = (uint8_t)(ry >> 14);
          m->y = ry & 0x3fff;
          if (format == RIDGE_FMR_FORMAT_ANSI && m->angle > 179)
            QUIRK (RIDGE_FMR_QUIRK_ANGLE_RANGE, RIDGE_FMR_E_ANGLE);
          if (m->type == 3 || m->quality > 100 || (rec->width > 0 && m->x >= rec->width)
              || (rec->height > 0 && m->y >= rec->height))
            QUIRK (RIDGE_FMR_QUIRK_FIELD_RANGE, RIDGE_FMR_E_FIELD);
        }

      NEED (rd_u16 (&r, &ext_len));
      if (ext_len > len - r.pos)
        FAIL (RIDGE_FMR_E_EXTENDED);
      ret = decode_view_ext (&st, buf + r.pos, ext_len, v);
      if (ret != RIDGE_FMR_OK)
        FAIL (ret);
      r.pos += ext_len;
    }

  /* The structure ends at r.pos; compare with the length field and the data. */
  if (rec->record_length != r.pos)
    QUIRK (RIDGE_FMR_QUIRK_LENGTH_FIELD, RIDGE_FMR_E_LENGTH);
  if (len > r.pos)
    QUIRK (RIDGE_FMR_QUIRK_TRAILING_BYTES, RIDGE_FMR_E_LENGTH);

#undef QUIRK
#undef NEED
#undef FAIL
  return RIDGE_FMR_OK;
}

int
ridge_fmr_decode (const uint8_t  *buf,
                  size_t          len,
                  RidgeFmrFormat  format,
                  unsigned        flags,
                  RidgeFmrRecord *rec)
{
  RidgeFmrFormat first, second;
  int ret;

  if (rec == NULL || (buf == NULL && len > 0))
    return RIDGE_FMR_E_INVALID;
  if (format == RIDGE_FMR_FORMAT_ISO || format == RIDGE_FMR_FORMAT_ANSI)
    return decode_as (buf, len, format, flags, rec);
  if (format != RIDGE_FMR_FORMAT_AUTO)
    return RIDGE_FMR_E_INVALID;

  first = guess_2004_layout (buf, len);
  second = first == RIDGE_FMR_FORMAT_ISO ? RIDGE_FMR_FORMAT_ANSI : RIDGE_FMR_FORMAT_ISO;
  ret = decode_as (buf, len, first, flags, rec);
  if (ret == RIDGE_FMR_OK || ret == RIDGE_FMR_E_MAGIC || ret == RIDGE_FMR_E_VERSION
      || ret == RIDGE_FMR_E_UNSUPPORTED_VERSION || ret == RIDGE_FMR_E_INVALID)
    return ret;
  /* The other layout only if it fits exactly: leniently, a cut or damaged record of one
   * layout could pass for a record of the other. */
  if (decode_as (buf, len, second, RIDGE_FMR_DECODE_STRICT, rec) == RIDGE_FMR_OK)
    return RIDGE_FMR_OK;
  /* neither layout fits: report the error of the likelier one */
  return decode_as (buf, len, first, flags, rec);
}

/* ---- Encoding ----------------------------------------------------------------------- */

/* What the encoder needs besides the views. */
typedef struct {
  RidgeFmrFormat format;
  uint8_t        ansi_long_length;
  uint8_t        ext_length_exclusive;
  uint8_t        capture_compliance;
  uint8_t        reserved;
  uint16_t       cbeff_owner, cbeff_type;
  uint16_t       capture_device_id;
  uint16_t       width, height, res_x, res_y;
  int            n_views;
} Header;

/* The i-th view to encode: a pointer into a record, or a view built in *scratch. */
typedef const RidgeFmrView *(*ViewSource) (const void   *src,
                                           int           i,
                                           RidgeFmrView *scratch);

static int
check_view (const Header       *h,
            const RidgeFmrView *v,
            size_t             *size)
{
  size_t ext = 0;

  if (v->finger_position > 10 || v->view_number > 15 || !valid_impression (v->impression_type)
      || v->finger_quality > 100 || v->n_minutiae > RIDGE_FMR_MAX_MINUTIAE)
    return RIDGE_FMR_E_FIELD;
  for (int i = 0; i < v->n_minutiae; i++)
    {
      const RidgeFmrMinutia *m = &v->minutiae[i];

      if (h->format == RIDGE_FMR_FORMAT_ANSI && m->angle > 179)
        return RIDGE_FMR_E_ANGLE;
      if (m->type > 2 || m->y_reserved > 3 || m->quality > 100 || m->x > 0x3fff
          || m->y > 0x3fff || (h->width > 0 && m->x >= h->width)
          || (h->height > 0 && m->y >= h->height))
        return RIDGE_FMR_E_FIELD;
    }
  if (v->n_ext > RIDGE_FMR_MAX_EXT_AREAS)
    return RIDGE_FMR_E_LIMIT;
  for (int i = 0; i < v->n_ext; i++)
    {
      const RidgeFmrExtArea *a = &v->ext[i];
      RidgeFmrCoreDelta cd;
      int ret;

      if (a->data == NULL && a->length > 0)
        return RIDGE_FMR_E_INVALID;
      if ((ret = check_ext_area (h->format, v, a, &cd)) != RIDGE_FMR_OK)
        return ret;
      if (!h->ext_length_exclusive && a->length > 0xffff - EXT_AREA_HEADER_LEN)
        return RIDGE_FMR_E_EXTENDED;
      ext += EXT_AREA_HEADER_LEN + a->length;
    }
  if (ext > 0xffff)
    return RIDGE_FMR_E_EXTENDED;
  *size = VIEW_HEADER_LEN + (size_t)v->n_minutiae * MINUTIA_LEN + 2 + ext;
  return RIDGE_FMR_OK;
}

/* Checks every field and computes the size; *long_length: ANSI 6-byte length needed. */
static int
check_all (const Header *h,
           ViewSource    get,
           const void   *src,
           size_t       *size,
           int          *long_length)
{
  RidgeFmrView scratch;
  size_t body = 0;

  if (h->format != RIDGE_FMR_FORMAT_ISO && h->format != RIDGE_FMR_FORMAT_ANSI)
    return RIDGE_FMR_E_INVALID;
  if (h->n_views < 0 || h->n_views > RIDGE_FMR_MAX_VIEWS)
    return RIDGE_FMR_E_LIMIT;
  if (h->capture_compliance > 0x0f || h->capture_device_id > 0x0fff)
    return RIDGE_FMR_E_FIELD;
  for (int vi = 0; vi < h->n_views; vi++)
    {
      size_t vsize;
      int ret = check_view (h, get (src, vi, &scratch), &vsize);

      if (ret != RIDGE_FMR_OK)
        return ret;
      body += vsize;
    }
  *long_length = 0;
  if (h->format == RIDGE_FMR_FORMAT_ANSI)
    *long_length = h->ansi_long_length || ANSI_HEADER_LEN + body > 0xffff;
  if (h->format == RIDGE_FMR_FORMAT_ISO)
    *size = ISO_HEADER_LEN + body;
  else
    *size = (*long_length ? ANSI_LONG_HEADER_LEN : ANSI_HEADER_LEN) + body;
  return RIDGE_FMR_OK;
}

typedef struct {
  uint8_t *p;
  size_t   pos;
} Writer;

static void
wr_u8 (Writer  *w,
       unsigned v)
{
  w->p[w->pos++] = (uint8_t)v;
}

static void
wr_u16 (Writer  *w,
        unsigned v)
{
  w->p[w->pos++] = (uint8_t)(v >> 8);
  w->p[w->pos++] = (uint8_t)v;
}

static void
wr_u32 (Writer  *w,
        uint32_t v)
{
  wr_u16 (w, (unsigned)(v >> 16));
  wr_u16 (w, (unsigned)(v & 0xffff));
}

static void
write_view (Writer             *w,
            const Header       *h,
            const RidgeFmrView *v)
{
  unsigned ext = 0;

  wr_u8 (w, v->finger_position);
  wr_u8 (w, ((unsigned)v->view_number << 4) | v->impression_type);
  wr_u8 (w, v->finger_quality);
  wr_u8 (w, v->n_minutiae);
  for (int i = 0; i < v->n_minutiae; i++)
    {
      const RidgeFmrMinutia *m = &v->minutiae[i];

      wr_u16 (w, ((unsigned)m->type << 14) | m->x);
      wr_u16 (w, ((unsigned)m->y_reserved << 14) | m->y);
      wr_u8 (w, m->angle);
      wr_u8 (w, m->quality);
    }
  for (int i = 0; i < v->n_ext; i++)
    ext += EXT_AREA_HEADER_LEN + v->ext[i].length;
  wr_u16 (w, ext);
  for (int i = 0; i < v->n_ext; i++)
    {
      const RidgeFmrExtArea *a = &v->ext[i];

      wr_u16 (w, a->type);
      wr_u16 (w, h->ext_length_exclusive ? a->length
                                         : a->length + (unsigned)EXT_AREA_HEADER_LEN);
      if (a->length > 0)
        memcpy (w->p + w->pos, a->data, a->length);
      w->pos += a->length;
    }
}

static int
encode_all (const Header *h,
            ViewSource    get,
            const void   *src,
            uint8_t      *buf,
            size_t        cap,
            size_t       *len)
{
  RidgeFmrView scratch;
  Writer w = { buf, 0 };
  size_t size;
  int long_length, ret;

  if (len == NULL || (buf == NULL && cap > 0))
    return RIDGE_FMR_E_INVALID;
  ret = check_all (h, get, src, &size, &long_length);
  if (ret != RIDGE_FMR_OK)
    return ret;
  *len = size;
  if (cap < size)
    return RIDGE_FMR_E_NOSPACE;

  memcpy (buf, magic_fmr, 4);
  memcpy (buf + 4, version_2004, 4);
  w.pos = 8;
  if (h->format == RIDGE_FMR_FORMAT_ISO)
    wr_u32 (&w, (uint32_t)size);
  else
    {
      if (long_length)
        {
          wr_u16 (&w, 0);
          wr_u32 (&w, (uint32_t)size);
        }
      else
        wr_u16 (&w, (unsigned)size);
      wr_u16 (&w, h->cbeff_owner);
      wr_u16 (&w, h->cbeff_type);
    }
  wr_u16 (&w, ((unsigned)h->capture_compliance << 12) | h->capture_device_id);
  wr_u16 (&w, h->width);
  wr_u16 (&w, h->height);
  wr_u16 (&w, h->res_x);
  wr_u16 (&w, h->res_y);
  wr_u8 (&w, (unsigned)h->n_views);
  wr_u8 (&w, h->reserved);
  for (int vi = 0; vi < h->n_views; vi++)
    write_view (&w, h, get (src, vi, &scratch));

  return w.pos == size ? RIDGE_FMR_OK : RIDGE_FMR_E_INVALID;
}

static const RidgeFmrView *
record_view (const void   *src,
             int           i,
             RidgeFmrView *scratch)
{
  (void)scratch;
  return &((const RidgeFmrRecord *)src)->views[i];
}

static void
record_header (const RidgeFmrRecord *rec,
               Header               *h)
{
  h->format = rec->format;
  h->ansi_long_length = rec->ansi_long_length;
  h->ext_length_exclusive = rec->ext_length_exclusive;
  h->capture_compliance = rec->capture_compliance;
  h->reserved = rec->reserved;
  h->cbeff_owner = rec->cbeff_owner;
  h->cbeff_type = rec->cbeff_type;
  h->capture_device_id = rec->capture_device_id;
  h->width = rec->width;
  h->height = rec->height;
  h->res_x = rec->res_x;
  h->res_y = rec->res_y;
  h->n_views = rec->n_views;
}

long
ridge_fmr_encoded_size (const RidgeFmrRecord *rec)
{
  Header h;
  size_t size;
  int long_length, ret;

  if (rec == NULL)
    return RIDGE_FMR_E_INVALID;
  record_header (rec, &h);
  ret = check_all (&h, record_view, rec, &size, &long_length);
  return ret != RIDGE_FMR_OK ? ret : (long)size;
}

int
ridge_fmr_encode (const RidgeFmrRecord *rec,
                  uint8_t              *buf,
                  size_t                cap,
                  size_t               *len)
{
  Header h;

  if (rec == NULL)
    return RIDGE_FMR_E_INVALID;
  record_header (rec, &h);
  return encode_all (&h, record_view, rec, buf, cap, len);
}

/* ---- Conversions -------------------------------------------------------------------- */

uint8_t
ridge_fmr_angle_iso_to_ansi (uint8_t iso)
{
  /* iso · 1.40625 / 2 = iso · 45 / 64, rounded half up; at most 179.3 → 179 */
  return (uint8_t)(((unsigned)iso * 45 + 32) / 64 % 180);
}

uint8_t
ridge_fmr_angle_ansi_to_iso (uint8_t ansi)
{
  /* ansi · 2 / 1.40625 = ansi · 64 / 45, rounded (never a tie); values > 179 wrap */
  unsigned a = ansi % 180u;

  return (uint8_t)((a * 128 + 45) / 90 % 256);
}

int
ridge_fmr_convert (const RidgeFmrRecord *in,
                   RidgeFmrFormat        to,
                   unsigned              flags,
                   RidgeFmrRecord       *out)
{
  if (in == NULL || out == NULL || in == out)
    return RIDGE_FMR_E_INVALID;
  if ((to != RIDGE_FMR_FORMAT_ISO && to != RIDGE_FMR_FORMAT_ANSI)
      || (in->format != RIDGE_FMR_FORMAT_ISO && in->format != RIDGE_FMR_FORMAT_ANSI))
    return RIDGE_FMR_E_INVALID;
  if (in->n_views > RIDGE_FMR_MAX_VIEWS)
    return RIDGE_FMR_E_LIMIT;

  *out = *in;
  if (to == in->format)
    return RIDGE_FMR_OK;

  out->format = to;
  out->record_length = 0;
  out->quirks = 0;
  out->error_offset = 0;
  out->ansi_long_length = 0;
  out->ext_length_exclusive = 0;
  if (to == RIDGE_FMR_FORMAT_ISO)
    {
      out->cbeff_owner = 0;
      out->cbeff_type = 0;
    }

  for (int vi = 0; vi < out->n_views; vi++)
    {
      RidgeFmrView *v = &out->views[vi];
      const RidgeFmrView *src = &in->views[vi];

      if (v->n_minutiae > RIDGE_FMR_MAX_MINUTIAE || v->n_ext > RIDGE_FMR_MAX_EXT_AREAS)
        return RIDGE_FMR_E_LIMIT;
      for (int i = 0; i < v->n_minutiae; i++)
        v->minutiae[i].angle = to == RIDGE_FMR_FORMAT_ANSI
                               ? ridge_fmr_angle_iso_to_ansi (v->minutiae[i].angle)
                               : ridge_fmr_angle_ansi_to_iso (v->minutiae[i].angle);

      /* Extended data: ridge counts have no angles and may be kept; core/delta angles
       * and vendor data are format specific and dropped. */
      v->n_ext = 0;
      v->ridge_count_area = -1;
      v->core_delta_area = -1;
      memset (&v->core_delta, 0, sizeof v->core_delta);
      if (!(flags & RIDGE_FMR_CONVERT_KEEP_RIDGE_COUNTS))
        {
          v->ridge_count_method = 0;
          v->n_ridge_counts = 0;
          continue;
        }
      for (int i = 0; i < src->n_ext; i++)
        if (src->ext[i].type == RIDGE_FMR_EXT_RIDGE_COUNT)
          {
            if (i == src->ridge_count_area)
              v->ridge_count_area = (int16_t)v->n_ext;
            v->ext[v->n_ext++] = src->ext[i];
          }
      if (v->ridge_count_area < 0)
        {
          v->ridge_count_method = 0;
          v->n_ridge_counts = 0;
        }
    }
  return RIDGE_FMR_OK;
}

int
ridge_fmr_view_to_template (const RidgeFmrRecord *rec,
                            int                   view,
                            RidgeTemplate        *out)
{
  const RidgeFmrView *v;
  double unit;

  if (rec == NULL || out == NULL || view < 0 || view >= rec->n_views
      || view >= RIDGE_FMR_MAX_VIEWS)
    return RIDGE_FMR_E_INVALID;
  if (rec->format != RIDGE_FMR_FORMAT_ISO && rec->format != RIDGE_FMR_FORMAT_ANSI)
    return RIDGE_FMR_E_INVALID;
  v = &rec->views[view];
  if (v->n_minutiae > RIDGE_MAX_MINUTIAE || v->n_minutiae > RIDGE_FMR_MAX_MINUTIAE)
    return RIDGE_FMR_E_LIMIT;

  memset (out, 0, sizeof *out);
  out->width = rec->width;
  out->height = rec->height;
  /* pixels per centimetre → dots per inch (at most 65535); unknown (0) → the engine's
   * 500 dpi */
  if (rec->res_x == 0)
    out->dpi = 500;
  else if (rec->res_x > (65535u * 100 - 50) / 254)
    out->dpi = 65535;
  else
    out->dpi = (uint16_t)(((unsigned)rec->res_x * 254 + 50) / 100);
  out->quality = v->finger_quality > 100 ? 100 : v->finger_quality;
  out->n_minutiae = v->n_minutiae;
  unit = rec->format == RIDGE_FMR_FORMAT_ISO ? 2.0 * M_PI / 256.0 : M_PI / 90.0;
  for (int i = 0; i < v->n_minutiae; i++)
    {
      const RidgeFmrMinutia *m = &v->minutiae[i];
      RidgeMinutia *t = &out->minutiae[i];
      unsigned raw = rec->format == RIDGE_FMR_FORMAT_ANSI ? m->angle % 180u : m->angle;

      t->x = (float)m->x;
      t->y = (float)m->y;
      t->angle = (float)(raw * unit);
      t->type = m->type <= 2 ? m->type : RIDGE_MINUTIA_OTHER;
      t->quality = m->quality > 100 ? 100 : m->quality;
    }
  return RIDGE_FMR_OK;
}

static uint16_t
clamp_coord (float    v,
             uint16_t size)
{
  long max = size > 0 ? (long)size - 1 : 0x3fff;
  long c;

  if (max > 0x3fff)
    max = 0x3fff;
  if (!(v == v))                /* NaN */
    return 0;
  if (v <= 0.0f)
    return 0;
  if (v >= (float)max)
    return (uint16_t)max;
  c = lroundf (v);
  return (uint16_t)(c > max ? max : c);
}

static uint8_t
quantise_angle (float          radians,
                RidgeFmrFormat format)
{
  double a = radians, turns;
  long q;
  int steps = format == RIDGE_FMR_FORMAT_ISO ? 256 : 180;

  if (!(a == a) || a > 1e6 || a < -1e6)
    return 0;
  turns = fmod (a / (2.0 * M_PI), 1.0);
  if (turns < 0)
    turns += 1.0;
  q = lround (turns * steps);
  return (uint8_t)(q % steps);
}

static int
check_info (const RidgeFmrViewInfo *info)
{
  if (info != NULL && (info->finger_position > 10 || info->view_number > 15
                       || !valid_impression (info->impression_type)
                       || info->capture_device_id > 0x0fff))
    return RIDGE_FMR_E_FIELD;
  return RIDGE_FMR_OK;
}

/* One view from a template: coordinates rounded and clamped into the template's image,
 * angles quantised, types and qualities clamped. */
static void
view_from_template (const RidgeTemplate    *t,
                    RidgeFmrFormat          format,
                    const RidgeFmrViewInfo *info,
                    RidgeFmrView           *v)
{
  memset (v, 0, sizeof *v);
  v->ridge_count_area = -1;
  v->core_delta_area = -1;
  if (info != NULL)
    {
      v->finger_position = info->finger_position;
      v->view_number = info->view_number;
      v->impression_type = info->impression_type;
    }
  v->finger_quality = t->quality > 100 ? 100 : t->quality;
  v->n_minutiae = t->n_minutiae;
  for (int i = 0; i < t->n_minutiae; i++)
    {
      const RidgeMinutia *s = &t->minutiae[i];
      RidgeFmrMinutia *m = &v->minutiae[i];

      m->type = s->type <= 2 ? s->type : RIDGE_MINUTIA_OTHER;
      m->x = clamp_coord (s->x, t->width);
      m->y = clamp_coord (s->y, t->height);
      m->angle = quantise_angle (s->angle, format);
      m->quality = s->quality > 100 ? 100 : s->quality;
    }
}

/* dots per inch → pixels per centimetre (500 dpi → 197) */
static uint16_t
dpi_to_ppcm (uint16_t dpi)
{
  return (uint16_t)(((unsigned)dpi * 100 + 127) / 254);
}

int
ridge_fmr_from_template (const RidgeTemplate    *t,
                         RidgeFmrFormat          format,
                         const RidgeFmrViewInfo *info,
                         RidgeFmrRecord         *out)
{
  if (t == NULL || out == NULL
      || (format != RIDGE_FMR_FORMAT_ISO && format != RIDGE_FMR_FORMAT_ANSI))
    return RIDGE_FMR_E_INVALID;
  if (t->n_minutiae > RIDGE_FMR_MAX_MINUTIAE || t->n_minutiae > RIDGE_MAX_MINUTIAE)
    return RIDGE_FMR_E_LIMIT;
  if (check_info (info) != RIDGE_FMR_OK)
    return RIDGE_FMR_E_FIELD;

  memset (out, 0, sizeof *out);
  out->format = format;
  out->width = t->width;
  out->height = t->height;
  out->res_x = out->res_y = dpi_to_ppcm (t->dpi);
  out->n_views = 1;
  if (info != NULL)
    {
      out->capture_device_id = info->capture_device_id;
      if (format == RIDGE_FMR_FORMAT_ANSI)
        {
          out->cbeff_owner = info->cbeff_owner;
          out->cbeff_type = info->cbeff_type;
        }
    }
  view_from_template (t, format, info, &out->views[0]);
  return RIDGE_FMR_OK;
}

typedef struct {
  const RidgeTemplate    *samples;
  RidgeFmrFormat          format;
  const RidgeFmrViewInfo *info;
} TemplateSource;

static const RidgeFmrView *
template_view (const void   *src,
               int           i,
               RidgeFmrView *scratch)
{
  const TemplateSource *ts = src;
  RidgeFmrViewInfo info = { 0 };

  if (ts->info != NULL)
    info = *ts->info;
  info.view_number = (uint8_t)(info.view_number + i);
  view_from_template (&ts->samples[i], ts->format, &info, scratch);
  return scratch;
}

static int
encode_samples (const RidgeTemplate    *samples,
                int                     n,
                RidgeFmrFormat          format,
                const RidgeFmrViewInfo *info,
                uint8_t                *buf,
                size_t                  cap,
                size_t                 *len)
{
  TemplateSource ts = { samples, format, info };
  Header h;

  if (format != RIDGE_FMR_FORMAT_ISO && format != RIDGE_FMR_FORMAT_ANSI)
    return RIDGE_FMR_E_INVALID;
  if (n < 1 || n > RIDGE_FMR_MAX_VIEWS)
    return RIDGE_FMR_E_INVALID;
  if (check_info (info) != RIDGE_FMR_OK || (info != NULL && info->view_number + n - 1 > 15))
    return RIDGE_FMR_E_FIELD;

  memset (&h, 0, sizeof h);
  h.format = format;
  h.n_views = n;
  /* one header for all samples: the largest image, the first sample's resolution */
  h.res_x = h.res_y = dpi_to_ppcm (samples[0].dpi);
  for (int i = 0; i < n; i++)
    {
      if (samples[i].n_minutiae > RIDGE_FMR_MAX_MINUTIAE
          || samples[i].n_minutiae > RIDGE_MAX_MINUTIAE)
        return RIDGE_FMR_E_LIMIT;
      if (samples[i].width > h.width)
        h.width = samples[i].width;
      if (samples[i].height > h.height)
        h.height = samples[i].height;
    }
  if (info != NULL)
    {
      h.capture_device_id = info->capture_device_id;
      if (format == RIDGE_FMR_FORMAT_ANSI)
        {
          h.cbeff_owner = info->cbeff_owner;
          h.cbeff_type = info->cbeff_type;
        }
    }
  return encode_all (&h, template_view, &ts, buf, cap, len);
}

int
ridge_fmr_encode_template (const RidgeTemplate    *t,
                           RidgeFmrFormat          format,
                           const RidgeFmrViewInfo *info,
                           uint8_t                *buf,
                           size_t                  cap,
                           size_t                 *len)
{
  if (t == NULL)
    return RIDGE_FMR_E_INVALID;
  return encode_samples (t, 1, format, info, buf, cap, len);
}

int
ridge_fmr_encode_enroll (const RidgeEnrollTemplate *e,
                         RidgeFmrFormat             format,
                         const RidgeFmrViewInfo    *info,
                         uint8_t                   *buf,
                         size_t                     cap,
                         size_t                    *len)
{
  if (e == NULL || e->n_samples < 1 || e->n_samples > RIDGE_ENROLL_MAX_SAMPLES)
    return RIDGE_FMR_E_INVALID;
  return encode_samples (e->samples, e->n_samples, format, info, buf, cap, len);
}

int
ridge_fmr_to_enroll (const RidgeFmrRecord *rec,
                     int                   finger_position,
                     RidgeEnrollTemplate  *out)
{
  if (rec == NULL || out == NULL || finger_position < -1 || finger_position > 10
      || rec->n_views > RIDGE_FMR_MAX_VIEWS)
    return RIDGE_FMR_E_INVALID;
  if (finger_position < 0)
    {
      if (rec->n_views == 0)
        return RIDGE_FMR_E_NO_VIEW;
      finger_position = rec->views[0].finger_position;
    }
  out->n_samples = 0;
  for (int vi = 0; vi < rec->n_views && out->n_samples < RIDGE_ENROLL_MAX_SAMPLES; vi++)
    if (rec->views[vi].finger_position == finger_position)
      {
        int ret = ridge_fmr_view_to_template (rec, vi, &out->samples[out->n_samples]);

        if (ret != RIDGE_FMR_OK)
          return ret;
        out->n_samples++;
      }
  return out->n_samples > 0 ? RIDGE_FMR_OK : RIDGE_FMR_E_NO_VIEW;
}
