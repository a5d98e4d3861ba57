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

int
main (int   argc,
      char *argv[])
{
  if (argc == 4 && strcmp (argv[1], "xyt") == 0)
    return cmd_xyt (argv[2], argv[3]);
  if (argc == 4 && strcmp (argv[1], "maps") == 0)
    return cmd_maps (argv[2], argv[3]);
  fprintf (stderr, "usage: ridge-eval xyt IMG_DIR OUT_DIR\n"
                   "       ridge-eval maps IMG.pgm OUT_PREFIX\n");
  return 2;
}
