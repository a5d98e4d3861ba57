/* ridge-app-util.c — small helpers the terminal pages share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-app-util"

#include "config.h"

#include "ridge-app-util.h"

#include <glib/gi18n.h>

#include "ridge-hand-diagram.h"

void
ridge_app_toast (GtkWidget  *widget,
                 const char *text)
{
  GtkWidget *overlay;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);
  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

gboolean
ridge_app_item_ready (RidgeTerminalItem *item)
{
  RidgeTerminalState s;

  if (item == NULL)
    return FALSE;
  s = ridge_terminal_item_get_state (item);
  return s == RIDGE_TERMINAL_STATE_READY || s == RIDGE_TERMINAL_STATE_DEGRADED;
}

AdwMessageDialog *
ridge_app_ask (GtkWidget  *widget,
               const char *heading,
               const char *body,
               const char *response,
               const char *label,
               gboolean    suggested,
               GtkWidget  *extra)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root)
                                                                             : NULL,
                                                       heading, body));
  adw_message_dialog_add_responses (dialog, "cancel", _ ("_Cancel"), response, label, NULL);
  adw_message_dialog_set_response_appearance (dialog, response,
                                              suggested ? ADW_RESPONSE_SUGGESTED
                                                        : ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, suggested ? response : "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  if (extra != NULL)
    adw_message_dialog_set_extra_child (dialog, extra);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

guint
ridge_app_finger_mask (GPtrArray  *templates,
                       const char *user_id)
{
  guint mask = 0;

  if (templates == NULL || user_id == NULL || *user_id == '\0')
    return 0;
  for (guint i = 0; i < templates->len; i++)
    {
      const RidgeAppTemplate *t = g_ptr_array_index (templates, i);

      if (g_strcmp0 (t->user_id, user_id) == 0 && t->finger >= 1 && t->finger <= RIDGE_FINGER_MAX)
        mask |= 1u << t->finger;
    }
  return mask;
}
