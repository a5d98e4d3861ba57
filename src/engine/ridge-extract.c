/* ridge-extract.c — minutiae extraction: segmentation, normalisation, orientation,
 * frequency, contextual enhancement, binarisation, thinning, minutiae and their cleaning
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every step works on a grid of RIDGE_EXTRACT_BLOCK-pixel blocks (block maps) or on the
 * pixels (pixel maps). Memory is proportional to the image (about 20 bytes per pixel
 * while extracting, 3 bytes per pixel kept with keep_maps) and the image side is capped,
 * so an extraction never allocates more than about 90 MB. No global state: the filter
 * tables are built per call. Orientations are computed in image coordinates (y down)
 * and converted to the screen convention of ridge-engine.h only when stored.
 */

#include "ridge-extract-private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
} Ctx;

static const int ring_dx[8] = { 0, 1, 1, 1, 0, -1, -1, -1 };   /* N NE E SE S SW W NW */
static const int ring_dy[8] = { -1, -1, 0, 1, 1, 1, 0, -1 };

static float
clampf (float v,
        float lo,
        float hi)
{
  return v < lo ? lo : (v > hi ? hi : v);
}

static int
clampi (int v,
        int lo,
        int hi)
{
  return v < lo ? lo : (v > hi ? hi : v);
}

/* lrintf without the libm call (no errno, no rounding mode): nearest, halves away from 0 */
static int
round_int (float v)
{
  return (int)(v >= 0 ? v + 0.5f : v - 0.5f);
}

static void
ctx_free (Ctx *c)
{
  free (c->mean); free (c->contrast); free (c->coh_raw);
  free (c->gxx); free (c->gyy); free (c->gxy);
  free (c->dcos); free (c->dsin); free (c->rel); free (c->period); free (c->measured);
  free (c->fg); free (c->work); free (c->bdist); free (c->clarity); free (c->signal);
  free (c->queue);
  free (c->pixbuf);
  free (c->across_w); free (c->across_ready);
}

static int
ctx_alloc (Ctx *c)
{
  size_t nb = (size_t)c->nb, np = (size_t)c->w * (size_t)c->h;

#define FA(f, n) (c->f = calloc ((n), sizeof *c->f)) == NULL
  if (FA (mean, nb) || FA (contrast, nb) || FA (coh_raw, nb) || FA (gxx, nb) || FA (gyy, nb)
      || FA (gxy, nb) || FA (dcos, nb) || FA (dsin, nb) || FA (rel, nb) || FA (period, nb)
      || FA (measured, nb) || FA (fg, nb) || FA (work, nb) || FA (bdist, nb)
      || FA (clarity, nb) || FA (signal, nb) || FA (queue, nb)
      || FA (across_ready, (size_t)N_OBINS * N_PBINS))
    return RIDGE_ENGINE_E_NOMEM;
#undef FA
  /* the pixel buffers in one block, written in full before they are read: one
   * allocation keeps the allocator from returning the pages to the system between
   * extractions (faulting them in again costs more than the extraction itself) */
  c->pixbuf = malloc (np * (2 * sizeof (float) + 2 * sizeof (int32_t) + 2));
  c->across_w = malloc ((size_t)N_OBINS * N_PBINS * (2 * ACROSS_HALF + 1) * sizeof (float));
  if (c->pixbuf == NULL || c->across_w == NULL)
    return RIDGE_ENGINE_E_NOMEM;
  c->norm = (float *)c->pixbuf;
  c->tmp = c->norm + np;
  c->mark = (int32_t *)(c->tmp + np);
  c->aux = c->mark + np;
  c->bin = (uint8_t *)(c->aux + np);
  c->skel = c->bin + np;
  return RIDGE_ENGINE_OK;

}

/* ---- block statistics: grey mean/contrast and gradient moments ---------------------- */

static void
block_statistics (Ctx *c)
{
  int bw = c->bw, bh = c->bh, w = c->w, h = c->h;
  int64_t *s1 = calloc ((size_t)c->nb * 6, sizeof (int64_t));
  int64_t *s2, *sn, *sxx, *syy, *sxy;

  if (s1 == NULL)
    return;
  s2 = s1 + c->nb; sn = s2 + c->nb; sxx = sn + c->nb; syy = sxx + c->nb; sxy = syy + c->nb;

  for (int y = 0; y < h; y++)
    {
      const uint8_t *r = c->px + (size_t)y * w;
      const uint8_t *ru = c->px + (size_t)(y > 0 ? y - 1 : y) * w;
      const uint8_t *rd = c->px + (size_t)(y < h - 1 ? y + 1 : y) * w;
      int by = y / B;

      for (int x = 0; x < w; x++)
        {
          int b = by * bw + x / B;
          int xl = x > 0 ? x - 1 : x, xr = x < w - 1 ? x + 1 : x;
          int gx = (ru[xr] + 2 * r[xr] + rd[xr]) - (ru[xl] + 2 * r[xl] + rd[xl]);
          int gy = (rd[xl] + 2 * rd[x] + rd[xr]) - (ru[xl] + 2 * ru[x] + ru[xr]);

          s1[b] += r[x];
          s2[b] += r[x] * r[x];
          sn[b] += 1;
          sxx[b] += gx * gx;
          syy[b] += gy * gy;
          sxy[b] += gx * gy;
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
static float
select_kth (float *v,
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
largest_component (Ctx *c)
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
majority_filter (Ctx     *c,
                 uint8_t *scratch)
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
distance_to_background (Ctx *c)
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

static int
segment (Ctx *c)
{
  float *sorted = malloc ((size_t)c->nb * sizeof (float));
  float thr;
  int count = 0;

  if (sorted == NULL)
    return RIDGE_ENGINE_E_NOMEM;
  memcpy (sorted, c->contrast, (size_t)c->nb * sizeof (float));
  thr = fmaxf (6.0f, 0.3f * select_kth (sorted, c->nb, (c->nb * 9) / 10));
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

/* ---- orientation ---------------------------------------------------------------------- */

static void
orientation (Ctx *c)
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
signature_period (const Ctx *c,
                  int        b)
{
  float sig[SIG_LEN], sm[SIG_LEN], lo = 1e9f, hi = -1e9f, first = -1, last = -1;
  int cx = (b % c->bw) * B + B / 2, cy = (b / c->bw) * B + B / 2, n = 0;
  float dx = c->dcos[b], dy = c->dsin[b], nx = -dy, ny = dx;

  for (int k = 0; k < SIG_LEN; k++)
    {
      float t = (float)k - SIG_LEN / 2, acc = 0;

      for (int s = -SIG_WIDTH; s <= SIG_WIDTH; s += 2)
        {
          int x = round_int (cx + t * nx + s * dx), y = round_int (cy + t * ny + s * dy);

          x = clampi (x, 0, c->w - 1);
          y = clampi (y, 0, c->h - 1);
          acc += c->px[(size_t)y * c->w + x];
        }
      sig[k] = acc / (SIG_WIDTH + 1);
    }
  for (int k = 0; k < SIG_LEN; k++)
    {
      int a = k > 0 ? k - 1 : k, z = k < SIG_LEN - 1 ? k + 1 : k;

      sm[k] = 0.25f * sig[a] + 0.5f * sig[k] + 0.25f * sig[z];
      lo = fminf (lo, sm[k]);
      hi = fmaxf (hi, sm[k]);
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

static float
frequency (Ctx *c)
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
      median = select_kth (vals, nv, nv / 2);
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

/* ---- normalisation -------------------------------------------------------------------- */

static void
normalise (Ctx *c)
{
  /* bilinear interpolation of the block mean and contrast between block centres: per
   * row, interpolate the two block rows, then walk along the row */
  float *rm = c->tmp, *rs = c->tmp + c->bw;   /* tmp is free until the enhancement */

  for (int y = 0; y < c->h; y++)
    {
      int fy8 = 2 * y + 1 - B;                /* 2 B (y + 0.5 - B / 2), in 1/(2B) units */
      int j0 = fy8 < 0 ? 0 : fy8 / (2 * B), j1 = j0 + 1 < c->bh ? j0 + 1 : c->bh - 1;
      float wy = fy8 < 0 ? 0 : (float)(fy8 - 2 * B * j0) / (2 * B);
      const uint8_t *src = c->px + (size_t)y * c->w;
      float *dst = c->norm + (size_t)y * c->w;

      if (wy > 1)
        wy = 1;
      for (int i = 0; i < c->bw; i++)
        {
          float s;

          rm[i] = (1 - wy) * c->mean[j0 * c->bw + i] + wy * c->mean[j1 * c->bw + i];
          s = (1 - wy) * c->contrast[j0 * c->bw + i] + wy * c->contrast[j1 * c->bw + i];
          rs[i] = 1.0f / (s > 6.0f ? s : 6.0f);
        }
      for (int x = 0; x < c->w; x++)
        {
          int fx8 = 2 * x + 1 - B;
          int i0 = fx8 < 0 ? 0 : fx8 / (2 * B), i1 = i0 + 1 < c->bw ? i0 + 1 : c->bw - 1;
          float wx = fx8 < 0 ? 0 : (float)(fx8 - 2 * B * i0) / (2 * B);
          float m, is;

          if (wx > 1)
            wx = 1;
          m = (1 - wx) * rm[i0] + wx * rm[i1];
          is = (1 - wx) * rs[i0] + wx * rs[i1];
          dst[x] = ((float)src[x] - m) * is;
        }
    }
}

/* ---- contextual enhancement --------------------------------------------------------- */

static void
build_filter_offsets (Ctx *c)
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
across_weights (Ctx *c,
                int  o,
                int  p)
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
orientation_bin (const Ctx *c,
                 int        b)
{
  float th = atan2f (c->dsin[b], c->dcos[b]);

  if (th < 0)
    th += PI_F;
  return (round_int (th / (PI_F / N_OBINS))) % N_OBINS;
}

/* Oriented filtering of one block: out[k] = Σ_t wt[t] · in[k + off[t]]. Blocks far
 * enough from the image edge take the fast path without clamping. */
static void
filter_block (const Ctx   *c,
              int          b,
              const float *in,
              int          taps,
              const int (*off)[2],
              const float *wt,
              float       *out,
              int          out_stride)
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
static void
enhance_binarise (Ctx     *c,
                  uint8_t *enhanced)
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

/* ---- thinning ------------------------------------------------------------------------- */

static unsigned
ring_code (const uint8_t *im,
           int            w,
           size_t         k)
{
  const uint8_t *p = im + k;

  /* bit 0 of each neighbour (thinning keeps flags in the other bits) */
  return (p[-w] & 1u) | (p[1 - w] & 1u) << 1 | (p[1] & 1u) << 2 | (p[1 + w] & 1u) << 3
         | (p[w] & 1u) << 4 | (p[w - 1] & 1u) << 5 | (p[-1] & 1u) << 6 | (p[-1 - w] & 1u) << 7;
}

static int
ring_transitions (unsigned code)
{
  int t = 0;

  for (int q = 0; q < 8; q++)
    t += !((code >> q) & 1) && ((code >> ((q + 1) & 7)) & 1);
  return t;
}

/* Number of 8-connected components among the set neighbours in code. */
static int
ring_components (unsigned code)
{
  int lab[8], n = 0;

  for (int q = 0; q < 8; q++)
    lab[q] = -1;
  for (int q = 0; q < 8; q++)
    {
      int stack[8], sp = 0;

      if (!((code >> q) & 1) || lab[q] >= 0)
        continue;
      lab[q] = n;
      stack[sp++] = q;
      while (sp > 0)
        {
          int a = stack[--sp];

          for (int r = 0; r < 8; r++)
            if (((code >> r) & 1) && lab[r] < 0
                && abs (ring_dx[a] - ring_dx[r]) <= 1 && abs (ring_dy[a] - ring_dy[r]) <= 1)
              {
                lab[r] = n;
                stack[sp++] = r;
              }
        }
      n++;
    }
  return n;
}

/* Thins c->bin into c->skel; leaves the skeleton's pixels, in raster order, in c->mark
 * and returns their number. */
static int
thin (Ctx *c)
{
  int w = c->w, h = c->h, n = 0;
  uint8_t lut[2][256], simple[256];
  int32_t *list = c->mark;         /* the skeleton's pixels at the end */
  int32_t *cand = c->mark, *next = c->aux;

  for (unsigned code = 0; code < 256; code++)
    {
      int bcount = __builtin_popcount (code), a = ring_transitions (code);
      int p2 = code & 1, p4 = (code >> 2) & 1, p6 = (code >> 4) & 1, p8 = (code >> 6) & 1;
      int ok = bcount >= 2 && bcount <= 6 && a == 1;

      lut[0][code] = ok && !(p2 && p4 && p6) && !(p4 && p6 && p8);
      lut[1][code] = ok && !(p2 && p4 && p8) && !(p2 && p6 && p8);
      simple[code] = bcount >= 2 && bcount <= 6 && ring_components (code) == 1
                     && ((p2 && p4) || (p4 && p6) || (p6 && p8) || (p8 && p2));
    }

  /* skel bits: 1 set, 2 marked for deletion, 4 queued as a candidate. Only pixels on
   * the boundary of the ridges are candidates; a deletion exposes its neighbours. */
  memset (c->skel, 0, (size_t)w * h);
  for (int y = 1; y < h - 1; y++)
    memcpy (c->skel + (size_t)y * w + 1, c->bin + (size_t)y * w + 1, (size_t)w - 2);
  for (int y = 1; y < h - 1; y++)
    for (int x = 1; x < w - 1; x++)
      {
        size_t k = (size_t)y * w + x;

        if (c->skel[k] && ring_code (c->skel, w, k) != 0xff)
          {
            c->skel[k] |= 4;
            cand[n++] = (int32_t)k;
          }
      }

  for (int it = 0; it < 64; it++)
    {
      int removed = 0;

      for (int sub = 0; sub < 2; sub++)
        {
          int m = 0;
          int32_t *t;

          /* parallel sub-iteration: mark first (marked pixels still count as set) */
          for (int i = 0; i < n; i++)
            if (lut[sub][ring_code (c->skel, w, (size_t)cand[i])])
              c->skel[cand[i]] |= 2;
          for (int i = 0; i < n; i++)
            {
              int32_t k = cand[i];

              if (c->skel[k] & 2)
                {
                  c->skel[k] = 0;
                  removed++;
                  for (int q = 0; q < 8; q++)
                    {
                      int32_t j = k + ring_dy[q] * w + ring_dx[q];

                      if ((c->skel[j] & 5) == 1)
                        {
                          c->skel[j] |= 4;
                          next[m++] = j;
                        }
                    }
                }
              else
                next[m++] = k;
            }
          t = cand;
          cand = next;
          next = t;
          n = m;
        }
      if (removed == 0)
        break;
    }
  /* the whole skeleton, in raster order */
  n = 0;
  for (int y = 1; y < h - 1; y++)
    for (int x = 1; x < w - 1; x++)
      {
        size_t k = (size_t)y * w + x;

        c->skel[k] &= 1;
        if (c->skel[k])
          list[n++] = (int32_t)k;
      }
  /* remove the staircase corners thinning leaves, keeping the skeleton 8-connected */
  for (int i = 0; i < n; i++)
    if (simple[ring_code (c->skel, w, (size_t)list[i])])
      c->skel[list[i]] = 0;
  {
    int m = 0;

    for (int i = 0; i < n; i++)
      if (c->skel[list[i]])
        list[m++] = list[i];
    n = m;
  }
  return n;
}

/* ---- minutiae ------------------------------------------------------------------------- */

typedef struct {
  int   x, y, type;
  float angle;           /* image-coordinate direction, radians */
  float q;
  int   removed;
  int   runs[3];         /* first pixel of each branch (bifurcations) */
} Cand;

typedef struct {
  int steps;
  int hit;               /* candidate index met, or -1 */
  int ex, ey;            /* where the walk stopped */
} Trace;


static int
in_list (const int *l,
         int        n,
         int        v)
{
  for (int i = 0; i < n; i++)
    if (l[i] == v)
      return 1;
  return 0;
}

/* Walks along the skeleton from start through first, excluding the pixels in excl. */
static Trace
trace_ridge (const Ctx *c,
             int        start,
             int        first,
             const int *excl,
             int        n_excl,
             int        self,
             int        max_steps)
{
  Trace tr = { 0, -1, first % c->w, first / c->w };
  int prev = start, prev2 = start, cur = first, w = c->w;

  if (c->mark[cur] > 0 && c->mark[cur] - 1 != self)
    {
      tr.steps = 1;
      tr.hit = c->mark[cur] - 1;
      return tr;
    }
  for (tr.steps = 1; tr.steps < max_steps; tr.steps++)
    {
      int cand[8], nc = 0, x = cur % w, y = cur / w, next;

      if (x < 1 || y < 1 || x >= w - 1 || y >= c->h - 1)
        break;
      for (int q = 0; q < 8; q++)
        {
          int k = cur + ring_dy[q] * w + ring_dx[q];

          if (c->skel[k] && k != prev && k != prev2 && k != start && !in_list (excl, n_excl, k))
            cand[nc++] = k;
        }
      for (int i = 0; i < nc; i++)
        if (c->mark[cand[i]] > 0 && c->mark[cand[i]] - 1 != self)
          {
            tr.hit = c->mark[cand[i]] - 1;
            tr.steps++;
            tr.ex = cand[i] % w;
            tr.ey = cand[i] / w;
            return tr;
          }
      if (nc == 0)
        break;
      if (nc == 1)
        next = cand[0];
      else if (nc == 2 && abs (cand[0] % w - cand[1] % w) <= 1
               && abs (cand[0] / w - cand[1] / w) <= 1)
        next = (cand[0] % w == x || cand[0] / w == y) ? cand[0] : cand[1];
      else
        break;
      prev2 = prev;
      prev = cur;
      cur = next;
      tr.ex = cur % w;
      tr.ey = cur / w;
    }
  return tr;
}

static float
angle_diff (float a,
            float b)
{
  float d = fmodf (fabsf (a - b), 2 * PI_F);

  return d > PI_F ? 2 * PI_F - d : d;
}

static int
block_of (const Ctx *c,
          int        x,
          int        y)
{
  return clampi (y / B, 0, c->bh - 1) * c->bw + clampi (x / B, 0, c->bw - 1);
}

/* Branch starts of a skeleton pixel: one pixel per run of set neighbours (a 4-neighbour
 * where the run has one). Returns the number of runs. */
static int
branch_starts (const Ctx *c,
               int        k,
               int       *starts,
               int        cap)
{
  unsigned code = ring_code (c->skel, c->w, (size_t)k);
  int n = 0;

  for (int q = 0; q < 8; q++)
    {
      int pq = (q + 7) & 7, best = -1;

      if (!((code >> q) & 1) || ((code >> pq) & 1))
        continue;
      /* run starting at q */
      for (int r = q; (code >> (r & 7)) & 1; r++)
        {
          if (best < 0 || (r & 1) == 0)
            {
              if (best < 0 || (best & 1))
                best = r & 7;
            }
          if (r - q >= 7)
            break;
        }
      if (n < cap)
        starts[n] = k + ring_dy[best] * c->w + ring_dx[best];
      n++;
    }
  return n;
}

/* An ending whose gap (the side its ridge does not go) runs into the background, the
 * image edge or a fading part of the print within BORDER_RAY pixels: the ridge was cut
 * by the edge of the print, it does not end on the finger. */
#define BORDER_RAY   16
#define BORDER_FADE  0.6f
static int
faces_border (const Ctx  *c,
              const Cand *m)
{
  float dx = -cosf (m->angle), dy = -sinf (m->angle);
  float here = c->contrast[block_of (c, m->x, m->y)];

  if (m->type != RIDGE_MINUTIA_ENDING)
    return 0;
  for (int t = 2; t <= BORDER_RAY; t += 2)
    {
      int x = round_int ((float)m->x + (float)t * dx);
      int y = round_int ((float)m->y + (float)t * dy);
      int b;

      if (x < 0 || y < 0 || x >= c->w || y >= c->h)
        return 1;
      b = block_of (c, x, y);
      if (!c->fg[b] || c->contrast[b] < BORDER_FADE * here)
        return 1;
    }
  return 0;
}

/* Distance in pixels from (x, y) to the nearest background block or the image edge,
 * up to limit. */
static float
edge_distance (const Ctx *c,
               int        x,
               int        y,
               float      limit)
{
  int r = (int)(limit / B) + 1, bi = x / B, bj = y / B;
  float best = limit;

  best = fminf (best, (float)x + 0.5f);
  best = fminf (best, (float)y + 0.5f);
  best = fminf (best, (float)(c->w - x) - 0.5f);
  best = fminf (best, (float)(c->h - y) - 0.5f);
  for (int j = bj - r; j <= bj + r; j++)
    for (int i = bi - r; i <= bi + r; i++)
      {
        float dx, dy;

        if (i < 0 || j < 0 || i >= c->bw || j >= c->bh || c->fg[j * c->bw + i])
          continue;
        dx =
          fmaxf (0,
                 fmaxf ((float)(i * B) - ((float)x + 0.5f),
                        ((float)x + 0.5f) - (float)((i + 1) * B)));
        dy =
          fmaxf (0,
                 fmaxf ((float)(j * B) - ((float)y + 0.5f),
                        ((float)y + 0.5f) - (float)((j + 1) * B)));
        best = fminf (best, sqrtf (dx * dx + dy * dy));
      }
  return best;
}

/* minutiae closer than this to the background get a low quality (≤ 20) */
#define EDGE_MARGIN 10.0f

static int
detect_minutiae (Ctx           *c,
                 RidgeFeatures *f,
                 int            n_skel)
{
  int w = c->w, h = c->h, nc = 0, cap = 4096;
  Cand *cd = malloc ((size_t)cap * sizeof (Cand));

  if (cd == NULL)
    return RIDGE_ENGINE_E_NOMEM;

  /* candidates: skeleton pixels (listed in raster order by thin) with crossing number
   * 1 (ending) or 3 (bifurcation) */
  for (int i = 0; i < n_skel && nc < cap; i++)
    {
      size_t k = (size_t)c->mark[i];
      int x = (int)(k % (size_t)w), y = (int)(k / (size_t)w), b = block_of (c, x, y), t;

      if (x < 2 || y < 2 || x >= w - 2 || y >= h - 2 || c->bdist[b] < 1)
        continue;
      t = ring_transitions (ring_code (c->skel, w, k));
      if (t != 1 && t != 3)
        continue;
      cd[nc].x = x;
      cd[nc].y = y;
      cd[nc].type = t == 1 ? RIDGE_MINUTIA_ENDING : RIDGE_MINUTIA_BIFURCATION;
      cd[nc].removed = 0;
      cd[nc].angle = 0;
      cd[nc].q = 0;
      if (t == 3 && branch_starts (c, (int)k, cd[nc].runs, 3) != 3)
        continue;
      if (t == 1)
        branch_starts (c, (int)k, cd[nc].runs, 1);
      nc++;
    }
  memset (c->mark, 0, (size_t)w * h * sizeof (int32_t));
  for (int i = 0; i < nc; i++)
    c->mark[cd[i].y * w + cd[i].x] = i + 1;

  /* directions and the removal rules that follow the skeleton */
  for (int i = 0; i < nc; i++)
    {
      Cand *m = &cd[i];
      int k = m->y * w + m->x, b = block_of (c, m->x, m->y);
      float per = c->period[b];
      int dir_len = clampi (round_int (1.2f * per), 6, 16);
      int check_len = clampi (round_int (1.2f * per), 8, 32);

      if (m->removed)
        continue;
      if (m->type == RIDGE_MINUTIA_ENDING)
        {
          Trace tr = trace_ridge (c, k, m->runs[0], NULL, 0, i, check_len);
          Trace td = trace_ridge (c, k, m->runs[0], NULL, 0, -2, dir_len);
          float vx = (float)(td.ex - m->x), vy = (float)(td.ey - m->y);

          if (tr.hit >= 0 && !cd[tr.hit].removed)
            {
              int other_ending = cd[tr.hit].type == RIDGE_MINUTIA_ENDING;

              if (other_ending || tr.steps <= round_int (1.0f * per))
                {
                  m->removed = 1;
                  cd[tr.hit].removed = 1;
                }
            }
          else if (tr.hit < 0 && tr.steps < check_len && td.steps < 4)
            m->removed = 1;   /* an isolated dot or a tiny fragment */
          m->angle = atan2f (vy, vx);
        }
      else
        {
          float ang[3];
          int excl[3];

          for (int r = 0; r < 3; r++)
            excl[r] = m->runs[r];
          for (int r = 0; r < 3 && !m->removed; r++)
            {
              int others[2] = { excl[(r + 1) % 3], excl[(r + 2) % 3] };
              Trace tr = trace_ridge (c, k, m->runs[r], others, 2, i,
                                      clampi (round_int (0.8f * per), 6, 24));
              Trace td = trace_ridge (c, k, m->runs[r], others, 2, -2, dir_len);

              if (tr.hit >= 0 && !cd[tr.hit].removed)
                {
                  m->removed = 1;
                  cd[tr.hit].removed = 1;
                }
              ang[r] = atan2f ((float)(td.ey - m->y), (float)(td.ex - m->x));
            }
          if (!m->removed)
            {
              /* the two branches closest in angle are the fork; its bisector */
              float d01 = angle_diff (ang[0], ang[1]), d02 = angle_diff (ang[0], ang[2]);
              float d12 = angle_diff (ang[1], ang[2]);
              int a = 0, z = 1;

              if (d02 < d01 && d02 <= d12)
                z = 2;
              else if (d12 < d01 && d12 < d02)
                {
                  a = 1;
                  z = 2;
                }
              m->angle = atan2f (sinf (ang[a]) + sinf (ang[z]), cosf (ang[a]) + cosf (ang[z]));
            }
        }
    }

  /* refine directions with the smoothed orientation field where they agree */
  for (int i = 0; i < nc; i++)
    {
      Cand *m = &cd[i];
      int b = block_of (c, m->x, m->y);
      float o = atan2f (c->dsin[b], c->dcos[b]);

      if (m->removed)
        continue;
      if (angle_diff (o, m->angle) > PI_F / 2)
        o += PI_F;
      if (angle_diff (o, m->angle) < PI_F / 6)
        m->angle = atan2f (sinf (o) + sinf (m->angle), cosf (o) + cosf (m->angle));
    }

  /* pairs: broken ridges (facing endings) and clusters */
  for (int i = 0; i < nc; i++)
    for (int j = i + 1; j < nc; j++)
      {
        Cand *a = &cd[i], *z = &cd[j];
        float dx, dy, d, per;

        if (a->removed || z->removed)
          continue;
        dy = (float)(z->y - a->y);
        if (dy > 40)
          break;   /* candidates are in raster order */
        dx = (float)(z->x - a->x);
        d = sqrtf (dx * dx + dy * dy);
        per = c->period[block_of (c, a->x, a->y)];
        if (d < 0.5f * per)
          {
            a->removed = 1;
            z->removed = 1;
          }
        else if (a->type == RIDGE_MINUTIA_ENDING && z->type == RIDGE_MINUTIA_ENDING
                 &&
                 d < 2.0f * per && angle_diff (a->angle, z->angle) > 0.75f * PI_F)
          {
            /* a faces z: the line a→z runs against a's direction (into the gap) */
            float ab = atan2f (dy, dx);

            if (angle_diff (ab, a->angle + PI_F) < PI_F / 4
                && angle_diff (ab + PI_F, z->angle + PI_F) < PI_F / 4)
              {
                a->removed = 1;
                z->removed = 1;
              }
          }
      }

  /* border, quality, output */
  {
    int n = 0;

    for (int i = 0; i < nc; i++)
      {
        Cand *m = &cd[i];
        int b = block_of (c, m->x, m->y);
        float border;

        if (m->removed || c->bdist[b] < 1 || faces_border (c, m))
          continue;
        /* near the edge of the print a minutia may be an artefact of the edge: it is
         * kept (it helps matching partial prints) with a low quality */
        border = edge_distance (c, m->x, m->y, EDGE_MARGIN) < EDGE_MARGIN ? 0.2f : 1.0f;
        m->q = 100.0f * border * clampf (c->rel[b] / 0.7f, 0, 1)
               * clampf (0.3f + c->clarity[b], 0, 1)
               * clampf (0.4f + c->contrast[b] / 40.0f, 0, 1);
        cd[n++] = *m;
      }
    nc = n;
  }
  /* keep the best RIDGE_MAX_MINUTIAE (stable: quality, then raster order) */
  if (nc > RIDGE_MAX_MINUTIAE)
    {
      for (int i = 1; i < nc; i++)
        {
          Cand t = cd[i];
          int j = i - 1;

          while (j >= 0 && (int)cd[j].q < (int)t.q)
            {
              cd[j + 1] = cd[j];
              j--;
            }
          cd[j + 1] = t;
        }
      nc = RIDGE_MAX_MINUTIAE;
    }
  f->n_minutiae = nc;
  for (int i = 0; i < nc; i++)
    {
      RidgeMinutia *o = &f->minutiae[i];
      float a = -cd[i].angle;   /* image (y down) → screen, counter-clockwise */

      while (a < 0)
        a += 2 * PI_F;
      while (a >= 2 * PI_F)
        a -= 2 * PI_F;
      o->x = (float)cd[i].x;
      o->y = (float)cd[i].y;
      o->angle = a;
      o->type = (uint8_t)cd[i].type;
      o->quality = (uint8_t)clampi (round_int (cd[i].q), 1, 100);
    }
  free (cd);
  return RIDGE_ENGINE_OK;
}

/* ---- public API ---------------------------------------------------------------------- */

static int
features_alloc_maps (RidgeFeatures *f,
                     int            keep)
{
  size_t nb = (size_t)f->bw * f->bh, np = (size_t)f->width * f->height;

  f->foreground = calloc (nb, 1);
  f->orientation = calloc (nb, sizeof (float));
  f->reliability = calloc (nb, sizeof (float));
  f->frequency = calloc (nb, sizeof (float));
  f->quality_map = calloc (nb, 1);
  if (!f->foreground || !f->orientation || !f->reliability || !f->frequency || !f->quality_map)
    return RIDGE_ENGINE_E_NOMEM;
  if (keep)
    {
      f->enhanced = malloc (np);
      f->binary = malloc (np);
      f->skeleton = malloc (np);
      if (!f->enhanced || !f->binary || !f->skeleton)
        return RIDGE_ENGINE_E_NOMEM;
    }
  return RIDGE_ENGINE_OK;
}

int
ridge_extract (const RidgeImage          *img,
               const RidgeExtractOptions *options,
               RidgeFeatures            **out)
{
  Ctx c;
  RidgeFeatures *f;
  RidgeBlockStats st;
  int r, keep = options != NULL && options->keep_maps, n_skel;
  int dpi;

  if (out != NULL)
    *out = NULL;
  if (img == NULL || out == NULL)
    return RIDGE_ENGINE_E_INVALID;
  if (img->width < RIDGE_IMAGE_MIN_SIDE || img->width > RIDGE_IMAGE_MAX_SIDE
      || img->height < RIDGE_IMAGE_MIN_SIDE || img->height > RIDGE_IMAGE_MAX_SIDE)
    return RIDGE_ENGINE_E_SIZE;
  if (img->pixels == NULL || img->dpi < 0 || img->dpi > 10000)
    return RIDGE_ENGINE_E_INVALID;
  dpi = img->dpi == 0 ? 500 : img->dpi;

  memset (&c, 0, sizeof c);
  c.w = img->width;
  c.h = img->height;
  c.bw = (c.w + B - 1) / B;
  c.bh = (c.h + B - 1) / B;
  c.nb = c.bw * c.bh;
  c.scale = clampf ((float)dpi / 500.0f, 0.6f, 1.0f);
  c.px = img->pixels;

  f = calloc (1, sizeof *f);
  if (f == NULL)
    return RIDGE_ENGINE_E_NOMEM;
  f->width = c.w;
  f->height = c.h;
  f->bw = c.bw;
  f->bh = c.bh;

  r = ctx_alloc (&c);
  if (r == RIDGE_ENGINE_OK)
    r = features_alloc_maps (f, keep);
  if (r != RIDGE_ENGINE_OK)
    goto fail;

  block_statistics (&c);
  r = segment (&c);
  if (r != RIDGE_ENGINE_OK)
    goto fail;
  orientation (&c);
  st.period_median = frequency (&c);
  {
    /* an edge, a scratch or a smear is coherent but has no ridge period */
    int n_fg = 0, n_measured = 0;

    for (int b = 0; b < c.nb; b++)
      {
        n_fg += c.fg[b];
        n_measured += c.fg[b] && c.measured[b];
      }
    if (n_measured < 16 || 4 * n_measured < n_fg)
      {
        r = RIDGE_ENGINE_E_NO_PRINT;
        goto fail;
      }
  }
  normalise (&c);
  enhance_binarise (&c, keep ? f->enhanced : NULL);
  if (keep)
    for (size_t k = 0; k < (size_t)c.w * c.h; k++)
      f->binary[k] = c.bin[k] ? 255 : 0;
  n_skel = thin (&c);
  r = detect_minutiae (&c, f, n_skel);
  if (r != RIDGE_ENGINE_OK)
    goto fail;
  if (keep)
    for (size_t k = 0; k < (size_t)c.w * c.h; k++)
      f->skeleton[k] = c.skel[k] ? 255 : 0;

  for (int b = 0; b < c.nb; b++)
    {
      float o = atan2f (c.dsin[b], c.dcos[b]);

      /* image coordinates (y down) → screen convention, folded into [0, π) */
      o = -o;
      while (o < 0)
        o += PI_F;
      while (o >= PI_F)
        o -= PI_F;
      f->foreground[b] = c.fg[b] ? 255 : 0;
      f->orientation[b] = o;
      f->reliability[b] = c.fg[b] ? c.rel[b] : 0;
      f->frequency[b] = c.fg[b] && c.period[b] > 0 ? 1.0f / c.period[b] : 0;
    }
  st.mean = c.mean;
  st.contrast = c.contrast;
  st.clarity = c.clarity;
  st.signal = c.signal;
  st.freq_measured = c.measured;
  ridge_quality_analyse (f, &st, dpi);

  ctx_free (&c);
  *out = f;
  return RIDGE_ENGINE_OK;

fail:
  ctx_free (&c);
  ridge_features_free (f);
  return r;
}

void
ridge_features_free (RidgeFeatures *f)
{
  if (f == NULL)
    return;
  free (f->foreground);
  free (f->orientation);
  free (f->reliability);
  free (f->frequency);
  free (f->quality_map);
  free (f->enhanced);
  free (f->binary);
  free (f->skeleton);
  free (f);
}

int
ridge_features_n_minutiae (const RidgeFeatures *f)
{
  return f != NULL ? f->n_minutiae : 0;
}

const RidgeMinutia *
ridge_features_minutiae (const RidgeFeatures *f)
{
  return f != NULL ? f->minutiae : NULL;
}

int
ridge_features_map (const RidgeFeatures *f,
                    RidgeMapKind         kind,
                    RidgeMap            *map)
{
  const void *data = NULL;
  int per_pixel = 0, is_float = 0;

  if (f == NULL || map == NULL)
    return RIDGE_ENGINE_E_INVALID;
  switch (kind)
    {
      case RIDGE_MAP_FOREGROUND: data = f->foreground; break;
      case RIDGE_MAP_ORIENTATION: data = f->orientation; is_float = 1; break;
      case RIDGE_MAP_RELIABILITY: data = f->reliability; is_float = 1; break;
      case RIDGE_MAP_FREQUENCY: data = f->frequency; is_float = 1; break;
      case RIDGE_MAP_QUALITY: data = f->quality_map; break;
      case RIDGE_MAP_ENHANCED: data = f->enhanced; per_pixel = 1; break;
      case RIDGE_MAP_BINARY: data = f->binary; per_pixel = 1; break;
      case RIDGE_MAP_SKELETON: data = f->skeleton; per_pixel = 1; break;
      case RIDGE_N_MAPS:
      default:
        return RIDGE_ENGINE_E_INVALID;
    }
  if (data == NULL)
    return RIDGE_ENGINE_E_INVALID;
  map->kind = kind;
  map->width = per_pixel ? f->width : f->bw;
  map->height = per_pixel ? f->height : f->bh;
  map->block_size = per_pixel ? 1 : B;
  map->is_float = is_float;
  map->data = data;
  return RIDGE_ENGINE_OK;
}
