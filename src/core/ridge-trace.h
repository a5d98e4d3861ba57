/* ridge-trace.h — a bounded ring of protocol exchanges (metadata only, never payloads)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define RIDGE_TRACE_DEFAULT_CAPACITY 2000u

typedef enum {
  RIDGE_TRACE_OUT, /* client → terminal */
  RIDGE_TRACE_IN,  /* terminal → client */
} RidgeTraceDirection;

typedef enum {
  RIDGE_TRACE_REQUEST,
  RIDGE_TRACE_RESPONSE,
  RIDGE_TRACE_EVENT,
  RIDGE_TRACE_LOCAL, /* something that happened on this side: timeout, cancel, resync */
} RidgeTraceKind;

/* A trace entry never holds payload bytes: templates and images stay out of it. */
typedef struct {
  gint64              time_us;   /* monotonic */
  RidgeTraceDirection direction;
  RidgeTraceKind      kind;
  guint16             type;      /* RidgeWireType */
  guint8              flags;
  guint32             seq;
  guint32             size;       /* frame bytes on the wire */
  gint64              rtt_us;     /* responses: time since the request; else -1 */
  char                result[96]; /* "ok", "BUSY: …", "timeout" … */
} RidgeTraceEntry;

#define RIDGE_TYPE_TRACE (ridge_trace_get_type ())
G_DECLARE_FINAL_TYPE (RidgeTrace, ridge_trace, RIDGE, TRACE, GObject)

RidgeTrace            *ridge_trace_new (guint capacity);
guint                  ridge_trace_get_capacity (RidgeTrace *self);
/* Copies entry into the ring (the oldest entry is dropped when full) and emits
 * ::entry-added with a pointer to the stored copy, valid during the emission. */
void                   ridge_trace_add (RidgeTrace            *self,
                                        const RidgeTraceEntry *entry);
guint                  ridge_trace_get_n_entries (RidgeTrace *self);
/* index 0 is the oldest entry kept; valid until the next ridge_trace_add(). */
const RidgeTraceEntry *ridge_trace_get_entry (RidgeTrace *self,
                                              guint       index);
/* Entries dropped because the ring was full. */
guint64                ridge_trace_get_dropped (RidgeTrace *self);
void                   ridge_trace_clear (RidgeTrace *self);
/* "  +12.345 ms  →  REQ  PING        seq 7      28 B" */
char                  *ridge_trace_entry_format (const RidgeTraceEntry *entry,
                                                 gint64                 t0_us);
const char            *ridge_trace_kind_to_string (RidgeTraceKind kind);

/* The message type's name ("PING"), or "0x1234" for a type this build does not know;
 * buf holds the latter. */
const char            *ridge_trace_entry_type_name (const RidgeTraceEntry *entry,
                                                    char                   buf[8]);
/* A problem: the result is neither empty (requests, events) nor "ok" — errors, timeouts,
 * malformed or unmatched frames, decoder resyncs, cancellations, reboots seen. */
gboolean               ridge_trace_entry_is_problem (const RidgeTraceEntry *entry);

/* Which entries a viewer shows. */
typedef struct {
  const char *text;          /* case-insensitive part of the type name or result; NULL = any */
  int         kind;          /* a RidgeTraceKind, or -1 for any */
  int         direction;     /* a RidgeTraceDirection, or -1 for any */
  gboolean    problems_only;
} RidgeTraceFilter;

#define RIDGE_TRACE_FILTER_INIT { NULL, -1, -1, FALSE }

/* filter NULL matches everything. */
gboolean               ridge_trace_entry_matches (const RidgeTraceEntry  *entry,
                                                  const RidgeTraceFilter *filter);
/* The CSV header line and one entry as a CSV line (both with "\n"), times in ms relative
 * to t0_us. Metadata only, like the trace itself. */
const char            *ridge_trace_csv_header (void);
char                  *ridge_trace_entry_to_csv (const RidgeTraceEntry *entry,
                                                 gint64                 t0_us);
/* Writes the entries matching filter (NULL: all) as CSV to path, atomically (a temporary
 * file renamed over it). Returns the number of entries written, -1 with error set. */
gssize                 ridge_trace_export_csv (RidgeTrace             *self,
                                               const RidgeTraceFilter *filter,
                                               const char             *path,
                                               GError                **error);

G_END_DECLS
