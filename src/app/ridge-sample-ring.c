/* ridge-sample-ring.c — a fixed-size ring of link-health samples and events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-sample-ring"

#include "config.h"

#include "ridge-sample-ring.h"

#include <string.h>

/* A week of one-second samples is far more than any view shows; refuse silly sizes. */
#define MAX_CAPACITY (7u * 24u * 3600u)

struct _RidgeSampleRing {
  gatomicrefcount   ref;
  guint             capacity;
  guint             head;       /* index of the oldest sample */
  guint             len;
  RidgeChartSample *samples;
  guint             event_capacity;
  guint             event_head;
  guint             event_len;
  RidgeChartEvent  *events;
  guint64           serial;
};

RidgeSampleRing *
ridge_sample_ring_new (guint capacity,
                       guint event_capacity)
{
  RidgeSampleRing *ring;

  g_return_val_if_fail (capacity > 0 && capacity <= MAX_CAPACITY, NULL);
  g_return_val_if_fail (event_capacity > 0 && event_capacity <= MAX_CAPACITY, NULL);

  ring = g_new0 (RidgeSampleRing, 1);
  g_atomic_ref_count_init (&ring->ref);
  ring->capacity = capacity;
  ring->samples = g_new0 (RidgeChartSample, capacity);
  ring->event_capacity = event_capacity;
  ring->events = g_new0 (RidgeChartEvent, event_capacity);
  return ring;
}

RidgeSampleRing *
ridge_sample_ring_ref (RidgeSampleRing *ring)
{
  g_return_val_if_fail (ring != NULL, NULL);
  g_atomic_ref_count_inc (&ring->ref);
  return ring;
}

void
ridge_sample_ring_unref (RidgeSampleRing *ring)
{
  g_return_if_fail (ring != NULL);
  if (!g_atomic_ref_count_dec (&ring->ref))
    return;
  g_free (ring->samples);
  g_free (ring->events);
  g_free (ring);
}

void
ridge_sample_ring_clear (RidgeSampleRing *ring)
{
  g_return_if_fail (ring != NULL);
  ring->head = ring->len = 0;
  ring->event_head = ring->event_len = 0;
  ring->serial++;
}

guint
ridge_sample_ring_capacity (RidgeSampleRing *ring)
{
  g_return_val_if_fail (ring != NULL, 0);
  return ring->capacity;
}

gboolean
ridge_sample_ring_push (RidgeSampleRing        *ring,
                        const RidgeChartSample *sample)
{
  guint slot;

  g_return_val_if_fail (ring != NULL, FALSE);
  g_return_val_if_fail (sample != NULL, FALSE);

  if (ring->len > 0 && sample->time_us < ridge_sample_ring_get (ring, ring->len - 1)->time_us)
    return FALSE;

  if (ring->len < ring->capacity)
    {
      slot = (ring->head + ring->len) % ring->capacity;
      ring->len++;
    }
  else
    {
      slot = ring->head;
      ring->head = (ring->head + 1) % ring->capacity;
    }
  ring->samples[slot] = *sample;
  ring->serial++;
  return TRUE;
}

void
ridge_sample_ring_push_event (RidgeSampleRing    *ring,
                              gint64              time_us,
                              RidgeChartEventKind kind,
                              const char         *label)
{
  RidgeChartEvent *ev;
  guint slot;

  g_return_if_fail (ring != NULL);

  if (ring->event_len < ring->event_capacity)
    {
      slot = (ring->event_head + ring->event_len) % ring->event_capacity;
      ring->event_len++;
    }
  else
    {
      slot = ring->event_head;
      ring->event_head = (ring->event_head + 1) % ring->event_capacity;
    }
  ev = &ring->events[slot];
  ev->time_us = time_us;
  ev->kind = kind;
  g_strlcpy (ev->label, label != NULL ? label : "", sizeof ev->label);
  ring->serial++;
}

guint
ridge_sample_ring_len (RidgeSampleRing *ring)
{
  g_return_val_if_fail (ring != NULL, 0);
  return ring->len;
}

const RidgeChartSample *
ridge_sample_ring_get (RidgeSampleRing *ring,
                       guint            index)
{
  g_return_val_if_fail (ring != NULL, NULL);
  g_return_val_if_fail (index < ring->len, NULL);
  return &ring->samples[(ring->head + index) % ring->capacity];
}

guint
ridge_sample_ring_n_events (RidgeSampleRing *ring)
{
  g_return_val_if_fail (ring != NULL, 0);
  return ring->event_len;
}

const RidgeChartEvent *
ridge_sample_ring_get_event (RidgeSampleRing *ring,
                             guint            index)
{
  g_return_val_if_fail (ring != NULL, NULL);
  g_return_val_if_fail (index < ring->event_len, NULL);
  return &ring->events[(ring->event_head + index) % ring->event_capacity];
}

guint
ridge_sample_ring_lower_bound (RidgeSampleRing *ring,
                               gint64           t)
{
  guint lo = 0;
  guint hi;

  g_return_val_if_fail (ring != NULL, 0);

  hi = ring->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (ridge_sample_ring_get (ring, mid)->time_us < t)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

guint64
ridge_sample_ring_serial (RidgeSampleRing *ring)
{
  g_return_val_if_fail (ring != NULL, 0);
  return ring->serial;
}
