/* ridge-terminal-control.c — the control socket (scripts, tests) and LAN discovery
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-terminal"
#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>
#include <gio/gunixsocketaddress.h>

#include "ridge-terminal-private.h"

#define CONTROL_LINE_MAX 1024

/* ---- commands ------------------------------------------------------------------------ */

static gboolean
parse_u64 (const char *text,
           guint64     max,
           guint64    *out)
{
  return text != NULL && g_ascii_string_to_unsigned (text, 10, 0, max, out, NULL);
}

static void
apply_faults (RidgeTerminal *term)
{
  ridge_terminal_session_faults_changed (term->session);
}

static char *
run_fault (RidgeTerminal *term,
           char         **argv)
{
  RidgeFaults *f = &term->faults;
  const char *knob = argv[0];
  const char *arg = knob ? argv[1] : NULL;
  guint64 v = 0;

  if (knob == NULL)
    return g_strdup ("error usage: fault rate-limit N|latency MS|stall on|off|drop-after N|"
                     "corrupt P|clear");
  if (g_str_equal (knob, "clear"))
    {
      f->rate_limit = 0;
      f->latency_ms = 0;
      f->stall = FALSE;
      f->drop_after = -1;
      f->corrupt_rate = 0;
    }
  else if (g_str_equal (knob, "rate-limit"))
    {
      if (!parse_u64 (arg, G_MAXUINT32, &v))
        return g_strdup ("error rate-limit takes bytes per second (0 = off)");
      f->rate_limit = v;
    }
  else if (g_str_equal (knob, "latency"))
    {
      if (!parse_u64 (arg, 60000, &v))
        return g_strdup ("error latency takes milliseconds, 0..60000");
      f->latency_ms = v;
    }
  else if (g_str_equal (knob, "stall"))
    {
      if (g_strcmp0 (arg, "on") == 0)
        f->stall = TRUE;
      else if (g_strcmp0 (arg, "off") == 0)
        f->stall = FALSE;
      else
        return g_strdup ("error stall takes on or off");
    }
  else if (g_str_equal (knob, "drop-after"))
    {
      if (!parse_u64 (arg, G_MAXINT64, &v))
        return g_strdup ("error drop-after takes a byte count");
      f->drop_after = v;
    }
  else if (g_str_equal (knob, "corrupt"))
    {
      char *end = NULL;
      double p = arg ? g_ascii_strtod (arg, &end) : -1;
      if (arg == NULL || end == arg || *end != '\0' || !(p >= 0 && p <= 1))
        return g_strdup ("error corrupt takes a probability per byte, 0..1");
      f->corrupt_rate = p;
    }
  else
    return g_strdup_printf ("error unknown fault \"%s\"", knob);

  g_message ("Faults: rate-limit %" G_GUINT64_FORMAT " B/s, latency %u ms, stall %s, "
                                                     "drop-after %" G_GINT64_FORMAT ", corrupt %g",
             f->rate_limit, f->latency_ms,
             f->stall ? "on" : "off", f->drop_after, f->corrupt_rate);
  apply_faults (term);
  return g_strdup_printf ("ok rate-limit=%" G_GUINT64_FORMAT " latency=%u stall=%s "
                                                             "drop-after=%" G_GINT64_FORMAT " corrupt=%g", f->rate_limit,
                          f->latency_ms, f->stall ? "on" : "off", f->drop_after, f->corrupt_rate);
}

char *
ridge_control_run (RidgeTerminal *term,
                   const char    *line)
{
  g_auto (GStrv) argv = NULL;
  g_autofree char *copy = g_strstrip (g_strdup (line));
  char *answer = NULL;
  guint n;

  argv = g_regex_split_simple ("\\s+", copy, 0, 0);
  n = g_strv_length (argv);
  if (n == 0 || *argv[0] == '\0')
    return g_strdup ("error empty command");

  if (g_str_equal (argv[0], "place"))
    {
      g_autoptr (GError) error = NULL;
      guint64 finger = 0, impression = 0;
      guint placed_finger = 0, placed_impression = 0;

      if (n < 2 || n > 3 || !parse_u64 (argv[1], G_MAXUINT32, &finger)
          || (n == 3 && !parse_u64 (argv[2], G_MAXINT32, &impression)))
        return g_strdup ("error usage: place FINGER [IMPRESSION]");
      if (!ridge_sensor_place (term->sensor, finger, n == 3 ? (int)impression : -1, &error))
        return g_strdup_printf ("error %s", error->message);
      ridge_sensor_get_placement (term->sensor, &placed_finger, &placed_impression, NULL);
      answer = g_strdup_printf ("ok placed finger=%u impression=%u", placed_finger,
                                placed_impression);
    }
  else if (g_str_equal (argv[0], "lift") && n == 1)
    {
      ridge_sensor_lift (term->sensor);
      answer = g_strdup ("ok lifted");
    }
  else if (g_str_equal (argv[0], "status") && n == 1)
    {
      g_autofree char *status = ridge_terminal_status (term);
      answer = g_strdup_printf ("ok %s", status);
    }
  else if (g_str_equal (argv[0], "fault"))
    answer = run_fault (term, argv + 1);
  else
    {
      g_autofree char *shown = g_utf8_make_valid (argv[0], -1);
      return g_strdup_printf ("error unknown command \"%.64s\" (place, lift, status, fault)",
                              shown);
    }

  /* the client sees the finger change at once, not at the next tick */
  if (term->session != NULL)
    ridge_terminal_session_tick (term->session);
  return answer;
}

/* ---- control socket ------------------------------------------------------------------ */

typedef struct {
  RidgeTerminal     *term;
  GSocketConnection *conn;
  GDataInputStream  *in;
  GCancellable      *cancellable;
} ControlClient;

static void
control_client_free (ControlClient *c)
{
  g_io_stream_close (G_IO_STREAM (c->conn), NULL, NULL);
  g_clear_object (&c->in);
  g_clear_object (&c->conn);
  g_clear_object (&c->cancellable);
  g_free (c);
}

static void read_next (ControlClient *c);

static void
on_answer_written (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ControlClient *c = user_data;
  g_autoptr (GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      control_client_free (c);
      return;
    }
  read_next (c);
}

static void
send_answer (ControlClient *c,
             const char    *line,
             const char    *answer)
{
  char *text;

  g_message ("control: %s → %s", line, answer);
  text = g_strdup_printf ("%s\n", answer);
  /* the buffer must outlive the write: keep it on the stream */
  g_object_set_data_full (G_OBJECT (c->conn), "ridge-answer", text, g_free);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (c->conn)),
                                   text, strlen (text), G_PRIORITY_DEFAULT, c->cancellable,
                                   on_answer_written, c);
}

typedef struct {
  ControlClient *client;
  char          *line;
} PlaceRequest;

static void
on_placed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  PlaceRequest *req = user_data;
  ControlClient *c = req->client;
  RidgeTerminal *term = c->term;
  g_autoptr (GError) error = NULL;
  g_autofree char *answer = NULL;

  if (!ridge_sensor_place_finish (term->sensor, result, &error))
    answer = g_strdup_printf ("error %s", error->message);
  else
    {
      guint finger = 0, impression = 0;
      ridge_sensor_get_placement (term->sensor, &finger, &impression, NULL);
      answer = g_strdup_printf ("ok placed finger=%u impression=%u", finger, impression);
      /* the client sees the finger at once, not at the next tick */
      if (term->session != NULL)
        ridge_terminal_session_tick (term->session);
    }
  send_answer (c, req->line, answer);
  g_free (req->line);
  g_free (req);
}

/* "place F [I]" renders in a worker thread: parse it here, answer when it is done. */
static gboolean
start_place (ControlClient *c,
             const char    *line)
{
  g_auto (GStrv) argv = NULL;
  g_autofree char *copy = g_strstrip (g_strdup (line));
  guint64 finger = 0, impression = 0;
  PlaceRequest *req;
  guint n;

  argv = g_regex_split_simple ("\\s+", copy, 0, 0);
  n = g_strv_length (argv);
  if (n < 2 || n > 3 || !g_str_equal (argv[0], "place") || !parse_u64 (argv[1], G_MAXUINT32,
                                                                       &finger)
      || (n == 3 && !parse_u64 (argv[2], G_MAXINT32, &impression)))
    return FALSE;
  req = g_new0 (PlaceRequest, 1);
  req->client = c;
  req->line = g_strdup (line);
  ridge_sensor_place_async (c->term->sensor, finger, n == 3 ? (int)impression : -1, on_placed,
                            req);
  return TRUE;
}

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  ControlClient *c = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *answer = NULL;
  gsize len = 0;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, &len,
                                                    &error);
  if (line == NULL)
    {
      /* end of stream, an I/O error or a line that is not UTF-8 */
      control_client_free (c);
      return;
    }
  if (len > CONTROL_LINE_MAX)
    answer = g_strdup ("error line too long");
  else if (start_place (c, line))
    return;
  else
    answer = ridge_control_run (c->term, line);
  send_answer (c, line, answer);
}

static void
read_next (ControlClient *c)
{
  g_data_input_stream_read_line_async (c->in, G_PRIORITY_DEFAULT, c->cancellable, on_line, c);
}

static gboolean
on_control_incoming (GSocketService    *service,
                     GSocketConnection *conn,
                     GObject           *source,
                     gpointer           user_data)
{
  ControlClient *c = g_new0 (ControlClient, 1);

  c->term = user_data;
  c->conn = g_object_ref (conn);
  c->cancellable = g_cancellable_new ();
  c->in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (conn)));
  g_data_input_stream_set_newline_type (c->in, G_DATA_STREAM_NEWLINE_TYPE_ANY);
  g_buffered_input_stream_set_buffer_size (G_BUFFERED_INPUT_STREAM (c->in), CONTROL_LINE_MAX * 2);
  read_next (c);
  return TRUE;
}

gboolean
ridge_control_start (RidgeTerminal *term,
                     GError       **error)
{
  g_autoptr (GSocketAddress) addr = NULL;
  const char *path = term->opts.control;

  if (g_unlink (path) < 0 && errno != ENOENT)
    {
      int err = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err),
                   "Could not remove the old control socket %s: %s", path, g_strerror (err));
      return FALSE;
    }
  addr = g_unix_socket_address_new (path);
  term->control = g_socket_service_new ();
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (term->control), addr,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, NULL,
                                      NULL, error))
    {
      g_prefix_error (error, "Control socket %s: ", path);
      g_clear_object (&term->control);
      return FALSE;
    }
  g_chmod (path, 0600);
  g_signal_connect (term->control, "incoming", G_CALLBACK (on_control_incoming), term);
  g_socket_service_start (term->control);
  g_message ("Control socket %s", path);
  return TRUE;
}

void
ridge_control_stop (RidgeTerminal *term)
{
  if (term->control == NULL)
    return;
  g_socket_service_stop (term->control);
  g_socket_listener_close (G_SOCKET_LISTENER (term->control));
  g_clear_object (&term->control);
  g_unlink (term->opts.control);
}

/* ---- discovery ----------------------------------------------------------------------- */

static gboolean
on_discovery (GSocket     *socket,
              GIOCondition condition,
              gpointer     user_data)
{
  RidgeTerminal *term = user_data;
  guint8 buf[2048];
  guint8 payload[1024];
  guint8 out[2048];
  g_autoptr (GSocketAddress) from = NULL;
  g_autoptr (GError) error = NULL;
  RidgeWireDecoder dec;
  RidgeWireMsg msg;
  size_t used = 0;
  gssize n;
  int32_t len;

  n = g_socket_receive_from (socket, &from, (char *)buf, sizeof buf, NULL, &error);
  if (n <= 0)
    return G_SOURCE_CONTINUE;

  ridge_wire_decoder_init (&dec, payload, sizeof payload);
  if (ridge_wire_decoder_feed (&dec, buf, n, &used) != RIDGE_WIRE_DEC_FRAME
      || dec.header.type != RIDGE_MSG_DISCOVER
      || (dec.header.flags & (RIDGE_WIRE_FLAG_RESPONSE | RIDGE_WIRE_FLAG_ERROR)))
    return G_SOURCE_CONTINUE;  /* not a probe: ignored, as UDP noise must be */

  memset (&msg, 0, sizeof msg);
  msg.announce.tcp_port = term->port;
  msg.announce.busy = term->session != NULL;
  if (term->session != NULL)
    {
      const char *holder = ridge_terminal_session_peer (term->session);
      msg.announce.holder.ptr = holder;
      msg.announce.holder.len = strlen (holder);
    }
  ridge_terminal_fill_info (term, &msg.announce.info);
  len = ridge_wire_encode (out, sizeof out, RIDGE_MSG_DISCOVER, RIDGE_WIRE_FLAG_RESPONSE,
                           dec.header.seq, &msg);
  if (len < 0)
    {
      g_warning ("Could not encode ANNOUNCE: %s", ridge_wire_strerror (len));
      return G_SOURCE_CONTINUE;
    }
  if (g_socket_send_to (socket, from, (const char *)out, len, NULL, &error) < 0)
    g_debug ("Discovery answer not sent: %s", error->message);
  return G_SOURCE_CONTINUE;
}

gboolean
ridge_discovery_start (RidgeTerminal *term,
                       GError       **error)
{
  g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (term->opts.listen);
  g_autoptr (GSocketAddress) addr = NULL;

  term->discovery = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_DATAGRAM,
                                  G_SOCKET_PROTOCOL_UDP, error);
  if (term->discovery == NULL)
    return FALSE;
  g_socket_set_blocking (term->discovery, FALSE);
  addr = g_inet_socket_address_new (inet, term->opts.discovery_port);
  if (!g_socket_bind (term->discovery, addr, TRUE, error))
    {
      g_prefix_error (error, "Discovery on UDP port %d: ", term->opts.discovery_port);
      g_clear_object (&term->discovery);
      return FALSE;
    }
  term->discovery_source = g_socket_create_source (term->discovery, G_IO_IN, NULL);
  g_source_set_callback (term->discovery_source, (GSourceFunc)(void (*)(void))on_discovery,
                         term, NULL);
  g_source_attach (term->discovery_source, NULL);
  g_message ("Discovery on UDP %s:%d", term->opts.listen, term->opts.discovery_port);
  return TRUE;
}

void
ridge_discovery_stop (RidgeTerminal *term)
{
  if (term->discovery_source != NULL)
    {
      g_source_destroy (term->discovery_source);
      g_clear_pointer (&term->discovery_source, g_source_unref);
    }
  if (term->discovery != NULL)
    g_socket_close (term->discovery, NULL);
  g_clear_object (&term->discovery);
}
