/* ridge-extract-enhance.c — normalisation, oriented contextual filtering and binarisation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ridge-extract-steps-private.h"

#include <stdlib.h>
#include <string.h>

/* ---- normalisation -------------------------------------------------------------------- */

void
ridge_extract_normalise (RidgeExtractCtx *c)
{
  /* bilinear interpolation of the block mean and contrast between block centres: per
   * row, interpolate the two block rows, then walk along the row one stretch between two
   * block centres at a time (the column weights are the same on every row) */
  float *rm = c->tmp, *rs = c->tmp + c->bw;   /* tmp is free until the enhancement */
  float *wxa = rs + c->bw;                    /* c->w column weights */

  for (int x = 0; x < c->w; x++)
    {
      int fx8 = 2 * x + 1 - B;                /* 2 B (x + 0.5 - B / 2), in 1/(2B) units */

      wxa[x] = fx8 < 0 ? 0 : (float)(fx8 - 2 * B * (fx8 / (2 * B))) / (2 * B);
    }
  for (int y = 0; y < c->h; y++)
    {
      int fy8 = 2 * y + 1 - B;
      int j0 = fy8 < 0 ? 0 : fy8 / (2 * B), j1 = j0 + 1 < c->bh ? j0 + 1 : c->bh - 1;
      float wy = fy8 < 0 ? 0 : (float)(fy8 - 2 * B * j0) / (2 * B);
      const uint8_t *src = c->px + (size_t)y * c->w;
      float *dst = c->norm + (size_t)y * c->w;

      for (int i = 0; i < c->bw; i++)
        {
          float s;

          rm[i] = (1 - wy) * c->mean[j0 * c->bw + i] + wy * c->mean[j1 * c->bw + i];
          s = (1 - wy) * c->contrast[j0 * c->bw + i] + wy * c->contrast[j1 * c->bw + i];
          rs[i] = 1.0f / (s > 6.0f ? s : 6.0f);
        }
      /* columns [x0, x1) lie between the centres of blocks i0 and i0 + 1 */
      for (int i0 = 0; i0 < c->bw; i0++)
        {
          int i1 = i0 + 1 < c->bw ? i0 + 1 : c->bw - 1;
          int x0 = i0 == 0 ? 0 : B * i0 + B / 2, x1 = B * (i0 + 1) + B / 2;
          float m0 = rm[i0], m1 = rm[i1], s0 = rs[i0], s1 = rs[i1];

          if (x1 > c->w || i0 == c->bw - 1)
            x1 = c->w;
          for (int x = x0; x < x1; x++)
            {
              float wx = wxa[x];

              dst[x] = ((float)src[x] - ((1 - wx) * m0 + wx * m1)) * ((1 - wx) * s0 + wx * s1);
            }
        }
    }
}

/* ---- contextual enhancement --------------------------------------------------------- */

static void
build_filter_offsets (RidgeExtractCtx *c)
{
  float sum = 0;

  for (int t = -ALONG_HALF; t <= ALONG_HALF; t++)
    {
      c->along_w[t + ALONG_HALF] = expf (-(float)(t * t) / (2 * ALONG_SIGMA * ALONG_SIGMA));
      sum += c->along_w[t + ALONG_HALF];
    }
  for (int t = 0; t < 2 * ALONG_HALF + 1; t++)
    c->along_w[t] /= sum;
  for (int o = 0; o < N_OBINS; o++)
    {
      float th = (float)o * PI_F / N_OBINS, dx = cosf (th), dy = sinf (th);

      for (int t = -ALONG_HALF; t <= ALONG_HALF; t++)
        {
          c->along_off[o][t + ALONG_HALF][0] = round_int ((float)t * dx);
          c->along_off[o][t + ALONG_HALF][1] = round_int ((float)t * dy);
        }
      for (int t = -ACROSS_HALF; t <= ACROSS_HALF; t++)
        {
          c->across_off[o][t + ACROSS_HALF][0] = round_int ((float)t * -dy);
          c->across_off[o][t + ACROSS_HALF][1] = round_int ((float)t * dx);
        }
    }
}

/* Band-pass weights across the ridge for orientation bin o and period bin p: a Gabor
 * profile evaluated at each tap's true distance from the ridge line, zero mean, and
 * unit gain on a sinusoid of the bin's period. */
static const float *
across_weights (RidgeExtractCtx *c,
                int              o,
                int              p)
{
  int taps = 2 * ACROSS_HALF + 1, key = o * N_PBINS + p;
  float *w = c->across_w + (size_t)key * taps;

  if (!c->across_ready[key])
    {
      float period = PERIOD_MIN + PERIOD_STEP * (float)p;
      float th = (float)o * PI_F / N_OBINS, nx = -sinf (th), ny = cosf (th);
      float sigma = fminf (0.5f * period, 4.5f), g[2 * ACROSS_HALF + 1], u[2 * ACROSS_HALF + 1];
      float sg = 0, sgc = 0, gain = 0;

      for (int t = 0; t < taps; t++)
        {
          u[t] = c->across_off[o][t][0] * nx + c->across_off[o][t][1] * ny;
          g[t] = expf (-u[t] * u[t] / (2 * sigma * sigma));
          sg += g[t];
          sgc += g[t] * cosf (2 * PI_F * u[t] / period);
        }
      for (int t = 0; t < taps; t++)
        {
          w[t] = g[t] * (cosf (2 * PI_F * u[t] / period) - sgc / sg);
          gain += w[t] * cosf (2 * PI_F * u[t] / period);
        }
      for (int t = 0; t < taps; t++)
        w[t] /= gain > 1e-6f ? gain : 1;
      c->across_ready[key] = 1;
    }
  return w;
}

static int
orientation_bin (const RidgeExtractCtx *c,
                 int                    b)
{
  float th = atan2f (c->dsin[b], c->dcos[b]);

  if (th < 0)
    th += PI_F;
  return (round_int (th / (PI_F / N_OBINS))) % N_OBINS;
}

/* Oriented filtering of one block: out[k] = Σ_t wt[t] · in[k + off[t]]. Blocks far
 * enough from the image edge take the fast path without clamping. */
static void
filter_block (const RidgeExtractCtx *c,
              int                    b,
              const float           *in,
              int                    taps,
              const int (*off)[2],
              const float           *wt,
              float                 *out,
              int                    out_stride)
{
  int w = c->w, h = c->h, x0 = (b % c->bw) * B, y0 = (b / c->bw) * B;
  int half = taps / 2, x1 = x0 + B < w ? x0 + B : w, y1 = y0 + B < h ? y0 + B : h;
  ptrdiff_t rel[2 * ACROSS_HALF + 1];

  for (int t = 0; t < taps; t++)
    rel[t] = (ptrdiff_t)off[t][1] * w + off[t][0];
  if (x0 >= half && y0 >= half && x1 + half <= w && y1 + half <= h && x1 - x0 == B)
    {
      /* a row of B pixels at a time, taps outside: the inner loop reads contiguous
       * floats and vectorises; each pixel still sums its taps in the same order */
      for (int y = y0; y < y1; y++)
        {
          const float *row = in + (size_t)y * w + x0;
          float acc[B] = { 0 };

          for (int t = 0; t < taps; t++)
            {
              const float *src = row + rel[t];
              float wgt = wt[t];

              for (int i = 0; i < B; i++)
                acc[i] += wgt * src[i];
            }
          for (int i = 0; i < B; i++)
            out[(y - y0) * out_stride + i] = acc[i];
        }
      return;
    }
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      {
        float acc = 0;

        for (int t = 0; t < taps; t++)
          {
            int xx = clampi (x + off[t][0], 0, w - 1), yy = clampi (y + off[t][1], 0, h - 1);

            acc += wt[t] * in[(size_t)yy * w + xx];
          }
        out[(y - y0) * out_stride + (x - x0)] = acc;
      }
}

/* Contextual enhancement and binarisation. Pass 1 smooths along the ridge (into tmp),
 * pass 2 band-passes across it, tuned to the local period; its sign gives the binary
 * image (ridges are dark: negative after normalisation and the band-pass). Also measures
 * each block's clarity (ridge/valley separation of the normalised grey levels) and
 * signal (share of the normalised energy the filter keeps). enhanced: optional u8 map. */
void
ridge_extract_enhance_binarise (RidgeExtractCtx *c,
                                uint8_t         *enhanced)
{
  int w = c->w, h = c->h;

  build_filter_offsets (c);
  memset (c->bin, 0, (size_t)w * h);
  if (enhanced != NULL)
    memset (enhanced, 255, (size_t)w * h);

  /* pass 1 over the work area; zero elsewhere, pass 2 reads a little around it */
  for (int b = 0; b < c->nb; b++)
    {
      int x0 = (b % c->bw) * B, y0 = (b / c->bw) * B;

      if (c->work[b])
        filter_block (c, b, c->norm, 2 * ALONG_HALF + 1,
                      (const int (*)[2])c->along_off[orientation_bin (c, b)], c->along_w,
                      c->tmp + (size_t)y0 * w + x0, w);
      else
        for (int y = y0; y < y0 + B && y < h; y++)
          for (int x = x0; x < x0 + B && x < w; x++)
            c->tmp[(size_t)y * w + x] = 0;
    }

  for (int b = 0; b < c->nb; b++)
    {
      int o, p, x0 = (b % c->bw) * B, y0 = (b / c->bw) * B, nr = 0, nv = 0;
      float out[B * B];
      double sr = 0, sv = 0, e_enh = 0, e_norm = 0;

      c->clarity[b] = 0;
      c->signal[b] = 0;
      if (!c->work[b])
        continue;
      o = orientation_bin (c, b);
      p = clampi (round_int ((c->period[b] - PERIOD_MIN) / PERIOD_STEP), 0, N_PBINS - 1);
      filter_block (c, b, c->tmp, 2 * ACROSS_HALF + 1, (const int (*)[2])c->across_off[o],
                    across_weights (c, o, p), out, B);
      for (int y = y0; y < y0 + B && y < h; y++)
        for (int x = x0; x < x0 + B && x < w; x++)
          {
            size_t k = (size_t)y * w + x;
            float e = out[(y - y0) * B + (x - x0)], n = c->norm[k];

            c->bin[k] = e < 0;
            if (e < 0)
              {
                sr += n;
                nr++;
              }
            else
              {
                sv += n;
                nv++;
              }
            e_enh += (double)e * e;
            e_norm += (double)n * n;
            if (enhanced != NULL && c->fg[b])
              enhanced[k] = (uint8_t)clampi (round_int (128 + 64 * e), 0, 255);
          }
      if (nr > 0 && nv > 0)
        c->clarity[b] = clampf ((float)((sv / nv - sr / nr) / 1.8), 0, 1);
      c->signal[b] = e_norm > 0 ? clampf ((float)(e_enh / e_norm), 0, 1) : 0;
    }
}
