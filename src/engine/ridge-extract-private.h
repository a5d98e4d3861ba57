/* ridge-extract-private.h — what extraction hands to the quality stage
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ridge-engine.h"

#define RIDGE_EXTRACT_BLOCK 8   /* pixels per block-map cell side */

struct RidgeFeatures {
  int          width, height;   /* image, pixels */
  int          bw, bh;          /* block maps, cells */
  int          n_minutiae;
  RidgeMinutia minutiae[RIDGE_MAX_MINUTIAE];
  int          quality;         /* 0..100 */
  unsigned     hints;           /* RidgePlacementHint bits */

  /* block maps: always present (small) */
  uint8_t *foreground;          /* 0 / 255 */
  float   *orientation;         /* radians [0, π), screen convention */
  float   *reliability;         /* 0..1 */
  float   *frequency;           /* ridges per pixel, 0 unknown */
  uint8_t *quality_map;         /* 0..100 */

  /* pixel maps: only with keep_maps (NULL otherwise) */
  uint8_t *enhanced;
  uint8_t *binary;
  uint8_t *skeleton;
};

/* Per-block measurements the quality stage combines (all bw * bh, computed for every
 * block; only foreground blocks are meaningful). */
typedef struct {
  const float   *mean;          /* grey mean over the block's window */
  const float   *contrast;      /* grey standard deviation over the window */
  const float   *clarity;       /* ridge/valley separation 0..1 */
  const float   *signal;        /* share of the block's variance the ridge filter keeps 0..1 */
  const uint8_t *freq_measured; /* 1 where the frequency was measured, 0 interpolated */
  float          period_median; /* pixels */
} RidgeBlockStats;

/* Fills f->quality_map, f->quality and f->hints from the block maps, the block
 * statistics and the minutiae already in f. */
void ridge_quality_analyse (RidgeFeatures *f, const RidgeBlockStats *st, int dpi);
