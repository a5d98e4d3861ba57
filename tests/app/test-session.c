/* test-session.c — the app against a real ridge-terminal (simulated sensor) on localhost:
 * connect, state, terminal info, live frames, health samples, failures as sentences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Skips (77) when the ridge-terminal executable is not built.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>

#include "ridge-enrollments-page.h"
#include "ridge-test-store.h"
#include "ridge-test-terminal.h"
#include "ridge-test-util.h"
#include "ridge-window.h"

static RidgeTestTerminal *terminal;
static const char *terminal_address;

static gboolean
item_ready (gpointer data)
{
  return ridge_terminal_item_get_state (data) == RIDGE_TERMINAL_STATE_READY;
}

static gboolean
item_not_ready (gpointer data)
{
  RidgeTerminalState s = ridge_terminal_item_get_state (data);

  return s == RIDGE_TERMINAL_STATE_LOST || s == RIDGE_TERMINAL_STATE_RECONNECTING
         || s == RIDGE_TERMINAL_STATE_DEGRADED;
}

static gboolean
item_failed (gpointer data)
{
  return ridge_terminal_item_get_state (data) == RIDGE_TERMINAL_STATE_DISCONNECTED
         && g_str_has_prefix (ridge_terminal_item_get_status (data), "Could not connect");
}

static gboolean
has_frame (gpointer data)
{
  return ridge_image_view_has_image (ridge_live_page_get_image_view (data));
}

static gboolean
has_orientation (gpointer data)
{
  return ridge_image_view_has_map (ridge_live_page_get_image_view (data), RIDGE_MAP_ORIENTATION);
}

static gboolean
has_records (gpointer data)
{
  RidgeEnrollmentsPage *page = RIDGE_ENROLLMENTS_PAGE (
    gtk_widget_get_template_child (GTK_WIDGET (data), RIDGE_TYPE_TERMINAL_VIEW,
                                   "enrollments_page"));

  return ridge_enrollments_page_get_n_records (page) == 3;
}

static void
count_frame_cb (guint *frames)
{
  (*frames)++;
}

static gboolean
counted_frames (gpointer data)
{
  return *(guint *)data >= 3;
}

static gboolean
has_skeleton (gpointer data)
{
  return ridge_image_view_has_map (ridge_live_page_get_image_view (data), RIDGE_MAP_SKELETON);
}

static gboolean
has_samples (gpointer data)
{
  return ridge_sample_ring_len (ridge_terminal_item_get_ring (data)) >= 3;
}

/* Starts the terminal, the first time on a free port, after that on the same port.
 * Then keeps a finger on the sensor through the control socket, so that every frame holds
 * a print (the demo finger would lift it for 2 s in every 5, and an overlay check that
 * lands on an empty frame would then wait in vain). */
static void
start_terminal (void)
{
  const char *const args[] = {
    "--sensor=synthetic", "--no-auto-finger", "--fps=10", "--width=320", "--height=360", NULL
  };

  if (terminal == NULL)
    terminal = ridge_test_terminal_new (g_getenv ("RIDGE_TERMINAL"), "ridge-app-test",
                                        RIDGE_TEST_TERMINAL_CONTROL);
  ridge_test_terminal_spawn (terminal, args);
  terminal_address = ridge_test_terminal_get_address (terminal);
  g_test_message ("terminal at %s", terminal_address);
  ridge_test_terminal_control_ok (terminal, "place 1");
}

static void
stop_terminal (void)
{
  ridge_test_terminal_kill (terminal);
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

static void
test_live_session (void)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.ridge.Ridge");
  RidgeWindow *window;
  RidgeTerminalItem *item;
  RidgeTerminalItem *bad;
  RidgeTerminalView *view;
  g_auto (GStrv) info = NULL;

  g_settings_reset (settings, "terminals");
  start_terminal ();
  /* three synthetic enrollment records, stored before the app holds the terminal */
  {
    static const char *users[] = { "alice", "alice", "bob" };
    static const guint fingers[] = { 2, 7, 1 };
    g_autoptr (GError) error = NULL;

    g_assert_true (ridge_test_store_put (terminal_address, users, fingers, 3, &error));
    g_assert_no_error (error);
  }
  window = g_object_ref_sink (ridge_window_new (NULL));
  ridge_window_set_autoconnect (window, TRUE);
  gtk_window_set_default_size (GTK_WINDOW (window), 1180, 760);
  ridge_test_present (GTK_WINDOW (window));
  view = ridge_window_get_terminal_view (window);

  /* a port nobody listens on: a sentence, not a crash */
  g_assert_true (ridge_window_add_terminal (window, "127.0.0.1:1", NULL));
  bad = find_item (window, "127.0.0.1:1");
  g_assert_true (ridge_test_wait_until (item_failed, bad, 10000));
  g_test_message ("failure: %s", ridge_terminal_item_get_status (bad));

  g_assert_true (ridge_window_add_terminal (window, terminal_address, NULL));
  item = find_item (window, terminal_address);
  g_assert_true (ridge_test_wait_until (item_ready, item, 10000));

  /* the handshake's terminal info */
  info = ridge_terminal_item_dup_info (item);
  g_assert_nonnull (info);
  g_assert_cmpstr (info[2], ==, "Model");
  g_assert_cmpuint (g_strv_length (info) % 2, ==, 0);

  /* live frames reach the image view of the Live page */
  g_assert_true (ridge_test_wait_until (has_frame, ridge_terminal_view_get_live_page (view),
                                        10000));
  ridge_test_wait (1500);
  g_assert_cmpfloat (ridge_live_page_get_fps (ridge_terminal_view_get_live_page (view)), >, 1.0);
  /* freeze the page for a steady picture (labels change with every frame otherwise) */
  ridge_live_page_set_paused (ridge_terminal_view_get_live_page (view), TRUE);
  ridge_test_wait (300);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (window), "session-live"));

  /* map overlays: frames are shown together with the maps the engine extracted from them */
  {
    RidgeLivePage *live = ridge_terminal_view_get_live_page (view);
    GtkCheckButton *orientation = GTK_CHECK_BUTTON (
      gtk_widget_get_template_child (GTK_WIDGET (live), RIDGE_TYPE_LIVE_PAGE, "orientation_check"));
    GtkCheckButton *quality = GTK_CHECK_BUTTON (
      gtk_widget_get_template_child (GTK_WIDGET (live), RIDGE_TYPE_LIVE_PAGE, "quality_check"));
    GtkCheckButton *skeleton = GTK_CHECK_BUTTON (
      gtk_widget_get_template_child (GTK_WIDGET (live), RIDGE_TYPE_LIVE_PAGE, "skeleton_check"));

    /* a user can switch a map on: the engine extracts maps only once one is on, so the
     * checks must not wait for maps to become sensitive */
    g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (orientation)));
    g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (quality)));
    g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (skeleton)));
    ridge_live_page_set_paused (live, FALSE);
    gtk_check_button_set_active (orientation, TRUE);
    g_assert_true (ridge_test_wait_until (has_orientation, live, 15000));
    ridge_test_wait (500);
    ridge_live_page_set_paused (live, TRUE);
    ridge_test_wait (300);
    g_object_unref (ridge_test_screenshot (GTK_WIDGET (live), "session-live-orientation"));

    /* paused: switching a map on analyses the frame on screen */
    gtk_check_button_set_active (orientation, FALSE);
    gtk_check_button_set_active (quality, TRUE);
    gtk_check_button_set_active (skeleton, TRUE);
    g_assert_true (ridge_test_wait_until (has_skeleton, live, 15000));
    g_object_unref (ridge_test_screenshot (GTK_WIDGET (live), "session-live-quality-skeleton"));
    gtk_check_button_set_active (quality, FALSE);
    gtk_check_button_set_active (skeleton, FALSE);
  }

  /* heartbeats become health samples with a measured RTT */
  g_assert_true (ridge_test_wait_until (has_samples, item, 10000));
  g_assert_cmpfloat (ridge_terminal_item_get_rtt (item), >, 0.0);
  ridge_live_page_set_paused (ridge_terminal_view_get_live_page (view), FALSE);
  ridge_terminal_view_set_visible_page (view, "health");
  ridge_test_wait (1200);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (window), "session-health"));
  ridge_terminal_view_set_visible_page (view, "enrollments");
  g_assert_true (ridge_test_wait_until (has_records, view, 10000));
  ridge_test_wait (300);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (window), "session-enrollments"));
  ridge_terminal_view_set_visible_page (view, "diagnostics");
  ridge_test_wait (1200);
  /* the protocol trace shows the exchanges (heartbeats at least), never payloads */
  {
    RidgeDiagnosticsPage *diag = ridge_terminal_view_get_diagnostics_page (view);
    RidgeTraceFilter pings = RIDGE_TRACE_FILTER_INIT;

    pings.text = "PING";
    ridge_diagnostics_page_set_trace_filter (diag, &pings);
    g_assert_cmpuint (g_list_model_get_n_items (ridge_diagnostics_page_get_trace_model (diag)),
                      >, 0);
    ridge_diagnostics_page_set_trace_filter (diag, NULL);
  }
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (window), "session-diagnostics"));

  /* the terminal goes away: the state says so, with the reason */
  stop_terminal ();
  g_assert_true (ridge_test_wait_until (item_not_ready, item, 15000));
  g_test_message ("after loss: %s", ridge_terminal_item_get_status (item));
  ridge_terminal_view_set_visible_page (view, "health");
  ridge_test_wait (1500);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (window), "session-lost"));

  /* the terminal comes back on the same port: the session reconnects by itself and the
   * live stream starts again on the new connection */
  {
    guint frames = 0;
    gulong handler;

    start_terminal ();
    g_assert_true (ridge_test_wait_until (item_ready, item, 20000));
    ridge_terminal_view_set_visible_page (view, "live");
    ridge_live_page_set_paused (ridge_terminal_view_get_live_page (view), FALSE);
    handler = g_signal_connect_swapped (item, "frame", G_CALLBACK (count_frame_cb), &frames);
    g_assert_true (ridge_test_wait_until (counted_frames, &frames, 10000));
    g_signal_handler_disconnect (item, handler);
    g_test_message ("after reconnect: %s, %u frames", ridge_terminal_item_get_status (item),
                    frames);
  }

  ridge_terminal_item_disconnect (item);
  g_assert_cmpint (ridge_terminal_item_get_state (item), ==, RIDGE_TERMINAL_STATE_DISCONNECTED);
  g_assert_false (ridge_terminal_item_is_connected (item));

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
      return 0;   /* TAP: "1..0 # SKIP" is the skip */
    }
  ridge_test_init (&argc, &argv);
  g_test_add_func ("/session/live", test_live_session);
  ret = g_test_run ();
  g_clear_pointer (&terminal, ridge_test_terminal_free);
  return ret;
}
