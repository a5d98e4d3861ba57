/* ridge-synth-master.c — the master print of a synthetic finger (SFinGe-style)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * After R. Cappelli, D. Maio, D. Maltoni, "Synthetic fingerprint-image generation"
 * (ICPR 2000) and "SFinGe" (Handbook of Fingerprint Recognition, ch. 6):
 *  1. the pattern class, drawn with the frequencies of natural fingers;
 *  2. the fingertip shape: four quarter ellipses joined by a rectangle;
 *  3. the orientation field: the Sherlock–Monro zero-pole model around the cores and
 *     deltas, with a Vizcaya–Gerhardt piecewise-linear correction per singularity (arches
 *     have no singularity and get an arch-shaped flow instead);
 *  4. the ridge period field: about 9 px at 500 dpi, varying smoothly, longer near the
 *     singular points;
 *  5. the ridge pattern: a few random seeds grown by iterative contextual Gabor
 *     filtering (each pixel filtered with the Gabor filter of its own orientation and
 *     period, then clipped), which produces ridge endings and bifurcations where ridge
 *     fronts meet or where the flow diverges; the growth runs at half resolution and a
 *     last full-resolution pass smooths the ridge profiles;
 *  6. the ground-truth minutiae of this clean pattern (ridge-synth-minutiae.c).
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

#define PI_F 3.14159265358979323846

/* ---- splitmix64 ------------------------------------------------------------------------ */

void
ridge_rng_init (RidgeRng *rng,
                uint64_t  seed,
                uint64_t  stream)
{
  rng->state = seed * 0x9E3779B97F4A7C15ull ^ (stream + 0x632BE59BD9B4E019ull);
  (void)ridge_rng_next (rng);
}

uint64_t
ridge_rng_next (RidgeRng *rng)
{
  uint64_t z = (rng->state += 0x9E3779B97F4A7C15ull);

  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

double
ridge_rng_uniform (RidgeRng *rng)
{
  return (double)(ridge_rng_next (rng) >> 11) * (1.0 / 9007199254740992.0);
}

double
ridge_rng_range (RidgeRng *rng,
                 double    lo,
                 double    hi)
{
  return lo + (hi - lo) * ridge_rng_uniform (rng);
}

double
ridge_rng_gauss (RidgeRng *rng)
{
  double s = 0.0;

  for (int i = 0; i < 4; i++)
    s += ridge_rng_uniform (rng);
  /* four uniforms: variance 4/12 */
  return (s - 2.0) * 1.7320508075688772;
}

/* ---- Portable maths ------------------------------------------------------------------- */

static double
round_half_away (double x)
{
  return x < 0 ? -(double)(int64_t)(0.5 - x) : (double)(int64_t)(x + 0.5);
}

double
ridge_synth_exp (double x)
{
  static const double ln2_hi = 6.93147180369123816490e-01;
  static const double ln2_lo = 1.90821492927058770002e-10;
  /* 1/n, folded by the compiler */
  static const double inv[14] = {
    0, 1.0, 1.0 / 2, 1.0 / 3, 1.0 / 4, 1.0 / 5, 1.0 / 6, 1.0 / 7, 1.0 / 8, 1.0 / 9,
    1.0 / 10, 1.0 / 11, 1.0 / 12, 1.0 / 13
  };
  union {
    double   d;
    uint64_t u;
  } scale;
  double k, r, p;

  if (!(x > -700.0))
    return 0.0;                /* also NaN */
  if (x > 700.0)
    x = 700.0;
  k = round_half_away (x * 1.44269504088896338700);
  r = (x - k * ln2_hi) - k * ln2_lo;   /* |r| <= 0.35 */
  /* Taylor series to r^13 / 13! (Horner): error below 1e-16 on |r| <= 0.35 */
  p = 1.0;
  for (int n = 13; n >= 1; n--)
    p = 1.0 + p * r * inv[n];
  /* times 2^k, built exactly (k is within the normal range here) */
  scale.u = (uint64_t)((int64_t)k + 1023) << 52;
  return p * scale.d;
}

/* sin and cos on [-pi/4, pi/4] */
static double
sin_kernel (double t)
{
  static const double inv[8] = {
    0, 1.0 / 6, 1.0 / 20, 1.0 / 42, 1.0 / 72, 1.0 / 110, 1.0 / 156, 1.0 / 210
  };
  double t2 = t * t, p = 1.0;

  /* t - t^3/3! + ... - t^15/15!, Horner: inv[k] = 1 / ((2k+1)(2k)) */
  for (int k = 7; k >= 1; k--)
    p = 1.0 - p * t2 * inv[k];
  return t * p;
}

static double
cos_kernel (double t)
{
  static const double inv[9] = {
    0, 1.0 / 2, 1.0 / 12, 1.0 / 30, 1.0 / 56, 1.0 / 90, 1.0 / 132, 1.0 / 182, 1.0 / 240
  };
  double t2 = t * t, p = 1.0;

  /* 1 - t^2/2! + ... + t^16/16!, Horner: inv[k] = 1 / ((2k)(2k-1)) */
  for (int k = 8; k >= 1; k--)
    p = 1.0 - p * t2 * inv[k];
  return p;
}

/* x = q * pi/2 + t with |t| <= pi/4; returns q mod 4 */
static int
reduce_quadrant (double  x,
                 double *t)
{
  static const double half_pi_hi = 1.57079632673412561417e+00;
  static const double half_pi_lo = 6.07710050650619224932e-11;
  double q = round_half_away (x * 0.63661977236758134308);

  *t = (x - q * half_pi_hi) - q * half_pi_lo;
  return (int)(((int64_t)q % 4 + 4) % 4);
}

double
ridge_synth_sin (double x)
{
  double t;

  if (!(x > -1e6 && x < 1e6))
    return 0.0;
  switch (reduce_quadrant (x, &t))
    {
      case 0:
        return sin_kernel (t);
      case 1:
        return cos_kernel (t);
      case 2:
        return -sin_kernel (t);
      default:
        return -cos_kernel (t);
    }
}

double
ridge_synth_cos (double x)
{
  double t;

  if (!(x > -1e6 && x < 1e6))
    return 1.0;
  switch (reduce_quadrant (x, &t))
    {
      case 0:
        return cos_kernel (t);
      case 1:
        return -sin_kernel (t);
      case 2:
        return -cos_kernel (t);
      default:
        return sin_kernel (t);
    }
}

/* atan on [0, 1] */
static double
atan_unit (double x)
{
  static const double tan_pi_12 = 0.26794919243112270647;
  static const double sqrt3 = 1.73205080756887729353;
  double base = 0.0, x2, sum = 0.0, term;

  if (x > tan_pi_12)
    {
      x = (x * sqrt3 - 1.0) / (x + sqrt3);
      base = RIDGE_SYNTH_PI / 6.0;
    }
  /* |x| <= tan(pi/12): alternating series to x^27 */
  x2 = x * x;
  term = x;
  for (int k = 0; k < 14; k++)
    {
      static const double inv_odd[14] = {
        1.0, 1.0 / 3, 1.0 / 5, 1.0 / 7, 1.0 / 9, 1.0 / 11, 1.0 / 13, 1.0 / 15, 1.0 / 17,
        1.0 / 19, 1.0 / 21, 1.0 / 23, 1.0 / 25, 1.0 / 27
      };

      sum += (k & 1 ? -term : term) * inv_odd[k];
      term *= x2;
    }
  return base + sum;
}

double
ridge_synth_atan2 (double y,
                   double x)
{
  double ax = x < 0 ? -x : x, ay = y < 0 ? -y : y, a;

  if (ax == 0.0 && ay == 0.0)
    return 0.0;
  if (ay <= ax)
    a = atan_unit (ay / ax);
  else
    a = RIDGE_SYNTH_PI / 2.0 - atan_unit (ax / ay);
  if (x < 0)
    a = RIDGE_SYNTH_PI - a;
  return y < 0 ? -a : a;
}

/* ---- Pattern class ----------------------------------------------------------------------- */

enum {
  STREAM_CLASS = 1,
  STREAM_SHAPE,
  STREAM_SINGULAR,
  STREAM_FIELDS,
  STREAM_SEEDS,
};

RidgePatternClass
ridge_synth_class (uint32_t finger_seed)
{
  RidgeRng rng;
  double u;

  ridge_rng_init (&rng, finger_seed, STREAM_CLASS);
  u = ridge_rng_uniform (&rng) * 100.0;
  /* natural frequencies: arch 3.7 %, tented arch 2.9 %, left loop 33.8 %,
   * right loop 31.7 %, whorl 27.9 % */
  if (u < 3.7)
    return RIDGE_CLASS_ARCH;
  if (u < 6.6)
    return RIDGE_CLASS_TENTED_ARCH;
  if (u < 40.4)
    return RIDGE_CLASS_LEFT_LOOP;
  if (u < 72.1)
    return RIDGE_CLASS_RIGHT_LOOP;
  return RIDGE_CLASS_WHORL;
}

/* ---- Fingertip shape --------------------------------------------------------------------- */

float
ridge_synth_shape_inside (const RidgeSynthShape *s,
                          float                  x,
                          float                  y)
{
  float dx = x - s->cx;
  float dy = y - s->cy;
  float rx = dx < 0 ? s->left : s->right;
  float half = s->middle * 0.5f;
  float ry, ey, e;

  if (dy < -half)
    {
      ry = s->top;
      ey = (dy + half) / ry;
    }
  else if (dy > half)
    {
      ry = s->bottom;
      ey = (dy - half) / ry;
    }
  else
    {
      return rx - fabsf (dx);
    }
  e = sqrtf ((dx / rx) * (dx / rx) + ey * ey);
  /* (1 - e) times the local radius: a distance in pixels near the border */
  return (1.0f - e) * (fabsf (ey) > fabsf (dx / rx) ? ry : rx);
}

/* ---- Orientation field ---------------------------------------------------------------------- */

/* Vizcaya–Gerhardt correction: a piecewise-linear, increasing map of [-π, π] onto itself
 * through 9 control points; identity = plain Sherlock–Monro. */
typedef struct {
  float g[9];
} Correction;

static void
correction_init (Correction *c,
                 RidgeRng   *rng,
                 float       amount)
{
  for (int i = 0; i <= 8; i++)
    {
      float a = (float)(-PI_F + 2.0 * PI_F * i / 8.0);

      if (i > 0 && i < 8)
        a += (float)ridge_rng_range (rng, -amount, amount);
      c->g[i] = a;
    }
}

static float
correction_apply (const Correction *c,
                  float             alpha)
{
  float t = (float)((alpha + PI_F) / (2.0 * PI_F) * 8.0);
  int i = (int)t;

  if (i < 0)
    i = 0;
  if (i > 7)
    i = 7;
  t -= (float)i;
  return c->g[i] + (c->g[i + 1] - c->g[i]) * t;
}

typedef struct {
  Correction core_corr[RIDGE_SYNTH_MAX_SINGULAR];
  Correction delta_corr[RIDGE_SYNTH_MAX_SINGULAR];
  float      theta_inf;
  /* arch flow */
  float arch_height;
  float arch_width;
  float arch_top, arch_bottom;
  /* smooth random period modulation */
  float wave_kx[3], wave_ky[3], wave_phase[3];
} FieldParams;

/* Ridge orientation at (x, y) in image coordinates, radians in [0, π). */
static float
orientation_at (const RidgeSynthMaster *m,
                const FieldParams      *fp,
                float                   x,
                float                   y)
{
  float theta;

  if (m->n_cores == 0)
    {
      float u = (x - m->shape.cx) / fp->arch_width;
      float t = (fp->arch_bottom - y) / (fp->arch_bottom - fp->arch_top);
      float h, slope;

      if (t < 0)
        t = 0;
      if (t > 1.2f)
        t = 1.2f;
      h = fp->arch_height * (0.3f * t + 3.0f * t * (1.0f - 0.5f * t) * (1.0f - 0.5f * t));
      slope = h * u / fp->arch_width * (float)ridge_synth_exp (-0.5 * u * u);
      theta = (float)ridge_synth_atan2 (slope, 1.0);
    }
  else
    {
      /* Sherlock–Monro in mathematical coordinates (y up) */
      float sum = 0.0f;

      for (int i = 0; i < m->n_cores; i++)
        sum += correction_apply (&fp->core_corr[i],
                                 (float)ridge_synth_atan2 (-(y - m->cores[i].y),
                                                           x - m->cores[i].x));
      for (int i = 0; i < m->n_deltas; i++)
        sum -= correction_apply (&fp->delta_corr[i],
                                 (float)ridge_synth_atan2 (-(y - m->deltas[i].y),
                                                           x - m->deltas[i].x));
      theta = -(fp->theta_inf + 0.5f * sum);  /* back to image coordinates (y down) */
    }
  theta = fmodf (theta, (float)PI_F);
  if (theta < 0)
    theta += (float)PI_F;
  if (theta >= (float)PI_F)
    theta = 0.0f;
  return theta;
}

static float
period_at (const RidgeSynthMaster *m,
           const FieldParams      *fp,
           float                   x,
           float                   y)
{
  float p = m->mean_period;
  float wave = 0.0f;
  float sigma2 = 2.0f * (28.0f * m->scale) * (28.0f * m->scale);

  for (int i = 0; i < 3; i++)
    wave += (float)ridge_synth_cos (fp->wave_kx[i] * x + fp->wave_ky[i] * y + fp->wave_phase[i]);
  p *= 1.0f + 0.035f * wave;
  for (int i = 0; i < m->n_cores; i++)
    {
      float dx = x - m->cores[i].x, dy = y - m->cores[i].y;
      p += 1.2f * m->scale * (float)ridge_synth_exp (-(dx * dx + dy * dy) / sigma2);
    }
  for (int i = 0; i < m->n_deltas; i++)
    {
      float dx = x - m->deltas[i].x, dy = y - m->deltas[i].y;
      p += 0.8f * m->scale * (float)ridge_synth_exp (-(dx * dx + dy * dy) / sigma2);
    }
  return p;
}

/* ---- Singular points ---------------------------------------------------------------------- */

static void
place_singular_points (RidgeSynthMaster *m,
                       RidgeRng         *rng)
{
  float s = m->scale;
  const RidgeSynthShape *sh = &m->shape;
  float ftop = sh->cy - sh->middle * 0.5f - sh->top;
  float fheight = sh->top + sh->middle + sh->bottom;
  float cx = sh->cx + (float)ridge_rng_range (rng, -18, 18) * s;
  float cy = ftop + fheight * (float)ridge_rng_range (rng, 0.36, 0.48);
  float side;

  m->n_cores = 0;
  m->n_deltas = 0;
  switch (m->pattern)
    {
      case RIDGE_CLASS_ARCH:
        break;

      case RIDGE_CLASS_TENTED_ARCH:
        m->cores[0] = (RidgeSynthPoint) { cx, cy };
        m->deltas[0] = (RidgeSynthPoint) {
          cx + (float)ridge_rng_range (rng, -8, 8) * s,
          cy + (float)ridge_rng_range (rng, 45, 75) * s
        };
        m->n_cores = m->n_deltas = 1;
        break;

      case RIDGE_CLASS_LEFT_LOOP:
      case RIDGE_CLASS_RIGHT_LOOP:
        /* a left loop opens to the left: its delta sits to the right of the core */
        side = m->pattern == RIDGE_CLASS_LEFT_LOOP ? 1.0f : -1.0f;
        cx -= side * (float)ridge_rng_range (rng, 0, 20) * s;
        m->cores[0] = (RidgeSynthPoint) { cx, cy };
        m->deltas[0] = (RidgeSynthPoint) {
          cx + side * (float)ridge_rng_range (rng, 60, 115) * s,
          cy + (float)ridge_rng_range (rng, 85, 135) * s
        };
        m->n_cores = m->n_deltas = 1;
        break;

      case RIDGE_CLASS_WHORL:
      default:
        {
          float sep = (float)ridge_rng_range (rng, 10, 28) * s;
          float tilt = (float)ridge_rng_range (rng, -12, 12) * s;
          float dy = (float)ridge_rng_range (rng, 85, 125) * s;

          m->cores[0] = (RidgeSynthPoint) { cx - tilt, cy - sep };
          m->cores[1] = (RidgeSynthPoint) { cx + tilt, cy + sep };
          m->deltas[0] = (RidgeSynthPoint) {
            cx - (float)ridge_rng_range (rng, 80, 125) * s,
            cy + dy + (float)ridge_rng_range (rng, -12, 12) * s
          };
          m->deltas[1] = (RidgeSynthPoint) {
            cx + (float)ridge_rng_range (rng, 80, 125) * s,
            cy + dy + (float)ridge_rng_range (rng, -12, 12) * s
          };
          m->n_cores = m->n_deltas = 2;
        }
        break;
    }
}

/* ---- Gabor filter bank -------------------------------------------------------------------- */

#define N_ORIENT 32

typedef struct {
  int    radius;               /* kernel is (2r+1)^2, row spans inside */
  int   *span;                 /* per kernel row: first and last column (relative, -r..r) */
  float *w;                    /* (2r+1)^2 weights, row-major */
} Kernel;

typedef struct {
  float   pmin, pstep;
  int     n_period;
  Kernel *k;                   /* n_period * N_ORIENT */
  float  *mem;
  int    *spans;
} Bank;

static void
bank_clear (Bank *b)
{
  free (b->k);
  free (b->mem);
  free (b->spans);
  memset (b, 0, sizeof *b);
}

static int
bank_build (Bank *b,
            float pmin,
            float pmax,
            float pstep)
{
  size_t nw = 0, ns = 0, ow = 0, os = 0;

  memset (b, 0, sizeof *b);
  b->pmin = pmin;
  b->pstep = pstep;
  b->n_period = (int)((pmax - pmin) / pstep) + 2;
  if (b->n_period > 64)
    return RIDGE_ENGINE_E_INVALID;
  b->k = calloc ((size_t)b->n_period * N_ORIENT, sizeof (Kernel));
  if (b->k == NULL)
    return RIDGE_ENGINE_E_NOMEM;
  for (int pi = 0; pi < b->n_period; pi++)
    {
      float p = pmin + pstep * (float)pi;
      int r = (int)ceilf (0.9f * p);

      nw += (size_t)N_ORIENT * (size_t)(2 * r + 1) * (size_t)(2 * r + 1);
      ns += (size_t)N_ORIENT * (size_t)(2 * r + 1) * 2;
    }
  b->mem = calloc (nw, sizeof (float));
  b->spans = calloc (ns, sizeof (int));
  if (b->mem == NULL || b->spans == NULL)
    {
      bank_clear (b);
      return RIDGE_ENGINE_E_NOMEM;
    }
  for (int pi = 0; pi < b->n_period; pi++)
    {
      float p = pmin + pstep * (float)pi;
      int r = (int)ceilf (0.9f * p);
      int side = 2 * r + 1;
      float sn = 0.36f * p;    /* across the ridges */
      float st = 0.50f * p;    /* along the ridges */

      for (int oi = 0; oi < N_ORIENT; oi++)
        {
          Kernel *k = &b->k[pi * N_ORIENT + oi];
          float th = (float)(PI_F * oi / N_ORIENT);
          float c = (float)ridge_synth_cos (th), sn_ = (float)ridge_synth_sin (th);
          double sum = 0.0, resp = 0.0;
          int count = 0;

          k->radius = r;
          k->w = b->mem + ow;
          k->span = b->spans + os;
          ow += (size_t)side * (size_t)side;
          os += (size_t)side * 2;
          for (int ky = -r; ky <= r; ky++)
            {
              int first = r + 1, last = -r - 1;

              for (int kx = -r; kx <= r; kx++)
                {
                  float a = -kx * sn_ + ky * c;   /* across (along the normal) */
                  float t = kx * c + ky * sn_;    /* along the ridge */
                  float e = a * a / (sn * sn) + t * t / (st * st);

                  if (e > 6.0f)
                    continue;
                  k->w[(ky + r) * side + (kx + r)] =
                    (float)(ridge_synth_exp (-0.5 * e) * ridge_synth_cos (2.0 * PI_F * a / p));
                  if (kx < first)
                    first = kx;
                  if (kx > last)
                    last = kx;
                  sum += k->w[(ky + r) * side + (kx + r)];
                  count++;
                }
              k->span[2 * (ky + r)] = first;
              k->span[2 * (ky + r) + 1] = last;
            }
          /* zero mean over the support, unit gain on a sinusoid of period p */
          for (int ky = -r; ky <= r; ky++)
            for (int kx = k->span[2 * (ky + r)]; kx <= k->span[2 * (ky + r) + 1]; kx++)
              {
                float a = -kx * sn_ + ky * c;
                float *w = &k->w[(ky + r) * side + (kx + r)];

                *w -= (float)(sum / count);
                resp += *w * ridge_synth_cos (2.0 * PI_F * a / p);
              }
          for (int i = 0; i < side * side; i++)
            k->w[i] = (float)(k->w[i] / resp);
        }
    }
  return RIDGE_ENGINE_OK;
}

/* ---- Master ---------------------------------------------------------------------------- */

void
ridge_synth_master_clear (RidgeSynthMaster *m)
{
  if (m == NULL)
    return;
  free (m->ridges);
  free (m->minutiae);
  memset (m, 0, sizeof *m);
}

/* One contextual filtering pass over the rows spans [x0[y], x1[y]]: dst = clamp(gain * (G * src)).
 * Pixels whose neighbourhood is blank (block flag) are skipped. */
static void
gabor_pass (int             w,
            int             h,
            const Bank     *bank,
            const uint16_t *kidx,
            const int      *x0,
            const int      *x1,
            const float    *src,
            float          *dst,
            float           gain,
            const uint8_t  *active,
            int             bw)
{
  for (int y = 0; y < h; y++)
    {
      float *drow = dst + (size_t)y * w;

      memset (drow, 0, sizeof (float) * (size_t)w);
      for (int x = x0[y]; x <= x1[y]; x++)
        {
          const Kernel *k;
          int r, side;
          float acc0 = 0.0f, acc1 = 0.0f;

          if (active != NULL && !active[(y >> 3) * bw + (x >> 3)])
            continue;
          k = &bank->k[kidx[(size_t)y * w + x]];
          r = k->radius;
          side = 2 * r + 1;
          if (x - r < 0 || x + r >= w || y - r < 0 || y + r >= h)
            continue;
          for (int ky = 0; ky < side; ky++)
            {
              int a = k->span[2 * ky], b = k->span[2 * ky + 1];
              const float *srow = src + (size_t)(y + ky - r) * w + x;
              const float *wrow = k->w + ky * side + r;
              int kx = a;

              for (; kx + 1 <= b; kx += 2)
                {
                  acc0 += wrow[kx] * srow[kx];
                  acc1 += wrow[kx + 1] * srow[kx + 1];
                }
              if (kx <= b)
                acc0 += wrow[kx] * srow[kx];
            }
          acc0 = (acc0 + acc1) * gain;
          drow[x] = acc0 > 1.0f ? 1.0f : acc0 < -1.0f ? -1.0f : acc0;
        }
    }
}

/* Block flags: a block is active when a non-zero pixel lies within `reach` pixels. */
static void
update_active (const float *img,
               int          w,
               int          h,
               uint8_t     *active,
               uint8_t     *tmp,
               int          bw,
               int          bh,
               int          reach_blocks)
{
  memset (tmp, 0, (size_t)bw * bh);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      if (img[(size_t)y * w + x] != 0.0f)
        tmp[(y >> 3) * bw + (x >> 3)] = 1;
  memset (active, 0, (size_t)bw * bh);
  for (int by = 0; by < bh; by++)
    for (int bx = 0; bx < bw; bx++)
      if (tmp[by * bw + bx])
        for (int dy = -reach_blocks; dy <= reach_blocks; dy++)
          for (int dx = -reach_blocks; dx <= reach_blocks; dx++)
            {
              int yy = by + dy, xx = bx + dx;

              if (yy >= 0 && yy < bh && xx >= 0 && xx < bw)
                active[yy * bw + xx] = 1;
            }
}

int
ridge_synth_master_build (uint32_t          finger_seed,
                          int               dpi,
                          RidgeSynthMaster *m)
{
  RidgeRng rng;
  FieldParams fp;
  Bank bank, lbank;
  float s = (float)dpi / 500.0f;
  float pmin = 1e9f, pmax = 0.0f;
  float *tmp = NULL;
  uint16_t *kidx = NULL;
  int *x0 = NULL, *x1 = NULL;
  uint8_t *active = NULL, *flags = NULL, *bin = NULL, *work = NULL, *mask = NULL;
  int w, h, bw, bh, lw, lh, lbw, lbh, rc = RIDGE_ENGINE_E_NOMEM;
  float grow_margin;
  float *low_a = NULL, *low_b = NULL;
  uint16_t *lkidx = NULL;
  int *lx0 = NULL, *lx1 = NULL;

  memset (m, 0, sizeof *m);
  memset (&bank, 0, sizeof bank);
  memset (&lbank, 0, sizeof lbank);
  m->scale = s;
  m->pattern = ridge_synth_class (finger_seed);

  /* shape */
  ridge_rng_init (&rng, finger_seed, STREAM_SHAPE);
  m->shape.left = (float)ridge_rng_range (&rng, 112, 138) * s;
  m->shape.right = m->shape.left * (float)ridge_rng_range (&rng, 0.93, 1.07);
  m->shape.top = (float)ridge_rng_range (&rng, 115, 150) * s;
  m->shape.bottom = (float)ridge_rng_range (&rng, 100, 135) * s;
  m->shape.middle = (float)ridge_rng_range (&rng, 50, 100) * s;
  m->mean_period = (float)ridge_rng_range (&rng, 8.4, 9.8) * s;
  grow_margin = 14.0f * s;
  {
    float margin = grow_margin + 2.0f * m->mean_period + 4.0f;
    float half_w = (m->shape.left > m->shape.right ? m->shape.left : m->shape.right);

    w = (int)ceilf (2.0f * (half_w + margin));
    h = (int)ceilf (m->shape.top + m->shape.middle + m->shape.bottom + 2.0f * margin);
    m->shape.cx = (float)w * 0.5f;
    m->shape.cy = margin + m->shape.top + m->shape.middle * 0.5f;
  }
  m->width = w;
  m->height = h;
  bw = (w + 7) / 8;
  bh = (h + 7) / 8;

  ridge_rng_init (&rng, finger_seed, STREAM_SINGULAR);
  place_singular_points (m, &rng);

  ridge_rng_init (&rng, finger_seed, STREAM_FIELDS);
  for (int i = 0; i < m->n_cores; i++)
    correction_init (&fp.core_corr[i], &rng, 0.22f);
  for (int i = 0; i < m->n_deltas; i++)
    correction_init (&fp.delta_corr[i], &rng, 0.22f);
  fp.theta_inf = (float)ridge_rng_range (&rng, -0.08, 0.08);
  fp.arch_height = (float)ridge_rng_range (&rng, 35, 60) * s;
  fp.arch_width =
    (float)ridge_rng_range (&rng, 0.40, 0.60) * (m->shape.left + m->shape.right) * 0.5f;
  fp.arch_top = m->shape.cy - m->shape.middle * 0.5f - m->shape.top;
  fp.arch_bottom = m->shape.cy + m->shape.middle * 0.5f + m->shape.bottom;
  for (int i = 0; i < 3; i++)
    {
      float wl = (float)ridge_rng_range (&rng, 120, 260) * s;
      float dir = (float)ridge_rng_range (&rng, 0, PI_F);

      fp.wave_kx[i] = (float)(2.0 * PI_F) / wl * (float)ridge_synth_cos (dir);
      fp.wave_ky[i] = (float)(2.0 * PI_F) / wl * (float)ridge_synth_sin (dir);
      fp.wave_phase[i] = (float)ridge_rng_range (&rng, 0, 2.0 * PI_F);
    }

  m->ridges = calloc ((size_t)w * h, sizeof (float));
  tmp = calloc ((size_t)w * h, sizeof (float));
  kidx = calloc ((size_t)w * h, sizeof (uint16_t));
  x0 = calloc ((size_t)h, sizeof (int));
  x1 = calloc ((size_t)h, sizeof (int));
  active = calloc ((size_t)bw * bh, 1);
  flags = calloc ((size_t)bw * bh, 1);
  if (m->ridges == NULL || tmp == NULL || kidx == NULL || x0 == NULL || x1 == NULL
      || active == NULL || flags == NULL)
    goto out;

  /* the ridges grow at half resolution (the iterated filtering is the cost: a quarter of
   * the pixels and of the filter taps), then one full-resolution pass gives the final
   * smooth ridge profiles */
  lw = (w + 1) / 2;
  lh = (h + 1) / 2;
  lbw = (lw + 7) / 8;
  lbh = (lh + 7) / 8;
  low_a = calloc ((size_t)lw * lh, sizeof (float));
  low_b = calloc ((size_t)lw * lh, sizeof (float));
  lkidx = calloc ((size_t)lw * lh, sizeof (uint16_t));
  lx0 = calloc ((size_t)lh, sizeof (int));
  lx1 = calloc ((size_t)lh, sizeof (int));
  if (low_a == NULL || low_b == NULL || lkidx == NULL || lx0 == NULL || lx1 == NULL)
    goto out;

  /* the region grown: the fingertip plus a margin, one span per row (the shape is convex) */
  for (int y = 0; y < h; y++)
    {
      x0[y] = w;
      x1[y] = -1;
      for (int x = 0; x < w; x++)
        if (ridge_synth_shape_inside (&m->shape, (float)x, (float)y) > -grow_margin)
          {
            if (x < x0[y])
              x0[y] = x;
            x1[y] = x;
          }
    }
  for (int y = 0; y < lh; y++)
    {
      lx0[y] = lw;
      lx1[y] = -1;
      for (int x = 0; x < lw; x++)
        if (ridge_synth_shape_inside (&m->shape, (float)(2 * x), (float)(2 * y)) > -grow_margin)
          {
            if (x < lx0[y])
              lx0[y] = x;
            lx1[y] = x;
          }
    }

  /* orientation and period per pixel, as an index into a filter bank, at both resolutions */
  for (int y = 0; y < h; y++)
    for (int x = x0[y]; x <= x1[y]; x++)
      {
        float p = period_at (m, &fp, (float)x, (float)y);

        tmp[(size_t)y * w + x] = p;
        if (p < pmin)
          pmin = p;
        if (p > pmax)
          pmax = p;
      }
  rc = bank_build (&bank, pmin, pmax, 0.5f * s);
  if (rc == RIDGE_ENGINE_OK)
    rc = bank_build (&lbank, 0.5f * pmin, 0.5f * pmax, 0.25f * s);
  if (rc != RIDGE_ENGINE_OK)
    goto out;
  rc = RIDGE_ENGINE_E_NOMEM;
  for (int y = 0; y < h; y++)
    for (int x = x0[y]; x <= x1[y]; x++)
      {
        float th = orientation_at (m, &fp, (float)x, (float)y);
        int oi = (int)lrintf (th / (float)PI_F * N_ORIENT) % N_ORIENT;
        int pi = (int)lrintf ((tmp[(size_t)y * w + x] - bank.pmin) / bank.pstep);

        if (pi < 0)
          pi = 0;
        if (pi >= bank.n_period)
          pi = bank.n_period - 1;
        kidx[(size_t)y * w + x] = (uint16_t)(pi * N_ORIENT + oi);
        if ((x & 1) == 0 && (y & 1) == 0 && x / 2 < lw && y / 2 < lh)
          {
            int lpi = (int)lrintf ((0.5f * tmp[(size_t)y * w + x] - lbank.pmin) / lbank.pstep);

            if (lpi < 0)
              lpi = 0;
            if (lpi >= lbank.n_period)
              lpi = lbank.n_period - 1;
            lkidx[(size_t)(y / 2) * lw + x / 2] = (uint16_t)(lpi * N_ORIENT + oi);
          }
      }

  /* seeds on a jittered grid, random polarity */
  ridge_rng_init (&rng, finger_seed, STREAM_SEEDS);
  {
    float step = (float)ridge_rng_range (&rng, 27, 34) * s * 0.5f;

    for (float gy = step * 0.5f; gy < (float)lh; gy += step)
      for (float gx = step * 0.5f; gx < (float)lw; gx += step)
        {
          int sx = (int)(gx + (float)ridge_rng_range (&rng, -0.4, 0.4) * step);
          int sy = (int)(gy + (float)ridge_rng_range (&rng, -0.4, 0.4) * step);
          float v = ridge_rng_uniform (&rng) < 0.5 ? -1.0f : 1.0f;

          if (sy < 1 || sy >= lh - 1 || sx < lx0[sy] + 1 || sx > lx1[sy] - 1)
            continue;
          for (int dy = 0; dy <= 1; dy++)
            for (int dx = 0; dx <= 1; dx++)
              low_a[(size_t)(sy + dy) * lw + sx + dx] = v;
        }
  }

  /* grow: clip hard while growing */
  {
    const int n_iter = 9;
    float *src = low_a, *dst = low_b, *sw;
    int reach = (int)ceilf (0.9f * (0.5f * pmax + 0.25f * s)) / 8 + 1;

    for (int it = 0; it < n_iter; it++)
      {
        update_active (src, lw, lh, active, flags, lbw, lbh, reach);
        gabor_pass (lw, lh, &lbank, lkidx, lx0, lx1, src, dst, 4.0f, active, lbw);
        sw = src;
        src = dst;
        dst = sw;
      }
    /* back to full resolution (bilinear), then one unclipped pass */
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        {
          float fx = 0.5f * (float)x - 0.25f, fy = 0.5f * (float)y - 0.25f;
          int ix, iy;
          float ax, ay;

          if (fx < 0)
            fx = 0;
          if (fy < 0)
            fy = 0;
          ix = (int)fx;
          iy = (int)fy;
          if (ix > lw - 2)
            ix = lw - 2;
          if (iy > lh - 2)
            iy = lh - 2;
          ax = fx - (float)ix;
          ay = fy - (float)iy;
          if (ax > 1)
            ax = 1;
          if (ay > 1)
            ay = 1;
          tmp[(size_t)y * w + x] =
            (src[(size_t)iy * lw + ix] * (1 - ax) + src[(size_t)iy * lw + ix + 1] * ax) * (1 - ay)
            + (src[(size_t)(iy + 1) * lw + ix] * (1 - ax) + src[(size_t)(iy + 1) * lw + ix + 1] *
               ax)
            * ay;
        }
    gabor_pass (w, h, &bank, kidx, x0, x1, tmp, m->ridges, 1.0f, NULL, bw);
  }

  /* ground truth: binarize, thin, crossing number, clean up */
  bin = calloc ((size_t)w * h, 1);
  work = calloc ((size_t)w * h, 1);
  mask = calloc ((size_t)w * h, 1);
  m->minutiae = calloc (RIDGE_MAX_MINUTIAE, sizeof (RidgeMinutia));
  if (bin == NULL || work == NULL || mask == NULL || m->minutiae == NULL)
    goto out;
  for (int y = 1; y < h - 1; y++)
    for (int x = 1; x < w - 1; x++)
      {
        bin[(size_t)y * w + x] = m->ridges[(size_t)y * w + x] > 0.0f;
        mask[(size_t)y * w + x] =
          ridge_synth_shape_inside (&m->shape, (float)x, (float)y) > 10.0f * s;
      }
  ridge_synth_thin (bin, w, h, work);
  m->n_minutiae = ridge_synth_skeleton_minutiae (bin, w, h, mask, m->mean_period,
                                                 m->minutiae, RIDGE_MAX_MINUTIAE);
  rc = RIDGE_ENGINE_OK;

out:
  bank_clear (&bank);
  bank_clear (&lbank);
  free (low_a);
  free (low_b);
  free (lkidx);
  free (lx0);
  free (lx1);
  free (tmp);
  free (kidx);
  free (x0);
  free (x1);
  free (active);
  free (flags);
  free (bin);
  free (work);
  free (mask);
  if (rc != RIDGE_ENGINE_OK)
    ridge_synth_master_clear (m);
  return rc;
}
