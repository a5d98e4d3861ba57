/* ridge-reader-view.h — one local libfprint reader: live view with the engine's overlays,
 * enrollment, verify/identify, and its enrolled prints
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "core/ridge-fprint.h"
#include "ridge-live-page.h"

G_BEGIN_DECLS

#define RIDGE_TYPE_READER_VIEW (ridge_reader_view_get_type ())
G_DECLARE_FINAL_TYPE (RidgeReaderView, ridge_reader_view, RIDGE, READER_VIEW, AdwBin)

GtkWidget     *ridge_reader_view_new (void);
/* Opens the reader (and closes the previous one); NULL lets it go. */
void           ridge_reader_view_set_reader (RidgeReaderView *self,
                                             RidgeReader     *reader);
RidgeReader   *ridge_reader_view_get_reader (RidgeReaderView *self);
void           ridge_reader_view_set_show_back (RidgeReaderView *self,
                                                gboolean         show_back);
/* "live", "enroll", "verify" or "prints" */
void           ridge_reader_view_set_visible_page (RidgeReaderView *self,
                                                   const char      *name);
RidgeLivePage *ridge_reader_view_get_live_page (RidgeReaderView *self);
/* The enrolled prints shown on the Prints page and offered on the Verify page. */
guint          ridge_reader_view_get_n_prints (RidgeReaderView *self);
/* What the view is doing, for tests: "idle", "opening", "live", "enroll", "verify",
 * "identify", "list" (also while the local print folder is read), "delete". */
const char    *ridge_reader_view_get_activity (RidgeReaderView *self);


/* What the buttons do, for scripts and tests. finger: 1…10 as in ISO/IEC 19794-2
 * (right thumb … left little); print_index: the order of the Prints page. */
void           ridge_reader_view_enroll (RidgeReaderView *self,
                                         const char      *user,
                                         guint            finger);
void           ridge_reader_view_verify (RidgeReaderView *self,
                                         guint            print_index);
void           ridge_reader_view_identify (RidgeReaderView *self);
/* Asks for confirmation; the dialog is returned (transfer none). */
AdwMessageDialog *ridge_reader_view_delete_print (RidgeReaderView *self,
                                                  guint            print_index);
/* The headline of a page as shown: "live" gives the live area's state ("waiting", "frames",
 * "no-images"), "enroll" the stage line, "verify" the result, "prints" the note below the
 * list. */
const char    *ridge_reader_view_get_headline (RidgeReaderView *self,
                                               const char      *page);
/* The sentence under the headline (enroll and verify pages). */
const char    *ridge_reader_view_get_detail (RidgeReaderView *self,
                                             const char      *page);

G_END_DECLS
