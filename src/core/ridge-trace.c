/* ridge-trace.c — a bounded ring of protocol exchanges
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-core"

#include "config.h"

#include "ridge-trace.h"

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
