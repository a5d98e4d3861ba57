/* ridge-trace.c — a bounded ring of protocol exchanges
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-core"

#include "config.h"

#include "ridge-trace.h"

#include <string.h>

#include "wire/ridge-wire.h"

struct _RidgeTrace {
  GObject          parent_instance;
  RidgeTraceEntry *ring;
  guint            capacity;
  guint            head;
  guint            count;
  guint64          dropped;
};

G_DEFINE_FINAL_TYPE (RidgeTrace, ridge_trace, G_TYPE_OBJECT);

enum {
  SIGNAL_ENTRY_ADDED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
ridge_trace_finalize (GObject *object)
{
  RidgeTrace *self = RIDGE_TRACE (object);

  g_free (self->ring);
  G_OBJECT_CLASS (ridge_trace_parent_class)->finalize (object);
}

static void
ridge_trace_class_init (RidgeTraceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ridge_trace_finalize;

  /**
   * RidgeTrace::entry-added:
   * @entry: (type gpointer): the const RidgeTraceEntry just stored
   */
  signals[SIGNAL_ENTRY_ADDED] =
    g_signal_new ("entry-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
ridge_trace_init (RidgeTrace *self)
{
}

RidgeTrace *
ridge_trace_new (guint capacity)
{
  RidgeTrace *self = g_object_new (RIDGE_TYPE_TRACE, NULL);

  self->capacity = capacity ? capacity : RIDGE_TRACE_DEFAULT_CAPACITY;
  self->ring = g_new0 (RidgeTraceEntry, self->capacity);
  return self;
}

guint
ridge_trace_get_capacity (RidgeTrace *self)
{
  g_return_val_if_fail (RIDGE_IS_TRACE (self), 0);
  return self->capacity;
}

void
ridge_trace_add (RidgeTrace            *self,
                 const RidgeTraceEntry *entry)
{
  RidgeTraceEntry *slot;

  g_return_if_fail (RIDGE_IS_TRACE (self));
  g_return_if_fail (entry != NULL);

  if (self->count == self->capacity)
    {
      self->head = (self->head + 1) % self->capacity;
      self->count--;
      self->dropped++;
    }
  slot = &self->ring[(self->head + self->count) % self->capacity];
  *slot = *entry;
  slot->result[sizeof slot->result - 1] = '\0';
  self->count++;
  g_signal_emit (self, signals[SIGNAL_ENTRY_ADDED], 0, slot);
}

guint
ridge_trace_get_n_entries (RidgeTrace *self)
{
  g_return_val_if_fail (RIDGE_IS_TRACE (self), 0);
  return self->count;
}

const RidgeTraceEntry *
ridge_trace_get_entry (RidgeTrace *self,
                       guint       index)
{
  g_return_val_if_fail (RIDGE_IS_TRACE (self), NULL);
  g_return_val_if_fail (index < self->count, NULL);
  return &self->ring[(self->head + index) % self->capacity];
}

guint64
ridge_trace_get_dropped (RidgeTrace *self)
{
  g_return_val_if_fail (RIDGE_IS_TRACE (self), 0);
  return self->dropped;
}

void
ridge_trace_clear (RidgeTrace *self)
{
  g_return_if_fail (RIDGE_IS_TRACE (self));
  self->head = 0;
  self->count = 0;
}

const char *
ridge_trace_kind_to_string (RidgeTraceKind kind)
{
  switch (kind)
    {
      case RIDGE_TRACE_REQUEST: return "request";
      case RIDGE_TRACE_RESPONSE: return "response";
      case RIDGE_TRACE_EVENT: return "event";
      case RIDGE_TRACE_LOCAL: return "local";
      default: return "unknown";
    }
}

char *
ridge_trace_entry_format (const RidgeTraceEntry *entry,
                          gint64                 t0_us)
{
  const char *name = ridge_wire_type_name (entry->type);
  const char *kind = entry->kind == RIDGE_TRACE_REQUEST ? "REQ"
                     : entry->kind == RIDGE_TRACE_RESPONSE ? "RSP"
                     : entry->kind == RIDGE_TRACE_EVENT ? "EVT" : "---";
  g_autofree char *rtt = NULL;
  g_autofree char *type = NULL;

  if (name == NULL)
    type = g_strdup_printf ("0x%04x", entry->type);
  if (entry->rtt_us >= 0)
    rtt = g_strdup_printf ("  rtt %.3f ms", (double)entry->rtt_us / 1000.0);
  return g_strdup_printf ("%+11.3f ms  %s  %s  %-14s seq %-6u %7u B%s  %s",
                          (double)(entry->time_us - t0_us) / 1000.0,
                          entry->direction == RIDGE_TRACE_OUT ? "→" : "←", kind,
                          name ? name : type, entry->seq, entry->size, rtt ? rtt : "",
                          entry->result);
}

const char *
ridge_trace_entry_type_name (const RidgeTraceEntry *entry,
                             char                   buf[8])
{
  const char *name;

  g_return_val_if_fail (entry != NULL, NULL);
  name = ridge_wire_type_name (entry->type);
  if (name != NULL)
    return name;
  g_snprintf (buf, 8, "0x%04x", entry->type);
  return buf;
}

gboolean
ridge_trace_entry_is_problem (const RidgeTraceEntry *entry)
{
  g_return_val_if_fail (entry != NULL, FALSE);
  return entry->result[0] != '\0' && strcmp (entry->result, "ok") != 0;
}

/* ASCII case-insensitive substring search (type names and results are ASCII) */
static gboolean
contains_ascii_nocase (const char *haystack,
                       const char *needle)
{
  gsize n = strlen (needle);

  for (; *haystack != '\0'; haystack++)
    if (g_ascii_strncasecmp (haystack, needle, n) == 0)
      return TRUE;
  return n == 0;
}

gboolean
ridge_trace_entry_matches (const RidgeTraceEntry  *entry,
                           const RidgeTraceFilter *filter)
{
  char buf[8];

  g_return_val_if_fail (entry != NULL, FALSE);
  if (filter == NULL)
    return TRUE;
  if (filter->kind >= 0 && (int)entry->kind != filter->kind)
    return FALSE;
  if (filter->direction >= 0 && (int)entry->direction != filter->direction)
    return FALSE;
  if (filter->problems_only && !ridge_trace_entry_is_problem (entry))
    return FALSE;
  if (filter->text != NULL && filter->text[0] != '\0'
      && !contains_ascii_nocase (ridge_trace_entry_type_name (entry, buf), filter->text)
      && !contains_ascii_nocase (entry->result, filter->text))
    return FALSE;
  return TRUE;
}

const char *
ridge_trace_csv_header (void)
{
  return "time_ms,direction,kind,type,seq,size_bytes,rtt_ms,result\n";
}

char *
ridge_trace_entry_to_csv (const RidgeTraceEntry *entry,
                          gint64                 t0_us)
{
  GString *line = g_string_new (NULL);
  char buf[8];
  gboolean quote;

  g_return_val_if_fail (entry != NULL, NULL);
  g_string_append_printf (line, "%.3f,%s,%s,%s,%u,%u,", (double)(entry->time_us - t0_us) / 1000.0,
                          entry->direction == RIDGE_TRACE_OUT ? "out" : "in",
                          ridge_trace_kind_to_string (entry->kind),
                          ridge_trace_entry_type_name (entry, buf), entry->seq, entry->size);
  if (entry->rtt_us >= 0)
    g_string_append_printf (line, "%.3f", (double)entry->rtt_us / 1000.0);
  g_string_append_c (line, ',');
  /* RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled */
  quote = strpbrk (entry->result, ",\"\r\n") != NULL;
  if (quote)
    g_string_append_c (line, '"');
  for (const char *p = entry->result; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (line, '"');
      g_string_append_c (line, *p);
    }
  if (quote)
    g_string_append_c (line, '"');
  g_string_append_c (line, '\n');
  return g_string_free (line, FALSE);
}

gssize
ridge_trace_export_csv (RidgeTrace             *self,
                        const RidgeTraceFilter *filter,
                        const char             *path,
                        GError                **error)
{
  g_autoptr (GString) text = NULL;
  gint64 t0;
  gssize written = 0;

  g_return_val_if_fail (RIDGE_IS_TRACE (self), -1);
  g_return_val_if_fail (path != NULL, -1);

  text = g_string_new (ridge_trace_csv_header ());
  t0 = self->count > 0 ? ridge_trace_get_entry (self, 0)->time_us : 0;
  for (guint i = 0; i < self->count; i++)
    {
      const RidgeTraceEntry *e = ridge_trace_get_entry (self, i);
      g_autofree char *line = NULL;

      if (!ridge_trace_entry_matches (e, filter))
        continue;
      line = ridge_trace_entry_to_csv (e, t0);
      g_string_append (text, line);
      written++;
    }
  if (!g_file_set_contents_full (path, text->str, (gssize)text->len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0644, error))
    return -1;
  return written;
}
