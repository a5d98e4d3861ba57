/* test-integration.c — RidgeSession and ridgectl against the real ridge-terminal process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test starts its own terminal (tests/common/ridge-test-terminal.h: 127.0.0.1, --port 0,
 * a private state dir and a control socket). The executables come
 * from meson through RIDGE_TERMINAL_EXE and RIDGECTL_EXE; without them the tests skip.
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "ridge-core.h"
#include "ridge-test-terminal.h"

typedef RidgeTestTerminal Terminal;

static const char *terminal_exe;
static const char *ridgectl_exe;

/* ---- process helpers ------------------------------------------------------------------ */

static const char *const no_auto_finger[] = { "--no-auto-finger", NULL };

/* ridge-terminal with a control socket and no automatic finger; extra: more options */
static Terminal *
terminal_new (const char *const *extra)
{
  Terminal *t = ridge_test_terminal_new (terminal_exe, "ridge-core-it",
                                         RIDGE_TEST_TERMINAL_CONTROL);
  g_autoptr (GPtrArray) args = g_ptr_array_new ();

  g_ptr_array_add (args, (gpointer)no_auto_finger[0]);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer)extra[i]);
  g_ptr_array_add (args, NULL);
  ridge_test_terminal_spawn (t, (const char *const *)args->pdata);
  return t;
}

static void
control (Terminal   *t,
         const char *command)
{
  ridge_test_terminal_control_ok (t, command);
}

static guint64
rss_kb (GPid pid)
{
  g_autofree char *path = pid ? g_strdup_printf ("/proc/%d/status", pid)
                          : g_strdup ("/proc/self/status");
  g_autofree char *text = NULL;
  const char *p;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  p = strstr (text, "VmRSS:");
  return p ? g_ascii_strtoull (p + 6, NULL, 10) : 0;
}

/* ---- main-loop helpers ---------------------------------------------------------------- */

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

static gboolean
flag_cb (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
spin_ms (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
spin_until (gboolean (*cond)(gpointer),
            gpointer   data,
            guint      max_ms)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add (max_ms, flag_cb, &expired);

  while (!cond (data) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  return cond (data);
}

static gboolean
is_ready (gpointer s)
{
  return ridge_session_get_state (s) == RIDGE_SESSION_READY;
}

static RidgeSession *
connect_session (Terminal *t,
                 GError  **error)
{
  g_autoptr (RidgeSession) s = ridge_session_new_for_address (ridge_test_terminal_get_address (
                                                                t), NULL);
  g_autoptr (GAsyncResult) res = NULL;

  ridge_session_connect_async (s, NULL, store_result, &res);
  if (!ridge_session_connect_finish (s, wait_result (&res), error))
    return NULL;
  return g_steal_pointer (&s);
}

static void
close_session (RidgeSession *s)
{
  g_autoptr (GAsyncResult) res = NULL;

  ridge_session_close_async (s, NULL, store_result, &res);
  g_assert_true (ridge_session_close_finish (s, wait_result (&res), NULL));
}

static RidgeFrame *
capture (RidgeSession *s,
         guint8        flags,
         GError      **error)
{
  g_autoptr (GAsyncResult) res = NULL;

  ridge_session_capture_async (s, flags, 0, NULL, store_result, &res);
  return ridge_session_capture_finish (s, wait_result (&res), error);
}

static gboolean
ping_ok (RidgeSession *s)
{
  g_autoptr (GAsyncResult) res = NULL;

  ridge_session_ping_async (s, NULL, store_result, &res);
  return ridge_session_ping_finish (s, wait_result (&res), NULL) >= 0;
}

/* ---- tests ---------------------------------------------------------------------------- */

static void
test_handshake (void)
{
  const char *extra[] = { "--serial", "IT-0001", NULL };
  Terminal *t = terminal_new (extra);
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeSession) s = connect_session (t, &error);
  const RidgeTerminalInfo *info;

  g_assert_no_error (error);
  g_assert_cmpint (ridge_session_get_state (s), ==, RIDGE_SESSION_READY);
  info = ridge_session_get_info (s);
  g_assert_cmpstr (info->serial, ==, "IT-0001");
  g_assert_cmpuint (info->version, ==, RIDGE_WIRE_VERSION);
  g_assert_cmpuint (info->boot_counter, >=, 1);
  g_assert_true (ping_ok (s));
  close_session (s);
  g_assert_cmpint (ridge_session_get_state (s), ==, RIDGE_SESSION_CLOSED);
  ridge_test_terminal_free (t);
}

static void
test_capture_known_image (void)
{
  g_autofree char *images = NULL;
  g_autofree char *sensor = NULL;
  g_autofree char *pgm = NULL;
  g_autofree char *out = NULL;
  g_autofree guint8 *pixels = g_malloc (96 * 80);
  g_autoptr (GRand) rand = g_rand_new_with_seed (1234);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) probe = NULL;
  Terminal *t;
  const char *extra[3] = { "--sensor", NULL, NULL };

  images = g_dir_make_tmp ("ridge-core-images-XXXXXX", &error);
  g_assert_no_error (error);
  /* noise with structure: raw and RICE paths both see every grey level */
  for (guint i = 0; i < 96 * 80; i++)
    pixels[i] = (guint8)((i % 96) * 2 + g_rand_int_range (rand, 0, 64));
  pgm = g_build_filename (images, "7_1.pgm", NULL);
  g_assert_true (ridge_image_save (pgm, pixels, 96, 80, RIDGE_IMAGE_FORMAT_PGM, &error));
  sensor = g_strconcat ("images:", images, NULL);
  extra[1] = sensor;
  t = terminal_new (extra);

  {
    g_autoptr (RidgeSession) s = connect_session (t, &error);
    g_autoptr (RidgeFrame) raw = NULL;
    g_autoptr (RidgeFrame) rice = NULL;

    g_assert_no_error (error);
    control (t, "place 7 1");
    raw = capture (s, 0, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (raw->width, ==, 96);
    g_assert_cmpuint (raw->height, ==, 80);
    g_assert_true (raw->finger_present);
    g_assert_cmpmem (g_bytes_get_data (raw->pixels, NULL), g_bytes_get_size (raw->pixels),
                     pixels, 96 * 80);

    rice = capture (s, RIDGE_CAPTURE_COMPRESS, &error);
    g_assert_no_error (error);
    g_test_message ("capture: %s, %" G_GSIZE_FORMAT " bytes on the wire for %u pixels",
                    rice->encoding == RIDGE_ENC_RICE ? "RICE" : "raw", rice->encoded_size,
                    96 * 80);
    g_assert_cmpmem (g_bytes_get_data (rice->pixels, NULL), g_bytes_get_size (rice->pixels),
                     pixels, 96 * 80);
    close_session (s);
  }

  /* the same through ridgectl capture -o, into a PNG and back */
  out = g_build_filename (ridge_test_terminal_get_dir (t), "out.png", NULL);
  {
    const char *argv[] =
    { ridgectl_exe, "--terminal", ridge_test_terminal_get_address (t), "capture", "-o", out,
      "--compress", NULL };
    g_autoptr (GSubprocess) p = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE,
                                                   &error);
    g_autoptr (GBytes) back = NULL;
    guint w, h;

    g_assert_no_error (error);
    g_assert_true (g_subprocess_wait_check (p, NULL, &error));
    g_assert_no_error (error);
    back = ridge_image_load (out, &w, &h, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (w, ==, 96);
    g_assert_cmpmem (g_bytes_get_data (back, NULL), g_bytes_get_size (back), pixels, 96 * 80);
  }
  ridge_test_terminal_free (t);
  g_unlink (pgm);
  g_rmdir (images);
}

static void
test_stream_rate_limited (void)
{
  /* 400×400 raw frames are 160 kB: at 500 kB/s about 3 fit per second of the sensor's 15 */
  const char *extra[] = { "--rate-limit", "500000", "--fps", "15", NULL };
  const double seconds = 10.0;
  Terminal *t = terminal_new (extra);
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeSession) s = connect_session (t, &error);
  g_autoptr (RidgeStream) stream = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  RidgeStreamStats st;
  RidgeHealthSummary hs;
  guint64 self_rss0, self_rss1, term_rss0, term_rss1;
  guint32 sent = 0, dropped = 0;

  g_assert_no_error (error);
  control (t, "place 1 0");
  /* the first rendering of a synthetic impression takes a while: warm it up */
  g_clear_pointer (&error, g_error_free);
  g_assert_nonnull (capture (s, 0, &error) ? (gpointer)1 : NULL);

  stream = ridge_stream_new (s);
  ridge_stream_start_async (stream, 4, 0, 0, NULL, store_result, &res);
  g_assert_true (ridge_stream_start_finish (stream, wait_result (&res), &error));
  g_clear_object (&res);

  spin_ms (2000); /* steady state before the first memory sample */
  self_rss0 = rss_kb (0);
  term_rss0 = rss_kb (ridge_test_terminal_get_pid (t));
  spin_ms (8000);
  self_rss1 = rss_kb (0);
  term_rss1 = rss_kb (ridge_test_terminal_get_pid (t));

  ridge_stream_stop_async (stream, NULL, store_result, &res);
  g_assert_true (ridge_stream_stop_finish (stream, wait_result (&res), &sent, &dropped, &error));
  ridge_stream_get_stats (stream, &st);
  ridge_health_get_summary (ridge_session_get_health (s), &hs);

  g_test_message ("10 s at 500 kB/s: %" G_GUINT64_FORMAT " frames (%.1f fps), %" G_GUINT64_FORMAT
                  " dropped (terminal: %u sent, %u dropped), latency p50 %.1f ms p95 %.1f ms, "
                  "%.2f MB/s in", st.frames, st.fps_avg, st.dropped, sent, dropped,
                  st.latency_p50_us / 1000.0, st.latency_p95_us / 1000.0,
                  hs.bytes_in / 10.0 / 1e6);
  g_test_message ("RSS client %" G_GUINT64_FORMAT " → %" G_GUINT64_FORMAT " kB, terminal %"
                  G_GUINT64_FORMAT " → %" G_GUINT64_FORMAT " kB", self_rss0, self_rss1,
                  term_rss0, term_rss1);

  /* flow control: the link sets the pace (at most 500 kB/s of 160 kB frames, with a 1/20 s
   * burst), the terminal drops what it cannot send instead of queueing it, and every drop it
   * reports reached the client through dropped_total */
  g_assert_cmpuint (st.frames, >=, 15);
  g_assert_cmpfloat ((double)st.frames * 160000.0, <=, 0.6e6 * seconds);
  g_assert_cmpuint (st.frames, <=, sent);
  g_assert_cmpuint (sent - st.frames, <=, 4); /* at most the credits in flight at STOP */
  g_assert_cmpuint (st.dropped, <=, dropped);
  g_assert_cmpuint (dropped, >, 0);
  /* the heartbeat got through the loaded link */
  g_assert_cmpint (ridge_session_get_state (s), ==, RIDGE_SESSION_READY);
  g_assert_cmpuint (hs.reconnects, ==, 0);
  /* memory stays flat on both sides (less than 4 MB growth over 8 s) */
  g_assert_cmpuint (self_rss1, <, self_rss0 + 4096);
  g_assert_cmpuint (term_rss1, <, term_rss0 + 4096);
  close_session (s);
  ridge_test_terminal_free (t);
}

typedef struct {
  GArray *states;
  gint64  lost_at;
  guint   reboot_old;
  guint   reboot_new;
} Watch;

static void
on_state (RidgeSession *s,
          guint         old_state,
          guint         new_state,
          Watch        *w)
{
  g_array_append_val (w->states, new_state);
  if (new_state == RIDGE_SESSION_LOST && w->lost_at == 0)
    w->lost_at = g_get_monotonic_time ();
}

static void
on_rebooted (RidgeSession *s,
             guint         old_boot,
             guint         new_boot,
             Watch        *w)
{
  w->reboot_old = old_boot;
  w->reboot_new = new_boot;
}

static gboolean
lost_seen (gpointer data)
{
  return ((Watch *)data)->lost_at != 0;
}

static gboolean
states_in_order (GArray                  *states,
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
test_reconnect_after_restart (void)
{
  Terminal *t = terminal_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeSession) s = connect_session (t, &error);
  Watch w = { g_array_new (FALSE, FALSE, sizeof (guint)), 0, 0, 0 };
  const RidgeSessionState want[] = {
    RIDGE_SESSION_LOST, RIDGE_SESSION_RECONNECTING, RIDGE_SESSION_READY,
  };
  guint boot0;
  RidgeHealthSummary hs;

  g_assert_no_error (error);
  ridge_session_set_ping_interval (s, 200);
  ridge_session_set_backoff (s, 100, 1000, 2.0, 0.3);
  g_signal_connect (s, "state-changed", G_CALLBACK (on_state), &w);
  g_signal_connect (s, "rebooted", G_CALLBACK (on_rebooted), &w);
  boot0 = ridge_session_get_info (s)->boot_counter;

  ridge_test_terminal_kill (t);
  g_assert_true (spin_until (lost_seen, &w, 3000));
  /* a few refused attempts while it is down */
  spin_ms (500);
  g_assert_cmpint (ridge_session_get_state (s), ==, RIDGE_SESSION_RECONNECTING);
  ridge_test_terminal_spawn (t, no_auto_finger); /* on the same port */
  g_assert_true (spin_until (is_ready, s, 5000));

  g_assert_true (states_in_order (w.states, want, G_N_ELEMENTS (want)));
  g_assert_cmpuint (ridge_session_get_info (s)->boot_counter, ==, boot0 + 1);
  g_assert_cmpuint (w.reboot_old, ==, boot0);
  g_assert_cmpuint (w.reboot_new, ==, boot0 + 1);
  ridge_health_get_summary (ridge_session_get_health (s), &hs);
  g_assert_cmpuint (hs.reconnects, ==, 1);
  g_assert_cmpuint (hs.reboots, ==, 1);
  g_assert_true (ping_ok (s));
  close_session (s);
  g_array_unref (w.states);
  ridge_test_terminal_free (t);
}

static void
test_busy (void)
{
  Terminal *t = terminal_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeSession) a = connect_session (t, &error);
  g_autoptr (RidgeSession) b = NULL;

  g_assert_no_error (error);
  b = connect_session (t, &error);
  g_assert_null (b);
  g_assert_error (error, RIDGE_ERROR, RIDGE_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "in use by 127.0.0.1:"));
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* ridgectl says the same, with exit code 2 and a JSON error */
  {
    const char *argv[] =
    { ridgectl_exe, "--json", "--terminal", ridge_test_terminal_get_address (t), "info", NULL };
    g_autoptr (GSubprocess) p = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
    g_autofree char *out = NULL;

    g_assert_true (g_subprocess_communicate_utf8 (p, NULL, NULL, &out, NULL, &error));
    g_assert_cmpint (g_subprocess_get_exit_status (p), ==, 2);
    g_assert_nonnull (strstr (out, "\"code\":\"BUSY\""));
    g_assert_nonnull (strstr (out, "in use by 127.0.0.1:"));
  }
  g_assert_true (ping_ok (a));
  close_session (a);
  ridge_test_terminal_free (t);
}

static void
test_corrupt_resync (void)
{
  Terminal *t = terminal_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeSession) s = connect_session (t, &error);
  g_autoptr (RidgeStream) stream = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  RidgeHealthSummary hs;
  guint64 crc, resyncs;

  g_assert_no_error (error);
  control (t, "place 2 0");
  stream = ridge_stream_new (s);
  ridge_stream_start_async (stream, 4, 0, RIDGE_CAPTURE_COMPRESS, NULL, store_result, &res);
  g_assert_true (ridge_stream_start_finish (stream, wait_result (&res), &error));
  g_clear_object (&res);
  spin_ms (1000);

  control (t, "fault corrupt 0.00002");
  spin_ms (3000);
  control (t, "fault clear");
  spin_ms (1500);

  crc = ridge_session_get_crc_errors (s);
  resyncs = ridge_session_get_resyncs (s);
  ridge_health_get_summary (ridge_session_get_health (s), &hs);
  g_test_message ("corruption: %" G_GUINT64_FORMAT " CRC errors, %" G_GUINT64_FORMAT
                  " resyncs, %" G_GUINT64_FORMAT " frames, state %s", crc, resyncs, hs.frames,
                  ridge_session_state_to_string (ridge_session_get_state (s)));
  g_assert_cmpuint (crc + resyncs, >, 0);
  g_assert_cmpuint (hs.crc_errors, ==, crc);
  g_assert_cmpuint (hs.resyncs, ==, resyncs);
  /* the session survived on the same connection */
  g_assert_cmpint (ridge_session_get_state (s), ==, RIDGE_SESSION_READY);
  g_assert_cmpuint (hs.reconnects, ==, 0);
  g_assert_true (ping_ok (s));
  ridge_stream_stop_async (stream, NULL, store_result, &res);
  ridge_stream_stop_finish (stream, wait_result (&res), NULL, NULL, NULL);
  close_session (s);
  ridge_test_terminal_free (t);
}

static void
test_stall_detect (void)
{
  Terminal *t = terminal_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeSession) s = connect_session (t, &error);
  Watch w = { g_array_new (FALSE, FALSE, sizeof (guint)), 0, 0, 0 };
  const guint interval = 250, missed = 3;
  RidgeHealthSummary hs;
  gint64 stalled_at, detect;

  g_assert_no_error (error);
  ridge_session_set_ping_interval (s, interval);
  ridge_session_set_max_missed (s, missed);
  ridge_session_set_auto_reconnect (s, FALSE);
  g_signal_connect (s, "state-changed", G_CALLBACK (on_state), &w);
  spin_ms (600);

  control (t, "fault stall on");
  stalled_at = g_get_monotonic_time ();
  g_assert_true (spin_until (lost_seen, &w, 5000));
  detect = w.lost_at - stalled_at;
  ridge_health_get_summary (ridge_session_get_health (s), &hs);
  g_test_message ("pulled cable: lost after %.0f ms (heartbeat %u ms × %u), %.0f ms after the "
                  "last answer", detect / 1000.0, interval, missed, hs.last_detect_us / 1000.0);
  /* degraded first, then lost within about N × interval (plus one interval of phase) */
  {
    const RidgeSessionState want[] = { RIDGE_SESSION_DEGRADED, RIDGE_SESSION_LOST };

    g_assert_true (states_in_order (w.states, want, 2));
  }
  g_assert_cmpint (detect, >=, (gint64)(missed - 1) * interval * 1000);
  g_assert_cmpint (detect, <=, (gint64)(missed + 1) * interval * 1000 + 200000);
  g_assert_cmpint (hs.last_detect_us, >=, (gint64)missed * interval * 1000);
  g_assert_cmpint (hs.last_detect_us, <=, (gint64)(missed + 1) * interval * 1000);
  control (t, "fault clear");
  close_session (s);
  g_array_unref (w.states);
  ridge_test_terminal_free (t);
}

static guint16
free_udp_port (void)
{
  g_autoptr (GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                           G_SOCKET_PROTOCOL_UDP, NULL);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (sock, addr, FALSE, NULL));
  bound = g_socket_get_local_address (sock, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
test_discovery (void)
{
  g_autofree char *port = g_strdup_printf ("%u", free_udp_port ());
  /* the later --discovery-port wins over the fixture's "0" */
  const char *extra[] = { "--serial", "IT-DISC-1", "--discovery-port", port, NULL };
  Terminal *t = terminal_new (extra);
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (RidgeSession) holder = NULL;
  RidgeAnnounce *a;

  /* unicast to 127.0.0.1 only: tests never broadcast */
  ridge_discover_async ("127.0.0.1", (guint16)atoi (port), 800, NULL, store_result, &res);
  found = ridge_discover_finish (wait_result (&res), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1); /* three probes, one terminal */
  a = g_ptr_array_index (found, 0);
  g_assert_cmpstr (a->address, ==, "127.0.0.1");
  g_assert_cmpuint (a->tcp_port, ==, ridge_test_terminal_get_port (t));
  g_assert_cmpstr (a->info->serial, ==, "IT-DISC-1");
  g_assert_false (a->busy);
  g_clear_object (&res);
  g_clear_pointer (&found, g_ptr_array_unref);

  /* while a client holds it, the answer says busy and by whom */
  holder = connect_session (t, &error);
  g_assert_no_error (error);
  ridge_discover_async ("127.0.0.1", (guint16)atoi (port), 800, NULL, store_result, &res);
  found = ridge_discover_finish (wait_result (&res), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  a = g_ptr_array_index (found, 0);
  g_assert_true (a->busy);
  g_assert_true (g_str_has_prefix (a->holder, "127.0.0.1:"));
  close_session (holder);
  g_clear_object (&res);
  g_clear_pointer (&found, g_ptr_array_unref);

  /* nothing listens on another port: an empty answer, not an error */
  ridge_discover_async ("127.0.0.1", free_udp_port (), 400, NULL, store_result, &res);
  found = ridge_discover_finish (wait_result (&res), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 0);
  ridge_test_terminal_free (t);
}

/* ---- ridgectl --json ------------------------------------------------------------------ */

static JsonObject *
run_ctl_json (Terminal   *t,
              int         expect_status,
              const char *first,
              ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) p = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  va_list args;

  g_ptr_array_add (argv, (char *)ridgectl_exe);
  g_ptr_array_add (argv, (char *)"--json");
  g_ptr_array_add (argv, (char *)"--terminal");
  g_ptr_array_add (argv, (char *)ridge_test_terminal_get_address (t));
  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *)a);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  p = g_subprocess_newv ((const char *const *)argv->pdata, G_SUBPROCESS_FLAGS_STDOUT_PIPE
                         | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (p, NULL, NULL, &out, NULL, &error));
  g_assert_cmpint (g_subprocess_get_exit_status (p), ==, expect_status);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
ctl_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static void
test_ridgectl_json (void)
{
  Terminal *t = terminal_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) info = NULL;
  g_autoptr (JsonObject) list = NULL;
  g_autoptr (JsonObject) enroll = NULL;
  g_autoptr (JsonObject) verify = NULL;
  g_autoptr (JsonObject) identify = NULL;
  g_autoptr (JsonObject) nomatch = NULL;
  g_autoptr (JsonObject) del = NULL;
  g_autoptr (JsonObject) gone = NULL;
  g_autoptr (JsonObject) list2 = NULL;
  g_autoptr (JsonObject) usage = NULL;
  g_autofree char *id = NULL;

  info = run_ctl_json (t, 0, "info", NULL);
  g_assert_cmpstr (json_object_get_string_member (info, "model"), !=, "");
  g_assert_cmpint (json_object_get_int_member (info, "protocol_version"), ==, 1);
  g_assert_true (json_object_has_member (info, "boot_counter"));

  list = run_ctl_json (t, 0, "list", NULL);
  g_assert_cmpint (json_object_get_int_member (list, "total"), ==, 0);

  /* enroll: ridgectl runs while the test places and lifts the finger */
  {
    const char *argv[] =
    { ridgectl_exe, "--json", "--terminal", ridge_test_terminal_get_address (t), "enroll", "alice",
      "right-index", "--samples", "3", "--name", "Alice RI", NULL };
    g_autoptr (GSubprocess) p = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                   | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
    g_autoptr (GAsyncResult) res = NULL;
    g_autoptr (JsonParser) parser = json_parser_new ();
    g_autofree char *out = NULL;

    g_assert_no_error (error);
    g_subprocess_communicate_utf8_async (p, NULL, NULL, ctl_done, &res);
    spin_ms (300);
    for (guint i = 0; i < 8 && res == NULL; i++)
      {
        g_autofree char *cmd = g_strdup_printf ("place 1 %u", i);

        control (t, cmd);
        spin_ms (1200);
        control (t, "lift");
        spin_ms (300);
      }
    wait_result (&res);
    g_assert_true (g_subprocess_communicate_utf8_finish (p, res, &out, NULL, &error));
    g_assert_cmpint (g_subprocess_get_exit_status (p), ==, 0);
    g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
    enroll = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
  }
  g_assert_cmpstr (json_object_get_string_member (enroll, "user_id"), ==, "alice");
  g_assert_cmpstr (json_object_get_string_member (enroll, "name"), ==, "Alice RI");
  g_assert_cmpint (json_object_get_int_member (enroll, "finger"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (enroll, "samples"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (enroll, "id"), >=, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (enroll, "attempts")),
                    >=, 3);
  id = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (enroll, "id"));

  /* the same finger again: verify by user, identify; another finger: no match (4) */
  control (t, "place 1 5");
  verify = run_ctl_json (t, 0, "verify", "--user", "alice", NULL);
  g_assert_true (json_object_get_boolean_member (verify, "matched"));
  g_assert_cmpint (json_object_get_int_member (verify, "id"), ==, atoi (id));
  control (t, "lift");
  spin_ms (200);
  control (t, "place 1 6");
  identify = run_ctl_json (t, 0, "identify", NULL);
  g_assert_true (json_object_get_boolean_member (identify, "matched"));
  g_assert_cmpstr (json_object_get_string_member (identify, "user_id"), ==, "alice");
  control (t, "lift");
  spin_ms (200);
  control (t, "place 3 0");
  nomatch = run_ctl_json (t, 4, "identify", NULL);
  g_assert_false (json_object_get_boolean_member (nomatch, "matched"));
  control (t, "lift");

  del = run_ctl_json (t, 0, "delete", id, NULL);
  g_assert_cmpint (json_object_get_int_member (del, "deleted"), ==, atoi (id));
  gone = run_ctl_json (t, 4, "delete", id, NULL);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (gone, "error"),
                                                  "code"), ==, "NOT_FOUND");
  list2 = run_ctl_json (t, 0, "list", NULL);
  g_assert_cmpint (json_object_get_int_member (list2, "total"), ==, 0);

  /* usage errors are JSON objects on stdout too (exit 1, code USAGE) */
  usage = run_ctl_json (t, 1, "delete", "abc", NULL);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (usage, "error"),
                                                  "code"), ==, "USAGE");
  g_clear_pointer (&usage, json_object_unref);
  usage = run_ctl_json (t, 1, "no-such-command", NULL);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (usage, "error"),
                                               "exit_code"), ==, 1);
  ridge_test_terminal_free (t);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  terminal_exe = g_getenv ("RIDGE_TERMINAL_EXE");
  ridgectl_exe = g_getenv ("RIDGECTL_EXE");
  if (terminal_exe == NULL || ridgectl_exe == NULL
      || !g_file_test (terminal_exe, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_print ("1..0 # SKIP ridge-terminal or ridgectl not built (RIDGE_TERMINAL_EXE, "
               "RIDGECTL_EXE unset)\n");
      return 77;
    }
  g_test_add_func ("/integration/handshake", test_handshake);
  g_test_add_func ("/integration/capture-known-image", test_capture_known_image);
  g_test_add_func ("/integration/stream-rate-limited", test_stream_rate_limited);
  g_test_add_func ("/integration/reconnect-after-restart", test_reconnect_after_restart);
  g_test_add_func ("/integration/busy", test_busy);
  g_test_add_func ("/integration/corrupt-resync", test_corrupt_resync);
  g_test_add_func ("/integration/stall-detect", test_stall_detect);
  g_test_add_func ("/integration/ridgectl-json", test_ridgectl_json);
  g_test_add_func ("/integration/discovery", test_discovery);
  return g_test_run ();
}
