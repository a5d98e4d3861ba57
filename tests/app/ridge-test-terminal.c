/* ridge-test-terminal.c — real ridge-terminal processes for the app tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ridge-test-terminal.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>

#include "ridge-test-util.h"

struct _RidgeTestTerminal {
  GSubprocess *process;
  char        *address;
  char        *state_dir;
};

/* the terminal dies with the test, even when an assertion aborts it */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

RidgeTestTerminal *
ridge_test_terminal_start (const char * const *extra)
{
  const char *exe = g_getenv ("RIDGE_TERMINAL");
  RidgeTestTerminal *t = g_new0 (RidgeTestTerminal, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autofree char *state_opt = NULL;
  g_autofree char *line = NULL;
  const char *colon;

  g_assert_nonnull (exe);
  t->state_dir = g_dir_make_tmp ("ridge-app-test-XXXXXX", &error);
  g_assert_no_error (error);
  state_opt = g_strconcat ("--state-dir=", t->state_dir, NULL);
  g_ptr_array_add (argv, (gpointer)exe);
  g_ptr_array_add (argv, "--listen=127.0.0.1");
  g_ptr_array_add (argv, "--port=0");
  g_ptr_array_add (argv, "--discovery-port=0");
  g_ptr_array_add (argv, "--sensor=synthetic");
  g_ptr_array_add (argv, "--no-auto-finger");
  g_ptr_array_add (argv, "--fps=2");
  g_ptr_array_add (argv, state_opt);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)extra[i]);
  g_ptr_array_add (argv, NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  t->process = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata,
                                             &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (t->process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  /* "ridge-terminal: listening on 127.0.0.1:PORT" */
  colon = strrchr (line, ':');
  g_assert_nonnull (colon);
  t->address = g_strdup_printf ("127.0.0.1:%s", colon + 1);
  g_test_message ("terminal at %s", t->address);
  return t;
}

const char *
ridge_test_terminal_get_address (RidgeTestTerminal *t)
{
  return t->address;
}

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
ridge_test_terminal_stop (RidgeTestTerminal *t)
{
  if (t == NULL)
    return;
  g_subprocess_force_exit (t->process);
  g_subprocess_wait (t->process, NULL, NULL);
  g_object_unref (t->process);
  remove_tree (t->state_dir);
  g_free (t->state_dir);
  g_free (t->address);
  g_free (t);
}

gboolean
ridge_test_wait_until (gboolean (*cond)(gpointer),
                       gpointer   data,
                       guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      ridge_test_wait (50);
    }
  return TRUE;
}

RidgeTerminalItem *
ridge_test_find_item (RidgeWindow *window,
                      const char  *address)
{
  GListModel *list = ridge_window_get_terminals (window);

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr (RidgeTerminalItem) item = g_list_model_get_item (list, i);

      if (g_str_equal (ridge_terminal_item_get_address (item), address))
        return item;   /* the list keeps it */
    }
  g_assert_not_reached ();
}

gboolean
ridge_test_item_ready (gpointer data)
{
  return ridge_terminal_item_get_state (data) == RIDGE_TERMINAL_STATE_READY;
}
