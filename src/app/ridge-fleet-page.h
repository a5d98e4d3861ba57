/* ridge-fleet-page.h — every terminal in one view: state, last seen, RTT, loss, sparkline
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ridge-terminal-item.h"

G_BEGIN_DECLS

#define RIDGE_TYPE_FLEET_PAGE (ridge_fleet_page_get_type ())
G_DECLARE_FINAL_TYPE (RidgeFleetPage, ridge_fleet_page, RIDGE, FLEET_PAGE, AdwBin)

GtkWidget *ridge_fleet_page_new (void);
/* A GListModel of RidgeTerminalItem (the window's terminal list); rows follow it. */
void       ridge_fleet_page_set_model (RidgeFleetPage *self,
                                       GListModel     *model);
/* Re-reads every row (what the page does each second while shown). */
void       ridge_fleet_page_refresh (RidgeFleetPage *self);
guint      ridge_fleet_page_get_n_rows (RidgeFleetPage *self);
/* The row's widget (a GtkListBoxRow), for tests and screenshots. */
GtkWidget *ridge_fleet_page_get_row (RidgeFleetPage *self,
                                     guint           index);
/* What a row shows, as "name | address | state | last seen | RTT | loss". */
char      *ridge_fleet_page_dup_row_text (RidgeFleetPage *self,
                                          guint           index);

G_END_DECLS
