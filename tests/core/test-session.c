/* test-session.c — RidgeSession against an in-process fake terminal on 127.0.0.1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The fake peer speaks the wire protocol with the real codec and can be told to stall, to
 * refuse as busy, to answer with another protocol version or to change its boot counter.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "ridge-error.h"
#include "ridge-session.h"

typedef struct {
  GSocketListener *listener;
  guint16          port;
  GCancellable    *cancellable;
  GPtrArray       *conns;
  gboolean         stall;         /* read but never answer */
  gboolean         busy;          /* HELLO → ERR_BUSY */
  guint8           version;       /* chosen version in TERMINAL_INFO */
  guint32          boot;
  gboolean         ignore_capture;
  guint            goodbyes;
  guint            hellos;
  guint            pings;
} FakePeer;

typedef struct {
  FakePeer          *peer;
  GSocketConnection *conn;
  RidgeWireDecoder   dec;
  guint8            *payload;
  guint8             rbuf[4096];
} FakeConn;

static void fake_read (FakeConn *fc);

static void
fake_send (FakeConn           *fc,
           guint16             type,
           guint8              flags,
           guint32             seq,
           const RidgeWireMsg *msg)
{
  guint8 buf[2048];
  int32_t n = ridge_wire_encode (buf, sizeof buf, type, flags, seq, msg);

  g_assert_cmpint (n, >, 0);
  /* small frames on a local socket: a blocking write cannot stall the test */
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (fc->conn)), buf,
                             (gsize)n, NULL, NULL, NULL);
}

static void
fake_answer (FakeConn              *fc,
             const RidgeWireHeader *h,
             const guint8          *payload)
{
  FakePeer *peer = fc->peer;
  RidgeWireMsg in, out;

  memset (&out, 0, sizeof out);
  g_assert_cmpint (ridge_wire_decode (h, payload, &in), ==, RIDGE_WIRE_OK);
  switch (h->type)
    {
      case RIDGE_MSG_HELLO:
        peer->hellos++;
        out.info.version = peer->version;
        out.info.max_payload = 65536;
        out.info.capabilities = RIDGE_CAP_CAPTURE;
        out.info.model.ptr = "Fake";
        out.info.model.len = 4;
        out.info.serial.ptr = "F-1";
        out.info.serial.len = 3;
        out.info.width = 4;
        out.info.height = 2;
        out.info.boot_counter = peer->boot;
        fake_send (fc, h->type, RIDGE_WIRE_FLAG_RESPONSE, h->seq, &out);
        break;

      case RIDGE_MSG_PING:
        peer->pings++;
        out.pong.client_time_us = in.ping.client_time_us;
        out.pong.terminal_time_us = (guint64)g_get_monotonic_time ();
        out.pong.boot_counter = peer->boot;
        fake_send (fc, h->type, RIDGE_WIRE_FLAG_RESPONSE, h->seq, &out);
        break;

      case RIDGE_MSG_GOODBYE:
        peer->goodbyes++;
        fake_send (fc, h->type, RIDGE_WIRE_FLAG_RESPONSE, h->seq, NULL);
        break;

      case RIDGE_MSG_CAPTURE:
        if (!peer->ignore_capture)
          {
            static const guint8 pixels[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

            out.frame.width = 4;
            out.frame.height = 2;
            out.frame.dpi = 500;
            out.frame.quality = 255;
            out.frame.encoding = RIDGE_ENC_RAW;
            out.frame.image.ptr = pixels;
            out.frame.image.len = sizeof pixels;
            fake_send (fc, h->type, RIDGE_WIRE_FLAG_RESPONSE, h->seq, &out);
          }
        break;

      default:
        out.error.code = RIDGE_ERR_UNSUPPORTED;
        fake_send (fc, h->type, RIDGE_WIRE_FLAG_RESPONSE | RIDGE_WIRE_FLAG_ERROR, h->seq, &out);
    }
}

static void
fake_conn_free (FakeConn *fc)
{
  g_io_stream_close (G_IO_STREAM (fc->conn), NULL, NULL);
  g_object_unref (fc->conn);
  g_free (fc->payload);
  g_free (fc);
}

static void
fake_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  FakeConn *fc = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);
  const guint8 *p = fc->rbuf;
  gsize len;

  if (n <= 0)
    {
      /* closed by the client, or the peer was shut down: the read loop owns fc */
      g_ptr_array_remove (fc->peer->conns, fc);
      return;
    }
  len = (gsize)n;
  while (len > 0)
    {
      size_t used = 0;

      if (ridge_wire_decoder_feed (&fc->dec, p, len, &used) == RIDGE_WIRE_DEC_FRAME
          && !fc->peer->stall)
        fake_answer (fc, &fc->dec.header, fc->dec.payload);
      p += used;
      len -= used;
    }
  fake_read (fc);
}

static void
fake_read (FakeConn *fc)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (fc->conn)), fc->rbuf,
                             sizeof fc->rbuf, G_PRIORITY_DEFAULT, fc->peer->cancellable,
                             fake_read_cb, fc);
}

static void
fake_accept_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  FakePeer *peer = user_data;
  GSocketConnection *conn = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result,
                                                             NULL, NULL);
  FakeConn *fc;

  if (conn == NULL)
    return;
  fc = g_new0 (FakeConn, 1);
  fc->peer = peer;
  fc->conn = conn;
  fc->payload = g_malloc (65536);
  ridge_wire_decoder_init (&fc->dec, fc->payload, 65536);
  g_ptr_array_add (peer->conns, fc);
  if (peer->busy)
    {
      /* like ridge-terminal: refuse at once, before reading, with seq 0, then close */
      static const char text[] = "terminal is in use by 192.0.2.10:51234";
      RidgeWireMsg out = { 0 };

      out.error.code = RIDGE_ERR_BUSY;
      out.error.text.ptr = text;
      out.error.text.len = sizeof text - 1;
      fake_send (fc, RIDGE_MSG_HELLO, RIDGE_WIRE_FLAG_RESPONSE | RIDGE_WIRE_FLAG_ERROR, 0, &out);
      g_io_stream_close (G_IO_STREAM (fc->conn), NULL, NULL);
    }
  fake_read (fc);
  g_socket_listener_accept_async (peer->listener, peer->cancellable, fake_accept_cb, peer);
}

static FakePeer *
fake_peer_new (void)
{
  FakePeer *peer = g_new0 (FakePeer, 1);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) effective = NULL;
  g_autoptr (GError) error = NULL;

  peer->listener = g_socket_listener_new ();
  peer->cancellable = g_cancellable_new ();
  peer->conns = g_ptr_array_new_with_free_func ((GDestroyNotify)fake_conn_free);
  peer->version = RIDGE_WIRE_VERSION;
  peer->boot = 7;
  g_socket_listener_add_address (peer->listener, addr, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  peer->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_socket_listener_accept_async (peer->listener, peer->cancellable, fake_accept_cb, peer);
  return peer;
}

static void
fake_peer_free (FakePeer *peer)
{
  g_cancellable_cancel (peer->cancellable);
  g_socket_listener_close (peer->listener);
  /* every connection's read loop ends with the cancellation and frees itself */
  while (peer->conns->len > 0)
    g_main_context_iteration (NULL, TRUE);
  g_ptr_array_unref (peer->conns);
  for (int i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  g_object_unref (peer->listener);
  g_object_unref (peer->cancellable);
  g_free (peer);
}

/* ---- helpers -------------------------------------------------------------------------- */

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static RidgeSession *
session_for (FakePeer *peer)
{
  g_autofree char *addr = g_strdup_printf ("127.0.0.1:%u", peer->port);
  g_autoptr (GError) error = NULL;
  RidgeSession *s = ridge_session_new_for_address (addr, &error);

  g_assert_no_error (error);
  return s;
}

static gboolean
connect_sync (RidgeSession *s,
              GError      **error)
{
  g_autoptr (GAsyncResult) res = NULL;

  ridge_session_connect_async (s, NULL, store_result, &res);
  return ridge_session_connect_finish (s, wait_result (&res), error);
}

static void
close_sync (RidgeSession *s)
{
  g_autoptr (GAsyncResult) res = NULL;

  ridge_session_close_async (s, NULL, store_result, &res);
  g_assert_true (ridge_session_close_finish (s, wait_result (&res), NULL));
  g_assert_cmpint (ridge_session_get_state (s), ==, RIDGE_SESSION_CLOSED);
}

static gboolean
timeout_flag (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
spin_until_state (RidgeSession     *s,
                  RidgeSessionState state,
                  guint             max_ms)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add (max_ms, timeout_flag, &expired);

  while (ridge_session_get_state (s) != state && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  g_assert_cmpstr (ridge_session_state_to_string (ridge_session_get_state (s)), ==,
                   ridge_session_state_to_string (state));
}

static void
spin_ms (guint ms)
{
  gboolean expired = FALSE;

  g_timeout_add (ms, timeout_flag, &expired);
  while (!expired)
    g_main_context_iteration (NULL, TRUE);
}

/* ---- tests ---------------------------------------------------------------------------- */

static void
test_handshake_and_close (void)
{
  FakePeer *peer = fake_peer_new ();
  g_autoptr (RidgeSession) s = session_for (peer);
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (RidgeFrame) frame = NULL;
  const RidgeTerminalInfo *info;
  gint64 rtt;

  g_assert_cmpint (ridge_session_get_state (s), ==, RIDGE_SESSION_DISCONNECTED);
  g_assert_true (connect_sync (s, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ridge_session_get_state (s), ==, RIDGE_SESSION_READY);
  info = ridge_session_get_info (s);
  g_assert_nonnull (info);
  g_assert_cmpstr (info->model, ==, "Fake");
  g_assert_cmpuint (info->boot_counter, ==, 7);

  ridge_session_ping_async (s, NULL, store_result, &res);
  rtt = ridge_session_ping_finish (s, wait_result (&res), &error);
  g_assert_no_error (error);
  g_assert_cmpint (rtt, >=, 0);
  g_assert_cmpint (rtt, <, G_USEC_PER_SEC);
  g_clear_object (&res);

  ridge_session_capture_async (s, 0, 0, NULL, store_result, &res);
  frame = ridge_session_capture_finish (s, wait_result (&res), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (frame->width, ==, 4);
  g_assert_cmpmem (g_bytes_get_data (frame->pixels, NULL), 8, "\1\2\3\4\5\6\7\10", 8);
  g_clear_object (&res);

  /* an unsupported request maps the wire error */
  ridge_session_request_async (s, RIDGE_MSG_SELFTEST, NULL, 0, NULL, store_result, &res);
  g_assert_null (ridge_session_request_finish (s, wait_result (&res), &error));
  g_assert_error (error, RIDGE_ERROR, RIDGE_ERROR_UNSUPPORTED);
  g_clear_error (&error);

  close_sync (s);
  g_assert_cmpuint (peer->goodbyes, ==, 1);
  /* the trace has the exchange, with RTTs on responses */
  {
    RidgeTrace *t = ridge_session_get_trace (s);
    gboolean saw_hello_rtt = FALSE;

    for (guint i = 0; i < ridge_trace_get_n_entries (t); i++)
      {
        const RidgeTraceEntry *e = ridge_trace_get_entry (t, i);

        if (e->type == RIDGE_MSG_HELLO && e->kind == RIDGE_TRACE_RESPONSE && e->rtt_us >= 0)
          saw_hello_rtt = TRUE;
      }
    g_assert_true (saw_hello_rtt);
  }
  fake_peer_free (peer);
}

static void
test_request_timeout (void)
{
  FakePeer *peer = fake_peer_new ();
  g_autoptr (RidgeSession) s = session_for (peer);
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  gint64 t0;

  peer->ignore_capture = TRUE;
  g_assert_true (connect_sync (s, &error));
  ridge_session_set_request_timeout (s, 200);
  t0 = g_get_monotonic_time ();
  ridge_session_request_async (s, RIDGE_MSG_CAPTURE, &(RidgeWireMsg) { .capture = { 0, 0 } }, 0,
                               NULL, store_result, &res);
  g_assert_null (ridge_session_request_finish (s, wait_result (&res), &error));
  g_assert_error (error, RIDGE_ERROR, RIDGE_ERROR_TIMED_OUT);
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, 190000);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 1000000);
  /* the session survives a timed-out request */
  g_assert_cmpint (ridge_session_get_state (s), ==, RIDGE_SESSION_READY);
  close_sync (s);
  fake_peer_free (peer);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_request_cancel (void)
{
  FakePeer *peer = fake_peer_new ();
  g_autoptr (RidgeSession) s = session_for (peer);
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GCancellable) c = g_cancellable_new ();
  gint64 t0;

  peer->ignore_capture = TRUE;
  g_assert_true (connect_sync (s, &error));
  t0 = g_get_monotonic_time ();
  ridge_session_capture_async (s, RIDGE_CAPTURE_WAIT_FINGER, 10000, c, store_result, &res);
  g_timeout_add (50, cancel_cb, c);
  g_assert_null (ridge_session_capture_finish (s, wait_result (&res), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 1000000);
  g_clear_error (&error);
  g_clear_object (&res);

  /* already cancelled: fails at once */
  ridge_session_capture_async (s, 0, 0, c, store_result, &res);
  g_assert_null (ridge_session_capture_finish (s, wait_result (&res), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  close_sync (s);
  fake_peer_free (peer);
}

typedef struct {
  GArray *states;
  gint64  lost_at;
} StateLog;

static void
on_state (RidgeSession *s,
          guint         old_state,
          guint         new_state,
          StateLog     *log)
{
  g_array_append_val (log->states, new_state);
  if (new_state == RIDGE_SESSION_LOST)
    log->lost_at = g_get_monotonic_time ();
}

static gboolean
states_contain_in_order (GArray                  *states,
                         const RidgeSessionState *want,
                         guint                    n)
{
  guint j = 0;

  for (guint i = 0; i < states->len && j < n; i++)
    if (g_array_index (states, guint, i) == (guint)want[j])
      j++;
  return j == n;
}

static void
test_heartbeat_loss_and_reconnect (void)
{
  FakePeer *peer = fake_peer_new ();
  g_autoptr (RidgeSession) s = session_for (peer);
  g_autoptr (GError) error = NULL;
  StateLog log = { g_array_new (FALSE, FALSE, sizeof (guint)), 0 };
  const RidgeSessionState want[] = {
    RIDGE_SESSION_READY, RIDGE_SESSION_DEGRADED, RIDGE_SESSION_LOST, RIDGE_SESSION_RECONNECTING,
    RIDGE_SESSION_READY,
  };
  RidgeHealthSummary sum;
  gint64 stall_at, detect;

  ridge_session_set_ping_interval (s, 100);
  ridge_session_set_max_missed (s, 3);
  ridge_session_set_request_timeout (s, 300);
  ridge_session_set_backoff (s, 50, 200, 2.0, 0.2);
  g_signal_connect (s, "state-changed", G_CALLBACK (on_state), &log);
  g_assert_true (connect_sync (s, &error));
  spin_ms (350);
  g_assert_cmpint (ridge_session_get_state (s), ==, RIDGE_SESSION_READY);
  g_assert_cmpuint (peer->pings, >=, 2);

  /* pull the cable: the peer keeps the socket but answers nothing */
  peer->stall = TRUE;
  stall_at = g_get_monotonic_time ();
  {
    gboolean expired = FALSE;
    guint id = g_timeout_add (2000, timeout_flag, &expired);

    /* LOST is followed at once by RECONNECTING: watch the log, not the state */
    while (log.lost_at == 0 && !expired)
      g_main_context_iteration (NULL, TRUE);
    g_assert_false (expired);
    g_source_remove (id);
  }
  detect = log.lost_at - stall_at;
  g_test_message ("loss detected %.0f ms after the stall (3 × 100 ms heartbeats)",
                  (double)detect / 1000);
  g_assert_cmpint (detect, >=, 200000);
  g_assert_cmpint (detect, <, 600000);

  ridge_health_get_summary (ridge_session_get_health (s), &sum);
  g_assert_cmpint (sum.last_detect_us, >=, 250000);
  g_assert_cmpint (sum.last_detect_us, <, 700000);
  g_assert_cmpuint (sum.pings_lost, >=, 1);

  /* the cable is back: the session reconnects by itself */
  peer->stall = FALSE;
  spin_until_state (s, RIDGE_SESSION_READY, 3000);
  g_assert_true (states_contain_in_order (log.states, want, G_N_ELEMENTS (want)));
  ridge_health_get_summary (ridge_session_get_health (s), &sum);
  g_assert_cmpuint (sum.reconnects, ==, 1);
  g_assert_cmpuint (peer->hellos, ==, 2);

  close_sync (s);
  g_array_unref (log.states);
  fake_peer_free (peer);
}

static void
on_rebooted (RidgeSession *s,
             guint         old_boot,
             guint         new_boot,
             guint        *seen)
{
  g_assert_cmpuint (old_boot, ==, 7);
  *seen = new_boot;
}

static void
test_reboot_detected (void)
{
  FakePeer *peer = fake_peer_new ();
  g_autoptr (RidgeSession) s = session_for (peer);
  g_autoptr (GError) error = NULL;
  guint seen = 0;
  RidgeHealthSummary sum;

  ridge_session_set_ping_interval (s, 50);
  g_signal_connect (s, "rebooted", G_CALLBACK (on_rebooted), &seen);
  g_assert_true (connect_sync (s, &error));
  peer->boot = 8;
  spin_ms (200);
  g_assert_cmpuint (seen, ==, 8);
  ridge_health_get_summary (ridge_session_get_health (s), &sum);
  g_assert_cmpuint (sum.reboots, ==, 1);
  close_sync (s);
  fake_peer_free (peer);
}

static void
test_busy (void)
{
  FakePeer *peer = fake_peer_new ();
  g_autoptr (RidgeSession) s = session_for (peer);
  g_autoptr (GError) error = NULL;

  peer->busy = TRUE;
  g_assert_false (connect_sync (s, &error));
  g_assert_error (error, RIDGE_ERROR, RIDGE_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "192.0.2.10:51234"));
  g_assert_cmpint (ridge_session_get_state (s), ==, RIDGE_SESSION_DISCONNECTED);
  g_object_run_dispose (G_OBJECT (s));
  fake_peer_free (peer);
}

static void
test_version_mismatch (void)
{
  FakePeer *peer = fake_peer_new ();
  g_autoptr (RidgeSession) s = session_for (peer);
  g_autoptr (GError) error = NULL;

  peer->version = 9;
  g_assert_false (connect_sync (s, &error));
  g_assert_error (error, RIDGE_ERROR, RIDGE_ERROR_VERSION_MISMATCH);
  fake_peer_free (peer);
}

static void
test_refused (void)
{
  g_autoptr (GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                           G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (RidgeSession) s = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *where = NULL;

  /* a port bound but not listening refuses connections */
  g_assert_true (g_socket_bind (sock, addr, FALSE, NULL));
  bound = g_socket_get_local_address (sock, NULL);
  where = g_strdup_printf ("127.0.0.1:%u",
                           g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  s = ridge_session_new_for_address (where, NULL);
  g_assert_false (connect_sync (s, &error));
  g_assert_error (error, RIDGE_ERROR, RIDGE_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, where));
}

static void
test_not_connected (void)
{
  g_autoptr (RidgeSession) s = ridge_session_new_for_address ("127.0.0.1:1", NULL);
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;

  ridge_session_ping_async (s, NULL, store_result, &res);
  g_assert_cmpint (ridge_session_ping_finish (s, wait_result (&res), &error), ==, -1);
  g_assert_error (error, RIDGE_ERROR, RIDGE_ERROR_NOT_CONNECTED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/session/handshake-and-close", test_handshake_and_close);
  g_test_add_func ("/session/request-timeout", test_request_timeout);
  g_test_add_func ("/session/request-cancel", test_request_cancel);
  g_test_add_func ("/session/heartbeat-loss-and-reconnect", test_heartbeat_loss_and_reconnect);
  g_test_add_func ("/session/reboot-detected", test_reboot_detected);
  g_test_add_func ("/session/busy", test_busy);
  g_test_add_func ("/session/version-mismatch", test_version_mismatch);
  g_test_add_func ("/session/refused", test_refused);
  g_test_add_func ("/session/not-connected", test_not_connected);
  return g_test_run ();
}
