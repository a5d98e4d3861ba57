/* test-core-units.c — pure parts of src/core: health maths, backoff, errors, state machine,
 * trace ring, socket tuning
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "ridge-backoff.h"
#include "ridge-connector.h"
#include "ridge-error.h"
#include "ridge-health.h"
#include "ridge-session.h"
#include "ridge-trace.h"

#define SEC G_USEC_PER_SEC

static void
test_health_percentiles (void)
{
  const gint64 s10[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
  const gint64 s20[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
                         100 };
  const gint64 s3[] = { 10, 20, 30 };

  g_assert_cmpint (ridge_health_median (s10, 10), ==, 5);    /* (5 + 6) / 2 in integers */
  g_assert_cmpint (ridge_health_median (s3, 3), ==, 20);
  g_assert_cmpint (ridge_health_median (s3, 0), ==, -1);
  g_assert_cmpint (ridge_health_percentile (s10, 10, 95), ==, 10); /* ceil (9.5) = rank 10 */
  g_assert_cmpint (ridge_health_percentile (s20, 20, 95), ==, 19); /* rank 19 */
  g_assert_cmpint (ridge_health_percentile (s20, 20, 100), ==, 100);
  g_assert_cmpint (ridge_health_percentile (s20, 20, 0), ==, 1);
  g_assert_cmpint (ridge_health_percentile (s3, 3, 50), ==, 20);
}

static void
test_health_second_stats (void)
{
  g_autoptr (RidgeHealth) h = ridge_health_new ();
  const gint64 rtts[] = { 900, 100, 500, 300, 700 }; /* sorted: 100 300 500 700 900 */
  RidgeHealthSecond s;

  for (guint i = 0; i < G_N_ELEMENTS (rtts); i++)
    {
      ridge_health_record_ping_sent (h, 10 * SEC + i * 1000);
      ridge_health_record_rtt (h, 10 * SEC + i * 1000 + 10, rtts[i]);
    }
  ridge_health_record_bytes (h, 10 * SEC + 5, 1000, 250);
  ridge_health_add (h, 10 * SEC + 6, RIDGE_HEALTH_FRAMES, 3);
  ridge_health_add (h, 10 * SEC + 7, RIDGE_HEALTH_CRC_ERRORS, 2);
  ridge_health_record_tcp_info (h, 10 * SEC + 8, 123, 45, 6, 1);

  g_assert_true (ridge_health_get_second (h, 10, &s));
  g_assert_cmpuint (s.rtt_count, ==, 5);
  g_assert_cmpint (s.rtt_min, ==, 100);
  g_assert_cmpint (s.rtt_max, ==, 900);
  g_assert_cmpint (s.rtt_avg, ==, 500);
  g_assert_cmpint (s.rtt_median, ==, 500);
  g_assert_cmpint (s.rtt_p95, ==, 900);
  g_assert_cmpuint (s.pings_sent, ==, 5);
  g_assert_cmpuint (s.bytes_in, ==, 1000);
  g_assert_cmpuint (s.bytes_out, ==, 250);
  g_assert_cmpuint (s.frames, ==, 3);
  g_assert_cmpuint (s.crc_errors, ==, 2);
  g_assert_cmpint (s.tcp_rtt_us, ==, 123);
  g_assert_cmpint (s.tcp_lost, ==, 1);

  /* a second without samples inside the ring is idle, outside it is unknown */
  ridge_health_record_ping_sent (h, 12 * SEC);
  g_assert_true (ridge_health_get_second (h, 11, &s));
  g_assert_cmpuint (s.rtt_count, ==, 0);
  g_assert_cmpint (s.rtt_median, ==, -1);
  g_assert_false (ridge_health_get_second (h, 13, &s));
  g_assert_false (ridge_health_get_second (h, 9, &s));
}

static void
test_health_jitter (void)
{
  g_autoptr (RidgeHealth) h = ridge_health_new ();
  RidgeHealthSummary sum;
  double j = 0;

  /* RFC 3550: J += (|D| - J) / 16, D the difference between consecutive transit times */
  g_assert_cmpfloat_with_epsilon (ridge_health_jitter_step (0, 1000, 2600), 100.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (ridge_health_jitter_step (100, 2600, 1000), 193.75, 1e-9);
  g_assert_cmpfloat_with_epsilon (ridge_health_jitter_step (160, 1000, 1000), 150.0, 1e-9);

  ridge_health_record_rtt (h, 0, 1000);
  ridge_health_record_rtt (h, 1, 2600);
  ridge_health_record_rtt (h, 2, 1000);
  ridge_health_record_rtt (h, 3, 1000);
  j = 0 + (1600 - 0) / 16.0;
  j = j + (1600 - j) / 16.0;
  j = j + (0 - j) / 16.0;
  ridge_health_get_summary (h, &sum);
  g_assert_cmpfloat_with_epsilon (sum.jitter_us, j, 1e-9);
}

static void
test_health_summary (void)
{
  g_autoptr (RidgeHealth) h = ridge_health_new ();
  RidgeHealthSummary sum;
  const gint64 rtts[] = { 2, 4, 4, 4, 5, 5, 7, 9 }; /* mean 5, sample stdev sqrt(32/7) */

  ridge_health_get_summary (h, &sum);
  g_assert_cmpint (sum.rtt_last, ==, -1);
  g_assert_cmpfloat (sum.loss_percent, ==, 0.0);

  for (guint i = 0; i < G_N_ELEMENTS (rtts); i++)
    {
      ridge_health_record_ping_sent (h, i * SEC);
      ridge_health_record_rtt (h, i * SEC + 1, rtts[i]);
    }
  ridge_health_record_ping_sent (h, 8 * SEC);
  ridge_health_record_ping_lost (h, 9 * SEC);
  ridge_health_record_ping_sent (h, 9 * SEC);
  ridge_health_record_ping_lost (h, 10 * SEC);
  ridge_health_add (h, 10 * SEC, RIDGE_HEALTH_RECONNECTS, 1);
  ridge_health_record_loss_detected (h, 10 * SEC, 3 * SEC);
  ridge_health_record_reboot (h, 11 * SEC, 4, 5);

  ridge_health_get_summary (h, &sum);
  g_assert_cmpuint (sum.pings_sent, ==, 10);
  g_assert_cmpuint (sum.pings_received, ==, 8);
  g_assert_cmpuint (sum.pings_lost, ==, 2);
  g_assert_cmpfloat_with_epsilon (sum.loss_percent, 20.0, 1e-9);
  g_assert_cmpint (sum.rtt_last, ==, 9);
  g_assert_cmpint (sum.rtt_best, ==, 2);
  g_assert_cmpint (sum.rtt_worst, ==, 9);
  g_assert_cmpfloat_with_epsilon (sum.rtt_avg, 5.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (sum.rtt_stdev, sqrt (32.0 / 7.0), 1e-9);
  g_assert_cmpuint (sum.reconnects, ==, 1);
  g_assert_cmpuint (sum.reboots, ==, 1);
  g_assert_cmpint (sum.last_detect_us, ==, 3 * SEC);
  g_assert_cmpuint (ridge_health_get_n_events (h), ==, 2);
  g_assert_cmpint (ridge_health_get_event (h, 0)->kind, ==, RIDGE_HEALTH_EVENT_LOSS);
  g_assert_nonnull (strstr (ridge_health_get_event (h, 1)->message, "4 → 5"));
}

static void
test_health_ring_wrap (void)
{
  g_autoptr (RidgeHealth) h = ridge_health_new ();
  g_autofree char *csv = NULL;
  RidgeHealthSecond s;
  const gint64 t0 = 1000;
  const guint total = 4000; /* > 3600 s */
  guint lines = 0;

  for (guint i = 0; i < total; i++)
    {
      ridge_health_record_ping_sent (h, (t0 + i) * SEC);
      ridge_health_record_rtt (h, (t0 + i) * SEC + 500, 1000 + i);
    }
  g_assert_cmpint (ridge_health_get_newest_second (h), ==, t0 + total - 1);
  g_assert_cmpuint (ridge_health_get_n_seconds (h), ==, RIDGE_HEALTH_SLOTS);
  g_assert_cmpuint (RIDGE_HEALTH_SLOTS, >=, 3600);

  /* the newest RIDGE_HEALTH_SLOTS seconds are all there, with their own values */
  for (guint i = total - RIDGE_HEALTH_SLOTS; i < total; i += 97)
    {
      g_assert_true (ridge_health_get_second (h, t0 + i, &s));
      g_assert_cmpuint (s.rtt_count, ==, 1);
      g_assert_cmpint (s.rtt_median, ==, 1000 + i);
    }
  /* older ones are gone */
  g_assert_false (ridge_health_get_second (h, t0 + total - RIDGE_HEALTH_SLOTS - 1, &s));
  g_assert_false (ridge_health_get_second (h, t0, &s));

  csv = ridge_health_to_csv (h);
  for (const char *p = csv; *p; p++)
    lines += *p == '\n';
  g_assert_cmpuint (lines, ==, RIDGE_HEALTH_SLOTS + 1);
  g_assert_true (g_str_has_prefix (csv, "second,rtt_count,"));

  /* more than RIDGE_HEALTH_RTT_PER_SLOT samples in one second: counts stay exact */
  for (guint i = 0; i < 40; i++)
    ridge_health_record_rtt (h, (t0 + total) * SEC + i, 10 + i);
  g_assert_true (ridge_health_get_second (h, t0 + total, &s));
  g_assert_cmpuint (s.rtt_count, ==, 40);
  g_assert_cmpint (s.rtt_min, ==, 10);
  g_assert_cmpint (s.rtt_max, ==, 49);
  g_assert_cmpint (s.rtt_avg, ==, (10 + 49) / 2);
}

static void
test_health_event_ring (void)
{
  g_autoptr (RidgeHealth) h = ridge_health_new ();

  for (guint i = 0; i < RIDGE_HEALTH_EVENTS_MAX + 10; i++)
    ridge_health_log_event (h, i, RIDGE_HEALTH_EVENT_STATE, "event %u", i);
  g_assert_cmpuint (ridge_health_get_n_events (h), ==, RIDGE_HEALTH_EVENTS_MAX);
  g_assert_cmpstr (ridge_health_get_event (h, 0)->message, ==, "event 10");
}

static void
test_backoff (void)
{
  RidgeBackoff b;
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  guint min_seen = G_MAXUINT, max_seen = 0;

  ridge_backoff_init (&b, 100, 5000, 2.0, 0.5);
  g_assert_cmpuint (ridge_backoff_base (&b, 0), ==, 100);
  g_assert_cmpuint (ridge_backoff_base (&b, 1), ==, 200);
  g_assert_cmpuint (ridge_backoff_base (&b, 5), ==, 3200);
  g_assert_cmpuint (ridge_backoff_base (&b, 6), ==, 5000);
  g_assert_cmpuint (ridge_backoff_base (&b, 1000), ==, 5000);

  for (guint i = 0; i < 50; i++)
    {
      guint base = ridge_backoff_base (&b, b.attempt);
      guint d = ridge_backoff_next (&b, rand);

      g_assert_cmpuint (d, <=, base);
      g_assert_cmpuint (d, >=, base / 2);
      if (base == 5000)
        {
          min_seen = MIN (min_seen, d);
          max_seen = MAX (max_seen, d);
        }
    }
  /* the jitter actually spreads the delays */
  g_assert_cmpuint (max_seen - min_seen, >, 500);
  g_assert_cmpuint (b.attempt, ==, 50);
  ridge_backoff_reset (&b);
  g_assert_cmpuint (ridge_backoff_next (&b, rand), <=, 100);

  /* no jitter: exact */
  ridge_backoff_init (&b, 10, 1000, 3.0, 0.0);
  g_assert_cmpuint (ridge_backoff_next (&b, rand), ==, 10);
  g_assert_cmpuint (ridge_backoff_next (&b, rand), ==, 30);
  g_assert_cmpuint (ridge_backoff_next (&b, rand), ==, 90);
}

static void
test_error_sentences (void)
{
  g_autoptr (GHashTable) nicks = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GError) busy = NULL;
  g_autoptr (GError) duplicate = NULL;
  g_autoptr (GError) unknown = NULL;
  g_autoptr (GError) refused = NULL;

  for (int code = 0; code <= RIDGE_ERROR_LAST; code++)
    {
      const char *s = ridge_error_sentence (code);
      const char *nick = ridge_error_code_nick (code);

      g_assert_nonnull (s);
      g_assert_cmpuint (strlen (s), >, 10);
      g_assert_true (g_str_has_suffix (s, "."));
      g_assert_false (g_hash_table_contains (nicks, nick));
      g_hash_table_add (nicks, (gpointer)nick);
    }
  /* every wire error code maps to a code of its own */
  for (guint16 w = RIDGE_ERR_MALFORMED; w <= RIDGE_ERR_NOT_HELLO; w++)
    g_assert_cmpint (ridge_error_code_from_wire (w), !=, RIDGE_ERROR_UNKNOWN_REMOTE);
  g_assert_cmpint (ridge_error_code_from_wire (RIDGE_ERR_BUSY), ==, RIDGE_ERROR_BUSY);
  g_assert_cmpint (ridge_error_code_from_wire (RIDGE_ERR_VERSION), ==,
                   RIDGE_ERROR_VERSION_MISMATCH);
  g_assert_cmpint (ridge_error_code_from_wire (999), ==, RIDGE_ERROR_UNKNOWN_REMOTE);

  busy = ridge_error_new_from_wire (RIDGE_ERR_BUSY, "held by 10.1.2.3:40000xx", 22);
  g_assert_error (busy, RIDGE_ERROR, RIDGE_ERROR_BUSY);
  g_assert_cmpstr (busy->message, ==,
                   "The terminal is busy with another client: held by 10.1.2.3:40000");
  /* a terminal sentence that already begins with ours is not said twice */
  duplicate = ridge_error_new_from_wire (RIDGE_ERR_DUPLICATE,
                                         "This finger is already enrolled as template 3", 45);
  g_assert_error (duplicate, RIDGE_ERROR, RIDGE_ERROR_DUPLICATE);
  g_assert_cmpstr (duplicate->message, ==, "This finger is already enrolled as template 3");
  unknown = ridge_error_new_from_wire (999, NULL, 0);
  g_assert_nonnull (strstr (unknown->message, "code 999"));

  refused = ridge_error_from_connect_error (g_error_new_literal (G_IO_ERROR,
                                                                 G_IO_ERROR_CONNECTION_REFUSED,
                                                                 "Connection refused"),
                                            "127.0.0.1:1");
  g_assert_error (refused, RIDGE_ERROR, RIDGE_ERROR_REFUSED);
  g_assert_nonnull (strstr (refused->message, "127.0.0.1:1"));
}

static void
test_state_transitions (void)
{
  /* the normal life: connect, degrade, recover, lose, reconnect, close */
  const RidgeSessionState path[] = {
    RIDGE_SESSION_DISCONNECTED, RIDGE_SESSION_CONNECTING, RIDGE_SESSION_READY,
    RIDGE_SESSION_DEGRADED, RIDGE_SESSION_READY, RIDGE_SESSION_DEGRADED, RIDGE_SESSION_LOST,
    RIDGE_SESSION_RECONNECTING, RIDGE_SESSION_READY, RIDGE_SESSION_LOST,
    RIDGE_SESSION_RECONNECTING, RIDGE_SESSION_CLOSED, RIDGE_SESSION_CONNECTING,
    RIDGE_SESSION_DISCONNECTED,
  };

  for (guint i = 1; i < G_N_ELEMENTS (path); i++)
    g_assert_true (ridge_session_state_transition_valid (path[i - 1], path[i]));

  /* forbidden edges */
  g_assert_false (ridge_session_state_transition_valid (RIDGE_SESSION_DISCONNECTED,
                                                        RIDGE_SESSION_READY));
  g_assert_false (ridge_session_state_transition_valid (RIDGE_SESSION_READY,
                                                        RIDGE_SESSION_RECONNECTING));
  g_assert_false (ridge_session_state_transition_valid (RIDGE_SESSION_LOST,
                                                        RIDGE_SESSION_READY));
  g_assert_false (ridge_session_state_transition_valid (RIDGE_SESSION_CONNECTING,
                                                        RIDGE_SESSION_LOST));
  g_assert_false (ridge_session_state_transition_valid (RIDGE_SESSION_READY,
                                                        RIDGE_SESSION_READY));
  /* everything may close */
  for (int s = RIDGE_SESSION_DISCONNECTED; s < RIDGE_SESSION_CLOSED; s++)
    g_assert_true (ridge_session_state_transition_valid (s, RIDGE_SESSION_CLOSED));
  g_assert_cmpstr (ridge_session_state_to_string (RIDGE_SESSION_DEGRADED), ==, "degraded");
}

static void
on_entry (RidgeTrace            *trace,
          const RidgeTraceEntry *entry,
          guint                 *count)
{
  (*count)++;
}

static void
test_trace_ring (void)
{
  g_autoptr (RidgeTrace) t = ridge_trace_new (10);
  guint signalled = 0;
  RidgeTraceEntry e = { 0 };
  g_autofree char *line = NULL;

  g_signal_connect (t, "entry-added", G_CALLBACK (on_entry), &signalled);
  for (guint i = 0; i < 25; i++)
    {
      e.seq = i;
      e.type = 0x0003;
      e.rtt_us = i % 2 ? 1500 : -1;
      memset (e.result, 'x', sizeof e.result); /* not terminated: the ring must cope */
      ridge_trace_add (t, &e);
    }
  g_assert_cmpuint (signalled, ==, 25);
  g_assert_cmpuint (ridge_trace_get_n_entries (t), ==, 10);
  g_assert_cmpuint (ridge_trace_get_dropped (t), ==, 15);
  g_assert_cmpuint (ridge_trace_get_entry (t, 0)->seq, ==, 15);
  g_assert_cmpuint (ridge_trace_get_entry (t, 9)->seq, ==, 24);
  g_assert_cmpuint (strlen (ridge_trace_get_entry (t, 9)->result), ==, sizeof e.result - 1);
  line = ridge_trace_entry_format (ridge_trace_get_entry (t, 0), 0);
  g_assert_nonnull (strstr (line, "PING"));
  g_assert_nonnull (strstr (line, "rtt 1.500 ms"));
  ridge_trace_clear (t);
  g_assert_cmpuint (ridge_trace_get_n_entries (t), ==, 0);
}

static void
test_tcp_tune (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                        G_SOCKET_PROTOCOL_TCP, &error);
  int v = 0;

  g_assert_no_error (error);
  g_assert_true (ridge_tcp_socket_tune (s, 7, 2, 4, 6000, &error));
  g_assert_no_error (error);
  g_assert_true (g_socket_get_keepalive (s));
  g_assert_true (g_socket_get_option (s, IPPROTO_TCP, TCP_KEEPIDLE, &v, &error));
  g_assert_cmpint (v, ==, 7);
  g_assert_true (g_socket_get_option (s, IPPROTO_TCP, TCP_KEEPINTVL, &v, &error));
  g_assert_cmpint (v, ==, 2);
  g_assert_true (g_socket_get_option (s, IPPROTO_TCP, TCP_KEEPCNT, &v, &error));
  g_assert_cmpint (v, ==, 4);
  g_assert_true (g_socket_get_option (s, IPPROTO_TCP, TCP_USER_TIMEOUT, &v, &error));
  g_assert_cmpint (v, ==, 6000);
}

static void
test_address_parse (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeTcpConnector) a = ridge_tcp_connector_new ("10.0.0.7", &error);
  g_autoptr (RidgeTcpConnector) b = ridge_tcp_connector_new ("localhost:9000", &error);
  g_autoptr (RidgeTcpConnector) c = ridge_tcp_connector_new ("[::1]:7000", &error);
  g_autoptr (RidgeTcpConnector) bad = NULL;
  g_autofree char *dc = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (ridge_tcp_connector_get_port (a), ==, 7420);
  g_assert_cmpstr (ridge_tcp_connector_get_host (b), ==, "localhost");
  g_assert_cmpuint (ridge_tcp_connector_get_port (b), ==, 9000);
  dc = ridge_connector_describe (RIDGE_CONNECTOR (c));
  g_assert_cmpstr (dc, ==, "[::1]:7000");
  bad = ridge_tcp_connector_new ("host:notaport", &error);
  g_assert_null (bad);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/health/percentiles", test_health_percentiles);
  g_test_add_func ("/health/second-stats", test_health_second_stats);
  g_test_add_func ("/health/jitter", test_health_jitter);
  g_test_add_func ("/health/summary", test_health_summary);
  g_test_add_func ("/health/ring-wrap", test_health_ring_wrap);
  g_test_add_func ("/health/event-ring", test_health_event_ring);
  g_test_add_func ("/backoff/schedule", test_backoff);
  g_test_add_func ("/errors/sentences", test_error_sentences);
  g_test_add_func ("/session/state-transitions", test_state_transitions);
  g_test_add_func ("/trace/ring", test_trace_ring);
  g_test_add_func ("/tcp/tune", test_tcp_tune);
  g_test_add_func ("/tcp/address", test_address_parse);
  return g_test_run ();
}
