/* ridge-fprint.h — local USB fingerprint readers through libfprint
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * RidgeReaderManager lists the readers libfprint knows (and follows hot-plug);
 * each one is a RidgeReader with an async API (one operation at a time, like libfprint):
 * open/close, capture (image sensors), enroll, verify, identify, and list/delete for
 * readers that keep prints on the chip. Every error that reaches the caller carries a
 * sentence a person understands as its message; the domain and code stay libfprint's
 * (FP_DEVICE_ERROR / FP_DEVICE_RETRY) or RIDGE_FPRINT_ERROR.
 */
#pragma once

#include <gio/gio.h>
#include <fprint.h>

#include "ridge-engine.h"

G_BEGIN_DECLS

#define RIDGE_FPRINT_ERROR (ridge_fprint_error_quark ())

typedef enum {
  RIDGE_FPRINT_ERROR_FAILED        = 0,
  RIDGE_FPRINT_ERROR_BUSY          = 1,  /* another operation is running on this reader */
  RIDGE_FPRINT_ERROR_NOT_SUPPORTED = 2,  /* the reader cannot do this (e.g. no images) */
  RIDGE_FPRINT_ERROR_BAD_IMAGE     = 3,  /* libfprint gave an image Ridge cannot use */
  RIDGE_FPRINT_ERROR_FORMAT        = 4,  /* a print file or print data is malformed */
  RIDGE_FPRINT_ERROR_REMOVED       = 5,  /* the reader was unplugged */
} RidgeFprintError;

GQuark ridge_fprint_error_quark (void);

/* The sentence for any error libfprint or this module reports. Never NULL. */
const char *ridge_fprint_error_sentence (const GError *error);

typedef enum {
  RIDGE_READER_FEATURE_CAPTURE       = 1 << 0,  /* gives images (image sensor) */
  RIDGE_READER_FEATURE_MATCH_ON_CHIP = 1 << 1,  /* matches without giving images */
  RIDGE_READER_FEATURE_STORAGE       = 1 << 2,  /* keeps prints on the device */
  RIDGE_READER_FEATURE_IDENTIFY      = 1 << 3,
  RIDGE_READER_FEATURE_VERIFY        = 1 << 4,
  RIDGE_READER_FEATURE_LIST          = 1 << 5,
  RIDGE_READER_FEATURE_DELETE        = 1 << 6,
} RidgeReaderFeatures;

typedef enum {
  RIDGE_READER_STATE_CLOSED = 0,
  RIDGE_READER_STATE_OPENING,
  RIDGE_READER_STATE_IDLE,      /* open, nothing running */
  RIDGE_READER_STATE_BUSY,      /* an operation is running */
  RIDGE_READER_STATE_CLOSING,
  RIDGE_READER_STATE_REMOVED,   /* unplugged: every call fails */
} RidgeReaderState;

/* One captured image: 8-bit grey pixels, row-major, stride = width. */
typedef struct {
  RidgeImage image;             /* owns its pixels; dpi = 500 when libfprint gives none */
  double     ppmm;              /* what libfprint said (0 when unknown) */
} RidgeReaderCapture;

void ridge_reader_capture_free (RidgeReaderCapture *capture);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RidgeReaderCapture, ridge_reader_capture_free)

#define RIDGE_TYPE_READER (ridge_reader_get_type ())
G_DECLARE_FINAL_TYPE (RidgeReader, ridge_reader, RIDGE, READER, GObject)

#define RIDGE_TYPE_READER_MANAGER (ridge_reader_manager_get_type ())
G_DECLARE_FINAL_TYPE (RidgeReaderManager, ridge_reader_manager, RIDGE, READER_MANAGER, GObject)

/* ---- Manager -------------------------------------------------------------------------- */

/* Enumerates at once; signals "reader-added" (RidgeReader*) and "reader-removed". */
RidgeReaderManager *ridge_reader_manager_new (void);
/* A GListModel of RidgeReader, in the order libfprint found them. */
GListModel         *ridge_reader_manager_get_readers (RidgeReaderManager *self);
guint               ridge_reader_manager_get_n_readers (RidgeReaderManager *self);
/* Transfer none; NULL if not there. */
RidgeReader        *ridge_reader_manager_find (RidgeReaderManager *self,
                                               const char         *device_id);

/* ---- Reader --------------------------------------------------------------------------- */

FpDevice           *ridge_reader_get_device (RidgeReader *self);
const char         *ridge_reader_get_name (RidgeReader *self);
const char         *ridge_reader_get_driver (RidgeReader *self);
const char         *ridge_reader_get_device_id (RidgeReader *self);
RidgeReaderFeatures ridge_reader_get_features (RidgeReader *self);
/* "swipe" or "press" */
const char         *ridge_reader_get_scan_type (RidgeReader *self);
int                 ridge_reader_get_enroll_stages (RidgeReader *self);
RidgeReaderState    ridge_reader_get_state (RidgeReader *self);

void     ridge_reader_open_async (RidgeReader        *self,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data);
gboolean ridge_reader_open_finish (RidgeReader  *self,
                                   GAsyncResult *result,
                                   GError      **error);
void     ridge_reader_close_async (RidgeReader        *self,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data);
gboolean ridge_reader_close_finish (RidgeReader  *self,
                                    GAsyncResult *result,
                                    GError      **error);

/* Waits for a finger and returns its image (image sensors only). */
void                ridge_reader_capture_async (RidgeReader        *self,
                                                GCancellable       *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer            user_data);
RidgeReaderCapture *ridge_reader_capture_finish (RidgeReader  *self,
                                                 GAsyncResult *result,
                                                 GError      **error);

/* Enrolls one finger; "enroll-progress" (int stage, int n_stages, const char *retry or
 * NULL) is emitted after each scan. username may be NULL. */
void     ridge_reader_enroll_async (RidgeReader        *self,
                                    FpFinger            finger,
                                    const char         *username,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data);
FpPrint *ridge_reader_enroll_finish (RidgeReader  *self,
                                     GAsyncResult *result,
                                     GError      **error);

/* Scan retries during verify/identify are reported by "retry" (const char *sentence). */
void     ridge_reader_verify_async (RidgeReader        *self,
                                    FpPrint            *print,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data);
/* Returns FALSE on error; *match says whether the finger matched. */
gboolean ridge_reader_verify_finish (RidgeReader  *self,
                                     GAsyncResult *result,
                                     gboolean     *match,
                                     GError      **error);

/* prints: FpPrint*. */
void     ridge_reader_identify_async (RidgeReader        *self,
                                      GPtrArray          *prints,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
/* Returns FALSE on error; *match (transfer full) is the matching print or NULL. */
gboolean ridge_reader_identify_finish (RidgeReader  *self,
                                       GAsyncResult *result,
                                       FpPrint     **match,
                                       GError      **error);

void       ridge_reader_list_prints_async (RidgeReader        *self,
                                           GCancellable       *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer            user_data);
/* Array of FpPrint*, transfer full. */
GPtrArray *ridge_reader_list_prints_finish (RidgeReader  *self,
                                            GAsyncResult *result,
                                            GError      **error);
void       ridge_reader_delete_print_async (RidgeReader        *self,
                                            FpPrint            *print,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
gboolean   ridge_reader_delete_print_finish (RidgeReader  *self,
                                             GAsyncResult *result,
                                             GError      **error);

/* ---- Prints kept by Ridge ------------------------------------------------------------ */

/* A short stable name for a print: the first 12 hex digits of the SHA-256 of its
 * serialization (the same print always gets the same id, on the chip or in a file). */
char      *ridge_fprint_print_id (FpPrint *print,
                                  GError **error);

/* TRUE when the reader keeps its prints itself (storage with listing): then enrolled prints
 * live on the chip; otherwise Ridge keeps them in the reader's local folder. */
gboolean   ridge_reader_keeps_prints (RidgeReader *self);

/* The local folder of a reader's prints: $RIDGE_PRINTS_DIR, else
 * $XDG_DATA_HOME/ridge/prints, then DRIVER/DEVICE-ID (unsafe characters as '_'). */
char      *ridge_reader_dup_local_dir (RidgeReader *self);
/* Writes the print as ID.fp3 (mode 0600, folders 0700); ID from ridge_fprint_print_id(). */
gboolean   ridge_reader_store_local_print (RidgeReader *self,
                                           FpPrint     *print,
                                           GError     **error);
/* The prints of the local folder, oldest enrollment first; a damaged file is skipped with
 * a warning, a missing folder is an empty list. Array of FpPrint*, transfer full. */
GPtrArray *ridge_reader_load_local_prints (RidgeReader *self,
                                           GError     **error);
/* The same, read on a worker thread (the files are not read on the caller's thread);
 * finish gives the array (transfer full), or NULL with G_IO_ERROR_CANCELLED when cancelled. */
void       ridge_reader_load_local_prints_async (RidgeReader        *self,
                                                 GCancellable       *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer            user_data);
GPtrArray *ridge_reader_load_local_prints_finish (RidgeReader  *self,
                                                  GAsyncResult *result,
                                                  GError      **error);
/* Readers that keep prints may list them without user or finger (libfprint's virtual reader
 * does): Ridge keeps a local copy of each print it enrolls on a chip too, and this replaces
 * every listed print that has a local copy (fp_print_equal) by that copy, in place. */
void       ridge_reader_adopt_local_prints (RidgeReader *self,
                                            GPtrArray   *prints);
/* The same with the local copies already read (ridge_reader_load_local_prints_async). */
void       ridge_fprint_adopt_local_copies (GPtrArray *prints,
                                            GPtrArray *local);
/* Deletes ID.fp3; G_IO_ERROR_NOT_FOUND when there is no such print. */
gboolean   ridge_reader_delete_local_print (RidgeReader *self,
                                            const char  *id,
                                            GError     **error);

/* ---- Prints: files and conversion ---------------------------------------------------- */

#define RIDGE_FPRINT_MAX_FILE_BYTES (4 * 1024 * 1024)

/* Writes fp_print_serialize() output to path, mode 0600, atomically. */
gboolean ridge_fprint_print_save (FpPrint    *print,
                                  const char *path,
                                  GError    **error);
/* Reads a print written by ridge_fprint_print_save() (or any libfprint print file). */
FpPrint *ridge_fprint_print_load (const char *path,
                                  GError    **error);

/* Converts the NBIS tables of an image-sensor print (one per enroll stage) to Ridge
 * templates. libfprint keeps x, y (origin bottom-left) and θ (NIST degrees) only, so the
 * caller gives the image size the print was made from (height unflips y). Minutiae get
 * type RIDGE_MINUTIA_OTHER and quality 0 (libfprint does not keep them). Returns the
 * number of templates written to out (at most cap), or -1 with error set. */
int ridge_fprint_print_to_templates (FpPrint       *print,
                                     int            width,
                                     int            height,
                                     int            dpi,
                                     RidgeTemplate *out,
                                     int            cap,
                                     GError       **error);

G_END_DECLS
