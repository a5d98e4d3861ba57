/* bench-export.c — upload speed of ridge-test-server, against its storage and matching floors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Starts ridge-test-server (tests/export) with a fresh certificate and database and
 * uploads templates over HTTPS in batches of 500 with a libsoup 3 client:
 *  1. N templates (default 10,000) with --no-duplicate-check. Reference: the same records
 *     inserted straight into an SQLite file in this process (WAL, synchronous = FULL, one
 *     commit per 500: the server's storage floor). The ratio is what HTTPS, JSON, base64,
 *     validation and the server's bookkeeping add.
 *  2. M templates (default 1,000) with the duplicate check. Reference: the comparisons the
 *     check must make (each new template against every stored one), timed in this process
 *     with ridge_match_prepared on one thread. A ratio below 1 is the server's threads.
 *
 * Usage: bench-export [N [M]]   (env RIDGE_TEST_SERVER_EXE, RIDGE_TEST_CERT_SH override)
 */
#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "engine/ridge-engine.h"
#include "engine/ridge-fmr.h"

#define TOKEN "bench-token"
#define BATCH 500

static char *dir;

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
rm_rf (const char *path)
{
  g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        rm_rf (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* 40 pseudo-random minutiae: distinct fingers that never match. */
static void
random_template (guint32        seed,
                 RidgeTemplate *t)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);

  memset (t, 0, sizeof *t);
  t->width = 400;
  t->height = 400;
  t->dpi = 500;
  t->quality = 70;
  t->n_minutiae = 40;
  for (int i = 0; i < t->n_minutiae; i++)
    {
      t->minutiae[i].x = (float)g_rand_int_range (rand, 20, 380);
      t->minutiae[i].y = (float)g_rand_int_range (rand, 20, 380);
      t->minutiae[i].angle = (float)g_rand_double_range (rand, 0, 2 * G_PI - 0.01);
      t->minutiae[i].type = (uint8_t)g_rand_int_range (rand, 1, 3);
      t->minutiae[i].quality = 60;
    }
}

static GBytes *
record_of (const RidgeTemplate *t)
{
  RidgeFmrViewInfo info = { .finger_position = 1 };
  guint8 buf[4096];
  size_t len = 0;

  if (ridge_fmr_encode_template (t, RIDGE_FMR_FORMAT_ISO, &info, buf, sizeof buf, &len)
      != RIDGE_FMR_OK)
    g_error ("cannot encode a template");
  return g_bytes_new (buf, len);
}

static char *
batch_json (GBytes    **records,
            guint       first,
            guint       n,
            const char *tag)
{
  GString *s = g_string_new ("{\"items\":[");

  for (guint i = first; i < first + n; i++)
    {
      gsize len = 0;
      const guchar *data = g_bytes_get_data (records[i], &len);
      g_autofree char *b64 = g_base64_encode (data, len);
      g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, records[i]);
      g_string_append_printf (s, "%s{\"idempotency_key\":\"%s:%u:1\",\"user\":{\"id\":\"u%u\","
                                 "\"name\":\"n\"},\"finger\":1,\"format\":\"iso-19794-2-2005\","
                                 "\"data\":\"%s\",\"sha256\":\"%s\",\"quality\":70,\"samples\":1,"
                                 "\"source\":{\"terminal\":null,\"captured_at\":"
                                 "\"2026-11-25T09:00:00Z\",\"operator\":null}}",
                              i > first ? "," : "", tag, i, i, b64, sha);
    }
  g_string_append (s, "]}");
  return g_string_free (s, FALSE);
}

static gboolean
accept_pinned (SoupMessage         *msg,
               GTlsCertificate     *peer,
               GTlsCertificateFlags errors,
               gpointer             pinned)
{
  return g_tls_certificate_is_same (peer, pinned);
}

/* Starts the server, sends the prepared batch bodies, returns the seconds. */
static double
upload (const char      *server_exe,
        GTlsCertificate *cert,
        GPtrArray       *bodies,
        gboolean         check,
        const char      *tag)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GDataInputStream) in = NULL;
  g_autoptr (SoupSession) session = soup_session_new_with_options ("timeout", 3600, NULL);
  g_autofree char *cert_opt = g_strdup_printf ("--cert=%s/cert.pem", dir);
  g_autofree char *key_opt = g_strdup_printf ("--key=%s/key.pem", dir);
  g_autofree char *db_opt = g_strdup_printf ("--db=%s/%s.sqlite", dir, tag);
  g_autofree char *line = NULL;
  g_autofree char *uri = NULL;
  g_autoptr (GTimer) timer = NULL;
  double seconds;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  proc = g_subprocess_launcher_spawn (launcher, &error, server_exe, "--port=0", cert_opt,
                                      key_opt, "--token=" TOKEN, db_opt,
                                      check ? "--seed=1" : "--no-duplicate-check", NULL);
  if (proc == NULL)
    g_error ("%s", error->message);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  if (line == NULL || strrchr (line, ':') == NULL)
    g_error ("ridge-test-server did not start");
  uri = g_strdup_printf ("https://127.0.0.1:%d/v1/batches", atoi (strrchr (line, ':') + 1));

  timer = g_timer_new ();
  for (guint b = 0; b < bodies->len; b++)
    {
      const char *body = bodies->pdata[b];
      g_autoptr (SoupMessage) msg = soup_message_new ("POST", uri);
      g_autoptr (GBytes) req = g_bytes_new_static (body, strlen (body));
      g_autoptr (GBytes) reply = NULL;
      g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_pinned), cert);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    "Bearer " TOKEN);
      soup_message_set_request_body_from_bytes (msg, "application/json", req);
      reply = soup_session_send_and_read (session, msg, NULL, &error);
      if (reply == NULL)
        g_error ("batch %u: %s", b, error->message);
      if (soup_message_get_status (msg) != 200
          || strstr (g_bytes_get_data (reply, NULL), "\"created\"") == NULL)
        g_error ("batch %u: HTTP %u", b, soup_message_get_status (msg));
    }
  seconds = g_timer_elapsed (timer, NULL);
  g_subprocess_send_signal (proc, SIGTERM);
  g_subprocess_wait (proc, NULL, NULL);
  return seconds;
}

/* The storage floor: the same rows into SQLite (WAL, synchronous = FULL), a commit per
 * batch. */
static double
store_directly (GBytes **records,
                guint    n)
{
  g_autofree char *path = g_build_filename (dir, "floor.sqlite", NULL);
  g_autoptr (GTimer) timer = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_open (path, &db) != SQLITE_OK
      || sqlite3_exec (db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                           "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                           " k TEXT UNIQUE, sha TEXT, data BLOB)", NULL, NULL, NULL) != SQLITE_OK
      || sqlite3_prepare_v2 (db, "INSERT INTO t (k, sha, data) VALUES (?, ?, ?)", -1, &stmt,
                             NULL) != SQLITE_OK)
    g_error ("sqlite: %s", sqlite3_errmsg (db));
  timer = g_timer_new ();
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *key = g_strdup_printf ("floor:%u:1", i);
      g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, records[i]);
      if (i % BATCH == 0)
        sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, sha, -1, SQLITE_STATIC);
      sqlite3_bind_blob (stmt, 3, g_bytes_get_data (records[i], NULL),
                         (int)g_bytes_get_size (records[i]), SQLITE_STATIC);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        g_error ("sqlite: %s", sqlite3_errmsg (db));
      sqlite3_reset (stmt);
      if (i % BATCH == BATCH - 1 || i == n - 1)
        sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_timer_elapsed (timer, NULL);
}

/* The matching floor: template i against templates 0..i-1, for every i < n, one thread. */
static double
match_directly (RidgeTemplate *templates,
                guint          n)
{
  g_autofree RidgePreparedTemplate **prepared = g_new0 (RidgePreparedTemplate *, n);
  g_autoptr (GTimer) timer = g_timer_new ();
  int sink = 0;
  double seconds;

  for (guint i = 0; i < n; i++)
    {
      if (ridge_prepared_template_new (&templates[i], &prepared[i]) != RIDGE_ENGINE_OK)
        g_error ("cannot prepare template %u", i);
      for (guint j = 0; j < i; j++)
        sink |= ridge_match_prepared (prepared[i], prepared[j], NULL) >= RIDGE_MATCH_THRESHOLD;
    }
  seconds = g_timer_elapsed (timer, NULL);
  for (guint i = 0; i < n; i++)
    ridge_prepared_template_free (prepared[i]);
  if (sink)
    g_print ("(note: random templates matched)\n");
  return seconds;
}

int
main (int   argc,
      char *argv[])
{
  const char *server_exe = g_getenv ("RIDGE_TEST_SERVER_EXE");
  const char *cert_sh = g_getenv ("RIDGE_TEST_CERT_SH");
  guint n = argc > 1 ? (guint)atoi (argv[1]) : 10000;
  guint m = argc > 2 ? (guint)atoi (argv[2]) : 1000;
  g_autoptr (GError) error = NULL;
  g_autoptr (GTlsCertificate) cert = NULL;
  g_autofree char *cert_path = NULL;
  g_autofree RidgeTemplate *templates = NULL;
  GBytes **records;
  GPtrArray *bodies;
  double t_server, t_floor, t_check, t_match;
  int status = 0;

  if (server_exe == NULL)
    server_exe = RIDGE_TEST_SERVER_PATH;
  if (cert_sh == NULL)
    cert_sh = RIDGE_TEST_CERT_PATH;
  if (!g_find_program_in_path ("openssl"))
    {
      g_print ("bench-export: openssl is not installed, skipped\n");
      return 0;
    }
  n = MAX (n, 1);
  m = MIN (MAX (m, 1), n);

  dir = g_dir_make_tmp ("ridge-bench-export-XXXXXX", &error);
  if (dir == NULL)
    g_error ("%s", error->message);
  {
    const char *argv_cert[] = { cert_sh, dir, NULL };
    if (!g_spawn_sync (NULL, (char **)argv_cert, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                       NULL, &status, &error) || !g_spawn_check_wait_status (status, &error))
      g_error ("make-test-cert.sh: %s", error->message);
  }
  cert_path = g_build_filename (dir, "cert.pem", NULL);
  cert = g_tls_certificate_new_from_file (cert_path, &error);
  if (cert == NULL)
    g_error ("%s", error->message);

  templates = g_new0 (RidgeTemplate, n);
  records = g_new0 (GBytes *, n);
  for (guint i = 0; i < n; i++)
    {
      random_template (1000 + i, &templates[i]);
      records[i] = record_of (&templates[i]);
    }

  bodies = g_ptr_array_new_with_free_func (g_free);
  for (guint first = 0; first < n; first += BATCH)
    g_ptr_array_add (bodies, batch_json (records, first, MIN (BATCH, n - first), "bulk"));
  t_server = upload (server_exe, cert, bodies, FALSE, "bulk");
  t_floor = store_directly (records, n);
  g_print ("%u templates, batches of %d, no duplicate check: %.2f s (%.0f templates/s); "
           "SQLite alone %.2f s; ratio %.1f\n", n, BATCH, t_server, n / t_server, t_floor,
           t_server / t_floor);
  g_ptr_array_unref (bodies);

  bodies = g_ptr_array_new_with_free_func (g_free);
  for (guint first = 0; first < m; first += BATCH)
    g_ptr_array_add (bodies, batch_json (records, first, MIN (BATCH, m - first), "check"));
  t_check = upload (server_exe, cert, bodies, TRUE, "check");
  t_match = match_directly (templates, m);
  g_print ("%u templates with the duplicate check (%.0f comparisons): %.2f s; the comparisons "
           "alone on one thread %.2f s (%.0f/s); ratio %.2f\n", m, (double)m * (m - 1) / 2,
           t_check, t_match, (double)m * (m - 1) / 2 / t_match, t_check / t_match);
  g_ptr_array_unref (bodies);

  for (guint i = 0; i < n; i++)
    g_bytes_unref (records[i]);
  g_free (records);
  rm_rf (dir);
  g_free (dir);
  return 0;
}
