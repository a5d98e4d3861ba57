/* test-export-client-util.h — shared by the export client tests: a work folder, certificates,
 * ridge-test-server as a child process, a filled store, the server's template list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "ridge-store.h"
#include "../store/store-test-util.h"

#define TEST_TOKEN "e2-test-token"

typedef struct {
  GSubprocess *proc;
  guint        port;
  char        *db;
  char        *url;
} TestServer;

static char *work_dir;
static char *cert_path, *key_path, *other_cert_path;

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
test_make_cert (const char *dir)
{
  g_autoptr (GError) error = NULL;
  const char *argv[] = { g_getenv ("RIDGE_TEST_CERT_SH"), dir, NULL };
  int status = 0;

  g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status,
                &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);
}

/* Returns 77 (skip) or 0; sets up work_dir and two certificates. */
static int
test_setup_work_dir (const char *name)
{
  const char *build_root = g_getenv ("RIDGE_BUILD_ROOT");
  g_autofree char *tmpl = NULL;
  g_autofree char *other = NULL;
  g_autofree char *openssl = NULL;

  if (g_getenv ("RIDGE_TEST_SERVER_EXE") == NULL || g_getenv ("RIDGE_TEST_CERT_SH") == NULL)
    {
      g_printerr ("RIDGE_TEST_SERVER_EXE and RIDGE_TEST_CERT_SH must be set (meson test)\n");
      exit (1);
    }
  openssl = g_find_program_in_path ("openssl");
  if (openssl == NULL)
    {
      g_printerr ("openssl is not installed (./dev.sh deps): skipped\n");
      return 77;
    }
  tmpl = g_strdup_printf ("%s/tests/export/%s-XXXXXX",
                          build_root ? build_root : g_get_tmp_dir (), name);
  {
    g_autofree char *parent = g_path_get_dirname (tmpl);
    g_mkdir_with_parents (parent, 0700);
  }
  g_assert_nonnull (g_mkdtemp (tmpl));
  work_dir = g_strdup (tmpl);
  test_make_cert (work_dir);
  cert_path = g_build_filename (work_dir, "cert.pem", NULL);
  key_path = g_build_filename (work_dir, "key.pem", NULL);
  other = g_build_filename (work_dir, "other", NULL);
  test_make_cert (other);
  other_cert_path = g_build_filename (other, "cert.pem", NULL);
  return 0;
}

static void
rm_rf (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_unlink (path);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      rm_rf (child);
    }
  g_rmdir (path);
}

/* Starts ridge-test-server on port (0: any) with its database db and the extra options. */
static void
test_server_start (TestServer        *s,
                   guint              port,
                   const char *const *extra)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GDataInputStream) in = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *line = NULL;
  static guint n_db;

  if (s->db == NULL)
    s->db = g_strdup_printf ("%s/server-%u.db", work_dir, ++n_db);
  g_ptr_array_add (argv, g_strdup (g_getenv ("RIDGE_TEST_SERVER_EXE")));
  g_ptr_array_add (argv, g_strdup_printf ("--port=%u", port));
  g_ptr_array_add (argv, g_strdup_printf ("--cert=%s", cert_path));
  g_ptr_array_add (argv, g_strdup_printf ("--key=%s", key_path));
  g_ptr_array_add (argv, g_strdup ("--token=" TEST_TOKEN));
  g_ptr_array_add (argv, g_strdup_printf ("--db=%s", s->db));
  for (int i = 0; extra && extra[i]; i++)
    g_ptr_array_add (argv, g_strdup (extra[i]));
  g_ptr_array_add (argv, NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  s->proc = g_subprocess_launcher_spawnv (launcher, (const char *const *)argv->pdata, &error);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (s->proc));
  line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "ridge-test-server: listening on https://127.0.0.1:"));
  s->port = (guint)atoi (strrchr (line, ':') + 1);
  g_free (s->url);
  s->url = g_strdup_printf ("https://127.0.0.1:%u", s->port);
}

static void
test_server_kill (TestServer *s)
{
  if (s->proc == NULL)
    return;
  g_subprocess_send_signal (s->proc, SIGKILL);
  g_subprocess_wait (s->proc, NULL, NULL);
  g_clear_object (&s->proc);
}

static void
test_server_clear (TestServer *s)
{
  test_server_kill (s);
  g_clear_pointer (&s->db, g_free);
  g_clear_pointer (&s->url, g_free);
}

/* A store of n templates of n distinct users (valid ISO records of random minutiae). */
static RidgeStore *
test_fill_store (const char *path,
                 guint       n,
                 guint       seed)
{
  g_autoptr (GError) error = NULL;
  g_autofree RidgeEnrollTemplate *e = g_new0 (RidgeEnrollTemplate, 1);
  RidgeStore *store = ridge_store_new (path, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GBytes) iso = NULL;
      g_autofree char *uid = g_strdup_printf ("user-%05u", i + 1);
      g_autofree char *name = g_strdup_printf ("User %u", i + 1);
      RidgeStoreTemplateData d = { 0 };
      RidgeStoreProvenance prov = { "T-0001", "operator", "enroll" };

      if (i % 500 == 0)
        g_assert_true (ridge_store_begin (store, &error));
      store_test_make_enroll (seed * 100003u + i, 1, e);
      iso = store_test_fmr (e, 1 + i % 10, RIDGE_FMR_FORMAT_ISO);
      d.user_external_id = uid;
      d.display_name = name;
      d.finger = 1 + i % 10;
      d.iso_record = iso;
      d.samples = 1;
      d.quality = 60;
      g_assert_cmpint (ridge_store_put_template (store, &d, &prov, &error), >, 0);
      g_assert_no_error (error);
      if (i % 500 == 499 || i + 1 == n)
        g_assert_true (ridge_store_commit (store, &error));
    }
  return store;
}

static gboolean
accept_any (SoupMessage         *msg,
            GTlsCertificate     *cert,
            GTlsCertificateFlags errors,
            gpointer             user_data)
{
  return TRUE;
}

/* GET url path → JSON object (asserts 200). */
static JsonObject *
test_get_json (SoupSession *session,
               const char  *url,
               const char  *path)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *uri = g_strconcat (url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", uri);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  gsize len;
  const char *p;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                "Bearer " TEST_TOKEN);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any), NULL);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  p = g_bytes_get_data (body, &len);
  g_assert_true (json_parser_load_from_data (parser, p, len, &error));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* Every template on the server: idempotency key → sha256 (asserts each key once). */
static GHashTable *
test_server_templates (const char *url,
                       guint      *n_items)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  GHashTable *keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *after = NULL;

  *n_items = 0;
  for (;;)
    {
      g_autofree char *path = after ? g_strdup_printf ("/v1/templates?limit=1000&after=%s", after)
                                    : g_strdup ("/v1/templates?limit=1000");
      g_autoptr (JsonObject) page = test_get_json (session, url, path);
      JsonArray *items = json_object_get_array_member (page, "items");
      JsonNode *next = json_object_get_member (page, "next");

      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          JsonObject *it = json_array_get_object_element (items, i);
          const char *key = json_object_get_string_member (it, "idempotency_key");
          (*n_items)++;
          if (g_hash_table_contains (keys, key))
            g_error ("the server holds %s twice", key);
          g_hash_table_insert (keys, g_strdup (key),
                               g_strdup (json_object_get_string_member (it, "sha256")));
        }
      if (next == NULL || JSON_NODE_HOLDS_NULL (next))
        break;
      g_free (after);
      after = g_strdup (json_node_get_string (next));
    }
  return keys;
}

/* Asserts the server holds exactly the store's templates (key and SHA-256), each once. */
static void
test_assert_exactly_once (RidgeStore *store,
                          const char *url)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) recs = ridge_store_list (store, NULL, &error);
  guint n_server = 0;
  g_autoptr (GHashTable) keys = test_server_templates (url, &n_server);

  g_assert_no_error (error);
  g_assert_cmpuint (n_server, ==, recs->len);
  g_assert_cmpuint (g_hash_table_size (keys), ==, recs->len);
  for (guint i = 0; i < recs->len; i++)
    {
      RidgeStoreRecord *r = recs->pdata[i];
      g_autoptr (RidgeStoreTemplate) t = ridge_store_get_template (store, r->template_id, &error);
      g_autofree char *key = g_strdup_printf ("%s:%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT,
                                              ridge_store_get_uuid (store), r->template_id,
                                              r->version);
      g_autofree char *sha = NULL;
      const char *held;

      g_assert_no_error (error);
      sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, t->iso_record);
      held = g_hash_table_lookup (keys, key);
      if (held == NULL)
        g_error ("the server lacks %s", key);
      g_assert_cmpstr (held, ==, sha);
    }
}
