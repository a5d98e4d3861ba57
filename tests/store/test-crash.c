/* test-crash.c — kill -9 a store writer at random moments; the store must stay valid
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * 20 rounds: store-writer writes transactions into the same store file and prints each
 * committed one on a pipe; it is killed with SIGKILL after a random 30..400 ms (the first
 * rounds also hit the creation and migration of the file). After each kill: the store
 * opens, PRAGMA integrity_check and foreign_key_check pass, every transaction the writer
 * reported is present with the exact bytes it wrote, and no transaction is half there.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ridge-store-private.h"
#include "ridge-store.h"
#include "store-test-util.h"

static const char *writer_path;

#define ROUNDS 20

static gint64
count (RidgeStore *store,
       const char *sql)
{
  sqlite3_stmt *stmt = ridge_store_prepare (store, sql, NULL);
  gint64 n;

  g_assert_nonnull (stmt);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static void
check_committed (RidgeStore *store,
                 guint       round,
                 guint       i)
{
  g_autofree char *user = g_strdup_printf ("w%u-%u", round, i);
  GError *error = NULL;

  for (guint finger = 1; finger <= 2; finger++)
    {
      RidgeEnrollTemplate *e = g_new0 (RidgeEnrollTemplate, 1);
      g_autoptr (GBytes) native = NULL;
      g_autoptr (GBytes) iso = NULL;
      g_autoptr (RidgeStoreTemplate) t = NULL;
      gint64 id;

      store_test_make_enroll (round * 100000 + i * 2 + finger, 2, e);
      native = store_test_native (e);
      iso = store_test_fmr (e, finger, RIDGE_FMR_FORMAT_ISO);
      g_free (e);
      id = ridge_store_find_template_id (store, user, finger, &error);
      g_assert_no_error (error);
      if (id <= 0)
        g_error ("committed transaction %s finger %u is missing", user, finger);
      t = ridge_store_get_template (store, id, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (t->native, native));
      g_assert_true (g_bytes_equal (t->iso_record, iso));
      g_assert_cmpuint (t->images->len, ==, 1);
    }
}

static void
test_killed_writers (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ridge-crash-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  GRand *rand = g_rand_new ();
  guint total_committed = 0;

  if (writer_path == NULL)
    {
      g_test_skip ("store-writer path not given");
      return;
    }
  for (guint round = 0; round < ROUNDS; round++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (RidgeStore) store = NULL;
      g_autoptr (GString) out = g_string_new (NULL);
      g_autofree char *round_s = g_strdup_printf ("%u", round);
      const char *argv[] = { writer_path, path, round_s, NULL };
      g_auto (GStrv) lines = NULL;
      guint delay_ms = g_rand_int_range (rand, round < 3 ? 0 : 30, 400);
      guint n = 0;
      GPid pid;
      int out_fd, status;
      char buf[4096];
      ssize_t r;

      g_assert_true (g_spawn_async_with_pipes (NULL, (char **)argv, NULL,
                                               G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
                                               NULL, &out_fd, NULL, &error));
      g_usleep (delay_ms * 1000);
      g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_spawn_close_pid (pid);
      /* a writer that died before the kill failed: that is a test failure */
      g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
      while ((r = read (out_fd, buf, sizeof buf)) > 0)
        g_string_append_len (out, buf, r);
      close (out_fd);

      store = ridge_store_new (path, &error);
      g_assert_no_error (error);
      g_assert_true (ridge_store_check_integrity (store, &error));
      g_assert_no_error (error);

      lines = g_strsplit (out->str, "\n", -1);
      for (guint k = 0; lines[k]; k++)
        {
          guint rr, i;
          /* the last line may be cut by the kill: only whole lines count */
          if (lines[k + 1] == NULL)
            break;
          g_assert_cmpint (sscanf (lines[k], "%u %u", &rr, &i), ==, 2);
          g_assert_cmpuint (rr, ==, round);
          check_committed (store, round, i);
          n++;
        }
      /* no partial transaction: every user has exactly two templates with an image and an
       * outbox item each, and one provenance row per template version */
      g_assert_cmpint (count (store, "SELECT count(*) FROM users u WHERE (SELECT count(*) "
                                     "FROM fingers f JOIN templates t ON t.finger_id = f.id "
                                     "WHERE f.user_id = u.id) != 2"), ==, 0);
      g_assert_cmpint (count (store, "SELECT count(*) FROM templates t WHERE (SELECT count(*) "
                                     "FROM sample_images i WHERE i.template_id = t.id) != 1 OR "
                                     "(SELECT count(*) FROM outbox o WHERE o.template_id = t.id) "
                                     "!= 1 OR (SELECT count(*) FROM provenance p WHERE "
                                     "p.template_id = t.id) != 1"), ==, 0);
      /* the store holds at least what was reported, at most one more per round (a commit
       * that landed just before the kill, before its line was printed) */
      {
        gint64 users = count (store, "SELECT count(*) FROM users");
        g_assert_cmpint (users, >=, (gint64)total_committed + n);
        g_assert_cmpint (users, <=, (gint64)total_committed + n + 1);
        g_test_message ("round %u: killed after %u ms, %u reported, %" G_GINT64_FORMAT
                        " users in the store", round, delay_ms, n, users);
        total_committed = (guint)users;
      }
    }
  g_rand_free (rand);
  {
    g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;
    while ((name = g_dir_read_name (d)))
      {
        g_autofree char *p = g_build_filename (dir, name, NULL);
        unlink (p);
      }
    rmdir (dir);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  writer_path = argc > 1 ? argv[1] : g_getenv ("RIDGE_STORE_WRITER");
  g_test_add_func ("/store/crash/killed-writers", test_killed_writers);
  return g_test_run ();
}
