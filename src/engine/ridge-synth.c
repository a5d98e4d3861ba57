/* ridge-synth.c — impressions of a synthetic finger, with their ground-truth minutiae
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An impression is the master print (ridge-synth-master.c) seen through an inverse map
 * from impression pixels to master pixels: a rigid part (translation, rotation up to
 * ±20°) and an elastic part (a smooth displacement that is nil around the centre of
 * contact and grows outwards, as in Cappelli–Maio–Maltoni's distortion model). The
 * pixel values then get the skin and sensor: ridge thickness from pressure and dryness
 * (dry fingers also break ridges), a soft fingertip border, a part of the print cut off
 * (partial contact), pores, blur, noise and an uneven background.
 *
 * The ground truth is the master's minutiae, mapped by the forward transform, kept when
 * they are at least 10 px inside the visible print and when the clean impression (the
 * same transform, no skin or sensor effects) shows a minutia of the same type there.
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

#define PI_F     3.14159265358979323846
#define N_BUMPS  5

typedef struct {
  /* rigid part: master = cm + R(-rot) (image - co - t) */
  float cos_r, sin_r;
  float cmx, cmy;              /* master anchor */
  float cox, coy;              /* image anchor */
  float tx, ty;
  /* elastic part, in master coordinates */
  int   n_bumps;
  float bx[N_BUMPS], by[N_BUMPS], ax[N_BUMPS], ay[N_BUMPS];
  float inv_2s2;
  float ccx, ccy, r0, r1;      /* centre of contact, no distortion within r0, full beyond r1 */
} Transform;

static float
smoothstep (float e0,
            float e1,
            float x)
{
  float t = (x - e0) / (e1 - e0);

  if (t <= 0.0f)
    return 0.0f;
  if (t >= 1.0f)
    return 1.0f;
  return t * t * (3.0f - 2.0f * t);
}

static void
elastic (const Transform *tf,
         float            x,
         float            y,
         float           *dx,
         float           *dy)
{
  float ddx = 0.0f, ddy = 0.0f, r, wgt;

  *dx = 0.0f;
  *dy = 0.0f;
  if (tf->n_bumps == 0)
    return;
  r = sqrtf ((x - tf->ccx) * (x - tf->ccx) + (y - tf->ccy) * (y - tf->ccy));
  wgt = smoothstep (tf->r0, tf->r1, r);
  if (wgt <= 0.0f)
    return;
  for (int i = 0; i < tf->n_bumps; i++)
    {
      float ex = x - tf->bx[i], ey = y - tf->by[i];
      float q = (ex * ex + ey * ey) * tf->inv_2s2;
      float g;

      if (q > 40.0f)
        continue;              /* exp (-40) < 1e-17: nothing to add */
      g = (float)ridge_synth_exp (-q);

      ddx += tf->ax[i] * g;
      ddy += tf->ay[i] * g;
    }
  *dx = wgt * ddx;
  *dy = wgt * ddy;
}

/* impression pixel -> master pixel; points whose rigid image lies more than `far`
 * pixels outside the master canvas skip the elastic part (they see nothing anyway) */
static void
map_inverse (const Transform        *tf,
             const RidgeSynthMaster *m,
             float                   qx,
             float                   qy,
             float                  *px,
             float                  *py,
             float                   far)
{
  float ux = qx - tf->cox - tf->tx, uy = qy - tf->coy - tf->ty;
  float x0 = tf->cmx + tf->cos_r * ux + tf->sin_r * uy;
  float y0 = tf->cmy - tf->sin_r * ux + tf->cos_r * uy;
  float dx, dy;

  if (!(x0 > -far && y0 > -far && x0 < (float)m->width + far && y0 < (float)m->height + far))
    {
      *px = x0;
      *py = y0;
      return;
    }
  elastic (tf, x0, y0, &dx, &dy);
  *px = x0 + dx;
  *py = y0 + dy;
}

/* master pixel -> impression pixel (the elastic part is inverted by fixed-point
 * iteration: its gradient is far below 1) */
static void
map_forward (const Transform *tf,
             float            px,
             float            py,
             float           *qx,
             float           *qy)
{
  float x0 = px, y0 = py, ux, uy;

  for (int it = 0; it < 12; it++)
    {
      float dx, dy;

      elastic (tf, x0, y0, &dx, &dy);
      x0 = px - dx;
      y0 = py - dy;
    }
  ux = x0 - tf->cmx;
  uy = y0 - tf->cmy;
  *qx = tf->cox + tf->tx + tf->cos_r * ux - tf->sin_r * uy;
  *qy = tf->coy + tf->ty + tf->sin_r * ux + tf->cos_r * uy;
}

static float
sample (const RidgeSynthMaster *m,
        float                   x,
        float                   y)
{
  int ix, iy;
  float fx, fy;
  const float *r;

  if (!(x >= 0.0f && y >= 0.0f && x < (float)(m->width - 1) && y < (float)(m->height - 1)))
    return 0.0f;
  ix = (int)x;
  iy = (int)y;
  fx = x - (float)ix;
  fy = y - (float)iy;
  r = m->ridges + (size_t)iy * m->width + ix;
  return (r[0] * (1.0f - fx) + r[1] * fx) * (1.0f - fy)
         + (r[m->width] * (1.0f - fx) + r[m->width + 1] * fx) * fy;
}

/* Smooth random field in [-1, 1]: value noise on a coarse grid. */
typedef struct {
  int    gw, gh;
  float  cell;
  float *v;
} Noise;

static int
noise_init (Noise    *n,
            RidgeRng *rng,
            int       w,
            int       h,
            float     cell)
{
  n->cell = cell;
  n->gw = (int)((float)w / cell) + 3;
  n->gh = (int)((float)h / cell) + 3;
  n->v = malloc (sizeof (float) * (size_t)n->gw * n->gh);
  if (n->v == NULL)
    return RIDGE_ENGINE_E_NOMEM;
  for (int i = 0; i < n->gw * n->gh; i++)
    n->v[i] = (float)ridge_rng_range (rng, -1.0, 1.0);
  return RIDGE_ENGINE_OK;
}

static float
noise_at (const Noise *n,
          float        x,
          float        y)
{
  float gx = x / n->cell, gy = y / n->cell;
  int ix = (int)gx, iy = (int)gy;
  float fx, fy;
  const float *v;

  if (ix < 0)
    ix = 0;
  if (iy < 0)
    iy = 0;
  if (ix > n->gw - 2)
    ix = n->gw - 2;
  if (iy > n->gh - 2)
    iy = n->gh - 2;
  fx = smoothstep (0.0f, 1.0f, gx - (float)ix);
  fy = smoothstep (0.0f, 1.0f, gy - (float)iy);
  v = n->v + iy * n->gw + ix;
  return (v[0] * (1.0f - fx) + v[1] * fx) * (1.0f - fy) +
         (v[n->gw] * (1.0f - fx) + v[n->gw + 1] * fx) * fy;
}

/* Chamfer (3-4) distance to the nearest zero of mask, in pixels; pixels beyond the
 * image count as zero. */
static void
distance_inside (const uint8_t *mask,
                 int            w,
                 int            h,
                 float         *dist)
{
  const float big = 1e6f;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        float d = mask[(size_t)y * w + x] ? big : 0.0f;

        if (d > 0.0f)
          {
            float up = y > 0 ? dist[(size_t)(y - 1) * w + x] : 0.0f;
            float left = x > 0 ? dist[(size_t)y * w + x - 1] : 0.0f;
            float ul = (x > 0 && y > 0) ? dist[(size_t)(y - 1) * w + x - 1] : 0.0f;
            float ur = (x < w - 1 && y > 0) ? dist[(size_t)(y - 1) * w + x + 1] : 0.0f;

            d = fminf (d, up + 3.0f);
            d = fminf (d, left + 3.0f);
            d = fminf (d, ul + 4.0f);
            d = fminf (d, ur + 4.0f);
          }
        dist[(size_t)y * w + x] = d;
      }
  for (int y = h - 1; y >= 0; y--)
    for (int x = w - 1; x >= 0; x--)
      {
        float d = dist[(size_t)y * w + x];

        if (d > 0.0f)
          {
            float down = y < h - 1 ? dist[(size_t)(y + 1) * w + x] : 0.0f;
            float right = x < w - 1 ? dist[(size_t)y * w + x + 1] : 0.0f;
            float dr = (x < w - 1 && y < h - 1) ? dist[(size_t)(y + 1) * w + x + 1] : 0.0f;
            float dl = (x > 0 && y < h - 1) ? dist[(size_t)(y + 1) * w + x - 1] : 0.0f;

            d = fminf (d, down + 3.0f);
            d = fminf (d, right + 3.0f);
            d = fminf (d, dr + 4.0f);
            d = fminf (d, dl + 4.0f);
          }
        dist[(size_t)y * w + x] = d;
      }
  for (size_t i = 0; i < (size_t)w * h; i++)
    dist[i] /= 3.0f;
}

void
ridge_synth_params_init (RidgeSynthParams *params)
{
  if (params == NULL)
    return;
  params->width = 400;
  params->height = 400;
  params->dpi = 500;
  params->noise = 0.35f;
  params->distortion = 1.0f;
  params->dryness = 0.0f;
  params->partial = 0.25f;
}

static int
param_ok (float v,
          float lo,
          float hi)
{
  return v >= lo && v <= hi;   /* false for NaN */
}

int
ridge_synth_impression (uint32_t                finger_seed,
                        uint32_t                impression,
                        const RidgeSynthParams *params,
                        RidgeImage             *img,
                        RidgeMinutia           *truth,
                        int                     truth_cap,
                        int                    *n_truth)
{
  RidgeSynthParams p;
  RidgeSynthMaster m;
  RidgeRng rng;
  Transform tf;
  Noise nz_press = { 0 }, nz_bg = { 0 }, nz_contrast = { 0 }, nz_grain = { 0 };
  float *field = NULL, *contact = NULL, *bias = NULL, *dist = NULL, *grey = NULL;
  uint8_t *bin = NULL, *work = NULL, *usable = NULL;
  RidgeMinutia *found = NULL;
  int n_found = 0, w, h, rc;
  float s, noise, dry, cut_nx = 0, cut_ny = 0, cut_d = 1e9f, far;
  int partial_cut = 0;

  if (n_truth != NULL)
    *n_truth = 0;
  if (img == NULL || truth_cap < 0 || (truth == NULL && truth_cap > 0))
    return RIDGE_ENGINE_E_INVALID;
  img->width = img->height = img->dpi = 0;
  img->pixels = NULL;
  ridge_synth_params_init (&p);
  if (params != NULL)
    {
      p = *params;
      if (p.width == 0)
        p.width = 400;
      if (p.height == 0)
        p.height = 400;
      if (p.dpi == 0)
        p.dpi = 500;
    }
  if (p.width < RIDGE_IMAGE_MIN_SIDE || p.width > RIDGE_IMAGE_MAX_SIDE
      || p.height < RIDGE_IMAGE_MIN_SIDE || p.height > RIDGE_IMAGE_MAX_SIDE)
    return RIDGE_ENGINE_E_SIZE;
  if (p.dpi < 250 || p.dpi > 1000 || !param_ok (p.noise, 0, 1)
      || !param_ok (p.distortion, 0, 1) || !param_ok (p.dryness, -1, 1)
      || !param_ok (p.partial, 0, 1))
    return RIDGE_ENGINE_E_INVALID;

  rc = ridge_synth_master_build (finger_seed, p.dpi, &m);
  if (rc != RIDGE_ENGINE_OK)
    return rc;
  rc = ridge_image_init (img, p.width, p.height, p.dpi);
  if (rc != RIDGE_ENGINE_OK)
    {
      ridge_synth_master_clear (&m);
      return rc;
    }
  w = p.width;
  h = p.height;
  s = m.scale;
  rc = RIDGE_ENGINE_E_NOMEM;

  /* ---- this impression's transform and skin ---- */
  ridge_rng_init (&rng, ((uint64_t)finger_seed << 32) | impression, 0x1F2E3D4C5B6A7988ull);
  memset (&tf, 0, sizeof tf);
  tf.cmx = m.shape.cx;
  tf.cmy = m.shape.cy + (m.shape.bottom - m.shape.top) * 0.5f;
  tf.cox = (float)w * 0.5f;
  tf.coy = (float)h * 0.5f;
  tf.cos_r = 1.0f;
  noise = p.noise;
  dry = p.dryness;
  if (impression > 0)
    {
      float rot = (float)ridge_rng_range (&rng, -20, 20) * p.distortion * (float)(PI_F / 180.0);

      tf.cos_r = (float)ridge_synth_cos (rot);
      tf.sin_r = (float)ridge_synth_sin (rot);
      tf.tx = (float)ridge_rng_range (&rng, -35, 35) * s * p.distortion;
      tf.ty = (float)ridge_rng_range (&rng, -35, 35) * s * p.distortion;
      if (p.distortion > 0.0f)
        {
          tf.n_bumps = N_BUMPS;
          tf.inv_2s2 = 1.0f / (2.0f * (70.0f * s) * (70.0f * s));
          tf.ccx = tf.cmx + (float)ridge_rng_range (&rng, -25, 25) * s;
          tf.ccy = tf.cmy + (float)ridge_rng_range (&rng, -25, 25) * s;
          tf.r0 = 40.0f * s;
          tf.r1 = 150.0f * s;
          for (int i = 0; i < N_BUMPS; i++)
            {
              float a = (float)ridge_rng_range (&rng, 0, 2.0 * PI_F);
              float r = (float)ridge_rng_range (&rng, 60, 150) * s;
              float amp = (float)ridge_rng_range (&rng, 2, 7) * s * p.distortion;
              float dir = (float)ridge_rng_range (&rng, 0, 2.0 * PI_F);

              tf.bx[i] = tf.ccx + r * (float)ridge_synth_cos (a);
              tf.by[i] = tf.ccy + r * (float)ridge_synth_sin (a);
              tf.ax[i] = amp * (float)ridge_synth_cos (dir);
              tf.ay[i] = amp * (float)ridge_synth_sin (dir);
            }
        }
      if (p.partial > 0.0f)
        {
          float a = (float)ridge_rng_range (&rng, 0, 2.0 * PI_F);
          float share = (float)ridge_rng_range (&rng, 0, p.partial);

          partial_cut = share > 0.02f;
          cut_nx = (float)ridge_synth_cos (a);
          cut_ny = (float)ridge_synth_sin (a);
          /* a half-plane at this distance from the print's centre removes about `share` */
          cut_d = (1.0f - 2.0f * share) * 130.0f * s;
        }
      dry += (float)ridge_rng_range (&rng, -0.25, 0.25) * noise;
      if (dry > 1.0f)
        dry = 1.0f;
      if (dry < -1.0f)
        dry = -1.0f;
    }
  else
    {
      (void)ridge_rng_next (&rng);
    }

  if (noise_init (&nz_press, &rng, w, h, 28.0f * s) != RIDGE_ENGINE_OK
      || noise_init (&nz_bg, &rng, w, h, 60.0f * s) != RIDGE_ENGINE_OK
      || noise_init (&nz_contrast, &rng, w, h, 45.0f * s) != RIDGE_ENGINE_OK
      || noise_init (&nz_grain, &rng, w, h, 3.5f * s) != RIDGE_ENGINE_OK)
    goto out;

  field = malloc (sizeof (float) * (size_t)w * h);
  contact = malloc (sizeof (float) * (size_t)w * h);
  bias = calloc ((size_t)w * h, sizeof (float));
  dist = malloc (sizeof (float) * (size_t)w * h);
  grey = malloc (sizeof (float) * (size_t)w * h);
  bin = calloc ((size_t)w * h, 1);
  work = calloc ((size_t)w * h, 1);
  usable = calloc ((size_t)w * h, 1);
  found = calloc (RIDGE_MAX_MINUTIAE, sizeof (RidgeMinutia));
  if (field == NULL || contact == NULL || bias == NULL || dist == NULL || grey == NULL
      || bin == NULL || work == NULL || usable == NULL || found == NULL)
    goto out;

  /* ---- geometry: the clean ridge field and the contact area ---- */
  far = 40.0f * s + 2.0f;      /* more than the largest elastic displacement */
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        float mx, my, c;
        size_t i = (size_t)y * w + x;

        /* far outside the master canvas (beyond any elastic displacement) there is
         * neither ridge nor contact */
        map_inverse (&tf, &m, (float)x + 0.5f, (float)y + 0.5f, &mx, &my, far);
        if (!(mx > -far && my > -far && mx < (float)m.width + far && my < (float)m.height + far))
          {
            field[i] = 0.0f;
            contact[i] = 0.0f;
            usable[i] = 0;
            continue;
          }
        mx -= 0.5f;
        my -= 0.5f;
        field[i] = sample (&m, mx, my);
        c = smoothstep (0.0f, 14.0f * s, ridge_synth_shape_inside (&m.shape, mx, my));
        if (partial_cut)
          {
            float d = ((float)x - tf.cox - tf.tx) * cut_nx + ((float)y - tf.coy - tf.ty) * cut_ny;

            c *= smoothstep (0.0f, 8.0f * s, cut_d - d);
          }
        contact[i] = c;
        usable[i] = c >= 0.9f;
      }

  /* ---- ground truth ---- */
  distance_inside (usable, w, h, dist);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        size_t i = (size_t)y * w + x;

        bin[i] = usable[i] && field[i] > 0.0f;
        usable[i] = dist[i] >= 6.0f * s;
      }
  ridge_synth_thin (bin, w, h, work);
  n_found = ridge_synth_skeleton_minutiae (bin, w, h, usable, m.mean_period, found,
                                           RIDGE_MAX_MINUTIAE);
  {
    int n_out = 0;

    for (int k = 0; k < m.n_minutiae; k++)
      {
        const RidgeMinutia *mm = &m.minutiae[k];
        float qx, qy, ax, ay, dx, dy, ang;
        int ix, iy, ok = 0;

        map_forward (&tf, mm->x + 0.5f, mm->y + 0.5f, &qx, &qy);
        qx -= 0.5f;
        qy -= 0.5f;
        ix = (int)lrintf (qx);
        iy = (int)lrintf (qy);
        if (ix < 0 || iy < 0 || ix >= w || iy >= h || dist[(size_t)iy * w + ix] < 10.0f * s)
          continue;
        /* the direction through the same transform */
        map_forward (&tf, mm->x + 0.5f + 6.0f * (float)ridge_synth_cos (mm->angle),
                     mm->y + 0.5f - 6.0f * (float)ridge_synth_sin (mm->angle), &ax, &ay);
        dx = ax - 0.5f - qx;
        dy = ay - 0.5f - qy;
        ang = (float)ridge_synth_atan2 (-dy, dx);
        if (ang < 0.0f)
          ang += (float)(2.0 * PI_F);
        if (ang >= (float)(2.0 * PI_F))
          ang = 0.0f;
        /* and it must be visible in the clean impression */
        for (int j = 0; j < n_found && !ok; j++)
          {
            float ex = found[j].x - qx, ey = found[j].y - qy;
            float da = fabsf (found[j].angle - ang);

            if (da > (float)PI_F)
              da = (float)(2.0 * PI_F) - da;
            ok = found[j].type == mm->type && ex * ex + ey * ey <= 36.0f * s * s
                 && da < (float)(PI_F / 4.0);
          }
        if (!ok)
          continue;
        if (n_out < truth_cap)
          {
            truth[n_out] = *mm;
            truth[n_out].x = qx;
            truth[n_out].y = qy;
            truth[n_out].angle = ang;
            truth[n_out].quality = (uint8_t)lrintf (100.0f * contact[(size_t)iy * w + ix]);
          }
        n_out++;
      }
    if (n_truth != NULL)
      *n_truth = n_out < truth_cap ? n_out : truth_cap;
  }

  /* ---- skin: pressure, dryness (broken ridges) ---- */
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      bias[(size_t)y * w + x] = -0.40f * dry + 0.18f * noise * noise_at (&nz_press, (float)x,
                                                                         (float)y);
  if (dry > 0.25f)
    {
      int n_blobs = (int)((dry - 0.25f) * (float)w * (float)h / (900.0f * s * s));

      for (int b = 0; b < n_blobs; b++)
        {
          float bx = (float)ridge_rng_range (&rng, 0, w);
          float by = (float)ridge_rng_range (&rng, 0, h);
          float br = (float)ridge_rng_range (&rng, 1.5, 3.2) * s;
          int r = (int)ceilf (br);

          for (int yy = (int)by - r; yy <= (int)by + r; yy++)
            for (int xx = (int)bx - r; xx <= (int)bx + r; xx++)
              {
                float d2 = ((float)xx - bx) * ((float)xx - bx) + ((float)yy - by) *
                           ((float)yy - by);

                if (xx < 0 || yy < 0 || xx >= w || yy >= h || d2 > br * br)
                  continue;
                bias[(size_t)yy * w + xx] -= 1.6f * (1.0f - d2 / (br * br));
              }
        }
    }

  /* ---- sensor: ink, pores, background ---- */
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        size_t i = (size_t)y * w + x;
        float v = field[i] + bias[i];
        float ink = smoothstep (-0.4f, 0.4f, v);
        /* skin grain: light flecks along the ridges, more where the finger is drier */
        float grain = smoothstep (0.15f, 0.85f, noise_at (&nz_grain, (float)x, (float)y));
        float contrast = 222.0f *
                         (1.0f - 0.25f * noise *
                          (0.5f + 0.5f * noise_at (&nz_contrast, (float)x, (float)y)));
        float bg = 246.0f - 14.0f * noise * (0.5f + 0.5f * noise_at (&nz_bg, (float)x, (float)y));

        ink *= 1.0f - (0.40f + 0.25f * (dry > 0.0f ? dry : 0.0f)) * noise * grain;
        grey[i] = bg - contrast * contact[i] * ink;
      }
  if (noise > 0.0f)
    {
      /* pores: small light dots on the ridges */
      int n_pores = (int)(noise * (float)w * (float)h / (70.0f * s * s));

      for (int k = 0; k < n_pores; k++)
        {
          float px = (float)ridge_rng_range (&rng, 2, w - 2);
          float py = (float)ridge_rng_range (&rng, 2, h - 2);
          float pr = (float)ridge_rng_range (&rng, 1.2, 2.0) * s;
          float amp = 320.0f * noise * (float)ridge_rng_range (&rng, 0.5, 1.0);
          size_t i = (size_t)py * w + (size_t)px;
          int r = (int)ceilf (pr);

          if (field[i] + bias[i] < 0.5f || contact[i] < 0.5f)
            continue;
          for (int yy = (int)py - r; yy <= (int)py + r; yy++)
            for (int xx = (int)px - r; xx <= (int)px + r; xx++)
              {
                float d2 = ((float)xx - px) * ((float)xx - px) + ((float)yy - py) *
                           ((float)yy - py);

                if (xx < 0 || yy < 0 || xx >= w || yy >= h || d2 > pr * pr)
                  continue;
                grey[(size_t)yy * w + xx] += amp * (1.0f - d2 / (pr * pr));
              }
        }
    }
  /* blur (binomial 3x3), then sensor noise */
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        float acc = 0.0f, wsum = 0.0f;

        for (int dy = -1; dy <= 1; dy++)
          for (int dx = -1; dx <= 1; dx++)
            {
              int xx = x + dx, yy = y + dy;
              float k = (float)((dx == 0 ? 2 : 1) * (dy == 0 ? 2 : 1));

              if (xx < 0 || yy < 0 || xx >= w || yy >= h)
                continue;
              acc += k * grey[(size_t)yy * w + xx];
              wsum += k;
            }
        field[(size_t)y * w + x] = acc / wsum;
      }
  for (size_t i = 0; i < (size_t)w * h; i++)
    {
      float v = field[i] + (noise > 0.0f ? (float)ridge_rng_gauss (&rng) * 9.0f * noise : 0.0f);

      img->pixels[i] = (uint8_t)(v < 0.0f ? 0 : v > 255.0f ? 255 : (int)lrintf (v));
    }
  rc = RIDGE_ENGINE_OK;

out:
  free (nz_press.v);
  free (nz_bg.v);
  free (nz_contrast.v);
  free (nz_grain.v);
  free (field);
  free (contact);
  free (bias);
  free (dist);
  free (grey);
  free (bin);
  free (work);
  free (usable);
  free (found);
  ridge_synth_master_clear (&m);
  if (rc != RIDGE_ENGINE_OK)
    {
      ridge_image_clear (img);
      if (n_truth != NULL)
        *n_truth = 0;
    }
  return rc;
}
