/* ridge-sensor-panel.h — the terminal's sensor parameters (gain, contrast, LED …) live
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Built from whatever PARAM_GET reports (name, value, range): one slider per parameter.
 * A moved slider is sent with PARAM_SET after a short pause (debounced, one request in
 * flight); the answer, the terminal's full parameter list, is shown. Errors go to the
 * window's toasts and the sliders return to what the terminal says. "Restore" sets the
 * values the terminal had when the panel first read it on this connection (the protocol
 * carries no factory defaults).
 */
#pragma once

#include <adwaita.h>

#include "ridge-terminal-item.h"

G_BEGIN_DECLS

/* Pause after the last slider movement before PARAM_SET goes out. */
#define RIDGE_SENSOR_PANEL_DEBOUNCE_MS 150

#define RIDGE_TYPE_SENSOR_PANEL (ridge_sensor_panel_get_type ())
G_DECLARE_FINAL_TYPE (RidgeSensorPanel, ridge_sensor_panel, RIDGE, SENSOR_PANEL, GtkBox)

GtkWidget *ridge_sensor_panel_new (void);
void       ridge_sensor_panel_set_item (RidgeSensorPanel  *self,
                                        RidgeTerminalItem *item);
/* PARAM_GET again. */
void       ridge_sensor_panel_refresh (RidgeSensorPanel *self);
/* Parameters shown (0 before the first answer). */
guint      ridge_sensor_panel_get_n_params (RidgeSensorPanel *self);
/* The value shown for a parameter by its wire name; FALSE if there is none. */
gboolean   ridge_sensor_panel_get_value (RidgeSensorPanel *self,
                                         const char       *name,
                                         int              *value);
/* Moves a slider as the user would (clamped to its range); FALSE if there is none. */
gboolean   ridge_sensor_panel_set_value (RidgeSensorPanel *self,
                                         const char       *name,
                                         int               value);
/* TRUE while a change waits for its pause or its answer ("busy" property). */
gboolean   ridge_sensor_panel_get_busy (RidgeSensorPanel *self);
/* Back to the values first read on this connection (sent like slider moves). */
void       ridge_sensor_panel_restore (RidgeSensorPanel *self);

G_END_DECLS
