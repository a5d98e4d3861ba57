/* ridge-terminal-item.c — one terminal of the sidebar: address, link state, health ring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-terminal-item"

#include "config.h"

#include "ridge-terminal-item.h"

#include <glib/gi18n.h>

struct _RidgeTerminalItem {
  GObject            parent_instance;
  char              *address;
  RidgeTerminalState state;
  char              *status;
  double             rtt_ms;
  RidgeSampleRing   *ring;
};

G_DEFINE_FINAL_TYPE (RidgeTerminalItem, ridge_terminal_item, G_TYPE_OBJECT);

G_DEFINE_ENUM_TYPE (RidgeTerminalState, ridge_terminal_state,
                    G_DEFINE_ENUM_VALUE (RIDGE_TERMINAL_STATE_DISCONNECTED, "disconnected"),
                    G_DEFINE_ENUM_VALUE (RIDGE_TERMINAL_STATE_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (RIDGE_TERMINAL_STATE_READY, "ready"),
                    G_DEFINE_ENUM_VALUE (RIDGE_TERMINAL_STATE_DEGRADED, "degraded"),
                    G_DEFINE_ENUM_VALUE (RIDGE_TERMINAL_STATE_LOST, "lost"),
                    G_DEFINE_ENUM_VALUE (RIDGE_TERMINAL_STATE_RECONNECTING, "reconnecting"));

enum {
  PROP_0,
  PROP_ADDRESS,
  PROP_STATE,
  PROP_STATUS,
  PROP_ICON_NAME,
  PROP_RTT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

const char *
ridge_terminal_state_to_string (RidgeTerminalState state)
{
  switch (state)
    {
      case RIDGE_TERMINAL_STATE_DISCONNECTED: return _ ("Not connected");
      case RIDGE_TERMINAL_STATE_CONNECTING: return _ ("Connecting…");
      case RIDGE_TERMINAL_STATE_READY: return _ ("Ready");
      case RIDGE_TERMINAL_STATE_DEGRADED: return _ ("Degraded: answers are slow or lost");
      case RIDGE_TERMINAL_STATE_LOST: return _ ("Connection lost");
      case RIDGE_TERMINAL_STATE_RECONNECTING: return _ ("Reconnecting…");
      default: return _ ("Unknown state");
    }
}

static void
ridge_terminal_item_finalize (GObject *object)
{
  RidgeTerminalItem *self = RIDGE_TERMINAL_ITEM (object);

  g_free (self->address);
  g_free (self->status);
  g_clear_pointer (&self->ring, ridge_sample_ring_unref);
  G_OBJECT_CLASS (ridge_terminal_item_parent_class)->finalize (object);
}

static void
ridge_terminal_item_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  RidgeTerminalItem *self = RIDGE_TERMINAL_ITEM (object);

  switch (prop_id)
    {
      case PROP_ADDRESS:
        g_value_set_string (value, self->address);
        break;

      case PROP_STATE:
        g_value_set_enum (value, self->state);
        break;

      case PROP_STATUS:
        g_value_set_string (value, ridge_terminal_item_get_status (self));
        break;

      case PROP_ICON_NAME:
        g_value_set_string (value, ridge_terminal_item_get_icon_name (self));
        break;

      case PROP_RTT:
        g_value_set_double (value, self->rtt_ms);
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ridge_terminal_item_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  RidgeTerminalItem *self = RIDGE_TERMINAL_ITEM (object);

  switch (prop_id)
    {
      case PROP_ADDRESS:
        self->address = g_value_dup_string (value);
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ridge_terminal_item_class_init (RidgeTerminalItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ridge_terminal_item_finalize;
  object_class->get_property = ridge_terminal_item_get_property;
  object_class->set_property = ridge_terminal_item_set_property;

  properties[PROP_ADDRESS] =
    g_param_spec_string ("address", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, RIDGE_TYPE_TERMINAL_STATE,
                       RIDGE_TERMINAL_STATE_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS] =
    g_param_spec_string ("status", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ICON_NAME] =
    g_param_spec_string ("icon-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RTT] =
    g_param_spec_double ("rtt", NULL, NULL, -1.0, G_MAXDOUBLE, -1.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ridge_terminal_item_init (RidgeTerminalItem *self)
{
  self->rtt_ms = -1.0;
  self->ring = ridge_sample_ring_new (RIDGE_TERMINAL_HEALTH_SAMPLES, 256);
}

RidgeTerminalItem *
ridge_terminal_item_new (const char *address)
{
  g_return_val_if_fail (address != NULL, NULL);
  return g_object_new (RIDGE_TYPE_TERMINAL_ITEM, "address", address, NULL);
}

const char *
ridge_terminal_item_get_address (RidgeTerminalItem *self)
{
  g_return_val_if_fail (RIDGE_IS_TERMINAL_ITEM (self), NULL);
  return self->address;
}

RidgeTerminalState
ridge_terminal_item_get_state (RidgeTerminalItem *self)
{
  g_return_val_if_fail (RIDGE_IS_TERMINAL_ITEM (self), RIDGE_TERMINAL_STATE_DISCONNECTED);
  return self->state;
}

void
ridge_terminal_item_set_state (RidgeTerminalItem *self,
                               RidgeTerminalState state,
                               const char        *detail)
{
  gboolean state_changed;

  g_return_if_fail (RIDGE_IS_TERMINAL_ITEM (self));

  state_changed = self->state != state;
  if (!state_changed && g_strcmp0 (self->status, detail) == 0)
    return;
  self->state = state;
  g_free (self->status);
  self->status = g_strdup (detail);
  if (state_changed)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ICON_NAME]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

const char *
ridge_terminal_item_get_status (RidgeTerminalItem *self)
{
  g_return_val_if_fail (RIDGE_IS_TERMINAL_ITEM (self), NULL);
  return self->status != NULL ? self->status : ridge_terminal_state_to_string (self->state);
}

const char *
ridge_terminal_item_get_icon_name (RidgeTerminalItem *self)
{
  g_return_val_if_fail (RIDGE_IS_TERMINAL_ITEM (self), NULL);
  switch (self->state)
    {
      case RIDGE_TERMINAL_STATE_READY: return "network-wired-symbolic";
      case RIDGE_TERMINAL_STATE_DEGRADED: return "dialog-warning-symbolic";
      case RIDGE_TERMINAL_STATE_LOST: return "network-error-symbolic";
      case RIDGE_TERMINAL_STATE_CONNECTING:
      case RIDGE_TERMINAL_STATE_RECONNECTING: return "network-wired-acquiring-symbolic";
      case RIDGE_TERMINAL_STATE_DISCONNECTED:
      default: return "network-wired-disconnected-symbolic";
    }
}

double
ridge_terminal_item_get_rtt (RidgeTerminalItem *self)
{
  g_return_val_if_fail (RIDGE_IS_TERMINAL_ITEM (self), -1.0);
  return self->rtt_ms;
}

void
ridge_terminal_item_set_rtt (RidgeTerminalItem *self,
                             double             rtt_ms)
{
  g_return_if_fail (RIDGE_IS_TERMINAL_ITEM (self));
  if (rtt_ms < 0)
    rtt_ms = -1.0;
  if (self->rtt_ms == rtt_ms)
    return;
  self->rtt_ms = rtt_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RTT]);
}

RidgeSampleRing *
ridge_terminal_item_get_ring (RidgeTerminalItem *self)
{
  g_return_val_if_fail (RIDGE_IS_TERMINAL_ITEM (self), NULL);
  return self->ring;
}
