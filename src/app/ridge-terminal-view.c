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
  RidgeDiagnosticsPage *diagnostics_page;
  GtkButton            *connect_button;

  RidgeTerminalItem *item;
  gulong             status_handler;
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
    }
  g_clear_object (&self->item);
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
  g_type_ensure (RIDGE_TYPE_DIAGNOSTICS_PAGE);
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
  gtk_widget_class_bind_template_child (widget_class, RidgeTerminalView, diagnostics_page);
  gtk_widget_class_bind_template_child (widget_class, RidgeTerminalView, connect_button);
  gtk_widget_class_bind_template_callback (widget_class, connect_clicked_cb);
}

static void
ridge_terminal_view_init (RidgeTerminalView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
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
    }
  g_set_object (&self->item, item);

  /* frames of the previous terminal must not linger on the next one's page */
  ridge_live_page_set_item (self->live_page, item);
  ridge_enroll_page_set_item (self->enroll_page, item);
  ridge_enrollments_page_set_item (self->enrollments_page, item);
  ridge_verify_page_set_item (self->verify_page, item);
  ridge_health_page_set_item (self->health_page, item);
  ridge_diagnostics_page_set_item (self->diagnostics_page, item);
  if (item != NULL)
    {
      self->status_handler = g_signal_connect_object (item, "notify::status",
                                                      G_CALLBACK (item_status_changed_cb),
                                                      self, G_CONNECT_SWAPPED);
      adw_view_switcher_title_set_title (self->switcher_title,
                                         ridge_terminal_item_get_address (item));
    }
  else
    adw_view_switcher_title_set_title (self->switcher_title, "");
  item_status_changed_cb (self);
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

RidgeDiagnosticsPage *
ridge_terminal_view_get_diagnostics_page (RidgeTerminalView *self)
{
  g_return_val_if_fail (RIDGE_IS_TERMINAL_VIEW (self), NULL);
  return self->diagnostics_page;
}
