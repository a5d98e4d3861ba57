/* ridge-test-terminal.h — a real ridge-terminal process for the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One temporary folder DIR per terminal, with DIR/state (0700) for --state-dir and
 * DIR/control.sock for --control. Every start runs
 *   EXE --listen=127.0.0.1 --port=P --state-dir=DIR/state --discovery-port=0
 *       [--control=DIR/control.sock] ARGS…
 * where P is 0 on the first start and the same port on a restart, and reads the
 * "ridge-terminal: listening on 127.0.0.1:PORT" line. A later option in ARGS wins over the
 * fixture's (ridge-terminal's options keep the last value). The terminal gets a signal
 * (SIGKILL unless set) when the test process dies, so an aborted test leaves nothing behind.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  RIDGE_TEST_TERMINAL_DEFAULT = 0,
  RIDGE_TEST_TERMINAL_CONTROL = 1 << 0, /* --control=DIR/control.sock */
} RidgeTestTerminalFlags;

typedef struct _RidgeTestTerminal RidgeTestTerminal;

/* The folder /tmp/PREFIX-XXXXXX with its state folder; nothing runs yet. exe: the
 * ridge-terminal executable (asserted non-NULL). */
RidgeTestTerminal *ridge_test_terminal_new (const char            *exe,
                                            const char            *prefix,
                                            RidgeTestTerminalFlags flags);
/* Sets (value non-NULL) or unsets (value NULL) a variable in the terminal's environment
 * for the next starts. */
void               ridge_test_terminal_setenv (RidgeTestTerminal *t,
                                               const char        *name,
                                               const char        *value);
/* The signal the terminal gets when the test process dies (SIGKILL by default). */
void               ridge_test_terminal_set_death_signal (RidgeTestTerminal *t,
                                                         int                signum);

/* Starts the terminal with ARGS (NULL-terminated, may be NULL) after the fixture's options,
 * on the port of the previous start if there was one; asserts that it listens. */
void               ridge_test_terminal_spawn (RidgeTestTerminal *t,
                                              const char *const *args);
/* The same, but a terminal that exits without listening is no failure: returns FALSE and
 * leaves no process (for optional sensors). */
gboolean           ridge_test_terminal_try_spawn (RidgeTestTerminal *t,
                                                  const char *const *args);
/* SIGKILL and wait; nothing when it does not run. */
void               ridge_test_terminal_kill (RidgeTestTerminal *t);
/* SIGTERM and wait; asserts a clean exit with status 0. Nothing when it does not run. */
void               ridge_test_terminal_terminate (RidgeTestTerminal *t);
/* Kills the terminal if it runs, removes the folder, frees t. NULL is ignored. */
void               ridge_test_terminal_free (RidgeTestTerminal *t);

/* Sends one line to the control socket (needs RIDGE_TEST_TERMINAL_CONTROL) and returns
 * the answer line. */
char              *ridge_test_terminal_control (RidgeTestTerminal *t,
                                                const char        *command);
/* The same, asserting that the answer starts with "ok". */
void               ridge_test_terminal_control_ok (RidgeTestTerminal *t,
                                                   const char        *command);

/* "127.0.0.1:PORT" (NULL before the first start); the same string for t's lifetime. */
const char        *ridge_test_terminal_get_address (RidgeTestTerminal *t);
guint16            ridge_test_terminal_get_port (RidgeTestTerminal *t);
const char        *ridge_test_terminal_get_dir (RidgeTestTerminal *t);
const char        *ridge_test_terminal_get_state_dir (RidgeTestTerminal *t);
const char        *ridge_test_terminal_get_control_path (RidgeTestTerminal *t);
/* The running process (NULL when none); its pid, 0 when none. */
GSubprocess       *ridge_test_terminal_get_process (RidgeTestTerminal *t);
GPid               ridge_test_terminal_get_pid (RidgeTestTerminal *t);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RidgeTestTerminal, ridge_test_terminal_free)

G_END_DECLS
