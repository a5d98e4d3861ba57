/* ridge-export-server.h — the export API v1 over HTTPS (docs/export-api.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A SoupServer that serves /v1/status, /v1/batches and /v1/templates from one SQLite file,
 * checks the bearer token, validates every uploaded ISO/IEC 19794-2:2005 record with the
 * engine's decoder, checks new templates against the other users' with the Ridge matcher
 * and commits each request's writes before it answers. Fault injection (5xx, 503/429 with
 * Retry-After, stalls, exit after N items) serves the export client's tests.
 *
 * Runs on the thread-default main context of the thread that created it; not thread-safe.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define RIDGE_EXPORT_SERVER_ERROR (ridge_export_server_error_quark ())

typedef enum {
  RIDGE_EXPORT_SERVER_ERROR_DB,       /* the database cannot be opened or is not ours */
  RIDGE_EXPORT_SERVER_ERROR_INVALID,  /* bad settings */
} RidgeExportServerError;

GQuark ridge_export_server_error_quark (void);

#define RIDGE_EXPORT_MAX_ITEMS        500
#define RIDGE_EXPORT_MAX_BODY         (64u * 1024u * 1024u)
#define RIDGE_EXPORT_MAX_RECORD       (256u * 1024u)
#define RIDGE_EXPORT_MAX_KEY_CHARS    200
#define RIDGE_EXPORT_MAX_PAGE         1000
#define RIDGE_EXPORT_DEFAULT_PAGE     100

/* Fault injection; all zero = none. Rates are probabilities 0..1 drawn per request from a
 * GRand seeded with seed (the same seed gives the same sequence of decisions). */
typedef struct {
  double  fail_rate;    /* 500/502 before anything is done */
  double  busy_rate;    /* 503 or 429 with Retry-After: 1, before anything is done */
  double  stall_rate;   /* the request is handled (and committed) but answered stall_ms late */
  guint   stall_ms;
  guint64 exit_after;   /* _exit(3) once this many items are committed, before answering */
  guint32 seed;
} RidgeExportFaults;

#define RIDGE_TYPE_EXPORT_SERVER (ridge_export_server_get_type ())
G_DECLARE_FINAL_TYPE (RidgeExportServer, ridge_export_server, RIDGE, EXPORT_SERVER, GObject)

/* Opens (creating it 0600 if needed) the database at db_path and loads the duplicate-check
 * gallery if duplicate_check is set. certificate: the server's TLS certificate with its
 * private key. */
RidgeExportServer *ridge_export_server_new (const char       *db_path,
                                            const char       *token,
                                            GTlsCertificate * certificate,
                                            gboolean duplicate_check,
                                            GError          **error);

void     ridge_export_server_set_faults (RidgeExportServer       *self,
                                         const RidgeExportFaults *faults);

/* Caps the database file (PRAGMA max_page_count); 0 = no cap beyond the disk. A batch
 * that would pass it is rolled back and answered 503, as on a full disk. */
gboolean ridge_export_server_set_max_size (RidgeExportServer *self,
                                           guint64            bytes,
                                           GError           **error);

/* Listens on 127.0.0.1 (port 0: a free port). */
gboolean ridge_export_server_listen (RidgeExportServer *self,
                                     guint              port,
                                     GError           **error);
guint    ridge_export_server_get_port (RidgeExportServer *self);

/* Templates stored; items committed by this process. */
gint64   ridge_export_server_count (RidgeExportServer *self);
guint64  ridge_export_server_committed (RidgeExportServer *self);

G_END_DECLS
