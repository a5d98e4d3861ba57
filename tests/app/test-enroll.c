/* test-enroll.c — guided enrollment and record management against a real ridge-terminal:
 * alice's right index in three samples placed through the terminal's control socket, the
 * record on the Enrollments page, the same finger for bob found as alice's (duplicate
 * dialog, cancelled: nothing stored), rename, delete
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Skips when the ridge-terminal executable is not built.
 */
#include "config.h"

#include <gio/gunixsocketaddress.h>
#include <stdlib.h>

#include "ridge-enroll-page.h"
#include "ridge-enrollments-page.h"
#include "ridge-test-terminal.h"
#include "ridge-test-util.h"
#include "ridge-window.h"

#define ALICE_FINGER_SEED "101"
#define RIGHT_INDEX       2

static RidgeTestTerminal *terminal;
static char *terminal_address;
static GSocketConnection *control;
static GDataInputStream *control_in;

static void
start_terminal (void)
{
  const char *const args[] = {
    "--sensor=synthetic", "--no-auto-finger", "--fps=5", "--width=320", "--height=360", NULL
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketAddress) address = NULL;

  terminal = ridge_test_terminal_new (g_getenv ("RIDGE_TERMINAL"), "ridge-enroll-test",
                                      RIDGE_TEST_TERMINAL_CONTROL);
  ridge_test_terminal_spawn (terminal, args);
  terminal_address = g_strdup (ridge_test_terminal_get_address (terminal));
  g_test_message ("terminal at %s", terminal_address);

  address = g_unix_socket_address_new (ridge_test_terminal_get_control_path (terminal));
  control = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);
  g_assert_no_error (error);
  control_in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (control)));
}

/* One control command; returns its answer line ("ok …"). */
static char *
control_command (const char *command)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *line = g_strconcat (command, "\n", NULL);
  char *answer;

  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (control)), line,
                             strlen (line), NULL, NULL, &error);
  g_assert_no_error (error);
  answer = g_data_input_stream_read_line (control_in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (answer);
  g_test_message ("control: %s → %s", command, answer);
  g_assert_true (g_str_has_prefix (answer, "ok"));
  return answer;
}

static void
stop_terminal (void)
{
  g_clear_object (&control_in);
  if (control != NULL)
    g_io_stream_close (G_IO_STREAM (control), NULL, NULL);
  g_clear_object (&control);
  g_clear_pointer (&terminal, ridge_test_terminal_free);
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
capturing (gpointer data)
{
  return ridge_enroll_page_get_state (data) == RIDGE_ENROLL_CAPTURING;
}

static gboolean
idle (gpointer data)
{
  return ridge_enroll_page_get_state (data) == RIDGE_ENROLL_IDLE;
}

static gboolean
has_duplicate_dialog (gpointer data)
{
  return ridge_enroll_page_get_duplicate_dialog (data) != NULL;
}

typedef struct {
  guint events;
  guint events_before;
} SampleWatch;

static void
sample_event_cb (SampleWatch *w)
{
  w->events++;
}

static gboolean
sample_answered (gpointer data)
{
  SampleWatch *w = data;

  /* the page's handler ran before ours: it has taken the event in */
  return w->events > w->events_before;
}

static gboolean
alice_marked (gpointer data)
{
  return (ridge_enroll_page_get_enrolled_mask (data) & (1u << RIGHT_INDEX)) != 0;
}

static gboolean
alice_renamed (gpointer data)
{
  RidgeEnrollmentRow *row;

  if (!ridge_enrollments_page_select (data, "alice", RIGHT_INDEX))
    return FALSE;
  row = ridge_enrollments_page_get_selected (data);
  return row != NULL && g_strcmp0 (ridge_enrollment_row_get_name (row),
                                   "Alice Pleasance Liddell") == 0;
}

static int n_records_wanted;

static gboolean
has_n_records (gpointer data)
{
  return ridge_enrollments_page_get_n_records (data) == n_records_wanted;
}

/* Places the finger until `samples` samples are accepted; a screenshot after each. */
static void
give_samples (RidgeWindow       *window,
              RidgeEnrollPage   *page,
              RidgeTerminalItem *item,
              guint              samples,
              const char        *who)
{
  SampleWatch w = { 0 };
  gulong handler = g_signal_connect_swapped (ridge_terminal_item_get_session (item),
                                             "enroll-sample", G_CALLBACK (sample_event_cb),
                                             &w);
  guint attempts = 0;

  while (ridge_enroll_page_get_accepted (page) < samples)
    {
      g_autofree char *placed = NULL;
      g_autofree char *lifted = NULL;

      g_assert_cmpuint (++attempts, <=, samples + 4);
      guint accepted_before = ridge_enroll_page_get_accepted (page);

      w.events_before = w.events;
      placed = control_command ("place " ALICE_FINGER_SEED);
      g_assert_true (ridge_test_wait_until (sample_answered, &w, 20000));
      g_test_message ("%s sample: accepted %u, “%s”", who, ridge_enroll_page_get_accepted (page),
                      ridge_enroll_page_get_message (page));
      if (ridge_enroll_page_get_accepted (page) > accepted_before)
        {
          g_autofree char *name = g_strdup_printf ("enroll-%s-sample-%u", who,
                                                   ridge_enroll_page_get_accepted (page));

          ridge_test_wait (200);
          g_object_unref (ridge_test_screenshot (GTK_WIDGET (window), name));
        }
      lifted = control_command ("lift");
      ridge_test_wait (300);
    }
  g_signal_handler_disconnect (ridge_terminal_item_get_session (item), handler);
  g_assert_cmpint (ridge_enroll_page_get_state (page), ==, RIDGE_ENROLL_COMPLETE);
}

static void
test_enroll (void)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.ridge.Ridge");
  RidgeWindow *window;
  RidgeTerminalItem *item;
  RidgeTerminalView *view;
  RidgeEnrollPage *page;
  RidgeEnrollmentsPage *records;
  AdwMessageDialog *dialog;
  g_autofree char *status = NULL;

  g_settings_reset (settings, "terminals");
  start_terminal ();
  window = g_object_ref_sink (ridge_window_new (NULL));
  ridge_window_set_autoconnect (window, TRUE);
  gtk_window_set_default_size (GTK_WINDOW (window), 1180, 760);
  ridge_test_present (GTK_WINDOW (window));
  view = ridge_window_get_terminal_view (window);
  page = ridge_terminal_view_get_enroll_page (view);
  records = RIDGE_ENROLLMENTS_PAGE (
    gtk_widget_get_template_child (GTK_WIDGET (view), RIDGE_TYPE_TERMINAL_VIEW,
                                   "enrollments_page"));

  g_assert_true (ridge_window_add_terminal (window, terminal_address, NULL));
  item = find_item (window, terminal_address);
  g_assert_true (ridge_test_wait_until (item_ready, item, 10000));
  ridge_terminal_view_set_visible_page (view, "enroll");

  /* the form refuses to start without a finger, with a sentence */
  ridge_enroll_page_set_user (page, "alice", "Alice Liddell");
  ridge_enroll_page_set_finger (page, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "enroll.start", NULL));
  g_assert_cmpint (ridge_enroll_page_get_state (page), ==, RIDGE_ENROLL_IDLE);
  g_assert_cmpstr (ridge_enroll_page_get_message (page), ==,
                   "Choose the finger to enroll on the hands.");

  /* alice, right index, three samples */
  ridge_enroll_page_set_finger (page, RIGHT_INDEX);
  ridge_enroll_page_set_samples (page, 3);
  ridge_test_wait (300);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (window), "enroll-form"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "enroll.start", NULL));
  g_assert_true (ridge_test_wait_until (capturing, page, 10000));
  g_assert_cmpstr (ridge_enroll_page_get_message (page), ==, "Place your finger on the sensor.");
  ridge_test_wait (500);   /* the stack's crossfade */
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (window), "enroll-place-finger"));
  give_samples (window, page, item, 3, "alice");
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (window), "enroll-alice-complete"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "enroll.commit", NULL));
  g_assert_true (ridge_test_wait_until (idle, page, 15000));
  g_assert_cmpstr (ridge_enroll_page_get_message (page), ==, "");
  /* the form now marks alice's right index as enrolled */
  g_assert_true (ridge_test_wait_until (alice_marked, page, 10000));
  ridge_test_wait (300);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (window), "enroll-alice-done"));

  /* the record on the Enrollments page */
  ridge_terminal_view_set_visible_page (view, "enrollments");
  n_records_wanted = 1;
  g_assert_true (ridge_test_wait_until (has_n_records, records, 10000));
  g_assert_true (ridge_enrollments_page_select (records, "alice", RIGHT_INDEX));
  ridge_test_wait (300);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (window), "enroll-enrollments-alice"));

  /* bob with the same finger: the terminal names alice, the user cancels */
  ridge_terminal_view_set_visible_page (view, "enroll");
  ridge_enroll_page_set_user (page, "bob", "Bob");
  ridge_enroll_page_set_finger (page, RIGHT_INDEX);
  ridge_enroll_page_set_samples (page, 3);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "enroll.start", NULL));
  g_assert_true (ridge_test_wait_until (capturing, page, 10000));
  give_samples (window, page, item, 3, "bob");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "enroll.commit", NULL));
  g_assert_true (ridge_test_wait_until (has_duplicate_dialog, page, 15000));
  dialog = ridge_enroll_page_get_duplicate_dialog (page);
  g_test_message ("duplicate: %s", adw_message_dialog_get_body (dialog));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "alice"));
  g_assert_cmpint (ridge_enroll_page_get_state (page), ==, RIDGE_ENROLL_DUPLICATE);
  ridge_test_wait (500);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (dialog), "enroll-duplicate-dialog"));
  adw_message_dialog_response (dialog, "cancel");
  g_assert_true (ridge_test_wait_until (idle, page, 5000));
  /* ENROLL_CANCEL reached the terminal: no enrollment is running there */
  ridge_test_wait (500);
  status = control_command ("status");
  g_assert_nonnull (strstr (status, "templates=1/"));
  g_assert_nonnull (strstr (status, " enroll=none "));

  /* cancelled halfway through: the terminal ends the enrollment too */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "enroll.start", NULL));
  g_assert_true (ridge_test_wait_until (capturing, page, 10000));
  g_clear_pointer (&status, g_free);
  status = control_command ("status");
  g_assert_null (strstr (status, " enroll=none "));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "enroll.cancel", NULL));
  g_assert_cmpint (ridge_enroll_page_get_state (page), ==, RIDGE_ENROLL_IDLE);
  ridge_test_wait (500);
  g_clear_pointer (&status, g_free);
  status = control_command ("status");
  g_assert_nonnull (strstr (status, " enroll=none "));

  /* bob again, and this time "Enroll Anyway": a second record with the same finger */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "enroll.start", NULL));
  g_assert_true (ridge_test_wait_until (capturing, page, 10000));
  give_samples (window, page, item, 3, "bob-again");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "enroll.commit", NULL));
  g_assert_true (ridge_test_wait_until (has_duplicate_dialog, page, 15000));
  adw_message_dialog_response (ridge_enroll_page_get_duplicate_dialog (page), "enroll");
  g_assert_true (ridge_test_wait_until (idle, page, 15000));
  g_assert_cmpstr (ridge_enroll_page_get_message (page), ==, "");
  g_clear_pointer (&status, g_free);
  status = control_command ("status");
  g_assert_nonnull (strstr (status, "templates=2/"));

  /* rename alice's record, then delete it */
  ridge_terminal_view_set_visible_page (view, "enrollments");
  ridge_enrollments_page_refresh (records);
  n_records_wanted = 2;
  g_assert_true (ridge_test_wait_until (has_n_records, records, 10000));
  g_assert_true (ridge_enrollments_page_select (records, "alice", RIGHT_INDEX));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (records), "enrollments.rename", NULL));
  dialog = ridge_enrollments_page_get_dialog (records);
  g_assert_nonnull (dialog);
  ridge_enrollments_page_set_rename (records, "alice", "Alice Pleasance Liddell");
  ridge_test_wait (300);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (dialog), "enroll-rename-dialog"));
  adw_message_dialog_response (dialog, "rename");
  /* TPL_UPDATE reached the store: the listing read back has the new name */
  g_assert_true (ridge_test_wait_until (alice_renamed, records, 10000));
  g_assert_cmpint (ridge_enrollments_page_get_n_records (records), ==, 2);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (records), "enrollments.delete", NULL));
  dialog = ridge_enrollments_page_get_dialog (records);
  g_assert_nonnull (dialog);
  g_test_message ("delete: %s", adw_message_dialog_get_body (dialog));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "“alice”"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "Right index finger"));
  ridge_test_wait (300);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (dialog), "enroll-delete-dialog"));
  adw_message_dialog_response (dialog, "delete");
  n_records_wanted = 1;
  g_assert_true (ridge_test_wait_until (has_n_records, records, 10000));
  g_assert_false (ridge_enrollments_page_select (records, "alice", RIGHT_INDEX));
  g_assert_true (ridge_enrollments_page_select (records, "bob", RIGHT_INDEX));
  ridge_test_wait (300);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (window), "enroll-enrollments-bob"));
  g_clear_pointer (&status, g_free);
  status = control_command ("status");
  g_assert_nonnull (strstr (status, "templates=1/"));

  /* clear the terminal: the question names the count */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (records), "enrollments.clear", NULL));
  dialog = ridge_enrollments_page_get_dialog (records);
  g_assert_nonnull (dialog);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "All 1 enrollment "));
  ridge_test_wait (300);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (dialog), "enroll-clear-dialog"));
  adw_message_dialog_response (dialog, "clear");
  n_records_wanted = 0;
  g_assert_true (ridge_test_wait_until (has_n_records, records, 10000));
  ridge_test_wait (300);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (window), "enroll-enrollments-empty"));
  g_clear_pointer (&status, g_free);
  status = control_command ("status");
  g_assert_nonnull (strstr (status, "templates=0/"));

  ridge_terminal_item_disconnect (item);
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
  g_test_add_func ("/enroll/end-to-end", test_enroll);
  ret = g_test_run ();
  stop_terminal ();
  g_free (terminal_address);
  return ret;
}
