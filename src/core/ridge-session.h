/* ridge-session.h — a protocol session with a terminal over any GIOStream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * RidgeSession owns one link to a terminal: it connects through a RidgeConnector, does the
 * HELLO handshake, matches responses to requests by sequence number (with a timeout and a
 * GCancellable per request), dispatches events as signals, watches the link with a PING
 * heartbeat, reconnects with exponential backoff, and records health statistics and a
 * protocol trace. Everything happens on the thread-default main context of the caller of
 * ridge_session_new().
 */
#pragma once

#include <gio/gio.h>

#include "ridge-connector.h"
#include "ridge-health.h"
#include "ridge-message.h"
#include "ridge-trace.h"

G_BEGIN_DECLS

typedef enum {
  RIDGE_SESSION_DISCONNECTED, /* never connected, or the first connect failed */
  RIDGE_SESSION_CONNECTING,   /* connect + handshake in progress */
  RIDGE_SESSION_READY,
  RIDGE_SESSION_DEGRADED,     /* heartbeats missed, not yet declared lost */
  RIDGE_SESSION_LOST,         /* link gone; reconnect follows when enabled */
  RIDGE_SESSION_RECONNECTING, /* waiting for or making a reconnect attempt */
  RIDGE_SESSION_CLOSED,       /* closed by this side */
} RidgeSessionState;

#define RIDGE_TYPE_SESSION_STATE (ridge_session_state_get_type ())
GType       ridge_session_state_get_type (void) G_GNUC_CONST;
const char *ridge_session_state_to_string (RidgeSessionState state);
/* The state machine's edges (exposed for tests and for UIs). */
gboolean    ridge_session_state_transition_valid (RidgeSessionState from,
                                                  RidgeSessionState to);

#define RIDGE_SESSION_DEFAULT_PING_INTERVAL_MS   1000u
#define RIDGE_SESSION_DEFAULT_MAX_MISSED         3u
#define RIDGE_SESSION_DEFAULT_REQUEST_TIMEOUT_MS 5000u

#define RIDGE_TYPE_SESSION (ridge_session_get_type ())
G_DECLARE_FINAL_TYPE (RidgeSession, ridge_session, RIDGE, SESSION, GObject)

RidgeSession            *ridge_session_new (RidgeConnector * connector);
/* TCP: "host[:port]" (default port 7420). */
RidgeSession            *ridge_session_new_for_address (const char *address,
                                                        GError    **error);

RidgeConnector          *ridge_session_get_connector (RidgeSession *self);
char                    *ridge_session_describe (RidgeSession *self);
RidgeSessionState        ridge_session_get_state (RidgeSession *self);
RidgeHealth             *ridge_session_get_health (RidgeSession *self);
RidgeTrace              *ridge_session_get_trace (RidgeSession *self);
/* NULL before the first handshake. */
const RidgeTerminalInfo *ridge_session_get_info (RidgeSession *self);

void                     ridge_session_set_client_name (RidgeSession *self,
                                                        const char   *name);
void                     ridge_session_set_ping_interval (RidgeSession *self,
                                                          guint         interval_ms);
guint                    ridge_session_get_ping_interval (RidgeSession *self);
void                     ridge_session_set_max_missed (RidgeSession *self,
                                                       guint         max_missed);
void                     ridge_session_set_request_timeout (RidgeSession *self,
                                                            guint         timeout_ms);
guint                    ridge_session_get_request_timeout (RidgeSession *self);
void                     ridge_session_set_auto_reconnect (RidgeSession *self,
                                                           gboolean      auto_reconnect);
void                     ridge_session_set_backoff (RidgeSession *self,
                                                    guint         initial_ms,
                                                    guint         max_ms,
                                                    double        factor,
                                                    double        jitter);
/* Monotonic time of the last heartbeat answer; -1 before the first. */
gint64                   ridge_session_get_last_pong_time (RidgeSession *self);

void                     ridge_session_connect_async (RidgeSession       *self,
                                                      GCancellable       *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
gboolean                 ridge_session_connect_finish (RidgeSession *self,
                                                       GAsyncResult *result,
                                                       GError      **error);

/* Sends GOODBYE, waits briefly for its answer, closes the stream. Always ends CLOSED. */
void                     ridge_session_close_async (RidgeSession       *self,
                                                    GCancellable       *cancellable,
                                                    GAsyncReadyCallback callback,
                                                    gpointer            user_data);
gboolean                 ridge_session_close_finish (RidgeSession *self,
                                                     GAsyncResult *result,
                                                     GError      **error);

/* Any request: msg is the body for type (NULL when empty); timeout_ms 0 = the session's
 * request timeout. The result is the response message (error responses become a
 * RIDGE_ERROR GError). */
void                     ridge_session_request_async (RidgeSession       *self,
                                                      guint16             type,
                                                      const RidgeWireMsg *msg,
                                                      guint               timeout_ms,
                                                      GCancellable       *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
RidgeMessage            *ridge_session_request_finish (RidgeSession *self,
                                                       GAsyncResult *result,
                                                       GError      **error);

/* Sends an event (client → terminal, e.g. STREAM_CREDIT). */
gboolean                 ridge_session_send_event (RidgeSession       *self,
                                                   guint16             type,
                                                   const RidgeWireMsg *msg,
                                                   GError            **error);

/* PING; returns the round-trip time in microseconds, or -1 with error set. */
void                     ridge_session_ping_async (RidgeSession       *self,
                                                   GCancellable       *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer            user_data);
gint64                   ridge_session_ping_finish (RidgeSession *self,
                                                    GAsyncResult *result,
                                                    GError      **error);

/* CAPTURE (flags: RIDGE_CAPTURE_*); the request timeout is extended by timeout_ms. */
void                     ridge_session_capture_async (RidgeSession       *self,
                                                      guint8              flags,
                                                      guint               timeout_ms,
                                                      GCancellable       *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
RidgeFrame              *ridge_session_capture_finish (RidgeSession *self,
                                                       GAsyncResult *result,
                                                       GError      **error);

/* Decoder counters since the session was created. */
guint64                  ridge_session_get_crc_errors (RidgeSession *self);
guint64                  ridge_session_get_resyncs (RidgeSession *self);

G_END_DECLS
