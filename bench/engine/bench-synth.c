/* bench-synth.c — speed of the synthetic fingerprint generator
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Renders impressions of 20 fingers (400 x 400, default parameters, impressions 0 and 1)
 * and prints the mean and worst time per impression, in CPU time and wall-clock time,
 * against the target of docs/engine.md: well under 1 s per impression (ridge-terminal
 * renders prints on demand). Usage: bench-synth [N_FINGERS]
 */

#define _POSIX_C_SOURCE 200809L

#include "ridge-engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double
clock_s (clockid_t id)
{
  struct timespec ts;

  clock_gettime (id, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int
main (int   argc,
      char *argv[])
{
  RidgeMinutia truth[RIDGE_MAX_MINUTIAE];
  int n_fingers = argc > 1 ? atoi (argv[1]) : 20;
  double cpu_sum = 0, cpu_max = 0, wall_sum = 0, wall_max = 0;
  long n_truth_sum = 0;
  int n = 0;

  if (n_fingers < 1 || n_fingers > 100000)
    {
      fprintf (stderr, "usage: %s [N_FINGERS]\n", argv[0]);
      return 2;
    }
  for (int f = 0; f < n_fingers; f++)
    for (uint32_t i = 0; i < 2; i++)
      {
        RidgeImage img;
        int n_truth = 0, rc;
        double c0 = clock_s (CLOCK_PROCESS_CPUTIME_ID), w0 = clock_s (CLOCK_MONOTONIC);
        double c, w;

        rc = ridge_synth_impression ((uint32_t)(9000 + f), i, NULL, &img, truth,
                                     RIDGE_MAX_MINUTIAE, &n_truth);
        c = clock_s (CLOCK_PROCESS_CPUTIME_ID) - c0;
        w = clock_s (CLOCK_MONOTONIC) - w0;
        if (rc != RIDGE_ENGINE_OK)
          {
            fprintf (stderr, "bench-synth: finger %d: %s\n", f, ridge_engine_strerror (rc));
            return 1;
          }
        ridge_image_clear (&img);
        cpu_sum += c;
        wall_sum += w;
        cpu_max = c > cpu_max ? c : cpu_max;
        wall_max = w > wall_max ? w : wall_max;
        n_truth_sum += n_truth;
        n++;
      }
  printf ("synth: %d impressions 400x400, CPU mean %.1f ms max %.1f ms, wall mean %.1f ms "
          "max %.1f ms, %.1f truth minutiae each\n", n, cpu_sum / n * 1e3, cpu_max * 1e3,
          wall_sum / n * 1e3, wall_max * 1e3, (double)n_truth_sum / n);
  printf ("synth: mean CPU time is %.2f of the 1 s budget per impression\n", cpu_sum / n);
  return 0;
}
