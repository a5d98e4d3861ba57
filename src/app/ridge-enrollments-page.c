/* ridge-enrollments-page.c — the enrollments of one terminal and of the local store, as a
 * sortable, filterable table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-enrollments-page"

#include "config.h"

#include "ridge-enrollments-page.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "core/ridge-error.h"
#include "core/ridge-export.h"
#include "core/ridge-secret.h"
#include "core/ridge-session.h"
#include "core/ridge-store-sync.h"
#include "ridge-app-util.h"
#include "ridge-enroll-page.h"
#include "ridge-enrollment-row.h"
#include "ridge-hand-diagram.h"
#include "ridge-terminal-view.h"
#include "ridge-window.h"

struct _RidgeEnrollmentsPage {
  AdwBin parent_instance;

  GtkStack            *stack;
  AdwStatusPage       *status_page;
  GtkWidget           *status_refresh_button;
  GtkSearchEntry      *search_entry;
  GtkDropDown         *finger_dropdown;
  GtkLabel            *count_label;
  GtkLevelBar         *capacity_bar;
  GtkLabel            *capacity_label;
  GtkColumnView       *column_view;
  GtkColumnViewColumn *name_column;
  GtkColumnViewColumn *server_column;
  GtkLabel            *shown_label;
  GtkLabel            *user_label;
  RidgeHandDiagram    *hands;
  GtkLabel            *detail_label;
  GtkWidget           *export_box;
  GtkLabel            *export_status_label;
  GtkProgressBar      *export_progress;
  GtkWidget           *export_cancel_button;
  GtkWidget           *export_button;

  GListStore         *rows;         /* RidgeEnrollmentRow: terminal and local, merged */
  GtkFilterListModel *filtered;
  GtkSortListModel   *sorted;
  GtkSingleSelection *selection;
  gboolean            listed;       /* rows hold a listing (else not connected / failed) */

  RidgeTerminalItem *item;
  gulong             state_handler;
  GCancellable      *cancellable;      /* the listing */
  GPtrArray         *templates;        /* RidgeAppTemplate of the terminal, in list order */
  char              *serial;           /* the terminal's destination in the store */
  gboolean           syncing;
  GCancellable      *op_cancellable;   /* delete, rename, clear, copy, keep local */
  AdwMessageDialog  *dialog;           /* the open question, if any */
  GtkEditable       *rename_user;
  GtkEditable       *rename_name;
  GtkDropDown       *copy_target;
  GPtrArray         *copy_items;       /* RidgeTerminalItem offered in the copy dialog */
  guint32            target_id;        /* the record the open question is about */
  guint              busy;             /* operations running (keep local, copy) */
  char              *last_message;     /* the last toast */
  char              *server;           /* export profile of the Server column, or NULL */
  GtkDropDown       *export_profile;   /* in the export question */
  GtkCheckButton    *export_only_user;
  char              *export_user;      /* the selected row's user when the question opened */
  RidgeExporter     *exporter;         /* the running export */
  GCancellable      *export_cancellable;
  GSettings         *profiles;         /* org.ridge.Ridge (server-profiles), or NULL */
};

G_DEFINE_FINAL_TYPE (RidgeEnrollmentsPage, ridge_enrollments_page, ADW_TYPE_BIN);

static void update_actions (RidgeEnrollmentsPage *self);
static void update_servers (RidgeEnrollmentsPage *self);

/* Every sentence goes to the window's toasts; the last one is kept for the tests. */
static void
toast (RidgeEnrollmentsPage *self,
       const char           *text)
{
  g_free (self->last_message);
  self->last_message = g_strdup (text);
  ridge_app_toast (GTK_WIDGET (self), text);
}

/* ---- the local store -------------------------------------------------------------------- */

/* The app's local enrollment store: $RIDGE_STORE, else <user data dir>/ridge/store.db. */
static char *
store_path (void)
{
  const char *env = g_getenv ("RIDGE_STORE");

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  return g_build_filename (g_get_user_data_dir (), "ridge", "store.db", NULL);
}

typedef struct {
  char *path;
  char *server;        /* the export server whose outbox fills the Server column, or NULL */
} LocalQuery;

typedef struct {
  GPtrArray  *records;  /* RidgeStoreRecord */
  GHashTable *outbox;   /* template id → newest outbox state at server; NULL without server */
  char       *status;   /* the export status of every server, one line each; "" when none */
} LocalResult;

static void
local_query_free (LocalQuery *q)
{
  g_free (q->path);
  g_free (q->server);
  g_free (q);
}

static void
local_result_free (LocalResult *r)
{
  g_clear_pointer (&r->records, g_ptr_array_unref);
  g_clear_pointer (&r->outbox, g_hash_table_unref);
  g_free (r->status);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LocalResult, local_result_free)

static char *
time_text (gint64 unix_ms)
{
  g_autoptr (GDateTime) t = g_date_time_new_from_unix_local (unix_ms / 1000);

  return t != NULL ? g_date_time_format (t, "%Y-%m-%d %H:%M") : g_strdup ("—");
}

/* One line per export server: the last run, what is there, what waits, what was refused. */
static char *
export_status_text (GPtrArray *statuses)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; statuses != NULL && i < statuses->len; i++)
    {
      const RidgeStoreExportStatus *st = g_ptr_array_index (statuses, i);
      guint refused = (guint)(st->duplicates + st->rejected + st->conflicts + st->failed);
      g_autofree char *when = time_text (st->last_run_ms);

      if (text->len > 0)
        g_string_append_c (text, '\n');
      if (st->last_error != NULL)
        /* Translators: server profile, date and time, the reason, counts of records */
        g_string_append_printf (text, _ ("Server “%s”: the export of %s stopped: %s. %u exported, "
                                         "%u still queued."), st->destination, when,
                                st->last_error, (guint)st->done, (guint)st->queued);
      else if (st->last_success_ms > 0)
        /* Translators: server profile, date and time, counts of records */
        g_string_append_printf (text, _ ("Server “%s”: last export %s. %u exported, %u queued, "
                                         "%u refused."), st->destination, when, (guint)st->done,
                                (guint)st->queued, refused);
      else
        /* Translators: server profile, count of records */
        g_string_append_printf (text, _ ("Server “%s”: not exported yet, %u queued."),
                                st->destination, (guint)st->queued);
    }
  return g_string_free (text, FALSE);
}

/* Reads the store in a worker thread (its own connection): the records, the newest outbox
 * state of each template at the server, every server's export status. No store file yet is
 * no records, not an error: nothing was kept locally. */
static void
list_local_thread (GTask        *task,
                   gpointer      source,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  const LocalQuery *q = task_data;
  g_autoptr (LocalResult) r = g_new0 (LocalResult, 1);
  g_autoptr (RidgeStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) statuses = NULL;

  if (q->server != NULL)
    r->outbox = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  if (!g_file_test (q->path, G_FILE_TEST_EXISTS))
    {
      r->records = g_ptr_array_new ();
      r->status = g_strdup ("");
      g_task_return_pointer (task, g_steal_pointer (&r), (GDestroyNotify)local_result_free);
      return;
    }
  store = ridge_store_new (q->path, &error);
  if (store != NULL)
    r->records = ridge_store_list (store, NULL, &error);
  if (r->records != NULL && q->server != NULL)
    {
      /* by id: a later item of the same template overwrites an earlier one */
      g_autoptr (GPtrArray) items = ridge_store_outbox_list (store, q->server, NULL, &error);

      for (guint i = 0; items != NULL && i < items->len; i++)
        {
          const RidgeStoreOutboxItem *item = g_ptr_array_index (items, i);

          g_hash_table_replace (r->outbox, g_memdup2 (&item->template_id, sizeof (gint64)),
                                g_strdup (item->state));
        }
      if (items == NULL)
        g_clear_pointer (&r->records, g_ptr_array_unref);
    }
  if (r->records != NULL)
    statuses = ridge_store_export_status (store, NULL, &error);
  if (statuses == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  r->status = export_status_text (statuses);
  g_task_return_pointer (task, g_steal_pointer (&r), (GDestroyNotify)local_result_free);
}

/* ---- the table ---------------------------------------------------------------------------- */

static void
show_status (RidgeEnrollmentsPage *self,
             const char           *title,
             const char           *description,
             gboolean              can_refresh)
{
  adw_status_page_set_title (self->status_page, title);
  adw_status_page_set_description (self->status_page, description);
  gtk_widget_set_visible (self->status_refresh_button, can_refresh);
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

static void
forget_rows (RidgeEnrollmentsPage *self)
{
  self->listed = FALSE;
  g_clear_pointer (&self->templates, g_ptr_array_unref);
  if (self->rows != NULL)
    g_list_store_remove_all (self->rows);
}

static RidgeEnrollmentRow *
selected_row (RidgeEnrollmentsPage *self)
{
  /* the template children are gone while the page is being disposed */
  if (self->selection == NULL)
    return NULL;
  return gtk_single_selection_get_selected_item (self->selection);
}

static gboolean
row_matches (gpointer item,
             gpointer user_data)
{
  RidgeEnrollmentsPage *self = user_data;
  RidgeEnrollmentRow *row = item;
  guint finger = gtk_drop_down_get_selected (self->finger_dropdown);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *needle = NULL;
  g_autofree char *name = NULL;
  g_autofree char *user = NULL;

  /* entry 0 is "All fingers", entry n is ISO position n */
  if (finger != 0 && finger != GTK_INVALID_LIST_POSITION
      && ridge_enrollment_row_get_finger (row) != finger)
    return FALSE;
  if (text == NULL || *text == '\0')
    return TRUE;
  needle = g_utf8_casefold (text, -1);
  name = g_utf8_casefold (ridge_enrollment_row_get_name (row), -1);
  user = g_utf8_casefold (ridge_enrollment_row_get_user_id (row), -1);
  return strstr (name, needle) != NULL || strstr (user, needle) != NULL;
}

static void
update_counts (RidgeEnrollmentsPage *self)
{
  guint total = g_list_model_get_n_items (G_LIST_MODEL (self->rows));
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
  g_autofree char *count = NULL;
  g_autofree char *text = NULL;

  count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u enrollment", "%u enrollments",
                                        total), total);
  gtk_label_set_label (self->count_label, count);
  gtk_widget_set_visible (GTK_WIDGET (self->shown_label), shown != total);
  if (shown != total)
    {
      /* Translators: rows shown by the search and finger filter, of all rows */
      text = g_strdup_printf (_ ("%u of %u shown"), shown, total);
      gtk_label_set_label (self->shown_label, text);
    }
}

static void
filter_changed_cb (RidgeEnrollmentsPage *self)
{
  GtkFilter *filter;

  if (self->filtered == NULL)
    return;
  filter = gtk_filter_list_model_get_filter (self->filtered);
  gtk_filter_changed (filter, GTK_FILTER_CHANGE_DIFFERENT);
  update_counts (self);
}

static void
selection_changed_cb (RidgeEnrollmentsPage *self)
{
  RidgeEnrollmentRow *row = selected_row (self);
  guint mask = 0;
  guint finger;
  guint n;
  g_autofree char *user = NULL;
  g_autofree char *detail = NULL;

  if (self->hands == NULL || self->user_label == NULL || self->detail_label == NULL)
    return;
  update_actions (self);
  self->syncing = TRUE;
  if (row == NULL)
    {
      ridge_hand_diagram_set_enrolled (self->hands, 0);
      ridge_hand_diagram_set_selected (self->hands, RIDGE_FINGER_NONE);
      gtk_label_set_label (self->user_label, _ ("No record selected"));
      gtk_label_set_label (self->detail_label, "");
      self->syncing = FALSE;
      return;
    }
  /* every finger this user has, on the terminal or locally */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->rows));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (RidgeEnrollmentRow) o = g_list_model_get_item (G_LIST_MODEL (self->rows), i);

      finger = ridge_enrollment_row_get_finger (o);
      if (g_strcmp0 (ridge_enrollment_row_get_user_id (o), ridge_enrollment_row_get_user_id (row))
          == 0 && finger >= 1 && finger <= RIDGE_FINGER_MAX)
        mask |= 1u << finger;
    }
  finger = ridge_enrollment_row_get_finger (row);
  ridge_hand_diagram_set_enrolled (self->hands, mask);
  ridge_hand_diagram_set_selected (self->hands, finger <= RIDGE_FINGER_MAX ? finger : 0);
  user = g_strdup_printf (_ ("Fingers of user “%s”"), ridge_enrollment_row_get_user_id (row));
  gtk_label_set_label (self->user_label, user);
  if (ridge_enrollment_row_get_on_terminal (row))
    detail = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Record %u: %u sample, quality %u.",
                                           "Record %u: %u samples, quality %u.",
                                           ridge_enrollment_row_get_samples (row)),
                              ridge_enrollment_row_get_terminal_id (row),
                              ridge_enrollment_row_get_samples (row),
                              ridge_enrollment_row_get_quality (row));
  else
    detail = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "In the local store only: %u sample, quality %u.",
                                           "In the local store only: %u samples, quality %u.",
                                           ridge_enrollment_row_get_samples (row)),
                              ridge_enrollment_row_get_samples (row),
                              ridge_enrollment_row_get_quality (row));
  gtk_label_set_label (self->detail_label, detail);
  self->syncing = FALSE;
}

/* Selects the first shown row of user_id's finger; FALSE when none is shown. */
static gboolean
select_row (RidgeEnrollmentsPage *self,
            const char           *user_id,
            guint                 finger)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sorted));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (RidgeEnrollmentRow) row = g_list_model_get_item (G_LIST_MODEL (self->sorted), i);

      if (g_strcmp0 (ridge_enrollment_row_get_user_id (row), user_id) == 0
          && ridge_enrollment_row_get_finger (row) == finger)
        {
          gtk_single_selection_set_selected (self->selection, i);
          return TRUE;
        }
    }
  return FALSE;
}

/* Clicking a finger on the diagram selects that finger's record of the same user. */
static void
finger_selected_cb (RidgeEnrollmentsPage *self)
{
  RidgeEnrollmentRow *row = selected_row (self);
  g_autofree char *user = NULL;

  if (self->syncing || row == NULL || self->hands == NULL)
    return;
  user = g_strdup (ridge_enrollment_row_get_user_id (row));
  select_row (self, user, ridge_hand_diagram_get_selected (self->hands));
}

static void
update_actions (RidgeEnrollmentsPage *self)
{
  RidgeEnrollmentRow *row = selected_row (self);
  gboolean free = self->dialog == NULL;
  gboolean on_terminal = row != NULL && ridge_enrollment_row_get_on_terminal (row);
  gboolean ready = ridge_app_item_ready (self->item);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "enrollments.delete",
                                 on_terminal && free && ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "enrollments.rename",
                                 on_terminal && free && ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "enrollments.copy",
                                 on_terminal && free && ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "enrollments.reenroll",
                                 row != NULL && free && ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "enrollments.clear",
                                 self->templates != NULL && self->templates->len > 0 && free
                                 && ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "enrollments.export",
                                 free && self->exporter == NULL && self->listed);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "enrollments.export-cancel",
                                 self->exporter != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "enrollments.keep-local",
                                 self->templates != NULL && self->templates->len > 0 && free
                                 && ready && self->busy == 0);
}

static RidgeSession *
ready_session (RidgeTerminalItem *item)
{
  GObject *session = item != NULL ? ridge_terminal_item_get_session (item) : NULL;
  RidgeSessionState state;

  if (session == NULL)
    return NULL;
  /* late heartbeats (a loaded link) still carry requests; a lost link does not */
  state = ridge_session_get_state (RIDGE_SESSION (session));
  return state == RIDGE_SESSION_READY || state == RIDGE_SESSION_DEGRADED
         ? RIDGE_SESSION (session) : NULL;
}

static void
capacity_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  RidgeEnrollmentsPage *self;
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) msg = NULL;
  RidgeWireMsg body;
  g_autofree char *text = NULL;
  guint used, capacity;

  msg = ridge_session_request_finish (RIDGE_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = RIDGE_ENROLLMENTS_PAGE (user_data);
  if (msg == NULL || !ridge_message_decode (msg, &body, &error))
    {
      /* Translators: the reason follows */
      text = g_strdup_printf (_ ("Capacity unknown: %s"), error->message);
      gtk_label_set_label (self->capacity_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->capacity_bar), FALSE);
      return;
    }
  used = body.tpl_capacity.used;
  capacity = body.tpl_capacity.capacity;
  /* Translators: records used, capacity, free places */
  text = g_strdup_printf (_ ("%u of %u places used, %u free"), used, capacity,
                          capacity > used ? capacity - used : 0);
  gtk_label_set_label (self->capacity_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->capacity_bar), capacity > 0);
  if (capacity > 0)
    {
      gtk_level_bar_set_max_value (self->capacity_bar, capacity);
      gtk_level_bar_set_value (self->capacity_bar, MIN (used, capacity));
    }
}

static void
update_capacity (RidgeEnrollmentsPage *self)
{
  RidgeSession *session = ready_session (self->item);

  if (session == NULL)
    return;
  ridge_session_request_async (session, RIDGE_MSG_TPL_CAPACITY, NULL, 0, self->cancellable,
                               capacity_cb, self);
}

static void
local_listed_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  RidgeEnrollmentsPage *self;
  g_autoptr (GError) error = NULL;
  g_autoptr (LocalResult) local = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr (GListStore) merged = NULL;
  g_autoptr (GPtrArray) items = NULL;
  g_autofree char *user = NULL;
  guint finger = 0;
  guint n;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = RIDGE_ENROLLMENTS_PAGE (user_data);
  if (local == NULL)
    {
      /* the terminal's records are still worth showing */
      /* Translators: the reason follows */
      g_autofree char *text = g_strdup_printf (_ ("The local store could not be read: %s"),
                                               error->message);

      toast (self, text);
    }
  if (selected_row (self) != NULL)
    {
      user = g_strdup (ridge_enrollment_row_get_user_id (selected_row (self)));
      finger = ridge_enrollment_row_get_finger (selected_row (self));
    }
  merged = ridge_enrollment_rows_merge (self->templates, local != NULL ? local->records : NULL,
                                        self->serial, local != NULL ? local->outbox : NULL);
  gtk_column_view_column_set_visible (self->server_column, self->server != NULL);
  if (self->exporter == NULL)
    {
      gtk_label_set_label (self->export_status_label, local != NULL ? local->status : "");
      gtk_widget_set_visible (self->export_box, local != NULL && *local->status != '\0');
    }
  n = g_list_model_get_n_items (G_LIST_MODEL (merged));
  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (items, g_list_model_get_item (G_LIST_MODEL (merged), i));
  self->listed = TRUE;
  g_list_store_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)),
                       items->pdata, items->len);
  update_counts (self);
  if (n == 0)
    {
      show_status (self, _ ("No Enrollments"),
                   _ ("No finger is enrolled on this terminal or kept in the local store."),
                   TRUE);
      update_actions (self);
      return;
    }
  gtk_stack_set_visible_child_name (self->stack, "list");
  if (user == NULL || !select_row (self, user, finger))
    gtk_single_selection_set_selected (self->selection, 0);
  selection_changed_cb (self);
}

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  RidgeEnrollmentsPage *self;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) templates = NULL;
  g_autoptr (GTask) task = NULL;
  RidgeSession *session;
  const RidgeTerminalInfo *info;
  LocalQuery *query;

  templates = ridge_terminal_item_list_templates_finish (RIDGE_TERMINAL_ITEM (source), result,
                                                         &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = RIDGE_ENROLLMENTS_PAGE (user_data);
  if (templates == NULL)
    {
      forget_rows (self);
      show_status (self, _ ("Could Not List Enrollments"), error->message, TRUE);
      return;
    }
  g_clear_pointer (&self->templates, g_ptr_array_unref);
  self->templates = g_steal_pointer (&templates);
  session = ready_session (self->item);
  info = session != NULL ? ridge_session_get_info (session) : NULL;
  g_clear_pointer (&self->serial, g_free);
  if (info != NULL && info->serial != NULL && *info->serial != '\0')
    self->serial = g_strdup (info->serial);
  update_capacity (self);

  update_servers (self);
  query = g_new0 (LocalQuery, 1);
  query->path = store_path ();
  query->server = g_strdup (self->server);
  task = g_task_new (NULL, self->cancellable, local_listed_cb, self);
  g_task_set_source_tag (task, listed_cb);
  g_task_set_task_data (task, query, (GDestroyNotify)local_query_free);
  g_task_run_in_thread (task, list_local_thread);
}

void
ridge_enrollments_page_refresh (RidgeEnrollmentsPage *self)
{
  g_return_if_fail (RIDGE_IS_ENROLLMENTS_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (!ridge_app_item_ready (self->item))
    {
      forget_rows (self);
      show_status (self, _ ("Not Connected"),
                   _ ("Connect to this terminal to list its enrollments."), FALSE);
      update_actions (self);
      return;
    }
  self->cancellable = g_cancellable_new ();
  ridge_terminal_item_list_templates_async (self->item, self->cancellable, listed_cb, self);
}

int
ridge_enrollments_page_get_n_records (RidgeEnrollmentsPage *self)
{
  g_return_val_if_fail (RIDGE_IS_ENROLLMENTS_PAGE (self), -1);
  return self->listed ? (int)g_list_model_get_n_items (G_LIST_MODEL (self->rows)) : -1;
}

GListModel *
ridge_enrollments_page_get_shown (RidgeEnrollmentsPage *self)
{
  g_return_val_if_fail (RIDGE_IS_ENROLLMENTS_PAGE (self), NULL);
  return G_LIST_MODEL (self->sorted);
}

GtkColumnView *
ridge_enrollments_page_get_column_view (RidgeEnrollmentsPage *self)
{
  g_return_val_if_fail (RIDGE_IS_ENROLLMENTS_PAGE (self), NULL);
  return self->column_view;
}

void
ridge_enrollments_page_set_filter (RidgeEnrollmentsPage *self,
                                   const char           *text,
                                   guint                 finger)
{
  g_return_if_fail (RIDGE_IS_ENROLLMENTS_PAGE (self));
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  gtk_drop_down_set_selected (self->finger_dropdown, finger <= RIDGE_FINGER_MAX ? finger : 0);
  /* the entry tells its change after a delay; the table follows at once */
  filter_changed_cb (self);
}

static void
item_state_cb (RidgeEnrollmentsPage *self)
{
  gboolean up = ridge_app_item_ready (self->item);

  /* list when the link comes up while the page is on screen; forget it when it goes */
  if (up && !self->listed && gtk_widget_get_mapped (GTK_WIDGET (self)))
    ridge_enrollments_page_refresh (self);
  else if (!up)
    ridge_enrollments_page_refresh (self);
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  ridge_enrollments_page_refresh (RIDGE_ENROLLMENTS_PAGE (widget));
}

void
ridge_enrollments_page_set_item (RidgeEnrollmentsPage *self,
                                 RidgeTerminalItem    *item)
{
  g_return_if_fail (RIDGE_IS_ENROLLMENTS_PAGE (self));
  g_return_if_fail (item == NULL || RIDGE_IS_TERMINAL_ITEM (item));

  if (self->item == item)
    return;
  if (self->item != NULL)
    g_clear_signal_handler (&self->state_handler, self->item);
  g_set_object (&self->item, item);
  forget_rows (self);
  if (item != NULL)
    self->state_handler = g_signal_connect_object (item, "notify::state",
                                                   G_CALLBACK (item_state_cb), self,
                                                   G_CONNECT_SWAPPED);
  if (item != NULL && gtk_widget_get_mapped (GTK_WIDGET (self)))
    ridge_enrollments_page_refresh (self);
  else
    show_status (self, _ ("Not Connected"),
                 _ ("Connect to this terminal to list its enrollments."), FALSE);
}

/* ---- delete, rename, clear ------------------------------------------------------------- */

typedef struct {
  RidgeEnrollmentsPage *self;     /* strong */
  char                 *done_text;
} OpData;

static void
op_data_free (OpData *d)
{
  g_object_unref (d->self);
  g_free (d->done_text);
  g_free (d);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpData, op_data_free)

static void
operation_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (OpData) d = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) msg = NULL;

  msg = ridge_session_request_finish (RIDGE_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (msg == NULL)
    {
      /* Translators: the reason follows */
      g_autofree char *text = g_strdup_printf (_ ("The terminal refused: %s"), error->message);

      toast (d->self, text);
    }
  else
    toast (d->self, d->done_text);
  ridge_enrollments_page_refresh (d->self);
}

static GCancellable *
op_cancellable (RidgeEnrollmentsPage *self)
{
  if (self->op_cancellable == NULL)
    self->op_cancellable = g_cancellable_new ();
  return self->op_cancellable;
}

/* Sends one store request; on success toasts done_text and lists the store again. */
static void
send_operation (RidgeEnrollmentsPage *self,
                guint16               type,
                const RidgeWireMsg   *body,
                const char           *done_text)
{
  RidgeSession *session = ready_session (self->item);
  OpData *d;

  if (session == NULL)
    {
      toast (self, _ ("The terminal is not connected."));
      return;
    }
  d = g_new0 (OpData, 1);
  d->self = g_object_ref (self);
  d->done_text = g_strdup (done_text);
  ridge_session_request_async (session, type, body, 0, op_cancellable (self), operation_done_cb,
                               d);
}

static const RidgeAppTemplate *
find_template (RidgeEnrollmentsPage *self,
               guint32               id)
{
  for (guint i = 0; self->templates != NULL && i < self->templates->len; i++)
    {
      const RidgeAppTemplate *t = g_ptr_array_index (self->templates, i);

      if (t->id == id)
        return t;
    }
  return NULL;
}

static const char *
finger_text (guint finger)
{
  const char *name = ridge_finger_name (finger);

  return name != NULL ? name : _ ("Unknown finger");
}

static void start_export (RidgeEnrollmentsPage *self,
                          const char           *profile,
                          const char           *user_id);
static void copy_to (RidgeEnrollmentsPage   *self,
                     const RidgeAppTemplate *t,
                     RidgeTerminalItem      *target);

static void
dialog_response_cb (RidgeEnrollmentsPage *self,
                    const char           *response,
                    AdwMessageDialog     *dialog)
{
  RidgeWireMsg body = { 0 };
  const RidgeAppTemplate *t;
  g_autofree char *text = NULL;

  if (self->dialog != dialog)
    return;
  self->dialog = NULL;
  t = find_template (self, self->target_id);
  if (g_strcmp0 (response, "delete") == 0 && t != NULL)
    {
      body.tpl_id.id = t->id;
      /* Translators: finger name, user id */
      text = g_strdup_printf (_ ("Deleted the %s of “%s”."), finger_text (t->finger), t->user_id);
      send_operation (self, RIDGE_MSG_TPL_DELETE, &body, text);
    }
  else if (g_strcmp0 (response, "rename") == 0 && t != NULL)
    {
      g_autofree char *user = g_strstrip (g_strdup (gtk_editable_get_text (self->rename_user)));
      const char *name = gtk_editable_get_text (self->rename_name);

      if (*user == '\0' || strlen (user) > RIDGE_WIRE_STR_MAX || strlen (name) > RIDGE_WIRE_STR_MAX)
        toast (self,
               _ ("The user id must be 1 to 255 bytes and the name at most 255 bytes."));
      else
        {
          body.template_info.id = t->id;
          body.template_info.user_id.ptr = user;
          body.template_info.user_id.len = strlen (user);
          body.template_info.name.ptr = name;
          body.template_info.name.len = strlen (name);
          body.template_info.finger = t->finger;
          /* Translators: record id */
          text = g_strdup_printf (_ ("Record %u renamed."), t->id);
          send_operation (self, RIDGE_MSG_TPL_UPDATE, &body, text);
        }
    }
  else if (g_strcmp0 (response, "clear") == 0)
    send_operation (self, RIDGE_MSG_TPL_CLEAR, NULL, _ ("The terminal's store was cleared."));
  else if (g_strcmp0 (response, "export") == 0 && self->export_profile != NULL)
    {
      GtkStringObject *name = gtk_drop_down_get_selected_item (self->export_profile);
      gboolean only_user = gtk_check_button_get_active (self->export_only_user);

      if (name != NULL)
        start_export (self, gtk_string_object_get_string (name),
                      only_user ? self->export_user : NULL);
    }
  else if (g_strcmp0 (response, "copy") == 0 && t != NULL && self->copy_items != NULL)
    {
      guint i = gtk_drop_down_get_selected (self->copy_target);

      if (i < self->copy_items->len)
        copy_to (self, t, g_ptr_array_index (self->copy_items, i));
    }
  self->rename_user = NULL;
  self->rename_name = NULL;
  self->copy_target = NULL;
  self->export_profile = NULL;
  self->export_only_user = NULL;
  g_clear_pointer (&self->copy_items, g_ptr_array_unref);
  update_actions (self);
}

static void
ask (RidgeEnrollmentsPage *self,
     const char           *heading,
     const char           *body,
     const char           *response,
     const char           *label,
     GtkWidget            *extra)
{
  self->dialog = ridge_app_ask (GTK_WIDGET (self), heading, body, response, label,
                                extra != NULL, extra);
  g_signal_connect_object (self->dialog, "response", G_CALLBACK (dialog_response_cb), self,
                           G_CONNECT_SWAPPED);
  update_actions (self);
}

static const RidgeAppTemplate *
selected_template (RidgeEnrollmentsPage *self)
{
  RidgeEnrollmentRow *row = selected_row (self);

  if (row == NULL || !ridge_enrollment_row_get_on_terminal (row))
    return NULL;
  return find_template (self, ridge_enrollment_row_get_terminal_id (row));
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  RidgeEnrollmentsPage *self = RIDGE_ENROLLMENTS_PAGE (widget);
  const RidgeAppTemplate *t = selected_template (self);
  g_autofree char *body = NULL;

  if (t == NULL || self->dialog != NULL)
    return;
  self->target_id = t->id;
  /* Translators: finger name, user id, record id */
  body = g_strdup_printf (_ ("The %s of “%s” (record %u) will be removed from the terminal. "
                             "This cannot be undone."), finger_text (t->finger), t->user_id,
                          t->id);
  ask (self, _ ("Delete Enrollment?"), body, "delete", _ ("_Delete"), NULL);
}

static void
rename_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  RidgeEnrollmentsPage *self = RIDGE_ENROLLMENTS_PAGE (widget);
  const RidgeAppTemplate *t = selected_template (self);
  GtkWidget *box;
  GtkWidget *user;
  GtkWidget *name;
  g_autofree char *body = NULL;

  if (t == NULL || self->dialog != NULL)
    return;
  self->target_id = t->id;
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  user = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (user), t->user_id);
  gtk_entry_set_placeholder_text (GTK_ENTRY (user), _ ("User ID"));
  gtk_entry_set_max_length (GTK_ENTRY (user), RIDGE_WIRE_STR_MAX);
  name = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (name), t->name);
  gtk_entry_set_placeholder_text (GTK_ENTRY (name), _ ("Display Name"));
  gtk_entry_set_max_length (GTK_ENTRY (name), RIDGE_WIRE_STR_MAX);
  gtk_box_append (GTK_BOX (box), user);
  gtk_box_append (GTK_BOX (box), name);
  self->rename_user = GTK_EDITABLE (user);
  self->rename_name = GTK_EDITABLE (name);
  /* Translators: record id */
  body = g_strdup_printf (_ ("New user id and display name of record %u."), t->id);
  ask (self, _ ("Rename Enrollment"), body, "rename", _ ("_Rename"), box);
}

static void
clear_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  RidgeEnrollmentsPage *self = RIDGE_ENROLLMENTS_PAGE (widget);
  g_autofree char *body = NULL;

  if (self->templates == NULL || self->templates->len == 0 || self->dialog != NULL)
    return;
  self->target_id = 0;
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "All %u enrollment on this terminal will be deleted. "
                                       "This cannot be undone.",
                                       "All %u enrollments on this terminal will be deleted. "
                                       "This cannot be undone.", self->templates->len),
                          self->templates->len);
  ask (self, _ ("Clear Terminal?"), body, "clear", _ ("C_lear"), NULL);
}

/* ---- re-enroll ------------------------------------------------------------------------- */

static void
reenroll_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  RidgeEnrollmentsPage *self = RIDGE_ENROLLMENTS_PAGE (widget);
  RidgeEnrollmentRow *row = selected_row (self);
  GtkWidget *view = gtk_widget_get_ancestor (widget, RIDGE_TYPE_TERMINAL_VIEW);
  RidgeEnrollPage *enroll;

  if (row == NULL || view == NULL)
    return;
  enroll = ridge_terminal_view_get_enroll_page (RIDGE_TERMINAL_VIEW (view));
  if (ridge_enroll_page_get_state (enroll) != RIDGE_ENROLL_IDLE)
    {
      toast (self, _ ("An enrollment is running on the Enroll page; finish or "
                      "cancel it first."));
      return;
    }
  ridge_enroll_page_set_user (enroll, ridge_enrollment_row_get_user_id (row),
                              ridge_enrollment_row_get_display_name (row));
  ridge_enroll_page_set_finger (enroll, ridge_enrollment_row_get_finger (row));
  ridge_terminal_view_set_visible_page (RIDGE_TERMINAL_VIEW (view), "enroll");
}

/* ---- copy to another terminal ---------------------------------------------------------- */

typedef struct {
  RidgeEnrollmentsPage *self;        /* strong */
  RidgeTerminalItem    *target;      /* strong */
  RidgeSession         *source;      /* strong */
  guint32               id;
  char                 *user_id;
  guint                 finger;
} CopyOp;

/* The end of a background operation: the actions it held back come back. */
static void
end_busy (RidgeEnrollmentsPage *self)
{
  self->busy--;
  update_actions (self);
  g_object_unref (self);
}

static void
copy_op_free (CopyOp *op)
{
  end_busy (op->self);
  g_object_unref (op->target);
  g_object_unref (op->source);
  g_free (op->user_id);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopyOp, copy_op_free)

static void
copy_failed (CopyOp       *op,
             const GError *error)
{
  const char *address = ridge_terminal_item_get_address (op->target);
  g_autofree char *text = NULL;

  if (g_error_matches (error, RIDGE_ERROR, RIDGE_ERROR_STORE_FULL))
    /* Translators: terminal address, the terminal's reason */
    text = g_strdup_printf (_ ("%s has no free place for this finger: %s"), address,
                            error->message);
  else if (g_error_matches (error, RIDGE_ERROR, RIDGE_ERROR_DUPLICATE))
    /* Translators: terminal address, the terminal's sentence naming the owner */
    text = g_strdup_printf (_ ("%s already holds this finger: %s"), address, error->message);
  else
    /* Translators: terminal address, the reason */
    text = g_strdup_printf (_ ("Could not copy to %s: %s"), address, error->message);
  toast (op->self, text);
}

static void
copy_put_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (CopyOp) op = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) msg = NULL;
  RidgeWireMsg body;
  g_autofree char *text = NULL;

  msg = ridge_session_request_finish (RIDGE_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (msg == NULL || !ridge_message_decode (msg, &body, &error))
    {
      copy_failed (op, error);
      return;
    }
  /* Translators: finger name, user id, terminal address, record id there */
  text = g_strdup_printf (_ ("Copied the %s of “%s” to %s (record %u there)."),
                          finger_text (op->finger), op->user_id,
                          ridge_terminal_item_get_address (op->target), body.template_info.id);
  toast (op->self, text);
}

static void
copy_got_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (CopyOp) op = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) msg = NULL;
  RidgeSession *target;
  RidgeWireMsg body;
  CopyOp *owned;

  msg = ridge_session_request_finish (RIDGE_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (msg == NULL || !ridge_message_decode (msg, &body, &error))
    {
      /* Translators: the reason follows */
      g_autofree char *text = g_strdup_printf (_ ("Could not read the record from this "
                                                  "terminal: %s"), error->message);

      toast (op->self, text);
      return;
    }
  target = ready_session (op->target);
  if (target == NULL)
    {
      g_autoptr (GError) lost = g_error_new_literal (RIDGE_ERROR, RIDGE_ERROR_NOT_CONNECTED,
                                                     _ ("The terminal is not connected."));

      copy_failed (op, lost);
      return;
    }
  /* a new record there: the target numbers it; the bytes and metadata are unchanged */
  body.template_.info.id = 0;
  owned = g_steal_pointer (&op);
  ridge_session_request_async (target, RIDGE_MSG_TPL_PUT, &body, 0,
                               op_cancellable (owned->self), copy_put_cb, owned);
}

static void
copy_listed_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (CopyOp) op = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) there = NULL;
  RidgeWireMsg body = { 0 };
  CopyOp *owned;

  there = ridge_terminal_item_list_templates_finish (RIDGE_TERMINAL_ITEM (source), result,
                                                     &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (there == NULL)
    {
      copy_failed (op, error);
      return;
    }
  /* the same user's finger already there: copying would make two records of one finger */
  for (guint i = 0; i < there->len; i++)
    {
      const RidgeAppTemplate *t = g_ptr_array_index (there, i);

      if (t->finger == op->finger && g_strcmp0 (t->user_id, op->user_id) == 0)
        {
          /* Translators: terminal address, finger name, user id, record id there */
          g_autofree char *text = g_strdup_printf (_ ("%s already has the %s of “%s” (record "
                                                      "%u); nothing was copied."),
                                                   ridge_terminal_item_get_address (op->target),
                                                   finger_text (op->finger), op->user_id,
                                                   t->id);

          toast (op->self, text);
          return;
        }
    }
  body.tpl_id.id = op->id;
  owned = g_steal_pointer (&op);
  ridge_session_request_async (owned->source, RIDGE_MSG_TPL_GET, &body, 0,
                               op_cancellable (owned->self), copy_got_cb, owned);
}

/* TPL_LIST on the target (refuses a second record of the same finger), TPL_GET here, TPL_PUT
 * there. */
static void
copy_to (RidgeEnrollmentsPage   *self,
         const RidgeAppTemplate *t,
         RidgeTerminalItem      *target)
{
  RidgeSession *source = ready_session (self->item);
  CopyOp *op;

  if (source == NULL || !ridge_app_item_ready (target))
    {
      toast (self, _ ("The terminal is not connected."));
      return;
    }
  op = g_new0 (CopyOp, 1);
  op->self = g_object_ref (self);
  op->target = g_object_ref (target);
  op->source = g_object_ref (source);
  op->id = t->id;
  op->user_id = g_strdup (t->user_id);
  op->finger = t->finger;
  self->busy++;
  update_actions (self);
  ridge_terminal_item_list_templates_async (target, op_cancellable (self), copy_listed_cb, op);
}

/* The other terminals of the window that are connected. */
static GPtrArray *
copy_targets (RidgeEnrollmentsPage *self)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), RIDGE_TYPE_WINDOW);
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *terminals;

  if (window == NULL)
    return items;
  terminals = ridge_window_get_terminals (RIDGE_WINDOW (window));
  for (guint i = 0; i < g_list_model_get_n_items (terminals); i++)
    {
      g_autoptr (RidgeTerminalItem) item = g_list_model_get_item (terminals, i);

      if (item != self->item && ridge_app_item_ready (item))
        g_ptr_array_add (items, g_steal_pointer (&item));
    }
  return items;
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  RidgeEnrollmentsPage *self = RIDGE_ENROLLMENTS_PAGE (widget);
  const RidgeAppTemplate *t = selected_template (self);
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (GtkStringList) names = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dropdown;

  if (t == NULL || self->dialog != NULL)
    return;
  items = copy_targets (self);
  if (items->len == 0)
    {
      toast (self, _ ("No other terminal is connected. Connect the terminal to "
                      "copy to in the sidebar first."));
      return;
    }
  names = gtk_string_list_new (NULL);
  for (guint i = 0; i < items->len; i++)
    gtk_string_list_append (names, ridge_terminal_item_get_address (g_ptr_array_index (items,
                                                                                       i)));
  dropdown = gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&names)), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (dropdown), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Target terminal"), -1);
  self->target_id = t->id;
  self->copy_target = GTK_DROP_DOWN (dropdown);
  g_clear_pointer (&self->copy_items, g_ptr_array_unref);
  self->copy_items = g_steal_pointer (&items);
  /* Translators: finger name, user id, record id */
  body = g_strdup_printf (_ ("The %s of “%s” (record %u) will be stored on the terminal "
                             "chosen below as well. It stays on this terminal."),
                          finger_text (t->finger), t->user_id, t->id);
  ask (self, _ ("Copy to Terminal"), body, "copy", _ ("_Copy"), dropdown);
}

gboolean
ridge_enrollments_page_set_copy_target (RidgeEnrollmentsPage *self,
                                        const char           *address)
{
  g_return_val_if_fail (RIDGE_IS_ENROLLMENTS_PAGE (self), FALSE);
  for (guint i = 0; self->copy_items != NULL && i < self->copy_items->len; i++)
    if (g_strcmp0 (ridge_terminal_item_get_address (g_ptr_array_index (self->copy_items, i)),
                   address) == 0)
      {
        gtk_drop_down_set_selected (self->copy_target, i);
        return TRUE;
      }
  return FALSE;
}

/* ---- keep a local copy ----------------------------------------------------------------- */

/* Opens (creates) the local store on this thread; a toast says why not. */
static RidgeStore *
open_store (RidgeEnrollmentsPage *self)
{
  g_autofree char *path = store_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr (GError) error = NULL;
  RidgeStore *store;

  /* the store holds biometric templates: its folder is the user's alone */
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      /* Translators: folder, the system's reason */
      g_autofree char *text = g_strdup_printf (_ ("Could not create %s: %s"), dir,
                                               g_strerror (errno));

      toast (self, text);
      return NULL;
    }
  store = ridge_store_new (path, &error);
  if (store == NULL)
    {
      /* Translators: the reason follows */
      g_autofree char *text = g_strdup_printf (_ ("The local store could not be opened: %s"),
                                               error->message);

      toast (self, text);
    }
  return store;
}

typedef struct {
  RidgeEnrollmentsPage *self;   /* strong */
  RidgeStore           *store;  /* strong */
} KeepOp;

static void
keep_op_free (KeepOp *op)
{
  end_busy (op->self);
  g_object_unref (op->store);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KeepOp, keep_op_free)

static void
kept_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (KeepOp) op = user_data;
  g_autoptr (GError) error = NULL;
  RidgeStoreSyncStats stats = { 0 };
  g_autofree char *text = NULL;

  if (!ridge_store_sync_download_finish (RIDGE_STORE (source), result, &stats, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Translators: the reason follows */
      text = g_strdup_printf (_ ("The local copy failed: %s"), error->message);
    }
  else if (stats.conflicts > 0 || stats.failed > 0)
    /* Translators: counts of records */
    text = g_strdup_printf (_ ("Local copy: %u new, %u updated, %u changed on both sides "
                               "(left alone), %u failed."), stats.added, stats.updated,
                            stats.conflicts, stats.failed);
  else
    /* Translators: counts of records */
    text = g_strdup_printf (_ ("Local copy: %u new, %u updated, %u unchanged."), stats.added,
                            stats.updated, stats.unchanged);
  toast (op->self, text);
  ridge_enrollments_page_refresh (op->self);
}

static void
keep_local_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  RidgeEnrollmentsPage *self = RIDGE_ENROLLMENTS_PAGE (widget);
  RidgeSession *session = ready_session (self->item);
  RidgeStore *store;
  KeepOp *op;

  if (session == NULL || self->busy > 0)
    return;
  store = open_store (self);
  if (store == NULL)
    return;
  op = g_new0 (KeepOp, 1);
  op->self = g_object_ref (self);
  op->store = store;
  self->busy++;
  update_actions (self);
  ridge_store_sync_download_async (store, session, g_get_real_name (), op_cancellable (self),
                                   kept_cb, op);
}

/* ---- export to a server --------------------------------------------------------------- */

/* The export profiles: the Server column follows the last one exported to, else the first. */
static void
update_servers (RidgeEnrollmentsPage *self)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) names = ridge_export_profile_list (&error);

  /* without the profiles' settings schema there is nothing to export to */
  gtk_widget_set_visible (self->export_button, names != NULL);
  if (names == NULL || names[0] == NULL)
    g_clear_pointer (&self->server, g_free);
  else if (self->server == NULL || !g_strv_contains ((const char * const *)names, self->server))
    {
      g_free (self->server);
      self->server = g_strdup (names[0]);
    }
}

static void
export_progress_cb (RidgeEnrollmentsPage     *self,
                    const RidgeExportSummary *summary)
{
  g_autofree char *text = NULL;

  if (self->exporter == NULL)
    return;
  if (summary->total > 0)
    gtk_progress_bar_set_fraction (self->export_progress,
                                   MIN (1.0, (double)summary->sent / summary->total));
  else
    gtk_progress_bar_pulse (self->export_progress);
  /* Translators: templates with an answer from the server, of all to send */
  text = g_strdup_printf (_ ("%u of %u"), (guint)summary->sent, (guint)summary->total);
  gtk_progress_bar_set_text (self->export_progress, text);
  g_clear_pointer (&text, g_free);
  if (summary->retry_in_ms > 0)
    /* Translators: seconds, the reason of the failed attempt */
    text = g_strdup_printf (_ ("The server did not answer; trying again in %u s (%s)."),
                            (summary->retry_in_ms + 999) / 1000,
                            summary->last_error != NULL ? summary->last_error : "");
  else
    /* Translators: server profile, counts of templates */
    text = g_strdup_printf (_ ("Exporting to “%s”: %u created, %u already there, %u refused."),
                            ridge_exporter_get_profile (self->exporter)->name,
                            (guint)summary->created, (guint)summary->replayed,
                            (guint)(summary->duplicates + summary->rejected
                                    + summary->conflicts));
  gtk_label_set_label (self->export_status_label, text);
}

static void
export_done (RidgeEnrollmentsPage *self)
{
  g_clear_object (&self->exporter);
  g_clear_object (&self->export_cancellable);
  gtk_widget_set_visible (GTK_WIDGET (self->export_progress), FALSE);
  gtk_widget_set_visible (self->export_cancel_button, FALSE);
  update_actions (self);
  ridge_enrollments_page_refresh (self);
}

static void
exported_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (RidgeEnrollmentsPage) self = user_data;
  RidgeExporter *exporter = RIDGE_EXPORTER (source);
  g_autoptr (GError) error = NULL;
  RidgeExportSummary summary = { 0 };
  g_autofree char *text = NULL;
  const char *name = ridge_exporter_get_profile (exporter)->name;
  guint refused;

  ridge_exporter_run_finish (exporter, result, &summary, &error);
  refused = (guint)(summary.duplicates + summary.rejected + summary.conflicts);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    /* Translators: count of templates */
    text = g_strdup_printf (_ ("Export stopped; %u templates stay queued for the next one."),
                            (guint)summary.remaining);
  else if (error != NULL)
    /* Translators: server profile, the reason, count of templates */
    text = g_strdup_printf (_ ("The export to “%s” stopped: %s (%u templates stay queued)."),
                            name, error->message, (guint)summary.remaining);
  else
    /* Translators: server profile, counts of templates */
    text = g_strdup_printf (_ ("Export to “%s” done: %u created, %u already there, %u refused."),
                            name, (guint)summary.created, (guint)summary.replayed, refused);
  ridge_export_summary_clear (&summary);
  /* a disposed page has no exporter any more: nothing to show */
  if (self->exporter == exporter)
    {
      toast (self, text);
      export_done (self);
    }
}

typedef struct {
  RidgeEnrollmentsPage *self;     /* strong */
  RidgeExportProfile   *profile;
  char                 *user_id;  /* NULL: every template */
} ExportStart;

static void
export_start_free (ExportStart *st)
{
  g_object_unref (st->self);
  ridge_export_profile_free (st->profile);
  g_free (st->user_id);
  g_free (st);
}

/* The token lookup may wait on the keyring over D-Bus: not on the main thread. */
static void
token_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  const ExportStart *st = task_data;
  g_autoptr (GError) error = NULL;
  char *token = ridge_secret_lookup (st->profile->name, NULL, &error);

  if (token == NULL && error == NULL)
    /* Translators: server profile, twice */
    g_set_error (&error, RIDGE_EXPORT_ERROR, RIDGE_EXPORT_ERROR_NO_TOKEN,
                 _ ("No token is stored for the server “%s”. Enter one in Preferences → "
                    "Servers (Ctrl+,) or store it with “ridgectl export token set %s”."),
                 st->profile->name, st->profile->name);
  if (token == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, token, g_free);
}

static void
token_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  ExportStart *st = g_task_get_task_data (G_TASK (result));
  RidgeEnrollmentsPage *self = st->self;
  g_autoptr (GError) error = NULL;
  g_autofree char *token = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr (RidgeStore) store = NULL;
  const char *users[] = { st->user_id, NULL };
  g_autofree char *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (token == NULL)
    {
      toast (self, error->message);
      export_done (self);
      return;
    }
  store = open_store (self);
  if (store == NULL)
    {
      export_done (self);
      return;
    }
  g_free (self->server);
  self->server = g_strdup (st->profile->name);
  self->exporter = ridge_exporter_new (store, st->profile, token);
  g_signal_connect_object (self->exporter, "progress", G_CALLBACK (export_progress_cb), self,
                           G_CONNECT_SWAPPED);
  /* Translators: server profile */
  text = g_strdup_printf (_ ("Exporting to “%s”…"), st->profile->name);
  gtk_label_set_label (self->export_status_label, text);
  gtk_progress_bar_set_fraction (self->export_progress, 0);
  gtk_progress_bar_set_text (self->export_progress, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->export_progress), TRUE);
  gtk_widget_set_visible (self->export_cancel_button, TRUE);
  update_actions (self);
  ridge_exporter_run_async (self->exporter,
                            st->user_id != NULL ? RIDGE_EXPORT_QUEUE_USERS
                                                : RIDGE_EXPORT_QUEUE_ALL,
                            st->user_id != NULL ? users : NULL, FALSE,
                            self->export_cancellable, exported_cb, g_object_ref (self));
}

static void
start_export (RidgeEnrollmentsPage *self,
              const char           *profile,
              const char           *user_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GTask) task = NULL;
  ExportStart *st;
  RidgeExportProfile *p = ridge_export_profile_load (profile, &error);

  if (p == NULL)
    {
      toast (self, error->message);
      return;
    }
  st = g_new0 (ExportStart, 1);
  st->self = g_object_ref (self);
  st->profile = p;
  st->user_id = g_strdup (user_id);
  self->export_cancellable = g_cancellable_new ();
  gtk_widget_set_visible (self->export_box, TRUE);
  task = g_task_new (NULL, self->export_cancellable, token_cb, NULL);
  g_task_set_source_tag (task, start_export);
  g_task_set_task_data (task, st, (GDestroyNotify)export_start_free);
  g_task_run_in_thread (task, token_thread);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  RidgeEnrollmentsPage *self = RIDGE_ENROLLMENTS_PAGE (widget);
  RidgeEnrollmentRow *row = selected_row (self);
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) names = ridge_export_profile_list (&error);
  g_autofree char *only = NULL;
  GtkWidget *box, *all, *user, *dropdown;
  guint chosen = 0;

  if (self->dialog != NULL || self->export_cancellable != NULL)
    return;
  if (names == NULL || names[0] == NULL)
    {
      toast (self, error != NULL ? error->message
                                 : _ ("No export server is set up. Add one in Preferences → "
                                      "Servers (Ctrl+,) or with “ridgectl export profile add "
                                      "NAME URL”."));
      return;
    }
  for (guint i = 0; names[i] != NULL; i++)
    if (g_strcmp0 (names[i], self->server) == 0)
      chosen = i;
  dropdown = gtk_drop_down_new_from_strings ((const char * const *)names);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), chosen);
  gtk_accessible_update_property (GTK_ACCESSIBLE (dropdown), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Server"), -1);
  all = gtk_check_button_new_with_label (_ ("Every template in the local store"));
  g_clear_pointer (&self->export_user, g_free);
  if (row != NULL && ridge_enrollment_row_get_on_local (row))
    self->export_user = g_strdup (ridge_enrollment_row_get_user_id (row));
  /* Translators: a user id */
  only = self->export_user != NULL
         ? g_strdup_printf (_ ("Only the templates of “%s”"), self->export_user)
         : g_strdup (_ ("Only the selected user (not in the local store)"));
  user = gtk_check_button_new_with_label (only);
  gtk_check_button_set_group (GTK_CHECK_BUTTON (user), GTK_CHECK_BUTTON (all));
  gtk_widget_set_sensitive (user, self->export_user != NULL);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (all), TRUE);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_box_append (GTK_BOX (box), dropdown);
  gtk_box_append (GTK_BOX (box), all);
  gtk_box_append (GTK_BOX (box), user);
  self->export_profile = GTK_DROP_DOWN (dropdown);
  self->export_only_user = GTK_CHECK_BUTTON (user);
  ask (self, _ ("Export to Server"),
       _ ("The templates are queued in the local store first, then sent; a template the server "
          "already holds is not stored twice. Records only on the terminal need a local copy "
          "first."), "export", _ ("E_xport"), box);
}

static void
export_cancel_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  g_cancellable_cancel (RIDGE_ENROLLMENTS_PAGE (widget)->export_cancellable);
}

gboolean
ridge_enrollments_page_set_export_choice (RidgeEnrollmentsPage *self,
                                          const char           *profile,
                                          gboolean              only_user)
{
  GListModel *names;

  g_return_val_if_fail (RIDGE_IS_ENROLLMENTS_PAGE (self), FALSE);
  if (self->export_profile == NULL)
    return FALSE;
  names = gtk_drop_down_get_model (self->export_profile);
  gtk_check_button_set_active (self->export_only_user, only_user);
  for (guint i = 0; i < g_list_model_get_n_items (names); i++)
    {
      g_autoptr (GtkStringObject) name = g_list_model_get_item (names, i);

      if (g_str_equal (gtk_string_object_get_string (name), profile))
        {
          gtk_drop_down_set_selected (self->export_profile, i);
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
ridge_enrollments_page_is_exporting (RidgeEnrollmentsPage *self)
{
  g_return_val_if_fail (RIDGE_IS_ENROLLMENTS_PAGE (self), FALSE);
  return self->export_cancellable != NULL;
}

const char *
ridge_enrollments_page_get_export_status (RidgeEnrollmentsPage *self)
{
  g_return_val_if_fail (RIDGE_IS_ENROLLMENTS_PAGE (self), NULL);
  return gtk_label_get_label (self->export_status_label);
}

/* Profiles added or removed elsewhere (Preferences, ridgectl): the Server column follows when
 * its server changes. */
static void
profiles_changed_cb (RidgeEnrollmentsPage *self)
{
  g_autofree char *before = g_strdup (self->server);

  update_servers (self);
  if (g_strcmp0 (before, self->server) != 0 && gtk_widget_get_mapped (GTK_WIDGET (self))
      && self->export_cancellable == NULL)
    ridge_enrollments_page_refresh (self);
}

/* ---- tests and the window ------------------------------------------------------------- */

AdwMessageDialog *
ridge_enrollments_page_get_dialog (RidgeEnrollmentsPage *self)
{
  g_return_val_if_fail (RIDGE_IS_ENROLLMENTS_PAGE (self), NULL);
  return self->dialog;
}

gboolean
ridge_enrollments_page_select (RidgeEnrollmentsPage *self,
                               const char           *user_id,
                               guint                 finger)
{
  g_return_val_if_fail (RIDGE_IS_ENROLLMENTS_PAGE (self), FALSE);
  return select_row (self, user_id, finger);
}

void
ridge_enrollments_page_set_rename (RidgeEnrollmentsPage *self,
                                   const char           *user_id,
                                   const char           *name)
{
  g_return_if_fail (RIDGE_IS_ENROLLMENTS_PAGE (self));
  if (self->rename_user == NULL)
    return;
  gtk_editable_set_text (self->rename_user, user_id);
  gtk_editable_set_text (self->rename_name, name);
}

RidgeEnrollmentRow *
ridge_enrollments_page_get_selected (RidgeEnrollmentsPage *self)
{
  g_return_val_if_fail (RIDGE_IS_ENROLLMENTS_PAGE (self), NULL);
  return selected_row (self);
}

const char *
ridge_enrollments_page_get_last_message (RidgeEnrollmentsPage *self)
{
  g_return_val_if_fail (RIDGE_IS_ENROLLMENTS_PAGE (self), NULL);
  return self->last_message != NULL ? self->last_message : "";
}

guint
ridge_enrollments_page_get_busy (RidgeEnrollmentsPage *self)
{
  g_return_val_if_fail (RIDGE_IS_ENROLLMENTS_PAGE (self), 0);
  return self->busy;
}

static void
ridge_enrollments_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (ridge_enrollments_page_parent_class)->map (widget);
  ridge_enrollments_page_refresh (RIDGE_ENROLLMENTS_PAGE (widget));
}

static void
ridge_enrollments_page_dispose (GObject *object)
{
  RidgeEnrollmentsPage *self = RIDGE_ENROLLMENTS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->op_cancellable);
  g_clear_object (&self->op_cancellable);
  if (self->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (g_steal_pointer (&self->dialog)));
  g_clear_pointer (&self->copy_items, g_ptr_array_unref);
  g_cancellable_cancel (self->export_cancellable);
  g_clear_object (&self->export_cancellable);
  g_clear_object (&self->exporter);
  g_clear_object (&self->profiles);
  g_clear_pointer (&self->server, g_free);
  g_clear_pointer (&self->export_user, g_free);
  if (self->item != NULL)
    g_clear_signal_handler (&self->state_handler, self->item);
  g_clear_object (&self->item);
  g_clear_pointer (&self->templates, g_ptr_array_unref);
  g_clear_pointer (&self->serial, g_free);
  if (self->column_view != NULL)
    gtk_column_view_set_model (self->column_view, NULL);
  g_clear_object (&self->selection);
  g_clear_object (&self->sorted);
  g_clear_object (&self->filtered);
  g_clear_object (&self->rows);
  /* AdwBin unparents its child in its own dispose; the template child must go first */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), RIDGE_TYPE_ENROLLMENTS_PAGE);
  G_OBJECT_CLASS (ridge_enrollments_page_parent_class)->dispose (object);
}

static void
ridge_enrollments_page_finalize (GObject *object)
{
  g_free (RIDGE_ENROLLMENTS_PAGE (object)->last_message);
  G_OBJECT_CLASS (ridge_enrollments_page_parent_class)->finalize (object);
}

static void
ridge_enrollments_page_class_init (RidgeEnrollmentsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ridge_enrollments_page_dispose;
  object_class->finalize = ridge_enrollments_page_finalize;
  widget_class->map = ridge_enrollments_page_map;

  g_type_ensure (RIDGE_TYPE_HAND_DIAGRAM);
  g_type_ensure (RIDGE_TYPE_ENROLLMENT_ROW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/ridge/Ridge/ui/ridge-enrollments-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage,
                                        status_refresh_button);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage, finger_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage, capacity_bar);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage, capacity_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage, name_column);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage, server_column);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage, shown_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage, user_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage, hands);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage, detail_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage, export_box);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage, export_status_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage, export_progress);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage,
                                        export_cancel_button);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage, export_button);
  gtk_widget_class_bind_template_callback (widget_class, filter_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, finger_selected_cb);
  gtk_widget_class_install_action (widget_class, "enrollments.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "enrollments.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "enrollments.rename", NULL, rename_action);
  gtk_widget_class_install_action (widget_class, "enrollments.clear", NULL, clear_action);
  gtk_widget_class_install_action (widget_class, "enrollments.reenroll", NULL, reenroll_action);
  gtk_widget_class_install_action (widget_class, "enrollments.copy", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "enrollments.keep-local", NULL,
                                   keep_local_action);
  gtk_widget_class_install_action (widget_class, "enrollments.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "enrollments.export-cancel", NULL,
                                   export_cancel_action);
}

static void
ridge_enrollments_page_init (RidgeEnrollmentsPage *self)
{
  g_autoptr (GtkStringList) fingers = gtk_string_list_new (NULL);
  g_autoptr (GSettingsSchema) schema = NULL;
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  GtkCustomFilter *filter;

  gtk_widget_init_template (GTK_WIDGET (self));

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, "org.ridge.Ridge", TRUE);
  if (schema != NULL && g_settings_schema_has_key (schema, "server-profiles"))
    {
      self->profiles = g_settings_new_full (schema, NULL, NULL);
      g_signal_connect_object (self->profiles, "changed::server-profiles",
                               G_CALLBACK (profiles_changed_cb), self, G_CONNECT_SWAPPED);
    }

  gtk_string_list_append (fingers, _ ("All fingers"));
  for (guint f = 1; f <= RIDGE_FINGER_MAX; f++)
    gtk_string_list_append (fingers, ridge_finger_name (f));
  gtk_drop_down_set_model (self->finger_dropdown, G_LIST_MODEL (fingers));

  /* rows → filter (search, finger) → sort (the view's column sorter) → selection → view */
  self->rows = g_list_store_new (RIDGE_TYPE_ENROLLMENT_ROW);
  filter = gtk_custom_filter_new (row_matches, self, NULL);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->rows)),
                                              GTK_FILTER (filter));
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->filtered)),
                                          g_object_ref (gtk_column_view_get_sorter (
                                                          self->column_view)));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->sorted)));
  gtk_single_selection_set_autoselect (self->selection, TRUE);
  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  /* by name until the user picks a column */
  gtk_column_view_sort_by_column (self->column_view, self->name_column, GTK_SORT_ASCENDING);
  /* export states come with a server to export to */
  gtk_column_view_column_set_visible (self->server_column, FALSE);
  update_actions (self);
  show_status (self, _ ("Not Connected"),
               _ ("Connect to this terminal to list its enrollments."), FALSE);
}

GtkWidget *
ridge_enrollments_page_new (void)
{
  return g_object_new (RIDGE_TYPE_ENROLLMENTS_PAGE, NULL);
}
