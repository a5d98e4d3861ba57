/* ridge-image-io.h — load and save 8-bit grey images (PGM, PNG)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Largest width or height accepted when loading or saving. */
#define RIDGE_IMAGE_MAX_DIM       2048u
/* Largest file read (a P2 PGM of 2048×2048 with long numbers fits). */
#define RIDGE_IMAGE_MAX_FILE_SIZE (64u * 1024u * 1024u)

#define RIDGE_IMAGE_ERROR (ridge_image_error_quark ())

typedef enum {
  RIDGE_IMAGE_ERROR_UNKNOWN_FORMAT, /* neither PGM nor PNG */
  RIDGE_IMAGE_ERROR_CORRUPT,        /* malformed or truncated data */
  RIDGE_IMAGE_ERROR_TOO_LARGE,      /* above RIDGE_IMAGE_MAX_DIM or the file size limit */
  RIDGE_IMAGE_ERROR_UNSUPPORTED,    /* e.g. a 16-bit PGM */
  RIDGE_IMAGE_ERROR_INVALID,        /* bad arguments for saving */
} RidgeImageError;

typedef enum {
  RIDGE_IMAGE_FORMAT_AUTO, /* from the file name's extension (.png, else PGM) */
  RIDGE_IMAGE_FORMAT_PGM,  /* binary P5, maxval 255 */
  RIDGE_IMAGE_FORMAT_PNG,  /* 8-bit greyscale */
} RidgeImageFormat;

GQuark           ridge_image_error_quark (void);

/* Decodes PGM (P5 or P2, maxval ≤ 255) or PNG (any colour type, converted to 8-bit grey)
 * from memory. Returns width × height bytes, row-major. */
GBytes          *ridge_image_load_from_data (const guint8 *data,
                                             gsize         len,
                                             guint        *width,
                                             guint        *height,
                                             GError      **error);
GBytes          *ridge_image_load (const char *path,
                                   guint      *width,
                                   guint      *height,
                                   GError    **error);

RidgeImageFormat ridge_image_format_for_path (const char *path);

/* Encodes width × height grey pixels; returns the file contents. */
GBytes          *ridge_image_save_to_bytes (const guint8    *pixels,
                                            guint            width,
                                            guint            height,
                                            RidgeImageFormat format,
                                            GError         **error);
/* Writes atomically; the file is created 0600 (fingerprint images are biometric data). */
gboolean         ridge_image_save (const char      *path,
                                   const guint8    *pixels,
                                   guint            width,
                                   guint            height,
                                   RidgeImageFormat format,
                                   GError         **error);

G_END_DECLS
