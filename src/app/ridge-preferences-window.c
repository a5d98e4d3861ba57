/* ridge-preferences-window.c — Preferences: the export server profiles and their tokens
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-preferences-window"

#include "config.h"

#include "ridge-preferences-window.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "core/ridge-export.h"
#include "core/ridge-secret.h"
#include "core/ridge-store.h"

/* a connection test: one attempt, an answer within this many seconds */
#define TEST_TIMEOUT_S 15

struct _RidgePreferencesWindow {
  AdwPreferencesWindow parent_instance;

  AdwPreferencesGroup *servers_group;
  GtkWidget           *add_button;

  GPtrArray    *rows;                 /* the group's rows (AdwActionRow), in list order */
  GHashTable   *results;              /* profile name → last test sentence */
  GHashTable   *testing;              /* profile names under test */
  GSettings    *settings;             /* org.ridge.Ridge, or NULL without the schema */
  GCancellable *cancellable;          /* cancelled on dispose */
  GHashTable   *backends;             /* profile name → RidgeSecretBackend + 1, once looked up */
  gboolean      looking_up;           /* a token lookup thread is running */
  gboolean      look_up_again;        /* the profiles changed meanwhile: look up once more */
  char         *test_dir;             /* a throw-away store for the exporter (tests touch none) */
  RidgeStore   *test_store;

  /* the editor */
  GtkWindow       *editor;
  char            *editing;           /* the profile edited, NULL when adding */
  char            *certificate;       /* the chosen PEM path, or NULL */
  GtkWidget       *name_row;
  GtkWidget       *url_row;
  GtkWidget       *cert_row;
  GtkWidget       *cert_clear;
  GtkWidget       *batch_spin;
  GtkWidget       *token_row;
  GtkWidget       *token_entry;
  GtkWidget       *save_button;
  GtkWidget       *error_label;
  GtkNativeDialog *chooser;
};

G_DEFINE_FINAL_TYPE (RidgePreferencesWindow, ridge_preferences_window,
                     ADW_TYPE_PREFERENCES_WINDOW);

static void toast (RidgePreferencesWindow *self,
                   const char             *text);

/* The translated sentence of an export error, then the detail the core added after its own
 * (English) sentence. */
static char *
export_error_text (const GError *error)
{
  const char *sentence = NULL;
  const char *detail;
  const char *english;

  if (error->domain != RIDGE_EXPORT_ERROR)
    return g_strdup (error->message);
  switch ((RidgeExportErrorCode)error->code)
    {
      case RIDGE_EXPORT_ERROR_INVALID_PROFILE:
        sentence = _ ("The server profile is not valid.");
        break;
      case RIDGE_EXPORT_ERROR_NO_PROFILE:
        sentence = _ ("There is no server profile of that name.");
        break;
      case RIDGE_EXPORT_ERROR_NO_SETTINGS:
        sentence = _ ("The Ridge settings schema is not installed, so server profiles cannot be "
                      "kept.");
        break;
      case RIDGE_EXPORT_ERROR_NO_TOKEN:
        sentence = _ ("No token is stored for this server: edit it and enter one.");
        break;
      case RIDGE_EXPORT_ERROR_UNREACHABLE:
        sentence = _ ("The server cannot be reached.");
        break;
      case RIDGE_EXPORT_ERROR_TIMED_OUT:
        sentence = _ ("The server did not answer in time.");
        break;
      case RIDGE_EXPORT_ERROR_TLS_UNTRUSTED:
        sentence = _ ("The server's certificate is not trusted.");
        break;
      case RIDGE_EXPORT_ERROR_TLS_PIN_MISMATCH:
        sentence = _ ("The server's certificate is not the pinned certificate.");
        break;
      case RIDGE_EXPORT_ERROR_TLS_FAILED:
        sentence = _ ("The secure connection to the server failed.");
        break;
      case RIDGE_EXPORT_ERROR_TOKEN_REFUSED:
        sentence = _ ("The server refused the token.");
        break;
      case RIDGE_EXPORT_ERROR_FORBIDDEN:
        sentence = _ ("The token is not allowed to export to this server.");
        break;
      case RIDGE_EXPORT_ERROR_SERVER:
        sentence = _ ("The server kept failing.");
        break;
      case RIDGE_EXPORT_ERROR_BUSY:
        sentence = _ ("The server is busy.");
        break;
      case RIDGE_EXPORT_ERROR_REQUEST:
        sentence = _ ("The server refused the request as malformed.");
        break;
      case RIDGE_EXPORT_ERROR_PROTOCOL:
        sentence = _ ("The server's answer does not follow the Ridge export API.");
        break;
      case RIDGE_EXPORT_ERROR_FAILED:
      default:
        return g_strdup (error->message);
    }
  english = ridge_export_error_sentence (error->code);
  detail = g_str_has_prefix (error->message, english) ? error->message + strlen (english)
                                                      : "";
  while (*detail == ' ')
    detail++;
  return *detail != '\0' ? g_strdup_printf ("%s %s", sentence, detail) : g_strdup (sentence);
}

/* "AB:CD:…" of the certificate's DER bytes, or NULL with error. */
static char *
certificate_fingerprint (const char *path,
                         GError    **error)
{
  g_autoptr (GTlsCertificate) cert = g_tls_certificate_new_from_file (path, error);
  g_autoptr (GByteArray) der = NULL;
  g_autofree char *hex = NULL;
  GString *out;

  if (cert == NULL)
    return NULL;
  g_object_get (cert, "certificate", &der, NULL);
  if (der == NULL || der->len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _ ("The file holds no certificate."));
      return NULL;
    }
  hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
  out = g_string_new (NULL);
  for (guint i = 0; hex[i] != '\0'; i += 2)
    {
      if (i > 0)
        g_string_append_c (out, ':');
      g_string_append_c (out, g_ascii_toupper (hex[i]));
      g_string_append_c (out, g_ascii_toupper (hex[i + 1]));
    }
  return g_string_free (out, FALSE);
}

static const char *
backend_text (RidgeSecretBackend backend)
{
  switch (backend)
    {
      case RIDGE_SECRET_BACKEND_ENV:
        return _ ("Token: from the environment (RIDGE_EXPORT_TOKEN)");
      case RIDGE_SECRET_BACKEND_KEYRING:
        return _ ("Token: in the keyring");
      case RIDGE_SECRET_BACKEND_FILE:
        return _ ("Token: in the private token file");
      case RIDGE_SECRET_BACKEND_NONE:
      default:
        return _ ("Token: none stored");
    }
}

static void rebuild_rows (RidgePreferencesWindow *self);

/* ---- where each token is kept --------------------------------------------------------- */

/* The keyring answers over D-Bus, synchronously: the lookups run in a thread, one at a time,
 * and the rows say "Token: …" until their answer is in. */

static RidgeSecretBackend
token_backend (const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *token = NULL;
  RidgeSecretBackend backend = RIDGE_SECRET_BACKEND_NONE;

  token = ridge_secret_lookup (name, &backend, &error);
  if (token != NULL)
    memset (token, 0, strlen (token));
  return token != NULL ? backend : RIDGE_SECRET_BACKEND_NONE;
}

/* in the thread: task data is the profile names; the result a GArray of RidgeSecretBackend */
static void
lookup_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  const char *const *names = task_data;
  GArray *backends = g_array_new (FALSE, FALSE, sizeof (RidgeSecretBackend));

  for (guint i = 0; names[i] != NULL; i++)
    {
      RidgeSecretBackend backend;

      if (g_cancellable_is_cancelled (cancellable))
        {
          g_array_unref (backends);
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
          return;
        }
      backend = token_backend (names[i]);
      g_array_append_val (backends, backend);
    }
  g_task_return_pointer (task, backends, (GDestroyNotify)g_array_unref);
}

static void start_lookup (RidgePreferencesWindow *self);

static void
lookup_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  RidgePreferencesWindow *self = RIDGE_PREFERENCES_WINDOW (source);
  const char *const *names = g_task_get_task_data (G_TASK (result));
  g_autoptr (GArray) backends = g_task_propagate_pointer (G_TASK (result), NULL);
  gboolean changed = FALSE;

  /* the window was closed meanwhile */
  if (backends == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;
  self->looking_up = FALSE;
  for (guint i = 0; names[i] != NULL && i < backends->len; i++)
    {
      gpointer value = GINT_TO_POINTER (g_array_index (backends, RidgeSecretBackend, i) + 1);
      gpointer old = NULL;

      if (!g_hash_table_lookup_extended (self->backends, names[i], NULL, &old) || old != value)
        {
          g_hash_table_replace (self->backends, g_strdup (names[i]), value);
          changed = TRUE;
        }
    }
  if (self->look_up_again)
    start_lookup (self);
  if (changed)
    rebuild_rows (self);
}

static void
start_lookup (RidgePreferencesWindow *self)
{
  g_autoptr (GTask) task = NULL;
  g_auto (GStrv) names = NULL;

  if (self->looking_up)
    {
      self->look_up_again = TRUE;
      return;
    }
  self->look_up_again = FALSE;
  names = ridge_export_profile_list (NULL);
  if (names == NULL || names[0] == NULL)
    return;
  self->looking_up = TRUE;
  task = g_task_new (self, self->cancellable, lookup_done_cb, NULL);
  g_task_set_source_tag (task, start_lookup);
  g_task_set_task_data (task, g_steal_pointer (&names), (GDestroyNotify)g_strfreev);
  g_task_run_in_thread (task, lookup_thread);
}

gboolean
ridge_preferences_window_is_looking_up (RidgePreferencesWindow *self)
{
  g_return_val_if_fail (RIDGE_IS_PREFERENCES_WINDOW (self), FALSE);
  return self->looking_up || self->look_up_again;
}

static char *
profile_summary (RidgePreferencesWindow   *self,
                 const RidgeExportProfile *profile)
{
  GString *s = g_string_new (profile->url);
  const char *result = g_hash_table_lookup (self->results, profile->name);
  gpointer backend = NULL;

  g_string_append (s, "\n");
  g_string_append (s, profile->pinned_certificate != NULL && *profile->pinned_certificate
                      ? _ ("Certificate: pinned")
                      : _ ("Certificate: system authorities"));
  g_string_append (s, " · ");
  if (g_hash_table_lookup_extended (self->backends, profile->name, NULL, &backend))
    g_string_append (s, backend_text (GPOINTER_TO_INT (backend) - 1));
  else
    /* Translators: the token's place is still being looked up */
    g_string_append (s, _ ("Token: …"));
  if (g_hash_table_contains (self->testing, profile->name))
    g_string_append_printf (s, "\n%s", _ ("Testing the connection…"));
  else if (result != NULL)
    g_string_append_printf (s, "\n%s", result);
  return g_string_free (s, FALSE);
}

static const char *
row_name (GtkWidget *widget)
{
  return g_object_get_data (G_OBJECT (widget), "ridge-profile");
}

static void
test_clicked_cb (GtkButton              *button,
                 RidgePreferencesWindow *self)
{
  ridge_preferences_window_test_connection (self, row_name (GTK_WIDGET (button)));
}

static void
edit_clicked_cb (GtkButton              *button,
                 RidgePreferencesWindow *self)
{
  ridge_preferences_window_edit (self, row_name (GTK_WIDGET (button)));
}

static void
remove_clicked_cb (GtkButton              *button,
                   RidgePreferencesWindow *self)
{
  ridge_preferences_window_remove (self, row_name (GTK_WIDGET (button)));
}

static GtkWidget *
row_button (RidgePreferencesWindow *self,
            const char             *name,
            const char             *icon,
            const char             *label,
            GCallback               callback)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  g_object_set_data_full (G_OBJECT (button), "ridge-profile", g_strdup (name), g_free);
  g_signal_connect_object (button, "clicked", callback, self, 0);
  return button;
}

void
ridge_preferences_window_reload (RidgePreferencesWindow *self)
{
  g_return_if_fail (RIDGE_IS_PREFERENCES_WINDOW (self));

  /* the rows keep their last known token place while it is looked up again */
  rebuild_rows (self);
  start_lookup (self);
}

static void
rebuild_rows (RidgePreferencesWindow *self)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) names = NULL;

  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (self->servers_group, g_ptr_array_index (self->rows, i));
  g_ptr_array_set_size (self->rows, 0);

  names = ridge_export_profile_list (&error);
  gtk_widget_set_sensitive (self->add_button, names != NULL);
  if (names == NULL || names[0] == NULL)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     names == NULL ? _ ("Server profiles cannot be kept")
                                                   : _ ("No export server yet"));
      if (names == NULL)
        {
          g_autofree char *text = export_error_text (error);

          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), text);
        }
      else
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                     _ ("Add one with the + button: its HTTPS address, a "
                                        "pinned certificate if it is self-signed, and its "
                                        "token."));
      adw_preferences_group_add (self->servers_group, row);
      g_ptr_array_add (self->rows, row);
      return;
    }

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr (GError) load_error = NULL;
      g_autoptr (RidgeExportProfile) profile = ridge_export_profile_load (names[i], &load_error);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *test;
      g_autofree char *summary = NULL;

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), names[i]);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      if (profile != NULL)
        summary = profile_summary (self, profile);
      else
        summary = export_error_text (load_error);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), summary);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
      g_object_set_data_full (G_OBJECT (row), "ridge-profile", g_strdup (names[i]), g_free);

      test = gtk_button_new_with_mnemonic (_ ("_Test Connection"));
      gtk_widget_set_valign (test, GTK_ALIGN_CENTER);
      g_object_set_data_full (G_OBJECT (test), "ridge-profile", g_strdup (names[i]), g_free);
      g_signal_connect_object (test, "clicked", G_CALLBACK (test_clicked_cb), self, 0);
      gtk_widget_set_sensitive (test, profile != NULL
                                && !g_hash_table_contains (self->testing, names[i]));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), test);
      if (profile != NULL)
        adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                   row_button (self, names[i], "document-edit-symbolic",
                                               _ ("Edit Server"),
                                               G_CALLBACK (edit_clicked_cb)));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 row_button (self, names[i], "user-trash-symbolic",
                                             _ ("Remove Server"),
                                             G_CALLBACK (remove_clicked_cb)));
      adw_preferences_group_add (self->servers_group, row);
      g_ptr_array_add (self->rows, row);
    }
}

static void
settings_changed_cb (RidgePreferencesWindow *self)
{
  ridge_preferences_window_reload (self);
}

guint
ridge_preferences_window_get_n_servers (RidgePreferencesWindow *self)
{
  guint n = 0;

  g_return_val_if_fail (RIDGE_IS_PREFERENCES_WINDOW (self), 0);
  for (guint i = 0; i < self->rows->len; i++)
    if (row_name (g_ptr_array_index (self->rows, i)) != NULL)
      n++;
  return n;
}

static GtkWidget *
find_row (RidgePreferencesWindow *self,
          const char             *name)
{
  for (guint i = 0; i < self->rows->len; i++)
    if (g_strcmp0 (row_name (g_ptr_array_index (self->rows, i)), name) == 0)
      return g_ptr_array_index (self->rows, i);
  return NULL;
}

const char *
ridge_preferences_window_get_summary (RidgePreferencesWindow *self,
                                      const char             *name)
{
  GtkWidget *row;

  g_return_val_if_fail (RIDGE_IS_PREFERENCES_WINDOW (self), NULL);
  row = find_row (self, name);
  return row != NULL ? adw_action_row_get_subtitle (ADW_ACTION_ROW (row)) : NULL;
}

/* ---- the editor ----------------------------------------------------------------------- */

static void
show_editor_error (RidgePreferencesWindow *self,
                   const char             *text)
{
  gtk_label_set_text (GTK_LABEL (self->error_label), text != NULL ? text : "");
  gtk_widget_set_visible (self->error_label, text != NULL);
}

static void
update_certificate_row (RidgePreferencesWindow *self)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *text = NULL;

  gtk_widget_set_visible (self->cert_clear, self->certificate != NULL);
  if (self->certificate == NULL)
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->cert_row),
                                   _ ("None: the server's certificate must be signed by an "
                                      "authority the system trusts."));
      return;
    }
  fingerprint = certificate_fingerprint (self->certificate, &error);
  /* Translators: a file path, then the certificate's SHA-256 fingerprint (hex pairs) */
  text = fingerprint != NULL
         ? g_strdup_printf (_ ("%s\nSHA-256 %s"), self->certificate, fingerprint)
         /* Translators: a file path, then why it cannot be read */
         : g_strdup_printf (_ ("%s\nNot a readable certificate: %s"), self->certificate,
                            error->message);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->cert_row), text);
}

gboolean
ridge_preferences_window_choose_certificate (RidgePreferencesWindow *self,
                                             const char             *path)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (RIDGE_IS_PREFERENCES_WINDOW (self), FALSE);
  g_return_val_if_fail (self->editor != NULL, FALSE);

  fingerprint = certificate_fingerprint (path, &error);
  if (fingerprint == NULL)
    {
      /* Translators: a file path, then why it is not a certificate */
      text = g_strdup_printf (_ ("“%s” is not a PEM certificate: %s"), path, error->message);
      show_editor_error (self, text);
      return FALSE;
    }
  g_free (self->certificate);
  self->certificate = g_strdup (path);
  update_certificate_row (self);
  show_editor_error (self, NULL);
  return TRUE;
}

static void
chooser_response_cb (GtkNativeDialog        *chooser,
                     int                     response,
                     RidgePreferencesWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        ridge_preferences_window_choose_certificate (self, path);
    }
  gtk_native_dialog_destroy (chooser);
  g_clear_object (&self->chooser);
}

static void
choose_clicked_cb (RidgePreferencesWindow *self)
{
  g_autoptr (GtkFileFilter) pem = gtk_file_filter_new ();
  g_autoptr (GtkFileFilter) all = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;
  self->chooser = GTK_NATIVE_DIALOG (gtk_file_chooser_native_new (_ ("Pinned Certificate"),
                                                                  self->editor,
                                                                  GTK_FILE_CHOOSER_ACTION_OPEN,
                                                                  _ ("_Pin"), _ ("_Cancel")));
  gtk_file_filter_set_name (pem, _ ("PEM certificates"));
  gtk_file_filter_add_pattern (pem, "*.pem");
  gtk_file_filter_add_pattern (pem, "*.crt");
  gtk_file_filter_add_pattern (pem, "*.cer");
  gtk_file_filter_set_name (all, _ ("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), pem);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);
  gtk_native_dialog_set_modal (self->chooser, TRUE);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb), self,
                           0);
  gtk_native_dialog_show (self->chooser);
}

static void
clear_certificate_cb (RidgePreferencesWindow *self)
{
  g_clear_pointer (&self->certificate, g_free);
  update_certificate_row (self);
}

static void
save_clicked_cb (RidgePreferencesWindow *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeExportProfile) profile = NULL;
  g_auto (GStrv) names = NULL;
  g_autofree char *name =
    g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  g_autofree char *url =
    g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->url_row))));
  g_autofree char *text = NULL;
  const char *token = gtk_editable_get_text (GTK_EDITABLE (self->token_entry));
  guint batch = (guint)gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->batch_spin));
  RidgeSecretBackend backend = RIDGE_SECRET_BACKEND_NONE;

  if (!ridge_export_profile_name_is_valid (name))
    {
      show_editor_error (self, _ ("The name must be 1 to 64 letters, digits, dots, hyphens or "
                                  "underscores."));
      return;
    }
  if (!g_str_has_prefix (url, "https://"))
    {
      show_editor_error (self, _ ("The address must begin with https:// (the export is always "
                                  "encrypted)."));
      return;
    }
  names = ridge_export_profile_list (&error);
  if (names == NULL)
    {
      text = export_error_text (error);
      show_editor_error (self, text);
      return;
    }
  if (self->editing == NULL && g_strv_contains ((const char *const *)names, name))
    {
      /* Translators: a server profile name */
      text = g_strdup_printf (_ ("A server named “%s” already exists."), name);
      show_editor_error (self, text);
      return;
    }
  profile = ridge_export_profile_new (name, url, self->certificate, batch);
  if (!ridge_export_profile_validate (profile, &error))
    {
      text = export_error_text (error);
      show_editor_error (self, text);
      return;
    }
  /* the token first: a profile saved without the token the user typed would look done */
  if (*token != '\0')
    {
      backend = ridge_secret_store (name, token, &error);
      if (backend == RIDGE_SECRET_BACKEND_NONE)
        {
          /* Translators: the reason */
          text = g_strdup_printf (_ ("The token could not be stored: %s"), error->message);
          show_editor_error (self, text);
          return;
        }
    }
  if (!ridge_export_profile_save (profile, &error))
    {
      text = export_error_text (error);
      show_editor_error (self, text);
      return;
    }
  /* the typed token is never shown again */
  gtk_editable_set_text (GTK_EDITABLE (self->token_entry), "");
  g_hash_table_remove (self->results, name);
  if (backend == RIDGE_SECRET_BACKEND_KEYRING)
    /* Translators: a server profile name */
    text = g_strdup_printf (_ ("Saved “%s”; its token is in the keyring."), name);
  else if (backend == RIDGE_SECRET_BACKEND_FILE)
    /* Translators: a server profile name */
    text = g_strdup_printf (_ ("Saved “%s”; no keyring answered, so its token is in the "
                               "private token file."), name);
  else
    /* Translators: a server profile name */
    text = g_strdup_printf (_ ("Saved “%s”."), name);
  gtk_window_destroy (self->editor);
  ridge_preferences_window_reload (self);
  toast (self, text);
}

static void
editor_changed_cb (RidgePreferencesWindow *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->url_row));

  gtk_widget_set_sensitive (self->save_button, *name != '\0' && *url != '\0');
}

static void
editor_destroy_cb (RidgePreferencesWindow *self)
{
  if (self->chooser != NULL)
    {
      gtk_native_dialog_destroy (self->chooser);
      g_clear_object (&self->chooser);
    }
  self->editor = NULL;
  self->name_row = self->url_row = self->cert_row = self->cert_clear = NULL;
  self->batch_spin = self->token_row = self->token_entry = NULL;
  self->save_button = self->error_label = NULL;
  g_clear_pointer (&self->editing, g_free);
  g_clear_pointer (&self->certificate, g_free);
}

GtkWindow *
ridge_preferences_window_edit (RidgePreferencesWindow *self,
                               const char             *name)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeExportProfile) profile = NULL;
  GtkWidget *box, *header, *cancel, *group, *choose, *content;
  GtkEventController *keys;

  g_return_val_if_fail (RIDGE_IS_PREFERENCES_WINDOW (self), NULL);

  if (self->editor != NULL)
    gtk_window_destroy (self->editor);
  if (name != NULL)
    {
      profile = ridge_export_profile_load (name, &error);
      if (profile == NULL)
        {
          g_autofree char *text = export_error_text (error);

          toast (self, text);
          return NULL;
        }
    }

  self->editor = GTK_WINDOW (adw_window_new ());
  gtk_window_set_title (self->editor, name != NULL ? _ ("Edit Server") : _ ("Add Server"));
  gtk_window_set_modal (self->editor, TRUE);
  gtk_window_set_transient_for (self->editor, GTK_WINDOW (self));
  gtk_window_set_default_size (self->editor, 560, -1);
  gtk_window_set_destroy_with_parent (self->editor, TRUE);
  g_signal_connect_object (self->editor, "destroy", G_CALLBACK (editor_destroy_cb), self,
                           G_CONNECT_SWAPPED);
  self->editing = g_strdup (name);
  self->certificate = profile != NULL && profile->pinned_certificate != NULL
                      && *profile->pinned_certificate != '\0'
                      ? g_strdup (profile->pinned_certificate) : NULL;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  cancel = gtk_button_new_with_mnemonic (_ ("_Cancel"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel), "window.close");
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  self->save_button = gtk_button_new_with_mnemonic (_ ("_Save"));
  gtk_widget_add_css_class (self->save_button, "suggested-action");
  g_signal_connect_object (self->save_button, "clicked", G_CALLBACK (save_clicked_cb), self,
                           G_CONNECT_SWAPPED);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->save_button);
  gtk_box_append (GTK_BOX (box), header);

  content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_margin_top (content, 18);
  gtk_widget_set_margin_bottom (content, 18);
  gtk_widget_set_margin_start (content, 18);
  gtk_widget_set_margin_end (content, 18);
  group = adw_preferences_group_new ();

  self->name_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->name_row), _ ("Name"));
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name != NULL ? name : "");
  /* the name is the outbox destination: a renamed profile would be a new server */
  gtk_widget_set_sensitive (self->name_row, name == NULL);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->name_row);

  self->url_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->url_row),
                                 _ ("Address (https://host:port)"));
  gtk_editable_set_text (GTK_EDITABLE (self->url_row), profile != NULL ? profile->url : "");
  adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (self->url_row), GTK_INPUT_PURPOSE_URL);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->url_row);

  self->cert_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->cert_row),
                                 _ ("Pinned Certificate"));
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (self->cert_row), 0);
  self->cert_clear = gtk_button_new_from_icon_name ("edit-clear-symbolic");
  gtk_widget_set_valign (self->cert_clear, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (self->cert_clear, "flat");
  gtk_widget_set_tooltip_text (self->cert_clear, _ ("Unpin the Certificate"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->cert_clear),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _ ("Unpin the Certificate"),
                                  -1);
  g_signal_connect_object (self->cert_clear, "clicked", G_CALLBACK (clear_certificate_cb), self,
                           G_CONNECT_SWAPPED);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self->cert_row), self->cert_clear);
  choose = gtk_button_new_with_mnemonic (_ ("C_hoose…"));
  gtk_widget_set_valign (choose, GTK_ALIGN_CENTER);
  g_signal_connect_object (choose, "clicked", G_CALLBACK (choose_clicked_cb), self,
                           G_CONNECT_SWAPPED);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self->cert_row), choose);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->cert_row);
  update_certificate_row (self);

  self->batch_spin = gtk_spin_button_new_with_range (1, RIDGE_EXPORT_MAX_BATCH, 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->batch_spin),
                             profile != NULL ? profile->batch_size : RIDGE_EXPORT_DEFAULT_BATCH);
  gtk_widget_set_valign (self->batch_spin, GTK_ALIGN_CENTER);
  {
    GtkWidget *row = adw_action_row_new ();

    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _ ("Batch Size"));
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _ ("Templates sent per request"));
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), self->batch_spin);
    adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), self->batch_spin);
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->batch_spin),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, _ ("Batch Size"), -1);
    adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  }

  self->token_entry = gtk_password_entry_new ();
  gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (self->token_entry), TRUE);
  gtk_widget_set_valign (self->token_entry, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (self->token_entry, 220, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->token_entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _ ("Token"), -1);
  self->token_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->token_row), _ ("Token"));
  {
    RidgeSecretBackend backend = name != NULL ? token_backend (name) : RIDGE_SECRET_BACKEND_NONE;
    g_autofree char *sub = backend != RIDGE_SECRET_BACKEND_NONE
                           /* Translators: where the token is, e.g. "Token: in the keyring" */
                           ? g_strdup_printf (_ ("%s. Type a new one to replace it; it is "
                                                 "never shown."), backend_text (backend))
                           : g_strdup (_ ("The bearer token the server gave this client; it is "
                                          "never shown again."));

    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->token_row), sub);
  }
  adw_action_row_add_suffix (ADW_ACTION_ROW (self->token_row), self->token_entry);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->token_row);
  gtk_box_append (GTK_BOX (content), group);

  self->error_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->error_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->error_label), 0);
  gtk_widget_add_css_class (self->error_label, "error");
  gtk_widget_set_visible (self->error_label, FALSE);
  gtk_box_append (GTK_BOX (content), self->error_label);
  gtk_box_append (GTK_BOX (box), content);

  adw_window_set_content (ADW_WINDOW (self->editor), box);
  g_signal_connect_object (self->name_row, "changed", G_CALLBACK (editor_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->url_row, "changed", G_CALLBACK (editor_changed_cb), self,
                           G_CONNECT_SWAPPED);
  editor_changed_cb (self);

  /* Escape closes the editor */
  keys = GTK_EVENT_CONTROLLER (gtk_shortcut_controller_new ());
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape,
                                                                                  0),
                                                          gtk_named_action_new ("window.close")));
  gtk_widget_add_controller (GTK_WIDGET (self->editor), keys);

  gtk_window_present (self->editor);
  gtk_widget_grab_focus (name != NULL ? self->url_row : self->name_row);
  return self->editor;
}

GtkWidget *
ridge_preferences_window_get_field (RidgePreferencesWindow *self,
                                    RidgePreferencesField   field)
{
  g_return_val_if_fail (RIDGE_IS_PREFERENCES_WINDOW (self), NULL);
  switch (field)
    {
      case RIDGE_PREFERENCES_FIELD_NAME:
        return self->name_row;
      case RIDGE_PREFERENCES_FIELD_URL:
        return self->url_row;
      case RIDGE_PREFERENCES_FIELD_CERTIFICATE:
        return self->cert_row;
      case RIDGE_PREFERENCES_FIELD_BATCH:
        return self->batch_spin;
      case RIDGE_PREFERENCES_FIELD_TOKEN:
        return self->token_entry;
      case RIDGE_PREFERENCES_FIELD_SAVE:
        return self->save_button;
      case RIDGE_PREFERENCES_FIELD_ERROR:
        return self->error_label;
      default:
        return NULL;
    }
}

static void
add_clicked_cb (RidgePreferencesWindow *self)
{
  ridge_preferences_window_edit (self, NULL);
}

/* ---- test connection ------------------------------------------------------------------ */

typedef struct {
  RidgePreferencesWindow *self;
  char *name;
} TestData;

static void
test_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  TestData *d = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *server = NULL;
  g_autofree char *name = d->name;
  g_autoptr (RidgePreferencesWindow) self = d->self;
  guint64 count = 0;
  char *text;

  g_free (d);
  server = ridge_exporter_test_finish (RIDGE_EXPORTER (source), result, &count, &error);
  /* the window was closed meanwhile */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || g_cancellable_is_cancelled (self->cancellable))
    return;
  g_hash_table_remove (self->testing, name);
  if (server != NULL)
    /* Translators: the server's name (from its answer), then how many templates it holds */
    text = g_strdup_printf (_ ("Connection OK: “%s” accepted the certificate and the token; "
                               "it holds %u templates."), server, (guint)MIN (count, G_MAXUINT));
  else
    text = export_error_text (error);
  g_hash_table_replace (self->results, g_strdup (name), text);
  ridge_preferences_window_reload (self);
}

static void
wipe_token (gpointer token)
{
  memset (token, 0, strlen (token));
  g_free (token);
}

/* in the thread: task data is the profile name; the result the token */
static void
token_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;
  char *token = ridge_secret_lookup (task_data, NULL, &error);

  if (token != NULL)
    g_task_return_pointer (task, token, wipe_token);
  else if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_new_error (task, RIDGE_EXPORT_ERROR, RIDGE_EXPORT_ERROR_NO_TOKEN, "%s",
                             ridge_export_error_sentence (RIDGE_EXPORT_ERROR_NO_TOKEN));
}

static void
token_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  RidgePreferencesWindow *self = RIDGE_PREFERENCES_WINDOW (source);
  const char *name = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeExportProfile) profile = NULL;
  g_autoptr (RidgeExporter) exporter = NULL;
  char *token = g_task_propagate_pointer (G_TASK (result), &error);
  TestData *d;

  /* the window was closed meanwhile */
  if (g_cancellable_is_cancelled (self->cancellable))
    {
      if (token != NULL)
        wipe_token (token);
      return;
    }
  /* read again: it may have been edited while the token was looked up */
  if (error == NULL)
    profile = ridge_export_profile_load (name, &error);
  /* the exporter wants a store; the test touches none: a throw-away one, made once */
  if (error == NULL && self->test_store == NULL)
    {
      self->test_dir = g_dir_make_tmp ("ridge-preferences-XXXXXX", &error);
      if (self->test_dir != NULL)
        {
          g_autofree char *path = g_build_filename (self->test_dir, "test.db", NULL);

          self->test_store = ridge_store_new (path, &error);
        }
    }
  if (error != NULL)
    {
      if (token != NULL)
        wipe_token (token);
      g_hash_table_remove (self->testing, name);
      g_hash_table_replace (self->results, g_strdup (name), export_error_text (error));
      ridge_preferences_window_reload (self);
      return;
    }
  exporter = ridge_exporter_new (self->test_store, profile, token);
  wipe_token (token);
  ridge_exporter_set_max_attempts (exporter, 1);
  ridge_exporter_set_timeout (exporter, TEST_TIMEOUT_S);
  d = g_new0 (TestData, 1);
  d->self = g_object_ref (self);
  d->name = g_strdup (name);
  ridge_exporter_test_async (exporter, self->cancellable, test_done_cb, d);
}

void
ridge_preferences_window_test_connection (RidgePreferencesWindow *self,
                                          const char             *name)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeExportProfile) profile = NULL;

  g_return_if_fail (RIDGE_IS_PREFERENCES_WINDOW (self));
  g_return_if_fail (name != NULL);

  if (g_hash_table_contains (self->testing, name))
    return;
  profile = ridge_export_profile_load (name, &error);
  if (profile == NULL)
    {
      g_hash_table_replace (self->results, g_strdup (name), export_error_text (error));
      ridge_preferences_window_reload (self);
      return;
    }
  /* the token is looked up in a thread (libsecret's lookup blocks), then the test runs */
  g_hash_table_add (self->testing, g_strdup (name));
  task = g_task_new (self, self->cancellable, token_done_cb, NULL);
  g_task_set_source_tag (task, ridge_preferences_window_test_connection);
  g_task_set_task_data (task, g_strdup (name), g_free);
  g_task_run_in_thread (task, token_thread);
  ridge_preferences_window_reload (self);
}

gboolean
ridge_preferences_window_is_testing (RidgePreferencesWindow *self)
{
  g_return_val_if_fail (RIDGE_IS_PREFERENCES_WINDOW (self), FALSE);
  return g_hash_table_size (self->testing) > 0;
}

const char *
ridge_preferences_window_get_test_result (RidgePreferencesWindow *self,
                                          const char             *name)
{
  g_return_val_if_fail (RIDGE_IS_PREFERENCES_WINDOW (self), NULL);
  return g_hash_table_lookup (self->results, name);
}

/* ---- remove --------------------------------------------------------------------------- */

static void
remove_response_cb (AdwMessageDialog       *dialog,
                    const char             *response,
                    RidgePreferencesWindow *self)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  const char *name = g_object_get_data (G_OBJECT (dialog), "ridge-profile");

  if (g_strcmp0 (response, "remove") != 0)
    return;
  if (!ridge_secret_clear (name, &error))
    {
      /* Translators: a server profile name, then the reason */
      text = g_strdup_printf (_ ("The token of “%s” could not be removed, so the server is "
                                 "kept: %s"), name, error->message);
      toast (self, text);
      return;
    }
  if (!ridge_export_profile_remove (name, &error))
    {
      text = export_error_text (error);
      toast (self, text);
      return;
    }
  g_hash_table_remove (self->results, name);
  g_hash_table_remove (self->backends, name);
  ridge_preferences_window_reload (self);
  /* Translators: a server profile name */
  text = g_strdup_printf (_ ("Removed “%s” and its token."), name);
  toast (self, text);
}

AdwMessageDialog *
ridge_preferences_window_remove (RidgePreferencesWindow *self,
                                 const char             *name)
{
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;

  g_return_val_if_fail (RIDGE_IS_PREFERENCES_WINDOW (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  /* Translators: a server profile name */
  heading = g_strdup_printf (_ ("Remove “%s”?"), name);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading,
                                                       _ ("The server profile and its stored "
                                                          "token are removed. Templates already "
                                                          "exported stay on the server; those "
                                                          "still queued for it are not sent.")));
  adw_message_dialog_add_responses (dialog, "cancel", _ ("_Cancel"), "remove", _ ("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "ridge-profile", g_strdup (name), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

/* ---- the window ----------------------------------------------------------------------- */

static void
toast (RidgePreferencesWindow *self,
       const char             *text)
{
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (text));
}

static void
ridge_preferences_window_dispose (GObject *object)
{
  RidgePreferencesWindow *self = RIDGE_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->editor != NULL)
    gtk_window_destroy (self->editor);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  g_clear_object (&self->test_store);
  if (self->test_dir != NULL)
    {
      for (const char *const *s = (const char *const[]) { "", "-wal", "-shm", NULL }; *s; s++)
        {
          g_autofree char *path = g_strconcat (self->test_dir, "/test.db", *s, NULL);

          g_unlink (path);
        }
      g_rmdir (self->test_dir);
      g_clear_pointer (&self->test_dir, g_free);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), RIDGE_TYPE_PREFERENCES_WINDOW);
  G_OBJECT_CLASS (ridge_preferences_window_parent_class)->dispose (object);
}

static void
ridge_preferences_window_finalize (GObject *object)
{
  RidgePreferencesWindow *self = RIDGE_PREFERENCES_WINDOW (object);

  g_ptr_array_unref (self->rows);
  g_hash_table_unref (self->results);
  g_hash_table_unref (self->testing);
  g_hash_table_unref (self->backends);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (ridge_preferences_window_parent_class)->finalize (object);
}

static void
ridge_preferences_window_class_init (RidgePreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ridge_preferences_window_dispose;
  object_class->finalize = ridge_preferences_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/ridge/Ridge/ui/ridge-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RidgePreferencesWindow, servers_group);
  gtk_widget_class_bind_template_child (widget_class, RidgePreferencesWindow, add_button);
  gtk_widget_class_bind_template_callback (widget_class, add_clicked_cb);
}

static void
ridge_preferences_window_init (RidgePreferencesWindow *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_ptr_array_new ();
  self->results = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->testing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
  self->backends = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  /* profiles added or removed elsewhere (ridgectl, another window) show up here */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, "org.ridge.Ridge", TRUE);
  if (schema != NULL && g_settings_schema_has_key (schema, "server-profiles"))
    {
      self->settings = g_settings_new_full (schema, NULL, NULL);
      g_signal_connect_object (self->settings, "changed::server-profiles",
                               G_CALLBACK (settings_changed_cb), self, G_CONNECT_SWAPPED);
    }
  ridge_preferences_window_reload (self);
}

GtkWidget *
ridge_preferences_window_new (GtkWindow *parent)
{
  return g_object_new (RIDGE_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       NULL);
}
