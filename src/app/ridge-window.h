/* ridge-window.h — the main window: terminals sidebar and the selected terminal's pages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ridge-fleet-page.h"
#include "ridge-terminal-view.h"

G_BEGIN_DECLS

#define RIDGE_TYPE_WINDOW (ridge_window_get_type ())
G_DECLARE_FINAL_TYPE (RidgeWindow, ridge_window, RIDGE, WINDOW, AdwApplicationWindow)

RidgeWindow       *ridge_window_new (AdwApplication * application);
/* Adds a terminal (normalised first); FALSE with a sentence in error if it is invalid or
 * already listed. The list is saved in GSettings. */
gboolean           ridge_window_add_terminal (RidgeWindow *self,
                                              const char  *address,
                                              GError     **error);
gboolean           ridge_window_remove_terminal (RidgeWindow *self,
                                                 const char  *address);
GListModel        *ridge_window_get_terminals (RidgeWindow *self);
void               ridge_window_select_terminal (RidgeWindow *self,
                                                 const char  *address);
/* Connect to a terminal when it is selected (the application turns this on). */
void               ridge_window_set_autoconnect (RidgeWindow *self,
                                                 gboolean     autoconnect);
RidgeTerminalView *ridge_window_get_terminal_view (RidgeWindow *self);
/* The local fingerprint readers below the terminals, and the view of the selected one
 * (NULL when Ridge is built without libfprint or RIDGE_NO_READERS=1). */
GtkListBox        *ridge_window_get_reader_list (RidgeWindow *self);
GtkWidget         *ridge_window_get_reader_view (RidgeWindow *self);
/* The "All Terminals" overview (the sidebar's top button). */
void               ridge_window_show_fleet (RidgeWindow *self);
RidgeFleetPage    *ridge_window_get_fleet_page (RidgeWindow *self);
/* What RidgeUsbMonitor reports (port path "1-2.3"): a USB terminal appears in the list as
 * "usb:PORT" without being saved, and goes away when unplugged unless the user added it. */
void               ridge_window_usb_device_added (RidgeWindow *self,
                                                  const char  *port_path);
void               ridge_window_usb_device_removed (RidgeWindow *self,
                                                    const char  *port_path);
/* TRUE for a terminal shown because it is plugged in (not saved). */
gboolean           ridge_window_is_terminal_automatic (RidgeWindow *self,
                                                       const char  *address);
void               ridge_window_show_toast (RidgeWindow *self,
                                            const char  *message);

G_END_DECLS
