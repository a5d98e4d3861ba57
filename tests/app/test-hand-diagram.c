/* test-hand-diagram.c — RidgeHandDiagram selection, keyboard, enrolled marks, hit testing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ridge-hand-diagram.h"
#include "ridge-test-util.h"

static GtkWidget *
button_for (GtkWidget *diagram,
            guint      finger)
{
  for (GtkWidget *child = gtk_widget_get_first_child (diagram); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (child), "finger")) == finger)
      return child;
  g_assert_not_reached ();
}

static void
test_names (void)
{
  g_assert_cmpstr (ridge_finger_name (1), ==, "Right thumb");
  g_assert_cmpstr (ridge_finger_name (2), ==, "Right index finger");
  g_assert_cmpstr (ridge_finger_name (5), ==, "Right little finger");
  g_assert_cmpstr (ridge_finger_name (6), ==, "Left thumb");
  g_assert_cmpstr (ridge_finger_name (10), ==, "Left little finger");
  g_assert_null (ridge_finger_name (0));
  g_assert_null (ridge_finger_name (11));
}

static void
test_selection (void)
{
  GtkWidget *diagram = g_object_ref_sink (ridge_hand_diagram_new ());
  RidgeHandDiagram *d = RIDGE_HAND_DIAGRAM (diagram);
  GtkWindow *win;
  g_autoptr (GdkTexture) shot = NULL;
  int n_children = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (diagram); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n_children++;
  g_assert_cmpint (n_children, ==, 10);

  g_assert_cmpuint (ridge_hand_diagram_get_selected (d), ==, 0);
  ridge_hand_diagram_set_selected (d, 2);
  g_assert_cmpuint (ridge_hand_diagram_get_selected (d), ==, 2);
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button_for (diagram, 2))));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button_for (diagram, 3))));

  /* clicking a finger's button selects it */
  g_signal_emit_by_name (button_for (diagram, 7), "clicked");
  g_assert_cmpuint (ridge_hand_diagram_get_selected (d), ==, 7);
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button_for (diagram, 2))));

  /* keyboard: left/right walk the fingers in on-screen order:
   * 10 9 8 7 6 | 1 2 3 4 5 */
  g_assert_true (gtk_widget_activate_action (diagram, "hand.next", NULL));
  g_assert_cmpuint (ridge_hand_diagram_get_selected (d), ==, 6);
  g_assert_true (gtk_widget_activate_action (diagram, "hand.next", NULL));
  g_assert_cmpuint (ridge_hand_diagram_get_selected (d), ==, 1);
  g_assert_true (gtk_widget_activate_action (diagram, "hand.previous", NULL));
  g_assert_cmpuint (ridge_hand_diagram_get_selected (d), ==, 6);
  ridge_hand_diagram_set_selected (d, 5);
  g_assert_true (gtk_widget_activate_action (diagram, "hand.next", NULL));
  g_assert_cmpuint (ridge_hand_diagram_get_selected (d), ==, 5);   /* stays at the end */
  ridge_hand_diagram_set_selected (d, 0);
  g_assert_true (gtk_widget_activate_action (diagram, "hand.next", NULL));
  g_assert_cmpuint (ridge_hand_diagram_get_selected (d), ==, 10);

  /* enrolled mask: bit 0 and bits above 10 are ignored; buttons carry the class */
  ridge_hand_diagram_set_enrolled (d, (1u << 0) | (1u << 2) | (1u << 7) | (1u << 11));
  g_assert_cmpuint (ridge_hand_diagram_get_enrolled (d), ==, (1u << 2) | (1u << 7));
  g_assert_true (gtk_widget_has_css_class (button_for (diagram, 2), "enrolled"));
  g_assert_false (gtk_widget_has_css_class (button_for (diagram, 3), "enrolled"));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button_for (diagram, 2)), ==,
                   "Right index finger (2), enrolled");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button_for (diagram, 3)), ==,
                   "Right middle finger (3), not enrolled");

  ridge_hand_diagram_set_selected (d, 3);
  win = ridge_test_show (diagram, 560, 260);

  /* hit testing: each button's centre maps back to its finger; the gap between the
   * hands is no finger */
  for (guint f = 1; f <= 10; f++)
    {
      GtkWidget *b = button_for (diagram, f);
      graphene_rect_t bounds;

      g_assert_true (gtk_widget_compute_bounds (b, diagram, &bounds));
      g_assert_cmpuint (ridge_hand_diagram_finger_at (d, bounds.origin.x + bounds.size.width / 2,
                                                      bounds.origin.y + bounds.size.height / 2),
                        ==, f);
    }
  g_assert_cmpuint (ridge_hand_diagram_finger_at (d, 280, 5), ==, 0);
  /* the left hand is drawn on the left: its little finger is left of the right thumb */
  {
    graphene_rect_t l, r;

    g_assert_true (gtk_widget_compute_bounds (button_for (diagram, 10), diagram, &l));
    g_assert_true (gtk_widget_compute_bounds (button_for (diagram, 1), diagram, &r));
    g_assert_cmpfloat (l.origin.x, <, r.origin.x);
  }

  shot = ridge_test_screenshot (diagram, "hand-diagram");
  gtk_window_destroy (win);
  g_assert_finalize_object (diagram);
}

int
main (int   argc,
      char *argv[])
{
  ridge_test_init (&argc, &argv);
  g_test_add_func ("/hand-diagram/names", test_names);
  g_test_add_func ("/hand-diagram/selection", test_selection);
  return g_test_run ();
}
