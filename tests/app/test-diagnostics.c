/* test-diagnostics.c — the Diagnostics page against a real ridge-terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One reference terminal on localhost whose clock starts an hour fast (its state folder's
 * time-offset file). Through the window's Diagnostics page: the handshake info, counters
 * with deltas, the self-test's checks, the clock offset before and after "Sync time" (and
 * the terminal's kept offset), the log, the trace viewer's filters and CSV export, and a
 * reboot followed to the new boot counter. The core trace filter/CSV helpers on their own
 * first. Screenshots light and dark. Skips when ridge-terminal is not built.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "ridge-application.h"
#include "ridge-diagnostics-page.h"
#include "ridge-test-util.h"
#include "ridge-window.h"
#include "core/ridge-session.h"
#include "core/ridge-trace.h"
#include "wire/ridge-wire.h"

#define HOUR_US (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)

static GSubprocess *terminal;
static char *terminal_dir;
static char *terminal_address;

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
start_terminal (void)
{
  const char *exe = g_getenv ("RIDGE_TERMINAL");
  g_autoptr (GError) error = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  g_autoptr (GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *line = NULL;
  g_autofree char *offset_path = NULL;
  g_autofree char *offset = NULL;
  const char *colon;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  terminal_dir = g_dir_make_tmp ("ridge-diag-test-XXXXXX", &error);
  g_assert_no_error (error);
  /* the terminal's clock runs an hour ahead until it is synchronised */
  offset_path = g_build_filename (terminal_dir, "time-offset", NULL);
  offset = g_strdup_printf ("%" G_GINT64_FORMAT "\n", HOUR_US);
  g_assert_true (g_file_set_contents (offset_path, offset, -1, NULL));
  terminal = g_subprocess_launcher_spawn (launcher, &error, exe,
                                          "--listen=127.0.0.1", "--port=0",
                                          "--discovery-port=0", "--sensor=synthetic",
                                          "--fps=5", "--state-dir", terminal_dir, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (terminal));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  colon = strrchr (line, ':');
  g_assert_nonnull (colon);
  terminal_address = g_strdup_printf ("127.0.0.1:%s", colon + 1);
  g_test_message ("terminal at %s", terminal_address);
}

static gint64
kept_offset (void)
{
  g_autofree char *path = g_build_filename (terminal_dir, "time-offset", NULL);
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return g_ascii_strtoll (text, NULL, 10);
}

static gboolean
wait_until (gboolean (*cond)(gpointer),
            gpointer   data,
            guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      ridge_test_wait (50);
    }
  return TRUE;
}

static gboolean
item_ready (gpointer data)
{
  return ridge_terminal_item_get_state (data) == RIDGE_TERMINAL_STATE_READY;
}

/* The process is in the stopped state ('T' in /proc/PID/stat). */
static gboolean
terminal_stopped (gpointer data)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat",
                                           g_subprocess_get_identifier (G_SUBPROCESS (data)));
  g_autofree char *stat = NULL;
  const char *paren;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return FALSE;
  paren = strrchr (stat, ')');
  return paren != NULL && paren[1] == ' ' && (paren[2] == 'T' || paren[2] == 't');
}

static gboolean
page_idle (gpointer data)
{
  return ridge_diagnostics_page_get_busy (data) == 0;
}

static gboolean
has_counters (gpointer data)
{
  return ridge_diagnostics_page_get_counter (data, "bytes_received", NULL, NULL);
}

static gboolean
rebooted (gpointer data)
{
  const char *s = ridge_diagnostics_page_get_reboot_status (data);

  return s != NULL && g_str_has_prefix (s, "Rebooted");
}

/* A window in the middle of a relayout (the trace and counters change every second)
 * renders as a blank backdrop: shoot again until the picture has content. */
static gboolean
blank (GdkTexture *texture)
{
  int w = gdk_texture_get_width (texture);
  int h = gdk_texture_get_height (texture);
  guint32 first = ridge_test_texture_pixel (texture, 0, 0);

  for (int y = 8; y < h; y += h / 16)
    for (int x = 8; x < w; x += w / 16)
      if (ridge_test_texture_pixel (texture, x, y) != first)
        return FALSE;
  return TRUE;
}

static void
shot (GtkWidget  *widget,
      const char *name)
{
  for (guint attempt = 0; attempt < 20; attempt++)
    {
      g_autoptr (GdkTexture) texture = NULL;

      ridge_test_wait (250);
      texture = ridge_test_screenshot (widget, name);
      if (!blank (texture))
        return;
    }
  g_assert_not_reached ();
}

/* ---- core helpers -------------------------------------------------------------------- */

static void
test_trace_helpers (void)
{
  g_autoptr (RidgeTrace) trace = ridge_trace_new (4);
  RidgeTraceEntry e = { 0 };
  RidgeTraceFilter f = RIDGE_TRACE_FILTER_INIT;
  g_autofree char *dir = g_dir_make_tmp ("ridge-trace-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "t.csv", NULL);
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;
  g_auto (GStrv) lines = NULL;
  GError *error = NULL;

  e.time_us = 1000000;
  e.direction = RIDGE_TRACE_OUT;
  e.kind = RIDGE_TRACE_REQUEST;
  e.type = RIDGE_MSG_PING;
  e.seq = 7;
  e.size = 16;
  e.rtt_us = -1;
  ridge_trace_add (trace, &e);
  e.time_us += 1500;
  e.direction = RIDGE_TRACE_IN;
  e.kind = RIDGE_TRACE_RESPONSE;
  e.rtt_us = 1500;
  g_strlcpy (e.result, "ok", sizeof e.result);
  ridge_trace_add (trace, &e);
  e.time_us += 1000;
  e.type = RIDGE_MSG_SELFTEST;
  e.seq = 8;
  g_strlcpy (e.result, "error BUSY: \"sensor\", try later", sizeof e.result);
  ridge_trace_add (trace, &e);
  e.type = 0x7777;
  e.kind = RIDGE_TRACE_LOCAL;
  e.rtt_us = -1;
  g_strlcpy (e.result, "timeout: no answer", sizeof e.result);
  ridge_trace_add (trace, &e);

  g_assert_false (ridge_trace_entry_is_problem (ridge_trace_get_entry (trace, 0)));
  g_assert_false (ridge_trace_entry_is_problem (ridge_trace_get_entry (trace, 1)));
  g_assert_true (ridge_trace_entry_is_problem (ridge_trace_get_entry (trace, 2)));

  /* text matches the type name or the result, case-insensitively */
  f.text = "ping";
  g_assert_true (ridge_trace_entry_matches (ridge_trace_get_entry (trace, 0), &f));
  g_assert_false (ridge_trace_entry_matches (ridge_trace_get_entry (trace, 2), &f));
  f.text = "busy";
  g_assert_true (ridge_trace_entry_matches (ridge_trace_get_entry (trace, 2), &f));
  f.text = "0x7777";
  g_assert_true (ridge_trace_entry_matches (ridge_trace_get_entry (trace, 3), &f));
  f.text = NULL;
  f.direction = RIDGE_TRACE_OUT;
  g_assert_true (ridge_trace_entry_matches (ridge_trace_get_entry (trace, 0), &f));
  g_assert_false (ridge_trace_entry_matches (ridge_trace_get_entry (trace, 1), &f));
  f.direction = -1;
  f.kind = RIDGE_TRACE_RESPONSE;
  g_assert_false (ridge_trace_entry_matches (ridge_trace_get_entry (trace, 0), &f));
  g_assert_true (ridge_trace_entry_matches (ridge_trace_get_entry (trace, 1), &f));
  f.kind = -1;
  f.problems_only = TRUE;
  g_assert_false (ridge_trace_entry_matches (ridge_trace_get_entry (trace, 1), &f));
  g_assert_true (ridge_trace_entry_matches (ridge_trace_get_entry (trace, 3), &f));

  /* RFC 4180 quoting of a result with a comma and quotes */
  line = ridge_trace_entry_to_csv (ridge_trace_get_entry (trace, 2), 1000000);
  g_assert_cmpstr (line, ==,
                   "2.500,in,response,SELFTEST,8,16,1.500,"
                   "\"error BUSY: \"\"sensor\"\", try later\"\n");

  /* the whole trace, then only the problems */
  g_assert_cmpint (ridge_trace_export_csv (trace, NULL, path, &error), ==, 4);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 6);   /* header, 4 rows, "" after the last */
  g_assert_cmpstr (lines[0], ==, "time_ms,direction,kind,type,seq,size_bytes,rtt_ms,result");
  g_assert_cmpstr (lines[1], ==, "0.000,out,request,PING,7,16,,");
  g_assert_cmpstr (lines[4], ==, "2.500,in,local,0x7777,8,16,,timeout: no answer");
  g_assert_cmpint (ridge_trace_export_csv (trace, &f, path, &error), ==, 2);
  g_assert_no_error (error);
  /* an unwritable place: an error, not a crash */
  g_assert_cmpint (ridge_trace_export_csv (trace, NULL, "/nonexistent-dir/x.csv", &error), ==,
                   -1);
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_unlink (path);
  g_rmdir (dir);
}

/* ---- the page ------------------------------------------------------------------------ */

/* GtkColumnView in 4.8 has no scroll call: its inner list's action does it */
static void
scroll_list_to (GtkWidget *column_view,
                guint      pos)
{
  for (GtkWidget *child = gtk_widget_get_first_child (column_view); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (gtk_widget_activate_action (child, "list.scroll-to-item", "u", pos))
      return;
  g_assert_not_reached ();
}

static void
check_trace (RidgeDiagnosticsPage *page)
{
  GListModel *rows = ridge_diagnostics_page_get_trace_model (page);
  RidgeTraceFilter f = RIDGE_TRACE_FILTER_INIT;
  g_autofree char *dir = g_dir_make_tmp ("ridge-diag-export-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "trace.csv", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  guint all, pings, sent, selftests;
  gssize written;

  ridge_diagnostics_page_set_trace_filter (page, NULL);
  all = g_list_model_get_n_items (rows);
  g_test_message ("trace rows: %u", all);
  g_assert_cmpuint (all, >, 10);

  f.text = "ping";
  ridge_diagnostics_page_set_trace_filter (page, &f);
  pings = g_list_model_get_n_items (rows);
  g_assert_cmpuint (pings, >, 0);
  g_assert_cmpuint (pings, <, all);
  f.text = NULL;
  f.direction = RIDGE_TRACE_OUT;
  ridge_diagnostics_page_set_trace_filter (page, &f);
  sent = g_list_model_get_n_items (rows);
  g_assert_cmpuint (sent, >, 0);
  g_assert_cmpuint (sent, <, all);
  f.direction = -1;
  f.text = "selftest";
  f.kind = RIDGE_TRACE_RESPONSE;
  ridge_diagnostics_page_set_trace_filter (page, &f);
  selftests = g_list_model_get_n_items (rows);
  g_assert_cmpuint (selftests, ==, 1);

  /* the export writes what is shown: the one SELFTEST response */
  written = ridge_diagnostics_page_export_trace (page, path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (written, ==, 1);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_test_message ("exported:\n%s", text);
  g_assert_true (g_str_has_prefix (text, ridge_trace_csv_header ()));
  g_assert_nonnull (strstr (text, ",in,response,SELFTEST,"));
  g_assert_nonnull (strstr (text, ",ok\n"));
  g_clear_pointer (&text, g_free);

  /* paused: new exchanges do not show; resumed: they do */
  ridge_diagnostics_page_set_trace_filter (page, NULL);
  ridge_diagnostics_page_set_trace_paused (page, TRUE);
  all = g_list_model_get_n_items (rows);
  ridge_test_wait (2500);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, all);
  ridge_diagnostics_page_set_trace_paused (page, FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (rows), >, all);

  /* rows arriving keep a reader's place; at the bottom the view follows them */
  {
    GtkScrolledWindow *scroller = GTK_SCROLLED_WINDOW (gtk_widget_get_template_child (
                                                         GTK_WIDGET (page),
                                                         RIDGE_TYPE_DIAGNOSTICS_PAGE,
                                                         "trace_scroller"));
    GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (scroller);
    GtkWidget *view = gtk_scrolled_window_get_child (scroller);
    guint before = g_list_model_get_n_items (rows);

    double place;

    /* away from the end (GTK 4.8 settles a list's position lazily: take where it is) */
    scroll_list_to (view, 0);
    ridge_test_wait (600);
    place = gtk_adjustment_get_value (adj);
    g_assert_cmpfloat (place + gtk_adjustment_get_page_size (adj), <,
                       gtk_adjustment_get_upper (adj) - 64);
    ridge_test_wait (2500);
    g_assert_cmpuint (g_list_model_get_n_items (rows), >, before);
    g_assert_cmpfloat (gtk_adjustment_get_value (adj), ==, place);
    scroll_list_to (view, g_list_model_get_n_items (rows) - 1);
    ridge_test_wait (300);
    before = g_list_model_get_n_items (rows);
    ridge_test_wait (2500);
    g_assert_cmpuint (g_list_model_get_n_items (rows), >, before);
    g_test_message ("trace view at the end: %.0f + %.0f of %.0f",
                    gtk_adjustment_get_value (adj), gtk_adjustment_get_page_size (adj),
                    gtk_adjustment_get_upper (adj));
    g_assert_cmpfloat (gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj),
                       >=, gtk_adjustment_get_upper (adj) - 64);
  }

  /* everything exported: header plus one line per row */
  written = ridge_diagnostics_page_export_trace (page, path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (written, ==, g_list_model_get_n_items (rows));
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  {
    g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

    g_assert_cmpuint (g_strv_length (lines), ==, (guint)written + 2);
  }
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_page (void)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.ridge.Ridge");
  RidgeWindow *window;
  RidgeTerminalView *view;
  RidgeDiagnosticsPage *page;
  RidgeTerminalItem *item;
  GListModel *list;
  gint64 offset = 0;
  guint64 captured = 0;
  gint64 delta = 0;
  gboolean passed = FALSE;
  guint n_checks = 0;
  g_autofree char *log_path = NULL;
  g_autoptr (GError) error = NULL;
  GStatBuf st;

  g_settings_reset (settings, "terminals");
  start_terminal ();
  window = g_object_ref_sink (ridge_window_new (NULL));
  gtk_window_set_default_size (GTK_WINDOW (window), 1180, 1000);
  ridge_test_present (GTK_WINDOW (window));
  g_assert_true (ridge_window_add_terminal (window, terminal_address, NULL));
  list = ridge_window_get_terminals (window);
  item = g_list_model_get_item (list, 0);
  g_object_unref (item);   /* the window's list keeps it */
  ridge_terminal_item_connect (item);
  g_assert_true (wait_until (item_ready, item, 10000));
  ridge_window_select_terminal (window, terminal_address);
  view = ridge_window_get_terminal_view (window);
  page = ridge_terminal_view_get_diagnostics_page (view);
  ridge_terminal_view_set_visible_page (view, "diagnostics");
  ridge_test_wait (500);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (page)));

  /* the page fits a phone-sized window (the leaflet's narrow mode) */
  {
    int min_width = 0;

    gtk_widget_measure (GTK_WIDGET (page), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL,
                        NULL, NULL);
    g_test_message ("page minimum width: %d px", min_width);
    g_assert_cmpint (min_width, <=, 360);
  }

  /* counters come by themselves while shown, and a second reading gives deltas */
  g_assert_true (wait_until (has_counters, page, 5000));
  ridge_test_wait (4500);
  g_assert_true (ridge_diagnostics_page_get_counter (page, "bytes_received", &captured, &delta));
  g_test_message ("bytes_received %" G_GUINT64_FORMAT " (%+" G_GINT64_FORMAT ")", captured,
                  delta);
  g_assert_cmpuint (captured, >, 0);
  g_assert_cmpint (delta, >, 0);

  /* the clock: an hour fast, then synchronised */
  g_assert_true (wait_until (page_idle, page, 5000));
  g_assert_true (ridge_diagnostics_page_get_clock_offset (page, &offset));
  g_test_message ("offset before: %" G_GINT64_FORMAT " µs", offset);
  g_assert_cmpint (ABS (offset - HOUR_US), <, 2 * G_USEC_PER_SEC);
  ridge_diagnostics_page_sync_time (page);
  g_assert_true (wait_until (page_idle, page, 5000));
  g_assert_true (ridge_diagnostics_page_get_clock_offset (page, &offset));
  g_test_message ("offset after: %" G_GINT64_FORMAT " µs", offset);
  g_assert_cmpint (ABS (offset), <, G_USEC_PER_SEC);
  g_assert_cmpint (ABS (kept_offset ()), <, G_USEC_PER_SEC);

  /* the self-test: every check with its result */
  g_assert_true (wait_until (item_ready, item, 15000));
  ridge_diagnostics_page_run_selftest (page);
  g_assert_cmpuint (ridge_diagnostics_page_get_busy (page), >, 0);
  shot (GTK_WIDGET (window), "diagnostics-selftest-running");
  g_assert_true (wait_until (page_idle, page, 30000));
  g_assert_true (ridge_diagnostics_page_get_selftest (page, &passed, &n_checks));
  g_test_message ("self-test: %s, %u checks", passed ? "passed" : "failed", n_checks);
  g_assert_true (passed);
  g_assert_cmpuint (n_checks, >=, 3);

  /* the log */
  g_assert_true (wait_until (item_ready, item, 15000));
  ridge_diagnostics_page_fetch_log (page);
  g_assert_true (wait_until (page_idle, page, 10000));
  if (ridge_diagnostics_page_get_log_text (page) == NULL)
    g_test_message ("no log; last message: %s", ridge_diagnostics_page_get_last_message (page));
  g_assert_nonnull (ridge_diagnostics_page_get_log_text (page));
  g_assert_nonnull (strstr (ridge_diagnostics_page_get_log_text (page), "clock set"));
  /* more than one line */
  g_assert_nonnull (strchr (strchr (ridge_diagnostics_page_get_log_text (page), '\n') + 1, '\n'));
  log_path = g_build_filename (terminal_dir, "saved.log", NULL);
  g_assert_true (ridge_diagnostics_page_save_log (page, log_path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (log_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (st.st_size, ==, strlen (ridge_diagnostics_page_get_log_text (page)));

  check_trace (page);

  /* the top (info, maintenance), the middle (checks, counters, log), the trace */
  {
    GtkScrolledWindow *scroller = GTK_SCROLLED_WINDOW (gtk_widget_get_template_child (
                                                         GTK_WIDGET (page),
                                                         RIDGE_TYPE_DIAGNOSTICS_PAGE,
                                                         "page_scroller"));
    GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (scroller);
    const char *names[] = { "diagnostics", "diagnostics-counters", "diagnostics-trace" };
    const char *dark[] = { "diagnostics-dark", "diagnostics-counters-dark",
                           "diagnostics-trace-dark" };

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        double top = i == 0 ? 0 : i == 1 ? gtk_adjustment_get_upper (adj) * 0.42
                     : gtk_adjustment_get_upper (adj);

        gtk_adjustment_set_value (adj, top);
        shot (GTK_WIDGET (window), names[i]);
        adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                            ADW_COLOR_SCHEME_FORCE_DARK);
        shot (GTK_WIDGET (window), dark[i]);
        adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                            ADW_COLOR_SCHEME_DEFAULT);
      }
    gtk_adjustment_set_value (adj, 0);
  }

  /* a terminal that stops answering mid-request: a sentence, the button back, and after it
   * resumes the page works again */
  g_assert_true (wait_until (item_ready, item, 15000));
  g_subprocess_send_signal (terminal, SIGSTOP);
  /* kill() only queues the stop: the request must not go out before the process is stopped */
  g_assert_true (wait_until (terminal_stopped, terminal, 5000));
  ridge_diagnostics_page_fetch_log (page);
  g_assert_cmpuint (ridge_diagnostics_page_get_busy (page), >, 0);
  g_assert_true (wait_until (page_idle, page, 20000));
  g_test_message ("stopped terminal: %s (log %s)", ridge_diagnostics_page_get_last_message (page),
                  ridge_diagnostics_page_get_log_text (page) != NULL ? "fetched" : "none");
  g_assert_true (ridge_diagnostics_page_has_message (page, "Fetching the log failed: "));
  g_assert_null (ridge_diagnostics_page_get_log_text (page));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (gtk_widget_get_template_child (
                                                         GTK_WIDGET (page),
                                                         RIDGE_TYPE_DIAGNOSTICS_PAGE,
                                                         "log_button"))));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (gtk_widget_get_template_child (
                                                          GTK_WIDGET (page),
                                                          RIDGE_TYPE_DIAGNOSTICS_PAGE,
                                                          "log_save_button"))));
  g_subprocess_send_signal (terminal, SIGCONT);

  /* reboot: the link drops and comes back with the next boot counter */
  {
    const RidgeTerminalInfo *info = ridge_session_get_info (RIDGE_SESSION (
                                                              ridge_terminal_item_get_session (
                                                                item)));
    guint32 before = info->boot_counter;
    g_autofree char *expect = g_strdup_printf ("Rebooted (boot counter %u → %u)", before,
                                               before + 1);

    GtkWidget *button = GTK_WIDGET (gtk_widget_get_template_child (
                                      GTK_WIDGET (page), RIDGE_TYPE_DIAGNOSTICS_PAGE,
                                      "reboot_button"));
    AdwMessageDialog *dialog = NULL;
    GListModel *toplevels = gtk_window_get_toplevels ();   /* GTK's own */

    /* the button asks first; Cancel does nothing */
    g_assert_true (wait_until (item_ready, item, 15000));
    g_signal_emit_by_name (button, "clicked");
    ridge_test_wait (300);
    for (guint i = 0; i < g_list_model_get_n_items (toplevels) && dialog == NULL; i++)
      {
        g_autoptr (GObject) w = g_list_model_get_item (toplevels, i);

        if (ADW_IS_MESSAGE_DIALOG (w))
          dialog = ADW_MESSAGE_DIALOG (w);
      }
    g_assert_nonnull (dialog);
    g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Reboot the Terminal?");
    g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
    shot (GTK_WIDGET (dialog), "diagnostics-reboot-dialog");
    adw_message_dialog_response (dialog, "cancel");
    ridge_test_wait (300);
    g_assert_null (ridge_diagnostics_page_get_reboot_status (page));
    g_assert_cmpuint (ridge_diagnostics_page_get_busy (page), ==, 0);
    /* Reboot does it */
    adw_message_dialog_response (dialog, "reboot");
    gtk_window_destroy (GTK_WINDOW (dialog));
    g_assert_nonnull (ridge_diagnostics_page_get_reboot_status (page));
    g_assert_true (wait_until (rebooted, page, 30000));
    g_test_message ("%s", ridge_diagnostics_page_get_reboot_status (page));
    g_assert_cmpstr (ridge_diagnostics_page_get_reboot_status (page), ==, expect);
    shot (GTK_WIDGET (window), "diagnostics-rebooted");
  }

  /* not connected: the page says so, the buttons give a sentence, nothing crashes */
  ridge_terminal_item_disconnect (item);
  ridge_test_wait (300);
  ridge_diagnostics_page_run_selftest (page);
  g_assert_cmpstr (ridge_diagnostics_page_get_last_message (page), ==,
                   "The terminal is not connected.");

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* ---- the shortcuts window ------------------------------------------------------------ */

static gboolean
same_accel (const char *a,
            const char *b)
{
  guint ka, kb;
  GdkModifierType ma, mb;

  return gtk_accelerator_parse (a, &ka, &ma) && gtk_accelerator_parse (b, &kb, &mb)
         && gdk_keyval_to_lower (ka) == gdk_keyval_to_lower (kb) && ma == mb;
}

/* Every accelerator the shortcuts window lists parses, and every accelerator the
 * application sets for an action is listed there. */
static void
test_shortcuts (void)
{
  g_autoptr (GtkBuilder) builder =
    gtk_builder_new_from_resource ("/org/ridge/Ridge/gtk/help-overlay.ui");
  g_autoptr (GSList) objects = gtk_builder_get_objects (builder);
  g_autoptr (GPtrArray) listed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (RidgeApplication) app = ridge_application_new ();
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) actions = NULL;
  guint checked = 0;

  for (GSList *l = objects; l != NULL; l = l->next)
    {
      g_autofree char *accel = NULL;
      g_auto (GStrv) parts = NULL;

      if (!GTK_IS_SHORTCUTS_SHORTCUT (l->data))
        continue;
      g_object_get (l->data, "accelerator", &accel, NULL);
      g_assert_nonnull (accel);
      parts = g_strsplit (accel, " ", -1);
      for (guint i = 0; parts[i] != NULL; i++)
        {
          guint key = 0;
          GdkModifierType mods;

          g_assert_true (gtk_accelerator_parse (parts[i], &key, &mods));
          g_assert_cmpuint (key, !=, 0);
          g_ptr_array_add (listed, g_strdup (parts[i]));
        }
    }
  g_assert_cmpuint (listed->len, >=, 10);

  /* no D-Bus here: a non-unique application still runs its startup (the accelerators) */
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  actions = gtk_application_list_action_descriptions (GTK_APPLICATION (app));
  for (guint i = 0; actions[i] != NULL; i++)
    {
      g_auto (GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app),
                                                                     actions[i]);

      for (guint k = 0; accels[k] != NULL; k++)
        {
          gboolean found = FALSE;

          for (guint j = 0; j < listed->len && !found; j++)
            found = same_accel (accels[k], g_ptr_array_index (listed, j));
          g_test_message ("%s: %s %s", actions[i], accels[k], found ? "listed" : "MISSING");
          g_assert_true (found);
          checked++;
        }
    }
  g_assert_cmpuint (checked, >=, 3);
}

int
main (int   argc,
      char *argv[])
{
  const char *exe = g_getenv ("RIDGE_TERMINAL");
  int ret;

  ridge_test_init (&argc, &argv);
  g_test_add_func ("/diagnostics/trace-helpers", test_trace_helpers);
  g_test_add_func ("/diagnostics/shortcuts", test_shortcuts);
  if (exe != NULL && g_file_test (exe, G_FILE_TEST_IS_EXECUTABLE))
    g_test_add_func ("/diagnostics/page", test_page);
  else
    g_test_message ("ridge-terminal is not built (RIDGE_TERMINAL unset): page test skipped");
  ret = g_test_run ();
  if (terminal != NULL)
    {
      g_subprocess_force_exit (terminal);
      g_subprocess_wait (terminal, NULL, NULL);
      g_clear_object (&terminal);
    }
  if (terminal_dir != NULL)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", terminal_dir);

      if (system (cmd) != 0)
        g_printerr ("could not remove %s\n", terminal_dir);
    }
  g_free (terminal_dir);
  g_free (terminal_address);
  return ret;
}
