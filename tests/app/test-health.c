/* test-health.c — the Health page and the fleet overview against real ridge-terminals
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Three reference terminals on localhost (simulated sensor): "slow" with --latency and
 * --rate-limit (so RTTs are long and live frames are dropped), and two plain ones, of which
 * one is killed for the fleet page. Checks the mtr-like summary, the series charts, hover
 * and keyboard readouts, the CSV export, and the fleet rows; screenshots of both pages in
 * light and dark style. Skips when the ridge-terminal executable is not built.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ridge-fleet-page.h"
#include "ridge-health-page.h"
#include "ridge-test-terminal.h"
#include "ridge-test-util.h"
#include "ridge-window.h"
#include "core/ridge-health.h"
#include "core/ridge-session.h"

#define N_TERMINALS 3
#define LATENCY_MS  25

static RidgeTestTerminal *terminals[N_TERMINALS];

/* fault1, fault2: extra options (may be NULL) */
static RidgeTestTerminal *
start_terminal (const char *fault1,
                const char *fault2)
{
  RidgeTestTerminal *t = ridge_test_terminal_new (g_getenv ("RIDGE_TERMINAL"),
                                                  "ridge-health-test",
                                                  RIDGE_TEST_TERMINAL_DEFAULT);
  const char *const args[] = {
    "--sensor=synthetic", "--fps=10", "--width=320", "--height=360",
    fault1 != NULL ? fault1 : "--fps=10", fault2 != NULL ? fault2 : "--fps=10", NULL
  };

  ridge_test_terminal_spawn (t, args);
  g_test_message ("terminal at %s", ridge_test_terminal_get_address (t));
  return t;
}

static RidgeTerminalItem *
find_item (RidgeWindow *window,
           const char  *address)
{
  GListModel *list = ridge_window_get_terminals (window);

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr (RidgeTerminalItem) item = g_list_model_get_item (list, i);

      if (g_str_equal (ridge_terminal_item_get_address (item), address))
        return item;
    }
  g_assert_not_reached ();
}

static gboolean
item_ready (gpointer data)
{
  return ridge_terminal_item_get_state (data) == RIDGE_TERMINAL_STATE_READY;
}

static gboolean
item_lost (gpointer data)
{
  RidgeTerminalState s = ridge_terminal_item_get_state (data);

  return s == RIDGE_TERMINAL_STATE_LOST || s == RIDGE_TERMINAL_STATE_RECONNECTING;
}

/* Enough seconds in the ring, with frames and drops among them. */
static gboolean
has_series (gpointer data)
{
  RidgeSampleRing *ring = ridge_terminal_item_get_ring (data);
  guint n = ridge_sample_ring_len (ring);
  double frames = 0, drops = 0, in = 0;

  for (guint i = 0; i < n; i++)
    {
      const RidgeChartSample *s = ridge_sample_ring_get (ring, i);

      frames += s->series[RIDGE_CHART_SERIES_FRAMES];
      drops += s->series[RIDGE_CHART_SERIES_DROPS];
      in += s->series[RIDGE_CHART_SERIES_BYTES_IN];
    }
  return n >= 8 && frames > 0 && drops > 0 && in > 0;
}

static RidgeHealth *
item_health (RidgeTerminalItem *item)
{
  return ridge_session_get_health (RIDGE_SESSION (ridge_terminal_item_get_session (item)));
}

/* Sends a pointer motion to the chart's motion controller (what hovering does). */
static void
hover (RidgeChart *chart,
       double      x,
       double      y)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (chart));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GtkEventController) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_MOTION (c))
        g_signal_emit_by_name (c, "motion", x, y);
    }
}

static gboolean
press_key (RidgeChart *chart,
           guint       keyval)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (chart));
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GtkEventController) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (c))
        g_signal_emit_by_name (c, "key-pressed", keyval, 0, 0, &handled);
    }
  return handled;
}

/* A screenshot after a frame: the page's labels change every second, and a widget waiting
 * for its new size renders as nothing. */
static void
shot (RidgeWindow *window,
      const char  *name)
{
  ridge_test_wait (150);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (window), name));
}

static double
figure_ms (RidgeHealthPage *page,
           const char      *name)
{
  const char *text = ridge_health_page_get_figure (page, name);

  g_assert_true (g_str_has_suffix (text, " ms"));
  return g_ascii_strtod (text, NULL);
}

static void
check_health_page (RidgeWindow       *window,
                   RidgeTerminalItem *slow)
{
  RidgeTerminalView *view = ridge_window_get_terminal_view (window);
  RidgeHealthPage *page = ridge_terminal_view_get_health_page (view);
  RidgeChart *rtt = ridge_health_page_get_chart (page);
  RidgeChart *throughput = ridge_health_page_get_series_chart (page,
                                                               RIDGE_CHART_SERIES_BYTES_IN);
  RidgeChart *frames = ridge_health_page_get_series_chart (page, RIDGE_CHART_SERIES_DROPS);
  RidgeChart *retrans = ridge_health_page_get_series_chart (page, RIDGE_CHART_SERIES_RETRANS);
  RidgeChart *usb = ridge_health_page_get_series_chart (page, RIDGE_CHART_SERIES_USB_STALLS);
  RidgeSampleRing *ring = ridge_terminal_item_get_ring (slow);
  RidgeHealthSummary sum;
  const char *readout;
  int index;

  ridge_window_select_terminal (window, ridge_terminal_item_get_address (slow));
  ridge_terminal_view_set_visible_page (view, "health");
  ridge_test_wait (1500);
  /* "Live (last minute)": every chart follows the switch */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (gtk_widget_get_template_child (
                                               GTK_WIDGET (page), RIDGE_TYPE_HEALTH_PAGE,
                                               "span_dropdown")), 0);
  g_assert_cmpuint (ridge_chart_get_span (rtt), ==, 60);
  g_assert_cmpuint (ridge_chart_get_span (usb), ==, 60);

  /* the mtr-like summary is the core's, and the latency knob shows in it */
  ridge_health_get_summary (item_health (slow), &sum);
  g_assert_cmpuint (g_ascii_strtoull (ridge_health_page_get_figure (page, "sent"), NULL, 10),
                    >=, 5);
  g_assert_true (g_str_has_suffix (ridge_health_page_get_figure (page, "loss"), "%"));
  g_assert_cmpfloat (figure_ms (page, "best"), >=, LATENCY_MS * 0.9);
  g_assert_cmpfloat (figure_ms (page, "worst"), >=, figure_ms (page, "avg"));
  g_assert_cmpfloat (figure_ms (page, "avg"), >=, figure_ms (page, "best"));
  g_assert_cmpfloat (figure_ms (page, "stdev"), >=, 0.0);
  g_test_message ("summary: sent %s, loss %s, last %s, avg %s, best %s, worst %s, stdev %s",
                  ridge_health_page_get_figure (page, "sent"),
                  ridge_health_page_get_figure (page, "loss"),
                  ridge_health_page_get_figure (page, "last"),
                  ridge_health_page_get_figure (page, "avg"),
                  ridge_health_page_get_figure (page, "best"),
                  ridge_health_page_get_figure (page, "worst"),
                  ridge_health_page_get_figure (page, "stdev"));

  /* TCP: retransmits shown, the USB chart not */
  if (!gtk_widget_get_mapped (GTK_WIDGET (page)))
    {
      int min, nat;

      gtk_widget_measure (GTK_WIDGET (ridge_window_get_terminal_view (window)),
                          GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
      g_test_message ("view min %d nat %d", min, nat);
      gtk_widget_measure (GTK_WIDGET (page), GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL,
                          NULL);
      g_test_message ("page min %d nat %d", min, nat);
      shot (window, "health-debug");
    }
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (page)));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (retrans)));
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (usb)));
  g_assert_cmpuint (ridge_chart_get_n_series (throughput), ==, 2);
  g_assert_cmpuint (ridge_chart_get_n_series (rtt), ==, 0);
  /* the charts share the time axis */
  g_assert_cmpuint (ridge_chart_get_span (throughput), ==, ridge_chart_get_span (rtt));
  g_assert_cmpfloat_with_epsilon (
    ridge_chart_time_to_x (frames, ridge_sample_ring_get (ring, 0)->time_us),
    ridge_chart_time_to_x (rtt, ridge_sample_ring_get (ring, 0)->time_us), 0.5);

  /* hovering a chart picks that second in all of them and says every value */
  {
    graphene_rect_t area;
    const RidgeChartSample *s;
    g_autofree char *tip = NULL;
    g_autofree char *values = NULL;

    ridge_chart_get_plot_area (throughput, &area);
    hover (throughput, area.origin.x + area.size.width - 2, area.origin.y + 10);
    index = ridge_chart_get_hover_index (throughput);
    g_assert_cmpint (index, >=, 0);
    g_assert_cmpint (ridge_chart_get_hover_index (rtt), ==, index);
    g_assert_cmpint (ridge_chart_get_hover_index (frames), ==, index);
    s = ridge_sample_ring_get (ring, index);
    tip = ridge_chart_describe_sample (throughput, index);
    values = ridge_chart_format_value (RIDGE_CHART_UNIT_BYTES_PER_SECOND,
                                       s->series[RIDGE_CHART_SERIES_BYTES_IN]);
    g_assert_nonnull (strstr (tip, "received"));
    g_assert_nonnull (strstr (tip, values));
    readout = ridge_health_page_get_figure (page, "readout");
    g_test_message ("hover: %s", readout);
    g_assert_nonnull (strstr (readout, values));
    g_assert_nonnull (strstr (readout, s->gap ? "no answer" : "round trip"));
    g_assert_nonnull (strstr (readout, "dropped"));
    g_assert_nonnull (strstr (readout, "retransmits"));
  }
  shot (window, "health-hover");

  /* the keyboard does the same: ← steps back a second, Escape lets go */
  g_assert_true (press_key (rtt, GDK_KEY_Left));
  g_assert_cmpint (ridge_chart_get_hover_index (rtt), ==, index - 1);
  g_assert_cmpint (ridge_chart_get_hover_index (throughput), ==, index - 1);
  {
    g_autofree char *tip = ridge_chart_describe_sample (rtt, index - 1);

    g_assert_true (g_str_has_prefix (ridge_health_page_get_figure (page, "readout"), tip));
  }
  g_assert_true (press_key (rtt, GDK_KEY_Home));
  g_assert_cmpint (ridge_chart_get_hover_index (frames), ==,
                   (int)ridge_sample_ring_lower_bound (ring, ridge_sample_ring_get (
                                                         ring,
                                                         ridge_sample_ring_len (ring) - 1)
                                                       ->time_us - 60 * G_USEC_PER_SEC));
  g_assert_true (press_key (rtt, GDK_KEY_Escape));
  g_assert_cmpint (ridge_chart_get_hover_index (throughput), ==, -1);
  g_assert_false (press_key (rtt, GDK_KEY_a));

  /* the values behind the charts: frames, drops (the rate limit) and bytes both ways */
  {
    double in = 0, out = 0, fps = 0, drops = 0;

    for (guint i = 0; i < ridge_sample_ring_len (ring); i++)
      {
        const RidgeChartSample *s = ridge_sample_ring_get (ring, i);

        in += s->series[RIDGE_CHART_SERIES_BYTES_IN];
        out += s->series[RIDGE_CHART_SERIES_BYTES_OUT];
        fps = MAX (fps, s->series[RIDGE_CHART_SERIES_FRAMES]);
        drops += s->series[RIDGE_CHART_SERIES_DROPS];
      }
    g_test_message ("ring: %u s, %.0f B in, %.0f B out, up to %.1f frames/s, %.0f dropped",
                    ridge_sample_ring_len (ring), in, out, fps, drops);
    g_assert_cmpfloat (in, >, out);
    g_assert_cmpfloat (out, >, 0);
    g_assert_cmpfloat (fps, >, 0);
    g_assert_cmpfloat (drops, >, 0);
  }

  shot (window, "health");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  ridge_test_wait (400);
  shot (window, "health-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);
  ridge_test_wait (200);
}

/* Sum of one CSV column. */
static guint64
csv_sum (const char *csv,
         const char *name)
{
  g_auto (GStrv) lines = g_strsplit (csv, "\n", -1);
  g_auto (GStrv) header = g_strsplit (lines[0], ",", -1);
  guint64 sum = 0;
  int col = -1;

  for (guint i = 0; header[i] != NULL; i++)
    if (g_str_equal (header[i], name))
      col = (int)i;
  g_assert_cmpint (col, >=, 0);
  for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i], ",", -1);

      g_assert_cmpuint (g_strv_length (f), ==, g_strv_length (header));
      sum += g_ascii_strtoull (f[col], NULL, 10);
    }
  return sum;
}

static void
check_csv_export (RidgeWindow       *window,
                  RidgeTerminalItem *slow)
{
  RidgeHealthPage *page = ridge_terminal_view_get_health_page (
    ridge_window_get_terminal_view (window));
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ridge-csv-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "health.csv", NULL);
  g_autofree char *bad = g_build_filename (dir, "no-such-folder", "health.csv", NULL);
  g_autofree char *text = NULL;
  g_autofree char *core = NULL;
  g_auto (GStrv) lines = NULL;
  g_auto (GStrv) core_lines = NULL;
  GStatBuf st;

  g_assert_no_error (error);
  g_assert_true (ridge_health_page_export_csv (page, path, &error));
  g_assert_no_error (error);
  core = ridge_health_to_csv (item_health (slow));
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0644);

  /* the very text `ridgectl health --csv` writes: same header, same seconds (the newest
   * second may have grown in between) */
  lines = g_strsplit (text, "\n", -1);
  core_lines = g_strsplit (core, "\n", -1);
  g_assert_cmpstr (lines[0], ==, core_lines[0]);
  g_assert_true (g_str_has_prefix (lines[0], "second,rtt_count,"));
  g_assert_cmpuint (g_strv_length (lines), >=, 10);
  g_assert_cmpuint (g_strv_length (core_lines), >=, g_strv_length (lines));
  g_assert_cmpstr (lines[1], ==, core_lines[1]);
  g_assert_cmpuint (csv_sum (text, "bytes_in"), >, 0);
  g_assert_cmpuint (csv_sum (text, "frames_dropped"), >, 0);
  g_assert_cmpuint (csv_sum (text, "pings_sent"), >=, 5);
  g_test_message ("CSV: %u lines, %" G_GUINT64_FORMAT " bytes in",
                  g_strv_length (lines) - 2, csv_sum (text, "bytes_in"));

  /* a folder that is not there: a sentence, nothing written */
  g_assert_false (ridge_health_page_export_csv (page, bad, &error));
  g_assert_nonnull (error);
  g_assert_cmpstr (error->message, !=, "");
  g_test_message ("export error: %s", error->message);
  g_clear_error (&error);

  g_unlink (path);
  g_rmdir (dir);
}

static void
check_fleet (RidgeWindow       *window,
             RidgeTerminalItem *slow,
             RidgeTerminalItem *killed)
{
  RidgeFleetPage *fleet = ridge_window_get_fleet_page (window);
  GtkWidget *row0;
  guint killed_index = G_MAXUINT;

  ridge_window_show_fleet (window);
  ridge_test_wait (1500);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (fleet)));
  g_assert_cmpuint (ridge_fleet_page_get_n_rows (fleet), ==, N_TERMINALS);
  row0 = ridge_fleet_page_get_row (fleet, 0);

  for (guint i = 0; i < N_TERMINALS; i++)
    {
      g_autofree char *text = ridge_fleet_page_dup_row_text (fleet, i);
      g_auto (GStrv) f = g_strsplit (text, " | ", -1);

      g_test_message ("fleet row %u: %s", i, text);
      g_assert_cmpuint (g_strv_length (f), ==, 6);
      if (g_str_equal (f[1], ridge_terminal_item_get_address (killed)))
        {
          killed_index = i;
          /* lost or reconnecting, with the reason; no RTT now */
          g_assert_true (g_str_has_prefix (f[2], "Lost") || g_str_has_prefix (f[2], "Reconnect"));
          g_assert_cmpstr (f[4], ==, "—");
          g_assert_true (g_str_has_suffix (f[3], "ago"));
        }
      else
        {
          g_assert_true (g_str_has_prefix (f[2], "Ready") || g_str_has_prefix (f[2], "Conn"));
          g_assert_true (g_str_has_suffix (f[4], " ms"));
          g_assert_cmpstr (f[3], ==, "now");
          g_assert_true (g_str_has_suffix (f[5], "%"));
        }
    }
  g_assert_cmpuint (killed_index, <, N_TERMINALS);
  shot (window, "fleet");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  ridge_test_wait (400);
  shot (window, "fleet-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);

  /* live updates keep the rows (no widget made anew each second) */
  ridge_test_wait (2200);
  g_assert_true (ridge_fleet_page_get_row (fleet, 0) == row0);

  /* a click opens that terminal */
  {
    GtkWidget *row = ridge_fleet_page_get_row (fleet, killed_index == 0 ? 1 : 0);
    g_autofree char *text = ridge_fleet_page_dup_row_text (fleet, killed_index == 0 ? 1 : 0);
    GtkWidget *list = gtk_widget_get_parent (row);

    g_signal_emit_by_name (list, "row-activated", row);
    ridge_test_wait (300);
    g_assert_nonnull (ridge_terminal_view_get_item (ridge_window_get_terminal_view (window)));
    g_assert_nonnull (strstr (text, ridge_terminal_item_get_address (
                                ridge_terminal_view_get_item (
                                  ridge_window_get_terminal_view (window)))));
    g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (fleet)));
  }
  (void)slow;
}

static void
test_health_and_fleet (void)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.ridge.Ridge");
  RidgeWindow *window;
  RidgeTerminalItem *items[N_TERMINALS];

  g_settings_reset (settings, "terminals");
  terminals[0] = start_terminal ("--latency=" G_STRINGIFY (LATENCY_MS), "--rate-limit=150000");
  terminals[1] = start_terminal (NULL, NULL);
  terminals[2] = start_terminal (NULL, NULL);

  window = g_object_ref_sink (ridge_window_new (NULL));
  gtk_window_set_default_size (GTK_WINDOW (window), 1180, 900);
  ridge_test_present (GTK_WINDOW (window));
  for (guint i = 0; i < N_TERMINALS; i++)
    {
      g_assert_true (ridge_window_add_terminal (window,
                                                ridge_test_terminal_get_address (
                                                  terminals[i]), NULL));
      items[i] = find_item (window, ridge_test_terminal_get_address (terminals[i]));
      ridge_terminal_item_connect (items[i]);
    }
  for (guint i = 0; i < N_TERMINALS; i++)
    g_assert_true (ridge_test_wait_until (item_ready, items[i], 10000));
  /* live frames through the rate limit: drops */
  ridge_terminal_item_set_streaming (items[0], TRUE);
  g_assert_true (ridge_test_wait_until (has_series, items[0], 30000));
  ridge_test_wait (3000);
  /* the live page relayouts with every frame: steady screenshots need the stream stopped */
  ridge_terminal_item_set_streaming (items[0], FALSE);

  check_health_page (window, items[0]);
  check_csv_export (window, items[0]);

  ridge_test_terminal_kill (terminals[2]);
  g_assert_true (ridge_test_wait_until (item_lost, items[2], 15000));
  ridge_test_wait (4000);
  check_fleet (window, items[0], items[2]);

  for (guint i = 0; i < N_TERMINALS; i++)
    ridge_terminal_item_disconnect (items[i]);
  /* no link, no health to save: a sentence, and the button says so by being insensitive */
  {
    RidgeHealthPage *page = ridge_terminal_view_get_health_page (
      ridge_window_get_terminal_view (window));
    g_autoptr (GError) error = NULL;
    g_autofree char *path = g_build_filename (g_get_tmp_dir (), "ridge-health-none.csv", NULL);

    ridge_health_page_refresh (page);
    g_assert_false (ridge_health_page_export_csv (page, path, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
    g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (gtk_widget_get_template_child (
                                                            GTK_WIDGET (page),
                                                            RIDGE_TYPE_HEALTH_PAGE,
                                                            "export_button"))));
  }
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

int
main (int   argc,
      char *argv[])
{
  const char *exe = g_getenv ("RIDGE_TERMINAL");
  int ret;

  if (exe == NULL || !g_file_test (exe, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_print ("1..0 # SKIP ridge-terminal is not built (RIDGE_TERMINAL unset)\n");
      return 0;
    }
  ridge_test_init (&argc, &argv);
  g_test_add_func ("/health/page-and-fleet", test_health_and_fleet);
  ret = g_test_run ();
  for (guint i = 0; i < N_TERMINALS; i++)
    g_clear_pointer (&terminals[i], ridge_test_terminal_free);
  return ret;
}
