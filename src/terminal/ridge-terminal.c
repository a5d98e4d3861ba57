/* ridge-terminal.c — the terminal: state dir, boot counter, listener, sensor tick
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-terminal"
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>

#include "ridge-terminal-private.h"

const char *const ridge_counter_names[RIDGE_N_COUNTERS] = {
  [RIDGE_COUNTER_FRAMES] = "frames",
  [RIDGE_COUNTER_DROPS] = "drops",
  [RIDGE_COUNTER_BYTES_SENT] = "bytes_sent",
  [RIDGE_COUNTER_BYTES_RECEIVED] = "bytes_received",
  [RIDGE_COUNTER_ERRORS] = "errors",
  [RIDGE_COUNTER_CONNECTIONS] = "connections",
  [RIDGE_COUNTER_BUSY_REJECTS] = "busy_rejects",
  [RIDGE_COUNTER_RX_CORRUPT] = "rx_corrupt",
  [RIDGE_COUNTER_ENROLLS] = "enrolls",
  [RIDGE_COUNTER_MATCHES] = "matches",
  [RIDGE_COUNTER_CAPTURES] = "captures",
  [RIDGE_COUNTER_TIMEOUTS] = "timeouts",
};

gboolean
ridge_terminal_engine_ready (void)
{
  return TRUE;
}

gint64
ridge_terminal_wall_time_us (RidgeTerminal *term)
{
  return g_get_real_time () + term->time_offset_us;
}

void
ridge_terminal_fill_info (RidgeTerminal         *term,
                          RidgeWireTerminalInfo *info)
{
  int w, h, dpi;

  memset (info, 0, sizeof *info);
  ridge_sensor_get_size (term->sensor, &w, &h, &dpi);
  info->version = RIDGE_WIRE_VERSION;
  info->max_payload = RIDGE_TERMINAL_MAX_RX_PAYLOAD;
  info->capabilities = RIDGE_CAP_CAPTURE | RIDGE_CAP_STREAM | RIDGE_CAP_STORE | RIDGE_CAP_PARAMS
                       | RIDGE_CAP_TIME | RIDGE_CAP_REBOOT | RIDGE_CAP_COMPRESS_RICE;
  info->capabilities |= RIDGE_CAP_MINUTIAE;
  if (ridge_terminal_engine_ready ())
    info->capabilities |= RIDGE_CAP_ENROLL | RIDGE_CAP_VERIFY | RIDGE_CAP_IDENTIFY;
  info->auth_methods = 0;
  info->model = (RidgeWireStr) { RIDGE_TERMINAL_MODEL, strlen (RIDGE_TERMINAL_MODEL) };
  info->serial = (RidgeWireStr) { term->serial, MIN (strlen (term->serial), RIDGE_WIRE_STR_MAX) };
  info->firmware_version = (RidgeWireStr) { "ridge-terminal " PACKAGE_VERSION,
                                            strlen ("ridge-terminal " PACKAGE_VERSION) };
  info->algorithm_version = (RidgeWireStr) { RIDGE_ENGINE_VERSION, strlen (RIDGE_ENGINE_VERSION) };
  info->sensor_type = ridge_sensor_get_kind (term->sensor);
  info->width = w;
  info->height = h;
  info->dpi = dpi;
  info->template_capacity = ridge_terminal_store_capacity (term->store);
  info->template_count = ridge_terminal_store_count (term->store);
  info->boot_counter = term->boot_counter;
  info->uptime_ms = (g_get_monotonic_time () - term->boot_time_us) / 1000;
}

/* ---- state dir ----------------------------------------------------------------------- */

static char *
state_path (RidgeTerminal *term,
            const char    *name)
{
  return g_build_filename (term->opts.state_dir, name, NULL);
}

static gboolean
bump_boot_counter (RidgeTerminal *term,
                   GError       **error)
{
  g_autofree char *path = state_path (term, "boot-counter");
  g_autofree char *text = NULL;
  guint64 value = 0;

  if (g_file_get_contents (path, &text, NULL, NULL))
    {
      value = g_ascii_strtoull (g_strstrip (text), NULL, 10);
      if (value >= G_MAXUINT32)
        value = 0;
    }
  g_clear_pointer (&text, g_free);
  term->boot_counter = value + 1;
  text = g_strdup_printf ("%u\n", term->boot_counter);
  return ridge_terminal_write_file_atomic (path, text, strlen (text), 0600, error);
}

static gboolean
load_serial (RidgeTerminal *term,
             GError       **error)
{
  g_autofree char *path = state_path (term, "serial");
  g_autofree char *text = NULL;

  if (term->opts.serial != NULL)
    {
      if (*term->opts.serial == '\0' || strlen (term->opts.serial) > RIDGE_WIRE_STR_MAX)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "--serial must have 1 to %u characters", RIDGE_WIRE_STR_MAX);
          return FALSE;
        }
      term->serial = g_strdup (term->opts.serial);
      return TRUE;
    }
  if (g_file_get_contents (path, &text, NULL, NULL) && *g_strstrip (text) != '\0'
      && strlen (text) <= RIDGE_WIRE_STR_MAX)
    {
      term->serial = g_strdup (text);
      return TRUE;
    }
  /* generated once, then kept: RT- and 10 hex digits */
  term->serial = g_strdup_printf ("RT-%02X%08X", g_random_int_range (0, 256), g_random_int ());
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("%s\n", term->serial);
  return ridge_terminal_write_file_atomic (path, text, strlen (text), 0600, error);
}

static void
load_time_offset (RidgeTerminal *term)
{
  g_autofree char *path = state_path (term, "time-offset");
  g_autofree char *text = NULL;

  if (g_file_get_contents (path, &text, NULL, NULL))
    term->time_offset_us = g_ascii_strtoll (g_strstrip (text), NULL, 10);
}

/* ---- listener and tick --------------------------------------------------------------- */

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *conn,
             GObject           *source,
             gpointer           user_data)
{
  RidgeTerminal *term = user_data;

  if (term->session != NULL)
    ridge_terminal_session_new (term, conn, TRUE);
  else
    term->session = ridge_terminal_session_new (term, conn, FALSE);
  return TRUE;
}

static gboolean
on_tick (gpointer user_data)
{
  RidgeTerminal *term = user_data;

  if (term->session != NULL)
    ridge_terminal_session_tick (term->session);
  return G_SOURCE_CONTINUE;
}

/* The demo finger: with no control socket, finger 1, 2, 3 … are placed for 3 s and
 * lifted for 2 s in turn, so that a live view shows prints without any scripting. */
static void on_auto_placed (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data);

static gboolean
on_auto_finger (gpointer user_data)
{
  RidgeTerminal *term = user_data;
  g_autoptr (GError) error = NULL;

  if (ridge_sensor_finger_present (term->sensor))
    {
      ridge_sensor_lift (term->sensor);
      term->auto_finger_id = g_timeout_add (2000, on_auto_finger, term);
    }
  else
    {
      /* fingers 1..5, impressions 0..2 in turn: 15 renderings, then all cached */
      guint turn = term->auto_finger_next++;
      guint finger = turn % 5 + 1;
      int impression = (turn / 5) % 3;
      if (ridge_sensor_get_kind (term->sensor) == RIDGE_SENSOR_IMAGES)
        {
          /* images folders name their fingers freely: walk on until one exists */
          gboolean placed = FALSE;
          for (guint tries = 0; tries < 1000 && !placed; tries++)
            {
              g_clear_error (&error);
              placed = ridge_sensor_place (term->sensor, term->auto_finger_next + tries, -1, NULL);
              if (placed)
                term->auto_finger_next += tries;
            }
          if (!placed)
            term->auto_finger_next = 0;
        }
      else
        {
          /* rendered in a worker thread; the finger stays 3 s once it is on */
          term->auto_finger_id = 0;
          ridge_sensor_place_async (term->sensor, finger, impression, on_auto_placed, term);
          return G_SOURCE_REMOVE;
        }
      term->auto_finger_id = g_timeout_add (3000, on_auto_finger, term);
    }
  on_tick (term);
  return G_SOURCE_REMOVE;
}

static void
on_auto_placed (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  RidgeTerminal *term = user_data;
  g_autoptr (GError) error = NULL;

  if (term->sensor == NULL)
    return;
  if (!ridge_sensor_place_finish (term->sensor, result, &error))
    g_message ("Auto finger: %s", error->message);
  term->auto_finger_id = g_timeout_add (3000, on_auto_finger, term);
  on_tick (term);
}

gboolean
ridge_terminal_start (RidgeTerminal *term,
                      GError       **error)
{
  g_autofree char *templates = NULL;
  g_autoptr (GInetAddress) inet = NULL;
  g_autoptr (GSocketAddress) addr = NULL;
  g_autoptr (GSocketAddress) effective = NULL;

  if (g_mkdir_with_parents (term->opts.state_dir, 0700) < 0)
    {
      int err = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err),
                   "Could not create the state folder %s: %s", term->opts.state_dir,
                   g_strerror (err));
      return FALSE;
    }
  if (!bump_boot_counter (term, error) || !load_serial (term, error))
    return FALSE;
  load_time_offset (term);
  term->boot_time_us = g_get_monotonic_time ();
  term->params = (RidgeSensorParams) { 100, 100, 200 };
  term->fault_rand = g_rand_new_with_seed (0x52494447u);

  templates = state_path (term, "templates");
  term->store = ridge_terminal_store_open (templates, term->opts.capacity, error);
  if (term->store == NULL)
    return FALSE;

  term->sensor = ridge_sensor_new (term->opts.sensor, term->opts.width, term->opts.height, error);
  if (term->sensor == NULL)
    return FALSE;

  inet = g_inet_address_new_from_string (term->opts.listen);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--listen %s is not an IP address", term->opts.listen);
      return FALSE;
    }
  addr = g_inet_socket_address_new (inet, term->opts.port);
  term->service = g_socket_service_new ();
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (term->service), addr,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                      &effective, error))
    {
      g_prefix_error (error, "Could not listen on %s:%d: ", term->opts.listen, term->opts.port);
      return FALSE;
    }
  term->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (term->service, "incoming", G_CALLBACK (on_incoming), term);
  g_socket_service_start (term->service);

  if (term->opts.control != NULL && !ridge_control_start (term, error))
    return FALSE;
  if (term->opts.discovery_port > 0)
    {
      g_autoptr (GError) local = NULL;
      /* the terminal still serves TCP without discovery: not a reason to stop */
      if (!ridge_discovery_start (term, &local))
        g_message ("Discovery is off: %s", local->message);
    }

  term->tick_id = g_timeout_add (MAX (1, 1000 / term->opts.fps), on_tick, term);
  if (term->opts.auto_finger > 0 || (term->opts.auto_finger < 0 && term->opts.control == NULL))
    {
      if (ridge_sensor_get_kind (term->sensor) != RIDGE_SENSOR_LIBFPRINT)
        {
          g_message ("Auto finger: a simulated finger is placed and lifted periodically");
          term->auto_finger_next = 0;
          term->auto_finger_id = g_timeout_add (1000, on_auto_finger, term);
        }
    }

  g_message ("Ridge terminal %s (serial %s, boot %u) on %s:%u, sensor %s, store %u/%u",
             PACKAGE_VERSION, term->serial, term->boot_counter, term->opts.listen, term->port,
             ridge_sensor_describe (term->sensor), ridge_terminal_store_count (term->store),
             ridge_terminal_store_capacity (term->store));
  return TRUE;
}

void
ridge_terminal_stop (RidgeTerminal *term)
{
  if (term->session != NULL)
    {
      ridge_terminal_session_say_goodbye (term->session);
      if (term->session != NULL)
        ridge_terminal_session_close (term->session, "the terminal is stopping");
    }
  g_clear_handle_id (&term->tick_id, g_source_remove);
  g_clear_handle_id (&term->auto_finger_id, g_source_remove);
  if (term->service != NULL)
    {
      g_socket_service_stop (term->service);
      g_socket_listener_close (G_SOCKET_LISTENER (term->service));
      g_clear_object (&term->service);
    }
  ridge_control_stop (term);
  ridge_discovery_stop (term);
  g_clear_pointer (&term->live_features, ridge_features_free);
  g_clear_pointer (&term->sensor, ridge_sensor_free);
  g_clear_pointer (&term->store, ridge_terminal_store_free);
  g_clear_pointer (&term->fault_rand, g_rand_free);
  g_clear_pointer (&term->serial, g_free);
}

void
ridge_terminal_reboot (RidgeTerminal *term)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *templates = state_path (term, "templates");
  RidgeTerminalStore *store;

  g_message ("Rebooting (simulated)");
  if (term->session != NULL)
    ridge_terminal_session_close (term->session, "the terminal reboots");
  if (!bump_boot_counter (term, &error))
    g_warning ("Reboot: %s", error->message);
  term->boot_time_us = g_get_monotonic_time ();
  term->params = (RidgeSensorParams) { 100, 100, 200 };
  /* the store is read back from the disk, as after a real power cycle */
  store = ridge_terminal_store_open (templates, term->opts.capacity, &error);
  if (store != NULL)
    {
      ridge_terminal_store_free (term->store);
      term->store = store;
    }
  else
    g_warning ("Reboot: the template store could not be reloaded: %s", error->message);
  g_message ("Boot %u", term->boot_counter);
}

char *
ridge_terminal_status (RidgeTerminal *term)
{
  guint finger = 0, impression = 0;
  gboolean present = ridge_sensor_finger_present (term->sensor);
  g_autofree char *session = term->session ? ridge_terminal_session_status (term->session)
                             : g_strdup ("client=none");
  GString *s = g_string_new (NULL);

  ridge_sensor_get_placement (term->sensor, &finger, &impression, NULL);
  if (present)
    g_string_append_printf (s, "finger=%u impression=%u", finger, impression);
  else
    g_string_append (s, "finger=none");
  g_string_append_printf (s, " %s boot=%u templates=%u/%u", session, term->boot_counter,
                          ridge_terminal_store_count (term->store),
                          ridge_terminal_store_capacity (term->store));
  for (guint i = 0; i < RIDGE_N_COUNTERS; i++)
    g_string_append_printf (s, " %s=%" G_GUINT64_FORMAT, ridge_counter_names[i],
                            term->counters[i]);
  return g_string_free (s, FALSE);
}
