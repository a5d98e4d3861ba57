/* test-fmr.c — ISO/IEC 19794-2:2005 and ANSI INCITS 378-2004 record codec tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-fmr synthetic   round trips, conversions and malformed records built here
 * test-fmr vectors     every record in $RIDGE_SHARED_DATA/templates, compared field by
 *                      field with its *.expected.json / *.json (skips when absent)
 */

#include "ridge-fmr.h"

#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static int failures;
static int checks;

#define CHECK(cond, ...) \
  do { \
      checks++; \
      if (!(cond)) \
        { \
          failures++; \
          fprintf (stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
          fprintf (stderr, __VA_ARGS__); \
          fputc ('\n', stderr); \
        } \
    } while (0)

#define CHECK_RET(expr, want) \
  do { \
      int r_ = (expr); \
      CHECK (r_ == (want), "%s returned %d (%s), expected %d (%s)", #expr, r_, \
             ridge_fmr_strerror (r_), (want), ridge_fmr_strerror (want)); \
    } while (0)

/* Records are large (RIDGE_FMR_MAX_VIEWS views of 255 minutiae): keep them static. */
static RidgeFmrRecord rec_a, rec_b, rec_c;
static uint8_t buf_a[200000], buf_b[200000];

/* ---- A minimal JSON reader: flattens a document into (path, raw value) leaves ------ */

#define JSON_MAX_LEAVES 8192

typedef struct {
  char path[96];
  char value[512];             /* raw JSON text of the scalar; strings without quotes */
  int  is_string;
  int  used;
} JsonLeaf;

typedef struct {
  JsonLeaf    leaves[JSON_MAX_LEAVES];
  int         n;
  const char *p;
  int         error;
} Json;

static Json json;

static void
json_ws (Json *j)
{
  while (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t')
    j->p++;
}

static void json_value (Json *j, const char *path);

static void
json_add (Json       *j,
          const char *path,
          const char *start,
          size_t      len,
          int         is_string)
{
  JsonLeaf *l;

  if (j->n >= JSON_MAX_LEAVES || len >= sizeof l->value || strlen (path) >= sizeof l->path)
    {
      j->error = 1;
      return;
    }
  l = &j->leaves[j->n++];
  snprintf (l->path, sizeof l->path, "%s", path);
  memcpy (l->value, start, len);
  l->value[len] = 0;
  l->is_string = is_string;
  l->used = 0;
}

static void
json_string (Json  *j,
             char  *out,
             size_t cap)
{
  size_t n = 0;

  j->p++;                      /* opening quote */
  while (*j->p && *j->p != '"')
    {
      if (*j->p == '\\' && j->p[1])
        {
          if (n + 2 < cap)
            out[n++] = *j->p;
          j->p++;
        }
      if (n + 1 < cap)
        out[n++] = *j->p;
      j->p++;
    }
  if (*j->p != '"')
    j->error = 1;
  else
    j->p++;
  out[n] = 0;
}

static void
json_value (Json       *j,
            const char *path)
{
  char sub[96];

  json_ws (j);
  if (*j->p == '{')
    {
      j->p++;
      json_ws (j);
      while (!j->error && *j->p != '}')
        {
          char key[64];

          if (*j->p != '"')
            {
              j->error = 1;
              return;
            }
          json_string (j, key, sizeof key);
          json_ws (j);
          if (*j->p != ':')
            {
              j->error = 1;
              return;
            }
          j->p++;
          snprintf (sub, sizeof sub, "%s%s%s", path, *path ? "." : "", key);
          json_value (j, sub);
          json_ws (j);
          if (*j->p == ',')
            {
              j->p++;
              json_ws (j);
            }
          else if (*j->p != '}')
            j->error = 1;
        }
      if (*j->p == '}')
        j->p++;
    }
  else if (*j->p == '[')
    {
      int i = 0;

      j->p++;
      json_ws (j);
      while (!j->error && *j->p != ']')
        {
          snprintf (sub, sizeof sub, "%s%s%d", path, *path ? "." : "", i++);
          json_value (j, sub);
          json_ws (j);
          if (*j->p == ',')
            j->p++;
          else if (*j->p != ']')
            j->error = 1;
        }
      if (*j->p == ']')
        j->p++;
      if (i == 0)
        json_add (j, path, "[]", 2, 0);
    }
  else if (*j->p == '"')
    {
      char s[512];

      json_string (j, s, sizeof s);
      json_add (j, path, s, strlen (s), 1);
    }
  else
    {
      const char *start = j->p;

      while (*j->p && strchr (",]} \n\r\t", *j->p) == NULL)
        j->p++;
      if (j->p == start)
        j->error = 1;
      else
        json_add (j, path, start, (size_t)(j->p - start), 0);
    }
}

static int
json_load (const char *text)
{
  memset (&json, 0, sizeof json);
  json.p = text;
  json_value (&json, "");
  json_ws (&json);
  return !json.error && *json.p == 0;
}

static JsonLeaf *
json_find (const char *fmt,
           ...)
{
  char path[96];
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (path, sizeof path, fmt, ap);
  va_end (ap);
  for (int i = 0; i < json.n; i++)
    if (strcmp (json.leaves[i].path, path) == 0)
      {
        json.leaves[i].used = 1;
        return &json.leaves[i];
      }
  return NULL;
}

/* Compares a numeric leaf; a missing leaf is a failure. */
#define EXPECT_NUM(actual, ...) \
  do { \
      JsonLeaf *l_ = json_find (__VA_ARGS__); \
      CHECK (l_ != NULL && !l_->is_string && strtod (l_->value, NULL) == (double)(actual), \
             "%s: field %s: decoded %g, expected %s", vector_name, \
             l_ ? l_->path : "(missing)", (double)(actual), l_ ? l_->value : "-"); \
    } while (0)

/* The JSON rounds real numbers to 4 decimals (ties to even). */
#define EXPECT_REAL(actual, ...) \
  do { \
      JsonLeaf *l_ = json_find (__VA_ARGS__); \
      CHECK (l_ != NULL && !l_->is_string \
             && fabs (strtod (l_->value, NULL) - (double)(actual)) <= 0.51e-4, \
             "%s: field %s: decoded %.6f, expected %s", vector_name, \
             l_ ? l_->path : "(missing)", (double)(actual), l_ ? l_->value : "-"); \
    } while (0)

#define EXPECT_STR(actual, ...) \
  do { \
      JsonLeaf *l_ = json_find (__VA_ARGS__); \
      CHECK (l_ != NULL && strcmp (l_->value, (actual)) == 0, \
             "%s: field %s: decoded \"%s\", expected \"%s\"", vector_name, \
             l_ ? l_->path : "(missing)", (actual), l_ ? l_->value : "-"); \
    } while (0)

static const char *vector_name = "";

static void
json_check_all_used (void)
{
  for (int i = 0; i < json.n; i++)
    CHECK (json.leaves[i].used, "%s: field %s (= %s) is not checked by the test", vector_name,
           json.leaves[i].path, json.leaves[i].value);
}

/* ---- Files -------------------------------------------------------------------------- */

static long
read_file (const char *path,
           uint8_t    *buf,
           size_t      cap)
{
  FILE *f = fopen (path, "rb");
  size_t n;

  if (f == NULL)
    return -1;
  n = fread (buf, 1, cap, f);
  if (!feof (f) && n == cap)
    n = cap + 1;               /* too large */
  fclose (f);
  return n > cap ? -1 : (long)n;
}

static char *
read_text (const char *path)
{
  static char text[1 << 20];
  long n = read_file (path, (uint8_t *)text, sizeof text - 1);

  if (n < 0)
    return NULL;
  text[n] = 0;
  return text;
}

/* ---- Helpers ------------------------------------------------------------------------ */

static void
hex (const uint8_t *p,
     size_t         n,
     char          *out,
     size_t         cap)
{
  size_t k = 0;

  for (size_t i = 0; i < n && k + 3 <= cap; i++)
    k += (size_t)snprintf (out + k, cap - k, "%02x", p[i]);
  out[k] = 0;
}

static size_t
base64_decode (const char *s,
               uint8_t    *out,
               size_t      cap)
{
  static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  unsigned acc = 0;
  int bits = 0;
  size_t n = 0;

  for (; *s && *s != '='; s++)
    {
      const char *c = strchr (alphabet, *s);

      if (c == NULL)
        continue;
      acc = (acc << 6) | (unsigned)(c - alphabet);
      bits += 6;
      if (bits >= 8)
        {
          bits -= 8;
          if (n < cap)
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
  return n;
}

/* Bytes of a view's extended data block as written: area headers + data. */
static size_t
ext_block_bytes (const RidgeFmrRecord *rec,
                 const RidgeFmrView   *v,
                 uint8_t              *out,
                 size_t                cap)
{
  size_t n = 0;

  for (int i = 0; i < v->n_ext; i++)
    {
      const RidgeFmrExtArea *a = &v->ext[i];
      unsigned len = rec->ext_length_exclusive ? a->length : a->length + 4u;

      if (n + 4 + a->length > cap)
        return n;
      out[n++] = (uint8_t)(a->type >> 8);
      out[n++] = (uint8_t)a->type;
      out[n++] = (uint8_t)(len >> 8);
      out[n++] = (uint8_t)len;
      memcpy (out + n, a->data, a->length);
      n += a->length;
    }
  return n;
}

static size_t
structure_size (const RidgeFmrRecord *rec)
{
  long s = ridge_fmr_encoded_size (rec);

  return s < 0 ? 0 : (size_t)s;
}

/* ---- Synthetic records -------------------------------------------------------------- */

static uint32_t rng_state = 0x9e3779b9u;

static uint32_t
rng (void)
{
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

static uint8_t ridge_count_data[1 + 3 * 40];
static uint8_t core_delta_data[128];
static uint8_t vendor_data[70000];

static void
make_record (RidgeFmrRecord *rec,
             RidgeFmrFormat  format,
             int             n_views,
             int             n_minutiae)
{
  RidgeFmrCoreDelta cd;
  RidgeFmrRidgeCount counts[40];
  size_t len;

  memset (rec, 0, sizeof *rec);
  rec->format = format;
  rec->cbeff_owner = format == RIDGE_FMR_FORMAT_ANSI ? 0x1234 : 0;
  rec->cbeff_type = format == RIDGE_FMR_FORMAT_ANSI ? 0xfedc : 0;
  rec->capture_compliance = 8;
  rec->capture_device_id = 0xabc;
  rec->width = 640;
  rec->height = 480;
  rec->res_x = 197;
  rec->res_y = 196;
  rec->n_views = (uint16_t)n_views;

  for (int i = 0; i < 40; i++)
    {
      counts[i].index1 = (uint8_t)(1 + i % 7);
      counts[i].index2 = (uint8_t)(2 + i % 5);
      counts[i].count = (uint8_t)(i * 3);
    }
  CHECK_RET (ridge_fmr_ridge_counts_encode (1, counts, 40, ridge_count_data,
                                            sizeof ridge_count_data, &len), RIDGE_FMR_OK);
  CHECK (len == sizeof ridge_count_data, "ridge count data is %zu bytes", len);

  memset (&cd, 0, sizeof cd);
  cd.core_angles = 1;
  cd.n_cores = 2;
  cd.cores[0] = (RidgeFmrCore) { 100, 200, 17 };
  cd.cores[1] = (RidgeFmrCore) { 0x3fff, 0, 179 };
  cd.delta_angles = 1;
  cd.n_deltas = 1;
  cd.deltas[0] = (RidgeFmrDelta) { 300, 400, { 1, 2, 3 } };
  CHECK_RET (ridge_fmr_core_delta_encode (&cd, core_delta_data, sizeof core_delta_data, &len),
             RIDGE_FMR_OK);
  CHECK (len == 2 + 2 * 5 + 7, "core/delta data is %zu bytes", len);

  for (size_t i = 0; i < sizeof vendor_data; i++)
    vendor_data[i] = (uint8_t)(i * 7 + 3);

  for (int vi = 0; vi < n_views; vi++)
    {
      RidgeFmrView *v = &rec->views[vi];

      v->finger_position = (uint8_t)(vi % 11);
      v->view_number = (uint8_t)(vi % 16);
      v->impression_type = (uint8_t)(vi % 4);
      v->finger_quality = (uint8_t)(vi * 13 % 101);
      v->n_minutiae = (uint16_t)n_minutiae;
      v->ridge_count_area = -1;
      v->core_delta_area = -1;
      for (int i = 0; i < n_minutiae; i++)
        {
          RidgeFmrMinutia *m = &v->minutiae[i];

          m->type = (uint8_t)(rng () % 3);
          m->x = (uint16_t)(rng () % rec->width);
          m->y = (uint16_t)(rng () % rec->height);
          m->y_reserved = (uint8_t)(i == 1 ? 2 : 0);
          m->angle = (uint8_t)(rng () % (format == RIDGE_FMR_FORMAT_ISO ? 256 : 180));
          m->quality = (uint8_t)(rng () % 101);
        }
      if (vi == 0)
        {
          /* ridge counts refer to minutiae 1..7: a vendor area stands in below that */
          v->n_ext = 3;
          v->ext[0] = (RidgeFmrExtArea) { n_minutiae >= 7 ? RIDGE_FMR_EXT_RIDGE_COUNT : 0x0100,
                                          (uint16_t)sizeof ridge_count_data,
                                          ridge_count_data };
          v->ext[1] = (RidgeFmrExtArea) { RIDGE_FMR_EXT_CORE_DELTA, 19, core_delta_data };
          v->ext[2] = (RidgeFmrExtArea) { 0x0101, 5, vendor_data };
        }
      else if (vi == 1)
        {
          v->n_ext = 1;
          v->ext[0] = (RidgeFmrExtArea) { 0xff00, 0, NULL };
        }
    }
}

static void
compare_records (const RidgeFmrRecord *a,
                 const RidgeFmrRecord *b,
                 const char           *what)
{
  CHECK (a->format == b->format, "%s: format", what);
  CHECK (a->cbeff_owner == b->cbeff_owner && a->cbeff_type == b->cbeff_type, "%s: cbeff",
         what);
  CHECK (a->capture_compliance == b->capture_compliance
         && a->capture_device_id == b->capture_device_id, "%s: capture equipment", what);
  CHECK (a->width == b->width && a->height == b->height && a->res_x == b->res_x
         && a->res_y == b->res_y && a->reserved == b->reserved, "%s: image", what);
  CHECK (a->n_views == b->n_views, "%s: views %d vs %d", what, a->n_views, b->n_views);
  for (int vi = 0; vi < a->n_views && vi < b->n_views; vi++)
    {
      const RidgeFmrView *va = &a->views[vi], *vb = &b->views[vi];

      CHECK (va->finger_position == vb->finger_position && va->view_number == vb->view_number
             && va->impression_type == vb->impression_type
             && va->finger_quality == vb->finger_quality, "%s: view %d header", what, vi);
      CHECK (va->n_minutiae == vb->n_minutiae, "%s: view %d minutiae count", what, vi);
      for (int i = 0; i < va->n_minutiae && i < vb->n_minutiae; i++)
        CHECK (memcmp (&va->minutiae[i], &vb->minutiae[i], sizeof va->minutiae[i]) == 0,
               "%s: view %d minutia %d", what, vi, i);
      CHECK (va->n_ext == vb->n_ext, "%s: view %d ext areas", what, vi);
      for (int i = 0; i < va->n_ext && i < vb->n_ext; i++)
        CHECK (va->ext[i].type == vb->ext[i].type && va->ext[i].length == vb->ext[i].length
               && (va->ext[i].length == 0
                   || memcmp (va->ext[i].data, vb->ext[i].data, va->ext[i].length) == 0),
               "%s: view %d ext area %d", what, vi, i);
    }
}

static void
test_round_trip (RidgeFmrFormat format,
                 int            n_views,
                 int            n_minutiae,
                 int            long_length)
{
  size_t len, len2;
  long size;

  make_record (&rec_a, format, n_views, n_minutiae);
  rec_a.ansi_long_length = (uint8_t)long_length;
  size = ridge_fmr_encoded_size (&rec_a);
  CHECK_RET (ridge_fmr_encode (&rec_a, buf_a, sizeof buf_a, &len), RIDGE_FMR_OK);
  CHECK ((long)len == size, "encoded %zu bytes, size said %ld", len, size);
  CHECK (ridge_fmr_detect (buf_a, len) == (format == RIDGE_FMR_FORMAT_ISO
                                           ? RIDGE_FMR_VERSION_ISO_2005
                                           : RIDGE_FMR_VERSION_ANSI_2004),
         "detect format %d", format);
  CHECK_RET (ridge_fmr_decode (buf_a, len, RIDGE_FMR_FORMAT_AUTO, RIDGE_FMR_DECODE_STRICT,
                               &rec_b), RIDGE_FMR_OK);
  CHECK (rec_b.quirks == 0, "quirks 0x%x", rec_b.quirks);
  CHECK (rec_b.record_length == len, "record length %u", (unsigned)rec_b.record_length);
  compare_records (&rec_a, &rec_b, "round trip");
  if (n_views > 0 && n_minutiae >= 7)
    {
      const RidgeFmrView *v = &rec_b.views[0];
      RidgeFmrRidgeCount rc;

      CHECK (v->ridge_count_area == 0 && v->ridge_count_method == 1 && v->n_ridge_counts == 40,
             "ridge counts decoded: area %d method %d n %d", v->ridge_count_area,
             v->ridge_count_method, v->n_ridge_counts);
      CHECK_RET (ridge_fmr_ridge_count_at (v, 39, &rc), RIDGE_FMR_OK);
      CHECK (rc.index1 == 1 + 39 % 7 && rc.index2 == 2 + 39 % 5 && rc.count == 39 * 3,
             "ridge count 39");
      CHECK_RET (ridge_fmr_ridge_count_at (v, 40, &rc), RIDGE_FMR_E_INVALID);
      CHECK (v->core_delta_area == 1 && v->core_delta.n_cores == 2
             && v->core_delta.n_deltas == 1 && v->core_delta.core_angles
             && v->core_delta.delta_angles && v->core_delta.cores[1].x == 0x3fff
             && v->core_delta.cores[1].angle == 179 && v->core_delta.deltas[0].y == 400
             && v->core_delta.deltas[0].angle[2] == 3, "core/delta decoded");
    }
  if (format == RIDGE_FMR_FORMAT_ANSI)
    CHECK (rec_b.ansi_long_length == (long_length || len > 0xffff), "ANSI long length");
  CHECK_RET (ridge_fmr_encode (&rec_b, buf_b, sizeof buf_b, &len2), RIDGE_FMR_OK);
  CHECK (len2 == len && memcmp (buf_a, buf_b, len) == 0, "re-encoding differs");

  /* every smaller buffer: NOSPACE, and no byte written past cap */
  for (size_t cap = 0; cap < len; cap += 1 + cap / 8)
    {
      memset (buf_b, 0xa5, len);
      CHECK_RET (ridge_fmr_encode (&rec_a, buf_b, cap, &len2), RIDGE_FMR_E_NOSPACE);
      CHECK (buf_b[cap] == 0xa5, "wrote past cap %zu", cap);
    }
  /* every truncation fails cleanly */
  for (size_t cut = 0; cut < len; cut += 1 + cut / 16)
    {
      int r = ridge_fmr_decode (buf_a, cut, RIDGE_FMR_FORMAT_AUTO, RIDGE_FMR_DECODE_LENIENT,
                                &rec_b);

      CHECK (r == RIDGE_FMR_E_TRUNCATED || r == RIDGE_FMR_E_EXTENDED,
             "truncated at %zu: %d (%s)", cut, r, ridge_fmr_strerror (r));
    }
}

static void
test_big_ansi (void)
{
  size_t len, len2;

  /* 2 views with large vendor areas: over 64 KiB, so ANSI needs the 6-byte length */
  make_record (&rec_a, RIDGE_FMR_FORMAT_ANSI, 2, 255);
  rec_a.views[0].n_ext = 1;
  rec_a.views[0].ext[0] = (RidgeFmrExtArea) { 0x0200, 60000, vendor_data };
  rec_a.views[1].n_ext = 1;
  rec_a.views[1].ext[0] = (RidgeFmrExtArea) { 0x0201, 9000, vendor_data + 11 };
  CHECK_RET (ridge_fmr_encode (&rec_a, buf_a, sizeof buf_a, &len), RIDGE_FMR_OK);
  CHECK (len > 0xffff && buf_a[8] == 0 && buf_a[9] == 0, "long ANSI length form");
  CHECK_RET (ridge_fmr_decode (buf_a, len, RIDGE_FMR_FORMAT_AUTO, 0, &rec_b), RIDGE_FMR_OK);
  CHECK (rec_b.format == RIDGE_FMR_FORMAT_ANSI && rec_b.ansi_long_length
         && rec_b.record_length == len, "long ANSI decoded");
  compare_records (&rec_a, &rec_b, "big ANSI");
  CHECK_RET (ridge_fmr_encode (&rec_b, buf_b, sizeof buf_b, &len2), RIDGE_FMR_OK);
  CHECK (len2 == len && memcmp (buf_a, buf_b, len) == 0, "big ANSI re-encoding differs");

  /* the same as ISO: 4-byte length, over 64 KiB */
  rec_a.format = RIDGE_FMR_FORMAT_ISO;
  CHECK_RET (ridge_fmr_encode (&rec_a, buf_a, sizeof buf_a, &len), RIDGE_FMR_OK);
  CHECK_RET (ridge_fmr_decode (buf_a, len, RIDGE_FMR_FORMAT_AUTO, 0, &rec_b), RIDGE_FMR_OK);
  CHECK (rec_b.format == RIDGE_FMR_FORMAT_ISO, "big ISO detected as %d", rec_b.format);
  /* … also with zero padding after it (lenient) */
  memset (buf_a + len, 0, 32);
  CHECK_RET (ridge_fmr_decode (buf_a, len + 32, RIDGE_FMR_FORMAT_AUTO, RIDGE_FMR_DECODE_LENIENT,
                               &rec_b), RIDGE_FMR_OK);
  CHECK (rec_b.format == RIDGE_FMR_FORMAT_ISO && rec_b.quirks == RIDGE_FMR_QUIRK_TRAILING_BYTES,
         "padded big ISO detected as %d, quirks 0x%x", rec_b.format, rec_b.quirks);
  CHECK (ridge_fmr_detect (buf_a, len + 32) == RIDGE_FMR_VERSION_ISO_2005, "padded big ISO");

  /* an extended block over 65535 bytes cannot be written */
  rec_a.views[0].ext[0].length = 65000;
  rec_a.views[0].n_ext = 2;
  rec_a.views[0].ext[1] = (RidgeFmrExtArea) { 0x0202, 1000, vendor_data };
  CHECK_RET (ridge_fmr_encode (&rec_a, buf_a, sizeof buf_a, &len), RIDGE_FMR_E_EXTENDED);
}

static void
test_angles (void)
{
  int worst_iso = 0, worst_ansi = 0;

  for (int iso = 0; iso < 256; iso++)
    {
      int ansi = ridge_fmr_angle_iso_to_ansi ((uint8_t)iso);
      double err = fabs (ansi * 2.0 - iso * 1.40625);

      CHECK (ansi >= 0 && ansi < 180 && err <= 1.0, "ISO %d → ANSI %d (%.3f°)", iso, ansi, err);
      /* back again: within one ISO unit */
      int back = ridge_fmr_angle_ansi_to_iso ((uint8_t)ansi);
      int d = abs (back - iso);

      if (d > 128)
        d = 256 - d;
      if (d > worst_iso)
        worst_iso = d;
    }
  for (int ansi = 0; ansi < 180; ansi++)
    {
      int iso = ridge_fmr_angle_ansi_to_iso ((uint8_t)ansi);
      double err = fabs (iso * 1.40625 - ansi * 2.0);

      CHECK (iso >= 0 && iso < 256 && err <= 1.40625 / 2, "ANSI %d → ISO %d (%.3f°)", ansi, iso,
             err);
      int back = ridge_fmr_angle_iso_to_ansi ((uint8_t)iso);
      int d = abs (back - ansi);

      if (d > 90)
        d = 180 - d;
      if (d > worst_ansi)
        worst_ansi = d;
    }
  CHECK (worst_iso <= 1 && worst_ansi == 0, "round trips: ISO ±%d, ANSI ±%d", worst_iso,
         worst_ansi);
}

static void
test_convert (void)
{
  RidgeFmrRecord *iso = &rec_a, *ansi = &rec_b, *back = &rec_c;
  size_t len;

  make_record (iso, RIDGE_FMR_FORMAT_ISO, 3, 60);
  CHECK_RET (ridge_fmr_convert (iso, RIDGE_FMR_FORMAT_ANSI, RIDGE_FMR_CONVERT_DEFAULT, ansi),
             RIDGE_FMR_OK);
  CHECK (ansi->format == RIDGE_FMR_FORMAT_ANSI && ansi->views[0].n_ext == 0
         && ansi->views[1].n_ext == 0, "converted to ANSI without extended data");
  CHECK_RET (ridge_fmr_encode (ansi, buf_a, sizeof buf_a, &len), RIDGE_FMR_OK);
  CHECK_RET (ridge_fmr_decode (buf_a, len, RIDGE_FMR_FORMAT_AUTO, 0, ansi), RIDGE_FMR_OK);
  CHECK_RET (ridge_fmr_convert (ansi, RIDGE_FMR_FORMAT_ISO, 0, back), RIDGE_FMR_OK);
  for (int vi = 0; vi < 3; vi++)
    for (int i = 0; i < 60; i++)
      {
        int a = iso->views[vi].minutiae[i].angle, b = back->views[vi].minutiae[i].angle;
        int d = abs (a - b);

        if (d > 128)
          d = 256 - d;
        CHECK (d <= 1, "ISO→ANSI→ISO angle %d → %d", a, b);
        CHECK (iso->views[vi].minutiae[i].x == back->views[vi].minutiae[i].x
               && iso->views[vi].minutiae[i].y == back->views[vi].minutiae[i].y,
               "position kept");
      }

  /* ridge counts survive with the flag; core/delta and vendor areas do not */
  CHECK_RET (ridge_fmr_convert (iso, RIDGE_FMR_FORMAT_ANSI, RIDGE_FMR_CONVERT_KEEP_RIDGE_COUNTS,
                                ansi), RIDGE_FMR_OK);
  CHECK (ansi->views[0].n_ext == 1 && ansi->views[0].ext[0].type == RIDGE_FMR_EXT_RIDGE_COUNT,
         "ridge counts kept");
  CHECK_RET (ridge_fmr_convert (iso, RIDGE_FMR_FORMAT_ISO, 0, ansi), RIDGE_FMR_OK);
  compare_records (iso, ansi, "same-format convert");
  CHECK_RET (ridge_fmr_convert (iso, RIDGE_FMR_FORMAT_AUTO, 0, ansi), RIDGE_FMR_E_INVALID);
  CHECK_RET (ridge_fmr_convert (iso, RIDGE_FMR_FORMAT_ANSI, 0, iso), RIDGE_FMR_E_INVALID);
}

static void
test_template (void)
{
  static RidgeTemplate t, t2;
  RidgeFmrViewInfo info = { 7, 1, 0, 0x0b5, 0x42, 0x11 };
  size_t len;

  memset (&t, 0, sizeof t);
  t.width = 388;
  t.height = 374;
  t.dpi = 500;
  t.quality = 77;
  t.n_minutiae = RIDGE_MAX_MINUTIAE;
  for (int i = 0; i < t.n_minutiae; i++)
    {
      t.minutiae[i].x = (float)(rng () % 38800) / 100.0f;
      t.minutiae[i].y = (float)(rng () % 37400) / 100.0f;
      t.minutiae[i].angle = (float)((rng () % 62832) / 10000.0);
      t.minutiae[i].type = (uint8_t)(rng () % 3);
      t.minutiae[i].quality = (uint8_t)(rng () % 101);
    }
  /* edge cases: out of the image, negative and huge angles, NaN */
  t.minutiae[0].x = -5.0f;
  t.minutiae[1].x = 1000.0f;
  t.minutiae[2].angle = -0.001f;
  t.minutiae[3].angle = 6.2831f;
  t.minutiae[4].angle = NAN;
  t.minutiae[5].y = 373.6f;

  for (int f = RIDGE_FMR_FORMAT_ISO; f <= RIDGE_FMR_FORMAT_ANSI; f++)
    {
      double unit = f == RIDGE_FMR_FORMAT_ISO ? 2 * M_PI / 256 : 2 * M_PI / 180;

      CHECK_RET (ridge_fmr_from_template (&t, (RidgeFmrFormat)f, &info, &rec_a), RIDGE_FMR_OK);
      CHECK (rec_a.res_x == 197 && rec_a.views[0].finger_position == 7
             && rec_a.views[0].view_number == 1 && rec_a.capture_device_id == 0xb5,
             "template header");
      CHECK_RET (ridge_fmr_encode (&rec_a, buf_a, sizeof buf_a, &len), RIDGE_FMR_OK);
      CHECK_RET (ridge_fmr_decode (buf_a, len, RIDGE_FMR_FORMAT_AUTO, 0, &rec_b), RIDGE_FMR_OK);
      CHECK (rec_b.format == (RidgeFmrFormat)f, "format");
      CHECK_RET (ridge_fmr_view_to_template (&rec_b, 0, &t2), RIDGE_FMR_OK);
      CHECK (t2.width == 388 && t2.height == 374 && t2.dpi == 500 && t2.quality == 77
             && t2.n_minutiae == t.n_minutiae, "template header back");
      CHECK (t2.minutiae[0].x == 0 && t2.minutiae[1].x == 387 && t2.minutiae[5].y == 373,
             "clamped coordinates");
      CHECK (t2.minutiae[2].angle == 0.0f && t2.minutiae[3].angle == 0.0f
             && t2.minutiae[4].angle == 0.0f, "wrapped angles %g %g %g",
             t2.minutiae[2].angle, t2.minutiae[3].angle, t2.minutiae[4].angle);
      for (int i = 6; i < t.n_minutiae; i++)
        {
          const RidgeMinutia *a = &t.minutiae[i], *b = &t2.minutiae[i];
          double da = fabs (remainder ((double)a->angle - b->angle, 2 * M_PI));

          CHECK (fabsf (fminf (a->x, t.width - 1) - b->x) <= 0.5f
                 && fabsf (fminf (a->y, t.height - 1) - b->y) <= 0.5f
                 && da <= unit / 2 + 1e-6 && a->type == b->type && a->quality == b->quality,
                 "minutia %d: (%g,%g,%g) → (%g,%g,%g)", i, a->x, a->y, a->angle, b->x, b->y,
                 b->angle);
        }
    }
  CHECK_RET (ridge_fmr_view_to_template (&rec_b, 1, &t2), RIDGE_FMR_E_INVALID);
  /* resolutions: 0 (unknown) → 500 dpi, huge ones saturate */
  rec_b.res_x = 0;
  CHECK_RET (ridge_fmr_view_to_template (&rec_b, 0, &t2), RIDGE_FMR_OK);
  CHECK (t2.dpi == 500, "unknown resolution: %d dpi", t2.dpi);
  rec_b.res_x = 25800;
  CHECK_RET (ridge_fmr_view_to_template (&rec_b, 0, &t2), RIDGE_FMR_OK);
  CHECK (t2.dpi == 65532, "25800 px/cm: %d dpi", t2.dpi);
  rec_b.res_x = 25802;
  CHECK_RET (ridge_fmr_view_to_template (&rec_b, 0, &t2), RIDGE_FMR_OK);
  CHECK (t2.dpi == 65535, "25802 px/cm: %d dpi", t2.dpi);
  rec_b.res_x = 65535;
  CHECK_RET (ridge_fmr_view_to_template (&rec_b, 0, &t2), RIDGE_FMR_OK);
  CHECK (t2.dpi == 65535, "65535 px/cm: %d dpi", t2.dpi);
  info.finger_position = 11;
  CHECK_RET (ridge_fmr_from_template (&t, RIDGE_FMR_FORMAT_ISO, &info, &rec_a),
             RIDGE_FMR_E_FIELD);
  t.n_minutiae = 256;
  CHECK_RET (ridge_fmr_from_template (&t, RIDGE_FMR_FORMAT_ISO, NULL, &rec_a),
             RIDGE_FMR_E_LIMIT);
}

static void
test_enroll (void)
{
  static RidgeEnrollTemplate e, back;
  static const uint16_t sizes[3][2] = { { 388, 374 }, { 400, 400 }, { 300, 500 } };
  RidgeFmrViewInfo info = { 7, 2, 1, 0x123, 0x42, 0x11 };
  size_t len, len2;

  memset (&e, 0, sizeof e);
  e.n_samples = 3;
  for (int k = 0; k < 3; k++)
    {
      RidgeTemplate *t = &e.samples[k];

      t->width = sizes[k][0];
      t->height = sizes[k][1];
      t->dpi = 500;
      t->quality = (uint8_t)(60 + k);
      t->n_minutiae = (uint16_t)(30 + 10 * k);
      for (int i = 0; i < t->n_minutiae; i++)
        {
          t->minutiae[i].x = (float)(rng () % (t->width * 10u)) / 10.0f;
          t->minutiae[i].y = (float)(rng () % (t->height * 10u)) / 10.0f;
          t->minutiae[i].angle = (float)((rng () % 62831) / 10000.0);
          t->minutiae[i].type = (uint8_t)(1 + rng () % 2);
          t->minutiae[i].quality = (uint8_t)(rng () % 101);
        }
    }

  for (int f = RIDGE_FMR_FORMAT_ISO; f <= RIDGE_FMR_FORMAT_ANSI; f++)
    {
      RidgeFmrFormat fmt = (RidgeFmrFormat)f;
      double unit = fmt == RIDGE_FMR_FORMAT_ISO ? 2 * M_PI / 256 : 2 * M_PI / 180;

      CHECK_RET (ridge_fmr_encode_enroll (&e, fmt, &info, buf_a, sizeof buf_a, &len),
                 RIDGE_FMR_OK);
      CHECK_RET (ridge_fmr_decode (buf_a, len, RIDGE_FMR_FORMAT_AUTO, 0, &rec_a), RIDGE_FMR_OK);
      CHECK (rec_a.format == fmt && rec_a.n_views == 3 && rec_a.width == 400
             && rec_a.height == 500 && rec_a.res_x == 197 && rec_a.capture_device_id == 0x123,
             "enrollment record header");
      CHECK (rec_a.cbeff_owner == (fmt == RIDGE_FMR_FORMAT_ANSI ? 0x42 : 0),
             "enrollment CBEFF owner");
      for (int k = 0; k < 3; k++)
        CHECK (rec_a.views[k].finger_position == 7 && rec_a.views[k].view_number == 2 + k
               && rec_a.views[k].impression_type == 1 && rec_a.views[k].finger_quality == 60 + k
               && rec_a.views[k].n_minutiae == 30 + 10 * k, "enrollment view %d", k);

      /* the first sample alone, straight and through a record: the same bytes */
      CHECK_RET (ridge_fmr_encode_template (&e.samples[0], fmt, &info, buf_a, sizeof buf_a,
                                            &len), RIDGE_FMR_OK);
      CHECK_RET (ridge_fmr_from_template (&e.samples[0], fmt, &info, &rec_b), RIDGE_FMR_OK);
      CHECK_RET (ridge_fmr_encode (&rec_b, buf_b, sizeof buf_b, &len2), RIDGE_FMR_OK);
      CHECK (len == len2 && memcmp (buf_a, buf_b, len) == 0, "encode_template = from_template");

      /* back to an enrollment */
      CHECK_RET (ridge_fmr_to_enroll (&rec_a, 7, &back), RIDGE_FMR_OK);
      CHECK (back.n_samples == 3, "samples back: %d", back.n_samples);
      for (int k = 0; k < back.n_samples; k++)
        {
          const RidgeTemplate *a = &e.samples[k], *b = &back.samples[k];

          CHECK (b->n_minutiae == a->n_minutiae && b->dpi == 500 && b->quality == a->quality,
                 "sample %d header", k);
          for (int i = 0; i < a->n_minutiae && i < b->n_minutiae; i++)
            {
              const RidgeMinutia *ma = &a->minutiae[i], *mb = &b->minutiae[i];
              double da = fabs (remainder ((double)ma->angle - mb->angle, 2 * M_PI));

              CHECK (fabsf (fminf (ma->x, a->width - 1) - mb->x) <= 0.5f
                     && fabsf (fminf (ma->y, a->height - 1) - mb->y) <= 0.5f
                     && da <= unit / 2 + 1e-6 && ma->type == mb->type, "sample %d minutia %d",
                     k, i);
            }
        }
      CHECK_RET (ridge_fmr_to_enroll (&rec_a, -1, &back), RIDGE_FMR_OK);
      CHECK (back.n_samples == 3, "first finger: %d samples", back.n_samples);
      CHECK_RET (ridge_fmr_to_enroll (&rec_a, 3, &back), RIDGE_FMR_E_NO_VIEW);
      CHECK_RET (ridge_fmr_to_enroll (&rec_a, 11, &back), RIDGE_FMR_E_INVALID);
    }

  /* limits */
  for (size_t cap = 0; cap < len; cap += 7)
    CHECK_RET (ridge_fmr_encode_enroll (&e, RIDGE_FMR_FORMAT_ISO, &info, buf_a, cap, &len2),
               RIDGE_FMR_E_NOSPACE);
  info.view_number = 14;
  CHECK_RET (ridge_fmr_encode_enroll (&e, RIDGE_FMR_FORMAT_ISO, &info, buf_a, sizeof buf_a,
                                      &len), RIDGE_FMR_E_FIELD);
  e.n_samples = 0;
  CHECK_RET (ridge_fmr_encode_enroll (&e, RIDGE_FMR_FORMAT_ISO, NULL, buf_a, sizeof buf_a,
                                      &len), RIDGE_FMR_E_INVALID);
  e.n_samples = 1;
  CHECK_RET (ridge_fmr_encode_enroll (&e, RIDGE_FMR_FORMAT_AUTO, NULL, buf_a, sizeof buf_a,
                                      &len), RIDGE_FMR_E_INVALID);
  CHECK_RET (ridge_fmr_encode_enroll (&e, RIDGE_FMR_FORMAT_ANSI, NULL, buf_a, sizeof buf_a,
                                      &len), RIDGE_FMR_OK);
  memset (&rec_a, 0, sizeof rec_a);
  rec_a.format = RIDGE_FMR_FORMAT_ISO;
  CHECK_RET (ridge_fmr_to_enroll (&rec_a, -1, &back), RIDGE_FMR_E_NO_VIEW);
}

static void expect_decode (const uint8_t *buf, size_t len, RidgeFmrFormat format,
                           int strict_want, int lenient_want, unsigned quirk, const char *what);

static void
test_ext_helpers (void)
{
  static uint8_t b[256];
  RidgeFmrCoreDelta cd, back;
  RidgeFmrRidgeCount rc[3] = { { 1, 2, 3 }, { 4, 5, 6 }, { 7, 8, 9 } };
  size_t len, len2;

  memset (&cd, 0, sizeof cd);
  cd.core_angles = 1;
  cd.n_cores = 3;
  cd.delta_angles = 0;
  cd.n_deltas = 2;
  for (int i = 0; i < 3; i++)
    cd.cores[i] = (RidgeFmrCore) { (uint16_t)(100 * i), (uint16_t)(0x3fff - i), (uint8_t)i }
  ;
  cd.deltas[0] = (RidgeFmrDelta) { 5, 6, { 0, 0, 0 } };
  cd.deltas[1] = (RidgeFmrDelta) { 7, 8, { 0, 0, 0 } };
  CHECK_RET (ridge_fmr_core_delta_encode (&cd, b, sizeof b, &len), RIDGE_FMR_OK);
  CHECK (len == 2 + 3 * 5 + 2 * 4 && b[0] == 0x43 && b[16] == 0x02, "core/delta layout");
  CHECK_RET (ridge_fmr_core_delta_decode (b, len, &back), RIDGE_FMR_OK);
  CHECK (memcmp (&cd, &back, sizeof cd) == 0, "core/delta round trip");
  for (size_t cut = 0; cut < len; cut++)
    CHECK_RET (ridge_fmr_core_delta_decode (b, cut, &back), RIDGE_FMR_E_EXTENDED);
  CHECK_RET (ridge_fmr_core_delta_decode (b, len + 1, &back), RIDGE_FMR_E_EXTENDED);
  b[0] = 0x83;                 /* info type 10 */
  CHECK_RET (ridge_fmr_core_delta_decode (b, len, &back), RIDGE_FMR_E_EXTENDED);
  b[0] = 0x43;
  b[16] = 0xc2;                /* delta info type 11 */
  CHECK_RET (ridge_fmr_core_delta_decode (b, len, &back), RIDGE_FMR_E_EXTENDED);
  b[16] = 0x02;
  b[1] |= 0xc0;                /* reserved bits above x: ignored */
  CHECK_RET (ridge_fmr_core_delta_decode (b, len, &back), RIDGE_FMR_OK);
  CHECK (back.cores[0].x == 0, "reserved bits masked");
  CHECK_RET (ridge_fmr_core_delta_decode (NULL, 3, &back), RIDGE_FMR_E_INVALID);
  CHECK_RET (ridge_fmr_core_delta_decode (b, len, NULL), RIDGE_FMR_E_INVALID);
  for (size_t cap = 0; cap < len; cap++)
    CHECK_RET (ridge_fmr_core_delta_encode (&cd, b, cap, &len2), RIDGE_FMR_E_NOSPACE);
  cd.cores[1].x = 0x4000;
  CHECK_RET (ridge_fmr_core_delta_encode (&cd, b, sizeof b, &len2), RIDGE_FMR_E_FIELD);
  cd.cores[1].x = 0;
  cd.deltas[1].y = 0x4000;
  CHECK_RET (ridge_fmr_core_delta_encode (&cd, b, sizeof b, &len2), RIDGE_FMR_E_FIELD);
  cd.n_cores = 16;
  CHECK_RET (ridge_fmr_core_delta_encode (&cd, b, sizeof b, &len2), RIDGE_FMR_E_FIELD);

  CHECK_RET (ridge_fmr_ridge_counts_encode (2, rc, 3, b, sizeof b, &len), RIDGE_FMR_OK);
  CHECK (len == 10 && b[0] == 2 && b[9] == 9, "ridge count layout");
  CHECK_RET (ridge_fmr_ridge_counts_encode (2, rc, 3, b, 9, &len), RIDGE_FMR_E_NOSPACE);
  CHECK_RET (ridge_fmr_ridge_counts_encode (2, rc, -1, b, sizeof b, &len), RIDGE_FMR_E_INVALID);
  CHECK_RET (ridge_fmr_ridge_counts_encode (2, NULL, 1, b, sizeof b, &len), RIDGE_FMR_E_INVALID);
  CHECK_RET (ridge_fmr_ridge_counts_encode (2, NULL, 0, b, sizeof b, &len), RIDGE_FMR_OK);
  CHECK_RET (ridge_fmr_ridge_counts_encode (0, rc, 30000, b, sizeof b, &len),
             RIDGE_FMR_E_FIELD);

  /* exclusive area lengths: two views, both read that way; a record mixing the two
   * readings is refused */
  make_record (&rec_a, RIDGE_FMR_FORMAT_ISO, 2, 3);
  rec_a.ext_length_exclusive = 1;
  rec_a.views[0].n_ext = 1;
  rec_a.views[0].ext[0] = (RidgeFmrExtArea) { 0x0100, 6, vendor_data };
  rec_a.views[1].n_ext = 1;
  rec_a.views[1].ext[0] = (RidgeFmrExtArea) { 0x0101, 9, vendor_data };
  CHECK_RET (ridge_fmr_encode (&rec_a, buf_a, sizeof buf_a, &len), RIDGE_FMR_OK);
  expect_decode (buf_a, len, RIDGE_FMR_FORMAT_ISO, RIDGE_FMR_E_EXTENDED, RIDGE_FMR_OK,
                 RIDGE_FMR_QUIRK_EXT_LENGTH_EXCLUSIVE, "exclusive lengths, two views");
  compare_records (&rec_a, &rec_b, "exclusive lengths");
  CHECK_RET (ridge_fmr_encode (&rec_b, buf_b, sizeof buf_b, &len2), RIDGE_FMR_OK);
  CHECK (len2 == len && memcmp (buf_a, buf_b, len) == 0, "exclusive re-encoding");
  /* second view's area length made inclusive (9 + 4) */
  CHECK (buf_a[len - 9 - 1] == 9, "second area length");
  buf_a[len - 9 - 1] = 13;
  expect_decode (buf_a, len, RIDGE_FMR_FORMAT_ISO, RIDGE_FMR_E_EXTENDED, RIDGE_FMR_E_EXTENDED,
                 0, "mixed area length readings");
}

/* A small valid record to corrupt: 1 view, 2 minutiae, one vendor area. */
static size_t
small_record (RidgeFmrFormat format,
              uint8_t       *out)
{
  size_t len;

  make_record (&rec_a, format, 1, 2);
  rec_a.views[0].n_ext = 1;
  rec_a.views[0].ext[0] = (RidgeFmrExtArea) { 0x0101, 3, vendor_data };
  CHECK_RET (ridge_fmr_encode (&rec_a, out, sizeof buf_a, &len), RIDGE_FMR_OK);
  return len;
}

static void
expect_decode (const uint8_t *buf,
               size_t         len,
               RidgeFmrFormat format,
               int            strict_want,
               int            lenient_want,
               unsigned       quirk,
               const char    *what)
{
  int r = ridge_fmr_decode (buf, len, format, RIDGE_FMR_DECODE_STRICT, &rec_b);

  CHECK (r == strict_want, "%s: strict %d (%s), expected %d", what, r, ridge_fmr_strerror (r),
         strict_want);
  r = ridge_fmr_decode (buf, len, format, RIDGE_FMR_DECODE_LENIENT, &rec_b);
  CHECK (r == lenient_want, "%s: lenient %d (%s), expected %d", what, r,
         ridge_fmr_strerror (r), lenient_want);
  if (r == RIDGE_FMR_OK)
    CHECK ((rec_b.quirks & quirk) == quirk, "%s: quirks 0x%x lack 0x%x", what, rec_b.quirks,
           quirk);
}

static void
test_malformed (void)
{
  size_t len, hdr;

  for (int f = RIDGE_FMR_FORMAT_ISO; f <= RIDGE_FMR_FORMAT_ANSI; f++)
    {
      RidgeFmrFormat fmt = (RidgeFmrFormat)f;
      int iso = fmt == RIDGE_FMR_FORMAT_ISO;
      size_t len_off = 8, view_off, min_off, ext_off;

      hdr = iso ? 24 : 26;
      view_off = hdr;
      min_off = view_off + 4;
      ext_off = min_off + 2 * 6;

      len = small_record (fmt, buf_a);
      expect_decode (buf_a, len, fmt, RIDGE_FMR_OK, RIDGE_FMR_OK, 0, "valid");

      memcpy (buf_b, buf_a, len);
      buf_b[0] = 'X';
      expect_decode (buf_b, len, fmt, RIDGE_FMR_E_MAGIC, RIDGE_FMR_E_MAGIC, 0, "magic");
      expect_decode (buf_b, 0, fmt, RIDGE_FMR_E_TRUNCATED, RIDGE_FMR_E_TRUNCATED, 0, "empty");

      memcpy (buf_b, buf_a, len);
      memcpy (buf_b + 4, "020", 4);
      expect_decode (buf_b, len, fmt, RIDGE_FMR_E_VERSION, RIDGE_FMR_E_VERSION, 0, "020");
      memcpy (buf_b + 4, "030", 4);
      expect_decode (buf_b, len, fmt, RIDGE_FMR_E_UNSUPPORTED_VERSION,
                     RIDGE_FMR_E_UNSUPPORTED_VERSION, 0, "030");
      memcpy (buf_b + 4, "035", 4);
      expect_decode (buf_b, len, RIDGE_FMR_FORMAT_AUTO, RIDGE_FMR_E_UNSUPPORTED_VERSION,
                     RIDGE_FMR_E_UNSUPPORTED_VERSION, 0, "035");

      /* length field one too small / too large */
      memcpy (buf_b, buf_a, len);
      buf_b[len_off + (iso ? 3 : 1)]--;
      expect_decode (buf_b, len, fmt, RIDGE_FMR_E_LENGTH, RIDGE_FMR_OK,
                     RIDGE_FMR_QUIRK_LENGTH_FIELD, "length - 1");
      buf_b[len_off + (iso ? 3 : 1)] += 2;
      expect_decode (buf_b, len, fmt, RIDGE_FMR_E_TRUNCATED, RIDGE_FMR_OK,
                     RIDGE_FMR_QUIRK_LENGTH_FIELD, "length + 1");
      expect_decode (buf_b, min_off + 3, fmt, RIDGE_FMR_E_TRUNCATED, RIDGE_FMR_E_TRUNCATED, 0,
                     "length + 1, structure truncated");
      /* zero padding after the record */
      memcpy (buf_b, buf_a, len);
      memset (buf_b + len, 0, 16);
      expect_decode (buf_b, len + 16, fmt, RIDGE_FMR_E_LENGTH, RIDGE_FMR_OK,
                     RIDGE_FMR_QUIRK_TRAILING_BYTES, "zero padding");

      /* minutia angle: every value is valid in ISO, ANSI stops at 179 */
      memcpy (buf_b, buf_a, len);
      buf_b[min_off + 4] = 180;
      expect_decode (buf_b, len, fmt, iso ? RIDGE_FMR_OK : RIDGE_FMR_E_ANGLE, RIDGE_FMR_OK,
                     iso ? 0 : RIDGE_FMR_QUIRK_ANGLE_RANGE, "angle 180");
      buf_b[min_off + 4] = 255;
      expect_decode (buf_b, len, fmt, iso ? RIDGE_FMR_OK : RIDGE_FMR_E_ANGLE, RIDGE_FMR_OK,
                     iso ? 0 : RIDGE_FMR_QUIRK_ANGLE_RANGE, "angle 255");
      if (!iso)
        {
          CHECK_RET (ridge_fmr_encode (&rec_b, buf_b, sizeof buf_b, &hdr), RIDGE_FMR_E_ANGLE);
          hdr = 26;
        }

      /* minutia type 3, quality 101, x outside the image, finger position 11 */
      memcpy (buf_b, buf_a, len);
      buf_b[min_off] |= 0xc0;
      expect_decode (buf_b, len, fmt, RIDGE_FMR_E_FIELD, RIDGE_FMR_OK,
                     RIDGE_FMR_QUIRK_FIELD_RANGE, "type 3");
      memcpy (buf_b, buf_a, len);
      buf_b[min_off + 5] = 101;
      expect_decode (buf_b, len, fmt, RIDGE_FMR_E_FIELD, RIDGE_FMR_OK,
                     RIDGE_FMR_QUIRK_FIELD_RANGE, "quality 101");
      memcpy (buf_b, buf_a, len);
      buf_b[min_off] = (uint8_t)((buf_b[min_off] & 0xc0) | 0x3f);
      expect_decode (buf_b, len, fmt, RIDGE_FMR_E_FIELD, RIDGE_FMR_OK,
                     RIDGE_FMR_QUIRK_FIELD_RANGE, "x outside");
      memcpy (buf_b, buf_a, len);
      buf_b[view_off] = 11;
      expect_decode (buf_b, len, fmt, RIDGE_FMR_E_FIELD, RIDGE_FMR_OK,
                     RIDGE_FMR_QUIRK_FIELD_RANGE, "finger position 11");

      /* extended data: block past the end, area longer than its block, area shorter than
       * its header */
      memcpy (buf_b, buf_a, len);
      buf_b[ext_off + 1] += 1;
      expect_decode (buf_b, len, fmt, RIDGE_FMR_E_EXTENDED, RIDGE_FMR_E_EXTENDED, 0,
                     "extended block past the end");
      memcpy (buf_b, buf_a, len);
      buf_b[ext_off + 2 + 3] += 1;
      expect_decode (buf_b, len, fmt, RIDGE_FMR_E_EXTENDED, RIDGE_FMR_E_EXTENDED, 0,
                     "area past its block");
      memcpy (buf_b, buf_a, len);
      buf_b[ext_off + 2 + 3] = 2;
      expect_decode (buf_b, len, fmt, RIDGE_FMR_E_EXTENDED, RIDGE_FMR_E_EXTENDED, 0,
                     "area shorter than its header");
      /* area length without its header (FingerprintIO's ISO 2005 reading) */
      memcpy (buf_b, buf_a, len);
      buf_b[ext_off + 2 + 3] = 3;
      expect_decode (buf_b, len, fmt, RIDGE_FMR_E_EXTENDED, RIDGE_FMR_OK,
                     RIDGE_FMR_QUIRK_EXT_LENGTH_EXCLUSIVE, "area length exclusive");
      if (ridge_fmr_decode (buf_b, len, fmt, RIDGE_FMR_DECODE_LENIENT, &rec_b) == RIDGE_FMR_OK)
        {
          size_t len2;

          CHECK (rec_b.ext_length_exclusive && rec_b.views[0].ext[0].length == 3,
                 "exclusive lengths decoded");
          CHECK_RET (ridge_fmr_encode (&rec_b, buf_a + 100000, 100000, &len2), RIDGE_FMR_OK);
          CHECK (len2 == len && memcmp (buf_a + 100000, buf_b, len) == 0,
                 "exclusive lengths re-encoded identically");
        }
      /* a ridge-count area that does not parse (index beyond the minutiae) */
      memcpy (buf_b, buf_a, len);
      buf_b[ext_off + 2] = 0x00;       /* type 0x0001 */
      buf_b[ext_off + 2 + 1] = 0x01;
      buf_b[ext_off + 2 + 4] = 1;      /* method, then 2 bytes: not a whole triple */
      expect_decode (buf_b, len, fmt, RIDGE_FMR_E_EXTENDED, RIDGE_FMR_OK,
                     RIDGE_FMR_QUIRK_EXT_OPAQUE, "bad ridge counts");
    }

  /* the encoder refuses extended areas the strict decoder would refuse */
  make_record (&rec_a, RIDGE_FMR_FORMAT_ANSI, 1, 10);
  CHECK_RET (ridge_fmr_encode (&rec_a, buf_a, sizeof buf_a, &len), RIDGE_FMR_OK);
  rec_a.views[0].n_minutiae = 6;   /* ridge counts now refer to minutia 7 */
  CHECK_RET (ridge_fmr_encode (&rec_a, buf_a, sizeof buf_a, &len), RIDGE_FMR_E_EXTENDED);
  rec_a.views[0].n_minutiae = 10;
  rec_a.views[0].ext[0].length = 3;
  CHECK_RET (ridge_fmr_encode (&rec_a, buf_a, sizeof buf_a, &len), RIDGE_FMR_E_EXTENDED);
  rec_a.views[0].ext[0].length = 4;
  CHECK_RET (ridge_fmr_encode (&rec_a, buf_a, sizeof buf_a, &len), RIDGE_FMR_OK);
  {
    static uint8_t cd_bytes[32];
    RidgeFmrCoreDelta cd;
    size_t cd_len;

    memset (&cd, 0, sizeof cd);
    cd.core_angles = 1;
    cd.n_cores = 1;
    cd.cores[0] = (RidgeFmrCore) { 10, 20, 180 };
    CHECK_RET (ridge_fmr_core_delta_encode (&cd, cd_bytes, sizeof cd_bytes, &cd_len),
               RIDGE_FMR_OK);
    CHECK (cd_len == 7 && cd_bytes[5] == 180, "core/delta bytes");
    rec_a.views[0].n_ext = 2;
    rec_a.views[0].ext[1] = (RidgeFmrExtArea) { RIDGE_FMR_EXT_CORE_DELTA, (uint16_t)cd_len,
                                                cd_bytes };
    CHECK_RET (ridge_fmr_encode (&rec_a, buf_a, sizeof buf_a, &len), RIDGE_FMR_E_ANGLE);
    rec_a.format = RIDGE_FMR_FORMAT_ISO;
    CHECK_RET (ridge_fmr_encode (&rec_a, buf_a, sizeof buf_a, &len), RIDGE_FMR_OK);
    /* an ANSI record with that angle: strict refuses, lenient keeps it */
    rec_a.format = RIDGE_FMR_FORMAT_ANSI;
    cd_bytes[5] = 179;
    CHECK_RET (ridge_fmr_encode (&rec_a, buf_a, sizeof buf_a, &len), RIDGE_FMR_OK);
    cd_bytes[5] = 180;
    CHECK (buf_a[len - 2] == 179, "core angle is the record's last but one byte");
    buf_a[len - 2] = 180;
    expect_decode (buf_a, len, RIDGE_FMR_FORMAT_ANSI, RIDGE_FMR_E_ANGLE, RIDGE_FMR_OK,
                   RIDGE_FMR_QUIRK_ANGLE_RANGE, "ANSI core angle 180");
    CHECK (rec_b.views[0].core_delta_area == 1 && rec_b.views[0].core_delta.cores[0].angle == 180,
           "core decoded with its angle");
    cd_bytes[0] = 0x81;        /* angle info type 10: unknown */
    CHECK_RET (ridge_fmr_encode (&rec_a, buf_a, sizeof buf_a, &len), RIDGE_FMR_E_EXTENDED);
  }

  /* too many views */
  make_record (&rec_a, RIDGE_FMR_FORMAT_ISO, 1, 0);
  CHECK_RET (ridge_fmr_encode (&rec_a, buf_a, sizeof buf_a, &len), RIDGE_FMR_OK);
  buf_a[22] = RIDGE_FMR_MAX_VIEWS + 1;
  expect_decode (buf_a, len, RIDGE_FMR_FORMAT_ISO, RIDGE_FMR_E_LIMIT, RIDGE_FMR_E_LIMIT, 0,
                 "too many views");
  rec_a.n_views = RIDGE_FMR_MAX_VIEWS + 1;
  CHECK_RET (ridge_fmr_encode (&rec_a, buf_a, sizeof buf_a, &len), RIDGE_FMR_E_LIMIT);

  /* invalid arguments */
  CHECK_RET (ridge_fmr_decode (NULL, 4, RIDGE_FMR_FORMAT_AUTO, 0, &rec_a), RIDGE_FMR_E_INVALID);
  CHECK_RET (ridge_fmr_decode (buf_a, 4, RIDGE_FMR_FORMAT_AUTO, 0, NULL), RIDGE_FMR_E_INVALID);
  CHECK_RET (ridge_fmr_decode (buf_a, 4, (RidgeFmrFormat)7, 0, &rec_a), RIDGE_FMR_E_INVALID);
  CHECK_RET (ridge_fmr_encode (NULL, buf_a, 4, &len), RIDGE_FMR_E_INVALID);
  CHECK (ridge_fmr_detect (NULL, 0) == RIDGE_FMR_VERSION_UNKNOWN, "detect NULL");
}

static void
test_strerror (void)
{
  for (int e = 0; e >= RIDGE_FMR_E_NO_VIEW; e--)
    {
      const char *s = ridge_fmr_strerror (e);

      CHECK (s != NULL && strcmp (s, "unknown error") != 0, "strerror %d", e);
      for (int k = e + 1; k <= 0; k++)
        CHECK (strcmp (s, ridge_fmr_strerror (k)) != 0, "strerror %d == %d", e, k);
    }
  CHECK (strcmp (ridge_fmr_strerror (-1000), "unknown error") == 0, "strerror unknown");
}

static int
run_synthetic (void)
{
  test_strerror ();
  test_round_trip (RIDGE_FMR_FORMAT_ISO, 1, 0, 0);
  test_round_trip (RIDGE_FMR_FORMAT_ISO, 3, 17, 0);
  test_round_trip (RIDGE_FMR_FORMAT_ISO, RIDGE_FMR_MAX_VIEWS, 255, 0);
  test_round_trip (RIDGE_FMR_FORMAT_ANSI, 1, 0, 0);
  test_round_trip (RIDGE_FMR_FORMAT_ANSI, 2, 40, 0);
  test_round_trip (RIDGE_FMR_FORMAT_ANSI, 2, 40, 1);
  test_round_trip (RIDGE_FMR_FORMAT_ANSI, RIDGE_FMR_MAX_VIEWS, 255, 0);
  test_big_ansi ();
  test_angles ();
  test_convert ();
  test_template ();
  test_enroll ();
  test_ext_helpers ();
  test_malformed ();
  return 0;
}

/* ---- Shared vectors ----------------------------------------------------------------- */

/* *.expected.json (NIST-style field names, written by an independent parser). */
static void
check_expected_json (const char     *path,
                     const uint8_t  *raw,
                     size_t          len,
                     RidgeFmrRecord *rec)
{
  const char *text = read_text (path);
  JsonLeaf *notes;
  char want[64];

  CHECK (text != NULL && json_load (text), "%s: cannot read %s", vector_name, path);
  if (text == NULL || json.error)
    return;

  snprintf (want, sizeof want, "%s", strrchr (vector_name, '/') ? strrchr (vector_name, '/') + 1
                                                                 : vector_name);
  EXPECT_STR (want, "file");
  EXPECT_NUM (len, "file_bytes");
  EXPECT_STR (rec->format == RIDGE_FMR_FORMAT_ISO ? "ISO19794-2-2005" : "ANSI378-2004",
              "format");
  CHECK (memcmp (raw, "FMR\0", 4) == 0, "magic bytes");
  EXPECT_STR ("FMR\\u0000", "magic");
  CHECK (memcmp (raw + 4, " 20\0", 4) == 0, "version bytes");
  EXPECT_STR (" 20\\u0000", "version");
  EXPECT_NUM (rec->record_length, "record_length");
  if (rec->format == RIDGE_FMR_FORMAT_ANSI)
    {
      EXPECT_NUM (rec->cbeff_owner, "cbeff_owner");
      EXPECT_NUM (rec->cbeff_type, "cbeff_type");
    }
  EXPECT_NUM (rec->capture_compliance, "capture_compliance");
  EXPECT_NUM (rec->capture_device_id, "capture_device_id");
  EXPECT_NUM (rec->width, "width");
  EXPECT_NUM (rec->height, "height");
  EXPECT_NUM (rec->res_x, "res_x_ppcm");
  EXPECT_NUM (rec->res_y, "res_y_ppcm");
  EXPECT_NUM (rec->n_views, "n_views");
  EXPECT_NUM (rec->reserved, "reserved");
  for (int vi = 0; vi < rec->n_views; vi++)
    {
      const RidgeFmrView *v = &rec->views[vi];
      uint8_t ext[4096];
      char ext_hex[8193];
      size_t n_ext = ext_block_bytes (rec, v, ext, sizeof ext);

      EXPECT_NUM (v->finger_position, "views.%d.finger_position", vi);
      EXPECT_NUM (v->view_number, "views.%d.view_number", vi);
      EXPECT_NUM (v->impression_type, "views.%d.impression_type", vi);
      EXPECT_NUM (v->finger_quality, "views.%d.finger_quality", vi);
      EXPECT_NUM (v->n_minutiae, "views.%d.n_minutiae", vi);
      for (int i = 0; i < v->n_minutiae; i++)
        {
          const RidgeFmrMinutia *m = &v->minutiae[i];
          double deg = rec->format == RIDGE_FMR_FORMAT_ISO ? m->angle * 1.40625 : m->angle * 2.0;

          EXPECT_NUM (m->type, "views.%d.minutiae.%d.type", vi, i);
          EXPECT_NUM (m->x, "views.%d.minutiae.%d.x", vi, i);
          EXPECT_NUM (m->y_reserved, "views.%d.minutiae.%d.y_reserved_bits", vi, i);
          EXPECT_NUM (m->y, "views.%d.minutiae.%d.y", vi, i);
          EXPECT_NUM (m->angle, "views.%d.minutiae.%d.angle_raw", vi, i);
          EXPECT_REAL (deg, "views.%d.minutiae.%d.angle_deg", vi, i);
          EXPECT_NUM (m->quality, "views.%d.minutiae.%d.quality", vi, i);
        }
      if (v->n_minutiae == 0)
        json_find ("views.%d.minutiae", vi);
      EXPECT_NUM (n_ext, "views.%d.ext_block_length", vi);
      hex (ext, n_ext, ext_hex, sizeof ext_hex);
      EXPECT_STR (ext_hex, "views.%d.ext_block_hex", vi);
      EXPECT_STR ("false", "views.%d.ext_block_truncated", vi);
    }
  EXPECT_NUM (structure_size (rec), "parsed_end_offset");
  notes = json_find ("notes");
  if (notes != NULL)
    CHECK (strcmp (notes->value, "[]") == 0 && rec->quirks == 0, "%s: no notes, no quirks",
           vector_name);
  else
    {
      /* the only note in these vectors: the length field disagrees with the file */
      JsonLeaf *n0 = json_find ("notes.0");

      CHECK (n0 != NULL && strstr (n0->value, "record_length") != NULL
             && rec->quirks == RIDGE_FMR_QUIRK_LENGTH_FIELD, "%s: note vs quirks 0x%x",
             vector_name, rec->quirks);
      CHECK (json_find ("notes.1") == NULL, "%s: one note", vector_name);
    }
  json_check_all_used ();
}

static int
position_code (const char *name)
{
  static const char *names[] = {
    "UNKNOWN", "RIGHT_THUMB", "RIGHT_INDEX", "RIGHT_MIDDLE", "RIGHT_RING", "RIGHT_LITTLE",
    "LEFT_THUMB", "LEFT_INDEX", "LEFT_MIDDLE", "LEFT_RING", "LEFT_LITTLE",
  };

  for (int i = 0; i < 11; i++)
    if (strcmp (name, names[i]) == 0)
      return i;
  return -1;
}

static const char *
scan_type_name (int t)
{
  switch (t)
    {
      case 0: return "LIVE_PLAIN";
      case 1: return "LIVE_ROLLED";
      case 2: return "NONLIVE_PLAIN";
      case 3: return "NONLIVE_ROLLED";
      case 8: return "SWIPE";
      default: return "?";
    }
}

static const char *
minutia_type_name (int t)
{
  return t == 1 ? "ENDING" : t == 2 ? "BIFURCATION" : "OTHER";
}

/* FingerprintIO's JSON view (its field names, angles in raw units). check_counts: the
 * ridge-count block is expected to be understood (else it must have been kept opaque). */
static void
check_fingerprintio_json (const char           *path,
                          const RidgeFmrRecord *rec,
                          int                   check_counts)
{
  const char *text = read_text (path);

  CHECK (text != NULL && json_load (text), "%s: cannot read %s", vector_name, path);
  if (text == NULL || json.error)
    return;

  EXPECT_STR ((rec->capture_compliance & 8) ? "true" : "false", "sensorCertified");
  EXPECT_NUM (rec->capture_device_id, "sensorId");
  EXPECT_NUM (rec->width, "width");
  EXPECT_NUM (rec->height, "height");
  EXPECT_NUM (rec->res_x, "resolutionX");
  EXPECT_NUM (rec->res_y, "resolutionY");
  if (rec->format == RIDGE_FMR_FORMAT_ANSI)
    {
      EXPECT_NUM (rec->cbeff_owner, "vendorId");
      EXPECT_NUM (rec->cbeff_type, "subformat");
    }
  CHECK (json_find ("fingerprints.%d.position", rec->n_views) == NULL, "%s: view count",
         vector_name);
  for (int vi = 0; vi < rec->n_views; vi++)
    {
      const RidgeFmrView *v = &rec->views[vi];
      JsonLeaf *l = json_find ("fingerprints.%d.position", vi);
      int n_vendor = 0;

      CHECK (l != NULL && position_code (l->value) == v->finger_position, "%s: position",
             vector_name);
      EXPECT_NUM (v->view_number, "fingerprints.%d.view", vi);
      EXPECT_STR (scan_type_name (v->impression_type), "fingerprints.%d.scanType", vi);
      EXPECT_NUM (v->finger_quality, "fingerprints.%d.quality", vi);
      CHECK (json_find ("fingerprints.%d.minutiae.%d.type", vi, v->n_minutiae) == NULL,
             "%s: minutiae count", vector_name);
      for (int i = 0; i < v->n_minutiae; i++)
        {
          const RidgeFmrMinutia *m = &v->minutiae[i];

          EXPECT_STR (minutia_type_name (m->type), "fingerprints.%d.minutiae.%d.type", vi, i);
          EXPECT_NUM (m->x, "fingerprints.%d.minutiae.%d.positionX", vi, i);
          EXPECT_NUM (m->y, "fingerprints.%d.minutiae.%d.positionY", vi, i);
          EXPECT_NUM (m->angle, "fingerprints.%d.minutiae.%d.angle", vi, i);
          EXPECT_NUM (m->quality, "fingerprints.%d.minutiae.%d.quality", vi, i);
        }
      if (check_counts && v->ridge_count_area >= 0)
        {
          CHECK (strcmp (json_find ("fingerprints.%d.counts.type", vi)->value,
                         v->ridge_count_method == 1 ? "QUADRANTS" : "?") == 0,
                 "%s: count type", vector_name);
          for (int i = 0; i < v->n_ridge_counts; i++)
            {
              RidgeFmrRidgeCount rc;

              CHECK_RET (ridge_fmr_ridge_count_at (v, i, &rc), RIDGE_FMR_OK);
              EXPECT_NUM (rc.index1, "fingerprints.%d.counts.edges.%d.from", vi, i);
              EXPECT_NUM (rc.index2, "fingerprints.%d.counts.edges.%d.to", vi, i);
              EXPECT_NUM (rc.count, "fingerprints.%d.counts.edges.%d.count", vi, i);
            }
        }
      else if (!check_counts)
        {
          /* FingerprintIO read this block by its own rules; ours kept it opaque: mark the
           * fields seen, the opaque bytes are compared byte-exactly by the re-encoding */
          for (int i = 0; i < json.n; i++)
            {
              char prefix[64];

              snprintf (prefix, sizeof prefix, "fingerprints.%d.counts", vi);
              if (strncmp (json.leaves[i].path, prefix, strlen (prefix)) == 0)
                json.leaves[i].used = 1;
            }
          CHECK (v->ridge_count_area < 0 && (rec->quirks & RIDGE_FMR_QUIRK_EXT_OPAQUE),
                 "%s: odd ridge counts kept opaque", vector_name);
        }
      else
        EXPECT_STR ("null", "fingerprints.%d.counts", vi);
      if (v->core_delta_area < 0)
        EXPECT_STR ("null", "fingerprints.%d.coredelta", vi);
      if (json_find ("fingerprints.%d.zones", vi) != NULL)
        EXPECT_STR ("null", "fingerprints.%d.zones", vi);
      for (int i = 0; i < v->n_ext; i++)
        {
          const RidgeFmrExtArea *a = &v->ext[i];
          uint8_t data[4096];
          JsonLeaf *d;
          size_t n;

          if (a->type == RIDGE_FMR_EXT_RIDGE_COUNT || a->type == RIDGE_FMR_EXT_CORE_DELTA)
            continue;
          EXPECT_NUM (a->type, "fingerprints.%d.extensions.%d.type", vi, n_vendor);
          d = json_find ("fingerprints.%d.extensions.%d.data", vi, n_vendor);
          n = d ? base64_decode (d->value, data, sizeof data) : 0;
          CHECK (d != NULL && n == a->length && memcmp (data, a->data, n) == 0,
                 "%s: extension %d data", vector_name, i);
          n_vendor++;
        }
      if (n_vendor == 0)
        EXPECT_STR ("[]", "fingerprints.%d.extensions", vi);
      CHECK (json_find ("fingerprints.%d.extensions.%d.type", vi, n_vendor) == NULL,
             "%s: extension count", vector_name);
    }
  json_check_all_used ();
}

static int
run_vectors (void)
{
  const char *root = getenv ("RIDGE_SHARED_DATA");
  static uint8_t raw[1 << 16], enc[1 << 16], conv[1 << 16];
  char dir[4096], path[4200];
  static const struct {
    const char     *file;
    RidgeFmrVersion version;
    int             want_strict; /* strict decode result */
    int             want_lenient;
    unsigned        quirks;    /* quirks of the lenient decode */
  } vectors[] = {
    { "biomdi/ansi378-2004_Appendix-B2_Example.raw", RIDGE_FMR_VERSION_ANSI_2004,
      RIDGE_FMR_OK, RIDGE_FMR_OK, 0 },
    { "biomdi/iso19794-2-2005_Appendix-C2_Example.raw", RIDGE_FMR_VERSION_ISO_2005,
      RIDGE_FMR_E_LENGTH, RIDGE_FMR_OK, RIDGE_FMR_QUIRK_LENGTH_FIELD },
    { "derived/ansi378-2004_B2_to_iso19794-2-2005.nist-fmr2fmr.raw",
      RIDGE_FMR_VERSION_ISO_2005, RIDGE_FMR_OK, RIDGE_FMR_OK, 0 },
    { "fingerprintio/iso19794p2v2005-sample.dat", RIDGE_FMR_VERSION_ISO_2005,
      RIDGE_FMR_E_EXTENDED, RIDGE_FMR_OK, RIDGE_FMR_QUIRK_EXT_LENGTH_EXCLUSIVE },
    /* the ANSI 2004 sample as printed: version "020\0" (and ISO-like angles) */
    { "fingerprintio/ansi378v2004-sample.dat", RIDGE_FMR_VERSION_UNKNOWN,
      RIDGE_FMR_E_VERSION, RIDGE_FMR_E_VERSION, 0 },
    { "fingerprintio/ansi378v2009-sample.dat", RIDGE_FMR_VERSION_ANSI_2009,
      RIDGE_FMR_E_UNSUPPORTED_VERSION, RIDGE_FMR_E_UNSUPPORTED_VERSION, 0 },
    { "fingerprintio/ansi378v2009am1-sample.dat", RIDGE_FMR_VERSION_ANSI_2009_AM1,
      RIDGE_FMR_E_UNSUPPORTED_VERSION, RIDGE_FMR_E_UNSUPPORTED_VERSION, 0 },
    { "fingerprintio/iso19794p2v2011-sample.dat", RIDGE_FMR_VERSION_ISO_2011,
      RIDGE_FMR_E_UNSUPPORTED_VERSION, RIDGE_FMR_E_UNSUPPORTED_VERSION, 0 },
  };
  int n_files = 0;

  if (root == NULL || *root == 0)
    {
      printf ("SKIP: RIDGE_SHARED_DATA is not set (shared test data absent)\n");
      return 77;
    }
  snprintf (dir, sizeof dir, "%s/templates", root);
  snprintf (path, sizeof path, "%s/README.md", dir);
  if (read_text (path) == NULL)
    {
      printf ("SKIP: %s not found (shared test data absent)\n", path);
      return 77;
    }

  for (size_t k = 0; k < sizeof vectors / sizeof vectors[0]; k++)
    {
      long n;
      size_t elen;
      int r;

      vector_name = vectors[k].file;
      snprintf (path, sizeof path, "%s/%s", dir, vectors[k].file);
      n = read_file (path, raw, sizeof raw);
      CHECK (n > 0, "%s: cannot read", path);
      if (n <= 0)
        continue;
      n_files++;

      CHECK (ridge_fmr_detect (raw, (size_t)n) == vectors[k].version, "%s: detected as %s",
             vector_name, ridge_fmr_version_name (ridge_fmr_detect (raw, (size_t)n)));
      r = ridge_fmr_decode (raw, (size_t)n, RIDGE_FMR_FORMAT_AUTO, RIDGE_FMR_DECODE_STRICT,
                            &rec_a);
      CHECK (r == vectors[k].want_strict, "%s: strict decode %d (%s)", vector_name, r,
             ridge_fmr_strerror (r));
      r = ridge_fmr_decode (raw, (size_t)n, RIDGE_FMR_FORMAT_AUTO, RIDGE_FMR_DECODE_LENIENT,
                            &rec_a);
      CHECK (r == vectors[k].want_lenient, "%s: lenient decode %d (%s)", vector_name, r,
             ridge_fmr_strerror (r));
      printf ("%-62s %-26s strict: %s\n", vector_name,
              ridge_fmr_version_name (ridge_fmr_detect (raw, (size_t)n)),
              ridge_fmr_strerror (vectors[k].want_strict));
      if (r != RIDGE_FMR_OK)
        continue;
      CHECK (rec_a.quirks == vectors[k].quirks, "%s: quirks 0x%x", vector_name, rec_a.quirks);

      /* field by field against the JSON decode */
      snprintf (path, sizeof path, "%s/%s.expected.json", dir, vectors[k].file);
      if (read_text (path) != NULL)
        check_expected_json (path, raw, (size_t)n, &rec_a);
      else
        {
          char *dot;

          snprintf (path, sizeof path, "%s/%s", dir, vectors[k].file);
          dot = strrchr (path, '.');
          snprintf (dot, sizeof path - (size_t)(dot - path), ".json");
          CHECK (read_text (path) != NULL, "%s: no JSON decode", vector_name);
          check_fingerprintio_json (path, &rec_a, 1);
        }

      /* re-encoding gives the same bytes (with the length field corrected, if wrong) */
      CHECK_RET (ridge_fmr_encode (&rec_a, enc, sizeof enc, &elen), RIDGE_FMR_OK);
      if (rec_a.quirks & RIDGE_FMR_QUIRK_LENGTH_FIELD)
        {
          size_t lo = rec_a.format == RIDGE_FMR_FORMAT_ISO ? 8 : 8, hi = lo + 4;

          CHECK (elen == (size_t)n && memcmp (enc, raw, lo) == 0
                 && memcmp (enc + hi, raw + hi, elen - hi) == 0
                 && ((uint32_t)enc[8] << 24 | (uint32_t)enc[9] << 16 | enc[10] << 8
                     | enc[11]) == elen, "%s: re-encoding (length fixed)", vector_name);
        }
      else
        CHECK (elen == (size_t)n && memcmp (enc, raw, elen) == 0, "%s: re-encoding differs",
               vector_name);
    }

  /* The ANSI sample as printed, with its version bytes patched: the lenient decoder reads
   * it (ISO-range angles, wrong length, misaligned ridge counts) and agrees with
   * FingerprintIO's lax decode. */
  {
    long n;

    vector_name = "fingerprintio/ansi378v2004-sample.dat (patched)";
    snprintf (path, sizeof path, "%s/fingerprintio/ansi378v2004-sample.dat", dir);
    n = read_file (path, raw, sizeof raw);
    if (n > 8)
      {
        raw[4] = ' ';
        CHECK_RET (ridge_fmr_decode (raw, (size_t)n, RIDGE_FMR_FORMAT_ANSI, 0, &rec_a),
                   RIDGE_FMR_E_ANGLE);
        CHECK_RET (ridge_fmr_decode (raw, (size_t)n, RIDGE_FMR_FORMAT_ANSI,
                                     RIDGE_FMR_DECODE_LENIENT, &rec_a), RIDGE_FMR_OK);
        CHECK (rec_a.quirks == (RIDGE_FMR_QUIRK_LENGTH_FIELD | RIDGE_FMR_QUIRK_ANGLE_RANGE
                                | RIDGE_FMR_QUIRK_EXT_OPAQUE), "patched quirks 0x%x",
               rec_a.quirks);
        snprintf (path, sizeof path, "%s/fingerprintio/ansi378v2004-sample.json", dir);
        check_fingerprintio_json (path, &rec_a, 0);
      }
  }

  /* Conversion: NIST fmr2fmr turned the ANSI B.2 example into the derived ISO record. */
  {
    long n_ansi, n_iso;
    size_t elen;
    int angle_diffs = 0, other_diffs = 0;

    vector_name = "conversion";
    snprintf (path, sizeof path, "%s/biomdi/ansi378-2004_Appendix-B2_Example.raw", dir);
    n_ansi = read_file (path, raw, sizeof raw);
    snprintf (path, sizeof path, "%s/derived/ansi378-2004_B2_to_iso19794-2-2005.nist-fmr2fmr.raw",
              dir);
    n_iso = read_file (path, conv, sizeof conv);
    CHECK (n_ansi > 0 && n_iso > 0, "conversion vectors");
    if (n_ansi > 0 && n_iso > 0)
      {
        CHECK_RET (ridge_fmr_decode (raw, (size_t)n_ansi, RIDGE_FMR_FORMAT_AUTO, 0, &rec_a),
                   RIDGE_FMR_OK);
        CHECK_RET (ridge_fmr_convert (&rec_a, RIDGE_FMR_FORMAT_ISO, 0, &rec_b), RIDGE_FMR_OK);
        CHECK_RET (ridge_fmr_encode (&rec_b, enc, sizeof enc, &elen), RIDGE_FMR_OK);
        CHECK (elen == (size_t)n_iso, "ANSI→ISO: %zu bytes, NIST %ld", elen, n_iso);
        CHECK_RET (ridge_fmr_decode (conv, (size_t)n_iso, RIDGE_FMR_FORMAT_AUTO, 0, &rec_c),
                   RIDGE_FMR_OK);
        for (int vi = 0; vi < rec_b.n_views && vi < rec_c.n_views; vi++)
          for (int i = 0; i < rec_b.views[vi].n_minutiae; i++)
            {
              int a = rec_b.views[vi].minutiae[i].angle, b = rec_c.views[vi].minutiae[i].angle;

              angle_diffs += a != b;
              CHECK (abs (a - b) <= 1 || abs (a - b) == 255, "ANSI→ISO angle %d, NIST %d", a,
                     b);
            }
        /* every other byte identical: compare with NIST's angles swapped in */
        for (int vi = 0; vi < rec_b.n_views && vi < rec_c.n_views; vi++)
          for (int i = 0; i < rec_b.views[vi].n_minutiae; i++)
            rec_b.views[vi].minutiae[i].angle = rec_c.views[vi].minutiae[i].angle;
        CHECK_RET (ridge_fmr_encode (&rec_b, enc, sizeof enc, &elen), RIDGE_FMR_OK);
        for (size_t i = 0; i < elen && i < (size_t)n_iso; i++)
          other_diffs += enc[i] != conv[i];
        CHECK (other_diffs == 0, "ANSI→ISO: %d non-angle bytes differ from NIST", other_diffs);
        printf ("ANSI→ISO vs NIST fmr2fmr: %d of 49 angles differ (±1 allowed), "
                "other bytes identical: %s\n", angle_diffs, other_diffs == 0 ? "yes" : "no");

        /* ISO C.2 → ANSI, keeping ridge counts, gives the B.2 example back (± 1 unit) */
        snprintf (path, sizeof path, "%s/biomdi/iso19794-2-2005_Appendix-C2_Example.raw", dir);
        n_iso = read_file (path, conv, sizeof conv);
        CHECK_RET (ridge_fmr_decode (conv, (size_t)n_iso, RIDGE_FMR_FORMAT_AUTO,
                                     RIDGE_FMR_DECODE_LENIENT, &rec_c), RIDGE_FMR_OK);
        CHECK_RET (ridge_fmr_convert (&rec_c, RIDGE_FMR_FORMAT_ANSI,
                                      RIDGE_FMR_CONVERT_KEEP_RIDGE_COUNTS, &rec_b),
                   RIDGE_FMR_OK);
        rec_b.cbeff_owner = rec_a.cbeff_owner;
        rec_b.cbeff_type = rec_a.cbeff_type;
        angle_diffs = 0;
        for (int vi = 0; vi < rec_b.n_views; vi++)
          for (int i = 0; i < rec_b.views[vi].n_minutiae; i++)
            {
              int a = rec_b.views[vi].minutiae[i].angle, b = rec_a.views[vi].minutiae[i].angle;

              angle_diffs += a != b;
              CHECK (abs (a - b) <= 1 || abs (a - b) == 179, "ISO→ANSI angle %d vs %d", a, b);
              rec_b.views[vi].minutiae[i].angle = (uint8_t)b;
            }
        CHECK_RET (ridge_fmr_encode (&rec_b, enc, sizeof enc, &elen), RIDGE_FMR_OK);
        CHECK (elen == (size_t)n_ansi && memcmp (enc, raw, elen) == 0,
               "ISO C.2 → ANSI differs from B.2 beyond angles");
        printf ("ISO C.2→ANSI vs B.2: %d of 49 angles differ by one unit, "
                "other bytes identical\n", angle_diffs);

        /* and as a template: 197 px/cm = 500 dpi */
        {
          static RidgeTemplate t;
          static RidgeEnrollTemplate e;

          CHECK_RET (ridge_fmr_to_enroll (&rec_a, 2, &e), RIDGE_FMR_OK);
          CHECK (e.n_samples == 1 && e.samples[0].n_minutiae == 22 && e.samples[0].quality == 70,
                 "B.2 finger 2 as an enrollment");
          CHECK_RET (ridge_fmr_to_enroll (&rec_a, -1, &e), RIDGE_FMR_OK);
          CHECK (e.n_samples == 1 && e.samples[0].n_minutiae == 27, "B.2 first finger");

          CHECK_RET (ridge_fmr_view_to_template (&rec_a, 0, &t), RIDGE_FMR_OK);
          CHECK (t.dpi == 500 && t.n_minutiae == 27 && t.quality == 90 && t.minutiae[0].x == 100
                 && t.minutiae[0].y == 14
                 && fabs (t.minutiae[0].angle - 112.0 * M_PI / 180) < 1e-5, "B.2 template");
        }
      }
  }

  CHECK (n_files == (int)(sizeof vectors / sizeof vectors[0]), "read %d vector files",
         n_files);

  /* every record file (.raw, .dat) in every folder of templates/ is in the table above */
  {
    DIR *top = opendir (dir);
    struct dirent *te;
    int seen = 0;

    CHECK (top != NULL, "cannot list %s", dir);
    while (top != NULL && (te = readdir (top)) != NULL)
      {
        char sub[64];
        DIR *d;
        struct dirent *e;

        if (te->d_name[0] == '.' || strlen (te->d_name) >= sizeof sub)
          continue;
        memcpy (sub, te->d_name, strlen (te->d_name) + 1);
        snprintf (path, sizeof path, "%s/%s", dir, sub);
        d = opendir (path);
        while (d != NULL && (e = readdir (d)) != NULL)
          {
            size_t n = strlen (e->d_name);
            char name[512];
            int listed = 0;

            if (!(n > 4 && (strcmp (e->d_name + n - 4, ".raw") == 0
                            || strcmp (e->d_name + n - 4, ".dat") == 0)))
              continue;
            snprintf (name, sizeof name, "%s/%s", sub, e->d_name);
            for (size_t v = 0; v < sizeof vectors / sizeof vectors[0]; v++)
              listed |= strcmp (vectors[v].file, name) == 0;
            CHECK (listed, "vector %s is not covered by this test", name);
            seen++;
          }
        if (d != NULL)
          closedir (d);
      }
    if (top != NULL)
      closedir (top);
    CHECK (seen == (int)(sizeof vectors / sizeof vectors[0]), "%d record files", seen);
    printf ("%d record files in %s, all covered\n", seen, dir);
  }
  return 0;
}

int
main (int    argc,
      char **argv)
{
  int ret;

  if (argc != 2 || (strcmp (argv[1], "synthetic") != 0 && strcmp (argv[1], "vectors") != 0))
    {
      fprintf (stderr, "usage: %s synthetic|vectors\n", argv[0]);
      return 2;
    }
  ret = strcmp (argv[1], "synthetic") == 0 ? run_synthetic () : run_vectors ();
  if (ret == 77)
    return 77;
  printf ("%d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
