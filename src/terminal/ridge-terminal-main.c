/* ridge-terminal-main.c — command line of the reference terminal daemon
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-terminal"
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <glib-unix.h>

#include "ridge-terminal-private.h"
#include "ridge-terminal-ffs.h"

static gboolean
on_signal (gpointer user_data)
{
  RidgeTerminal *term = user_data;

  g_message ("Stopping on a signal");
  g_main_loop_quit (term->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
parse_rate (const char *name,
            const char *text,
            double     *out,
            GError    **error)
{
  char *end = NULL;
  double v = g_ascii_strtod (text, &end);

  if (end == text || *end != '\0' || !(v >= 0 && v <= 1))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s takes a probability between 0 and 1, not \"%s\"", name, text);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  RidgeTerminal term = { 0 };
  RidgeTerminalOptions *o = &term.opts;
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *corrupt_rate = NULL;
  gint64 rate_limit = 0, drop_after = -1;
  int latency = 0;
  gboolean auto_finger = FALSE, no_auto_finger = FALSE;
  g_autofree char *usb_gadget = NULL;
  RidgeFfs *gadget = NULL;

  o->port = RIDGE_DEFAULT_PORT;
  o->capacity = 1000;
  o->fps = 15;
  o->width = 400;
  o->height = 400;
  o->discovery_port = 7421;
  o->client_timeout_ms = 10000;

  {
    GOptionEntry entries[] = {
      { "listen", 0, 0, G_OPTION_ARG_STRING, &o->listen, "Address to listen on (0.0.0.0)",
        "ADDR" },
      { "port", 0, 0, G_OPTION_ARG_INT, &o->port, "TCP port (7420; 0 = any free port)", "N" },
      { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &o->state_dir,
        "Templates, boot counter, serial ($XDG_STATE_HOME/ridge-terminal)", "DIR" },
      { "sensor", 0, 0, G_OPTION_ARG_STRING, &o->sensor,
        "synthetic, images:DIR or libfprint (synthetic)", "SENSOR" },
      { "control", 0, 0, G_OPTION_ARG_FILENAME, &o->control, "Control socket (unix)", "PATH" },
      { "serial", 0, 0, G_OPTION_ARG_STRING, &o->serial, "Serial number (generated once)", "S" },
      { "capacity", 0, 0, G_OPTION_ARG_INT, &o->capacity, "Template capacity (1000)", "N" },
      { "fps", 0, 0, G_OPTION_ARG_INT, &o->fps, "Sensor frame rate (15)", "N" },
      { "width", 0, 0, G_OPTION_ARG_INT, &o->width, "Synthetic image width (400)", "W" },
      { "height", 0, 0, G_OPTION_ARG_INT, &o->height, "Synthetic image height (400)", "H" },
      { "discovery-port", 0, 0, G_OPTION_ARG_INT, &o->discovery_port,
        "UDP discovery port (7421; 0 = off)", "N" },
      { "auto-finger", 0, 0, G_OPTION_ARG_NONE, &auto_finger,
        "Place and lift a simulated finger periodically (default without --control)", NULL },
      { "no-auto-finger", 0, 0, G_OPTION_ARG_NONE, &no_auto_finger,
        "Never place a finger by itself", NULL },
      { "client-timeout", 0, 0, G_OPTION_ARG_INT, &o->client_timeout_ms,
        "Drop a client silent for this long (10000 ms)", "MS" },
      { "rate-limit", 0, 0, G_OPTION_ARG_INT64, &rate_limit,
        "Fault: limit sending to BYTES per second", "BYTES_PER_S" },
      { "latency", 0, 0, G_OPTION_ARG_INT, &latency, "Fault: delay every send by MS", "MS" },
      { "drop-after", 0, 0, G_OPTION_ARG_INT64, &drop_after,
        "Fault: close the connection abruptly after BYTES sent", "BYTES" },
      { "corrupt-rate", 0, 0, G_OPTION_ARG_STRING, &corrupt_rate,
        "Fault: flip a bit in each sent byte with probability P", "P" },
      { "usb-gadget", 0, 0, G_OPTION_ARG_FILENAME, &usb_gadget,
        "Also serve USB: the FunctionFS instance mounted at DIR (docs/usb.md)", "DIR" },
      { NULL }
    };

    setlocale (LC_ALL, "");
    context = g_option_context_new ("— the Ridge reference fingerprint terminal");
    g_option_context_add_main_entries (context, entries, NULL);
    if (!g_option_context_parse (context, &argc, &argv, &error))
      {
        g_printerr ("ridge-terminal: %s\n", error->message);
        return 2;
      }
  }

  {
    /* each refusal names its option */
    const struct {
      gboolean    bad;
      const char *sentence;
    } checks[] = {
      { o->port < 0 || o->port > 65535, "--port must be 0 … 65535" },
      { o->discovery_port < 0 || o->discovery_port > 65535,
        "--discovery-port must be 0 … 65535 (0 turns discovery off)" },
      { o->capacity < 0, "--capacity must not be negative" },
      { o->fps < 1 || o->fps > 1000, "--fps must be 1 … 1000" },
      { o->client_timeout_ms < 100, "--client-timeout must be at least 100 ms" },
      { rate_limit < 0, "--rate-limit must not be negative" },
      { latency < 0 || latency > 60000, "--latency must be 0 … 60000 ms" },
      { auto_finger && no_auto_finger, "--auto-finger and --no-auto-finger exclude each other" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
      if (checks[i].bad)
        {
          g_printerr ("ridge-terminal: %s (see --help)\n", checks[i].sentence);
          return 2;
        }
  }
  if (corrupt_rate != NULL && !parse_rate ("--corrupt-rate", corrupt_rate,
                                           &term.faults.corrupt_rate, &error))
    {
      g_printerr ("ridge-terminal: %s\n", error->message);
      return 2;
    }
  term.faults.rate_limit = rate_limit;
  term.faults.latency_ms = latency;
  term.faults.drop_after = drop_after >= 0 ? drop_after : -1;
  o->auto_finger = auto_finger ? 1 : no_auto_finger ? 0 : -1;
  if (o->listen == NULL)
    o->listen = g_strdup ("0.0.0.0");
  if (o->state_dir == NULL)
    o->state_dir = g_build_filename (g_get_user_state_dir (), "ridge-terminal", NULL);
  if (o->sensor == NULL)
    {
      o->sensor = g_strdup ("synthetic");
    }

  ridge_terminal_log_install (256 * 1024);
  term.loop = g_main_loop_new (NULL, FALSE);
  if (!ridge_terminal_start (&term, &error))
    {
      g_printerr ("ridge-terminal: %s\n", error->message);
      ridge_terminal_stop (&term);
      return 1;
    }

  if (usb_gadget != NULL)
    {
      gadget = ridge_terminal_usb_gadget_start (&term, usb_gadget, &error);
      if (gadget == NULL)
        {
          g_printerr ("ridge-terminal: --usb-gadget: %s\n", error->message);
          ridge_terminal_stop (&term);
          return 1;
        }
      printf ("ridge-terminal: USB gadget function ready in %s\n", usb_gadget);
    }

  g_unix_signal_add (SIGINT, on_signal, &term);
  g_unix_signal_add (SIGTERM, on_signal, &term);

  {
    g_autofree char *shown = g_strdup (o->listen);
    printf ("ridge-terminal: listening on %s:%u\n", shown, term.port);
    fflush (stdout);
  }

  g_main_loop_run (term.loop);

  ridge_ffs_free (gadget);
  ridge_terminal_stop (&term);
  g_main_loop_unref (term.loop);
  g_free (o->listen);
  g_free (o->state_dir);
  g_free (o->sensor);
  g_free (o->control);
  g_free (o->serial);
  return 0;
}
