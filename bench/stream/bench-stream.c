/* bench-stream.c — live stream throughput and latency against a real ridge-terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Starts ridge-terminal (synthetic 400×400 sensor, finger placed through the control
 * socket), then streams for a few seconds in four set-ups: loopback and a 1 MB/s
 * rate-limited link, each with raw and RICE frames. Latency is the terminal's capture
 * timestamp against our arrival time: both are CLOCK_MONOTONIC on the same machine.
 * The reference is the raw stream of the same run.
 *
 * Usage: bench-stream [SECONDS]   (default 5; env RIDGE_TERMINAL_EXE overrides the binary)
 */
#include "config.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "ridge-core.h"

typedef struct {
  const char *name;
  guint       rate;      /* bytes/s, 0 = unlimited */
  gboolean    compress;
} Setup;

typedef struct {
  RidgeStreamStats st;
  double           mbps;
  guint32          terminal_dropped;
} Result;

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

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static gboolean
flag_cb (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
spin_ms (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
control (const char *path,
         const char *command,
         GError    **error)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketAddress) addr = g_unix_socket_address_new (path);
  g_autoptr (GSocketConnection) conn = NULL;
  g_autoptr (GDataInputStream) in = NULL;
  g_autofree char *line = g_strconcat (command, "\n", NULL);
  g_autofree char *answer = NULL;

  conn = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (addr), NULL, error);
  if (conn == NULL)
    return FALSE;
  if (!g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), line,
                                  strlen (line), NULL, NULL, error))
    return FALSE;
  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (conn)));
  answer = g_data_input_stream_read_line_utf8 (in, NULL, NULL, error);
  if (answer == NULL || !g_str_has_prefix (answer, "ok"))
    {
      if (answer != NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "control %s: %s", command, answer);
      return FALSE;
    }
  return TRUE;
}

static gboolean
run_setup (RidgeSession *session,
           const char   *ctl_path,
           const Setup  *setup,
           guint         seconds,
           Result       *out,
           GError      **error)
{
  g_autoptr (RidgeStream) stream = ridge_stream_new (session);
  g_autoptr (GAsyncResult) res = NULL;
  g_autofree char *cmd = g_strdup_printf ("fault rate-limit %u", setup->rate);
  RidgeHealthSummary h0, h1;
  guint32 sent = 0;

  if (!control (ctl_path, cmd, error))
    return FALSE;
  ridge_health_get_summary (ridge_session_get_health (session), &h0);
  ridge_stream_start_async (stream, 4, 0, setup->compress ? RIDGE_CAPTURE_COMPRESS : 0, NULL,
                            store_result, &res);
  if (!ridge_stream_start_finish (stream, wait_result (&res), error))
    return FALSE;
  g_clear_object (&res);
  spin_ms (seconds * 1000);
  ridge_stream_stop_async (stream, NULL, store_result, &res);
  if (!ridge_stream_stop_finish (stream, wait_result (&res), &sent, &out->terminal_dropped,
                                 error))
    return FALSE;
  ridge_stream_get_stats (stream, &out->st);
  ridge_health_get_summary (ridge_session_get_health (session), &h1);
  out->mbps = (double)(h1.bytes_in - h0.bytes_in) / seconds / 1e6;
  /* let queued frames drain before the next set-up */
  spin_ms (500);
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  const Setup setups[] = {
    { "loopback raw", 0, FALSE },
    { "loopback RICE", 0, TRUE },
    { "1 MB/s raw", 1000000, FALSE },
    { "1 MB/s RICE", 1000000, TRUE },
  };
  Result results[G_N_ELEMENTS (setups)];
  const char *exe = g_getenv ("RIDGE_TERMINAL_EXE");
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GDataInputStream) in = NULL;
  g_autoptr (RidgeSession) session = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (RidgeFrame) warm = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *state = NULL;
  g_autofree char *ctl_path = NULL;
  g_autofree char *line = NULL;
  g_autofree char *address = NULL;
  guint seconds = 5;
  int rc = 0;

  if (argc > 1)
    seconds = (guint)CLAMP (atoi (argv[1]), 1, 600);
  if (exe == NULL)
    exe = RIDGE_TERMINAL_PATH;

  dir = g_dir_make_tmp ("bench-stream-XXXXXX", &error);
  g_assert_no_error (error);
  state = g_build_filename (dir, "state", NULL);
  ctl_path = g_build_filename (dir, "ctl", NULL);
  g_mkdir (state, 0700);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  proc = g_subprocess_launcher_spawn (launcher, &error, exe, "--listen", "127.0.0.1", "--port",
                                      "0", "--state-dir", state, "--control", ctl_path,
                                      "--discovery-port", "0", "--no-auto-finger", "--fps", "30",
                                      NULL);
  if (proc == NULL)
    {
      g_printerr ("bench-stream: cannot start %s: %s\n", exe, error->message);
      return 1;
    }
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  if (line == NULL || strrchr (line, ':') == NULL)
    {
      g_printerr ("bench-stream: ridge-terminal did not start\n");
      return 1;
    }
  address = g_strdup_printf ("127.0.0.1:%s", strrchr (line, ':') + 1);

  session = ridge_session_new_for_address (address, &error);
  ridge_session_connect_async (session, NULL, store_result, &res);
  if (!ridge_session_connect_finish (session, wait_result (&res), &error)
      || !control (ctl_path, "place 1 0", &error))
    {
      g_printerr ("bench-stream: %s\n", error->message);
      return 1;
    }
  /* the first rendering of a synthetic impression is slow: do it before measuring */
  g_clear_object (&res);
  ridge_session_capture_async (session, 0, 0, NULL, store_result, &res);
  warm = ridge_session_capture_finish (session, wait_result (&res), &error);
  if (warm == NULL)
    {
      g_printerr ("bench-stream: %s\n", error->message);
      return 1;
    }

  g_print ("Live stream, %u×%u frames, sensor at 30 fps, 4 credits, %u s per set-up\n",
           warm->width, warm->height, seconds);
  g_print ("%-15s %8s %8s %8s %10s %10s %10s %8s\n", "set-up", "fps", "frames", "dropped",
           "p50 ms", "p95 ms", "MB/s in", "× raw");
  for (guint i = 0; i < G_N_ELEMENTS (setups); i++)
    {
      const Result *ref;

      if (!run_setup (session, ctl_path, &setups[i], seconds, &results[i], &error))
        {
          g_printerr ("bench-stream: %s: %s\n", setups[i].name, error->message);
          rc = 1;
          break;
        }
      ref = &results[i & ~1u]; /* the raw run of the same link */
      g_print ("%-15s %8.1f %8" G_GUINT64_FORMAT " %8" G_GUINT64_FORMAT " %10.2f %10.2f %10.2f "
                                                                        "%8.2f\n", setups[i].name,
               results[i].st.fps_avg, results[i].st.frames,
               results[i].st.dropped, results[i].st.latency_p50_us / 1000.0,
               results[i].st.latency_p95_us / 1000.0, results[i].mbps,
               ref->st.fps_avg > 0 ? results[i].st.fps_avg / ref->st.fps_avg : 0.0);
    }

  {
    g_autoptr (GAsyncResult) cres = NULL;

    ridge_session_close_async (session, NULL, store_result, &cres);
    ridge_session_close_finish (session, wait_result (&cres), NULL);
  }
  g_subprocess_send_signal (proc, SIGTERM);
  g_subprocess_wait (proc, NULL, NULL);
  rm_rf (dir);
  return rc;
}
