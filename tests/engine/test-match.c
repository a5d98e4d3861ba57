/* test-match.c — matching, native templates, enrollment templates, 1:N search
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Plain C, no shared data needed: templates are generated here from a seeded PRNG
 * (minutiae spread like a print's: random positions at least 10 px apart, random
 * angles), then rotated, translated, cropped, distorted, thinned and polluted.
 */

#include "ridge-engine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846

static int failures;

#define CHECK(cond, ...) \
  do { \
      if (!(cond)) \
        { \
          failures++; \
          fprintf (stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
          fprintf (stderr, __VA_ARGS__); \
          fprintf (stderr, "\n"); \
        } \
    } while (0)

/* ---- helpers ------------------------------------------------------------------------ */

static uint32_t
rnd (uint32_t *s)
{
  uint32_t x = *s;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *s = x;
  return x;
}

static double
rndf (uint32_t *s)   /* [0, 1) */
{
  return (double)(rnd (s) >> 8) / 16777216.0;
}

static double
wrap (double a)
{
  a = fmod (a, 2 * PI);
  return a < 0 ? a + 2 * PI : a;
}

static void
random_template (uint32_t seed, int n, RidgeTemplate *t)
{
  uint32_t s = seed * 2654435761u + 12345u;

  memset (t, 0, sizeof *t);
  t->width = 400;
  t->height = 400;
  t->dpi = 500;
  t->quality = 80;
  for (int tries = 0; t->n_minutiae < n && tries < 100000; tries++)
    {
      double x = 60 + rndf (&s) * 280, y = 60 + rndf (&s) * 280;
      int ok = 1;

      for (int k = 0; k < t->n_minutiae && ok; k++)
        ok = hypot (t->minutiae[k].x - x, t->minutiae[k].y - y) >= 10;
      if (!ok)
        continue;

      RidgeMinutia *m = &t->minutiae[t->n_minutiae++];

      m->x = (float)x;
      m->y = (float)y;
      m->angle = (float)(rndf (&s) * 2 * PI);
      m->type = (uint8_t)(1 + (rnd (&s) & 1));
      m->quality = (uint8_t)(40 + rnd (&s) % 60);
    }
}

/* Rotates by rot (radians, counter-clockwise on screen) about (cx, cy), then
 * translates; minutiae that leave the 400 x 400 frame are dropped. map[i] receives the
 * index in out of in's minutia i, or -1. */
static void
transform (const RidgeTemplate *in, double rot, double tx, double ty, RidgeTemplate *out,
           int *map)
{
  double c = cos (rot), s = sin (rot), cx = 200, cy = 200;

  *out = *in;
  out->n_minutiae = 0;
  for (int i = 0; i < in->n_minutiae; i++)
    {
      const RidgeMinutia *m = &in->minutiae[i];
      double dx = m->x - cx, dy = m->y - cy;
      /* counter-clockwise on screen with y down: x' = c dx + s dy, y' = -s dx + c dy */
      double x = cx + c * dx + s * dy + tx, y = cy - s * dx + c * dy + ty;

      map[i] = -1;
      if (x < 0 || y < 0 || x >= 400 || y >= 400)
        continue;
      map[i] = out->n_minutiae;
      out->minutiae[out->n_minutiae] = *m;
      out->minutiae[out->n_minutiae].x = (float)x;
      out->minutiae[out->n_minutiae].y = (float)y;
      out->minutiae[out->n_minutiae].angle = (float)wrap (m->angle + rot);
      out->n_minutiae++;
    }
}

/* Share of result pairs that pair a minutia with its true mate. */
static double
pair_accuracy (const RidgeMatchResult *r, const int *map)
{
  int good = 0;

  if (r->n_pairs == 0)
    return 0;
  for (int k = 0; k < r->n_pairs; k++)
    good += map[r->pairs[k].probe] == r->pairs[k].gallery;
  return (double)good / r->n_pairs;
}

static uint16_t
crc16 (const uint8_t *p, size_t n, uint16_t crc)
{
  for (size_t i = 0; i < n; i++)
    {
      crc ^= (uint16_t)(p[i] << 8);
      for (int b = 0; b < 8; b++)
        crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
    }
  return crc;
}

/* Recomputes the CRC of a native template record of len bytes (field at offset 14). */
static void
fix_template_crc (uint8_t *b, size_t len)
{
  uint16_t c = crc16 (b, 14, 0xFFFF);

  c = crc16 (b + 16, len - 16, c);
  b[14] = (uint8_t)(c & 0xFF);
  b[15] = (uint8_t)(c >> 8);
}

static void
fix_enroll_crc (uint8_t *b, size_t len)
{
  uint16_t c = crc16 (b, 6, 0xFFFF);

  c = crc16 (b + 8, len - 8, c);
  b[6] = (uint8_t)(c & 0xFF);
  b[7] = (uint8_t)(c >> 8);
}

/* ---- matching ----------------------------------------------------------------------- */

static void
test_self_and_empty (void)
{
  RidgeTemplate a, empty;
  RidgeMatchResult r;

  random_template (1, 40, &a);
  int s = ridge_match (&a, &a, &r);

  CHECK (s >= 3 * RIDGE_MATCH_THRESHOLD, "self score %d", s);
  CHECK (r.score == s, "result score %d vs %d", r.score, s);
  CHECK (r.n_pairs >= 36, "self pairs %d of 40", r.n_pairs);
  for (int k = 0; k < r.n_pairs; k++)
    CHECK (r.pairs[k].probe == r.pairs[k].gallery, "self pair %d: %d-%d", k, r.pairs[k].probe,
           r.pairs[k].gallery);
  CHECK (fabsf (r.dx) < 0.5f && fabsf (r.dy) < 0.5f && fabsf (r.rotation) < 0.01f,
         "self transform %g %g %g", r.dx, r.dy, r.rotation);

  memset (&empty, 0, sizeof empty);
  empty.width = empty.height = 400;
  empty.dpi = 500;
  CHECK (ridge_match (&empty, &a, &r) == 0 && r.n_pairs == 0, "empty probe");
  CHECK (ridge_match (&a, &empty, NULL) == 0, "empty gallery");
  CHECK (ridge_match (&empty, &empty, NULL) == 0, "empty both");

  /* one or two minutiae: never a match */
  RidgeTemplate tiny = a;

  tiny.n_minutiae = 2;
  CHECK (ridge_match (&tiny, &tiny, NULL) < RIDGE_MATCH_THRESHOLD, "two minutiae");

  CHECK (ridge_match (NULL, &a, NULL) == RIDGE_ENGINE_E_INVALID, "NULL probe");
  CHECK (ridge_match (&a, NULL, &r) == RIDGE_ENGINE_E_INVALID, "NULL gallery");

  /* garbage inside a template struct: no crash, a score or an error */
  RidgeTemplate bad = a;

  bad.n_minutiae = 60000;
  bad.minutiae[3].x = NAN;
  bad.minutiae[4].angle = INFINITY;
  s = ridge_match (&bad, &a, &r);
  CHECK (s >= 0 && r.n_pairs <= RIDGE_MAX_MINUTIAE, "garbage template: %d", s);
}

static void
test_rotation_translation (void)
{
  static const double rots[] = { 0.2, -0.5, 1.0, PI };
  RidgeTemplate a, b;
  RidgeMatchResult r;
  int map[RIDGE_MAX_MINUTIAE];

  random_template (2, 45, &a);
  for (size_t k = 0; k < sizeof rots / sizeof rots[0]; k++)
    {
      transform (&a, rots[k], 15, -10, &b, map);

      int s = ridge_match (&a, &b, &r);
      double err = fabs (remainder (r.rotation - rots[k], 2 * PI));

      CHECK (s >= RIDGE_MATCH_THRESHOLD, "rotation %g: score %d", rots[k], s);
      CHECK (pair_accuracy (&r, map) >= 0.95, "rotation %g: pairs %.2f", rots[k],
             pair_accuracy (&r, map));
      CHECK (err < 0.02, "rotation %g estimated %g", rots[k], r.rotation);

      /* the transform maps probe minutiae onto their mates */
      int bad = 0;

      for (int p = 0; p < r.n_pairs; p++)
        {
          const RidgeMinutia *pm = &a.minutiae[r.pairs[p].probe];
          const RidgeMinutia *gm = &b.minutiae[r.pairs[p].gallery];
          double c = cos (r.rotation), s2 = sin (r.rotation);
          double x = c * pm->x + s2 * pm->y + r.dx, y = -s2 * pm->x + c * pm->y + r.dy;

          bad += hypot (x - gm->x, y - gm->y) > 2.0;
        }
      CHECK (bad == 0, "rotation %g: %d pairs off the transform", rots[k], bad);
    }
}

static void
test_partial_distorted_noisy (void)
{
  RidgeTemplate a, b, c;
  int map[RIDGE_MAX_MINUTIAE];
  RidgeMatchResult r;
  uint32_t s = 99;

  random_template (3, 50, &a);

  /* partial: only the left 55 % of the print overlaps */
  b = a;
  b.n_minutiae = 0;
  for (int i = 0; i < a.n_minutiae; i++)
    {
      map[i] = -1;
      if (a.minutiae[i].x < 60 + 0.55 * 280)
        {
          map[i] = b.n_minutiae;
          b.minutiae[b.n_minutiae++] = a.minutiae[i];
        }
    }
  int sc = ridge_match (&a, &b, &r);

  CHECK (sc >= RIDGE_MATCH_THRESHOLD, "partial: score %d (%d of %d minutiae)", sc,
         b.n_minutiae, a.n_minutiae);
  CHECK (pair_accuracy (&r, map) >= 0.9, "partial: pairs %.2f", pair_accuracy (&r, map));

  /* non-linear distortion (up to 9 px), jitter, rotation */
  transform (&a, 0.3, -20, 25, &b, map);
  for (int i = 0; i < b.n_minutiae; i++)
    {
      RidgeMinutia *m = &b.minutiae[i];
      double x = m->x, y = m->y;

      m->x = (float)(x + 9 * sin (2 * PI * y / 350) + (rndf (&s) - 0.5) * 4);
      m->y = (float)(y + 9 * sin (2 * PI * x / 420) + (rndf (&s) - 0.5) * 4);
      m->x = fminf (fmaxf (m->x, 0), 399);
      m->y = fminf (fmaxf (m->y, 0), 399);
      m->angle = (float)wrap (m->angle + (rndf (&s) - 0.5) * 0.2);
    }
  sc = ridge_match (&a, &b, &r);
  CHECK (sc >= RIDGE_MATCH_THRESHOLD, "distorted: score %d", sc);
  CHECK (pair_accuracy (&r, map) >= 0.9, "distorted: pairs %.2f", pair_accuracy (&r, map));

  /* 25 % missed, 25 % spurious */
  c = a;
  c.n_minutiae = 0;
  for (int i = 0; i < a.n_minutiae; i++)
    {
      map[i] = -1;
      if (rnd (&s) % 4 != 0)
        {
          map[i] = c.n_minutiae;
          c.minutiae[c.n_minutiae++] = a.minutiae[i];
        }
    }
  for (int k = 0; k < 12; k++)
    {
      RidgeMinutia *m = &c.minutiae[c.n_minutiae++];

      m->x = (float)(60 + rndf (&s) * 280);
      m->y = (float)(60 + rndf (&s) * 280);
      m->angle = (float)(rndf (&s) * 2 * PI);
      m->type = 1;
      m->quality = 50;
    }
  sc = ridge_match (&a, &c, &r);
  CHECK (sc >= RIDGE_MATCH_THRESHOLD, "missing + spurious: score %d", sc);
  CHECK (pair_accuracy (&r, map) >= 0.9, "missing + spurious: pairs %.2f",
         pair_accuracy (&r, map));

  /* the same print at 1000 dpi (coordinates doubled) */
  c = a;
  c.dpi = 1000;
  c.width = c.height = 800;
  for (int i = 0; i < c.n_minutiae; i++)
    {
      c.minutiae[i].x *= 2;
      c.minutiae[i].y *= 2;
    }
  sc = ridge_match (&a, &c, NULL);
  CHECK (sc >= 3 * RIDGE_MATCH_THRESHOLD, "1000 dpi copy: score %d", sc);
}

static void
test_impostors_and_symmetry (void)
{
  RidgeTemplate a, b;
  int above = 0, worst = 0, asym = 0;

  for (uint32_t k = 0; k < 150; k++)
    {
      random_template (1000 + k, 30 + (int)(k % 30), &a);
      random_template (5000 + k, 30 + (int)((k * 7) % 30), &b);

      int s1 = ridge_match (&a, &b, NULL);
      int s2 = ridge_match (&b, &a, NULL);

      CHECK (s1 >= 0 && s2 >= 0, "impostor %u: %d %d", k, s1, s2);
      above += s1 >= RIDGE_MATCH_THRESHOLD;
      worst = s1 > worst ? s1 : worst;
      /* symmetry-ish: the two directions agree within a margin */
      asym += abs (s1 - s2) > RIDGE_MATCH_THRESHOLD / 2;
    }
  CHECK (above == 0, "%d of 150 random pairs at or above the threshold (worst %d)", above, worst);
  CHECK (asym <= 3, "%d of 150 random pairs very asymmetric", asym);

  /* genuine pairs: symmetric too */
  int map[RIDGE_MAX_MINUTIAE];

  random_template (7, 40, &a);
  transform (&a, 0.4, 10, 10, &b, map);

  int s1 = ridge_match (&a, &b, NULL), s2 = ridge_match (&b, &a, NULL);

  CHECK (abs (s1 - s2) <= s1 / 5 + 2, "genuine asymmetry %d vs %d", s1, s2);
}

/* ---- serialization ------------------------------------------------------------------ */

static void
test_template_serialization (void)
{
  RidgeTemplate a, b;
  uint8_t buf[RIDGE_TEMPLATE_MAX_BYTES + 16];
  size_t len = 0;

  random_template (11, 200, &a);
  a.minutiae[0].angle = (float)(2 * PI - 1e-7);    /* wraps to 0 */
  a.minutiae[1].x = 400;                           /* on the edge: allowed */
  CHECK (ridge_template_serialize (&a, buf, sizeof buf, &len) == RIDGE_ENGINE_OK, "serialize");
  CHECK (len == 16 + 8 * (size_t)a.n_minutiae, "length %zu", len);
  CHECK (memcmp (buf, "RDGT", 4) == 0 && buf[4] == 1, "magic/version");
  CHECK (ridge_template_deserialize (buf, len, &b) == RIDGE_ENGINE_OK, "deserialize");
  CHECK (b.n_minutiae == a.n_minutiae && b.width == a.width && b.height == a.height
         && b.dpi == a.dpi && b.quality == a.quality, "header fields");
  for (int i = 0; i < a.n_minutiae; i++)
    {
      const RidgeMinutia *p = &a.minutiae[i], *q = &b.minutiae[i];
      double da = fabs (remainder ((double)p->angle - q->angle, 2 * PI));

      CHECK (fabsf (p->x - q->x) <= 1.0f / 32 && fabsf (p->y - q->y) <= 1.0f / 32
             && da <= PI / 65536 + 1e-6 && p->type == q->type && p->quality == q->quality,
             "minutia %d round trip", i);
    }
  CHECK (ridge_match (&a, &b, NULL) >= 3 * RIDGE_MATCH_THRESHOLD, "round trip still matches");

  /* a second round trip is byte-exact */
  uint8_t buf2[RIDGE_TEMPLATE_MAX_BYTES];
  size_t len2 = 0;

  CHECK (ridge_template_serialize (&b, buf2, sizeof buf2, &len2) == RIDGE_ENGINE_OK
         && len2 == len && memcmp (buf, buf2, len) == 0, "second round trip");

  /* sizes and arguments */
  size_t need = 0;

  CHECK (ridge_template_serialize (&a, buf, 10, &need) == RIDGE_ENGINE_E_NOSPACE && need == len,
         "short buffer");
  CHECK (ridge_template_serialize (&a, NULL, 0, &need) == RIDGE_ENGINE_E_NOSPACE && need == len,
         "size query");
  CHECK (ridge_template_serialize (NULL, buf, sizeof buf, &need) == RIDGE_ENGINE_E_INVALID,
         "NULL template");
  b = a;
  b.minutiae[5].x = NAN;
  CHECK (ridge_template_serialize (&b, buf2, sizeof buf2, &len2) == RIDGE_ENGINE_E_INVALID, "NaN");
  b = a;
  b.minutiae[5].y = 401;
  CHECK (ridge_template_serialize (&b, buf2, sizeof buf2, &len2) == RIDGE_ENGINE_E_INVALID,
         "outside the image");
  b = a;
  b.n_minutiae = RIDGE_MAX_MINUTIAE + 1;
  CHECK (ridge_template_serialize (&b, buf2, sizeof buf2, &len2) == RIDGE_ENGINE_E_INVALID,
         "too many minutiae");

  /* empty template */
  memset (&b, 0, sizeof b);
  CHECK (ridge_template_serialize (&b, buf2, sizeof buf2, &len2) == RIDGE_ENGINE_OK && len2 == 16,
         "empty serialize");
  CHECK (ridge_template_deserialize (buf2, len2, &b) == RIDGE_ENGINE_OK && b.n_minutiae == 0,
         "empty deserialize");

  /* hostile bytes */
  CHECK (ridge_template_deserialize (NULL, 5, &b) == RIDGE_ENGINE_E_INVALID, "NULL bytes");
  for (size_t l = 0; l < len; l++)
    CHECK (ridge_template_deserialize (buf, l, &b) == RIDGE_ENGINE_E_FORMAT, "truncated %zu", l);
  CHECK (ridge_template_deserialize (buf, len + 1, &b) == RIDGE_ENGINE_E_FORMAT, "trailing byte");
  for (size_t i = 0; i < len; i++)
    for (int bit = 0; bit < 8; bit++)
      {
        buf[i] ^= (uint8_t)(1u << bit);
        int r = ridge_template_deserialize (buf, len, &b);

        buf[i] ^= (uint8_t)(1u << bit);
        CHECK (r == RIDGE_ENGINE_E_FORMAT, "bit %d of byte %zu flipped: %d", bit, i, r);
      }

  /* well-formed CRC but invalid contents */
  struct {
    size_t      off;
    uint8_t     v;
    const char *what;
  } bad[] = {
    { 0, 'X', "magic" }, { 4, 2, "version" }, { 5, 101, "quality" },
    { 13, 1, "count past the end" }, { 12, 0xFF, "count past the end" },
    { 16 + 6, 3, "minutia type" }, { 16 + 7, 101, "minutia quality" },
    { 16 + 1, 0xFF, "x past the width" }, { 16 + 3, 0xFF, "y past the height" },
    { 7, 0x7F, "width too large" },
  };

  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
    {
      uint8_t tmp[sizeof buf];

      memcpy (tmp, buf, len);
      tmp[bad[k].off] = bad[k].v;
      fix_template_crc (tmp, len);
      CHECK (ridge_template_deserialize (tmp, len, &b) == RIDGE_ENGINE_E_FORMAT, "%s",
             bad[k].what);
    }

  /* random mutations: never a crash, and what parses is valid */
  uint32_t s = 5;

  for (int k = 0; k < 3000; k++)
    {
      uint8_t tmp[sizeof buf];
      size_t l = len;

      memcpy (tmp, buf, len);
      for (int m = 0; m < 1 + (int)(rnd (&s) % 4); m++)
        tmp[rnd (&s) % l] = (uint8_t)rnd (&s);
      if (rnd (&s) & 1)
        fix_template_crc (tmp, l);
      if (ridge_template_deserialize (tmp, l, &b) == RIDGE_ENGINE_OK)
        {
          CHECK (b.n_minutiae <= RIDGE_MAX_MINUTIAE && b.quality <= 100, "mutated parse");
          for (int i = 0; i < b.n_minutiae; i++)
            CHECK (isfinite (b.minutiae[i].x) && b.minutiae[i].x <= b.width
                   && b.minutiae[i].y <= b.height && b.minutiae[i].type <= 2,
                   "mutated minutia");
        }
    }
}

/* ---- enrollment templates ----------------------------------------------------------- */

static void
test_enrollment (void)
{
  RidgeEnrollTemplate e, f;
  RidgeTemplate probe, other;
  RidgeMatchResult r;
  int map[RIDGE_MAX_MINUTIAE], best = -9;

  memset (&e, 0, sizeof e);
  e.n_samples = 3;
  random_template (21, 40, &e.samples[0]);   /* other fingers */
  random_template (22, 40, &e.samples[1]);
  random_template (23, 40, &e.samples[2]);   /* this one */
  transform (&e.samples[2], -0.3, 5, 12, &probe, map);

  int s = ridge_match_enrolled (&probe, &e, &r, &best);

  CHECK (s >= RIDGE_MATCH_THRESHOLD && best == 2, "enrolled: score %d best %d", s, best);
  CHECK (r.score == s && r.n_pairs > 20, "enrolled result: %d pairs", r.n_pairs);
  CHECK (s == ridge_match (&probe, &e.samples[2], NULL), "enrolled = best sample");

  random_template (24, 40, &other);
  s = ridge_match_enrolled (&other, &e, NULL, &best);
  CHECK (s < RIDGE_MATCH_THRESHOLD && best >= 0 && best < 3, "enrolled impostor: %d", s);

  f = e;
  f.n_samples = 0;
  CHECK (ridge_match_enrolled (&probe, &f, &r, &best) == 0 && best == -1, "no samples");
  f.n_samples = 9;
  CHECK (ridge_match_enrolled (&probe, &f, &r, &best) == RIDGE_ENGINE_E_INVALID, "9 samples");
  CHECK (ridge_match_enrolled (NULL, &e, &r, &best) == RIDGE_ENGINE_E_INVALID, "NULL probe");

  /* serialization */
  static uint8_t buf[RIDGE_ENROLL_MAX_BYTES + 8];
  size_t len = 0;

  CHECK (ridge_enroll_serialize (&e, buf, sizeof buf, &len) == RIDGE_ENGINE_OK, "serialize");
  CHECK (len == 8 + 3 * 16 + 120 * 8, "length %zu", len);
  CHECK (ridge_enroll_deserialize (buf, len, &f) == RIDGE_ENGINE_OK && f.n_samples == 3,
         "deserialize");
  CHECK (ridge_match_enrolled (&probe, &f, NULL, &best) >= RIDGE_MATCH_THRESHOLD && best == 2,
         "deserialized enrollment matches");
  for (size_t l = 0; l < len; l += 7)
    CHECK (ridge_enroll_deserialize (buf, l, &f) == RIDGE_ENGINE_E_FORMAT, "truncated %zu", l);
  CHECK (ridge_enroll_deserialize (buf, len + 1, &f) == RIDGE_ENGINE_E_FORMAT, "trailing");
  for (size_t i = 0; i < len; i += 3)
    {
      buf[i] ^= 0x10;
      CHECK (ridge_enroll_deserialize (buf, len, &f) == RIDGE_ENGINE_E_FORMAT, "flip %zu", i);
      buf[i] ^= 0x10;
    }

  uint8_t tmp[sizeof buf];

  memcpy (tmp, buf, len);
  tmp[5] = 4;   /* one more sample than present */
  fix_enroll_crc (tmp, len);
  CHECK (ridge_enroll_deserialize (tmp, len, &f) == RIDGE_ENGINE_E_FORMAT, "sample count");
  tmp[5] = 0;
  fix_enroll_crc (tmp, len);
  CHECK (ridge_enroll_deserialize (tmp, len, &f) == RIDGE_ENGINE_E_FORMAT, "zero samples");
  memcpy (tmp, buf, len);
  tmp[8 + 12] = 200;   /* first sample claims 200 minutiae: past the end */
  fix_template_crc (tmp + 8, 16 + 40 * 8);
  fix_enroll_crc (tmp, len);
  CHECK (ridge_enroll_deserialize (tmp, len, &f) == RIDGE_ENGINE_E_FORMAT, "inner count");

  f = e;
  f.n_samples = 0;
  CHECK (ridge_enroll_serialize (&f, buf, sizeof buf, &len) == RIDGE_ENGINE_E_INVALID,
         "serialize zero samples");
  CHECK (ridge_enroll_serialize (&e, buf, 100, &len) == RIDGE_ENGINE_E_NOSPACE, "short buffer");
}

/* ---- 1:N ---------------------------------------------------------------------------- */

static void
test_identify (void)
{
  enum { N = 300 };
  RidgeTemplate *g = calloc (N, sizeof (RidgeTemplate));
  RidgeTemplate probe;
  RidgeIdentifyHit hits[5];
  int map[RIDGE_MAX_MINUTIAE];
  RidgeMatchIndex *idx = NULL;

  CHECK (g != NULL, "alloc");
  if (g == NULL)
    return;
  for (int i = 0; i < N; i++)
    random_template (100 + (uint32_t)i, 25 + i % 35, &g[i]);
  transform (&g[137], 0.6, -12, 8, &probe, map);

  int n = ridge_identify (&probe, g, N, RIDGE_MATCH_THRESHOLD, hits, 5);

  CHECK (n == 1 && hits[0].index == 137, "identify: %d hits, first %zu", n,
         n > 0 ? hits[0].index : (size_t)0);
  CHECK (n < 1 || hits[0].score == ridge_match (&probe, &g[137], NULL), "identify score");

  /* a duplicate in the gallery: both found, best first */
  g[250] = probe;
  CHECK (ridge_match_index_new (g, N, &idx) == RIDGE_ENGINE_OK && idx != NULL, "index");
  CHECK (ridge_match_index_size (idx) > N * sizeof (RidgeTemplate) / 8, "index size");
  n = ridge_match_index_identify (idx, &probe, RIDGE_MATCH_THRESHOLD, hits, 5);
  CHECK (n == 2 && hits[0].index + hits[1].index == 137 + 250, "two hits: %d", n);
  CHECK (n == 2 && hits[0].score == ridge_match (&probe, &g[hits[0].index], NULL)
         && hits[1].score == ridge_match (&probe, &g[hits[1].index], NULL), "hit scores");
  CHECK (n == 2 && (hits[0].score > hits[1].score
                    || (hits[0].score == hits[1].score && hits[0].index < hits[1].index)),
         "best first, ties by index");

  RidgeIdentifyHit first = hits[0];

  n = ridge_match_index_identify (idx, &probe, RIDGE_MATCH_THRESHOLD, hits, 1);
  CHECK (n == 1 && hits[0].index == first.index, "max_hits 1");
  n = ridge_match_index_identify (idx, &probe, 0, hits, 5);
  CHECK (n >= 2 && n <= 5 && hits[0].index == first.index, "threshold 0: %d", n);
  for (int k = 1; k < n; k++)
    CHECK (hits[k - 1].score > hits[k].score
           || (hits[k - 1].score == hits[k].score && hits[k - 1].index < hits[k].index),
           "sorted");

  /* a stranger: nothing */
  random_template (99999, 40, &probe);
  n = ridge_match_index_identify (idx, &probe, RIDGE_MATCH_THRESHOLD, hits, 5);
  CHECK (n == 0, "stranger: %d hits", n);

  CHECK (ridge_match_index_identify (idx, NULL, 0, hits, 5) == RIDGE_ENGINE_E_INVALID, "NULL");
  CHECK (ridge_match_index_identify (idx, &probe, 0, NULL, 5) == RIDGE_ENGINE_E_INVALID, "NULL");
  CHECK (ridge_identify (&probe, NULL, 5, 0, hits, 5) == RIDGE_ENGINE_E_INVALID, "NULL gallery");
  CHECK (ridge_identify (&probe, g, 0, 0, hits, 5) == 0, "empty gallery");
  ridge_match_index_free (idx);
  ridge_match_index_free (NULL);
  free (g);
}

/* ---- end to end: synthetic prints -> extraction -> matching ------------------------ */

static void
test_synthetic_end_to_end (void)
{
  enum { FINGERS = 4 };
  static RidgeTemplate t[FINGERS][2];
  int ok = 1;

  for (int f = 0; f < FINGERS; f++)
    for (int i = 0; i < 2; i++)
      {
        RidgeImage img = { 0 };
        RidgeFeatures *feat = NULL;
        int n_truth = 0;
        int r = ridge_synth_impression (1000u + (uint32_t)f, (uint32_t)i, NULL, &img, NULL, 0,
                                        &n_truth);

        if (r == RIDGE_ENGINE_OK)
          r = ridge_extract (&img, NULL, &feat);
        if (r == RIDGE_ENGINE_OK)
          r = ridge_template_from_features (feat, img.width, img.height, img.dpi, &t[f][i]);
        CHECK (r == RIDGE_ENGINE_OK && t[f][i].n_minutiae >= 12, "finger %d impression %d: %d, "
                                                                 "%d minutiae", f, i, r,
               t[f][i].n_minutiae);
        ok &= r == RIDGE_ENGINE_OK;
        ridge_features_free (feat);
        ridge_image_clear (&img);
      }
  if (!ok)
    return;

  /* every finger's second impression matches its first, and better than any other
   * finger's (rank 1); the index finds it first */
  RidgeTemplate gallery[FINGERS];
  RidgeMatchIndex *idx = NULL;

  for (int g = 0; g < FINGERS; g++)
    gallery[g] = t[g][1];
  CHECK (ridge_match_index_new (gallery, FINGERS, &idx) == RIDGE_ENGINE_OK, "index");
  for (int f = 0; f < FINGERS; f++)
    {
      int genuine = ridge_match (&t[f][0], &t[f][1], NULL), worst = 0;
      RidgeIdentifyHit hits[FINGERS];

      for (int g = 0; g < FINGERS; g++)
        if (g != f)
          {
            int s = ridge_match (&t[f][0], &t[g][1], NULL);

            worst = s > worst ? s : worst;
          }
      CHECK (genuine >= RIDGE_MATCH_THRESHOLD, "synthetic finger %d: genuine %d", f, genuine);
      CHECK (genuine > 2 * worst, "synthetic finger %d: genuine %d, best impostor %d", f,
             genuine, worst);

      int n = ridge_match_index_identify (idx, &t[f][0], 0, hits, FINGERS);

      CHECK (n >= 1 && hits[0].index == (size_t)f && hits[0].score == genuine,
             "synthetic finger %d: identify", f);
    }
  ridge_match_index_free (idx);
}

/* Prepared templates give exactly ridge_match's score, pairs and transform; pairs index
 * the template's minutiae even when non-finite ones are skipped. */
static void
test_prepared (void)
{
  RidgeTemplate a, b, bad;
  RidgePreparedTemplate *pa = NULL, *pb = NULL, *pbad = NULL;
  RidgeMatchResult r1, r2;
  int map[RIDGE_MAX_MINUTIAE];

  random_template (7, 45, &a);
  transform (&a, 0.4, 30, -20, &b, map);
  CHECK (ridge_prepared_template_new (&a, &pa) == RIDGE_ENGINE_OK && pa != NULL, "prepare a");
  CHECK (ridge_prepared_template_new (&b, &pb) == RIDGE_ENGINE_OK && pb != NULL, "prepare b");
  CHECK (ridge_prepared_template_size (pa) > 0, "prepared size");
  for (int dir = 0; dir < 2 && pa != NULL && pb != NULL; dir++)
    {
      int s1 = ridge_match (dir ? &b : &a, dir ? &a : &b, &r1);
      int s2 = ridge_match_prepared (dir ? pb : pa, dir ? pa : pb, &r2);

      CHECK (s1 >= RIDGE_MATCH_THRESHOLD && s1 == s2, "prepared score %d vs %d", s2, s1);
      CHECK (r1.n_pairs == r2.n_pairs && r1.dx == r2.dx && r1.dy == r2.dy
             && r1.rotation == r2.rotation
             && memcmp (r1.pairs, r2.pairs, sizeof r1.pairs[0] * (size_t)r1.n_pairs) == 0,
             "prepared result differs");
      CHECK (ridge_match_prepared (dir ? pb : pa, dir ? pa : pb, NULL) == s1, "NULL result");
    }

  /* non-finite minutiae are skipped, yet pairs name the caller's indices */
  bad = a;
  bad.minutiae[0].x = NAN;
  bad.minutiae[5].angle = INFINITY;
  CHECK (ridge_prepared_template_new (&bad, &pbad) == RIDGE_ENGINE_OK, "prepare bad");
  if (pbad != NULL && pa != NULL)
    {
      int s = ridge_match_prepared (pbad, pa, &r2);

      CHECK (s >= RIDGE_MATCH_THRESHOLD && r2.n_pairs >= 30, "skipped minutiae: %d, %d pairs", s,
             r2.n_pairs);
      for (int k = 0; k < r2.n_pairs; k++)
        CHECK (r2.pairs[k].probe != 0 && r2.pairs[k].probe != 5
               && r2.pairs[k].probe == r2.pairs[k].gallery, "pair %d: %d-%d", k,
               r2.pairs[k].probe, r2.pairs[k].gallery);
    }

  RidgePreparedTemplate *none = pa;

  CHECK (ridge_prepared_template_new (NULL, &none) == RIDGE_ENGINE_E_INVALID && none == NULL,
         "NULL template");
  CHECK (ridge_prepared_template_new (&a, NULL) == RIDGE_ENGINE_E_INVALID, "NULL out");
  CHECK (ridge_match_prepared (NULL, pa, &r1) == RIDGE_ENGINE_E_INVALID, "NULL probe");
  CHECK (ridge_match_prepared (pa, NULL, NULL) == RIDGE_ENGINE_E_INVALID, "NULL gallery");
  ridge_prepared_template_free (pa);
  ridge_prepared_template_free (pb);
  ridge_prepared_template_free (pbad);
  ridge_prepared_template_free (NULL);
}

int
main (void)
{
  test_prepared ();
  test_self_and_empty ();
  test_rotation_translation ();
  test_partial_distorted_noisy ();
  test_impostors_and_symmetry ();
  test_template_serialization ();
  test_enrollment ();
  test_identify ();
  test_synthetic_end_to_end ();
  if (failures > 0)
    {
      fprintf (stderr, "test-match: %d failures\n", failures);
      return 1;
    }
  printf ("test-match: all passed\n");
  return 0;
}
