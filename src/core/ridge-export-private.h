/* ridge-export-private.h — shared by the export client's files (not installed)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ridge-export.h"

G_BEGIN_DECLS

/* A RIDGE_EXPORT_ERROR: the code's sentence, then the detail when format gives one. */
void             ridge_export_set_error (GError             **error,
                                         RidgeExportErrorCode code,
                                         const char          *format,
                                         ...) G_GNUC_PRINTF (3, 4);

/* The PEM certificate a profile pins (INVALID_PROFILE when unreadable). */
GTlsCertificate *ridge_export_load_pin (const char *path,
                                        GError    **error);

G_END_DECLS
