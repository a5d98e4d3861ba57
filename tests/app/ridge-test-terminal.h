/* ridge-test-terminal.h — real ridge-terminal processes for the app tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ridge-window.h"

/* the shared fixture, by its path (this header has the same name) */
#include "../common/ridge-test-terminal.h"

G_BEGIN_DECLS

/* Starts $RIDGE_TERMINAL on 127.0.0.1, a free port, synthetic sensor without the automatic
 * finger, its own state folder; extra: more options (NULL-terminated, may be NULL).
 * ridge_test_terminal_get_address() gives its "127.0.0.1:PORT". */
RidgeTestTerminal *ridge_test_terminal_start (const char * const *extra);
/* Kills the process and removes its state folder. */
void               ridge_test_terminal_stop (RidgeTestTerminal *t);

/* Spins the main loop until cond (data) or timeout_ms; FALSE on timeout. */
gboolean           ridge_test_wait_until (gboolean (*cond)(gpointer),
                                          gpointer   data,
                                          guint      timeout_ms);

/* The sidebar item of address (asserts it is there). */
RidgeTerminalItem *ridge_test_find_item (RidgeWindow *window,
                                         const char  *address);
/* For ridge_test_wait_until: the item (data) is connected and ready. */
gboolean           ridge_test_item_ready (gpointer data);

G_END_DECLS
