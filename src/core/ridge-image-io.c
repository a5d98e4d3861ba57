/* ridge-image-io.c — load and save 8-bit grey images (PGM, PNG)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-image"

#include "config.h"

#include "ridge-image-io.h"

#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <string.h>

G_DEFINE_QUARK (ridge - image - error - quark, ridge_image_error)

/* ---- PGM ------------------------------------------------------------------------------ */

typedef struct {
  const guint8 *p;
  const guint8 *end;
} Cursor;

static void
skip_space_and_comments (Cursor *c)
{
  while (c->p < c->end)
    {
      if (*c->p == '#')
        {
          while (c->p < c->end && *c->p != '\n' && *c->p != '\r')
            c->p++;
        }
      else if (g_ascii_isspace (*c->p))
        c->p++;
      else
        break;
    }
}

/* Reads an unsigned decimal number (after optional whitespace and comments). */
static gboolean
read_number (Cursor *c,
             guint   max,
             guint  *out)
{
  guint64 v = 0;
  gboolean any = FALSE;

  skip_space_and_comments (c);
  while (c->p < c->end && g_ascii_isdigit (*c->p))
    {
      v = v * 10 + (guint)(*c->p - '0');
      if (v > max)
        return FALSE;
      any = TRUE;
      c->p++;
    }
  if (!any)
    return FALSE;
  /* A number must be followed by whitespace, a comment or the end. */
  if (c->p < c->end && !g_ascii_isspace (*c->p) && *c->p != '#')
    return FALSE;
  *out = (guint)v;
  return TRUE;
}

static GBytes *
load_pgm (const guint8 *data,
          gsize         len,
          guint        *width,
          guint        *height,
          GError      **error)
{
  Cursor c = { data + 2, data + len };
  gboolean ascii = data[1] == '2';
  guint w, h, maxval;
  g_autofree guint8 *pixels = NULL;
  gsize n;

  if (!read_number (&c, G_MAXUINT, &w) || !read_number (&c, G_MAXUINT, &h))
    {
      g_set_error (error, RIDGE_IMAGE_ERROR, RIDGE_IMAGE_ERROR_CORRUPT,
                   "Corrupt PGM header: width and height are missing or invalid");
      return NULL;
    }
  if (!read_number (&c, 65535, &maxval) || maxval == 0)
    {
      g_set_error (error, RIDGE_IMAGE_ERROR, RIDGE_IMAGE_ERROR_CORRUPT,
                   "Corrupt PGM header: the maximum grey value is missing or invalid");
      return NULL;
    }
  if (w == 0 || h == 0)
    {
      g_set_error (error, RIDGE_IMAGE_ERROR, RIDGE_IMAGE_ERROR_CORRUPT,
                   "PGM image has no pixels (%u×%u)", w, h);
      return NULL;
    }
  if (w > RIDGE_IMAGE_MAX_DIM || h > RIDGE_IMAGE_MAX_DIM)
    {
      g_set_error (error, RIDGE_IMAGE_ERROR, RIDGE_IMAGE_ERROR_TOO_LARGE,
                   "Image is %u×%u pixels; the largest accepted is %u×%u",
                   w, h, RIDGE_IMAGE_MAX_DIM, RIDGE_IMAGE_MAX_DIM);
      return NULL;
    }
  if (maxval > 255)
    {
      g_set_error (error, RIDGE_IMAGE_ERROR, RIDGE_IMAGE_ERROR_UNSUPPORTED,
                   "PGM images with more than 8 bits per pixel (maxval %u) are not supported",
                   maxval);
      return NULL;
    }

  n = (gsize)w * h;
  pixels = g_malloc (n);

  if (!ascii)
    {
      /* Exactly one whitespace byte separates maxval from the raster. */
      if (c.p >= c.end || !g_ascii_isspace (*c.p))
        {
          g_set_error (error, RIDGE_IMAGE_ERROR, RIDGE_IMAGE_ERROR_CORRUPT,
                       "Corrupt PGM header: no whitespace before the pixel data");
          return NULL;
        }
      c.p++;
      if ((gsize)(c.end - c.p) < n)
        {
          g_set_error (error, RIDGE_IMAGE_ERROR, RIDGE_IMAGE_ERROR_CORRUPT,
                       "Truncated PGM file: %" G_GSIZE_FORMAT " pixel bytes expected, %"
                       G_GSIZE_FORMAT " present", n, (gsize)(c.end - c.p));
          return NULL;
        }
      memcpy (pixels, c.p, n);
    }
  else
    {
      for (gsize i = 0; i < n; i++)
        {
          guint v;

          if (!read_number (&c, 65535, &v))
            {
              g_set_error (error, RIDGE_IMAGE_ERROR, RIDGE_IMAGE_ERROR_CORRUPT,
                           "Corrupt or truncated ASCII PGM: pixel %" G_GSIZE_FORMAT
                           " of %" G_GSIZE_FORMAT " is missing or not a number", i, n);
              return NULL;
            }
          if (v > maxval)
            {
              g_set_error (error, RIDGE_IMAGE_ERROR, RIDGE_IMAGE_ERROR_CORRUPT,
                           "Corrupt ASCII PGM: pixel value %u above maxval %u", v, maxval);
              return NULL;
            }
          pixels[i] = (guint8)v;
        }
    }

  if (maxval != 255)
    {
      for (gsize i = 0; i < n; i++)
        {
          if (pixels[i] > maxval)
            {
              g_set_error (error, RIDGE_IMAGE_ERROR, RIDGE_IMAGE_ERROR_CORRUPT,
                           "Corrupt PGM: pixel value %u above maxval %u", pixels[i], maxval);
              return NULL;
            }
          pixels[i] = (guint8)((pixels[i] * 255u + maxval / 2) / maxval);
        }
    }

  *width = w;
  *height = h;
  return g_bytes_new_take (g_steal_pointer (&pixels), n);
}

/* ---- PNG ------------------------------------------------------------------------------ */

typedef struct {
  const guint8 *data;
  gsize         len;
  gsize         pos;
  char          message[160];
} PngReadCtx;

static void
png_error_cb (png_structp     png,
              png_const_charp msg)
{
  char *buf = png_get_error_ptr (png);

  if (buf != NULL)
    g_strlcpy (buf, msg, 160);
  png_longjmp (png, 1);
}

static void
png_warning_cb (png_structp     png,
                png_const_charp msg)
{
  /* Warnings (e.g. unknown chunks, bad gamma) do not stop decoding. */
}

static void
png_read_cb (png_structp png,
             png_bytep   out,
             png_size_t  len)
{
  PngReadCtx *ctx = png_get_io_ptr (png);

  if (ctx->len - ctx->pos < len)
    png_error (png, "Truncated PNG file");
  memcpy (out, ctx->data + ctx->pos, len);
  ctx->pos += len;
}

/* setjmp-safe part: everything that can longjmp lives here, with no automatic variables
 * modified between setjmp and longjmp. */
static gboolean
png_decode (PngReadCtx *ctx,
            png_structp png,
            png_infop   info,
            guint8    **pixels_out,
            guint      *w_out,
            guint      *h_out,
            int        *error_code)
{
  guint8 *volatile pixels = NULL;
  png_bytep *volatile rows = NULL;

  if (setjmp (png_jmpbuf (png)))
    {
      g_free (rows);
      g_free (pixels);
      *error_code = RIDGE_IMAGE_ERROR_CORRUPT;
      return FALSE;
    }

  png_set_read_fn (png, ctx, png_read_cb);
  png_read_info (png, info);

  {
    png_uint_32 w = png_get_image_width (png, info);
    png_uint_32 h = png_get_image_height (png, info);
    int color = png_get_color_type (png, info);
    int depth = png_get_bit_depth (png, info);

    if (w == 0 || h == 0 || w > RIDGE_IMAGE_MAX_DIM || h > RIDGE_IMAGE_MAX_DIM)
      {
        g_snprintf (ctx->message, sizeof ctx->message,
                    "Image is %u×%u pixels; the largest accepted is %u×%u",
                    (guint)w, (guint)h, RIDGE_IMAGE_MAX_DIM, RIDGE_IMAGE_MAX_DIM);
        *error_code = RIDGE_IMAGE_ERROR_TOO_LARGE;
        return FALSE;
      }

    if (color == PNG_COLOR_TYPE_PALETTE)
      png_set_palette_to_rgb (png);
    if (color == PNG_COLOR_TYPE_GRAY && depth < 8)
      png_set_expand_gray_1_2_4_to_8 (png);
    if (depth == 16)
      png_set_strip_16 (png);
    /* Transparency is dropped: the image is composed on nothing, alpha ignored. */
    png_set_strip_alpha (png);
    if (color == PNG_COLOR_TYPE_RGB || color == PNG_COLOR_TYPE_RGB_ALPHA
        || color == PNG_COLOR_TYPE_PALETTE)
      png_set_rgb_to_gray_fixed (png, 1, -1, -1);
    png_set_interlace_handling (png);
    png_read_update_info (png, info);

    if (png_get_channels (png, info) != 1 || png_get_bit_depth (png, info) != 8
        || png_get_rowbytes (png, info) != w)
      {
        g_snprintf (ctx->message, sizeof ctx->message,
                    "PNG could not be converted to 8-bit grey");
        *error_code = RIDGE_IMAGE_ERROR_UNSUPPORTED;
        return FALSE;
      }

    pixels = g_malloc ((gsize)w * h);
    rows = g_new (png_bytep, h);
    for (png_uint_32 y = 0; y < h; y++)
      rows[y] = pixels + (gsize)y * w;
    png_read_image (png, rows);
    png_read_end (png, NULL);
    g_free (rows);
    *pixels_out = pixels;
    *w_out = w;
    *h_out = h;
  }
  return TRUE;
}

static GBytes *
load_png (const guint8 *data,
          gsize         len,
          guint        *width,
          guint        *height,
          GError      **error)
{
  PngReadCtx ctx = { data, len, 0, "" };
  png_structp png;
  png_infop info;
  guint8 *pixels = NULL;
  guint w = 0, h = 0;
  int code = RIDGE_IMAGE_ERROR_CORRUPT;
  gboolean ok;

  png = png_create_read_struct (PNG_LIBPNG_VER_STRING, ctx.message, png_error_cb,
                                png_warning_cb);
  if (png == NULL)
    g_error ("libpng: out of memory");
  info = png_create_info_struct (png);
  if (info == NULL)
    g_error ("libpng: out of memory");

  ok = png_decode (&ctx, png, info, &pixels, &w, &h, &code);
  png_destroy_read_struct (&png, &info, NULL);

  if (!ok)
    {
      if (code == RIDGE_IMAGE_ERROR_CORRUPT)
        g_set_error (error, RIDGE_IMAGE_ERROR, code, "Corrupt PNG file: %s",
                     ctx.message[0] ? ctx.message : "unknown libpng error");
      else
        g_set_error_literal (error, RIDGE_IMAGE_ERROR, code, ctx.message);
      return NULL;
    }
  *width = w;
  *height = h;
  return g_bytes_new_take (pixels, (gsize)w * h);
}

/* ---- Public --------------------------------------------------------------------------- */

static const guint8 png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

GBytes *
ridge_image_load_from_data (const guint8 *data,
                            gsize         len,
                            guint        *width,
                            guint        *height,
                            GError      **error)
{
  guint w = 0, h = 0;
  GBytes *ret = NULL;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len > RIDGE_IMAGE_MAX_FILE_SIZE)
    {
      g_set_error (error, RIDGE_IMAGE_ERROR, RIDGE_IMAGE_ERROR_TOO_LARGE,
                   "Image file is too large (%" G_GSIZE_FORMAT " bytes; the limit is %u)",
                   len, RIDGE_IMAGE_MAX_FILE_SIZE);
      return NULL;
    }

  if (len >= 8 && memcmp (data, png_signature, 8) == 0)
    ret = load_png (data, len, &w, &h, error);
  else if (len >= 3 && data[0] == 'P' && (data[1] == '5' || data[1] == '2')
           && (g_ascii_isspace (data[2]) || data[2] == '#'))
    ret = load_pgm (data, len, &w, &h, error);
  else if (len >= 2 && data[0] == 'P' && data[1] >= '1' && data[1] <= '7')
    g_set_error (error, RIDGE_IMAGE_ERROR, RIDGE_IMAGE_ERROR_UNSUPPORTED,
                 "Netpbm type P%c is not supported; use a greyscale PGM (P5 or P2)", data[1]);
  else
    g_set_error (error, RIDGE_IMAGE_ERROR, RIDGE_IMAGE_ERROR_UNKNOWN_FORMAT,
                 "Not a PGM or PNG image");

  if (ret != NULL)
    {
      if (width != NULL)
        *width = w;
      if (height != NULL)
        *height = h;
    }
  return ret;
}

GBytes *
ridge_image_load (const char *path,
                  guint      *width,
                  guint      *height,
                  GError    **error)
{
  g_autoptr (GMappedFile) map = NULL;
  g_autoptr (GError) local_error = NULL;
  GBytes *ret;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  map = g_mapped_file_new (path, FALSE, error);
  if (map == NULL)
    return NULL;

  ret = ridge_image_load_from_data ((const guint8 *)g_mapped_file_get_contents (map),
                                    g_mapped_file_get_length (map), width, height,
                                    &local_error);
  if (ret == NULL)
    {
      g_autofree char *display = g_filename_display_name (path);

      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", display);
    }
  return ret;
}

RidgeImageFormat
ridge_image_format_for_path (const char *path)
{
  g_autofree char *lower = NULL;

  g_return_val_if_fail (path != NULL, RIDGE_IMAGE_FORMAT_PGM);

  lower = g_ascii_strdown (path, -1);
  if (g_str_has_suffix (lower, ".png"))
    return RIDGE_IMAGE_FORMAT_PNG;
  return RIDGE_IMAGE_FORMAT_PGM;
}

static void
png_write_cb (png_structp png,
              png_bytep   data,
              png_size_t  len)
{
  g_byte_array_append (png_get_io_ptr (png), data, len);
}

static void
png_flush_cb (png_structp png)
{
}

static gboolean
png_encode (png_structp   png,
            png_infop     info,
            GByteArray   *out,
            const guint8 *pixels,
            guint         width,
            guint         height)
{
  if (setjmp (png_jmpbuf (png)))
    return FALSE;

  png_set_write_fn (png, out, png_write_cb, png_flush_cb);
  png_set_IHDR (png, info, width, height, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info (png, info);
  for (guint y = 0; y < height; y++)
    png_write_row (png, pixels + (gsize)y * width);
  png_write_end (png, NULL);
  return TRUE;
}

GBytes *
ridge_image_save_to_bytes (const guint8    *pixels,
                           guint            width,
                           guint            height,
                           RidgeImageFormat format,
                           GError         **error)
{
  g_return_val_if_fail (pixels != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (width == 0 || height == 0 || width > RIDGE_IMAGE_MAX_DIM || height > RIDGE_IMAGE_MAX_DIM)
    {
      g_set_error (error, RIDGE_IMAGE_ERROR, RIDGE_IMAGE_ERROR_INVALID,
                   "Cannot save a %u×%u image: sizes from 1×1 to %u×%u are supported",
                   width, height, RIDGE_IMAGE_MAX_DIM, RIDGE_IMAGE_MAX_DIM);
      return NULL;
    }

  if (format == RIDGE_IMAGE_FORMAT_PNG)
    {
      char message[160] = "";
      GByteArray *out = g_byte_array_sized_new ((guint)width * height / 2 + 64);
      png_structp png;
      png_infop info;
      gboolean ok;

      png = png_create_write_struct (PNG_LIBPNG_VER_STRING, message, png_error_cb,
                                     png_warning_cb);
      if (png == NULL)
        g_error ("libpng: out of memory");
      info = png_create_info_struct (png);
      if (info == NULL)
        g_error ("libpng: out of memory");
      ok = png_encode (png, info, out, pixels, width, height);
      png_destroy_write_struct (&png, &info);
      if (!ok)
        {
          g_byte_array_unref (out);
          g_set_error (error, RIDGE_IMAGE_ERROR, RIDGE_IMAGE_ERROR_INVALID,
                       "PNG encoding failed: %s", message);
          return NULL;
        }
      return g_byte_array_free_to_bytes (out);
    }
  else
    {
      g_autofree char *header = g_strdup_printf ("P5\n%u %u\n255\n", width, height);
      gsize hlen = strlen (header);
      gsize n = (gsize)width * height;
      guint8 *buf = g_malloc (hlen + n);

      memcpy (buf, header, hlen);
      memcpy (buf + hlen, pixels, n);
      return g_bytes_new_take (buf, hlen + n);
    }
}

gboolean
ridge_image_save (const char      *path,
                  const guint8    *pixels,
                  guint            width,
                  guint            height,
                  RidgeImageFormat format,
                  GError         **error)
{
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) local = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (pixels != NULL, FALSE);

  if (format == RIDGE_IMAGE_FORMAT_AUTO)
    format = ridge_image_format_for_path (path);
  bytes = ridge_image_save_to_bytes (pixels, width, height, format, error);
  if (bytes == NULL)
    return FALSE;
  if (!g_file_set_contents_full (path, g_bytes_get_data (bytes, NULL),
                                 (gssize)g_bytes_get_size (bytes),
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &local))
    {
      /* GLib's sentence names its temporary file ("x.png.XXRLZ3"): name the user's file */
      g_autofree char *name = g_filename_display_name (path);
      int err = 0;

      switch (local->domain == G_FILE_ERROR ? local->code : -1)
        {
          case G_FILE_ERROR_NOENT: err = ENOENT; break;
          case G_FILE_ERROR_ACCES: err = EACCES; break;
          case G_FILE_ERROR_PERM: err = EPERM; break;
          case G_FILE_ERROR_ROFS: err = EROFS; break;
          case G_FILE_ERROR_NOSPC: err = ENOSPC; break;
          case G_FILE_ERROR_ISDIR: err = EISDIR; break;
          case G_FILE_ERROR_NOTDIR: err = ENOTDIR; break;
          default: break;
        }
      g_set_error (error, local->domain, local->code, "Could not write %s: %s", name,
                   err != 0 ? g_strerror (err) : local->message);
      return FALSE;
    }
  return TRUE;
}
