/* test-util.c — tiny plain-C helpers for engine tests and tools: PGM (P5) read/write
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _POSIX_C_SOURCE 200809L

#include "test-util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static int
read_header_int (FILE *fp,
                 int  *out)
{
  int c = fgetc (fp);
  long v = 0;
  int digits = 0;

  for (;;)
    {
      while (c != EOF && isspace (c))
        c = fgetc (fp);
      if (c == '#')
        {
          while (c != EOF && c != '\n')
            c = fgetc (fp);
          continue;
        }
      break;
    }
  while (c != EOF && isdigit (c))
    {
      v = v * 10 + (c - '0');
      if (v > 1000000)
        return -1;
      digits++;
      c = fgetc (fp);
    }
  /* exactly one whitespace byte follows the last header field */
  if (digits == 0 || c == EOF || !isspace (c))
    return -1;
  *out = (int)v;
  return 0;
}

int
test_util_read_pgm (const char *path,
                    RidgeImage *img)
{
  FILE *fp;
  int w, h, maxval, r;

  if (path == NULL || img == NULL)
    return RIDGE_ENGINE_E_INVALID;
  img->pixels = NULL;
  fp = fopen (path, "rb");
  if (fp == NULL)
    return RIDGE_ENGINE_E_INVALID;
  if (fgetc (fp) != 'P' || fgetc (fp) != '5'
      || read_header_int (fp, &w) < 0 || read_header_int (fp, &h) < 0
      || read_header_int (fp, &maxval) < 0 || maxval < 1 || maxval > 255)
    {
      fclose (fp);
      return RIDGE_ENGINE_E_INVALID;
    }
  r = ridge_image_init (img, w, h, 500);
  if (r != RIDGE_ENGINE_OK)
    {
      fclose (fp);
      return r;
    }
  if (fread (img->pixels, 1, (size_t)w * (size_t)h, fp) != (size_t)w * (size_t)h)
    {
      fclose (fp);
      ridge_image_clear (img);
      return RIDGE_ENGINE_E_INVALID;
    }
  fclose (fp);
  return RIDGE_ENGINE_OK;
}

int
test_util_write_pgm (const char    *path,
                     const uint8_t *pixels,
                     int            width,
                     int            height)
{
  FILE *fp;
  size_t n;

  if (path == NULL || pixels == NULL || width <= 0 || height <= 0)
    return -1;
  fp = fopen (path, "wb");
  if (fp == NULL)
    return -1;
  fprintf (fp, "P5\n%d %d\n255\n", width, height);
  n = fwrite (pixels, 1, (size_t)width * (size_t)height, fp);
  if (fclose (fp) != 0 || n != (size_t)width * (size_t)height)
    return -1;
  return 0;
}

const char *
test_util_shared_data (void)
{
  const char *dir = getenv ("RIDGE_SHARED_DATA");
  struct stat st;

  if (dir == NULL || dir[0] == '\0' || stat (dir, &st) != 0 || !S_ISDIR (st.st_mode))
    return NULL;
  return dir;
}

const char *
test_util_fvc_path (char  *buf,
                    size_t cap,
                    int    finger,
                    int    impression)
{
  const char *dir = test_util_shared_data ();
  struct stat st;
  int n;

  if (dir == NULL)
    return NULL;
  n = snprintf (buf, cap, "%s/fingerprints/fvc2002-db1b/%d_%d.pgm", dir, finger, impression);
  if (n < 0 || (size_t)n >= cap || stat (buf, &st) != 0)
    return NULL;
  return buf;
}
