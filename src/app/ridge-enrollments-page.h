/* ridge-enrollments-page.h — the template store of one terminal, by user and finger
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

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
/* Records shown; -1 while none are listed (not connected, loading, failed). */
int        ridge_enrollments_page_get_n_records (RidgeEnrollmentsPage *self);
/* Selects the record of user_id's finger; FALSE when it is not listed. */
gboolean   ridge_enrollments_page_select (RidgeEnrollmentsPage *self,
                                          const char           *user_id,
                                          guint                 finger);
/* The open confirmation (delete, rename, clear), else NULL. */
AdwMessageDialog *ridge_enrollments_page_get_dialog (RidgeEnrollmentsPage *self);
/* Fills the open rename dialog's fields. */
void       ridge_enrollments_page_set_rename (RidgeEnrollmentsPage *self,
                                              const char           *user_id,
                                              const char           *name);

G_END_DECLS
