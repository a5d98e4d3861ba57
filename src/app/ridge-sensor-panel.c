/* ridge-sensor-panel.c — the terminal's sensor parameters (gain, contrast, LED …) live
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-sensor-panel"

#include "config.h"

#include "ridge-sensor-panel.h"

#include <glib/gi18n.h>

#include "core/ridge-session.h"

typedef struct {
  guint8    id;
  char     *name;           /* as on the wire */
  int       value;          /* what the terminal said last */
  int       min;
  int       max;
  int       initial;        /* first value read on this connection */
  gboolean  dirty;          /* the slider differs from the terminal: send it */
  GtkScale *scale;
  GtkLabel *value_label;
} Param;

struct _RidgeSensorPanel {
  GtkBox parent_instance;

  GtkBox    *rows;
  GtkLabel  *status_label;
  GtkButton *restore_button;

  RidgeTerminalItem *item;
  gulong             state_handler;
  GArray            *params;          /* Param */
  gboolean           have_initial;
  gboolean           updating;        /* sliders moved by us, not the user */
  gboolean           in_flight;
  guint              debounce_id;
  GCancellable      *cancellable;
};

G_DEFINE_FINAL_TYPE (RidgeSensorPanel, ridge_sensor_panel, GTK_TYPE_BOX);

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void send_next (RidgeSensorPanel *self);

static void
param_clear (gpointer data)
{
  Param *p = data;

  g_free (p->name);
}

static const char *
param_title (const char *name)
{
  if (g_strcmp0 (name, "gain") == 0)
    return _ ("Gain");
  if (g_strcmp0 (name, "contrast") == 0)
    return _ ("Contrast");
  if (g_strcmp0 (name, "led") == 0)
    return _ ("LED");
  return name;   /* a parameter this version does not know: its own name */
}

static void
show_toast (RidgeSensorPanel *self,
            const char       *message)
{
  if (!gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", message))
    g_message ("%s", message);
}

static Param *
find_param (RidgeSensorPanel *self,
            const char       *name)
{
  for (guint i = 0; i < self->params->len; i++)
    {
      Param *p = &g_array_index (self->params, Param, i);

      if (g_strcmp0 (p->name, name) == 0)
        return p;
    }
  return NULL;
}

static gboolean
any_dirty (RidgeSensorPanel *self)
{
  for (guint i = 0; i < self->params->len; i++)
    if (g_array_index (self->params, Param, i).dirty)
      return TRUE;
  return FALSE;
}

gboolean
ridge_sensor_panel_get_busy (RidgeSensorPanel *self)
{
  g_return_val_if_fail (RIDGE_IS_SENSOR_PANEL (self), FALSE);
  return self->in_flight || self->debounce_id != 0 || any_dirty (self);
}

static void
notify_busy (RidgeSensorPanel *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
set_value_label (Param *p,
                 int    value)
{
  g_autofree char *text = g_strdup_printf ("%d", value);

  gtk_label_set_label (p->value_label, text);
}

static void
set_status (RidgeSensorPanel *self,
            const char       *text)
{
  gtk_label_set_label (self->status_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), text != NULL && *text != '\0');
}

static gboolean
debounce_cb (gpointer data)
{
  RidgeSensorPanel *self = data;

  self->debounce_id = 0;
  send_next (self);
  notify_busy (self);
  return G_SOURCE_REMOVE;
}

static void
scale_changed_cb (GtkRange         *range,
                  RidgeSensorPanel *self)
{
  for (guint i = 0; i < self->params->len; i++)
    {
      Param *p = &g_array_index (self->params, Param, i);

      if (GTK_RANGE (p->scale) != range)
        continue;
      set_value_label (p, (int)gtk_range_get_value (range));
      if (self->updating)
        return;
      p->dirty = TRUE;
      g_clear_handle_id (&self->debounce_id, g_source_remove);
      self->debounce_id = g_timeout_add (RIDGE_SENSOR_PANEL_DEBOUNCE_MS, debounce_cb, self);
      notify_busy (self);
      return;
    }
}

static GtkWidget *
make_row (RidgeSensorPanel *self,
          Param            *p)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *title = gtk_label_new (param_title (p->name));
  GtkWidget *value = gtk_label_new (NULL);
  GtkWidget *scale = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, p->min,
                                               MAX (p->max, p->min + 1), 1);

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_widget_add_css_class (value, "numeric");
  gtk_widget_add_css_class (value, "dim-label");
  gtk_box_append (GTK_BOX (top), title);
  gtk_box_append (GTK_BOX (top), value);
  gtk_scale_set_draw_value (GTK_SCALE (scale), FALSE);
  gtk_range_set_increments (GTK_RANGE (scale), 1, MAX (1, (p->max - p->min) / 10));
  gtk_range_set_round_digits (GTK_RANGE (scale), 0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (scale), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  param_title (p->name), -1);
  gtk_box_append (GTK_BOX (row), top);
  gtk_box_append (GTK_BOX (row), scale);
  p->scale = GTK_SCALE (scale);
  p->value_label = GTK_LABEL (value);
  self->updating = TRUE;
  gtk_range_set_value (GTK_RANGE (scale), p->value);
  self->updating = FALSE;
  set_value_label (p, p->value);
  g_signal_connect_object (scale, "value-changed", G_CALLBACK (scale_changed_cb), self, 0);
  return row;
}

static void
clear_rows (RidgeSensorPanel *self)
{
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self->rows))) != NULL;)
    gtk_box_remove (self->rows, child);
  g_array_set_size (self->params, 0);
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  gtk_widget_set_sensitive (GTK_WIDGET (self->restore_button), FALSE);
}

/* A PARAMS body (answer to PARAM_GET or PARAM_SET): rebuilds the rows when the list
 * changed, else moves the sliders the user is not changing. */
static gboolean
apply_params (RidgeSensorPanel      *self,
              const RidgeWireParams *wp,
              GError               **error)
{
  g_autoptr (GArray) got = g_array_new (FALSE, TRUE, sizeof (Param));
  gboolean same;
  RidgeWireParam item;
  guint32 cursor = 0;
  int r;

  g_array_set_clear_func (got, param_clear);
  while ((r = ridge_wire_params_next (wp, &cursor, &item)) == RIDGE_WIRE_OK
         && got->len < wp->n)
    {
      Param p = { 0 };

      p.id = item.id;
      p.name = ridge_wire_str_dup (item.name);
      p.min = MIN (item.min, item.max);
      p.max = MAX (item.min, item.max);
      p.value = CLAMP (item.value, p.min, p.max);
      g_array_append_val (got, p);
      if (got->len == wp->n)
        break;
    }
  if (got->len != wp->n)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _ ("The terminal's parameter list is malformed."));
      return FALSE;
    }

  same = got->len == self->params->len;
  for (guint i = 0; same && i < got->len; i++)
    {
      Param *a = &g_array_index (got, Param, i), *b = &g_array_index (self->params, Param, i);

      same = a->id == b->id && g_strcmp0 (a->name, b->name) == 0 && a->min == b->min
             && a->max == b->max;
    }
  if (!same)
    {
      clear_rows (self);
      for (guint i = 0; i < got->len; i++)
        {
          Param *src = &g_array_index (got, Param, i);
          Param p = *src;

          src->name = NULL;    /* moved */
          p.initial = p.value;
          g_array_append_val (self->params, p);
        }
      for (guint i = 0; i < self->params->len; i++)
        gtk_box_append (self->rows, make_row (self, &g_array_index (self->params, Param, i)));
      if (!self->have_initial)
        self->have_initial = TRUE;
    }
  else
    {
      self->updating = TRUE;
      for (guint i = 0; i < got->len; i++)
        {
          Param *p = &g_array_index (self->params, Param, i);

          p->value = g_array_index (got, Param, i).value;
          if (!p->dirty)
            {
              gtk_range_set_value (GTK_RANGE (p->scale), p->value);
              set_value_label (p, p->value);
            }
        }
      self->updating = FALSE;
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->restore_button), self->params->len > 0);
  return TRUE;
}

static RidgeSession *
ready_session (RidgeSensorPanel *self)
{
  RidgeTerminalState state;
  GObject *session;

  if (self->item == NULL)
    return NULL;
  state = ridge_terminal_item_get_state (self->item);
  if (state != RIDGE_TERMINAL_STATE_READY && state != RIDGE_TERMINAL_STATE_DEGRADED)
    return NULL;
  session = ridge_terminal_item_get_session (self->item);
  return session != NULL ? RIDGE_SESSION (session) : NULL;
}

static void
got_params_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  RidgeSensorPanel *self;
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) msg = NULL;
  RidgeWireMsg body;

  msg = ridge_session_request_finish (RIDGE_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = RIDGE_SENSOR_PANEL (user_data);
  if (msg == NULL || !ridge_message_decode (msg, &body, &error)
      || !apply_params (self, &body.params, &error))
    {
      g_autofree char *text = g_strdup_printf (_ ("The sensor settings could not be read: %s"),
                                               error->message);

      clear_rows (self);
      set_status (self, text);
      return;
    }
  set_status (self, self->params->len == 0 ? _ ("This terminal has no sensor settings.")
                                            : NULL);
}

void
ridge_sensor_panel_refresh (RidgeSensorPanel *self)
{
  RidgeSession *session;

  g_return_if_fail (RIDGE_IS_SENSOR_PANEL (self));

  session = ready_session (self);
  if (session == NULL)
    {
      clear_rows (self);
      set_status (self, _ ("The sensor settings appear while the terminal is connected."));
      return;
    }
  ridge_session_request_async (session, RIDGE_MSG_PARAM_GET, NULL, 0, self->cancellable,
                               got_params_cb, self);
}

static void
set_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  RidgeSensorPanel *self;
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) msg = NULL;
  RidgeWireMsg body;

  msg = ridge_session_request_finish (RIDGE_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = RIDGE_SENSOR_PANEL (user_data);
  self->in_flight = FALSE;
  if (msg == NULL || !ridge_message_decode (msg, &body, &error)
      || !apply_params (self, &body.params, &error))
    {
      g_autofree char *text = g_strdup_printf (_ ("The sensor setting was not changed: %s"),
                                               error->message);

      show_toast (self, text);
      /* what the terminal really has */
      for (guint i = 0; i < self->params->len; i++)
        g_array_index (self->params, Param, i).dirty = FALSE;
      ridge_sensor_panel_refresh (self);
    }
  send_next (self);
  notify_busy (self);
}

/* One PARAM_SET at a time: the first slider the terminal does not agree with yet. */
static void
send_next (RidgeSensorPanel *self)
{
  RidgeSession *session;

  if (self->in_flight || self->debounce_id != 0)
    return;
  session = ready_session (self);
  for (guint i = 0; i < self->params->len; i++)
    {
      Param *p = &g_array_index (self->params, Param, i);
      RidgeWireMsg body = { 0 };
      int wanted;

      if (!p->dirty)
        continue;
      p->dirty = FALSE;
      wanted = (int)gtk_range_get_value (GTK_RANGE (p->scale));
      if (wanted == p->value)
        continue;
      if (session == NULL)
        {
          show_toast (self, _ ("The sensor setting was not changed: the terminal is not "
                               "connected."));
          return;
        }
      body.param_set.id = p->id;
      body.param_set.value = wanted;
      self->in_flight = TRUE;
      ridge_session_request_async (session, RIDGE_MSG_PARAM_SET, &body, 0, self->cancellable,
                                   set_done_cb, self);
      return;
    }
}

gboolean
ridge_sensor_panel_set_value (RidgeSensorPanel *self,
                              const char       *name,
                              int               value)
{
  Param *p;

  g_return_val_if_fail (RIDGE_IS_SENSOR_PANEL (self), FALSE);
  p = find_param (self, name);
  if (p == NULL)
    return FALSE;
  gtk_range_set_value (GTK_RANGE (p->scale), CLAMP (value, p->min, p->max));
  return TRUE;
}

gboolean
ridge_sensor_panel_get_value (RidgeSensorPanel *self,
                              const char       *name,
                              int              *value)
{
  Param *p;

  g_return_val_if_fail (RIDGE_IS_SENSOR_PANEL (self), FALSE);
  p = find_param (self, name);
  if (p == NULL)
    return FALSE;
  if (value != NULL)
    *value = (int)gtk_range_get_value (GTK_RANGE (p->scale));
  return TRUE;
}

guint
ridge_sensor_panel_get_n_params (RidgeSensorPanel *self)
{
  g_return_val_if_fail (RIDGE_IS_SENSOR_PANEL (self), 0);
  return self->params->len;
}

void
ridge_sensor_panel_restore (RidgeSensorPanel *self)
{
  g_return_if_fail (RIDGE_IS_SENSOR_PANEL (self));

  for (guint i = 0; i < self->params->len; i++)
    {
      Param *p = &g_array_index (self->params, Param, i);

      gtk_range_set_value (GTK_RANGE (p->scale), p->initial);
    }
}

static void
restore_clicked_cb (RidgeSensorPanel *self)
{
  ridge_sensor_panel_restore (self);
}

static void
item_state_cb (RidgeSensorPanel *self)
{
  RidgeTerminalState state = ridge_terminal_item_get_state (self->item);

  if (state == RIDGE_TERMINAL_STATE_READY || state == RIDGE_TERMINAL_STATE_DEGRADED)
    {
      if (self->params->len == 0)
        ridge_sensor_panel_refresh (self);
    }
  else if (state == RIDGE_TERMINAL_STATE_DISCONNECTED || state == RIDGE_TERMINAL_STATE_LOST)
    {
      /* a change the terminal never confirmed is not silently dropped */
      if (ridge_sensor_panel_get_busy (self))
        show_toast (self, _ ("The sensor setting was not changed: the terminal is not "
                             "connected."));
      /* a new connection may be a restarted terminal: read its values afresh */
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
      self->cancellable = g_cancellable_new ();
      self->in_flight = FALSE;
      self->have_initial = FALSE;
      ridge_sensor_panel_refresh (self);
    }
}

void
ridge_sensor_panel_set_item (RidgeSensorPanel  *self,
                             RidgeTerminalItem *item)
{
  g_return_if_fail (RIDGE_IS_SENSOR_PANEL (self));
  g_return_if_fail (item == NULL || RIDGE_IS_TERMINAL_ITEM (item));

  if (self->item == item)
    return;
  if (self->item != NULL)
    g_clear_signal_handler (&self->state_handler, self->item);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->in_flight = FALSE;
  self->have_initial = FALSE;
  g_set_object (&self->item, item);
  clear_rows (self);
  if (item != NULL)
    self->state_handler = g_signal_connect_object (item, "notify::state",
                                                   G_CALLBACK (item_state_cb), self,
                                                   G_CONNECT_SWAPPED);
  ridge_sensor_panel_refresh (self);
}

static void
ridge_sensor_panel_dispose (GObject *object)
{
  RidgeSensorPanel *self = RIDGE_SENSOR_PANEL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  if (self->item != NULL)
    g_clear_signal_handler (&self->state_handler, self->item);
  g_clear_object (&self->item);
  G_OBJECT_CLASS (ridge_sensor_panel_parent_class)->dispose (object);
}

static void
ridge_sensor_panel_finalize (GObject *object)
{
  RidgeSensorPanel *self = RIDGE_SENSOR_PANEL (object);

  g_array_unref (self->params);
  G_OBJECT_CLASS (ridge_sensor_panel_parent_class)->finalize (object);
}

static void
ridge_sensor_panel_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  RidgeSensorPanel *self = RIDGE_SENSOR_PANEL (object);

  switch (prop_id)
    {
      case PROP_BUSY:
        g_value_set_boolean (value, ridge_sensor_panel_get_busy (self));
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ridge_sensor_panel_class_init (RidgeSensorPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ridge_sensor_panel_dispose;
  object_class->finalize = ridge_sensor_panel_finalize;
  object_class->get_property = ridge_sensor_panel_get_property;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ridge_sensor_panel_init (RidgeSensorPanel *self)
{
  GtkWidget *status = gtk_label_new (NULL);
  GtkWidget *rows = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *restore = gtk_button_new_with_mnemonic (_ ("_Restore"));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 6);
  self->params = g_array_new (FALSE, TRUE, sizeof (Param));
  g_array_set_clear_func (self->params, param_clear);
  self->cancellable = g_cancellable_new ();

  gtk_label_set_wrap (GTK_LABEL (status), TRUE);
  gtk_label_set_xalign (GTK_LABEL (status), 0);
  gtk_widget_add_css_class (status, "dim-label");
  gtk_widget_set_tooltip_text (restore, _ ("Back to the values the terminal had when Ridge "
                                           "connected to it"));
  gtk_widget_set_halign (restore, GTK_ALIGN_START);
  gtk_widget_set_sensitive (restore, FALSE);
  g_signal_connect_object (restore, "clicked", G_CALLBACK (restore_clicked_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (self), rows);
  gtk_box_append (GTK_BOX (self), status);
  gtk_box_append (GTK_BOX (self), restore);
  self->rows = GTK_BOX (rows);
  self->status_label = GTK_LABEL (status);
  self->restore_button = GTK_BUTTON (restore);
  set_status (self, _ ("The sensor settings appear while the terminal is connected."));
}

GtkWidget *
ridge_sensor_panel_new (void)
{
  return g_object_new (RIDGE_TYPE_SENSOR_PANEL, NULL);
}
