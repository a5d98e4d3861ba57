/* ridge-add-terminal-dialog.c — asks for a terminal's address (host:port)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-add-terminal-dialog"

#include "config.h"

#include "ridge-add-terminal-dialog.h"

#include <glib/gi18n.h>

#include "ridge-address.h"

struct _RidgeAddTerminalDialog {
  AdwWindow parent_instance;

  AdwEntryRow *address_row;
  GtkButton   *add_button;
  GtkLabel    *message_label;

  char *address;
};

G_DEFINE_FINAL_TYPE (RidgeAddTerminalDialog, ridge_add_terminal_dialog, ADW_TYPE_WINDOW);

enum {
  ADDRESS_CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_hint (RidgeAddTerminalDialog *self)
{
  g_autofree char *hint = g_strdup_printf (_ ("A host name or IP address, optionally followed by "
                                              "a colon and the port (%d if none is given)."),
                                           RIDGE_DEFAULT_PORT);

  gtk_label_set_label (self->message_label, hint);
  gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "error");
  gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "dim-label");
}

static void
address_changed_cb (RidgeAddTerminalDialog *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->address_row));
  g_autoptr (GError) error = NULL;

  g_clear_pointer (&self->address, g_free);
  if (text == NULL || *text == '\0')
    {
      show_hint (self);
      gtk_widget_remove_css_class (GTK_WIDGET (self->address_row), "error");
    }
  else if ((self->address = ridge_address_normalize (text, RIDGE_DEFAULT_PORT, &error)) == NULL)
    {
      gtk_label_set_label (self->message_label, error->message);
      gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->address_row), "error");
    }
  else
    {
      show_hint (self);
      gtk_widget_remove_css_class (GTK_WIDGET (self->address_row), "error");
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), self->address != NULL);
}

static void
add_clicked_cb (RidgeAddTerminalDialog *self)
{
  if (self->address == NULL)
    return;
  g_signal_emit (self, signals[ADDRESS_CHOSEN], 0, self->address);
  gtk_window_close (GTK_WINDOW (self));
}

static void
ridge_add_terminal_dialog_finalize (GObject *object)
{
  RidgeAddTerminalDialog *self = RIDGE_ADD_TERMINAL_DIALOG (object);

  g_free (self->address);
  G_OBJECT_CLASS (ridge_add_terminal_dialog_parent_class)->finalize (object);
}

static void
ridge_add_terminal_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), RIDGE_TYPE_ADD_TERMINAL_DIALOG);
  G_OBJECT_CLASS (ridge_add_terminal_dialog_parent_class)->dispose (object);
}

static void
ridge_add_terminal_dialog_class_init (RidgeAddTerminalDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ridge_add_terminal_dialog_dispose;
  object_class->finalize = ridge_add_terminal_dialog_finalize;

  signals[ADDRESS_CHOSEN] =
    g_signal_new ("address-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/ridge/Ridge/ui/ridge-add-terminal-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, RidgeAddTerminalDialog, address_row);
  gtk_widget_class_bind_template_child (widget_class, RidgeAddTerminalDialog, add_button);
  gtk_widget_class_bind_template_child (widget_class, RidgeAddTerminalDialog, message_label);
  gtk_widget_class_bind_template_callback (widget_class, address_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_clicked_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ridge_add_terminal_dialog_init (RidgeAddTerminalDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  show_hint (self);
}

GtkWidget *
ridge_add_terminal_dialog_new (GtkWindow *parent)
{
  return g_object_new (RIDGE_TYPE_ADD_TERMINAL_DIALOG, "transient-for", parent, NULL);
}

void
ridge_add_terminal_dialog_set_text (RidgeAddTerminalDialog *self,
                                    const char             *text)
{
  g_return_if_fail (RIDGE_IS_ADD_TERMINAL_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->address_row), text != NULL ? text : "");
}

const char *
ridge_add_terminal_dialog_get_address (RidgeAddTerminalDialog *self)
{
  g_return_val_if_fail (RIDGE_IS_ADD_TERMINAL_DIALOG (self), NULL);
  return self->address;
}

const char *
ridge_add_terminal_dialog_get_message (RidgeAddTerminalDialog *self)
{
  g_return_val_if_fail (RIDGE_IS_ADD_TERMINAL_DIALOG (self), NULL);
  return gtk_label_get_label (self->message_label);
}
