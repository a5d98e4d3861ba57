/* test-narrow.c — the window at phone width (360 × 720): every page of a connected terminal
 * and the All Terminals overview fit, folded; a screenshot of each
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Talks to a real ridge-terminal (synthetic sensor, three stored records) so the pages hold
 * what they hold in use: a record list, a live image, health samples.
 * Skips (TAP "1..0 # SKIP") when the ridge-terminal executable is not built.
 */
#include "config.h"

#include "ridge-application.h"
#include "ridge-fleet-page.h"
#include "ridge-test-store.h"
#include "ridge-test-terminal.h"
#include "ridge-test-util.h"
#include "ridge-window.h"

#define NARROW_W 360
#define NARROW_H 720

static gboolean
item_ready (gpointer data)
{
  return ridge_terminal_item_get_state (data) == RIDGE_TERMINAL_STATE_READY;
}

/* Names the widgets under root whose minimum width alone is more than limit and none of
 * whose children is: the ones that hold the window wide. */
static void
report_wide (GtkWidget *root,
             int        limit,
             GString   *out)
{
  gboolean child_wide = FALSE;
  int min = 0;

  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      int cmin = 0;

      if (!gtk_widget_get_visible (c))
        continue;
      gtk_widget_measure (c, GTK_ORIENTATION_HORIZONTAL, -1, &cmin, NULL, NULL, NULL);
      if (cmin > limit)
        {
          child_wide = TRUE;
          report_wide (c, limit, out);
        }
    }
  gtk_widget_measure (root, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
  if (!child_wide && min > limit)
    {
      g_string_append_printf (out, "  %d px:", min);
      for (GtkWidget *w = root; w != NULL; w = gtk_widget_get_parent (w))
        {
          const char *id =
            GTK_IS_BUILDABLE (w) ? gtk_buildable_get_buildable_id (GTK_BUILDABLE (w)) : NULL;
          g_string_append_printf (out, " < %s%s%s", G_OBJECT_TYPE_NAME (
                                    w), id ? "#" : "", id ? id : "");
          if (g_str_has_prefix (G_OBJECT_TYPE_NAME (w), "Ridge"))
            break;
        }
      g_string_append_c (out, '\n');
    }
}

/* The Live page's toggle that shows its folded controls. */
static GtkWidget *
find_controls_button (GtkWidget *root)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;

      if (GTK_IS_TOGGLE_BUTTON (c)
          && g_strcmp0 (gtk_widget_get_tooltip_text (c), "Show Controls") == 0)
        return c;
      if ((found = find_controls_button (c)) != NULL)
        return found;
    }
  return NULL;
}

/* The first label under root that reads text, or NULL. */
static GtkWidget *
find_label (GtkWidget  *root,
            const char *text)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;

      if (GTK_IS_LABEL (c) && gtk_widget_get_mapped (c)
          && g_strcmp0 (gtk_label_get_label (GTK_LABEL (c)), text) == 0)
        return c;
      if ((found = find_label (c, text)) != NULL)
        return found;
    }
  return NULL;
}

/* The enrollments table in a 1100 px window (sidebar shown): where a record lives and its
 * sync state are in view, whole, without scrolling sideways. */
static void
check_table_columns (RidgeWindow *window)
{
  static const char *texts[] = { "Lives On", "Sync State", "Terminal", "Terminal only" };
  GtkWidget *view = GTK_WIDGET (ridge_window_get_terminal_view (window));
  GtkWidget *scroller = NULL;

  ridge_terminal_view_set_visible_page (RIDGE_TERMINAL_VIEW (view), "enrollments");
  ridge_test_wait (800);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (window), "narrow-table-1100"));
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      GtkWidget *label = find_label (view, texts[i]);
      graphene_rect_t r;

      g_assert_nonnull (label);
      scroller = gtk_widget_get_ancestor (label, GTK_TYPE_SCROLLED_WINDOW);
      g_assert_nonnull (scroller);
      g_assert_true (gtk_widget_compute_bounds (label, scroller, &r));
      g_test_message ("%s: x %.0f..%.0f of %d", texts[i], r.origin.x,
                      r.origin.x + r.size.width, gtk_widget_get_width (scroller));
      g_assert_cmpfloat (r.origin.x + r.size.width, <=, gtk_widget_get_width (scroller));
      g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (label))));
    }
}

static void
check_narrow (RidgeWindow *window,
              const char  *shot)
{
  GtkWidget *content = adw_application_window_get_content (ADW_APPLICATION_WINDOW (window));
  g_autoptr (GString) wide = g_string_new (NULL);
  int min = 0;

  ridge_test_wait (600);
  /* the content's minimum width is what the window cannot go below */
  gtk_widget_measure (content, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
  report_wide (content, NARROW_W, wide);
  if (wide->len > 0)
    g_test_message ("%s: too wide for %d px:\n%s", shot, NARROW_W, wide->str);
  g_test_message ("%s: minimum width %d, allocated %d", shot, min,
                  gtk_widget_get_width (GTK_WIDGET (window)));
  g_assert_cmpint (min, <=, NARROW_W);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 400);
  g_object_unref (ridge_test_screenshot (GTK_WIDGET (window), shot));
}

static void
test_narrow (void)
{
  static const char *const args[] = {
    "--sensor=synthetic", "--no-auto-finger", "--fps=10", NULL
  };
  static const char *pages[] = {
    "enroll", "enrollments", "verify", "health", "diagnostics", "live"
  };
  static const char *users[] = { "alice", "alice", "bob" };
  static const guint fingers[] = { 2, 7, 1 };
  g_autoptr (GSettings) settings = g_settings_new ("org.ridge.Ridge");
  g_autoptr (GError) error = NULL;
  RidgeTestTerminal *terminal;
  const char *address;
  RidgeWindow *window;
  RidgeTerminalView *view;
  RidgeTerminalItem *item;

  g_settings_reset (settings, "terminals");
  g_settings_reset (settings, "window-size");
  terminal = ridge_test_terminal_new (g_getenv ("RIDGE_TERMINAL"), "ridge-app-narrow",
                                      RIDGE_TEST_TERMINAL_CONTROL);
  ridge_test_terminal_spawn (terminal, args);
  address = ridge_test_terminal_get_address (terminal);
  ridge_test_terminal_control_ok (terminal, "place 1");
  g_assert_true (ridge_test_store_put (address, users, fingers, G_N_ELEMENTS (users), &error));
  g_assert_no_error (error);

  window = g_object_ref_sink (ridge_window_new (NULL));
  ridge_window_set_autoconnect (window, TRUE);
  gtk_window_set_default_size (GTK_WINDOW (window), NARROW_W, NARROW_H);
  ridge_test_present (GTK_WINDOW (window));
  g_assert_true (ridge_window_add_terminal (window, address, &error));
  g_assert_no_error (error);
  item = ridge_terminal_view_get_item (ridge_window_get_terminal_view (window));
  g_assert_nonnull (item);
  g_assert_true (ridge_test_wait_until (item_ready, item, 10000));
  ridge_test_wait (1500);

  /* the sidebar is what a folded window shows first: the way to a terminal's pages is
   * All Terminals, then its row, as a user would tap */
  ridge_window_show_fleet (window);
  check_narrow (window, "narrow-fleet");
  g_assert_true (gtk_widget_activate (ridge_fleet_page_get_row (ridge_window_get_fleet_page (window),
                                                                0)));
  ridge_test_wait (1000);

  view = ridge_window_get_terminal_view (window);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (view)));
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autofree char *shot = g_strdup_printf ("narrow-%s", pages[i]);

      ridge_terminal_view_set_visible_page (view, pages[i]);
      check_narrow (window, shot);
    }
  /* folded, the Live page's controls are one button away, over the image */
  {
    GtkWidget *button = find_controls_button (GTK_WIDGET (view));

    g_assert_nonnull (button);
    g_assert_true (gtk_widget_get_mapped (button));
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), TRUE);
    ridge_test_wait (1000);
    check_narrow (window, "narrow-live-controls");
  }

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  ridge_test_wait (800);
  check_table_columns (window);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  ridge_test_terminal_kill (terminal);
  ridge_test_terminal_free (terminal);
}

int
main (int   argc,
      char *argv[])
{
  const char *exe = g_getenv ("RIDGE_TERMINAL");

  if (exe == NULL || !g_file_test (exe, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_print ("1..0 # SKIP ridge-terminal is not built (RIDGE_TERMINAL unset)\n");
      return 0;
    }
  ridge_test_init (&argc, &argv);
  g_test_add_func ("/narrow/pages", test_narrow);
  return g_test_run ();
}
