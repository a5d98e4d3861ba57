/* ridge-verify-page.h — verify/identify test: place a finger, see score, decision, mates
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The app does the comparison itself with the terminal's own engine and decision rule:
 * TPL_GET of the enrolled record(s), CAPTURE (waiting for the finger), then on a worker
 * thread ridge_extract → ridge_template_from_features → ridge_match_enrolled against each
 * record, the best score against RIDGE_MATCH_THRESHOLD, exactly as ridge-terminal answers
 * VERIFY/IDENTIFY. The wire's MATCH_RESULT carries no minutiae, and this way the mated
 * pairs drawn are the ones behind the score shown (docs/app.md explains the choice).
 */
#pragma once

#include <adwaita.h>

#include "ridge-image-view.h"
#include "ridge-terminal-item.h"

G_BEGIN_DECLS

typedef enum {
  RIDGE_VERIFY_IDLE,        /* nothing run yet, or the last run ended with an error */
  RIDGE_VERIFY_FETCHING,    /* TPL_GET of the enrolled record(s) */
  RIDGE_VERIFY_CAPTURING,   /* waiting for the finger */
  RIDGE_VERIFY_MATCHING,
  RIDGE_VERIFY_DONE,        /* a decision is shown */
} RidgeVerifyState;

#define RIDGE_TYPE_VERIFY_PAGE (ridge_verify_page_get_type ())
G_DECLARE_FINAL_TYPE (RidgeVerifyPage, ridge_verify_page, RIDGE, VERIFY_PAGE, AdwBin)

GtkWidget       *ridge_verify_page_new (void);
void             ridge_verify_page_set_item (RidgeVerifyPage   *self,
                                             RidgeTerminalItem *item);
/* Reads the terminal's records again (TPL_LIST) for the record chooser. */
void             ridge_verify_page_refresh (RidgeVerifyPage *self);
guint            ridge_verify_page_get_n_records (RidgeVerifyPage *self);
/* Chooses the record to verify against; FALSE when it is not listed. */
gboolean         ridge_verify_page_select (RidgeVerifyPage *self,
                                           const char      *user_id,
                                           guint            finger);
/* TRUE: identify (1:N over every record); FALSE: verify against the chosen record. */
void             ridge_verify_page_set_identify (RidgeVerifyPage *self,
                                                 gboolean         identify);
/* "Place Finger": fetch, capture, match. */
void             ridge_verify_page_start (RidgeVerifyPage *self);
/* Stops a run (the CAPTURE is abandoned; the terminal times it out). */
void             ridge_verify_page_cancel (RidgeVerifyPage *self);
RidgeVerifyState ridge_verify_page_get_state (RidgeVerifyPage *self);
/* The last decision: score, threshold, mated pairs drawn; FALSE before the first. */
gboolean         ridge_verify_page_get_result (RidgeVerifyPage *self,
                                               gboolean        *matched,
                                               int             *score,
                                               int             *threshold,
                                               guint           *n_pairs);
/* The sentence under the decision (the reason after a failure). */
const char      *ridge_verify_page_get_message (RidgeVerifyPage *self);
RidgeImageView  *ridge_verify_page_get_image_view (RidgeVerifyPage *self);

G_END_DECLS
