/* ridge-extract-field.c — orientation field, its reliability and the ridge period per block
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ridge-extract-steps-private.h"

#include <stdlib.h>
#include <string.h>

/* ---- orientation ---------------------------------------------------------------------- */

void
ridge_extract_orientation (RidgeExtractCtx *c)
{
  static const float k5[5] = { 1, 4, 6, 4, 1 };
  int bw = c->bw, bh = c->bh;

  for (int j = 0; j < bh; j++)
    for (int i = 0; i < bw; i++)
      {
        double vx = 0, vy = 0, e = 0;
        int b = j * bw + i;
        float theta;

        for (int v = -2; v <= 2; v++)
          for (int u = -2; u <= 2; u++)
            {
              int ii = i + u, jj = j + v, k;
              float wgt;

              if (ii < 0 || jj < 0 || ii >= bw || jj >= bh)
                continue;
              k = jj * bw + ii;
              wgt = k5[u + 2] * k5[v + 2];
              vx += wgt * (c->gxx[k] - c->gyy[k]);
              vy += wgt * 2 * c->gxy[k];
              e += wgt * (c->gxx[k] + c->gyy[k]);
            }
        /* gradient direction is 0.5 atan2 (vy, vx); ridges run perpendicular to it */
        theta = 0.5f * atan2f ((float)vy, (float)vx) + PI_F / 2;
        c->dcos[b] = cosf (theta);
        c->dsin[b] = sinf (theta);
        c->rel[b] = e > 1e-6 ? clampf ((float)(sqrt (vx * vx + vy * vy) / e), 0, 1) : 0;
      }
}

/* ---- ridge frequency (x-signature) --------------------------------------------------- */

static float
signature_period (const RidgeExtractCtx *c,
                  int                    b)
{
  float sig[SIG_LEN], sm[SIG_LEN], lo = 1e9f, hi = -1e9f, first = -1, last = -1;
  int cx = (b % c->bw) * B + B / 2, cy = (b / c->bw) * B + B / 2, n = 0;
  float dx = c->dcos[b], dy = c->dsin[b], nx = -dy, ny = dx;

  /* every sample lies within SIG_REACH pixels of the centre: away from the image edge,
   * no clamping, and the coordinates are positive (rounding is a truncation of v + 0.5) */
  int inside = cx >= SIG_REACH && cy >= SIG_REACH && cx + SIG_REACH < c->w
               && cy + SIG_REACH < c->h;

  for (int k = 0; k < SIG_LEN; k++)
    {
      float t = (float)k - SIG_LEN / 2, acc = 0;

      for (int s = -SIG_WIDTH; s <= SIG_WIDTH; s += 2)
        {
          float fx = cx + t * nx + s * dx, fy = cy + t * ny + s * dy;
          int x, y;

          if (inside)
            {
              x = (int)(fx + 0.5f);
              y = (int)(fy + 0.5f);
            }
          else
            {
              x = clampi (round_int (fx), 0, c->w - 1);
              y = clampi (round_int (fy), 0, c->h - 1);
            }
          acc += c->px[(size_t)y * c->w + x];
        }
      sig[k] = acc / (SIG_WIDTH + 1);
    }
  for (int k = 0; k < SIG_LEN; k++)
    {
      int a = k > 0 ? k - 1 : k, z = k < SIG_LEN - 1 ? k + 1 : k;

      sm[k] = 0.25f * sig[a] + 0.5f * sig[k] + 0.25f * sig[z];
      lo = sm[k] < lo ? sm[k] : lo;   /* no libm call: no NaN here */
      hi = sm[k] > hi ? sm[k] : hi;
    }
  if (hi - lo < 4.0f)
    return 0;
  /* ridges are dark: the minima of the signature */
  for (int k = 1; k < SIG_LEN - 1; k++)
    if (sm[k] < sm[k - 1] && sm[k] <= sm[k + 1] && sm[k] < lo + 0.6f * (hi - lo))
      {
        float den = sm[k - 1] - 2 * sm[k] + sm[k + 1];
        float pos = (float)k + (den > 1e-6f ? 0.5f * (sm[k - 1] - sm[k + 1]) / den : 0);

        if (first < 0)
          first = pos;
        last = pos;
        n++;
      }
  if (n < 2)
    return 0;
  {
    float p = (last - first) / (float)(n - 1);

    if (p < PERIOD_MIN * c->scale || p > PERIOD_MAX * c->scale)
      return 0;
    return p;
  }
}

float
ridge_extract_frequency (RidgeExtractCtx *c)
{
  float *vals = malloc ((size_t)c->nb * sizeof (float)), median, *sm;
  int nv = 0;

  if (vals == NULL)
    return 9.0f * c->scale;
  for (int b = 0; b < c->nb; b++)
    {
      c->period[b] = c->fg[b] ? signature_period (c, b) : 0;
      c->measured[b] = c->period[b] > 0;
      if (c->measured[b] && c->fg[b])
        vals[nv++] = c->period[b];
    }
  if (nv > 0)
    {
      median = ridge_extract_select_kth (vals, nv, nv / 2);
    }
  else
    median = 9.0f * c->scale;

  /* reject outliers, then fill the holes from the neighbours */
  for (int b = 0; b < c->nb; b++)
    if (c->measured[b] && (c->period[b] < 0.55f * median || c->period[b] > 1.8f * median))
      {
        c->period[b] = 0;
        c->measured[b] = 0;
      }
  sm = vals;   /* reuse as scratch */
  for (int it = 0; it < 16; it++)
    {
      int missing = 0;

      memcpy (sm, c->period, (size_t)c->nb * sizeof (float));
      for (int b = 0; b < c->nb; b++)
        {
          int i = b % c->bw, j = b / c->bw, n = 0;
          float acc = 0;

          if (sm[b] > 0 || !c->work[b])
            continue;
          for (int q = 0; q < 8; q++)
            {
              int ii = i + ring_dx[q], jj = j + ring_dy[q];

              if (ii >= 0 && jj >= 0 && ii < c->bw && jj < c->bh && sm[jj * c->bw + ii] > 0)
                {
                  acc += sm[jj * c->bw + ii];
                  n++;
                }
            }
          if (n > 0)
            c->period[b] = acc / n;
          else
            missing++;
        }
      if (missing == 0)
        break;
    }
  /* smooth over 3x3 blocks */
  memcpy (sm, c->period, (size_t)c->nb * sizeof (float));
  for (int b = 0; b < c->nb; b++)
    {
      int i = b % c->bw, j = b / c->bw, n = 0;
      float acc = 0;

      if (!c->work[b])
        {
          c->period[b] = median;
          continue;
        }
      for (int v = -1; v <= 1; v++)
        for (int u = -1; u <= 1; u++)
          {
            int ii = i + u, jj = j + v;

            if (ii >= 0 && jj >= 0 && ii < c->bw && jj < c->bh && sm[jj * c->bw + ii] > 0)
              {
                acc += sm[jj * c->bw + ii];
                n++;
              }
          }
      c->period[b] = n > 0 ? acc / n : median;
    }
  free (vals);
  return median;
}
