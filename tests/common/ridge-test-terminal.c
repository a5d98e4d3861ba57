/* ridge-test-terminal.c — a real ridge-terminal process for the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ridge-test-terminal.h"

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#define LISTENING "ridge-terminal: listening on 127.0.0.1:"

struct _RidgeTestTerminal {
  char *exe;
  RidgeTestTerminalFlags flags;
  char        *dir;
  char        *state_dir;
  char        *control_path;
  GHashTable  *env;              /* name → value, or name → NULL to unset */
  int          death_signal;
  GSubprocess *proc;
  guint16      port;
  char        *address;
};

RidgeTestTerminal *
ridge_test_terminal_new (const char            *exe,
                         const char            *prefix,
                         RidgeTestTerminalFlags flags)
{
  RidgeTestTerminal *t = g_new0 (RidgeTestTerminal, 1);
  g_autofree char *tmpl = g_strdup_printf ("%s-XXXXXX", prefix);
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (exe);
  t->exe = g_strdup (exe);
  t->flags = flags;
  t->dir = g_dir_make_tmp (tmpl, &error);
  g_assert_no_error (error);
  t->state_dir = g_build_filename (t->dir, "state", NULL);
  t->control_path = g_build_filename (t->dir, "control.sock", NULL);
  g_assert_cmpint (g_mkdir (t->state_dir, 0700), ==, 0);
  t->env = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  t->death_signal = SIGKILL;
  return t;
}

void
ridge_test_terminal_setenv (RidgeTestTerminal *t,
                            const char        *name,
                            const char        *value)
{
  g_hash_table_insert (t->env, g_strdup (name), g_strdup (value));
}

void
ridge_test_terminal_set_death_signal (RidgeTestTerminal *t,
                                      int                signum)
{
  t->death_signal = signum;
}

/* the terminal must not outlive a test that aborts (meson would wait for it) */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, GPOINTER_TO_INT (user_data));
}

gboolean
ridge_test_terminal_try_spawn (RidgeTestTerminal *t,
                               const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;
  GHashTableIter iter;
  gpointer name, value;
  int port;

  g_assert_null (t->proc);
  g_ptr_array_add (argv, g_strdup (t->exe));
  g_ptr_array_add (argv, g_strdup ("--listen=127.0.0.1"));
  g_ptr_array_add (argv, g_strdup_printf ("--port=%u", t->port));
  g_ptr_array_add (argv, g_strdup_printf ("--state-dir=%s", t->state_dir));
  g_ptr_array_add (argv, g_strdup ("--discovery-port=0"));
  if (t->flags & RIDGE_TEST_TERMINAL_CONTROL)
    g_ptr_array_add (argv, g_strdup_printf ("--control=%s", t->control_path));
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent,
                                         GINT_TO_POINTER (t->death_signal), NULL);
  g_hash_table_iter_init (&iter, t->env);
  while (g_hash_table_iter_next (&iter, &name, &value))
    if (value != NULL)
      g_subprocess_launcher_setenv (launcher, name, value, TRUE);
    else
      g_subprocess_launcher_unsetenv (launcher, name);
  t->proc = g_subprocess_launcher_spawnv (launcher, (const char *const *)argv->pdata, &error);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (t->proc));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL)
    {
      /* it exited before listening */
      g_subprocess_wait (t->proc, NULL, NULL);
      g_clear_object (&t->proc);
      return FALSE;
    }
  if (!g_str_has_prefix (line, LISTENING))
    g_error ("ridge-terminal said \"%s\" instead of \"" LISTENING "PORT\"", line);
  port = atoi (line + strlen (LISTENING));
  g_assert_cmpint (port, >, 0);
  g_assert_cmpint (port, <=, 65535);
  g_assert_true (t->port == 0 || t->port == port);
  t->port = (guint16)port;
  /* a restart keeps the port, so the string stays the one callers may hold */
  if (t->address == NULL)
    t->address = g_strdup_printf ("127.0.0.1:%u", t->port);
  return TRUE;
}

void
ridge_test_terminal_spawn (RidgeTestTerminal *t,
                           const char *const *args)
{
  if (!ridge_test_terminal_try_spawn (t, args))
    g_error ("ridge-terminal exited without listening");
}

void
ridge_test_terminal_kill (RidgeTestTerminal *t)
{
  if (t->proc == NULL)
    return;
  g_subprocess_send_signal (t->proc, SIGKILL);
  g_subprocess_wait (t->proc, NULL, NULL);
  g_clear_object (&t->proc);
}

void
ridge_test_terminal_terminate (RidgeTestTerminal *t)
{
  g_autoptr (GError) error = NULL;

  if (t->proc == NULL)
    return;
  g_subprocess_send_signal (t->proc, SIGTERM);
  g_subprocess_wait (t->proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (t->proc));
  g_assert_cmpint (g_subprocess_get_exit_status (t->proc), ==, 0);
  g_clear_object (&t->proc);
}

/* removes a folder tree without following links */
static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
ridge_test_terminal_free (RidgeTestTerminal *t)
{
  if (t == NULL)
    return;
  ridge_test_terminal_kill (t);
  remove_tree (t->dir);
  g_hash_table_unref (t->env);
  g_free (t->exe);
  g_free (t->dir);
  g_free (t->state_dir);
  g_free (t->control_path);
  g_free (t->address);
  g_free (t);
}

char *
ridge_test_terminal_control (RidgeTestTerminal *t,
                             const char        *command)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketAddress) addr = NULL;
  g_autoptr (GSocketConnection) conn = NULL;
  g_autoptr (GDataInputStream) in = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *line = g_strconcat (command, "\n", NULL);
  char *answer;

  g_assert_true (t->flags & RIDGE_TEST_TERMINAL_CONTROL);
  addr = g_unix_socket_address_new (t->control_path);
  conn = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (addr), NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), line,
                             strlen (line), NULL, NULL, &error);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (conn)));
  answer = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (answer);
  return answer;
}

void
ridge_test_terminal_control_ok (RidgeTestTerminal *t,
                                const char        *command)
{
  g_autofree char *answer = ridge_test_terminal_control (t, command);

  if (!g_str_has_prefix (answer, "ok"))
    g_error ("control \"%s\" answered \"%s\"", command, answer);
}

const char *
ridge_test_terminal_get_address (RidgeTestTerminal *t)
{
  return t->address;
}

guint16
ridge_test_terminal_get_port (RidgeTestTerminal *t)
{
  return t->port;
}

const char *
ridge_test_terminal_get_dir (RidgeTestTerminal *t)
{
  return t->dir;
}

const char *
ridge_test_terminal_get_state_dir (RidgeTestTerminal *t)
{
  return t->state_dir;
}

const char *
ridge_test_terminal_get_control_path (RidgeTestTerminal *t)
{
  return t->control_path;
}

GSubprocess *
ridge_test_terminal_get_process (RidgeTestTerminal *t)
{
  return t->proc;
}

GPid
ridge_test_terminal_get_pid (RidgeTestTerminal *t)
{
  const char *id = t->proc ? g_subprocess_get_identifier (t->proc) : NULL;

  return id ? atoi (id) : 0;
}
