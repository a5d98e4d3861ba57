/* test-bundle.c — RidgeBundle: export/import directories and single .fmr files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ridge-bundle.h"
#include "ridge-store.h"
#include "store-test-util.h"

static void
rm_rf (const char *path)
{
  g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (path, name, NULL);
      if (g_file_test (p, G_FILE_TEST_IS_DIR) && !g_file_test (p, G_FILE_TEST_IS_SYMLINK))
        rm_rf (p);
      else
        g_unlink (p);
    }
  g_rmdir (path);
}

static guint
file_mode (const char *path)
{
  struct stat st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

static gint64
put_native (RidgeStore *store,
            const char *user,
            const char *name,
            guint       finger,
            guint32     seed,
            gboolean    with_iso)
{
  RidgeEnrollTemplate *e = g_new0 (RidgeEnrollTemplate, 1);
  g_autoptr (GBytes) native = NULL;
  g_autoptr (GBytes) iso = NULL;
  RidgeStoreTemplateData d = { 0 };
  GError *error = NULL;
  gint64 id;

  store_test_make_enroll (seed, 3, e);
  native = store_test_native (e);
  if (with_iso)
    iso = store_test_fmr (e, finger, RIDGE_FMR_FORMAT_ISO);
  g_free (e);
  d.user_external_id = user;
  d.display_name = name;
  d.finger = finger;
  d.native = native;
  d.iso_record = iso;
  d.samples = 3;
  d.quality = 40 + finger;
  id = ridge_store_put_template (store, &d, NULL, &error);
  g_assert_no_error (error);
  return id;
}

static JsonObject *
load_manifest (const char  *dir,
               JsonParser **parser)
{
  g_autofree char *path = g_build_filename (dir, RIDGE_BUNDLE_MANIFEST, NULL);
  GError *error = NULL;

  *parser = json_parser_new ();
  g_assert_true (json_parser_load_from_file (*parser, path, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (*parser));
}

static void
save_manifest (const char *dir,
               JsonParser *parser)
{
  g_autofree char *path = g_build_filename (dir, RIDGE_BUNDLE_MANIFEST, NULL);
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  GError *error = NULL;

  json_generator_set_root (gen, json_parser_get_root (parser));
  g_assert_true (json_generator_to_file (gen, path, &error));
  g_assert_no_error (error);
}

static void
test_roundtrip (gconstpointer data)
{
  RidgeBundleFormat format = GPOINTER_TO_INT (data);
  g_autofree char *tmp = g_dir_make_tmp ("ridge-bundle-XXXXXX", NULL);
  g_autofree char *src_path = g_build_filename (tmp, "src.db", NULL);
  g_autofree char *dst_path = g_build_filename (tmp, "dst.db", NULL);
  g_autofree char *bundle = g_build_filename (tmp, "bundle", NULL);
  g_autoptr (RidgeStore) src = NULL;
  g_autoptr (RidgeStore) dst = NULL;
  g_autoptr (GPtrArray) problems = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (JsonParser) parser = NULL;
  GError *error = NULL;
  JsonObject *m;
  JsonArray *entries;
  guint written = 0, imported = 0;

  src = ridge_store_new (src_path, &error);
  g_assert_no_error (error);
  put_native (src, "emp-1", "Ann", 1, 1, TRUE);
  put_native (src, "emp-1", "Ann", 6, 2, FALSE);   /* native only: ISO made at export */
  put_native (src, "emp-2", "Ben \"quoted\" ✓", 10, 3, TRUE);

  g_assert_true (ridge_bundle_export (src, NULL, 0, bundle, format, &written, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (written, ==, 3);
  g_assert_cmpuint (file_mode (bundle), ==, 0700);
  {
    g_autofree char *mp = g_build_filename (bundle, RIDGE_BUNDLE_MANIFEST, NULL);
    g_autofree char *f1 = g_build_filename (bundle, "0001-finger01.fmr", NULL);
    g_assert_cmpuint (file_mode (mp), ==, 0600);
    g_assert_cmpuint (file_mode (f1), ==, 0600);
  }
  m = load_manifest (bundle, &parser);
  g_assert_cmpstr (json_object_get_string_member (m, "format"), ==, "ridge-bundle");
  g_assert_cmpint (json_object_get_int_member (m, "version"), ==, 1);
  entries = json_object_get_array_member (m, "templates");
  g_assert_cmpuint (json_array_get_length (entries), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *o = json_array_get_object_element (entries, i);
      g_autofree char *p = g_build_filename (bundle, json_object_get_string_member (o, "file"),
                                             NULL);
      g_autofree char *bytes = NULL;
      gsize len;
      g_autofree char *sha = NULL;
      RidgeFmrVersion v;

      g_assert_true (g_file_get_contents (p, &bytes, &len, NULL));
      sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guint8 *)bytes, len);
      g_assert_cmpstr (sha, ==, json_object_get_string_member (o, "sha256"));
      v = ridge_fmr_detect ((guint8 *)bytes, len);
      g_assert_cmpint (v, ==, format == RIDGE_BUNDLE_FORMAT_ISO ? RIDGE_FMR_VERSION_ISO_2005
                                                                : RIDGE_FMR_VERSION_ANSI_2004);
    }
  g_clear_object (&parser);

  /* import into an empty store: same users, fingers, names, qualities */
  dst = ridge_store_new (dst_path, &error);
  g_assert_no_error (error);
  g_assert_true (ridge_bundle_import (dst, bundle, "op", &imported, &problems, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (imported, ==, 3);
  g_assert_cmpuint (problems->len, ==, 0);
  rows = ridge_store_list (dst, NULL, &error);
  g_assert_cmpuint (rows->len, ==, 3);
  {
    RidgeStoreRecord *r0 = rows->pdata[0];
    RidgeStoreRecord *r2 = rows->pdata[2];
    g_assert_cmpstr (r0->user_external_id, ==, "emp-1");
    g_assert_cmpstr (r0->display_name, ==, "Ann");
    g_assert_cmpuint (r0->finger, ==, 1);
    g_assert_cmpuint (r0->quality, ==, 41);
    g_assert_cmpuint (r0->samples, ==, 3);
    g_assert_true (r0->has_iso && r0->has_native);
    g_assert_cmpstr (r2->display_name, ==, "Ben \"quoted\" ✓");
    g_assert_cmpuint (r2->finger, ==, 10);
  }
  if (format == RIDGE_BUNDLE_FORMAT_ISO)
    {
      /* ISO export of a stored ISO record is byte-exact */
      g_autoptr (RidgeStoreTemplate) a = ridge_store_get_template (
        src, ridge_store_find_template_id (src, "emp-2", 10, NULL), NULL);
      g_autoptr (RidgeStoreTemplate) b = ridge_store_get_template (
        dst, ridge_store_find_template_id (dst, "emp-2", 10, NULL), NULL);
      g_assert_true (g_bytes_equal (a->iso_record, b->iso_record));
    }
  rm_rf (tmp);
}

static void
test_bad_files (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("ridge-bundle-XXXXXX", NULL);
  g_autofree char *src_path = g_build_filename (tmp, "src.db", NULL);
  g_autofree char *dst_path = g_build_filename (tmp, "dst.db", NULL);
  g_autofree char *bundle = g_build_filename (tmp, "bundle", NULL);
  g_autoptr (RidgeStore) src = NULL;
  g_autoptr (RidgeStore) dst = NULL;
  g_autoptr (GPtrArray) problems = NULL;
  g_autoptr (JsonParser) parser = NULL;
  GError *error = NULL;
  JsonArray *entries;
  guint imported = 0;

  src = ridge_store_new (src_path, &error);
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *user = g_strdup_printf ("u%u", i);
      put_native (src, user, user, 2, 100 + i, TRUE);
    }
  g_assert_true (ridge_bundle_export (src, NULL, 0, bundle, RIDGE_BUNDLE_FORMAT_ISO, NULL,
                                      &error));
  /* exporting into a non-empty folder is refused */
  g_assert_false (ridge_bundle_export (src, NULL, 0, bundle, RIDGE_BUNDLE_FORMAT_ISO, NULL,
                                       &error));
  g_assert_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_INVALID);
  g_clear_error (&error);

  entries = json_object_get_array_member (load_manifest (bundle, &parser), "templates");
  {
    /* 0001: one flipped byte → hash mismatch */
    g_autofree char *p = g_build_filename (bundle, "0001-finger02.fmr", NULL);
    g_autofree char *bytes = NULL;
    gsize len;
    g_assert_true (g_file_get_contents (p, &bytes, &len, NULL));
    bytes[len / 2] ^= 0x40;
    g_assert_true (g_file_set_contents (p, bytes, len, NULL));
  }
  {
    /* 0002: garbage whose hash matches the manifest → bad record */
    g_autofree char *p = g_build_filename (bundle, "0002-finger02.fmr", NULL);
    g_autofree char *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "FMR\0garbage", 11);
    g_assert_true (g_file_set_contents (p, "FMR\0garbage", 11, NULL));
    json_object_set_string_member (json_array_get_object_element (entries, 1), "sha256", sha);
  }
  /* 0003: a path outside the bundle */
  json_object_set_string_member (json_array_get_object_element (entries, 2), "file",
                                 "../src.db");
  /* 0004: missing file */
  {
    g_autofree char *p = g_build_filename (bundle, "0004-finger02.fmr", NULL);
    g_unlink (p);
  }
  /* 0005: finger the record does not hold */
  json_object_set_int_member (json_array_get_object_element (entries, 4), "finger", 9);
  /* 0006 stays good */
  save_manifest (bundle, parser);

  dst = ridge_store_new (dst_path, &error);
  g_assert_true (ridge_bundle_import (dst, bundle, NULL, &imported, &problems, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (imported, ==, 1);
  g_assert_cmpuint (problems->len, ==, 5);
  for (guint i = 0; i < problems->len; i++)
    g_test_message ("problem: %s", (char *)problems->pdata[i]);
  g_assert_true (g_str_has_prefix (problems->pdata[0], "0001-finger02.fmr: its SHA-256 differs"));
  g_assert_true (strstr (problems->pdata[1], "not a valid ISO/IEC 19794-2:2005 record"));
  g_assert_true (g_str_has_prefix (problems->pdata[2], "../src.db: "));
  g_assert_true (strstr (problems->pdata[3], "0004-finger02.fmr: cannot read it"));
  g_assert_true (strstr (problems->pdata[4], "no usable view of finger 9"));
  g_assert_cmpint (ridge_store_find_template_id (dst, "u5", 2, NULL), >, 0);
  g_assert_cmpint (ridge_store_count_rows (dst, "templates", NULL), ==, 1);

  /* a folder without a manifest, and a manifest that is not JSON */
  g_clear_pointer (&problems, g_ptr_array_unref);
  g_assert_false (ridge_bundle_import (dst, tmp, NULL, &imported, &problems, &error));
  g_assert_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_BAD_RECORD);
  g_test_message ("no manifest: %s", error->message);
  g_clear_error (&error);
  {
    g_autofree char *mp = g_build_filename (bundle, RIDGE_BUNDLE_MANIFEST, NULL);
    g_assert_true (g_file_set_contents (mp, "{\"format\": \"ridge-bundle\", ", -1, NULL));
    g_assert_false (ridge_bundle_import (dst, bundle, NULL, &imported, &problems, &error));
    g_assert_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_BAD_RECORD);
    g_test_message ("bad manifest: %s", error->message);
    g_clear_error (&error);
  }
  rm_rf (tmp);
}

static void
test_single_fmr (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("ridge-bundle-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (tmp, "s.db", NULL);
  g_autofree char *iso = g_build_filename (tmp, "one.fmr", NULL);
  g_autofree char *ansi = g_build_filename (tmp, "one-ansi.fmr", NULL);
  g_autofree char *junk = g_build_filename (tmp, "junk.fmr", NULL);
  g_autoptr (RidgeStore) store = NULL;
  GError *error = NULL;
  gint64 id, a, b;
  mode_t old = umask (0);

  store = ridge_store_new (db, &error);
  id = put_native (store, "x", "X", 4, 9, FALSE);
  g_assert_true (ridge_bundle_export_fmr (store, id, iso, RIDGE_BUNDLE_FORMAT_ISO, &error));
  g_assert_no_error (error);
  g_assert_true (ridge_bundle_export_fmr (store, id, ansi, RIDGE_BUNDLE_FORMAT_ANSI, &error));
  umask (old);
  g_assert_cmpuint (file_mode (iso), ==, 0600);
  g_assert_cmpuint (file_mode (ansi), ==, 0600);

  a = ridge_bundle_import_fmr (store, iso, "y", "Y", -1, "op", &error);
  g_assert_no_error (error);
  b = ridge_bundle_import_fmr (store, ansi, "z", "Z", -1, "op", &error);
  g_assert_no_error (error);
  g_assert_cmpint (ridge_store_find_template_id (store, "y", 4, NULL), ==, a);
  g_assert_cmpint (ridge_store_find_template_id (store, "z", 4, NULL), ==, b);

  g_assert_true (g_file_set_contents (junk, "not a record", -1, NULL));
  g_assert_cmpint (ridge_bundle_import_fmr (store, junk, "w", NULL, -1, NULL, &error), ==, 0);
  g_assert_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_BAD_RECORD);
  g_test_message ("junk: %s", error->message);
  g_clear_error (&error);
  g_assert_cmpint (ridge_store_count_rows (store, "templates", NULL), ==, 3);
  rm_rf (tmp);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/store/bundle/roundtrip-iso", GINT_TO_POINTER (RIDGE_BUNDLE_FORMAT_ISO),
                        test_roundtrip);
  g_test_add_data_func ("/store/bundle/roundtrip-ansi",
                        GINT_TO_POINTER (RIDGE_BUNDLE_FORMAT_ANSI), test_roundtrip);
  g_test_add_func ("/store/bundle/bad-files", test_bad_files);
  g_test_add_func ("/store/bundle/single-fmr", test_single_fmr);
  return g_test_run ();
}
