/* ridge-test-enroll.c — a native enrollment template from fixture minutiae (engine side)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ridge-test-store.h"
#include "ridge-test-util.h"

GBytes *
ridge_test_enroll_blob (guint seed)
{
  g_autofree RidgeEnrollTemplate *t = g_new0 (RidgeEnrollTemplate, 1);
  g_autofree guint8 *buf = g_malloc (RIDGE_ENROLL_MAX_BYTES);
  size_t len = 0;

  t->n_samples = 1;
  t->samples[0].width = FIXTURE_W;
  t->samples[0].height = FIXTURE_H;
  t->samples[0].dpi = 500;
  t->samples[0].quality = 70;
  t->samples[0].n_minutiae = ridge_fixture_minutiae (t->samples[0].minutiae, 12, seed % 7,
                                                     seed % 5);
  g_assert_cmpint (ridge_enroll_serialize (t, buf, RIDGE_ENROLL_MAX_BYTES, &len), ==,
                   RIDGE_ENGINE_OK);
  return g_bytes_new (buf, len);
}
