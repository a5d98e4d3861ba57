/* ridge-export-server.c — the export API v1 over HTTPS (docs/export-api.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-export-server"

#include "config.h"

#include "ridge-export-server.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/ridge-engine.h"
#include "engine/ridge-fmr.h"

#define SCHEMA_VERSION      1
#define BUSY_TIMEOUT_MS     5000
#define PROBE_MAX_VIEWS     RIDGE_ENROLL_MAX_SAMPLES
#define PARALLEL_MIN_GALLERY 256   /* below this a thread costs more than it saves */
#define SERVER_NAME         "ridge-test-server/" PACKAGE_VERSION
#define ISO_FORMAT          "iso-19794-2-2005"

/* One stored template in the duplicate-check gallery: the first view, prepared. */
typedef struct {
  gint64                 id;
  gint64                 user_id;
  RidgePreparedTemplate *prepared;
} GalleryEntry;

struct _RidgeExportServer {
  GObject parent_instance;

  char       *db_path;
  char       *token;
  sqlite3    *db;
  GHashTable *statements;        /* const char *sql (static) → sqlite3_stmt * */
  SoupServer *soup;
  gboolean    duplicate_check;
  GArray     *gallery;           /* GalleryEntry */

  RidgeExportFaults faults;
  GRand            *rand;
  guint64           committed;   /* items committed by this process */
};

G_DEFINE_FINAL_TYPE (RidgeExportServer, ridge_export_server, G_TYPE_OBJECT);

G_DEFINE_QUARK (ridge - export - server - error - quark, ridge_export_server_error);

/* ---- Small helpers ------------------------------------------------------------------- */

static void
gallery_entry_clear (gpointer data)
{
  GalleryEntry *e = data;

  g_clear_pointer (&e->prepared, ridge_prepared_template_free);
}

static char *
utc_now_string (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

/* Standard base64 with padding and nothing else (g_base64_decode skips junk silently). */
static gboolean
base64_is_strict (const char *s,
                  gsize       len)
{
  gsize pad = 0;

  if (len == 0 || len % 4 != 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      char c = s[i];
      if (c == '=')
        {
          if (i < len - 2)
            return FALSE;
          pad++;
          continue;
        }
      if (pad > 0)
        return FALSE;
      if (!g_ascii_isalnum (c) && c != '+' && c != '/')
        return FALSE;
    }
  return TRUE;
}

/* Constant-time for tokens of the same length. */
static gboolean
token_equal (const char *given,
             const char *expected)
{
  gsize lg = strlen (given), le = strlen (expected);
  unsigned diff = lg != le;

  for (gsize i = 0; i < le; i++)
    diff |= (unsigned char)(i < lg ? given[i] : 0) ^ (unsigned char)expected[i];
  return diff == 0;
}

static gboolean
is_decimal_id (const char *s,
               gint64     *out)
{
  guint64 v;

  if (s == NULL || *s == '\0' || strlen (s) > 18)
    return FALSE;
  for (const char *p = s; *p; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  v = g_ascii_strtoull (s, NULL, 10);
  *out = (gint64)v;
  return TRUE;
}

/* ---- Responses ----------------------------------------------------------------------- */

static void
reply_json (SoupServerMessage *msg,
            guint              status,
            JsonNode          *root)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  gsize len = 0;
  char *text;

  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, &len);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, len);
}

static void
reply_error (SoupServerMessage *msg,
             guint              status,
             const char        *code,
             const char        *message)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, code);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  reply_json (msg, status, root);
}

static void
reply_retry (SoupServerMessage *msg,
             guint              status,
             const char        *code,
             const char        *message)
{
  reply_error (msg, status, code, message);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Retry-After", "1");
}

/* ---- Database ------------------------------------------------------------------------ */

static void
statement_free (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static sqlite3_stmt *
statement (RidgeExportServer *self,
           const char        *sql)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);

  if (stmt == NULL)
    {
      if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL)
          != SQLITE_OK)
        {
          g_message ("cannot prepare a statement: %s", sqlite3_errmsg (self->db));
          return NULL;
        }
      g_hash_table_insert (self->statements, (gpointer)sql, stmt);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return stmt;
}

static gboolean
exec (RidgeExportServer *self,
      const char        *sql,
      GError           **error)
{
  char *err = NULL;

  if (sqlite3_exec (self->db, sql, NULL, NULL, &err) != SQLITE_OK)
    {
      g_set_error (error, RIDGE_EXPORT_SERVER_ERROR, RIDGE_EXPORT_SERVER_ERROR_DB, "%s: %s",
                   self->db_path, err ? err : sqlite3_errmsg (self->db));
      sqlite3_free (err);
      return FALSE;
    }
  return TRUE;
}

static gboolean
make_private (const char *path,
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
          g_set_error (error, RIDGE_EXPORT_SERVER_ERROR, RIDGE_EXPORT_SERVER_ERROR_DB,
                       "Cannot make %s private (mode 0600): %s", p, g_strerror (e));
          return FALSE;
        }
    }
  return TRUE;
}

static const char schema_v1[] =
  "CREATE TABLE users ("
  "  id INTEGER PRIMARY KEY,"
  "  external_id TEXT NOT NULL UNIQUE CHECK (length (external_id) BETWEEN 1 AND 255),"
  "  name TEXT NOT NULL CHECK (length (name) <= 255));"
  "CREATE TABLE templates ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  idempotency_key TEXT NOT NULL UNIQUE,"
  "  user_id INTEGER NOT NULL REFERENCES users (id),"
  "  finger INTEGER NOT NULL CHECK (finger BETWEEN 0 AND 10),"
  "  sha256 TEXT NOT NULL,"
  "  quality INTEGER NOT NULL,"
  "  samples INTEGER NOT NULL,"
  "  terminal TEXT,"
  "  captured_at TEXT NOT NULL,"
  "  operator TEXT,"
  "  created_at TEXT NOT NULL,"
  "  data BLOB NOT NULL);"
  "CREATE INDEX templates_user ON templates (user_id, id);";

static gboolean
open_database (RidgeExportServer *self,
               GError           **error)
{
  mode_t old_umask;
  int fd, rc, version = -1, n_objects = 0, n_ours = 0;
  sqlite3_stmt *stmt = NULL;
  const char *mode = NULL;

  fd = g_open (self->db_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, RIDGE_EXPORT_SERVER_ERROR, RIDGE_EXPORT_SERVER_ERROR_DB,
                   "Cannot create %s: %s", self->db_path, g_strerror (e));
      return FALSE;
    }
  close (fd);

  /* Look before touching anything: a garbage file fails at the first read (SQLITE_NOTADB),
   * somebody else's database is recognised by its user_version and tables; both are left
   * as they are (mode, journal and all). */
  old_umask = umask (0077);
  rc = sqlite3_open_v2 (self->db_path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW,
                        NULL);
  umask (old_umask);
  if (rc == SQLITE_OK)
    {
      sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);
      rc = sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL);
      if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          version = sqlite3_column_int (stmt, 0);
          rc = SQLITE_OK;
        }
      sqlite3_finalize (stmt);
      stmt = NULL;
    }
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_prepare_v2 (self->db, "SELECT count(*), count(*) FILTER (WHERE type = "
                                         "'table' AND name IN ('users', 'templates')) "
                                         "FROM sqlite_schema", -1, &stmt, NULL);
      if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          n_objects = sqlite3_column_int (stmt, 0);
          n_ours = sqlite3_column_int (stmt, 1);
          rc = SQLITE_OK;
        }
      sqlite3_finalize (stmt);
      stmt = NULL;
    }
  if (rc != SQLITE_OK)
    {
      g_set_error (error, RIDGE_EXPORT_SERVER_ERROR, RIDGE_EXPORT_SERVER_ERROR_DB,
                   "%s is not a usable SQLite database: %s", self->db_path,
                   self->db ? sqlite3_errmsg (self->db) : "cannot open");
      return FALSE;
    }
  if (!(version == 0 && n_objects == 0) && !(version == SCHEMA_VERSION && n_ours == 2))
    {
      g_set_error (error, RIDGE_EXPORT_SERVER_ERROR, RIDGE_EXPORT_SERVER_ERROR_DB,
                   "%s is not a Ridge export database of schema version %d (it has version "
                   "%d and %d objects); it was left untouched", self->db_path, SCHEMA_VERSION,
                   version, n_objects);
      return FALSE;
    }

  if (!make_private (self->db_path, error))
    return FALSE;
  old_umask = umask (0077);
  rc = sqlite3_prepare_v2 (self->db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL);
  if (rc == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    mode = (const char *)sqlite3_column_text (stmt, 0);
  umask (old_umask);
  if (mode == NULL || g_ascii_strcasecmp (mode, "wal") != 0)
    {
      g_set_error (error, RIDGE_EXPORT_SERVER_ERROR, RIDGE_EXPORT_SERVER_ERROR_DB,
                   "%s cannot use WAL journaling: %s", self->db_path,
                   sqlite3_errmsg (self->db));
      sqlite3_finalize (stmt);
      return FALSE;
    }
  sqlite3_finalize (stmt);
  if (!make_private (self->db_path, error))
    return FALSE;

  if (!exec (self, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
                   "PRAGMA secure_delete = ON; PRAGMA trusted_schema = OFF;", error))
    return FALSE;

  if (version == 0)
    {
      if (!exec (self, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (!exec (self, schema_v1, error) || !exec (self, "PRAGMA user_version = 1", error)
          || !exec (self, "COMMIT", error))
        {
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
    }
  return TRUE;
}

/* ---- Duplicate check ----------------------------------------------------------------- */

static RidgePreparedTemplate *
prepare_view (const RidgeFmrRecord *rec,
              int                   view,
              RidgeTemplate        *scratch)
{
  RidgePreparedTemplate *prepared = NULL;

  if (ridge_fmr_view_to_template (rec, view, scratch) != RIDGE_FMR_OK
      || scratch->n_minutiae == 0)
    return NULL;
  if (ridge_prepared_template_new (scratch, &prepared) != RIDGE_ENGINE_OK)
    return NULL;
  return prepared;
}

static void
gallery_add (RidgeExportServer    *self,
             gint64                id,
             gint64                user_id,
             const RidgeFmrRecord *rec,
             RidgeTemplate        *scratch)
{
  GalleryEntry e = { id, user_id, prepare_view (rec, 0, scratch) };

  if (e.prepared != NULL)
    g_array_append_val (self->gallery, e);
}

static gboolean
load_gallery (RidgeExportServer *self,
              GError           **error)
{
  g_autofree RidgeFmrRecord *rec = g_new0 (RidgeFmrRecord, 1);
  g_autofree RidgeTemplate *scratch = g_new0 (RidgeTemplate, 1);
  sqlite3_stmt *stmt = statement (self, "SELECT id, user_id, data FROM templates ORDER BY id");
  int rc;

  if (stmt == NULL)
    {
      g_set_error (error, RIDGE_EXPORT_SERVER_ERROR, RIDGE_EXPORT_SERVER_ERROR_DB,
                   "%s: %s", self->db_path, sqlite3_errmsg (self->db));
      return FALSE;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const uint8_t *data = sqlite3_column_blob (stmt, 2);
      int len = sqlite3_column_bytes (stmt, 2);
      if (ridge_fmr_decode (data, len, RIDGE_FMR_FORMAT_ISO, RIDGE_FMR_DECODE_STRICT, rec)
          == RIDGE_FMR_OK)
        gallery_add (self, sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1),
                     rec, scratch);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, RIDGE_EXPORT_SERVER_ERROR, RIDGE_EXPORT_SERVER_ERROR_DB,
                   "%s: %s", self->db_path, sqlite3_errmsg (self->db));
      return FALSE;
    }
  return TRUE;
}

/* One thread's share of a 1:N comparison. */
typedef struct {
  const RidgePreparedTemplate *probe;
  const GalleryEntry          *entries;
  guint  begin, end;
  gint64 user_id;
  int    best_score;                         /* starts at threshold - 1 */
  guint  best_index;                         /* G_MAXUINT: none */
} Slice;

static gpointer
match_slice (gpointer data)
{
  Slice *slice = data;

  for (guint i = slice->begin; i < slice->end; i++)
    {
      const GalleryEntry *e = &slice->entries[i];
      int s;
      if (e->user_id == slice->user_id)
        continue;
      s = ridge_match_prepared (slice->probe, e->prepared, NULL);
      if (s > slice->best_score)   /* ties: the lower index wins */
        {
          slice->best_score = s;
          slice->best_index = i;
        }
    }
  return NULL;
}

/* The best match ≥ RIDGE_MATCH_THRESHOLD among the other users' templates: every view of
 * rec (up to PROBE_MAX_VIEWS) against the first view of each stored template. A large
 * gallery is split over one thread per processor (the engine keeps no global state); the
 * answer is the one a single thread gives (best score, ties to the older template). */
static const GalleryEntry *
find_duplicate (RidgeExportServer    *self,
                const RidgeFmrRecord *rec,
                gint64                user_id,
                RidgeTemplate        *scratch,
                int                  *score_out)
{
  const GalleryEntry *entries = (const GalleryEntry *)(gpointer)self->gallery->data;
  guint n = self->gallery->len;
  guint n_threads = n >= PARALLEL_MIN_GALLERY ? CLAMP (g_get_num_processors (), 1, 8) : 1;
  int best_score = RIDGE_MATCH_THRESHOLD - 1;
  guint best_index = G_MAXUINT;

  for (int v = 0; v < MIN ((int)rec->n_views, PROBE_MAX_VIEWS); v++)
    {
      RidgePreparedTemplate *probe = prepare_view (rec, v, scratch);
      Slice slices[8];
      GThread *threads[8] = { NULL };
      if (probe == NULL)
        continue;
      for (guint k = 0; k < n_threads; k++)
        {
          slices[k] = (Slice) { probe, entries, n * k / n_threads, n * (k + 1) / n_threads,
                                user_id, RIDGE_MATCH_THRESHOLD - 1, G_MAXUINT };
          if (k > 0)
            threads[k] = g_thread_try_new ("ridge-match", match_slice, &slices[k], NULL);
        }
      match_slice (&slices[0]);
      for (guint k = 1; k < n_threads; k++)
        {
          if (threads[k] != NULL)
            g_thread_join (threads[k]);
          else
            match_slice (&slices[k]);   /* no thread could be made: do it here */
        }
      for (guint k = 0; k < n_threads; k++)
        if (slices[k].best_index != G_MAXUINT
            && (slices[k].best_score > best_score
                || (slices[k].best_score == best_score && slices[k].best_index < best_index)))
          {
            best_score = slices[k].best_score;
            best_index = slices[k].best_index;
          }
      ridge_prepared_template_free (probe);
    }
  *score_out = best_score;
  return best_index != G_MAXUINT ? &entries[best_index] : NULL;
}

/* ---- Batch items --------------------------------------------------------------------- */

typedef struct {
  const char *key;
  const char *user_id;
  const char *user_name;
  gint64      finger;
  const char *format;
  guchar     *data;
  gsize       data_len;
  char        sha256[65];
  gint64      quality;
  gint64      samples;
  const char *terminal;
  const char *captured_at;
  const char *operator;
} Item;

/* A string member (NULL if absent or not a string); *is_null if it is JSON null. */
static const char *
get_string (JsonObject *obj,
            const char *name,
            gboolean   *is_null)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;

  if (is_null)
    *is_null = node != NULL && JSON_NODE_HOLDS_NULL (node);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
get_int (JsonObject *obj,
         const char *name,
         gint64      min,
         gint64      max,
         gint64     *out)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return *out >= min && *out <= max;
}

static gboolean
nullable_string (JsonObject  *obj,
                 const char  *name,
                 const char **out)
{
  gboolean is_null = FALSE;

  *out = get_string (obj, name, &is_null);
  if (is_null)
    return TRUE;
  return *out != NULL && strlen (*out) <= 255;
}

/* Checks an item; on failure returns the rejection code and sets *message. rec receives
 * the decoded record. */
static const char *
validate_item (JsonObject     *obj,
               Item           *item,
               RidgeFmrRecord *rec,
               char          **message)
{
  JsonObject *user, *source;
  JsonNode *node;
  const char *data_b64, *sha;
  g_autoptr (GChecksum) sum = NULL;
  g_autoptr (GDateTime) when = NULL;
  int rc;

  node = json_object_get_member (obj, "user");
  user = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  item->user_id = get_string (user, "id", NULL);
  item->user_name = get_string (user, "name", NULL);
  if (item->user_id == NULL || item->user_id[0] == '\0' || strlen (item->user_id) > 255
      || item->user_name == NULL || strlen (item->user_name) > 255)
    {
      *message = g_strdup ("The user needs an id of 1 to 255 bytes and a name of at most "
                           "255 bytes.");
      return "invalid_item";
    }
  if (!get_int (obj, "finger", 0, 10, &item->finger))
    {
      *message = g_strdup ("The finger must be an ISO finger position from 0 to 10.");
      return "invalid_item";
    }
  item->format = get_string (obj, "format", NULL);
  if (item->format == NULL || strcmp (item->format, ISO_FORMAT) != 0)
    {
      *message = g_strdup ("The format must be \"" ISO_FORMAT "\".");
      return "unsupported_format";
    }
  if (!get_int (obj, "quality", 0, 100, &item->quality))
    {
      *message = g_strdup ("The quality must be an integer from 0 to 100.");
      return "invalid_item";
    }
  if (!get_int (obj, "samples", 0, 255, &item->samples))
    {
      *message = g_strdup ("The samples must be an integer from 0 to 255.");
      return "invalid_item";
    }
  node = json_object_get_member (obj, "source");
  source = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  item->captured_at = get_string (source, "captured_at", NULL);
  if (source == NULL || !nullable_string (source, "terminal", &item->terminal)
      || !nullable_string (source, "operator", &item->operator)
      || item->captured_at == NULL
      || (when = g_date_time_new_from_iso8601 (item->captured_at, NULL)) == NULL)
    {
      *message = g_strdup ("The source needs a terminal and an operator (strings of at most "
                           "255 bytes, or null) and captured_at as an RFC 3339 time.");
      return "invalid_item";
    }

  data_b64 = get_string (obj, "data", NULL);
  if (data_b64 == NULL || !base64_is_strict (data_b64, strlen (data_b64))
      || strlen (data_b64) / 4 * 3 > RIDGE_EXPORT_MAX_RECORD + 2)
    {
      *message = g_strdup ("The data must be standard base64 of at most 256 KiB.");
      return "invalid_item";
    }
  item->data = g_base64_decode (data_b64, &item->data_len);
  if (item->data_len == 0 || item->data_len > RIDGE_EXPORT_MAX_RECORD)
    {
      *message = g_strdup ("The data must be standard base64 of 1 byte to 256 KiB.");
      return "invalid_item";
    }
  sha = get_string (obj, "sha256", NULL);
  if (sha == NULL || strlen (sha) != 64)
    {
      *message = g_strdup ("The sha256 must be 64 hex digits.");
      return "invalid_item";
    }
  for (int i = 0; i < 64; i++)
    if (!g_ascii_isxdigit (sha[i]))
      {
        *message = g_strdup ("The sha256 must be 64 hex digits.");
        return "invalid_item";
      }
  sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, item->data, item->data_len);
  memcpy (item->sha256, g_checksum_get_string (sum), 65);
  if (g_ascii_strcasecmp (sha, item->sha256) != 0)
    {
      *message = g_strdup ("The sha256 does not match the decoded data.");
      return "sha256_mismatch";
    }

  rc = ridge_fmr_decode (item->data, item->data_len, RIDGE_FMR_FORMAT_ISO,
                         RIDGE_FMR_DECODE_STRICT, rec);
  if (rc != RIDGE_FMR_OK)
    {
      *message = g_strdup_printf ("The template is not a valid ISO/IEC 19794-2:2005 record: "
                                  "%s (at byte %zu).", ridge_fmr_strerror (rc),
                                  rec->error_offset);
      return "invalid_template";
    }
  if (rec->n_views == 0)
    {
      *message = g_strdup ("The template holds no finger view.");
      return "invalid_template";
    }
  return NULL;
}

static void
add_user (JsonBuilder *b,
          const char  *id,
          const char  *name)
{
  json_builder_set_member_name (b, "user");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, name);
  json_builder_end_object (b);
}

static void
add_id (JsonBuilder *b,
        const char  *member,
        gint64       id)
{
  char buf[32];

  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, id);
  json_builder_set_member_name (b, member);
  json_builder_add_string_value (b, buf);
}

static void
add_error (JsonBuilder *b,
           const char  *code,
           const char  *message)
{
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, code);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
}

typedef enum {
  ITEM_DONE,      /* a result was written, nothing stored */
  ITEM_STORED,    /* a result was written and a template inserted */
  ITEM_DB_ERROR,  /* the transaction must be rolled back */
} ItemOutcome;

static gint64
lookup_user (RidgeExportServer *self,
             const char        *external_id,
             gboolean          *db_error)
{
  sqlite3_stmt *stmt = statement (self, "SELECT id FROM users WHERE external_id = ?");
  gint64 id = -1;
  int rc;

  if (stmt == NULL)
    {
      *db_error = TRUE;
      return -1;
    }
  sqlite3_bind_text (stmt, 1, external_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  else if (rc != SQLITE_DONE)
    *db_error = TRUE;
  sqlite3_reset (stmt);
  return id;
}

static ItemOutcome
handle_item (RidgeExportServer *self,
             JsonObject        *obj,
             JsonBuilder       *b,
             RidgeFmrRecord    *rec,
             RidgeTemplate     *scratch)
{
  Item item = { 0 };
  g_autofree char *message = NULL;
  const char *code;
  sqlite3_stmt *stmt;
  gboolean db_error = FALSE;
  gint64 user_id, id;
  ItemOutcome outcome = ITEM_DONE;
  int rc;

  item.key = get_string (obj, "idempotency_key", NULL);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "idempotency_key");
  json_builder_add_string_value (b, item.key);

  code = validate_item (obj, &item, rec, &message);
  if (code != NULL)
    {
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, "rejected");
      add_error (b, code, message);
      goto out;
    }

  /* Seen before? */
  stmt = statement (self, "SELECT id, sha256 FROM templates WHERE idempotency_key = ?");
  if (stmt == NULL)
    {
      outcome = ITEM_DB_ERROR;
      goto out;
    }
  sqlite3_bind_text (stmt, 1, item.key, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      gboolean same = g_strcmp0 ((const char *)sqlite3_column_text (stmt, 1),
                                 item.sha256) == 0;
      id = sqlite3_column_int64 (stmt, 0);
      sqlite3_reset (stmt);
      json_builder_set_member_name (b, "status");
      if (same)
        {
          json_builder_add_string_value (b, "replayed");
          add_id (b, "id", id);
        }
      else
        {
          json_builder_add_string_value (b, "conflict");
          add_error (b, "idempotency_conflict",
                     "This idempotency key was used before for different template bytes.");
        }
      goto out;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      outcome = ITEM_DB_ERROR;
      goto out;
    }

  user_id = lookup_user (self, item.user_id, &db_error);
  if (db_error)
    {
      outcome = ITEM_DB_ERROR;
      goto out;
    }

  if (self->duplicate_check)
    {
      int score = 0;
      const GalleryEntry *dup = find_duplicate (self, rec, user_id, scratch, &score);
      if (dup != NULL)
        {
          stmt = statement (self, "SELECT u.external_id, u.name, t.finger FROM templates t "
                                  "JOIN users u ON u.id = t.user_id WHERE t.id = ?");
          if (stmt == NULL)
            {
              outcome = ITEM_DB_ERROR;
              goto out;
            }
          sqlite3_bind_int64 (stmt, 1, dup->id);
          if (sqlite3_step (stmt) != SQLITE_ROW)
            {
              sqlite3_reset (stmt);
              outcome = ITEM_DB_ERROR;
              goto out;
            }
          json_builder_set_member_name (b, "status");
          json_builder_add_string_value (b, "duplicate");
          json_builder_set_member_name (b, "duplicate_of");
          json_builder_begin_object (b);
          add_id (b, "id", dup->id);
          add_user (b, (const char *)sqlite3_column_text (stmt, 0),
                    (const char *)sqlite3_column_text (stmt, 1));
          json_builder_set_member_name (b, "finger");
          json_builder_add_int_value (b, sqlite3_column_int (stmt, 2));
          json_builder_set_member_name (b, "score");
          json_builder_add_int_value (b, score);
          json_builder_end_object (b);
          sqlite3_reset (stmt);
          goto out;
        }
    }

  /* Store: the user (the latest name wins), then the template. */
  stmt = statement (self, "INSERT INTO users (external_id, name) VALUES (?, ?) "
                          "ON CONFLICT (external_id) DO UPDATE SET name = excluded.name "
                          "RETURNING id");
  if (stmt == NULL)
    {
      outcome = ITEM_DB_ERROR;
      goto out;
    }
  sqlite3_bind_text (stmt, 1, item.user_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, item.user_name, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  user_id = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : -1;
  if (rc == SQLITE_ROW)
    rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE || user_id < 0)
    {
      outcome = ITEM_DB_ERROR;
      goto out;
    }

  stmt = statement (self, "INSERT INTO templates (idempotency_key, user_id, finger, sha256, "
                          "quality, samples, terminal, captured_at, operator, created_at, "
                          "data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (stmt == NULL)
    {
      outcome = ITEM_DB_ERROR;
      goto out;
    }
  {
    g_autofree char *now = utc_now_string ();
    sqlite3_bind_text (stmt, 1, item.key, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 2, user_id);
    sqlite3_bind_int64 (stmt, 3, item.finger);
    sqlite3_bind_text (stmt, 4, item.sha256, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 5, item.quality);
    sqlite3_bind_int64 (stmt, 6, item.samples);
    if (item.terminal)
      sqlite3_bind_text (stmt, 7, item.terminal, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 8, item.captured_at, -1, SQLITE_STATIC);
    if (item.operator)
      sqlite3_bind_text (stmt, 9, item.operator, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 10, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob (stmt, 11, item.data, item.data_len, SQLITE_STATIC);
    rc = sqlite3_step (stmt);
    sqlite3_reset (stmt);
  }
  if (rc != SQLITE_DONE)
    {
      outcome = ITEM_DB_ERROR;
      goto out;
    }
  id = sqlite3_last_insert_rowid (self->db);
  if (self->duplicate_check)
    gallery_add (self, id, user_id, rec, scratch);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, "created");
  add_id (b, "id", id);
  outcome = ITEM_STORED;

out:
  json_builder_end_object (b);
  g_free (item.data);
  return outcome;
}

static gboolean
key_is_valid (JsonNode *node)
{
  JsonObject *obj;
  const char *key;
  glong n;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  obj = json_node_get_object (node);
  key = get_string (obj, "idempotency_key", NULL);
  if (key == NULL)
    return FALSE;
  n = g_utf8_strlen (key, -1);
  return n >= 1 && n <= RIDGE_EXPORT_MAX_KEY_CHARS;
}

static void
handle_batch (RidgeExportServer *self,
              SoupServerMessage *msg)
{
  g_autoptr (GBytes) body = soup_message_body_flatten (
    soup_server_message_get_request_body (msg));
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (JsonBuilder) b = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree RidgeFmrRecord *rec = NULL;
  g_autofree RidgeTemplate *scratch = NULL;
  JsonNode *items_node;
  JsonArray *items;
  guint n, mark, stored = 0;
  gsize len = 0;
  const char *data = g_bytes_get_data (body, &len);

  if (!json_parser_load_from_data (parser, data ? data : "", len, &error))
    {
      g_autofree char *m = g_strdup_printf ("The body is not JSON: %s", error->message);
      reply_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request", m);
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
      || (items_node = json_object_get_member (json_node_get_object (
                                                 json_parser_get_root (parser)), "items"))
      == NULL || !JSON_NODE_HOLDS_ARRAY (items_node))
    {
      reply_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                   "The body must be an object with an \"items\" array.");
      return;
    }
  items = json_node_get_array (items_node);
  n = json_array_get_length (items);
  if (n == 0)
    {
      reply_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request", "The batch holds no items.");
      return;
    }
  if (n > RIDGE_EXPORT_MAX_ITEMS)
    {
      g_autofree char *m = g_strdup_printf ("A batch holds at most %d items; this one has %u.",
                                            RIDGE_EXPORT_MAX_ITEMS, n);
      reply_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "batch_too_large", m);
      return;
    }
  for (guint i = 0; i < n; i++)
    if (!key_is_valid (json_array_get_element (items, i)))
      {
        g_autofree char *m = g_strdup_printf ("Item %u is not an object with an "
                                              "idempotency_key of 1 to %d characters.",
                                              i, RIDGE_EXPORT_MAX_KEY_CHARS);
        reply_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request", m);
        return;
      }

  if (sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    {
      g_message ("cannot begin a transaction: %s", sqlite3_errmsg (self->db));
      reply_retry (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable",
                   "The server's storage is not available; try again later.");
      return;
    }
  mark = self->gallery->len;
  rec = g_new0 (RidgeFmrRecord, 1);
  scratch = g_new0 (RidgeTemplate, 1);
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "results");
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *obj = json_array_get_object_element (items, i);
      ItemOutcome outcome = handle_item (self, obj, b, rec, scratch);
      if (outcome == ITEM_DB_ERROR)
        {
          int code = sqlite3_extended_errcode (self->db);
          g_message ("item %u of a batch: %s; rolled back", i, sqlite3_errmsg (self->db));
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          g_array_set_size (self->gallery, mark);
          reply_retry (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable",
                       (code & 0xff) == SQLITE_FULL
                       ? "The server's storage is full; nothing of this batch was kept."
                       : "The server's storage failed; nothing of this batch was kept.");
          return;
        }
      if (outcome == ITEM_STORED)
        {
          stored++;
          if (self->faults.exit_after > 0
              && self->committed + stored == self->faults.exit_after)
            {
              /* The nastiest restart: committed, never answered. */
              if (sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
                _exit (3);
              _exit (4);
            }
        }
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  if (sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    {
      int code = sqlite3_extended_errcode (self->db);
      g_message ("commit failed: %s; rolled back", sqlite3_errmsg (self->db));
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      g_array_set_size (self->gallery, mark);
      reply_retry (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable",
                   (code & 0xff) == SQLITE_FULL
                   ? "The server's storage is full; nothing of this batch was kept."
                   : "The server's storage failed; nothing of this batch was kept.");
      return;
    }
  self->committed += stored;
  root = json_builder_get_root (b);
  reply_json (msg, SOUP_STATUS_OK, root);
}

/* ---- Other endpoints ----------------------------------------------------------------- */

gint64
ridge_export_server_count (RidgeExportServer *self)
{
  sqlite3_stmt *stmt;
  gint64 n = -1;

  g_return_val_if_fail (RIDGE_IS_EXPORT_SERVER (self), -1);

  stmt = statement (self, "SELECT count(*) FROM templates");
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return n;
}

static void
handle_status (RidgeExportServer *self,
               SoupServerMessage *msg)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  gint64 n = ridge_export_server_count (self);

  if (n < 0)
    {
      reply_retry (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable",
                   "The server's storage is not available; try again later.");
      return;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "api");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "server");
  json_builder_add_string_value (b, SERVER_NAME);
  json_builder_set_member_name (b, "templates");
  json_builder_add_int_value (b, n);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  reply_json (msg, SOUP_STATUS_OK, root);
}

/* Columns: 0 id, 1 key, 2 external id, 3 name, 4 finger, 5 sha256, 6 quality, 7 created,
 * then (full) 8 samples, 9 terminal, 10 captured_at, 11 operator, 12 data. */
static void
add_template (JsonBuilder  *b,
              sqlite3_stmt *stmt,
              gboolean      full)
{
  json_builder_begin_object (b);
  add_id (b, "id", sqlite3_column_int64 (stmt, 0));
  json_builder_set_member_name (b, "idempotency_key");
  json_builder_add_string_value (b, (const char *)sqlite3_column_text (stmt, 1));
  add_user (b, (const char *)sqlite3_column_text (stmt, 2),
            (const char *)sqlite3_column_text (stmt, 3));
  json_builder_set_member_name (b, "finger");
  json_builder_add_int_value (b, sqlite3_column_int (stmt, 4));
  json_builder_set_member_name (b, "sha256");
  json_builder_add_string_value (b, (const char *)sqlite3_column_text (stmt, 5));
  json_builder_set_member_name (b, "quality");
  json_builder_add_int_value (b, sqlite3_column_int (stmt, 6));
  json_builder_set_member_name (b, "created_at");
  json_builder_add_string_value (b, (const char *)sqlite3_column_text (stmt, 7));
  if (full)
    {
      g_autofree char *b64 = g_base64_encode (sqlite3_column_blob (stmt, 12),
                                              sqlite3_column_bytes (stmt, 12));
      json_builder_set_member_name (b, "samples");
      json_builder_add_int_value (b, sqlite3_column_int (stmt, 8));
      json_builder_set_member_name (b, "source");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "terminal");
      if (sqlite3_column_type (stmt, 9) == SQLITE_NULL)
        json_builder_add_null_value (b);
      else
        json_builder_add_string_value (b, (const char *)sqlite3_column_text (stmt, 9));
      json_builder_set_member_name (b, "captured_at");
      json_builder_add_string_value (b, (const char *)sqlite3_column_text (stmt, 10));
      json_builder_set_member_name (b, "operator");
      if (sqlite3_column_type (stmt, 11) == SQLITE_NULL)
        json_builder_add_null_value (b);
      else
        json_builder_add_string_value (b, (const char *)sqlite3_column_text (stmt, 11));
      json_builder_end_object (b);
      json_builder_set_member_name (b, "data");
      json_builder_add_string_value (b, b64);
    }
  json_builder_end_object (b);
}

#define TEMPLATE_COLUMNS \
  "t.id, t.idempotency_key, u.external_id, u.name, t.finger, t.sha256, t.quality, " \
  "t.created_at, t.samples, t.terminal, t.captured_at, t.operator, t.data "

#define SQL_LIST \
  "SELECT " TEMPLATE_COLUMNS "FROM templates t JOIN users u ON u.id = t.user_id " \
                             "WHERE t.id > ?1 AND (?2 IS NULL OR u.external_id = ?2) " \
                             "ORDER BY t.id LIMIT ?3"
#define SQL_GET \
  "SELECT " TEMPLATE_COLUMNS "FROM templates t JOIN users u ON u.id = t.user_id " \
                             "WHERE t.id = ?"

static void
handle_list (RidgeExportServer *self,
             SoupServerMessage *msg,
             GHashTable        *query)
{
  const char *limit_s = query ? g_hash_table_lookup (query, "limit") : NULL;
  const char *after_s = query ? g_hash_table_lookup (query, "after") : NULL;
  const char *user = query ? g_hash_table_lookup (query, "user") : NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  gint64 limit = RIDGE_EXPORT_DEFAULT_PAGE, after = 0, last = 0;
  sqlite3_stmt *stmt;
  int rc, count = 0;
  gboolean more = FALSE;

  if (limit_s != NULL && (!is_decimal_id (limit_s, &limit) || limit < 1
                          || limit > RIDGE_EXPORT_MAX_PAGE))
    {
      reply_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                   "limit must be an integer from 1 to 1000.");
      return;
    }
  if (after_s != NULL && !is_decimal_id (after_s, &after))
    {
      reply_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                   "after must be a template id.");
      return;
    }
  if (user != NULL && (user[0] == '\0' || strlen (user) > 255))
    {
      reply_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                   "user must be an external user id of 1 to 255 bytes.");
      return;
    }

  stmt = statement (self, SQL_LIST);
  if (stmt == NULL)
    {
      reply_retry (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable",
                   "The server's storage is not available; try again later.");
      return;
    }
  sqlite3_bind_int64 (stmt, 1, after);
  if (user != NULL)
    sqlite3_bind_text (stmt, 2, user, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, limit + 1);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "items");
  json_builder_begin_array (b);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (count == limit)
        {
          more = TRUE;
          break;
        }
      add_template (b, stmt, FALSE);
      last = sqlite3_column_int64 (stmt, 0);
      count++;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      reply_retry (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable",
                   "The server's storage failed; try again later.");
      return;
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "next");
  if (more)
    {
      char buf[32];
      g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, last);
      json_builder_add_string_value (b, buf);
    }
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  reply_json (msg, SOUP_STATUS_OK, root);
}

static void
handle_one (RidgeExportServer *self,
            SoupServerMessage *msg,
            const char        *id_s)
{
  gint64 id;
  sqlite3_stmt *stmt;
  int rc;

  if (!is_decimal_id (id_s, &id))
    {
      reply_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "There is no such template.");
      return;
    }

  if (soup_server_message_get_method (msg) == SOUP_METHOD_DELETE)
    {
      stmt = statement (self, "DELETE FROM templates WHERE id = ?");
      if (stmt == NULL)
        rc = SQLITE_ERROR;
      else
        {
          sqlite3_bind_int64 (stmt, 1, id);
          rc = sqlite3_step (stmt);
          sqlite3_reset (stmt);
        }
      if (rc != SQLITE_DONE)
        {
          reply_retry (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable",
                       "The server's storage failed; try again later.");
          return;
        }
      if (sqlite3_changes (self->db) == 0)
        {
          reply_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "There is no such template.");
          return;
        }
      for (guint i = 0; i < self->gallery->len; i++)
        if (g_array_index (self->gallery, GalleryEntry, i).id == id)
          {
            g_array_remove_index (self->gallery, i);
            break;
          }
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
      return;
    }

  stmt = statement (self, SQL_GET);
  if (stmt == NULL)
    rc = SQLITE_ERROR;
  else
    {
      sqlite3_bind_int64 (stmt, 1, id);
      rc = sqlite3_step (stmt);
    }
  if (rc == SQLITE_ROW)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;
      add_template (b, stmt, TRUE);
      sqlite3_reset (stmt);
      root = json_builder_get_root (b);
      reply_json (msg, SOUP_STATUS_OK, root);
      return;
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    reply_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "There is no such template.");
  else
    reply_retry (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable",
                 "The server's storage failed; try again later.");
}

/* ---- Dispatch ------------------------------------------------------------------------ */

/* A body without Content-Length (chunked) is counted as it arrives; past the limit it is
 * dropped and the request marked, to be answered 413 when it ends. */
static void
count_chunk (SoupServerMessage *msg,
             GBytes            *chunk,
             gpointer           user_data)
{
  gsize total = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (msg), "ridge-body-size"));
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  total += g_bytes_get_size (chunk);
  g_object_set_data (G_OBJECT (msg), "ridge-body-size", GSIZE_TO_POINTER (total));
  if (total > RIDGE_EXPORT_MAX_BODY)
    {
      soup_message_body_set_accumulate (body, FALSE);
      soup_message_body_truncate (body);
    }
}

/* Refuses a request before its body is handled: the body is not kept (with Expect:
 * 100-continue it is not even sent), and the connection is closed after the answer. */
static void
refuse_early (SoupServerMessage *msg)
{
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
                                "close");
}

/* After the headers, before the body: token, then size. */
static void
early_handler (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  RidgeExportServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *auth = soup_message_headers_get_one (headers, "Authorization");
  goffset length;

  if (auth == NULL || g_ascii_strncasecmp (auth, "Bearer ", 7) != 0
      || !token_equal (auth + 7, self->token))
    {
      reply_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                   "The bearer token is missing or wrong.");
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "WWW-Authenticate", "Bearer realm=\"ridge\"");
      refuse_early (msg);
      return;
    }
  length = soup_message_headers_get_content_length (headers);
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
      && length > (goffset)RIDGE_EXPORT_MAX_BODY)
    {
      reply_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
                   "The request body is larger than 64 MiB.");
      refuse_early (msg);
      return;
    }
  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH)
    g_signal_connect (msg, "got-chunk", G_CALLBACK (count_chunk), NULL);
}

typedef struct {
  SoupServerMessage *msg;
  gboolean           gone;
} Stall;

static void
stall_gone (Stall *stall)
{
  stall->gone = TRUE;
}

static gboolean
stall_done (gpointer data)
{
  Stall *stall = data;

  if (!stall->gone)
    soup_server_message_unpause (stall->msg);
  g_signal_handlers_disconnect_by_data (stall->msg, stall);
  g_object_unref (stall->msg);
  g_free (stall);
  return G_SOURCE_REMOVE;
}

static void
handler (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  RidgeExportServer *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  double r_fail = g_rand_double (self->rand);
  double r_stall = g_rand_double (self->rand);
  gboolean is_get = method == SOUP_METHOD_GET;
  const char *allow = NULL;

  if (GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (msg), "ridge-body-size"))
      > RIDGE_EXPORT_MAX_BODY)
    {
      reply_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
                   "The request body is larger than 64 MiB.");
      return;
    }

  /* Injected failures: nothing is done. */
  if (r_fail < self->faults.fail_rate)
    {
      reply_error (msg, g_rand_boolean (self->rand) ? SOUP_STATUS_INTERNAL_SERVER_ERROR
                                                     : SOUP_STATUS_BAD_GATEWAY,
                   "internal", "Injected server failure.");
      return;
    }
  if (r_fail < self->faults.fail_rate + self->faults.busy_rate)
    {
      if (g_rand_boolean (self->rand))
        reply_retry (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable",
                     "The server is busy; try again later.");
      else
        reply_retry (msg, 429 /* Too Many Requests: no SOUP_STATUS_ name in 3.2 */,
                     "too_many_requests",
                     "Too many requests; try again later.");
      return;
    }

  if (strcmp (path, "/v1/status") == 0)
    {
      if (is_get)
        handle_status (self, msg);
      else
        allow = "GET";
    }
  else if (strcmp (path, "/v1/batches") == 0)
    {
      if (method == SOUP_METHOD_POST)
        {
          const char *type = soup_message_headers_get_content_type (
            soup_server_message_get_request_headers (msg), NULL);
          if (type == NULL || g_ascii_strcasecmp (type, "application/json") != 0)
            reply_error (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                         "The body must be application/json.");
          else
            handle_batch (self, msg);
        }
      else
        allow = "POST";
    }
  else if (strcmp (path, "/v1/templates") == 0)
    {
      if (is_get)
        handle_list (self, msg, query);
      else
        allow = "GET";
    }
  else if (g_str_has_prefix (path, "/v1/templates/"))
    {
      if (is_get || method == SOUP_METHOD_DELETE)
        handle_one (self, msg, path + strlen ("/v1/templates/"));
      else
        allow = "GET, DELETE";
    }
  else
    reply_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "There is no such resource.");

  if (allow != NULL)
    {
      reply_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed",
                   "This method is not allowed here.");
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", allow);
    }

  /* Injected stall: the work is done and committed, the answer comes stall_ms late. */
  if (r_stall < self->faults.stall_rate && self->faults.stall_ms > 0)
    {
      Stall *stall = g_new0 (Stall, 1);
      stall->msg = g_object_ref (msg);
      g_signal_connect_swapped (msg, "disconnected", G_CALLBACK (stall_gone), stall);
      g_signal_connect_swapped (msg, "finished", G_CALLBACK (stall_gone), stall);
      soup_server_message_pause (msg);
      g_timeout_add (self->faults.stall_ms, stall_done, stall);
    }
}

/* ---- Object -------------------------------------------------------------------------- */

static void
ridge_export_server_finalize (GObject *object)
{
  RidgeExportServer *self = RIDGE_EXPORT_SERVER (object);

  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  g_clear_pointer (&self->gallery, g_array_unref);
  g_clear_pointer (&self->rand, g_rand_free);
  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  g_free (self->db_path);
  G_OBJECT_CLASS (ridge_export_server_parent_class)->finalize (object);
}

static void
ridge_export_server_class_init (RidgeExportServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ridge_export_server_finalize;
}

static void
ridge_export_server_init (RidgeExportServer *self)
{
  self->statements = g_hash_table_new_full (NULL, NULL, NULL, statement_free);
  self->gallery = g_array_new (FALSE, TRUE, sizeof (GalleryEntry));
  g_array_set_clear_func (self->gallery, gallery_entry_clear);
  self->rand = g_rand_new_with_seed (0);
}

RidgeExportServer *
ridge_export_server_new (const char      *db_path,
                         const char      *token,
                         GTlsCertificate *certificate,
                         gboolean         duplicate_check,
                         GError         **error)
{
  g_autoptr (RidgeExportServer) self = NULL;

  g_return_val_if_fail (db_path != NULL, NULL);
  g_return_val_if_fail (token != NULL, NULL);
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  if (token[0] == '\0')
    {
      g_set_error (error, RIDGE_EXPORT_SERVER_ERROR, RIDGE_EXPORT_SERVER_ERROR_INVALID,
                   "The token must not be empty.");
      return NULL;
    }
  self = g_object_new (RIDGE_TYPE_EXPORT_SERVER, NULL);
  self->db_path = g_strdup (db_path);
  self->token = g_strdup (token);
  self->duplicate_check = duplicate_check;
  if (!open_database (self, error))
    return NULL;
  if (duplicate_check && !load_gallery (self, error))
    return NULL;

  self->soup = soup_server_new ("tls-certificate", certificate,
                                "server-header", SERVER_NAME " ",
                                NULL);
  soup_server_add_early_handler (self->soup, "/", early_handler, self, NULL);
  soup_server_add_handler (self->soup, "/", handler, self, NULL);
  return g_steal_pointer (&self);
}

void
ridge_export_server_set_faults (RidgeExportServer       *self,
                                const RidgeExportFaults *faults)
{
  g_return_if_fail (RIDGE_IS_EXPORT_SERVER (self));
  g_return_if_fail (faults != NULL);

  self->faults = *faults;
  g_rand_set_seed (self->rand, faults->seed);
}

gboolean
ridge_export_server_set_max_size (RidgeExportServer *self,
                                  guint64            bytes,
                                  GError           **error)
{
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 page_size = 4096;

  g_return_val_if_fail (RIDGE_IS_EXPORT_SERVER (self), FALSE);

  if (sqlite3_prepare_v2 (self->db, "PRAGMA page_size", -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    page_size = MAX (512, sqlite3_column_int64 (stmt, 0));
  sqlite3_finalize (stmt);
  /* 0 pages would mean "leave as is": the default maximum is SQLite's own. */
  sql = g_strdup_printf ("PRAGMA max_page_count = %" G_GUINT64_FORMAT,
                         bytes == 0 ? G_GUINT64_CONSTANT (4294967294)
                                    : MAX (bytes / (guint64)page_size, 1));
  return exec (self, sql, error);
}

gboolean
ridge_export_server_listen (RidgeExportServer *self,
                            guint              port,
                            GError           **error)
{
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, port);

  g_return_val_if_fail (RIDGE_IS_EXPORT_SERVER (self), FALSE);

  return soup_server_listen (self->soup, address, SOUP_SERVER_LISTEN_HTTPS, error);
}

guint
ridge_export_server_get_port (RidgeExportServer *self)
{
  GSList *uris;
  guint port = 0;

  g_return_val_if_fail (RIDGE_IS_EXPORT_SERVER (self), 0);

  uris = soup_server_get_uris (self->soup);
  if (uris != NULL)
    port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
  return port;
}

guint64
ridge_export_server_committed (RidgeExportServer *self)
{
  g_return_val_if_fail (RIDGE_IS_EXPORT_SERVER (self), 0);

  return self->committed;
}
