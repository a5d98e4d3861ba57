/* wire-test.h — a few helpers shared by the wire codec's plain C tests (TAP output)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int wt_failures;
static int wt_test_failed;
static int wt_count;

#define CHECK(cond) \
  do { \
      if (!(cond)) \
        { \
          fprintf (stdout, "# %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
          wt_test_failed = 1; \
        } \
    } while (0)

#define CHECK_EQ(a, b) \
  do { \
      long long wt_a_ = (long long)(a), wt_b_ = (long long)(b); \
      if (wt_a_ != wt_b_) \
        { \
          fprintf (stdout, "# %s:%d: check failed: %s == %s (%lld != %lld)\n", __FILE__, \
                   __LINE__, #a, #b, wt_a_, wt_b_); \
          wt_test_failed = 1; \
        } \
    } while (0)

static inline void
wt_run (const char *name,
        void (     *fn )(void))
{
  wt_test_failed = 0;
  fn ();
  wt_count++;
  printf ("%s %d - %s\n", wt_test_failed ? "not ok" : "ok", wt_count, name);
  fflush (stdout);
  if (wt_test_failed)
    wt_failures++;
}

static inline int
wt_done (void)
{
  printf ("1..%d\n", wt_count);
  return wt_failures > 0 ? 1 : 0;
}

/* xorshift64*: reproducible pseudo-random numbers for fixed-seed tests. */
static uint64_t wt_rng_state = 0x9e3779b97f4a7c15ull;

static inline void
wt_seed (uint64_t seed)
{
  wt_rng_state = seed != 0 ? seed : 0x9e3779b97f4a7c15ull;
}

static inline uint32_t
wt_rand (void)
{
  wt_rng_state ^= wt_rng_state >> 12;
  wt_rng_state ^= wt_rng_state << 25;
  wt_rng_state ^= wt_rng_state >> 27;
  return (uint32_t)((wt_rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static inline uint32_t
wt_rand_range (uint32_t n)    /* 0 .. n-1 */
{
  return n > 0 ? wt_rand () % n : 0;
}

static inline int
wt_str_eq (const char *ptr,
           uint16_t    len,
           const char *want)
{
  return ptr != NULL && strlen (want) == len && memcmp (ptr, want, len) == 0;
}
