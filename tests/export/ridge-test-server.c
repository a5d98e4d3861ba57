/* ridge-test-server.c — the export API test server (docs/export-api.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-test-server"

#include "config.h"

#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ridge-export-server.h"

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static gboolean
parse_rate (const char *name,
            double      value,
            GError    **error)
{
  if (value < 0.0 || value > 1.0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s must be between 0 and 1", name);
      return FALSE;
    }
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  int port = 0;
  g_autofree char *cert_path = NULL, *key_path = NULL, *token = NULL, *token_file = NULL;
  g_autofree char *db_path = NULL;
  gboolean no_duplicate_check = FALSE;
  double fail_rate = 0, busy_rate = 0, stall_rate = 0;
  int stall_ms = 10000, seed = 1;
  gint64 exit_after = 0;
  int max_db_mb = 0;
  GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Port on 127.0.0.1 (0: pick a free one)", "PORT" },
    { "cert", 0, 0, G_OPTION_ARG_FILENAME, &cert_path, "Certificate (PEM)", "FILE" },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &key_path, "Private key (PEM)", "FILE" },
    { "token", 0, 0, G_OPTION_ARG_STRING, &token, "Bearer token the clients must send", "TOKEN" },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &token_file,
      "Read the token from FILE (first line) instead", "FILE" },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path,
      "SQLite database (created 0600 if missing)", "PATH" },
    { "no-duplicate-check", 0, 0, G_OPTION_ARG_NONE, &no_duplicate_check,
      "Store without the biometric duplicate check (bulk loads)", NULL },
    { "fail-rate", 0, 0, G_OPTION_ARG_DOUBLE, &fail_rate,
      "Answer this fraction of requests 500/502 without doing anything", "P" },
    { "busy-rate", 0, 0, G_OPTION_ARG_DOUBLE, &busy_rate,
      "Answer this fraction 503/429 with Retry-After: 1 without doing anything", "P" },
    { "stall-rate", 0, 0, G_OPTION_ARG_DOUBLE, &stall_rate,
      "Handle (and commit) this fraction, then answer only after --stall-ms", "P" },
    { "stall-ms", 0, 0, G_OPTION_ARG_INT, &stall_ms, "Stall length (default 10000)", "MS" },
    { "exit-after", 0, 0, G_OPTION_ARG_INT64, &exit_after,
      "Exit with status 3 once N items are committed, before answering", "N" },
    { "max-db-mb", 0, 0, G_OPTION_ARG_INT, &max_db_mb,
      "Cap the database at MB mebibytes (a full disk: batches beyond it get 503)", "MB" },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, "Seed of the fault decisions (default 1)", "S" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GTlsCertificate) certificate = NULL;
  g_autoptr (RidgeExportServer) server = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  RidgeExportFaults faults = { 0 };

  context = g_option_context_new ("- the Ridge export API test server");
  g_option_context_set_summary (context,
                                "Serves the Ridge export API v1 (docs/export-api.md) over "
                                "HTTPS on 127.0.0.1 and prints\n"
                                "\"ridge-test-server: listening on https://127.0.0.1:PORT\" "
                                "once it accepts connections.\n"
                                "Failures (500/502, 503/429) and stalls are drawn per request "
                                "from --seed; SIGTERM/SIGINT stop it cleanly.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error)
      || !parse_rate ("--fail-rate", fail_rate, &error)
      || !parse_rate ("--busy-rate", busy_rate, &error)
      || !parse_rate ("--stall-rate", stall_rate, &error))
    {
      g_printerr ("ridge-test-server: %s\n", error->message);
      return 1;
    }
  if (cert_path == NULL || key_path == NULL || db_path == NULL
      || (token == NULL && token_file == NULL) || port < 0 || port > 65535 || stall_ms < 0
      || exit_after < 0 || max_db_mb < 0 || fail_rate + busy_rate > 1.0)
    {
      g_printerr ("ridge-test-server: --cert, --key, --db and --token (or --token-file) are "
                  "needed; rates add up to at most 1, counts are not negative\n");
      return 1;
    }
  if (token_file != NULL)
    {
      g_autofree char *contents = NULL;
      if (!g_file_get_contents (token_file, &contents, NULL, &error))
        {
          g_printerr ("ridge-test-server: %s\n", error->message);
          return 1;
        }
      contents[strcspn (contents, "\r\n")] = '\0';
      g_free (token);
      token = g_strdup (contents);
      memset (contents, 0, strlen (contents));
    }

  certificate = g_tls_certificate_new_from_files (cert_path, key_path, &error);
  if (certificate == NULL)
    {
      g_printerr ("ridge-test-server: cannot load the certificate: %s\n", error->message);
      return 1;
    }
  server = ridge_export_server_new (db_path, token, certificate, !no_duplicate_check, &error);
  if (server == NULL)
    {
      g_printerr ("ridge-test-server: %s\n", error->message);
      return 1;
    }
  if (max_db_mb > 0
      && !ridge_export_server_set_max_size (server, (guint64)max_db_mb * 1024 * 1024, &error))
    {
      g_printerr ("ridge-test-server: %s\n", error->message);
      return 1;
    }
  faults.fail_rate = fail_rate;
  faults.busy_rate = busy_rate;
  faults.stall_rate = stall_rate;
  faults.stall_ms = stall_ms;
  faults.exit_after = exit_after;
  faults.seed = (guint32)seed;
  ridge_export_server_set_faults (server, &faults);

  if (!ridge_export_server_listen (server, port, &error))
    {
      g_printerr ("ridge-test-server: cannot listen on port %d: %s\n", port, error->message);
      return 1;
    }
  printf ("ridge-test-server: listening on https://127.0.0.1:%u\n",
          ridge_export_server_get_port (server));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_main_loop_run (loop);
  return 0;
}
