/* ridge-test-terminal.c — real ridge-terminal processes for the app tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ridge-test-terminal.h"

#include "ridge-test-util.h"

RidgeTestTerminal *
ridge_test_terminal_start (const char * const *extra)
{
  RidgeTestTerminal *t = ridge_test_terminal_new (g_getenv ("RIDGE_TERMINAL"), "ridge-app-test",
                                                  RIDGE_TEST_TERMINAL_DEFAULT);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, "--sensor=synthetic");
  g_ptr_array_add (argv, "--no-auto-finger");
  g_ptr_array_add (argv, "--fps=2");
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)extra[i]);
  g_ptr_array_add (argv, NULL);
  ridge_test_terminal_spawn (t, (const char * const *)argv->pdata);
  g_test_message ("terminal at %s", ridge_test_terminal_get_address (t));
  return t;
}

void
ridge_test_terminal_stop (RidgeTestTerminal *t)
{
  ridge_test_terminal_free (t);
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
