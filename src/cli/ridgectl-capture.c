/* ridgectl-capture.c — capture and stream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridgectl"

#include "config.h"

#include "ridgectl.h"

#include <stdio.h>
#include <string.h>

/* ---- capture -------------------------------------------------------------------------- */

int
ctl_cmd_capture (Ctl   *ctl,
                 int    argc,
                 char **argv)
{
  char *output = NULL;
  gboolean wait_finger = FALSE, compress = FALSE;
  int finger_timeout = 0;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Image file (.png or .pgm)", "FILE" },
    { "wait-finger", 'w', 0, G_OPTION_ARG_NONE, &wait_finger, "Wait for a finger", NULL },
    { "finger-timeout", 0, 0, G_OPTION_ARG_INT, &finger_timeout,
      "How long to wait for the finger (default: the terminal's)", "MS" },
    { "compress", 0, 0, G_OPTION_ARG_NONE, &compress, "Allow lossless compression on the wire",
      NULL },
    { NULL }
  };
  g_autofree char *path = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeFrame) frame = NULL;
  guint8 flags = 0;
  int rc;

  if (!ctl_parse_options (ctl, "-o FILE", "Captures one image and saves it as PNG or PGM.", entries,
                          &argc, &argv))
    return EXIT_USAGE;
  path = output;
  if (path == NULL)
    return ctl_usage (ctl, "capture needs -o FILE.png or -o FILE.pgm");
  if (finger_timeout < 0)
    return ctl_usage (ctl, "--finger-timeout must be ≥ 0");
  if ((rc = ctl_connect_or_fail (ctl)) != EXIT_OK)
    return rc;
  if (wait_finger)
    flags |= RIDGE_CAPTURE_WAIT_FINGER;
  if (compress)
    flags |= RIDGE_CAPTURE_COMPRESS;
  if (wait_finger && !ctl->json)
    g_printerr ("Place a finger on the sensor…\n");
  ridge_session_capture_async (ctl->session, flags, (guint)finger_timeout, ctl->cancellable,
                               ctl_store_result, &res);
  frame = ridge_session_capture_finish (ctl->session, ctl_wait (&res), &error);
  if (frame == NULL)
    return ctl_fail (ctl, error);
  if (!ridge_image_save (path, g_bytes_get_data (frame->pixels, NULL), frame->width,
                         frame->height, RIDGE_IMAGE_FORMAT_AUTO, &error))
    return ctl_fail (ctl, error);

  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      J_STR (b, "file", path);
      J_INT (b, "width", frame->width);
      J_INT (b, "height", frame->height);
      J_INT (b, "dpi", frame->dpi);
      J_BOOL (b, "finger_present", frame->finger_present);
      json_builder_set_member_name (b, "quality");
      if (frame->quality <= 100)
        json_builder_add_int_value (b, frame->quality);
      else
        json_builder_add_null_value (b);
      J_STR (b, "encoding", frame->encoding == RIDGE_ENC_RICE ? "rice" : "raw");
      J_INT (b, "wire_bytes", frame->encoded_size);
      J_INT (b, "minutiae", frame->n_minutiae);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else
    {
      g_autofree char *q = frame->quality <= 100 ? g_strdup_printf ("quality %u", frame->quality)
                           : g_strdup ("quality not computed");

      g_print ("Saved %u×%u image (%s, %s) to %s\n", frame->width, frame->height, q,
               frame->finger_present ? "finger present" : "no finger", path);
    }
  return EXIT_OK;
}

/* ---- stream --------------------------------------------------------------------------- */

int
ctl_cmd_stream (Ctl   *ctl,
                int    argc,
                char **argv)
{
  int seconds = 5, credits = 4, fps = 0;
  gboolean compress = FALSE;
  GOptionEntry entries[] = {
    { "seconds", 's', 0, G_OPTION_ARG_INT, &seconds, "Duration (default 5; 0 = until Ctrl-C)",
      "N" },
    { "credits", 'c', 0, G_OPTION_ARG_INT, &credits, "Frames in flight (default 4)", "N" },
    { "fps", 0, 0, G_OPTION_ARG_INT, &fps, "Maximum frame rate (default: the sensor's)", "N" },
    { "compress", 0, 0, G_OPTION_ARG_NONE, &compress, "Lossless RICE compression", NULL },
    { NULL }
  };
  g_autoptr (RidgeStream) stream = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;
  RidgeStreamStats st;
  guint32 sent = 0, dropped = 0;
  gboolean stopped;
  int rc;

  if (!ctl_parse_options (ctl, "", "Streams live frames with credit flow control and reports fps, "
                                   "drops and latency.", entries, &argc, &argv))
    return EXIT_USAGE;
  if (seconds < 0 || credits < 1 || credits > 65535 || fps < 0 || fps > 65535)
    return ctl_usage (ctl, "--seconds ≥ 0, --credits 1 … 65535, --fps 0 … 65535");
  if ((rc = ctl_connect_or_fail (ctl)) != EXIT_OK)
    return rc;

  stream = ridge_stream_new (ctl->session);
  ridge_stream_start_async (stream, (guint16)credits, (guint16)fps,
                            compress ? RIDGE_CAPTURE_COMPRESS : 0, ctl->cancellable,
                            ctl_store_result, &res);
  if (!ridge_stream_start_finish (stream, ctl_wait (&res), &error))
    return ctl_fail (ctl, error);
  g_clear_object (&res);

  for (int t = 1; (seconds == 0 || t <= seconds) && !ctl->interrupted; t++)
    {
      ctl_spin_ms (ctl, 1000);
      if (ridge_session_get_state (ctl->session) != RIDGE_SESSION_READY
          && ridge_session_get_state (ctl->session) != RIDGE_SESSION_DEGRADED)
        {
          g_autoptr (GError) lost = ridge_error_new (RIDGE_ERROR_CONNECTION_LOST, NULL);

          return ctl_fail (ctl, lost);
        }
      ridge_stream_get_stats (stream, &st);
      if (!ctl->json && !ctl->interrupted)
        g_print ("%3d s  %6.1f fps  %6" G_GUINT64_FORMAT " frames  %5" G_GUINT64_FORMAT
                 " dropped  latency p50 %6.2f ms  p95 %6.2f ms\n", t, st.fps, st.frames,
                 st.dropped, st.latency_p50_us / 1000.0, st.latency_p95_us / 1000.0);
    }

  /* stop even after Ctrl-C: a fresh cancellable */
  ridge_stream_stop_async (stream, NULL, ctl_store_result, &res);
  stopped = ridge_stream_stop_finish (stream, ctl_wait (&res), &sent, &dropped, &error);
  ridge_stream_get_stats (stream, &st);

  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      J_INT (b, "frames", st.frames);
      J_INT (b, "dropped", st.dropped);
      J_DBL (b, "fps", st.fps_avg);
      J_INT (b, "bytes", st.bytes);
      J_DBL (b, "compression_ratio", st.bytes ? (double)st.raw_bytes / st.bytes : 0.0);
      json_builder_set_member_name (b, "latency_ms");
      json_builder_begin_object (b);
      J_DBL (b, "p50", st.latency_p50_us / 1000.0);
      J_DBL (b, "p95", st.latency_p95_us / 1000.0);
      J_DBL (b, "max", st.latency_max_us / 1000.0);
      json_builder_end_object (b);
      if (stopped)
        {
          json_builder_set_member_name (b, "terminal");
          json_builder_begin_object (b);
          J_INT (b, "frames_sent", sent);
          J_INT (b, "frames_dropped", dropped);
          json_builder_end_object (b);
        }
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else
    {
      g_print ("%" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT " dropped, %.1f fps average, "
                                                                  "%.2f MB received (ratio %.2f), latency p50 %.2f ms p95 %.2f ms max %.2f ms\n",
               st.frames, st.dropped, st.fps_avg, st.bytes / 1e6,
               st.bytes ? (double)st.raw_bytes / st.bytes : 0.0, st.latency_p50_us / 1000.0,
               st.latency_p95_us / 1000.0, st.latency_max_us / 1000.0);
      if (stopped)
        g_print ("Terminal: %u frames sent, %u dropped for lack of credit\n", sent, dropped);
    }
  if (!stopped)
    return ctl_fail (ctl, error);
  return ctl->interrupted ? 130 : EXIT_OK;
}
