/* ridge-diagnostics-page.h — one terminal's diagnostics: info, counters, self-test, clock,
 * reboot, log and the protocol trace viewer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ridge-terminal-item.h"
#include "core/ridge-trace.h"

G_BEGIN_DECLS

#define RIDGE_TYPE_DIAGNOSTICS_PAGE (ridge_diagnostics_page_get_type ())
G_DECLARE_FINAL_TYPE (RidgeDiagnosticsPage, ridge_diagnostics_page, RIDGE, DIAGNOSTICS_PAGE,
                      AdwBin)

GtkWidget  *ridge_diagnostics_page_new (void);
void        ridge_diagnostics_page_set_item (RidgeDiagnosticsPage *self,
                                             RidgeTerminalItem    *item);

/* What the buttons do (the reboot without its confirmation dialog). Results and errors
 * show on the page and as toasts. */
void        ridge_diagnostics_page_run_selftest (RidgeDiagnosticsPage *self);
void        ridge_diagnostics_page_sync_time (RidgeDiagnosticsPage *self);
void        ridge_diagnostics_page_read_time (RidgeDiagnosticsPage *self);
void        ridge_diagnostics_page_fetch_log (RidgeDiagnosticsPage *self);
void        ridge_diagnostics_page_reboot (RidgeDiagnosticsPage *self);
void        ridge_diagnostics_page_refresh_counters (RidgeDiagnosticsPage *self);

/* For tests: operations in flight (self-test, clock, log, counters, reboot request). */
guint       ridge_diagnostics_page_get_busy (RidgeDiagnosticsPage *self);
/* The last self-test: TRUE when one finished; passed and the checks' count. */
gboolean    ridge_diagnostics_page_get_selftest (RidgeDiagnosticsPage *self,
                                                 gboolean             *passed,
                                                 guint                *n_checks);
/* The terminal clock's offset from this computer's, from the last reading; FALSE before. */
gboolean    ridge_diagnostics_page_get_clock_offset (RidgeDiagnosticsPage *self,
                                                     gint64               *offset_us);
/* The fetched log text (NULL before a fetch). */
const char *ridge_diagnostics_page_get_log_text (RidgeDiagnosticsPage *self);
/* Writes the fetched log to path (0600). */
gboolean    ridge_diagnostics_page_save_log (RidgeDiagnosticsPage *self,
                                             const char           *path,
                                             GError              **error);
/* The reboot row's sentence ("Rebooted (boot counter 3 → 4)" …). */
const char *ridge_diagnostics_page_get_reboot_status (RidgeDiagnosticsPage *self);
/* A counter's last value; FALSE when the terminal did not report it. */
gboolean    ridge_diagnostics_page_get_counter (RidgeDiagnosticsPage *self,
                                                const char           *name,
                                                guint64              *value,
                                                gint64               *delta);
/* The trace rows the viewer shows (after the filter). */
GListModel *ridge_diagnostics_page_get_trace_model (RidgeDiagnosticsPage *self);
/* Sets the filter widgets (text, kind, direction, problems only) to filter. */
void        ridge_diagnostics_page_set_trace_filter (RidgeDiagnosticsPage   *self,
                                                     const RidgeTraceFilter *filter);
void        ridge_diagnostics_page_set_trace_paused (RidgeDiagnosticsPage *self,
                                                     gboolean              paused);
/* Writes the shown rows as CSV (ridge_trace_csv_header) to path; what "Export…" does after
 * the file chooser. Returns the rows written or -1. */
gssize      ridge_diagnostics_page_export_trace (RidgeDiagnosticsPage *self,
                                                 const char           *path,
                                                 GError              **error);
/* The text of the last toast (NULL before one). */
const char *ridge_diagnostics_page_get_last_message (RidgeDiagnosticsPage *self);
/* Whether one of the newest 32 toasts starts with prefix. */
gboolean    ridge_diagnostics_page_has_message (RidgeDiagnosticsPage *self,
                                                const char           *prefix);

G_END_DECLS
