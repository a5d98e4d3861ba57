/* ridge-secret.c — export tokens in the keyring, or a 0600 keyfile where none answers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-secret"

#include "config.h"

#include "ridge-secret.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "ridge-export.h"

#define TOKEN_GROUP "tokens"

static const SecretSchema *
token_schema (void)
{
  static const SecretSchema schema = {
    "org.ridge.Ridge.ServerToken", SECRET_SCHEMA_NONE,
    {
      { "profile", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

const char *
ridge_secret_backend_to_string (RidgeSecretBackend backend)
{
  switch (backend)
    {
      case RIDGE_SECRET_BACKEND_ENV:
        return "environment";
      case RIDGE_SECRET_BACKEND_KEYRING:
        return "keyring";
      case RIDGE_SECRET_BACKEND_FILE:
        return "file";
      case RIDGE_SECRET_BACKEND_NONE:
      default:
        return "none";
    }
}

char *
ridge_secret_file_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "ridge", "tokens", NULL);
}

/* Whether asking the Secret Service makes sense: not forced off, and a session bus to ask
 * on (without one libsecret would try to autolaunch a bus). */
static gboolean
keyring_possible (void)
{
  const char *forced = g_getenv ("RIDGE_SECRET_BACKEND");
  const char *runtime;
  g_autofree char *bus = NULL;

  if (forced && g_str_equal (forced, "file"))
    return FALSE;
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") && *g_getenv ("DBUS_SESSION_BUS_ADDRESS"))
    return TRUE;
  runtime = g_getenv ("XDG_RUNTIME_DIR");
  if (runtime == NULL || *runtime == '\0')
    return FALSE;
  bus = g_build_filename (runtime, "bus", NULL);
  return g_file_test (bus, G_FILE_TEST_EXISTS);
}

static gboolean
check_profile (const char *profile,
               GError    **error)
{
  if (profile == NULL || !ridge_export_profile_name_is_valid (profile))
    {
      g_set_error (error, RIDGE_EXPORT_ERROR, RIDGE_EXPORT_ERROR_INVALID_PROFILE,
                   "%s (“%s”)", ridge_export_error_sentence (RIDGE_EXPORT_ERROR_INVALID_PROFILE),
                   profile ? profile : "");
      return FALSE;
    }
  return TRUE;
}

/* Loads the token keyfile; a missing file is an empty one. */
static GKeyFile *
load_file (const char *path,
           GError    **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  GError *local = NULL;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local))
    {
      if (!g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_propagate_prefixed_error (error, local, "%s: ", path);
          return NULL;
        }
      g_clear_error (&local);
    }
  return g_steal_pointer (&kf);
}

static gboolean
save_file (GKeyFile   *kf,
           const char *path,
           GError    **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *data = NULL;
  gsize len;

  if (g_mkdir_with_parents (dir, 0700) != 0 || g_chmod (dir, 0700) != 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
                   "Cannot create the private folder %s: %s", dir, g_strerror (e));
      return FALSE;
    }
  data = g_key_file_to_data (kf, &len, NULL);
  return g_file_set_contents_full (path, data, len, G_FILE_SET_CONTENTS_CONSISTENT
                                   | G_FILE_SET_CONTENTS_DURABLE, 0600, error);
}

static gboolean
file_remove_key (const char *profile,
                 GError    **error)
{
  g_autofree char *path = ridge_secret_file_path ();
  g_autoptr (GKeyFile) kf = load_file (path, error);

  if (kf == NULL)
    return FALSE;
  if (!g_key_file_has_key (kf, TOKEN_GROUP, profile, NULL))
    return TRUE;
  g_key_file_remove_key (kf, TOKEN_GROUP, profile, NULL);
  return save_file (kf, path, error);
}

RidgeSecretBackend
ridge_secret_store (const char *profile,
                    const char *token,
                    GError    **error)
{
  g_autofree char *path = NULL;
  g_autoptr (GKeyFile) kf = NULL;

  if (!check_profile (profile, error))
    return RIDGE_SECRET_BACKEND_NONE;
  if (token == NULL || *token == '\0' || strpbrk (token, "\r\n") != NULL
      || !g_utf8_validate (token, -1, NULL))
    {
      g_set_error (error, RIDGE_EXPORT_ERROR, RIDGE_EXPORT_ERROR_NO_TOKEN,
                   "The token is empty or holds a line break");
      return RIDGE_SECRET_BACKEND_NONE;
    }
  if (keyring_possible ())
    {
      g_autoptr (GError) local = NULL;
      g_autofree char *label = g_strdup_printf ("Ridge export token (%s)", profile);
      if (secret_password_store_sync (token_schema (), SECRET_COLLECTION_DEFAULT, label, token,
                                      NULL, &local, "profile", profile, NULL))
        {
          /* No stale copy in the file once the keyring holds it. */
          if (!file_remove_key (profile, error))
            return RIDGE_SECRET_BACKEND_NONE;
          return RIDGE_SECRET_BACKEND_KEYRING;
        }
      g_debug ("no keyring (%s): the token goes to the private file", local->message);
    }
  path = ridge_secret_file_path ();
  kf = load_file (path, error);
  if (kf == NULL)
    return RIDGE_SECRET_BACKEND_NONE;
  g_key_file_set_string (kf, TOKEN_GROUP, profile, token);
  if (!save_file (kf, path, error))
    return RIDGE_SECRET_BACKEND_NONE;
  return RIDGE_SECRET_BACKEND_FILE;
}

char *
ridge_secret_lookup (const char         *profile,
                     RidgeSecretBackend *backend_out,
                     GError            **error)
{
  const char *env = g_getenv ("RIDGE_EXPORT_TOKEN");
  g_autofree char *path = NULL;
  g_autoptr (GKeyFile) kf = NULL;
  char *token;

  if (backend_out)
    *backend_out = RIDGE_SECRET_BACKEND_NONE;
  if (env && *env)
    {
      if (backend_out)
        *backend_out = RIDGE_SECRET_BACKEND_ENV;
      return g_strdup (env);
    }
  if (!check_profile (profile, error))
    return NULL;
  if (keyring_possible ())
    {
      g_autoptr (GError) local = NULL;
      token = secret_password_lookup_sync (token_schema (), NULL, &local, "profile", profile,
                                           NULL);
      if (token)
        {
          char *copy = g_strdup (token);
          secret_password_free (token);
          if (backend_out)
            *backend_out = RIDGE_SECRET_BACKEND_KEYRING;
          return copy;
        }
      if (local)
        g_debug ("no keyring (%s): looking in the private file", local->message);
    }
  path = ridge_secret_file_path ();
  kf = load_file (path, error);
  if (kf == NULL)
    return NULL;
  token = g_key_file_get_string (kf, TOKEN_GROUP, profile, NULL);
  if (token && backend_out)
    *backend_out = RIDGE_SECRET_BACKEND_FILE;
  return token;
}

gboolean
ridge_secret_clear (const char *profile,
                    GError    **error)
{
  if (!check_profile (profile, error))
    return FALSE;
  if (keyring_possible ())
    {
      g_autoptr (GError) local = NULL;
      if (!secret_password_clear_sync (token_schema (), NULL, &local, "profile", profile, NULL)
          && local)
        g_debug ("no keyring (%s)", local->message);
    }
  return file_remove_key (profile, error);
}
