/* main.c — the ridge executable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "ridge-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr (RidgeApplication) app = NULL;
  g_autoptr (GSettingsSchema) schema = NULL;
  GSettingsSchemaSource *source;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* g_settings_new() aborts on a missing schema; say what is wrong instead */
  source = g_settings_schema_source_get_default ();
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, RIDGE_APPLICATION_ID, TRUE);
  if (schema == NULL)
    {
      g_printerr (_ ("ridge: the settings schema %s is not installed. Install Ridge, or run it "
                     "from the build folder with `meson devenv`.\n"), RIDGE_APPLICATION_ID);
      return 1;
    }

  app = ridge_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
