/* ridge-backoff.c — exponential backoff with jitter
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-core"

#include "config.h"

#include "ridge-backoff.h"

#include <math.h>

void
ridge_backoff_init (RidgeBackoff *b,
                    guint         initial_ms,
                    guint         max_ms,
                    double        factor,
                    double        jitter)
{
  g_return_if_fail (b != NULL);

  b->initial_ms = MAX (initial_ms, 1);
  b->max_ms = MAX (max_ms, b->initial_ms);
  b->factor = factor < 1.0 ? 1.0 : factor;
  b->jitter = CLAMP (jitter, 0.0, 1.0);
  b->attempt = 0;
}

guint
ridge_backoff_base (const RidgeBackoff *b,
                    guint               attempt)
{
  double d;

  g_return_val_if_fail (b != NULL, 0);

  d = (double)b->initial_ms * pow (b->factor, (double)MIN (attempt, 64));
  if (d > (double)b->max_ms || !isfinite (d))
    return b->max_ms;
  return (guint)d;
}

guint
ridge_backoff_next (RidgeBackoff *b,
                    GRand        *rand)
{
  guint base;
  double r, d;

  g_return_val_if_fail (b != NULL, 0);

  base = ridge_backoff_base (b, b->attempt);
  if (b->attempt < G_MAXUINT)
    b->attempt++;
  r = rand ? g_rand_double (rand) : g_random_double ();
  d = (double)base * (1.0 - b->jitter * r);
  return MAX ((guint)d, 1);
}

void
ridge_backoff_reset (RidgeBackoff *b)
{
  g_return_if_fail (b != NULL);
  b->attempt = 0;
}
