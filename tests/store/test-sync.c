/* test-sync.c — RidgeStore sync with two real ridge-terminal processes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Terminal A gets four records by TPL_PUT (two native enrollment templates, an ISO and an
 * ANSI record); the store downloads them (converting each to ISO + native), sees a change
 * made on the terminal, flags a record changed on both sides as a conflict without
 * overwriting either, resolves it, notices a record deleted on the terminal, and uploads
 * everything to terminal B, whose records then download as unchanged.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "ridge-core.h"
#include "ridge-store-sync.h"
#include "ridge-store.h"

#include "ridge-test-terminal.h"
#include "store-test-util.h"

static const char *terminal_exe;

typedef RidgeTestTerminal Terminal;

/* ridge-terminal with a control socket and no automatic finger */
static Terminal *
terminal_start (void)
{
  const char *const args[] = { "--no-auto-finger", NULL };
  Terminal *t = ridge_test_terminal_new (terminal_exe, "ridge-store-sync",
                                         RIDGE_TEST_TERMINAL_CONTROL);

  ridge_test_terminal_spawn (t, args);
  return t;
}

static void
rm_rf (const char *path)
{
  g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (path, name, NULL);
      if (g_file_test (p, G_FILE_TEST_IS_DIR) && !g_file_test (p, G_FILE_TEST_IS_SYMLINK))
        rm_rf (p);
      else
        g_unlink (p);
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

static RidgeSession *
connect (Terminal *t)
{
  g_autoptr (GError) error = NULL;
  RidgeSession *s = ridge_session_new_for_address (ridge_test_terminal_get_address (t), &error);
  g_autoptr (GAsyncResult) res = NULL;

  g_assert_no_error (error);
  ridge_session_set_auto_reconnect (s, FALSE);
  ridge_session_connect_async (s, NULL, store_result, &res);
  g_assert_true (ridge_session_connect_finish (s, wait_result (&res), &error));
  g_assert_no_error (error);
  return s;
}

static RidgeMessage *
request (RidgeSession       *s,
         guint16             type,
         const RidgeWireMsg *msg,
         RidgeWireMsg       *out)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  RidgeMessage *m;

  ridge_session_request_async (s, type, msg, 0, NULL, store_result, &res);
  m = ridge_session_request_finish (s, wait_result (&res), &error);
  g_assert_no_error (error);
  if (out)
    {
      g_assert_true (ridge_message_decode (m, out, &error));
      g_assert_no_error (error);
    }
  return m;
}

/* TPL_PUT; returns the record id. */
static guint32
tpl_put (RidgeSession *s,
         guint32       id,
         const char   *user,
         const char   *name,
         guint         finger,
         guint8        format,
         GBytes       *data)
{
  RidgeWireMsg msg, out;
  g_autoptr (RidgeMessage) m = NULL;
  gsize len;

  memset (&msg, 0, sizeof msg);
  msg.template_.info.id = id;
  msg.template_.info.user_id = (RidgeWireStr) { user, strlen (user) };
  msg.template_.info.name = (RidgeWireStr) { name, strlen (name) };
  msg.template_.info.finger = finger;
  msg.template_.info.samples = 2;
  msg.template_.info.quality = 60;
  msg.template_.info.format = format;
  msg.template_.data.ptr = g_bytes_get_data (data, &len);
  msg.template_.data.len = len;
  msg.template_.info.size = len;
  m = request (s, RIDGE_MSG_TPL_PUT, &msg, &out);
  /* updated times are milliseconds: keep two writes apart */
  g_usleep (5000);
  return out.template_info.id;
}

static GBytes *
tpl_get (RidgeSession *s,
         guint32       id,
         guint8       *format)
{
  RidgeWireMsg msg, out;
  g_autoptr (RidgeMessage) m = NULL;

  memset (&msg, 0, sizeof msg);
  msg.tpl_id.id = id;
  m = request (s, RIDGE_MSG_TPL_GET, &msg, &out);
  if (format)
    *format = out.template_.info.format;
  return g_bytes_new (out.template_.data.ptr, out.template_.data.len);
}

static RidgeStoreSyncStats
download (RidgeStore   *store,
          RidgeSession *s)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  RidgeStoreSyncStats st;

  ridge_store_sync_download_async (store, s, "tester", NULL, store_result, &res);
  g_assert_true (ridge_store_sync_download_finish (store, wait_result (&res), &st, &error));
  g_assert_no_error (error);
  g_test_message ("download: listed %u added %u updated %u unchanged %u conflicts %u "
                  "deleted %u failed %u", st.listed, st.added, st.updated, st.unchanged,
                  st.conflicts, st.deleted, st.failed);
  return st;
}

static RidgeStoreSyncStats
upload (RidgeStore   *store,
        RidgeSession *s,
        const gint64 *ids,
        guint         n)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  RidgeStoreSyncStats st;

  ridge_store_sync_upload_async (store, s, ids, n, NULL, store_result, &res);
  g_assert_true (ridge_store_sync_upload_finish (store, wait_result (&res), &st, &error));
  g_assert_no_error (error);
  g_test_message ("upload: listed %u uploaded %u unchanged %u conflicts %u failed %u",
                  st.listed, st.uploaded, st.unchanged, st.conflicts, st.failed);
  return st;
}

static RidgeSyncState
state_of (RidgeStore *store,
          gint64      id,
          const char *dest)
{
  RidgeStoreSync sync;
  g_autoptr (GError) error = NULL;

  g_assert_true (ridge_store_get_sync (store, id, dest, &sync, &error));
  ridge_store_sync_clear (&sync);
  return sync.state;
}

static void
test_sync (void)
{
  g_autoptr (GError) error = NULL;
  Terminal *ta, *tb;
  g_autoptr (RidgeSession) sa = NULL;
  g_autoptr (RidgeSession) sb = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ridge-store-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  g_autoptr (RidgeStore) store = NULL;
  RidgeEnrollTemplate *e = g_new0 (RidgeEnrollTemplate, 1);
  g_autoptr (GBytes) alice = NULL;
  g_autoptr (GBytes) alice2 = NULL;
  g_autoptr (GBytes) bob = NULL;
  g_autoptr (GBytes) bob_remote = NULL;
  g_autoptr (GBytes) bob_local = NULL;
  g_autoptr (GBytes) carol_iso = NULL;
  g_autoptr (GBytes) dave_ansi = NULL;
  g_autoptr (GBytes) got = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (RidgeStoreTemplate) t = NULL;
  g_auto (GStrv) prov = NULL;
  RidgeStoreSyncStats st;
  const char *serial_a, *serial_b;
  guint32 id_alice, id_bob, id_carol, id_dave;
  gint64 l_alice, l_bob, l_carol, l_dave, all[4];
  RidgeWireMsg msg, out;

  if (terminal_exe == NULL)
    {
      g_test_skip ("ridge-terminal is not built (RIDGE_TERMINAL_EXE unset)");
      g_free (e);
      return;
    }
  store_test_make_enroll (101, 3, e);
  alice = store_test_native (e);
  store_test_make_enroll (102, 3, e);
  alice2 = store_test_native (e);
  store_test_make_enroll (201, 2, e);
  bob = store_test_native (e);
  store_test_make_enroll (202, 2, e);
  bob_remote = store_test_native (e);
  store_test_make_enroll (203, 2, e);
  bob_local = store_test_native (e);
  store_test_make_enroll (301, 2, e);
  carol_iso = store_test_fmr (e, 1, RIDGE_FMR_FORMAT_ISO);
  store_test_make_enroll (401, 1, e);
  dave_ansi = store_test_fmr (e, 3, RIDGE_FMR_FORMAT_ANSI);
  g_free (e);

  ta = terminal_start ();
  tb = terminal_start ();
  sa = connect (ta);
  sb = connect (tb);
  serial_a = ridge_session_get_info (sa)->serial;
  serial_b = ridge_session_get_info (sb)->serial;
  g_assert_cmpstr (serial_a, !=, serial_b);

  id_alice = tpl_put (sa, 0, "alice", "Alice A.", 2, RIDGE_TPL_NATIVE, alice);
  id_bob = tpl_put (sa, 0, "bob", "Bob B.", 7, RIDGE_TPL_NATIVE, bob);
  id_carol = tpl_put (sa, 0, "carol", "Carol C.", 1, RIDGE_TPL_ISO19794, carol_iso);
  id_dave = tpl_put (sa, 0, "dave", "Dave D.", 3, RIDGE_TPL_ANSI378, dave_ansi);

  store = ridge_store_new (path, &error);
  g_assert_no_error (error);

  /* 1. download everything */
  st = download (store, sa);
  g_assert_cmpuint (st.listed, ==, 4);
  g_assert_cmpuint (st.added, ==, 4);
  g_assert_cmpuint (st.failed, ==, 0);
  l_alice = ridge_store_find_template_id (store, "alice", 2, NULL);
  l_bob = ridge_store_find_template_id (store, "bob", 7, NULL);
  l_carol = ridge_store_find_template_id (store, "carol", 1, NULL);
  l_dave = ridge_store_find_template_id (store, "dave", 3, NULL);
  g_assert_cmpint (l_alice, >, 0);
  g_assert_cmpint (l_bob, >, 0);
  g_assert_cmpint (l_carol, >, 0);
  g_assert_cmpint (l_dave, >, 0);
  g_assert_cmpint (ridge_store_find_by_remote (store, serial_a, id_alice, NULL), ==, l_alice);
  g_assert_cmpint (ridge_store_find_by_remote (store, serial_a, id_dave, NULL), ==, l_dave);
  t = ridge_store_get_template (store, l_alice, &error);
  g_assert_true (g_bytes_equal (t->native, alice));
  g_assert_nonnull (t->iso_record);   /* converted */
  g_assert_cmpstr (t->record->display_name, ==, "Alice A.");
  g_clear_pointer (&t, ridge_store_template_free);
  t = ridge_store_get_template (store, l_carol, &error);
  g_assert_true (g_bytes_equal (t->iso_record, carol_iso));
  g_assert_nonnull (t->native);       /* converted */
  g_assert_cmpuint (t->record->samples, ==, 2);
  g_clear_pointer (&t, ridge_store_template_free);
  t = ridge_store_get_template (store, l_dave, &error);
  g_assert_nonnull (t->iso_record);   /* ANSI → ISO */
  g_assert_nonnull (t->native);
  g_assert_false (g_bytes_equal (t->iso_record, dave_ansi));
  g_clear_pointer (&t, ridge_store_template_free);
  prov = ridge_store_get_provenance (store, l_alice, NULL);
  g_assert_cmpuint (g_strv_length (prov), ==, 1);
  g_assert_true (strstr (prov[0], serial_a) != NULL);
  g_assert_true (g_str_has_suffix (prov[0], "|tester|download"));

  /* 2. again: nothing to do */
  st = download (store, sa);
  g_assert_cmpuint (st.unchanged, ==, 4);
  g_assert_cmpuint (st.added + st.updated + st.conflicts + st.deleted, ==, 0);

  /* 3. a change on the terminal only comes down */
  tpl_put (sa, id_alice, "alice", "Alice A.", 2, RIDGE_TPL_NATIVE, alice2);
  st = download (store, sa);
  g_assert_cmpuint (st.updated, ==, 1);
  g_assert_cmpuint (st.unchanged, ==, 3);
  t = ridge_store_get_template (store, l_alice, &error);
  g_assert_true (g_bytes_equal (t->native, alice2));
  g_assert_cmpint (t->record->version, ==, 2);
  g_clear_pointer (&t, ridge_store_template_free);

  /* 4. changed on both sides: conflict, neither overwritten */
  tpl_put (sa, id_bob, "bob", "Bob B.", 7, RIDGE_TPL_NATIVE, bob_remote);
  {
    RidgeStoreTemplateData d = { 0 };
    d.user_external_id = "bob";
    d.finger = 7;
    d.native = bob_local;
    d.samples = 2;
    d.quality = 80;
    g_assert_cmpint (ridge_store_put_template (store, &d, NULL, &error), ==, l_bob);
    g_assert_no_error (error);
  }
  g_assert_cmpint (state_of (store, l_bob, serial_a), ==, RIDGE_SYNC_PENDING);
  st = download (store, sa);
  g_assert_cmpuint (st.conflicts, ==, 1);
  g_assert_cmpuint (st.unchanged, ==, 3);
  g_assert_cmpint (state_of (store, l_bob, serial_a), ==, RIDGE_SYNC_CONFLICT);
  t = ridge_store_get_template (store, l_bob, &error);
  g_assert_true (g_bytes_equal (t->native, bob_local));
  g_clear_pointer (&t, ridge_store_template_free);
  st = upload (store, sa, &l_bob, 1);
  g_assert_cmpuint (st.conflicts, ==, 1);
  g_assert_cmpuint (st.uploaded, ==, 0);
  got = tpl_get (sa, id_bob, NULL);
  g_assert_true (g_bytes_equal (got, bob_remote));
  g_clear_pointer (&got, g_bytes_unref);
  {
    RidgeStoreQuery q = { 0 };
    q.destination = serial_a;
    q.has_state = TRUE;
    q.state = RIDGE_SYNC_CONFLICT;
    rows = ridge_store_list (store, &q, &error);
    g_assert_cmpuint (rows->len, ==, 1);
    g_assert_cmpstr (((RidgeStoreRecord *)rows->pdata[0])->user_external_id, ==, "bob");
    g_clear_pointer (&rows, g_ptr_array_unref);
  }

  /* 5. resolve: the local template wins and goes up */
  g_assert_true (ridge_store_sync_resolve (store, l_bob, serial_a, TRUE, &error));
  st = upload (store, sa, &l_bob, 1);
  g_assert_cmpuint (st.uploaded, ==, 1);
  got = tpl_get (sa, id_bob, NULL);
  g_assert_true (g_bytes_equal (got, bob_local));
  g_clear_pointer (&got, g_bytes_unref);
  g_assert_cmpint (state_of (store, l_bob, serial_a), ==, RIDGE_SYNC_SYNCED);
  g_usleep (5000);

  /* 6. deleted on the terminal */
  memset (&msg, 0, sizeof msg);
  msg.tpl_id.id = id_carol;
  ridge_message_unref (request (sa, RIDGE_MSG_TPL_DELETE, &msg, NULL));
  st = download (store, sa);
  g_assert_cmpuint (st.deleted, ==, 1);
  g_assert_cmpuint (st.unchanged, ==, 3);
  g_assert_cmpint (state_of (store, l_carol, serial_a), ==, RIDGE_SYNC_DELETED);
  g_assert_cmpint (ridge_store_count_rows (store, "templates", NULL), ==, 4);

  /* 7. upload everything to terminal B */
  all[0] = l_alice;
  all[1] = l_bob;
  all[2] = l_carol;
  all[3] = l_dave;
  st = upload (store, sb, all, 4);
  g_assert_cmpuint (st.uploaded, ==, 4);
  g_assert_cmpuint (st.failed, ==, 0);
  memset (&msg, 0, sizeof msg);
  msg.tpl_list.max = 64;
  ridge_message_unref (request (sb, RIDGE_MSG_TPL_LIST, &msg, &out));
  g_assert_cmpuint (out.tpl_list_result.total, ==, 4);
  {
    RidgeStoreSync sync;
    guint8 format = 99;
    g_assert_true (ridge_store_get_sync (store, l_alice, serial_b, &sync, NULL));
    got = tpl_get (sb, sync.remote_id, &format);
    g_assert_cmpuint (format, ==, RIDGE_TPL_NATIVE);
    g_assert_true (g_bytes_equal (got, alice2));
    g_clear_pointer (&got, g_bytes_unref);
    ridge_store_sync_clear (&sync);
    /* the ISO-only record went up as its native conversion */
    g_assert_true (ridge_store_get_sync (store, l_carol, serial_b, &sync, NULL));
    got = tpl_get (sb, sync.remote_id, &format);
    g_assert_cmpuint (format, ==, RIDGE_TPL_NATIVE);
    g_clear_pointer (&got, g_bytes_unref);
    ridge_store_sync_clear (&sync);
  }
  t = ridge_store_get_template (store, l_alice, NULL);
  g_assert_true (strstr (t->record->locations, serial_b) != NULL);
  g_clear_pointer (&t, ridge_store_template_free);

  /* 8. B's records come back down as unchanged; a second upload sends nothing */
  st = download (store, sb);
  g_assert_cmpuint (st.unchanged, ==, 4);
  g_assert_cmpuint (st.added + st.updated + st.conflicts, ==, 0);
  st = upload (store, sb, all, 4);
  g_assert_cmpuint (st.unchanged, ==, 4);
  g_assert_cmpuint (st.uploaded, ==, 0);
  g_assert_true (ridge_store_check_integrity (store, &error));

  g_clear_object (&sa);
  g_clear_object (&sb);
  ridge_test_terminal_free (ta);
  ridge_test_terminal_free (tb);
  g_clear_object (&store);
  rm_rf (dir);
}

/* A record the store cannot read is counted and reported; the others still come down. A
 * session that is not connected is refused with an error. */
static void
test_bad_record (void)
{
  g_autoptr (GError) error = NULL;
  Terminal *ta;
  g_autoptr (RidgeSession) sa = NULL;
  g_autoptr (RidgeSession) idle = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ridge-store-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  g_autoptr (RidgeStore) store = NULL;
  RidgeEnrollTemplate *e = g_new0 (RidgeEnrollTemplate, 1);
  g_autoptr (GBytes) good = NULL;
  g_autoptr (GBytes) bad = g_bytes_new_static ("FMR\0 20\0 this is not a record", 30);
  g_autoptr (GAsyncResult) res = NULL;
  RidgeStoreSyncStats st;

  if (terminal_exe == NULL)
    {
      g_test_skip ("ridge-terminal is not built (RIDGE_TERMINAL_EXE unset)");
      g_free (e);
      return;
    }
  store_test_make_enroll (7, 2, e);
  good = store_test_native (e);
  g_free (e);
  ta = terminal_start ();
  sa = connect (ta);
  store = ridge_store_new (path, &error);
  g_assert_no_error (error);

  /* the terminal keeps ISO records without checking them */
  tpl_put (sa, 0, "erin", "Erin", 4, RIDGE_TPL_ISO19794, bad);
  tpl_put (sa, 0, "fred", "Fred", 5, RIDGE_TPL_NATIVE, good);
  st = download (store, sa);
  g_assert_cmpuint (st.listed, ==, 2);
  g_assert_cmpuint (st.added, ==, 1);
  g_assert_cmpuint (st.failed, ==, 1);
  g_assert_cmpint (ridge_store_find_template_id (store, "fred", 5, NULL), >, 0);
  g_assert_cmpint (ridge_store_find_template_id (store, "erin", 4, NULL), ==, 0);

  idle = ridge_session_new_for_address (ridge_test_terminal_get_address (ta), &error);
  ridge_store_sync_download_async (store, idle, NULL, NULL, store_result, &res);
  g_assert_false (ridge_store_sync_download_finish (store, wait_result (&res), &st, &error));
  g_assert_error (error, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_FAILED);
  g_test_message ("not connected: %s", error->message);

  g_clear_object (&sa);
  g_clear_object (&idle);
  ridge_test_terminal_free (ta);
  g_clear_object (&store);
  rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  terminal_exe = g_getenv ("RIDGE_TERMINAL_EXE");
  g_test_add_func ("/store/sync/two-terminals", test_sync);
  g_test_add_func ("/store/sync/bad-record", test_bad_record);
  return g_test_run ();
}
