/* ridge-store.h — the local enrollment store (SQLite)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * RidgeStore keeps users, their fingers and one template per finger (an ISO/IEC 19794-2
 * record and/or the engine's native enrollment template, optional sample images), the
 * provenance of every write, the sync state of each template per destination (a terminal
 * serial or a server profile) and an export outbox for a server client. docs/store.md
 * describes the schema, the migrations, the sync conflict rule and the crash-safety test.
 *
 * The database is one SQLite file in WAL mode with foreign keys on; it and its -wal/-shm
 * files are mode 0600. Writes are transactions: a kill -9 at any moment leaves the last
 * committed state.
 *
 * Threads: a RidgeStore wraps one SQLite connection and must be used by one thread at a
 * time (it takes no lock). To use the store from several threads, open one RidgeStore per
 * thread on the same path: WAL lets readers run beside one writer, and a writer waits up to
 * RIDGE_STORE_BUSY_TIMEOUT_MS for another. The sync functions run their store writes on the
 * thread-default main context of the caller (the session's), between network round trips.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define RIDGE_STORE_ERROR (ridge_store_error_quark ())

/* Stable codes: never renumber, only append. */
typedef enum {
  RIDGE_STORE_ERROR_FAILED,        /* anything without a better code */
  RIDGE_STORE_ERROR_IO,            /* the file cannot be created, opened, read or written */
  RIDGE_STORE_ERROR_READ_ONLY,     /* the file or its folder cannot be written */
  RIDGE_STORE_ERROR_FULL,          /* the disk (or the database size limit) is full */
  RIDGE_STORE_ERROR_CORRUPT,       /* the file is not a Ridge store or is damaged */
  RIDGE_STORE_ERROR_TOO_NEW,       /* the schema is newer than this program */
  RIDGE_STORE_ERROR_BUSY,          /* another writer held the database too long */
  RIDGE_STORE_ERROR_NOT_FOUND,     /* no such user, finger or template */
  RIDGE_STORE_ERROR_INVALID,       /* an argument or a stored value is out of range */
  RIDGE_STORE_ERROR_CONFLICT,      /* changed on both sides since the last sync */
  RIDGE_STORE_ERROR_BAD_RECORD,    /* a template or record does not decode */
  RIDGE_STORE_ERROR_HASH_MISMATCH, /* a bundle file's SHA-256 differs from its manifest */
} RidgeStoreErrorCode;

GQuark ridge_store_error_quark (void);

#define RIDGE_STORE_SCHEMA_VERSION  3
#define RIDGE_STORE_BUSY_TIMEOUT_MS 5000
/* Largest template or record the store accepts (bytes). */
#define RIDGE_STORE_MAX_TEMPLATE    (256 * 1024)
/* Largest sample image (pixels). */
#define RIDGE_STORE_MAX_IMAGE       (2048 * 2048)

typedef enum {
  RIDGE_SYNC_PENDING,   /* changed locally since the last sync: to be sent */
  RIDGE_SYNC_SYNCED,    /* both sides hold the same version */
  RIDGE_SYNC_CONFLICT,  /* changed on both sides: neither side is overwritten */
  RIDGE_SYNC_DELETED,   /* the destination no longer holds the record */
} RidgeSyncState;

const char *ridge_sync_state_to_string (RidgeSyncState state);   /* "pending" … */
gboolean    ridge_sync_state_from_string (const char     *s,
                                          RidgeSyncState *out);

/* An 8-bit grey sample image. */
typedef struct {
  guint   width;
  guint   height;
  GBytes *pixels;   /* width × height bytes */
} RidgeStoreImage;

void ridge_store_image_clear (RidgeStoreImage *image);

/* Where a template came from. */
typedef struct {
  const char *terminal_serial;  /* NULL: not from a terminal */
  const char *operator_name;    /* NULL: unknown */
  const char *action;           /* "enroll", "download", "import" … NULL: "write" */
} RidgeStoreProvenance;

/* What a template write carries. iso_record and/or native must be set. */
typedef struct {
  const char            *user_external_id;  /* required, 1..255 bytes of UTF-8 */
  const char            *display_name;      /* NULL keeps the user's name ("" for a new one) */
  guint                  finger;            /* ISO finger position 0..10 */
  GBytes                *iso_record;        /* ISO/IEC 19794-2:2005, strict; may be NULL */
  GBytes                *native;            /* ridge_enroll_serialize() bytes; may be NULL */
  guint                  samples;
  guint                  quality;           /* 0..100 */
  const RidgeStoreImage *images;            /* may be NULL */
  guint                  n_images;          /* NULL images: keep the stored ones */
  gint64                 created_ms;        /* 0: now (new templates only) */
} RidgeStoreTemplateData;

/* One row of the management table. */
typedef struct {
  gint64   template_id;
  gint64   user_id;
  char    *user_external_id;
  char    *display_name;
  guint    finger;
  guint    samples;
  guint    n_images;
  guint    quality;
  gint64   version;
  gint64   created_ms;
  gint64   updated_ms;
  gboolean has_iso;
  gboolean has_native;
  /* "destination=state" pairs, e.g. "T-0001=synced,T-0002=conflict"; "" when local only */
  char *locations;
} RidgeStoreRecord;

#define RIDGE_TYPE_STORE_RECORD (ridge_store_record_get_type ())
GType             ridge_store_record_get_type (void) G_GNUC_CONST;
RidgeStoreRecord *ridge_store_record_copy (const RidgeStoreRecord *rec);
void              ridge_store_record_free (RidgeStoreRecord *rec);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RidgeStoreRecord, ridge_store_record_free)

/* The sync state of one template at one destination. */
typedef struct {
  RidgeSyncState state;
  gint64         remote_id;        /* 0: not yet on the destination */
  gint64         remote_version;   /* the destination's updated time (ms) at the last sync */
  gint64         synced_version;   /* the local version counter at the last sync */
  gint64         last_attempt_ms;  /* 0: never */
  char          *last_error;       /* NULL: none */
} RidgeStoreSync;

void ridge_store_sync_clear (RidgeStoreSync *sync);

/* A template with its bytes (ridge_store_get_template). */
typedef struct {
  RidgeStoreRecord *record;
  GBytes           *iso_record;  /* NULL if absent */
  GBytes           *native;      /* NULL if absent */
  GPtrArray        *images;      /* of RidgeStoreImage *, in sample order */
} RidgeStoreTemplate;

void ridge_store_template_free (RidgeStoreTemplate *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RidgeStoreTemplate, ridge_store_template_free)

/* An outbox item for the server client. */
typedef struct {
  gint64 id;
  gint64 template_id;
  gint64 template_version;
  char  *destination;
  char  *idempotency_key;   /* "<store uuid>:<template id>:<version>" (schema 3; unique per
                             * destination) */
  guint  attempts;
  gint64 next_attempt_ms;
  char  *state;             /* "queued", "done", "duplicate", "rejected", "conflict",
                             * "superseded", "failed" (see docs/store.md, Outbox) */
  char  *last_error;        /* the last failed attempt's reason, or the final reason */
  char  *remote_id;         /* the server's id (done, duplicate: the other template's) */
  gint64 finished_ms;       /* when it reached a final state; 0: queued */
} RidgeStoreOutboxItem;

/* Final states of an outbox item (ridge_store_outbox_finish). */
typedef enum {
  RIDGE_OUTBOX_DONE,        /* the server holds it (created or replayed) */
  RIDGE_OUTBOX_DUPLICATE,   /* the server refused it: the finger is enrolled under another user */
  RIDGE_OUTBOX_REJECTED,    /* the server refused the template */
  RIDGE_OUTBOX_CONFLICT,    /* the key was seen with other bytes */
  RIDGE_OUTBOX_SUPERSEDED,  /* a newer version of the template was queued before it was sent */
  RIDGE_OUTBOX_FAILED,      /* cannot be sent at all (e.g. no record can be made) */
} RidgeOutboxFinal;

const char *ridge_outbox_final_to_string (RidgeOutboxFinal state);   /* "done" … */

/* Export status of one destination (ridge_store_export_status). */
typedef struct {
  char  *destination;
  gint64 queued;
  gint64 done;
  gint64 duplicates;
  gint64 rejected;
  gint64 conflicts;
  gint64 failed;           /* failed + superseded */
  gint64 last_run_ms;      /* start of the last run; 0: never */
  gint64 last_success_ms;  /* end of the last run that emptied the queue; 0: never */
  char  *last_error;       /* the last run's error, NULL when it succeeded */
} RidgeStoreExportStatus;

void ridge_store_export_status_free (RidgeStoreExportStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RidgeStoreExportStatus, ridge_store_export_status_free)

void ridge_store_outbox_item_free (RidgeStoreOutboxItem *item);

/* Filter of ridge_store_list(); every field is optional (zeroed = no filter). */
typedef struct {
  const char *text;           /* literal substring of the display name or external id */
  gboolean    has_finger;     /* TRUE: only templates of finger position `finger` */
  gint        finger;
  gboolean    has_state;      /* TRUE: only templates in `state` at `destination` (never
                               * synced there counts as RIDGE_SYNC_PENDING) */
  const char    *destination;
  RidgeSyncState state;
} RidgeStoreQuery;

#define RIDGE_TYPE_STORE (ridge_store_get_type ())
G_DECLARE_FINAL_TYPE (RidgeStore, ridge_store, RIDGE, STORE, GObject)

/* Opens the store at path, creating it (mode 0600) and migrating its schema to
 * RIDGE_STORE_SCHEMA_VERSION. A file that is not a Ridge store gives
 * RIDGE_STORE_ERROR_CORRUPT and is left untouched. */
RidgeStore *ridge_store_new (const char *path,
                             GError    **error);
const char *ridge_store_get_path (RidgeStore *self);
int         ridge_store_get_schema_version (RidgeStore *self);

/* Opens with migrations only up to target_version (tests of the migration steps). */
RidgeStore *ridge_store_new_at_version (const char *path,
                                        int         target_version,
                                        GError    **error);

/* PRAGMA integrity_check: TRUE if "ok"; otherwise the first problem in the error. */
gboolean    ridge_store_check_integrity (RidgeStore *self,
                                         GError    **error);

/* Explicit transactions for multi-step writes (BEGIN IMMEDIATE … COMMIT). They nest:
 * an inner pair is a savepoint. Every public write is itself atomic. */
gboolean    ridge_store_begin (RidgeStore *self,
                               GError    **error);
gboolean    ridge_store_commit (RidgeStore *self,
                                GError    **error);
void        ridge_store_rollback (RidgeStore *self);

/* Users */
gint64      ridge_store_ensure_user (RidgeStore *self,
                                     const char *external_id,
                                     const char *display_name,
                                     GError    **error);
gint64      ridge_store_find_user_id (RidgeStore *self,
                                      const char *external_id,
                                      GError    **error);    /* 0 + no error: none */
gboolean    ridge_store_rename_user (RidgeStore *self,
                                     gint64      user_id,
                                     const char *display_name,
                                     GError    **error);
/* Deletes the user with their fingers, templates, images, provenance and sync state. */
gboolean    ridge_store_remove_user (RidgeStore *self,
                                     gint64      user_id,
                                     GError    **error);

/* Templates: creates the user and finger as needed; replaces the finger's template if it
 * has one (version + 1) and marks it pending at every destination. Returns the template id,
 * or 0 with error set. Validates the ISO record (strict) and the native template. */
gint64      ridge_store_put_template (RidgeStore                   *self,
                                      const RidgeStoreTemplateData *data,
                                      const RidgeStoreProvenance   *provenance,
                                      GError                      **error);
RidgeStoreTemplate *ridge_store_get_template (RidgeStore *self,
                                              gint64      template_id,
                                              GError    **error);
gint64      ridge_store_find_template_id (RidgeStore *self,
                                          const char *user_external_id,
                                          guint       finger,
                                          GError    **error);  /* 0 + no error: none */
gboolean    ridge_store_remove_template (RidgeStore *self,
                                         gint64      template_id,
                                         GError    **error);

/* The management table, ordered by display name, external id, finger. */
GPtrArray  *ridge_store_list (RidgeStore            *self,
                              const RidgeStoreQuery *query,
                              GError               **error);   /* of RidgeStoreRecord * */
/* Counts rows of a table ("users", "fingers", "templates", "sample_images", "provenance",
 * "sync_state", "outbox"); -1 on error. */
gint64      ridge_store_count_rows (RidgeStore *self,
                                    const char *table,
                                    GError    **error);

/* Provenance of a template, oldest first, as "time_ms|serial|operator|action" lines. */
GStrv       ridge_store_get_provenance (RidgeStore *self,
                                        gint64      template_id,
                                        GError    **error);

/* Sync state. get: FALSE + no error when there is no row. */
gboolean    ridge_store_get_sync (RidgeStore     *self,
                                  gint64          template_id,
                                  const char     *destination,
                                  RidgeStoreSync *out,
                                  GError        **error);
gboolean    ridge_store_set_sync (RidgeStore           *self,
                                  gint64                template_id,
                                  const char           *destination,
                                  const RidgeStoreSync *sync,
                                  GError              **error);
/* Template id mapped to remote_id at destination; 0 + no error: none. */
gint64      ridge_store_find_by_remote (RidgeStore *self,
                                        const char *destination,
                                        gint64      remote_id,
                                        GError    **error);
/* Templates with a sync row at destination (ids). */
GArray     *ridge_store_list_synced (RidgeStore *self,
                                     const char *destination,
                                     GError    **error);      /* of gint64 */

/* Outbox: queues the template's current version for destination (idempotent: queuing the
 * same version twice keeps one item). Returns the item id or 0 with error. */
gint64      ridge_store_outbox_enqueue (RidgeStore *self,
                                        gint64      template_id,
                                        const char *destination,
                                        GError    **error);
/* Items due at now_ms (state queued, next attempt ≤ now), oldest first, at most max. */
GPtrArray  *ridge_store_outbox_due (RidgeStore *self,
                                    gint64      now_ms,
                                    guint       max,
                                    GError    **error);       /* of RidgeStoreOutboxItem * */
/* Records an attempt: done, or failed with a retry at next_attempt_ms (0: give up). */
gboolean    ridge_store_outbox_mark (RidgeStore *self,
                                     gint64      item_id,
                                     gboolean    done,
                                     const char *error_text,
                                     gint64      next_attempt_ms,
                                     GError    **error);

/* The store's UUID (made by the schema-3 migration; never changes; a copied file keeps it). */
const char *ridge_store_get_uuid (RidgeStore *self);

/* Queues the current version of every template (user_ids NULL) or of the given users'
 * templates for destination, in one transaction; older queued versions of the same
 * templates become "superseded". Returns how many items were newly queued, -1 on error. */
gint64      ridge_store_outbox_enqueue_all (RidgeStore        *self,
                                            const char        *destination,
                                            const char *const *user_ids,
                                            GError           **error);
/* Queued items of destination with id > after_id, by id, at most max (any next attempt). */
GPtrArray  *ridge_store_outbox_queued (RidgeStore *self,
                                       const char *destination,
                                       gint64      after_id,
                                       guint       max,
                                       GError    **error);   /* of RidgeStoreOutboxItem * */
/* Items of destination in state (NULL: all), by id. */
GPtrArray  *ridge_store_outbox_list (RidgeStore *self,
                                     const char *destination,
                                     const char *state,
                                     GError    **error);     /* of RidgeStoreOutboxItem * */
/* A final answer for a queued item: state, the server id (or NULL), the reason (or NULL).
 * An item that is no longer queued is left as it is (FALSE + no error). */
gboolean    ridge_store_outbox_finish (RidgeStore      *self,
                                       gint64           item_id,
                                       RidgeOutboxFinal state,
                                       const char      *remote_id,
                                       const char      *reason,
                                       GError         **error);
/* A failed attempt for the items: attempts + 1, last_error, next attempt; stays queued. */
gboolean    ridge_store_outbox_retry (RidgeStore   *self,
                                      const gint64 *item_ids,
                                      guint         n_items,
                                      const char   *error_text,
                                      gint64        next_attempt_ms,
                                      GError      **error);
/* Counts per state of destination (one row) or of every destination with an outbox item or
 * a run (destination NULL), by destination. */
GPtrArray  *ridge_store_export_status (RidgeStore *self,
                                       const char *destination,
                                       GError    **error);   /* of RidgeStoreExportStatus * */
/* Records a run: its start, and on success (error_text NULL) the success time. */
gboolean    ridge_store_set_export_run (RidgeStore *self,
                                        const char *destination,
                                        gint64      started_ms,
                                        gint64      finished_ms,
                                        const char *error_text,
                                        GError    **error);

G_END_DECLS
