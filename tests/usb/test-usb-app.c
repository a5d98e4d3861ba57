/* test-usb-app.c — USB terminals in the app: "usb:" addresses in the sidebar, and
 * RidgeUsbMonitor adding and removing an emulated terminal (ridge-usb-emu.c) as it is
 * plugged and unplugged, without saving it. Runs under Xvfb and umockdev-wrapper; the
 * address cases need neither.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <stdlib.h>
#include <string.h>
#include <umockdev.h>

#include "ridge-address.h"
#include "ridge-health-page.h"
#include "ridge-terminal-item.h"
#include "ridge-test-util.h"
#include "ridge-usb-emu.h"
/* by its path: tests/app has a header of the same name */
#include "../common/ridge-test-terminal.h"
#include "ridge-window.h"

static gboolean mocked;
static RidgeUsbEmu *emu;            /* plugged in before libusb starts (its context is process-wide) */
static RidgeTestTerminal *terminal; /* the ridge-terminal behind the emulated device, if built */

/* Starts $RIDGE_TERMINAL on a free port; returns "127.0.0.1:PORT", or NULL without it. */
static const char *
start_terminal (void)
{
  const char *exe = g_getenv ("RIDGE_TERMINAL");

  if (exe == NULL || !g_file_test (exe, G_FILE_TEST_IS_EXECUTABLE))
    return NULL;
  terminal = ridge_test_terminal_new (exe, "ridge-usb-app", RIDGE_TEST_TERMINAL_DEFAULT);
  /* the terminal must not see the umockdev preload of this process */
  ridge_test_terminal_setenv (terminal, "LD_PRELOAD", NULL);
  ridge_test_terminal_setenv (terminal, "UMOCKDEV_DIR", NULL);
  ridge_test_terminal_spawn (terminal, NULL);
  return ridge_test_terminal_get_address (terminal);
}

static gboolean
wait_state (RidgeTerminalItem *item,
            RidgeTerminalState state,
            guint              timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64)timeout_ms * 1000;

  while (ridge_terminal_item_get_state (item) != state && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
  return ridge_terminal_item_get_state (item) == state;
}

static void
test_addresses (void)
{
  const char *good[][2] = {
    { "usb:", "usb:" }, { " usb:1-2 ", "usb:1-2" }, { "USB:1-2.3.4", "usb:1-2.3.4" },
    { "usb:001:004", "usb:001:004" }, { "usb:1209:5247", "usb:1209:5247" },
  };
  const char *bad[] = { "usb:x", "usb:1-", "usb:-2", "usb:12345:1", "usb:zz:01", "usb:1:2:3",
                        "usb:1-2..3", "usb:0-1", "usb:1-2.3.4.5.6.7.8.9" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *n = ridge_address_normalize (good[i][0], 7420, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (n, ==, good[i][1]);
      g_assert_true (ridge_address_is_usb (n));
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *n = ridge_address_normalize (bad[i], 7420, &error);

      g_assert_null (n);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, "usb:"));
    }
  g_assert_false (ridge_address_is_usb ("10.0.0.5:7420"));
  g_assert_false (ridge_address_is_usb (NULL));
}

static gboolean
has_terminal (RidgeWindow *window,
              const char  *address)
{
  GListModel *list = ridge_window_get_terminals (window);

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr (RidgeTerminalItem) item = g_list_model_get_item (list, i);

      if (g_str_equal (ridge_terminal_item_get_address (item), address))
        return TRUE;
    }
  return FALSE;
}

static void
assert_saved (const char *const *expected)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.ridge.Ridge");
  g_auto (GStrv) saved = g_settings_get_strv (settings, "terminals");

  g_assert_cmpstrv (saved, expected);
}

/* The monitor → sidebar logic with events as RidgeUsbMonitor delivers them. */
static void
test_sidebar_events (void)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.ridge.Ridge");
  g_autoptr (GError) error = NULL;
  RidgeWindow *window;

  /* only the events below, not the real monitor */
  g_setenv ("RIDGE_NO_USB", "1", TRUE);
  g_settings_set_strv (settings, "terminals", (const char *[]) { "10.0.0.5", "usb:3-1", NULL });
  window = g_object_ref_sink (ridge_window_new (NULL));

  ridge_window_usb_device_added (window, "1-4.2");
  g_assert_true (has_terminal (window, "usb:1-4.2"));
  g_assert_true (ridge_window_is_terminal_automatic (window, "usb:1-4.2"));
  /* shown, never saved; saving for another reason leaves it out too */
  g_assert_true (ridge_window_add_terminal (window, "lab:7000", &error));
  g_assert_no_error (error);
  assert_saved ((const char *[]) { "10.0.0.5:7420", "usb:3-1", "lab:7000", NULL });
  /* the same device twice is one row */
  ridge_window_usb_device_added (window, "1-4.2");
  g_assert_cmpuint (g_list_model_get_n_items (ridge_window_get_terminals (window)), ==, 4);

  /* unplugged: gone; a saved USB terminal stays when unplugged */
  ridge_window_usb_device_removed (window, "1-4.2");
  g_assert_false (has_terminal (window, "usb:1-4.2"));
  ridge_window_usb_device_added (window, "3-1");
  g_assert_false (ridge_window_is_terminal_automatic (window, "usb:3-1"));
  ridge_window_usb_device_removed (window, "3-1");
  g_assert_true (has_terminal (window, "usb:3-1"));

  /* the user adds a shown terminal: it becomes saved and stays after unplug */
  ridge_window_usb_device_added (window, "2-1");
  g_assert_true (ridge_window_add_terminal (window, "usb:2-1", &error));
  g_assert_no_error (error);
  g_assert_false (ridge_window_is_terminal_automatic (window, "usb:2-1"));
  ridge_window_usb_device_removed (window, "2-1");
  g_assert_true (has_terminal (window, "usb:2-1"));
  assert_saved ((const char *[]) { "10.0.0.5:7420", "usb:3-1", "lab:7000", "usb:2-1", NULL });

  /* a bad USB address in the Add dialog path is refused with a sentence */
  g_assert_false (ridge_window_add_terminal (window, "usb:nope", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
  g_settings_reset (settings, "terminals");
  g_unsetenv ("RIDGE_NO_USB");
}

static gboolean
wait_for (RidgeWindow *window,
          const char  *address,
          gboolean     present,
          guint        timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64)timeout_ms * 1000;

  while (has_terminal (window, address) != present && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
  return has_terminal (window, address) == present;
}

/* Sum of one series over the item's health ring. */
static double
series_sum (RidgeTerminalItem *item,
            RidgeChartSeries   series)
{
  RidgeSampleRing *ring = ridge_terminal_item_get_ring (item);
  double sum = 0;

  for (guint i = 0; i < ridge_sample_ring_len (ring); i++)
    sum += ridge_sample_ring_get (ring, i)->series[series];
  return sum;
}

static gboolean
health_has_stalls (gpointer data)
{
  return series_sum (data, RIDGE_CHART_SERIES_USB_STALLS) > 0
         && series_sum (data, RIDGE_CHART_SERIES_USB_RESETS) > 0;
}

/* The real monitor with the emulated terminal: plugged in → shown, unplugged → gone. */
static void
test_monitor (void)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.ridge.Ridge");
  RidgeWindow *window;
  gint64 t0;

  if (!mocked)
    {
      g_test_skip ("not running under the umockdev preload (umockdev-wrapper)");
      return;
    }
  g_settings_reset (settings, "terminals");
  window = g_object_ref_sink (ridge_window_new (NULL));
  /* wide enough not to fold: the Health page is looked at below */
  gtk_window_set_default_size (GTK_WINDOW (window), 1180, 780);
  ridge_test_present (GTK_WINDOW (window));

  /* present at start */
  g_assert_true (wait_for (window, "usb:1-2", TRUE, 5000));
  g_assert_true (ridge_window_is_terminal_automatic (window, "usb:1-2"));
  assert_saved ((const char *[]) { NULL });

  t0 = g_get_monotonic_time ();
  ridge_usb_emu_unplug (emu);
  g_assert_true (wait_for (window, "usb:1-2", FALSE, 5000));
  g_test_message ("unplug → row removed in %.0f ms", (g_get_monotonic_time () - t0) / 1000.0);

  t0 = g_get_monotonic_time ();
  ridge_usb_emu_plug (emu);
  g_assert_true (wait_for (window, "usb:1-2", TRUE, 5000));
  g_test_message ("replug → row shown in %.0f ms", (g_get_monotonic_time () - t0) / 1000.0);
  assert_saved ((const char *[]) { NULL });

  if (terminal != NULL)
    {
      /* the row's item talks to the terminal over the (emulated) USB link */
      GListModel *list = ridge_window_get_terminals (window);
      g_autoptr (RidgeTerminalItem) item = NULL;

      for (guint i = 0; i < g_list_model_get_n_items (list) && item == NULL; i++)
        {
          g_autoptr (RidgeTerminalItem) it = g_list_model_get_item (list, i);

          if (g_str_equal (ridge_terminal_item_get_address (it), "usb:1-2"))
            item = g_object_ref (it);
        }
      g_assert_nonnull (item);
      t0 = g_get_monotonic_time ();
      ridge_terminal_item_connect (item);
      g_assert_true (wait_state (item, RIDGE_TERMINAL_STATE_READY, 10000));
      g_test_message ("usb:1-2 READY in %.0f ms", (g_get_monotonic_time () - t0) / 1000.0);

      /* stalls on the bulk IN endpoint reach the Health page's USB chart, as TCP's
       * retransmits would (the link's reset at open is there too) */
      {
        RidgeTerminalView *view = ridge_window_get_terminal_view (window);
        RidgeHealthPage *page = ridge_terminal_view_get_health_page (view);
        RidgeChart *usb = ridge_health_page_get_series_chart (page,
                                                              RIDGE_CHART_SERIES_USB_STALLS);
        RidgeChart *retrans = ridge_health_page_get_series_chart (page,
                                                                  RIDGE_CHART_SERIES_RETRANS);
        gint64 end = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

        ridge_window_select_terminal (window, "usb:1-2");
        ridge_terminal_view_set_visible_page (view, "health");
        ridge_usb_emu_stall_in (emu, 2);
        while (!health_has_stalls (item) && g_get_monotonic_time () < end)
          ridge_test_wait (100);
        g_assert_true (health_has_stalls (item));
        ridge_test_wait (300);
        g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (usb)));
        g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (retrans)));
        g_assert_cmpuint (ridge_chart_get_n_series (usb), ==, 4);
        g_test_message ("USB health: %.0f stalls, %.0f resets in the ring",
                        series_sum (item, RIDGE_CHART_SERIES_USB_STALLS),
                        series_sum (item, RIDGE_CHART_SERIES_USB_RESETS));
        g_object_unref (ridge_test_screenshot (GTK_WIDGET (window), "usb-health"));
        g_object_unref (ridge_test_screenshot (GTK_WIDGET (usb), "usb-health-chart"));
      }
      /* unplugged while connected: the row goes and its link is let go */
      ridge_usb_emu_unplug (emu);
      g_assert_true (wait_for (window, "usb:1-2", FALSE, 5000));
      g_assert_cmpint (ridge_terminal_item_get_state (item), ==,
                       RIDGE_TERMINAL_STATE_DISCONNECTED);
      ridge_usb_emu_plug (emu);
      g_assert_true (wait_for (window, "usb:1-2", TRUE, 5000));
    }
  else
    g_test_message ("RIDGE_TERMINAL unset: the connection over USB is not checked here");

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
}

int
main (int   argc,
      char *argv[])
{
  int rc;

  ridge_test_init (&argc, &argv);
  {
    g_autoptr (UMockdevTestbed) probe = umockdev_testbed_new ();
    mocked = umockdev_in_mock_environment ();
  }
  if (mocked)
    {
      /* the monitor only probes (strings through control transfers): no link is opened
       * unless the test connects an item (then a real ridge-terminal is behind it) */
      const char *address = start_terminal ();

      emu = ridge_usb_emu_new (address != NULL ? address : "127.0.0.1:9");
      ridge_usb_emu_plug (emu);
    }
  g_test_add_func ("/usb-app/addresses", test_addresses);
  g_test_add_func ("/usb-app/monitor", test_monitor);
  g_test_add_func ("/usb-app/sidebar-events", test_sidebar_events);
  rc = g_test_run ();
  g_clear_pointer (&emu, ridge_usb_emu_free);
  g_clear_pointer (&terminal, ridge_test_terminal_free);
  return rc;
}
