/* ridge-extract-segment.c — block statistics (grey mean, contrast, gradient moments) and segmentation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ridge-extract-steps-private.h"

#include <stdlib.h>
#include <string.h>

/* ---- block statistics: grey mean/contrast and gradient moments ---------------------- */

void
ridge_extract_block_statistics (RidgeExtractCtx *c)
{
  int bw = c->bw, bh = c->bh, w = c->w, h = c->h;
  int64_t *s1 = calloc ((size_t)c->nb * 6, sizeof (int64_t));
  int64_t *s2, *sn, *sxx, *syy, *sxy;

  if (s1 == NULL)
    return;
  s2 = s1 + c->nb; sn = s2 + c->nb; sxx = sn + c->nb; syy = sxx + c->nb; sxy = syy + c->nb;

  /* per row: the Sobel operator's vertical parts (vs: 1 2 1 smoothing for gx, vd: the
   * difference for gy), then one block run of B pixels at a time with 32-bit sums (a run
   * of B pixels stays far below 2^31) */
  {
    /* the pixel buffer tmp (np floats) is free until the enhancement: two rows of ints,
     * each with a copy of its end pixels on either side (the image edge is replicated) */
    int32_t *vs = (int32_t *)c->tmp + 1, *vd = vs + w + 2;

    for (int y = 0; y < h; y++)
      {
        const uint8_t *r = c->px + (size_t)y * w;
        const uint8_t *ru = c->px + (size_t)(y > 0 ? y - 1 : y) * w;
        const uint8_t *rd = c->px + (size_t)(y < h - 1 ? y + 1 : y) * w;
        int64_t *b1 = s1 + (size_t)(y / B) * bw, *b2 = s2 + (size_t)(y / B) * bw;
        int64_t *bn = sn + (size_t)(y / B) * bw, *bxx = sxx + (size_t)(y / B) * bw;
        int64_t *byy = syy + (size_t)(y / B) * bw, *bxy = sxy + (size_t)(y / B) * bw;

        for (int x = 0; x < w; x++)
          {
            vs[x] = ru[x] + 2 * r[x] + rd[x];
            vd[x] = rd[x] - ru[x];
          }
        vs[-1] = vs[0];
        vs[w] = vs[w - 1];
        vd[-1] = vd[0];
        vd[w] = vd[w - 1];
        for (int i = 0; i < bw; i++)
          {
            int x0 = i * B, x1 = x0 + B < w ? x0 + B : w;
            int32_t a1 = 0, a2 = 0, axx = 0, ayy = 0, axy = 0;

            for (int x = x0; x < x1; x++)
              {
                int gx = vs[x + 1] - vs[x - 1], gy = vd[x - 1] + 2 * vd[x] + vd[x + 1];

                a1 += r[x];
                a2 += r[x] * r[x];
                axx += gx * gx;
                ayy += gy * gy;
                axy += gx * gy;
              }
            b1[i] += a1;
            b2[i] += a2;
            bn[i] += x1 - x0;
            bxx[i] += axx;
            byy[i] += ayy;
            bxy[i] += axy;
          }
      }
  }

  for (int j = 0; j < bh; j++)
    for (int i = 0; i < bw; i++)
      {
        double a1 = 0, a2 = 0, an = 0, axx = 0, ayy = 0, axy = 0;
        int b = j * bw + i;

        for (int v = -1; v <= 1; v++)
          for (int u = -1; u <= 1; u++)
            {
              int jj = j + v, ii = i + u, k;

              if (jj < 0 || jj >= bh || ii < 0 || ii >= bw)
                continue;
              k = jj * bw + ii;
              a1 += (double)s1[k]; a2 += (double)s2[k]; an += (double)sn[k];
              axx += (double)sxx[k]; ayy += (double)syy[k]; axy += (double)sxy[k];
            }
        c->mean[b] = (float)(a1 / an);
        c->contrast[b] = (float)sqrt (fmax (0.0, a2 / an - (a1 / an) * (a1 / an)));
        c->gxx[b] = (float)(axx / an);
        c->gyy[b] = (float)(ayy / an);
        c->gxy[b] = (float)(axy / an);
        c->coh_raw[b] = (float)(sqrt ((axx - ayy) * (axx - ayy) + 4 * axy * axy)
                                / (axx + ayy + 1e-9));
      }
  free (s1);
}

/* ---- segmentation -------------------------------------------------------------------- */

/* The k-th smallest of v[0..n) (reorders v): Hoare's selection, O(n) on average. */
float
ridge_extract_select_kth (float *v,
                          int    n,
                          int    k)
{
  int lo = 0, hi = n - 1;

  while (lo < hi)
    {
      float pivot = v[lo + (hi - lo) / 2];
      int i = lo, j = hi;

      while (i <= j)
        {
          while (v[i] < pivot)
            i++;
          while (v[j] > pivot)
            j--;
          if (i <= j)
            {
              float t = v[i];

              v[i] = v[j];
              v[j] = t;
              i++;
              j--;
            }
        }
      if (k <= j)
        hi = j;
      else if (k >= i)
        lo = i;
      else
        break;
    }
  return v[k];
}

/* Keeps the largest 8-connected foreground component of c->fg, then fills its holes. */
static void
largest_component (RidgeExtractCtx *c)
{
  int nb = c->nb, bw = c->bw, bh = c->bh, best_label = 0, best_size = 0, label = 0;
  int *lab = calloc ((size_t)nb, sizeof (int));

  if (lab == NULL)
    return;
  for (int s = 0; s < nb; s++)
    {
      int head = 0, tail = 0, size = 0;

      if (!c->fg[s] || lab[s])
        continue;
      label++;
      lab[s] = label;
      c->queue[tail++] = s;
      while (head < tail)
        {
          int b = c->queue[head++], i = b % bw, j = b / bw;

          size++;
          for (int k = 0; k < 8; k++)
            {
              int ii = i + ring_dx[k], jj = j + ring_dy[k], n;

              if (ii < 0 || jj < 0 || ii >= bw || jj >= bh)
                continue;
              n = jj * bw + ii;
              if (c->fg[n] && !lab[n])
                {
                  lab[n] = label;
                  c->queue[tail++] = n;
                }
            }
        }
      if (size > best_size)
        {
          best_size = size;
          best_label = label;
        }
    }
  for (int b = 0; b < nb; b++)
    c->fg[b] = lab[b] == best_label && best_label != 0;

  /* holes: background not 4-connected to the map border becomes foreground */
  {
    int head = 0, tail = 0;

    memset (lab, 0, (size_t)nb * sizeof (int));
    for (int b = 0; b < nb; b++)
      {
        int i = b % bw, j = b / bw;

        if (!c->fg[b] && (i == 0 || j == 0 || i == bw - 1 || j == bh - 1))
          {
            lab[b] = 1;
            c->queue[tail++] = b;
          }
      }
    while (head < tail)
      {
        int b = c->queue[head++], i = b % bw, j = b / bw;

        for (int k = 0; k < 8; k += 2)
          {
            int ii = i + ring_dx[k], jj = j + ring_dy[k], n;

            if (ii < 0 || jj < 0 || ii >= bw || jj >= bh)
              continue;
            n = jj * bw + ii;
            if (!c->fg[n] && !lab[n])
              {
                lab[n] = 1;
                c->queue[tail++] = n;
              }
          }
      }
    for (int b = 0; b < nb; b++)
      if (!c->fg[b] && !lab[b])
        c->fg[b] = 1;
  }
  free (lab);
}

static void
majority_filter (RidgeExtractCtx *c,
                 uint8_t         *scratch)
{
  memcpy (scratch, c->fg, (size_t)c->nb);
  for (int j = 0; j < c->bh; j++)
    for (int i = 0; i < c->bw; i++)
      {
        int n = 0, t = 0;

        for (int v = -1; v <= 1; v++)
          for (int u = -1; u <= 1; u++)
            {
              int ii = i + u, jj = j + v;

              if (ii < 0 || jj < 0 || ii >= c->bw || jj >= c->bh)
                continue;
              t++;
              n += scratch[jj * c->bw + ii];
            }
        c->fg[j * c->bw + i] = 2 * n > t;
      }
}

/* chessboard distance to the background in blocks (outside the image is background) */
static void
distance_to_background (RidgeExtractCtx *c)
{
  for (int pass = 0; pass < 2; pass++)
    for (int k = 0; k < c->nb; k++)
      {
        int b = pass == 0 ? k : c->nb - 1 - k, i = b % c->bw, j = b / c->bw, d;

        if (!c->fg[b])
          {
            c->bdist[b] = 0;
            continue;
          }
        d = pass == 0 ? 255 : c->bdist[b];
        for (int q = 0; q < 8; q++)
          {
            int ii = i + ring_dx[q], jj = j + ring_dy[q];
            int nd = (ii < 0 || jj < 0 || ii >= c->bw || jj >= c->bh)
                     ? 1 : c->bdist[jj * c->bw + ii] + 1;

            /* the first pass only trusts neighbours already visited */
            if (pass == 0 && !(ii < 0 || jj < 0 || ii >= c->bw || jj >= c->bh)
                && jj * c->bw + ii > b)
              continue;
            if (nd < d)
              d = nd;
          }
        c->bdist[b] = (uint8_t)(d > 255 ? 255 : d);
      }

}

int
ridge_extract_segment (RidgeExtractCtx *c)
{
  float *sorted = malloc ((size_t)c->nb * sizeof (float));
  float thr;
  int count = 0;

  if (sorted == NULL)
    return RIDGE_ENGINE_E_NOMEM;
  memcpy (sorted, c->contrast, (size_t)c->nb * sizeof (float));
  thr = fmaxf (6.0f, 0.3f * ridge_extract_select_kth (sorted, c->nb, (c->nb * 9) / 10));
  free (sorted);

  for (int b = 0; b < c->nb; b++)
    c->fg[b] = c->contrast[b] > thr && c->coh_raw[b] > 0.2f;
  majority_filter (c, c->work);
  majority_filter (c, c->work);
  largest_component (c);

  for (int b = 0; b < c->nb; b++)
    count += c->fg[b];
  if (count < 16 || count * 50 < c->nb)
    return RIDGE_ENGINE_E_NO_PRINT;

  distance_to_background (c);

  /* work area: foreground dilated by one block (the filters read around it) */
  for (int b = 0; b < c->nb; b++)
    {
      int i = b % c->bw, j = b / c->bw;

      c->work[b] = 0;
      for (int v = -1; v <= 1 && !c->work[b]; v++)
        for (int u = -1; u <= 1; u++)
          {
            int ii = i + u, jj = j + v;

            if (ii >= 0 && jj >= 0 && ii < c->bw && jj < c->bh && c->fg[jj * c->bw + ii])
              {
                c->work[b] = 1;
                break;
              }
          }
    }
  return RIDGE_ENGINE_OK;
}
