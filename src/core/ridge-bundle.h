/* ridge-bundle.h — file export/import of enrollments for air-gapped sites
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A bundle is a directory (mode 0700) of finger minutiae records, one `.fmr` file per
 * template (ISO/IEC 19794-2:2005 or ANSI INCITS 378-2004), and `manifest.json` naming each
 * file with its user, finger, quality, sample count, times and SHA-256 (docs/store.md).
 * Every file is created 0600; the manifest is written last, so a bundle without one is
 * incomplete. Import checks every file strictly (name, size, hash, record, finger) and
 * imports the good ones; each bad file is reported with a sentence. Template bytes are
 * never logged.
 */
#pragma once

#include "ridge-store.h"

G_BEGIN_DECLS

typedef enum {
  RIDGE_BUNDLE_FORMAT_ISO,   /* ISO/IEC 19794-2:2005 */
  RIDGE_BUNDLE_FORMAT_ANSI,  /* ANSI INCITS 378-2004 */
} RidgeBundleFormat;

#define RIDGE_BUNDLE_MANIFEST       "manifest.json"
#define RIDGE_BUNDLE_VERSION        1
/* Limits applied to an imported bundle. */
#define RIDGE_BUNDLE_MAX_MANIFEST   (16 * 1024 * 1024)
#define RIDGE_BUNDLE_MAX_ENTRIES    100000

/* Exports the templates (n_ids 0: all) into dir, which must not exist or be empty.
 * *n_written (may be NULL) counts the files written. */
gboolean ridge_bundle_export (RidgeStore       *store,
                              const gint64     *template_ids,
                              guint             n_ids,
                              const char       *dir,
                              RidgeBundleFormat format,
                              guint            *n_written,
                              GError          **error);

/* Imports a bundle. Returns FALSE only when the bundle as a whole is unusable (no or a bad
 * manifest, a store that cannot be written); bad files are skipped and listed in
 * *problems (may be NULL; a GPtrArray of "FILE: sentence" strings, empty when all went
 * in). Each template replaces the user's finger in the store (new version). */
gboolean ridge_bundle_import (RidgeStore *store,
                              const char *dir,
                              const char *operator_name,
                              guint      *n_imported,
                              GPtrArray **problems,
                              GError    **error);

/* One template as one .fmr file (0600; replaced atomically if it exists). */
gboolean ridge_bundle_export_fmr (RidgeStore       *store,
                                  gint64            template_id,
                                  const char       *path,
                                  RidgeBundleFormat format,
                                  GError          **error);

/* One .fmr file (ISO or ANSI, told apart by its header) into the store for a user.
 * finger -1: the finger position of the record's first view. Returns the template id. */
gint64   ridge_bundle_import_fmr (RidgeStore *store,
                                  const char *path,
                                  const char *user_external_id,
                                  const char *display_name,
                                  int         finger,
                                  const char *operator_name,
                                  GError    **error);

G_END_DECLS
