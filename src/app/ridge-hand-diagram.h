/* ridge-hand-diagram.h — two hands, ten fingers (ISO/IEC 19794-2 finger positions)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Positions: 1 right thumb, 2 right index, 3 right middle, 4 right ring, 5 right little,
 * 6 left thumb … 10 left little; 0 means "none". Each finger is a focusable toggle button
 * with an accessible label, so the diagram works with the keyboard and a screen reader.
 * Drawn as seen from above, backs of the hands: left hand on the left.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RIDGE_FINGER_NONE 0
#define RIDGE_FINGER_MAX  10

#define RIDGE_TYPE_HAND_DIAGRAM (ridge_hand_diagram_get_type ())
G_DECLARE_FINAL_TYPE (RidgeHandDiagram, ridge_hand_diagram, RIDGE, HAND_DIAGRAM, GtkWidget)

GtkWidget  *ridge_hand_diagram_new (void);
/* 0 clears the selection. */
void        ridge_hand_diagram_set_selected (RidgeHandDiagram *self,
                                             guint             finger);
guint       ridge_hand_diagram_get_selected (RidgeHandDiagram *self);
/* Bit n (1 << n) set means finger n is enrolled; bit 0 is ignored. */
void        ridge_hand_diagram_set_enrolled (RidgeHandDiagram *self,
                                             guint             mask);
guint       ridge_hand_diagram_get_enrolled (RidgeHandDiagram *self);
/* The finger whose button is under (x, y) in widget coordinates, or 0. */
guint       ridge_hand_diagram_finger_at (RidgeHandDiagram *self,
                                          double            x,
                                          double            y);
/* Translated name, e.g. "Right index finger"; NULL for an invalid position. */
const char *ridge_finger_name (guint finger);

G_END_DECLS
