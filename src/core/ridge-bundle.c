/* ridge-bundle.c — file export/import of enrollments for air-gapped sites
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-store"

#include "config.h"

#include "ridge-bundle.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/ridge-engine.h"
#include "engine/ridge-fmr.h"
#include "ridge-store-private.h"

#define FMR_BUF_SIZE 65536

static const char *
format_name (RidgeBundleFormat format)
{
  return format == RIDGE_BUNDLE_FORMAT_ANSI ? "ANSI INCITS 378-2004" : "ISO/IEC 19794-2:2005";
}

static gboolean
write_private (const char *path,
               GBytes     *data,
               GError    **error)
{
  gsize len;
  const char *p = g_bytes_get_data (data, &len);
  GError *local = NULL;

  if (!g_file_set_contents_full (path, p ? p : "", len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local))
    {
      g_set_error (error, RIDGE_STORE_ERROR,
                   g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOSPC)
                   ? RIDGE_STORE_ERROR_FULL
                   : (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_ACCES)
                      || g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_ROFS)
                      || g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_PERM))
                   ? RIDGE_STORE_ERROR_READ_ONLY : RIDGE_STORE_ERROR_IO,
                   "Cannot write %s: %s", path, local->message);
      g_error_free (local);
      return FALSE;
    }
  return TRUE;
}

/* The template's record in the wanted format: the stored ISO record, or one made from the
 * native template; converted to ANSI when asked. */
static GBytes *
record_for (const RidgeStoreTemplate *t,
            RidgeBundleFormat         format,
            GError                  **error)
{
  g_autofree guint8 *buf = g_malloc (FMR_BUF_SIZE);
  size_t len = 0;
  int r;

  if (t->iso_record)
    {
      g_autofree RidgeFmrRecord *rec = NULL;
      g_autofree RidgeFmrRecord *ansi = NULL;
      gsize n;
      const guint8 *p = g_bytes_get_data (t->iso_record, &n);

      if (format == RIDGE_BUNDLE_FORMAT_ISO)
        return g_bytes_ref (t->iso_record);
      rec = g_new0 (RidgeFmrRecord, 1);
      ansi = g_new0 (RidgeFmrRecord, 1);
      r = ridge_fmr_decode (p, n, RIDGE_FMR_FORMAT_ISO, RIDGE_FMR_DECODE_STRICT, rec);
      if (r == RIDGE_FMR_OK)
        r = ridge_fmr_convert (rec, RIDGE_FMR_FORMAT_ANSI, RIDGE_FMR_CONVERT_DEFAULT, ansi);
      if (r == RIDGE_FMR_OK)
        r = ridge_fmr_encode (ansi, buf, FMR_BUF_SIZE, &len);
    }
  else
    {
      g_autofree RidgeEnrollTemplate *e = g_new0 (RidgeEnrollTemplate, 1);
      RidgeFmrViewInfo info = { 0 };
      gsize n;
      const guint8 *p = g_bytes_get_data (t->native, &n);

      info.finger_position = t->record->finger;
      r = ridge_enroll_deserialize (p, n, e);
      if (r != RIDGE_ENGINE_OK)
        {
          g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_BAD_RECORD,
                       "Template %" G_GINT64_FORMAT ": the native template does not decode: %s",
                       t->record->template_id, ridge_engine_strerror (r));
          return NULL;
        }
      r = ridge_fmr_encode_enroll (e, format == RIDGE_BUNDLE_FORMAT_ANSI ? RIDGE_FMR_FORMAT_ANSI
                                                                        : RIDGE_FMR_FORMAT_ISO,
                                   &info, buf, FMR_BUF_SIZE, &len);
    }
  if (r != RIDGE_FMR_OK)
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_BAD_RECORD,
                   "Template %" G_GINT64_FORMAT " cannot be written as %s: %s",
                   t->record->template_id, format_name (format), ridge_fmr_strerror (r));
      return NULL;
    }
  return g_bytes_new (buf, len);
}

static char *
iso8601_ms (gint64 ms)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (MAX (ms, 0) / 1000);
  g_autofree char *s = dt ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S") : NULL;

  if (s == NULL)
    return g_strdup ("1970-01-01T00:00:00.000Z");
  return g_strdup_printf ("%s.%03dZ", s, (int)(MAX (ms, 0) % 1000));
}

static gint64
parse_iso8601_ms (const char *s)
{
  g_autoptr (GDateTime) dt = s ? g_date_time_new_from_iso8601 (s, NULL) : NULL;

  if (dt == NULL)
    return 0;
  return g_date_time_to_unix (dt) * 1000 + g_date_time_get_microsecond (dt) / 1000;
}

gboolean
ridge_bundle_export (RidgeStore       *store,
                     const gint64     *template_ids,
                     guint             n_ids,
                     const char       *dir,
                     RidgeBundleFormat format,
                     guint            *n_written,
                     GError          **error)
{
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GBytes) manifest = NULL;
  g_autofree char *manifest_path = NULL;
  g_autofree char *now = iso8601_ms (ridge_store_now_ms ());
  gsize len;
  char *text;

  g_return_val_if_fail (RIDGE_IS_STORE (store), FALSE);
  g_return_val_if_fail (dir != NULL, FALSE);
  if (n_written)
    *n_written = 0;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int e = errno;
      g_set_error (error, RIDGE_STORE_ERROR,
                   e == EACCES || e == EROFS ? RIDGE_STORE_ERROR_READ_ONLY : RIDGE_STORE_ERROR_IO,
                   "Cannot create the bundle folder %s: %s", dir, g_strerror (e));
      return FALSE;
    }
  {
    g_autoptr (GDir) d = g_dir_open (dir, 0, error);
    if (d == NULL)
      return FALSE;
    if (g_dir_read_name (d) != NULL)
      {
        g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_INVALID,
                     "The bundle folder %s is not empty", dir);
        return FALSE;
      }
  }

  if (n_ids > 0)
    g_array_append_vals (ids, template_ids, n_ids);
  else
    {
      g_autoptr (GPtrArray) rows = ridge_store_list (store, NULL, error);
      if (rows == NULL)
        return FALSE;
      for (guint i = 0; i < rows->len; i++)
        g_array_append_val (ids, ((RidgeStoreRecord *)rows->pdata[i])->template_id);
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, "ridge-bundle");
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, RIDGE_BUNDLE_VERSION);
  json_builder_set_member_name (b, "record_format");
  json_builder_add_string_value (b, format_name (format));
  json_builder_set_member_name (b, "created");
  json_builder_add_string_value (b, now);
  json_builder_set_member_name (b, "templates");
  json_builder_begin_array (b);
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      g_autoptr (RidgeStoreTemplate) t = ridge_store_get_template (store, id, error);
      g_autoptr (GBytes) rec = NULL;
      g_autofree char *name = NULL;
      g_autofree char *path = NULL;
      g_autofree char *sha = NULL;
      g_autofree char *created = NULL;
      g_autofree char *updated = NULL;

      if (t == NULL || (rec = record_for (t, format, error)) == NULL)
        return FALSE;
      name = g_strdup_printf ("%04u-finger%02u.fmr", i + 1, t->record->finger);
      path = g_build_filename (dir, name, NULL);
      if (!write_private (path, rec, error))
        return FALSE;
      sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, rec);
      created = iso8601_ms (t->record->created_ms);
      updated = iso8601_ms (t->record->updated_ms);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, name);
      json_builder_set_member_name (b, "user_id");
      json_builder_add_string_value (b, t->record->user_external_id);
      json_builder_set_member_name (b, "display_name");
      json_builder_add_string_value (b, t->record->display_name);
      json_builder_set_member_name (b, "finger");
      json_builder_add_int_value (b, t->record->finger);
      json_builder_set_member_name (b, "quality");
      json_builder_add_int_value (b, t->record->quality);
      json_builder_set_member_name (b, "samples");
      json_builder_add_int_value (b, t->record->samples);
      json_builder_set_member_name (b, "size");
      json_builder_add_int_value (b, g_bytes_get_size (rec));
      json_builder_set_member_name (b, "sha256");
      json_builder_add_string_value (b, sha);
      json_builder_set_member_name (b, "created");
      json_builder_add_string_value (b, created);
      json_builder_set_member_name (b, "updated");
      json_builder_add_string_value (b, updated);
      json_builder_end_object (b);
      if (n_written)
        (*n_written)++;
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, &len);
  manifest = g_bytes_new_take (text, len);
  manifest_path = g_build_filename (dir, RIDGE_BUNDLE_MANIFEST, NULL);
  return write_private (manifest_path, manifest, error);
}

/* ---- Import ---------------------------------------------------------------------------- */

static gboolean
safe_file_name (const char *name)
{
  gsize n = strlen (name);

  if (n < 5 || n > 128 || name[0] == '.' || !g_str_has_suffix (name, ".fmr"))
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;
  return TRUE;
}

/* Reads a regular file of at most max bytes (no symlinks, no devices). */
static GBytes *
read_bounded (const char *path,
              gsize       max,
              GError    **error)
{
  struct stat st;
  char *data = NULL;
  gsize len = 0;

  if (g_lstat (path, &st) != 0)
    {
      int e = errno;
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_IO, "cannot read it: %s",
                   g_strerror (e));
      return NULL;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_INVALID,
                   "not a regular file (symbolic links are refused)");
      return NULL;
    }
  if ((guint64)st.st_size > max)
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_INVALID,
                   "%" G_GUINT64_FORMAT " bytes, more than the %" G_GSIZE_FORMAT " allowed",
                   (guint64)st.st_size, max);
      return NULL;
    }
  if (!g_file_get_contents (path, &data, &len, error))
    return NULL;
  if (len > max)
    {
      g_free (data);
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_INVALID, "grew while read");
      return NULL;
    }
  return g_bytes_new_take (data, len);
}

/* Decodes an FMR record strictly and makes the store's two forms for one finger. */
static gboolean
record_to_store_forms (GBytes        *data,
                       RidgeFmrFormat format,
                       int            finger,
                       GBytes       **iso_out,
                       GBytes       **native_out,
                       guint         *finger_out,
                       guint         *quality_out,
                       guint         *samples_out,
                       GError       **error)
{
  g_autofree RidgeFmrRecord *rec = g_new0 (RidgeFmrRecord, 1);
  g_autofree RidgeFmrRecord *iso = NULL;
  g_autofree RidgeEnrollTemplate *e = g_new0 (RidgeEnrollTemplate, 1);
  g_autofree guint8 *buf = g_malloc (MAX (FMR_BUF_SIZE, RIDGE_ENROLL_MAX_BYTES));
  gsize len;
  const guint8 *p = g_bytes_get_data (data, &len);
  size_t n = 0;
  int r, quality = 0;

  *iso_out = NULL;
  *native_out = NULL;
  if (len == 0 || len > RIDGE_STORE_MAX_TEMPLATE)
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_BAD_RECORD,
                   "a record must hold 1 to %d bytes, not %" G_GSIZE_FORMAT,
                   RIDGE_STORE_MAX_TEMPLATE, len);
      return FALSE;
    }
  r = ridge_fmr_decode (p, len, format, RIDGE_FMR_DECODE_STRICT, rec);
  if (r != RIDGE_FMR_OK)
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_BAD_RECORD,
                   "not a valid %s record: %s (at byte %" G_GSIZE_FORMAT ")",
                   format == RIDGE_FMR_FORMAT_ANSI ? "ANSI INCITS 378-2004"
                   : format == RIDGE_FMR_FORMAT_ISO ? "ISO/IEC 19794-2:2005"
                   : "ISO/IEC 19794-2:2005 or ANSI INCITS 378-2004",
                   ridge_fmr_strerror (r), rec->error_offset);
      return FALSE;
    }
  if (rec->n_views == 0)
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_BAD_RECORD,
                   "the record holds no finger view");
      return FALSE;
    }
  if (finger < 0)
    finger = rec->views[0].finger_position;
  if (finger > 10)
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_BAD_RECORD,
                   "finger position %d is not 0..10", finger);
      return FALSE;
    }
  r = ridge_fmr_to_enroll (rec, finger, e);
  if (r != RIDGE_FMR_OK)
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_BAD_RECORD,
                   "the record has no usable view of finger %d: %s", finger,
                   ridge_fmr_strerror (r));
      return FALSE;
    }
  if (ridge_enroll_serialize (e, buf, RIDGE_ENROLL_MAX_BYTES, &n) == RIDGE_ENGINE_OK)
    *native_out = g_bytes_new (buf, n);
  if (rec->format == RIDGE_FMR_FORMAT_ISO)
    *iso_out = g_bytes_ref (data);
  else
    {
      iso = g_new0 (RidgeFmrRecord, 1);
      r = ridge_fmr_convert (rec, RIDGE_FMR_FORMAT_ISO, RIDGE_FMR_CONVERT_DEFAULT, iso);
      if (r == RIDGE_FMR_OK)
        r = ridge_fmr_encode (iso, buf, FMR_BUF_SIZE, &n);
      if (r != RIDGE_FMR_OK)
        {
          g_clear_pointer (native_out, g_bytes_unref);
          g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_BAD_RECORD,
                       "the ANSI record does not convert to ISO: %s", ridge_fmr_strerror (r));
          return FALSE;
        }
      *iso_out = g_bytes_new (buf, n);
    }
  for (guint v = 0; v < rec->n_views; v++)
    if (rec->views[v].finger_position == finger)
      quality = MAX (quality, rec->views[v].finger_quality);
  *finger_out = finger;
  *quality_out = MIN (quality, 100);
  *samples_out = e->n_samples;
  return TRUE;
}

static const char *
member_string (JsonObject *o,
               const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

static gboolean
member_int (JsonObject *o,
            const char *name,
            gint64      min,
            gint64      max,
            gint64     *out)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || json_node_get_value_type (n) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (n);
  return *out >= min && *out <= max;
}

static gboolean
import_entry (RidgeStore       *store,
              const char       *dir,
              JsonObject       *o,
              RidgeBundleFormat format,
              const char       *operator_name,
              GHashTable       *seen,
              GError          **error)
{
  const char *file = member_string (o, "file");
  const char *user = member_string (o, "user_id");
  const char *name = member_string (o, "display_name");
  const char *sha = member_string (o, "sha256");
  g_autofree char *path = NULL;
  g_autofree char *actual = NULL;
  g_autoptr (GBytes) data = NULL;
  g_autoptr (GBytes) iso = NULL;
  g_autoptr (GBytes) native = NULL;
  gint64 finger, quality, samples = 0;
  guint rec_finger, rec_quality, rec_samples;
  RidgeStoreTemplateData d = { 0 };
  RidgeStoreProvenance prov = { NULL, operator_name, "import" };

  if (file == NULL || !safe_file_name (file))
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_INVALID,
                   "the manifest entry has no file name, or one that is not a plain "
                   "NAME.fmr");
      return FALSE;
    }
  if (!g_hash_table_add (seen, g_strdup (file)))
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_INVALID,
                   "the manifest names this file twice");
      return FALSE;
    }
  if (user == NULL || sha == NULL || !member_int (o, "finger", 0, 10, &finger)
      || !member_int (o, "quality", 0, 100, &quality)
      || (json_object_has_member (o, "samples") && !member_int (o, "samples", 0, 255, &samples)))
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_INVALID,
                   "the manifest entry lacks user_id or sha256, or has a finger outside 0..10 "
                   "or a quality outside 0..100");
      return FALSE;
    }
  path = g_build_filename (dir, file, NULL);
  data = read_bounded (path, RIDGE_STORE_MAX_TEMPLATE, error);
  if (data == NULL)
    return FALSE;
  actual = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, data);
  if (g_ascii_strcasecmp (actual, sha) != 0)
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_HASH_MISMATCH,
                   "its SHA-256 differs from the manifest (damaged or altered file)");
      return FALSE;
    }
  if (!record_to_store_forms (data, format == RIDGE_BUNDLE_FORMAT_ANSI ? RIDGE_FMR_FORMAT_ANSI
                                                                      : RIDGE_FMR_FORMAT_ISO,
                              (int)finger, &iso, &native, &rec_finger, &rec_quality,
                              &rec_samples, error))
    return FALSE;
  d.user_external_id = user;
  d.display_name = name;
  d.finger = rec_finger;
  d.iso_record = iso;
  d.native = native;
  d.samples = samples > 0 ? (guint)samples : rec_samples;
  d.quality = (guint)quality;
  d.created_ms = parse_iso8601_ms (member_string (o, "created"));
  return ridge_store_put_template (store, &d, &prov, error) > 0;
}

gboolean
ridge_bundle_import (RidgeStore *store,
                     const char *dir,
                     const char *operator_name,
                     guint      *n_imported,
                     GPtrArray **problems,
                     GError    **error)
{
  g_autoptr (GPtrArray) probs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *manifest_path = NULL;
  g_autoptr (GBytes) manifest = NULL;
  g_autoptr (GError) local = NULL;
  JsonObject *root;
  JsonArray *templates;
  JsonNode *node;
  RidgeBundleFormat format;
  const char *rf;
  gint64 version;
  guint imported = 0;

  g_return_val_if_fail (RIDGE_IS_STORE (store), FALSE);
  g_return_val_if_fail (dir != NULL, FALSE);
  if (n_imported)
    *n_imported = 0;
  if (problems)
    *problems = NULL;

  manifest_path = g_build_filename (dir, RIDGE_BUNDLE_MANIFEST, NULL);
  manifest = read_bounded (manifest_path, RIDGE_BUNDLE_MAX_MANIFEST, &local);
  if (manifest == NULL)
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_BAD_RECORD,
                   "%s is not a Ridge bundle: %s: %s", dir, RIDGE_BUNDLE_MANIFEST,
                   local->message);
      return FALSE;
    }
  if (!json_parser_load_from_data (parser, g_bytes_get_data (manifest, NULL),
                                   g_bytes_get_size (manifest), &local))
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_BAD_RECORD,
                   "The bundle manifest %s is not valid JSON: %s", manifest_path,
                   local->message);
      return FALSE;
    }
  node = json_parser_get_root (parser);
  root = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  if (root == NULL || g_strcmp0 (member_string (root, "format"), "ridge-bundle") != 0)
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_BAD_RECORD,
                   "%s is not a Ridge bundle manifest", manifest_path);
      return FALSE;
    }
  if (!member_int (root, "version", 1, G_MAXINT, &version) || version > RIDGE_BUNDLE_VERSION)
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_TOO_NEW,
                   "The bundle %s has a manifest version this program does not read "
                   "(it reads version %d)", dir, RIDGE_BUNDLE_VERSION);
      return FALSE;
    }
  rf = member_string (root, "record_format");
  if (g_strcmp0 (rf, format_name (RIDGE_BUNDLE_FORMAT_ISO)) == 0)
    format = RIDGE_BUNDLE_FORMAT_ISO;
  else if (g_strcmp0 (rf, format_name (RIDGE_BUNDLE_FORMAT_ANSI)) == 0)
    format = RIDGE_BUNDLE_FORMAT_ANSI;
  else
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_BAD_RECORD,
                   "The bundle manifest names an unknown record format \"%s\"",
                   rf ? rf : "(none)");
      return FALSE;
    }
  node = json_object_get_member (root, "templates");
  templates = node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  if (templates == NULL || json_array_get_length (templates) > RIDGE_BUNDLE_MAX_ENTRIES)
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_BAD_RECORD,
                   "The bundle manifest has no template list, or more than %d entries",
                   RIDGE_BUNDLE_MAX_ENTRIES);
      return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (templates); i++)
    {
      JsonNode *en = json_array_get_element (templates, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (en) ? json_node_get_object (en) : NULL;
      const char *file = o ? member_string (o, "file") : NULL;
      g_autoptr (GError) entry_error = NULL;
      g_autofree char *label = file && g_utf8_validate (file, -1, NULL)
                               ? g_strndup (file, 128) : g_strdup_printf ("entry %u", i + 1);

      if (o == NULL)
        g_set_error (&entry_error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_INVALID,
                     "the manifest entry is not an object");
      else if (import_entry (store, dir, o, format, operator_name, seen, &entry_error))
        {
          imported++;
          continue;
        }
      /* a store that cannot be written stops the import: later files would fail too */
      if (entry_error->domain == RIDGE_STORE_ERROR
          && (entry_error->code == RIDGE_STORE_ERROR_FULL
              || entry_error->code == RIDGE_STORE_ERROR_READ_ONLY
              || entry_error->code == RIDGE_STORE_ERROR_CORRUPT))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&entry_error),
                                      "Import stopped at %s after %u templates: ", label,
                                      imported);
          if (n_imported)
            *n_imported = imported;
          return FALSE;
        }
      g_ptr_array_add (probs, g_strdup_printf ("%s: %s", label, entry_error->message));
      g_message ("bundle %s: %s: %s", dir, label, entry_error->message);
    }
  if (n_imported)
    *n_imported = imported;
  if (problems)
    *problems = g_steal_pointer (&probs);
  return TRUE;
}

/* ---- Single files ------------------------------------------------------------------------ */

gboolean
ridge_bundle_export_fmr (RidgeStore       *store,
                         gint64            template_id,
                         const char       *path,
                         RidgeBundleFormat format,
                         GError          **error)
{
  g_autoptr (RidgeStoreTemplate) t = NULL;
  g_autoptr (GBytes) rec = NULL;

  g_return_val_if_fail (RIDGE_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  t = ridge_store_get_template (store, template_id, error);
  if (t == NULL || (rec = record_for (t, format, error)) == NULL)
    return FALSE;
  return write_private (path, rec, error);
}

gint64
ridge_bundle_import_fmr (RidgeStore *store,
                         const char *path,
                         const char *user_external_id,
                         const char *display_name,
                         int         finger,
                         const char *operator_name,
                         GError    **error)
{
  g_autoptr (GBytes) data = NULL;
  g_autoptr (GBytes) iso = NULL;
  g_autoptr (GBytes) native = NULL;
  g_autoptr (GError) local = NULL;
  guint f, quality, samples;
  RidgeStoreTemplateData d = { 0 };
  RidgeStoreProvenance prov = { NULL, operator_name, "import" };

  g_return_val_if_fail (RIDGE_IS_STORE (store), 0);
  g_return_val_if_fail (path != NULL, 0);
  data = read_bounded (path, RIDGE_STORE_MAX_TEMPLATE, &local);
  if (data == NULL
      || !record_to_store_forms (data, RIDGE_FMR_FORMAT_AUTO, finger, &iso, &native, &f,
                                 &quality, &samples, &local))
    {
      g_set_error (error, RIDGE_STORE_ERROR,
                   local->domain == RIDGE_STORE_ERROR ? local->code : RIDGE_STORE_ERROR_IO,
                   "%s: %s", path, local->message);
      return 0;
    }
  d.user_external_id = user_external_id;
  d.display_name = display_name;
  d.finger = f;
  d.iso_record = iso;
  d.native = native;
  d.samples = samples;
  d.quality = quality;
  return ridge_store_put_template (store, &d, &prov, error);
}
