/* bench-extract.c — our minutiae extraction against libfprint's NBIS, same process,
 * same 80 FVC2002 DB1_B images
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: bench-extract [ROUNDS [ours|nbis]]   (RIDGE_SHARED_DATA points at the shared data)
 *        with ours or nbis, only that extractor runs (for `perf stat`, whose instruction
 *        counts do not depend on the load of a shared machine)
 *
 * For each extractor: mean wall and CPU time per image over ROUNDS passes (after one
 * warm-up pass), the number of minutiae, and the peak memory of the warm-up pass (VmHWM
 * after resetting it through /proc/self/clear_refs, minus the resident size before it;
 * malloc_trim in between so NBIS does not reuse the memory we freed).
 * libfprint's NBIS (mindtct inside libfprint 1.94) is reached through its public API:
 * fp_image_new, the buffer fp_image_get_data returns, fp_image_detect_minutiae (async,
 * a GTask thread; we run a GMainLoop until it finishes).
 */

#define _GNU_SOURCE

#include "ridge-engine.h"
#include "test-util.h"

#include <fprint.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_IMAGES 80

static double
now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of every thread of the process (NBIS runs in a GTask thread): fair when the
 * machine is shared and busy */
static double
cpu_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* kB from /proc/self/status */
static long
proc_status_kb (const char *key)
{
  FILE *fp = fopen ("/proc/self/status", "r");
  char line[256];
  long v = -1;
  size_t n = strlen (key);

  if (fp == NULL)
    return -1;
  while (fgets (line, sizeof line, fp) != NULL)
    if (strncmp (line, key, n) == 0 && line[n] == ':')
      {
        v = atol (line + n + 1);
        break;
      }
  fclose (fp);
  return v;
}

/* Resets the peak resident size (Linux ≥ 4.0); returns the current resident size. */
static long
reset_peak (void)
{
  FILE *fp = fopen ("/proc/self/clear_refs", "w");

  if (fp != NULL)
    {
      fputs ("5", fp);
      fclose (fp);
    }
  return proc_status_kb ("VmRSS");
}

typedef struct {
  GMainLoop *loop;
  gboolean   ok;
} NbisWait;

static void
nbis_done (GObject      *source,
           GAsyncResult *res,
           gpointer      user_data)
{
  NbisWait *w = user_data;
  g_autoptr (GError) error = NULL;

  w->ok = fp_image_detect_minutiae_finish (FP_IMAGE (source), res, &error);
  if (!w->ok)
    g_printerr ("bench-extract: NBIS: %s\n", error->message);
  g_main_loop_quit (w->loop);
}

static int
nbis_extract (const RidgeImage *img,
              GMainLoop        *loop)
{
  g_autoptr (FpImage) fimg = fp_image_new (img->width, img->height);
  gsize len = 0;
  guchar *data = (guchar *)fp_image_get_data (fimg, &len);
  NbisWait w = { loop, FALSE };
  GPtrArray *minutiae;

  if (data == NULL || len != (gsize)img->width * img->height)
    return -1;
  memcpy (data, img->pixels, len);
  fp_image_detect_minutiae (fimg, NULL, nbis_done, &w);
  g_main_loop_run (loop);
  if (!w.ok)
    return -1;
  minutiae = fp_image_get_minutiae (fimg);
  return minutiae != NULL ? (int)minutiae->len : 0;
}

int
main (int   argc,
      char *argv[])
{
  RidgeImage images[N_IMAGES];
  int n = 0, rounds = argc > 1 ? atoi (argv[1]) : 3;
  int run_ours = argc < 3 || strcmp (argv[2], "nbis") != 0;
  int run_nbis = argc < 3 || strcmp (argv[2], "ours") != 0;
  long ours_min = 0, nbis_min = 0, rss0, ours_peak_kb, nbis_peak_kb;
  double t0, c0, ours_s, nbis_s, ours_cpu, nbis_cpu;
  GMainLoop *loop;

  if (rounds < 1)
    rounds = 1;
  for (int finger = 101; finger <= 110; finger++)
    for (int imp = 1; imp <= 8; imp++)
      {
        char path[4096];

        if (test_util_fvc_path (path, sizeof path, finger, imp) == NULL
            || test_util_read_pgm (path, &images[n]) != RIDGE_ENGINE_OK)
          {
            printf ("bench-extract: FVC2002 DB1_B not found (RIDGE_SHARED_DATA), skipped\n");
            for (int i = 0; i < n; i++)
              ridge_image_clear (&images[i]);
            return 0;
          }
        n++;
      }

  ours_s = ours_cpu = nbis_s = nbis_cpu = 0;
  ours_peak_kb = nbis_peak_kb = 0;
  /* ours; the warm-up pass measures the peak memory (nothing allocated before it) */
  if (!run_ours)
    goto nbis;
  rss0 = reset_peak ();
  for (int i = 0; i < n; i++)
    {
      RidgeFeatures *f = NULL;

      ridge_extract (&images[i], NULL, &f);
      ridge_features_free (f);
    }
  ours_peak_kb = proc_status_kb ("VmHWM") - rss0;
  t0 = now ();
  c0 = cpu_now ();
  for (int r = 0; r < rounds; r++)
    for (int i = 0; i < n; i++)
      {
        RidgeFeatures *f = NULL;

        if (ridge_extract (&images[i], NULL, &f) == RIDGE_ENGINE_OK && r == 0)
          ours_min += ridge_features_n_minutiae (f);
        ridge_features_free (f);
      }
  ours_s = (now () - t0) / (rounds * n);
  ours_cpu = (cpu_now () - c0) / (rounds * n);

  /* libfprint's NBIS */
nbis:
  if (!run_nbis)
    goto report;
  loop = g_main_loop_new (NULL, FALSE);
  malloc_trim (0);              /* give our freed memory back so NBIS starts afresh */
  rss0 = reset_peak ();
  for (int i = 0; i < n; i++)   /* warm-up (also starts GLib's thread pool) */
    nbis_extract (&images[i], loop);
  nbis_peak_kb = proc_status_kb ("VmHWM") - rss0;
  t0 = now ();
  c0 = cpu_now ();
  for (int r = 0; r < rounds; r++)
    for (int i = 0; i < n; i++)
      {
        int m = nbis_extract (&images[i], loop);

        if (m < 0)
          {
            printf ("bench-extract: libfprint NBIS failed on image %d\n", i);
            return 1;
          }
        if (r == 0)
          nbis_min += m;
      }
  nbis_s = (now () - t0) / (rounds * n);
  nbis_cpu = (cpu_now () - c0) / (rounds * n);
  g_main_loop_unref (loop);

report:
  printf ("extraction, FVC2002 DB1_B, %d images x %d rounds (388x374, 500 dpi)\n", n, rounds);
  printf ("  ridge : %7.2f ms/image wall, %7.2f ms/image CPU, %5.1f minutiae/image, "
          "peak +%ld kB\n", ours_s * 1e3, ours_cpu * 1e3, (double)ours_min / n, ours_peak_kb);
  printf ("  nbis  : %7.2f ms/image wall, %7.2f ms/image CPU, %5.1f minutiae/image, "
          "peak +%ld kB (libfprint fp_image_detect_minutiae)\n", nbis_s * 1e3, nbis_cpu * 1e3,
          (double)nbis_min / n, nbis_peak_kb);
  if (run_ours && run_nbis)
    printf ("  ratio : ridge is %.1fx faster than libfprint's NBIS in CPU time, %.1fx in wall "
            "time (target >= 5x)\n", nbis_cpu / ours_cpu, nbis_s / ours_s);
  for (int i = 0; i < n; i++)
    ridge_image_clear (&images[i]);
  return 0;
}
