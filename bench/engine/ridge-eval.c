/* ridge-eval.c — extraction accuracy tool for the Ridge engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   ridge-eval xyt IMG_DIR OUT_DIR
 *       extracts every IMG_DIR/NAME.pgm and writes OUT_DIR/NAME.xyt: one minutia per
 *       line, "x y theta quality" (origin top-left, theta in degrees, ISO convention:
 *       counter-clockwise from +x as seen on screen), the input of
 *       `fpeval.py agree OUT_DIR` and of the matcher's tools.
 *   ridge-eval maps IMG.pgm OUT_PREFIX
 *       writes every intermediate map as OUT_PREFIX-KIND.pgm (block maps scaled up to the
 *       image size) and prints the minutiae, quality and hints.
 *   ridge-eval synth N [FIRST_SEED]
 *       precision and recall against the ground truth of N synthetic prints
 *       (ridge_synth_impression, impression 0), matched within 8 px and 30 degrees.
 */

#define _POSIX_C_SOURCE 200809L

#include "ridge-engine.h"
#include "test-util.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static int
cmp_str (const void *a,
         const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

static int
cmd_xyt (const char *img_dir,
         const char *out_dir)
{
  DIR *d = opendir (img_dir);
  struct dirent *e;
  char **names = NULL;
  int n = 0, cap = 0, failed = 0;

  if (d == NULL)
    {
      fprintf (stderr, "ridge-eval: cannot open %s: %s\n", img_dir, strerror (errno));
      return 1;
    }
  if (mkdir (out_dir, 0755) != 0 && errno != EEXIST)
    {
      fprintf (stderr, "ridge-eval: cannot create %s: %s\n", out_dir, strerror (errno));
      closedir (d);
      return 1;
    }
  while ((e = readdir (d)) != NULL)
    {
      size_t len = strlen (e->d_name);

      if (len < 5 || strcmp (e->d_name + len - 4, ".pgm") != 0)
        continue;
      if (n == cap)
        {
          char **nn;

          cap = cap ? cap * 2 : 64;
          nn = realloc (names, (size_t)cap * sizeof *names);
          if (nn == NULL)
            break;
          names = nn;
        }
      names[n] = strdup (e->d_name);
      if (names[n] != NULL)
        n++;
    }
  closedir (d);
  if (n > 0)
    qsort (names, (size_t)n, sizeof *names, cmp_str);

  for (int i = 0; i < n; i++)
    {
      char in[4096], out[4096];
      RidgeImage img;
      RidgeFeatures *f = NULL;
      FILE *fp;
      int r;

      snprintf (in, sizeof in, "%s/%s", img_dir, names[i]);
      snprintf (out, sizeof out, "%s/%.*s.xyt", out_dir, (int)strlen (names[i]) - 4, names[i]);
      r = test_util_read_pgm (in, &img);
      if (r == RIDGE_ENGINE_OK)
        r = ridge_extract (&img, NULL, &f);
      ridge_image_clear (&img);
      fp = fopen (out, "w");
      if (fp == NULL)
        {
          fprintf (stderr, "ridge-eval: cannot write %s\n", out);
          failed++;
          ridge_features_free (f);
          continue;
        }
      if (r != RIDGE_ENGINE_OK)
        {
          fprintf (stderr, "ridge-eval: %s: %s\n", in, ridge_engine_strerror (r));
          failed++;
        }
      else
        {
          const RidgeMinutia *m = ridge_features_minutiae (f);

          for (int k = 0; k < ridge_features_n_minutiae (f); k++)
            fprintf (fp, "%d %d %d %d\n", (int)lrintf (m[k].x), (int)lrintf (m[k].y),
                     (int)lrint (m[k].angle * 180.0 / M_PI) % 360, m[k].quality);
        }
      fclose (fp);
      ridge_features_free (f);
    }
  for (int i = 0; i < n; i++)
    free (names[i]);
  free (names);
  printf ("ridge-eval: %d images, %d failed, minutiae in %s\n", n, failed, out_dir);
  return failed > 0 ? 1 : 0;
}

static int
cmd_maps (const char *path,
          const char *prefix)
{
  static const char *names[RIDGE_N_MAPS] = {
    "foreground", "orientation", "reliability", "frequency", "quality",
    "enhanced", "binary", "skeleton"
  };
  RidgeExtractOptions opt = { 1 };
  RidgeImage img;
  RidgeFeatures *f = NULL;
  int r = test_util_read_pgm (path, &img);

  if (r == RIDGE_ENGINE_OK)
    r = ridge_extract (&img, &opt, &f);
  if (r != RIDGE_ENGINE_OK)
    {
      fprintf (stderr, "ridge-eval: %s: %s\n", path, ridge_engine_strerror (r));
      ridge_image_clear (&img);
      return 1;
    }
  for (int k = 0; k < RIDGE_N_MAPS; k++)
    {
      RidgeMap map;
      uint8_t *out;
      char fn[4096];

      if (ridge_features_map (f, (RidgeMapKind)k, &map) != RIDGE_ENGINE_OK)
        continue;
      out = malloc ((size_t)img.width * img.height);
      if (out == NULL)
        break;
      for (int y = 0; y < img.height; y++)
        for (int x = 0; x < img.width; x++)
          {
            int i = x / map.block_size, j = y / map.block_size;
            float v;

            if (i >= map.width || j >= map.height)
              {
                out[y * img.width + x] = 0;
                continue;
              }
            if (map.is_float)
              {
                v = ((const float *)map.data)[j * map.width + i];
                if (k == RIDGE_MAP_ORIENTATION)
                  v = v / (float)M_PI * 255;
                else if (k == RIDGE_MAP_FREQUENCY)
                  v = v * 255 / 0.25f;
                else
                  v = v * 255;
              }
            else
              v = ((const uint8_t *)map.data)[j * map.width + i] * (k == RIDGE_MAP_QUALITY
                                                                     ? 2.55f : 1);
            out[y * img.width + x] = (uint8_t)(v < 0 ? 0 : (v > 255 ? 255 : v));
          }
      /* minutiae on the skeleton image: endings grey 128, bifurcations 64 */
      if (k == RIDGE_MAP_SKELETON)
        for (int i = 0; i < ridge_features_n_minutiae (f); i++)
          {
            const RidgeMinutia *m = &ridge_features_minutiae (f)[i];

            for (int dy = -2; dy <= 2; dy++)
              for (int dx = -2; dx <= 2; dx++)
                {
                  int x = (int)m->x + dx, y = (int)m->y + dy;

                  if (x >= 0 && y >= 0 && x < img.width && y < img.height
                      && (abs (dx) == 2 || abs (dy) == 2))
                    out[y * img.width + x] = m->type == RIDGE_MINUTIA_ENDING ? 128 : 64;
                }
          }
      snprintf (fn, sizeof fn, "%s-%s.pgm", prefix, names[k]);
      test_util_write_pgm (fn, out, img.width, img.height);
      free (out);
    }
  printf ("minutiae %d quality %d hints 0x%x\n", ridge_features_n_minutiae (f),
          ridge_features_quality (f), ridge_features_hints (f));
  ridge_features_free (f);
  ridge_image_clear (&img);
  return 0;
}

/* Greedy one-to-one pairing by distance (≤ tol px) among pairs whose angles differ by at
 * most max_angle radians. Returns the number of pairs. */
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
            float dx = truth[i].x - found[j].x, dy = truth[i].y - found[j].y;
            float d2 = dx * dx + dy * dy, da;

            if (used_t[i] || used_f[j] || d2 > best)
              continue;
            da = fmodf (fabsf (truth[i].angle - found[j].angle), (float)(2 * M_PI));
            if (da > (float)M_PI)
              da = (float)(2 * M_PI) - da;
            if (da > max_angle)
              continue;
            best = d2;
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

static int
cmd_synth (int      n_prints,
           uint32_t first_seed)
{
  long tot_t = 0, tot_f = 0, tot_p = 0, tot_pos = 0, conf_f = 0, conf_p = 0;
  int failed = 0;

  for (int i = 0; i < n_prints; i++)
    {
      RidgeMinutia truth[RIDGE_MAX_MINUTIAE];
      RidgeImage img = { 0 };
      RidgeFeatures *f = NULL;
      int nt = 0, r;

      r = ridge_synth_impression (first_seed + (uint32_t)i, 0, NULL, &img, truth,
                                  RIDGE_MAX_MINUTIAE, &nt);
      if (r == RIDGE_ENGINE_OK)
        r = ridge_extract (&img, NULL, &f);
      if (r != RIDGE_ENGINE_OK)
        {
          fprintf (stderr, "ridge-eval: synthetic print %u: %s\n", first_seed + (uint32_t)i,
                   ridge_engine_strerror (r));
          failed++;
          tot_t += nt;
        }
      else
        {
          int nf = ridge_features_n_minutiae (f);
          int np = pair_minutiae (truth, nt, ridge_features_minutiae (f), nf, 8.0f,
                                  (float)(M_PI / 6));

          tot_pos += pair_minutiae (truth, nt, ridge_features_minutiae (f), nf, 8.0f,
                                    (float)M_PI);
          RidgeMinutia conf[RIDGE_MAX_MINUTIAE];
          int nc = 0;

          for (int k = 0; k < nf; k++)
            if (ridge_features_minutiae (f)[k].quality > 20)
              conf[nc++] = ridge_features_minutiae (f)[k];
          conf_f += nc;
          conf_p += pair_minutiae (truth, nt, conf, nc, 8.0f, (float)(M_PI / 6));
          tot_t += nt;
          tot_f += nf;
          tot_p += np;
        }
      ridge_features_free (f);
      ridge_image_clear (&img);
    }
  printf ("synthetic: %d prints (seeds %u..%u, impression 0), %d failed, %ld true, "
          "%ld found, %ld paired within 8 px and 30 deg (%ld within 8 px)\n",
          n_prints, first_seed, first_seed + (uint32_t)n_prints - 1, failed, tot_t, tot_f,
          tot_p, tot_pos);
  printf ("synthetic: precision %.3f recall %.3f (position only: precision %.3f recall %.3f)\n",
          tot_f > 0 ? (double)tot_p / tot_f : 0.0, tot_t > 0 ? (double)tot_p / tot_t : 0.0,
          tot_f > 0 ? (double)tot_pos / tot_f : 0.0, tot_t > 0 ? (double)tot_pos / tot_t : 0.0);
  printf ("synthetic: minutiae of quality > 20 (not within 20 px of the print's edge): "
          "%ld found, %ld paired, precision %.3f recall %.3f\n", conf_f, conf_p,
          conf_f > 0 ? (double)conf_p / conf_f : 0.0, tot_t > 0 ? (double)conf_p / tot_t : 0.0);
  return failed > 0 ? 1 : 0;
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 4 && strcmp (argv[1], "xyt") == 0)
    return cmd_xyt (argv[2], argv[3]);
  if (argc == 4 && strcmp (argv[1], "maps") == 0)
    return cmd_maps (argv[2], argv[3]);
  if ((argc == 3 || argc == 4) && strcmp (argv[1], "synth") == 0)
    return cmd_synth (atoi (argv[2]), argc == 4 ? (uint32_t)strtoul (argv[3], NULL, 10) : 1);
  fprintf (stderr, "usage: ridge-eval xyt IMG_DIR OUT_DIR\n"
                   "       ridge-eval maps IMG.pgm OUT_PREFIX\n"
                   "       ridge-eval synth N [FIRST_SEED]\n");
  return 2;
}
