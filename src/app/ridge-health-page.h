/* ridge-health-page.h — the link health of one terminal: summary, charts, CSV export
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
/* Re-reads the link: summary figures, empty state, which charts apply (TCP or USB). The
 * charts redraw by themselves. */
void        ridge_health_page_refresh (RidgeHealthPage *self);
/* The round-trip chart, and the chart that draws a series. */
RidgeChart *ridge_health_page_get_chart (RidgeHealthPage *self);
RidgeChart *ridge_health_page_get_series_chart (RidgeHealthPage *self,
                                                RidgeChartSeries series);
/* The text of a summary figure: "sent", "loss", "last", "avg", "best", "worst", "stdev",
 * or of the hover "readout". */
const char *ridge_health_page_get_figure (RidgeHealthPage *self,
                                          const char      *name);
/* Writes ridge_health_to_csv() of the item's session (what `ridgectl health --csv` writes)
 * to path, mode 0644; what "Export CSV…" does after the file chooser. */
gboolean    ridge_health_page_export_csv (RidgeHealthPage *self,
                                          const char      *path,
                                          GError         **error);

G_END_DECLS
