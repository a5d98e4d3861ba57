/* ridge-add-terminal-dialog.h — asks for a terminal's address (host:port)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Emits ::address-chosen with the normalised address, then closes.
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define RIDGE_TYPE_ADD_TERMINAL_DIALOG (ridge_add_terminal_dialog_get_type ())
G_DECLARE_FINAL_TYPE (RidgeAddTerminalDialog, ridge_add_terminal_dialog, RIDGE,
                      ADD_TERMINAL_DIALOG, AdwWindow)

GtkWidget  *ridge_add_terminal_dialog_new (GtkWindow * parent);
void        ridge_add_terminal_dialog_set_text (RidgeAddTerminalDialog *self,
                                                const char             *text);
/* The normalised address if the text is valid, else NULL. */
const char *ridge_add_terminal_dialog_get_address (RidgeAddTerminalDialog *self);
/* The sentence shown under the entry (the parse error or the hint). */
const char *ridge_add_terminal_dialog_get_message (RidgeAddTerminalDialog *self);

G_END_DECLS
