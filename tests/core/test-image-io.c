/* test-image-io.c — image I/O round trips and bad files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <png.h>
#include <string.h>
#include <sys/stat.h>

#include "ridge-image-io.h"

static guint8 *
make_pattern (guint w,
              guint h)
{
  guint8 *p = g_malloc ((gsize)w * h);

  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      p[(gsize)y * w + x] = (guint8)((x * 7 + y * 13 + (x * y) % 17) & 0xff);
  return p;
}

static char *
temp_dir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("ridge-image-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_dir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);

      g_unlink (p);
    }
  g_rmdir (dir);
}

static void
round_trip (RidgeImageFormat format,
            const char      *ext)
{
  g_autofree char *dir = temp_dir ();
  g_autofree char *path = g_strconcat (dir, "/img.", ext, NULL);
  g_autofree guint8 *pix = make_pattern (37, 23);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) back = NULL;
  guint w = 0, h = 0;
  GStatBuf st;

  g_assert_true (ridge_image_save (path, pix, 37, 23, RIDGE_IMAGE_FORMAT_AUTO, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  back = ridge_image_load (path, &w, &h, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (w, ==, 37);
  g_assert_cmpuint (h, ==, 23);
  g_assert_cmpmem (g_bytes_get_data (back, NULL), g_bytes_get_size (back), pix, 37 * 23);

  /* The detected format is the one we asked for. */
  {
    g_autofree char *contents = NULL;
    gsize len;

    g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
    if (format == RIDGE_IMAGE_FORMAT_PNG)
      g_assert_cmpmem (contents, 4, "\x89PNG", 4);
    else
      g_assert_cmpmem (contents, 13, "P5\n37 23\n255\n", 13);
  }
  remove_dir (dir);
}

static void
test_round_trip_pgm (void)
{
  round_trip (RIDGE_IMAGE_FORMAT_PGM, "pgm");
}

static void
test_round_trip_png (void)
{
  round_trip (RIDGE_IMAGE_FORMAT_PNG, "PNG");
}

static void
test_p2_and_comments (void)
{
  const char *p2 = "P2\n# a comment\n3 2 # trailing\n15\n0 1 2\n15 7\n# mid\n8\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) b = NULL;
  guint w, h;
  const guint8 *d;

  b = ridge_image_load_from_data ((const guint8 *)p2, strlen (p2), &w, &h, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (w, ==, 3);
  g_assert_cmpuint (h, ==, 2);
  d = g_bytes_get_data (b, NULL);
  /* maxval 15 scaled to 255: v * 255 / 15 = v * 17 */
  g_assert_cmpuint (d[0], ==, 0);
  g_assert_cmpuint (d[1], ==, 17);
  g_assert_cmpuint (d[2], ==, 34);
  g_assert_cmpuint (d[3], ==, 255);
  g_assert_cmpuint (d[4], ==, 119);
  g_assert_cmpuint (d[5], ==, 136);
}

static void
test_p5_comment_in_header (void)
{
  const guint8 p5[] = "P5 # hi\n2 # c\n1\n255\n\x10\x20";
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) b = NULL;
  guint w, h;

  b = ridge_image_load_from_data (p5, sizeof p5 - 1, &w, &h, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (w, ==, 2);
  g_assert_cmpuint (h, ==, 1);
  g_assert_cmpmem (g_bytes_get_data (b, NULL), 2, "\x10\x20", 2);
}

static void
expect_error (const char *data,
              gsize       len,
              int         code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) b = NULL;
  guint w = 99, h = 99;

  b = ridge_image_load_from_data ((const guint8 *)data, len, &w, &h, &error);
  g_assert_null (b);
  g_assert_error (error, RIDGE_IMAGE_ERROR, code);
  g_assert_cmpstr (error->message, !=, "");
  g_assert_cmpuint (w, ==, 99);
}

static void
test_bad_pgm (void)
{
  expect_error ("", 0, RIDGE_IMAGE_ERROR_UNKNOWN_FORMAT);
  expect_error ("hello world", 11, RIDGE_IMAGE_ERROR_UNKNOWN_FORMAT);
  expect_error ("P6\n1 1\n255\nabc", 14, RIDGE_IMAGE_ERROR_UNSUPPORTED);
  expect_error ("P5\n", 3, RIDGE_IMAGE_ERROR_CORRUPT);
  expect_error ("P5\n4 4\n255\nabc", 14, RIDGE_IMAGE_ERROR_CORRUPT);      /* truncated */
  expect_error ("P5\n0 4\n255\n", 11, RIDGE_IMAGE_ERROR_CORRUPT);         /* empty */
  expect_error ("P5\n4 4\n0\n", 9, RIDGE_IMAGE_ERROR_CORRUPT);            /* maxval 0 */
  expect_error ("P5\n1 1\n65535\nab", 15, RIDGE_IMAGE_ERROR_UNSUPPORTED); /* 16-bit */
  expect_error ("P5\n99999999999 1\n255\n", 21, RIDGE_IMAGE_ERROR_CORRUPT);
  expect_error ("P5\n4096 4096\n255\n", 17, RIDGE_IMAGE_ERROR_TOO_LARGE);
  expect_error ("P5\n2x 1\n255\nab", 14, RIDGE_IMAGE_ERROR_CORRUPT);
  expect_error ("P2\n2 1\n255\n1", 12, RIDGE_IMAGE_ERROR_CORRUPT);        /* missing */
  expect_error ("P2\n2 1\n100\n1 101", 16, RIDGE_IMAGE_ERROR_CORRUPT);    /* > maxval */
  expect_error ("P5\n1 1\n100\n\xff", 12, RIDGE_IMAGE_ERROR_CORRUPT);     /* > maxval */
}

static void
test_bad_png (void)
{
  g_autofree guint8 *pix = make_pattern (64, 64);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) png = ridge_image_save_to_bytes (pix, 64, 64, RIDGE_IMAGE_FORMAT_PNG, &error);
  gsize len;
  const char *data = g_bytes_get_data (png, &len);
  g_autofree char *copy = g_memdup2 (data, len);

  g_assert_no_error (error);
  /* Every truncation fails cleanly. */
  for (gsize cut = 0; cut < len; cut += 1 + cut / 4)
    expect_error (data, cut, cut < 8 ? RIDGE_IMAGE_ERROR_UNKNOWN_FORMAT
                  : RIDGE_IMAGE_ERROR_CORRUPT);
  /* A flipped byte in the IHDR fails its CRC. */
  copy[17] ^= 0x40;
  expect_error (copy, len, RIDGE_IMAGE_ERROR_CORRUPT);
}

static void
test_png_colour_conversion (void)
{
  /* RGB pixels with equal channels must come back as that grey level; a 16-bit grey
   * image keeps its high byte. Files are produced with libpng's simplified API. */
  const guint w = 4, h = 2;
  guint8 rgb[4 * 2 * 3];
  guint16 grey16[4 * 2];
  png_image img;
  png_alloc_size_t size = 0;
  g_autofree guint8 *buf = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) b = NULL;
  guint ow, oh;
  const guint8 *d;

  for (guint i = 0; i < w * h; i++)
    {
      rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = (guint8)(i * 30);
      grey16[i] = (guint16)((i * 30) << 8 | 0x7f);
    }

  memset (&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  img.width = w;
  img.height = h;
  img.format = PNG_FORMAT_RGB;
  g_assert_true (png_image_write_to_memory (&img, NULL, &size, 0, rgb, 0, NULL));
  buf = g_malloc (size);
  g_assert_true (png_image_write_to_memory (&img, buf, &size, 0, rgb, 0, NULL));
  b = ridge_image_load_from_data (buf, size, &ow, &oh, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ow, ==, w);
  g_assert_cmpuint (oh, ==, h);
  d = g_bytes_get_data (b, NULL);
  for (guint i = 0; i < w * h; i++)
    g_assert_cmpint (ABS ((int)d[i] - (int)(i * 30)), <=, 1);
  g_clear_pointer (&b, g_bytes_unref);
  g_clear_pointer (&buf, g_free);

  memset (&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  img.width = w;
  img.height = h;
  img.format = PNG_FORMAT_LINEAR_Y;
  size = 0;
  g_assert_true (png_image_write_to_memory (&img, NULL, &size, 0, grey16, 0, NULL));
  buf = g_malloc (size);
  g_assert_true (png_image_write_to_memory (&img, buf, &size, 0, grey16, 0, NULL));
  b = ridge_image_load_from_data (buf, size, &ow, &oh, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ow, ==, w);
  /* 16-bit linear data is written with gamma 1.0; the loader strips to 8 bits without
   * gamma correction, so values only need to be monotonic and in range. */
  d = g_bytes_get_data (b, NULL);
  for (guint i = 1; i < w * h; i++)
    g_assert_cmpuint (d[i], >=, d[i - 1]);
}

static void
test_png_too_large (void)
{
  guint8 *pix = g_malloc0 (4000 * 2);
  png_image img;
  png_alloc_size_t size = 0;
  g_autofree guint8 *buf = NULL;

  memset (&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  img.width = 4000;
  img.height = 2;
  img.format = PNG_FORMAT_GRAY;
  g_assert_true (png_image_write_to_memory (&img, NULL, &size, 0, pix, 0, NULL));
  buf = g_malloc (size);
  g_assert_true (png_image_write_to_memory (&img, buf, &size, 0, pix, 0, NULL));
  g_free (pix);
  expect_error ((const char *)buf, size, RIDGE_IMAGE_ERROR_TOO_LARGE);
}

static void
test_save_invalid (void)
{
  guint8 px = 0;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) b = ridge_image_save_to_bytes (&px, 0, 1, RIDGE_IMAGE_FORMAT_PGM, &error);

  g_assert_null (b);
  g_assert_error (error, RIDGE_IMAGE_ERROR, RIDGE_IMAGE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ridge_image_save ("/nonexistent-dir/x.pgm", &px, 1, 1,
                                    RIDGE_IMAGE_FORMAT_AUTO, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  /* the sentence names the file asked for, not GLib's temporary "x.pgm.XXXXXX" */
  g_assert_nonnull (strstr (error->message, "/nonexistent-dir/x.pgm: "));
  g_assert_null (strstr (error->message, "x.pgm."));
  g_clear_error (&error);
  g_assert_null (ridge_image_load ("/nonexistent-dir/x.pgm", NULL, NULL, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/image-io/round-trip/pgm", test_round_trip_pgm);
  g_test_add_func ("/image-io/round-trip/png", test_round_trip_png);
  g_test_add_func ("/image-io/pgm/p2", test_p2_and_comments);
  g_test_add_func ("/image-io/pgm/p5-comments", test_p5_comment_in_header);
  g_test_add_func ("/image-io/pgm/bad", test_bad_pgm);
  g_test_add_func ("/image-io/png/bad", test_bad_png);
  g_test_add_func ("/image-io/png/colour", test_png_colour_conversion);
  g_test_add_func ("/image-io/png/too-large", test_png_too_large);
  g_test_add_func ("/image-io/save/invalid", test_save_invalid);
  return g_test_run ();
}
