/* test-verify.c — the Verify page against a real ridge-terminal: a finger enrolled from two
 * captures of the simulated sensor, then verified with a third impression (match, mated
 * pairs drawn), identified, and another finger verified (no match); the terminal's own
 * VERIFY gives the same decisions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Skips when the ridge-terminal executable is not built.
 */
#include "config.h"

#include <gio/gunixsocketaddress.h>
#include <stdlib.h>
#include <string.h>

#include "core/ridge-session.h"
#include "ridge-engine.h"
#include "ridge-test-terminal.h"
#include "ridge-test-util.h"
#include "ridge-verify-page.h"

#define ALICE_SEED  "101"
#define OTHER_SEED  "202"
#define RIGHT_INDEX 2

static RidgeTestTerminal *terminal;
static char *terminal_address;
static GSocketConnection *control;
static GDataInputStream *control_in;

/* Drops the last reference and waits for finalization: a worker-thread task (extraction,
 * matching) may hold the widget until its answer is dispatched. */
static void
finalize_soon (gpointer object)
{
  gpointer weak = object;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_object_add_weak_pointer (G_OBJECT (object), &weak);
  g_object_unref (object);
  while (weak != NULL && g_get_monotonic_time () < deadline)
    ridge_test_wait (20);
  g_assert_null (weak);
}

static void
start_terminal (void)
{
  const char *const args[] = { "--sensor=synthetic", "--no-auto-finger", "--fps=5", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketAddress) address = NULL;

  terminal = ridge_test_terminal_new (g_getenv ("RIDGE_TERMINAL"), "ridge-verify-test",
                                      RIDGE_TEST_TERMINAL_CONTROL);
  ridge_test_terminal_spawn (terminal, args);
  terminal_address = g_strdup (ridge_test_terminal_get_address (terminal));

  address = g_unix_socket_address_new (ridge_test_terminal_get_control_path (terminal));
  control = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);
  g_assert_no_error (error);
  control_in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (control)));
}

static void
control_command (const char *command)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *line = g_strconcat (command, "\n", NULL);
  g_autofree char *answer = NULL;

  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (control)), line,
                             strlen (line), NULL, NULL, &error);
  g_assert_no_error (error);
  answer = g_data_input_stream_read_line (control_in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (answer);
  g_test_message ("control: %s → %s", command, answer);
  g_assert_true (g_str_has_prefix (answer, "ok"));
}

static void
stop_terminal (void)
{
  g_clear_object (&control_in);
  if (control != NULL)
    g_io_stream_close (G_IO_STREAM (control), NULL, NULL);
  g_clear_object (&control);
  g_clear_pointer (&terminal, ridge_test_terminal_free);
}

typedef struct {
  gboolean      done;
  GAsyncResult *result;
} Wait;

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *w = user_data;

  w->result = g_object_ref (result);
  w->done = TRUE;
}

static GAsyncResult *
wait_for (Wait *w)
{
  while (!w->done)
    g_main_context_iteration (NULL, TRUE);
  return w->result;
}

/* One capture of the placed finger, as an engine template (what an enrollment keeps). */
static void
capture_template (RidgeSession  *session,
                  RidgeTemplate *out)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeFrame) frame = NULL;
  RidgeFeatures *features = NULL;
  RidgeImage img = { 0 };
  Wait w = { 0 };

  ridge_session_capture_async (session, RIDGE_CAPTURE_WAIT_FINGER, 10000, NULL, done_cb, &w);
  frame = ridge_session_capture_finish (session, wait_for (&w), &error);
  g_clear_object (&w.result);
  g_assert_no_error (error);
  img.width = frame->width;
  img.height = frame->height;
  img.dpi = frame->dpi;
  img.pixels = (uint8_t *)g_bytes_get_data (frame->pixels, NULL);
  g_assert_cmpint (ridge_extract (&img, NULL, &features), ==, RIDGE_ENGINE_OK);
  g_assert_cmpint (ridge_template_from_features (features, img.width, img.height, img.dpi, out),
                   ==, RIDGE_ENGINE_OK);
  ridge_features_free (features);
}

/* alice's right index from impressions 0 and 1, stored with TPL_PUT */
static void
enroll_alice (RidgeSession *session)
{
  g_autofree RidgeEnrollTemplate *t = g_new0 (RidgeEnrollTemplate, 1);
  g_autofree guint8 *buf = g_malloc (RIDGE_ENROLL_MAX_BYTES);
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) reply = NULL;
  RidgeWireMsg msg = { 0 };
  size_t len = 0;
  Wait w = { 0 };

  for (int i = 0; i < 2; i++)
    {
      g_autofree char *place = g_strdup_printf ("place " ALICE_SEED " %d", i);

      control_command (place);
      capture_template (session, &t->samples[i]);
      control_command ("lift");
    }
  t->n_samples = 2;
  g_assert_cmpint (ridge_enroll_serialize (t, buf, RIDGE_ENROLL_MAX_BYTES, &len), ==,
                   RIDGE_ENGINE_OK);
  msg.template_.info.user_id = (RidgeWireStr) { "alice", 5 };
  msg.template_.info.name = (RidgeWireStr) { "Alice", 5 };
  msg.template_.info.finger = RIGHT_INDEX;
  msg.template_.info.samples = 2;
  msg.template_.info.quality = 70;
  msg.template_.info.format = RIDGE_TPL_NATIVE;
  msg.template_.data.ptr = buf;
  msg.template_.data.len = len;
  ridge_session_request_async (session, RIDGE_MSG_TPL_PUT, &msg, 0, NULL, done_cb, &w);
  reply = ridge_session_request_finish (session, wait_for (&w), &error);
  g_clear_object (&w.result);
  g_assert_no_error (error);
}

/* The terminal's own VERIFY of the placed finger against alice's right index. */
static gboolean
terminal_verify (RidgeSession *session,
                 int          *score)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) reply = NULL;
  RidgeWireMsg msg = { 0 }, body;
  Wait w = { 0 };

  msg.verify.user_id = (RidgeWireStr) { "alice", 5 };
  msg.verify.finger = RIGHT_INDEX;
  msg.verify.timeout_ms = 10000;
  ridge_session_request_async (session, RIDGE_MSG_VERIFY, &msg, 15000, NULL, done_cb, &w);
  reply = ridge_session_request_finish (session, wait_for (&w), &error);
  g_clear_object (&w.result);
  g_assert_no_error (error);
  g_assert_true (ridge_message_decode (reply, &body, &error));
  g_assert_cmpuint (body.match_result.threshold, ==, RIDGE_MATCH_THRESHOLD);
  *score = body.match_result.score;
  return body.match_result.matched;
}

static gboolean
item_ready (gpointer data)
{
  return ridge_terminal_item_get_state (data) == RIDGE_TERMINAL_STATE_READY;
}

static gboolean
has_record (gpointer data)
{
  return ridge_verify_page_get_n_records (data) == 1;
}

static gboolean
finished (gpointer data)
{
  RidgeVerifyState s = ridge_verify_page_get_state (data);

  return s == RIDGE_VERIFY_DONE || s == RIDGE_VERIFY_IDLE;
}

static void
run_page (RidgeVerifyPage *page,
          gboolean        *matched,
          int             *score,
          guint           *n_pairs)
{
  int threshold = 0;

  ridge_verify_page_start (page);
  g_assert_cmpint (ridge_verify_page_get_state (page), !=, RIDGE_VERIFY_IDLE);
  g_assert_true (ridge_test_wait_until (finished, page, 30000));
  g_test_message ("page: %s", ridge_verify_page_get_message (page));
  g_assert_cmpint (ridge_verify_page_get_state (page), ==, RIDGE_VERIFY_DONE);
  g_assert_true (ridge_verify_page_get_result (page, matched, score, &threshold, n_pairs));
  g_assert_cmpint (threshold, ==, RIDGE_MATCH_THRESHOLD);
  g_assert_cmpint (*matched, ==, *score >= threshold);
}

static void
test_verify (void)
{
  g_autoptr (RidgeTerminalItem) item = NULL;
  RidgeVerifyPage *page;
  RidgeSession *session;
  GtkWindow *window;
  gboolean matched = FALSE;
  int score = 0, term_score = 0;
  guint n_pairs = 0;

  start_terminal ();
  item = ridge_terminal_item_new (terminal_address);
  ridge_terminal_item_connect (item);
  g_assert_true (ridge_test_wait_until (item_ready, item, 10000));
  session = RIDGE_SESSION (ridge_terminal_item_get_session (item));
  enroll_alice (session);

  page = RIDGE_VERIFY_PAGE (ridge_verify_page_new ());
  g_object_ref_sink (page);
  ridge_verify_page_set_item (page, item);
  window = ridge_test_show (GTK_WIDGET (page), 1100, 650);
  g_assert_true (ridge_test_wait_until (has_record, page, 5000));
  g_assert_true (ridge_verify_page_select (page, "alice", RIGHT_INDEX));
  g_assert_false (ridge_verify_page_select (page, "bob", RIGHT_INDEX));
  ridge_test_screenshot (GTK_WIDGET (page), "verify-ready");

  /* alice's finger, an impression not enrolled: a match with mated pairs drawn */
  control_command ("place " ALICE_SEED " 2");
  run_page (page, &matched, &score, &n_pairs);
  g_test_message ("alice: score %d, %u pairs", score, n_pairs);
  g_assert_true (matched);
  g_assert_cmpuint (n_pairs, >=, 5);
  g_assert_cmpuint (ridge_image_view_get_n_pairs (ridge_verify_page_get_image_view (page)), ==,
                    n_pairs);
  ridge_test_wait (200);
  ridge_test_screenshot (GTK_WIDGET (page), "verify-match");
  /* the terminal decides the same for the same finger */
  g_assert_true (terminal_verify (session, &term_score));
  g_test_message ("terminal's VERIFY of alice: score %d", term_score);

  /* identify: alice found among the records */
  ridge_verify_page_set_identify (page, TRUE);
  run_page (page, &matched, &score, &n_pairs);
  g_assert_true (matched);
  ridge_test_wait (200);
  ridge_test_screenshot (GTK_WIDGET (page), "verify-identify");
  ridge_verify_page_set_identify (page, FALSE);

  /* another finger: no match */
  control_command ("lift");
  control_command ("place " OTHER_SEED " 0");
  run_page (page, &matched, &score, &n_pairs);
  g_test_message ("other finger: score %d, %u pairs", score, n_pairs);
  g_assert_false (matched);
  g_assert_cmpint (score, <, RIDGE_MATCH_THRESHOLD);
  ridge_test_wait (200);
  ridge_test_screenshot (GTK_WIDGET (page), "verify-no-match");
  g_assert_false (terminal_verify (session, &term_score));
  g_test_message ("terminal's VERIFY of the other finger: score %d", term_score);

  /* the link goes while waiting for the finger: a sentence, not a hang */
  control_command ("lift");
  ridge_verify_page_start (page);
  ridge_test_wait (300);
  g_assert_cmpint (ridge_verify_page_get_state (page), ==, RIDGE_VERIFY_CAPTURING);
  ridge_terminal_item_disconnect (item);
  g_assert_true (ridge_test_wait_until (finished, page, 5000));
  g_assert_cmpint (ridge_verify_page_get_state (page), ==, RIDGE_VERIFY_IDLE);
  g_assert_nonnull (strstr (ridge_verify_page_get_message (page), "lost"));

  /* cancelled by the user: back to idle at once; the protocol has no way to cancel a
   * CAPTURE, so the terminal still waits and refuses a second one meanwhile, with its
   * own sentence */
  ridge_terminal_item_connect (item);
  g_assert_true (ridge_test_wait_until (item_ready, item, 10000));
  g_assert_true (ridge_test_wait_until (has_record, page, 5000));
  ridge_verify_page_start (page);
  ridge_test_wait (300);
  g_assert_cmpint (ridge_verify_page_get_state (page), ==, RIDGE_VERIFY_CAPTURING);
  ridge_verify_page_cancel (page);
  g_assert_cmpint (ridge_verify_page_get_state (page), ==, RIDGE_VERIFY_IDLE);
  ridge_verify_page_start (page);
  g_assert_true (ridge_test_wait_until (finished, page, 5000));
  g_test_message ("after a cancel: %s", ridge_verify_page_get_message (page));
  g_assert_cmpint (ridge_verify_page_get_state (page), ==, RIDGE_VERIFY_IDLE);
  g_assert_nonnull (strstr (ridge_verify_page_get_message (page), "waiting for a finger"));

  ridge_verify_page_set_item (page, NULL);
  ridge_terminal_item_disconnect (item);
  gtk_window_destroy (window);
  finalize_soon (page);
}

int
main (int   argc,
      char *argv[])
{
  const char *exe = g_getenv ("RIDGE_TERMINAL");
  int ret;

  if (exe == NULL || !g_file_test (exe, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_print ("1..0 # SKIP ridge-terminal is not built (RIDGE_TERMINAL unset)\n");
      return 0;
    }
  ridge_test_init (&argc, &argv);
  g_test_add_func ("/verify/end-to-end", test_verify);
  ret = g_test_run ();
  stop_terminal ();
  g_free (terminal_address);
  return ret;
}
