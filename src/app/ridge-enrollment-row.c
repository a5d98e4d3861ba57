/* ridge-enrollment-row.c — one row of the Enrollments table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-enrollment-row"

#include "config.h"

#include "ridge-enrollment-row.h"

#include <glib/gi18n.h>

#include "ridge-hand-diagram.h"

struct _RidgeEnrollmentRow {
  GObject parent_instance;

  char    *name;
  char    *display_name;
  char    *user_id;
  guint    finger;
  guint    samples;
  guint    quality;
  gint64   created;
  gint64   updated;
  char    *created_text;
  char    *updated_text;
  gboolean on_terminal;
  gboolean on_local;
  gboolean on_server;
  char    *lives_on;
  char    *sync_state;
  char    *server_state;
  guint32  terminal_id;
  gint64   store_id;
};

G_DEFINE_FINAL_TYPE (RidgeEnrollmentRow, ridge_enrollment_row, G_TYPE_OBJECT);

enum {
  PROP_0,
  PROP_NAME,
  PROP_USER_ID,
  PROP_FINGER,
  PROP_FINGER_NAME,
  PROP_SAMPLES,
  PROP_QUALITY,
  PROP_CREATED,
  PROP_CREATED_TEXT,
  PROP_UPDATED,
  PROP_UPDATED_TEXT,
  PROP_ON_TERMINAL,
  PROP_ON_LOCAL,
  PROP_ON_SERVER,
  PROP_LIVES_ON,
  PROP_SYNC_STATE,
  PROP_SERVER_STATE,
  PROP_TERMINAL_ID,
  PROP_STORE_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
finger_text (guint finger)
{
  const char *name = ridge_finger_name (finger);

  return name != NULL ? name : _ ("Unknown finger");
}

static void
ridge_enrollment_row_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  RidgeEnrollmentRow *self = RIDGE_ENROLLMENT_ROW (object);

  switch (prop_id)
    {
      case PROP_NAME:
        g_value_set_string (value, self->name);
        break;
      case PROP_USER_ID:
        g_value_set_string (value, self->user_id);
        break;
      case PROP_FINGER:
        g_value_set_uint (value, self->finger);
        break;
      case PROP_FINGER_NAME:
        g_value_set_string (value, finger_text (self->finger));
        break;
      case PROP_SAMPLES:
        g_value_set_uint (value, self->samples);
        break;
      case PROP_QUALITY:
        g_value_set_uint (value, self->quality);
        break;
      case PROP_CREATED:
        g_value_set_int64 (value, self->created);
        break;
      case PROP_CREATED_TEXT:
        g_value_set_string (value, self->created_text);
        break;
      case PROP_UPDATED:
        g_value_set_int64 (value, self->updated);
        break;
      case PROP_UPDATED_TEXT:
        g_value_set_string (value, self->updated_text);
        break;
      case PROP_ON_TERMINAL:
        g_value_set_boolean (value, self->on_terminal);
        break;
      case PROP_ON_LOCAL:
        g_value_set_boolean (value, self->on_local);
        break;
      case PROP_ON_SERVER:
        g_value_set_boolean (value, self->on_server);
        break;
      case PROP_LIVES_ON:
        g_value_set_string (value, self->lives_on);
        break;
      case PROP_SYNC_STATE:
        g_value_set_string (value, self->sync_state);
        break;
      case PROP_SERVER_STATE:
        g_value_set_string (value, self->server_state);
        break;
      case PROP_TERMINAL_ID:
        g_value_set_uint (value, self->terminal_id);
        break;
      case PROP_STORE_ID:
        g_value_set_int64 (value, self->store_id);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ridge_enrollment_row_finalize (GObject *object)
{
  RidgeEnrollmentRow *self = RIDGE_ENROLLMENT_ROW (object);

  g_free (self->name);
  g_free (self->display_name);
  g_free (self->user_id);
  g_free (self->created_text);
  g_free (self->updated_text);
  g_free (self->lives_on);
  g_free (self->sync_state);
  g_free (self->server_state);
  G_OBJECT_CLASS (ridge_enrollment_row_parent_class)->finalize (object);
}

#define STRING_PROP(id, name) \
  properties[id] = g_param_spec_string (name, NULL, NULL, NULL, \
                                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)
#define UINT_PROP(id, name) \
  properties[id] = g_param_spec_uint (name, NULL, NULL, 0, G_MAXUINT32, 0, \
                                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)
#define INT64_PROP(id, name) \
  properties[id] = g_param_spec_int64 (name, NULL, NULL, 0, G_MAXINT64, 0, \
                                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)
#define BOOL_PROP(id, name) \
  properties[id] = g_param_spec_boolean (name, NULL, NULL, FALSE, \
                                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)

static void
ridge_enrollment_row_class_init (RidgeEnrollmentRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = ridge_enrollment_row_get_property;
  object_class->finalize = ridge_enrollment_row_finalize;

  STRING_PROP (PROP_NAME, "name");
  STRING_PROP (PROP_USER_ID, "user-id");
  UINT_PROP (PROP_FINGER, "finger");
  STRING_PROP (PROP_FINGER_NAME, "finger-name");
  UINT_PROP (PROP_SAMPLES, "samples");
  UINT_PROP (PROP_QUALITY, "quality");
  INT64_PROP (PROP_CREATED, "created");
  STRING_PROP (PROP_CREATED_TEXT, "created-text");
  INT64_PROP (PROP_UPDATED, "updated");
  STRING_PROP (PROP_UPDATED_TEXT, "updated-text");
  BOOL_PROP (PROP_ON_TERMINAL, "on-terminal");
  BOOL_PROP (PROP_ON_LOCAL, "on-local");
  BOOL_PROP (PROP_ON_SERVER, "on-server");
  STRING_PROP (PROP_LIVES_ON, "lives-on");
  STRING_PROP (PROP_SYNC_STATE, "sync-state");
  STRING_PROP (PROP_SERVER_STATE, "server-state");
  UINT_PROP (PROP_TERMINAL_ID, "terminal-id");
  INT64_PROP (PROP_STORE_ID, "store-id");
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ridge_enrollment_row_init (RidgeEnrollmentRow *self)
{
}

#define GETTER(type, prop) \
  type \
  ridge_enrollment_row_get_ ## prop (RidgeEnrollmentRow * self) \
  { \
    g_return_val_if_fail (RIDGE_IS_ENROLLMENT_ROW (self), 0); \
    return self->prop; \
  }

GETTER (const char *, name)
GETTER (const char *, display_name)
GETTER (const char *, user_id)
GETTER (guint, finger)
GETTER (guint, samples)
GETTER (guint, quality)
GETTER (gboolean, on_terminal)
GETTER (gboolean, on_local)
GETTER (gboolean, on_server)
GETTER (const char *, lives_on)
GETTER (const char *, sync_state)
GETTER (const char *, server_state)
GETTER (guint32, terminal_id)
GETTER (gint64, store_id)

/* ---- merging ---------------------------------------------------------------------------- */

gboolean
ridge_enrollment_location_state (const char     *locations,
                                 const char     *destination,
                                 RidgeSyncState *state)
{
  g_auto (GStrv) pairs = NULL;

  if (locations == NULL || destination == NULL || *locations == '\0')
    return FALSE;
  pairs = g_strsplit (locations, ",", -1);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      const char *eq = strrchr (pairs[i], '=');

      if (eq != NULL && (gsize)(eq - pairs[i]) == strlen (destination)
          && strncmp (pairs[i], destination, eq - pairs[i]) == 0)
        return ridge_sync_state_from_string (eq + 1, state);
    }
  return FALSE;
}

static char *
time_text (gint64 unix_ms)
{
  g_autoptr (GDateTime) t = NULL;

  if (unix_ms <= 0)
    return g_strdup ("—");
  t = g_date_time_new_from_unix_local (unix_ms / 1000);
  return t != NULL ? g_date_time_format (t, "%Y-%m-%d %H:%M") : g_strdup ("—");
}

static const char *
sync_sentence (gboolean       on_terminal,
               gboolean       on_local,
               gboolean       known,
               RidgeSyncState state)
{
  if (on_terminal && !on_local)
    return _ ("Terminal only");
  if (!known)
    return on_terminal ? _ ("Not linked") : _ ("Local only");
  if (state == RIDGE_SYNC_CONFLICT)
    return _ ("Conflict");
  if (state == RIDGE_SYNC_PENDING)
    return _ ("Changed locally");
  /* synced once, gone from the terminal since */
  if (!on_terminal || state == RIDGE_SYNC_DELETED)
    return _ ("Deleted on the terminal");
  return _ ("Synced");
}

/* The state of the template's newest outbox item at the export server, as a sentence. */
static const char *
server_sentence (GHashTable *outbox,
                 gint64      store_id,
                 gboolean   *on_server)
{
  const char *state = outbox != NULL && store_id > 0
                      ? g_hash_table_lookup (outbox, &store_id) : NULL;

  *on_server = g_strcmp0 (state, "done") == 0;
  if (outbox == NULL)
    return "";
  if (state == NULL)
    return _ ("Not exported");
  if (g_str_equal (state, "queued"))
    return _ ("Export queued");
  if (g_str_equal (state, "done"))
    return _ ("Exported");
  if (g_str_equal (state, "duplicate"))
    return _ ("Refused: enrolled under another user");
  if (g_str_equal (state, "rejected"))
    return _ ("Refused by the server");
  if (g_str_equal (state, "conflict"))
    return _ ("Refused: changed bytes");
  return _ ("Export failed");
}

static void
finish_row (RidgeEnrollmentRow *self,
            const char         *locations,
            const char         *serial,
            GHashTable         *outbox)
{
  RidgeSyncState state = RIDGE_SYNC_PENDING;
  gboolean known = serial != NULL && ridge_enrollment_location_state (locations, serial, &state);
  GString *lives = g_string_new (NULL);

  self->name = g_strdup (self->display_name != NULL && *self->display_name != '\0'
                         ? self->display_name : self->user_id);
  self->created_text = time_text (self->created);
  self->updated_text = time_text (self->updated);
  self->sync_state = g_strdup (sync_sentence (self->on_terminal, self->on_local, known, state));
  self->server_state = g_strdup (server_sentence (outbox, self->store_id, &self->on_server));
  if (self->on_terminal)
    g_string_append (lives, _ ("Terminal"));
  if (self->on_local)
    {
      if (lives->len > 0)
        g_string_append (lives, ", ");
      g_string_append (lives, _ ("Local"));
    }
  if (self->on_server)
    {
      if (lives->len > 0)
        g_string_append (lives, ", ");
      g_string_append (lives, _ ("Server"));
    }
  self->lives_on = g_string_free (lives, FALSE);
}

GListStore *
ridge_enrollment_rows_merge (GPtrArray  *terminal,
                             GPtrArray  *local,
                             const char *serial,
                             GHashTable *outbox)
{
  GListStore *rows = g_list_store_new (RIDGE_TYPE_ENROLLMENT_ROW);
  g_autoptr (GHashTable) by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) used = g_hash_table_new (NULL, NULL);

  /* the store holds one template per user and finger */
  for (guint i = 0; local != NULL && i < local->len; i++)
    {
      RidgeStoreRecord *rec = g_ptr_array_index (local, i);

      g_hash_table_insert (by_key, g_strdup_printf ("%u:%s", rec->finger, rec->user_external_id),
                           rec);
    }
  for (guint i = 0; terminal != NULL && i < terminal->len; i++)
    {
      const RidgeAppTemplate *t = g_ptr_array_index (terminal, i);
      g_autofree char *key = g_strdup_printf ("%u:%s", t->finger, t->user_id);
      RidgeStoreRecord *rec = g_hash_table_lookup (by_key, key);
      RidgeEnrollmentRow *row = g_object_new (RIDGE_TYPE_ENROLLMENT_ROW, NULL);

      /* two terminal records for one finger (enrolled anyway): the first one is linked */
      if (rec != NULL && g_hash_table_contains (used, rec))
        rec = NULL;
      row->display_name = g_strdup (t->name);
      row->user_id = g_strdup (t->user_id);
      row->finger = t->finger;
      row->samples = t->samples;
      row->quality = t->quality;
      row->created = t->created_unix_ms;
      row->updated = t->updated_unix_ms > 0 ? t->updated_unix_ms : t->created_unix_ms;
      row->on_terminal = TRUE;
      row->terminal_id = t->id;
      if (rec != NULL)
        {
          g_hash_table_add (used, rec);
          row->on_local = TRUE;
          row->store_id = rec->template_id;
        }
      finish_row (row, rec != NULL ? rec->locations : NULL, serial, outbox);
      g_list_store_append (rows, row);
      g_object_unref (row);
    }
  for (guint i = 0; local != NULL && i < local->len; i++)
    {
      RidgeStoreRecord *rec = g_ptr_array_index (local, i);
      RidgeEnrollmentRow *row;

      if (g_hash_table_contains (used, rec))
        continue;
      row = g_object_new (RIDGE_TYPE_ENROLLMENT_ROW, NULL);
      row->display_name = g_strdup (rec->display_name);
      row->user_id = g_strdup (rec->user_external_id);
      row->finger = rec->finger;
      row->samples = rec->samples;
      row->quality = rec->quality;
      row->created = rec->created_ms;
      row->updated = rec->updated_ms;
      row->on_local = TRUE;
      row->store_id = rec->template_id;
      finish_row (row, rec->locations, serial, outbox);
      g_list_store_append (rows, row);
      g_object_unref (row);
    }
  return rows;
}
