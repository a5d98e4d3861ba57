/* test-synth.c — tests of the synthetic fingerprint generator
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Plain C: prints one line per check, exits 1 if any failed.
 */

#include "ridge-engine.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define PI 3.14159265358979323846

static int n_fail;

#define CHECK(cond, ...) \
  do { \
      if (!(cond)) \
        { \
          n_fail++; \
          printf ("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
          printf (__VA_ARGS__); \
          printf ("\n"); \
        } \
    } while (0)

static uint64_t
fnv1a (const uint8_t *p,
       size_t         n,
       uint64_t       h)
{
  for (size_t i = 0; i < n; i++)
    {
      h ^= p[i];
      h *= 0x100000001b3ull;
    }
  return h;
}

static RidgeSynthParams
params_default (void)
{
  RidgeSynthParams p;

  ridge_synth_params_init (&p);
  return p;
}

static RidgeSynthParams
params_clean (void)
{
  RidgeSynthParams p = { 400, 400, 500, 0.0f, 0.6f, 0.0f, 0.0f };

  return p;
}

/* ---- hostile parameters -------------------------------------------------------------- */

static void
test_params (void)
{
  static const int bad_sides[][2] = {
    { 1, 1 }, { 31, 400 }, { 400, 31 }, { -1, 400 }, { 400, -5 }, { 2049, 400 },
    { 400, 2049 }, { INT_MAX, INT_MAX }, { INT_MIN, 400 },
  };
  RidgeMinutia truth[RIDGE_MAX_MINUTIAE];
  RidgeImage img = { 0 };
  RidgeSynthParams p;
  int n = -1, rc;

  for (size_t i = 0; i < sizeof bad_sides / sizeof bad_sides[0]; i++)
    {
      p = params_default ();
      p.width = bad_sides[i][0];
      p.height = bad_sides[i][1];
      n = -1;
      rc = ridge_synth_impression (1, 0, &p, &img, truth, RIDGE_MAX_MINUTIAE, &n);
      CHECK (rc == RIDGE_ENGINE_E_SIZE, "%dx%d gave %d", p.width, p.height, rc);
      CHECK (img.pixels == NULL && n == 0, "outputs not reset on error");
    }
  rc = ridge_synth_impression (1, 0, NULL, NULL, truth, RIDGE_MAX_MINUTIAE, &n);
  CHECK (rc == RIDGE_ENGINE_E_INVALID, "NULL image gave %d", rc);
  rc = ridge_synth_impression (1, 0, NULL, &img, NULL, 10, &n);
  CHECK (rc == RIDGE_ENGINE_E_INVALID, "NULL truth with a capacity gave %d", rc);
  rc = ridge_synth_impression (1, 0, NULL, &img, truth, -1, &n);
  CHECK (rc == RIDGE_ENGINE_E_INVALID, "negative capacity gave %d", rc);

  p = params_default ();
  p.noise = NAN;
  CHECK (ridge_synth_impression (1, 0, &p, &img, truth, 8, &n) == RIDGE_ENGINE_E_INVALID,
         "NaN noise accepted");
  p = params_default ();
  p.distortion = 1.5f;
  CHECK (ridge_synth_impression (1, 0, &p, &img, truth, 8, &n) == RIDGE_ENGINE_E_INVALID,
         "distortion 1.5 accepted");
  p = params_default ();
  p.dryness = -2.0f;
  CHECK (ridge_synth_impression (1, 0, &p, &img, truth, 8, &n) == RIDGE_ENGINE_E_INVALID,
         "dryness -2 accepted");
  p = params_default ();
  p.partial = -0.1f;
  CHECK (ridge_synth_impression (1, 0, &p, &img, truth, 8, &n) == RIDGE_ENGINE_E_INVALID,
         "negative partial accepted");
  p = params_default ();
  p.dpi = 100000;
  CHECK (ridge_synth_impression (1, 0, &p, &img, truth, 8, &n) == RIDGE_ENGINE_E_INVALID,
         "dpi 100000 accepted");
  p.dpi = -500;
  CHECK (ridge_synth_impression (1, 0, &p, &img, truth, 8, &n) == RIDGE_ENGINE_E_INVALID,
         "dpi -500 accepted");

  /* 0 x 0 means the default size (ridge-engine.h); NULL params too; no truth wanted */
  p = params_default ();
  p.width = p.height = 0;
  p.dpi = 0;
  rc = ridge_synth_impression (1, 0, &p, &img, NULL, 0, NULL);
  CHECK (rc == RIDGE_ENGINE_OK && img.width == 400 && img.height == 400 && img.dpi == 500,
         "0x0 gave %d, %dx%d", rc, img.width, img.height);
  ridge_image_clear (&img);
  rc = ridge_synth_impression (1, 0, NULL, &img, truth, RIDGE_MAX_MINUTIAE, &n);
  CHECK (rc == RIDGE_ENGINE_OK && img.width == 400 && n > 0, "NULL params gave %d", rc);
  ridge_image_clear (&img);
  p = params_default ();
  CHECK (p.width == 400 && p.height == 400 && p.dpi == 500 && p.distortion > 0 && p.noise > 0,
         "ridge_synth_params_init");
  ridge_synth_params_init (NULL);

  /* the smallest image, and a truth buffer smaller than the truth */
  p = params_default ();
  p.width = p.height = RIDGE_IMAGE_MIN_SIDE;
  rc = ridge_synth_impression (1, 0, &p, &img, truth, RIDGE_MAX_MINUTIAE, &n);
  CHECK (rc == RIDGE_ENGINE_OK && img.width == 32 && n >= 0 && n <= 8,
         "32x32 gave %d, %d minutiae", rc, n);
  ridge_image_clear (&img);
  rc = ridge_synth_impression (1, 0, NULL, &img, truth, 3, &n);
  CHECK (rc == RIDGE_ENGINE_OK && n == 3, "capacity 3 gave %d minutiae", n);
  ridge_image_clear (&img);
  printf ("params: checked\n");
}

/* ---- determinism ------------------------------------------------------------------------- */

static uint64_t
impression_hash (uint32_t                seed,
                 uint32_t                impression,
                 const RidgeSynthParams *p,
                 int                    *n_out)
{
  RidgeMinutia truth[RIDGE_MAX_MINUTIAE];
  RidgeImage img;
  int n = 0;
  uint64_t h = 0xcbf29ce484222325ull;

  if (ridge_synth_impression (seed, impression, p, &img, truth, RIDGE_MAX_MINUTIAE, &n) != 0)
    return 0;
  h = fnv1a (img.pixels, (size_t)img.width * img.height, h);
  for (int i = 0; i < n; i++)
    {
      int32_t v[4] = {
        (int32_t)lrintf (truth[i].x * 16), (int32_t)lrintf (truth[i].y * 16),
        (int32_t)lrintf (truth[i].angle * 1000), truth[i].type
      };

      h = fnv1a ((const uint8_t *)v, sizeof v, h);
    }
  ridge_image_clear (&img);
  if (n_out != NULL)
    *n_out = n;
  return h;
}

static void
test_determinism (void)
{
  RidgeSynthParams p = params_default ();
  uint64_t a = impression_hash (1234, 3, &p, NULL);
  uint64_t a_null = impression_hash (1234, 3, NULL, NULL);
  uint64_t b = impression_hash (1234, 3, &p, NULL);
  uint64_t c = impression_hash (1235, 3, &p, NULL);
  uint64_t d = impression_hash (1234, 4, &p, NULL);

  CHECK (a != 0 && a == b, "same arguments, different output (%016llx %016llx)",
         (unsigned long long)a, (unsigned long long)b);
  CHECK (a == a_null, "NULL params differ from ridge_synth_params_init()");
  /* The generator uses no libm transcendental function (ridge-synth-private.h), so this
   * value is the same on every IEEE-754 platform; it changes only when the generator
   * is changed on purpose (then update it here and say so in the commit). */
  CHECK (a == 0x05e2285da3d92b39ull, "seed 1234 impression 3: checksum %016llx, expected "
                                     "05e2285da3d92b39", (unsigned long long)a);
  CHECK (a != c, "seeds 1234 and 1235 gave the same output");
  CHECK (a != d, "impressions 3 and 4 gave the same output");
  printf ("determinism: seed 1234 impression 3 -> %016llx\n", (unsigned long long)a);
}

/* ---- different fingers, classes -------------------------------------------------------- */

static double
dark_share (const RidgeImage *img)
{
  size_t dark = 0, n = (size_t)img->width * img->height;

  for (size_t i = 0; i < n; i++)
    dark += img->pixels[i] < 128;
  return (double)dark / (double)n;
}

static void
test_fingers_differ (void)
{
  RidgeImage a, b;
  RidgeSynthParams p = params_clean ();
  size_t differ = 0, n;

  CHECK (ridge_synth_impression (10, 0, &p, &a, NULL, 0, NULL) == 0, "render");
  CHECK (ridge_synth_impression (11, 0, &p, &b, NULL, 0, NULL) == 0, "render");
  n = (size_t)a.width * a.height;
  for (size_t i = 0; i < n; i++)
    differ += (a.pixels[i] < 128) != (b.pixels[i] < 128);
  /* two unrelated ridge patterns: about half of the print area differs */
  CHECK (differ > n / 8, "seeds 10 and 11 differ on %zu of %zu pixels", differ, n);
  printf ("fingers: seeds 10 and 11 differ on %.1f %% of the pixels\n", 100.0 * differ / n);
  ridge_image_clear (&a);
  ridge_image_clear (&b);
}

static void
test_classes (void)
{
  static const double natural[5] = { 3.7, 2.9, 33.8, 31.7, 27.9 };
  int count[5] = { 0 }, first[5] = { -1, -1, -1, -1, -1 };
  const int n = 20000;

  for (int s = 0; s < n; s++)
    {
      RidgePatternClass c = ridge_synth_class ((uint32_t)s);

      CHECK (c >= RIDGE_CLASS_ARCH && c <= RIDGE_CLASS_WHORL, "class %d", (int)c);
      if (c < RIDGE_CLASS_ARCH || c > RIDGE_CLASS_WHORL)
        return;
      if (count[c]++ == 0)
        first[c] = s;
    }
  for (int c = 0; c < 5; c++)
    {
      double share = 100.0 * count[c] / n;
      RidgeMinutia truth[RIDGE_MAX_MINUTIAE];
      RidgeImage img;
      int nt = 0;
      RidgeSynthParams p = params_default ();

      CHECK (fabs (share - natural[c]) < 1.0, "class %d: %.2f %%, expected %.1f %%", c, share,
             natural[c]);
      CHECK (first[c] >= 0, "class %d never produced", c);
      if (first[c] < 0)
        continue;
      CHECK (ridge_synth_impression ((uint32_t)first[c], 0, &p, &img, truth,
                                     RIDGE_MAX_MINUTIAE, &nt) == 0, "render class %d", c);
      CHECK (nt >= 12 && nt <= 90, "class %d (seed %d): %d minutiae", c, first[c], nt);
      CHECK (dark_share (&img) > 0.15 && dark_share (&img) < 0.6, "class %d: dark share %.2f",
             c, dark_share (&img));
      printf ("class %d: %.2f %% of seeds (natural %.1f %%), seed %d has %d minutiae\n", c, share,
              natural[c], first[c], nt);
      ridge_image_clear (&img);
    }
}

/* ---- ground truth -------------------------------------------------------------------- */

static void
test_truth_counts (void)
{
  RidgeMinutia truth[RIDGE_MAX_MINUTIAE];
  RidgeSynthParams p = params_default ();
  int total = 0, lo = INT_MAX, hi = 0, n_end = 0, n_bif = 0;
  const int n_seeds = 12;

  for (int s = 0; s < n_seeds; s++)
    {
      RidgeImage img;
      int n = 0;

      CHECK (ridge_synth_impression ((uint32_t)(100 + s), 0, &p, &img, truth,
                                     RIDGE_MAX_MINUTIAE, &n) == 0, "render");
      ridge_image_clear (&img);
      CHECK (n >= 20 && n <= 80, "seed %d impression 0: %d minutiae", 100 + s, n);
      total += n;
      lo = n < lo ? n : lo;
      hi = n > hi ? n : hi;
      for (int i = 0; i < n; i++)
        {
          CHECK (truth[i].x >= 0 && truth[i].y >= 0 && truth[i].x < 400 && truth[i].y < 400,
                 "minutia outside the image");
          CHECK (truth[i].angle >= 0 && truth[i].angle < 2 * PI, "angle %f", truth[i].angle);
          CHECK (truth[i].type == RIDGE_MINUTIA_ENDING
                 || truth[i].type == RIDGE_MINUTIA_BIFURCATION, "type %d", truth[i].type);
          n_end += truth[i].type == RIDGE_MINUTIA_ENDING;
          n_bif += truth[i].type == RIDGE_MINUTIA_BIFURCATION;
        }
    }
  CHECK (n_end > total / 5 && n_bif > total / 5, "%d endings, %d bifurcations", n_end, n_bif);
  printf ("truth: %d seeds, %.1f minutiae on average (%d..%d), %d endings, %d bifurcations\n",
          n_seeds, (double)total / n_seeds, lo, hi, n_end, n_bif);
}

/* Zhang–Suen thinning, written independently of the generator's. */
static void
thin (uint8_t *b,
      int      w,
      int      h)
{
  uint8_t *del = calloc ((size_t)w * h, 1);
  int changed = 1;

  if (del == NULL)
    return;
  while (changed)
    {
      changed = 0;
      for (int pass = 0; pass < 2; pass++)
        {
          memset (del, 0, (size_t)w * h);
          for (int y = 1; y < h - 1; y++)
            for (int x = 1; x < w - 1; x++)
              {
                const uint8_t *c = b + (size_t)y * w + x;
                int p2 = c[-w], p3 = c[-w + 1], p4 = c[1], p5 = c[w + 1];
                int p6 = c[w], p7 = c[w - 1], p8 = c[-1], p9 = c[-w - 1];
                int nb = p2 + p3 + p4 + p5 + p6 + p7 + p8 + p9;
                int tr = (!p2 && p3) + (!p3 && p4) + (!p4 && p5) + (!p5 && p6)
                         + (!p6 && p7) + (!p7 && p8) + (!p8 && p9) + (!p9 && p2);

                if (!*c || nb < 2 || nb > 6 || tr != 1)
                  continue;
                if (pass == 0 && ((p2 && p4 && p6) || (p4 && p6 && p8)))
                  continue;
                if (pass == 1 && ((p2 && p4 && p8) || (p2 && p6 && p8)))
                  continue;
                del[(size_t)y * w + x] = 1;
                changed = 1;
              }
          for (size_t i = 0; i < (size_t)w * h; i++)
            if (del[i])
              b[i] = 0;
        }
    }
  free (del);
}

static int
crossing (const uint8_t *s,
          int            w,
          int            x,
          int            y)
{
  static const int dx[8] = { 1, 1, 0, -1, -1, -1, 0, 1 };
  static const int dy[8] = { 0, -1, -1, -1, 0, 1, 1, 1 };
  int t = 0;

  for (int i = 0; i < 8; i++)
    t += s[(size_t)(y + dy[i]) * w + x + dx[i]] != s[(size_t)(y + dy[(i + 1) & 7]) * w + x
                                                     + dx[(i + 1) & 7]];
  return t / 2;
}

/* Every ground-truth minutia of a clean impression must sit on the skeleton of the
 * rendered image where the crossing number says the same type, and its direction must
 * point along a ridge (ending) or away from the stem (bifurcation). */
static void
test_truth_on_skeleton (void)
{
  int n_total = 0, n_ok = 0, n_dir_ok = 0;

  for (int s = 0; s < 8; s++)
    {
      RidgeMinutia truth[RIDGE_MAX_MINUTIAE];
      RidgeSynthParams p = params_clean ();
      RidgeImage img;
      uint8_t *skel, *bin;
      int n = 0, w, h, lo = 255, hi = 0;

      if (ridge_synth_impression ((uint32_t)(300 + s), (uint32_t)s, &p, &img, truth,
                                  RIDGE_MAX_MINUTIAE, &n) != 0)
        {
          CHECK (0, "render");
          continue;
        }
      w = img.width;
      h = img.height;
      skel = calloc ((size_t)w * h, 1);
      bin = calloc ((size_t)w * h, 1);
      if (skel == NULL || bin == NULL)
        abort ();
      /* noise-free: ridges and background are flat, the middle grey separates them */
      for (size_t i = 0; i < (size_t)w * h; i++)
        {
          lo = img.pixels[i] < lo ? img.pixels[i] : lo;
          hi = img.pixels[i] > hi ? img.pixels[i] : hi;
        }
      for (int y = 1; y < h - 1; y++)
        for (int x = 1; x < w - 1; x++)
          bin[(size_t)y * w + x] = skel[(size_t)y * w + x] =
            2 * img.pixels[(size_t)y * w + x] < lo + hi;
      thin (skel, w, h);
      for (int i = 0; i < n; i++)
        {
          int want = truth[i].type == RIDGE_MINUTIA_ENDING ? 1 : 3, found = 0;
          int cx = (int)lrintf (truth[i].x), cy = (int)lrintf (truth[i].y);
          float ux = cosf (truth[i].angle), uy = -sinf (truth[i].angle);
          int ridge_ahead = 0, ridge_behind = 0;

          n_total++;
          for (int dy = -3; dy <= 3 && !found; dy++)
            for (int dx = -3; dx <= 3 && !found; dx++)
              {
                int x = cx + dx, y = cy + dy;

                if (x < 1 || y < 1 || x >= w - 1 || y >= h - 1 || !skel[(size_t)y * w + x])
                  continue;
                found = crossing (skel, w, x, y) == want;
              }
          n_ok += found;
          /* direction: 7 px ahead / behind */
          for (int k = 5; k <= 8; k++)
            {
              int ax = (int)lrintf (truth[i].x + ux * k), ay = (int)lrintf (truth[i].y + uy * k);
              int bx = (int)lrintf (truth[i].x - ux * k), by = (int)lrintf (truth[i].y - uy * k);

              if (ax >= 0 && ay >= 0 && ax < w && ay < h)
                ridge_ahead += bin[(size_t)ay * w + ax];
              if (bx >= 0 && by >= 0 && bx < w && by < h)
                ridge_behind += bin[(size_t)by * w + bx];
            }
          /* an ending points into its ridge, a bifurcation into the valley between its
           * branches, with its stem behind */
          n_dir_ok += truth[i].type == RIDGE_MINUTIA_ENDING ? ridge_ahead >= 3 && ridge_behind <= 1
                      : ridge_behind >= 3 && ridge_ahead <= 1;
        }
      free (skel);
      free (bin);
      ridge_image_clear (&img);
    }
  CHECK (n_total > 100, "only %d minutiae", n_total);
  CHECK (n_ok >= n_total * 95 / 100, "%d of %d minutiae confirmed by the crossing number", n_ok,
         n_total);
  CHECK (n_dir_ok >= n_total * 90 / 100, "%d of %d directions confirmed", n_dir_ok, n_total);
  printf ("skeleton: %d of %d ground-truth minutiae confirmed by the crossing number, "
          "%d directions\n", n_ok, n_total, n_dir_ok);
}

/* Two impressions of one finger share their ground truth through a rigid transform
 * (up to the elastic part); impressions of other fingers do not. */
static int
best_rigid_overlap (const RidgeMinutia *a,
                    int                 na,
                    const RidgeMinutia *b,
                    int                 nb)
{
  int best = 0;

  for (int i = 0; i < na; i++)
    for (int j = 0; j < nb; j++)
      {
        float rot, c, s, tx, ty;
        int count = 0;

        if (a[i].type != b[j].type)
          continue;
        rot = b[j].angle - a[i].angle;
        c = cosf (rot);
        s = sinf (rot);
        /* ISO angles are counter-clockwise on screen (y down): rotate by -rot in image axes */
        tx = b[j].x - (c * a[i].x + s * a[i].y);
        ty = b[j].y - (-s * a[i].x + c * a[i].y);
        for (int k = 0; k < na; k++)
          {
            float x = c * a[k].x + s * a[k].y + tx, y = -s * a[k].x + c * a[k].y + ty;

            for (int l = 0; l < nb; l++)
              {
                float dx = x - b[l].x, dy = y - b[l].y;
                float da = fabsf (fmodf (a[k].angle + rot - b[l].angle + (float)(5 * PI),
                                         (float)(2 * PI)) - (float)PI);

                if (a[k].type == b[l].type && dx * dx + dy * dy < 100.0f && da < 0.5f)
                  {
                    count++;
                    break;
                  }
              }
          }
        if (count > best)
          best = count;
      }
  return best;
}

static void
test_impressions_share_truth (void)
{
  RidgeMinutia t[4][RIDGE_MAX_MINUTIAE];
  int n[4];
  RidgeImage img[3];
  RidgeSynthParams p = params_default ();
  size_t differ = 0, npx;
  int same01, same12, other;

  p.partial = 0.1f;
  CHECK (ridge_synth_impression (77, 0, &p, &img[0], t[0], RIDGE_MAX_MINUTIAE, &n[0]) == 0, "r");
  CHECK (ridge_synth_impression (77, 1, &p, &img[1], t[1], RIDGE_MAX_MINUTIAE, &n[1]) == 0, "r");
  CHECK (ridge_synth_impression (77, 2, &p, &img[2], t[2], RIDGE_MAX_MINUTIAE, &n[2]) == 0, "r");
  CHECK (ridge_synth_impression (78, 1, &p, NULL, t[3], RIDGE_MAX_MINUTIAE, &n[3]) != 0,
         "NULL image accepted");
  {
    RidgeImage o;

    CHECK (ridge_synth_impression (78, 1, &p, &o, t[3], RIDGE_MAX_MINUTIAE, &n[3]) == 0, "r");
    ridge_image_clear (&o);
  }
  npx = (size_t)img[0].width * img[0].height;
  for (size_t i = 0; i < npx; i++)
    differ += (img[0].pixels[i] < 128) != (img[1].pixels[i] < 128);
  CHECK (differ > npx / 10, "impressions 0 and 1 differ on only %zu pixels", differ);
  same01 = best_rigid_overlap (t[0], n[0], t[1], n[1]);
  same12 = best_rigid_overlap (t[1], n[1], t[2], n[2]);
  other = best_rigid_overlap (t[1], n[1], t[3], n[3]);
  CHECK (same01 >= (n[0] < n[1] ? n[0] : n[1]) / 2, "impressions 0/1: %d of %d/%d shared", same01,
         n[0], n[1]);
  CHECK (same12 >= (n[1] < n[2] ? n[1] : n[2]) / 2, "impressions 1/2: %d of %d/%d shared", same12,
         n[1], n[2]);
  CHECK (other < same01 / 2 && other < same12 / 2, "another finger shares %d", other);
  printf ("impressions: seed 77 0/1 share %d (of %d, %d), 1/2 share %d (of %d, %d); "
          "seed 78 shares %d\n", same01, n[0], n[1], same12, n[1], n[2], other);
  for (int i = 0; i < 3; i++)
    ridge_image_clear (&img[i]);
}

/* Skin parameters do what they say. */
static void
test_skin (void)
{
  RidgeSynthParams p = params_clean ();
  RidgeImage dry, wet;

  p.dryness = 0.9f;
  CHECK (ridge_synth_impression (5, 0, &p, &dry, NULL, 0, NULL) == 0, "render");
  p.dryness = -0.9f;
  CHECK (ridge_synth_impression (5, 0, &p, &wet, NULL, 0, NULL) == 0, "render");
  CHECK (dark_share (&wet) > dark_share (&dry) * 1.2, "dry %.3f, wet %.3f", dark_share (&dry),
         dark_share (&wet));
  printf ("skin: dark share dry %.3f, wet %.3f\n", dark_share (&dry), dark_share (&wet));
  ridge_image_clear (&dry);
  ridge_image_clear (&wet);
}

/* The largest image: works, and memory stays proportional. */
static void
test_large (void)
{
  RidgeSynthParams p = params_default ();
  RidgeImage img;
  struct rusage ru;
  int n = 0;

  p.width = RIDGE_IMAGE_MAX_SIDE;
  p.height = RIDGE_IMAGE_MAX_SIDE;
  p.dpi = 1000;
  CHECK (ridge_synth_impression (9, 1, &p, &img, NULL, 0, &n) == 0, "render 2048x2048");
  CHECK (dark_share (&img) > 0.01, "2048x2048 at 1000 dpi: dark share %.3f", dark_share (&img));
  ridge_image_clear (&img);
  getrusage (RUSAGE_SELF, &ru);
  /* 2048 x 2048: a few float planes (16 MiB each) and the master; ru_maxrss is in KiB */
  CHECK (ru.ru_maxrss < 256 * 1024, "peak memory %ld KiB", ru.ru_maxrss);
  printf ("large: 2048x2048 at 1000 dpi, peak memory %ld KiB\n", ru.ru_maxrss);
}

int
main (void)
{
  test_params ();
  test_determinism ();
  test_fingers_differ ();
  test_classes ();
  test_truth_counts ();
  test_truth_on_skeleton ();
  test_impressions_share_truth ();
  test_skin ();
  test_large ();
  if (n_fail > 0)
    {
      printf ("%d check(s) failed\n", n_fail);
      return 1;
    }
  printf ("all synth checks passed\n");
  return 0;
}
