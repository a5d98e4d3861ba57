/* ridge-template.c — native template and enrollment-template serialization
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Byte layout (docs/engine.md, "Matching"): little-endian, magic, version, CRC-16, exact
 * length. Every field is checked on read; hostile bytes give RIDGE_ENGINE_E_FORMAT.
 */

#include "ridge-engine.h"

#include <math.h>
#include <string.h>

#define TEMPLATE_MAGIC      "RDGT"
#define ENROLL_MAGIC        "RDGE"
#define FORMAT_VERSION      1
#define TEMPLATE_HEADER     16
#define MINUTIA_BYTES       8
#define ENROLL_HEADER       8
#define COORD_SCALE         16.0f  /* coordinates in 1/16 pixel */
#define COORD_MAX           4095   /* largest side (pixels) the coordinate unit can hold */
#define TWO_PI              6.28318530717958647692f

/* CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF), fed in pieces. */
static uint16_t
crc16_update (uint16_t crc, const uint8_t *p, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      crc ^= (uint16_t)(p[i] << 8);
      for (int b = 0; b < 8; b++)
        crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
    }
  return crc;
}

/* CRC of a record whose CRC field (2 bytes at crc_at) is skipped. */
static uint16_t
record_crc (const uint8_t *p, size_t len, size_t crc_at)
{
  uint16_t crc = crc16_update (0xFFFF, p, crc_at);

  return crc16_update (crc, p + crc_at + 2, len - crc_at - 2);
}

static void
put_u16 (uint8_t *p, unsigned v)
{
  p[0] = (uint8_t)(v & 0xFF);
  p[1] = (uint8_t)((v >> 8) & 0xFF);
}

static unsigned
get_u16 (const uint8_t *p)
{
  return (unsigned)p[0] | ((unsigned)p[1] << 8);
}

static int
minutia_valid (const RidgeMinutia *m, const RidgeTemplate *t)
{
  if (!isfinite (m->x) || !isfinite (m->y) || !isfinite (m->angle))
    return 0;
  if (m->x < 0.0f || m->y < 0.0f || m->x >= (float)COORD_MAX || m->y >= (float)COORD_MAX)
    return 0;
  if ((t->width > 0 && m->x > (float)t->width) || (t->height > 0 && m->y > (float)t->height))
    return 0;
  if (m->type > RIDGE_MINUTIA_BIFURCATION || m->quality > 100)
    return 0;
  return 1;
}

static int
template_valid (const RidgeTemplate *t)
{
  if (t->width > COORD_MAX || t->height > COORD_MAX || t->quality > 100
      || t->n_minutiae > RIDGE_MAX_MINUTIAE)
    return 0;
  for (int i = 0; i < t->n_minutiae; i++)
    if (!minutia_valid (&t->minutiae[i], t))
      return 0;
  return 1;
}

int
ridge_template_from_features (const RidgeFeatures *f, int width, int height, int dpi,
                              RidgeTemplate *out)
{
  if (f == NULL || out == NULL || width <= 0 || height <= 0 || width > COORD_MAX
      || height > COORD_MAX || dpi < 0 || dpi > 65535)
    return RIDGE_ENGINE_E_INVALID;

  int n = ridge_features_n_minutiae (f);
  const RidgeMinutia *m = ridge_features_minutiae (f);
  int q = ridge_features_quality (f);

  if (n < 0 || (n > 0 && m == NULL))
    return RIDGE_ENGINE_E_INVALID;
  if (n > RIDGE_MAX_MINUTIAE)
    n = RIDGE_MAX_MINUTIAE;

  memset (out, 0, sizeof *out);
  out->width = (uint16_t)width;
  out->height = (uint16_t)height;
  out->dpi = (uint16_t)dpi;
  out->quality = (uint8_t)(q < 0 ? 0 : q > 100 ? 100 : q);
  for (int i = 0; i < n; i++)
    {
      RidgeMinutia mm = m[i];
      float a = fmodf (mm.angle, TWO_PI);

      if (!isfinite (mm.x) || !isfinite (mm.y) || !isfinite (a))
        continue;
      if (a < 0.0f)
        a += TWO_PI;
      mm.angle = a;
      mm.x = mm.x < 0.0f ? 0.0f : mm.x > (float)width ? (float)width : mm.x;
      mm.y = mm.y < 0.0f ? 0.0f : mm.y > (float)height ? (float)height : mm.y;
      if (mm.type > RIDGE_MINUTIA_BIFURCATION)
        mm.type = RIDGE_MINUTIA_OTHER;
      if (mm.quality > 100)
        mm.quality = 100;
      out->minutiae[out->n_minutiae++] = mm;
    }
  return RIDGE_ENGINE_OK;
}

int
ridge_template_serialize (const RidgeTemplate *t, uint8_t *buf, size_t cap, size_t *len)
{
  if (t == NULL || (buf == NULL && cap > 0) || !template_valid (t))
    return RIDGE_ENGINE_E_INVALID;

  size_t need = TEMPLATE_HEADER + (size_t)t->n_minutiae * MINUTIA_BYTES;

  if (len != NULL)
    *len = need;
  if (cap < need)
    return RIDGE_ENGINE_E_NOSPACE;

  memcpy (buf, TEMPLATE_MAGIC, 4);
  buf[4] = FORMAT_VERSION;
  buf[5] = t->quality;
  put_u16 (buf + 6, t->width);
  put_u16 (buf + 8, t->height);
  put_u16 (buf + 10, t->dpi);
  put_u16 (buf + 12, t->n_minutiae);
  for (int i = 0; i < t->n_minutiae; i++)
    {
      const RidgeMinutia *m = &t->minutiae[i];
      uint8_t *p = buf + TEMPLATE_HEADER + (size_t)i * MINUTIA_BYTES;
      float a = fmodf (m->angle, TWO_PI);
      long ua;

      if (a < 0.0f)
        a += TWO_PI;
      ua = lroundf (a * (65536.0f / TWO_PI)) & 0xFFFF;
      put_u16 (p, (unsigned)lroundf (m->x * COORD_SCALE));
      put_u16 (p + 2, (unsigned)lroundf (m->y * COORD_SCALE));
      put_u16 (p + 4, (unsigned)ua);
      p[6] = m->type;
      p[7] = m->quality;
    }
  put_u16 (buf + 14, record_crc (buf, need, 14));
  return RIDGE_ENGINE_OK;
}

/* Parses one template record at the start of buf; *used receives its length. */
static int
parse_template (const uint8_t *buf, size_t len, RidgeTemplate *out, size_t *used)
{
  if (len < TEMPLATE_HEADER || memcmp (buf, TEMPLATE_MAGIC, 4) != 0 || buf[4] != FORMAT_VERSION)
    return RIDGE_ENGINE_E_FORMAT;

  unsigned n = get_u16 (buf + 12);

  if (n > RIDGE_MAX_MINUTIAE)
    return RIDGE_ENGINE_E_FORMAT;

  size_t need = TEMPLATE_HEADER + (size_t)n * MINUTIA_BYTES;

  if (len < need || get_u16 (buf + 14) != record_crc (buf, need, 14))
    return RIDGE_ENGINE_E_FORMAT;

  RidgeTemplate t;

  memset (&t, 0, sizeof t);
  t.quality = buf[5];
  t.width = (uint16_t)get_u16 (buf + 6);
  t.height = (uint16_t)get_u16 (buf + 8);
  t.dpi = (uint16_t)get_u16 (buf + 10);
  t.n_minutiae = (uint16_t)n;
  for (unsigned i = 0; i < n; i++)
    {
      const uint8_t *p = buf + TEMPLATE_HEADER + (size_t)i * MINUTIA_BYTES;
      RidgeMinutia *m = &t.minutiae[i];

      m->x = (float)get_u16 (p) / COORD_SCALE;
      m->y = (float)get_u16 (p + 2) / COORD_SCALE;
      m->angle = (float)get_u16 (p + 4) * (TWO_PI / 65536.0f);
      m->type = p[6];
      m->quality = p[7];
    }
  if (!template_valid (&t))
    return RIDGE_ENGINE_E_FORMAT;
  *out = t;
  *used = need;
  return RIDGE_ENGINE_OK;
}

int
ridge_template_deserialize (const uint8_t *buf, size_t len, RidgeTemplate *out)
{
  size_t used = 0;
  int r;

  if (buf == NULL || out == NULL)
    return RIDGE_ENGINE_E_INVALID;
  r = parse_template (buf, len, out, &used);
  if (r == RIDGE_ENGINE_OK && used != len)
    {
      memset (out, 0, sizeof *out);
      return RIDGE_ENGINE_E_FORMAT;   /* trailing bytes */
    }
  return r;
}

int
ridge_enroll_serialize (const RidgeEnrollTemplate *t, uint8_t *buf, size_t cap, size_t *len)
{
  if (t == NULL || (buf == NULL && cap > 0) || t->n_samples < 1
      || t->n_samples > RIDGE_ENROLL_MAX_SAMPLES)
    return RIDGE_ENGINE_E_INVALID;

  size_t need = ENROLL_HEADER;

  for (int s = 0; s < t->n_samples; s++)
    {
      if (!template_valid (&t->samples[s]))
        return RIDGE_ENGINE_E_INVALID;
      need += TEMPLATE_HEADER + (size_t)t->samples[s].n_minutiae * MINUTIA_BYTES;
    }
  if (len != NULL)
    *len = need;
  if (cap < need)
    return RIDGE_ENGINE_E_NOSPACE;

  size_t off = ENROLL_HEADER;

  memcpy (buf, ENROLL_MAGIC, 4);
  buf[4] = FORMAT_VERSION;
  buf[5] = (uint8_t)t->n_samples;
  for (int s = 0; s < t->n_samples; s++)
    {
      size_t used = 0;
      int r = ridge_template_serialize (&t->samples[s], buf + off, cap - off, &used);

      if (r != RIDGE_ENGINE_OK)
        return r;
      off += used;
    }
  put_u16 (buf + 6, record_crc (buf, need, 6));
  return RIDGE_ENGINE_OK;
}

int
ridge_enroll_deserialize (const uint8_t *buf, size_t len, RidgeEnrollTemplate *out)
{
  if (buf == NULL || out == NULL)
    return RIDGE_ENGINE_E_INVALID;
  memset (out, 0, sizeof *out);
  if (len < ENROLL_HEADER || len > RIDGE_ENROLL_MAX_BYTES
      || memcmp (buf, ENROLL_MAGIC, 4) != 0 || buf[4] != FORMAT_VERSION
      || buf[5] < 1 || buf[5] > RIDGE_ENROLL_MAX_SAMPLES
      || get_u16 (buf + 6) != record_crc (buf, len, 6))
    return RIDGE_ENGINE_E_FORMAT;

  int n = buf[5];
  size_t off = ENROLL_HEADER;

  for (int s = 0; s < n; s++)
    {
      size_t used = 0;

      if (parse_template (buf + off, len - off, &out->samples[s], &used) != RIDGE_ENGINE_OK)
        {
          memset (out, 0, sizeof *out);
          return RIDGE_ENGINE_E_FORMAT;
        }
      off += used;
    }
  if (off != len)
    {
      memset (out, 0, sizeof *out);
      return RIDGE_ENGINE_E_FORMAT;
    }
  out->n_samples = n;
  return RIDGE_ENGINE_OK;
}
