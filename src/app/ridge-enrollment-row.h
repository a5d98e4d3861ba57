/* ridge-enrollment-row.h — one row of the Enrollments table: a user's finger on the
 * terminal, in the local store, or both
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Rows are made by ridge_enrollment_rows_merge() from the terminal's TPL_LIST records and the
 * local store's records (matched by user id and finger), with the store's sync state for the
 * terminal (its serial number) and, when an export server is set up, the state of each
 * template's newest outbox item there.
 */
#pragma once

#include <gio/gio.h>

#include "core/ridge-store.h"
#include "ridge-terminal-item.h"

G_BEGIN_DECLS

#define RIDGE_TYPE_ENROLLMENT_ROW (ridge_enrollment_row_get_type ())
G_DECLARE_FINAL_TYPE (RidgeEnrollmentRow, ridge_enrollment_row, RIDGE, ENROLLMENT_ROW, GObject)

/* Properties (read-only, for the table's expressions): "name", "user-id", "finger",
 * "finger-name", "samples", "quality", "created", "created-text", "updated", "updated-text",
 * "on-terminal", "on-local", "on-server", "lives-on", "sync-state", "server-state",
 * "terminal-id", "store-id". */

const char *ridge_enrollment_row_get_name (RidgeEnrollmentRow * self);
const char *ridge_enrollment_row_get_user_id (RidgeEnrollmentRow *self);
/* The display name as stored (may be ""; get_name falls back to the user id). */
const char *ridge_enrollment_row_get_display_name (RidgeEnrollmentRow *self);
guint       ridge_enrollment_row_get_finger (RidgeEnrollmentRow *self);
guint       ridge_enrollment_row_get_samples (RidgeEnrollmentRow *self);
guint       ridge_enrollment_row_get_quality (RidgeEnrollmentRow *self);
gboolean    ridge_enrollment_row_get_on_terminal (RidgeEnrollmentRow *self);
gboolean    ridge_enrollment_row_get_on_local (RidgeEnrollmentRow *self);
gboolean    ridge_enrollment_row_get_on_server (RidgeEnrollmentRow *self);
/* "Terminal, local copy", … */
const char *ridge_enrollment_row_get_lives_on (RidgeEnrollmentRow *self);
/* The sync state with this terminal as a short sentence. */
const char *ridge_enrollment_row_get_sync_state (RidgeEnrollmentRow *self);
/* The export state at the servers, "" without servers. */
const char *ridge_enrollment_row_get_server_state (RidgeEnrollmentRow *self);
/* The terminal's record id, 0 when not on the terminal. */
guint32     ridge_enrollment_row_get_terminal_id (RidgeEnrollmentRow *self);
/* The local store's template id, 0 when not in the store. */
gint64      ridge_enrollment_row_get_store_id (RidgeEnrollmentRow *self);

/* Merges terminal records (RidgeAppTemplate, may be NULL) and store records
* (RidgeStoreRecord, may be NULL) into rows, terminal order first, then local-only ones.
* serial: the terminal's destination in the store (NULL: unknown, no sync state).
* outbox: store template id (gint64 *) → state of its newest outbox item at the export
* server ("queued", "done", …); NULL: no server, "server-state" stays "". */
GListStore *ridge_enrollment_rows_merge (GPtrArray  *terminal,
                                         GPtrArray  *local,
                                         const char *serial,
                                         GHashTable *outbox);

/* The state of destination in a store record's "dest=state,…" list; FALSE when absent. */
gboolean    ridge_enrollment_location_state (const char     *locations,
                                             const char     *destination,
                                             RidgeSyncState *state);

G_END_DECLS
