/* ridge-sample-ring.h — a fixed-size ring of link-health samples and events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The charts read from this plain ring buffer (no GObject per sample). One sample covers
 * one aggregation interval (e.g. ten heartbeats): RTT minimum, median and maximum in
 * milliseconds, the share of heartbeats lost, and whether the link was down (a gap).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The other series of a sample, each a rate per second over the sample's interval. */
typedef enum {
  RIDGE_CHART_SERIES_BYTES_IN,      /* bytes/s from the terminal */
  RIDGE_CHART_SERIES_BYTES_OUT,     /* bytes/s to the terminal */
  RIDGE_CHART_SERIES_FRAMES,        /* live frames/s */
  RIDGE_CHART_SERIES_DROPS,         /* frames dropped/s */
  RIDGE_CHART_SERIES_RETRANS,       /* kernel TCP retransmits/s */
  RIDGE_CHART_SERIES_USB_ERRORS,    /* failed USB transfers/s */
  RIDGE_CHART_SERIES_USB_TIMEOUTS,
  RIDGE_CHART_SERIES_USB_STALLS,
  RIDGE_CHART_SERIES_USB_RESETS,
  RIDGE_CHART_N_SERIES
} RidgeChartSeries;

typedef struct {
  gint64   time_us;     /* end of the interval, g_get_real_time() clock */
  double   rtt_min_ms;
  double   rtt_median_ms;
  double   rtt_max_ms;
  double   loss;        /* 0..1 */
  gboolean gap;         /* heartbeats timed out: no RTT in this interval */
  double   series[RIDGE_CHART_N_SERIES];
} RidgeChartSample;

typedef enum {
  RIDGE_CHART_EVENT_STATE,      /* the link changed state (ready, degraded, lost …) */
  RIDGE_CHART_EVENT_RECONNECT,  /* a new connection was established */
} RidgeChartEventKind;

typedef struct {
  gint64              time_us;
  RidgeChartEventKind kind;
  char                label[48];
} RidgeChartEvent;

typedef struct _RidgeSampleRing RidgeSampleRing;

RidgeSampleRing         *ridge_sample_ring_new (guint capacity,
                                                guint event_capacity);
RidgeSampleRing         *ridge_sample_ring_ref (RidgeSampleRing *ring);
void                     ridge_sample_ring_unref (RidgeSampleRing *ring);
void                     ridge_sample_ring_clear (RidgeSampleRing *ring);
guint                    ridge_sample_ring_capacity (RidgeSampleRing *ring);
/* Samples must arrive in time order; an older sample is dropped (returns FALSE). */
gboolean                 ridge_sample_ring_push (RidgeSampleRing        *ring,
                                                 const RidgeChartSample *sample);
void                     ridge_sample_ring_push_event (RidgeSampleRing    *ring,
                                                       gint64              time_us,
                                                       RidgeChartEventKind kind,
                                                       const char         *label);
guint                    ridge_sample_ring_len (RidgeSampleRing *ring);
/* index 0 is the oldest sample kept. */
const RidgeChartSample *ridge_sample_ring_get (RidgeSampleRing *ring,
                                               guint            index);
guint                    ridge_sample_ring_n_events (RidgeSampleRing *ring);
const RidgeChartEvent  *ridge_sample_ring_get_event (RidgeSampleRing *ring,
                                                     guint            index);
/* Index of the first sample with time_us >= t (len if none). Binary search. */
guint                    ridge_sample_ring_lower_bound (RidgeSampleRing *ring,
                                                        gint64           t);
/* Bumped by every change, so a widget can tell whether to redraw. */
guint64                  ridge_sample_ring_serial (RidgeSampleRing *ring);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RidgeSampleRing, ridge_sample_ring_unref)

G_END_DECLS
