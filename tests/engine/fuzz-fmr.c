/* fuzz-fmr.c — fuzz target for the ISO/ANSI finger minutiae record decoders
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Built two ways:
 *  - with -DRIDGE_FMR_LIBFUZZER and clang -fsanitize=fuzzer,address: a libFuzzer target
 *    (build-aux/fmr-fuzz.sh builds and runs it);
 *  - plain: a deterministic driver (a meson test) that mutates seed records with a fixed
 *    seed and feeds every mutant, in an exactly-sized heap buffer, through the target:
 *      fuzz-fmr [--iterations N] [--seed S] [--write-seeds DIR]
 *    Seeds: records built here, plus $RIDGE_SHARED_DATA/templates when present.
 *
 * Beyond "no crash, no out-of-bounds read" (sanitizers/valgrind) the target checks:
 *  - a record the strict decoder accepts re-encodes to exactly the input bytes;
 *  - a record the lenient decoder accepts either re-encodes, to a record the strict
 *    decoder accepts (unless it keeps exclusive area lengths) and that re-encodes to the
 *    same bytes again, or is refused by the encoder with a range error;
 *  - conversions and template export of any decoded record succeed and encode.
 */

#include "ridge-fmr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define OUT_CAP (1u << 20)

static RidgeFmrRecord rec, rec2, conv;
static uint8_t out[OUT_CAP], out2[OUT_CAP];
static RidgeTemplate tmpl;
static RidgeEnrollTemplate enroll;

static void
fail (const char    *what,
      const uint8_t *data,
      size_t         size)
{
  fprintf (stderr, "fuzz-fmr: invariant broken: %s\ninput (%zu bytes):", what, size);
  for (size_t i = 0; i < size && i < 4096; i++)
    fprintf (stderr, "%s%02x", i % 32 ? "" : "\n", data[i]);
  fprintf (stderr, "\n");
  abort ();
}

static void
exercise_record (const RidgeFmrRecord *r,
                 const uint8_t        *data,
                 size_t                size)
{
  size_t len;

  for (int v = 0; v < r->n_views; v++)
    {
      RidgeFmrRidgeCount rc;

      for (int i = 0; i < r->views[v].n_ridge_counts; i++)
        if (ridge_fmr_ridge_count_at (&r->views[v], i, &rc) != RIDGE_FMR_OK)
          fail ("ridge_count_at on a decoded view", data, size);
      if (ridge_fmr_view_to_template (r, v, &tmpl) != RIDGE_FMR_OK)
        fail ("view_to_template on a decoded record", data, size);
    }
  if (ridge_fmr_to_enroll (r, -1, &enroll) != (r->n_views > 0 ? RIDGE_FMR_OK
                                                                : RIDGE_FMR_E_NO_VIEW))
    fail ("to_enroll of a decoded record", data, size);
  for (int to = RIDGE_FMR_FORMAT_ISO; to <= RIDGE_FMR_FORMAT_ANSI; to++)
    {
      int ret = ridge_fmr_convert (r, (RidgeFmrFormat)to, RIDGE_FMR_CONVERT_KEEP_RIDGE_COUNTS,
                                   &conv);

      if (ret != RIDGE_FMR_OK)
        fail ("convert of a decoded record", data, size);
      /* a converted record encodes unless a field was out of range already */
      ret = ridge_fmr_encode (&conv, out2, OUT_CAP, &len);
      if (ret != RIDGE_FMR_OK && ret != RIDGE_FMR_E_FIELD && ret != RIDGE_FMR_E_ANGLE
          && !(ret == RIDGE_FMR_E_EXTENDED
               && (r->ext_length_exclusive || (r->quirks & RIDGE_FMR_QUIRK_EXT_OPAQUE))))
        fail ("encode of a converted record", data, size);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const RidgeFmrFormat formats[] = {
    RIDGE_FMR_FORMAT_AUTO, RIDGE_FMR_FORMAT_ISO, RIDGE_FMR_FORMAT_ANSI
  };
  RidgeFmrCoreDelta cd;

  (void)ridge_fmr_detect (data, size);
  (void)ridge_fmr_core_delta_decode (data, size, &cd);
  if (size > OUT_CAP - 64)
    return 0;

  for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++)
    for (unsigned flags = 0; flags <= RIDGE_FMR_DECODE_LENIENT; flags++)
      {
        size_t len, len2;
        int ret = ridge_fmr_decode (data, size, formats[f], flags, &rec);

        if (ret != RIDGE_FMR_OK)
          {
            if (ret < RIDGE_FMR_E_NOSPACE || ret > RIDGE_FMR_E_TRUNCATED
                || ret == RIDGE_FMR_E_NOSPACE)
              fail ("decode returned an unexpected code", data, size);
            if (rec.error_offset > size)
              fail ("error offset past the data", data, size);
            continue;
          }
        if (flags == RIDGE_FMR_DECODE_STRICT && rec.quirks != 0)
          fail ("strict decode accepted a quirk", data, size);
        exercise_record (&rec, data, size);

        ret = ridge_fmr_encode (&rec, out, OUT_CAP, &len);
        if (flags == RIDGE_FMR_DECODE_STRICT)
          {
            if (ret != RIDGE_FMR_OK || len != size || memcmp (out, data, size) != 0)
              fail ("strictly decoded record does not re-encode to the same bytes", data, size);
            continue;
          }
        /* quirks tolerated on input are never written (except exclusive area lengths,
         * kept on purpose); the length field is fixed and trailing bytes dropped */
        if (ret == RIDGE_FMR_E_FIELD || ret == RIDGE_FMR_E_ANGLE
            || (ret == RIDGE_FMR_E_EXTENDED && (rec.quirks & RIDGE_FMR_QUIRK_EXT_OPAQUE)))
          continue;
        if (ret != RIDGE_FMR_OK)
          fail ("leniently decoded record does not encode", data, size);
        if (!rec.ext_length_exclusive
            && ridge_fmr_decode (out, len, rec.format, RIDGE_FMR_DECODE_STRICT, &rec2)
            != RIDGE_FMR_OK)
          fail ("re-encoded record does not decode strictly", data, size);
        if (ridge_fmr_decode (out, len, rec.format, RIDGE_FMR_DECODE_LENIENT, &rec2)
            != RIDGE_FMR_OK)
          fail ("re-encoded record does not decode", data, size);
        if (ridge_fmr_encode (&rec2, out2, OUT_CAP, &len2) != RIDGE_FMR_OK || len2 != len
            || memcmp (out, out2, len) != 0)
          fail ("re-encoding is not stable", data, size);
      }
  return 0;
}

#ifndef RIDGE_FMR_LIBFUZZER

#include <dirent.h>

#define MAX_SEEDS 64

typedef struct {
  uint8_t *data;
  size_t   size;
} Seed;

static Seed seeds[MAX_SEEDS];
static int n_seeds;

static void
add_seed (const uint8_t *data,
          size_t         size)
{
  if (n_seeds >= MAX_SEEDS || size == 0)
    return;
  seeds[n_seeds].data = malloc (size);
  if (seeds[n_seeds].data == NULL)
    return;
  memcpy (seeds[n_seeds].data, data, size);
  seeds[n_seeds].size = size;
  n_seeds++;
}

static void
add_synthetic_seeds (void)
{
  static const uint8_t vendor[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
  static uint8_t counts_data[64], cd_data[64];
  RidgeFmrRidgeCount counts[5] = { { 1, 2, 3 }, { 2, 3, 4 }, { 3, 4, 0 }, { 1, 4, 9 },
                                   { 4, 1, 2 } };
  RidgeFmrCoreDelta cd;
  size_t counts_len, cd_len, len;

  memset (&cd, 0, sizeof cd);
  cd.core_angles = 1;
  cd.n_cores = 1;
  cd.cores[0] = (RidgeFmrCore) { 20, 30, 40 };
  cd.delta_angles = 1;
  cd.n_deltas = 2;
  cd.deltas[0] = (RidgeFmrDelta) { 50, 60, { 1, 2, 3 } };
  cd.deltas[1] = (RidgeFmrDelta) { 70, 80, { 4, 5, 6 } };
  if (ridge_fmr_ridge_counts_encode (1, counts, 5, counts_data, sizeof counts_data,
                                     &counts_len) != RIDGE_FMR_OK
      || ridge_fmr_core_delta_encode (&cd, cd_data, sizeof cd_data, &cd_len) != RIDGE_FMR_OK)
    abort ();

  for (int variant = 0; variant < 4; variant++)
    {
      memset (&rec, 0, sizeof rec);
      rec.format = variant % 2 ? RIDGE_FMR_FORMAT_ANSI : RIDGE_FMR_FORMAT_ISO;
      rec.ansi_long_length = variant == 3;
      rec.ext_length_exclusive = variant == 2;
      rec.cbeff_owner = 0x42;
      rec.cbeff_type = 0x11;
      rec.capture_device_id = 0xb5;
      rec.width = 256;
      rec.height = 300;
      rec.res_x = rec.res_y = 197;
      rec.n_views = 2;
      for (int v = 0; v < 2; v++)
        {
          RidgeFmrView *view = &rec.views[v];

          view->finger_position = (uint8_t)(2 + 5 * v);
          view->finger_quality = 80;
          view->n_minutiae = (uint16_t)(4 + v);
          for (int i = 0; i < view->n_minutiae; i++)
            view->minutiae[i] = (RidgeFmrMinutia) {
              (uint8_t)(1 + i % 2), 0, (uint16_t)(10 + 40 * i), (uint16_t)(250 - 30 * i),
              (uint8_t)(i * 37 % 180), (uint8_t)(50 + i)
            }
          ;
        }
      rec.views[0].n_ext = 3;
      rec.views[0].ext[0] = (RidgeFmrExtArea) { RIDGE_FMR_EXT_RIDGE_COUNT,
                                                (uint16_t)counts_len, counts_data };
      rec.views[0].ext[1] = (RidgeFmrExtArea) { RIDGE_FMR_EXT_CORE_DELTA, (uint16_t)cd_len,
                                                cd_data };
      rec.views[0].ext[2] = (RidgeFmrExtArea) { 0x0100, sizeof vendor, vendor };
      if (ridge_fmr_encode (&rec, out, OUT_CAP, &len) != RIDGE_FMR_OK)
        abort ();
      add_seed (out, len);
    }
}

static void
add_shared_seeds (void)
{
  static const char *subdirs[] = { "biomdi", "derived", "fingerprintio" };
  const char *root = getenv ("RIDGE_SHARED_DATA");
  char dir[4096], path[8192];

  if (root == NULL || *root == 0)
    return;
  for (size_t k = 0; k < sizeof subdirs / sizeof subdirs[0]; k++)
    {
      DIR *d;
      struct dirent *e;

      snprintf (dir, sizeof dir, "%s/templates/%s", root, subdirs[k]);
      d = opendir (dir);
      if (d == NULL)
        continue;
      while ((e = readdir (d)) != NULL)
        {
          size_t n = strlen (e->d_name);
          FILE *f;

          if (!(n > 4 && (strcmp (e->d_name + n - 4, ".raw") == 0
                          || strcmp (e->d_name + n - 4, ".dat") == 0)))
            continue;
          snprintf (path, sizeof path, "%s/%s", dir, e->d_name);
          f = fopen (path, "rb");
          if (f == NULL)
            continue;
          n = fread (out, 1, 65536, f);
          fclose (f);
          add_seed (out, n);
        }
      closedir (d);
    }
}

static uint64_t rng_state;

static uint32_t
rng (void)
{
  /* splitmix64 */
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return (uint32_t)((z ^ (z >> 31)) >> 32);
}

/* Applies 1..4 random edits to buf (size *size, capacity cap). */
static void
mutate (uint8_t *buf,
        size_t  *size,
        size_t   cap)
{
  static const uint8_t interesting[] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x0b, 0x10, 0x3f, 0x40,
                                         0x7f, 0x80, 0xb3, 0xb4, 0xc0, 0xfe, 0xff };
  int edits = 1 + (int)(rng () % 4);

  for (int e = 0; e < edits; e++)
    {
      size_t n = *size;
      size_t at = n ? rng () % n : 0;

      switch (rng () % 8)
        {
          case 0:              /* flip a bit */
            if (n)
              buf[at] ^= (uint8_t)(1u << (rng () % 8));
            break;
          case 1:              /* interesting byte */
            if (n)
              buf[at] = interesting[rng () % sizeof interesting];
            break;
          case 2:              /* random byte, mostly in the header/first view */
            if (n)
              buf[rng () % (n < 40 ? n : 40)] = (uint8_t)rng ();
            break;
          case 3:              /* truncate */
            *size = at;
            break;
          case 4:              /* append bytes (zero padding or garbage) */
            {
              size_t add = 1 + rng () % 16, fill = rng () % 2 ? 0 : rng ();

              if (n + add <= cap)
                {
                  memset (buf + n, (int)(fill & 0xff), add);
                  *size = n + add;
                }
            }
            break;
          case 5:              /* delete a run */
            if (n)
              {
                size_t run = 1 + rng () % 8;

                if (at + run > n)
                  run = n - at;
                memmove (buf + at, buf + at + run, n - at - run);
                *size = n - run;
              }
            break;
          case 6:              /* insert a run */
            {
              size_t run = 1 + rng () % 8;

              if (n + run <= cap)
                {
                  memmove (buf + at + run, buf + at, n - at);
                  for (size_t i = 0; i < run; i++)
                    buf[at + i] = (uint8_t)rng ();
                  *size = n + run;
                }
            }
            break;
          default:             /* +-1 on a 16-bit big-endian field */
            if (n >= 2)
              {
                size_t p = at < n - 1 ? at : n - 2;
                unsigned v = ((unsigned)buf[p] << 8 | buf[p + 1]) + (rng () % 2 ? 1u : 0xffffu);

                buf[p] = (uint8_t)(v >> 8);
                buf[p + 1] = (uint8_t)v;
              }
            break;
        }
    }
}

int
main (int    argc,
      char **argv)
{
  long iterations = 4000;
  uint64_t seed = 1;
  const char *write_dir = NULL;
  static uint8_t work[70000];
  long accepted = 0;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--iterations") == 0 && i + 1 < argc)
        iterations = strtol (argv[++i], NULL, 10);
      else if (strcmp (argv[i], "--seed") == 0 && i + 1 < argc)
        seed = strtoull (argv[++i], NULL, 10);
      else if (strcmp (argv[i], "--write-seeds") == 0 && i + 1 < argc)
        write_dir = argv[++i];
      else
        {
          fprintf (stderr, "usage: %s [--iterations N] [--seed S] [--write-seeds DIR]\n",
                   argv[0]);
          return 2;
        }
    }

  add_synthetic_seeds ();
  add_shared_seeds ();

  if (write_dir != NULL)
    {
      for (int i = 0; i < n_seeds; i++)
        {
          char path[4200];
          FILE *f;

          snprintf (path, sizeof path, "%s/seed-%02d", write_dir, i);
          f = fopen (path, "wb");
          if (f == NULL || fwrite (seeds[i].data, 1, seeds[i].size, f) != seeds[i].size)
            {
              fprintf (stderr, "cannot write %s\n", path);
              return 1;
            }
          fclose (f);
        }
      printf ("wrote %d seeds to %s\n", n_seeds, write_dir);
      return 0;
    }

  /* the seeds themselves, then mutants */
  for (int i = 0; i < n_seeds; i++)
    LLVMFuzzerTestOneInput (seeds[i].data, seeds[i].size);
  LLVMFuzzerTestOneInput (NULL, 0);

  rng_state = seed;
  for (long it = 0; it < iterations; it++)
    {
      const Seed *s = &seeds[rng () % (uint32_t)n_seeds];
      size_t size = s->size;
      uint8_t *exact;

      if (size > sizeof work)
        size = sizeof work;
      memcpy (work, s->data, size);
      mutate (work, &size, sizeof work);
      /* an exactly-sized heap copy: reads past the end are caught by ASan/valgrind */
      exact = malloc (size ? size : 1);
      if (exact == NULL)
        return 1;
      memcpy (exact, work, size);
      LLVMFuzzerTestOneInput (exact, size);
      if (ridge_fmr_decode (exact, size, RIDGE_FMR_FORMAT_AUTO, RIDGE_FMR_DECODE_LENIENT,
                            &rec) == RIDGE_FMR_OK)
        accepted++;
      free (exact);
    }

  printf ("fuzz-fmr: %d seeds, %ld mutants (seed %llu), %ld decoded leniently, no invariant "
          "broken\n", n_seeds, iterations, (unsigned long long)seed, accepted);
  for (int i = 0; i < n_seeds; i++)
    free (seeds[i].data);
  return 0;
}

#endif
