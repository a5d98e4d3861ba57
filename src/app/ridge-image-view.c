/* ridge-image-view.c — a fingerprint image with zoom, pan and feature overlays
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-image-view"

#include "config.h"

#include "ridge-image-view.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#define ZOOM_STEP    1.25
#define SCROLL_STEP  48.0
/* Keep this many widget pixels of the content visible when panning. */
#define PAN_MARGIN   48.0
/* Do not draw orientation lines closer than this many widget pixels. */
#define MIN_ORIENTATION_SPACING 7.0

typedef struct {
  int              width;
  int              height;
  guint8          *pixels;
  cairo_surface_t *surface;   /* RGB24 copy for nearest-neighbour magnification */
  GdkTexture      *texture;   /* R8G8B8 copy for minification */
  RidgeMinutia    *minutiae;
  guint            n_minutiae;
  guint8          *marks;     /* per minutia RidgeMinutiaMark, NULL = colour by quality */
} Plate;

typedef struct {
  gboolean         set;
  int              width;
  int              height;
  int              block_size;
  gboolean         is_float;
  gpointer         data;
  cairo_surface_t *surface;   /* pre-rendered tint (quality, foreground, binary, skeleton) */
} MapCopy;

struct _RidgeImageView {
  GtkWidget parent_instance;

  Plate             probe;
  Plate             gallery;
  MapCopy           maps[RIDGE_N_MAPS];
  RidgeMinutiaPair *pairs;
  guint             n_pairs;

  RidgeOverlays overlays;
  double        zoom;
  double        offset_x;      /* widget position of the content's top-left corner */
  double        offset_y;
  gboolean      fit;

  double   drag_start_x;
  double   drag_start_y;
  double   pointer_x;
  double   pointer_y;
  gboolean pointer_inside;
  int      measured_w;         /* content size last reported by measure() */
  int      measured_h;
  gboolean in_set_view;        /* applying another view's zoom/pan: do not echo it */
};

G_DEFINE_FINAL_TYPE (RidgeImageView, ridge_image_view, GTK_TYPE_WIDGET);

G_DEFINE_FLAGS_TYPE (RidgeOverlays, ridge_overlays,
                     G_DEFINE_ENUM_VALUE (RIDGE_OVERLAY_NONE, "none"),
                     G_DEFINE_ENUM_VALUE (RIDGE_OVERLAY_MINUTIAE, "minutiae"),
                     G_DEFINE_ENUM_VALUE (RIDGE_OVERLAY_ORIENTATION, "orientation"),
                     G_DEFINE_ENUM_VALUE (RIDGE_OVERLAY_QUALITY, "quality"),
                     G_DEFINE_ENUM_VALUE (RIDGE_OVERLAY_FOREGROUND, "foreground"),
                     G_DEFINE_ENUM_VALUE (RIDGE_OVERLAY_BINARY, "binary"),
                     G_DEFINE_ENUM_VALUE (RIDGE_OVERLAY_SKELETON, "skeleton"),
                     G_DEFINE_ENUM_VALUE (RIDGE_OVERLAY_PAIRS, "pairs"));

enum {
  PROP_0,
  PROP_OVERLAYS,
  PROP_ZOOM,
  PROP_FIT,
  PROP_HAS_IMAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_VIEW_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
emit_view_changed (RidgeImageView *self)
{
  if (!self->in_set_view)
    g_signal_emit (self, signals[SIGNAL_VIEW_CHANGED], 0);
}

/* ---- data ---------------------------------------------------------------------------- */

static void
plate_clear (Plate *plate)
{
  g_clear_pointer (&plate->pixels, g_free);
  g_clear_pointer (&plate->surface, cairo_surface_destroy);
  g_clear_object (&plate->texture);
  g_clear_pointer (&plate->minutiae, g_free);
  g_clear_pointer (&plate->marks, g_free);
  plate->n_minutiae = 0;
  plate->width = plate->height = 0;
}

static gboolean
check_image (const RidgeImage *image,
             GError          **error)
{
  if (image->pixels == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _ ("The image has no pixels."));
      return FALSE;
    }
  if (image->width < 1 || image->height < 1
      || image->width > RIDGE_IMAGE_MAX_SIDE || image->height > RIDGE_IMAGE_MAX_SIDE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("The image is %d × %d pixels; each side must be between 1 and %d."),
                   image->width, image->height, RIDGE_IMAGE_MAX_SIDE);
      return FALSE;
    }
  return TRUE;
}

/* Grey bytes to an RGB24 cairo surface (and, when rgb is not NULL, packed R8G8B8). */
static cairo_surface_t *
grey_to_surface (const guint8 *grey,
                 int           width,
                 int           height,
                 guint8       *rgb)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);

  cairo_surface_flush (surface);
  for (int y = 0; y < height; y++)
    {
      guint32 *row = (guint32 *)(gpointer)(data + (gsize)y * stride);
      const guint8 *src = grey + (gsize)y * width;

      for (int x = 0; x < width; x++)
        {
          guint32 v = src[x];

          row[x] = 0xff000000u | (v << 16) | (v << 8) | v;
          if (rgb != NULL)
            {
              guint8 *px = rgb + ((gsize)y * width + x) * 3;

              px[0] = px[1] = px[2] = src[x];
            }
        }
    }
  cairo_surface_mark_dirty (surface);
  return surface;
}

static gboolean
plate_set (Plate            *plate,
           const RidgeImage *image,
           GError          **error)
{
  gsize n;
  g_autofree guint8 *rgb = NULL;
  g_autoptr (GBytes) bytes = NULL;

  if (!check_image (image, error))
    return FALSE;

  plate_clear (plate);
  n = (gsize)image->width * image->height;
  plate->width = image->width;
  plate->height = image->height;
  plate->pixels = g_memdup2 (image->pixels, n);
  rgb = g_malloc (n * 3);
  plate->surface = grey_to_surface (plate->pixels, plate->width, plate->height, rgb);
  bytes = g_bytes_new_take (g_steal_pointer (&rgb), n * 3);
  plate->texture = gdk_memory_texture_new (plate->width, plate->height, GDK_MEMORY_R8G8B8,
                                           bytes, (gsize)plate->width * 3);
  return TRUE;
}

static void
plate_set_minutiae (Plate              *plate,
                    const RidgeMinutia *minutiae,
                    guint               n_minutiae)
{
  g_clear_pointer (&plate->minutiae, g_free);
  g_clear_pointer (&plate->marks, g_free);
  plate->n_minutiae = 0;
  if (minutiae == NULL || n_minutiae == 0)
    return;
  n_minutiae = MIN (n_minutiae, RIDGE_MAX_MINUTIAE);
  plate->minutiae = g_memdup2 (minutiae, sizeof *minutiae * n_minutiae);
  plate->n_minutiae = n_minutiae;
}

static void
map_clear (MapCopy *m)
{
  g_clear_pointer (&m->data, g_free);
  g_clear_pointer (&m->surface, cairo_surface_destroy);
  m->set = FALSE;
}

static guint8
map_u8 (const MapCopy *m,
        int            x,
        int            y)
{
  const guint8 *d = m->data;

  return d[(gsize)y * m->width + x];
}

static float
map_float (const MapCopy *m,
           int            x,
           int            y)
{
  const float *d = m->data;

  return d[(gsize)y * m->width + x];
}

/* Pre-renders the maps drawn as images (scaled with nearest-neighbour when painted). */
static cairo_surface_t *
render_map_surface (RidgeMapKind   kind,
                    const MapCopy *m)
{
  cairo_surface_t *surface;
  guint8 *data;
  int stride;

  if (kind == RIDGE_MAP_BINARY || kind == RIDGE_MAP_ENHANCED)
    return grey_to_surface (m->data, m->width, m->height, NULL);

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, m->width, m->height);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  cairo_surface_flush (surface);
  for (int y = 0; y < m->height; y++)
    {
      guint32 *row = (guint32 *)(gpointer)(data + (gsize)y * stride);

      for (int x = 0; x < m->width; x++)
        {
          guint8 v = map_u8 (m, x, y);
          guint32 a = 0, r = 0, g = 0, b = 0;

          switch (kind)
            {
              case RIDGE_MAP_QUALITY:
                /* the engine rates blocks outside the finger 0: leave them untinted, the
                 * foreground overlay is there to show them */
                if (v == 0)
                  break;
                {
                  /* red (0) → yellow (50) → green (100), premultiplied, alpha 0.4 */
                  double q = MIN (v, 100) / 100.0;
                  double rr = q < 0.5 ? 1.0 : 2.0 * (1.0 - q);
                  double gg = q < 0.5 ? 2.0 * q : 1.0;

                  a = 102;
                  r = (guint32)(rr * a);
                  g = (guint32)(gg * 0.85 * a);
                  b = 0;
                }
                break;

              case RIDGE_MAP_FOREGROUND:
                /* darken the background blocks */
                if (v == 0)
                  {
                    a = 140;
                    r = g = b = 10 * a / 255;
                  }
                break;

              case RIDGE_MAP_SKELETON:
                if (v != 0)
                  {
                    a = 255;
                    r = 230;
                    g = 20;
                    b = 40;
                  }
                break;

              case RIDGE_MAP_ORIENTATION:
              case RIDGE_MAP_RELIABILITY:
              case RIDGE_MAP_FREQUENCY:
              case RIDGE_MAP_ENHANCED:
              case RIDGE_MAP_BINARY:
              case RIDGE_N_MAPS:
              default:
                break;
            }
          row[x] = (a << 24) | (r << 16) | (g << 8) | b;
        }
    }
  cairo_surface_mark_dirty (surface);
  return surface;
}

/* ---- geometry ------------------------------------------------------------------------ */

void
ridge_image_view_get_content_size (RidgeImageView *self,
                                   int            *width,
                                   int            *height)
{
  int w = self->probe.width;
  int h = self->probe.height;

  if (self->gallery.pixels != NULL && self->probe.pixels != NULL)
    {
      w += RIDGE_IMAGE_VIEW_PAIR_GAP + self->gallery.width;
      h = MAX (h, self->gallery.height);
    }
  if (width)
    *width = w;
  if (height)
    *height = h;
}

static void
apply_fit (RidgeImageView *self)
{
  int cw, ch;
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));

  ridge_image_view_get_content_size (self, &cw, &ch);
  if (cw <= 0 || ch <= 0 || w <= 0 || h <= 0)
    return;
  self->zoom = CLAMP (MIN (w / cw, h / ch), RIDGE_IMAGE_VIEW_MIN_ZOOM,
                      RIDGE_IMAGE_VIEW_MAX_ZOOM);
  self->offset_x = floor ((w - cw * self->zoom) / 2.0);
  self->offset_y = floor ((h - ch * self->zoom) / 2.0);
}

static void
clamp_offset (RidgeImageView *self)
{
  int cw, ch;
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));
  double sw, sh;

  ridge_image_view_get_content_size (self, &cw, &ch);
  if (cw <= 0 || w <= 0 || h <= 0)
    return;
  sw = cw * self->zoom;
  sh = ch * self->zoom;
  self->offset_x = CLAMP (self->offset_x, MIN (0, PAN_MARGIN - sw), MAX (0, w - PAN_MARGIN));
  self->offset_y = CLAMP (self->offset_y, MIN (0, PAN_MARGIN - sh), MAX (0, h - PAN_MARGIN));
}

void
ridge_image_view_widget_to_image (RidgeImageView *self,
                                  double          wx,
                                  double          wy,
                                  double         *ix,
                                  double         *iy)
{
  g_return_if_fail (RIDGE_IS_IMAGE_VIEW (self));
  if (ix)
    *ix = (wx - self->offset_x) / self->zoom;
  if (iy)
    *iy = (wy - self->offset_y) / self->zoom;
}

void
ridge_image_view_image_to_widget (RidgeImageView *self,
                                  double          ix,
                                  double          iy,
                                  double         *wx,
                                  double         *wy)
{
  g_return_if_fail (RIDGE_IS_IMAGE_VIEW (self));
  if (wx)
    *wx = self->offset_x + ix * self->zoom;
  if (wy)
    *wy = self->offset_y + iy * self->zoom;
}

/* ---- drawing ------------------------------------------------------------------------- */

static void
paint_plate_base (RidgeImageView  *self,
                  GtkSnapshot     *snapshot,
                  cairo_t        **cr,
                  const Plate     *plate,
                  cairo_surface_t *replacement,
                  double           x0)
{
  graphene_rect_t bounds;
  cairo_surface_t *src = replacement != NULL ? replacement : plate->surface;

  bounds = GRAPHENE_RECT_INIT (self->offset_x + x0 * self->zoom, self->offset_y,
                               plate->width * self->zoom, plate->height * self->zoom);

  if (self->zoom < 1.0 && replacement == NULL)
    {
      /* Minification: let the renderer filter the texture. */
      gtk_snapshot_append_texture (snapshot, plate->texture, &bounds);
      return;
    }

  /* Magnification: one cairo node, nearest-neighbour so every sensor pixel stays sharp. */
  if (*cr == NULL)
    {
      graphene_rect_t all = GRAPHENE_RECT_INIT (0, 0,
                                                gtk_widget_get_width (GTK_WIDGET (self)),
                                                gtk_widget_get_height (GTK_WIDGET (self)));

      *cr = gtk_snapshot_append_cairo (snapshot, &all);
    }
  cairo_save (*cr);
  cairo_rectangle (*cr, bounds.origin.x, bounds.origin.y, bounds.size.width,
                   bounds.size.height);
  cairo_clip (*cr);
  cairo_translate (*cr, bounds.origin.x, bounds.origin.y);
  cairo_scale (*cr, self->zoom, self->zoom);
  cairo_set_source_surface (*cr, src, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (*cr),
                            self->zoom >= 1.0 ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_GOOD);
  cairo_paint (*cr);
  cairo_restore (*cr);
}

static void
paint_map_surface (RidgeImageView *self,
                   cairo_t        *cr,
                   const MapCopy  *m)
{
  double s = self->zoom * m->block_size;

  cairo_save (cr);
  cairo_rectangle (cr, self->offset_x, self->offset_y, self->probe.width * self->zoom,
                   self->probe.height * self->zoom);
  cairo_clip (cr);
  cairo_translate (cr, self->offset_x, self->offset_y);
  cairo_scale (cr, s, s);
  cairo_set_source_surface (cr, m->surface, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_paint (cr);
  cairo_restore (cr);
}

static void
paint_orientation (RidgeImageView *self,
                   cairo_t        *cr)
{
  const MapCopy *m = &self->maps[RIDGE_MAP_ORIENTATION];
  const MapCopy *fg = &self->maps[RIDGE_MAP_FOREGROUND];
  gboolean use_fg = fg->set && fg->width == m->width && fg->height == m->height;
  double cell = m->block_size * self->zoom;
  int step = MAX (1, (int)ceil (MIN_ORIENTATION_SPACING / MAX (cell, 0.01)));
  double half = 0.42 * cell * step;

  cairo_save (cr);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  for (int pass = 0; pass < 2; pass++)
    {
      if (pass == 0)
        {
          cairo_set_source_rgba (cr, 0, 0, 0, 0.55);
          cairo_set_line_width (cr, 3.0);
        }
      else
        {
          cairo_set_source_rgba (cr, 0.35, 0.85, 1.0, 1.0);
          cairo_set_line_width (cr, 1.5);
        }
      for (int by = 0; by < m->height; by += step)
        for (int bx = 0; bx < m->width; bx += step)
          {
            double a, cx, cy;

            if (use_fg && map_u8 (fg, bx, by) == 0)
              continue;
            a = map_float (m, bx, by);
            if (!isfinite (a))
              continue;
            cx = self->offset_x + (bx + 0.5 * step) * cell;
            cy = self->offset_y + (by + 0.5 * step) * cell;
            /* ISO convention: counter-clockwise as seen on screen, so y flips. */
            cairo_move_to (cr, cx - half * cos (a), cy + half * sin (a));
            cairo_line_to (cr, cx + half * cos (a), cy - half * sin (a));
          }
      cairo_stroke (cr);
    }
  cairo_restore (cr);
}

static void
quality_colour (guint8   q,
                GdkRGBA *c)
{
  if (q < 40)
    *c = (GdkRGBA) { 0.93, 0.20, 0.23, 1.0 }
  ;
  else if (q < 70)
    *c = (GdkRGBA) { 0.96, 0.76, 0.07, 1.0 }
  ;
  else
    *c = (GdkRGBA) { 0.20, 0.82, 0.48, 1.0 }
  ;
}

static void
minutia_path (cairo_t            *cr,
              const RidgeMinutia *mi,
              double              x,
              double              y,
              double              r,
              gboolean            tick)
{
  double dx = cos (mi->angle);
  double dy = -sin (mi->angle);

  cairo_new_sub_path (cr);
  switch (mi->type)
    {
      case RIDGE_MINUTIA_ENDING:
        cairo_arc (cr, x, y, r, 0, 2 * G_PI);
        break;

      case RIDGE_MINUTIA_BIFURCATION:
        cairo_rectangle (cr, x - r, y - r, 2 * r, 2 * r);
        break;

      default:
        cairo_move_to (cr, x, y - r * 1.2);
        cairo_line_to (cr, x + r * 1.05, y + r * 0.7);
        cairo_line_to (cr, x - r * 1.05, y + r * 0.7);
        cairo_close_path (cr);
        break;
    }
  if (!tick)
    return;
  cairo_move_to (cr, x + dx * r, y + dy * r);
  cairo_line_to (cr, x + dx * r * 2.8, y + dy * r * 2.8);
}

static void
paint_minutiae (RidgeImageView *self,
                cairo_t        *cr,
                const Plate    *plate,
                double          x0)
{
  double r = CLAMP (2.5 * self->zoom, 3.5, 9.0);

  cairo_save (cr);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < plate->n_minutiae; i++)
    {
      const RidgeMinutia *mi = &plate->minutiae[i];
      double x = self->offset_x + (x0 + mi->x) * self->zoom;
      double y = self->offset_y + mi->y * self->zoom;
      /* positions only (e.g. NBIS through libfprint): no direction tick */
      gboolean tick = plate->marks == NULL
                      || !(plate->marks[i] & RIDGE_MINUTIA_MARK_POSITION_ONLY);
      guint8 mark = plate->marks != NULL ? plate->marks[i] & 0x0f : RIDGE_MINUTIA_MARK_NONE;
      GdkRGBA c;

      /* dark halo first so the marks read on light and dark ridges alike */
      minutia_path (cr, mi, x, y, r, tick);
      cairo_set_source_rgba (cr, 0, 0, 0, 0.7);
      cairo_set_line_width (cr, 4.0);
      cairo_stroke (cr);

      minutia_path (cr, mi, x, y, r, tick);
      if (mark == RIDGE_MINUTIA_MARK_MATCHED)
        c = (GdkRGBA) { 0.20, 0.82, 0.48, 1.0 }
      ;
      else if (mark == RIDGE_MINUTIA_MARK_UNMATCHED)
        c = (GdkRGBA) { 0.95, 0.25, 0.75, 1.0 }
      ;
      else
        quality_colour (mi->quality, &c);
      gdk_cairo_set_source_rgba (cr, &c);
      cairo_set_line_width (cr, 2.0);
      cairo_stroke (cr);
    }
  cairo_restore (cr);
}

static void
paint_pairs (RidgeImageView *self,
             cairo_t        *cr)
{
  double gx0 = self->probe.width + RIDGE_IMAGE_VIEW_PAIR_GAP;
  GdkRGBA accent = { 0.21, 0.52, 0.89, 1.0 };

  gtk_style_context_lookup_color (gtk_widget_get_style_context (GTK_WIDGET (self)),
                                  "accent_bg_color", &accent);
  cairo_save (cr);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  for (guint i = 0; i < self->n_pairs; i++)
    {
      const RidgeMinutia *p = &self->probe.minutiae[self->pairs[i].probe];
      const RidgeMinutia *g = &self->gallery.minutiae[self->pairs[i].gallery];
      double x1 = self->offset_x + p->x * self->zoom;
      double y1 = self->offset_y + p->y * self->zoom;
      double x2 = self->offset_x + (gx0 + g->x) * self->zoom;
      double y2 = self->offset_y + g->y * self->zoom;

      cairo_move_to (cr, x1, y1);
      cairo_line_to (cr, x2, y2);
    }
  cairo_set_source_rgba (cr, 0, 0, 0, 0.5);
  cairo_set_line_width (cr, 3.5);
  cairo_stroke_preserve (cr);
  cairo_set_source_rgba (cr, accent.red, accent.green, accent.blue, 0.9);
  cairo_set_line_width (cr, 1.5);
  cairo_stroke (cr);
  cairo_restore (cr);
}

static void
ridge_image_view_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  RidgeImageView *self = RIDGE_IMAGE_VIEW (widget);
  int w = gtk_widget_get_width (widget);
  int h = gtk_widget_get_height (widget);
  cairo_t *cr = NULL;
  cairo_surface_t *replacement = NULL;
  graphene_rect_t all = GRAPHENE_RECT_INIT (0, 0, w, h);
  gboolean pair_view;

  if (self->probe.pixels == NULL || w <= 0 || h <= 0)
    return;

  pair_view = self->gallery.pixels != NULL;
  gtk_snapshot_push_clip (snapshot, &all);

  if ((self->overlays & RIDGE_OVERLAY_BINARY) && self->maps[RIDGE_MAP_BINARY].set)
    replacement = self->maps[RIDGE_MAP_BINARY].surface;
  paint_plate_base (self, snapshot, &cr, &self->probe, replacement, 0);
  if (pair_view)
    paint_plate_base (self, snapshot, &cr, &self->gallery, NULL,
                      self->probe.width + RIDGE_IMAGE_VIEW_PAIR_GAP);

  if (cr == NULL)
    cr = gtk_snapshot_append_cairo (snapshot, &all);

  if ((self->overlays & RIDGE_OVERLAY_FOREGROUND) && self->maps[RIDGE_MAP_FOREGROUND].set)
    paint_map_surface (self, cr, &self->maps[RIDGE_MAP_FOREGROUND]);
  if ((self->overlays & RIDGE_OVERLAY_QUALITY) && self->maps[RIDGE_MAP_QUALITY].set)
    paint_map_surface (self, cr, &self->maps[RIDGE_MAP_QUALITY]);
  if ((self->overlays & RIDGE_OVERLAY_SKELETON) && self->maps[RIDGE_MAP_SKELETON].set)
    paint_map_surface (self, cr, &self->maps[RIDGE_MAP_SKELETON]);
  if ((self->overlays & RIDGE_OVERLAY_ORIENTATION) && self->maps[RIDGE_MAP_ORIENTATION].set)
    paint_orientation (self, cr);
  if (pair_view && (self->overlays & RIDGE_OVERLAY_PAIRS) && self->n_pairs > 0)
    paint_pairs (self, cr);
  if (self->overlays & RIDGE_OVERLAY_MINUTIAE)
    {
      paint_minutiae (self, cr, &self->probe, 0);
      if (pair_view)
        paint_minutiae (self, cr, &self->gallery,
                        self->probe.width + RIDGE_IMAGE_VIEW_PAIR_GAP);
    }

  cairo_destroy (cr);
  gtk_snapshot_pop (snapshot);
}

/* ---- sizing and input ---------------------------------------------------------------- */

static void
ridge_image_view_measure (GtkWidget     *widget,
                          GtkOrientation orientation,
                          int            for_size,
                          int           *minimum,
                          int           *natural,
                          int           *minimum_baseline,
                          int           *natural_baseline)
{
  RidgeImageView *self = RIDGE_IMAGE_VIEW (widget);
  int cw, ch;

  ridge_image_view_get_content_size (self, &cw, &ch);
  *minimum = 64;
  *natural = MAX (64, MIN (orientation == GTK_ORIENTATION_HORIZONTAL ? cw : ch, 640));
}

static void
ridge_image_view_size_allocate (GtkWidget *widget,
                                int        width,
                                int        height,
                                int        baseline)
{
  RidgeImageView *self = RIDGE_IMAGE_VIEW (widget);

  if (self->fit)
    apply_fit (self);
  else
    clamp_offset (self);
}

static void
update_accessible (RidgeImageView *self)
{
  g_autofree char *desc = NULL;

  if (self->probe.pixels == NULL)
    desc = g_strdup (_ ("No image"));
  else if (self->gallery.pixels != NULL)
    desc = g_strdup_printf (_ ("Probe %d × %d pixels with %u minutiae beside gallery %d × %d "
                               "pixels with %u minutiae; %u mated pairs"),
                            self->probe.width, self->probe.height, self->probe.n_minutiae,
                            self->gallery.width, self->gallery.height,
                            self->gallery.n_minutiae, self->n_pairs);
  else
    desc = g_strdup_printf (_ ("%d × %d pixels, %u minutiae, zoom %.0f %%"),
                            self->probe.width, self->probe.height, self->probe.n_minutiae,
                            self->zoom * 100.0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, desc,
                                  -1);
}

static void
set_fit_internal (RidgeImageView *self,
                  gboolean        fit)
{
  if (self->fit == fit)
    return;
  self->fit = fit;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIT]);
}

static void
drag_begin_cb (RidgeImageView *self,
               double          x,
               double          y,
               GtkGestureDrag *gesture)
{
  if (self->probe.pixels == NULL)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  self->drag_start_x = self->offset_x;
  self->drag_start_y = self->offset_y;
  gtk_widget_grab_focus (GTK_WIDGET (self));
}

static void
drag_update_cb (RidgeImageView *self,
                double          dx,
                double          dy,
                GtkGestureDrag *gesture)
{
  ridge_image_view_pan (self, self->drag_start_x + dx - self->offset_x,
                        self->drag_start_y + dy - self->offset_y);
}

static void
motion_cb (RidgeImageView           *self,
           double                    x,
           double                    y,
           GtkEventControllerMotion *motion)
{
  self->pointer_x = x;
  self->pointer_y = y;
  self->pointer_inside = TRUE;
}

static void
leave_cb (RidgeImageView           *self,
          GtkEventControllerMotion *motion)
{
  self->pointer_inside = FALSE;
}

static gboolean
scroll_cb (RidgeImageView           *self,
           double                    dx,
           double                    dy,
           GtkEventControllerScroll *scroll)
{
  GdkModifierType mods;

  if (self->probe.pixels == NULL)
    return FALSE;
  mods = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (scroll));
  if (mods & GDK_CONTROL_MASK)
    {
      double x = self->pointer_inside ? self->pointer_x : gtk_widget_get_width (GTK_WIDGET (self)) /
                 2.0;
      double y =
        self->pointer_inside ? self->pointer_y : gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;

      ridge_image_view_zoom_at (self, pow (ZOOM_STEP, -dy), x, y);
      return TRUE;
    }
  ridge_image_view_pan (self, -dx * SCROLL_STEP, -dy * SCROLL_STEP);
  return TRUE;
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  RidgeImageView *self = RIDGE_IMAGE_VIEW (widget);
  double cx = gtk_widget_get_width (widget) / 2.0;
  double cy = gtk_widget_get_height (widget) / 2.0;

  if (g_str_equal (action_name, "image.zoom-in"))
    ridge_image_view_zoom_at (self, ZOOM_STEP, cx, cy);
  else if (g_str_equal (action_name, "image.zoom-out"))
    ridge_image_view_zoom_at (self, 1.0 / ZOOM_STEP, cx, cy);
  else if (g_str_equal (action_name, "image.zoom-fit"))
    ridge_image_view_set_fit (self, TRUE);
  else if (g_str_equal (action_name, "image.zoom-original"))
    ridge_image_view_set_zoom (self, 1.0);
}

/* ---- GObject ------------------------------------------------------------------------- */

static void
ridge_image_view_dispose (GObject *object)
{
  RidgeImageView *self = RIDGE_IMAGE_VIEW (object);

  plate_clear (&self->probe);
  plate_clear (&self->gallery);
  for (guint i = 0; i < RIDGE_N_MAPS; i++)
    map_clear (&self->maps[i]);
  g_clear_pointer (&self->pairs, g_free);
  self->n_pairs = 0;

  G_OBJECT_CLASS (ridge_image_view_parent_class)->dispose (object);
}

static void
ridge_image_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  RidgeImageView *self = RIDGE_IMAGE_VIEW (object);

  switch (prop_id)
    {
      case PROP_OVERLAYS:
        g_value_set_flags (value, self->overlays);
        break;

      case PROP_ZOOM:
        g_value_set_double (value, self->zoom);
        break;

      case PROP_FIT:
        g_value_set_boolean (value, self->fit);
        break;

      case PROP_HAS_IMAGE:
        g_value_set_boolean (value, self->probe.pixels != NULL);
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ridge_image_view_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  RidgeImageView *self = RIDGE_IMAGE_VIEW (object);

  switch (prop_id)
    {
      case PROP_OVERLAYS:
        ridge_image_view_set_overlays (self, g_value_get_flags (value));
        break;

      case PROP_ZOOM:
        ridge_image_view_set_zoom (self, g_value_get_double (value));
        break;

      case PROP_FIT:
        ridge_image_view_set_fit (self, g_value_get_boolean (value));
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ridge_image_view_class_init (RidgeImageViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ridge_image_view_dispose;
  object_class->get_property = ridge_image_view_get_property;
  object_class->set_property = ridge_image_view_set_property;

  widget_class->snapshot = ridge_image_view_snapshot;
  widget_class->measure = ridge_image_view_measure;
  widget_class->size_allocate = ridge_image_view_size_allocate;

  properties[PROP_OVERLAYS] =
    g_param_spec_flags ("overlays", NULL, NULL, RIDGE_TYPE_OVERLAYS,
                        RIDGE_OVERLAY_MINUTIAE,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL,
                         RIDGE_IMAGE_VIEW_MIN_ZOOM, RIDGE_IMAGE_VIEW_MAX_ZOOM, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FIT] =
    g_param_spec_boolean ("fit", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HAS_IMAGE] =
    g_param_spec_boolean ("has-image", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* the user zoomed, panned or went back to fit (not emitted by ridge_image_view_set_view) */
  signals[SIGNAL_VIEW_CHANGED] =
    g_signal_new ("view-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "image.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "image.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "image.zoom-fit", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "image.zoom-original", NULL, zoom_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, 0, "image.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, 0, "image.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, 0, "image.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK,
                                       "image.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK,
                                       "image.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, 0, "image.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, 0,
                                       "image.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK,
                                       "image.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, 0, "image.zoom-fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK,
                                       "image.zoom-fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, 0, "image.zoom-original", NULL);

  gtk_widget_class_set_css_name (widget_class, "ridge-image-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ridge_image_view_init (RidgeImageView *self)
{
  GtkGesture *drag;
  GtkEventController *scroll;
  GtkEventController *motion;

  self->zoom = 1.0;
  self->fit = TRUE;
  self->overlays = RIDGE_OVERLAY_MINUTIAE;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  drag = gtk_gesture_drag_new ();
  g_signal_connect_object (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (drag, "drag-update", G_CALLBACK (drag_update_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect_object (scroll, "scroll", G_CALLBACK (scroll_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);

  motion = gtk_event_controller_motion_new ();
  g_signal_connect_object (motion, "motion", G_CALLBACK (motion_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (motion, "leave", G_CALLBACK (leave_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _ ("Fingerprint image"),
                                  -1);
  update_accessible (self);
}

/* ---- public API ---------------------------------------------------------------------- */

GtkWidget *
ridge_image_view_new (void)
{
  return g_object_new (RIDGE_TYPE_IMAGE_VIEW, NULL);
}

static void
content_changed (RidgeImageView *self)
{
  int cw, ch;

  if (self->fit)
    apply_fit (self);
  else
    clamp_offset (self);
  update_accessible (self);
  /* a live stream replaces the image many times a second: relayout only on a new size */
  ridge_image_view_get_content_size (self, &cw, &ch);
  if (cw != self->measured_w || ch != self->measured_h)
    {
      self->measured_w = cw;
      self->measured_h = ch;
      gtk_widget_queue_resize (GTK_WIDGET (self));
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
ridge_image_view_set_image (RidgeImageView   *self,
                            const RidgeImage *image,
                            GError          **error)
{
  gboolean had_image;
  gboolean same_size;

  g_return_val_if_fail (RIDGE_IS_IMAGE_VIEW (self), FALSE);

  had_image = self->probe.pixels != NULL;
  if (image == NULL)
    {
      plate_clear (&self->probe);
      plate_clear (&self->gallery);
      ridge_image_view_clear_maps (self);
      g_clear_pointer (&self->pairs, g_free);
      self->n_pairs = 0;
    }
  else
    {
      same_size = had_image && self->probe.width == image->width
                  && self->probe.height == image->height;
      if (!check_image (image, error))
        return FALSE;
      plate_set (&self->probe, image, NULL);
      /* A new frame of another size invalidates the maps computed for the old one. */
      if (!same_size)
        ridge_image_view_clear_maps (self);
    }

  if (had_image != (self->probe.pixels != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_IMAGE]);
  content_changed (self);
  return TRUE;
}

gboolean
ridge_image_view_has_image (RidgeImageView *self)
{
  g_return_val_if_fail (RIDGE_IS_IMAGE_VIEW (self), FALSE);
  return self->probe.pixels != NULL;
}

void
ridge_image_view_set_minutiae (RidgeImageView     *self,
                               const RidgeMinutia *minutiae,
                               guint               n_minutiae)
{
  g_return_if_fail (RIDGE_IS_IMAGE_VIEW (self));

  plate_set_minutiae (&self->probe, minutiae, n_minutiae);
  /* pairs index into the minutiae: they no longer apply */
  g_clear_pointer (&self->pairs, g_free);
  self->n_pairs = 0;
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
ridge_image_view_get_n_minutiae (RidgeImageView *self)
{
  g_return_val_if_fail (RIDGE_IS_IMAGE_VIEW (self), 0);
  return self->probe.n_minutiae;
}

gboolean
ridge_image_view_set_map (RidgeImageView *self,
                          const RidgeMap *map,
                          GError        **error)
{
  MapCopy *m;
  gsize cells;
  gboolean per_pixel;
  gboolean wants_float;

  g_return_val_if_fail (RIDGE_IS_IMAGE_VIEW (self), FALSE);
  g_return_val_if_fail (map != NULL, FALSE);

  if ((guint)map->kind >= RIDGE_N_MAPS || map->data == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _ ("The map is empty or of an unknown kind."));
      return FALSE;
    }
  if (self->probe.pixels == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _ ("A map needs an image to be drawn on."));
      return FALSE;
    }
  per_pixel = map->kind == RIDGE_MAP_ENHANCED || map->kind == RIDGE_MAP_BINARY
              || map->kind == RIDGE_MAP_SKELETON;
  wants_float = map->kind == RIDGE_MAP_ORIENTATION || map->kind == RIDGE_MAP_RELIABILITY
                || map->kind == RIDGE_MAP_FREQUENCY;
  if (map->block_size < 1 || map->width < 1 || map->height < 1
      || (per_pixel && (map->block_size != 1 || map->width != self->probe.width
                        || map->height != self->probe.height))
      || abs (map->width * map->block_size - self->probe.width) >= map->block_size
      || abs (map->height * map->block_size - self->probe.height) >= map->block_size
      || (!map->is_float) == wants_float)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("A map of %d × %d cells of %d pixels does not fit a %d × %d image."),
                   map->width, map->height, map->block_size, self->probe.width,
                   self->probe.height);
      return FALSE;
    }

  m = &self->maps[map->kind];
  map_clear (m);
  cells = (gsize)map->width * map->height;
  m->width = map->width;
  m->height = map->height;
  m->block_size = map->block_size;
  m->is_float = map->is_float != 0;
  m->data = g_memdup2 (map->data, cells * (m->is_float ? sizeof (float) : 1));
  if (!m->is_float)
    m->surface = render_map_surface (map->kind, m);
  m->set = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

gboolean
ridge_image_view_has_map (RidgeImageView *self,
                          RidgeMapKind    kind)
{
  g_return_val_if_fail (RIDGE_IS_IMAGE_VIEW (self), FALSE);
  g_return_val_if_fail ((guint)kind < RIDGE_N_MAPS, FALSE);
  return self->maps[kind].set;
}

void
ridge_image_view_clear_maps (RidgeImageView *self)
{
  g_return_if_fail (RIDGE_IS_IMAGE_VIEW (self));
  for (guint i = 0; i < RIDGE_N_MAPS; i++)
    map_clear (&self->maps[i]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
ridge_image_view_set_gallery (RidgeImageView     *self,
                              const RidgeImage   *image,
                              const RidgeMinutia *minutiae,
                              guint               n_minutiae,
                              GError            **error)
{
  g_return_val_if_fail (RIDGE_IS_IMAGE_VIEW (self), FALSE);

  g_clear_pointer (&self->pairs, g_free);
  self->n_pairs = 0;
  if (image == NULL)
    plate_clear (&self->gallery);
  else if (!plate_set (&self->gallery, image, error))
    return FALSE;
  else
    plate_set_minutiae (&self->gallery, minutiae, n_minutiae);
  content_changed (self);
  return TRUE;
}

void
ridge_image_view_set_pairs (RidgeImageView         *self,
                            const RidgeMinutiaPair *pairs,
                            guint                   n_pairs)
{
  guint n = 0;

  g_return_if_fail (RIDGE_IS_IMAGE_VIEW (self));

  g_clear_pointer (&self->pairs, g_free);
  self->n_pairs = 0;
  if (pairs != NULL && n_pairs > 0)
    {
      self->pairs = g_new (RidgeMinutiaPair, MIN (n_pairs, RIDGE_MAX_MINUTIAE));
      /* keep only pairs that point at minutiae we actually have */
      for (guint i = 0; i < n_pairs && n < RIDGE_MAX_MINUTIAE; i++)
        if (pairs[i].probe < self->probe.n_minutiae
            && pairs[i].gallery < self->gallery.n_minutiae)
          self->pairs[n++] = pairs[i];
      self->n_pairs = n;
    }
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
ridge_image_view_get_n_pairs (RidgeImageView *self)
{
  g_return_val_if_fail (RIDGE_IS_IMAGE_VIEW (self), 0);
  return self->n_pairs;
}

RidgeOverlays
ridge_image_view_get_overlays (RidgeImageView *self)
{
  g_return_val_if_fail (RIDGE_IS_IMAGE_VIEW (self), 0);
  return self->overlays;
}

void
ridge_image_view_set_overlays (RidgeImageView *self,
                               RidgeOverlays   overlays)
{
  g_return_if_fail (RIDGE_IS_IMAGE_VIEW (self));

  if (self->overlays == overlays)
    return;
  self->overlays = overlays;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OVERLAYS]);
}

void
ridge_image_view_set_overlay (RidgeImageView *self,
                              RidgeOverlays   overlay,
                              gboolean        enabled)
{
  g_return_if_fail (RIDGE_IS_IMAGE_VIEW (self));
  ridge_image_view_set_overlays (self, enabled ? (self->overlays | overlay)
                                               : (self->overlays & ~overlay));
}

double
ridge_image_view_get_zoom (RidgeImageView *self)
{
  g_return_val_if_fail (RIDGE_IS_IMAGE_VIEW (self), 1.0);
  return self->zoom;
}

void
ridge_image_view_set_zoom (RidgeImageView *self,
                           double          zoom)
{
  g_return_if_fail (RIDGE_IS_IMAGE_VIEW (self));
  ridge_image_view_zoom_at (self, zoom / self->zoom,
                            gtk_widget_get_width (GTK_WIDGET (self)) / 2.0,
                            gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
}

void
ridge_image_view_zoom_at (RidgeImageView *self,
                          double          factor,
                          double          x,
                          double          y)
{
  double ix, iy, zoom;

  g_return_if_fail (RIDGE_IS_IMAGE_VIEW (self));
  g_return_if_fail (factor > 0 && isfinite (factor));

  zoom = CLAMP (self->zoom * factor, RIDGE_IMAGE_VIEW_MIN_ZOOM, RIDGE_IMAGE_VIEW_MAX_ZOOM);
  set_fit_internal (self, FALSE);
  if (zoom == self->zoom)
    return;
  ridge_image_view_widget_to_image (self, x, y, &ix, &iy);
  self->zoom = zoom;
  self->offset_x = x - ix * zoom;
  self->offset_y = y - iy * zoom;
  clamp_offset (self);
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
  emit_view_changed (self);
}

gboolean
ridge_image_view_get_fit (RidgeImageView *self)
{
  g_return_val_if_fail (RIDGE_IS_IMAGE_VIEW (self), FALSE);
  return self->fit;
}

void
ridge_image_view_set_fit (RidgeImageView *self,
                          gboolean        fit)
{
  double old_zoom;

  g_return_if_fail (RIDGE_IS_IMAGE_VIEW (self));

  fit = !!fit;
  set_fit_internal (self, fit);
  if (!fit)
    return;
  old_zoom = self->zoom;
  apply_fit (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (old_zoom != self->zoom)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
  emit_view_changed (self);
}

void
ridge_image_view_pan (RidgeImageView *self,
                      double          dx,
                      double          dy)
{
  g_return_if_fail (RIDGE_IS_IMAGE_VIEW (self));

  if (dx == 0 && dy == 0)
    return;
  set_fit_internal (self, FALSE);
  self->offset_x += dx;
  self->offset_y += dy;
  clamp_offset (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  emit_view_changed (self);
}

void
ridge_image_view_get_offset (RidgeImageView *self,
                             double         *x,
                             double         *y)
{
  g_return_if_fail (RIDGE_IS_IMAGE_VIEW (self));
  if (x)
    *x = self->offset_x;
  if (y)
    *y = self->offset_y;
}

void
ridge_image_view_set_minutia_marks (RidgeImageView *self,
                                    const guint8   *marks,
                                    guint           n_marks)
{
  g_return_if_fail (RIDGE_IS_IMAGE_VIEW (self));

  g_clear_pointer (&self->probe.marks, g_free);
  /* marks belong to these minutiae, one each; anything else is ignored */
  if (marks != NULL && n_marks > 0 && n_marks == self->probe.n_minutiae)
    self->probe.marks = g_memdup2 (marks, n_marks);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ridge_image_view_set_view (RidgeImageView *self,
                           gboolean        fit,
                           double          zoom,
                           double          offset_x,
                           double          offset_y)
{
  g_return_if_fail (RIDGE_IS_IMAGE_VIEW (self));
  g_return_if_fail (isfinite (zoom) && isfinite (offset_x) && isfinite (offset_y));

  self->in_set_view = TRUE;
  if (fit)
    ridge_image_view_set_fit (self, TRUE);
  else
    {
      double old_zoom = self->zoom;

      set_fit_internal (self, FALSE);
      self->zoom = CLAMP (zoom, RIDGE_IMAGE_VIEW_MIN_ZOOM, RIDGE_IMAGE_VIEW_MAX_ZOOM);
      self->offset_x = offset_x;
      self->offset_y = offset_y;
      clamp_offset (self);
      update_accessible (self);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      if (old_zoom != self->zoom)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
    }
  self->in_set_view = FALSE;
}
