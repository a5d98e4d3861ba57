/* ridge-window.c — the main window: terminals sidebar and the selected terminal's pages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-window"

#include "config.h"

#include "ridge-window.h"

#include <glib/gi18n.h>

#include "ridge-add-terminal-dialog.h"
#include "ridge-address.h"
#include "ridge-fleet-page.h"
#include "ridge-sparkline.h"
#include "ridge-terminal-item.h"
#include "core/ridge-usb.h"
#ifdef RIDGE_APP_HAVE_LIBFPRINT
#include "ridge-reader-view.h"
#endif

/* A terminal list is typed in by hand; more than this is a corrupt settings value. */
#define MAX_TERMINALS 256

struct _RidgeWindow {
  AdwApplicationWindow parent_instance;

  AdwToastOverlay   *toast_overlay;
  AdwLeaflet        *leaflet;
  GtkWidget         *sidebar;
  GtkStack          *sidebar_stack;
  GtkListBox        *terminal_list;
  GtkStack          *content_stack;
  RidgeTerminalView *terminal_view;
  RidgeFleetPage    *fleet_page;

  GSettings       *settings;
  GListStore      *terminals;
  char            *removed_address;       /* for "Undo" */
  guint            removed_position;
  AdwToast        *undo_toast;           /* the toast offering it, while shown */
  gboolean         autoconnect;          /* connect to a terminal when it is selected */
  RidgeUsbMonitor *usb_monitor;          /* NULL when libusb is not usable */
  GHashTable      *usb_auto;             /* addresses the monitor added: never saved */
  GtkBox          *sidebar_box;          /* terminal_list, then the readers */
#ifdef RIDGE_APP_HAVE_LIBFPRINT
  RidgeReaderManager *readers;           /* local libfprint readers (hot-plug) */
  GtkWidget          *readers_heading;
  GtkListBox         *reader_list;
  RidgeReaderView    *reader_view;
#endif
};

G_DEFINE_FINAL_TYPE (RidgeWindow, ridge_window, ADW_TYPE_APPLICATION_WINDOW);

/* ---- terminals ----------------------------------------------------------------------- */

static gboolean
find_terminal (RidgeWindow *self,
               const char  *address,
               guint       *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->terminals));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (RidgeTerminalItem) item =
        g_list_model_get_item (G_LIST_MODEL (self->terminals), i);

      if (g_strcmp0 (ridge_terminal_item_get_address (item), address) == 0)
        {
          if (position)
            *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

static void
save_terminals (RidgeWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->terminals));
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) strv = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (RidgeTerminalItem) item =
        g_list_model_get_item (G_LIST_MODEL (self->terminals), i);
      const char *address = ridge_terminal_item_get_address (item);

      /* terminals that appeared on USB by themselves come back by themselves */
      if (!g_hash_table_contains (self->usb_auto, address))
        g_strv_builder_add (builder, address);
    }
  strv = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "terminals", (const char * const *)strv);
}

static guint
n_readers (RidgeWindow *self)
{
#ifdef RIDGE_APP_HAVE_LIBFPRINT
  if (self->readers != NULL)
    return ridge_reader_manager_get_n_readers (self->readers);
#endif
  return 0;
}

static void
update_sidebar_state (RidgeWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->terminals));

  gtk_stack_set_visible_child_name (self->sidebar_stack,
                                    n > 0 || n_readers (self) > 0 ? "list" : "empty");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo-remove",
                                 self->removed_address != NULL);
}

static gboolean
insert_terminal (RidgeWindow *self,
                 const char  *address,
                 guint        position,
                 GError     **error)
{
  g_autofree char *normalized = NULL;
  g_autoptr (RidgeTerminalItem) item = NULL;

  normalized = ridge_address_normalize (address, RIDGE_DEFAULT_PORT, error);
  if (normalized == NULL)
    return FALSE;
  if (find_terminal (self, normalized, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _ ("%s is already in the list."), normalized);
      return FALSE;
    }
  if (g_list_model_get_n_items (G_LIST_MODEL (self->terminals)) >= MAX_TERMINALS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _ ("The list already holds %d terminals; remove one first."), MAX_TERMINALS);
      return FALSE;
    }
  item = ridge_terminal_item_new (normalized);
  position = MIN (position, g_list_model_get_n_items (G_LIST_MODEL (self->terminals)));
  g_list_store_insert (self->terminals, position, item);
  return TRUE;
}

gboolean
ridge_window_add_terminal (RidgeWindow *self,
                           const char  *address,
                           GError     **error)
{
  g_autofree char *normalized = NULL;

  g_return_val_if_fail (RIDGE_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);

  normalized = ridge_address_normalize (address, RIDGE_DEFAULT_PORT, NULL);
  if (normalized != NULL && g_hash_table_remove (self->usb_auto, normalized))
    {
      /* a USB terminal that was shown by itself: adding it keeps it in the list */
      save_terminals (self);
      ridge_window_select_terminal (self, normalized);
      return TRUE;
    }
  g_clear_pointer (&normalized, g_free);
  if (!insert_terminal (self, address, G_MAXUINT, error))
    return FALSE;
  save_terminals (self);
  update_sidebar_state (self);
  normalized = ridge_address_normalize (address, RIDGE_DEFAULT_PORT, NULL);
  ridge_window_select_terminal (self, normalized);
  return TRUE;
}

gboolean
ridge_window_remove_terminal (RidgeWindow *self,
                              const char  *address)
{
  guint position;

  g_return_val_if_fail (RIDGE_IS_WINDOW (self), FALSE);

  if (address == NULL || !find_terminal (self, address, &position))
    return FALSE;
  /* only the newest removal can be undone: a toast for an older one would lie */
  if (self->undo_toast != NULL)
    adw_toast_dismiss (self->undo_toast);
  g_free (self->removed_address);
  self->removed_address = g_strdup (address);
  self->removed_position = position;
  {
    g_autoptr (RidgeTerminalItem) item = g_list_model_get_item (G_LIST_MODEL (self->terminals),
                                                                position);

    /* a removed terminal is let go at once, whoever still holds the item */
    ridge_terminal_item_disconnect (item);
  }
  g_list_store_remove (self->terminals, position);
  g_hash_table_remove (self->usb_auto, address);
  save_terminals (self);
  update_sidebar_state (self);
  return TRUE;
}

void
ridge_window_usb_device_added (RidgeWindow *self,
                               const char  *port_path)
{
  g_autofree char *address = NULL;
  g_autoptr (GError) error = NULL;

  g_return_if_fail (RIDGE_IS_WINDOW (self));
  g_return_if_fail (port_path != NULL);

  address = g_strconcat ("usb:", port_path, NULL);
  if (find_terminal (self, address, NULL))
    return; /* saved by the user, or already shown */
  if (!insert_terminal (self, address, G_MAXUINT, &error))
    {
      g_debug ("Not showing the USB terminal %s: %s", address, error->message);
      return;
    }
  g_hash_table_add (self->usb_auto, g_steal_pointer (&address));
  update_sidebar_state (self);
}

void
ridge_window_usb_device_removed (RidgeWindow *self,
                                 const char  *port_path)
{
  g_autofree char *address = NULL;
  guint position;

  g_return_if_fail (RIDGE_IS_WINDOW (self));
  g_return_if_fail (port_path != NULL);

  address = g_strconcat ("usb:", port_path, NULL);
  /* a saved USB terminal stays (its session finds it again after a replug) */
  if (!g_hash_table_contains (self->usb_auto, address)
      || !find_terminal (self, address, &position))
    return;
  {
    g_autoptr (RidgeTerminalItem) item = g_list_model_get_item (G_LIST_MODEL (self->terminals),
                                                                position);

    ridge_terminal_item_disconnect (item);
  }
  g_list_store_remove (self->terminals, position);
  g_hash_table_remove (self->usb_auto, address);
  update_sidebar_state (self);
}

gboolean
ridge_window_is_terminal_automatic (RidgeWindow *self,
                                    const char  *address)
{
  g_return_val_if_fail (RIDGE_IS_WINDOW (self), FALSE);
  return address != NULL && g_hash_table_contains (self->usb_auto, address);
}

static void
usb_added_cb (RidgeWindow              *self,
              const RidgeUsbDeviceInfo *info)
{
  if (info->port_path != NULL)
    ridge_window_usb_device_added (self, info->port_path);
}

static void
usb_removed_cb (RidgeWindow              *self,
                const RidgeUsbDeviceInfo *info)
{
  if (info->port_path != NULL)
    ridge_window_usb_device_removed (self, info->port_path);
}

static void
start_usb_monitor (RidgeWindow *self)
{
  g_autoptr (GError) error = NULL;
  RidgeUsbContext *usb;

  if (g_strcmp0 (g_getenv ("RIDGE_NO_USB"), "1") == 0)
    return;
  usb = ridge_usb_context_get_default (&error);
  if (usb == NULL)
    {
      g_debug ("No USB terminals: %s", error->message);
      return;
    }
  self->usb_monitor = ridge_usb_monitor_new (usb);
  g_signal_connect_object (self->usb_monitor, "device-added", G_CALLBACK (usb_added_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->usb_monitor, "device-removed", G_CALLBACK (usb_removed_cb),
                           self, G_CONNECT_SWAPPED);
  if (!ridge_usb_monitor_start (self->usb_monitor, 1000, FALSE, &error))
    {
      g_debug ("No USB terminals: %s", error->message);
      g_clear_object (&self->usb_monitor);
    }
}

GListModel *
ridge_window_get_terminals (RidgeWindow *self)
{
  g_return_val_if_fail (RIDGE_IS_WINDOW (self), NULL);
  return G_LIST_MODEL (self->terminals);
}

void
ridge_window_select_terminal (RidgeWindow *self,
                              const char  *address)
{
  guint position;

  g_return_if_fail (RIDGE_IS_WINDOW (self));

  if (address == NULL || !find_terminal (self, address, &position))
    {
      gtk_list_box_unselect_all (self->terminal_list);
      return;
    }
  gtk_list_box_select_row (self->terminal_list,
                           gtk_list_box_get_row_at_index (self->terminal_list, position));
}

RidgeTerminalView *
ridge_window_get_terminal_view (RidgeWindow *self)
{
  g_return_val_if_fail (RIDGE_IS_WINDOW (self), NULL);
  return self->terminal_view;
}

void
ridge_window_show_toast (RidgeWindow *self,
                         const char  *message)
{
  g_return_if_fail (RIDGE_IS_WINDOW (self));
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

/* ---- sidebar ------------------------------------------------------------------------- */

static GtkWidget *
create_row (gpointer object,
            gpointer user_data)
{
  RidgeTerminalItem *item = object;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new ();
  GtkWidget *spark = ridge_sparkline_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  g_autofree char *remove_label = NULL;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 ridge_terminal_item_get_address (item));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 1);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
  g_object_bind_property (item, "status", row, "subtitle", G_BINDING_SYNC_CREATE);
  g_object_bind_property (item, "icon-name", icon, "icon-name", G_BINDING_SYNC_CREATE);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  ridge_sparkline_set_ring (RIDGE_SPARKLINE (spark), ridge_terminal_item_get_ring (item));
  g_signal_connect_object (item, "health-changed", G_CALLBACK (ridge_sparkline_update), spark,
                           G_CONNECT_SWAPPED);
  gtk_widget_set_valign (spark, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (spark, 56, 20);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spark);

  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, _ ("Remove Terminal"));
  remove_label = g_strdup_printf (_ ("Remove %s"), ridge_terminal_item_get_address (item));
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label, -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "win.remove-terminal");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (remove), "s",
                                    ridge_terminal_item_get_address (item));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "item", g_object_ref (item), g_object_unref);
  return row;
}

static void
row_selected_cb (RidgeWindow   *self,
                 GtkListBoxRow *row)
{
  RidgeTerminalItem *item = row != NULL ? g_object_get_data (G_OBJECT (row), "item") : NULL;

  ridge_terminal_view_set_item (self->terminal_view, item);
  /* selecting a terminal connects to it; it stays connected for the sidebar's overview */
  if (item != NULL && self->autoconnect)
    ridge_terminal_item_connect (item);
  gtk_stack_set_visible_child_name (self->content_stack, item != NULL ? "terminal" : "none");
}

/* The fleet overview: no terminal selected, every terminal in one page. */
void
ridge_window_show_fleet (RidgeWindow *self)
{
  g_return_if_fail (RIDGE_IS_WINDOW (self));
  gtk_list_box_unselect_all (self->terminal_list);
  gtk_stack_set_visible_child_name (self->content_stack, "fleet");
  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->content_stack));
}

RidgeFleetPage *
ridge_window_get_fleet_page (RidgeWindow *self)
{
  g_return_val_if_fail (RIDGE_IS_WINDOW (self), NULL);
  return self->fleet_page;
}

static void
show_fleet_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ridge_window_show_fleet (RIDGE_WINDOW (widget));
}

static void
fleet_activated_cb (RidgeWindow       *self,
                    RidgeTerminalItem *item)
{
  ridge_window_select_terminal (self, ridge_terminal_item_get_address (item));
  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->content_stack));
}

static void
row_activated_cb (RidgeWindow   *self,
                  GtkListBoxRow *row)
{
  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->content_stack));
}

static void
folded_changed_cb (RidgeWindow *self)
{
  gboolean folded = adw_leaflet_get_folded (self->leaflet);

  ridge_terminal_view_set_show_back (self->terminal_view, folded);
}

/* ---- local fingerprint readers ------------------------------------------------------- */

#ifdef RIDGE_APP_HAVE_LIBFPRINT
static GtkWidget *
create_reader_row (gpointer object,
                   gpointer user_data)
{
  RidgeReader *reader = object;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name ("auth-fingerprint-symbolic");
  gboolean images = (ridge_reader_get_features (reader) & RIDGE_READER_FEATURE_CAPTURE) != 0;
  g_autofree char *subtitle = g_strdup_printf (_ ("%s · %s"), ridge_reader_get_driver (reader),
                                               images ? _ ("image sensor")
                                                      : _ ("match on chip"));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), ridge_reader_get_name (reader));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 1);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "reader", g_object_ref (reader), g_object_unref);
  return row;
}

static void
reader_selected_cb (RidgeWindow   *self,
                    GtkListBoxRow *row)
{
  RidgeReader *reader = row != NULL ? g_object_get_data (G_OBJECT (row), "reader") : NULL;

  if (reader == NULL)
    {
      ridge_reader_view_set_reader (self->reader_view, NULL);
      if (g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "reader") == 0)
        gtk_stack_set_visible_child_name (self->content_stack, "none");
      return;
    }
  /* one selection in the sidebar: a reader or a terminal */
  gtk_list_box_unselect_all (self->terminal_list);
  ridge_reader_view_set_reader (self->reader_view, reader);
  gtk_stack_set_visible_child_name (self->content_stack, "reader");
}

static void
reader_activated_cb (RidgeWindow *self)
{
  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->content_stack));
}

static void
terminal_selected_cb (RidgeWindow   *self,
                      GtkListBoxRow *row)
{
  if (row != NULL)
    gtk_list_box_unselect_all (self->reader_list);
}

static void
readers_changed_cb (RidgeWindow *self)
{
  guint n = n_readers (self);

  gtk_widget_set_visible (self->readers_heading, n > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->reader_list), n > 0);
  update_sidebar_state (self);
}

static void
reader_folded_cb (RidgeWindow *self)
{
  ridge_reader_view_set_show_back (self->reader_view, adw_leaflet_get_folded (self->leaflet));
}
#endif

/* The readers libfprint finds, below the terminals; RIDGE_NO_READERS=1 leaves them out. */
static void
start_readers (RidgeWindow *self)
{
#ifdef RIDGE_APP_HAVE_LIBFPRINT
  if (g_strcmp0 (g_getenv ("RIDGE_NO_READERS"), "1") == 0)
    return;
  self->readers = ridge_reader_manager_new ();
  self->readers_heading = gtk_label_new (_ ("Fingerprint Readers"));
  gtk_label_set_xalign (GTK_LABEL (self->readers_heading), 0);
  gtk_widget_set_margin_start (self->readers_heading, 18);
  gtk_widget_set_margin_top (self->readers_heading, 12);
  gtk_widget_set_margin_bottom (self->readers_heading, 6);
  gtk_widget_add_css_class (self->readers_heading, "heading");
  gtk_widget_add_css_class (self->readers_heading, "dim-label");
  gtk_box_append (self->sidebar_box, self->readers_heading);
  self->reader_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->reader_list, GTK_SELECTION_SINGLE);
  gtk_widget_add_css_class (GTK_WIDGET (self->reader_list), "navigation-sidebar");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->reader_list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _ ("Fingerprint Readers"), -1);
  gtk_list_box_bind_model (self->reader_list,
                           ridge_reader_manager_get_readers (self->readers),
                           create_reader_row, self, NULL);
  gtk_box_append (self->sidebar_box, GTK_WIDGET (self->reader_list));
  g_signal_connect_object (self->reader_list, "row-selected", G_CALLBACK (reader_selected_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->reader_list, "row-activated", G_CALLBACK (reader_activated_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->terminal_list, "row-selected",
                           G_CALLBACK (terminal_selected_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (ridge_reader_manager_get_readers (self->readers), "items-changed",
                           G_CALLBACK (readers_changed_cb), self, G_CONNECT_SWAPPED);
  self->reader_view = RIDGE_READER_VIEW (ridge_reader_view_new ());
  gtk_stack_add_named (self->content_stack, GTK_WIDGET (self->reader_view), "reader");
  g_signal_connect_object (self->leaflet, "notify::folded", G_CALLBACK (reader_folded_cb), self,
                           G_CONNECT_SWAPPED);
  reader_folded_cb (self);
  readers_changed_cb (self);
#endif
}

GtkWidget *
ridge_window_get_reader_view (RidgeWindow *self)
{
  g_return_val_if_fail (RIDGE_IS_WINDOW (self), NULL);
#ifdef RIDGE_APP_HAVE_LIBFPRINT
  return GTK_WIDGET (self->reader_view);
#else
  return NULL;
#endif
}

GtkListBox *
ridge_window_get_reader_list (RidgeWindow *self)
{
  g_return_val_if_fail (RIDGE_IS_WINDOW (self), NULL);
#ifdef RIDGE_APP_HAVE_LIBFPRINT
  return self->reader_list;
#else
  return NULL;
#endif
}

/* ---- actions ------------------------------------------------------------------------- */

static void
address_chosen_cb (RidgeWindow            *self,
                   const char             *address,
                   RidgeAddTerminalDialog *dialog)
{
  g_autoptr (GError) error = NULL;

  if (!ridge_window_add_terminal (self, address, &error))
    {
      ridge_window_show_toast (self, error->message);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
        ridge_window_select_terminal (self, address);
    }
}

static void
add_terminal_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  RidgeWindow *self = RIDGE_WINDOW (widget);
  GtkWidget *dialog = ridge_add_terminal_dialog_new (GTK_WINDOW (self));

  g_signal_connect_object (dialog, "address-chosen", G_CALLBACK (address_chosen_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
undo_remove_cb (RidgeWindow *self)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *address = g_steal_pointer (&self->removed_address);

  if (self->undo_toast != NULL)
    adw_toast_dismiss (self->undo_toast);
  if (address == NULL)
    return;
  if (!insert_terminal (self, address, self->removed_position, &error))
    {
      ridge_window_show_toast (self, error->message);
      return;
    }
  save_terminals (self);
  update_sidebar_state (self);
  ridge_window_select_terminal (self, address);
}

static void
undo_toast_dismissed_cb (RidgeWindow *self,
                         AdwToast    *toast)
{
  if (self->undo_toast == toast)
    self->undo_toast = NULL;
}

static void
remove_terminal_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  RidgeWindow *self = RIDGE_WINDOW (widget);
  const char *address = g_variant_get_string (param, NULL);
  g_autofree char *title = NULL;
  AdwToast *toast;

  if (!ridge_window_remove_terminal (self, address))
    return;
  title = g_strdup_printf (_ ("Removed %s"), address);
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _ ("_Undo"));
  adw_toast_set_action_name (toast, "win.undo-remove");
  self->undo_toast = toast;
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (undo_toast_dismissed_cb), self,
                           G_CONNECT_SWAPPED);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
undo_remove_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  undo_remove_cb (RIDGE_WINDOW (widget));
}

static void
show_sidebar_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  RidgeWindow *self = RIDGE_WINDOW (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
toast_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  ridge_window_show_toast (RIDGE_WINDOW (widget), g_variant_get_string (param, NULL));
}

/* ---- GObject ------------------------------------------------------------------------- */

static void
load_terminals (RidgeWindow *self)
{
  g_auto (GStrv) saved = g_settings_get_strv (self->settings, "terminals");

  for (guint i = 0; saved[i] != NULL && i < MAX_TERMINALS; i++)
    {
      g_autoptr (GError) error = NULL;

      /* a hand-edited setting may hold garbage: skip it with a warning, never crash */
      if (!insert_terminal (self, saved[i], G_MAXUINT, &error))
        g_warning ("Ignoring saved terminal “%s”: %s", saved[i], error->message);
    }
  update_sidebar_state (self);
}

static gboolean
ridge_window_close_request (GtkWindow *window)
{
  RidgeWindow *self = RIDGE_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set (self->settings, "window-size", "(ii)", width, height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  return GTK_WINDOW_CLASS (ridge_window_parent_class)->close_request (window);
}

static void
ridge_window_dispose (GObject *object)
{
  RidgeWindow *self = RIDGE_WINDOW (object);

  if (self->terminal_list != NULL)
    gtk_list_box_bind_model (self->terminal_list, NULL, NULL, NULL, NULL);
#ifdef RIDGE_APP_HAVE_LIBFPRINT
  if (self->reader_list != NULL)
    gtk_list_box_bind_model (self->reader_list, NULL, NULL, NULL, NULL);
  self->reader_list = NULL;
  if (self->reader_view != NULL)
    ridge_reader_view_set_reader (self->reader_view, NULL);
  if (self->readers != NULL)
    g_signal_handlers_disconnect_by_data (ridge_reader_manager_get_readers (self->readers), self);
  g_clear_object (&self->readers);
#endif
  if (self->usb_monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->usb_monitor, self);
      ridge_usb_monitor_stop (self->usb_monitor);
      g_clear_object (&self->usb_monitor);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), RIDGE_TYPE_WINDOW);
  g_clear_object (&self->terminals);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->usb_auto, g_hash_table_unref);
  g_clear_pointer (&self->removed_address, g_free);
  self->undo_toast = NULL;
  G_OBJECT_CLASS (ridge_window_parent_class)->dispose (object);
}

static void
ridge_window_class_init (RidgeWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ridge_window_dispose;
  window_class->close_request = ridge_window_close_request;

  g_type_ensure (RIDGE_TYPE_TERMINAL_VIEW);
  g_type_ensure (RIDGE_TYPE_FLEET_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/ridge/Ridge/ui/ridge-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RidgeWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, RidgeWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, RidgeWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, RidgeWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, RidgeWindow, terminal_list);
  gtk_widget_class_bind_template_child (widget_class, RidgeWindow, sidebar_box);
  gtk_widget_class_bind_template_child (widget_class, RidgeWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, RidgeWindow, terminal_view);
  gtk_widget_class_bind_template_child (widget_class, RidgeWindow, fleet_page);
  gtk_widget_class_bind_template_callback (widget_class, fleet_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, folded_changed_cb);

  gtk_widget_class_install_action (widget_class, "win.add-terminal", NULL, add_terminal_action);
  gtk_widget_class_install_action (widget_class, "win.remove-terminal", "s",
                                   remove_terminal_action);
  gtk_widget_class_install_action (widget_class, "win.undo-remove", NULL, undo_remove_action);
  gtk_widget_class_install_action (widget_class, "win.show-sidebar", NULL, show_sidebar_action);
  gtk_widget_class_install_action (widget_class, "win.toast", "s", toast_action);
  gtk_widget_class_install_action (widget_class, "win.show-fleet", NULL, show_fleet_action);
}

static void
ridge_window_init (RidgeWindow *self)
{
  int width = 0, height = 0;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new ("org.ridge.Ridge");
  self->terminals = g_list_store_new (RIDGE_TYPE_TERMINAL_ITEM);
  self->usb_auto = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gtk_list_box_bind_model (self->terminal_list, G_LIST_MODEL (self->terminals), create_row,
                           self, NULL);
  ridge_fleet_page_set_model (self->fleet_page, G_LIST_MODEL (self->terminals));

  g_settings_get (self->settings, "window-size", "(ii)", &width, &height);
  if (width > 0 && height > 0)
    gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  load_terminals (self);
  start_usb_monitor (self);
  start_readers (self);
  folded_changed_cb (self);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->terminals)) > 0)
    gtk_list_box_select_row (self->terminal_list,
                             gtk_list_box_get_row_at_index (self->terminal_list, 0));
}

void
ridge_window_set_autoconnect (RidgeWindow *self,
                              gboolean     autoconnect)
{
  GtkListBoxRow *row;

  g_return_if_fail (RIDGE_IS_WINDOW (self));
  self->autoconnect = !!autoconnect;
  row = gtk_list_box_get_selected_row (self->terminal_list);
  if (autoconnect && row != NULL)
    ridge_terminal_item_connect (g_object_get_data (G_OBJECT (row), "item"));
}

RidgeWindow *
ridge_window_new (AdwApplication *application)
{
  return g_object_new (RIDGE_TYPE_WINDOW, "application", application, NULL);
}
