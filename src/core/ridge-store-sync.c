/* ridge-store-sync.c — two-way sync of the enrollment store with a terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-store"

#include "config.h"

#include "ridge-store-sync.h"

#include <string.h>

#include "engine/ridge-engine.h"
#include "engine/ridge-fmr.h"
#include "ridge-store-private.h"

#define FMR_BUF_SIZE 65536
/* Bound on the records one sync lists (the protocol's total is a u32). */
#define MAX_LISTED   1000000u

/* ---- Conversion ---------------------------------------------------------------------- */

static GBytes *
iso_from_enroll (const RidgeEnrollTemplate *e,
                 guint                      finger)
{
  RidgeFmrViewInfo info = { 0 };
  g_autofree guint8 *buf = g_malloc (FMR_BUF_SIZE);
  size_t len = 0;

  info.finger_position = finger;
  if (ridge_fmr_encode_enroll (e, RIDGE_FMR_FORMAT_ISO, &info, buf, FMR_BUF_SIZE, &len)
      != RIDGE_FMR_OK)
    return NULL;
  return g_bytes_new (buf, len);
}

gboolean
ridge_store_convert_record (guint8   format,
                            GBytes  *data,
                            guint    finger,
                            GBytes **iso_out,
                            GBytes **native_out,
                            GError **error)
{
  g_autofree RidgeEnrollTemplate *e = g_new0 (RidgeEnrollTemplate, 1);
  gsize len;
  const guint8 *p = g_bytes_get_data (data, &len);
  int r;

  *iso_out = NULL;
  *native_out = NULL;
  if (len == 0 || len > RIDGE_STORE_MAX_TEMPLATE)
    {
      g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_BAD_RECORD,
                   "A template must hold 1 to %d bytes, not %" G_GSIZE_FORMAT,
                   RIDGE_STORE_MAX_TEMPLATE, len);
      return FALSE;
    }
  if (format == RIDGE_TPL_NATIVE)
    {
      r = ridge_enroll_deserialize (p, len, e);
      if (r != RIDGE_ENGINE_OK)
        {
          g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_BAD_RECORD,
                       "Not a valid Ridge enrollment template: %s", ridge_engine_strerror (r));
          return FALSE;
        }
      *native_out = g_bytes_ref (data);
      *iso_out = iso_from_enroll (e, finger);
      return TRUE;
    }
  if (format == RIDGE_TPL_ISO19794 || format == RIDGE_TPL_ANSI378)
    {
      g_autofree RidgeFmrRecord *rec = g_new0 (RidgeFmrRecord, 1);
      g_autofree RidgeFmrRecord *iso = NULL;
      g_autofree guint8 *buf = NULL;
      size_t n = 0;

      r = ridge_fmr_decode (p, len, format == RIDGE_TPL_ISO19794 ? RIDGE_FMR_FORMAT_ISO
                                                                : RIDGE_FMR_FORMAT_ANSI,
                            RIDGE_FMR_DECODE_STRICT, rec);
      if (r != RIDGE_FMR_OK)
        {
          g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_BAD_RECORD,
                       "Not a valid %s record: %s (at byte %" G_GSIZE_FORMAT ")",
                       format == RIDGE_TPL_ISO19794 ? "ISO/IEC 19794-2:2005"
                                                    : "ANSI INCITS 378-2004",
                       ridge_fmr_strerror (r), rec->error_offset);
          return FALSE;
        }
      if (format == RIDGE_TPL_ISO19794)
        *iso_out = g_bytes_ref (data);
      else
        {
          iso = g_new0 (RidgeFmrRecord, 1);
          buf = g_malloc (FMR_BUF_SIZE);
          r = ridge_fmr_convert (rec, RIDGE_FMR_FORMAT_ISO, RIDGE_FMR_CONVERT_DEFAULT, iso);
          if (r == RIDGE_FMR_OK)
            r = ridge_fmr_encode (iso, buf, FMR_BUF_SIZE, &n);
          if (r != RIDGE_FMR_OK)
            {
              g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_BAD_RECORD,
                           "The ANSI record does not convert to ISO: %s",
                           ridge_fmr_strerror (r));
              return FALSE;
            }
          *iso_out = g_bytes_new (buf, n);
        }
      if (ridge_fmr_to_enroll (rec, (int)finger, e) == RIDGE_FMR_OK
          || ridge_fmr_to_enroll (rec, -1, e) == RIDGE_FMR_OK)
        {
          g_autofree guint8 *nb = g_malloc (RIDGE_ENROLL_MAX_BYTES);
          if (ridge_enroll_serialize (e, nb, RIDGE_ENROLL_MAX_BYTES, &n) == RIDGE_ENGINE_OK)
            *native_out = g_bytes_new (nb, n);
        }
      return TRUE;
    }
  g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_BAD_RECORD,
               "Unknown template format %u", format);
  return FALSE;
}

/* ---- Shared state --------------------------------------------------------------------- */

typedef struct {
  guint32 id;
  char   *user_id;
  char   *name;
  guint8  finger;
  guint8  samples;
  guint8  quality;
  guint8  format;
  gint64  created_ms;
  gint64  updated_ms;
} RemoteRecord;

typedef struct {
  RidgeStore         *store;
  RidgeSession       *session;
  char               *destination;
  char               *operator_name;
  GArray             *remote;       /* RemoteRecord */
  GHashTable         *remote_by_id; /* id → index + 1 */
  guint32             offset;
  guint               cursor;       /* next record (download) or id (upload) */
  GArray             *ids;          /* upload: template ids */
  gboolean            upload;
  RidgeStoreSyncStats stats;
} SyncOp;

static void
remote_record_clear (gpointer p)
{
  RemoteRecord *r = p;

  g_free (r->user_id);
  g_free (r->name);
}

static void
sync_op_free (gpointer p)
{
  SyncOp *op = p;

  g_clear_object (&op->store);
  g_clear_object (&op->session);
  g_free (op->destination);
  g_free (op->operator_name);
  g_clear_pointer (&op->remote, g_array_unref);
  g_clear_pointer (&op->remote_by_id, g_hash_table_unref);
  g_clear_pointer (&op->ids, g_array_unref);
  g_free (op);
}

static void download_next (GTask *task);
static void upload_next (GTask *task);

static const RemoteRecord *
remote_lookup (SyncOp *op,
               gint64  id)
{
  gpointer v;

  if (id <= 0 || id > G_MAXUINT32)
    return NULL;
  v = g_hash_table_lookup (op->remote_by_id, GUINT_TO_POINTER ((guint)id));
  return v ? &g_array_index (op->remote, RemoteRecord, GPOINTER_TO_UINT (v) - 1) : NULL;
}

/* Records a failure on the template's sync row (best effort) and counts it. */
static void
note_failure (SyncOp     *op,
              gint64      template_id,
              const char *message)
{
  RidgeStoreSync sync = { 0 };

  op->stats.failed++;
  if (template_id > 0)
    g_message ("sync with %s: template %" G_GINT64_FORMAT ": %s", op->destination, template_id,
               message);
  else
    g_message ("sync with %s: %s", op->destination, message);
  if (template_id <= 0)
    return;
  ridge_store_get_sync (op->store, template_id, op->destination, &sync, NULL);
  g_free (sync.last_error);
  sync.last_error = g_strdup (message);
  sync.last_attempt_ms = ridge_store_now_ms ();
  ridge_store_set_sync (op->store, template_id, op->destination, &sync, NULL);
  ridge_store_sync_clear (&sync);
}

static void
mark_conflict (SyncOp     *op,
               gint64      template_id,
               gint64      remote_id,
               gint64      remote_version,
               const char *why)
{
  RidgeStoreSync sync = { 0 };
  g_autoptr (GError) error = NULL;

  op->stats.conflicts++;
  ridge_store_get_sync (op->store, template_id, op->destination, &sync, NULL);
  /* remember the terminal's version seen now: resolving keeps or fetches exactly it */
  sync.state = RIDGE_SYNC_CONFLICT;
  if (sync.remote_id == 0)
    sync.remote_id = remote_id;
  sync.remote_version = remote_version;
  g_free (sync.last_error);
  sync.last_error = g_strdup (why);
  sync.last_attempt_ms = ridge_store_now_ms ();
  if (!ridge_store_set_sync (op->store, template_id, op->destination, &sync, &error))
    g_warning ("sync: cannot record a conflict: %s", error->message);
  ridge_store_sync_clear (&sync);
}

/* ---- Listing -------------------------------------------------------------------------- */

static void list_page (GTask *task);

static void
list_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  SyncOp *op = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) msg = ridge_session_request_finish (RIDGE_SESSION (source), result,
                                                               &error);
  RidgeWireMsg wire;
  RidgeWireTemplateInfo info;
  guint32 cursor = 0;
  guint n = 0;
  int r;

  if (msg == NULL || !ridge_message_decode (msg, &wire, &error))
    {
      g_prefix_error (&error, "Listing the templates of %s: ", op->destination);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  while ((r = ridge_wire_tpl_list_next (&wire.tpl_list_result, &cursor, &info)) == RIDGE_WIRE_OK
         && n < wire.tpl_list_result.n)
    {
      RemoteRecord rec = { 0 };
      rec.id = info.id;
      rec.user_id = ridge_wire_str_dup (info.user_id);
      rec.name = ridge_wire_str_dup (info.name);
      rec.finger = info.finger;
      rec.samples = info.samples;
      rec.quality = info.quality;
      rec.format = info.format;
      rec.created_ms = (gint64)MIN (info.created_unix_ms, (guint64)G_MAXINT64);
      rec.updated_ms = (gint64)MIN (info.updated_unix_ms, (guint64)G_MAXINT64);
      if (!g_hash_table_contains (op->remote_by_id, GUINT_TO_POINTER (rec.id)))
        {
          g_array_append_val (op->remote, rec);
          g_hash_table_insert (op->remote_by_id, GUINT_TO_POINTER (rec.id),
                               GUINT_TO_POINTER (op->remote->len));
        }
      else
        remote_record_clear (&rec);
      n++;
    }
  if (n < wire.tpl_list_result.n)
    {
      g_task_return_new_error (task, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_FAILED,
                               "The template list of %s is malformed: %s", op->destination,
                               ridge_wire_strerror (r));
      return;
    }
  op->offset += n;
  if (n == 0 || op->offset >= wire.tpl_list_result.total || op->remote->len >= MAX_LISTED)
    {
      op->stats.listed = op->remote->len;
      if (op->upload)
        upload_next (g_steal_pointer (&task));
      else
        download_next (g_steal_pointer (&task));
      return;
    }
  list_page (g_steal_pointer (&task));
}

static void
list_page (GTask *task)
{
  SyncOp *op = g_task_get_task_data (task);
  RidgeWireMsg msg;

  memset (&msg, 0, sizeof msg);
  msg.tpl_list.offset = op->offset;
  msg.tpl_list.max = RIDGE_WIRE_MAX_LIST;
  ridge_session_request_async (op->session, RIDGE_MSG_TPL_LIST, &msg, 0,
                               g_task_get_cancellable (task), list_done, task);
}

static GTask *
start_op (RidgeStore         *store,
          RidgeSession       *session,
          gboolean            upload,
          GCancellable       *cancellable,
          GAsyncReadyCallback callback,
          gpointer            user_data,
          gpointer            source_tag)
{
  GTask *task = g_task_new (store, cancellable, callback, user_data);
  const RidgeTerminalInfo *info = ridge_session_get_info (session);
  SyncOp *op;

  g_task_set_source_tag (task, source_tag);
  if (ridge_session_get_state (session) != RIDGE_SESSION_READY || info == NULL)
    {
      g_task_return_new_error (task, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_FAILED,
                               "Connect to the terminal before syncing");
      g_object_unref (task);
      return NULL;
    }
  if (info->serial == NULL || *info->serial == '\0')
    {
      g_task_return_new_error (task, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_FAILED,
                               "The terminal has no serial number to sync against");
      g_object_unref (task);
      return NULL;
    }
  op = g_new0 (SyncOp, 1);
  op->store = g_object_ref (store);
  op->session = g_object_ref (session);
  op->destination = g_strdup (info->serial);
  op->upload = upload;
  op->remote = g_array_new (FALSE, TRUE, sizeof (RemoteRecord));
  g_array_set_clear_func (op->remote, remote_record_clear);
  op->remote_by_id = g_hash_table_new (NULL, NULL);
  g_task_set_task_data (task, op, sync_op_free);
  return task;
}

static gboolean
finish_op (RidgeStore          *store,
           GAsyncResult        *result,
           gpointer             source_tag,
           RidgeStoreSyncStats *stats,
           GError             **error)
{
  SyncOp *op;

  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);
  op = g_task_get_task_data (G_TASK (result));
  if (stats)
    {
      if (op)
        *stats = op->stats;
      else
        memset (stats, 0, sizeof *stats);
    }
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Download ------------------------------------------------------------------------- */

static char *
external_id_for (SyncOp             *op,
                 const RemoteRecord *r)
{
  if (r->user_id && *r->user_id)
    return g_strdup (r->user_id);
  return g_strdup_printf ("%s/%u", op->destination, r->id);
}

static void
get_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  SyncOp *op = g_task_get_task_data (task);
  const RemoteRecord *r = &g_array_index (op->remote, RemoteRecord, op->cursor);
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) msg = ridge_session_request_finish (RIDGE_SESSION (source), result,
                                                               &error);
  g_autoptr (GBytes) data = NULL;
  g_autoptr (GBytes) iso = NULL;
  g_autoptr (GBytes) native = NULL;
  g_autofree char *ext = external_id_for (op, r);
  g_autofree char *name = NULL;
  gint64 existing, id;
  RidgeWireMsg wire;
  RidgeStoreTemplateData d = { 0 };
  RidgeStoreProvenance prov = { 0 };
  RidgeStoreSync sync = { 0 };
  g_autoptr (RidgeStoreTemplate) t = NULL;

  if (msg == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          || ridge_session_get_state (op->session) != RIDGE_SESSION_READY)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      note_failure (op, ridge_store_find_by_remote (op->store, op->destination, r->id, NULL),
                    error->message);
      goto next;
    }
  if (!ridge_message_decode (msg, &wire, &error))
    {
      note_failure (op, 0, error->message);
      goto next;
    }
  data = g_bytes_new (wire.template_.data.ptr, wire.template_.data.len);
  if (!ridge_store_convert_record (wire.template_.info.format, data, wire.template_.info.finger,
                                   &iso, &native, &error))
    {
      g_autofree char *m = g_strdup_printf ("terminal record %u: %s", r->id, error->message);
      note_failure (op, ridge_store_find_by_remote (op->store, op->destination, r->id, NULL), m);
      goto next;
    }
  name = ridge_wire_str_dup (wire.template_.info.name);
  d.user_external_id = ext;
  d.display_name = *name ? name : NULL;
  d.finger = MIN (wire.template_.info.finger, 10);
  d.iso_record = iso;
  d.native = native;
  d.samples = wire.template_.info.samples;
  d.quality = MIN (wire.template_.info.quality, 100);
  d.created_ms = (gint64)MIN (wire.template_.info.created_unix_ms, (guint64)G_MAXINT64);
  prov.terminal_serial = op->destination;
  prov.operator_name = op->operator_name;
  prov.action = "download";

  existing = ridge_store_find_by_remote (op->store, op->destination, r->id, NULL);
  if (!ridge_store_begin (op->store, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  id = ridge_store_put_template (op->store, &d, &prov, &error);
  if (id > 0)
    t = ridge_store_get_template (op->store, id, &error);
  if (t)
    {
      sync.state = RIDGE_SYNC_SYNCED;
      sync.remote_id = r->id;
      sync.remote_version = (gint64)MIN (wire.template_.info.updated_unix_ms,
                                         (guint64)G_MAXINT64);
      sync.synced_version = t->record->version;
      sync.last_attempt_ms = ridge_store_now_ms ();
    }
  if (t == NULL || !ridge_store_set_sync (op->store, id, op->destination, &sync, &error))
    ridge_store_rollback (op->store);
  else if (ridge_store_commit (op->store, &error))
    g_clear_error (&error);
  if (error)
    {
      /* a store that cannot be written ends the sync: nothing more would land */
      if (error->domain == RIDGE_STORE_ERROR && (error->code == RIDGE_STORE_ERROR_FULL
                                                 || error->code == RIDGE_STORE_ERROR_READ_ONLY
                                                 || error->code == RIDGE_STORE_ERROR_IO
                                                 || error->code == RIDGE_STORE_ERROR_CORRUPT))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      note_failure (op, 0, error->message);
      goto next;
    }
  if (existing > 0)
    op->stats.updated++;
  else
    op->stats.added++;

next:
  op->cursor++;
  download_next (g_steal_pointer (&task));
}

static void
fetch (GTask *task,
       guint  index)
{
  SyncOp *op = g_task_get_task_data (task);
  RidgeWireMsg msg;

  memset (&msg, 0, sizeof msg);
  msg.tpl_id.id = g_array_index (op->remote, RemoteRecord, index).id;
  ridge_session_request_async (op->session, RIDGE_MSG_TPL_GET, &msg, 0,
                               g_task_get_cancellable (task), get_done, task);
}

static void
mark_deleted (SyncOp *op)
{
  g_autoptr (GArray) ids = ridge_store_list_synced (op->store, op->destination, NULL);

  for (guint i = 0; ids && i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      RidgeStoreSync sync = { 0 };

      if (ridge_store_get_sync (op->store, id, op->destination, &sync, NULL)
          && sync.remote_id > 0 && sync.state != RIDGE_SYNC_DELETED
          && remote_lookup (op, sync.remote_id) == NULL)
        {
          sync.state = RIDGE_SYNC_DELETED;
          sync.last_attempt_ms = ridge_store_now_ms ();
          if (ridge_store_set_sync (op->store, id, op->destination, &sync, NULL))
            op->stats.deleted++;
        }
      ridge_store_sync_clear (&sync);
    }
}

static void
download_next (GTask *task)
{
  SyncOp *op = g_task_get_task_data (task);

  for (; op->cursor < op->remote->len; op->cursor++)
    {
      const RemoteRecord *r = &g_array_index (op->remote, RemoteRecord, op->cursor);
      g_autoptr (GError) error = NULL;
      gint64 tid = ridge_store_find_by_remote (op->store, op->destination, r->id, &error);
      RidgeStoreSync sync = { 0 };

      if (error)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          g_object_unref (task);
          return;
        }
      if (tid > 0)
        {
          g_autoptr (RidgeStoreTemplate) t = ridge_store_get_template (op->store, tid, NULL);
          gboolean remote_changed, local_changed;

          ridge_store_get_sync (op->store, tid, op->destination, &sync, NULL);
          remote_changed = r->updated_ms != sync.remote_version;
          local_changed = t == NULL || t->record->version != sync.synced_version;
          if (sync.state == RIDGE_SYNC_CONFLICT)
            op->stats.conflicts++;
          else if (remote_changed && local_changed)
            mark_conflict (op, tid, r->id, r->updated_ms,
                           "Changed on the terminal and in the store since the last sync");
          else if (remote_changed)
            {
              ridge_store_sync_clear (&sync);
              fetch (task, op->cursor);
              return;
            }
          else
            {
              if (sync.state == RIDGE_SYNC_DELETED)
                {
                  /* back on the terminal (e.g. restored): same version as before */
                  sync.state = local_changed ? RIDGE_SYNC_PENDING : RIDGE_SYNC_SYNCED;
                  ridge_store_set_sync (op->store, tid, op->destination, &sync, NULL);
                }
              op->stats.unchanged++;
            }
          ridge_store_sync_clear (&sync);
          continue;
        }
      else
        {
          g_autofree char *ext = external_id_for (op, r);
          gint64 local = r->finger <= 10
                         ? ridge_store_find_template_id (op->store, ext, r->finger, NULL) : 0;
          if (local > 0)
            {
              if (ridge_store_get_sync (op->store, local, op->destination, &sync, NULL)
                  && sync.remote_id > 0 && remote_lookup (op, sync.remote_id))
                /* the local template is mapped to another record of the terminal: two
                 * records for one finger there; keep the mapped one */
                op->stats.conflicts++;
              else
                mark_conflict (op, local, r->id, r->updated_ms,
                               "The terminal and the store both hold a template for this "
                               "finger that was never synced");
              ridge_store_sync_clear (&sync);
              continue;
            }
          fetch (task, op->cursor);
          return;
        }
    }
  mark_deleted (op);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

void
ridge_store_sync_download_async (RidgeStore         *store,
                                 RidgeSession       *session,
                                 const char         *operator_name,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (RIDGE_IS_STORE (store));
  g_return_if_fail (RIDGE_IS_SESSION (session));
  task = start_op (store, session, FALSE, cancellable, callback, user_data,
                   ridge_store_sync_download_async);
  if (task == NULL)
    return;
  ((SyncOp *)g_task_get_task_data (task))->operator_name = g_strdup (operator_name);
  list_page (task);
}

gboolean
ridge_store_sync_download_finish (RidgeStore          *store,
                                  GAsyncResult        *result,
                                  RidgeStoreSyncStats *stats,
                                  GError             **error)
{
  return finish_op (store, result, ridge_store_sync_download_async, stats, error);
}

/* ---- Upload --------------------------------------------------------------------------- */

static void
put_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  SyncOp *op = g_task_get_task_data (task);
  gint64 tid = g_array_index (op->ids, gint64, op->cursor);
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) msg = ridge_session_request_finish (RIDGE_SESSION (source), result,
                                                               &error);
  g_autoptr (RidgeStoreTemplate) t = NULL;
  RidgeWireMsg wire;
  RidgeStoreSync sync = { 0 };

  if (msg == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          || ridge_session_get_state (op->session) != RIDGE_SESSION_READY)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      note_failure (op, tid, error->message);
      goto next;
    }
  if (!ridge_message_decode (msg, &wire, &error))
    {
      note_failure (op, tid, error->message);
      goto next;
    }
  t = ridge_store_get_template (op->store, tid, &error);
  if (t == NULL)
    {
      note_failure (op, 0, error->message);
      goto next;
    }
  sync.state = RIDGE_SYNC_SYNCED;
  sync.remote_id = wire.template_info.id;
  sync.remote_version = (gint64)MIN (wire.template_info.updated_unix_ms, (guint64)G_MAXINT64);
  sync.synced_version = t->record->version;
  sync.last_attempt_ms = ridge_store_now_ms ();
  if (!ridge_store_set_sync (op->store, tid, op->destination, &sync, &error))
    {
      /* the terminal has it but we could not record that: the next download will see an
       * unmapped record for this finger and flag it as a conflict, never lose it */
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  op->stats.uploaded++;

next:
  op->cursor++;
  upload_next (g_steal_pointer (&task));
}

static char *
utf8_truncate (const char *s,
               gsize       max_bytes)
{
  const char *end = s;

  while (*end)
    {
      const char *n = g_utf8_next_char (end);
      if ((gsize)(n - s) > max_bytes)
        break;
      end = n;
    }
  return g_strndup (s, end - s);
}

static void
upload_next (GTask *task)
{
  SyncOp *op = g_task_get_task_data (task);

  for (; op->cursor < op->ids->len; op->cursor++)
    {
      gint64 tid = g_array_index (op->ids, gint64, op->cursor);
      g_autoptr (GError) error = NULL;
      g_autoptr (RidgeStoreTemplate) t = ridge_store_get_template (op->store, tid, &error);
      RidgeStoreSync sync = { 0 };
      gboolean have_sync;
      gint64 remote_id = 0;
      g_autofree char *name = NULL;
      GBytes *data;
      RidgeWireMsg msg;
      gsize len;

      if (t == NULL)
        {
          note_failure (op, 0, error->message);
          continue;
        }
      have_sync = ridge_store_get_sync (op->store, tid, op->destination, &sync, NULL);
      if (have_sync && sync.state == RIDGE_SYNC_CONFLICT)
        {
          op->stats.conflicts++;
          ridge_store_sync_clear (&sync);
          continue;
        }
      if (have_sync && sync.remote_id > 0)
        {
          const RemoteRecord *r = remote_lookup (op, sync.remote_id);
          if (r && r->updated_ms != sync.remote_version)
            {
              if (t->record->version != sync.synced_version)
                mark_conflict (op, tid, sync.remote_id, r->updated_ms,
                               "Changed on the terminal and in the store since the last sync");
              else
                /* only the terminal changed: a download brings it here */
                op->stats.unchanged++;
              ridge_store_sync_clear (&sync);
              continue;
            }
          if (r && sync.state == RIDGE_SYNC_SYNCED && t->record->version == sync.synced_version)
            {
              op->stats.unchanged++;
              ridge_store_sync_clear (&sync);
              continue;
            }
          if (r)
            remote_id = sync.remote_id;   /* else: deleted there, create it again */
        }
      ridge_store_sync_clear (&sync);

      data = t->native ? t->native : t->iso_record;
      g_bytes_get_data (data, &len);
      name = utf8_truncate (t->record->display_name ? t->record->display_name : "",
                            RIDGE_WIRE_STR_MAX);
      if (strlen (t->record->user_external_id) > RIDGE_WIRE_STR_MAX)
        {
          note_failure (op, tid, "The user id is longer than a terminal accepts");
          continue;
        }
      memset (&msg, 0, sizeof msg);
      msg.template_.info.id = (guint32)remote_id;
      msg.template_.info.user_id.ptr = t->record->user_external_id;
      msg.template_.info.user_id.len = strlen (t->record->user_external_id);
      msg.template_.info.name.ptr = name;
      msg.template_.info.name.len = strlen (name);
      msg.template_.info.finger = t->record->finger;
      msg.template_.info.samples = MIN (t->record->samples, 255);
      msg.template_.info.quality = t->record->quality;
      msg.template_.info.format = t->native ? RIDGE_TPL_NATIVE : RIDGE_TPL_ISO19794;
      msg.template_.info.created_unix_ms = (guint64)MAX (t->record->created_ms, 0);
      msg.template_.info.updated_unix_ms = (guint64)MAX (t->record->updated_ms, 0);
      msg.template_.info.size = len;
      msg.template_.data.ptr = g_bytes_get_data (data, NULL);
      msg.template_.data.len = len;
      /* the request is encoded before this returns: the views above may go */
      ridge_session_request_async (op->session, RIDGE_MSG_TPL_PUT, &msg, 0,
                                   g_task_get_cancellable (task), put_done, task);
      return;
    }
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

void
ridge_store_sync_upload_async (RidgeStore         *store,
                               RidgeSession       *session,
                               const gint64       *template_ids,
                               guint               n_ids,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  GTask *task;
  SyncOp *op;

  g_return_if_fail (RIDGE_IS_STORE (store));
  g_return_if_fail (RIDGE_IS_SESSION (session));
  g_return_if_fail (template_ids != NULL || n_ids == 0);
  task = start_op (store, session, TRUE, cancellable, callback, user_data,
                   ridge_store_sync_upload_async);
  if (task == NULL)
    return;
  op = g_task_get_task_data (task);
  op->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (n_ids > 0)
    g_array_append_vals (op->ids, template_ids, n_ids);
  else
    {
      g_autoptr (GError) error = NULL;
      RidgeStoreQuery q = { 0 };
      g_autoptr (GPtrArray) rows = NULL;

      q.destination = op->destination;
      q.has_state = TRUE;
      q.state = RIDGE_SYNC_PENDING;
      rows = ridge_store_list (store, &q, &error);
      if (rows == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          g_object_unref (task);
          return;
        }
      for (guint i = 0; i < rows->len; i++)
        g_array_append_val (op->ids, ((RidgeStoreRecord *)rows->pdata[i])->template_id);
    }
  list_page (task);
}

gboolean
ridge_store_sync_upload_finish (RidgeStore          *store,
                                GAsyncResult        *result,
                                RidgeStoreSyncStats *stats,
                                GError             **error)
{
  return finish_op (store, result, ridge_store_sync_upload_async, stats, error);
}

gboolean
ridge_store_sync_resolve (RidgeStore *store,
                          gint64      template_id,
                          const char *destination,
                          gboolean    keep_local,
                          GError    **error)
{
  g_autoptr (RidgeStoreTemplate) t = NULL;
  RidgeStoreSync sync = { 0 };
  GError *local = NULL;
  gboolean ok;

  g_return_val_if_fail (RIDGE_IS_STORE (store), FALSE);
  g_return_val_if_fail (destination != NULL, FALSE);
  t = ridge_store_get_template (store, template_id, error);
  if (t == NULL)
    return FALSE;
  if (!ridge_store_get_sync (store, template_id, destination, &sync, &local))
    {
      if (local)
        g_propagate_error (error, local);
      else
        g_set_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_NOT_FOUND,
                     "Template %" G_GINT64_FORMAT " has no sync state for %s", template_id,
                     destination);
      return FALSE;
    }
  if (keep_local)
    {
      /* the terminal's version seen at the conflict is the base: the upload overwrites it */
      sync.state = RIDGE_SYNC_PENDING;
    }
  else
    {
      /* forget the base on the terminal side: the next download fetches its record */
      sync.state = RIDGE_SYNC_SYNCED;
      sync.synced_version = t->record->version;
      sync.remote_version = -1;
    }
  g_clear_pointer (&sync.last_error, g_free);
  ok = ridge_store_set_sync (store, template_id, destination, &sync, error);
  ridge_store_sync_clear (&sync);
  return ok;
}
