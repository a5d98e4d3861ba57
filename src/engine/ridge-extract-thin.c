/* ridge-extract-thin.c — thinning of the binary ridges to a one-pixel skeleton
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ridge-extract-steps-private.h"

#include <stdlib.h>
#include <string.h>

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
int
ridge_extract_thin (RidgeExtractCtx *c)
{
  int w = c->w, h = c->h, n = 0;
  uint8_t lut[2][256], simple[256];
  int32_t *list = c->mark;         /* the skeleton's pixels at the end */
  int32_t *cand = c->mark, *next = c->aux;
  int32_t ring_off[8];

  for (int q = 0; q < 8; q++)
    ring_off[q] = ring_dy[q] * w + ring_dx[q];

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

  /* skel bits: 1 set, 2 marked for deletion, 4 queued as a candidate, 8 kept by the last
   * sub-iteration, 16 a neighbour was deleted since it was last looked at. Only pixels on
   * the boundary of the ridges are candidates; a deletion exposes its neighbours. A
   * candidate that both sub-iterations kept while its neighbours stayed the same can never
   * go (the two tests alternate on the same neighbourhood): it leaves the list until a
   * neighbour is deleted. Deletions are decided on the state before each sub-iteration,
   * so the list's order does not matter and the skeleton is the same. */
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
                      int32_t j = k + ring_off[q];
                      uint8_t v = c->skel[j];

                      if (!(v & 1))
                        continue;
                      if (!(v & 4))
                        next[m++] = j;
                      c->skel[j] = v | 16 | 4;
                    }
                }
            }
          for (int i = 0; i < n; i++)
            {
              int32_t k = cand[i];
              uint8_t v = c->skel[k];

              if (v == 0)
                continue;                       /* deleted above */
              if (v & 16)
                c->skel[k] = (uint8_t)(v & ~(16 | 8));
              else if (v & 8)
                {
                  c->skel[k] = (uint8_t)(v & ~4);   /* stable: off the list */
                  continue;
                }
              else
                c->skel[k] = (uint8_t)(v | 8);
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
