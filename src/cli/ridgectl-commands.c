/* ridgectl-commands.c — the ridgectl commands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridgectl"

#include "config.h"

#include "ridgectl.h"
#include "ridge-usb.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* JSON shorthands */
#define J_STR(b, k, v)  G_STMT_START { json_builder_set_member_name (b, k); \
                                       json_builder_add_string_value (b, v); } G_STMT_END
#define J_INT(b, k, v)  G_STMT_START { json_builder_set_member_name (b, k); \
                                       json_builder_add_int_value (b, (gint64)(v)); } G_STMT_END
#define J_DBL(b, k, v)  G_STMT_START { json_builder_set_member_name (b, k); \
                                       json_builder_add_double_value (b, v); } G_STMT_END
#define J_BOOL(b, k, v) G_STMT_START { json_builder_set_member_name (b, k); \
                                       json_builder_add_boolean_value (b, v); } G_STMT_END

/* Parses command options; argv[0] is the command name. Returns FALSE after printing. */
static gboolean
parse_options (Ctl          *ctl,
               const char   *params,
               const char   *summary,
               GOptionEntry *entries,
               int          *argc,
               char       ***argv)
{
  g_autoptr (GOptionContext) oc = g_option_context_new (params);
  g_autoptr (GError) error = NULL;

  g_option_context_set_summary (oc, summary);
  if (entries != NULL)
    g_option_context_add_main_entries (oc, entries, NULL);
  if (!g_option_context_parse (oc, argc, argv, &error))
    {
      ctl_usage (ctl, "%s", error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_linked_state (Ctl *ctl)
{
  RidgeSessionState st = ridge_session_get_state (ctl->session);

  return st == RIDGE_SESSION_READY || st == RIDGE_SESSION_DEGRADED;
}

static int
connect_or_fail (Ctl *ctl)
{
  g_autoptr (GError) error = NULL;
  int rc = ctl_connect (ctl, &error);

  if (rc == EXIT_USAGE && error != NULL)
    return ctl_usage (ctl, "%s", error->message); /* not an address */
  if (rc != EXIT_OK)
    return error ? ctl_fail (ctl, error) : rc;
  return EXIT_OK;
}

static const char *const cap_names[] = {
  "capture", "stream", "minutiae", "enroll", "store", "verify", "identify", "params", "time",
  "reboot", "compress-rice",
};

static void
format_duration (GString *s,
                 guint64  ms)
{
  guint64 sec = ms / 1000;

  if (sec >= 86400)
    g_string_append_printf (s, "%" G_GUINT64_FORMAT " d ", sec / 86400);
  if (sec >= 3600)
    g_string_append_printf (s, "%" G_GUINT64_FORMAT " h ", sec / 3600 % 24);
  g_string_append_printf (s, "%" G_GUINT64_FORMAT " min %" G_GUINT64_FORMAT " s",
                          sec / 60 % 60, sec % 60);
}

/* ---- info ----------------------------------------------------------------------------- */

int
ctl_cmd_info (Ctl   *ctl,
              int    argc,
              char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) reply = NULL;
  g_autoptr (RidgeTerminalInfo) info = NULL;
  g_autofree char *where = NULL;
  RidgeWireMsg m;
  int rc;

  if (!parse_options (ctl, "", "Shows the terminal's identity, sensor and store.", NULL, &argc,
                      &argv))
    return EXIT_USAGE;
  if (argc > 1)
    return ctl_usage (ctl, "info takes no arguments");
  if ((rc = connect_or_fail (ctl)) != EXIT_OK)
    return rc;
  reply = ctl_request (ctl, RIDGE_MSG_INFO, NULL, 0, &m, &error);
  if (reply == NULL)
    return ctl_fail (ctl, error);
  info = ridge_terminal_info_new_from_wire (&m.info);
  where = ridge_session_describe (ctl->session);

  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      J_STR (b, "terminal", where);
      J_STR (b, "model", info->model);
      J_STR (b, "serial", info->serial);
      J_STR (b, "firmware_version", info->firmware_version);
      J_STR (b, "algorithm_version", info->algorithm_version);
      J_INT (b, "protocol_version", info->version);
      J_INT (b, "max_payload", info->max_payload);
      json_builder_set_member_name (b, "capabilities");
      json_builder_begin_array (b);
      for (guint i = 0; i < G_N_ELEMENTS (cap_names); i++)
        if (info->capabilities & (1u << i))
          json_builder_add_string_value (b, cap_names[i]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "sensor");
      json_builder_begin_object (b);
      J_STR (b, "type", ridge_sensor_type_to_string (info->sensor_type));
      J_INT (b, "width", info->width);
      J_INT (b, "height", info->height);
      J_INT (b, "dpi", info->dpi);
      json_builder_end_object (b);
      json_builder_set_member_name (b, "templates");
      json_builder_begin_object (b);
      J_INT (b, "count", info->template_count);
      J_INT (b, "capacity", info->template_capacity);
      json_builder_end_object (b);
      J_INT (b, "boot_counter", info->boot_counter);
      J_INT (b, "uptime_ms", info->uptime_ms);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else
    {
      g_autoptr (GString) caps = g_string_new (NULL);
      g_autoptr (GString) up = g_string_new (NULL);

      for (guint i = 0; i < G_N_ELEMENTS (cap_names); i++)
        if (info->capabilities & (1u << i))
          g_string_append_printf (caps, "%s%s", caps->len ? " " : "", cap_names[i]);
      format_duration (up, info->uptime_ms);
      g_print ("Terminal      %s\n", where);
      g_print ("Model         %s\n", info->model);
      g_print ("Serial        %s\n", info->serial);
      g_print ("Firmware      %s\n", info->firmware_version);
      g_print ("Algorithm     %s\n", info->algorithm_version);
      g_print ("Protocol      version %u, max payload %u bytes\n", info->version,
               info->max_payload);
      g_print ("Sensor        %s, %u×%u at %u dpi\n",
               ridge_sensor_type_to_string (info->sensor_type), info->width, info->height,
               info->dpi);
      g_print ("Templates     %u of %u\n", info->template_count, info->template_capacity);
      g_print ("Boot          #%u, up %s\n", info->boot_counter, up->str);
      g_print ("Capabilities  %s\n", caps->str);
    }
  return EXIT_OK;
}

/* ---- ping ----------------------------------------------------------------------------- */

int
ctl_cmd_ping (Ctl   *ctl,
              int    argc,
              char **argv)
{
  int count = 4, interval = 1000;
  GOptionEntry entries[] = {
    { "count", 'c', 0, G_OPTION_ARG_INT, &count, "Pings to send (default 4)", "N" },
    { "interval", 'i', 0, G_OPTION_ARG_INT, &interval, "Milliseconds between pings", "MS" },
    { NULL }
  };
  g_autoptr (GArray) rtts = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint sent = 0;
  double sum = 0, sum2 = 0, mn = 0, mx = 0, avg = 0, sd = 0;
  int rc;

  if (!parse_options (ctl, "", "Sends PING requests and reports each round-trip time.", entries,
                      &argc, &argv))
    return EXIT_USAGE;
  if (count < 1 || count > 100000 || interval < 0 || interval > 3600000)
    return ctl_usage (ctl, "--count must be 1 … 100000 and --interval 0 … 3600000");
  if ((rc = connect_or_fail (ctl)) != EXIT_OK)
    return rc;

  for (int i = 0; i < count && !ctl->interrupted; i++)
    {
      g_autoptr (GAsyncResult) res = NULL;
      g_autoptr (GError) error = NULL;
      gint64 rtt;

      if (i > 0 && interval > 0)
        ctl_spin_ms (ctl, (guint)interval);
      if (ctl->interrupted)
        break;
      sent++;
      ridge_session_ping_async (ctl->session, ctl->cancellable, ctl_store_result, &res);
      rtt = ridge_session_ping_finish (ctl->session, ctl_wait (&res), &error);
      if (rtt < 0)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              sent--;
              break;
            }
          if (!ctl->json)
            g_print ("seq %d: %s\n", i + 1, error->message);
          if (ctl_exit_code_for (error) == EXIT_CONNECTION)
            return ctl_fail (ctl, error);
          continue;
        }
      g_array_append_val (rtts, rtt);
      if (!ctl->json)
        g_print ("seq %d: rtt %.3f ms\n", i + 1, (double)rtt / 1000.0);
    }

  for (guint i = 0; i < rtts->len; i++)
    {
      double v = (double)g_array_index (rtts, gint64, i) / 1000.0;

      sum += v;
      sum2 += v * v;
      mn = i == 0 ? v : MIN (mn, v);
      mx = i == 0 ? v : MAX (mx, v);
    }
  if (rtts->len > 0)
    {
      avg = sum / rtts->len;
      sd = rtts->len > 1 ? sqrt (MAX (0, (sum2 - rtts->len * avg * avg) / (rtts->len - 1))) : 0;
    }

  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      J_INT (b, "sent", sent);
      J_INT (b, "received", rtts->len);
      J_DBL (b, "loss_percent", sent ? 100.0 * (sent - rtts->len) / sent : 0.0);
      json_builder_set_member_name (b, "rtt_ms");
      json_builder_begin_object (b);
      J_DBL (b, "min", mn);
      J_DBL (b, "avg", avg);
      J_DBL (b, "max", mx);
      J_DBL (b, "stdev", sd);
      json_builder_end_object (b);
      json_builder_set_member_name (b, "samples_ms");
      json_builder_begin_array (b);
      for (guint i = 0; i < rtts->len; i++)
        json_builder_add_double_value (b, (double)g_array_index (rtts, gint64, i) / 1000.0);
      json_builder_end_array (b);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else
    g_print ("%u sent, %u received, %.1f%% loss; rtt min/avg/max/stdev = "
             "%.3f/%.3f/%.3f/%.3f ms\n", sent, rtts->len,
             sent ? 100.0 * (sent - rtts->len) / sent : 0.0, mn, avg, mx, sd);
  if (ctl->interrupted)
    return 130;
  return rtts->len > 0 ? EXIT_OK : EXIT_TIMEOUT;
}

/* ---- health --------------------------------------------------------------------------- */

static void
health_row (Ctl     *ctl,
            gboolean tty,
            guint    elapsed)
{
  RidgeHealth *h = ridge_session_get_health (ctl->session);
  RidgeHealthSummary s;
  RidgeHealthSecond last;
  gint64 newest = ridge_health_get_newest_second (h);

  ridge_health_get_summary (h, &s);
  /* the last complete second */
  ridge_health_get_second (h, newest > 0 ? newest - 1 : 0, &last);

  if (tty)
    {
      g_autofree char *where = ridge_session_describe (ctl->session);
      guint n = ridge_health_get_n_events (h);

      g_print ("\033[H\033[2J");
      g_print ("ridgectl health — %s — %u s — state %s  (Ctrl-C to stop)\n\n", where, elapsed,
               ridge_session_state_to_string (ridge_session_get_state (ctl->session)));
      g_print ("%6s %6s %7s %8s %8s %8s %8s %8s %8s %10s %10s %5s\n", "Sent", "Recv", "Loss%",
               "Last", "Avg", "Best", "Wrst", "StDev", "Jitter", "Rx B/s", "Tx B/s", "Reconn");
      g_print ("%6" G_GUINT64_FORMAT " %6" G_GUINT64_FORMAT " %6.1f%% %8.2f %8.2f %8.2f %8.2f "
                                                            "%8.2f %8.2f %10" G_GUINT64_FORMAT " %10" G_GUINT64_FORMAT " %5" G_GUINT64_FORMAT
               "\n", s.pings_sent, s.pings_received, s.loss_percent,
               s.rtt_last >= 0 ? s.rtt_last / 1000.0 : 0, s.rtt_avg / 1000.0,
               s.rtt_best >= 0 ? s.rtt_best / 1000.0 : 0,
               s.rtt_worst >= 0 ? s.rtt_worst / 1000.0 : 0, s.rtt_stdev / 1000.0,
               s.jitter_us / 1000.0, last.bytes_in, last.bytes_out,
               s.reconnects);
      g_autofree char *tcp_rtt = last.tcp_rtt_us >= 0
                                 ? g_strdup_printf ("%.2f ms", last.tcp_rtt_us / 1000.0)
                                 : g_strdup ("n/a");
      g_autofree char *retrans = last.tcp_total_retrans >= 0
                                 ? g_strdup_printf ("%" G_GINT64_FORMAT, last.tcp_total_retrans)
                                 : g_strdup ("n/a");

      g_print ("(RTT columns in ms; TCP rtt %s, retransmits %s)\n\nRecent events:\n",
               tcp_rtt, retrans);
      for (guint i = n > 8 ? n - 8 : 0; i < n; i++)
        {
          const RidgeHealthEvent *e = ridge_health_get_event (h, i);
          g_autoptr (GDateTime) dt = g_date_time_new_from_unix_local (e->wall_us / G_USEC_PER_SEC);
          g_autofree char *ts = g_date_time_format (dt, "%H:%M:%S");

          g_print ("  %s  %-9s %s\n", ts, ridge_health_event_kind_to_string (e->kind),
                   e->message);
        }
      return;
    }

  if (elapsed == 1)
    g_print ("%5s %-12s %6s %6s %7s %8s %8s %8s %8s %8s %10s %10s %6s\n", "t(s)", "state",
             "sent", "recv", "loss%", "last", "avg", "best", "worst", "stdev", "rx B/s",
             "tx B/s", "reconn");
  g_print ("%5u %-12s %6" G_GUINT64_FORMAT " %6" G_GUINT64_FORMAT " %6.1f%% %8.3f %8.3f %8.3f "
                                                                  "%8.3f %8.3f %10" G_GUINT64_FORMAT " %10" G_GUINT64_FORMAT " %6" G_GUINT64_FORMAT "\n",
           elapsed, ridge_session_state_to_string (ridge_session_get_state (ctl->session)),
           s.pings_sent, s.pings_received, s.loss_percent,
           s.rtt_last >= 0 ? s.rtt_last / 1000.0 : 0, s.rtt_avg / 1000.0,
           s.rtt_best >= 0 ? s.rtt_best / 1000.0 : 0, s.rtt_worst >= 0 ? s.rtt_worst / 1000.0 : 0,
           s.rtt_stdev / 1000.0, last.bytes_in, last.bytes_out, s.reconnects);
}

int
ctl_cmd_health (Ctl   *ctl,
                int    argc,
                char **argv)
{
  int count = 0, interval = 1000;
  char *csv = NULL;
  GOptionEntry entries[] = {
    { "count", 'c', 0, G_OPTION_ARG_INT, &count, "Run N seconds, then exit (default: until "
                                                 "Ctrl-C)", "N" },
    { "ping-interval", 'i', 0, G_OPTION_ARG_INT, &interval, "Heartbeat period (default 1000)",
      "MS" },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv, "Also write the per-second history as CSV",
      "FILE" },
    { NULL }
  };
  g_autofree char *csv_path = NULL;
  gboolean tty = isatty (STDOUT_FILENO);
  RidgeHealthSummary s;
  guint elapsed = 0;
  int rc;

  if (!parse_options (ctl, "", "Watches the link: heartbeats, RTT, loss, throughput, "
                               "reconnects.", entries, &argc, &argv))
    return EXIT_USAGE;
  csv_path = csv;
  if (count < 0 || interval < 10)
    return ctl_usage (ctl, "--count must be ≥ 0 and --ping-interval ≥ 10");
  if ((rc = connect_or_fail (ctl)) != EXIT_OK)
    return rc;
  ridge_session_set_ping_interval (ctl->session, (guint)interval);
  ridge_session_set_auto_reconnect (ctl->session, TRUE);

  while (!ctl->interrupted && (count == 0 || elapsed < (guint)count))
    {
      ctl_spin_ms (ctl, 1000);
      if (ctl->interrupted)
        break;
      elapsed++;
      if (!ctl->json)
        health_row (ctl, tty, elapsed);
    }

  if (csv_path != NULL)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *text = ridge_health_to_csv (ridge_session_get_health (ctl->session));

      if (!g_file_set_contents (csv_path, text, -1, &error))
        return ctl_fail (ctl, error);
    }

  ridge_health_get_summary (ridge_session_get_health (ctl->session), &s);
  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autofree char *where = ridge_session_describe (ctl->session);
      RidgeHealth *h = ridge_session_get_health (ctl->session);

      json_builder_begin_object (b);
      J_STR (b, "terminal", where);
      J_STR (b, "state", ridge_session_state_to_string (ridge_session_get_state (ctl->session)));
      J_INT (b, "seconds", elapsed);
      J_INT (b, "sent", s.pings_sent);
      J_INT (b, "received", s.pings_received);
      J_INT (b, "lost", s.pings_lost);
      J_DBL (b, "loss_percent", s.loss_percent);
      json_builder_set_member_name (b, "rtt_ms");
      json_builder_begin_object (b);
      J_DBL (b, "last", s.rtt_last >= 0 ? s.rtt_last / 1000.0 : 0);
      J_DBL (b, "avg", s.rtt_avg / 1000.0);
      J_DBL (b, "best", s.rtt_best >= 0 ? s.rtt_best / 1000.0 : 0);
      J_DBL (b, "worst", s.rtt_worst >= 0 ? s.rtt_worst / 1000.0 : 0);
      J_DBL (b, "stdev", s.rtt_stdev / 1000.0);
      json_builder_end_object (b);
      J_DBL (b, "jitter_ms", s.jitter_us / 1000.0);
      J_INT (b, "bytes_in", s.bytes_in);
      J_INT (b, "bytes_out", s.bytes_out);
      J_INT (b, "reconnects", s.reconnects);
      J_INT (b, "reboots", s.reboots);
      J_INT (b, "crc_errors", s.crc_errors);
      J_INT (b, "resyncs", s.resyncs);
      json_builder_set_member_name (b, "last_detect_ms");
      if (s.last_detect_us >= 0)
        json_builder_add_double_value (b, s.last_detect_us / 1000.0);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "events");
      json_builder_begin_array (b);
      for (guint i = 0; i < ridge_health_get_n_events (h); i++)
        {
          const RidgeHealthEvent *e = ridge_health_get_event (h, i);

          json_builder_begin_object (b);
          J_INT (b, "unix_ms", e->wall_us / 1000);
          J_STR (b, "kind", ridge_health_event_kind_to_string (e->kind));
          J_STR (b, "message", e->message);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else if (tty)
    g_print ("\n");
  return EXIT_OK;
}

/* ---- capture -------------------------------------------------------------------------- */

int
ctl_cmd_capture (Ctl   *ctl,
                 int    argc,
                 char **argv)
{
  char *output = NULL;
  gboolean wait_finger = FALSE, compress = FALSE;
  int finger_timeout = 0;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Image file (.png or .pgm)", "FILE" },
    { "wait-finger", 'w', 0, G_OPTION_ARG_NONE, &wait_finger, "Wait for a finger", NULL },
    { "finger-timeout", 0, 0, G_OPTION_ARG_INT, &finger_timeout,
      "How long to wait for the finger (default: the terminal's)", "MS" },
    { "compress", 0, 0, G_OPTION_ARG_NONE, &compress, "Allow lossless compression on the wire",
      NULL },
    { NULL }
  };
  g_autofree char *path = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeFrame) frame = NULL;
  guint8 flags = 0;
  int rc;

  if (!parse_options (ctl, "-o FILE", "Captures one image and saves it as PNG or PGM.", entries,
                      &argc, &argv))
    return EXIT_USAGE;
  path = output;
  if (path == NULL)
    return ctl_usage (ctl, "capture needs -o FILE.png or -o FILE.pgm");
  if (finger_timeout < 0)
    return ctl_usage (ctl, "--finger-timeout must be ≥ 0");
  if ((rc = connect_or_fail (ctl)) != EXIT_OK)
    return rc;
  if (wait_finger)
    flags |= RIDGE_CAPTURE_WAIT_FINGER;
  if (compress)
    flags |= RIDGE_CAPTURE_COMPRESS;
  if (wait_finger && !ctl->json)
    g_printerr ("Place a finger on the sensor…\n");
  ridge_session_capture_async (ctl->session, flags, (guint)finger_timeout, ctl->cancellable,
                               ctl_store_result, &res);
  frame = ridge_session_capture_finish (ctl->session, ctl_wait (&res), &error);
  if (frame == NULL)
    return ctl_fail (ctl, error);
  if (!ridge_image_save (path, g_bytes_get_data (frame->pixels, NULL), frame->width,
                         frame->height, RIDGE_IMAGE_FORMAT_AUTO, &error))
    return ctl_fail (ctl, error);

  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      J_STR (b, "file", path);
      J_INT (b, "width", frame->width);
      J_INT (b, "height", frame->height);
      J_INT (b, "dpi", frame->dpi);
      J_BOOL (b, "finger_present", frame->finger_present);
      json_builder_set_member_name (b, "quality");
      if (frame->quality <= 100)
        json_builder_add_int_value (b, frame->quality);
      else
        json_builder_add_null_value (b);
      J_STR (b, "encoding", frame->encoding == RIDGE_ENC_RICE ? "rice" : "raw");
      J_INT (b, "wire_bytes", frame->encoded_size);
      J_INT (b, "minutiae", frame->n_minutiae);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else
    {
      g_autofree char *q = frame->quality <= 100 ? g_strdup_printf ("quality %u", frame->quality)
                           : g_strdup ("quality not computed");

      g_print ("Saved %u×%u image (%s, %s) to %s\n", frame->width, frame->height, q,
               frame->finger_present ? "finger present" : "no finger", path);
    }
  return EXIT_OK;
}

/* ---- stream --------------------------------------------------------------------------- */

int
ctl_cmd_stream (Ctl   *ctl,
                int    argc,
                char **argv)
{
  int seconds = 5, credits = 4, fps = 0;
  gboolean compress = FALSE;
  GOptionEntry entries[] = {
    { "seconds", 's', 0, G_OPTION_ARG_INT, &seconds, "Duration (default 5; 0 = until Ctrl-C)",
      "N" },
    { "credits", 'c', 0, G_OPTION_ARG_INT, &credits, "Frames in flight (default 4)", "N" },
    { "fps", 0, 0, G_OPTION_ARG_INT, &fps, "Maximum frame rate (default: the sensor's)", "N" },
    { "compress", 0, 0, G_OPTION_ARG_NONE, &compress, "Lossless RICE compression", NULL },
    { NULL }
  };
  g_autoptr (RidgeStream) stream = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;
  RidgeStreamStats st;
  guint32 sent = 0, dropped = 0;
  gboolean stopped;
  int rc;

  if (!parse_options (ctl, "", "Streams live frames with credit flow control and reports fps, "
                               "drops and latency.", entries, &argc, &argv))
    return EXIT_USAGE;
  if (seconds < 0 || credits < 1 || credits > 65535 || fps < 0 || fps > 65535)
    return ctl_usage (ctl, "--seconds ≥ 0, --credits 1 … 65535, --fps 0 … 65535");
  if ((rc = connect_or_fail (ctl)) != EXIT_OK)
    return rc;

  stream = ridge_stream_new (ctl->session);
  ridge_stream_start_async (stream, (guint16)credits, (guint16)fps,
                            compress ? RIDGE_CAPTURE_COMPRESS : 0, ctl->cancellable,
                            ctl_store_result, &res);
  if (!ridge_stream_start_finish (stream, ctl_wait (&res), &error))
    return ctl_fail (ctl, error);
  g_clear_object (&res);

  for (int t = 1; (seconds == 0 || t <= seconds) && !ctl->interrupted; t++)
    {
      ctl_spin_ms (ctl, 1000);
      if (ridge_session_get_state (ctl->session) != RIDGE_SESSION_READY
          && ridge_session_get_state (ctl->session) != RIDGE_SESSION_DEGRADED)
        {
          g_autoptr (GError) lost = ridge_error_new (RIDGE_ERROR_CONNECTION_LOST, NULL);

          return ctl_fail (ctl, lost);
        }
      ridge_stream_get_stats (stream, &st);
      if (!ctl->json && !ctl->interrupted)
        g_print ("%3d s  %6.1f fps  %6" G_GUINT64_FORMAT " frames  %5" G_GUINT64_FORMAT
                 " dropped  latency p50 %6.2f ms  p95 %6.2f ms\n", t, st.fps, st.frames,
                 st.dropped, st.latency_p50_us / 1000.0, st.latency_p95_us / 1000.0);
    }

  /* stop even after Ctrl-C: a fresh cancellable */
  ridge_stream_stop_async (stream, NULL, ctl_store_result, &res);
  stopped = ridge_stream_stop_finish (stream, ctl_wait (&res), &sent, &dropped, &error);
  ridge_stream_get_stats (stream, &st);

  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      J_INT (b, "frames", st.frames);
      J_INT (b, "dropped", st.dropped);
      J_DBL (b, "fps", st.fps_avg);
      J_INT (b, "bytes", st.bytes);
      J_DBL (b, "compression_ratio", st.bytes ? (double)st.raw_bytes / st.bytes : 0.0);
      json_builder_set_member_name (b, "latency_ms");
      json_builder_begin_object (b);
      J_DBL (b, "p50", st.latency_p50_us / 1000.0);
      J_DBL (b, "p95", st.latency_p95_us / 1000.0);
      J_DBL (b, "max", st.latency_max_us / 1000.0);
      json_builder_end_object (b);
      if (stopped)
        {
          json_builder_set_member_name (b, "terminal");
          json_builder_begin_object (b);
          J_INT (b, "frames_sent", sent);
          J_INT (b, "frames_dropped", dropped);
          json_builder_end_object (b);
        }
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else
    {
      g_print ("%" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT " dropped, %.1f fps average, "
                                                                  "%.2f MB received (ratio %.2f), latency p50 %.2f ms p95 %.2f ms max %.2f ms\n",
               st.frames, st.dropped, st.fps_avg, st.bytes / 1e6,
               st.bytes ? (double)st.raw_bytes / st.bytes : 0.0, st.latency_p50_us / 1000.0,
               st.latency_p95_us / 1000.0, st.latency_max_us / 1000.0);
      if (stopped)
        g_print ("Terminal: %u frames sent, %u dropped for lack of credit\n", sent, dropped);
    }
  if (!stopped)
    return ctl_fail (ctl, error);
  return ctl->interrupted ? 130 : EXIT_OK;
}

/* ---- enroll --------------------------------------------------------------------------- */

typedef struct {
  Ctl         *ctl;
  guint32      enroll_id;
  guint        wanted;
  guint        accepted;
  gboolean     timed_out;
  JsonBuilder *attempts;
} Enroll;

static const char *
sample_status_text (guint8 status)
{
  switch (status)
    {
      case RIDGE_SAMPLE_ACCEPTED: return "accepted";
      case RIDGE_SAMPLE_LOW_QUALITY: return
          "rejected: image quality too low, place the finger again";
      case RIDGE_SAMPLE_TOO_FEW_MINUTIAE: return "rejected: too few features, press flatter";
      case RIDGE_SAMPLE_MISMATCH: return "rejected: does not match the earlier samples, "
                                         "use the same finger";
      case RIDGE_SAMPLE_TIMEOUT: return "no finger placed in time";
      case RIDGE_SAMPLE_LIFT_FINGER: return "lift the finger, then place it again";
      default: return "unknown status";
    }
}

static const char *
sample_status_nick (guint8 status)
{
  static const char *const nicks[] = {
    "accepted", "low_quality", "too_few_minutiae", "mismatch", "timeout", "lift_finger",
  };

  return status < G_N_ELEMENTS (nicks) ? nicks[status] : "unknown";
}

static void
on_enroll_sample (RidgeSession *session,
                  RidgeMessage *msg,
                  Enroll       *e)
{
  RidgeWireMsg m;

  if (!ridge_message_decode (msg, &m, NULL) || m.enroll_sample.enroll_id != e->enroll_id)
    return;
  e->accepted = m.enroll_sample.accepted;
  if (m.enroll_sample.status == RIDGE_SAMPLE_TIMEOUT)
    e->timed_out = TRUE;
  if (!e->ctl->json)
    g_print ("Sample %u of %u: %s (quality %u) — %u accepted\n", m.enroll_sample.index + 1,
             m.enroll_sample.samples, sample_status_text (m.enroll_sample.status),
             m.enroll_sample.quality, m.enroll_sample.accepted);
  json_builder_begin_object (e->attempts);
  J_INT (e->attempts, "index", m.enroll_sample.index);
  J_STR (e->attempts, "status", sample_status_nick (m.enroll_sample.status));
  J_INT (e->attempts, "quality", m.enroll_sample.quality);
  J_INT (e->attempts, "accepted", m.enroll_sample.accepted);
  json_builder_end_object (e->attempts);
}

static void
template_info_json (JsonBuilder                 *b,
                    const RidgeWireTemplateInfo *t)
{
  g_autofree char *user = ridge_wire_str_dup (t->user_id);
  g_autofree char *name = ridge_wire_str_dup (t->name);
  static const char *const formats[] = { "native", "iso19794-2", "ansi378" };

  J_INT (b, "id", t->id);
  J_STR (b, "user_id", user);
  J_STR (b, "name", name);
  J_INT (b, "finger", t->finger);
  J_STR (b, "finger_name", ctl_finger_name (t->finger));
  J_INT (b, "samples", t->samples);
  J_INT (b, "quality", t->quality);
  J_STR (b, "format", t->format < G_N_ELEMENTS (formats) ? formats[t->format] : "unknown");
  J_INT (b, "created_unix_ms", t->created_unix_ms);
  J_INT (b, "updated_unix_ms", t->updated_unix_ms);
  J_INT (b, "size", t->size);
}

static void
enroll_cancel (Ctl *ctl)
{
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (RidgeMessage) reply = NULL;

  ridge_session_request_async (ctl->session, RIDGE_MSG_ENROLL_CANCEL, NULL, 0, NULL,
                               ctl_store_result, &res);
  reply = ridge_session_request_finish (ctl->session, ctl_wait (&res), NULL);
}

int
ctl_cmd_enroll (Ctl   *ctl,
                int    argc,
                char **argv)
{
  int samples = 3, sample_timeout = 0;
  char *name = NULL;
  gboolean allow_dup = FALSE;
  GOptionEntry entries[] = {
    { "samples", 'n', 0, G_OPTION_ARG_INT, &samples, "Samples to take (1 … 16, default 3)",
      "N" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "Display name of the record", "NAME" },
    { "allow-duplicate", 0, 0, G_OPTION_ARG_NONE, &allow_dup,
      "Store even when the finger is already enrolled", NULL },
    { "sample-timeout", 0, 0, G_OPTION_ARG_INT, &sample_timeout,
      "Per-sample wait for a finger (default: the terminal's)", "MS" },
    { NULL }
  };
  g_autofree char *display = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) reply = NULL;
  g_autoptr (JsonBuilder) attempts = json_builder_new ();
  Enroll e = { ctl, 0, 0, 0, FALSE, attempts };
  RidgeWireMsg m = { 0 }, r;
  guint8 finger;
  gulong handler;
  gint64 deadline;
  int rc;

  if (!parse_options (ctl, "USER FINGER", "Enrolls a finger, showing each sample.", entries,
                      &argc, &argv))
    return EXIT_USAGE;
  display = name;
  if (argc != 3)
    return ctl_usage (ctl, "enroll needs USER and FINGER");
  if (argv[1][0] == '\0' || strlen (argv[1]) > RIDGE_WIRE_STR_MAX)
    return ctl_usage (ctl, "USER must be 1 … 255 bytes");
  if (!ctl_parse_finger (argv[2], &finger))
    return ctl_usage (ctl, "“%s” is not a finger (0-10 or e.g. right-index)", argv[2]);
  if (samples < 1 || samples > 16 || sample_timeout < 0)
    return ctl_usage (ctl, "--samples must be 1 … 16");
  if (display != NULL && strlen (display) > RIDGE_WIRE_STR_MAX)
    return ctl_usage (ctl, "--name must be at most 255 bytes");
  if ((rc = connect_or_fail (ctl)) != EXIT_OK)
    return rc;

  json_builder_begin_array (attempts);
  handler = g_signal_connect (ctl->session, "enroll-sample", G_CALLBACK (on_enroll_sample), &e);

  m.enroll_begin.user_id.ptr = argv[1];
  m.enroll_begin.user_id.len = (uint16_t)strlen (argv[1]);
  m.enroll_begin.finger = finger;
  m.enroll_begin.samples = (uint8_t)samples;
  m.enroll_begin.timeout_ms = (uint32_t)sample_timeout;
  reply = ctl_request (ctl, RIDGE_MSG_ENROLL_BEGIN, &m, 0, &r, &error);
  if (reply == NULL)
    {
      g_signal_handler_disconnect (ctl->session, handler);
      return ctl_fail (ctl, error);
    }
  e.enroll_id = r.enroll_begun.enroll_id;
  e.wanted = (guint)samples;
  if (!ctl->json)
    g_print ("Enrolling %s, %s: place the finger on the sensor (%d samples)…\n", argv[1],
             ctl_finger_name (finger), samples);

  /* each sample may wait for the terminal's per-sample timeout; stop after a generous bound */
  deadline = g_get_monotonic_time ()
             + (gint64)samples * ((sample_timeout ? sample_timeout : 30000) + 30000) * 1000;
  while (e.accepted < e.wanted && !e.timed_out && !ctl->interrupted
         && g_get_monotonic_time () < deadline
         && ridge_session_get_state (ctl->session) != RIDGE_SESSION_LOST
         && ridge_session_get_state (ctl->session) != RIDGE_SESSION_CLOSED)
    ctl_spin_ms (ctl, 100);
  g_signal_handler_disconnect (ctl->session, handler);

  if (e.accepted < e.wanted)
    {
      g_autoptr (GError) why = NULL;

      if (ctl->interrupted)
        why = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Enrollment interrupted");
      else if (e.timed_out || g_get_monotonic_time () >= deadline)
        why = ridge_error_new (RIDGE_ERROR_NO_FINGER, "enrollment cancelled after %u of %u "
                                                      "samples", e.accepted, e.wanted);
      else
        why = ridge_error_new (RIDGE_ERROR_CONNECTION_LOST, NULL);
      if (is_linked_state (ctl))
        enroll_cancel (ctl);
      return ctl_fail (ctl, why);
    }

  memset (&m, 0, sizeof m);
  m.enroll_commit.enroll_id = e.enroll_id;
  m.enroll_commit.flags = allow_dup ? RIDGE_COMMIT_ALLOW_DUPLICATE : 0;
  m.enroll_commit.name.ptr = display ? display : "";
  m.enroll_commit.name.len = (uint16_t)(display ? strlen (display) : 0);
  g_clear_pointer (&reply, ridge_message_unref);
  reply = ctl_request (ctl, RIDGE_MSG_ENROLL_COMMIT, &m, 10000, &r, &error);
  if (reply == NULL)
    {
      enroll_cancel (ctl);
      return ctl_fail (ctl, error);
    }

  json_builder_end_array (attempts);
  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      template_info_json (b, &r.template_info);
      json_builder_set_member_name (b, "attempts");
      json_builder_add_value (b, json_builder_get_root (attempts));
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else
    {
      g_autofree char *user = ridge_wire_str_dup (r.template_info.user_id);

      g_print ("Enrolled template %u for %s, %s (%u samples, quality %u)\n", r.template_info.id,
               user, ctl_finger_name (r.template_info.finger), r.template_info.samples,
               r.template_info.quality);
    }
  return EXIT_OK;
}

/* ---- template store ------------------------------------------------------------------- */

/* Reads every TEMPLATE_INFO (paged). Returns a GPtrArray of RidgeMessage (the pages) and
 * fills infos with pointers into them. */
static GPtrArray *
list_all (Ctl     *ctl,
          GArray  *infos,
          guint32 *total_out,
          GError **error)
{
  g_autoptr (GPtrArray) pages = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                                ridge_message_unref);
  guint32 offset = 0, total = 0;

  do
    {
      RidgeWireMsg m = { 0 }, r;
      RidgeMessage *reply;
      RidgeWireTemplateInfo info;
      guint32 cursor = 0;
      int res;

      m.tpl_list.offset = offset;
      m.tpl_list.max = RIDGE_WIRE_MAX_LIST;
      reply = ctl_request (ctl, RIDGE_MSG_TPL_LIST, &m, 0, &r, error);
      if (reply == NULL)
        return NULL;
      g_ptr_array_add (pages, reply);
      total = r.tpl_list_result.total;
      for (guint i = 0; i < r.tpl_list_result.n; i++)
        {
          res = ridge_wire_tpl_list_next (&r.tpl_list_result, &cursor, &info);
          if (res != RIDGE_WIRE_OK)
            {
              ridge_set_error (error, RIDGE_ERROR_PROTOCOL, "template list: %s",
                               ridge_wire_strerror (res));
              return NULL;
            }
          g_array_append_val (infos, info);
        }
      if (r.tpl_list_result.n == 0)
        break;
      offset += r.tpl_list_result.n;
    }
  while (offset < total && offset < 1000000);
  *total_out = total;
  return g_steal_pointer (&pages);
}

int
ctl_cmd_list (Ctl   *ctl,
              int    argc,
              char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) infos = g_array_new (FALSE, FALSE, sizeof (RidgeWireTemplateInfo));
  g_autoptr (GPtrArray) pages = NULL;
  guint32 total = 0;
  int rc;

  if (!parse_options (ctl, "", "Lists the enrolled templates (metadata only).", NULL, &argc,
                      &argv))
    return EXIT_USAGE;
  if (argc > 1)
    return ctl_usage (ctl, "list takes no arguments");
  if ((rc = connect_or_fail (ctl)) != EXIT_OK)
    return rc;
  pages = list_all (ctl, infos, &total, &error);
  if (pages == NULL)
    return ctl_fail (ctl, error);

  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      J_INT (b, "total", total);
      json_builder_set_member_name (b, "templates");
      json_builder_begin_array (b);
      for (guint i = 0; i < infos->len; i++)
        {
          json_builder_begin_object (b);
          template_info_json (b, &g_array_index (infos, RidgeWireTemplateInfo, i));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      ctl_print_json (b);
      return EXIT_OK;
    }

  if (infos->len == 0)
    {
      g_print ("No templates enrolled.\n");
      return EXIT_OK;
    }
  g_print ("%6s  %-20s %-13s %-20s %7s %7s  %s\n", "ID", "USER", "FINGER", "NAME", "SAMPLES",
           "QUALITY", "CREATED");
  for (guint i = 0; i < infos->len; i++)
    {
      const RidgeWireTemplateInfo *t = &g_array_index (infos, RidgeWireTemplateInfo, i);
      g_autofree char *user = ridge_wire_str_dup (t->user_id);
      g_autofree char *name = ridge_wire_str_dup (t->name);
      g_autoptr (GDateTime) dt = g_date_time_new_from_unix_local ((gint64)(t->created_unix_ms
                                                                           / 1000));
      g_autofree char *created = dt ? g_date_time_format (dt, "%Y-%m-%d %H:%M") : g_strdup ("?");

      g_print ("%6u  %-20s %-13s %-20s %7u %7u  %s\n", t->id, user, ctl_finger_name (t->finger),
               name, t->samples, t->quality, created);
    }
  g_print ("%u template%s\n", total, total == 1 ? "" : "s");
  return EXIT_OK;
}

static gboolean
parse_id (const char *text,
          guint32    *id)
{
  guint64 v;

  if (!ctl_parse_uint (text, G_MAXUINT32, &v) || v == 0)
    return FALSE;
  *id = (guint32)v;
  return TRUE;
}

int
ctl_cmd_delete (Ctl   *ctl,
                int    argc,
                char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) reply = NULL;
  RidgeWireMsg m = { 0 };
  guint32 id;
  int rc;

  if (!parse_options (ctl, "ID", "Deletes one template record.", NULL, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2 || !parse_id (argv[1], &id))
    return ctl_usage (ctl, "delete needs a template ID (a number ≥ 1)");
  if ((rc = connect_or_fail (ctl)) != EXIT_OK)
    return rc;
  m.tpl_id.id = id;
  reply = ctl_request (ctl, RIDGE_MSG_TPL_DELETE, &m, 0, NULL, &error);
  if (reply == NULL)
    return ctl_fail (ctl, error);
  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      J_INT (b, "deleted", id);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else
    g_print ("Deleted template %u\n", id);
  return EXIT_OK;
}

int
ctl_cmd_rename (Ctl   *ctl,
                int    argc,
                char **argv)
{
  char *user = NULL, *name = NULL;
  GOptionEntry entries[] = {
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user, "New user id", "U" },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, "New display name", "N" },
    { NULL }
  };
  g_autofree char *new_user = NULL;
  g_autofree char *new_name = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) infos = g_array_new (FALSE, FALSE, sizeof (RidgeWireTemplateInfo));
  g_autoptr (GPtrArray) pages = NULL;
  g_autoptr (RidgeMessage) reply = NULL;
  const RidgeWireTemplateInfo *cur = NULL;
  RidgeWireMsg m = { 0 }, r;
  guint32 id, total;
  int rc;

  if (!parse_options (ctl, "ID", "Changes a record's user id and/or display name.", entries,
                      &argc, &argv))
    return EXIT_USAGE;
  new_user = user;
  new_name = name;
  if (argc != 2 || !parse_id (argv[1], &id))
    return ctl_usage (ctl, "rename needs a template ID");
  if (new_user == NULL && new_name == NULL)
    return ctl_usage (ctl, "rename needs --user and/or --name");
  if ((new_user && (strlen (new_user) == 0 || strlen (new_user) > RIDGE_WIRE_STR_MAX))
      || (new_name && strlen (new_name) > RIDGE_WIRE_STR_MAX))
    return ctl_usage (ctl, "--user must be 1 … 255 bytes, --name at most 255");
  if ((rc = connect_or_fail (ctl)) != EXIT_OK)
    return rc;

  /* TPL_UPDATE sets both fields: keep the current value of the one not given */
  pages = list_all (ctl, infos, &total, &error);
  if (pages == NULL)
    return ctl_fail (ctl, error);
  for (guint i = 0; i < infos->len; i++)
    if (g_array_index (infos, RidgeWireTemplateInfo, i).id == id)
      cur = &g_array_index (infos, RidgeWireTemplateInfo, i);
  if (cur == NULL)
    {
      g_autoptr (GError) nf = ridge_error_new (RIDGE_ERROR_NOT_FOUND, "template %u", id);

      return ctl_fail (ctl, nf);
    }
  m.template_info = *cur;
  if (new_user != NULL)
    {
      m.template_info.user_id.ptr = new_user;
      m.template_info.user_id.len = (uint16_t)strlen (new_user);
    }
  if (new_name != NULL)
    {
      m.template_info.name.ptr = new_name;
      m.template_info.name.len = (uint16_t)strlen (new_name);
    }
  reply = ctl_request (ctl, RIDGE_MSG_TPL_UPDATE, &m, 0, &r, &error);
  if (reply == NULL)
    return ctl_fail (ctl, error);
  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      template_info_json (b, &r.template_info);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else
    {
      g_autofree char *u = ridge_wire_str_dup (r.template_info.user_id);
      g_autofree char *n = ridge_wire_str_dup (r.template_info.name);

      g_print ("Template %u: user %s, name “%s”\n", r.template_info.id, u, n);
    }
  return EXIT_OK;
}

/* ---- verify / identify ---------------------------------------------------------------- */

static int
print_match (Ctl                        *ctl,
             const RidgeWireMatchResult *mr)
{
  g_autofree char *user = ridge_wire_str_dup (mr->user_id);

  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      J_BOOL (b, "matched", mr->matched != 0);
      J_INT (b, "score", mr->score);
      J_INT (b, "threshold", mr->threshold);
      J_INT (b, "id", mr->id);
      J_STR (b, "user_id", user);
      J_INT (b, "finger", mr->finger);
      J_STR (b, "finger_name", ctl_finger_name (mr->finger));
      J_INT (b, "probe_quality", mr->probe_quality);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else if (mr->matched)
    g_print ("Match: template %u (%s, %s), score %u ≥ threshold %u, probe quality %u\n", mr->id,
             user, ctl_finger_name (mr->finger), mr->score, mr->threshold, mr->probe_quality);
  else
    g_print ("No match (best score %u < threshold %u), probe quality %u\n", mr->score,
             mr->threshold, mr->probe_quality);
  return mr->matched ? EXIT_OK : EXIT_NOT_FOUND;
}

int
ctl_cmd_verify (Ctl   *ctl,
                int    argc,
                char **argv)
{
  char *user = NULL, *finger_text = NULL;
  int finger_timeout = 0;
  GOptionEntry entries[] = {
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user, "Verify against this user's templates", "U" },
    { "finger", 'f', 0, G_OPTION_ARG_STRING, &finger_text, "… of this finger", "F" },
    { "finger-timeout", 0, 0, G_OPTION_ARG_INT, &finger_timeout, "Wait for a finger", "MS" },
    { NULL }
  };
  g_autofree char *u = NULL;
  g_autofree char *f = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) reply = NULL;
  RidgeWireMsg m = { 0 }, r;
  guint8 finger = 0;
  guint32 id = 0;
  int rc;

  if (!parse_options (ctl, "(ID | --user U [--finger F])", "Verifies a finger (1:1).", entries,
                      &argc, &argv))
    return EXIT_USAGE;
  u = user;
  f = finger_text;
  if ((argc == 2) == (u != NULL) || argc > 2)
    return ctl_usage (ctl, "verify needs either a template ID or --user U");
  if (argc == 2 && !parse_id (argv[1], &id))
    return ctl_usage (ctl, "“%s” is not a template ID", argv[1]);
  if (f != NULL && !ctl_parse_finger (f, &finger))
    return ctl_usage (ctl, "“%s” is not a finger", f);
  if (u != NULL && strlen (u) > RIDGE_WIRE_STR_MAX)
    return ctl_usage (ctl, "--user must be at most 255 bytes");
  if (finger_timeout < 0)
    return ctl_usage (ctl, "--finger-timeout must be ≥ 0");
  if ((rc = connect_or_fail (ctl)) != EXIT_OK)
    return rc;
  m.verify.id = id;
  m.verify.user_id.ptr = u ? u : "";
  m.verify.user_id.len = (uint16_t)(u ? strlen (u) : 0);
  m.verify.finger = finger;
  m.verify.timeout_ms = (uint32_t)finger_timeout;
  if (!ctl->json)
    g_printerr ("Place a finger on the sensor…\n");
  reply = ctl_request (ctl, RIDGE_MSG_VERIFY, &m, finger_timeout ? finger_timeout : 30000, &r,
                       &error);
  if (reply == NULL)
    return ctl_fail (ctl, error);
  return print_match (ctl, &r.match_result);
}

int
ctl_cmd_identify (Ctl   *ctl,
                  int    argc,
                  char **argv)
{
  int finger_timeout = 0;
  GOptionEntry entries[] = {
    { "finger-timeout", 0, 0, G_OPTION_ARG_INT, &finger_timeout, "Wait for a finger", "MS" },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) reply = NULL;
  RidgeWireMsg m = { 0 }, r;
  int rc;

  if (!parse_options (ctl, "", "Identifies a finger among all templates (1:N).", entries,
                      &argc, &argv))
    return EXIT_USAGE;
  if (argc > 1 || finger_timeout < 0)
    return ctl_usage (ctl, "identify takes no arguments");
  if ((rc = connect_or_fail (ctl)) != EXIT_OK)
    return rc;
  m.identify.timeout_ms = (uint32_t)finger_timeout;
  if (!ctl->json)
    g_printerr ("Place a finger on the sensor…\n");
  reply = ctl_request (ctl, RIDGE_MSG_IDENTIFY, &m, finger_timeout ? finger_timeout : 30000, &r,
                       &error);
  if (reply == NULL)
    return ctl_fail (ctl, error);
  return print_match (ctl, &r.match_result);
}

/* ---- diag ----------------------------------------------------------------------------- */

static void
params_output (Ctl                   *ctl,
               const RidgeWireParams *p)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  guint32 cursor = 0;
  RidgeWireParam prm;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "params");
  json_builder_begin_array (b);
  if (!ctl->json)
    g_print ("%4s  %-16s %10s %10s %10s\n", "ID", "NAME", "VALUE", "MIN", "MAX");
  for (guint i = 0; i < p->n && ridge_wire_params_next (p, &cursor, &prm) == RIDGE_WIRE_OK; i++)
    {
      g_autofree char *name = ridge_wire_str_dup (prm.name);

      if (!ctl->json)
        g_print ("%4u  %-16s %10d %10d %10d\n", prm.id, name, prm.value, prm.min, prm.max);
      json_builder_begin_object (b);
      J_INT (b, "id", prm.id);
      J_STR (b, "name", name);
      J_INT (b, "value", prm.value);
      J_INT (b, "min", prm.min);
      J_INT (b, "max", prm.max);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  if (ctl->json)
    ctl_print_json (b);
}

static char *
format_unix_us (gint64 unix_us)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (unix_us / G_USEC_PER_SEC);

  if (dt == NULL)
    return g_strdup ("(out of range)");
  return g_date_time_format_iso8601 (dt);
}

static int
diag_time (Ctl     *ctl,
           gboolean set)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) reply = NULL;
  g_autofree char *iso = NULL;
  RidgeWireMsg m = { 0 }, r;
  gint64 before = g_get_real_time (), after, offset;

  m.time.unix_us = before;
  reply = ctl_request (ctl, set ? RIDGE_MSG_TIME_SET : RIDGE_MSG_TIME_GET, set ? &m : NULL, 0,
                       &r, &error);
  if (reply == NULL)
    return ctl_fail (ctl, error);
  after = g_get_real_time ();
  /* the terminal read its clock about half-way through the exchange */
  offset = r.time.unix_us - (before + after) / 2;
  iso = format_unix_us (r.time.unix_us);
  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      J_INT (b, "unix_us", r.time.unix_us);
      J_STR (b, "iso8601", iso);
      J_INT (b, "offset_us", offset);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else
    g_print ("%sTerminal time %s (%+.3f s from this computer)\n", set ? "Clock set. " : "", iso,
             (double)offset / G_USEC_PER_SEC);
  return EXIT_OK;
}

int
ctl_cmd_diag (Ctl   *ctl,
              int    argc,
              char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) reply = NULL;
  RidgeWireMsg r;
  const char *sub;
  int rc;

  if (!parse_options (ctl, "selftest|params|set PARAM VALUE|counters|log|time|sync-time|reboot",
                      "Diagnostics.", NULL, &argc, &argv))
    return EXIT_USAGE;
  if (argc < 2)
    return ctl_usage (ctl, "diag needs a subcommand: selftest, params, set, counters, log, "
                           "time, sync-time, reboot");
  sub = argv[1];
  if (!g_str_equal (sub, "set") && argc != 2)
    return ctl_usage (ctl, "diag %s takes no arguments", sub);
  if (g_str_equal (sub, "set") && argc != 4)
    return ctl_usage (ctl, "diag set needs PARAM VALUE");
  if (!g_strv_contains ((const char *const[]) { "selftest", "params", "set", "counters", "log",
                                                "time", "sync-time", "reboot", NULL }, sub))
    return ctl_usage (ctl, "unknown diag subcommand “%s”", sub);
  if ((rc = connect_or_fail (ctl)) != EXIT_OK)
    return rc;

  if (g_str_equal (sub, "selftest"))
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      guint32 cursor = 0;
      RidgeWireCheck c;

      reply = ctl_request (ctl, RIDGE_MSG_SELFTEST, NULL, 30000, &r, &error);
      if (reply == NULL)
        return ctl_fail (ctl, error);
      json_builder_begin_object (b);
      J_BOOL (b, "passed", r.selftest.passed != 0);
      json_builder_set_member_name (b, "checks");
      json_builder_begin_array (b);
      for (guint i = 0; i < r.selftest.n
           && ridge_wire_selftest_next (&r.selftest, &cursor, &c) == RIDGE_WIRE_OK; i++)
        {
          g_autofree char *name = ridge_wire_str_dup (c.name);
          g_autofree char *detail = ridge_wire_str_dup (c.detail);

          if (!ctl->json)
            g_print ("%-6s %-16s %s\n", c.passed ? "ok" : "FAIL", name, detail);
          json_builder_begin_object (b);
          J_STR (b, "name", name);
          J_BOOL (b, "passed", c.passed != 0);
          J_STR (b, "detail", detail);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      if (ctl->json)
        ctl_print_json (b);
      else
        g_print ("Self-test %s\n", r.selftest.passed ? "passed" : "FAILED");
      return r.selftest.passed ? EXIT_OK : EXIT_TERMINAL;
    }

  if (g_str_equal (sub, "params"))
    {
      reply = ctl_request (ctl, RIDGE_MSG_PARAM_GET, NULL, 0, &r, &error);
      if (reply == NULL)
        return ctl_fail (ctl, error);
      params_output (ctl, &r.params);
      return EXIT_OK;
    }

  if (g_str_equal (sub, "set"))
    {
      g_autoptr (RidgeMessage) plist = NULL;
      RidgeWireMsg m = { 0 };
      RidgeWireParam prm;
      guint32 cursor = 0;
      gint64 value;
      gboolean found = FALSE;

      if (!g_ascii_string_to_signed (argv[3], 10, G_MININT32, G_MAXINT32, &value, NULL))
        return ctl_usage (ctl, "“%s” is not an integer value", argv[3]);
      plist = ctl_request (ctl, RIDGE_MSG_PARAM_GET, NULL, 0, &r, &error);
      if (plist == NULL)
        return ctl_fail (ctl, error);
      for (guint i = 0; i < r.params.n && !found
           && ridge_wire_params_next (&r.params, &cursor, &prm) == RIDGE_WIRE_OK; i++)
        {
          g_autofree char *name = ridge_wire_str_dup (prm.name);
          g_autofree char *idtext = g_strdup_printf ("%u", prm.id);

          if (g_ascii_strcasecmp (name, argv[2]) == 0 || g_str_equal (idtext, argv[2]))
            {
              found = TRUE;
              m.param_set.id = prm.id;
            }
        }
      if (!found)
        {
          g_autoptr (GError) nf = ridge_error_new (RIDGE_ERROR_NOT_FOUND, "no parameter “%s” "
                                                                          "(see ridgectl diag params)",
                                                   argv[2]);

          return ctl_fail (ctl, nf);
        }
      m.param_set.value = (int32_t)value;
      reply = ctl_request (ctl, RIDGE_MSG_PARAM_SET, &m, 0, &r, &error);
      if (reply == NULL)
        return ctl_fail (ctl, error);
      params_output (ctl, &r.params);
      return EXIT_OK;
    }

  if (g_str_equal (sub, "counters"))
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      guint32 cursor = 0;
      RidgeWireCounter c;

      reply = ctl_request (ctl, RIDGE_MSG_COUNTERS, NULL, 0, &r, &error);
      if (reply == NULL)
        return ctl_fail (ctl, error);
      json_builder_begin_object (b);
      for (guint i = 0; i < r.counters.n
           && ridge_wire_counters_next (&r.counters, &cursor, &c) == RIDGE_WIRE_OK; i++)
        {
          g_autofree char *name = ridge_wire_str_dup (c.name);

          if (!ctl->json)
            g_print ("%-24s %" G_GUINT64_FORMAT "\n", name, c.value);
          J_INT (b, name, c.value);
        }
      json_builder_end_object (b);
      if (ctl->json)
        ctl_print_json (b);
      return EXIT_OK;
    }

  if (g_str_equal (sub, "log"))
    {
      g_autoptr (GString) text = g_string_new (NULL);
      guint32 offset = 0, start = 0, total = 0;
      gboolean first = TRUE;

      for (guint rounds = 0; rounds < 10000; rounds++)
        {
          g_autoptr (RidgeMessage) chunk = NULL;
          RidgeWireMsg m = { 0 };

          m.log_fetch.offset = offset;
          m.log_fetch.max = 16384;
          chunk = ctl_request (ctl, RIDGE_MSG_LOG_FETCH, &m, 0, &r, &error);
          if (chunk == NULL)
            return ctl_fail (ctl, error);
          if (first)
            start = r.log.offset;
          first = FALSE;
          total = r.log.total;
          g_string_append_len (text, r.log.text.ptr, r.log.text.len);
          offset = r.log.offset + r.log.text.len;
          if (r.log.text.len == 0 || offset >= total)
            break;
        }
      if (ctl->json)
        {
          g_autoptr (JsonBuilder) b = json_builder_new ();
          g_autofree char *valid = g_utf8_make_valid (text->str, (gssize)text->len);

          json_builder_begin_object (b);
          J_INT (b, "offset", start);
          J_INT (b, "total", total);
          J_STR (b, "text", valid);
          json_builder_end_object (b);
          ctl_print_json (b);
        }
      else
        fwrite (text->str, 1, text->len, stdout);
      return EXIT_OK;
    }

  if (g_str_equal (sub, "time") || g_str_equal (sub, "sync-time"))
    return diag_time (ctl, g_str_equal (sub, "sync-time"));

  /* reboot */
  reply = ctl_request (ctl, RIDGE_MSG_REBOOT, NULL, 0, NULL, &error);
  if (reply == NULL)
    return ctl_fail (ctl, error);
  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      J_BOOL (b, "rebooting", TRUE);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else
    g_print ("The terminal is rebooting.\n");
  return EXIT_OK;
}

/* ---- discover ------------------------------------------------------------------------- */

int
ctl_cmd_discover (Ctl   *ctl,
                  int    argc,
                  char **argv)
{
  char *to = NULL;
  int port = RIDGE_DEFAULT_DISCOVERY_PORT, timeout = 1000;
  GOptionEntry entries[] = {
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, "Probe this address (default: broadcast "
                                            "255.255.255.255)", "ADDR" },
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "Discovery port (default 7421)", "P" },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout, "Collect answers for MS (default 1000)",
      "MS" },
    { NULL }
  };
  g_autofree char *target = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) found = NULL;

  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--usb"))
      {
        /* `discover --usb [ARGS…]` = `usb-list [ARGS…]` */
        g_autofree char **rest = g_new0 (char *, argc);
        int n = 0;

        for (int j = 0; j < argc; j++)
          if (j != i)
            rest[n++] = argv[j];
        return ctl_cmd_usb_list (ctl, n, rest);
      }
  if (!parse_options (ctl, "", "Finds terminals with a UDP probe.", entries, &argc, &argv))
    return EXIT_USAGE;
  target = to;
  if (argc > 1 || port < 1 || port > 65535 || timeout < 1 || timeout > 600000)
    return ctl_usage (ctl, "discover: --port 1 … 65535, --timeout 1 … 600000");

  ridge_discover_async (target, (guint16)port, (guint)timeout, ctl->cancellable,
                        ctl_store_result, &res);
  found = ridge_discover_finish (ctl_wait (&res), &error);
  if (found == NULL)
    return ctl_fail (ctl, error);

  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "terminals");
      json_builder_begin_array (b);
      for (guint i = 0; i < found->len; i++)
        {
          RidgeAnnounce *a = g_ptr_array_index (found, i);

          json_builder_begin_object (b);
          J_STR (b, "address", a->address);
          J_INT (b, "port", a->tcp_port);
          J_STR (b, "model", a->info->model);
          J_STR (b, "serial", a->info->serial);
          J_STR (b, "firmware_version", a->info->firmware_version);
          J_BOOL (b, "busy", a->busy);
          J_STR (b, "holder", a->holder);
          J_DBL (b, "rtt_ms", a->rtt_us / 1000.0);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else if (found->len == 0)
    g_print ("No terminal answered.\n");
  else
    {
      g_print ("%-22s %-16s %-14s %-10s %s\n", "ADDRESS", "MODEL", "SERIAL", "FIRMWARE",
               "STATUS");
      for (guint i = 0; i < found->len; i++)
        {
          RidgeAnnounce *a = g_ptr_array_index (found, i);
          g_autofree char *addr = g_strdup_printf ("%s:%u", a->address, a->tcp_port);
          g_autofree char *status = a->busy ? g_strdup_printf ("busy (%s)", a->holder)
                                    : g_strdup ("free");

          g_print ("%-22s %-16s %-14s %-10s %s\n", addr, a->info->model, a->info->serial,
                   a->info->firmware_version, status);
        }
    }
  return found->len > 0 ? EXIT_OK : EXIT_NOT_FOUND;
}

static void
json_str_or_null (JsonBuilder *b,
                  const char  *key,
                  const char  *value)
{
  json_builder_set_member_name (b, key);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

int
ctl_cmd_usb_list (Ctl   *ctl,
                  int    argc,
                  char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) found = NULL;
  RidgeUsbContext *usb;
  gboolean unreadable = FALSE;

  if (!parse_options (ctl, "", "Lists the Ridge terminals on USB (VID:PID 1209:5247 with the "
                               "Ridge interface).", NULL, &argc, &argv))
    return EXIT_USAGE;
  if (argc > 1)
    return ctl_usage (ctl, "usb-list takes no arguments, not “%s”", argv[1]);

  usb = ridge_usb_context_get_default (&error);
  if (usb != NULL)
    found = ridge_usb_enumerate (usb, RIDGE_USB_VID, RIDGE_USB_PID, TRUE, &error);
  if (found == NULL)
    {
      g_prefix_error (&error, "cannot list USB devices: ");
      return ctl_fail (ctl, error);
    }

  for (guint i = 0; i < found->len; i++)
    {
      RidgeUsbDeviceInfo *d = g_ptr_array_index (found, i);

      unreadable |= d->product == NULL;
    }

  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "devices");
      json_builder_begin_array (b);
      for (guint i = 0; i < found->len; i++)
        {
          RidgeUsbDeviceInfo *d = g_ptr_array_index (found, i);
          g_autofree char *address = g_strdup_printf ("usb:%s", d->port_path);
          g_autofree char *vid = g_strdup_printf ("%04x", d->vid);
          g_autofree char *pid = g_strdup_printf ("%04x", d->pid);

          json_builder_begin_object (b);
          J_STR (b, "address", address);
          J_STR (b, "port_path", d->port_path);
          J_INT (b, "bus", d->bus);
          J_INT (b, "device_address", d->address);
          J_STR (b, "vid", vid);
          J_STR (b, "pid", pid);
          json_str_or_null (b, "product", d->product);
          json_str_or_null (b, "serial", d->serial);
          J_BOOL (b, "readable", d->product != NULL);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else if (found->len == 0)
    g_print ("No Ridge terminal on USB.\n");
  else
    {
      g_print ("%-14s %-8s %-10s %-30s %s\n", "ADDRESS", "BUS:DEV", "VID:PID", "PRODUCT",
               "SERIAL");
      for (guint i = 0; i < found->len; i++)
        {
          RidgeUsbDeviceInfo *d = g_ptr_array_index (found, i);
          g_autofree char *address = g_strdup_printf ("usb:%s", d->port_path);
          g_autofree char *busdev = g_strdup_printf ("%03u:%03u", d->bus, d->address);
          g_autofree char *ids = g_strdup_printf ("%04x:%04x", d->vid, d->pid);

          g_print ("%-14s %-8s %-10s %-30s %s\n", address, busdev, ids,
                   d->product ? d->product : "?", d->serial ? d->serial : "?");
        }
      if (unreadable)
        g_print ("? = the device could not be opened to read its strings (no permission?): "
                 "install %s in /usr/lib/udev/rules.d/, run “udevadm control --reload” and "
                 "replug the terminal.\n", RIDGE_USB_UDEV_RULE);
    }
  return found->len > 0 ? EXIT_OK : EXIT_NOT_FOUND;
}
