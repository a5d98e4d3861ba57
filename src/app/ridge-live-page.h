/* ridge-live-page.h — what the sensor sees: image, overlays, quality, placement hints
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ridge-engine.h"
#include "ridge-image-view.h"
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
/* The translated sentences for a set of hint bits, one per line; "" for none. */
char           *ridge_live_page_hints_text (guint hints);

G_END_DECLS
