/* ridge-synth-minutiae.c — ground-truth minutiae of a clean synthetic ridge pattern
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Binary ridges are thinned (Zhang–Suen, then staircase pixels removed so the skeleton
 * is one pixel wide and 8-connected); the crossing number marks ridge endings (1) and
 * bifurcations (3). What thinning invents, or what no extractor could tell apart, is
 * removed: spurs (an ending joined to a bifurcation by a short branch), short islands,
 * broken ridges (two endings facing each other across a short gap) and any two minutiae
 * very close together (small lakes, bridges). Directions follow the ISO
 * convention of ridge-engine.h, measured along the skeleton about one ridge period away.
 */

#include "ridge-synth-private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Same bytes on every platform: no fused multiply-add (GCC in C11 mode does not contract;
 * clang does unless told). */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#define PI_D 3.14159265358979323846

/* neighbours in cyclic order: E, NE, N, NW, W, SW, S, SE */
static const int nbr_dx[8] = { 1, 1, 0, -1, -1, -1, 0, 1 };
static const int nbr_dy[8] = { 0, -1, -1, -1, 0, 1, 1, 1 };

void
ridge_synth_thin (uint8_t *bin,
                  int      w,
                  int      h,
                  uint8_t *work)
{
  int changed = 1;

  for (int x = 0; x < w; x++)
    bin[x] = bin[(size_t)(h - 1) * w + x] = 0;
  for (int y = 0; y < h; y++)
    bin[(size_t)y * w] = bin[(size_t)y * w + w - 1] = 0;

  /* Zhang–Suen: P2..P9 = N, NE, E, SE, S, SW, W, NW */
  while (changed)
    {
      changed = 0;
      for (int pass = 0; pass < 2; pass++)
        {
          int n_del = 0;

          memset (work, 0, (size_t)w * h);
          for (int y = 1; y < h - 1; y++)
            {
              const uint8_t *r0 = bin + (size_t)(y - 1) * w;
              const uint8_t *r1 = bin + (size_t)y * w;
              const uint8_t *r2 = bin + (size_t)(y + 1) * w;

              for (int x = 1; x < w - 1; x++)
                {
                  int p[8], b = 0, a = 0;

                  if (!r1[x])
                    continue;
                  p[0] = r0[x];
                  p[1] = r0[x + 1];
                  p[2] = r1[x + 1];
                  p[3] = r2[x + 1];
                  p[4] = r2[x];
                  p[5] = r2[x - 1];
                  p[6] = r1[x - 1];
                  p[7] = r0[x - 1];
                  for (int i = 0; i < 8; i++)
                    {
                      b += p[i];
                      a += !p[i] && p[(i + 1) & 7];
                    }
                  if (b < 2 || b > 6 || a != 1)
                    continue;
                  if (pass == 0 && ((p[0] && p[2] && p[4]) || (p[2] && p[4] && p[6])))
                    continue;
                  if (pass == 1 && ((p[0] && p[2] && p[6]) || (p[0] && p[4] && p[6])))
                    continue;
                  work[(size_t)y * w + x] = 1;
                  n_del++;
                }
            }
          if (n_del > 0)
            {
              changed = 1;
              for (size_t i = 0; i < (size_t)w * h; i++)
                if (work[i])
                  bin[i] = 0;
            }
        }
    }

  /* staircases: a pixel whose two 4-neighbours on one corner are set, with nothing on
   * the opposite side, is redundant for 8-connectivity */
  for (int y = 1; y < h - 1; y++)
    for (int x = 1; x < w - 1; x++)
      {
        uint8_t *c = bin + (size_t)y * w + x;
        int n, e, s, wv, ne, nw, se, sw;

        if (!*c)
          continue;
        n = c[-w];
        s = c[w];
        e = c[1];
        wv = c[-1];
        ne = c[-w + 1];
        nw = c[-w - 1];
        se = c[w + 1];
        sw = c[w - 1];
        if ((n && e && !s && !wv && !sw)
            || (e && s && !n && !wv && !nw)
            || (s && wv && !n && !e && !ne)
            || (wv && n && !s && !e && !se))
          *c = 0;
      }
}

int
ridge_synth_crossing_number (const uint8_t *skel,
                             int            w,
                             int            x,
                             int            y)
{
  int t = 0;

  for (int i = 0; i < 8; i++)
    {
      int a = skel[(size_t)(y + nbr_dy[i]) * w + x + nbr_dx[i]] != 0;
      int b = skel[(size_t)(y + nbr_dy[(i + 1) & 7]) * w + x + nbr_dx[(i + 1) & 7]] != 0;

      t += a != b;
    }
  return t / 2;
}

/* ---- Exploring the skeleton around a minutia ----------------------------------------- */

#define MAX_BRANCH 8
#define WIN_MAX    (2 * 40 + 1)

typedef struct {
  int   n_branches;
  float dir_x[MAX_BRANCH];     /* point about `dir_len` along each branch */
  float dir_y[MAX_BRANCH];
  int   length[MAX_BRANCH];    /* how far the branch goes, capped at the limit */
  int   junction_dist;         /* geodesic distance to the nearest other junction, or -1 */
  int   junction_x, junction_y;
  int   ending_dist;           /* distance to the nearest ending, or -1 */
  int   ending_x, ending_y;
} Explore;

typedef struct {
  const uint8_t *skel;
  const uint8_t *cn;           /* crossing number per pixel (0 off the skeleton) */
  int            w, h;
  int16_t        dist[WIN_MAX * WIN_MAX];
  int8_t         label[WIN_MAX * WIN_MAX];
  int            queue[WIN_MAX * WIN_MAX];
} Explorer;

/* Breadth-first walk along the skeleton from the source pixels (a minutia: one ending
 * pixel or a cluster of junction pixels) up to `limit` steps. */
static void
explore (Explorer  *ex,
         const int *sx,
         const int *sy,
         int        n_src,
         int        limit,
         int        dir_len,
         Explore   *out)
{
  int win = 2 * limit + 5;
  int ox = sx[0] - win / 2, oy = sy[0] - win / 2;
  int head = 0, tail = 0;

  memset (out, 0, sizeof *out);
  out->junction_dist = -1;
  out->ending_dist = -1;
  if (win > WIN_MAX)
    return;
  for (int i = 0; i < win * win; i++)
    {
      ex->dist[i] = -1;
      ex->label[i] = -1;
    }
  for (int i = 0; i < n_src; i++)
    {
      int lx = sx[i] - ox, ly = sy[i] - oy;

      if (lx < 0 || ly < 0 || lx >= win || ly >= win)
        continue;
      ex->dist[ly * win + lx] = 0;
      ex->label[ly * win + lx] = -2;
    }
  /* first ring: one label per run of neighbours in cyclic order (what the crossing
   * number counts); a pixel next to two source pixels keeps its first label */
  for (int i = 0; i < n_src; i++)
    {
      int on[8], start = -1;

      for (int k = 0; k < 8; k++)
        {
          int x = sx[i] + nbr_dx[k], y = sy[i] + nbr_dy[k];
          int lx = x - ox, ly = y - oy;

          on[k] = x >= 1 && y >= 1 && x < ex->w - 1 && y < ex->h - 1
                  && lx >= 1 && ly >= 1 && lx < win - 1 && ly < win - 1
                  && ex->skel[(size_t)y * ex->w + x] && ex->label[ly * win + lx] != -2;
        }
      for (int k = 0; k < 8 && start < 0; k++)
        if (!on[k] && on[(k + 1) & 7])
          start = (k + 1) & 7;
      if (start < 0)
        continue;              /* no neighbour, or all eight set */
      for (int k0 = 0, lab = -1; k0 < 8; k0++)
        {
          int k = (start + k0) & 7;
          int x = sx[i] + nbr_dx[k], y = sy[i] + nbr_dy[k];
          int idx = (y - oy) * win + (x - ox);

          if (!on[k])
            {
              lab = -1;
              continue;
            }
          if (lab < 0)
            {
              /* a new run: reuse the label of any pixel of it already reached */
              for (int k1 = k0; k1 < 8; k1++)
                {
                  int kk = (start + k1) & 7;
                  int ii = (sy[i] + nbr_dy[kk] - oy) * win + (sx[i] + nbr_dx[kk] - ox);

                  if (!on[kk])
                    break;
                  if (ex->label[ii] >= 0)
                    {
                      lab = ex->label[ii];
                      break;
                    }
                }
              if (lab < 0)
                {
                  if (out->n_branches >= MAX_BRANCH)
                    continue;
                  lab = out->n_branches++;
                  out->dir_x[lab] = (float)x;
                  out->dir_y[lab] = (float)y;
                  out->length[lab] = 1;
                }
            }
          if (ex->dist[idx] >= 0)
            continue;
          ex->dist[idx] = 1;
          ex->label[idx] = (int8_t)lab;
          ex->queue[tail++] = idx;
        }
    }
  while (head < tail)
    {
      int cur = ex->queue[head++];
      int cx = cur % win, cy = cur / win;
      int d = ex->dist[cur], lab = ex->label[cur];
      int gx = cx + ox, gy = cy + oy;
      int cn = ex->cn[(size_t)gy * ex->w + gx];

      if (cn >= 3 && out->junction_dist < 0)
        {
          out->junction_dist = d;
          out->junction_x = gx;
          out->junction_y = gy;
        }
      if (cn == 1 && out->ending_dist < 0)
        {
          out->ending_dist = d;
          out->ending_x = gx;
          out->ending_y = gy;
        }
      if (d > out->length[lab])
        out->length[lab] = d;
      if (d <= dir_len)
        {
          out->dir_x[lab] = (float)gx;
          out->dir_y[lab] = (float)gy;
        }
      if (d >= limit)
        continue;
      for (int k = 0; k < 8; k++)
        {
          int nx = cx + nbr_dx[k], ny = cy + nbr_dy[k];
          int gnx = nx + ox, gny = ny + oy;

          if (nx < 1 || ny < 1 || nx >= win - 1 || ny >= win - 1)
            continue;
          if (gnx < 1 || gny < 1 || gnx >= ex->w - 1 || gny >= ex->h - 1)
            continue;
          if (!ex->skel[(size_t)gny * ex->w + gnx] || ex->dist[ny * win + nx] >= 0)
            continue;
          ex->dist[ny * win + nx] = (int16_t)(d + 1);
          ex->label[ny * win + nx] = (int8_t)lab;
          ex->queue[tail++] = ny * win + nx;
        }
    }
}

/* ---- Minutiae ---------------------------------------------------------------------------- */

typedef struct {
  int   x, y;
  int   type;
  int   alive;
  float angle;
  int   n_px;                  /* junction cluster */
  int   px[6], py[6];
} Cand;

static float
iso_angle (float dx,
           float dy)
{
  double a = ridge_synth_atan2 (-(double)dy, (double)dx);

  if (a < 0)
    a += 2.0 * PI_D;
  if (a >= 2.0 * PI_D)
    a = 0.0;
  return (float)a;
}

static float
angle_diff (float a,
            float b)
{
  float d = fabsf (a - b);

  while (d > (float)(2.0 * PI_D))
    d -= (float)(2.0 * PI_D);
  return d > (float)PI_D ? (float)(2.0 * PI_D) - d : d;
}

static int
find_cand (const Cand *c,
           int         n,
           int         x,
           int         y,
           int         reach)
{
  for (int i = 0; i < n; i++)
    {
      if (!c[i].alive)
        continue;
      for (int k = 0; k < (c[i].type == RIDGE_MINUTIA_BIFURCATION ? c[i].n_px : 1); k++)
        {
          int px = c[i].type == RIDGE_MINUTIA_BIFURCATION ? c[i].px[k] : c[i].x;
          int py = c[i].type == RIDGE_MINUTIA_BIFURCATION ? c[i].py[k] : c[i].y;

          if (abs (px - x) <= reach && abs (py - y) <= reach)
            return i;
        }
    }
  return -1;
}

int
ridge_synth_skeleton_minutiae (const uint8_t *skel,
                               int            w,
                               int            h,
                               const uint8_t *mask,
                               float          period,
                               RidgeMinutia  *out,
                               int            cap)
{
  uint8_t *cn = calloc ((size_t)w * h, 1);
  Explorer *ex = malloc (sizeof (Explorer));
  Cand *c = NULL;
  int n = 0, n_cap = 0, n_out = 0;
  int l_dir = (int)lrintf (period * 1.1f);
  int l_spur = (int)lrintf (period * 1.2f);
  int l_island = (int)lrintf (period * 1.8f);
  float d_pair = period * 0.8f;
  float d_gap = period * 1.4f;
  uint8_t *kill = NULL;

  if (l_dir > 36)
    l_dir = 36;
  if (l_island > 38)
    l_island = 38;
  if (cn == NULL || ex == NULL)
    goto out;
  ex->skel = skel;
  ex->cn = cn;
  ex->w = w;
  ex->h = h;

  for (int y = 1; y < h - 1; y++)
    for (int x = 1; x < w - 1; x++)
      if (skel[(size_t)y * w + x])
        {
          int v = ridge_synth_crossing_number (skel, w, x, y);

          cn[(size_t)y * w + x] = (uint8_t)(v == 0 ? 2 : v);    /* isolated pixel: not a minutia */
          if (v == 1 || v >= 3)
            n_cap++;
        }
  c = calloc ((size_t)n_cap + 1, sizeof (Cand));
  if (c == NULL)
    goto out;

  /* candidates; adjacent junction pixels form one bifurcation */
  for (int y = 1; y < h - 1; y++)
    for (int x = 1; x < w - 1; x++)
      {
        int v = cn[(size_t)y * w + x];

        if (v == 1)
          c[n++] = (Cand) { .x = x, .y = y, .type = RIDGE_MINUTIA_ENDING, .alive = 1 }
        ;
        else if (v >= 3)
          {
            int j = -1;

            for (int i = n - 1; i >= 0 && j < 0; i--)
              if (c[i].type == RIDGE_MINUTIA_BIFURCATION && c[i].n_px < 6)
                for (int k = 0; k < c[i].n_px; k++)
                  if (abs (c[i].px[k] - x) <= 1 && abs (c[i].py[k] - y) <= 1)
                    j = i;
            if (j >= 0)
              {
                c[j].px[c[j].n_px] = x;
                c[j].py[c[j].n_px] = y;
                c[j].n_px++;
                continue;
              }
            c[n] = (Cand) { .x = x, .y = y, .type = RIDGE_MINUTIA_BIFURCATION, .alive = 1 };
            c[n].px[0] = x;
            c[n].py[0] = y;
            c[n].n_px = 1;
            n++;
          }
      }

  /* directions, spurs and islands */
  for (int i = 0; i < n; i++)
    {
      Explore e;

      if (c[i].type == RIDGE_MINUTIA_ENDING)
        {
          explore (ex, &c[i].x, &c[i].y, 1, l_island, l_dir, &e);
          if (e.n_branches != 1)
            {
              c[i].alive = 0;
              continue;
            }
          c[i].angle = iso_angle (e.dir_x[0] - (float)c[i].x, e.dir_y[0] - (float)c[i].y);
          if (e.junction_dist >= 0 && e.junction_dist <= l_spur)
            {
              int j = find_cand (c, n, e.junction_x, e.junction_y, 1);

              c[i].alive = 0;
              if (j >= 0 && c[j].type == RIDGE_MINUTIA_BIFURCATION)
                c[j].alive = 0;
            }
          else if (e.junction_dist < 0 && e.ending_dist >= 0)
            {
              /* a short segment with two free ends */
              int j = find_cand (c, n, e.ending_x, e.ending_y, 0);

              c[i].alive = 0;
              if (j >= 0)
                c[j].alive = 0;
            }
        }
    }
  for (int i = 0; i < n; i++)
    {
      Explore e;
      float cx = 0, cy = 0;
      int bi = 0, bj = 1;
      float best = 1e9f;

      if (c[i].type != RIDGE_MINUTIA_BIFURCATION || !c[i].alive)
        continue;
      explore (ex, c[i].px, c[i].py, c[i].n_px, l_dir, l_dir, &e);
      if (e.n_branches != 3 || c[i].n_px > 3)
        {
          c[i].alive = 0;
          continue;
        }
      for (int k = 0; k < c[i].n_px; k++)
        {
          cx += (float)c[i].px[k];
          cy += (float)c[i].py[k];
        }
      cx /= (float)c[i].n_px;
      cy /= (float)c[i].n_px;
      c[i].x = (int)lrintf (cx);
      c[i].y = (int)lrintf (cy);
      /* the two fork branches are the closest pair; the angle is their bisector */
      for (int a = 0; a < 3; a++)
        for (int b = a + 1; b < 3; b++)
          {
            float aa = iso_angle (e.dir_x[a] - cx, e.dir_y[a] - cy);
            float ab = iso_angle (e.dir_x[b] - cx, e.dir_y[b] - cy);
            float d = angle_diff (aa, ab);

            if (d < best)
              {
                best = d;
                bi = a;
                bj = b;
              }
          }
      {
        float ax = e.dir_x[bi] - cx, ay = e.dir_y[bi] - cy;
        float bx = e.dir_x[bj] - cx, by = e.dir_y[bj] - cy;
        float la = sqrtf (ax * ax + ay * ay), lb = sqrtf (bx * bx + by * by);

        if (la < 1e-3f || lb < 1e-3f)
          {
            c[i].alive = 0;
            continue;
          }
        c[i].angle = iso_angle (ax / la + bx / lb, ay / la + by / lb);
      }
    }

  /* pairs that are artefacts, or too close to tell apart: any two minutiae closer than
   * 0.8 ridge period (small lakes, bridges, hooks), and two endings facing each other
   * across a gap of up to 1.4 periods (a broken ridge) */
  kill = calloc ((size_t)n + 1, 1);
  if (kill == NULL)
    goto out;
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n && c[i].alive; j++)
      {
        float dx, dy, d2;

        if (!c[j].alive)
          continue;
        dx = (float)(c[j].x - c[i].x);
        dy = (float)(c[j].y - c[i].y);
        d2 = dx * dx + dy * dy;
        if (d2 < d_pair * d_pair)
          kill[i] = kill[j] = 1;
        else if (d2 < d_gap * d_gap && c[i].type == RIDGE_MINUTIA_ENDING
                 && c[j].type == RIDGE_MINUTIA_ENDING)
          {
            float to_j = iso_angle (dx, dy), to_i = iso_angle (-dx, -dy);

            /* each ending's free side (opposite its direction) looks at the other */
            if (angle_diff (c[i].angle + (float)PI_D, to_j) < 0.9f
                && angle_diff (c[j].angle + (float)PI_D, to_i) < 0.9f)
              kill[i] = kill[j] = 1;
          }
      }
  for (int i = 0; i < n; i++)
    if (kill[i])
      c[i].alive = 0;

  for (int i = 0; i < n && n_out < cap; i++)
    {
      if (!c[i].alive)
        continue;
      if (mask != NULL && !mask[(size_t)c[i].y * w + c[i].x])
        continue;
      out[n_out].x = (float)c[i].x;
      out[n_out].y = (float)c[i].y;
      out[n_out].angle = c[i].angle;
      out[n_out].type = (uint8_t)c[i].type;
      out[n_out].quality = 100;
      n_out++;
    }

out:
  free (cn);
  free (ex);
  free (c);
  free (kill);
  return n_out;
}
