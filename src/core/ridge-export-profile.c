/* ridge-export-profile.c — export server profiles in GSettings: org.ridge.Ridge's
 * `server-profiles` names and one relocatable org.ridge.Ridge.ServerProfile per name
 * (docs/export-api.md "Client behaviour")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-export"

#include "config.h"

#include "ridge-export.h"
#include "ridge-export-private.h"

#include <string.h>

#define SETTINGS_SCHEMA         "org.ridge.Ridge"
#define PROFILE_SCHEMA          "org.ridge.Ridge.ServerProfile"
#define PROFILE_PATH            "/org/ridge/Ridge/server-profiles/"

/* ---- Profiles ------------------------------------------------------------------------- */

G_DEFINE_BOXED_TYPE (RidgeExportProfile, ridge_export_profile, ridge_export_profile_copy,
                     ridge_export_profile_free);

RidgeExportProfile *
ridge_export_profile_new (const char *name,
                          const char *url,
                          const char *pinned_certificate,
                          guint       batch_size)
{
  RidgeExportProfile *p = g_new0 (RidgeExportProfile, 1);

  p->name = g_strdup (name);
  p->url = g_strdup (url);
  p->pinned_certificate = pinned_certificate && *pinned_certificate
                          ? g_strdup (pinned_certificate) : NULL;
  p->batch_size = batch_size ? batch_size : RIDGE_EXPORT_DEFAULT_BATCH;
  return p;
}

RidgeExportProfile *
ridge_export_profile_copy (const RidgeExportProfile *profile)
{
  g_return_val_if_fail (profile != NULL, NULL);
  return ridge_export_profile_new (profile->name, profile->url, profile->pinned_certificate,
                                   profile->batch_size);
}

void
ridge_export_profile_free (RidgeExportProfile *profile)
{
  if (profile == NULL)
    return;
  g_free (profile->name);
  g_free (profile->url);
  g_free (profile->pinned_certificate);
  g_free (profile);
}

gboolean
ridge_export_profile_name_is_valid (const char *name)
{
  gsize n;

  if (name == NULL)
    return FALSE;
  n = strlen (name);
  if (n == 0 || n > 64 || name[0] == '.' || name[0] == '-')
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

/* https://HOST[:PORT] with nothing after the authority but an optional "/". */
static gboolean
url_is_valid (const char *url,
              GError    **error)
{
  g_autoptr (GUri) uri = NULL;
  const char *path;
  GError *local = NULL;

  if (url == NULL || *url == '\0')
    {
      ridge_export_set_error (error, RIDGE_EXPORT_ERROR_INVALID_PROFILE, "It has no URL.");
      return FALSE;
    }
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, &local);
  if (uri == NULL)
    {
      ridge_export_set_error (error, RIDGE_EXPORT_ERROR_INVALID_PROFILE, "“%s” is not a URL (%s).",
                              url,
                              local->message);
      g_error_free (local);
      return FALSE;
    }
  path = g_uri_get_path (uri);
  if (g_strcmp0 (g_uri_get_scheme (uri), "https") != 0 || g_uri_get_host (uri) == NULL
      || *g_uri_get_host (uri) == '\0' || (path && *path && strcmp (path, "/") != 0)
      || g_uri_get_query (uri) || g_uri_get_fragment (uri) || g_uri_get_userinfo (uri))
    {
      ridge_export_set_error (error, RIDGE_EXPORT_ERROR_INVALID_PROFILE,
                              "The URL must be https://HOST[:PORT] without a path, not “%s”.", url);
      return FALSE;
    }
  return TRUE;
}

GTlsCertificate *
ridge_export_load_pin (const char *path,
                       GError    **error)
{
  GError *local = NULL;
  GTlsCertificate *cert = g_tls_certificate_new_from_file (path, &local);

  if (cert == NULL)
    {
      ridge_export_set_error (error, RIDGE_EXPORT_ERROR_INVALID_PROFILE,
                              "The pinned certificate %s cannot be read (%s).", path,
                              local->message);
      g_error_free (local);
    }
  return cert;
}

gboolean
ridge_export_profile_validate (const RidgeExportProfile *profile,
                               GError                  **error)
{
  g_return_val_if_fail (profile != NULL, FALSE);
  if (!ridge_export_profile_name_is_valid (profile->name))
    {
      ridge_export_set_error (error, RIDGE_EXPORT_ERROR_INVALID_PROFILE,
                              "A profile name is 1 to 64 letters, digits, “.”, “_” or “-”, not “%s”.",
                              profile->name ? profile->name : "");
      return FALSE;
    }
  if (!url_is_valid (profile->url, error))
    return FALSE;
  if (profile->batch_size < 1 || profile->batch_size > RIDGE_EXPORT_MAX_BATCH)
    {
      ridge_export_set_error (error, RIDGE_EXPORT_ERROR_INVALID_PROFILE,
                              "The batch size must be 1 to %d, not %u.", RIDGE_EXPORT_MAX_BATCH,
                              profile->batch_size);
      return FALSE;
    }
  if (profile->pinned_certificate)
    {
      g_autoptr (GTlsCertificate) cert = ridge_export_load_pin (profile->pinned_certificate, error);
      if (cert == NULL)
        return FALSE;
    }
  return TRUE;
}

static GSettingsSchema *
lookup_schema (const char *id,
               GError    **error)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  GSettingsSchema *schema = source ? g_settings_schema_source_lookup (source, id, TRUE) : NULL;

  if (schema == NULL)
    ridge_export_set_error (error, RIDGE_EXPORT_ERROR_NO_SETTINGS,
                            "(%s; set GSETTINGS_SCHEMA_DIR or install Ridge)", id);
  return schema;
}

static GSettings *
main_settings (GError **error)
{
  g_autoptr (GSettingsSchema) schema = lookup_schema (SETTINGS_SCHEMA, error);

  if (schema == NULL || !g_settings_schema_has_key (schema, "server-profiles"))
    {
      if (schema)
        ridge_export_set_error (error, RIDGE_EXPORT_ERROR_NO_SETTINGS,
                                "(the installed %s is too old)",
                                SETTINGS_SCHEMA);
      return NULL;
    }
  return g_settings_new_full (schema, NULL, NULL);
}

static GSettings *
profile_settings (const char *name,
                  GError    **error)
{
  g_autoptr (GSettingsSchema) schema = lookup_schema (PROFILE_SCHEMA, error);
  g_autofree char *path = NULL;

  if (schema == NULL)
    return NULL;
  path = g_strconcat (PROFILE_PATH, name, "/", NULL);
  return g_settings_new_full (schema, NULL, path);
}

GStrv
ridge_export_profile_list (GError **error)
{
  g_autoptr (GSettings) settings = main_settings (error);

  if (settings == NULL)
    return NULL;
  return g_settings_get_strv (settings, "server-profiles");
}

RidgeExportProfile *
ridge_export_profile_load (const char *name,
                           GError    **error)
{
  g_autoptr (GSettings) settings = main_settings (error);
  g_autoptr (GSettings) ps = NULL;
  g_auto (GStrv) names = NULL;
  g_autofree char *url = NULL;
  g_autofree char *pin = NULL;

  if (settings == NULL)
    return NULL;
  names = g_settings_get_strv (settings, "server-profiles");
  if (!ridge_export_profile_name_is_valid (name) || !g_strv_contains ((const char *const *)names,
                                                                      name))
    {
      ridge_export_set_error (error, RIDGE_EXPORT_ERROR_NO_PROFILE, "(“%s”)", name ? name : "");
      return NULL;
    }
  ps = profile_settings (name, error);
  if (ps == NULL)
    return NULL;
  url = g_settings_get_string (ps, "url");
  pin = g_settings_get_string (ps, "pinned-certificate");
  return ridge_export_profile_new (name, url, pin, g_settings_get_uint (ps, "batch-size"));
}

gboolean
ridge_export_profile_save (const RidgeExportProfile *profile,
                           GError                  **error)
{
  g_autoptr (GSettings) settings = NULL;
  g_autoptr (GSettings) ps = NULL;
  g_auto (GStrv) names = NULL;

  g_return_val_if_fail (profile != NULL, FALSE);
  if (!ridge_export_profile_validate (profile, error))
    return FALSE;
  settings = main_settings (error);
  if (settings == NULL)
    return FALSE;
  ps = profile_settings (profile->name, error);
  if (ps == NULL)
    return FALSE;
  g_settings_set_string (ps, "url", profile->url);
  g_settings_set_string (ps, "pinned-certificate",
                         profile->pinned_certificate ? profile->pinned_certificate : "");
  g_settings_set_uint (ps, "batch-size", profile->batch_size);
  names = g_settings_get_strv (settings, "server-profiles");
  if (!g_strv_contains ((const char *const *)names, profile->name))
    {
      g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
      g_auto (GStrv) updated = NULL;
      g_strv_builder_addv (b, (const char **)names);
      g_strv_builder_add (b, profile->name);
      updated = g_strv_builder_end (b);
      g_settings_set_strv (settings, "server-profiles", (const char *const *)updated);
    }
  g_settings_sync ();
  return TRUE;
}

gboolean
ridge_export_profile_remove (const char *name,
                             GError    **error)
{
  g_autoptr (GSettings) settings = main_settings (error);
  g_autoptr (GSettings) ps = NULL;
  g_autoptr (GStrvBuilder) b = NULL;
  g_auto (GStrv) names = NULL;
  g_auto (GStrv) updated = NULL;

  if (settings == NULL)
    return FALSE;
  names = g_settings_get_strv (settings, "server-profiles");
  if (!ridge_export_profile_name_is_valid (name) || !g_strv_contains ((const char *const *)names,
                                                                      name))
    {
      ridge_export_set_error (error, RIDGE_EXPORT_ERROR_NO_PROFILE, "(“%s”)", name ? name : "");
      return FALSE;
    }
  ps = profile_settings (name, error);
  if (ps == NULL)
    return FALSE;
  g_settings_reset (ps, "url");
  g_settings_reset (ps, "pinned-certificate");
  g_settings_reset (ps, "batch-size");
  b = g_strv_builder_new ();
  for (guint i = 0; names[i]; i++)
    if (strcmp (names[i], name) != 0)
      g_strv_builder_add (b, names[i]);
  updated = g_strv_builder_end (b);
  g_settings_set_strv (settings, "server-profiles", (const char *const *)updated);
  g_settings_sync ();
  return TRUE;
}
