/* ridge-preferences-window.h — Preferences: the export server profiles and their tokens
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The "Servers" page lists the profiles of ridge-export.h (GSettings) with their URL, pinned
 * certificate and where the token is kept (ridge-secret.h); Add/Edit opens an editor, Remove
 * asks first and also clears the token, Test Connection runs the exporter's status check.
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define RIDGE_TYPE_PREFERENCES_WINDOW (ridge_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (RidgePreferencesWindow, ridge_preferences_window, RIDGE,
                      PREFERENCES_WINDOW, AdwPreferencesWindow)

/* The editor's widgets (for tests: they are filled and clicked as a user would). */
typedef enum {
  RIDGE_PREFERENCES_FIELD_NAME,         /* AdwEntryRow */
  RIDGE_PREFERENCES_FIELD_URL,          /* AdwEntryRow */
  RIDGE_PREFERENCES_FIELD_CERTIFICATE,  /* AdwActionRow (subtitle: path and fingerprint) */
  RIDGE_PREFERENCES_FIELD_BATCH,        /* GtkSpinButton */
  RIDGE_PREFERENCES_FIELD_TOKEN,        /* GtkPasswordEntry */
  RIDGE_PREFERENCES_FIELD_SAVE,         /* GtkButton */
  RIDGE_PREFERENCES_FIELD_ERROR,        /* GtkLabel */
} RidgePreferencesField;

GtkWidget  *ridge_preferences_window_new (GtkWindow *parent);
/* Rereads the profiles (also done on every change of the settings). */
void        ridge_preferences_window_reload (RidgePreferencesWindow *self);
guint       ridge_preferences_window_get_n_servers (RidgePreferencesWindow *self);
/* The row's subtitle for profile name (URL, certificate, token, last test), or NULL. */
const char *ridge_preferences_window_get_summary (RidgePreferencesWindow *self,
                                                  const char             *name);

/* Opens the editor for name, or for a new profile when name is NULL; returns it. */
GtkWindow  *ridge_preferences_window_edit (RidgePreferencesWindow *self,
                                           const char             *name);
GtkWidget  *ridge_preferences_window_get_field (RidgePreferencesWindow *self,
                                                RidgePreferencesField   field);
/* What the file chooser does with the chosen file; FALSE (shown in the editor) when it is not
 * a PEM certificate. */
gboolean    ridge_preferences_window_choose_certificate (RidgePreferencesWindow *self,
                                                         const char             *path);

/* Test Connection on a row; the sentence replaces the row's last line when it ends. */
void        ridge_preferences_window_test_connection (RidgePreferencesWindow *self,
                                                      const char             *name);
gboolean    ridge_preferences_window_is_testing (RidgePreferencesWindow *self);
/* TRUE while the rows' token places are being looked up (in a thread; rows say "Token: …"). */
gboolean    ridge_preferences_window_is_looking_up (RidgePreferencesWindow *self);
/* The last test's sentence for name, or NULL. */
const char *ridge_preferences_window_get_test_result (RidgePreferencesWindow *self,
                                                      const char             *name);

/* Remove on a row: returns the confirmation (responses "cancel", "remove"). */
AdwMessageDialog *ridge_preferences_window_remove (RidgePreferencesWindow *self,
                                                   const char             *name);

G_END_DECLS
