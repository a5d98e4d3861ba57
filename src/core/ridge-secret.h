/* ridge-secret.h — export tokens: the keyring (libsecret), a 0600 keyfile fallback, env
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A token belongs to a server profile (its name). It is kept in the Secret Service
 * (libsecret schema "org.ridge.Ridge.ServerToken", attribute "profile") when one answers on
 * the session bus; otherwise (no D-Bus session, no keyring: CI, servers, containers) in the
 * keyfile $XDG_CONFIG_HOME/ridge/tokens (file 0600, folder 0700). For scripts,
 * RIDGE_EXPORT_TOKEN overrides every lookup. RIDGE_SECRET_BACKEND=file skips the keyring
 * (tests). Tokens are never logged.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  RIDGE_SECRET_BACKEND_NONE,     /* nothing found */
  RIDGE_SECRET_BACKEND_ENV,      /* RIDGE_EXPORT_TOKEN */
  RIDGE_SECRET_BACKEND_KEYRING,  /* the Secret Service (libsecret) */
  RIDGE_SECRET_BACKEND_FILE,     /* $XDG_CONFIG_HOME/ridge/tokens */
} RidgeSecretBackend;

/* "environment", "keyring", "file", "none" — for messages and --json. */
const char *ridge_secret_backend_to_string (RidgeSecretBackend backend);

/* The keyfile used when no keyring answers. */
char       *ridge_secret_file_path (void);

/* Stores token for profile; returns where it went (0 = NONE with error set). */
RidgeSecretBackend ridge_secret_store (const char *profile,
                                       const char *token,
                                       GError    **error);
/* Looks the token up: env, then keyring, then file. NULL with no error: no token. */
char              *ridge_secret_lookup (const char         *profile,
                                        RidgeSecretBackend *backend_out,
                                        GError            **error);
/* Removes the token from the keyring and the file. TRUE even when there was none. */
gboolean           ridge_secret_clear (const char *profile,
                                       GError    **error);

G_END_DECLS
