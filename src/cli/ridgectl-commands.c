/* ridgectl-commands.c — helpers shared by the ridgectl command files (ridgectl-link.c,
 * ridgectl-capture.c, ridgectl-templates.c, ridgectl-diag.c, ridgectl-reader.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridgectl"

#include "config.h"

#include "ridgectl.h"

#include <string.h>

/* Parses command options; argv[0] is the command name. Returns FALSE after printing. */
gboolean
ctl_parse_options (Ctl          *ctl,
                   const char   *params,
                   const char   *summary,
                   GOptionEntry *entries,
                   int          *argc,
                   char       ***argv)
{
  g_autoptr (GOptionContext) oc = g_option_context_new (params);
  g_autoptr (GError) error = NULL;

  g_option_context_set_summary (oc, summary);
  if (entries != NULL)
    g_option_context_add_main_entries (oc, entries, NULL);
  if (!g_option_context_parse (oc, argc, argv, &error))
    {
      ctl_usage (ctl, "%s", error->message);
      return FALSE;
    }
  return TRUE;
}

int
ctl_connect_or_fail (Ctl *ctl)
{
  g_autoptr (GError) error = NULL;
  int rc = ctl_connect (ctl, &error);

  if (rc == EXIT_USAGE && error != NULL)
    return ctl_usage (ctl, "%s", error->message); /* not an address */
  if (rc != EXIT_OK)
    return error ? ctl_fail (ctl, error) : rc;
  return EXIT_OK;
}
