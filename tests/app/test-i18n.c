/* test-i18n.c — the window in Simplified Chinese, from the zh_CN catalogue built from
 * po/zh_CN.po (RIDGE_TEST_LOCALEDIR)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "ridge-hand-diagram.h"
#include "ridge-test-util.h"
#include "ridge-window.h"

static void
test_zh_cn (void)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.ridge.Ridge");
  RidgeWindow *window;

  /* translated through the catalogue, not by accident */
  g_assert_cmpstr (ridge_terminal_state_to_string (RIDGE_TERMINAL_STATE_DISCONNECTED), ==,
                   "未连接");
  g_assert_cmpstr (ridge_finger_name (2), ==, "右手食指");

  g_settings_set_strv (settings, "terminals",
                       (const char *[]) { "192.168.1.20", "lab-2:7000", NULL });
  window = g_object_ref_sink (ridge_window_new (NULL));
  ridge_test_present (GTK_WINDOW (window));
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (window), "window-zh_CN"));
  ridge_terminal_view_set_visible_page (ridge_window_get_terminal_view (window), "health");
  ridge_test_wait (300);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (window), "window-zh_CN-health"));
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  g_settings_reset (settings, "terminals");
}

int
main (int   argc,
      char *argv[])
{
  const char *dir = g_getenv ("RIDGE_TEST_LOCALEDIR");

  if (dir == NULL)
    {
      g_print ("1..0 # SKIP RIDGE_TEST_LOCALEDIR is not set\n");
      return 0;   /* TAP: "1..0 # SKIP" is the skip */
    }
  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  ridge_test_init (&argc, &argv);
  setlocale (LC_ALL, "C.UTF-8");
  bindtextdomain (GETTEXT_PACKAGE, dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_test_add_func ("/i18n/zh_CN", test_zh_cn);
  return g_test_run ();
}
