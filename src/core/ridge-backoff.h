/* ridge-backoff.h — exponential backoff with jitter for reconnect attempts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint  initial_ms; /* first delay before jitter */
  guint  max_ms;     /* cap (before and after jitter) */
  double factor;     /* growth per attempt, ≥ 1 */
  double jitter;     /* 0..1: the delay is drawn uniformly in [base·(1-jitter), base] */
  guint  attempt;    /* attempts made since the last reset */
} RidgeBackoff;

#define RIDGE_BACKOFF_INIT { 250, 30000, 2.0, 0.5, 0 }

void  ridge_backoff_init (RidgeBackoff *b,
                          guint         initial_ms,
                          guint         max_ms,
                          double        factor,
                          double        jitter);
/* The base delay for attempt n (no jitter): min (max, initial · factor^n). */
guint ridge_backoff_base (const RidgeBackoff *b,
                          guint               attempt);
/* Returns the next delay and counts the attempt. rand may be NULL (global PRNG). */
guint ridge_backoff_next (RidgeBackoff *b,
                          GRand        *rand);
void  ridge_backoff_reset (RidgeBackoff *b);

G_END_DECLS
