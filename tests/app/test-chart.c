/* test-chart.c — RidgeChart value→pixel mapping, hover lookup, ring; RidgeSparkline
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The health samples are a synthetic fixture (a sine wave with a loss burst and a gap).
 */
#include "config.h"

#include "ridge-chart.h"
#include "ridge-sparkline.h"
#include "ridge-test-util.h"

/* a fixed, round end time: 2026-11-25 12:00:00 UTC */
#define END_US (G_GINT64_CONSTANT (1795608000) * G_USEC_PER_SEC)

static void
test_ring (void)
{
  g_autoptr (RidgeSampleRing) ring = ridge_sample_ring_new (4, 2);
  RidgeChartSample s = { 0 };

  for (int i = 0; i < 6; i++)
    {
      s.time_us = i * 10;
      s.rtt_median_ms = i;
      g_assert_true (ridge_sample_ring_push (ring, &s));
    }
  /* wrapped: keeps the newest four, oldest first */
  g_assert_cmpuint (ridge_sample_ring_len (ring), ==, 4);
  g_assert_cmpfloat (ridge_sample_ring_get (ring, 0)->rtt_median_ms, ==, 2);
  g_assert_cmpfloat (ridge_sample_ring_get (ring, 3)->rtt_median_ms, ==, 5);
  /* out of order is refused */
  s.time_us = 5;
  g_assert_false (ridge_sample_ring_push (ring, &s));
  /* lower bound */
  g_assert_cmpuint (ridge_sample_ring_lower_bound (ring, 0), ==, 0);
  g_assert_cmpuint (ridge_sample_ring_lower_bound (ring, 30), ==, 1);
  g_assert_cmpuint (ridge_sample_ring_lower_bound (ring, 31), ==, 2);
  g_assert_cmpuint (ridge_sample_ring_lower_bound (ring, 1000), ==, 4);
  /* events wrap too, labels are bounded */
  ridge_sample_ring_push_event (ring, 1, RIDGE_CHART_EVENT_STATE, "a");
  ridge_sample_ring_push_event (ring, 2, RIDGE_CHART_EVENT_STATE, "b");
  ridge_sample_ring_push_event (ring, 3, RIDGE_CHART_EVENT_RECONNECT,
                                "a label that is far longer than the forty-eight bytes kept");
  g_assert_cmpuint (ridge_sample_ring_n_events (ring), ==, 2);
  g_assert_cmpstr (ridge_sample_ring_get_event (ring, 0)->label, ==, "b");
  g_assert_cmpuint (strlen (ridge_sample_ring_get_event (ring, 1)->label), ==, 47);
}

static void
test_nice_ceiling (void)
{
  g_assert_cmpfloat (ridge_chart_nice_ceiling (0.7), ==, 1.0);
  g_assert_cmpfloat (ridge_chart_nice_ceiling (1.0), ==, 1.0);
  g_assert_cmpfloat (ridge_chart_nice_ceiling (1.01), ==, 2.0);
  g_assert_cmpfloat (ridge_chart_nice_ceiling (2.2), ==, 2.5);
  g_assert_cmpfloat (ridge_chart_nice_ceiling (3.0), ==, 5.0);
  g_assert_cmpfloat (ridge_chart_nice_ceiling (7.7), ==, 10.0);
  g_assert_cmpfloat (ridge_chart_nice_ceiling (120.0), ==, 200.0);
  g_assert_cmpfloat (ridge_chart_nice_ceiling (-1.0), ==, 1.0);
}

static void
test_mapping_and_hover (void)
{
  GtkWidget *chart = g_object_ref_sink (ridge_chart_new ());
  RidgeChart *c = RIDGE_CHART (chart);
  g_autoptr (RidgeSampleRing) ring = ridge_sample_ring_new (600, 16);
  graphene_rect_t area;
  GtkWindow *win;
  g_autoptr (GdkTexture) shot = NULL;
  double max_rtt = 0;
  int idx;

  ridge_fixture_health (ring, END_US, 300);
  for (guint i = 0; i < ridge_sample_ring_len (ring); i++)
    if (!ridge_sample_ring_get (ring, i)->gap)
      max_rtt = MAX (max_rtt, ridge_sample_ring_get (ring, i)->rtt_max_ms);
  ridge_chart_set_ring (c, ring);
  ridge_chart_set_span (c, 300);
  win = ridge_test_show (chart, 800, 300);
  ridge_chart_get_plot_area (c, &area);
  g_assert_cmpfloat (area.size.width, >, 600);

  /* time axis: the window ends at the newest sample, starts span seconds before */
  g_assert_cmpfloat_with_epsilon (ridge_chart_time_to_x (c, END_US),
                                  area.origin.x + area.size.width, 1e-6);
  g_assert_cmpfloat_with_epsilon (ridge_chart_time_to_x (c, END_US - 300 * G_USEC_PER_SEC),
                                  area.origin.x, 1e-6);
  g_assert_cmpfloat_with_epsilon (ridge_chart_time_to_x (c, END_US - 150 * G_USEC_PER_SEC),
                                  area.origin.x + area.size.width / 2, 1e-6);

  /* value axis: 0 at the bottom, a nice maximum ≥ 1.1 × the largest RTT at the top */
  g_assert_cmpfloat (ridge_chart_get_value_max (c), >=, max_rtt * 1.1);
  g_assert_cmpfloat (ridge_chart_get_value_max (c), ==,
                     ridge_chart_nice_ceiling (ridge_chart_get_value_max (c)));
  g_assert_cmpfloat_with_epsilon (ridge_chart_value_to_y (c, 0),
                                  area.origin.y + area.size.height, 1e-6);
  g_assert_cmpfloat_with_epsilon (ridge_chart_value_to_y (c, ridge_chart_get_value_max (c)),
                                  area.origin.y, 1e-6);
  g_assert_cmpfloat_with_epsilon (ridge_chart_value_to_y (c, ridge_chart_get_value_max (c) / 4),
                                  area.origin.y + area.size.height * 0.75, 1e-6);
  /* clamped outside the axis */
  g_assert_cmpfloat_with_epsilon (ridge_chart_value_to_y (c, 1e9), area.origin.y, 1e-6);

  /* hover lookup: exact sample positions, halfway snapping, outside → -1 */
  {
    guint n = ridge_sample_ring_len (ring);
    const RidgeChartSample *last = ridge_sample_ring_get (ring, n - 1);
    const RidgeChartSample *s100 = ridge_sample_ring_get (ring, 100);
    double x100 = ridge_chart_time_to_x (c, s100->time_us);
    double step = area.size.width / 300.0;

    g_assert_cmpint (ridge_chart_sample_at_x (c, ridge_chart_time_to_x (c, last->time_us)), ==,
                     n - 1);
    g_assert_cmpint (ridge_chart_sample_at_x (c, x100), ==, 100);
    g_assert_cmpint (ridge_chart_sample_at_x (c, x100 + 0.4 * step), ==, 100);
    g_assert_cmpint (ridge_chart_sample_at_x (c, x100 + 0.6 * step), ==, 101);
    g_assert_cmpint (ridge_chart_sample_at_x (c, 0), ==, -1);
    g_assert_cmpint (ridge_chart_sample_at_x (c, 5000), ==, -1);
  }

  /* the tooltip text carries the exact values, and says so for a gap */
  {
    g_autofree char *text = ridge_chart_describe_sample (c, 100);
    g_autofree char *expect = g_strdup_printf ("%.2f ms", ridge_sample_ring_get (ring,
                                                                                 100)->rtt_median_ms);
    g_autofree char *gap = ridge_chart_describe_sample (c, 201);

    g_assert_true (ridge_sample_ring_get (ring, 201)->gap);
    g_assert_nonnull (strstr (text, expect));
    g_assert_nonnull (strstr (gap, "timed out"));
  }

  /* hovering draws the crosshair: pixels change near the hovered sample */
  shot = ridge_test_screenshot (chart, "chart-5min");
  idx = ridge_chart_sample_at_x (c, area.origin.x + area.size.width / 3);
  g_assert_cmpint (idx, >=, 0);

  ridge_chart_set_span (c, 60);
  ridge_test_wait (50);
  g_clear_object (&shot);
  shot = ridge_test_screenshot (chart, "chart-1min");

  /* empty ring: no samples, nothing to hover */
  ridge_sample_ring_clear (ring);
  g_assert_cmpint (ridge_chart_sample_at_x (c, area.origin.x + 10), ==, -1);
  ridge_test_wait (300);
  g_clear_object (&shot);
  shot = ridge_test_screenshot (chart, "chart-empty");

  gtk_window_destroy (win);
  g_assert_finalize_object (chart);
}

/* Ten quiet seconds between two runs of samples: the line is not drawn across them and the
 * silence is shaded like a timed-out interval. */
static void
test_silence_is_a_gap (void)
{
  GtkWidget *chart = g_object_ref_sink (ridge_chart_new ());
  RidgeChart *c = RIDGE_CHART (chart);
  g_autoptr (RidgeSampleRing) ring = ridge_sample_ring_new (64, 4);
  g_autoptr (GdkTexture) shot = NULL;
  GtkWindow *win;
  double x, y;
  guint32 px;

  for (int i = 0; i < 30; i++)
    {
      RidgeChartSample sample = {
        .time_us = END_US - (29 - i) * G_USEC_PER_SEC,
        .rtt_min_ms = 4, .rtt_median_ms = 5, .rtt_max_ms = 6,
      };

      if (i >= 10 && i < 20)
        continue;
      g_assert_true (ridge_sample_ring_push (ring, &sample));
    }
  ridge_chart_set_ring (c, ring);
  ridge_chart_set_span (c, 30);
  win = ridge_test_show (chart, 600, 240);
  shot = ridge_test_screenshot (chart, "chart-silence");

  /* in the middle of the silence, on the median's height: gap shading, no blue line */
  x = ridge_chart_time_to_x (c, END_US - 15 * G_USEC_PER_SEC);
  y = ridge_chart_value_to_y (c, 5);
  px = ridge_test_texture_pixel (shot, (int)x, (int)y);
  g_assert_cmpuint ((px >> 16) & 0xff, >, (px & 0xff) + 12);
  /* where samples are, the line is there (blue dominates) */
  x = ridge_chart_time_to_x (c, END_US - 3 * G_USEC_PER_SEC);
  px = ridge_test_texture_pixel (shot, (int)x, (int)y);
  g_assert_cmpuint (px & 0xff, >, (px >> 16) & 0xff);

  gtk_window_destroy (win);
  g_assert_finalize_object (chart);
}

static void
count_cb (guint *n)
{
  (*n)++;
}

/* A series chart: throughput in and out over two minutes, with a ten-second silence. */
static void
test_series (void)
{
  static const RidgeChartSeries series[] = {
    RIDGE_CHART_SERIES_BYTES_IN, RIDGE_CHART_SERIES_BYTES_OUT
  };
  GtkWidget *chart = g_object_ref_sink (ridge_chart_new ());
  RidgeChart *c = RIDGE_CHART (chart);
  g_autoptr (RidgeSampleRing) ring = ridge_sample_ring_new (256, 4);
  g_autoptr (GdkTexture) shot = NULL;
  GtkWindow *win;
  guint hovers = 0;
  guint n;

  /* units */
  {
    const struct {
      RidgeChartUnit unit;
      double         value;
      const char    *text;
    } cases[] = {
      { RIDGE_CHART_UNIT_BYTES_PER_SECOND, 0, "0 B/s" },
      { RIDGE_CHART_UNIT_BYTES_PER_SECOND, 999, "999 B/s" },
      { RIDGE_CHART_UNIT_BYTES_PER_SECOND, 1500, "1.5\u00a0kB/s" },
      { RIDGE_CHART_UNIT_BYTES_PER_SECOND, 2.5e6, "2.5\u00a0MB/s" },
      { RIDGE_CHART_UNIT_PER_SECOND, 3, "3/s" },
      { RIDGE_CHART_UNIT_PER_SECOND, 0.5, "0.50/s" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autofree char *text = ridge_chart_format_value (cases[i].unit, cases[i].value);

        g_assert_cmpstr (text, ==, cases[i].text);
      }
  }

  for (int i = 0; i < 120; i++)
    {
      RidgeChartSample sample = {
        .time_us = END_US - (119 - i) * G_USEC_PER_SEC,
        .rtt_min_ms = 1, .rtt_median_ms = 2, .rtt_max_ms = 3,
      };

      if (i >= 60 && i < 70)
        continue;
      sample.series[RIDGE_CHART_SERIES_BYTES_IN] = 1000.0 * i;
      sample.series[RIDGE_CHART_SERIES_BYTES_OUT] = 500;
      g_assert_true (ridge_sample_ring_push (ring, &sample));
    }
  n = ridge_sample_ring_len (ring);
  ridge_chart_set_ring (c, ring);
  ridge_chart_set_span (c, 120);
  ridge_chart_set_series (c, "Throughput", RIDGE_CHART_UNIT_BYTES_PER_SECOND, series,
                          G_N_ELEMENTS (series));
  g_assert_cmpuint (ridge_chart_get_n_series (c), ==, 2);
  g_signal_connect_swapped (c, "hover-changed", G_CALLBACK (count_cb), &hovers);
  win = ridge_test_show (chart, 700, 220);

  /* the value axis fits the largest series value (119 kB/s), not the RTT */
  g_assert_cmpfloat (ridge_chart_get_value_max (c), ==, 200000);
  /* its labels go in even steps, in one unit with one precision */
  {
    static const struct { double top; const char *labels[5]; } axes[] = {
      { 200000, { "0 kB/s", "50 kB/s", "100 kB/s", "150 kB/s", "200 kB/s" } },
      { 2e6, { "0.0 MB/s", "0.5 MB/s", "1.0 MB/s", "1.5 MB/s", "2.0 MB/s" } },
      { 4e6, { "0 MB/s", "1 MB/s", "2 MB/s", "3 MB/s", "4 MB/s" } },
      { 8, { "0 B/s", "2 B/s", "4 B/s", "6 B/s", "8 B/s" } },
    };

    for (guint a = 0; a < G_N_ELEMENTS (axes); a++)
      for (guint i = 0; i < 5; i++)
        {
          g_autofree char *label = ridge_chart_format_axis_value (
            RIDGE_CHART_UNIT_BYTES_PER_SECOND, axes[a].top * i / 4.0, axes[a].top);

          g_assert_cmpstr (label, ==, axes[a].labels[i]);
        }
  }
  {
    g_autofree char *values = ridge_chart_describe_values (c, 50);
    g_autofree char *tip = ridge_chart_describe_sample (c, 50);

    g_assert_cmpstr (values, ==, "received 50.0\u00a0kB/s, sent 500 B/s");
    g_assert_true (g_str_has_suffix (tip, values));
  }

  /* keyboard: ← from nothing picks the newest, Home the oldest in view, Escape lets go */
  {
    GtkEventController *key = NULL;
    g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (chart);
    gboolean handled = FALSE;

    for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
      {
        g_autoptr (GtkEventController) ctl = g_list_model_get_item (controllers, i);

        if (GTK_IS_EVENT_CONTROLLER_KEY (ctl))
          key = ctl;
      }
    g_assert_nonnull (key);
    g_assert_true (gtk_widget_get_focusable (chart));
    g_signal_emit_by_name (key, "key-pressed", GDK_KEY_Left, 0, 0, &handled);
    g_assert_true (handled);
    g_assert_cmpint (ridge_chart_get_hover_index (c), ==, (int)n - 1);
    g_signal_emit_by_name (key, "key-pressed", GDK_KEY_Left, 0, 0, &handled);
    g_assert_cmpint (ridge_chart_get_hover_index (c), ==, (int)n - 2);
    g_signal_emit_by_name (key, "key-pressed", GDK_KEY_Right, 0, 0, &handled);
    g_signal_emit_by_name (key, "key-pressed", GDK_KEY_Right, 0, 0, &handled);
    g_assert_cmpint (ridge_chart_get_hover_index (c), ==, (int)n - 1);
    g_signal_emit_by_name (key, "key-pressed", GDK_KEY_Home, 0, 0, &handled);
    g_assert_cmpint (ridge_chart_get_hover_index (c), ==, 0);
    ridge_test_wait (50);
    g_clear_object (&shot);
    shot = ridge_test_screenshot (chart, "chart-series-hover");
    g_signal_emit_by_name (key, "key-pressed", GDK_KEY_Escape, 0, 0, &handled);
    g_assert_true (handled);
    g_assert_cmpint (ridge_chart_get_hover_index (c), ==, -1);
    handled = TRUE;
    g_signal_emit_by_name (key, "key-pressed", GDK_KEY_Escape, 0, 0, &handled);
    g_assert_false (handled);
    /* four moves that changed the sample (→ at the newest did not), and Escape */
    g_assert_cmpuint (hovers, ==, 5);
  }
  /* set_hover_index is for keeping charts in step: it does not signal */
  ridge_chart_set_hover_index (c, 10);
  g_assert_cmpint (ridge_chart_get_hover_index (c), ==, 10);
  ridge_chart_set_hover_index (c, 100000);
  g_assert_cmpint (ridge_chart_get_hover_index (c), ==, -1);
  g_assert_cmpuint (hovers, ==, 5);

  ridge_test_wait (50);
  g_clear_object (&shot);
  shot = ridge_test_screenshot (chart, "chart-series");
  /* the "received" line near the newest sample is blue (the palette's blue_3), the silence
   * is not joined: nothing blue in its middle at the line's height */
  {
    double x = ridge_chart_time_to_x (c, END_US - 2 * G_USEC_PER_SEC);
    double y = ridge_chart_value_to_y (c, 117000);
    guint32 px = ridge_test_texture_pixel (shot, (int)x, (int)y);

    g_assert_cmpuint (px & 0xff, >, ((px >> 16) & 0xff) + 60);
    x = ridge_chart_time_to_x (c, END_US - 55 * G_USEC_PER_SEC);
    y = ridge_chart_value_to_y (c, 64500);
    px = ridge_test_texture_pixel (shot, (int)x, (int)y);
    g_assert_cmpuint (px & 0xff, <, ((px >> 16) & 0xff) + 30);
  }

  /* counts per second: the axis ends on a multiple of four (whole numbers on the grid) */
  {
    static const RidgeChartSeries counts[] = { RIDGE_CHART_SERIES_FRAMES };

    ridge_chart_set_series (c, "Frames", RIDGE_CHART_UNIT_PER_SECOND, counts, 1);
    g_assert_cmpfloat (ridge_chart_get_value_max (c), ==, 4);
  }

  /* a quiet byte rate (all zero here): the quarters of the axis are whole bytes, so no two
   * labels read the same */
  {
    static const RidgeChartSeries quiet[] = { RIDGE_CHART_SERIES_RETRANS };
    g_autofree char *q1 = NULL;
    g_autofree char *q2 = NULL;

    ridge_chart_set_series (c, "Quiet", RIDGE_CHART_UNIT_BYTES_PER_SECOND, quiet, 1);
    g_assert_cmpfloat (ridge_chart_get_value_max (c), ==, 4);
    q1 = ridge_chart_format_value (RIDGE_CHART_UNIT_BYTES_PER_SECOND,
                                   ridge_chart_get_value_max (c) / 4);
    q2 = ridge_chart_format_value (RIDGE_CHART_UNIT_BYTES_PER_SECOND,
                                   ridge_chart_get_value_max (c) / 2);
    g_assert_cmpstr (q1, !=, q2);
  }

  gtk_window_destroy (win);
  g_assert_finalize_object (chart);
}

static void
test_sparkline (void)
{
  GtkWidget *spark = g_object_ref_sink (ridge_sparkline_new ());
  g_autoptr (RidgeSampleRing) ring = ridge_sample_ring_new (120, 4);
  GtkWindow *win;
  g_autoptr (GdkTexture) shot = NULL;

  ridge_fixture_health (ring, END_US, 90);
  ridge_sparkline_set_ring (RIDGE_SPARKLINE (spark), ring);
  ridge_sparkline_set_n_samples (RIDGE_SPARKLINE (spark), 90);
  win = ridge_test_show (spark, 160, 40);
  shot = ridge_test_screenshot (spark, "sparkline");
  gtk_window_destroy (win);
  g_assert_finalize_object (spark);
}

int
main (int   argc,
      char *argv[])
{
  ridge_test_init (&argc, &argv);
  g_test_add_func ("/chart/ring", test_ring);
  g_test_add_func ("/chart/nice-ceiling", test_nice_ceiling);
  g_test_add_func ("/chart/mapping-and-hover", test_mapping_and_hover);
  g_test_add_func ("/chart/silence-is-a-gap", test_silence_is_a_gap);
  g_test_add_func ("/chart/series", test_series);
  g_test_add_func ("/chart/sparkline", test_sparkline);
  return g_test_run ();
}
