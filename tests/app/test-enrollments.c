/* test-enrollments.c — the Enrollments table against two real ridge-terminal processes and a
 * local store: merged rows, sorting, filtering, rename, delete, keep a local copy, copy to
 * the second terminal (and its refusals: the same finger, a full store), re-enroll, clear
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Skips when the ridge-terminal executable is not built.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "core/ridge-export.h"
#include "core/ridge-secret.h"
#include "core/ridge-store.h"
#include "ridge-enroll-page.h"
#include "ridge-enrollments-page.h"
#include "ridge-terminal-view.h"
#include "ridge-test-store.h"
#include "ridge-test-terminal.h"
#include "ridge-test-util.h"
#include "ridge-window.h"

#define LEFT_THUMB   6
#define RIGHT_INDEX  2
#define RIGHT_MIDDLE 3
#define LEFT_INDEX   7

#define EXPORT_TOKEN "app-test-token"

static char *store_dir;
static char *store_file;
static GSubprocess *export_server;
static GSubprocess *stall_server;
static char *export_url;
static char *stall_url;
static char *export_cert;

/* A screenshot of a drawn window: under load a frame may still be pending, and the first
 * snapshot comes out as the bare background; then it waits and takes it again. */
static void
shot (GtkWidget  *widget,
      const char *name)
{
  for (guint attempt = 0; attempt < 10; attempt++)
    {
      g_autoptr (GdkTexture) texture = ridge_test_screenshot (widget, name);
      gsize n = (gsize)gdk_texture_get_width (texture) * gdk_texture_get_height (texture);
      g_autofree guint32 *pixels = g_new (guint32, n);

      gdk_texture_download (texture, (guchar *)pixels, gdk_texture_get_width (texture) * 4);
      for (gsize i = 1; i < n; i++)
        if (pixels[i] != pixels[0])
          return;
      ridge_test_wait (500);
    }
  g_error ("%s: the window never drew", name);
}

static int n_wanted;

static gboolean
has_n_records (gpointer data)
{
  return ridge_enrollments_page_get_n_records (data) == n_wanted;
}

static gboolean
not_busy (gpointer data)
{
  return ridge_enrollments_page_get_busy (data) == 0;
}

/* The row of user's finger among the shown ones, or NULL. */
static RidgeEnrollmentRow *
shown_row (RidgeEnrollmentsPage *page,
           const char           *user,
           guint                 finger)
{
  GListModel *shown = ridge_enrollments_page_get_shown (page);

  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr (RidgeEnrollmentRow) row = g_list_model_get_item (shown, i);

      if (g_str_equal (ridge_enrollment_row_get_user_id (row), user)
          && ridge_enrollment_row_get_finger (row) == finger)
        return row;   /* the model keeps it */
    }
  return NULL;
}

static char *
shown_users (RidgeEnrollmentsPage *page)
{
  GListModel *shown = ridge_enrollments_page_get_shown (page);
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr (RidgeEnrollmentRow) row = g_list_model_get_item (shown, i);

      g_string_append_printf (s, "%s%s", i > 0 ? " " : "", ridge_enrollment_row_get_user_id (row));
    }
  return g_string_free (s, FALSE);
}

static GtkColumnViewColumn *
column (RidgeEnrollmentsPage *page,
        const char           *title)
{
  GListModel *columns = gtk_column_view_get_columns (ridge_enrollments_page_get_column_view (page));

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr (GtkColumnViewColumn) c = g_list_model_get_item (columns, i);

      if (g_str_equal (gtk_column_view_column_get_title (c), title))
        return c;
    }
  g_assert_not_reached ();
}

/* Two local-only records (dave quality 20, erin quality 95) in a fresh store. */
static void
fill_store (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeStore) store = ridge_store_new (store_file, &error);
  static const struct { const char *user; const char *name; guint finger; guint quality; } recs[] =
  {
    { "dave", "Dave Local", RIGHT_MIDDLE, 20 },
    { "erin", "Erin Local", LEFT_INDEX, 95 },
  };

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (recs); i++)
    {
      g_autoptr (GBytes) blob = ridge_test_enroll_blob (40 + i);
      RidgeStoreTemplateData data = {
        .user_external_id = recs[i].user,
        .display_name = recs[i].name,
        .finger = recs[i].finger,
        .native = blob,
        .samples = 3,
        .quality = recs[i].quality,
      };

      g_assert_cmpint (ridge_store_put_template (store, &data, NULL, &error), >, 0);
      g_assert_no_error (error);
    }
}

static gboolean
alice_renamed (gpointer data)
{
  RidgeEnrollmentRow *row = shown_row (data, "alice", RIGHT_INDEX);

  return row != NULL && g_strcmp0 (ridge_enrollment_row_get_name (row), "Alice Renamed") == 0;
}

static gboolean
alice_local (gpointer data)
{
  RidgeEnrollmentRow *row = shown_row (data, "alice", RIGHT_INDEX);

  return row != NULL && ridge_enrollment_row_get_on_local (row);
}

/* user's finger listed, but no longer on the terminal */
static gboolean
local_only (gpointer    data,
            const char *user,
            guint       finger)
{
  RidgeEnrollmentRow *row = shown_row (data, user, finger);

  return row != NULL && !ridge_enrollment_row_get_on_terminal (row);
}

static gboolean
carol_gone (gpointer data)
{
  return local_only (data, "carol", LEFT_THUMB);
}

static gboolean
alice_gone (gpointer data)
{
  return local_only (data, "alice", RIGHT_INDEX);
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* ridge-test-server (tests/export) over TLS with a fresh self-signed certificate; FALSE when
 * it or openssl is missing (the export part is then skipped, said in the log). */
static gboolean
start_export_server (const char   *db_name,
                     const char   *extra,
                     const char   *extra2,
                     GSubprocess **proc_out,
                     char        **url_out)
{
  const char *exe = g_getenv ("RIDGE_TEST_SERVER_EXE");
  const char *cert_sh = g_getenv ("RIDGE_TEST_CERT_SH");
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GDataInputStream) in = NULL;
  g_autofree char *dir = g_build_filename (store_dir, "server", NULL);
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autofree char *db = NULL;
  g_autofree char *line = NULL;
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  const char *argv[] = { cert_sh, dir, NULL };
  int status = 0;

  if (export_cert != NULL)
    goto spawn;   /* the certificate of the first server serves the others too */
  if (exe == NULL || cert_sh == NULL || openssl == NULL)
    {
      g_test_message ("no ridge-test-server or openssl: the export part is skipped");
      return FALSE;
    }
  g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status,
                &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);
  export_cert = g_strdup_printf ("%s/cert.pem", dir);
spawn:
  cert = g_strdup_printf ("--cert=%s/cert.pem", dir);
  key = g_strdup_printf ("--key=%s/key.pem", dir);
  db = g_strdup_printf ("--db=%s/%s", dir, db_name);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  *proc_out = g_subprocess_launcher_spawn (launcher, &error, exe, "--port=0", cert, key,
                                           "--token=" EXPORT_TOKEN, db, extra, extra2, NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (*proc_out));
  line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "ridge-test-server: listening on https://127.0.0.1:"));
  *url_out = g_strdup (strstr (line, "https://"));
  return TRUE;
}

/* the exporter runs (the token was found, the first batch goes out) */
static gboolean
stall_running (gpointer data)
{
  return g_str_has_prefix (ridge_enrollments_page_get_export_status (data),
                           "Exporting to “stall”");
}

static gboolean
not_exporting (gpointer data)
{
  return !ridge_enrollments_page_is_exporting (data);
}

/* Every local row has a final export state; returns how many were created on the server. */
static guint
check_exported (RidgeEnrollmentsPage *page)
{
  GListModel *shown = ridge_enrollments_page_get_shown (page);
  guint exported = 0;

  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr (RidgeEnrollmentRow) row = g_list_model_get_item (shown, i);
      const char *state = ridge_enrollment_row_get_server_state (row);

      g_test_message ("%s: %s", ridge_enrollment_row_get_user_id (row), state);
      g_assert_cmpstr (state, !=, "Not exported");
      g_assert_cmpstr (state, !=, "Export queued");
      if (g_str_equal (state, "Exported"))
        {
          g_assert_true (ridge_enrollment_row_get_on_server (row));
          g_assert_nonnull (strstr (ridge_enrollment_row_get_lives_on (row), "Server"));
          exported++;
        }
    }
  return exported;
}

static gboolean
alice_not_exported (gpointer data)
{
  RidgeEnrollmentRow *row = shown_row (data, "alice", RIGHT_INDEX);

  return row != NULL && g_strcmp0 (ridge_enrollment_row_get_server_state (row),
                                   "Not exported") == 0;
}

static void
export_stop (RidgeEnrollmentsPage *page)
{
  g_autoptr (RidgeExportProfile) profile = ridge_export_profile_new ("stall", stall_url,
                                                                     export_cert, 100);
  g_autoptr (GError) error = NULL;
  gint64 start;

  g_assert_true (ridge_export_profile_save (profile, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ridge_secret_store ("stall", EXPORT_TOKEN, &error), ==,
                   RIDGE_SECRET_BACKEND_FILE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "enrollments.export", NULL));
  g_assert_true (ridge_enrollments_page_set_export_choice (page, "stall", FALSE));
  adw_message_dialog_response (ridge_enrollments_page_get_dialog (page), "export");
  /* the batch is on its way once the progress shows */
  g_assert_true (ridge_test_wait_until (stall_running, page, 10000));
  ridge_test_wait (1000);
  g_assert_true (ridge_enrollments_page_is_exporting (page));
  start = g_get_monotonic_time ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "enrollments.export-cancel",
                                             NULL));
  g_assert_true (ridge_test_wait_until (not_exporting, page, 10000));
  g_test_message ("stopped after %.1f s: %s", (g_get_monotonic_time () - start) / 1e6,
                  ridge_enrollments_page_get_last_message (page));
  /* well before the server's 30 s answer */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  g_assert_cmpstr (ridge_enrollments_page_get_last_message (page), ==,
                   "Export stopped; 5 templates stay queued for the next one.");
}

static void
export_all (RidgeEnrollmentsPage *page,
            RidgeWindow          *window)
{
  g_autoptr (RidgeExportProfile) profile = ridge_export_profile_new ("app-test", export_url,
                                                                     export_cert, 100);
  g_autoptr (GError) error = NULL;
  AdwMessageDialog *dialog;

  g_autoptr (RidgeExportProfile) tokenless = ridge_export_profile_new ("no-token", export_url,
                                                                       export_cert, 100);

  g_assert_true (ridge_export_profile_save (profile, &error));
  g_assert_no_error (error);
  g_assert_true (ridge_export_profile_save (tokenless, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ridge_secret_store ("app-test", EXPORT_TOKEN, &error), ==,
                   RIDGE_SECRET_BACKEND_FILE);
  g_assert_no_error (error);

  /* a profile without a token: a sentence saying how to store one, nothing sent */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "enrollments.export", NULL));
  g_assert_nonnull (ridge_enrollments_page_get_dialog (page));
  g_assert_true (ridge_enrollments_page_set_export_choice (page, "no-token", FALSE));
  adw_message_dialog_response (ridge_enrollments_page_get_dialog (page), "export");
  g_assert_true (ridge_test_wait_until (not_exporting, page, 10000));
  g_assert_cmpstr (ridge_enrollments_page_get_last_message (page), ==,
                   "No token is stored for the server “no-token”. Enter one in Preferences → "
                   "Servers (Ctrl+,) or store it with “ridgectl export token set no-token”.");
  ridge_enrollments_page_refresh (page);
  /* the Server column comes with the profile */
  g_assert_true (ridge_test_wait_until (alice_not_exported, page, 10000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "enrollments.export", NULL));
  dialog = ridge_enrollments_page_get_dialog (page);
  g_assert_nonnull (dialog);
  g_assert_true (ridge_enrollments_page_set_export_choice (page, "app-test", FALSE));
  ridge_test_wait (300);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (dialog), "enrollments-export-dialog"));
  adw_message_dialog_response (dialog, "export");
  g_assert_true (ridge_enrollments_page_is_exporting (page));
  g_assert_true (ridge_test_wait_until (not_exporting, page, 60000));
  g_test_message ("export: %s", ridge_enrollments_page_get_last_message (page));
  g_assert_true (g_str_has_prefix (ridge_enrollments_page_get_last_message (page),
                                   "Export to “app-test” done: "));
  /* the page lists again after the export */
  ridge_test_wait (1500);
  g_test_message ("status: %s", ridge_enrollments_page_get_export_status (page));
  g_assert_true (g_str_has_prefix (ridge_enrollments_page_get_export_status (page),
                                   "Server “app-test”: last export "));
  g_assert_cmpuint (check_exported (page), >, 0);
  gtk_widget_queue_draw (GTK_WIDGET (window));
  ridge_test_wait (800);
  shot (GTK_WIDGET (window), "enrollments-exported");
}

typedef struct {
  RidgeTerminalItem *item;
  GPtrArray         *templates;
  gboolean           done;
} ListWait;

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  ListWait *w = user_data;
  g_autoptr (GError) error = NULL;

  w->templates = ridge_terminal_item_list_templates_finish (RIDGE_TERMINAL_ITEM (source), result,
                                                            &error);
  g_assert_no_error (error);
  w->done = TRUE;
}

static gboolean
list_done (gpointer data)
{
  return ((ListWait *)data)->done;
}

/* The records of another terminal, as "user/finger" words in list order. */
static char *
terminal_records (RidgeTerminalItem *item)
{
  ListWait w = { item, NULL, FALSE };
  GString *s = g_string_new (NULL);

  ridge_terminal_item_list_templates_async (item, NULL, listed_cb, &w);
  g_assert_true (ridge_test_wait_until (list_done, &w, 10000));
  for (guint i = 0; i < w.templates->len; i++)
    {
      const RidgeAppTemplate *t = g_ptr_array_index (w.templates, i);

      g_string_append_printf (s, "%s%s/%u", i > 0 ? " " : "", t->user_id, t->finger);
    }
  g_ptr_array_unref (w.templates);
  return g_string_free (s, FALSE);
}

static void
copy_selected (RidgeEnrollmentsPage *page,
               RidgeWindow          *window,
               const char           *target,
               const char           *shot)
{
  AdwMessageDialog *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "enrollments.copy", NULL));
  dialog = ridge_enrollments_page_get_dialog (page);
  g_assert_nonnull (dialog);
  g_assert_true (ridge_enrollments_page_set_copy_target (page, target));
  if (shot != NULL)
    {
      ridge_test_wait (300);
      g_object_unref (ridge_test_screenshot (GTK_WIDGET (dialog), shot));
    }
  adw_message_dialog_response (dialog, "copy");
  g_assert_true (ridge_test_wait_until (not_busy, page, 15000));
  g_test_message ("copy: %s", ridge_enrollments_page_get_last_message (page));
}

static void
test_table (void)
{
  static const char *users[] = { "alice", "bob", "carol" };
  static const guint fingers[] = { RIGHT_INDEX, LEFT_INDEX, LEFT_THUMB };
  static const char *small[] = { "--capacity=2", NULL };
  g_autoptr (GSettings) settings = g_settings_new ("org.ridge.Ridge");
  g_autoptr (GError) error = NULL;
  RidgeTestTerminal *a = ridge_test_terminal_start (NULL);
  RidgeTestTerminal *b = ridge_test_terminal_start (small);
  const char *addr_a = ridge_test_terminal_get_address (a);
  const char *addr_b = ridge_test_terminal_get_address (b);
  RidgeWindow *window;
  RidgeTerminalView *view;
  RidgeEnrollmentsPage *page;
  RidgeTerminalItem *item_a, *item_b;
  RidgeEnrollmentRow *row;
  AdwMessageDialog *dialog;
  AdwViewStack *stack;
  GtkColumnView *table;
  g_autofree char *order = NULL;
  g_autofree char *there = NULL;
  GStatBuf st;

  g_assert_true (ridge_test_store_put (addr_a, users, fingers, 3, &error));
  g_assert_no_error (error);
  fill_store ();

  g_settings_reset (settings, "terminals");
  window = g_object_ref_sink (ridge_window_new (NULL));
  ridge_window_set_autoconnect (window, TRUE);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 760);
  ridge_test_present (GTK_WINDOW (window));
  view = ridge_window_get_terminal_view (window);
  page = RIDGE_ENROLLMENTS_PAGE (gtk_widget_get_template_child (GTK_WIDGET (view),
                                                                RIDGE_TYPE_TERMINAL_VIEW,
                                                                "enrollments_page"));
  table = ridge_enrollments_page_get_column_view (page);
  g_assert_true (ridge_window_add_terminal (window, addr_b, NULL));
  g_assert_true (ridge_window_add_terminal (window, addr_a, NULL));
  item_a = ridge_test_find_item (window, addr_a);
  item_b = ridge_test_find_item (window, addr_b);
  ridge_window_select_terminal (window, addr_a);
  ridge_terminal_item_connect (item_b);
  g_assert_true (ridge_test_wait_until (ridge_test_item_ready, item_a, 10000));
  g_assert_true (ridge_test_wait_until (ridge_test_item_ready, item_b, 10000));
  ridge_terminal_view_set_visible_page (view, "enrollments");

  /* three terminal records and two local-only ones, merged */
  n_wanted = 5;
  if (!ridge_test_wait_until (has_n_records, page, 10000))
    shot (GTK_WIDGET (window), "enrollments-failed");
  if (ridge_enrollments_page_get_n_records (page) != 5)
    g_error ("listed %d records, not 5; last message “%s”",
             ridge_enrollments_page_get_n_records (page),
             ridge_enrollments_page_get_last_message (page));
  row = shown_row (page, "alice", RIGHT_INDEX);
  g_assert_nonnull (row);
  g_assert_true (ridge_enrollment_row_get_on_terminal (row));
  g_assert_false (ridge_enrollment_row_get_on_local (row));
  g_assert_cmpstr (ridge_enrollment_row_get_sync_state (row), ==, "Terminal only");
  g_assert_cmpstr (ridge_enrollment_row_get_lives_on (row), ==, "Terminal");
  row = shown_row (page, "dave", RIGHT_MIDDLE);
  g_assert_nonnull (row);
  g_assert_false (ridge_enrollment_row_get_on_terminal (row));
  g_assert_true (ridge_enrollment_row_get_on_local (row));
  g_assert_cmpstr (ridge_enrollment_row_get_name (row), ==, "Dave Local");
  g_assert_cmpstr (ridge_enrollment_row_get_lives_on (row), ==, "Local");
  g_assert_cmpstr (ridge_enrollment_row_get_sync_state (row), ==, "Local only");
  g_assert_cmpuint (ridge_enrollment_row_get_quality (row), ==, 20);
  /* a local-only row cannot be renamed on the terminal, but can be enrolled again */
  g_assert_true (ridge_enrollments_page_select (page, "dave", RIGHT_MIDDLE));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (page), "enrollments.rename", NULL)
                  && ridge_enrollments_page_get_dialog (page) != NULL);
  ridge_test_wait (1000);   /* the stack's crossfade */
  shot (GTK_WIDGET (window), "enrollments-table");

  /* sorting: by name (the default), both ways, then by quality */
  order = shown_users (page);
  g_assert_cmpstr (order, ==, "alice bob carol dave erin");
  g_clear_pointer (&order, g_free);
  gtk_column_view_sort_by_column (table, column (page, "Name"), GTK_SORT_DESCENDING);
  order = shown_users (page);
  g_assert_cmpstr (order, ==, "erin dave carol bob alice");
  g_clear_pointer (&order, g_free);
  gtk_column_view_sort_by_column (table, column (page, "Quality"), GTK_SORT_ASCENDING);
  order = shown_users (page);
  g_test_message ("by quality: %s", order);
  g_assert_true (g_str_has_prefix (order, "dave "));
  g_assert_true (g_str_has_suffix (order, " erin"));
  g_clear_pointer (&order, g_free);
  gtk_column_view_sort_by_column (table, column (page, "Quality"), GTK_SORT_DESCENDING);
  order = shown_users (page);
  g_assert_true (g_str_has_prefix (order, "erin "));
  g_assert_true (g_str_has_suffix (order, " dave"));
  g_clear_pointer (&order, g_free);
  ridge_test_wait (300);
  shot (GTK_WIDGET (window), "enrollments-by-quality");
  gtk_column_view_sort_by_column (table, column (page, "Name"), GTK_SORT_ASCENDING);

  /* the filters: text over name and id, finger */
  ridge_enrollments_page_set_filter (page, "LOCAL", 0);
  order = shown_users (page);
  g_assert_cmpstr (order, ==, "dave erin");
  g_clear_pointer (&order, g_free);
  ridge_enrollments_page_set_filter (page, "bo", 0);
  order = shown_users (page);
  g_assert_cmpstr (order, ==, "bob");
  g_clear_pointer (&order, g_free);
  ridge_enrollments_page_set_filter (page, "", LEFT_INDEX);
  order = shown_users (page);
  g_assert_cmpstr (order, ==, "bob erin");
  g_clear_pointer (&order, g_free);
  ridge_test_wait (300);
  shot (GTK_WIDGET (window), "enrollments-filtered");
  ridge_enrollments_page_set_filter (page, "", 0);
  g_assert_cmpuint (g_list_model_get_n_items (ridge_enrollments_page_get_shown (page)), ==, 5);

  /* dark style */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  ridge_test_wait (1000);
  shot (GTK_WIDGET (window), "enrollments-table-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);

  /* rename alice on the terminal: read back from it */
  g_assert_true (ridge_enrollments_page_select (page, "alice", RIGHT_INDEX));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "enrollments.rename", NULL));
  dialog = ridge_enrollments_page_get_dialog (page);
  g_assert_nonnull (dialog);
  ridge_enrollments_page_set_rename (page, "alice", "Alice Renamed");
  ridge_test_wait (300);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (dialog), "enrollments-rename-dialog"));
  adw_message_dialog_response (dialog, "rename");
  if (!ridge_test_wait_until (alice_renamed, page, 10000))
    g_error ("not renamed: “%s”, row “%s”", ridge_enrollments_page_get_last_message (page),
             shown_row (page, "alice", RIGHT_INDEX) != NULL
             ? ridge_enrollment_row_get_name (shown_row (page, "alice", RIGHT_INDEX)) : "none");

  /* keep a local copy: the terminal's records go into the store, linked and synced */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "enrollments.keep-local", NULL));
  g_assert_true (ridge_test_wait_until (alice_local, page, 15000));
  g_assert_true (ridge_test_wait_until (not_busy, page, 15000));
  g_test_message ("keep local: %s", ridge_enrollments_page_get_last_message (page));
  g_assert_cmpstr (ridge_enrollments_page_get_last_message (page), ==,
                   "Local copy: 3 new, 0 updated, 0 unchanged.");
  row = shown_row (page, "alice", RIGHT_INDEX);
  g_assert_cmpstr (ridge_enrollment_row_get_lives_on (row), ==, "Terminal, Local");
  g_assert_cmpstr (ridge_enrollment_row_get_sync_state (row), ==, "Synced");
  g_assert_cmpint (ridge_enrollments_page_get_n_records (page), ==, 5);
  g_assert_cmpint (g_stat (store_file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* export every local template to a real HTTPS server */
  if (start_export_server ("server.db", NULL, NULL, &export_server, &export_url))
    {
      export_all (page, window);
      /* a server that stores a batch and answers 30 s later: stopped while it waits */
      start_export_server ("stall.db", "--stall-rate=1", "--stall-ms=30000", &stall_server,
                           &stall_url);
      export_stop (page);
    }

  /* copy alice to the second terminal, then again: refused, the finger is there */
  g_assert_true (ridge_enrollments_page_select (page, "alice", RIGHT_INDEX));
  copy_selected (page, window, addr_b, "enrollments-copy-dialog");
  g_assert_true (g_str_has_prefix (ridge_enrollments_page_get_last_message (page),
                                   "Copied the Right index finger of “alice” to "));
  there = terminal_records (item_b);
  g_assert_cmpstr (there, ==, "alice/2");
  g_clear_pointer (&there, g_free);
  copy_selected (page, window, addr_b, NULL);
  g_assert_nonnull (strstr (ridge_enrollments_page_get_last_message (page),
                            "already has the Right index finger of “alice”"));
  /* bob fills it (capacity 2), carol does not fit: the terminal's reason in a sentence */
  g_assert_true (ridge_enrollments_page_select (page, "bob", LEFT_INDEX));
  copy_selected (page, window, addr_b, NULL);
  g_assert_true (ridge_enrollments_page_select (page, "carol", LEFT_THUMB));
  copy_selected (page, window, addr_b, NULL);
  g_assert_true (g_str_has_prefix (ridge_enrollments_page_get_last_message (page),
                                   "127.0.0.1:"));
  g_assert_nonnull (strstr (ridge_enrollments_page_get_last_message (page),
                            "has no free place for this finger"));
  there = terminal_records (item_b);
  g_assert_cmpstr (there, ==, "alice/2 bob/7");
  g_clear_pointer (&there, g_free);

  /* delete carol (the question names her) */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "enrollments.delete", NULL));
  dialog = ridge_enrollments_page_get_dialog (page);
  g_assert_nonnull (dialog);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "“carol”"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "Left thumb"));
  ridge_test_wait (300);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (dialog), "enrollments-delete-dialog"));
  adw_message_dialog_response (dialog, "delete");
  /* carol stays as a local row: the store keeps its copy, now deleted on the terminal */
  g_assert_true (ridge_test_wait_until (carol_gone, page, 10000));
  g_assert_cmpstr (ridge_enrollment_row_get_sync_state (shown_row (page, "carol", LEFT_THUMB)),
                   ==, "Deleted on the terminal");
  there = terminal_records (item_a);
  g_assert_cmpstr (there, ==, "alice/2 bob/7");
  g_clear_pointer (&there, g_free);

  /* re-enroll hands bob's finger to the Enroll page */
  g_assert_true (ridge_enrollments_page_select (page, "bob", LEFT_INDEX));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "enrollments.reenroll", NULL));
  stack = ADW_VIEW_STACK (gtk_widget_get_template_child (GTK_WIDGET (view),
                                                         RIDGE_TYPE_TERMINAL_VIEW,
                                                         "view_stack"));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "enroll");
  ridge_test_wait (800);
  g_assert_cmpuint (ridge_enroll_page_get_enrolled_mask (ridge_terminal_view_get_enroll_page (
                                                           view)), ==, 1u << LEFT_INDEX);
  shot (GTK_WIDGET (window), "enrollments-reenroll");
  ridge_terminal_view_set_visible_page (view, "enrollments");

  /* clear the terminal: the question names the count; the local rows remain */
  ridge_enrollments_page_refresh (page);
  g_assert_true (ridge_test_wait_until (has_n_records, page, 10000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "enrollments.clear", NULL));
  dialog = ridge_enrollments_page_get_dialog (page);
  g_assert_nonnull (dialog);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "All 2 enrollments "));
  ridge_test_wait (300);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (dialog), "enrollments-clear-dialog"));
  adw_message_dialog_response (dialog, "clear");
  g_assert_true (ridge_test_wait_until (alice_gone, page, 10000));
  there = terminal_records (item_a);
  g_assert_cmpstr (there, ==, "");
  g_clear_pointer (&there, g_free);
  g_assert_cmpint (ridge_enrollments_page_get_n_records (page), ==, 5);
  row = shown_row (page, "alice", RIGHT_INDEX);
  g_assert_cmpstr (ridge_enrollment_row_get_sync_state (row), ==, "Deleted on the terminal");
  g_assert_cmpstr (ridge_enrollment_row_get_lives_on (row), ==, "Local");
  ridge_test_wait (300);
  shot (GTK_WIDGET (window), "enrollments-cleared");

  ridge_terminal_item_disconnect (item_a);
  ridge_terminal_item_disconnect (item_b);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  ridge_test_terminal_stop (a);
  ridge_test_terminal_stop (b);
}

/* The page alone: no terminal, nothing listed, every record action off. */
static void
test_disconnected (void)
{
  GtkWidget *page = g_object_ref_sink (ridge_enrollments_page_new ());
  GtkWindow *window = ridge_test_show (page, 900, 600);

  g_assert_cmpint (ridge_enrollments_page_get_n_records (RIDGE_ENROLLMENTS_PAGE (page)), ==, -1);
  g_assert_false (gtk_widget_activate_action (page, "enrollments.delete", NULL)
                  && ridge_enrollments_page_get_dialog (RIDGE_ENROLLMENTS_PAGE (page)) != NULL);
  g_assert_null (ridge_enrollments_page_get_selected (RIDGE_ENROLLMENTS_PAGE (page)));
  shot (GTK_WIDGET (window), "enrollments-not-connected");
  gtk_window_destroy (window);
  g_assert_finalize_object (page);
}

int
main (int   argc,
      char *argv[])
{
  const char *exe = g_getenv ("RIDGE_TERMINAL");
  g_autoptr (GError) error = NULL;
  int ret;

  if (exe == NULL || !g_file_test (exe, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_print ("1..0 # SKIP ridge-terminal is not built (RIDGE_TERMINAL unset)\n");
      return 0;
    }
  store_dir = g_dir_make_tmp ("ridge-enrollments-store-XXXXXX", &error);
  g_assert_no_error (error);
  store_file = g_build_filename (store_dir, "store.db", NULL);
  g_setenv ("RIDGE_STORE", store_file, TRUE);
  /* export tokens go to the 0600 token file in a private config folder; no keyring */
  {
    g_autofree char *config = g_build_filename (store_dir, "config", NULL);

    g_setenv ("XDG_CONFIG_HOME", config, TRUE);
    g_setenv ("RIDGE_SECRET_BACKEND", "file", TRUE);
    g_unsetenv ("RIDGE_EXPORT_TOKEN");
  }
  ridge_test_init (&argc, &argv);
  g_test_add_func ("/enrollments/disconnected", test_disconnected);
  g_test_add_func ("/enrollments/table", test_table);
  ret = g_test_run ();
  for (guint i = 0; i < 2; i++)
    {
      GSubprocess *server = i == 0 ? export_server : stall_server;

      if (server == NULL)
        continue;
      g_subprocess_force_exit (server);
      g_subprocess_wait (server, NULL, NULL);
      g_object_unref (server);
    }
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s/server' '%s/config'", store_dir,
                                            store_dir);

    if (system (cmd) != 0)
      g_printerr ("could not remove %s/server and config\n", store_dir);
  }
  g_free (export_url);
  g_free (stall_url);
  g_free (export_cert);
  for (const char *const *s = (const char *const[]) { "", "-wal", "-shm", NULL }; *s; s++)
    {
      g_autofree char *path = g_strconcat (store_file, *s, NULL);

      g_unlink (path);
    }
  g_rmdir (store_dir);
  g_free (store_file);
  g_free (store_dir);
  return ret;
}
