/* ridge-terminal-item.h — one terminal of the sidebar: address, link state, health ring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "ridge-sample-ring.h"

G_BEGIN_DECLS

typedef enum {
  RIDGE_TERMINAL_STATE_DISCONNECTED,
  RIDGE_TERMINAL_STATE_CONNECTING,
  RIDGE_TERMINAL_STATE_READY,
  RIDGE_TERMINAL_STATE_DEGRADED,
  RIDGE_TERMINAL_STATE_LOST,
  RIDGE_TERMINAL_STATE_RECONNECTING,
} RidgeTerminalState;

#define RIDGE_TYPE_TERMINAL_STATE (ridge_terminal_state_get_type ())
GType ridge_terminal_state_get_type (void);

/* Samples kept per terminal for the health chart: one hour of one-second samples. */
#define RIDGE_TERMINAL_HEALTH_SAMPLES 3600

#define RIDGE_TYPE_TERMINAL_ITEM (ridge_terminal_item_get_type ())
G_DECLARE_FINAL_TYPE (RidgeTerminalItem, ridge_terminal_item, RIDGE, TERMINAL_ITEM, GObject)

RidgeTerminalItem  *ridge_terminal_item_new (const char         *address);
const char         *ridge_terminal_item_get_address (RidgeTerminalItem *self);
RidgeTerminalState  ridge_terminal_item_get_state (RidgeTerminalItem *self);
/* detail: a sentence saying why (e.g. the last error); NULL for the state's default. */
void                ridge_terminal_item_set_state (RidgeTerminalItem *self,
                                                   RidgeTerminalState state,
                                                   const char        *detail);
/* The state as a sentence for the sidebar subtitle. */
const char         *ridge_terminal_item_get_status (RidgeTerminalItem *self);
/* A symbolic icon name for the state. */
const char         *ridge_terminal_item_get_icon_name (RidgeTerminalItem *self);
/* Milliseconds; negative when unknown. */
double              ridge_terminal_item_get_rtt (RidgeTerminalItem *self);
void                ridge_terminal_item_set_rtt (RidgeTerminalItem *self,
                                                 double             rtt_ms);
RidgeSampleRing    *ridge_terminal_item_get_ring (RidgeTerminalItem *self);

const char         *ridge_terminal_state_to_string (RidgeTerminalState state);

G_END_DECLS
