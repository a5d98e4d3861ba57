/* ridge-store-outbox.c — the export outbox of the store: queueing, final answers, status
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The outbox holds one item per (destination, template version). Items stay "queued" until
 * the server gives a final per-item answer; failed attempts only count up and keep the last
 * reason. docs/store.md (Outbox) describes the states.
 */
#define G_LOG_DOMAIN "ridge-store"

#include "config.h"

#include "ridge-store-private.h"

#include <string.h>

static const char *const final_names[] = {
  [RIDGE_OUTBOX_DONE] = "done",
  [RIDGE_OUTBOX_DUPLICATE] = "duplicate",
  [RIDGE_OUTBOX_REJECTED] = "rejected",
  [RIDGE_OUTBOX_CONFLICT] = "conflict",
  [RIDGE_OUTBOX_SUPERSEDED] = "superseded",
  [RIDGE_OUTBOX_FAILED] = "failed",
};

const char *
ridge_outbox_final_to_string (RidgeOutboxFinal state)
{
  g_return_val_if_fail ((guint)state < G_N_ELEMENTS (final_names), "failed");
  return final_names[state];
}

void
ridge_store_export_status_free (RidgeStoreExportStatus *status)
{
  if (status == NULL)
    return;
  g_free (status->destination);
  g_free (status->last_error);
  g_free (status);
}

static char *
dup_text (sqlite3_stmt *stmt,
          int           i)
{
  const unsigned char *s = sqlite3_column_text (stmt, i);

  return s ? g_strdup ((const char *)s) : NULL;
}

const char *
ridge_store_get_uuid (RidgeStore *self)
{
  const char *uuid;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (RIDGE_IS_STORE (self), NULL);
  uuid = g_object_get_data (G_OBJECT (self), "ridge-store-uuid");
  if (uuid)
    return uuid;
  /* Made by the schema-3 migration; a store opened at an older version has none. */
  stmt = ridge_store_prepare (self, "SELECT value FROM store_meta WHERE key = 'uuid'", NULL);
  if (stmt == NULL)
    return "";
  if (sqlite3_step (stmt) == SQLITE_ROW)
    g_object_set_data_full (G_OBJECT (self), "ridge-store-uuid", dup_text (stmt, 0), g_free);
  sqlite3_finalize (stmt);
  uuid = g_object_get_data (G_OBJECT (self), "ridge-store-uuid");
  return uuid ? uuid : "";
}

gint64
ridge_store_outbox_enqueue_all (RidgeStore        *self,
                                const char        *destination,
                                const char *const *user_ids,
                                GError           **error)
{
  g_autoptr (GString) sql = g_string_new (NULL);
  sqlite3_stmt *stmt;
  gint64 added;
  guint n_users = user_ids ? g_strv_length ((char **)user_ids) : 0;

  g_return_val_if_fail (RIDGE_IS_STORE (self), -1);
  g_return_val_if_fail (destination != NULL && *destination, -1);
  if (*ridge_store_get_uuid (self) == '\0')
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_INVALID,
                   "The enrollment store has no UUID (schema below 3)");
      return -1;
    }
  if (user_ids != NULL && n_users == 0)
    return 0;
  if (!ridge_store_begin (self, error))
    return -1;

  /* Older queued versions of the templates being queued are superseded. */
  g_string_append (sql, "UPDATE outbox SET state = 'superseded', finished_ms = ?2 "
                        "WHERE destination = ?1 AND state = 'queued' AND template_version < "
                        "(SELECT t.version FROM templates t WHERE t.id = outbox.template_id)");
  if (user_ids)
    {
      g_string_append (sql, " AND template_id IN (SELECT t.id FROM templates t JOIN fingers f "
                            "ON f.id = t.finger_id JOIN users u ON u.id = f.user_id WHERE "
                            "u.external_id IN (");
      for (guint i = 0; i < n_users; i++)
        g_string_append_printf (sql, "%s?%u", i ? ", " : "", i + 3);
      g_string_append (sql, "))");
    }
  stmt = ridge_store_prepare (self, sql->str, error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, destination, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, ridge_store_now_ms ());
  for (guint i = 0; i < n_users; i++)
    sqlite3_bind_text (stmt, i + 3, user_ids[i], -1, SQLITE_TRANSIENT);
  if (!ridge_store_step_done (self, stmt, error))
    goto fail;

  g_string_truncate (sql, 0);
  g_string_append (sql, "INSERT INTO outbox (template_id, template_version, destination, "
                        "idempotency_key, next_attempt_ms, created_ms) "
                        "SELECT t.id, t.version, ?1, ?3 || ':' || t.id || ':' || t.version, ?2, ?2 "
                        "FROM templates t");
  if (user_ids)
    {
      g_string_append (sql, " JOIN fingers f ON f.id = t.finger_id JOIN users u ON "
                            "u.id = f.user_id WHERE u.external_id IN (");
      for (guint i = 0; i < n_users; i++)
        g_string_append_printf (sql, "%s?%u", i ? ", " : "", i + 4);
      g_string_append (sql, ")");
    }
  else
    g_string_append (sql, " WHERE true");
  g_string_append (sql, " ORDER BY t.id ON CONFLICT (destination, idempotency_key) DO NOTHING");
  stmt = ridge_store_prepare (self, sql->str, error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, destination, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, ridge_store_now_ms ());
  sqlite3_bind_text (stmt, 3, ridge_store_get_uuid (self), -1, SQLITE_TRANSIENT);
  for (guint i = 0; i < n_users; i++)
    sqlite3_bind_text (stmt, i + 4, user_ids[i], -1, SQLITE_TRANSIENT);
  if (!ridge_store_step_done (self, stmt, error))
    goto fail;
  added = sqlite3_changes64 (ridge_store_get_db (self));
  if (!ridge_store_commit (self, error))
    return -1;
  return added;

fail:
  ridge_store_rollback (self);
  return -1;
}

static const char sql_queued[] =
  "SELECT id, template_id, template_version, destination, idempotency_key, attempts, "
  "next_attempt_ms, state, last_error, remote_id, finished_ms FROM outbox "
  "WHERE destination = ? AND state = 'queued' AND id > ? ORDER BY id LIMIT ?";

static const char sql_list[] =
  "SELECT id, template_id, template_version, destination, idempotency_key, attempts, "
  "next_attempt_ms, state, last_error, remote_id, finished_ms FROM outbox "
  "WHERE destination = ?1 AND (?2 IS NULL OR state = ?2) ORDER BY id";

#define COUNT_STATE(cond) \
  " (SELECT count(*) FROM outbox o WHERE o.destination = d.destination AND " cond "),"

static const char sql_status[] =
  "WITH d (destination) AS (SELECT destination FROM outbox UNION "
  "  SELECT destination FROM export_runs UNION SELECT ?1) "
  "SELECT d.destination,"
  COUNT_STATE ("o.state = 'queued'")
  COUNT_STATE ("o.state = 'done'")
  COUNT_STATE ("o.state = 'duplicate'")
  COUNT_STATE ("o.state = 'rejected'")
  COUNT_STATE ("o.state = 'conflict'")
  COUNT_STATE ("o.state IN ('failed', 'superseded')")
  " coalesce (r.last_run_ms, 0), coalesce (r.last_success_ms, 0), r.last_error "
  "FROM d LEFT JOIN export_runs r ON r.destination = d.destination "
  "WHERE d.destination IS NOT NULL AND (?1 IS NULL OR d.destination = ?1) "
  "ORDER BY d.destination";

static const char sql_set_run[] =
  "INSERT INTO export_runs (destination, last_run_ms, last_finished_ms, last_success_ms, "
  "  last_error) VALUES (?1, ?2, ?3, CASE WHEN ?4 IS NULL THEN ?3 ELSE 0 END, ?4) "
  "ON CONFLICT (destination) DO UPDATE SET last_run_ms = ?2, last_finished_ms = ?3, "
  "  last_success_ms = CASE WHEN ?4 IS NULL THEN ?3 ELSE last_success_ms END, "
  "  last_error = ?4";

static GPtrArray *
read_items (RidgeStore   *self,
            sqlite3_stmt *stmt,
            GError      **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (
    (GDestroyNotify)ridge_store_outbox_item_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      RidgeStoreOutboxItem *it = g_new0 (RidgeStoreOutboxItem, 1);
      it->id = sqlite3_column_int64 (stmt, 0);
      it->template_id = sqlite3_column_int64 (stmt, 1);
      it->template_version = sqlite3_column_int64 (stmt, 2);
      it->destination = dup_text (stmt, 3);
      it->idempotency_key = dup_text (stmt, 4);
      it->attempts = sqlite3_column_int (stmt, 5);
      it->next_attempt_ms = sqlite3_column_int64 (stmt, 6);
      it->state = dup_text (stmt, 7);
      it->last_error = dup_text (stmt, 8);
      it->remote_id = dup_text (stmt, 9);
      it->finished_ms = sqlite3_column_int64 (stmt, 10);
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

GPtrArray *
ridge_store_outbox_queued (RidgeStore *self,
                           const char *destination,
                           gint64      after_id,
                           guint       max,
                           GError    **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (RIDGE_IS_STORE (self), NULL);
  g_return_val_if_fail (destination != NULL, NULL);
  stmt = ridge_store_prepare (self, sql_queued, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, destination, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, after_id);
  sqlite3_bind_int64 (stmt, 3, max);
  return read_items (self, stmt, error);
}

GPtrArray *
ridge_store_outbox_list (RidgeStore *self,
                         const char *destination,
                         const char *state,
                         GError    **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (RIDGE_IS_STORE (self), NULL);
  g_return_val_if_fail (destination != NULL, NULL);
  stmt = ridge_store_prepare (self, sql_list, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, destination, -1, SQLITE_TRANSIENT);
  if (state)
    sqlite3_bind_text (stmt, 2, state, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 2);
  return read_items (self, stmt, error);
}

gboolean
ridge_store_outbox_finish (RidgeStore      *self,
                           gint64           item_id,
                           RidgeOutboxFinal state,
                           const char      *remote_id,
                           const char      *reason,
                           GError         **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (RIDGE_IS_STORE (self), FALSE);
  g_return_val_if_fail ((guint)state < G_N_ELEMENTS (final_names), FALSE);
  stmt = ridge_store_prepare (self, "UPDATE outbox SET attempts = attempts + 1, state = ?, "
                                    "remote_id = ?, last_error = ?, finished_ms = ? "
                                    "WHERE id = ? AND state = 'queued'", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, final_names[state], -1, SQLITE_STATIC);
  if (remote_id)
    sqlite3_bind_text (stmt, 2, remote_id, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 2);
  if (reason)
    sqlite3_bind_text (stmt, 3, reason, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 3);
  sqlite3_bind_int64 (stmt, 4, ridge_store_now_ms ());
  sqlite3_bind_int64 (stmt, 5, item_id);
  if (!ridge_store_step_done (self, stmt, error))
    return FALSE;
  return sqlite3_changes (ridge_store_get_db (self)) > 0;
}

gboolean
ridge_store_outbox_retry (RidgeStore   *self,
                          const gint64 *item_ids,
                          guint         n_items,
                          const char   *error_text,
                          gint64        next_attempt_ms,
                          GError      **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (RIDGE_IS_STORE (self), FALSE);
  g_return_val_if_fail (n_items == 0 || item_ids != NULL, FALSE);
  if (n_items == 0)
    return TRUE;
  if (!ridge_store_begin (self, error))
    return FALSE;
  stmt = ridge_store_prepare (self, "UPDATE outbox SET attempts = attempts + 1, last_error = ?, "
                                    "next_attempt_ms = ? WHERE id = ? AND state = 'queued'",
                              error);
  if (stmt == NULL)
    goto fail;
  for (guint i = 0; i < n_items; i++)
    {
      int rc;
      sqlite3_reset (stmt);
      if (error_text)
        sqlite3_bind_text (stmt, 1, error_text, -1, SQLITE_TRANSIENT);
      else
        sqlite3_bind_null (stmt, 1);
      sqlite3_bind_int64 (stmt, 2, next_attempt_ms);
      sqlite3_bind_int64 (stmt, 3, item_ids[i]);
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_DONE)
        {
          ridge_store_set_sqlite_error (self, error, rc, "outbox");
          sqlite3_finalize (stmt);
          goto fail;
        }
    }
  sqlite3_finalize (stmt);
  return ridge_store_commit (self, error);

fail:
  ridge_store_rollback (self);
  return FALSE;
}

GPtrArray *
ridge_store_export_status (RidgeStore *self,
                           const char *destination,
                           GError    **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (
    (GDestroyNotify)ridge_store_export_status_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (RIDGE_IS_STORE (self), NULL);
  stmt = ridge_store_prepare (self, sql_status, error);
  if (stmt == NULL)
    return NULL;
  if (destination)
    sqlite3_bind_text (stmt, 1, destination, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 1);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      RidgeStoreExportStatus *st = g_new0 (RidgeStoreExportStatus, 1);
      st->destination = dup_text (stmt, 0);
      st->queued = sqlite3_column_int64 (stmt, 1);
      st->done = sqlite3_column_int64 (stmt, 2);
      st->duplicates = sqlite3_column_int64 (stmt, 3);
      st->rejected = sqlite3_column_int64 (stmt, 4);
      st->conflicts = sqlite3_column_int64 (stmt, 5);
      st->failed = sqlite3_column_int64 (stmt, 6);
      st->last_run_ms = sqlite3_column_int64 (stmt, 7);
      st->last_success_ms = sqlite3_column_int64 (stmt, 8);
      st->last_error = dup_text (stmt, 9);
      g_ptr_array_add (out, st);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      ridge_store_set_sqlite_error (self, error, rc, "export status");
      return NULL;
    }
  return g_steal_pointer (&out);
}

gboolean
ridge_store_set_export_run (RidgeStore *self,
                            const char *destination,
                            gint64      started_ms,
                            gint64      finished_ms,
                            const char *error_text,
                            GError    **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (RIDGE_IS_STORE (self), FALSE);
  g_return_val_if_fail (destination != NULL && *destination, FALSE);
  stmt = ridge_store_prepare (self, sql_set_run, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, destination, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, started_ms);
  sqlite3_bind_int64 (stmt, 3, finished_ms);
  if (error_text)
    sqlite3_bind_text (stmt, 4, error_text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 4);
  return ridge_store_step_done (self, stmt, error);
}
