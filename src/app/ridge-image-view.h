/* ridge-image-view.h — a fingerprint image with zoom, pan and feature overlays
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shows an 8-bit grey RidgeImage (nearest-neighbour when magnified) and draws, in the
 * same snapshot, the overlays a technician toggles: minutiae, orientation field, quality
 * map, foreground mask, binarized image, skeleton, and — with a gallery image set — the
 * mated-minutiae lines of a probe/gallery pair. The view copies the plain structs from
 * ridge-engine.h it is given; it never runs the engine.
 */
#pragma once

#include <gtk/gtk.h>

#include "ridge-engine.h"

G_BEGIN_DECLS

typedef enum {
  RIDGE_OVERLAY_NONE        = 0,
  RIDGE_OVERLAY_MINUTIAE    = 1 << 0,
  RIDGE_OVERLAY_ORIENTATION = 1 << 1,
  RIDGE_OVERLAY_QUALITY     = 1 << 2,
  RIDGE_OVERLAY_FOREGROUND  = 1 << 3,
  RIDGE_OVERLAY_BINARY      = 1 << 4,
  RIDGE_OVERLAY_SKELETON    = 1 << 5,
  RIDGE_OVERLAY_PAIRS       = 1 << 6,
} RidgeOverlays;

#define RIDGE_TYPE_OVERLAYS (ridge_overlays_get_type ())
GType ridge_overlays_get_type (void);

#define RIDGE_IMAGE_VIEW_MIN_ZOOM 0.05
#define RIDGE_IMAGE_VIEW_MAX_ZOOM 32.0
/* Gap between probe and gallery in a pair view, in image pixels. */
#define RIDGE_IMAGE_VIEW_PAIR_GAP 16

#define RIDGE_TYPE_IMAGE_VIEW (ridge_image_view_get_type ())
G_DECLARE_FINAL_TYPE (RidgeImageView, ridge_image_view, RIDGE, IMAGE_VIEW, GtkWidget)

GtkWidget     *ridge_image_view_new (void);

/* Copies the pixels; NULL clears the view (and its minutiae, maps and gallery). */
gboolean       ridge_image_view_set_image (RidgeImageView   *self,
                                           const RidgeImage *image,
                                           GError          **error);
gboolean       ridge_image_view_has_image (RidgeImageView *self);
void           ridge_image_view_set_minutiae (RidgeImageView     *self,
                                              const RidgeMinutia *minutiae,
                                              guint               n_minutiae);
guint          ridge_image_view_get_n_minutiae (RidgeImageView *self);
/* Copies one intermediate map. Fails when it does not fit the current image. */
gboolean       ridge_image_view_set_map (RidgeImageView *self,
                                         const RidgeMap *map,
                                         GError        **error);
gboolean       ridge_image_view_has_map (RidgeImageView *self,
                                         RidgeMapKind    kind);
void           ridge_image_view_clear_maps (RidgeImageView *self);

/* Pair view: a gallery image (drawn right of the probe) and mated minutiae pairs. */
gboolean       ridge_image_view_set_gallery (RidgeImageView     *self,
                                             const RidgeImage   *image,
                                             const RidgeMinutia *minutiae,
                                             guint               n_minutiae,
                                             GError            **error);
void           ridge_image_view_set_pairs (RidgeImageView         *self,
                                           const RidgeMinutiaPair *pairs,
                                           guint                   n_pairs);
guint          ridge_image_view_get_n_pairs (RidgeImageView *self);

/* Colours the (probe) minutiae by agreement instead of quality, one RidgeMinutiaMark per
 * minutia as last set with ridge_image_view_set_minutiae (other lengths are ignored);
 * NULL goes back to quality colours. Setting new minutiae clears the marks. */
typedef enum {
  RIDGE_MINUTIA_MARK_NONE      = 0,
  RIDGE_MINUTIA_MARK_MATCHED   = 1,        /* green */
  RIDGE_MINUTIA_MARK_UNMATCHED = 2,        /* magenta */
  RIDGE_MINUTIA_MARK_POSITION_ONLY = 0x10, /* or'ed in: no direction tick (angle unknown) */
} RidgeMinutiaMark;

void           ridge_image_view_set_minutia_marks (RidgeImageView *self,
                                                   const guint8   *marks,
                                                   guint           n_marks);

/* Applies another view's zoom and offset (or fit) without emitting ::view-changed: two
 * views kept in step connect ::view-changed of each to set_view of the other. */
void           ridge_image_view_set_view (RidgeImageView *self,
                                          gboolean        fit,
                                          double          zoom,
                                          double          offset_x,
                                          double          offset_y);

RidgeOverlays  ridge_image_view_get_overlays (RidgeImageView *self);
void           ridge_image_view_set_overlays (RidgeImageView *self,
                                              RidgeOverlays   overlays);
void           ridge_image_view_set_overlay (RidgeImageView *self,
                                             RidgeOverlays   overlay,
                                             gboolean        enabled);

double         ridge_image_view_get_zoom (RidgeImageView *self);
void           ridge_image_view_set_zoom (RidgeImageView *self,
                                          double          zoom);
/* Multiplies the zoom by factor, keeping the image point under (x, y) in place. */
void           ridge_image_view_zoom_at (RidgeImageView *self,
                                         double          factor,
                                         double          x,
                                         double          y);
gboolean       ridge_image_view_get_fit (RidgeImageView *self);
void           ridge_image_view_set_fit (RidgeImageView *self,
                                         gboolean        fit);
void           ridge_image_view_pan (RidgeImageView *self,
                                     double          dx,
                                     double          dy);
void           ridge_image_view_get_offset (RidgeImageView *self,
                                            double         *x,
                                            double         *y);
/* Content (probe, gap, gallery) size in image pixels. */
void           ridge_image_view_get_content_size (RidgeImageView *self,
                                                  int            *width,
                                                  int            *height);
void           ridge_image_view_widget_to_image (RidgeImageView *self,
                                                 double          wx,
                                                 double          wy,
                                                 double         *ix,
                                                 double         *iy);
void           ridge_image_view_image_to_widget (RidgeImageView *self,
                                                 double          ix,
                                                 double          iy,
                                                 double         *wx,
                                                 double         *wy);

G_END_DECLS
