/* ridge-terminal-store.c — the persistent template store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One file per template, STATE_DIR/templates/NNNNNNNN.tpl, mode 0600. A file holds one
 * Ridge wire frame of type TPL_PUT whose body is the RidgeWireTemplate (record metadata +
 * template bytes): the codec's CRC-32 guards it, and no second format is needed. Files
 * are replaced atomically (temp file + fsync + rename + fsync of the directory), so a
 * crash leaves either the old or the new record, never half of one.
 */
#define G_LOG_DOMAIN "ridge-terminal"
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "ridge-terminal-private.h"

struct _RidgeTerminalStore {
  char      *dir;
  guint      capacity;
  GPtrArray *entries;   /* RidgeTerminalStoreEntry*, sorted by id */
  guint32    next_id;
};

G_DEFINE_QUARK (ridge - terminal - error - quark, ridge_terminal_error);

static void
entry_free (gpointer data)
{
  RidgeTerminalStoreEntry *e = data;

  g_free (e->user_id);
  g_free (e->name);
  g_clear_pointer (&e->data, g_bytes_unref);
  g_free (e);
}

static RidgeTerminalStoreEntry *
entry_copy (const RidgeTerminalStoreEntry *src)
{
  RidgeTerminalStoreEntry *e = g_new0 (RidgeTerminalStoreEntry, 1);

  *e = *src;
  e->user_id = g_strdup (src->user_id ? src->user_id : "");
  e->name = g_strdup (src->name ? src->name : "");
  e->data = src->data ? g_bytes_ref (src->data) : g_bytes_new (NULL, 0);
  return e;
}

gboolean
ridge_terminal_write_file_atomic (const char *path,
                                  const void *contents,
                                  gsize       len,
                                  int         mode,
                                  GError    **error)
{
  g_autofree char *tmp = g_strdup_printf ("%s.tmp-XXXXXX", path);
  g_autofree char *dir = g_path_get_dirname (path);
  const guint8 *p = contents;
  gsize done = 0;
  int fd;
  int dfd;

  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, mode);
  if (fd < 0)
    {
      int err = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err),
                   "Could not create %s: %s", tmp, g_strerror (err));
      return FALSE;
    }
  /* the umask does not apply to fchmod: the mode is exactly what was asked */
  if (fchmod (fd, mode) < 0)
    goto fail;
  while (done < len)
    {
      ssize_t n = write (fd, p + done, len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        goto fail;
      done += n;
    }
  if (fsync (fd) < 0)
    goto fail;
  if (close (fd) < 0)
    {
      fd = -1;
      goto fail;
    }
  fd = -1;
  if (g_rename (tmp, path) < 0)
    goto fail;

  dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0)
    {
      fsync (dfd);
      close (dfd);
    }
  return TRUE;

fail:
  {
    int err = errno;
    if (fd >= 0)
      close (fd);
    g_unlink (tmp);
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err),
                 "Could not write %s: %s", path, g_strerror (err));
    return FALSE;
  }
}

static char *
entry_path (RidgeTerminalStore *store,
            guint32             id)
{
  g_autofree char *name = g_strdup_printf ("%08u.tpl", id);

  return g_build_filename (store->dir, name, NULL);
}

static void
fill_wire_template (const RidgeTerminalStoreEntry *e,
                    RidgeWireTemplate             *t)
{
  memset (t, 0, sizeof *t);
  t->info.id = e->id;
  t->info.user_id.ptr = e->user_id;
  t->info.user_id.len = strlen (e->user_id);
  t->info.name.ptr = e->name;
  t->info.name.len = strlen (e->name);
  t->info.finger = e->finger;
  t->info.samples = e->samples;
  t->info.quality = e->quality;
  t->info.format = e->format;
  t->info.created_unix_ms = e->created_unix_ms;
  t->info.updated_unix_ms = e->updated_unix_ms;
  t->info.size = g_bytes_get_size (e->data);
  t->data.ptr = g_bytes_get_data (e->data, NULL);
  t->data.len = g_bytes_get_size (e->data);
}

static gboolean
entry_save (RidgeTerminalStore            *store,
            const RidgeTerminalStoreEntry *e,
            GError                       **error)
{
  RidgeWireMsg msg;
  g_autofree guint8 *buf = NULL;
  gsize cap = RIDGE_WIRE_OVERHEAD + RIDGE_WIRE_TEMPLATE_INFO_MAX + 4 + g_bytes_get_size (e->data);
  g_autofree char *path = entry_path (store, e->id);
  int32_t n;

  fill_wire_template (e, &msg.template_);
  buf = g_malloc (cap);
  n = ridge_wire_encode (buf, cap, RIDGE_MSG_TPL_PUT, 0, e->id, &msg);
  if (n < 0)
    {
      g_set_error (error, RIDGE_TERMINAL_ERROR, RIDGE_ERR_INVALID_ARG,
                   "The template record cannot be encoded: %s", ridge_wire_strerror (n));
      return FALSE;
    }
  if (!ridge_terminal_write_file_atomic (path, buf, n, 0600, error))
    {
      g_prefix_error (error, "Template store: ");
      return FALSE;
    }
  return TRUE;
}

static RidgeTerminalStoreEntry *
entry_load (const char *path,
            GError    **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autofree guint8 *payload = NULL;
  RidgeWireDecoder dec;
  RidgeWireMsg msg;
  RidgeTerminalStoreEntry *e;
  size_t used = 0;

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  if (len > RIDGE_WIRE_OVERHEAD + RIDGE_WIRE_TEMPLATE_INFO_MAX + 4 + RIDGE_TERMINAL_MAX_TEMPLATE)
    goto bad;

  payload = g_malloc (len);
  ridge_wire_decoder_init (&dec, payload, len);
  if (ridge_wire_decoder_feed (&dec, (const guint8 *)contents, len, &used) != RIDGE_WIRE_DEC_FRAME
      || used != len || dec.header.type != RIDGE_MSG_TPL_PUT
      || ridge_wire_decode (&dec.header, dec.payload, &msg) != RIDGE_WIRE_OK
      || msg.template_.info.id == 0 || msg.template_.info.id != dec.header.seq
      || msg.template_.data.len > RIDGE_TERMINAL_MAX_TEMPLATE)
    goto bad;

  e = g_new0 (RidgeTerminalStoreEntry, 1);
  e->id = msg.template_.info.id;
  e->user_id = g_strndup (msg.template_.info.user_id.ptr, msg.template_.info.user_id.len);
  e->name = g_strndup (msg.template_.info.name.ptr, msg.template_.info.name.len);
  e->finger = msg.template_.info.finger;
  e->samples = msg.template_.info.samples;
  e->quality = msg.template_.info.quality;
  e->format = msg.template_.info.format;
  e->created_unix_ms = msg.template_.info.created_unix_ms;
  e->updated_unix_ms = msg.template_.info.updated_unix_ms;
  e->data = g_bytes_new (msg.template_.data.ptr, msg.template_.data.len);
  return e;

bad:
  g_set_error (error, RIDGE_TERMINAL_ERROR, RIDGE_ERR_STORAGE,
               "%s is not a valid template record", path);
  return NULL;
}

static int
entry_cmp (gconstpointer a,
           gconstpointer b)
{
  const RidgeTerminalStoreEntry *ea = *(RidgeTerminalStoreEntry * const *)a;
  const RidgeTerminalStoreEntry *eb = *(RidgeTerminalStoreEntry * const *)b;

  return ea->id < eb->id ? -1 : ea->id > eb->id;
}

RidgeTerminalStore *
ridge_terminal_store_open (const char *dir,
                           guint       capacity,
                           GError    **error)
{
  g_autoptr (GDir) d = NULL;
  RidgeTerminalStore *store;
  const char *name;

  if (g_mkdir_with_parents (dir, 0700) < 0)
    {
      int err = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err),
                   "Could not create the template store %s: %s", dir, g_strerror (err));
      return NULL;
    }
  d = g_dir_open (dir, 0, error);
  if (d == NULL)
    return NULL;

  store = g_new0 (RidgeTerminalStore, 1);
  store->dir = g_strdup (dir);
  store->capacity = capacity;
  store->entries = g_ptr_array_new_with_free_func (entry_free);
  store->next_id = 1;

  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr (GError) local = NULL;
      RidgeTerminalStoreEntry *e;

      if (strstr (name, ".tmp-") != NULL)
        {
          /* an interrupted write: the record it was replacing is still intact */
          g_message ("Removing the unfinished store write %s", name);
          g_unlink (path);
          continue;
        }
      if (!g_str_has_suffix (name, ".tpl"))
        continue;
      e = entry_load (path, &local);
      if (e == NULL)
        {
          g_warning ("Skipping a damaged template record: %s", local->message);
          continue;
        }
      if (ridge_terminal_store_lookup (store, e->id) != NULL)
        {
          g_warning ("Skipping %s: template %u is already loaded", name, e->id);
          entry_free (e);
          continue;
        }
      g_ptr_array_add (store->entries, e);
      g_ptr_array_sort (store->entries, entry_cmp);
      store->next_id = MAX (store->next_id, e->id + 1);
    }
  /* ids are never reused: the next one is kept beside the records */
  {
    g_autofree char *path = g_build_filename (dir, "next-id", NULL);
    g_autofree char *text = NULL;
    if (g_file_get_contents (path, &text, NULL, NULL))
      {
        guint64 v = g_ascii_strtoull (g_strstrip (text), NULL, 10);
        if (v > store->next_id && v < G_MAXUINT32)
          store->next_id = v;
      }
  }
  g_message ("Template store %s: %u of %u templates", dir, store->entries->len, capacity);
  return store;
}

void
ridge_terminal_store_free (RidgeTerminalStore *store)
{
  if (store == NULL)
    return;
  g_ptr_array_unref (store->entries);
  g_free (store->dir);
  g_free (store);
}

guint
ridge_terminal_store_capacity (RidgeTerminalStore *store)
{
  return store->capacity;
}

guint
ridge_terminal_store_count (RidgeTerminalStore *store)
{
  return store->entries->len;
}

const RidgeTerminalStoreEntry *
ridge_terminal_store_nth (RidgeTerminalStore *store,
                          guint               index)
{
  g_return_val_if_fail (index < store->entries->len, NULL);
  return g_ptr_array_index (store->entries, index);
}

static int
index_of (RidgeTerminalStore *store,
          guint32             id)
{
  guint lo = 0, hi = store->entries->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      const RidgeTerminalStoreEntry *e = g_ptr_array_index (store->entries, mid);
      if (e->id == id)
        return mid;
      if (e->id < id)
        lo = mid + 1;
      else
        hi = mid;
    }
  return -1;
}

const RidgeTerminalStoreEntry *
ridge_terminal_store_lookup (RidgeTerminalStore *store,
                             guint32             id)
{
  int i = index_of (store, id);

  return i < 0 ? NULL : g_ptr_array_index (store->entries, i);
}

const RidgeTerminalStoreEntry *
ridge_terminal_store_find_user (RidgeTerminalStore *store,
                                const char         *user_id,
                                guint8              finger)
{
  for (guint i = 0; i < store->entries->len; i++)
    {
      const RidgeTerminalStoreEntry *e = g_ptr_array_index (store->entries, i);
      if (g_strcmp0 (e->user_id, user_id) == 0 && (finger == 0 || e->finger == finger))
        return e;
    }
  return NULL;
}

const RidgeTerminalStoreEntry *
ridge_terminal_store_put (RidgeTerminalStore            *store,
                          const RidgeTerminalStoreEntry *entry,
                          GError                       **error)
{
  RidgeTerminalStoreEntry *e;
  int existing = entry->id != 0 ? index_of (store, entry->id) : -1;

  if (existing < 0 && store->entries->len >= store->capacity)
    {
      g_set_error (error, RIDGE_TERMINAL_ERROR, RIDGE_ERR_STORE_FULL,
                   "The template store is full (%u of %u templates)",
                   store->entries->len, store->capacity);
      return NULL;
    }
  if (entry->id == 0 && store->next_id == G_MAXUINT32)
    {
      g_set_error (error, RIDGE_TERMINAL_ERROR, RIDGE_ERR_STORE_FULL,
                   "The template store has run out of record numbers");
      return NULL;
    }

  e = entry_copy (entry);
  if (e->id == 0)
    e->id = store->next_id;
  if (e->id >= store->next_id)
    {
      g_autofree char *path = g_build_filename (store->dir, "next-id", NULL);
      g_autofree char *text = g_strdup_printf ("%u\n", e->id + 1);
      if (!ridge_terminal_write_file_atomic (path, text, strlen (text), 0600, error))
        {
          g_prefix_error (error, "Template store: ");
          entry_free (e);
          return NULL;
        }
    }

  if (!entry_save (store, e, error))
    {
      entry_free (e);
      return NULL;
    }
  store->next_id = MAX (store->next_id, e->id + 1);
  if (existing >= 0)
    {
      entry_free (g_ptr_array_index (store->entries, existing));
      g_ptr_array_index (store->entries, existing) = e;
    }
  else
    {
      g_ptr_array_add (store->entries, e);
      g_ptr_array_sort (store->entries, entry_cmp);
    }
  return e;
}

gboolean
ridge_terminal_store_delete (RidgeTerminalStore *store,
                             guint32             id,
                             GError            **error)
{
  int i = index_of (store, id);
  g_autofree char *path = NULL;

  if (i < 0)
    {
      g_set_error (error, RIDGE_TERMINAL_ERROR, RIDGE_ERR_NOT_FOUND,
                   "There is no template %u", id);
      return FALSE;
    }
  path = entry_path (store, id);
  if (g_unlink (path) < 0 && errno != ENOENT)
    {
      int err = errno;
      g_set_error (error, RIDGE_TERMINAL_ERROR, RIDGE_ERR_STORAGE,
                   "Could not delete %s: %s", path, g_strerror (err));
      return FALSE;
    }
  g_ptr_array_remove_index (store->entries, i);
  return TRUE;
}

gboolean
ridge_terminal_store_clear (RidgeTerminalStore *store,
                            GError            **error)
{
  while (store->entries->len > 0)
    {
      const RidgeTerminalStoreEntry *e =
        g_ptr_array_index (store->entries, store->entries->len - 1);
      if (!ridge_terminal_store_delete (store, e->id, error))
        return FALSE;
    }
  return TRUE;
}
