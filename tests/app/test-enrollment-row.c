/* test-enrollment-row.c — the Enrollments table's rows: merging the terminal's records with
 * the local store's, the sync state with the terminal, the export state at the server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ridge-enrollment-row.h"

static RidgeAppTemplate *
terminal_record (guint32     id,
                 const char *user,
                 guint       finger)
{
  RidgeAppTemplate *t = g_new0 (RidgeAppTemplate, 1);

  t->id = id;
  t->user_id = g_strdup (user);
  t->name = g_strdup ("");
  t->finger = finger;
  t->samples = 2;
  t->quality = 50 + id;
  t->created_unix_ms = 1700000000000 + id;
  return t;
}

static RidgeStoreRecord *
store_record (gint64      id,
              const char *user,
              const char *name,
              guint       finger,
              const char *locations)
{
  RidgeStoreRecord *r = g_new0 (RidgeStoreRecord, 1);

  r->template_id = id;
  r->user_external_id = g_strdup (user);
  r->display_name = g_strdup (name);
  r->finger = finger;
  r->samples = 3;
  r->quality = 90;
  r->created_ms = 1600000000000;
  r->updated_ms = 1600000001000;
  r->locations = g_strdup (locations);
  return r;
}

static RidgeEnrollmentRow *
find (GListModel *rows,
      const char *user,
      guint       finger)
{
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr (RidgeEnrollmentRow) row = g_list_model_get_item (rows, i);

      if (g_str_equal (ridge_enrollment_row_get_user_id (row), user)
          && ridge_enrollment_row_get_finger (row) == finger)
        return row;   /* the list keeps it */
    }
  g_assert_not_reached ();
}

static GPtrArray *
terminal_fixture (void)
{
  GPtrArray *t = g_ptr_array_new_with_free_func ((GDestroyNotify)ridge_app_template_free);

  g_ptr_array_add (t, terminal_record (1, "ann", 2));   /* terminal only */
  g_ptr_array_add (t, terminal_record (2, "ben", 3));   /* synced */
  g_ptr_array_add (t, terminal_record (3, "cy", 4));    /* conflict */
  g_ptr_array_add (t, terminal_record (4, "dot", 5));   /* changed locally */
  g_ptr_array_add (t, terminal_record (5, "eve", 6));   /* in the store, never synced here */
  g_ptr_array_add (t, terminal_record (6, "eve", 6));   /* enrolled anyway: a second record */
  return t;
}

static GPtrArray *
store_fixture (void)
{
  GPtrArray *s = g_ptr_array_new_with_free_func ((GDestroyNotify)ridge_store_record_free);

  g_ptr_array_add (s, store_record (10, "ben", "Ben", 3, "T-1=synced,T-2=conflict"));
  g_ptr_array_add (s, store_record (11, "cy", "", 4, "T-1=conflict"));
  g_ptr_array_add (s, store_record (12, "dot", "Dot", 5, "T-1=pending"));
  g_ptr_array_add (s, store_record (13, "eve", "Eve", 6, ""));
  g_ptr_array_add (s, store_record (14, "fay", "Fay", 7, "T-1=deleted"));   /* local only */
  g_ptr_array_add (s, store_record (15, "gus", "Gus", 8, "T-1=synced"));    /* gone there */
  g_ptr_array_add (s, store_record (16, "hal", "Hal", 9, "T-2=synced"));    /* elsewhere */
  return s;
}

static void
test_merge (void)
{
  g_autoptr (GPtrArray) terminal = terminal_fixture ();
  g_autoptr (GPtrArray) local = store_fixture ();
  g_autoptr (GListStore) rows = ridge_enrollment_rows_merge (terminal, local, "T-1", NULL);
  GListModel *m = G_LIST_MODEL (rows);
  RidgeEnrollmentRow *row;
  guint eve_rows = 0;

  /* six terminal records, then the three store records not on the terminal */
  g_assert_cmpuint (g_list_model_get_n_items (m), ==, 9);

  row = find (m, "ann", 2);
  g_assert_true (ridge_enrollment_row_get_on_terminal (row));
  g_assert_false (ridge_enrollment_row_get_on_local (row));
  g_assert_cmpstr (ridge_enrollment_row_get_sync_state (row), ==, "Terminal only");
  g_assert_cmpstr (ridge_enrollment_row_get_lives_on (row), ==, "Terminal");
  /* no display name: the user id stands in */
  g_assert_cmpstr (ridge_enrollment_row_get_name (row), ==, "ann");
  g_assert_cmpuint (ridge_enrollment_row_get_terminal_id (row), ==, 1);
  g_assert_cmpint (ridge_enrollment_row_get_store_id (row), ==, 0);
  /* without a server the export state is empty */
  g_assert_cmpstr (ridge_enrollment_row_get_server_state (row), ==, "");

  row = find (m, "ben", 3);
  g_assert_cmpstr (ridge_enrollment_row_get_sync_state (row), ==, "Synced");
  g_assert_cmpstr (ridge_enrollment_row_get_lives_on (row), ==, "Terminal, Local");
  g_assert_cmpint (ridge_enrollment_row_get_store_id (row), ==, 10);
  /* the terminal's record wins for what it shows */
  g_assert_cmpuint (ridge_enrollment_row_get_quality (row), ==, 52);

  g_assert_cmpstr (ridge_enrollment_row_get_sync_state (find (m, "cy", 4)), ==, "Conflict");
  g_assert_cmpstr (ridge_enrollment_row_get_sync_state (find (m, "dot", 5)), ==,
                   "Changed locally");

  /* the first of two terminal records of one finger is linked, the second is not */
  for (guint i = 0; i < g_list_model_get_n_items (m); i++)
    {
      g_autoptr (RidgeEnrollmentRow) r = g_list_model_get_item (m, i);

      if (!g_str_equal (ridge_enrollment_row_get_user_id (r), "eve"))
        continue;
      eve_rows++;
      g_assert_cmpstr (ridge_enrollment_row_get_sync_state (r), ==,
                       ridge_enrollment_row_get_terminal_id (r) == 5 ? "Not linked"
                                                                     : "Terminal only");
    }
  g_assert_cmpuint (eve_rows, ==, 2);

  row = find (m, "fay", 7);
  g_assert_false (ridge_enrollment_row_get_on_terminal (row));
  g_assert_cmpstr (ridge_enrollment_row_get_sync_state (row), ==, "Deleted on the terminal");
  g_assert_cmpstr (ridge_enrollment_row_get_lives_on (row), ==, "Local");
  g_assert_cmpuint (ridge_enrollment_row_get_quality (row), ==, 90);
  /* synced once, no longer listed by the terminal */
  g_assert_cmpstr (ridge_enrollment_row_get_sync_state (find (m, "gus", 8)), ==,
                   "Deleted on the terminal");
  /* synced with another terminal only */
  g_assert_cmpstr (ridge_enrollment_row_get_sync_state (find (m, "hal", 9)), ==, "Local only");
}

static void
test_outbox (void)
{
  g_autoptr (GPtrArray) local = store_fixture ();
  g_autoptr (GHashTable) outbox = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                         NULL);
  g_autoptr (GListStore) rows = NULL;
  static const struct { gint64 id; const char *state; } items[] = {
    { 10, "done" }, { 11, "queued" }, { 12, "duplicate" }, { 13, "rejected" },
    { 14, "conflict" }, { 15, "failed" },
  };
  GListModel *m;

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    g_hash_table_insert (outbox, g_memdup2 (&items[i].id, sizeof (gint64)),
                         (gpointer)items[i].state);
  rows = ridge_enrollment_rows_merge (NULL, local, NULL, outbox);
  m = G_LIST_MODEL (rows);
  g_assert_cmpuint (g_list_model_get_n_items (m), ==, 7);
  g_assert_cmpstr (ridge_enrollment_row_get_server_state (find (m, "ben", 3)), ==, "Exported");
  g_assert_true (ridge_enrollment_row_get_on_server (find (m, "ben", 3)));
  g_assert_cmpstr (ridge_enrollment_row_get_lives_on (find (m, "ben", 3)), ==, "Local, Server");
  g_assert_cmpstr (ridge_enrollment_row_get_server_state (find (m, "cy", 4)), ==,
                   "Export queued");
  g_assert_false (ridge_enrollment_row_get_on_server (find (m, "cy", 4)));
  g_assert_cmpstr (ridge_enrollment_row_get_server_state (find (m, "dot", 5)), ==,
                   "Refused: enrolled under another user");
  g_assert_cmpstr (ridge_enrollment_row_get_server_state (find (m, "eve", 6)), ==,
                   "Refused by the server");
  g_assert_cmpstr (ridge_enrollment_row_get_server_state (find (m, "fay", 7)), ==,
                   "Refused: changed bytes");
  g_assert_cmpstr (ridge_enrollment_row_get_server_state (find (m, "gus", 8)), ==,
                   "Export failed");
  g_assert_cmpstr (ridge_enrollment_row_get_server_state (find (m, "hal", 9)), ==,
                   "Not exported");
  /* no terminal serial: no sync state with it */
  g_assert_cmpstr (ridge_enrollment_row_get_sync_state (find (m, "ben", 3)), ==, "Local only");
}

static void
test_locations (void)
{
  RidgeSyncState state = RIDGE_SYNC_SYNCED;

  g_assert_true (ridge_enrollment_location_state ("A=pending,AB=conflict", "AB", &state));
  g_assert_cmpint (state, ==, RIDGE_SYNC_CONFLICT);
  g_assert_true (ridge_enrollment_location_state ("A=pending,AB=conflict", "A", &state));
  g_assert_cmpint (state, ==, RIDGE_SYNC_PENDING);
  g_assert_false (ridge_enrollment_location_state ("AB=conflict", "B", &state));
  g_assert_false (ridge_enrollment_location_state ("", "A", &state));
  g_assert_false (ridge_enrollment_location_state (NULL, "A", &state));
  g_assert_false (ridge_enrollment_location_state ("A=nonsense", "A", &state));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/enrollment-row/merge", test_merge);
  g_test_add_func ("/enrollment-row/outbox", test_outbox);
  g_test_add_func ("/enrollment-row/locations", test_locations);
  return g_test_run ();
}
