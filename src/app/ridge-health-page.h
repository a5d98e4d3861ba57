/* ridge-health-page.h — the link-health chart of one terminal with a summary
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ridge-chart.h"
#include "ridge-terminal-item.h"

G_BEGIN_DECLS

#define RIDGE_TYPE_HEALTH_PAGE (ridge_health_page_get_type ())
G_DECLARE_FINAL_TYPE (RidgeHealthPage, ridge_health_page, RIDGE, HEALTH_PAGE, AdwBin)

GtkWidget  *ridge_health_page_new (void);
void        ridge_health_page_set_item (RidgeHealthPage   *self,
                                        RidgeTerminalItem *item);
/* Re-reads the ring: summary labels and empty state. The chart redraws by itself. */
void        ridge_health_page_refresh (RidgeHealthPage *self);
RidgeChart *ridge_health_page_get_chart (RidgeHealthPage *self);

G_END_DECLS
