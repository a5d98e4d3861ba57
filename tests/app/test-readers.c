/* test-readers.c — local libfprint readers in the app: the sidebar's "Fingerprint Readers"
 * section and the reader view, against libfprint's virtual readers (the image sensor fed
 * with the engine's synthetic prints; the match-on-chip reader with storage), with a
 * screenshot of every page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ridge-reader-view.h"
#include "ridge-test-util.h"
#include "ridge-window.h"

typedef struct {
  char            *dir;
  char            *socket_path;
  RidgeWindow     *window;
  RidgeReaderView *view;
  RidgeReader     *reader;
  int              progress;
} Fixture;

static void
on_progress (RidgeReader *reader,
             int          stage,
             int          n_stages,
             const char  *retry,
             Fixture     *fx)
{
  if (retry == NULL)
    fx->progress = stage;
}

/* Spins until cond (evaluated each turn) holds; fails after 20 s. */
#define WAIT_FOR(cond) G_STMT_START { \
    gint64 _deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC; \
    while (!(cond)) { \
        g_assert_cmpint (g_get_monotonic_time (), <, _deadline); \
        g_main_context_iteration (NULL, FALSE); \
        g_usleep (2000); \
      } \
} G_STMT_END

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        remove_tree (child);
      }
  g_remove (path);
}

static void
fixture_setup (Fixture    *fx,
               const char *env_name)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *prints = NULL;
  GtkListBox *list;

  fx->dir = g_dir_make_tmp ("ridge-readers-XXXXXX", &error);
  g_assert_no_error (error);
  fx->socket_path = g_build_filename (fx->dir, "virtual.socket", NULL);
  prints = g_build_filename (fx->dir, "prints", NULL);
  g_setenv ("RIDGE_PRINTS_DIR", prints, TRUE);
  g_setenv (env_name, fx->socket_path, TRUE);

  fx->window = g_object_ref_sink (ridge_window_new (NULL));
  gtk_window_set_default_size (GTK_WINDOW (fx->window), 1100, 720);
  ridge_test_present (GTK_WINDOW (fx->window));
  list = ridge_window_get_reader_list (fx->window);
  g_assert_nonnull (list);
  g_assert_nonnull (gtk_list_box_get_row_at_index (list, 0));
  g_assert_null (gtk_list_box_get_row_at_index (list, 1));
  fx->view = RIDGE_READER_VIEW (ridge_window_get_reader_view (fx->window));
  gtk_list_box_select_row (list, gtk_list_box_get_row_at_index (list, 0));
  /* a reference of our own: an unplugged reader leaves the manager (and may be freed) */
  fx->reader = g_object_ref (ridge_reader_view_get_reader (fx->view));
  g_signal_connect (fx->reader, "enroll-progress", G_CALLBACK (on_progress), fx);
  g_unsetenv (env_name);
}

static void
fixture_teardown (Fixture *fx)
{
  g_signal_handlers_disconnect_by_data (fx->reader, fx);
  g_clear_object (&fx->reader);
  gtk_window_destroy (GTK_WINDOW (fx->window));
  g_clear_object (&fx->window);
  ridge_test_wait (100);
  g_unsetenv ("RIDGE_PRINTS_DIR");
  remove_tree (fx->dir);
  g_free (fx->socket_path);
  g_free (fx->dir);
}

static void
shot (Fixture    *fx,
      const char *name)
{
  ridge_test_wait (300);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (fx->window), name));
}

static GSocketConnection *
connect_reader (Fixture *fx)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (fx->socket_path);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  for (;;)
    {
      g_autoptr (GError) error = NULL;
      GSocketConnection *conn = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address),
                                                         NULL, &error);

      if (conn != NULL)
        return conn;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      ridge_test_wait (10);
    }
}

static void
send_all (GSocketConnection *conn,
          const void        *data,
          gsize              len)
{
  g_autoptr (GError) error = NULL;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (conn));

  g_assert_true (g_output_stream_write_all (out, data, len, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
send_image (GSocketConnection *conn,
            const RidgeImage  *img)
{
  gint32 hdr[2] = { img->width, img->height };

  send_all (conn, hdr, sizeof hdr);
  send_all (conn, img->pixels, (gsize)img->width * img->height);
}

static void
synth_finger (guint32     seed,
              RidgeImage *img)
{
  RidgeSynthParams params = { 0 };
  int n = 0;

  params.width = 320;
  params.height = 400;
  g_assert_cmpint (ridge_synth_impression (seed, 0, &params, img, NULL, 0, &n), ==,
                   RIDGE_ENGINE_OK);
}

static gboolean
activity_is (Fixture    *fx,
             const char *activity)
{
  return g_strcmp0 (ridge_reader_view_get_activity (fx->view), activity) == 0;
}

/* ---- the image sensor ------------------------------------------------------------------ */

static void
test_image_reader (void)
{
  Fixture fx = { 0 };
  RidgeImage finger = { 0 }, other = { 0 };
  g_autoptr (GSocketConnection) conn = NULL;
  RidgeImageView *image_view;
  AdwMessageDialog *dialog;

  synth_finger (11, &finger);
  synth_finger (2024, &other);
  fixture_setup (&fx, "FP_VIRTUAL_IMAGE");
  g_assert_cmpstr (ridge_reader_get_driver (fx.reader), ==, "virtual_image");

  /* live: repeated capture; the pushed image shows with the engine's minutiae */
  WAIT_FOR (activity_is (&fx, "live"));
  g_assert_cmpstr (ridge_reader_view_get_headline (fx.view, "live"), ==, "waiting");
  shot (&fx, "reader-live-waiting");
  conn = connect_reader (&fx);
  ridge_test_wait (100);
  send_image (conn, &finger);
  WAIT_FOR (g_strcmp0 (ridge_reader_view_get_headline (fx.view, "live"), "frames") == 0);
  image_view = ridge_live_page_get_image_view (ridge_reader_view_get_live_page (fx.view));
  g_assert_true (ridge_image_view_has_image (image_view));
  g_assert_cmpuint (ridge_image_view_get_n_minutiae (image_view), >, 10);
  /* the capture loop goes on: the next capture waits for the next finger */
  WAIT_FOR (activity_is (&fx, "live"));
  shot (&fx, "reader-live");

  /* a failing capture is said as a sentence, and the loop stops until the page is shown again */
  {
    gint32 cmd[2] = { -2, FP_DEVICE_ERROR_TOO_HOT };

    send_all (conn, cmd, sizeof cmd);
  }
  WAIT_FOR (activity_is (&fx, "idle"));
  g_assert_cmpstr (ridge_reader_view_get_headline (fx.view, "live"), ==, "waiting");
  g_assert_cmpstr (ridge_reader_view_get_detail (fx.view, "live"), ==,
                   "The fingerprint reader is too hot. Let it cool down for a few minutes, "
                   "then try again.");
  shot (&fx, "reader-live-error");
  ridge_test_wait (300);
  g_assert_true (activity_is (&fx, "idle"));
  /* "Try Again" restarts the loop; the next finger shows */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx.view), "reader.retry-live", NULL));
  WAIT_FOR (activity_is (&fx, "live"));

  /* enroll: the live capture yields; five samples, shown as "Sample k of 5" */
  ridge_reader_view_set_visible_page (fx.view, "enroll");
  WAIT_FOR (activity_is (&fx, "idle"));
  ridge_reader_view_enroll (fx.view, "", 2);
  g_assert_cmpstr (ridge_reader_view_get_detail (fx.view, "enroll"), ==,
                   "Enter the name of the user first.");
  ridge_reader_view_enroll (fx.view, "alice", 2);
  g_assert_true (activity_is (&fx, "enroll"));
  g_assert_cmpstr (ridge_reader_view_get_headline (fx.view, "enroll"), ==, "Sample 0 of 5");
  for (int i = 1; i <= 5; i++)
    {
      g_autofree char *expected = g_strdup_printf ("Sample %d of 5", i);

      ridge_test_wait (100);
      send_image (conn, &finger);
      WAIT_FOR (fx.progress == i);
      ridge_test_wait (20);
      if (i < 5)
        g_assert_cmpstr (ridge_reader_view_get_headline (fx.view, "enroll"), ==, expected);
      if (i == 3)
        shot (&fx, "reader-enroll-progress");
    }
  WAIT_FOR (activity_is (&fx, "idle"));
  g_assert_cmpstr (ridge_reader_view_get_headline (fx.view, "enroll"), ==, "Enrolled");
  g_assert_cmpstr (ridge_reader_view_get_detail (fx.view, "enroll"), ==,
                   "alice — Right index finger is enrolled.");
  g_assert_cmpuint (ridge_reader_view_get_n_prints (fx.view), ==, 1);
  shot (&fx, "reader-enrolled");

  /* verify: the same finger matches, another does not */
  ridge_reader_view_set_visible_page (fx.view, "verify");
  ridge_reader_view_verify (fx.view, 0);
  g_assert_true (activity_is (&fx, "verify"));
  ridge_test_wait (100);
  send_image (conn, &finger);
  WAIT_FOR (activity_is (&fx, "idle"));
  g_assert_cmpstr (ridge_reader_view_get_headline (fx.view, "verify"), ==, "Match");
  g_assert_cmpstr (ridge_reader_view_get_detail (fx.view, "verify"), ==,
                   "The finger is alice — Right index finger.");
  shot (&fx, "reader-verify-match");
  ridge_reader_view_verify (fx.view, 0);
  ridge_test_wait (100);
  send_image (conn, &other);
  WAIT_FOR (activity_is (&fx, "idle"));
  g_assert_cmpstr (ridge_reader_view_get_headline (fx.view, "verify"), ==, "No Match");
  shot (&fx, "reader-verify-no-match");

  /* identify */
  ridge_reader_view_identify (fx.view);
  g_assert_true (activity_is (&fx, "identify"));
  ridge_test_wait (100);
  send_image (conn, &finger);
  WAIT_FOR (activity_is (&fx, "idle"));
  g_assert_cmpstr (ridge_reader_view_get_headline (fx.view, "verify"), ==, "Match");

  /* the prints page: the local print, deleted after confirmation */
  ridge_reader_view_set_visible_page (fx.view, "prints");
  g_assert_nonnull (strstr (ridge_reader_view_get_headline (fx.view, "prints"),
                            "Ridge keeps them on this computer"));
  shot (&fx, "reader-prints");
  dialog = ridge_reader_view_delete_print (fx.view, 0);
  g_assert_nonnull (dialog);
  ridge_test_wait (200);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (dialog), "reader-delete-dialog"));
  adw_message_dialog_response (dialog, "delete");
  /* the folder is read again on a thread, never on the main thread: "list" until it is */
  g_assert_true (activity_is (&fx, "list"));
  WAIT_FOR (activity_is (&fx, "idle"));
  g_assert_cmpuint (ridge_reader_view_get_n_prints (fx.view), ==, 0);

  /* narrow: the leaflet folds, the reader view gets its back button */
  gtk_window_set_default_size (GTK_WINDOW (fx.window), 400, 700);
  ridge_test_wait (500);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (fx.window), "reader-narrow-sidebar"));
  g_signal_emit_by_name (ridge_window_get_reader_list (fx.window), "row-activated",
                         gtk_list_box_get_row_at_index (ridge_window_get_reader_list (fx.window),
                                                        0));
  ridge_test_wait (500);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (fx.window), "reader-narrow"));

  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  fixture_teardown (&fx);
  ridge_image_clear (&finger);
  ridge_image_clear (&other);
}

/* ---- the match-on-chip reader ---------------------------------------------------------- */

/* One text command per connection. */
static void
send_text (Fixture    *fx,
           const char *command)
{
  g_autoptr (GSocketConnection) conn = connect_reader (fx);

  send_all (conn, command, strlen (command));
  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  /* the reader takes one connection at a time: let it read this one first */
  ridge_test_wait (150);
}

static void
test_chip_reader (void)
{
  Fixture fx = { 0 };
  AdwMessageDialog *dialog;

  fixture_setup (&fx, "FP_VIRTUAL_DEVICE_STORAGE");
  g_assert_cmpstr (ridge_reader_get_driver (fx.reader), ==, "virtual_device_storage");

  /* no images: said so instead of a live view */
  WAIT_FOR (activity_is (&fx, "idle"));
  g_assert_cmpstr (ridge_reader_view_get_headline (fx.view, "live"), ==, "no-images");
  shot (&fx, "reader-chip-live");

  /* enroll on the chip */
  ridge_reader_view_set_visible_page (fx.view, "enroll");
  WAIT_FOR (activity_is (&fx, "idle"));
  ridge_reader_view_enroll (fx.view, "bob", 6);
  g_assert_true (activity_is (&fx, "enroll"));
  for (int i = 0; i < 5; i++)
    send_text (&fx, "SCAN bob-thumb");
  WAIT_FOR (fx.progress == 5);
  /* then the chip's list is read again (the virtual reader waits 0.5 s for commands) */
  WAIT_FOR (activity_is (&fx, "idle"));
  g_assert_cmpstr (ridge_reader_view_get_headline (fx.view, "enroll"), ==, "Enrolled");
  g_assert_cmpuint (ridge_reader_view_get_n_prints (fx.view), ==, 1);
  shot (&fx, "reader-chip-enrolled");

  /* the list, with a second print put on the chip meanwhile */
  ridge_reader_view_set_visible_page (fx.view, "prints");
  WAIT_FOR (activity_is (&fx, "list"));
  send_text (&fx, "INSERT carol-index");
  WAIT_FOR (activity_is (&fx, "idle"));
  g_assert_cmpuint (ridge_reader_view_get_n_prints (fx.view), ==, 2);
  g_assert_cmpstr (ridge_reader_view_get_headline (fx.view, "prints"), ==,
                   "These prints are stored on the reader itself.");
  shot (&fx, "reader-chip-prints");

  /* identify finds bob's print among both */
  ridge_reader_view_set_visible_page (fx.view, "verify");
  WAIT_FOR (activity_is (&fx, "idle"));
  ridge_reader_view_identify (fx.view);
  g_assert_true (activity_is (&fx, "identify"));
  send_text (&fx, "SCAN bob-thumb");
  WAIT_FOR (activity_is (&fx, "idle"));
  g_assert_cmpstr (ridge_reader_view_get_headline (fx.view, "verify"), ==, "Match");
  g_assert_cmpstr (ridge_reader_view_get_detail (fx.view, "verify"), ==,
                   "The finger is bob — Left thumb.");
  shot (&fx, "reader-chip-identify");

  /* delete both after confirmation: the list is read again each time */
  ridge_reader_view_set_visible_page (fx.view, "prints");
  WAIT_FOR (activity_is (&fx, "idle"));
  for (guint left = 2; left > 0; left--)
    {
      dialog = ridge_reader_view_delete_print (fx.view, 0);
      adw_message_dialog_response (dialog, "delete");
      g_assert_true (activity_is (&fx, "delete"));
      WAIT_FOR (activity_is (&fx, "idle") && ridge_reader_view_get_n_prints (fx.view) == left - 1);
    }
  g_assert_cmpstr (ridge_reader_view_get_headline (fx.view, "prints"), ==,
                   "No prints are stored on the reader.");

  /* unplugged: said so, and the sidebar loses the reader */
  send_text (&fx, "UNPLUG");
  WAIT_FOR (gtk_list_box_get_row_at_index (ridge_window_get_reader_list (fx.window), 0) == NULL);
  g_assert_null (ridge_reader_view_get_reader (fx.view));
  shot (&fx, "reader-chip-unplugged");

  fixture_teardown (&fx);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("RIDGE_NO_USB", "1", TRUE);
  g_unsetenv ("FP_VIRTUAL_IMAGE");
  g_unsetenv ("FP_VIRTUAL_DEVICE_STORAGE");
  g_unsetenv ("FP_VIRTUAL_DEVICE");
  ridge_test_init (&argc, &argv);
  g_test_add_func ("/readers/image-sensor", test_image_reader);
  g_test_add_func ("/readers/match-on-chip", test_chip_reader);
  return g_test_run ();
}
