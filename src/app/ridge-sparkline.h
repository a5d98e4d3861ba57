/* ridge-sparkline.h — a small RTT trend line for the fleet overview
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ridge-sample-ring.h"

G_BEGIN_DECLS

#define RIDGE_TYPE_SPARKLINE (ridge_sparkline_get_type ())
G_DECLARE_FINAL_TYPE (RidgeSparkline, ridge_sparkline, RIDGE, SPARKLINE, GtkWidget)

GtkWidget *ridge_sparkline_new (void);
void       ridge_sparkline_set_ring (RidgeSparkline  *self,
                                     RidgeSampleRing *ring);
/* How many of the newest samples are drawn (8 … 4096). */
void       ridge_sparkline_set_n_samples (RidgeSparkline *self,
                                          guint           n_samples);
/* Refreshes the drawing and the accessible description after the ring changed. */
void       ridge_sparkline_update (RidgeSparkline *self);

G_END_DECLS
