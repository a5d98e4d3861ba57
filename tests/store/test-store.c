/* test-store.c — RidgeStore: schema, migrations, modes, CRUD, queries, errors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ridge-store-private.h"
#include "ridge-store.h"
#include "store-test-util.h"

static char *
make_tmpdir (void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp ("ridge-store-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
rm_rf (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      if (g_file_test (p, G_FILE_TEST_IS_DIR))
        rm_rf (p);
      else
        g_unlink (p);
    }
  g_rmdir (dir);
}

static guint
file_mode (const char *path)
{
  struct stat st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

static gint64
put (RidgeStore *store,
     const char *user,
     const char *name,
     guint       finger,
     guint32     seed,
     GError    **error)
{
  RidgeEnrollTemplate *e = g_new0 (RidgeEnrollTemplate, 1);
  g_autoptr (GBytes) native = NULL;
  g_autoptr (GBytes) iso = NULL;
  RidgeStoreTemplateData d = { 0 };
  RidgeStoreProvenance prov = { "T-TEST", "alice", "enroll" };
  gint64 id;

  store_test_make_enroll (seed, 3, e);
  native = store_test_native (e);
  iso = store_test_fmr (e, finger, RIDGE_FMR_FORMAT_ISO);
  d.user_external_id = user;
  d.display_name = name;
  d.finger = finger;
  d.native = native;
  d.iso_record = iso;
  d.samples = 3;
  d.quality = 77;
  id = ridge_store_put_template (store, &d, &prov, error);
  g_free (e);
  return id;
}

static gboolean
table_exists (RidgeStore *store,
              const char *name)
{
  g_autofree char *sql = g_strdup_printf ("SELECT 1 FROM sqlite_master WHERE name = '%s'", name);
  sqlite3_stmt *stmt = ridge_store_prepare (store, sql, NULL);
  int rc = sqlite3_step (stmt);

  sqlite3_finalize (stmt);
  return rc == SQLITE_ROW;
}

static void
test_migrations (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  GError *error = NULL;
  RidgeStore *store;

  store = ridge_store_new_at_version (path, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ridge_store_get_schema_version (store), ==, 0);
  g_assert_false (table_exists (store, "users"));
  g_object_unref (store);

  store = ridge_store_new_at_version (path, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ridge_store_get_schema_version (store), ==, 1);
  g_assert_true (table_exists (store, "templates"));
  g_assert_false (table_exists (store, "sync_state"));
  /* data written at version 1 survives the next migration */
  g_assert_cmpint (ridge_store_ensure_user (store, "u1", "One", &error), >, 0);
  g_assert_no_error (error);
  g_object_unref (store);

  store = ridge_store_new (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ridge_store_get_schema_version (store), ==, RIDGE_STORE_SCHEMA_VERSION);
  g_assert_true (table_exists (store, "sync_state"));
  g_assert_true (table_exists (store, "outbox"));
  g_assert_cmpint (ridge_store_find_user_id (store, "u1", &error), >, 0);
  g_assert_true (ridge_store_check_integrity (store, &error));
  g_assert_no_error (error);

  /* a newer schema than ours is refused, not downgraded */
  g_assert_true (ridge_store_exec (store, "PRAGMA user_version = 99", &error));
  g_object_unref (store);
  store = ridge_store_new (path, &error);
  g_assert_null (store);
  g_assert_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_TOO_NEW);
  g_test_message ("too new: %s", error->message);
  g_clear_error (&error);
  rm_rf (dir);
}

static void
test_modes (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  GError *error = NULL;
  RidgeStore *store;
  mode_t old = umask (0);    /* the most permissive umask: the store must still be private */

  store = ridge_store_new (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (put (store, "u1", "One", 2, 1, &error), >, 0);
  g_assert_no_error (error);
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (shm, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (file_mode (path), ==, 0600);
  g_assert_cmpuint (file_mode (wal), ==, 0600);
  g_assert_cmpuint (file_mode (shm), ==, 0600);
  g_object_unref (store);

  /* an existing, too open file is tightened on open */
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  store = ridge_store_new (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (file_mode (path), ==, 0600);
  g_object_unref (store);
  umask (old);
  rm_rf (dir);
}

static void
test_crud (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  GError *error = NULL;
  g_autoptr (RidgeStore) store = ridge_store_new (path, &error);
  g_autoptr (RidgeStoreTemplate) t = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_auto (GStrv) prov = NULL;
  RidgeStoreQuery q = { 0 };
  RidgeStoreSync sync = { 0 };
  gint64 a, b, c, a2, item, item2;

  g_assert_no_error (error);
  a = put (store, "emp-001", "Zoe Adams", 2, 10, &error);
  g_assert_no_error (error);
  b = put (store, "emp-001", NULL, 7, 11, &error);
  g_assert_no_error (error);
  c = put (store, "emp-100", "Bob 100%_", 1, 12, &error);
  g_assert_no_error (error);
  g_assert_cmpint (a, >, 0);
  g_assert_cmpint (b, >, a);
  g_assert_cmpint (c, >, b);
  g_assert_cmpint (ridge_store_count_rows (store, "users", NULL), ==, 2);
  g_assert_cmpint (ridge_store_count_rows (store, "fingers", NULL), ==, 3);

  t = ridge_store_get_template (store, a, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (t->record->display_name, ==, "Zoe Adams");
  g_assert_cmpuint (t->record->finger, ==, 2);
  g_assert_cmpint (t->record->version, ==, 1);
  g_assert_true (t->record->has_iso && t->record->has_native);
  g_assert_true (ridge_store_validate_iso (t->iso_record, NULL));
  g_assert_true (ridge_store_validate_native (t->native, NULL));
  g_clear_pointer (&t, ridge_store_template_free);

  /* replacing a finger's template bumps its version and keeps its id */
  g_assert_true (ridge_store_set_sync (store, a, "T-1",
                                       &(RidgeStoreSync) { RIDGE_SYNC_SYNCED, 5, 1000, 1, 0,
                                                           NULL }, &error));
  a2 = put (store, "emp-001", NULL, 2, 13, &error);
  g_assert_no_error (error);
  g_assert_cmpint (a2, ==, a);
  t = ridge_store_get_template (store, a, &error);
  g_assert_cmpint (t->record->version, ==, 2);
  g_assert_cmpstr (t->record->locations, ==, "T-1=pending");
  g_assert_true (ridge_store_get_sync (store, a, "T-1", &sync, &error));
  g_assert_cmpint (sync.state, ==, RIDGE_SYNC_PENDING);
  g_assert_cmpint (sync.remote_id, ==, 5);
  ridge_store_sync_clear (&sync);
  g_assert_cmpint (ridge_store_find_by_remote (store, "T-1", 5, &error), ==, a);
  prov = ridge_store_get_provenance (store, a, &error);
  g_assert_cmpuint (g_strv_length (prov), ==, 2);
  g_assert_true (g_str_has_suffix (prov[0], "|T-TEST|alice|enroll"));

  /* list and search (LIKE wildcards in the text are literal) */
  rows = ridge_store_list (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 3);
  g_assert_cmpstr (((RidgeStoreRecord *)rows->pdata[0])->display_name, ==, "Bob 100%_");
  g_clear_pointer (&rows, g_ptr_array_unref);
  q.text = "100%_";
  rows = ridge_store_list (store, &q, &error);
  g_assert_cmpuint (rows->len, ==, 1);
  g_clear_pointer (&rows, g_ptr_array_unref);
  q.text = "0%";
  rows = ridge_store_list (store, &q, &error);
  g_assert_cmpuint (rows->len, ==, 1);
  g_clear_pointer (&rows, g_ptr_array_unref);
  q.text = "emp-001";
  q.has_finger = TRUE;
  q.finger = 7;
  rows = ridge_store_list (store, &q, &error);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpint (((RidgeStoreRecord *)rows->pdata[0])->template_id, ==, b);
  g_clear_pointer (&rows, g_ptr_array_unref);
  memset (&q, 0, sizeof q);
  q.has_state = TRUE;
  q.destination = "T-1";
  q.state = RIDGE_SYNC_PENDING;
  rows = ridge_store_list (store, &q, &error);
  g_assert_cmpuint (rows->len, ==, 3);   /* never synced counts as pending */
  g_clear_pointer (&rows, g_ptr_array_unref);
  q.state = RIDGE_SYNC_SYNCED;
  rows = ridge_store_list (store, &q, &error);
  g_assert_cmpuint (rows->len, ==, 0);
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* outbox: one item per template version, idempotent */
  item = ridge_store_outbox_enqueue (store, a, "server-main", &error);
  g_assert_no_error (error);
  item2 = ridge_store_outbox_enqueue (store, a, "server-main", &error);
  g_assert_cmpint (item, ==, item2);
  rows = ridge_store_outbox_due (store, ridge_store_now_ms () + 1, 10, &error);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpstr (((RidgeStoreOutboxItem *)rows->pdata[0])->idempotency_key, ==,
                   g_strdup_printf ("%s:%" G_GINT64_FORMAT ":2", ridge_store_get_uuid (store), a));
  g_clear_pointer (&rows, g_ptr_array_unref);
  g_assert_true (ridge_store_outbox_mark (store, item, FALSE, "HTTP 503",
                                          ridge_store_now_ms () + 60000, &error));
  rows = ridge_store_outbox_due (store, ridge_store_now_ms (), 10, &error);
  g_assert_cmpuint (rows->len, ==, 0);
  g_clear_pointer (&rows, g_ptr_array_unref);
  g_assert_true (ridge_store_outbox_mark (store, item, TRUE, NULL, 0, &error));

  /* a transaction rolled back leaves nothing */
  g_assert_true (ridge_store_begin (store, &error));
  g_assert_cmpint (put (store, "emp-200", "Temp", 3, 14, &error), >, 0);
  ridge_store_rollback (store);
  g_assert_cmpint (ridge_store_find_user_id (store, "emp-200", &error), ==, 0);
  g_assert_no_error (error);

  /* removal cascades */
  g_assert_true (ridge_store_remove_template (store, b, &error));
  g_assert_false (ridge_store_remove_template (store, b, &error));
  g_assert_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (ridge_store_remove_user (store, ridge_store_find_user_id (store, "emp-001",
                                                                           NULL), &error));
  g_assert_cmpint (ridge_store_count_rows (store, "templates", NULL), ==, 1);
  g_assert_cmpint (ridge_store_count_rows (store, "sync_state", NULL), ==, 0);
  g_assert_cmpint (ridge_store_count_rows (store, "outbox", NULL), ==, 0);
  g_assert_cmpint (ridge_store_count_rows (store, "provenance", NULL), ==, 1);
  g_assert_true (ridge_store_check_integrity (store, &error));
  rm_rf (dir);
}

static void
test_bad_input (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  GError *error = NULL;
  g_autoptr (RidgeStore) store = ridge_store_new (path, &error);
  g_autoptr (GBytes) garbage = g_bytes_new_static ("FMR\0 20\0garbage", 15);
  RidgeStoreTemplateData d = { 0 };
  guint8 px[4] = { 1, 2, 3, 4 };
  g_autoptr (GBytes) pixels = g_bytes_new (px, 4);
  RidgeStoreImage im = { 3, 3, pixels };   /* 9 pixels claimed, 4 given */
  RidgeEnrollTemplate *e = g_new0 (RidgeEnrollTemplate, 1);
  g_autoptr (GBytes) native = NULL;

  store_test_make_enroll (1, 1, e);
  native = store_test_native (e);
  g_free (e);

  d.user_external_id = "u";
  d.iso_record = garbage;
  g_assert_cmpint (ridge_store_put_template (store, &d, NULL, &error), ==, 0);
  g_assert_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_BAD_RECORD);
  g_test_message ("garbage ISO: %s", error->message);
  g_clear_error (&error);

  d.iso_record = NULL;
  d.native = garbage;
  g_assert_cmpint (ridge_store_put_template (store, &d, NULL, &error), ==, 0);
  g_assert_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_BAD_RECORD);
  g_clear_error (&error);

  d.native = native;
  d.finger = 11;
  g_assert_cmpint (ridge_store_put_template (store, &d, NULL, &error), ==, 0);
  g_assert_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_INVALID);
  g_clear_error (&error);

  d.finger = 1;
  d.images = &im;
  d.n_images = 1;
  g_assert_cmpint (ridge_store_put_template (store, &d, NULL, &error), ==, 0);
  g_assert_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_INVALID);
  g_clear_error (&error);

  d.user_external_id = "";
  d.images = NULL;
  g_assert_cmpint (ridge_store_put_template (store, &d, NULL, &error), ==, 0);
  g_assert_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* images are kept, in order */
  im.width = 2;
  im.height = 2;
  d.user_external_id = "u";
  d.images = &im;
  d.n_images = 1;
  {
    gint64 id = ridge_store_put_template (store, &d, NULL, &error);
    g_autoptr (RidgeStoreTemplate) t = NULL;
    g_assert_no_error (error);
    t = ridge_store_get_template (store, id, &error);
    g_assert_cmpuint (t->images->len, ==, 1);
    g_assert_cmpuint (t->record->n_images, ==, 1);
    g_assert_true (g_bytes_equal (((RidgeStoreImage *)t->images->pdata[0])->pixels, pixels));
  }
  g_assert_cmpint (ridge_store_count_rows (store, "templates", NULL), ==, 1);
  rm_rf (dir);
}

static void
test_corrupt (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "garbage.db", NULL);
  g_autofree char *other = g_build_filename (dir, "other.db", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize before_len, after_len;
  GError *error = NULL;
  RidgeStore *store;
  char junk[8192];
  sqlite3 *db;

  for (guint i = 0; i < sizeof junk; i++)
    junk[i] = (char)(i * 7 + 3);
  g_assert_true (g_file_set_contents (path, junk, sizeof junk, NULL));
  g_file_get_contents (path, &before, &before_len, NULL);
  store = ridge_store_new (path, &error);
  g_assert_null (store);
  g_assert_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_CORRUPT);
  g_test_message ("garbage: %s", error->message);
  g_clear_error (&error);
  g_file_get_contents (path, &after, &after_len, NULL);
  g_assert_cmpmem (before, before_len, after, after_len);   /* nothing lost */

  /* an SQLite database that is not a Ridge store */
  g_assert_cmpint (sqlite3_open (other, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE mine (x); INSERT INTO mine VALUES (42)",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  store = ridge_store_new (other, &error);
  g_assert_null (store);
  g_assert_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_CORRUPT);
  g_test_message ("foreign db: %s", error->message);
  g_clear_error (&error);
  g_assert_cmpint (sqlite3_open (other, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "SELECT x FROM mine", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  /* a Ridge store damaged in the middle (page 3 overwritten): a clear CORRUPT error at open,
   * at the integrity check or at the first read of the damaged rows, never a crash */
  {
    g_autofree char *damaged = g_build_filename (dir, "damaged.db", NULL);
    g_autofree char *bytes = NULL;
    gsize len;
    gboolean reported = FALSE;

    store = ridge_store_new (damaged, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < 20; i++)
      {
        g_autofree char *user = g_strdup_printf ("d%u", i);
        g_assert_cmpint (put (store, user, user, 1 + i % 10, 50 + i, &error), >, 0);
      }
    g_object_unref (store);   /* the last connection checkpoints the WAL into the file */
    g_assert_true (g_file_get_contents (damaged, &bytes, &len, NULL));
    g_assert_cmpuint (len, >=, 4 * 4096);
    for (guint i = 0; i < 4096; i++)
      bytes[2 * 4096 + i] = (char)(0xA5 ^ i);
    g_assert_true (g_file_set_contents (damaged, bytes, len, NULL));

    store = ridge_store_new (damaged, &error);
    if (store == NULL)
      reported = TRUE;
    else if (!ridge_store_check_integrity (store, &error))
      reported = TRUE;
    g_assert_true (reported);
    g_assert_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_CORRUPT);
    g_test_message ("damaged: %s", error->message);
    g_clear_error (&error);
    g_clear_object (&store);
  }
  rm_rf (dir);
}

static void
test_read_only (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *ro = g_build_filename (dir, "ro", NULL);
  g_autofree char *path = g_build_filename (ro, "store.db", NULL);
  g_autofree char *file = g_build_filename (dir, "file", NULL);
  g_autofree char *under_file = g_build_filename (file, "store.db", NULL);
  GError *error = NULL;
  RidgeStore *store;

  /* a path whose folder is a file */
  g_assert_true (g_file_set_contents (file, "x", 1, NULL));
  store = ridge_store_new (under_file, &error);
  g_assert_null (store);
  g_assert_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_IO);
  g_test_message ("not a folder: %s", error->message);
  g_clear_error (&error);

  g_assert_cmpint (g_mkdir (ro, 0500), ==, 0);
  if (geteuid () == 0)
    {
      /* root writes into a 0500 folder anyway: use a read-only file system instead */
      store = ridge_store_new ("/proc/ridge-store-test.db", &error);
      g_assert_null (store);
      g_assert_nonnull (error);
      g_assert_true (error->domain == RIDGE_STORE_ERROR);
      g_test_message ("read-only (as root, /proc): %s", error->message);
      g_clear_error (&error);
    }
  else
    {
      store = ridge_store_new (path, &error);
      g_assert_null (store);
      g_assert_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_READ_ONLY);
      g_test_message ("read-only folder: %s", error->message);
      g_clear_error (&error);
    }
  g_chmod (ro, 0700);
  rm_rf (dir);
}

static void
test_full (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  GError *error = NULL;
  g_autoptr (RidgeStore) store = ridge_store_new (path, &error);
  guint8 *big = g_malloc0 (200 * 200);
  g_autoptr (GBytes) pixels = g_bytes_new_take (big, 200 * 200);
  RidgeStoreImage images[8];
  RidgeEnrollTemplate *e = g_new0 (RidgeEnrollTemplate, 1);
  g_autoptr (GBytes) native = NULL;
  RidgeStoreTemplateData d = { 0 };
  gint64 a, pages;

  g_assert_no_error (error);
  a = put (store, "keep", "Kept", 1, 1, &error);
  g_assert_no_error (error);
  /* simulate a full disk: the database may not grow beyond its current size + a little */
  pages = ridge_store_count_rows (store, "users", NULL);
  g_assert_cmpint (pages, ==, 1);
  g_assert_true (ridge_store_exec (store, "PRAGMA max_page_count = 40", &error));

  store_test_make_enroll (2, 2, e);
  native = store_test_native (e);
  g_free (e);
  for (guint i = 0; i < G_N_ELEMENTS (images); i++)
    images[i] = (RidgeStoreImage) { 200, 200, pixels }
  ;
  d.user_external_id = "big";
  d.display_name = "Too big";
  d.finger = 3;
  d.native = native;
  d.images = images;
  d.n_images = G_N_ELEMENTS (images);
  g_assert_cmpint (ridge_store_put_template (store, &d, NULL, &error), ==, 0);
  g_assert_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_FULL);
  g_test_message ("full: %s", error->message);
  g_clear_error (&error);

  /* nothing half-written, nothing lost */
  g_assert_cmpint (ridge_store_find_user_id (store, "big", &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (ridge_store_find_template_id (store, "keep", 1, &error), ==, a);
  g_assert_true (ridge_store_check_integrity (store, &error));
  g_assert_no_error (error);
  rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/migrations", test_migrations);
  g_test_add_func ("/store/modes", test_modes);
  g_test_add_func ("/store/crud", test_crud);
  g_test_add_func ("/store/bad-input", test_bad_input);
  g_test_add_func ("/store/corrupt", test_corrupt);
  g_test_add_func ("/store/read-only", test_read_only);
  g_test_add_func ("/store/full", test_full);
  return g_test_run ();
}
