/* ridge-enrollments-page.c — the template store of one terminal, by user and finger
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-enrollments-page"

#include "config.h"

#include "ridge-enrollments-page.h"

#include <glib/gi18n.h>

#include "core/ridge-session.h"
#include "ridge-hand-diagram.h"

struct _RidgeEnrollmentsPage {
  AdwBin parent_instance;

  GtkStack         *stack;
  AdwStatusPage    *status_page;
  GtkWidget        *status_refresh_button;
  GtkLabel         *count_label;
  GtkListBox       *list;
  GtkLabel         *user_label;
  RidgeHandDiagram *hands;
  GtkLabel         *detail_label;
  GtkLabel         *capacity_label;

  RidgeTerminalItem *item;
  gulong             state_handler;
  GCancellable      *cancellable;
  GPtrArray         *templates;        /* RidgeAppTemplate, in list order */
  gboolean           syncing;
  GCancellable      *op_cancellable;   /* delete, rename, clear, capacity */
  AdwMessageDialog  *dialog;           /* the open question, if any */
  GtkEditable       *rename_user;
  GtkEditable       *rename_name;
  guint32            target_id;        /* the record the open question is about */
};

G_DEFINE_FINAL_TYPE (RidgeEnrollmentsPage, ridge_enrollments_page, ADW_TYPE_BIN);

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

static const RidgeAppTemplate *
selected_template (RidgeEnrollmentsPage *self)
{
  GtkListBoxRow *row;
  int i;

  /* the template children are gone while the page is being disposed */
  if (self->list == NULL)
    return NULL;
  row = gtk_list_box_get_selected_row (self->list);
  i = row != NULL ? gtk_list_box_row_get_index (row) : -1;

  if (self->templates == NULL || i < 0 || (guint)i >= self->templates->len)
    return NULL;
  return g_ptr_array_index (self->templates, i);
}

static void update_actions (RidgeEnrollmentsPage *self);

static void
row_selected_cb (RidgeEnrollmentsPage *self,
                 GtkListBoxRow        *row)
{
  const RidgeAppTemplate *t = selected_template (self);
  guint mask = 0;
  g_autofree char *user = NULL;
  g_autofree char *detail = NULL;

  if (self->hands == NULL || self->user_label == NULL || self->detail_label == NULL)
    return;
  update_actions (self);
  self->syncing = TRUE;
  if (t == NULL)
    {
      ridge_hand_diagram_set_enrolled (self->hands, 0);
      ridge_hand_diagram_set_selected (self->hands, RIDGE_FINGER_NONE);
      gtk_label_set_label (self->user_label, _ ("No record selected"));
      gtk_label_set_label (self->detail_label, "");
      self->syncing = FALSE;
      return;
    }
  /* every finger this user has enrolled */
  for (guint i = 0; i < self->templates->len; i++)
    {
      const RidgeAppTemplate *o = g_ptr_array_index (self->templates, i);

      if (g_strcmp0 (o->user_id, t->user_id) == 0 && o->finger >= 1
          && o->finger <= RIDGE_FINGER_MAX)
        mask |= 1u << o->finger;
    }
  ridge_hand_diagram_set_enrolled (self->hands, mask);
  ridge_hand_diagram_set_selected (self->hands, t->finger <= RIDGE_FINGER_MAX ? t->finger : 0);
  user = g_strdup_printf (_ ("Fingers of user “%s”"), t->user_id);
  gtk_label_set_label (self->user_label, user);
  detail = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Record %u: %u sample, quality %u.",
                                         "Record %u: %u samples, quality %u.", t->samples),
                            t->id, t->samples, t->quality);
  gtk_label_set_label (self->detail_label, detail);
  self->syncing = FALSE;
}

/* Clicking a finger on the diagram selects that finger's record of the same user. */
static void
finger_selected_cb (RidgeEnrollmentsPage *self)
{
  const RidgeAppTemplate *t = selected_template (self);
  guint finger;

  if (self->syncing || t == NULL || self->hands == NULL)
    return;
  finger = ridge_hand_diagram_get_selected (self->hands);
  for (guint i = 0; i < self->templates->len; i++)
    {
      const RidgeAppTemplate *o = g_ptr_array_index (self->templates, i);

      if (g_strcmp0 (o->user_id, t->user_id) == 0 && o->finger == finger)
        {
          gtk_list_box_select_row (self->list, gtk_list_box_get_row_at_index (self->list, i));
          return;
        }
    }
}

static GtkWidget *
create_row (const RidgeAppTemplate *t)
{
  GtkWidget *row = adw_action_row_new ();
  const char *finger = ridge_finger_name (t->finger);
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autoptr (GDateTime) created = g_date_time_new_from_unix_local (t->created_unix_ms / 1000);
  g_autofree char *when = created != NULL ? g_date_time_format (created, "%Y-%m-%d %H:%M")
                                          : g_strdup ("—");

  title = g_strdup (*t->name != '\0' ? t->name : t->user_id);
  /* Translators: finger, user id, date of enrollment */
  subtitle = g_strdup_printf (_ ("%s · user %s · enrolled %s"),
                              finger != NULL ? finger : _ ("Unknown finger"), t->user_id, when);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  return row;
}

static void
update_actions (RidgeEnrollmentsPage *self)
{
  gboolean has = selected_template (self) != NULL && self->dialog == NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "enrollments.delete", has);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "enrollments.rename", has);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "enrollments.clear",
                                 self->templates != NULL && self->templates->len > 0
                                 && self->dialog == NULL);
}

static RidgeSession *
ready_session (RidgeEnrollmentsPage *self)
{
  GObject *session = self->item != NULL ? ridge_terminal_item_get_session (self->item) : NULL;

  if (session == NULL || ridge_session_get_state (RIDGE_SESSION (session)) != RIDGE_SESSION_READY)
    return NULL;
  return RIDGE_SESSION (session);
}

static void
toast (RidgeEnrollmentsPage *self,
       const char           *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
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

  msg = ridge_session_request_finish (RIDGE_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = RIDGE_ENROLLMENTS_PAGE (user_data);
  if (msg == NULL || !ridge_message_decode (msg, &body, &error))
    {
      /* Translators: the reason follows */
      text = g_strdup_printf (_ ("Capacity unknown: %s"), error->message);
      gtk_label_set_label (self->capacity_label, text);
      return;
    }
  /* Translators: records used, capacity, free places */
  text = g_strdup_printf (_ ("%u of %u places used, %u free"), body.tpl_capacity.used,
                          body.tpl_capacity.capacity,
                          body.tpl_capacity.capacity > body.tpl_capacity.used
                          ? body.tpl_capacity.capacity - body.tpl_capacity.used : 0);
  gtk_label_set_label (self->capacity_label, text);
}

static void
update_capacity (RidgeEnrollmentsPage *self)
{
  RidgeSession *session = ready_session (self);

  if (session == NULL)
    return;
  ridge_session_request_async (session, RIDGE_MSG_TPL_CAPACITY, NULL, 0, self->cancellable,
                               capacity_cb, self);
}

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  RidgeEnrollmentsPage *self;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) templates = NULL;
  g_autofree char *count = NULL;

  templates = ridge_terminal_item_list_templates_finish (RIDGE_TERMINAL_ITEM (source), result,
                                                         &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = RIDGE_ENROLLMENTS_PAGE (user_data);
  if (templates == NULL)
    {
      show_status (self, _ ("Could Not List Enrollments"), error->message, TRUE);
      return;
    }
  g_clear_pointer (&self->templates, g_ptr_array_unref);
  self->templates = g_steal_pointer (&templates);
  /* gtk_list_box_remove_all() needs GTK 4.12 */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL;)
    gtk_list_box_remove (self->list, child);
  if (self->templates->len == 0)
    {
      show_status (self, _ ("No Enrollments"),
                   _ ("No finger is enrolled on this terminal yet."), TRUE);
      update_actions (self);
      return;
    }
  for (guint i = 0; i < self->templates->len; i++)
    gtk_list_box_append (self->list, create_row (g_ptr_array_index (self->templates, i)));
  count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u enrollment", "%u enrollments",
                                        self->templates->len),
                           self->templates->len);
  gtk_label_set_label (self->count_label, count);
  gtk_stack_set_visible_child_name (self->stack, "list");
  update_capacity (self);
  gtk_list_box_select_row (self->list, gtk_list_box_get_row_at_index (self->list, 0));
}

void
ridge_enrollments_page_refresh (RidgeEnrollmentsPage *self)
{
  RidgeTerminalState state;

  g_return_if_fail (RIDGE_IS_ENROLLMENTS_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  state = self->item != NULL ? ridge_terminal_item_get_state (self->item)
                             : RIDGE_TERMINAL_STATE_DISCONNECTED;
  if (state != RIDGE_TERMINAL_STATE_READY && state != RIDGE_TERMINAL_STATE_DEGRADED)
    {
      g_clear_pointer (&self->templates, g_ptr_array_unref);
      show_status (self, _ ("Not Connected"),
                   _ ("Connect to this terminal to list its enrollments."), FALSE);
      return;
    }
  self->cancellable = g_cancellable_new ();
  ridge_terminal_item_list_templates_async (self->item, self->cancellable, listed_cb, self);
}

int
ridge_enrollments_page_get_n_records (RidgeEnrollmentsPage *self)
{
  g_return_val_if_fail (RIDGE_IS_ENROLLMENTS_PAGE (self), -1);
  return self->templates != NULL ? (int)self->templates->len : -1;
}

static void
item_state_cb (RidgeEnrollmentsPage *self)
{
  RidgeTerminalState state = ridge_terminal_item_get_state (self->item);
  gboolean up = state == RIDGE_TERMINAL_STATE_READY || state == RIDGE_TERMINAL_STATE_DEGRADED;

  /* list when the link comes up while the page is on screen; forget it when it goes */
  if (up && self->templates == NULL && gtk_widget_get_mapped (GTK_WIDGET (self)))
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
  g_clear_pointer (&self->templates, g_ptr_array_unref);
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

/* ---- delete, rename, clear ---------------------------------------------------------- */

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

/* Sends one store request; on success toasts done_text and lists the store again. */
static void
send_operation (RidgeEnrollmentsPage *self,
                guint16               type,
                const RidgeWireMsg   *body,
                const char           *done_text)
{
  RidgeSession *session = ready_session (self);
  OpData *d;

  if (session == NULL)
    {
      toast (self, _ ("The terminal is not connected."));
      return;
    }
  if (self->op_cancellable == NULL)
    self->op_cancellable = g_cancellable_new ();
  d = g_new0 (OpData, 1);
  d->self = g_object_ref (self);
  d->done_text = g_strdup (done_text);
  ridge_session_request_async (session, type, body, 0, self->op_cancellable, operation_done_cb,
                               d);
}

static void
dialog_response_cb (RidgeEnrollmentsPage *self,
                    const char           *response,
                    AdwMessageDialog     *dialog)
{
  RidgeWireMsg body = { 0 };
  const RidgeAppTemplate *t = NULL;
  g_autofree char *text = NULL;

  if (self->dialog != dialog)
    return;
  self->dialog = NULL;
  for (guint i = 0; self->templates != NULL && i < self->templates->len; i++)
    {
      const RidgeAppTemplate *o = g_ptr_array_index (self->templates, i);

      if (o->id == self->target_id)
        t = o;
    }
  if (g_strcmp0 (response, "delete") == 0 && t != NULL)
    {
      body.tpl_id.id = t->id;
      /* Translators: finger name, user id */
      text = g_strdup_printf (_ ("Deleted the %s of “%s”."), ridge_finger_name (t->finger) != NULL
                              ? ridge_finger_name (t->finger) : _ ("Unknown finger"),
                              t->user_id);
      send_operation (self, RIDGE_MSG_TPL_DELETE, &body, text);
    }
  else if (g_strcmp0 (response, "rename") == 0 && t != NULL)
    {
      g_autofree char *user = g_strstrip (g_strdup (gtk_editable_get_text (self->rename_user)));
      const char *name = gtk_editable_get_text (self->rename_name);

      if (*user == '\0' || strlen (user) > RIDGE_WIRE_STR_MAX || strlen (name) > RIDGE_WIRE_STR_MAX)
        toast (self, _ ("The user id must be 1 to 255 bytes and the name at most 255 bytes."));
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
  self->rename_user = NULL;
  self->rename_name = NULL;
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
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                              heading, body);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _ ("_Cancel"), response, label, NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), response,
                                              extra != NULL ? ADW_RESPONSE_SUGGESTED
                                                            : ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog),
                                           extra != NULL ? response : "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  if (extra != NULL)
    adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), extra);
  g_signal_connect_object (dialog, "response", G_CALLBACK (dialog_response_cb), self,
                           G_CONNECT_SWAPPED);
  self->dialog = ADW_MESSAGE_DIALOG (dialog);
  update_actions (self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  RidgeEnrollmentsPage *self = RIDGE_ENROLLMENTS_PAGE (widget);
  const RidgeAppTemplate *t = selected_template (self);
  g_autofree char *body = NULL;
  const char *finger;

  if (t == NULL || self->dialog != NULL)
    return;
  finger = ridge_finger_name (t->finger);
  self->target_id = t->id;
  /* Translators: finger name, user id, record id */
  body = g_strdup_printf (_ ("The %s of “%s” (record %u) will be removed from the terminal. "
                             "This cannot be undone."),
                          finger != NULL ? finger : _ ("Unknown finger"), t->user_id, t->id);
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

  for (guint i = 0; self->templates != NULL && i < self->templates->len; i++)
    {
      const RidgeAppTemplate *t = g_ptr_array_index (self->templates, i);

      if (g_strcmp0 (t->user_id, user_id) == 0 && t->finger == finger)
        {
          gtk_list_box_select_row (self->list, gtk_list_box_get_row_at_index (self->list, i));
          return TRUE;
        }
    }
  return FALSE;
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
  if (self->item != NULL)
    g_clear_signal_handler (&self->state_handler, self->item);
  g_clear_object (&self->item);
  g_clear_pointer (&self->templates, g_ptr_array_unref);
  /* AdwBin unparents its child in its own dispose; the template child must go first */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), RIDGE_TYPE_ENROLLMENTS_PAGE);
  G_OBJECT_CLASS (ridge_enrollments_page_parent_class)->dispose (object);
}

static void
ridge_enrollments_page_class_init (RidgeEnrollmentsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ridge_enrollments_page_dispose;
  widget_class->map = ridge_enrollments_page_map;

  g_type_ensure (RIDGE_TYPE_HAND_DIAGRAM);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/ridge/Ridge/ui/ridge-enrollments-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage,
                                        status_refresh_button);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage, list);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage, user_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage, hands);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage, detail_label);
  gtk_widget_class_bind_template_callback (widget_class, row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, finger_selected_cb);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollmentsPage, capacity_label);
  gtk_widget_class_install_action (widget_class, "enrollments.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "enrollments.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "enrollments.rename", NULL, rename_action);
  gtk_widget_class_install_action (widget_class, "enrollments.clear", NULL, clear_action);
}

static void
ridge_enrollments_page_init (RidgeEnrollmentsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update_actions (self);
  show_status (self, _ ("Not Connected"),
               _ ("Connect to this terminal to list its enrollments."), FALSE);
}

GtkWidget *
ridge_enrollments_page_new (void)
{
  return g_object_new (RIDGE_TYPE_ENROLLMENTS_PAGE, NULL);
}
