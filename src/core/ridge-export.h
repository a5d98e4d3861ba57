/* ridge-export.h — the export client: server profiles, the outbox sender (libsoup 3)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Speaks the Ridge export API v1 (docs/export-api.md) over HTTPS with a bearer token.
 * Every export is queued in the store's outbox first (ridge_store_outbox_*), sent in
 * batches, and an item is marked done (or duplicate / rejected / conflict, with the
 * server's reason) only on the server's per-item answer. A crash, a dead server or a 5xx
 * leaves the items queued; the idempotency key "<store uuid>:<template id>:<version>" makes a
 * resend of an item the server already holds come back "replayed", never a second copy.
 *
 * Profiles live in GSettings: org.ridge.Ridge "server-profiles" (names) and one relocatable
 * org.ridge.Ridge.ServerProfile per name at /org/ridge/Ridge/server-profiles/NAME/. Tokens
 * are not in the profile: see ridge-secret.h.
 */
#pragma once

#include <gio/gio.h>

#include "ridge-store.h"

G_BEGIN_DECLS

#define RIDGE_EXPORT_ERROR (ridge_export_error_quark ())

/* Stable codes: never renumber, only append. Each has a sentence. */
typedef enum {
  RIDGE_EXPORT_ERROR_FAILED,            /* anything without a better code */
  RIDGE_EXPORT_ERROR_INVALID_PROFILE,   /* bad name, URL, batch size or certificate file */
  RIDGE_EXPORT_ERROR_NO_PROFILE,        /* no profile of that name */
  RIDGE_EXPORT_ERROR_NO_SETTINGS,       /* the GSettings schema is not installed */
  RIDGE_EXPORT_ERROR_NO_TOKEN,          /* no token for the profile */
  RIDGE_EXPORT_ERROR_UNREACHABLE,       /* refused, reset, unknown host (after N attempts) */
  RIDGE_EXPORT_ERROR_TIMED_OUT,         /* no answer in time (after N attempts) */
  RIDGE_EXPORT_ERROR_TLS_UNTRUSTED,     /* the certificate is not trusted by the system CAs */
  RIDGE_EXPORT_ERROR_TLS_PIN_MISMATCH,  /* not the pinned certificate */
  RIDGE_EXPORT_ERROR_TLS_FAILED,        /* the TLS handshake failed otherwise */
  RIDGE_EXPORT_ERROR_TOKEN_REFUSED,     /* 401 */
  RIDGE_EXPORT_ERROR_FORBIDDEN,         /* 403 */
  RIDGE_EXPORT_ERROR_SERVER,            /* 5xx (after N attempts) */
  RIDGE_EXPORT_ERROR_BUSY,              /* 429/503 (after N attempts, or Retry-After too long) */
  RIDGE_EXPORT_ERROR_REQUEST,           /* 400, 404, 413, 415: the client's request was wrong */
  RIDGE_EXPORT_ERROR_PROTOCOL,          /* the server's answer does not follow the API */
} RidgeExportErrorCode;

GQuark      ridge_export_error_quark (void);
const char *ridge_export_error_sentence (RidgeExportErrorCode code);  /* never NULL */
const char *ridge_export_error_nick (RidgeExportErrorCode code);      /* "TOKEN_REFUSED" … */

/* ---- Profiles ------------------------------------------------------------------------ */

#define RIDGE_EXPORT_DEFAULT_BATCH 100
#define RIDGE_EXPORT_MAX_BATCH     500

typedef struct {
  char *name;                /* 1..64 of [A-Za-z0-9._-]; also the outbox destination */
  char *url;                 /* https://HOST[:PORT] (no path) */
  char *pinned_certificate;  /* PEM file path, or NULL: system CAs */
  guint batch_size;          /* 1..RIDGE_EXPORT_MAX_BATCH */
} RidgeExportProfile;

#define RIDGE_TYPE_EXPORT_PROFILE (ridge_export_profile_get_type ())
GType               ridge_export_profile_get_type (void) G_GNUC_CONST;
RidgeExportProfile *ridge_export_profile_new (const char *name,
                                              const char *url,
                                              const char *pinned_certificate,
                                              guint       batch_size);
RidgeExportProfile *ridge_export_profile_copy (const RidgeExportProfile *profile);
void                ridge_export_profile_free (RidgeExportProfile *profile);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RidgeExportProfile, ridge_export_profile_free)

/* Checks name, URL, batch size and that a pinned certificate file loads. */
gboolean            ridge_export_profile_validate (const RidgeExportProfile *profile,
                                                   GError                  **error);
gboolean            ridge_export_profile_name_is_valid (const char *name);

/* GSettings (NO_SETTINGS when the schema is not installed: no abort). */
GStrv               ridge_export_profile_list (GError **error);
RidgeExportProfile *ridge_export_profile_load (const char *name,
                                               GError    **error);   /* NO_PROFILE */
gboolean            ridge_export_profile_save (const RidgeExportProfile *profile,
                                               GError                  **error);
gboolean            ridge_export_profile_remove (const char *name,
                                                 GError    **error);   /* NO_PROFILE */

/* ---- The exporter --------------------------------------------------------------------- */

/* Counters of one run (also the "progress" signal's argument). */
typedef struct {
  guint64 total;       /* items to send in this run (queued at its start) */
  guint64 sent;        /* items with a final answer so far */
  guint64 created;
  guint64 replayed;
  guint64 duplicates;
  guint64 rejected;
  guint64 conflicts;
  guint64 remaining;   /* still queued */
  guint64 queued_now;  /* newly queued by this run (ALL/USERS) */
  guint   attempt;     /* consecutive failed attempts of the current batch (0: none) */
  guint   retry_in_ms; /* > 0 while waiting before a retry */
  char   *last_error;  /* the reason of the last failed attempt, or NULL */
} RidgeExportSummary;

#define RIDGE_TYPE_EXPORT_SUMMARY (ridge_export_summary_get_type ())
GType               ridge_export_summary_get_type (void) G_GNUC_CONST;
RidgeExportSummary *ridge_export_summary_copy (const RidgeExportSummary *summary);
void                ridge_export_summary_free (RidgeExportSummary *summary);
void                ridge_export_summary_clear (RidgeExportSummary *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RidgeExportSummary, ridge_export_summary_free)

typedef enum {
  RIDGE_EXPORT_QUEUE_NONE,   /* send what is already queued */
  RIDGE_EXPORT_QUEUE_ALL,    /* queue the current version of every template first */
  RIDGE_EXPORT_QUEUE_USERS,  /* queue the templates of the given external user ids first */
} RidgeExportQueue;

#define RIDGE_TYPE_EXPORTER (ridge_exporter_get_type ())
G_DECLARE_FINAL_TYPE (RidgeExporter, ridge_exporter, RIDGE, EXPORTER, GObject);

/* The exporter opens its own connection to store's file in its worker thread. */
RidgeExporter *ridge_exporter_new (RidgeStore               *store,
                                   const RidgeExportProfile *profile,
                                   const char               *token);
const RidgeExportProfile *ridge_exporter_get_profile (RidgeExporter *self);

/* Tuning (defaults: 8 attempts, 30 s per request, backoff 500 ms … 30 s, Retry-After up
 * to 300 s is waited for). An attempt is one request; after max_attempts failed attempts
 * in a row the run stops with the last error and the items stay queued. */
void           ridge_exporter_set_max_attempts (RidgeExporter *self,
                                                guint          max_attempts);
void           ridge_exporter_set_timeout (RidgeExporter *self,
                                           guint          seconds);
void           ridge_exporter_set_backoff (RidgeExporter *self,
                                           guint          initial_ms,
                                           guint          max_ms);
void           ridge_exporter_set_max_retry_after (RidgeExporter *self,
                                                   guint          seconds);

/* GET /v1/status: checks URL, TLS and token. Returns the server's name/version. */
void           ridge_exporter_test_async (RidgeExporter      *self,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
char          *ridge_exporter_test_finish (RidgeExporter *self,
                                           GAsyncResult  *result,
                                           guint64       *server_templates,
                                           GError       **error);

/* Queues (per queue/user_ids), then sends every queued item of the profile's destination
 * in batches until none is left, the run gives up, or cancellable fires. "progress" is
 * emitted on the caller's thread-default main context after every batch and retry wait.
 * dry_run: count what would be queued and sent, send nothing, change nothing. */
void           ridge_exporter_run_async (RidgeExporter      *self,
                                         RidgeExportQueue    queue,
                                         const char *const  *user_ids,
                                         gboolean            dry_run,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data);
/* FALSE + error when the run stopped early; summary (may be NULL) is filled either way. */
gboolean       ridge_exporter_run_finish (RidgeExporter      *self,
                                          GAsyncResult       *result,
                                          RidgeExportSummary *summary,
                                          GError            **error);

G_END_DECLS
