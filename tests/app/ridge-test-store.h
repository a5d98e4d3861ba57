/* ridge-test-store.h — puts synthetic enrollment records into a terminal's store (tests)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two helpers in two files because the engine's and the wire codec's headers cannot meet
 * in one translation unit (both name their minutia types RIDGE_MINUTIA_*).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A native enrollment template built from the synthetic fixture minutiae (engine). */
GBytes  *ridge_test_enroll_blob (guint seed);
/* Connects to address and stores one record per (user, finger) pair; TRUE on success. */
gboolean ridge_test_store_put (const char  *address,
                               const char **users,
                               const guint *fingers,
                               guint        n,
                               GError     **error);

G_END_DECLS
