/* test-live.c — the Live page's extractor comparison (Ridge vs NBIS on one frame) and its
 * sensor controls against a real ridge-terminal (PARAM_SET reaches the terminal and the
 * stream)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The NBIS half is skipped when this build has no libfprint; the terminal half when the
 * ridge-terminal executable is not built.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ridge-session.h"
#include "ridge-live-page.h"
#include "ridge-test-terminal.h"
#include "ridge-test-util.h"

/* Drops the last reference and waits for finalization: a worker-thread task (extraction,
 * matching) may hold the widget until its answer is dispatched. */
static void
finalize_soon (gpointer object)
{
  gpointer weak = object;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_object_add_weak_pointer (G_OBJECT (object), &weak);
  g_object_unref (object);
  while (weak != NULL && g_get_monotonic_time () < deadline)
    ridge_test_wait (20);
  g_assert_null (weak);
}

/* ---- agreement maths ------------------------------------------------------------------ */

static void
test_agreement_maths (void)
{
  RidgeMinutia a[3] = { { .x = 10, .y = 10 }, { .x = 100, .y = 100 }, { .x = 200, .y = 50 } };
  RidgeMinutia b[2] = { { .x = 15, .y = 16 }, { .x = 108, .y = 100 } };
  guint8 ma[3], mb[2];
  guint ha = 99, hb = 99;

  /* (10,10)-(15,16): 7.8 px, within 8; (100,100)-(108,100): exactly 8, within;
   * (200,50): nothing near */
  ridge_compare_minutiae (a, 3, b, 2, 8.0, ma, mb, &ha, &hb);
  g_assert_cmpuint (ha, ==, 2);
  g_assert_cmpuint (hb, ==, 2);
  g_assert_cmpuint (ma[0], ==, RIDGE_MINUTIA_MARK_MATCHED);
  g_assert_cmpuint (ma[1], ==, RIDGE_MINUTIA_MARK_MATCHED);
  g_assert_cmpuint (ma[2], ==, RIDGE_MINUTIA_MARK_UNMATCHED);
  g_assert_cmpuint (mb[0], ==, RIDGE_MINUTIA_MARK_MATCHED);

  /* a smaller radius separates the second pair */
  ridge_compare_minutiae (a, 3, b, 2, 7.9, ma, mb, &ha, &hb);
  g_assert_cmpuint (ha, ==, 1);
  g_assert_cmpuint (hb, ==, 1);
  g_assert_cmpuint (mb[1], ==, RIDGE_MINUTIA_MARK_UNMATCHED);

  /* nothing on one side: no hits, every mark unmatched */
  ridge_compare_minutiae (a, 3, NULL, 0, 8.0, ma, NULL, &ha, &hb);
  g_assert_cmpuint (ha, ==, 0);
  g_assert_cmpuint (hb, ==, 0);
  g_assert_cmpuint (ma[1], ==, RIDGE_MINUTIA_MARK_UNMATCHED);
}

/* ---- comparison on the Live page ------------------------------------------------------- */

static gboolean
compare_idle (gpointer data)
{
  return !ridge_compare_view_get_busy (data);
}

static void
test_compare (void)
{
  RidgeLivePage *page = RIDGE_LIVE_PAGE (ridge_live_page_new ());
  RidgeImage img = { 0 };
  RidgeLiveFrame frame = { .image = &img, .quality = -1 };
  RidgeFeatures *features = NULL;
  RidgeCompareView *cv;
  RidgeImageView *left, *right;
  GtkWidget *button;
  GtkWindow *window;
  double ox_l, oy_l, ox_r, oy_r;
  int ours;

  g_object_ref_sink (page);
  window = ridge_test_show (GTK_WIDGET (page), 1200, 700);
  button = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), RIDGE_TYPE_LIVE_PAGE,
                                                      "compare_button"));

  /* nothing on screen yet: nothing to compare */
  g_assert_false (gtk_widget_get_sensitive (button));

  /* a synthetic print (never real biometric data) as a live frame */
  g_assert_cmpint (ridge_synth_impression (4242, 0, NULL, &img, NULL, 0, NULL), ==,
                   RIDGE_ENGINE_OK);
  g_assert_true (ridge_live_page_push_frame (page, &frame, NULL));
  g_assert_cmpint (ridge_extract (&img, NULL, &features), ==, RIDGE_ENGINE_OK);
  ours = ridge_features_n_minutiae (features);
  ridge_features_free (features);
  g_assert_cmpint (ours, >, 10);

  if (!ridge_compare_view_nbis_available ())
    {
      /* the toggle says why it cannot be used */
      g_assert_false (gtk_widget_get_sensitive (button));
      g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (button), "libfprint"));
      ridge_test_screenshot (GTK_WIDGET (page), "live-compare-unavailable");
      gtk_window_destroy (window);
      finalize_soon (page);
      ridge_image_clear (&img);
      g_test_skip ("this build has no libfprint: NBIS half skipped");
      return;
    }

  g_assert_true (gtk_widget_get_sensitive (button));
  ridge_live_page_set_comparing (page, TRUE);
  g_assert_true (ridge_live_page_get_paused (page));   /* the frame is frozen */
  cv = ridge_live_page_get_compare_view (page);
  g_assert_true (ridge_test_wait_until (compare_idle, cv, 20000));

  /* the left side is Ridge's engine on these very pixels */
  g_assert_cmpint (ridge_compare_view_get_count (cv, RIDGE_COMPARE_RIDGE), ==, ours);
  g_assert_cmpint (ridge_compare_view_get_count (cv, RIDGE_COMPARE_NBIS), >, 10);
  left = ridge_compare_view_get_view (cv, RIDGE_COMPARE_RIDGE);
  right = ridge_compare_view_get_view (cv, RIDGE_COMPARE_NBIS);
  g_assert_cmpuint (ridge_image_view_get_n_minutiae (left), ==, (guint)ours);
  g_assert_cmpuint (ridge_image_view_get_n_minutiae (right), ==,
                    (guint)ridge_compare_view_get_count (cv, RIDGE_COMPARE_NBIS));
  g_test_message ("ridge %d, nbis %d minutiae; agreement nbis→ridge %.2f, ridge→nbis %.2f",
                  ridge_compare_view_get_count (cv, RIDGE_COMPARE_RIDGE),
                  ridge_compare_view_get_count (cv, RIDGE_COMPARE_NBIS),
                  ridge_compare_view_get_agreement (cv, RIDGE_COMPARE_NBIS),
                  ridge_compare_view_get_agreement (cv, RIDGE_COMPARE_RIDGE));
  /* two extractors on a clean synthetic print agree on a good part of the minutiae, but
   * not on all of them: a shift, flip or scale mistake would give near zero */
  for (int side = 0; side < 2; side++)
    {
      double a = ridge_compare_view_get_agreement (cv, side);

      g_assert_cmpfloat (a, >=, 0.3);
      g_assert_cmpfloat (a, <=, 1.0);
    }
  g_assert_nonnull (strstr (ridge_compare_view_get_summary (cv), "%"));

  ridge_test_wait (300);
  ridge_test_screenshot (GTK_WIDGET (page), "live-compare");

  /* zoom and pan stay in step */
  ridge_image_view_zoom_at (left, 2.0, 100, 100);
  ridge_image_view_pan (left, -30, 12);
  g_assert_cmpfloat (ridge_image_view_get_zoom (right), ==, ridge_image_view_get_zoom (left));
  ridge_image_view_get_offset (left, &ox_l, &oy_l);
  ridge_image_view_get_offset (right, &ox_r, &oy_r);
  g_assert_cmpfloat (fabs (ox_l - ox_r), <, 1e-9);
  g_assert_cmpfloat (fabs (oy_l - oy_r), <, 1e-9);
  ridge_test_wait (100);
  ridge_test_screenshot (GTK_WIDGET (page), "live-compare-zoomed");
  ridge_image_view_zoom_at (right, 0.5, 50, 50);
  g_assert_cmpfloat (ridge_image_view_get_zoom (right), ==, ridge_image_view_get_zoom (left));
  ridge_image_view_set_fit (right, TRUE);
  g_assert_true (ridge_image_view_get_fit (left));

  /* off: back to the stream */
  ridge_live_page_set_comparing (page, FALSE);
  g_assert_false (ridge_live_page_get_paused (page));

  /* a frame with no print: Ridge says so, no agreement is claimed */
  memset (img.pixels, 200, (gsize)img.width * img.height);
  g_assert_true (ridge_live_page_push_frame (page, &frame, NULL));
  ridge_live_page_set_comparing (page, TRUE);
  g_assert_true (ridge_test_wait_until (compare_idle, cv, 20000));
  g_assert_cmpint (ridge_compare_view_get_count (cv, RIDGE_COMPARE_RIDGE), ==, -1);
  g_assert_cmpfloat (ridge_compare_view_get_agreement (cv, RIDGE_COMPARE_NBIS), <, 0);
  g_assert_nonnull (strstr (ridge_compare_view_get_summary (cv), "No agreement"));
  ridge_test_wait (200);
  ridge_test_screenshot (GTK_WIDGET (page), "live-compare-blank");
  ridge_live_page_set_comparing (page, FALSE);

  gtk_window_destroy (window);
  finalize_soon (page);
  ridge_image_clear (&img);
}

/* ---- sensor controls against ridge-terminal ------------------------------------------- */

static RidgeTestTerminal *terminal;
static const char *terminal_address;

static gboolean
start_terminal (void)
{
  const char *exe = g_getenv ("RIDGE_TERMINAL");
  const char *const args[] = { "--sensor=synthetic", "--fps=10", NULL };

  if (exe == NULL || !g_file_test (exe, G_FILE_TEST_IS_EXECUTABLE))
    return FALSE;
  terminal = ridge_test_terminal_new (exe, "ridge-live-test", RIDGE_TEST_TERMINAL_DEFAULT);
  ridge_test_terminal_spawn (terminal, args);
  terminal_address = ridge_test_terminal_get_address (terminal);
  return TRUE;
}

static void
stop_terminal (void)
{
  terminal_address = NULL;
  g_clear_pointer (&terminal, ridge_test_terminal_free);
}

static gboolean
item_ready (gpointer data)
{
  return ridge_terminal_item_get_state (data) == RIDGE_TERMINAL_STATE_READY;
}

static gboolean
has_params (gpointer data)
{
  return ridge_sensor_panel_get_n_params (data) >= 3;
}

static gboolean
panel_idle (gpointer data)
{
  return !ridge_sensor_panel_get_busy (data);
}

typedef struct {
  guint  frames;
  double mean;     /* of the newest frame with a finger */
} FrameWatch;

static void
frame_cb (RidgeTerminalItem   *item,
          const RidgeAppFrame *f,
          FrameWatch          *w)
{
  guint64 sum = 0;
  gsize n = (gsize)f->width * f->height;

  if (!f->finger_present || n == 0)
    return;
  for (gsize i = 0; i < n; i++)
    sum += f->pixels[i];
  w->mean = (double)sum / n;
  w->frames++;
}

static gboolean
new_frames (gpointer data)
{
  return ((FrameWatch *)data)->frames >= 3;
}

typedef struct {
  gboolean      done;
  GAsyncResult *result;
} Wait;

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *w = user_data;

  w->result = g_object_ref (result);
  w->done = TRUE;
}

/* PARAM_GET on the item's own session: the value the terminal holds */
static int
terminal_param (RidgeTerminalItem *item,
                const char        *name)
{
  RidgeSession *session = RIDGE_SESSION (ridge_terminal_item_get_session (item));
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) msg = NULL;
  RidgeWireMsg body;
  RidgeWireParam p;
  guint32 cursor = 0;
  Wait w = { 0 };

  ridge_session_request_async (session, RIDGE_MSG_PARAM_GET, NULL, 0, NULL, done_cb, &w);
  while (!w.done)
    g_main_context_iteration (NULL, TRUE);
  msg = ridge_session_request_finish (session, w.result, &error);
  g_clear_object (&w.result);
  g_assert_no_error (error);
  g_assert_true (ridge_message_decode (msg, &body, &error));
  for (guint i = 0; i < body.params.n; i++)
    {
      g_assert_cmpint (ridge_wire_params_next (&body.params, &cursor, &p), ==, RIDGE_WIRE_OK);
      if (p.name.len == strlen (name) && memcmp (p.name.ptr, name, p.name.len) == 0)
        return p.value;
    }
  g_assert_not_reached ();
}

static void
test_sensor_params (void)
{
  g_autoptr (RidgeTerminalItem) item = NULL;
  RidgeLivePage *page;
  RidgeSensorPanel *panel;
  GtkWindow *window;
  FrameWatch watch = { 0 };
  double mean_before, mean_after;
  gulong handler;
  int v = 0;

  if (!start_terminal ())
    {
      g_test_skip ("ridge-terminal is not built (RIDGE_TERMINAL unset)");
      return;
    }
  item = ridge_terminal_item_new (terminal_address);
  page = RIDGE_LIVE_PAGE (ridge_live_page_new ());
  g_object_ref_sink (page);
  ridge_live_page_set_item (page, item);
  window = ridge_test_show (GTK_WIDGET (page), 1100, 780);
  ridge_terminal_item_connect (item);
  g_assert_true (ridge_test_wait_until (item_ready, item, 10000));
  panel = ridge_live_page_get_sensor_panel (page);
  g_assert_true (ridge_test_wait_until (has_params, panel, 5000));
  g_assert_true (ridge_sensor_panel_get_value (panel, "gain", &v));
  g_assert_cmpint (v, ==, 100);
  g_assert_true (ridge_sensor_panel_get_value (panel, "contrast", &v));
  g_assert_true (ridge_sensor_panel_get_value (panel, "led", &v));
  g_assert_false (ridge_sensor_panel_get_value (panel, "no-such", &v));

  handler = g_signal_connect (item, "frame", G_CALLBACK (frame_cb), &watch);
  g_assert_true (ridge_test_wait_until (new_frames, &watch, 10000));
  mean_before = watch.mean;

  /* a slider dragged through several values: one pause, then the last value is sent */
  ridge_sensor_panel_set_value (panel, "gain", 150);
  ridge_sensor_panel_set_value (panel, "gain", 250);
  ridge_sensor_panel_set_value (panel, "gain", 300);
  g_assert_true (ridge_sensor_panel_get_busy (panel));
  g_assert_true (ridge_test_wait_until (panel_idle, panel, 5000));
  g_assert_cmpint (terminal_param (item, "gain"), ==, 300);
  ridge_sensor_panel_set_value (panel, "led", 40);
  g_assert_true (ridge_test_wait_until (panel_idle, panel, 5000));
  g_assert_cmpint (terminal_param (item, "led"), ==, 40);

  /* the stream shows it: a higher gain darkens the ridges */
  watch.frames = 0;
  ridge_test_wait (300);       /* frames already on their way were taken before the change */
  watch.frames = 0;
  g_assert_true (ridge_test_wait_until (new_frames, &watch, 10000));
  mean_after = watch.mean;
  g_test_message ("mean grey before %.1f, after gain 300 %.1f", mean_before, mean_after);
  g_assert_cmpfloat (mean_after, <, mean_before - 10);
  /* paused: a page relaid out by every frame may not be drawn at the moment of the shot */
  ridge_live_page_set_paused (page, TRUE);
  ridge_test_wait (500);
  ridge_test_screenshot (GTK_WIDGET (page), "live-sensor-gain-300");
  ridge_live_page_set_paused (page, FALSE);

  /* Restore: the values read at connection time */
  ridge_sensor_panel_restore (panel);
  g_assert_true (ridge_test_wait_until (panel_idle, panel, 5000));
  g_assert_cmpint (terminal_param (item, "gain"), ==, 100);
  g_assert_cmpint (terminal_param (item, "led"), ==, 200);
  g_assert_true (ridge_sensor_panel_get_value (panel, "gain", &v));
  g_assert_cmpint (v, ==, 100);

  g_signal_handler_disconnect (item, handler);
  ridge_terminal_item_disconnect (item);
  ridge_live_page_set_item (page, NULL);
  gtk_window_destroy (window);
  finalize_soon (page);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  ridge_test_init (&argc, &argv);
  g_test_add_func ("/live/agreement-maths", test_agreement_maths);
  g_test_add_func ("/live/compare", test_compare);
  g_test_add_func ("/live/sensor-params", test_sensor_params);
  ret = g_test_run ();
  stop_terminal ();
  return ret;
}
