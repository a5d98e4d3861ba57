/* test-util.h — tiny plain-C helpers for engine tests and tools: PGM (P5) read/write
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No GLib: usable by every engine test and bench program.
 */
#pragma once

#include "ridge-engine.h"

/* Reads an 8-bit binary PGM (P5, maxval ≤ 255) into img (allocated with
 * ridge_image_init, dpi 500). Returns RIDGE_ENGINE_OK or a negative
 * RidgeEngineResult (E_INVALID for an unreadable or malformed file). */
int test_util_read_pgm (const char *path, RidgeImage *img);

/* Writes width x height 8-bit pixels as a binary PGM. Returns 0 or -1. */
int test_util_write_pgm (const char *path, const uint8_t *pixels, int width, int height);

/* Directory of the shared data set (RIDGE_SHARED_DATA), or NULL when it is absent. */
const char *test_util_shared_data (void);

/* Path of the FVC2002 DB1_B image FINGER_IMPRESSION (101..110, 1..8) in buf, or
 * NULL when the shared data set is absent. */
const char *test_util_fvc_path (char *buf, size_t cap, int finger, int impression);
