/* bench-wire.c — chooses the frame image codec by measurement
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Compression ratio and speed of raw (memcpy), RIDGE_ENC_RICE and zlib -1 / -6 (the
 * reference; zlib is used here only, never by the codec) on the FVC2002 DB1 B images
 * ($RIDGE_SHARED_DATA/fingerprints/fvc2002-db1b, every .pgm, or the folder given as argument).
 * Every round trip is checked to be lossless. The figures are recorded in
 * docs/protocol.md, "Image compression".
 */

#define _POSIX_C_SOURCE 200809L

#include "ridge-wire.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#define MAX_IMAGES 200
#define REPEATS    5

typedef struct {
  uint16_t width, height;
  uint8_t *pixels;
} Image;

static double
now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
pgm_token (FILE *f,
           long *value)
{
  int c;
  long v = 0;

  do
    {
      c = fgetc (f);
      if (c == '#')
        while (c != '\n' && c != EOF)
          c = fgetc (f);
    }
  while (c == ' ' || c == '\t' || c == '\r' || c == '\n');
  if (c < '0' || c > '9')
    return -1;
  while (c >= '0' && c <= '9' && v < 100000)
    {
      v = v * 10 + (c - '0');
      c = fgetc (f);
    }
  *value = v;
  return 0;
}

static int
pgm_load (const char *path,
          Image      *img)
{
  FILE *f = fopen (path, "rb");
  long w, h, maxval;
  char magic[2];
  int ok = -1;

  if (f == NULL)
    return -1;
  if (fread (magic, 1, 2, f) == 2 && magic[0] == 'P' && magic[1] == '5'
      && pgm_token (f, &w) == 0 && pgm_token (f, &h) == 0 && pgm_token (f, &maxval) == 0
      && w > 0 && h > 0 && w <= 4096 && h <= 4096 && maxval == 255)
    {
      img->width = (uint16_t)w;
      img->height = (uint16_t)h;
      img->pixels = malloc ((size_t)w * (size_t)h);
      if (img->pixels != NULL && fread (img->pixels, 1, (size_t)w * (size_t)h, f)
          == (size_t)w * (size_t)h)
        ok = 0;
      else
        {
          free (img->pixels);
          img->pixels = NULL;
        }
    }
  fclose (f);
  return ok;
}

static int
name_cmp (const void *a,
          const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

typedef enum { CODEC_RAW, CODEC_RICE, CODEC_ZLIB1, CODEC_ZLIB6, N_CODECS } Codec;
static const char *const codec_names[N_CODECS] = {
  "raw", "rice (RIDGE_ENC_RICE)", "zlib -1", "zlib -6",
};

static long
encode (Codec        codec,
        const Image *img,
        uint8_t     *out,
        size_t       cap)
{
  size_t n = (size_t)img->width * img->height;

  switch (codec)
    {
      case CODEC_RAW:
        memcpy (out, img->pixels, n);
        return (long)n;
      case CODEC_RICE:
        return ridge_wire_rice_encode (img->pixels, img->width, img->height, out, cap);
      case CODEC_ZLIB1:
      case CODEC_ZLIB6:
      default:
        {
          uLongf len = cap;

          if (compress2 (out, &len, img->pixels, n, codec == CODEC_ZLIB1 ? 1 : 6) != Z_OK)
            return -1;
          return (long)len;
        }
    }
}

static int
decode (Codec          codec,
        const uint8_t *in,
        long           len,
        const Image   *img,
        uint8_t       *pixels)
{
  size_t n = (size_t)img->width * img->height;

  switch (codec)
    {
      case CODEC_RAW:
        memcpy (pixels, in, n);
        return 0;
      case CODEC_RICE:
        return ridge_wire_rice_decode (in, (size_t)len, img->width, img->height, pixels)
               == (int32_t)n ? 0 : -1;
      case CODEC_ZLIB1:
      case CODEC_ZLIB6:
      default:
        {
          uLongf out_len = n;

          return uncompress (pixels, &out_len, in, (uLong)len) == Z_OK && out_len == n ? 0 : -1;
        }
    }
}

int
main (int    argc,
      char **argv)
{
  char dir[4096];
  const char *shared = getenv ("RIDGE_SHARED_DATA");
  char *names[MAX_IMAGES];
  Image images[MAX_IMAGES];
  size_t n_images = 0, total_pixels = 0, cap = 0;
  struct dirent *de;
  DIR *d;
  uint8_t *buf, *back;
  double sizes[N_CODECS], enc_s[N_CODECS], dec_s[N_CODECS];
  int status = 0;

  if (argc > 1)
    snprintf (dir, sizeof dir, "%s", argv[1]);
  else
    snprintf (dir, sizeof dir, "%s/fingerprints/fvc2002-db1b",
              shared != NULL ? shared : "../shared/data");
  d = opendir (dir);
  if (d == NULL)
    {
      printf ("bench-wire: %s not found (set RIDGE_SHARED_DATA); skipped\n", dir);
      return 0;
    }
  while ((de = readdir (d)) != NULL && n_images < MAX_IMAGES)
    {
      size_t l = strlen (de->d_name);

      if (l > 4 && strcmp (de->d_name + l - 4, ".pgm") == 0)
        names[n_images++] = strdup (de->d_name);
    }
  closedir (d);
  qsort (names, n_images, sizeof names[0], name_cmp);

  for (size_t i = 0; i < n_images; i++)
    {
      char path[8192];

      snprintf (path, sizeof path, "%s/%s", dir, names[i]);
      if (pgm_load (path, &images[i]) != 0)
        {
          fprintf (stderr, "bench-wire: cannot read %s as an 8-bit P5 PGM\n", path);
          return 1;
        }
      total_pixels += (size_t)images[i].width * images[i].height;
      if ((size_t)images[i].width * images[i].height * 2 + 1024 > cap)
        cap = (size_t)images[i].width * images[i].height * 2 + 1024;
    }
  if (n_images == 0)
    {
      printf ("bench-wire: no .pgm in %s; skipped\n", dir);
      return 0;
    }
  buf = malloc (cap);
  back = malloc (cap);
  if (buf == NULL || back == NULL)
    return 1;

  printf ("bench-wire: %zu images from %s, %.1f MB of pixels, best of %d runs, "
          "speeds per CPU second\n",
          n_images, dir, (double)total_pixels / 1e6, REPEATS);
  printf ("%-24s %8s %10s %12s %12s\n", "codec", "ratio", "bits/px", "enc MB/s", "dec MB/s");
  for (int c = 0; c < N_CODECS; c++)
    {
      double best_enc = 1e30, best_dec = 1e30;
      size_t total_out = 0;

      for (int r = 0; r < REPEATS; r++)
        {
          double enc = 0, dec = 0;

          total_out = 0;
          for (size_t i = 0; i < n_images; i++)
            {
              double t0 = now_s (), t1, t2;
              long len = encode ((Codec)c, &images[i], buf, cap);

              t1 = now_s ();
              if (len < 0 || decode ((Codec)c, buf, len, &images[i], back) != 0)
                {
                  fprintf (stderr, "bench-wire: %s failed on %s\n", codec_names[c], names[i]);
                  return 1;
                }
              t2 = now_s ();
              if (memcmp (back, images[i].pixels, (size_t)images[i].width * images[i].height))
                {
                  fprintf (stderr, "bench-wire: %s is not lossless on %s\n", codec_names[c],
                           names[i]);
                  status = 1;
                }
              enc += t1 - t0;
              dec += t2 - t1;
              total_out += (size_t)len;
            }
          if (enc < best_enc)
            best_enc = enc;
          if (dec < best_dec)
            best_dec = dec;
        }
      printf ("%-24s %8.3f %10.3f %12.1f %12.1f\n", codec_names[c],
              (double)total_pixels / (double)total_out,
              8.0 * (double)total_out / (double)total_pixels,
              (double)total_pixels / 1e6 / best_enc, (double)total_pixels / 1e6 / best_dec);
      sizes[c] = (double)total_out;
      enc_s[c] = best_enc;
      dec_s[c] = best_dec;
    }
  /* against the reference measured in the same run */
  printf ("rice vs zlib -6: size x%.3f, encode speed x%.2f, decode speed x%.2f\n",
          sizes[CODEC_RICE] / sizes[CODEC_ZLIB6], enc_s[CODEC_ZLIB6] / enc_s[CODEC_RICE],
          dec_s[CODEC_ZLIB6] / dec_s[CODEC_RICE]);
  printf ("rice vs zlib -1: size x%.3f, encode speed x%.2f, decode speed x%.2f\n",
          sizes[CODEC_RICE] / sizes[CODEC_ZLIB1], enc_s[CODEC_ZLIB1] / enc_s[CODEC_RICE],
          dec_s[CODEC_ZLIB1] / dec_s[CODEC_RICE]);

  for (size_t i = 0; i < n_images; i++)
    {
      free (images[i].pixels);
      free (names[i]);
    }
  free (buf);
  free (back);
  return status;
}
