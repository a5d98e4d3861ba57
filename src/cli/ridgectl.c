/* ridgectl.c — command-line client for Ridge terminals: options, dispatch, shared helpers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridgectl"

#include "config.h"

#include "ridgectl.h"
#include "ridge-usb.h"

#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static Ctl *the_ctl;
static JsonNode *json_result; /* in trace mode the command's JSON is kept for the envelope */

static const char usage_text[] =
  "Usage: ridgectl [--terminal HOST[:PORT]|usb:…] [--json] [--timeout MS] COMMAND [ARGS…]\n"
  "\n"
  "Commands:\n"
  "  info                                   terminal identity, sensor, store\n"
  "  ping [-c N] [-i MS]                    N pings with the round-trip time of each\n"
  "  health [--count N]                     live link table every second (Ctrl-C stops)\n"
  "  capture -o FILE.png|FILE.pgm [--wait-finger] [--compress]\n"
  "  stream [--seconds N] [--credits N] [--compress] [--fps N]\n"
  "  enroll USER FINGER [--samples N] [--name NAME] [--allow-duplicate]\n"
  "  list                                   enrolled templates\n"
  "  delete ID\n"
  "  rename ID [--user U] [--name N]\n"
  "  verify (ID | --user U [--finger F])\n"
  "  identify\n"
  "  diag selftest|params|set PARAM VALUE|counters|log|time|sync-time|reboot\n"
  "  trace COMMAND [ARGS…]                  run COMMAND, then print the protocol trace\n"
  "  discover [--to ADDR] [--port P] [--timeout MS]\n"
  "  usb-list (or discover --usb)           Ridge terminals on USB\n"
  "  export [--profile NAME|--url URL] …    send the local store to an export server\n"
  "  export status|test|profile …|token …   (ridgectl export --help)\n"
  "  readers                                local fingerprint readers (libfprint)\n"
  "\n"
  "Global options (anywhere on the line):\n"
  "  --terminal HOST[:PORT]  the terminal (default: $RIDGE_TERMINAL, else localhost:7420)\n"
  "  --terminal usb:[PORT]   a terminal on USB: usb: (the first), usb:1-2.3 (bus port),\n"
  "                          usb:BUS:ADDR (decimal) or usb:VID:PID (hex)\n"
  "  --terminal reader:[N|DRIVER]  a local fingerprint reader: info, capture, enroll,\n"
  "                          list, delete ID, verify, identify, export-print ID FILE,\n"
  "                          import-print FILE\n"
  "  --json                  print one JSON object on stdout (errors too)\n"
  "  --timeout MS            per-request timeout in milliseconds (default 5000)\n"
  "\n"
  "Fingers: 0-10 (ISO/IEC 19794-2) or names: right-thumb, right-index, right-middle,\n"
  "right-ring, right-little, left-thumb … left-little, unknown.\n"
  "\n"
  "Exit codes: 0 ok, 1 usage, 2 connection failure (unreachable, refused, lost, busy,\n"
  "version mismatch), 3 protocol or terminal error, 4 not found or no match, 5 timeout\n"
  "(no answer, no finger), 6 local file error, 130 interrupted.\n";

static const struct {
  const char *name;
  CtlCommand  fn;
} commands[] = {
  { "info", ctl_cmd_info },
  { "ping", ctl_cmd_ping },
  { "health", ctl_cmd_health },
  { "capture", ctl_cmd_capture },
  { "stream", ctl_cmd_stream },
  { "enroll", ctl_cmd_enroll },
  { "list", ctl_cmd_list },
  { "delete", ctl_cmd_delete },
  { "rename", ctl_cmd_rename },
  { "verify", ctl_cmd_verify },
  { "identify", ctl_cmd_identify },
  { "diag", ctl_cmd_diag },
  { "discover", ctl_cmd_discover },
  { "usb-list", ctl_cmd_usb_list },
  { "export", ctl_cmd_export },
};

/* ---- helpers -------------------------------------------------------------------------- */

void
ctl_store_result (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

GAsyncResult *
ctl_wait (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static gboolean
flag_expired (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

void
ctl_spin_ms (Ctl  *ctl,
             guint ms)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add (ms, flag_expired, &expired);

  while (!expired && !ctl->interrupted)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
}

int
ctl_exit_code_for (const GError *error)
{
  if (error == NULL)
    return EXIT_OK;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return 130;
  if (error->domain == RIDGE_ERROR)
    {
      switch (error->code)
        {
          case RIDGE_ERROR_UNREACHABLE:
          case RIDGE_ERROR_REFUSED:
          case RIDGE_ERROR_CONNECTION_LOST:
          case RIDGE_ERROR_NOT_CONNECTED:
          case RIDGE_ERROR_CLOSED:
          case RIDGE_ERROR_BUSY:
          case RIDGE_ERROR_VERSION_MISMATCH:
          case RIDGE_ERROR_AUTH_REQUIRED:
            return EXIT_CONNECTION;
          case RIDGE_ERROR_TIMED_OUT:
          case RIDGE_ERROR_NO_FINGER:
            return EXIT_TIMEOUT;
          case RIDGE_ERROR_NOT_FOUND:
            return EXIT_NOT_FOUND;
          default:
            return EXIT_TERMINAL;
        }
    }
  if (error->domain == G_FILE_ERROR || error->domain == RIDGE_IMAGE_ERROR
      || error->domain == G_IO_ERROR)
    return EXIT_LOCAL;
  return EXIT_TERMINAL;
}

void
ctl_print_json (JsonBuilder *builder)
{
  g_autoptr (JsonGenerator) gen = NULL;
  g_autofree char *text = NULL;
  JsonNode *root = json_builder_get_root (builder);

  if (the_ctl != NULL && the_ctl->trace)
    {
      /* `trace CMD --json`: wrapped with the trace at the end */
      g_clear_pointer (&json_result, json_node_unref);
      json_result = root;
      return;
    }
  gen = json_generator_new ();
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  g_print ("%s\n", text);
  json_node_unref (root);
}

int
ctl_fail (Ctl          *ctl,
          const GError *error)
{
  int code = ctl_exit_code_for (error);

  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      const char *nick = "FAILED";

      if (error->domain == RIDGE_ERROR)
        nick = ridge_error_code_nick (error->code);
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        nick = "INTERRUPTED";
      else if (error->domain == G_FILE_ERROR || error->domain == RIDGE_IMAGE_ERROR)
        nick = "LOCAL";
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "error");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "code");
      json_builder_add_string_value (b, nick);
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, error->message);
      json_builder_set_member_name (b, "exit_code");
      json_builder_add_int_value (b, code);
      json_builder_end_object (b);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else
    g_printerr ("ridgectl: %s\n", error->message);
  return code;
}

/* --json promises one JSON object on stdout, also for a usage error (with `trace`, it goes
 * into the trace's envelope when a session was opened, else it is printed here) */
static void
print_usage_json (Ctl        *ctl,
                  const char *message)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  J_STR (b, "code", "USAGE");
  J_STR (b, "message", message);
  J_INT (b, "exit_code", EXIT_USAGE);
  json_builder_end_object (b);
  json_builder_end_object (b);
  if (ctl->trace && ctl->session != NULL)
    {
      ctl_print_json (b);
      return;
    }
  root = json_builder_get_root (b);
  gen = json_generator_new ();
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  g_print ("%s\n", text);
}

int
ctl_usage (Ctl        *ctl,
           const char *format,
           ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("ridgectl: %s\nTry “ridgectl --help”.\n", msg);
  if (ctl->json)
    print_usage_json (ctl, msg);
  return EXIT_USAGE;
}

gboolean
ctl_parse_uint (const char *text,
                guint64     max,
                guint64    *out)
{
  guint64 v;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, max, &v, NULL))
    return FALSE;
  *out = v;
  return TRUE;
}

static const char *const finger_names[] = {
  "unknown", "right-thumb", "right-index", "right-middle", "right-ring", "right-little",
  "left-thumb", "left-index", "left-middle", "left-ring", "left-little",
};

const char *
ctl_finger_name (guint8 finger)
{
  return finger < G_N_ELEMENTS (finger_names) ? finger_names[finger] : "invalid";
}

gboolean
ctl_parse_finger (const char *text,
                  guint8     *finger)
{
  guint64 v;
  g_autofree char *norm = NULL;

  if (text == NULL)
    return FALSE;
  if (ctl_parse_uint (text, 10, &v))
    {
      *finger = (guint8)v;
      return TRUE;
    }
  norm = g_ascii_strdown (text, -1);
  g_strdelimit (norm, "_ ", '-');
  for (guint i = 0; i < G_N_ELEMENTS (finger_names); i++)
    if (g_str_equal (norm, finger_names[i]))
      {
        *finger = (guint8)i;
        return TRUE;
      }
  /* also "index-right", "right-pinky" */
  if (g_str_equal (norm, "right-pinky"))
    return (*finger = 5), TRUE;
  if (g_str_equal (norm, "left-pinky"))
    return (*finger = 10), TRUE;
  return FALSE;
}

int
ctl_connect (Ctl     *ctl,
             GError **error)
{
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GObject) connector = NULL;

  if (ctl->session != NULL)
    return EXIT_OK;
  if (g_str_has_prefix (ctl->terminal, "usb:"))
    {
      RidgeUsbContext *usb = ridge_usb_context_get_default (error);

      if (usb == NULL)
        return EXIT_CONNECTION;
      connector = (GObject *)ridge_usb_connector_new_for_address (usb, ctl->terminal, error);
      if (connector == NULL)
        return EXIT_USAGE;
    }
  else
    {
      RidgeTcpConnector *tcp = ridge_tcp_connector_new (ctl->terminal, error);

      if (tcp == NULL)
        return EXIT_USAGE;
      ridge_tcp_connector_set_connect_timeout (tcp, ctl->timeout_ms ? ctl->timeout_ms : 5000);
      connector = G_OBJECT (tcp);
    }
  ctl->session = ridge_session_new (RIDGE_CONNECTOR (connector));
  ridge_session_set_client_name (ctl->session, "ridgectl " PACKAGE_VERSION);
  ridge_session_set_auto_reconnect (ctl->session, FALSE);
  if (ctl->timeout_ms > 0)
    ridge_session_set_request_timeout (ctl->session, ctl->timeout_ms);
  ridge_session_connect_async (ctl->session, ctl->cancellable, ctl_store_result, &res);
  if (!ridge_session_connect_finish (ctl->session, ctl_wait (&res), error))
    return ctl_exit_code_for (error ? *error : NULL);
  return EXIT_OK;
}

RidgeMessage *
ctl_request (Ctl                *ctl,
             guint16             type,
             const RidgeWireMsg *msg,
             guint               extra_timeout_ms,
             RidgeWireMsg       *decoded,
             GError            **error)
{
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (RidgeMessage) reply = NULL;
  guint timeout = ridge_session_get_request_timeout (ctl->session) + extra_timeout_ms;

  ridge_session_request_async (ctl->session, type, msg, timeout, ctl->cancellable,
                               ctl_store_result, &res);
  reply = ridge_session_request_finish (ctl->session, ctl_wait (&res), error);
  if (reply == NULL)
    return NULL;
  if (decoded != NULL && !ridge_message_decode (reply, decoded, error))
    return NULL;
  return g_steal_pointer (&reply);
}

/* ---- trace output --------------------------------------------------------------------- */

static void
print_trace (Ctl *ctl)
{
  RidgeTrace *trace;
  guint n;
  gint64 t0;

  if (ctl->session == NULL)
    return;
  trace = ridge_session_get_trace (ctl->session);
  n = ridge_trace_get_n_entries (trace);
  t0 = n ? ridge_trace_get_entry (trace, 0)->time_us : 0;

  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonGenerator) gen = json_generator_new ();
      g_autoptr (JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "result");
      if (json_result != NULL)
        json_builder_add_value (b, g_steal_pointer (&json_result));
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "trace");
      json_builder_begin_array (b);
      for (guint i = 0; i < n; i++)
        {
          const RidgeTraceEntry *e = ridge_trace_get_entry (trace, i);
          const char *name = ridge_wire_type_name (e->type);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "t_ms");
          json_builder_add_double_value (b, (double)(e->time_us - t0) / 1000.0);
          json_builder_set_member_name (b, "direction");
          json_builder_add_string_value (b, e->direction == RIDGE_TRACE_OUT ? "out" : "in");
          json_builder_set_member_name (b, "kind");
          json_builder_add_string_value (b, ridge_trace_kind_to_string (e->kind));
          json_builder_set_member_name (b, "type");
          json_builder_add_string_value (b, name ? name : "UNKNOWN");
          json_builder_set_member_name (b, "seq");
          json_builder_add_int_value (b, e->seq);
          json_builder_set_member_name (b, "size");
          json_builder_add_int_value (b, e->size);
          json_builder_set_member_name (b, "rtt_ms");
          if (e->rtt_us >= 0)
            json_builder_add_double_value (b, (double)e->rtt_us / 1000.0);
          else
            json_builder_add_null_value (b);
          json_builder_set_member_name (b, "result");
          json_builder_add_string_value (b, e->result);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      json_generator_set_root (gen, root);
      text = json_generator_to_data (gen, NULL);
      g_print ("%s\n", text);
      return;
    }

  g_print ("\nProtocol trace (%u entries):\n", n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *line = ridge_trace_entry_format (ridge_trace_get_entry (trace, i), t0);

      g_print ("%s\n", line);
    }
}

/* ---- main ----------------------------------------------------------------------------- */

static gboolean
on_signal (gpointer user_data)
{
  Ctl *ctl = user_data;

  ctl->interrupted = TRUE;
  g_cancellable_cancel (ctl->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
close_session (Ctl *ctl)
{
  g_autoptr (GAsyncResult) res = NULL;

  if (ctl->session == NULL)
    return;
  ridge_session_close_async (ctl->session, NULL, ctl_store_result, &res);
  ridge_session_close_finish (ctl->session, ctl_wait (&res), NULL);
}

int
main (int   argc,
      char *argv[])
{
  Ctl ctl = { 0 };
  g_autoptr (GPtrArray) rest = g_ptr_array_new ();
  const char *env = g_getenv ("RIDGE_TERMINAL");
  const char *cmd;
  int rc = EXIT_USAGE;
  gboolean after_dashdash = FALSE;

  setlocale (LC_ALL, "");
  the_ctl = &ctl;
  ctl.terminal = g_strdup (env && *env ? env : "localhost");

  /* global options may appear anywhere before “--” */
  g_ptr_array_add (rest, argv[0]);
  for (int i = 1; i < argc; i++)
    {
      const char *a = argv[i];
      const char *value = NULL;

      if (!after_dashdash && g_str_equal (a, "--"))
        {
          after_dashdash = TRUE;
          g_ptr_array_add (rest, argv[i]);
          continue;
        }
      if (after_dashdash)
        {
          g_ptr_array_add (rest, argv[i]);
          continue;
        }
      if (g_str_equal (a, "--json"))
        ctl.json = TRUE;
      else if (g_str_equal (a, "--terminal") || g_str_equal (a, "--timeout"))
        {
          if (i + 1 >= argc)
            return ctl_usage (&ctl, "%s needs a value", a);
          value = argv[++i];
        }
      else if (g_str_has_prefix (a, "--terminal=") || g_str_has_prefix (a, "--timeout="))
        value = strchr (a, '=') + 1;
      else if (g_str_equal (a, "--help") && rest->len == 1)
        {
          g_print ("%s", usage_text);
          return EXIT_OK;
        }
      else if (g_str_equal (a, "--version"))
        {
          g_print ("ridgectl %s\n", PACKAGE_VERSION);
          return EXIT_OK;
        }
      else
        {
          g_ptr_array_add (rest, argv[i]);
          continue;
        }
      if (value != NULL && g_str_has_prefix (a, "--terminal"))
        {
          g_free (ctl.terminal);
          ctl.terminal = g_strdup (value);
        }
      else if (value != NULL)
        {
          guint64 v;

          if (!ctl_parse_uint (value, 3600000, &v) || v == 0)
            return ctl_usage (&ctl, "--timeout takes milliseconds (1 … 3600000), not “%s”",
                              value);
          ctl.timeout_ms = (guint)v;
        }
    }
  g_ptr_array_add (rest, NULL);

  if (rest->len < 3)
    {
      g_printerr ("%s", usage_text);
      if (ctl.json)
        print_usage_json (&ctl, "a command is needed");
      g_free (ctl.terminal);
      return EXIT_USAGE;
    }

  ctl.cancellable = g_cancellable_new ();
  g_unix_signal_add (SIGINT, on_signal, &ctl);
  g_unix_signal_add (SIGTERM, on_signal, &ctl);

  {
    char **args = (char **)rest->pdata + 1;
    int nargs = (int)rest->len - 2;

    if (g_str_equal (args[0], "trace"))
      {
        ctl.trace = TRUE;
        args++;
        nargs--;
        if (nargs < 1)
          return ctl_usage (&ctl, "trace needs a command, e.g. “ridgectl trace info”");
      }
    cmd = args[0];
    rc = -1;
#ifdef RIDGECTL_HAVE_FPRINT
    /* local libfprint readers (ridgectl-reader.c) */
    if (g_str_equal (cmd, "readers") || g_str_has_prefix (ctl.terminal, "reader:"))
      rc = ctl_reader_main (&ctl, nargs, args);
#endif
    for (guint i = 0; rc < 0 && i < G_N_ELEMENTS (commands); i++)
      if (g_str_equal (cmd, commands[i].name))
        rc = commands[i].fn (&ctl, nargs, args);
    if (rc < 0 && cmd[0] == '-')
      rc = ctl_usage (&ctl, "unknown option “%s” (global options: --terminal, --json, --timeout; "
                            "a command's own options come after it)", cmd);
    else if (rc < 0)
      rc = ctl_usage (&ctl, "unknown command “%s”", cmd);
  }

  close_session (&ctl);
  if (ctl.trace)
    print_trace (&ctl);
  g_clear_pointer (&json_result, json_node_unref);
  g_clear_object (&ctl.session);
  g_clear_object (&ctl.cancellable);
  g_free (ctl.terminal);
  return rc;
}
