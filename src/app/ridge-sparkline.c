/* ridge-sparkline.c — a small RTT trend line for the fleet overview
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-sparkline"

#include "config.h"

#include "ridge-sparkline.h"

#include <glib/gi18n.h>
#include <math.h>

struct _RidgeSparkline {
  GtkWidget        parent_instance;
  RidgeSampleRing *ring;
  guint            n_samples;
};

G_DEFINE_FINAL_TYPE (RidgeSparkline, ridge_sparkline, GTK_TYPE_WIDGET);

static void
ridge_sparkline_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  RidgeSparkline *self = RIDGE_SPARKLINE (widget);
  double w = gtk_widget_get_width (widget);
  double h = gtk_widget_get_height (widget);
  GtkStyleContext *ctx = gtk_widget_get_style_context (widget);
  GdkRGBA accent, fg, red = { 0.88, 0.11, 0.14, 1.0 };
  guint n, first;
  double max = 0;
  gboolean pen_down = FALSE;
  cairo_t *cr;

  if (self->ring == NULL || (n = ridge_sample_ring_len (self->ring)) == 0 || w < 4 || h < 4)
    return;
  gtk_style_context_get_color (ctx, &fg);
  if (!gtk_style_context_lookup_color (ctx, "accent_color", &accent))
    accent = fg;
  first = n > self->n_samples ? n - self->n_samples : 0;
  for (guint i = first; i < n; i++)
    {
      const RidgeChartSample *s = ridge_sample_ring_get (self->ring, i);

      if (!s->gap)
        max = MAX (max, s->rtt_median_ms);
    }
  max = MAX (max * 1.15, 1.0);

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  cairo_set_line_width (cr, 1.5);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  gdk_cairo_set_source_rgba (cr, &accent);
  for (guint i = first; i < n; i++)
    {
      const RidgeChartSample *s = ridge_sample_ring_get (self->ring, i);
      double x = 1 + (w - 2) *
                 (self->n_samples > 1 ? (double)(i - first + (self->n_samples - (n - first)))
                  / (self->n_samples - 1) : 1.0);
      double y = 1 + (h - 2) * (1.0 - s->rtt_median_ms / max);

      if (s->gap)
        {
          /* a red tick at the bottom where the link did not answer */
          cairo_stroke (cr);
          gdk_cairo_set_source_rgba (cr, &red);
          cairo_rectangle (cr, x - 1, h - 4, 2, 4);
          cairo_fill (cr);
          gdk_cairo_set_source_rgba (cr, &accent);
          pen_down = FALSE;
          continue;
        }
      if (pen_down)
        cairo_line_to (cr, x, y);
      else
        cairo_move_to (cr, x, y);
      pen_down = TRUE;
    }
  cairo_stroke (cr);
  cairo_destroy (cr);
}

static void
ridge_sparkline_measure (GtkWidget     *widget,
                         GtkOrientation orientation,
                         int            for_size,
                         int           *minimum,
                         int           *natural,
                         int           *minimum_baseline,
                         int           *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 32 : 12;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 72 : 20;
}

static void
ridge_sparkline_dispose (GObject *object)
{
  RidgeSparkline *self = RIDGE_SPARKLINE (object);

  g_clear_pointer (&self->ring, ridge_sample_ring_unref);
  G_OBJECT_CLASS (ridge_sparkline_parent_class)->dispose (object);
}

static void
ridge_sparkline_class_init (RidgeSparklineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ridge_sparkline_dispose;
  widget_class->snapshot = ridge_sparkline_snapshot;
  widget_class->measure = ridge_sparkline_measure;
  gtk_widget_class_set_css_name (widget_class, "ridge-sparkline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ridge_sparkline_init (RidgeSparkline *self)
{
  self->n_samples = 60;
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _ ("Round-trip time trend"),
                                  -1);
}

GtkWidget *
ridge_sparkline_new (void)
{
  return g_object_new (RIDGE_TYPE_SPARKLINE, NULL);
}

void
ridge_sparkline_update (RidgeSparkline *self)
{
  g_autofree char *desc = NULL;
  guint n;

  g_return_if_fail (RIDGE_IS_SPARKLINE (self));

  if (self->ring == NULL || (n = ridge_sample_ring_len (self->ring)) == 0)
    desc = g_strdup (_ ("No samples"));
  else
    {
      const RidgeChartSample *s = ridge_sample_ring_get (self->ring, n - 1);

      if (s->gap)
        desc = g_strdup (_ ("Latest: no answer"));
      else
        desc = g_strdup_printf (_ ("Latest round trip %.1f ms"), s->rtt_median_ms);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, desc, -1);
  /* nothing to draw: take no room (the sidebar row keeps its width for the address) */
  gtk_widget_set_visible (GTK_WIDGET (self),
                          self->ring != NULL && ridge_sample_ring_len (self->ring) > 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ridge_sparkline_set_ring (RidgeSparkline  *self,
                          RidgeSampleRing *ring)
{
  g_return_if_fail (RIDGE_IS_SPARKLINE (self));

  if (self->ring != ring)
    {
      g_clear_pointer (&self->ring, ridge_sample_ring_unref);
      if (ring != NULL)
        self->ring = ridge_sample_ring_ref (ring);
    }
  ridge_sparkline_update (self);
}

void
ridge_sparkline_set_n_samples (RidgeSparkline *self,
                               guint           n_samples)
{
  g_return_if_fail (RIDGE_IS_SPARKLINE (self));
  self->n_samples = CLAMP (n_samples, 8, 4096);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
