/* test-usb.c — RidgeUsbConnector and RidgeUsbMonitor against an emulated USB terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs under umockdev-wrapper (the preload library): a UMockdevTestbed in this process
 * presents a 1209:5247 device whose bulk endpoints are relayed to a real ridge-terminal
 * over TCP (ridge-usb-emu.c). libusb, RidgeSession and RidgeStream are the real ones.
 * Without the preload, or without RIDGE_TERMINAL_EXE, the whole program is skipped.
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <libusb.h>
#include <umockdev.h>

#include "ridge-core.h"
#include "ridge-usb.h"
#include "ridge-usb-emu.h"
#include "ridge-test-terminal.h"

static const char *terminal_exe;

typedef struct {
  RidgeTestTerminal *terminal;
  RidgeUsbEmu       *emu;
  RidgeUsbContext   *ctx;
} Fixture;

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  (void)data;
  f->terminal = ridge_test_terminal_new (terminal_exe, "ridge-usb", RIDGE_TEST_TERMINAL_DEFAULT);
  /* the terminal must not see the umockdev preload of this process */
  ridge_test_terminal_setenv (f->terminal, "LD_PRELOAD", NULL);
  ridge_test_terminal_setenv (f->terminal, "UMOCKDEV_DIR", NULL);
  ridge_test_terminal_spawn (f->terminal, NULL);

  f->emu = ridge_usb_emu_new (ridge_test_terminal_get_address (f->terminal));
  ridge_usb_emu_plug (f->emu);
  /* libusb looks at the (emulated) bus when its context starts */
  f->ctx = ridge_usb_context_new (&error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  (void)data;
  g_clear_object (&f->ctx);
  g_clear_pointer (&f->emu, ridge_usb_emu_free);
  g_clear_pointer (&f->terminal, ridge_test_terminal_free);
}

/* Iterates the main context until done() or timeout; returns done(). */
static gboolean
wait_until (gboolean (*done)(gpointer),
            gpointer   data,
            guint      timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64)timeout_ms * 1000;

  while (!done (data) && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  return done (data);
}

static gboolean
result_set (gpointer data)
{
  return *(GAsyncResult **)data != NULL;
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  (void)source;
  *(GAsyncResult **)data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **res)
{
  g_assert_true (wait_until (result_set, res, 15000));
  return *res;
}

typedef struct {
  RidgeSession     *session;
  RidgeSessionState want;
} StateWait;

static gboolean
state_is (gpointer data)
{
  StateWait *w = data;
  return ridge_session_get_state (w->session) == w->want;
}

static gboolean
state_not_ready (gpointer data)
{
  StateWait *w = data;
  RidgeSessionState s = ridge_session_get_state (w->session);
  return s == RIDGE_SESSION_LOST || s == RIDGE_SESSION_RECONNECTING;
}

static RidgeSession *
connect_session (Fixture            *f,
                 RidgeUsbConnector **connector_out)
{
  g_autoptr (RidgeUsbConnector) c = ridge_usb_connector_new (f->ctx, 0, 0);
  RidgeSession *s = ridge_session_new (RIDGE_CONNECTOR (c));
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;

  ridge_session_set_client_name (s, "test-usb");
  ridge_session_connect_async (s, NULL, store_result, &res);
  ridge_session_connect_finish (s, wait_result (&res), &error);
  g_assert_no_error (error);
  g_assert_cmpint (ridge_session_get_state (s), ==, RIDGE_SESSION_READY);
  if (connector_out != NULL)
    *connector_out = g_object_ref (c);
  return s;
}

static void
close_session (RidgeSession *s)
{
  g_autoptr (GAsyncResult) res = NULL;

  ridge_session_close_async (s, NULL, store_result, &res);
  ridge_session_close_finish (s, wait_result (&res), NULL);
}

static gint64
ping (RidgeSession *s)
{
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;
  gint64 rtt;

  ridge_session_ping_async (s, NULL, store_result, &res);
  rtt = ridge_session_ping_finish (s, wait_result (&res), &error);
  g_assert_no_error (error);
  return rtt;
}

/* ---- tests ---------------------------------------------------------------------------- */

static void
test_error_messages (void)
{
  g_autoptr (GError) access = ridge_usb_error_new (LIBUSB_ERROR_ACCESS, "usb:1-2");
  g_autoptr (GError) busy = ridge_usb_error_new (LIBUSB_ERROR_BUSY, "usb:1-2");
  g_autoptr (GError) gone = ridge_usb_error_new (LIBUSB_ERROR_NO_DEVICE, "usb:1-2");

  g_assert_nonnull (strstr (access->message, "60-ridge-terminal.rules"));
  g_assert_nonnull (strstr (access->message, "usb:1-2"));
  g_assert_error (busy, RIDGE_ERROR, RIDGE_ERROR_BUSY);
  g_assert_error (gone, RIDGE_ERROR, RIDGE_ERROR_UNREACHABLE);
}

static void
test_addresses (Fixture      *f,
                gconstpointer data)
{
  const char *good[] = { "usb:1-2.3", "usb:001:004", "usb:1209:5247", "usb:", "1-4" };
  const char *bad[] = { "usb:x", "usb:1-", "usb:12345:1", "usb:zz:01", "usb:1:2:3" };

  (void)data;
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (RidgeUsbConnector) c = ridge_usb_connector_new_for_address (f->ctx, good[i],
                                                                             &error);
      g_assert_no_error (error);
      g_assert_nonnull (c);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (RidgeUsbConnector) c = ridge_usb_connector_new_for_address (f->ctx, bad[i],
                                                                             &error);
      g_assert_error (error, RIDGE_ERROR, RIDGE_ERROR_INVALID_ARGUMENT);
      g_assert_null (c);
    }
}

static void
test_enumerate (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) devs = ridge_usb_enumerate (f->ctx, 0, 0, TRUE, &error);
  g_autoptr (GPtrArray) none = NULL;
  RidgeUsbDeviceInfo *d;

  (void)data;
  g_assert_no_error (error);
  g_assert_cmpuint (devs->len, ==, 1);
  d = g_ptr_array_index (devs, 0);
  g_assert_cmphex (d->vid, ==, 0x1209);
  g_assert_cmphex (d->pid, ==, 0x5247);
  g_assert_cmpuint (d->bus, ==, 1);
  g_assert_cmphex (d->ep_in, ==, 0x81);
  g_assert_cmphex (d->ep_out, ==, 0x01);
  g_assert_cmpuint (d->max_packet, ==, 512);
  g_assert_cmpuint (d->interface_number, ==, 0);
  g_assert_cmpstr (d->port_path, ==, "1-2");
  g_assert_cmpstr (d->product, ==, "Ridge terminal (emulated)");
  g_assert_cmpstr (d->serial, ==, "EMU0001");

  none = ridge_usb_enumerate (f->ctx, 0x1209, 0x0001, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);
}

static void
test_no_device (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (RidgeUsbConnector) c = ridge_usb_connector_new (f->ctx, 0x1209, 0x0001);
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GIOStream) stream = NULL;

  (void)data;
  ridge_connector_connect_async (RIDGE_CONNECTOR (c), NULL, store_result, &res);
  stream = ridge_connector_connect_finish (RIDGE_CONNECTOR (c), wait_result (&res), &error);
  g_assert_error (error, RIDGE_ERROR, RIDGE_ERROR_UNREACHABLE);
  g_assert_null (stream);
}

static void
test_handshake (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (RidgeUsbConnector) c = NULL;
  g_autoptr (RidgeSession) s = connect_session (f, &c);
  const RidgeTerminalInfo *info = ridge_session_get_info (s);
  g_autofree char *where = ridge_session_describe (s);
  RidgeUsbCounters n;
  RidgeUsbEmuStats es;
  gint64 rtt;

  (void)data;
  g_assert_nonnull (info);
  g_assert_cmpuint (info->width, >, 0);
  g_assert_cmpstr (where, ==, "usb:1209:5247");
  rtt = ping (s);
  g_assert_cmpint (rtt, >, 0);
  g_test_message ("ping over emulated USB: %" G_GINT64_FORMAT " us", rtt);

  ridge_usb_connector_get_counters (c, &n);
  g_assert_cmpuint (n.opens, ==, 1);
  g_assert_cmpuint (n.resets, ==, 1);
  g_assert_cmpuint (n.bytes_in, >, 0);
  g_assert_cmpuint (n.bytes_out, >, 0);
  g_assert_cmpuint (n.errors + n.stalls + n.timeouts + n.unplugs, ==, 0);
  g_assert_cmpstr (ridge_usb_connector_get_device (c)->product, ==, "Ridge terminal (emulated)");

  ridge_usb_emu_get_stats (f->emu, &es);
  g_assert_cmpuint (es.link_resets, ==, 1);
  g_assert_cmpuint (es.clear_halts, ==, 2);
  g_assert_cmpuint (es.bytes_out, ==, n.bytes_out);
  close_session (s);
  g_assert_cmpint (ridge_session_get_state (s), ==, RIDGE_SESSION_CLOSED);
  /* both sides saw the same bytes: nothing was lost or duplicated on the way */
  ridge_usb_connector_get_counters (c, &n);
  ridge_usb_emu_get_stats (f->emu, &es);
  g_assert_cmpuint (es.bytes_out, ==, n.bytes_out);
  g_assert_cmpuint (es.bytes_in, ==, n.bytes_in);
  g_assert_cmpuint (es.discards, >=, 1); /* the queued IN transfers were cancelled */
}

static void
test_busy (Fixture      *f,
           gconstpointer data)
{
  g_autoptr (RidgeSession) s = connect_session (f, NULL);
  g_autoptr (RidgeUsbConnector) other = ridge_usb_connector_new (f->ctx, 0, 0);
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GIOStream) stream = NULL;

  (void)data;
  ridge_connector_connect_async (RIDGE_CONNECTOR (other), NULL, store_result, &res);
  stream = ridge_connector_connect_finish (RIDGE_CONNECTOR (other), wait_result (&res), &error);
  g_assert_error (error, RIDGE_ERROR, RIDGE_ERROR_BUSY);
  g_assert_null (stream);
  /* the refused attempt did not disturb the first session */
  g_assert_cmpint (ping (s), >, 0);
  close_session (s);
}

static void
test_capture (Fixture      *f,
              gconstpointer data)
{
  g_autoptr (RidgeSession) s = connect_session (f, NULL);
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeFrame) frame = NULL;

  (void)data;
  ridge_session_capture_async (s, 0, 3000, NULL, store_result, &res);
  frame = ridge_session_capture_finish (s, wait_result (&res), &error);
  g_assert_no_error (error);
  g_assert_nonnull (frame);
  g_assert_cmpuint (frame->width, >, 0);
  g_assert_cmpuint (frame->height, >, 0);
  g_assert_cmpuint (g_bytes_get_size (frame->pixels), ==, (gsize)frame->width * frame->height);
  /* an uncompressed image is far larger than one 16 KiB IN transfer */
  g_assert_cmpuint (g_bytes_get_size (frame->pixels), >, RIDGE_USB_IN_TRANSFER_SIZE);
  close_session (s);
}

typedef struct {
  RidgeStream *stream;
  guint64      frames;
} FramesWait;

static gboolean
frames_reached (gpointer data)
{
  FramesWait *w = data;
  RidgeStreamStats st;

  ridge_stream_get_stats (w->stream, &st);
  return st.frames >= w->frames;
}

static void
test_stream (Fixture      *f,
             gconstpointer data)
{
  g_autoptr (RidgeUsbConnector) c = NULL;
  g_autoptr (RidgeSession) s = connect_session (f, &c);
  g_autoptr (RidgeStream) stream = ridge_stream_new (s);
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GAsyncResult) res2 = NULL;
  g_autoptr (GError) error = NULL;
  FramesWait w = { stream, 10 };
  RidgeStreamStats st;
  RidgeUsbCounters n;
  gint64 t0;

  (void)data;
  ridge_stream_start_async (stream, 4, 0, RIDGE_CAPTURE_COMPRESS, NULL, store_result, &res);
  g_assert_true (ridge_stream_start_finish (stream, wait_result (&res), &error));
  g_assert_no_error (error);
  t0 = g_get_monotonic_time ();
  g_assert_true (wait_until (frames_reached, &w, 20000));
  ridge_stream_get_stats (stream, &st);
  g_test_message ("stream over emulated USB: %" G_GUINT64_FORMAT " frames in %.2f s, p50 "
                                                                 "latency %" G_GINT64_FORMAT " us",
                  st.frames,
                  (double)(g_get_monotonic_time () - t0) / 1e6, st.latency_p50_us);
  ridge_stream_stop_async (stream, NULL, store_result, &res2);
  g_assert_true (ridge_stream_stop_finish (stream, wait_result (&res2), NULL, NULL, &error));
  g_assert_no_error (error);
  ridge_usb_connector_get_counters (c, &n);
  g_assert_cmpuint (n.bytes_in, >=, st.bytes);
  g_assert_cmpuint (n.errors, ==, 0);
  close_session (s);
}

static void
test_stall (Fixture      *f,
            gconstpointer data)
{
  g_autoptr (RidgeUsbConnector) c = NULL;
  g_autoptr (RidgeSession) s = connect_session (f, &c);
  RidgeUsbCounters n;
  RidgeUsbEmuStats es;

  (void)data;
  ridge_usb_emu_stall_in (f->emu, 1);
  g_assert_cmpint (ping (s), >, 0);
  g_assert_cmpint (ping (s), >, 0);
  ridge_usb_connector_get_counters (c, &n);
  ridge_usb_emu_get_stats (f->emu, &es);
  g_assert_cmpuint (n.stalls, ==, 1);
  g_assert_cmpuint (n.errors, ==, 0);
  g_assert_cmpuint (es.clear_halts, ==, 3); /* two at open, one after the stall */
  g_assert_cmpint (ridge_session_get_state (s), ==, RIDGE_SESSION_READY);
  close_session (s);
}

/* Sum of one CSV column over all lines. */
static guint64
csv_column_sum (const char *csv,
                const char *name)
{
  g_auto (GStrv) lines = g_strsplit (csv, "\n", -1);
  g_auto (GStrv) header = g_strsplit (lines[0], ",", -1);
  guint64 sum = 0;
  int col = -1;

  for (guint i = 0; header[i] != NULL; i++)
    if (g_str_equal (header[i], name))
      col = (int)i;
  g_assert_cmpint (col, >=, 0);
  for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i], ",", -1);

      g_assert_cmpuint (g_strv_length (f), >, (guint)col);
      sum += g_ascii_strtoull (f[col], NULL, 10);
    }
  return sum;
}

static gboolean
health_has_stall (gpointer data)
{
  RidgeHealthSummary sum;

  ridge_health_get_summary (data, &sum);
  return sum.usb_stalls > 0;
}

static gboolean
health_has_timeout (gpointer data)
{
  RidgeHealthSummary sum;

  ridge_health_get_summary (data, &sum);
  return sum.usb_timeouts == 1;
}

/* The connector's counters reach the session's RidgeHealth and its CSV (as TCP's do). */
static void
test_health_counters (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr (RidgeUsbConnector) c = NULL;
  g_autoptr (RidgeSession) s = connect_session (f, &c);
  RidgeHealth *health = ridge_session_get_health (s);
  g_autofree char *csv = NULL;
  RidgeHealthSummary sum;
  RidgeUsbCounters n;

  (void)data;
  ridge_usb_emu_stall_in (f->emu, 2);
  g_assert_cmpint (ping (s), >, 0);
  g_assert_cmpint (ping (s), >, 0);
  g_assert_true (wait_until (health_has_stall, health, 5000));
  /* let a second flush come in if the two stalls were counted apart */
  g_assert_cmpint (ping (s), >, 0);
  ridge_usb_connector_get_counters (c, &n);
  ridge_health_get_summary (health, &sum);
  g_assert_cmpuint (n.stalls, >=, 1);
  g_assert_cmpuint (sum.usb_stalls, ==, n.stalls);
  g_assert_cmpuint (sum.usb_resets, ==, 1); /* the open */
  g_assert_cmpuint (sum.usb_errors, ==, n.errors);
  g_assert_cmpuint (sum.usb_timeouts, ==, 0);
  csv = ridge_health_to_csv (health);
  g_assert_cmpuint (csv_column_sum (csv, "usb_stalls"), ==, n.stalls);
  g_assert_cmpuint (csv_column_sum (csv, "usb_resets"), ==, 1);
  g_assert_cmpuint (csv_column_sum (csv, "usb_timeouts"), ==, 0);
  g_test_message ("health CSV: %" G_GUINT64_FORMAT " stalls, %" G_GUINT64_FORMAT " resets",
                  sum.usb_stalls, sum.usb_resets);
  close_session (s);
}

static void
test_stall_out (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (RidgeUsbConnector) c = NULL;
  g_autoptr (RidgeSession) s = connect_session (f, &c);
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;
  RidgeUsbCounters n;
  RidgeUsbEmuStats es;

  (void)data;
  /* no heartbeat in between: the next OUT transfer is our PING */
  ridge_session_set_ping_interval (s, 60000);
  ridge_session_set_request_timeout (s, 700);
  ridge_usb_emu_stall_out (f->emu, 1);
  ridge_session_ping_async (s, NULL, store_result, &res);
  g_assert_cmpint (ridge_session_ping_finish (s, wait_result (&res), &error), ==, -1);
  g_assert_error (error, RIDGE_ERROR, RIDGE_ERROR_TIMED_OUT); /* the PING was lost */
  ridge_usb_connector_get_counters (c, &n);
  ridge_usb_emu_get_stats (f->emu, &es);
  g_assert_cmpuint (n.stalls, ==, 1);
  g_assert_cmpuint (es.clear_halts, ==, 3);
  /* the link goes on */
  g_assert_cmpint (ping (s), >, 0);
  g_assert_cmpint (ridge_session_get_state (s), ==, RIDGE_SESSION_READY);
  close_session (s);
}

static void
test_out_timeout (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (RidgeUsbConnector) c = NULL;
  g_autoptr (RidgeSession) s = connect_session (f, &c);
  g_autoptr (GAsyncResult) res = NULL;
  StateWait sw = { s, RIDGE_SESSION_READY };
  RidgeUsbCounters n;
  gint64 t0, lost_us;

  (void)data;
  /* only the USB OUT timeout may end the link here, not heartbeats or the request */
  ridge_session_set_ping_interval (s, 60000);
  ridge_session_set_request_timeout (s, 30000);
  ridge_session_set_backoff (s, 100, 400, 2.0, 0.0);
  ridge_usb_emu_hang_out (f->emu, TRUE);
  t0 = g_get_monotonic_time ();
  ridge_session_ping_async (s, NULL, store_result, &res);
  g_assert_true (wait_until (state_not_ready, &sw, 10000));
  lost_us = g_get_monotonic_time () - t0;
  g_test_message ("OUT timeout ended the link after %" G_GINT64_FORMAT " us", lost_us);
  g_assert_cmpint (lost_us, >=, (gint64)RIDGE_USB_OUT_TIMEOUT_MS * 1000 - 100000);
  ridge_usb_connector_get_counters (c, &n);
  g_assert_cmpuint (n.timeouts, ==, 1);
  g_assert_cmpuint (n.unplugs, ==, 0);
  /* and reached the link's health */
  g_assert_true (wait_until (health_has_timeout, ridge_session_get_health (s), 2000));
  ridge_session_ping_finish (s, wait_result (&res), NULL);

  /* the terminal drains again: the reconnect resets the link and the session is back */
  ridge_usb_emu_hang_out (f->emu, FALSE);
  g_assert_true (wait_until (state_is, &sw, 10000));
  g_assert_cmpint (ping (s), >, 0);
  ridge_usb_connector_get_counters (c, &n);
  g_assert_cmpuint (n.opens, ==, 2);
  close_session (s);
}

static void
test_unplug_replug (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr (RidgeUsbConnector) c = NULL;
  g_autoptr (RidgeSession) s = connect_session (f, &c);
  g_autoptr (RidgeStream) stream = ridge_stream_new (s);
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;
  FramesWait w = { stream, 3 };
  StateWait sw = { s, RIDGE_SESSION_READY };
  RidgeUsbCounters n;
  gint64 t0, lost_us, back_us;

  (void)data;
  ridge_session_set_backoff (s, 100, 400, 2.0, 0.0);
  ridge_stream_start_async (stream, 4, 0, RIDGE_CAPTURE_COMPRESS, NULL, store_result, &res);
  g_assert_true (ridge_stream_start_finish (stream, wait_result (&res), &error));
  g_assert_true (wait_until (frames_reached, &w, 20000));

  /* unplug mid-stream: "no device" ends the link at once, not after missed heartbeats */
  t0 = g_get_monotonic_time ();
  ridge_usb_emu_unplug (f->emu);
  g_assert_true (wait_until (state_not_ready, &sw, 2000));
  lost_us = g_get_monotonic_time () - t0;
  g_test_message ("unplug detected after %" G_GINT64_FORMAT " us", lost_us);
  g_assert_cmpint (lost_us, <, 1000000);
  ridge_usb_connector_get_counters (c, &n);
  g_assert_cmpuint (n.unplugs, >=, 1);

  /* it stays down while unplugged (reconnects find no device) */
  g_assert_false (wait_until (state_is, &sw, 600));

  t0 = g_get_monotonic_time ();
  ridge_usb_emu_plug (f->emu);
  g_assert_true (wait_until (state_is, &sw, 10000));
  back_us = g_get_monotonic_time () - t0;
  g_test_message ("replug → READY after %" G_GINT64_FORMAT " us", back_us);
  g_assert_cmpint (ping (s), >, 0);
  ridge_usb_connector_get_counters (c, &n);
  g_assert_cmpuint (n.opens, ==, 2);
  close_session (s);
}

typedef struct {
  guint added;
  guint removed;
  char *last_product;
} MonitorLog;

static void
on_added (RidgeUsbMonitor          *m,
          const RidgeUsbDeviceInfo *info,
          MonitorLog               *log)
{
  (void)m;
  log->added++;
  g_free (log->last_product);
  log->last_product = g_strdup (info->product);
}

static void
on_removed (RidgeUsbMonitor          *m,
            const RidgeUsbDeviceInfo *info,
            MonitorLog               *log)
{
  (void)m;
  (void)info;
  log->removed++;
}

typedef struct {
  MonitorLog *log;
  guint       added;
  guint       removed;
} LogWait;

static gboolean
log_reached (gpointer data)
{
  LogWait *w = data;
  return w->log->added >= w->added && w->log->removed >= w->removed;
}

static void
run_monitor (Fixture *f,
             gboolean force_polling)
{
  g_autoptr (RidgeUsbMonitor) m = ridge_usb_monitor_new (f->ctx);
  g_autoptr (GError) error = NULL;
  MonitorLog log = { 0 };
  LogWait w = { &log, 1, 0 };

  g_signal_connect (m, "device-added", G_CALLBACK (on_added), &log);
  g_signal_connect (m, "device-removed", G_CALLBACK (on_removed), &log);
  g_assert_true (ridge_usb_monitor_start (m, 100, force_polling, &error));
  g_assert_no_error (error);
  g_test_message ("monitor uses %s", ridge_usb_monitor_is_hotplug (m) ? "libusb hot-plug" :
                  "periodic enumeration");
  g_assert_true (wait_until (log_reached, &w, 5000));
  g_assert_cmpuint (log.added, ==, 1);
  g_assert_cmpstr (log.last_product, ==, "Ridge terminal (emulated)");
  g_assert_cmpuint (ridge_usb_monitor_get_devices (m)->len, ==, 1);

  ridge_usb_emu_unplug (f->emu);
  w.removed = 1;
  g_assert_true (wait_until (log_reached, &w, 5000));
  g_assert_cmpuint (ridge_usb_monitor_get_devices (m)->len, ==, 0);

  ridge_usb_emu_plug (f->emu);
  w.added = 2;
  g_assert_true (wait_until (log_reached, &w, 5000));
  g_assert_cmpuint (log.added, ==, 2);
  g_assert_cmpuint (log.removed, ==, 1);
  g_assert_cmpuint (ridge_usb_monitor_get_devices (m)->len, ==, 1);
  ridge_usb_monitor_stop (m);
  g_free (log.last_product);
}

static void
test_monitor_hotplug (Fixture      *f,
                      gconstpointer data)
{
  (void)data;
  if (!libusb_has_capability (LIBUSB_CAP_HAS_HOTPLUG))
    {
      g_test_skip ("libusb has no hot-plug support here");
      return;
    }
  run_monitor (f, FALSE);
}

static void
test_monitor_polling (Fixture      *f,
                      gconstpointer data)
{
  (void)data;
  run_monitor (f, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  gboolean mocked;

  g_test_init (&argc, &argv, NULL);

  terminal_exe = g_getenv ("RIDGE_TERMINAL_EXE");
  /* umockdev only reports the preload once a testbed redirects /sys */
  {
    g_autoptr (UMockdevTestbed) probe = umockdev_testbed_new ();
    mocked = umockdev_in_mock_environment ();
  }
  if (!mocked)
    {
      g_print ("1..0 # SKIP not running under the umockdev preload (umockdev-wrapper)\n");
      return 0;
    }
  if (terminal_exe == NULL)
    {
      g_print ("1..0 # SKIP RIDGE_TERMINAL_EXE is not set\n");
      return 0;
    }

  g_test_add_func ("/usb/error-messages", test_error_messages);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/usb/addresses", test_addresses);
  ADD ("/usb/enumerate", test_enumerate);
  ADD ("/usb/no-device", test_no_device);
  ADD ("/usb/handshake", test_handshake);
  ADD ("/usb/busy", test_busy);
  ADD ("/usb/capture", test_capture);
  ADD ("/usb/stream", test_stream);
  ADD ("/usb/stall-recovery", test_stall);
  ADD ("/usb/stall-out", test_stall_out);
  ADD ("/usb/health-counters", test_health_counters);
  ADD ("/usb/out-timeout", test_out_timeout);
  ADD ("/usb/unplug-replug", test_unplug_replug);
  ADD ("/usb/monitor-hotplug", test_monitor_hotplug);
  ADD ("/usb/monitor-polling", test_monitor_polling);
#undef ADD
  return g_test_run ();
}
