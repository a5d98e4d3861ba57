/* bench-app.c — the app's live view: frames/s and latency from frame arrival to the frame
 * on screen, with every overlay on, against a real ridge-terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Starts ridge-terminal (synthetic 400×400 sensor, --fps 1000: as fast as it renders, the
 * stream's credits pacing it to what the app takes), places a finger through its control
 * socket, and shows the real RidgeLivePage in a 1280×800 window. Two feeds:
 *   app      — a connected RidgeTerminalItem, exactly as in the app, which asks the terminal
 *              for at most 15 frames/s (STREAM_MAX_FPS in ridge-terminal-item.c);
 *   max rate — a RidgeSession + RidgeStream asking for the terminal's full rate, each frame
 *              converted as the item does and emitted as the item's ::frame signal, so the
 *              page takes the same path from there on; the stream's credits (4) go back
 *              after each paint, so the terminal sends as fast as the page shows.
 * Two runs of SECONDS each per feed:
 *   reference — the minutiae overlay only (frames go straight to the image view);
 *   all       — minutiae, orientation field, quality map, foreground mask, binarized image
 *               and skeleton (each frame goes through ridge_extract on a worker thread
 *               first; only the newest frame waits, older ones are skipped).
 * Per run: frames arrived/s (the item's ::frame signal, i.e. the session's decoded frame),
 * frames presented/s (a new frame seen after the window's frame-clock "after-paint"), p50 and
 * p95 latency from the frame's arrival (its received_us) to that after-paint, and CPU time
 * of this process (getrusage, all threads) per presented frame. The terminal's own CPU is
 * not counted. Ratios: all / reference.
 *
 * Usage: bench-app [SECONDS]   (default 5; env RIDGE_TERMINAL_EXE overrides the binary)
 * Needs a display: bench/run.sh runs it under xvfb-run when there is none.
 */
#include "config.h"

#include <adwaita.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "core/ridge-stream.h"
#include "ridge-live-page.h"

typedef struct {
  RidgeLivePage *page;
  RidgeStream   *stream;       /* max-rate feed: credits go back after a paint */
  guint          owed;         /* frames handed to the page since the last paint */
  gboolean       measuring;
  guint64        last_shown;
  guint          arrived;
  guint          presented;
  GArray        *latency_ms;   /* double */
} Probe;

typedef struct {
  double arrived_fps;
  double presented_fps;
  double p50_ms;
  double p95_ms;
  double cpu_ms;
} Result;

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static gboolean
done_cb (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
wait_ms (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, done_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
control (const char *path,
         const char *command,
         GError    **error)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr (GSocketConnection) conn = NULL;
  g_autoptr (GDataInputStream) in = NULL;
  g_autofree char *line = g_strconcat (command, "\n", NULL);
  g_autofree char *answer = NULL;

  conn = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, error);
  if (conn == NULL
      || !g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), line,
                                     strlen (line), NULL, NULL, error))
    return FALSE;
  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (conn)));
  answer = g_data_input_stream_read_line_utf8 (in, NULL, NULL, error);
  if (answer == NULL || !g_str_has_prefix (answer, "ok"))
    {
      if (answer != NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "control: %s", answer);
      return FALSE;
    }
  return TRUE;
}

static void
frame_cb (RidgeTerminalItem   *item,
          const RidgeAppFrame *f,
          Probe               *p)
{
  if (p->measuring)
    p->arrived++;
}

static void
after_paint_cb (GdkFrameClock *clock,
                Probe         *p)
{
  guint64 n = 0;
  gint64 arrival = ridge_live_page_get_shown_time (p->page, &n);
  double ms;

  if (p->stream != NULL && p->owed > 0)
    {
      /* painted: the terminal may send as many frames as the page has taken */
      ridge_stream_consume (p->stream, p->owed, NULL);
      p->owed = 0;
    }

  if (n == p->last_shown)
    return;
  p->last_shown = n;
  if (!p->measuring || arrival == 0)
    return;
  ms = (g_get_monotonic_time () - arrival) / 1000.0;
  g_array_append_val (p->latency_ms, ms);
  p->presented++;
}

static int
cmp_double (gconstpointer a,
            gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

static double
percentile (GArray *sorted,
            double  q)
{
  if (sorted->len == 0)
    return 0;
  return g_array_index (sorted, double, MIN ((guint)(q * sorted->len), sorted->len - 1));
}

static double
cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec
         + ru.ru_stime.tv_usec / 1e6;
}

static void
set_overlays (RidgeLivePage *page,
              gboolean       all)
{
  const char *maps[] = { "orientation_check", "quality_check", "foreground_check",
                         "binary_check", "skeleton_check" };

  gtk_check_button_set_active (GTK_CHECK_BUTTON (gtk_widget_get_template_child (
                                                   GTK_WIDGET (page), RIDGE_TYPE_LIVE_PAGE,
                                                   "minutiae_check")), TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (maps); i++)
    gtk_check_button_set_active (GTK_CHECK_BUTTON (gtk_widget_get_template_child (
                                                     GTK_WIDGET (page), RIDGE_TYPE_LIVE_PAGE,
                                                     maps[i])), all);
}

static Result
measure (Probe   *p,
         gboolean all,
         guint    seconds)
{
  Result r = { 0 };
  double cpu0, t0, elapsed;

  set_overlays (p->page, all);
  wait_ms (1000);   /* settle: the first frames with the new overlays */
  g_array_set_size (p->latency_ms, 0);
  p->arrived = p->presented = 0;
  cpu0 = cpu_seconds ();
  t0 = g_get_monotonic_time () / 1e6;
  p->measuring = TRUE;
  wait_ms (seconds * 1000);
  p->measuring = FALSE;
  elapsed = g_get_monotonic_time () / 1e6 - t0;
  r.cpu_ms = p->presented > 0 ? (cpu_seconds () - cpu0) * 1e3 / p->presented : 0;
  r.arrived_fps = p->arrived / elapsed;
  r.presented_fps = p->presented / elapsed;
  g_array_sort (p->latency_ms, cmp_double);
  r.p50_ms = percentile (p->latency_ms, 0.50);
  r.p95_ms = percentile (p->latency_ms, 0.95);
  return r;
}

static void
print_result (const char   *name,
              const Result *r)
{
  printf ("  %-10s: %6.1f frames/s arrived, %6.1f frames/s on screen, latency p50 %6.1f ms, "
          "p95 %6.1f ms, CPU %5.1f ms/frame\n", name, r->arrived_fps, r->presented_fps,
          r->p50_ms, r->p95_ms, r->cpu_ms);
}

static void
print_ratio (const Result *ref,
             const Result *all)
{
  printf ("  ratio all/reference: frames/s on screen %.2f, p95 latency %.2f, CPU per frame "
          "%.2f\n", ref->presented_fps > 0 ? all->presented_fps / ref->presented_fps : 0,
          ref->p95_ms > 0 ? all->p95_ms / ref->p95_ms : 0,
          ref->cpu_ms > 0 ? all->cpu_ms / ref->cpu_ms : 0);
}

static gboolean
ready (RidgeTerminalItem *item)
{
  return ridge_terminal_item_get_state (item) == RIDGE_TERMINAL_STATE_READY;
}

/* a frame of the max-rate feed, converted exactly as ridge-terminal-item.c does */
static void
session_frame_cb (RidgeSession *session,
                  RidgeFrame   *frame,
                  Probe        *p)
{
  RidgeTerminalItem *item = g_object_get_data (G_OBJECT (session), "feed-item");
  g_autofree RidgeAppMinutia *minutiae = NULL;
  RidgeAppFrame out = { 0 };
  gsize size = 0;

  if (frame == NULL || frame->pixels == NULL)
    return;
  out.pixels = g_bytes_get_data (frame->pixels, &size);
  if (size != (gsize)frame->width * frame->height)
    return;
  if (frame->n_minutiae > 0 && frame->minutiae != NULL)
    {
      minutiae = g_new (RidgeAppMinutia, frame->n_minutiae);
      for (guint i = 0; i < frame->n_minutiae; i++)
        {
          const RidgeWireMinutia *w = &frame->minutiae[i];

          minutiae[i] = (RidgeAppMinutia) {
            .x = w->x, .y = w->y, .angle = (float)(w->angle * 2.0 * G_PI / 65536.0),
            .type = w->type, .quality = MIN (w->quality, 100),
          };
        }
    }
  out.width = frame->width;
  out.height = frame->height;
  out.dpi = frame->dpi;
  out.quality = frame->finger_present ? frame->quality : -1;
  out.finger_present = frame->finger_present;
  out.n_minutiae = minutiae != NULL ? frame->n_minutiae : 0;
  out.minutiae = minutiae;
  out.received_us = frame->received_us;
  p->owed++;
  g_signal_emit_by_name (item, "frame", &out);
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

int
main (int   argc,
      char *argv[])
{
  const char *exe = g_getenv ("RIDGE_TERMINAL_EXE");
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GDataInputStream) in = NULL;
  g_autoptr (RidgeTerminalItem) item = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *state = NULL;
  g_autofree char *ctl_path = NULL;
  g_autofree char *line = NULL;
  g_autofree char *address = NULL;
  GtkWindow *window;
  RidgeLivePage *page;
  Probe probe = { 0 };
  Result ref, all;
  guint seconds = 5;
  gint64 deadline;

  if (argc > 1)
    seconds = (guint)CLAMP (atoi (argv[1]), 1, 600);
  if (exe == NULL)
    exe = RIDGE_TERMINAL_PATH;
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  if (!gtk_init_check ())
    {
      g_printerr ("bench-app: no display (bench/run.sh uses xvfb-run when there is none)\n");
      return 77;
    }
  adw_init ();

  dir = g_dir_make_tmp ("bench-app-XXXXXX", &error);
  g_assert_no_error (error);
  state = g_build_filename (dir, "state", NULL);
  ctl_path = g_build_filename (dir, "ctl", NULL);
  g_mkdir (state, 0700);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  proc = g_subprocess_launcher_spawn (launcher, &error, exe, "--listen", "127.0.0.1", "--port",
                                      "0", "--state-dir", state, "--control", ctl_path,
                                      "--discovery-port", "0", "--no-auto-finger",
                                      "--fps", "1000", NULL);
  if (proc == NULL)
    {
      g_printerr ("bench-app: cannot start %s: %s\n", exe, error->message);
      return 1;
    }
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  if (line == NULL || strrchr (line, ':') == NULL)
    {
      g_printerr ("bench-app: ridge-terminal did not start\n");
      return 1;
    }
  address = g_strdup_printf ("127.0.0.1:%s", strrchr (line, ':') + 1);
  if (!control (ctl_path, "place 1 0", &error))
    {
      g_printerr ("bench-app: %s\n", error->message);
      return 1;
    }

  item = ridge_terminal_item_new (address);
  page = RIDGE_LIVE_PAGE (ridge_live_page_new ());
  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 1280, 800);
  gtk_window_set_child (window, GTK_WIDGET (page));
  gtk_window_present (window);
  ridge_live_page_set_item (page, item);
  ridge_terminal_item_connect (item);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!ready (item) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  if (!ready (item))
    {
      g_printerr ("bench-app: could not connect: %s\n", ridge_terminal_item_get_status (item));
      return 1;
    }

  probe.page = page;
  probe.latency_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_signal_connect (item, "frame", G_CALLBACK (frame_cb), &probe);
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint",
                    G_CALLBACK (after_paint_cb), &probe);
  wait_ms (1000);   /* warm-up: the terminal renders the impression once */

  printf ("app live view, 400x400 synthetic frames from ridge-terminal --fps 1000 on loopback, "
          "%u s per run, window 1280x800, this process's CPU (the terminal's not counted)\n",
          seconds);
  printf (" feed 'app' (RidgeTerminalItem, asks for at most 15 frames/s):\n");
  ref = measure (&probe, FALSE, seconds);
  all = measure (&probe, TRUE, seconds);
  print_result ("reference", &ref);
  print_result ("all", &all);
  print_ratio (&ref, &all);

  /* the same page fed at the terminal's full rate */
  ridge_live_page_set_item (page, NULL);
  ridge_terminal_item_disconnect (item);
  wait_ms (500);
  {
    g_autoptr (RidgeTerminalItem) feed_item = ridge_terminal_item_new (address);
    g_autoptr (RidgeSession) session = ridge_session_new_for_address (address, &error);
    g_autoptr (RidgeStream) stream = NULL;
    GAsyncResult *res = NULL;

    if (session == NULL)
      {
        g_printerr ("bench-app: %s\n", error->message);
        return 1;
      }
    ridge_session_connect_async (session, NULL, store_result, &res);
    if (!ridge_session_connect_finish (session, wait_result (&res), &error))
      {
        g_printerr ("bench-app: %s\n", error->message);
        return 1;
      }
    g_clear_object (&res);
    ridge_live_page_set_item (page, feed_item);
    g_signal_connect (feed_item, "frame", G_CALLBACK (frame_cb), &probe);
    g_object_set_data (G_OBJECT (session), "feed-item", feed_item);
    g_signal_connect (session, "frame", G_CALLBACK (session_frame_cb), &probe);
    stream = ridge_stream_new (session);
    /* credits come back after each paint, not when the handler returns: with credits
     * returned at once the socket's default-priority input keeps the frame clock (a lower
     * priority) from ever painting */
    ridge_stream_set_auto_credit (stream, FALSE);
    probe.stream = stream;
    probe.owed = 0;
    ridge_stream_start_async (stream, 4, 0, RIDGE_CAPTURE_MINUTIAE | RIDGE_CAPTURE_COMPRESS,
                              NULL, store_result, &res);
    if (!ridge_stream_start_finish (stream, wait_result (&res), &error))
      {
        g_printerr ("bench-app: %s\n", error->message);
        return 1;
      }
    g_clear_object (&res);
    wait_ms (1000);
    printf (" feed 'max rate' (RidgeSession + RidgeStream at the terminal's full rate):\n");
    ref = measure (&probe, FALSE, seconds);
    all = measure (&probe, TRUE, seconds);
    print_result ("reference", &ref);
    print_result ("all", &all);
    print_ratio (&ref, &all);
    g_signal_handlers_disconnect_by_data (session, &probe);
    probe.stream = NULL;
    ridge_live_page_set_item (page, NULL);
    ridge_stream_stop_async (stream, NULL, store_result, &res);
    ridge_stream_stop_finish (stream, wait_result (&res), NULL, NULL, NULL);
    g_clear_object (&res);
    ridge_session_close_async (session, NULL, store_result, &res);
    ridge_session_close_finish (session, wait_result (&res), NULL);
    g_clear_object (&res);
  }

  gtk_window_destroy (window);
  g_array_unref (probe.latency_ms);
  g_subprocess_force_exit (proc);
  g_subprocess_wait (proc, NULL, NULL);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);

    if (system (cmd) != 0)
      g_printerr ("bench-app: could not remove %s\n", dir);
  }
  return all.presented_fps > 0 && ref.presented_fps > 0 ? 0 : 1;
}
