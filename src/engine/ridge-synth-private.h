/* ridge-synth-private.h — internals of the synthetic fingerprint generator
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The generator works in two stages:
 *  - the master print (ridge-synth-master.c): pattern class, singular points, orientation
 *    and ridge-period fields, fingertip shape, the ridge pattern grown by iterative
 *    contextual Gabor filtering, and its ground-truth minutiae (ridge-synth-minutiae.c);
 *  - an impression (ridge-synth.c): the master seen through a geometric transform
 *    (translation, rotation, elastic distortion), with pressure, noise, background and
 *    partial contact.
 */
#pragma once

#include "ridge-engine.h"

#include <stdint.h>

/* ---- Deterministic pseudo-random numbers (splitmix64) ---------------------------------- */

typedef struct {
  uint64_t state;
} RidgeRng;

void     ridge_rng_init (RidgeRng *rng, uint64_t seed, uint64_t stream);
uint64_t ridge_rng_next (RidgeRng *rng);
/* Uniform in [0, 1). */
double   ridge_rng_uniform (RidgeRng *rng);
/* Uniform in [lo, hi). */
double   ridge_rng_range (RidgeRng *rng, double lo, double hi);
/* Approximately normal (mean 0, deviation 1): a sum of uniforms, no libm involved. */
double   ridge_rng_gauss (RidgeRng *rng);

/* ---- Portable maths -------------------------------------------------------------------
 *
 * libm's exp/sin/cos/atan2 may differ in the last bit between libraries and even between
 * code paths of one library (glibc picks FMA variants by CPU). Everything that shapes a
 * synthetic print uses these instead: only +, -, *, / and exact operations on doubles, so
 * the same seed gives the same bytes everywhere (C11 mode: no FMA contraction). Accurate
 * to about 1e-15 over the ranges used here. */

#define RIDGE_SYNTH_PI 3.14159265358979323846

double ridge_synth_exp (double x);
double ridge_synth_sin (double x);
double ridge_synth_cos (double x);
double ridge_synth_atan2 (double y, double x);

/* ---- Master print ------------------------------------------------------------------------ */

#define RIDGE_SYNTH_MAX_SINGULAR 4

typedef struct {
  float x, y;
} RidgeSynthPoint;

/* Fingertip shape: four quarter ellipses around a rectangle (SFinGe). */
typedef struct {
  float cx, cy;                /* centre of the middle rectangle */
  float left, right;           /* half widths */
  float top, bottom;           /* heights of the upper and lower elliptic caps */
  float middle;                /* height of the middle rectangle */
} RidgeSynthShape;

typedef struct {
  int               width;     /* master canvas, in pixels */
  int               height;
  float             scale;     /* dpi / 500 */
  RidgePatternClass pattern;
  int               n_cores;
  int               n_deltas;
  RidgeSynthPoint   cores[RIDGE_SYNTH_MAX_SINGULAR];
  RidgeSynthPoint   deltas[RIDGE_SYNTH_MAX_SINGULAR];
  RidgeSynthShape   shape;
  float             mean_period; /* pixels */
  float            *ridges;      /* width * height: > 0 on ridges, < 0 in valleys, in [-1, 1] */
  int               n_minutiae;
  RidgeMinutia     *minutiae;  /* ground truth on the master (RIDGE_MAX_MINUTIAE at most) */
} RidgeSynthMaster;

int  ridge_synth_master_build (uint32_t finger_seed, int dpi, RidgeSynthMaster *master);
void ridge_synth_master_clear (RidgeSynthMaster *master);

/* Signed distance-like measure of (x, y) to the fingertip border: > 0 inside, roughly in
 * pixels near the border. */
float ridge_synth_shape_inside (const RidgeSynthShape *shape, float x, float y);

/* ---- Skeleton minutiae (shared by the master and the impression check) ------------------ */

/* Thins a binary image in place (1 = ridge, 0 = valley; the one-pixel frame must be 0)
 * to an 8-connected one-pixel-wide skeleton. work must hold width * height bytes. */
void ridge_synth_thin (uint8_t *bin, int width, int height, uint8_t *work);

/* Crossing number of the skeleton pixel (x, y): 1 ending, 2 ridge, 3+ bifurcation. */
int ridge_synth_crossing_number (const uint8_t *skel, int width, int x, int y);

/* Finds minutiae on a thinned skeleton, removes the artefacts of thinning (spurs, short
 * islands, broken ridges, small lakes) and those where mask (if not NULL) says the
 * print is within `border` pixels of its edge (mask: 1 = usable). Returns the number
 * written to out (at most cap). period: mean ridge period in pixels. */
int ridge_synth_skeleton_minutiae (const uint8_t *skel, int width, int height,
                                   const uint8_t *mask, float period,
                                   RidgeMinutia *out, int cap);
