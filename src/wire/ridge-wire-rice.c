/* ridge-wire-rice.c — RIDGE_ENC_RICE: lossless 8-bit grey image codec
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * docs/protocol.md, "Image compression (RIDGE_ENC_RICE)", is the normative description.
 * In short: byte 0 is the mode (0 stored, 1 Rice). In Rice mode every pixel, in raster
 * order, is predicted by the MED (LOCO-I / JPEG-LS median edge detector) predictor from
 * its left (a), upper (b) and upper-left (c) neighbours; the residual modulo 256 is
 * zig-zag mapped to 0..255 and written as a Golomb-Rice code whose parameter k adapts per
 * context (8 contexts from the local activity |d-b|+|b-c|+|c-a|, d = upper-right) from
 * running sums, as in LOCO-I. Quotients of RICE_QLIM or more escape to 8 literal bits.
 * Bits are written MSB first. The encoder falls back to stored mode when Rice would not
 * be smaller, so the output never exceeds 1 + width * height bytes.
 */

#include "ridge-wire.h"
#include "ridge-wire-private.h"

#define RICE_MODE_STORED 0u
#define RICE_MODE_RICE   1u
#define RICE_QLIM        12u  /* unary quotients from here on escape to 8 literal bits */
#define RICE_CONTEXTS    8u
#define RICE_KMAX        7u
#define RICE_RESET       64u  /* halve a context's sums when its count reaches this */
#define RICE_A_INIT      4u
#define RICE_RUN_CONTEXT 0u   /* a = b = c = d: run mode */
#define RICE_RK_MAX      15u

typedef struct {
  uint32_t a[RICE_CONTEXTS];  /* sum of mapped residuals */
  uint32_t n[RICE_CONTEXTS];  /* number of residuals */
  unsigned rk;                /* run mode: log2 of the run segment length */
} RiceModel;

static void
model_init (RiceModel *m)
{
  for (unsigned i = 0; i < RICE_CONTEXTS; i++)
    {
      m->a[i] = RICE_A_INIT;
      m->n[i] = 1;
    }
  m->rk = 0;
}

static inline unsigned
model_k (const RiceModel *m,
         unsigned         ctx)
{
  unsigned k = 0;

  while (k < RICE_KMAX && (m->n[ctx] << (k + 1)) < m->a[ctx])
    k++;
  return k;
}

static inline void
model_update (RiceModel *m,
              unsigned   ctx,
              unsigned   v)
{
  m->a[ctx] += v;
  if (++m->n[ctx] >= RICE_RESET)
    {
      m->a[ctx] >>= 1;
      m->n[ctx] >>= 1;
    }
}

static inline int
iabs (int v)
{
  return v < 0 ? -v : v;
}

/* Prediction and context of pixel x of a row; prev is the row above or NULL. */
static inline unsigned
predict (const uint8_t *cur,
         const uint8_t *prev,
         uint32_t       x,
         uint32_t       width,
         unsigned      *ctx)
{
  int a, b, c, d, mx, mn, pred;
  unsigned act, q;

  if (prev == NULL)
    {
      a = x > 0 ? cur[x - 1] : 128;
      b = c = d = a;
    }
  else
    {
      b = prev[x];
      a = x > 0 ? cur[x - 1] : b;
      c = x > 0 ? prev[x - 1] : b;
      d = x + 1 < width ? prev[x + 1] : b;
    }
  mx = a > b ? a : b;
  mn = a > b ? b : a;
  if (c >= mx)
    pred = mn;
  else if (c <= mn)
    pred = mx;
  else
    pred = a + b - c;

  act = (unsigned)(iabs (d - b) + iabs (b - c) + iabs (c - a)) + 1u;
  q = 0;
  while (act > 1u && q < RICE_CONTEXTS - 1u)
    {
      act >>= 1;
      q++;
    }
  *ctx = q;
  return (unsigned)pred;
}

uint32_t
ridge_wire_rice_bound (uint16_t width,
                       uint16_t height)
{
  return 1u + (uint32_t)width * height;
}

typedef struct {
  uint8_t *out;
  size_t   lim;
  size_t   len;
  uint32_t acc;
  unsigned nbits;
  bool     overflow;
} BitWriter;

static inline void
bw_put (BitWriter *bw,
        uint32_t   v,
        unsigned   n)              /* n <= 16 */
{
  bw->acc = (bw->acc << n) | (v & ((1u << n) - 1u));
  bw->nbits += n;
  while (bw->nbits >= 8)
    {
      bw->nbits -= 8;
      if (bw->len < bw->lim)
        bw->out[bw->len++] = (uint8_t)(bw->acc >> bw->nbits);
      else
        bw->overflow = true;
    }
  bw->acc &= (1u << bw->nbits) - 1u;
}

/* One mapped residual v (0..255) in context ctx: q = v >> k in unary (q one bits, a zero
 * bit) and the k low bits, or RICE_QLIM one bits and v in 8 bits when q >= RICE_QLIM. */
static inline void
rice_put (BitWriter *bw,
          RiceModel *model,
          unsigned   ctx,
          unsigned   v)
{
  unsigned k = model_k (model, ctx);
  unsigned q = v >> k;

  if (q < RICE_QLIM)
    {
      bw_put (bw, ((1u << q) - 1u) << 1, q + 1);
      if (k > 0)
        bw_put (bw, v, k);
    }
  else
    {
      bw_put (bw, (1u << RICE_QLIM) - 1u, RICE_QLIM);
      bw_put (bw, v, 8);
    }
  model_update (model, ctx, v);
}

int32_t
ridge_wire_rice_encode (const uint8_t *pixels,
                        uint16_t       width,
                        uint16_t       height,
                        uint8_t       *out,
                        size_t         out_cap)
{
  uint32_t npix = (uint32_t)width * height;
  uint32_t bound = ridge_wire_rice_bound (width, height);
  BitWriter bw = { 0 };
  RiceModel model;

  if (out == NULL || (pixels == NULL && npix > 0))
    return RIDGE_WIRE_E_INVALID;
  if (npix > (uint32_t)INT32_MAX - 1u)
    return RIDGE_WIRE_E_TOO_LARGE;  /* the size would not fit the return value */
  if (out_cap < 1)
    return RIDGE_WIRE_E_NOSPACE;

  /* Rice mode, stopped as soon as it is not smaller than stored mode. */
  out[0] = RICE_MODE_RICE;
  bw.out = out + 1;
  bw.lim = (out_cap < bound ? out_cap : bound) - 1;
  model_init (&model);
  for (uint32_t y = 0; y < height && !bw.overflow; y++)
    {
      const uint8_t *cur = pixels + (size_t)y * width;
      const uint8_t *prev = y > 0 ? cur - width : NULL;

      for (uint32_t x = 0; x < width; x++)
        {
          unsigned ctx;
          unsigned pred = predict (cur, prev, x, width, &ctx);
          int e;
          unsigned v;

          if (ctx == RICE_RUN_CONTEXT)
            {
              /* Run mode: the run of pixels equal to the left neighbour. */
              uint32_t run = 0;

              while (x + run < width && cur[x + run] == pred)
                run++;
              for (;;)
                {
                  uint32_t seg = 1u << model.rk;

                  if (run >= seg)
                    {
                      bw_put (&bw, 1, 1);
                      x += seg;
                      run -= seg;
                      if (model.rk < RICE_RK_MAX)
                        model.rk++;
                      if (x == width)
                        break;
                    }
                  else if (x + run == width)
                    {
                      bw_put (&bw, 1, 1);  /* the run ends the row */
                      x = width;
                      break;
                    }
                  else
                    {
                      bw_put (&bw, 0, 1);
                      if (model.rk > 0)
                        bw_put (&bw, run, model.rk);
                      x += run;
                      if (model.rk > 0)
                        model.rk--;
                      break;
                    }
                }
              if (x == width)
                break;
              /* cur[x] interrupts the run: coded in regular mode below. */
              pred = predict (cur, prev, x, width, &ctx);
            }

          e = (int8_t)(uint8_t)(cur[x] - pred);
          v = e >= 0 ? (unsigned)(2 * e) : (unsigned)(-2 * e - 1);
          rice_put (&bw, &model, ctx, v);
        }
    }
  if (bw.nbits > 0)
    bw_put (&bw, 0, 8 - bw.nbits);
  if (!bw.overflow && 1 + bw.len < bound)
    return (int32_t)(1 + bw.len);

  /* Stored mode. */
  if (out_cap < bound)
    return RIDGE_WIRE_E_NOSPACE;
  out[0] = RICE_MODE_STORED;
  if (npix > 0)
    memcpy (out + 1, pixels, npix);
  return (int32_t)bound;
}

typedef struct {
  const uint8_t *in;
  size_t         len;
  size_t         pos;
  uint64_t       acc;    /* the low nbits bits are the next bits of the stream */
  unsigned       nbits;
} BitReader;

static inline void
br_fill (BitReader *br)
{
  while (br->nbits <= 48 && br->pos < br->len)
    {
      br->acc = (br->acc << 8) | br->in[br->pos++];
      br->nbits += 8;
    }
}

/* Reads n <= 16 bits; false when the input ends first. */
static inline bool
br_get (BitReader *br,
        unsigned   n,
        uint32_t  *v)
{
  if (br->nbits < n)
    {
      br_fill (br);
      if (br->nbits < n)
        return false;
    }
  br->nbits -= n;
  *v = (uint32_t)(br->acc >> br->nbits) & ((1u << n) - 1u);
  return true;
}

static inline int
rice_get (BitReader *br,
          RiceModel *model,
          unsigned   ctx,
          uint32_t  *v)
{
  unsigned k = model_k (model, ctx);
  unsigned q = 0;

  /* the unary part, read from the bit window */
  if (br->nbits < RICE_QLIM + 1)
    br_fill (br);
  while (q < RICE_QLIM && q < br->nbits && ((br->acc >> (br->nbits - 1 - q)) & 1u))
    q++;
  if (q == RICE_QLIM)
    {
      br->nbits -= RICE_QLIM;
      if (!br_get (br, 8, v))
        return RIDGE_WIRE_E_TRUNCATED;
    }
  else
    {
      uint32_t rem = 0;

      if (q == br->nbits)
        return RIDGE_WIRE_E_TRUNCATED;  /* no terminating 0 bit */
      br->nbits -= q + 1;
      if (k > 0 && !br_get (br, k, &rem))
        return RIDGE_WIRE_E_TRUNCATED;
      *v = (q << k) | rem;
      if (*v > 255)
        return RIDGE_WIRE_E_INVALID;
    }
  model_update (model, ctx, *v);
  return RIDGE_WIRE_OK;
}

int32_t
ridge_wire_rice_decode (const uint8_t *in,
                        size_t         in_len,
                        uint16_t       width,
                        uint16_t       height,
                        uint8_t       *pixels)
{
  uint32_t npix = (uint32_t)width * height;
  BitReader br = { 0 };
  RiceModel model;

  if (in == NULL || (pixels == NULL && npix > 0))
    return RIDGE_WIRE_E_INVALID;
  if (npix > (uint32_t)INT32_MAX)
    return RIDGE_WIRE_E_TOO_LARGE;
  if (in_len < 1)
    return RIDGE_WIRE_E_TRUNCATED;

  if (in[0] == RICE_MODE_STORED)
    {
      if (in_len - 1 < npix)
        return RIDGE_WIRE_E_TRUNCATED;
      if (npix > 0)
        memcpy (pixels, in + 1, npix);
      return (int32_t)npix;
    }
  if (in[0] != RICE_MODE_RICE)
    return RIDGE_WIRE_E_INVALID;

  br.in = in + 1;
  br.len = in_len - 1;
  model_init (&model);
  for (uint32_t y = 0; y < height; y++)
    {
      uint8_t *cur = pixels + (size_t)y * width;
      const uint8_t *prev = y > 0 ? cur - width : NULL;

      for (uint32_t x = 0; x < width; x++)
        {
          unsigned ctx;
          unsigned pred = predict (cur, prev, x, width, &ctx);
          uint32_t v;
          int e, r;

          if (ctx == RICE_RUN_CONTEXT)
            {
              for (;;)
                {
                  uint32_t seg = 1u << model.rk, n, bit;

                  if (!br_get (&br, 1, &bit))
                    return RIDGE_WIRE_E_TRUNCATED;
                  if (bit)
                    {
                      n = width - x < seg ? width - x : seg;
                      memset (cur + x, (int)pred, n);
                      x += n;
                      if (n == seg && model.rk < RICE_RK_MAX)
                        model.rk++;
                      if (x == width)
                        break;
                    }
                  else
                    {
                      n = 0;
                      if (model.rk > 0 && !br_get (&br, model.rk, &n))
                        return RIDGE_WIRE_E_TRUNCATED;
                      if (n >= width - x)
                        return RIDGE_WIRE_E_INVALID;
                      memset (cur + x, (int)pred, n);
                      x += n;
                      if (model.rk > 0)
                        model.rk--;
                      break;
                    }
                }
              if (x == width)
                break;
              pred = predict (cur, prev, x, width, &ctx);
            }

          r = rice_get (&br, &model, ctx, &v);
          if (r != RIDGE_WIRE_OK)
            return r;
          e = (v & 1u) ? -(int)((v + 1) >> 1) : (int)(v >> 1);
          cur[x] = (uint8_t)((int)pred + e);
        }
    }
  return (int32_t)npix;
}
