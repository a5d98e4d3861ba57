/* ridge-app-util.h — small helpers the terminal pages share: toasts, link state, questions,
 * a user's enrolled fingers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ridge-terminal-item.h"

G_BEGIN_DECLS

/* Shows text in the toast overlay around widget (nothing when there is none). */
void              ridge_app_toast (GtkWidget  *widget,
                                   const char *text);
/* TRUE when item is connected and ready (or degraded but usable). */
gboolean          ridge_app_item_ready (RidgeTerminalItem *item);
/* A modal question over widget's window with "_Cancel" (the close response) and one answer.
 * suggested: the answer is the default and shown as suggested, otherwise as destructive with
 * Cancel as the default. extra: a widget under the body, or NULL. The dialog is presented;
 * connect to its "response" signal. */
AdwMessageDialog *ridge_app_ask (GtkWidget  *widget,
                                 const char *heading,
                                 const char *body,
                                 const char *response,
                                 const char *label,
                                 gboolean    suggested,
                                 GtkWidget  *extra);
/* Fingers of user_id among templates (RidgeAppTemplate): bit n = finger n (1..10). */
guint             ridge_app_finger_mask (GPtrArray  *templates,
                                         const char *user_id);

G_END_DECLS
