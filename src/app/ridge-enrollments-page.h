/* ridge-enrollments-page.h — the template store of one terminal, by user and finger
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GtkColumnView over the terminal's records (TPL_LIST) merged with the local store's
 * ($RIDGE_STORE, else <user data dir>/ridge/store.db), sortable on every column, filtered by
 * a search over name and user id and by finger. Rename, delete, re-enroll, copy to another
 * connected terminal, clear, capacity, "keep local copy" (download into the store), and
 * export to a server (ridge-export.h: queue in the store's outbox, send, progress, stop;
 * the Server column and each server's last export from the store).
 */
#pragma once

#include <adwaita.h>

#include "ridge-enrollment-row.h"
#include "ridge-terminal-item.h"

G_BEGIN_DECLS

#define RIDGE_TYPE_ENROLLMENTS_PAGE (ridge_enrollments_page_get_type ())
G_DECLARE_FINAL_TYPE (RidgeEnrollmentsPage, ridge_enrollments_page, RIDGE, ENROLLMENTS_PAGE,
                      AdwBin)

GtkWidget *ridge_enrollments_page_new (void);
void       ridge_enrollments_page_set_item (RidgeEnrollmentsPage *self,
                                            RidgeTerminalItem    *item);
/* Lists the store again (also done when the page is shown and when the link comes up). */
void       ridge_enrollments_page_refresh (RidgeEnrollmentsPage *self);
/* Rows listed (terminal and local store merged, before the filter); -1 while none are
 * listed (not connected, loading, failed). */
int        ridge_enrollments_page_get_n_records (RidgeEnrollmentsPage *self);
/* The rows as shown: filtered and sorted (RidgeEnrollmentRow). */
GListModel *ridge_enrollments_page_get_shown (RidgeEnrollmentsPage *self);
GtkColumnView *ridge_enrollments_page_get_column_view (RidgeEnrollmentsPage *self);
/* Sets the search text and the finger filter (0: all fingers), as the user would. */
void       ridge_enrollments_page_set_filter (RidgeEnrollmentsPage *self,
                                              const char           *text,
                                              guint                 finger);
/* Chooses the target in the open copy dialog; FALSE when it is not offered. */
gboolean   ridge_enrollments_page_set_copy_target (RidgeEnrollmentsPage *self,
                                                   const char           *address);
/* Chooses the server and "only the selected user" in the open export question; FALSE when
 * the profile is not offered. */
gboolean   ridge_enrollments_page_set_export_choice (RidgeEnrollmentsPage *self,
                                                     const char           *profile,
                                                     gboolean              only_user);
/* TRUE from "Export" until the run's end. */
gboolean   ridge_enrollments_page_is_exporting (RidgeEnrollmentsPage *self);
/* The export status line: progress while exporting, else each server's last export. */
const char *ridge_enrollments_page_get_export_status (RidgeEnrollmentsPage *self);
/* Operations running in the background (copy, keep local copy). */
guint      ridge_enrollments_page_get_busy (RidgeEnrollmentsPage *self);
/* The selected row, or NULL. */
RidgeEnrollmentRow *ridge_enrollments_page_get_selected (RidgeEnrollmentsPage *self);
/* The last sentence the page showed as a toast ("" before any). */
const char *ridge_enrollments_page_get_last_message (RidgeEnrollmentsPage *self);
/* Selects the shown record of user_id's finger; FALSE when it is not shown. */
gboolean   ridge_enrollments_page_select (RidgeEnrollmentsPage *self,
                                          const char           *user_id,
                                          guint                 finger);
/* The open question (delete, rename, clear, copy), else NULL. */
AdwMessageDialog *ridge_enrollments_page_get_dialog (RidgeEnrollmentsPage *self);
/* Fills the open rename dialog's fields. */
void       ridge_enrollments_page_set_rename (RidgeEnrollmentsPage *self,
                                              const char           *user_id,
                                              const char           *name);

G_END_DECLS
