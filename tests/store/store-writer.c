/* store-writer.c — writes transactions into a RidgeStore in a loop, for test-crash
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: store-writer PATH ROUND. Each transaction adds one user with two fingers (native
 * template + ISO record + one sample image each) and queues both in the outbox; after its
 * COMMIT returns, the writer prints "ROUND I\n" on stdout and flushes. It runs until killed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "ridge-store.h"
#include "store-test-util.h"

static gboolean
write_one (RidgeStore *store,
           guint       round,
           guint       i,
           GError    **error)
{
  g_autofree char *user = g_strdup_printf ("w%u-%u", round, i);
  guint8 px[64 * 48];
  g_autoptr (GBytes) pixels = NULL;
  RidgeStoreImage image = { 64, 48, NULL };

  for (guint k = 0; k < sizeof px; k++)
    px[k] = (guint8)(k * 31 + i + round);
  pixels = g_bytes_new (px, sizeof px);
  image.pixels = pixels;
  if (!ridge_store_begin (store, error))
    return FALSE;
  for (guint finger = 1; finger <= 2; finger++)
    {
      RidgeEnrollTemplate *e = g_new0 (RidgeEnrollTemplate, 1);
      g_autoptr (GBytes) native = NULL;
      g_autoptr (GBytes) iso = NULL;
      RidgeStoreTemplateData d = { 0 };
      RidgeStoreProvenance prov = { "T-CRASH", "writer", "enroll" };
      gint64 id;

      store_test_make_enroll (round * 100000 + i * 2 + finger, 2, e);
      native = store_test_native (e);
      iso = store_test_fmr (e, finger, RIDGE_FMR_FORMAT_ISO);
      g_free (e);
      d.user_external_id = user;
      d.display_name = user;
      d.finger = finger;
      d.native = native;
      d.iso_record = iso;
      d.samples = 2;
      d.quality = 50;
      d.images = &image;
      d.n_images = 1;
      id = ridge_store_put_template (store, &d, &prov, error);
      if (id <= 0 || ridge_store_outbox_enqueue (store, id, "server", error) <= 0)
        {
          ridge_store_rollback (store);
          return FALSE;
        }
    }
  return ridge_store_commit (store, error);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeStore) store = NULL;
  guint round;

  if (argc != 3)
    {
      fprintf (stderr, "usage: store-writer PATH ROUND\n");
      return 2;
    }
  round = (guint)strtoul (argv[2], NULL, 10);
  store = ridge_store_new (argv[1], &error);
  if (store == NULL)
    {
      fprintf (stderr, "store-writer: %s\n", error->message);
      return 1;
    }
  for (guint i = 0;; i++)
    {
      if (!write_one (store, round, i, &error))
        {
          fprintf (stderr, "store-writer: %s\n", error->message);
          return 1;
        }
      printf ("%u %u\n", round, i);
      fflush (stdout);
    }
}
