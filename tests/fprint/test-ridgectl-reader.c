/* test-ridgectl-reader.c — `ridgectl readers` and the `reader:` commands against libfprint's
 * virtual readers: the image sensor (FP_VIRTUAL_IMAGE: the test sends synthetic prints from
 * the engine as the finger) and the match-on-chip reader with storage
 * (FP_VIRTUAL_DEVICE_STORAGE: text commands)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>

#include "ridge-engine.h"
#include "ridge-fmr.h"
#include "ridge-image-io.h"

typedef struct {
  char       *dir;
  char       *socket_path;
  char       *prints_dir;
  char       *ridgectl;
  const char *env_name;     /* FP_VIRTUAL_IMAGE or FP_VIRTUAL_DEVICE_STORAGE */
} Fixture;

typedef struct {
  GSubprocess      *proc;
  GDataInputStream *err;
  GString          *err_text;
} Run;

static void
fixture_setup (Fixture      *fx,
               gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fx->env_name = data;
  fx->dir = g_dir_make_tmp ("ridgectl-reader-XXXXXX", &error);
  g_assert_no_error (error);
  fx->socket_path = g_build_filename (fx->dir, "virtual.socket", NULL);
  fx->prints_dir = g_build_filename (fx->dir, "prints", NULL);
  fx->ridgectl = g_build_filename (g_getenv ("RIDGE_BUILD_ROOT"), "src", "cli", "ridgectl",
                                   NULL);
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        remove_tree (child);
      }
  g_remove (path);
}

static void
fixture_teardown (Fixture      *fx,
                  gconstpointer data)
{
  remove_tree (fx->dir);
  g_free (fx->dir);
  g_free (fx->socket_path);
  g_free (fx->prints_dir);
  g_free (fx->ridgectl);
}

/* Starts ridgectl ARGS… with the virtual reader's variable set. */
static Run *
run_start (Fixture    *fx,
           const char *first,
           ...)
{
  g_autoptr (GSubprocessLauncher) l =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  Run *run = g_new0 (Run, 1);
  va_list ap;

  g_subprocess_launcher_unsetenv (l, "FP_VIRTUAL_IMAGE");
  g_subprocess_launcher_unsetenv (l, "FP_VIRTUAL_DEVICE_STORAGE");
  g_subprocess_launcher_unsetenv (l, "FP_VIRTUAL_DEVICE");
  g_subprocess_launcher_setenv (l, fx->env_name, fx->socket_path, TRUE);
  g_subprocess_launcher_setenv (l, "RIDGE_PRINTS_DIR", fx->prints_dir, TRUE);
  g_ptr_array_add (argv, fx->ridgectl);
  g_ptr_array_add (argv, (char *)first);
  va_start (ap, first);
  for (const char *a = va_arg (ap, const char *); a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *)a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  run->proc = g_subprocess_launcher_spawnv (l, (const char * const *)argv->pdata, &error);
  g_assert_no_error (error);
  run->err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (run->proc));
  run->err_text = g_string_new (NULL);
  return run;
}

/* Blocks until ridgectl writes a stderr line containing text. */
static void
run_wait_line (Run        *run,
               const char *text)
{
  for (;;)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *line = g_data_input_stream_read_line_utf8 (run->err, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        g_error ("ridgectl ended without printing “%s”; its stderr:\n%s", text,
                 run->err_text->str);
      g_string_append_printf (run->err_text, "%s\n", line);
      if (strstr (line, text) != NULL)
        return;
    }
}

/* Waits for the end; returns the exit status and the parsed JSON of stdout. */
static int
run_finish (Run       *run,
            JsonNode **json)
{
  g_autoptr (GBytes) out = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GOutputStream) mem = g_memory_output_stream_new_resizable ();
  g_autofree char *rest = NULL;
  int status;

  g_output_stream_splice (mem, g_subprocess_get_stdout_pipe (run->proc),
                          G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  out = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (mem));
  rest = g_data_input_stream_read_upto (run->err, "", 0, NULL, NULL, NULL);
  if (rest != NULL)
    g_string_append (run->err_text, rest);
  g_subprocess_wait (run->proc, NULL, &error);
  g_assert_no_error (error);
  status = g_subprocess_get_exit_status (run->proc);
  g_printerr ("# exit %d; stdout: %.*s# stderr: %s\n", status,
              (int)g_bytes_get_size (out), (const char *)g_bytes_get_data (out, NULL),
              run->err_text->str);
  if (json != NULL)
    {
      *json = json_from_string (g_bytes_get_size (out) > 0
                                ? (const char *)g_bytes_get_data (out, NULL) : "null", &error);
      g_assert_no_error (error);
    }
  g_object_unref (run->err);
  g_object_unref (run->proc);
  g_string_free (run->err_text, TRUE);
  g_free (run);
  return status;
}

static JsonObject *
obj (JsonNode *node)
{
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

/* Connects to the virtual reader's socket, which exists once ridgectl has opened it. */
static GSocketConnection *
connect_reader (Fixture *fx)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (fx->socket_path);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  for (;;)
    {
      g_autoptr (GError) error = NULL;
      GSocketConnection *conn = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address),
                                                         NULL, &error);

      if (conn != NULL)
        return conn;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10000);
    }
}

static void
send_all (GSocketConnection *conn,
          const void        *data,
          gsize              len)
{
  g_autoptr (GError) error = NULL;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (conn));

  g_assert_true (g_output_stream_write_all (out, data, len, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* ---- the image sensor ------------------------------------------------------------------ */

/* A synthetic finger from the engine: the master print (no impression noise) of a seed. */
static void
synth_finger (guint32     seed,
              RidgeImage *img)
{
  RidgeSynthParams params = { 0 };
  int n = 0;

  params.width = 320;
  params.height = 400;
  g_assert_cmpint (ridge_synth_impression (seed, 0, &params, img, NULL, 0, &n), ==,
                   RIDGE_ENGINE_OK);
}

static void
send_image (GSocketConnection *conn,
            const RidgeImage  *img)
{
  gint32 hdr[2] = { img->width, img->height };

  send_all (conn, hdr, sizeof hdr);
  send_all (conn, img->pixels, (gsize)img->width * img->height);
}

/* Runs a finger command on the image reader: one image per "Place…"/progress line. */
static int
image_command (Fixture          *fx,
               const RidgeImage *img,
               int               n_images,
               JsonNode        **json,
               const char       *first,
               ...)
{
  const char *args[12] = { 0 };
  g_autoptr (GSocketConnection) conn = NULL;
  va_list ap;
  int n = 0;
  Run *run;

  args[n++] = first;
  va_start (ap, first);
  for (const char *a = va_arg (ap, const char *); a != NULL && n < 11;
       a = va_arg (ap, const char *))
    args[n++] = a;
  va_end (ap);
  run = run_start (fx, "--json", "--terminal", "reader:0", args[0], args[1], args[2], args[3],
                   args[4], args[5], args[6], args[7], args[8], args[9], args[10], NULL);
  run_wait_line (run, "Place");
  conn = connect_reader (fx);
  for (int i = 0; i < n_images; i++)
    {
      g_autofree char *progress = g_strdup_printf ("sample %d of", i + 1);

      g_usleep (100000);
      send_image (conn, img);
      if (n_images > 1)
        run_wait_line (run, progress);
    }
  return run_finish (run, json);
}

static void
test_image (Fixture      *fx,
            gconstpointer data)
{
  RidgeImage finger = { 0 }, other = { 0 };
  g_autoptr (JsonNode) j = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) saved = NULL;
  g_autofree char *png = g_build_filename (fx->dir, "capture.png", NULL);
  g_autofree char *id = NULL;
  g_autofree char *print_file = NULL;
  g_autofree char *fp3 = g_build_filename (fx->dir, "alice.fp3", NULL);
  g_autofree char *iso = g_build_filename (fx->dir, "alice.iso", NULL);
  g_autofree char *size = NULL;
  g_autofree RidgeFmrRecord *rec = g_new0 (RidgeFmrRecord, 1);
  g_autofree char *iso_bytes = NULL;
  gsize iso_len = 0;
  JsonObject *o, *p;
  JsonArray *a;
  GStatBuf st;
  guint w = 0, h = 0;
  Run *run;

  synth_finger (11, &finger);
  synth_finger (2024, &other);
  size = g_strdup_printf ("%dx%d", finger.width, finger.height);

  /* readers */
  run = run_start (fx, "--json", "readers", NULL);
  g_assert_cmpint (run_finish (run, &j), ==, 0);
  a = json_object_get_array_member (obj (j), "readers");
  g_assert_cmpuint (json_array_get_length (a), ==, 1);
  o = json_array_get_object_element (a, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "address"), ==, "reader:0");
  g_assert_cmpstr (json_object_get_string_member (o, "driver"), ==, "virtual_image");
  g_assert_true (json_object_get_boolean_member (o, "capture"));
  g_assert_false (json_object_get_boolean_member (o, "storage"));
  g_assert_cmpint (json_object_get_int_member (o, "enroll_stages"), ==, 5);
  g_clear_pointer (&j, json_node_unref);

  /* capture: the pushed pixels land in the file unchanged, with the engine's figures */
  g_assert_cmpint (image_command (fx, &finger, 1, &j, "capture", "-o", png, NULL), ==, 0);
  o = obj (j);
  g_assert_cmpint (json_object_get_int_member (o, "width"), ==, finger.width);
  g_assert_cmpint (json_object_get_int_member (o, "height"), ==, finger.height);
  g_assert_cmpint (json_object_get_int_member (o, "minutiae"), >, 10);
  g_assert_cmpint (json_object_get_int_member (o, "quality"), >, 0);
  saved = ridge_image_load (png, &w, &h, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (saved, NULL), g_bytes_get_size (saved), finger.pixels,
                   (gsize)finger.width * finger.height);
  g_assert_cmpint (g_stat (png, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_clear_pointer (&j, json_node_unref);

  /* enroll: five scans, kept in the local folder (0600) */
  g_assert_cmpint (image_command (fx, &finger, 5, &j, "enroll", "alice", "right-index", NULL),
                   ==, 0);
  o = obj (j);
  g_assert_cmpint (json_object_get_int_member (o, "samples"), ==, 5);
  p = json_object_get_object_member (o, "print");
  id = g_strdup (json_object_get_string_member (p, "id"));
  g_assert_cmpuint (strlen (id), ==, 12);
  g_assert_cmpstr (json_object_get_string_member (p, "user"), ==, "alice");
  g_assert_cmpint (json_object_get_int_member (p, "finger"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (p, "stored"), ==, "local");
  print_file = g_strdup_printf ("%s/virtual_image/0/%s.fp3", fx->prints_dir, id);
  g_assert_cmpint (g_stat (print_file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_clear_pointer (&j, json_node_unref);

  /* list */
  run = run_start (fx, "--json", "--terminal", "reader:virtual_image", "list", NULL);
  g_assert_cmpint (run_finish (run, &j), ==, 0);
  o = obj (j);
  g_assert_cmpint (json_object_get_int_member (o, "total"), ==, 1);
  a = json_object_get_array_member (o, "prints");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (a, 0), "id"),
                   ==, id);
  g_clear_pointer (&j, json_node_unref);

  /* verify: the same finger matches, another does not (exit 4) */
  g_assert_cmpint (image_command (fx, &finger, 1, &j, "verify", id, NULL), ==, 0);
  g_assert_true (json_object_get_boolean_member (obj (j), "matched"));
  g_clear_pointer (&j, json_node_unref);
  g_assert_cmpint (image_command (fx, &other, 1, &j, "verify", "--user", "alice", NULL), ==, 4);
  g_assert_false (json_object_get_boolean_member (obj (j), "matched"));
  g_clear_pointer (&j, json_node_unref);

  /* identify */
  g_assert_cmpint (image_command (fx, &finger, 1, &j, "identify", NULL), ==, 0);
  p = json_object_get_object_member (obj (j), "print");
  g_assert_cmpstr (json_object_get_string_member (p, "id"), ==, id);
  g_clear_pointer (&j, json_node_unref);

  /* export-print: the libfprint print as it is (0600), and its NBIS minutiae as an ISO/IEC
   * 19794-2 record with one view per enroll scan; the standard formats need the image size */
  run = run_start (fx, "--json", "--terminal", "reader:0", "export-print", id, fp3, NULL);
  g_assert_cmpint (run_finish (run, &j), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (obj (j), "format"), ==, "fp3");
  g_clear_pointer (&j, json_node_unref);
  g_assert_cmpint (g_stat (fp3, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  run = run_start (fx, "--json", "--terminal", "reader:0", "export-print", "--format", "iso",
                   "--size", size, id, iso, NULL);
  g_assert_cmpint (run_finish (run, &j), ==, 0);
  g_assert_cmpint (json_object_get_int_member (obj (j), "views"), ==, 5);
  g_clear_pointer (&j, json_node_unref);
  g_assert_true (g_file_get_contents (iso, &iso_bytes, &iso_len, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ridge_fmr_decode ((const guint8 *)iso_bytes, iso_len, RIDGE_FMR_FORMAT_ISO,
                                     RIDGE_FMR_DECODE_STRICT, rec), ==, RIDGE_FMR_OK);
  g_assert_cmpuint (rec->n_views, ==, 5);
  g_assert_cmpuint (rec->width, ==, (guint)finger.width);
  g_assert_cmpuint (rec->height, ==, (guint)finger.height);
  for (guint v = 0; v < rec->n_views; v++)
    {
      g_assert_cmpuint (rec->views[v].finger_position, ==, 2);
      g_assert_cmpuint (rec->views[v].n_minutiae, >, 10);
    }
  run = run_start (fx, "--terminal", "reader:0", "export-print", "--format", "iso", id, iso,
                   NULL);
  g_assert_cmpint (run_finish (run, NULL), ==, 1);

  /* delete; then it is gone (exit 4 with NOT_FOUND) */
  run = run_start (fx, "--json", "--terminal", "reader:0", "delete", id, NULL);
  g_assert_cmpint (run_finish (run, &j), ==, 0);
  g_clear_pointer (&j, json_node_unref);
  g_assert_false (g_file_test (print_file, G_FILE_TEST_EXISTS));
  run = run_start (fx, "--json", "--terminal", "reader:0", "delete", id, NULL);
  g_assert_cmpint (run_finish (run, &j), ==, 4);
  o = json_object_get_object_member (obj (j), "error");
  g_assert_cmpstr (json_object_get_string_member (o, "code"), ==, "NOT_FOUND");
  g_clear_pointer (&j, json_node_unref);

  /* import-print brings the exported print back under its id, and it matches again; a
   * second import is a duplicate (exit 3) */
  run = run_start (fx, "--json", "--terminal", "reader:0", "import-print", fp3, NULL);
  g_assert_cmpint (run_finish (run, &j), ==, 0);
  p = json_object_get_object_member (obj (j), "print");
  g_assert_cmpstr (json_object_get_string_member (p, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (p, "user"), ==, "alice");
  g_clear_pointer (&j, json_node_unref);
  g_assert_cmpint (g_stat (print_file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  run = run_start (fx, "--json", "--terminal", "reader:0", "import-print", fp3, NULL);
  g_assert_cmpint (run_finish (run, &j), ==, 3);
  o = json_object_get_object_member (obj (j), "error");
  g_assert_cmpstr (json_object_get_string_member (o, "code"), ==, "DUPLICATE");
  g_clear_pointer (&j, json_node_unref);
  g_assert_cmpint (image_command (fx, &finger, 1, &j, "verify", id, NULL), ==, 0);
  g_assert_true (json_object_get_boolean_member (obj (j), "matched"));
  g_clear_pointer (&j, json_node_unref);
  /* a file that is no print: a clear error, nothing stored */
  run = run_start (fx, "--json", "--terminal", "reader:0", "import-print", png, NULL);
  g_assert_cmpint (run_finish (run, &j), ==, 3);
  g_clear_pointer (&j, json_node_unref);

  /* no such reader: exit 2; a bad command line: exit 1 */
  run = run_start (fx, "--json", "--terminal", "reader:7", "list", NULL);
  g_assert_cmpint (run_finish (run, &j), ==, 2);
  o = json_object_get_object_member (obj (j), "error");
  g_assert_cmpstr (json_object_get_string_member (o, "code"), ==, "UNREACHABLE");
  g_clear_pointer (&j, json_node_unref);
  run = run_start (fx, "--terminal", "reader:0", "capture", NULL);
  g_assert_cmpint (run_finish (run, NULL), ==, 1);
  run = run_start (fx, "--terminal", "reader:0", "stream", NULL);
  g_assert_cmpint (run_finish (run, NULL), ==, 1);

  ridge_image_clear (&finger);
  ridge_image_clear (&other);
}

/* ---- the match-on-chip reader with storage --------------------------------------------- */

/* One text command per connection. */
static void
send_text (Fixture    *fx,
           const char *command)
{
  g_autoptr (GSocketConnection) conn = connect_reader (fx);

  send_all (conn, command, strlen (command));
  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  g_usleep (30000);
}

/* The virtual reader's storage lives in the ridgectl process: every run fills it first
 * (INSERT, taken while ridgectl lists), then scans once the finger is asked for. */
static int
chip_command (Fixture            *fx,
              const char * const *inserts,
              const char         *scan,
              JsonNode          **json,
              const char         *first,
              ...)
{
  const char *args[8] = { 0 };
  va_list ap;
  int n = 0;
  Run *run;

  args[n++] = first;
  va_start (ap, first);
  for (const char *a = va_arg (ap, const char *); a != NULL && n < 7; a = va_arg (ap, const char *))
    args[n++] = a;
  va_end (ap);
  run = run_start (fx, "--json", "--terminal", "reader:0", args[0], args[1], args[2], args[3],
                   args[4], args[5], args[6], NULL);
  for (int i = 0; inserts != NULL && inserts[i] != NULL; i++)
    {
      g_autofree char *cmd = g_strdup_printf ("INSERT %s", inserts[i]);

      send_text (fx, cmd);
    }
  if (scan != NULL)
    {
      g_autofree char *cmd = g_strdup_printf ("SCAN %s", scan);

      run_wait_line (run, "Place");
      send_text (fx, cmd);
    }
  return run_finish (run, json);
}

static char *
only_id (JsonNode *j)
{
  JsonObject *o = obj (j);
  JsonArray *a = json_object_get_array_member (o, "prints");

  g_assert_cmpint (json_object_get_int_member (o, "total"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (o, "stored"), ==, "reader");
  return g_strdup (json_object_get_string_member (json_array_get_object_element (a, 0), "id"));
}

static void
test_chip (Fixture      *fx,
           gconstpointer data)
{
  static const char *const a_only[] = { "print-a", NULL };
  static const char *const b_only[] = { "print-b", NULL };
  static const char *const both[] = { "print-a", "print-b", NULL };
  g_autoptr (JsonNode) j = NULL;
  g_autofree char *png = g_build_filename (fx->dir, "capture.png", NULL);
  g_autofree char *id_a = NULL;
  g_autofree char *id_b = NULL;
  JsonObject *o, *p;
  Run *run;

  /* no images from a match-on-chip reader */
  run = run_start (fx, "--json", "--terminal", "reader:0", "capture", "-o", png, NULL);
  g_assert_cmpint (run_finish (run, &j), ==, 3);
  o = json_object_get_object_member (obj (j), "error");
  g_assert_cmpstr (json_object_get_string_member (o, "code"), ==, "UNSUPPORTED");
  g_clear_pointer (&j, json_node_unref);
  g_assert_false (g_file_test (png, G_FILE_TEST_EXISTS));
  /* nor can a print be written to the chip */
  run = run_start (fx, "--json", "--terminal", "reader:0", "import-print", png, NULL);
  g_assert_cmpint (run_finish (run, &j), ==, 3);
  o = json_object_get_object_member (obj (j), "error");
  g_assert_cmpstr (json_object_get_string_member (o, "code"), ==, "UNSUPPORTED");
  g_clear_pointer (&j, json_node_unref);

  /* enroll: five scans; the print stays on the chip, with a local copy (user and finger) */
  {
    Run *r = run_start (fx, "--json", "--terminal", "reader:0", "enroll", "bob", "left-thumb",
                        NULL);

    run_wait_line (r, "Place");
    for (int i = 0; i < 5; i++)
      send_text (fx, "SCAN bob-thumb");
    g_assert_cmpint (run_finish (r, &j), ==, 0);
  }
  p = json_object_get_object_member (obj (j), "print");
  g_assert_cmpstr (json_object_get_string_member (p, "user"), ==, "bob");
  g_assert_cmpint (json_object_get_int_member (p, "finger"), ==, 6);
  g_assert_cmpstr (json_object_get_string_member (p, "stored"), ==, "reader");
  {
    g_autofree char *copy = g_strdup_printf ("%s/virtual_device_storage/0/%s.fp3",
                                             fx->prints_dir,
                                             json_object_get_string_member (p, "id"));

    g_assert_true (g_file_test (copy, G_FILE_TEST_EXISTS));
  }
  g_clear_pointer (&j, json_node_unref);

  /* list: the ids of the chip's prints */
  g_assert_cmpint (chip_command (fx, a_only, NULL, &j, "list", NULL), ==, 0);
  id_a = only_id (j);
  g_clear_pointer (&j, json_node_unref);
  g_assert_cmpint (chip_command (fx, b_only, NULL, &j, "list", NULL), ==, 0);
  id_b = only_id (j);
  g_clear_pointer (&j, json_node_unref);
  g_assert_cmpstr (id_a, !=, id_b);
  g_assert_cmpint (chip_command (fx, both, NULL, &j, "list", NULL), ==, 0);
  g_assert_cmpint (json_object_get_int_member (obj (j), "total"), ==, 2);
  g_clear_pointer (&j, json_node_unref);

  /* verify: match and no match */
  g_assert_cmpint (chip_command (fx, both, "print-a", &j, "verify", id_a, NULL), ==, 0);
  g_assert_true (json_object_get_boolean_member (obj (j), "matched"));
  g_clear_pointer (&j, json_node_unref);
  g_assert_cmpint (chip_command (fx, both, "print-b", &j, "verify", id_a, NULL), ==, 4);
  g_assert_false (json_object_get_boolean_member (obj (j), "matched"));
  g_clear_pointer (&j, json_node_unref);

  /* identify names the print */
  g_assert_cmpint (chip_command (fx, both, "print-b", &j, "identify", NULL), ==, 0);
  p = json_object_get_object_member (obj (j), "print");
  g_assert_cmpstr (json_object_get_string_member (p, "id"), ==, id_b);
  g_clear_pointer (&j, json_node_unref);

  /* delete: a print of the chip; one that is not there is NOT_FOUND (exit 4) */
  g_assert_cmpint (chip_command (fx, both, NULL, &j, "delete", id_a, NULL), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (obj (j), "deleted"), ==, id_a);
  g_clear_pointer (&j, json_node_unref);
  g_assert_cmpint (chip_command (fx, b_only, NULL, &j, "delete", id_a, NULL), ==, 4);
  o = json_object_get_object_member (obj (j), "error");
  g_assert_cmpstr (json_object_get_string_member (o, "code"), ==, "NOT_FOUND");
  g_clear_pointer (&j, json_node_unref);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("RIDGE_BUILD_ROOT") == NULL)
    {
      g_printerr ("RIDGE_BUILD_ROOT is not set (run through meson test)\n");
      return 77;
    }
  g_test_add ("/ridgectl-reader/image", Fixture, "FP_VIRTUAL_IMAGE", fixture_setup, test_image,
              fixture_teardown);
  g_test_add ("/ridgectl-reader/match-on-chip", Fixture, "FP_VIRTUAL_DEVICE_STORAGE",
              fixture_setup, test_chip, fixture_teardown);
  return g_test_run ();
}
