/* ridge-fleet-page.c — every terminal in one view: state, last seen, RTT, loss, sparkline
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One GtkListBox row per RidgeTerminalItem of the model, made once (gtk_list_box_bind_model)
 * and then only updated: on the item's state, status and RTT notifications, on each health
 * sample, and once a second for "last seen". Activating a row emits ::terminal-activated.
 */
#define G_LOG_DOMAIN "ridge-fleet-page"

#include "config.h"

#include "ridge-fleet-page.h"

#include <glib/gi18n.h>

#include "ridge-sparkline.h"
#include "core/ridge-session.h"

/* the loss figure and the sparkline cover this much of the ring (one sample a second) */
#define WINDOW_S 300

struct _RidgeFleetPage {
  AdwBin parent_instance;

  GtkStack   *stack;
  GtkListBox *list;
  GtkLabel   *summary_label;

  GListModel *model;
  guint       refresh_id;
};

G_DEFINE_FINAL_TYPE (RidgeFleetPage, ridge_fleet_page, ADW_TYPE_BIN);

enum {
  SIGNAL_TERMINAL_ACTIVATED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

typedef struct {
  RidgeTerminalItem *item;
  GtkWidget         *row;   /* owns this struct */
  GtkWidget         *dot;
  GtkLabel          *name;
  GtkLabel          *address;
  GtkLabel          *state;
  GtkLabel          *seen;
  GtkLabel          *rtt;
  GtkLabel          *loss;
  RidgeSparkline    *spark;
} Row;

static void
row_free (Row *r)
{
  g_clear_object (&r->item);
  g_free (r);
}

static const char *
state_class (RidgeTerminalState state)
{
  switch (state)
    {
      case RIDGE_TERMINAL_STATE_READY: return "success";
      case RIDGE_TERMINAL_STATE_DEGRADED: return "warning";
      case RIDGE_TERMINAL_STATE_LOST: return "error";
      case RIDGE_TERMINAL_STATE_CONNECTING:
      case RIDGE_TERMINAL_STATE_RECONNECTING: return "accent";
      case RIDGE_TERMINAL_STATE_DISCONNECTED:
      default: return "dim-label";
    }
}

static void
set_state_class (GtkWidget  *widget,
                 const char *klass)
{
  static const char *all[] = { "success", "warning", "error", "accent", "dim-label" };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    if (g_strcmp0 (all[i], klass) != 0)
      gtk_widget_remove_css_class (widget, all[i]);
  gtk_widget_add_css_class (widget, klass);
}

/* "now", "12 s ago", "5 min ago", "2 h ago" for a g_get_real_time() stamp; "never" for 0. */
static char *
format_seen (gint64 seen_us,
             gint64 now_us)
{
  gint64 ago = (now_us - seen_us) / G_USEC_PER_SEC;

  if (seen_us <= 0)
    return g_strdup (C_ ("last seen", "never"));
  if (ago < 3)
    return g_strdup (C_ ("last seen", "now"));
  if (ago < 60)
    return g_strdup_printf (C_ ("last seen", "%u s ago"), (guint)ago);
  if (ago < 3600)
    return g_strdup_printf (C_ ("last seen", "%u min ago"), (guint)(ago / 60));
  return g_strdup_printf (C_ ("last seen", "%u h ago"), (guint)MIN (ago / 3600, G_MAXUINT));
}

static void
update_row (Row *r)
{
  RidgeSampleRing *ring = ridge_terminal_item_get_ring (r->item);
  RidgeTerminalState state = ridge_terminal_item_get_state (r->item);
  GObject *session = ridge_terminal_item_get_session (r->item);
  const RidgeTerminalInfo *info = session != NULL
                                  ? ridge_session_get_info (RIDGE_SESSION (session)) : NULL;
  guint n = ridge_sample_ring_len (ring);
  gint64 now = g_get_real_time ();
  gint64 seen = 0;
  double rtt = ridge_terminal_item_get_rtt (r->item);
  guint counted = 0, gaps = 0;
  double loss_sum = 0;
  g_autofree char *name = NULL;
  g_autofree char *seen_text = NULL;
  g_autofree char *rtt_text = NULL;
  g_autofree char *loss_text = NULL;
  g_autofree char *label = NULL;

  if (info != NULL && info->model != NULL && info->model[0] != '\0')
    name = info->serial != NULL && info->serial[0] != '\0'
           ? g_strdup_printf ("%s %s", info->model, info->serial) : g_strdup (info->model);
  else
    name = g_strdup (ridge_terminal_item_get_address (r->item));
  gtk_label_set_label (r->name, name);

  gtk_label_set_label (r->state, ridge_terminal_item_get_status (r->item));
  set_state_class (GTK_WIDGET (r->state), state_class (state));
  set_state_class (r->dot, state_class (state));

  /* the newest second with an answer, and the loss over the last WINDOW_S seconds */
  for (guint i = n; i-- > 0;)
    {
      const RidgeChartSample *s = ridge_sample_ring_get (ring, i);

      if (s->time_us < now - (gint64)WINDOW_S * G_USEC_PER_SEC && seen != 0)
        break;
      if (!s->gap && seen == 0)
        seen = s->time_us;
      if (s->time_us >= now - (gint64)WINDOW_S * G_USEC_PER_SEC)
        {
          counted++;
          if (s->gap)
            gaps++;
          else
            loss_sum += s->loss;
        }
    }
  seen_text = format_seen (seen, now);
  gtk_label_set_label (r->seen, seen_text);
  if (rtt >= 0 && (state == RIDGE_TERMINAL_STATE_READY
                   || state == RIDGE_TERMINAL_STATE_DEGRADED))
    rtt_text = g_strdup_printf (_ ("%.2f ms"), rtt);
  else
    rtt_text = g_strdup ("—");
  gtk_label_set_label (r->rtt, rtt_text);
  loss_text = counted > 0 ? g_strdup_printf ("%.1f %%", 100.0 * (loss_sum + gaps) / counted)
                          : g_strdup ("—");
  gtk_label_set_label (r->loss, loss_text);
  /* five minutes once there are; until then the first minute fills the width */
  ridge_sparkline_set_n_samples (r->spark, CLAMP (n, 60, WINDOW_S));
  ridge_sparkline_update (r->spark);

  /* Translators: terminal name, address, state, last seen, round trip, loss */
  label = g_strdup_printf (_ ("%s, %s: %s; last seen %s; round trip %s; loss %s"), name,
                           ridge_terminal_item_get_address (r->item),
                           ridge_terminal_item_get_status (r->item), seen_text, rtt_text,
                           loss_text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (r->row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static void
item_changed_cb (GtkWidget *row)
{
  update_row (g_object_get_data (G_OBJECT (row), "ridge-fleet-row"));
}

static GtkLabel *
figure (GtkBox     *box,
        const char *caption,
        int         width_chars)
{
  GtkWidget *col = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *title = gtk_label_new (caption);
  GtkWidget *value = gtk_label_new ("—");

  gtk_label_set_xalign (GTK_LABEL (title), 1);
  gtk_widget_add_css_class (title, "caption");
  gtk_widget_add_css_class (title, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (value), 1);
  gtk_label_set_width_chars (GTK_LABEL (value), width_chars);
  gtk_widget_add_css_class (value, "numeric");
  gtk_box_append (GTK_BOX (col), value);
  gtk_box_append (GTK_BOX (col), title);
  gtk_widget_set_valign (col, GTK_ALIGN_CENTER);
  gtk_box_append (box, col);
  return GTK_LABEL (value);
}

static GtkWidget *
create_row (gpointer object,
            gpointer user_data)
{
  RidgeTerminalItem *item = object;
  Row *r = g_new0 (Row, 1);
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *names = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *chevron = gtk_image_new_from_icon_name ("go-next-symbolic");

  r->item = g_object_ref (item);
  gtk_widget_set_margin_start (box, 10);
  gtk_widget_set_margin_end (box, 10);
  gtk_widget_set_margin_top (box, 10);
  gtk_widget_set_margin_bottom (box, 10);

  r->dot = gtk_label_new ("●");
  gtk_widget_set_valign (r->dot, GTK_ALIGN_CENTER);
  gtk_accessible_update_state (GTK_ACCESSIBLE (r->dot), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE,
                               -1);
  gtk_box_append (GTK_BOX (box), r->dot);

  r->name = GTK_LABEL (gtk_label_new (NULL));
  r->address = GTK_LABEL (gtk_label_new (ridge_terminal_item_get_address (item)));
  r->state = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (r->name), "heading");
  gtk_widget_add_css_class (GTK_WIDGET (r->address), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (r->address), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (r->state), "caption");
  for (GtkLabel *l = r->name; l != NULL;
       l = l == r->name ? r->address : l == r->address ? r->state : NULL)
    {
      gtk_label_set_xalign (l, 0);
      gtk_label_set_ellipsize (l, PANGO_ELLIPSIZE_END);
      gtk_box_append (GTK_BOX (names), GTK_WIDGET (l));
    }
  /* "model serial" is long: on two lines before it is cut (the figures keep their width) */
  gtk_label_set_wrap (r->name, TRUE);
  gtk_label_set_wrap_mode (r->name, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_lines (r->name, 2);
  gtk_widget_set_hexpand (names, TRUE);
  gtk_widget_set_valign (names, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), names);

  r->seen = figure (GTK_BOX (box), _ ("Last seen"), 6);
  r->rtt = figure (GTK_BOX (box), _ ("Round trip"), 6);
  r->loss = figure (GTK_BOX (box), _ ("Loss, 5 min"), 6);

  r->spark = RIDGE_SPARKLINE (ridge_sparkline_new ());
  ridge_sparkline_set_ring (r->spark, ridge_terminal_item_get_ring (item));
  ridge_sparkline_set_n_samples (r->spark, WINDOW_S);
  /* no fixed width: it shrinks (to 32 px) so that the row fits a 360 px (phone-width)
   * window, and takes the room the name leaves in a wide one */
  gtk_widget_set_size_request (GTK_WIDGET (r->spark), -1, 36);
  gtk_widget_set_hexpand (GTK_WIDGET (r->spark), TRUE);
  gtk_widget_set_valign (GTK_WIDGET (r->spark), GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (GTK_WIDGET (r->spark), _ ("Round trip, last 5 minutes"));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (r->spark));

  gtk_widget_add_css_class (chevron, "dim-label");
  gtk_box_append (GTK_BOX (box), chevron);

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "ridge-fleet-row", r, (GDestroyNotify)row_free);

  /* the handlers go when the row does */
  r->row = row;
  g_signal_connect_object (item, "notify::state", G_CALLBACK (item_changed_cb), row,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (item, "notify::status", G_CALLBACK (item_changed_cb), row,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (item, "health-changed", G_CALLBACK (item_changed_cb), row,
                           G_CONNECT_SWAPPED);
  update_row (r);
  return row;
}

static Row *
row_at (RidgeFleetPage *self,
        guint           index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->list, (int)index);

  return row != NULL ? g_object_get_data (G_OBJECT (row), "ridge-fleet-row") : NULL;
}

void
ridge_fleet_page_refresh (RidgeFleetPage *self)
{
  guint n, counts[RIDGE_TERMINAL_STATE_RECONNECTING + 1] = { 0 };
  g_autofree char *summary = NULL;
  Row *r;

  g_return_if_fail (RIDGE_IS_FLEET_PAGE (self));

  n = self->model != NULL ? g_list_model_get_n_items (self->model) : 0;
  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "list" : "empty");
  for (guint i = 0; (r = row_at (self, i)) != NULL; i++)
    {
      update_row (r);
      counts[ridge_terminal_item_get_state (r->item)]++;
    }
  /* Translators: counts of terminals by the state of their link */
  summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "%u terminal: %u ready, %u degraded, "
                                          "%u lost or reconnecting, %u not connected",
                                          "%u terminals: %u ready, %u degraded, "
                                          "%u lost or reconnecting, %u not connected", n), n,
                             counts[RIDGE_TERMINAL_STATE_READY],
                             counts[RIDGE_TERMINAL_STATE_DEGRADED],
                             counts[RIDGE_TERMINAL_STATE_LOST]
                             + counts[RIDGE_TERMINAL_STATE_RECONNECTING],
                             counts[RIDGE_TERMINAL_STATE_DISCONNECTED]
                             + counts[RIDGE_TERMINAL_STATE_CONNECTING]);
  gtk_label_set_label (self->summary_label, summary);
}

static gboolean
refresh_cb (gpointer user_data)
{
  ridge_fleet_page_refresh (RIDGE_FLEET_PAGE (user_data));
  return G_SOURCE_CONTINUE;
}

static void
row_activated_cb (RidgeFleetPage *self,
                  GtkListBoxRow  *row)
{
  Row *r = g_object_get_data (G_OBJECT (row), "ridge-fleet-row");

  if (r != NULL)
    g_signal_emit (self, signals[SIGNAL_TERMINAL_ACTIVATED], 0, r->item);
}

static void
items_changed_cb (RidgeFleetPage *self)
{
  ridge_fleet_page_refresh (self);
}

static void
ridge_fleet_page_map (GtkWidget *widget)
{
  RidgeFleetPage *self = RIDGE_FLEET_PAGE (widget);

  GTK_WIDGET_CLASS (ridge_fleet_page_parent_class)->map (widget);
  ridge_fleet_page_refresh (self);
  if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add_seconds (1, refresh_cb, self);
}

static void
ridge_fleet_page_unmap (GtkWidget *widget)
{
  RidgeFleetPage *self = RIDGE_FLEET_PAGE (widget);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  GTK_WIDGET_CLASS (ridge_fleet_page_parent_class)->unmap (widget);
}

static void
ridge_fleet_page_dispose (GObject *object)
{
  RidgeFleetPage *self = RIDGE_FLEET_PAGE (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->list != NULL)
    gtk_list_box_bind_model (self->list, NULL, NULL, NULL, NULL);
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), RIDGE_TYPE_FLEET_PAGE);
  G_OBJECT_CLASS (ridge_fleet_page_parent_class)->dispose (object);
}

static void
ridge_fleet_page_class_init (RidgeFleetPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ridge_fleet_page_dispose;
  widget_class->map = ridge_fleet_page_map;
  widget_class->unmap = ridge_fleet_page_unmap;

  /**
   * RidgeFleetPage::terminal-activated: a row was clicked (or activated with the keyboard)
   * @item: its RidgeTerminalItem
   */
  signals[SIGNAL_TERMINAL_ACTIVATED] =
    g_signal_new ("terminal-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, RIDGE_TYPE_TERMINAL_ITEM);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/ridge/Ridge/ui/ridge-fleet-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RidgeFleetPage, stack);
  gtk_widget_class_bind_template_child (widget_class, RidgeFleetPage, list);
  gtk_widget_class_bind_template_child (widget_class, RidgeFleetPage, summary_label);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
}

static void
ridge_fleet_page_init (RidgeFleetPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ridge_fleet_page_refresh (self);
}

GtkWidget *
ridge_fleet_page_new (void)
{
  return g_object_new (RIDGE_TYPE_FLEET_PAGE, NULL);
}

void
ridge_fleet_page_set_model (RidgeFleetPage *self,
                            GListModel     *model)
{
  g_return_if_fail (RIDGE_IS_FLEET_PAGE (self));
  g_return_if_fail (model == NULL || G_IS_LIST_MODEL (model));

  if (self->model == model)
    return;
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_set_object (&self->model, model);
  gtk_list_box_bind_model (self->list, model, model != NULL ? create_row : NULL, self, NULL);
  if (model != NULL)
    g_signal_connect_object (model, "items-changed", G_CALLBACK (items_changed_cb), self,
                             G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  ridge_fleet_page_refresh (self);
}

guint
ridge_fleet_page_get_n_rows (RidgeFleetPage *self)
{
  guint n = 0;

  g_return_val_if_fail (RIDGE_IS_FLEET_PAGE (self), 0);
  while (row_at (self, n) != NULL)
    n++;
  return n;
}

GtkWidget *
ridge_fleet_page_get_row (RidgeFleetPage *self,
                          guint           index)
{
  g_return_val_if_fail (RIDGE_IS_FLEET_PAGE (self), NULL);
  return GTK_WIDGET (gtk_list_box_get_row_at_index (self->list, (int)index));
}

char *
ridge_fleet_page_dup_row_text (RidgeFleetPage *self,
                               guint           index)
{
  Row *r;

  g_return_val_if_fail (RIDGE_IS_FLEET_PAGE (self), NULL);
  r = row_at (self, index);
  g_return_val_if_fail (r != NULL, NULL);
  return g_strdup_printf ("%s | %s | %s | %s | %s | %s", gtk_label_get_label (r->name),
                          gtk_label_get_label (r->address), gtk_label_get_label (r->state),
                          gtk_label_get_label (r->seen), gtk_label_get_label (r->rtt),
                          gtk_label_get_label (r->loss));
}
