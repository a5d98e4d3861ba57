/* ridge-compare-view.h — one frame, two extractors side by side: Ridge's engine and NBIS
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Left: the minutiae of Ridge's engine; right: the minutiae of NBIS (libfprint's
 * fp_image_detect_minutiae, positions only) on the same pixels. Both run off the main
 * thread. Zoom and pan are kept in step. A minutia with one of the other side's within
 * RIDGE_COMPARE_RADIUS pixels is drawn green, one without magenta; the agreement is the
 * share of each side's minutiae that have such a partner.
 */
#pragma once

#include <adwaita.h>

#include "ridge-engine.h"
#include "ridge-image-view.h"

G_BEGIN_DECLS

/* Distance in image pixels within which two minutiae count as the same. */
#define RIDGE_COMPARE_RADIUS 8.0

typedef enum {
  RIDGE_COMPARE_RIDGE = 0,
  RIDGE_COMPARE_NBIS  = 1,
} RidgeCompareSide;

#define RIDGE_TYPE_COMPARE_VIEW (ridge_compare_view_get_type ())
G_DECLARE_FINAL_TYPE (RidgeCompareView, ridge_compare_view, RIDGE, COMPARE_VIEW, AdwBin)

GtkWidget      *ridge_compare_view_new (void);
/* Whether NBIS is built in (libfprint found at build time). */
gboolean        ridge_compare_view_nbis_available (void);
/* A sentence saying why the comparison is not available, NULL when it is. */
const char     *ridge_compare_view_unavailable_reason (void);
/* Copies the image and starts both extractions (earlier ones still running are dropped). */
void            ridge_compare_view_set_image (RidgeCompareView *self,
                                              const RidgeImage *image);
/* TRUE while an extraction runs ("busy" property). */
gboolean        ridge_compare_view_get_busy (RidgeCompareView *self);
/* Minutiae found by a side, -1 before its result or when it failed. */
int             ridge_compare_view_get_count (RidgeCompareView *self,
                                              RidgeCompareSide  side);
/* Share 0..1 of side's minutiae with one of the other side's within the radius; -1 until
 * both sides are known. */
double          ridge_compare_view_get_agreement (RidgeCompareView *self,
                                                  RidgeCompareSide  side);
/* The text under the images (counts, agreement, or why a side failed). */
const char     *ridge_compare_view_get_summary (RidgeCompareView *self);
RidgeImageView *ridge_compare_view_get_view (RidgeCompareView *self,
                                             RidgeCompareSide  side);

/* For each minutia of a (b), whether one of b (a) lies within radius: marks (may be NULL)
 * get RIDGE_MINUTIA_MARK_MATCHED / _UNMATCHED; returns the counts with a partner. */
void            ridge_compare_minutiae (const RidgeMinutia *a,
                                        guint               n_a,
                                        const RidgeMinutia *b,
                                        guint               n_b,
                                        double              radius,
                                        guint8             *a_marks,
                                        guint8             *b_marks,
                                        guint              *a_hits,
                                        guint              *b_hits);

G_END_DECLS
