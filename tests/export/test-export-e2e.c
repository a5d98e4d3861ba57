/* test-export-e2e.c — exactly once: 10,000 templates through `ridgectl export` while the
 * server fails, stalls, exits and is killed, and the client is killed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * 1. A store of 10,000 templates of distinct users; ridge-test-server with 5xx, 503/429 and
 *    stall injection and --exit-after 2500; `ridgectl export` as a child process.
 * 2. The server exits after committing 2,500 items (before answering): it is started again
 *    on the same port and database; the client keeps retrying. Once the client reports 5,000
 *    answered, it is killed with SIGKILL.
 * 3. A second client run; halfway through its share the server is killed with SIGKILL and
 *    started again.
 * 4. Further runs until one exits 0 (bounded).
 * 5. Without faults, the server's list must hold each store template exactly once (key and
 *    SHA-256), and the store's outbox must say done for all 10,000.
 */
#include "config.h"

#include <stdio.h>

#include "ridge-export.h"
#include "test-export-client-util.h"

#define N_TEMPLATES 10000

static const char *const faults[] = {
  "--no-duplicate-check", "--fail-rate=0.15", "--busy-rate=0.05", "--stall-rate=0.04",
  "--stall-ms=2500", NULL
};

static GSubprocess *
start_client (const char *url,
              const char *store_path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDERR_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  const char *argv[] = {
    g_getenv ("RIDGECTL_EXE"), "--timeout", "1500", "export", "--url", url, "--pin-cert",
    cert_path, "--store", store_path, "--batch", "250", "--attempts", "1000", NULL
  };
  GSubprocess *proc;

  g_subprocess_launcher_setenv (launcher, "RIDGE_EXPORT_TOKEN", TEST_TOKEN, TRUE);
  g_subprocess_launcher_setenv (launcher, "RIDGE_EXPORT_BACKOFF_MS", "20", TRUE);
  g_subprocess_launcher_setenv (launcher, "RIDGE_SECRET_BACKEND", "file", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  return proc;
}

/* The "answered" count of a progress line, or -1. */
static gint64
answered_of (const char *line)
{
  unsigned long long done = 0, total = 0;

  if (sscanf (line, "export: %llu/%llu answered", &done, &total) == 2)
    return (gint64)done;
  return -1;
}

/* What the clients reported: failed attempts by kind. */
static guint n_retries, n_timeouts, n_busy, n_5xx, n_unreachable;

static void
note_line (const char *line)
{
  if (strstr (line, " failed: ") == NULL)
    return;
  n_retries++;
  if (strstr (line, "did not answer in time"))
    n_timeouts++;
  else if (strstr (line, "is busy"))
    n_busy++;
  else if (strstr (line, "kept failing"))
    n_5xx++;
  else if (strstr (line, "cannot be reached"))
    n_unreachable++;
}

static gboolean
exited (GSubprocess *proc)
{
  return g_subprocess_get_identifier (proc) == NULL;
}

static int
wait_status (GSubprocess *proc)
{
  g_subprocess_wait (proc, NULL, NULL);
  return g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1;
}

static void
test_exactly_once (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *store_path = g_build_filename (work_dir, "store.db", NULL);
  g_autofree char *seed_opt = NULL;
  g_autoptr (RidgeStore) store = NULL;
  TestServer srv = { 0 };
  gint64 t0 = g_get_monotonic_time (), t_fill;
  gboolean restarted = FALSE, client_killed = FALSE, server_killed = FALSE;
  guint port, runs = 2;
  int status;

  store = test_fill_store (store_path, N_TEMPLATES, 1);
  g_clear_object (&store);
  t_fill = g_get_monotonic_time ();

  /* Phase 1: the server exits after 2,500 committed items; the client is killed at 5,000. */
  {
    const char *extra[8] = { 0 };
    g_autoptr (GSubprocess) client = NULL;
    g_autoptr (GDataInputStream) in = NULL;
    char *line;
    for (guint i = 0; faults[i]; i++)
      extra[i] = faults[i];
    extra[5] = "--exit-after=2500";
    extra[6] = "--seed=1";
    test_server_start (&srv, 0, extra);
    port = srv.port;
    client = start_client (srv.url, store_path);
    in = g_data_input_stream_new (g_subprocess_get_stderr_pipe (client));
    while ((line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, NULL)) != NULL)
      {
        gint64 n = answered_of (line);
        note_line (line);
        g_free (line);
        if (!restarted && exited (srv.proc))
          {
            const char *again[] = { faults[0], faults[1], faults[2], faults[3], faults[4],
                                    "--seed=2", NULL };
            g_assert_cmpint (wait_status (srv.proc), ==, 3);   /* --exit-after's status */
            g_clear_object (&srv.proc);
            test_server_start (&srv, port, again);
            restarted = TRUE;
            g_test_message ("server exited after 2,500 items; started again (%.1f s)",
                            (g_get_monotonic_time () - t0) / 1e6);
          }
        if (restarted && n >= 5000)
          {
            g_subprocess_send_signal (client, SIGKILL);
            client_killed = TRUE;
            g_test_message ("client killed with SIGKILL at %" G_GINT64_FORMAT " answered "
                                                                              "(%.1f s)", n,
                            (g_get_monotonic_time () - t0) / 1e6);
            break;
          }
      }
    wait_status (client);
  }
  g_assert_true (restarted);
  g_assert_true (client_killed);

  /* Phase 2: a new client; the server is killed with SIGKILL halfway through its share. */
  {
    g_autoptr (GSubprocess) client = start_client (srv.url, store_path);
    g_autoptr (GDataInputStream) in = g_data_input_stream_new (
      g_subprocess_get_stderr_pipe (client));
    char *line;
    while ((line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, NULL)) != NULL)
      {
        gint64 n = answered_of (line);
        note_line (line);
        g_free (line);
        if (!server_killed && n >= 2000)
          {
            const char *again[] = { faults[0], faults[1], faults[2], faults[3], faults[4],
                                    "--seed=3", NULL };
            test_server_kill (&srv);
            g_usleep (300 * 1000);
            test_server_start (&srv, port, again);
            server_killed = TRUE;
            g_test_message ("server killed with SIGKILL and started again (%.1f s)",
                            (g_get_monotonic_time () - t0) / 1e6);
          }
      }
    status = wait_status (client);
    g_test_message ("second client run: exit %d (%.1f s)", status,
                    (g_get_monotonic_time () - t0) / 1e6);
  }
  g_assert_true (server_killed);

  /* Phase 3: run again until a run ends with exit 0. */
  while (status != 0 && runs < 6)
    {
      g_autoptr (GSubprocess) client = start_client (srv.url, store_path);
      g_autoptr (GDataInputStream) in = g_data_input_stream_new (
        g_subprocess_get_stderr_pipe (client));
      char *line;
      while ((line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, NULL)) != NULL)
        {
          note_line (line);
          g_free (line);
        }
      status = wait_status (client);
      runs++;
      g_test_message ("client run %u: exit %d", runs, status);
    }
  g_assert_cmpint (status, ==, 0);

  /* Phase 4: the same database without faults, then the checks. */
  test_server_kill (&srv);
  test_server_start (&srv, port, NULL);
  store = ridge_store_new (store_path, &error);
  g_assert_no_error (error);
  test_assert_exactly_once (store, srv.url);
  {
    g_autoptr (GPtrArray) st = ridge_store_export_status (store, NULL, &error);
    RidgeStoreExportStatus *s;
    g_assert_no_error (error);
    g_assert_cmpuint (st->len, ==, 1);
    s = st->pdata[0];
    g_assert_cmpint (s->done, ==, N_TEMPLATES);
    g_assert_cmpint (s->queued, ==, 0);
    g_assert_cmpint (s->duplicates + s->rejected + s->conflicts + s->failed, ==, 0);
    g_assert_null (s->last_error);
  }
  g_test_message ("failed attempts retried: %u (timeouts %u, busy %u, 5xx %u, unreachable %u)",
                  n_retries, n_timeouts, n_busy, n_5xx, n_unreachable);
  /* The faults did happen: server errors, and the restarts left the client without a
   * server for a while. */
  g_assert_cmpuint (n_5xx, >, 0);
  g_assert_cmpuint (n_unreachable + n_timeouts, >, 0);
  g_test_message ("%d templates exactly once after %u client runs: fill %.1f s, total %.1f s",
                  N_TEMPLATES, runs, (t_fill - t0) / 1e6, (g_get_monotonic_time () - t0) / 1e6);
  test_server_clear (&srv);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("RIDGECTL_EXE") == NULL)
    {
      g_printerr ("RIDGECTL_EXE must be set (meson test)\n");
      return 1;
    }
  if ((ret = test_setup_work_dir ("e2e")) != 0)
    return ret;
  g_test_add_func ("/export-e2e/exactly-once", test_exactly_once);
  ret = g_test_run ();
  rm_rf (work_dir);
  return ret;
}
