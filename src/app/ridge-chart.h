/* ridge-chart.h — link-health chart: RTT median with min–max band, loss, gaps, events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reads a RidgeSampleRing directly (no GObject per sample) and redraws when the ring's
 * serial changes. The time axis ends at the newest sample (or at a fixed end time) and
 * spans a configurable window; the value axis starts at 0 ms and ends at a "nice" round
 * value above the largest RTT maximum in view.
 */
#pragma once

#include <gtk/gtk.h>

#include "ridge-sample-ring.h"

G_BEGIN_DECLS

#define RIDGE_TYPE_CHART (ridge_chart_get_type ())
G_DECLARE_FINAL_TYPE (RidgeChart, ridge_chart, RIDGE, CHART, GtkWidget)

GtkWidget       *ridge_chart_new (void);
void             ridge_chart_set_ring (RidgeChart      *self,
                                       RidgeSampleRing *ring);
RidgeSampleRing *ridge_chart_get_ring (RidgeChart *self);
/* Width of the time window, in seconds (10 … 86400). */
void             ridge_chart_set_span (RidgeChart *self,
                                       guint       seconds);
guint            ridge_chart_get_span (RidgeChart *self);
/* 0 follows the newest sample. */
void             ridge_chart_set_end_time (RidgeChart *self,
                                           gint64      time_us);

/* Geometry, in widget coordinates, for the current size and data. */
void             ridge_chart_get_plot_area (RidgeChart      *self,
                                            graphene_rect_t *area);
double           ridge_chart_get_value_max (RidgeChart *self);
double           ridge_chart_time_to_x (RidgeChart *self,
                                        gint64      time_us);
double           ridge_chart_value_to_y (RidgeChart *self,
                                         double      value_ms);
/* Index (into the ring) of the sample nearest to x within the plot, or -1. */
int              ridge_chart_sample_at_x (RidgeChart *self,
                                          double      x);
/* The tooltip text for a sample index (what hovering shows). */
char            *ridge_chart_describe_sample (RidgeChart *self,
                                              guint       index);

/* Series charts. Without series the chart is the RTT chart (median line, min–max band);
 * with them it draws each series of the ring's samples as a line over a light fill, with a
 * title and a legend above, in the unit given. The time axis, gaps, event markers and the
 * hover work the same, so charts over the same ring line up. */
typedef enum {
  RIDGE_CHART_UNIT_BYTES_PER_SECOND,
  RIDGE_CHART_UNIT_PER_SECOND,
} RidgeChartUnit;

void             ridge_chart_set_series (RidgeChart             *self,
                                         const char             *title,
                                         RidgeChartUnit          unit,
                                         const RidgeChartSeries *series,
                                         guint                   n_series);
guint            ridge_chart_get_n_series (RidgeChart *self);
/* The sample under the pointer or chosen with the keyboard (←/→, Home/End, Escape), or -1;
 * setting it does not emit ::hover-changed (for keeping charts in step). */
int              ridge_chart_get_hover_index (RidgeChart *self);
void             ridge_chart_set_hover_index (RidgeChart *self,
                                              int         index);
/* The values of one sample without the time, as the tooltip shows them after it. */
char            *ridge_chart_describe_values (RidgeChart *self,
                                              guint       index);
/* "12.5 kB/s", "3 /s", in the chart's units. Exposed for tests. */
char            *ridge_chart_format_value (RidgeChartUnit unit,
                                           double         value);
/* An axis label: for byte rates every label of an axis with top top in one unit and
 * precision; otherwise as ridge_chart_format_value(). */
char            *ridge_chart_format_axis_value (RidgeChartUnit unit,
                                                double         value,
                                                double         top);
const char      *ridge_chart_series_name (RidgeChartSeries series);

/* "Nice" axis maximum ≥ value: 1, 2, 2.5 or 5 × 10^k. Exposed for tests. */
double           ridge_chart_nice_ceiling (double value);

G_END_DECLS
