/* test-fprint-virtual.c — RidgeReaderManager/RidgeReader against libfprint's virtual image
 * sensor (FP_VIRTUAL_IMAGE=socket: the test plays the finger by sending images)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ridge-fprint.h"
#include "ridge-image-io.h"

typedef struct {
  char               *dir;
  char               *socket_path;
  RidgeReaderManager *manager;
  RidgeReader        *reader;
  GSocketConnection  *conn;
  GMainLoop          *loop;
  /* results */
  GAsyncResult *result;
  int           progress_calls;
  int           last_stage;
  int           removed_signals;
  int           retry_signals;
} Fixture;

static void
on_result (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Fixture *fx = user_data;

  (void)source;
  g_assert_null (fx->result);
  fx->result = g_object_ref (result);
}

static GAsyncResult *
wait_result (Fixture *fx)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (fx->result == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  return g_steal_pointer (&fx->result);
}

static void
spin (int ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
}

static void
send_bytes (Fixture    *fx,
            const void *data,
            gsize       len)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (fx->conn));
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;

  g_output_stream_write_all_async (out, data, len, G_PRIORITY_DEFAULT, NULL, on_result, fx);
  res = wait_result (fx);
  g_assert_true (g_output_stream_write_all_finish (out, res, NULL, &error));
  g_assert_no_error (error);
}

static void
send_image (Fixture      *fx,
            const guint8 *pixels,
            gint32        width,
            gint32        height)
{
  gint32 hdr[2] = { width, height };

  send_bytes (fx, hdr, sizeof hdr);
  send_bytes (fx, pixels, (gsize)width * height);
}

static void
send_command (Fixture *fx,
              gint32   command,
              gint32   argument)
{
  gint32 hdr[2] = { command, argument };

  send_bytes (fx, hdr, sizeof hdr);
}

static void
open_reader (Fixture *fx)
{
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketAddress) address = NULL;

  ridge_reader_open_async (fx->reader, NULL, on_result, fx);
  g_assert_cmpint (ridge_reader_get_state (fx->reader), ==, RIDGE_READER_STATE_OPENING);
  res = wait_result (fx);
  g_assert_true (ridge_reader_open_finish (fx->reader, res, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ridge_reader_get_state (fx->reader), ==, RIDGE_READER_STATE_IDLE);

  address = g_unix_socket_address_new (fx->socket_path);
  fx->conn = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);
  g_assert_no_error (error);
  spin (50);
}

static void
close_reader (Fixture *fx)
{
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;

  ridge_reader_close_async (fx->reader, NULL, on_result, fx);
  res = wait_result (fx);
  g_assert_true (ridge_reader_close_finish (fx->reader, res, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ridge_reader_get_state (fx->reader), ==, RIDGE_READER_STATE_CLOSED);
}

static void
fixture_setup (Fixture      *fx,
               gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fx->dir = g_dir_make_tmp ("ridge-fprint-XXXXXX", &error);
  g_assert_no_error (error);
  fx->socket_path = g_build_filename (fx->dir, "virtual.socket", NULL);
  g_setenv (data != NULL ? data : "FP_VIRTUAL_IMAGE", fx->socket_path, TRUE);
  fx->manager = ridge_reader_manager_new ();
  g_assert_cmpuint (ridge_reader_manager_get_n_readers (fx->manager), ==, 1);
  fx->reader = g_list_model_get_item (ridge_reader_manager_get_readers (fx->manager), 0);
}

static void
fixture_teardown (Fixture      *fx,
                  gconstpointer data)
{
  if (fx->conn != NULL)
    g_io_stream_close (G_IO_STREAM (fx->conn), NULL, NULL);
  g_clear_object (&fx->conn);
  if (ridge_reader_get_state (fx->reader) == RIDGE_READER_STATE_IDLE)
    close_reader (fx);
  g_clear_object (&fx->reader);
  g_clear_object (&fx->manager);
  spin (20);
  g_unlink (fx->socket_path);
  g_rmdir (fx->dir);
  g_free (fx->socket_path);
  g_free (fx->dir);
  g_unsetenv (data != NULL ? data : "FP_VIRTUAL_IMAGE");
}

/* A deterministic pattern, not a fingerprint: capture must hand it over unchanged. */
static guint8 *
pattern (int w,
         int h)
{
  guint8 *p = g_malloc ((gsize)w * h);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      p[y * w + x] = (guint8)((x * 7 + y * 13 + (x * y) % 31) & 0xff);
  return p;
}

static void
test_list (Fixture      *fx,
           gconstpointer data)
{
  RidgeReaderFeatures f = ridge_reader_get_features (fx->reader);

  (void)data;
  g_assert_cmpstr (ridge_reader_get_driver (fx->reader), ==, "virtual_image");
  g_assert_nonnull (ridge_reader_get_name (fx->reader));
  g_assert_true (f & RIDGE_READER_FEATURE_CAPTURE);
  g_assert_false (f & RIDGE_READER_FEATURE_MATCH_ON_CHIP);
  g_assert_false (f & RIDGE_READER_FEATURE_STORAGE);
  g_assert_true (f & RIDGE_READER_FEATURE_VERIFY);
  g_assert_cmpint (ridge_reader_get_enroll_stages (fx->reader), ==, 5);
  g_assert_cmpint (ridge_reader_get_state (fx->reader), ==, RIDGE_READER_STATE_CLOSED);
  g_assert_true (ridge_reader_manager_find (fx->manager,
                                            ridge_reader_get_device_id (fx->reader))
                 == fx->reader);
  g_assert_null (ridge_reader_manager_find (fx->manager, "no-such-reader"));
}

static void
test_not_open (Fixture      *fx,
               gconstpointer data)
{
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;

  (void)data;
  ridge_reader_capture_async (fx->reader, NULL, on_result, fx);
  res = wait_result (fx);
  g_assert_null (ridge_reader_capture_finish (fx->reader, res, &error));
  g_assert_error (error, FP_DEVICE_ERROR, FP_DEVICE_ERROR_NOT_OPEN);
  g_assert_cmpstr (error->message, ==, "The fingerprint reader is not open yet.");
}

static void
test_capture (Fixture      *fx,
              gconstpointer data)
{
  const int w = 200, h = 240;
  g_autofree guint8 *img = pattern (w, h);
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GAsyncResult) busy_res = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) busy_error = NULL;
  g_autoptr (RidgeReaderCapture) capture = NULL;
  Fixture busy = { 0 };

  (void)data;
  open_reader (fx);
  ridge_reader_capture_async (fx->reader, NULL, on_result, fx);
  g_assert_cmpint (ridge_reader_get_state (fx->reader), ==, RIDGE_READER_STATE_BUSY);

  /* One operation at a time: a second one is refused at once, with a sentence. */
  ridge_reader_verify_async (fx->reader, fp_print_new (ridge_reader_get_device (fx->reader)),
                             NULL, on_result, &busy);
  busy_res = wait_result (&busy);
  g_assert_false (ridge_reader_verify_finish (fx->reader, busy_res, NULL, &busy_error));
  g_assert_error (busy_error, RIDGE_FPRINT_ERROR, RIDGE_FPRINT_ERROR_BUSY);
  g_assert_nonnull (strstr (busy_error->message, "busy"));

  spin (50);
  send_image (fx, img, w, h);
  res = wait_result (fx);
  capture = ridge_reader_capture_finish (fx->reader, res, &error);
  g_assert_no_error (error);
  g_assert_nonnull (capture);
  g_assert_cmpint (capture->image.width, ==, w);
  g_assert_cmpint (capture->image.height, ==, h);
  g_assert_cmpint (capture->image.dpi, ==, 500);
  g_assert_cmpmem (capture->image.pixels, (gsize)w * h, img, (gsize)w * h);
  g_assert_cmpint (ridge_reader_get_state (fx->reader), ==, RIDGE_READER_STATE_IDLE);
}

static void
test_capture_errors (Fixture      *fx,
                     gconstpointer data)
{
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();

  (void)data;
  open_reader (fx);

  /* A device error ends the capture with libfprint's code and a sentence. */
  ridge_reader_capture_async (fx->reader, NULL, on_result, fx);
  spin (50);
  send_command (fx, -2, FP_DEVICE_ERROR_TOO_HOT);
  res = wait_result (fx);
  g_assert_null (ridge_reader_capture_finish (fx->reader, res, &error));
  g_assert_error (error, FP_DEVICE_ERROR, FP_DEVICE_ERROR_TOO_HOT);
  g_assert_nonnull (strstr (error->message, "too hot"));
  g_assert_cmpint (ridge_reader_get_state (fx->reader), ==, RIDGE_READER_STATE_IDLE);
  g_clear_object (&res);
  g_clear_error (&error);

  /* A retry during capture is reported as a retry error with its sentence. */
  ridge_reader_capture_async (fx->reader, NULL, on_result, fx);
  spin (50);
  send_command (fx, -1, FP_DEVICE_RETRY_TOO_SHORT);
  res = wait_result (fx);
  g_assert_null (ridge_reader_capture_finish (fx->reader, res, &error));
  g_assert_error (error, FP_DEVICE_RETRY, FP_DEVICE_RETRY_TOO_SHORT);
  g_assert_nonnull (strstr (error->message, "too short"));
  g_clear_object (&res);
  g_clear_error (&error);

  /* Cancelling. */
  ridge_reader_capture_async (fx->reader, cancellable, on_result, fx);
  spin (50);
  g_cancellable_cancel (cancellable);
  res = wait_result (fx);
  g_assert_null (ridge_reader_capture_finish (fx->reader, res, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (ridge_reader_get_state (fx->reader), ==, RIDGE_READER_STATE_IDLE);
}

static void
on_progress (RidgeReader *reader,
             int          stage,
             int          n_stages,
             const char  *retry,
             Fixture     *fx)
{
  (void)reader;
  g_assert_cmpint (n_stages, ==, 5);
  g_assert_null (retry);
  g_assert_cmpint (stage, ==, fx->last_stage + 1);
  fx->last_stage = stage;
  fx->progress_calls++;
}

static GBytes *
load_fvc (const char *name,
          guint      *w,
          guint      *h)
{
  const char *shared = g_getenv ("RIDGE_SHARED_DATA");
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  GBytes *pixels;

  if (shared == NULL)
    return NULL;
  path = g_build_filename (shared, "fingerprints", "fvc2002-db1b", name, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;
  pixels = ridge_image_load (path, w, h, &error);
  g_assert_no_error (error);
  return pixels;
}

static gboolean
verify_with (Fixture *fx,
             FpPrint *print,
             GBytes  *image,
             guint    w,
             guint    h)
{
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;
  gboolean match = FALSE;

  ridge_reader_verify_async (fx->reader, print, NULL, on_result, fx);
  spin (50);
  send_image (fx, g_bytes_get_data (image, NULL), (gint32)w, (gint32)h);
  res = wait_result (fx);
  g_assert_true (ridge_reader_verify_finish (fx->reader, res, &match, &error));
  g_assert_no_error (error);
  return match;
}

/* Every minutia libfprint kept must be one that NBIS mindtct finds on the same image
 * (xyt-m1: INCITS 378 convention, origin top-left, θ in 2-degree units): same place,
 * same direction within 2 degrees. This checks the y flip and the angle convention. */
static void
check_against_nbis (const RidgeTemplate *t,
                    const char          *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("RIDGE_SHARED_DATA"), "fingerprints",
                                            "nbis-reference-fvc2002", "xyt-m1", name, NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  int found = 0;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (int i = 0; i < t->n_minutiae; i++)
    {
      const RidgeMinutia *m = &t->minutiae[i];
      gboolean ok = FALSE;

      for (int l = 0; lines[l] != NULL && !ok; l++)
        {
          int x, y, th, q;
          double d;

          if (sscanf (lines[l], "%d %d %d %d", &x, &y, &th, &q) != 4)
            continue;
          d = fabs (fmod (m->angle * 180.0 / G_PI - th * 2.0 + 540.0, 360.0) - 180.0);
          ok = fabs (m->x - x) <= 1 && fabs (m->y - y) <= 1 && d <= 2.5;
        }
      found += ok;
    }
  g_printerr ("# %d of %d minutiae found in NBIS's %s\n", found, t->n_minutiae, name);
  g_assert_cmpint (found, ==, t->n_minutiae);
}

static void
test_enroll_verify (Fixture      *fx,
                    gconstpointer data)
{
  guint w = 0, h = 0, w2 = 0, h2 = 0;
  g_autoptr (GBytes) finger = load_fvc ("101_1.pgm", &w, &h);
  g_autoptr (GBytes) other = load_fvc ("105_1.pgm", &w2, &h2);
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FpPrint) print = NULL;
  g_autoptr (FpPrint) loaded = NULL;
  g_autoptr (FpPrint) match = NULL;
  g_autoptr (GPtrArray) gallery = NULL;
  g_autofree char *path = NULL;
  g_autofree RidgeTemplate *templates = NULL;
  GStatBuf st;
  int n;

  (void)data;
  if (finger == NULL || other == NULL)
    {
      g_test_skip ("RIDGE_SHARED_DATA/fingerprints/fvc2002-db1b is absent");
      return;
    }
  open_reader (fx);
  g_signal_connect (fx->reader, "enroll-progress", G_CALLBACK (on_progress), fx);
  ridge_reader_enroll_async (fx->reader, FP_FINGER_LEFT_INDEX, "ridge-test", NULL, on_result,
                             fx);
  for (int i = 0; i < 5; i++)
    {
      spin (50);
      send_image (fx, g_bytes_get_data (finger, NULL), (gint32)w, (gint32)h);
      while (fx->progress_calls < i + 1)
        g_main_context_iteration (NULL, TRUE);
    }
  res = wait_result (fx);
  print = ridge_reader_enroll_finish (fx->reader, res, &error);
  g_assert_no_error (error);
  g_assert_nonnull (print);
  g_assert_cmpint (fx->progress_calls, ==, 5);
  g_assert_cmpint (fp_print_get_finger (print), ==, FP_FINGER_LEFT_INDEX);
  g_assert_cmpstr (fp_print_get_username (print), ==, "ridge-test");

  /* Export / import. */
  path = g_build_filename (fx->dir, "print.fp3", NULL);
  g_assert_true (ridge_fprint_print_save (print, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  loaded = ridge_fprint_print_load (path, &error);
  g_assert_no_error (error);
  g_assert_true (fp_print_equal (print, loaded));
  g_unlink (path);

  /* NBIS tables → Ridge templates: one per enroll stage, same minutiae each time. */
  templates = g_new0 (RidgeTemplate, 8);
  n = ridge_fprint_print_to_templates (loaded, (int)w, (int)h, 500, templates, 8, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 5);
  g_assert_cmpint (templates[0].n_minutiae, >, 10);
  for (int i = 1; i < n; i++)
    {
      g_assert_cmpint (templates[i].n_minutiae, ==, templates[0].n_minutiae);
      g_assert_cmpmem (templates[i].minutiae, templates[i].n_minutiae * sizeof (RidgeMinutia),
                       templates[0].minutiae,
                       templates[0].n_minutiae * sizeof (RidgeMinutia));
    }
  for (int i = 0; i < templates[0].n_minutiae; i++)
    {
      const RidgeMinutia *m = &templates[0].minutiae[i];
      g_assert_cmpfloat (m->x, >=, 0);
      g_assert_cmpfloat (m->x, <, w);
      g_assert_cmpfloat (m->y, >=, 0);
      g_assert_cmpfloat (m->y, <, h);
      g_assert_cmpfloat (m->angle, >=, 0);
      g_assert_cmpfloat (m->angle, <, 2 * G_PI + 1e-5);
    }
  g_printerr ("# %d templates, %u minutiae each\n", n, templates[0].n_minutiae);
  g_assert_cmpint (ridge_fprint_print_to_templates (loaded, 20, (int)h, 500, templates, 8,
                                                    &error), ==, -1);
  g_assert_error (error, RIDGE_FPRINT_ERROR, RIDGE_FPRINT_ERROR_FAILED);
  g_clear_error (&error);
  /* An image too small for the minutiae is refused, not clipped. */
  g_assert_cmpint (ridge_fprint_print_to_templates (loaded, 64, 64, 500, templates, 8,
                                                    &error), ==, -1);
  g_assert_error (error, RIDGE_FPRINT_ERROR, RIDGE_FPRINT_ERROR_FORMAT);
  g_clear_error (&error);
  g_assert_cmpint (ridge_fprint_print_to_templates (loaded, (int)w, (int)h, 500, templates, 2,
                                                    &error), ==, 2);
  g_assert_no_error (error);
  check_against_nbis (&templates[0], "101_1.xyt");

  /* Verify: the same finger matches, another does not. */
  g_assert_true (verify_with (fx, loaded, finger, w, h));
  g_assert_false (verify_with (fx, loaded, other, w2, h2));

  /* Identify among two prints. */
  gallery = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (gallery, g_object_ref (print));
  ridge_reader_identify_async (fx->reader, gallery, NULL, on_result, fx);
  spin (50);
  send_image (fx, g_bytes_get_data (finger, NULL), (gint32)w, (gint32)h);
  g_clear_object (&res);
  res = wait_result (fx);
  g_assert_true (ridge_reader_identify_finish (fx->reader, res, &match, &error));
  g_assert_no_error (error);
  g_assert_true (match == print);

  /* The local folder read on a worker thread: none yet, then the stored print; a cancelled
   * read says so and gives nothing. */
  {
    g_autofree char *base = g_build_filename (fx->dir, "prints", NULL);
    g_autofree char *dir = NULL;
    g_autofree char *id = NULL;
    g_autoptr (GPtrArray) local = NULL;
    g_autoptr (GCancellable) cancellable = g_cancellable_new ();

    g_setenv ("RIDGE_PRINTS_DIR", base, TRUE);
    ridge_reader_load_local_prints_async (fx->reader, NULL, on_result, fx);
    g_clear_object (&res);
    res = wait_result (fx);
    local = ridge_reader_load_local_prints_finish (fx->reader, res, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (local->len, ==, 0);
    g_clear_pointer (&local, g_ptr_array_unref);

    g_assert_true (ridge_reader_store_local_print (fx->reader, print, &error));
    g_assert_no_error (error);
    ridge_reader_load_local_prints_async (fx->reader, NULL, on_result, fx);
    g_clear_object (&res);
    res = wait_result (fx);
    local = ridge_reader_load_local_prints_finish (fx->reader, res, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (local->len, ==, 1);
    g_assert_true (fp_print_equal (g_ptr_array_index (local, 0), print));
    g_clear_pointer (&local, g_ptr_array_unref);

    g_cancellable_cancel (cancellable);
    ridge_reader_load_local_prints_async (fx->reader, cancellable, on_result, fx);
    g_clear_object (&res);
    res = wait_result (fx);
    local = ridge_reader_load_local_prints_finish (fx->reader, res, &error);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_null (local);
    g_clear_error (&error);

    id = ridge_fprint_print_id (print, &error);
    g_assert_no_error (error);
    g_assert_true (ridge_reader_delete_local_print (fx->reader, id, &error));
    g_assert_no_error (error);
    dir = ridge_reader_dup_local_dir (fx->reader);
    while (g_strcmp0 (dir, fx->dir) != 0 && g_rmdir (dir) == 0)
      {
        char *up = g_path_get_dirname (dir);

        g_free (dir);
        dir = up;
      }
    g_unsetenv ("RIDGE_PRINTS_DIR");
  }
}

static void
test_print_files (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ridge-fprint-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "bad.fp3", NULL);
  const char *bad[] = { "", "FP", "FP3", "FP3garbage-not-a-variant", "XYZ123456" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_true (g_file_set_contents (path, bad[i], -1, NULL));
      g_assert_null (ridge_fprint_print_load (path, &error));
      g_assert_error (error, RIDGE_FPRINT_ERROR, RIDGE_FPRINT_ERROR_FORMAT);
      g_assert_nonnull (strstr (error->message, "damaged"));
      g_clear_error (&error);
    }
  /* Over the size limit. */
  {
    g_autofree char *big = g_malloc0 (RIDGE_FPRINT_MAX_FILE_BYTES + 1);

    memcpy (big, "FP3", 3);
    g_assert_true (g_file_set_contents (path, big, RIDGE_FPRINT_MAX_FILE_BYTES + 1, NULL));
    g_assert_null (ridge_fprint_print_load (path, &error));
    g_assert_error (error, RIDGE_FPRINT_ERROR, RIDGE_FPRINT_ERROR_FORMAT);
    g_assert_nonnull (strstr (error->message, "too large"));
    g_clear_error (&error);
  }
  g_unlink (path);
  g_assert_null (ridge_fprint_print_load (path, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_rmdir (dir);
}

static void
test_sentences (void)
{
  g_autoptr (GError) e = NULL;

  for (int code = FP_DEVICE_ERROR_GENERAL; code <= FP_DEVICE_ERROR_DATA_DUPLICATE; code++)
    {
      e = g_error_new_literal (FP_DEVICE_ERROR, code, "x");
      g_assert_cmpuint (strlen (ridge_fprint_error_sentence (e)), >, 20);
      g_clear_error (&e);
    }
  e = g_error_new_literal (FP_DEVICE_ERROR, FP_DEVICE_ERROR_REMOVED, "x");
  g_assert_cmpstr (ridge_fprint_error_sentence (e), ==, "The fingerprint reader was unplugged.");
  g_clear_error (&e);
  for (int code = FP_DEVICE_RETRY_GENERAL; code <= FP_DEVICE_RETRY_REMOVE_FINGER; code++)
    {
      e = g_error_new_literal (FP_DEVICE_RETRY, code, "x");
      g_assert_cmpuint (strlen (ridge_fprint_error_sentence (e)), >, 20);
      g_clear_error (&e);
    }
}

static void
on_reader_removed (RidgeReaderManager *manager,
                   RidgeReader        *reader,
                   Fixture            *fx)
{
  (void)manager;
  g_assert_true (reader == fx->reader);
  fx->removed_signals++;
}

static void
test_unplug (Fixture      *fx,
             gconstpointer data)
{
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;
  gint64 deadline;

  (void)data;
  g_signal_connect (fx->manager, "reader-removed", G_CALLBACK (on_reader_removed), fx);
  open_reader (fx);
  ridge_reader_capture_async (fx->reader, NULL, on_result, fx);
  spin (50);
  send_command (fx, -5, 0);
  res = wait_result (fx);
  g_assert_null (ridge_reader_capture_finish (fx->reader, res, &error));
  g_assert_error (error, FP_DEVICE_ERROR, FP_DEVICE_ERROR_REMOVED);
  g_assert_cmpstr (error->message, ==, "The fingerprint reader was unplugged.");
  g_assert_cmpint (ridge_reader_get_state (fx->reader), ==, RIDGE_READER_STATE_REMOVED);
  g_clear_error (&error);
  g_clear_object (&res);

  /* Closing an unplugged reader is allowed (the state stays REMOVED); libfprint drops the
   * device from its context once it is closed. */
  ridge_reader_close_async (fx->reader, NULL, on_result, fx);
  res = wait_result (fx);
  ridge_reader_close_finish (fx->reader, res, NULL);
  g_clear_object (&res);
  g_assert_false (fp_device_is_open (ridge_reader_get_device (fx->reader)));
  g_assert_cmpint (ridge_reader_get_state (fx->reader), ==, RIDGE_READER_STATE_REMOVED);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (fx->removed_signals == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
  g_assert_cmpint (fx->removed_signals, ==, 1);
  g_assert_cmpuint (ridge_reader_manager_get_n_readers (fx->manager), ==, 0);

  /* Calls on a removed reader fail at once. */
  ridge_reader_capture_async (fx->reader, NULL, on_result, fx);
  res = wait_result (fx);
  g_assert_null (ridge_reader_capture_finish (fx->reader, res, &error));
  g_assert_error (error, RIDGE_FPRINT_ERROR, RIDGE_FPRINT_ERROR_REMOVED);
}

/* ---- libfprint's virtual match-on-chip reader with storage ---------------------------- */

/* The virtual device takes one text command per connection ("SCAN id", "ERROR n", …). */
static void
send_text (Fixture    *fx,
           const char *command)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (fx->socket_path);
  g_autoptr (GSocketConnection) conn = NULL;
  g_autoptr (GError) error = NULL;
  GOutputStream *out;

  conn = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);
  g_assert_no_error (error);
  out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  g_assert_true (g_output_stream_write_all (out, command, strlen (command), NULL, NULL,
                                            &error));
  g_assert_no_error (error);
  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  spin (30);
}

static void
open_storage_reader (Fixture *fx)
{
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;

  ridge_reader_open_async (fx->reader, NULL, on_result, fx);
  res = wait_result (fx);
  g_assert_true (ridge_reader_open_finish (fx->reader, res, &error));
  g_assert_no_error (error);
}

static void
on_any_progress (RidgeReader *reader,
                 int          stage,
                 int          n_stages,
                 const char  *retry,
                 Fixture     *fx)
{
  (void)reader;
  g_assert_cmpint (n_stages, ==, ridge_reader_get_enroll_stages (fx->reader));
  if (retry != NULL)
    {
      /* A scan to repeat: same stage, and a sentence. */
      g_assert_cmpint (stage, ==, fx->last_stage);
      g_assert_cmpstr (retry, ==, "The finger was not in the middle of the reader. Place it "
                                  "again, centred.");
      fx->retry_signals++;
      return;
    }
  fx->last_stage = stage;
  fx->progress_calls++;
}

static FpPrint *
enroll_id (Fixture    *fx,
           const char *id,
           FpFinger    finger,
           gboolean    with_retry,
           GError    **error)
{
  g_autoptr (GAsyncResult) res = NULL;
  g_autofree char *scan = g_strdup_printf ("SCAN %s", id);
  int stages = ridge_reader_get_enroll_stages (fx->reader);

  fx->progress_calls = 0;
  fx->last_stage = 0;
  ridge_reader_enroll_async (fx->reader, finger, "ridge-test", NULL, on_result, fx);
  for (int i = 0; i < stages; i++)
    {
      if (i == 2 && with_retry)
        send_text (fx, "RETRY 2");
      send_text (fx, scan);
    }
  res = wait_result (fx);
  return ridge_reader_enroll_finish (fx->reader, res, error);
}

static GPtrArray *
list_prints (Fixture *fx)
{
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;
  GPtrArray *prints;

  ridge_reader_list_prints_async (fx->reader, NULL, on_result, fx);
  res = wait_result (fx);
  prints = ridge_reader_list_prints_finish (fx->reader, res, &error);
  g_assert_no_error (error);
  g_assert_nonnull (prints);
  return prints;
}

static void
on_retry (RidgeReader *reader,
          const char  *sentence,
          Fixture     *fx)
{
  (void)reader;
  g_assert_nonnull (strstr (sentence, "finger"));
  fx->retry_signals++;
}

static void
test_storage (Fixture      *fx,
              gconstpointer data)
{
  RidgeReaderFeatures f = ridge_reader_get_features (fx->reader);
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FpPrint) a = NULL;
  g_autoptr (FpPrint) b = NULL;
  g_autoptr (FpPrint) match = NULL;
  g_autoptr (FpPrint) full = NULL;
  g_autoptr (GPtrArray) prints = NULL;
  g_autoptr (GPtrArray) gallery = NULL;
  RidgeTemplate t;
  gboolean matched = TRUE;

  (void)data;
  g_assert_cmpstr (ridge_reader_get_driver (fx->reader), ==, "virtual_device_storage");
  g_assert_true (f & RIDGE_READER_FEATURE_MATCH_ON_CHIP);
  g_assert_false (f & RIDGE_READER_FEATURE_CAPTURE);
  g_assert_true (f & RIDGE_READER_FEATURE_STORAGE);
  g_assert_true (f & RIDGE_READER_FEATURE_LIST);
  g_assert_true (f & RIDGE_READER_FEATURE_DELETE);
  g_assert_true (f & RIDGE_READER_FEATURE_IDENTIFY);
  g_signal_connect (fx->reader, "enroll-progress", G_CALLBACK (on_any_progress), fx);
  g_signal_connect (fx->reader, "retry", G_CALLBACK (on_retry), fx);
  open_storage_reader (fx);

  /* No images from a match-on-chip reader. */
  ridge_reader_capture_async (fx->reader, NULL, on_result, fx);
  res = wait_result (fx);
  g_assert_null (ridge_reader_capture_finish (fx->reader, res, &error));
  g_assert_error (error, RIDGE_FPRINT_ERROR, RIDGE_FPRINT_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_clear_object (&res);

  a = enroll_id (fx, "finger-a", FP_FINGER_RIGHT_THUMB, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fx->progress_calls, ==, ridge_reader_get_enroll_stages (fx->reader));
  g_assert_cmpint (fx->last_stage, ==, ridge_reader_get_enroll_stages (fx->reader));
  b = enroll_id (fx, "finger-b", FP_FINGER_RIGHT_INDEX, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fx->retry_signals, ==, 1);
  g_assert_cmpint (fx->progress_calls, ==, ridge_reader_get_enroll_stages (fx->reader));
  fx->retry_signals = 0;
  g_assert_true (fp_print_get_device_stored (a));

  /* Stored on the chip: nothing for Ridge's matcher. */
  g_assert_cmpint (ridge_fprint_print_to_templates (a, 300, 300, 500, &t, 1, &error), ==, -1);
  g_assert_error (error, RIDGE_FPRINT_ERROR, RIDGE_FPRINT_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  prints = list_prints (fx);
  g_assert_cmpuint (prints->len, ==, 2);
  g_clear_pointer (&prints, g_ptr_array_unref);

  /* Verify: right finger, wrong finger. */
  ridge_reader_verify_async (fx->reader, a, NULL, on_result, fx);
  send_text (fx, "SCAN finger-a");
  res = wait_result (fx);
  g_assert_true (ridge_reader_verify_finish (fx->reader, res, &matched, &error));
  g_assert_no_error (error);
  g_assert_true (matched);
  g_clear_object (&res);
  ridge_reader_verify_async (fx->reader, a, NULL, on_result, fx);
  send_text (fx, "SCAN finger-b");
  res = wait_result (fx);
  g_assert_true (ridge_reader_verify_finish (fx->reader, res, &matched, &error));
  g_assert_no_error (error);
  g_assert_false (matched);
  g_clear_object (&res);

  /* A retry: the "retry" signal gets a sentence, the call ends with the retry error. */
  ridge_reader_verify_async (fx->reader, a, NULL, on_result, fx);
  send_text (fx, "RETRY 3");
  res = wait_result (fx);
  g_assert_false (ridge_reader_verify_finish (fx->reader, res, &matched, &error));
  g_assert_error (error, FP_DEVICE_RETRY, FP_DEVICE_RETRY_REMOVE_FINGER);
  g_assert_cmpstr (error->message, ==,
                   "The scan did not work. Lift your finger and place it on the reader again.");
  g_assert_cmpint (fx->retry_signals, ==, 1);
  g_clear_error (&error);
  g_clear_object (&res);

  /* Identify among both. */
  gallery = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (gallery, g_object_ref (a));
  g_ptr_array_add (gallery, g_object_ref (b));
  ridge_reader_identify_async (fx->reader, gallery, NULL, on_result, fx);
  send_text (fx, "SCAN finger-b");
  res = wait_result (fx);
  g_assert_true (ridge_reader_identify_finish (fx->reader, res, &match, &error));
  g_assert_no_error (error);
  g_assert_nonnull (match);
  g_assert_true (fp_print_equal (match, b));
  g_clear_object (&res);

  /* Delete one. */
  ridge_reader_delete_print_async (fx->reader, a, NULL, on_result, fx);
  res = wait_result (fx);
  g_assert_true (ridge_reader_delete_print_finish (fx->reader, res, &error));
  g_assert_no_error (error);
  g_clear_object (&res);
  prints = list_prints (fx);
  g_assert_cmpuint (prints->len, ==, 1);
  g_assert_true (fp_print_equal (g_ptr_array_index (prints, 0), b));

  /* A full memory is reported in words. */
  g_clear_object (&res);
  ridge_reader_enroll_async (fx->reader, FP_FINGER_LEFT_THUMB, NULL, NULL, on_result, fx);
  send_text (fx, "ERROR 8");
  res = wait_result (fx);
  full = ridge_reader_enroll_finish (fx->reader, res, &error);
  g_assert_null (full);
  g_assert_error (error, FP_DEVICE_ERROR, FP_DEVICE_ERROR_DATA_FULL);
  g_assert_nonnull (strstr (error->message, "memory is full"));
  g_assert_cmpint (ridge_reader_get_state (fx->reader), ==, RIDGE_READER_STATE_IDLE);
}

/* Unplugged while open and idle: the state says so at once, without an operation. */
static void
test_unplug_idle (Fixture      *fx,
                  gconstpointer data)
{
  g_autoptr (GAsyncResult) res = NULL;
  gint64 deadline;

  (void)data;
  g_signal_connect (fx->manager, "reader-removed", G_CALLBACK (on_reader_removed), fx);
  open_storage_reader (fx);
  send_text (fx, "UNPLUG");
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (ridge_reader_get_state (fx->reader) != RIDGE_READER_STATE_REMOVED
         && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
  g_assert_cmpint (ridge_reader_get_state (fx->reader), ==, RIDGE_READER_STATE_REMOVED);
  g_assert_cmpint (fx->removed_signals, ==, 0);
  ridge_reader_close_async (fx->reader, NULL, on_result, fx);
  res = wait_result (fx);
  ridge_reader_close_finish (fx->reader, res, NULL);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (fx->removed_signals == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
  g_assert_cmpint (fx->removed_signals, ==, 1);
  g_assert_cmpuint (ridge_reader_manager_get_n_readers (fx->manager), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fprint/sentences", test_sentences);
  g_test_add_func ("/fprint/print-files-bad", test_print_files);
  g_test_add ("/fprint/virtual-image/list", Fixture, NULL, fixture_setup, test_list,
              fixture_teardown);
  g_test_add ("/fprint/virtual-image/not-open", Fixture, NULL, fixture_setup, test_not_open,
              fixture_teardown);
  g_test_add ("/fprint/virtual-image/capture", Fixture, NULL, fixture_setup, test_capture,
              fixture_teardown);
  g_test_add ("/fprint/virtual-image/capture-errors", Fixture, NULL, fixture_setup,
              test_capture_errors, fixture_teardown);
  g_test_add ("/fprint/virtual-image/enroll-verify-identify", Fixture, NULL, fixture_setup,
              test_enroll_verify, fixture_teardown);
  g_test_add ("/fprint/virtual-image/unplug", Fixture, NULL, fixture_setup, test_unplug,
              fixture_teardown);
  g_test_add ("/fprint/virtual-device-storage/unplug-idle", Fixture,
              "FP_VIRTUAL_DEVICE_STORAGE", fixture_setup, test_unplug_idle, fixture_teardown);
  g_test_add ("/fprint/virtual-device-storage/enroll-verify-identify-list-delete", Fixture,
              "FP_VIRTUAL_DEVICE_STORAGE", fixture_setup, test_storage, fixture_teardown);
  return g_test_run ();
}
