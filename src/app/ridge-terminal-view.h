/* ridge-terminal-view.h — the pages of one terminal: Live, Enroll, Enrollments, Health,
 * Diagnostics
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ridge-diagnostics-page.h"
#include "ridge-enroll-page.h"
#include "ridge-health-page.h"
#include "ridge-live-page.h"
#include "ridge-terminal-item.h"

G_BEGIN_DECLS

#define RIDGE_TYPE_TERMINAL_VIEW (ridge_terminal_view_get_type ())
G_DECLARE_FINAL_TYPE (RidgeTerminalView, ridge_terminal_view, RIDGE, TERMINAL_VIEW, AdwBin)

GtkWidget         *ridge_terminal_view_new (void);
void               ridge_terminal_view_set_item (RidgeTerminalView *self,
                                                 RidgeTerminalItem *item);
RidgeTerminalItem *ridge_terminal_view_get_item (RidgeTerminalView *self);
/* Shows the back button (the window is folded to one pane). */
void               ridge_terminal_view_set_show_back (RidgeTerminalView *self,
                                                      gboolean           show_back);
void               ridge_terminal_view_set_visible_page (RidgeTerminalView *self,
                                                         const char        *name);
RidgeLivePage     *ridge_terminal_view_get_live_page (RidgeTerminalView *self);
RidgeHealthPage   *ridge_terminal_view_get_health_page (RidgeTerminalView *self);
RidgeEnrollPage   *ridge_terminal_view_get_enroll_page (RidgeTerminalView *self);
RidgeDiagnosticsPage *ridge_terminal_view_get_diagnostics_page (RidgeTerminalView *self);

G_END_DECLS
