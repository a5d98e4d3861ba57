/* ridge-application.c — the Ridge application (org.ridge.Ridge)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-application"

#include "config.h"

#include "ridge-application.h"

#include <glib/gi18n.h>

#include "ridge-preferences-window.h"
#include "ridge-window.h"

struct _RidgeApplication {
  AdwApplication parent_instance;

  char **terminals;           /* --terminal addresses, added to the window on activate */
};

G_DEFINE_FINAL_TYPE (RidgeApplication, ridge_application, ADW_TYPE_APPLICATION);

GtkWidget *
ridge_application_create_about_window (RidgeApplication *self,
                                       GtkWindow        *parent)
{
  static const char *developers[] = { "The Ridge developers", NULL };

  g_return_val_if_fail (RIDGE_IS_APPLICATION (self), NULL);

  return g_object_new (ADW_TYPE_ABOUT_WINDOW,
                       "transient-for", parent,
                       "application-name", _ ("Ridge"),
                       "application-icon", RIDGE_APPLICATION_ID,
                       "developer-name", _ ("The Ridge developers"),
                       "developers", developers,
                       "version", PACKAGE_VERSION,
                       "comments", _ ("Watch the sensor of an embedded fingerprint terminal, "
                                      "enroll fingers, and follow the health of its link."),
                       "license-type", GTK_LICENSE_GPL_3_0,
                       /* Translators: your names, one per line */
                       "translator-credits", _ ("translator-credits"),
                       NULL);
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  RidgeApplication *self = RIDGE_APPLICATION (user_data);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  gtk_window_present (GTK_WINDOW (ridge_application_create_about_window (self, parent)));
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  GApplication *app = G_APPLICATION (user_data);
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));

  /* close the windows so they save their state; the application then exits */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
  g_list_free (windows);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  gtk_window_present (GTK_WINDOW (ridge_preferences_window_new (parent)));
}

static const GActionEntry app_actions[] = {
  { .name = "preferences", .activate = preferences_action },
  { .name = "about", .activate = about_action },
  { .name = "quit", .activate = quit_action },
};

static void
ridge_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *add_accels[] = { "<Control>n", NULL };
  static const char *help_accels[] = { "<Control>question", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (ridge_application_parent_class)->startup (app);

  /* follow the desktop's light/dark preference */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_PREFER_LIGHT);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions),
                                   app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.add-terminal", add_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.show-help-overlay",
                                         help_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences",
                                         preferences_accels);
}

static int
ridge_application_handle_local_options (GApplication *app,
                                        GVariantDict *options)
{
  RidgeApplication *self = RIDGE_APPLICATION (app);

  g_clear_pointer (&self->terminals, g_strfreev);
  g_variant_dict_lookup (options, "terminal", "^as", &self->terminals);
  return -1;
}

static void
ridge_application_activate (GApplication *app)
{
  RidgeApplication *self = RIDGE_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    {
      RidgeWindow *w = ridge_window_new (ADW_APPLICATION (app));

      ridge_window_set_autoconnect (w, TRUE);
      window = GTK_WINDOW (w);
    }

  /* --terminal: add (or, when listed already, select) each address */
  for (guint i = 0; self->terminals != NULL && self->terminals[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;

      if (ridge_window_add_terminal (RIDGE_WINDOW (window), self->terminals[i], &error))
        continue;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
        ridge_window_select_terminal (RIDGE_WINDOW (window), self->terminals[i]);
      else
        ridge_window_show_toast (RIDGE_WINDOW (window), error->message);
    }
  g_clear_pointer (&self->terminals, g_strfreev);

  gtk_window_present (window);
}

static void
ridge_application_finalize (GObject *object)
{
  RidgeApplication *self = RIDGE_APPLICATION (object);

  g_clear_pointer (&self->terminals, g_strfreev);
  G_OBJECT_CLASS (ridge_application_parent_class)->finalize (object);
}

static void
ridge_application_class_init (RidgeApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = ridge_application_finalize;
  app_class->handle_local_options = ridge_application_handle_local_options;
  app_class->startup = ridge_application_startup;
  app_class->activate = ridge_application_activate;
}

static void
ridge_application_init (RidgeApplication *self)
{
  static const GOptionEntry entries[] = {
    { "terminal", 't', 0, G_OPTION_ARG_STRING_ARRAY, NULL,
      N_ ("Add the terminal at ADDRESS (host[:port]) and select it"), N_ ("ADDRESS") },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

RidgeApplication *
ridge_application_new (void)
{
  return g_object_new (RIDGE_TYPE_APPLICATION,
                       "application-id", RIDGE_APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/org/ridge/Ridge",
                       NULL);
}
