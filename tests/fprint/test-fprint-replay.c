/* test-fprint-replay.c — capture through RidgeReader from a real sensor's recorded USB
 * traffic (run under umockdev-run by tests/fprint/replay.sh) and compare the pixels with the
 * image libfprint 1.94.5 produced from the same recording.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * usage: test-fprint-replay DRIVER EXPECTED.pgm   (capture.png must be beside it)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ridge-fprint.h"
#include "ridge-image-io.h"

typedef struct {
  GMainLoop          *loop;
  GError             *error;
  gboolean            ok;
  RidgeReaderCapture *capture;
} Wait;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *w = user_data;
  RidgeReader *reader = RIDGE_READER (source);

  if (g_task_get_source_tag (G_TASK (result)) == ridge_reader_open_async)
    w->ok = ridge_reader_open_finish (reader, result, &w->error);
  else if (g_task_get_source_tag (G_TASK (result)) == ridge_reader_close_async)
    w->ok = ridge_reader_close_finish (reader, result, &w->error);
  else
    {
      w->capture = ridge_reader_capture_finish (reader, result, &w->error);
      w->ok = w->capture != NULL;
    }
  g_main_loop_quit (w->loop);
}

/* Reads a binary PGM (P5, maxval 255). */
static guint8 *
read_pgm (const char *path,
          int        *width,
          int        *height)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  int w = 0, h = 0, maxval = 0, consumed = 0;

  if (!g_file_get_contents (path, &data, &len, NULL))
    return NULL;
  if (sscanf (data, "P5 %d %d %d%n", &w, &h, &maxval, &consumed) != 3 || maxval != 255
      || w <= 0 || h <= 0 || w > 4096 || h > 4096)
    return NULL;
  consumed++;   /* the single whitespace after maxval */
  if ((gsize)consumed + (gsize)w * h != len)
    return NULL;
  *width = w;
  *height = h;
  return g_memdup2 (data + consumed, (gsize)w * h);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (RidgeReaderManager) manager = NULL;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree guint8 *expected = NULL;
  RidgeReader *reader;
  Wait w = { loop, NULL, FALSE, NULL };
  int ew = 0, eh = 0;
  gsize differ = 0;

  if (argc != 3)
    {
      fprintf (stderr, "usage: %s DRIVER EXPECTED.pgm\n", argv[0]);
      return 2;
    }
  expected = read_pgm (argv[2], &ew, &eh);
  if (expected == NULL)
    {
      fprintf (stderr, "cannot read %s as an 8-bit PGM\n", argv[2]);
      return 1;
    }

  manager = ridge_reader_manager_new ();
  if (ridge_reader_manager_get_n_readers (manager) != 1)
    {
      fprintf (stderr, "expected exactly one reader under umockdev, found %u\n",
               ridge_reader_manager_get_n_readers (manager));
      return 1;
    }
  reader = g_list_model_get_item (ridge_reader_manager_get_readers (manager), 0);
  g_object_unref (reader);   /* the manager keeps it */
  printf ("reader: %s, driver %s, scan %s, features 0x%x, %d enroll stages\n",
          ridge_reader_get_name (reader), ridge_reader_get_driver (reader),
          ridge_reader_get_scan_type (reader), ridge_reader_get_features (reader),
          ridge_reader_get_enroll_stages (reader));
  if (strcmp (ridge_reader_get_driver (reader), argv[1]) != 0)
    {
      fprintf (stderr, "driver %s, expected %s\n", ridge_reader_get_driver (reader), argv[1]);
      return 1;
    }
  if (!(ridge_reader_get_features (reader) & RIDGE_READER_FEATURE_CAPTURE))
    {
      fprintf (stderr, "reader does not say it can capture\n");
      return 1;
    }

  ridge_reader_open_async (reader, NULL, on_done, &w);
  g_main_loop_run (loop);
  if (!w.ok)
    {
      fprintf (stderr, "open: %s\n", w.error->message);
      return 1;
    }
  if (ridge_reader_get_state (reader) != RIDGE_READER_STATE_IDLE)
    {
      fprintf (stderr, "state after open: %d\n", ridge_reader_get_state (reader));
      return 1;
    }

  ridge_reader_capture_async (reader, NULL, on_done, &w);
  if (ridge_reader_get_state (reader) != RIDGE_READER_STATE_BUSY)
    {
      fprintf (stderr, "state during capture: %d\n", ridge_reader_get_state (reader));
      return 1;
    }
  g_main_loop_run (loop);
  if (!w.ok)
    {
      fprintf (stderr, "capture: %s\n", w.error->message);
      return 1;
    }
  printf ("captured %d×%d (ppmm %.2f, dpi %d)\n", w.capture->image.width,
          w.capture->image.height, w.capture->ppmm, w.capture->image.dpi);
  if (w.capture->image.width != ew || w.capture->image.height != eh)
    {
      fprintf (stderr, "size %d×%d, expected %d×%d\n", w.capture->image.width,
               w.capture->image.height, ew, eh);
      return 1;
    }
  for (gsize i = 0; i < (gsize)ew * eh; i++)
    differ += w.capture->image.pixels[i] != expected[i];
  if (differ != 0)
    {
      fprintf (stderr, "%" G_GSIZE_FORMAT " of %d pixels differ\n", differ, ew * eh);
      return 1;
    }
  printf ("all %d pixels identical to %s\n", ew * eh, argv[2]);

  /* And to capture.png beside it (RGB with R=G=B), decoded by Ridge's own image loader. */
  {
    g_autofree char *dir = g_path_get_dirname (argv[2]);
    g_autofree char *png = g_build_filename (dir, "capture.png", NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) pixels = NULL;
    guint pw = 0, ph = 0;

    pixels = ridge_image_load (png, &pw, &ph, &error);
    if (pixels == NULL)
      {
        fprintf (stderr, "%s: %s\n", png, error->message);
        return 1;
      }
    if ((int)pw != ew || (int)ph != eh
        || memcmp (g_bytes_get_data (pixels, NULL), w.capture->image.pixels,
                   (gsize)ew * eh) != 0)
      {
        fprintf (stderr, "capture differs from %s\n", png);
        return 1;
      }
    printf ("and identical to %s\n", png);
  }
  ridge_reader_capture_free (w.capture);

  ridge_reader_close_async (reader, NULL, on_done, &w);
  g_main_loop_run (loop);
  if (!w.ok)
    {
      fprintf (stderr, "close: %s\n", w.error->message);
      return 1;
    }
  return ridge_reader_get_state (reader) == RIDGE_READER_STATE_CLOSED ? 0 : 1;
}
