/* ridge-live-page.h — what the sensor sees: image, overlays, quality, placement hints
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ridge-compare-view.h"
#include "ridge-engine.h"
#include "ridge-image-view.h"
#include "ridge-sensor-panel.h"
#include "ridge-terminal-item.h"

G_BEGIN_DECLS

#define RIDGE_TYPE_LIVE_PAGE (ridge_live_page_get_type ())
G_DECLARE_FINAL_TYPE (RidgeLivePage, ridge_live_page, RIDGE, LIVE_PAGE, AdwBin)

/* One frame and what was extracted from it. Every field but image may be empty:
 * quality < 0 means "not measured". The page copies what it needs. */
typedef struct {
  const RidgeImage   *image;
  const RidgeMinutia *minutiae;
  guint               n_minutiae;
  const RidgeMap     *maps;
  guint               n_maps;
  int                 quality;
  guint               hints;          /* RidgePlacementHint bits */
  gint64              time_us;        /* arrival, g_get_monotonic_time() clock; 0 = now */
  const char         *note;           /* shown when there are no hints, e.g. "No finger" */
} RidgeLiveFrame;

GtkWidget      *ridge_live_page_new (void);
/* Shows the live frames of this terminal while the page is on screen. */
void            ridge_live_page_set_item (RidgeLivePage     *self,
                                          RidgeTerminalItem *item);
gboolean        ridge_live_page_push_frame (RidgeLivePage        *self,
                                            const RidgeLiveFrame *frame,
                                            GError              **error);
/* Frames the terminal or the link dropped, as reported by the session. */
void            ridge_live_page_set_dropped (RidgeLivePage *self,
                                             guint64        dropped);
/* Back to the empty state (e.g. when the terminal disconnects). */
void            ridge_live_page_clear (RidgeLivePage *self);
gboolean        ridge_live_page_get_paused (RidgeLivePage *self);
void            ridge_live_page_set_paused (RidgeLivePage *self,
                                            gboolean       paused);
RidgeImageView *ridge_live_page_get_image_view (RidgeLivePage *self);
/* Frames per second over the last second of arrivals. */
double          ridge_live_page_get_fps (RidgeLivePage *self);
/* Extractor comparison: freezes the frame on screen (pausing) and shows Ridge's and NBIS's
 * minutiae side by side; off resumes the stream if the comparison paused it. Needs a
 * frame and a build with libfprint (else the button is insensitive and says why). */
gboolean          ridge_live_page_get_comparing (RidgeLivePage *self);
void              ridge_live_page_set_comparing (RidgeLivePage *self,
                                                 gboolean       comparing);
RidgeCompareView *ridge_live_page_get_compare_view (RidgeLivePage *self);
RidgeSensorPanel *ridge_live_page_get_sensor_panel (RidgeLivePage *self);
/* Arrival time (RidgeLiveFrame.time_us) of the frame on screen, and how many frames were
 * put on screen so far (for the app benchmark). */
gint64            ridge_live_page_get_shown_time (RidgeLivePage *self,
                                                  guint64       *n_shown);
/* The translated sentences for a set of hint bits, one per line; "" for none. */
char           *ridge_live_page_hints_text (guint hints);

G_END_DECLS
