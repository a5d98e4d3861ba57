/* ridge-enroll-page.h — guided enrollment of one finger on a terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * User id and display name, the finger on a hand diagram (the user's enrolled fingers on
 * this terminal are marked), the number of samples; then ENROLL_BEGIN, one progress step per
 * ENROLL_SAMPLE event (image, quality, the terminal's verdict as a sentence), ENROLL_COMMIT
 * (a duplicate finger asks before committing again with ALLOW_DUPLICATE). Cancelling, leaving
 * the terminal, closing the window or losing the link sends ENROLL_CANCEL.
 */
#pragma once

#include <adwaita.h>

#include "ridge-terminal-item.h"

G_BEGIN_DECLS

typedef enum {
  RIDGE_ENROLL_IDLE,       /* the form */
  RIDGE_ENROLL_STARTING,   /* ENROLL_BEGIN sent */
  RIDGE_ENROLL_CAPTURING,  /* samples coming in */
  RIDGE_ENROLL_COMPLETE,   /* every sample accepted, ready to commit */
  RIDGE_ENROLL_COMMITTING, /* ENROLL_COMMIT sent */
  RIDGE_ENROLL_DUPLICATE,  /* the terminal found the finger enrolled: asking the user */
} RidgeEnrollState;

#define RIDGE_ENROLL_DEFAULT_SAMPLES 4

#define RIDGE_TYPE_ENROLL_PAGE (ridge_enroll_page_get_type ())
G_DECLARE_FINAL_TYPE (RidgeEnrollPage, ridge_enroll_page, RIDGE, ENROLL_PAGE, AdwBin)

GtkWidget        *ridge_enroll_page_new (void);
void              ridge_enroll_page_set_item (RidgeEnrollPage   *self,
                                              RidgeTerminalItem *item);
/* Fill the form (as the user would). */
void              ridge_enroll_page_set_user (RidgeEnrollPage *self,
                                              const char      *user_id,
                                              const char      *name);
void              ridge_enroll_page_set_finger (RidgeEnrollPage *self,
                                                guint            finger);
void              ridge_enroll_page_set_samples (RidgeEnrollPage *self,
                                                 guint            samples);
RidgeEnrollState  ridge_enroll_page_get_state (RidgeEnrollPage *self);
guint             ridge_enroll_page_get_accepted (RidgeEnrollPage *self);
/* The sentence under the progress bar (the terminal's last verdict or an error). */
const char       *ridge_enroll_page_get_message (RidgeEnrollPage *self);
/* Fingers of the form's user already on the terminal (bit n = finger n). */
guint             ridge_enroll_page_get_enrolled_mask (RidgeEnrollPage *self);
/* The duplicate question while it is open, else NULL. */
AdwMessageDialog *ridge_enroll_page_get_duplicate_dialog (RidgeEnrollPage *self);

G_END_DECLS
