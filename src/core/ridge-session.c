/* ridge-session.c — a protocol session with a terminal over any GIOStream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Structure: one "connection" at a time (stream + decoder + write queue + pending requests),
 * torn down on loss and rebuilt by the reconnect logic. Async callbacks of a torn-down
 * connection recognise themselves as stale by comparing their stream with self->stream.
 */
#define G_LOG_DOMAIN "ridge-core"

#include "config.h"

#include "ridge-session.h"

#include <string.h>
#ifdef __linux__
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#endif

#include "ridge-backoff.h"
#include "ridge-error.h"
#include "ridge-usb.h"

#define READ_CHUNK         (64u * 1024u)
#define GOODBYE_TIMEOUT_MS 500u
#define STATS_INTERVAL_US  G_USEC_PER_SEC

typedef struct {
  RidgeSession *self;
  GTask        *task;
  guint32       seq;
  guint16       type;
  gint64        sent_us;
  guint32       size;
  GSource      *timeout_source;
  GSource      *cancel_source;
} Pending;

struct _RidgeSession {
  GObject parent_instance;

  RidgeConnector *connector;
  char           *client_name;
  guint           ping_interval_ms;
  guint           max_missed;
  guint           request_timeout_ms;
  gboolean        auto_reconnect;
  RidgeBackoff    backoff;

  RidgeSessionState  state;
  RidgeHealth       *health;
  RidgeTrace        *trace;
  RidgeTerminalInfo *info;
  gboolean           have_boot;
  guint32            boot_counter;

  /* the current connection */
  GIOStream       *stream;
  GCancellable    *conn_cancellable;
  guint8          *rbuf;
  RidgeWireDecoder dec;
  guint8          *dec_buf;
  guint32          dec_crc_seen;
  guint32          dec_resync_seen;
  GQueue           wqueue;       /* GBytes */
  gboolean         writing;
  GHashTable      *pending;      /* seq → Pending */
  guint32          next_seq;
  guint32          next_event_seq;
  guint32          hello_seq;
  gboolean         handshaking;
  gint64           connected_us;
  gint64           last_rx_us;
  gint64           last_pong_us;
  gint64           next_ping_us;
  gint64           next_stats_us;
  guint            tick_id;
  guint32          last_dropped_total;

  /* connecting */
  GTask        *connect_task;        /* the initial connect; NULL while reconnecting */
  GCancellable *attempt_cancellable;
  guint         reconnect_id;
  gboolean      attempt_running;

  guint64 crc_total;
  guint64 resync_total;
};

G_DEFINE_FINAL_TYPE (RidgeSession, ridge_session, G_TYPE_OBJECT);

enum {
  PROP_0,
  PROP_STATE,
  PROP_CONNECTOR,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_STATE_CHANGED,
  SIGNAL_EVENT,
  SIGNAL_FRAME,
  SIGNAL_FINGER,
  SIGNAL_ENROLL_SAMPLE,
  SIGNAL_REBOOTED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void start_attempt (RidgeSession *self);
static void request_internal (RidgeSession       *self,
                              guint16             type,
                              const RidgeWireMsg *msg,
                              guint               timeout_ms,
                              gboolean            during_handshake,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data);

/* ---- state machine -------------------------------------------------------------------- */

GType
ridge_session_state_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { RIDGE_SESSION_DISCONNECTED, "RIDGE_SESSION_DISCONNECTED", "disconnected" },
        { RIDGE_SESSION_CONNECTING, "RIDGE_SESSION_CONNECTING", "connecting" },
        { RIDGE_SESSION_READY, "RIDGE_SESSION_READY", "ready" },
        { RIDGE_SESSION_DEGRADED, "RIDGE_SESSION_DEGRADED", "degraded" },
        { RIDGE_SESSION_LOST, "RIDGE_SESSION_LOST", "lost" },
        { RIDGE_SESSION_RECONNECTING, "RIDGE_SESSION_RECONNECTING", "reconnecting" },
        { RIDGE_SESSION_CLOSED, "RIDGE_SESSION_CLOSED", "closed" },
        { 0, NULL, NULL }
      };
      GType t = g_enum_register_static (g_intern_static_string ("RidgeSessionState"), values);

      g_once_init_leave (&type_id, t);
    }
  return type_id;
}

const char *
ridge_session_state_to_string (RidgeSessionState state)
{
  switch (state)
    {
      case RIDGE_SESSION_DISCONNECTED: return "disconnected";
      case RIDGE_SESSION_CONNECTING: return "connecting";
      case RIDGE_SESSION_READY: return "ready";
      case RIDGE_SESSION_DEGRADED: return "degraded";
      case RIDGE_SESSION_LOST: return "lost";
      case RIDGE_SESSION_RECONNECTING: return "reconnecting";
      case RIDGE_SESSION_CLOSED: return "closed";
      default: return "unknown";
    }
}

gboolean
ridge_session_state_transition_valid (RidgeSessionState from,
                                      RidgeSessionState to)
{
  if (from == to)
    return FALSE;
  if (to == RIDGE_SESSION_CLOSED)
    return TRUE;
  switch (from)
    {
      case RIDGE_SESSION_DISCONNECTED:
      case RIDGE_SESSION_CLOSED:
        return to == RIDGE_SESSION_CONNECTING;
      case RIDGE_SESSION_CONNECTING:
        return to == RIDGE_SESSION_READY || to == RIDGE_SESSION_DISCONNECTED;
      case RIDGE_SESSION_READY:
        return to == RIDGE_SESSION_DEGRADED || to == RIDGE_SESSION_LOST;
      case RIDGE_SESSION_DEGRADED:
        return to == RIDGE_SESSION_READY || to == RIDGE_SESSION_LOST;
      case RIDGE_SESSION_LOST:
        return to == RIDGE_SESSION_RECONNECTING || to == RIDGE_SESSION_CONNECTING;
      case RIDGE_SESSION_RECONNECTING:
        return to == RIDGE_SESSION_READY || to == RIDGE_SESSION_LOST;
      default:
        return FALSE;
    }
}

static void
set_state (RidgeSession     *self,
           RidgeSessionState state)
{
  RidgeSessionState old = self->state;

  if (old == state)
    return;
  g_assert (ridge_session_state_transition_valid (old, state));
  self->state = state;
  ridge_health_log_event (self->health, g_get_monotonic_time (), RIDGE_HEALTH_EVENT_STATE,
                          "%s → %s", ridge_session_state_to_string (old),
                          ridge_session_state_to_string (state));
  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, (guint)old, (guint)state);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static gboolean
is_linked (RidgeSession *self)
{
  return self->state == RIDGE_SESSION_READY || self->state == RIDGE_SESSION_DEGRADED;
}

/* ---- trace helpers -------------------------------------------------------------------- */

static void
trace_add (RidgeSession       *self,
           RidgeTraceDirection dir,
           RidgeTraceKind      kind,
           guint16             type,
           guint8              flags,
           guint32             seq,
           guint32             size,
           gint64              rtt_us,
           const char         *result)
{
  RidgeTraceEntry e = { 0 };

  e.time_us = g_get_monotonic_time ();
  e.direction = dir;
  e.kind = kind;
  e.type = type;
  e.flags = flags;
  e.seq = seq;
  e.size = size;
  e.rtt_us = rtt_us;
  g_strlcpy (e.result, result ? result : "", sizeof e.result);
  ridge_trace_add (self->trace, &e);
}

/* ---- pending requests ----------------------------------------------------------------- */

static void
pending_free (Pending *p)
{
  if (p->timeout_source != NULL)
    {
      g_source_destroy (p->timeout_source);
      g_source_unref (p->timeout_source);
    }
  if (p->cancel_source != NULL)
    {
      g_source_destroy (p->cancel_source);
      g_source_unref (p->cancel_source);
    }
  g_clear_object (&p->task);
  g_free (p);
}

/* Removes p from the table and completes its task with msg or error (takes both). */
static void
pending_complete (RidgeSession *self,
                  Pending      *p,
                  RidgeMessage *msg,
                  GError       *error)
{
  GTask *task = g_object_ref (p->task);

  g_hash_table_steal (self->pending, GUINT_TO_POINTER (p->seq));
  if (error != NULL && p->type == RIDGE_MSG_PING
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ridge_health_record_ping_lost (self->health, g_get_monotonic_time ());
  pending_free (p);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, msg, (GDestroyNotify)ridge_message_unref);
  g_object_unref (task);
}

static gboolean
pending_timed_out (gpointer user_data)
{
  Pending *p = user_data;
  RidgeSession *self = p->self;
  const char *name = ridge_wire_type_name (p->type);
  guint ms = (guint)((g_get_monotonic_time () - p->sent_us) / 1000);

  trace_add (self, RIDGE_TRACE_IN, RIDGE_TRACE_LOCAL, p->type, 0, p->seq, 0, -1,
             "timeout: no answer");
  pending_complete (self, p, NULL,
                    ridge_error_new (RIDGE_ERROR_TIMED_OUT, "no answer to %s within %u ms",
                                     name ? name : "the request", ms));
  return G_SOURCE_REMOVE;
}

static gboolean
pending_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  Pending *p = user_data;
  RidgeSession *self = p->self;

  trace_add (self, RIDGE_TRACE_OUT, RIDGE_TRACE_LOCAL, p->type, 0, p->seq, 0, -1, "cancelled");
  pending_complete (self, p, NULL,
                    g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                         "The operation was cancelled"));
  return G_SOURCE_REMOVE;
}

static void
fail_all_pending (RidgeSession *self,
                  const GError *error)
{
  GList *list = g_hash_table_get_values (self->pending);

  for (GList *l = list; l != NULL; l = l->next)
    {
      Pending *p = l->data;

      /* a callback may have completed others meanwhile */
      if (g_hash_table_lookup (self->pending, GUINT_TO_POINTER (p->seq)) != p)
        continue;
      pending_complete (self, p, NULL, g_error_copy (error));
    }
  g_list_free (list);
}

/* ---- connection ----------------------------------------------------------------------- */

static void start_read (RidgeSession *self);
static void start_write (RidgeSession *self);
static void connection_lost (RidgeSession *self,
                             GError       *error,
                             gboolean      heartbeat);

static void
stop_tick (RidgeSession *self)
{
  g_clear_handle_id (&self->tick_id, g_source_remove);
}

/* Drops the connection: stream closed, writes discarded, pending requests failed. */
static void
teardown (RidgeSession *self,
          const GError *reason)
{
  g_autoptr (GIOStream) stream = g_steal_pointer (&self->stream);

  stop_tick (self);
  self->handshaking = FALSE;
  if (self->conn_cancellable != NULL)
    g_cancellable_cancel (self->conn_cancellable);
  g_clear_object (&self->conn_cancellable);
  g_queue_clear_full (&self->wqueue, (GDestroyNotify)g_bytes_unref);
  self->writing = FALSE;
  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);
  fail_all_pending (self, reason);
}

static void
start_connection (RidgeSession *self,
                  GIOStream    *stream)
{
  g_assert (self->stream == NULL);

  self->stream = g_object_ref (stream);
  self->conn_cancellable = g_cancellable_new ();
  ridge_wire_decoder_init (&self->dec, self->dec_buf, RIDGE_WIRE_MAX_PAYLOAD);
  self->dec_crc_seen = 0;
  self->dec_resync_seen = 0;
  self->connected_us = g_get_monotonic_time ();
  self->last_rx_us = self->connected_us;
  start_read (self);
}

static gboolean
send_frame (RidgeSession       *self,
            guint16             type,
            guint8              flags,
            guint32             seq,
            const RidgeWireMsg *msg,
            guint32            *size_out,
            GError            **error)
{
  gsize cap = 512;
  guint8 *buf = NULL;
  int32_t n;

  if (self->stream == NULL)
    {
      ridge_set_error (error, RIDGE_ERROR_NOT_CONNECTED, NULL);
      return FALSE;
    }
  for (;;)
    {
      buf = g_realloc (buf, cap);
      n = ridge_wire_encode (buf, cap, type, flags, seq, msg);
      if (n != RIDGE_WIRE_E_NOSPACE || cap >= RIDGE_WIRE_MAX_PAYLOAD + RIDGE_WIRE_OVERHEAD)
        break;
      cap = MIN (cap * 4, RIDGE_WIRE_MAX_PAYLOAD + RIDGE_WIRE_OVERHEAD);
    }
  if (n < 0)
    {
      const char *name = ridge_wire_type_name (type);

      g_free (buf);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Cannot encode %s: %s",
                   name ? name : "message", ridge_wire_strerror (n));
      return FALSE;
    }
  g_queue_push_tail (&self->wqueue, g_bytes_new_take (buf, (gsize)n));
  if (size_out != NULL)
    *size_out = (guint32)n;
  if (!self->writing)
    start_write (self);
  return TRUE;
}

static void
write_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (RidgeSession) self = user_data;
  g_autoptr (GError) error = NULL;
  gsize written = 0;
  gboolean ok = g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, &written,
                                                  &error);

  if (self->stream == NULL ||
      G_OUTPUT_STREAM (source) != g_io_stream_get_output_stream (self->stream))
    return;
  self->writing = FALSE;
  ridge_health_record_bytes (self->health, g_get_monotonic_time (), 0, written);
  if (!ok)
    {
      connection_lost (self, ridge_error_new (RIDGE_ERROR_CONNECTION_LOST, "sending: %s",
                                              error->message), FALSE);
      return;
    }
  g_bytes_unref (g_queue_pop_head (&self->wqueue));
  if (!g_queue_is_empty (&self->wqueue))
    start_write (self);
}

static void
start_write (RidgeSession *self)
{
  GBytes *head = g_queue_peek_head (&self->wqueue);
  gsize len;
  const void *data = g_bytes_get_data (head, &len);

  self->writing = TRUE;
  g_output_stream_write_all_async (g_io_stream_get_output_stream (self->stream), data, len,
                                   G_PRIORITY_DEFAULT, self->conn_cancellable, write_cb,
                                   g_object_ref (self));
}

static void
check_boot (RidgeSession *self,
            guint32       boot)
{
  if (self->have_boot && boot != self->boot_counter)
    {
      guint32 old = self->boot_counter;

      self->boot_counter = boot;
      ridge_health_record_reboot (self->health, g_get_monotonic_time (), old, boot);
      trace_add (self, RIDGE_TRACE_IN, RIDGE_TRACE_LOCAL, 0, 0, 0, 0, -1, "terminal rebooted");
      g_signal_emit (self, signals[SIGNAL_REBOOTED], 0, old, boot);
      return;
    }
  self->have_boot = TRUE;
  self->boot_counter = boot;
}

static void
account_decoder (RidgeSession *self)
{
  gint64 now = g_get_monotonic_time ();
  guint32 crc = self->dec.crc_errors + self->dec.oversized + self->dec.bad_version;
  guint32 resyncs = self->dec.resyncs;

  if (crc != self->dec_crc_seen)
    {
      ridge_health_add (self->health, now, RIDGE_HEALTH_CRC_ERRORS, crc - self->dec_crc_seen);
      self->crc_total += crc - self->dec_crc_seen;
      self->dec_crc_seen = crc;
    }
  if (resyncs != self->dec_resync_seen)
    {
      ridge_health_add (self->health, now, RIDGE_HEALTH_RESYNCS, resyncs - self->dec_resync_seen);
      self->resync_total += resyncs - self->dec_resync_seen;
      self->dec_resync_seen = resyncs;
    }
}

static void
handle_response (RidgeSession          *self,
                 const RidgeWireHeader *hdr,
                 GBytes                *payload,
                 guint32                size)
{
  Pending *p = g_hash_table_lookup (self->pending, GUINT_TO_POINTER (hdr->seq));
  g_autoptr (RidgeMessage) msg = ridge_message_new (hdr->type, hdr->flags, hdr->seq, payload);
  const char *name = ridge_wire_type_name (hdr->type);
  RidgeWireMsg m;

  /* A busy terminal refuses before it has read anything: its HELLO error carries seq 0. */
  if (p == NULL && self->handshaking && hdr->type == RIDGE_MSG_HELLO && hdr->seq == 0)
    p = g_hash_table_lookup (self->pending, GUINT_TO_POINTER (self->hello_seq));
  if (p == NULL || p->type != hdr->type)
    {
      trace_add (self, RIDGE_TRACE_IN, RIDGE_TRACE_RESPONSE, hdr->type, hdr->flags, hdr->seq,
                 size, -1, "late or unmatched (ignored)");
      return;
    }
  msg->rtt_us = msg->received_us - p->sent_us;

  if (hdr->flags & RIDGE_WIRE_FLAG_ERROR)
    {
      g_autoptr (GError) local = NULL;
      GError *error;
      char result[96];

      if (ridge_message_decode (msg, &m, &local))
        error = ridge_error_new_from_wire (m.error.code, m.error.text.ptr, m.error.text.len);
      else
        error = g_steal_pointer (&local);
      g_snprintf (result, sizeof result, "error %s",
                  ridge_wire_error_code_name (m.error.code) ? ridge_wire_error_code_name (
                    m.error.code) : "?");
      trace_add (self, RIDGE_TRACE_IN, RIDGE_TRACE_RESPONSE, hdr->type, hdr->flags, hdr->seq,
                 size, msg->rtt_us, result);
      pending_complete (self, p, NULL, error);
      return;
    }

  if (hdr->type == RIDGE_MSG_PING)
    {
      g_autoptr (GError) local = NULL;

      if (!ridge_message_decode (msg, &m, &local))
        {
          trace_add (self, RIDGE_TRACE_IN, RIDGE_TRACE_RESPONSE, hdr->type, hdr->flags, hdr->seq,
                     size, msg->rtt_us, "malformed");
          pending_complete (self, p, NULL, g_steal_pointer (&local));
          return;
        }
      self->last_pong_us = msg->received_us;
      ridge_health_record_rtt (self->health, msg->received_us, msg->rtt_us);
      check_boot (self, m.pong.boot_counter);
    }
  (void)name;
  trace_add (self, RIDGE_TRACE_IN, RIDGE_TRACE_RESPONSE, hdr->type, hdr->flags, hdr->seq, size,
             msg->rtt_us, "ok");
  pending_complete (self, p, g_steal_pointer (&msg), NULL);
}

static void
handle_event (RidgeSession          *self,
              const RidgeWireHeader *hdr,
              GBytes                *payload,
              guint32                size)
{
  g_autoptr (RidgeMessage) msg = ridge_message_new (hdr->type, hdr->flags, hdr->seq, payload);
  g_autoptr (GError) error = NULL;
  RidgeWireMsg m;

  trace_add (self, RIDGE_TRACE_IN, RIDGE_TRACE_EVENT, hdr->type, hdr->flags, hdr->seq, size,
             -1, "");
  g_signal_emit (self, signals[SIGNAL_EVENT], 0, msg);

  switch (hdr->type)
    {
      case RIDGE_MSG_FRAME:
        {
          g_autoptr (RidgeFrame) frame = NULL;
          gint64 now = msg->received_us;

          if (!ridge_message_decode (msg, &m, &error)
              || (frame = ridge_frame_new_from_wire (&m.frame, now, &error)) == NULL)
            {
              g_debug ("Dropping a bad FRAME event: %s", error->message);
              ridge_health_add (self->health, now, RIDGE_HEALTH_FRAMES_DROPPED, 1);
              return;
            }
          ridge_health_add (self->health, now, RIDGE_HEALTH_FRAMES, 1);
          if (frame->dropped_total > self->last_dropped_total)
            ridge_health_add (self->health, now, RIDGE_HEALTH_FRAMES_DROPPED,
                              frame->dropped_total - self->last_dropped_total);
          self->last_dropped_total = frame->dropped_total;
          g_signal_emit (self, signals[SIGNAL_FRAME], 0, frame);
        }
        break;

      case RIDGE_MSG_FINGER:
        if (ridge_message_decode (msg, &m, &error))
          g_signal_emit (self, signals[SIGNAL_FINGER], 0, (gboolean)(m.finger.present != 0),
                         (gint64)m.finger.timestamp_us);
        break;

      case RIDGE_MSG_ENROLL_SAMPLE:
        g_signal_emit (self, signals[SIGNAL_ENROLL_SAMPLE], 0, msg);
        break;

      default:
        break;
    }
}

/* A request from the terminal: only GOODBYE is defined (it is going away). */
static void
handle_request (RidgeSession          *self,
                const RidgeWireHeader *hdr,
                guint32                size)
{
  trace_add (self, RIDGE_TRACE_IN, RIDGE_TRACE_REQUEST, hdr->type, hdr->flags, hdr->seq, size,
             -1, "");
  if (hdr->type == RIDGE_MSG_GOODBYE)
    {
      send_frame (self, RIDGE_MSG_GOODBYE, RIDGE_WIRE_FLAG_RESPONSE, hdr->seq, NULL, NULL, NULL);
      trace_add (self, RIDGE_TRACE_OUT, RIDGE_TRACE_RESPONSE, hdr->type, RIDGE_WIRE_FLAG_RESPONSE,
                 hdr->seq, RIDGE_WIRE_OVERHEAD, -1, "ok");
    }
  else
    {
      RidgeWireMsg m = { 0 };
      static const char text[] = "clients do not serve requests";

      m.error.code = RIDGE_ERR_UNSUPPORTED;
      m.error.text.ptr = text;
      m.error.text.len = sizeof text - 1;
      send_frame (self, hdr->type, RIDGE_WIRE_FLAG_RESPONSE | RIDGE_WIRE_FLAG_ERROR, hdr->seq,
                  &m, NULL, NULL);
    }
}

static void
handle_frame (RidgeSession          *self,
              const RidgeWireHeader *hdr,
              const guint8          *payload)
{
  g_autoptr (GBytes) bytes = g_bytes_new (payload, hdr->length);
  guint32 size = hdr->length + RIDGE_WIRE_OVERHEAD;

  if (hdr->flags & RIDGE_WIRE_FLAG_RESPONSE)
    handle_response (self, hdr, bytes, size);
  else if (hdr->flags & RIDGE_WIRE_FLAG_EVENT)
    handle_event (self, hdr, bytes, size);
  else
    handle_request (self, hdr, size);
}

static void
handle_decoder_error (RidgeSession *self)
{
  int err = self->dec.last_error;

  account_decoder (self);
  trace_add (self, RIDGE_TRACE_IN, RIDGE_TRACE_LOCAL, self->dec.header.type, 0,
             self->dec.header.seq, 0, -1, ridge_wire_strerror (err));
  ridge_health_log_event (self->health, g_get_monotonic_time (), RIDGE_HEALTH_EVENT_RESYNC,
                          "decoder: %s", ridge_wire_strerror (err));

  if (err == RIDGE_WIRE_E_BAD_VERSION && self->handshaking)
    {
      connection_lost (self, ridge_error_new (RIDGE_ERROR_VERSION_MISMATCH,
                                              "the terminal answered with protocol version %u, "
                                              "this program speaks %u",
                                              self->dec.header.version, RIDGE_WIRE_VERSION),
                       FALSE);
    }
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (RidgeSession) self = user_data;
  g_autoptr (GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  GIOStream *stream = self->stream;
  const guint8 *p;
  gsize len;

  if (stream == NULL || G_INPUT_STREAM (source) != g_io_stream_get_input_stream (stream))
    return;
  if (n < 0)
    {
      connection_lost (self, ridge_error_new (RIDGE_ERROR_CONNECTION_LOST, "%s", error->message),
                       FALSE);
      return;
    }
  if (n == 0)
    {
      connection_lost (self, ridge_error_new (RIDGE_ERROR_CONNECTION_LOST,
                                              "the terminal closed the connection"), FALSE);
      return;
    }

  self->last_rx_us = g_get_monotonic_time ();
  ridge_health_record_bytes (self->health, self->last_rx_us, (guint64)n, 0);

  p = self->rbuf;
  len = (gsize)n;
  while (len > 0 && self->stream == stream)
    {
      size_t used = 0;
      RidgeWireDecStatus st = ridge_wire_decoder_feed (&self->dec, p, len, &used);

      p += used;
      len -= used;
      if (st == RIDGE_WIRE_DEC_FRAME)
        handle_frame (self, &self->dec.header, self->dec.payload);
      else if (st == RIDGE_WIRE_DEC_ERROR)
        handle_decoder_error (self);
      else if (used == 0)
        break;
    }
  if (self->stream == stream)
    {
      account_decoder (self);
      start_read (self);
    }
}

static void
start_read (RidgeSession *self)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (self->stream), self->rbuf, READ_CHUNK,
                             G_PRIORITY_DEFAULT, self->conn_cancellable, read_cb,
                             g_object_ref (self));
}

/* ---- heartbeat ------------------------------------------------------------------------ */

static void
heartbeat_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (RidgeMessage) msg = ridge_session_request_finish (RIDGE_SESSION (source), result,
                                                               NULL);
  /* RTT and losses are recorded where the response (or its absence) is handled. */
}

static void
sample_tcp_info (RidgeSession *self,
                 gint64        now)
{
#if defined(__linux__) && defined(TCP_INFO)
  GSocket *socket;
  struct tcp_info ti;
  socklen_t len = sizeof ti;

  if (!G_IS_SOCKET_CONNECTION (self->stream))
    return;
  socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (self->stream));
  memset (&ti, 0, sizeof ti);
  if (getsockopt (g_socket_get_fd (socket), IPPROTO_TCP, TCP_INFO, &ti, &len) == 0)
    ridge_health_record_tcp_info (self->health, now, ti.tcpi_rtt, ti.tcpi_rttvar,
                                  ti.tcpi_total_retrans, ti.tcpi_lost);
#endif
}

static gboolean
tick_cb (gpointer user_data)
{
  RidgeSession *self = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 interval = (gint64)self->ping_interval_ms * 1000;
  gint64 silence = now - self->last_rx_us;

  if (!is_linked (self))
    return G_SOURCE_CONTINUE;

  if (silence >= interval * self->max_missed)
    {
      self->tick_id = 0;
      connection_lost (self, ridge_error_new (RIDGE_ERROR_CONNECTION_LOST,
                                              "no answer to %u heartbeats", self->max_missed),
                       TRUE);
      return G_SOURCE_REMOVE;
    }
  if (silence >= interval + interval / 2)
    set_state (self, RIDGE_SESSION_DEGRADED);
  else if (self->state == RIDGE_SESSION_DEGRADED)
    set_state (self, RIDGE_SESSION_READY);

  if (now >= self->next_stats_us)
    {
      sample_tcp_info (self, now);
      self->next_stats_us = now + STATS_INTERVAL_US;
    }
  if (now >= self->next_ping_us)
    {
      RidgeWireMsg m = { 0 };

      self->next_ping_us += interval;
      if (self->next_ping_us <= now)
        self->next_ping_us = now + interval;
      m.ping.client_time_us = (guint64)now;
      ridge_health_record_ping_sent (self->health, now);
      request_internal (self, RIDGE_MSG_PING, &m, (guint)(interval * self->max_missed / 1000),
                        FALSE, NULL, heartbeat_cb, NULL);
    }
  return G_SOURCE_CONTINUE;
}

static void
start_tick (RidgeSession *self)
{
  guint period = MAX (self->ping_interval_ms / 10, 10);

  stop_tick (self);
  self->next_ping_us = g_get_monotonic_time () + (gint64)self->ping_interval_ms * 1000;
  self->next_stats_us = g_get_monotonic_time ();
  self->tick_id = g_timeout_add (period, tick_cb, self);
}

/* ---- loss and reconnect --------------------------------------------------------------- */

static gboolean
reconnect_cb (gpointer user_data)
{
  RidgeSession *self = user_data;

  self->reconnect_id = 0;
  start_attempt (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_reconnect (RidgeSession *self)
{
  guint delay = ridge_backoff_next (&self->backoff, NULL);

  if (self->state != RIDGE_SESSION_RECONNECTING)
    set_state (self, RIDGE_SESSION_RECONNECTING);
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  self->reconnect_id = g_timeout_add (delay, reconnect_cb, self);
}

/* Takes error. */
static void
connection_lost (RidgeSession *self,
                 GError       *error,
                 gboolean      heartbeat)
{
  g_autoptr (GError) reason = error;
  gint64 now = g_get_monotonic_time ();

  if (self->stream == NULL)
    return;

  if (self->handshaking)
    {
      /* the pending HELLO fails with this reason; its callback handles the attempt */
      teardown (self, reason);
      return;
    }

  {
    gint64 since = self->last_pong_us >= self->connected_us ? self->last_pong_us
                   : self->connected_us;

    ridge_health_record_loss_detected (self->health, now, now - since);
    g_debug ("Link lost (%s), %.2f s after the last answer%s", reason->message,
             (double)(now - since) / G_USEC_PER_SEC, heartbeat ? " (heartbeat)" : "");
  }
  teardown (self, reason);
  set_state (self, RIDGE_SESSION_LOST);
  if (self->auto_reconnect && self->state == RIDGE_SESSION_LOST)
    schedule_reconnect (self);
}

/* ---- connect / handshake -------------------------------------------------------------- */

static void
attempt_failed (RidgeSession *self,
                GError       *error)
{
  self->attempt_running = FALSE;
  g_clear_object (&self->attempt_cancellable);

  if (self->state == RIDGE_SESSION_CLOSED)
    {
      g_error_free (error);
      return;
    }
  if (self->connect_task != NULL)
    {
      g_autoptr (GTask) task = g_steal_pointer (&self->connect_task);

      set_state (self, RIDGE_SESSION_DISCONNECTED);
      g_task_return_error (task, error);
      return;
    }
  ridge_health_log_event (self->health, g_get_monotonic_time (), RIDGE_HEALTH_EVENT_ERROR,
                          "reconnect attempt failed: %s", error->message);
  g_error_free (error);
  if (self->state == RIDGE_SESSION_RECONNECTING)
    schedule_reconnect (self);
}

static void
hello_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (RidgeSession) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) msg = ridge_session_request_finish (self, result, &error);
  RidgeWireMsg m;
  gboolean was_reconnecting;

  if (msg == NULL || !ridge_message_decode (msg, &m, &error))
    {
      GError *e = g_steal_pointer (&error);

      if (self->stream != NULL)
        teardown (self, e);
      attempt_failed (self, e);
      return;
    }
  if (m.info.version != RIDGE_WIRE_VERSION)
    {
      GError *e = ridge_error_new (RIDGE_ERROR_VERSION_MISMATCH,
                                   "the terminal chose version %u, this program speaks %u",
                                   m.info.version, RIDGE_WIRE_VERSION);

      teardown (self, e);
      attempt_failed (self, e);
      return;
    }

  g_clear_pointer (&self->info, ridge_terminal_info_free);
  self->info = ridge_terminal_info_new_from_wire (&m.info);
  self->handshaking = FALSE;
  self->attempt_running = FALSE;
  g_clear_object (&self->attempt_cancellable);
  self->last_rx_us = g_get_monotonic_time ();
  self->last_pong_us = self->last_rx_us;
  ridge_backoff_reset (&self->backoff);
  check_boot (self, m.info.boot_counter);

  was_reconnecting = self->state == RIDGE_SESSION_RECONNECTING;
  if (was_reconnecting)
    {
      g_autofree char *where = ridge_connector_describe (self->connector);

      ridge_health_add (self->health, g_get_monotonic_time (), RIDGE_HEALTH_RECONNECTS, 1);
      ridge_health_log_event (self->health, g_get_monotonic_time (),
                              RIDGE_HEALTH_EVENT_RECONNECT, "reconnected to %s", where);
    }
  start_tick (self);
  set_state (self, RIDGE_SESSION_READY);

  if (self->connect_task != NULL)
    {
      g_autoptr (GTask) task = g_steal_pointer (&self->connect_task);

      g_task_return_boolean (task, TRUE);
    }
}

static void
attempt_connected_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr (RidgeSession) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GIOStream) stream = ridge_connector_connect_finish (RIDGE_CONNECTOR (source), result,
                                                                 &error);
  RidgeWireMsg m = { 0 };

  if (stream == NULL)
    {
      attempt_failed (self, g_steal_pointer (&error));
      return;
    }
  if (self->state == RIDGE_SESSION_CLOSED)
    {
      g_io_stream_close (stream, NULL, NULL);
      self->attempt_running = FALSE;
      return;
    }

  start_connection (self, stream);
  self->handshaking = TRUE;
  m.hello.version_min = RIDGE_WIRE_VERSION;
  m.hello.version_max = RIDGE_WIRE_VERSION;
  m.hello.max_payload = RIDGE_WIRE_MAX_PAYLOAD;
  m.hello.auth_methods = 0;
  m.hello.client_name.ptr = self->client_name;
  m.hello.client_name.len = (uint16_t)MIN (strlen (self->client_name), RIDGE_WIRE_STR_MAX);
  request_internal (self, RIDGE_MSG_HELLO, &m, 0, TRUE, self->attempt_cancellable, hello_cb,
                    g_object_ref (self));
}

static void
start_attempt (RidgeSession *self)
{
  g_assert (!self->attempt_running);

  self->attempt_running = TRUE;
  if (self->attempt_cancellable == NULL)
    self->attempt_cancellable = g_cancellable_new ();
  ridge_connector_connect_async (self->connector, self->attempt_cancellable,
                                 attempt_connected_cb, g_object_ref (self));
}

void
ridge_session_connect_async (RidgeSession       *self,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (RIDGE_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ridge_session_connect_async);

  if (self->state != RIDGE_SESSION_DISCONNECTED && self->state != RIDGE_SESSION_CLOSED
      && self->state != RIDGE_SESSION_LOST)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "The session is already %s",
                               ridge_session_state_to_string (self->state));
      return;
    }
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  ridge_backoff_reset (&self->backoff);
  self->connect_task = g_steal_pointer (&task);
  g_clear_object (&self->attempt_cancellable);
  self->attempt_cancellable = cancellable ? g_object_ref (cancellable) : g_cancellable_new ();
  set_state (self, RIDGE_SESSION_CONNECTING);
  start_attempt (self);
}

gboolean
ridge_session_connect_finish (RidgeSession *self,
                              GAsyncResult *result,
                              GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- close ---------------------------------------------------------------------------- */

static void
finish_close (RidgeSession *self)
{
  g_autoptr (GError) reason = ridge_error_new (RIDGE_ERROR_CLOSED, NULL);

  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  teardown (self, reason);
  if (self->state != RIDGE_SESSION_CLOSED)
    set_state (self, RIDGE_SESSION_CLOSED);
}

static void
goodbye_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  RidgeSession *self = g_task_get_source_object (task);
  g_autoptr (RidgeMessage) msg = ridge_session_request_finish (self, result, NULL);

  finish_close (self);
  g_task_return_boolean (task, TRUE);
}

void
ridge_session_close_async (RidgeSession       *self,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (RIDGE_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ridge_session_close_async);

  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  if (self->attempt_cancellable != NULL)
    g_cancellable_cancel (self->attempt_cancellable);

  if (self->stream != NULL && is_linked (self))
    {
      RidgeWireMsg m = { 0 };

      m.goodbye.reason = 0;
      request_internal (self, RIDGE_MSG_GOODBYE, &m, GOODBYE_TIMEOUT_MS, FALSE, NULL, goodbye_cb,
                        g_steal_pointer (&task));
      return;
    }

  if (self->connect_task != NULL)
    {
      g_autoptr (GTask) ct = g_steal_pointer (&self->connect_task);

      finish_close (self);
      g_task_return_error (ct, ridge_error_new (RIDGE_ERROR_CLOSED, NULL));
    }
  else
    finish_close (self);
  g_task_return_boolean (task, TRUE);
}

gboolean
ridge_session_close_finish (RidgeSession *self,
                            GAsyncResult *result,
                            GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- requests ------------------------------------------------------------------------- */

static void
request_internal (RidgeSession       *self,
                  guint16             type,
                  const RidgeWireMsg *msg,
                  guint               timeout_ms,
                  gboolean            during_handshake,
                  GCancellable       *cancellable,
                  GAsyncReadyCallback callback,
                  gpointer            user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GError) error = NULL;
  const char *name = ridge_wire_type_name (type);
  Pending *p;
  guint32 size = 0;
  guint32 seq;
  gint64 sent_us;

  g_task_set_source_tag (task, ridge_session_request_async);

  if (g_task_return_error_if_cancelled (task))
    return;
  if (self->stream == NULL || (self->handshaking && !during_handshake)
      || (!self->handshaking && !is_linked (self)))
    {
      RidgeErrorCode code = self->state == RIDGE_SESSION_LOST
                            || self->state == RIDGE_SESSION_RECONNECTING
                            ? RIDGE_ERROR_CONNECTION_LOST : self->state == RIDGE_SESSION_CLOSED
                            ? RIDGE_ERROR_CLOSED : RIDGE_ERROR_NOT_CONNECTED;

      g_task_return_error (task, ridge_error_new (code, NULL));
      return;
    }

  seq = self->next_seq++;
  if (self->next_seq == 0)
    self->next_seq = 1;
  if (type == RIDGE_MSG_HELLO)
    self->hello_seq = seq;
  if (type == RIDGE_MSG_STREAM_START)
    self->last_dropped_total = 0;
  sent_us = g_get_monotonic_time ();
  if (!send_frame (self, type, 0, seq, msg, &size, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  trace_add (self, RIDGE_TRACE_OUT, RIDGE_TRACE_REQUEST, type, 0, seq, size, -1, "");

  p = g_new0 (Pending, 1);
  p->self = self;
  p->task = g_steal_pointer (&task);
  p->seq = seq;
  p->type = type;
  p->size = size;
  p->sent_us = sent_us;
  p->timeout_source = g_timeout_source_new (timeout_ms ? timeout_ms : self->request_timeout_ms);
  g_source_set_callback (p->timeout_source, pending_timed_out, p, NULL);
  g_source_set_name (p->timeout_source, name ? name : "ridge request");
  g_source_attach (p->timeout_source, g_main_context_get_thread_default ());
  if (cancellable != NULL)
    {
      p->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (p->cancel_source, G_SOURCE_FUNC (pending_cancelled), p, NULL);
      g_source_attach (p->cancel_source, g_main_context_get_thread_default ());
    }
  g_hash_table_insert (self->pending, GUINT_TO_POINTER (seq), p);
}

void
ridge_session_request_async (RidgeSession       *self,
                             guint16             type,
                             const RidgeWireMsg *msg,
                             guint               timeout_ms,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_return_if_fail (RIDGE_IS_SESSION (self));
  g_return_if_fail (type != RIDGE_MSG_HELLO);

  request_internal (self, type, msg, timeout_ms, FALSE, cancellable, callback, user_data);
}

RidgeMessage *
ridge_session_request_finish (RidgeSession *self,
                              GAsyncResult *result,
                              GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
ridge_session_send_event (RidgeSession       *self,
                          guint16             type,
                          const RidgeWireMsg *msg,
                          GError            **error)
{
  guint32 size = 0;
  guint32 seq;

  g_return_val_if_fail (RIDGE_IS_SESSION (self), FALSE);

  if (self->stream == NULL || !is_linked (self))
    {
      ridge_set_error (error, RIDGE_ERROR_NOT_CONNECTED, NULL);
      return FALSE;
    }
  seq = self->next_event_seq++;
  if (!send_frame (self, type, RIDGE_WIRE_FLAG_EVENT, seq, msg, &size, error))
    return FALSE;
  trace_add (self, RIDGE_TRACE_OUT, RIDGE_TRACE_EVENT, type, RIDGE_WIRE_FLAG_EVENT, seq, size,
             -1, "");
  return TRUE;
}

static void
ping_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) msg = ridge_session_request_finish (RIDGE_SESSION (source), result,
                                                               &error);

  if (msg == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_int (task, msg->rtt_us);
}

void
ridge_session_ping_async (RidgeSession       *self,
                          GCancellable       *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer            user_data)
{
  GTask *task;
  RidgeWireMsg m = { 0 };

  g_return_if_fail (RIDGE_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ridge_session_ping_async);
  m.ping.client_time_us = (guint64)g_get_monotonic_time ();
  ridge_health_record_ping_sent (self->health, g_get_monotonic_time ());
  request_internal (self, RIDGE_MSG_PING, &m, 0, FALSE, cancellable, ping_cb, task);
}

gint64
ridge_session_ping_finish (RidgeSession *self,
                           GAsyncResult *result,
                           GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  return g_task_propagate_int (G_TASK (result), error);
}

static void
capture_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) msg = ridge_session_request_finish (RIDGE_SESSION (source), result,
                                                               &error);
  RidgeWireMsg m;
  RidgeFrame *frame;

  if (msg == NULL || !ridge_message_decode (msg, &m, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  frame = ridge_frame_new_from_wire (&m.frame, msg->received_us, &error);
  if (frame == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, frame, (GDestroyNotify)ridge_frame_unref);
}

void
ridge_session_capture_async (RidgeSession       *self,
                             guint8              flags,
                             guint               timeout_ms,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  GTask *task;
  RidgeWireMsg m = { 0 };
  guint wait = 0;

  g_return_if_fail (RIDGE_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ridge_session_capture_async);
  m.capture.flags = flags;
  m.capture.timeout_ms = timeout_ms;
  if (flags & RIDGE_CAPTURE_WAIT_FINGER)
    wait = timeout_ms ? timeout_ms : 30000;
  request_internal (self, RIDGE_MSG_CAPTURE, &m, self->request_timeout_ms + wait, FALSE,
                    cancellable, capture_cb, task);
}

RidgeFrame *
ridge_session_capture_finish (RidgeSession *self,
                              GAsyncResult *result,
                              GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- object --------------------------------------------------------------------------- */

static void
ridge_session_dispose (GObject *object)
{
  RidgeSession *self = RIDGE_SESSION (object);

  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  if (self->attempt_cancellable != NULL)
    g_cancellable_cancel (self->attempt_cancellable);
  if (self->stream != NULL)
    {
      g_autoptr (GError) reason = ridge_error_new (RIDGE_ERROR_CLOSED, NULL);

      teardown (self, reason);
    }
  stop_tick (self);
  G_OBJECT_CLASS (ridge_session_parent_class)->dispose (object);
}

static void
ridge_session_finalize (GObject *object)
{
  RidgeSession *self = RIDGE_SESSION (object);

  g_clear_object (&self->connector);
  g_clear_object (&self->attempt_cancellable);
  g_clear_object (&self->health);
  g_clear_object (&self->trace);
  g_clear_pointer (&self->info, ridge_terminal_info_free);
  g_hash_table_destroy (self->pending);
  g_free (self->client_name);
  g_free (self->rbuf);
  g_free (self->dec_buf);
  G_OBJECT_CLASS (ridge_session_parent_class)->finalize (object);
}

static void
ridge_session_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  RidgeSession *self = RIDGE_SESSION (object);

  switch (prop_id)
    {
      case PROP_STATE:
        g_value_set_enum (value, self->state);
        break;
      case PROP_CONNECTOR:
        g_value_set_object (value, self->connector);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ridge_session_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  RidgeSession *self = RIDGE_SESSION (object);

  switch (prop_id)
    {
      case PROP_CONNECTOR:
        self->connector = g_value_dup_object (value);
        /* USB transfer errors, timeouts, stalls and resets join the link's health */
        if (RIDGE_IS_USB_CONNECTOR (self->connector))
          ridge_usb_connector_set_health (RIDGE_USB_CONNECTOR (self->connector), self->health);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ridge_session_class_init (RidgeSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ridge_session_dispose;
  object_class->finalize = ridge_session_finalize;
  object_class->get_property = ridge_session_get_property;
  object_class->set_property = ridge_session_set_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, RIDGE_TYPE_SESSION_STATE,
                       RIDGE_SESSION_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECTOR] =
    g_param_spec_object ("connector", NULL, NULL, RIDGE_TYPE_CONNECTOR,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * RidgeSession::state-changed:
   * @old_state: the RidgeSessionState left
   * @new_state: the RidgeSessionState entered
   */
  signals[SIGNAL_STATE_CHANGED] =
    g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
  /** RidgeSession::event: every event from the terminal, before the typed signals */
  signals[SIGNAL_EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, RIDGE_TYPE_MESSAGE | G_SIGNAL_TYPE_STATIC_SCOPE);
  /** RidgeSession::frame: a decoded stream FRAME */
  signals[SIGNAL_FRAME] =
    g_signal_new ("frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, RIDGE_TYPE_FRAME | G_SIGNAL_TYPE_STATIC_SCOPE);
  /** RidgeSession::finger: @present, @timestamp_us (terminal clock) */
  signals[SIGNAL_FINGER] =
    g_signal_new ("finger", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_BOOLEAN, G_TYPE_INT64);
  /** RidgeSession::enroll-sample: decode with ridge_message_decode() */
  signals[SIGNAL_ENROLL_SAMPLE] =
    g_signal_new ("enroll-sample", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, RIDGE_TYPE_MESSAGE | G_SIGNAL_TYPE_STATIC_SCOPE);
  /** RidgeSession::rebooted: the boot counter went from @old to @new */
  signals[SIGNAL_REBOOTED] =
    g_signal_new ("rebooted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
}

static void
ridge_session_init (RidgeSession *self)
{
  self->client_name = g_strdup_printf ("ridge %s on %s", PACKAGE_VERSION, g_get_host_name ());
  self->ping_interval_ms = RIDGE_SESSION_DEFAULT_PING_INTERVAL_MS;
  self->max_missed = RIDGE_SESSION_DEFAULT_MAX_MISSED;
  self->request_timeout_ms = RIDGE_SESSION_DEFAULT_REQUEST_TIMEOUT_MS;
  self->auto_reconnect = TRUE;
  ridge_backoff_init (&self->backoff, 250, 30000, 2.0, 0.5);
  self->state = RIDGE_SESSION_DISCONNECTED;
  self->health = ridge_health_new ();
  self->trace = ridge_trace_new (RIDGE_TRACE_DEFAULT_CAPACITY);
  self->rbuf = g_malloc (READ_CHUNK);
  self->dec_buf = g_malloc (RIDGE_WIRE_MAX_PAYLOAD);
  g_queue_init (&self->wqueue);
  self->pending = g_hash_table_new (NULL, NULL);
  self->next_seq = 1;
  self->next_event_seq = 1;
  self->last_pong_us = -1;
}

RidgeSession *
ridge_session_new (RidgeConnector *connector)
{
  g_return_val_if_fail (RIDGE_IS_CONNECTOR (connector), NULL);
  return g_object_new (RIDGE_TYPE_SESSION, "connector", connector, NULL);
}

RidgeSession *
ridge_session_new_for_address (const char *address,
                               GError    **error)
{
  g_autoptr (RidgeTcpConnector) c = ridge_tcp_connector_new (address, error);

  if (c == NULL)
    return NULL;
  return ridge_session_new (RIDGE_CONNECTOR (c));
}

RidgeConnector *
ridge_session_get_connector (RidgeSession *self)
{
  g_return_val_if_fail (RIDGE_IS_SESSION (self), NULL);
  return self->connector;
}

char *
ridge_session_describe (RidgeSession *self)
{
  g_return_val_if_fail (RIDGE_IS_SESSION (self), NULL);
  return ridge_connector_describe (self->connector);
}

RidgeSessionState
ridge_session_get_state (RidgeSession *self)
{
  g_return_val_if_fail (RIDGE_IS_SESSION (self), RIDGE_SESSION_CLOSED);
  return self->state;
}

RidgeHealth *
ridge_session_get_health (RidgeSession *self)
{
  g_return_val_if_fail (RIDGE_IS_SESSION (self), NULL);
  return self->health;
}

RidgeTrace *
ridge_session_get_trace (RidgeSession *self)
{
  g_return_val_if_fail (RIDGE_IS_SESSION (self), NULL);
  return self->trace;
}

const RidgeTerminalInfo *
ridge_session_get_info (RidgeSession *self)
{
  g_return_val_if_fail (RIDGE_IS_SESSION (self), NULL);
  return self->info;
}

void
ridge_session_set_client_name (RidgeSession *self,
                               const char   *name)
{
  g_return_if_fail (RIDGE_IS_SESSION (self));
  g_return_if_fail (name != NULL);
  g_free (self->client_name);
  self->client_name = g_strdup (name);
}

void
ridge_session_set_ping_interval (RidgeSession *self,
                                 guint         interval_ms)
{
  g_return_if_fail (RIDGE_IS_SESSION (self));
  g_return_if_fail (interval_ms >= 10);
  self->ping_interval_ms = interval_ms;
  if (self->tick_id != 0)
    start_tick (self);
}

guint
ridge_session_get_ping_interval (RidgeSession *self)
{
  g_return_val_if_fail (RIDGE_IS_SESSION (self), 0);
  return self->ping_interval_ms;
}

void
ridge_session_set_max_missed (RidgeSession *self,
                              guint         max_missed)
{
  g_return_if_fail (RIDGE_IS_SESSION (self));
  g_return_if_fail (max_missed >= 1);
  self->max_missed = max_missed;
}

void
ridge_session_set_request_timeout (RidgeSession *self,
                                   guint         timeout_ms)
{
  g_return_if_fail (RIDGE_IS_SESSION (self));
  g_return_if_fail (timeout_ms > 0);
  self->request_timeout_ms = timeout_ms;
}

guint
ridge_session_get_request_timeout (RidgeSession *self)
{
  g_return_val_if_fail (RIDGE_IS_SESSION (self), 0);
  return self->request_timeout_ms;
}

void
ridge_session_set_auto_reconnect (RidgeSession *self,
                                  gboolean      auto_reconnect)
{
  g_return_if_fail (RIDGE_IS_SESSION (self));
  self->auto_reconnect = !!auto_reconnect;
}

void
ridge_session_set_backoff (RidgeSession *self,
                           guint         initial_ms,
                           guint         max_ms,
                           double        factor,
                           double        jitter)
{
  g_return_if_fail (RIDGE_IS_SESSION (self));
  ridge_backoff_init (&self->backoff, initial_ms, max_ms, factor, jitter);
}

gint64
ridge_session_get_last_pong_time (RidgeSession *self)
{
  g_return_val_if_fail (RIDGE_IS_SESSION (self), -1);
  return self->last_pong_us;
}

guint64
ridge_session_get_crc_errors (RidgeSession *self)
{
  g_return_val_if_fail (RIDGE_IS_SESSION (self), 0);
  return self->crc_total;
}

guint64
ridge_session_get_resyncs (RidgeSession *self)
{
  g_return_val_if_fail (RIDGE_IS_SESSION (self), 0);
  return self->resync_total;
}
