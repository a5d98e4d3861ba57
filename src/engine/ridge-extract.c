/* ridge-extract.c — minutiae extraction: the public API and the order of the steps
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every step works on a grid of RIDGE_EXTRACT_BLOCK-pixel blocks (block maps) or on the
 * pixels (pixel maps); the steps live in ridge-extract-*.c (see
 * ridge-extract-steps-private.h). Memory is proportional to the image (about 20 bytes per
 * pixel while extracting, 3 bytes per pixel kept with keep_maps) and the image side is
 * capped, so an extraction never allocates more than about 90 MB. No global state: the
 * filter tables are built per call.
 */

#include "ridge-extract-steps-private.h"

#include <stdlib.h>
#include <string.h>

static void
ctx_free (RidgeExtractCtx *c)
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
ctx_alloc (RidgeExtractCtx *c)
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
  RidgeExtractCtx c;
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

  ridge_extract_block_statistics (&c);
  r = ridge_extract_segment (&c);
  if (r != RIDGE_ENGINE_OK)
    goto fail;
  ridge_extract_orientation (&c);
  st.period_median = ridge_extract_frequency (&c);
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
  ridge_extract_normalise (&c);
  ridge_extract_enhance_binarise (&c, keep ? f->enhanced : NULL);
  if (keep)
    for (size_t k = 0; k < (size_t)c.w * c.h; k++)
      f->binary[k] = c.bin[k] ? 255 : 0;
  n_skel = ridge_extract_thin (&c);
  r = ridge_extract_detect_minutiae (&c, f, n_skel);
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
