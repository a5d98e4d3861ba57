/* ridge-health-page.c — the link health of one terminal: mtr-like summary, charts, CSV
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The charts all read the item's sample ring and share its time axis: round trip (median,
 * min–max band, loss colours, gaps, events), throughput each way, frames/s with drops, and
 * kernel TCP retransmits or, on USB links, transfer errors/timeouts/stalls/resets. Hovering
 * (or the arrow keys on a focused chart) picks one second in all of them, and the readout
 * line says every value of it. The summary and the CSV come from the core's RidgeHealth.
 */
#define G_LOG_DOMAIN "ridge-health-page"

#include "config.h"

#include "ridge-health-page.h"

#include <glib/gi18n.h>

#include "core/ridge-health.h"
#include "core/ridge-session.h"

/* seconds for each entry of span_dropdown */
static const guint spans[] = { 60, 300, 900, 3600 };

struct _RidgeHealthPage {
  AdwBin parent_instance;

  GtkStack    *stack;
  RidgeChart  *chart;
  RidgeChart  *throughput_chart;
  RidgeChart  *frames_chart;
  RidgeChart  *retrans_chart;
  RidgeChart  *usb_chart;
  GtkWidget   *retrans_chart_frame;
  GtkWidget   *usb_chart_frame;
  GtkLabel    *sent_label;
  GtkLabel    *loss_label;
  GtkLabel    *last_label;
  GtkLabel    *avg_label;
  GtkLabel    *best_label;
  GtkLabel    *worst_label;
  GtkLabel    *stdev_label;
  GtkLabel    *readout_label;
  GtkDropDown *span_dropdown;
  GtkWidget   *export_button;

  RidgeTerminalItem    *item;
  guint                 refresh_id;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (RidgeHealthPage, ridge_health_page, ADW_TYPE_BIN);

static RidgeChart **
all_charts (RidgeHealthPage *self,
            RidgeChart      *out[5])
{
  out[0] = self->chart;
  out[1] = self->throughput_chart;
  out[2] = self->frames_chart;
  out[3] = self->retrans_chart;
  out[4] = self->usb_chart;
  return out;
}

static RidgeHealth *
item_health (RidgeHealthPage *self)
{
  GObject *session = self->item != NULL ? ridge_terminal_item_get_session (self->item) : NULL;

  return session != NULL ? ridge_session_get_health (RIDGE_SESSION (session)) : NULL;
}

static gboolean
item_is_usb (RidgeHealthPage *self)
{
  return self->item != NULL
         && g_str_has_prefix (ridge_terminal_item_get_address (self->item), "usb:");
}

static void
set_ms (GtkLabel *label,
        double    us)
{
  g_autofree char *text = NULL;

  if (us < 0)
    {
      gtk_label_set_label (label, "—");
      return;
    }
  /* Translators: a round-trip time in milliseconds */
  text = g_strdup_printf (_ ("%.2f ms"), us / 1000.0);
  gtk_label_set_label (label, text);
}

static void
update_summary (RidgeHealthPage *self)
{
  RidgeHealth *health = item_health (self);
  RidgeHealthSummary sum;
  g_autofree char *sent = NULL;
  g_autofree char *loss = NULL;

  gtk_widget_set_sensitive (self->export_button, health != NULL);
  if (health == NULL)
    {
      GtkLabel *labels[] = { self->sent_label, self->loss_label, self->last_label,
                             self->avg_label, self->best_label, self->worst_label,
                             self->stdev_label };

      for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
        gtk_label_set_label (labels[i], "—");
      return;
    }
  ridge_health_get_summary (health, &sum);
  sent = g_strdup_printf ("%" G_GUINT64_FORMAT, sum.pings_sent);
  loss = g_strdup_printf ("%.1f %%", sum.loss_percent);
  gtk_label_set_label (self->sent_label, sent);
  gtk_label_set_label (self->loss_label, loss);
  set_ms (self->last_label, (double)sum.rtt_last);
  set_ms (self->avg_label, sum.rtt_last >= 0 ? sum.rtt_avg : -1);
  set_ms (self->best_label, (double)sum.rtt_best);
  set_ms (self->worst_label, (double)sum.rtt_worst);
  set_ms (self->stdev_label, sum.rtt_last >= 0 ? sum.rtt_stdev : -1);
}

static void
update_readout (RidgeHealthPage *self,
                int              index)
{
  RidgeChart *charts[5];
  GString *text;
  RidgeSampleRing *ring = ridge_chart_get_ring (self->chart);

  if (ring == NULL || index < 0 || index >= (int)ridge_sample_ring_len (ring))
    {
      gtk_label_set_label (self->readout_label,
                           _ ("Point at a chart, or focus one and use the arrow keys, for the "
                              "exact values of a second."));
      return;
    }
  all_charts (self, charts);
  text = g_string_new (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (charts); i++)
    {
      g_autofree char *part = NULL;

      if (!gtk_widget_get_visible (gtk_widget_get_parent (GTK_WIDGET (charts[i]))))
        continue;
      if (i == 0)
        part = ridge_chart_describe_sample (charts[i], index);
      else
        part = ridge_chart_describe_values (charts[i], index);
      if (text->len > 0)
        g_string_append (text, "; ");
      g_string_append (text, part);
    }
  gtk_label_set_label (self->readout_label, text->str);
  g_string_free (text, TRUE);
}

static void
hover_changed_cb (RidgeHealthPage *self,
                  RidgeChart      *source)
{
  RidgeChart *charts[5];
  int index = ridge_chart_get_hover_index (source);

  all_charts (self, charts);
  for (guint i = 0; i < G_N_ELEMENTS (charts); i++)
    if (charts[i] != source)
      ridge_chart_set_hover_index (charts[i], index);
  update_readout (self, index);
}

void
ridge_health_page_refresh (RidgeHealthPage *self)
{
  RidgeSampleRing *ring;
  guint n;

  g_return_if_fail (RIDGE_IS_HEALTH_PAGE (self));

  ring = self->item != NULL ? ridge_terminal_item_get_ring (self->item) : NULL;
  n = ring != NULL ? ridge_sample_ring_len (ring) : 0;
  if (n == 0 && (self->item == NULL || !ridge_terminal_item_is_connected (self->item)))
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  gtk_stack_set_visible_child_name (self->stack, "chart");
  gtk_widget_set_visible (self->retrans_chart_frame, !item_is_usb (self));
  gtk_widget_set_visible (self->usb_chart_frame, item_is_usb (self));
  update_summary (self);
  update_readout (self, ridge_chart_get_hover_index (self->chart));
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
  RidgeChart *charts[5];

  all_charts (self, charts);
  if (i < G_N_ELEMENTS (spans))
    for (guint k = 0; k < G_N_ELEMENTS (charts); k++)
      ridge_chart_set_span (charts[k], spans[i]);
  ridge_health_page_refresh (self);
}

/* ---- CSV export ---------------------------------------------------------------------- */

gboolean
ridge_health_page_export_csv (RidgeHealthPage *self,
                              const char      *path,
                              GError         **error)
{
  RidgeHealth *health;
  g_autofree char *csv = NULL;

  g_return_val_if_fail (RIDGE_IS_HEALTH_PAGE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  health = item_health (self);
  if (health == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                           _ ("The terminal is not connected, so there is no link health to "
                              "save."));
      return FALSE;
    }
  /* the same text as `ridgectl health --csv`; statistics only, so 0644 */
  csv = ridge_health_to_csv (health);
  return g_file_set_contents_full (path, csv, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

static void
toast (RidgeHealthPage *self,
       const char      *message)
{
  /* the window owns the toast overlay; without one (tests) the message goes to the log */
  if (!gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", message))
    g_message ("%s", message);
}

static void
export_response_cb (RidgeHealthPage      *self,
                    int                   response,
                    GtkFileChooserNative *chooser)
{
  g_autoptr (GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *message = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      path = file != NULL ? g_file_get_path (file) : NULL;
      if (path == NULL)
        message = g_strdup (_ ("Could not save the link health: only local files can be "
                               "written."));
      else if (!ridge_health_page_export_csv (self, path, &error))
        message = g_strdup_printf (_ ("Could not save the link health: %s"), error->message);
      else
        message = g_strdup_printf (_ ("Link health saved to %s"), path);
      toast (self, message);
    }
  g_clear_object (&self->chooser);
}

static void
export_clicked_cb (RidgeHealthPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *address = NULL;
  g_autofree char *name = NULL;

  if (self->chooser != NULL || self->item == NULL)
    return;
  address = g_strdup (ridge_terminal_item_get_address (self->item));
  g_strcanon (address, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_",
              '-');
  name = g_strdup_printf ("ridge-health-%s-%s.csv", address, stamp);
  self->chooser = gtk_file_chooser_native_new (_ ("Export Link Health"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _ ("_Save"),
                                               _ ("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  gtk_file_filter_set_name (filter, _ ("CSV files"));
  gtk_file_filter_add_suffix (filter, "csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (export_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* ---- GObject ------------------------------------------------------------------------- */

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
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
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
  gtk_widget_class_bind_template_child (widget_class, RidgeHealthPage, throughput_chart);
  gtk_widget_class_bind_template_child (widget_class, RidgeHealthPage, frames_chart);
  gtk_widget_class_bind_template_child (widget_class, RidgeHealthPage, retrans_chart);
  gtk_widget_class_bind_template_child (widget_class, RidgeHealthPage, usb_chart);
  gtk_widget_class_bind_template_child (widget_class, RidgeHealthPage, retrans_chart_frame);
  gtk_widget_class_bind_template_child (widget_class, RidgeHealthPage, usb_chart_frame);
  gtk_widget_class_bind_template_child (widget_class, RidgeHealthPage, sent_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeHealthPage, loss_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeHealthPage, last_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeHealthPage, avg_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeHealthPage, best_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeHealthPage, worst_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeHealthPage, stdev_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeHealthPage, readout_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeHealthPage, span_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RidgeHealthPage, export_button);
  gtk_widget_class_bind_template_callback (widget_class, span_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, hover_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, export_clicked_cb);
}

static void
ridge_health_page_init (RidgeHealthPage *self)
{
  static const RidgeChartSeries throughput[] = {
    RIDGE_CHART_SERIES_BYTES_IN, RIDGE_CHART_SERIES_BYTES_OUT
  };
  static const RidgeChartSeries frames[] = {
    RIDGE_CHART_SERIES_FRAMES, RIDGE_CHART_SERIES_DROPS
  };
  static const RidgeChartSeries retrans[] = { RIDGE_CHART_SERIES_RETRANS };
  static const RidgeChartSeries usb[] = {
    RIDGE_CHART_SERIES_USB_ERRORS, RIDGE_CHART_SERIES_USB_TIMEOUTS,
    RIDGE_CHART_SERIES_USB_STALLS, RIDGE_CHART_SERIES_USB_RESETS
  };

  gtk_widget_init_template (GTK_WIDGET (self));
  /* the RTT chart has no series (median line, min–max band) but a title like the others */
  ridge_chart_set_series (self->chart, _ ("Round trip"), RIDGE_CHART_UNIT_PER_SECOND, NULL, 0);
  ridge_chart_set_series (self->throughput_chart, _ ("Throughput"),
                          RIDGE_CHART_UNIT_BYTES_PER_SECOND, throughput,
                          G_N_ELEMENTS (throughput));
  ridge_chart_set_series (self->frames_chart, _ ("Live frames"), RIDGE_CHART_UNIT_PER_SECOND,
                          frames, G_N_ELEMENTS (frames));
  ridge_chart_set_series (self->retrans_chart, _ ("Kernel TCP retransmits"),
                          RIDGE_CHART_UNIT_PER_SECOND, retrans, G_N_ELEMENTS (retrans));
  ridge_chart_set_series (self->usb_chart, _ ("USB transfers"), RIDGE_CHART_UNIT_PER_SECOND,
                          usb, G_N_ELEMENTS (usb));
  span_changed_cb (self);
  update_readout (self, -1);
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
  RidgeChart *charts[5];

  g_return_if_fail (RIDGE_IS_HEALTH_PAGE (self));
  g_return_if_fail (item == NULL || RIDGE_IS_TERMINAL_ITEM (item));

  if (!g_set_object (&self->item, item))
    return;
  all_charts (self, charts);
  for (guint i = 0; i < G_N_ELEMENTS (charts); i++)
    ridge_chart_set_ring (charts[i], item != NULL ? ridge_terminal_item_get_ring (item) : NULL);
  update_readout (self, -1);
  ridge_health_page_refresh (self);
}

RidgeChart *
ridge_health_page_get_chart (RidgeHealthPage *self)
{
  g_return_val_if_fail (RIDGE_IS_HEALTH_PAGE (self), NULL);
  return self->chart;
}

RidgeChart *
ridge_health_page_get_series_chart (RidgeHealthPage *self,
                                    RidgeChartSeries series)
{
  g_return_val_if_fail (RIDGE_IS_HEALTH_PAGE (self), NULL);

  switch (series)
    {
      case RIDGE_CHART_SERIES_BYTES_IN:
      case RIDGE_CHART_SERIES_BYTES_OUT: return self->throughput_chart;
      case RIDGE_CHART_SERIES_FRAMES:
      case RIDGE_CHART_SERIES_DROPS: return self->frames_chart;
      case RIDGE_CHART_SERIES_RETRANS: return self->retrans_chart;
      case RIDGE_CHART_SERIES_USB_ERRORS:
      case RIDGE_CHART_SERIES_USB_TIMEOUTS:
      case RIDGE_CHART_SERIES_USB_STALLS:
      case RIDGE_CHART_SERIES_USB_RESETS: return self->usb_chart;
      case RIDGE_CHART_N_SERIES:
      default: g_return_val_if_reached (NULL);
    }
}

const char *
ridge_health_page_get_figure (RidgeHealthPage *self,
                              const char      *name)
{
  const struct {
    const char *name;
    GtkLabel   *label;
  } figures[] = {
    { "sent", self->sent_label }, { "loss", self->loss_label }, { "last", self->last_label },
    { "avg", self->avg_label }, { "best", self->best_label }, { "worst", self->worst_label },
    { "stdev", self->stdev_label }, { "readout", self->readout_label },
  };

  g_return_val_if_fail (RIDGE_IS_HEALTH_PAGE (self), NULL);
  for (guint i = 0; i < G_N_ELEMENTS (figures); i++)
    if (g_strcmp0 (figures[i].name, name) == 0)
      return gtk_label_get_label (figures[i].label);
  g_return_val_if_reached (NULL);
}
