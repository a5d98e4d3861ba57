/* test-preferences.c — Preferences, Servers page: add a profile with a pinned certificate and
 * a token, test the connection against tests/export's ridge-test-server (OK, wrong token,
 * no pin, another pin), edit, remove with its token, and follow changes made elsewhere
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Skips when ridge-test-server or openssl is missing. Tokens go to the 0600 file in a private
 * config folder (RIDGE_SECRET_BACKEND=file): no keyring is touched.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "core/ridge-export.h"
#include "core/ridge-secret.h"
#include "ridge-enrollments-page.h"
#include "ridge-preferences-window.h"
#include "ridge-terminal-view.h"
#include "ridge-test-terminal.h"
#include "ridge-test-util.h"

#define TOKEN "prefs-test-token"

static char *tmp_dir;
static char *cert_path;
static char *other_cert_path;
static char *server_url;
static GSubprocess *server;

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
make_cert (const char *dir)
{
  const char *argv[] = { g_getenv ("RIDGE_TEST_CERT_SH"), dir, NULL };
  g_autoptr (GError) error = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status,
                &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);
}

static void
start_server (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GDataInputStream) in = NULL;
  g_autofree char *dir = g_build_filename (tmp_dir, "server", NULL);
  g_autofree char *other = g_build_filename (tmp_dir, "other", NULL);
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autofree char *db = NULL;
  g_autofree char *line = NULL;

  make_cert (dir);
  make_cert (other);
  cert_path = g_build_filename (dir, "cert.pem", NULL);
  other_cert_path = g_build_filename (other, "cert.pem", NULL);
  cert = g_strdup_printf ("--cert=%s", cert_path);
  key = g_strdup_printf ("--key=%s/key.pem", dir);
  db = g_strdup_printf ("--db=%s/server.db", dir);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("RIDGE_TEST_SERVER_EXE"),
                                        "--port=0", cert, key, "--token=" TOKEN, db, NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "ridge-test-server: listening on https://127.0.0.1:"));
  server_url = g_strdup (strstr (line, "https://"));
}

/* "AB:CD:…" as openssl prints it: an independent check of the shown fingerprint */
static char *
openssl_fingerprint (const char *path)
{
  g_autofree char *cmd = g_strdup_printf ("openssl x509 -noout -fingerprint -sha256 -in '%s'",
                                          path);
  g_autofree char *out = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;
  const char *eq;

  g_spawn_command_line_sync (cmd, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  eq = strchr (out, '=');
  g_assert_nonnull (eq);
  return g_strstrip (g_strdup (eq + 1));
}

/* A screenshot of a drawn window: after a dialog closed a frame may still be pending and the
 * first snapshot comes out as the bare background; then it waits and takes it again. */
static void
shot (GtkWidget  *widget,
      const char *name)
{
  for (guint attempt = 0; attempt < 10; attempt++)
    {
      g_autoptr (GdkTexture) texture = NULL;
      g_autofree guint32 *pixels = NULL;
      gsize n;

      ridge_test_wait (200);
      texture = ridge_test_screenshot (widget, name);
      n = (gsize)gdk_texture_get_width (texture) * gdk_texture_get_height (texture);
      pixels = g_new (guint32, n);
      gdk_texture_download (texture, (guchar *)pixels, gdk_texture_get_width (texture) * 4);
      for (gsize i = 1; i < n; i++)
        if (pixels[i] != pixels[0])
          return;
    }
  g_assert_not_reached ();
}

static gboolean
not_testing (gpointer data)
{
  return !ridge_preferences_window_is_testing (data);
}

static gboolean
not_looking_up (gpointer data)
{
  return !ridge_preferences_window_is_looking_up (data);
}

static gboolean
editor_gone (gpointer data)
{
  return ridge_preferences_window_get_field (data, RIDGE_PREFERENCES_FIELD_NAME) == NULL;
}

static const char *
field_text (RidgePreferencesWindow *win,
            RidgePreferencesField   field)
{
  return gtk_editable_get_text (GTK_EDITABLE (ridge_preferences_window_get_field (win, field)));
}

static void
set_field (RidgePreferencesWindow *win,
           RidgePreferencesField   field,
           const char             *text)
{
  gtk_editable_set_text (GTK_EDITABLE (ridge_preferences_window_get_field (win, field)), text);
}

static void
click_save (RidgePreferencesWindow *win)
{
  GtkWidget *save = ridge_preferences_window_get_field (win, RIDGE_PREFERENCES_FIELD_SAVE);

  g_assert_true (gtk_widget_get_sensitive (save));
  g_signal_emit_by_name (save, "clicked");
}

static const char *
editor_error (RidgePreferencesWindow *win)
{
  GtkWidget *label = ridge_preferences_window_get_field (win, RIDGE_PREFERENCES_FIELD_ERROR);

  /* NULL too once the editor closed (after a save) */
  return label != NULL &&
         gtk_widget_get_visible (label) ? gtk_label_get_text (GTK_LABEL (label)) : NULL;
}

/* Runs Test Connection on name and returns its sentence. */
static const char *
test_connection (RidgePreferencesWindow *win,
                 const char             *name)
{
  ridge_preferences_window_test_connection (win, name);
  g_assert_true (ridge_preferences_window_is_testing (win));
  g_assert_nonnull (strstr (ridge_preferences_window_get_summary (win, name),
                            "Testing the connection…"));
  g_assert_true (ridge_test_wait_until (not_testing, win, 30000));
  g_test_message ("%s: %s", name, ridge_preferences_window_get_test_result (win, name));
  /* the row says it too */
  g_assert_nonnull (strstr (ridge_preferences_window_get_summary (win, name),
                            ridge_preferences_window_get_test_result (win, name)));
  return ridge_preferences_window_get_test_result (win, name);
}

static void
add_profile (RidgePreferencesWindow *win,
             const char             *name,
             const char             *cert,
             const char             *token)
{
  GtkWindow *editor = ridge_preferences_window_edit (win, NULL);

  g_assert_nonnull (editor);
  set_field (win, RIDGE_PREFERENCES_FIELD_NAME, name);
  set_field (win, RIDGE_PREFERENCES_FIELD_URL, server_url);
  if (cert != NULL)
    g_assert_true (ridge_preferences_window_choose_certificate (win, cert));
  set_field (win, RIDGE_PREFERENCES_FIELD_TOKEN, token);
  click_save (win);
  g_assert_null (editor_error (win));
  g_assert_true (ridge_test_wait_until (editor_gone, win, 5000));
}

static void
test_servers (void)
{
  g_autoptr (GError) error = NULL;
  RidgePreferencesWindow *win;
  GtkWindow *editor;
  GtkWidget *cert_row;
  AdwMessageDialog *confirm;
  g_autofree char *fingerprint = NULL;
  g_autofree char *token = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *not_pem = g_build_filename (tmp_dir, "not-a-cert.pem", NULL);
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  const char *summary;
  RidgeSecretBackend backend;
  GStatBuf st;

  if (g_getenv ("RIDGE_TEST_SERVER_EXE") == NULL || g_getenv ("RIDGE_TEST_CERT_SH") == NULL
      || openssl == NULL)
    {
      g_test_skip ("no ridge-test-server or openssl");
      return;
    }
  start_server ();

  win = RIDGE_PREFERENCES_WINDOW (ridge_preferences_window_new (NULL));
  g_object_add_weak_pointer (G_OBJECT (win), (gpointer *)&win);
  ridge_test_present (GTK_WINDOW (win));
  g_assert_cmpuint (ridge_preferences_window_get_n_servers (win), ==, 0);
  shot (GTK_WIDGET (win), "preferences-empty");

  /* the editor refuses a plain-HTTP address, a bad name and a file that is no certificate */
  editor = ridge_preferences_window_edit (win, NULL);
  g_assert_nonnull (editor);
  g_assert_false (gtk_widget_get_sensitive (ridge_preferences_window_get_field (
                                              win, RIDGE_PREFERENCES_FIELD_SAVE)));
  set_field (win, RIDGE_PREFERENCES_FIELD_NAME, "lab");
  set_field (win, RIDGE_PREFERENCES_FIELD_URL, "http://127.0.0.1:1");
  click_save (win);
  g_assert_cmpstr (editor_error (win), ==,
                   "The address must begin with https:// (the export is always encrypted).");
  set_field (win, RIDGE_PREFERENCES_FIELD_NAME, "lab/1");
  click_save (win);
  g_assert_nonnull (strstr (editor_error (win), "The name must be 1 to 64"));
  set_field (win, RIDGE_PREFERENCES_FIELD_NAME, "lab");
  g_assert_true (g_file_set_contents (not_pem, "hello\n", -1, NULL));
  g_assert_false (ridge_preferences_window_choose_certificate (win, not_pem));
  g_assert_nonnull (strstr (editor_error (win), "is not a PEM certificate"));

  /* a pinned certificate shows its SHA-256 fingerprint (checked against openssl's) */
  set_field (win, RIDGE_PREFERENCES_FIELD_URL, server_url);
  g_assert_true (ridge_preferences_window_choose_certificate (win, cert_path));
  g_assert_null (editor_error (win));
  fingerprint = openssl_fingerprint (cert_path);
  cert_row = ridge_preferences_window_get_field (win, RIDGE_PREFERENCES_FIELD_CERTIFICATE);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (cert_row)),
                            fingerprint));
  g_assert_cmpuint (strlen (fingerprint), ==, 32 * 3 - 1);
  set_field (win, RIDGE_PREFERENCES_FIELD_TOKEN, TOKEN);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (ridge_preferences_window_get_field (
                                                win, RIDGE_PREFERENCES_FIELD_BATCH)), 250);
  shot (GTK_WIDGET (editor), "preferences-add-server");
  click_save (win);
  g_assert_null (editor_error (win));
  g_assert_true (ridge_test_wait_until (editor_gone, win, 5000));

  /* saved: profile in GSettings, token in the 0600 file, never shown on the page */
  {
    g_autoptr (RidgeExportProfile) p = ridge_export_profile_load ("lab", &error);

    g_assert_no_error (error);
    g_assert_cmpstr (p->url, ==, server_url);
    g_assert_cmpstr (p->pinned_certificate, ==, cert_path);
    g_assert_cmpuint (p->batch_size, ==, 250);
  }
  token = ridge_secret_lookup ("lab", &backend, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, TOKEN);
  g_assert_cmpint (backend, ==, RIDGE_SECRET_BACKEND_FILE);
  token_file = ridge_secret_file_path ();
  g_assert_cmpint (g_stat (token_file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpuint (ridge_preferences_window_get_n_servers (win), ==, 1);
  /* the token's place is looked up in a thread: "…" until the answer is in */
  ridge_preferences_window_reload (win);
  g_assert_true (ridge_preferences_window_is_looking_up (win));
  g_assert_true (ridge_test_wait_until (not_looking_up, win, 10000));
  summary = ridge_preferences_window_get_summary (win, "lab");
  g_assert_nonnull (strstr (summary, server_url));
  g_assert_nonnull (strstr (summary, "Certificate: pinned"));
  g_assert_nonnull (strstr (summary, "Token: in the private token file"));
  g_assert_null (strstr (summary, TOKEN));

  /* a second profile of the same name is refused */
  ridge_preferences_window_edit (win, NULL);
  set_field (win, RIDGE_PREFERENCES_FIELD_NAME, "lab");
  set_field (win, RIDGE_PREFERENCES_FIELD_URL, "https://127.0.0.1:2");
  click_save (win);
  g_assert_cmpstr (editor_error (win), ==, "A server named “lab” already exists.");
  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (
                                    ridge_preferences_window_get_field (
                                      win, RIDGE_PREFERENCES_FIELD_NAME))));
  g_assert_true (editor_gone (win));

  /* Test Connection: pinned certificate + token → OK */
  g_assert_true (g_str_has_prefix (test_connection (win, "lab"), "Connection OK: “"));
  shot (GTK_WIDGET (win), "preferences-servers");

  /* Edit: the token is not shown; a wrong one is refused by the server */
  ridge_preferences_window_edit (win, "lab");
  g_assert_cmpstr (field_text (win, RIDGE_PREFERENCES_FIELD_TOKEN), ==, "");
  g_assert_cmpstr (field_text (win, RIDGE_PREFERENCES_FIELD_URL), ==, server_url);
  g_assert_false (gtk_widget_get_sensitive (ridge_preferences_window_get_field (
                                              win, RIDGE_PREFERENCES_FIELD_NAME)));
  set_field (win, RIDGE_PREFERENCES_FIELD_TOKEN, "wrong-token");
  click_save (win);
  g_assert_true (ridge_test_wait_until (editor_gone, win, 5000));
  g_assert_true (g_str_has_prefix (test_connection (win, "lab"), "The server refused the token."));
  shot (GTK_WIDGET (win), "preferences-token-refused");

  /* an edit with an empty token keeps the stored one */
  ridge_preferences_window_edit (win, "lab");
  set_field (win, RIDGE_PREFERENCES_FIELD_TOKEN, TOKEN);
  click_save (win);
  g_assert_true (ridge_test_wait_until (editor_gone, win, 5000));
  ridge_preferences_window_edit (win, "lab");
  click_save (win);
  g_assert_true (ridge_test_wait_until (editor_gone, win, 5000));
  g_assert_true (g_str_has_prefix (test_connection (win, "lab"), "Connection OK: “"));

  /* no pin: the self-signed certificate is not trusted; another pin: mismatch */
  add_profile (win, "no-pin", NULL, TOKEN);
  g_assert_nonnull (strstr (ridge_preferences_window_get_summary (win, "no-pin"),
                            "Certificate: system authorities"));
  g_assert_true (g_str_has_prefix (test_connection (win, "no-pin"),
                                   "The server's certificate is not trusted"));
  add_profile (win, "other-pin", other_cert_path, TOKEN);
  g_assert_true (g_str_has_prefix (test_connection (win, "other-pin"),
                                   "The server's certificate is not the pinned certificate."));
  g_assert_cmpuint (ridge_preferences_window_get_n_servers (win), ==, 3);
  shot (GTK_WIDGET (win), "preferences-three-servers");

  /* a profile added elsewhere (ridgectl, another window) shows up */
  {
    g_autoptr (RidgeExportProfile) p = ridge_export_profile_new ("elsewhere", server_url, NULL,
                                                                 100);

    g_assert_true (ridge_export_profile_save (p, &error));
    g_assert_no_error (error);
  }
  ridge_test_wait (100);
  g_assert_cmpuint (ridge_preferences_window_get_n_servers (win), ==, 4);
  g_assert_true (ridge_test_wait_until (not_looking_up, win, 10000));
  g_assert_nonnull (strstr (ridge_preferences_window_get_summary (win, "elsewhere"),
                            "Token: none stored"));
  /* without a token nothing is sent: the sentence comes once the lookup (a thread) says so */
  ridge_preferences_window_test_connection (win, "elsewhere");
  g_assert_true (ridge_preferences_window_is_testing (win));
  g_assert_true (ridge_test_wait_until (not_testing, win, 10000));
  g_assert_cmpstr (ridge_preferences_window_get_test_result (win, "elsewhere"), ==,
                   "No token is stored for this server: edit it and enter one.");
  g_assert_nonnull (strstr (ridge_preferences_window_get_summary (win, "elsewhere"),
                            "No token is stored for this server"));

  /* Remove asks first: Cancel keeps it, Remove drops the profile and its token */
  confirm = ridge_preferences_window_remove (win, "lab");
  shot (GTK_WIDGET (confirm), "preferences-remove");
  adw_message_dialog_response (confirm, "cancel");
  g_assert_cmpuint (ridge_preferences_window_get_n_servers (win), ==, 4);
  g_assert_nonnull (ridge_preferences_window_get_summary (win, "lab"));
  confirm = ridge_preferences_window_remove (win, "lab");
  adw_message_dialog_response (confirm, "remove");
  g_assert_cmpuint (ridge_preferences_window_get_n_servers (win), ==, 3);
  g_assert_null (ridge_preferences_window_get_summary (win, "lab"));
  {
    g_autoptr (RidgeExportProfile) p = ridge_export_profile_load ("lab", &error);
    g_autofree char *gone = NULL;

    g_assert_null (p);
    g_assert_error (error, RIDGE_EXPORT_ERROR, RIDGE_EXPORT_ERROR_NO_PROFILE);
    g_clear_error (&error);
    gone = ridge_secret_lookup ("lab", NULL, &error);
    g_assert_no_error (error);
    g_assert_null (gone);
  }
  for (const char *const *n = (const char *const[]) { "no-pin", "other-pin", "elsewhere", NULL };
       *n; n++)
    {
      confirm = ridge_preferences_window_remove (win, *n);
      adw_message_dialog_response (confirm, "remove");
    }
  g_assert_cmpuint (ridge_preferences_window_get_n_servers (win), ==, 0);

  /* a test still running when the window closes is cancelled, nothing leaks */
  add_profile (win, "closing", cert_path, TOKEN);
  ridge_preferences_window_test_connection (win, "closing");
  gtk_window_destroy (GTK_WINDOW (win));
  ridge_test_wait (500);
  g_assert_null (win);
  ridge_secret_clear ("closing", NULL);
  ridge_export_profile_remove ("closing", NULL);
}

static GtkColumnViewColumn *
server_column (RidgeEnrollmentsPage *page)
{
  GListModel *columns = gtk_column_view_get_columns (ridge_enrollments_page_get_column_view (page));

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr (GtkColumnViewColumn) c = g_list_model_get_item (columns, i);

      if (g_str_equal (gtk_column_view_column_get_title (c), "Server"))
        return c;
    }
  g_assert_not_reached ();
}

static gboolean
listed (gpointer data)
{
  return ridge_enrollments_page_get_n_records (data) >= 0;
}

static gboolean
server_shown (gpointer data)
{
  return gtk_column_view_column_get_visible (server_column (data));
}

static gboolean
server_hidden (gpointer data)
{
  return !server_shown (data);
}

/* The Enrollments page follows profiles saved elsewhere (here, or ridgectl): its Server column
 * comes and goes without a refresh. */
static void
test_enrollments_follow (void)
{
  const char *exe = g_getenv ("RIDGE_TERMINAL");
  g_autoptr (GSettings) settings = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeExportProfile) profile = NULL;
  g_auto (GStrv) names = NULL;
  RidgeTestTerminal *t;
  RidgeWindow *window;
  RidgeTerminalView *view;
  RidgeEnrollmentsPage *page;
  const char *addr;

  if (exe == NULL || !g_file_test (exe, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("ridge-terminal is not built");
      return;
    }
  names = ridge_export_profile_list (&error);
  g_assert_no_error (error);
  for (guint i = 0; names[i] != NULL; i++)
    g_assert_true (ridge_export_profile_remove (names[i], NULL));
  settings = g_settings_new ("org.ridge.Ridge");
  g_settings_reset (settings, "terminals");
  t = ridge_test_terminal_start (NULL);
  addr = ridge_test_terminal_get_address (t);
  window = g_object_ref_sink (ridge_window_new (NULL));
  ridge_window_set_autoconnect (window, TRUE);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 760);
  ridge_test_present (GTK_WINDOW (window));
  view = ridge_window_get_terminal_view (window);
  page = RIDGE_ENROLLMENTS_PAGE (gtk_widget_get_template_child (GTK_WIDGET (view),
                                                                RIDGE_TYPE_TERMINAL_VIEW,
                                                                "enrollments_page"));
  g_assert_true (ridge_window_add_terminal (window, addr, NULL));
  ridge_window_select_terminal (window, addr);
  g_assert_true (ridge_test_wait_until (ridge_test_item_ready, ridge_test_find_item (window, addr),
                                        10000));
  ridge_terminal_view_set_visible_page (view, "enrollments");
  g_assert_true (ridge_test_wait_until (listed, page, 10000));
  ridge_test_wait (300);
  g_assert_false (server_shown (page));

  profile = ridge_export_profile_new ("follow", "https://127.0.0.1:9", NULL, 100);
  g_assert_true (ridge_export_profile_save (profile, &error));
  g_assert_no_error (error);
  g_assert_true (ridge_test_wait_until (server_shown, page, 10000));
  g_assert_true (ridge_export_profile_remove ("follow", &error));
  g_assert_no_error (error);
  g_assert_true (ridge_test_wait_until (server_hidden, page, 10000));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  ridge_test_terminal_stop (t);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  int ret;

  tmp_dir = g_dir_make_tmp ("ridge-preferences-test-XXXXXX", &error);
  g_assert_no_error (error);
  {
    g_autofree char *config = g_build_filename (tmp_dir, "config", NULL);

    g_setenv ("XDG_CONFIG_HOME", config, TRUE);
    g_setenv ("RIDGE_SECRET_BACKEND", "file", TRUE);
    g_unsetenv ("RIDGE_EXPORT_TOKEN");
  }
  ridge_test_init (&argc, &argv);
  g_test_add_func ("/preferences/servers", test_servers);
  g_test_add_func ("/preferences/enrollments-follow", test_enrollments_follow);
  ret = g_test_run ();
  if (server != NULL)
    {
      g_subprocess_force_exit (server);
      g_subprocess_wait (server, NULL, NULL);
      g_object_unref (server);
    }
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmp_dir);

    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", tmp_dir);
  }
  g_free (cert_path);
  g_free (other_cert_path);
  g_free (server_url);
  g_free (tmp_dir);
  return ret;
}
