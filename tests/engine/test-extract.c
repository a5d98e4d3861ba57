/* test-extract.c — tests of minutiae extraction, quality and placement hints
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   test-extract            hostile inputs, maps, determinism, accuracy floor on synthetic
 *                           prints, quality monotone under degradation, hints
 *   test-extract --fvc      agreement with NBIS mindtct on FVC2002 DB1_B and quality
 *                           monotone on real prints (exit 77 without the shared data)
 */

#include "ridge-engine.h"
#include "test-util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static int failures;

#define CHECK(cond, ...)                                              \
  do {                                                          \
      if (!(cond))                                                \
        {                                                         \
          failures++;                                             \
          fprintf (stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
          fprintf (stderr, __VA_ARGS__);                          \
          fputc ('\n', stderr);                                   \
        }                                                         \
    } while (0)

/* ---- hostile inputs ------------------------------------------------------------------ */

static int
extract_raw (int      w,
             int      h,
             uint8_t *pixels)
{
  RidgeImage img = { w, h, 500, pixels };
  RidgeFeatures *f = (RidgeFeatures *)&img;   /* must be reset to NULL on error */
  int r = ridge_extract (&img, NULL, &f);

  if (r != RIDGE_ENGINE_OK)
    CHECK (f == NULL, "output not cleared on error %d", r);
  ridge_features_free (r == RIDGE_ENGINE_OK ? f : NULL);
  return r;
}

static void
test_hostile (void)
{
  static uint8_t one[1] = { 128 };
  uint8_t *buf = malloc (512 * 512);
  RidgeImage img = { 64, 64, 500, NULL };
  RidgeFeatures *f = NULL;
  RidgeMap map;
  uint32_t s = 12345;

  CHECK (buf != NULL, "malloc");
  if (buf == NULL)
    return;
  CHECK (ridge_extract (NULL, NULL, &f) == RIDGE_ENGINE_E_INVALID, "NULL image");
  CHECK (ridge_extract (&img, NULL, NULL) == RIDGE_ENGINE_E_INVALID, "NULL out");
  CHECK (ridge_extract (&img, NULL, &f) == RIDGE_ENGINE_E_INVALID && f == NULL, "NULL pixels");
  CHECK (extract_raw (0, 0, one) == RIDGE_ENGINE_E_SIZE, "0x0");
  CHECK (extract_raw (1, 1, one) == RIDGE_ENGINE_E_SIZE, "1x1");
  CHECK (extract_raw (-5, 100, one) == RIDGE_ENGINE_E_SIZE, "negative width");
  CHECK (extract_raw (RIDGE_IMAGE_MAX_SIDE + 1, 64, one) == RIDGE_ENGINE_E_SIZE, "too wide");
  CHECK (extract_raw (64, 1 << 30, one) == RIDGE_ENGINE_E_SIZE, "huge height");
  CHECK (extract_raw (2147483647, 2147483647, one) == RIDGE_ENGINE_E_SIZE, "INT_MAX sides");
  img.pixels = buf;
  img.dpi = -1;
  CHECK (ridge_extract (&img, NULL, &f) == RIDGE_ENGINE_E_INVALID, "negative dpi");

  memset (buf, 0, 512 * 512);
  CHECK (extract_raw (512, 512, buf) == RIDGE_ENGINE_E_NO_PRINT, "all black");
  memset (buf, 255, 512 * 512);
  CHECK (extract_raw (512, 512, buf) == RIDGE_ENGINE_E_NO_PRINT, "all white");
  memset (buf, 255, 512 * 512);
  CHECK (extract_raw (RIDGE_IMAGE_MIN_SIDE, RIDGE_IMAGE_MIN_SIDE, buf) == RIDGE_ENGINE_E_NO_PRINT,
         "smallest white image");
  for (int i = 0; i < 512 * 512; i++)
    {
      s = s * 1664525u + 1013904223u;
      buf[i] = (uint8_t)(s >> 24);
    }
  CHECK (extract_raw (512, 512, buf) == RIDGE_ENGINE_E_NO_PRINT, "white noise");
  /* a hard step edge and a checkerboard: no ridges */
  for (int y = 0; y < 512; y++)
    for (int x = 0; x < 512; x++)
      buf[y * 512 + x] = x < 256 ? 20 : 230;
  CHECK (extract_raw (512, 512, buf) == RIDGE_ENGINE_E_NO_PRINT, "step edge");

  /* accessors on NULL */
  CHECK (ridge_features_n_minutiae (NULL) == 0, "n_minutiae (NULL)");
  CHECK (ridge_features_minutiae (NULL) == NULL, "minutiae (NULL)");
  CHECK (ridge_features_quality (NULL) == 0, "quality (NULL)");
  CHECK (ridge_features_hints (NULL) == RIDGE_HINT_NONE, "hints (NULL)");
  CHECK (ridge_features_map (NULL, RIDGE_MAP_FOREGROUND, &map) == RIDGE_ENGINE_E_INVALID,
         "map (NULL)");
  ridge_features_free (NULL);
  free (buf);
}

/* ---- sizes: the smallest, odd, and the largest image ---------------------------------- */

static void
test_sizes (void)
{
  static const int sizes[][2] = { { 32, 32 }, { 33, 47 }, { 97, 401 }, { 400, 33 },
                                  { 2048, 2048 }, { 2048, 40 } };
  RidgeImage src = { 0 };

  if (ridge_synth_impression (3, 0, NULL, &src, NULL, 0, NULL) != RIDGE_ENGINE_OK)
    {
      CHECK (0, "synth");
      return;
    }
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
    {
      int w = sizes[s][0], h = sizes[s][1], r;
      RidgeImage img = { 0 };
      RidgeFeatures *f = NULL;
      RidgeExtractOptions keep = { 1 };

      CHECK (ridge_image_init (&img, w, h, 500) == RIDGE_ENGINE_OK, "image %dx%d", w, h);
      if (img.pixels == NULL)
        continue;
      /* the print tiled over the image (a window of it for small sizes) */
      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
          img.pixels[(size_t)y * w + x] = src.pixels[((y + 100) % src.height) * src.width
                                                     + (x + 100) % src.width];
      r = ridge_extract (&img, &keep, &f);
      CHECK (r == RIDGE_ENGINE_OK || r == RIDGE_ENGINE_E_NO_PRINT, "%dx%d: %d", w, h, r);
      if (r == RIDGE_ENGINE_OK)
        {
          RidgeMap map;

          CHECK (ridge_features_n_minutiae (f) >= 0
                 && ridge_features_n_minutiae (f) <= RIDGE_MAX_MINUTIAE, "%dx%d count", w, h);
          CHECK (ridge_features_map (f, RIDGE_MAP_SKELETON, &map) == RIDGE_ENGINE_OK
                 && map.width == w && map.height == h, "%dx%d skeleton map", w, h);
          CHECK (ridge_features_quality (f) >= 0 && ridge_features_quality (f) <= 100,
                 "%dx%d quality", w, h);
          if (w >= 400 && h >= 400)
            CHECK (ridge_features_n_minutiae (f) > 20, "%dx%d: only %d minutiae", w, h,
                   ridge_features_n_minutiae (f));
        }
      ridge_features_free (f);
      ridge_image_clear (&img);
    }
  ridge_image_clear (&src);
}

/* ---- synthetic prints ---------------------------------------------------------------- */

static int
pair_minutiae (const RidgeMinutia *truth,
               int                 nt,
               const RidgeMinutia *found,
               int                 nf,
               float               tol,
               float               max_angle)
{
  unsigned char used_t[RIDGE_MAX_MINUTIAE] = { 0 }, used_f[RIDGE_MAX_MINUTIAE] = { 0 };
  int n = 0;

  for (;;)
    {
      int bi = -1, bj = -1;
      float best = tol * tol;

      for (int i = 0; i < nt; i++)
        for (int j = 0; j < nf; j++)
          {
            float dx = truth[i].x - found[j].x, dy = truth[i].y - found[j].y, da;

            if (used_t[i] || used_f[j] || dx * dx + dy * dy > best)
              continue;
            da = fmodf (fabsf (truth[i].angle - found[j].angle), (float)(2 * M_PI));
            if (da > (float)M_PI)
              da = (float)(2 * M_PI) - da;
            if (da > max_angle)
              continue;
            best = dx * dx + dy * dy;
            bi = i;
            bj = j;
          }
      if (bi < 0)
        break;
      used_t[bi] = used_f[bj] = 1;
      n++;
    }
  return n;
}

static void
test_maps_and_determinism (void)
{
  RidgeImage img = { 0 };
  RidgeFeatures *a = NULL, *b = NULL;
  RidgeExtractOptions keep = { 1 };
  int nt = 0;

  CHECK (ridge_synth_impression (7, 0, NULL, &img, NULL, 0, &nt) == RIDGE_ENGINE_OK, "synth");
  if (img.pixels == NULL)
    return;
  CHECK (ridge_extract (&img, NULL, &a) == RIDGE_ENGINE_OK, "extract");
  CHECK (ridge_extract (&img, &keep, &b) == RIDGE_ENGINE_OK, "extract keep_maps");
  if (a != NULL && b != NULL)
    {
      int n = ridge_features_n_minutiae (a);

      CHECK (n > 10 && n <= RIDGE_MAX_MINUTIAE, "minutiae count %d", n);
      CHECK (n == ridge_features_n_minutiae (b)
             && memcmp (ridge_features_minutiae (a), ridge_features_minutiae (b),
                        (size_t)n * sizeof (RidgeMinutia)) == 0, "not deterministic");
      CHECK (ridge_features_quality (a) == ridge_features_quality (b), "quality differs");
      for (int i = 0; i < n; i++)
        {
          const RidgeMinutia *m = &ridge_features_minutiae (a)[i];

          CHECK (m->x >= 0 && m->y >= 0 && m->x < img.width && m->y < img.height
                 && m->angle >= 0 && m->angle < 2 * M_PI + 1e-6
                 && (m->type == RIDGE_MINUTIA_ENDING || m->type == RIDGE_MINUTIA_BIFURCATION)
                 && m->quality <= 100, "minutia %d out of range", i);
        }
      for (int k = 0; k < RIDGE_N_MAPS; k++)
        {
          RidgeMap map;
          int r = ridge_features_map (b, (RidgeMapKind)k, &map);
          int per_pixel = k >= RIDGE_MAP_ENHANCED;

          CHECK (r == RIDGE_ENGINE_OK && map.data != NULL && map.kind == (RidgeMapKind)k,
                 "map %d missing", k);
          if (r != RIDGE_ENGINE_OK)
            continue;
          CHECK (map.block_size == (per_pixel ? 1 : map.block_size) && map.block_size >= 1
                 && map.width * map.block_size >= img.width
                 && map.height * map.block_size >= img.height
                 && (map.width - 1) * map.block_size < img.width, "map %d geometry", k);
          CHECK (map.is_float == (k == RIDGE_MAP_ORIENTATION || k == RIDGE_MAP_RELIABILITY
                                  || k == RIDGE_MAP_FREQUENCY), "map %d type", k);
          /* without keep_maps the per-pixel maps are not kept */
          CHECK ((ridge_features_map (a, (RidgeMapKind)k, &map) == RIDGE_ENGINE_OK)
                 == !per_pixel, "map %d kept without keep_maps", k);
        }
      {
        RidgeMap o, fg;

        ridge_features_map (b, RIDGE_MAP_ORIENTATION, &o);
        ridge_features_map (b, RIDGE_MAP_FOREGROUND, &fg);
        for (int i = 0; i < o.width * o.height; i++)
          {
            float v = ((const float *)o.data)[i];
            uint8_t g = ((const uint8_t *)fg.data)[i];

            CHECK (v >= 0 && v < M_PI + 1e-6 && (g == 0 || g == 255), "block %d", i);
          }
      }
      CHECK (ridge_features_map (b, RIDGE_N_MAPS, &(RidgeMap) { 0 }) == RIDGE_ENGINE_E_INVALID,
             "bad map kind");
    }
  ridge_features_free (a);
  ridge_features_free (b);
  ridge_image_clear (&img);
}

/* Accuracy floor on N synthetic prints (impression 0): precision and recall of the
 * minutiae against the generator's ground truth, within 8 px and 30 degrees. */
static void
test_synthetic_accuracy (int   n,
                         float floor_precision,
                         float floor_confident_precision,
                         float floor_recall)
{
  long tt = 0, tf = 0, tp = 0, cf = 0, cp = 0;

  for (int i = 0; i < n; i++)
    {
      RidgeMinutia truth[RIDGE_MAX_MINUTIAE];
      RidgeImage img = { 0 };
      RidgeFeatures *f = NULL;
      int nt = 0, r;

      r = ridge_synth_impression (1000 + (uint32_t)i, 0, NULL, &img, truth, RIDGE_MAX_MINUTIAE,
                                  &nt);
      CHECK (r == RIDGE_ENGINE_OK, "synth %d: %d", i, r);
      if (r == RIDGE_ENGINE_OK)
        {
          r = ridge_extract (&img, NULL, &f);
          CHECK (r == RIDGE_ENGINE_OK, "extract synthetic %d: %s", i, ridge_engine_strerror (r));
        }
      if (f != NULL)
        {
          tf += ridge_features_n_minutiae (f);
          RidgeMinutia conf[RIDGE_MAX_MINUTIAE];
          int nc = 0;

          tp += pair_minutiae (truth, nt, ridge_features_minutiae (f), ridge_features_n_minutiae (
                                 f), 8.0f, (float)(M_PI / 6));
          /* the minutiae away from the edge of the print (quality above 20) */
          for (int k = 0; k < ridge_features_n_minutiae (f); k++)
            if (ridge_features_minutiae (f)[k].quality > 20)
              conf[nc++] = ridge_features_minutiae (f)[k];
          cf += nc;
          cp += pair_minutiae (truth, nt, conf, nc, 8.0f, (float)(M_PI / 6));
        }
      tt += nt;
      ridge_features_free (f);
      ridge_image_clear (&img);
    }
  {
    float p = tf > 0 ? (float)tp / (float)tf : 0, rc = tt > 0 ? (float)tp / (float)tt : 0;

    float pc = cf > 0 ? (float)cp / (float)cf : 0;

    printf ("synthetic (%d prints): %ld true, %ld found, %ld paired: precision %.3f recall %.3f; "
            "quality > 20: %ld found, %ld paired, precision %.3f\n", n, tt, tf, tp, p, rc, cf, cp,
            pc);
    CHECK (p >= floor_precision, "precision %.3f below %.3f", p, floor_precision);
    CHECK (pc >= floor_confident_precision, "precision (quality > 20) %.3f below %.3f", pc,
           floor_confident_precision);
    CHECK (rc >= floor_recall, "recall %.3f below %.3f", rc, floor_recall);
  }
}

/* ---- degradations and quality -------------------------------------------------------- */

typedef enum { DEG_NOISE, DEG_BLUR, DEG_CONTRAST, DEG_CROP, N_DEG } Degradation;
static const char *deg_names[N_DEG] = { "noise", "blur", "contrast", "crop" };

/* Writes the degraded version of src (level 0 = unchanged) into dst. Deterministic. */
static void
degrade (const RidgeImage *src,
         RidgeImage       *dst,
         Degradation       d,
         int               level)
{
  int w = src->width, h = src->height;
  uint32_t s = 99991u;
  double mean = 0;

  memcpy (dst->pixels, src->pixels, (size_t)w * h);
  if (level == 0)
    return;
  for (int i = 0; i < w * h; i++)
    mean += src->pixels[i];
  mean /= (double)w * h;
  switch (d)
    {
      case DEG_NOISE:
        for (int i = 0; i < w * h; i++)
          {
            float g = 0;

            for (int k = 0; k < 4; k++)   /* sum of uniforms ≈ Gaussian, σ = 1 */
              {
                s = s * 1664525u + 1013904223u;
                g += (float)(s >> 8) / 16777216.0f - 0.5f;
              }
            g *= 1.732f;
            dst->pixels[i] = (uint8_t)fminf (255, fmaxf (0, src->pixels[i] + g * 18.0f * level));
          }
        break;
      case DEG_BLUR:
        {
          uint8_t *t = malloc ((size_t)w * h);

          if (t == NULL)
            return;
          for (int pass = 0; pass < 2 * level; pass++)
            {
              memcpy (t, dst->pixels, (size_t)w * h);
              for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                  {
                    int acc = 0;

                    for (int v = -1; v <= 1; v++)
                      for (int u = -1; u <= 1; u++)
                        {
                          int xx = x + u < 0 ? 0 : (x + u >= w ? w - 1 : x + u);
                          int yy = y + v < 0 ? 0 : (y + v >= h ? h - 1 : y + v);

                          acc += t[yy * w + xx];
                        }
                    dst->pixels[y * w + x] = (uint8_t)((acc + 4) / 9);
                  }
            }
          free (t);
        }
        break;
      case DEG_CONTRAST:
        {
          float k = powf (0.6f, (float)level);

          for (int i = 0; i < w * h; i++)
            dst->pixels[i] = (uint8_t)lrintf ((float)mean + ((float)src->pixels[i] - (float)mean)
                                              * k);
        }
        break;
      case DEG_CROP:
        {
          /* the sensor misses a growing share of the finger on the left: background */
          int cut = (int)lrintf ((float)w * 0.15f * (float)level) + w / 5;
          uint8_t bg = src->pixels[0];

          for (int y = 0; y < h; y++)
            memset (dst->pixels + (size_t)y * w, bg, (size_t)(cut < w ? cut : w));
        }
        break;
      case N_DEG:
      default:
        break;
    }
}

/* Quality must not increase while a degradation grows. */
static void
check_monotone (const RidgeImage *img,
                const char       *label)
{
  RidgeImage d = *img;

  d.pixels = malloc ((size_t)img->width * img->height);
  if (d.pixels == NULL)
    return;
  for (int k = 0; k < N_DEG; k++)
    {
      int prev = 101;
      char line[128];
      int len = 0;

      for (int level = 0; level <= 4; level++)
        {
          RidgeFeatures *f = NULL;
          int q = 0, r;

          degrade (img, &d, (Degradation)k, level);
          r = ridge_extract (&d, NULL, &f);
          if (r == RIDGE_ENGINE_OK)
            q = ridge_features_quality (f);
          else
            CHECK (r == RIDGE_ENGINE_E_NO_PRINT, "%s %s %d: %d", label, deg_names[k], level, r);
          ridge_features_free (f);
          len += snprintf (line + len, sizeof line - (size_t)len, " %d", q);
          CHECK (q <= prev, "%s: quality rose from %d to %d at %s level %d", label, prev, q,
                 deg_names[k], level);
          if (level == 0)
            CHECK (q >= 30, "%s: clean print has quality %d", label, q);
          prev = q;
        }
      printf ("%s %-8s quality:%s\n", label, deg_names[k], line);
    }
  free (d.pixels);
}

static void
test_quality_synthetic (void)
{
  for (uint32_t seed = 21; seed < 25; seed++)
    {
      RidgeImage img = { 0 };
      char label[32];

      if (ridge_synth_impression (seed, 0, NULL, &img, NULL, 0, NULL) != RIDGE_ENGINE_OK)
        {
          CHECK (0, "synth %u", seed);
          continue;
        }
      snprintf (label, sizeof label, "synthetic %u", seed);
      check_monotone (&img, label);
      ridge_image_clear (&img);
    }
}

/* Shift the print and darken/lighten it: the hints must say so. */
static void
test_hints (void)
{
  RidgeImage img = { 0 }, d;
  RidgeFeatures *f = NULL;
  int w, h;

  if (ridge_synth_impression (31, 0, NULL, &img, NULL, 0, NULL) != RIDGE_ENGINE_OK)
    {
      CHECK (0, "synth");
      return;
    }
  w = img.width;
  h = img.height;
  d = img;
  d.pixels = malloc ((size_t)w * h);
  if (d.pixels == NULL)
    return;
  CHECK (ridge_extract (&img, NULL, &f) == RIDGE_ENGINE_OK, "extract");
  CHECK ((ridge_features_hints (f) & (RIDGE_HINT_MOVE_LEFT | RIDGE_HINT_MOVE_RIGHT
                                      | RIDGE_HINT_MOVE_UP | RIDGE_HINT_MOVE_DOWN
                                      | RIDGE_HINT_TOO_DARK | RIDGE_HINT_TOO_LIGHT)) == 0,
         "centred print got hints 0x%x", ridge_features_hints (f));
  ridge_features_free (f);

  /* move the finger right (and down): content shifted by a third of the image */
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        int sx = x - w / 3, sy = y - h / 4;

        d.pixels[y * w + x] = sx >= 0 && sy >= 0 ? img.pixels[sy * w + sx] : img.pixels[0];
      }
  f = NULL;
  CHECK (ridge_extract (&d, NULL, &f) == RIDGE_ENGINE_OK, "extract shifted");
  CHECK (ridge_features_hints (f) & RIDGE_HINT_MOVE_LEFT, "shifted right: hints 0x%x",
         ridge_features_hints (f));
  CHECK (ridge_features_hints (f) & RIDGE_HINT_MOVE_UP, "shifted down: hints 0x%x",
         ridge_features_hints (f));
  ridge_features_free (f);

  /* too dark: a wet finger pressed hard */
  for (int i = 0; i < w * h; i++)
    d.pixels[i] = (uint8_t)(img.pixels[i] / 4);
  f = NULL;
  if (ridge_extract (&d, NULL, &f) == RIDGE_ENGINE_OK)
    CHECK (ridge_features_hints (f) & RIDGE_HINT_TOO_DARK, "dark: hints 0x%x",
           ridge_features_hints (f));
  ridge_features_free (f);

  /* too light */
  for (int i = 0; i < w * h; i++)
    d.pixels[i] = (uint8_t)(192 + img.pixels[i] / 4);
  f = NULL;
  if (ridge_extract (&d, NULL, &f) == RIDGE_ENGINE_OK)
    CHECK (ridge_features_hints (f) & RIDGE_HINT_TOO_LIGHT, "light: hints 0x%x",
           ridge_features_hints (f));
  ridge_features_free (f);

  /* a small area: keep only a corner of the print */
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      d.pixels[y * w + x] = (x > w / 2 && y > h / 2 && x < w * 3 / 4 && y < h * 3 / 4)
                            ? img.pixels[y * w + x] : img.pixels[0];
  f = NULL;
  if (ridge_extract (&d, NULL, &f) == RIDGE_ENGINE_OK)
    CHECK (ridge_features_hints (f) & RIDGE_HINT_TOO_SMALL, "small: hints 0x%x",
           ridge_features_hints (f));
  ridge_features_free (f);

  free (d.pixels);
  ridge_image_clear (&img);
}

/* ---- FVC2002 DB1_B against NBIS ------------------------------------------------------ */

static int
read_nbis_m1 (const char   *path,
              RidgeMinutia *out,
              int           cap)
{
  FILE *fp = fopen (path, "r");
  int n = 0, x, y, t, q;

  if (fp == NULL)
    return -1;
  while (n < cap && fscanf (fp, "%d %d %d %d", &x, &y, &t, &q) == 4)
    {
      out[n].x = (float)x;
      out[n].y = (float)y;
      out[n].angle = (float)(t * 2 * M_PI / 180.0);
      n++;
    }
  fclose (fp);
  return n;
}

static int
test_fvc (float floor_recall,
          float floor_precision)
{
  const char *shared = test_util_shared_data ();
  long tn = 0, to = 0, tp = 0;
  int images = 0;

  if (shared == NULL || test_util_fvc_path ((char[4096]) { 0 }, 4096, 101, 1) == NULL)
    {
      printf ("SKIP: FVC2002 DB1_B not found (RIDGE_SHARED_DATA=%s)\n",
              getenv ("RIDGE_SHARED_DATA") ? getenv ("RIDGE_SHARED_DATA") : "(unset)");
      return 77;
    }
  for (int finger = 101; finger <= 110; finger++)
    for (int imp = 1; imp <= 8; imp++)
      {
        char path[4096], ref[4096];
        RidgeMinutia nbis[RIDGE_MAX_MINUTIAE];
        RidgeImage img;
        RidgeFeatures *f = NULL;
        int nn, r;

        snprintf (ref, sizeof ref, "%s/fingerprints/nbis-reference-fvc2002/xyt-m1/%d_%d.xyt",
                  shared, finger, imp);
        nn = read_nbis_m1 (ref, nbis, RIDGE_MAX_MINUTIAE);
        CHECK (nn >= 0, "cannot read %s", ref);
        if (nn < 0 || test_util_fvc_path (path, sizeof path, finger, imp) == NULL
            || test_util_read_pgm (path, &img) != RIDGE_ENGINE_OK)
          {
            CHECK (0, "cannot read image %d_%d", finger, imp);
            continue;
          }
        r = ridge_extract (&img, NULL, &f);
        CHECK (r == RIDGE_ENGINE_OK, "%d_%d: %s", finger, imp, ridge_engine_strerror (r));
        if (f != NULL)
          {
            tn += nn;
            to += ridge_features_n_minutiae (f);
            tp += pair_minutiae (nbis, nn, ridge_features_minutiae (f),
                                 ridge_features_n_minutiae (f), 8.0f, (float)M_PI);
            images++;
          }
        if (imp == 1 && finger <= 103)
          {
            char label[32];

            snprintf (label, sizeof label, "FVC %d_%d", finger, imp);
            check_monotone (&img, label);
          }
        ridge_features_free (f);
        ridge_image_clear (&img);
      }
  {
    float rc = tn > 0 ? (float)tp / (float)tn : 0, p = to > 0 ? (float)tp / (float)to : 0;

    printf ("FVC2002 DB1_B (%d images): %ld NBIS, %ld ours, %ld paired within 8 px: "
            "recall vs NBIS %.3f, precision vs NBIS %.3f\n", images, tn, to, tp, rc, p);
    CHECK (images == 80, "%d images", images);
    CHECK (rc >= floor_recall, "recall vs NBIS %.3f below %.3f", rc, floor_recall);
    CHECK (p >= floor_precision, "precision vs NBIS %.3f below %.3f", p, floor_precision);
  }
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  if (argc > 1 && strcmp (argv[1], "--fvc") == 0)
    {
      /* floors below the measured 0.640 / 0.741 (docs/engine.md) */
      if (test_fvc (0.60f, 0.68f) == 77)
        return 77;
    }
  else
    {
      test_hostile ();
      test_sizes ();
      test_maps_and_determinism ();
      /* floors below the measured precision 0.819, 0.915 for quality > 20, recall 0.979 */
      test_synthetic_accuracy (40, 0.75f, 0.85f, 0.93f);
      test_quality_synthetic ();
      test_hints ();
    }
  if (failures > 0)
    {
      fprintf (stderr, "%d check(s) failed\n", failures);
      return 1;
    }
  printf ("all checks passed\n");
  return 0;
}
