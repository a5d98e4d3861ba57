/* ridge-health-page.c — the link-health chart of one terminal with a summary
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-health-page"

#include "config.h"

#include "ridge-health-page.h"

#include <glib/gi18n.h>

/* seconds for each entry of span_dropdown */
static const guint spans[] = { 60, 300, 900, 3600 };

struct _RidgeHealthPage {
  AdwBin parent_instance;

  GtkStack    *stack;
  RidgeChart  *chart;
  GtkLabel    *rtt_label;
  GtkLabel    *loss_label;
  GtkLabel    *events_label;
  GtkDropDown *span_dropdown;

  RidgeTerminalItem *item;
  guint              refresh_id;
};

G_DEFINE_FINAL_TYPE (RidgeHealthPage, ridge_health_page, ADW_TYPE_BIN);

void
ridge_health_page_refresh (RidgeHealthPage *self)
{
  RidgeSampleRing *ring;
  guint n, first, lost_intervals = 0, counted = 0;
  double loss_sum = 0;
  g_autofree char *rtt = NULL;
  g_autofree char *loss = NULL;
  g_autofree char *events = NULL;
  gint64 t0;

  g_return_if_fail (RIDGE_IS_HEALTH_PAGE (self));

  ring = self->item != NULL ? ridge_terminal_item_get_ring (self->item) : NULL;
  n = ring != NULL ? ridge_sample_ring_len (ring) : 0;
  if (n == 0 && (self->item == NULL || !ridge_terminal_item_is_connected (self->item)))
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  gtk_stack_set_visible_child_name (self->stack, "chart");
  if (n == 0)
    {
      gtk_label_set_label (self->rtt_label, "—");
      gtk_label_set_label (self->loss_label, "—");
      gtk_label_set_label (self->events_label, "0");
      return;
    }

  /* summary over the span on screen */
  t0 = ridge_sample_ring_get (ring, n - 1)->time_us
       - (gint64)ridge_chart_get_span (self->chart) * G_USEC_PER_SEC;
  first = ridge_sample_ring_lower_bound (ring, t0);
  for (guint i = first; i < n; i++)
    {
      const RidgeChartSample *s = ridge_sample_ring_get (ring, i);

      counted++;
      if (s->gap)
        lost_intervals++;
      else
        loss_sum += s->loss;
    }
  {
    const RidgeChartSample *last = ridge_sample_ring_get (ring, n - 1);

    if (last->gap)
      rtt = g_strdup (_ ("no answer"));
    else
      rtt = g_strdup_printf (_ ("%.2f ms"), last->rtt_median_ms);
  }
  loss = g_strdup_printf ("%.1f %%", counted > 0 ? 100.0 * (loss_sum + lost_intervals) / counted
                                                 : 0.0);
  events = g_strdup_printf ("%u", ridge_sample_ring_n_events (ring));
  gtk_label_set_label (self->rtt_label, rtt);
  gtk_label_set_label (self->loss_label, loss);
  gtk_label_set_label (self->events_label, events);
}

static gboolean
refresh_cb (gpointer user_data)
{
  ridge_health_page_refresh (RIDGE_HEALTH_PAGE (user_data));
  return G_SOURCE_CONTINUE;
}

static void
span_changed_cb (RidgeHealthPage *self)
{
  guint i = gtk_drop_down_get_selected (self->span_dropdown);

  if (i < G_N_ELEMENTS (spans))
    ridge_chart_set_span (self->chart, spans[i]);
  ridge_health_page_refresh (self);
}

static void
ridge_health_page_map (GtkWidget *widget)
{
  RidgeHealthPage *self = RIDGE_HEALTH_PAGE (widget);

  GTK_WIDGET_CLASS (ridge_health_page_parent_class)->map (widget);
  ridge_health_page_refresh (self);
  if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add_seconds (1, refresh_cb, self);
}

static void
ridge_health_page_unmap (GtkWidget *widget)
{
  RidgeHealthPage *self = RIDGE_HEALTH_PAGE (widget);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  GTK_WIDGET_CLASS (ridge_health_page_parent_class)->unmap (widget);
}

static void
ridge_health_page_dispose (GObject *object)
{
  RidgeHealthPage *self = RIDGE_HEALTH_PAGE (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_object (&self->item);
  /* AdwBin unparents its child in its own dispose; the template child must go first */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), RIDGE_TYPE_HEALTH_PAGE);
  G_OBJECT_CLASS (ridge_health_page_parent_class)->dispose (object);
}

static void
ridge_health_page_class_init (RidgeHealthPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ridge_health_page_dispose;
  widget_class->map = ridge_health_page_map;
  widget_class->unmap = ridge_health_page_unmap;

  g_type_ensure (RIDGE_TYPE_CHART);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/ridge/Ridge/ui/ridge-health-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RidgeHealthPage, stack);
  gtk_widget_class_bind_template_child (widget_class, RidgeHealthPage, chart);
  gtk_widget_class_bind_template_child (widget_class, RidgeHealthPage, rtt_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeHealthPage, loss_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeHealthPage, events_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeHealthPage, span_dropdown);
  gtk_widget_class_bind_template_callback (widget_class, span_changed_cb);
}

static void
ridge_health_page_init (RidgeHealthPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  span_changed_cb (self);
}

GtkWidget *
ridge_health_page_new (void)
{
  return g_object_new (RIDGE_TYPE_HEALTH_PAGE, NULL);
}

void
ridge_health_page_set_item (RidgeHealthPage   *self,
                            RidgeTerminalItem *item)
{
  g_return_if_fail (RIDGE_IS_HEALTH_PAGE (self));
  g_return_if_fail (item == NULL || RIDGE_IS_TERMINAL_ITEM (item));

  if (!g_set_object (&self->item, item))
    return;
  ridge_chart_set_ring (self->chart, item != NULL ? ridge_terminal_item_get_ring (item) : NULL);
  ridge_health_page_refresh (self);
}

RidgeChart *
ridge_health_page_get_chart (RidgeHealthPage *self)
{
  g_return_val_if_fail (RIDGE_IS_HEALTH_PAGE (self), NULL);
  return self->chart;
}
