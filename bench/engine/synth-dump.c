/* synth-dump.c — writes synthetic impressions as PGM and their ground truth as .xyt
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: synth-dump OUTDIR FIRST_SEED N_FINGERS N_IMPRESSIONS [noise distortion dryness partial]
 * Writes OUTDIR/S_I.pgm and OUTDIR/S_I.xyt (x y theta_degrees type, origin top-left,
 * ISO angle convention, type 1 ending / 2 bifurcation) for seeds S and impressions I,
 * and prints the time spent per impression.
 */

#define _POSIX_C_SOURCE 200809L

#include "ridge-engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double
now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int
main (int   argc,
      char *argv[])
{
  RidgeSynthParams params;
  RidgeMinutia truth[RIDGE_MAX_MINUTIAE];
  unsigned long first;
  int n_fingers, n_impr, total_truth = 0, n_done = 0;
  double t_total = 0.0, t_max = 0.0;

  if (argc != 5 && argc != 9)
    {
      fprintf (stderr, "usage: %s OUTDIR FIRST_SEED N_FINGERS N_IMPRESSIONS "
                       "[noise distortion dryness partial]\n", argv[0]);
      return 2;
    }
  ridge_synth_params_init (&params);
  first = strtoul (argv[2], NULL, 10);
  n_fingers = atoi (argv[3]);
  n_impr = atoi (argv[4]);
  if (argc == 9)
    {
      params.noise = strtof (argv[5], NULL);
      params.distortion = strtof (argv[6], NULL);
      params.dryness = strtof (argv[7], NULL);
      params.partial = strtof (argv[8], NULL);
    }
  for (int f = 0; f < n_fingers; f++)
    for (int i = 0; i < n_impr; i++)
      {
        RidgeImage img;
        char path[4096];
        FILE *fp;
        int n_truth = 0, rc;
        uint32_t seed = (uint32_t)(first + (unsigned long)f);
        double t0 = now (), dt;

        rc = ridge_synth_impression (seed, (uint32_t)i, &params, &img, truth,
                                     RIDGE_MAX_MINUTIAE, &n_truth);
        dt = now () - t0;
        if (rc != RIDGE_ENGINE_OK)
          {
            fprintf (stderr, "seed %u impression %d: %s\n", seed, i, ridge_engine_strerror (rc));
            return 1;
          }
        t_total += dt;
        if (dt > t_max)
          t_max = dt;
        total_truth += n_truth;
        n_done++;
        snprintf (path, sizeof path, "%s/%u_%d.pgm", argv[1], seed, i);
        fp = fopen (path, "wb");
        if (fp == NULL)
          {
            perror (path);
            ridge_image_clear (&img);
            return 1;
          }
        fprintf (fp, "P5\n%d %d\n255\n", img.width, img.height);
        fwrite (img.pixels, 1, (size_t)img.width * img.height, fp);
        fclose (fp);
        snprintf (path, sizeof path, "%s/%u_%d.xyt", argv[1], seed, i);
        fp = fopen (path, "w");
        if (fp == NULL)
          {
            perror (path);
            ridge_image_clear (&img);
            return 1;
          }
        for (int k = 0; k < n_truth; k++)
          fprintf (fp, "%d %d %d %d\n", (int)(truth[k].x + 0.5f), (int)(truth[k].y + 0.5f),
                   (int)(truth[k].angle * 180.0f / 3.14159265f + 0.5f) % 360, truth[k].type);
        fclose (fp);
        printf ("%u_%d class %d minutiae %d time %.1f ms\n", seed, i,
                (int)ridge_synth_class (seed), n_truth, dt * 1000.0);
        ridge_image_clear (&img);
      }
  printf ("%d impressions, mean %.1f ms, max %.1f ms, mean ground truth %.1f minutiae\n",
          n_done, n_done ? t_total / n_done * 1000.0 : 0.0, t_max * 1000.0,
          n_done ? (double)total_truth / n_done : 0.0);
  return 0;
}
