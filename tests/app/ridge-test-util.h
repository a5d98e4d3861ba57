/* ridge-test-util.h — shared helpers of the app tests: init, show, screenshot, fixtures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ridge-engine.h"
#include "ridge-sample-ring.h"

G_BEGIN_DECLS

/* gtk_test_init + adw_init, the app's CSS and icons from the GResource. */
void       ridge_test_init (int    *argc,
                            char ***argv);
/* Spins the main loop for ms milliseconds. */
void       ridge_test_wait (guint ms);
/* Puts widget in a new window of width × height, presents it and waits for a frame.
 * Returns the window (owned by GTK's toplevel list; destroy it with gtk_window_destroy). */
GtkWindow *ridge_test_show (GtkWidget *widget,
                            int        width,
                            int        height);
/* Presents a window and waits until it is mapped and drawn. */
void       ridge_test_present (GtkWindow *window);
/* Renders widget to tests/app/screenshots/NAME.png in the build tree; returns the texture. */
GdkTexture *ridge_test_screenshot (GtkWidget  *widget,
                                   const char *name);
/* Reads one pixel (0xAARRGGBB) of a texture. */
guint32    ridge_test_texture_pixel (GdkTexture *texture,
                                     int         x,
                                     int         y);

/* ---- clearly synthetic test fixtures (never real biometric data) -------------------- */

#define FIXTURE_W     256
#define FIXTURE_H     320
#define FIXTURE_BLOCK 16

/* A loop-like pattern of sine ridges around a core, on a light background outside an
 * ellipse. pixels must hold FIXTURE_W * FIXTURE_H bytes. */
void       ridge_fixture_image (guint8 *pixels,
                                double  core_x,
                                double  core_y);
/* The fixture's ridge orientation per FIXTURE_BLOCK block (float radians, [0, π)). */
void       ridge_fixture_orientation (float *blocks,
                                      double core_x,
                                      double core_y);
/* 1 inside the fixture's ellipse, 0 outside, per block (u8 0/255). */
void       ridge_fixture_foreground (guint8 *blocks);
/* Some minutiae on the pattern (fixed positions, alternating types, spread qualities). */
guint      ridge_fixture_minutiae (RidgeMinutia *out,
                                   guint         cap,
                                   double        dx,
                                   double        dy);
/* Pushes n one-second samples ending at end_us: a slow RTT wave, a loss burst, a gap of
 * five seconds and a reconnect event. */
void       ridge_fixture_health (RidgeSampleRing *ring,
                                 gint64           end_us,
                                 guint            n);

G_END_DECLS
