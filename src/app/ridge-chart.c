/* ridge-chart.c — link-health chart: RTT median with min–max band, loss, gaps, events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Structure after Sysprof's charts, reduced to one widget: a time axis and a value axis
 * each map their domain to [0, 1] of the plot area; layers are drawn in order (grid,
 * gaps, band, median line, events, hover) with cairo for paths and render nodes for
 * boxes and text.
 */
#define G_LOG_DOMAIN "ridge-chart"

#include "config.h"

#include "ridge-chart.h"

#include <glib/gi18n.h>
#include <math.h>

#define MARGIN_LEFT   76.0
#define MARGIN_RIGHT  20.0
#define MARGIN_TOP    36.0
#define MARGIN_BOTTOM 24.0
#define MIN_SPAN_S    10
#define MAX_SPAN_S    86400
/* Samples further apart than this are not joined: the link said nothing in between
 * (samples come once a second). */
#define MAX_STEP_US   (5 * G_USEC_PER_SEC / 2)
/* hover snaps to a sample at most this far away, in pixels */
#define HOVER_RADIUS  24.0

struct _RidgeChart {
  GtkWidget parent_instance;

  RidgeSampleRing *ring;
  guint64          drawn_serial;
  guint            poll_id;
  guint            span_s;
  gint64           fixed_end_us;

  int hover_index;

  /* series charts (n_series > 0) */
  char            *title;
  RidgeChartUnit   unit;
  RidgeChartSeries series[RIDGE_CHART_N_SERIES];
  guint            n_series;
};

G_DEFINE_FINAL_TYPE (RidgeChart, ridge_chart, GTK_TYPE_WIDGET);

enum {
  SIGNAL_HOVER_CHANGED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

/* Colours from the GNOME palette (libadwaita's @blue_3 …), looked up by name first. */
static const struct {
  const char *name;
  GdkRGBA     fallback;
} series_colours[RIDGE_CHART_N_SERIES] = {
  [RIDGE_CHART_SERIES_BYTES_IN] = { "blue_3", { 0.208, 0.518, 0.894, 1 } },
  [RIDGE_CHART_SERIES_BYTES_OUT] = { "green_4", { 0.180, 0.761, 0.494, 1 } },
  [RIDGE_CHART_SERIES_FRAMES] = { "purple_3", { 0.569, 0.255, 0.675, 1 } },
  [RIDGE_CHART_SERIES_DROPS] = { "orange_3", { 1.0, 0.471, 0.0, 1 } },
  [RIDGE_CHART_SERIES_RETRANS] = { "orange_4", { 0.902, 0.380, 0.0, 1 } },
  [RIDGE_CHART_SERIES_USB_ERRORS] = { "red_3", { 0.878, 0.106, 0.141, 1 } },
  [RIDGE_CHART_SERIES_USB_TIMEOUTS] = { "orange_3", { 1.0, 0.471, 0.0, 1 } },
  [RIDGE_CHART_SERIES_USB_STALLS] = { "purple_3", { 0.569, 0.255, 0.675, 1 } },
  [RIDGE_CHART_SERIES_USB_RESETS] = { "blue_3", { 0.208, 0.518, 0.894, 1 } },
};

static void
series_colour (RidgeChart      *self,
               RidgeChartSeries series,
               GdkRGBA         *out)
{
  GtkStyleContext *ctx = gtk_widget_get_style_context (GTK_WIDGET (self));

  if (!gtk_style_context_lookup_color (ctx, series_colours[series].name, out))
    *out = series_colours[series].fallback;
}

const char *
ridge_chart_series_name (RidgeChartSeries series)
{
  switch (series)
    {
      case RIDGE_CHART_SERIES_BYTES_IN: return C_ ("chart series", "received");
      case RIDGE_CHART_SERIES_BYTES_OUT: return C_ ("chart series", "sent");
      case RIDGE_CHART_SERIES_FRAMES: return C_ ("chart series", "frames");
      case RIDGE_CHART_SERIES_DROPS: return C_ ("chart series", "dropped");
      case RIDGE_CHART_SERIES_RETRANS: return C_ ("chart series", "retransmits");
      case RIDGE_CHART_SERIES_USB_ERRORS: return C_ ("chart series", "errors");
      case RIDGE_CHART_SERIES_USB_TIMEOUTS: return C_ ("chart series", "timeouts");
      case RIDGE_CHART_SERIES_USB_STALLS: return C_ ("chart series", "stalls");
      case RIDGE_CHART_SERIES_USB_RESETS: return C_ ("chart series", "resets");
      case RIDGE_CHART_N_SERIES:
      default: return "?";
    }
}

char *
ridge_chart_format_value (RidgeChartUnit unit,
                          double         value)
{
  if (unit == RIDGE_CHART_UNIT_BYTES_PER_SECOND)
    {
      g_autofree char *size = NULL;

      if (value < 1000)
        /* Translators: a data rate in bytes per second */
        return g_strdup_printf (_ ("%.0f B/s"), value);
      size = g_format_size ((guint64)llround (value));
      /* Translators: a data rate, e.g. "12.5 kB" per second */
      return g_strdup_printf (_ ("%s/s"), size);
    }
  if (value == floor (value))
    /* Translators: a count per second */
    return g_strdup_printf (_ ("%.0f/s"), value);
  return g_strdup_printf (_ ("%.2f/s"), value);
}

/* ---- axes ---------------------------------------------------------------------------- */

/* An axis label of a byte rate: all labels of one axis in the unit of its top, with the
 * decimals its step needs (2.0, 1.5, 1.0, 0.5 MB/s rather than 2.0 MB/s … 500.0 kB/s). */
char *
ridge_chart_format_axis_value (RidgeChartUnit unit,
                               double         value,
                               double         top)
{
  double scale;
  double step = top / 4.0;
  int decimals;

  if (unit != RIDGE_CHART_UNIT_BYTES_PER_SECOND || !(top > 0))
    return ridge_chart_format_value (unit, value);
  scale = top < 1e3 ? 1.0 : top < 1e6 ? 1e3 : top < 1e9 ? 1e6 : 1e9;
  step /= scale;
  decimals = fabs (step - round (step)) < 1e-9 ? 0
             : fabs (step * 10 - round (step * 10)) < 1e-9 ? 1 : 2;
  value /= scale;
  if (scale == 1.0)
    /* Translators: an axis label, a data rate in bytes per second; %.*f is the number */
    return g_strdup_printf (_ ("%.*f B/s"), decimals, value);
  if (scale == 1e3)
    /* Translators: an axis label, a data rate in kilobytes (1000 bytes) per second */
    return g_strdup_printf (_ ("%.*f kB/s"), decimals, value);
  if (scale == 1e6)
    /* Translators: an axis label, a data rate in megabytes (10⁶ bytes) per second */
    return g_strdup_printf (_ ("%.*f MB/s"), decimals, value);
  /* Translators: an axis label, a data rate in gigabytes (10⁹ bytes) per second */
  return g_strdup_printf (_ ("%.*f GB/s"), decimals, value);
}

/* The smallest of 1, 2, 5 × 10ⁿ that is at least value (at least 1). */
static double
nice_step (double value)
{
  static const double steps[] = { 1.0, 2.0, 5.0, 10.0 };
  double mag;

  if (!(value > 1) || !isfinite (value))
    return 1.0;
  mag = pow (10.0, floor (log10 (value)));
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (steps[i] * mag >= value * (1.0 - 1e-9))
      return steps[i] * mag;
  return 10.0 * mag;
}

double
ridge_chart_nice_ceiling (double value)
{
  static const double steps[] = { 1.0, 2.0, 2.5, 5.0, 10.0 };
  double mag;

  if (!(value > 0) || !isfinite (value))
    return 1.0;
  mag = pow (10.0, floor (log10 (value)));
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (steps[i] * mag >= value * (1.0 - 1e-9))
      return steps[i] * mag;
  return 10.0 * mag;
}

static gint64
end_time (RidgeChart *self)
{
  guint n;

  if (self->fixed_end_us != 0)
    return self->fixed_end_us;
  if (self->ring == NULL || (n = ridge_sample_ring_len (self->ring)) == 0)
    return 0;
  return ridge_sample_ring_get (self->ring, n - 1)->time_us;
}

static gint64
start_time (RidgeChart *self)
{
  return end_time (self) - (gint64)self->span_s * G_USEC_PER_SEC;
}

void
ridge_chart_get_plot_area (RidgeChart      *self,
                           graphene_rect_t *area)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));

  g_return_if_fail (RIDGE_IS_CHART (self));
  graphene_rect_init (area, MARGIN_LEFT, MARGIN_TOP,
                      MAX (1.0, w - MARGIN_LEFT - MARGIN_RIGHT),
                      MAX (1.0, h - MARGIN_TOP - MARGIN_BOTTOM));
}

double
ridge_chart_get_value_max (RidgeChart *self)
{
  double max = 0;
  guint n;
  guint first;

  g_return_val_if_fail (RIDGE_IS_CHART (self), 1.0);

  if (self->ring == NULL)
    return 1.0;
  n = ridge_sample_ring_len (self->ring);
  first = ridge_sample_ring_lower_bound (self->ring, start_time (self));
  for (guint i = first; i < n; i++)
    {
      const RidgeChartSample *s = ridge_sample_ring_get (self->ring, i);

      for (guint k = 0; k < self->n_series; k++)
        if (isfinite (s->series[self->series[k]]))
          max = MAX (max, s->series[self->series[k]]);
      if (self->n_series == 0 && !s->gap && isfinite (s->rtt_max_ms))
        max = MAX (max, s->rtt_max_ms);
    }
  /* a little headroom so the top of the band does not touch the frame */
  if (self->n_series > 0 && self->unit == RIDGE_CHART_UNIT_BYTES_PER_SECOND)
    /* byte rates: four grid steps of 1, 2 or 5 × 10ⁿ bytes, so the labels go in even
     * steps (2.5 MB/s gave 2.5, 1.9, 1.2 MB/s, 625.0 kB/s) and a quiet link's quarters are
     * whole bytes (a top of 1 read "1 B/s, 1 B/s, 0 B/s") */
    return 4.0 * nice_step (max * 1.1 / 4.0);
  if (self->n_series > 0 && self->unit == RIDGE_CHART_UNIT_PER_SECOND)
    /* counts: a multiple of four, so that the four grid lines fall on whole numbers */
    return 4.0 * ceil (ridge_chart_nice_ceiling (MAX (max * 1.1, 1.0)) / 4.0);
  return ridge_chart_nice_ceiling (MAX (max * 1.1, 1.0));
}

double
ridge_chart_time_to_x (RidgeChart *self,
                       gint64      time_us)
{
  graphene_rect_t area;
  double frac;

  g_return_val_if_fail (RIDGE_IS_CHART (self), 0);
  ridge_chart_get_plot_area (self, &area);
  frac = (double)(time_us - start_time (self)) / ((double)self->span_s * G_USEC_PER_SEC);
  return area.origin.x + frac * area.size.width;
}

static double
value_to_y_with_max (RidgeChart *self,
                     double      value,
                     double      max)
{
  graphene_rect_t area;
  double frac;

  ridge_chart_get_plot_area (self, &area);
  frac = CLAMP (value / max, 0.0, 1.0);
  return area.origin.y + (1.0 - frac) * area.size.height;
}

double
ridge_chart_value_to_y (RidgeChart *self,
                        double      value_ms)
{
  g_return_val_if_fail (RIDGE_IS_CHART (self), 0);
  return value_to_y_with_max (self, value_ms, ridge_chart_get_value_max (self));
}

int
ridge_chart_sample_at_x (RidgeChart *self,
                         double      x)
{
  graphene_rect_t area;
  double best = HOVER_RADIUS;
  int best_index = -1;
  guint n, first;

  g_return_val_if_fail (RIDGE_IS_CHART (self), -1);

  if (self->ring == NULL)
    return -1;
  ridge_chart_get_plot_area (self, &area);
  if (x < area.origin.x - HOVER_RADIUS || x > area.origin.x + area.size.width + HOVER_RADIUS)
    return -1;

  /* binary search for the time under x, then look at the neighbours */
  n = ridge_sample_ring_len (self->ring);
  {
    double frac = (x - area.origin.x) / area.size.width;
    gint64 t = start_time (self) + (gint64)(frac * self->span_s * G_USEC_PER_SEC);

    first = ridge_sample_ring_lower_bound (self->ring, t);
  }
  for (guint i = first > 0 ? first - 1 : 0; i < MIN (n, first + 1); i++)
    {
      const RidgeChartSample *s = ridge_sample_ring_get (self->ring, i);
      double d = fabs (ridge_chart_time_to_x (self, s->time_us) - x);

      if (s->time_us < start_time (self))
        continue;
      if (d <= best)
        {
          best = d;
          best_index = (int)i;
        }
    }
  return best_index;
}

char *
ridge_chart_describe_values (RidgeChart *self,
                             guint       index)
{
  const RidgeChartSample *s;
  GString *text;

  g_return_val_if_fail (RIDGE_IS_CHART (self), NULL);
  g_return_val_if_fail (self->ring != NULL, NULL);
  g_return_val_if_fail (index < ridge_sample_ring_len (self->ring), NULL);

  s = ridge_sample_ring_get (self->ring, index);
  if (self->n_series == 0)
    {
      if (s->gap)
        return g_strdup (_ ("no answer: heartbeats timed out"));
      /* Translators: median, minimum, maximum round-trip time in ms; loss in percent */
      return g_strdup_printf (_ ("round trip %.2f ms (min %.2f, max %.2f), loss %.1f %%"),
                              s->rtt_median_ms, s->rtt_min_ms, s->rtt_max_ms,
                              s->loss * 100.0);
    }
  text = g_string_new (NULL);
  for (guint k = 0; k < self->n_series; k++)
    {
      g_autofree char *v = ridge_chart_format_value (self->unit, s->series[self->series[k]]);

      if (k > 0)
        g_string_append (text, ", ");
      /* Translators: a series name, then its value, e.g. "received 12.5 kB/s" */
      g_string_append_printf (text, _ ("%s %s"), ridge_chart_series_name (self->series[k]), v);
    }
  return g_string_free (text, FALSE);
}

char *
ridge_chart_describe_sample (RidgeChart *self,
                             guint       index)
{
  const RidgeChartSample *s;
  g_autoptr (GDateTime) dt = NULL;
  g_autofree char *when = NULL;
  g_autofree char *values = NULL;

  g_return_val_if_fail (RIDGE_IS_CHART (self), NULL);
  g_return_val_if_fail (self->ring != NULL, NULL);
  g_return_val_if_fail (index < ridge_sample_ring_len (self->ring), NULL);

  s = ridge_sample_ring_get (self->ring, index);
  dt = g_date_time_new_from_unix_local (s->time_us / G_USEC_PER_SEC);
  when = dt != NULL ? g_date_time_format (dt, "%H:%M:%S") : g_strdup ("?");
  values = ridge_chart_describe_values (self, index);
  /* Translators: a time, then the values measured in the second that ended then */
  return g_strdup_printf (_ ("%s — %s"), when, values);
}

/* ---- drawing ------------------------------------------------------------------------- */

static void
loss_colour (double   loss,
             GdkRGBA *accent,
             GdkRGBA *out)
{
  if (loss <= 0.0)
    *out = *accent;
  else if (loss < 0.05)
    *out = (GdkRGBA) { 0.90, 0.65, 0.04, 1.0 }
  ;                                               /* yellow-amber */
  else if (loss < 0.20)
    *out = (GdkRGBA) { 0.90, 0.38, 0.0, 1.0 }
  ;                                               /* orange */
  else
    *out = (GdkRGBA) { 0.88, 0.11, 0.14, 1.0 }
  ;                                               /* red */
}

static void
append_text (RidgeChart  *self,
             GtkSnapshot *snapshot,
             const char  *text,
             double       x,
             double       y,
             double       xalign,
             GdkRGBA     *colour)
{
  g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  int tw, th;

  pango_layout_get_pixel_size (layout, &tw, &th);
  /* never let a label run off the widget's edges */
  x =
    CLAMP (x - xalign * tw, 0,
           MAX (0, gtk_widget_get_width (GTK_WIDGET (self)) - tw)) + xalign * tw;
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (round (x - xalign * tw),
                                                          round (y - th / 2.0)));
  gtk_snapshot_append_layout (snapshot, layout, colour);
  gtk_snapshot_restore (snapshot);
}

static guint
time_tick_step (guint span_s)
{
  static const guint steps[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600,
                                 7200, 10800, 21600 };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (span_s / steps[i] <= 6)
      return steps[i];
  return 21600;
}

/* Each series as a line over a light fill, broken where samples are further apart than
 * MAX_STEP_US (a silence). */
static void
draw_series (RidgeChart *self,
             cairo_t    *cr,
             guint       first,
             guint       n,
             double      vmax)
{
  double base = value_to_y_with_max (self, 0, vmax);

  cairo_set_line_width (cr, 1.5);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint k = 0; k < self->n_series; k++)
    {
      RidgeChartSeries series = self->series[k];
      GdkRGBA c;

      series_colour (self, series, &c);
      for (guint i = first; i < n;)
        {
          guint j = i + 1;
          double x0 = ridge_chart_time_to_x (self, ridge_sample_ring_get (self->ring, i)->time_us);
          double xl;

          while (j < n && ridge_sample_ring_get (self->ring, j)->time_us
                 - ridge_sample_ring_get (self->ring, j - 1)->time_us <= MAX_STEP_US)
            j++;
          /* the run i … j-1 */
          for (guint m = i; m < j; m++)
            {
              const RidgeChartSample *s = ridge_sample_ring_get (self->ring, m);

              cairo_line_to (cr, ridge_chart_time_to_x (self, s->time_us),
                             value_to_y_with_max (self, s->series[series], vmax));
            }
          if (j - i == 1)
            {
              /* a lone sample: a short tick so it is seen */
              const RidgeChartSample *s = ridge_sample_ring_get (self->ring, i);

              cairo_new_path (cr);
              cairo_move_to (cr, x0 - 1.5, value_to_y_with_max (self, s->series[series], vmax));
              cairo_line_to (cr, x0 + 1.5, value_to_y_with_max (self, s->series[series], vmax));
              gdk_cairo_set_source_rgba (cr, &c);
              cairo_stroke (cr);
              i = j;
              continue;
            }
          {
            cairo_path_t *line = cairo_copy_path (cr);

            xl = ridge_chart_time_to_x (self, ridge_sample_ring_get (self->ring, j - 1)->time_us);
            cairo_line_to (cr, xl, base);
            cairo_line_to (cr, x0, base);
            cairo_close_path (cr);
            cairo_set_source_rgba (cr, c.red, c.green, c.blue, 0.12);
            cairo_fill (cr);
            cairo_append_path (cr, line);
            cairo_path_destroy (line);
            gdk_cairo_set_source_rgba (cr, &c);
            cairo_stroke (cr);
          }
          i = j;
        }
    }
}

/* The title and a swatch with each series' name, above the plot. */
static void
draw_legend (RidgeChart            *self,
             GtkSnapshot           *snapshot,
             const graphene_rect_t *area,
             const GdkRGBA         *fg)
{
  double x = area->origin.x;
  double y = area->origin.y - 12;

  if (self->title != NULL)
    {
      g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self),
                                                                       self->title);
      PangoAttrList *attrs = pango_attr_list_new ();
      int tw, th;

      pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
      pango_layout_set_attributes (layout, attrs);
      pango_attr_list_unref (attrs);
      pango_layout_get_pixel_size (layout, &tw, &th);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, round (y - th / 2.0)));
      gtk_snapshot_append_layout (snapshot, layout, fg);
      gtk_snapshot_restore (snapshot);
      x += tw + 18;
    }
  for (guint k = 0; k < self->n_series; k++)
    {
      g_autoptr (PangoLayout) layout =
        gtk_widget_create_pango_layout (GTK_WIDGET (self),
                                        ridge_chart_series_name (self->series[k]));
      GdkRGBA c, dim = *fg;
      int tw, th;

      dim.alpha = 0.8;
      series_colour (self, self->series[k], &c);
      pango_layout_get_pixel_size (layout, &tw, &th);
      gtk_snapshot_append_color (snapshot, &c, &GRAPHENE_RECT_INIT (x, round (y - 1.5), 12, 3));
      x += 16;
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, round (y - th / 2.0)));
      gtk_snapshot_append_layout (snapshot, layout, &dim);
      gtk_snapshot_restore (snapshot);
      x += tw + 14;
    }
}

static void
ridge_chart_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  RidgeChart *self = RIDGE_CHART (widget);
  GtkStyleContext *ctx = gtk_widget_get_style_context (widget);
  graphene_rect_t area;
  GdkRGBA fg, accent, grid, gap_colour, event_colour;
  double vmax;
  gint64 t0, t1;
  guint n = 0, first = 0;
  cairo_t *cr;

  gtk_style_context_get_color (ctx, &fg);
  if (!gtk_style_context_lookup_color (ctx, "accent_color", &accent))
    accent = (GdkRGBA) { 0.21, 0.52, 0.89, 1.0 }
  ;
  grid = fg;
  grid.alpha = 0.12;
  gap_colour = (GdkRGBA) { 0.88, 0.11, 0.14, 0.16 };
  event_colour = fg;
  event_colour.alpha = 0.6;

  ridge_chart_get_plot_area (self, &area);
  vmax = ridge_chart_get_value_max (self);
  t1 = end_time (self);
  t0 = start_time (self);
  if (self->ring != NULL)
    {
      n = ridge_sample_ring_len (self->ring);
      first = ridge_sample_ring_lower_bound (self->ring, t0);
    }

  /* grid and value labels */
  for (int i = 0; i <= 4; i++)
    {
      double v = vmax * i / 4.0;
      double y = round (value_to_y_with_max (self, v, vmax));
      g_autofree char *label = NULL;
      GdkRGBA dim = fg;

      dim.alpha = 0.7;
      gtk_snapshot_append_color (snapshot, &grid,
                                 &GRAPHENE_RECT_INIT (area.origin.x, y, area.size.width, 1));
      if (self->n_series > 0)
        label = ridge_chart_format_axis_value (self->unit, v, vmax);
      else
        /* Translators: an axis label in milliseconds */
        label = g_strdup_printf (_ ("%g ms"), v);
      append_text (self, snapshot, label, area.origin.x - 6, y, 1.0, &dim);
    }

  if (t1 != 0)
    {
      guint step = time_tick_step (self->span_s);
      gint64 step_us = (gint64)step * G_USEC_PER_SEC;
      gint64 tick = (t0 / step_us + 1) * step_us;
      GdkRGBA dim = fg;

      dim.alpha = 0.7;
      for (; tick <= t1; tick += step_us)
        {
          double x = round (ridge_chart_time_to_x (self, tick));
          g_autoptr (GDateTime) dt = g_date_time_new_from_unix_local (tick / G_USEC_PER_SEC);
          g_autofree char *label = NULL;

          gtk_snapshot_append_color (snapshot, &grid,
                                     &GRAPHENE_RECT_INIT (x, area.origin.y, 1,
                                                          area.size.height));
          if (dt == NULL)
            continue;
          label = g_date_time_format (dt, step < 60 ? "%H:%M:%S" : "%H:%M");
          append_text (self, snapshot, label, x, area.origin.y + area.size.height + 12, 0.5,
                       &dim);
        }
    }

  if (n == 0 || first >= n)
    {
      GdkRGBA dim = fg;

      dim.alpha = 0.55;
      append_text (self, snapshot, _ ("No health samples yet"),
                   area.origin.x + area.size.width / 2, area.origin.y + area.size.height / 2,
                   0.5, &dim);
      if (self->n_series > 0 || self->title != NULL)
        draw_legend (self, snapshot, &area, &fg);
      return;
    }

  gtk_snapshot_push_clip (snapshot, &area);

  /* gaps: the interval that ended with a timed-out sample, or a silence */
  for (guint i = first; i < n; i++)
    {
      const RidgeChartSample *s = ridge_sample_ring_get (self->ring, i);
      double x0, x1;

      if (!s->gap && !(i > 0 && s->time_us - ridge_sample_ring_get (self->ring, i - 1)->time_us
                       > MAX_STEP_US))
        continue;
      x1 = ridge_chart_time_to_x (self, s->time_us);
      x0 = i > 0 ? ridge_chart_time_to_x (self, ridge_sample_ring_get (self->ring, i - 1)->time_us)
                 : x1 - 4;
      gtk_snapshot_append_color (snapshot, &gap_colour,
                                 &GRAPHENE_RECT_INIT (x0, area.origin.y, MAX (1, x1 - x0),
                                                      area.size.height));
    }

  cr = gtk_snapshot_append_cairo (snapshot, &area);

  if (self->n_series > 0)
    draw_series (self, cr, first, n, vmax);

  /* min–max band, one polygon per run of consecutive answered samples */
  cairo_set_source_rgba (cr, accent.red, accent.green, accent.blue, 0.22);
  for (guint i = first; i < n && self->n_series == 0;)
    {
      guint j = i;

      while (j < n && !ridge_sample_ring_get (self->ring, j)->gap
             && (j == i || ridge_sample_ring_get (self->ring, j)->time_us
                 - ridge_sample_ring_get (self->ring, j - 1)->time_us <= MAX_STEP_US))
        j++;
      if (j > i)
        {
          for (guint k = i; k < j; k++)
            {
              const RidgeChartSample *s = ridge_sample_ring_get (self->ring, k);

              cairo_line_to (cr, ridge_chart_time_to_x (self, s->time_us),
                             value_to_y_with_max (self, s->rtt_max_ms, vmax));
            }
          for (guint k = j; k-- > i;)
            {
              const RidgeChartSample *s = ridge_sample_ring_get (self->ring, k);

              cairo_line_to (cr, ridge_chart_time_to_x (self, s->time_us),
                             value_to_y_with_max (self, s->rtt_min_ms, vmax));
            }
          cairo_close_path (cr);
          cairo_fill (cr);
        }
      /* a gap sample is skipped; a silence starts the next run at j */
      i = (j < n && ridge_sample_ring_get (self->ring, j)->gap) ? j + 1 : MAX (j, i + 1);
    }

  /* median line, each segment coloured by the loss of the interval it ends in */
  cairo_set_line_width (cr, 2.0);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = first; i < n && self->n_series == 0; i++)
    {
      const RidgeChartSample *s = ridge_sample_ring_get (self->ring, i);
      const RidgeChartSample *prev = i > first ? ridge_sample_ring_get (self->ring, i - 1) : NULL;
      double x = ridge_chart_time_to_x (self, s->time_us);
      double y = value_to_y_with_max (self, s->rtt_median_ms, vmax);
      GdkRGBA c;

      if (s->gap)
        continue;
      loss_colour (s->loss, &accent, &c);
      gdk_cairo_set_source_rgba (cr, &c);
      if (prev != NULL && !prev->gap && s->time_us - prev->time_us <= MAX_STEP_US)
        {
          cairo_move_to (cr, ridge_chart_time_to_x (self, prev->time_us),
                         value_to_y_with_max (self, prev->rtt_median_ms, vmax));
          cairo_line_to (cr, x, y);
          cairo_stroke (cr);
        }
      else
        {
          /* an isolated sample still shows as a dot */
          cairo_arc (cr, x, y, 2.0, 0, 2 * G_PI);
          cairo_fill (cr);
        }
    }

  /* event markers */
  cairo_set_line_width (cr, 1.0);
  {
    const double dash[] = { 3.0, 3.0 };

    cairo_set_dash (cr, dash, 2, 0);
  }
  for (guint i = 0; i < ridge_sample_ring_n_events (self->ring); i++)
    {
      const RidgeChartEvent *ev = ridge_sample_ring_get_event (self->ring, i);
      double x;

      if (ev->time_us < t0 || ev->time_us > t1)
        continue;
      x = round (ridge_chart_time_to_x (self, ev->time_us)) + 0.5;
      if (ev->kind == RIDGE_CHART_EVENT_RECONNECT)
        gdk_cairo_set_source_rgba (cr, &accent);
      else
        gdk_cairo_set_source_rgba (cr, &event_colour);
      cairo_move_to (cr, x, area.origin.y);
      cairo_line_to (cr, x, area.origin.y + area.size.height);
      cairo_stroke (cr);
    }
  cairo_set_dash (cr, NULL, 0, 0);

  /* hover */
  if (self->hover_index >= 0 && (guint)self->hover_index < n)
    {
      const RidgeChartSample *s = ridge_sample_ring_get (self->ring, self->hover_index);
      double x = round (ridge_chart_time_to_x (self, s->time_us)) + 0.5;

      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.5);
      cairo_move_to (cr, x, area.origin.y);
      cairo_line_to (cr, x, area.origin.y + area.size.height);
      cairo_stroke (cr);
      if (!s->gap && self->n_series == 0)
        {
          gdk_cairo_set_source_rgba (cr, &accent);
          cairo_arc (cr, x, value_to_y_with_max (self, s->rtt_median_ms, vmax), 4, 0,
                     2 * G_PI);
          cairo_fill (cr);
        }
      for (guint k = 0; k < self->n_series; k++)
        {
          GdkRGBA c;

          series_colour (self, self->series[k], &c);
          gdk_cairo_set_source_rgba (cr, &c);
          cairo_arc (cr, x, value_to_y_with_max (self, s->series[self->series[k]], vmax), 3.5,
                     0, 2 * G_PI);
          cairo_fill (cr);
        }
    }
  cairo_destroy (cr);
  gtk_snapshot_pop (snapshot);

  if (self->n_series > 0)
    {
      draw_legend (self, snapshot, &area, &fg);
      return;
    }

  /* the RTT chart's title (without series the legend is the title alone) */
  if (self->title != NULL)
    draw_legend (self, snapshot, &area, &fg);

  /* event labels above the plot, in two rows so close events stay readable; the first row
   * starts after the title */
  {
    double row_end[2] = { -G_MAXDOUBLE, -G_MAXDOUBLE };

    if (self->title != NULL)
      {
        g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (widget, self->title);
        PangoAttrList *attrs = pango_attr_list_new ();
        int tw;

        pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
        pango_layout_set_attributes (layout, attrs);
        pango_attr_list_unref (attrs);
        pango_layout_get_pixel_size (layout, &tw, NULL);
        row_end[0] = area.origin.x + tw + 12;
      }

    for (guint i = 0; i < ridge_sample_ring_n_events (self->ring); i++)
      {
        const RidgeChartEvent *ev = ridge_sample_ring_get_event (self->ring, i);
        g_autoptr (PangoLayout) layout = NULL;
        double x;
        int tw, th, row;

        if (ev->time_us < t0 || ev->time_us > t1 || ev->label[0] == '\0')
          continue;
        layout = gtk_widget_create_pango_layout (widget, ev->label);
        pango_layout_get_pixel_size (layout, &tw, &th);
        x = ridge_chart_time_to_x (self, ev->time_us) + 3;
        /* keep the label inside the widget */
        x = MIN (x, gtk_widget_get_width (widget) - tw - 2);
        row = x >= row_end[0] ? 0 : x >= row_end[1] ? 1 : -1;
        if (row < 0)
          continue;
        row_end[row] = x + tw + 6;
        append_text (self, snapshot, ev->label, x, area.origin.y - 9 - row * (th + 1), 0.0,
                     ev->kind == RIDGE_CHART_EVENT_RECONNECT ? &accent : &event_colour);
      }
  }
}

static void
ridge_chart_measure (GtkWidget     *widget,
                     GtkOrientation orientation,
                     int            for_size,
                     int           *minimum,
                     int           *natural,
                     int           *minimum_baseline,
                     int           *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 200;
      *natural = 600;
    }
  else
    {
      *minimum = 120;
      *natural = 240;
    }
}

/* ---- input --------------------------------------------------------------------------- */

static void
set_hover (RidgeChart *self,
           int         index)
{
  if (self->hover_index == index)
    return;
  self->hover_index = index;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[SIGNAL_HOVER_CHANGED], 0);
}

/* ←/→ step through the samples in view, Home/End jump, Escape lets go. */
static gboolean
key_pressed_cb (RidgeChart            *self,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                GtkEventControllerKey *key)
{
  guint n, first;
  int index = self->hover_index;

  if (self->ring == NULL || (n = ridge_sample_ring_len (self->ring)) == 0)
    return FALSE;
  first = ridge_sample_ring_lower_bound (self->ring, start_time (self));
  if (first >= n)
    return FALSE;
  switch (keyval)
    {
      case GDK_KEY_Left:
      case GDK_KEY_KP_Left:
        index = index < 0 ? (int)n - 1 : MAX ((int)first, index - 1);
        break;
      case GDK_KEY_Right:
      case GDK_KEY_KP_Right:
        index = index < 0 ? (int)n - 1 : MIN ((int)n - 1, index + 1);
        break;
      case GDK_KEY_Home:
        index = (int)first;
        break;
      case GDK_KEY_End:
        index = (int)n - 1;
        break;
      case GDK_KEY_Escape:
        if (index < 0)
          return FALSE;
        index = -1;
        break;
      default:
        return FALSE;
    }
  set_hover (self, index);
  if (index >= 0)
    {
      g_autofree char *text = ridge_chart_describe_sample (self, index);

      gtk_widget_set_tooltip_text (GTK_WIDGET (self), NULL);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
    }
  return TRUE;
}

static void
motion_cb (RidgeChart               *self,
           double                    x,
           double                    y,
           GtkEventControllerMotion *motion)
{
  set_hover (self, ridge_chart_sample_at_x (self, x));
}

static void
leave_cb (RidgeChart               *self,
          GtkEventControllerMotion *motion)
{
  set_hover (self, -1);
}

static gboolean
query_tooltip_cb (RidgeChart *self,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip)
{
  int index = ridge_chart_sample_at_x (self, x);
  g_autofree char *text = NULL;

  if (index < 0)
    return FALSE;
  text = ridge_chart_describe_sample (self, index);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* The ring has no signals (it is a plain buffer fed at high rate); while the chart is
 * on screen it looks at the ring's serial four times a second. */
static gboolean
poll_cb (gpointer user_data)
{
  RidgeChart *self = RIDGE_CHART (user_data);
  GtkWidget *widget = GTK_WIDGET (self);

  if (self->ring != NULL && ridge_sample_ring_serial (self->ring) != self->drawn_serial)
    {
      self->drawn_serial = ridge_sample_ring_serial (self->ring);
      if (self->hover_index >= (int)ridge_sample_ring_len (self->ring))
        self->hover_index = -1;
      gtk_widget_queue_draw (widget);
    }
  return G_SOURCE_CONTINUE;
}

/* ---- GObject ------------------------------------------------------------------------- */

static void
ridge_chart_dispose (GObject *object)
{
  RidgeChart *self = RIDGE_CHART (object);

  g_clear_handle_id (&self->poll_id, g_source_remove);
  g_clear_pointer (&self->ring, ridge_sample_ring_unref);
  g_clear_pointer (&self->title, g_free);
  G_OBJECT_CLASS (ridge_chart_parent_class)->dispose (object);
}

static void
ridge_chart_map (GtkWidget *widget)
{
  RidgeChart *self = RIDGE_CHART (widget);

  GTK_WIDGET_CLASS (ridge_chart_parent_class)->map (widget);
  if (self->poll_id == 0)
    self->poll_id = g_timeout_add (250, poll_cb, self);
}

static void
ridge_chart_unmap (GtkWidget *widget)
{
  RidgeChart *self = RIDGE_CHART (widget);

  g_clear_handle_id (&self->poll_id, g_source_remove);
  GTK_WIDGET_CLASS (ridge_chart_parent_class)->unmap (widget);
}

static void
ridge_chart_class_init (RidgeChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ridge_chart_dispose;
  widget_class->snapshot = ridge_chart_snapshot;
  widget_class->measure = ridge_chart_measure;
  widget_class->map = ridge_chart_map;
  widget_class->unmap = ridge_chart_unmap;
  gtk_widget_class_set_css_name (widget_class, "ridge-chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);

  /**
   * RidgeChart::hover-changed: the pointer or the keyboard chose another sample (or none)
   */
  signals[SIGNAL_HOVER_CHANGED] =
    g_signal_new ("hover-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
ridge_chart_init (RidgeChart *self)
{
  GtkEventController *motion;

  self->span_s = 300;
  self->hover_index = -1;

  motion = gtk_event_controller_motion_new ();
  g_signal_connect_object (motion, "motion", G_CALLBACK (motion_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (motion, "leave", G_CALLBACK (leave_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  {
    GtkEventController *key = gtk_event_controller_key_new ();

    g_signal_connect_object (key, "key-pressed", G_CALLBACK (key_pressed_cb), self,
                             G_CONNECT_SWAPPED);
    gtk_widget_add_controller (GTK_WIDGET (self), key);
    gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  }

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (query_tooltip_cb), NULL);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _ ("Link health chart"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _ ("Round-trip time over time: median line, minimum to maximum "
                                     "band, shaded gaps where heartbeats timed out"),
                                  -1);
}

GtkWidget *
ridge_chart_new (void)
{
  return g_object_new (RIDGE_TYPE_CHART, NULL);
}

void
ridge_chart_set_ring (RidgeChart      *self,
                      RidgeSampleRing *ring)
{
  g_return_if_fail (RIDGE_IS_CHART (self));

  if (self->ring == ring)
    return;
  g_clear_pointer (&self->ring, ridge_sample_ring_unref);
  if (ring != NULL)
    self->ring = ridge_sample_ring_ref (ring);
  self->hover_index = -1;
  self->drawn_serial = ring != NULL ? ridge_sample_ring_serial (ring) : 0;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

RidgeSampleRing *
ridge_chart_get_ring (RidgeChart *self)
{
  g_return_val_if_fail (RIDGE_IS_CHART (self), NULL);
  return self->ring;
}

void
ridge_chart_set_span (RidgeChart *self,
                      guint       seconds)
{
  g_return_if_fail (RIDGE_IS_CHART (self));
  self->span_s = CLAMP (seconds, MIN_SPAN_S, MAX_SPAN_S);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
ridge_chart_get_span (RidgeChart *self)
{
  g_return_val_if_fail (RIDGE_IS_CHART (self), 0);
  return self->span_s;
}

void
ridge_chart_set_end_time (RidgeChart *self,
                          gint64      time_us)
{
  g_return_if_fail (RIDGE_IS_CHART (self));
  self->fixed_end_us = time_us;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ridge_chart_set_series (RidgeChart             *self,
                        const char             *title,
                        RidgeChartUnit          unit,
                        const RidgeChartSeries *series,
                        guint                   n_series)
{
  g_return_if_fail (RIDGE_IS_CHART (self));
  g_return_if_fail (n_series <= RIDGE_CHART_N_SERIES);
  g_return_if_fail (n_series == 0 || series != NULL);

  g_free (self->title);
  self->title = g_strdup (title);
  self->unit = unit;
  self->n_series = n_series;
  for (guint k = 0; k < n_series; k++)
    {
      g_return_if_fail (series[k] < RIDGE_CHART_N_SERIES);
      self->series[k] = series[k];
    }
  if (title != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                    _ ("Values over time; arrow keys step through the samples"),
                                    -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
ridge_chart_get_n_series (RidgeChart *self)
{
  g_return_val_if_fail (RIDGE_IS_CHART (self), 0);
  return self->n_series;
}

int
ridge_chart_get_hover_index (RidgeChart *self)
{
  g_return_val_if_fail (RIDGE_IS_CHART (self), -1);
  return self->hover_index;
}

void
ridge_chart_set_hover_index (RidgeChart *self,
                             int         index)
{
  g_return_if_fail (RIDGE_IS_CHART (self));

  if (self->ring == NULL || index >= (int)ridge_sample_ring_len (self->ring))
    index = -1;
  if (self->hover_index == MAX (index, -1))
    return;
  self->hover_index = MAX (index, -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
