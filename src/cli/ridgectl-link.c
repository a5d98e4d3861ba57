/* ridgectl-link.c — info, ping, health, discover, usb-list
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

  if (!ctl_parse_options (ctl, "", "Shows the terminal's identity, sensor and store.", NULL, &argc,
                          &argv))
    return EXIT_USAGE;
  if (argc > 1)
    return ctl_usage (ctl, "info takes no arguments");
  if ((rc = ctl_connect_or_fail (ctl)) != EXIT_OK)
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

  if (!ctl_parse_options (ctl, "", "Sends PING requests and reports each round-trip time.", entries,
                          &argc, &argv))
    return EXIT_USAGE;
  if (count < 1 || count > 100000 || interval < 0 || interval > 3600000)
    return ctl_usage (ctl, "--count must be 1 … 100000 and --interval 0 … 3600000");
  if ((rc = ctl_connect_or_fail (ctl)) != EXIT_OK)
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

  if (!ctl_parse_options (ctl, "", "Watches the link: heartbeats, RTT, loss, throughput, "
                                   "reconnects.", entries, &argc, &argv))
    return EXIT_USAGE;
  csv_path = csv;
  if (count < 0 || interval < 10)
    return ctl_usage (ctl, "--count must be ≥ 0 and --ping-interval ≥ 10");
  if ((rc = ctl_connect_or_fail (ctl)) != EXIT_OK)
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
  if (!ctl_parse_options (ctl, "", "Finds terminals with a UDP probe.", entries, &argc, &argv))
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
      /* columns as wide as their longest value ("Ridge Reference Terminal" is 24) */
      g_autoptr (GPtrArray) addrs = g_ptr_array_new_with_free_func (g_free);
      int w_addr = strlen ("ADDRESS"), w_model = strlen ("MODEL");
      int w_serial = strlen ("SERIAL"), w_fw = strlen ("FIRMWARE");

      for (guint i = 0; i < found->len; i++)
        {
          RidgeAnnounce *a = g_ptr_array_index (found, i);
          char *addr = g_strdup_printf ("%s:%u", a->address, a->tcp_port);

          g_ptr_array_add (addrs, addr);
          w_addr = MAX (w_addr, (int)strlen (addr));
          w_model = MAX (w_model, (int)strlen (a->info->model));
          w_serial = MAX (w_serial, (int)strlen (a->info->serial));
          w_fw = MAX (w_fw, (int)strlen (a->info->firmware_version));
        }
      g_print ("%-*s  %-*s  %-*s  %-*s  %s\n", w_addr, "ADDRESS", w_model, "MODEL",
               w_serial, "SERIAL", w_fw, "FIRMWARE", "STATUS");
      for (guint i = 0; i < found->len; i++)
        {
          RidgeAnnounce *a = g_ptr_array_index (found, i);
          g_autofree char *status = a->busy ? g_strdup_printf ("busy (%s)", a->holder)
                                    : g_strdup ("free");

          g_print ("%-*s  %-*s  %-*s  %-*s  %s\n", w_addr, (const char *)addrs->pdata[i],
                   w_model, a->info->model, w_serial, a->info->serial,
                   w_fw, a->info->firmware_version, status);
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

  if (!ctl_parse_options (ctl, "", "Lists the Ridge terminals on USB (VID:PID 1209:5247 with the "
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
