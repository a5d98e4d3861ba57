/* ridge-terminal-log.c — logs to stderr and into a ring that LOG_FETCH serves
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-terminal"
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ridge-terminal-private.h"

static GMutex log_lock;
static guint8 *log_ring;
static gsize log_ring_size;
static guint64 log_total;    /* bytes ever appended */

static void
log_append (const char *text,
            gsize       len)
{
  if (log_ring == NULL)
    return;
  /* only the last ring_size bytes of a huge message can survive anyway */
  if (len > log_ring_size)
    {
      log_total += len - log_ring_size;
      text += len - log_ring_size;
      len = log_ring_size;
    }
  while (len > 0)
    {
      gsize pos = log_total % log_ring_size;
      gsize n = MIN (len, log_ring_size - pos);
      memcpy (log_ring + pos, text, n);
      log_total += n;
      text += n;
      len -= n;
    }
}

static const char *
level_name (GLogLevelFlags level)
{
  if (level & G_LOG_LEVEL_ERROR)
    return "error";
  if (level & G_LOG_LEVEL_CRITICAL)
    return "critical";
  if (level & G_LOG_LEVEL_WARNING)
    return "warning";
  if (level & G_LOG_LEVEL_MESSAGE)
    return "message";
  if (level & G_LOG_LEVEL_INFO)
    return "info";
  return "debug";
}

static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  const char *message = NULL;
  const char *domain = NULL;
  g_autofree char *line = NULL;
  g_autoptr (GDateTime) now = NULL;
  g_autofree char *stamp = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        message = fields[i].value;
      else if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
    }

  /* debug messages only when G_MESSAGES_DEBUG asks for them, like GLib's default */
  if ((level & G_LOG_LEVEL_DEBUG) && g_log_writer_default_would_drop (level, domain))
    return G_LOG_WRITER_HANDLED;

  now = g_date_time_new_now_utc ();
  stamp = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
  line = g_strdup_printf ("%s.%03dZ %s %s: %s\n", stamp,
                          g_date_time_get_microsecond (now) / 1000,
                          domain ? domain : "ridge-terminal", level_name (level),
                          message ? message : "");

  g_mutex_lock (&log_lock);
  log_append (line, strlen (line));
  g_mutex_unlock (&log_lock);

  fputs (line, stderr);
  fflush (stderr);

  if (level & G_LOG_FLAG_FATAL)
    return G_LOG_WRITER_UNHANDLED;
  return G_LOG_WRITER_HANDLED;
}

void
ridge_terminal_log_install (gsize ring_size)
{
  g_return_if_fail (ring_size > 0);

  g_mutex_lock (&log_lock);
  if (log_ring == NULL)
    {
      log_ring = g_malloc0 (ring_size);
      log_ring_size = ring_size;
    }
  g_mutex_unlock (&log_lock);
  g_log_set_writer_func (log_writer, NULL, NULL);
}

char *
ridge_terminal_log_read (guint64 *offset,
                         gsize    max,
                         guint64 *total)
{
  GString *out = g_string_new (NULL);
  guint64 start;
  guint64 oldest;

  g_mutex_lock (&log_lock);
  oldest = log_total > log_ring_size ? log_total - log_ring_size : 0;
  start = MAX (*offset, oldest);
  if (start > log_total)
    start = log_total;
  for (guint64 p = start; p < log_total && out->len < max; p++)
    g_string_append_c (out, log_ring[p % log_ring_size]);
  *offset = start;
  *total = log_total;
  g_mutex_unlock (&log_lock);

  return g_string_free (out, FALSE);
}
