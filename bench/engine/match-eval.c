/* match-eval.c — score matrix of every .xyt template in a folder against every other
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: match-eval [--m1] [--dpi N] [--eer] XYT_DIR [OUT_MATRIX]
 *   XYT_DIR     files NAME.xyt, one minutia per line: "x y theta [quality]", origin top-left
 *   --m1        theta in 2-degree units (NBIS mindtct -m1); otherwise degrees
 *   OUT_MATRIX  the full score matrix in fpeval.py's format (default: standard output)
 *   --eer       also print this program's own EER estimate on standard error
 *   --max-eer P exit 1 when the EER (percent) is above P (used by the meson test)
 *   --shared    XYT_DIR is relative to $RIDGE_SHARED_DATA; exit 77 (skip) when absent
 *   --ref       the score matrix of the reference matcher (match-ref.c: the matcher before the
 *               speed work, frozen), for before/after figures from one build
 *   --enroll K  instead of the matrix: compares multi-sample enrollment strategies. Each
 *               finger is enrolled 8 times from K consecutive impressions (cyclic); the
 *               other impressions of the finger are genuine probes, every impression of
 *               the other fingers an impostor probe. Prints the EER of: best sample
 *               (ridge_match_enrolled), mean of the two best samples, and one
 *               consolidated template (samples aligned on the first and merged).
 * Names are the file names without .xyt (FINGER_IMPRESSION, e.g. 101_3). The angle
 * convention is ridge-engine.h's (counter-clockwise on screen).
 */

#define _POSIX_C_SOURCE 200809L

#include "ridge-engine.h"
#include "match-ref.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_FILES 2000
#define PI        3.14159265358979323846

typedef struct {
  char          name[64];
  RidgeTemplate t;
} Entry;

static int
name_cmp (const void *a, const void *b)
{
  return strcmp (((const Entry *)a)->name, ((const Entry *)b)->name);
}

static int
load_xyt (const char *path, int m1, int dpi, RidgeTemplate *t)
{
  FILE *f = fopen (path, "r");
  char line[256];

  if (f == NULL)
    return -1;
  memset (t, 0, sizeof *t);
  t->width = 0;
  t->height = 0;
  t->dpi = (uint16_t)dpi;
  t->quality = 50;
  while (fgets (line, sizeof line, f) != NULL && t->n_minutiae < RIDGE_MAX_MINUTIAE)
    {
      double x, y, th, q = 50;
      int n = sscanf (line, "%lf %lf %lf %lf", &x, &y, &th, &q);

      if (n < 3 || !isfinite (x) || !isfinite (y) || !isfinite (th) || x < 0 || y < 0
          || x >= 4095 || y >= 4095)
        continue;

      RidgeMinutia *m = &t->minutiae[t->n_minutiae++];
      double deg = m1 ? th * 2.0 : th;
      double a = fmod (deg * PI / 180.0, 2.0 * PI);

      if (a < 0)
        a += 2.0 * PI;
      m->x = (float)x;
      m->y = (float)y;
      m->angle = (float)a;
      m->type = RIDGE_MINUTIA_OTHER;
      m->quality = (uint8_t)(q < 0 ? 0 : q > 100 ? 100 : q);
    }
  fclose (f);
  return 0;
}

static int
finger_of (const char *name, char *out, size_t cap)
{
  const char *u = strchr (name, '_');
  size_t n = u != NULL ? (size_t)(u - name) : strlen (name);

  if (n + 1 > cap)
    return -1;
  memcpy (out, name, n);
  out[n] = '\0';
  return 0;
}

static int
dbl_cmp (const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

/* EER with fpeval.py's rule: accept if score >= t, for every distinct score t (and the
 * largest + 1); the t where |FNMR - FMR| is smallest gives EER = their mean. */
static double
compute_eer (double *gen, size_t ng, double *imp, size_t ni, double *thr)
{
  double *all = malloc ((ng + ni + 1) * sizeof (double));
  size_t na = 0, gi = 0, ii = 0;
  double best = 2.0, eer = 100.0;

  if (all == NULL)
    return 100.0;
  qsort (gen, ng, sizeof (double), dbl_cmp);
  qsort (imp, ni, sizeof (double), dbl_cmp);
  memcpy (all, gen, ng * sizeof (double));
  memcpy (all + ng, imp, ni * sizeof (double));
  na = ng + ni;
  qsort (all, na, sizeof (double), dbl_cmp);
  all[na] = all[na - 1] + 1;
  na++;
  for (size_t k = 0; k < na; k++)
    {
      double t = all[k];

      if (k > 0 && all[k - 1] == t)
        continue;
      while (gi < ng && gen[gi] < t)
        gi++;
      while (ii < ni && imp[ii] < t)
        ii++;

      double fnmr = (double)gi / (double)ng, fmr = (double)(ni - ii) / (double)ni;

      if (fabs (fnmr - fmr) < best)
        {
          best = fabs (fnmr - fmr);
          eer = (fnmr + fmr) / 2.0 * 100.0;
          *thr = t;
        }
    }
  free (all);
  return eer;
}

/* Consolidation candidate: align every sample on the first with ridge_match's
 * transform, merge minutiae closer than 8 px / 30 degrees (averaged), keep the others. */
static void
consolidate (const RidgeEnrollTemplate *e, RidgeTemplate *out)
{
  int count[RIDGE_MAX_MINUTIAE];

  *out = e->samples[0];
  for (int i = 0; i < out->n_minutiae; i++)
    count[i] = 1;
  for (int s = 1; s < e->n_samples; s++)
    {
      RidgeMatchResult r;

      if (ridge_match (&e->samples[s], &e->samples[0], &r) < RIDGE_MATCH_THRESHOLD / 2)
        continue;

      double c = cos (r.rotation), sn = sin (r.rotation);

      for (int i = 0; i < e->samples[s].n_minutiae; i++)
        {
          const RidgeMinutia *m = &e->samples[s].minutiae[i];
          double x = c * m->x + sn * m->y + r.dx, y = -sn * m->x + c * m->y + r.dy;
          double a = fmod (m->angle + r.rotation + 4 * PI, 2 * PI);
          int best = -1;
          double bd = 8;

          for (int k = 0; k < out->n_minutiae; k++)
            {
              double d = hypot (out->minutiae[k].x - x, out->minutiae[k].y - y);
              double da = fabs (remainder (out->minutiae[k].angle - a, 2 * PI));

              if (d < bd && da < PI / 6)
                {
                  bd = d;
                  best = k;
                }
            }
          if (best >= 0)
            {
              RidgeMinutia *o = &out->minutiae[best];
              double w = count[best];

              o->x = (float)((o->x * w + x) / (w + 1));
              o->y = (float)((o->y * w + y) / (w + 1));
              count[best]++;
            }
          else if (out->n_minutiae < RIDGE_MAX_MINUTIAE && x >= 0 && y >= 0 && x < 4000
                   && y < 4000)
            {
              RidgeMinutia *o = &out->minutiae[out->n_minutiae];

              *o = *m;
              o->x = (float)x;
              o->y = (float)y;
              o->angle = (float)a;
              count[out->n_minutiae++] = 1;
            }
        }
    }
}

static int
enroll_eval (const Entry *e, size_t n, int k)
{
  enum { STRATS = 3 };
  static const char *names[STRATS] = {
    "best sample (ridge_match_enrolled)", "mean of the two best samples",
    "one consolidated template"
  };
  double *gen[STRATS], *imp[STRATS];
  size_t ng = 0, ni = 0;
  char fi[64], fj[64];

  for (int s = 0; s < STRATS; s++)
    {
      gen[s] = malloc (n * n * sizeof (double));
      imp[s] = malloc (n * n * sizeof (double));
      if (gen[s] == NULL || imp[s] == NULL)
        return 1;
    }
  for (size_t i = 0; i < n; i++)
    {
      /* enrollment: entries i, i+1, ... of the same finger (cyclic over that finger) */
      RidgeEnrollTemplate en;
      size_t first = i, last = i, used[RIDGE_ENROLL_MAX_SAMPLES];
      RidgeTemplate merged;

      finger_of (e[i].name, fi, sizeof fi);
      while (first > 0 && (finger_of (e[first - 1].name, fj, sizeof fj), strcmp (fi, fj) == 0))
        first--;
      while (last + 1 < n && (finger_of (e[last + 1].name, fj, sizeof fj), strcmp (fi, fj) == 0))
        last++;

      size_t per = last - first + 1;

      if ((size_t)k >= per)
        continue;
      memset (&en, 0, sizeof en);
      for (int s = 0; s < k; s++)
        {
          used[s] = first + (i - first + (size_t)s) % per;
          en.samples[en.n_samples++] = e[used[s]].t;
        }
      consolidate (&en, &merged);
      for (size_t j = 0; j < n; j++)
        {
          int skip = 0, best = 0, second = 0;

          for (int s = 0; s < k; s++)
            skip |= used[s] == j;
          if (skip)
            continue;
          for (int s = 0; s < k; s++)
            {
              int sc = ridge_match (&e[j].t, &en.samples[s], NULL);

              if (sc > best)
                {
                  second = best;
                  best = sc;
                }
              else if (sc > second)
                second = sc;
            }

          double v[STRATS] = {
            ridge_match_enrolled (&e[j].t, &en, NULL, NULL), (best + second) / 2.0,
            ridge_match (&e[j].t, &merged, NULL)
          };

          finger_of (e[j].name, fj, sizeof fj);
          for (int s = 0; s < STRATS; s++)
            {
              if (strcmp (fi, fj) == 0)
                gen[s][ng] = v[s];
              else
                imp[s][ni] = v[s];
            }
          if (strcmp (fi, fj) == 0)
            ng++;
          else
            ni++;
        }
    }
  if (ng == 0 || ni == 0)
    {
      fprintf (stderr, "match-eval: no genuine or impostor comparisons\n");
      return 1;
    }
  printf ("enrollment from %d impressions: %zu genuine, %zu impostor comparisons\n", k, ng, ni);
  for (int s = 0; s < STRATS; s++)
    {
      double thr = 0, eer = compute_eer (gen[s], ng, imp[s], ni, &thr);

      printf ("  %-36s EER %.2f %% (threshold %g)\n", names[s], eer, thr);
      free (gen[s]);
      free (imp[s]);
    }
  return 0;
}

int
main (int argc, char **argv)
{
  int m1 = 0, dpi = 500, want_eer = 0;
  double max_eer = -1;
  const char *dir = NULL, *out_path = NULL;
  int shared = 0, enroll_k = 0, use_ref = 0;
  char shared_dir[4096];

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--m1") == 0)
        m1 = 1;
      else if (strcmp (argv[i], "--shared") == 0)
        shared = 1;
      else if (strcmp (argv[i], "--ref") == 0)
        use_ref = 1;
      else if (strcmp (argv[i], "--enroll") == 0 && i + 1 < argc)
        enroll_k = atoi (argv[++i]);
      else if (strcmp (argv[i], "--eer") == 0)
        want_eer = 1;
      else if (strcmp (argv[i], "--dpi") == 0 && i + 1 < argc)
        dpi = atoi (argv[++i]);
      else if (strcmp (argv[i], "--max-eer") == 0 && i + 1 < argc)
        {
          max_eer = atof (argv[++i]);
          want_eer = 1;
        }
      else if (dir == NULL)
        dir = argv[i];
      else if (out_path == NULL)
        out_path = argv[i];
      else
        {
          fprintf (stderr,
                   "usage: %s [--m1] [--shared] [--ref] [--enroll K] [--dpi N] [--eer] [--max-eer P] XYT_DIR [OUT]\n",
                   argv[0]);
          return 2;
        }
    }
  if (dir == NULL || dpi <= 0 || dpi > 65535)
    {
      fprintf (stderr,
               "usage: %s [--m1] [--shared] [--ref] [--enroll K] [--dpi N] [--eer] [--max-eer P] XYT_DIR [OUT]\n",
               argv[0]);
      return 2;
    }

  if (shared)
    {
      const char *root = getenv ("RIDGE_SHARED_DATA");
      DIR *probe_dir;

      if (root == NULL || root[0] == '\0')
        {
          printf ("match-eval: RIDGE_SHARED_DATA is not set: skipped\n");
          return 77;
        }
      int w = snprintf (shared_dir, sizeof shared_dir, "%s/%s", root, dir);

      if (w < 0 || (size_t)w >= sizeof shared_dir)
        {
          fprintf (stderr, "match-eval: path too long\n");
          return 2;
        }
      probe_dir = opendir (shared_dir);
      if (probe_dir == NULL)
        {
          printf ("match-eval: %s is absent (no shared data set): skipped\n", shared_dir);
          return 77;
        }
      closedir (probe_dir);
      dir = shared_dir;
    }

  DIR *d = opendir (dir);

  if (d == NULL)
    {
      fprintf (stderr, "match-eval: cannot open %s: %s\n", dir, strerror (errno));
      return 1;
    }

  Entry *e = calloc (MAX_FILES, sizeof (Entry));
  size_t n = 0;
  struct dirent *de;

  if (e == NULL)
    return 1;
  while ((de = readdir (d)) != NULL && n < MAX_FILES)
    {
      size_t l = strlen (de->d_name);
      char path[4096];

      if (l < 5 || l - 4 >= sizeof e[n].name || strcmp (de->d_name + l - 4, ".xyt") != 0)
        continue;
      memcpy (e[n].name, de->d_name, l - 4);
      e[n].name[l - 4] = '\0';
      int w = snprintf (path, sizeof path, "%s/%s", dir, de->d_name);

      if (w < 0 || (size_t)w >= sizeof path)
        continue;
      if (load_xyt (path, m1, dpi, &e[n].t) != 0)
        {
          fprintf (stderr, "match-eval: cannot read %s\n", path);
          continue;
        }
      n++;
    }
  closedir (d);
  if (n < 2)
    {
      fprintf (stderr, "match-eval: fewer than two .xyt files in %s\n", dir);
      free (e);
      return 1;
    }
  qsort (e, n, sizeof (Entry), name_cmp);
  if (enroll_k > 0)
    {
      int r = enroll_k <= RIDGE_ENROLL_MAX_SAMPLES ? enroll_eval (e, n, enroll_k) : 2;

      free (e);
      return r;
    }

  FILE *out = out_path != NULL ? fopen (out_path, "w") : stdout;

  if (out == NULL)
    {
      fprintf (stderr, "match-eval: cannot write %s: %s\n", out_path, strerror (errno));
      free (e);
      return 1;
    }

  double *gen = malloc (n * n * sizeof (double));
  double *imp = malloc (n * n * sizeof (double));
  size_t ng = 0, ni = 0;
  struct timespec t0, t1;

  if (gen == NULL || imp == NULL)
    return 1;
  fprintf (out, "# %s scores, row=probe col=gallery; inputs: %s (%s)\n", RIDGE_ENGINE_VERSION,
           dir, m1 ? "theta in 2-degree units" : "theta in degrees");
  fprintf (out, "probe\\gallery");
  for (size_t j = 0; j < n; j++)
    fprintf (out, " %s", e[j].name);
  fprintf (out, "\n");
  clock_gettime (CLOCK_MONOTONIC, &t0);
  for (size_t i = 0; i < n; i++)
    {
      char fi[64], fj[64];

      finger_of (e[i].name, fi, sizeof fi);
      fprintf (out, "%s", e[i].name);
      for (size_t j = 0; j < n; j++)
        {
          int s = use_ref ? ref_ridge_match (&e[i].t, &e[j].t, NULL)
                  : ridge_match (&e[i].t, &e[j].t, NULL);

          if (s < 0)
            {
              fprintf (stderr, "match-eval: %s vs %s: error %d\n", e[i].name, e[j].name, s);
              return 1;
            }
          fprintf (out, " %d", s);
          if (i == j)
            continue;
          finger_of (e[j].name, fj, sizeof fj);
          if (strcmp (fi, fj) == 0)
            gen[ng++] = s;
          else
            imp[ni++] = s;
        }
      fprintf (out, "\n");
    }
  clock_gettime (CLOCK_MONOTONIC, &t1);
  if (out != stdout)
    fclose (out);

  int rc = 0;

  if (want_eer && ng > 0 && ni > 0)
    {
      double thr = 0;
      double eer = compute_eer (gen, ng, imp, ni, &thr);
      double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;

      fprintf (stderr, "match-eval: %zu templates, genuine %zu, impostor %zu, EER %.2f %% "
                       "(threshold %g), %.1f us per comparison\n", n, ng, ni, eer, thr,
               secs * 1e6 / (double)(n * n));
      if (max_eer >= 0 && eer > max_eer)
        {
          fprintf (stderr, "match-eval: FAIL: EER %.2f %% is above the ceiling %.2f %%\n", eer,
                   max_eer);
          rc = 1;
        }
    }
  free (gen);
  free (imp);
  free (e);
  return rc;
}
