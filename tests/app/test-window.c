/* test-window.c — the main window, its terminal list and settings, the pages, the dialogs;
 * a screenshot of each
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs with GSETTINGS_BACKEND=memory. Frames and health samples are synthetic fixtures.
 */
#include "config.h"

#include "ridge-add-terminal-dialog.h"
#include "ridge-live-page.h"
#include "ridge-application.h"
#include "ridge-test-util.h"
#include "ridge-window.h"

static void
reset_settings (void)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.ridge.Ridge");

  g_settings_reset (settings, "terminals");
  g_settings_reset (settings, "window-size");
}

static void
test_terminal_list (void)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.ridge.Ridge");
  RidgeWindow *window;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) saved = NULL;
  GListModel *terminals;

  reset_settings ();
  g_settings_set_strv (settings, "terminals",
                       (const char *[]) { "10.0.0.5", "not a host!", "lab-2:7000", NULL });
  /* the corrupt entry is skipped with a warning, not a crash */
  g_test_expect_message ("ridge-window", G_LOG_LEVEL_WARNING, "*not a host!*");
  window = g_object_ref_sink (ridge_window_new (NULL));
  g_test_assert_expected_messages ();
  terminals = ridge_window_get_terminals (window);
  g_assert_cmpuint (g_list_model_get_n_items (terminals), ==, 2);

  ridge_test_present (GTK_WINDOW (window));
  g_clear_object (&error);

  g_assert_true (ridge_window_add_terminal (window, "Terminal-9.lan", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (terminals), ==, 3);
  saved = g_settings_get_strv (settings, "terminals");
  g_assert_cmpstrv (saved, ((const char *[]) { "10.0.0.5:7420", "lab-2:7000",
                                               "terminal-9.lan:7420", NULL }));

  /* duplicates (after normalisation) and junk are refused with a sentence */
  g_assert_false (ridge_window_add_terminal (window, "10.0.0.5:7420", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_false (ridge_window_add_terminal (window, "x:99999", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* the newly added terminal is selected and shown */
  g_assert_cmpstr (ridge_terminal_item_get_address (
                     ridge_terminal_view_get_item (ridge_window_get_terminal_view (window))),
                   ==, "terminal-9.lan:7420");
  ridge_test_wait (200);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (window), "window-terminal-live"));

  /* remove, then undo through the toast's action: same place, saved again */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.remove-terminal", "s",
                                             "lab-2:7000"));
  g_clear_pointer (&saved, g_strfreev);
  saved = g_settings_get_strv (settings, "terminals");
  g_assert_cmpstrv (saved, ((const char *[]) { "10.0.0.5:7420", "terminal-9.lan:7420", NULL }));
  ridge_test_wait (300);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (window), "window-removed-toast"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.undo-remove", NULL));
  g_clear_pointer (&saved, g_strfreev);
  saved = g_settings_get_strv (settings, "terminals");
  g_assert_cmpstrv (saved, ((const char *[]) { "10.0.0.5:7420", "lab-2:7000",
                                               "terminal-9.lan:7420", NULL }));
  g_assert_false (ridge_window_remove_terminal (window, "nowhere:1"));

  /* every page of a terminal view, for the screenshots */
  {
    static const char *pages[] = { "enroll", "enrollments", "health", "diagnostics" };
    RidgeTerminalView *view = ridge_window_get_terminal_view (window);

    for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
      {
        g_autofree char *name = g_strdup_printf ("window-terminal-%s", pages[i]);

        ridge_terminal_view_set_visible_page (view, pages[i]);
        ridge_test_wait (300);
        g_object_unref (ridge_test_screenshot (GTK_WIDGET (window), name));
      }
  }

  /* narrow: the leaflet folds to one pane with a back button */
  gtk_window_set_default_size (GTK_WINDOW (window), 400, 700);
  ridge_test_wait (500);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (window), "window-narrow"));

  /* remove everything: the sidebar's empty state */
  while (g_list_model_get_n_items (terminals) > 0)
    {
      g_autoptr (RidgeTerminalItem) item = g_list_model_get_item (terminals, 0);

      g_assert_true (ridge_window_remove_terminal (window, ridge_terminal_item_get_address (item)));
    }
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 640);
  ridge_test_wait (500);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (window), "window-empty"));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

static void
address_chosen_cb (GtkWidget  *dialog,
                   const char *address,
                   char      **out)
{
  g_free (*out);
  *out = g_strdup (address);
}

static void
test_add_dialog (void)
{
  GtkWidget *dialog = g_object_ref_sink (ridge_add_terminal_dialog_new (NULL));
  RidgeAddTerminalDialog *d = RIDGE_ADD_TERMINAL_DIALOG (dialog);
  char *chosen = NULL;

  g_assert_null (ridge_add_terminal_dialog_get_address (d));
  ridge_add_terminal_dialog_set_text (d, "terminal-7:70000");
  g_assert_null (ridge_add_terminal_dialog_get_address (d));
  g_assert_cmpstr (ridge_add_terminal_dialog_get_message (d), ==,
                   "“70000” is not a port number between 1 and 65535.");
  ridge_test_present (GTK_WINDOW (dialog));
  g_object_unref (ridge_test_screenshot (dialog, "add-terminal-error"));

  ridge_add_terminal_dialog_set_text (d, "Terminal-7");
  g_assert_cmpstr (ridge_add_terminal_dialog_get_address (d), ==, "terminal-7:7420");
  ridge_test_wait (100);
  g_object_unref (ridge_test_screenshot (dialog, "add-terminal"));

  /* "Add" emits the normalised address and closes the dialog */
  g_signal_connect (dialog, "address-chosen", G_CALLBACK (address_chosen_cb), &chosen);
  g_signal_emit_by_name (gtk_widget_get_template_child (dialog, RIDGE_TYPE_ADD_TERMINAL_DIALOG,
                                                        "add_button"),
                         "clicked");
  g_assert_cmpstr (chosen, ==, "terminal-7:7420");
  g_free (chosen);
  g_assert_false (gtk_widget_get_visible (dialog));
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_finalize_object (dialog);
}

/* The live page with a synthetic fixture frame, in light and dark style; the about and
 * shortcuts windows. */
static void
test_styles_and_dialogs (void)
{
  static guint8 pixels[FIXTURE_W * FIXTURE_H];
  RidgeImage img = { FIXTURE_W, FIXTURE_H, 500, pixels };
  RidgeMinutia minutiae[12];
  guint n = ridge_fixture_minutiae (minutiae, 12, 0, 0);
  GtkWidget *page = g_object_ref_sink (ridge_live_page_new ());
  RidgeLiveFrame frame = {
    .image = &img, .minutiae = minutiae, .n_minutiae = n, .quality = 64,
    .hints = RIDGE_HINT_MOVE_LEFT | RIDGE_HINT_TOO_LIGHT,
  };
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeApplication) app = ridge_application_new ();
  GtkWindow *win;
  GtkWidget *about;
  g_autoptr (GtkBuilder) builder = NULL;
  GtkWidget *shortcuts;
  g_autofree char *hints = NULL;

  ridge_fixture_image (pixels, FIXTURE_W * 0.5, FIXTURE_H * 0.45);
  g_assert_true (ridge_live_page_push_frame (RIDGE_LIVE_PAGE (page), &frame, &error));
  g_assert_no_error (error);
  win = ridge_test_show (page, 900, 560);
  g_object_unref (ridge_test_screenshot (page, "live-page-fixture-light"));
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  ridge_test_wait (300);
  g_object_unref (ridge_test_screenshot (page, "live-page-fixture-dark"));
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);

  /* the hint sentences are translated per bit, one per line */
  hints = ridge_live_page_hints_text (RIDGE_HINT_MOVE_LEFT | RIDGE_HINT_TOO_LIGHT);
  g_assert_cmpstr (hints, ==, "Move the finger to the left.\n"
                              "The image is too light: the finger is dry or pressed too lightly.");
  gtk_window_destroy (win);
  g_assert_finalize_object (page);

  about = ridge_application_create_about_window (app, NULL);
  gtk_window_set_default_size (GTK_WINDOW (about), 420, 560);
  ridge_test_present (GTK_WINDOW (about));
  g_object_unref (ridge_test_screenshot (about, "about"));
  gtk_window_destroy (GTK_WINDOW (about));

  builder = gtk_builder_new_from_resource ("/org/ridge/Ridge/gtk/help-overlay.ui");
  shortcuts = GTK_WIDGET (gtk_builder_get_object (builder, "help_overlay"));
  g_assert_nonnull (shortcuts);
  ridge_test_present (GTK_WINDOW (shortcuts));
  g_object_unref (ridge_test_screenshot (shortcuts, "shortcuts"));
  gtk_window_destroy (GTK_WINDOW (shortcuts));
}

int
main (int   argc,
      char *argv[])
{
  ridge_test_init (&argc, &argv);
  g_test_add_func ("/window/terminal-list", test_terminal_list);
  g_test_add_func ("/window/add-dialog", test_add_dialog);
  g_test_add_func ("/window/styles-and-dialogs", test_styles_and_dialogs);
  return g_test_run ();
}
