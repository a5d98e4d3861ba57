/* ridge-extract-steps-private.h — the extraction steps and the state they share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ridge_extract() (ridge-extract.c) runs the steps in order on one RidgeExtractCtx:
 *   ridge-extract-segment.c   block statistics and the foreground map
 *   ridge-extract-field.c     orientation, reliability and ridge period per block
 *   ridge-extract-enhance.c   normalisation, contextual filtering, binarisation
 *   ridge-extract-thin.c      thinning to a one-pixel skeleton
 *   ridge-extract-minutiae.c  minutiae on the skeleton, false-minutiae removal, quality
 * Orientations are computed in image coordinates (y down) and converted to the screen
 * convention of ridge-engine.h only when stored.
 */
#pragma once

#include "ridge-extract-private.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#define B               RIDGE_EXTRACT_BLOCK
#define N_OBINS         32                    /* orientation bins of the filter bank */
#define PERIOD_MIN      3.0f                  /* ridge period range at 500 dpi, pixels */
#define PERIOD_MAX      20.0f
#define PERIOD_STEP     0.5f
#define N_PBINS         ((int)((PERIOD_MAX - PERIOD_MIN) / PERIOD_STEP) + 1)
#define ALONG_HALF      5                     /* taps either side along the ridge */
#define ACROSS_HALF     8                     /* taps either side across the ridge */
#define SIG_LEN         32                    /* x-signature length, pixels */
#define SIG_WIDTH       4                     /* x-signature half width along the ridge */
#define SIG_REACH       18                    /* > √((SIG_LEN/2)² + SIG_WIDTH²) + 0.5 */

#ifndef M_PI
#define M_PI            3.14159265358979323846
#endif
#define PI_F            ((float)M_PI)

#define ALONG_SIGMA     3.0f                  /* along-ridge smoothing, pixels */

typedef struct {
  int            w, h, bw, bh, nb;
  float          scale;                       /* dpi / 500 */
  const uint8_t *px;

  /* block maps */
  float   *mean, *contrast, *coh_raw;
  float   *gxx, *gyy, *gxy;                   /* 3x3-block window sums */
  float   *dcos, *dsin;                       /* ridge direction, image coordinates */
  float   *rel;
  float   *period;
  uint8_t *measured;
  uint8_t *fg, *work;
  uint8_t *bdist;                             /* blocks to the background, capped */
  float   *clarity, *signal;
  int     *queue;                             /* nb */

  /* pixel maps */
  float   *norm, *tmp;
  uint8_t *bin, *skel;
  int32_t *mark, *aux;
  void    *pixbuf;                            /* owns norm, tmp, mark, aux, bin, skel */

  /* filter bank: along-ridge offsets per orientation, across-ridge weights per
   * (orientation, period) computed on first use */
  int      along_off[N_OBINS][2 * ALONG_HALF + 1][2];
  float    along_w[2 * ALONG_HALF + 1];
  int      across_off[N_OBINS][2 * ACROSS_HALF + 1][2];
  float   *across_w;                          /* N_OBINS * N_PBINS * taps */
  uint8_t *across_ready;
} RidgeExtractCtx;

static const int ring_dx[8] = { 0, 1, 1, 1, 0, -1, -1, -1 };   /* N NE E SE S SW W NW */
static const int ring_dy[8] = { -1, -1, 0, 1, 1, 1, 0, -1 };

static inline float
clampf (float v,
        float lo,
        float hi)
{
  return v < lo ? lo : (v > hi ? hi : v);
}

static inline int
clampi (int v,
        int lo,
        int hi)
{
  return v < lo ? lo : (v > hi ? hi : v);
}

/* lrintf without the libm call (no errno, no rounding mode): nearest, halves away from 0 */
static inline int
round_int (float v)
{
  return (int)(v >= 0 ? v + 0.5f : v - 0.5f);
}

static inline unsigned
ring_code (const uint8_t *im,
           int            w,
           size_t         k)
{
  const uint8_t *p = im + k;

  /* bit 0 of each neighbour (thinning keeps flags in the other bits) */
  return (p[-w] & 1u) | (p[1 - w] & 1u) << 1 | (p[1] & 1u) << 2 | (p[1 + w] & 1u) << 3
         | (p[w] & 1u) << 4 | (p[w - 1] & 1u) << 5 | (p[-1] & 1u) << 6 | (p[-1 - w] & 1u) << 7;
}

static inline int
ring_transitions (unsigned code)
{
  int t = 0;

  for (int q = 0; q < 8; q++)
    t += !((code >> q) & 1) && ((code >> ((q + 1) & 7)) & 1);
  return t;
}


/* The k-th smallest of v[0..n) (reorders v). */
float ridge_extract_select_kth (float *v,
                                int    n,
                                int    k);

void  ridge_extract_block_statistics (RidgeExtractCtx *c);
/* Fills fg, work and bdist; RIDGE_ENGINE_E_NO_PRINT when there is no print. */
int   ridge_extract_segment (RidgeExtractCtx *c);
void  ridge_extract_orientation (RidgeExtractCtx *c);
/* Fills period and measured; returns the median measured period. */
float ridge_extract_frequency (RidgeExtractCtx *c);
void  ridge_extract_normalise (RidgeExtractCtx *c);
/* enhanced: optional u8 map of the filtered image (NULL: not kept). */
void  ridge_extract_enhance_binarise (RidgeExtractCtx *c,
                                      uint8_t         *enhanced);
/* Thins bin into skel; returns the number of skeleton pixels, listed in mark. */
int   ridge_extract_thin (RidgeExtractCtx *c);
int   ridge_extract_detect_minutiae (RidgeExtractCtx *c,
                                     RidgeFeatures   *f,
                                     int              n_skel);
