/* test-image-view.c — RidgeImageView: zoom maths, pan, overlays, maps, pairs, screenshots
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * All images are synthetic fixtures built here (sine ridges), not real fingerprints.
 */
#include "config.h"

#include <math.h>

#include "ridge-image-view.h"
#include "ridge-test-util.h"

static guint8 fixture_pixels[FIXTURE_W * FIXTURE_H];

static RidgeImage
fixture (void)
{
  ridge_fixture_image (fixture_pixels, FIXTURE_W * 0.5, FIXTURE_H * 0.45);
  return (RidgeImage) { FIXTURE_W, FIXTURE_H, 500, fixture_pixels };
}

static void
test_fit_and_zoom (void)
{
  GtkWidget *view = g_object_ref_sink (ridge_image_view_new ());
  RidgeImageView *v = RIDGE_IMAGE_VIEW (view);
  RidgeImage img = fixture ();
  GtkWindow *win;
  double ox, oy, ix, iy, wx, wy, z;
  int w, h;
  g_autoptr (GError) error = NULL;

  g_assert_false (ridge_image_view_has_image (v));
  g_assert_true (ridge_image_view_set_image (v, &img, &error));
  g_assert_no_error (error);
  win = ridge_test_show (view, 640, 480);
  w = gtk_widget_get_width (view);
  h = gtk_widget_get_height (view);
  g_assert_cmpint (w, ==, 640);
  g_assert_cmpint (h, ==, 480);

  /* fit: 256 × 320 into 640 × 480 → limited by height, 1.5, centred horizontally */
  g_assert_true (ridge_image_view_get_fit (v));
  g_assert_cmpfloat_with_epsilon (ridge_image_view_get_zoom (v), 1.5, 1e-9);
  ridge_image_view_get_offset (v, &ox, &oy);
  g_assert_cmpfloat_with_epsilon (ox, 128.0, 1e-9);     /* (640 - 384) / 2 */
  g_assert_cmpfloat_with_epsilon (oy, 0.0, 1e-9);

  /* mapping is an exact round trip */
  ridge_image_view_widget_to_image (v, 320, 240, &ix, &iy);
  g_assert_cmpfloat_with_epsilon (ix, 128.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (iy, 160.0, 1e-9);
  ridge_image_view_image_to_widget (v, ix, iy, &wx, &wy);
  g_assert_cmpfloat_with_epsilon (wx, 320.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (wy, 240.0, 1e-9);

  /* zoom at a point keeps the image point under it fixed */
  ridge_image_view_widget_to_image (v, 200, 100, &ix, &iy);
  ridge_image_view_zoom_at (v, 2.0, 200, 100);
  g_assert_false (ridge_image_view_get_fit (v));
  g_assert_cmpfloat_with_epsilon (ridge_image_view_get_zoom (v), 3.0, 1e-9);
  ridge_image_view_image_to_widget (v, ix, iy, &wx, &wy);
  g_assert_cmpfloat_with_epsilon (wx, 200.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (wy, 100.0, 1e-6);

  /* keyboard actions: + and - are inverse, 0 returns to fit */
  z = ridge_image_view_get_zoom (v);
  g_assert_true (gtk_widget_activate_action (view, "image.zoom-in", NULL));
  g_assert_cmpfloat (ridge_image_view_get_zoom (v), >, z);
  g_assert_true (gtk_widget_activate_action (view, "image.zoom-out", NULL));
  g_assert_cmpfloat_with_epsilon (ridge_image_view_get_zoom (v), z, 1e-9);
  g_assert_true (gtk_widget_activate_action (view, "image.zoom-original", NULL));
  g_assert_cmpfloat_with_epsilon (ridge_image_view_get_zoom (v), 1.0, 1e-9);
  g_assert_true (gtk_widget_activate_action (view, "image.zoom-fit", NULL));
  g_assert_true (ridge_image_view_get_fit (v));
  g_assert_cmpfloat_with_epsilon (ridge_image_view_get_zoom (v), 1.5, 1e-9);

  /* limits */
  ridge_image_view_zoom_at (v, 1000.0, 0, 0);
  g_assert_cmpfloat_with_epsilon (ridge_image_view_get_zoom (v), RIDGE_IMAGE_VIEW_MAX_ZOOM, 1e-9);
  ridge_image_view_zoom_at (v, 1e-6, 0, 0);
  g_assert_cmpfloat_with_epsilon (ridge_image_view_get_zoom (v), RIDGE_IMAGE_VIEW_MIN_ZOOM, 1e-9);

  /* pan: moves by the delta, but never loses the image entirely */
  ridge_image_view_set_fit (v, TRUE);
  ridge_image_view_set_zoom (v, 2.0);
  ridge_image_view_get_offset (v, &ox, &oy);
  ridge_image_view_pan (v, 10, -20);
  {
    double nx, ny;

    ridge_image_view_get_offset (v, &nx, &ny);
    g_assert_cmpfloat_with_epsilon (nx, ox + 10, 1e-9);
    g_assert_cmpfloat_with_epsilon (ny, oy - 20, 1e-9);
  }
  ridge_image_view_pan (v, 1e6, 1e6);
  ridge_image_view_get_offset (v, &ox, &oy);
  g_assert_cmpfloat (ox, <=, w - 48.0);
  g_assert_cmpfloat (oy, <=, h - 48.0);
  ridge_image_view_pan (v, -1e7, -1e7);
  ridge_image_view_get_offset (v, &ox, &oy);
  g_assert_cmpfloat (ox + FIXTURE_W * 2.0, >=, 48.0);
  g_assert_cmpfloat (oy + FIXTURE_H * 2.0, >=, 48.0);

  gtk_window_destroy (win);
  g_assert_finalize_object (view);
}

/* Magnified 8×, every image pixel must cover an 8 × 8 block of identical screen pixels
 * (nearest-neighbour, no smoothing). */
static void
test_nearest_neighbour (void)
{
  GtkWidget *view = g_object_ref_sink (ridge_image_view_new ());
  RidgeImageView *v = RIDGE_IMAGE_VIEW (view);
  guint8 checker[64 * 64];
  RidgeImage img = { 64, 64, 500, checker };
  g_autoptr (GdkTexture) shot = NULL;
  GtkWindow *win;
  double ox, oy;

  for (int y = 0; y < 64; y++)
    for (int x = 0; x < 64; x++)
      checker[y * 64 + x] = ((x + y) & 1) ? 255 : 0;
  g_assert_true (ridge_image_view_set_image (v, &img, NULL));
  ridge_image_view_set_overlays (v, RIDGE_OVERLAY_NONE);
  win = ridge_test_show (view, 256, 256);
  ridge_image_view_set_zoom (v, 8.0);
  ridge_image_view_get_offset (v, &ox, &oy);
  ridge_image_view_pan (v, round (ox) - ox, round (oy) - oy);
  ridge_image_view_get_offset (v, &ox, &oy);
  ridge_test_wait (50);
  shot = ridge_test_screenshot (view, "image-view-nearest-8x");

  for (int iy = 10; iy < 14; iy++)
    for (int ix = 10; ix < 14; ix++)
      {
        guint32 expect = ((ix + iy) & 1) ? 0xffffffffu : 0xff000000u;

        for (int sy = 0; sy < 8; sy++)
          for (int sx = 0; sx < 8; sx++)
            {
              int px = (int)ox + ix * 8 + sx;
              int py = (int)oy + iy * 8 + sy;

              if (px < 0 || py < 0 || px >= 256 || py >= 256)
                continue;
              g_assert_cmphex (ridge_test_texture_pixel (shot, px, py), ==, expect);
            }
      }
  gtk_window_destroy (win);
  g_assert_finalize_object (view);
}

static void
notify_count_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static void
test_overlays_and_maps (void)
{
  GtkWidget *view = g_object_ref_sink (ridge_image_view_new ());
  RidgeImageView *v = RIDGE_IMAGE_VIEW (view);
  RidgeImage img = fixture ();
  RidgeMinutia min[16];
  guint n = ridge_fixture_minutiae (min, G_N_ELEMENTS (min), 0, 0);
  enum { BW = FIXTURE_W / FIXTURE_BLOCK, BH = FIXTURE_H / FIXTURE_BLOCK };
  float orient[BW * BH];
  guint8 fg[BW * BH], quality[BW * BH];
  g_autofree guint8 *binary = g_new (guint8, FIXTURE_W * FIXTURE_H);
  g_autofree guint8 *skeleton = g_new0 (guint8, FIXTURE_W * FIXTURE_H);
  RidgeMap m;
  guint notifies = 0;
  g_autoptr (GError) error = NULL;
  GtkWindow *win;
  g_autoptr (GdkTexture) plain = NULL;
  g_autoptr (GdkTexture) marked = NULL;

  g_assert_true (ridge_image_view_set_image (v, &img, NULL));

  /* overlay flags: default minutiae, notify only on change */
  g_assert_cmpuint (ridge_image_view_get_overlays (v), ==, RIDGE_OVERLAY_MINUTIAE);
  g_signal_connect (view, "notify::overlays", G_CALLBACK (notify_count_cb), &notifies);
  ridge_image_view_set_overlay (v, RIDGE_OVERLAY_ORIENTATION, TRUE);
  ridge_image_view_set_overlay (v, RIDGE_OVERLAY_ORIENTATION, TRUE);
  g_assert_cmpuint (notifies, ==, 1);
  g_assert_cmpuint (ridge_image_view_get_overlays (v), ==,
                    RIDGE_OVERLAY_MINUTIAE | RIDGE_OVERLAY_ORIENTATION);
  ridge_image_view_set_overlay (v, RIDGE_OVERLAY_MINUTIAE, FALSE);
  g_assert_cmpuint (ridge_image_view_get_overlays (v), ==, RIDGE_OVERLAY_ORIENTATION);
  g_assert_cmpuint (notifies, ==, 2);

  /* maps are validated against the image */
  ridge_fixture_orientation (orient, FIXTURE_W * 0.5, FIXTURE_H * 0.45);
  m = (RidgeMap) { RIDGE_MAP_ORIENTATION, BW, BH, FIXTURE_BLOCK, 1, orient };
  g_assert_true (ridge_image_view_set_map (v, &m, &error));
  g_assert_no_error (error);
  g_assert_true (ridge_image_view_has_map (v, RIDGE_MAP_ORIENTATION));

  m = (RidgeMap) { RIDGE_MAP_ORIENTATION, BW + 3, BH, FIXTURE_BLOCK, 1, orient };
  g_assert_false (ridge_image_view_set_map (v, &m, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  m = (RidgeMap) { RIDGE_MAP_ORIENTATION, BW, BH, FIXTURE_BLOCK, 0, orient };  /* not float */
  g_assert_false (ridge_image_view_set_map (v, &m, &error));
  g_clear_error (&error);
  m = (RidgeMap) { RIDGE_MAP_BINARY, FIXTURE_W / 2, FIXTURE_H / 2, 2, 0, binary };
  g_assert_false (ridge_image_view_set_map (v, &m, &error));  /* per-pixel map must be 1:1 */
  g_clear_error (&error);
  m = (RidgeMap) { RIDGE_N_MAPS, BW, BH, FIXTURE_BLOCK, 0, fg };
  g_assert_false (ridge_image_view_set_map (v, &m, &error));
  g_clear_error (&error);

  ridge_fixture_foreground (fg);
  for (int i = 0; i < BW * BH; i++)
    quality[i] = fg[i] ? (guint8)((i * 13) % 101) : 0;
  for (int i = 0; i < FIXTURE_W * FIXTURE_H; i++)
    binary[i] = img.pixels[i] < 128 ? 255 : 0;
  /* a crude "skeleton": ridge pixels whose left neighbour is valley */
  for (int y = 0; y < FIXTURE_H; y++)
    for (int x = 1; x < FIXTURE_W; x++)
      skeleton[y * FIXTURE_W + x] = binary[y * FIXTURE_W + x] && !binary[y * FIXTURE_W + x - 1]
                                    ? 255 : 0;
  m = (RidgeMap) { RIDGE_MAP_FOREGROUND, BW, BH, FIXTURE_BLOCK, 0, fg };
  g_assert_true (ridge_image_view_set_map (v, &m, NULL));
  m = (RidgeMap) { RIDGE_MAP_QUALITY, BW, BH, FIXTURE_BLOCK, 0, quality };
  g_assert_true (ridge_image_view_set_map (v, &m, NULL));
  m = (RidgeMap) { RIDGE_MAP_BINARY, FIXTURE_W, FIXTURE_H, 1, 0, binary };
  g_assert_true (ridge_image_view_set_map (v, &m, NULL));
  m = (RidgeMap) { RIDGE_MAP_SKELETON, FIXTURE_W, FIXTURE_H, 1, 0, skeleton };
  g_assert_true (ridge_image_view_set_map (v, &m, NULL));
  ridge_image_view_set_minutiae (v, min, n);
  g_assert_cmpuint (ridge_image_view_get_n_minutiae (v), ==, n);

  win = ridge_test_show (view, 420, 520);
  ridge_image_view_set_overlays (v, RIDGE_OVERLAY_NONE);
  ridge_test_wait (50);
  plain = ridge_test_screenshot (view, "image-view-plain");
  ridge_image_view_set_overlays (v, RIDGE_OVERLAY_MINUTIAE | RIDGE_OVERLAY_ORIENTATION);
  ridge_test_wait (50);
  marked = ridge_test_screenshot (view, "image-view-minutiae-orientation");

  /* the overlays really change pixels around a minutia */
  {
    double wx, wy;
    gboolean differs = FALSE;

    ridge_image_view_image_to_widget (v, min[2].x, min[2].y, &wx, &wy);
    for (int dy = -8; dy <= 8 && !differs; dy++)
      for (int dx = -8; dx <= 8 && !differs; dx++)
        differs = ridge_test_texture_pixel (plain, wx + dx, wy + dy)
                  != ridge_test_texture_pixel (marked, wx + dx, wy + dy);
    g_assert_true (differs);
  }

  ridge_image_view_set_overlays (v, RIDGE_OVERLAY_QUALITY | RIDGE_OVERLAY_FOREGROUND);
  ridge_test_wait (50);
  g_clear_object (&marked);
  marked = ridge_test_screenshot (view, "image-view-quality-foreground");
  /* a background corner block is tinted by the foreground mask */
  {
    double wx, wy;

    ridge_image_view_image_to_widget (v, 4, 4, &wx, &wy);
    g_assert_cmphex (ridge_test_texture_pixel (plain, wx + 1, wy + 1), !=,
                     ridge_test_texture_pixel (marked, wx + 1, wy + 1));
  }

  ridge_image_view_set_overlays (v, RIDGE_OVERLAY_BINARY | RIDGE_OVERLAY_SKELETON);
  ridge_test_wait (50);
  g_clear_object (&marked);
  marked = ridge_test_screenshot (view, "image-view-binary-skeleton");

  /* a new frame of another size drops the maps made for the old one */
  {
    guint8 small[64 * 64] = { 0 };
    RidgeImage s = { 64, 64, 500, small };

    g_assert_true (ridge_image_view_set_image (v, &s, NULL));
    g_assert_false (ridge_image_view_has_map (v, RIDGE_MAP_ORIENTATION));
  }
  /* bad images are refused with a sentence, and the old one stays */
  {
    RidgeImage bad = { 0, 10, 500, fixture_pixels };

    g_assert_false (ridge_image_view_set_image (v, &bad, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    bad = (RidgeImage) { 4096, 10, 500, fixture_pixels };
    g_assert_false (ridge_image_view_set_image (v, &bad, &error));
    g_clear_error (&error);
    g_assert_true (ridge_image_view_has_image (v));
  }

  gtk_window_destroy (win);
  g_assert_finalize_object (view);
}

static void
test_pair_view (void)
{
  GtkWidget *view = g_object_ref_sink (ridge_image_view_new ());
  RidgeImageView *v = RIDGE_IMAGE_VIEW (view);
  RidgeImage probe = fixture ();
  static guint8 gallery_pixels[FIXTURE_W * FIXTURE_H];
  RidgeImage gallery = { FIXTURE_W, FIXTURE_H, 500, gallery_pixels };
  RidgeMinutia pm[12], gm[12];
  guint np = ridge_fixture_minutiae (pm, 12, 0, 0);
  guint ng = ridge_fixture_minutiae (gm, 12, 8, -6);   /* the same minutiae, shifted */
  RidgeMinutiaPair pairs[14];
  GtkWindow *win;
  int cw, ch;
  g_autoptr (GdkTexture) shot = NULL;

  ridge_fixture_image (gallery_pixels, FIXTURE_W * 0.5 + 8, FIXTURE_H * 0.45 - 6);
  g_assert_true (ridge_image_view_set_image (v, &probe, NULL));
  ridge_image_view_set_minutiae (v, pm, np);
  g_assert_true (ridge_image_view_set_gallery (v, &gallery, gm, ng, NULL));
  for (guint i = 0; i < 12; i++)
    pairs[i] = (RidgeMinutiaPair) { i, i }
  ;
  pairs[12] = (RidgeMinutiaPair) { 200, 0 };   /* out of range: dropped */
  pairs[13] = (RidgeMinutiaPair) { 0, 99 };
  ridge_image_view_set_pairs (v, pairs, 14);
  g_assert_cmpuint (ridge_image_view_get_n_pairs (v), ==, 12);

  ridge_image_view_get_content_size (v, &cw, &ch);
  g_assert_cmpint (cw, ==, 2 * FIXTURE_W + RIDGE_IMAGE_VIEW_PAIR_GAP);
  g_assert_cmpint (ch, ==, FIXTURE_H);

  ridge_image_view_set_overlays (v, RIDGE_OVERLAY_MINUTIAE | RIDGE_OVERLAY_PAIRS);
  win = ridge_test_show (view, 720, 460);
  shot = ridge_test_screenshot (view, "image-view-pairs");

  /* new probe minutiae invalidate the pairs */
  ridge_image_view_set_minutiae (v, pm, 3);
  g_assert_cmpuint (ridge_image_view_get_n_pairs (v), ==, 0);

  gtk_window_destroy (win);
  g_assert_finalize_object (view);
}

int
main (int   argc,
      char *argv[])
{
  ridge_test_init (&argc, &argv);

  g_test_add_func ("/image-view/fit-and-zoom", test_fit_and_zoom);
  g_test_add_func ("/image-view/nearest-neighbour", test_nearest_neighbour);
  g_test_add_func ("/image-view/overlays-and-maps", test_overlays_and_maps);
  g_test_add_func ("/image-view/pair-view", test_pair_view);

  return g_test_run ();
}
