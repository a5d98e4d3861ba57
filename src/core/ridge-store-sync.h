/* ridge-store-sync.h — two-way sync of the enrollment store with a terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The destination of a terminal is its serial number (TERMINAL_INFO.serial). Download
 * lists the terminal's records (TPL_LIST pages) and fetches (TPL_GET) the new and changed
 * ones into the store, keeping both an ISO/IEC 19794-2 record and a native template when
 * the record converts; upload sends chosen templates with TPL_PUT (native when the store has
 * it, ISO otherwise).
 *
 * Conflict rule (docs/store.md): each sync row remembers the terminal's updated time
 * (remote_version) and the local version counter (synced_version) of the last sync. A record
 * whose remote updated time AND local version both changed since then is marked `conflict`
 * and neither side is overwritten; an unmapped terminal record for a user and finger that
 * already has a local template is a conflict too. Only a changed side is copied over the
 * unchanged one. A conflict is cleared by ridge_store_sync_resolve().
 *
 * Both operations run on the session's main context; store writes happen there between
 * round trips, one transaction per record (a crash loses at most the record in flight).
 * The session must be READY; the operations make one request at a time.
 */
#pragma once

#include "ridge-session.h"
#include "ridge-store.h"

G_BEGIN_DECLS

typedef struct {
  guint listed;     /* records on the terminal */
  guint added;      /* download: new local templates */
  guint updated;    /* download: local templates replaced by a newer terminal version */
  guint uploaded;   /* upload: records written to the terminal */
  guint unchanged;  /* nothing to do */
  guint conflicts;  /* changed on both sides: left alone, marked conflict */
  guint deleted;    /* download: mapped records no longer on the terminal */
  guint failed;     /* records that could not be converted or written (see their sync row) */
} RidgeStoreSyncStats;

void     ridge_store_sync_download_async (RidgeStore         *store,
                                          RidgeSession       *session,
                                          const char         *operator_name,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
gboolean ridge_store_sync_download_finish (RidgeStore          *store,
                                           GAsyncResult        *result,
                                           RidgeStoreSyncStats *stats,
                                           GError             **error);

/* Uploads the given templates (n_ids 0: every template not synced with this terminal). */
void     ridge_store_sync_upload_async (RidgeStore         *store,
                                        RidgeSession       *session,
                                        const gint64       *template_ids,
                                        guint               n_ids,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
gboolean ridge_store_sync_upload_finish (RidgeStore          *store,
                                         GAsyncResult        *result,
                                         RidgeStoreSyncStats *stats,
                                         GError             **error);

/* Clears a conflict: keep_local TRUE makes the local template win (state pending: the next
 * upload overwrites the terminal's record), FALSE lets the terminal win (the next download
 * fetches it again). */
gboolean ridge_store_sync_resolve (RidgeStore *store,
                                   gint64      template_id,
                                   const char *destination,
                                   gboolean    keep_local,
                                   GError    **error);

/* Converts a terminal record (RidgeWireTemplateFormat + bytes) into the store's two forms;
 * either output may be NULL when that form cannot be made, not both. finger: the record's
 * finger position. Never logs the bytes. */
gboolean ridge_store_convert_record (guint8   format,
                                     GBytes  *data,
                                     guint    finger,
                                     GBytes **iso_out,
                                     GBytes **native_out,
                                     GError **error);

G_END_DECLS
