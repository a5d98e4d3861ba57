/* ridge-store-private.h — helpers shared by ridge-store*.c and ridge-bundle.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "ridge-store.h"

G_BEGIN_DECLS

gint64        ridge_store_now_ms (void);
sqlite3      *ridge_store_get_db (RidgeStore *self);
sqlite3_stmt *ridge_store_prepare (RidgeStore *self,
                                   const char *sql,
                                   GError    **error);
gboolean      ridge_store_exec (RidgeStore *self,
                                const char *sql,
                                GError    **error);
gboolean      ridge_store_step_done (RidgeStore   *self,
                                     sqlite3_stmt *stmt,
                                     GError      **error);
void          ridge_store_set_sqlite_error (RidgeStore *self,
                                            GError    **error,
                                            int         rc,
                                            const char *what);
/* Strict checks of template bytes (never logs them). */
gboolean      ridge_store_validate_iso (GBytes  *iso,
                                        GError **error);
gboolean      ridge_store_validate_native (GBytes  *native,
                                           GError **error);

G_END_DECLS
