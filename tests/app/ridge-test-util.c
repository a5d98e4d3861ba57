/* ridge-test-util.c — shared helpers of the app tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ridge-test-util.h"

#include <math.h>

void
ridge_test_init (int    *argc,
                 char ***argv)
{
  g_autoptr (GtkCssProvider) css = gtk_css_provider_new ();

  gtk_test_init (argc, argv, NULL);
  adw_init ();
  g_setenv ("LC_NUMERIC", "C", TRUE);

  gtk_css_provider_load_from_resource (css, "/org/ridge/Ridge/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                    "/org/ridge/Ridge/icons");
}

static gboolean
quit_cb (gpointer data)
{
  gboolean *done = data;

  *done = TRUE;
  g_main_context_wakeup (NULL);
  return G_SOURCE_REMOVE;
}

void
ridge_test_wait (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, quit_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

void
ridge_test_present (GtkWindow *window)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  gtk_window_present (window);
  while (!gtk_widget_get_mapped (GTK_WIDGET (window)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window)));
  /* let size allocation, transitions and the first frames happen */
  ridge_test_wait (400);
}

GtkWindow *
ridge_test_show (GtkWidget *widget,
                 int        width,
                 int        height)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  gtk_window_set_default_size (window, width, height);
  gtk_window_set_child (window, widget);
  ridge_test_present (window);
  return window;
}

GdkTexture *
ridge_test_screenshot (GtkWidget  *widget,
                       const char *name)
{
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  GskRenderer *renderer;
  GdkTexture *texture;
  int w = gtk_widget_get_width (widget);
  int h = gtk_widget_get_height (widget);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  const char *root = g_getenv ("RIDGE_BUILD_ROOT");

  g_assert_cmpint (w, >, 0);
  g_assert_cmpint (h, >, 0);

  /* a solid window-coloured backdrop: widgets without a background come out readable */
  {
    GdkRGBA bg;

    if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (widget),
                                         "window_bg_color", &bg))
      bg = (GdkRGBA) { 1, 1, 1, 1 }
    ;
    gtk_snapshot_append_color (snapshot, &bg, &GRAPHENE_RECT_INIT (0, 0, w, h));
  }
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  g_assert_nonnull (renderer);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));

  dir = g_build_filename (root != NULL ? root : ".", "tests", "app", "screenshots", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  path = g_strdup_printf ("%s/%s.png", dir, name);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
  return texture;
}

guint32
ridge_test_texture_pixel (GdkTexture *texture,
                          int         x,
                          int         y)
{
  int w = gdk_texture_get_width (texture);
  int h = gdk_texture_get_height (texture);
  g_autofree guint32 *data = g_new (guint32, (gsize)w * h);

  g_assert_true (x >= 0 && x < w && y >= 0 && y < h);
  /* CAIRO_FORMAT_ARGB32 layout, native endian: one guint32 per pixel */
  gdk_texture_download (texture, (guchar *)data, (gsize)w * 4);
  return data[(gsize)y * w + x];
}

/* ---- fixtures ------------------------------------------------------------------------ */

static gboolean
inside_ellipse (double x,
                double y)
{
  double ex = (x - FIXTURE_W / 2.0) / (FIXTURE_W * 0.42);
  double ey = (y - FIXTURE_H / 2.0) / (FIXTURE_H * 0.44);

  return ex * ex + ey * ey <= 1.0;
}

void
ridge_fixture_image (guint8 *pixels,
                     double  core_x,
                     double  core_y)
{
  for (int y = 0; y < FIXTURE_H; y++)
    for (int x = 0; x < FIXTURE_W; x++)
      {
        double dx = x - core_x, dy = (y - core_y) * 0.85;
        double r = sqrt (dx * dx + dy * dy);
        double v = 128 + 105 * sin (2 * G_PI * r / 9.0 + 0.4 * atan2 (dy, dx));

        pixels[y * FIXTURE_W + x] = inside_ellipse (x, y) ? (guint8)CLAMP (v, 0, 255) : 236;
      }
}

void
ridge_fixture_orientation (float *blocks,
                           double core_x,
                           double core_y)
{
  int bw = FIXTURE_W / FIXTURE_BLOCK, bh = FIXTURE_H / FIXTURE_BLOCK;

  for (int by = 0; by < bh; by++)
    for (int bx = 0; bx < bw; bx++)
      {
        double dx = (bx + 0.5) * FIXTURE_BLOCK - core_x;
        double dy = (by + 0.5) * FIXTURE_BLOCK - core_y;
        /* ridges are (nearly) circles: the tangent (-dy, dx) in screen coordinates,
         * as an ISO angle (counter-clockwise on screen) modulo π */
        double a = atan2 (-dx, -dy);

        while (a < 0)
          a += G_PI;
        while (a >= G_PI)
          a -= G_PI;
        blocks[by * bw + bx] = (float)a;
      }
}

void
ridge_fixture_foreground (guint8 *blocks)
{
  int bw = FIXTURE_W / FIXTURE_BLOCK, bh = FIXTURE_H / FIXTURE_BLOCK;

  for (int by = 0; by < bh; by++)
    for (int bx = 0; bx < bw; bx++)
      blocks[by * bw + bx] = inside_ellipse ((bx + 0.5) * FIXTURE_BLOCK,
                                             (by + 0.5) * FIXTURE_BLOCK) ? 255 : 0;
}

guint
ridge_fixture_minutiae (RidgeMinutia *out,
                        guint         cap,
                        double        dx,
                        double        dy)
{
  static const float pos[][3] = {
    { 70, 90, 0.3f }, { 180, 80, 2.6f }, { 120, 150, 1.2f }, { 60, 200, 4.0f },
    { 200, 190, 5.5f }, { 140, 250, 3.3f }, { 100, 120, 0.9f }, { 165, 135, 2.0f },
    { 90, 260, 4.7f }, { 190, 250, 1.7f }, { 128, 60, 3.1f }, { 150, 205, 5.9f },
  };
  guint n = MIN (cap, G_N_ELEMENTS (pos));

  for (guint i = 0; i < n; i++)
    {
      out[i].x = pos[i][0] + dx;
      out[i].y = pos[i][1] + dy;
      out[i].angle = pos[i][2];
      out[i].type = i % 5 == 4 ? RIDGE_MINUTIA_OTHER
                    : (i % 2 ? RIDGE_MINUTIA_BIFURCATION : RIDGE_MINUTIA_ENDING);
      out[i].quality = (guint8)((i * 37) % 101);
    }
  return n;
}

void
ridge_fixture_health (RidgeSampleRing *ring,
                      gint64           end_us,
                      guint            n)
{
  for (guint i = 0; i < n; i++)
    {
      gint64 t = end_us - (gint64)(n - 1 - i) * G_USEC_PER_SEC;
      double base = 4.0 + 1.5 * sin (i / 9.0);
      RidgeChartSample s = {
        .time_us = t,
        .rtt_min_ms = base - 0.8,
        .rtt_median_ms = base,
        .rtt_max_ms = base + 1.2 + (i % 7 == 0 ? 3.0 : 0.0),
        .loss = (i >= n / 3 && i < n / 3 + 6) ? 0.1 : 0.0,
        .gap = (i >= 2 * n / 3 && i < 2 * n / 3 + 5),
      };

      ridge_sample_ring_push (ring, &s);
      if (i == 2 * n / 3 + 5)
        ridge_sample_ring_push_event (ring, t, RIDGE_CHART_EVENT_RECONNECT, "reconnected");
      if (i == 2 * n / 3)
        ridge_sample_ring_push_event (ring, t, RIDGE_CHART_EVENT_STATE, "lost");
    }
}
