/* ridge-terminal-view.c — the pages of one terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-terminal-view"

#include "config.h"

#include "ridge-terminal-view.h"

#include <glib/gi18n.h>

#include "ridge-enroll-page.h"
#include "ridge-enrollments-page.h"
#include "ridge-verify-page.h"

struct _RidgeTerminalView {
  AdwBin parent_instance;

  AdwHeaderBar         *header_bar;
  GtkButton            *back_button;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewStack         *view_stack;
  AdwViewSwitcherBar   *switcher_bar;
  RidgeLivePage        *live_page;
  RidgeHealthPage      *health_page;
  RidgeEnrollPage      *enroll_page;
  RidgeEnrollmentsPage *enrollments_page;
  RidgeVerifyPage      *verify_page;
  AdwStatusPage        *diagnostics_status;
  GtkStack             *diagnostics_stack;
  AdwPreferencesGroup  *info_group;
  GtkButton            *connect_button;
  GPtrArray            *info_rows;
  GtkTextView          *trace_view;
  guint                 trace_id;

  RidgeTerminalItem *item;
  gulong             status_handler;
  gulong             info_handler;
};

G_DEFINE_FINAL_TYPE (RidgeTerminalView, ridge_terminal_view, ADW_TYPE_BIN);

static void
item_status_changed_cb (RidgeTerminalView *self)
{
  const char *status = self->item != NULL ? ridge_terminal_item_get_status (self->item) : "";
  gboolean connected = self->item != NULL && ridge_terminal_item_is_connected (self->item);

  adw_view_switcher_title_set_subtitle (self->switcher_title, status);
  gtk_button_set_label (self->connect_button, connected ? _ ("_Disconnect") : _ ("_Connect"));
  gtk_widget_set_visible (GTK_WIDGET (self->connect_button), self->item != NULL);
}

/* a new record: the Enrollments page lists it */
static void
enrolled_cb (RidgeTerminalView *self)
{
  ridge_enrollments_page_refresh (self->enrollments_page);
}

static void
item_info_changed_cb (RidgeTerminalView *self)
{
  g_auto (GStrv) info = self->item != NULL ? ridge_terminal_item_dup_info (self->item) : NULL;

  for (guint i = 0; i < self->info_rows->len; i++)
    adw_preferences_group_remove (self->info_group, g_ptr_array_index (self->info_rows, i));
  g_ptr_array_set_size (self->info_rows, 0);

  if (info == NULL)
    {
      gtk_stack_set_visible_child_name (self->diagnostics_stack, "empty");
      return;
    }
  for (guint i = 0; info[i] != NULL && info[i + 1] != NULL; i += 2)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), info[i]);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), info[i + 1]);
      gtk_widget_add_css_class (row, "property");
      adw_preferences_group_add (self->info_group, row);
      g_ptr_array_add (self->info_rows, row);
    }
  gtk_stack_set_visible_child_name (self->diagnostics_stack, "info");
}

/* lines of trace shown: enough to follow a conversation, few enough to redraw each second */
#define TRACE_LINES 200

static gboolean
trace_refresh_cb (gpointer user_data)
{
  RidgeTerminalView *self = RIDGE_TERMINAL_VIEW (user_data);
  g_autofree char *text = self->item != NULL ? ridge_terminal_item_dup_trace (self->item,
                                                                              TRACE_LINES)
                                             : NULL;

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->trace_view),
                            text != NULL ? text : "", -1);
  return G_SOURCE_CONTINUE;
}

/* The trace is read once a second while the Diagnostics page is shown. */
static void
page_changed_cb (RidgeTerminalView *self)
{
  const char *page;

  /* nothing to follow while the view is built or torn down */
  if (self->info_rows == NULL || self->view_stack == NULL)
    return;
  page = adw_view_stack_get_visible_child_name (self->view_stack);

  if (g_strcmp0 (page, "diagnostics") == 0)
    {
      trace_refresh_cb (self);
      if (self->trace_id == 0)
        self->trace_id = g_timeout_add_seconds (1, trace_refresh_cb, self);
    }
  else
    g_clear_handle_id (&self->trace_id, g_source_remove);
}

static void
connect_clicked_cb (RidgeTerminalView *self)
{
  if (self->item == NULL)
    return;
  if (ridge_terminal_item_is_connected (self->item))
    ridge_terminal_item_disconnect (self->item);
  else
    ridge_terminal_item_connect (self->item);
}

static void
ridge_terminal_view_dispose (GObject *object)
{
  RidgeTerminalView *self = RIDGE_TERMINAL_VIEW (object);

  if (self->item != NULL)
    {
      g_clear_signal_handler (&self->status_handler, self->item);
      g_clear_signal_handler (&self->info_handler, self->item);
    }
  g_clear_object (&self->item);
  g_clear_pointer (&self->info_rows, g_ptr_array_unref);
  g_clear_handle_id (&self->trace_id, g_source_remove);
  /* libadwaita 1.2 criticals when a switcher outlives its stack during disposal:
   * detach them before the template children go */
  if (self->switcher_bar != NULL)
    adw_view_switcher_bar_set_stack (self->switcher_bar, NULL);
  if (self->switcher_title != NULL)
    adw_view_switcher_title_set_stack (self->switcher_title, NULL);
  /* AdwBin unparents its child in its own dispose; the template child must go first */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), RIDGE_TYPE_TERMINAL_VIEW);
  G_OBJECT_CLASS (ridge_terminal_view_parent_class)->dispose (object);
}

static void
ridge_terminal_view_class_init (RidgeTerminalViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ridge_terminal_view_dispose;

  g_type_ensure (RIDGE_TYPE_LIVE_PAGE);
  g_type_ensure (RIDGE_TYPE_HEALTH_PAGE);
  g_type_ensure (RIDGE_TYPE_ENROLL_PAGE);
  g_type_ensure (RIDGE_TYPE_ENROLLMENTS_PAGE);
  g_type_ensure (RIDGE_TYPE_VERIFY_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/ridge/Ridge/ui/ridge-terminal-view.ui");
  gtk_widget_class_bind_template_child (widget_class, RidgeTerminalView, header_bar);
  gtk_widget_class_bind_template_child (widget_class, RidgeTerminalView, back_button);
  gtk_widget_class_bind_template_child (widget_class, RidgeTerminalView, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, RidgeTerminalView, view_stack);
  gtk_widget_class_bind_template_child (widget_class, RidgeTerminalView, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, RidgeTerminalView, live_page);
  gtk_widget_class_bind_template_child (widget_class, RidgeTerminalView, health_page);
  gtk_widget_class_bind_template_child (widget_class, RidgeTerminalView, enroll_page);
  gtk_widget_class_bind_template_callback (widget_class, enrolled_cb);
  gtk_widget_class_bind_template_child (widget_class, RidgeTerminalView, enrollments_page);
  gtk_widget_class_bind_template_child (widget_class, RidgeTerminalView, verify_page);
  gtk_widget_class_bind_template_child (widget_class, RidgeTerminalView, diagnostics_status);
  gtk_widget_class_bind_template_child (widget_class, RidgeTerminalView, diagnostics_stack);
  gtk_widget_class_bind_template_child (widget_class, RidgeTerminalView, info_group);
  gtk_widget_class_bind_template_child (widget_class, RidgeTerminalView, connect_button);
  gtk_widget_class_bind_template_callback (widget_class, connect_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, page_changed_cb);
  gtk_widget_class_bind_template_child (widget_class, RidgeTerminalView, trace_view);
}

static void
ridge_terminal_view_init (RidgeTerminalView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->info_rows = g_ptr_array_new ();
  item_status_changed_cb (self);
}

GtkWidget *
ridge_terminal_view_new (void)
{
  return g_object_new (RIDGE_TYPE_TERMINAL_VIEW, NULL);
}

void
ridge_terminal_view_set_item (RidgeTerminalView *self,
                              RidgeTerminalItem *item)
{
  g_return_if_fail (RIDGE_IS_TERMINAL_VIEW (self));
  g_return_if_fail (item == NULL || RIDGE_IS_TERMINAL_ITEM (item));

  if (self->item == item)
    return;
  if (self->item != NULL)
    {
      g_clear_signal_handler (&self->status_handler, self->item);
      g_clear_signal_handler (&self->info_handler, self->item);
    }
  g_set_object (&self->item, item);

  /* frames of the previous terminal must not linger on the next one's page */
  ridge_live_page_set_item (self->live_page, item);
  ridge_enroll_page_set_item (self->enroll_page, item);
  ridge_enrollments_page_set_item (self->enrollments_page, item);
  ridge_verify_page_set_item (self->verify_page, item);
  ridge_health_page_set_item (self->health_page, item);
  if (item != NULL)
    {
      self->status_handler = g_signal_connect_object (item, "notify::status",
                                                      G_CALLBACK (item_status_changed_cb),
                                                      self, G_CONNECT_SWAPPED);
      self->info_handler = g_signal_connect_object (item, "info-changed",
                                                    G_CALLBACK (item_info_changed_cb),
                                                    self, G_CONNECT_SWAPPED);
      adw_view_switcher_title_set_title (self->switcher_title,
                                         ridge_terminal_item_get_address (item));
    }
  else
    adw_view_switcher_title_set_title (self->switcher_title, "");
  item_status_changed_cb (self);
  item_info_changed_cb (self);
}

RidgeTerminalItem *
ridge_terminal_view_get_item (RidgeTerminalView *self)
{
  g_return_val_if_fail (RIDGE_IS_TERMINAL_VIEW (self), NULL);
  return self->item;
}

void
ridge_terminal_view_set_show_back (RidgeTerminalView *self,
                                   gboolean           show_back)
{
  g_return_if_fail (RIDGE_IS_TERMINAL_VIEW (self));
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), show_back);
  adw_header_bar_set_show_start_title_buttons (self->header_bar, show_back);
}

void
ridge_terminal_view_set_visible_page (RidgeTerminalView *self,
                                      const char        *name)
{
  g_return_if_fail (RIDGE_IS_TERMINAL_VIEW (self));
  adw_view_stack_set_visible_child_name (self->view_stack, name);
}

RidgeLivePage *
ridge_terminal_view_get_live_page (RidgeTerminalView *self)
{
  g_return_val_if_fail (RIDGE_IS_TERMINAL_VIEW (self), NULL);
  return self->live_page;
}

RidgeHealthPage *
ridge_terminal_view_get_health_page (RidgeTerminalView *self)
{
  g_return_val_if_fail (RIDGE_IS_TERMINAL_VIEW (self), NULL);
  return self->health_page;
}

RidgeEnrollPage *
ridge_terminal_view_get_enroll_page (RidgeTerminalView *self)
{
  g_return_val_if_fail (RIDGE_IS_TERMINAL_VIEW (self), NULL);
  return self->enroll_page;
}
