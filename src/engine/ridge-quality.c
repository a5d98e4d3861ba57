/* ridge-quality.c — image quality score (0..100) and placement hints
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * In the spirit of NFIQ 2 (ISO/IEC 29794-4): local features measured per block of the
 * foreground — orientation certainty, ridge/valley clarity, ridge-signal contrast,
 * frequency consistency — are combined into a block quality (the quality map); the
 * image score is the quality-weighted foreground area in mm² against the area of a
 * good impression, tempered by the number of good minutiae. Because the score sums over
 * blocks (never averages), losing area (a crop) or losing clarity (noise, blur, low
 * contrast) can only lower it. See docs/engine.md, "Quality".
 */

#include "ridge-extract-private.h"

#include <math.h>

/* quality-weighted area (mm²) that earns the full score: a well placed finger on a
 * 500 dpi optical sensor of about 19 x 19 mm shows more than this */
#define GOOD_AREA_MM2     80.0f
#define CONTRAST_SCALE    30.0f
#define GOOD_MINUTIAE     24

static float
clamp01 (float v)
{
  return v < 0 ? 0 : (v > 1 ? 1 : v);
}

void
ridge_quality_analyse (RidgeFeatures         *f,
                       const RidgeBlockStats *st,
                       int                    dpi)
{
  int nb = f->bw * f->bh, n_fg = 0, n_good = 0;
  double weighted = 0, sum_x = 0, sum_y = 0, sum_mean = 0, sum_clarity = 0, sum_rel = 0;
  double sum_p = 0, sum_p2 = 0;
  float px_per_mm = (float)dpi / 25.4f, block_mm2, area_mm2, score;
  float cx, cy, mean_grey, clarity, rel, freq_cv, minutiae_factor;
  unsigned hints = RIDGE_HINT_NONE;

  block_mm2 = (float)(RIDGE_EXTRACT_BLOCK * RIDGE_EXTRACT_BLOCK) / (px_per_mm * px_per_mm);

  for (int b = 0; b < nb; b++)
    {
      float rel_f, clar_f, con_f, freq_f, signal_contrast;

      if (!f->foreground[b])
        {
          f->quality_map[b] = 0;
          continue;
        }
      n_fg++;
      /* contrast of the ridge signal itself, in grey levels: noise raises the raw
       * contrast but not this */
      signal_contrast = st->contrast[b] * sqrtf (st->signal[b]);
      rel_f = clamp01 ((f->reliability[b] - 0.05f) / 0.9f);
      clar_f = clamp01 (st->clarity[b]);
      con_f = 1.0f - expf (-signal_contrast / CONTRAST_SCALE);
      freq_f = st->freq_measured[b] ? 1.0f : 0.7f;
      f->quality_map[b] = (uint8_t)lrintf (100.0f * rel_f * clar_f * con_f * freq_f);
      weighted += f->quality_map[b] / 100.0;
      sum_x += (b % f->bw) + 0.5;
      sum_y += (b / f->bw) + 0.5;
      sum_mean += st->mean[b];
      sum_clarity += st->clarity[b];
      sum_rel += f->reliability[b];
      if (f->frequency[b] > 0)
        {
          sum_p += 1.0 / f->frequency[b];
          sum_p2 += 1.0 / ((double)f->frequency[b] * f->frequency[b]);
        }
    }
  if (n_fg == 0)
    {
      f->quality = 0;
      f->hints = RIDGE_HINT_TOO_SMALL;
      return;
    }

  for (int i = 0; i < f->n_minutiae; i++)
    n_good += f->minutiae[i].quality >= 40;

  /* frequency consistency: the ridge period of a finger varies little */
  {
    double m = sum_p / n_fg, var = sum_p2 / n_fg - m * m;

    freq_cv = m > 0 ? (float)(sqrt (var > 0 ? var : 0) / m) : 1.0f;
  }
  area_mm2 = (float)n_fg * block_mm2;
  minutiae_factor = 0.6f + 0.4f * clamp01 ((float)n_good / GOOD_MINUTIAE);
  score = 100.0f * (1.0f - expf (-(float)weighted * block_mm2 / GOOD_AREA_MM2))
          * minutiae_factor * (1.0f - 0.5f * clamp01 ((freq_cv - 0.15f) / 0.35f));
  f->quality = (int)lrintf (score < 0 ? 0 : (score > 100 ? 100 : score));

  /* placement hints from the maps */
  cx = (float)(sum_x / n_fg) / (float)f->bw;
  cy = (float)(sum_y / n_fg) / (float)f->bh;
  mean_grey = (float)(sum_mean / n_fg);
  clarity = (float)(sum_clarity / n_fg);
  rel = (float)(sum_rel / n_fg);
  if (cx > 0.62f)
    hints |= RIDGE_HINT_MOVE_LEFT;
  else if (cx < 0.38f)
    hints |= RIDGE_HINT_MOVE_RIGHT;
  if (cy > 0.62f)
    hints |= RIDGE_HINT_MOVE_UP;
  else if (cy < 0.38f)
    hints |= RIDGE_HINT_MOVE_DOWN;
  if (area_mm2 < 60.0f || n_fg * 4 < nb)
    hints |= RIDGE_HINT_TOO_SMALL;
  if (mean_grey < 70.0f)
    hints |= RIDGE_HINT_TOO_DARK;
  else if (mean_grey > 200.0f)
    hints |= RIDGE_HINT_TOO_LIGHT;
  if (clarity < 0.45f || rel < 0.3f)
    hints |= RIDGE_HINT_SMUDGED;
  f->hints = hints;
}

int
ridge_features_quality (const RidgeFeatures *f)
{
  return f != NULL ? f->quality : 0;
}

unsigned
ridge_features_hints (const RidgeFeatures *f)
{
  return f != NULL ? f->hints : RIDGE_HINT_NONE;
}
