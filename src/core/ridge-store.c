/* ridge-store.c — the local enrollment store (SQLite)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-store"

#include "config.h"

#include "ridge-store.h"
#include "ridge-store-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/ridge-engine.h"
#include "engine/ridge-fmr.h"

struct _RidgeStore {
  GObject  parent_instance;
  char    *path;
  sqlite3 *db;
  int      schema_version;
  guint    tx_depth;
};

G_DEFINE_FINAL_TYPE (RidgeStore, ridge_store, G_TYPE_OBJECT);

G_DEFINE_QUARK (ridge - store - error - quark, ridge_store_error)

G_DEFINE_BOXED_TYPE (RidgeStoreRecord, ridge_store_record, ridge_store_record_copy,
                     ridge_store_record_free);

/* ---- Errors ------------------------------------------------------------------------- */

static RidgeStoreErrorCode
code_for_sqlite (int rc)
{
  switch (rc & 0xff)
    {
      case SQLITE_CORRUPT:
      case SQLITE_NOTADB:
        return RIDGE_STORE_ERROR_CORRUPT;
      case SQLITE_FULL:
        return RIDGE_STORE_ERROR_FULL;
      case SQLITE_READONLY:
      case SQLITE_PERM:
      case SQLITE_AUTH:
        return RIDGE_STORE_ERROR_READ_ONLY;
      case SQLITE_CANTOPEN:
      case SQLITE_IOERR:
        return RIDGE_STORE_ERROR_IO;
      case SQLITE_BUSY:
      case SQLITE_LOCKED:
        return RIDGE_STORE_ERROR_BUSY;
      case SQLITE_CONSTRAINT:
      case SQLITE_MISMATCH:
      case SQLITE_TOOBIG:
      case SQLITE_RANGE:
        return RIDGE_STORE_ERROR_INVALID;
      default:
        return RIDGE_STORE_ERROR_FAILED;
    }
}

static const char *
sentence_for_code (RidgeStoreErrorCode code)
{
  switch (code)
    {
      case RIDGE_STORE_ERROR_IO:
        return "The enrollment store could not be read or written";
      case RIDGE_STORE_ERROR_READ_ONLY:
        return "The enrollment store cannot be written (read-only file or folder)";
      case RIDGE_STORE_ERROR_FULL:
        return "The disk holding the enrollment store is full; nothing was changed";
      case RIDGE_STORE_ERROR_CORRUPT:
        return "The file is not a Ridge enrollment store or is damaged; it was left untouched";
      case RIDGE_STORE_ERROR_BUSY:
        return "The enrollment store is busy with another writer";
      case RIDGE_STORE_ERROR_INVALID:
        return "A value is out of range";
      default:
        return "The enrollment store failed";
    }
}

void
ridge_store_set_sqlite_error (RidgeStore *self,
                              GError    **error,
                              int         rc,
                              const char *what)
{
  RidgeStoreErrorCode code = code_for_sqlite (rc);
  const char *detail = self && self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);

  g_set_error (error, RIDGE_STORE_ERROR, code, "%s (%s: %s)", sentence_for_code (code), what,
               detail);
}

/* ---- Small helpers ------------------------------------------------------------------ */

gint64
ridge_store_now_ms (void)
{
  return g_get_real_time () / 1000;
}

sqlite3 *
ridge_store_get_db (RidgeStore *self)
{
  return self->db;
}

sqlite3_stmt *
ridge_store_prepare (RidgeStore *self,
                     const char *sql,
                     GError    **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      ridge_store_set_sqlite_error (self, error, rc, "prepare");
      sqlite3_finalize (stmt);
      return NULL;
    }
  return stmt;
}

gboolean
ridge_store_exec (RidgeStore *self,
                  const char *sql,
                  GError    **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      ridge_store_set_sqlite_error (self, error, rc, "exec");
      return FALSE;
    }
  return TRUE;
}

/* Runs a prepared statement that returns no row; finalizes it. */
gboolean
ridge_store_step_done (RidgeStore   *self,
                       sqlite3_stmt *stmt,
                       GError      **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      ridge_store_set_sqlite_error (self, error, rc, "write");
      sqlite3_finalize (stmt);
      return FALSE;
    }
  sqlite3_finalize (stmt);
  return TRUE;
}

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           i,
                   const char   *s)
{
  if (s)
    sqlite3_bind_text (stmt, i, s, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, i);
}

static void
bind_bytes_or_null (sqlite3_stmt *stmt,
                    int           i,
                    GBytes       *b)
{
  if (b)
    {
      gsize len;
      const void *p = g_bytes_get_data (b, &len);
      sqlite3_bind_blob64 (stmt, i, p ? p : "", len, SQLITE_TRANSIENT);
    }
  else
    sqlite3_bind_null (stmt, i);
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           i)
{
  const unsigned char *s = sqlite3_column_text (stmt, i);

  return s ? g_strdup ((const char *)s) : NULL;
}

static GBytes *
column_bytes (sqlite3_stmt *stmt,
              int           i)
{
  const void *p;
  int n;

  if (sqlite3_column_type (stmt, i) == SQLITE_NULL)
    return NULL;
  p = sqlite3_column_blob (stmt, i);
  n = sqlite3_column_bytes (stmt, i);
  return g_bytes_new (p, n);
}

/* ---- Boxed and plain types ---------------------------------------------------------- */

const char *
ridge_sync_state_to_string (RidgeSyncState state)
{
  switch (state)
    {
      case RIDGE_SYNC_PENDING: return "pending";
      case RIDGE_SYNC_SYNCED: return "synced";
      case RIDGE_SYNC_CONFLICT: return "conflict";
      case RIDGE_SYNC_DELETED: return "deleted";
      default: return "unknown";
    }
}

gboolean
ridge_sync_state_from_string (const char     *s,
                              RidgeSyncState *out)
{
  static const char *const names[] = { "pending", "synced", "conflict", "deleted" };

  for (guint i = 0; s && i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (s, names[i]))
      {
        *out = (RidgeSyncState)i;
        return TRUE;
      }
  return FALSE;
}

void
ridge_store_image_clear (RidgeStoreImage *image)
{
  g_clear_pointer (&image->pixels, g_bytes_unref);
}

static void
image_free (gpointer p)
{
  RidgeStoreImage *image = p;

  ridge_store_image_clear (image);
  g_free (image);
}

RidgeStoreRecord *
ridge_store_record_copy (const RidgeStoreRecord *rec)
{
  RidgeStoreRecord *copy = g_new (RidgeStoreRecord, 1);

  *copy = *rec;
  copy->user_external_id = g_strdup (rec->user_external_id);
  copy->display_name = g_strdup (rec->display_name);
  copy->locations = g_strdup (rec->locations);
  return copy;
}

void
ridge_store_record_free (RidgeStoreRecord *rec)
{
  if (rec == NULL)
    return;
  g_free (rec->user_external_id);
  g_free (rec->display_name);
  g_free (rec->locations);
  g_free (rec);
}

void
ridge_store_sync_clear (RidgeStoreSync *sync)
{
  g_clear_pointer (&sync->last_error, g_free);
}

void
ridge_store_template_free (RidgeStoreTemplate *t)
{
  if (t == NULL)
    return;
  ridge_store_record_free (t->record);
  g_clear_pointer (&t->iso_record, g_bytes_unref);
  g_clear_pointer (&t->native, g_bytes_unref);
  g_clear_pointer (&t->images, g_ptr_array_unref);
  g_free (t);
}

void
ridge_store_outbox_item_free (RidgeStoreOutboxItem *item)
{
  if (item == NULL)
    return;
  g_free (item->destination);
  g_free (item->idempotency_key);
  g_free (item->state);
  g_free (item->last_error);
  g_free (item->remote_id);
  g_free (item);
}

/* ---- Schema and migrations ---------------------------------------------------------- */

/* Step i migrates from version i to i + 1. Never edit a released step: append one. */
static const char *const migrations[RIDGE_STORE_SCHEMA_VERSION] = {
  /* 0 → 1: people, fingers, templates, images, provenance */
  "CREATE TABLE users ("
  "  id INTEGER PRIMARY KEY,"
  "  external_id TEXT NOT NULL UNIQUE CHECK (length(external_id) BETWEEN 1 AND 255),"
  "  display_name TEXT NOT NULL DEFAULT '',"
  "  created_ms INTEGER NOT NULL,"
  "  updated_ms INTEGER NOT NULL);"
  "CREATE TABLE fingers ("
  "  id INTEGER PRIMARY KEY,"
  "  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
  "  position INTEGER NOT NULL CHECK (position BETWEEN 0 AND 10),"
  "  UNIQUE (user_id, position));"
  "CREATE TABLE templates ("
  "  id INTEGER PRIMARY KEY,"
  "  finger_id INTEGER NOT NULL UNIQUE REFERENCES fingers (id) ON DELETE CASCADE,"
  "  version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),"
  "  iso_record BLOB,"
  "  native BLOB,"
  "  samples INTEGER NOT NULL DEFAULT 0 CHECK (samples BETWEEN 0 AND 255),"
  "  quality INTEGER NOT NULL DEFAULT 0 CHECK (quality BETWEEN 0 AND 100),"
  "  created_ms INTEGER NOT NULL,"
  "  updated_ms INTEGER NOT NULL,"
  "  CHECK (iso_record IS NOT NULL OR native IS NOT NULL));"
  "CREATE TABLE sample_images ("
  "  id INTEGER PRIMARY KEY,"
  "  template_id INTEGER NOT NULL REFERENCES templates (id) ON DELETE CASCADE,"
  "  idx INTEGER NOT NULL CHECK (idx >= 0),"
  "  width INTEGER NOT NULL CHECK (width BETWEEN 1 AND 65535),"
  "  height INTEGER NOT NULL CHECK (height BETWEEN 1 AND 65535),"
  "  pixels BLOB NOT NULL CHECK (length (pixels) = width * height),"
  "  UNIQUE (template_id, idx));"
  "CREATE TABLE provenance ("
  "  id INTEGER PRIMARY KEY,"
  "  template_id INTEGER NOT NULL REFERENCES templates (id) ON DELETE CASCADE,"
  "  template_version INTEGER NOT NULL,"
  "  time_ms INTEGER NOT NULL,"
  "  terminal_serial TEXT,"
  "  operator TEXT,"
  "  action TEXT NOT NULL);"
  "CREATE INDEX provenance_template ON provenance (template_id);",

  /* 1 → 2: sync state per destination and the export outbox */
  "CREATE TABLE sync_state ("
  "  template_id INTEGER NOT NULL REFERENCES templates (id) ON DELETE CASCADE,"
  "  destination TEXT NOT NULL CHECK (length(destination) BETWEEN 1 AND 255),"
  "  state TEXT NOT NULL CHECK (state IN ('pending', 'synced', 'conflict', 'deleted')),"
  "  remote_id INTEGER NOT NULL DEFAULT 0,"
  "  remote_version INTEGER NOT NULL DEFAULT 0,"
  "  synced_version INTEGER NOT NULL DEFAULT 0,"
  "  last_attempt_ms INTEGER NOT NULL DEFAULT 0,"
  "  last_error TEXT,"
  "  PRIMARY KEY (template_id, destination));"
  "CREATE INDEX sync_state_remote ON sync_state (destination, remote_id);"
  "CREATE TABLE outbox ("
  "  id INTEGER PRIMARY KEY,"
  "  template_id INTEGER NOT NULL REFERENCES templates (id) ON DELETE CASCADE,"
  "  template_version INTEGER NOT NULL,"
  "  destination TEXT NOT NULL,"
  "  idempotency_key TEXT NOT NULL UNIQUE,"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  next_attempt_ms INTEGER NOT NULL,"
  "  state TEXT NOT NULL DEFAULT 'queued'"
  "    CHECK (state IN ('queued', 'sending', 'done', 'failed')),"
  "  last_error TEXT,"
  "  created_ms INTEGER NOT NULL);"
  "CREATE INDEX outbox_due ON outbox (state, next_attempt_ms);",

  /* 2 → 3: a store UUID for globally unique idempotency keys, final outbox states with the
   * server's answer, keys unique per destination, the last export run per destination */
  "CREATE TABLE store_meta ("
  "  key TEXT PRIMARY KEY,"
  "  value TEXT NOT NULL);"
  "INSERT INTO store_meta (key, value) "
  "  SELECT 'uuid', substr (h, 1, 8) || '-' || substr (h, 9, 4) || '-4' || substr (h, 14, 3)"
  "    || '-' || substr ('89ab', 1 + (unicode (substr (h, 17, 1)) % 4), 1) || substr (h, 18, 3)"
  "    || '-' || substr (h, 21, 12)"
  "  FROM (SELECT lower (hex (randomblob (16))) AS h);"
  "CREATE TABLE outbox_v3 ("
  "  id INTEGER PRIMARY KEY,"
  "  template_id INTEGER NOT NULL REFERENCES templates (id) ON DELETE CASCADE,"
  "  template_version INTEGER NOT NULL,"
  "  destination TEXT NOT NULL CHECK (length(destination) BETWEEN 1 AND 255),"
  "  idempotency_key TEXT NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  next_attempt_ms INTEGER NOT NULL,"
  "  state TEXT NOT NULL DEFAULT 'queued'"
  "    CHECK (state IN ('queued', 'done', 'duplicate', 'rejected', 'conflict', 'superseded',"
  "                     'failed')),"
  "  last_error TEXT,"
  "  remote_id TEXT,"
  "  created_ms INTEGER NOT NULL,"
  "  finished_ms INTEGER NOT NULL DEFAULT 0,"
  "  UNIQUE (destination, idempotency_key));"
  "INSERT INTO outbox_v3 (id, template_id, template_version, destination, idempotency_key,"
  "                       attempts, next_attempt_ms, state, last_error, created_ms)"
  "  SELECT id, template_id, template_version, destination,"
  "    (SELECT value FROM store_meta WHERE key = 'uuid') || ':' || template_id || ':'"
  "      || template_version,"
  "    attempts, next_attempt_ms, CASE state WHEN 'sending' THEN 'queued' ELSE state END,"
  "    last_error, created_ms FROM outbox;"
  "DROP TABLE outbox;"
  "ALTER TABLE outbox_v3 RENAME TO outbox;"
  "CREATE INDEX outbox_queue ON outbox (destination, state, id);"
  "CREATE INDEX outbox_template ON outbox (template_id);"
  "CREATE TABLE export_runs ("
  "  destination TEXT PRIMARY KEY CHECK (length(destination) BETWEEN 1 AND 255),"
  "  last_run_ms INTEGER NOT NULL DEFAULT 0,"
  "  last_finished_ms INTEGER NOT NULL DEFAULT 0,"
  "  last_success_ms INTEGER NOT NULL DEFAULT 0,"
  "  last_error TEXT);",
};

static int
read_user_version (RidgeStore *self,
                   GError    **error)
{
  sqlite3_stmt *stmt = ridge_store_prepare (self, "PRAGMA user_version", error);
  int rc, v;

  if (stmt == NULL)
    return -1;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      ridge_store_set_sqlite_error (self, error, rc, "schema version");
      sqlite3_finalize (stmt);
      return -1;
    }
  v = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return v;
}

static gboolean
migrate (RidgeStore *self,
         int         target,
         GError    **error)
{
  int version;

  if (!ridge_store_exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  version = read_user_version (self, error);
  if (version < 0)
    goto fail;
  if (version > RIDGE_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_TOO_NEW,
                   "The enrollment store has schema version %d; this program knows up to %d "
                   "(update Ridge)", version, RIDGE_STORE_SCHEMA_VERSION);
      goto fail;
    }
  if (version == 0)
    {
      /* A version-0 file must be empty: anything else is not ours. */
      sqlite3_stmt *stmt = ridge_store_prepare (self, "SELECT count(*) FROM sqlite_master",
                                                error);
      int rc;
      if (stmt == NULL)
        goto fail;
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_ROW)
        {
          ridge_store_set_sqlite_error (self, error, rc, "schema");
          sqlite3_finalize (stmt);
          goto fail;
        }
      if (sqlite3_column_int (stmt, 0) != 0)
        {
          sqlite3_finalize (stmt);
          g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_CORRUPT,
                       "The file is an SQLite database but not a Ridge enrollment store; it "
                       "was left untouched");
          goto fail;
        }
      sqlite3_finalize (stmt);
    }
  for (; version < target; version++)
    {
      g_autofree char *set = NULL;
      if (!ridge_store_exec (self, migrations[version], error))
        {
          g_prefix_error (error, "Schema migration %d → %d failed: ", version, version + 1);
          goto fail;
        }
      set = g_strdup_printf ("PRAGMA user_version = %d", version + 1);
      if (!ridge_store_exec (self, set, error))
        goto fail;
      g_debug ("%s: schema migrated to version %d", self->path, version + 1);
    }
  if (!ridge_store_exec (self, "COMMIT", error))
    goto fail;
  self->schema_version = MAX (version, target);
  return TRUE;

fail:
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

/* ---- Open ---------------------------------------------------------------------------- */

static void
ridge_store_finalize (GObject *object)
{
  RidgeStore *self = RIDGE_STORE (object);

  if (self->db)
    {
      if (self->tx_depth > 0)
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      sqlite3_close_v2 (self->db);
    }
  g_free (self->path);
  G_OBJECT_CLASS (ridge_store_parent_class)->finalize (object);
}

static void
ridge_store_class_init (RidgeStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ridge_store_finalize;
}

static void
ridge_store_init (RidgeStore *self)
{
}

/* Makes path and its -wal/-shm files 0600 (SQLite gives -wal/-shm the main file's mode). */
static gboolean
restrict_mode (const char *path,
               GError    **error)
{
  static const char *const suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *p = g_strconcat (path, suffixes[i], NULL);
      struct stat st;
      if (g_stat (p, &st) != 0)
        continue;
      if ((st.st_mode & 0777) != 0600 && g_chmod (p, 0600) != 0)
        {
          int e = errno;
          g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_READ_ONLY,
                       "Cannot make %s private (mode 0600): %s", p, g_strerror (e));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
create_file (const char *path,
             GError    **error)
{
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0)
    {
      int e = errno;
      RidgeStoreErrorCode code = (e == EACCES || e == EROFS || e == EPERM)
                                 ? RIDGE_STORE_ERROR_READ_ONLY
                                 : e == ENOSPC ? RIDGE_STORE_ERROR_FULL : RIDGE_STORE_ERROR_IO;
      g_set_error (error, RIDGE_STORE_ERROR, code, "%s (cannot create %s: %s)",
                   sentence_for_code (code), path, g_strerror (e));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

RidgeStore *
ridge_store_new_at_version (const char *path,
                            int         target_version,
                            GError    **error)
{
  g_autoptr (RidgeStore) self = NULL;
  int rc;
  mode_t old_umask;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (target_version >= 0 && target_version <= RIDGE_STORE_SCHEMA_VERSION,
                        NULL);

  self = g_object_new (RIDGE_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  /* Create the file ourselves (0600) so that SQLite never creates it with the umask's
   * mode, then tighten an existing file and its -wal/-shm. */
  if (!create_file (path, error) || !restrict_mode (path, error))
    return NULL;

  /* Belt and braces for the -wal/-shm SQLite creates later. */
  old_umask = umask (0077);
  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW,
                        NULL);
  umask (old_umask);
  if (rc != SQLITE_OK)
    {
      ridge_store_set_sqlite_error (self, error, rc, path);
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, RIDGE_STORE_BUSY_TIMEOUT_MS);

  /* The first read of the header: a garbage file fails here with SQLITE_NOTADB. */
  if (read_user_version (self, error) < 0)
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }

  old_umask = umask (0077);
  {
    sqlite3_stmt *stmt = ridge_store_prepare (self, "PRAGMA journal_mode = WAL", error);
    const char *mode;
    if (stmt == NULL)
      {
        umask (old_umask);
        return NULL;
      }
    rc = sqlite3_step (stmt);
    mode = rc == SQLITE_ROW ? (const char *)sqlite3_column_text (stmt, 0) : NULL;
    if (mode == NULL || g_ascii_strcasecmp (mode, "wal") != 0)
      {
        if (rc == SQLITE_ROW)
          g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_IO,
                       "%s: the store needs WAL journaling, which this file system refuses",
                       path);
        else
          ridge_store_set_sqlite_error (self, error, rc, "journal mode");
        sqlite3_finalize (stmt);
        umask (old_umask);
        return NULL;
      }
    sqlite3_finalize (stmt);
  }
  if (!ridge_store_exec (self, "PRAGMA foreign_keys = ON;"
                               "PRAGMA synchronous = FULL;"
                               "PRAGMA secure_delete = ON;"
                               "PRAGMA trusted_schema = OFF;", error)
      || !migrate (self, target_version, error))
    {
      umask (old_umask);
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  umask (old_umask);
  if (!restrict_mode (path, error))
    return NULL;
  return g_steal_pointer (&self);
}

RidgeStore *
ridge_store_new (const char *path,
                 GError    **error)
{
  return ridge_store_new_at_version (path, RIDGE_STORE_SCHEMA_VERSION, error);
}

const char *
ridge_store_get_path (RidgeStore *self)
{
  g_return_val_if_fail (RIDGE_IS_STORE (self), NULL);
  return self->path;
}

int
ridge_store_get_schema_version (RidgeStore *self)
{
  g_return_val_if_fail (RIDGE_IS_STORE (self), -1);
  return self->schema_version;
}

gboolean
ridge_store_check_integrity (RidgeStore *self,
                             GError    **error)
{
  sqlite3_stmt *stmt;
  int rc;
  g_autofree char *first = NULL;

  g_return_val_if_fail (RIDGE_IS_STORE (self), FALSE);
  stmt = ridge_store_prepare (self, "PRAGMA integrity_check", error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      ridge_store_set_sqlite_error (self, error, rc, "integrity check");
      sqlite3_finalize (stmt);
      return FALSE;
    }
  first = column_dup (stmt, 0);
  sqlite3_finalize (stmt);
  if (g_strcmp0 (first, "ok") != 0)
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_CORRUPT,
                   "The enrollment store is damaged: %s", first ? first : "(no answer)");
      return FALSE;
    }
  stmt = ridge_store_prepare (self, "PRAGMA foreign_key_check", error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc == SQLITE_ROW)
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_CORRUPT,
                   "The enrollment store has rows whose parent is missing");
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    {
      ridge_store_set_sqlite_error (self, error, rc, "foreign key check");
      return FALSE;
    }
  return TRUE;
}

/* ---- Transactions ------------------------------------------------------------------- */

gboolean
ridge_store_begin (RidgeStore *self,
                   GError    **error)
{
  g_return_val_if_fail (RIDGE_IS_STORE (self), FALSE);
  if (!ridge_store_exec (self, self->tx_depth == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT ridge",
                         error))
    return FALSE;
  self->tx_depth++;
  return TRUE;
}

gboolean
ridge_store_commit (RidgeStore *self,
                    GError    **error)
{
  g_return_val_if_fail (RIDGE_IS_STORE (self), FALSE);
  g_return_val_if_fail (self->tx_depth > 0, FALSE);
  if (!ridge_store_exec (self, self->tx_depth == 1 ? "COMMIT" : "RELEASE ridge", error))
    {
      /* A failed COMMIT (disk full…) leaves the transaction open: undo it all. */
      ridge_store_rollback (self);
      return FALSE;
    }
  self->tx_depth--;
  return TRUE;
}

void
ridge_store_rollback (RidgeStore *self)
{
  g_return_if_fail (RIDGE_IS_STORE (self));
  g_return_if_fail (self->tx_depth > 0);
  if (self->tx_depth == 1)
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  else
    sqlite3_exec (self->db, "ROLLBACK TO ridge; RELEASE ridge", NULL, NULL, NULL);
  self->tx_depth--;
}

/* ---- Users --------------------------------------------------------------------------- */

static gboolean
valid_external_id (const char *s,
                   GError    **error)
{
  if (s == NULL || *s == '\0' || strlen (s) > 255 || !g_utf8_validate (s, -1, NULL))
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_INVALID,
                   "A user id must be 1 to 255 bytes of UTF-8");
      return FALSE;
    }
  return TRUE;
}

static gboolean
valid_name (const char *s,
            GError    **error)
{
  if (s && (strlen (s) > 1024 || !g_utf8_validate (s, -1, NULL)))
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_INVALID,
                   "A display name must be at most 1024 bytes of UTF-8");
      return FALSE;
    }
  return TRUE;
}

static gint64
query_id (RidgeStore *self,
          const char *sql,
          const char *text,
          gint64      a,
          gint64      b,
          GError    **error)
{
  sqlite3_stmt *stmt = ridge_store_prepare (self, sql, error);
  gint64 id = 0;
  int rc, n;

  if (stmt == NULL)
    return -1;
  n = sqlite3_bind_parameter_count (stmt);
  if (text)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_TRANSIENT);
  else if (n >= 1)
    sqlite3_bind_int64 (stmt, 1, a);
  if (n >= 2)
    sqlite3_bind_int64 (stmt, 2, text ? a : b);
  if (n >= 3)
    sqlite3_bind_int64 (stmt, 3, b);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  else if (rc != SQLITE_DONE)
    {
      ridge_store_set_sqlite_error (self, error, rc, "query");
      id = -1;
    }
  sqlite3_finalize (stmt);
  return id;
}

gint64
ridge_store_find_user_id (RidgeStore *self,
                          const char *external_id,
                          GError    **error)
{
  gint64 id;

  g_return_val_if_fail (RIDGE_IS_STORE (self), 0);
  if (!valid_external_id (external_id, error))
    return 0;
  id = query_id (self, "SELECT id FROM users WHERE external_id = ?", external_id, 0, 0, error);
  return id < 0 ? 0 : id;
}

gint64
ridge_store_ensure_user (RidgeStore *self,
                         const char *external_id,
                         const char *display_name,
                         GError    **error)
{
  GError *local = NULL;
  gint64 id, now = ridge_store_now_ms ();
  sqlite3_stmt *stmt;

  g_return_val_if_fail (RIDGE_IS_STORE (self), 0);
  if (!valid_external_id (external_id, error) || !valid_name (display_name, error))
    return 0;
  id = ridge_store_find_user_id (self, external_id, &local);
  if (local)
    {
      g_propagate_error (error, local);
      return 0;
    }
  if (id > 0)
    {
      if (display_name && !ridge_store_rename_user (self, id, display_name, error))
        return 0;
      return id;
    }
  stmt = ridge_store_prepare (self, "INSERT INTO users (external_id, display_name, created_ms, "
                                    "updated_ms) VALUES (?, ?, ?, ?)", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, external_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, display_name ? display_name : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, now);
  sqlite3_bind_int64 (stmt, 4, now);
  if (!ridge_store_step_done (self, stmt, error))
    return 0;
  return sqlite3_last_insert_rowid (self->db);
}

static gboolean
check_changed (RidgeStore *self,
               const char *what,
               gint64      id,
               GError    **error)
{
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_NOT_FOUND,
                   "There is no %s %" G_GINT64_FORMAT " in the enrollment store", what, id);
      return FALSE;
    }
  return TRUE;
}

gboolean
ridge_store_rename_user (RidgeStore *self,
                         gint64      user_id,
                         const char *display_name,
                         GError    **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (RIDGE_IS_STORE (self), FALSE);
  g_return_val_if_fail (display_name != NULL, FALSE);
  if (!valid_name (display_name, error))
    return FALSE;
  stmt = ridge_store_prepare (self, "UPDATE users SET display_name = ?1, updated_ms = ?2 "
                                    "WHERE id = ?3 AND display_name IS NOT ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, display_name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, ridge_store_now_ms ());
  sqlite3_bind_int64 (stmt, 3, user_id);
  if (!ridge_store_step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0
      && query_id (self, "SELECT id FROM users WHERE id = ?", NULL, user_id, 0, NULL) <= 0)
    return check_changed (self, "user", user_id, error);
  return TRUE;
}

gboolean
ridge_store_remove_user (RidgeStore *self,
                         gint64      user_id,
                         GError    **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (RIDGE_IS_STORE (self), FALSE);
  stmt = ridge_store_prepare (self, "DELETE FROM users WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, user_id);
  if (!ridge_store_step_done (self, stmt, error))
    return FALSE;
  return check_changed (self, "user", user_id, error);
}

/* ---- Templates ---------------------------------------------------------------------- */

gboolean
ridge_store_validate_iso (GBytes  *iso,
                          GError **error)
{
  g_autofree RidgeFmrRecord *rec = g_new0 (RidgeFmrRecord, 1);
  gsize len;
  const guint8 *p = g_bytes_get_data (iso, &len);
  int r;

  if (len == 0 || len > RIDGE_STORE_MAX_TEMPLATE)
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_BAD_RECORD,
                   "An ISO record must hold 1 to %d bytes, not %" G_GSIZE_FORMAT,
                   RIDGE_STORE_MAX_TEMPLATE, len);
      return FALSE;
    }
  r = ridge_fmr_decode (p, len, RIDGE_FMR_FORMAT_ISO, RIDGE_FMR_DECODE_STRICT, rec);
  if (r != RIDGE_FMR_OK)
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_BAD_RECORD,
                   "Not a valid ISO/IEC 19794-2:2005 record: %s (at byte %" G_GSIZE_FORMAT ")",
                   ridge_fmr_strerror (r), rec->error_offset);
      return FALSE;
    }
  return TRUE;
}

gboolean
ridge_store_validate_native (GBytes  *native,
                             GError **error)
{
  g_autofree RidgeEnrollTemplate *e = g_new0 (RidgeEnrollTemplate, 1);
  gsize len;
  const guint8 *p = g_bytes_get_data (native, &len);
  int r;

  if (len == 0 || len > RIDGE_STORE_MAX_TEMPLATE)
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_BAD_RECORD,
                   "A native template must hold 1 to %d bytes, not %" G_GSIZE_FORMAT,
                   RIDGE_STORE_MAX_TEMPLATE, len);
      return FALSE;
    }
  r = ridge_enroll_deserialize (p, len, e);
  if (r != RIDGE_ENGINE_OK)
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_BAD_RECORD,
                   "Not a valid Ridge enrollment template: %s", ridge_engine_strerror (r));
      return FALSE;
    }
  return TRUE;
}

static gboolean
validate_data (const RidgeStoreTemplateData *data,
               GError                      **error)
{
  if (!valid_external_id (data->user_external_id, error)
      || !valid_name (data->display_name, error))
    return FALSE;
  if (data->finger > 10)
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_INVALID,
                   "Finger position %u is not 0..10", data->finger);
      return FALSE;
    }
  if (data->quality > 100 || data->samples > 255)
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_INVALID,
                   "Quality must be 0..100 and samples 0..255");
      return FALSE;
    }
  if (data->iso_record == NULL && data->native == NULL)
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_INVALID,
                   "A template needs an ISO record or a native template");
      return FALSE;
    }
  if (data->iso_record && !ridge_store_validate_iso (data->iso_record, error))
    return FALSE;
  if (data->native && !ridge_store_validate_native (data->native, error))
    return FALSE;
  if (data->n_images > 255)
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_INVALID,
                   "At most 255 sample images per template");
      return FALSE;
    }
  for (guint i = 0; data->images && i < data->n_images; i++)
    {
      const RidgeStoreImage *im = &data->images[i];
      if (im->width == 0 || im->height == 0 || im->width > 65535 || im->height > 65535
          || (guint64)im->width * im->height > RIDGE_STORE_MAX_IMAGE || im->pixels == NULL
          || g_bytes_get_size (im->pixels) != (gsize)im->width * im->height)
        {
          g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_INVALID,
                       "Sample image %u: its size is wrong or above %d pixels", i,
                       RIDGE_STORE_MAX_IMAGE);
          return FALSE;
        }
    }
  return TRUE;
}

static gint64
put_template_locked (RidgeStore                   *self,
                     const RidgeStoreTemplateData *data,
                     const RidgeStoreProvenance   *prov,
                     GError                      **error)
{
  GError *local = NULL;
  gint64 user_id, finger_id, template_id, version, now = ridge_store_now_ms ();
  sqlite3_stmt *stmt;

  user_id = ridge_store_ensure_user (self, data->user_external_id, data->display_name, error);
  if (user_id <= 0)
    return 0;
  stmt = ridge_store_prepare (self, "INSERT INTO fingers (user_id, position) VALUES (?, ?) "
                                    "ON CONFLICT (user_id, position) DO NOTHING", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, user_id);
  sqlite3_bind_int (stmt, 2, data->finger);
  if (!ridge_store_step_done (self, stmt, error))
    return 0;
  finger_id = query_id (self, "SELECT id FROM fingers WHERE user_id = ? AND position = ?", NULL,
                        user_id, data->finger, &local);
  if (finger_id <= 0)
    {
      if (local)
        g_propagate_error (error, local);
      else
        g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_FAILED, "Finger row missing");
      return 0;
    }
  template_id = query_id (self, "SELECT id FROM templates WHERE finger_id = ?", NULL, finger_id,
                          0, &local);
  if (local)
    {
      g_propagate_error (error, local);
      return 0;
    }
  if (template_id > 0)
    {
      stmt = ridge_store_prepare (self, "UPDATE templates SET version = version + 1, "
                                        "iso_record = ?, native = ?, samples = ?, quality = ?, "
                                        "updated_ms = ? WHERE id = ?", error);
      if (stmt == NULL)
        return 0;
      bind_bytes_or_null (stmt, 1, data->iso_record);
      bind_bytes_or_null (stmt, 2, data->native);
      sqlite3_bind_int (stmt, 3, data->samples);
      sqlite3_bind_int (stmt, 4, data->quality);
      sqlite3_bind_int64 (stmt, 5, now);
      sqlite3_bind_int64 (stmt, 6, template_id);
      if (!ridge_store_step_done (self, stmt, error))
        return 0;
    }
  else
    {
      stmt = ridge_store_prepare (self, "INSERT INTO templates (finger_id, iso_record, native, "
                                        "samples, quality, created_ms, updated_ms) "
                                        "VALUES (?, ?, ?, ?, ?, ?, ?)", error);
      if (stmt == NULL)
        return 0;
      sqlite3_bind_int64 (stmt, 1, finger_id);
      bind_bytes_or_null (stmt, 2, data->iso_record);
      bind_bytes_or_null (stmt, 3, data->native);
      sqlite3_bind_int (stmt, 4, data->samples);
      sqlite3_bind_int (stmt, 5, data->quality);
      sqlite3_bind_int64 (stmt, 6, data->created_ms > 0 ? data->created_ms : now);
      sqlite3_bind_int64 (stmt, 7, now);
      if (!ridge_store_step_done (self, stmt, error))
        return 0;
      template_id = sqlite3_last_insert_rowid (self->db);
    }

  if (data->images)
    {
      stmt = ridge_store_prepare (self, "DELETE FROM sample_images WHERE template_id = ?", error);
      if (stmt == NULL)
        return 0;
      sqlite3_bind_int64 (stmt, 1, template_id);
      if (!ridge_store_step_done (self, stmt, error))
        return 0;
      for (guint i = 0; i < data->n_images; i++)
        {
          stmt = ridge_store_prepare (self, "INSERT INTO sample_images (template_id, idx, width, "
                                            "height, pixels) VALUES (?, ?, ?, ?, ?)", error);
          if (stmt == NULL)
            return 0;
          sqlite3_bind_int64 (stmt, 1, template_id);
          sqlite3_bind_int (stmt, 2, i);
          sqlite3_bind_int (stmt, 3, data->images[i].width);
          sqlite3_bind_int (stmt, 4, data->images[i].height);
          bind_bytes_or_null (stmt, 5, data->images[i].pixels);
          if (!ridge_store_step_done (self, stmt, error))
            return 0;
        }
    }

  version = query_id (self, "SELECT version FROM templates WHERE id = ?", NULL, template_id, 0,
                      error);
  if (version <= 0)
    return 0;
  stmt = ridge_store_prepare (self, "INSERT INTO provenance (template_id, template_version, "
                                    "time_ms, terminal_serial, operator, action) "
                                    "VALUES (?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, template_id);
  sqlite3_bind_int64 (stmt, 2, version);
  sqlite3_bind_int64 (stmt, 3, now);
  bind_text_or_null (stmt, 4, prov ? prov->terminal_serial : NULL);
  bind_text_or_null (stmt, 5, prov ? prov->operator_name : NULL);
  sqlite3_bind_text (stmt, 6, prov && prov->action ? prov->action : "write", -1,
                     SQLITE_TRANSIENT);
  if (!ridge_store_step_done (self, stmt, error))
    return 0;

  /* A new local version is pending everywhere it was synced (conflicts stay conflicts). */
  stmt = ridge_store_prepare (self, "UPDATE sync_state SET state = 'pending' "
                                    "WHERE template_id = ? AND state = 'synced'", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, template_id);
  if (!ridge_store_step_done (self, stmt, error))
    return 0;
  return template_id;
}

gint64
ridge_store_put_template (RidgeStore                   *self,
                          const RidgeStoreTemplateData *data,
                          const RidgeStoreProvenance   *provenance,
                          GError                      **error)
{
  gint64 id;

  g_return_val_if_fail (RIDGE_IS_STORE (self), 0);
  g_return_val_if_fail (data != NULL, 0);
  if (!validate_data (data, error) || !ridge_store_begin (self, error))
    return 0;
  id = put_template_locked (self, data, provenance, error);
  if (id <= 0)
    {
      ridge_store_rollback (self);
      return 0;
    }
  if (!ridge_store_commit (self, error))
    return 0;
  return id;
}

#define RECORD_COLUMNS \
  "t.id, u.id, u.external_id, u.display_name, f.position, t.samples, " \
  "(SELECT count(*) FROM sample_images i WHERE i.template_id = t.id), t.quality, " \
  "t.version, t.created_ms, t.updated_ms, t.iso_record IS NOT NULL, " \
  "t.native IS NOT NULL, " \
  "(SELECT coalesce (group_concat (s.destination || '=' || s.state, ','), '') " \
  " FROM (SELECT * FROM sync_state s WHERE s.template_id = t.id ORDER BY destination) s) "
#define RECORD_FROM \
  "FROM templates t JOIN fingers f ON f.id = t.finger_id JOIN users u ON u.id = f.user_id "

static RidgeStoreRecord *
record_from_row (sqlite3_stmt *stmt)
{
  RidgeStoreRecord *rec = g_new0 (RidgeStoreRecord, 1);

  rec->template_id = sqlite3_column_int64 (stmt, 0);
  rec->user_id = sqlite3_column_int64 (stmt, 1);
  rec->user_external_id = column_dup (stmt, 2);
  rec->display_name = column_dup (stmt, 3);
  rec->finger = sqlite3_column_int (stmt, 4);
  rec->samples = sqlite3_column_int (stmt, 5);
  rec->n_images = sqlite3_column_int (stmt, 6);
  rec->quality = sqlite3_column_int (stmt, 7);
  rec->version = sqlite3_column_int64 (stmt, 8);
  rec->created_ms = sqlite3_column_int64 (stmt, 9);
  rec->updated_ms = sqlite3_column_int64 (stmt, 10);
  rec->has_iso = sqlite3_column_int (stmt, 11) != 0;
  rec->has_native = sqlite3_column_int (stmt, 12) != 0;
  rec->locations = column_dup (stmt, 13);
  if (rec->locations == NULL)
    rec->locations = g_strdup ("");
  return rec;
}

RidgeStoreTemplate *
ridge_store_get_template (RidgeStore *self,
                          gint64      template_id,
                          GError    **error)
{
  g_autoptr (RidgeStoreTemplate) t = g_new0 (RidgeStoreTemplate, 1);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (RIDGE_IS_STORE (self), NULL);
  stmt = ridge_store_prepare (self, "SELECT " RECORD_COLUMNS ", t.iso_record, t.native "
                              RECORD_FROM "WHERE t.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, template_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_NOT_FOUND,
                     "There is no template %" G_GINT64_FORMAT " in the enrollment store",
                     template_id);
      else
        ridge_store_set_sqlite_error (self, error, rc, "read template");
      sqlite3_finalize (stmt);
      return NULL;
    }
  t->record = record_from_row (stmt);
  t->iso_record = column_bytes (stmt, 14);
  t->native = column_bytes (stmt, 15);
  sqlite3_finalize (stmt);

  t->images = g_ptr_array_new_with_free_func (image_free);
  stmt = ridge_store_prepare (self, "SELECT width, height, pixels FROM sample_images "
                                    "WHERE template_id = ? ORDER BY idx", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, template_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      RidgeStoreImage *im = g_new0 (RidgeStoreImage, 1);
      im->width = sqlite3_column_int (stmt, 0);
      im->height = sqlite3_column_int (stmt, 1);
      im->pixels = column_bytes (stmt, 2);
      g_ptr_array_add (t->images, im);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      ridge_store_set_sqlite_error (self, error, rc, "read images");
      return NULL;
    }
  return g_steal_pointer (&t);
}

gint64
ridge_store_find_template_id (RidgeStore *self,
                              const char *user_external_id,
                              guint       finger,
                              GError    **error)
{
  gint64 id;

  g_return_val_if_fail (RIDGE_IS_STORE (self), 0);
  if (!valid_external_id (user_external_id, error))
    return 0;
  id = query_id (self, "SELECT t.id " RECORD_FROM "WHERE u.external_id = ? AND f.position = ?",
                 user_external_id, finger, 0, error);
  return id < 0 ? 0 : id;
}

gboolean
ridge_store_remove_template (RidgeStore *self,
                             gint64      template_id,
                             GError    **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (RIDGE_IS_STORE (self), FALSE);
  if (!ridge_store_begin (self, error))
    return FALSE;
  /* The finger goes with its only template (the cascade takes the template). */
  stmt = ridge_store_prepare (self, "DELETE FROM fingers WHERE id = "
                                    "(SELECT finger_id FROM templates WHERE id = ?)", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, template_id);
  if (!ridge_store_step_done (self, stmt, error)
      || !check_changed (self, "template", template_id, error))
    goto fail;
  return ridge_store_commit (self, error);

fail:
  ridge_store_rollback (self);
  return FALSE;
}

/* LIKE pattern matching text literally (escape character '\'). */
static char *
like_pattern (const char *text)
{
  GString *s = g_string_new ("%");

  for (const char *p = text; *p; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (s, '\\');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '%');
  return g_string_free (s, FALSE);
}

GPtrArray *
ridge_store_list (RidgeStore            *self,
                  const RidgeStoreQuery *query,
                  GError               **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (
    (GDestroyNotify)ridge_store_record_free);
  g_autoptr (GString) sql = g_string_new ("SELECT " RECORD_COLUMNS RECORD_FROM "WHERE 1 ");
  g_autofree char *pattern = NULL;
  sqlite3_stmt *stmt;
  int rc, i = 1;

  g_return_val_if_fail (RIDGE_IS_STORE (self), NULL);
  if (query && query->text && *query->text)
    {
      pattern = like_pattern (query->text);
      g_string_append (sql, "AND (u.display_name LIKE :text ESCAPE '\\' "
                            "OR u.external_id LIKE :text ESCAPE '\\') ");
    }
  if (query && query->has_finger)
    g_string_append (sql, "AND f.position = :finger ");
  if (query && query->has_state)
    {
      if (query->state == RIDGE_SYNC_PENDING)
        /* never synced to that destination counts as pending there */
        g_string_append (sql, "AND coalesce ((SELECT state FROM sync_state s WHERE "
                              "s.template_id = t.id AND s.destination = :dest), 'pending') "
                              "= :state ");
      else
        g_string_append (sql, "AND EXISTS (SELECT 1 FROM sync_state s WHERE s.template_id = "
                              "t.id AND s.destination = :dest AND s.state = :state) ");
    }
  g_string_append (sql, "ORDER BY u.display_name, u.external_id, f.position");
  stmt = ridge_store_prepare (self, sql->str, error);
  if (stmt == NULL)
    return NULL;
  if ((i = sqlite3_bind_parameter_index (stmt, ":text")) > 0)
    sqlite3_bind_text (stmt, i, pattern, -1, SQLITE_TRANSIENT);
  if ((i = sqlite3_bind_parameter_index (stmt, ":finger")) > 0)
    sqlite3_bind_int (stmt, i, query->finger);
  if ((i = sqlite3_bind_parameter_index (stmt, ":dest")) > 0)
    bind_text_or_null (stmt, i, query->destination);
  if ((i = sqlite3_bind_parameter_index (stmt, ":state")) > 0)
    sqlite3_bind_text (stmt, i, ridge_sync_state_to_string (query->state), -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (out, record_from_row (stmt));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      ridge_store_set_sqlite_error (self, error, rc, "list");
      return NULL;
    }
  return g_steal_pointer (&out);
}

gint64
ridge_store_count_rows (RidgeStore *self,
                        const char *table,
                        GError    **error)
{
  static const char *const tables[] = { "users", "fingers", "templates", "sample_images",
                                        "provenance", "sync_state", "outbox" };
  g_autofree char *sql = NULL;

  g_return_val_if_fail (RIDGE_IS_STORE (self), -1);
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    if (g_strcmp0 (table, tables[i]) == 0)
      {
        sql = g_strdup_printf ("SELECT count(*) FROM %s", tables[i]);
        return query_id (self, sql, NULL, 0, 0, error);
      }
  g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_INVALID, "No table %s", table);
  return -1;
}

GStrv
ridge_store_get_provenance (RidgeStore *self,
                            gint64      template_id,
                            GError    **error)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (RIDGE_IS_STORE (self), NULL);
  stmt = ridge_store_prepare (self, "SELECT time_ms, coalesce (terminal_serial, ''), "
                                    "coalesce (operator, ''), action FROM provenance "
                                    "WHERE template_id = ? ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, template_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autofree char *line = g_strdup_printf ("%" G_GINT64_FORMAT "|%s|%s|%s",
                                               (gint64)sqlite3_column_int64 (stmt, 0),
                                               sqlite3_column_text (stmt, 1),
                                               sqlite3_column_text (stmt, 2),
                                               sqlite3_column_text (stmt, 3));
      g_strv_builder_add (b, line);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      ridge_store_set_sqlite_error (self, error, rc, "provenance");
      return NULL;
    }
  return g_strv_builder_end (b);
}

/* ---- Sync state ---------------------------------------------------------------------- */

gboolean
ridge_store_get_sync (RidgeStore     *self,
                      gint64          template_id,
                      const char     *destination,
                      RidgeStoreSync *out,
                      GError        **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (RIDGE_IS_STORE (self), FALSE);
  g_return_val_if_fail (destination != NULL && out != NULL, FALSE);
  memset (out, 0, sizeof *out);
  stmt = ridge_store_prepare (self, "SELECT state, remote_id, remote_version, synced_version, "
                                    "last_attempt_ms, last_error FROM sync_state "
                                    "WHERE template_id = ? AND destination = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, template_id);
  sqlite3_bind_text (stmt, 2, destination, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (!ridge_sync_state_from_string ((const char *)sqlite3_column_text (stmt, 0),
                                         &out->state))
        out->state = RIDGE_SYNC_CONFLICT;
      out->remote_id = sqlite3_column_int64 (stmt, 1);
      out->remote_version = sqlite3_column_int64 (stmt, 2);
      out->synced_version = sqlite3_column_int64 (stmt, 3);
      out->last_attempt_ms = sqlite3_column_int64 (stmt, 4);
      out->last_error = column_dup (stmt, 5);
    }
  else if (rc != SQLITE_DONE)
    ridge_store_set_sqlite_error (self, error, rc, "sync state");
  sqlite3_finalize (stmt);
  return rc == SQLITE_ROW;
}

gboolean
ridge_store_set_sync (RidgeStore           *self,
                      gint64                template_id,
                      const char           *destination,
                      const RidgeStoreSync *sync,
                      GError              **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (RIDGE_IS_STORE (self), FALSE);
  g_return_val_if_fail (destination != NULL && sync != NULL, FALSE);
  stmt = ridge_store_prepare (self, "INSERT OR REPLACE INTO sync_state (template_id, "
                                    "destination, state, remote_id, remote_version, "
                                    "synced_version, last_attempt_ms, last_error) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, template_id);
  sqlite3_bind_text (stmt, 2, destination, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, ridge_sync_state_to_string (sync->state), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, sync->remote_id);
  sqlite3_bind_int64 (stmt, 5, sync->remote_version);
  sqlite3_bind_int64 (stmt, 6, sync->synced_version);
  sqlite3_bind_int64 (stmt, 7, sync->last_attempt_ms);
  bind_text_or_null (stmt, 8, sync->last_error);
  return ridge_store_step_done (self, stmt, error);
}

gint64
ridge_store_find_by_remote (RidgeStore *self,
                            const char *destination,
                            gint64      remote_id,
                            GError    **error)
{
  gint64 id;

  g_return_val_if_fail (RIDGE_IS_STORE (self), 0);
  id = query_id (self, "SELECT template_id FROM sync_state WHERE destination = ? AND "
                       "remote_id = ?", destination, remote_id, 0, error);
  return id < 0 ? 0 : id;
}

GArray *
ridge_store_list_synced (RidgeStore *self,
                         const char *destination,
                         GError    **error)
{
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (RIDGE_IS_STORE (self), NULL);
  stmt = ridge_store_prepare (self, "SELECT template_id FROM sync_state WHERE destination = ? "
                                    "ORDER BY template_id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, destination, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      ridge_store_set_sqlite_error (self, error, rc, "sync list");
      return NULL;
    }
  return g_steal_pointer (&ids);
}

/* ---- Outbox ------------------------------------------------------------------------- */

gint64
ridge_store_outbox_enqueue (RidgeStore *self,
                            gint64      template_id,
                            const char *destination,
                            GError    **error)
{
  GError *local = NULL;
  gint64 version, id;
  g_autofree char *key = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (RIDGE_IS_STORE (self), 0);
  g_return_val_if_fail (destination != NULL && *destination, 0);
  version = query_id (self, "SELECT version FROM templates WHERE id = ?", NULL, template_id, 0,
                      &local);
  if (version <= 0)
    {
      if (local)
        g_propagate_error (error, local);
      else
        g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_NOT_FOUND,
                     "There is no template %" G_GINT64_FORMAT " in the enrollment store",
                     template_id);
      return 0;
    }
  key = g_strdup_printf ("%s:%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT, ridge_store_get_uuid (self),
                         template_id, version);
  stmt = ridge_store_prepare (self, "INSERT INTO outbox (template_id, template_version, "
                                    "destination, idempotency_key, next_attempt_ms, created_ms) "
                                    "VALUES (?, ?, ?, ?, ?, ?) "
                                    "ON CONFLICT (destination, idempotency_key) DO NOTHING",
                              error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, template_id);
  sqlite3_bind_int64 (stmt, 2, version);
  sqlite3_bind_text (stmt, 3, destination, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, ridge_store_now_ms ());
  sqlite3_bind_int64 (stmt, 6, ridge_store_now_ms ());
  if (!ridge_store_step_done (self, stmt, error))
    return 0;
  stmt = ridge_store_prepare (self, "SELECT id FROM outbox WHERE destination = ? AND "
                                    "idempotency_key = ?", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, destination, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, key, -1, SQLITE_TRANSIENT);
  id = sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  sqlite3_finalize (stmt);
  if (id == 0)
    g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_FAILED,
                 "The outbox item for template %" G_GINT64_FORMAT " was not written",
                 template_id);
  return id;
}

GPtrArray *
ridge_store_outbox_due (RidgeStore *self,
                        gint64      now_ms,
                        guint       max,
                        GError    **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (
    (GDestroyNotify)ridge_store_outbox_item_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (RIDGE_IS_STORE (self), NULL);
  stmt = ridge_store_prepare (self, "SELECT id, template_id, template_version, destination, "
                                    "idempotency_key, attempts, next_attempt_ms, state, "
                                    "last_error FROM outbox WHERE state = 'queued' AND "
                                    "next_attempt_ms <= ? ORDER BY next_attempt_ms, id LIMIT ?",
                              error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, now_ms);
  sqlite3_bind_int64 (stmt, 2, max);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      RidgeStoreOutboxItem *it = g_new0 (RidgeStoreOutboxItem, 1);
      it->id = sqlite3_column_int64 (stmt, 0);
      it->template_id = sqlite3_column_int64 (stmt, 1);
      it->template_version = sqlite3_column_int64 (stmt, 2);
      it->destination = column_dup (stmt, 3);
      it->idempotency_key = column_dup (stmt, 4);
      it->attempts = sqlite3_column_int (stmt, 5);
      it->next_attempt_ms = sqlite3_column_int64 (stmt, 6);
      it->state = column_dup (stmt, 7);
      it->last_error = column_dup (stmt, 8);
      g_ptr_array_add (out, it);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      ridge_store_set_sqlite_error (self, error, rc, "outbox");
      return NULL;
    }
  return g_steal_pointer (&out);
}

gboolean
ridge_store_outbox_mark (RidgeStore *self,
                         gint64      item_id,
                         gboolean    done,
                         const char *error_text,
                         gint64      next_attempt_ms,
                         GError    **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (RIDGE_IS_STORE (self), FALSE);
  stmt = ridge_store_prepare (self, "UPDATE outbox SET attempts = attempts + 1, state = ?1, "
                                    "last_error = ?2, next_attempt_ms = ?3, finished_ms = "
                                    "CASE ?1 WHEN 'queued' THEN 0 ELSE ?5 END WHERE id = ?4",
                              error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, done ? "done" : next_attempt_ms > 0 ? "queued" : "failed", -1,
                     SQLITE_STATIC);
  bind_text_or_null (stmt, 2, done ? NULL : error_text);
  sqlite3_bind_int64 (stmt, 3, next_attempt_ms);
  sqlite3_bind_int64 (stmt, 4, item_id);
  sqlite3_bind_int64 (stmt, 5, ridge_store_now_ms ());
  if (!ridge_store_step_done (self, stmt, error))
    return FALSE;
  return check_changed (self, "outbox item", item_id, error);
}
