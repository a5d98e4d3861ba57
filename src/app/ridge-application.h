/* ridge-application.h — the Ridge application (org.ridge.Ridge)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define RIDGE_APPLICATION_ID "org.ridge.Ridge"

#define RIDGE_TYPE_APPLICATION (ridge_application_get_type ())
G_DECLARE_FINAL_TYPE (RidgeApplication, ridge_application, RIDGE, APPLICATION, AdwApplication)

RidgeApplication *ridge_application_new (void);
/* The about window, built but not shown (tests take its screenshot). */
GtkWidget        *ridge_application_create_about_window (RidgeApplication *self,
                                                         GtkWindow        *parent);

G_END_DECLS
