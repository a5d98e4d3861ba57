/* store-test-util.h — templates for the store tests, made with the engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "engine/ridge-engine.h"
#include "engine/ridge-fmr.h"

/* A deterministic enrollment of n_samples (1..8) impressions with 20..40 minutiae each. */
static inline void
store_test_make_enroll (guint32              seed,
                        int                  n_samples,
                        RidgeEnrollTemplate *e)
{
  GRand *r = g_rand_new_with_seed (seed);

  memset (e, 0, sizeof *e);
  e->n_samples = n_samples;
  for (int s = 0; s < n_samples; s++)
    {
      RidgeTemplate *t = &e->samples[s];
      t->width = 400;
      t->height = 400;
      t->dpi = 500;
      t->quality = 40 + g_rand_int_range (r, 0, 60);
      t->n_minutiae = g_rand_int_range (r, 20, 41);
      for (int i = 0; i < t->n_minutiae; i++)
        {
          t->minutiae[i].x = g_rand_int_range (r, 10, 390);
          t->minutiae[i].y = g_rand_int_range (r, 10, 390);
          t->minutiae[i].angle = (float)g_rand_double_range (r, 0, 6.28);
          t->minutiae[i].type = g_rand_int_range (r, 1, 3);
          t->minutiae[i].quality = g_rand_int_range (r, 1, 101);
        }
    }
  g_rand_free (r);
}

static inline GBytes *
store_test_native (const RidgeEnrollTemplate *e)
{
  guint8 *buf = g_malloc (RIDGE_ENROLL_MAX_BYTES);
  size_t len = 0;

  g_assert_cmpint (ridge_enroll_serialize (e, buf, RIDGE_ENROLL_MAX_BYTES, &len), ==,
                   RIDGE_ENGINE_OK);
  return g_bytes_new_take (buf, len);
}

static inline GBytes *
store_test_fmr (const RidgeEnrollTemplate *e,
                guint                      finger,
                RidgeFmrFormat             format)
{
  RidgeFmrViewInfo info = { 0 };
  guint8 *buf = g_malloc (65536);
  size_t len = 0;

  info.finger_position = finger;
  g_assert_cmpint (ridge_fmr_encode_enroll (e, format, &info, buf, 65536, &len), ==,
                   RIDGE_FMR_OK);
  return g_bytes_new_take (buf, len);
}
