/* test-usb-ctl.c — ridgectl over USB: `--terminal usb:…`, RIDGE_TERMINAL=usb:…, `usb-list`
 * and `discover --usb`, against a Ridge terminal emulated on USB (ridge-usb-emu.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The harness answers libusb's URBs in this process's address space, so ridgectl cannot
 * run as a child process: its sources are compiled into this program with main renamed
 * to ridgectl_main, and each case runs it with stdout redirected to a file.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <umockdev.h>

#include "ridge-core.h"
#include "ridge-usb.h"
#include "ridge-usb-emu.h"
#include "ridge-test-terminal.h"

/* -Dmain=ridgectl_main renames ridgectl's main; this file keeps its own */
#undef main

int ridgectl_main (int   argc,
                   char *argv[]);

static RidgeTestTerminal *terminal;
static RidgeUsbEmu *emu;

static void
start_terminal (void)
{
  /* the control socket places and lifts the finger (no demo finger) */
  terminal = ridge_test_terminal_new (g_getenv ("RIDGE_TERMINAL_EXE"), "ridge-usb-ctl",
                                      RIDGE_TEST_TERMINAL_CONTROL);
  /* the terminal must not see the umockdev preload of this process */
  ridge_test_terminal_setenv (terminal, "LD_PRELOAD", NULL);
  ridge_test_terminal_setenv (terminal, "UMOCKDEV_DIR", NULL);
  ridge_test_terminal_spawn (terminal, NULL);
  emu = ridge_usb_emu_new (ridge_test_terminal_get_address (terminal));
  ridge_usb_emu_plug (emu);
}

static int run_ctl_args (char     **out,
                         GPtrArray *args);

/* Runs ridgectl ARGS… (NULL-terminated); returns its exit code, *out = its stdout. */
static int
run_ctl (char **out,
         ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  g_ptr_array_add (args, (char *)"ridgectl");
  va_start (ap, out);
  for (const char *a = va_arg (ap, const char *); a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *)a);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return run_ctl_args (out, args);
}

/* args: "ridgectl", the arguments, NULL. */
static int
run_ctl_args (char     **out,
              GPtrArray *args)
{
  g_autofree char *path = g_build_filename (ridge_test_terminal_get_dir (terminal), "stdout",
                                            NULL);
  int saved, fd, rc;

  fflush (stdout);
  saved = dup (STDOUT_FILENO);
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  g_assert_cmpint (fd, >=, 0);
  dup2 (fd, STDOUT_FILENO);
  close (fd);
  rc = ridgectl_main ((int)args->len - 1, (char **)args->pdata);
  fflush (stdout);
  dup2 (saved, STDOUT_FILENO);
  close (saved);
  g_assert_true (g_file_get_contents (path, out, NULL, NULL));
  g_test_message ("ridgectl → %d: %s", rc, *out);
  return rc;
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  (void)source;
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static JsonObject *
parse_object (JsonParser *parser,
              const char *text)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  const char *json = NULL;

  /* GLib's test mode writes debug messages (of any thread) to stdout as "# …" lines:
   * ridgectl's JSON is the one line that starts with "{" */
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] == '{')
      {
        g_assert_null (json);
        json = lines[i];
      }
  g_assert_nonnull (json);
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

static void
check_list (const char *out)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *root = parse_object (parser, out);
  JsonArray *devices = json_object_get_array_member (root, "devices");
  JsonObject *d;

  g_assert_nonnull (devices);
  g_assert_cmpuint (json_array_get_length (devices), ==, 1);
  d = json_array_get_object_element (devices, 0);
  g_assert_cmpstr (json_object_get_string_member (d, "address"), ==, "usb:1-2");
  g_assert_cmpstr (json_object_get_string_member (d, "port_path"), ==, "1-2");
  g_assert_cmpint (json_object_get_int_member (d, "bus"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (d, "device_address"), >, 0);
  g_assert_cmpstr (json_object_get_string_member (d, "vid"), ==, "1209");
  g_assert_cmpstr (json_object_get_string_member (d, "pid"), ==, "5247");
  g_assert_cmpstr (json_object_get_string_member (d, "product"), ==, "Ridge terminal (emulated)");
  g_assert_cmpstr (json_object_get_string_member (d, "serial"), ==, "EMU0001");
  g_assert_true (json_object_get_boolean_member (d, "readable"));
}

static void
test_usb_list (void)
{
  g_autofree char *out = NULL;
  g_autofree char *text = NULL;

  g_assert_cmpint (run_ctl (&out, "usb-list", "--json", NULL), ==, 0);
  check_list (out);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_ctl (&out, "--json", "discover", "--usb", NULL), ==, 0);
  check_list (out);
  /* the table names the address to use with --terminal */
  g_assert_cmpint (run_ctl (&text, "usb-list", NULL), ==, 0);
  g_assert_nonnull (strstr (text, "usb:1-2"));
  g_assert_nonnull (strstr (text, "1209:5247"));
  g_assert_nonnull (strstr (text, "EMU0001"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_ctl (&out, "usb-list", "extra", NULL), ==, 1);
}

static void
check_info (const char *out)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *root = parse_object (parser, out);

  g_assert_true (json_object_has_member (root, "model"));
  g_assert_true (json_object_has_member (root, "serial"));
  g_assert_cmpint (json_object_get_int_member (root, "protocol_version"), >, 0);
  g_assert_true (json_object_has_member (root, "sensor"));
}

static void
test_info (void)
{
  const char *addresses[] = { "usb:", "usb:1-2", "usb:1209:5247" };

  for (guint i = 0; i < G_N_ELEMENTS (addresses); i++)
    {
      g_autofree char *out = NULL;

      g_assert_cmpint (run_ctl (&out, "--terminal", addresses[i], "--json", "info", NULL), ==, 0);
      check_info (out);
    }
}

static void
test_env (void)
{
  g_autofree char *out = NULL;

  g_setenv ("RIDGE_TERMINAL", "usb:1-2", TRUE);
  g_assert_cmpint (run_ctl (&out, "--json", "info", NULL), ==, 0);
  g_unsetenv ("RIDGE_TERMINAL");
  check_info (out);
}

static const char *
error_code (JsonParser *parser,
            const char *out,
            const char *message_part)
{
  JsonObject *root = parse_object (parser, out);
  JsonObject *e = json_object_get_object_member (root, "error");

  g_assert_nonnull (e);
  g_assert_nonnull (strstr (json_object_get_string_member (e, "message"), message_part));
  return json_object_get_string_member (e, "code");
}

typedef struct {
  GPtrArray *args;
  char      *out;
  int        rc;
} CtlJob;

static gpointer
ctl_job_thread (gpointer data)
{
  CtlJob *job = data;

  job->rc = run_ctl_args (&job->out, job->args);
  return NULL;
}

/* Enrollment over USB: ridgectl enrolls through the emulated bus (on a thread of its own, in
 * this process's umockdev preload) while the test places and lifts the finger through the
 * terminal's control socket; then verify finds it, and delete removes it. */
static void
test_enroll (void)
{
  static const char *const enroll[] = {
    "ridgectl", "--terminal", "usb:1-2", "--json", "enroll", "alice", "right-index",
    "--samples", "3", NULL
  };
  g_autoptr (JsonParser) p1 = json_parser_new ();
  g_autoptr (JsonParser) p2 = json_parser_new ();
  g_autoptr (JsonParser) p3 = json_parser_new ();
  g_autofree char *out = NULL;
  g_autofree char *id = NULL;
  CtlJob job = { g_ptr_array_new () };
  GThread *thread;
  JsonObject *o;

  for (guint i = 0; i < G_N_ELEMENTS (enroll); i++)
    g_ptr_array_add (job.args, (gpointer)enroll[i]);
  thread = g_thread_new ("ridgectl-enroll", ctl_job_thread, &job);
  g_usleep (300000);
  for (guint i = 0; i < 10 && g_atomic_pointer_get (&job.out) == NULL; i++)
    {
      g_autofree char *cmd = g_strdup_printf ("place 1 %u", i % 3);

      ridge_test_terminal_control_ok (terminal, cmd);
      g_usleep (1200000);
      ridge_test_terminal_control_ok (terminal, "lift");
      g_usleep (300000);
    }
  g_thread_join (thread);
  g_ptr_array_unref (job.args);
  g_assert_cmpint (job.rc, ==, 0);
  o = parse_object (p1, job.out);
  g_assert_cmpstr (json_object_get_string_member (o, "user_id"), ==, "alice");
  g_assert_cmpint (json_object_get_int_member (o, "finger"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (o, "samples"), ==, 3);
  id = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (o, "id"));
  g_free (job.out);

  /* the same finger matches */
  ridge_test_terminal_control_ok (terminal, "place 1 4");
  g_assert_cmpint (run_ctl (&out, "--terminal", "usb:1-2", "--json", "verify", "--user",
                            "alice", NULL), ==, 0);
  g_assert_true (json_object_get_boolean_member (parse_object (p2, out), "matched"));
  ridge_test_terminal_control_ok (terminal, "lift");
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_ctl (&out, "--terminal", "usb:1-2", "--json", "delete", id, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_ctl (&out, "--terminal", "usb:1-2", "--json", "list", NULL), ==, 0);
  g_assert_cmpint (json_object_get_int_member (parse_object (p3, out), "total"), ==, 0);
}

static void
test_errors (void)
{
  g_autofree char *out = NULL;
  g_autoptr (JsonParser) p1 = json_parser_new ();

  /* a port where nothing is plugged in: the documented connection exit code */
  g_assert_cmpint (run_ctl (&out, "--terminal", "usb:3-4", "--json", "info", NULL), ==, 2);
  g_assert_cmpstr (error_code (p1, out, "USB"), ==, "UNREACHABLE");
  g_clear_pointer (&out, g_free);
  /* not an address: usage */
  g_assert_cmpint (run_ctl (&out, "--terminal", "usb:zz:01", "info", NULL), ==, 1);
}

static void
test_busy (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeUsbConnector) c = NULL;
  g_autoptr (RidgeSession) holder = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  RidgeUsbContext *ctx = ridge_usb_context_get_default (&error);

  g_assert_no_error (error);
  c = ridge_usb_connector_new_for_address (ctx, "usb:1-2", &error);
  g_assert_no_error (error);
  holder = ridge_session_new (RIDGE_CONNECTOR (c));
  ridge_session_set_auto_reconnect (holder, FALSE);
  ridge_session_connect_async (holder, NULL, store_result, &res);
  while (res == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (ridge_session_connect_finish (holder, res, &error));
  g_assert_no_error (error);

  g_assert_cmpint (run_ctl (&out, "--terminal", "usb:1-2", "--json", "info", NULL), ==, 2);
  g_assert_cmpstr (error_code (parser, out, "claimed"), ==, "BUSY");
  /* the holder goes on */
  g_assert_cmpint (ridge_session_get_state (holder), ==, RIDGE_SESSION_READY);
}

static void
test_unplugged (void)
{
  g_autofree char *out = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  gint64 end;
  int rc = -1;

  ridge_usb_emu_unplug (emu);
  /* libusb learns of the removal through its hot-plug thread */
  end = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end)
    {
      g_clear_pointer (&out, g_free);
      rc = run_ctl (&out, "usb-list", "--json", NULL);
      if (rc != 0)
        break;
      g_usleep (50000);
    }
  g_assert_cmpint (rc, ==, 4);
  g_assert_cmpuint (json_array_get_length (
                      json_object_get_array_member (parse_object (parser, out), "devices")), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_ctl (&out, "--terminal", "usb:", "--json", "info", NULL), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  gboolean mocked;
  int rc;

  g_test_init (&argc, &argv, NULL);
  /* g_test_init turns debug messages on, and they go to stdout, where ridgectl's output is
   * captured: any thread's debug line could cut into it */
  g_log_set_debug_enabled (FALSE);
  {
    g_autoptr (UMockdevTestbed) probe = umockdev_testbed_new ();
    mocked = umockdev_in_mock_environment ();
  }
  if (!mocked)
    {
      g_print ("1..0 # SKIP not running under the umockdev preload (umockdev-wrapper)\n");
      return 0;
    }
  if (g_getenv ("RIDGE_TERMINAL_EXE") == NULL)
    {
      g_print ("1..0 # SKIP RIDGE_TERMINAL_EXE is not set\n");
      return 0;
    }
  g_unsetenv ("RIDGE_TERMINAL");
  start_terminal ();

  g_test_add_func ("/usb-ctl/usb-list", test_usb_list);
  g_test_add_func ("/usb-ctl/info", test_info);
  g_test_add_func ("/usb-ctl/env", test_env);
  g_test_add_func ("/usb-ctl/enroll", test_enroll);
  g_test_add_func ("/usb-ctl/errors", test_errors);
  g_test_add_func ("/usb-ctl/busy", test_busy);
  g_test_add_func ("/usb-ctl/unplugged", test_unplugged);
  rc = g_test_run ();

  ridge_usb_emu_free (emu);
  ridge_test_terminal_free (terminal);
  return rc;
}
