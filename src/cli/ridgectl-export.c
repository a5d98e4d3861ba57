/* ridgectl-export.c — `ridgectl export`: send the local store to an export server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * export [--profile NAME | --url URL] [--pin-cert PEM] [--store PATH] [--queue all|none|USER…]
 *        [--batch N] [--attempts N] [--dry-run]
 * export status [--store PATH] [--profile NAME]
 * export profile add NAME URL [--pin-cert PEM] [--batch N] | list | remove NAME
 * export token set NAME | clear NAME        (the token is read from stdin, never echoed)
 * export test (--profile NAME | --url URL) [--pin-cert PEM]
 */
#define G_LOG_DOMAIN "ridgectl"

#include "config.h"

#include "ridgectl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>
#include <termios.h>
#include <unistd.h>

#include "ridge-export.h"
#include "ridge-secret.h"
#include "ridge-store.h"

static const char export_usage[] =
  "Usage:\n"
  "  ridgectl export [--profile NAME | --url URL] [--pin-cert PEM] [--store PATH]\n"
  "                  [--queue all|none|USER…] [--batch N] [--attempts N] [--dry-run]\n"
  "  ridgectl export status [--store PATH] [--profile NAME]\n"
  "  ridgectl export test (--profile NAME | --url URL) [--pin-cert PEM]\n"
  "  ridgectl export profile add NAME URL [--pin-cert PEM] [--batch N]\n"
  "  ridgectl export profile list | remove NAME\n"
  "  ridgectl export token set NAME      (reads the token from stdin)\n"
  "  ridgectl export token clear NAME\n";

/* ---- errors and output ---------------------------------------------------------------- */

static int
export_exit_code (const GError *error)
{
  if (error->domain != RIDGE_EXPORT_ERROR)
    {
      if (error->domain == RIDGE_STORE_ERROR)
        return EXIT_LOCAL;
      return ctl_exit_code_for (error);
    }
  switch ((RidgeExportErrorCode)error->code)
    {
      case RIDGE_EXPORT_ERROR_INVALID_PROFILE:
      case RIDGE_EXPORT_ERROR_NO_SETTINGS:
      case RIDGE_EXPORT_ERROR_NO_TOKEN:
        return EXIT_USAGE;
      case RIDGE_EXPORT_ERROR_NO_PROFILE:
        return EXIT_NOT_FOUND;
      case RIDGE_EXPORT_ERROR_UNREACHABLE:
      case RIDGE_EXPORT_ERROR_TLS_UNTRUSTED:
      case RIDGE_EXPORT_ERROR_TLS_PIN_MISMATCH:
      case RIDGE_EXPORT_ERROR_TLS_FAILED:
      case RIDGE_EXPORT_ERROR_TOKEN_REFUSED:
      case RIDGE_EXPORT_ERROR_FORBIDDEN:
      case RIDGE_EXPORT_ERROR_BUSY:
        return EXIT_CONNECTION;
      case RIDGE_EXPORT_ERROR_TIMED_OUT:
        return EXIT_TIMEOUT;
      case RIDGE_EXPORT_ERROR_FAILED:
      case RIDGE_EXPORT_ERROR_SERVER:
      case RIDGE_EXPORT_ERROR_REQUEST:
      case RIDGE_EXPORT_ERROR_PROTOCOL:
      default:
        return EXIT_TERMINAL;
    }
}

static int
export_fail (Ctl          *ctl,
             const GError *error)
{
  int code = export_exit_code (error);
  const char *nick = "FAILED";

  if (error->domain == RIDGE_EXPORT_ERROR)
    nick = ridge_export_error_nick (error->code);
  else if (error->domain == RIDGE_STORE_ERROR)
    nick = "LOCAL";
  else
    return ctl_fail (ctl, error);
  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "error");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "code");
      json_builder_add_string_value (b, nick);
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, error->message);
      json_builder_set_member_name (b, "exit_code");
      json_builder_add_int_value (b, code);
      json_builder_end_object (b);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else
    g_printerr ("ridgectl: %s\n", error->message);
  return code;
}

static char *
default_store_path (void)
{
  const char *env = g_getenv ("RIDGE_STORE");

  if (env && *env)
    return g_strdup (env);
  return g_build_filename (g_get_user_data_dir (), "ridge", "store.db", NULL);
}

static char *
format_time_ms (gint64 ms)
{
  g_autoptr (GDateTime) dt = NULL;

  if (ms <= 0)
    return g_strdup ("never");
  dt = g_date_time_new_from_unix_local (ms / 1000);
  return dt ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
}

/* A profile name for an ad-hoc --url: HOST_PORT with anything else made '-'. */
static char *
name_for_url (const char *url)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  GString *s;

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup ("url");
  s = g_string_new (g_uri_get_host (uri));
  g_string_append_printf (s, "_%d", g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : 443);
  for (gsize i = 0; i < s->len; i++)
    if (!g_ascii_isalnum (s->str[i]) && s->str[i] != '.' && s->str[i] != '_')
      s->str[i] = '-';
  g_string_truncate (s, MIN (s->len, 64));
  return g_string_free (s, FALSE);
}

/* ---- export (the run) ----------------------------------------------------------------- */

static void
on_progress (RidgeExporter            *exporter,
             const RidgeExportSummary *s,
             gpointer                  user_data)
{
  if (s->retry_in_ms > 0)
    g_printerr ("export: attempt %u failed: %s; retrying in %.1f s\n", s->attempt,
                s->last_error ? s->last_error : "?", s->retry_in_ms / 1000.0);
  else
    g_printerr ("export: %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT " answered (created %"
                G_GUINT64_FORMAT ", replayed %" G_GUINT64_FORMAT ", duplicates %"
                G_GUINT64_FORMAT ", rejected %" G_GUINT64_FORMAT ", conflicts %"
                G_GUINT64_FORMAT "), %" G_GUINT64_FORMAT " remaining\n",
                s->sent, s->total, s->created, s->replayed, s->duplicates, s->rejected,
                s->conflicts, s->remaining);
}

static void
add_summary_json (JsonBuilder              *b,
                  const RidgeExportSummary *s)
{
  static const char *const names[] = { "total", "sent", "created", "replayed", "duplicates",
                                       "rejected", "conflicts", "remaining", "queued_now" };
  const guint64 values[] = { s->total, s->sent, s->created, s->replayed, s->duplicates,
                             s->rejected, s->conflicts, s->remaining, s->queued_now };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      json_builder_set_member_name (b, names[i]);
      json_builder_add_int_value (b, (gint64)values[i]);
    }
}

typedef struct {
  const char *profile_name;
  const char *url;
  const char *pin;
  const char *store_path;
  guint       batch;
  guint       attempts;
  gboolean    dry_run;
  GPtrArray  *queue;  /* of const char *: "all", "none" or user ids */
} ExportOptions;

/* The profile of --profile or --url (+ --pin-cert, --batch), and its token. */
static RidgeExportProfile *
resolve_profile (ExportOptions      *o,
                 char              **token,
                 RidgeSecretBackend *backend,
                 gboolean            need_token,
                 GError            **error)
{
  g_autoptr (RidgeExportProfile) p = NULL;

  if (o->profile_name)
    {
      p = ridge_export_profile_load (o->profile_name, error);
      if (p == NULL)
        return NULL;
    }
  else
    {
      g_autofree char *name = name_for_url (o->url);
      p = ridge_export_profile_new (name, o->url, NULL, RIDGE_EXPORT_DEFAULT_BATCH);
    }
  if (o->pin)
    {
      g_free (p->pinned_certificate);
      p->pinned_certificate = g_strdup (o->pin);
    }
  if (o->batch)
    p->batch_size = o->batch;
  if (!ridge_export_profile_validate (p, error))
    return NULL;
  *token = ridge_secret_lookup (p->name, backend, error);
  if (*token == NULL && error && *error)
    return NULL;
  if (*token == NULL && need_token)
    {
      g_set_error (error, RIDGE_EXPORT_ERROR, RIDGE_EXPORT_ERROR_NO_TOKEN,
                   "%s Set one with “ridgectl export token set %s” (stdin) or "
                   "RIDGE_EXPORT_TOKEN.",
                   ridge_export_error_sentence (RIDGE_EXPORT_ERROR_NO_TOKEN), p->name);
      return NULL;
    }
  return g_steal_pointer (&p);
}

static void
apply_options (Ctl           *ctl,
               ExportOptions *o,
               RidgeExporter *exporter)
{
  if (o->attempts)
    ridge_exporter_set_max_attempts (exporter, o->attempts);
  if (ctl->timeout_ms)
    ridge_exporter_set_timeout (exporter, (ctl->timeout_ms + 999) / 1000);
  /* Tests shorten the waits; never below 10 ms. */
  if (g_getenv ("RIDGE_EXPORT_BACKOFF_MS"))
    {
      guint64 v = g_ascii_strtoull (g_getenv ("RIDGE_EXPORT_BACKOFF_MS"), NULL, 10);
      if (v >= 10 && v <= 60000)
        ridge_exporter_set_backoff (exporter, (guint)v, (guint)v * 16);
    }
}

static int
run_export (Ctl           *ctl,
            ExportOptions *o)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeExportProfile) profile = NULL;
  g_autoptr (RidgeStore) store = NULL;
  g_autoptr (RidgeExporter) exporter = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GPtrArray) users = g_ptr_array_new ();
  g_autofree char *token = NULL;
  g_autofree char *store_path = o->store_path ? g_strdup (o->store_path) : default_store_path ();
  RidgeSecretBackend backend = RIDGE_SECRET_BACKEND_NONE;
  RidgeExportQueue queue = RIDGE_EXPORT_QUEUE_ALL;
  RidgeExportSummary s = { 0 };
  gboolean ok;

  if (o->profile_name == NULL && o->url == NULL)
    return ctl_usage (ctl, "export needs --profile NAME or --url URL");
  if (o->profile_name && o->url)
    return ctl_usage (ctl, "export takes --profile or --url, not both");
  for (guint i = 0; i < o->queue->len; i++)
    {
      const char *q = o->queue->pdata[i];
      if (g_str_equal (q, "all"))
        queue = RIDGE_EXPORT_QUEUE_ALL;
      else if (g_str_equal (q, "none"))
        queue = RIDGE_EXPORT_QUEUE_NONE;
      else
        g_ptr_array_add (users, (gpointer)q);
    }
  if (users->len > 0)
    {
      if (o->queue->len != users->len)
        return ctl_usage (ctl, "--queue takes all, none, or user ids, not a mix");
      queue = RIDGE_EXPORT_QUEUE_USERS;
    }
  g_ptr_array_add (users, NULL);

  profile = resolve_profile (o, &token, &backend, !o->dry_run, &error);
  if (profile == NULL)
    return export_fail (ctl, error);
  if (!g_file_test (store_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (&error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_NOT_FOUND,
                   "There is no enrollment store at %s", store_path);
      return export_fail (ctl, error);
    }
  store = ridge_store_new (store_path, &error);
  if (store == NULL)
    return export_fail (ctl, error);
  if (!ctl->json && !o->dry_run)
    g_printerr ("export: %s (%s) from %s; token from the %s\n", profile->name, profile->url,
                store_path, ridge_secret_backend_to_string (backend));
  exporter = ridge_exporter_new (store, profile, token);
  apply_options (ctl, o, exporter);
  if (!ctl->json)
    g_signal_connect (exporter, "progress", G_CALLBACK (on_progress), NULL);
  ridge_exporter_run_async (exporter, queue, (const char *const *)users->pdata, o->dry_run,
                            ctl->cancellable, ctl_store_result, &res);
  ok = ridge_exporter_run_finish (exporter, ctl_wait (&res), &s, &error);

  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "profile");
      json_builder_add_string_value (b, profile->name);
      json_builder_set_member_name (b, "url");
      json_builder_add_string_value (b, profile->url);
      json_builder_set_member_name (b, "token_source");
      json_builder_add_string_value (b, ridge_secret_backend_to_string (backend));
      json_builder_set_member_name (b, "dry_run");
      json_builder_add_boolean_value (b, o->dry_run);
      add_summary_json (b, &s);
      json_builder_set_member_name (b, "ok");
      json_builder_add_boolean_value (b, ok);
      if (!ok)
        {
          json_builder_set_member_name (b, "error");
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "code");
          json_builder_add_string_value (b, error->domain == RIDGE_EXPORT_ERROR
                                         ? ridge_export_error_nick (error->code)
                                         : g_error_matches (error, G_IO_ERROR,
                                                            G_IO_ERROR_CANCELLED)
                                         ? "INTERRUPTED" : "LOCAL");
          json_builder_set_member_name (b, "message");
          json_builder_add_string_value (b, error->message);
          json_builder_set_member_name (b, "exit_code");
          json_builder_add_int_value (b, export_exit_code (error));
          json_builder_end_object (b);
        }
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else if (o->dry_run)
    g_print ("Dry run: %" G_GUINT64_FORMAT " template versions would be newly queued; %"
             G_GUINT64_FORMAT " items would be sent to %s (%s). Nothing was changed.\n",
             s.queued_now, s.total, profile->name, profile->url);
  else
    {
      g_print ("Exported to %s: %" G_GUINT64_FORMAT " answered of %" G_GUINT64_FORMAT
               " — %" G_GUINT64_FORMAT " created, %" G_GUINT64_FORMAT " already there, %"
               G_GUINT64_FORMAT " duplicates, %" G_GUINT64_FORMAT " rejected, %"
               G_GUINT64_FORMAT " conflicts; %" G_GUINT64_FORMAT " still queued.\n",
               profile->name, s.sent, s.total, s.created, s.replayed, s.duplicates, s.rejected,
               s.conflicts, s.remaining);
      if (s.duplicates + s.rejected + s.conflicts > 0)
        g_print ("See the reasons with “ridgectl export status --profile %s”.\n",
                 profile->name);
    }
  ridge_export_summary_clear (&s);
  if (!ok)
    {
      if (ctl->json)
        return export_exit_code (error);
      return export_fail (ctl, error);
    }
  return EXIT_OK;
}

/* ---- export status -------------------------------------------------------------------- */

static int
run_status (Ctl           *ctl,
            ExportOptions *o)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeStore) store = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *store_path = o->store_path ? g_strdup (o->store_path) : default_store_path ();

  if (!g_file_test (store_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (&error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_NOT_FOUND,
                   "There is no enrollment store at %s", store_path);
      return export_fail (ctl, error);
    }
  store = ridge_store_new (store_path, &error);
  if (store == NULL)
    return export_fail (ctl, error);
  rows = ridge_store_export_status (store, o->profile_name, &error);
  if (rows == NULL)
    return export_fail (ctl, error);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "destinations");
  json_builder_begin_array (b);
  if (!ctl->json)
    g_print ("%-24s %8s %8s %6s %6s %6s %6s  %-19s  %s\n", "DESTINATION", "QUEUED", "DONE",
             "DUPL", "REJ", "CONFL", "FAILED", "LAST SYNC", "LAST RUN");
  for (guint i = 0; i < rows->len; i++)
    {
      RidgeStoreExportStatus *st = rows->pdata[i];
      g_autoptr (GPtrArray) items = NULL;
      g_autofree char *last_sync = format_time_ms (st->last_success_ms);
      g_autofree char *last_run = format_time_ms (st->last_run_ms);

      items = ridge_store_outbox_list (store, st->destination, NULL, &error);
      if (items == NULL)
        return export_fail (ctl, error);
      if (!ctl->json)
        {
          g_print ("%-24s %8" G_GINT64_FORMAT " %8" G_GINT64_FORMAT " %6" G_GINT64_FORMAT
                   " %6" G_GINT64_FORMAT " %6" G_GINT64_FORMAT " %6" G_GINT64_FORMAT
                   "  %-19s  %s%s%s\n", st->destination, st->queued, st->done, st->duplicates,
                   st->rejected, st->conflicts, st->failed, last_sync, last_run,
                   st->last_error ? ": " : (st->last_run_ms ? ": ok" : ""),
                   st->last_error ? st->last_error : "");
        }
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "destination");
      json_builder_add_string_value (b, st->destination);
#define MEMBER(n, v) json_builder_set_member_name (b, n); json_builder_add_int_value (b, v)
      MEMBER ("queued", st->queued);
      MEMBER ("done", st->done);
      MEMBER ("duplicates", st->duplicates);
      MEMBER ("rejected", st->rejected);
      MEMBER ("conflicts", st->conflicts);
      MEMBER ("failed", st->failed);
      MEMBER ("last_run_unix_ms", st->last_run_ms);
      MEMBER ("last_sync_unix_ms", st->last_success_ms);
#undef MEMBER
      json_builder_set_member_name (b, "last_error");
      if (st->last_error)
        json_builder_add_string_value (b, st->last_error);
      else
        json_builder_add_null_value (b);
      /* The refused items with their reasons, and the reasons queued items wait on. */
      json_builder_set_member_name (b, "problems");
      json_builder_begin_array (b);
      for (guint j = 0; j < items->len; j++)
        {
          RidgeStoreOutboxItem *it = items->pdata[j];
          if (g_str_equal (it->state, "done") || it->last_error == NULL)
            continue;
          if (!ctl->json)
            g_print ("  template %" G_GINT64_FORMAT " v%" G_GINT64_FORMAT ": %s, %u attempts: %s\n",
                     it->template_id, it->template_version, it->state, it->attempts,
                     it->last_error);
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "template_id");
          json_builder_add_int_value (b, it->template_id);
          json_builder_set_member_name (b, "version");
          json_builder_add_int_value (b, it->template_version);
          json_builder_set_member_name (b, "state");
          json_builder_add_string_value (b, it->state);
          json_builder_set_member_name (b, "attempts");
          json_builder_add_int_value (b, it->attempts);
          json_builder_set_member_name (b, "reason");
          json_builder_add_string_value (b, it->last_error);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  if (ctl->json)
    ctl_print_json (b);
  else if (rows->len == 0)
    g_print ("Nothing was exported from %s yet.\n", store_path);
  return EXIT_OK;
}

/* ---- export test ---------------------------------------------------------------------- */

static int
run_test (Ctl           *ctl,
          ExportOptions *o)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeExportProfile) profile = NULL;
  g_autoptr (RidgeStore) store = NULL;
  g_autoptr (RidgeExporter) exporter = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autofree char *token = NULL;
  g_autofree char *server = NULL;
  g_autofree char *tmp_dir = NULL;
  g_autofree char *tmp_store = NULL;
  RidgeSecretBackend backend;
  guint64 count = 0;

  if ((o->profile_name == NULL) == (o->url == NULL))
    return ctl_usage (ctl, "export test needs --profile NAME or --url URL");
  profile = resolve_profile (o, &token, &backend, TRUE, &error);
  if (profile == NULL)
    return export_fail (ctl, error);
  /* The exporter wants a store; the test touches none: a throw-away one. */
  tmp_dir = g_dir_make_tmp ("ridgectl-XXXXXX", &error);
  if (tmp_dir == NULL)
    return export_fail (ctl, error);
  tmp_store = g_build_filename (tmp_dir, "s.db", NULL);
  store = ridge_store_new (tmp_store, &error);
  if (store)
    {
      exporter = ridge_exporter_new (store, profile, token);
      apply_options (ctl, o, exporter);
      ridge_exporter_test_async (exporter, ctl->cancellable, ctl_store_result, &res);
      server = ridge_exporter_test_finish (exporter, ctl_wait (&res), &count, &error);
    }
  g_clear_object (&store);
  g_clear_object (&exporter);
  {
    static const char *const suffixes[] = { "", "-wal", "-shm" };
    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *p = g_strconcat (tmp_store, suffixes[i], NULL);
        g_unlink (p);
      }
    g_rmdir (tmp_dir);
  }
  if (server == NULL)
    return export_fail (ctl, error);
  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "server");
      json_builder_add_string_value (b, server);
      json_builder_set_member_name (b, "templates");
      json_builder_add_int_value (b, (gint64)count);
      json_builder_set_member_name (b, "token_source");
      json_builder_add_string_value (b, ridge_secret_backend_to_string (backend));
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else
    g_print ("%s answers: %s, %" G_GUINT64_FORMAT " templates (token from the %s).\n",
             profile->url, server, count, ridge_secret_backend_to_string (backend));
  return EXIT_OK;
}

/* ---- export profile / token ----------------------------------------------------------- */

static int
run_profile (Ctl           *ctl,
             int            argc,
             char         **argv,
             ExportOptions *o)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();

  if (argc < 1)
    return ctl_usage (ctl, "export profile add|list|remove");
  if (g_str_equal (argv[0], "add") && argc == 3)
    {
      g_autoptr (RidgeExportProfile) p = ridge_export_profile_new (argv[1], argv[2], o->pin,
                                                                   o->batch);
      g_autofree char *abs_pin = NULL;
      if (p->pinned_certificate && !g_path_is_absolute (p->pinned_certificate))
        {
          g_autofree char *cwd = g_get_current_dir ();
          abs_pin = g_build_filename (cwd, p->pinned_certificate, NULL);
          g_free (p->pinned_certificate);
          p->pinned_certificate = g_steal_pointer (&abs_pin);
        }
      if (!ridge_export_profile_save (p, &error))
        return export_fail (ctl, error);
      if (!ctl->json)
        g_print ("Profile %s: %s%s%s, batches of %u.\n", p->name, p->url,
                 p->pinned_certificate ? ", pinned certificate " : "",
                 p->pinned_certificate ? p->pinned_certificate : "", p->batch_size);
    }
  else if (g_str_equal (argv[0], "remove") && argc == 2)
    {
      if (!ridge_export_profile_remove (argv[1], &error))
        return export_fail (ctl, error);
      if (!ctl->json)
        g_print ("Profile %s removed (its token stays until “export token clear %s”).\n",
                 argv[1], argv[1]);
    }
  else if (!g_str_equal (argv[0], "list") || argc != 1)
    return ctl_usage (ctl, "export profile add NAME URL | list | remove NAME");

  {
    g_auto (GStrv) names = ridge_export_profile_list (&error);
    if (names == NULL)
      return export_fail (ctl, error);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "profiles");
    json_builder_begin_array (b);
    for (guint i = 0; names[i]; i++)
      {
        g_autoptr (RidgeExportProfile) p = ridge_export_profile_load (names[i], &error);
        if (p == NULL)
          return export_fail (ctl, error);
        if (g_str_equal (argv[0], "list") && !ctl->json)
          g_print ("%-20s %-40s batch %-4u %s\n", p->name, p->url, p->batch_size,
                   p->pinned_certificate ? p->pinned_certificate : "(system CAs)");
        json_builder_begin_object (b);
        json_builder_set_member_name (b, "name");
        json_builder_add_string_value (b, p->name);
        json_builder_set_member_name (b, "url");
        json_builder_add_string_value (b, p->url);
        json_builder_set_member_name (b, "pinned_certificate");
        if (p->pinned_certificate)
          json_builder_add_string_value (b, p->pinned_certificate);
        else
          json_builder_add_null_value (b);
        json_builder_set_member_name (b, "batch_size");
        json_builder_add_int_value (b, p->batch_size);
        json_builder_end_object (b);
      }
    json_builder_end_array (b);
    json_builder_end_object (b);
    if (ctl->json)
      ctl_print_json (b);
    else if (names[0] == NULL && g_str_equal (argv[0], "list"))
      g_print ("No server profiles.\n");
  }
  return EXIT_OK;
}

/* Reads one line from stdin without echo when it is a terminal. */
static char *
read_token (void)
{
  struct termios old, quiet;
  gboolean tty = isatty (STDIN_FILENO);
  char buf[4096];
  char *line;
  gsize n;

  if (tty)
    {
      g_printerr ("Token: ");
      tcgetattr (STDIN_FILENO, &old);
      quiet = old;
      quiet.c_lflag &= ~(tcflag_t)ECHO;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }
  line = fgets (buf, sizeof buf, stdin);
  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &old);
      g_printerr ("\n");
    }
  if (line == NULL)
    return NULL;
  n = strlen (buf);
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
    buf[--n] = '\0';
  line = g_strdup (buf);
  memset (buf, 0, sizeof buf);
  return line;
}

static int
run_token (Ctl   *ctl,
           int    argc,
           char **argv)
{
  g_autoptr (GError) error = NULL;

  if (argc == 2 && g_str_equal (argv[0], "set"))
    {
      char *token = read_token ();
      RidgeSecretBackend where;
      if (token == NULL || *token == '\0')
        {
          g_free (token);
          return ctl_usage (ctl, "export token set reads the token from stdin; it was empty");
        }
      where = ridge_secret_store (argv[1], token, &error);
      memset (token, 0, strlen (token));
      g_free (token);
      if (where == RIDGE_SECRET_BACKEND_NONE)
        return export_fail (ctl, error);
      if (ctl->json)
        {
          g_autoptr (JsonBuilder) b = json_builder_new ();
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "stored_in");
          json_builder_add_string_value (b, ridge_secret_backend_to_string (where));
          json_builder_end_object (b);
          ctl_print_json (b);
        }
      else if (where == RIDGE_SECRET_BACKEND_FILE)
        {
          g_autofree char *path = ridge_secret_file_path ();
          g_print ("Token for %s stored in %s (mode 0600): no keyring answered.\n", argv[1],
                   path);
        }
      else
        g_print ("Token for %s stored in the keyring.\n", argv[1]);
      return EXIT_OK;
    }
  if (argc == 2 && g_str_equal (argv[0], "clear"))
    {
      if (!ridge_secret_clear (argv[1], &error))
        return export_fail (ctl, error);
      if (!ctl->json)
        g_print ("Token for %s cleared.\n", argv[1]);
      else
        {
          g_autoptr (JsonBuilder) b = json_builder_new ();
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "cleared");
          json_builder_add_boolean_value (b, TRUE);
          json_builder_end_object (b);
          ctl_print_json (b);
        }
      return EXIT_OK;
    }
  return ctl_usage (ctl, "export token set NAME | clear NAME");
}

/* ---- dispatch ------------------------------------------------------------------------- */

int
ctl_cmd_export (Ctl   *ctl,
                int    argc,
                char **argv)
{
  g_autoptr (GPtrArray) queue = g_ptr_array_new ();
  g_autoptr (GPtrArray) positional = g_ptr_array_new ();
  ExportOptions o = { 0 };

  o.queue = queue;
  for (int i = 1; i < argc; i++)
    {
      const char *a = argv[i];
      const char **slot = NULL;
      if (g_str_equal (a, "--help"))
        {
          g_print ("%s", export_usage);
          return EXIT_OK;
        }
      if (g_str_equal (a, "--dry-run"))
        {
          o.dry_run = TRUE;
          continue;
        }
      if (g_str_equal (a, "--profile"))
        slot = &o.profile_name;
      else if (g_str_equal (a, "--url"))
        slot = &o.url;
      else if (g_str_equal (a, "--pin-cert"))
        slot = &o.pin;
      else if (g_str_equal (a, "--store"))
        slot = &o.store_path;
      if (slot || g_str_equal (a, "--queue") || g_str_equal (a, "--batch")
          || g_str_equal (a, "--attempts"))
        {
          if (i + 1 >= argc)
            return ctl_usage (ctl, "%s needs a value", a);
          if (slot)
            *slot = argv[++i];
          else if (g_str_equal (a, "--queue"))
            {
              /* --queue all | none | USER [USER…] (also USER,USER): collected below */
              while (i + 1 < argc && argv[i + 1][0] != '-')
                i++;
            }
          else
            {
              guint64 v;
              guint64 max = g_str_equal (a, "--batch") ? RIDGE_EXPORT_MAX_BATCH : 1000;
              if (!ctl_parse_uint (argv[++i], max, &v) || v == 0)
                return ctl_usage (ctl, "%s takes 1 … %" G_GUINT64_FORMAT ", not “%s”", a, max,
                                  argv[i]);
              if (g_str_equal (a, "--batch"))
                o.batch = (guint)v;
              else
                o.attempts = (guint)v;
            }
          continue;
        }
      if (a[0] == '-')
        return ctl_usage (ctl, "export: unknown option “%s”", a);
      g_ptr_array_add (positional, argv[i]);
    }
  g_ptr_array_set_size (queue, 0);
  /* The --queue values, again, as pointers into argv (comma lists split in place). */
  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--queue"))
      while (i + 1 < argc && argv[i + 1][0] != '-')
        {
          char *v = argv[++i];
          char *save = NULL;
          for (char *t = strtok_r (v, ",", &save); t; t = strtok_r (NULL, ",", &save))
            g_ptr_array_add (queue, t);
        }
    else if (g_str_equal (argv[i], "--profile") || g_str_equal (argv[i], "--url")
             || g_str_equal (argv[i], "--pin-cert") || g_str_equal (argv[i], "--store")
             || g_str_equal (argv[i], "--batch") || g_str_equal (argv[i], "--attempts"))
      i++;

  if (positional->len == 0)
    return run_export (ctl, &o);
  if (g_str_equal (positional->pdata[0], "status") && positional->len == 1)
    return run_status (ctl, &o);
  if (g_str_equal (positional->pdata[0], "test") && positional->len == 1)
    return run_test (ctl, &o);
  if (g_str_equal (positional->pdata[0], "profile"))
    return run_profile (ctl, (int)positional->len - 1, (char **)positional->pdata + 1, &o);
  if (g_str_equal (positional->pdata[0], "token"))
    return run_token (ctl, (int)positional->len - 1, (char **)positional->pdata + 1);
  g_printerr ("%s", export_usage);
  return EXIT_USAGE;
}
