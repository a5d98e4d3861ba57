/* ridge-match.c — minutiae matching: 1:1, enrollment templates, 1:N identification
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Design (docs/engine.md, "Matching"):
 *  1. Each template is prepared once: coordinates scaled to 500 dpi, and for every
 *     minutia the edges to its K nearest neighbours, described by rotation- and
 *     translation-invariant features (length, the edge direction relative to each
 *     end's minutia angle).
 *  2. Root pairs: the probe's short edges (each minutia's NB_VOTE nearest) are compared
 *     with the gallery's (indexed by angles and length, so only a narrow window is
 *     visited); each compatible edge pair votes for the two minutia pairs at its ends.
 *     The most voted minutia pairs become roots.
 *  3. Consolidation: from each root, a best-first graph expansion adds the minutia pair
 *     at the far end of the most similar compatible edge pair next to already paired
 *     minutiae. Edges are compared locally, so the pairing follows non-linear
 *     distortion; edge pairs that close on already paired minutiae count as support.
 *  4. Score of a pairing: supported pairs, normalised by the number of minutiae in the
 *     overlapping area of the two prints (after the estimated rigid transform). The
 *     best root wins.
 * Everything is deterministic; memory is one allocation proportional to the sizes.
 */

#include "ridge-engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PI_F             3.14159265358979323846f
#define TWO_PI_F         6.28318530717958647692f

#define NB_K             10       /* neighbours per minutia (at most 16) */
#define NB_VOTE          4        /* of which the nearest vote for roots (all crawl) */
#define NB_MAX_DIST      160.0f   /* 500-dpi pixels */
#define NB_MIN_DIST      5.0f
#define TOL_D_ABS        6.0f     /* edge length tolerance: abs + rel * length */
#define TOL_D_REL        0.08f
#define TOL_AQ           12       /* edge angle tolerance, 256 units a turn (16.9 degrees) */
#define MAX_ROOTS        24
#define MIN_ROOT_VOTES   3
#define ROOT_SKIP_MIN    6
#define OVERLAP_DIST     30.0f    /* a minutia is "in the overlap" within this of the other print */
#define NORM_MIN_COUNT   12
#define FIT_R0           8.0f     /* pair weight by residual to the rigid transform: */
#define FIT_R1           25.0f    /*   1 up to R0 pixels, 0 from R1 */
#define FIT_A0           0.35f    /*   and by angle difference: 1 up to A0, 0 from A1 */
#define FIT_A1           0.80f
#define COMP_W           0.5f     /* completion pairs count half, */
#define COMP_R           12.0f    /*   within 12 px */
#define COMP_A           0.45f    /*   and 26 degrees of the transform, */
#define COMP_MIN         4        /*   after an expansion of at least 4 pairs */

typedef struct {
  float   x, y, a;
  uint8_t type, quality;
  uint8_t idx;      /* index in the template (non-finite minutiae are skipped) */
} MPoint;

typedef struct {
  float   d;        /* length */
  uint8_t ai;       /* edge direction minus angle of the start minutia, 256 units a turn */
  uint8_t aj;       /* edge direction minus angle of the end minutia */
  uint8_t i, j;     /* start, end (templates hold at most 255 minutiae) */
} MEdge;

/* Edge index for the root search: 8 bins of each end's relative angle (each twice the
 * angle tolerance wide, so a probe edge looks in 2 x 2 of them) x length bins of 8 px.
 * (16 bins, 3 x 3 lookups, cost more instructions and 8 kB more per template.) */
#define A_SHIFT     5
#define N_ABINS     (256 >> A_SHIFT)
#define DBIN        8
#define N_DBINS     ((int)NB_MAX_DIST / DBIN + 2)
#define N_KEYS      (N_ABINS * N_ABINS * N_DBINS)

typedef struct {
  int      n;
  int      n_sorted;
  MPoint  *pt;       /* n */
  uint8_t *nn;       /* n: neighbour count of i, its edges at nb[i * NB_K ...] */
  uint8_t *xo;       /* n: minutiae in increasing x (stable) */
  MEdge   *nb;       /* n * NB_K */
  MEdge   *sorted;   /* the NB_VOTE nearest neighbour edges of each minutia, by bin_key () */
  float    minx, miny, maxx, maxy;
  uint16_t bin_start[N_KEYS + 1];   /* sorted[bin_start[k] .. bin_start[k + 1]) have key k */
} MPrep;

/* Bytes prep_template needs for a template of n minutiae. */
static size_t
prep_bytes (int n)
{
  size_t k = (size_t)(n > 0 ? n : 1);

  return (k * (sizeof (MPoint) + (NB_K + NB_VOTE) * sizeof (MEdge) + 2) + 31)
         & ~(size_t)15;
}

/* Lays out p's arrays in mem (prep_bytes (n) bytes, suitably aligned). */
static void
prep_layout (MPrep *p, void *mem, int n)
{
  size_t k = (size_t)(n > 0 ? n : 1);
  uint8_t *b = mem;

  p->nb = (MEdge *)b;
  b += k * NB_K * sizeof (MEdge);
  p->sorted = (MEdge *)b;
  b += k * NB_VOTE * sizeof (MEdge);
  p->pt = (MPoint *)b;
  b += k * sizeof (MPoint);
  p->xo = b;
  b += k;
  p->nn = b;
}

static int
template_count (const RidgeTemplate *t)
{
  return t->n_minutiae > RIDGE_MAX_MINUTIAE ? RIDGE_MAX_MINUTIAE : t->n_minutiae;
}

static inline float
angle_norm (float a)
{
  while (a > PI_F)
    a -= TWO_PI_F;
  while (a <= -PI_F)
    a += TWO_PI_F;
  return a;
}

/* Direction of the vector (dx, dy) in image coordinates (y down), counter-clockwise on
 * screen like minutia angles. */
static inline float
dir_of (float dx, float dy)
{
  /* atan2 (-dy, dx) by octant reduction and a minimax polynomial (error < 2e-5 rad, far
  * below the 1.4-degree quantisation; plain arithmetic, so bit-identical everywhere) */
  float x = dx, y = -dy;
  float ax = fabsf (x), ay = fabsf (y);
  float mx = ax > ay ? ax : ay, mn = ax > ay ? ay : ax;

  if (mx == 0.0f)
    return 0.0f;

  float z = mn / mx, z2 = z * z;
  float r = z * (0.99997726f + z2 * (-0.33262347f + z2 * (0.19354346f + z2 * (-0.11643287f
                                                                              + z2 * (0.05265332f
                                                                                      + z2 *
                                                                                      -0.01172120f)))));

  if (ay > ax)
    r = 0.5f * PI_F - r;
  if (x < 0.0f)
    r = PI_F - r;
  return y < 0.0f ? -r : r;
}

/* Angle in radians -> 256 units a turn, wrapping. */
static inline uint8_t
angle_q (float a)
{
  /* round half up; the offset keeps the truncation a floor for |a| < 32 turns */
  int q = (int)(a * (256.0f / TWO_PI_F) + 8192.5f) - 8192;

  return (uint8_t)(q & 0xFF);
}

static inline int
dbin_of (float d)
{
  int b = (int)(d * (1.0f / DBIN));

  return b < 0 ? 0 : b >= N_DBINS ? N_DBINS - 1 : b;
}

static inline int
bin_key (const MEdge *e)
{
  return ((e->ai >> A_SHIFT) * N_ABINS + (e->aj >> A_SHIFT)) * N_DBINS + dbin_of (e->d);
}

/* p->sorted = the voting edges (each minutia's NB_VOTE nearest) grouped by bin_key
 * (counting sort; stable, so deterministic). */
static void
sort_edges (MPrep *p)
{
  uint16_t *start = p->bin_start;

  memset (start, 0, sizeof p->bin_start);
  for (int i = 0; i < p->n; i++)
    for (int k = 0; k < p->nn[i] && k < NB_VOTE; k++)
      start[bin_key (&p->nb[i * NB_K + k]) + 1]++;
  for (int b = 1; b <= N_KEYS; b++)
    start[b] = (uint16_t)(start[b] + start[b - 1]);
  p->n_sorted = start[N_KEYS];

  /* fill using a running cursor per key, then restore the starts */
  for (int i = 0; i < p->n; i++)
    for (int k = 0; k < p->nn[i] && k < NB_VOTE; k++)
      {
        const MEdge *e = &p->nb[i * NB_K + k];

        p->sorted[start[bin_key (e)]++] = *e;
      }
  for (int b = N_KEYS; b > 0; b--)
    start[b] = start[b - 1];
  start[0] = 0;
}

static void
prep_template (const RidgeTemplate *t, MPrep *p)
{
  float s = (t->dpi > 0) ? 500.0f / (float)t->dpi : 1.0f;
  int n = template_count (t);

  p->n = 0;
  p->n_sorted = 0;
  p->minx = p->miny = 1e9f;
  p->maxx = p->maxy = -1e9f;
  for (int i = 0; i < n; i++)
    {
      const RidgeMinutia *m = &t->minutiae[i];
      MPoint *q = &p->pt[p->n];

      if (!isfinite (m->x) || !isfinite (m->y) || !isfinite (m->angle))
        continue;
      q->x = m->x * s;
      q->y = m->y * s;
      q->a = angle_norm (fmodf (m->angle, TWO_PI_F));
      q->type = m->type;
      q->quality = m->quality;
      q->idx = (uint8_t)i;
      p->minx = fminf (p->minx, q->x);
      p->miny = fminf (p->miny, q->y);
      p->maxx = fmaxf (p->maxx, q->x);
      p->maxy = fmaxf (p->maxy, q->y);
      p->n++;
    }

  /* minutiae in x order (insertion sort: n is small, and it is stable), so the neighbour
   * search of each minutia stops where the x distance alone exceeds the current K-th
   * distance */
  uint8_t *xo = p->xo;

  for (int i = 0; i < p->n; i++)
    {
      int k = i;

      while (k > 0 && p->pt[xo[k - 1]].x > p->pt[i].x)
        {
          xo[k] = xo[k - 1];
          k--;
        }
      xo[k] = (uint8_t)i;
    }

  for (int o = 0; o < p->n; o++)
    {
      /* K nearest neighbours by insertion into a small list sorted by (distance, index):
       * the same list whatever the visiting order. Each candidate is one 64-bit key,
       * the squared distance's bits (a positive float orders like its bits) above the
       * index, so that order is one integer comparison. */
      int i = xo[o];
      uint64_t bk[NB_K];
      int cnt = 0;
      float lim = NB_MAX_DIST * NB_MAX_DIST;

      for (int dir = -1; dir <= 1; dir += 2)
        for (int q = o + dir; q >= 0 && q < p->n; q += dir)
          {
            int j = xo[q];
            float dx = p->pt[j].x - p->pt[i].x, dy = p->pt[j].y - p->pt[i].y;

            if (dx * dx > lim)
              break;

            float d2 = dx * dx + dy * dy;

            if (d2 < NB_MIN_DIST * NB_MIN_DIST || d2 > NB_MAX_DIST * NB_MAX_DIST)
              continue;

            uint32_t bits;

            memcpy (&bits, &d2, sizeof bits);

            uint64_t key = (uint64_t)bits << 32 | (uint32_t)j;

            if (cnt == NB_K && key > bk[NB_K - 1])
              continue;

            int k = cnt < NB_K ? cnt++ : NB_K - 1;

            while (k > 0 && bk[k - 1] > key)
              {
                bk[k] = bk[k - 1];
                k--;
              }
            bk[k] = key;
            if (cnt == NB_K)
              {
                uint32_t lb = (uint32_t)(bk[NB_K - 1] >> 32);

                memcpy (&lim, &lb, sizeof lim);
              }
          }
      p->nn[i] = (uint8_t)cnt;
      for (int k = 0; k < cnt; k++)
        {
          MEdge *e = &p->nb[i * NB_K + k];
          int j = (int)(uint32_t)bk[k];
          uint32_t lb = (uint32_t)(bk[k] >> 32);
          float d2;
          float dx = p->pt[j].x - p->pt[i].x, dy = p->pt[j].y - p->pt[i].y;
          float dir = dir_of (dx, dy);

          memcpy (&d2, &lb, sizeof d2);

          e->d = sqrtf (d2);
          e->ai = angle_q (dir - p->pt[i].a);
          e->aj = angle_q (dir - p->pt[j].a);
          e->i = (uint8_t)i;
          e->j = (uint8_t)j;
        }
    }
  sort_edges (p);
}

/* First position in G's x order whose minutia has x >= v (G->n when none). */
static int
x_lower_bound (const MPrep *G, float v)
{
  int lo = 0, hi = G->n;

  while (lo < hi)
    {
      int mid = (lo + hi) / 2;

      if (G->pt[G->xo[mid]].x < v)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static inline float
tol_d (float d)
{
  return TOL_D_ABS + TOL_D_REL * d;
}

/* Whether the relative angles of two edges are within TOL_AQ of each other (the 8-bit
 * difference, wrapped, in [-TOL_AQ, TOL_AQ]: one unsigned comparison each). */
static inline int
angles_ok (const MEdge *a, const MEdge *b)
{
  return ((uint8_t)(a->ai - b->ai + TOL_AQ) <= 2 * TOL_AQ)
         & ((uint8_t)(a->aj - b->aj + TOL_AQ) <= 2 * TOL_AQ);
}

/* Dissimilarity of two edges in [0, 3), or -1 when they are not compatible. */
static inline float
edge_diff (const MEdge *a, const MEdge *b)
{
  float td = tol_d (a->d);
  float dd = fabsf (a->d - b->d);

  if (dd > td)
    return -1.0f;

  int di = abs ((int)(int8_t)(uint8_t)(a->ai - b->ai));
  int dj = abs ((int)(int8_t)(uint8_t)(a->aj - b->aj));

  if (di > TOL_AQ || dj > TOL_AQ)
    return -1.0f;
  return dd / td + (float)(di + dj) * (1.0f / TOL_AQ);
}

/* ---- Workspace ---------------------------------------------------------------------- */

typedef struct {
  float    cost;
  uint16_t p, g;
} Cand;

typedef struct {
  uint16_t *votes;     /* n_p * n_g */
  Cand     *heap;
  int       heap_cap;
  int16_t  *pp, *gp;   /* pairing: probe -> gallery, gallery -> probe */
  uint8_t  *support;   /* per probe minutia: 1 when its pair is supported */
  uint16_t *order_p;   /* pairs in the order they were added */
  uint16_t *best_p, *best_g, *cur_p, *cur_g;
  float    *best_w, *cur_w;
} Work;

typedef struct {
  int   score;
  int   n_pairs;
  float dx, dy, rot;
} Outcome;

static void
heap_push (Work *w, int *n, Cand c)
{
  if (*n >= w->heap_cap)
    return;

  int i = (*n)++;

  while (i > 0)
    {
      int parent = (i - 1) / 2;

      if (w->heap[parent].cost <= c.cost)
        break;
      w->heap[i] = w->heap[parent];
      i = parent;
    }
  w->heap[i] = c;
}

static Cand
heap_pop (Work *w, int *n)
{
  Cand top = w->heap[0];
  Cand last = w->heap[--(*n)];
  int i = 0;

  for (;;)
    {
      int c = 2 * i + 1;

      if (c >= *n)
        break;
      if (c + 1 < *n && w->heap[c + 1].cost < w->heap[c].cost)
        c++;
      if (last.cost <= w->heap[c].cost)
        break;
      w->heap[i] = w->heap[c];
      i = c;
    }
  if (*n > 0)
    w->heap[i] = last;
  return top;
}

static void
push_neighbours (const MPrep *P, const MPrep *G, Work *w, int *hn, int p, int g)
{
  const MEdge *pe = &P->nb[p * NB_K];
  const MEdge *ge = &G->nb[g * NB_K];
  int ngb = G->nn[g], start = 0;

  /* both neighbour lists are sorted by length: only a window of gallery edges can fit */
  for (int a = 0; a < P->nn[p]; a++)
    {
      const MEdge *e = &pe[a];
      float t = tol_d (e->d), lo = e->d - t, hi = e->d + t;
      int pj = e->j;
      int pj_to = w->pp[pj];

      while (start < ngb && ge[start].d < lo)
        start++;
      if (pj_to >= 0)
        {
          /* pj is paired already: this edge can only support its pair, and only whether
           * a pair has support matters */
          if (w->support[pj])
            continue;
          for (int b = start; b < ngb && ge[b].d <= hi; b++)
            if (ge[b].j == pj_to && edge_diff (e, &ge[b]) >= 0.0f)
              w->support[pj] = 1;
          continue;
        }
      for (int b = start; b < ngb && ge[b].d <= hi; b++)
        {
          int gj = ge[b].j;

          if (w->gp[gj] >= 0 || !angles_ok (e, &ge[b]))
            continue;

          float c = edge_diff (e, &ge[b]);

          if (c >= 0.0f)
            heap_push (w, hn, (Cand) { c, (uint16_t)pj, (uint16_t)gj });
        }
    }
}

/* Least-squares rigid transform probe -> gallery from the paired minutiae. */
static void
estimate_transform (const MPrep *P, const MPrep *G, const uint16_t *pp, const uint16_t *gg,
                    const float *wts, int m, float *dx, float *dy, float *rot)
{
  float cpx = 0, cpy = 0, cgx = 0, cgy = 0, sw = 0;

  for (int k = 0; k < m; k++)
    {
      float wk = wts != NULL ? wts[k] : 1.0f;

      cpx += wk * P->pt[pp[k]].x;
      cpy += wk * P->pt[pp[k]].y;
      cgx += wk * G->pt[gg[k]].x;
      cgy += wk * G->pt[gg[k]].y;
      sw += wk;
    }
  if (sw <= 0.0f)
    {
      *dx = *dy = *rot = 0.0f;
      return;
    }
  cpx /= sw;
  cpy /= sw;
  cgx /= sw;
  cgy /= sw;

  float sxx = 0, sxy = 0;

  for (int k = 0; k < m; k++)
    {
      float wk = wts != NULL ? wts[k] : 1.0f;
      float px = P->pt[pp[k]].x - cpx, py = P->pt[pp[k]].y - cpy;
      float gx = G->pt[gg[k]].x - cgx, gy = G->pt[gg[k]].y - cgy;

      sxx += wk * (px * gx + py * gy);
      sxy += wk * (px * gy - py * gx);
    }

  /* image-coordinate rotation angle (y down): r; on-screen counter-clockwise = -r */
  float r = (m >= 2) ? atan2f (sxy, sxx) : 0.0f;

  if (m < 2)
    {
      /* one pair: the rotation comes from the minutia angles */
      r = -angle_norm (G->pt[gg[0]].a - P->pt[pp[0]].a);
    }
  float c = cosf (r), s = sinf (r);

  *rot = angle_norm (-r);
  *dx = cgx - (c * cpx - s * cpy);
  *dy = cgy - (s * cpx + c * cpy);
}

/* Weight of each pair by its fit to the rigid transform: 1 up to FIT_R0 pixels of
 * residual and FIT_A0 of angle difference, falling linearly to 0 at FIT_R1 / FIT_A1.
 * Returns the sum. */
static float
fit_weights (const MPrep *P, const MPrep *G, const uint16_t *pp, const uint16_t *gg, int m,
             float dx, float dy, float rot, float *wts)
{
  float c = cosf (-rot), s = sinf (-rot), sum = 0.0f;

  for (int k = 0; k < m; k++)
    {
      const MPoint *p = &P->pt[pp[k]], *g = &G->pt[gg[k]];
      float x = c * p->x - s * p->y + dx, y = s * p->x + c * p->y + dy;
      float r = hypotf (x - g->x, y - g->y);
      float da = fabsf (angle_norm (g->a - p->a - rot));
      float wr = r <= FIT_R0 ? 1.0f : r >= FIT_R1 ? 0.0f : (FIT_R1 - r) / (FIT_R1 - FIT_R0);
      float wa = da <= FIT_A0 ? 1.0f : da >= FIT_A1 ? 0.0f : (FIT_A1 - da) / (FIT_A1 - FIT_A0);

      wts[k] = wr * wa;
      sum += wts[k];
    }
  return sum;
}

/* Completion: minutiae left unpaired by the graph expansion (its chains break where
 * minutiae are missing) are paired greedily when the global transform puts them close
 * enough to an unpaired mate. Appends to best_p/best_g; returns the sum of weights. */
static float
complete_pairs (const MPrep *P, const MPrep *G, Work *w, int *kept, float dx, float dy,
                float rot)
{
  float c = cosf (-rot), s = sinf (-rot), sum = 0.0f;

  memset (w->pp, 0xFF, sizeof (int16_t) * (size_t)P->n);
  memset (w->gp, 0xFF, sizeof (int16_t) * (size_t)G->n);
  for (int k = 0; k < *kept; k++)
    {
      w->pp[w->best_p[k]] = (int16_t)w->best_g[k];
      w->gp[w->best_g[k]] = (int16_t)w->best_p[k];
    }
  for (int i = 0; i < P->n && *kept < RIDGE_MAX_MINUTIAE; i++)
    {
      if (w->pp[i] >= 0)
        continue;

      const MPoint *p = &P->pt[i];
      float x = c * p->x - s * p->y + dx, y = s * p->x + c * p->y + dy;
      float best = COMP_R * COMP_R;
      int bj = -1;

      /* the nearest within COMP_R, ties to the lowest index: only the gallery minutiae
       * within COMP_R in x can be */
      for (int q = x_lower_bound (G, x - COMP_R); q < G->n; q++)
        {
          int j = G->xo[q];

          if (G->pt[j].x > x + COMP_R)
            break;
          if (w->gp[j] >= 0)
            continue;

          float ex = G->pt[j].x - x, ey = G->pt[j].y - y, d2 = ex * ex + ey * ey;

          if ((d2 < best || (bj >= 0 && d2 == best && j < bj))
              && fabsf (angle_norm (G->pt[j].a - p->a - rot)) <= COMP_A)
            {
              best = d2;
              bj = j;
            }
        }
      if (bj < 0)
        continue;
      w->pp[i] = (int16_t)bj;
      w->gp[bj] = (int16_t)i;
      w->best_p[*kept] = (uint16_t)i;
      w->best_g[*kept] = (uint16_t)bj;
      (*kept)++;
      sum += 1.0f - sqrtf (best) / (2.0f * COMP_R);
    }
  return sum;
}

/* Probe minutiae that fall within OVERLAP_DIST of some gallery minutia after the
 * transform, and the converse. */
static void
count_overlap (const MPrep *P, const MPrep *G, float dx, float dy, float rot, float *np, float *ng,
               uint8_t *gmark)
{
  float c = cosf (-rot), s = sinf (-rot);
  float lim = OVERLAP_DIST * OVERLAP_DIST;

  memset (gmark, 0, (size_t)G->n);
  *np = 0.0f;
  for (int i = 0; i < P->n; i++)
    {
      float x = c * P->pt[i].x - s * P->pt[i].y + dx;
      float y = s * P->pt[i].x + c * P->pt[i].y + dy;
      int in = 0;

      /* outside the gallery's bounding box widened by OVERLAP_DIST: near no minutia */
      if (x < G->minx - OVERLAP_DIST || x > G->maxx + OVERLAP_DIST
          || y < G->miny - OVERLAP_DIST || y > G->maxy + OVERLAP_DIST)
        continue;
      for (int q = x_lower_bound (G, x - OVERLAP_DIST); q < G->n; q++)
        {
          int j = G->xo[q];

          if (G->pt[j].x > x + OVERLAP_DIST)
            break;

          float ex = G->pt[j].x - x, ey = G->pt[j].y - y;

          if (ex * ex + ey * ey <= lim)
            {
              in = 1;
              gmark[j] = 1;
            }
        }
      *np += (float)in;
    }
  *ng = 0.0f;
  for (int j = 0; j < G->n; j++)
    *ng += (float)gmark[j];
}

static int
score_from (float m_supported, float np_ov, float ng_ov)
{
  if (m_supported <= 0.0f)
    return 0;

  float a = np_ov > NORM_MIN_COUNT ? np_ov : NORM_MIN_COUNT;
  float b = ng_ov > NORM_MIN_COUNT ? ng_ov : NORM_MIN_COUNT;
  float m = m_supported;
  float sc = 25.0f * m * m / sqrtf (a * b);

  return (int)lroundf (sc);
}

/* Every compatible (probe edge, gallery edge) pair votes for the minutia pairs at its two
 * ends. */
static void
cast_votes (const MPrep *P, const MPrep *G, Work *w)
{
  int ng = G->n;

  memset (w->votes, 0, sizeof (uint16_t) * (size_t)P->n * (size_t)ng);
  for (int e = 0; e < P->n_sorted; e++)
    {
      const MEdge *pe = &P->sorted[e];
      float t = tol_d (pe->d);
      int dlo = dbin_of (pe->d - t), dhi = dbin_of (pe->d + t);
      /* the two angle bins that [a - TOL_AQ, a + TOL_AQ] can touch */
      int ai0 = (uint8_t)(pe->ai - TOL_AQ) >> A_SHIFT;
      int aj0 = (uint8_t)(pe->aj - TOL_AQ) >> A_SHIFT;
      uint16_t *vrow_i = &w->votes[pe->i * ng], *vrow_j = &w->votes[pe->j * ng];

      for (int x = 0; x < 2; x++)
        for (int y = 0; y < 2; y++)
          {
            int base = (((ai0 + x) & (N_ABINS - 1)) * N_ABINS + ((aj0 + y) & (N_ABINS - 1)))
                       * N_DBINS;
            int end = G->bin_start[base + dhi + 1];

            for (int b = G->bin_start[base + dlo]; b < end; b++)
              {
                const MEdge *ge = &G->sorted[b];

                /* branch-free: most visited edges are incompatible, unpredictably. No
                 * overflow: a minutia pair gets at most NB_VOTE x NB_VOTE votes as edge
                 * starts and 254 x 254 as edge ends, below 65,536. */
                uint16_t ok = (uint16_t)((fabsf (pe->d - ge->d) <= t) & angles_ok (pe, ge));

                vrow_i[ge->i] = (uint16_t)(vrow_i[ge->i] + ok);
                vrow_j[ge->j] = (uint16_t)(vrow_j[ge->j] + ok);
              }
          }
    }
}

/* In each of four 16-bit lanes, the bits from 2^k up, 2^k the highest power of two <= v
 * (v >= 1): a vote >= v sets one of them, so word & mask == 0 means no vote >= v. */
static inline uint64_t
root_mask (int v)
{
  uint64_t m = 0xFFFF;

  while (v > 1)
    {
      m = (m << 1) & 0xFFFF;
      v >>= 1;
    }
  return m * 0x0001000100010001ull;
}

static void
match_prepared (const MPrep *P, const MPrep *G, Work *w, Outcome *out, RidgeMatchResult *res)
{
  memset (out, 0, sizeof *out);
  if (P->n == 0 || G->n == 0)
    return;

  int np = P->n, ng = G->n;

  /* 2. votes from compatible edge pairs */
  cast_votes (P, G, w);

  /* top roots */
  int n_roots = 0;
  int rv[MAX_ROOTS];
  int rp[MAX_ROOTS], rg[MAX_ROOTS];

  /* a flat scan, four votes at a time: a word is skipped when none of its votes reaches
   * the power of two at or below the current floor (the smallest vote that can still
   * become a root) */
  int nv = np * ng, floor_v = MIN_ROOT_VOTES;
  uint64_t mask = root_mask (floor_v);
  for (int x = 0; x < nv; x += 4)
    {
      uint64_t word = 0;
      int end = x + 4 < nv ? x + 4 : nv;

      if (end - x == 4)
        {
          memcpy (&word, &w->votes[x], sizeof word);
          if ((word & mask) == 0)
            continue;
        }
      for (int y = x; y < end; y++)
        {
          int v = w->votes[y];

          if (v < floor_v)
            continue;

          int k = n_roots < MAX_ROOTS ? n_roots++ : MAX_ROOTS - 1;

          while (k > 0 && rv[k - 1] < v)
            {
              rv[k] = rv[k - 1];
              rp[k] = rp[k - 1];
              rg[k] = rg[k - 1];
              k--;
            }
          rv[k] = v;
          rp[k] = y / ng;
          rg[k] = y % ng;
          if (n_roots == MAX_ROOTS && rv[MAX_ROOTS - 1] >= floor_v)
            {
              floor_v = rv[MAX_ROOTS - 1] + 1;
              mask = root_mask (floor_v);
            }
        }
    }

  /* 3. expansion from each root */
  int best_m = 0;
  float best_wm = 0.0f;

  for (int r = 0; r < n_roots; r++)
    {
      /* a root whose probe or gallery minutia is already in a best pairing of at least
       * ROOT_SKIP_MIN pairs would crawl into (a part of) the same pairing again */
      int seen = 0;

      for (int k = 0; k < best_m && !seen; k++)
        seen = (w->best_p[k] == rp[r] && w->best_g[k] == rg[r])
               || (best_m >= ROOT_SKIP_MIN && (w->best_p[k] == rp[r] || w->best_g[k] == rg[r]));
      if (seen)
        continue;

      memset (w->pp, 0xFF, sizeof (int16_t) * (size_t)np);
      memset (w->gp, 0xFF, sizeof (int16_t) * (size_t)ng);
      memset (w->support, 0, (size_t)np);

      int m = 0, hn = 0;

      w->pp[rp[r]] = (int16_t)rg[r];
      w->gp[rg[r]] = (int16_t)rp[r];
      w->order_p[m++] = (uint16_t)rp[r];
      push_neighbours (P, G, w, &hn, rp[r], rg[r]);
      while (hn > 0)
        {
          Cand c = heap_pop (w, &hn);

          if (w->pp[c.p] == (int16_t)c.g)
            {
              w->support[c.p] = 1;
              continue;
            }
          if (w->pp[c.p] >= 0 || w->gp[c.g] >= 0)
            continue;
          w->pp[c.p] = (int16_t)c.g;
          w->gp[c.g] = (int16_t)c.p;
          w->order_p[m++] = c.p;
          push_neighbours (P, G, w, &hn, c.p, c.g);
        }

      /* supported pairs: reached by at least two compatible edge pairs (the root
       * counts as supported when any of its neighbours was paired) */
      int ms = 0;

      for (int k = 0; k < m; k++)
        {
          int p = w->order_p[k];

          if (w->support[p] >= 1 || (k == 0 && m > 1))
            ms++;
        }
      if (ms < 2)
        continue;

      /* rank the pairing: supported pairs weighted by how well they fit one rigid
       * transform (pairings that drift along chains of edges are impostors' mark) */
      int mc = 0;

      for (int k = 0; k < m; k++)
        {
          int p = w->order_p[k];

          if (w->support[p] >= 1 || (k == 0 && m > 1))
            {
              w->cur_p[mc] = (uint16_t)p;
              w->cur_g[mc] = (uint16_t)w->pp[p];
              mc++;
            }
        }

      float tdx, tdy, trot;

      estimate_transform (P, G, w->cur_p, w->cur_g, NULL, mc, &tdx, &tdy, &trot);

      float wm = fit_weights (P, G, w->cur_p, w->cur_g, mc, tdx, tdy, trot, w->cur_w);

      if (wm > best_wm)
        {
          best_wm = wm;
          best_m = mc;
          memcpy (w->best_p, w->cur_p, sizeof (uint16_t) * (size_t)mc);
          memcpy (w->best_g, w->cur_g, sizeof (uint16_t) * (size_t)mc);
          memcpy (w->best_w, w->cur_w, sizeof (float) * (size_t)mc);
        }
    }

  if (best_m < 2)
    return;

  /* 4. refine the transform with the weights, keep the pairs that fit, score them
   * normalised by the overlap */
  float dx, dy, rot, wm;
  float np_ov, ng_ov;
  int kept = 0;

  estimate_transform (P, G, w->best_p, w->best_g, w->best_w, best_m, &dx, &dy, &rot);
  wm = fit_weights (P, G, w->best_p, w->best_g, best_m, dx, dy, rot, w->best_w);
  for (int k = 0; k < best_m; k++)
    if (w->best_w[k] > 0.0f)
      {
        w->best_p[kept] = w->best_p[k];
        w->best_g[kept] = w->best_g[k];
        kept++;
      }
  if (kept < 2)
    return;
  if (COMP_W > 0.0f && kept >= COMP_MIN)
    wm += COMP_W * complete_pairs (P, G, w, &kept, dx, dy, rot);
  count_overlap (P, G, dx, dy, rot, &np_ov, &ng_ov, w->support);
  out->score = score_from (wm, np_ov, ng_ov);
  out->n_pairs = kept;
  out->dx = dx;
  out->dy = dy;
  out->rot = rot;
  if (res != NULL)
    {
      res->n_pairs = kept;
      for (int k = 0; k < kept; k++)
        {
          res->pairs[k].probe = P->pt[w->best_p[k]].idx;
          res->pairs[k].gallery = G->pt[w->best_g[k]].idx;
        }
    }
}

/* ---- Allocation --------------------------------------------------------------------- */

typedef struct {
  void    *block;
  uint8_t *extra;     /* extra_bytes requested from work_init, 16-byte aligned */
  Work     w;
} WorkAlloc;

static int
work_init (WorkAlloc *wa, int np, int ng, size_t extra_bytes)
{
  size_t nv = (size_t)(np > 0 ? np : 1) * (size_t)(ng > 0 ? ng : 1);
  int heap_cap = (np > 0 ? np : 1) * NB_K * NB_K;
  size_t sz = nv * sizeof (uint16_t) + (size_t)heap_cap * sizeof (Cand)
              + 2 * RIDGE_MAX_MINUTIAE * sizeof (int16_t) + RIDGE_MAX_MINUTIAE
              + 5 * RIDGE_MAX_MINUTIAE * sizeof (uint16_t)
              + 2 * RIDGE_MAX_MINUTIAE * sizeof (float) + 64;
  uint8_t *b = malloc (extra_bytes + sz);

  if (b == NULL)
    return RIDGE_ENGINE_E_NOMEM;
  wa->block = b;
  wa->extra = b;
  b += (extra_bytes + 15) & ~(size_t)15;
  wa->w.best_w = (float *)b;
  b += RIDGE_MAX_MINUTIAE * sizeof (float);
  wa->w.cur_w = (float *)b;
  b += RIDGE_MAX_MINUTIAE * sizeof (float);
  wa->w.heap = (Cand *)b;
  wa->w.heap_cap = heap_cap;
  b += (size_t)heap_cap * sizeof (Cand);
  wa->w.votes = (uint16_t *)b;
  b += nv * sizeof (uint16_t);
  wa->w.pp = (int16_t *)b;
  b += RIDGE_MAX_MINUTIAE * sizeof (int16_t);
  wa->w.gp = (int16_t *)b;
  b += RIDGE_MAX_MINUTIAE * sizeof (int16_t);
  wa->w.order_p = (uint16_t *)b;
  b += RIDGE_MAX_MINUTIAE * sizeof (uint16_t);
  wa->w.best_p = (uint16_t *)b;
  b += RIDGE_MAX_MINUTIAE * sizeof (uint16_t);
  wa->w.best_g = (uint16_t *)b;
  b += RIDGE_MAX_MINUTIAE * sizeof (uint16_t);
  wa->w.cur_p = (uint16_t *)b;
  b += RIDGE_MAX_MINUTIAE * sizeof (uint16_t);
  wa->w.cur_g = (uint16_t *)b;
  b += RIDGE_MAX_MINUTIAE * sizeof (uint16_t);
  wa->w.support = b;
  return RIDGE_ENGINE_OK;
}

static void
fill_result (RidgeMatchResult *result, const Outcome *o)
{
  result->score = o->score;
  result->n_pairs = o->n_pairs;
  result->dx = o->dx;
  result->dy = o->dy;
  result->rotation = o->rot;
}

int
ridge_match (const RidgeTemplate *probe, const RidgeTemplate *gallery, RidgeMatchResult *result)
{
  if (probe == NULL || gallery == NULL)
    return RIDGE_ENGINE_E_INVALID;
  if (result != NULL)
    memset (result, 0, sizeof *result);

  MPrep preps[2];
  WorkAlloc wa;
  Outcome o;
  int np = template_count (probe), ng = template_count (gallery);
  size_t b0 = prep_bytes (np), b1 = prep_bytes (ng);
  uint8_t *mem;

  if (work_init (&wa, np, ng, b0 + b1) != RIDGE_ENGINE_OK)
    return RIDGE_ENGINE_E_NOMEM;
  mem = wa.extra;
  prep_layout (&preps[0], mem, np);
  prep_layout (&preps[1], mem + b0, ng);
  prep_template (probe, &preps[0]);
  prep_template (gallery, &preps[1]);
  match_prepared (&preps[0], &preps[1], &wa.w, &o, result);
  if (result != NULL)
    fill_result (result, &o);
  free (wa.block);
  return o.score;
}

/* ---- Prepared templates --------------------------------------------------------------- */

struct RidgePreparedTemplate {
  MPrep    prep;
  uint8_t *mem;
  size_t   bytes;
};

int
ridge_prepared_template_new (const RidgeTemplate *t, RidgePreparedTemplate **out)
{
  if (out == NULL)
    return RIDGE_ENGINE_E_INVALID;
  *out = NULL;
  if (t == NULL)
    return RIDGE_ENGINE_E_INVALID;

  int n = template_count (t);
  size_t pb = prep_bytes (n);
  RidgePreparedTemplate *pt = malloc (sizeof *pt);

  if (pt == NULL)
    return RIDGE_ENGINE_E_NOMEM;
  pt->mem = malloc (pb);
  if (pt->mem == NULL)
    {
      free (pt);
      return RIDGE_ENGINE_E_NOMEM;
    }
  pt->bytes = sizeof *pt + pb;
  prep_layout (&pt->prep, pt->mem, n);
  prep_template (t, &pt->prep);
  *out = pt;
  return RIDGE_ENGINE_OK;
}

void
ridge_prepared_template_free (RidgePreparedTemplate *prepared)
{
  if (prepared == NULL)
    return;
  free (prepared->mem);
  free (prepared);
}

size_t
ridge_prepared_template_size (const RidgePreparedTemplate *prepared)
{
  return prepared != NULL ? prepared->bytes : 0;
}

int
ridge_match_prepared (const RidgePreparedTemplate *probe, const RidgePreparedTemplate *gallery,
                      RidgeMatchResult *result)
{
  if (probe == NULL || gallery == NULL)
    return RIDGE_ENGINE_E_INVALID;
  if (result != NULL)
    memset (result, 0, sizeof *result);

  WorkAlloc wa;
  Outcome o;

  if (work_init (&wa, probe->prep.n, gallery->prep.n, 0) != RIDGE_ENGINE_OK)
    return RIDGE_ENGINE_E_NOMEM;
  match_prepared (&probe->prep, &gallery->prep, &wa.w, &o, result);
  if (result != NULL)
    fill_result (result, &o);
  free (wa.block);
  return o.score;
}

int
ridge_match_enrolled (const RidgeTemplate *probe, const RidgeEnrollTemplate *enrolled,
                      RidgeMatchResult *result, int *best_sample)
{
  if (probe == NULL || enrolled == NULL || enrolled->n_samples < 0
      || enrolled->n_samples > RIDGE_ENROLL_MAX_SAMPLES)
    return RIDGE_ENGINE_E_INVALID;
  if (result != NULL)
    memset (result, 0, sizeof *result);
  if (best_sample != NULL)
    *best_sample = -1;

  /* the probe is prepared once for every sample */
  RidgePreparedTemplate *pp = NULL, *gp = NULL;
  int r = ridge_prepared_template_new (probe, &pp);
  int best = 0, best_s = -1;

  if (r != RIDGE_ENGINE_OK)
    return r;
  for (int s = 0; s < enrolled->n_samples; s++)
    {
      RidgeMatchResult mr;
      int sc;

      r = ridge_prepared_template_new (&enrolled->samples[s], &gp);
      if (r != RIDGE_ENGINE_OK)
        {
          ridge_prepared_template_free (pp);
          return r;
        }
      sc = ridge_match_prepared (pp, gp, result != NULL ? &mr : NULL);
      ridge_prepared_template_free (gp);
      gp = NULL;
      if (sc < 0)
        {
          ridge_prepared_template_free (pp);
          return sc;
        }
      if (best_s < 0 || sc > best)
        {
          best = sc;
          best_s = s;
          if (result != NULL)
            *result = mr;
        }
    }
  ridge_prepared_template_free (pp);
  if (best_sample != NULL)
    *best_sample = best_s;
  return best;
}

/* ---- 1:N identification ------------------------------------------------------------- */

struct RidgeMatchIndex {
  size_t   n;
  MPrep   *preps;
  uint8_t *mem;
  int      max_minutiae;
  size_t   bytes;
};

int
ridge_match_index_new (const RidgeTemplate *gallery, size_t n_gallery, RidgeMatchIndex **out)
{
  if (out == NULL)
    return RIDGE_ENGINE_E_INVALID;
  *out = NULL;
  if ((gallery == NULL && n_gallery > 0) || n_gallery > RIDGE_IDENTIFY_MAX_GALLERY)
    return RIDGE_ENGINE_E_INVALID;

  RidgeMatchIndex *idx = calloc (1, sizeof *idx);
  size_t total = 0;

  if (idx == NULL)
    return RIDGE_ENGINE_E_NOMEM;
  for (size_t i = 0; i < n_gallery; i++)
    total += prep_bytes (template_count (&gallery[i]));
  idx->n = n_gallery;
  idx->preps = calloc (n_gallery > 0 ? n_gallery : 1, sizeof (MPrep));
  idx->mem = malloc (total > 0 ? total : 1);
  if (idx->preps == NULL || idx->mem == NULL)
    {
      ridge_match_index_free (idx);
      return RIDGE_ENGINE_E_NOMEM;
    }
  idx->bytes = sizeof *idx + n_gallery * sizeof (MPrep) + total;

  size_t off = 0;

  for (size_t i = 0; i < n_gallery; i++)
    {
      int n = template_count (&gallery[i]);

      prep_layout (&idx->preps[i], idx->mem + off, n);
      prep_template (&gallery[i], &idx->preps[i]);
      off += prep_bytes (n);
      if (idx->preps[i].n > idx->max_minutiae)
        idx->max_minutiae = idx->preps[i].n;
    }
  *out = idx;
  return RIDGE_ENGINE_OK;
}

void
ridge_match_index_free (RidgeMatchIndex *index)
{
  if (index == NULL)
    return;
  free (index->preps);
  free (index->mem);
  free (index);
}

size_t
ridge_match_index_size (const RidgeMatchIndex *index)
{
  return index != NULL ? index->bytes : 0;
}

/* Inserts (index, score) into hits[0 .. *n) kept best first, ties by index. */
static void
hits_insert (RidgeIdentifyHit *hits, int max_hits, int *n, size_t index, int score)
{
  int k;

  if (*n == max_hits && score <= hits[max_hits - 1].score)
    return;
  k = *n < max_hits ? (*n)++ : max_hits - 1;
  while (k > 0 && hits[k - 1].score < score)
    {
      hits[k] = hits[k - 1];
      k--;
    }
  hits[k].index = index;
  hits[k].score = score;
}

int
ridge_match_index_identify (const RidgeMatchIndex *index, const RidgeTemplate *probe,
                            int threshold, RidgeIdentifyHit *hits, int max_hits)
{
  if (index == NULL || probe == NULL || max_hits < 0 || (hits == NULL && max_hits > 0))
    return RIDGE_ENGINE_E_INVALID;
  if (max_hits == 0 || index->n == 0)
    return 0;

  int np = template_count (probe);
  size_t pb = prep_bytes (np);
  WorkAlloc wa;
  MPrep P;
  int n_hits = 0;

  if (work_init (&wa, np, index->max_minutiae, pb) != RIDGE_ENGINE_OK)
    return RIDGE_ENGINE_E_NOMEM;
  prep_layout (&P, wa.extra, np);
  prep_template (probe, &P);
  for (size_t i = 0; i < index->n; i++)
    {
      const MPrep *G = &index->preps[i];
      Outcome o;

      if (P.n == 0 || G->n == 0)
        continue;
      match_prepared (&P, G, &wa.w, &o, NULL);
      if (o.score >= threshold)
        hits_insert (hits, max_hits, &n_hits, i, o.score);
    }
  free (wa.block);
  return n_hits;
}

int
ridge_identify (const RidgeTemplate *probe, const RidgeTemplate *gallery, size_t n_gallery,
                int threshold, RidgeIdentifyHit *hits, int max_hits)
{
  RidgeMatchIndex *idx = NULL;
  int r;

  if (probe == NULL || max_hits < 0 || (hits == NULL && max_hits > 0))
    return RIDGE_ENGINE_E_INVALID;
  r = ridge_match_index_new (gallery, n_gallery, &idx);
  if (r != RIDGE_ENGINE_OK)
    return r;
  r = ridge_match_index_identify (idx, probe, threshold, hits, max_hits);
  ridge_match_index_free (idx);
  return r;
}
