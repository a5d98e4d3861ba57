/* match-bench.c — matcher throughput: 1:1 comparisons per second per core, 1:N search time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: match-bench [XYT_DIR [--m1]] [--once]
 * --once: one pass over the ordered pairs, no 1:N (for valgrind --tool=callgrind).
 * Templates: the .xyt files of XYT_DIR, by default NBIS mindtct's minutiae of FVC2002
 * DB1_B in $RIDGE_SHARED_DATA (theta in 2-degree units); without the shared data set,
 * synthetic random templates of 50 minutiae. Single thread, timed in processor time:
 * figures are per core.
 *  - 1:1: ridge_match on every ordered pair (both templates prepared in each call), then
 *    ridge_match_prepared on every ordered pair of templates prepared once; each against
 *    the reference matcher (match-ref.c, the matcher before the speed work, frozen) in
 *    the same run: passes over all pairs alternate between the two, so both see the same
 *    machine load, and the ratio is printed. The scores of the two are compared too (how
 *    many pairs score on the same side of RIDGE_MATCH_THRESHOLD).
 *  - 1:N: galleries of 1,000 and 10,000 templates made by perturbing the real ones
 *    (rotation, translation, jitter, 15 % minutiae dropped, 15 % spurious added) plus one
 *    other impression of the probe's finger; ridge_match_index_identify at
 *    RIDGE_MATCH_THRESHOLD; reports the search time and whether the mate was found.
 */

#define _POSIX_C_SOURCE 200809L

#include "ridge-engine.h"
#include "match-ref.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PI        3.14159265358979323846
#define MAX_FILES 400

typedef struct {
  char          name[64];
  RidgeTemplate t;
} Entry;

static double
now (void)
{
  struct timespec ts;

  /* processor time of this (single-threaded) process: per-core figures that do not
   * depend on what else the machine runs */
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

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
rndf (uint32_t *s)
{
  return (double)(rnd (s) >> 8) / 16777216.0;
}

static int
name_cmp (const void *a, const void *b)
{
  return strcmp (((const Entry *)a)->name, ((const Entry *)b)->name);
}

static int
load_dir (const char *dir, int m1, Entry *e, int cap)
{
  DIR *d = opendir (dir);
  struct dirent *de;
  int n = 0;

  if (d == NULL)
    return 0;
  while ((de = readdir (d)) != NULL && n < cap)
    {
      size_t l = strlen (de->d_name);
      char path[4096];
      char line[256];
      FILE *f;

      if (l < 5 || l - 4 >= sizeof e[n].name || strcmp (de->d_name + l - 4, ".xyt") != 0)
        continue;

      int w = snprintf (path, sizeof path, "%s/%s", dir, de->d_name);

      if (w < 0 || (size_t)w >= sizeof path || (f = fopen (path, "r")) == NULL)
        continue;
      memcpy (e[n].name, de->d_name, l - 4);
      e[n].name[l - 4] = '\0';
      memset (&e[n].t, 0, sizeof e[n].t);
      e[n].t.dpi = 500;
      while (fgets (line, sizeof line, f) != NULL && e[n].t.n_minutiae < RIDGE_MAX_MINUTIAE)
        {
          double x, y, th, q = 50;

          if (sscanf (line, "%lf %lf %lf %lf", &x, &y, &th, &q) < 3 || !(x >= 0 && x < 4095)
              || !(y >= 0 && y < 4095) || !isfinite (th))
            continue;

          RidgeMinutia *m = &e[n].t.minutiae[e[n].t.n_minutiae++];
          double a = fmod ((m1 ? 2 * th : th) * PI / 180, 2 * PI);

          m->x = (float)x;
          m->y = (float)y;
          m->angle = (float)(a < 0 ? a + 2 * PI : a);
          m->quality = (uint8_t)(q < 0 ? 0 : q > 100 ? 100 : q);
        }
      fclose (f);
      n++;
    }
  closedir (d);
  qsort (e, (size_t)n, sizeof (Entry), name_cmp);
  return n;
}

static void
synthetic (Entry *e, int n)
{
  uint32_t s = 4242;

  for (int i = 0; i < n; i++)
    {
      snprintf (e[i].name, sizeof e[i].name, "%d_%d", 100 + i / 8, 1 + i % 8);
      memset (&e[i].t, 0, sizeof e[i].t);
      e[i].t.dpi = 500;
      for (int k = 0; k < 50; k++)
        {
          RidgeMinutia *m = &e[i].t.minutiae[e[i].t.n_minutiae++];

          m->x = (float)(30 + rndf (&s) * 330);
          m->y = (float)(30 + rndf (&s) * 310);
          m->angle = (float)(rndf (&s) * 2 * PI);
          m->quality = 60;
        }
    }
}

/* A new "finger" made from t: rotated, translated, jittered, thinned and polluted. */
static void
perturb (const RidgeTemplate *t, uint32_t *s, RidgeTemplate *out)
{
  double rot = (rndf (s) - 0.5) * 1.0, c = cos (rot), sn = sin (rot);
  double tx = (rndf (s) - 0.5) * 60, ty = (rndf (s) - 0.5) * 60;

  memset (out, 0, sizeof *out);
  out->dpi = 500;
  for (int i = 0; i < t->n_minutiae; i++)
    {
      if (rndf (s) < 0.15)
        continue;

      const RidgeMinutia *m = &t->minutiae[i];
      double dx = m->x - 194, dy = m->y - 187;
      double x = 194 + c * dx + sn * dy + tx + (rndf (s) - 0.5) * 6;
      double y = 187 - sn * dx + c * dy + ty + (rndf (s) - 0.5) * 6;
      double a = fmod (m->angle + rot + (rndf (s) - 0.5) * 0.3 + 4 * PI, 2 * PI);

      if (x < 0 || y < 0 || x >= 4000 || y >= 4000)
        continue;
      out->minutiae[out->n_minutiae] = *m;
      out->minutiae[out->n_minutiae].x = (float)x;
      out->minutiae[out->n_minutiae].y = (float)y;
      out->minutiae[out->n_minutiae].angle = (float)a;
      out->n_minutiae++;
    }
  for (int k = (int)(t->n_minutiae * 0.15); k > 0 && out->n_minutiae < RIDGE_MAX_MINUTIAE; k--)
    {
      RidgeMinutia *m = &out->minutiae[out->n_minutiae++];

      m->x = (float)(20 + rndf (s) * 350);
      m->y = (float)(20 + rndf (s) * 330);
      m->angle = (float)(rndf (s) * 2 * PI);
      m->quality = 40;
    }
}

static void
bench_identify (const Entry *e, int n_real, int n_gallery, int n_probes)
{
  RidgeTemplate *g = malloc ((size_t)n_gallery * sizeof (RidgeTemplate));
  RidgeMatchIndex *idx = NULL;
  RidgeIdentifyHit hits[8];
  uint32_t s = 777u + (uint32_t)n_gallery;
  double total = 0;
  int found = 0, false_hits = 0;

  if (g == NULL)
    return;

  /* probes: impression 1 of fingers; the gallery holds their impression 2 at a known
   * place, everything else is perturbed copies of other fingers' impressions */
  for (int p = 0; p < n_probes; p++)
    {
      int probe_i = (p * 8) % n_real;
      int mate_i = probe_i + 1 < n_real ? probe_i + 1 : probe_i;
      size_t mate_at = (size_t)((p * 7919) % n_gallery);
      char finger[64];

      snprintf (finger, sizeof finger, "%.3s", e[probe_i].name);
      for (int i = 0; i < n_gallery; i++)
        {
          int src;

          do
            src = (int)(rnd (&s) % (uint32_t)n_real);
          while (strncmp (e[src].name, finger, 3) == 0 && n_real > 8);
          perturb (&e[src].t, &s, &g[i]);
        }
      g[mate_at] = e[mate_i].t;

      double t0 = now ();

      if (ridge_match_index_new (g, (size_t)n_gallery, &idx) != RIDGE_ENGINE_OK)
        break;

      double t1 = now ();
      int n = ridge_match_index_identify (idx, &e[probe_i].t, RIDGE_MATCH_THRESHOLD, hits, 8);
      double t2 = now ();

      if (p == 0)
        printf ("  N = %d: index built in %.1f ms, %.1f MB (%.0f bytes per template)\n",
                n_gallery, (t1 - t0) * 1e3, (double)ridge_match_index_size (idx) / 1e6,
                (double)ridge_match_index_size (idx) / n_gallery);
      total += t2 - t1;
      for (int k = 0; k < n; k++)
        {
          if (hits[k].index == mate_at)
            found++;
          else
            false_hits++;
        }
      ridge_match_index_free (idx);
      idx = NULL;
    }
  printf ("  N = %d: 1:N search %.1f ms per probe (%.0f gallery templates/s), mate found "
          "%d of %d probes, %d other hits\n", n_gallery, total * 1e3 / n_probes,
          n_gallery * n_probes / total, found, n_probes, false_hits);
  free (g);
}

int
main (int argc, char **argv)
{
  Entry *e = calloc (MAX_FILES, sizeof (Entry));
  int n = 0, m1 = 0;
  char dir[4096] = "";

  if (e == NULL)
    return 1;
  int once = 0;

  if (argc > 1 && strcmp (argv[argc - 1], "--once") == 0)
    {
      once = 1;
      argc--;
    }
  if (argc > 1)
    {
      snprintf (dir, sizeof dir, "%s", argv[1]);
      m1 = argc > 2 && strcmp (argv[2], "--m1") == 0;
    }
  else if (getenv ("RIDGE_SHARED_DATA") != NULL)
    {
      snprintf (dir, sizeof dir, "%s/fingerprints/nbis-reference-fvc2002/xyt-m1",
                getenv ("RIDGE_SHARED_DATA"));
      m1 = 1;
    }
  if (dir[0] != '\0')
    n = load_dir (dir, m1, e, MAX_FILES);
  if (n >= 16)
    printf ("match-bench: %d templates from %s\n", n, dir);
  else
    {
      n = 80;
      synthetic (e, n);
      printf ("match-bench: no .xyt folder (shared data absent?): %d synthetic templates of "
              "50 random minutiae\n", n);
    }

  double mean = 0;

  for (int i = 0; i < n; i++)
    mean += e[i].t.n_minutiae;
  printf ("  %.1f minutiae per template on average\n", mean / n);

  /* 1:1: passes over all ordered pairs, alternating between the current matcher and the
   * reference, until each has run at least 2 s (one pass each with --once) */
  double t_cur = 0, t_ref = 0, t0;
  long passes = 0;
  volatile long sink = 0;

  do
    {
      t0 = now ();
      for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
          sink += ridge_match (&e[i].t, &e[j].t, NULL);
      t_cur += now () - t0;
      t0 = now ();
      for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
          sink += ref_ridge_match (&e[i].t, &e[j].t, NULL);
      t_ref += now () - t0;
      passes++;
    }
  while (!once && (t_cur < 2.0 || t_ref < 2.0));

  long count = passes * n * n;

  printf ("  1:1 ridge_match: %.0f comparisons/s per core (%.1f us each, both templates "
          "prepared in every call); reference %.0f/s: %.2fx\n", count / t_cur, t_cur * 1e6 / count,
          count / t_ref, t_ref / t_cur);

  /* 1:1 on prepared templates (each prepared once, as a terminal does at load time) */
  RidgePreparedTemplate **pt = calloc ((size_t)n, sizeof *pt);
  RefPreparedTemplate **rt = calloc ((size_t)n, sizeof *rt);

  if (pt == NULL || rt == NULL)
    return 1;
  t0 = now ();
  for (int i = 0; i < n; i++)
    if (ridge_prepared_template_new (&e[i].t, &pt[i]) != RIDGE_ENGINE_OK)
      return 1;
  t_cur = now () - t0;
  t0 = now ();
  for (int i = 0; i < n; i++)
    if (ref_prepared_template_new (&e[i].t, &rt[i]) != RIDGE_ENGINE_OK)
      return 1;
  t_ref = now () - t0;
  printf ("  preparation: %.1f us per template, %zu bytes (reference %.1f us, %zu bytes)\n",
          t_cur * 1e6 / n, ridge_prepared_template_size (pt[0]), t_ref * 1e6 / n,
          ref_prepared_template_size (rt[0]));

  /* the two matchers' decisions at the threshold, pair by pair */
  int both = 0, only_cur = 0, only_ref = 0;

  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      {
        int a = ridge_match_prepared (pt[i], pt[j], NULL) >= RIDGE_MATCH_THRESHOLD;
        int b = ref_match_prepared (rt[i], rt[j], NULL) >= RIDGE_MATCH_THRESHOLD;

        both += a && b;
        only_cur += a && !b;
        only_ref += b && !a;
      }

  t_cur = t_ref = 0;
  passes = 0;
  do
    {
      t0 = now ();
      for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
          sink += ridge_match_prepared (pt[i], pt[j], NULL);
      t_cur += now () - t0;
      t0 = now ();
      for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
          sink += ref_match_prepared (rt[i], rt[j], NULL);
      t_ref += now () - t0;
      passes++;
    }
  while (!once && (t_cur < 2.0 || t_ref < 2.0));
  count = passes * n * n;
  printf ("  1:1 ridge_match_prepared: %.0f comparisons/s per core (%.1f us each, templates "
          "prepared beforehand); reference %.0f/s: %.2fx\n", count / t_cur, t_cur * 1e6 / count,
          count / t_ref, t_ref / t_cur);
  printf ("  pairs scoring >= %d (of %d ordered pairs, self pairs included): %d by both, "
          "%d only by the current matcher, %d only by the reference\n", RIDGE_MATCH_THRESHOLD,
          n * n, both, only_cur, only_ref);
  for (int i = 0; i < n; i++)
    {
      ridge_prepared_template_free (pt[i]);
      ref_prepared_template_free (rt[i]);
    }
  free (pt);
  free (rt);

  if (!once)
    {
      bench_identify (e, n, 1000, 10);
      bench_identify (e, n, 10000, 3);
    }
  (void)sink;
  free (e);
  return 0;
}
